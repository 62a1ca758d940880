/* SPDX-License-Identifier: MIT */
/* The processes that hold the objects 'ls' lists: one pass over every
 * /proc/PID/fd (a descriptor's target, stat'ed, is the open file or the
 * socket) and, when a kind is mapped shared memory, /proc/PID/maps. What
 * /proc says of another process is read with bounds: at most
 * HOLDERS_MAX holders in all, MAPS_LINES lines of a maps file. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "objects_int.h"

#define HOLDERS_MAX 65536
#define MAPS_LINES 100000

/* An object to look for, by file. */
struct key {
	dev_t dev;
	ino_t ino;
	size_t obj;
};

/* A holder found, of object obj. */
struct hit {
	size_t obj;
	struct holder h;
};

struct pass {
	struct key *k;
	size_t nk;
	struct hit *v;
	size_t n, cap;
	bool maps;     /* some kind is mapped */
	pid_t pid;     /* the process being read */
	char comm[17]; /* its name, once read */
	uid_t uid;     /* its owner, once read */
	bool comm_read;
	int proc; /* /proc */
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->obj < y->obj ? -1 : x->obj > y->obj;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	return x->h.pid < y->h.pid ? -1 : x->h.pid > y->h.pid;
}

/* /proc/PID/comm of the process being read, at most 16 bytes of it. */
static void read_comm(struct pass *p)
{
	char path[32];
	if (p->comm_read)
		return;
	p->comm_read = true;
	p->comm[0] = '\0';
	struct stat st;
	snprintf(path, sizeof(path), "%ld", (long)p->pid);
	p->uid = fstatat(p->proc, path, &st, 0) == 0 ? st.st_uid : OBJ_NO_UID;
	snprintf(path, sizeof(path), "%ld/comm", (long)p->pid);
	int fd = openat(p->proc, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, p->comm, sizeof(p->comm) - 1);
	close(fd);
	if (n <= 0) {
		p->comm[0] = '\0';
		return;
	}
	p->comm[n] = '\0';
	if (n > 0 && p->comm[n - 1] == '\n')
		p->comm[n - 1] = '\0';
	for (char *c = p->comm; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

static int add_hit(struct pass *p, size_t obj)
{
	if (p->n == p->cap) {
		if (p->cap >= HOLDERS_MAX)
			return 0; /* enough: the rest are not shown */
		size_t nc = p->cap ? p->cap * 2 : 16;
		struct hit *nv = realloc(p->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		p->v = nv;
		p->cap = nc;
	}
	read_comm(p);
	struct hit *h = &p->v[p->n++];
	h->obj = obj;
	h->h.pid = p->pid;
	h->h.uid = p->uid;
	memcpy(h->h.comm, p->comm, sizeof(h->h.comm));
	return 0;
}

/* The first key not below (dev, ino). */
static size_t first_key(const struct pass *p, dev_t dev, ino_t ino)
{
	struct key want = { .dev = dev, .ino = ino, .obj = 0 };
	size_t lo = 0, hi = p->nk;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(&p->k[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Every object that is the file (dev, ino). */
static int match(struct pass *p, dev_t dev, ino_t ino)
{
	size_t lo = first_key(p, dev, ino);
	for (; lo < p->nk && p->k[lo].dev == dev && p->k[lo].ino == ino; lo++)
		if (add_hit(p, p->k[lo].obj) < 0)
			return -1;
	return 0;
}

static int scan_fds(struct pass *p, const char *pid)
{
	char path[288];
	snprintf(path, sizeof(path), "%s/fd", pid);
	int dfd = openat(p->proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) /* EACCES: another user's process; ENOENT: gone */
		return 0;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	const struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		/* stat follows the magic link to the open file itself. */
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) < 0)
			continue;
		rc = match(p, st.st_dev, st.st_ino);
	}
	closedir(d);
	return rc;
}

/* The mapped files of maps lines: "START-END PERMS OFFSET MAJ:MIN INODE PATH". */
static int scan_maps(struct pass *p, const char *pid)
{
	char path[288], line[512];
	snprintf(path, sizeof(path), "%s/maps", pid);
	int fd = openat(p->proc, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	FILE *fp = fdopen(fd, "r");
	if (!fp) {
		close(fd);
		return 0;
	}
	int rc = 0;
	bool whole = true; /* the last piece read ended its line */
	for (size_t lines = 0; rc == 0 && lines < MAPS_LINES && fgets(line, sizeof(line), fp); lines++) {
		bool start = whole;
		whole = strchr(line, '\n') != NULL;
		unsigned maj, min;
		unsigned long long ino;
		if (start && sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &ino) == 3 && ino != 0)
			rc = match(p, makedev(maj, min), (ino_t)ino);
	}
	fclose(fp);
	return rc;
}

/* The keys: every object with a file or a socket inode. */
static int make_keys(struct pass *p, const struct objlist *l)
{
	p->k = calloc(l->n ? l->n : 1, sizeof(*p->k));
	if (!p->k)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].ino != 0)
			p->k[p->nk++] = (struct key){ .dev = l->v[i].dev, .ino = l->v[i].ino, .obj = i };
		p->maps |= l->v[i].kind->mapped;
	}
	if (p->nk > 1)
		qsort(p->k, p->nk, sizeof(*p->k), key_cmp);
	return 0;
}

