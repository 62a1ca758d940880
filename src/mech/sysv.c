/* SPDX-License-Identifier: MIT */
/* sysv: System V message queues (msgget(2), msgsnd(2), msgrcv(2),
 * msgctl(2)): keys, message types, the objects ipcs(1) and ipcrm(1) see.
 * Its ls, clean and benchmark hooks are in sysv_hooks.c. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo/cli.h"
#include "ipcdemo/demo.h"
#include "ipcdemo/explain.h"
#include "ipcdemo/message.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/sysv.h"
#include "ipcdemo/util.h"
#include "sysv_int.h"

/* ---- Options ---- */
struct sysv_opts {
	struct queue_opts q; /* first: queue.c reads it */
	const char *key;     /* parsed by sysv_key */
	const char *proj;
	int64_t mtype; /* --type */
	bool except;
	bool noerror;
	struct {
		bool mtype;
	} given;
};

_Static_assert(offsetof(struct sysv_opts, q) == 0, "queue.c reads struct queue_opts at the start");

#define AT(member) .offset = offsetof(struct sysv_opts, member)

static const struct opt_def opt_key = {
	.name = "key",
	.short_name = 'k',
	.type = OPT_STRING,
	.arg = "KEY",
	.help = "System V key: 0x hexadecimal or decimal",
	AT(key),
};
static const struct opt_def opt_proj = {
	.name = "proj",
	.type = OPT_STRING,
	.arg = "C",
	.help = "project id for ftok(3) with --path: one character or 1..255",
	AT(proj),
};
static const struct opt_def opt_type = {
	.name = "type",
	.type = OPT_INTEGER,
	.arg = "N",
	.help = "message type",
	AT(mtype),
	.given = OPT_GIVEN(struct sysv_opts, given.mtype),
};
static const struct opt_def opt_except = {
	.name = "except",
	.type = OPT_FLAG,
	.help = "take the first message whose type is not --type (MSG_EXCEPT)",
	AT(except),
};
static const struct opt_def opt_noerror = {
	.name = "noerror",
	.type = OPT_FLAG,
	.help = "truncate a message longer than the buffer (MSG_NOERROR)",
	AT(noerror),
};

static const struct opt_def *const sysv_opt_defs[] = {
	&queue_opt_nonblock, &queue_opt_unlink, &opt_key, &opt_proj, &opt_type, &opt_except, &opt_noerror, NULL,
};

static const struct opt_scope sysv_opt_scope = {
	.defs = sysv_opt_defs,
	.size = sizeof(struct sysv_opts),
};

static const struct sysv_opts *sysv_opts(const struct ctx *ctx)
{
	static const struct sysv_opts defaults = { .mtype = 0 };
	return ctx_mopt(ctx, &defaults);
}

/* The key from --key, or --path and --proj through ftok(3), or the default.
 * Returns 0, EXIT_USAGE or EXIT_FAIL after the message. */
static int sysv_key(struct ctx *ctx, key_t *key)
{
	const struct sysv_opts *o = sysv_opts(ctx);
	const char *path = ctx->opt.path;
	if (o->key && (path || o->proj))
		return msg_usage(ctx->prog, "--key and --path/--proj both name the queue; give one");
	if (o->proj && !path)
		return msg_usage(ctx->prog, "--proj only applies with --path (ftok)");
	if (o->key) {
		uint32_t k;
		const char *why = NULL;
		if (parse_key(o->key, &k, &why) < 0)
			return msg_usage(ctx->prog, "invalid value '%s' for --key: %s", o->key, why);
		if (k == IPC_PRIVATE)
			return msg_usage(ctx->prog,
					 "invalid value '%s' for --key: 0 is IPC_PRIVATE, which no other "
					 "process can find",
					 o->key);
		*key = (key_t)(int32_t)k;
		return 0;
	}
	if (path) {
		int proj = 'i';
		const char *why = NULL;
		if (o->proj && parse_proj(o->proj, &proj, &why) < 0)
			return msg_usage(ctx->prog, "invalid value '%s' for --proj: %s", o->proj, why);
		*key = ftok(path, proj);
		if (*key == (key_t)-1) {
			msg_syserr(ctx->prog, "ftok %s", path);
			return EXIT_FAIL;
		}
		return 0;
	}
	*key = (key_t)SYSV_KEY_DEFAULT;
	return 0;
}

