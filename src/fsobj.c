/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/fsobj.h"
#include "ipcdemo/util.h"

const char *fsobj_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "regular file";
	case S_IFDIR:
		return "directory";
	case S_IFIFO:
		return "FIFO";
	case S_IFSOCK:
		return "socket";
	case S_IFLNK:
		return "symbolic link";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	default:
		return "file of unknown kind";
	}
}

int fsobj_expect(const struct ctx *ctx, const char *path, mode_t type)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		msg_syserr(ctx->prog, "lstat %s", path);
		return -1;
	}
	if ((st.st_mode & S_IFMT) != type) {
		msg_warn(ctx->prog, "%s exists and is a %s, not a %s; not touching it", path, fsobj_kind(st.st_mode),
			 fsobj_kind(type));
		return -1;
	}
	return 0;
}

int fsobj_unlink(struct ctx *ctx, const char *path, mode_t type)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		msg_syserr(ctx->prog, "lstat %s", path);
		return -1;
	}
	if ((st.st_mode & S_IFMT) != type) {
		msg_warn(ctx->prog, "not removing %s: it is a %s, not a %s", path, fsobj_kind(st.st_mode),
			 fsobj_kind(type));
		return -1;
	}
	if (explaining(ctx))
		explain_begin(ctx, "unlink", NULL, "%s", xq(path).s);
	int rc = unlink(path);
	if (explaining(ctx))
		explain_end(ctx, rc, errno, "%s",
			    rc == 0 ? "the name is gone; what has it open keeps using it until it closes"
				    : xerr(errno, ENOENT, "gone already"));
	if (rc < 0 && errno != ENOENT) {
		msg_syserr(ctx->prog, "unlink %s", path);
		return -1;
	}
	return 0;
}

void fsobj_mark(int fd, const char *what)
{
	(void)fsetxattr(fd, FSOBJ_MARK, what, strlen(what), 0);
}

bool fsobj_marked(const char *path)
{
	return lgetxattr(path, FSOBJ_MARK, NULL, 0) >= 0;
}

/* "2748779069440 bytes (2.5 TiB)" */
static void format_bytes(char *buf, size_t len, uint64_t n)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)n;
	int u = -1;
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
	else
		snprintf(buf, len, "%llu bytes (%.1f %s)", (unsigned long long)n, v, unit[u]);
}

int fsobj_check_space(const struct ctx *ctx, const char *path, uint64_t need, uint64_t freed)
{
	char dirbuf[PATH_MAX], a[64], b[64];
	struct statvfs sv;
	uint64_t avail;
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	const char *dir = dirname(dirbuf);
	if (statvfs(dir, &sv) < 0)
		return 0; /* cannot tell: a write that fails says why */
	if (__builtin_mul_overflow((uint64_t)sv.f_bavail, (uint64_t)sv.f_frsize, &avail) ||
	    __builtin_add_overflow(avail, freed, &avail))
		return 0;
	if (need <= avail)
		return 0;
	format_bytes(a, sizeof(a), need);
	format_bytes(b, sizeof(b), avail);
	msg_warn(ctx->prog, "this run would write at least %s in %s, whose file system has only %s free",
		 need == UINT64_MAX ? "more than 2^64 bytes" : a, dir, b);
	return -1;
}

/* Compare every descriptor of one process (its /proc/PID/fd, opened
 * as dfd) with the files looked for. */
static void match_fds(int dfd, struct fsobj_open *v, size_t n)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		/* stat follows the magic link to the open file itself. */
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) < 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if (st.st_ino == v[i].ino && st.st_dev == v[i].dev)
				v[i].open = true;
	}
	closedir(d);
}

int fsobj_find_open(struct fsobj_open *v, size_t n)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	char name[64];
	if (!proc)
		return -1;
	while ((e = readdir(proc)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		snprintf(name, sizeof(name), "%ld/fd", pid);
		int dfd = openat(dirfd(proc), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) /* EACCES: another user's process; ENOENT: gone */
			match_fds(dfd, v, n);
	}
	closedir(proc);
	return 0;
}
