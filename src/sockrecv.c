/* SPDX-License-Identifier: MIT */
/* The receiving side of the socket mechanisms: a message with the
 * sender's credentials, and the packet consumer's loop. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ipcdemo/sock.h"
#include "ipcdemo/sockexplain.h"
#include "ipcdemo/util.h"

static ssize_t sock_recvf(int fd, char *buf, size_t cap, struct peer *p, int flags);

ssize_t sock_recv(int fd, char *buf, size_t cap, struct peer *p)
{
	return sock_recvf(fd, buf, cap, p, 0);
}

/* sock_recv with more flags (MSG_DONTWAIT). */
static ssize_t sock_recvf(int fd, char *buf, size_t cap, struct peer *p, int flags)
{
	/* MSG_TRUNC: the return value is the real length, even when cut
	 * (for unix datagram and seqpacket sockets since Linux 3.4). Without
	 * credentials to read, recv(2): recvmsg reads and checks a message
	 * header from the caller each time, 0.03-0.1 us more a call here (on
	 * one CPU, 0.90x of the bare datagram row's rate, which recv()s). */
	if (!p)
		return recv(fd, buf, cap, MSG_TRUNC | flags);
	union {
		char b[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf.b,
			     .msg_controllen = sizeof(cbuf.b) };
	p->known = false;
	ssize_t n = recvmsg(fd, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC | flags);
	if (n < 0)
		return n;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(cm), sizeof(cr));
			p->known = true;
			p->pid = cr.pid;
			p->uid = cr.uid;
			p->gid = cr.gid;
		}
	}
	return n;
}

bool deliver_packet(struct consumer *c, char *buf, size_t cap, ssize_t len)
{
	size_t n = (size_t)len;
	if (n > cap) {
		msg_warn(c->ctx->prog, "message truncated: %zu bytes arrived, the receive buffer holds %zu (--size)", n,
			 cap);
		c->truncated++;
		n = cap;
	} else if (n > 0 && buf[n - 1] == '\n') {
		n--; /* the sender's line framing */
	}
	return consumer_deliver(c, buf, n);
}

int consume_packets(struct consumer *c, int fd, const char *what, bool until_eof)
{
	size_t cap = c->ctx->opt.given[OP_SIZE] ? (size_t)c->ctx->opt.size : SOCK_RECV_SIZE;
	char *buf = malloc(cap);
	struct peer peer = { 0 };
	int status = EXIT_OK;
	if (!buf) {
		msg_syserr(c->ctx->prog, "allocate receive buffer");
		return EXIT_FAIL;
	}
	if (!c->extra_arg) {
		c->extra = peer_json;
		c->extra_arg = &peer;
	}
	/* As a stream is read (consume_stream): without --timeout, on a
	 * blocking socket, a receive simply blocks, one receive a message as a
	 * bare reader makes, unless printed messages wait in stdout's buffer:
	 * then it does not wait (MSG_DONTWAIT), and a socket found drained is
	 * flushed before the blocking receive. On a non-blocking socket,
	 * poll() waits once the socket is drained. Before, every drained socket
	 * cost an empty try, two sigprocmask and a ppoll: on one CPU, where a
	 * consumer drains the socket every few datagrams, a third of the
	 * unix dgram row's rate. */
	int fl = fcntl(fd, F_GETFL);
	bool must_poll = fl >= 0 && (fl & O_NONBLOCK);
	bool drained = true;
	/* A receive that blocks has no timeout of its own: a stop request
	 * that lands just before the call is caught by the stop kick
	 * (util.c). With --timeout it waits at most that long (SO_RCVTIMEO,
	 * set once): a call begins right after the last message, so it ends
	 * when the consumer has been idle for --timeout, as a bare reader's
	 * would; poll() before each wait cost a failed receive, a ppoll and
	 * two sigprocmask each time the socket ran dry. */
	if (!must_poll && c->ctx->opt.given[OP_TIMEOUT] &&
	    xs_rcvtimeo(c->ctx, fd, (int64_t)c->ctx->opt.timeout,
			"a receive that waits gives up after --timeout: the consumer ends when idle that long") < 0)
		must_poll = true; /* then poll() waits for each message */
	for (;;) {
		if (c->stop || stop_requested())
			break;
		bool polled = false;
		if (drained) {
			if (consumer_idle(c))
				break;
			if (!must_poll && consumer_poll_timeout(c) == 0)
				break; /* idle for --timeout */
			if (must_poll) {
				enum io_result w = consumer_wait(c, fd, what);
				if (w != IO_OK) {
					if (w == IO_FAILED_REPORTED)
						status = EXIT_FAIL;
					break;
				}
				polled = true;
			}
		}
		/* The sender's credentials only for --json, which prints them. */
		struct peer *pp = c->extra_arg == &peer && c->ctx->opt.json ? &peer : NULL;
		bool hurry = !drained && (must_poll || (!c->discard && __fpending(stdout) > 0));
		int flags = hurry ? MSG_DONTWAIT : 0;
		bool told = explaining(c->ctx) && !hurry && !polled && xs_precv_wait(c->ctx, fd, cap, pp != NULL);
		ssize_t n = sock_recvf(fd, buf, cap, pp, flags);
		if (explaining(c->ctx))
			xs_precv_end(c->ctx, told, fd, buf, cap, pp, n, flags);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				drained = true;
			else if (errno != EINTR) {
				msg_syserr(c->ctx->prog, "receive from %s", what);
				status = EXIT_FAIL;
				break;
			}
			continue;
		}
		drained = false;
		if (n == 0 && until_eof)
			break;
		if (deliver_packet(c, buf, cap, n))
			break;
	}
	if (c->extra_arg == &peer)
		c->extra_arg = NULL;
	free(buf);
	return status;
}
