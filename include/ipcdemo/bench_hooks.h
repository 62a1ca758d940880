/* SPDX-License-Identifier: MIT */
/* What 'ipcdemo bench' needs from a mechanism (struct mechanism's .bench):
 * its rows, the largest message of each, a two-way channel for the round
 * trips, the producer and consumer arguments of a throughput run, and the
 * removal of what a run made. The benchmark walks the registry and calls
 * these; it never names a mechanism. The channel verbs most mechanisms
 * share (streams of lines, packets, queues) and a few helpers are here
 * too (src/bench/chan.c), so that a mechanism's hooks stay short. */
#ifndef IPCDEMO_BENCH_HOOKS_H
#define IPCDEMO_BENCH_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/message.h"

/* Bytes of a ring whose slots must be larger than the default. */
#define BENCH_RING_BYTES ((size_t)1 << 20)

/* The socket buffers of a TCP throughput run, the bare tcp row's and the
 * tcp row's alike: what lmbench's bw_tcp asks (its SOCKBUF); the kernel
 * caps it at net.core.wmem_max and rmem_max and doubles it. */
#define BENCH_TCP_BUF (1 << 20)

/* What the benchmark gives a hook: its private directory for files and
 * sockets, and a number no other run of this benchmark has (for names). */
struct bench_env {
	struct ctx *ctx;
	const char *dir;
	int seq;
};

/* One row of the tables. */
struct bench_row {
	const char *name;    /* in the tables: "unix stream" */
	const char *word;    /* selects this row alone ("unix-stream"); NULL: the mechanism's name does */
	const char *variant; /* the mechanism's own parameter of the row ("stream"), or NULL */
	/* The word of the bare row that measures the same kernel object
	 * ("bare-unix"), the row's floor; NULL: none. */
	const char *floor;
};

/* ---- round trips ---- */

struct bench_side;

/* How one side of a channel sends and receives. */
struct bench_chan_verbs {
	/* Optional: after the fork, in the side's process. 0 or -1 (errno). */
	int (*init)(struct bench_side *s, bool client);
	/* Send one message of len bytes (a line with its newline). 0 or -1. */
	int (*send)(struct ctx *ctx, struct bench_side *s, const char *buf, size_t len);
	/* Receive one message: *msg points at it (in buf, or where the
	 * mechanism holds it); its length, or -1. */
	ssize_t (*recv)(struct ctx *ctx, struct bench_side *s, char *buf, size_t cap, const char **msg);
	/* The message received is a line whose newline follows it there
	 * (and is echoed back with it). */
	bool lines;
};

/* A two-way channel for ping-pong, made before the fork; the client sends
 * and waits for the echo, the server echoes. */
struct bench_chan {
	const struct bench_chan_verbs *verbs;
	int fd[4]; /* client read, client write, server read, server write; -1: none */
	const struct queue_ops *qops;
	void *q[2]; /* queues: client to server, server to client */
	/* How bench_chan_queues_close removes a queue of q. */
	void (*qclose)(struct ctx *ctx, void *impl);
	char path[2][4200]; /* names the mechanism may use, in the private directory */
	int npath;          /* paths made (removed by bench_chan_unlink) */
};

/* One side of the channel, in its own process. */
struct bench_side {
	struct bench_chan *ch;
	int rfd, wfd, ifd; /* ifd: a side's own descriptor (inotify), -1: none */
	void *qtx, *qrx;
	struct linebuf lb;
};

/* ---- throughput ---- */

#define BENCH_ARGS_MAX 40

/* The arguments of a producer or a consumer verb; the strings are copied
 * into the arena. */
struct bench_argv {
	const char *argv[BENCH_ARGS_MAX];
	int argc;
	char arena[8192];
	size_t used;
};

/* One throughput run as the mechanism sets it up: the verbs' arguments
 * (the benchmark adds the source, count and size), the descriptors, and
 * what to remove afterwards. */
struct bench_run {
	const struct mechanism *verbs_of; /* whose produce and consume run; NULL: this mechanism's */
	struct bench_argv prod, cons;
	int chan[2];    /* producer's stdout chan[1], consumer's stdin chan[0]; -1: /dev/null */
	char obj[4200]; /* the object of the run (a path or an IPC name), "" none */
	long num;       /* a port or a queue id, for ready and cleanup; -1 none */
};

