/* SPDX-License-Identifier: MIT */
/* The mechanism and verb tables are the single source of truth: check
 * that they are complete and consistent. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>

#include "ipcdemo/complete.h"
#include "ipcdemo/dispatch.h"
#include "ipcdemo/mechanism.h"

Test(tables, names_unique_and_lookups_exact)
{
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mechanism *m = mechanisms[i];
		cr_assert_eq(mechanism_find(m->name), m);
		for (size_t j = i + 1; mechanisms[j]; j++)
			cr_assert_str_neq(m->name, mechanisms[j]->name);
		for (const struct verb *v = m->verbs; v->name; v++) {
			cr_assert_eq(verb_find(m, v->name), v);
			for (const struct verb *w = v + 1; w->name; w++)
				cr_assert_str_neq(v->name, w->name, "%s: verb %s twice", m->name, v->name);
		}
		/* Exact names only: a prefix does not match. */
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "%.*s", (int)strlen(m->name) - 1, m->name);
		cr_assert_null(mechanism_find(prefix));
	}
}

Test(tables, every_mechanism_is_complete)
{
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mechanism *m = mechanisms[i];
		cr_assert(m->summary && *m->summary, "%s has no summary", m->name);
		cr_assert_not_null(verb_find(m, "demo"), "%s has no demo verb", m->name);
		for (const struct verb *v = m->verbs; v->name; v++) {
			cr_assert(v->summary && *v->summary, "%s %s: no summary", m->name, v->name);
			cr_assert_not_null(v->usage);
			cr_assert_not_null(v->run);
			cr_assert(v->max_args < 0 || v->max_args >= v->min_args);
		}
	}
}

/* The bytes a value of this type takes in its struct. */
static size_t value_size(enum opt_type t)
{
	switch (t) {
	case OPT_FLAG:
		return sizeof(bool);
	case OPT_COUNT:
	case OPT_SIZE:
	case OPT_LEVEL:
		return sizeof(uint64_t);
	case OPT_DURATION:
	case OPT_INTEGER:
		return sizeof(int64_t);
	case OPT_MODE:
		return sizeof(mode_t);
	case OPT_PATH:
	case OPT_STRING:
		return sizeof(const char *);
	case OPT_CHOICE:
		return sizeof(int);
	case OPT_LIST:
		return sizeof(struct opt_list);
	}
	return 0;
}

static bool in_scope(const struct opt_scope *scope, const struct opt_def *d)
{
	for (size_t i = 0; scope && scope->defs[i]; i++)
		if (scope->defs[i] == d)
			return true;
	return false;
}

/* A scope's definitions are complete and write inside its struct. */
static void check_scope(const char *who, const struct opt_scope *scope)
{
	if (!scope)
		return;
	cr_assert(scope->size > 0 && scope->size <= OPT_LOCAL_MAX, "%s: options struct of %zu bytes", who, scope->size);
	for (size_t i = 0; scope->defs[i]; i++) {
		const struct opt_def *d = scope->defs[i];
		cr_assert(d->name && *d->name && d->help && *d->help, "%s: an option without name or help", who);
		cr_assert(d->type == OPT_FLAG || d->arg, "%s: --%s needs a metavariable", who, d->name);
		cr_assert(d->type != OPT_CHOICE || d->choices, "%s: --%s has no words", who, d->name);
		cr_assert(!d->prefixes || d->type == OPT_STRING, "%s: --%s: prefixes are for strings", who, d->name);
		cr_assert(d->offset + value_size(d->type) <= scope->size, "%s: --%s writes past its struct", who,
			  d->name);
		cr_assert(d->given == 0 || d->given - 1 + sizeof(bool) <= scope->size, "%s: --%s given past its struct",
			  who, d->name);
		for (size_t j = i + 1; scope->defs[j]; j++)
			cr_assert_neq(d, scope->defs[j], "%s: --%s listed twice", who, d->name);
	}
}

