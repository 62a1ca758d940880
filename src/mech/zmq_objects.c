/* SPDX-License-Identifier: MIT */
/* The zmq kind of 'ipcdemo ls': the sockets in DIRECTORY that a running
 * 'ipcdemo zmq' is bound to (an ipc:// endpoint), shown with the binder's
 * pid. It reads what the kernel tells, not libzmq, so a build without
 * libzmq has it too.
 *
 * From the socket file to its binder: the kernel's socket diagnostics
 * (NETLINK_SOCK_DIAG, UDIAG_SHOW_VFS) tell which listening Unix socket is
 * bound to which file (device and inode, whatever path it was bound by),
 * /proc/PID/fd which process holds that socket (socket:[INODE]), and
 * /proc/PID/cmdline whether it is 'ipcdemo zmq'. A socket no running
 * 'ipcdemo zmq' holds is not claimed: the socket kind lists it, as any
 * other. Nothing of this kind is ever removed: it is in use. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/util.h"
#include "zmq_int.h"

/* TCP_LISTEN, the state of a listening Unix stream socket in the
 * diagnostics (include/net/tcp_states.h, not exported to user space). */
#define DIAG_LISTEN 10

/* One socket file of the directory and what was found of its binder. */
struct zcand {
	struct obj o;
	unsigned long long sino; /* the bound socket's inode; 0: none found */
	pid_t pid;               /* its 'ipcdemo zmq' binder; 0: none */
};

/* The directory's sockets, collected before they are claimed. */
struct zcands {
	struct obj_out out; /* first: obj_scan_dir's handle on it */
	struct zcand *v;
	size_t n, cap;
};

static int cand_add(struct obj_out *out, const struct obj *o)
{
	struct zcands *c = (struct zcands *)(void *)out;
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		struct zcand *nv = realloc(c->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		c->v = nv;
		c->cap = nc;
	}
	c->v[c->n++] = (struct zcand){ .o = *o, .sino = 0, .pid = 0 };
	return 0;
}

static bool is_socket(struct obj *o, const struct stat *st)
{
	(void)o;
	return S_ISSOCK(st->st_mode);
}

/* One listening socket of the diagnostics: the candidate bound by it. */
static void bound_one(void *arg, const struct obj_bound *b)
{
	struct zcands *c = arg;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].o.dev == b->dev && c->v[i].o.ino == b->ino)
			c->v[i].sino = b->sino;
}

/* Which listening Unix socket is bound to each candidate's file. 0, or
 * -1 with errno. */
static int find_bound(struct zcands *c)
{
	return obj_unix_bound(1U << DIAG_LISTEN, bound_one, c);
}

/* Is the process pid 'ipcdemo zmq ...'? Its command line, at most a page
 * of it, is what it says it is: argv[0] named ipcdemo, argv[1] zmq. */
static bool ipcdemo_zmq(int proc, const char *pid)
{
	char path[288], buf[4096];
	snprintf(path, sizeof(path), "%s/cmdline", pid);
	int fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	size_t l0 = strlen(buf);
	if ((size_t)n <= l0 + 1)
		return false;
	const char *slash = strrchr(buf, '/');
	const char *name = slash ? slash + 1 : buf;
	return strcmp(name, "ipcdemo") == 0 && strcmp(buf + l0 + 1, "zmq") == 0;
}

/* The candidate whose bound socket is socket:[N] in link, or NULL. */
static struct zcand *cand_of_link(struct zcands *c, const char *link)
{
	unsigned long long sino;
	char end;
	if (sscanf(link, "socket:[%llu%c", &sino, &end) != 2 || end != ']')
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].sino == sino && c->v[i].pid == 0)
			return &c->v[i];
	return NULL;
}

/* The binders among the descriptors of one process. */
static void scan_fds(int proc, const char *pid, struct zcands *c)
{
	char path[288];
	snprintf(path, sizeof(path), "%s/fd", pid);
	int dfd = openat(proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	int is_zmq = -1; /* not read yet */
	const struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char link[64];
		ssize_t n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		struct zcand *z = cand_of_link(c, link);
		if (!z)
			continue;
		if (is_zmq < 0)
			is_zmq = ipcdemo_zmq(proc, pid);
		if (!is_zmq)
			break;
		z->pid = (pid_t)atol(pid);
	}
	closedir(d);
}

/* Every process's descriptors, for the bound sockets found. 0, or -1
 * with errno when /proc cannot be read. */
static int find_binders(struct zcands *c)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	const struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (isdigit((unsigned char)e->d_name[0]))
			scan_fds(dirfd(d), e->d_name, c);
	closedir(d);
	return 0;
}

static int zmq_scan(struct ctx *ctx, const char *dir, struct obj_out *out)
{
	struct zcands c = { .out = { .add = cand_add }, .v = NULL, .n = 0, .cap = 0 };
	int rc = obj_scan_dir(ctx, dir, &c.out, is_socket);
	const char *unread = NULL;
	if (rc == 0 && c.n > 0) {
		if (find_bound(&c) < 0)
			unread = "the kernel's socket diagnostics";
		else if (find_binders(&c) < 0)
			unread = "/proc";
	}
	if (unread) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "cannot tell which sockets ipcdemo zmq is bound to: %s: %s", unread,
				 strerror(errno));
		c.n = 0; /* the socket kind lists them all */
	}
	for (size_t i = 0; rc == 0 && i < c.n; i++) {
		struct zcand *z = &c.v[i];
		if (!z->pid)
			continue;
		z->o.id = z->pid;
		z->o.binder = z->pid;
		snprintf(z->o.note_buf, sizeof(z->o.note_buf), "bound by pid %ld", (long)z->pid);
		if (out->add(out, &z->o) < 0)
			rc = -1;
	}
	free(c.v);
	return rc;
}

/* A socket a process is bound to is never ipcdemo's to remove. */
static bool zmq_ours(const struct obj *o)
{
	(void)o;
	return false;
}

static int zmq_remove(struct ctx *ctx, const struct obj *o)
{
	msg_warn(ctx->prog, "not removing %s: a process is bound to it", o->name);
	return -1;
}

const struct mech_objects zmq_objects = {
	.type = "zmq",
	.plural = "zmq sockets",
	.order = 45,
	.id_name = "pid",
	.scan = zmq_scan,
	.describe = NULL,
	.ours = zmq_ours,
	.open_in_use = false,
	.in_use = NULL,
	.remove = zmq_remove,
};
