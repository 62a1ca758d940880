/* SPDX-License-Identifier: MIT */
/* The candidates of the shell completions. 'ipcdemo __complete WORD...'
 * gets the words after "ipcdemo", the last one being typed, and prints the
 * matching candidates one a line as CANDIDATE<TAB>DESCRIPTION, or the
 * single line __files__ when a file name is expected. */
#ifndef IPCDEMO_COMPLETE_H
#define IPCDEMO_COMPLETE_H

#include "ipcdemo/mechanism.h"

/* Complete argv[argc - 1], the word being typed after argv[0..argc-2].
 * commands: the top-level commands (dispatch.h), terminated by a NULL
 * name. Returns EXIT_OK. */
int complete_words(const struct verb *commands, int argc, char **argv);

/* Print word as a candidate when it starts with cur. desc may be NULL. */
void complete_candidate(const char *cur, const char *word, const char *desc);

/* Hooks for struct verb's complete. */
/* A file or directory name: prints __files__. */
void complete_files(const struct verb *v, const char *cur);
/* The verb's long options (not --help), for a verb that takes no argument. */
void complete_options(const struct verb *v, const char *cur);

#endif
