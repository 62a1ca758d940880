/* SPDX-License-Identifier: MIT */
/* --events: the socket monitor of libzmq (zmq_socket_monitor; Debian's
 * libzmq has no draft API, so not the versioned one). The monitored
 * socket sends its events to an inproc PAIR socket that the verb polls
 * beside its own, in the same thread: each event is a line on stderr as
 * it is seen. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "ipcdemo/util.h"
#include "zmq_io.h"

struct event_name {
	int event;
	const char *name;
	bool err; /* the value is an errno */
};

static const struct event_name event_names[] = {
	{ .event = ZMQ_EVENT_CONNECTED, .name = "connected", .err = false },
	{ .event = ZMQ_EVENT_CONNECT_DELAYED, .name = "connect delayed", .err = false },
	{ .event = ZMQ_EVENT_CONNECT_RETRIED, .name = "connect retried", .err = false },
	{ .event = ZMQ_EVENT_LISTENING, .name = "listening", .err = false },
	{ .event = ZMQ_EVENT_BIND_FAILED, .name = "bind failed", .err = true },
	{ .event = ZMQ_EVENT_ACCEPTED, .name = "accepted", .err = false },
	{ .event = ZMQ_EVENT_ACCEPT_FAILED, .name = "accept failed", .err = true },
	{ .event = ZMQ_EVENT_CLOSED, .name = "closed", .err = false },
	{ .event = ZMQ_EVENT_CLOSE_FAILED, .name = "close failed", .err = true },
	{ .event = ZMQ_EVENT_DISCONNECTED, .name = "disconnected", .err = false },
	{ .event = ZMQ_EVENT_MONITOR_STOPPED, .name = "monitor stopped", .err = false },
	{ .event = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, .name = "handshake failed", .err = false },
	{ .event = ZMQ_EVENT_HANDSHAKE_SUCCEEDED, .name = "handshake succeeded", .err = false },
	{ .event = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, .name = "handshake failed (protocol)", .err = false },
	{ .event = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, .name = "handshake failed (authentication)", .err = false },
};

int zmon_open(struct zmon *m, void *zctx, void *sock, const char *prog, const char *what, bool print)
{
	char addr[64];
	snprintf(addr, sizeof(addr), "inproc://ipcdemo-monitor-%p", sock);
	*m = (struct zmon){ .pair = NULL,
			    .prog = prog,
			    .what = what,
			    .print = print,
			    .stopped = false,
			    .connections = 0,
			    .nfds = 0 };
	if (zmq_socket_monitor(sock, addr, ZMQ_EVENT_ALL) < 0) {
		fprintf(stderr, "%s: zmq_socket_monitor %s: %s\n", prog, what, zmq_strerror(errno));
		return -1;
	}
	m->pair = zmq_socket(zctx, ZMQ_PAIR);
	if (!m->pair) {
		fprintf(stderr, "%s: zmq_socket PAIR: %s\n", prog, zmq_strerror(errno));
		return -1;
	}
	int zero = 0;
	if (zmq_setsockopt(m->pair, ZMQ_LINGER, &zero, sizeof(zero)) < 0 || zmq_connect(m->pair, addr) < 0) {
		fprintf(stderr, "%s: zmq_connect %s: %s\n", prog, addr, zmq_strerror(errno));
		zmon_close(m, NULL);
		return -1;
	}
	return 0;
}

/* A connection's descriptor: followed from its connected or accepted
 * event until its disconnected or closed one. */
static void follow_fd(struct zmon *m, uint16_t ev, int fd)
{
	size_t i = 0;
	while (i < m->nfds && m->fds[i] != fd)
		i++;
	if (ev == ZMQ_EVENT_CONNECTED || ev == ZMQ_EVENT_ACCEPTED) {
		m->connections++;
		if (i < m->nfds)
			return;
		if (m->nfds < ZMON_FDS) {
			m->fds[m->nfds++] = fd;
		} else if (!m->overflow) {
			m->overflow = true;
			msg_warn(m->prog, "%s: more than %d connections at once: the others are not held at the end",
				 m->what, ZMON_FDS);
		}
	} else if ((ev == ZMQ_EVENT_DISCONNECTED || ev == ZMQ_EVENT_CLOSED) && i < m->nfds) {
		m->fds[i] = m->fds[--m->nfds];
	}
}

