/* SPDX-License-Identifier: MIT */
/* --explain of the mq mechanism (explain.h): each function makes one call
 * on the queue and, when narrating, tells it as strace shows it (glibc's
 * mq_getattr is the system call mq_getsetattr, mq_close is close, and the
 * name goes to the kernel without its leading slash) with what it means
 * here. Off, a function is the call and one test. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/queue.h"
#include "mq_int.h"

/* The name as the kernel gets it: without the leading slash. */
static const char *kname(const char *name)
{
	return name[0] == '/' ? name + 1 : name;
}

/* struct mq_attr as strace prints it. */
static struct xstr xattr(const struct mq_attr *a)
{
	struct xstr x;
	char flags[24];
	if (a->mq_flags & O_NONBLOCK)
		snprintf(flags, sizeof(flags), "%s", "O_NONBLOCK");
	else
		snprintf(flags, sizeof(flags), "%ld", a->mq_flags);
	snprintf(x.s, sizeof(x.s), "{mq_flags=%s, mq_maxmsg=%ld, mq_msgsize=%ld, mq_curmsgs=%ld}", flags, a->mq_maxmsg,
		 a->mq_msgsize, a->mq_curmsgs);
	return x;
}

/* A timeout as strace prints it (NULL: none, the call waits as long as
 * it takes). */
static struct xstr xtime(const struct timespec *t)
{
	struct xstr x;
	if (!t)
		snprintf(x.s, sizeof(x.s), "NULL");
	else
		snprintf(x.s, sizeof(x.s), "{tv_sec=%lld, tv_nsec=%ld}", (long long)t->tv_sec, t->tv_nsec);
	return x;
}

