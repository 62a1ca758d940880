/* SPDX-License-Identifier: MIT */
/* mq: POSIX message queues (mq_overview(7)), the notes' sender.c and
 * receiver.c made a tool: priorities, persistence, limits. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo/demo.h"
#include "ipcdemo/explain.h"
#include "ipcdemo/message.h"
#include "ipcdemo/mq.h"
#include "ipcdemo/output.h"
#include "ipcdemo/posixname.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/util.h"
#include "mq_int.h"

#define PROC_MQ "/proc/sys/fs/mqueue/"

/* ---- Options ---- */
struct mq_opts {
	struct queue_opts q; /* first: queue.c reads it */
	uint64_t maxmsg;
	uint64_t msgsize;
	uint64_t priority;
	struct {
		bool maxmsg, msgsize;
	} given;
};

_Static_assert(offsetof(struct mq_opts, q) == 0, "queue.c reads struct queue_opts at the start");

#define AT(member) .offset = offsetof(struct mq_opts, member)
#define GIVEN(member) .given = OPT_GIVEN(struct mq_opts, given.member)

/* What fits the long of struct mq_attr; the kernel's own limits are
 * explained when it refuses a value. */
static const struct opt_def opt_maxmsg = {
	.name = "maxmsg",
	.type = OPT_COUNT,
	.arg = "N",
	.help = "capacity of a queue we create, in messages",
	.min = 1,
	.max = LONG_MAX,
	AT(maxmsg),
	GIVEN(maxmsg),
};
static const struct opt_def opt_msgsize = {
	.name = "msgsize",
	.type = OPT_SIZE,
	.arg = "BYTES",
	.help = "largest message of a queue we create (k, M)",
	.min = 1,
	.max = LONG_MAX,
	AT(msgsize),
	GIVEN(msgsize),
};
static const struct opt_def opt_priority = {
	.name = "priority",
	.type = OPT_COUNT,
	.arg = "N",
	.help = "message priority, 0 (lowest) to 32767",
	AT(priority),
};

static const struct opt_def *const mq_opt_defs[] = {
	&queue_opt_name, &queue_opt_nonblock, &queue_opt_unlink, &opt_maxmsg, &opt_msgsize, &opt_priority, NULL,
};

static const struct opt_scope mq_opt_scope = {
	.defs = mq_opt_defs,
	.size = sizeof(struct mq_opts),
};

static const struct mq_opts *mq_opts(const struct ctx *ctx)
{
	static const struct mq_opts defaults = { .priority = 0 };
	return ctx_mopt(ctx, &defaults);
}

long long mq_qsize(const char *name)
{
	char path[NAME_MAX + 32];
	unsigned long long q;
	snprintf(path, sizeof(path), "/dev/mqueue%s", name);
	FILE *fp = fopen(path, "re");
	if (!fp)
		return -1;
	long long v = fscanf(fp, "QSIZE:%llu", &q) == 1 ? (long long)q : -1;
	fclose(fp);
	return v;
}

/* One limit: the kernel's hard one, or the sysctl (soft, < 0: unknown). */
static bool explain_limit(const char *opt, long v, long hard, const char *unit, long long soft, const char *file)
{
	if (v > hard) {
		fprintf(stderr, "%s %ld is above the kernel's hard limit of %ld %s, which no setting raises.\n", opt, v,
			hard, unit);
		return true;
	}
	if (soft >= 0 && (long long)v > soft) {
		fprintf(stderr,
			"%s %ld is above the system limit %lld (%s%s; raise it with 'sysctl fs.mqueue.%s=%ld' "
			"as root).\n",
			opt, v, soft, PROC_MQ, file, file, v);
		return true;
	}
	return false;
}

