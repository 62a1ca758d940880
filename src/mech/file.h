/* SPDX-License-Identifier: MIT */
/* The file mechanism's parts shared by its verbs (file.c) and its race
 * (file_race.c). */
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

/* Take (or with unlock, release) the lock of kind (LK_*) on the whole file.
 * Returns IO_OK, IO_STOP when interrupted by a stop request, or
 * IO_FAILED_ERRNO. */
enum io_result file_lock(int fd, int kind, bool exclusive, bool unlock);

/* The 'file race' verb. */
int file_race(struct ctx *ctx);

#endif
