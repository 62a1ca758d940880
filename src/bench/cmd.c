/* SPDX-License-Identifier: MIT */
/* ipcdemo bench: latency and throughput of every mechanism, measured by
 * running the very producer and consumer verbs a user runs, in two
 * processes placed on one CPU or on two. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "ipcdemo/output.h"
#include "ipcdemo/tools.h"
#include "ipcdemo/util.h"

static int parse_sizes(struct ctx *ctx, size_t *out, int max, int *n)
{
	const char *s = bench_opts_of(ctx)->sizes ? bench_opts_of(ctx)->sizes : "64,4k,64k";
	char why[128];
	if (bench_parse_sizes(s, out, max, n, why, sizeof(why)) < 0)
		return msg_usage(ctx->prog, "invalid value '%s' for --size: %s", s, why);
	return 0;
}

/* The CPUs this process may use: the pinned placements take the first two. */
static void find_cpus(struct bench *b)
{
	cpu_set_t set;
	b->cpus[0] = b->cpus[1] = -1;
	b->ncpu = 0;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	for (int i = 0; i < CPU_SETSIZE && b->ncpu < 2; i++)
		if (CPU_ISSET(i, &set))
			b->cpus[b->ncpu++] = i;
	b->ncpu = CPU_COUNT(&set);
}

static void plan_table(const struct table *t, const size_t *sizes, int nsizes, unsigned *n, double *secs)
{
	struct brow r;
	for (size_t i = 0; brow_at(i, &r); i++) {
		if (!t->sel[i])
			continue;
		for (int s = 0; s < nsizes; s++) {
			for (int p = 0; p < t->nplaces; p++) {
				++*n;
				*secs += bench_cell_plan(t, &r, sizes[s], t->places[p]);
			}
		}
	}
}

/* The widths of the rows' names and of the sizes' labels. */
static void label_widths(const struct table *t, const size_t *sizes, int nsizes, int *name_w, int *size_w)
{
	struct brow r;
	char sl[24];
	*name_w = (int)strlen("mechanism");
	*size_w = (int)strlen("size");
	for (size_t i = 0; brow_at(i, &r); i++)
		if (t->sel[i] && (int)strlen(r.name) > *name_w)
			*name_w = (int)strlen(r.name);
	for (int s = 0; s < nsizes; s++) {
		size_label(sl, sizeof(sl), sizes[s]);
		if ((int)strlen(sl) > *size_w)
			*size_w = (int)strlen(sl);
	}
}

/* A table's title, wrapped to the width (at most 80 columns), a blank
 * line, and its header. */
static void table_title(struct table *t, const char *text)
{
	int w = t->layout.width < 80 ? t->layout.width : 80;
	wrap_print(stdout, text, 0, 0, w);
	printf("\n");
	table_header(&t->layout);
	ctx_stdout_error(t->b->ctx, flush_stdout());
	progress_after_output(t->b->progress);
}

/* The placements --cpu asks for. */
static int placements(const struct ctx *ctx, int places[3])
{
	int n = 0;
	int want = bench_opts_of(ctx)->cpu;
	if (want == CPU_BOTH || want == CPU_SAME)
		places[n++] = CPU_SAME;
	if (want == CPU_BOTH || want == CPU_SPLIT)
		places[n++] = CPU_SPLIT;
	if (want == CPU_ANY)
		places[n++] = CPU_ANY;
	return n;
}

/* What the progress counts (every cell, and the sources) and the widths
 * of the tables' labels. */
static void plan_all(struct bench *b, struct table *t, const size_t *lsizes, int nl, const size_t *sizes, int nsizes)
{
	struct ctx *ctx = b->ctx;
	unsigned ncells = 0;
	double secs = 0;
	t->lat = true;
	plan_table(t, lsizes, nl, &ncells, &secs);
	t->lat = false;
	plan_table(t, sizes, nsizes, &ncells, &secs);
	if (ctx->argc == 0) {
		ncells += SOURCES;
		secs += SOURCES * (b->count ? 1 : (double)b->duration / 1e9);
	}
	progress_init(b->progress, b->progress->on, ncells, secs, !b->count);

	int name_w, size_w, lw;
	label_widths(t, sizes, nsizes, &name_w, &size_w);
	label_widths(t, lsizes, nl, &name_w, &lw);
	size_w = lw > size_w ? lw : size_w;
	t->layout = (struct layout){ .lat = true,
				     .stacked = false,
				     .width = term_width(STDOUT_FILENO),
				     .name_w = name_w,
				     .size_w = size_w,
				     .place_w = 0,
				     .cols = NULL,
				     .ncols = 0,
				     .places = t->places,
				     .nplaces = t->nplaces,
				     .place_names = bench_place_names,
				     .lossy = false };
}

