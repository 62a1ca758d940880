/* SPDX-License-Identifier: MIT */
/* --explain of the shared-memory ring's object (src/ring_narrate.c): each
 * function makes the call and, when narrating, tells it as strace shows
 * it (shm_open is an openat under /dev/shm, shm_unlink an unlink there,
 * posix_fallocate the fallocate system call) with what it means here.
 * Off, a function is the call and one test. The futex calls are in
 * ring_wait.c. */
#ifndef IPCDEMO_RING_NARRATE_H
#define IPCDEMO_RING_NARRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ctx;

int ringn_shm_open(struct ctx *ctx, const char *name, int flags, mode_t mode);
int ringn_fchmod(struct ctx *ctx, int fd, mode_t mode);
int ringn_ftruncate(struct ctx *ctx, int fd, off_t size);
/* posix_fallocate: 0 or the error number. */
int ringn_fallocate(struct ctx *ctx, int fd, off_t size);
/* mmap of size bytes of fd, shared, read and write (MAP_FAILED); whole:
 * the whole ring, else its header only. */
void *ringn_mmap(struct ctx *ctx, int fd, size_t size, bool whole);
int ringn_munmap(struct ctx *ctx, void *p, size_t size, const char *why);
/* The why of the unlink of a ring not made after all. */
#define RINGN_UNMADE "the half-made ring is removed: nothing is left behind"
int ringn_shm_unlink(struct ctx *ctx, const char *name, const char *why);

#endif
