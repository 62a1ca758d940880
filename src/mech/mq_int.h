/* SPDX-License-Identifier: MIT */
/* The mq mechanism's parts shared by its verbs (mq.c) and its ls, clean
 * and benchmark hooks (mq_hooks.c). */
#ifndef IPCDEMO_MECH_MQ_INT_H
#define IPCDEMO_MECH_MQ_INT_H

#include <limits.h>
#include <mqueue.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ipcdemo/io.h"
#include "ipcdemo/mechanism.h"

/* One open queue. */
struct mqch {
	char name[NAME_MAX + 2];
	mqd_t mqd;
	struct ctx *ctx; /* of the calls in flight: --explain (mq_narrate.c) */
	struct mq_attr attr;
	unsigned prio; /* send: --priority; receive: of the last message */
	bool sending;
	/* The end of the slice the calls wait at most until (CLOCK_REALTIME),
	 * for the deadline slice_for; renewed when a call times out on it or
	 * the deadline changes. */
	bool has_slice;
	struct timespec slice;
	int64_t slice_for;
};

/* One send or receive (snd picks which) until the absolute time abs, or
 * with no timeout when abs is NULL: mq_send and mq_receive, which make
 * the same system call with a NULL timeout (the timed calls' argument
 * must not be NULL). Returns what the call returns. */
static inline ssize_t mq_xfer(struct mqch *q, bool snd, char *buf, size_t len, const struct timespec *abs)
{
	if (!abs)
		return snd ? mq_send(q->mqd, buf, len, q->prio) : mq_receive(q->mqd, buf, len, &q->prio);
	return snd ? mq_timedsend(q->mqd, buf, len, q->prio, abs) : mq_timedreceive(q->mqd, buf, len, &q->prio, abs);
}

/* Create the queue with exactly that mode (mq_open obeys the umask; on
 * Linux a queue descriptor is a file descriptor, so fchmod sets it).
 * Returns 0, 1 when it exists already (nothing said), or -1 after a
 * diagnostic, with nothing left behind. */
int mq_make(struct ctx *ctx, struct mqch *q, int oflag, mode_t mode, struct mq_attr *ap);

/* The queue_ops hooks (ipcdemo/queue.h) of a struct mqch. */
enum io_result mq_send_msgs(struct ctx *ctx, void *impl, const char *buf, size_t len, int64_t deadline, size_t *done);
enum io_result mq_recv_msg(struct ctx *ctx, void *impl, char *buf, size_t cap, int64_t deadline, uint64_t want,
			   size_t *len, bool *truncated);
void mq_explain(struct ctx *ctx, void *impl, int err, size_t len);

/* --explain (mq_narrate.c): the call, told when narrating. mqn_xfer is
 * the hot loop's mq_timedsend (snd) or mq_timedreceive, called only when
 * narrating, with q->ctx set. */
mqd_t mqn_open(struct ctx *ctx, const char *name, int oflag, mode_t mode, struct mq_attr *ap);
int mqn_fchmod(struct ctx *ctx, mqd_t mqd, mode_t mode);
int mqn_getattr(struct ctx *ctx, mqd_t mqd, struct mq_attr *a, const char *why);
int mqn_close(struct ctx *ctx, mqd_t mqd, const char *why);
int mqn_unlink(struct ctx *ctx, const char *name, const char *why);
ssize_t mqn_xfer(struct mqch *q, bool snd, char *buf, size_t len, const struct timespec *abs);

/* The ls and clean hooks, and the benchmark's (mq_hooks.c). */
extern const struct mech_objects mq_objects;
extern const struct mech_bench mq_bench;

#endif
