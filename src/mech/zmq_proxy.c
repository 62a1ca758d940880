/* SPDX-License-Identifier: MIT */
/* zmq proxy: a forwarder between a frontend that producers connect to and
 * a backend that consumers connect to, XSUB/XPUB (pubsub) or PULL/PUSH
 * (pushpull). It forwards as zmq_proxy does, but in a zmq_poll loop of its
 * own, so a stop request (Ctrl-C, SIGTERM) ends it at once with a count
 * of what it forwarded each way, and without lingering.
 *
 * The XPUB backend has ZMQ_XPUB_NODROP, and sends without waiting: each
 * message it refuses is one a plain XPUB would drop at the high-water
 * mark, counted. The PUSH backend is only sent to when it has room, so a
 * pushpull proxy with no consumer leaves the messages queued upstream. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/util.h"
#include "zmq_int.h"
#include "zmq_io.h"

/* At most this many messages one way before looking at the other. */
#define PROXY_BATCH 1000

struct side {
	void *sock;
	const char *endpoint;
	int type;
	struct zmon mon;
	struct zm_bound bound; /* the ipc:// socket file we bound */
	uint64_t moved;        /* whole messages forwarded from this side */
};

struct zproxy {
	struct ctx *ctx;
	const struct zmq_opts *zo;
	void *zctx;
	struct side front, back;
	uint64_t dropped;
	bool quiet; /* --explain: empty zmq_poll slices are counted (zx_poll) */
};

static int set_opt(struct zproxy *p, struct side *sd, int opt, const char *name, int v)
{
	if (zx_setsockopt(p->ctx, sd->sock, opt, &v, sizeof(v)) < 0) {
		zerr(p->ctx->prog, errno, "zmq_setsockopt %s %s", name, sd->endpoint);
		return -1;
	}
	return 0;
}

/* Make, set up, watch (--events) and bind one side. 0, or -1 (said). */
static int open_side(struct zproxy *p, struct side *sd)
{
	const struct zmq_opts *zo = p->zo;
	sd->sock = zx_socket(p->ctx, p->zctx, sd->type);
	if (!sd->sock) {
		zerr(p->ctx->prog, errno, "zmq_socket for %s", sd->endpoint);
		return -1;
	}
	if (set_opt(p, sd, ZMQ_LINGER, "ZMQ_LINGER", 0) < 0)
		return -1;
	if (zo->given.sndhwm && set_opt(p, sd, ZMQ_SNDHWM, "ZMQ_SNDHWM", (int)zo->sndhwm) < 0)
		return -1;
	if (zo->given.rcvhwm && set_opt(p, sd, ZMQ_RCVHWM, "ZMQ_RCVHWM", (int)zo->rcvhwm) < 0)
		return -1;
	if (sd->type == ZMQ_XPUB && set_opt(p, sd, ZMQ_XPUB_NODROP, "ZMQ_XPUB_NODROP", 1) < 0)
		return -1;
	if (zo->events && zmon_open(&sd->mon, p->zctx, sd->sock, p->ctx->prog, sd->endpoint, true) < 0)
		return -1;
	return zm_bind(p->ctx, sd->sock, sd->endpoint, &sd->bound);
}

static void close_side(struct ctx *ctx, struct side *sd)
{
	zmon_close(&sd->mon, sd->sock);
	if (sd->sock) {
		zx_close(ctx, sd->sock);
		sd->sock = NULL;
	}
}

/* The options' checks. Returns 0, or the exit status after saying why. */
static int check_proxy(struct ctx *ctx, const struct zmq_opts *zo)
{
	if (!zo->frontend || !zo->backend)
		return msg_usage(ctx->prog, "both --frontend ENDPOINT and --backend ENDPOINT are needed");
	if (zo->pattern == ZP_REQREP)
		return msg_usage(ctx->prog, "--pattern reqrep has no proxy here: pubsub or pushpull");
	int rc = zm_check_scheme(ctx, "frontend", zo->frontend);
	if (!rc)
		rc = zm_check_scheme(ctx, "backend", zo->backend);
	if (rc)
		return rc;
	if (strcmp(zo->frontend, zo->backend) == 0)
		return msg_usage(ctx->prog, "--frontend and --backend are the same endpoint, %s", zo->frontend);
	rc = zm_check_bind_path(ctx, zo->frontend);
	return rc ? rc : zm_check_bind_path(ctx, zo->backend);
}

