/* SPDX-License-Identifier: MIT */
/* The ring image (src/ring.c): damage is refused, a holder's death is
 * repaired, what is put comes out once. On private images, no locks. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ipcdemo/ring.h"

struct img {
	char *mem;
	struct ring_hdr *h;
	char *slots;
	struct ring_geom g;
	struct ring_batch b;
	char why[RING_WHY];
};

/* A fresh ring image of that geometry, as ring_create makes it. */
static void img_new(struct img *m, uint32_t slots, uint32_t slot_size)
{
	uint32_t stride;
	size_t size;
	cr_assert(ring_layout(slots, slot_size, &stride, &size));
	m->mem = aligned_alloc(64, size);
	cr_assert_not_null(m->mem);
	memset(m->mem, 0, size);
	m->h = (struct ring_hdr *)(void *)m->mem;
	memcpy(m->h->magic, RING_MAGIC, sizeof(m->h->magic));
	m->h->version = RING_VERSION;
	m->h->hdr_size = (uint32_t)(size - (size_t)slots * stride);
	m->h->slots = slots;
	m->h->slot_size = slot_size;
	m->h->stride = stride;
	m->h->ready = 1;
	cr_assert_eq(ring_check_geom(m->h, size, &m->g, m->why, sizeof(m->why)), RING_OK, "%s", m->why);
	m->slots = m->mem + m->g.hdr_size;
	m->b.cap = stride > 4096 ? stride : 4096;
	m->b.buf = malloc(m->b.cap);
	cr_assert_not_null(m->b.buf);
}

static void img_free(struct img *m)
{
	free(m->b.buf);
	free(m->mem);
}

static size_t put(struct img *m, const char *msgs)
{
	struct ring_index ix;
	size_t off = 0;
	bool too_big;
	cr_assert_eq(ring_index_read(m->h, &m->g, &ix, true, m->why, sizeof(m->why)), 0, "%s", m->why);
	ring_put_image(m->h, m->slots, &m->g, &ix, msgs, strlen(msgs), &off, &too_big);
	return off;
}

/* Take everything there is; the messages, concatenated, in out. */
static int take(struct img *m, uint64_t want, char *out, size_t cap)
{
	struct ring_index ix;
	size_t n = 0;
	out[0] = '\0';
	if (ring_index_read(m->h, &m->g, &ix, true, m->why, sizeof(m->why)) < 0)
		return -1;
	if (ring_take_image(m->h, m->slots, &m->g, &ix, want, &m->b, m->why, sizeof(m->why)) < 0)
		return -1;
	size_t pos = 0;
	for (uint64_t i = 0; i < m->b.msgs; i++) {
		uint32_t len;
		memcpy(&len, m->b.buf + pos, RING_REC);
		cr_assert(n + len < cap);
		memcpy(out + n, m->b.buf + pos + RING_REC, len);
		n += len;
		pos += RING_REC + len;
	}
	out[n] = '\0';
	return (int)m->b.msgs;
}

Test(ring, put_and_take)
{
	struct img m;
	char out[256];
	img_new(&m, 4, 16);
	cr_assert_eq(put(&m, "a\nb\nc\n"), 6);
	cr_assert_eq(take(&m, 2, out, sizeof(out)), 2);
	cr_assert_str_eq(out, "a\nb\n");
	cr_assert_eq(take(&m, 0, out, sizeof(out)), 1);
	cr_assert_str_eq(out, "c\n");
	cr_assert_eq(take(&m, 0, out, sizeof(out)), 0);
	cr_assert_eq(m.h->put, 3);
	cr_assert_eq(m.h->taken, 3);
	img_free(&m);
}

Test(ring, head_and_tail_out_of_range)
{
	struct img m;
	struct ring_index ix;
	img_new(&m, 64, 16);
	m.h->head = UINT64_MAX;
	m.h->tail = 5;
	cr_assert_eq(ring_index_read(m.h, &m.g, &ix, false, m.why, sizeof(m.why)), -1);
	cr_assert_str_eq(m.why, "head 18446744073709551615 is 18446744073709551610 slots ahead of tail 5 (64 slots)");
	m.h->head = 5 + 100000000;
	cr_assert_eq(ring_index_read(m.h, &m.g, &ix, false, m.why, sizeof(m.why)), -1);
	cr_assert_str_eq(m.why, "head 100000005 is 100000000 slots ahead of tail 5 (64 slots)");
	m.h->head = 4;
	cr_assert_eq(ring_index_read(m.h, &m.g, &ix, false, m.why, sizeof(m.why)), -1);
	cr_assert_str_eq(m.why, "tail 5 is ahead of head 4");
	/* Found by the fuzz target: head = tail = 2^64 - 1 let a put wrap
	 * head round to 0. */
	m.h->head = m.h->tail = UINT64_MAX;
	cr_assert_eq(ring_index_read(m.h, &m.g, &ix, false, m.why, sizeof(m.why)), -1);
	cr_assert_str_eq(m.why, "head 18446744073709551615 is too close to 2^64");
	img_free(&m);
}

