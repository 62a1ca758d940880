/* SPDX-License-Identifier: MIT */
/* The send and receive loops of the message queues (mq, sysv, shm). */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo/queue.h"
#include "ipcdemo/util.h"
#include "ipcdemo/wait.h"

#define AT(member) .offset = offsetof(struct queue_opts, member)

const struct opt_def queue_opt_name = {
	.name = "name",
	.type = OPT_STRING,
	.arg = "NAME",
	.help = "POSIX IPC object name (default: /ipcdemo)",
	AT(name),
};
const struct opt_def queue_opt_nonblock = {
	.name = "nonblock",
	.type = OPT_FLAG,
	.help = "never wait: fail at once when the queue is full or empty",
	AT(nonblock),
};
const struct opt_def queue_opt_unlink = {
	.name = "unlink",
	.type = OPT_FLAG,
	.help = "remove the object on exit",
	AT(unlink),
};

const struct queue_opts *queue_opts(const struct ctx *ctx)
{
	static const struct queue_opts defaults = { .name = NULL };
	return ctx_mopt(ctx, &defaults);
}

int64_t queue_deadline(const struct ctx *ctx)
{
	if (queue_opts(ctx)->nonblock)
		return QUEUE_NOWAIT;
	if (ctx->opt.given[OP_TIMEOUT])
		return now_mono_ns() + ctx->opt.timeout;
	return QUEUE_FOREVER;
}

struct qsink {
	const struct queue_ops *ops;
	void *impl;
	bool timed_out;
	/* --nonblock or --timeout: a deadline to work out for each message;
	 * else every send waits as long as it takes. */
	bool timed;
	bool noted; /* the wait for room has been said */
};

/* Say once, before the first wait, what the queue is waiting for. */
static void queue_note_wait(struct ctx *ctx, const struct queue_ops *ops, void *impl, bool sending)
{
	if (wait_noted(ctx, sending ? WAIT_FULL : WAIT_EMPTY))
		return;
	char state[160];
	snprintf(state, sizeof(state), "%s", sending ? "is full" : "is empty");
	if (ops->wait_state)
		ops->wait_state(ctx, impl, sending, state, sizeof(state));
	note_wait(ctx, sending ? WAIT_FULL : WAIT_EMPTY, "%s %s; waiting for a %s", ops->what, state,
		  sending ? "consumer" : "producer");
}

/* Send, waiting until the deadline for room. Until the wait has been
 * said, a try that does not wait comes first: a full queue is said before
 * the sender sleeps on it. */
static enum io_result qsink_send(struct ctx *ctx, struct qsink *qs, const char *buf, size_t len, size_t *done)
{
	int64_t deadline = qs->timed ? queue_deadline(ctx) : QUEUE_FOREVER;
	if (!qs->noted)
		qs->noted = wait_noted(ctx, WAIT_FULL);
	if (deadline == QUEUE_NOWAIT || qs->noted)
		return qs->ops->send(ctx, qs->impl, buf, len, deadline, done);
	enum io_result r = qs->ops->send(ctx, qs->impl, buf, len, QUEUE_NOWAIT, done);
	if (r != IO_AGAIN)
		return r;
	queue_note_wait(ctx, qs->ops, qs->impl, true);
	size_t more = 0;
	r = qs->ops->send(ctx, qs->impl, buf + *done, len - *done, deadline, &more);
	*done += more;
	return r;
}

