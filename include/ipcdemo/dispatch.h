/* SPDX-License-Identifier: MIT */
/* The command line: 'ipcdemo MECHANISM VERB ...' and the top-level
 * commands, each a verb of one table, parsed as any verb is. */
#ifndef IPCDEMO_DISPATCH_H
#define IPCDEMO_DISPATCH_H

#include "ipcdemo/mechanism.h"

/* The top-level commands: ls, clean, bench, list, help and the hidden
 * __complete; they run with no mechanism (ctx->mech NULL). A command whose
 * opts is NULL takes its words as they are, with no option parsing (the
 * completer gets the words being typed). Terminated by a NULL name. */
extern const struct verb commands[];
const struct verb *command_find(const char *name);

/* Run ipcdemo's command line; returns the exit status. */
int dispatch_main(int argc, char **argv);

#endif
