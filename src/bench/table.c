/* SPDX-License-Identifier: MIT */
/* The tables measured a cell at a time (each cell with all its runs), and
 * what the passes of passes.c share with them: the placements and a
 * cell's planned time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"

const char *const bench_place_names[] = { "both", "same", "split", "any" };

void bench_place_cpus(const struct bench *b, int place, int *a, int *c)
{
	*a = *c = -1;
	if (place == CPU_SAME) {
		*a = *c = b->cpus[0];
	} else if (place == CPU_SPLIT) {
		*a = b->cpus[0];
		*c = b->cpus[1];
	}
}

/* The planned duration of a cell in seconds (with --count, one unit a
 * run); 0 for a cell that is n/a before it starts. */
double bench_cell_plan(const struct table *t, const struct brow *r, size_t size, int place)
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
	const char *place = bench_place_names[t->places[p]];
	char what[160];
	int a = -1, z = -1;
	bench_place_cpus(t->b, t->places[p], &a, &z);
	snprintf(what, sizeof(what), "%s %s %s %s", r->name, sl, place, t->lat ? "round trips" : "throughput");
	progress_show(t->b->progress, what);
	memset(tc, 0, sizeof(*tc));
	if (t->places[p] == CPU_SPLIT && t->b->ncpu < 2)
		snprintf(t->lat ? tc->l.why : tc->t.why, sizeof(tc->t.why), "one CPU only");
	else if (t->lat)
		latency(t->b, r, size, a, z, &tc->l);
	else
		measure(t->b, r, size, a, z, &tc->t);
	progress_done(t->b->progress, bench_cell_plan(t, r, size, t->places[p]));
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

void bench_run_table(struct table *t, const size_t *sizes, int nsizes)
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
