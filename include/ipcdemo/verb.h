/* SPDX-License-Identifier: MIT */
/* Running one verb: parse its options, check its arguments, call it; and
 * "did you mean" for a word that names nothing. Used by the dispatcher,
 * the demos and the benchmark, which run verbs as a user does. */
#ifndef IPCDEMO_VERB_H
#define IPCDEMO_VERB_H

#include <stddef.h>

#include "ipcdemo/mechanism.h"

/* Print "did you mean" candidates for an unknown word among names. */
void suggest(const char *prog, const char *what, const char *word, const char *const *names, size_t n);

/* Run a verb with argv as given after the verb name (argv[0] is the verb);
 * m is NULL for a top-level command (dispatch.h). */
int verb_dispatch(const struct mechanism *m, const struct verb *v, int argc, char **argv);

#endif