/* Both tables with their headings, then the sources. */
static void run_all(struct bench *b, struct table *t, const size_t *sizes, int nsizes)
{
	struct ctx *ctx = b->ctx;
	char text[600];
	/* Round trips: of each --size given, by default of 64 bytes only. */
	size_t lsizes[16];
	int nl = 0;
	if (bench_opts_of(ctx)->sizes)
		for (int i = 0; i < nsizes; i++)
			lsizes[nl++] = sizes[i];
	else
		lsizes[nl++] = 64;

	plan_all(b, t, lsizes, nl, sizes, nsizes);
	t->lat = true;
	layout_choose(&t->layout);
	if (!ctx->opt.json) {
		snprintf(text, sizeof(text),
			 "Round-trip latency: one process sends a message, the other sends it back; after up "
			 "to 200 warm-up round trips, the mean, the percentiles and the maximum, in "
			 "microseconds.\n%d CPU%s: same = both processes pinned to one, split = to two.",
			 b->ncpu, b->ncpu == 1 ? "" : "s");
		table_title(t, text);
	}
	if (bench_opts_of(ctx)->repeat > 1)
		bench_run_passes(t, lsizes, nl);
	else
		bench_run_table(t, lsizes, nl);
	if (!stop_requested())
		hist_draw_single(b);
	t->lat = t->layout.lat = false;
	layout_choose(&t->layout);
	if (!ctx->opt.json && !stop_requested() && !ctx->out_errno) {
		char batch[80] = "";
		if (ctx->opt.batch)
			snprintf(batch, sizeof(batch), " (--batch %llu: at most %llu)",
				 (unsigned long long)ctx->opt.batch, (unsigned long long)ctx->opt.batch);
		snprintf(text, sizeof(text),
			 "One-way throughput: the producer and consumer verbs in two processes, timed at the "
			 "consumer from the first message to the last. MB = 10^6 bytes; msg/s; CPU = "
			 "microseconds of user + system time per message, sender/receiver; msg/call = messages "
			 "per write of the sender / per read of the receiver%s.\n%d CPU%s%s; * = spread over %d%%.",
			 batch, b->ncpu, b->ncpu == 1 ? "" : "s", b->ncpu < 2 ? " (split: n/a)" : "",
			 (int)(SPREAD_WIDE * 100));
		printf("\n");
		table_title(t, text);
	}
	if (!stop_requested() && bench_opts_of(ctx)->repeat > 1)
		bench_run_passes(t, sizes, nsizes);
	else if (!stop_requested())
		bench_run_table(t, sizes, nsizes);
	if (ctx->argc == 0 && !stop_requested() && !ctx->out_errno)
		run_sources(b, t->o);
}

int bench_run(struct ctx *ctx)
{
	struct bench b;
	size_t sizes[16];
	int nsizes;
	bool sel[MAX_ROWS];
	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	int rc = parse_sizes(ctx, sizes, (int)ARRAY_SIZE(sizes), &nsizes);
	if (rc)
		return rc;
	rc = select_rows(ctx, sel, ARRAY_SIZE(sel));
	if (rc)
		return rc;
	b.duration = bench_opts_of(ctx)->given.duration ? bench_opts_of(ctx)->duration : DEFAULT_DURATION;
	b.count = ctx->opt.given[OP_COUNT] ? ctx->opt.count : 0;
	if (b.count && b.count < 2)
		return msg_usage(ctx->prog, "invalid value for --count: at least 2 messages per run");
	find_cpus(&b);
	rc = latency_setup(&b);
	if (rc)
		return rc;

	int places[3];
	int nplaces = placements(ctx, places);
	tmp_template(b.dir, sizeof(b.dir), "ipcdemo-bench");
	if (!mkdtemp(b.dir)) {
		msg_syserr(ctx->prog, "mkdtemp %s", b.dir);
		latency_teardown(&b);
		return EXIT_FAIL;
	}
	struct out o;
	out_init(&o, stdout, ctx->opt.json);
	struct progress prog;
	progress_init(&prog, isatty(STDERR_FILENO) && !ctx->opt.quiet, 0, 0, false);
	b.progress = &prog;
	struct table t = { .b = &b, .o = &o, .sel = sel, .places = places, .nplaces = nplaces, .lat = true };
	run_all(&b, &t, sizes, nsizes);
	latency_teardown(&b);
	rmdir(b.dir);
	return EXIT_OK;
}

const struct verb_opt bench_opts[] = {
	{ .def = &bench_opt_size,
	  .help = "message sizes, comma-separated (default: 64 for round trips, 64,4k,64k for throughput)" },
	{ .def = &bench_opt_cpu, .help = "both (default): same and split side by side; same, split or any alone" },
	{ .def = &bench_opt_duration, .help = "measure each cell for about DURATION (default: 250ms)" },
	{ .id = OP_COUNT, .help = "messages per run instead of --duration" },
	{ .id = OP_BATCH,
	  .help = "at most N messages per system call on each side of the throughput rows (1: as the references)" },
	{ .def = &bench_opt_repeat },
	{ .def = &bench_opt_hist, .help = "draw each latency cell's distribution; bars for a single cell" },
	{ .def = &bench_opt_samples, .help = "write every round trip to FILE as CSV (row,size,cpu,run,index,ns)" },
	{ .id = OP_JSON, .help = "one JSON object per cell" },
	{ .id = OP_QUIET, .help = "no progress on stderr" },
	OPT_LIST_END,
};
