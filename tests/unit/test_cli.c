/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ipcdemo/cli.h"
#include "ipcdemo/mechanism.h"
#include "ipcdemo/util.h"

Test(count, accepts_whole_numbers)
{
	uint64_t v;
	const char *why;
	cr_assert_eq(parse_count("0", &v, &why), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(parse_count("42", &v, &why), 0);
	cr_assert_eq(v, 42);
	cr_assert_eq(parse_count("18446744073709551615", &v, &why), 0);
	cr_assert_eq(v, UINT64_MAX);
}

Test(count, rejects_bad_input)
{
	uint64_t v;
	const char *why = NULL;
	const char *bad[] = { "", "abc", "-1", "1k", "1.5", " 1", "1 ", "+1", "0x10", "18446744073709551616" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		cr_assert_eq(parse_count(bad[i], &v, &why), -1, "'%s' accepted", bad[i]);
		cr_assert_not_null(why);
	}
	parse_count("-1", &v, &why);
	cr_assert_str_eq(why, "must not be negative");
	parse_count("abc", &v, &why);
	cr_assert_str_eq(why, "not a whole number");
}

Test(size, suffixes_are_powers_of_1024)
{
	uint64_t v;
	const char *why;
	struct {
		const char *s;
		uint64_t v;
	} ok[] = { { "64", 64 },      { "4k", 4096 },      { "4K", 4096 },       { "4KiB", 4096 },
		   { "1M", 1 << 20 }, { "1MiB", 1 << 20 }, { "2G", 2ULL << 30 }, { "10B", 10 } };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(parse_size(ok[i].s, &v, &why), 0, "'%s' rejected", ok[i].s);
		cr_assert_eq(v, ok[i].v, "'%s' gave %llu", ok[i].s, (unsigned long long)v);
	}
}

Test(size, rejects_bad_input)
{
	uint64_t v;
	const char *why;
	const char *bad[] = { "", "1Q", "k", "-5", "1kk", "1.5k", "99999999999999999999", "17179869184G" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_size(bad[i], &v, &why), -1, "'%s' accepted", bad[i]);
	parse_size("1Q", &v, &why);
	cr_assert(strstr(why, "suffix") != NULL);
}

Test(duration, units_and_fractions)
{
	int64_t ns;
	const char *why;
	struct {
		const char *s;
		int64_t ns;
	} ok[] = {
		{ "250ms", 250 * NSEC_PER_MSEC },
		{ "1s", NSEC_PER_SEC },
		{ "5m", 300 * NSEC_PER_SEC },
		{ "1h", 3600 * NSEC_PER_SEC },
		{ "2", 2 * NSEC_PER_SEC },
		{ "0.5s", NSEC_PER_SEC / 2 },
		{ ".25s", NSEC_PER_SEC / 4 },
		{ "10us", 10000 },
		{ "7ns", 7 },
		{ "1.5", 1500 * NSEC_PER_MSEC },
		{ "0", 0 },
		{ "0.123456789h", 444444440400LL },
		{ "1.999999999h", 7199999996400LL },
		{ "1.5m", 90 * NSEC_PER_SEC },
		{ "0.0015ms", 1500 },
		/* Found by the fuzzer: "min" is a unit too. */
		{ ".0000min", 0 },
		{ ".5min", 30 * NSEC_PER_SEC },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(parse_duration(ok[i].s, &ns, &why), 0, "'%s' rejected", ok[i].s);
		cr_assert_eq(ns, ok[i].ns, "'%s' gave %lld", ok[i].s, (long long)ns);
	}
}

Test(duration, rejects_bad_input)
{
	int64_t ns;
	const char *why;
	const char *bad[] = { "",    "s",   "5x",  "-1s",  "1 s",         "1.s.", ".", "1d", "99999999999999h",
			      " 1s", "+1s", "1s ", "1e3s", "9223372037s", "0x10s" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_duration(bad[i], &ns, &why), -1, "'%s' accepted", bad[i]);
}

