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
	bool lat;
	struct layout layout;
};

/* The planned duration of a cell in seconds (with --count, one unit a
 * run); 0 for a cell that is n/a before it starts. */
static double cell_plan(const struct table *t, const struct brow *r, size_t size, int place)
{
	char why[200];
	size_t lim = brow_limit(r, why, sizeof(why));
	if ((lim && size > lim) || (place == CPU_SPLIT && t->b->ncpu < 2) || (t->lat && !r->hooks->chan_open))
		return 0;
	double unit = t->b->count ? 1 : (double)t->b->duration / 1e9;
	double runs = (double)bench_opts_of(t->b->ctx)->repeat;
	/* A throughput cell has a pilot run first, and starts two processes
	 * a run: about one run more. */
	return unit * (runs + (t->lat ? 0 : 1));
}

/* Measure one cell (and print it as JSON). */
static void table_cell(struct table *t, const struct brow *r, size_t size, const char *sl, int p, struct tcell *tc)
{
	struct ctx *ctx = t->b->ctx;
	const char *place = place_names[t->places[p]];
	char what[160];
	int a = -1, z = -1;
	place_cpus(t->b, t->places[p], &a, &z);
	snprintf(what, sizeof(what), "%s %s %s %s", r->name, sl, place, t->lat ? "round trips" : "throughput");
	progress_show(t->b->progress, what);
	memset(tc, 0, sizeof(*tc));
	if (t->places[p] == CPU_SPLIT && t->b->ncpu < 2)
		snprintf(t->lat ? tc->l.why : tc->t.why, sizeof(tc->t.why), "one CPU only");
	else if (t->lat)
		latency(t->b, r, size, a, z, &tc->l);
	else
		measure(t->b, r, size, a, z, &tc->t);
	progress_done(t->b->progress, cell_plan(t, r, size, t->places[p]));
	if (stop_requested())
		return; /* an interrupted cell is no result */
	tc->done = true;
	if (t->lat)
		hist_draw_cell(t->b, place, &tc->l);
	if (ctx->opt.json && t->lat)
		print_lcell_json(t->o, r, size, place, &tc->l);
	else if (ctx->opt.json)
		print_cell_json(t->o, r, size, place, &tc->t, ctx->opt.batch);
}

/* The cells of a row and size, then its line (or lines), whole. */
static void table_row(struct table *t, const struct brow *r, size_t size)
{
	struct ctx *ctx = t->b->ctx;
	struct tcell cells[3];
	char sl[24];
	int n = 0;
	size_label(sl, sizeof(sl), size);
	for (int p = 0; p < t->nplaces && !stop_requested(); p++) {
		table_cell(t, r, size, sl, p, &cells[p]);
		if (!cells[p].done)
			break;
		n++;
		if (ctx->opt.json) {
			ctx_stdout_error(ctx, flush_stdout());
			progress_after_output(t->b->progress);
		}
	}
	if (ctx->opt.json)
		return;
	t->layout.lossy = r->hooks->lossy;
	t->layout.cpu_note = r->hooks->cpu_note;
	table_line(&t->layout, r->name, sl, cells, n);
	if (t->lat)
		hist_draw_row(t->b);
	ctx_stdout_error(ctx, flush_stdout());
	progress_after_output(t->b->progress);
}

static void run_table(struct table *t, const size_t *sizes, int nsizes)
{
	struct ctx *ctx = t->b->ctx;
	struct brow r;
	for (size_t i = 0; brow_at(i, &r) && !stop_requested() && !ctx->out_errno; i++) {
		if (!t->sel[i])
			continue;
		for (int s = 0; s < nsizes && !stop_requested() && !ctx->out_errno; s++)
			table_row(t, &r, sizes[s]);
	}
}

/* A cell of a table measured in passes (--repeat R > 1). */
struct pcell {
	struct brow r;
	size_t size;
	int p;
	bool live; /* can be measured, and no run failed */
	struct tcell tc;
	struct tstate st;  /* throughput */
	struct lstate lst; /* latency */
};

static void pcell_what(const struct table *t, const struct pcell *c, const char *stage, char *what, size_t len)
{
	char sl[24];
	size_label(sl, sizeof(sl), c->size);
	snprintf(what, len, "%s %s %s %s, %s", c->r.name, sl, place_names[t->places[c->p]],
		 t->lat ? "round trips" : "throughput", stage);
}

