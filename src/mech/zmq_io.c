/* SPDX-License-Identifier: MIT */
/* The zmq verbs on libzmq. A context is made by the verb, in the process
 * that uses it (never across a fork), and ended with a bounded linger: no
 * linger at all after a stop request, so Ctrl-C never hangs in
 * zmq_ctx_term.
 *
 * A publisher is an XPUB socket with ZMQ_XPUB_NODROP and non-blocking
 * sends: each send that fails with EAGAIN is a message a PUB would have
 * dropped at the high-water mark, counted. Its subscription frames
 * (ZMQ_XPUB_VERBOSE: one per subscriber) are how --wait-subscribers
 * counts subscribers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/message.h"
#include "ipcdemo/util.h"
#include "zmq_frames.h"
#include "zmq_int.h"
#include "zmq_io.h"

struct zsock {
	void *zctx, *sock;
	struct ctx *ctx;
	const char *prog;
	const char *endpoint;
	int type;
	bool stopped;          /* close without linger */
	struct zmon mon;       /* --events */
	struct zm_bound bound; /* the ipc:// socket file we bound */
	int64_t maxmsg;        /* a consumer's ZMQ_MAXMSGSIZE, its --size (0: none) */
	bool quiet;            /* --explain: empty zmq_poll slices are counted (zx_poll) */
};

void zerr(const char *prog, int err, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", zmq_strerror(err));
}

bool zm_available(const char *prog)
{
	(void)prog;
	return true;
}

static const char *type_name(int type)
{
	switch (type) {
	case ZMQ_XPUB:
		return "PUB";
	case ZMQ_SUB:
		return "SUB";
	case ZMQ_PUSH:
		return "PUSH";
	case ZMQ_PULL:
		return "PULL";
	case ZMQ_REQ:
		return "REQ";
	default:
		return "REP";
	}
}

/* Whether the socket binds: PUB, PUSH and REP by default. */
static bool binds(const struct zmq_opts *zo, bool producer)
{
	if (zo->bind)
		return true;
	if (zo->connect)
		return false;
	return producer ? zo->pattern != ZP_REQREP : zo->pattern == ZP_REQREP;
}

/* The endpoint's checks before libzmq sees it. An ipc:// path we bind
 * must be missing or a socket: libzmq would replace any file there.
 * Returns 0, or the exit status after saying why. */
static int check_endpoint(struct ctx *ctx, const struct zmq_opts *zo, bool bind)
{
	const char *ep = zo->endpoint;
	if (zo->bind && zo->connect)
		return msg_usage(ctx->prog, "--bind and --connect exclude each other");
	int rc = zm_check_scheme(ctx, "endpoint", ep);
	if (rc)
		return rc;
	if (zo->topics.n && zo->pattern != ZP_PUBSUB)
		return msg_usage(ctx->prog, "--topic is for --pattern pubsub");
	if (zo->wait_subscribers && zo->pattern != ZP_PUBSUB)
		return msg_usage(ctx->prog, "--wait-subscribers is for --pattern pubsub");
	if (zo->reply && zo->pattern != ZP_REQREP)
		return msg_usage(ctx->prog, "--reply is for --pattern reqrep");
	return bind ? zm_check_bind_path(ctx, ep) : 0;
}

static int set_int(struct zsock *zs, int opt, const char *name, int v)
{
	if (zx_setsockopt(zs->ctx, zs->sock, opt, &v, sizeof(v)) < 0) {
		zerr(zs->prog, errno, "zmq_setsockopt %s", name);
		return -1;
	}
	return 0;
}

/* SUB: each --topic, or everything when none was given. */
static int subscribe(struct zsock *zs, const struct opt_list *topics)
{
	for (size_t i = 0; i < topics->n || i == 0; i++) {
		const char *t = topics->n ? topics->v[i] : "";
		if (zx_setsockopt(zs->ctx, zs->sock, ZMQ_SUBSCRIBE, t, strlen(t)) < 0) {
			zerr(zs->prog, errno, "zmq_setsockopt ZMQ_SUBSCRIBE %s", t);
			return -1;
		}
	}
	return 0;
}

