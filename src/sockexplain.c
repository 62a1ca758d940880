/* SPDX-License-Identifier: MIT */
/* --explain for the socket mechanisms: each call of the shared socket
 * layer, made and narrated with the sentence that says what it means
 * here (sockexplain.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipcdemo/message.h"
#include "ipcdemo/sockexplain.h"
#include "ipcdemo/util.h"

const struct explain_says sock_read_says = {
	.blocks = "blocks until the other side sends, or closes the connection (end of file)",
	.ok = "taken out of the socket's receive queue",
	.eof = "end of file: the other side closed the connection (it is done)",
	.eof_ends = true,
	.fail = NULL,
	.errs = { { .err = ECONNRESET, .says = "the other side went away with data unread: ECONNRESET" },
		  { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};
const struct explain_says sock_write_says = {
	.blocks = NULL,
	.ok = "in the socket's send queue now (write blocks only while the receiver's queue is full)",
	.eof = NULL,
	.eof_ends = false,
	.fail = NULL,
	.errs = { { .err = EPIPE, .says = "the other side is gone: EPIPE (SIGPIPE is ignored here)" },
		  { .err = ECONNRESET, .says = "the other side went away: ECONNRESET" },
		  { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};

static bool on(const struct ctx *ctx)
{
	return ctx && explaining(ctx);
}

static const char *family_name(int family)
{
	switch (family) {
	case AF_UNIX:
		return "AF_UNIX";
	case AF_INET:
		return "AF_INET";
	case AF_INET6:
		return "AF_INET6";
	default:
		return "AF_???";
	}
}

/* SOCK_STREAM|SOCK_CLOEXEC */
static struct xstr type_name(int type)
{
	struct xstr x;
	int base = type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK);
	const char *b = base == SOCK_STREAM      ? "SOCK_STREAM"
			: base == SOCK_DGRAM     ? "SOCK_DGRAM"
			: base == SOCK_SEQPACKET ? "SOCK_SEQPACKET"
						 : "SOCK_???";
	snprintf(x.s, sizeof(x.s), "%s%s%s", b, type & SOCK_CLOEXEC ? "|SOCK_CLOEXEC" : "",
		 type & SOCK_NONBLOCK ? "|SOCK_NONBLOCK" : "");
	return x;
}

/* accept4's flags: SOCK_CLOEXEC|SOCK_NONBLOCK */
static struct xstr accept_flags(int flags)
{
	struct xstr x;
	snprintf(x.s, sizeof(x.s), "%s%s%s", flags & SOCK_CLOEXEC ? "SOCK_CLOEXEC" : "",
		 (flags & SOCK_CLOEXEC) && (flags & SOCK_NONBLOCK) ? "|" : "",
		 flags & SOCK_NONBLOCK ? "SOCK_NONBLOCK" : "");
	if (!flags)
		snprintf(x.s, sizeof(x.s), "0");
	return x;
}

