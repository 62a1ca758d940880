/* SPDX-License-Identifier: MIT */
/* A log-linear histogram of nanoseconds (HdrHistogram's bucket layout):
 * values below 256 have a bucket each; above, every power of two [2^e,
 * 2^(e+1)) is split into 128 equal sub-buckets, so a bucket is at most
 * 1/128 (0.78%) of the values it holds wide. It covers every uint64_t in
 * a fixed array; recording is O(1) and never allocates. */
#ifndef IPCDEMO_HIST_H
#define IPCDEMO_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS 7 /* 2^7 sub-buckets per power of two above 2^8 */
#define HIST_BUCKETS ((size_t)(64 - HIST_SUB_BITS + 1) << HIST_SUB_BITS)
/* The largest relative width of a bucket, and so the precision of every
 * percentile (the value reported is the bucket's highest). */
#define HIST_PRECISION (1.0 / (1 << HIST_SUB_BITS))

struct hist {
	uint64_t count;    /* values recorded */
	uint64_t min, max; /* exact; min UINT64_MAX and max 0 when empty */
	double sum;        /* of the values, for the mean */
	uint64_t counts[HIST_BUCKETS];
};

void hist_init(struct hist *h);
/* The bucket of value v, and the lowest and highest value of bucket i. */
size_t hist_index(uint64_t v);
uint64_t hist_lowest(size_t i);
uint64_t hist_highest(size_t i);
void hist_record(struct hist *h, uint64_t v);
/* Add src's values to dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/* The p-th percentile by the nearest rank (p in [0, 100]): the highest
 * value of the bucket that holds the ceil(p/100 * count)-th smallest
 * value, within [min, max]; p 0 is the minimum, p 100 the maximum. 0
 * when empty. It is at or above the exact sample percentile and within
 * HIST_PRECISION of it. */
uint64_t hist_percentile(const struct hist *h, double p);
/* The exact mean (NaN when empty). */
double hist_mean(const struct hist *h);
/* The first non-empty bucket at or after *i: true with *i set, false at
 * the end. for (size_t i = 0; hist_next(h, &i); i++) ... */
bool hist_next(const struct hist *h, size_t *i);
/* Whether h is consistent (it came from another process): the counts add
 * up to count without overflow, and min and max are in the first and the
 * last non-empty bucket. */
bool hist_valid(const struct hist *h);

#endif
