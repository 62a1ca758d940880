/* SPDX-License-Identifier: MIT */
/* The roles every socket mechanism plays, whatever its address family:
 * a producer that listens and serves, or connects; a consumer that
 * connects, listens for many producers, or binds and receives datagrams. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipcdemo/fdpass.h"
#include "ipcdemo/message.h"
#include "ipcdemo/sock.h"
#include "ipcdemo/sockexplain.h"
#include "ipcdemo/util.h"
#include "ipcdemo/wait.h"

int sock_check_roles(const struct ctx *ctx, bool producer)
{
	const struct sock_opts *o = sock_opts(ctx);
	if (o->listen && o->connect)
		return msg_usage(ctx->prog, "--listen and --connect exclude each other");
	if (o->type == SK_DGRAM && (o->listen || o->connect))
		return msg_usage(ctx->prog, "--listen and --connect are for connection sockets; "
					    "with datagrams the consumer binds and producers send to it");
	/* --wait is for the side that connects. */
	bool connects = producer ? (o->type == SK_DGRAM || o->connect) : (o->type != SK_DGRAM && !o->listen);
	if (o->given.wait && !connects)
		return msg_usage(ctx->prog, "--wait applies to the side that connects; this one %s",
				 o->type == SK_DGRAM ? "binds" : "listens");
	return 0;
}

int sock_produce(struct ctx *ctx, const struct endpoint *eps, size_t n, const struct sock_hints *h)
{
	const struct endpoint *ep = &eps[0];
	int rc;
	if (fd_opts_tx(&sock_opts(ctx)->fdp))
		return fdpass_produce(ctx, eps, n, h);
	if (ep->type != SOCK_DGRAM && !sock_opts(ctx)->connect) {
		/* As nc -l: the producer listens and serves every consumer. */
		struct server s;
		if (server_open(ctx, ep, &s) != EXIT_OK)
			return EXIT_FAIL;
		struct sink sink = { .impl = &s, .chunk = 0, .echo = true, .write = server_write, .wait = server_wait };
		rc = produce(ctx, &sink);
		server_close(ctx, &s);
		return rc;
	}
	int fd;
	const char *hint = ep->type == SOCK_DGRAM ? h->consumer : h->listening_consumer;
	enum io_result r = sock_connect(ctx, eps, n, hint, &fd);
	if (r != IO_OK)
		return r == IO_STOP ? produce_stopped(ctx) : EXIT_FAIL;
	struct conn_sink cs = { .fd = fd,
				.type = ep->type,
				.name = ep->name,
				.lossy = ep->family != AF_UNIX && ep->type == SOCK_DGRAM };
	/* chunk 1: every message is its own datagram or packet. */
	struct sink sink = { .impl = &cs,
			     .chunk = sock_is_packet(ep->type) ? 1 : 0,
			     .echo = true,
			     .write = conn_write };
	rc = produce(ctx, &sink);
	explain_close(ctx, fd,
		      ep->type == SOCK_DGRAM ? "the producer is done: a datagram socket has no end of file to send"
					     : "the producer is done: the consumer reads end of file");
	return rc;
}

/* The packets (or, of a stream, the reads at least) a listening consumer
 * takes from one producer before it polls again, so that a fast producer
 * does not starve the others. */
#define READS_A_ROUND 64
/* A stream's round ends at the latest after this much. */
#define ROUND_MAX (16 * STREAM_READ)

struct pconn {
	int fd;
	struct linebuf lb;
	struct peer peer;
};

/* --listen: accept any number of producers and read them all. */
/* Take what producer p has sent. Returns true when it has gone (end of
 * file, or an error, reported). */
