/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ipcdemo/output.h"
#include "ipcdemo/stats.h"
#include "ipcdemo/util.h"

static void verify_fields(struct out *o, const struct verify_result *vr)
{
	out_object_open(o, "verify");
	out_u64(o, PRINT_ANY, "producers", "verify: %llu producer", vr->producers);
	out_text(o, "%s", vr->producers == 1 ? "" : "s");
	out_u64(o, PRINT_ANY, "received", ", %llu received", vr->received);
	out_u64(o, PRINT_ANY, "lost", ", %llu lost", vr->lost);
	out_u64(o, PRINT_ANY, "duplicated", ", %llu duplicated", vr->duplicated);
	out_u64(o, PRINT_ANY, "reordered", ", %llu reordered", vr->reordered);
	if (vr->unstamped || o->json)
		out_u64(o, PRINT_ANY, "unstamped", ", %llu without a --seq stamp", vr->unstamped);
	if (vr->untracked || o->json)
		out_u64(o, PRINT_ANY, "untracked", ", %llu from untracked producers", vr->untracked);
	if (vr->untracked)
		out_text(o, " (limit of %zu producers reached)", VERIFY_PRODUCERS_MAX);
	if (vr->unchecked || o->json)
		out_u64(o, PRINT_ANY, "unchecked", ", %llu too far out of order to check", vr->unchecked);
	if (vr->unchecked && vr->starved)
		out_text(o, " (more than %llu behind, or the memory limit of %zu MiB reached)",
			 (unsigned long long)VERIFY_WINDOW, VERIFY_MEMORY_MAX >> 20);
	else if (vr->unchecked)
		out_text(o, " (more than %llu behind)", (unsigned long long)VERIFY_WINDOW);
	if (vr->before_first || o->json)
		out_u64(o, PRINT_ANY, "before_first", ", %llu sent before the first one received (joined late)",
			vr->before_first);
	out_bool(o, PRINT_JSON, "ok", NULL, verify_clean(vr));
	out_text(o, "%s", verify_clean(vr) ? "" : " (FAILED)");
	out_object_close(o);
}

/* The share of a consumer of a shared channel (PUSH/PULL): the stamps it
 * got of those sent up to the highest it saw. The rest is no loss it can
 * tell from another consumer's share. */
static void share_fields(struct out *o, const char *prog, const struct verify_result *s)
{
	double pct = s->upto ? 100.0 * (double)s->distinct / (double)s->upto : 0;
	out_text(o, "\n%s: ", prog);
	out_object_open(o, "share");
	out_u64(o, PRINT_ANY, "received", "share: received %llu", s->distinct);
	out_u64(o, PRINT_ANY, "of", " of the %llu stamps up to each producer's highest", s->upto);
	if (s->upto) {
		out_double(o, PRINT_ANY, "percent", " (%.1f%%)", pct);
		if (s->upto > s->distinct)
			out_text(o, "; the rest went to other consumers or %s lost",
				 s->upto - s->distinct == 1 ? "was" : "were");
	} else {
		out_text(o, " (no --seq stamps to tell it by)");
	}
	out_object_close(o);
}

/* A span of time with a unit that suits it: "5.013 ms", "1.250 s". */
static void format_span(char *buf, size_t len, int64_t ns)
{
	if (ns >= NSEC_PER_SEC)
		snprintf(buf, len, "%.3f s", (double)ns / (double)NSEC_PER_SEC);
	else if (ns >= NSEC_PER_MSEC)
		snprintf(buf, len, "%.3f ms", (double)ns / (double)NSEC_PER_MSEC);
	else
		snprintf(buf, len, "%.3f us", (double)ns / 1e3);
}

/* The rate over the active span, from the first message to the last: the
 * wait before the first and after the last is not in it. None for fewer
 * than two messages or a span too short for the clock. */
static void active_fields(struct out *o, const struct run_stats *st)
{
	int64_t span = st->first_ns && st->msgs > 1 ? st->last_ns - st->first_ns : 0;
	if (span <= 0) {
		out_null(o, "active_s");
		out_null(o, "rate_active");
		out_null(o, "mb_per_s_active");
		return;
	}
	double secs = (double)span / (double)NSEC_PER_SEC;
	char d[32];
	format_span(d, sizeof(d), span);
	out_double(o, PRINT_JSON, "active_s", NULL, secs);
	out_double(o, PRINT_ANY, "rate_active", "\n  rate     %.0f msg/s", (double)st->msgs / secs);
	out_double(o, PRINT_ANY, "mb_per_s_active", ", %.2f MB/s", (double)st->bytes / secs / 1e6);
	out_text(o, " (first message to last: %s)", d);
}

/* The system calls that moved the messages, and the messages per call:
 * how much the run batched. A producer's writes, a consumer's reads. */
