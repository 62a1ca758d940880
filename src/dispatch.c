/* SPDX-License-Identifier: MIT */
/* ipcdemo MECHANISM VERB [options] [args]: the table of top-level commands
 * and the dispatch of a command line; 'ipcdemo help'. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipcdemo/color.h"
#include "ipcdemo/complete.h"
#include "ipcdemo/dispatch.h"
#include "ipcdemo/help.h"
#include "ipcdemo/parse.h"
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
			"each mechanism (mean and percentiles), then each mechanism's own producer and consumer\n"
			"verbs streaming messages of each --size (messages/s, MB/s, CPU time per message and\n"
			"messages per system call on each side; --batch 1: one a call, as the references).\n"
			"MECHANISM selects a mechanism's rows, or one row by its own word; bare (one system call\n"
			"per message through a plain pipe, a FIFO, unix stream and datagram sockets, loopback\n"
			"TCP and UDP, a POSIX and a System V message queue) and dd (dd | dd) are references\n"
			"measured in the same run.\n"
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
	msg_error("ipcdemo", "'%s' is not a mechanism or command.", word);
	suggest("ipcdemo", "", word, names, n);
	fprintf(stderr, "See 'ipcdemo --help'.\n");
	return EXIT_USAGE;
}

/* Does verb v take the option in word ("--name", "--name=value", "-x")? */
static bool verb_takes(const struct verb *v, const char *word)
{
	bool is_long = word[1] == '-';
	const char *name = word + (is_long ? 2 : 1);
	size_t len = strcspn(name, "=");
	verb_opt_for_each (vo, v->opts) {
		const struct opt_def *d = verb_opt_def(vo);
		if (is_long ? strlen(d->name) == len && strncmp(d->name, name, len) == 0
			    : d->short_name && d->short_name == name[0])
			return true;
	}
	return false;
}

/* The option of m's verbs closest to the long option in word, within two
 * edits (or that word begins); NULL: none. */
static const char *closest_option(const struct mechanism *m, const char *word)
{
	char name[64];
	const char *best = NULL;
	unsigned bestd = 3;
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(word + 2, "="), word + 2);
	for (const struct verb *v = m->verbs; v->name; v++)
		verb_opt_for_each (vo, v->opts) {
			const char *o = verb_opt_def(vo)->name;
			unsigned d = *name && strncmp(o, name, strlen(name)) == 0 ? 1 : edit_distance(name, o);
			if (d < bestd) {
				bestd = d;
				best = o;
			}
		}
	return best;
}

/* "ipcdemo fifo --cuont": an option where the verb goes. Options go after
 * the verb; say so, and which verbs take it (or the option meant). */
static int option_before_verb(const struct mechanism *m, const char *word)
{
	char verbs[256] = "", opt[72];
	size_t len = 0;
	snprintf(opt, sizeof(opt), "%s", word);
	if (word[1] == '-' && word[2]) {
		const char *close = NULL;
		for (const struct verb *v = m->verbs; v->name && !close; v++)
			if (verb_takes(v, word))
				close = word;
		if (!close)
			close = closest_option(m, word);
		if (close && close != word)
			snprintf(opt, sizeof(opt), "--%s", close);
	}
	for (const struct verb *v = m->verbs; v->name; v++)
		if (word[1] && verb_takes(v, opt) && len < sizeof(verbs)) {
			int n = snprintf(verbs + len, sizeof(verbs) - len, "%s%s", len ? ", " : "", v->name);
			len += n > 0 ? (size_t)n : 0;
		}
	char mp[64];
	snprintf(mp, sizeof(mp), "ipcdemo %s", m->name);
	msg_error(mp, "'%s' is not a verb; options go after the verb: ipcdemo %s VERB %s", word, m->name, word);
	if (*verbs && strcmp(opt, word) != 0)
		fprintf(stderr, "Did you mean '%.*s'? It is an option of %s.\n", (int)strcspn(opt, "="), opt, verbs);
	else if (*verbs)
		fprintf(stderr, "'%.*s' is an option of %s.\n", (int)strcspn(opt, "="), opt, verbs);
	fprintf(stderr, "See 'ipcdemo %s --help'.\n", m->name);
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

/* Has the reader of our standard output gone (a pipe to 'head' that has
 * exited)? Then a failure to write is the reader's choice, as EPIPE is for
 * every other command (close_stdout). */
static bool stdout_reader_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT, .revents = 0 };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/* Show a manual page with man: 0 when shown (or when the reader of the
 * output left early), 1 when man failed; never man's own status, whose
 * numbers mean other things in ipcdemo's table. -1: man did not run. */
