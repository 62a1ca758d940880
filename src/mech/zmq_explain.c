/* SPDX-License-Identifier: MIT */
/* --explain of the zmq verbs (explain.h): each libzmq call they make,
 * made here and told as the library call it is ("libzmq: zmq_bind(...)"),
 * with what it means. libzmq makes its own system calls in its threads
 * (epoll_wait, accept4, sendto, recvfrom, eventfd writes); those are not
 * told, and the first call, zmq_ctx_new, says so once.
 *
 * The calls of the hot loop (zx_send, zx_msg_recv, zx_msg_send, zx_poll,
 * zx_events) are called only while explaining(ctx): the caller's one test
 * is the whole cost of --explain when it is off. Their callers count the
 * messages (explain_messages). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/util.h"
#include "zmq_io.h"

const char *zx_type_name(int type)
{
	switch (type) {
	case ZMQ_PUB:
		return "ZMQ_PUB";
	case ZMQ_XPUB:
		return "ZMQ_XPUB";
	case ZMQ_SUB:
		return "ZMQ_SUB";
	case ZMQ_XSUB:
		return "ZMQ_XSUB";
	case ZMQ_PUSH:
		return "ZMQ_PUSH";
	case ZMQ_PULL:
		return "ZMQ_PULL";
	case ZMQ_REQ:
		return "ZMQ_REQ";
	case ZMQ_REP:
		return "ZMQ_REP";
	case ZMQ_PAIR:
		return "ZMQ_PAIR";
	default:
		return "?";
	}
}

/* ---- setting up ---- */

void *zx_ctx_new(struct ctx *ctx)
{
	void *z = zmq_ctx_new();
	int e = errno;
	if (explaining(ctx)) {
		explain_lib_begin(ctx, ZX_LIB, "zmq_ctx_new", NULL, "%s", "");
		explain_end_ptr(
			ctx, z, e,
			z ? "a context: libzmq's state in this process, whose I/O thread and reaper start with its "
			    "first socket. These are calls into libzmq, not system calls: libzmq makes its own in "
			    "its threads (strace -f shows them: epoll_wait, accept4, sendto and recvfrom on the "
			    "connections, eventfd writes to wake its mailboxes), and they are not told here"
			  : strerror(e));
	}
	errno = e;
	return z;
}

/* What a socket of type is, here. */
static const char *socket_says(int type)
{
	switch (type) {
	case ZMQ_XPUB:
		return "an XPUB: a PUB that also hands up the subscriptions, and with ZMQ_XPUB_NODROP says EAGAIN "
		       "where a PUB would drop a message silently";
	case ZMQ_SUB:
		return "a SUB: takes what the publishers send, filtered by its subscriptions";
	case ZMQ_PUSH:
		return "a PUSH: each message goes to one of the connected PULLs, in turn";
	case ZMQ_PULL:
		return "a PULL: takes the messages of every PUSH connected, fairly";
	case ZMQ_REQ:
		return "a REQ: sends a request, then must take its reply before the next";
	case ZMQ_REP:
		return "a REP: takes a request, then must send its reply before the next";
	case ZMQ_XSUB:
		return "an XSUB: the proxy's frontend, which passes the subscriptions up to the publishers";
	default:
		return "a socket of libzmq";
	}
}

void *zx_socket(struct ctx *ctx, void *zctx, int type)
{
	void *s = zmq_socket(zctx, type);
	int e = errno;
	if (explaining(ctx)) {
		explain_lib_begin(ctx, ZX_LIB, "zmq_socket", NULL, "%p, %s", zctx, zx_type_name(type));
		char says[400];
		snprintf(says, sizeof(says),
			 "%s; an object of libzmq, no socket of the kernel yet (those come with bind and connect); the "
			 "context's first socket starts its threads (ZMQbg/IO/0, ZMQbg/Reaper)",
			 socket_says(type));
		explain_end_ptr(ctx, s, e, s ? says : zmq_strerror(e));
	}
	errno = e;
	return s;
}

