/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the option value parsers and the option driver.
 * The first byte picks the parser, the rest is its argument (a string up
 * to the first NUL); each accepted value is checked against what the
 * VALUES sections promise, and a violation aborts. */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ipcdemo/bench.h"
#include "ipcdemo/cli.h"
#include "ipcdemo/dispatch.h"
#include "ipcdemo/mechanism.h"
#include "ipcdemo/posixname.h"
#include "ipcdemo/queue.h"

static bool all_in(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

static void check_count(const char *s)
{
	uint64_t v;
	const char *why = NULL;
	if (parse_count(s, &v, &why) < 0) {
		CHECK(why != NULL);
		return;
	}
	/* Plain decimal digits, and the number they say. */
	CHECK(*s && all_in(s, "0123456789"));
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	const char *d = s + strspn(s, "0");
	CHECK(strcmp(d, buf) == 0 || (v == 0 && *d == '\0'));
}

static void check_size(const char *s)
{
	uint64_t v;
	const char *why = NULL;
	if (parse_size(s, &v, &why) < 0) {
		CHECK(why != NULL);
		return;
	}
	CHECK(isdigit((unsigned char)s[0]));
	size_t n = strspn(s, "0123456789");
	const char *u = s + n;
	static const char *const units[] = { "",    "b",  "B",  "k",  "K",  "kB",  "KB",  "kb",  "Kb",  "kiB",
					     "KiB", "m",  "M",  "mB", "MB", "mb",  "Mb",  "miB", "MiB", "g",
					     "G",   "gB", "GB", "gb", "Gb", "giB", "GiB", NULL };
	bool known = false;
	for (int i = 0; units[i]; i++)
		known = known || strcmp(u, units[i]) == 0;
	CHECK(known);
}

static void check_duration(const char *s)
{
	int64_t ns;
	const char *why = NULL;
	if (parse_duration(s, &ns, &why) < 0) {
		CHECK(why != NULL);
		return;
	}
	CHECK(ns >= 0);
	CHECK(isdigit((unsigned char)s[0]) || s[0] == '.');
	CHECK(all_in(s, "0123456789.nsumhi"));
}

static void check_mode(const char *s)
{
	mode_t m;
	const char *why = NULL;
	if (parse_mode(s, &m, &why) < 0)
		return;
	CHECK(*s && all_in(s, "01234567") && m <= 07777);
}

static void check_integer(const char *s)
{
	int64_t v;
	const char *why = NULL;
	if (parse_integer(s, &v, &why) < 0)
		return;
	CHECK(all_in(s[0] == '-' ? s + 1 : s, "0123456789"));
	CHECK(strtoll(s, NULL, 10) == v);
}

static void check_key(const char *s)
{
	uint32_t k;
	const char *why = NULL;
	if (parse_key(s, &k, &why) < 0) {
		CHECK(why != NULL);
		return;
	}
	/* Never octal, never a sign but '-', never a space. */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		CHECK(s[2] && all_in(s + 2, "0123456789abcdefABCDEF"));
		CHECK(strtoull(s + 2, NULL, 16) == k);
	} else {
		const char *d = s[0] == '-' ? s + 1 : s;
		CHECK(*d && all_in(d, "0123456789"));
		CHECK(d[0] != '0' || d[1] == '\0');
		long long v = strtoll(s, NULL, 10);
		CHECK(v >= INT32_MIN && v <= (long long)UINT32_MAX && (uint32_t)v == k);
	}
}

static void check_proj(const char *s)
{
	int p;
	const char *why = NULL;
	if (parse_proj(s, &p, &why) < 0)
		return;
	CHECK(p >= 1 && p <= 255);
}