static int show_man(char *page)
{
	char man[] = "man";
	char *show[] = { man, page, NULL };
	posix_spawnattr_t attr;
	sigset_t dflt;
	pid_t pid;
	int st;
	fflush(stdout);
	if (posix_spawnattr_init(&attr) != 0)
		return -1;
	/* man and its pager as from a shell: SIGPIPE ends them quietly. */
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	int rc = posix_spawnattr_setsigdefault(&attr, &dflt);
	if (rc == 0)
		rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	if (rc == 0)
		rc = posix_spawnp(&pid, "man", NULL, &attr, show, environ);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			msg_syserr("ipcdemo help", "wait for man");
			return EXIT_FAIL;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return EXIT_OK;
	return stdout_reader_gone() ? EXIT_OK : EXIT_FAIL;
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
			msg_error("ipcdemo help", "'%s' is not a mechanism or command.", ctx->argv[0]);
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
		int rc = show_man(page);
		if (rc >= 0)
			return rc;
		/* man could not run after all: the built-in help */
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
		.color = color_mode_env(),
		.argc = argc - 1,
		.argv = argv + 1,
	};
	return close_stdout(ctx.prog, v->run(&ctx), ctx.out_errno);
}

/* The options before the mechanism or command other than --help and
 * --version: --color[=WHEN], which goes to everything run in COLOR_ENV
 * (color.h). Consumes them (argv[1] is then the next word); returns -1 to
 * carry on, or an exit status. */
static int global_options(int *argc, char ***argv)
{
	while (*argc > 1) {
		const char *a = (*argv)[1];
		if (strncmp(a, "--color", 7) != 0 || (a[7] != '\0' && a[7] != '='))
			return -1;
		const char *when = a[7] ? a + 8 : "always"; /* as ls and grep */
		if (color_mode_parse(when) < 0) {
			msg_error("ipcdemo", "--color takes auto, always or never, not '%s'", when);
			fprintf(stderr, "See 'ipcdemo --help'.\n");
			return EXIT_USAGE;
		}
		if (setenv(COLOR_ENV, when, 1) < 0) {
			msg_syserr("ipcdemo", "setenv %s", COLOR_ENV);
			return EXIT_FAIL;
		}
		(*argv)[1] = (*argv)[0];
		(*argc)--;
		(*argv)++;
	}
	return -1;
}

int dispatch_main(int argc, char **argv)
{
	const char *prog = "ipcdemo";
	if (signals_setup() < 0) {
		msg_syserr(prog, "sigaction");
		return EXIT_FAIL;
	}
	int rc = global_options(&argc, &argv);
	if (rc >= 0)
		return rc;
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
		msg_error(prog, "unknown option '%s'", w);
		fprintf(stderr, "The options of a verb go after it: ipcdemo MECHANISM VERB %s\nSee 'ipcdemo --help'.\n",
			w);
		return EXIT_USAGE;
	}
	const struct verb *cv = command_find(w);
	if (cv)
		return command_run(cv, argc - 1, argv + 1);

	const struct mechanism *m = mechanism_find(w);
	if (!m)
		return unknown_word(w);
	if (argc < 3) {
		char mp[64];
		snprintf(mp, sizeof(mp), "ipcdemo %s", m->name);
		msg_error(mp, "a verb is needed.");
		fputc('\n', stderr);
		print_mechanism_help(stderr, m);
		return EXIT_USAGE;
	}
	const char *vw = argv[2];
	if (strcmp(vw, "--help") == 0 || strcmp(vw, "-h") == 0) {
		print_mechanism_help(stdout, m);
		return close_stdout(prog, EXIT_OK, 0);
	}
	if (vw[0] == '-' && vw[1])
		return option_before_verb(m, vw);
	const struct verb *v = verb_find(m, vw);
	if (!v) {
		const char *names[64];
		size_t n = 0;
		for (const struct verb *p = m->verbs; p->name && n < ARRAY_SIZE(names); p++)
			names[n++] = p->name;
		char mp[64];
		snprintf(mp, sizeof(mp), "ipcdemo %s", m->name);
		msg_error(mp, "'%s' is not a verb of %s.", vw, m->name);
		suggest(mp, m->name, vw, names, n);
		fprintf(stderr, "See '%s --help'.\n", mp);
		return EXIT_USAGE;
	}
	return verb_dispatch(m, v, argc - 2, argv + 2);
}