/* MSG_DONTWAIT|MSG_NOSIGNAL, in strace's order. */
static struct xstr msg_flags(int flags)
{
	struct xstr x = { .s = "" };
	static const struct {
		int bit;
		const char *name;
	} names[] = { { MSG_TRUNC, "MSG_TRUNC" },
		      { MSG_DONTWAIT, "MSG_DONTWAIT" },
		      { MSG_NOSIGNAL, "MSG_NOSIGNAL" },
		      { MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC" } };
	size_t off = 0;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if ((flags & names[i].bit) && off < sizeof(x.s))
			off += (size_t)snprintf(x.s + off, sizeof(x.s) - off, "%s%s", off ? "|" : "", names[i].name);
	if (!off)
		snprintf(x.s, sizeof(x.s), "0");
	return x;
}

struct xstr xsockaddr(const struct sockaddr *sa, socklen_t len)
{
	struct xstr x;
	if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
		size_t n =
			len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
		if (n == 0)
			snprintf(x.s, sizeof(x.s), "{sa_family=AF_UNIX}");
		else if (sun->sun_path[0] == '\0')
			snprintf(x.s, sizeof(x.s), "{sa_family=AF_UNIX, sun_path=@%.120s}",
				 xbuf(sun->sun_path + 1, n - 1).s);
		else
			snprintf(x.s, sizeof(x.s), "{sa_family=AF_UNIX, sun_path=%.120s}", xq(sun->sun_path).s);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		char a[INET_ADDRSTRLEN] = "?";
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(x.s, sizeof(x.s), "{sa_family=AF_INET, sin_port=htons(%u), sin_addr=inet_addr(\"%s\")}",
			 ntohs(in->sin_port), a);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		char a[INET6_ADDRSTRLEN] = "?";
		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(x.s, sizeof(x.s), "{sa_family=AF_INET6, sin6_port=htons(%u), inet_pton(AF_INET6, \"%s\")}",
			 ntohs(in6->sin6_port), a);
	} else {
		snprintf(x.s, sizeof(x.s), "{sa_family=%d}", sa->sa_family);
	}
	return x;
}

int xs_socket(struct ctx *ctx, int family, int type, const char *why)
{
	if (!on(ctx))
		return socket(family, type, 0);
	explain_begin(ctx, "socket", NULL, "%s, %s, 0", family_name(family), type_name(type).s);
	int fd = socket(family, type, 0);
	explain_end(ctx, fd, errno, "%s", fd >= 0 ? why : strerror(errno));
	return fd;
}

static const char *bind_says(const struct sockaddr *sa, socklen_t len, int err)
{
	if (err == EADDRINUSE)
		return "the name is taken: a socket (or a file) is there already";
	if (err)
		return strerror(err);
	if (sa->sa_family != AF_UNIX)
		return "the port is ours: datagrams and connections to it come to this socket";
	if (len <= offsetof(struct sockaddr_un, sun_path))
		return "autobind: the kernel gives the socket an abstract name of its own, for replies";
	if (((const struct sockaddr_un *)sa)->sun_path[0] == '\0')
		return "the abstract name is ours: no file, it goes when the socket closes";
	return "the kernel made the socket file: the name others use to reach this socket";
}

int xs_bind(struct ctx *ctx, int fd, const struct sockaddr *sa, socklen_t len, const char *why)
{
	if (!on(ctx))
		return bind(fd, sa, len);
	explain_begin(ctx, "bind", NULL, "%d, %s, %u", fd, xsockaddr(sa, len).s, (unsigned)len);
	int rc = bind(fd, sa, len);
	int e = errno;
	explain_end(ctx, rc, e, "%s", rc == 0 && why ? why : bind_says(sa, len, rc < 0 ? e : 0));
	errno = e;
	return rc;
}

int xs_listen(struct ctx *ctx, int fd, int backlog)
{
	if (!on(ctx))
		return listen(fd, backlog);
	explain_begin(ctx, "listen", NULL, "%d, %d", fd, backlog);
	int rc = listen(fd, backlog);
	explain_end(ctx, rc, errno, "%s",
		    rc == 0 ? "a listening socket: the kernel queues connections until accept takes them"
			    : strerror(errno));
	return rc;
}

int xs_connect(struct ctx *ctx, int fd, const struct sockaddr *sa, socklen_t len, int type)
{
	if (!on(ctx))
		return connect(fd, sa, len);
	bool dgram = type == SOCK_DGRAM;
	explain_begin(ctx, "connect", NULL, "%d, %s, %u", fd, xsockaddr(sa, len).s, (unsigned)len);
	int rc = connect(fd, sa, len);
	int e = errno;
	const char *says;
	if (rc == 0)
		says = dgram ? "no connection: only where send sends by default (and whose datagrams we take)"
			     : "connected: the listener's kernel queued us; the other side accepts when it wants";
	else if (e == ECONNREFUSED)
		says = dgram || sa->sa_family != AF_UNIX ? "nobody is bound or listening there: ECONNREFUSED"
							 : "the socket file is there but nobody listens: ECONNREFUSED";
	else if (e == ENOENT)
		says = "no socket file at that path: nobody has bound it yet";
	else
		says = strerror(e);
	explain_end(ctx, rc, e, "%s", says);
	errno = e;
	return rc;
}

int xs_accept4(struct ctx *ctx, int fd, int flags, const char *who)
{
	bool full = explain_full(ctx);
	int rc = accept4(fd, NULL, NULL, flags);
	int e = errno;
	if (!full && rc < 0 && e == EAGAIN) {
		/* The producer's loop tries again before each message: counted. */
		explain_count(ctx, "accept4", rc, SIZE_MAX);
		errno = e;
		return rc;
	}
	explain_begin(ctx, "accept4", NULL, "%d, NULL, NULL, %s", fd, accept_flags(flags).s);
	char says[160];
	snprintf(says, sizeof(says), "a new socket for the %s that connected; the listener goes on listening", who);
	explain_end(ctx, rc, e, "%s",
		    rc >= 0 ? says : xerr(e, EAGAIN, "no connection waits any more (the listener does not block)"));
	errno = e;
	return rc;
}

static const char *sockopt_name(int level, int name, const char **says)
{
	if (level == IPPROTO_TCP && name == TCP_NODELAY) {
		*says = "no Nagle: small writes go out at once instead of waiting to be joined";
		return "IPPROTO_TCP, TCP_NODELAY";
	}
	switch (name) {
	case SO_REUSEADDR:
		*says = "the port can be bound again at once after a restart (TIME_WAIT)";
		return "SOL_SOCKET, SO_REUSEADDR";
	case SO_SNDBUF:
		*says = "the send buffer: the kernel doubles the value for its own bookkeeping";
		return "SOL_SOCKET, SO_SNDBUF";
	case SO_RCVBUF:
		*says = "the receive buffer: the kernel doubles the value for its own bookkeeping";
		return "SOL_SOCKET, SO_RCVBUF";
	case SO_PASSCRED:
		*says = "each message comes with its sender's pid, uid and gid (SCM_CREDENTIALS)";
		return "SOL_SOCKET, SO_PASSCRED";
	default:
		*says = "set";
		return "SOL_SOCKET, ?";
	}
}

int xs_setsockopt(struct ctx *ctx, int fd, int level, int name, int v)
{
	if (!on(ctx))
		return setsockopt(fd, level, name, &v, sizeof(v));
	const char *says;
	const char *opt = sockopt_name(level, name, &says);
	explain_begin(ctx, "setsockopt", NULL, "%d, %s, [%d], %zu", fd, opt, v, sizeof(v));
	int rc = setsockopt(fd, level, name, &v, sizeof(v));
	explain_end(ctx, rc, errno, "%s", rc == 0 ? says : strerror(errno));
	return rc;
}

int xs_rcvtimeo(struct ctx *ctx, int fd, int64_t ns, const char *why)
{
	struct timeval tv = { .tv_sec = (time_t)(ns / NSEC_PER_SEC),
			      .tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / 1000) };
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1; /* 0 would mean no timeout at all */
	if (!on(ctx))
		return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	explain_begin(ctx, "setsockopt", NULL, "%d, SOL_SOCKET, SO_RCVTIMEO, {tv_sec=%ld, tv_usec=%ld}, %zu", fd,
		      (long)tv.tv_sec, (long)tv.tv_usec, sizeof(tv));
	int rc = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	explain_end(ctx, rc, errno, "%s", rc == 0 ? why : strerror(errno));
	return rc;
}