Test(mode, octal_only)
{
	mode_t m;
	const char *why;
	cr_assert_eq(parse_mode("0600", &m, &why), 0);
	cr_assert_eq(m, 0600);
	cr_assert_eq(parse_mode("755", &m, &why), 0);
	cr_assert_eq(m, 0755);
	cr_assert_eq(parse_mode("7777", &m, &why), 0);
	cr_assert_eq(parse_mode("0800", &m, &why), -1);
	cr_assert_eq(parse_mode("abc", &m, &why), -1);
	cr_assert_eq(parse_mode("", &m, &why), -1);
	cr_assert_eq(parse_mode("17777", &m, &why), -1);
}

Test(integer, signed_whole_numbers)
{
	int64_t v;
	const char *why;
	cr_assert_eq(parse_integer("0", &v, &why), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(parse_integer("-3", &v, &why), 0);
	cr_assert_eq(v, -3);
	cr_assert_eq(parse_integer("+42", &v, &why), -1, "no plus sign, as with every number");
	cr_assert_eq(parse_integer(" 42", &v, &why), -1);
	cr_assert_eq(parse_integer("-9223372036854775807", &v, &why), 0);
	cr_assert_eq(v, -INT64_MAX);
	cr_assert_eq(parse_integer("9223372036854775807", &v, &why), 0);
	cr_assert_eq(v, INT64_MAX);
	cr_assert_eq(parse_integer("9223372036854775808", &v, &why), -1);
	cr_assert_str_eq(why, "too large");
	cr_assert_eq(parse_integer("-", &v, &why), -1);
	cr_assert_eq(parse_integer("", &v, &why), -1);
	cr_assert_eq(parse_integer("1.5", &v, &why), -1);
	cr_assert_str_eq(why, "not a whole number");
	cr_assert_eq(parse_integer("--2", &v, &why), -1);
	cr_assert_eq(parse_integer("2k", &v, &why), -1);
}

Test(key, hexadecimal_or_decimal_never_octal)
{
	uint32_t k;
	const char *why;
	struct {
		const char *s;
		uint32_t k;
	} ok[] = { { "42", 42 },
		   { "0x2a", 42 },
		   { "0X2A", 42 },
		   { "0x69706364", 0x69706364 },
		   { "4294967295", 0xffffffff },
		   { "0xffffffff", 0xffffffff },
		   { "0x00000001", 1 },
		   { "-1", 0xffffffff },
		   { "-2147483648", 0x80000000 },
		   { "0", 0 },
		   { "100", 100 } };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(parse_key(ok[i].s, &k, &why), 0, "'%s' rejected", ok[i].s);
		cr_assert_eq(k, ok[i].k, "'%s' gave %#x", ok[i].s, k);
	}
	const char *bad[] = {
		"0100", "00",   "-01",  " 42",         "42 ",        "+42",         "-0x1",
		"0x",   "0x-1", "0x 1", "0x100000000", "4294967296", "-2147483649", "99999999999999999999999",
		"",     "-",    "1e3",  "0o17",        "x"
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		cr_assert_eq(parse_key(bad[i], &k, &why), -1, "'%s' accepted", bad[i]);
		cr_assert_not_null(why);
	}
	parse_key("0100", &k, &why);
	cr_assert(strstr(why, "octal") != NULL, "says why: %s", why);
	parse_key("4294967296", &k, &why);
	cr_assert_str_eq(why, "out of range (-2147483648 to 4294967295)");
}