/* The sockets bound to socket files, found while the keys are made. */
struct bound {
	struct pass *p;
	const struct objlist *l;
	dev_t sockfs;
	struct key *v;
	size_t n, cap;
	bool nomem;
};

static void bound_one(void *arg, const struct obj_bound *b)
{
	struct bound *bd = arg;
	const struct pass *p = bd->p;
	for (size_t i = first_key(p, b->dev, b->ino); i < p->nk && p->k[i].dev == b->dev && p->k[i].ino == b->ino;
	     i++) {
		if (!bd->l->v[p->k[i].obj].kind->socket_files || bd->nomem)
			continue;
		if (bd->n == bd->cap) {
			size_t nc = bd->cap ? bd->cap * 2 : 8;
			struct key *nv = realloc(bd->v, nc * sizeof(*nv));
			if (!nv) {
				bd->nomem = true;
				return;
			}
			bd->v = nv;
			bd->cap = nc;
		}
		bd->v[bd->n++] = (struct key){ .dev = bd->sockfs, .ino = (ino_t)b->sino, .obj = p->k[i].obj };
	}
}

/* A socket file is held by the processes that hold the socket bound to
 * it: their descriptors show that socket, not the file. Where the kernel
 * cannot tell which socket that is, the file has no holders. */
static int add_socket_keys(struct pass *p, const struct objlist *l)
{
	bool any = false;
	for (size_t i = 0; i < l->n; i++)
		any |= l->v[i].kind->socket_files;
	struct bound bd = { .p = p, .l = l, .v = NULL, .n = 0, .cap = 0, .nomem = false };
	if (!any || obj_sockfs_dev(&bd.sockfs) < 0)
		return 0;
	int rc = obj_unix_bound(~0U, bound_one, &bd);
	struct key *nk = NULL;
	if (bd.nomem || (rc == 0 && bd.n > 0 && !(nk = realloc(p->k, (p->nk + bd.n) * sizeof(*nk))))) {
		free(bd.v);
		return -1;
	}
	if (nk) {
		memcpy(nk + p->nk, bd.v, bd.n * sizeof(*nk));
		p->k = nk;
		p->nk += bd.n;
		qsort(p->k, p->nk, sizeof(*p->k), key_cmp);
	}
	free(bd.v);
	return 0;
}

/* The binders that the kinds found themselves. */
static int add_binders(struct pass *p, const struct objlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].binder <= 0)
			continue;
		p->pid = l->v[i].binder;
		p->comm_read = false;
		if (add_hit(p, i) < 0)
			return -1;
	}
	return 0;
}

static int walk_proc(struct pass *p)
{
	DIR *d = fdopendir(p->proc);
	if (!d)
		return -2;
	const struct dirent *e;
	int rc = 0;
	pid_t self = getpid();
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (!isdigit((unsigned char)e->d_name[0]) || *end || pid <= 0 || pid == (long)self)
			continue;
		p->pid = (pid_t)pid;
		p->comm_read = false;
		rc = scan_fds(p, e->d_name);
		if (rc == 0 && p->maps)
			rc = scan_maps(p, e->d_name);
	}
	int err = errno;
	closedir(d);
	errno = err;
	p->proc = -1;
	return rc;
}

/* Sorted by object and pid, one hit per process and object, into l. */
static int give(struct pass *p, struct objlist *l)
{
	if (p->n) /* qsort's base may not be NULL, even for no element */
		qsort(p->v, p->n, sizeof(*p->v), hit_cmp);
	l->h = calloc(p->n ? p->n : 1, sizeof(*l->h));
	if (!l->h)
		return -1;
	l->nh = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct hit *h = &p->v[i];
		struct obj *o = &l->v[h->obj];
		if (i > 0 && p->v[i - 1].obj == h->obj && p->v[i - 1].h.pid == h->h.pid)
			continue;
		if (o->holders == 0)
			o->holder0 = l->nh;
		o->holders++;
		l->h[l->nh++] = h->h;
	}
	return 0;
}

int objects_find_holders(struct objlist *l)
{
	struct pass p = { .k = NULL, .nk = 0, .v = NULL, .n = 0, .cap = 0, .maps = false, .proc = -1 };
	for (size_t i = 0; i < l->n; i++)
		l->v[i].holders = l->v[i].holder0 = 0;
	p.proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = p.proc < 0 ? -2 : make_keys(&p, l);
	if (rc == 0)
		rc = add_socket_keys(&p, l);
	if (rc == 0)
		rc = add_binders(&p, l);
	if (rc == 0 && p.nk > 0)
		rc = walk_proc(&p);
	int err = errno;
	if (rc == -2)
		l->holders_errno = err;
	if ((rc == 0 || rc == -2) && give(&p, l) < 0) {
		err = errno;
		rc = -1;
	}
	if (p.proc >= 0)
		close(p.proc);
	free(p.k);
	free(p.v);
	errno = err;
	return rc;
}
