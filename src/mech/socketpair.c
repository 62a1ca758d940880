/* SPDX-License-Identifier: MIT */
/* socketpair: two connected sockets made by socketpair(2), shared by a
 * parent and its child; the book's "Heavy lifting" example, both ways. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/fdpass.h"
#include "ipcdemo/message.h"
#include "ipcdemo/sock.h"
#include "ipcdemo/sockexplain.h"
#include "ipcdemo/util.h"

static const char *const book_messages[] = { "Heavy lifting", "Heavy lifting", "Feather lifting", "Feather lifting" };

/* kind: enum socket_kind. */
static int make_pair(struct ctx *ctx, int kind, int sv[2])
{
	int type = sock_type(kind);
	int rc = socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv);
	if (explaining(ctx)) {
		/* strace shows the pair among the arguments, after the call */
		explain_begin(ctx, "socketpair", NULL, "AF_UNIX, %s|SOCK_CLOEXEC, 0, [%d, %d]",
			      kind == SK_STREAM      ? "SOCK_STREAM"
			      : kind == SK_SEQPACKET ? "SOCK_SEQPACKET"
						     : "SOCK_DGRAM",
			      rc == 0 ? sv[0] : -1, rc == 0 ? sv[1] : -1);
		explain_end(ctx, rc, errno, "%s",
			    rc == 0 ? "two sockets already connected to each other, no name anywhere: what one "
				      "sends the other receives, both ways"
				    : strerror(errno));
	}
	if (rc < 0) {
		msg_syserr(ctx->prog, "socketpair(AF_UNIX, %s)", sock_type_name(kind));
		return -1;
	}
	return 0;
}