Test(proj, one_character_or_1_to_255)
{
	int p;
	const char *why;
	cr_assert_eq(parse_proj("x", &p, &why), 0);
	cr_assert_eq(p, 'x');
	cr_assert_eq(parse_proj("120", &p, &why), 0);
	cr_assert_eq(p, 120);
	cr_assert_eq(parse_proj("0x78", &p, &why), 0);
	cr_assert_eq(p, 0x78);
	cr_assert_eq(parse_proj("7", &p, &why), 0);
	cr_assert_eq(p, 7);
	const char *bad[] = { "", "0", "256", "010", " 5", "+5", "ab", "0x0", "0x100", "-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_proj(bad[i], &p, &why), -1, "'%s' accepted", bad[i]);
}

Test(address, forms_and_defaults)
{
	char h[256], p[64];
	const char *why;
	struct {
		const char *s, *h, *p;
	} ok[] = { { "127.0.0.1:7790", "127.0.0.1", "7790" },
		   { "localhost:http", "localhost", "http" },
		   { "7701", "", "7701" },
		   { "65535", "", "65535" },
		   { "[::1]:7700", "::1", "7700" },
		   { "[::1]", "::1", "" },
		   { "::1", "::1", "" },
		   { "fe80::1%lo", "fe80::1%lo", "" },
		   { "host-1.example", "host-1.example", "" } };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(parse_address(ok[i].s, h, sizeof(h), p, sizeof(p), &why), 0, "'%s' rejected", ok[i].s);
		cr_assert_str_eq(h, ok[i].h, "'%s'", ok[i].s);
		cr_assert_str_eq(p, ok[i].p, "'%s'", ok[i].s);
	}
	const char *bad[] = { "127.0.0.1:-1",
			      "127.0.0.1:+7790",
			      "127.0.0.1: 7790",
			      "127.0.0.1:7790 ",
			      "-1",
			      "+7790",
			      "0",
			      "65536",
			      "99999999999999999999",
			      "127.0.0.1:0",
			      "127.0.0.1:65536",
			      ":7700",
			      "127.0.0.1:",
			      "[::1",
			      "[::1]:",
			      "[::1]x",
			      "[]:7",
			      "[1.2.3.4]:7",
			      "a b",
			      " 7790",
			      "-host",
			      "1.2.3.4:5:6",
			      "::1%",
			      "[::1%]:7",
			      "host:a b",
			      "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		cr_assert_eq(parse_address(bad[i], h, sizeof(h), p, sizeof(p), &why), -1, "'%s' accepted", bad[i]);
		cr_assert_not_null(why);
	}
	parse_address("127.0.0.1:-1", h, sizeof(h), p, sizeof(p), &why);
	cr_assert_str_eq(why, "the port must be 1 to 65535 or a service name");
	parse_address("-1", h, sizeof(h), p, sizeof(p), &why);
	cr_assert_str_eq(why, "the port must be 1 to 65535 or a service name");
	cr_assert_eq(parse_address("x:1", h, 2, p, sizeof(p), &why), 0, "fits exactly");
	cr_assert_eq(parse_address("xy:1", h, 2, p, sizeof(p), &why), -1, "too long for the buffer");
}

/* A local option's value, wherever its definition puts it. */
static uint64_t local_u64(const void *mopt, const struct opt_def *d)
{
	uint64_t v;
	memcpy(&v, (const char *)mopt + d->offset, sizeof(v));
	return v;
}

Test(limits, mq_sizes_fit_a_long, .init = cr_redirect_stderr)
{
	const struct mechanism *m = mechanism_find("mq");
	const struct verb *v = verb_find(m, "create");
	const struct opt_def *maxmsg = verb_opt_find_long(v->opts, "maxmsg", 6);
	const struct opt_def *msgsize = verb_opt_find_long(v->opts, "msgsize", 7);
	struct opt_store store;
	void *mopt = store.u.bytes;
	struct opts o;
	int first;
	cr_assert(maxmsg && msgsize && m->opt_scope);
	char *a1[] = { "create", "--maxmsg", "18446744073709551615", NULL };
	opts_init(&o);
	opt_scope_init(m->opt_scope, mopt);
	cr_assert_eq(cli_parse("t", v->opts, 3, a1, &o, mopt, &first), EXIT_USAGE);
	char *a2[] = { "create", "--msgsize", "8589934592G", NULL };
	cr_assert_eq(cli_parse("t", v->opts, 3, a2, &o, mopt, &first), EXIT_USAGE);
	char *a3[] = { "create", "--maxmsg", "9223372036854775807", "--msgsize", "17M", NULL };
	cr_assert_eq(cli_parse("t", v->opts, 5, a3, &o, mopt, &first), 0, "the kernel judges these");
	cr_assert_eq(local_u64(mopt, maxmsg), LONG_MAX);
	cr_assert_eq(local_u64(mopt, msgsize), 17 << 20);
}

