/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipcdemo/fsobj.h"
#include "ipcdemo/sock.h"
#include "ipcdemo/sockexplain.h"
#include "ipcdemo/util.h"
#include "ipcdemo/wait.h"

int sock_path_live(const char *path)
{
	struct endpoint ep;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ep.addr;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -1;
	memset(&ep, 0, sizeof(ep));
	ep.family = AF_UNIX;
	sun->sun_family = AF_UNIX;
	strcpy(sun->sun_path, path);
	ep.len = (socklen_t)sizeof(*sun);
	return sock_probe_live(NULL, &ep);
}

/* Bind fd to ep. A socket file in the way with nothing listening on it
 * (left by a process that died) is replaced, once. Returns 0, or -1 once
 * the error is reported. */
static int bind_endpoint(struct ctx *ctx, const struct endpoint *ep, int fd)
{
	for (int attempt = 0;; attempt++) {
		/* The socket file gets its mode at bind(): a umask makes it never
		 * more open than --mode; chmod below makes it exactly that. */
		mode_t old = ep->path ? umask(~ctx->opt.mode & 0777) : 0;
		int rc = xs_bind(ctx, fd, (const struct sockaddr *)&ep->addr, ep->len, NULL);
		int e = errno;
		if (ep->path)
			umask(old);
		if (rc == 0)
			return 0;
		errno = e;
		if (e != EADDRINUSE || attempt > 0 || !ep->path) {
			if (e == EADDRINUSE)
				msg_warn(ctx->prog, "%s: address in use: something else is bound to it", ep->name);
			else
				msg_syserr(ctx->prog, "bind %s", ep->name);
			return -1;
		}
		struct stat st;
		if (lstat(ep->path, &st) < 0) {
			msg_syserr(ctx->prog, "lstat %s", ep->path);
			return -1;
		}
		if (!S_ISSOCK(st.st_mode)) {
			msg_warn(ctx->prog, "%s exists and is a %s, not a socket; not touching it", ep->path,
				 fsobj_kind(st.st_mode));
			return -1;
		}
		int live = sock_probe_live(ctx, ep);
		if (live != 0) {
			if (live > 0)
				msg_warn(ctx->prog, "%s: address in use: someone is listening on it", ep->name);
			else
				msg_syserr(ctx->prog, "probe %s", ep->name);
			return -1;
		}
		/* Nobody listens: a stale socket file left by a process that died. */
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "replacing stale socket %s (nothing was listening)", ep->path);
		if (xs_unlink(ctx, ep->path, "the stale socket file is gone: bind again") < 0 && errno != ENOENT) {
			msg_syserr(ctx->prog, "unlink %s", ep->path);
			return -1;
		}
	}
}