int xs_unlink(struct ctx *ctx, const char *path, const char *why)
{
	if (!on(ctx))
		return unlink(path);
	explain_begin(ctx, "unlink", NULL, "%s", xq(path).s);
	int rc = unlink(path);
	explain_end(ctx, rc, errno, "%s", rc == 0 ? why : strerror(errno));
	return rc;
}

/* ---- the hot loop ---- */

ssize_t xs_send(struct ctx *ctx, int fd, const void *buf, size_t len, int flags, enum xs_kind kind)
{
	bool packet = kind != XS_STREAM;
	bool full = explain_full(ctx);
	ssize_t n = send(fd, buf, len, flags);
	int e = errno;
	/* A failure that ends the loop is told, past N too. */
	if (!full && n < 0 && e != EAGAIN && e != EINTR)
		full = true;
	if (!full) {
		explain_count(ctx, "sendto", n, n > 0 ? (size_t)n : 0);
		errno = e;
		return n;
	}
	explain_begin(ctx, "sendto", NULL, "%d, %s, %zu, %s, NULL, 0", fd, xbuf(buf, len).s, len, msg_flags(flags).s);
	uint64_t m = n <= 0 ? 0 : packet ? 1 : msg_count(buf, (size_t)n);
	if (n >= 0)
		explain_end(ctx, n, 0, "%llu message%s (%zd bytes): %s", (unsigned long long)m, m == 1 ? "" : "s", n,
			    kind == XS_UDP ? "one datagram, sent whole: UDP does not know whether anyone receives it"
			    : packet       ? "one datagram: the kernel put it in the receiver's queue whole"
					   : "in the socket's send queue now, for the consumer to read");
	else if (e == EAGAIN)
		explain_end(ctx, n, e, "%s",
			    "the consumer's queue is full: the rest waits until poll says it takes more");
	else if (e == ECONNREFUSED)
		explain_end(ctx, n, e, "%s",
			    "nobody is receiving there (an earlier datagram was refused): ECONNREFUSED");
	else
		explain_end(ctx, n, e, "%s", xerr(e, EPIPE, "the consumer is gone: EPIPE (MSG_NOSIGNAL: no SIGPIPE)"));
	explain_messages(ctx, m);
	errno = e;
	return n;
}

