/* SPDX-License-Identifier: MIT */
/* --explain for the socket mechanisms: the calls of the shared socket
 * layer (sock.c, sockrole.c), each made and narrated by one helper that
 * holds its sentence (explain.h). With --explain off each is the bare call
 * after one test of explaining(); the hot loop's helpers (xs_send,
 * xs_precv, xs_recv) are called only when explaining. */
#ifndef IPCDEMO_SOCKEXPLAIN_H
#define IPCDEMO_SOCKEXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/sock.h"

/* {sa_family=AF_UNIX, sun_path="ipc.sock"}, as strace prints it. */
struct xstr xsockaddr(const struct sockaddr *sa, socklen_t len);

/* socket(2); why: what this socket is for. */
int xs_socket(struct ctx *ctx, int family, int type, const char *why);
/* bind(2) of fd to sa; why: what the name is for (NULL: the sentence of
 * the endpoint: a socket file, an abstract name, a port). */
int xs_bind(struct ctx *ctx, int fd, const struct sockaddr *sa, socklen_t len, const char *why);
int xs_listen(struct ctx *ctx, int fd, int backlog);
/* connect(2): for a datagram socket only the default destination. */
int xs_connect(struct ctx *ctx, int fd, const struct sockaddr *sa, socklen_t len, int type);
/* accept4(2) of a listener that does not block (poll said one waits);
 * only when explaining(ctx): the serving producer tries it before each
 * message. */
int xs_accept4(struct ctx *ctx, int fd, int flags, const char *who);
/* setsockopt(2) of an int option. */
int xs_setsockopt(struct ctx *ctx, int fd, int level, int name, int v);
/* unlink(2) of a socket file; why: why it goes. */
int xs_unlink(struct ctx *ctx, const char *path, const char *why);

/* The hot loop, only when explaining(ctx): told in full for the first N
 * messages, counted after. send(2) (strace: sendto) of a message or of a
 * consumer's queue; kind: a stream's bytes, one message per call, or one
 * UDP datagram (which nobody may receive). */
enum xs_kind { XS_STREAM, XS_PACKET, XS_UDP };
ssize_t xs_send(struct ctx *ctx, int fd, const void *buf, size_t len, int flags, enum xs_kind kind);
/* recv(2) (strace: recvfrom) of what a consumer sends a serving producer. */
ssize_t xs_recv(struct ctx *ctx, int fd, void *buf, size_t len, int flags);
/* A receive that returned n: counted for the summary (true: nothing more
 * to tell: a retry, or a message past the first N) or to be told in full
 * (false); errno is kept either way. */
bool xs_recv_counted(struct ctx *ctx, const char *call, ssize_t n);
/* sock_recv's call, one datagram or packet, told after it returned n
 * (keeps errno): recvmsg(2) when p asks for the sender's credentials,
 * else recv(2) (strace: recvfrom). */
void xs_precv(struct ctx *ctx, int fd, const char *buf, size_t cap, const struct peer *p, ssize_t n, int flags);
/* The same receive when it may block, announced before it is made (when
 * told in full): xs_precv_wait returns whether it was, to pass to
 * xs_precv_end with the result; creds: recvmsg(2) with a control buffer
 * (p not NULL then). */
bool xs_precv_wait(struct ctx *ctx, int fd, size_t cap, bool creds);
void xs_precv_end(struct ctx *ctx, bool announced, int fd, const char *buf, size_t cap, const struct peer *p, ssize_t n,
		  int flags);

/* What read(2) and write(2) on a stream socket mean. */
extern const struct explain_says sock_read_says, sock_write_says;

/* fcntl(2) of an int argument (F_GETFL, F_SETFL); why: what it means. */
int xs_fcntl(struct ctx *ctx, int fd, int cmd, int arg, const char *why);
/* setsockopt SO_RCVTIMEO of ns nanoseconds (at least 1 us), told with why. */
int xs_rcvtimeo(struct ctx *ctx, int fd, int64_t ns, const char *why);

/* ---- descriptors and credentials (fdpass.h), only when explaining: the
 * calls of one message are told together for the first N messages,
 * counted after ---- */
struct fdrx;
struct ucred;
struct msghdr;
/* memfd_make narrated: memfd_create, write, fcntl(F_ADD_SEALS). */
int xs_memfd_make(struct ctx *ctx, const char *buf, size_t len);
/* sendmsg(2) of mh; its control data: nfds copies of fd (SCM_RIGHTS; a
 * memfd when memfd), and cr (SCM_CREDENTIALS) unless NULL. */
ssize_t xs_sendmsg(struct ctx *ctx, int sock, const struct msghdr *mh, int flags, int fd, size_t nfds, bool memfd,
		   const struct ucred *cr);
/* close(2) in the hot loop: told, or counted. */
int xs_loop_close(struct ctx *ctx, int fd, const char *why);
/* fdrx_recv's recvmsg and what its control data brought, told after it
 * returned n (keeps errno); packet: one message, else a stream's bytes. */
void xs_fdrx_recv(struct ctx *ctx, int fd, const char *buf, size_t cap, const struct fdrx *rx, bool packet, ssize_t n);
/* fdrx_close narrated. */
void xs_fdrx_close(struct ctx *ctx, struct fdrx *rx);
/* memfd_take's fcntl(F_GET_SEALS) and mmap(2); ctx may be NULL. */
int xs_get_seals(struct ctx *ctx, int fd);
void *xs_mmap_ro(struct ctx *ctx, size_t len, int fd);

/* Is something bound at ep? (sock.c's bind_endpoint, sock_path_live.) */
int sock_probe_live(struct ctx *ctx, const struct endpoint *ep);

#endif
