/* SPDX-License-Identifier: MIT */
/* Filesystem objects (storage files, FIFOs, sockets): check the kind of
 * what is at a path before using or removing it. */
#ifndef IPCDEMO_FSOBJ_H
#define IPCDEMO_FSOBJ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipcdemo/mechanism.h"

/* "regular file", "FIFO", "socket", "directory", ... */
const char *fsobj_kind(mode_t mode);
/* 0 if path is of kind type (S_IFIFO, S_IFREG, ...), not following a
 * symbolic link (a link is refused as the kind it is); -1 with a
 * diagnostic otherwise (missing counts as an error too). */
int fsobj_expect(const struct ctx *ctx, const char *path, mode_t type);
/* Remove path only if it is of kind type; never anything else. Returns 0
 * when removed or already gone, -1 after a diagnostic. With --explain the
 * unlink(2) is told. */
int fsobj_unlink(struct ctx *ctx, const char *path, mode_t type);

/* Storage files ipcdemo creates carry this extended attribute, so that
 * 'ipcdemo clean' can tell them from other files. */
#define FSOBJ_MARK "user.ipcdemo"
/* Mark a file we created (value: the mechanism). Best effort: a file
 * system without user extended attributes just leaves it unmarked. */
void fsobj_mark(int fd, const char *what);
/* Does path carry the mark? */
bool fsobj_marked(const char *path);

/* A file (FIFO, storage file) to look for among every process's open
 * descriptors: 'ipcdemo clean' keeps one that a process has open. */
struct fsobj_open {
	dev_t dev;
	ino_t ino;
	bool open; /* set when some other process has it open */
};
/* Mark which of v[0..n) some process other than this one has open, from
 * the descriptors in /proc/PID/fd. Processes whose descriptors may not be
 * read (those of other users, unless the caller is root) are not seen.
 * Returns 0, or -1 with errno when /proc cannot be read at all. */
int fsobj_find_open(struct fsobj_open *v, size_t n);

/* Will need more bytes (plus freed, that the run frees first) fit in the
 * free space (for unprivileged users) of the file system that holds path?
 * 0 when it does or cannot be told, -1 after a diagnostic with both figures. */
int fsobj_check_space(const struct ctx *ctx, const char *path, uint64_t need, uint64_t freed);

#endif
