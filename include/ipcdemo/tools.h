/* SPDX-License-Identifier: MIT */
/* The top-level commands ('ipcdemo ls', 'clean', 'bench', 'list'): their
 * runners, option lists and completion hooks, for the table in dispatch.c. */
#ifndef IPCDEMO_TOOLS_H
#define IPCDEMO_TOOLS_H

#include "ipcdemo/mechanism.h"

/* ---- Their own options (src/bench/options.c, objects.c) ---- */
enum cpu_place { CPU_BOTH, CPU_SAME, CPU_SPLIT, CPU_ANY };

struct bench_opts {
	const char *sizes; /* --size LIST */
	int64_t duration;  /* ns */
	int cpu;           /* enum cpu_place */
	uint64_t repeat;
	bool hist;           /* --hist */
	const char *samples; /* --samples FILE */
	struct {
		bool duration;
	} given;
};
extern const struct opt_def bench_opt_size, bench_opt_duration, bench_opt_cpu, bench_opt_repeat, bench_opt_hist,
	bench_opt_samples;
extern const struct opt_scope bench_opt_scope;
/* The options of 'ipcdemo bench' (ctx->mopt when it runs). */
static inline const struct bench_opts *bench_opts_of(const struct ctx *ctx)
{
	return ctx->mopt;
}

struct clean_opts {
	bool dry_run;
};
extern const struct opt_def clean_opt_dry_run;
extern const struct opt_scope clean_opt_scope;
/* The options of 'ipcdemo clean' (ctx->mopt when it runs). */
static inline const struct clean_opts *clean_opts_of(const struct ctx *ctx)
{
	return ctx->mopt;
}

struct ls_opts {
	const char *output; /* -o LIST */
	bool raw;
	bool noheadings;
};
extern const struct opt_scope ls_opt_scope;
/* ls's arguments: the type words, then files. */
void ls_complete(const struct verb *v, const char *cur);
/* ls --help: the type words and the columns. */
void ls_help_args(FILE *fp, const struct verb *v);

int ls_run(struct ctx *ctx);
int clean_run(struct ctx *ctx);
int bench_run(struct ctx *ctx);
int list_run(struct ctx *ctx);
extern const struct verb_opt ls_opts[];
extern const struct verb_opt clean_opts[];
extern const struct verb_opt bench_opts[];
extern const struct verb_opt list_opts[];
/* bench's arguments: its rows and the words for groups. */
void bench_complete(const struct verb *v, const char *cur);
/* bench --help: the words that select its rows. */
void bench_help_args(FILE *fp, const struct verb *v);

#endif
