/* SPDX-License-Identifier: MIT */
/* The options of 'ipcdemo bench' (tools.h); its entry in the table of
 * commands (dispatch.c) points at the scope. */
#include <stddef.h>

#include "ipcdemo/tools.h"

static const char *const cpu_choices[] = { "both", "same", "split", "any", NULL };

#define AT(member) .offset = offsetof(struct bench_opts, member)

/* --size is a list here, never the common --size BYTES: bench does not
 * take that one. */
const struct opt_def bench_opt_size = {
	.name = "size",
	.type = OPT_STRING,
	.arg = "LIST",
	.help = "message sizes, comma-separated (k, M)",
	AT(sizes),
};
const struct opt_def bench_opt_duration = {
	.name = "duration",
	.type = OPT_DURATION,
	.arg = "DURATION",
	.help = "how long to measure each cell",
	.min = 1,
	.max = OPT_DURATION_MAX,
	AT(duration),
	.given = OPT_GIVEN(struct bench_opts, given.duration),
};
const struct opt_def bench_opt_cpu = {
	.name = "cpu",
	.type = OPT_CHOICE,
	.arg = "PLACE",
	.help = "both processes on one CPU (same), on two (split), where the scheduler likes (any), or both",
	.choices = cpu_choices,
	AT(cpu),
};
const struct opt_def bench_opt_repeat = {
	.name = "repeat",
	.type = OPT_COUNT,
	.arg = "R",
	.help = "run each cell R times, in R passes over all the cells; report the median (latency: of all round "
		"trips) and the spread",
	.min = 1,
	.max = 100,
	AT(repeat),
};
const struct opt_def bench_opt_hist = {
	.name = "hist",
	.type = OPT_FLAG,
	.help = "draw each round-trip row's distribution",
	AT(hist),
};
const struct opt_def bench_opt_samples = {
	.name = "samples",
	.type = OPT_PATH,
	.arg = "FILE",
	.help = "write every round trip to FILE as CSV",
	AT(samples),
};

static const struct opt_def *const bench_opt_defs[] = {
	&bench_opt_size, &bench_opt_duration, &bench_opt_cpu, &bench_opt_repeat,
	&bench_opt_hist, &bench_opt_samples,  NULL,
};

static void bench_opts_init(void *mopt)
{
	struct bench_opts *o = mopt;
	o->cpu = CPU_BOTH;
	o->repeat = 1;
}

const struct opt_scope bench_opt_scope = {
	.defs = bench_opt_defs,
	.size = sizeof(struct bench_opts),
	.init = bench_opts_init,
};
