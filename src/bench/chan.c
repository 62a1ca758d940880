/* SPDX-License-Identifier: MIT */
/* Helpers for the mechanisms' benchmark hooks: arguments of a throughput
 * run, and the channel verbs several mechanisms share. Nothing here knows
 * the benchmark's own workings, nor any mechanism. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/sock.h"
#include "ipcdemo/util.h"

void bench_arg(struct bench_argv *a, const char *s)
{
	size_t n = strlen(s) + 1;
	if (a->argc >= BENCH_ARGS_MAX - 1 || n > sizeof(a->arena) - a->used)
		return; /* never with the arguments the hooks give */
	memcpy(a->arena + a->used, s, n);
	a->argv[a->argc++] = a->arena + a->used;
	a->argv[a->argc] = NULL;
	a->used += n;
}

void bench_argf(struct bench_argv *a, const char *fmt, ...)
{
	char buf[4200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	bench_arg(a, buf);
}

void bench_args2(struct bench_run *r, const char *opt, const char *val)
{
	bench_arg(&r->prod, opt);
	bench_arg(&r->cons, opt);
	if (val) {
		bench_arg(&r->prod, val);
		bench_arg(&r->cons, val);
	}
}

/* ---- streams of lines ---- */

static int stream_init(struct bench_side *s, bool client)
{
	(void)client;
	return linebuf_init(&s->lb, 65536, (size_t)16 << 20);
}

static int stream_send(struct ctx *ctx, struct bench_side *s, const char *buf, size_t len)
{
	(void)ctx;
	return write_all(s->wfd, buf, len, NULL);
}

static ssize_t stream_recv(struct ctx *ctx, struct bench_side *s, char *buf, size_t cap, const char **msg)
{
	(void)ctx;
	(void)buf;
	(void)cap;
	for (;;) {
		const char *line;
		size_t n;
		if (linebuf_next(&s->lb, &line, &n)) {
			*msg = line;
			return (ssize_t)n;
		}
		ssize_t r = linebuf_fill(&s->lb, s->rfd);
		if (r > 0 || (r < 0 && errno == ENOBUFS))
			continue;
		return -1;
	}
}

const struct bench_chan_verbs bench_stream_verbs = {
	.init = stream_init,
	.send = stream_send,
	.recv = stream_recv,
	.lines = true,
};

/* ---- packets ---- */

static int packet_send(struct ctx *ctx, struct bench_side *s, const char *buf, size_t len)
{
	(void)ctx;
	return send(s->wfd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static ssize_t packet_recv(struct ctx *ctx, struct bench_side *s, char *buf, size_t cap, const char **msg)
{
	(void)ctx;
	*msg = buf;
	return sock_recv(s->rfd, buf, cap, NULL);
}

const struct bench_chan_verbs bench_packet_verbs = {
	.init = NULL,
	.send = packet_send,
	.recv = packet_recv,
	.lines = false,
};

/* ---- queues ---- */

static int queue_send(struct ctx *ctx, struct bench_side *s, const char *buf, size_t len)
{
	size_t done;
	return s->ch->qops->send(ctx, s->qtx, buf, len, QUEUE_FOREVER, &done) == IO_OK ? 0 : -1;
}

static ssize_t queue_recv(struct ctx *ctx, struct bench_side *s, char *buf, size_t cap, const char **msg)
{
	bool trunc = false;
	size_t got = 0;
	enum io_result qr;
	*msg = buf;
	if (s->ch->qops->recv_ref)
		qr = s->ch->qops->recv_ref(ctx, s->qrx, msg, QUEUE_FOREVER, 0, &got);
	else
		qr = s->ch->qops->recv(ctx, s->qrx, buf, cap, QUEUE_FOREVER, 0, &got, &trunc);
	return qr == IO_OK ? (ssize_t)got : -1;
}

const struct bench_chan_verbs bench_queue_verbs = {
	.init = NULL,
	.send = queue_send,
	.recv = queue_recv,
	.lines = false,
};

/* ---- making channels ---- */

void bench_chan_sockets(struct bench_chan *ch, const int pair[2])
{
	ch->fd[0] = ch->fd[1] = pair[0];
	ch->fd[2] = ch->fd[3] = pair[1];
}

int bench_fifo_pair(const char *path, int out[2])
{
	out[0] = out[1] = -1;
	if (mkfifo(path, 0600) < 0)
		return -1;
	out[0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (out[0] < 0)
		return -1;
	out[1] = open(path, O_WRONLY | O_CLOEXEC);
	int fl = fcntl(out[0], F_GETFL);
	if (out[1] < 0 || fl < 0 || fcntl(out[0], F_SETFL, fl & ~O_NONBLOCK) < 0)
		return -1;
	return 0;
}

int bench_chan_fifos(struct bench_chan *ch)
{
	int a[2] = { -1, -1 }, c[2] = { -1, -1 };
	ch->npath = 2;
	int rc = bench_fifo_pair(ch->path[0], a) < 0 || bench_fifo_pair(ch->path[1], c) < 0 ? -1 : 0;
	ch->fd[1] = a[1], ch->fd[2] = a[0], ch->fd[3] = c[1], ch->fd[0] = c[0];
	return rc;
}

static int dgram_addr(int family, const char *path, struct sockaddr_storage *a, socklen_t *al)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_UNIX) {
		struct sockaddr_un *u = (struct sockaddr_un *)a;
		u->sun_family = AF_UNIX;
		if (strlen(path) >= sizeof(u->sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(u->sun_path, path, strlen(path) + 1);
		*al = sizeof(*u);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)a;
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*al = sizeof(*in);
	}
	return 0;
}

int bench_dgram_pair(int family, const char *p0, const char *p1, int out[2])
{
	struct sockaddr_storage a[2];
	socklen_t al[2];
	for (int i = 0; i < 2; i++) {
		out[i] = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (out[i] < 0 || dgram_addr(family, i ? p1 : p0, &a[i], &al[i]) < 0)
			return -1;
		if (bind(out[i], (struct sockaddr *)&a[i], al[i]) < 0 ||
		    getsockname(out[i], (struct sockaddr *)&a[i], &al[i]) < 0)
			return -1;
	}
	if (connect(out[0], (struct sockaddr *)&a[1], al[1]) < 0 ||
	    connect(out[1], (struct sockaddr *)&a[0], al[0]) < 0)
		return -1;
	return 0;
}

int bench_chan_queues(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
		      const struct queue_ops *ops, void *(*open)(struct ctx *ctx, const char *name, size_t size),
		      void (*close)(struct ctx *ctx, void *impl), char *err, size_t elen)
{
	ch->verbs = &bench_queue_verbs;
	ch->qops = ops;
	ch->qclose = close;
	for (int i = 0; i < 2; i++) {
		char name[64];
		snprintf(name, sizeof(name), "/ipcdemo-bench-%d-%d-%d", (int)getpid(), env->seq, i);
		ch->q[i] = open(env->ctx, name, size);
		if (!ch->q[i]) {
			snprintf(err, elen, "could not make the %s queue", row->name);
			return -1;
		}
	}
	return 0;
}

void bench_chan_queues_close(const struct bench_env *env, struct bench_chan *ch)
{
	for (int i = 0; i < 2; i++)
		if (ch->q[i])
			ch->qclose(env->ctx, ch->q[i]);
}

void bench_chan_unlink(const struct bench_env *env, struct bench_chan *ch)
{
	(void)env;
	for (int i = 0; i < ch->npath; i++)
		unlink(ch->path[i]);
}

void bench_run_unlink(const struct bench_row *row, const struct bench_run *r)
{
	(void)row;
	if (r->obj[0])
		unlink(r->obj);
}

bool bench_run_obj_exists(const struct bench_row *row, const struct bench_run *r)
{
	(void)row;
	struct stat st;
	return stat(r->obj, &st) == 0;
}

/* ---- limits ---- */

size_t bench_stream_limit(char *why, size_t len)
{
	/* A consumer splits a longer line (and says so). */
	snprintf(why, len, "a stream consumer takes lines of at most 1 MiB");
	return (size_t)1 << 20;
}

size_t bench_packet_limit(char *why, size_t len)
{
	/* One datagram or packet must fit the socket's send buffer. */
	long long v = sysctl_read("/proc/sys/net/core/wmem_default");
	v = v > 0 ? v : 212992;
	snprintf(why, len, "a packet must fit the send buffer, net.core.wmem_default %lld bytes", v);
	return (size_t)(v - 1024);
}

/* A loopback port free now (of type SOCK_STREAM or SOCK_DGRAM), -1: none. */
int bench_free_port(int type)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int port = -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &al) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}