/* recv(2) as strace shows it: recvfrom with no address. */
#define RECV_ARGS "%d, %s, %zu, %s, NULL, NULL"

ssize_t xs_recv(struct ctx *ctx, int fd, void *buf, size_t len, int flags)
{
	ssize_t n = recv(fd, buf, len, flags);
	int e = errno;
	if (n < 0 && (e == EAGAIN || e == EINTR)) {
		explain_count(ctx, "recvfrom", n, 0);
		errno = e;
		return n;
	}
	explain_begin(ctx, "recvfrom", NULL, RECV_ARGS, fd, n > 0 ? xbuf(buf, (size_t)n).s : "\"\"", len,
		      msg_flags(flags).s);
	explain_end(ctx, n, e, "%s",
		    n > 0    ? "the consumer sent something: consumers do not talk, it is dropped"
		    : n == 0 ? "end of file: the consumer shut down its sending side (it may still read)"
			     : strerror(e));
	errno = e;
	return n;
}

bool xs_recv_counted(struct ctx *ctx, const char *call, ssize_t n)
{
	int e = errno;
	/* Told in full: the first N messages, a failure, an end of file. */
	bool counted = n < 0 ? e == EAGAIN || e == EINTR : n > 0 && !explain_full(ctx);
	if (counted)
		explain_count(ctx, call, n, n > 0 ? (size_t)n : 0);
	errno = e;
	return counted;
}

#define RECVMSG_ARGS "%d, {msg_iov=[{iov_base=%s, iov_len=%zu}], msg_iovlen=1, ...}, %s"

/* sock_recv's call: recvmsg with the credentials, else recv (recvfrom). */
static const char *precv_call(bool creds)
{
	return creds ? "recvmsg" : "recvfrom";
}