static int set_options(struct zsock *zs, const struct zmq_opts *zo)
{
	int linger = (int)(zo->linger / NSEC_PER_MSEC);
	if (set_int(zs, ZMQ_LINGER, "ZMQ_LINGER", linger) < 0)
		return -1;
	if (zo->given.sndhwm && set_int(zs, ZMQ_SNDHWM, "ZMQ_SNDHWM", (int)zo->sndhwm) < 0)
		return -1;
	if (zo->given.rcvhwm && set_int(zs, ZMQ_RCVHWM, "ZMQ_RCVHWM", (int)zo->rcvhwm) < 0)
		return -1;
	if (zs->maxmsg && zx_setsockopt(zs->ctx, zs->sock, ZMQ_MAXMSGSIZE, &zs->maxmsg, sizeof(zs->maxmsg)) < 0) {
		zerr(zs->prog, errno, "zmq_setsockopt ZMQ_MAXMSGSIZE");
		return -1;
	}
	if (zs->type == ZMQ_XPUB && (set_int(zs, ZMQ_XPUB_NODROP, "ZMQ_XPUB_NODROP", 1) < 0 ||
				     set_int(zs, ZMQ_XPUB_VERBOSE, "ZMQ_XPUB_VERBOSE", 1) < 0))
		return -1;
	return zs->type == ZMQ_SUB ? subscribe(zs, &zo->topics) : 0;
}

static void zs_close(struct zsock *zs)
{
	zmon_close(&zs->mon, zs->sock);
	if (zs->sock) {
		if (zs->stopped || stop_requested()) {
			int zero = 0;
			(void)zx_setsockopt(zs->ctx, zs->sock, ZMQ_LINGER, &zero, sizeof(zero));
		}
		zx_close(zs->ctx, zs->sock);
		zs->sock = NULL;
	}
	if (zs->zctx) {
		zm_ctx_end(zs->ctx, zs->zctx);
		zs->zctx = NULL;
	}
	zm_unbind_file(zs->ctx, &zs->bound);
}

/* A consumer's largest message: its --size, or ZMQ_SIZE_DEFAULT. */
static size_t zm_size_limit(const struct ctx *ctx)
{
	return (size_t)(ctx->opt.given[OP_SIZE] ? ctx->opt.size : ZMQ_SIZE_DEFAULT);
}

/* A consumer's ZMQ_MAXMSGSIZE: a frame larger drops its connection
 * before it is read. libzmq checks the handshake's frames against it too,
 * so it is never below ZMQ_MAXMSGSIZE_MIN (a smaller --size cuts such a
 * frame instead). */
static int64_t zm_maxmsgsize(const struct ctx *ctx)
{
	size_t n = zm_size_limit(ctx);
	return (int64_t)(n < ZMQ_MAXMSGSIZE_MIN ? ZMQ_MAXMSGSIZE_MIN : n);
}

/* Make the context and the socket, bound or connected. Returns 0 or the
 * exit status after saying why. */
static int zs_open(struct ctx *ctx, struct zsock *zs, bool producer)
{
	const struct zmq_opts *zo = zmq_opts_of(ctx);
	static const int types[2][3] = {
		{ ZMQ_SUB, ZMQ_PULL, ZMQ_REP },
		{ ZMQ_XPUB, ZMQ_PUSH, ZMQ_REQ },
	};
	bool bind = binds(zo, producer);
	*zs = (struct zsock){ .zctx = NULL,
			      .sock = NULL,
			      .ctx = ctx,
			      .prog = ctx->prog,
			      .endpoint = zo->endpoint,
			      .type = types[producer][zo->pattern],
			      .stopped = false,
			      .mon = { .pair = NULL, .prog = ctx->prog, .what = zo->endpoint },
			      .bound = { .path = NULL, .dev = 0, .ino = 0 },
			      .maxmsg = producer ? 0 : zm_maxmsgsize(ctx),
			      .quiet = false };
	int rc = check_endpoint(ctx, zo, bind);
	if (rc)
		return rc;
	zs->zctx = zx_ctx_new(ctx);
	if (!zs->zctx) {
		zerr(ctx->prog, errno, "zmq_ctx_new");
		return EXIT_FAIL;
	}
	zs->sock = zx_socket(ctx, zs->zctx, zs->type);
	if (!zs->sock) {
		zerr(ctx->prog, errno, "zmq_socket %s", type_name(zs->type));
		zs_close(zs);
		return EXIT_FAIL;
	}
	if (set_options(zs, zo) < 0)
		goto fail;
	/* A producer's monitor also follows its connections, to hold them
	 * at the end until the peers have read all (zmon_hold_unread). */
	bool follow = producer && zs->type != ZMQ_REQ;
	if ((zo->events || follow) && zmon_open(&zs->mon, zs->zctx, zs->sock, ctx->prog, zs->endpoint, zo->events) < 0)
		goto fail;
	if (bind) {
		if (zm_bind(ctx, zs->sock, zs->endpoint, &zs->bound) < 0)
			goto fail;
	} else if (zx_connect(ctx, zs->sock, zs->endpoint) < 0) {
		zerr(ctx->prog, errno, "zmq_connect %s", zs->endpoint);
		goto fail;
	}
	return 0;
fail:
	zs->stopped = true;
	zs_close(zs);
	return EXIT_FAIL;
}

