/* SPDX-License-Identifier: MIT */
/* --explain: the narration of a verb's system calls on stderr (explain.h).
 * Each record is made in memory and written with one call, so that the
 * lines of two processes sharing a stderr never mix. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo/color.h"
#include "ipcdemo/explain.h"
#include "ipcdemo/message.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"

void explain_setup(struct ctx *ctx, uint64_t level)
{
	struct explain *x = &ctx->explain;
	memset(x, 0, sizeof(*x));
	if (!level)
		return;
	if (ctx->mech && !ctx->mech->explains) {
		/* Said plainly, never silently nothing. */
		fprintf(stderr,
			"explain[%d]: ipcdemo %s does not narrate its system calls yet; "
			"run it under strace -f to see them\n",
			(int)getpid(), ctx->mech->name);
		return;
	}
	x->on = true;
	x->level = level;
	x->json = ctx->opt.json;
	x->color = color_on(ctx->color, STDERR_FILENO);
}

void explain_side(struct ctx *ctx, const char *side)
{
	ctx->explain.side = side;
}

/* The prefix of a text line: "explain[PID]: " or "explain[PID side]: ". */
static void prefix(FILE *fp, const struct explain *x)
{
	char p[64];
	if (x->side)
		snprintf(p, sizeof(p), "explain[%d %s]:", (int)getpid(), x->side);
	else
		snprintf(p, sizeof(p), "explain[%d]:", (int)getpid());
	color_fputs(fp, x->color, SGR_EXPLAIN, p);
	fputc(' ', fp);
}

/* Write what fp (a memory stream) holds to stderr in one call. */
static void flush_record(FILE *fp, char **buf, size_t *len)
{
	if (fclose(fp) == 0 && *buf) {
		size_t done;
		(void)write_all(STDERR_FILENO, *buf, *len, &done);
	}
	free(*buf);
}

static void announce(const struct explain *x, const char *blocks);

static void vbegin(struct ctx *ctx, const char *lib, const char *call, const char *blocks, const char *fmt, va_list ap)
{
	struct explain *x = &ctx->explain;
	int e = errno; /* the caller's, kept for the call it narrates */
	snprintf(x->call, sizeof(x->call), "%s", call);
	vsnprintf(x->args, sizeof(x->args), fmt, ap);
	x->blocks = blocks;
	x->lib = lib;
	if (blocks && !x->json)
		announce(x, blocks);
	errno = e;
}

void explain_begin(struct ctx *ctx, const char *call, const char *blocks, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vbegin(ctx, NULL, call, blocks, fmt, ap);
	va_end(ap);
}

void explain_lib_begin(struct ctx *ctx, const char *lib, const char *call, const char *blocks, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vbegin(ctx, lib, call, blocks, fmt, ap);
	va_end(ap);
}

/* A library call's mark before its name: "libzmq: ". */
static void lib_mark(FILE *fp, const char *lib)
{
	if (lib)
		fprintf(fp, "%s: ", lib);
}

/* A blocking call, before it blocks: what it waits for. */
static void announce(const struct explain *x, const char *blocks)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		return;
	prefix(fp, x);
	lib_mark(fp, x->lib);
	fprintf(fp, "%s(%s) ...\n", x->call, x->args);
	prefix(fp, x);
	fprintf(fp, "    %s\n", blocks);
	flush_record(fp, &buf, &len);
}

void explain_args(struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->explain.args, sizeof(ctx->explain.args), fmt, ap);
	va_end(ap);
}

