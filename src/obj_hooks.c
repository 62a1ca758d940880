/* SPDX-License-Identifier: MIT */
/* What the mechanisms' ls/clean hooks share (obj_hooks.h): ipcdemo's
 * names, a scan of a directory's entries, and whether a file is open now.
 * Kept apart from objects.c, which walks the registry, so that the
 * mechanisms do not import the module that imports them. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