/* The options told, by name, and what each means. */
static void setsockopt_says(char *buf, size_t len, int opt, long long v)
{
	switch (opt) {
	case ZMQ_LINGER:
		if (v == 0)
			snprintf(buf, len, "%s",
				 "linger 0: what is still queued is dropped when the socket closes, nothing waits for "
				 "it");
		else
			snprintf(buf, len, "zmq_ctx_term waits up to %lld ms (--linger) for queued messages to go", v);
		return;
	case ZMQ_SNDHWM:
		snprintf(buf, len,
			 "the send high-water mark: at most %lld messages queued for each peer (0: no limit); then a "
			 "PUB drops, a PUSH or REQ waits",
			 v);
		return;
	case ZMQ_RCVHWM:
		snprintf(buf, len,
			 "the receive high-water mark: at most %lld messages queued from each peer (0: no limit); "
			 "then libzmq stops reading the connection and the sender's queue fills",
			 v);
		return;
	case ZMQ_MAXMSGSIZE:
		snprintf(buf, len,
			 "a frame over %lld bytes drops its connection before it is read (--size; never below 64 KiB: "
			 "the handshake's frames are checked too)",
			 v);
		return;
	case ZMQ_XPUB_NODROP:
		snprintf(buf, len, "%s",
			 "at the high-water mark a send fails with EAGAIN instead of dropping the message silently: "
			 "each one is counted");
		return;
	case ZMQ_XPUB_VERBOSE:
		snprintf(buf, len, "%s",
			 "every subscription comes up to us, one per subscriber: how --wait-subscribers counts them");
		return;
	default:
		snprintf(buf, len, "%s", "set");
	}
}

static const char *opt_name(int opt)
{
	switch (opt) {
	case ZMQ_LINGER:
		return "ZMQ_LINGER";
	case ZMQ_SNDHWM:
		return "ZMQ_SNDHWM";
	case ZMQ_RCVHWM:
		return "ZMQ_RCVHWM";
	case ZMQ_MAXMSGSIZE:
		return "ZMQ_MAXMSGSIZE";
	case ZMQ_XPUB_NODROP:
		return "ZMQ_XPUB_NODROP";
	case ZMQ_XPUB_VERBOSE:
		return "ZMQ_XPUB_VERBOSE";
	case ZMQ_SUBSCRIBE:
		return "ZMQ_SUBSCRIBE";
	default:
		return "?";
	}
}

int zx_setsockopt(struct ctx *ctx, void *sock, int opt, const void *v, size_t len)
{
	int rc = zmq_setsockopt(sock, opt, v, len);
	int e = errno;
	if (!explaining(ctx)) {
		errno = e;
		return rc;
	}
	char says[320];
	if (opt == ZMQ_SUBSCRIBE) {
		explain_lib_begin(ctx, ZX_LIB, "zmq_setsockopt", NULL, "%p, %s, %s, %zu", sock, opt_name(opt),
				  xbuf(v, len).s, len);
		if (len == 0)
			snprintf(says, sizeof(says), "%s",
				 "subscribed to everything: a subscription is a prefix, and the empty one matches "
				 "every message; libzmq sends it to each publisher, which filters there");
		else
			snprintf(
				says, sizeof(says),
				"only messages whose first frame starts with %s; libzmq sends the subscription to each "
				"publisher, which filters there: what came before it arrived is not ours",
				xbuf(v, len).s);
	} else {
		long long n = len == sizeof(int64_t) ? (long long)*(const int64_t *)v : (long long)*(const int *)v;
		explain_lib_begin(ctx, ZX_LIB, "zmq_setsockopt", NULL, "%p, %s, [%lld], %zu", sock, opt_name(opt), n,
				  len);
		setsockopt_says(says, sizeof(says), opt, n);
	}
	explain_end(ctx, rc, e, "%s", rc == 0 ? says : zmq_strerror(e));
	errno = e;
	return rc;
}

int zx_connect(struct ctx *ctx, void *sock, const char *ep)
{
	int rc = zmq_connect(sock, ep);
	int e = errno;
	if (explaining(ctx)) {
		explain_lib_begin(ctx, ZX_LIB, "zmq_connect", NULL, "%p, %s", sock, xq(ep).s);
		explain_end(ctx, rc, e, "%s",
			    rc == 0 ? "returns at once: libzmq connects in its I/O thread (socket, connect), and "
				      "retries until the peer is there; messages wait in the queue meanwhile"
				    : zmq_strerror(e));
	}
	errno = e;
	return rc;
}

int zx_close(struct ctx *ctx, void *sock)
{
	int rc = zmq_close(sock);
	int e = errno;
	if (explaining(ctx)) {
		explain_lib_begin(ctx, ZX_LIB, "zmq_close", NULL, "%p", sock);
		explain_end(ctx, rc, e, "%s",
			    rc == 0 ? "closed for us at once; libzmq's I/O thread still sends what is queued, for up "
				      "to its linger, and then closes the kernel's sockets"
				    : zmq_strerror(e));
	}
	errno = e;
	return rc;
}

/* ---- the hot loop: called only while explaining(ctx) ---- */

static const char *send_flags(int flags)
{
	if ((flags & ZMQ_SNDMORE) && (flags & ZMQ_DONTWAIT))
		return "ZMQ_SNDMORE|ZMQ_DONTWAIT";
	if (flags & ZMQ_SNDMORE)
		return "ZMQ_SNDMORE";
	return flags & ZMQ_DONTWAIT ? "ZMQ_DONTWAIT" : "0";
}