/* Wait until the socket has events (ZMQ_POLLIN, ZMQ_POLLOUT), until the
 * deadline (0: none) or a stop request. */
static enum io_result zs_wait(struct zsock *zs, short events, int64_t deadline)
{
	for (;;) {
		if (stop_requested())
			return IO_STOP;
		long ms = POLL_SLICE_MS;
		if (deadline) {
			int64_t left = deadline - now_mono_ns();
			if (left <= 0)
				return IO_TIMEOUT;
			if (left / NSEC_PER_MSEC + 1 < ms)
				ms = (long)(left / NSEC_PER_MSEC + 1);
		}
		zmq_pollitem_t it[2] = { { .socket = zs->sock, .fd = 0, .events = events, .revents = 0 } };
		int n = 1 + zmon_items(&zs->mon, &it[1]);
		int r = explaining(zs->ctx) ? zx_poll(zs->ctx, it, n, ms, &zs->quiet) : zmq_poll(it, n, ms);
		zmon_drain(&zs->mon);
		if (r > 0 && it[0].revents)
			return IO_OK;
		if (r < 0 && errno != EINTR) {
			zerr(zs->prog, errno, "zmq_poll %s", zs->endpoint);
			return IO_FAILED_REPORTED;
		}
	}
}

/* ---- producer ---- */

struct zsink {
	struct zsock zs;
	struct ctx *ctx;
	const struct zmq_opts *zo;
	uint64_t dropped;
	bool timed_out;
	bool echo; /* each message the socket took, on stdout */
	struct out out;
};

static int64_t deadline_of(const struct ctx *ctx)
{
	return ctx->opt.given[OP_TIMEOUT] ? now_mono_ns() + ctx->opt.timeout : 0;
}

/* --explain: the loops of a verb are made twice from one source, with
 * told a constant, so that with the option off their only cost is the
 * one test that picks the copy. */
#define TOLD_INLINE static inline __attribute__((always_inline))

/* Send one frame, waiting for room (PUSH and REQ block without a peer;
 * a publisher never waits: EAGAIN is a drop, IO_AGAIN). */
TOLD_INLINE enum io_result send_frame(struct zsink *s, const void *p, size_t n, int flags, bool told)
{
	int64_t deadline = 0;
	bool waited = false;
	for (;;) {
		int f = flags | ZMQ_DONTWAIT;
		if ((told ? zx_send(s->ctx, s->zs.sock, s->zs.type, p, n, f) : zmq_send(s->zs.sock, p, n, f)) >= 0)
			return IO_OK;
		if (errno == EINTR) {
			if (stop_requested())
				return IO_STOP;
			continue;
		}
		if (errno != EAGAIN) {
			zerr(s->ctx->prog, errno, "zmq_send %s", s->zs.endpoint);
			return IO_FAILED_REPORTED;
		}
		if (s->zs.type == ZMQ_XPUB)
			return IO_AGAIN;
		if (!waited) {
			deadline = deadline_of(s->ctx);
			waited = true;
			note_wait(s->ctx, WAIT_PEER, "no peer is ready for messages on %s; waiting", s->zs.endpoint);
		}
		enum io_result r = zs_wait(&s->zs, ZMQ_POLLOUT, deadline);
		if (r == IO_TIMEOUT)
			s->timed_out = true;
		if (r != IO_OK)
			return r;
	}
}

