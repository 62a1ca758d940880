/* SPDX-License-Identifier: MIT */
/* The reference rows: not ipcdemo, measured in the same run. read(2) and
 * write(2) of --size blocks through a plain pipe, a FIFO, a unix stream
 * socket and a TCP connection on loopback, no message handling, as lmbench
 * and ipc-bench measure; and what a plain pipe moves between two dd. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "ipcdemo/util.h"

/* Parse what dd printed: "N bytes (...) copied, T s, R GB/s". */
static void dd_report(const struct plan *pl, const char *out, const int st[2], const double cpu[2], struct result *res)
{
	const char *c = strstr(out, " bytes");
	const char *t = strstr(out, "copied, ");
	if (st[0] != 0 || st[1] != 0 || !c || !t) {
		if (st[0] == 127 || st[1] == 127)
			snprintf(res->err, sizeof(res->err), "dd did not run");
		else
			first_line(res->err, sizeof(res->err), out);
		return;
	}
	const char *line = c;
	while (line > out && line[-1] != '\n')
		line--;
	unsigned long long bytes = strtoull(line, NULL, 10);
	double secs = strtod(t + strlen("copied, "), NULL);
	res->sent = res->received = bytes / pl->size;
	res->seconds = secs;
	res->tx_cpu = cpu[0];
	res->rx_cpu = cpu[1];
	res->ok = secs > 0 && res->received >= 2;
	if (!res->ok)
		snprintf(res->err, sizeof(res->err), "too fast to time: use --count or --duration");
}

/* dd if=/dev/zero bs=SIZE count=N | dd of=/dev/null bs=SIZE, pinned as
 * the other rows are; the second dd's own report gives bytes and time,
 * wait4() the processor time of each. dd is not ipcdemo: its report is
 * the only way to its figures. */
