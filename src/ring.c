/* SPDX-License-Identifier: MIT */
/* The shared-memory ring's image: its geometry, the checks of its header
 * and slots, and the put and take of messages. Everything here works on a
 * mapped image and trusts none of it: every field is read once into a
 * local, checked, and only the checked value is used to address memory,
 * so that another process changing the image meanwhile cannot make these
 * functions read or write outside it. No locks, no system calls: ring_shm.c
 * calls them under the ring's lock; the fuzz target calls them on
 * arbitrary bytes. The ring as a shared-memory object, its lock and its
 * waits, is in ring_shm.c (and ring_wait.c). */
#include <errno.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>

#include "ipcdemo/ring.h"

#define ALIGN64(x) (((x) + 63) & ~(uint64_t)63)
#define REC RING_REC

static size_t hdr_bytes(void)
{
	return ALIGN64(sizeof(struct ring_hdr));
}

/* Bytes for the records of a slot: one message of slot_size always fits. */
static size_t slot_room(uint32_t slot_size)
{
	return REC + (size_t)slot_size;
}

bool ring_layout(uint32_t slots, uint32_t slot_size, uint32_t *stride, size_t *size)
{
	if (slots == 0 || slots > RING_MAX_SLOTS || slot_size == 0 || slot_size > RING_MAX_SLOT_SIZE)
		return false;
	/* In 64 bits, so that no header can wrap the size where size_t is
	 * narrower. */
	uint64_t s = ALIGN64((uint64_t)sizeof(struct slot_head) + slot_room(slot_size));
	uint64_t total = (uint64_t)hdr_bytes() + (uint64_t)slots * s;
	if (s > UINT32_MAX || total > SIZE_MAX)
		return false;
	*stride = (uint32_t)s;
	*size = (size_t)total;
	return true;
}

static uint32_t load32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static uint64_t load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

int ring_check_geom(const struct ring_hdr *h, size_t size, struct ring_geom *g, char *why, size_t len)
{
	char magic[sizeof(h->magic)];
	memcpy(magic, h->magic, sizeof(magic));
	uint32_t version = load32(&h->version);
	if (size < sizeof(*h) || memcmp(magic, RING_MAGIC, sizeof(magic)) != 0 || version != RING_VERSION) {
		snprintf(why, len, "not a ring of this version");
		return RING_FOREIGN;
	}
	struct ring_geom x = { .slots = load32(&h->slots),
			       .slot_size = load32(&h->slot_size),
			       .stride = load32(&h->stride),
			       .hdr_size = load32(&h->hdr_size),
			       .size = size };
	uint32_t ready = load32(&h->ready);
	uint32_t stride;
	size_t need;
	if (ready != 1)
		snprintf(why, len, "not set up: its ready flag is %" PRIu32 ", not 1", ready);
	else if (x.hdr_size != hdr_bytes())
		snprintf(why, len, "header size %" PRIu32 ", not %zu", x.hdr_size, hdr_bytes());
	else if (!ring_layout(x.slots, x.slot_size, &stride, &need))
		snprintf(why, len,
			 "%" PRIu32 " slots of %" PRIu32 " bytes (at most %" PRIu32 " slots of %" PRIu32 " bytes)",
			 x.slots, x.slot_size, RING_MAX_SLOTS, RING_MAX_SLOT_SIZE);
	else if (x.stride != stride)
		snprintf(why, len, "stride %" PRIu32 ", not the %" PRIu32 " of slots of %" PRIu32 " bytes", x.stride,
			 stride, x.slot_size);
	else if (size != need)
		snprintf(why, len, "%zu bytes, not the %zu of %" PRIu32 " slots of %" PRIu32 " bytes", size, need,
			 x.slots, x.slot_size);
	else {
		*g = x;
		return RING_OK;
	}
	return RING_DAMAGED;
}

/* The most messages a slot can hold: records of empty messages. */
static uint64_t slot_max_msgs(const struct ring_geom *g)
{
	return slot_room(g->slot_size) / REC;
}

