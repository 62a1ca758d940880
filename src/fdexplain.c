/* SPDX-License-Identifier: MIT */
/* --explain for descriptors and credentials over Unix sockets (fdpass.c,
 * fdpass_tx.c, fdpass_role.c): the memfd's calls, sendmsg and recvmsg
 * with their control data, and the closes of the descriptors that came.
 * The calls of one message are told together (explain_hold) for the
 * first N messages and counted after. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipcdemo/fdpass.h"
#include "ipcdemo/message.h"
#include "ipcdemo/sockexplain.h"
#include "ipcdemo/util.h"

int xs_fcntl(struct ctx *ctx, int fd, int cmd, int arg, const char *why)
{
	if (!explaining(ctx))
		return fcntl(fd, cmd, arg);
	bool get = cmd == F_GETFL;
	if (get)
		explain_begin(ctx, "fcntl", NULL, "%d, F_GETFL", fd);
	else
		explain_begin(ctx, "fcntl", NULL, "%d, %s, %s", fd, xfcntl_cmd(cmd).s, xflags_open(arg).s);
	int rc = fcntl(fd, cmd, arg);
	int e = errno;
	if (get && rc >= 0)
		explain_end(ctx, rc, 0, "%s (%s)", why, xflags_open(rc).s);
	else
		explain_end(ctx, rc, e, "%s", rc >= 0 ? why : strerror(e));
	errno = e;
	return rc;
}

int xs_loop_close(struct ctx *ctx, int fd, const char *why)
{
	if (explain_full(ctx))
		return explain_close(ctx, fd, why);
	int rc = close(fd);
	explain_count(ctx, "close", rc, SIZE_MAX);
	return rc;
}

#define SEALS "F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_WRITE"

int xs_memfd_make(struct ctx *ctx, const char *buf, size_t len)
{
	bool full = explain_full(ctx);
	if (full)
		explain_begin(ctx, "memfd_create", NULL, "\"ipcdemo\", MFD_CLOEXEC|MFD_ALLOW_SEALING");
	int fd = memfd_create("ipcdemo", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (full)
		explain_end(ctx, fd, errno, "%s",
			    fd >= 0 ? "an anonymous file in memory: its descriptor is all there is of it"
				    : strerror(errno));
	else
		explain_count(ctx, "memfd_create", fd, SIZE_MAX);
	if (fd < 0)
		return -1;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);
		int e = errno;
		if (full) {
			explain_begin(ctx, "write", NULL, "%d, %s, %zu", fd, xbuf(buf + done, len - done).s,
				      len - done);
			explain_end(ctx, n, e, "%s", n >= 0 ? "the payload, copied once into the memfd" : strerror(e));
		} else {
			explain_count(ctx, "write", n, n > 0 ? (size_t)n : 0);
		}
		if (n < 0 && e == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			errno = e;
			return -1;
		}
		done += (size_t)n;
	}
	int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
	if (full)
		explain_begin(ctx, "fcntl", NULL, "%d, F_ADD_SEALS, " SEALS, fd);
	int rc = fcntl(fd, F_ADD_SEALS, seals);
	int e = errno;
	if (full)
		explain_end(ctx, rc, e, "%s",
			    rc == 0 ? "sealed: nobody, not even we, can change its size or bytes now; the receiver "
				      "may map it and read it without copying"
				    : strerror(e));
	else
		explain_count(ctx, "fcntl", rc, SIZE_MAX);
	if (rc < 0) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

ssize_t xs_sendmsg(struct ctx *ctx, int sock, const struct msghdr *mh, int flags, int fd, size_t nfds, bool memfd,
		   const struct ucred *cr)
{
	bool full = explain_full(ctx);
	ssize_t n = sendmsg(sock, mh, flags);
	int e = errno;
	if (!full && n < 0 && e != EAGAIN && e != EINTR)
		full = true; /* a failure that ends the loop is told past N too */
	if (!full) {
		explain_count(ctx, "sendmsg", n, n > 0 ? (size_t)n : 0);
		errno = e;
		return n;
	}
	char ctl[200] = "";
	size_t off = 0;
	if (cr)
		off += (size_t)snprintf(ctl, sizeof(ctl),
					"{cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=%d, uid=%u, "
					"gid=%u}}",
					(int)cr->pid, (unsigned)cr->uid, (unsigned)cr->gid);
	if (nfds && off < sizeof(ctl))
		snprintf(ctl + off, sizeof(ctl) - off,
			 "%s{cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[%d%s]}", off ? ", " : "", fd,
			 nfds > 1 ? ", ..." : "");
	const struct iovec *iov = mh->msg_iov;
	explain_begin(ctx, "sendmsg", NULL, "%d, {msg_iov=[{iov_base=%s, iov_len=%zu}], msg_control=[%s]}, %s", sock,
		      xbuf(iov->iov_base, iov->iov_len).s, iov->iov_len, ctl,
		      flags & MSG_DONTWAIT ? "MSG_DONTWAIT|MSG_NOSIGNAL" : "MSG_NOSIGNAL");
	const char *says;
	if (n < 0)
		says = e == EPERM    ? "the kernel refuses the credentials claimed: EPERM"
		       : e == EAGAIN ? "the consumer's queue is full: the rest waits until poll says it takes more"
				     : xerr(e, EPIPE, "the consumer is gone: EPIPE (MSG_NOSIGNAL: no SIGPIPE)");
	else if (memfd)
		says = "SCM_RIGHTS: the receiver gets its own descriptor of the memfd; the socket carries "
		       "only its header";
	else if (nfds)
		says = "SCM_RIGHTS: the receiver gets its own descriptor of the same open file";
	else if (cr)
		says = "SCM_CREDENTIALS: the kernel checked the pid, uid and gid we claim and passes them on";
	else
		says = "the rest of a message whose descriptors went with its first bytes";
	explain_end(ctx, n, e, "%s", says);
	explain_messages(ctx, n > 0 && (nfds || cr) ? 1 : 0);
	errno = e;
	return n;
}