/* Say which limit a failed mq_open ran into, and how to raise it. */
static void explain_open(int err, const struct mq_attr *attr)
{
	if (err == EINVAL && attr) {
		/* Privileged processes (CAP_SYS_RESOURCE) may go past the
		 * sysctl limits, up to the kernel's hard ones. */
		const long hard_msg = 65536, hard_size = 16L << 20;
		long long mm = sysctl_read(PROC_MQ "msg_max"), ms = sysctl_read(PROC_MQ "msgsize_max");
		bool said = false;
		said |= explain_limit("--maxmsg", attr->mq_maxmsg, hard_msg, "messages", mm, "msg_max");
		said |= explain_limit("--msgsize", attr->mq_msgsize, hard_size, "bytes", ms, "msgsize_max");
		if (!said)
			fprintf(stderr, "The kernel refuses maxmsg %ld with msgsize %ld.\n", attr->mq_maxmsg,
				attr->mq_msgsize);
	} else if (err == EMFILE) {
		fprintf(stderr, "Either this process has as many files open as it may (ulimit -n), or the queue "
				"would take more memory than RLIMIT_MSGQUEUE allows this user (ulimit -q, in bytes): "
				"then use a smaller --maxmsg or --msgsize, or remove queues with 'ipcdemo mq "
				"unlink'.\n");
	} else if (err == ENOSPC) {
		fprintf(stderr, "The system holds its maximum number of queues (%squeues_max = %lld).\n", PROC_MQ,
			sysctl_read(PROC_MQ "queues_max"));
	} else if (err == ENOSYS) {
		fprintf(stderr, "This kernel was built without POSIX message queues (CONFIG_POSIX_MQUEUE).\n");
	}
}

/* The attributes --maxmsg and --msgsize ask for (an unset one takes the
 * system default, as mq_open with no attributes would); NULL: neither. */
static struct mq_attr *wanted_attr(const struct ctx *ctx, struct mq_attr *want)
{
	const struct mq_opts *o = mq_opts(ctx);
	if (!o->given.maxmsg && !o->given.msgsize)
		return NULL;
	long long dm = sysctl_read(PROC_MQ "msg_default"), ds = sysctl_read(PROC_MQ "msgsize_default");
	memset(want, 0, sizeof(*want));
	want->mq_maxmsg = o->given.maxmsg ? (long)o->maxmsg : (dm > 0 ? (long)dm : 10);
	want->mq_msgsize = o->given.msgsize ? (long)o->msgsize : (ds > 0 ? (long)ds : 8192);
	return want;
}

/* Create the queue with exactly that mode (mq_open obeys the umask; on
 * Linux a queue descriptor is a file descriptor, so fchmod sets it).
 * Returns 0, 1 when it exists already (nothing said), or -1 after a
 * diagnostic, with nothing left behind. */
int mq_make(struct ctx *ctx, struct mqch *q, int oflag, mode_t mode, struct mq_attr *ap)
{
	q->ctx = ctx;
	q->mqd = mqn_open(ctx, q->name, oflag | O_CREAT | O_EXCL | O_CLOEXEC, mode, ap);
	if (q->mqd == (mqd_t)-1) {
		int e = errno;
		if (e == EEXIST)
			return 1;
		msg_syserr(ctx->prog, "mq_open %s", q->name);
		explain_open(e, ap);
		return -1;
	}
	if (mqn_fchmod(ctx, q->mqd, mode) < 0 ||
	    mqn_getattr(ctx, q->mqd, &q->attr, "the size it was made with, which never changes") < 0) {
		msg_syserr(ctx->prog, "set up %s", q->name);
		mqn_close(ctx, q->mqd, "the half-made queue is given up");
		mqn_unlink(ctx, q->name, "and removed: nothing is left behind");
		q->mqd = (mqd_t)-1;
		return -1;
	}
	return 0;
}

/* Open the queue, creating it (with --maxmsg, --msgsize, --mode) when
 * create is set and it does not exist. Returns 0 or -1 after a diagnostic. */
