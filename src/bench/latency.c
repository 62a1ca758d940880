/* SPDX-License-Identifier: MIT */
/* Round trips: a client sends a message through a row's channel, an echo
 * server sends it back; every round trip goes into a histogram (hist.h)
 * and, with --samples, into a CSV file. The hot
 * path is each mechanism's own (its channel verbs, bench_hooks.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "ipcdemo/sample.h"
#include "ipcdemo/util.h"

/* What the client sends back through a pipe: a fixed size, its
 * histogram checked when it comes. */
struct lresult {
	int ok;
	uint64_t n;
	double cpu; /* client CPU seconds */
	char err[200];
	struct hist hist; /* of the n round trips, ns */
};

static int lchan_make(struct bench *b, const struct brow *r, size_t size, struct bench_chan *ch, char *err, size_t elen)
{
	struct bench_env env = bench_env_next(b);
	memset(ch, 0, sizeof(*ch));
	for (int i = 0; i < 4; i++)
		ch->fd[i] = -1;
	for (int i = 0; i < 2; i++)
		snprintf(ch->path[i], sizeof(ch->path[i]), "%s/l%d-%d", b->dir, env.seq, i);
	err[0] = '\0';
	if (r->hooks->chan_open(&env, r->row, size, ch, err, elen) == 0)
		return 0;
	if (!err[0])
		snprintf(err, elen, "setting up %s: %s", r->name, strerror(errno));
	return -1;
}

/* Close the channel's descriptors, each once (a socket is both ends). */
static void lchan_close_fds(struct bench_chan *ch)
{
	for (int i = 0; i < 4; i++) {
		if (ch->fd[i] < 0)
			continue;
		for (int j = i + 1; j < 4; j++)
			if (ch->fd[j] == ch->fd[i])
				ch->fd[j] = -1;
		close(ch->fd[i]);
		ch->fd[i] = -1;
	}
}

static void lchan_free(struct bench *b, const struct brow *r, struct bench_chan *ch)
{
	struct bench_env env = { .ctx = b->ctx, .dir = b->dir, .seq = b->seq };
	lchan_close_fds(ch);
	if (r->hooks->chan_close)
		r->hooks->chan_close(&env, ch);
}

static int lside_init(struct bench_chan *ch, struct bench_side *s, bool client)
{
	memset(s, 0, sizeof(*s));
	s->ch = ch;
	s->ifd = -1;
	s->rfd = ch->fd[client ? 0 : 2];
	s->wfd = ch->fd[client ? 1 : 3];
	s->qtx = ch->q[client ? 0 : 1];
	s->qrx = ch->q[client ? 1 : 0];
	/* Close the other side's ends (not shared sockets). */
	for (int i = client ? 2 : 0; i < (client ? 4 : 2); i++)
		if (ch->fd[i] >= 0 && ch->fd[i] != s->rfd && ch->fd[i] != s->wfd)
			close(ch->fd[i]);
	return ch->verbs->init ? ch->verbs->init(s, client) : 0;
}

static double cpu_now(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return NAN;
	return ru_seconds(&ru);
}

static void echo_server(struct bench *b, struct bench_chan *ch, size_t size, int cpu)
{
	struct bench_side s;
	char *buf = malloc(size + 1);
	pin(cpu);
	if (!buf || lside_init(ch, &s, false) < 0)
		_exit(EXIT_FAIL);
	const struct bench_chan_verbs *v = ch->verbs;
	for (;;) {
		const char *m;
		ssize_t n = v->recv(b->ctx, &s, buf, size + 1, &m);
		if (n < 0)
			_exit(EXIT_OK);
		if (v->lines)
			n++; /* the line's newline, there after it */
		if (v->send(b->ctx, &s, m, (size_t)n) < 0)
			_exit(EXIT_OK);
	}
}

static int round_trip(struct bench *b, struct bench_side *s, const char *msg, char *buf, size_t size)
{
	const char *got;
	const struct bench_chan_verbs *v = s->ch->verbs;
	return v->send(b->ctx, s, msg, size) < 0 || v->recv(b->ctx, s, buf, size + 1, &got) < 0 ? -1 : 0;
}

/* One run of one cell: what its client is told. */
struct lrun {
	const struct brow *r;
	size_t size;
	int cpu_c, cpu_s;
	unsigned run; /* 1, 2, ... of --repeat */
};

/* The placement's word, from the CPUs (as table.c places them). */
static const char *place_word(int cpu_c, int cpu_s)
{
	return cpu_c < 0 ? "any" : cpu_c == cpu_s ? "same" : "split";
}

/* Time round trips until --count or --duration, into res->hist (and the
 * --samples file, between round trips). */
