/* SPDX-License-Identifier: MIT */
/* unix: Unix domain sockets, the tutorial's producer4.sh (nc -lU) and the
 * course's Unix socket server and client: stream, dgram and seqpacket, on a
 * socket file or in the abstract namespace (@name). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipcdemo/demo.h"
#include "ipcdemo/message.h"
#include "ipcdemo/sock.h"
#include "ipcdemo/util.h"

#define DEFAULT_PATH "ipc.sock"

/* The endpoint and the role flags, checked. */
static int unix_setup(struct ctx *ctx, struct endpoint *ep)
{
	const struct opts *o = &ctx->opt;
	if (o->listen && o->connect)
		return msg_usage(ctx->prog, "--listen and --connect exclude each other");
	if (o->type == SK_DGRAM && (o->listen || o->connect))
		return msg_usage(ctx->prog, "--listen and --connect are for stream and seqpacket sockets; "
					    "with --type dgram the consumer binds and producers send to it");
	return unix_endpoint(ctx, o->path ? o->path : DEFAULT_PATH, sock_type(o->type), ep);
}

static int unix_produce(struct ctx *ctx)
{
	struct endpoint ep;
	int rc = producer_check(ctx);
	if (rc)
		return rc;
	rc = unix_setup(ctx, &ep);
	if (rc)
		return rc;
	bool packets = sock_is_packet(ep.type);

	if (ep.type != SOCK_DGRAM && !ctx->opt.connect) {
		/* As nc -lU: the producer listens and serves every consumer. */
		struct server s;
		if (server_open(ctx, &ep, &s) != EXIT_OK)
			return EXIT_FAIL;
		struct sink sink = { .impl = &s, .chunk = 0, .echo = true, .write = server_write };
		rc = produce(ctx, &sink);
		server_close(ctx, &s);
		return rc;
	}
	const char *hint = ep.type == SOCK_DGRAM ? "a consumer ('ipcdemo unix consume --type dgram')"
						 : "a listening consumer ('ipcdemo unix consume --listen')";
	int fd = sock_connect(ctx, &ep, hint);
	if (fd < 0)
		return fd == -2 ? EXIT_OK : EXIT_FAIL;
	struct conn_sink cs = { .fd = fd, .type = ep.type, .name = ep.name };
	/* chunk 1: every message is its own datagram or packet. */
	struct sink sink = { .impl = &cs, .chunk = packets ? 1 : 0, .echo = true, .write = conn_write };
	rc = produce(ctx, &sink);
	close(fd);
	return rc;
}

struct pconn {
	int fd;
	struct linebuf lb;
	struct peer peer;
};

/* --listen: accept any number of producers and read them all. */
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
	if (!ctx->opt.quiet)
		msg_warn(ctx->prog, "listening on %s (%s)", ep->name, sock_type_name(ctx->opt.type));
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
		int r = poll(pf, (nfds_t)(n + 1), ms);
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
			bool closed = false;
			c->extra_arg = &p->peer;
			if (ep->type == SOCK_STREAM) {
				ssize_t got = linebuf_fill(&p->lb, p->fd);
				if (got > 0 || (got < 0 && errno == ENOBUFS)) {
					consumer_deliver_lines(c, &p->lb);
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
				ssize_t got = sock_recv(p->fd, buf, bufcap, NULL);
				if (got > 0)
					deliver_packet(c, buf, bufcap, got);
				else if (got == 0)
					closed = true;
				else if (errno != EAGAIN && errno != EINTR) {
					msg_syserr(ctx->prog, "receive from a producer on %s", ep->name);
					closed = true;
				}
			}
			if (closed) {
				if (!ctx->opt.quiet)
					msg_warn(ctx->prog, "producer%s disconnected; %zu connected",
						 p->peer.known ? "" : " (unknown pid)", n - 1);
				close(p->fd);
				linebuf_free(&p->lb);
				pc[i] = pc[n - 1];
				n--;
			}
		}
		c->extra_arg = NULL;
		if (had_one && n == 0 && ctx->opt.exit_on_eof)
			break;
		if (pf[0].revents) {
			int fd = accept4(l.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (fd < 0) {
				if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
					msg_syserr(ctx->prog, "accept %s", ep->name);
				continue;
			}
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				struct pconn *np = realloc(pc, ncap * sizeof(*np));
				if (!np) {
					msg_syserr(ctx->prog, "accept %s: allocate", ep->name);
					close(fd);
					continue;
				}
				pc = np;
				cap = ncap;
			}
			struct pconn *p = &pc[n];
			p->fd = fd;
			peer_of(fd, &p->peer);
			if (linebuf_init(&p->lb, 65536, 1 << 20) < 0) {
				msg_syserr(ctx->prog, "allocate buffer");
				close(fd);
				continue;
			}
			n++;
			had_one = true;
			if (!ctx->opt.quiet)
				msg_warn(ctx->prog, "producer connected (pid %d); %zu connected", (int)p->peer.pid, n);
		}
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

