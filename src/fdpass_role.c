/* SPDX-License-Identifier: MIT */
/* The producer and consumer of a Unix socket when descriptors or
 * credentials go with each message: the roles of sockrole.c, with one
 * sendmsg per message and a recvmsg that keeps each message's control
 * data with it. What the consumer does with what came: shows it (--fds,
 * --read-fd, --creds), reads a sealed memfd's payload (--via memfd), and
 * closes every descriptor it received, used or not. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo/fdpass.h"
#include "ipcdemo/sockexplain.h"
#include "ipcdemo/util.h"
#include "ipcdemo/wait.h"

/* Warnings of one kind said one by one, then only counted. */
#define SAY_MAX 5

struct rx_state {
	struct consumer *c;
	const struct fd_opts *f;
	bool show;               /* --fds or --read-fd */
	const struct peer *peer; /* the connection's, or this datagram's sender */
	struct peer dgram_peer;
	bool dgram;
	uint64_t memfd_max;
	/* the message being delivered */
	const struct fdrx *rx;
	struct fd_desc desc;
	bool have_desc;
	int seals; /* of a memfd, -1: none */
	/* counts */
	uint64_t msgno, extra, ctrunc, refused, stray;
};

static void rx_init(struct rx_state *st, struct consumer *c, const struct peer *peer)
{
	const struct fd_opts *f = &sock_opts(c->ctx)->fdp;
	*st = (struct rx_state){ .c = c,
				 .f = f,
				 .show = f->fds || f->read_fd,
				 .peer = peer,
				 .memfd_max = c->ctx->opt.given[OP_SIZE] ? c->ctx->opt.size : FDRX_MEMFD_MAX,
				 .seals = -1 };
}

static long count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	long n = -1; /* its own descriptor */
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void rx_json(struct out *o, void *arg)
{
	const struct rx_state *st = arg;
	const struct fdrx *rx = st->rx;
	peer_json(o, (void *)st->peer);
	if (st->show) {
		out_u64(o, PRINT_JSON, "fds", NULL, rx ? rx->nfds : 0);
		if (st->have_desc) {
			out_object_open(o, "fd");
			out_i64(o, PRINT_JSON, "number", NULL, st->desc.fd);
			out_string(o, PRINT_JSON, "target", NULL, st->desc.target);
			out_string(o, PRINT_JSON, "flags", NULL, st->desc.flags);
			out_bool(o, PRINT_JSON, "cloexec", NULL, st->desc.cloexec);
			if (st->desc.read)
				out_bytes(o, PRINT_JSON, "line", st->desc.line, st->desc.line_len);
			else if (st->desc.err[0])
				out_string(o, PRINT_JSON, "read_error", NULL, st->desc.err);
			if (st->seals >= 0) {
				char s[64];
				fd_seals_name(st->seals, s, sizeof(s));
				out_string(o, PRINT_JSON, "seals", NULL, s);
			}
			out_object_close(o);
		} else {
			out_null(o, "fd");
		}
		out_bool(o, PRINT_JSON, "ctrunc", NULL, rx && rx->ctrunc);
		out_i64(o, PRINT_JSON, "open_fds", NULL, count_open_fds());
	}
	if (st->f->creds) {
		if (rx && rx->creds) {
			out_object_open(o, "creds");
			out_i64(o, PRINT_JSON, "pid", NULL, rx->cred.pid);
			out_u64(o, PRINT_JSON, "uid", NULL, rx->cred.uid);
			out_u64(o, PRINT_JSON, "gid", NULL, rx->cred.gid);
			out_object_close(o);
		} else {
			out_null(o, "creds");
		}
	}
}

/* Bytes another process chose, for a terminal: controls become '?'. */
static void put_clean(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		fputc_unlocked(ch < 0x20 || ch == 0x7f ? '?' : ch, stdout);
	}
}

