/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipcdemo/output.h"
#include "ipcdemo/util.h"

void out_init(struct out *o, FILE *fp, bool json)
{
	o->fp = fp;
	o->json = json;
	o->need_comma = false;
}

static bool active(const struct out *o, enum print_mode m)
{
	return m == PRINT_ANY || (m == PRINT_JSON) == o->json;
}

static void key(struct out *o, const char *k)
{
	if (o->need_comma)
		fputc(',', o->fp);
	o->need_comma = true;
	if (k) {
		json_write_string(o->fp, k, strlen(k));
		fputc(':', o->fp);
	}
}

void out_open(struct out *o)
{
	if (o->json)
		fputc('{', o->fp);
	o->need_comma = false;
}

void out_close(struct out *o)
{
	if (o->json)
		fputc('}', o->fp);
	fputc('\n', o->fp);
	o->need_comma = false;
}

void out_array_open(struct out *o, const char *k)
{
	if (!o->json)
		return;
	key(o, k);
	fputc('[', o->fp);
	o->need_comma = false;
}

void out_array_close(struct out *o)
{
	if (!o->json)
		return;
	fputc(']', o->fp);
	o->need_comma = true;
}

void out_object_open(struct out *o, const char *k)
{
	if (!o->json)
		return;
	key(o, k);
	fputc('{', o->fp);
	o->need_comma = false;
}

void out_object_close(struct out *o)
{
	if (!o->json)
		return;
	fputc('}', o->fp);
	o->need_comma = true;
}

void out_string(struct out *o, enum print_mode m, const char *k, const char *fmt, const char *val)
{
	if (!active(o, m))
		return;
	if (o->json) {
		key(o, k);
		if (val)
			json_write_string(o->fp, val, strlen(val));
		else
			fputs("null", o->fp);
	} else if (fmt) {
		fprintf(o->fp, fmt, val ? val : "");
	}
}

void out_bytes(struct out *o, enum print_mode m, const char *k, const char *val, size_t len)
{
	if (!active(o, m))
		return;
	if (o->json) {
		key(o, k);
		json_write_string(o->fp, val, len);
	} else {
		fwrite_unlocked(val, 1, len, o->fp);
	}
}

void out_u64(struct out *o, enum print_mode m, const char *k, const char *fmt, uint64_t val)
{
	if (!active(o, m))
		return;
	if (o->json) {
		key(o, k);
		fprintf(o->fp, "%llu", (unsigned long long)val);
	} else if (fmt) {
		fprintf(o->fp, fmt, (unsigned long long)val);
	}
}

void out_i64(struct out *o, enum print_mode m, const char *k, const char *fmt, int64_t val)
{
	if (!active(o, m))
		return;
	if (o->json) {
		key(o, k);
		fprintf(o->fp, "%lld", (long long)val);
	} else if (fmt) {
		fprintf(o->fp, fmt, (long long)val);
	}
}

void out_double(struct out *o, enum print_mode m, const char *k, const char *fmt, double val)
{
	if (!active(o, m))
		return;
	if (o->json) {
		key(o, k);
		if (isfinite(val))
			fprintf(o->fp, "%.6g", val);
		else
			fputs("null", o->fp);
	} else if (fmt) {
		fprintf(o->fp, fmt, val);
	}
}

void out_bool(struct out *o, enum print_mode m, const char *k, const char *fmt, bool val)
{
	if (!active(o, m))
		return;
	if (o->json) {
		key(o, k);
		fputs(val ? "true" : "false", o->fp);
	} else if (fmt) {
		fprintf(o->fp, fmt, val ? "yes" : "no");
	}
}

void out_null(struct out *o, const char *k)
{
	if (!o->json)
		return;
	key(o, k);
	fputs("null", o->fp);
}

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;
	if (o->json)
		return;
	va_start(ap, fmt);
	vfprintf(o->fp, fmt, ap);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_write_string(FILE *fp, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;
	fputc_unlocked('"', fp);
	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		if (run)
			fwrite_unlocked(s + i - run, 1, run, fp);
		run = 0;
		if (c >= 0x80) {
			size_t n = utf8_seq(s + i, len - i);
			if (n) {
				fwrite_unlocked(s + i, 1, n, fp);
				i += n;
			} else {
				fputs_unlocked("\\ufffd", fp);
				i++;
			}
			continue;
		}
		switch (c) {
		case '"':
			fputs_unlocked("\\\"", fp);
			break;
		case '\\':
			fputs_unlocked("\\\\", fp);
			break;
		case '\n':
			fputs_unlocked("\\n", fp);
			break;
		case '\r':
			fputs_unlocked("\\r", fp);
			break;
		case '\t':
			fputs_unlocked("\\t", fp);
			break;
		case '\b':
			fputs_unlocked("\\b", fp);
			break;
		case '\f':
			fputs_unlocked("\\f", fp);
			break;
		default:
			fprintf(fp, "\\u%04x", c);
			break;
		}
		i++;
	}
	if (run)
		fwrite_unlocked(s + i - run, 1, run, fp);
	fputc_unlocked('"', fp);
}

void format_rfc3339(char *buf, size_t len, int64_t real_ns)
{
	time_t sec = (time_t)(real_ns / NSEC_PER_SEC);
	long usec = (long)((real_ns % NSEC_PER_SEC) / 1000);
	struct tm tm;
	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, len, "1970-01-01T00:00:00.000000Z");
		return;
	}
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ldZ", usec);
}

void info_owner(struct out *o, uid_t uid, gid_t gid, mode_t mode)
{
	const struct passwd *pw = getpwuid(uid);
	char m[8];
	snprintf(m, sizeof(m), "%04o", (unsigned)(mode & 07777));
	out_string(o, PRINT_ANY, "owner", "owner:     %s", pw ? pw->pw_name : "?");
	out_u64(o, PRINT_ANY, "uid", " (uid %llu", uid);
	out_u64(o, PRINT_ANY, "gid", ", gid %llu)\n", gid);
	out_string(o, PRINT_ANY, "mode", "mode:      %s\n", m);
}
