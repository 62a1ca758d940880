/* SPDX-License-Identifier: MIT */
/* --explain of the sysv mechanism (explain.h): each function makes one
 * call on the queue, or on the timer that interrupts a blocking msgsnd or
 * msgrcv, and when narrating tells it as strace shows it with what it
 * means here. Off, a function is the call and one test. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <time.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/queue.h"
#include "sysv_int.h"

/* A key as strace prints it. */
static struct xstr xkey(key_t key)
{
	struct xstr x;
	if (key == IPC_PRIVATE)
		snprintf(x.s, sizeof(x.s), "%s", "IPC_PRIVATE");
	else
		snprintf(x.s, sizeof(x.s), "%#x", (unsigned)key);
	return x;
}

/* msgget's flags: IPC_CREAT|IPC_EXCL|0600, or 000. */
static struct xstr xget_flags(int flags)
{
	struct xstr x;
	snprintf(x.s, sizeof(x.s), "%s%s%#03o", (flags & IPC_CREAT) ? "IPC_CREAT|" : "",
		 (flags & IPC_EXCL) ? "IPC_EXCL|" : "", (unsigned)(flags & 0777));
	return x;
}

/* msgsnd's and msgrcv's flags. */
static struct xstr xmsg_flags(int flags)
{
	struct xstr x = { .s = "" };
	size_t off = 0;
	static const struct {
		int bit;
		const char *name;
	} names[] = {
		{ .bit = MSG_NOERROR, .name = "MSG_NOERROR" },
		{ .bit = MSG_EXCEPT, .name = "MSG_EXCEPT" },
		{ .bit = IPC_NOWAIT, .name = "IPC_NOWAIT" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			off += (size_t)snprintf(x.s + off, sizeof(x.s) - off, "%s%s", off ? "|" : "", names[i].name);
	if (!off)
		snprintf(x.s, sizeof(x.s), "%s", "0");
	return x;
}

int sysvn_get(struct ctx *ctx, key_t key, int flags)
{
	if (!explaining(ctx))
		return msgget(key, flags);
	explain_begin(ctx, "msgget", NULL, "%s, %s", xkey(key).s, xget_flags(flags).s);
	int id = msgget(key, flags);
	int e = errno;
	if (id >= 0 && (flags & IPC_EXCL))
		explain_end(ctx, id, 0,
			    "a new, empty queue with id %d: the kernel keeps it, and every message sent to it, until "
			    "msgctl IPC_RMID or a reboot (ipcs -q lists it)",
			    id);
	else if (id >= 0)
		explain_end(ctx, id, 0, "the queue of that key has id %d: every call on it names it by that id", id);
	else
		explain_end(ctx, id, e, "%s",
			    e == EEXIST   ? "a queue has that key already: it is used as it is"
			    : e == ENOENT ? "no queue has that key"
			    : e == EACCES ? "its mode does not let this user use it"
			    : e == ENOSPC ? "the system holds as many queues as kernel.msgmni allows"
					  : strerror(e));
	errno = e;
	return id;
}

int sysvn_ctl(struct ctx *ctx, int id, int cmd, struct msqid_ds *ds, const char *why)
{
	if (!explaining(ctx))
		return msgctl(id, cmd, ds);
	int rc = msgctl(id, cmd, ds);
	int e = errno;
	if (cmd == IPC_RMID) {
		explain_begin(ctx, "msgctl", NULL, "%d, IPC_RMID, NULL", id);
		explain_end(ctx, rc, e, "%s", rc == 0 ? why : xerr(e, EINVAL, "no queue has that id (any more)"));
	} else if (rc == 0) {
		explain_begin(ctx, "msgctl", NULL,
			      "%d, IPC_STAT, {msg_perm={uid=%u, gid=%u, mode=%#o, key=%d, cuid=%u, cgid=%u}, "
			      "msg_stime=%lld, msg_rtime=%lld, msg_ctime=%lld, msg_qnum=%lu, msg_qbytes=%lu, "
			      "msg_lspid=%d, msg_lrpid=%d}",
			      id, (unsigned)ds->msg_perm.uid, (unsigned)ds->msg_perm.gid, (unsigned)ds->msg_perm.mode,
			      (int)ds->msg_perm.__key, (unsigned)ds->msg_perm.cuid, (unsigned)ds->msg_perm.cgid,
			      (long long)ds->msg_stime, (long long)ds->msg_rtime, (long long)ds->msg_ctime,
			      (unsigned long)ds->msg_qnum, (unsigned long)ds->msg_qbytes, (int)ds->msg_lspid,
			      (int)ds->msg_lrpid);
		explain_end(ctx, rc, 0, "%lu messages queued, %lu of %lu bytes: %s", (unsigned long)ds->msg_qnum,
			    (unsigned long)ds->__msg_cbytes, (unsigned long)ds->msg_qbytes, why);
	} else {
		explain_begin(ctx, "msgctl", NULL, "%d, IPC_STAT, ...", id);
		explain_end(ctx, rc, e, "%s", strerror(e));
	}
	errno = e;
	return rc;
}

/* What a failed msgsnd or msgrcv means here. */
static const char *xfer_fail(bool snd, int err)
{
	switch (err) {
	case EAGAIN:
		return "the queue is full (msg_qbytes): IPC_NOWAIT returns at once";
	case ENOMSG:
		return "no message of the wanted type is queued: IPC_NOWAIT returns at once";
	case EINTR:
		return "interrupted by the queue's timer (or a stop request): look at both, then wait again";
	case E2BIG:
		return "the next message is longer than the buffer: it stays queued (MSG_NOERROR would cut it)";
	case EIDRM:
		return "the queue was removed while we waited on it";
	case EINVAL:
		return snd ? "no queue has that id, or the message is above msgmax" : "no queue has that id";
	default:
		return strerror(err);
	}
}

ssize_t sysvn_xfer(struct sysvq *q, bool snd, size_t len, long type, int flags)
{
	struct ctx *ctx = q->ctx;
	const char *call = snd ? "msgsnd" : "msgrcv";
	bool full = explain_full(ctx);
	if (full && !snd && !(flags & IPC_NOWAIT))
		explain_begin(ctx, call,
			      "blocks until a message of the wanted type arrives (the queue's timer "
			      "interrupts it every 250 ms)",
			      "%d, ..., %zu, %ld, %s", q->id, len, type, xmsg_flags(flags).s);
	ssize_t r = snd ? msgsnd(q->id, q->buf, len, flags) : msgrcv(q->id, q->buf, len, type, flags);
	int e = errno;
	/* A failure that ends the loop is told past N too: not the timer's
	 * interruptions, nor a try that finds the queue full or empty, unless
	 * with --nonblock that ends it. */
	if (!full && r < 0 && e != EINTR && ((e != EAGAIN && e != ENOMSG) || queue_opts(ctx)->nonblock))
		full = true;
	if (!full) {
		explain_count(ctx, call, r, r < 0 ? 0 : snd ? len : (size_t)r);
		errno = e;
		return r;
	}
	long mtype = 0;
	if (r >= 0 || snd)
		memcpy(&mtype, q->buf, sizeof(long));
	const char *text = q->buf + sizeof(long);
	if (snd)
		explain_begin(ctx, call, NULL, "%d, {mtype=%ld, mtext=%s}, %zu, %s", q->id, mtype, xbuf(text, len).s,
			      len, xmsg_flags(flags).s);
	else if (r >= 0)
		explain_begin(ctx, call, NULL, "%d, {mtype=%ld, mtext=%s}, %zu, %ld, %s", q->id, mtype,
			      xbuf(text, (size_t)r).s, len, type, xmsg_flags(flags).s);
	else
		explain_begin(ctx, call, NULL, "%d, ..., %zu, %ld, %s", q->id, len, type, xmsg_flags(flags).s);
	if (r >= 0 && snd)
		explain_end(ctx, r, 0, "%s",
			    "queued: the kernel keeps the message, after we exit too, until a receiver takes it");
	else if (r >= 0)
		explain_end(ctx, r, 0,
			    "a message of type %ld, %zd bytes, out of the queue (the first of the wanted type)", mtype,
			    r);
	else
		explain_end(ctx, r, e, "%s", xfer_fail(snd, e));
	explain_messages(ctx, r >= 0 ? 1 : 0);
	errno = e;
	return r;
}

int sysvn_timer_create(struct sysvq *q, struct sigevent *ev)
{
	struct ctx *ctx = q->ctx;
	if (!explaining(ctx))
		return timer_create(CLOCK_MONOTONIC, ev, &q->timer);
	int rc = timer_create(CLOCK_MONOTONIC, ev, &q->timer);
	int e = errno;
	explain_begin(ctx, "timer_create", NULL,
		      "CLOCK_MONOTONIC, {sigev_signo=SIGRT_%d, sigev_notify=SIGEV_SIGNAL}, [%d]", ev->sigev_signo - 32,
		      rc == 0 ? (int)(intptr_t)q->timer : -1);
	explain_end(ctx, rc, e, "%s",
		    rc == 0 ? "msgsnd and msgrcv have no timeout of their own: this timer's signal interrupts "
			      "them (EINTR), so that the deadline and a stop request are seen"
			    : strerror(e));
	errno = e;
	return rc;
}

int sysvn_timer_settime(struct sysvq *q, const struct itimerspec *its)
{
	struct ctx *ctx = q->ctx;
	if (!explaining(ctx))
		return timer_settime(q->timer, TIMER_ABSTIME, its, NULL);
	bool full = explain_full(ctx);
	int rc = timer_settime(q->timer, TIMER_ABSTIME, its, NULL);
	int e = errno;
	if (!full && rc == 0) {
		explain_count(ctx, "timer_settime", rc, SIZE_MAX);
		return rc;
	}
	explain_begin(ctx, "timer_settime", NULL,
		      "%d, TIMER_ABSTIME, {it_interval={tv_sec=%lld, tv_nsec=%ld}, it_value={tv_sec=%lld, "
		      "tv_nsec=%ld}}, NULL",
		      (int)(intptr_t)q->timer, (long long)its->it_interval.tv_sec, its->it_interval.tv_nsec,
		      (long long)its->it_value.tv_sec, its->it_value.tv_nsec);
	explain_end(ctx, rc, e, "%s",
		    rc == 0 ? "the timer ticks at the deadline or in 250 ms, whichever comes first, then every 250 ms"
			    : strerror(e));
	errno = e;
	return rc;
}

void sysvn_timer_delete(struct sysvq *q)
{
	struct ctx *ctx = q->ctx;
	if (!ctx || !explaining(ctx)) {
		timer_delete(q->timer);
		return;
	}
	explain_begin(ctx, "timer_delete", NULL, "%d", (int)(intptr_t)q->timer);
	int rc = timer_delete(q->timer);
	explain_end(ctx, rc, errno, "%s", rc == 0 ? "the queue's timer is gone: no more ticks" : strerror(errno));
}
