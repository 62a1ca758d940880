/* SPDX-License-Identifier: MIT */
/* The file mechanism's parts shared by its verbs (file.c) and its race
 * (file_race.c). */
#ifndef IPCDEMO_MECH_FILE_H
#define IPCDEMO_MECH_FILE_H

#include <stdbool.h>

#include "ipcdemo/io.h"
#include "ipcdemo/mechanism.h"

/* Take (or with unlock, release) the lock of kind (LK_*) on the whole file.
 * Returns IO_OK, IO_STOP when interrupted by a stop request, or
 * IO_FAILED_ERRNO. */
enum io_result file_lock(int fd, int kind, bool exclusive, bool unlock);

/* The 'file race' verb. */
int file_race(struct ctx *ctx);

#endif
