/* SPDX-License-Identifier: MIT */
/* The statistics the benchmark reports. */
#include <criterion/criterion.h>
#include <math.h>

#include "ipcdemo/sample.h"

Test(sample, median_odd_and_even)
{
	double a[] = { 5, 1, 3 };
	sample_sort(a, 3);
	cr_assert_float_eq(sample_median(a, 3), 3.0, 1e-12);
	double b[] = { 4, 1, 3, 2 };
	sample_sort(b, 4);
	cr_assert_float_eq(b[0], 1.0, 0);
	cr_assert_float_eq(b[3], 4.0, 0);
	cr_assert_float_eq(sample_median(b, 4), 2.5, 1e-12);
	double c[] = { 7 };
	cr_assert_float_eq(sample_median(c, 1), 7.0, 0);
	cr_assert(isnan(sample_median(c, 0)));
}

Test(sample, nearest_rank_percentiles)
{
	double v[100];
	for (int i = 0; i < 100; i++)
		v[i] = 100 - i; /* 100 .. 1, sorted below */
	sample_sort(v, 100);
	cr_assert_float_eq(sample_percentile(v, 100, 0), 1.0, 0);
	cr_assert_float_eq(sample_percentile(v, 100, 50), 50.0, 0);
	cr_assert_float_eq(sample_percentile(v, 100, 99), 99.0, 0);
	cr_assert_float_eq(sample_percentile(v, 100, 99.5), 100.0, 0);
	cr_assert_float_eq(sample_percentile(v, 100, 100), 100.0, 0);
	/* Few samples: p99 of 10 is the largest. */
	double w[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	cr_assert_float_eq(sample_percentile(w, 10, 99), 10.0, 0);
	cr_assert_float_eq(sample_percentile(w, 10, 90), 9.0, 0);
	cr_assert_float_eq(sample_percentile(w, 10, 10), 1.0, 0);
	cr_assert(isnan(sample_percentile(w, 0, 50)));
}

Test(sample, spread_is_relative_to_the_median)
{
	double v[] = { 90, 100, 130 };
	cr_assert_float_eq(sample_spread(v, 3), 0.4, 1e-12);
	double one[] = { 5 };
	cr_assert_float_eq(sample_spread(one, 1), 0.0, 0);
	double zero[] = { 0, 0, 0 };
	cr_assert(isnan(sample_spread(zero, 3)));
}
