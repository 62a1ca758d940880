/* SPDX-License-Identifier: MIT */
/* The sending half of descriptor passing: the checks of the options, the
 * file of --pass-fd, the credentials claimed, and one sendmsg per message
 * with its control data. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/fdpass.h"
#include "ipcdemo/sockexplain.h"
#include "ipcdemo/util.h"

int fdpass_check(struct ctx *ctx, int type, bool producer)
{
	const struct sock_opts *so = sock_opts(ctx);
	const struct fd_opts *f = &so->fdp;
	bool packets = type != SOCK_STREAM;
	if (f->via == VIA_MEMFD && !packets)
		return msg_usage(ctx->prog, "--via memfd needs --type seqpacket or dgram: each memfd goes with one "
					    "message, and a stream has none");
	if (f->via == VIA_MEMFD && f->pass_fd)
		return msg_usage(ctx->prog, "--via memfd and --pass-fd exclude each other: one descriptor per message");
	if ((f->send_creds || f->creds_as || f->creds) && !packets)
		return msg_usage(ctx->prog, "credentials with each message need --type dgram or seqpacket");
	if (f->fd_copies && !f->pass_fd)
		return msg_usage(ctx->prog, "--fd-copies needs --pass-fd");
	if (!producer && so->listen)
		return msg_usage(ctx->prog, "--listen with descriptors or credentials is not supported: let the "
					    "producer listen (the default) or use --type dgram");
	return EXIT_OK;
}

/* --creds-as PID:UID:GID, each a whole number. */
static int parse_creds(struct ctx *ctx, const char *s, struct ucred *cr)
{
	unsigned long long v[3];
	int at = 0;
	if (sscanf(s, "%llu:%llu:%llu%n", &v[0], &v[1], &v[2], &at) != 3 || s[at] != '\0' || s[0] == '-' ||
	    v[0] > INT32_MAX || v[1] > UINT32_MAX - 1 || v[2] > UINT32_MAX - 1)
		return msg_usage(ctx->prog, "--creds-as '%s': expected PID:UID:GID, three whole numbers", s);
	cr->pid = (pid_t)v[0];
	cr->uid = (uid_t)v[1];
	cr->gid = (gid_t)v[2];
	return EXIT_OK;
}

/* The kernel checks a claim at each sendmsg; try it once on a private pair
 * first, so that a refusal is said before anything is sent. */
static int creds_probe(struct ctx *ctx, const struct fdtx *tx)
{
	int sv[2];
	int rc = socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv);
	if (explaining(ctx)) {
		explain_begin(ctx, "socketpair", NULL, "AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, [%d, %d]",
			      rc == 0 ? sv[0] : -1, rc == 0 ? sv[1] : -1);
		explain_end(ctx, rc, errno, "%s",
			    rc == 0 ? "a private pair, to try the credentials claimed before anything is sent"
				    : strerror(errno));
	}
	if (rc < 0) {
		msg_syserr(ctx->prog, "socketpair (to check the credentials)");
		return EXIT_FAIL;
	}
	const struct fdtx probe = { .fd = -1, .creds = true, .cred = tx->cred, .type = SOCK_DGRAM, .ctx = ctx };
	ssize_t w = fdtx_send(&probe, sv[0], "", 0, MSG_DONTWAIT, true);
	int e = errno;
	explain_close(ctx, sv[0], "the probe is done");
	explain_close(ctx, sv[1], "the probe is done");
	if (w >= 0)
		return EXIT_OK;
	errno = e;
	msg_syserr(ctx->prog, "send to %s claiming pid %d uid %u gid %u (SCM_CREDENTIALS)", tx->name, (int)tx->cred.pid,
		   (unsigned)tx->cred.uid, (unsigned)tx->cred.gid);
	if (e == EPERM)
		fprintf(stderr,
			"The kernel lets a process claim only its own pid (unless it has CAP_SYS_ADMIN), and a\n"
			"uid or gid it could switch to (unless it has CAP_SETUID or CAP_SETGID).\n");
	else if (e == ESRCH)
		fprintf(stderr, "No process has pid %d here.\n", (int)tx->cred.pid);
	return EXIT_FAIL;
}

/* --pass-fd: read-only, once, close-on-exec, and never through a symbolic
 * link as its last component (O_NOFOLLOW: the file named is the file
 * sent); O_NONBLOCK only for the open (a FIFO would wait for a writer). */