static bool read_producer(struct ctx *ctx, struct consumer *c, const struct endpoint *ep, struct pconn *p, char *buf,
			  size_t bufcap)
{
	bool closed = false;
	if (ep->type == SOCK_STREAM) {
		/* Read on while there is more (the socket does not block), up
		 * to what one read without --batch takes and READS_A_ROUND
		 * reads, or ROUND_MAX, before polling again: one poll() (and
		 * one flush of stdout) for many reads when a producer is fast,
		 * however few messages each read takes, and fair to the others.
		 * (Up to STREAM_READ alone, a 64 KiB message a read cost a
		 * ppoll and two sigprocmask every 4 messages.) */
		ssize_t got;
		size_t taken = 0;
		int rounds = 0;
		while ((got = consumer_fill(c, &p->lb, p->fd)) > 0 || (got < 0 && errno == ENOBUFS)) {
			taken += got > 0 ? (size_t)got : 0;
			rounds++;
			if (consumer_deliver_lines(c, &p->lb) || (taken >= STREAM_READ && rounds >= READS_A_ROUND) ||
			    taken >= ROUND_MAX)
				break;
		}
		consumer_settle(c, false); /* before the poll(), which may wait */
		if (got > 0 || (got < 0 && (errno == ENOBUFS || errno == EAGAIN) && rounds > 0)) {
			/* delivered; nothing more for now */
		} else if (got == 0) {
			const char *line;
			size_t len;
			if (linebuf_rest(&p->lb, &line, &len))
				consumer_deliver(c, line, len);
			closed = true;
		} else if (errno != EAGAIN && errno != EINTR) {
			msg_syserr(ctx->prog, "read from a producer on %s", ep->name);
			closed = true;
		}
	} else {
		/* Likewise a packet at a time while packets are queued (the
		 * socket does not block), up to READS_A_ROUND: one poll()
		 * for many, where each packet cost a ppoll and two
		 * sigprocmask (strace -c: 4 system calls a message). */
		for (int k = 0; k < READS_A_ROUND && !c->stop && !stop_requested(); k++) {
			ssize_t got = sock_recv(p->fd, buf, bufcap, NULL);
			if (explaining(ctx))
				xs_precv(ctx, p->fd, buf, bufcap, NULL, got, 0);
			if (got > 0) {
				deliver_packet(c, buf, bufcap, got);
				continue;
			}
			if (got == 0) {
				closed = true;
			} else if (errno != EAGAIN && errno != EINTR) {
				msg_syserr(ctx->prog, "receive from a producer on %s", ep->name);
				closed = true;
			}
			break;
		}
	}
	return closed;
}

/* Accept a producer waiting on listener l into (*pcs)[*count], growing
 * *pcs (of *capp entries) as needed. Returns true when one was added. */
static bool accept_producer(struct ctx *ctx, const struct listener *l, struct pconn **pcs, size_t *count, size_t *capp)
{
	struct pconn *pc = *pcs;
	size_t n = *count, cap = *capp;
	const struct endpoint *ep = l->ep;
	int fd = explaining(ctx) ? xs_accept4(ctx, l->fd, SOCK_CLOEXEC | SOCK_NONBLOCK, "producer")
				 : accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
			msg_syserr(ctx->prog, "accept %s", ep->name);
		return false;
	}
	if (n == cap) {
		size_t ncap = cap ? cap * 2 : 8;
		struct pconn *np = realloc(pc, ncap * sizeof(*np));
		if (!np) {
			msg_syserr(ctx->prog, "accept %s: allocate", ep->name);
			close(fd);
			return false;
		}
		pc = np;
		cap = ncap;
		*pcs = pc;
		*capp = cap;
	}
	struct pconn *p = &pc[n];
	p->fd = fd;
	peer_of(fd, &p->peer);
	if (linebuf_init(&p->lb, STREAM_READ, STREAM_LINE_MAX) < 0) {
		msg_syserr(ctx->prog, "allocate buffer");
		close(fd);
		return false;
	}
	sock_tune(ctx, fd);
	n++;
	*count = n;
	if (!ctx->opt.quiet) {
		char who[64];
		sock_peer_name(fd, &p->peer, who, sizeof(who));
		msg_warn(ctx->prog, "producer connected (%s); %zu connected", who, n);
	}
	return true;
}

/* Producer pc[i] has gone: close it and put the last one in its place. */
static void drop_producer(struct ctx *ctx, struct pconn *pc, size_t *count, size_t i)
{
	size_t n = *count;
	struct pconn *p = &pc[i];
	if (!ctx->opt.quiet)
		msg_warn(ctx->prog, "a producer disconnected; %zu connected", n - 1);
	explain_close(ctx, p->fd, "this producer's connection is over");
	linebuf_free(&p->lb);
	pc[i] = pc[n - 1];
	n--;
	*count = n;
}