static void check_address(const char *s)
{
	char host[256], port[64];
	const char *why = NULL;
	if (parse_address(s, host, sizeof(host), port, sizeof(port), &why) < 0) {
		CHECK(why != NULL);
		return;
	}
	CHECK(strlen(host) < sizeof(host) && strlen(port) < sizeof(port));
	CHECK(!strchr(host, ' ') && !strchr(port, ' ') && port[0] != '+' && port[0] != '-');
	if (isdigit((unsigned char)port[0])) {
		CHECK(all_in(port, "0123456789"));
		unsigned long v = strtoul(port, NULL, 10);
		CHECK(v >= 1 && v <= 65535);
	}
	CHECK(host[0] || port[0]);
}

static void check_sizes(const char *s)
{
	size_t out[16];
	int n = 0;
	char why[128];
	if (bench_parse_sizes(s, out, 16, &n, why, sizeof(why)) < 0)
		return;
	CHECK(n >= 1 && n <= 16);
}

/* --name of mq and shm: an accepted name is one slash and 1 to NAME_MAX
 * bytes without a slash, never '.' or '..'. */
static void check_name(const char *s)
{
	struct ctx ctx;
	char buf[NAME_MAX + 2];
	/* The queue options are the start of mq's own (queue.h). */
	struct queue_opts qo = { .name = s };
	memset(&ctx, 0, sizeof(ctx));
	ctx.prog = "fuzz";
	ctx.mech = mechanism_find("mq");
	ctx.mopt = &qo;
	opts_init(&ctx.opt);
	if (posix_name(&ctx, buf, sizeof(buf)) != 0)
		return;
	size_t n = strlen(buf);
	CHECK(buf[0] == '/' && n >= 2 && n <= NAME_MAX + 1);
	CHECK(strchr(buf + 1, '/') == NULL);
	CHECK(strcmp(buf, "/.") != 0 && strcmp(buf, "/..") != 0);
}

/* The bytes a value of this type takes in its struct. */
static size_t value_size(enum opt_type t)
{
	switch (t) {
	case OPT_FLAG:
		return sizeof(bool);
	case OPT_COUNT:
	case OPT_SIZE:
		return sizeof(uint64_t);
	case OPT_DURATION:
	case OPT_INTEGER:
		return sizeof(int64_t);
	case OPT_MODE:
		return sizeof(mode_t);
	case OPT_PATH:
	case OPT_STRING:
		return sizeof(const char *);
	case OPT_CHOICE:
		return sizeof(int);
	case OPT_LIST:
		return sizeof(struct opt_list);
	}
	return 0;
}

/* A repeatable option's values: within its bound, each non-empty. */
static void check_list(const struct opt_def *d, const char *f)
{
	struct opt_list l;
	memcpy(&l, f, sizeof(l));
	CHECK(l.n <= OPT_LIST_MAX && (!d->max || l.n <= d->max));
	for (size_t k = 0; k < l.n && k < OPT_LIST_MAX; k++)
		CHECK(l.v[k] && *l.v[k]);
}

/* A value the parser stored is one its definition allows. */
static void check_value(const struct opt_def *d, const void *base)
{
	const char *f = (const char *)base + d->offset;
	uint64_t u;
	int64_t i;
	mode_t m;
	int c, n = 0;
	const char *p;
	switch (d->type) {
	case OPT_COUNT:
	case OPT_SIZE:
		memcpy(&u, f, sizeof(u));
		CHECK(u >= d->min && (!d->max || u <= d->max));
		break;
	case OPT_DURATION:
		memcpy(&i, f, sizeof(i));
		CHECK(i >= 0 && (uint64_t)i >= d->min && (!d->max || (uint64_t)i <= d->max));
		break;
	case OPT_MODE:
		memcpy(&m, f, sizeof(m));
		CHECK(m <= 07777);
		break;
	case OPT_CHOICE:
		memcpy(&c, f, sizeof(c));
		while (d->choices[n])
			n++;
		CHECK(c >= 0 && c < n);
		break;
	case OPT_PATH:
	case OPT_STRING:
		memcpy(&p, f, sizeof(p));
		CHECK(p && *p);
		break;
	case OPT_LIST:
		check_list(d, f);
		break;
	case OPT_FLAG:
	case OPT_INTEGER:
		break;
	}
}