static void calls_fields(struct out *o, const struct run_stats *st)
{
	bool sent = strcmp(st->verb, "sent") == 0;
	out_u64(o, PRINT_ANY, sent ? "writes" : "reads", sent ? "\n  writes   %llu" : "\n  reads    %llu", st->calls);
	if (st->calls)
		out_double(o, PRINT_ANY, sent ? "messages_per_write" : "messages_per_read",
			   sent ? ", %.1f messages per write" : ", %.1f messages per read",
			   (double)st->msgs / (double)st->calls);
	else
		out_null(o, sent ? "messages_per_write" : "messages_per_read");
}

/* The summary, a short block for 80 columns, one line per topic: the
 * counts, then indented the rate over the active span, the elapsed time
 * (waits included) and the processor time; the verification and the share
 * after it, as their own "PROG: " lines. JSON keeps one object, its keys
 * as they always were, and the active span's added. */
void stats_print(const struct ctx *ctx, const struct run_stats *st, const struct verify_result *vr)
{
	struct out o;
	double secs = (double)st->elapsed_ns / (double)NSEC_PER_SEC;

	fflush(stdout);
	out_init(&o, stderr, ctx->opt.json);
	out_open(&o);
	out_string(&o, PRINT_TEXT, NULL, "%s: ", ctx->prog);
	out_string(&o, PRINT_JSON, "type", NULL, "summary");
	out_string(&o, PRINT_JSON, "mechanism", NULL, ctx->mech ? ctx->mech->name : NULL);
	out_string(&o, PRINT_JSON, "verb", NULL, ctx->verb ? ctx->verb->name : NULL);
	out_string(&o, PRINT_TEXT, NULL, "%s ", st->verb);
	out_u64(&o, PRINT_ANY, st->verb, "%llu", st->msgs);
	out_text(&o, " message%s", st->msgs == 1 ? "" : "s");
	out_u64(&o, PRINT_ANY, "bytes", ", %llu bytes", st->bytes);
	out_double(&o, PRINT_JSON, "elapsed_s", NULL, secs);
	/* Over the whole run, waits included: in JSON only, as it always was. */
	out_double(&o, PRINT_JSON, "messages_per_s", NULL, secs > 0 ? (double)st->msgs / secs : 0);
	out_double(&o, PRINT_JSON, "mb_per_s", NULL, secs > 0 ? (double)st->bytes / secs / 1e6 : 0);
	if (st->truncated)
		out_u64(&o, PRINT_ANY, "truncated", ", %llu truncated", st->truncated);
	active_fields(&o, st);
	calls_fields(&o, st);
	out_text(&o, "\n  elapsed  %.3f s, waits included", secs);
	/* Processor time of the whole process: what the run cost. */
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		out_double(&o, PRINT_ANY, "cpu_user_s", "\n  cpu      %.6f s user",
			   (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6);
		out_double(&o, PRINT_ANY, "cpu_sys_s", " + %.6f s system",
			   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	}
	if (st->first_ns) {
		out_i64(&o, PRINT_JSON, "first_mono_ns", NULL, st->first_ns);
		out_i64(&o, PRINT_JSON, "last_mono_ns", NULL, st->last_ns);
	}
	if (vr) {
		out_text(&o, "\n%s: ", ctx->prog);
		verify_fields(&o, vr);
	}
	if (st->share)
		share_fields(&o, ctx->prog, st->share);
	out_close(&o);
	fflush(stderr);
}

void verify_print(const struct ctx *ctx, const struct verify_result *vr, const struct verify_result *share)
{
	struct out o;
	fflush(stdout);
	out_init(&o, stderr, ctx->opt.json);
	out_open(&o);
	out_string(&o, PRINT_TEXT, NULL, "%s: ", ctx->prog);
	out_string(&o, PRINT_JSON, "type", NULL, "verify");
	verify_fields(&o, vr);
	if (share)
		share_fields(&o, ctx->prog, share);
	out_close(&o);
	fflush(stderr);
}

/* The environment and not an option: the benchmark's children are forked
 * and dispatch any mechanism's verb; an option would have to be in every
 * verb's table and hidden from help and completion. The variable is set
 * in the forked child only, and read once per dispatch into the ctx. */
int run_result_fd(void)
{
	const char *v = getenv(RUN_RESULT_ENV);
	char *end;
	if (!v || !*v)
		return 0;
	errno = 0;
	long fd = strtol(v, &end, 10);
	if (errno || *end || fd <= STDERR_FILENO || fd > 65535)
		return 0;
	return (int)fd;
}

void run_result_write(const struct ctx *ctx, const struct run_stats *st)
{
	if (ctx->result_fd <= STDERR_FILENO)
		return;
	struct run_result r = {
		.msgs = st->msgs,
		.bytes = st->bytes,
		.elapsed_ns = st->elapsed_ns,
		.first_ns = st->first_ns,
		.last_ns = st->last_ns,
		.cpu_s = 0,
		.calls = st->calls,
	};
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		r.cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
			  (double)ru.ru_stime.tv_usec / 1e6;
	ssize_t n;
	while ((n = write(ctx->result_fd, &r, sizeof(r))) < 0 && errno == EINTR)
		;
}
