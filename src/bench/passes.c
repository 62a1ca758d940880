/* SPDX-License-Identifier: MIT */
/* A table measured in passes (bench --repeat R > 1): the plan of every
 * cell, then R passes over them all, each cell run once a pass, a row's
 * cell next to its floor's; the lines printed at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ipcdemo/bench.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"

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
	snprintf(what, len, "%s %s %s %s, %s", c->r.name, sl, bench_place_names[t->places[c->p]],
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
		bench_place_cpus(t->b, t->places[c->p], &a, &z);
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
			progress_done(t->b->progress, bench_cell_plan(t, &c->r, c->size, t->places[c->p]));
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
	const char *place = bench_place_names[t->places[c->p]];
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

/* The row index of the floor of row k among the rows selected, or
 * BENCH_NO_FLOOR. */
static size_t floor_row(const struct table *t, size_t k)
{
	size_t j = bench_row_of_word(bench_row_floor(k));
	return j != BENCH_NO_FLOOR && t->sel[j] ? j : BENCH_NO_FLOOR;
}

/* The pass order of the n cells of pc (bench_pass_order); order[i] = i
 * when there is no memory for it. */
static void pass_order(const struct table *t, const struct pcell *pc, const size_t *rowk, size_t n, size_t *order)
{
	size_t *a = calloc(2 * (n ? n : 1), sizeof(*a));
	int *place = calloc(n ? n : 1, sizeof(*place));
	if (!a || !place) {
		for (size_t i = 0; i < n; i++)
			order[i] = i;
	} else {
		size_t *floor = a, *size = a + n;
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
void bench_run_passes(struct table *t, const size_t *sizes, int nsizes)
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
		bench_run_table(t, sizes, nsizes);
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
