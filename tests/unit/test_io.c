/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "ipcdemo/io.h"
#include "ipcdemo/queue.h"

Test(io, errno_round_trip)
{
	cr_assert_eq(io_from_errno(EINTR), IO_STOP);
	cr_assert_eq(io_from_errno(EAGAIN), IO_AGAIN);
	cr_assert_eq(io_from_errno(ETIMEDOUT), IO_TIMEOUT);
	errno = 0;
	cr_assert_eq(io_from_errno(EMSGSIZE), IO_FAILED_ERRNO);
	cr_assert_eq(errno, EMSGSIZE, "the caller reports errno: it must be set");
	cr_assert_eq(io_errno(IO_STOP), EINTR);
	cr_assert_eq(io_errno(IO_AGAIN), EAGAIN);
	cr_assert_eq(io_errno(IO_TIMEOUT), ETIMEDOUT);
	errno = EIDRM;
	cr_assert_eq(io_errno(IO_FAILED_ERRNO), EIDRM);
	cr_assert(io_failed(IO_FAILED_ERRNO));
	cr_assert(io_failed(IO_FAILED_REPORTED));
	cr_assert(!io_failed(IO_OK));
	cr_assert(!io_failed(IO_STOP));
	cr_assert(!io_failed(IO_AGAIN));
	cr_assert(!io_failed(IO_TIMEOUT));
}

/* A queue that takes `room` messages, then fails with `err`. */
struct fake_queue {
	int room;
	int err;
	int puts;
};

static int fake_put(void *impl, const char *msg, size_t n, int64_t deadline)
{
	struct fake_queue *q = impl;
	(void)msg;
	(void)n;
	(void)deadline;
	if (q->room == 0) {
		errno = q->err;
		return -1;
	}
	q->room--;
	q->puts++;
	return 0;
}

Test(io, queue_send_each_results)
{
	const char *buf = "one\ntwo\nthree\n";
	size_t len = strlen(buf), done = 99;
	struct fake_queue q = { .room = 10, .err = 0, .puts = 0 };
	cr_assert_eq(queue_send_each(&q, buf, len, 64, QUEUE_NOWAIT, &done, fake_put), IO_OK);
	cr_assert_eq(done, len);
	cr_assert_eq(q.puts, 3);

	q = (struct fake_queue){ .room = 1, .err = EAGAIN, .puts = 0 };
	cr_assert_eq(queue_send_each(&q, buf, len, 64, QUEUE_NOWAIT, &done, fake_put), IO_AGAIN);
	cr_assert_eq(done, 4, "the first message went in");

	q = (struct fake_queue){ .room = 2, .err = EINTR, .puts = 0 };
	cr_assert_eq(queue_send_each(&q, buf, len, 64, QUEUE_FOREVER, &done, fake_put), IO_STOP);
	cr_assert_eq(done, 8);

	q = (struct fake_queue){ .room = 0, .err = ETIMEDOUT, .puts = 0 };
	cr_assert_eq(queue_send_each(&q, buf, len, 64, QUEUE_FOREVER, &done, fake_put), IO_TIMEOUT);
	cr_assert_eq(done, 0);

	q = (struct fake_queue){ .room = 0, .err = EIDRM, .puts = 0 };
	cr_assert_eq(queue_send_each(&q, buf, len, 64, QUEUE_FOREVER, &done, fake_put), IO_FAILED_ERRNO);
	cr_assert_eq(errno, EIDRM);

	/* A message longer than the queue takes: EMSGSIZE, before any put. */
	q = (struct fake_queue){ .room = 10, .err = 0, .puts = 0 };
	cr_assert_eq(queue_send_each(&q, buf, len, 5, QUEUE_NOWAIT, &done, fake_put), IO_FAILED_ERRNO);
	cr_assert_eq(errno, EMSGSIZE);
	cr_assert_eq(done, 8, "one and two fit in 5 bytes, three does not");
	cr_assert_eq(q.puts, 2);
}

/* One message, put whole: its bytes, its result, EMSGSIZE before the put. */
Test(io, queue_send_one_results)
{
	const char *buf = "three\n";
	size_t len = strlen(buf), done = 99;
	struct fake_queue q = { .room = 10, .err = 0, .puts = 0 };
	cr_assert_eq(queue_send_one(&q, buf, len, 64, QUEUE_NOWAIT, &done, fake_put), IO_OK);
	cr_assert_eq(done, len);
	cr_assert_eq(q.puts, 1);

	q = (struct fake_queue){ .room = 0, .err = EAGAIN, .puts = 0 };
	cr_assert_eq(queue_send_one(&q, buf, len, 64, QUEUE_NOWAIT, &done, fake_put), IO_AGAIN);
	cr_assert_eq(done, 0);

	q = (struct fake_queue){ .room = 0, .err = EINTR, .puts = 0 };
	cr_assert_eq(queue_send_one(&q, buf, len, 64, QUEUE_FOREVER, &done, fake_put), IO_STOP);

	q = (struct fake_queue){ .room = 0, .err = ETIMEDOUT, .puts = 0 };
	cr_assert_eq(queue_send_one(&q, buf, len, 64, QUEUE_FOREVER, &done, fake_put), IO_TIMEOUT);

	q = (struct fake_queue){ .room = 0, .err = EIDRM, .puts = 0 };
	cr_assert_eq(queue_send_one(&q, buf, len, 64, QUEUE_FOREVER, &done, fake_put), IO_FAILED_ERRNO);
	cr_assert_eq(errno, EIDRM);

	q = (struct fake_queue){ .room = 10, .err = 0, .puts = 0 };
	cr_assert_eq(queue_send_one(&q, buf, len, 5, QUEUE_NOWAIT, &done, fake_put), IO_FAILED_ERRNO);
	cr_assert_eq(errno, EMSGSIZE);
	cr_assert_eq(done, 0);
	cr_assert_eq(q.puts, 0, "nothing put");
}
