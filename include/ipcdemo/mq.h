/* SPDX-License-Identifier: MIT */
/* POSIX message queues (src/mech/mq.c). */
#ifndef IPCDEMO_MQ_H
#define IPCDEMO_MQ_H

#include <stddef.h>

/* Bytes queued in a POSIX queue, from the mqueue file system's QSIZE
 * line (-1 when it is not mounted or not readable). */
long long mq_qsize(const char *name);

#endif