static void run_dd(struct bench *b, const struct plan *pl, struct result *res)
{
	char bs[40], count[40];
	int chan[2], errp[2];
	snprintf(bs, sizeof(bs), "bs=%zu", pl->size);
	snprintf(count, sizeof(count), "count=%llu", (unsigned long long)pl->msgs);
	if (pipe2(chan, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		snprintf(res->err, sizeof(res->err), "pipe: %s", strerror(errno));
		return;
	}
	pid_t pids[2];
	for (int i = 0; i < 2; i++) {
		pids[i] = fork_child(b->ctx->prog);
		if (pids[i] == 0) {
			pin(i == 0 ? pl->cpu_tx : pl->cpu_rx);
			if (dup2(i == 0 ? chan[1] : chan[0], i == 0 ? STDOUT_FILENO : STDIN_FILENO) < 0 ||
			    dup2(errp[1], STDERR_FILENO) < 0)
				_exit(127);
			if (i == 0)
				execlp("dd", "dd", "if=/dev/zero", bs, count, "status=none", (char *)NULL);
			else
				execlp("dd", "dd", "of=/dev/null", bs, (char *)NULL);
			_exit(127);
		}
	}
	close(chan[0]);
	close(chan[1]);
	close(errp[1]);
	char out[2048];
	size_t used = 0;
	ssize_t got;
	while ((got = read(errp[0], out + used, sizeof(out) - 1 - used)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		used += (size_t)got;
		if (used == sizeof(out) - 1)
			break;
	}
	out[used] = '\0';
	close(errp[0]);
	int st[2];
	double cpu[2];
	reap_pair(pids, false, st, cpu);
	dd_report(pl, out, st, cpu, res);
}

/* The bare rows: one kernel mechanism each, a writer and a reader of
 * blocks of --size bytes, one write(2) per block and read(2) until the
 * block is whole; no lines, no output. What the known benchmarks measure,
 * as the floor of the mechanism's own row. */
enum bare_kind { BARE_PIPE, BARE_FIFO, BARE_UNIX, BARE_TCP };

static int set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

/* A TCP connection on loopback: out[0] the connecting end, out[1] the
 * accepted one. bulk: bw_tcp's buffers (the connecting end reads, the
 * accepted end writes; set before the connection, as bw_tcp does, so the
 * window scale fits them); else lat_tcp's connection with TCP_NODELAY on
 * both ends, as the tcp row's channel. 0, or -1 with errno. */
static int bare_tcp_pair(bool bulk, int out[2])
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	out[0] = out[1] = -1;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return -1;
	int rc = -1;
	if ((bulk && set_int(l, SOL_SOCKET, SO_SNDBUF, BENCH_TCP_BUF) < 0) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &al) < 0)
		goto out;
	out[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (out[0] < 0 ||
	    (bulk && (set_int(out[0], SOL_SOCKET, SO_RCVBUF, BENCH_TCP_BUF) < 0 ||
		      set_int(out[0], SOL_SOCKET, SO_SNDBUF, BENCH_TCP_BUF) < 0)) ||
	    connect(out[0], (struct sockaddr *)&a, sizeof(a)) < 0)
		goto out;
	out[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (out[1] < 0 || (bulk && set_int(out[1], SOL_SOCKET, SO_SNDBUF, BENCH_TCP_BUF) < 0) ||
	    (!bulk &&
	     (set_int(out[0], IPPROTO_TCP, TCP_NODELAY, 1) < 0 || set_int(out[1], IPPROTO_TCP, TCP_NODELAY, 1) < 0)))
		goto out;
	rc = 0;
out:;
	int e = errno;
	close(l);
	if (rc < 0) {
		for (int i = 0; i < 2; i++)
			if (out[i] >= 0)
				close(out[i]);
		out[0] = out[1] = -1;
	}
	errno = e;
	return rc;
}

/* The channel of a throughput run: out[0] the reader's end, out[1] the
 * writer's; path: where a FIFO goes (in the bench's directory, where the
 * fifo row's are: a FIFO is a pipe reached through a file system, each
 * read and write also updating the times of an inode there). 0, or -1
 * with errno. */
static int bare_pair(enum bare_kind k, bool bulk, const char *path, int out[2])
{
	switch (k) {
	case BARE_PIPE:
		return pipe2(out, O_CLOEXEC);
	case BARE_FIFO:
		return bench_fifo_pair(path, out);
	case BARE_UNIX:
		return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out);
	case BARE_TCP:
		return bare_tcp_pair(bulk, out);
	}
	errno = EINVAL;
	return -1;
}

struct bare_report {
	uint64_t blocks, reads;
	double seconds;
	int err;
};

static void bare_child(int i, const struct plan *pl, const int chan[2], int rep)
{
	pin(i == 0 ? pl->cpu_tx : pl->cpu_rx);
	char *buf = malloc(pl->size);
	if (!buf)
		_exit(EXIT_FAIL);
	memset(buf, 'b', pl->size);
	if (i == 0) {
		close(chan[0]);
		for (uint64_t k = 0; k < pl->msgs && !stop_requested(); k++)
			if (write_all(chan[1], buf, pl->size, NULL) < 0)
				_exit(EXIT_FAIL);
		_exit(EXIT_OK);
	}
	close(chan[1]);
	struct bare_report r;
	memset(&r, 0, sizeof(r)); /* the padding too: the struct is written whole */
	int64_t first = 0, last = 0;
	while (r.blocks < pl->msgs) {
		int k = read_full(chan[0], buf, pl->size);
		if (k < 0) {
			r.err = errno;
			break;
		}
		r.reads += (uint64_t)k;
		last = now_mono_ns();
		if (r.blocks++ == 0)
			first = last;
	}
	r.seconds = (double)(last - first) / 1e9;
	_exit(write(rep, &r, sizeof(r)) == (ssize_t)sizeof(r) ? EXIT_OK : EXIT_FAIL);
}

/* A writer writes msgs blocks into the channel, a reader reads them,
 * timed from the first block to the last. */
static void run_bare(struct bench *b, const struct plan *pl, struct result *res, enum bare_kind k)
{
	int chan[2] = { -1, -1 }, rep[2];
	char path[sizeof(b->dir) + 32] = "";
	if (k == BARE_FIFO)
		snprintf(path, sizeof(path), "%s/bare%d.fifo", b->dir, bench_env_next(b).seq);
	if (bare_pair(k, true, path, chan) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		snprintf(res->err, sizeof(res->err), "%s: %s", pl->row->name, strerror(errno));
		for (int i = 0; i < 2; i++)
			if (chan[i] >= 0)
				close(chan[i]);
		if (k == BARE_FIFO)
			unlink(path);
		return;
	}
	pid_t pids[2];
	for (int i = 0; i < 2; i++) {
		pids[i] = fork_child(b->ctx->prog);
		if (pids[i] == 0)
			bare_child(i, pl, chan, rep[1]);
	}
	close(chan[0]);
	close(chan[1]);
	close(rep[1]);
	struct bare_report r;
	/* The FIFO stays in the file system while it is used, as the fifo
	 * row's does. */
	ssize_t got;
	while ((got = read(rep[0], &r, sizeof(r))) < 0 && errno == EINTR)
		;
	close(rep[0]);
	double cpu[2];
	int st[2];
	/* A reader that failed: end the writer too. */
	reap_pair(pids, got != (ssize_t)sizeof(r), st, cpu);
	if (k == BARE_FIFO)
		unlink(path);
	if (got != (ssize_t)sizeof(r) || st[0] != 0 || st[1] != 0 || r.blocks != pl->msgs) {
		if (got == (ssize_t)sizeof(r) && r.err)
			snprintf(res->err, sizeof(res->err), "read: %s", strerror(r.err));
		else
			snprintf(res->err, sizeof(res->err), "the %s's reader or writer failed", pl->row->name);
		return;
	}
	res->sent = res->received = r.blocks;
	res->tx_calls = r.blocks; /* a write of each block */
	res->rx_calls = r.reads;
	res->seconds = r.seconds;
	res->tx_cpu = cpu[0];
	res->rx_cpu = cpu[1];
	res->ok = r.seconds > 0 && r.blocks >= 2;
	if (!res->ok)
		snprintf(res->err, sizeof(res->err), "too fast to time: use --count or --duration");
}

static void run_bare_pipe(struct bench *b, const struct plan *pl, struct result *res)
{
	run_bare(b, pl, res, BARE_PIPE);
}

static void run_bare_fifo(struct bench *b, const struct plan *pl, struct result *res)
{
	run_bare(b, pl, res, BARE_FIFO);
}

static void run_bare_unix(struct bench *b, const struct plan *pl, struct result *res)
{
	run_bare(b, pl, res, BARE_UNIX);
}

static void run_bare_tcp(struct bench *b, const struct plan *pl, struct result *res)
{
	run_bare(b, pl, res, BARE_TCP);
}

/* Round trips of blocks: through two plain pipes, or one connection. */
static int bare_send(struct ctx *ctx, struct bench_side *s, const char *buf, size_t len)
{
	(void)ctx;
	return write_all(s->wfd, buf, len, NULL);
}

static ssize_t bare_recv(struct ctx *ctx, struct bench_side *s, char *buf, size_t cap, const char **msg)
{
	(void)ctx;
	*msg = buf;
	/* The message is cap - 1 bytes, as the other side sent it. */
	return read_full(s->rfd, buf, cap - 1) < 0 ? -1 : (ssize_t)(cap - 1);
}

static const struct bench_chan_verbs bare_verbs = {
	.init = NULL,
	.send = bare_send,
	.recv = bare_recv,
	.lines = false,
};

static int bare_pipe_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			  char *err, size_t elen)
{
	int a[2] = { -1, -1 }, c[2] = { -1, -1 };
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	int rc = pipe2(a, O_CLOEXEC) < 0 || pipe2(c, O_CLOEXEC) < 0 ? -1 : 0;
	ch->verbs = &bare_verbs;
	ch->fd[1] = a[1], ch->fd[2] = a[0], ch->fd[3] = c[1], ch->fd[0] = c[0];
	return rc;
}

