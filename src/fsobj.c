/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ipcdemo/fsobj.h"
#include "ipcdemo/util.h"

const char *fsobj_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "directory";
	case S_IFIFO: return "FIFO";
	case S_IFSOCK: return "socket";
	case S_IFLNK: return "symbolic link";
	case S_IFCHR: return "character device";
	case S_IFBLK: return "block device";
	default: return "file of unknown kind";
	}
}

int fsobj_expect(const struct ctx *ctx, const char *path, mode_t type)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		msg_syserr(ctx->prog, "stat %s", path);
		return -1;
	}
	if ((st.st_mode & S_IFMT) != type) {
		msg_warn(ctx->prog, "%s exists and is a %s, not a %s; not touching it", path,
			 fsobj_kind(st.st_mode), fsobj_kind(type));
		return -1;
	}
	return 0;
}

int fsobj_unlink(const struct ctx *ctx, const char *path, mode_t type)
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
	if (unlink(path) < 0 && errno != ENOENT) {
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