static int geom_changed(const struct ring_hdr *h, const struct ring_geom *g, char *why, size_t len)
{
	struct ring_geom x = { .slots = load32(&h->slots),
			       .slot_size = load32(&h->slot_size),
			       .stride = load32(&h->stride),
			       .hdr_size = load32(&h->hdr_size),
			       .size = 0 };
	if (memcmp(h->magic, RING_MAGIC, sizeof(h->magic)) != 0 || load32(&h->version) != RING_VERSION)
		snprintf(why, len, "its magic string or version was overwritten");
	else if (x.slots != g->slots || x.slot_size != g->slot_size || x.stride != g->stride ||
		 x.hdr_size != g->hdr_size)
		snprintf(why, len,
			 "its geometry changed to %" PRIu32 " slots of %" PRIu32 " bytes (stride %" PRIu32
			 ", header %" PRIu32 "), from %" PRIu32 " of %" PRIu32 " (%" PRIu32 ", %" PRIu32 ")",
			 x.slots, x.slot_size, x.stride, x.hdr_size, g->slots, g->slot_size, g->stride, g->hdr_size);
	else
		return 0;
	return -1;
}

int ring_index_read(const struct ring_hdr *h, const struct ring_geom *g, struct ring_index *ix, bool counters,
		    char *why, size_t len)
{
	if (geom_changed(h, g, why, len) < 0)
		return -1;
	struct ring_index x = { .head = load64(&h->head),
				.tail = load64(&h->tail),
				.put = load64(&h->put),
				.taken = load64(&h->taken) };
	uint64_t used = x.head - x.tail;
	if (x.tail > x.head) {
		snprintf(why, len, "tail %" PRIu64 " is ahead of head %" PRIu64, x.tail, x.head);
		return -1;
	}
	if (used > g->slots) {
		snprintf(why, len,
			 "head %" PRIu64 " is %" PRIu64 " slots ahead of tail %" PRIu64 " (%" PRIu32 " slot%s)", x.head,
			 used, x.tail, g->slots, g->slots == 1 ? "" : "s");
		return -1;
	}
	/* 2^64 slots are never filled: head so close to it is damage, and
	 * no put may wrap it round (the slot numbers would jump). */
	if (x.head > UINT64_MAX - g->slots) {
		snprintf(why, len, "head %" PRIu64 " is too close to 2^64", x.head);
		return -1;
	}
	if (counters) {
		uint64_t q = x.put - x.taken;
		if (x.taken > x.put) {
			snprintf(why, len, "%" PRIu64 " messages taken, more than the %" PRIu64 " put", x.taken, x.put);
			return -1;
		}
		/* Every slot in use holds at least one message, and at most
		 * slot_max_msgs. */
		if (q < used || q > used * slot_max_msgs(g)) {
			snprintf(why, len,
				 "%" PRIu64 " put and %" PRIu64 " taken leave %" PRIu64 " messages, which %" PRIu64
				 " slot%s in use cannot hold",
				 x.put, x.taken, q, used, used == 1 ? "" : "s");
			return -1;
		}
	}
	*ix = x;
	return 0;
}

static char *slot_at(char *slots, const struct ring_geom *g, uint64_t n)
{
	return slots + (size_t)(n % g->slots) * g->stride;
}

/* Walk the records of rec[from, end) (end within the slot's room): their
 * number, or -1 with why when a record runs past end. */
static int64_t walk_records(const char *rec, size_t from, size_t end, uint64_t n, char *why, size_t len)
{
	size_t p = from;
	int64_t k = 0;
	while (p < end) {
		uint32_t m;
		if (end - p < REC) {
			snprintf(why, len, "slot %" PRIu64 ": %zu stray bytes at its end", n, end - p);
			return -1;
		}
		memcpy(&m, rec + p, REC);
		if (m > end - p - REC) {
			snprintf(why, len,
				 "slot %" PRIu64 ": a record at byte %zu claims %" PRIu32 " bytes, %zu are left", n, p,
				 m, end - p - REC);
			return -1;
		}
		p += REC + m;
		k++;
	}
	return k;
}

/* Read a slot's head once and check it: start and used within the room,
 * start on a record boundary, at least one byte after it. Fills *sh; 0, or
 * -1 with why. The records after start are checked by whoever reads them. */
static int check_slot(const char *s, const struct ring_geom *g, uint64_t n, struct slot_head *sh, char *why, size_t len)
{
	const char *rec = s + sizeof(struct slot_head);
	struct slot_head x = { .start = load32((const uint32_t *)(const void *)s),
			       .used = load32((const uint32_t *)(const void *)(s + sizeof(uint32_t))) };
	size_t room = slot_room(g->slot_size);
	if (x.used > room || x.start >= x.used) {
		snprintf(why, len, "slot %" PRIu64 ": start %" PRIu32 " and end %" PRIu32 " (room for %zu bytes)", n,
			 x.start, x.used, room);
		return -1;
	}
	if (x.start && walk_records(rec, 0, x.start, n, why, len) < 0)
		return -1;
	*sh = x;
	return 0;
}

