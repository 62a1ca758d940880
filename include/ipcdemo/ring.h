/* SPDX-License-Identifier: MIT */
/* The shared-memory ring of 'ipcdemo shm'. First its layout in the
 * shm_open(3) object and the functions that check and read a mapped ring
 * image (src/ring.c): those use no lock and no system call; ring_shm.c
 * calls them under the ring's lock, the fuzz target on arbitrary bytes.
 * Then the ring as an object (src/ring_shm.c): create, attach, lock,
 * put, take, and the looks of 'info' and 'ls'; its futex waits and the
 * polling of --spin (src/ring_wait.c). */
#ifndef IPCDEMO_RING_H
#define IPCDEMO_RING_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipcdemo/io.h"

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
	uint32_t ready;         /* set last by the creator */
	pthread_mutex_t lock;   /* process-shared, robust */
	uint64_t head;          /* slots ever filled (under lock) */
	uint64_t tail;          /* slots ever emptied (under lock) */
	uint32_t data_seq;      /* futex word: bumped by every put */
	uint32_t space_seq;     /* futex word: bumped by every take */
	uint32_t data_waiters;  /* consumers asleep on data_seq */
	uint32_t space_waiters; /* producers asleep on space_seq */
	uint64_t recovered;     /* locks taken over from dead holders */
	uint64_t put;           /* messages ever put (under lock) */
	uint64_t taken;         /* messages ever taken (under lock) */
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
	size_t cap;  /* at least the stride */
	size_t used; /* bytes of records */
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
int ring_take_image(struct ring_hdr *h, char *slots, const struct ring_geom *g, struct ring_index *ix, uint64_t want,
		    struct ring_batch *b, char *why, size_t len);

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

/* head, tail, put and taken read without the lock, while others use the
 * ring: retried until head stays the same across the read, so that head
 * and tail belong together. 0, -1 with why (damaged), 1 when the ring
 * kept changing (nothing to judge). */
int ring_index_unlocked(const struct ring_hdr *h, const struct ring_geom *g, struct ring_index *ix, char *why,
			size_t len);

/* The attributes of the ring's lock: a robust, process-shared mutex. 0 or
 * the error number (ma destroyed again on error). */
int ring_lock_attr_init(pthread_mutexattr_t *ma);
/* The thread that holds the lock, from the lock word; 0 when unknown. */
int ring_lock_owner(const struct ring_hdr *h);
/* Is the lock still the kind of mutex ring_lock_attr_init makes? Another
 * kind (a damaged header) would make pthread_mutex_lock do something
 * else. */
bool ring_lock_kind_ok(const struct ring_hdr *h);

/* ---- The ring as a shared-memory object (src/ring_shm.c) ---- */

struct ctx;

/* A consumer takes up to this many bytes of messages per lock. */
#define RING_BATCH_BYTES ((size_t)64 << 10)

struct ring {
	char name[NAME_MAX + 2];
	int fd;
	struct ring_hdr *h;
	size_t size;
	char *slots;
	struct ring_geom g; /* checked once: the only geometry used */
	bool sending;
	bool lock_held;             /* the last wait for the lock gave up */
	bool told_sleep, told_wake; /* --explain: a futex sleep, a wake-up told */
	/* --spin: how long a wait for room or a message polls the ring
	 * before it sleeps on the futex (0: it sleeps at once). */
	int64_t spin_ns;
	/* Messages taken by this consumer, not yet delivered: [u32 len][bytes]... */
	struct ring_batch b;
	size_t bpos;
	uint64_t bcount;
	uint64_t takes; /* batches taken: the consumer's reads, for --stats */
	/* Why it was refused as damaged (for info). */
	char why[RING_WHY];
};

/* What a ring that ring_open creates is made of; fixed_*: an existing
 * one must have it too (--slots and --slot-size given), else it is
 * refused. */
struct ring_spec {
	uint32_t slots, slot_size;
	bool fixed_slots, fixed_slot_size;
};

