/* SPDX-License-Identifier: MIT */
/* System V message queues (src/mech/sysv.c). */
#ifndef IPCDEMO_SYSV_H
#define IPCDEMO_SYSV_H

/* ipcdemo's System V keys: 0x697063XX ("ipc" in ASCII, then a byte); the
 * default is 0x69706364 ("ipcd"). 'ipcdemo clean' removes queues in this
 * range. */
#define SYSV_KEY_BASE 0x69706300u
#define SYSV_KEY_MASK 0xffffff00u
#define SYSV_KEY_DEFAULT 0x69706364u

#endif
