/* SPDX-License-Identifier: MIT */
/* The shared-memory ring of 'ipcdemo shm': its layout in the shm_open(3)
 * object, so that 'ipcdemo ls' and 'clean' can recognise one. */
#ifndef IPCDEMO_RING_H
#define IPCDEMO_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define RING_MAGIC "IPCDRNG1"
#define RING_VERSION 2u

/* What a ring is made with unless --slots / --slot-size say otherwise. */
#define SHM_DEFAULT_SLOTS 64
#define SHM_DEFAULT_SLOT_SIZE 4096

/* At the start of the object; slots follow at hdr_size, each `stride`
 * bytes: the bytes used and the number of messages (two 32-bit words),
 * then the messages of one put, each a 32-bit length and its bytes, as
 * many as fit; one message of slot_size bytes always fits. */
struct ring_hdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_size;
	uint32_t slots;
	uint32_t slot_size;
	uint32_t stride;
	uint32_t ready;           /* set last by the creator */
	pthread_mutex_t lock;     /* process-shared, robust */
	uint64_t head;            /* slots ever filled (under lock) */
	uint64_t tail;            /* slots ever emptied (under lock) */
	uint32_t data_seq;        /* futex word: bumped by every put */
	uint32_t space_seq;       /* futex word: bumped by every take */
	uint32_t data_waiters;    /* consumers asleep on data_seq */
	uint32_t space_waiters;   /* producers asleep on space_seq */
	uint64_t recovered;       /* locks taken over from dead holders */
	uint64_t put;             /* messages ever put (under lock) */
	uint64_t taken;           /* messages ever taken (under lock) */
};

/* What 'ls' shows of a ring, read without taking its lock. */
struct ring_peek {
	uint32_t slots, slot_size;
	uint64_t messages;
};

/* true when the object /name (a POSIX shm name) is an ipcdemo ring; fills
 * *p. Opens read-only and maps only the header. */
bool ring_peek(const char *name, struct ring_peek *p);

#endif