void sysv_explain_get(int err)
{
	if (err == ENOSPC)
		fprintf(stderr, "The system holds its maximum number of queues (/proc/sys/kernel/msgmni = %lld).\n",
			sysctl_read("/proc/sys/kernel/msgmni"));
	else if (err == ENOENT)
		fprintf(stderr, "No queue has that key; 'ipcs -q' lists the queues there are.\n");
}

/* Find the queue, creating it (--mode) when create is set. */
static int sysv_open(struct ctx *ctx, struct sysvq *q, bool create)
{
	int rc = sysv_key(ctx, &q->key);
	if (rc)
		return rc;
	snprintf(q->what, sizeof(q->what), "key 0x%08x", (unsigned)q->key);
	if (create) {
		q->id = sysvn_get(ctx, q->key, IPC_CREAT | IPC_EXCL | (int)ctx->opt.mode);
		if (q->id >= 0) {
			if (!ctx->opt.quiet)
				msg_warn(ctx->prog, "created queue %s, id %d (mode %04o)", q->what, q->id,
					 (unsigned)ctx->opt.mode);
			return 0;
		}
		if (errno != EEXIST) {
			int e = errno;
			msg_syserr(ctx->prog, "msgget %s", q->what);
			sysv_explain_get(e);
			return EXIT_FAIL;
		}
	}
	q->id = sysvn_get(ctx, q->key, 0);
	if (q->id < 0) {
		int e = errno;
		msg_syserr(ctx->prog, "msgget %s", q->what);
		sysv_explain_get(e);
		return EXIT_FAIL;
	}
	return 0;
}

int sysv_alloc(struct ctx *ctx, struct sysvq *q, size_t cap)
{
	q->cap = cap;
	/* One more byte: with --noerror it tells a cut message from one that
	 * fills the buffer exactly. */
	q->buf = malloc(sizeof(long) + cap + 1);
	if (!q->buf) {
		msg_syserr(ctx->prog, "allocate a %zu-byte message buffer", cap);
		return -1;
	}
	return 0;
}

/* The queue's timer's signal: it only interrupts msgsnd and msgrcv, which
 * never restart (signal(7)); with SA_RESTART every other call goes on. */
static void on_tick(int sig)
{
	(void)sig;
}

/* The next tick of a periodic timer first due at tick0. */
static int64_t next_tick(const struct sysvq *q, int64_t now)
{
	if (now < q->tick0)
		return q->tick0;
	return q->tick0 + ((now - q->tick0) / QUEUE_SLICE_NS + 1) * QUEUE_SLICE_NS;
}

static int make_ticker(struct sysvq *q)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGRTMIN, &sa, NULL) < 0)
		return -1;
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN;
	if (sysvn_timer_create(q, &ev) < 0)
		return -1;
	q->has_timer = true;
	return 0;
}

/* msgsnd and msgrcv have no timeout of their own: under a deadline, a
 * timer of the queue's interrupts them. Once armed it ticks every
 * QUEUE_SLICE_NS and is moved only when a deadline comes before its next
 * tick: in the steady state it costs no system call. (A wait with no
 * deadline needs no timer: a stop request that lands just before the call
 * is caught by the stop kick, util.c.) now: the monotonic clock, read
 * already. Returns 0, or -1 with errno. */