static int unix_consume(struct ctx *ctx)
{
	struct endpoint ep;
	struct consumer c;
	int status = EXIT_OK;
	int rc = unix_setup(ctx, &ep);
	if (rc)
		return rc;
	if (consumer_init(&c, ctx) < 0)
		return EXIT_FAIL;

	if (ep.type == SOCK_DGRAM) {
		/* The consumer binds; every producer sends to it. */
		struct listener l;
		int one = 1;
		if (listener_open(ctx, &ep, &l) != EXIT_OK)
			return consumer_finish(&c, EXIT_FAIL);
		if (setsockopt(l.fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
			msg_syserr(ctx->prog, "setsockopt SO_PASSCRED");
			listener_close(ctx, &l);
			return consumer_finish(&c, EXIT_FAIL);
		}
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "receiving on %s (dgram)", ep.name);
		status = consume_packets(&c, l.fd, ep.name, false);
		listener_close(ctx, &l);
		return consumer_finish(&c, status);
	}
	if (ctx->opt.listen)
		return consumer_finish(&c, consume_listening(ctx, &c, &ep));

	int fd = sock_connect(ctx, &ep, "a producer ('ipcdemo unix produce')");
	if (fd < 0)
		return consumer_finish(&c, fd == -2 ? EXIT_OK : EXIT_FAIL);
	struct peer peer;
	peer_of(fd, &peer);
	c.extra = peer_json;
	c.extra_arg = &peer;
	if (ep.type == SOCK_SEQPACKET) {
		status = consume_packets(&c, fd, ep.name, true);
	} else {
		struct linebuf lb;
		if (linebuf_init(&lb, 65536, 1 << 20) < 0) {
			msg_syserr(ctx->prog, "allocate buffer");
			close(fd);
			return consumer_finish(&c, EXIT_FAIL);
		}
		if (consume_stream(&c, &lb, fd, ep.name) < 0)
			status = EXIT_FAIL;
		linebuf_free(&lb);
	}
	if (status == EXIT_OK && !c.stop && !stop_requested() && !c.timed_out && !ctx->opt.quiet)
		msg_warn(ctx->prog, "the producer closed the connection");
	close(fd);
	return consumer_finish(&c, status);
}

