/* SPDX-License-Identifier: MIT */
/* The 'demo' verbs: start a producer and a consumer as child processes,
 * running the very same verbs a user runs, and print their interleaved,
 * labelled output. */
#ifndef IPCDEMO_DEMO_H
#define IPCDEMO_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "ipcdemo/mechanism.h"

struct demo_role {
	const char *label;       /* "producer", "consumer" */
	const char *verb;        /* a verb of the same mechanism */
	const char *const *args; /* its arguments, NULL-terminated */
	int64_t delay_ns;        /* wait this long after the previous role started */
	bool upstream;           /* a producer: see demo_run */
};

/* Run the roles. When several have output ready, upstream roles are
 * drained first: a producer echoes a message only once the channel has
 * taken it, so a consumer may already have printed it by then; draining
 * the producer first keeps its lines before the consumer's whenever both
 * are ready at once (a consumer that is quicker still comes first).
 * Returns EXIT_OK when every role exited 0, else the first
 * failing status. */
int demo_run(struct ctx *ctx, const struct demo_role *roles, int n);

/* Run the roles one after the other, each to its end (a demo whose
 * output must not depend on timing). Stops at the first failure. */
int demo_run_each(struct ctx *ctx, const struct demo_role *roles, int n);

/* Where a demo's object lives: --path if given, else NAME in a new private
 * temporary directory that demo_place_remove takes away again. */
struct demo_place {
	char dir[4096];
	char path[4200];
	const char *name;
	bool tmp;
};
const char *demo_place(struct ctx *ctx, struct demo_place *pl, const char *name);
void demo_place_remove(struct ctx *ctx, struct demo_place *pl);

#endif