/* What the demo's calls mean. */
static const struct explain_says pair_write_says = {
	.blocks = NULL,
	.ok = "queued at the other end of the pair",
	.eof = NULL,
	.eof_ends = false,
	.fail = NULL,
	.errs = { { .err = EPIPE, .says = "the other end is closed: EPIPE" },
		  { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};
static const struct explain_says pair_read_says = {
	.blocks = "blocks until the other end sends, or closes its end (end of file)",
	.ok = "taken from this end of the pair",
	.eof = "end of file: the other end of the pair is closed",
	.eof_ends = true,
	.fail = NULL,
	.errs = { { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};

/* Send one message: a datagram, or a line on a stream. */
static int send_msg(struct ctx *ctx, int fd, bool stream, const char *msg)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%s%s", msg, stream ? "\n" : "");
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = EMSGSIZE;
		return -1;
	}
	if (explaining(ctx))
		return explain_write_all(ctx, fd, buf, (size_t)n, NULL, &pair_write_says);
	return write_all(fd, buf, (size_t)n, NULL);
}

/* recv(2) of one datagram, told. */
static ssize_t recv_told(struct ctx *ctx, int fd, char *buf, size_t cap)
{
	bool full = explain_full(ctx);
	if (full)
		explain_begin(ctx, "recvfrom", "blocks until the other end sends a datagram",
			      "%d, ..., %zu, 0, NULL, NULL", fd, cap);
	ssize_t n = recv(fd, buf, cap, 0);
	int e = errno;
	if (!full) {
		explain_count(ctx, "recvfrom", n, n > 0 ? (size_t)n : 0);
	} else {
		explain_end(ctx, n, e, "%s",
			    n > 0    ? "one datagram, whole: its boundaries kept"
			    : n == 0 ? "an empty datagram"
				     : xerr(e, EINTR, "interrupted: a stop was asked for"));
		explain_messages(ctx, n > 0 ? 1 : 0);
	}
	errno = e;
	return n;
}

/* Receive one message into buf (NUL-terminated). Returns its length, 0 at
 * the end, -1 on error. */
static ssize_t recv_msg(struct ctx *ctx, int fd, bool stream, struct linebuf *lb, char *buf, size_t cap)
{
	const char *line;
	size_t len;
	if (!stream) {
		ssize_t n;
		do
			n = explaining(ctx) ? recv_told(ctx, fd, buf, cap - 1) : recv(fd, buf, cap - 1, 0);
		while (n < 0 && errno == EINTR && !stop_requested());
		if (n >= 0)
			buf[n] = '\0';
		return n;
	}
	while (!linebuf_next(lb, &line, &len)) {
		ssize_t n = explaining(ctx) ? explain_fill(ctx, lb, fd, 0, &pair_read_says) : linebuf_fill(lb, fd);
		if (n < 0 && errno == EINTR && !stop_requested())
			continue;
		if (n <= 0)
			return n;
	}
	if (len >= cap)
		len = cap - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* The demo's child: answer every instruction on its own end, sv[1]. */
static _Noreturn void pair_child(struct ctx *ctx, const int sv[2], bool stream, size_t n)
{
	struct linebuf lb;
	char buf[1100], reply[1200];
	int st = EXIT_OK;
	pid_t self = getpid();
	explain_side(ctx, "child");
	explain_close(ctx, sv[0], "the parent's end: the child answers on its own");
	if (linebuf_init(&lb, 4096, 4096) < 0)
		_exit(EXIT_FAIL);
	printf("child  %d: closed fd %d; answering on fd %d\n", (int)self, sv[0], sv[1]);
	for (size_t i = 0; i < n; i++) {
		ssize_t got = recv_msg(ctx, sv[1], stream, &lb, buf, sizeof(buf));
		if (got <= 0) {
			/* The end, or an interrupt: also SIGTERM from the
			 * kernel when the parent dies (fork_child). */
			if (got < 0 && !stop_requested()) {
				msg_syserr(ctx->prog, "child: receive");
				st = EXIT_FAIL;
			}
			break;
		}
		printf("child  %d: got \"%s\"\n", (int)self, buf);
		snprintf(reply, sizeof(reply), "%s received!", buf);
		if (send_msg(ctx, sv[1], stream, reply) < 0) {
			msg_syserr(ctx->prog, "child: send");
			st = EXIT_FAIL;
			break;
		}
	}
	linebuf_free(&lb);
	explain_close(ctx, sv[1], "the child is done: the parent's end sees end of file (stream)");
	explain_finish(ctx);
	fflush(NULL);
	_exit(st);
}

/* The demo's parent: send the n instructions on sv[0], then print the n
 * answers. Returns the exit status. */
static int pair_parent_talk(struct ctx *ctx, const int sv[2], bool stream, const char *const *msgs, size_t n)
{
	pid_t me = getpid();
	int status = EXIT_OK;
	for (size_t i = 0; i < n && status == EXIT_OK && !stop_requested(); i++) {
		if (send_msg(ctx, sv[0], stream, msgs[i]) < 0) {
			if (!stop_requested()) {
				msg_syserr(ctx->prog, "send");
				status = EXIT_FAIL;
			}
		} else {
			printf("parent %d: sent \"%s\"\n", (int)me, msgs[i]);
		}
	}
	struct linebuf lb;
	char buf[1300];
	if (linebuf_init(&lb, 4096, 4096) < 0) {
		msg_syserr(ctx->prog, "allocate");
		status = EXIT_FAIL;
	}
	for (size_t i = 0; i < n && status == EXIT_OK && !stop_requested(); i++) {
		ssize_t got = recv_msg(ctx, sv[0], stream, &lb, buf, sizeof(buf));
		if (got < 0 && stop_requested())
			break;
		if (got <= 0) {
			if (got < 0)
				msg_syserr(ctx->prog, "receive");
			else
				msg_warn(ctx->prog, "the child closed its end early");
			status = EXIT_FAIL;
			break;
		}
		printf("parent %d: %s\n", (int)me, buf);
	}
	linebuf_free(&lb);
	return status;
}

static int pair_demo(struct ctx *ctx)
{
	int sv[2];
	/* dgram unless --type says otherwise, as in the book */
	int kind = sock_opts(ctx)->given.type ? sock_opts(ctx)->type : SK_DGRAM;
	bool stream = kind == SK_STREAM;
	const char *const *msgs = ctx->argc ? (const char *const *)ctx->argv : book_messages;
	size_t n = ctx->argc ? (size_t)ctx->argc : ARRAY_SIZE(book_messages);
	pid_t me = getpid();

	for (size_t i = 0; i < n; i++)
		if (strchr(msgs[i], '\n') || strlen(msgs[i]) > 1000)
			return msg_usage(ctx->prog, "message %zu: at most 1000 bytes and no newline", i + 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	explain_side(ctx, "parent");
	if (make_pair(ctx, kind, sv) < 0)
		return EXIT_FAIL;
	printf("parent %d: socketpair(AF_UNIX, SOCK_%s) -> fd %d and fd %d, already connected\n", (int)me,
	       kind == SK_STREAM      ? "STREAM"
	       : kind == SK_SEQPACKET ? "SEQPACKET"
				      : "DGRAM",
	       sv[0], sv[1]);
	pid_t pid = explain_fork(ctx, "the child: a copy of this process, with both ends of the pair open");
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return EXIT_FAIL;
	}
	if (pid == 0)
		pair_child(ctx, sv, stream, n);
	explain_close(ctx, sv[1], "the child's end: the parent talks on its own");
	printf("parent %d: fork() -> child %d; parent keeps fd %d\n", (int)me, (int)pid, sv[0]);
	int status = pair_parent_talk(ctx, sv, stream, msgs, n);
	/* Interrupted: a datagram child has no end of file to see, so it gets
	 * an empty datagram, as in run; a stream child reads end of file. */
	if (stop_requested() && kind == SK_DGRAM)
		send(sv[0], "", 0, MSG_DONTWAIT | MSG_NOSIGNAL);
	explain_close(ctx, sv[0], "the parent is done with the pair");
	explain_finish(ctx);
	int cst = explain_wait_child(ctx, pid, "waits until the child has answered and exited");
	return status != EXIT_OK ? status : cst;
}

/* With descriptors or credentials (fdpass.h): what the child shows. A
 * --pass-fd shows the descriptors, sent credentials are shown too. */
static bool pair_fd_child(struct ctx *ctx)
{
	struct sock_opts *so = ctx->mopt;
	if (!so || !(fd_opts_tx(&so->fdp) || fd_opts_rx(&so->fdp)))
		return false;
	so->fdp.fds = so->fdp.fds || so->fdp.pass_fd;
	so->fdp.creds = so->fdp.creds || so->fdp.send_creds || so->fdp.creds_as;
	return true;
}

/* The child's end takes credentials before the parent sends anything. */
static int pair_fd_setup(struct ctx *ctx, int fd)
{
	const struct fd_opts *f = &sock_opts(ctx)->fdp;
	if ((f->creds || f->send_creds || f->creds_as) && xs_setsockopt(ctx, fd, SOL_SOCKET, SO_PASSCRED, 1) < 0) {
		msg_syserr(ctx->prog, "setsockopt SO_PASSCRED");
		return -1;
	}
	return 0;
}

/* run's child: the consumer on sv[1], printing what it receives. */
static _Noreturn void pair_run_child(struct ctx *ctx, const int sv[2], int type, int keep)
{
	struct consumer c;
	int st = EXIT_OK;
	explain_side(ctx, "child");
	explain_close(ctx, sv[0], "the parent's end: the child only receives");
	if (keep >= 0)
		explain_close(ctx, keep, "the parent's --pass-fd file: not the child's to hold");
	/* -n is the producer's batch size here; the consumer reads to the end. */
	ctx->opt.given[OP_COUNT] = false;
	if (consumer_init(&c, ctx) < 0)
		_exit(EXIT_FAIL);
	c.says = &pair_read_says;
	if (pair_fd_child(ctx)) {
		st = fdpass_consume_fd(&c, sv[1], type, "the pair", NULL);
	} else if (type == SOCK_STREAM) {
		struct linebuf lb;
		if (linebuf_init(&lb, STREAM_READ, STREAM_LINE_MAX) < 0 ||
		    consume_stream(&c, &lb, sv[1], "the pair") == IO_FAILED_REPORTED)
			st = EXIT_FAIL;
		linebuf_free(&lb);
	} else {
		st = consume_packets(&c, sv[1], "the pair", true);
	}
	st = consumer_finish(&c, st);
	explain_finish(ctx);
	st = close_stdout(ctx->prog, st, ctx->out_errno);
	fflush(NULL);
	_exit(st);
}

/* The empty datagram that ends a dgram run. */
static ssize_t end_marker(struct ctx *ctx, int fd)
{
	if (explaining(ctx))
		explain_begin(ctx, "sendto", NULL, "%d, \"\", 0, MSG_NOSIGNAL, NULL, 0", fd);
	ssize_t n = send(fd, "", 0, MSG_NOSIGNAL);
	if (explaining(ctx))
		explain_end(ctx, n, errno, "%s",
			    n == 0 ? "an empty datagram: the end, since datagrams have no end of file"
				   : strerror(errno));
	return n;
}

/* run: the producer in the parent, the consumer in the child, the very
 * same code paths as the other mechanisms; what the child receives is
 * printed on stdout. */
static int pair_run(struct ctx *ctx)
{
	int sv[2];
	int rc = producer_check(ctx);
	if (rc)
		return rc;
	int type = sock_type(sock_opts(ctx)->type);
	bool fdp = fd_opts_tx(&sock_opts(ctx)->fdp);
	struct fdtx tx = { .fd = -1 };
	if (fdp && (rc = fdtx_open(ctx, type, "the pair", &tx)) != EXIT_OK) {
		fdtx_close(&tx);
		return rc;
	}
	if (!fdp && fd_opts_rx(&sock_opts(ctx)->fdp) && (rc = fdpass_check(ctx, type, false)) != EXIT_OK)
		return rc;
	explain_side(ctx, "parent");
	if (make_pair(ctx, sock_opts(ctx)->type, sv) < 0) {
		fdtx_close(&tx);
		return EXIT_FAIL;
	}
	pid_t pid = pair_fd_setup(ctx, sv[1]) < 0
			    ? -1
			    : explain_fork(ctx, "the child: the consumer, with both ends of the pair open");
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		fdtx_close(&tx);
		return EXIT_FAIL;
	}
	if (pid == 0)
		pair_run_child(ctx, sv, type, tx.fd);
	explain_close(ctx, sv[1], "the child's end: the parent only sends");
	struct conn_sink cs = { .fd = sv[0], .type = type, .name = "the pair" };
	struct fdtx_sink fs = { .tx = &tx, .fd = sv[0] };
	struct sink sink = { .impl = &cs, .chunk = sock_is_packet(type) ? 1 : 0, .echo = false, .write = conn_write };
	if (fdp)
		sink = (struct sink){ .impl = &fs, .chunk = 1, .echo = false, .write = fdtx_write };
	rc = produce(ctx, &sink);
	fdtx_close(&tx);
	/* For datagrams an empty one marks the end (they have no end of file). */
	if (type == SOCK_DGRAM && end_marker(ctx, sv[0]) < 0 && rc == EXIT_OK) {
		msg_syserr(ctx->prog, "send end marker");
		rc = EXIT_FAIL;
	}
	explain_close(ctx, sv[0],
		      type == SOCK_DGRAM ? "the parent is done (the empty datagram told the child)"
					 : "the parent is done: the child reads end of file");
	explain_finish(ctx);
	int cst = explain_wait_child(ctx, pid, "waits until the child has taken everything and exited");
	return rc != EXIT_OK ? rc : cst;
}

static const struct verb_opt demo_opts[] = {
	{ .def = &sock_opt_type, .help = "dgram (default here, as in the book), stream or seqpacket" },
	OPT_LIST_END,
};

static const struct verb_opt run_opts[] = {
	{ .def = &sock_opt_type },
	PRODUCER_OPTIONS,
	{ .id = OP_JSON, .help = "print what the child receives, and the summaries, as JSON" },
	{ .id = OP_VERIFY },
	FD_PRODUCER_OPTIONS,
	{ .def = &fd_opt_read_fd, .help = "with --pass-fd: the child prints the first line read through each" },
	{ .def = &fd_opt_creds,
	  .help = "the child shows the sender's pid, uid and gid of each message (dgram, seqpacket)" },
	OPT_LIST_END,
};

static const struct verb pair_verbs[] = {
	{
		.name = "demo",
		.summary = "a parent and its child talk both ways over a socket pair",
		.usage = "[options] [MESSAGE...]",
		.description = "The parent sends each message (the book's 'Heavy lifting' twice and 'Feather lifting'\n"
			       "twice by default); the child answers each with '<message> received!'.",
		.opts = demo_opts,
		.min_args = 0,
		.max_args = -1,
		.run = pair_demo,
	},
	{
		.name = "run",
		.summary = "produce in the parent, consume in the child, over one pair",
		.usage = "[options] [MESSAGE...]",
		.description = "The parent runs the producer and the child the consumer, with the same code as every\n"
			       "other mechanism; the child prints what it receives.",
		.opts = run_opts,
		.min_args = 0,
		.max_args = -1,
		.run = pair_run,
	},
	{ .name = NULL },
};

/* ---- bench ---- */

static const struct bench_row pair_bench_rows[] = {
	{ .name = "socketpair", .word = NULL, .variant = NULL, .floor = "bare-unix" },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static size_t pair_bench_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	return bench_stream_limit(why, len);
}

/* Round trips: one stream pair, lines both ways. */
static int pair_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			   char *err, size_t elen)
{
	int a[2] = { -1, -1 };
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	int rc = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a);
	ch->verbs = &bench_stream_verbs;
	bench_chan_sockets(ch, a);
	return rc;
}

