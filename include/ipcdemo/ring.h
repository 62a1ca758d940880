/* SPDX-License-Identifier: MIT */
/* The shared-memory ring of 'ipcdemo shm': its layout in the shm_open(3)
 * object, so that 'ipcdemo ls' and 'clean' can recognise one, and the
 * functions that check and read a mapped ring image (src/ring.c). Those
 * use no lock and no system call: shm.c calls them under the ring's lock,
 * the fuzz target on arbitrary bytes. */
#ifndef IPCDEMO_RING_H
#define IPCDEMO_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RING_MAGIC "IPCDRNG1"
#define RING_VERSION 2u

/* What a ring is made with unless --slots / --slot-size say otherwise. */
#define SHM_DEFAULT_SLOTS 64
#define SHM_DEFAULT_SLOT_SIZE 4096
/* The largest geometry a ring may have (the limits of --slots and
 * --slot-size); a header that says more is damaged. */
#define RING_MAX_SLOTS ((uint32_t)1 << 20)
#define RING_MAX_SLOT_SIZE ((uint32_t)64 << 20)

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

/* A slot: struct slot_head, then records of [u32 length][message]. A
 * consumer that takes only some of a slot's messages (-n) moves its start
 * on, in one aligned 4-byte store. */
struct slot_head {
	uint32_t start; /* first record not yet taken */
	uint32_t used;  /* end of the records */
};
#define RING_REC ((size_t)sizeof(uint32_t))

/* Room for damage reports: "head 18446744073709551615 is ... ". */
#define RING_WHY 200

/* A ring's geometry, checked once against the object's size: the only
 * values used to find a slot (a header field is read once, checked, and
 * never trusted again). */
struct ring_geom {
	uint32_t slots, slot_size, stride, hdr_size;
	size_t size; /* of the object, and of the mapping */
};

/* The indices and counters, read once under the lock and checked. */
struct ring_index {
	uint64_t head, tail, put, taken;
};

/* The header size, the stride and the object size of a ring of that
 * geometry; false when it is outside the limits above. */
bool ring_layout(uint32_t slots, uint32_t slot_size, uint32_t *stride, size_t *size);

/* Check the fixed part of the header image h of an object of size bytes:
 * RING_OK and *g filled, RING_FOREIGN (no magic, or another version:
 * not ours) or RING_DAMAGED (why says what). */
enum { RING_OK, RING_FOREIGN, RING_DAMAGED };
int ring_check_geom(const struct ring_hdr *h, size_t size, struct ring_geom *g, char *why, size_t len);

/* Read head, tail, put and taken once into *ix and check them against g:
 * the geometry fields still as g says, head - tail within [0, slots],
 * and with counters, put and taken consistent with the slots in use.
 * 0, or -1 with why. */
int ring_index_read(const struct ring_hdr *h, const struct ring_geom *g, struct ring_index *ix, bool counters,
		    char *why, size_t len);

/* The messages a consumer takes at once: records [u32 len][bytes]. */
struct ring_batch {
	char *buf;
	size_t cap;   /* at least the stride */
	size_t used;  /* bytes of records */
	uint64_t msgs;
	uint64_t freed; /* slots emptied */
};

/* Take from the ring at (h, slots) whole messages into b (emptied
 * first): up to want (0: no limit), and whole slots while they fit the
 * batch. Every record is checked in the private copy. Updates the slot's
 * start, tail and taken in the image, and *ix. 0 (b->msgs may be 0: the
 * ring is empty), or -1 with why when the first slot to take is damaged
 * (nothing of it taken; slots before it are delivered by the call
 * before). */
int ring_take_image(struct ring_hdr *h, char *slots, const struct ring_geom *g, struct ring_index *ix,
		    uint64_t want, struct ring_batch *b, char *why, size_t len);

/* Put the whole messages of buf (each ending in '\n', the last one maybe
 * not) into the free slots, as many to a slot as fit. *off: bytes of buf
 * put. Returns the slots filled; *too_big when the next message fits no
 * slot. Updates head and put in the image, and *ix. */
uint32_t ring_put_image(struct ring_hdr *h, char *slots, const struct ring_geom *g, struct ring_index *ix,
			const char *buf, size_t len, size_t *off, bool *too_big);

/* Walk the slots in use and check every record; *msgs gets the messages
 * they hold. 0, or -1 with why. */
int ring_walk(const char *slots, const struct ring_geom *g, const struct ring_index *ix, uint64_t *msgs, char *why,
	      size_t len);

/* After a holder of the lock died: recount the messages in the slots and
 * set the counter that the dead process did not update (put or taken).
 * Returns 1 when a counter was repaired, 0 when none needed it, -1 with
 * why when the slots are damaged. */
int ring_repair(struct ring_hdr *h, const char *slots, const struct ring_geom *g, struct ring_index *ix, char *why,
		size_t len);

/* What 'ls' shows of a ring, read without taking its lock. */
struct ring_peek {
	uint32_t slots, slot_size;
	uint64_t messages;
	const char *note; /* NULL, or why the numbers cannot be trusted */
};

/* true when the object /name (a POSIX shm name) is an ipcdemo ring; fills
 * *p. Opens read-only and maps only the header. A damaged ring is a ring:
 * p->note says so. */
bool ring_peek(const char *name, struct ring_peek *p);

#endif