/* Was the option of this entry given? For a local option without a given
 * flag: its value is not the default. */
static bool was_given(const struct verb_opt *vo, const struct opts *o, const void *mopt, const void *dflt)
{
	const struct opt_def *d = verb_opt_def(vo);
	bool flag;
	if (!vo->def)
		return o->given[vo->id];
	if (d->given) {
		memcpy(&flag, (const char *)mopt + d->given - 1, sizeof(flag));
		return flag;
	}
	return memcmp((const char *)mopt + d->offset, (const char *)dflt + d->offset, value_size(d->type)) != 0;
}

/* The verb number pick of every mechanism's verbs and the top-level
 * commands, in turn. */
static void pick_verb(uint8_t pick, struct ctx *ctx)
{
	size_t total = 0, k;
	for (size_t i = 0; mechanisms[i]; i++)
		for (const struct verb *v = mechanisms[i]->verbs; v->name; v++)
			total++;
	for (const struct verb *v = commands; v->name; v++)
		total += v->opts != NULL; /* __complete parses nothing */
	k = pick % total;
	for (size_t i = 0; mechanisms[i]; i++)
		for (const struct verb *v = mechanisms[i]->verbs; v->name; v++)
			if (k-- == 0) {
				ctx->mech = mechanisms[i];
				ctx->verb = v;
				return;
			}
	for (const struct verb *v = commands; v->name; v++)
		if (v->opts && k-- == 0) {
			ctx->mech = NULL;
			ctx->verb = v;
			return;
		}
}

/* The whole driver: NUL-separated words as argv, against the options of
 * a real verb chosen by a byte, common and its mechanism's own; every
 * value stored is checked against its definition. */
static void check_cli(const uint8_t *data, size_t size)
{
	enum { MAXARGS = 32 };
	char *argv[MAXARGS + 2];
	char *copy;
	int argc = 1;
	struct ctx ctx;
	struct opt_store store, dflt;
	uint8_t pick = size ? data[0] : 0;
	if (size)
		data++, size--;
	memset(&ctx, 0, sizeof(ctx));
	ctx.prog = "fuzz";
	pick_verb(pick, &ctx);
	copy = malloc(size + 1);
	if (!copy)
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = (char *)"verb";
	for (size_t i = 0; i < size && argc < MAXARGS; i++) {
		argv[argc++] = copy + i;
		i += strlen(copy + i);
	}
	argv[argc] = NULL;
	int first = 0;
	int rc = ctx_parse_options(&ctx, &store, argc, argv, &first);
	CHECK(rc == 0 || rc == -1 || rc == 2);
	if (rc == 0) {
		const struct opt_scope *scope = ctx.mech ? ctx.mech->opt_scope : ctx.verb->opt_scope;
		CHECK(first >= 1 && first <= argc);
		CHECK(ctx.opt.mode <= 07777);
		CHECK((scope != NULL) == (ctx.mopt != NULL));
		if (scope)
			opt_scope_init(scope, dflt.u.bytes);
		verb_opt_for_each (vo, ctx.verb->opts) {
			if (was_given(vo, &ctx.opt, ctx.mopt, dflt.u.bytes))
				check_value(verb_opt_def(vo), vo->def ? ctx.mopt : (const void *)&ctx.opt);
		}
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const parsers[])(const char *) = { check_count,   check_size, check_duration, check_mode,
							 check_integer, check_key,  check_proj,     check_address,
							 check_sizes,   check_name };
	const size_t np = sizeof(parsers) / sizeof(parsers[0]);
	if (size == 0)
		return 0;
	size_t which = data[0] % (np + 1);
	if (which == np) {
		check_cli(data + 1, size - 1);
		return 0;
	}
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	parsers[which](s);
	free(s);
	return 0;
}