/* Move one whole message (all its frames) from one side to the other.
 * Returns 1 when one was moved or dropped, 0 when none is waiting, -1 on
 * error (said). */
static int move_message(struct zproxy *p, struct side *from, struct side *to)
{
	bool first = true, drop = false;
	int more = 1;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if ((explaining(p->ctx) ? zx_msg_recv(p->ctx, &m, from->sock, from->type, ZMQ_DONTWAIT, p->quiet)
					: zmq_msg_recv(&m, from->sock, ZMQ_DONTWAIT)) < 0) {
			int e = errno;
			zmq_msg_close(&m);
			if (e == EINTR || (e == EAGAIN && !first))
				continue; /* the rest of a message comes with its first frame */
			if (e == EAGAIN)
				return 0;
			zerr(p->ctx->prog, e, "zmq_msg_recv %s", from->endpoint);
			return -1;
		}
		first = false;
		more = zmq_msg_more(&m);
		int rc = 0;
		if (!drop) {
			int f = (more ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT;
			do
				rc = explaining(p->ctx) ? zx_msg_send(p->ctx, &m, to->sock, f)
							: zmq_msg_send(&m, to->sock, f);
			while (rc < 0 && errno == EINTR);
		}
		int e = errno;
		zmq_msg_close(&m);
		if (rc < 0 && e == EAGAIN) {
			drop = true; /* the high-water mark: the whole message goes */
		} else if (rc < 0) {
			zerr(p->ctx->prog, e, "zmq_msg_send %s", to->endpoint);
			return -1;
		}
	}
	if (drop)
		p->dropped++;
	else
		from->moved++;
	if (explaining(p->ctx))
		explain_messages(p->ctx, 1);
	return 1;
}

static bool writable(struct zproxy *p, void *sock)
{
	int ev = 0;
	size_t len = sizeof(ev);
	if (explaining(p->ctx))
		return zx_events(p->ctx, sock, &ev, p->quiet) == 0 && (ev & ZMQ_POLLOUT);
	return zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &len) == 0 && (ev & ZMQ_POLLOUT);
}

/* Up to a batch of messages one way. 0, or -1 (said). */
static int move_batch(struct zproxy *p, struct side *from, struct side *to, bool wait_room)
{
	for (int i = 0; i < PROXY_BATCH && !stop_requested(); i++) {
		if (wait_room && !writable(p, to->sock))
			return 0;
		int r = move_message(p, from, to);
		if (r <= 0)
			return r;
	}
	return 0;
}

static int proxy_loop(struct zproxy *p)
{
	bool push = p->back.type == ZMQ_PUSH;
	while (!stop_requested()) {
		/* PUSH: read the frontend only when the backend has room. */
		bool room = push && writable(p, p->back.sock);
		zmq_pollitem_t it[4] = {
			{ .socket = p->front.sock, .fd = 0, .events = push && !room ? 0 : ZMQ_POLLIN, .revents = 0 },
			{ .socket = p->back.sock,
			  .fd = 0,
			  .events = push ? (room ? 0 : ZMQ_POLLOUT) : ZMQ_POLLIN,
			  .revents = 0 },
		};
		int n = 2;
		n += zmon_items(&p->front.mon, &it[n]);
		n += zmon_items(&p->back.mon, &it[n]);
		if ((explaining(p->ctx) ? zx_poll(p->ctx, it, n, POLL_SLICE_MS, &p->quiet)
					: zmq_poll(it, n, POLL_SLICE_MS)) < 0) {
			if (errno == EINTR)
				continue;
			zerr(p->ctx->prog, errno, "zmq_poll %s", p->front.endpoint);
			return EXIT_FAIL;
		}
		zmon_drain(&p->front.mon);
		zmon_drain(&p->back.mon);
		if ((it[0].revents & ZMQ_POLLIN) && move_batch(p, &p->front, &p->back, push) < 0)
			return EXIT_FAIL;
		/* XPUB to XSUB: the subscriptions, upstream. */
		if (!push && (it[1].revents & ZMQ_POLLIN) && move_batch(p, &p->back, &p->front, false) < 0)
			return EXIT_FAIL;
	}
	return EXIT_OK;
}

