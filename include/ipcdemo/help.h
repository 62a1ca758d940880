/* SPDX-License-Identifier: MIT */
/* The built-in help texts, generated from the tables. */
#ifndef IPCDEMO_HELP_H
#define IPCDEMO_HELP_H

#include <stdio.h>

#include "ipcdemo/mechanism.h"

/* The width help is wrapped to on fp: $COLUMNS, else the terminal's, else
 * 80. */
int help_width(FILE *fp);
/* Write text, its words reflowed (a blank line separates paragraphs), from
 * column col (where the cursor is) to at most width columns, continuation
 * lines indented by indent; a word wider than a line gets one of its own.
 * Ends the line. */
void help_wrap(FILE *fp, int width, int col, int indent, const char *text);
/* The column the texts of a table start at: after its widest name, but
 * leaving the texts at least half the width (or 40 columns). */
int help_column(int width, int widest);
/* One row of a table: "  name  text", text wrapped with a hanging indent
 * at column, or starting on the next line when name is wider. */
void help_row(FILE *fp, int width, int column, const char *name, const char *text);

/* 'ipcdemo --help': the mechanisms (a NULL-terminated table) and the
 * top-level commands (terminated by a NULL name; hidden ones not shown).
 * Given, not looked up: help is below the tables it renders. */
void print_main_help(FILE *fp, const struct mechanism *const *mechs, const struct verb *commands);
void print_mechanism_help(FILE *fp, const struct mechanism *m);
/* m is NULL for a top-level command. */
void print_verb_help(FILE *fp, const struct mechanism *m, const struct verb *v);

#endif