static int sysv_ticker(struct sysvq *q, int64_t deadline, int64_t now)
{
	int64_t first = now + QUEUE_SLICE_NS;
	if (deadline < first)
		first = deadline;
	if (q->ticking && next_tick(q, now) <= first)
		return 0;
	if (!q->has_timer && make_ticker(q) < 0)
		return -1;
	struct itimerspec its = {
		.it_interval = { .tv_sec = 0, .tv_nsec = QUEUE_SLICE_NS },
		.it_value = { .tv_sec = (time_t)(first / NSEC_PER_SEC), .tv_nsec = (long)(first % NSEC_PER_SEC) },
	};
	if (sysvn_timer_settime(q, &its) < 0)
		return -1;
	q->ticking = true;
	q->tick0 = first;
	return 0;
}

void sysv_release(struct sysvq *q)
{
	if (q->has_timer)
		sysvn_timer_delete(q);
	q->has_timer = false;
	q->ticking = false;
}

/* One msgsnd or msgrcv (snd picks which): with QUEUE_NOWAIT, or a deadline
 * that has passed, a try that does not wait (IPC_NOWAIT); otherwise a call
 * that blocks (under the queue's timer when there is a deadline), with no
 * try before it: a round trip costs one send and one receive on each
 * side. Returns what the call returns (msgsnd: 0). */