static int mq_open_queue(struct ctx *ctx, struct mqch *q, int oflag, bool create)
{
	const struct opts *o = &ctx->opt;
	const struct mq_opts *mo = mq_opts(ctx);
	struct mq_attr want;
	struct mq_attr *ap = wanted_attr(ctx, &want);
	for (;;) {
		if (create) {
			int made = mq_make(ctx, q, oflag, o->mode, ap);
			if (made < 0)
				return -1;
			if (made == 0) {
				if (!o->quiet)
					msg_warn(ctx->prog, "created queue %s (maxmsg %ld, msgsize %ld, mode %04o)",
						 q->name, q->attr.mq_maxmsg, q->attr.mq_msgsize, (unsigned)o->mode);
				return 0;
			}
		}
		q->mqd = mqn_open(ctx, q->name, oflag | O_CLOEXEC, 0, NULL);
		if (q->mqd != (mqd_t)-1)
			break;
		if (errno == ENOENT && create)
			continue; /* removed between the two calls: create it after all */
		int e = errno;
		msg_syserr(ctx->prog, "mq_open %s", q->name);
		if (e == ENOENT)
			fprintf(stderr, "No such queue; 'ipcdemo mq create --name %s' makes one.\n", q->name);
		return -1;
	}
	if (mqn_getattr(ctx, q->mqd, &q->attr, "msgsize sizes the receive buffer and the largest message") < 0) {
		msg_syserr(ctx->prog, "mq_getattr %s", q->name);
		mqn_close(ctx, q->mqd, "the queue is closed");
		return -1;
	}
	/* An existing queue keeps its size: say so rather than use another. */
	if ((mo->given.maxmsg && q->attr.mq_maxmsg != (long)mo->maxmsg) ||
	    (mo->given.msgsize && q->attr.mq_msgsize != (long)mo->msgsize)) {
		msg_warn(ctx->prog, "%s exists with maxmsg %ld and msgsize %ld, not what --maxmsg/--msgsize ask for",
			 q->name, q->attr.mq_maxmsg, q->attr.mq_msgsize);
		fprintf(stderr, "A queue's size is fixed when it is created; 'ipcdemo mq unlink --name %s' first.\n",
			q->name);
		mqn_close(ctx, q->mqd, "the queue is closed, left as it is");
		return -1;
	}
	return 0;
}

/* The absolute CLOCK_REALTIME time mq_timed* want for the next slice of
 * waiting until a deadline (measured on the monotonic clock: a slice at a
 * time, so that a step of the system clock moves the wait by one slice at
 * most); false when the deadline has passed. */
static bool slice_end(int64_t deadline, struct timespec *abs)
{
	int64_t now = now_mono_ns();
	if (now >= deadline)
		return false;
	int64_t wait = deadline - now > QUEUE_SLICE_NS ? QUEUE_SLICE_NS : deadline - now;
	int64_t t = now_real_ns() + wait;
	abs->tv_sec = (time_t)(t / NSEC_PER_SEC);
	abs->tv_nsec = (long)(t % NSEC_PER_SEC);
	return true;
}

/* The absolute timeout of the next call until the deadline; last: the
 * deadline has passed, a try that does not wait. The end of a slice is
 * kept from call to call, with the deadline it was made for: no clock is
 * read while the deadline stays the same (a call that finds a message or
 * room never looks at the slice's end), and a call that times out on it
 * renews it. So a consumer waiting until a flush deadline reads the clocks
 * once per deadline, not once per message. */
static const struct timespec *call_end(struct mqch *q, int64_t deadline, bool *last)
{
	static const struct timespec now_or_never = { .tv_sec = 0, .tv_nsec = 0 };
	*last = deadline == QUEUE_NOWAIT;
	if (*last)
		return &now_or_never;
	if (!q->has_slice || q->slice_for != deadline) {
		q->slice_for = deadline;
		q->has_slice = slice_end(deadline, &q->slice);
	}
	*last = !q->has_slice;
	return *last ? &now_or_never : &q->slice;
}

/* One mq_timedsend or mq_timedreceive (snd picks which): with
 * QUEUE_NOWAIT, or a deadline that has passed, a try that does not wait;
 * with QUEUE_FOREVER a call with no timeout, as mq_send and mq_receive
 * make (a timeout arms a timer in the kernel each time the call sleeps;
 * a stop request that lands just before the call is caught by the stop
 * kick, util.c); otherwise a call that blocks until the deadline or the
 * end of a slice of at most QUEUE_SLICE_NS, whichever is first. One
 * system call when there is room or a message (no try before it): a
 * round trip costs one send and one receive on each side. Returns what
 * the call returns. */
