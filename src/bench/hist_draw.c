/* SPDX-License-Identifier: MIT */
/* --hist: the round trips' distribution drawn in the terminal, a line
 * under each latency row per placement, and bars after the table when it
 * had a single cell. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "ipcdemo/bench.h"
#include "ipcdemo/hist.h"

#define SPARK_MAX 128
#define SPARK_WIDTH 40
#define BARS_LINES 24
#define BAR_WIDTH 24
#define PLACES_MAX 3

struct hist_draw {
	bool utf8;
	int nrow; /* cells kept of the current row */
	char place[PLACES_MAX][8];
	struct hist row[PLACES_MAX];
	unsigned cells; /* cells measured in the table */
	struct hist first;
};

bool bench_utf8(const char *lc_all, const char *lc_ctype, const char *lang)
{
	const char *v = lc_all && *lc_all ? lc_all : lc_ctype && *lc_ctype ? lc_ctype : lang;
	if (!v)
		return false;
	for (; *v; v++)
		if (strncasecmp(v, "utf-8", 5) == 0 || strncasecmp(v, "utf8", 4) == 0)
			return true;
	return false;
}

void bench_fmt_ns(char *buf, size_t len, double ns)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };
	int u = 0;
	while (u < 3 && ns >= 999.5) {
		ns /= 1e3;
		u++;
	}
	if (u == 0 || ns >= 99.95)
		snprintf(buf, len, "%.0f %s", ns, units[u]);
	else if (ns >= 9.995)
		snprintf(buf, len, "%.1f %s", ns, units[u]);
	else
		snprintf(buf, len, "%.2f %s", ns, units[u]);
}

/* Which of n columns value v goes in, on a log scale from lo (span: the
 * log of hi / lo). */
static int column_of(double v, double lo, double span, int n)
{
	if (span <= 0 || v <= lo)
		return 0;
	int c = (int)(log(v / lo) / span * n);
	return c < 0 ? 0 : c >= n ? n - 1 : c;
}

/* h's counts in n columns; returns the largest. */
static uint64_t columns(const struct hist *h, uint64_t *col, int n, double *lo, double *span)
{
	memset(col, 0, (size_t)n * sizeof(*col));
	*lo = h->min > 1 ? (double)h->min : 1;
	double hi = (double)h->max > *lo ? (double)h->max : *lo;
	*span = log(hi / *lo);
	uint64_t top = 0;
	for (size_t i = 0; hist_next(h, &i); i++) {
		/* The middle of the bucket, within what was seen. */
		double v = ((double)hist_lowest(i) + (double)hist_highest(i)) / 2;
		v = v < *lo ? *lo : v > hi ? hi : v;
		int c = column_of(v, *lo, *span, n);
		col[c] += h->counts[i];
		if (col[c] > top)
			top = col[c];
	}
	return top;
}

void bench_sparkline(char *buf, size_t len, const struct hist *h, int width, bool utf8)
{
	static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = ".:-=+*#@";
	uint64_t col[SPARK_MAX];
	double lo, span;
	size_t at = 0;
	if (len)
		buf[0] = '\0';
	if (!h->count || len == 0)
		return;
	int n = width < 1 ? 1 : width > SPARK_MAX ? SPARK_MAX : width;
	uint64_t top = columns(h, col, n, &lo, &span);
	if (span <= 0)
		n = 1; /* one value: one column */
	for (int c = 0; c < n; c++) {
		int level = col[c] ? (int)ceil(8.0 * (double)col[c] / (double)top) : 0;
		level = level > 8 ? 8 : level;
		char one[2] = { level ? ascii[level - 1] : ' ', '\0' };
		const char *ch = level && utf8 ? blocks[level - 1] : one;
		size_t l = strlen(ch);
		if (at + l >= len)
			break;
		memcpy(buf + at, ch, l);
		at += l;
	}
	buf[at] = '\0';
}

/* A bar of share (0..1) of width columns: eighths of a block in UTF-8,
 * '#' otherwise; at least a sliver when share > 0. */
