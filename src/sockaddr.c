/* SPDX-License-Identifier: MIT */
/* Sockets' kinds, endpoints and peers: what names the two ends of a
 * socket, apart from any one connection (sock.c). */
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "ipcdemo/sock.h"
#include "ipcdemo/util.h"

int sock_type(int kind)
{
	switch (kind) {
	case SK_DGRAM:
		return SOCK_DGRAM;
	case SK_SEQPACKET:
		return SOCK_SEQPACKET;
	default:
		return SOCK_STREAM;
	}
}

const char *sock_type_name(int kind)
{
	switch (kind) {
	case SK_DGRAM:
		return "dgram";
	case SK_SEQPACKET:
		return "seqpacket";
	default:
		return "stream";
	}
}

bool sock_is_packet(int type)
{
	return type == SOCK_DGRAM || type == SOCK_SEQPACKET;
}

int unix_endpoint(const struct ctx *ctx, const char *spec, int type, struct endpoint *ep)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&ep->addr;
	const size_t limit = sizeof(sun->sun_path) - 1; /* 107 on Linux */
	bool abstract = spec[0] == '@';
	const char *name = abstract ? spec + 1 : spec;
	size_t n = strlen(name);

	memset(ep, 0, sizeof(*ep));
	ep->family = AF_UNIX;
	ep->type = type;
	if (n == 0)
		return msg_usage(ctx->prog, "invalid value '%s' for --path: empty socket name", spec);
	if (n > limit)
		return msg_usage(ctx->prog,
				 "invalid value for --path: %s is %zu bytes, the limit for a Unix socket is %zu "
				 "(sun_path); use a shorter %s",
				 abstract ? "the abstract name" : "the path", n, limit,
				 abstract ? "name" : "or relative path");
	sun->sun_family = AF_UNIX;
	if (abstract) {
		/* Abstract namespace: a leading NUL, no file, gone with the socket. */
		sun->sun_path[0] = '\0';
		memcpy(sun->sun_path + 1, name, n);
		ep->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
		ep->path = NULL;
	} else {
		memcpy(sun->sun_path, name, n + 1);
		ep->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
		ep->path = spec;
	}
	snprintf(ep->name, sizeof(ep->name), "%s", spec);
	return 0;
}

void sock_peer_name(int fd, const struct peer *p, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (p && p->known) {
		snprintf(buf, len, "pid %d", (int)p->pid);
		return;
	}
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family != AF_UNIX) {
		sock_addr_name((struct sockaddr *)&ss, sl, buf, len);
		return;
	}
	snprintf(buf, len, "peer unknown");
}

void sock_addr_name(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

void peer_of(int fd, struct peer *p)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && len == sizeof(cr) && cr.pid > 0) {
		p->known = true;
		p->pid = cr.pid;
		p->uid = cr.uid;
		p->gid = cr.gid;
	}
}

void peer_json(struct out *o, void *arg)
{
	const struct peer *p = arg;
	if (!p || !p->known)
		return;
	out_i64(o, PRINT_JSON, "peer_pid", NULL, p->pid);
	out_u64(o, PRINT_JSON, "peer_uid", NULL, p->uid);
	out_u64(o, PRINT_JSON, "peer_gid", NULL, p->gid);
}