static ssize_t mq_call(struct mqch *q, bool snd, char *buf, size_t len, int64_t deadline)
{
	for (;;) {
		if (deadline != QUEUE_NOWAIT && stop_requested()) {
			errno = EINTR;
			return -1;
		}
		bool last = false;
		const struct timespec *abs = deadline == QUEUE_FOREVER ? NULL : call_end(q, deadline, &last);
		ssize_t n = explaining(q->ctx) ? mqn_xfer(q, snd, buf, len, abs) : mq_xfer(q, snd, buf, len, abs);
		if (n >= 0)
			return n;
		if (errno != ETIMEDOUT && errno != EINTR)
			return -1;
		if (last) {
			if (errno == ETIMEDOUT)
				errno = deadline == QUEUE_NOWAIT ? EAGAIN : ETIMEDOUT;
			return -1;
		}
		if (errno == ETIMEDOUT)
			q->has_slice = false;
	}
}

static int mq_put(void *impl, const char *msg, size_t n, int64_t deadline)
{
	return mq_call(impl, true, (char *)msg, n, deadline) < 0 ? -1 : 0;
}

enum io_result mq_send_msgs(struct ctx *ctx, void *impl, const char *buf, size_t len, int64_t deadline, size_t *done)
{
	struct mqch *q = impl;
	q->ctx = ctx;
	return queue_send_one(q, buf, len, (size_t)q->attr.mq_msgsize, deadline, done, mq_put);
}

enum io_result mq_recv_msg(struct ctx *ctx, void *impl, char *buf, size_t cap, int64_t deadline, uint64_t want,
			   size_t *len, bool *truncated)
{
	(void)want;
	((struct mqch *)impl)->ctx = ctx;
	*truncated = false; /* the buffer is msgsize: nothing is ever cut */
	ssize_t n = mq_call(impl, false, buf, cap, deadline);
	if (n < 0)
		return io_from_errno(errno);
	*len = (size_t)n;
	return IO_OK;
}

void mq_explain(struct ctx *ctx, void *impl, int err, size_t len)
{
	struct mqch *q = impl;
	struct mq_attr a = q->attr;
	mqn_getattr(ctx, q->mqd, &a, "how full the queue is, for the diagnostic");
	if (err == EMSGSIZE)
		fprintf(stderr,
			"A %zu-byte message is longer than the queue's msgsize, %ld bytes; create the queue "
			"with a larger --msgsize (limit: %lld, %smsgsize_max).\n",
			len, q->attr.mq_msgsize, sysctl_read(PROC_MQ "msgsize_max"), PROC_MQ);
	else if (err == EAGAIN && q->sending)
		fprintf(stderr,
			"The queue is full (%ld of %ld messages); without --nonblock the sender waits for a "
			"receiver to make room.\n",
			a.mq_curmsgs, a.mq_maxmsg);
	else if (err == ETIMEDOUT && q->sending)
		fprintf(stderr, "The queue stayed full (%ld of %ld messages) for the whole --timeout.\n", a.mq_curmsgs,
			a.mq_maxmsg);
	else if (err == EAGAIN)
		fprintf(stderr, "The queue is empty; without --nonblock the receiver waits for a sender.\n");
}

/* "is full (10 of 10 messages)", as queue_ops.wait_state. */
static void mq_wait_state(const struct ctx *ctx, void *impl, bool sending, char *buf, size_t len)
{
	struct mqch *q = impl;
	struct mq_attr a;
	(void)ctx;
	if (sending && mqn_getattr(q->ctx, q->mqd, &a, "the queue is full: the sender waits for room") == 0)
		snprintf(buf, len, "is full (%ld of %ld messages)", a.mq_curmsgs, a.mq_maxmsg);
}

static int mq_setup(struct ctx *ctx, struct mqch *q)
{
	memset(q, 0, sizeof(*q));
	q->mqd = (mqd_t)-1;
	return posix_name(ctx, q->name, sizeof(q->name));
}

