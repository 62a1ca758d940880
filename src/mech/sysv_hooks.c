/* SPDX-License-Identifier: MIT */
/* sysv: the hooks of the System V mechanism outside its verbs: ls and clean
 * (the queues of /proc/sysvipc/msg) and the benchmark's queues. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/sysv.h"
#include "ipcdemo/util.h"
#include "sysv_int.h"

/* ---- ls and clean ---- */

#define SYSV_MSG "/proc/sysvipc/msg"

/* One line of /proc/sysvipc/msg: key msqid perms cbytes qnum lspid lrpid
 * uid gid cuid cgid ... */
static bool sysv_line(const char *line, struct obj *o)
{
	long long key, cbytes, qnum;
	int id, lspid, lrpid;
	unsigned perms, uid, gid, cuid;
	if (sscanf(line, "%lld %d %o %lld %lld %d %d %u %u %u", &key, &id, &perms, &cbytes, &qnum, &lspid, &lrpid, &uid,
		   &gid, &cuid) != 10)
		return false;
	*o = (struct obj){ .uid = uid,
			   .creator = cuid,
			   .mode = (mode_t)perms & 0777,
			   .size = cbytes,
			   .messages = qnum,
			   .id = id,
			   .msg_pids = true,
			   .lspid = lspid,
			   .lrpid = lrpid };
	snprintf(o->name, sizeof(o->name), "0x%08x", (unsigned)(int)key);
	return true;
}

static int sysv_scan(struct ctx *ctx, const char *dir, struct obj_out *out)
{
	FILE *fp = fopen(SYSV_MSG, "re");
	char line[512];
	(void)dir;
	if (!fp) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "System V queues not listed: %s: %s", SYSV_MSG, strerror(errno));
		return 0;
	}
	if (!fgets(line, sizeof(line), fp)) {
		fclose(fp);
		return 0;
	}
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), fp)) {
		struct obj o;
		if (sysv_line(line, &o))
			rc = out->add(out, &o);
	}
	fclose(fp);
	return rc;
}

static bool sysv_ours(const struct obj *o)
{
	unsigned k = (unsigned)strtoul(o->name, NULL, 16);
	return (k & SYSV_KEY_MASK) == SYSV_KEY_BASE && (o->uid == geteuid() || o->creator == geteuid());
}

static int sysv_remove(struct ctx *ctx, const struct obj *o)
{
	if (msgctl((int)o->id, IPC_RMID, NULL) < 0 && errno != EINVAL && errno != EIDRM) {
		msg_syserr(ctx->prog, "remove System V queue %s", o->name);
		return -1;
	}
	return 0;
}

const struct mech_objects sysv_objects = {
	.type = "sysv",
	.option = "key",
	.plural = "System V queues",
	.order = 30,
	.id_name = "msqid",
	.id_shown = true,
	.scan = sysv_scan,
	.ours = sysv_ours,
	.remove = sysv_remove,
};

/* ---- bench ---- */

static const struct bench_row sysv_bench_rows[] = {
	{ .name = "sysv", .word = NULL, .variant = NULL, .floor = "bare-sysv" },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static size_t sysv_bench_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	long long v = sysctl_read("/proc/sys/kernel/msgmax");
	v = v > 0 ? v : 8192;
	snprintf(why, len, "msgmax %lld", v);
	return (size_t)v;
}

static const struct queue_ops sysv_bench_ops = {
	.send = sysv_send_msgs,
	.recv = sysv_recv_msg,
	.pending = NULL,
	.chunk = 1,
	.echo = false,
	.what = "benchmark queue",
	.explain = sysv_explain,
	.wait_state = NULL,
	.recv_ref = NULL,
};

/* A private queue: the processes of a run share it through fork(). */
static void *sysv_bench_open(struct ctx *ctx, const char *name, size_t size)
{
	struct sysvq *q = calloc(1, sizeof(*q));
	(void)name;
	if (!q) {
		msg_syserr(ctx->prog, "allocate memory");
		return NULL;
	}
	q->key = IPC_PRIVATE;
	q->type = 1;
	q->id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	snprintf(q->what, sizeof(q->what), "private queue");
	if (q->id < 0) {
		int e = errno;
		msg_syserr(ctx->prog, "msgget IPC_PRIVATE");
		sysv_explain_get(e);
		free(q);
		return NULL;
	}
	if (sysv_alloc(ctx, q, size) < 0) {
		msgctl(q->id, IPC_RMID, NULL);
		free(q);
		return NULL;
	}
	return q;
}

static void sysv_bench_close(struct ctx *ctx, void *impl)
{
	struct sysvq *q = impl;
	q->ctx = ctx;
	sysv_release(q);
	msgctl(q->id, IPC_RMID, NULL);
	free(q->buf);
	free(q);
}

/* Round trips: two queues, one each way, with the mechanism's own send
 * and receive. */
static int sysv_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			   char *err, size_t elen)
{
	return bench_chan_queues(env, row, size, ch, &sysv_bench_ops, sysv_bench_open, sysv_bench_close, err, elen);
}

/* Throughput: a queue made here with a free key of ipcdemo's range (the
 * upper half, away from the default key), that both roles open. */
static int sysv_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			  char *err, size_t elen)
{
	int id = -1;
	unsigned key = 0;
	(void)env, (void)row, (void)size;
	for (unsigned i = 0x80; i < 0x100 && id < 0; i++) {
		key = SYSV_KEY_BASE + i;
		id = msgget((key_t)key, IPC_CREAT | IPC_EXCL | 0600);
	}
	if (id < 0) {
		snprintf(err, elen, "no free System V key: %s", strerror(errno));
		return -1;
	}
	char k[16];
	snprintf(k, sizeof(k), "0x%08x", key);
	r->num = id;
	bench_args2(r, "--key", k);
	bench_args2(r, "-q", NULL);
	return 0;
}

static void sysv_bench_cleanup(const struct bench_row *row, const struct bench_run *r)
{
	(void)row;
	msgctl((int)r->num, IPC_RMID, NULL);
}

const struct mech_bench sysv_bench = {
	.order = 80,
	.rows = sysv_bench_rows,
	.lossy = false,
	.limit = sysv_bench_limit,
	.chan_open = sysv_bench_chan,
	.chan_close = bench_chan_queues_close,
	.run_setup = sysv_bench_run,
	.ready = NULL,
	.cleanup = sysv_bench_cleanup,
};
