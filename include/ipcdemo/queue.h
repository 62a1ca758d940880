/* SPDX-License-Identifier: MIT */
/* Message queues: POSIX mq, System V msg and the shared-memory ring. Each
 * keeps message boundaries, so one message goes in one send and comes out
 * of one receive. The send and receive loops, deadlines, names and the
 * system limits they report are shared here; a mechanism supplies only its
 * queue_ops. */
#ifndef IPCDEMO_QUEUE_H
#define IPCDEMO_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/message.h"

/* ---- Options every queue takes (mq, sysv, shm) ---- */
/* The first member of each queue mechanism's options struct, so that the
 * shared loops here read them whatever the mechanism. */
struct queue_opts {
	const char *name; /* POSIX IPC name (mq, shm) */
	bool nonblock;
	bool unlink;
};
extern const struct opt_def queue_opt_name, queue_opt_nonblock, queue_opt_unlink;
/* The queue options of the verb being run (a top-level command calling
 * this code gets the defaults). */
const struct queue_opts *queue_opts(const struct ctx *ctx);

/* Deadlines are absolute CLOCK_MONOTONIC times in ns. */
#define QUEUE_NOWAIT ((int64_t)0)
#define QUEUE_FOREVER INT64_MAX

/* How long a blocking call may sleep before it looks at the stop flag and
 * the deadline again: a signal that lands just before the call is never
 * missed for longer than this. */
#define QUEUE_SLICE_NS (250 * NSEC_PER_MSEC)

struct queue_ops {
	/* Send the whole messages in buf (each ends in '\n', the newline is
	 * sent too); *done gets the bytes of the messages that went in.
	 * Returns 0, or -1 with errno: EAGAIN (full and QUEUE_NOWAIT),
	 * ETIMEDOUT (still full at the deadline), EINTR (stop requested), or
	 * the system call's error after the mechanism printed a diagnostic
	 * (then errno is left as it was and *reported is set). */
	int (*send)(struct ctx *ctx, void *impl, const char *buf, size_t len, int64_t deadline, size_t *done,
		    bool *reported);
	/* Receive one message into buf. Returns its length, or -1 with errno
	 * as for send (EAGAIN: empty). *truncated tells that the message was
	 * longer than cap and was cut. want is how many messages the consumer
	 * still takes (0: no limit): a mechanism that takes several at once
	 * must not take more. */
	ssize_t (*recv)(struct ctx *ctx, void *impl, char *buf, size_t cap, int64_t deadline, uint64_t want,
			bool *truncated, bool *reported);
	/* Optional: messages already taken from the queue and held locally
	 * (a ring that takes batches); the loop delivers them before it stops. */
	uint64_t (*pending)(void *impl);
	/* Bytes per send call: 1 sends each message on its own; more lets a
	 * ring put several messages under one lock. */
	size_t chunk;
	/* Echo on stdout each message the queue took. */
	bool echo;
	/* Name of the queue for diagnostics ("/ipcdemo", "key 0x69706364"). */
	const char *what;
	/* Full/empty messages: "the queue /ipcdemo is full (10 messages)". */
	void (*explain)(struct ctx *ctx, void *impl, int err, size_t len);
	/* Optional, instead of recv: point *msg at the next message where
	 * the mechanism holds it (valid until the next call), no copy. */
	ssize_t (*recv_ref)(struct ctx *ctx, void *impl, const char **msg, int64_t deadline, uint64_t want,
			    bool *reported);
};

/* For the benchmark's round trips: a queue of the mechanism, made with
 * the mechanism's own code, able to carry size-byte messages, used with
 * its own send and receive functions. open returns the impl (NULL after a
 * diagnostic); the queue is removed by close. Handles survive fork(). */
struct queue_bench {
	void *(*open)(struct ctx *ctx, const char *name, size_t size);
	const struct queue_ops *ops;
	void (*close)(struct ctx *ctx, void *impl);
};
extern const struct queue_bench mq_bench, sysv_bench, shm_bench;

/* ipcdemo's System V keys: 0x697063XX ("ipc" in ASCII, then a byte); the
 * default is 0x69706364 ("ipcd"). 'ipcdemo clean' removes queues in this
 * range. */
#define SYSV_KEY_BASE 0x69706300u
#define SYSV_KEY_MASK 0xffffff00u
#define SYSV_KEY_DEFAULT 0x69706364u

/* Length of the first message in buf, its newline included. */
size_t queue_next_len(const char *buf, size_t len);

/* For a queue that takes one message per call: check each message of buf
 * against max (EMSGSIZE) and put it. *done as for queue_ops.send. */
int queue_send_each(void *impl, const char *buf, size_t len, size_t max, int64_t deadline, size_t *done,
		    int (*put)(void *impl, const char *msg, size_t n, int64_t deadline));

/* Bytes queued in a POSIX queue, from the mqueue file system's QSIZE
 * line (-1 when it is not mounted or not readable). */
long long mq_qsize(const char *name);

/* The deadline for --nonblock and --timeout, counted from now. */
int64_t queue_deadline(const struct ctx *ctx);

/* Run the producer loop into the queue. EXIT_TIMEOUT when --timeout
 * expired on a full queue, EXIT_FAIL when --nonblock found it full. */
int queue_produce(struct ctx *ctx, const struct queue_ops *ops, void *impl);

/* Run the consumer loop: until -n, --timeout, a stop, or (--nonblock) an
 * empty queue. cap is the receive buffer. Returns the exit status. */
int queue_consume(struct ctx *ctx, struct consumer *c, const struct queue_ops *ops, void *impl, size_t cap);

/* The POSIX IPC name from --name (default /ipcdemo): a missing leading
 * slash is added; no other slash, not empty, at most NAME_MAX bytes.
 * Returns 0, or EXIT_USAGE after the message. */
int posix_name(struct ctx *ctx, char *buf, size_t len);

/* Interrupt the next blocking system call (SIGALRM) at the deadline or
 * after QUEUE_SLICE_NS, whichever is first; for calls that have no timeout
 * of their own (msgsnd, msgrcv). queue_alarm_off cancels it. */
int queue_alarm(int64_t deadline);
void queue_alarm_off(void);

/* A whole number from a file under /proc/sys (limits). -1 if unreadable. */
long long sysctl_read(const char *path);

/* The name a demo uses: --name (checked as posix_name does), or
 * /ipcdemo-demo-PID. Returns 0 or EXIT_USAGE. */
int demo_name(struct ctx *ctx, char *buf, size_t len);

/* The owner and mode lines of an 'info' record (labels 11 wide):
 * "owner:     root (uid 0, gid 0)", "mode:      0600". */
struct out;
void info_owner(struct out *o, uid_t uid, gid_t gid, mode_t mode);

/* Strip the framing of a received message: one trailing NUL (a C string
 * sent with its terminator), then one trailing newline. */
size_t queue_unframe(const char *buf, size_t n);

#endif