static void mq_finish(struct ctx *ctx, struct mqch *q)
{
	if (q->mqd != (mqd_t)-1 &&
	    mqn_close(ctx, q->mqd, "our descriptor is gone; the queue and its messages stay") < 0)
		msg_syserr(ctx->prog, "mq_close %s", q->name);
	if (queue_opts(ctx)->unlink &&
	    mqn_unlink(ctx, q->name, "--unlink: the name is gone, and the queue with the last descriptor") < 0 &&
	    errno != ENOENT)
		msg_syserr(ctx->prog, "mq_unlink %s", q->name);
}

static int mq_send_verb(struct ctx *ctx)
{
	struct mqch q;
	int rc = mq_setup(ctx, &q);
	if (rc)
		return rc;
	long pmax = sysconf(_SC_MQ_PRIO_MAX);
	if (pmax > 0 && mq_opts(ctx)->priority >= (uint64_t)pmax)
		return msg_usage(ctx->prog,
				 "invalid value '%llu' for --priority: must be at most %ld (MQ_PRIO_MAX - 1)",
				 (unsigned long long)mq_opts(ctx)->priority, pmax - 1);
	rc = producer_check(ctx);
	if (rc)
		return rc;
	q.prio = (unsigned)mq_opts(ctx)->priority;
	q.sending = true;
	if (mq_open_queue(ctx, &q, O_WRONLY | (queue_opts(ctx)->nonblock ? O_NONBLOCK : 0), true) < 0)
		return EXIT_FAIL;
	const struct queue_ops ops = {
		.send = mq_send_msgs,
		.recv = mq_recv_msg,
		.pending = NULL,
		.chunk = 1,
		.echo = true,
		.what = q.name,
		.explain = mq_explain,
		.wait_state = mq_wait_state,
	};
	rc = queue_produce(ctx, &ops, &q);
	mq_finish(ctx, &q);
	return rc;
}

static void mq_json(struct out *o, void *arg)
{
	const struct mqch *q = arg;
	out_u64(o, PRINT_JSON, "priority", NULL, q->prio);
	out_string(o, PRINT_JSON, "queue", NULL, q->name);
}

static int mq_receive_verb(struct ctx *ctx)
{
	struct mqch q;
	struct consumer c;
	int rc = mq_setup(ctx, &q);
	if (rc)
		return rc;
	if (mq_open_queue(ctx, &q, O_RDONLY | (queue_opts(ctx)->nonblock ? O_NONBLOCK : 0), true) < 0)
		return EXIT_FAIL;
	if (consumer_init(&c, ctx) < 0) {
		mq_finish(ctx, &q);
		return EXIT_FAIL;
	}
	c.extra = mq_json;
	c.extra_arg = &q;
	const struct queue_ops ops = {
		.send = mq_send_msgs,
		.recv = mq_recv_msg,
		.pending = NULL,
		.chunk = 1,
		.echo = false,
		.what = q.name,
		.explain = mq_explain,
		.wait_state = mq_wait_state,
		.timed_flush = true,
	};
	/* mq_receive needs a buffer of at least msgsize bytes. */
	rc = queue_consume(ctx, &c, &ops, &q, (size_t)q.attr.mq_msgsize);
	rc = consumer_finish(&c, rc);
	mq_finish(ctx, &q);
	return rc;
}

static int mq_create_verb(struct ctx *ctx)
{
	struct mqch q;
	const struct opts *o = &ctx->opt;
	int rc = mq_setup(ctx, &q);
	if (rc)
		return rc;
	struct mq_attr want;
	int made = mq_make(ctx, &q, O_RDONLY, o->mode, wanted_attr(ctx, &want));
	if (made == 1) {
		errno = EEXIST;
		msg_syserr(ctx->prog, "mq_open %s", q.name);
	}
	if (made != 0)
		return EXIT_FAIL;
	if (!o->quiet)
		printf("created %s: maxmsg %ld, msgsize %ld, mode %04o\n", q.name, q.attr.mq_maxmsg, q.attr.mq_msgsize,
		       (unsigned)o->mode);
	mqn_close(ctx, q.mqd, "the queue stays, empty, after we close it");
	return EXIT_OK;
}

