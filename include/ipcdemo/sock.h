/* SPDX-License-Identifier: MIT */
/* What every socket mechanism shares: endpoints, listening (with the
 * socket-file rules), connecting with --wait, peer credentials, message
 * receive with truncation detection, and the serving producer. */
#ifndef IPCDEMO_SOCK_H
#define IPCDEMO_SOCK_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "ipcdemo/fdopts.h"
#include "ipcdemo/mechanism.h"
#include "ipcdemo/message.h"
#include "ipcdemo/output.h"

/* ---- Options of the socket mechanisms (unix, socketpair, tcp, udp) ---- */
enum socket_kind { SK_STREAM, SK_DGRAM, SK_SEQPACKET };

struct sock_opts {
	int type; /* enum socket_kind; a mechanism's defaults choose it (udp: dgram) */
	bool listen;
	bool connect;
	int64_t wait; /* ns */
	const char *address;
	bool nodelay;
	uint64_t sndbuf;
	uint64_t rcvbuf;
	bool exit_on_eof;
	struct {
		bool type, wait, sndbuf, rcvbuf;
	} given;
	struct fd_opts fdp; /* descriptors and credentials (Unix only, fdopts.h) */
};

extern const struct opt_def sock_opt_type, sock_opt_listen, sock_opt_connect, sock_opt_wait, sock_opt_address,
	sock_opt_nodelay, sock_opt_sndbuf, sock_opt_rcvbuf, sock_opt_exit_on_eof;
/* Every socket option, for the opt_scope of a socket mechanism. */
extern const struct opt_def *const sock_opt_defs[];
/* The scope of a socket mechanism whose default type is stream. */
extern const struct opt_scope sock_opt_scope;
/* The socket options of the verb being run (a top-level command calling
 * this code gets the defaults). */
const struct sock_opts *sock_opts(const struct ctx *ctx);

struct endpoint {
	int family; /* AF_UNIX, AF_INET, AF_INET6 */
	int type;   /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	struct sockaddr_storage addr;
	socklen_t len;
	char name[128];   /* for messages: "ipc.sock", "@name", "127.0.0.1:7000" */
	const char *path; /* the socket file; NULL when there is none */
};

/* SK_STREAM... -> SOCK_STREAM... */
int sock_type(int kind);
const char *sock_type_name(int kind);
bool sock_is_packet(int type); /* one message per send: dgram, seqpacket */

/* A Unix endpoint: a path, or "@name" in the abstract namespace. Returns 0,
 * or EXIT_USAGE after saying why (too long for sun_path, empty). */
/* Is a process bound to the socket file at path? 1 yes, 0 no (stale), -1
 * unknown. Sends nothing and disturbs no listener. */
int sock_path_live(const char *path);
int unix_endpoint(const struct ctx *ctx, const char *spec, int type, struct endpoint *ep);

struct peer;

struct listener {
	int fd;
	const struct endpoint *ep;
	bool have_file; /* we made ep->path: remove it on close, if still ours */
	dev_t dev;
	ino_t ino;
};
/* Bind (and listen, for connection types). A socket file is created with
 * exactly --mode; a stale one (nothing listening) is replaced; a live one
 * is "address in use"; anything that is not a socket is never touched.
 * Returns EXIT_OK, or EXIT_FAIL after a diagnostic. */
int listener_open(struct ctx *ctx, const struct endpoint *ep, struct listener *l);
void listener_close(struct ctx *ctx, struct listener *l);

/* Connect to the first of eps[0..n) that answers, retrying for --wait
 * while no one is listening. Returns IO_OK with the fd (blocking) in *fd,
 * IO_FAILED_REPORTED after a diagnostic that says how to start the other
 * side (hint), or IO_STOP when a stop was requested. */
enum io_result sock_connect(struct ctx *ctx, const struct endpoint *eps, size_t n, const char *hint, int *fd);

/* --nodelay, --sndbuf, --rcvbuf on a socket (those the verb accepts). */
void sock_tune(struct ctx *ctx, int fd);
/* "127.0.0.1:7700", "[::1]:7700" */
void sock_addr_name(const struct sockaddr *sa, socklen_t len, char *buf, size_t size);
/* "pid 1234" for a Unix peer, "127.0.0.1:40000" for an IP one. */
void sock_peer_name(int fd, const struct peer *p, char *buf, size_t len);

/* How to start the missing other side, for "no one is listening". */
struct sock_hints {
	const char *producer;           /* for a consumer that connects */
	const char *consumer;           /* for a datagram producer */
	const char *listening_consumer; /* for a producer with --connect */
};
/* --listen / --connect checks. Returns 0 or EXIT_USAGE (printed). */
int sock_check_roles(const struct ctx *ctx, bool producer);
/* The produce and consume verbs of a socket mechanism, given its endpoints
 * (several: the addresses a name resolves to; listening uses the first). */
