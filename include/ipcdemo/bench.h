/* SPDX-License-Identifier: MIT */
/* The benchmark's pure parts, shared with the unit tests: the --size list
 * and the message size limits of each mechanism. */
#ifndef IPCDEMO_BENCH_H
#define IPCDEMO_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct hist;

/* A --source counter message of the largest count, 50000000, and its
 * newline fit in 16 bytes: no message is longer than the size asked. */
#define BENCH_SIZE_MIN 16
#define BENCH_SIZE_MAX ((size_t)16 << 20)

/* "64,4k,64k" -> sizes. Returns 0, or -1 with the reason in why. */
int bench_parse_sizes(const char *s, size_t *out, int max, int *n, char *why, size_t wlen);
/* The largest message the row ("udp", "mq", "unix dgram", ...) takes in
 * this system, 0 for no limit; why names the limit ("msgmax 8192"). */
size_t bench_limit(const char *row, char *why, size_t len);
/* The benchmark's rows ("unix stream") and the words that select them
 * ("unix"), in table order; NULL past the end. */
const char *bench_row_name(size_t i);
const char *bench_row_group(size_t i);
/* The word that selects row i alone ("unix-stream"), or NULL when its
 * group word does. */
const char *bench_row_word(size_t i);
/* No row: no floor, or no row of that word. */
#define BENCH_NO_FLOOR ((size_t)-1)
/* The word of row i's floor, the bare row of the same kernel object
 * ("bare-unix"), or NULL. */
const char *bench_row_floor(size_t i);
/* The index of the row that word selects alone, or BENCH_NO_FLOOR (none,
 * or word NULL). */
size_t bench_row_of_word(const char *word);

/* The order in which a pass of --repeat runs n cells, given in the
 * table's order by row (the index of the cell's row), floor (the index of
 * that row's floor row, BENCH_NO_FLOOR for none), size and place: each
 * cell of a row that has a floor is followed by the same cell (size and
 * placement) of the other rows with that floor, then of the floor, so
 * that the cells a ratio is made of run seconds apart, not a pass apart.
 * order gets a permutation of 0..n-1. */
void bench_pass_order(const size_t *row, const size_t *floor, const size_t *size, const int *place, size_t n,
		      size_t *order);

/* --hist (src/bench/hist_draw.c). Whether the locale's characters are
 * UTF-8, from LC_ALL, LC_CTYPE and LANG (the first set one wins). */
bool bench_utf8(const char *lc_all, const char *lc_ctype, const char *lang);
/* h's distribution in width columns (at most 128) on a log scale from its
 * minimum to its maximum, each column's height by its count (a space:
 * none; block characters ▁ to █, or ".:-=+*#@" without UTF-8). */
void bench_sparkline(char *buf, size_t len, const struct hist *h, int width, bool utf8);
/* h as horizontal bars, one line per range of values (at most lines, at
 * least a 5% step, log scale): the range, the bar, the count, the share
 * at or below, and which of p50, p90, p99 and p99.9 fall in it. */
void bench_hist_bars(FILE *fp, const struct hist *h, int lines, bool utf8);
/* A duration in nanoseconds with three digits and its unit: "850 ns",
 * "4.20 us", "42.0 us", "1.23 ms". */
void bench_fmt_ns(char *buf, size_t len, double ns);

#endif