int ring_walk(const char *slots, const struct ring_geom *g, const struct ring_index *ix, uint64_t *msgs, char *why,
	      size_t len)
{
	uint64_t total = 0;
	for (uint64_t n = ix->tail; n != ix->head; n++) {
		const char *s = slot_at((char *)(uintptr_t)slots, g, n);
		struct slot_head sh;
		if (check_slot(s, g, n, &sh, why, len) < 0)
			return -1;
		int64_t k = walk_records(s + sizeof(struct slot_head), sh.start, sh.used, n, why, len);
		if (k < 0)
			return -1;
		total += (uint64_t)k;
	}
	*msgs = total;
	return 0;
}

int ring_repair(struct ring_hdr *h, const char *slots, const struct ring_geom *g, struct ring_index *ix, char *why,
		size_t len)
{
	uint64_t q;
	if (ring_walk(slots, g, ix, &q, why, len) < 0)
		return -1;
	/* A put stores head, then put; a take stores tail (and a slot's
	 * start), then taken: a process killed in between leaves one of them
	 * short, put when there are more messages than counted, taken when
	 * there are fewer. */
	if (ix->taken <= ix->put && ix->put - ix->taken == q)
		return 0;
	if (ix->taken > ix->put || ix->put - ix->taken > q) {
		ix->taken = ix->put - q;
		__atomic_store_n(&h->taken, ix->taken, __ATOMIC_RELAXED);
	} else {
		ix->put = ix->taken + q;
		__atomic_store_n(&h->put, ix->put, __ATOMIC_RELAXED);
	}
	return 1;
}

/* Store an index, then (after it, also for the compiler) its counter: see
 * ring_repair. */
