/* SPDX-License-Identifier: MIT */
/* The zmq mechanism's benchmark rows (a build on libzmq only): zmq over
 * tcp:// on loopback and over ipc:// in the benchmark's private directory.
 * Round trips go through a REQ/REP pair, each side's context made in its
 * own process after the fork; throughput runs zmq produce and zmq consume
 * with --pattern pushpull, the consumer binding. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/util.h"
#include "zmq_int.h"

/* A broken run (a peer gone) ends after this instead of hanging. */
#define ZB_TIMEOUT "10s"
/* The longest endpoint the echo server hands to the client. */
#define ZB_EP_MAX 4300

static const struct bench_row zmq_bench_rows[] = {
	{ .name = "zmq tcp", .word = "zmq-tcp", .variant = "tcp" },
	{ .name = "zmq ipc", .word = "zmq-ipc", .variant = "ipc" },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static bool is_ipc(const struct bench_row *row)
{
	return strcmp(row->variant, "ipc") == 0;
}

/* ---- round trips: REQ/REP ---- */

/* The context and socket of a side (s->qrx and s->qtx), linger 0: the
 * processes end without waiting for anything. */
static int zb_socket(struct bench_side *s, int type)
{
	int zero = 0;
	s->qrx = zmq_ctx_new();
	if (!s->qrx)
		return -1;
	s->qtx = zmq_socket(s->qrx, type);
	if (!s->qtx || zmq_setsockopt(s->qtx, ZMQ_LINGER, &zero, sizeof(zero)) < 0)
		return -1;
	return 0;
}

/* The echo server: a REP socket bound to ep, whose endpoint (with the
 * port the kernel chose) goes to the client through the pipe; on an
 * error, "!" and the errno. The pipe is closed after either. */
static int zb_server(struct bench_side *s, const char *ep)
{
	char buf[ZB_EP_MAX];
	size_t len = sizeof(buf);
	int rc = zb_socket(s, ZMQ_REP);
	if (rc == 0)
		rc = zmq_bind(s->qtx, ep);
	if (rc == 0)
		rc = zmq_getsockopt(s->qtx, ZMQ_LAST_ENDPOINT, buf, &len);
	int e = errno;
	if (rc < 0)
		len = (size_t)snprintf(buf, sizeof(buf), "!%d", e) + 1;
	int wr = write_all(s->wfd, buf, len - 1, NULL); /* without its NUL */
	close(s->wfd);
	s->wfd = -1;
	errno = e;
	return rc < 0 || wr < 0 ? -1 : 0;
}

/* The client: the server's endpoint from the pipe (up to its end of
 * file), then a REQ socket connected to it. */
static int zb_client(struct bench_side *s)
{
	char ep[ZB_EP_MAX];
	size_t n = 0;
	for (;;) {
		ssize_t r = read(s->rfd, ep + n, sizeof(ep) - 1 - n);
		if (r < 0 && errno == EINTR && !stop_requested())
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == sizeof(ep) - 1) {
			errno = ENAMETOOLONG;
			return -1;
		}
	}
	close(s->rfd);
	s->rfd = -1;
	ep[n] = '\0';
	if (n == 0 || ep[0] == '!') {
		/* The server could not bind: its errno, or it died. */
		errno = n > 1 ? atoi(ep + 1) : ECONNREFUSED;
		return -1;
	}
	if (strncmp(ep, "tcp://", 6) != 0 && strncmp(ep, "ipc://", 6) != 0) {
		errno = EPROTO;
		return -1;
	}
	if (zb_socket(s, ZMQ_REQ) < 0 || zmq_connect(s->qtx, ep) < 0)
		return -1;
	return 0;
}

static int zb_init_tcp(struct bench_side *s, bool client)
{
	return client ? zb_client(s) : zb_server(s, "tcp://127.0.0.1:*");
}

static int zb_init_ipc(struct bench_side *s, bool client)
{
	char ep[sizeof(s->ch->path[0]) + 8];
	if (client)
		return zb_client(s);
	snprintf(ep, sizeof(ep), "ipc://%s", s->ch->path[0]);
	return zb_server(s, ep);
}

static int zb_send(struct ctx *ctx, struct bench_side *s, const char *buf, size_t len)
{
	(void)ctx;
	for (;;) {
		if (zmq_send(s->qtx, buf, len, 0) >= 0)
			return 0;
		if (errno != EINTR || stop_requested())
			return -1;
	}
}

/* One message into buf; one larger than cap is an error (EMSGSIZE), not
 * cut short. */
