/* SPDX-License-Identifier: MIT */
/* A producer's end: hold the connections until the peers have read what
 * we sent.
 *
 * libzmq's linger only covers the messages still in the socket's queue.
 * A receiving engine throttled at its high-water mark stops reading its
 * kernel socket; when the sending side then closes an ipc:// connection,
 * the receiver's epoll reports the hangup even though it asked for no
 * events, and libzmq 4.3 ends the connection at once: what was still in
 * the kernel's buffer is dropped, silently, on both sides (libzmq issue
 * 4660; measured: 1,400 to 17,000 of 300,000 messages in about half the
 * runs). So before it closes, a producer asks the kernel how much of each
 * connection's data the peer has not read yet (SIOCOUTQ: on a Unix socket
 * the bytes not yet received, on TCP those not yet acknowledged), and
 * waits, at most its --linger, until that is 0 on every connection and
 * still 0 a few milliseconds later, so that libzmq's I/O thread has had
 * the time to write whatever it still held. */
#include <errno.h>
#include <linux/sockios.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <zmq.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/util.h"
#include "zmq_io.h"

/* Checks 0 in a row, a millisecond apart, that say all was read. */
#define QUIET_CHECKS 3

/* The bytes of fd not read by its peer yet; 0 when fd is no longer a
 * socket of ours (libzmq closed it before the event said so). */
static uint64_t unread(struct ctx *ctx, int fd, bool *told)
{
	int n = 0;
	bool tell = explaining(ctx) && !*told;
	if (tell)
		explain_begin(ctx, "ioctl", NULL, "%d, SIOCOUTQ", fd);
	int rc = ioctl(fd, SIOCOUTQ, &n);
	int e = errno;
	if (tell) {
		*told = true;
		if (rc == 0 && n)
			explain_end(ctx, rc, e,
				    "%d bytes we sent are not read by the peer yet: closing now could lose them", n);
		else
			explain_end(ctx, rc, e, "%s",
				    rc == 0 ? "the peer has read all we sent on this connection"
					    : xerr(e, EBADF, "libzmq closed this connection already"));
	} else if (explaining(ctx)) {
		explain_count(ctx, "ioctl", rc, SIZE_MAX);
	}
	return rc == 0 && n > 0 ? (uint64_t)n : 0;
}

uint64_t zmon_hold_unread(struct ctx *ctx, struct zmon *m, int64_t deadline, bool connecting)
{
	bool told = false;
	int quiet = 0;
	uint64_t left = 0;
	if (!m->pair)
		return 0;
	for (;;) {
		zmon_drain(m);
		left = 0;
		for (size_t i = 0; i < m->nfds; i++)
			left += unread(ctx, m->fds[i], &told);
		bool unconnected = connecting && !m->connections;
		quiet = left || unconnected ? 0 : quiet + 1;
		if (quiet >= QUIET_CHECKS || (m->nfds == 0 && !unconnected) || stop_requested() ||
		    now_mono_ns() >= deadline)
			return left;
		/* A millisecond, woken early by a connection's event. */
		zmq_pollitem_t it;
		(void)zmq_poll(&it, zmon_items(m, &it), 1);
	}
}
