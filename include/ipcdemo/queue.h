/* SPDX-License-Identifier: MIT */
/* Message queues: POSIX mq, System V msg and the shared-memory ring. Each
 * keeps message boundaries, so one message goes in one send and comes out
 * of one receive. The send and receive loops and their deadlines are
 * shared here; a mechanism supplies only its queue_ops. */
#ifndef IPCDEMO_QUEUE_H
#define IPCDEMO_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipcdemo/io.h"
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

/* How long printed messages may wait in stdout's buffer, at most, while
 * the queue is empty (queue_ops.timed_flush). */
#define QUEUE_FLUSH_NS (10 * NSEC_PER_MSEC)

/* The send and receive operations return (ipcdemo/io.h): IO_OK; IO_AGAIN
 * (full, or empty, with QUEUE_NOWAIT); IO_TIMEOUT (still full or empty at
 * the deadline); IO_STOP (a stop was requested); IO_FAILED_ERRNO (errno
 * says why: the loop reports it, with explain); IO_FAILED_REPORTED (the
 * mechanism printed a diagnostic). */
struct queue_ops {
	/* Send the whole messages in buf (each ends in '\n', the newline is
	 * sent too); *done gets the bytes of the messages that went in, on
	 * every return. With chunk 1, buf is always one message: the
	 * producer's sink gets one message a write (struct sink), and the
	 * benchmark's round trips send one. */
	enum io_result (*send)(struct ctx *ctx, void *impl, const char *buf, size_t len, int64_t deadline,
			       size_t *done);
	/* Receive one message into buf; *len gets its length. *truncated
	 * tells that the message was longer than cap and was cut. want is how
	 * many messages the consumer still takes (0: no limit): a mechanism
	 * that takes several at once must not take more. */
	enum io_result (*recv)(struct ctx *ctx, void *impl, char *buf, size_t cap, int64_t deadline, uint64_t want,
			       size_t *len, bool *truncated);
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
	enum io_result (*recv_ref)(struct ctx *ctx, void *impl, const char **msg, int64_t deadline, uint64_t want,
				   size_t *len);
	/* Optional: what a sender (sending) or a receiver about to wait says
	 * of the queue after its name, "is full (10 of 10 messages)"; NULL:
	 * "is full", "is empty". */
	void (*wait_state)(const struct ctx *ctx, void *impl, bool sending, char *buf, size_t len);
	/* A try that does not wait costs a system call (a kernel queue):
	 * while printed messages wait in stdout's buffer, the consumer waits
	 * until a flush deadline (QUEUE_FLUSH_NS after the first of them)
	 * instead of trying first each time the queue may be empty, and
	 * flushes when the queue stays empty until then. false: a try is
	 * cheap (the ring), the consumer tries first and flushes at once. */
	bool timed_flush;
};

/* Length of the first message in buf, its newline included. */
size_t queue_next_len(const char *buf, size_t len);

/* For a queue that takes one message per call: check each message of buf
 * against max (EMSGSIZE) and put it. put returns 0, or -1 with errno (EINTR
 * only on a stop request). Returns and *done as for queue_ops.send. */
enum io_result queue_send_each(void *impl, const char *buf, size_t len, size_t max, int64_t deadline, size_t *done,
			       int (*put)(void *impl, const char *msg, size_t n, int64_t deadline));
/* The same for a queue whose chunk is 1, whose buf is one message: put
 * it whole, without looking for its end. */
enum io_result queue_send_one(void *impl, const char *buf, size_t len, size_t max, int64_t deadline, size_t *done,
			      int (*put)(void *impl, const char *msg, size_t n, int64_t deadline));

/* The deadline for --nonblock and --timeout, counted from now. */
int64_t queue_deadline(const struct ctx *ctx);

/* Run the producer loop into the queue. EXIT_TIMEOUT when --timeout
 * expired on a full queue, EXIT_FAIL when --nonblock found it full. */
int queue_produce(struct ctx *ctx, const struct queue_ops *ops, void *impl);

/* Run the consumer loop: until -n, --timeout, a stop, or (--nonblock) an
 * empty queue. cap is the receive buffer. Returns the exit status. */
int queue_consume(struct ctx *ctx, struct consumer *c, const struct queue_ops *ops, void *impl, size_t cap);

/* Strip the framing of a received message: one trailing NUL (a C string
 * sent with its terminator), then one trailing newline. */
size_t queue_unframe(const char *buf, size_t n);

#endif
