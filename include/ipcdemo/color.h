/* SPDX-License-Identifier: MIT */
/* Colour on a terminal: --color=auto|always|never and NO_COLOR.
 *
 * The choice is made once, by the dispatcher, from --color (given before
 * the mechanism or command), and handed on in the environment variable
 * IPCDEMO_COLOR, so that the diagnostics (which know only the program's
 * name), struct ctx (ctx->color) and the processes a command forks all
 * see the same choice; no variable of the program holds it. */
#ifndef IPCDEMO_COLOR_H
#define IPCDEMO_COLOR_H

#include <stdbool.h>
#include <stdio.h>

enum color_mode {
	COLOR_AUTO = 0, /* on a terminal, unless NO_COLOR is set (or TERM=dumb) */
	COLOR_NEVER,
	COLOR_ALWAYS, /* even in a pipe, and even with NO_COLOR: an explicit choice wins */
};

/* Where the choice travels from the dispatcher to everything it runs. */
#define COLOR_ENV "IPCDEMO_COLOR"

/* "auto", "always" or "never"; -1 for anything else. */
int color_mode_parse(const char *s);
/* The choice in the environment (COLOR_ENV), COLOR_AUTO when unset or not
 * one of the three words. */
enum color_mode color_mode_env(void);
/* Whether what goes to fd is coloured under mode m. */
bool color_on(enum color_mode m, int fd);

/* Select Graphic Rendition sequences: what each kind of text is drawn in. */
#define SGR_ERROR "\033[1;31m"  /* bold red: the prefix of an error */
#define SGR_WARN "\033[33m"     /* yellow: the prefix of a warning or note */
#define SGR_PRODUCER "\033[36m" /* cyan: a demo's producers' labels */
#define SGR_CONSUMER "\033[35m" /* magenta: a demo's consumers' labels */
#define SGR_GOOD "\033[32m"     /* green */
#define SGR_EXPLAIN "\033[34m"  /* blue: the prefix of a call --explain tells */
#define SGR_RESET "\033[0m"

/* Write s to fp in sgr when on, plainly otherwise. */
void color_fputs(FILE *fp, bool on, const char *sgr, const char *s);

#endif
