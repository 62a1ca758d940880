/* SPDX-License-Identifier: MIT */
/* ipcdemo MECHANISM VERB [options] [args]: the table of top-level commands
 * and the dispatch of a command line; 'ipcdemo help'. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipcdemo/complete.h"
#include "ipcdemo/dispatch.h"
#include "ipcdemo/help.h"
#include "ipcdemo/tools.h"
#include "ipcdemo/util.h"
#include "ipcdemo/verb.h"
#include "version.h"

extern char **environ;

static int help_run(struct ctx *ctx);
static void help_complete(const struct verb *v, const char *cur);
static int complete_run(struct ctx *ctx);

static const struct verb_opt help_opts[] = {
	{ .id = OP_END },
};

const struct verb commands[] = {
	{
		.name = "ls",
		.summary = "list the IPC objects that exist now",
		.usage = "[options] [TYPE...] [DIRECTORY]",
		.description = "Lists POSIX message queues (/dev/mqueue), POSIX shared memory (/dev/shm), System V\n"
			       "message queues (/proc/sysvipc/msg), abstract Unix sockets (@name), the TCP and UDP\n"
			       "sockets ipcdemo listens on, and the FIFOs, sockets and storage files in DIRECTORY\n"
			       "(default: the current one): type, name, System V id, owner, mode, size, messages,\n"
			       "the processes holding it, and whether 'ipcdemo clean' would remove it. A socket\n"
			       "that a running 'ipcdemo zmq' is bound to is of type zmq. TYPE words keep only\n"
			       "those types; any other argument is the directory.",
		.opts = ls_opts,
		.min_args = 0,
		.max_args = -1,
		.run = ls_run,
		.complete = ls_complete,
		.help_args = ls_help_args,
		.opt_scope = &ls_opt_scope,
	},
	{
		.name = "clean",
		.summary = "remove the IPC objects ipcdemo created",
		.usage = "[options] [DIRECTORY]",
		.description = "Removes what ipcdemo made and nothing else: queues and rings named /ipcdemo or\n"
			       "/ipcdemo-*, System V queues with keys 0x69706300 to 0x697063ff, and in DIRECTORY\n"
			       "pipe.fifo, an ipc.sock no one is bound to, and storage files marked as ipcdemo's;\n"
			       "only objects of your own user. See ipcdemo(1), CLEANING UP.",
		.opts = clean_opts,
		.min_args = 0,
		.max_args = 1,
		.run = clean_run,
		.complete = complete_dirs,
		.opt_scope = &clean_opt_scope,
	},
	{
		.name = "bench",
		.summary = "measure the latency and throughput of every mechanism",
		.usage = "[options] [MECHANISM...]",
		.description =
			"Two processes pinned to one CPU (same) or two (split): round trips of a message through\n"
			"each mechanism (median, p99, minimum), then each mechanism's own producer and consumer\n"
			"verbs streaming messages of each --size (messages/s, MB/s, CPU time per message on each\n"
			"side). MECHANISM selects a mechanism's rows, or one row by its own word; bare (read and\n"
			"write through a plain pipe) and dd (dd | dd) are references measured in the same run.\n"
			"Default: all. See ipcdemo-bench(1) for the method.",
		.opts = bench_opts,
		.min_args = 0,
		.max_args = -1,
		.run = bench_run,
		.complete = bench_complete,
		.help_args = bench_help_args,
		.opt_scope = &bench_opt_scope,
	},
	{
		.name = "list",
		.summary = "list mechanisms and their verbs",
		.usage = "[--json]",
		.description = "With --json, one JSON object per mechanism: its name, summary and verbs.",
		.opts = list_opts,
		.min_args = 0,
		.max_args = 0,
		.run = list_run,
		.complete = complete_options,
	},
	{
		.name = "help",
		.summary = "show the manual page of ipcdemo, a mechanism or a command",
		.usage = "[MECHANISM|COMMAND]",
		.description = "Shows the manual page of ipcdemo, of a mechanism, or of a command (ls, clean, list\n"
			       "and help are in ipcdemo(1), bench in ipcdemo-bench(1)); the built-in help when man\n"
			       "or the page is missing.",
		.opts = help_opts,
		.min_args = 0,
		.max_args = 1,
		.run = help_run,
		.complete = help_complete,
	},
	{
		.name = "__complete",
		.summary = "print the completion candidates of a command line (for the shell completions)",
		.usage = "WORD...",
		.opts = NULL,
		.min_args = 0,
		.max_args = -1,
		.run = complete_run,
	},
	{ .name = NULL },
};

const struct verb *command_find(const char *name)
{
	for (const struct verb *v = commands; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* The names a mistyped mechanism or command may have meant. */
static size_t known_names(const char **names, size_t max)
{
	size_t n = 0;
	for (const struct verb *v = commands; v->name && n < max; v++)
		if (!verb_hidden(v))
			names[n++] = v->name;
	for (size_t i = 0; mechanisms[i] && n < max; i++)
		names[n++] = mechanisms[i]->name;
	return n;
}

static int unknown_word(const char *word)
{
	const char *names[64];
	size_t n = known_names(names, ARRAY_SIZE(names));
	fprintf(stderr, "ipcdemo: '%s' is not a mechanism or command.\n", word);
	suggest("ipcdemo", "", word, names, n);
	fprintf(stderr, "See 'ipcdemo --help'.\n");
	return EXIT_USAGE;
}

