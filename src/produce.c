/* SPDX-License-Identifier: MIT */
/* The producer loop every mechanism shares: sources, stamping, padding,
 * batching into whole-message writes, echo and the summary. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo/message.h"
#include "ipcdemo/stats.h"
#include "ipcdemo/util.h"
#include "ipcdemo/uuidgen.h"

#define DEFAULT_CHUNK 65536

/* The longest line --source stdin takes (as --size allows). */
#define STDIN_LINE_MAX ((size_t)64 << 20)

enum { SRC_OK, SRC_END, SRC_AGAIN, SRC_ERROR };

struct source {
	int kind;
	char **args;
	size_t nargs, argi;
	uint64_t counter;
	struct linebuf lb; /* stdin */
	bool lb_ready;
	bool eof;
	uint64_t lines;
	char uuid[UUID_STR_LEN];
	struct uuidgen ug;
	char dec[32]; /* counter: the next number's digits and newline */
	size_t dec_len;
};

/* Next line of standard input. With may_block false, SRC_AGAIN says the
 * next read would wait: the caller sends what it has first. */
static int stdin_next(struct ctx *ctx, struct source *s, const char **p, size_t *len, bool may_block)
{
	if (!s->lb_ready) {
		if (linebuf_init(&s->lb, 65536, STDIN_LINE_MAX) < 0) {
			msg_syserr(ctx->prog, "allocate buffer");
			return SRC_ERROR;
		}
		s->lb_ready = true;
	}
	for (;;) {
		if (linebuf_next(&s->lb, p, len)) {
			s->lines++;
			if (s->lb.split) {
				msg_warn(ctx->prog, "line %llu of standard input is longer than %zu MiB",
					 (unsigned long long)s->lines, STDIN_LINE_MAX >> 20);
				return SRC_ERROR;
			}
			return SRC_OK;
		}
		if (s->eof) {
			if (!linebuf_rest(&s->lb, p, len))
				return SRC_END;
			s->lines++;
			return SRC_OK;
		}
		struct pollfd pf = { .fd = STDIN_FILENO, .events = POLLIN, .revents = 0 };
		int r = poll_stoppable(&pf, 1, may_block ? -1 : 0);
		if (r == 0)
			return SRC_AGAIN;
		if (r < 0) {
			if (stop_requested())
				return SRC_END;
			if (errno == EINTR)
				continue;
			msg_syserr(ctx->prog, "poll standard input");
			return SRC_ERROR;
		}
		ssize_t n = linebuf_fill(&s->lb, STDIN_FILENO);
		if (n == 0)
			s->eof = true;
		else if (n < 0 && errno != EINTR && errno != EAGAIN && errno != ENOBUFS) {
			msg_syserr(ctx->prog, "read standard input");
			return SRC_ERROR;
		}
	}
}

/* The counter's next number, its digits counted up in place. */
static void dec_next(struct source *s)
{
	char *d = s->dec;
	size_t i = s->dec_len;
	while (i > 0 && d[i - 1] == '9')
		d[--i] = '0';
	if (i > 0) {
		d[i - 1]++;
		return;
	}
	d[0] = '1'; /* 9...9 + 1: a digit more */
	memset(d + 1, '0', s->dec_len);
	d[++s->dec_len] = '\n';
}

/* The counter's digits, from the number after s->counter on. */
static void dec_init(struct source *s)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)s->counter + 1);
	memcpy(s->dec, tmp, (size_t)n);
	s->dec[n] = '\n';
	s->dec_len = (size_t)n;
}