/* Text: one line under the message, on what came with it. */
static void rx_text(const struct rx_state *st)
{
	const struct fdrx *rx = st->rx;
	const char *sep = "  ";
	if (st->show) {
		if (st->have_desc) {
			printf("%sfd %d -> %s (%s%s", sep, st->desc.fd, st->desc.target, st->desc.flags,
			       st->desc.cloexec ? ", close-on-exec" : "");
			if (st->seals >= 0) {
				char s[64];
				fd_seals_name(st->seals, s, sizeof(s));
				printf(", sealed %s", s);
			}
			fputc_unlocked(')', stdout);
			if (rx->nfds > 1)
				printf(", %zu more closed unused", rx->nfds - 1);
			if (st->desc.err[0])
				printf(" (%s)", st->desc.err);
		} else {
			printf("%sno descriptor", sep);
		}
		if (rx->ctrunc)
			fputs_unlocked(", control data cut (MSG_CTRUNC)", stdout);
		sep = "; ";
	}
	if (st->f->creds) {
		if (rx->creds)
			printf("%sfrom pid %d uid %u gid %u", sep, (int)rx->cred.pid, (unsigned)rx->cred.uid,
			       (unsigned)rx->cred.gid);
		else
			printf("%sno credentials", sep);
	}
	if (st->show || st->f->creds)
		fputc_unlocked('\n', stdout);
	if (st->have_desc && st->desc.read) {
		fputs_unlocked("  first line: ", stdout);
		put_clean(st->desc.line, st->desc.line_len);
		fputc_unlocked('\n', stdout);
	}
}

/* Count what came beyond what a message uses, and say it the first time. */
static void rx_note(struct rx_state *st, const struct fdrx *rx)
{
	const char *prog = st->c->ctx->prog;
	bool quiet = st->c->ctx->opt.quiet;
	if (rx->ctrunc && st->ctrunc++ == 0)
		msg_warn(prog,
			 "message %llu: control data cut (MSG_CTRUNC): the sender passed more than the %d "
			 "descriptors this consumer takes with one message; the kernel closed the rest",
			 (unsigned long long)st->msgno, FDRX_WANT);
	if (rx->nfds > 1) {
		if (st->extra == 0 && !quiet)
			msg_warn(prog, "message %llu came with %zu descriptors: the first is used, the rest closed",
				 (unsigned long long)st->msgno, rx->nfds);
		st->extra += rx->nfds - 1;
	}
}

static void rx_refuse(struct rx_state *st, const char *why)
{
	if (st->refused++ < SAY_MAX)
		msg_warn(st->c->ctx->prog, "message %llu: %s: refused, descriptor closed",
			 (unsigned long long)st->msgno, why);
}

/* --via memfd: the payload is in the first descriptor, checked and mapped. */
static bool deliver_memfd(struct rx_state *st, const struct fdrx *rx)
{
	struct memfd_view v;
	char err[200];
	if (rx->nfds == 0) {
		rx_refuse(st, "no memfd came with it");
		return false;
	}
	if (memfd_take(st->c->ctx, rx->fds[0], st->memfd_max, &v, err, sizeof(err)) < 0) {
		rx_refuse(st, err);
		return false;
	}
	st->seals = v.seals;
	if (st->show) {
		fd_describe(rx->fds[0], false, &st->desc);
		st->have_desc = true;
	}
	size_t len = v.len;
	if (len > 0 && v.p[len - 1] == '\n')
		len--; /* the sender's framing */
	bool stop = consumer_deliver(st->c, v.p, len);
	memfd_release(&v);
	return stop;
}

/* Deliver one message and what came with it, then close its descriptors.
 * A packet: n as received into cap bytes (more: cut); a line: n <= cap.
 * Returns true when the consumer must stop. */
static bool rx_deliver(struct rx_state *st, char *buf, size_t cap, ssize_t n, struct fdrx *rx, bool packet)
{
	struct consumer *c = st->c;
	uint64_t before = c->msgs;
	bool stop;
	st->msgno++;
	st->rx = rx;
	rx_note(st, rx);
	if (st->dgram) {
		st->dgram_peer = (struct peer){ .known = rx->creds,
						.pid = rx->cred.pid,
						.uid = rx->cred.uid,
						.gid = rx->cred.gid };
		st->peer = &st->dgram_peer;
	}
	c->extra = rx_json;
	c->extra_arg = st;
	if (st->f->via == VIA_MEMFD) {
		stop = deliver_memfd(st, rx);
	} else {
		st->have_desc = st->show && rx->nfds > 0;
		if (st->have_desc)
			fd_describe(rx->fds[0], st->f->read_fd, &st->desc);
		stop = packet ? deliver_packet(c, buf, cap, n) : consumer_deliver(c, buf, (size_t)n);
	}
	if (!c->ctx->opt.json && c->msgs > before)
		rx_text(st);
	if (explaining(c->ctx))
		xs_fdrx_close(c->ctx, rx);
	else
		fdrx_close(rx);
	st->have_desc = false;
	st->seals = -1;
	st->rx = NULL;
	return stop;
}

