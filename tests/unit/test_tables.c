/* SPDX-License-Identifier: MIT */
/* The mechanism and verb tables are the single source of truth: check
 * that they are complete and consistent. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <string.h>

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