Test(ring, geometry_must_match_the_size)
{
	struct img m;
	struct ring_geom g;
	img_new(&m, 4, 16);
	cr_assert_eq(ring_check_geom(m.h, m.g.size + 1, &g, m.why, sizeof(m.why)), RING_DAMAGED);
	m.h->stride = 32;
	cr_assert_eq(ring_check_geom(m.h, m.g.size, &g, m.why, sizeof(m.why)), RING_DAMAGED);
	cr_assert_str_eq(m.why, "stride 32, not the 64 of slots of 16 bytes");
	m.h->version = 1;
	cr_assert_eq(ring_check_geom(m.h, m.g.size, &g, m.why, sizeof(m.why)), RING_FOREIGN);
	img_free(&m);
}

Test(ring, a_slot_moved_back_over_is_not_delivered_again)
{
	struct img m;
	char out[256];
	img_new(&m, 4, 16);
	put(&m, "old\n");
	cr_assert_eq(take(&m, 0, out, sizeof(out)), 1);
	put(&m, "new\n");
	m.h->tail = 0; /* damage: the slot taken before seems queued */
	m.h->taken = 0;
	cr_assert_eq(take(&m, 0, out, sizeof(out)), -1);
	cr_assert_str_eq(m.why, "slot 0: start 0 and end 0 (room for 20 bytes)");
	img_free(&m);
}

Test(ring, a_record_past_its_slot)
{
	struct img m;
	char out[256];
	img_new(&m, 4, 16);
	put(&m, "ab\ncd\n");
	uint32_t big = 1000;
	memcpy(m.slots + sizeof(struct slot_head), &big, sizeof(big));
	cr_assert_eq(take(&m, 0, out, sizeof(out)), -1);
	cr_assert_str_eq(m.why, "slot 0: a record at byte 0 claims 1000 bytes, 10 are left");
	cr_assert_eq(m.h->tail, 0, "the damaged slot is left as it is");
	img_free(&m);
}

/* A producer killed after it stored head, before put: put is short. */
Test(ring, repair_after_a_put_cut_short)
{
	struct img m;
	struct ring_index ix;
	char out[256];
	img_new(&m, 4, 16);
	put(&m, "a\nb\nc\n");
	m.h->put -= 3;
	cr_assert_eq(ring_index_read(m.h, &m.g, &ix, true, m.why, sizeof(m.why)), -1);
	cr_assert_eq(ring_index_read(m.h, &m.g, &ix, false, m.why, sizeof(m.why)), 0);
	cr_assert_eq(ring_repair(m.h, m.slots, &m.g, &ix, m.why, sizeof(m.why)), 1);
	cr_assert_eq(m.h->put, 3);
	cr_assert_eq(take(&m, 0, out, sizeof(out)), 3);
	cr_assert_str_eq(out, "a\nb\nc\n");
	img_free(&m);
}

/* A consumer killed after it stored tail (or a slot's start), before
 * taken: taken is short, the messages it took are gone. */
Test(ring, repair_after_a_take_cut_short)
{
	struct img m;
	struct ring_index ix;
	char out[256];
	img_new(&m, 4, 16);
	put(&m, "a\nb\nc\n");
	cr_assert_eq(take(&m, 1, out, sizeof(out)), 1);
	m.h->taken -= 1;
	cr_assert_eq(ring_index_read(m.h, &m.g, &ix, false, m.why, sizeof(m.why)), 0);
	cr_assert_eq(ring_repair(m.h, m.slots, &m.g, &ix, m.why, sizeof(m.why)), 1);
	cr_assert_eq(m.h->taken, 1);
	cr_assert_eq(ring_repair(m.h, m.slots, &m.g, &ix, m.why, sizeof(m.why)), 0);
	cr_assert_eq(take(&m, 0, out, sizeof(out)), 2);
	cr_assert_str_eq(out, "b\nc\n");
	img_free(&m);
}

/* The look of 'ls' and 'info' without the lock: an intact image reads
 * as the locked read does, a damaged one is refused with why. */
Test(ring, index_read_without_the_lock)
{
	struct img m;
	struct ring_index ix;
	img_new(&m, 4, 16);
	put(&m, "a\nb\n");
	cr_assert_eq(ring_index_unlocked(m.h, &m.g, &ix, m.why, sizeof(m.why)), 0, "%s", m.why);
	cr_assert_eq(ix.head, 1);
	cr_assert_eq(ix.tail, 0);
	cr_assert_eq(ix.put, 2);
	m.h->tail = 2;
	cr_assert_eq(ring_index_unlocked(m.h, &m.g, &ix, m.why, sizeof(m.why)), -1);
	cr_assert_str_eq(m.why, "tail 2 is ahead of head 1");
	img_free(&m);
}

/* The lock a ring is made with passes the check; a lock of another kind
 * (a header overwritten) does not. */
Test(ring, lock_kind)
{
	struct img m;
	pthread_mutexattr_t ma;
	img_new(&m, 4, 16);
	cr_assert_eq(ring_lock_attr_init(&ma), 0);
	cr_assert_eq(pthread_mutex_init(&m.h->lock, &ma), 0);
	pthread_mutexattr_destroy(&ma);
	cr_assert(ring_lock_kind_ok(m.h));
	cr_assert_eq(ring_lock_owner(m.h), 0);
#ifdef __GLIBC__
	pthread_mutex_destroy(&m.h->lock);
	cr_assert_eq(pthread_mutex_init(&m.h->lock, NULL), 0);
	cr_assert_not(ring_lock_kind_ok(m.h));
#endif
	pthread_mutex_destroy(&m.h->lock);
	img_free(&m);
}