static int rx_finish(struct rx_state *st, int status)
{
	const char *prog = st->c->ctx->prog;
	if (st->extra && !st->c->ctx->opt.quiet)
		msg_warn(prog, "%llu descriptor%s beyond the first of a message %s closed unused",
			 (unsigned long long)st->extra, st->extra == 1 ? "" : "s", st->extra == 1 ? "was" : "were");
	if (st->stray && !st->c->ctx->opt.quiet)
		msg_warn(prog, "%llu descriptor%s came with no message of their own and %s closed",
			 (unsigned long long)st->stray, st->stray == 1 ? "" : "s", st->stray == 1 ? "was" : "were");
	if (st->ctrunc)
		msg_warn(prog, "%llu message%s had %s control data cut (MSG_CTRUNC)", (unsigned long long)st->ctrunc,
			 st->ctrunc == 1 ? "" : "s", st->ctrunc == 1 ? "its" : "their");
	if (st->refused)
		msg_warn(prog, "%llu message%s refused (no sealed memfd within --size)",
			 (unsigned long long)st->refused, st->refused == 1 ? " was" : "s were");
	if (status == EXIT_OK && (st->ctrunc || st->refused))
		status = EXIT_FAIL;
	st->c->extra = NULL;
	st->c->extra_arg = NULL;
	return status;
}

/* Datagrams or packets, one message and its control data per recvmsg. */
static int rx_packets(struct rx_state *st, int fd, const char *what, bool until_eof)
{
	struct consumer *c = st->c;
	size_t cap = c->ctx->opt.given[OP_SIZE] && st->f->via != VIA_MEMFD ? (size_t)c->ctx->opt.size : SOCK_RECV_SIZE;
	char *buf = malloc(cap);
	int status = EXIT_OK;
	if (!buf) {
		msg_syserr(c->ctx->prog, "allocate receive buffer");
		return EXIT_FAIL;
	}
	for (;;) {
		enum io_result w = consumer_wait(c, fd, what);
		if (w != IO_OK) {
			status = w == IO_FAILED_REPORTED ? EXIT_FAIL : status;
			break;
		}
		struct fdrx rx;
		bool creds = st->dgram || st->f->creds, told = explaining(c->ctx);
		if (told)
			explain_hold(c->ctx); /* the calls of one message together */
		ssize_t n = fdrx_recv(fd, buf, cap, creds, &rx);
		if (told)
			xs_fdrx_recv(c->ctx, fd, buf, cap, &rx, true, n);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			msg_syserr(c->ctx->prog, "receive from %s", what);
			status = EXIT_FAIL;
			break;
		}
		if (n == 0 && until_eof && rx.nfds == 0)
			break;
		bool stop = rx_deliver(st, buf, cap, n, &rx, true);
		if (told)
			explain_release(c->ctx);
		if (stop || consumer_idle(c))
			break;
	}
	free(buf);
	return status;
}

/* One read of a stream: the descriptors of a read belong to the message
 * that begins in it. The kernel ends a recvmsg after the segment that
 * carried descriptors, and the producer sends each message with one
 * sendmsg whose first segment carries them: so a read holds at most one
 * message start with descriptors, and those of two messages never merge. */
struct rx_stream {
	struct linebuf lb;
	struct fdrx cur;  /* for the message at the head of lb */
	struct fdrx next; /* for the one after it (it began in the last read) */
	char tmp[65536];
};

