/* SPDX-License-Identifier: MIT */
/* One record printer for text and JSON Lines: each field is printed through
 * one call that knows both its JSON key and its text form (iproute2's
 * print_string(PRINT_ANY, ...) idea), so the two outputs cannot drift. */
#ifndef IPCDEMO_OUTPUT_H
#define IPCDEMO_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum print_mode {
	PRINT_ANY,  /* both text and JSON */
	PRINT_TEXT, /* text only */
	PRINT_JSON, /* JSON only */
};

struct out {
	FILE *fp;
	bool json;
	bool need_comma;
};

void out_init(struct out *o, FILE *fp, bool json);
/* Start and end one record (a JSON object on its own line; in text the
 * closing ends the line). */
void out_open(struct out *o);
void out_close(struct out *o);
/* Nested arrays/objects in JSON (text: nothing). */
void out_array_open(struct out *o, const char *key);
void out_array_close(struct out *o);
void out_object_open(struct out *o, const char *key);
void out_object_close(struct out *o);

/* fmt is a printf format with one conversion for the value, used in text. */
void out_string(struct out *o, enum print_mode m, const char *key, const char *fmt, const char *val);
/* Raw bytes: in text written as they are, in JSON escaped. */
void out_bytes(struct out *o, enum print_mode m, const char *key, const char *val, size_t len);
void out_u64(struct out *o, enum print_mode m, const char *key, const char *fmt, uint64_t val);
void out_i64(struct out *o, enum print_mode m, const char *key, const char *fmt, int64_t val);
void out_double(struct out *o, enum print_mode m, const char *key, const char *fmt, double val);
void out_bool(struct out *o, enum print_mode m, const char *key, const char *fmt, bool val);
void out_null(struct out *o, const char *key);
/* Free text, text mode only. */
void out_text(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write s as a JSON string literal (with quotes). Invalid UTF-8 bytes
 * become U+FFFD, control characters \uXXXX escapes. */
void json_write_string(FILE *fp, const char *s, size_t len);

/* RFC 3339 UTC time with microseconds, e.g. 2026-11-21T12:00:00.123456Z. */
void format_rfc3339(char *buf, size_t len, int64_t real_ns);

/* The owner and mode lines of an 'info' record (labels 11 wide):
 * "owner:     root (uid 0, gid 0)", "mode:      0600". */
void info_owner(struct out *o, uid_t uid, gid_t gid, mode_t mode);

#endif
