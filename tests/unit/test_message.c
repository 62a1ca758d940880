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
	const char *bad[] = { "", "1:2", "1::x", ":1:x", "a:1:x", "1:a:x", "1:0:x", "6c9ab353-64bb-4438",
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
	verify_add(v, 1, 3);                              /* 2 missing for now */
	cr_assert_eq(verify_add(v, 1, 3), VERIFY_DUPLICATE);
	verify_add(v, 1, 6);                              /* 4, 5 missing */
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
	/* A span past the limit is refused, not allocated. */
	cr_assert_eq(verify_add(v, 2, 1), VERIFY_OK);
	cr_assert_eq(verify_add(v, 2, 1ULL << 40), -1);
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