Test(suggest, edit_distance)
{
	cr_assert_eq(edit_distance("fifo", "fifo"), 0);
	cr_assert_eq(edit_distance("fifi", "fifo"), 1);
	cr_assert_eq(edit_distance("prodcue", "produce"), 2);
	cr_assert_eq(edit_distance("", "abc"), 3);
	cr_assert_eq(edit_distance("pipe", "file"), 2);
}

/* A verb with common options and one of its own, as a mechanism has. */
struct test_local {
	int lock;
	uint64_t ways;
	struct {
		bool lock;
	} given;
};

static const char *const lock_words[] = { "flock", "fcntl", "none", NULL };

static const struct opt_def test_lock = {
	.name = "lock",
	.type = OPT_CHOICE,
	.arg = "KIND",
	.help = "a choice",
	.choices = lock_words,
	.offset = offsetof(struct test_local, lock),
	.given = OPT_GIVEN(struct test_local, given.lock),
};
static const struct opt_def test_ways = {
	.name = "ways",
	.short_name = 'w',
	.type = OPT_COUNT,
	.arg = "N",
	.help = "a count",
	.min = 1,
	.max = 9,
	.offset = offsetof(struct test_local, ways),
};

static const struct verb_opt test_opts[] = {
	{ .id = OP_COUNT }, { .id = OP_EVERY }, { .id = OP_QUIET },    { .def = &test_lock },
	{ .id = OP_PATH },  { .id = OP_MODE },  { .def = &test_ways }, OPT_LIST_END,
};

static int parse(struct opts *o, struct test_local *l, int *first, int argc, char **argv)
{
	opts_init(o);
	memset(l, 0, sizeof(*l));
	return cli_parse("test", test_opts, argc, argv, o, l, first);
}

Test(parser, typed_values_and_positionals)
{
	struct opts o;
	struct test_local local;
	int first;
	char *argv[] = { "verb", "-n", "3", "--every=250ms", "msg1", "-q", "--lock", "fcntl", "msg2", NULL };
	cr_assert_eq(parse(&o, &local, &first, 9, argv), 0);
	cr_assert_eq(o.count, 3);
	cr_assert(o.given[OP_COUNT]);
	cr_assert_eq(o.every, 250 * NSEC_PER_MSEC);
	cr_assert(o.quiet);
	cr_assert_eq(local.lock, 1, "fcntl, the second word");
	cr_assert(local.given.lock);
	cr_assert(!o.given[OP_PATH]);
	cr_assert_eq(o.mode, 0600, "default mode is 0600");
	/* getopt_long permutes: positionals end up after the options. */
	cr_assert_eq(first, 7);
	cr_assert_str_eq(argv[first], "msg1");
	cr_assert_str_eq(argv[first + 1], "msg2");
}

Test(parser, local_options_go_to_their_struct)
{
	struct opts o;
	struct test_local local;
	int first;
	char *argv[] = { "verb", "-qw3", "--count=2", NULL };
	cr_assert_eq(parse(&o, &local, &first, 3, argv), 0);
	cr_assert(o.quiet);
	cr_assert_eq(o.count, 2);
	cr_assert_eq(local.ways, 3);
	cr_assert(!local.given.lock, "not given");
	cr_assert_eq(local.lock, 0);
}

