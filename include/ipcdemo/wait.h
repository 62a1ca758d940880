/* SPDX-License-Identifier: MIT */
/* One line on stderr before a blocking wait: what it waits for and how to
 * end it, said once per kind of wait in a process, never with --quiet.
 * Callers say it where the call would really block (a try that does not
 * wait found the queue full, nobody listening, the lock taken), not before
 * every message. */
#ifndef IPCDEMO_WAIT_H
#define IPCDEMO_WAIT_H

#include <stdbool.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/util.h"

enum wait_kind {
	WAIT_FULL,  /* a full queue, ring or socket: room for the next message */
	WAIT_EMPTY, /* an empty queue or channel: the next message */
	WAIT_PEER,  /* the other side: a reader, a writer, a listener, a client */
	WAIT_LOCK,  /* a lock another process holds */
	WAIT__MAX
};

/* True when a wait of this kind would print nothing: --quiet, or said
 * already. A caller that needs an extra try to tell whether it would
 * block can skip it then. */
bool wait_noted(const struct ctx *ctx, enum wait_kind kind);

/* "PROG: WHAT (Ctrl-C ends)", WHAT from fmt, once per kind. */
void note_wait(struct ctx *ctx, enum wait_kind kind, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* The same, said each time (never with --quiet): a wait that follows news,
 * the only consumer went away and the next one is awaited. */
void note_wait_again(struct ctx *ctx, enum wait_kind kind, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
