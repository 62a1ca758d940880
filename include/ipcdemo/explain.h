/* SPDX-License-Identifier: MIT */
/* --explain: the narration of the system calls a verb makes on its
 * channel, written to stderr as each call happens.
 *
 * Each narrated call is a pair around the call itself, so that the
 * sentence for it lives next to it:
 *
 *	if (explaining(ctx))
 *		explain_begin(ctx, "openat", "blocks until a reader opens the FIFO",
 *			      "AT_FDCWD, %s, %s", xq(path).s, xflags_open(flags).s);
 *	fd = open(path, flags);
 *	if (explaining(ctx))
 *		explain_end(ctx, fd, errno, "%s", fd >= 0 ? "a reader has it open now"
 *			    : xerr(errno, EINTR, "interrupted: a stop was asked for"));
 *
 * begin takes the kernel's name of the call and its arguments as strace
 * shows them; a blocking call also gets the sentence that says what it
 * waits for, and is then announced before it blocks. end takes the
 * result (a negative one with its errno) and one plain sentence on what
 * it means here. Everything goes to stderr, a line at a time, prefixed
 * "explain[PID]: " (coloured on a terminal), or with --json as one JSON
 * object per call: call, args, result, errno, meaning, pid.
 *
 * The hot loop narrates the calls that carry the first N messages
 * (--explain=N, default 3) and counts the rest, which explain_finish
 * sums up: "... 9,997 more write(2) calls of 37 bytes, 0 failed". The
 * stream helpers below (explain_write_all, explain_fill) do that for a
 * read(2) or write(2) loop; a mechanism passes the sentences of its
 * channel in a struct explain_says.
 *
 * When --explain is off the cost at a call is the one test of
 * explaining(), a predictable branch. Everything lives in ctx->explain:
 * no global state. */
#ifndef IPCDEMO_EXPLAIN_H
#define IPCDEMO_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipcdemo/mechanism.h"

struct linebuf;

/* --explain's default N: the messages whose calls are narrated in full. */
#define EXPLAIN_DEFAULT 3
/* Calls of the hot loop narrated while no message moves (a consumer woken
 * again and again with nothing to read): past this many they are counted,
 * so that narration never feeds itself (a file consumer whose stderr is a
 * file in the directory it watches). */
#define EXPLAIN_IDLE_MAX 48

/* Text made by a formatting helper, held by value so that it can be
 * passed straight to explain_begin (xq(path).s). */
struct xstr {
	char s[160];
};

/* The argument formatters: as strace prints them. */
struct xstr xq(const char *s);                                            /* "pipe.fifo", quoted and escaped */
struct xstr xbuf(const void *buf, size_t len);                            /* "abc\n"..., the first 32 bytes */
struct xstr xflags_open(int flags);                                       /* O_WRONLY|O_NONBLOCK|O_CLOEXEC */
struct xstr xmode(mode_t mode);                                           /* 0600 */
struct xstr xflock_op(int op);                                            /* LOCK_EX|LOCK_NB */
struct xstr xfcntl_cmd(int cmd);                                          /* F_SETLKW */
struct xstr xflock_arg(short type, short whence, off_t start, off_t len); /* {l_type=F_WRLCK, ...} */
struct xstr xinotify_mask(uint32_t mask);                                 /* IN_MODIFY|IN_ATTRIB */

/* The sentences of a read or write loop on a channel (explain_fill,
 * explain_write_all). blocks: announced before a read, which waits for
 * data; NULL: not announced (a write that waits only when the channel
 * is full). ok: after a call that moved data; eof: a read that returned
 * 0; fail: any failure, unless errs has a sentence for its errno (the
 * list ends with err 0). */
struct explain_says {
	const char *blocks;
	const char *ok;
	const char *eof;
	bool eof_ends; /* end of file ends the stream: told past N too (not for a file, read again later) */
	const char *fail;
	struct {
		int err;
		const char *says;
	} errs[3];
};

/* Set up ctx->explain from the parsed options: level is N (0: off).
 * Says on stderr when the mechanism does not narrate its calls yet. */
void explain_setup(struct ctx *ctx, uint64_t level);

static inline bool explaining(const struct ctx *ctx)
{
	return __builtin_expect(ctx->explain.on, 0);
}