static int consume_listening(struct ctx *ctx, struct consumer *c, const struct endpoint *ep)
{
	struct listener l;
	struct pconn *pc = NULL;
	size_t n = 0, cap = 0;
	bool had_one = false;
	int status = EXIT_OK;
	size_t bufcap = ctx->opt.given[OP_SIZE] ? (size_t)ctx->opt.size : SOCK_RECV_SIZE;
	char *buf = malloc(bufcap);
	struct pollfd *pf = NULL;

	if (!buf) {
		msg_syserr(ctx->prog, "allocate receive buffer");
		return EXIT_FAIL;
	}
	if (listener_open(ctx, ep, &l) != EXIT_OK) {
		free(buf);
		return EXIT_FAIL;
	}
	note_wait(ctx, WAIT_PEER, "listening on %s (%s); waiting for a producer to connect", ep->name,
		  sock_type_name(sock_opts(ctx)->type));
	c->extra = peer_json;
	for (;;) {
		if (stop_requested() || c->stop)
			break;
		if (consumer_idle(c))
			break;
		int ms = consumer_poll_timeout(c);
		if (c->timed_out)
			break;
		struct pollfd *npf = realloc(pf, (n + 1) * sizeof(*pf));
		if (!npf) {
			msg_syserr(ctx->prog, "allocate");
			status = EXIT_FAIL;
			break;
		}
		pf = npf;
		pf[0] = (struct pollfd){ .fd = l.fd, .events = POLLIN, .revents = 0 };
		for (size_t i = 0; i < n; i++)
			pf[i + 1] = (struct pollfd){ .fd = pc[i].fd, .events = POLLIN, .revents = 0 };
		int r = poll_stoppable(pf, (unsigned long)(n + 1), ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			msg_syserr(ctx->prog, "poll %s", ep->name);
			status = EXIT_FAIL;
			break;
		}
		if (r == 0)
			continue;
		/* Read the producers first (their indices match pf), then accept. */
		for (size_t i = n; i-- > 0;) {
			if (!pf[i + 1].revents)
				continue;
			struct pconn *p = &pc[i];
			c->extra_arg = &p->peer;
			if (read_producer(ctx, c, ep, p, buf, bufcap))
				drop_producer(ctx, pc, &n, i);
		}
		c->extra_arg = NULL;
		if (had_one && n == 0 && sock_opts(ctx)->exit_on_eof)
			break;
		if (pf[0].revents && accept_producer(ctx, &l, &pc, &n, &cap))
			had_one = true;
	}
	for (size_t i = 0; i < n; i++) {
		close(pc[i].fd);
		linebuf_free(&pc[i].lb);
	}
	free(pc);
	free(pf);
	free(buf);
	listener_close(ctx, &l);
	return status;
}

int sock_consume(struct ctx *ctx, const struct endpoint *eps, size_t n, const struct sock_hints *h)
{
	const struct endpoint *ep = &eps[0];
	struct consumer c;
	int status = EXIT_OK;
	if (fd_opts_rx(&sock_opts(ctx)->fdp))
		return fdpass_consume(ctx, eps, n, h);
	if (consumer_init(&c, ctx) < 0)
		return EXIT_FAIL;
	c.says = &sock_read_says;

	if (ep->type == SOCK_DGRAM) {
		/* The consumer binds; every producer sends to it. */
		struct listener l;
		if (listener_open(ctx, ep, &l) != EXIT_OK)
			return consumer_finish(&c, EXIT_FAIL);
		/* The sender of each datagram, for --json's peer_pid: asked only
		 * then, as the kernel then takes and hands over the sender's
		 * credentials with every datagram (a seventh of a 64-byte
		 * datagram's cost on one CPU). */
		if (ep->family == AF_UNIX && ctx->opt.json &&
		    xs_setsockopt(ctx, l.fd, SOL_SOCKET, SO_PASSCRED, 1) < 0) {
			msg_syserr(ctx->prog, "setsockopt SO_PASSCRED");
			listener_close(ctx, &l);
			return consumer_finish(&c, EXIT_FAIL);
		}
		note_wait(ctx, WAIT_EMPTY, "receiving on %s (datagrams); waiting for a producer", ep->name);
		status = consume_packets(&c, l.fd, ep->name, false);
		listener_close(ctx, &l);
		return consumer_finish(&c, status);
	}
	if (sock_opts(ctx)->listen)
		return consumer_finish(&c, consume_listening(ctx, &c, ep));

	int fd;
	enum io_result r = sock_connect(ctx, eps, n, h->producer, &fd);
	if (r != IO_OK)
		return consumer_finish(&c, r == IO_STOP ? EXIT_OK : EXIT_FAIL);
	struct peer peer;
	peer_of(fd, &peer);
	c.extra = peer_json;
	c.extra_arg = &peer;
	if (ep->type == SOCK_SEQPACKET) {
		status = consume_packets(&c, fd, ep->name, true);
	} else {
		struct linebuf lb;
		if (linebuf_init(&lb, STREAM_READ, STREAM_LINE_MAX) < 0) {
			msg_syserr(ctx->prog, "allocate buffer");
			close(fd);
			return consumer_finish(&c, EXIT_FAIL);
		}
		if (consume_stream(&c, &lb, fd, ep->name) == IO_FAILED_REPORTED)
			status = EXIT_FAIL;
		linebuf_free(&lb);
	}
	if (status == EXIT_OK && !c.stop && !stop_requested() && !c.timed_out && !ctx->opt.quiet)
		msg_warn(ctx->prog, "the producer closed the connection");
	explain_close(ctx, fd, "the consumer is done with the connection");
	return consumer_finish(&c, status);
}