/* REQ: the reply to the request just sent, printed. */
static enum io_result take_reply(struct zsink *s)
{
	if (!wait_noted(s->ctx, WAIT_EMPTY) &&
	    zs_wait(&s->zs, ZMQ_POLLIN, now_mono_ns() + 100 * NSEC_PER_MSEC) == IO_TIMEOUT)
		note_wait(s->ctx, WAIT_EMPTY, "no reply from %s after 100 ms; waiting for it", s->zs.endpoint);
	enum io_result r = zs_wait(&s->zs, ZMQ_POLLIN, deadline_of(s->ctx));
	if (r == IO_TIMEOUT)
		s->timed_out = true;
	if (r != IO_OK)
		return r;
	int more = 1;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if ((explaining(s->ctx) ? zx_msg_recv(s->ctx, &m, s->zs.sock, s->zs.type, ZMQ_DONTWAIT, s->zs.quiet)
					: zmq_msg_recv(&m, s->zs.sock, ZMQ_DONTWAIT)) < 0) {
			int e = errno;
			zmq_msg_close(&m);
			if (e == EINTR && stop_requested())
				return IO_STOP;
			if (e == EINTR || e == EAGAIN)
				continue;
			zerr(s->ctx->prog, e, "zmq_msg_recv %s", s->zs.endpoint);
			return IO_FAILED_REPORTED;
		}
		more = zmq_msg_more(&m);
		if (!more) {
			if (s->ctx->opt.json) {
				out_open(&s->out);
				out_bytes(&s->out, PRINT_JSON, "reply", zmq_msg_data(&m), zmq_msg_size(&m));
				out_close(&s->out);
			} else {
				fwrite(zmq_msg_data(&m), 1, zmq_msg_size(&m), stdout);
				fputc('\n', stdout);
			}
			ctx_stdout_error(s->ctx, flush_stdout());
		}
		zmq_msg_close(&m);
	}
	return IO_OK;
}

/* Echo a message the socket took. The shared producer cannot: it would
 * also echo the messages a publisher dropped at the high-water mark, which
 * count as sent (sent = delivered + dropped) but were never taken. */
static enum io_result echo_taken(struct zsink *s, const char *m, size_t n)
{
	const char *label = s->ctx->opt.label;
	if (label)
		fputs(label, stdout);
	fwrite(m, 1, n, stdout);
	fputc('\n', stdout);
	ctx_stdout_error(s->ctx, flush_stdout());
	return s->ctx->out_errno ? IO_STOP : IO_OK;
}

/* One message (without its newline) on the socket. */
TOLD_INLINE enum io_result send_message(struct zsink *s, const char *m, size_t n, bool told)
{
	enum io_result r;
	if (s->zo->topics.n) {
		const char *topic = s->zo->topics.v[0];
		r = send_frame(s, topic, strlen(topic), ZMQ_SNDMORE, told);
		if (r == IO_AGAIN) {
			s->dropped++;
			return IO_OK;
		}
		if (r != IO_OK)
			return r;
		/* The rest of a message whose first frame went: it goes too. */
	}
	r = send_frame(s, m, n, 0, told);
	if (r == IO_AGAIN) {
		s->dropped++;
		return IO_OK;
	}
	if (r == IO_OK && s->zs.type == ZMQ_REQ)
		r = take_reply(s);
	if (r == IO_OK && s->echo)
		r = echo_taken(s, m, n);
	return r;
}

TOLD_INLINE enum io_result send_messages(struct zsink *s, const char *buf, size_t len, size_t *done, bool told)
{
	while (*done < len) {
		const char *m = buf + *done;
		const char *nl = memchr(m, '\n', len - *done);
		size_t n = nl ? (size_t)(nl - m) : len - *done;
		/* --explain: the calls of one message (its frames, a REQ's
		 * reply) are told together, and the message counted. */
		if (told) {
			explain_hold(s->ctx);
			explain_messages(s->ctx, 1);
		}
		enum io_result r = send_message(s, m, n, told);
		if (told)
			explain_release(s->ctx);
		if (r != IO_OK)
			return r;
		*done += n + (nl ? 1 : 0);
	}
	return IO_OK;
}

static enum io_result zsink_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done)
{
	struct zsink *s = impl;
	*done = 0;
	zmon_tick(&s->zs.mon);
	return explaining(ctx) ? send_messages(s, buf, len, done, true) : send_messages(s, buf, len, done, false);
}

/* The pause between batches, printing events as they come. */
static bool zsink_pause(struct ctx *ctx, void *impl, int64_t ns)
{
	struct zsink *s = impl;
	(void)ctx;
	return zmon_pause(&s->zs.mon, ns);
}