/* Which cells can be measured; a throughput cell's pilot run says for
 * how many messages. */
static void plan_pass(struct table *t, struct pcell *pc, size_t n, double unit)
{
	char what[200];
	for (size_t i = 0; i < n && !stop_requested(); i++) {
		struct pcell *c = &pc[i];
		int a = -1, z = -1;
		place_cpus(t->b, t->places[c->p], &a, &z);
		memset(&c->tc, 0, sizeof(c->tc));
		if (t->places[c->p] == CPU_SPLIT && t->b->ncpu < 2) {
			snprintf(t->lat ? c->tc.l.why : c->tc.t.why, sizeof(c->tc.t.why), "one CPU only");
		} else if (t->lat) {
			c->live = latency_plan(&c->r, c->size, a, z, &c->lst, &c->tc.l);
		} else {
			pcell_what(t, c, "pilot", what, sizeof(what));
			progress_show(t->b->progress, what);
			c->live = measure_plan(t->b, &c->r, c->size, a, z, &c->st, &c->tc.t);
		}
		if (stop_requested())
			return;
		c->tc.done = !c->live; /* n/a, or its pilot failed: said as it is */
		if (!c->live)
			progress_done(t->b->progress, cell_plan(t, &c->r, c->size, t->places[c->p]));
		else if (!t->lat)
			progress_part(t->b->progress, unit);
	}
}

/* Pass k of R: one run of every cell still live, in the pass order. */
static void run_pass(struct table *t, struct pcell *pc, const size_t *order, size_t n, unsigned k, unsigned reps,
		     double unit)
{
	char what[200], stage[32];
	snprintf(stage, sizeof(stage), "run %u of %u", k + 1, reps);
	for (size_t i = 0; i < n && !stop_requested(); i++) {
		struct pcell *c = &pc[order[i]];
		if (!c->live)
			continue;
		pcell_what(t, c, stage, what, sizeof(what));
		progress_show(t->b->progress, what);
		bool ok = t->lat ? latency_run(t->b, &c->lst) : measure_run(t->b, &c->st);
		if (stop_requested()) {
			/* an interrupted run is no result */
			c->st.failed = c->lst.failed = false;
			return;
		}
		if (!ok) {
			c->live = false;
			c->tc.done = true;
			progress_done(t->b->progress, unit * (reps - k));
		} else if (k + 1 == reps) {
			progress_done(t->b->progress, unit);
		} else {
			progress_part(t->b->progress, unit);
		}
	}
}

/* A measured cell of pc as table_cell prints it: JSON, or kept for --hist. */
static void print_pcell(struct table *t, const struct pcell *c, const struct tcell *tc)
{
	struct ctx *ctx = t->b->ctx;
	const char *place = place_names[t->places[c->p]];
	if (t->lat)
		hist_draw_cell(t->b, place, &tc->l);
	if (ctx->opt.json && t->lat)
		print_lcell_json(t->o, &c->r, c->size, place, &tc->l);
	else if (ctx->opt.json)
		print_cell_json(t->o, &c->r, c->size, place, &tc->t, ctx->opt.batch);
}

/* Print the cells of pc that were measured, a row and size at a time, as
 * table_row does. */
static void print_passes(struct table *t, struct pcell *pc, size_t n)
{
	struct ctx *ctx = t->b->ctx;
	for (size_t i = 0; i < n; i += (size_t)t->nplaces) {
		struct tcell cells[3];
		char sl[24];
		int k = 0;
		size_label(sl, sizeof(sl), pc[i].size);
		for (int p = 0; p < t->nplaces && pc[i + (size_t)p].tc.done; p++) {
			cells[k] = pc[i + (size_t)p].tc;
			print_pcell(t, &pc[i + (size_t)p], &cells[k]);
			k++;
		}
		if (!k)
			continue;
		if (!ctx->opt.json) {
			t->layout.lossy = pc[i].r.hooks->lossy;
			t->layout.cpu_note = pc[i].r.hooks->cpu_note;
			table_line(&t->layout, pc[i].r.name, sl, cells, k);
			if (t->lat)
				hist_draw_row(t->b);
		}
		ctx_stdout_error(ctx, flush_stdout());
		progress_after_output(t->b->progress);
	}
}

static void run_table(struct table *t, const size_t *sizes, int nsizes);

/* The row index of the floor of row k among the rows selected, or
 * BENCH_NO_FLOOR. */
