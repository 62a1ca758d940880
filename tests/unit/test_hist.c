/* SPDX-License-Identifier: MIT */
/* The log-linear histogram of round-trip times: its buckets, percentiles
 * against a sorted sample, edge values, merging, and the check of one
 * read from another process. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipcdemo/bench.h"
#include "ipcdemo/hist.h"
#include "ipcdemo/sample.h"

static struct hist *hist_new(void)
{
	struct hist *h = malloc(sizeof(*h));
	cr_assert_not_null(h);
	hist_init(h);
	return h;
}

Test(hist, buckets_tile_the_range)
{
	/* Every bucket follows the previous one, none wider than the precision. */
	cr_assert_eq(hist_lowest(0), 0);
	for (size_t i = 1; i < HIST_BUCKETS; i++) {
		cr_assert_eq(hist_lowest(i), hist_highest(i - 1) + 1, "bucket %zu", i);
		double width = (double)(hist_highest(i) - hist_lowest(i));
		cr_assert_leq(width, HIST_PRECISION * (double)hist_lowest(i), "bucket %zu", i);
		cr_assert_eq(hist_index(hist_lowest(i)), i);
		cr_assert_eq(hist_index(hist_highest(i)), i);
	}
	cr_assert_eq(hist_highest(HIST_BUCKETS - 1), UINT64_MAX);
	cr_assert_eq(hist_index(UINT64_MAX), HIST_BUCKETS - 1);
}

Test(hist, small_values_are_exact)
{
	for (uint64_t v = 0; v < 256; v++) {
		cr_assert_eq(hist_lowest(hist_index(v)), v);
		cr_assert_eq(hist_highest(hist_index(v)), v);
	}
}

/* A deterministic generator (xorshift), for samples of many magnitudes. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(hist, percentiles_within_the_precision_of_a_sorted_sample)
{
	enum { N = 100000 };
	static double v[N];
	struct hist *h = hist_new();
	uint64_t s = 88172645463325252ULL;
	double sum = 0;
	for (int i = 0; i < N; i++) {
		/* Mostly 1-100 us, a tail to 100 ms: log-uniform over 10^3..10^8 ns. */
		double x = exp(log(1e3) + (double)(next_rand(&s) % 1000000) / 1e6 * log(1e5));
		uint64_t ns = (uint64_t)x;
		if (i % 100 == 0)
			ns *= 1000;
		v[i] = (double)ns;
		sum += (double)ns;
		hist_record(h, ns);
	}
	sample_sort(v, N);
	const double ps[] = { 0, 1, 10, 50, 90, 99, 99.9, 99.99, 100 };
	for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		double exact = sample_percentile(v, N, ps[k]);
		double got = (double)hist_percentile(h, ps[k]);
		cr_assert_geq(got, exact, "p%g: %g < %g", ps[k], got, exact);
		cr_assert_leq(got - exact, HIST_PRECISION * exact, "p%g: %g, exact %g", ps[k], got, exact);
	}
	cr_assert_eq(h->count, N);
	cr_assert_eq((double)h->min, v[0]);
	cr_assert_eq((double)h->max, v[N - 1]);
	cr_assert_float_eq(hist_mean(h), sum / N, 1e-9 * sum / N);
	free(h);
}

Test(hist, few_values)
{
	struct hist *h = hist_new();
	cr_assert_eq(hist_percentile(h, 50), 0);
	cr_assert(isnan(hist_mean(h)));
	hist_record(h, 70000);
	for (int p = 0; p <= 100; p += 10)
		cr_assert_eq(hist_percentile(h, p), 70000, "one value: p%d", p);
	for (uint64_t x = 1; x <= 10; x++)
		hist_record(h, x); /* 1..10 and 70000 */
	cr_assert_eq(hist_percentile(h, 50), 6);
	cr_assert_eq(hist_percentile(h, 90), 10);
	cr_assert_eq(hist_percentile(h, 99), 70000);
	cr_assert_eq(hist_percentile(h, 0), 1);
	free(h);
}

Test(hist, edge_values)
{
	struct hist *h = hist_new();
	hist_record(h, 0);
	hist_record(h, 1);
	hist_record(h, UINT64_MAX);
	cr_assert_eq(h->count, 3);
	cr_assert_eq(h->min, 0);
	cr_assert_eq(h->max, UINT64_MAX);
	cr_assert_eq(hist_percentile(h, 0), 0);
	cr_assert_eq(hist_percentile(h, 33), 0);
	cr_assert_eq(hist_percentile(h, 50), 1);
	cr_assert_eq(hist_percentile(h, 99), UINT64_MAX);
	cr_assert_eq(hist_percentile(h, 100), UINT64_MAX);
	cr_assert(hist_valid(h));
	size_t seen[4], n = 0;
	for (size_t i = 0; hist_next(h, &i) && n < 4; i++)
		seen[n++] = i;
	cr_assert_eq(n, 3);
	cr_assert_eq(seen[0], 0);
	cr_assert_eq(seen[1], 1);
	cr_assert_eq(seen[2], HIST_BUCKETS - 1);
	free(h);
}