/* Hold a publisher until n subscriptions arrived. */
static int wait_subscribers(struct zsink *s, uint64_t n)
{
	int64_t deadline = deadline_of(s->ctx);
	uint64_t got = 0;
	note_wait(s->ctx, WAIT_PEER, "waiting for %llu subscriber(s) on %s", (unsigned long long)n, s->zs.endpoint);
	while (got < n) {
		enum io_result r = zs_wait(&s->zs, ZMQ_POLLIN, deadline);
		if (r == IO_TIMEOUT) {
			msg_warn(s->ctx->prog, "%llu of %llu subscriber%s joined %s within the --timeout",
				 (unsigned long long)got, (unsigned long long)n, n == 1 ? "" : "s", s->zs.endpoint);
			return EXIT_TIMEOUT;
		}
		if (r == IO_STOP)
			return -1;
		if (r != IO_OK)
			return EXIT_FAIL;
		zmq_msg_t m;
		zmq_msg_init(&m);
		if ((explaining(s->ctx) ? zx_msg_recv(s->ctx, &m, s->zs.sock, s->zs.type, ZMQ_DONTWAIT, s->zs.quiet)
					: zmq_msg_recv(&m, s->zs.sock, ZMQ_DONTWAIT)) >= 0) {
			if (zmq_msg_size(&m) > 0 && ((const unsigned char *)zmq_msg_data(&m))[0] == 1)
				got++;
		} else if (errno != EAGAIN && errno != EINTR) {
			zerr(s->ctx->prog, errno, "zmq_msg_recv %s", s->zs.endpoint);
			zmq_msg_close(&m);
			return EXIT_FAIL;
		}
		zmq_msg_close(&m);
	}
	return 0;
}

/* A publisher's count of drops, on stderr (and in --stats --json). */
static void report_dropped(const struct zsink *s)
{
	const struct ctx *ctx = s->ctx;
	if (ctx->opt.stats && ctx->opt.json) {
		fprintf(stderr, "{\"mechanism\":\"zmq\",\"dropped_hwm\":%llu}\n", (unsigned long long)s->dropped);
	} else if (s->dropped || ctx->opt.stats) {
		fflush(stdout);
		fprintf(stderr, "%s: dropped at the high-water mark: %llu\n", ctx->prog,
			(unsigned long long)s->dropped);
	}
}

/* The end of a producer that sent all: its connections held until the
 * peers have read everything, within its --linger; when that time ran out,
 * libzmq gets no linger more. Returns EXIT_OK, or EXIT_TIMEOUT after
 * saying what may be lost. */
static int hold_unread(struct zsink *s)
{
	int64_t deadline = now_mono_ns() + s->zo->linger;
	bool connecting = !binds(s->zo, true);
	uint64_t left = zmon_hold_unread(s->ctx, &s->zs.mon, deadline, connecting);
	bool unconnected = connecting && !s->zs.mon.connections;
	bool stopped = stop_requested();
	if (left)
		msg_warn(s->ctx->prog,
			 "%s: %llu bytes sent were still unread by the peer %s; they are lost if libzmq drops them "
			 "as it closes",
			 s->zs.endpoint, (unsigned long long)left, stopped ? "at the stop" : "after the --linger");
	else if (unconnected && !stopped)
		msg_warn(s->ctx->prog, "%s: no connection within the --linger: the messages queued for it are dropped",
			 s->zs.endpoint);
	if (stopped || (!left && !unconnected))
		return EXIT_OK; /* a stop ends with status 0, having said what is left */
	s->zs.stopped = true;   /* the --linger is spent */
	return EXIT_TIMEOUT;
}

