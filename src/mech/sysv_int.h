/* SPDX-License-Identifier: MIT */
/* The System V mechanism's parts shared by its verbs (sysv.c) and its ls,
 * clean and benchmark hooks (sysv_hooks.c). */
#ifndef IPCDEMO_MECH_SYSV_INT_H
#define IPCDEMO_MECH_SYSV_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <signal.h>
#include <sys/msg.h>
#include <time.h>

#include "ipcdemo/io.h"
#include "ipcdemo/mechanism.h"

struct sysvq {
	key_t key;
	int id;
	char what[64]; /* "key 0x69706364" */
	char *buf;     /* struct msgbuf: a long, then the text */
	size_t cap;
	long type; /* send: --type; receive: of the last message */
	bool sending;
	struct ctx *ctx; /* of the calls in flight: --explain (sysv_narrate.c) */
	/* The timer that interrupts a blocking msgsnd or msgrcv (sysv.c),
	 * made at the first one: ticking from tick0 (CLOCK_MONOTONIC, ns). */
	bool has_timer, ticking;
	timer_t timer;
	int64_t tick0;
};

/* Stop and delete the queue's timer, if it has one. */
void sysv_release(struct sysvq *q);

/* After msgget failed with err: what the system limit or ipcs(1) says. */
void sysv_explain_get(int err);

/* Give q a message buffer for messages of up to cap bytes. Returns 0, or
 * -1 after the message. */
int sysv_alloc(struct ctx *ctx, struct sysvq *q, size_t cap);

/* The queue_ops send, receive and explain of a struct sysvq (sysv.c). */
enum io_result sysv_send_msgs(struct ctx *ctx, void *impl, const char *buf, size_t len, int64_t deadline, size_t *done);
enum io_result sysv_recv_msg(struct ctx *ctx, void *impl, char *buf, size_t cap, int64_t deadline, uint64_t want,
			     size_t *len, bool *truncated);
void sysv_explain(struct ctx *ctx, void *impl, int err, size_t len);

/* --explain (sysv_narrate.c): the call, told when narrating. sysvn_xfer
 * is the hot loop's msgsnd (snd) or msgrcv, called only when narrating;
 * those on q use q->ctx. */
int sysvn_get(struct ctx *ctx, key_t key, int flags);
int sysvn_ctl(struct ctx *ctx, int id, int cmd, struct msqid_ds *ds, const char *why);
ssize_t sysvn_xfer(struct sysvq *q, bool snd, size_t len, long type, int flags);
int sysvn_timer_create(struct sysvq *q, struct sigevent *ev);
int sysvn_timer_settime(struct sysvq *q, const struct itimerspec *its);
void sysvn_timer_delete(struct sysvq *q);

/* The ls and clean hooks and the benchmark hooks (sysv_hooks.c). */
extern const struct mech_objects sysv_objects;
extern const struct mech_bench sysv_bench;

#endif
