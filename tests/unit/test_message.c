/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo/message.h"

Test(stamp, round_trip)
{
	char buf[STAMP_MAX + 8];
	uint64_t id, seq;
	size_t off;
	size_t n = stamp_format(buf, 4711, 17);
	cr_assert_eq(n, strlen("4711:17:"));
	cr_assert(memcmp(buf, "4711:17:", n) == 0);
	memcpy(buf + n, "hello", 5);
	cr_assert(stamp_parse(buf, n + 5, &id, &seq, &off));
	cr_assert_eq(id, 4711);
	cr_assert_eq(seq, 17);
	cr_assert_eq(off, n);
	n = stamp_format(buf, UINT64_MAX, 1);
	cr_assert(n <= STAMP_MAX);
}

Test(stamp, empty_payload_and_rejects)
{
	uint64_t id, seq;
	size_t off;
	cr_assert(stamp_parse("1:2:", 4, &id, &seq, &off));
	cr_assert_eq(off, 4);
	const char *bad[] = { "",
			      "1:2",
			      "1::x",
			      ":1:x",
			      "a:1:x",
			      "1:a:x",
			      "1:0:x",
			      "6c9ab353-64bb-4438",
			      "1:99999999999999999999999:x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(!stamp_parse(bad[i], strlen(bad[i]), &id, &seq, &off), "'%s' parsed", bad[i]);
}

Test(verify, clean_run)
{
	struct verify *v = verify_new();
	struct verify_result r;
	for (uint64_t s = 1; s <= 1000; s++)
		cr_assert_eq(verify_add(v, 1, s), VERIFY_OK);
	verify_get(v, &r);
	cr_assert_eq(r.producers, 1);
	cr_assert_eq(r.received, 1000);
	cr_assert(verify_clean(&r));
	verify_free(v);
}

Test(verify, lost_duplicated_reordered)
{
	struct verify *v = verify_new();
	struct verify_result r;
	verify_add(v, 1, 1);
	verify_add(v, 1, 3); /* 2 missing for now */
	cr_assert_eq(verify_add(v, 1, 3), VERIFY_DUPLICATE);
	verify_add(v, 1, 6);                                 /* 4, 5 missing */
	cr_assert_eq(verify_add(v, 1, 5), VERIFY_REORDERED); /* 5 arrives late */
	verify_get(v, &r);
	cr_assert_eq(r.received, 5);
	cr_assert_eq(r.duplicated, 1);
	cr_assert_eq(r.reordered, 1);
	cr_assert_eq(r.lost, 2, "2 and 4 never came, got %llu", (unsigned long long)r.lost);
	cr_assert_eq(r.before_first, 0);
	cr_assert(!verify_clean(&r));
	verify_free(v);
}

Test(verify, per_producer_and_unstamped)
{
	struct verify *v = verify_new();
	struct verify_result r;
	for (uint64_t s = 1; s <= 100; s++) {
		cr_assert_eq(verify_add(v, 10, s), VERIFY_OK);
		cr_assert_eq(verify_add(v, 20, s), VERIFY_OK);
	}
	verify_get(v, &r);
	cr_assert_eq(r.producers, 2);
	cr_assert(verify_clean(&r));
	verify_unstamped(v);
	verify_get(v, &r);
	cr_assert_eq(r.unstamped, 1);
	cr_assert(!verify_clean(&r));
	verify_free(v);
}

Test(verify, large_sequence_numbers_grow_the_bitmap)
{
	struct verify *v = verify_new();
	struct verify_result r;
	cr_assert_eq(verify_add(v, 1, 1), VERIFY_OK);
	cr_assert_eq(verify_add(v, 1, 1000000), VERIFY_OK);
	cr_assert_eq(verify_add(v, 1, 999999), VERIFY_REORDERED);
	cr_assert_eq(verify_add(v, 1, 1000000), VERIFY_DUPLICATE);
	verify_get(v, &r);
	cr_assert_eq(r.lost, 1000000 - 3);
	verify_free(v);
}

Test(verify, memory_follows_the_span_not_the_numbers)
{
	struct verify *v = verify_new();
	struct verify_result r;
	/* Huge sequence numbers cost what their span costs. */
	for (uint64_t s = 1000000000000ULL; s < 1000000000000ULL + 1000; s++)
		cr_assert_eq(verify_add(v, 1, s), VERIFY_OK);
	cr_assert_eq(verify_add(v, 1, 1000000000000ULL - 5), VERIFY_REORDERED, "below the first: extends down");
	verify_get(v, &r);
	cr_assert_eq(r.lost, 4);
	/* A span past the window is counted, not allocated. */
	cr_assert_eq(verify_add(v, 2, 1), VERIFY_OK);
	cr_assert_eq(verify_add(v, 2, 1ULL << 40), VERIFY_OK);
	verify_get(v, &r);
	cr_assert_eq(r.lost, 4 + (1ULL << 40) - 2);
	cr_assert_eq(r.unchecked, 0);
	verify_free(v);
}

/* The two forged-stamp crashes of issue 10. */
Test(verify, forged_extreme_stamps)
{
	struct verify *v = verify_new();
	struct verify_result r;
	cr_assert_eq(verify_add(v, 5, 1), VERIFY_OK);
	cr_assert_eq(verify_add(v, 5, UINT64_MAX), VERIFY_OK);
	cr_assert_eq(verify_add(v, 1, UINT64_MAX), VERIFY_OK);
	cr_assert_eq(verify_add(v, 1, 2), VERIFY_UNCHECKED, "far behind the highest: not checkable");
	cr_assert_eq(verify_add(v, 1, UINT64_MAX), VERIFY_DUPLICATE);
	cr_assert_eq(verify_add(v, 1, UINT64_MAX - 1), VERIFY_REORDERED);
	verify_get(v, &r);
	cr_assert_eq(r.received, 6);
	cr_assert_eq(r.lost, UINT64_MAX - 2);
	cr_assert_eq(r.duplicated, 1);
	cr_assert_eq(r.reordered, 2, "the unchecked one is reordered too");
	cr_assert_eq(r.unchecked, 1);
	cr_assert_eq(r.before_first, UINT64_MAX - 2, "id 1 starts at UINT64_MAX - 1");
	cr_assert(!verify_clean(&r));
	/* Sums over producers saturate instead of wrapping. */
	cr_assert_eq(verify_add(v, 6, 1), VERIFY_OK);
	cr_assert_eq(verify_add(v, 6, UINT64_MAX), VERIFY_OK);
	cr_assert_eq(verify_add(v, 7, UINT64_MAX), VERIFY_OK);
	verify_get(v, &r);
	cr_assert_eq(r.lost, UINT64_MAX);
	cr_assert_eq(r.before_first, UINT64_MAX);
	verify_free(v);
}

Test(verify, the_window_behind_the_highest)
{
	struct verify *v = verify_new();
	struct verify_result r;
	for (uint64_t s = 1; s <= 200000; s++)
		cr_assert_eq(verify_add(v, 3, s), VERIFY_OK);
	cr_assert_eq(verify_add(v, 3, 200000 - VERIFY_WINDOW + 1), VERIFY_DUPLICATE, "just inside the window");
	cr_assert_eq(verify_add(v, 3, 200000 - 2 * VERIFY_WINDOW), VERIFY_UNCHECKED, "well outside it");
	cr_assert_eq(verify_add(v, 3, 1), VERIFY_UNCHECKED);
	/* A jump far ahead, then back into the new window. */
	cr_assert_eq(verify_add(v, 3, 1ULL << 50), VERIFY_OK);
	cr_assert_eq(verify_add(v, 3, (1ULL << 50) - 100), VERIFY_REORDERED);
	cr_assert_eq(verify_add(v, 3, (1ULL << 50) - 100), VERIFY_DUPLICATE);
	cr_assert_eq(verify_add(v, 3, 200000), VERIFY_UNCHECKED);
	verify_get(v, &r);
	cr_assert_eq(r.duplicated, 2);
	cr_assert_eq(r.unchecked, 3);
	cr_assert_eq(r.reordered, 4);
	cr_assert_eq(r.lost, (1ULL << 50) - 200002);
	verify_free(v);
}

Test(verify, past_the_producer_limit)
{
	struct verify *v = verify_new();
	struct verify_result r;
	for (uint64_t id = 0; id < VERIFY_PRODUCERS_MAX; id++)
		cr_assert_eq(verify_add(v, id * 7919, 1), VERIFY_OK);
	cr_assert_eq(verify_add(v, 1, 1), VERIFY_UNTRACKED);
	cr_assert_eq(verify_add(v, 1, 2), VERIFY_UNTRACKED);
	/* Producers already tracked stay tracked. */
	cr_assert_eq(verify_add(v, 0, 2), VERIFY_OK);
	cr_assert_eq(verify_add(v, (VERIFY_PRODUCERS_MAX - 1) * 7919, 1), VERIFY_DUPLICATE);
	verify_get(v, &r);
	cr_assert_eq(r.producers, VERIFY_PRODUCERS_MAX);
	cr_assert_eq(r.untracked, 2);
	cr_assert_eq(r.received, VERIFY_PRODUCERS_MAX + 4);
	cr_assert_eq(r.lost, 0);
	cr_assert(!verify_clean(&r), "untracked messages are not verified");
	verify_free(v);
}

Test(verify, past_the_memory_limit)
{
	struct verify *v = verify_new();
	struct verify_result r;
	/* Each producer asks for a full window: more than fit in memory. */
	uint64_t n = VERIFY_MEMORY_MAX / (VERIFY_WINDOW / 8) + 10, full = 0;
	for (uint64_t id = 1; id <= n; id++) {
		cr_assert_eq(verify_add(v, id, 1), VERIFY_OK);
		cr_assert_eq(verify_add(v, id, VERIFY_WINDOW), VERIFY_OK);
	}
	verify_get(v, &r);
	cr_assert(r.starved, "the limit was reached");
	for (uint64_t id = 1; id <= n; id++) {
		int got = verify_add(v, id, 2);
		cr_assert(got == VERIFY_REORDERED || got == VERIFY_UNCHECKED);
		if (got == VERIFY_REORDERED)
			cr_assert_eq(full++, id - 1, "the first ones got their windows");
	}
	cr_assert_geq(full, VERIFY_MEMORY_MAX / (VERIFY_WINDOW / 4));
	cr_assert_lt(full, n);
	cr_assert_eq(verify_add(v, n, VERIFY_WINDOW), VERIFY_DUPLICATE, "the small window still works");
	verify_get(v, &r);
	cr_assert_eq(r.unchecked, n - full);
	verify_free(v);
}

/* Against a model that remembers everything, on spans the window holds. */
Test(verify, agrees_with_a_model)
{
	enum { IDS = 40, SPAN = 3000, N = 200000 };
	static bool seen[IDS][SPAN + 1];
	uint64_t lo[IDS] = { 0 }, hi[IDS] = { 0 }, cnt[IDS] = { 0 };
	uint64_t dup = 0, reord = 0;
	struct verify *v = verify_new();
	struct verify_result r;
	srand(12345);
	for (int i = 0; i < N; i++) {
		int id = rand() % IDS;
		uint64_t s = (uint64_t)(rand() % SPAN) + 1;
		int want = VERIFY_OK;
		if (seen[id][s]) {
			want = VERIFY_DUPLICATE;
			dup++;
		} else {
			seen[id][s] = true;
			cnt[id]++;
			if (!lo[id] || s < lo[id])
				lo[id] = s;
			if (s < hi[id]) {
				want = VERIFY_REORDERED;
				reord++;
			} else {
				hi[id] = s;
			}
		}
		cr_assert_eq(verify_add(v, (uint64_t)id * 1000003, s), want, "message %d", i);
	}
	uint64_t lost = 0;
	for (int id = 0; id < IDS; id++)
		if (cnt[id])
			lost += hi[id] - lo[id] + 1 - cnt[id];
	verify_get(v, &r);
	cr_assert_eq(r.lost, lost);
	cr_assert_eq(r.duplicated, dup);
	cr_assert_eq(r.reordered, reord);
	cr_assert_eq(r.unchecked, 0);
	verify_free(v);
}

Test(verify, late_join_is_not_loss)
{
	struct verify *v = verify_new();
	struct verify_result r;
	for (uint64_t s = 26; s <= 30; s++)
		verify_add(v, 1, s);
	verify_add(v, 1, 32);
	verify_get(v, &r);
	cr_assert_eq(r.before_first, 25);
	cr_assert_eq(r.lost, 1, "only 31 is a hole");
	cr_assert(!verify_clean(&r));
	verify_free(v);
	v = verify_new();
	verify_add(v, 1, 5);
	verify_add(v, 1, 6);
	verify_get(v, &r);
	cr_assert(verify_clean(&r), "joining late alone is clean");
	cr_assert_eq(r.before_first, 4);
	verify_free(v);
}

Test(linebuf, lines_partial_and_rest)
{
	struct linebuf lb;
	const char *l;
	size_t n;
	cr_assert_eq(linebuf_init(&lb, 8, 64), 0);
	cr_assert_eq(linebuf_append(&lb, "ab\ncd\nef", 8), 0);
	cr_assert(linebuf_next(&lb, &l, &n));
	cr_assert_eq(n, 2);
	cr_assert(memcmp(l, "ab", 2) == 0);
	cr_assert(linebuf_next(&lb, &l, &n));
	cr_assert(memcmp(l, "cd", 2) == 0);
	cr_assert(!linebuf_next(&lb, &l, &n), "an unterminated line is not a line");
	cr_assert_eq(linebuf_pending(&lb), 2);
	cr_assert_eq(linebuf_append(&lb, "gh\n", 3), 0);
	cr_assert(linebuf_next(&lb, &l, &n));
	cr_assert_eq(n, 4);
	cr_assert(memcmp(l, "efgh", 4) == 0);
	cr_assert_eq(linebuf_append(&lb, "tail", 4), 0);
	cr_assert(linebuf_rest(&lb, &l, &n));
	cr_assert_eq(n, 4);
	cr_assert(!linebuf_rest(&lb, &l, &n));
	linebuf_free(&lb);
}

Test(linebuf, empty_lines_and_growth)
{
	struct linebuf lb;
	const char *l;
	size_t n;
	char big[40];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\n';
	cr_assert_eq(linebuf_init(&lb, 4, 64), 0);
	cr_assert_eq(linebuf_append(&lb, "\n\n", 2), 0);
	cr_assert(linebuf_next(&lb, &l, &n));
	cr_assert_eq(n, 0);
	cr_assert(linebuf_next(&lb, &l, &n));
	cr_assert_eq(n, 0);
	cr_assert_eq(linebuf_append(&lb, big, sizeof(big)), 0);
	cr_assert(linebuf_next(&lb, &l, &n));
	cr_assert_eq(n, sizeof(big) - 1);
	linebuf_free(&lb);
}

Test(linebuf, overlong_line_comes_out_in_pieces)
{
	struct linebuf lb;
	const char *l;
	size_t n, total = 0;
	int fds[2];
	char chunk[100];
	memset(chunk, 'y', sizeof(chunk));
	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
	cr_assert_eq(write(fds[1], "\n", 1), 1);
	close(fds[1]);
	cr_assert_eq(linebuf_init(&lb, 16, 32), 0);
	for (;;) {
		ssize_t r = linebuf_fill(&lb, fds[0]);
		while (linebuf_next(&lb, &l, &n))
			total += n;
		if (r == 0)
			break;
	}
	cr_assert_eq(total, sizeof(chunk), "every byte delivered (%zu)", total);
	cr_assert(lb.split > 0);
	linebuf_free(&lb);
	close(fds[0]);
}

Test(linebuf, newlines_counted_at_every_length_and_offset)
{
	/* Lengths across the 16-byte steps and the 255-step sums, at every
	 * alignment, against a byte-by-byte count. */
	static char buf[16 * 600 + 64];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)((i * 7919 % 13 == 0) ? '\n' : (i % 3 ? 'x' : (char)0xff));
	for (size_t off = 0; off < 17; off++) {
		for (size_t n = 0; off + n <= sizeof(buf); n += n < 70 ? 1 : 157) {
			uint64_t want = 0;
			for (size_t i = 0; i < n; i++)
				want += buf[off + i] == '\n';
			cr_assert_eq(newlines(buf + off, n), want, "offset %zu, %zu bytes", off, n);
		}
	}
	static char all[16 * 300];
	memset(all, '\n', sizeof(all));
	cr_assert_eq(newlines(all, sizeof(all)), sizeof(all), "a lane past 255");
	cr_assert_eq(newlines(NULL, 0), 0);
}