int zm_produce(struct ctx *ctx)
{
	int rc = producer_check(ctx);
	if (rc)
		return rc;
	struct zsink s = { .ctx = ctx, .zo = zmq_opts_of(ctx), .dropped = 0, .timed_out = false, .echo = false };
	out_init(&s.out, stdout, ctx->opt.json);
	rc = zs_open(ctx, &s.zs, true);
	if (rc)
		return rc;
	if (!ctx->start_ns)
		ctx->start_ns = now_mono_ns();
	if (s.zs.type == ZMQ_XPUB && s.zo->wait_subscribers) {
		rc = wait_subscribers(&s, s.zo->wait_subscribers);
		if (rc) {
			s.zs.stopped = true;
			zs_close(&s.zs);
			return rc < 0 ? produce_stopped(ctx) : rc;
		}
	}
	s.echo = s.zs.type != ZMQ_REQ && !ctx->opt.quiet;
	struct sink sink = {
		.impl = &s,
		.chunk = 1,    /* one message a write */
		.echo = false, /* echo_taken: not what was dropped */
		.write = zsink_write,
		.wait = s.zs.mon.pair ? zsink_pause : NULL,
	};
	rc = produce(ctx, &sink);
	if (s.zs.type == ZMQ_XPUB)
		report_dropped(&s);
	if (s.timed_out) {
		msg_warn(ctx->prog, "no %s from %s within the --timeout",
			 s.zs.type == ZMQ_REQ ? "reply" : "peer took the message", s.zs.endpoint);
		s.zs.stopped = true;
		if (rc == EXIT_OK)
			rc = EXIT_TIMEOUT;
	}
	if (rc != EXIT_OK)
		s.zs.stopped = true;
	else if (s.zo->linger > 0 && s.zs.type != ZMQ_REQ && !stop_requested())
		rc = hold_unread(&s);
	zs_close(&s.zs);
	return rc;
}

/* ---- consumer ---- */

struct zcons {
	struct consumer c;
	struct zsock zs;
	const struct zmq_opts *zo;
	zmq_msg_t topic;
	bool has_topic;
	uint64_t frames;   /* of the message being taken, its topic's too */
	struct zframes fr; /* its payload frames when there are several */
};

/* The --json fields of a message: its topic frame, and its frames when
 * there were several. */
static void message_extra(struct out *o, void *arg)
{
	struct zcons *z = arg;
	const char *p;
	size_t n;
	if (z->has_topic)
		out_bytes(o, PRINT_JSON, "topic", zmq_msg_data(&z->topic), zmq_msg_size(&z->topic));
	if (z->fr.frames > 1) {
		out_array_open(o, "frames");
		for (size_t i = 0; i < z->fr.n; i++) {
			zframes_get(&z->fr, i, &p, &n);
			out_bytes(o, PRINT_JSON, NULL, p, n);
		}
		out_array_close(o);
	}
	if (z->fr.cut)
		out_bool(o, PRINT_JSON, "truncated", NULL, true);
}

/* REP: answer the request just delivered. */
static int send_reply(struct zcons *z, const char *req, size_t n)
{
	char *buf = NULL;
	const char *rep = z->zo->reply;
	size_t len;
	if (rep) {
		len = strlen(rep);
	} else {
		buf = malloc(n + 4);
		if (!buf) {
			msg_syserr(z->c.ctx->prog, "allocate reply");
			return -1;
		}
		memcpy(buf, "ack ", 4);
		memcpy(buf + 4, req, n);
		rep = buf;
		len = n + 4;
	}
	int rc;
	do
		rc = explaining(z->c.ctx) ? zx_send(z->c.ctx, z->zs.sock, z->zs.type, rep, len, 0)
					  : zmq_send(z->zs.sock, rep, len, 0);
	while (rc < 0 && errno == EINTR && !stop_requested());
	if (rc < 0 && !(errno == EINTR && stop_requested()))
		zerr(z->c.ctx->prog, errno, "zmq_send %s", z->zs.endpoint);
	free(buf);
	return rc < 0 ? -1 : 0;
}

/* The message of several payload frames just taken, cut to the bounds:
 * counted, and said. */
static void note_cut(struct zcons *z)
{
	const struct zframes *f = &z->fr;
	z->c.truncated++;
	msg_warn(z->c.ctx->prog,
		 "message truncated to %zu bytes in %zu frame%s: %llu bytes in %llu frame%s arrived (--size %zu, at "
		 "most %d frames)%s",
		 f->len, f->n, f->n == 1 ? "" : "s", (unsigned long long)f->bytes, (unsigned long long)f->frames,
		 f->frames == 1 ? "" : "s", f->limit, ZFRAMES_MAX, f->nomem ? ": out of memory" : "");
}

/* One frame of the message being taken. pubsub: the first of several is
 * its topic. The rest is the message: one frame as it is, several joined
 * (and kept apart for --json), cut at the --size. Returns 1 when the frame ended the message
 * (delivered, and answered by a REP), 0 when more follow, -1 when the
 * reply failed (said). */