static void end_json(FILE *fp, const struct explain *x, const char *result, long long rc, int err, const char *meaning)
{
	struct out o;
	out_init(&o, fp, true);
	out_open(&o);
	out_string(&o, PRINT_JSON, "call", NULL, x->call);
	if (x->lib)
		out_string(&o, PRINT_JSON, "library", NULL, x->lib);
	out_string(&o, PRINT_JSON, "args", NULL, x->args);
	if (result)
		out_string(&o, PRINT_JSON, "result", NULL, result);
	else
		out_i64(&o, PRINT_JSON, "result", NULL, rc);
	if (rc < 0 && err) {
		const char *name = strerrorname_np(err);
		out_string(&o, PRINT_JSON, "errno", NULL, name ? name : "?");
		out_string(&o, PRINT_JSON, "error", NULL, strerror(err));
	} else {
		out_null(&o, "errno");
	}
	out_string(&o, PRINT_JSON, "meaning", NULL, meaning);
	out_i64(&o, PRINT_JSON, "pid", NULL, (int64_t)getpid());
	if (x->side)
		out_string(&o, PRINT_JSON, "side", NULL, x->side);
	if (x->blocks)
		out_string(&o, PRINT_JSON, "blocks", NULL, x->blocks);
	out_close(&o);
}

static void emit_record(struct ctx *ctx, const char *result, long long rc, int err, const char *meaning);

/* The record of the call in flight: its result (result: as text, "[3,
 * 4]"; NULL: rc) and meaning. */
static void emit(struct ctx *ctx, const char *result, long long rc, int err, const char *meaning)
{
	int e = errno; /* the caller reads it after the narration */
	emit_record(ctx, result, rc, err, meaning);
	errno = e;
}

static void emit_record(struct ctx *ctx, const char *result, long long rc, int err, const char *meaning)
{
	struct explain *x = &ctx->explain;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		return;
	if (x->json) {
		end_json(fp, x, result, rc, err, meaning);
	} else {
		char res[160];
		const char *name = err ? strerrorname_np(err) : NULL;
		if (result)
			snprintf(res, sizeof(res), "= %s", result);
		else if (rc < 0)
			snprintf(res, sizeof(res), "= %lld %s (%s)", rc, name ? name : "?", strerror(err));
		else
			snprintf(res, sizeof(res), "= %lld", rc);
		prefix(fp, x);
		lib_mark(fp, x->lib);
		fprintf(fp, "%s(%s) ", x->call, x->args);
		color_fputs(fp, x->color && rc < 0, SGR_ERROR, res);
		fputc('\n', fp);
		prefix(fp, x);
		fprintf(fp, "    %s\n", meaning);
	}
	flush_record(fp, &buf, &len);
	x->blocks = NULL;
	x->lib = NULL;
}

