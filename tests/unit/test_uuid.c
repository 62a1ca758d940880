/* SPDX-License-Identifier: MIT */
/* --source uuid: version 4 UUIDs that libuuid reads as such, all distinct,
 * random in every bit that is not the version or the variant. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ipcdemo/uuidgen.h"

#define N 100000

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(uuid_t));
}

Test(uuid, version_4_variant_dce_and_libuuid_agrees)
{
	static struct uuidgen g;
	uuidgen_init(&g);
	for (int i = 0; i < 3 * UUIDGEN_BATCH + 7; i++) {
		char text[UUID_STR_LEN];
		uuid_t back;
		uuidgen_text(&g, text);
		cr_assert_eq(strlen(text), 36);
		cr_assert_eq(text[14], '4', "version nibble of %s", text);
		cr_assert(strchr("89ab", text[19]) != NULL, "variant of %s", text);
		cr_assert_eq(uuid_parse(text, back), 0, "libuuid parses %s", text);
		cr_assert_eq(uuid_type(back), UUID_TYPE_DCE_RANDOM);
		cr_assert_eq(uuid_variant(back), UUID_VARIANT_DCE);
		for (const char *c = text; *c; c++)
			cr_assert(strchr("0123456789abcdef-", *c) != NULL, "lower case: %s", text);
	}
}

Test(uuid, line_is_libuuid_text_and_a_newline)
{
	static struct uuidgen g, twin;
	uuid_t first;
	uuidgen_init(&g);
	uuidgen_next(&g, first); /* its random bytes drawn: the twin draws none */
	for (int i = 1; i < UUIDGEN_BATCH; i++) {
		char want[UUID_STR_LEN], line[UUID_STR_LEN + 8];
		uuid_t u;
		memcpy(&twin, &g, sizeof(g)); /* the same state: the same UUID next */
		uuidgen_next(&twin, u);
		uuid_unparse_lower(u, want);
		memset(line, 'x', sizeof(line));
		char *end = uuidgen_line(&g, line);
		cr_assert_eq(end - line, UUID_STR_LEN);
		cr_assert_eq(line[UUID_STR_LEN - 1], '\n');
		cr_assert_eq(line[UUID_STR_LEN], 'x', "nothing written past the newline");
		cr_assert(memcmp(line, want, UUID_STR_LEN - 1) == 0, "%.36s is libuuid's %s", line, want);
	}
}

Test(uuid, distinct_and_every_free_bit_varies)
{
	static struct uuidgen g;
	static uuid_t all[N];
	unsigned char ones[16] = { 0 }, zeros[16] = { 0 };
	uuidgen_init(&g);
	for (int i = 0; i < N; i++) {
		uuidgen_next(&g, all[i]);
		for (int k = 0; k < 16; k++) {
			ones[k] |= all[i][k];
			zeros[k] |= (unsigned char)~all[i][k];
		}
	}
	qsort(all, N, sizeof(uuid_t), cmp16);
	for (int i = 1; i < N; i++)
		cr_assert_neq(memcmp(all[i - 1], all[i], sizeof(uuid_t)), 0, "duplicate at %d", i);
	for (int k = 0; k < 16; k++) {
		/* Fixed: the version (high nibble of byte 6) and variant (top two bits of byte 8). */
		unsigned char fixed = k == 6 ? 0xf0 : k == 8 ? 0xc0 : 0;
		cr_assert_eq(ones[k] & zeros[k] & (unsigned char)~fixed, (unsigned char)~fixed,
			     "byte %d: a free bit never changed", k);
		cr_assert_eq((unsigned char)(ones[k] & zeros[k] & fixed), 0, "byte %d: a fixed bit changed", k);
	}
}

Test(uuid, a_fresh_generator_never_repeats_the_last_one)
{
	static struct uuidgen a, b;
	uuid_t x, y;
	uuidgen_init(&a);
	uuidgen_init(&b);
	uuidgen_next(&a, x);
	uuidgen_next(&b, y);
	cr_assert_neq(memcmp(x, y, sizeof(uuid_t)), 0);
}
