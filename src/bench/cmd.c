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

static const char *const place_names[] = { "both", "same", "split", "any" };

static void place_cpus(const struct bench *b, int place, int *a, int *c)
{
	*a = *c = -1;
	if (place == CPU_SAME) {
		*a = *c = b->cpus[0];
	} else if (place == CPU_SPLIT) {
		*a = b->cpus[0];
		*c = b->cpus[1];
	}
}

/* One of the two tables: every selected row, size and placement. */
struct table {
	struct bench *b;
	struct out *o;
	const bool *sel;
	const int *places;
	int nplaces;
	bool progress;
	bool lat;
};

/* A row's line of one size: why it is not measured, or what was lost. */
struct line_note {
	char why[200];
	char lost[96];
};

/* Measure and print one cell. */
static void table_cell(struct table *t, const struct brow *r, size_t size, const char *sl, int p,
		       struct line_note *note)
{
	struct ctx *ctx = t->b->ctx;
	const char *place = place_names[t->places[p]];
	struct cell c;
	struct lcell lc;
	int a = -1, z = -1;
	place_cpus(t->b, t->places[p], &a, &z);
	if (t->progress) {
		fprintf(stderr, "\r%s %s %s %s ...\033[K", r->name, sl, place, t->lat ? "round trips" : "throughput");
		fflush(stderr);
	}
	memset(&c, 0, sizeof(c));
	memset(&lc, 0, sizeof(lc));
	if (t->places[p] == CPU_SPLIT && t->b->ncpu < 2)
		snprintf(t->lat ? lc.why : c.why, sizeof(c.why), "one CPU only");
	else if (t->lat)
		latency(t->b, r, size, a, z, &lc);
	else
		measure(t->b, r, size, a, z, &c);
	if (t->progress)
		fprintf(stderr, "\r\033[K");
	if (stop_requested())
		return; /* an interrupted cell is no result */
	bool good = t->lat ? lc.available && lc.ok : c.available && c.ok;
	if (ctx->opt.json && t->lat)
		print_lcell_json(t->o, r, size, place, &lc);
	else if (ctx->opt.json)
		print_cell_json(t->o, r, size, place, &c);
	else if (t->lat)
		print_lcell_text(&lc);
	else
		print_cell_text(&c);
	if (t->lat)
		hist_draw_cell(t->b, place, &lc);
	if (!good && !note->why[0])
		snprintf(note->why, sizeof(note->why), "%s", t->lat ? lc.why : c.why);
	if (!t->lat && r->hooks->lossy && good) {
		size_t l = strlen(note->lost);
		snprintf(note->lost + l, sizeof(note->lost) - l, "%s%s %.0f%%", l ? ", " : "lost: ", place,
			 c.lost * 100);
	}
}

static void run_table(struct table *t, const size_t *sizes, int nsizes)
{
	struct ctx *ctx = t->b->ctx;
	struct brow r;
	for (size_t i = 0; brow_at(i, &r) && !stop_requested() && !ctx->out_errno; i++) {
		if (!t->sel[i])
			continue;
		for (int s = 0; s < nsizes && !stop_requested(); s++) {
			struct line_note note = { .why = "", .lost = "" };
			char sl[24];
			size_label(sl, sizeof(sl), sizes[s]);
			if (!ctx->opt.json)
				printf("%-15s %-7s", r.name, sl);
			for (int p = 0; p < t->nplaces && !stop_requested(); p++)
				table_cell(t, &r, sizes[s], sl, p, &note);
			if (!ctx->opt.json) {
				if (note.why[0] || note.lost[0])
					printf(t->lat ? "(%s)" : "  (%s)", note.why[0] ? note.why : note.lost);
				printf("\n");
			}
			if (t->lat)
				hist_draw_row(t->b);
			ctx_stdout_error(ctx, flush_stdout());
		}
	}
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

/* Both tables with their headings, then the sources. */
static void run_all(struct bench *b, struct table *t, const size_t *sizes, int nsizes)
{
	struct ctx *ctx = b->ctx;
	/* Round trips: of each --size given, by default of 64 bytes only. */
	size_t lsizes[16];
	int nl = 0;
	if (bench_opts_of(ctx)->sizes)
		for (int i = 0; i < nsizes; i++)
			lsizes[nl++] = sizes[i];
	else
		lsizes[nl++] = 64;
	if (!ctx->opt.json) {
		printf("Round-trip latency: one process sends a message, the other sends it back; after up\n"
		       "to 200 warm-up round trips, the mean, the percentiles and the maximum, in microseconds.\n"
		       "%d CPU%s: same = both processes pinned to one, split = to two.\n\n",
		       b->ncpu, b->ncpu == 1 ? "" : "s");
		table_header(place_names, t->places, t->nplaces, true);
	}
	t->lat = true;
	run_table(t, lsizes, nl);
	if (!stop_requested())
		hist_draw_single(b);
	if (!ctx->opt.json && !stop_requested() && !ctx->out_errno) {
		printf("\nOne-way throughput: the producer and consumer verbs in two processes, timed at the\n"
		       "consumer from the first message to the last. MB = 10^6 bytes; msg/s; CPU = microseconds\n"
		       "of user + system time per message, sender/receiver. %d CPU%s%s; * = spread over %d%%.\n\n",
		       b->ncpu, b->ncpu == 1 ? "" : "s", b->ncpu < 2 ? " (split: n/a)" : "", (int)(SPREAD_WIDE * 100));
		table_header(place_names, t->places, t->nplaces, false);
	}
	t->lat = false;
	if (!stop_requested())
		run_table(t, sizes, nsizes);
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
	struct table t = { .b = &b,
			   .o = &o,
			   .sel = sel,
			   .places = places,
			   .nplaces = nplaces,
			   .progress = isatty(STDERR_FILENO) && !ctx->opt.quiet,
			   .lat = true };
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
	{ .def = &bench_opt_repeat },
	{ .def = &bench_opt_hist, .help = "draw each latency cell's distribution; bars for a single cell" },
	{ .def = &bench_opt_samples, .help = "write every round trip to FILE as CSV (row,size,cpu,run,index,ns)" },
	{ .id = OP_JSON, .help = "one JSON object per cell" },
	{ .id = OP_QUIET, .help = "no progress on stderr" },
	OPT_LIST_END,
};
