/* SPDX-License-Identifier: MIT */
/* The message model shared by every mechanism: sources, --seq stamps,
 * --verify tracking, line framing, and the producer and consumer loops. */
#ifndef IPCDEMO_MESSAGE_H
#define IPCDEMO_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/io.h"
#include "ipcdemo/mechanism.h"
#include "ipcdemo/output.h"

/* ---- --seq stamps: "ID:SEQ:PAYLOAD", both decimal, SEQ from 1 ---- */
#define STAMP_MAX 42

/* A stream consumer reads up to this much at once (a pipe the producer
 * enlarged holds 1 MiB), and holds lines of up to STREAM_LINE_MAX bytes. */
#define STREAM_READ ((size_t)256 << 10)
#define STREAM_LINE_MAX ((size_t)1 << 20)
/* --verify's limits, so that forged stamps or a flood of producer ids
 * cost bounded memory and time (at most about 100 MiB in all):
 * - at most VERIFY_PRODUCERS_MAX producer ids are tracked; messages of
 *   further ids are counted as from untracked producers;
 * - of each producer it remembers which of at least the last VERIFY_WINDOW
 *   sequence numbers up to the highest came; a message further behind is
 *   counted as reordered and as unchecked (a late one or a duplicate);
 * - the windows beyond their first 64 numbers take at most
 *   VERIFY_MEMORY_MAX bytes in all; when that is used up a window stops
 *   growing and slides sooner.
 * Lost counts stay exact whatever the stamps: the holes between the lowest
 * and the highest number seen of each producer. */
#define VERIFY_PRODUCERS_MAX ((size_t)1 << 20)
#define VERIFY_WINDOW ((uint64_t)1 << 16)
#define VERIFY_MEMORY_MAX ((size_t)32 << 20)
size_t stamp_format(char *buf, uint64_t id, uint64_t seq);
/* Returns true and fills id, seq and the payload offset when msg starts
 * with a well-formed stamp. */
bool stamp_parse(const char *msg, size_t len, uint64_t *id, uint64_t *seq, size_t *payload_off);

/* ---- --verify: per-producer loss, duplicate and reorder tracking ---- */
enum verify_verdict { VERIFY_OK, VERIFY_DUPLICATE, VERIFY_REORDERED, VERIFY_UNCHECKED, VERIFY_UNTRACKED };
struct verify_result {
	uint64_t producers, received, lost, duplicated, reordered, unstamped;
	/* Stamped messages of producers past VERIFY_PRODUCERS_MAX. */
	uint64_t untracked;
	/* Messages further behind than the window: counted as reordered too. */
	uint64_t unchecked;
	bool starved; /* some window stopped growing at VERIFY_MEMORY_MAX */
	/* Sequence numbers below the first one seen from each producer (a
	 * consumer that joined late); not counted as lost. */
	uint64_t before_first;
	/* A consumer's share: the distinct stamps it received of the upto
	 * stamps sent up to each producer's highest it saw. */
	uint64_t distinct, upto;
};
struct verify;
struct verify *verify_new(void);
void verify_free(struct verify *v);
/* Returns the verdict. Never fails: past the limits above, or out of
 * memory, a message is counted as untracked or unchecked. */
int verify_add(struct verify *v, uint64_t id, uint64_t seq);
void verify_unstamped(struct verify *v);
void verify_get(const struct verify *v, struct verify_result *r);
bool verify_clean(const struct verify_result *r);

/* ---- Line framing over a byte stream ---- */
struct linebuf {
	char *buf;
	size_t cap, max;
	size_t head, tail; /* unread bytes are buf[head..tail) */
	uint64_t split;    /* lines longer than max delivered in pieces */
};
int linebuf_init(struct linebuf *lb, size_t cap, size_t max);
void linebuf_free(struct linebuf *lb);
void linebuf_reset(struct linebuf *lb);
/* read() once into free space. Returns what read() returned. */
ssize_t linebuf_fill(struct linebuf *lb, int fd);
/* The same, reading at most most bytes (0: as much as there is room for). */
ssize_t linebuf_fill_upto(struct linebuf *lb, int fd, size_t most);
/* Make room for the next read of at most most bytes (0: all there is room
 * for): *at gets where it goes. Returns its size, or -1 with errno ENOMEM
 * or ENOBUFS as linebuf_fill_upto. The reader then adds what it read to
 * lb->tail. */