/* A verb's options: each one known; a local one from its owner's scope
 * (no verb reads another mechanism's options); and, with --help, every
 * long name and every short name once. */
static void check_verb_options(const char *who, const struct verb *v, const struct opt_scope *scope)
{
	const struct opt_def *seen[64];
	size_t n = 0;
	seen[n++] = opt_common(OP_HELP);
	verb_opt_for_each (vo, v->opts) {
		const struct opt_def *d = verb_opt_def(vo);
		cr_assert_not_null(d, "%s %s: unknown option", who, v->name);
		cr_assert(vo->def == NULL || vo->id == OP_END, "%s %s: an entry with both an id and a definition", who,
			  v->name);
		if (vo->def)
			cr_assert(in_scope(scope, vo->def), "%s %s: --%s is not in its scope", who, v->name, d->name);
		cr_assert(verb_opt_help(vo) && *verb_opt_help(vo));
		cr_assert_lt(n, 64);
		for (size_t i = 0; i < n; i++) {
			cr_assert_str_neq(seen[i]->name, d->name, "%s %s: two options named --%s", who, v->name,
					  d->name);
			cr_assert(!d->short_name || seen[i]->short_name != d->short_name, "%s %s: -%c is --%s and --%s",
				  who, v->name, d->short_name, seen[i]->name, d->name);
		}
		seen[n++] = d;
	}
}

Test(tables, options_have_one_meaning_per_verb)
{
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mechanism *m = mechanisms[i];
		check_scope(m->name, m->opt_scope);
		for (const struct verb *v = m->verbs; v->name; v++) {
			cr_assert_null(v->opt_scope, "%s %s: a mechanism's verbs use its scope", m->name, v->name);
			check_verb_options(m->name, v, m->opt_scope);
		}
	}
	for (const struct verb *v = commands; v->name; v++) {
		if (!v->opts)
			continue; /* __complete takes the words as they are */
		check_scope(v->name, v->opt_scope);
		check_verb_options("ipcdemo", v, v->opt_scope);
	}
}

Test(tables, the_message_queues_have_their_verbs)
{
	/* The interface the queue issue fixed: scripts rely on these names. */
	static const char *const mq[] = { "send", "receive", "produce", "consume", "create", "info", "unlink", "demo" };
	static const char *const sysv[] = { "send", "receive", "produce", "consume", "create", "info", "rm", "demo" };
	static const char *const shm[] = { "produce", "consume", "create", "info", "unlink", "demo" };
	for (size_t i = 0; i < sizeof(mq) / sizeof(*mq); i++)
		cr_assert_not_null(verb_find(mechanism_find("mq"), mq[i]), "mq %s", mq[i]);
	for (size_t i = 0; i < sizeof(sysv) / sizeof(*sysv); i++)
		cr_assert_not_null(verb_find(mechanism_find("sysv"), sysv[i]), "sysv %s", sysv[i]);
	for (size_t i = 0; i < sizeof(shm) / sizeof(*shm); i++)
		cr_assert_not_null(verb_find(mechanism_find("shm"), shm[i]), "shm %s", shm[i]);
}

Test(tables, top_level_commands)
{
	cr_assert_not_null(command_find("ls"));
	cr_assert_not_null(command_find("clean"));
	cr_assert_null(command_find("l"));
	for (const struct verb *v = commands; v->name; v++) {
		cr_assert_null(mechanism_find(v->name), "%s is both a command and a mechanism", v->name);
		cr_assert(v->summary && *v->summary && v->run && v->usage);
	}
}

/* ---- what a registered mechanism brings besides its table entry ---- */

/* The candidates the completer prints for words[0..n-1], with a newline
 * in front so that "\nNAME\t" finds a candidate at any line. */