static void bar(char *buf, size_t len, double share, int width, bool utf8)
{
	static const char *const eighths[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	int units = (int)lround(share * width * (utf8 ? 8 : 1));
	if (share > 0 && units == 0)
		units = 1;
	int full = utf8 ? units / 8 : units, cols = 0;
	size_t at = 0;
	for (int i = 0; i < full && at + 4 < len; i++, cols++)
		at += (size_t)snprintf(buf + at, len - at, "%s", utf8 ? "█" : "#");
	if (utf8 && units % 8 && at + 4 < len) {
		at += (size_t)snprintf(buf + at, len - at, "%s", eighths[units % 8]);
		cols++;
	}
	for (; cols < width && at + 1 < len; cols++)
		buf[at++] = ' ';
	buf[at] = '\0';
}

void bench_hist_bars(FILE *fp, const struct hist *h, int lines, bool utf8)
{
	static const double ps[] = { 50, 90, 99, 99.9 };
	static const char *const pnames[] = { "p50", "p90", "p99", "p99.9" };
	uint64_t col[SPARK_MAX];
	double lo, span;
	if (!h->count)
		return;
	lines = lines < 1 ? 1 : lines > SPARK_MAX ? SPARK_MAX : lines;
	/* Steps of at least 5%: fewer lines for a narrow distribution. */
	double hi = (double)h->max > 1 ? (double)h->max : 1;
	double lo0 = h->min > 1 ? (double)h->min : 1;
	int n = (int)ceil(log(hi / lo0) / log(1.05));
	n = n < 1 ? 1 : n > lines ? lines : n;
	uint64_t top = columns(h, col, n, &lo, &span);
	uint64_t below = 0;
	for (int c = 0; c < n; c++) {
		char a[16], z[16], b[BAR_WIDTH * 4 + 8], tags[32] = "";
		bench_fmt_ns(a, sizeof(a), lo * exp(span * c / n));
		bench_fmt_ns(z, sizeof(z), lo * exp(span * (c + 1) / n));
		for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
			double v = (double)hist_percentile(h, ps[k]);
			if (column_of(v, lo, span, n) == c) {
				size_t l = strlen(tags);
				snprintf(tags + l, sizeof(tags) - l, " %s", pnames[k]);
			}
		}
		bar(b, sizeof(b), (double)col[c] / (double)top, BAR_WIDTH, utf8);
		below += col[c];
		fprintf(fp, "  %9s - %-9s %s %9llu %5.1f%%%s\n", a, z, b, (unsigned long long)col[c],
			100.0 * (double)below / (double)h->count, tags);
	}
}

struct hist_draw *hist_draw_new(void)
{
	struct hist_draw *d = calloc(1, sizeof(*d));
	if (d)
		d->utf8 = bench_utf8(getenv("LC_ALL"), getenv("LC_CTYPE"), getenv("LANG"));
	return d;
}

void hist_draw_cell(struct bench *b, const char *place, const struct lcell *c)
{
	struct hist_draw *d = b->draw;
	if (!d || !c->available || !c->ok || d->nrow >= PLACES_MAX)
		return;
	snprintf(d->place[d->nrow], sizeof(d->place[0]), "%s", place);
	d->row[d->nrow++] = c->hist;
	if (d->cells++ == 0)
		d->first = c->hist;
}

void hist_draw_row(struct bench *b)
{
	struct hist_draw *d = b->draw;
	if (!d)
		return;
	for (int p = 0; p < d->nrow; p++) {
		char spark[SPARK_WIDTH * 4 + 1], lo[16], hi[16];
		bench_sparkline(spark, sizeof(spark), &d->row[p], SPARK_WIDTH, d->utf8);
		bench_fmt_ns(lo, sizeof(lo), (double)d->row[p].min);
		bench_fmt_ns(hi, sizeof(hi), (double)d->row[p].max);
		printf("  %-5s %8s %s %s\n", d->place[p], lo, spark, hi);
	}
	d->nrow = 0;
}

void hist_draw_single(struct bench *b)
{
	struct hist_draw *d = b->draw;
	if (!d || d->cells != 1)
		return;
	char mean[16];
	bench_fmt_ns(mean, sizeof(mean), hist_mean(&d->first));
	printf("\n%llu round trips, mean %s; the share at or below each range:\n", (unsigned long long)d->first.count,
	       mean);
	bench_hist_bars(stdout, &d->first, BARS_LINES, d->utf8);
}
