/* SPDX-License-Identifier: MIT */
/* What the mechanisms' ls/clean hooks share (obj_hooks.h): ipcdemo's
 * names, a scan of a directory's entries, and whether a file is open now.
 * Kept apart from objects.c, which walks the registry, so that the
 * mechanisms do not import the module that imports them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#include "ipcdemo/fsobj.h"
#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/util.h"

bool obj_ipcdemo_name(const char *name)
{
	return strncmp(name, "ipcdemo", 7) == 0 && (name[7] == '\0' || name[7] == '-');
}

void obj_blank(struct obj *o)
{
	memset(o, 0, sizeof(*o));
	o->size = o->messages = o->id = -1;
}

int obj_scan_dir(struct ctx *ctx, const char *dir, struct obj_out *out,
		 bool (*match)(struct obj *o, const struct stat *st))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct obj o;
	if (!d) {
		msg_syserr(ctx->prog, "open directory %s", dir);
		return -2;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		obj_blank(&o);
		if (strcmp(dir, ".") == 0)
			snprintf(o.name, sizeof(o.name), "%s", e->d_name);
		else
			snprintf(o.name, sizeof(o.name), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
				 e->d_name);
		size_t len = strlen(o.name), elen = strlen(e->d_name);
		o.base = len >= elen ? len - elen : 0;
		o.uid = o.creator = st.st_uid;
		o.mode = st.st_mode & 07777;
		o.dev = st.st_dev;
		o.ino = st.st_ino;
		if (!match(&o, &st))
			continue;
		if (out->add(out, &o) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

const char *obj_open_now(const struct obj *o)
{
	struct fsobj_open v = { .dev = o->dev, .ino = o->ino };
	return fsobj_find_open(&v, 1) < 0 || v.open ? "a process has it open now" : NULL;
}

int obj_sockfs_dev(dev_t *dev)
{
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int rc = fstat(fd, &st);
	close(fd);
	if (rc < 0)
		return -1;
	*dev = st.st_dev;
	return 0;
}

/* ---- the Unix sockets bound to files, from the kernel's socket diagnostics ---- */

/* At most this long for the kernel's answer. */
#define DIAG_TIMEOUT_S 2

struct bound_walk {
	void (*fn)(void *arg, const struct obj_bound *b);
	void *arg;
};

/* One socket of the dump: the file it is bound to, if any. */
static void diag_one(const struct bound_walk *w, const struct nlmsghdr *h)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return;
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (const struct rtattr *a = (const struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != UNIX_DIAG_VFS || RTA_PAYLOAD(a) < (int)sizeof(struct unix_diag_vfs))
			continue;
		struct unix_diag_vfs vfs;
		memcpy(&vfs, RTA_DATA(a), sizeof(vfs));
		/* The kernel's own encoding of the device: 12 bits of major
		 * number above 20 of minor. */
		struct obj_bound b = { .dev = makedev(vfs.udiag_vfs_dev >> 20, vfs.udiag_vfs_dev & 0xfffff),
				       .ino = vfs.udiag_vfs_ino,
				       .sino = m->udiag_ino,
				       .state = m->udiag_state };
		w->fn(w->arg, &b);
	}
}

/* Read the dump on fd to its end. 0, or -1 with errno. */
static int diag_read(int fd, const struct bound_walk *w)
{
	static const size_t buflen = 65536; /* a dump message is at most 32 KiB */
	char *buf = malloc(buflen);
	if (!buf)
		return -1;
	for (;;) {
		ssize_t n = recv(fd, buf, buflen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPROTO;
			free(buf);
			return -1;
		}
		int left = (int)n;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)(void *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				free(buf);
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error < 0 ? -e->error : EPROTO;
				free(buf);
				return -1;
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
				diag_one(w, h);
		}
	}
}

int obj_unix_bound(unsigned states, void (*fn)(void *arg, const struct obj_bound *b), void *arg)
{
	const struct bound_walk w = { .fn = fn, .arg = arg };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	struct timeval tv = { .tv_sec = DIAG_TIMEOUT_S, .tv_usec = 0 };
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req),
		       .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		       .nlmsg_seq = 1,
		       .nlmsg_pid = 0 },
		.r = { .sdiag_family = AF_UNIX,
		       .sdiag_protocol = 0,
		       .pad = 0,
		       .udiag_states = states,
		       .udiag_ino = 0,
		       .udiag_show = UDIAG_SHOW_VFS,
		       .udiag_cookie = { 0, 0 } },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK, .nl_pad = 0, .nl_pid = 0, .nl_groups = 0 };
	int rc = -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
	    sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) == (ssize_t)sizeof(req))
		rc = diag_read(fd, &w);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}
