/* SPDX-License-Identifier: MIT */
/* One-way throughput: a row's own producer and consumer verbs in two
 * processes, timed at the consumer from the first message to the last;
 * a pilot run sets the count for about --duration. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ipcdemo/sample.h"
#include "ipcdemo/util.h"

/* What the readiness wait asks the row. */
struct ready_arg {
	const struct brow *row;
	const struct bench_run *run;
};

static bool run_ready(const void *arg)
{
	const struct ready_arg *a = arg;
	return !a->row->hooks->ready || a->row->hooks->ready(a->row->row, a->run);
}

/* Does the verb take --batch? A queue's or a datagram's consumer takes a
 * message a call whatever it is told, and has no such option. */
static bool takes_batch(const struct mechanism *m, const char *verb)
{
	const struct verb *v = verb_find(m, verb);
	for (const struct verb_opt *vo = v ? v->opts : NULL; vo && (vo->id != OP_END || vo->def); vo++)
		if (vo->id == OP_BATCH)
			return true;
	return false;
}

/* bench --batch N: the same to each verb that takes it. */
static void role_batch(struct role *r, const char *batch_s)
{
	if (batch_s && takes_batch(r->mech, r->verb)) {
		role_arg(r, "--batch");
		role_arg(r, batch_s);
	}
}

/* The verbs' arguments: the mechanism's, then the messages to move. */
static void run_roles(const struct plan *pl, const struct bench_run *run, struct role *prod, struct role *cons,
		      char n_s[24], char size_s[24], char batch_s[24])
{
	const struct mechanism *m = run->verbs_of ? run->verbs_of : pl->row->mech;
	snprintf(n_s, 24, "%llu", (unsigned long long)pl->msgs);
	snprintf(size_s, 24, "%zu", pl->size);
	role_init(prod, m, "produce", pl->cpu_tx);
	role_init(cons, m, "consume", pl->cpu_rx);
	role_args(prod, &run->prod);
	role_args(cons, &run->cons);
	role_arg(prod, "--source");
	role_arg(prod, "counter");
	role_arg(prod, "--count");
	role_arg(prod, n_s);
	role_arg(prod, "--size");
	role_arg(prod, size_s);
	snprintf(batch_s, 24, "%llu", (unsigned long long)pl->batch);
	role_batch(prod, pl->batch ? batch_s : NULL);
	role_batch(cons, pl->batch ? batch_s : NULL);
	/* Text output, as a user's pipeline has it, and the --stats summary
	 * for whoever reads stderr (the figures come as a struct run_result;
	 * --json would print every message as JSON). */
	role_arg(prod, "--stats");
	prod->out_fd = run->chan[1];
	role_arg(cons, "--count");
	role_arg(cons, n_s);
	role_arg(cons, "--stats");
	cons->in_fd = run->chan[0];
}

/* The figures of a run from the two results (out[0] the consumer's,
 * out[1] the producer's); a diagnostic when it failed. */
static void run_result(const struct role_out out[2], struct result *res)
{
	const struct role_out *c = &out[0], *p = &out[1];
	res->sent = p->got ? p->res.msgs : 0;
	res->received = c->got ? c->res.msgs : 0;
	res->tx_cpu = p->got ? p->res.cpu_s : NAN;
	res->rx_cpu = c->got ? c->res.cpu_s : NAN;
	res->tx_calls = p->got ? p->res.calls : 0;
	res->rx_calls = c->got ? c->res.calls : 0;
	bool span = c->got && c->res.first_ns;
	if (p->status != EXIT_OK || c->status != EXIT_OK || !span || res->received < 2) {
		first_line(res->err, sizeof(res->err), c->status != EXIT_OK ? c->text : p->text);
		if (!res->err[0])
			snprintf(res->err, sizeof(res->err), "producer exit %d, consumer exit %d", p->status,
				 c->status);
		return;
	}
	res->seconds = (double)(c->res.last_ns - c->res.first_ns) / 1e9;
	res->ok = res->seconds > 0;
	if (!res->ok)
		snprintf(res->err, sizeof(res->err), "too fast to time: use --count or --duration");
}

static void run_once(struct bench *b, const struct plan *pl, struct result *res)
{
	const struct brow *r = pl->row;
	memset(res, 0, sizeof(*res));
	if (r->ref) {
		r->ref->run(b, pl, res);
		return;
	}
	struct bench_env env = bench_env_next(b);
	struct bench_run *run = calloc(1, sizeof(*run));
	struct role *roles = calloc(2, sizeof(*roles));
	struct role_out *out = calloc(2, sizeof(*out));
	char n_s[24], size_s[24], batch_s[24];
	if (!run || !roles || !out) {
		snprintf(res->err, sizeof(res->err), "out of memory");
		goto done;
	}
	run->chan[0] = run->chan[1] = -1;
	run->num = -1;
	if (r->hooks->run_setup(&env, r->row, pl->size, run, res->err, sizeof(res->err)) < 0)
		goto done;
	run_roles(pl, run, &roles[0], &roles[1], n_s, size_s, batch_s);
	struct ready_arg ra = { .row = r, .run = run };
	/* The consumer first: a producer may need what it makes. */
	roles_run(b, &roles[1], &roles[0], run_ready, &ra, run->chan, 2, out);
	/* Remove what the run made. */
	if (r->hooks->cleanup)
		r->hooks->cleanup(r->row, run);
	run_result(out, res);
done:
	free(run);
	free(roles);
	free(out);
}