Test(parser, local_options_are_checked, .init = cr_redirect_stderr)
{
	struct opts o;
	struct test_local local;
	int first;
	char *argv[] = { "verb", "--ways", "10", NULL };
	cr_assert_eq(parse(&o, &local, &first, 3, argv), EXIT_USAGE);
	char *wrong[] = { "verb", "--way", "1", NULL };
	cr_assert_eq(parse(&o, &local, &first, 3, wrong), EXIT_USAGE);
	fflush(stderr);
	cr_assert_stderr_eq_str("test: invalid value '10' for --ways: must be at most 9\n"
				"Try 'test --help' for more information.\n"
				"test: unknown option '--way'; did you mean '--ways'?\n"
				"Try 'test --help' for more information.\n");
}

Test(parser, double_dash_ends_options)
{
	struct opts o;
	struct test_local local;
	int first;
	char *argv[] = { "verb", "--", "-x", NULL };
	cr_assert_eq(parse(&o, &local, &first, 3, argv), 0);
	cr_assert_str_eq(argv[first], "-x");
}

Test(parser, help_returns_minus_one)
{
	struct opts o;
	struct test_local local;
	int first;
	char *argv[] = { "verb", "--help", NULL };
	cr_assert_eq(parse(&o, &local, &first, 2, argv), -1);
}

Test(parser, usage_errors, .init = cr_redirect_stderr)
{
	struct opts o;
	struct test_local local;
	int first;
	char *a1[] = { "verb", "--count", "abc", NULL };
	char *a2[] = { "verb", "--cou", "3", NULL }; /* abbreviations are refused */
	char *a3[] = { "verb", "--verify", NULL };   /* not an option of this verb */
	char *a4[] = { "verb", "--count", NULL };    /* missing value */
	char *a5[] = { "verb", "--lock", "nope", NULL };
	char *a6[] = { "verb", "-z", NULL };
	char *a7[] = { "verb", "--every", "0", NULL };
	char *a8[] = { "verb", "--path", "", NULL };
	cr_assert_eq(parse(&o, &local, &first, 3, a1), EXIT_USAGE);
	cr_assert_eq(parse(&o, &local, &first, 3, a2), EXIT_USAGE);
	cr_assert_eq(parse(&o, &local, &first, 2, a3), EXIT_USAGE);
	cr_assert_eq(parse(&o, &local, &first, 2, a4), EXIT_USAGE);
	cr_assert_eq(parse(&o, &local, &first, 3, a5), EXIT_USAGE);
	cr_assert_eq(parse(&o, &local, &first, 2, a6), EXIT_USAGE);
	cr_assert_eq(parse(&o, &local, &first, 3, a7), EXIT_USAGE);
	cr_assert_eq(parse(&o, &local, &first, 3, a8), EXIT_USAGE);
	fflush(stderr);
	cr_assert_stderr_neq_str("");
}

Test(parser, error_names_option_and_value, .init = cr_redirect_stderr)
{
	struct opts o;
	struct test_local local;
	int first;
	char *a1[] = { "verb", "--count", "abc", NULL };
	parse(&o, &local, &first, 3, a1);
	fflush(stderr);
	cr_assert_stderr_eq_str("test: invalid value 'abc' for --count: not a whole number\n"
				"Try 'test --help' for more information.\n");
}

Test(parser, every_common_option_has_a_definition)
{
	for (int id = OP_HELP; id < OP__MAX; id++) {
		const struct opt_def *d = opt_common((enum opt_id)id);
		cr_assert_not_null(d, "option id %d has no definition", id);
		cr_assert_eq(opt_common_by_name(d->name), d, "--%s is defined twice", d->name);
		cr_assert(d->help && *d->help);
		if (d->type != OPT_FLAG)
			cr_assert_not_null(d->arg, "--%s needs a metavariable", d->name);
	}
	cr_assert_null(opt_common(OP_END));
	cr_assert_null(opt_common(OP__MAX));
}

