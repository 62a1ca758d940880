/* SPDX-License-Identifier: MIT */
/* Everything generated from the tables: help texts, 'list', 'help',
 * completion candidates, "did you mean", and verb dispatch. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipcdemo/bench.h"
#include "ipcdemo/mechanism.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"

extern char **environ;

static const struct {
	const char *name, *summary;
} builtin_cmds[] = {
	{ "list", "list mechanisms and their verbs" },
	{ "help", "show the manual page of ipcdemo, a mechanism or a command" },
};

void print_main_help(FILE *fp)
{
	fprintf(fp, "Usage: ipcdemo MECHANISM VERB [options] [arguments]\n"
		    "       ipcdemo ls|clean [options] [DIRECTORY]\n"
		    "       ipcdemo bench [options] [MECHANISM...]\n"
		    "       ipcdemo list [--json]\n"
		    "       ipcdemo help [MECHANISM|COMMAND]\n"
		    "\n"
		    "See and measure how Linux processes talk to each other.\n"
		    "\n"
		    "Mechanisms:\n");
	for (size_t i = 0; mechanisms[i]; i++)
		fprintf(fp, "  %-12s %s\n", mechanisms[i]->name, mechanisms[i]->summary);
	fprintf(fp, "\nCommands:\n");
	for (const struct verb *v = tool_verbs; v->name; v++)
		fprintf(fp, "  %-12s %s\n", v->name, v->summary);
	for (size_t i = 0; i < ARRAY_SIZE(builtin_cmds); i++)
		fprintf(fp, "  %-12s %s\n", builtin_cmds[i].name, builtin_cmds[i].summary);
	fprintf(fp, "\nOptions:\n"
		    "  -h, --help     show this help and exit\n"
		    "  -V, --version  show the version and exit\n"
		    "\n"
		    "Run 'ipcdemo MECHANISM --help' for its verbs and 'ipcdemo MECHANISM VERB --help'\n"
		    "for their options. Every mechanism has a 'demo' verb, e.g. 'ipcdemo fifo demo'.\n"
		    "\n"
		    "Exit status: 0 success, 1 operation failed, 2 usage error, 3 --verify found lost,\n"
		    "duplicated or reordered messages, 4 --timeout expired with nothing received.\n");
}

/* A summary as a sentence: capital first letter, full stop. */
static void print_sentence(FILE *fp, const char *s)
{
	fprintf(fp, "%c%s.\n", toupper((unsigned char)s[0]), s + 1);
}

void print_mechanism_help(FILE *fp, const struct mechanism *m)
{
	fprintf(fp, "Usage: ipcdemo %s VERB [options] [arguments]\n\n", m->name);
	print_sentence(fp, m->summary);
	if (m->description)
		fprintf(fp, "\n%s\n", m->description);
	fprintf(fp, "\nVerbs:\n");
	for (const struct verb *v = m->verbs; v->name; v++)
		fprintf(fp, "  %-10s %s\n", v->name, v->summary);
	fprintf(fp, "\nRun 'ipcdemo %s VERB --help' for a verb's options, 'ipcdemo help %s' for the manual.\n",
		m->name, m->name);
}

static void opt_label(char *buf, size_t len, const struct opt_def *d)
{
	char sh[8] = "    ";
	if (d->short_name)
		snprintf(sh, sizeof(sh), "-%c, ", d->short_name);
	if (d->type == OPT_FLAG)
		snprintf(buf, len, "%s--%s", sh, d->name);
	else
		snprintf(buf, len, "%s--%s %s", sh, d->name, d->arg);
}

void print_verb_help(FILE *fp, const struct mechanism *m, const struct verb *v)
{
	char label[64];
	int width = 0;
	if (m)
		fprintf(fp, "Usage: ipcdemo %s %s %s\n\n", m->name, v->name, v->usage);
	else
		fprintf(fp, "Usage: ipcdemo %s %s\n\n", v->name, v->usage);
	print_sentence(fp, v->summary);
	if (v->description)
		fprintf(fp, "\n%s\n", v->description);
	fprintf(fp, "\nOptions:\n");
	verb_opt_for_each(vo, v->opts) {
		opt_label(label, sizeof(label), verb_opt_def(vo));
		if ((int)strlen(label) > width)
			width = (int)strlen(label);
	}
	verb_opt_for_each(vo, v->opts) {
		opt_label(label, sizeof(label), verb_opt_def(vo));
		fprintf(fp, "  %-*s  %s\n", width, label, verb_opt_help(vo));
	}
	fprintf(fp, "  %-*s  %s\n", width, "-h, --help", "show this help and exit");
	if (m)
		fprintf(fp, "\nSee 'ipcdemo help %s' for the manual.\n", m->name);
	else
		fprintf(fp, "\nSee 'ipcdemo help' for the manual.\n");
}

