/* SPDX-License-Identifier: MIT */
/* Descriptors and credentials with each message of a Unix socket: the
 * sender's control data (SCM_RIGHTS of --pass-fd or of a sealed memfd,
 * SCM_CREDENTIALS of --send-creds), the receiver's walk of what came, and
 * the producer and consumer roles that use them (fdpass_role.c). */
#ifndef IPCDEMO_FDPASS_H
#define IPCDEMO_FDPASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "ipcdemo/sock.h"

/* The descriptors a consumer takes with one message: more make the kernel
 * cut the control data (MSG_CTRUNC) and close the rest. */
#define FDRX_WANT 8
/* The receiver's control buffer: FDRX_WANT descriptors and credentials. */
#define FDRX_CBUF (CMSG_SPACE(sizeof(int) * FDRX_WANT) + CMSG_SPACE(sizeof(struct ucred)))
/* No control data of FDRX_CBUF bytes holds more descriptors than this. */
#define FDRX_SLOTS (FDRX_CBUF / sizeof(int))
/* The most --read-fd reads through a descriptor. */
#define FDRX_LINE 256
/* The largest memfd a consumer maps without --size. */
#define FDRX_MEMFD_MAX ((uint64_t)64 << 20)
/* The seals a memfd must have before a consumer reads it. */
#define FDRX_SEALS_NEEDED (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* What the control data of one received message held. */
struct fdrx {
	int fds[FDRX_SLOTS]; /* installed descriptors, in the order sent */
	size_t nfds;
	size_t lost; /* descriptors beyond FDRX_SLOTS (none from a real kernel) */
	bool creds;  /* SCM_CREDENTIALS came */
	struct ucred cred;
	bool ctrunc;  /* MSG_CTRUNC: the kernel had more than the buffer holds */
	unsigned bad; /* malformed headers, or control messages of other kinds */
};
/* Walk len bytes of control data as recvmsg left them: SCM_RIGHTS and
 * SCM_CREDENTIALS of SOL_SOCKET; anything else is counted in bad. Never
 * reads outside ctl[0..len). rx is reset first. */
void fdrx_parse(struct fdrx *rx, const unsigned char *ctl, size_t len, int msg_flags);
/* Close every descriptor rx holds. */
void fdrx_close(struct fdrx *rx);
/* Receive one message with its control data (MSG_TRUNC: the full length
 * of a cut packet; MSG_CMSG_CLOEXEC), with room for FDRX_WANT descriptors
 * and, when creds (the socket has SO_PASSCRED), credentials. Returns what
 * recvmsg returned. */
ssize_t fdrx_recv(int fd, char *buf, size_t cap, bool creds, struct fdrx *rx);

/* What a received descriptor refers to, as a person would check it. */
struct fd_desc {
	int fd;
	char target[512]; /* readlink /proc/self/fd/N, or why not */
	char flags[160];  /* F_GETFL, named: "O_RDONLY|O_LARGEFILE" */
	bool cloexec;     /* F_GETFD */
	bool read;        /* --read-fd: line or err */
	char line[FDRX_LINE + 1];
	size_t line_len;
	char err[128]; /* why nothing could be read */
};
void fd_describe(int fd, bool read_line, struct fd_desc *d);
/* "O_RDWR|O_APPEND|0x40000000": access mode, known flags, the rest in hex. */
void fd_flags_name(int fl, char *buf, size_t len);
/* "shrink|grow|write|seal" (or "none"). */
void fd_seals_name(int seals, char *buf, size_t len);

/* A received memfd checked and mapped read-only. */
struct memfd_view {
	const char *p;
	size_t len;
	void *map; /* to munmap (NULL for an empty one) */
	int seals;
};
/* Check fd as a memfd payload: a memfd (F_GET_SEALS works), sealed against
 * shrinking, growing and writing, a regular file of at most max bytes;
 * then map it read-only. Returns 0, or -1 with why in err (refused). */
int memfd_take(struct ctx *ctx, int fd, uint64_t max, struct memfd_view *v, char *err, size_t elen);
void memfd_release(struct memfd_view *v);
/* A sealed memfd holding buf[0..len). Returns it, or -1 with errno. */
int memfd_make(const char *buf, size_t len);

/* ---- the sender ---- */
struct fdtx {
	int fd;        /* --pass-fd's descriptor, -1: none */
	size_t copies; /* how many times it goes with each message */
	bool memfd;    /* --via memfd */
	bool creds;    /* SCM_CREDENTIALS with each message */
	struct ucred cred;
	int type;         /* the socket's SOCK_* */
	const char *name; /* the socket, for messages */
	struct ctx *ctx;  /* --explain's state; NULL: never narrated */
};
/* Check the options for a socket of SOCK_* type (producer or consumer):
 * EXIT_OK, or EXIT_USAGE after saying why. */
int fdpass_check(struct ctx *ctx, int type, bool producer);
/* Open --pass-fd's file and check the claimed credentials. Returns EXIT_OK,
 * or EXIT_FAIL / EXIT_USAGE after a diagnostic. */
int fdtx_open(struct ctx *ctx, int type, const char *name, struct fdtx *tx);
void fdtx_close(struct fdtx *tx);
/* One sendmsg of buf[0..len) (a message, or its rest when !start), with
 * the control data when start. --via memfd: buf is the whole message; a
 * sealed memfd carries it and the socket a short header; the return is
 * len. Returns what sendmsg returned (-1 with errno). */
ssize_t fdtx_send(const struct fdtx *tx, int sock, const char *buf, size_t len, int flags, bool start);
/* The server's send hook (struct server.send; arg: a struct fdtx). */
ssize_t fdtx_client_send(void *arg, const struct client *cl, const char *buf, size_t len, int flags);
/* sink.write on a connected socket, one message each (impl: struct fdtx_sink). */
struct fdtx_sink {
	const struct fdtx *tx;
	int fd;
};
enum io_result fdtx_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done);

/* ---- the roles (fdpass_role.c) ---- */
/* sock_produce and sock_consume when a descriptor or credential option is
 * given: the same roles, every message with its control data. */
int fdpass_produce(struct ctx *ctx, const struct endpoint *eps, size_t n, const struct sock_hints *h);
int fdpass_consume(struct ctx *ctx, const struct endpoint *eps, size_t n, const struct sock_hints *h);
/* Receive on a connected socket fd of SOCK_* type until the end (socketpair
 * run's child). peer: the connection's, or NULL. Returns an exit status. */
int fdpass_consume_fd(struct consumer *c, int fd, int type, const char *what, const struct peer *peer);

/* Round trips through sealed memfds over a seqpacket pair (fdpass_bench.c):
 * the channel verbs of the bench row "unix memfd". */
struct bench_chan_verbs;
extern const struct bench_chan_verbs fdpass_bench_verbs;

#endif