static int unix_demo(struct ctx *ctx)
{
	struct demo_place pl;
	const char *p = demo_place(ctx, &pl, DEFAULT_PATH);
	const char *type = sock_type_name(ctx->opt.type);
	if (!p)
		return EXIT_FAIL;
	printf("A producer and a consumer talk through the Unix %s socket %s.\n", type, p);
	if (ctx->opt.type == SK_DGRAM)
		printf("The consumer binds it; the producer sends 2 batches of 5 UUIDs, one datagram each.\n\n");
	else
		printf("The producer listens, as nc -lU does; the consumer connects and reads 2 batches of 5 UUIDs.\n\n");
	const char *cons_dgram[] = { "--path", p, "--type", type, "--count", "10", "--timeout", "10s", NULL };
	const char *prod_dgram[] = { "--path", p, "--type", type, "--count", "5", "--batches", "2", "--every",
				     "1s", "--wait", "5s", NULL };
	const char *cons[] = { "--path", p, "--type", type, "--wait", "5s", "--timeout", "10s", NULL };
	const char *prod[] = { "--path", p, "--type", type, "--count", "5", "--batches", "2", "--every", "1s", NULL };
	bool dgram = ctx->opt.type == SK_DGRAM;
	const struct demo_role roles[] = {
		{ dgram ? "consumer" : "producer", dgram ? "consume" : "produce", dgram ? cons_dgram : prod, 0,
		  !dgram },
		{ dgram ? "producer" : "consumer", dgram ? "produce" : "consume", dgram ? prod_dgram : cons,
		  300 * NSEC_PER_MSEC, dgram },
	};
	int st = demo_run(ctx, roles, 2);
	demo_place_remove(ctx, &pl);
	return st;
}

static const struct verb_opt produce_opts[] = {
	{ OP_PATH, "socket file, or @name for the abstract namespace (default: ipc.sock)" },
	{ OP_TYPE, NULL },
	{ OP_CONNECT, "connect to a consumer that listens (--listen) instead of listening" },
	{ OP_WAIT, "with --connect or dgram: keep trying for DURATION while no one listens" },
	{ OP_MODE, "permissions of the socket file (default 0600)" },
	PRODUCER_OPTIONS,
	{ OP_QUIET, NULL },
	{ OP_END, NULL },
};

static const struct verb_opt consume_opts[] = {
	{ OP_PATH, "socket file, or @name for the abstract namespace (default: ipc.sock)" },
	{ OP_TYPE, NULL },
	{ OP_LISTEN, "listen for any number of producers (--connect) instead of connecting" },
	{ OP_WAIT, "keep trying to connect for DURATION while no producer listens" },
	{ OP_MODE, "permissions of a socket file we bind (default 0600)" },
	CONSUMER_OPTIONS,
	{ OP_SIZE, "receive buffer for datagrams and packets (default 64k); larger ones are reported as truncated" },
	{ OP_EXIT_ON_EOF, "with --listen: exit when the last producer disconnects" },
	{ OP_QUIET, "print no notes on stderr" },
	{ OP_END, NULL },
};

static const struct verb_opt demo_opts[] = {
	{ OP_PATH, "socket to use (default: one in a new temporary directory)" },
	{ OP_TYPE, NULL },
	{ OP_END, NULL },
};

static const struct verb unix_verbs[] = {
	{ "produce", "send messages over a Unix socket", "[options] [MESSAGE...]",
	  "Stream and seqpacket: listens, as nc -lU does, and sends every message to every consumer\n"
	  "connected at the time (any number, served with poll()); --connect reverses the roles.\n"
	  "Dgram: sends each message as one datagram to the consumer's socket.",
	  produce_opts, 0, -1, unix_produce },
	{ "consume", "receive messages from a Unix socket", "[options]",
	  "Stream and seqpacket: connects to a listening producer (--listen: accepts any number of\n"
	  "producers). Dgram: binds the socket and receives the datagrams producers send.\n"
	  "Stream carries newline-framed lines; dgram and seqpacket one message per packet.",
	  consume_opts, 0, 0, unix_consume },
	{ "demo", "a producer and a consumer on a Unix socket", "[options]", NULL, demo_opts, 0, 0, unix_demo },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

const struct mechanism mech_unix = {
	"unix",
	"Unix domain sockets: stream, dgram, seqpacket, abstract names",
	"A socket file (or an @abstract name) is the address; the listener binds it and the\n"
	"other side connects. Stream sockets carry bytes, dgram and seqpacket keep message\n"
	"boundaries; SO_PEERCRED and SCM_CREDENTIALS tell who is on the other side.",
	unix_verbs,
};