static void print_event(const struct zmon *m, uint16_t ev, uint32_t value, const zmq_msg_t *addr)
{
	const struct event_name *e = NULL;
	for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
		if (event_names[i].event == ev)
			e = &event_names[i];
	fflush(stdout);
	fprintf(stderr, "%s: event: ", m->prog);
	if (e)
		fputs(e->name, stderr);
	else
		fprintf(stderr, "0x%x", (unsigned)ev);
	fprintf(stderr, " %.*s", (int)zmq_msg_size(addr), (const char *)zmq_msg_data((zmq_msg_t *)addr));
	if (e && e->err)
		fprintf(stderr, ": %s", zmq_strerror((int)value));
	else if (ev == ZMQ_EVENT_CONNECT_RETRIED)
		fprintf(stderr, " (next try in %u ms)", (unsigned)value);
	fputc('\n', stderr);
}

/* One event if one is waiting: 1, 0 when none. */
static int take_event(struct zmon *m)
{
	zmq_msg_t head, addr;
	zmq_msg_init(&head);
	zmq_msg_init(&addr);
	int got = 0;
	if (zmq_msg_recv(&head, m->pair, ZMQ_DONTWAIT) >= 0) {
		got = 1;
		/* The address frame follows at once: the event is one message. */
		while (zmq_msg_more(&head) && zmq_msg_recv(&addr, m->pair, 0) < 0 && errno == EINTR)
			;
		if (zmq_msg_size(&head) >= 6) {
			const unsigned char *p = zmq_msg_data(&head);
			uint16_t ev;
			uint32_t value;
			memcpy(&ev, p, sizeof(ev));
			memcpy(&value, p + 2, sizeof(value));
			follow_fd(m, ev, (int)value);
			if (ev == ZMQ_EVENT_MONITOR_STOPPED)
				m->stopped = true;
			if (m->print)
				print_event(m, ev, value, &addr);
		}
	}
	zmq_msg_close(&head);
	zmq_msg_close(&addr);
	return got;
}

void zmon_drain(struct zmon *m)
{
	if (!m->pair)
		return;
	int e = errno; /* callers drain between a call and its errno check */
	while (take_event(m) > 0)
		;
	errno = e;
}

int zmon_items(struct zmon *m, zmq_pollitem_t *it)
{
	if (!m->pair)
		return 0;
	*it = (zmq_pollitem_t){ .socket = m->pair, .fd = 0, .events = ZMQ_POLLIN, .revents = 0 };
	return 1;
}

bool zmon_pause(struct zmon *m, int64_t ns)
{
	int64_t deadline = now_mono_ns() + ns;
	for (;;) {
		if (stop_requested())
			return false;
		int64_t left = deadline - now_mono_ns();
		if (left <= 0)
			return true;
		zmq_pollitem_t it;
		int n = zmon_items(m, &it);
		long ms = (long)(left / NSEC_PER_MSEC) + 1;
		if (ms > 100)
			ms = 100;
		if (zmq_poll(&it, n, ms) > 0)
			zmon_drain(m);
	}
}

void zmon_close(struct zmon *m, void *sock)
{
	if (!m->pair)
		return;
	/* Stop the monitor first and take its events up to the last, so that
	 * none is in flight when the sockets close: an event message left in
	 * the inproc pipe was leaked by libzmq (LeakSanitizer saw its 79
	 * bytes, the endpoint's text). */
	if (sock && zmq_socket_monitor(sock, NULL, 0) == 0) {
		int64_t deadline = now_mono_ns() + 100 * NSEC_PER_MSEC;
		while (!m->stopped && now_mono_ns() < deadline) {
			zmq_pollitem_t it = { .socket = m->pair, .fd = 0, .events = ZMQ_POLLIN, .revents = 0 };
			if (zmq_poll(&it, 1, 10) > 0)
				zmon_drain(m);
		}
	}
	zmon_drain(m);
	zmq_close(m->pair);
	m->pair = NULL;
}