static int take_frame(struct zcons *z, zmq_msg_t *m)
{
	bool more = zmq_msg_more(m);
	if (z->frames++ == 0 && more && z->zs.type == ZMQ_SUB) {
		zmq_msg_move(&z->topic, m);
		z->has_topic = true;
		return 0;
	}
	const char *p = zmq_msg_data(m);
	size_t n = zmq_msg_size(m);
	if (more || z->fr.frames || n > z->fr.limit) {
		zframes_add(&z->fr, p, n);
		if (more)
			return 0;
		if (z->fr.cut)
			note_cut(z);
		p = z->fr.len ? z->fr.buf : "";
		n = z->fr.len;
	}
	(void)consumer_deliver(&z->c, p, n);
	return z->zs.type == ZMQ_REP && send_reply(z, p, n) < 0 ? -1 : 1;
}

/* The message was delivered: ready for the next. */
static void message_end(struct zcons *z)
{
	if (z->has_topic) {
		zmq_msg_close(&z->topic);
		zmq_msg_init(&z->topic);
		z->has_topic = false;
	}
	z->frames = 0;
	zframes_reset(&z->fr);
}

/* Take one whole message if there is one. Returns 1 when one was taken, 0
 * when none is waiting, -1 on error (said). */
TOLD_INLINE int take_message(struct zcons *z, bool told)
{
	for (;;) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if ((told ? zx_msg_recv(z->c.ctx, &m, z->zs.sock, z->zs.type, ZMQ_DONTWAIT, z->zs.quiet)
			  : zmq_msg_recv(&m, z->zs.sock, ZMQ_DONTWAIT)) < 0) {
			int e = errno;
			zmq_msg_close(&m);
			if (e == EINTR && !stop_requested())
				continue;
			if (e == EAGAIN || e == EINTR)
				return 0;
			zerr(z->c.ctx->prog, e, "zmq_msg_recv %s", z->zs.endpoint);
			return -1;
		}
		int rc = take_frame(z, &m);
		zmq_msg_close(&m);
		if (rc != 0) {
			message_end(z);
			if (told)
				explain_messages(z->c.ctx, 1);
			return rc;
		}
	}
}

TOLD_INLINE int consume_told(struct zcons *z, bool told)
{
	for (;;) {
		if (stop_requested() || z->c.stop)
			return EXIT_OK;
		int ms = consumer_poll_timeout(&z->c);
		if (z->c.timed_out)
			return EXIT_OK;
		if (ms < 0 || ms > POLL_SLICE_MS)
			ms = POLL_SLICE_MS;
		zmq_pollitem_t it[2] = { { .socket = z->zs.sock, .fd = 0, .events = ZMQ_POLLIN, .revents = 0 } };
		int n = 1 + zmon_items(&z->zs.mon, &it[1]);
		int r = told ? zx_poll(z->c.ctx, it, n, ms, &z->zs.quiet) : zmq_poll(it, n, ms);
		zmon_drain(&z->zs.mon);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			zerr(z->c.ctx->prog, errno, "zmq_poll %s", z->zs.endpoint);
			return EXIT_FAIL;
		}
		int got = 0;
		while (!z->c.stop && !stop_requested() && (got = take_message(z, told)) > 0)
			;
		if (got < 0)
			return EXIT_FAIL;
		if (consumer_idle(&z->c))
			continue;
	}
}

static int consume_loop(struct zcons *z)
{
	return explaining(z->c.ctx) ? consume_told(z, true) : consume_told(z, false);
}

int zm_consume(struct ctx *ctx)
{
	struct zcons z = { .zo = zmq_opts_of(ctx), .has_topic = false, .frames = 0 };
	int rc = zs_open(ctx, &z.zs, false);
	if (rc)
		return rc;
	zmq_msg_init(&z.topic);
	zframes_init(&z.fr, zm_size_limit(ctx));
	/* PULL: a gap in the stamps may be another consumer's share. */
	if (consumer_init(&z.c, ctx) < 0 || (z.zs.type == ZMQ_PULL && consumer_shared(&z.c) < 0)) {
		zmq_msg_close(&z.topic);
		z.zs.stopped = true;
		zs_close(&z.zs);
		return EXIT_FAIL;
	}
	z.c.extra = message_extra;
	z.c.extra_arg = &z;
	rc = consume_loop(&z);
	zmq_msg_close(&z.topic);
	zframes_free(&z.fr);
	/* What is still queued is not ours to wait for. */
	z.zs.stopped = true;
	zs_close(&z.zs);
	rc = consumer_finish(&z.c, rc);
	return rc;
}