static size_t floor_row(const struct table *t, size_t k)
{
	const char *f = bench_row_floor(k), *w;
	for (size_t j = 0; f && (w = bench_row_name(j)) != NULL; j++)
		if (t->sel[j] && bench_row_word(j) && strcmp(bench_row_word(j), f) == 0)
			return j;
	return BENCH_NO_FLOOR;
}

/* The pass order of the n cells of pc (bench_pass_order); order[i] = i
 * when there is no memory for it. */
static void pass_order(const struct table *t, const struct pcell *pc, const size_t *rowk, size_t n, size_t *order)
{
	size_t *a = calloc(3 * (n ? n : 1), sizeof(*a));
	int *place = calloc(n ? n : 1, sizeof(*place));
	if (!a || !place) {
		for (size_t i = 0; i < n; i++)
			order[i] = i;
	} else {
		size_t *floor = a + n, *size = a + 2 * n;
		for (size_t i = 0; i < n; i++) {
			floor[i] = floor_row(t, rowk[i]);
			size[i] = pc[i].size;
			place[i] = pc[i].p;
		}
		bench_pass_order(rowk, floor, size, place, n, order);
	}
	free(a);
	free(place);
}

/* A table with --repeat R > 1: the plan of every cell (a throughput
 * cell's pilot run), then R passes over them all, each cell run once a
 * pass, so that a row and the floor it is set against share the
 * machine's ups and downs (a load that changed between a row and its
 * floor, minutes apart when each cell ran all its runs at once, moved
 * their ratio by a fifth); within a pass the same cell of a row and of
 * its floor run one after the other (bench_pass_order). The lines are
 * printed at the end, each cell with the runs it had when Ctrl-C came. */
static void run_passes(struct table *t, const size_t *sizes, int nsizes)
{
	struct ctx *ctx = t->b->ctx;
	size_t n = 0, i = 0;
	struct brow r;
	for (size_t k = 0; brow_at(k, &r); k++)
		n += t->sel[k] ? (size_t)nsizes * (size_t)t->nplaces : 0;
	struct pcell *pc = calloc(n ? n : 1, sizeof(*pc));
	size_t *rowk = calloc(2 * (n ? n : 1), sizeof(*rowk));
	if (!pc || !rowk) {
		msg_syserr(ctx->prog, "allocate the cells of the table");
		free(pc);
		free(rowk);
		run_table(t, sizes, nsizes);
		return;
	}
	size_t *order = rowk + n;
	for (size_t k = 0; brow_at(k, &r); k++)
		for (int s = 0; t->sel[k] && s < nsizes; s++)
			for (int p = 0; p < t->nplaces; p++) {
				rowk[i] = k;
				pc[i++] = (struct pcell){ .r = r, .size = sizes[s], .p = p, .live = false };
			}
	pass_order(t, pc, rowk, n, order);
	double unit = t->b->count ? 1 : (double)t->b->duration / 1e9;
	unsigned reps = (unsigned)bench_opts_of(ctx)->repeat;
	plan_pass(t, pc, n, unit);
	for (unsigned k = 0; k < reps && !stop_requested(); k++)
		run_pass(t, pc, order, n, k, reps, unit);
	for (i = 0; i < n; i++) {
		bool runs = t->lat ? pc[i].lst.n > 0 : pc[i].st.n > 0;
		if (runs && !pc[i].tc.done) {
			if (t->lat)
				latency_finish(&pc[i].lst);
			else
				measure_finish(&pc[i].st);
			pc[i].tc.done = true;
		}
	}
	print_passes(t, pc, n);
	free(pc);
	free(rowk);
}

/* The cells of a table and their planned durations, added to *n and *secs. */
static void plan_table(const struct table *t, const size_t *sizes, int nsizes, unsigned *n, double *secs)
{
	struct brow r;
	for (size_t i = 0; brow_at(i, &r); i++) {
		if (!t->sel[i])
			continue;
		for (int s = 0; s < nsizes; s++) {
			for (int p = 0; p < t->nplaces; p++) {
				++*n;
				*secs += cell_plan(t, &r, sizes[s], t->places[p]);
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
				     .place_names = place_names,
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
		run_passes(t, lsizes, nl);
	else
		run_table(t, lsizes, nl);
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
		run_passes(t, sizes, nsizes);
	else if (!stop_requested())
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