static struct xstr precv_flags(bool creds, int flags)
{
	return msg_flags(MSG_TRUNC | (creds ? MSG_CMSG_CLOEXEC : 0) | flags);
}

bool xs_precv_wait(struct ctx *ctx, int fd, size_t cap, bool creds)
{
	if (!explain_full(ctx))
		return false;
	explain_begin(ctx, precv_call(creds), "blocks until a message comes", creds ? RECVMSG_ARGS : RECV_ARGS, fd,
		      "...", cap, precv_flags(creds, 0).s);
	return true;
}

void xs_precv(struct ctx *ctx, int fd, const char *buf, size_t cap, const struct peer *p, ssize_t n, int flags)
{
	xs_precv_end(ctx, false, fd, buf, cap, p, n, flags);
}

static void precv_says(char *says, size_t size, bool announced, size_t cap, const struct peer *p, ssize_t n, int e)
{
	if (n > (ssize_t)cap)
		snprintf(says, size, "one message of %zd bytes, cut to the buffer's %zu (MSG_TRUNC tells)", n, cap);
	else if (n > 0 && p && p->known)
		snprintf(says, size, "one message, whole; SCM_CREDENTIALS says pid %d uid %u sent it", (int)p->pid,
			 (unsigned)p->uid);
	else if (n > 0)
		snprintf(says, size, "one message, whole: the kernel keeps the sender's boundaries");
	else if (n == 0)
		snprintf(says, size, "%s",
			 "end of file: the other side closed the connection (or sent an empty datagram)");
	else if (announced && (e == EAGAIN || e == EWOULDBLOCK))
		snprintf(says, size, "%s",
			 "no message within --timeout (SO_RCVTIMEO): the consumer has been idle that long");
	else
		snprintf(says, size, "%s", strerror(e));
}

void xs_precv_end(struct ctx *ctx, bool announced, int fd, const char *buf, size_t cap, const struct peer *p, ssize_t n,
		  int flags)
{
	bool creds = p != NULL;
	if (!announced && xs_recv_counted(ctx, precv_call(creds), n))
		return;
	int e = errno;
	size_t shown = n > 0 ? ((size_t)n < cap ? (size_t)n : cap) : 0;
	struct xstr fl = precv_flags(creds, flags);
	const char *fmt = creds ? RECVMSG_ARGS : RECV_ARGS;
	if (announced)
		explain_args(ctx, fmt, fd, xbuf(buf, shown).s, cap, fl.s);
	else
		explain_begin(ctx, precv_call(creds), NULL, fmt, fd, xbuf(buf, shown).s, cap, fl.s);
	char says[200];
	precv_says(says, sizeof(says), announced, cap, p, n, e);
	explain_end(ctx, n, e, "%s", says);
	explain_messages(ctx, n > 0 ? 1 : 0);
	errno = e;
}

/* Is something bound at ep? Returns 1 if so, 0 if not (a stale file), -1
 * if the probe itself failed. The probe is a datagram socket whatever the
 * type: connecting one sends nothing, so a live listener is not disturbed
 * (a stream probe would be accepted as a peer). A bound socket of another
 * type answers EPROTOTYPE; a file with nothing behind it, ECONNREFUSED. */
int sock_probe_live(struct ctx *ctx, const struct endpoint *ep)
{
	int fd = xs_socket(ctx, ep->family, SOCK_DGRAM | SOCK_CLOEXEC,
			   "a probe: is anyone bound to the name in the way? (connecting it sends nothing)");
	if (fd < 0)
		return -1;
	int rc = xs_connect(ctx, fd, (const struct sockaddr *)&ep->addr, ep->len, SOCK_DGRAM);
	int e = errno;
	if (ctx)
		explain_close(ctx, fd, "the probe is done");
	else
		close(fd);
	if (rc == 0)
		return 1;
	if (e == ECONNREFUSED)
		return 0;
	return e == EPROTOTYPE ? 1 : -1; /* a live socket of another type */
}