void suggest(const char *prog, const char *what, const char *word, const char *const *names, size_t n)
{
	unsigned best = UINT_MAX;
	(void)prog;
	for (size_t i = 0; i < n; i++) {
		unsigned d = edit_distance(word, names[i]);
		if (*word && strncmp(names[i], word, strlen(word)) == 0)
			d = 1; /* a prefix is a likely typo for the full name */
		if (d < best)
			best = d;
	}
	if (best > 2)
		return;
	size_t hits = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = edit_distance(word, names[i]);
		if (*word && strncmp(names[i], word, strlen(word)) == 0)
			d = 1;
		if (d == best)
			hits++;
	}
	fprintf(stderr, hits == 1 ? "Did you mean this?\n" : "Did you mean one of these?\n");
	for (size_t i = 0; i < n; i++) {
		unsigned d = edit_distance(word, names[i]);
		if (*word && strncmp(names[i], word, strlen(word)) == 0)
			d = 1;
		if (d == best)
			fprintf(stderr, "\tipcdemo %s%s%s\n", what, *what ? " " : "", names[i]);
	}
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
	int status = v->run(&ctx);
	return close_stdout(prog, status, ctx.out_errno);
}

/* ---- ipcdemo list ---- */

int cmd_list(int argc, char **argv)
{
	bool json = false;
	struct out o;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("Usage: ipcdemo list [--json]\n\nList mechanisms and their verbs; with --json one JSON "
			       "object per mechanism.\n");
			return EXIT_OK;
		} else {
			return msg_usage("ipcdemo list", "unexpected argument '%s'", argv[i]);
		}
	}
	out_init(&o, stdout, json);
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mechanism *m = mechanisms[i];
		out_open(&o);
		out_string(&o, PRINT_ANY, "mechanism", "%-10s", m->name);
		out_string(&o, PRINT_ANY, "summary", " %s", m->summary);
		out_array_open(&o, "verbs");
		for (const struct verb *v = m->verbs; v->name; v++) {
			out_object_open(&o, NULL);
			out_string(&o, PRINT_ANY, "name", "\n  %-10s", v->name);
			out_string(&o, PRINT_ANY, "summary", " %s", v->summary);
			out_object_close(&o);
		}
		out_array_close(&o);
		out_close(&o);
	}
	return EXIT_OK;
}

/* ---- ipcdemo help [MECHANISM] ---- */

/* Run a program quietly; returns its exit status, or -1 if it could not run. */
static int run_quiet(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int cmd_help(int argc, char **argv)
{
	const struct mechanism *m = NULL;
	char page[64] = "ipcdemo";
	if (argc > 2)
		return msg_usage("ipcdemo help", "too many arguments");
	if (argc == 2) {
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			printf("Usage: ipcdemo help [MECHANISM|COMMAND]\n\n"
			       "Show the manual page of ipcdemo, of a mechanism, or of a command (ls and\n"
			       "clean are in ipcdemo(1), bench in ipcdemo-bench(1)); the built-in help when\n"
			       "man or the page is missing.\n");
			return EXIT_OK;
		}
		m = mechanism_find(argv[1]);
		if (!m && tool_find(argv[1])) {
			/* ls and clean are in ipcdemo(1), bench has its own page. */
			char bench_page[] = "ipcdemo-bench", main_page[] = "ipcdemo";
			char *man_page = strcmp(argv[1], "bench") == 0 ? bench_page : main_page;
			char man[] = "man", dash_w[] = "-w";
			char *where[] = { man, dash_w, man_page, NULL };
			if (run_quiet(where) == 0) {
				char *show[] = { man, man_page, NULL };
				fflush(stdout);
				execvp("man", show);
			}
			print_verb_help(stdout, NULL, tool_find(argv[1]));
			return EXIT_OK;
		}
		if (!m) {
			const char *names[64];
			size_t n = 0;
			for (size_t i = 0; mechanisms[i] && n < ARRAY_SIZE(names); i++)
				names[n++] = mechanisms[i]->name;
			fprintf(stderr, "ipcdemo help: '%s' is not a mechanism.\n", argv[1]);
			suggest("ipcdemo help", "help", argv[1], names, n);
			return EXIT_USAGE;
		}
		snprintf(page, sizeof(page), "ipcdemo-%s", m->name);
	}
	char man[] = "man", dash_w[] = "-w";
	char *where[] = { man, dash_w, page, NULL };
	if (run_quiet(where) == 0) {
		fflush(stdout);
		char *show[] = { man, page, NULL };
		execvp("man", show);
		/* fall through to the built-in help */
	}
	if (m)
		print_mechanism_help(stdout, m);
	else
		print_main_help(stdout);
	return EXIT_OK;
}

