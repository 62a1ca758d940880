/* SPDX-License-Identifier: MIT */
/* The consumer side every mechanism shares: printing (text or JSON Lines),
 * --verify, -n, --timeout, --stats and the exit status. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ipcdemo/message.h"
#include "ipcdemo/sockexplain.h"
#include "ipcdemo/stats.h"
#include "ipcdemo/util.h"

/* stdio's buffer for standard output when it is not a terminal: the
 * default is its st_blksize, 4 KiB for a pipe or /dev/null, so that at
 * --batch 1 a consumer of 4 KiB messages made a write(2) of its own for
 * each. */
#define OUT_BUF ((size_t)64 << 10)

/* A span of output this long goes out in a write(2) of its own: through a
 * buffer of OUT_BUF, stdio would copy every other 64 KiB message into it
 * and write it with the next. */
#define OUT_DIRECT (OUT_BUF / 2)

static void out_buffer(struct consumer *c)
{
	if (isatty(STDOUT_FILENO) || __flbf(stdout) || __fbufsize(stdout) >= OUT_BUF)
		return;
	char *b = malloc(OUT_BUF);
	if (b && setvbuf(stdout, b, _IOFBF, OUT_BUF) != 0) {
		free(b);
		b = NULL;
	}
	c->outbuf = b;
}

/* Take the buffer back from stdout, which is unbuffered from then on
 * (what else a command prints after its consumer is little). */
static void out_unbuffer(struct consumer *c)
{
	if (!c->outbuf)
		return;
	/* setvbuf flushes first; what it could not write was said already
	 * (consumer_finish flushed before its summary). */
	if (setvbuf(stdout, NULL, _IONBF, 0) != 0) {
		__fpurge(stdout);
		if (setvbuf(stdout, NULL, _IONBF, 0) != 0)
			return; /* still stdout's: left to the end of the process */
	}
	free(c->outbuf);
	c->outbuf = NULL;
}

/* Whether standard output is /dev/null, the character device 1:3: then
 * the messages are not formatted at all, what would be written being
 * thrown away (GNU tar skips reading the files it would write to an
 * archive on /dev/null, alike). Receiving, counting, --verify and the
 * summary are as for any output. */