static void store_pair(uint64_t *index, uint64_t iv, uint64_t *counter, uint64_t cv)
{
	__atomic_store_n(index, iv, __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(counter, cv, __ATOMIC_RELEASE);
}

/* Copy the records of slot n after its start into the batch and take up
 * to want of them, checking each record in the private copy (the slot may
 * change under a hostile writer). Returns the messages taken, or -1 with
 * why; *rest tells that records are left in the slot, *end where they
 * start. */
static int64_t take_slot(const char *rec, const struct slot_head *sh, uint64_t n, uint64_t want, struct ring_batch *b,
			 bool *rest, uint32_t *end, char *why, size_t len)
{
	char *dst = b->buf + b->used;
	size_t size = sh->used - sh->start;
	memcpy(dst, rec + sh->start, size);
	size_t p = 0;
	int64_t k = 0;
	*rest = false;
	while (p < size) {
		uint32_t m;
		if (want && b->msgs + (uint64_t)k >= want) {
			*rest = true;
			break;
		}
		if (size - p < REC) {
			snprintf(why, len, "slot %" PRIu64 ": %zu stray bytes at its end", n, size - p);
			return -1;
		}
		memcpy(&m, dst + p, REC);
		if (m > size - p - REC) {
			snprintf(why, len,
				 "slot %" PRIu64 ": a record at byte %zu claims %" PRIu32 " bytes, %zu are left", n,
				 sh->start + p, m, size - p - REC);
			return -1;
		}
		p += REC + m;
		k++;
	}
	b->used += p;
	*end = sh->start + (uint32_t)p;
	return k;
}

int ring_take_image(struct ring_hdr *h, char *slots, const struct ring_geom *g, struct ring_index *ix, uint64_t want,
		    struct ring_batch *b, char *why, size_t len)
{
	uint64_t tail = ix->tail, got = 0;
	uint32_t *part = NULL, part_start = 0;
	int rc = 0;
	b->used = 0;
	b->msgs = 0;
	b->freed = 0;
	while (tail != ix->head && (want == 0 || b->msgs < want)) {
		char *s = slot_at(slots, g, tail);
		struct slot_head sh;
		if (check_slot(s, g, tail, &sh, why, len) < 0) {
			rc = b->msgs ? 0 : -1;
			break;
		}
		if (sh.used - sh.start > b->cap - b->used)
			break; /* the next take gets it */
		bool rest;
		uint32_t end;
		int64_t k = take_slot(s + sizeof(struct slot_head), &sh, tail, want, b, &rest, &end, why, len);
		if (k < 0) {
			rc = b->msgs ? 0 : -1;
			break;
		}
		b->msgs += (uint64_t)k;
		got += (uint64_t)k;
		if (rest) {
			part = (uint32_t *)(void *)s;
			part_start = end;
			break;
		}
		tail++;
		b->freed++;
	}
	if (part)
		__atomic_store_n(part, part_start, __ATOMIC_RELAXED);
	if (got || b->freed) {
		uint64_t first = ix->tail;
		ix->tail = tail;
		ix->taken += got;
		store_pair(&h->tail, ix->tail, &h->taken, ix->taken);
		/* Empty the freed slots' heads: a head or tail moved back over
		 * them later finds empty slots (damage), not stale messages. */
		for (uint64_t n = first; n != tail; n++)
			memset(slot_at(slots, g, n), 0, sizeof(struct slot_head));
	}
	return rc;
}

uint32_t ring_put_image(struct ring_hdr *h, char *slots, const struct ring_geom *g, struct ring_index *ix,
			const char *buf, size_t len, size_t *off, bool *too_big)
{
	size_t room = slot_room(g->slot_size), o = *off;
	uint64_t head = ix->head, put = 0;
	uint32_t filled = 0;
	*too_big = false;
	while (o < len && head - ix->tail < g->slots) {
		char *s = slot_at(slots, g, head);
		char *rec = s + sizeof(struct slot_head);
		struct slot_head sh = { .start = 0, .used = 0 };
		uint32_t count = 0;
		while (o < len) {
			const char *nl = memchr(buf + o, '\n', len - o);
			size_t m = nl ? (size_t)(nl - (buf + o)) + 1 : len - o;
			if (m > g->slot_size) {
				*too_big = count == 0;
				break;
			}
			if (sh.used + REC + m > room)
				break;
			uint32_t m32 = (uint32_t)m;
			memcpy(rec + sh.used, &m32, REC);
			memcpy(rec + sh.used + REC, buf + o, m);
			sh.used += (uint32_t)(REC + m);
			count++;
			o += m;
		}
		if (!count)
			break;
		memcpy(s, &sh, sizeof(sh));
		head++;
		put += count;
		filled++;
	}
	if (filled) {
		ix->head = head;
		ix->put += put;
		store_pair(&h->head, ix->head, &h->put, ix->put);
	}
	*off = o;
	return filled;
}

int ring_index_unlocked(const struct ring_hdr *h, const struct ring_geom *g, struct ring_index *ix, char *why,
			size_t len)
{
	for (int i = 0; i < 1000; i++) {
		uint64_t before = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
		int c = ring_index_read(h, g, ix, false, why, len);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&h->head, __ATOMIC_RELAXED) == before && (c < 0 || ix->head == before))
			return c;
	}
	return 1;
}

int ring_lock_attr_init(pthread_mutexattr_t *ma)
{
	int e = pthread_mutexattr_init(ma);
	if (!e)
		e = pthread_mutexattr_setpshared(ma, PTHREAD_PROCESS_SHARED);
	if (!e)
		e = pthread_mutexattr_setrobust(ma, PTHREAD_MUTEX_ROBUST);
	if (e && e != ENOMEM)
		pthread_mutexattr_destroy(ma);
	return e;
}

/* glibc keeps the owner's thread ID in the lock word, as the kernel's
 * robust futexes require. */
int ring_lock_owner(const struct ring_hdr *h)
{
#ifdef __GLIBC__
	return __atomic_load_n(&h->lock.__data.__lock, __ATOMIC_RELAXED) & FUTEX_TID_MASK;
#else
	(void)h;
	return 0;
#endif
}

bool ring_lock_kind_ok(const struct ring_hdr *h)
{
#ifdef __GLIBC__
	pthread_mutexattr_t ma;
	pthread_mutex_t m;
	if (ring_lock_attr_init(&ma) != 0)
		return true;
	bool ok = true;
	if (pthread_mutex_init(&m, &ma) == 0) {
		ok = __atomic_load_n(&h->lock.__data.__kind, __ATOMIC_RELAXED) == m.__data.__kind;
		pthread_mutex_destroy(&m);
	}
	pthread_mutexattr_destroy(&ma);
	return ok;
#else
	(void)h;
	return true;
#endif
}