Test(parser, a_verbs_options_are_found_by_name)
{
	cr_assert_eq(verb_opt_find_long(test_opts, "lock", 4), &test_lock);
	cr_assert_eq(verb_opt_find_long(test_opts, "count", 5), opt_common(OP_COUNT));
	cr_assert_null(verb_opt_find_long(test_opts, "loc", 3), "exact names only");
	cr_assert_null(verb_opt_find_long(test_opts, "help", 4), "--help is in no list");
	cr_assert_eq(verb_opt_find_short(test_opts, 'w'), &test_ways);
	cr_assert_eq(verb_opt_find_short(test_opts, 'n'), opt_common(OP_COUNT));
	cr_assert_null(verb_opt_find_short(test_opts, 'x'));
	size_t n = 0;
	verb_opt_for_each (vo, test_opts) {
		cr_assert_not_null(verb_opt_def(vo));
		n++;
	}
	cr_assert_eq(n, 7);
}

/* Repeatable options: every value, in order, up to their bound. */
struct test_lists {
	struct opt_list tags;
	struct opt_list one;
};

static const struct opt_def test_tag = {
	.name = "tag",
	.short_name = 'T',
	.type = OPT_LIST,
	.arg = "TAG",
	.help = "repeatable",
	.offset = offsetof(struct test_lists, tags),
};
static const struct opt_def test_one = {
	.name = "one",
	.type = OPT_LIST,
	.arg = "WORD",
	.help = "once only",
	.max = 1,
	.offset = offsetof(struct test_lists, one),
};
static const struct verb_opt list_opts[] = {
	{ .id = OP_QUIET },
	{ .def = &test_tag },
	{ .def = &test_one },
	OPT_LIST_END,
};

static int parse_lists(struct test_lists *l, int argc, char **argv)
{
	struct opts o;
	int first;
	opts_init(&o);
	memset(l, 0, sizeof(*l));
	return cli_parse("test", list_opts, argc, argv, &o, l, &first);
}

Test(parser, repeatable_options_collect_every_value)
{
	struct test_lists l;
	char *argv[] = { "verb", "--tag", "a", "-q", "--tag=b", "-Tc", "--one", "x", NULL };
	cr_assert_eq(parse_lists(&l, 8, argv), 0);
	cr_assert_eq(l.tags.n, 3);
	cr_assert_str_eq(l.tags.v[0], "a");
	cr_assert_str_eq(l.tags.v[1], "b");
	cr_assert_str_eq(l.tags.v[2], "c");
	cr_assert_eq(l.one.n, 1);
	cr_assert_str_eq(l.one.v[0], "x");
	char *none[] = { "verb", NULL };
	cr_assert_eq(parse_lists(&l, 1, none), 0);
	cr_assert_eq(l.tags.n, 0, "none given: an empty list");
}

Test(parser, repeatable_options_are_bounded, .init = cr_redirect_stderr)
{
	struct test_lists l;
	char *twice[] = { "verb", "--one", "x", "--one", "y", NULL };
	cr_assert_eq(parse_lists(&l, 5, twice), EXIT_USAGE);
	char *empty[] = { "verb", "--tag", "", NULL };
	cr_assert_eq(parse_lists(&l, 3, empty), EXIT_USAGE);
	char *many[2 * OPT_LIST_MAX + 4];
	int n = 0;
	many[n++] = "verb";
	for (int i = 0; i <= OPT_LIST_MAX; i++) {
		many[n++] = "--tag";
		many[n++] = "t";
	}
	many[n] = NULL;
	cr_assert_eq(parse_lists(&l, n, many), EXIT_USAGE);
	fflush(stderr);
	char want[512];
	snprintf(want, sizeof(want),
		 "test: --one may be given only once\n"
		 "Try 'test --help' for more information.\n"
		 "test: invalid value '' for --tag: must not be empty\n"
		 "Try 'test --help' for more information.\n"
		 "test: --tag may be given at most %d times\n"
		 "Try 'test --help' for more information.\n",
		 OPT_LIST_MAX);
	cr_assert_stderr_eq_str(want);
}
