/* SPDX-License-Identifier: MIT */
/* ipcdemo list: the mechanisms and their verbs, in text or JSON Lines. */
#include <stdio.h>

#include "ipcdemo/output.h"
#include "ipcdemo/tools.h"
#include "ipcdemo/util.h"

const struct verb_opt list_opts[] = {
	{ .id = OP_JSON, .help = "one JSON object per mechanism" },
	{ .id = OP_END },
};

int list_run(struct ctx *ctx)
{
	struct out o;
	out_init(&o, stdout, ctx->opt.json);
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