/* Narrate a call: its kernel name, what it waits for (NULL: it does not
 * block) and its arguments (printf format). */
void explain_begin(struct ctx *ctx, const char *call, const char *blocks, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A call into a library (lib: "libzmq"), not a system call: told the
 * same way, marked with the library's name ("libzmq: zmq_bind(...)",
 * "library" in --json), and summed up as CALL(3). explain_end ends it. */
void explain_lib_begin(struct ctx *ctx, const char *lib, const char *call, const char *blocks, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Replace the arguments of the call in flight, announced before it
 * blocked (what read(2) filled in). */
void explain_args(struct ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Its result: rc, or -1 with err; what it means (printf format). */
void explain_end(struct ctx *ctx, long long rc, int err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A call whose result is a pointer (zmq_socket): "0x55d0c8e0a2b0", or
 * NULL with err. */
void explain_end_ptr(struct ctx *ctx, const void *p, int err, const char *meaning);
/* A call whose result is a pair of descriptors (pipe2): "[3, 4]". */
void explain_end_pair(struct ctx *ctx, int rc, int err, const int fds[2], const char *meaning);
/* A call whose result strace shows otherwise than as a number (mmap's
 * address, "0x7f..."): result, unless rc < 0. */
void explain_end_text(struct ctx *ctx, long long rc, int err, const char *result, const char *meaning);
/* The sentence for err: says when err is the one named, else the errno
 * text; for the meaning of explain_end. */
const char *xerr(int err, int named, const char *says);

/* The hot loop: whether the next call is narrated in full (fewer than N
 * messages so far), and counting one that is not. */
static inline bool explain_full(const struct ctx *ctx)
{
	const struct explain *x = &ctx->explain;
	return (x->msgs < x->level && x->idle < EXPLAIN_IDLE_MAX) || x->hold;
}
/* Keep narrating in full until explain_release when the next call is
 * narrated in full: the calls around one message (lock, write, unlock)
 * are told together. Returns explain_full. */
bool explain_hold(struct ctx *ctx);
void explain_release(struct ctx *ctx);
/* Count msgs messages as carried by narrated calls. */
void explain_messages(struct ctx *ctx, uint64_t msgs);
/* Count a call not narrated (past N): its result and the bytes it moved
 * (SIZE_MAX: a call that moves none, such as flock). */
void explain_count(struct ctx *ctx, const char *call, long long rc, size_t bytes);
/* The same for a library call (explain_lib_begin), with its errno: a
 * call that failed with EAGAIN (nothing queued, a full queue) is summed
 * up apart from the failures ("26 with EAGAIN, 0 failed"). */
void explain_lib_count(struct ctx *ctx, const char *lib, const char *call, long long rc, int err, size_t bytes);

/* write_all (util.h) and linebuf_fill_upto (message.h) with each
 * write(2) or read(2) narrated, or counted past N messages. */
int explain_write_all(struct ctx *ctx, int fd, const void *buf, size_t len, size_t *written,
		      const struct explain_says *says);
ssize_t explain_fill(struct ctx *ctx, struct linebuf *lb, int fd, size_t most, const struct explain_says *says);

/* The sentences of a read loop when the mechanism gives none. */
extern const struct explain_says explain_read_says;

/* fork_child (util.h) narrated as the clone(2) that glibc's fork makes,
 * in the parent; why: what the child is for. */
pid_t explain_fork(struct ctx *ctx, const char *why);
/* wait_child (util.h) narrated as the wait4(2) that waitpid makes; why:
 * what waiting for this child means. */
int explain_wait_child(struct ctx *ctx, pid_t pid, const char *why);
/* waitpid's wait4(2) of a caller that waits itself: begin announces it,
 * end gives its result (rc, err, the status st). */
void explain_wait_begin(struct ctx *ctx, pid_t pid, const char *why);
void explain_wait_end(struct ctx *ctx, pid_t rc, int err, int st);

/* close(2), narrated: why this end is closed here. Returns what close
 * returned. */
int explain_close(struct ctx *ctx, int fd, const char *why);

/* A label before the pid ("parent", "child") for a process that is one
 * side of a demo within one verb; NULL: none. */
void explain_side(struct ctx *ctx, const char *side);
/* The end of a verb: the summary of the calls counted and not narrated. */
void explain_finish(struct ctx *ctx);

#endif
