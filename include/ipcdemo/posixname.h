/* SPDX-License-Identifier: MIT */
/* The names of POSIX IPC objects (message queues and shared memory)
 * (src/posixname.c). */
#ifndef IPCDEMO_POSIXNAME_H
#define IPCDEMO_POSIXNAME_H

#include <stddef.h>

struct ctx;

/* The POSIX IPC name from --name (default /ipcdemo): a missing leading
 * slash is added; no other slash, not empty, at most NAME_MAX bytes.
 * Returns 0, or EXIT_USAGE after the message. */
int posix_name(struct ctx *ctx, char *buf, size_t len);

/* The POSIX name a demo uses: --name (checked as posix_name does), or
 * /ipcdemo-demo-PID. Returns 0 or EXIT_USAGE. */
int demo_name(struct ctx *ctx, char *buf, size_t len);

#endif
