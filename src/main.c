/* SPDX-License-Identifier: MIT */
/* ipcdemo MECHANISM VERB [options] [args]: top-level commands and dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/util.h"
#include "version.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

/* Top-level commands that are not mechanisms. */
static const struct command commands[] = {
	{ "list", cmd_list },
	{ "help", cmd_help },
	{ "__complete", cmd_complete },
};

static int unknown_word(const char *word)
{
	const char *names[64];
	size_t n = 0;
	names[n++] = "list";
	names[n++] = "help";
	for (const struct verb *v = tool_verbs; v->name && n < ARRAY_SIZE(names); v++)
		names[n++] = v->name;
	for (size_t i = 0; mechanisms[i] && n < ARRAY_SIZE(names); i++)
		names[n++] = mechanisms[i]->name;
	fprintf(stderr, "ipcdemo: '%s' is not a mechanism or command.\n", word);
	suggest("ipcdemo", "", word, names, n);
	fprintf(stderr, "See 'ipcdemo --help'.\n");
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *prog = "ipcdemo";
	if (signals_setup() < 0) {
		msg_syserr(prog, "sigaction");
		return EXIT_FAIL;
	}
	if (argc < 2) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	const char *w = argv[1];
	if (strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0) {
		print_main_help(stdout);
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
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, w) == 0)
			return close_stdout(prog, commands[i].run(argc - 1, argv + 1), 0);

	const struct verb *tv = tool_find(w);
	if (tv)
		return verb_dispatch(NULL, tv, argc - 1, argv + 1);

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