/* Next payload from the source. */
static int source_next(struct ctx *ctx, struct source *s, const char **p, size_t *len, bool may_block)
{
	switch (s->kind) {
	case SRC_UUID: {
		uuidgen_text(&s->ug, s->uuid);
		*p = s->uuid;
		*len = UUID_STR_LEN - 1;
		return SRC_OK;
	}
	case SRC_COUNTER:
		/* Counted up in its digits: a division a digit was a quarter
		 * of a producer's instructions at --batch 1. */
		if (!s->dec_len)
			dec_init(s);
		memcpy(s->uuid, s->dec, sizeof(s->dec));
		*p = s->uuid;
		*len = s->dec_len;
		s->counter++;
		dec_next(s);
		return SRC_OK;
	case SRC_ARGS:
		*p = s->args[s->argi];
		*len = strlen(*p);
		s->argi = (s->argi + 1) % s->nargs;
		return SRC_OK;
	default:
		return stdin_next(ctx, s, p, len, may_block);
	}
}

int producer_check(struct ctx *ctx)
{
	struct opts *o = &ctx->opt;
	if (ctx->argc > 0) {
		if (o->given[OP_SOURCE] && o->source != SRC_ARGS)
			return msg_usage(ctx->prog, "messages given as arguments, but --source is not 'args'");
		o->source = SRC_ARGS;
		for (int i = 0; i < ctx->argc; i++)
			if (strchr(ctx->argv[i], '\n'))
				return msg_usage(ctx->prog, "message %d contains a newline; messages are lines", i + 1);
	} else if (o->source == SRC_ARGS) {
		return msg_usage(ctx->prog, "--source args needs messages as arguments");
	}
	if (!o->given[OP_COUNT]) {
		if (o->source == SRC_ARGS)
			o->count = (uint64_t)ctx->argc;
		else if (o->source == SRC_STDIN)
			o->count = 0; /* until end of input */
	}
	if (o->given[OP_BATCHES] && !o->given[OP_EVERY] && o->source == SRC_STDIN)
		return msg_usage(ctx->prog, "--batches does not apply to --source stdin without --every");
	if (o->given[OP_ID] && !o->seq)
		return msg_usage(ctx->prog, "--id only applies with --seq");
	return 0;
}

struct wire {
	char *buf;
	size_t len, cap;
	uint64_t msgs;  /* whole messages in buf */
	uint64_t bytes; /* their payload bytes, newlines excluded */
};

static int wire_reserve(struct wire *w, size_t need)
{
	if (w->len + need <= w->cap)
		return 0;
	size_t ncap = w->cap ? w->cap : DEFAULT_CHUNK;
	while (ncap < w->len + need)
		ncap *= 2;
	char *nb = realloc(w->buf, ncap);
	if (!nb)
		return -1;
	w->buf = nb;
	w->cap = ncap;
	return 0;
}