int listener_open(struct ctx *ctx, const struct endpoint *ep, struct listener *l)
{
	memset(l, 0, sizeof(*l));
	l->ep = ep;
	l->fd = xs_socket(ctx, ep->family, ep->type | SOCK_CLOEXEC, "a socket with no name yet: bind gives it one");
	if (l->fd < 0) {
		msg_syserr(ctx->prog, "socket");
		return EXIT_FAIL;
	}
	if (ep->family != AF_UNIX && ep->type == SOCK_STREAM) {
		/* TCP: rebind at once after a restart (TIME_WAIT). Not for UDP,
		 * where it would let a second receiver share the port. */
		if (xs_setsockopt(ctx, l->fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0) {
			msg_syserr(ctx->prog, "setsockopt SO_REUSEADDR");
			goto fail;
		}
	}
	sock_tune(ctx, l->fd);
	if (bind_endpoint(ctx, ep, l->fd) < 0)
		goto fail;
	if (ep->path) {
		struct stat st;
		l->have_file = true;
		if (chmod(ep->path, ctx->opt.mode) < 0 || stat(ep->path, &st) < 0) {
			msg_syserr(ctx->prog, "chmod %s", ep->path);
			goto fail;
		}
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	if (ep->type != SOCK_DGRAM && xs_listen(ctx, l->fd, SOMAXCONN) < 0) {
		msg_syserr(ctx->prog, "listen %s", ep->name);
		goto fail;
	}
	return EXIT_OK;
fail:
	listener_close(ctx, l);
	return EXIT_FAIL;
}

void listener_close(struct ctx *ctx, struct listener *l)
{
	if (l->fd >= 0)
		explain_close(ctx, l->fd,
			      "closed: nobody reaches this socket any more (a socket file stays until unlinked)");
	l->fd = -1;
	if (!l->have_file)
		return;
	/* Remove the socket file only if it is still the one we made. */
	struct stat st;
	if (lstat(l->ep->path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == l->dev && st.st_ino == l->ino &&
	    xs_unlink(ctx, l->ep->path, "the socket file is gone: ours, still the one we bound") < 0 && errno != ENOENT)
		msg_syserr(ctx->prog, "unlink %s", l->ep->path);
	l->have_file = false;
}

void sock_tune(struct ctx *ctx, int fd)
{
	const struct sock_opts *o = sock_opts(ctx);
	if (o->nodelay && xs_setsockopt(ctx, fd, IPPROTO_TCP, TCP_NODELAY, 1) < 0)
		msg_syserr(ctx->prog, "setsockopt TCP_NODELAY");
	if (o->given.sndbuf) {
		int v = o->sndbuf > INT_MAX ? INT_MAX : (int)o->sndbuf;
		if (xs_setsockopt(ctx, fd, SOL_SOCKET, SO_SNDBUF, v) < 0)
			msg_syserr(ctx->prog, "setsockopt SO_SNDBUF");
	}
	if (o->given.rcvbuf) {
		int v = o->rcvbuf > INT_MAX ? INT_MAX : (int)o->rcvbuf;
		if (xs_setsockopt(ctx, fd, SOL_SOCKET, SO_RCVBUF, v) < 0)
			msg_syserr(ctx->prog, "setsockopt SO_RCVBUF");
	}
}

enum io_result sock_connect(struct ctx *ctx, const struct endpoint *eps, size_t n, const char *hint, int *fdp)
{
	bool waiting = sock_opts(ctx)->given.wait;
	int64_t deadline = now_mono_ns() + sock_opts(ctx)->wait;
	bool announced = false;
	const struct endpoint *ep = &eps[0];
	for (;;) {
		int e = 0;
		/* Every address the name has, in order (e.g. ::1, then 127.0.0.1). */
		for (size_t k = 0; k < n; k++) {
			ep = &eps[k];
			int fd = xs_socket(ctx, ep->family, ep->type | SOCK_CLOEXEC, "a socket to connect with");
			if (fd < 0) {
				e = errno; /* e.g. no IPv6 here: try the next address */
				continue;
			}
			/* A Unix datagram sender gets an address of its own (autobind:
			 * an abstract name), so that a receiver can answer it; nc -lUu
			 * needs it. Only sun_family counts, but the whole address is
			 * initialised. */
			if (ep->family == AF_UNIX && ep->type == SOCK_DGRAM) {
				struct sockaddr_un self = { .sun_family = AF_UNIX };
				if (xs_bind(ctx, fd, (const struct sockaddr *)&self, sizeof(sa_family_t), NULL) < 0) {
					msg_syserr(ctx->prog, "bind (autobind)");
					close(fd);
					return IO_FAILED_REPORTED;
				}
			}
			sock_tune(ctx, fd);
			if (xs_connect(ctx, fd, (const struct sockaddr *)&ep->addr, ep->len, ep->type) == 0) {
				if (announced && !ctx->opt.quiet)
					msg_warn(ctx->prog, "connected to %s", ep->name);
				*fdp = fd;
				return IO_OK;
			}
			e = errno;
			explain_close(ctx, fd, "this socket failed to connect; a new one for the next try");
			if (e == EINTR && stop_requested())
				return IO_STOP;
		}
		bool nobody = e == ECONNREFUSED || e == ENOENT;
		if (nobody && waiting && now_mono_ns() < deadline) {
			if (!announced)
				note_wait(ctx, WAIT_PEER,
					  "no one is listening on %s yet; waiting for one, up to --wait", eps[0].name);
			announced = true;
			if (!sleep_ns(100 * NSEC_PER_MSEC))
				return IO_STOP;
			continue;
		}
		errno = e;
		msg_syserr(ctx->prog, "connect %s", ep->name);
		if (nobody)
			fprintf(stderr,
				"No one is listening on %s. Start %s on that address first, or give --wait DURATION.\n",
				eps[0].name, hint);
		return IO_FAILED_REPORTED;
	}
}

/* ---- the serving producer ---- */

static void server_accept(struct ctx *ctx, struct server *s)
{
	for (;;) {
		int fd = explaining(ctx) ? xs_accept4(ctx, s->l.fd, SOCK_CLOEXEC, "consumer")
					 : accept4(s->l.fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
				msg_syserr(ctx->prog, "accept %s", s->l.ep->name);
			return;
		}
		if (s->n == s->cap) {
			size_t ncap = s->cap ? s->cap * 2 : 8;
			struct client *nc = realloc(s->c, ncap * sizeof(*nc));
			if (!nc) {
				msg_syserr(ctx->prog, "accept %s: allocate", s->l.ep->name);
				close(fd);
				return;
			}
			s->c = nc;
			s->cap = ncap;
		}
		struct peer p;
		peer_of(fd, &p);
		sock_tune(ctx, fd);
		s->c[s->n] = (struct client){ .fd = fd, .pid = p.known ? p.pid : 0, .ctx = ctx };
		s->n++;
		s->served++;
		if (!ctx->opt.quiet) {
			char who[64];
			sock_peer_name(fd, &p, who, sizeof(who));
			msg_warn(ctx->prog, "consumer connected (%s); %zu connected", who, s->n);
		}
	}
}

/* "3 messages queued for the consumer (pid 42) were not sent to it" */
static void say_unsent(struct ctx *ctx, uint64_t m, const char *who)
{
	if (m && !ctx->opt.quiet)
		msg_warn(ctx->prog, "%llu message%s queued for the consumer%s %s not sent to it", (unsigned long long)m,
			 m == 1 ? "" : "s", who, m == 1 ? "was" : "were");
}

static size_t client_pending(const struct client *cl)
{
	return cl->len - cl->off;
}

/* What was queued for a consumer that leaves, and not sent: from the last
 * consumer it is kept for the next one (but for the write in progress,
 * which server_offer hands on itself); from one of several, it is lost to
 * that consumer only, and said so. */
static void server_keep(struct ctx *ctx, struct server *s, const struct client *cl, const char *who)
{
	size_t pend = client_pending(cl);
	size_t cur = s->round_len && cl->round == s->round ? s->round_len : 0;
	const char *p = cl->q + cl->off;
	size_t n = pend > cur ? pend - cur : 0;
	if (s->n > 1) {
		say_unsent(ctx, msg_count(p, pend), who);
		return;
	}
	if (cl->mid) {
		/* The rest of a message it got in part: gone with it. */
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) + 1 : n;
		p += k;
		n -= k;
	}
	if (n == 0)
		return;
	char *no = realloc(s->orphan, s->orphan_len + n);
	if (!no) {
		msg_syserr(ctx->prog, "keep %llu messages for the next consumer", (unsigned long long)msg_count(p, n));
		return;
	}
	memcpy(no + s->orphan_len, p, n);
	s->orphan = no;
	s->orphan_len += n;
}

static void server_drop(struct ctx *ctx, struct server *s, size_t i, int err)
{
	struct client *cl = &s->c[i];
	char who[32] = "";
	if (cl->pid)
		snprintf(who, sizeof(who), " (pid %d)", (int)cl->pid);
	/* It leaves during a write: how much of it did it take? */
	if (s->round_len && cl->round == s->round) {
		uint64_t t = cl->sent > cl->mark ? cl->sent - cl->mark : 0;
		if (t > s->round_len)
			t = s->round_len;
		if (t > s->round_taken)
			s->round_taken = (size_t)t;
	}
	if (!ctx->opt.quiet) {
		if (err)
			msg_warn(ctx->prog, "a consumer%s went away (%s); %zu connected", who, strerror(err), s->n - 1);
		else
			msg_warn(ctx->prog, "a consumer%s went away; %zu connected", who, s->n - 1);
	}
	server_keep(ctx, s, cl, who);
	explain_close(ctx, cl->fd, "this consumer's connection is over");
	free(cl->q);
	s->c[i] = s->c[s->n - 1];
	s->n--;
}

int server_open(struct ctx *ctx, const struct endpoint *ep, struct server *s)
{
	memset(s, 0, sizeof(*s));
	s->packets = ep->type == SOCK_SEQPACKET;
	if (listener_open(ctx, ep, &s->l) != EXIT_OK)
		return EXIT_FAIL;
	int fl = xs_fcntl(ctx, s->l.fd, F_GETFL, 0, "the listener's open flags");
	if (fl < 0 ||
	    xs_fcntl(ctx, s->l.fd, F_SETFL, fl | O_NONBLOCK, "accept never blocks: poll says when one knocks") < 0) {
		msg_syserr(ctx->prog, "fcntl %s", ep->name);
		listener_close(ctx, &s->l);
		return EXIT_FAIL;
	}
	if (!ctx->opt.quiet)
		msg_warn(ctx->prog, "listening on %s (%s)", ep->name, sock_type_name(sock_opts(ctx)->type));
	return EXIT_OK;
}

/* Append to a consumer's queue. */
static int client_push(struct client *cl, const char *buf, size_t len)
{
	if (cl->off > 0 && cl->off == cl->len)
		cl->off = cl->len = 0;
	if (cl->len + len > cl->cap) {
		if (cl->off > 0) {
			memmove(cl->q, cl->q + cl->off, cl->len - cl->off);
			cl->len -= cl->off;
			cl->off = 0;
		}
		size_t ncap = cl->cap ? cl->cap : 65536;
		while (ncap < cl->len + len)
			ncap *= 2;
		if (ncap > cl->cap) {
			char *nq = realloc(cl->q, ncap);
			if (!nq)
				return -1;
			cl->q = nq;
			cl->cap = ncap;
		}
	}
	memcpy(cl->q + cl->len, buf, len);
	cl->len += len;
	cl->pushed += len;
	return 0;
}

#define SEND_FLAGS (MSG_NOSIGNAL | MSG_DONTWAIT)

/* Send what the socket takes now (or the server's flush hook). Returns 0,
 * or -1 with errno when the consumer is gone. Packets: one line per send. */
static int client_flush(const struct server *s, struct client *cl)
{
	while (cl->off < cl->len) {
		size_t n = cl->len - cl->off;
		if (s->packets || s->send) {
			const char *nl = memchr(cl->q + cl->off, '\n', n);
			if (nl)
				n = (size_t)(nl - (cl->q + cl->off)) + 1;
		}
		ssize_t w = s->send               ? s->send(s->send_arg, cl, cl->q + cl->off, n, SEND_FLAGS)
			    : explaining(cl->ctx) ? xs_send(cl->ctx, cl->fd, cl->q + cl->off, n, SEND_FLAGS,
							    s->packets ? XS_PACKET : XS_STREAM)
						  : send(cl->fd, cl->q + cl->off, n, SEND_FLAGS);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		cl->off += (size_t)w;
		cl->sent += (size_t)w;
		cl->mid = cl->q[cl->off - 1] != '\n';
	}
	cl->off = cl->len = 0;
	return 0;
}

/* Wait up to ms (-1: no limit) for consumers to take data, new consumers,
 * or consumers leaving; handle what happened. Returns IO_OK, IO_STOP when a
 * stop was requested, IO_FAILED_REPORTED. */
static enum io_result server_poll(struct ctx *ctx, struct server *s, int ms)
{
	struct pollfd stackpf[33], *pf = stackpf;
	if (s->n + 1 > ARRAY_SIZE(stackpf)) {
		pf = malloc((s->n + 1) * sizeof(*pf));
		if (!pf) {
			msg_syserr(ctx->prog, "allocate");
			return IO_FAILED_REPORTED;
		}
	}
	pf[0] = (struct pollfd){ .fd = s->l.fd, .events = POLLIN, .revents = 0 };
	for (size_t i = 0; i < s->n; i++)
		pf[i + 1] = (struct pollfd){ .fd = s->c[i].fd,
					     .events = (short)((s->c[i].rd_eof ? 0 : POLLIN) |
							       (client_pending(&s->c[i]) ? POLLOUT : 0)),
					     .revents = 0 };
	size_t n = s->n;
	int r = poll_stoppable(pf, n + 1, ms);
	enum io_result rc = IO_OK;
	if (r < 0) {
		if (stop_requested())
			rc = IO_STOP;
		else if (errno != EINTR) {
			msg_syserr(ctx->prog, "poll %s", s->l.ep->name);
			rc = IO_FAILED_REPORTED;
		}
	} else if (r > 0) {
		/* Backwards, so that dropping one (swap with the last) is safe. */
		for (size_t i = n; i-- > 0;) {
			short ev = pf[i + 1].revents;
			struct client *cl = &s->c[i];
			int err = 0;
			bool gone = false;
			if (ev & POLLIN) {
				/* Consumers do not talk; what they send is dropped. End of
				 * file is only the end of their sending side (nc -N, socat
				 * at the end of its input): they may still read. */
				char sink[512];
				ssize_t got = explaining(ctx) ? xs_recv(ctx, cl->fd, sink, sizeof(sink), MSG_DONTWAIT)
							      : recv(cl->fd, sink, sizeof(sink), MSG_DONTWAIT);
				if (got == 0)
					cl->rd_eof = true;
				else if (got < 0 && errno != EAGAIN && errno != EINTR) {
					gone = true;
					err = errno;
				}
			}
			if (!gone && (ev & (POLLOUT | POLLERR | POLLHUP)) && client_flush(s, cl) < 0) {
				gone = true;
				err = errno;
			}
			/* Hung up entirely, with nothing left to send: gone. */
			if (!gone && (ev & POLLHUP) && cl->rd_eof && !client_pending(cl))
				gone = true;
			if (gone)
				server_drop(ctx, s, i, err);
		}
		if (pf[0].revents)
			server_accept(ctx, s);
	}
	if (pf != stackpf)
		free(pf);
	return rc;
}

/* Queue what the last consumer left for the consumers now connected. */
static int server_adopt(struct ctx *ctx, struct server *s)
{
	if (s->orphan_len == 0 || s->n == 0)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		if (client_push(&s->c[i], s->orphan, s->orphan_len) < 0) {
			msg_syserr(ctx->prog, "queue for a consumer");
			return -1;
		}
	}
	free(s->orphan);
	s->orphan = NULL;
	s->orphan_len = 0;
	return 0;
}

static size_t server_pending(const struct server *s)
{
	size_t pending = s->orphan_len;
	for (size_t i = 0; i < s->n; i++)
		pending += client_pending(&s->c[i]);
	return pending;
}

void server_close(struct ctx *ctx, struct server *s)
{
	size_t pending = server_pending(s);
	bool told = false;
	if (pending && !stop_requested() && !ctx->opt.quiet)
		msg_warn(ctx->prog, "sending the last %zu bytes to the consumers", pending);
	while (pending && !stop_requested()) {
		if (s->n == 0 && !told)
			note_wait_again(ctx, WAIT_PEER, "no consumer connected; waiting for one on %s", s->l.ep->name);
		told = told || s->n == 0;
		if (server_poll(ctx, s, -1) != IO_OK || server_adopt(ctx, s) < 0)
			break;
		pending = server_pending(s);
	}
	/* Accepted, but stopped before it went out: say so. */
	for (size_t i = 0; i < s->n; i++) {
		const struct client *cl = &s->c[i];
		char who[32] = "";
		if (cl->pid)
			snprintf(who, sizeof(who), " (pid %d)", (int)cl->pid);
		say_unsent(ctx, msg_count(cl->q + cl->off, client_pending(cl)), who);
		explain_close(ctx, s->c[i].fd, "the producer is done: the consumer reads end of file");
		free(s->c[i].q);
	}
	uint64_t m = msg_count(s->orphan, s->orphan_len);
	if (m && !ctx->opt.quiet)
		msg_warn(ctx->prog, "%llu message%s queued for a consumer that went away %s not sent",
			 (unsigned long long)m, m == 1 ? "" : "s", m == 1 ? "was" : "were");
	free(s->orphan);
	s->orphan = NULL;
	s->orphan_len = 0;
	free(s->c);
	s->c = NULL;
	s->n = 0;
	listener_close(ctx, &s->l);
}

/* Remove the last n bytes queued for every consumer of this round (a
 * write that failed part-way), those not sent yet. */
static void server_unqueue(struct server *s, size_t n)
{
	for (size_t i = 0; i < s->n; i++) {
		struct client *cl = &s->c[i];
		if (cl->round != s->round)
			continue;
		size_t k = client_pending(cl) < n ? client_pending(cl) : n;
		cl->len -= k;
		cl->pushed -= k;
	}
}

/* Queue buf for every connected consumer (waiting for one if there is
 * none) and send what they take now. *took: all of buf while a consumer
 * that got it is still connected, else the whole messages the one that
 * took the most had taken before it went away. Returns as sink.write. */
static enum io_result server_offer(struct ctx *ctx, struct server *s, const char *buf, size_t len, size_t *took)
{
	*took = 0;
	server_accept(ctx, s);
	if (s->n == 0)
		note_wait_again(ctx, WAIT_PEER, "no consumer connected; waiting for one on %s", s->l.ep->name);
	while (s->n == 0) {
		enum io_result rc = server_poll(ctx, s, -1);
		if (rc != IO_OK)
			return rc;
	}
	if (server_adopt(ctx, s) < 0)
		return IO_FAILED_REPORTED;
	s->round++;
	s->round_len = len;
	s->round_taken = 0;
	/* Queue it for all of them, or for none. */
	for (size_t i = 0; i < s->n; i++) {
		struct client *cl = &s->c[i];
		cl->mark = cl->pushed;
		if (client_push(cl, buf, len) < 0) {
			server_unqueue(s, len);
			s->round_len = 0;
			msg_syserr(ctx->prog, "queue for a consumer");
			return IO_FAILED_REPORTED;
		}
		cl->round = s->round;
	}
	enum io_result rc = IO_OK;
	for (size_t i = s->n; i-- > 0;) {
		struct client *cl = &s->c[i];
		if (client_flush(s, cl) == 0)
			continue;
		if (errno == EMSGSIZE) {
			/* The message at cl->off fits in no packet: what comes before it
			 * is accepted, it and what follows are not. */
			size_t bad = cl->sent > cl->mark ? (size_t)(cl->sent - cl->mark) : 0;
			msg_syserr(ctx->prog, "send to %s: a message does not fit in one packet", s->l.ep->name);
			server_unqueue(s, len - bad);
			*took = bad;
			s->round_len = 0;
			return IO_FAILED_REPORTED;
		}
		server_drop(ctx, s, i, errno);
	}
	/* Wait only for a consumer that is far behind. */
	for (;;) {
		bool behind = false;
		for (size_t i = 0; i < s->n; i++)
			behind = behind || client_pending(&s->c[i]) > SERVER_QUEUE_MAX;
		if (!behind)
			break;
		rc = server_poll(ctx, s, -1);
		if (rc != IO_OK)
			break;
	}
	bool held = false;
	for (size_t i = 0; i < s->n; i++)
		held = held || s->c[i].round == s->round;
	*took = held ? len : msg_whole(buf, s->round_taken);
	s->round_len = 0;
	return rc;
}

enum io_result server_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done)
{
	struct server *s = impl;
	*done = 0;
	/* What no consumer took waits for the next one. */
	while (*done < len) {
		size_t took;
		enum io_result rc = server_offer(ctx, s, buf + *done, len - *done, &took);
		*done += took;
		if (rc != IO_OK)
			return rc;
	}
	return IO_OK;
}