static void report(const struct zproxy *p)
{
	const struct ctx *ctx = p->ctx;
	double secs = (double)(now_mono_ns() - ctx->start_ns) / 1e9;
	bool pubsub = p->back.type == ZMQ_XPUB;
	fflush(stdout);
	if (ctx->opt.json) {
		fprintf(stderr,
			"{\"mechanism\":\"zmq\",\"verb\":\"proxy\",\"pattern\":\"%s\",\"to_backend\":%llu,"
			"\"to_frontend\":%llu,\"dropped_hwm\":%llu",
			pubsub ? "pubsub" : "pushpull", (unsigned long long)p->front.moved,
			(unsigned long long)p->back.moved, (unsigned long long)p->dropped);
		if (ctx->opt.stats)
			fprintf(stderr, ",\"elapsed_s\":%.3f", secs);
		fputs("}\n", stderr);
		return;
	}
	fprintf(stderr, "%s: forwarded %llu message%s from %s to %s", ctx->prog, (unsigned long long)p->front.moved,
		p->front.moved == 1 ? "" : "s", p->front.endpoint, p->back.endpoint);
	if (pubsub)
		fprintf(stderr, ", %llu subscription message%s back", (unsigned long long)p->back.moved,
			p->back.moved == 1 ? "" : "s");
	if (pubsub)
		fprintf(stderr, "; dropped at the high-water mark: %llu", (unsigned long long)p->dropped);
	if (ctx->opt.stats)
		fprintf(stderr, "; in %.3f s", secs);
	fputc('\n', stderr);
}

int zm_proxy(struct ctx *ctx)
{
	const struct zmq_opts *zo = zmq_opts_of(ctx);
	int rc = check_proxy(ctx, zo);
	if (rc)
		return rc;
	bool pubsub = zo->pattern == ZP_PUBSUB;
	struct zproxy p = {
		.ctx = ctx,
		.zo = zo,
		.zctx = NULL,
		.front = { .sock = NULL,
			   .endpoint = zo->frontend,
			   .type = pubsub ? ZMQ_XSUB : ZMQ_PULL,
			   .mon = { .pair = NULL, .prog = ctx->prog, .what = zo->frontend },
			   .bound = { .path = NULL, .dev = 0, .ino = 0 },
			   .moved = 0 },
		.back = { .sock = NULL,
			  .endpoint = zo->backend,
			  .type = pubsub ? ZMQ_XPUB : ZMQ_PUSH,
			  .mon = { .pair = NULL, .prog = ctx->prog, .what = zo->backend },
			  .bound = { .path = NULL, .dev = 0, .ino = 0 },
			  .moved = 0 },
		.dropped = 0,
		.quiet = false,
	};
	p.zctx = zx_ctx_new(ctx);
	if (!p.zctx) {
		zerr(ctx->prog, errno, "zmq_ctx_new");
		return EXIT_FAIL;
	}
	rc = EXIT_FAIL;
	if (open_side(&p, &p.front) == 0 && open_side(&p, &p.back) == 0) {
		if (!ctx->start_ns)
			ctx->start_ns = now_mono_ns();
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "forwarding %s (%s) to %s (%s); Ctrl-C ends it", p.front.endpoint,
				 pubsub ? "XSUB" : "PULL", p.back.endpoint, pubsub ? "XPUB" : "PUSH");
		rc = proxy_loop(&p);
		if (!ctx->opt.quiet || ctx->opt.stats || ctx->opt.json)
			report(&p);
	}
	/* Linger 0: what is still queued when it ends is not waited for. */
	close_side(ctx, &p.front);
	close_side(ctx, &p.back);
	zm_ctx_end(ctx, p.zctx);
	zm_unbind_file(ctx, &p.front.bound);
	zm_unbind_file(ctx, &p.back.bound);
	return rc;
}