uint64_t msg_count(const char *p, size_t n)
{
	uint64_t k = 0;
	if (n == 0)
		return 0; /* p may be NULL: an empty buffer not yet allocated */
	const char *end = p + n;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

size_t msg_whole(const char *buf, size_t n)
{
	const char *nl = n ? memrchr(buf, '\n', n) : NULL;
	return nl ? (size_t)(nl - buf) + 1 : 0;
}

/* --size pads each message with dots. Messages of exactly that size sit
 * at the same offsets of the buffer after each send, so the dots written
 * last time are still there: only the part the new payload no longer
 * covers is written again, not the whole message (a 64 KiB message costs
 * one memset of 64 KiB otherwise). from[k] is where the dots of the k-th
 * message of the buffer start, PAD_NONE before the first. A message of
 * another length ends it: later offsets no longer repeat. */
#define PAD_NONE SIZE_MAX
struct padmem {
	size_t *from;
	size_t n;
	bool ok;
};

static void pad_init(struct padmem *pm, size_t size, size_t chunk)
{
	pm->n = 0;
	pm->ok = false;
	pm->from = NULL;
	if (size == 0)
		return;
	size_t n = chunk / size + 1;
	pm->from = malloc(n * sizeof(*pm->from));
	if (!pm->from)
		return; /* no memory of the dots: each message writes its own */
	for (size_t k = 0; k < n; k++)
		pm->from[k] = PAD_NONE;
	pm->n = n;
	pm->ok = true;
}

/* The message m of n bytes so far, at offset off of the buffer: pad it to
 * size (when it is shorter) and end it with a newline. Returns its length. */
static size_t pad_message(struct padmem *pm, char *m, size_t n, size_t off, size_t size)
{
	if (size == 0) {
		m[n] = '\n';
		return n + 1;
	}
	if (n + 1 <= size && pm->ok && off % size == 0 && off / size < pm->n) {
		size_t *from = &pm->from[off / size];
		if (n < *from)
			memset(m + n, '.', (*from == PAD_NONE ? size - 1 : *from) - n);
		*from = n;
		m[size - 1] = '\n';
		return size;
	}
	pm->ok = false;
	if (size > n + 1) {
		memset(m + n, '.', size - n - 1);
		n = size - 1;
	}
	m[n] = '\n';
	return n + 1;
}

struct prod_state {
	struct ctx *ctx;
	const struct sink *sink;
	struct wire w;
	uint64_t sent, sent_bytes, unsent;
	uint64_t writes;           /* calls of the sink's write */
	int64_t first_ns, last_ns; /* the active span: the first message handed over, the last taken */
	bool last_due;             /* a write took messages since last_ns was read */
	bool echo;
	size_t label_len;
	size_t chunk;
	struct padmem pad;
	uint64_t id, seq;
	uint64_t left; /* messages of this batch not made yet */
	enum io_result rc;
	int status;
	bool ended; /* the source has no more */
};

/* The time of the last write that took messages, read when time may pass
 * without one (a wait, the summary) rather than after each write: a clock
 * read a write was 7% of a producer's time at --batch 1. Until then only
 * the making of messages runs, never a wait. */
static void last_taken(struct prod_state *ps)
{
	if (ps->last_due) {
		ps->last_ns = now_mono_ns();
		ps->last_due = false;
	}
}

/* Echo the whole messages of buf[0..len): one write of the run when there
 * is no label, else the label before each. Returns a stdout error or 0. */
static int echo_messages(const char *label, size_t llen, const char *buf, size_t len)
{
	if (!label) {
		fwrite_unlocked(buf, 1, len, stdout);
	} else {
		for (const char *p = buf, *end = buf + len; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = (size_t)(nl - p) + 1;
			fwrite_unlocked(label, 1, llen, stdout);
			fwrite_unlocked(p, 1, n, stdout);
			p += n;
		}
	}
	if (ferror_unlocked(stdout))
		return errno ? errno : EIO;
	return flush_stdout();
}

/* Send what is buffered, then echo the whole messages the sink took (and
 * only those: a message is echoed once the channel has accepted it).
 * Returns as sink.write does; IO_STOP too when stdout went away. */
static enum io_result wire_flush(struct prod_state *ps)
{
	struct wire *w = &ps->w;
	if (w->len == 0)
		return IO_OK;
	size_t done = 0;
	int64_t start = ps->sent ? 0 : now_mono_ns();
	enum io_result rc = ps->sink->write(ps->ctx, ps->sink->impl, w->buf, w->len, &done);
	ps->writes++;
	size_t end = w->len;
	uint64_t whole = w->msgs, bytes = w->bytes;
	if (rc != IO_OK) {
		/* The whole messages are those that end within done. */
		end = msg_whole(w->buf, done < w->len ? done : w->len);
		whole = msg_count(w->buf, end);
		bytes = end - whole;
		ps->unsent += w->msgs - whole;
	}
	if (whole) {
		ps->last_due = true;
		if (!ps->sent)
			ps->first_ns = start; /* the write that took the first message began */
	}
	ps->sent += whole;
	ps->sent_bytes += bytes;
	if (ps->echo && end > 0) {
		/* A broken stdout is reported at exit; stop producing. */
		ctx_stdout_error(ps->ctx, echo_messages(ps->ctx->opt.label, ps->label_len, w->buf, end));
		if (ps->ctx->out_errno && rc == IO_OK)
			rc = IO_STOP;
	}
	w->len = 0;
	w->msgs = 0;
	w->bytes = 0;
	return rc;
}

/* A producer's last words: the messages it did not send (after an
 * interrupt or a failure; a reader that went away, as with | head, is a
 * quiet end) and the --stats summary, its time from the command's start. */
static void producer_summary(struct ctx *ctx, const struct prod_state *ps, bool failed)
{
	uint64_t sent = ps ? ps->sent : 0, bytes = ps ? ps->sent_bytes : 0;
	uint64_t unsent = ps ? ps->unsent : (ctx->opt.source == SRC_STDIN ? 0 : ctx->opt.count);
	if (unsent && !ctx->opt.quiet && (stop_requested() || failed))
		msg_warn(ctx->prog, "%llu message%s not sent", (unsigned long long)unsent,
			 unsent == 1 ? " was" : "s were");
	if (ctx->opt.stats || ctx->result_fd) {
		int64_t now = now_mono_ns();
		struct run_stats st = { .verb = "sent",
					.msgs = sent,
					.bytes = bytes,
					.elapsed_ns = now - (ctx->start_ns ? ctx->start_ns : now),
					.first_ns = ps ? ps->first_ns : 0,
					.last_ns = ps ? ps->last_ns : 0,
					.calls = ps ? ps->writes : 0 };
		run_result_write(ctx, &st);
		if (ctx->opt.stats)
			stats_print(ctx, &st, NULL);
	}
}

int produce_stopped(struct ctx *ctx)
{
	/* As produce() interrupted before its first message: the first batch
	 * was not sent (its size is not known for standard input). */
	producer_summary(ctx, NULL, false);
	return EXIT_OK;
}

/* Before the first message: the summary's clock, the wire and the
 * padding. Returns -1 when out of memory (said). */
static int produce_start(struct prod_state *ps, struct padmem *pad, size_t chunk)
{
	struct ctx *ctx = ps->ctx;
	/* The time "in" of the summary counts from the start of the command,
	 * so it includes the wait for the channel to open. */
	if (!ctx->start_ns)
		ctx->start_ns = now_mono_ns();
	if (wire_reserve(&ps->w, chunk) < 0) {
		msg_syserr(ctx->prog, "allocate buffer");
		return -1;
	}
	pad_init(pad, (size_t)ctx->opt.size, chunk);
	return 0;
}

/* The source's next message, in *p and *plen. When input is slow, what is
 * buffered is sent before waiting for more: *rc is then what that send
 * returned (non-zero: stop). Returns the source's SRC_*. */
static int next_message(struct prod_state *ps, struct source *src, const char **p, size_t *plen, enum io_result *rc)
{
	int sr = source_next(ps->ctx, src, p, plen, false);
	if (sr == SRC_AGAIN) {
		/* Input is slow: send what we have before waiting for more. */
		*rc = wire_flush(ps);
		if (*rc != IO_OK)
			return sr;
		last_taken(ps);
		sr = source_next(ps->ctx, src, p, plen, true);
	}
	return sr;
}

/* Room a message of plen bytes takes on the wire: its stamp, the message
 * and its newline, or --size when that is more. */
static size_t message_need(const struct opts *o, size_t plen)
{
	size_t stamp = o->seq ? STAMP_MAX : 0;
	size_t need = stamp + plen + 1;
	if (o->size > need)
		need = (size_t)o->size;
	return need;
}

/* Append message p[0..plen) to the wire, stamped when --seq (id, ++*seq)
 * and padded to --size, in need bytes reserved. Returns -1 when the
 * buffer cannot grow (said). */
static int wire_add(struct prod_state *ps, struct padmem *pad, const char *p, size_t plen, size_t need, uint64_t id,
		    uint64_t *seq)
{
	const struct opts *o = &ps->ctx->opt;
	if (wire_reserve(&ps->w, need) < 0) {
		msg_syserr(ps->ctx->prog, "allocate buffer");
		return -1;
	}
	char *m = ps->w.buf + ps->w.len;
	size_t n = 0;
	if (o->seq)
		n = stamp_format(m, id, ++*seq);
	memcpy(m + n, p, plen);
	n += plen;
	n = pad_message(pad, m, n, ps->w.len, (size_t)o->size);
	ps->w.len += n;
	ps->w.msgs++;
	ps->w.bytes += n - 1;
	return 0;
}

/* The end of produce(): send what is buffered, unless stopped, and say
 * what was not sent, left the messages of the batch not made. Returns the
 * exit status. */
static int produce_finish(struct prod_state *ps)
{
	/* After a stop request a blocking write could wait forever: what is
	 * still buffered is reported as not sent. */
	if (ps->rc == IO_OK && ps->status == EXIT_OK && !stop_requested())
		ps->rc = wire_flush(ps);
	last_taken(ps);
	ps->unsent += ps->w.msgs + ps->left;
	if (io_failed(ps->rc))
		ps->status = EXIT_FAIL;
	producer_summary(ps->ctx, ps, ps->status != EXIT_OK);
	return ps->status;
}

/* One batch, a message at a time. Returns false to stop (ps->rc and
 * ps->status say why), true at its end or at the end of the source
 * (ps->ended). */
static bool batch_each(struct prod_state *ps, struct source *src)
{
	const struct opts *o = &ps->ctx->opt;
	for (uint64_t i = 0; o->count == 0 || i < o->count; i++) {
		const char *p;
		size_t plen;
		if (stop_requested())
			return false;
		int sr = next_message(ps, src, &p, &plen, &ps->rc);
		if (ps->rc != IO_OK)
			return false;
		if (sr == SRC_ERROR) {
			ps->status = EXIT_FAIL;
			return false;
		}
		if (sr == SRC_END) {
			ps->ended = true;
			return true;
		}
		size_t need = message_need(o, plen);
		if (ps->w.len > 0 && ps->w.len + need > ps->chunk) {
			ps->rc = wire_flush(ps);
			if (ps->rc != IO_OK)
				return false;
		}
		if (wire_add(ps, &ps->pad, p, plen, need, ps->id, &ps->seq) < 0) {
			ps->status = EXIT_FAIL;
			return false;
		}
		if (ps->left)
			ps->left--;
		if (ps->w.len >= ps->chunk || ps->w.msgs == o->batch) {
			ps->rc = wire_flush(ps);
			if (ps->rc != IO_OK)
				return false;
		}
	}
	return true;
}

/* The bytes a bulk message's stores may touch: a counter's line is at most
 * 21 bytes, copied as 32; a UUID's is 37. */
#define BULK_ROOM 48

/* Bulk sources: --source counter and uuid, neither stamped, padded nor
 * echoed, through a channel that takes many messages a write. Made one by
 * one (a source call, a memcpy of a length known only then, the padding's
 * checks, the batch's tests) a message cost about 20 ns, and a producer at
 * default batching spent most of its time there rather than in the pipe. */
static bool bulk_source(const struct prod_state *ps)
{
	const struct opts *o = &ps->ctx->opt;
	return (o->source == SRC_COUNTER || o->source == SRC_UUID) && !o->seq && o->size == 0 && !ps->echo &&
	       ps->chunk >= 16 * BULK_ROOM;
}

/* Thirty-two bytes, stored at once. */
typedef char bytes32 __attribute__((vector_size(32)));

/* From a number ending in 0 with room for ten lines, the ten lines that
 * differ only in their last digit: the digits stored from a register, then
 * that digit. (A byte stored into the digits, then read with the next
 * copy, stalled each line on the store's forwarding: 75% of the time.)
 * Returns the lines stored at p: 10, or 1, the counter's line alone. */
static size_t counter_decade(const struct source *s, char *p, const char *end, uint64_t most)
{
	size_t n = s->dec_len, len = n + 1;
	bytes32 digits;
	memcpy(&digits, s->dec, sizeof(digits));
	if (s->dec[n - 1] != '0' || most < 10 || p + 9 * len > end) {
		memcpy(p, &digits, sizeof(digits));
		return 1;
	}
	for (int d = 0; d < 10; d++, p += len) {
		memcpy(p, &digits, sizeof(digits));
		p[n - 1] = (char)('0' + d);
	}
	return 10;
}

/* The counter after counter_decade's ten lines. */
static void dec_decade(struct source *s)
{
	s->dec[s->dec_len - 1] = '9';
	dec_next(s);
}

/* Make up to most messages of the bulk source into the wire, while
 * BULK_ROOM bytes are left of the chunk. Returns how many. */
static uint64_t bulk_fill(struct prod_state *ps, struct source *s, uint64_t most)
{
	struct wire *w = &ps->w;
	char *start = w->buf + w->len, *p = start;
	const char *end = w->buf + ps->chunk - BULK_ROOM;
	uint64_t k = 0;
	if (s->kind == SRC_COUNTER) {
		while (k < most && p <= end) {
			size_t step = counter_decade(s, p, end, most - k);
			k += step;
			p += step * (s->dec_len + 1);
			if (step == 1)
				dec_next(s);
			else
				dec_decade(s);
		}
		s->counter += k;
	} else {
		for (; k < most && p <= end; k++)
			p = uuidgen_line(&s->ug, p);
	}
	size_t n = (size_t)(p - start);
	w->len += n;
	w->msgs += k;
	w->bytes += n - k;
	return k;
}

/* One batch of a bulk source, as batch_each. */
static bool batch_bulk(struct prod_state *ps, struct source *src)
{
	const struct opts *o = &ps->ctx->opt;
	if (!src->dec_len)
		dec_init(src);
	for (uint64_t made = 0; o->count == 0 || made < o->count;) {
		if (stop_requested())
			return false;
		uint64_t most = o->count ? o->count - made : UINT64_MAX;
		if (o->batch && o->batch - ps->w.msgs < most)
			most = o->batch - ps->w.msgs;
		uint64_t k = bulk_fill(ps, src, most);
		made += k;
		ps->left -= k < ps->left ? k : ps->left;
		if (ps->w.len + BULK_ROOM > ps->chunk || ps->w.msgs == o->batch) {
			ps->rc = wire_flush(ps);
			if (ps->rc != IO_OK)
				return false;
		}
	}
	return true;
}

int produce(struct ctx *ctx, const struct sink *sink)
{
	struct opts *o = &ctx->opt;
	struct prod_state ps = { .ctx = ctx,
				 .sink = sink,
				 .echo = sink->echo && !o->quiet,
				 .label_len = o->label ? strlen(o->label) : 0,
				 .chunk = sink->chunk ? sink->chunk : DEFAULT_CHUNK,
				 .id = o->given[OP_ID] ? o->id : (uint64_t)getpid(),
				 .seq = 0,
				 .left = 0,
				 .rc = IO_OK,
				 .status = EXIT_OK,
				 .ended = false };
	struct source src = { .kind = o->source, .args = ctx->argv, .nargs = (size_t)ctx->argc };
	uuidgen_init(&src.ug);
	bool forever = o->given[OP_EVERY] && !o->given[OP_BATCHES];
	bool bulk = bulk_source(&ps);

	if (produce_start(&ps, &ps.pad, ps.chunk) < 0)
		return EXIT_FAIL;

	for (uint64_t b = 0; forever || b < o->batches; b++) {
		if (b > 0 && o->given[OP_EVERY]) {
			last_taken(&ps);
			if (!(sink->wait ? sink->wait(ctx, sink->impl, o->every) : sleep_ns(o->every)))
				break;
		}
		/* Messages of this batch not made yet: not sent either, when the
		 * batch ends early (standard input has no known size). */
		ps.left = o->source == SRC_STDIN ? 0 : o->count;
		if (!(bulk ? batch_bulk(&ps, &src) : batch_each(&ps, &src)))
			break;
		ps.rc = wire_flush(&ps);
		if (ps.rc != IO_OK)
			break;
		if (ctx->out_errno)
			break; /* stdout reader gone or broken: close_stdout reports it */
		if (ps.ended)
			break;
	}
	int status = produce_finish(&ps);
	free(ps.w.buf);
	free(ps.pad.from);
	if (src.lb_ready)
		linebuf_free(&src.lb);
	return status;
}
