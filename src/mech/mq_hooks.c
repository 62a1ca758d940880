/* SPDX-License-Identifier: MIT */
/* mq: the hooks of 'ipcdemo ls' and 'ipcdemo clean' (the queues of
 * /dev/mqueue) and of the benchmark (queues made for its runs). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/mq.h"
#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/util.h"
#include "mq_int.h"

/* ---- ls and clean ---- */

#define MQ_DIR "/dev/mqueue"
#define MQUEUE_MAGIC 0x19800202 /* statfs f_type of the mqueue file system */

static int mq_scan(struct ctx *ctx, const char *dir, struct obj_out *out)
{
	struct statfs sf;
	(void)dir;
	int sfr = statfs(MQ_DIR, &sf);
	if (sfr < 0 && errno != ENOENT) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "POSIX message queues not listed: %s: %s", MQ_DIR, strerror(errno));
		return 0;
	}
	if (sfr < 0 || sf.f_type != MQUEUE_MAGIC) {
		/* A bare directory is not the queues: nothing would be listed. */
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog,
				 "POSIX message queues not listed: %s is not mounted "
				 "(mount -t mqueue none %s)",
				 MQ_DIR, MQ_DIR);
		return 0;
	}
	DIR *d = opendir(MQ_DIR);
	struct dirent *e;
	if (!d) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "POSIX message queues not listed: %s: %s", MQ_DIR, strerror(errno));
		return 0;
	}
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		struct obj o = { .size = -1,
				 .messages = -1,
				 .id = -1,
				 .uid = st.st_uid,
				 .creator = st.st_uid,
				 .mode = st.st_mode & 07777,
				 .dev = st.st_dev,
				 .ino = st.st_ino };
		snprintf(o.name, sizeof(o.name), "/%s", e->d_name);
		rc = out->add(out, &o);
	}
	closedir(d);
	return rc;
}

static void mq_describe(struct obj *o)
{
	o->size = mq_qsize(o->name);
	mqd_t m = mq_open(o->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (m != (mqd_t)-1) {
		struct mq_attr a;
		if (mq_getattr(m, &a) == 0)
			o->messages = a.mq_curmsgs;
		mq_close(m);
	}
}

static bool mq_ours(const struct obj *o)
{
	return obj_ipcdemo_name(o->name + 1) && o->uid == geteuid();
}

static int mq_remove(struct ctx *ctx, const struct obj *o)
{
	if (mq_unlink(o->name) < 0 && errno != ENOENT) {
		msg_syserr(ctx->prog, "mq_unlink %s", o->name);
		return -1;
	}
	return 0;
}

const struct mech_objects mq_objects = {
	.type = "mq",
	.option = "name",
	.plural = "POSIX message queues",
	.order = 10,
	.scan = mq_scan,
	.describe = mq_describe,
	.ours = mq_ours,
	.remove = mq_remove,
};

/* ---- bench ---- */

static const struct bench_row mq_bench_rows[] = {
	{ .name = "mq", .word = NULL, .variant = NULL, .floor = "bare-mq" },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static size_t mq_bench_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	long long v = sysctl_read("/proc/sys/fs/mqueue/msgsize_max");
	v = v > 0 ? v : 8192;
	snprintf(why, len, "msgsize_max %lld", v);
	return (size_t)v;
}

static const struct queue_ops mq_bench_ops = {
	.send = mq_send_msgs,
	.recv = mq_recv_msg,
	.pending = NULL,
	.chunk = 1,
	.echo = false,
	.what = "benchmark queue",
	.explain = mq_explain,
	.wait_state = NULL,
	.recv_ref = NULL,
};

/* A queue for the round trips, able to carry size-byte messages; removed
 * by mq_bench_close. The handle survives fork(). */
static void *mq_bench_open(struct ctx *ctx, const char *name, size_t size)
{
	struct mqch *q = calloc(1, sizeof(*q));
	struct mq_attr a;
	if (!q) {
		msg_syserr(ctx->prog, "allocate memory");
		return NULL;
	}
	memset(&a, 0, sizeof(a));
	a.mq_maxmsg = 10;
	a.mq_msgsize = (long)size;
	snprintf(q->name, sizeof(q->name), "%s", name);
	int made = mq_make(ctx, q, O_RDWR, 0600, &a);
	if (made == 1) {
		errno = EEXIST;
		msg_syserr(ctx->prog, "mq_open %s", q->name);
	}
	if (made != 0) {
		free(q);
		return NULL;
	}
	return q;
}

static void mq_bench_close(struct ctx *ctx, void *impl)
{
	struct mqch *q = impl;
	(void)ctx;
	mq_close(q->mqd);
	mq_unlink(q->name);
	free(q);
}

/* Round trips: two queues, one each way, with the mechanism's own send
 * and receive. */
static int mq_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			 char *err, size_t elen)
{
	return bench_chan_queues(env, row, size, ch, &mq_bench_ops, mq_bench_open, mq_bench_close, err, elen);
}

/* Throughput: a queue whose messages are as large as asked; both roles
 * create it if it is missing, with the same size. */
static int mq_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			char *err, size_t elen)
{
	char msgsize[24];
	(void)row, (void)err, (void)elen;
	snprintf(r->obj, sizeof(r->obj), "/ipcdemo-bench-%d-%d", (int)getpid(), env->seq);
	snprintf(msgsize, sizeof(msgsize), "%zu", size < 16 ? 16 : size);
	bench_args2(r, "--name", r->obj);
	bench_args2(r, "--msgsize", msgsize);
	bench_args2(r, "-q", NULL);
	return 0;
}

static void mq_bench_cleanup(const struct bench_row *row, const struct bench_run *r)
{
	(void)row;
	mq_unlink(r->obj);
}

const struct mech_bench mq_bench = {
	.order = 70,
	.rows = mq_bench_rows,
	.lossy = false,
	.limit = mq_bench_limit,
	.chan_open = mq_bench_chan,
	.chan_close = bench_chan_queues_close,
	.run_setup = mq_bench_run,
	.ready = NULL,
	.cleanup = mq_bench_cleanup,
};