static char *candidates(int n, char **words)
{
	fflush(stdout);
	FILE *tmp = tmpfile();
	cr_assert_not_null(tmp);
	int saved = dup(STDOUT_FILENO);
	cr_assert(saved >= 0);
	cr_assert(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	complete_words(commands, n, words);
	fflush(stdout);
	cr_assert(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	off_t len = lseek(fileno(tmp), 0, SEEK_END);
	cr_assert(len >= 0);
	char *buf = calloc(1, (size_t)len + 2);
	cr_assert_not_null(buf);
	buf[0] = '\n';
	cr_assert_eq(pread(fileno(tmp), buf + 1, (size_t)len, 0), len);
	fclose(tmp);
	return buf;
}

static bool offers(const char *out, const char *word)
{
	char line[64];
	snprintf(line, sizeof(line), "\n%s\t", word);
	return strstr(out, line) != NULL;
}

Test(registered, has_its_man_page)
{
	/* The source tree, given by meson (tests/unit/meson.build). */
	const char *root = getenv("IPCDEMO_SOURCE_ROOT");
	cr_assert_not_null(root, "IPCDEMO_SOURCE_ROOT is not set");
	for (size_t i = 0; mechanisms[i]; i++) {
		char page[4096];
		snprintf(page, sizeof(page), "%s/man/ipcdemo-%s.1", root, mechanisms[i]->name);
		cr_assert_eq(access(page, R_OK), 0, "%s: no manual page man/ipcdemo-%s.1", mechanisms[i]->name,
			     mechanisms[i]->name);
	}
}

Test(registered, is_completed_with_its_verbs)
{
	char *first[] = { "" };
	char *out = candidates(1, first);
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mechanism *m = mechanisms[i];
		cr_assert(offers(out, m->name), "the completer does not offer %s", m->name);
		char *second[] = { (char *)m->name, "" };
		char *verbs = candidates(2, second);
		for (const struct verb *v = m->verbs; v->name; v++)
			cr_assert(offers(verbs, v->name), "the completer does not offer %s %s", m->name, v->name);
		free(verbs);
	}
	for (const struct verb *c = commands; c->name; c++)
		cr_assert(offers(out, c->name) != verb_hidden(c), "the completer %s the command %s",
			  verb_hidden(c) ? "offers" : "does not offer", c->name);
	free(out);
}

Test(registered, is_benchmarked_or_says_why_not)
{
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mechanism *m = mechanisms[i];
		cr_assert(m->bench || (m->not_benchmarked && *m->not_benchmarked),
			  "%s has neither bench hooks nor a reason in not_benchmarked", m->name);
	}
}

/* Every option of every verb: offered after a '-', with its short form,
 * until it is given; then no more, but for a repeatable one. */
Test(registered, options_are_offered_until_given)
{
	char name[48], shortname[4], dash[] = "-", value[] = "x";
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mechanism *m = mechanisms[i];
		for (const struct verb *v = m->verbs; v->name; v++) {
			char *before[] = { (char *)m->name, (char *)v->name, dash };
			char *all = candidates(3, before);
			verb_opt_for_each (vo, v->opts) {
				const struct opt_def *d = verb_opt_def(vo);
				snprintf(name, sizeof(name), "--%s", d->name);
				snprintf(shortname, sizeof(shortname), "-%c", d->short_name);
				cr_assert(offers(all, name), "%s %s: %s is not offered", m->name, v->name, name);
				cr_assert(!d->short_name || offers(all, shortname), "%s %s: %s is not offered", m->name,
					  v->name, shortname);
				char *given[] = { (char *)m->name, (char *)v->name, name, value, dash };
				if (d->type == OPT_FLAG)
					given[3] = dash;
				char *out = candidates(d->type == OPT_FLAG ? 4 : 5, given);
				bool again = d->type == OPT_LIST && d->max != 1;
				cr_assert(offers(out, name) == again, "%s %s %s: %s is %s", m->name, v->name, name,
					  name, again ? "not offered again" : "offered again");
				cr_assert(!d->short_name || offers(out, shortname) == again, "%s %s %s: %s is %s",
					  m->name, v->name, name, shortname,
					  again ? "not offered again" : "offered again");
				free(out);
			}
			free(all);
		}
	}
}