/* Returns 1 at the end, 0 to go on, -1 on error (said). */
static int stream_read(struct rx_state *st, struct rx_stream *s, int fd, const char *what, bool *stop)
{
	struct consumer *c = st->c;
	bool mid = linebuf_pending(&s->lb) > 0;
	struct fdrx rx;
	ssize_t n = fdrx_recv(fd, s->tmp, sizeof(s->tmp), st->f->creds, &rx);
	if (explaining(c->ctx))
		xs_fdrx_recv(c->ctx, fd, s->tmp, sizeof(s->tmp), &rx, false, n);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		msg_syserr(c->ctx->prog, "receive from %s", what);
		return -1;
	}
	if (rx.nfds || rx.ctrunc) {
		struct fdrx *to = mid ? &s->next : &s->cur;
		st->stray += to->nfds;
		fdrx_close(to);
		*to = rx;
	}
	if (n == 0) {
		const char *line;
		size_t len;
		if (linebuf_rest(&s->lb, &line, &len))
			*stop = rx_deliver(st, (char *)line, len, (ssize_t)len, &s->cur, false);
		return 1;
	}
	if (linebuf_append(&s->lb, s->tmp, (size_t)n) < 0) {
		msg_syserr(c->ctx->prog, "allocate buffer");
		return -1;
	}
	const char *line;
	size_t len;
	while (!*stop && linebuf_next(&s->lb, &line, &len)) {
		c->split += s->lb.split;
		s->lb.split = 0;
		*stop = rx_deliver(st, (char *)line, len, (ssize_t)len, &s->cur, false);
		s->cur = s->next;
		s->next.nfds = 0;
		s->next.ctrunc = false;
	}
	return 0;
}

static int rx_stream(struct rx_state *st, int fd, const char *what)
{
	struct consumer *c = st->c;
	struct rx_stream *s = calloc(1, sizeof(*s));
	int status = EXIT_OK;
	if (!s || linebuf_init(&s->lb, 65536, STREAM_LINE_MAX) < 0) {
		msg_syserr(c->ctx->prog, "allocate buffer");
		free(s);
		return EXIT_FAIL;
	}
	bool stop = false;
	while (!stop) {
		enum io_result w = consumer_wait(c, fd, what);
		if (w != IO_OK) {
			status = w == IO_FAILED_REPORTED ? EXIT_FAIL : status;
			break;
		}
		int r = stream_read(st, s, fd, what, &stop);
		if (r < 0)
			status = EXIT_FAIL;
		if (r != 0 || consumer_idle(c))
			break;
	}
	if (stop)
		c->unread += linebuf_lines(&s->lb);
	fdrx_close(&s->cur);
	fdrx_close(&s->next);
	linebuf_free(&s->lb);
	free(s);
	return status;
}

int fdpass_consume_fd(struct consumer *c, int fd, int type, const char *what, const struct peer *peer)
{
	struct rx_state st;
	rx_init(&st, c, peer);
	int status = type == SOCK_STREAM ? rx_stream(&st, fd, what) : rx_packets(&st, fd, what, true);
	return rx_finish(&st, status);
}

/* sock_connect for --creds: SO_PASSCRED before connect(), since the kernel
 * adds a sender's credentials to a message only when the receiver asks at
 * the time of the send: the first messages of a producer that sends as
 * soon as it accepts would come without them. */
static enum io_result creds_connect(struct ctx *ctx, const struct endpoint *ep, const char *hint, int *fdp)
{
	const struct sock_opts *o = sock_opts(ctx);
	int64_t deadline = now_mono_ns() + o->wait;
	bool told = false;
	for (int one = 1;;) {
		int fd = xs_socket(ctx, ep->family, ep->type | SOCK_CLOEXEC, "a socket to connect with");
		if (fd < 0 || xs_setsockopt(ctx, fd, SOL_SOCKET, SO_PASSCRED, one) < 0) {
			msg_syserr(ctx->prog, "socket with SO_PASSCRED for %s", ep->name);
			if (fd >= 0)
				close(fd);
			return IO_FAILED_REPORTED;
		}
		sock_tune(ctx, fd);
		if (xs_connect(ctx, fd, (const struct sockaddr *)&ep->addr, ep->len, ep->type) == 0) {
			*fdp = fd;
			return IO_OK;
		}
		int e = errno;
		explain_close(ctx, fd, "this socket failed to connect; a new one for the next try");
		if (e == EINTR && stop_requested())
			return IO_STOP;
		bool nobody = e == ECONNREFUSED || e == ENOENT;
		if (!nobody || !o->given.wait || now_mono_ns() >= deadline) {
			errno = e;
			msg_syserr(ctx->prog, "connect %s", ep->name);
			if (nobody)
				fprintf(stderr,
					"No one is listening on %s. Start %s on that address first, or give --wait "
					"DURATION.\n",
					ep->name, hint);
			return IO_FAILED_REPORTED;
		}
		if (!told)
			note_wait(ctx, WAIT_PEER, "no one is listening on %s yet; waiting for one, up to --wait",
				  ep->name);
		told = true;
		if (!sleep_ns(100 * NSEC_PER_MSEC))
			return IO_STOP;
	}
}