static int ping_loop(struct bench *b, struct bench_side *s, const char *msg, char *buf, const struct lrun *lr,
		     struct lresult *res)
{
	uint64_t n = 0;
	int64_t end = now_mono_ns() + b->duration;
	struct samples *smp = samples_start(b, lr->r->name, lr->size, place_word(lr->cpu_c, lr->cpu_s), lr->run);
	if (!smp && b->samples_fd >= 0) {
		snprintf(res->err, sizeof(res->err), "--samples: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		if (b->count ? n >= b->count : (n >= 100 && now_mono_ns() >= end))
			break;
		if (stop_requested())
			break;
		int64_t t0 = now_mono_ns();
		if (round_trip(b, s, msg, buf, lr->size) < 0) {
			snprintf(res->err, sizeof(res->err), "round trip: %s", strerror(errno));
			samples_end(smp);
			return -1;
		}
		int64_t dt = now_mono_ns() - t0;
		hist_record(&res->hist, dt > 0 ? (uint64_t)dt : 0);
		n++;
		if (smp && samples_add(smp, dt > 0 ? (uint64_t)dt : 0) < 0)
			break;
	}
	if (samples_end(smp) < 0) {
		snprintf(res->err, sizeof(res->err), "writing %s: %s", bench_opts_of(b->ctx)->samples, strerror(errno));
		return -1;
	}
	res->n = n;
	return 0;
}

static void ping_client(struct bench *b, struct bench_chan *ch, const struct lrun *lr, int out)
{
	struct lresult res;
	struct bench_side s;
	size_t size = lr->size;
	char *msg = malloc(size), *buf = malloc(size + 1);
	memset(&res, 0, sizeof(res));
	hist_init(&res.hist);
	pin(lr->cpu_c);
	/* A --samples file over the size limit: EFBIG, said in the cell,
	 * rather than SIGXFSZ killing the client without a word. */
	struct sigaction ign = { .sa_handler = SIG_IGN, .sa_flags = 0 };
	sigemptyset(&ign.sa_mask);
	if (b->samples_fd >= 0 && sigaction(SIGXFSZ, &ign, NULL) < 0) {
		snprintf(res.err, sizeof(res.err), "sigaction SIGXFSZ: %s", strerror(errno));
		goto out;
	}
	if (!msg || !buf || lside_init(ch, &s, true) < 0) {
		snprintf(res.err, sizeof(res.err), "setting up: %s", strerror(errno));
		goto out;
	}
	memset(msg, 'p', size - 1);
	msg[size - 1] = '\n';
	/* Up to 200 warm-up round trips, fewer of large messages. */
	uint64_t warm = ((uint64_t)64 << 20) / size;
	warm = warm < 10 ? 10 : warm > 200 ? 200 : warm;
	for (uint64_t i = 0; i < warm; i++) {
		if (round_trip(b, &s, msg, buf, size) < 0) {
			snprintf(res.err, sizeof(res.err), "warm-up round trip: %s", strerror(errno));
			goto out;
		}
	}
	double c0 = cpu_now();
	if (ping_loop(b, &s, msg, buf, lr, &res) < 0)
		goto out;
	res.cpu = cpu_now() - c0;
	res.ok = res.n > 0;
out:
	free(msg);
	free(buf);
	if (write_all(out, &res, sizeof(res), NULL) < 0)
		_exit(EXIT_FAIL);
	_exit(res.ok ? EXIT_OK : EXIT_FAIL);
}

/* The client's result, passing a SIGTERM on to it while waiting. */
static size_t read_lresult(int fd, pid_t cli, struct lresult *res)
{
	size_t got = 0;
	bool passed = false;
	while (got < sizeof(*res)) {
		ssize_t n = read(fd, (char *)res + got, sizeof(*res) - got);
		if (n < 0 && errno == EINTR) {
			if (stop_requested() && stop_signal() == SIGTERM && !passed) {
				kill(cli, SIGTERM); /* pass Ctrl-C on to the client */
				passed = true;
			}
			continue;
		}
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void latency_once(struct bench *b, const struct lrun *lr, struct lresult *res)
{
	const struct brow *r = lr->r;
	size_t size = lr->size;
	struct bench_chan ch;
	int rp[2];
	memset(res, 0, sizeof(*res));
	if (lchan_make(b, r, size, &ch, res->err, sizeof(res->err)) < 0) {
		lchan_free(b, r, &ch);
		return;
	}
	if (pipe2(rp, O_CLOEXEC) < 0) {
		snprintf(res->err, sizeof(res->err), "pipe: %s", strerror(errno));
		lchan_free(b, r, &ch);
		return;
	}
	pid_t srv = fork_child(b->ctx->prog);
	if (srv == 0) {
		close(rp[0]);
		close(rp[1]);
		echo_server(b, &ch, size, lr->cpu_s);
	}
	pid_t cli = srv > 0 ? fork_child(b->ctx->prog) : -1;
	if (cli == 0) {
		close(rp[0]);
		ping_client(b, &ch, lr, rp[1]);
	}
	close(rp[1]);
	/* The parent keeps no end open: EOF reaches whoever reads. */
	lchan_close_fds(&ch);
	size_t got = cli > 0 ? read_lresult(rp[0], cli, res) : 0;
	close(rp[0]);
	if (got != sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		snprintf(res->err, sizeof(res->err), "the client ended without a result");
	} else if (res->ok && (!hist_valid(&res->hist) || res->hist.count != res->n)) {
		res->ok = 0;
		snprintf(res->err, sizeof(res->err), "the client's histogram does not add up (%llu round trips)",
			 (unsigned long long)res->n);
	}
	res->err[sizeof(res->err) - 1] = '\0';
	if (cli > 0)
		wait_child(b->ctx->prog, cli);
	if (srv > 0) {
		/* The echo server may be about to block in a read that nothing
		 * else would end (a datagram socket has no end of file). */
		kill(srv, SIGKILL);
		int st;
		while (waitpid(srv, &st, 0) < 0 && errno == EINTR)
			;
	}
	lchan_free(b, r, &ch);
}

/* The cell's figures from its histogram, in microseconds. */
static void lcell_figures(struct lcell *c)
{
	const struct hist *h = &c->hist;
	c->mean = hist_mean(h) / 1e3;
	c->med = (double)hist_percentile(h, 50) / 1e3;
	c->p90 = (double)hist_percentile(h, 90) / 1e3;
	c->p99 = (double)hist_percentile(h, 99) / 1e3;
	c->p999 = (double)hist_percentile(h, 99.9) / 1e3;
	c->min = (double)h->min / 1e3;
	c->max = (double)h->max / 1e3;
}

bool latency_plan(const struct brow *r, size_t size, int cpu_c, int cpu_s, struct lstate *st, struct lcell *c)
{
	memset(st, 0, sizeof(*st));
	st->r = r;
	st->size = size;
	st->cpu_c = cpu_c;
	st->cpu_s = cpu_s;
	st->c = c;
	memset(c, 0, sizeof(*c));
	hist_init(&c->hist);
	size_t lim = brow_limit(r, c->why, sizeof(c->why));
	if (lim && size > lim)
		return false;
	if (!r->hooks->chan_open) {
		snprintf(c->why, sizeof(c->why), "%s", r->ref ? r->ref->no_round_trips : "no round trips");
		return false;
	}
	c->available = true;
	c->why[0] = '\0';
	return true;
}

bool latency_run(struct bench *b, struct lstate *st)
{
	struct lresult res;
	struct lcell *c = st->c;
	if (st->n >= LSTATE_RUNS)
		return false;
	struct lrun lr = { .r = st->r, .size = st->size, .cpu_c = st->cpu_c, .cpu_s = st->cpu_s, .run = st->n + 1 };
	latency_once(b, &lr, &res);
	if (!res.ok) {
		snprintf(c->why, sizeof(c->why), "%s", res.err);
		st->failed = true;
		return false;
	}
	hist_merge(&c->hist, &res.hist);
	st->med[st->n] = (double)hist_percentile(&res.hist, 50) / 1e3;
	st->cpu[st->n] = res.cpu / (double)res.n * 1e6;
	c->n = res.n;
	st->n++;
	return true;
}

void latency_finish(struct lstate *st)
{
	struct lcell *c = st->c;
	unsigned n = st->n;
	if (!n || st->failed)
		return;
	sample_sort(st->med, n);
	sample_sort(st->cpu, n);
	c->spread = sample_spread(st->med, n);
	c->cpu_us = sample_median(st->cpu, n);
	lcell_figures(c);
	c->runs = n;
	c->ok = true;
}

int latency_setup(struct bench *b)
{
	const struct bench_opts *o = bench_opts_of(b->ctx);
	b->samples_fd = -1;
	b->draw = NULL;
	if (o->hist && !b->ctx->opt.json) {
		b->draw = hist_draw_new();
		if (!b->draw) {
			msg_syserr(b->ctx->prog, "--hist");
			return EXIT_FAIL;
		}
	}
	return samples_open(b);
}

void latency_teardown(struct bench *b)
{
	free(b->draw);
	b->draw = NULL;
	if (b->samples_fd >= 0 && close(b->samples_fd) < 0)
		msg_syserr(b->ctx->prog, "close %s", bench_opts_of(b->ctx)->samples);
	b->samples_fd = -1;
}

void latency(struct bench *b, const struct brow *r, size_t size, int cpu_c, int cpu_s, struct lcell *c)
{
	struct lstate *st = malloc(sizeof(*st));
	if (!st) {
		memset(c, 0, sizeof(*c));
		hist_init(&c->hist);
		c->available = true;
		snprintf(c->why, sizeof(c->why), "out of memory");
		return;
	}
	if (latency_plan(r, size, cpu_c, cpu_s, st, c)) {
		for (uint64_t i = 0; i < bench_opts_of(b->ctx)->repeat && !stop_requested(); i++)
			if (!latency_run(b, st))
				break;
		latency_finish(st);
	}
	free(st);
}
