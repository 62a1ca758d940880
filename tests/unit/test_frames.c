/* SPDX-License-Identifier: MIT */
/* Joining the frames of a ZeroMQ message within bounds (no libzmq). */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/mech/zmq_frames.h"

static void frame_is(const struct zframes *f, size_t i, const char *want)
{
	const char *p;
	size_t n;
	zframes_get(f, i, &p, &n);
	cr_assert_eq(n, strlen(want), "frame %zu: %zu bytes", i, n);
	cr_assert(memcmp(p, want, n) == 0, "frame %zu", i);
}

Test(frames, joined_and_kept_apart)
{
	struct zframes f;
	zframes_init(&f, 100);
	zframes_add(&f, "ab", 2);
	zframes_add(&f, "", 0);
	zframes_add(&f, "cde", 3);
	cr_assert_eq(f.len, 5);
	cr_assert(memcmp(f.buf, "abcde", 5) == 0);
	cr_assert_eq(f.n, 3);
	cr_assert_eq(f.frames, 3);
	frame_is(&f, 0, "ab");
	frame_is(&f, 1, "");
	frame_is(&f, 2, "cde");
	cr_assert(!zframes_truncated(&f));
	zframes_reset(&f);
	cr_assert_eq(f.len, 0);
	cr_assert_eq(f.n, 0);
	zframes_add(&f, "x", 1);
	frame_is(&f, 0, "x");
	zframes_free(&f);
}

Test(frames, cut_at_the_byte_limit)
{
	struct zframes f;
	zframes_init(&f, 4);
	zframes_add(&f, "abc", 3);
	zframes_add(&f, "def", 3);
	zframes_add(&f, "ghi", 3);
	cr_assert(zframes_truncated(&f));
	cr_assert_eq(f.len, 4, "never more than the limit");
	cr_assert_eq(f.n, 2, "the frame that was cut ends the message");
	frame_is(&f, 0, "abc");
	frame_is(&f, 1, "d");
	cr_assert_eq(f.frames, 3, "every frame counted");
	cr_assert_eq(f.bytes, 9, "every byte counted");
	cr_assert(!f.nomem);
	zframes_free(&f);
}

Test(frames, cut_at_the_frame_limit)
{
	struct zframes f;
	zframes_init(&f, 1 << 20);
	for (int i = 0; i < ZFRAMES_MAX + 10; i++)
		zframes_add(&f, "", 0);
	cr_assert_eq(f.n, ZFRAMES_MAX);
	cr_assert_eq(f.frames, ZFRAMES_MAX + 10);
	cr_assert(zframes_truncated(&f));
	zframes_reset(&f);
	cr_assert(!zframes_truncated(&f), "the next message starts afresh");
	zframes_free(&f);
}
