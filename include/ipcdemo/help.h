/* SPDX-License-Identifier: MIT */
/* The built-in help texts, generated from the tables. */
#ifndef IPCDEMO_HELP_H
#define IPCDEMO_HELP_H

#include <stdio.h>

#include "ipcdemo/mechanism.h"

/* 'ipcdemo --help': the mechanisms (a NULL-terminated table) and the
 * top-level commands (terminated by a NULL name; hidden ones not shown).
 * Given, not looked up: help is below the tables it renders. */
void print_main_help(FILE *fp, const struct mechanism *const *mechs, const struct verb *commands);
void print_mechanism_help(FILE *fp, const struct mechanism *m);
/* m is NULL for a top-level command. */
void print_verb_help(FILE *fp, const struct mechanism *m, const struct verb *v);

#endif
