/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipcdemo/output.h"

/* Run json_write_string on s[0..len) and return the text. */
static char *json(const char *s, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	cr_assert_not_null(fp);
	json_write_string(fp, s, len);
	fclose(fp);
	return buf;
}

static void check(const char *in, size_t len, const char *want)
{
	char *got = json(in, len);
	cr_assert_str_eq(got, want);
	free(got);
}

Test(json, plain_and_escapes)
{
	check("hello", 5, "\"hello\"");
	check("", 0, "\"\"");
	check("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	check("\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"");
	check("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"");
	check("a\0b", 3, "\"a\\u0000b\"");
	check("/", 1, "\"/\"");
}

Test(json, utf8_valid_passes_invalid_replaced)
{
	check("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
	check("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");         /* euro sign */
	check("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\""); /* emoji */
	check("\xff", 1, "\"\\ufffd\"");
	check("\xc3", 1, "\"\\ufffd\"");                       /* truncated sequence */
	check("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");            /* overlong */
	check("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
	check("a\xe2\x82", 3, "\"a\\ufffd\\ufffd\"");
}

static char *record(bool json_mode)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	struct out o;
	out_init(&o, fp, json_mode);
	out_open(&o);
	out_string(&o, PRINT_ANY, "name", "name=%s", "fifo");
	out_u64(&o, PRINT_ANY, "count", " count=%llu", 42);
	out_bool(&o, PRINT_JSON, "ok", NULL, true);
	out_string(&o, PRINT_TEXT, NULL, " (text only)", NULL);
	out_array_open(&o, "list");
	out_u64(&o, PRINT_JSON, NULL, NULL, 1);
	out_u64(&o, PRINT_JSON, NULL, NULL, 2);
	out_array_close(&o);
	out_double(&o, PRINT_ANY, "rate", " rate=%.1f", 2.5);
	out_close(&o);
	fclose(fp);
	return buf;
}

Test(out, one_call_both_formats)
{
	char *t = record(false);
	char *j = record(true);
	cr_assert_str_eq(t, "name=fifo count=42 (text only) rate=2.5\n");
	cr_assert_str_eq(j, "{\"name\":\"fifo\",\"count\":42,\"ok\":true,\"list\":[1,2],\"rate\":2.5}\n");
	free(t);
	free(j);
}

Test(time, rfc3339)
{
	char buf[40];
	format_rfc3339(buf, sizeof(buf), 0);
	cr_assert_str_eq(buf, "1970-01-01T00:00:00.000000Z");
	format_rfc3339(buf, sizeof(buf), 1795350896123456789LL);
	cr_assert_str_eq(buf, "2026-11-22T12:34:56.123456Z");
}