static ssize_t zb_recv(struct ctx *ctx, struct bench_side *s, char *buf, size_t cap, const char **msg)
{
	(void)ctx;
	*msg = buf;
	for (;;) {
		int n = zmq_recv(s->qtx, buf, cap, 0);
		if (n >= 0) {
			if ((size_t)n > cap) {
				errno = EMSGSIZE;
				return -1;
			}
			return n;
		}
		if (errno != EINTR || stop_requested())
			return -1;
	}
}

static const struct bench_chan_verbs zb_tcp_verbs = {
	.init = zb_init_tcp,
	.send = zb_send,
	.recv = zb_recv,
	.lines = false,
};

static const struct bench_chan_verbs zb_ipc_verbs = {
	.init = zb_init_ipc,
	.send = zb_send,
	.recv = zb_recv,
	.lines = false,
};

/* Before the fork: no libzmq yet (a context does not survive a fork),
 * only the pipe that hands the server's endpoint to the client (client
 * read end fd[0], server write end fd[3]) and, for ipc, the path. */
static int zmq_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			  char *err, size_t elen)
{
	int p[2];
	(void)env, (void)size, (void)err, (void)elen;
	ch->verbs = is_ipc(row) ? &zb_ipc_verbs : &zb_tcp_verbs;
	if (is_ipc(row))
		ch->npath = 1; /* ch->path[0]: the socket file, removed by bench_chan_unlink */
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	ch->fd[0] = p[0];
	ch->fd[3] = p[1];
	return 0;
}

/* ---- throughput: PUSH/PULL ---- */

static int zmq_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			 char *err, size_t elen)
{
	(void)size;
	if (is_ipc(row)) {
		snprintf(r->obj, sizeof(r->obj), "%s/b%d.zmq", env->dir, env->seq);
		bench_args2(r, "--endpoint", NULL);
		bench_argf(&r->prod, "ipc://%s", r->obj);
		bench_argf(&r->cons, "ipc://%s", r->obj);
	} else {
		r->num = bench_free_port(SOCK_STREAM);
		if (r->num < 0) {
			snprintf(err, elen, "no free TCP port on 127.0.0.1: %s", strerror(errno));
			return -1;
		}
		bench_args2(r, "--endpoint", NULL);
		bench_argf(&r->prod, "tcp://127.0.0.1:%ld", r->num);
		bench_argf(&r->cons, "tcp://127.0.0.1:%ld", r->num);
	}
	/* PUSH blocks at the high-water mark: nothing is lost. The consumer
	 * binds, the producer connects once it has (ready); a peer gone ends
	 * the other after the timeout, and the producer's linger lets its
	 * last messages (up to the high-water mark) reach a slow consumer. */
	bench_args2(r, "--pattern", "pushpull");
	bench_arg(&r->cons, "--bind");
	bench_arg(&r->prod, "--connect");
	bench_args2(r, "--timeout", ZB_TIMEOUT);
	bench_arg(&r->prod, "--linger");
	bench_arg(&r->prod, ZB_TIMEOUT);
	bench_args2(r, "-q", NULL);
	return 0;
}

/* Is a socket listening on the loopback port? Read from /proc/net/tcp, so
 * that asking takes nothing the consumer may be about to bind; when that
 * cannot be read, yes: ZeroMQ tries the connection again until it works. */
static bool tcp_listening(long port)
{
	FILE *f = fopen("/proc/net/tcp", "re");
	char line[512];
	bool found = false;
	if (!f)
		return true;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long addr;
		unsigned lport, st;
		/* "  0: 0100007F:1F90 00000000:0000 0A ...", state 0A: LISTEN */
		found = sscanf(line, " %*u: %lx:%x %*x:%*x %x", &addr, &lport, &st) == 3 && (long)lport == port &&
			st == 0x0A;
	}
	fclose(f);
	return found;
}

/* Is the consumer bound: its socket file made, or its port listening? */
static bool zmq_bench_ready(const struct bench_row *row, const struct bench_run *r)
{
	return is_ipc(row) ? bench_run_obj_exists(row, r) : tcp_listening(r->num);
}

const struct mech_bench zmq_bench = {
	/* After the kernel's mechanisms: a library on their sockets. */
	.order = 110,
	.rows = zmq_bench_rows,
	.lossy = false,
	.limit = NULL, /* zmq_msg_recv takes a message of any size */
	.chan_open = zmq_bench_chan,
	.chan_close = bench_chan_unlink,
	.run_setup = zmq_bench_run,
	.ready = zmq_bench_ready,
	.cleanup = bench_run_unlink,
};