static int mq_info_verb(struct ctx *ctx)
{
	struct mqch q;
	struct stat st;
	struct out o;
	int rc = mq_setup(ctx, &q);
	if (rc)
		return rc;
	/* Opening for reading takes nothing from the queue. */
	if (mq_open_queue(ctx, &q, O_RDONLY, false) < 0)
		return EXIT_FAIL;
	if (fstat((int)q.mqd, &st) < 0) {
		msg_syserr(ctx->prog, "stat %s", q.name);
		mqn_close(ctx, q.mqd, "the queue is closed");
		return EXIT_FAIL;
	}
	out_init(&o, stdout, ctx->opt.json);
	out_open(&o);
	out_string(&o, PRINT_ANY, "name", "name:      %s\n", q.name);
	info_owner(&o, st.st_uid, st.st_gid, st.st_mode);
	out_u64(&o, PRINT_ANY, "maxmsg", "maxmsg:    %llu\n", (uint64_t)q.attr.mq_maxmsg);
	out_u64(&o, PRINT_ANY, "msgsize", "msgsize:   %llu\n", (uint64_t)q.attr.mq_msgsize);
	out_u64(&o, PRINT_ANY, "messages", "messages:  %llu", (uint64_t)q.attr.mq_curmsgs);
	out_text(&o, "\n");
	/* The bytes queued are only in the mqueue filesystem's QSIZE line. */
	long long qsize = mq_qsize(q.name);
	if (qsize >= 0)
		out_u64(&o, PRINT_ANY, "bytes", "bytes:     %llu\n", (uint64_t)qsize);
	out_string(&o, PRINT_ANY, "flags", "flags:     %s", (q.attr.mq_flags & O_NONBLOCK) ? "O_NONBLOCK" : "0");
	out_close(&o);
	mqn_close(ctx, q.mqd, "the queue is closed, as it was: info took nothing out");
	return EXIT_OK;
}

static int mq_unlink_verb(struct ctx *ctx)
{
	struct mqch q;
	int rc = mq_setup(ctx, &q);
	if (rc)
		return rc;
	if (mqn_unlink(ctx, q.name, "the name is gone; who has the queue open keeps it until the last close") < 0) {
		msg_syserr(ctx->prog, "mq_unlink %s", q.name);
		return EXIT_FAIL;
	}
	if (!ctx->opt.quiet)
		printf("removed %s\n", q.name);
	return EXIT_OK;
}

static int mq_demo(struct ctx *ctx)
{
	char name[NAME_MAX + 2];
	int rc = demo_name(ctx, name, sizeof(name));
	if (rc)
		return rc;
	/* A queue of its own, never one that exists (its messages are not ours). */
	explain_side(ctx, "demo");
	mqd_t mqd = mqn_open(ctx, name, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, NULL);
	if (mqd == (mqd_t)-1) {
		msg_syserr(ctx->prog, "mq_open %s", name);
		if (errno == EEXIST)
			fprintf(stderr, "The demo makes a queue of its own; choose a --name that does not exist.\n");
		return EXIT_FAIL;
	}
	mqn_close(ctx, mqd, "the queue stays, empty, for the senders and the receiver");
	printf("Three senders put messages of priority 0, 9 and 5 into the POSIX message queue %s\n"
	       "while no one receives: the queue keeps them. Then a receiver starts and takes them:\n"
	       "highest priority first, and the oldest first within one priority.\n\n",
	       name);
	const char *low[] = { "--name", name, "--priority", "0", "priority 0: sent first", "priority 0: sent second",
			      NULL };
	const char *high[] = { "--name", name, "--priority", "9", "priority 9: sent third", NULL };
	const char *mid[] = { "--name", name, "--priority", "5", "priority 5: sent fourth", "priority 5: sent fifth",
			      NULL };
	const char *recv[] = { "--name", name, "--count", "5", "--timeout", "10s", NULL };
	/* One role after the other: the order is the lesson, not a race. */
	const struct demo_role roles[] = {
		{ .label = "sender 0", .verb = "send", .args = low, .delay_ns = 0, .upstream = true },
		{ .label = "sender 9", .verb = "send", .args = high, .delay_ns = 0, .upstream = true },
		{ .label = "sender 5", .verb = "send", .args = mid, .delay_ns = 0, .upstream = true },
		{ .label = "receiver", .verb = "receive", .args = recv, .delay_ns = 0, .upstream = false },
	};
	int st = demo_run_each(ctx, roles, 4);
	if (mqn_unlink(ctx, name, "the demo's queue is removed") < 0 && errno != ENOENT) {
		msg_syserr(ctx->prog, "mq_unlink %s", name);
		if (st == EXIT_OK)
			st = EXIT_FAIL;
	}
	return st;
}