void explain_end(struct ctx *ctx, long long rc, int err, const char *fmt, ...)
{
	char meaning[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(meaning, sizeof(meaning), fmt, ap);
	va_end(ap);
	emit(ctx, NULL, rc, rc < 0 ? err : 0, meaning);
}

void explain_end_ptr(struct ctx *ctx, const void *p, int err, const char *meaning)
{
	char res[32];
	snprintf(res, sizeof(res), "%p", p);
	emit(ctx, p ? res : NULL, p ? 0 : -1, p ? 0 : err, meaning);
}

void explain_end_pair(struct ctx *ctx, int rc, int err, const int fds[2], const char *meaning)
{
	char pair[48];
	if (rc < 0) {
		emit(ctx, NULL, rc, err, meaning);
		return;
	}
	/* strace shows the pair among the arguments: pipe2([3, 4], O_CLOEXEC) = 0 */
	char args[sizeof(ctx->explain.args)];
	snprintf(args, sizeof(args), "%s", ctx->explain.args);
	snprintf(pair, sizeof(pair), "[%d, %d]", fds[0], fds[1]);
	explain_args(ctx, "%s%s%s", pair, *args ? ", " : "", args);
	emit(ctx, NULL, rc, 0, meaning);
}

void explain_end_text(struct ctx *ctx, long long rc, int err, const char *result, const char *meaning)
{
	emit(ctx, rc < 0 ? NULL : result, rc, rc < 0 ? err : 0, meaning);
}

const char *xerr(int err, int named, const char *says)
{
	return err == named ? says : strerror(err);
}

/* ---- the hot loop ---- */

bool explain_hold(struct ctx *ctx)
{
	ctx->explain.hold = false;
	ctx->explain.hold = explain_full(ctx);
	return ctx->explain.hold;
}

void explain_release(struct ctx *ctx)
{
	ctx->explain.hold = false;
}

void explain_messages(struct ctx *ctx, uint64_t msgs)
{
	ctx->explain.msgs += msgs;
	ctx->explain.idle = msgs ? 0 : ctx->explain.idle + 1;
}

void explain_count(struct ctx *ctx, const char *call, long long rc, size_t bytes)
{
	explain_lib_count(ctx, NULL, call, rc, rc < 0 ? errno : 0, bytes);
}

void explain_lib_count(struct ctx *ctx, const char *lib, const char *call, long long rc, int err, size_t bytes)
{
	struct explain *x = &ctx->explain;
	for (size_t i = 0; i < ARRAY_SIZE(x->tally); i++) {
		struct explain_tally *t = &x->tally[i];
		if (t->call && strcmp(t->call, call) != 0)
			continue;
		if (!t->call)
			*t = (struct explain_tally){ .call = call,
						     .lib = lib,
						     .n = 0,
						     .failed = 0,
						     .min = SIZE_MAX,
						     .max = 0 };
		t->n++;
		if (rc < 0 && err == EAGAIN)
			t->again++;
		else if (rc < 0)
			t->failed++;
		if (rc < 0 || bytes == SIZE_MAX)
			return;
		if (bytes < t->min)
			t->min = bytes;
		if (bytes > t->max)
			t->max = bytes;
		return;
	}
}

/* n with thousands separators: 9,997. */
static void thousands(char *buf, size_t len, uint64_t n)
{
	char d[32];
	int k = snprintf(d, sizeof(d), "%llu", (unsigned long long)n);
	size_t o = 0;
	for (int i = 0; i < k && o + 2 < len; i++) {
		if (i && (k - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = d[i];
	}
	buf[o] = '\0';
}

static void summary(struct ctx *ctx, const struct explain_tally *t)
{
	char n[32], sizes[64], again[48] = "", meaning[240];
	thousands(n, sizeof(n), t->n);
	if (t->again)
		snprintf(again, sizeof(again), ", %llu with EAGAIN", (unsigned long long)t->again);
	if (t->min == SIZE_MAX)
		snprintf(sizes, sizeof(sizes), "%s", "");
	else if (t->min == t->max)
		snprintf(sizes, sizeof(sizes), " of %zu byte%s", t->min, t->min == 1 ? "" : "s");
	else
		snprintf(sizes, sizeof(sizes), " of %zu-%zu bytes", t->min, t->max);
	/* A library call is in section 3 of the manual, a system call in 2. */
	snprintf(meaning, sizeof(meaning), "... %s more %s(%d) call%s%s%s, %llu failed", n, t->call, t->lib ? 3 : 2,
		 t->n == 1 ? "" : "s", sizes, again, (unsigned long long)t->failed);
	struct explain *x = &ctx->explain;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		return;
	if (x->json) {
		struct out o;
		out_init(&o, fp, true);
		out_open(&o);
		out_string(&o, PRINT_JSON, "call", NULL, t->call);
		if (t->lib)
			out_string(&o, PRINT_JSON, "library", NULL, t->lib);
		out_bool(&o, PRINT_JSON, "summary", NULL, true);
		out_u64(&o, PRINT_JSON, "calls", NULL, t->n);
		if (t->again)
			out_u64(&o, PRINT_JSON, "again", NULL, t->again);
		out_u64(&o, PRINT_JSON, "failed", NULL, t->failed);
		if (t->min != SIZE_MAX) {
			out_u64(&o, PRINT_JSON, "bytes_min", NULL, t->min);
			out_u64(&o, PRINT_JSON, "bytes_max", NULL, t->max);
		}
		out_string(&o, PRINT_JSON, "meaning", NULL, meaning);
		out_i64(&o, PRINT_JSON, "pid", NULL, (int64_t)getpid());
		if (x->side)
			out_string(&o, PRINT_JSON, "side", NULL, x->side);
		out_close(&o);
	} else {
		prefix(fp, x);
		fprintf(fp, "%s\n", meaning);
	}
	flush_record(fp, &buf, &len);
}

void explain_finish(struct ctx *ctx)
{
	struct explain *x = &ctx->explain;
	if (!x->on)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(x->tally); i++)
		if (x->tally[i].call && x->tally[i].n)
			summary(ctx, &x->tally[i]);
	memset(x->tally, 0, sizeof(x->tally));
}

/* ---- read(2) and write(2) loops on a stream ---- */

/* The sentence for a failure of a loop call. */
static const char *says_err(const struct explain_says *s, int err)
{
	for (size_t i = 0; i < ARRAY_SIZE(s->errs) && s->errs[i].err; i++)
		if (s->errs[i].err == err)
			return s->errs[i].says;
	return s->fail ? s->fail : strerror(err);
}

int explain_write_all(struct ctx *ctx, int fd, const void *buf, size_t len, size_t *written,
		      const struct explain_says *says)
{
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		size_t left = len - done;
		bool full = explain_full(ctx);
		if (full)
			explain_begin(ctx, "write", says->blocks, "%d, %s, %zu", fd, xbuf(p + done, left).s, left);
		ssize_t n = write(fd, p + done, left);
		int e = errno;
		if (!full && n < 0 && e != EAGAIN && e != EINTR) {
			/* A failure that ends the loop is told, past N too. */
			explain_begin(ctx, "write", NULL, "%d, %s, %zu", fd, xbuf(p + done, left).s, left);
			full = true;
		}
		if (full) {
			uint64_t m = n > 0 ? msg_count(p + done, (size_t)n) : 0;
			if (n >= 0)
				explain_end(ctx, n, 0, "%llu message%s (%zd bytes): %s", (unsigned long long)m,
					    m == 1 ? "" : "s", n, says->ok);
			else
				explain_end(ctx, n, e, "%s", says_err(says, e));
			explain_messages(ctx, m);
		} else {
			explain_count(ctx, "write", n, n > 0 ? (size_t)n : 0);
		}
		errno = e;
		if (n < 0) {
			if (errno == EINTR && !stop_requested())
				continue;
			if (written)
				*written = done;
			return -1;
		}
		done += (size_t)n;
	}
	if (written)
		*written = done;
	return 0;
}

ssize_t explain_fill(struct ctx *ctx, struct linebuf *lb, int fd, size_t most, const struct explain_says *says)
{
	char *at;
	ssize_t room = linebuf_space(lb, most, &at);
	if (room < 0)
		return -1;
	bool full = explain_full(ctx);
	if (full)
		explain_begin(ctx, "read", says->blocks, "%d, ..., %zd", fd, room);
	ssize_t n = read(fd, at, (size_t)room);
	int e = errno;
	if (n > 0)
		lb->tail += (size_t)n;
	if (!full && ((n == 0 && says->eof_ends) || (n < 0 && e != EAGAIN && e != EINTR && e != ENOBUFS))) {
		/* The end of the stream, or a failure, is told past N too. */
		explain_begin(ctx, "read", NULL, "%d, ..., %zd", fd, room);
		full = true;
	}
	if (!full) {
		explain_count(ctx, "read", n, n > 0 ? (size_t)n : 0);
	} else if (n > 0) {
		uint64_t m = msg_count(at, (size_t)n);
		explain_args(ctx, "%d, %s, %zd", fd, xbuf(at, (size_t)n).s, room);
		explain_end(ctx, n, 0, "%llu whole message%s in %zd bytes: %s", (unsigned long long)m,
			    m == 1 ? "" : "s", n, says->ok);
		explain_messages(ctx, m);
	} else if (n == 0) {
		explain_args(ctx, "%d, \"\", %zd", fd, room);
		explain_end(ctx, 0, 0, "%s", says->eof);
		explain_messages(ctx, 0);
	} else {
		explain_end(ctx, n, e, "%s", says_err(says, e));
		explain_messages(ctx, 0);
	}
	errno = e;
	return n;
}
