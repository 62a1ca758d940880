/* SPDX-License-Identifier: MIT */
/* A ZeroMQ message of several frames joined into one, within bounds: the
 * frames come from a peer, so the bytes kept and the frames told apart
 * are capped, and what is past the caps is counted, not kept. Pure: no
 * libzmq (the fuzz target and the unit tests drive it directly). */
#ifndef IPCDEMO_MECH_ZMQ_FRAMES_H
#define IPCDEMO_MECH_ZMQ_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The frames of one message kept apart (--json "frames"); the bytes of
 * frames past it are not kept either. */
#define ZFRAMES_MAX 64

struct zframes {
	char *buf;               /* the joined bytes kept */
	size_t len, cap;         /* cap grows on demand up to limit */
	size_t limit;            /* the most bytes of one message kept (--size) */
	size_t end[ZFRAMES_MAX]; /* where each kept frame ends in buf */
	size_t n;                /* frames kept */
	uint64_t frames;         /* frames of this message, kept or not */
	uint64_t bytes;          /* bytes of this message, kept or not (saturating) */
	bool cut;                /* some of the message was not kept */
	bool nomem;              /* because memory ran out */
};

void zframes_init(struct zframes *f, size_t limit);
void zframes_free(struct zframes *f);
/* Start the next message (the buffer is kept for it). */
void zframes_reset(struct zframes *f);
/* One more frame of the message: kept as far as the caps allow. */
void zframes_add(struct zframes *f, const char *p, size_t n);
/* True when some of the message was not kept (caps, or out of memory). */
bool zframes_truncated(const struct zframes *f);
/* Kept frame i (i < f->n). */
void zframes_get(const struct zframes *f, size_t i, const char **p, size_t *n);

#endif
