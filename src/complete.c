/* SPDX-License-Identifier: MIT */
/* Completion candidates, from the tables: mechanisms, verbs, options,
 * option values; a verb's positional arguments through its complete hook. */
#include <stdio.h>
#include <string.h>

#include "ipcdemo/complete.h"
#include "ipcdemo/util.h"

void complete_candidate(const char *cur, const char *word, const char *desc)
{
	if (strncmp(word, cur, strlen(cur)) == 0)
		printf("%s\t%s\n", word, desc ? desc : "");
}

static void cand(const char *cur, const char *word, const char *desc)
{
	complete_candidate(cur, word, desc);
}

void complete_files(const struct verb *v, const char *cur)
{
	(void)v;
	(void)cur;
	printf("__files__\n");
}

void complete_options(const struct verb *v, const char *cur)
{
	char buf[64];
	verb_opt_for_each (vo, v->opts) {
		snprintf(buf, sizeof(buf), "--%s", verb_opt_def(vo)->name);
		cand(cur, buf, verb_opt_help(vo));
	}
}

static const struct opt_def *find_long(const struct verb *v, const char *name, size_t len)
{
	return verb_opt_find_long(v->opts, name, len);
}

static const struct opt_def *find_short(const struct verb *v, char c)
{
	return verb_opt_find_short(v->opts, c);
}

static void complete_value(const struct opt_def *d, const char *prefix, const char *cur)
{
	char buf[256];
	if (d->type == OPT_PATH) {
		printf("__files__\n");
		return;
	}
	if (d->type != OPT_CHOICE)
		return;
	for (int i = 0; d->choices[i]; i++) {
		snprintf(buf, sizeof(buf), "%s%s", prefix, d->choices[i]);
		cand(cur, buf, NULL);
	}
}

/* The positional arguments among words[from..to-1]: the words that are
 * neither options nor the values of options. */
static int count_args(const struct verb *v, char **words, int from, int to)
{
	int n = 0;
	for (int i = from; i < to; i++) {
		const char *w = words[i];
		if (w[0] != '-' || w[1] == '\0') {
			n++;
		} else if (w[1] == '-') {
			const struct opt_def *d = strchr(w, '=') ? NULL : find_long(v, w + 2, strlen(w + 2));
			if (d && d->type != OPT_FLAG)
				i++;
		} else {
			/* A short cluster: a value is the rest of it or the next word. */
			for (const char *p = w + 1; *p; p++) {
				const struct opt_def *d = find_short(v, *p);
				if (d && d->type != OPT_FLAG) {
					if (p[1] == '\0')
						i++;
					break;
				}
			}
		}
	}
	return n;
}

/* The first word: a mechanism, a command or a global option. */
static void complete_first(const struct verb *commands, const char *cur)
{
	for (size_t i = 0; mechanisms[i]; i++)
		cand(cur, mechanisms[i]->name, mechanisms[i]->summary);
	for (const struct verb *v = commands; v->name; v++)
		if (!verb_hidden(v))
			cand(cur, v->name, v->summary);
	if (cur[0] == '-') {
		cand(cur, "--help", "show help");
		cand(cur, "--version", "show the version");
		cand(cur, "--color=auto", "colour on a terminal, unless NO_COLOR is set");
		cand(cur, "--color=always", "colour, even in a pipe");
		cand(cur, "--color=never", "no colour");
	}
}

int complete_words(const struct verb *commands, int argc, char **argv)
{
	/* argv[0..argc-1]: the words after "ipcdemo"; the last is being typed. */
	/* --color[=WHEN] before the mechanism or command: as if absent. */
	while (argc > 1 && strncmp(argv[0], "--color", 7) == 0) {
		argc--;
		argv++;
	}
	if (argc < 1)
		return EXIT_OK;
	const char *cur = argv[argc - 1];
	int pos = argc - 1; /* index of the current word */

	if (pos == 0) {
		complete_first(commands, cur);
		return EXIT_OK;
	}
	const char *first = argv[0];
	/* The first word that may be an option: after MECHANISM VERB, or after
	 * a top-level command. */
	int opt_start = 1;
	const struct verb *v = NULL;
	for (const struct verb *c = commands; c->name && !v; c++)
		if (!verb_hidden(c) && strcmp(c->name, first) == 0)
			v = c;
	if (!v) {
		const struct mechanism *m = mechanism_find(first);
		if (!m)
			return EXIT_OK;
		if (pos == 1) {
			for (const struct verb *mv = m->verbs; mv->name; mv++)
				cand(cur, mv->name, mv->summary);
			if (cur[0] == '-')
				cand(cur, "--help", "show help");
			return EXIT_OK;
		}
		v = verb_find(m, argv[1]);
		if (!v)
			return EXIT_OK;
		opt_start = 2;
	}
	/* After "--" every word is an argument: nothing to complete. */
	for (int i = opt_start; i < argc - 1; i++)
		if (strcmp(argv[i], "--") == 0)
			return EXIT_OK;
	/* Is the previous word an option that takes a value? */
	const char *prev = argv[argc - 2];
	const struct opt_def *pd = NULL;
	if (pos > opt_start && prev[0] == '-' && prev[1] == '-' && !strchr(prev, '='))
		pd = find_long(v, prev + 2, strlen(prev + 2));
	else if (pos > opt_start && prev[0] == '-' && prev[1] && prev[1] != '-' && prev[2] == '\0')
		pd = find_short(v, prev[1]);
	if (pd && pd->type != OPT_FLAG) {
		complete_value(pd, "", cur);
		return EXIT_OK;
	}
	if (cur[0] == '-' && cur[1] == '-' && strchr(cur, '=')) {
		const char *eq = strchr(cur, '=');
		const struct opt_def *d = find_long(v, cur + 2, (size_t)(eq - cur - 2));
		if (d) {
			char prefix[64];
			snprintf(prefix, sizeof(prefix), "%.*s", (int)(eq - cur + 1), cur);
			complete_value(d, prefix, cur);
		}
		return EXIT_OK;
	}
	if (cur[0] == '-') {
		complete_options(v, cur);
		cand(cur, "--help", "show help");
	} else if (v->complete && (v->max_args <= 0 || count_args(v, argv, opt_start, pos) < v->max_args)) {
		/* The verb's hook completes its next argument; a verb that takes
		 * none may offer its options there ('list' offers --json). */
		v->complete(v, cur);
	}
	return EXIT_OK;
}
