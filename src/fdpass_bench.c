/* SPDX-License-Identifier: MIT */
/* The round trips of the bench row "unix memfd": each message, each way, in
 * a new sealed memfd whose descriptor goes over a seqpacket pair. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/fdpass.h"

static int memfd_send(struct ctx *ctx, struct bench_side *s, const char *buf, size_t len)
{
	const struct fdtx tx = { .fd = -1, .copies = 1, .memfd = true, .type = SOCK_SEQPACKET, .name = "bench" };
	ssize_t w;
	(void)ctx;
	do
		w = fdtx_send(&tx, s->wfd, buf, len, MSG_NOSIGNAL, true);
	while (w < 0 && errno == EINTR);
	return w < 0 ? -1 : 0;
}

/* The payload is copied out of the mapping into buf: the echo sends it on
 * in a memfd of its own, and the mapping is gone by then. */
static ssize_t memfd_recv(struct ctx *ctx, struct bench_side *s, char *buf, size_t cap, const char **msg)
{
	char head[64], err[200];
	struct fdrx rx;
	struct memfd_view v;
	ssize_t n;
	(void)ctx;
	do
		n = fdrx_recv(s->rfd, head, sizeof(head), false, &rx);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		fdrx_close(&rx);
		if (n == 0)
			errno = ECONNRESET;
		return -1;
	}
	if (rx.nfds == 0 || memfd_take(NULL, rx.fds[0], cap, &v, err, sizeof(err)) < 0) {
		fdrx_close(&rx);
		errno = EBADMSG;
		return -1;
	}
	memcpy(buf, v.p, v.len);
	memfd_release(&v);
	fdrx_close(&rx);
	*msg = buf;
	return (ssize_t)v.len;
}

const struct bench_chan_verbs fdpass_bench_verbs = {
	.init = NULL,
	.send = memfd_send,
	.recv = memfd_recv,
	.lines = false,
};
