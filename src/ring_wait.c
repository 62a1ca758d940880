/* SPDX-License-Identifier: MIT */
/* Waiting on the ring's futex words (ring.h): sleeping on one, waking its
 * sleepers, and shm --spin, which polls the word for a while before it
 * sleeps. A sleep costs a futex wake-up, tens of microseconds across two
 * CPUs; polling costs the CPU it burns, and on one CPU it takes the time
 * the other side needs to answer. */
#include <errno.h>
#include <string.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/ring.h"
#include "ipcdemo/util.h"

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/* The time a sleep may last: a slice, or what is left to the deadline.
 * false (errno ETIMEDOUT) when the deadline has passed. */
static bool sleep_span(int64_t deadline, struct timespec *ts)
{
	int64_t left = QUEUE_SLICE_NS;
	if (deadline != QUEUE_FOREVER) {
		int64_t d = deadline - now_mono_ns();
		if (d <= 0) {
			errno = ETIMEDOUT;
			return false;
		}
		if (d < left)
			left = d;
	}
	*ts = (struct timespec){ .tv_sec = (time_t)(left / NSEC_PER_SEC), .tv_nsec = (long)(left % NSEC_PER_SEC) };
	return true;
}

/* --explain: a sleep on the word, in full for the first N messages, then
 * counted. */
static long sleep_told(struct ctx *ctx, uint32_t *word, uint32_t val, const struct timespec *ts, bool data, bool *told)
{
	bool full = explain_full(ctx) || !*told;
	*told = true;
	if (full)
		explain_begin(ctx, "futex",
			      data ? "blocks until a producer puts a message (FUTEX_WAKE), or for 250 ms at most"
				   : "blocks until a consumer frees a slot (FUTEX_WAKE), or for 250 ms at most",
			      "%p, FUTEX_WAIT, %u, {tv_sec=%lld, tv_nsec=%ld}", (void *)word, val,
			      (long long)ts->tv_sec, ts->tv_nsec);
	long rc = futex(word, FUTEX_WAIT, val, ts);
	int e = errno;
	if (!full) {
		explain_count(ctx, "futex", rc, SIZE_MAX);
		errno = e;
		return rc;
	}
	explain_end(ctx, rc, e, "%s",
		    rc == 0       ? "woken: the other side changed the ring; look at it again"
		    : e == EAGAIN ? "the word changed before we slept: look at the ring again"
		    : e == ETIMEDOUT
			    ? "the slice ended: look at the ring, the deadline and the stop flag, then sleep again"
		    : e == EINTR ? "interrupted by a signal: a stop was asked for"
				 : strerror(e));
	explain_messages(ctx, 0);
	errno = e;
	return rc;
}

int ring_futex_sleep(struct ctx *ctx, uint32_t *word, uint32_t val, int64_t deadline, bool data, bool *told)
{
	struct timespec ts;
	if (!sleep_span(deadline, &ts))
		return -1;
	long rc = explaining(ctx) ? sleep_told(ctx, word, val, &ts, data, told) : futex(word, FUTEX_WAIT, val, &ts);
	if (rc < 0 && errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT)
		return -1;
	return 0;
}

void ring_futex_wake(struct ctx *ctx, uint32_t *word, uint32_t n, bool data, bool *told)
{
	int v = n > INT_MAX ? INT_MAX : (int)n;
	if (!explaining(ctx)) {
		futex(word, FUTEX_WAKE, (uint32_t)v, NULL);
		return;
	}
	bool full = explain_full(ctx) || !*told;
	*told = true;
	long rc = futex(word, FUTEX_WAKE, (uint32_t)v, NULL);
	int e = errno;
	if (!full) {
		explain_count(ctx, "futex", rc, SIZE_MAX);
		return;
	}
	explain_begin(ctx, "futex", NULL, "%p, FUTEX_WAKE, %d", (void *)word, v);
	explain_end(ctx, rc, e, "%ld %s woken%s", rc < 0 ? 0L : rc,
		    data ? "consumers asleep on the ring" : "producers waiting for room",
		    rc == 0 ? " (none slept after all)" : ": a message or a free slot is there for them");
}

/* Looks at the word between two readings of the clock and of the stop
 * flag: a few microseconds of pauses. */
#define SPIN_LOOKS 128

static inline void spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

enum spin_result ring_spin(const uint32_t *word, uint32_t seq, int64_t *end, int64_t spin_ns, int64_t deadline)
{
	int64_t now = now_mono_ns();
	if (!*end)
		*end = now + spin_ns;
	int64_t until = now + QUEUE_SLICE_NS;
	if (*end < until)
		until = *end;
	if (deadline != QUEUE_FOREVER && deadline < until)
		until = deadline;
	for (;;) {
		for (int i = 0; i < SPIN_LOOKS; i++) {
			if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != seq)
				return SPIN_CHANGED;
			spin_pause();
		}
		if (stop_requested())
			return SPIN_OVER;
		now = now_mono_ns();
		if (now >= until)
			break;
	}
	if (now >= *end || (deadline != QUEUE_FOREVER && now >= deadline))
		return SPIN_OVER;
	return SPIN_SLICE;
}
