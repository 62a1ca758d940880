/* SPDX-License-Identifier: MIT */
/* The libzmq side of the zmq mechanism, shared by its parts: the sockets
 * (zmq_io.c), their endpoints (zmq_endpoint.c), the socket monitor of
 * --events (zmq_events.c), the proxy (zmq_proxy.c) and the libzmq calls
 * told with --explain (zmq_explain.c). */
#ifndef IPCDEMO_MECH_ZMQ_IO_H
#define IPCDEMO_MECH_ZMQ_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <zmq.h>

#include "ipcdemo/util.h"

struct ctx;

/* The longest wait in one zmq_poll, so a stop request is seen soon even
 * if no signal interrupts it. */
#define POLL_SLICE_MS 100

/* A diagnostic naming what failed and libzmq's text for err. */
void zerr(const char *prog, int err, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* An endpoint given to --opt: tcp:// or ipc:// and something after it.
 * Returns 0, or the exit status after saying why. */
int zm_check_scheme(struct ctx *ctx, const char *opt, const char *ep);
/* An ipc:// path to bind must be missing or a socket: libzmq would replace
 * any file there. Returns 0, or the exit status after saying why. */
int zm_check_bind_path(struct ctx *ctx, const char *ep);
/* The socket file of an ipc:// endpoint we bound, to remove when we end:
 * libzmq (4.3) leaves it behind. Removed only while the path is still that
 * very socket (same device and inode): whatever replaced it stays. */
struct zm_bound {
	const char *path; /* NULL: nothing to remove */
	dev_t dev;
	ino_t ino;
};

/* Bind, with an ipc:// socket made mode 0600 and recorded in *b (set
 * before anything that can fail after the bind). Returns 0, or -1 (said). */
int zm_bind(struct ctx *ctx, void *sock, const char *endpoint, struct zm_bound *b);
/* End a context whose sockets are closed. */
void zm_ctx_end(struct ctx *ctx, void *zctx);
/* Once the socket that bound it is closed and its context ended: remove
 * b's socket file if the path is still that socket; a failure is said. */
void zm_unbind_file(struct ctx *ctx, struct zm_bound *b);

/* The kernel sockets of a socket's connections that a monitor follows:
 * at most this many (more are said once, and not held at the end). */
#define ZMON_FDS 64

/* A socket monitor: the inproc PAIR socket its events come on (NULL when
 * there is none). It follows the descriptors of the socket's connections
 * (connected or accepted, until disconnected or closed), and prints each
 * event when print is set (--events). */
struct zmon {
	void *pair;
	const char *prog;
	const char *what;
	bool print;
	bool overflow;        /* more than ZMON_FDS connections at once: said */
	bool stopped;         /* its last event, "monitor stopped", was taken */
	unsigned tick;        /* zmon_tick's count */
	uint64_t connections; /* connected or accepted, ever */
	size_t nfds;
	int fds[ZMON_FDS];
};

/* Monitor sock (of the context zctx): all its events, from now on,
 * printed when print. Returns 0, or -1 after saying why. */
int zmon_open(struct zmon *m, void *zctx, void *sock, const char *prog, const char *what, bool print);
/* Take the events waiting: each printed (print), the descriptors followed.
 * errno is kept. */
void zmon_drain(struct zmon *m);
/* zmon_drain from a hot loop: at once when printing, else one time in
 * 1024, so the events never pile up in the monitor's pipe. */
static inline void zmon_tick(struct zmon *m)
{
	if (m->pair && (m->print || (++m->tick & 1023) == 0))
		zmon_drain(m);
}
/* Before a producer closes: wait until the kernel says the peers have
 * read all we sent on every connection (SIOCOUTQ 0, and still 0 a few
 * milliseconds later), until deadline (monotonic ns) or a stop request.
 * A connecting socket's messages wait in libzmq's queue until its first
 * connection: with none yet, it waits for one. Returns the bytes still
 * unread (0: all read, or no connection). */
uint64_t zmon_hold_unread(struct ctx *ctx, struct zmon *m, int64_t deadline, bool connecting);
/* The poll item of the monitor in *it: 1, or 0 when there is no monitor. */
int zmon_items(struct zmon *m, zmq_pollitem_t *it);
/* Spend ns printing events as they come; false on a stop request. */
bool zmon_pause(struct zmon *m, int64_t ns);
/* Stop monitoring sock (when not NULL), print what is left up to the
 * monitor's last event, and close the monitor's socket; before sock is
 * closed. */
void zmon_close(struct zmon *m, void *sock);

/* ---- --explain (zmq_explain.c) ----
 * The libzmq calls, made and told as the library calls they are. */
#define ZX_LIB "libzmq"
/* "ZMQ_PUSH", as in the C source. */
const char *zx_type_name(int type);
/* The calls that set a socket up: each told when explaining(ctx). */
void *zx_ctx_new(struct ctx *ctx);
void *zx_socket(struct ctx *ctx, void *zctx, int type);
int zx_setsockopt(struct ctx *ctx, void *sock, int opt, const void *v, size_t len);
int zx_connect(struct ctx *ctx, void *sock, const char *ep);
int zx_close(struct ctx *ctx, void *sock);
/* The calls of the hot loop, only while explaining(ctx): told in full
 * for the first N messages (explain_full), then counted. The caller
 * counts the messages (explain_messages). type: the socket's, for what
 * the call means. zx_poll's *quiet: an empty slice was told, and the
 * next ones are counted until something comes (false to begin); while
 * it is set, zx_msg_recv counts its EAGAIN too. */
int zx_send(struct ctx *ctx, void *sock, int type, const void *p, size_t n, int flags);
int zx_msg_send(struct ctx *ctx, zmq_msg_t *m, void *sock, int flags);
int zx_msg_recv(struct ctx *ctx, zmq_msg_t *m, void *sock, int type, int flags, bool quiet);
int zx_poll(struct ctx *ctx, zmq_pollitem_t *it, int n, long ms, bool *quiet);
/* zmq_getsockopt ZMQ_EVENTS into *ev; counted while quiet (zx_poll). */
int zx_events(struct ctx *ctx, void *sock, int *ev, bool quiet);

#endif
