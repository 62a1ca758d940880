/* SPDX-License-Identifier: MIT */
/* The log-linear histogram (include/ipcdemo/hist.h). The layout follows
 * HdrHistogram's: the position of the highest set bit picks a power of
 * two, the next HIST_SUB_BITS bits the sub-bucket within it. */
#include <math.h>
#include <string.h>

#include "ipcdemo/hist.h"

#define SUB ((uint64_t)1 << HIST_SUB_BITS)
#define LINEAR (2 * SUB) /* values below have a bucket each */

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

size_t hist_index(uint64_t v)
{
	if (v < LINEAR)
		return (size_t)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v); /* 2^e <= v < 2^(e+1), e > HIST_SUB_BITS */
	unsigned shift = e - HIST_SUB_BITS;
	/* v >> shift is in [SUB, 2 * SUB): the sub-bucket plus SUB. */
	return (size_t)shift * SUB + (size_t)(v >> shift);
}

/* The bucket's shift: values of bucket i step by 2^shift. */
static unsigned bucket_shift(size_t i)
{
	return i < LINEAR ? 0 : (unsigned)(i / SUB) - 1;
}

uint64_t hist_lowest(size_t i)
{
	if (i < LINEAR)
		return i;
	unsigned shift = bucket_shift(i);
	return (uint64_t)(i - (size_t)shift * SUB) << shift;
}

uint64_t hist_highest(size_t i)
{
	unsigned shift = bucket_shift(i);
	return hist_lowest(i) + (((uint64_t)1 << shift) - 1);
}

void hist_record(struct hist *h, uint64_t v)
{
	h->counts[hist_index(v)]++;
	h->count++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	for (size_t i = 0; i < HIST_BUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	if (h->count == 0)
		return 0;
	if (!(p > 0))
		return h->min;
	if (p >= 100)
		return h->max;
	double r = ceil(p / 100.0 * (double)h->count);
	uint64_t rank = r < 1 ? 1 : r >= (double)h->count ? h->count : (uint64_t)r;
	uint64_t seen = 0;
	for (size_t i = 0; i < HIST_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			uint64_t v = hist_highest(i);
			return v > h->max ? h->max : v < h->min ? h->min : v;
		}
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? h->sum / (double)h->count : NAN;
}

bool hist_next(const struct hist *h, size_t *i)
{
	for (; *i < HIST_BUCKETS; (*i)++)
		if (h->counts[*i])
			return true;
	return false;
}

bool hist_valid(const struct hist *h)
{
	uint64_t n = 0;
	size_t first = HIST_BUCKETS, last = 0;
	for (size_t i = 0; i < HIST_BUCKETS; i++) {
		if (!h->counts[i])
			continue;
		if (__builtin_add_overflow(n, h->counts[i], &n))
			return false;
		if (first == HIST_BUCKETS)
			first = i;
		last = i;
	}
	if (n != h->count)
		return false;
	if (n == 0)
		return h->min == UINT64_MAX && h->max == 0;
	return h->min <= h->max && hist_index(h->min) == first && hist_index(h->max) == last && isfinite(h->sum) &&
	       h->sum >= 0;
}