struct mech_bench {
	/* Place of the rows in the tables, lower first. */
	int order;
	const struct bench_row *rows; /* terminated by an entry with name NULL */
	/* Messages may be lost on the way: the report says how many. */
	bool lossy;
	/* The text table notes the client's CPU time per round trip beside
	 * the latency (a row whose waits may spin, to show what it costs). */
	bool cpu_note;
	/* The largest message of a row in this system, 0: no limit; why
	 * names the limit. NULL: no limit. */
	size_t (*limit)(const struct bench_row *row, char *why, size_t len);
	/* Make a channel for round trips of size-byte messages; 0, or -1
	 * with errno (or with err filled in). */
	int (*chan_open)(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			 char *err, size_t elen);
	/* Remove what chan_open made; the descriptors are closed already. */
	void (*chan_close)(const struct bench_env *env, struct bench_chan *ch);
	/* Set up a throughput run; 0, or -1 with err filled in. */
	int (*run_setup)(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			 char *err, size_t elen);
	/* Optional: is the consumer ready for the producer (a bound
	 * address, a file made)? NULL: at once. */
	bool (*ready)(const struct bench_row *row, const struct bench_run *r);
	/* Optional: remove what the run made, after both verbs ended. */
	void (*cleanup)(const struct bench_row *row, const struct bench_run *r);
};

/* ---- helpers for the hooks (src/bench/chan.c) ---- */

/* Append an argument (copied), or one made by printf. */
void bench_arg(struct bench_argv *a, const char *s);
void bench_argf(struct bench_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same argument(s) to both verbs. */
void bench_args2(struct bench_run *r, const char *opt, const char *val);

/* Lines through descriptors: write_all and the line buffer. */
extern const struct bench_chan_verbs bench_stream_verbs;
/* Datagrams or packets: send and sock_recv. */
extern const struct bench_chan_verbs bench_packet_verbs;
/* Messages of a queue, with the mechanism's own queue_ops (ch->qops). */
extern const struct bench_chan_verbs bench_queue_verbs;

/* Set all four descriptors to one connected socket pair. */
void bench_chan_sockets(struct bench_chan *ch, const int pair[2]);
/* A FIFO made at path (mode 0600), opened at both ends without waiting
 * for a peer: out[0] the reader's end, blocking, out[1] the writer's.
 * 0, or -1 with errno (ends already open are in out, the others -1). */
int bench_fifo_pair(const char *path, int out[2]);
/* The round-trip channel of FIFOs: two, one each way, at ch->path[0] and
 * ch->path[1] (removed by bench_chan_unlink). 0, or -1 with errno. */
int bench_chan_fifos(struct bench_chan *ch);
/* Two datagram sockets (AF_UNIX on paths p0 and p1, or AF_INET on
 * loopback), each connected to the other. 0 or -1 (errno). */
int bench_dgram_pair(int family, const char *p0, const char *p1, int out[2]);
/* The channel of a queue mechanism: two queues, one each way, made by open
 * (named /ipcdemo-bench-PID-SEQ-N, for those that take a name), used with
 * the mechanism's own send and receive (ops), removed by close. 0, or -1
 * with err filled in. */
int bench_chan_queues(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
		      const struct queue_ops *ops, void *(*open)(struct ctx *ctx, const char *name, size_t size),
		      void (*close)(struct ctx *ctx, void *impl), char *err, size_t elen);
/* A chan_close for bench_chan_queues. */
void bench_chan_queues_close(const struct bench_env *env, struct bench_chan *ch);
/* A chan_close that removes the channel's paths (ch->npath of them). */
void bench_chan_unlink(const struct bench_env *env, struct bench_chan *ch);
/* A cleanup that removes the run's file (r->obj), and a ready that waits
 * for it to exist. */
void bench_run_unlink(const struct bench_row *row, const struct bench_run *r);
bool bench_run_obj_exists(const struct bench_row *row, const struct bench_run *r);
/* A loopback port free now (of type SOCK_STREAM or SOCK_DGRAM), -1: none.
 * Another process may take it before the run binds it: a run that fails
 * to bind says so. */
int bench_free_port(int type);
/* The limit of a stream row: a consumer takes lines of at most 1 MiB. */
size_t bench_stream_limit(char *why, size_t len);
/* The limit of a packet that must fit the socket's send buffer. */
size_t bench_packet_limit(char *why, size_t len);

#endif
