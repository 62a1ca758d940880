/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>

#include "ipcdemo/sample.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void sample_sort(double *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_double);
}

double sample_percentile(const double *v, size_t n, double p)
{
	if (n == 0)
		return NAN;
	if (p <= 0)
		return v[0];
	if (p >= 100)
		return v[n - 1];
	/* rank = ceil(p/100 * n), 1-based */
	double r = ceil(p / 100.0 * (double)n);
	size_t i = r < 1 ? 0 : (size_t)r - 1;
	return v[i < n ? i : n - 1];
}

double sample_median(const double *v, size_t n)
{
	if (n == 0)
		return NAN;
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double sample_spread(const double *v, size_t n)
{
	if (n < 2)
		return 0;
	double m = sample_median(v, n);
	if (m == 0)
		return NAN;
	return (v[n - 1] - v[0]) / m;
}