int fdpass_consume(struct ctx *ctx, const struct endpoint *eps, size_t n, const struct sock_hints *h)
{
	const struct endpoint *ep = &eps[0];
	struct consumer c;
	int status = fdpass_check(ctx, ep->type, false);
	if (status)
		return status;
	if (consumer_init(&c, ctx) < 0)
		return EXIT_FAIL;
	if (ep->type == SOCK_DGRAM) {
		/* The consumer binds; every datagram brings its sender's
		 * credentials (SO_PASSCRED), as without these options. */
		struct listener l;
		struct rx_state st;
		if (listener_open(ctx, ep, &l) != EXIT_OK)
			return consumer_finish(&c, EXIT_FAIL);
		if (xs_setsockopt(ctx, l.fd, SOL_SOCKET, SO_PASSCRED, 1) < 0) {
			msg_syserr(ctx->prog, "setsockopt SO_PASSCRED");
			listener_close(ctx, &l);
			return consumer_finish(&c, EXIT_FAIL);
		}
		note_wait(ctx, WAIT_EMPTY, "receiving on %s (datagrams); waiting for a producer", ep->name);
		rx_init(&st, &c, NULL);
		st.dgram = true;
		status = rx_finish(&st, rx_packets(&st, l.fd, ep->name, false));
		listener_close(ctx, &l);
		return consumer_finish(&c, status);
	}
	int fd;
	enum io_result r = sock_opts(ctx)->fdp.creds ? creds_connect(ctx, ep, h->producer, &fd)
						     : sock_connect(ctx, eps, n, h->producer, &fd);
	if (r != IO_OK)
		return consumer_finish(&c, r == IO_STOP ? EXIT_OK : EXIT_FAIL);
	struct peer peer;
	peer_of(fd, &peer);
	status = fdpass_consume_fd(&c, fd, ep->type, ep->name, &peer);
	if (status == EXIT_OK && !c.stop && !stop_requested() && !c.timed_out && !ctx->opt.quiet)
		msg_warn(ctx->prog, "the producer closed the connection");
	explain_close(ctx, fd, "the consumer is done with the connection");
	return consumer_finish(&c, status);
}

int fdpass_produce(struct ctx *ctx, const struct endpoint *eps, size_t n, const struct sock_hints *h)
{
	const struct endpoint *ep = &eps[0];
	struct fdtx tx;
	int rc = fdtx_open(ctx, ep->type, ep->name, &tx);
	if (rc) {
		fdtx_close(&tx);
		return rc;
	}
	if (ep->type != SOCK_DGRAM && !sock_opts(ctx)->connect) {
		struct server s;
		if (server_open(ctx, ep, &s) != EXIT_OK) {
			fdtx_close(&tx);
			return EXIT_FAIL;
		}
		s.send = fdtx_client_send;
		s.send_arg = &tx;
		struct sink sink = { .impl = &s, .chunk = 0, .echo = true, .write = server_write, .wait = server_wait };
		rc = produce(ctx, &sink);
		server_close(ctx, &s);
		fdtx_close(&tx);
		return rc;
	}
	int fd;
	const char *hint = ep->type == SOCK_DGRAM ? h->consumer : h->listening_consumer;
	enum io_result r = sock_connect(ctx, eps, n, hint, &fd);
	if (r != IO_OK) {
		fdtx_close(&tx);
		return r == IO_STOP ? produce_stopped(ctx) : EXIT_FAIL;
	}
	struct fdtx_sink fs = { .tx = &tx, .fd = fd };
	/* chunk 1: one message per sendmsg, its control data with it. */
	struct sink sink = { .impl = &fs, .chunk = 1, .echo = true, .write = fdtx_write };
	rc = produce(ctx, &sink);
	explain_close(ctx, fd, "the producer is done");
	fdtx_close(&tx);
	return rc;
}
