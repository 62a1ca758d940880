/* SPDX-License-Identifier: MIT */
/* Waiting on the ring's futex words (ring.h): sleeping on one, waking its
 * sleepers, and shm --spin, which polls the word for a while before it
 * sleeps. A sleep costs a futex wake-up, tens of microseconds across two
 * CPUs; polling costs the CPU it burns, and on one CPU it takes the time
 * the other side needs to answer. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo/queue.h"
#include "ipcdemo/ring.h"
#include "ipcdemo/util.h"

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

int ring_futex_sleep(uint32_t *word, uint32_t val, int64_t deadline)
{
	int64_t left = QUEUE_SLICE_NS;
	if (deadline != QUEUE_FOREVER) {
		int64_t d = deadline - now_mono_ns();
		if (d <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (d < left)
			left = d;
	}
	struct timespec ts = { .tv_sec = (time_t)(left / NSEC_PER_SEC), .tv_nsec = (long)(left % NSEC_PER_SEC) };
	if (futex(word, FUTEX_WAIT, val, &ts) < 0 && errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT)
		return -1;
	return 0;
}

void ring_futex_wake(uint32_t *word, uint32_t n)
{
	futex(word, FUTEX_WAKE, n > INT_MAX ? INT_MAX : n, NULL);
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