static const char *open_says(int oflag, mqd_t m, int err)
{
	bool excl = (oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	int acc = oflag & O_ACCMODE;
	if (m != (mqd_t)-1 && excl)
		return "a new, empty queue: the kernel keeps it, and every message sent to it, until mq_unlink "
		       "or a reboot, whether anyone has it open or not";
	if (m != (mqd_t)-1)
		return acc == O_WRONLY ? "the queue is open for sending (on Linux its descriptor is a file descriptor)"
		       : acc == O_RDONLY ? "the queue is open for receiving; opening takes no message out"
					 : "the queue is open for sending and receiving";
	switch (err) {
	case EEXIST:
		return "the queue exists already: it is opened as it is, with the size it was made with";
	case ENOENT:
		return "no queue has that name";
	case EACCES:
		return "the queue's mode does not let this user open it that way";
	case EINVAL:
		return "the kernel refuses that maxmsg or msgsize (the limits are in /proc/sys/fs/mqueue)";
	case EMFILE:
		return "too many open files, or queues taking more than RLIMIT_MSGQUEUE bytes for this user";
	case ENOSPC:
		return "the system holds as many queues as fs.mqueue.queues_max allows";
	default:
		return strerror(err);
	}
}

mqd_t mqn_open(struct ctx *ctx, const char *name, int oflag, mode_t mode, struct mq_attr *ap)
{
	if (!explaining(ctx))
		return mq_open(name, oflag, mode, ap);
	if (oflag & O_CREAT)
		explain_begin(ctx, "mq_open", NULL, "%s, %s, %s, %s", xq(kname(name)).s, xflags_open(oflag).s,
			      xmode(mode).s, ap ? xattr(ap).s : "NULL");
	else
		explain_begin(ctx, "mq_open", NULL, "%s, %s", xq(kname(name)).s, xflags_open(oflag).s);
	mqd_t m = mq_open(name, oflag, mode, ap);
	explain_end(ctx, m, errno, "%s", open_says(oflag, m, errno));
	return m;
}

int mqn_fchmod(struct ctx *ctx, mqd_t mqd, mode_t mode)
{
	if (!explaining(ctx))
		return fchmod((int)mqd, mode);
	explain_begin(ctx, "fchmod", NULL, "%d, %s", (int)mqd, xmode(mode).s);
	int rc = fchmod((int)mqd, mode);
	explain_end(ctx, rc, errno, "%s",
		    rc == 0 ? "the mode exactly as asked: mq_open applied the umask to it" : strerror(errno));
	return rc;
}

int mqn_getattr(struct ctx *ctx, mqd_t mqd, struct mq_attr *a, const char *why)
{
	if (!explaining(ctx))
		return mq_getattr(mqd, a);
	int rc = mq_getattr(mqd, a);
	int e = errno;
	if (rc < 0) {
		explain_begin(ctx, "mq_getsetattr", NULL, "%d, NULL, ...", (int)mqd);
		explain_end(ctx, rc, e, "%s", strerror(e));
		return rc;
	}
	explain_begin(ctx, "mq_getsetattr", NULL, "%d, NULL, %s", (int)mqd, xattr(a).s);
	explain_end(ctx, rc, 0, "%ld of %ld messages queued, each at most %ld bytes: %s", a->mq_curmsgs, a->mq_maxmsg,
		    a->mq_msgsize, why);
	return rc;
}

int mqn_close(struct ctx *ctx, mqd_t mqd, const char *why)
{
	if (!explaining(ctx))
		return mq_close(mqd);
	explain_begin(ctx, "close", NULL, "%d", (int)mqd);
	int rc = mq_close(mqd);
	explain_end(ctx, rc, errno, "%s", rc == 0 ? why : strerror(errno));
	return rc;
}

int mqn_unlink(struct ctx *ctx, const char *name, const char *why)
{
	if (!explaining(ctx))
		return mq_unlink(name);
	explain_begin(ctx, "mq_unlink", NULL, "%s", xq(kname(name)).s);
	int rc = mq_unlink(name);
	explain_end(ctx, rc, errno, "%s", rc == 0 ? why : xerr(errno, ENOENT, "no queue has that name (any more)"));
	return rc;
}

/* What a failed mq_timedsend or mq_timedreceive means here. */
static const char *xfer_fail(bool snd, bool now, int err)
{
	switch (err) {
	case ETIMEDOUT:
		if (now)
			return snd ? "the queue is full: a try that does not wait (its time is already past)"
				   : "the queue is empty: a try that does not wait (its time is already past)";
		return snd ? "still full at the end of this wait: look for a stop request and the deadline, then "
			     "wait again"
			   : "still empty at the end of this wait: look for a stop request and the deadline, then "
			     "wait again";
	case EAGAIN:
		return snd ? "the queue is full: EAGAIN (O_NONBLOCK, no wait)"
			   : "the queue is empty: EAGAIN (O_NONBLOCK, no wait)";
	case EINTR:
		return "interrupted by a signal: a stop was asked for";
	case EMSGSIZE:
		return snd ? "the message is longer than the queue's msgsize: EMSGSIZE"
			   : "the buffer is smaller than the queue's msgsize: EMSGSIZE";
	case EBADF:
		return "the queue was not opened for this direction";
	default:
		return strerror(err);
	}
}

/* The arguments of the call as strace prints them after it returns. */
static void xfer_args(struct ctx *ctx, const struct mqch *q, bool snd, const char *buf, size_t len, ssize_t n,
		      const struct timespec *abs)
{
	const char *call = snd ? "mq_timedsend" : "mq_timedreceive";
	if (snd)
		explain_begin(ctx, call, NULL, "%d, %s, %zu, %u, %s", (int)q->mqd, xbuf(buf, len).s, len, q->prio,
			      xtime(abs).s);
	else if (n >= 0)
		explain_begin(ctx, call, NULL, "%d, %s, %zu, [%u], %s", (int)q->mqd, xbuf(buf, (size_t)n).s, len,
			      q->prio, xtime(abs).s);
	else
		explain_begin(ctx, call, NULL, "%d, ..., %zu, ..., %s", (int)q->mqd, len, xtime(abs).s);
}

ssize_t mqn_xfer(struct mqch *q, bool snd, char *buf, size_t len, const struct timespec *abs)
{
	struct ctx *ctx = q->ctx;
	const char *call = snd ? "mq_timedsend" : "mq_timedreceive";
	bool now = abs && abs->tv_sec == 0 && abs->tv_nsec == 0;
	bool full = explain_full(ctx);
	if (full && !snd && !now)
		explain_begin(ctx, call,
			      abs ? "blocks until a message arrives, or until the time given"
				  : "blocks until a message arrives (no timeout: a stop request interrupts it)",
			      "%d, ..., %zu, ..., %s", (int)q->mqd, len, xtime(abs).s);
	ssize_t n = mq_xfer(q, snd, buf, len, abs);
	int e = errno;
	/* A failure that ends the loop is told past N too (EAGAIN: --nonblock). */
	if (!full && n < 0 && e != ETIMEDOUT && e != EINTR)
		full = true;
	if (!full) {
		explain_count(ctx, call, n, n < 0 ? 0 : snd ? len : (size_t)n);
		errno = e;
		return n;
	}
	xfer_args(ctx, q, snd, buf, len, n, abs);
	if (n >= 0 && snd)
		explain_end(ctx, n, 0, "%s",
			    "queued: the kernel keeps the message until a receiver takes it, after we exit too");
	else if (n >= 0)
		explain_end(ctx, n, 0,
			    "a message of %zd bytes, priority %u, out of the queue (the oldest of the "
			    "highest priority)",
			    n, q->prio);
	else
		explain_end(ctx, n, e, "%s", xfer_fail(snd, now, e));
	explain_messages(ctx, n >= 0 ? 1 : 0);
	errno = e;
	return n;
}