/* A pilot run sets the count for about --duration; 0 when it failed. */
static uint64_t pilot(struct bench *b, struct plan *pl, struct cell *c)
{
	struct result res;
	uint64_t n = PILOT_BYTES / pl->size;
	pl->msgs = n < 200 ? 200 : n > PILOT_MSGS ? PILOT_MSGS : n;
	run_once(b, pl, &res);
	if (!res.ok) {
		snprintf(c->why, sizeof(c->why), "%s", res.err);
		return 0;
	}
	double rate = (double)(res.received - 1) / res.seconds;
	double want = rate * (double)b->duration / 1e9;
	return want < (double)pl->msgs ? pl->msgs : want > (double)MAX_MSGS ? MAX_MSGS : (uint64_t)want;
}

bool measure_plan(struct bench *b, const struct brow *r, size_t size, int cpu_tx, int cpu_rx, struct tstate *st,
		  struct cell *c)
{
	memset(st, 0, sizeof(*st));
	st->pl = (struct plan){ .row = r,
				.size = size,
				.msgs = 0,
				.cpu_tx = cpu_tx,
				.cpu_rx = cpu_rx,
				.batch = b->ctx->opt.batch };
	st->c = c;
	memset(c, 0, sizeof(*c));
	size_t lim = brow_limit(r, c->why, sizeof(c->why));
	if (lim && size > lim) {
		c->available = false;
		return false;
	}
	c->available = true;
	c->why[0] = '\0';
	st->pl.msgs = b->count ? b->count : pilot(b, &st->pl, c);
	c->msgs = st->pl.msgs;
	return st->pl.msgs > 0;
}

bool measure_run(struct bench *b, struct tstate *st)
{
	struct result res;
	struct cell *c = st->c;
	if (st->n >= TSTATE_RUNS)
		return false;
	run_once(b, &st->pl, &res);
	if (!res.ok) {
		snprintf(c->why, sizeof(c->why), "%s", res.err);
		st->failed = true;
		return false;
	}
	unsigned n = st->n++;
	double per = (double)(res.received - 1) / res.seconds;
	st->mp[n] = per;
	st->mb[n] = per * (double)st->pl.size / 1e6;
	st->tx[n] = res.sent ? res.tx_cpu / (double)res.sent * 1e6 : NAN;
	st->rx[n] = res.rx_cpu / (double)res.received * 1e6;
	st->lost[n] = res.sent ? 1.0 - (double)res.received / (double)res.sent : 0;
	st->pw[n] = res.tx_calls ? (double)res.sent / (double)res.tx_calls : NAN;
	st->pr[n] = res.rx_calls ? (double)res.received / (double)res.rx_calls : NAN;
	return true;
}

void measure_finish(struct tstate *st)
{
	struct cell *c = st->c;
	unsigned n = st->n;
	if (n == 0 || st->failed)
		return;
	sample_sort(st->mb, n);
	sample_sort(st->mp, n);
	sample_sort(st->tx, n);
	sample_sort(st->rx, n);
	sample_sort(st->lost, n);
	sample_sort(st->pw, n);
	sample_sort(st->pr, n);
	c->ok = true;
	c->runs = n;
	c->mbps = sample_median(st->mb, n);
	c->msgps = sample_median(st->mp, n);
	c->spread = sample_spread(st->mp, n);
	c->tx_us = sample_median(st->tx, n);
	c->rx_us = sample_median(st->rx, n);
	c->lost = sample_median(st->lost, n);
	c->per_write = sample_median(st->pw, n);
	c->per_read = sample_median(st->pr, n);
}

void measure(struct bench *b, const struct brow *r, size_t size, int cpu_tx, int cpu_rx, struct cell *c)
{
	struct tstate *st = malloc(sizeof(*st));
	if (!st) {
		memset(c, 0, sizeof(*c));
		c->available = true;
		snprintf(c->why, sizeof(c->why), "out of memory");
		return;
	}
	if (measure_plan(b, r, size, cpu_tx, cpu_rx, st, c)) {
		for (uint64_t i = 0; i < bench_opts_of(b->ctx)->repeat && !stop_requested(); i++)
			if (!measure_run(b, st))
				break;
		measure_finish(st);
	}
	free(st);
}
