/* SPDX-License-Identifier: MIT */
/* The benchmark's pure parts, shared with the unit tests: the --size list
 * and the message size limits of each mechanism. */
#ifndef IPCDEMO_BENCH_H
#define IPCDEMO_BENCH_H

#include <stddef.h>

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

#endif
