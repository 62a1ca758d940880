/* SPDX-License-Identifier: MIT */
/* The endpoints of the zmq verbs (zmq_io.h): their checks before libzmq
 * sees them, the bind with an ipc:// socket file of mode 0600, the end of
 * a context, and the removal of the socket file that libzmq leaves
 * behind; each call told with --explain (explain.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/fsobj.h"
#include "ipcdemo/util.h"
#include "zmq_io.h"

int zm_check_scheme(struct ctx *ctx, const char *opt, const char *ep)
{
	if (strncmp(ep, "tcp://", 6) != 0 && strncmp(ep, "ipc://", 6) != 0)
		return msg_usage(ctx->prog, "--%s %s: tcp://HOST:PORT or ipc://PATH", opt, ep);
	if (ep[6] == '\0')
		return msg_usage(ctx->prog, "--%s %s: nothing after the scheme", opt, ep);
	return 0;
}

int zm_check_bind_path(struct ctx *ctx, const char *ep)
{
	if (strncmp(ep, "ipc://", 6) != 0)
		return 0;
	const char *path = ep + 6;
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			msg_warn(ctx->prog,
				 "%s exists and is not a socket; refusing to bind there (libzmq would replace it)",
				 path);
			return EXIT_USAGE;
		}
	} else if (errno != ENOENT) {
		msg_syserr(ctx->prog, "lstat %s", path);
		return EXIT_FAIL;
	}
	return 0;
}

/* Right after the bind: what is at path now, the socket file we made. */
static int record_bound(const char *prog, const char *path, struct zm_bound *b)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		msg_syserr(prog, "lstat %s after binding it", path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		msg_warn(prog, "%s is a %s right after binding it, not a socket", path, fsobj_kind(st.st_mode));
		return -1;
	}
	*b = (struct zm_bound){ .path = path, .dev = st.st_dev, .ino = st.st_ino };
	return 0;
}

/* zmq_bind, told. */
static int bind_told(struct ctx *ctx, void *sock, const char *endpoint, bool ipc)
{
	if (explaining(ctx))
		explain_lib_begin(ctx, ZX_LIB, "zmq_bind", NULL, "%p, %s", sock, xq(endpoint).s);
	int rc = zmq_bind(sock, endpoint);
	if (explaining(ctx))
		explain_end(
			ctx, rc, errno, "%s",
			rc < 0 ? (errno == EADDRINUSE ? "another socket is bound there already" : zmq_strerror(errno))
			: ipc  ? "bound, in this thread: libzmq removed a socket file left at the path (unlink), made "
				 "the socket (socket, bind under umask 077, listen); its I/O thread accepts the "
				 "connections (accept4)"
			       : "bound, in this thread (socket, bind, listen); its I/O thread accepts the "
				 "connections (accept4)");
	return rc;
}

int zm_bind(struct ctx *ctx, void *sock, const char *endpoint, struct zm_bound *b)
{
	bool ipc = strncmp(endpoint, "ipc://", 6) == 0;
	mode_t old = 0;
	*b = (struct zm_bound){ .path = NULL, .dev = 0, .ino = 0 };
	if (ipc)
		old = umask(077);
	int rc = bind_told(ctx, sock, endpoint, ipc);
	int e = errno;
	if (ipc)
		umask(old);
	if (rc < 0) {
		zerr(ctx->prog, e, "zmq_bind %s", endpoint);
		return -1;
	}
	if (ipc && record_bound(ctx->prog, endpoint + 6, b) < 0)
		return -1;
	if (!ipc)
		return 0;
	if (explaining(ctx))
		explain_begin(ctx, "chmod", NULL, "%s, 0600", xq(endpoint + 6).s);
	rc = chmod(endpoint + 6, 0600);
	if (explaining(ctx))
		explain_end(ctx, rc, errno, "%s",
			    rc == 0 ? "the socket file is ours alone: only our user may connect to it"
				    : strerror(errno));
	if (rc < 0) {
		msg_syserr(ctx->prog, "chmod %s", endpoint + 6);
		return -1;
	}
	return 0;
}

void zm_ctx_end(struct ctx *ctx, void *zctx)
{
	int rc;
	if (explaining(ctx))
		explain_lib_begin(ctx, ZX_LIB, "zmq_ctx_term",
				  "blocks until every socket's queued messages have gone, each for at most its linger",
				  "%p", zctx);
	while ((rc = zmq_ctx_term(zctx)) < 0 && errno == EINTR)
		;
	if (explaining(ctx))
		explain_end(ctx, rc, errno, "%s",
			    rc == 0 ? "the context is gone: libzmq's I/O thread and reaper have exited, their "
				      "connections closed"
				    : zmq_strerror(errno));
}

/* libzmq 4.3 removes the file of an ipc:// endpoint before it binds there,
 * never when the socket closes (the listener's close only removes the
 * directory of a wildcard endpoint), whether closed, unbound or lingering. */
void zm_unbind_file(struct ctx *ctx, struct zm_bound *b)
{
	struct stat st;
	if (!b->path)
		return;
	const char *path = b->path;
	b->path = NULL;
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			msg_syserr(ctx->prog, "lstat %s", path);
		return;
	}
	/* Another process bound the path since (libzmq replaces a socket
	 * file), or something else is there now: not ours to remove. */
	if (!S_ISSOCK(st.st_mode) || st.st_dev != b->dev || st.st_ino != b->ino)
		return;
	if (explaining(ctx))
		explain_begin(ctx, "unlink", NULL, "%s", xq(path).s);
	int rc = unlink(path);
	if (explaining(ctx))
		explain_end(ctx, rc, errno, "%s",
			    rc == 0 ? "the socket file is gone: libzmq leaves it behind, so ipcdemo removes it, still "
				      "the very socket it bound"
				    : xerr(errno, ENOENT, "already gone"));
	if (rc < 0 && errno != ENOENT)
		msg_syserr(ctx->prog, "remove %s", path);
}
