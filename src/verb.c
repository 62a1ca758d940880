/* SPDX-License-Identifier: MIT */
/* Running one verb as a user runs it: its options parsed by cli_parse,
 * its arguments counted, its --help; and "did you mean". */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/help.h"
#include "ipcdemo/stats.h"
#include "ipcdemo/util.h"
#include "ipcdemo/verb.h"

const struct verb *verb_find(const struct mechanism *m, const char *name)
{
	for (const struct verb *v = m->verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* How far word (already in lower case) is from name: its edit distance,
 * or 1 for a prefix, a likely typo for the full name. */
static unsigned name_distance(const char *word, const char *name)
{
	if (*word && strncmp(name, word, strlen(word)) == 0)
		return 1;
	return edit_distance(word, name);
}

void suggest(const char *prog, const char *what, const char *word, const char *const *names, size_t n)
{
	char lower[64];
	unsigned best = UINT_MAX;
	size_t hits = 0;
	(void)prog;
	/* Names are lower case: 'FIFO' and 'Fifo' mean fifo. */
	snprintf(lower, sizeof(lower), "%s", word);
	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (size_t i = 0; i < n; i++) {
		unsigned d = name_distance(lower, names[i]);
		if (d < best) {
			best = d;
			hits = 0;
		}
		if (d == best)
			hits++;
	}
	if (best > 2)
		return;
	fprintf(stderr, hits == 1 ? "Did you mean this?\n" : "Did you mean one of these?\n");
	for (size_t i = 0; i < n; i++)
		if (name_distance(lower, names[i]) == best)
			fprintf(stderr, "\tipcdemo %s%s%s\n", what, *what ? " " : "", names[i]);
}

int verb_dispatch(const struct mechanism *m, const struct verb *v, int argc, char **argv)
{
	char prog[96];
	struct ctx ctx;
	int first = 1;

	if (m)
		snprintf(prog, sizeof(prog), "ipcdemo %s %s", m->name, v->name);
	else
		snprintf(prog, sizeof(prog), "ipcdemo %s", v->name);
	memset(&ctx, 0, sizeof(ctx));
	ctx.start_ns = now_mono_ns();
	ctx.result_fd = run_result_fd();
	ctx.color = color_mode_env();
	ctx.prog = prog;
	ctx.mech = m;
	ctx.verb = v;
	struct opt_store store;
	int rc = ctx_parse_options(&ctx, &store, argc, argv, &first);
	if (rc == -1) {
		print_verb_help(stdout, m, v);
		return close_stdout(prog, EXIT_OK, 0);
	}
	if (rc)
		return rc;
	ctx.argc = argc - first;
	ctx.argv = argv + first;
	if (ctx.argc < v->min_args)
		return msg_usage(prog, "missing argument (usage: %s %s)", prog, v->usage);
	if (v->max_args >= 0 && ctx.argc > v->max_args) {
		if (v->max_args == 0)
			return msg_usage(prog, "unexpected argument '%s'", ctx.argv[0]);
		return msg_usage(prog, "too many arguments (at most %d)", v->max_args);
	}
	explain_setup(&ctx, ctx.opt.explain);
	int status = v->run(&ctx);
	explain_finish(&ctx);
	return close_stdout(prog, status, ctx.out_errno);
}