static enum io_result qsink_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done)
{
	struct qsink *qs = impl;
	size_t d = 0;
	*done = 0;
	enum io_result r = qsink_send(ctx, qs, buf, len, &d);
	if (r == IO_OK) {
		*done = len;
		return IO_OK;
	}
	*done = d;
	if (r == IO_STOP || r == IO_FAILED_REPORTED)
		return r;
	int e = io_errno(r);
	if (e == ETIMEDOUT)
		qs->timed_out = true;
	size_t mlen = queue_next_len(buf + d, len - d);
	errno = e;
	if (e == ETIMEDOUT) {
		char dur[32];
		format_duration(dur, sizeof(dur), ctx->opt.timeout);
		msg_warn(ctx->prog, "send to %s: no room within --timeout %s", qs->ops->what, dur);
	} else {
		msg_syserr(ctx->prog, "send to %s", qs->ops->what);
	}
	if (qs->ops->explain)
		qs->ops->explain(ctx, qs->impl, e, mlen);
	return IO_FAILED_REPORTED;
}

size_t queue_next_len(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	return nl ? (size_t)(nl - buf) + 1 : len;
}

enum io_result queue_send_each(void *impl, const char *buf, size_t len, size_t max, int64_t deadline, size_t *done,
			       int (*put)(void *impl, const char *msg, size_t n, int64_t deadline))
{
	size_t off = 0;
	while (off < len) {
		size_t m = queue_next_len(buf + off, len - off);
		if (m > max) {
			*done = off;
			return io_from_errno(EMSGSIZE);
		}
		if (put(impl, buf + off, m, deadline) < 0) {
			*done = off;
			return io_from_errno(errno);
		}
		off += m;
	}
	*done = len;
	return IO_OK;
}

enum io_result queue_send_one(void *impl, const char *buf, size_t len, size_t max, int64_t deadline, size_t *done,
			      int (*put)(void *impl, const char *msg, size_t n, int64_t deadline))
{
	*done = 0;
	if (len > max)
		return io_from_errno(EMSGSIZE);
	if (put(impl, buf, len, deadline) < 0)
		return io_from_errno(errno);
	*done = len;
	return IO_OK;
}

int queue_produce(struct ctx *ctx, const struct queue_ops *ops, void *impl)
{
	struct qsink qs = { .ops = ops,
			    .impl = impl,
			    .timed_out = false,
			    .timed = queue_opts(ctx)->nonblock || ctx->opt.given[OP_TIMEOUT],
			    .noted = false };
	struct sink sink = { .impl = &qs, .chunk = ops->chunk, .echo = ops->echo, .write = qsink_write };
	int rc = produce(ctx, &sink);
	if (rc == EXIT_FAIL && qs.timed_out)
		rc = EXIT_TIMEOUT;
	return rc;
}

size_t queue_unframe(const char *buf, size_t n)
{
	if (n > 0 && buf[n - 1] == '\0')
		n--;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	return n;
}

static enum io_result take(struct ctx *ctx, const struct queue_ops *ops, void *impl, char *buf, size_t cap,
			   const char **msg, int64_t deadline, uint64_t want, size_t *len, bool *trunc)
{
	if (ops->recv_ref)
		return ops->recv_ref(ctx, impl, msg, deadline, want, len);
	*msg = buf;
	return ops->recv(ctx, impl, buf, cap, deadline, want, len, trunc);
}

/* Whether the receive loop must try without waiting first: with
 * --nonblock, while the first wait is still to be said, or while printed
 * messages wait in stdout's buffer (flushed before sleeping) of a queue
 * whose tries are cheap. Otherwise a receive is one call that blocks: a
 * round trip costs no extra try. */
static bool queue_probe_first(const struct ctx *ctx, const struct consumer *c, const struct queue_ops *ops)
{
	if (queue_opts(ctx)->nonblock || (!ops->timed_flush && __fpending(stdout) > 0))
		return true;
	return c->msgs == 0 && !wait_noted(ctx, WAIT_EMPTY);
}

/* The receive loop's state between messages. */
struct qtake {
	char *buf;
	size_t cap;
	/* timed_flush: when what waits in stdout's buffer must be flushed
	 * if no message comes first (0: nothing waits). */
	int64_t flush_at;
};

/* Take the next message: one call that blocks until the deadline, or
 * until the flush deadline when printed messages wait (then flush and
 * block on); with a probe first where queue_probe_first says so. */