/* clang-format off */
#define MQ_OPEN_OPTIONS                                                                                                    \
	{ .def = &queue_opt_name, .help = "the queue (default: /ipcdemo; a leading slash is added), created if missing" }, \
	{ .id = OP_MODE, .help = "permissions of a queue we create (default 0600)" },                                      \
	{ .def = &opt_maxmsg, .help = "capacity of a queue we create, in messages (default: fs.mqueue.msg_default)" },     \
	{ .def = &opt_msgsize, .help = "largest message of a queue we create (default: fs.mqueue.msgsize_default)" }
/* clang-format on */

static const struct verb_opt send_opts[] = {
	MQ_OPEN_OPTIONS,
	{ .def = &opt_priority, .help = "priority of the messages, 0 (default) to 32767; higher comes out first" },
	{ .def = &queue_opt_nonblock, .help = "fail at once (exit 1) when the queue is full instead of waiting" },
	{ .id = OP_TIMEOUT, .help = "wait at most DURATION for room in a full queue (mq_timedsend; exit 4)" },
	PRODUCER_OPTIONS,
	{ .id = OP_JSON, .help = "print the --stats summary as JSON" },
	{ .id = OP_LABEL, .help = "print TEXT before each echoed message" },
	{ .id = OP_QUIET },
	{ .def = &queue_opt_unlink, .help = "remove the queue on exit" },
	OPT_LIST_END,
};

static const struct verb_opt receive_opts[] = {
	MQ_OPEN_OPTIONS,
	{ .id = OP_COUNT, .help = "stop after N messages" },
	{ .id = OP_TIMEOUT, .help = "stop after DURATION without a message (mq_timedreceive; exit 4 if none came)" },
	{ .def = &queue_opt_nonblock, .help = "take what is queued now and exit; exit 1 if the queue is empty" },
	{ .id = OP_JSON, .help = "one JSON object per message, with its priority" },
	{ .id = OP_VERIFY },
	{ .id = OP_STATS },
	{ .id = OP_LABEL },
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	{ .def = &queue_opt_unlink, .help = "remove the queue on exit" },
	OPT_LIST_END,
};

static const struct verb_opt create_opts[] = {
	{ .def = &queue_opt_name, .help = "the queue (default: /ipcdemo)" },
	{ .id = OP_MODE, .help = "permissions (default 0600)" },
	{ .def = &opt_maxmsg, .help = "capacity in messages (default: fs.mqueue.msg_default)" },
	{ .def = &opt_msgsize, .help = "largest message (default: fs.mqueue.msgsize_default)" },
	{ .id = OP_QUIET, .help = "print nothing" },
	OPT_LIST_END,
};

static const struct verb_opt info_opts[] = {
	{ .def = &queue_opt_name, .help = "the queue (default: /ipcdemo)" },
	{ .id = OP_JSON, .help = "print one JSON object" },
	OPT_LIST_END,
};

static const struct verb_opt unlink_opts[] = {
	{ .def = &queue_opt_name, .help = "the queue (default: /ipcdemo)" },
	{ .id = OP_QUIET, .help = "print nothing" },
	OPT_LIST_END,
};