/* ---- ipcdemo help [MECHANISM|COMMAND] ---- */

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

/* Is the manual page installed and man there to show it? */
static bool man_has(char *page)
{
	char man[] = "man", dash_w[] = "-w";
	char *where[] = { man, dash_w, page, NULL };
	return run_quiet(where) == 0;
}

static int help_run(struct ctx *ctx)
{
	const struct mechanism *m = NULL;
	const struct verb *c = NULL;
	char page[64] = "ipcdemo";
	if (ctx->argc == 1) {
		m = mechanism_find(ctx->argv[0]);
		c = m ? NULL : command_find(ctx->argv[0]);
		if (c && verb_hidden(c))
			c = NULL;
		if (!m && !c) {
			const char *names[64];
			size_t n = known_names(names, ARRAY_SIZE(names));
			fprintf(stderr, "ipcdemo help: '%s' is not a mechanism or command.\n", ctx->argv[0]);
			suggest("ipcdemo help", "help", ctx->argv[0], names, n);
			return EXIT_USAGE;
		}
		snprintf(page, sizeof(page), "ipcdemo-%s", m ? m->name : c->name);
	}
	bool found = man_has(page);
	if (!found && c) {
		/* A command without a page of its own (ls, clean) is in ipcdemo(1). */
		snprintf(page, sizeof(page), "ipcdemo");
		found = man_has(page);
	}
	if (found) {
		fflush(stdout);
		char man[] = "man";
		char *show[] = { man, page, NULL };
		execvp("man", show);
		/* fall through to the built-in help */
	}
	if (c)
		print_verb_help(stdout, NULL, c);
	else if (m)
		print_mechanism_help(stdout, m);
	else
		print_main_help(stdout, mechanisms, commands);
	return EXIT_OK;
}

/* help's argument: a mechanism or a command. */
static void help_complete(const struct verb *v, const char *cur)
{
	(void)v;
	complete_group("mechanisms", "mechanism");
	for (size_t i = 0; mechanisms[i]; i++)
		complete_candidate(cur, mechanisms[i]->name, mechanisms[i]->summary);
	complete_group("commands", "command");
	for (const struct verb *c = commands; c->name; c++)
		if (!verb_hidden(c))
			complete_candidate(cur, c->name, c->summary);
}

/* ---- ipcdemo __complete WORD... (used by the shell completions) ---- */

static int complete_run(struct ctx *ctx)
{
	return complete_words(commands, ctx->argc, ctx->argv);
}

/* ---- the command line ---- */

/* Run a top-level command with argv as given after "ipcdemo" (argv[0] is
 * the command's name). */
static int command_run(const struct verb *v, int argc, char **argv)
{
	if (v->opts)
		return verb_dispatch(NULL, v, argc, argv);
	struct ctx ctx = {
		.prog = "ipcdemo",
		.verb = v,
		.argc = argc - 1,
		.argv = argv + 1,
	};
	return close_stdout(ctx.prog, v->run(&ctx), ctx.out_errno);
}

int dispatch_main(int argc, char **argv)
{
	const char *prog = "ipcdemo";
	if (signals_setup() < 0) {
		msg_syserr(prog, "sigaction");
		return EXIT_FAIL;
	}
	if (argc < 2) {
		print_main_help(stderr, mechanisms, commands);
		return EXIT_USAGE;
	}
	const char *w = argv[1];
	if (strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0) {
		print_main_help(stdout, mechanisms, commands);
		return close_stdout(prog, EXIT_OK, 0);
	}
	if (strcmp(w, "--version") == 0 || strcmp(w, "-V") == 0) {
		printf("ipcdemo %s\n", IPCDEMO_VERSION);
		return close_stdout(prog, EXIT_OK, 0);
	}
	if (w[0] == '-') {
		fprintf(stderr, "ipcdemo: unknown option '%s'\nSee 'ipcdemo --help'.\n", w);
		return EXIT_USAGE;
	}
	const struct verb *cv = command_find(w);
	if (cv)
		return command_run(cv, argc - 1, argv + 1);

	const struct mechanism *m = mechanism_find(w);
	if (!m)
		return unknown_word(w);
	if (argc < 3) {
		fprintf(stderr, "ipcdemo %s: a verb is needed.\n\n", m->name);
		print_mechanism_help(stderr, m);
		return EXIT_USAGE;
	}
	const char *vw = argv[2];
	if (strcmp(vw, "--help") == 0 || strcmp(vw, "-h") == 0) {
		print_mechanism_help(stdout, m);
		return close_stdout(prog, EXIT_OK, 0);
	}
	const struct verb *v = verb_find(m, vw);
	if (!v) {
		const char *names[64];
		size_t n = 0;
		for (const struct verb *p = m->verbs; p->name && n < ARRAY_SIZE(names); p++)
			names[n++] = p->name;
		char mp[64];
		snprintf(mp, sizeof(mp), "ipcdemo %s", m->name);
		fprintf(stderr, "%s: '%s' is not a verb of %s.\n", mp, vw, m->name);
		suggest(mp, m->name, vw, names, n);
		fprintf(stderr, "See '%s --help'.\n", mp);
		return EXIT_USAGE;
	}
	return verb_dispatch(m, v, argc - 2, argv + 2);
}