static bool out_discarded(void)
{
	struct stat st;
	return fstat(STDOUT_FILENO, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
	       minor(st.st_rdev) == 3;
}

/* Write a span of plain output. */
static void out_span(struct consumer *c, const char *p, size_t n)
{
	if (c->discard)
		return;
	if (n < OUT_DIRECT) {
		fwrite_unlocked(p, 1, n, stdout);
		return;
	}
	if (__fpending(stdout) && fflush_unlocked(stdout) != 0)
		return; /* check_stdout sees it */
	if (write_all(STDOUT_FILENO, p, n, NULL) < 0) {
		ctx_stdout_error(c->ctx, errno ? errno : EIO);
		c->stop = true;
	}
}

int consumer_init(struct consumer *c, struct ctx *ctx)
{
	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->mech = ctx->mech ? ctx->mech->name : "";
	out_init(&c->out, stdout, ctx->opt.json);
	c->label = ctx->opt.label;
	if (ctx->opt.verify) {
		c->verify = verify_new();
		if (!c->verify) {
			msg_syserr(ctx->prog, "allocate verification state");
			return -1;
		}
	}
	c->discard = out_discarded();
	if (!c->discard)
		out_buffer(c);
	c->start_ns = c->last_ns = now_mono_ns();
	return 0;
}

int consumer_shared(struct consumer *c)
{
	c->shared = true;
	if (c->verify || !c->ctx->opt.stats)
		return 0;
	c->verify = verify_new();
	if (!c->verify) {
		msg_syserr(c->ctx->prog, "allocate the share's tracking state");
		return -1;
	}
	return 0;
}

static void print_json(struct consumer *c, const char *msg, size_t len, bool stamped, uint64_t id, uint64_t seq,
		       size_t off)
{
	struct out *o = &c->out;
	char ts[40];
	format_rfc3339(ts, sizeof(ts), now_real_ns());
	out_open(o);
	out_bytes(o, PRINT_JSON, "payload", msg + off, len - off);
	out_u64(o, PRINT_JSON, "bytes", NULL, len);
	if (stamped) {
		out_u64(o, PRINT_JSON, "seq", NULL, seq);
		out_u64(o, PRINT_JSON, "producer", NULL, id);
	}
	out_string(o, PRINT_JSON, "time", NULL, ts);
	out_string(o, PRINT_JSON, "mechanism", NULL, c->mech);
	if (c->extra)
		c->extra(o, c->extra_arg);
	out_close(o);
}

/* Count one message. Returns true at the --count. */
static bool consumer_count(struct consumer *c, size_t len)
{
	c->msgs++;
	c->bytes += len;
	if (len > c->longest)
		c->longest = len;
	const struct opts *o = &c->ctx->opt;
	return o->given[OP_COUNT] && c->msgs >= o->count;
}

/* The messages counted so far were handled by now. */
static void consumer_clock(struct consumer *c, int64_t now)
{
	c->last_ns = now;
	if (!c->first_ns)
		c->first_ns = now;
	c->mark_due = false;
}

/* The messages of a read were handled: the time of the last one. Reading
 * the monotonic clock (the hardware's counter, through the vDSO) after
 * each read was 20-35 ns, 8% of a stream consumer's time at 64 bytes and
 * --batch 1 and the whole of the pipe row's gap to its floor. So it is
 * read for the first read, at the -n count (last), and whenever the
 * coarse clock (as of the last timer tick, 5 ns) has moved since the last
 * reading; within the same tick it is read when a read has just drained
 * the channel, or at the end if no tick has passed (consumer_settle).
 * Otherwise last_ns is early by less than one tick of the coarse clock.
 * (A message at a time, for --json or --verify, is timed each: there the
 * formatting and the tracking cost more than the clock.) */
static void consumer_mark(struct consumer *c, bool last)
{
	int64_t tick = now_coarse_ns();
	if (c->first_ns && !last && tick == c->tick_at) {
		c->mark_due = true;
		return;
	}
	c->tick_at = tick;
	consumer_clock(c, now_mono_ns());
}

void consumer_settle(struct consumer *c, bool waited)
{
	if (c->mark_due && (!waited || now_coarse_ns() == c->tick_at))
		consumer_clock(c, now_mono_ns());
}

static void check_stdout(struct consumer *c)
{
	if (ferror_unlocked(stdout)) {
		ctx_stdout_error(c->ctx, errno ? errno : EIO);
		c->stop = true;
	}
}

bool consumer_deliver(struct consumer *c, const char *msg, size_t len)
{
	const struct opts *o = &c->ctx->opt;
	uint64_t id = 0, seq = 0;
	size_t off = 0;
	bool stamped = (c->verify || o->json) && stamp_parse(msg, len, &id, &seq, &off);

	if (c->stop)
		return true;
	bool last = consumer_count(c, len);
	consumer_clock(c, now_mono_ns());
	if (c->verify) {
		if (!stamped)
			verify_unstamped(c->verify);
		else
			(void)verify_add(c->verify, id, seq);
	}
	if (c->discard) {
		/* nothing to format: it would go nowhere */
	} else if (o->json) {
		print_json(c, msg, len, stamped, id, seq, off);
	} else {
		if (c->label)
			fputs_unlocked(c->label, stdout);
		fwrite_unlocked(msg, 1, len, stdout);
		fputc_unlocked('\n', stdout);
	}
	check_stdout(c);
	if (last)
		c->stop = true;
	return c->stop;
}

/* Without --batch (which needs each line's length) and short of -n: the
 * whole lines of the buffer counted at once, taken and their span
 * returned (0: none, or -n is among them). */
static size_t take_whole(struct consumer *c, struct linebuf *lb, const char **span)
{
	const struct opts *o = &c->ctx->opt;
	size_t avail = linebuf_pending(lb);
	const char *p = lb->buf + lb->head;
	size_t whole = o->batch ? 0 : msg_whole(p, avail);
	if (!whole)
		return 0;
	uint64_t k = newlines(p, whole);
	if (o->given[OP_COUNT] && c->msgs + k >= o->count)
		return 0; /* line by line, to stop at the count */
	c->msgs += k;
	c->bytes += whole - k;
	lb->head += whole;
	if (lb->head == lb->tail)
		lb->head = lb->tail = 0;
	*span = p;
	return whole;
}

/* Plain text output of whole lines is the bytes that came in, newlines
 * and all: the lines of one read go out in one piece, counted but neither
 * copied nor timed one by one (they arrived together): at most one clock
 * reading a read (consumer_mark), after the output (two were 14% of a
 * consumer's time at --batch 1). */
static bool deliver_plain(struct consumer *c, struct linebuf *lb)
{
	const char *line, *span = NULL;
	size_t len, span_len = 0;
	bool stop = c->stop;
	/* Before the first message a clock read more: the first read's
	 * messages are timed from before their output, as any others. */
	int64_t before = c->first_ns ? 0 : now_mono_ns();
	if (!stop)
		span_len = take_whole(c, lb, &span);
	while (!stop && linebuf_next(lb, &line, &len)) {
		if (lb->split) {
			/* A piece of an over-long line: not followed by its newline. */
			if (span_len)
				out_span(c, span, span_len);
			span_len = 0;
			c->split += lb->split;
			lb->split = 0;
			stop = consumer_deliver(c, line, len);
			continue;
		}
		if (!span_len)
			span = line;
		span_len = (size_t)(line + len + 1 - span);
		stop = consumer_count(c, len);
	}
	if (span_len)
		out_span(c, span, span_len);
	/* The span from the first message to the last covers the work on
	 * this read too. */
	if (c->msgs) {
		if (!c->first_ns)
			c->first_ns = before;
		consumer_mark(c, stop);
	}
	check_stdout(c);
	if (stop)
		c->stop = true;
	return c->stop;
}

bool consumer_deliver_lines(struct consumer *c, struct linebuf *lb)
{
	const struct opts *o = &c->ctx->opt;
	const char *line;
	size_t len;
	bool stop;
	if (!o->json && !c->label && !c->verify) {
		stop = deliver_plain(c, lb);
	} else {
		stop = c->stop;
		while (!stop && linebuf_next(lb, &line, &len))
			stop = consumer_deliver(c, line, len);
	}
	c->split += lb->split;
	lb->split = 0;
	/* What -n leaves in the buffer was taken from the channel all the
	 * same: say so rather than lose it quietly. */
	if (stop)
		c->unread += linebuf_lines(lb);
	return stop;
}

bool consumer_idle(struct consumer *c)
{
	int e = flush_stdout();
	if (e) {
		ctx_stdout_error(c->ctx, e);
		c->stop = true;
	}
	return c->stop || stop_requested();
}

int consumer_poll_timeout(struct consumer *c)
{
	const struct opts *o = &c->ctx->opt;
	if (!o->given[OP_TIMEOUT])
		return -1;
	int64_t left = c->last_ns + o->timeout - now_mono_ns();
	if (left <= 0) {
		c->timed_out = true;
		return 0;
	}
	int64_t ms = (left + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	return ms > 1000000 ? 1000000 : (int)ms;
}

int consumer_finish(struct consumer *c, int status)
{
	struct ctx *ctx = c->ctx;
	struct verify_result vr;

	consumer_settle(c, true);
	ctx_stdout_error(ctx, flush_stdout());
	if (c->unread && !ctx->opt.quiet)
		msg_warn(ctx->prog, "%llu more message%s had been read from the channel and %s not printed (--count)",
			 (unsigned long long)c->unread, c->unread == 1 ? "" : "s", c->unread == 1 ? "was" : "were");
	if (c->split) {
		msg_warn(ctx->prog, "%llu line%s longer than 1 MiB %s delivered in pieces",
			 (unsigned long long)c->split, c->split == 1 ? "" : "s", c->split == 1 ? "was" : "were");
		if (status == EXIT_OK)
			status = EXIT_FAIL;
	}
	if (c->truncated) {
		msg_warn(ctx->prog, "%llu message%s truncated (larger than the receive buffer, --size)",
			 (unsigned long long)c->truncated, c->truncated == 1 ? " was" : "s were");
		if (status == EXIT_OK)
			status = EXIT_FAIL;
	}
	/* The tracker runs for --verify, and for the share of a shared
	 * channel (consumer_shared). */
	bool verifying = c->verify && ctx->opt.verify;
	if (c->verify)
		verify_get(c->verify, &vr);
	struct run_stats st = { .verb = "received",
				.msgs = c->msgs,
				.bytes = c->bytes,
				.elapsed_ns = now_mono_ns() - c->start_ns,
				.first_ns = c->first_ns,
				.last_ns = c->msgs ? c->last_ns : 0,
				.truncated = c->truncated,
				.calls = c->reads_counted ? c->reads : c->msgs,
				.share = c->shared && c->verify ? &vr : NULL };
	run_result_write(ctx, &st);
	if (ctx->opt.stats)
		stats_print(ctx, &st, verifying ? &vr : NULL);
	else if (verifying)
		verify_print(ctx, &vr, st.share);
	/* close_stdout reports a stdout error; it decides the status here. */
	if (ctx->out_errno && ctx->out_errno != EPIPE && (status == EXIT_OK || status == EXIT_TIMEOUT))
		status = EXIT_FAIL;
	if (status == EXIT_OK && verifying && !verify_clean(&vr))
		status = EXIT_VERIFY;
	if (status == EXIT_OK && c->timed_out && c->msgs == 0)
		status = EXIT_TIMEOUT;
	verify_free(c->verify);
	c->verify = NULL;
	out_unbuffer(c);
	return status;
}

enum io_result consumer_wait(struct consumer *c, int fd, const char *what)
{
	for (;;) {
		if (stop_requested() || c->stop)
			return IO_STOP;
		int ms = consumer_poll_timeout(c);
		if (c->timed_out)
			return IO_STOP;
		struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
		int r = poll_stoppable(&p, 1, ms);
		if (r > 0)
			return IO_OK;
		if (r < 0 && errno != EINTR) {
			msg_syserr(c->ctx->prog, "poll %s", what);
			return IO_FAILED_REPORTED;
		}
	}
}

/* How much a read may take with --batch N: N messages of the longest
 * length seen so far, newline included, less the start of the message
 * already in the buffer, so that with messages of one size (as the
 * benchmark sends) each read takes exactly N of them. A stream has no
 * boundaries to read by: before the first message is whole, reads grow
 * from 64 bytes, doubling, and take less than a message more than the
 * first; a message longer than any before is read the same way. With
 * messages of different lengths a read may take more than N of the
 * shorter ones. 0: no limit. */
static size_t batch_bytes(const struct consumer *c, const struct linebuf *lb)
{
	uint64_t n = c->ctx->opt.batch;
	if (!n)
		return 0;
	size_t pending = linebuf_pending(lb);
	size_t grow = pending > 64 ? pending : 64;
	if (!c->msgs)
		return grow;
	size_t one = c->longest + 1;
	if (n > SIZE_MAX / one)
		return 0;
	return n * one > pending ? n * one - pending : grow;
}

ssize_t consumer_fill(struct consumer *c, struct linebuf *lb, int fd)
{
	ssize_t n = explaining(c->ctx)
			    ? explain_fill(c->ctx, lb, fd, batch_bytes(c, lb), c->says ? c->says : &explain_read_says)
			    : linebuf_fill_upto(lb, fd, batch_bytes(c, lb));
	c->reads_counted = true;
	if (n > 0)
		c->reads++;
	return n;
}

enum io_result consume_stream(struct consumer *c, struct linebuf *lb, int fd, const char *what)
{
	/* Without --timeout a blocking fd is simply read; with it, or when the
	 * fd is non-blocking, poll() waits first. (A non-blocking FIFO that has
	 * not had a writer yet reads as end of file: poll() is what waits for
	 * the writer.) */
	int fl = fcntl(fd, F_GETFL);
	bool nonblocking = fl >= 0 && (fl & O_NONBLOCK);
	bool must_poll = c->ctx->opt.given[OP_TIMEOUT] || nonblocking;
	for (;;) {
		if (stop_requested() || c->stop)
			return IO_STOP;
		if (must_poll) {
			if (consumer_idle(c))
				return IO_STOP;
			enum io_result w = consumer_wait(c, fd, what);
			if (w != IO_OK)
				return w;
		}
		size_t asked = batch_bytes(c, lb);
		ssize_t n = consumer_fill(c, lb, fd);
		if (n > 0 && nonblocking && c->block_after_data && !c->ctx->opt.given[OP_TIMEOUT]) {
			/* The first writer came: from now on a read waits as a
			 * pipe's does, one read a message, rather than an empty
			 * read and a poll each time the FIFO runs dry. */
			if (xs_fcntl(c->ctx, fd, F_SETFL, fl & ~O_NONBLOCK,
				     "a writer is there: reads wait for data from now on, as a pipe's") == 0)
				nonblocking = false;
		}
		if (n > 0) {
			if (consumer_deliver_lines(c, lb))
				return IO_STOP;
			/* A short read means the channel is drained for now: the next
			 * read would block, so flush and wait in poll() (where a stop
			 * request cannot be missed). Full reads go straight on. */
			bool drained = (size_t)n < (asked ? asked : lb->cap) / 2;
			if (drained)
				consumer_settle(c, false);
			must_poll = c->ctx->opt.given[OP_TIMEOUT] || drained;
			if (must_poll && !c->ctx->opt.given[OP_TIMEOUT] && !nonblocking &&
			    (c->discard || __fpending(stdout) == 0))
				must_poll = false; /* nothing to flush before a read that waits */
			continue;
		}
		if (n == 0) {
			const char *line;
			size_t len;
			if (linebuf_rest(lb, &line, &len) && consumer_deliver(c, line, len))
				return IO_STOP;
			if (consumer_idle(c))
				return IO_STOP;
			return IO_OK;
		}
		if (errno == ENOBUFS) { /* a line longer than the buffer: pieces */
			if (consumer_deliver_lines(c, lb))
				return IO_STOP;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			must_poll = true;
			continue;
		}
		msg_syserr(c->ctx->prog, "read %s", what);
		return IO_FAILED_REPORTED;
	}
}