static int open_pass_fd(struct ctx *ctx, const char *path)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
	if (explaining(ctx))
		explain_begin(ctx, "openat", NULL, "AT_FDCWD, %s, %s", xq(path).s, xflags_open(flags).s);
	int fd = open(path, flags);
	if (explaining(ctx))
		explain_end(ctx, fd, errno, "%s",
			    fd >= 0 ? "the file whose descriptor goes with each message: opened here, with our rights"
				    : strerror(errno));
	if (fd < 0) {
		msg_syserr(ctx->prog, "open %s", path);
		if (errno == ELOOP)
			fprintf(stderr,
				"%s is a symbolic link: --pass-fd sends only the file it names; give the "
				"file it points to.\n",
				path);
		return -1;
	}
	int fl = xs_fcntl(ctx, fd, F_GETFL, 0, "its open flags");
	if (fl < 0 || xs_fcntl(ctx, fd, F_SETFL, fl & ~O_NONBLOCK, "O_NONBLOCK was for the open only") < 0) {
		msg_syserr(ctx->prog, "fcntl %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

int fdtx_open(struct ctx *ctx, int type, const char *name, struct fdtx *tx)
{
	const struct fd_opts *f = &sock_opts(ctx)->fdp;
	*tx = (struct fdtx){ .fd = -1,
			     .copies = f->fd_copies ? (size_t)f->fd_copies : 1,
			     .memfd = f->via == VIA_MEMFD,
			     .creds = f->send_creds || f->creds_as,
			     .type = type,
			     .name = name,
			     .ctx = ctx };
	int rc = fdpass_check(ctx, type, true);
	if (rc)
		return rc;
	tx->cred = (struct ucred){ .pid = getpid(), .uid = getuid(), .gid = getgid() };
	if (f->creds_as && (rc = parse_creds(ctx, f->creds_as, &tx->cred)) != EXIT_OK)
		return rc;
	if (tx->creds && (rc = creds_probe(ctx, tx)) != EXIT_OK)
		return rc;
	if (f->pass_fd && (tx->fd = open_pass_fd(ctx, f->pass_fd)) < 0)
		return EXIT_FAIL;
	return EXIT_OK;
}

void fdtx_close(struct fdtx *tx)
{
	if (tx->fd >= 0 && tx->ctx)
		explain_close(tx->ctx, tx->fd, "our descriptor of --pass-fd's file: the consumers keep theirs");
	else if (tx->fd >= 0)
		close(tx->fd);
	tx->fd = -1;
}

/* The header a memfd's message carries on the socket. */
#define MEMFD_HEADER 40

ssize_t fdtx_send(const struct fdtx *tx, int sock, const char *buf, size_t len, int flags, bool start)
{
	union {
		unsigned char b[CMSG_SPACE(sizeof(int) * 253) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} cbuf;
	char head[MEMFD_HEADER];
	int mfd = -1;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = NULL, .msg_controllen = 0 };
	size_t nfds = 0, clen = 0;
	memset(&cbuf, 0, sizeof(cbuf));
	struct ctx *ctx = tx->ctx;
	bool told = ctx && explaining(ctx);
	if (told)
		explain_hold(ctx); /* the calls of one message together */
	if (start && tx->memfd) {
		mfd = told ? xs_memfd_make(ctx, buf, len) : memfd_make(buf, len);
		if (mfd < 0) {
			if (told)
				explain_release(ctx);
			return -1;
		}
		iov.iov_base = head;
		iov.iov_len = (size_t)snprintf(head, sizeof(head), "memfd %zu\n", len);
		nfds = 1;
	} else if (start && tx->fd >= 0) {
		nfds = tx->copies;
	}
	if (tx->creds) {
		struct cmsghdr *cm = (struct cmsghdr *)cbuf.b;
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(struct ucred));
		memcpy(CMSG_DATA(cm), &tx->cred, sizeof(tx->cred));
		clen += CMSG_SPACE(sizeof(struct ucred));
	}
	if (nfds) {
		struct cmsghdr *cm = (struct cmsghdr *)(cbuf.b + clen);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		for (size_t i = 0; i < nfds; i++)
			memcpy(CMSG_DATA(cm) + i * sizeof(int), mfd >= 0 ? &mfd : &tx->fd, sizeof(int));
		clen += CMSG_SPACE(sizeof(int) * nfds);
	}
	if (clen) {
		mh.msg_control = cbuf.b;
		mh.msg_controllen = clen;
	}
	ssize_t w = told ? xs_sendmsg(ctx, sock, &mh, flags, mfd >= 0 ? mfd : tx->fd, nfds, mfd >= 0,
				      tx->creds ? &tx->cred : NULL)
			 : sendmsg(sock, &mh, flags);
	int e = errno;
	if (mfd >= 0) {
		/* ours; the receiver has its own now */
		if (told)
			xs_loop_close(ctx, mfd, "our descriptor of the memfd: the receiver's keeps it alive");
		else
			close(mfd);
		if (w >= 0)
			w = (ssize_t)len;
	}
	if (told)
		explain_release(ctx);
	errno = e;
	return w;
}

ssize_t fdtx_client_send(void *arg, const struct client *cl, const char *buf, size_t len, int flags)
{
	/* The control data goes with a message's first byte. */
	return fdtx_send(arg, cl->fd, buf, len, flags, !cl->mid);
}

enum io_result fdtx_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done)
{
	struct fdtx_sink *s = impl;
	*done = 0;
	while (*done < len) {
		ssize_t w = fdtx_send(s->tx, s->fd, buf + *done, len - *done, MSG_NOSIGNAL, *done == 0);
		if (w >= 0) {
			*done += (size_t)w;
			continue;
		}
		if (errno == EINTR && !stop_requested())
			continue;
		if (errno == EINTR)
			return IO_STOP;
		if (s->tx->creds)
			msg_syserr(ctx->prog, "send to %s with credentials pid %d uid %u gid %u", s->tx->name,
				   (int)s->tx->cred.pid, (unsigned)s->tx->cred.uid, (unsigned)s->tx->cred.gid);
		else
			msg_syserr(ctx->prog, "send to %s%s", s->tx->name,
				   s->tx->memfd     ? " (a memfd)"
				   : s->tx->fd >= 0 ? " (with descriptors)"
						    : "");
		if (errno == EPIPE || errno == ECONNRESET || errno == ECONNREFUSED || errno == ENOTCONN)
			fprintf(stderr, "The consumer went away.\n");
		return IO_FAILED_REPORTED;
	}
	return IO_OK;
}