/* What a send on a socket of type means, by its result. */
static const char *send_says(int type, int flags, int rc, int e)
{
	if (rc < 0 && e == EAGAIN)
		return type == ZMQ_XPUB
			       ? "the high-water mark: a PUB would drop this message silently; counted as "
				 "dropped"
			       : "no peer takes it yet, or its queue is at the high-water mark: zmq_poll waits "
				 "for room";
	if (rc < 0)
		return e == EINTR ? "interrupted by a signal" : zmq_strerror(e);
	if (flags & ZMQ_SNDMORE)
		return "a frame, queued: the frames of a message travel together, once its last one is sent";
	switch (type) {
	case ZMQ_XPUB:
		return "queued in the PUB socket for each subscriber; the I/O thread writes it (sendto): nothing "
		       "waits for a subscriber";
	case ZMQ_PUSH:
		return "queued in the PUSH socket; blocks only at the high-water mark; the I/O thread writes it to "
		       "one peer (sendto)";
	case ZMQ_REQ:
		return "the request, queued; the REQ socket must now take its reply";
	case ZMQ_REP:
		return "the reply, queued for the REQ that asked; the REP socket may take the next request";
	default:
		return "queued; the I/O thread writes it (sendto)";
	}
}

int zx_send(struct ctx *ctx, void *sock, int type, const void *p, size_t n, int flags)
{
	bool full = explain_full(ctx);
	int rc = zmq_send(sock, p, n, flags);
	int e = errno;
	if (full || (rc < 0 && e != EAGAIN && e != EINTR)) {
		/* told after the call: with ZMQ_DONTWAIT it never blocks */
		explain_lib_begin(ctx, ZX_LIB, "zmq_send", NULL, "%p, %s, %zu, %s", sock, xbuf(p, n).s, n,
				  send_flags(flags));
		explain_end(ctx, rc, e, "%s", send_says(type, flags, rc, e));
		if (rc < 0 && type != ZMQ_XPUB)
			explain_messages(ctx, 0);
	} else {
		explain_lib_count(ctx, ZX_LIB, "zmq_send", rc, e, rc >= 0 ? (size_t)rc : 0);
	}
	errno = e;
	return rc;
}

int zx_msg_send(struct ctx *ctx, zmq_msg_t *m, void *sock, int flags)
{
	bool full = explain_full(ctx);
	struct xstr data = { .s = "" };
	size_t n = zmq_msg_size(m);
	if (full)
		data = xbuf(zmq_msg_data(m), n);
	int rc = zmq_msg_send(m, sock, flags);
	int e = errno;
	if (full) {
		explain_lib_begin(ctx, ZX_LIB, "zmq_msg_send", NULL, "{%s, %zu}, %p, %s", data.s, n, sock,
				  send_flags(flags));
		explain_end(ctx, rc, e, "%s",
			    rc >= 0 ? "passed on: the frame is the other socket's now, queued for its peers"
				    : (e == EAGAIN
					       ? "the high-water mark of the backend: the message is dropped, counted"
					       : zmq_strerror(e)));
	} else {
		explain_lib_count(ctx, ZX_LIB, "zmq_msg_send", rc, e, rc >= 0 ? (size_t)rc : 0);
	}
	errno = e;
	return rc;
}

/* What a frame taken from a socket of type is. */
static const char *recv_says(int type, bool more)
{
	if (type == ZMQ_XPUB)
		return "a subscription frame (\\1 and a topic; \\0: one went away): how a publisher learns of a "
		       "subscriber";
	if (more)
		return "a frame taken from the socket's queue; more frames of the same message follow (all are "
		       "there already: a message arrives whole)";
	switch (type) {
	case ZMQ_REQ:
		return "the reply, taken: the REQ socket may send its next request";
	case ZMQ_REP:
		return "a request, taken from the queue; the REP socket must answer it before the next";
	default:
		return "a message taken from the socket's queue, where libzmq's I/O thread put it after reading it "
		       "from the connection (recvfrom)";
	}
}

int zx_msg_recv(struct ctx *ctx, zmq_msg_t *m, void *sock, int type, int flags, bool quiet)
{
	bool full = explain_full(ctx);
	int rc = zmq_msg_recv(m, sock, flags);
	int e = errno;
	if (quiet && rc < 0 && e == EAGAIN)
		full = false; /* after an empty slice counted: nothing came */
	if (full || (rc < 0 && e != EAGAIN && e != EINTR)) {
		if (rc >= 0)
			explain_lib_begin(ctx, ZX_LIB, "zmq_msg_recv", NULL, "{%s, %zu}, %p, %s",
					  xbuf(zmq_msg_data(m), zmq_msg_size(m)).s, zmq_msg_size(m), sock,
					  flags & ZMQ_DONTWAIT ? "ZMQ_DONTWAIT" : "0");
		else
			explain_lib_begin(ctx, ZX_LIB, "zmq_msg_recv", NULL, "{...}, %p, %s", sock,
					  flags & ZMQ_DONTWAIT ? "ZMQ_DONTWAIT" : "0");
		explain_end(ctx, rc, e, "%s",
			    rc >= 0       ? recv_says(type, zmq_msg_more(m))
			    : e == EAGAIN ? "nothing more is queued: back to zmq_poll"
			    : e == EINTR  ? "interrupted by a signal"
					  : zmq_strerror(e));
		if (rc < 0)
			explain_messages(ctx, 0);
	} else {
		explain_lib_count(ctx, ZX_LIB, "zmq_msg_recv", rc, e, rc >= 0 ? (size_t)rc : 0);
	}
	errno = e;
	return rc;
}