/* Throughput: the stream code of the pipe verbs, over a stream pair (the
 * producer's stdout one end, the consumer's stdin the other). */
/* The pipe mechanism, whose stream verbs a socket pair runs too. */
extern const struct mechanism mech_pipe;

static int pair_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			  char *err, size_t elen)
{
	(void)env, (void)size;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r->chan) < 0) {
		snprintf(err, elen, "%s: %s", row->name, strerror(errno));
		return -1;
	}
	r->verbs_of = &mech_pipe;
	bench_arg(&r->cons, "-q");
	return 0;
}

static const struct mech_bench pair_bench = {
	.order = 40,
	.rows = pair_bench_rows,
	.lossy = false,
	.limit = pair_bench_limit,
	.chan_open = pair_bench_chan,
	.chan_close = NULL,
	.run_setup = pair_bench_run,
	.ready = NULL,
	.cleanup = NULL,
};

const struct mechanism mech_socketpair = {
	.name = "socketpair",
	.summary = "a connected pair of Unix sockets between a parent and its child",
	.description = "socketpair(2) gives two already connected sockets; unlike a pipe, both ends can send\n"
		       "and receive. dgram keeps message boundaries, stream needs framing.",
	.verbs = pair_verbs,
	.bench = &pair_bench,
	.opt_scope = &sock_opt_scope,
	.explains = true,
};
