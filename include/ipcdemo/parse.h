/* SPDX-License-Identifier: MIT */
/* Value parsers of the options (parse.c), shared with the unit tests and
 * the mechanisms that read a value further (keys, addresses). */
#ifndef IPCDEMO_PARSE_H
#define IPCDEMO_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Each returns 0, or -1 with a short reason ("not a whole number",
 * "unknown unit 'Q'") in *why. */
int parse_count(const char *s, uint64_t *out, const char **why);
int parse_size(const char *s, uint64_t *out, const char **why);
int parse_duration(const char *s, int64_t *out_ns, const char **why);
int parse_mode(const char *s, mode_t *out, const char **why);
int parse_integer(const char *s, int64_t *out, const char **why);
/* A System V key: 0x and hexadecimal digits, or decimal from -2147483648
 * to 4294967295 without a plus sign or leading zeros (never octal); the
 * 32 bits of it. */
int parse_key(const char *s, uint32_t *out, const char **why);
/* An ftok(3) project id: one character that is not a digit, or decimal
 * 1 to 255. */
int parse_proj(const char *s, int *out, const char **why);
/* --address: HOST:PORT, [IPv6]:PORT, PORT, HOST or a bare IPv6 address
 * (optionally with a %scope). Copies the host and the port, each empty
 * when left out. A port is decimal digits for 1 to 65535 or the name of a
 * service, which the caller looks up; a host is a name or a numeric
 * address. */
int parse_address(const char *s, char *host, size_t hl, char *port, size_t pl, const char **why);

/* Levenshtein distance, for "did you mean". */
unsigned edit_distance(const char *a, const char *b);

#endif
