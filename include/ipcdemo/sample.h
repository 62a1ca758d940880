/* SPDX-License-Identifier: MIT */
/* Statistics of measured samples (round-trip times, repeated runs): the
 * median, nearest-rank percentiles and the relative spread. */
#ifndef IPCDEMO_SAMPLE_H
#define IPCDEMO_SAMPLE_H

#include <stddef.h>

/* Sort v ascending in place. */
void sample_sort(double *v, size_t n);
/* On sorted v: the p-th percentile by the nearest-rank method (the
 * smallest value with at least p% of the samples at or below it); p in
 * [0, 100]; p 0 gives the minimum. NaN when n is 0. */
double sample_percentile(const double *v, size_t n, double p);
/* On sorted v: the median (the mean of the two middle values when n is
 * even). NaN when n is 0. */
double sample_median(const double *v, size_t n);
/* On sorted v: (max - min) / median, the relative spread of repeated
 * runs; 0 for fewer than two samples, NaN when the median is 0. */
double sample_spread(const double *v, size_t n);

#endif
