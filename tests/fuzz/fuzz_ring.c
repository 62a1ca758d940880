/* SPDX-License-Identifier: MIT */
/* libFuzzer target: arbitrary bytes as the image of a shared-memory ring,
 * fed to what a process does with a ring it opens: check the header
 * (attach), read the indices and walk the slots (info), take everything
 * with --nonblock semantics, then put messages and take them back. The
 * image is a heap block of exactly the input's size, so AddressSanitizer
 * catches any read or write outside it; every loop is bounded and a loop
 * that runs past its bound aborts (a hang). Properties checked:
 *   - a ring whose header and slots all check out gives, taken to the
 *     end, exactly the messages its slots hold, and is empty then;
 *   - every message delivered lies within the batch;
 *   - what is put into a valid ring comes out again, in order.
 * The lock in the image is never taken: the locking is ring_shm.c's.
 *
 * Built and run with the other targets by tests/fuzz/run.sh (meson option
 * 'fuzz'); 'tests/fuzz/run.sh fuzz_ring' runs this one alone. A crash
 * leaves crash-HASH in the fuzz build directory; add it to
 * tests/fuzz/corpus/fuzz_ring/ and rerun the target with the file as the
 * only argument to reproduce it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ipcdemo/ring.h"

/* Deliver the batch as shm_recv_ref does: every record within it. */
static uint64_t deliver(const struct ring_batch *b)
{
	size_t pos = 0;
	uint64_t n;
	for (n = 0; n < b->msgs; n++) {
		uint32_t m;
		CHECK(b->used - pos >= RING_REC);
		memcpy(&m, b->buf + pos, RING_REC);
		CHECK(m <= b->used - pos - RING_REC);
		pos += RING_REC + m;
	}
	CHECK(pos == b->used);
	return n;
}

/* Take until the ring is empty or damaged. Returns the messages taken;
 * *damaged when a take refused a slot. */
static uint64_t take_all(struct ring_hdr *h, char *slots, const struct ring_geom *g, struct ring_batch *b,
			 uint64_t want, bool *damaged)
{
	char why[RING_WHY];
	uint64_t total = 0;
	/* Each take that does not stop takes at least one record, and the
	 * ring holds at most slots * (slot_size + 4) / 4 of them. */
	uint64_t bound = (uint64_t)g->slots * ((g->slot_size + RING_REC) / RING_REC) + 2;
	*damaged = false;
	for (uint64_t i = 0;; i++) {
		CHECK(i <= bound);
		struct ring_index ix;
		if (ring_index_read(h, g, &ix, false, why, sizeof(why)) < 0) {
			*damaged = true;
			return total;
		}
		if (ring_take_image(h, slots, g, &ix, want, b, why, sizeof(why)) < 0) {
			*damaged = true;
			return total;
		}
		CHECK(b->used <= b->cap);
		if (b->msgs == 0 && b->freed == 0)
			return total;
		total += deliver(b);
	}
}

static void put_and_take(struct ring_hdr *h, char *slots, const struct ring_geom *g, struct ring_batch *b)
{
	static const char msgs[] = "one\ntwo\n\nthree\n";
	char why[RING_WHY];
	struct ring_index ix;
	if (ring_index_read(h, g, &ix, false, why, sizeof(why)) < 0 || ix.head != ix.tail)
		return;
	size_t off = 0;
	bool too_big;
	ring_put_image(h, slots, g, &ix, msgs, sizeof(msgs) - 1, &off, &too_big);
	CHECK(off <= sizeof(msgs) - 1);
	if (off == 0)
		return;
	/* What went in comes out: the same bytes, record by record. */
	CHECK(ring_index_read(h, g, &ix, false, why, sizeof(why)) == 0);
	size_t got = 0;
	for (int i = 0; i < 8 && got < off; i++) {
		CHECK(ring_take_image(h, slots, g, &ix, 0, b, why, sizeof(why)) == 0);
		size_t pos = 0;
		for (uint64_t n = 0; n < b->msgs; n++) {
			uint32_t m;
			memcpy(&m, b->buf + pos, RING_REC);
			CHECK(got + m <= off && memcmp(b->buf + pos + RING_REC, msgs + got, m) == 0);
			got += m;
			pos += RING_REC + m;
		}
	}
	CHECK(got == off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < sizeof(struct ring_hdr))
		return 0;
	/* The image, exactly as large as the input: nothing around it. */
	char *img = malloc(size);
	if (!img)
		return 0;
	memcpy(img, data, size);
	struct ring_hdr *h = (struct ring_hdr *)(void *)img;
	struct ring_geom g;
	char why[RING_WHY];
	if (ring_check_geom(h, size, &g, why, sizeof(why)) != RING_OK) {
		free(img);
		return 0;
	}
	CHECK(g.size == size && (size_t)g.hdr_size + (size_t)g.slots * g.stride == size);
	char *slots = img + g.hdr_size;
	/* info: the indices, with and without the counters, and every slot. */
	struct ring_index ix;
	uint64_t held = 0;
	bool counters_ok = ring_index_read(h, &g, &ix, true, why, sizeof(why)) == 0;
	bool index_ok = ring_index_read(h, &g, &ix, false, why, sizeof(why)) == 0;
	bool slots_ok = index_ok && ring_walk(slots, &g, &ix, &held, why, sizeof(why)) == 0;
	CHECK(!counters_ok || index_ok);
	/* A small batch too, to leave parts of slots behind: at least a
	 * slot's records, as ring_shm.c makes it. */
	struct ring_batch b = { 0 };
	b.cap = (size % 3 == 0) ? g.stride : (size_t)g.stride * 4;
	b.buf = malloc(b.cap);
	if (!b.buf) {
		free(img);
		return 0;
	}
	uint64_t want = data[size - 1] % 4; /* 0: no limit, else -n 1..3 */
	bool damaged;
	uint64_t taken = take_all(h, slots, &g, &b, want, &damaged);
	if (slots_ok) {
		/* Every slot checked out: all its messages, and then empty. */
		CHECK(!damaged && taken == held);
		CHECK(ring_index_read(h, &g, &ix, false, why, sizeof(why)) == 0 && ix.head == ix.tail);
		put_and_take(h, slots, &g, &b);
	}
	/* After a repair the counters agree with the slots. */
	if (index_ok && ring_index_read(h, &g, &ix, false, why, sizeof(why)) == 0 &&
	    ring_repair(h, slots, &g, &ix, why, sizeof(why)) >= 0)
		CHECK(ring_index_read(h, &g, &ix, true, why, sizeof(why)) == 0);
	free(b.buf);
	free(img);
	return 0;
}