/* ---- ipcdemo __complete WORD... (used by the shell completions) ---- */

static void cand(const char *cur, const char *word, const char *desc)
{
	if (strncmp(word, cur, strlen(cur)) == 0)
		printf("%s\t%s\n", word, desc ? desc : "");
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

int cmd_complete(int argc, char **argv)
{
	/* argv[1..argc-1]: the words after "ipcdemo"; the last is being typed. */
	if (argc < 2)
		return EXIT_OK;
	const char *cur = argv[argc - 1];
	int pos = argc - 1; /* 1-based position of the current word */

	if (pos == 1) {
		for (size_t i = 0; mechanisms[i]; i++)
			cand(cur, mechanisms[i]->name, mechanisms[i]->summary);
		for (const struct verb *v = tool_verbs; v->name; v++)
			cand(cur, v->name, v->summary);
		for (size_t i = 0; i < ARRAY_SIZE(builtin_cmds); i++)
			cand(cur, builtin_cmds[i].name, builtin_cmds[i].summary);
		if (cur[0] == '-') {
			cand(cur, "--help", "show help");
			cand(cur, "--version", "show the version");
		}
		return EXIT_OK;
	}
	const char *first = argv[1];
	if (strcmp(first, "help") == 0) {
		if (pos == 2) {
			for (size_t i = 0; mechanisms[i]; i++)
				cand(cur, mechanisms[i]->name, mechanisms[i]->summary);
			for (const struct verb *v = tool_verbs; v->name; v++)
				cand(cur, v->name, v->summary);
		}
		return EXIT_OK;
	}
	if (strcmp(first, "list") == 0) {
		cand(cur, "--json", "one JSON object per mechanism");
		return EXIT_OK;
	}
	/* The first word that may be an option: after MECHANISM VERB, or after
	 * a top-level command. */
	int opt_start = 2;
	const struct verb *v = tool_find(first);
	if (!v) {
		const struct mechanism *m = mechanism_find(first);
		if (!m)
			return EXIT_OK;
		if (pos == 2) {
			for (const struct verb *mv = m->verbs; mv->name; mv++)
				cand(cur, mv->name, mv->summary);
			if (cur[0] == '-')
				cand(cur, "--help", "show help");
			return EXIT_OK;
		}
		v = verb_find(m, argv[2]);
		if (!v)
			return EXIT_OK;
		opt_start = 3;
	}
	/* After "--" every word is an argument: nothing to complete. */
	for (int i = opt_start; i < argc - 1; i++)
		if (strcmp(argv[i], "--") == 0)
			return EXIT_OK;
	/* Is the previous word an option that takes a value? */
	const char *prev = argv[argc - 2];
	const struct opt_def *pd = NULL;
	if (pos > opt_start && prev[0] == '-' && prev[1] == '-' && !strchr(prev, '='))
		pd = verb_opt_find_long(v->opts, prev + 2, strlen(prev + 2));
	else if (pos > opt_start && prev[0] == '-' && prev[1] && prev[1] != '-' && prev[2] == '\0')
		pd = verb_opt_find_short(v->opts, prev[1]);
	if (pd && pd->type != OPT_FLAG) {
		complete_value(pd, "", cur);
		return EXIT_OK;
	}
	if (cur[0] == '-' && cur[1] == '-' && strchr(cur, '=')) {
		const char *eq = strchr(cur, '=');
		const struct opt_def *d = verb_opt_find_long(v->opts, cur + 2, (size_t)(eq - cur - 2));
		if (d) {
			char prefix[64];
			snprintf(prefix, sizeof(prefix), "%.*s", (int)(eq - cur + 1), cur);
			complete_value(d, prefix, cur);
		}
		return EXIT_OK;
	}
	if (cur[0] == '-') {
		char buf[64];
		verb_opt_for_each(vo, v->opts) {
			snprintf(buf, sizeof(buf), "--%s", verb_opt_def(vo)->name);
			cand(cur, buf, verb_opt_help(vo));
		}
		cand(cur, "--help", "show help");
	} else if (opt_start == 2 && strcmp(v->name, "bench") == 0) {
		/* bench takes the names of its rows, and the words for groups. */
		for (size_t i = 0; bench_row_name(i); i++) {
			if (i == 0 || strcmp(bench_row_group(i), bench_row_group(i - 1)) != 0)
				cand(cur, bench_row_group(i), "measure this mechanism");
			if (bench_row_word(i))
				cand(cur, bench_row_word(i), "measure this row only");
		}
	} else if (v->max_args != 0 && opt_start == 2) {
		printf("__files__\n"); /* ls and clean take a directory */
	}
	return EXIT_OK;
}