static const struct verb_opt demo_opts[] = {
	{ .def = &queue_opt_name, .help = "queue to use (default: /ipcdemo-demo-PID, removed at the end)" },
	OPT_LIST_END,
};

#define SEND_DESC \
	"Opens the queue (creating it, mode 0600, if missing) and sends each message with\n" \
	"mq_send(3), echoing it on stdout. A full queue makes the sender wait (--nonblock: exit 1;\n" \
	"--timeout: exit 4). Messages stay queued while no one receives."
#define RECEIVE_DESC \
	"Opens the queue (creating it if missing) and prints each message mq_receive(3) returns,\n" \
	"highest priority first. Runs until -n, --timeout, Ctrl-C, or with --nonblock an empty queue."

static const struct verb mq_verbs[] = {
	{
		.name = "send",
		.summary = "send messages to a POSIX message queue",
		.usage = "[options] [MESSAGE...]",
		.description = SEND_DESC,
		.opts = send_opts,
		.min_args = 0,
		.max_args = -1,
		.run = mq_send_verb,
	},
	{
		.name = "receive",
		.summary = "receive messages from a POSIX message queue",
		.usage = "[options]",
		.description = RECEIVE_DESC,
		.opts = receive_opts,
		.min_args = 0,
		.max_args = 0,
		.run = mq_receive_verb,
	},
	{
		.name = "produce",
		.summary = "the same as send",
		.usage = "[options] [MESSAGE...]",
		.description = SEND_DESC,
		.opts = send_opts,
		.min_args = 0,
		.max_args = -1,
		.run = mq_send_verb,
	},
	{
		.name = "consume",
		.summary = "the same as receive",
		.usage = "[options]",
		.description = RECEIVE_DESC,
		.opts = receive_opts,
		.min_args = 0,
		.max_args = 0,
		.run = mq_receive_verb,
	},
	{
		.name = "create",
		.summary = "create a queue with a given size and mode",
		.usage = "[options]",
		.description = "Creates the queue with mq_open(O_CREAT | O_EXCL); fails if it exists. Sizes above the\n"
			       "system limits (/proc/sys/fs/mqueue) are refused with the limit and how to raise it.",
		.opts = create_opts,
		.min_args = 0,
		.max_args = 0,
		.run = mq_create_verb,
	},
	{
		.name = "info",
		.summary = "show a queue's size, mode and how many messages it holds",
		.usage = "[options]",
		.description = "Prints mq_getattr(3): maxmsg, msgsize, messages queued; and the owner, mode and bytes\n"
			       "queued. Takes nothing from the queue.",
		.opts = info_opts,
		.min_args = 0,
		.max_args = 0,
		.run = mq_info_verb,
	},
	{
		.name = "unlink",
		.summary = "remove a queue",
		.usage = "[options]",
		.description = "Removes the name with mq_unlink(3); processes that have it open keep using it until "
			       "they close it.",
		.opts = unlink_opts,
		.min_args = 0,
		.max_args = 0,
		.run = mq_unlink_verb,
	},
	{
		.name = "rm",
		.summary = "the same as unlink",
		.usage = "[options]",
		.description = NULL,
		.opts = unlink_opts,
		.min_args = 0,
		.max_args = 0,
		.run = mq_unlink_verb,
	},
	{
		.name = "demo",
		.summary = "priorities: a mixed burst comes out highest first",
		.usage = "[options]",
		.description = NULL,
		.opts = demo_opts,
		.min_args = 0,
		.max_args = 0,
		.run = mq_demo,
	},
	{ .name = NULL },
};

const struct mechanism mech_mq = {
	.name = "mq",
	.summary = "POSIX message queues: priorities, persistence, kernel limits",
	.description = "A POSIX message queue is a kernel object with a name (/ipcdemo) that keeps each message\n"
		       "whole and in priority order, and keeps them while no one reads, until it is unlinked or\n"
		       "the system reboots. Its capacity (maxmsg) and message size (msgsize) are fixed at creation.",
	.verbs = mq_verbs,
	.objects = &mq_objects,
	.bench = &mq_bench,
	.opt_scope = &mq_opt_scope,
	.explains = true,
};