ssize_t linebuf_space(struct linebuf *lb, size_t most, char **at);
/* Append bytes (for sources that are not a plain fd). Returns -1 on ENOMEM. */
int linebuf_append(struct linebuf *lb, const char *p, size_t n);
/* Next complete line without its newline; a line longer than max comes out
 * in max-sized pieces (counted in lb->split). */
bool linebuf_next(struct linebuf *lb, const char **line, size_t *len);
/* The unterminated rest, if any (use at EOF). */
bool linebuf_rest(struct linebuf *lb, const char **line, size_t *len);
size_t linebuf_pending(const struct linebuf *lb);
/* Complete lines waiting in the buffer. */
uint64_t linebuf_lines(const struct linebuf *lb);
/* The newlines in p[0..n), counted 16 bytes a step (p may be NULL when n
 * is 0). */
uint64_t newlines(const char *p, size_t n);

/* ---- Options every producer and every consumer takes (verb tables) ---- */
/* clang-format off */
#define PRODUCER_OPTIONS                                                                                   \
	{ .id = OP_COUNT, .help = "messages per batch (default: 10, or all arguments, or all of stdin)" }, \
	{ .id = OP_EVERY },                                                                                \
	{ .id = OP_BATCHES },                                                                              \
	{ .id = OP_SOURCE },                                                                               \
	{ .id = OP_SEQ },                                                                                  \
	{ .id = OP_ID },                                                                                   \
	{ .id = OP_SIZE },                                                                                 \
	{ .id = OP_BATCH, .help = "at most N messages per write (default: as many as fit the buffer)" },    \
	{ .id = OP_STATS }
/* clang-format on */
#define CONSUMER_BATCH_HELP "read at most N messages at a time (default: what there is, up to 256 KiB)"
/* clang-format off */
#define CONSUMER_OPTIONS                                     \
	{ .id = OP_COUNT, .help = "stop after N messages" }, \
	{ .id = OP_TIMEOUT },                                \
	{ .id = OP_JSON },                                   \
	{ .id = OP_VERIFY },                                 \
	{ .id = OP_BATCH, .help = CONSUMER_BATCH_HELP },     \
	{ .id = OP_STATS }
/* clang-format on */

/* ---- Producer ---- */
/* Where a producer's bytes go. write() gets whole messages (at most chunk
 * bytes unless one message is larger) and returns IO_OK, IO_STOP when the
 * loop should stop quietly (interrupted, stdout reader gone), or
 * IO_FAILED_REPORTED after printing a diagnostic. *done gets how many bytes
 * did go out. */
struct sink {
	void *impl;
	size_t chunk;
	bool echo; /* echo each message on stdout (not when stdout is the channel) */
	enum io_result (*write)(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done);
	/* Optional: how to spend the pause between batches (default: sleep).
	 * Returns false when a stop was requested. */
	bool (*wait)(struct ctx *ctx, void *impl, int64_t ns);
};
/* The messages in buf[0..n): its newlines. */
uint64_t msg_count(const char *buf, size_t n);
/* The bytes of the whole messages in buf[0..n): up to its last newline. */
size_t msg_whole(const char *buf, size_t n);
/* Validate producer options against the arguments (source, counts). */
int producer_check(struct ctx *ctx);
/* Run the producer loop: batches of messages from the source into the sink. */
int produce(struct ctx *ctx, const struct sink *sink);
/* A producer stopped by a signal before its channel opened (waiting for a
 * reader, a listener, a connection): says what was not sent and prints the
 * --stats summary, as produce() does after an interrupt. Returns EXIT_OK. */
int produce_stopped(struct ctx *ctx);

