/* SPDX-License-Identifier: MIT */
/* The file mechanism's parts shared by its verbs (file.c), its consumer
 * (file_follow.c) and its race (file_race.c). */
#ifndef IPCDEMO_MECH_FILE_H
#define IPCDEMO_MECH_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "ipcdemo/io.h"
#include "ipcdemo/mechanism.h"

enum lock_kind { LK_FLOCK, LK_FCNTL, LK_NONE };
/* The words of --lock, in the order of enum lock_kind. */
extern const char *const lock_names[];

/* The file mechanism's own options (file.c). */
struct file_opts {
	int lock; /* enum lock_kind */
	bool truncate;
	int64_t reread; /* ns */
	bool no_follow;
	uint64_t writers;
	bool append;
	struct {
		bool lock, reread;
	} given;
};

/* This run's file options, or the defaults. */
const struct file_opts *file_opts(const struct ctx *ctx);

/* The storage file of this run: --path, or ./storage. */
const char *file_storage_path(const struct ctx *ctx);

/* Open the storage file at path with flags (O_CREAT: create it with --mode);
 * see file.c. Returns the fd, or -1: said, except for a reader's ENOENT. */
int file_open_storage(struct ctx *ctx, const char *path, int flags, bool *created);

/* Take (or with unlock, release) the lock of kind (LK_*) on the whole file.
 * Returns IO_OK, IO_STOP when interrupted by a stop request, or
 * IO_FAILED_ERRNO. With --explain each flock(2) or fcntl(2) is narrated
 * (the first N messages') or counted. */
enum io_result file_lock(struct ctx *ctx, int fd, int kind, bool exclusive, bool unlock);
/* Take the lock as file_lock does; when another process holds it, say so
 * once (wait.h) before waiting for it. */
enum io_result file_lock_wait(struct ctx *ctx, int fd, int kind, bool exclusive, const char *path);

/* The 'file consume' verb (file_follow.c). */
int file_consume(struct ctx *ctx);

/* The 'file race' verb. */
int file_race(struct ctx *ctx);

#endif