static enum io_result queue_take(struct ctx *ctx, struct consumer *c, const struct queue_ops *ops, void *impl,
				 struct qtake *t, const char **msg, uint64_t want, size_t *n, bool *trunc)
{
	const struct opts *o = &ctx->opt;
	int64_t dl = o->given[OP_TIMEOUT] ? c->last_ns + o->timeout : QUEUE_FOREVER;
	enum io_result r;
	if (queue_probe_first(ctx, c, ops)) {
		/* Take what is there without waiting; before sleeping on an
		 * empty queue, flush what was printed and say the wait. */
		r = take(ctx, ops, impl, t->buf, t->cap, msg, QUEUE_NOWAIT, want, n, trunc);
		if (r != IO_AGAIN || queue_opts(ctx)->nonblock)
			return r;
		if (consumer_idle(c))
			return IO_STOP;
		if (c->msgs == 0)
			queue_note_wait(ctx, ops, impl, false);
		return take(ctx, ops, impl, t->buf, t->cap, msg, dl, want, n, trunc);
	}
	if (t->flush_at && t->flush_at < dl) {
		r = take(ctx, ops, impl, t->buf, t->cap, msg, t->flush_at, want, n, trunc);
		if (r != IO_TIMEOUT)
			return r;
		/* Nothing came by the flush deadline: flush, then wait on. */
		t->flush_at = 0;
		if (consumer_idle(c))
			return IO_STOP;
	}
	return take(ctx, ops, impl, t->buf, t->cap, msg, dl, want, n, trunc);
}

int queue_consume(struct ctx *ctx, struct consumer *c, const struct queue_ops *ops, void *impl, size_t cap)
{
	struct qtake t = { .buf = malloc(cap ? cap : 1), .cap = cap, .flush_at = 0 };
	int status = EXIT_OK;
	if (!t.buf) {
		msg_syserr(ctx->prog, "allocate a %zu-byte receive buffer", cap);
		return EXIT_FAIL;
	}
	for (;;) {
		if (c->stop)
			break;
		if (stop_requested() && !(ops->pending && ops->pending(impl)))
			break;
		uint64_t want = ctx->opt.given[OP_COUNT] ? ctx->opt.count - c->msgs : 0;
		bool trunc = false;
		size_t n = 0;
		const char *msg = t.buf;
		enum io_result r = queue_take(ctx, c, ops, impl, &t, &msg, want, &n, &trunc);
		if (r != IO_OK) {
			if (r == IO_FAILED_REPORTED) {
				status = EXIT_FAIL;
				break;
			}
			if (r == IO_STOP) {
				if (stop_requested())
					break;
				continue;
			}
			if (r == IO_TIMEOUT) {
				c->timed_out = true;
				break;
			}
			/* --nonblock: what was queued has been taken; with nothing
			 * taken at all, the empty queue is an error. */
			if (r == IO_AGAIN && queue_opts(ctx)->nonblock && c->msgs > 0)
				break;
			int e = io_errno(r);
			errno = e;
			msg_syserr(ctx->prog, "receive from %s", ops->what);
			if (ops->explain)
				ops->explain(ctx, impl, e, 0);
			status = EXIT_FAIL;
			break;
		}
		if (trunc) {
			msg_warn(ctx->prog, "a message from %s was truncated to the %zu-byte receive buffer", ops->what,
				 cap);
			c->truncated++;
		}
		if (consumer_deliver(c, msg, queue_unframe(msg, n)))
			break;
		if (!ops->timed_flush)
			continue;
		if (__fpending(stdout) == 0)
			t.flush_at = 0; /* the buffer filled and went out */
		else if (t.flush_at == 0)
			t.flush_at = c->last_ns + QUEUE_FLUSH_NS;
	}
	/* Taken from the queue but not printed (stdout gone): say so. */
	if (ops->pending)
		c->unread += ops->pending(impl);
	free(t.buf);
	return status;
}