/* Catch SIGBUS from here on: a fault while a ring is read or written (its
 * object truncated under us) ends that access with a diagnostic; other
 * SIGBUS keeps its default action. 0, or -1 with errno. */
int ring_catch_bus(void);

/* Create the ring r->name of that geometry with mode --mode, mapped and
 * set up (r zeroed, fd -1, before). Returns 0, 1 when it exists already,
 * -1 after a diagnostic. */
int ring_create(struct ctx *ctx, struct ring *r, uint32_t slots, uint32_t slot_size);

/* Open the ring r->name, creating it from spec when create is set and it
 * is missing (spec NULL: the defaults, any geometry). Returns 0, -1 after
 * a diagnostic, or (report false: for info) RING_ATTACH_DAMAGED with
 * r->why and only the header mapped; report true says why instead. */
enum { RING_ATTACH_DAMAGED = -3 };
int ring_open(struct ctx *ctx, struct ring *r, const struct ring_spec *spec, bool create, bool report);

/* Unmap and close; remove the name too when asked (--unlink). */
void ring_close(struct ctx *ctx, struct ring *r, bool remove);

/* The consumer's batch: RING_BATCH_BYTES, or a slot's records when
 * larger. 0, or -1 after a diagnostic. */
int ring_batch_alloc(struct ctx *ctx, struct ring *r);

/* Sleep while *word == val, at most until the deadline or one slice
 * (QUEUE_SLICE_NS): 0 (woken, or the slice ended, or a signal), -1 with
 * errno (ETIMEDOUT: the deadline passed). src/ring_wait.c. Told with
 * --explain: in full for the first N messages, and the first sleep
 * whenever it comes (*told: one has been told); data: the word is
 * data_seq (consumers sleep on it), else space_seq (producers). */
int ring_futex_sleep(struct ctx *ctx, uint32_t *word, uint32_t val, int64_t deadline, bool data, bool *told);
/* Wake up to n sleepers on *word (data, told: as above). */
void ring_futex_wake(struct ctx *ctx, uint32_t *word, uint32_t n, bool data, bool *told);

/* Poll the futex word *word, without the lock, until it is no longer seq,
 * with a pause instruction between looks; reads that one word only. A
 * wait polls for spin_ns from its first call (*end: 0 before it, then
 * when the poll ends), never past the deadline or a stop request, and
 * one call for at most a slice (QUEUE_SLICE_NS), as a sleep, so that the
 * ring is looked at under the lock as often. SPIN_CHANGED: a put or a
 * take happened, look at the ring again; SPIN_SLICE: look at it again and
 * poll on; SPIN_OVER: sleep as without --spin. */
enum spin_result { SPIN_CHANGED, SPIN_SLICE, SPIN_OVER };
enum spin_result ring_spin(const uint32_t *word, uint32_t seq, int64_t *end, int64_t spin_ns, int64_t deadline);

/* Put the whole messages of buf (each ending in '\n') into the ring, as
 * queue_ops.send does, with its return convention. */
enum io_result ring_send(struct ctx *ctx, struct ring *r, const char *buf, size_t len, int64_t deadline, size_t *done);

/* Take up to a batch of messages (no more than want) into r->b under
 * one lock, sleeping while the ring is empty until the deadline. 0; -1
 * with errno EAGAIN, ETIMEDOUT or EINTR; -2 after a diagnostic. */
enum io_result ring_take(struct ctx *ctx, struct ring *r, int64_t deadline, uint64_t want);

/* What 'info' shows: the header as read, under the lock when it could
 * be had, and the damage found. */
struct ring_info {
	struct ring_hdr h;
	const char *lock;   /* "free", "held", "unknown" */
	int owner;          /* thread holding it, when held */
	char why[RING_WHY]; /* "" when intact */
};

/* Read *s from an open ring: under its lock when it can be had soon,
 * else without it. */
void ring_read_info(struct ctx *ctx, struct ring *r, struct ring_info *s);

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
