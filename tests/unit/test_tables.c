/* SPDX-License-Identifier: MIT */
/* The mechanism and verb tables are the single source of truth: check
 * that they are complete and consistent. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
			for (const struct verb_opt *o = v->opts; o->id != OP_END; o++) {
				cr_assert_not_null(opt_def_get(o->id), "%s %s: unknown option id", m->name, v->name);
				for (const struct verb_opt *p = o + 1; p->id != OP_END; p++)
					cr_assert_neq(o->id, p->id, "%s %s: --%s listed twice", m->name, v->name,
						      opt_def_get(o->id)->name);
			}
		}
	}
}

/* --type means a socket type to some verbs and a System V message type to
 * others; no verb may take both, or the parser could not tell them apart. */
static bool takes(const struct verb *v, enum opt_id id)
{
	for (const struct verb_opt *o = v->opts; o->id != OP_END; o++)
		if (o->id == id)
			return true;
	return false;
}

Test(tables, one_meaning_of_each_option_name_per_verb)
{
	for (size_t i = 0; mechanisms[i]; i++)
		for (const struct verb *v = mechanisms[i]->verbs; v->name; v++)
			cr_assert(!(takes(v, OP_TYPE) && takes(v, OP_MTYPE)), "%s %s takes both --type options",
				  mechanisms[i]->name, v->name);
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
