/* SPDX-License-Identifier: MIT */
/* The one result convention of the I/O helpers: a producer's sink, a
 * queue's send and receive, opening or waiting on a channel, the stream
 * and packet readers. Each helper says which of these it returns and
 * what IO_STOP means for it (a stop request, and for some a peer that
 * went away, which ends a producer quietly as | head does).
 *
 * Helpers that wrap one system call (write_all, linebuf_fill, sock_recv)
 * keep the system call's convention: -1 and errno. */
#ifndef IPCDEMO_IO_H
#define IPCDEMO_IO_H

#include <errno.h>
#include <stdbool.h>

enum io_result {
	IO_OK = 0,
	/* Stop quietly: a stop was requested (SIGINT, SIGTERM), or whatever
	 * the helper documents as a quiet end. Nothing was printed. */
	IO_STOP,
	/* Nothing could be done without waiting (a full or empty queue with
	 * QUEUE_NOWAIT). Nothing was printed: the caller reports it. */
	IO_AGAIN,
	/* Still not possible at the deadline. Nothing was printed. */
	IO_TIMEOUT,
	/* Failed, and a diagnostic naming the object has been printed. */
	IO_FAILED_REPORTED,
	/* Failed; errno says why and the caller reports it. */
	IO_FAILED_ERRNO,
};

static inline bool io_failed(enum io_result r)
{
	return r == IO_FAILED_REPORTED || r == IO_FAILED_ERRNO;
}

/* The result for a call that failed with err, for helpers that set errno
 * EINTR only on a stop request: IO_STOP, IO_AGAIN (EAGAIN), IO_TIMEOUT
 * (ETIMEDOUT), else IO_FAILED_ERRNO with errno set to err. */
static inline enum io_result io_from_errno(int err)
{
	switch (err) {
	case EINTR:
		return IO_STOP;
	case EAGAIN:
		return IO_AGAIN;
	case ETIMEDOUT:
		return IO_TIMEOUT;
	default:
		errno = err;
		return IO_FAILED_ERRNO;
	}
}

/* The errno that stands for r (of IO_STOP, IO_AGAIN, IO_TIMEOUT; else the
 * current errno), for the diagnostics and explanations that name it. */
static inline int io_errno(enum io_result r)
{
	switch (r) {
	case IO_STOP:
		return EINTR;
	case IO_AGAIN:
		return EAGAIN;
	case IO_TIMEOUT:
		return ETIMEDOUT;
	default:
		return errno;
	}
}

#endif