void xs_fdrx_recv(struct ctx *ctx, int fd, const char *buf, size_t cap, const struct fdrx *rx, bool packet, ssize_t n)
{
	if (xs_recv_counted(ctx, "recvmsg", n))
		return;
	int e = errno;
	size_t shown = n > 0 ? ((size_t)n < cap ? (size_t)n : cap) : 0;
	char fds[64] = "";
	if (n >= 0 && rx->nfds)
		snprintf(fds, sizeof(fds), ", cmsg_type=SCM_RIGHTS, cmsg_data=[%d%s]", rx->fds[0],
			 rx->nfds > 1 ? ", ..." : "");
	explain_begin(ctx, "recvmsg", NULL, "%d, {msg_iov=[{iov_base=%s, iov_len=%zu}], msg_control=[...%s]}, %s", fd,
		      xbuf(buf, shown).s, cap, fds, "MSG_TRUNC|MSG_CMSG_CLOEXEC");
	char says[240];
	if (n < 0)
		snprintf(says, sizeof(says), "%s", strerror(e));
	else if (rx->ctrunc)
		snprintf(says, sizeof(says),
			 "MSG_CTRUNC: the control data did not fit; the kernel closed what did not");
	else if (rx->nfds)
		snprintf(says, sizeof(says),
			 "SCM_RIGHTS: descriptor %d is ours now, of the same open file as the sender's "
			 "(close-on-exec: MSG_CMSG_CLOEXEC)%s",
			 rx->fds[0], rx->creds ? "; SCM_CREDENTIALS: who sent it" : "");
	else if (n == 0)
		snprintf(says, sizeof(says), "end of file: the other side closed the connection");
	else if (rx->creds)
		snprintf(says, sizeof(says), "SCM_CREDENTIALS: the kernel says pid %d uid %u sent it",
			 (int)rx->cred.pid, (unsigned)rx->cred.uid);
	else
		snprintf(says, sizeof(says), "taken out of the socket's receive queue, no control data with it");
	explain_end(ctx, n, e, "%s", says);
	explain_messages(ctx, n <= 0 ? 0 : packet ? 1 : msg_count(buf, (size_t)n));
	errno = e;
}

void xs_fdrx_close(struct ctx *ctx, struct fdrx *rx)
{
	for (size_t i = 0; i < rx->nfds; i++)
		if (rx->fds[i] >= 0)
			xs_loop_close(ctx, rx->fds[i],
				      "the descriptor that came is closed: the file stays open "
				      "while the sender has its own");
	rx->nfds = 0;
}

int xs_get_seals(struct ctx *ctx, int fd)
{
	if (!ctx || !explaining(ctx))
		return fcntl(fd, F_GET_SEALS);
	bool full = explain_full(ctx);
	if (full)
		explain_begin(ctx, "fcntl", NULL, "%d, F_GET_SEALS", fd);
	int rc = fcntl(fd, F_GET_SEALS);
	int e = errno;
	if (full)
		explain_end(ctx, rc, e, "%s",
			    rc >= 0 ? "its seals: only a memfd sealed against shrink, grow and write is safe to map"
				    : "not a memfd");
	else
		explain_count(ctx, "fcntl", rc, SIZE_MAX);
	errno = e;
	return rc;
}

void *xs_mmap_ro(struct ctx *ctx, size_t len, int fd)
{
	if (!ctx || !explaining(ctx))
		return mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	bool full = explain_full(ctx);
	if (full)
		explain_begin(ctx, "mmap", NULL, "NULL, %zu, PROT_READ, MAP_SHARED, %d, 0", len, fd);
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	int e = errno;
	long long rc = p == MAP_FAILED ? -1 : (long long)(uintptr_t)p;
	if (full)
		explain_end(ctx, rc, e, "%s",
			    p != MAP_FAILED ? "the payload mapped where we read it: no copy through the socket"
					    : strerror(e));
	else
		explain_count(ctx, "mmap", rc, len);
	errno = e;
	return p;
}