/* ---- Consumer ---- */
struct consumer {
	struct ctx *ctx;
	const char *mech;
	struct out out;
	struct verify *verify;
	uint64_t msgs, bytes;
	int64_t start_ns, last_ns;
	int64_t first_ns;   /* the first message's arrival (0: none yet) */
	int64_t tick_at;    /* the coarse clock when last_ns was read */
	bool mark_due;      /* messages handled since last_ns, in tick_at's tick */
	bool stop;          /* -n reached, stdout gone or failed (see ctx->out_errno) */
	bool timed_out;     /* --timeout expired */
	uint64_t truncated; /* datagrams larger than the receive buffer */
	uint64_t split;     /* lines longer than the line buffer, delivered in pieces */
	uint64_t unread;    /* complete messages read from the channel but not printed (-n) */
	/* Text mode: printed before each message (may be NULL). */
	const char *label;
	/* The channel hands each message to one of its consumers (PUSH/PULL):
	 * --stats and --verify also show this one's share (consumer_shared). */
	bool shared;
	/* Mechanism-specific JSON fields for each message (may be NULL). */
	void (*extra)(struct out *o, void *arg);
	void *extra_arg;
	/* The reads of the channel that brought data, for --stats; a consumer
	 * that does not count them (reads_counted false) receives one
	 * message a call (a datagram, a queue's message). */
	uint64_t reads;
	bool reads_counted;
	size_t longest; /* the longest message so far, for --batch on a stream */
	/* --explain: what the reads of the channel mean (explain.h); NULL:
	 * the generic sentences. */
	const struct explain_says *says;
	char *outbuf; /* stdout's buffer, given by this consumer (consumer_finish frees it) */
	bool discard; /* stdout is /dev/null: messages are not formatted */
	/* consume_stream: the fd is a FIFO of our own, opened O_NONBLOCK so
	 * that poll() waits for its first writer; made blocking once data
	 * came (without --timeout). */
	bool block_after_data;
};
int consumer_init(struct consumer *c, struct ctx *ctx);
/* Say that the channel shares its messages among consumers, so that a
 * gap in the stamps may be another consumer's message: --stats and
 * --verify then show this consumer's share (tracking the stamps for
 * --stats too). Call after consumer_init. Returns 0, or -1 (said). */
int consumer_shared(struct consumer *c);
/* Read a stream into lb once, counting the read, at most --batch messages
 * of the longest length seen so far when --batch is given. Returns what
 * linebuf_fill returns. */
ssize_t consumer_fill(struct consumer *c, struct linebuf *lb, int fd);
/* Set the reads of a consumer that counts them its own way (a ring that
 * takes batches of messages). */
static inline void consumer_set_reads(struct consumer *c, uint64_t reads)
{
	c->reads = reads;
	c->reads_counted = true;
}
/* Handle one received message. Returns true when the consumer must stop. */
bool consumer_deliver(struct consumer *c, const char *msg, size_t len);
/* Deliver every complete line in lb. Returns true when the consumer must
 * stop. The time of the last line may be left to consumer_settle. */
bool consumer_deliver_lines(struct consumer *c, struct linebuf *lb);
/* The lines delivered were the last for now: read the clock that
 * consumer_deliver_lines left out, if any. waited: a call that may have
 * waited came since (then only if the coarse clock has not moved). */
void consumer_settle(struct consumer *c, bool waited);
/* Nothing more is available right now: flush stdout. True when must stop. */
bool consumer_idle(struct consumer *c);
/* Milliseconds poll() may wait for the next message (-1: forever), and
 * whether --timeout has expired (sets timed_out). */
int consumer_poll_timeout(struct consumer *c);
/* Wait until fd is readable, honouring --timeout and stop requests.
 * Returns IO_OK when readable, IO_STOP to stop (a stop request, the
 * consumer stopped, --timeout), IO_FAILED_REPORTED on error (the
 * diagnostic names what). */
enum io_result consumer_wait(struct consumer *c, int fd, const char *what);
/* Print the summary (--stats, --verify), free, and compute the exit status
 * from the mechanism's status. */
int consumer_finish(struct consumer *c, int status);

/* Read newline-framed messages from fd until EOF, a stop or an error.
 * Returns IO_OK at EOF, IO_STOP when the consumer stopped (count, signal,
 * timeout), IO_FAILED_REPORTED on a read error (diagnostic printed, naming
 * 'what'). fd may be non-blocking; poll() is used to wait. */
enum io_result consume_stream(struct consumer *c, struct linebuf *lb, int fd, const char *what);

#endif
