/* SPDX-License-Identifier: MIT */
/* --explain of the shared-memory ring's object (ring_narrate.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/ring_narrate.h"

/* Where glibc's shm_open and shm_unlink find the name. */
static struct xstr shm_path(const char *name)
{
	char p[300];
	snprintf(p, sizeof(p), "/dev/shm/%s", name[0] == '/' ? name + 1 : name);
	return xq(p);
}

int ringn_shm_open(struct ctx *ctx, const char *name, int flags, mode_t mode)
{
	if (!explaining(ctx))
		return shm_open(name, flags, mode);
	/* glibc adds O_NOFOLLOW: a symbolic link in /dev/shm is never followed. */
	if (flags & O_CREAT)
		explain_begin(ctx, "openat", NULL, "AT_FDCWD, %s, %s, %s", shm_path(name).s,
			      xflags_open(flags | O_NOFOLLOW).s, xmode(mode).s);
	else
		explain_begin(ctx, "openat", NULL, "AT_FDCWD, %s, %s", shm_path(name).s,
			      xflags_open(flags | O_NOFOLLOW).s);
	int fd = shm_open(name, flags, mode);
	int e = errno;
	bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	explain_end(ctx, fd, e, "%s",
		    fd >= 0 && excl ? "a new, empty object of 0 bytes: a file in the tmpfs on /dev/shm, kept until "
				      "shm_unlink or a reboot"
		    : fd >= 0       ? "the object exists: a file on /dev/shm, opened to be mapped"
		    : e == EEXIST   ? "it exists already: it is opened as it is"
		    : e == ENOENT   ? "no object has that name"
		    : e == EACCES   ? "its mode does not let this user open it that way"
				    : strerror(e));
	errno = e;
	return fd;
}

int ringn_fchmod(struct ctx *ctx, int fd, mode_t mode)
{
	if (!explaining(ctx))
		return fchmod(fd, mode);
	explain_begin(ctx, "fchmod", NULL, "%d, %s", fd, xmode(mode).s);
	int rc = fchmod(fd, mode);
	explain_end(ctx, rc, errno, "%s",
		    rc == 0 ? "the mode exactly as asked: shm_open applied the umask to it" : strerror(errno));
	return rc;
}

int ringn_ftruncate(struct ctx *ctx, int fd, off_t size)
{
	if (!explaining(ctx))
		return ftruncate(fd, size);
	explain_begin(ctx, "ftruncate", NULL, "%d, %lld", fd, (long long)size);
	int rc = ftruncate(fd, size);
	explain_end(ctx, rc, errno, "%s",
		    rc == 0 ? "the object's size: the ring's header and its slots, read as zeros until written"
			    : strerror(errno));
	return rc;
}

int ringn_fallocate(struct ctx *ctx, int fd, off_t size)
{
	if (!explaining(ctx))
		return posix_fallocate(fd, 0, size);
	explain_begin(ctx, "fallocate", NULL, "%d, 0, 0, %lld", fd, (long long)size);
	int e = posix_fallocate(fd, 0, size);
	explain_end(ctx, e ? -1 : 0, e, "%s",
		    e == 0        ? "the memory is reserved now: a full /dev/shm fails here, not with SIGBUS later"
		    : e == ENOSPC ? "/dev/shm has no room for that many bytes"
				  : strerror(e));
	return e;
}

void *ringn_mmap(struct ctx *ctx, int fd, size_t size, bool whole)
{
	const char *why = whole ? "the whole ring, shared: what one process writes there, the others read, with no "
				  "system call"
				: "the header alone, to see whether its creator has set it up";
	if (!explaining(ctx))
		return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	explain_begin(ctx, "mmap", NULL, "NULL, %zu, PROT_READ|PROT_WRITE, MAP_SHARED, %d, 0", size, fd);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int e = errno;
	char addr[32];
	snprintf(addr, sizeof(addr), "%p", p);
	explain_end_text(ctx, p == MAP_FAILED ? -1 : 0, e, addr, p == MAP_FAILED ? strerror(e) : why);
	errno = e;
	return p;
}

int ringn_munmap(struct ctx *ctx, void *p, size_t size, const char *why)
{
	if (!explaining(ctx))
		return munmap(p, size);
	explain_begin(ctx, "munmap", NULL, "%p, %zu", p, size);
	int rc = munmap(p, size);
	explain_end(ctx, rc, errno, "%s", rc == 0 ? why : strerror(errno));
	return rc;
}

int ringn_shm_unlink(struct ctx *ctx, const char *name, const char *why)
{
	if (!explaining(ctx))
		return shm_unlink(name);
	explain_begin(ctx, "unlink", NULL, "%s", shm_path(name).s);
	int rc = shm_unlink(name);
	explain_end(ctx, rc, errno, "%s", rc == 0 ? why : xerr(errno, ENOENT, "no object has that name (any more)"));
	return rc;
}
