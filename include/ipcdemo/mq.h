/* SPDX-License-Identifier: MIT */
/* POSIX message queues and the POSIX IPC names they share with shared
 * memory (src/mech/mq.c). */
#ifndef IPCDEMO_MQ_H
#define IPCDEMO_MQ_H

#include <stddef.h>

struct ctx;

/* The POSIX IPC name from --name (default /ipcdemo): a missing leading
 * slash is added; no other slash, not empty, at most NAME_MAX bytes.
 * Returns 0, or EXIT_USAGE after the message. */
int posix_name(struct ctx *ctx, char *buf, size_t len);

/* Bytes queued in a POSIX queue, from the mqueue file system's QSIZE
 * line (-1 when it is not mounted or not readable). */
long long mq_qsize(const char *name);

#endif