/* One socket each side: lat_unix's socketpair, lat_tcp's connection. */
static int bare_sock_chan(enum bare_kind k, struct bench_chan *ch)
{
	int a[2] = { -1, -1 };
	ch->verbs = &bare_verbs;
	if (bare_pair(k, false, NULL, a) < 0)
		return -1;
	bench_chan_sockets(ch, a);
	return 0;
}

/* Two FIFOs, one each way, at the channel's paths (removed with it). */
static int bare_fifo_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			  char *err, size_t elen)
{
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	ch->verbs = &bare_verbs;
	return bench_chan_fifos(ch);
}

static int bare_unix_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			  char *err, size_t elen)
{
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	return bare_sock_chan(BARE_UNIX, ch);
}

static int bare_tcp_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			 char *err, size_t elen)
{
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	return bare_sock_chan(BARE_TCP, ch);
}

#define BARE_HOOKS(chan, close) \
	{ \
		.order = 0, .rows = NULL, .lossy = false, .limit = NULL, .chan_open = (chan), .chan_close = (close), \
		.run_setup = NULL, .ready = NULL, .cleanup = NULL, \
	}
static const struct mech_bench bare_pipe_hooks = BARE_HOOKS(bare_pipe_chan, NULL);
static const struct mech_bench bare_fifo_hooks = BARE_HOOKS(bare_fifo_chan, bench_chan_unlink);
static const struct mech_bench bare_unix_hooks = BARE_HOOKS(bare_unix_chan, NULL);
static const struct mech_bench bare_tcp_hooks = BARE_HOOKS(bare_tcp_chan, NULL);
static const struct mech_bench dd_hooks = BARE_HOOKS(NULL, NULL);

