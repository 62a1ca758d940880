/* SPDX-License-Identifier: MIT */
/* The candidates of the shell completions. 'ipcdemo __complete WORD...'
 * gets the words after "ipcdemo", the last one being typed, and prints the
 * matching candidates one a line as CANDIDATE<TAB>DESCRIPTION. Besides
 * them, a line may be:
 *   __files__  file names are expected too: the shell completes them;
 *   __dirs__   directory names are expected too: the shell completes them;
 *   __group__<TAB>TAG<TAB>LABEL  the candidates that follow form a group
 *              (zsh's tag and its heading): printed only when the
 *              environment has IPCDEMO_COMPLETE_GROUPS set (the zsh
 *              completion asks for them), so that other readers of the
 *              list never see them. */
#ifndef IPCDEMO_COMPLETE_H
#define IPCDEMO_COMPLETE_H

#include "ipcdemo/mechanism.h"

/* Complete argv[argc - 1], the word being typed after argv[0..argc-2].
 * commands: the top-level commands (dispatch.h), terminated by a NULL
 * name. Returns EXIT_OK. */
int complete_words(const struct verb *commands, int argc, char **argv);

/* Print word as a candidate when it starts with cur. desc may be NULL. */
void complete_candidate(const char *cur, const char *word, const char *desc);
/* Start a group of candidates: tag (a zsh tag: "rows", "objects") and the
 * heading of the group ("benchmark row"). */
void complete_group(const char *tag, const char *label);

/* Hooks for struct verb's complete. */
/* A file or directory name: prints __files__. */
void complete_files(const struct verb *v, const char *cur);
/* A directory name: prints __dirs__. */
void complete_dirs(const struct verb *v, const char *cur);
/* The verb's long options (not --help), for a verb that takes no
 * argument; those given already are left out (but for a repeatable one). */
void complete_options(const struct verb *v, const char *cur);

#endif