int sock_produce(struct ctx *ctx, const struct endpoint *eps, size_t n, const struct sock_hints *h);
int sock_consume(struct ctx *ctx, const struct endpoint *eps, size_t n, const struct sock_hints *h);

/* Who is on the other side (Unix sockets only). */
struct peer {
	bool known;
	pid_t pid;
	uid_t uid;
	gid_t gid;
};
void peer_of(int fd, struct peer *p);
/* consumer.extra callback: peer_pid, peer_uid, peer_gid (arg: struct peer). */
void peer_json(struct out *o, void *arg);

/* Receive one datagram or packet into buf. Returns its full length (more
 * than cap when it was truncated: only cap bytes are in buf), 0 at the end
 * of a connection, -1 on error. Credentials (SCM_CREDENTIALS) go to *p when
 * the socket has SO_PASSCRED. */
ssize_t sock_recv(int fd, char *buf, size_t cap, struct peer *p);

/* Deliver a received datagram/packet to the consumer: one trailing newline
 * is framing, not payload; a truncated one is reported on stderr. Returns
 * true when the consumer must stop. */
bool deliver_packet(struct consumer *c, char *buf, size_t cap, ssize_t len);

/* Default receive buffer for datagrams and packets (--size changes it). */
#define SOCK_RECV_SIZE 65536
/* Receive datagrams or packets on fd and deliver them until the end of the
 * connection (until_eof; a datagram socket has none), a stop or an error.
 * Adds peer credentials to --json unless the caller set c->extra_arg.
 * Returns an exit status. */
int consume_packets(struct consumer *c, int fd, const char *what, bool until_eof);

/* The producer side that listens: serves any number of consumers at once
 * with poll(), each getting every message sent after it connected. Every
 * consumer has its own queue, written without blocking; the producer waits
 * only for one that is more than SERVER_QUEUE_MAX bytes behind, so a slow
 * or stopped consumer does not hold up the others until then. */
#define SERVER_QUEUE_MAX ((size_t)4 << 20)
struct client {
	int fd;
	pid_t pid;
	char *q; /* bytes not yet sent: q[off..len) */
	size_t off, len, cap;
	bool rd_eof;           /* it shut down its sending side: it may still read */
	uint64_t pushed, sent; /* bytes queued and sent, in all */
	uint64_t round;        /* the last write queued for it ... */
	uint64_t mark;         /* ... starts at this many bytes pushed */
	bool mid;              /* q[off] is in a message it got in part */
	struct ctx *ctx;       /* --explain's state (explain.h) */
};
struct server {
	struct listener l;
	struct client *c;
	size_t n, cap;
	bool packets; /* send each message separately (seqpacket) */
	uint64_t served;
	/* The write in progress: its number, its length, and the most of it
	 * that a consumer who went away during it had taken. */
	uint64_t round;
	size_t round_len, round_taken;
	/* Queued for the last consumer, which went away before it took it:
	 * whole messages, for the next consumer. */
	char *orphan;
	size_t orphan_len;
	/* Sends one message of a consumer's queue instead of plain send()
	 * (descriptors and credentials with each message, fdpass.h), which
	 * makes the flush go a message a call; NULL: plain. Returns as
	 * send(2) does. */
	ssize_t (*send)(void *arg, const struct client *cl, const char *buf, size_t len, int flags);
	void *send_arg;
};
int server_open(struct ctx *ctx, const struct endpoint *ep, struct server *s);
/* Sends what is still queued (until a stop request: then it says how
 * many messages each consumer did not get), then closes. */
void server_close(struct ctx *ctx, struct server *s);
/* sink.write and sink.wait for a struct server. A write is accepted once
 * it is queued for every consumer connected (*done: all of it); when none
 * is connected, or every one of them goes away before taking it, the
 * producer waits for the next consumer, and *done tells how much went out
 * before a stop request or an error. */
enum io_result server_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done);
bool server_wait(struct ctx *ctx, void *impl, int64_t ns);

/* sink.write for a connected socket (stream: bytes; packet types: one send
 * per message). impl: a struct conn_sink. A consumer that went away is a
 * failure here (IO_FAILED_REPORTED), not a quiet end. */
struct conn_sink {
	int fd;
	int type;
	const char *name;
	bool lossy;       /* UDP: a refused datagram (no receiver) is dropped, not an error */
	uint64_t refused; /* how many were */
};
enum io_result conn_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done);

#endif