bool server_wait(struct ctx *ctx, void *impl, int64_t ns)
{
	struct server *s = impl;
	int64_t end = now_mono_ns() + ns;
	for (;;) {
		int64_t left = end - now_mono_ns();
		if (left <= 0)
			return !stop_requested();
		int64_t ms = (left + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
		if (server_poll(ctx, s, ms > 1000000000 ? 1000000000 : (int)ms) != IO_OK)
			return false;
	}
}

/* One message per send (sink chunk 1). Returns 0, or -1 with errno (EINTR:
 * a stop was requested). */
static int conn_send_packet(struct ctx *ctx, struct conn_sink *cs, const char *buf, size_t len, size_t *done)
{
	*done = 0;
	for (int tries = 0;; tries++) {
		ssize_t w = explaining(ctx)
				    ? xs_send(ctx, cs->fd, buf, len, MSG_NOSIGNAL, cs->lossy ? XS_UDP : XS_PACKET)
				    : send(cs->fd, buf, len, MSG_NOSIGNAL);
		if (w >= 0) {
			*done = len;
			return 0;
		}
		if (errno == EINTR && !stop_requested())
			continue;
		if (!cs->lossy || errno != ECONNREFUSED || tries == 16)
			return -1;
		/* An ICMP "port unreachable" for an earlier datagram: nobody is
		 * receiving. The error took the place of this send, which did not
		 * happen: send it again. UDP goes on; what nobody receives is lost. */
		if (cs->refused++ == 0 && !ctx->opt.quiet)
			msg_warn(ctx->prog,
				 "no consumer is receiving on %s (port unreachable): datagrams are being lost",
				 cs->name);
	}
}

enum io_result conn_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done)
{
	struct conn_sink *cs = impl;
	int rc;
	if (cs->type == SOCK_STREAM)
		rc = explaining(ctx) ? explain_write_all(ctx, cs->fd, buf, len, done, &sock_write_says)
				     : write_all(cs->fd, buf, len, done);
	else
		rc = conn_send_packet(ctx, cs, buf, len, done);
	if (rc == 0)
		return IO_OK;
	if (errno == EINTR)
		return IO_STOP;
	if (errno == EPIPE || errno == ECONNRESET || errno == ECONNREFUSED || errno == ENOTCONN) {
		msg_syserr(ctx->prog, "send to %s", cs->name);
		fprintf(stderr, "The consumer went away.\n");
		return IO_FAILED_REPORTED;
	}
	if (errno == EMSGSIZE) {
		msg_syserr(ctx->prog, "send to %s: a %zu-byte message does not fit in one datagram", cs->name, len);
		return IO_FAILED_REPORTED;
	}
	msg_syserr(ctx->prog, "send to %s", cs->name);
	return IO_FAILED_REPORTED;
}