static const char *events_name(short ev)
{
	if ((ev & ZMQ_POLLIN) && (ev & ZMQ_POLLOUT))
		return "ZMQ_POLLIN|ZMQ_POLLOUT";
	if (ev & ZMQ_POLLIN)
		return "ZMQ_POLLIN";
	return ev & ZMQ_POLLOUT ? "ZMQ_POLLOUT" : "0";
}

int zx_poll(struct ctx *ctx, zmq_pollitem_t *it, int n, long ms, bool *quiet)
{
	char args[300];
	size_t off = 0;
	bool pollout = false, pollin = false;
	for (int i = 0; i < n && off < sizeof(args); i++) {
		int k = snprintf(args + off, sizeof(args) - off, "%s{socket=%p, events=%s}", i ? ", " : "[",
				 it[i].socket, events_name(it[i].events));
		off += k > 0 ? (size_t)k : 0;
		pollout |= (it[i].events & ZMQ_POLLOUT) != 0;
		pollin |= (it[i].events & ZMQ_POLLIN) != 0;
	}
	if (off < sizeof(args))
		snprintf(args + off, sizeof(args) - off, "], %d, %ld", n, ms);
	/* After one empty slice told, the next ones are counted until
	 * something comes: a wait of seconds is not a page of lines. */
	bool full = explain_full(ctx) && !*quiet;
	if (full)
		explain_lib_begin(ctx, ZX_LIB, "zmq_poll",
				  pollout ? "blocks until the socket has room for a message (a peer is there, or its "
					    "queue drained), or the slice ends; a poll(2) on its mailbox, an eventfd "
					    "its I/O thread writes"
					  : "blocks until a message is waiting, or the slice ends; a poll(2) on the "
					    "socket's mailbox, an eventfd its I/O thread writes",
				  "%s", args);
	int rc = zmq_poll(it, n, ms);
	int e = errno;
	if (!full && rc > 0 && *quiet) {
		/* Something came after empty slices that were counted. */
		explain_lib_begin(ctx, ZX_LIB, "zmq_poll", NULL, "%s", args);
		full = true;
	}
	if (full) {
		char says[200];
		if (rc > 0)
			snprintf(says, sizeof(says), "%s",
				 !pollout  ? "something is waiting"
				 : !pollin ? "room for a message"
					   : "ready: something is waiting, or there is room for a message");
		else if (rc == 0)
			snprintf(
				says, sizeof(says),
				"nothing within %ld ms; polled again in slices, so that a stop is seen soon (the empty "
				"slices that follow are counted, not told)",
				ms);
		else
			snprintf(says, sizeof(says), "%s", e == EINTR ? "interrupted by a signal" : zmq_strerror(e));
		explain_end(ctx, rc, e, "%s", says);
		if (rc == 0) {
			*quiet = true;
			explain_messages(ctx, 0);
		}
	} else {
		explain_lib_count(ctx, ZX_LIB, "zmq_poll", rc, e, SIZE_MAX);
	}
	if (rc > 0)
		*quiet = false;
	errno = e;
	return rc;
}

int zx_events(struct ctx *ctx, void *sock, int *ev, bool quiet)
{
	size_t len = sizeof(*ev);
	int rc = zmq_getsockopt(sock, ZMQ_EVENTS, ev, &len);
	int e = errno;
	if (explain_full(ctx) && !quiet) {
		explain_lib_begin(ctx, ZX_LIB, "zmq_getsockopt", NULL, "%p, ZMQ_EVENTS, [%s], [%zu]", sock,
				  rc == 0 ? events_name((short)*ev) : "?", len);
		explain_end(ctx, rc, e, "%s",
			    rc < 0                ? zmq_strerror(e)
			    : (*ev & ZMQ_POLLOUT) ? "the backend has room: a message may be passed on"
						  : "the backend is full: the frontend is left queued upstream");
	} else {
		explain_lib_count(ctx, ZX_LIB, "zmq_getsockopt", rc, e, SIZE_MAX);
	}
	errno = e;
	return rc;
}
