/* SPDX-License-Identifier: MIT */
/* The 'ls' and 'clean' hooks of the registry: every kind of object is
 * complete, told apart from the others and listed in a fixed order. */
#include <criterion/criterion.h>
#include <string.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/obj_hooks.h"

Test(objects, every_kind_is_complete_and_distinct)
{
	size_t kinds = 0;
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mech_objects *k = mechanisms[i]->objects;
		if (!k)
			continue;
		kinds++;
		cr_assert(k->type && k->type[0], "%s: no type", mechanisms[i]->name);
		cr_assert(k->plural && k->plural[0], "%s: no plural", mechanisms[i]->name);
		cr_assert(k->scan && k->ours && k->remove, "%s: scan, ours and remove are needed", mechanisms[i]->name);
		cr_assert_leq(strlen(k->type), 6, "%s: type wider than the TYPE column", mechanisms[i]->name);
		for (size_t j = i + 1; mechanisms[j]; j++) {
			const struct mech_objects *o = mechanisms[j]->objects;
			if (!o)
				continue;
			cr_assert_str_neq(k->type, o->type, "type %s twice", k->type);
			cr_assert_neq(k->order, o->order, "%s and %s in the same place", k->type, o->type);
		}
	}
	cr_assert_gt(kinds, 0);
}

Test(objects, ipcdemo_names)
{
	cr_assert(obj_ipcdemo_name("ipcdemo"));
	cr_assert(obj_ipcdemo_name("ipcdemo-"));
	cr_assert(obj_ipcdemo_name("ipcdemo-t42"));
	cr_assert_not(obj_ipcdemo_name("ipcdemo2"));
	cr_assert_not(obj_ipcdemo_name("ipcdem"));
	cr_assert_not(obj_ipcdemo_name("my-ipcdemo"));
	cr_assert_not(obj_ipcdemo_name(""));
}

/* The option a kind's objects are completed for is one its verbs take. */
Test(objects, completed_option_is_the_mechanisms)
{
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mech_objects *k = mechanisms[i]->objects;
		if (!k || !k->option)
			continue;
		bool found = false;
		for (const struct verb *v = mechanisms[i]->verbs; v->name && !found; v++)
			found = verb_opt_find_long(v->opts, k->option, strlen(k->option)) != NULL;
		cr_assert(found, "%s: no verb takes --%s, the option of its objects", mechanisms[i]->name, k->option);
	}
}
