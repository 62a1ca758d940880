/* SPDX-License-Identifier: MIT */
/* How fast a producer makes messages when sending costs next to nothing:
 * can --source uuid keep up with the channels? */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "internal.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"

/* The producer of the first row's mechanism (the cheapest channel, the
 * tables' first), its output to /dev/null. */
static const struct mechanism *source_mech(void)
{
	struct brow r;
	for (size_t i = 0; brow_at(i, &r); i++)
		if (r.mech)
			return r.mech;
	return NULL;
}

/* 'M produce --source SRC -q --stats' alone. Returns messages/s, or NAN with why
 * filled in. */
static double source_once(struct bench *b, const char *src, uint64_t n, char *why, size_t wlen)
{
	struct role r;
	struct role_out out[2];
	char n_s[24];
	const struct mechanism *m = source_mech();
	if (!m) {
		snprintf(why, wlen, "no mechanism to produce with");
		return NAN;
	}
	snprintf(n_s, sizeof(n_s), "%llu", (unsigned long long)n);
	role_init(&r, m, "produce", b->cpus[0]);
	role_arg(&r, "--source");
	role_arg(&r, src);
	role_arg(&r, "--count");
	role_arg(&r, n_s);
	role_arg(&r, "-q");
	role_arg(&r, "--stats");
	roles_run(b, &r, NULL, NULL, NULL, NULL, 0, out);
	double secs = out[0].got ? (double)out[0].res.elapsed_ns / 1e9 : NAN;
	double rate = out[0].got && secs > 0 ? (double)out[0].res.msgs / secs : NAN;
	if (out[0].status != EXIT_OK || !out[0].got || out[0].res.msgs != n || !(rate > 0)) {
		first_line(why, wlen, out[0].text);
		if (!why[0])
			snprintf(why, wlen, "too fast to time: use --count or --duration");
		return NAN;
	}
	return rate;
}

static double source_rate(struct bench *b, const char *src, char *why, size_t wlen)
{
	uint64_t n = b->count ? b->count : 100000;
	double rate = source_once(b, src, n, why, wlen);
	if (b->count || isnan(rate) || stop_requested())
		return rate;
	double want = rate * (double)b->duration / 1e9;
	return source_once(b, src, want < 10000 ? 10000 : (uint64_t)want, why, wlen);
}

/* libuuid's own generator, for comparison: one uuid_generate_random()
 * and uuid_unparse_lower() per UUID, in this process. */
static double libuuid_rate(struct bench *b)
{
	uuid_t u;
	char text[37];
	uint64_t n = 0;
	int64_t t0 = now_mono_ns(), t;
	do {
		for (int i = 0; i < 256; i++) {
			uuid_generate_random(u);
			uuid_unparse_lower(u, text);
		}
		n += 256;
		t = now_mono_ns();
	} while ((b->count ? n < b->count : t - t0 < b->duration) && !stop_requested());
	return t > t0 ? (double)n * 1e9 / (double)(t - t0) : NAN;
}

static void source_print(struct out *o, bool json, const char *name, double rate, const char *why, const char *note)
{
	if (json) {
		out_open(o);
		out_string(o, PRINT_JSON, "test", NULL, "source");
		out_string(o, PRINT_JSON, "source", NULL, name);
		out_bool(o, PRINT_JSON, "failed", NULL, isnan(rate));
		if (isnan(rate))
			out_string(o, PRINT_JSON, "why", NULL, why);
		else
			out_double(o, PRINT_JSON, "messages_per_s", NULL, rate);
		out_close(o);
		return;
	}
	char r[32];
	if (isnan(rate))
		snprintf(r, sizeof(r), "failed");
	else
		fmt_rate(r, sizeof(r), rate);
	/* The note wrapped to the width, under itself. */
	int used = printf("%-7s %8s  ", name, r);
	if (used < 0)
		used = 0; /* the error shows at the flush */
	wrap_print(stdout, isnan(rate) ? why : note, used, used, term_width(STDOUT_FILENO));
}

static const char *const source_names[SOURCES] = { "counter", "uuid", "libuuid" };

/* Measure one source (NAN: failed, why says so), with the progress. */
static double source_measure(struct bench *b, size_t i, char *why, size_t wlen)
{
	char what[64];
	snprintf(what, sizeof(what), "source %s", source_names[i]);
	progress_show(b->progress, what);
	why[0] = '\0';
	double rate = i < 2 ? source_rate(b, source_names[i], why, wlen) : libuuid_rate(b);
	progress_done(b->progress, b->count ? 1 : (double)b->duration / 1e9);
	return rate;
}

/* Can --source uuid keep up with the channels? Shown with every row. */
void run_sources(struct bench *b, struct out *o)
{
	struct ctx *ctx = b->ctx;
	const struct mechanism *m = source_mech();
	static const char *const notes[SOURCES] = {
		"the numbers 1, 2, 3, ...",
		"random (version 4) UUIDs, ChaCha8 keyed by getrandom",
		"uuid_generate_random + uuid_unparse_lower, for comparison",
	};
	char why[256], text[200];
	if (!ctx->opt.json) {
		int w = term_width(STDOUT_FILENO);
		snprintf(text, sizeof(text),
			 "Message sources: 'ipcdemo %s produce --source S -q' alone, its output to /dev/null%s.",
			 m ? m->name : "?", b->cpus[0] >= 0 ? ", pinned" : "");
		printf("\n");
		wrap_print(stdout, text, 0, 0, w < 80 ? w : 80);
		printf("\n%-7s %8s\n", "source", "msg/s");
		ctx_stdout_error(ctx, flush_stdout());
		progress_after_output(b->progress);
	}
	for (size_t i = 0; i < SOURCES && !stop_requested(); i++) {
		double rate = source_measure(b, i, why, sizeof(why));
		if (stop_requested())
			return;
		source_print(o, ctx->opt.json, source_names[i], rate, why, notes[i]);
		ctx_stdout_error(ctx, flush_stdout());
		progress_after_output(b->progress);
	}
}