Test(hist, merge_is_recording_both)
{
	struct hist *a = hist_new(), *b = hist_new(), *both = hist_new();
	uint64_t s = 1234567;
	for (int i = 0; i < 5000; i++) {
		uint64_t x = next_rand(&s) % 10000000, y = next_rand(&s) % 1000;
		hist_record(a, x);
		hist_record(b, y);
		hist_record(both, x);
		hist_record(both, y);
	}
	hist_merge(a, b);
	cr_assert_eq(a->count, both->count);
	cr_assert_eq(a->min, both->min);
	cr_assert_eq(a->max, both->max);
	cr_assert_float_eq(a->sum, both->sum, 1e-6 * both->sum);
	for (size_t i = 0; i < HIST_BUCKETS; i++)
		cr_assert_eq(a->counts[i], both->counts[i], "bucket %zu", i);
	/* Merging an empty histogram changes nothing. */
	hist_init(b);
	hist_merge(a, b);
	cr_assert_eq(a->min, both->min);
	cr_assert_eq(hist_percentile(a, 99.9), hist_percentile(both, 99.9));
	free(a);
	free(b);
	free(both);
}

Test(hist, inconsistent_histograms_are_refused)
{
	struct hist *h = hist_new();
	cr_assert(hist_valid(h));
	hist_record(h, 5000);
	hist_record(h, 9000);
	cr_assert(hist_valid(h));
	h->count++;
	cr_assert_not(hist_valid(h), "counts that do not add up");
	h->count--;
	h->min = 1;
	cr_assert_not(hist_valid(h), "a minimum outside the first bucket");
	h->min = 5000;
	h->counts[HIST_BUCKETS - 1] = UINT64_MAX;
	cr_assert_not(hist_valid(h), "counts that overflow");
	h->counts[HIST_BUCKETS - 1] = 0;
	h->sum = NAN;
	cr_assert_not(hist_valid(h), "a sum that is not a number");
	free(h);
}

/* --hist's drawing (src/bench/hist_draw.c). */
Test(hist_draw, utf8_from_the_locale_variables)
{
	cr_assert(bench_utf8(NULL, NULL, "en_US.UTF-8"));
	cr_assert(bench_utf8("", "", "de_DE.utf8"));
	cr_assert(bench_utf8(NULL, "C.UTF-8", "C"));
	cr_assert_not(bench_utf8("C", "C.UTF-8", "en_US.UTF-8"), "LC_ALL wins");
	cr_assert_not(bench_utf8(NULL, NULL, NULL));
	cr_assert_not(bench_utf8(NULL, NULL, "POSIX"));
}

Test(hist_draw, durations_in_three_digits)
{
	char b[16];
	bench_fmt_ns(b, sizeof(b), 850);
	cr_assert_str_eq(b, "850 ns");
	bench_fmt_ns(b, sizeof(b), 4200);
	cr_assert_str_eq(b, "4.20 us");
	bench_fmt_ns(b, sizeof(b), 42000);
	cr_assert_str_eq(b, "42.0 us");
	bench_fmt_ns(b, sizeof(b), 999999);
	cr_assert_str_eq(b, "1.00 ms");
	bench_fmt_ns(b, sizeof(b), 2.5e9);
	cr_assert_str_eq(b, "2.50 s");
}

Test(hist_draw, sparkline_columns)
{
	struct hist *h = hist_new();
	char b[512];
	bench_sparkline(b, sizeof(b), h, 10, false);
	cr_assert_str_eq(b, "", "empty: nothing");
	for (int i = 0; i < 80; i++)
		hist_record(h, 1000);
	for (int i = 0; i < 20; i++)
		hist_record(h, 100000);
	hist_record(h, 10000);
	/* Log scale from 1 us to 100 us in 10 columns: 10 us in the middle;
	 * heights by eighths of the largest (80): 1 is ".", 20 is ":". */
	bench_sparkline(b, sizeof(b), h, 10, false);
	cr_assert_str_eq(b, "@    .   :", "got '%s'", b);
	bench_sparkline(b, sizeof(b), h, 10, true);
	cr_assert_str_eq(b, "█    ▁   ▂", "got '%s'", b);
	/* Never past the buffer. */
	bench_sparkline(b, 8, h, 10, true);
	cr_assert_leq(strlen(b), 7);
	hist_init(h);
	hist_record(h, 0);
	bench_sparkline(b, sizeof(b), h, 10, false);
	cr_assert_str_eq(b, "@", "one value: one column");
	free(h);
}