#define BARE_GROUP \
	"one system call per message, no message model: a pipe, a FIFO, a unix stream socket, loopback TCP, a unix " \
	"datagram socket, UDP, a POSIX and a System V message queue"

const struct ref_row bench_ref_rows[] = {
	{ .name = "bare pipe",
	  .group = "bare",
	  .word = "bare-pipe",
	  .group_summary = BARE_GROUP,
	  .summary = "read(2) and write(2) through a plain pipe, without ipcdemo's message model",
	  .hooks = &bare_pipe_hooks,
	  .no_round_trips = NULL,
	  .run = run_bare_pipe },
	{ .name = "bare fifo",
	  .group = "bare",
	  .word = "bare-fifo",
	  .group_summary = BARE_GROUP,
	  .summary = "read(2) and write(2) through a FIFO in the file system, without ipcdemo's message model",
	  .hooks = &bare_fifo_hooks,
	  .no_round_trips = NULL,
	  .run = run_bare_fifo },
	{ .name = "bare unix",
	  .group = "bare",
	  .word = "bare-unix",
	  .group_summary = BARE_GROUP,
	  .summary = "read(2) and write(2) through a unix stream socket pair, without ipcdemo's message model",
	  .hooks = &bare_unix_hooks,
	  .no_round_trips = NULL,
	  .run = run_bare_unix },
	{ .name = "bare tcp",
	  .group = "bare",
	  .word = "bare-tcp",
	  .group_summary = BARE_GROUP,
	  .summary = "read(2) and write(2) through a TCP connection on loopback, without ipcdemo's message model",
	  .hooks = &bare_tcp_hooks,
	  .no_round_trips = NULL,
	  .run = run_bare_tcp },
	{ .name = "bare dgram",
	  .group = "bare",
	  .word = "bare-dgram",
	  .group_summary = BARE_GROUP,
	  .summary = "send(2) and recv(2) through a unix datagram socket pair, without ipcdemo's message model",
	  .hooks = &bench_bare_dgram_hooks,
	  .no_round_trips = NULL,
	  .run = bench_run_bare_dgram },
	{ .name = "bare udp",
	  .group = "bare",
	  .word = "bare-udp",
	  .group_summary = BARE_GROUP,
	  .summary = "send(2) and recv(2) of UDP datagrams on loopback (lossy), without ipcdemo's message model",
	  .hooks = &bench_bare_udp_hooks,
	  .no_round_trips = NULL,
	  .run = bench_run_bare_udp },
	{ .name = "bare mq",
	  .group = "bare",
	  .word = "bare-mq",
	  .group_summary = BARE_GROUP,
	  .summary = "mq_send(3) and mq_receive(3) through a POSIX message queue, without ipcdemo's message model",
	  .hooks = &bench_bare_mq_hooks,
	  .no_round_trips = NULL,
	  .run = bench_run_bare_mq },
	{ .name = "bare sysv",
	  .group = "bare",
	  .word = "bare-sysv",
	  .group_summary = BARE_GROUP,
	  .summary = "msgsnd(2) and msgrcv(2) through a System V message queue, without ipcdemo's message model",
	  .hooks = &bench_bare_sysv_hooks,
	  .no_round_trips = NULL,
	  .run = bench_run_bare_sysv },
	{ .name = "dd | dd",
	  .group = "dd",
	  .word = NULL,
	  .group_summary = NULL,
	  .summary = "dd | dd, the shell's own pipeline (one way: no round trips)",
	  .hooks = &dd_hooks,
	  .no_round_trips = "dd moves data one way only",
	  .run = run_dd },
	{ .name = NULL,
	  .group = NULL,
	  .word = NULL,
	  .group_summary = NULL,
	  .summary = NULL,
	  .hooks = NULL,
	  .no_round_trips = NULL,
	  .run = NULL },
};