static ssize_t sysv_call(struct sysvq *q, bool snd, size_t len, long type, int flags, int64_t deadline)
{
	for (;;) {
		bool last = deadline == QUEUE_NOWAIT;
		if (!last) {
			if (stop_requested()) {
				errno = EINTR;
				return -1;
			}
			/* One clock reading for both; neither with no deadline:
			 * then the call simply blocks. */
			if (deadline != QUEUE_FOREVER) {
				int64_t now = now_mono_ns();
				if (now >= deadline)
					last = true;
				else if (sysv_ticker(q, deadline, now) < 0)
					return -1;
			}
		}
		int f = flags | (last ? IPC_NOWAIT : 0);
		ssize_t r = explaining(q->ctx) ? sysvn_xfer(q, snd, len, type, f)
			    : snd              ? msgsnd(q->id, q->buf, len, f)
					       : msgrcv(q->id, q->buf, len, type, f);
		if (r >= 0)
			return r;
		if (errno == ENOMSG)
			errno = EAGAIN;
		if (last) {
			if (errno == EAGAIN && deadline != QUEUE_NOWAIT)
				errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

/* msgsnd wants the type and the text in one buffer. */
static int sysv_put(void *impl, const char *msg, size_t n, int64_t deadline)
{
	struct sysvq *q = impl;
	memcpy(q->buf, &q->type, sizeof(long));
	memcpy(q->buf + sizeof(long), msg, n);
	return sysv_call(q, true, n, 0, 0, deadline) < 0 ? -1 : 0;
}

enum io_result sysv_send_msgs(struct ctx *ctx, void *impl, const char *buf, size_t len, int64_t deadline, size_t *done)
{
	struct sysvq *q = impl;
	q->ctx = ctx;
	return queue_send_one(q, buf, len, q->cap, deadline, done, sysv_put);
}

enum io_result sysv_recv_msg(struct ctx *ctx, void *impl, char *buf, size_t cap, int64_t deadline, uint64_t want,
			     size_t *len, bool *truncated)
{
	struct sysvq *q = impl;
	const struct sysv_opts *o = sysv_opts(ctx);
	int flags = (o->noerror ? MSG_NOERROR : 0) | (o->except ? MSG_EXCEPT : 0);
	(void)want;
	q->ctx = ctx;
	*truncated = false;
	ssize_t n = sysv_call(q, false, o->noerror ? cap + 1 : cap, (long)o->mtype, flags, deadline);
	if (n < 0)
		return io_from_errno(errno);
	if ((size_t)n > cap) {
		*truncated = true;
		n = (ssize_t)cap;
	}
	memcpy(&q->type, q->buf, sizeof(long));
	memcpy(buf, q->buf + sizeof(long), (size_t)n);
	*len = (size_t)n;
	return IO_OK;
}

void sysv_explain(struct ctx *ctx, void *impl, int err, size_t len)
{
	struct sysvq *q = impl;
	struct msqid_ds ds;
	bool stat_ok = sysvn_ctl(ctx, q->id, IPC_STAT, &ds, "how full the queue is, for the diagnostic") == 0;
	if (err == EMSGSIZE)
		fprintf(stderr,
			"A %zu-byte message is above msgmax, the largest message the system takes: %zu bytes "
			"(/proc/sys/kernel/msgmax).\n",
			len, q->cap);
	else if (err == E2BIG)
		fprintf(stderr,
			"The next message is longer than the %zu-byte receive buffer and stays queued; "
			"receive it with a larger --size, or cut it with --noerror.\n",
			q->cap);
	else if (err == EIDRM)
		fprintf(stderr, "The queue was removed while we waited on it (ipcrm, or 'ipcdemo sysv rm').\n");
	else if ((err == EAGAIN || err == ETIMEDOUT) && q->sending && stat_ok)
		fprintf(stderr, "The queue is full (%lu messages, %lu of %lu bytes)%s.\n", (unsigned long)ds.msg_qnum,
			(unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes,
			err == EAGAIN ? "; without --nonblock the sender waits for room" : " for the whole --timeout");
	else if (err == EAGAIN && !q->sending)
		fprintf(stderr, "No message of the wanted type is queued; without --nonblock the receiver waits.\n");
}

/* "is full (3 messages, 16384 of 16384 bytes)", "has no message of type
 * 2", as queue_ops.wait_state. */
static void sysv_wait_state(const struct ctx *ctx, void *impl, bool sending, char *buf, size_t len)
{
	const struct sysvq *q = impl;
	const struct sysv_opts *o = sysv_opts(ctx);
	long long t = (long long)o->mtype;
	struct msqid_ds ds;
	if (sending && sysvn_ctl(q->ctx, q->id, IPC_STAT, &ds, "the queue is full: the sender waits for room") == 0)
		snprintf(buf, len, "is full (%lu messages, %lu of %lu bytes)", (unsigned long)ds.msg_qnum,
			 (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes);
	else if (!sending && t > 0)
		snprintf(buf, len, "has no message of type %s%lld", o->except ? "other than " : "", t);
	else if (!sending && t < 0)
		snprintf(buf, len, "has no message of type %lld or lower", -t);
}

static long long msgmax(void)
{
	long long v = sysctl_read("/proc/sys/kernel/msgmax");
	return v > 0 ? v : 8192;
}

static void sysv_close(struct ctx *ctx, struct sysvq *q)
{
	q->ctx = ctx;
	sysv_release(q);
	free(q->buf);
	q->buf = NULL;
	if (queue_opts(ctx)->unlink && q->id >= 0 &&
	    sysvn_ctl(ctx, q->id, IPC_RMID, NULL,
		      "--unlink: the queue is gone at once, with what it held; a process waiting on it gets EIDRM") <
		    0 &&
	    errno != EINVAL && errno != EIDRM)
		msg_syserr(ctx->prog, "remove %s", q->what);
}

static int sysv_send_verb(struct ctx *ctx)
{
	struct sysvq q = { .id = -1, .sending = true, .ctx = ctx };
	int64_t mtype = sysv_opts(ctx)->given.mtype ? sysv_opts(ctx)->mtype : 1;
	if (mtype < 1)
		return msg_usage(ctx->prog, "invalid value '%lld' for --type: a message type must be at least 1",
				 (long long)mtype);
	if (mtype > LONG_MAX)
		return msg_usage(ctx->prog, "invalid value for --type: too large");
	int rc = producer_check(ctx);
	if (rc)
		return rc;
	q.type = (long)mtype;
	rc = sysv_open(ctx, &q, true);
	if (rc)
		return rc;
	if (sysv_alloc(ctx, &q, (size_t)msgmax()) < 0)
		return EXIT_FAIL;
	const struct queue_ops ops = {
		.send = sysv_send_msgs,
		.recv = sysv_recv_msg,
		.pending = NULL,
		.chunk = 1,
		.echo = true,
		.what = q.what,
		.explain = sysv_explain,
		.wait_state = sysv_wait_state,
	};
	rc = queue_produce(ctx, &ops, &q);
	sysv_close(ctx, &q);
	return rc;
}

static void sysv_json(struct out *o, void *arg)
{
	const struct sysvq *q = arg;
	char key[16];
	snprintf(key, sizeof(key), "0x%08x", (unsigned)q->key);
	out_i64(o, PRINT_JSON, "type", NULL, q->type);
	out_string(o, PRINT_JSON, "key", NULL, key);
	out_i64(o, PRINT_JSON, "msqid", NULL, q->id);
}

static int sysv_receive_verb(struct ctx *ctx)
{
	struct sysvq q = { .id = -1, .ctx = ctx };
	struct consumer c;
	if (sysv_opts(ctx)->except && sysv_opts(ctx)->mtype <= 0)
		return msg_usage(ctx->prog, "--except needs --type N with N > 0 (the type to skip)");
	int rc = sysv_open(ctx, &q, true);
	if (rc)
		return rc;
	size_t cap = ctx->opt.given[OP_SIZE] ? (size_t)ctx->opt.size : (size_t)msgmax();
	if (sysv_alloc(ctx, &q, cap) < 0)
		return EXIT_FAIL;
	if (consumer_init(&c, ctx) < 0) {
		sysv_close(ctx, &q);
		return EXIT_FAIL;
	}
	c.extra = sysv_json;
	c.extra_arg = &q;
	const struct queue_ops ops = {
		.send = sysv_send_msgs,
		.recv = sysv_recv_msg,
		.pending = NULL,
		.chunk = 1,
		.echo = false,
		.what = q.what,
		.explain = sysv_explain,
		.wait_state = sysv_wait_state,
		.timed_flush = true,
	};
	rc = queue_consume(ctx, &c, &ops, &q, cap);
	rc = consumer_finish(&c, rc);
	sysv_close(ctx, &q);
	return rc;
}

static int sysv_create_verb(struct ctx *ctx)
{
	struct sysvq q = { .id = -1, .ctx = ctx };
	int rc = sysv_key(ctx, &q.key);
	if (rc)
		return rc;
	q.id = sysvn_get(ctx, q.key, IPC_CREAT | IPC_EXCL | (int)ctx->opt.mode);
	if (q.id < 0) {
		int e = errno;
		msg_syserr(ctx->prog, "msgget key 0x%08x", (unsigned)q.key);
		sysv_explain_get(e);
		return EXIT_FAIL;
	}
	if (!ctx->opt.quiet)
		printf("created key 0x%08x: id %d, mode %04o\n", (unsigned)q.key, q.id, (unsigned)ctx->opt.mode);
	return EXIT_OK;
}

static void out_time(struct out *o, const char *key, const char *fmt, time_t t)
{
	char ts[40];
	if (t == 0) {
		if (o->json)
			out_null(o, key);
		else
			out_string(o, PRINT_TEXT, key, fmt, "never");
		return;
	}
	format_rfc3339(ts, sizeof(ts), (int64_t)t * NSEC_PER_SEC);
	out_string(o, PRINT_ANY, key, fmt, ts);
}

static int sysv_info_verb(struct ctx *ctx)
{
	struct sysvq q = { .id = -1, .ctx = ctx };
	struct msqid_ds ds;
	struct out o;
	int rc = sysv_open(ctx, &q, false);
	if (rc)
		return rc;
	if (sysvn_ctl(ctx, q.id, IPC_STAT, &ds, "the queue as the kernel keeps it; nothing is taken out") < 0) {
		msg_syserr(ctx->prog, "msgctl IPC_STAT %s", q.what);
		return EXIT_FAIL;
	}
	char key[16];
	snprintf(key, sizeof(key), "0x%08x", (unsigned)q.key);
	out_init(&o, stdout, ctx->opt.json);
	out_open(&o);
	out_string(&o, PRINT_ANY, "key", "key:       %s\n", key);
	out_i64(&o, PRINT_ANY, "msqid", "msqid:     %lld\n", q.id);
	info_owner(&o, ds.msg_perm.uid, ds.msg_perm.gid, ds.msg_perm.mode & 0777);
	out_u64(&o, PRINT_ANY, "cuid", "creator:   uid %llu", ds.msg_perm.cuid);
	out_u64(&o, PRINT_ANY, "cgid", ", gid %llu\n", ds.msg_perm.cgid);
	out_u64(&o, PRINT_ANY, "messages", "messages:  %llu\n", ds.msg_qnum);
	out_u64(&o, PRINT_ANY, "bytes", "bytes:     %llu", ds.__msg_cbytes);
	out_u64(&o, PRINT_ANY, "qbytes", " of %llu (qbytes)\n", ds.msg_qbytes);
	out_i64(&o, PRINT_ANY, "lspid", "last send: pid %lld", ds.msg_lspid);
	out_time(&o, "stime", ", %s\n", ds.msg_stime);
	out_i64(&o, PRINT_ANY, "lrpid", "last recv: pid %lld", ds.msg_lrpid);
	out_time(&o, "rtime", ", %s\n", ds.msg_rtime);
	out_time(&o, "ctime", "changed:   %s", ds.msg_ctime);
	out_close(&o);
	return EXIT_OK;
}

static int sysv_rm_verb(struct ctx *ctx)
{
	struct sysvq q = { .id = -1, .ctx = ctx };
	int rc = sysv_open(ctx, &q, false);
	if (rc)
		return rc;
	if (sysvn_ctl(ctx, q.id, IPC_RMID, NULL,
		      "the queue is gone at once, with what it held; a process waiting on it gets EIDRM") < 0) {
		msg_syserr(ctx->prog, "msgctl IPC_RMID %s", q.what);
		return EXIT_FAIL;
	}
	if (!ctx->opt.quiet)
		printf("removed %s, id %d\n", q.what, q.id);
	return EXIT_OK;
}

static int sysv_demo(struct ctx *ctx)
{
	char key[16];
	int id = -1;
	key_t k = 0;
	explain_side(ctx, "demo");
	/* A queue of our own: the first free key in ipcdemo's range. */
	for (unsigned i = 1; i < 0x100 && id < 0; i++) {
		k = (key_t)(SYSV_KEY_BASE + i);
		if (k == SYSV_KEY_DEFAULT)
			continue;
		id = sysvn_get(ctx, k, IPC_CREAT | IPC_EXCL | 0600);
		if (id < 0 && errno != EEXIST) {
			msg_syserr(ctx->prog, "msgget key 0x%08x", (unsigned)k);
			return EXIT_FAIL;
		}
	}
	if (id < 0) {
		msg_warn(ctx->prog,
			 "every key from 0x%08x to 0x%08x is taken; 'ipcdemo clean' removes ipcdemo's queues",
			 SYSV_KEY_BASE + 1, SYSV_KEY_BASE + 0xff);
		return EXIT_FAIL;
	}
	snprintf(key, sizeof(key), "0x%08x", (unsigned)k);
	printf("Senders put messages of type 1, 3 and 2 into the System V queue with key %s (id %d).\n"
	       "Then one receiver takes only type 2 (--type 2), and another the lowest type up to 3\n"
	       "first (--type -3): each finds the messages it asks for, whatever their order.\n\n",
	       key, id);
	const char *t1[] = { "--key", key, "--type", "1", "type 1: sent first", "type 1: sent second", NULL };
	const char *t3[] = { "--key", key, "--type", "3", "type 3: sent third", NULL };
	const char *t2[] = { "--key", key, "--type", "2", "type 2: sent fourth", "type 2: sent fifth", NULL };
	const char *r2[] = { "--key", key, "--type", "2", "--count", "2", "--timeout", "10s", NULL };
	const char *rl[] = { "--key", key, "--type", "-3", "--count", "3", "--timeout", "10s", NULL };
	/* One role after the other: which receiver gets what must not depend
	 * on when each one started. */
	const struct demo_role roles[] = {
		{ .label = "sender 1", .verb = "send", .args = t1, .delay_ns = 0, .upstream = true },
		{ .label = "sender 3", .verb = "send", .args = t3, .delay_ns = 0, .upstream = true },
		{ .label = "sender 2", .verb = "send", .args = t2, .delay_ns = 0, .upstream = true },
		{ .label = "type 2  ", .verb = "receive", .args = r2, .delay_ns = 0, .upstream = false },
		{ .label = "type <=3", .verb = "receive", .args = rl, .delay_ns = 0, .upstream = false },
	};
	int st = demo_run_each(ctx, roles, 5);
	if (sysvn_ctl(ctx, id, IPC_RMID, NULL, "the demo's queue is removed") < 0 && errno != EINVAL &&
	    errno != EIDRM) {
		msg_syserr(ctx->prog, "remove queue %s", key);
		if (st == EXIT_OK)
			st = EXIT_FAIL;
	}
	return st;
}

/* clang-format off */
#define SYSV_KEY_OPTIONS                                                                                 \
	{ .def = &opt_key, .help = "the queue's key: 0x hexadecimal or decimal (default: 0x69706364)" }, \
	{ .id = OP_PATH, .help = "an existing file: the key is ftok(PATH, --proj)" },                    \
	{ .def = &opt_proj, .help = "project id for ftok: one character or 1..255 (default: i)" }
/* clang-format on */

static const struct verb_opt send_opts[] = {
	SYSV_KEY_OPTIONS,
	{ .id = OP_MODE, .help = "permissions of a queue we create (default 0600)" },
	{ .def = &opt_type, .help = "message type, at least 1 (default: 1)" },
	{ .def = &queue_opt_nonblock, .help = "fail at once (exit 1) when the queue is full (IPC_NOWAIT)" },
	{ .id = OP_TIMEOUT, .help = "wait at most DURATION for room in a full queue (exit 4)" },
	PRODUCER_OPTIONS,
	{ .id = OP_JSON, .help = "print the --stats summary as JSON" },
	{ .id = OP_LABEL, .help = "print TEXT before each echoed message" },
	{ .id = OP_QUIET },
	{ .def = &queue_opt_unlink, .help = "remove the queue on exit" },
	OPT_LIST_END,
};

static const struct verb_opt receive_opts[] = {
	SYSV_KEY_OPTIONS,
	{ .id = OP_MODE, .help = "permissions of a queue we create (default 0600)" },
	{ .def = &opt_type,
	  .help = "which messages: 0 any (default), N only type N, -N the lowest type up to N first" },
	{ .def = &opt_except, .help = "with --type N: any message whose type is not N (MSG_EXCEPT)" },
	{ .def = &opt_noerror, .help = "cut a message longer than the buffer and report it (MSG_NOERROR)" },
	{ .id = OP_SIZE, .help = "receive buffer (default: msgmax, /proc/sys/kernel/msgmax)" },
	{ .id = OP_COUNT, .help = "stop after N messages" },
	{ .id = OP_TIMEOUT, .help = "stop after DURATION without a message (exit 4 if none came)" },
	{ .def = &queue_opt_nonblock,
	  .help = "take what is queued now and exit; exit 1 if there is nothing (IPC_NOWAIT)" },
	{ .id = OP_JSON, .help = "one JSON object per message, with its type" },
	{ .id = OP_VERIFY },
	{ .id = OP_STATS },
	{ .id = OP_LABEL },
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	{ .def = &queue_opt_unlink, .help = "remove the queue on exit" },
	OPT_LIST_END,
};

static const struct verb_opt create_opts[] = {
	SYSV_KEY_OPTIONS,
	{ .id = OP_MODE, .help = "permissions (default 0600)" },
	{ .id = OP_QUIET, .help = "print nothing" },
	OPT_LIST_END,
};

static const struct verb_opt info_opts[] = {
	SYSV_KEY_OPTIONS,
	{ .id = OP_JSON, .help = "print one JSON object" },
	OPT_LIST_END,
};

static const struct verb_opt rm_opts[] = {
	SYSV_KEY_OPTIONS,
	{ .id = OP_QUIET, .help = "print nothing" },
	OPT_LIST_END,
};

static const struct verb_opt demo_opts[] = {
	OPT_LIST_END,
};

#define SEND_DESC \
	"Finds the queue by its key (creating it, mode 0600, if missing) and sends each message\n" \
	"with msgsnd(2) as type --type, echoing it on stdout. A full queue makes the sender wait."
#define RECEIVE_DESC \
	"Takes messages with msgrcv(2): --type 0 the oldest of any type, N the oldest of type N,\n" \
	"-N the lowest type up to N first. Runs until -n, --timeout, Ctrl-C, or with --nonblock\n" \
	"nothing left to take."

static const struct verb sysv_verbs[] = {
	{
		.name = "send",
		.summary = "send typed messages to a System V queue",
		.usage = "[options] [MESSAGE...]",
		.description = SEND_DESC,
		.opts = send_opts,
		.min_args = 0,
		.max_args = -1,
		.run = sysv_send_verb,
	},
	{
		.name = "receive",
		.summary = "receive messages by type from a System V queue",
		.usage = "[options]",
		.description = RECEIVE_DESC,
		.opts = receive_opts,
		.min_args = 0,
		.max_args = 0,
		.run = sysv_receive_verb,
	},
	{
		.name = "produce",
		.summary = "the same as send",
		.usage = "[options] [MESSAGE...]",
		.description = SEND_DESC,
		.opts = send_opts,
		.min_args = 0,
		.max_args = -1,
		.run = sysv_send_verb,
	},
	{
		.name = "consume",
		.summary = "the same as receive",
		.usage = "[options]",
		.description = RECEIVE_DESC,
		.opts = receive_opts,
		.min_args = 0,
		.max_args = 0,
		.run = sysv_receive_verb,
	},
	{
		.name = "create",
		.summary = "create a queue",
		.usage = "[options]",
		.description = "Creates the queue with msgget(IPC_CREAT | IPC_EXCL); fails if "
			       "the key is taken.",
		.opts = create_opts,
		.min_args = 0,
		.max_args = 0,
		.run = sysv_create_verb,
	},
	{
		.name = "info",
		.summary = "show a queue's owner, mode, messages and last senders",
		.usage = "[options]",
		.description = "Prints msgctl(IPC_STAT): what ipcs -q -i ID shows.",
		.opts = info_opts,
		.min_args = 0,
		.max_args = 0,
		.run = sysv_info_verb,
	},
	{
		.name = "rm",
		.summary = "remove a queue",
		.usage = "[options]",
		.description =
			"Removes the queue at once with msgctl(IPC_RMID), as ipcrm -Q KEY does; waiting senders and\n"
			"receivers get EIDRM.",
		.opts = rm_opts,
		.min_args = 0,
		.max_args = 0,
		.run = sysv_rm_verb,
	},
	{
		.name = "unlink",
		.summary = "the same as rm",
		.usage = "[options]",
		.description = NULL,
		.opts = rm_opts,
		.min_args = 0,
		.max_args = 0,
		.run = sysv_rm_verb,
	},
	{
		.name = "demo",
		.summary = "message types: receivers pick the messages they ask for",
		.usage = "[options]",
		.description = NULL,
		.opts = demo_opts,
		.min_args = 0,
		.max_args = 0,
		.run = sysv_demo,
	},
	{ .name = NULL },
};

const struct mechanism mech_sysv = {
	.name = "sysv",
	.summary = "System V message queues: keys, message types, ipcs and ipcrm",
	.description = "The older queue API: a queue is found by a numeric key (from ftok(3) or chosen), each\n"
		       "message carries a type, and a receiver can ask for one type, any type but one, or the\n"
		       "lowest types first. Queues persist until removed; ipcs -q lists them.",
	.verbs = sysv_verbs,
	.objects = &sysv_objects,
	.bench = &sysv_bench,
	.opt_scope = &sysv_opt_scope,
	.explains = true,
};
