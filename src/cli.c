/* SPDX-License-Identifier: MIT */
/* The common option catalogue, the lookups over a verb's options and the
 * getopt_long driver. */
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipcdemo/cli.h"
#include "ipcdemo/mechanism.h"
#include "ipcdemo/util.h"

static const char *const source_choices[] = { "uuid", "stdin", "args", "counter", NULL };

#define DUR_MAX OPT_DURATION_MAX
#define AT(member) .offset = offsetof(struct opts, member)

/* The common options (see enum opt_id for why each is here). */
static const struct opt_def opt_defs[OP__MAX] = {
	[OP_HELP] = { .name = "help", .short_name = 'h', .type = OPT_FLAG, .help = "show this help and exit" },
	[OP_PATH] = { .name = "path",
		      .short_name = 'p',
		      .type = OPT_PATH,
		      .arg = "PATH",
		      .help = "filesystem object to use",
		      AT(path) },
	[OP_MODE] = { .name = "mode",
		      .short_name = 'm',
		      .type = OPT_MODE,
		      .arg = "MODE",
		      .help = "permissions of an object we create, octal (default 0600)",
		      AT(mode) },
	[OP_COUNT] = { .name = "count",
		       .short_name = 'n',
		       .type = OPT_COUNT,
		       .arg = "N",
		       .help = "number of messages",
		       .min = 1,
		       AT(count) },
	[OP_EVERY] = { .name = "every",
		       .type = OPT_DURATION,
		       .arg = "DURATION",
		       .help = "repeat the batch every DURATION (250ms, 1s, 5m)",
		       .min = 1,
		       .max = DUR_MAX,
		       AT(every) },
	[OP_BATCHES] = { .name = "batches",
			 .type = OPT_COUNT,
			 .arg = "N",
			 .help = "stop after N batches (default: 1, or forever with --every)",
			 .min = 1,
			 AT(batches) },
	[OP_SOURCE] = { .name = "source",
			.type = OPT_CHOICE,
			.arg = "SOURCE",
			.help = "where messages come from: uuid (default), stdin, args, counter",
			.choices = source_choices,
			AT(source) },
	[OP_SEQ] = { .name = "seq",
		     .type = OPT_FLAG,
		     .help = "stamp each message as ID:SEQ:PAYLOAD for --verify",
		     AT(seq) },
	[OP_ID] = { .name = "id",
		    .type = OPT_COUNT,
		    .arg = "N",
		    .help = "producer id used by --seq (default: the process id)",
		    AT(id) },
	[OP_SIZE] = { .name = "size",
		      .type = OPT_SIZE,
		      .arg = "BYTES",
		      .help = "pad each message with '.' to BYTES, newline included (k, M, G)",
		      .min = 1,
		      .max = (uint64_t)64 << 20,
		      AT(size) },
	[OP_QUIET] = { .name = "quiet",
		       .short_name = 'q',
		       .type = OPT_FLAG,
		       .help = "do not echo messages or print notes",
		       AT(quiet) },
	[OP_VERIFY] = { .name = "verify",
			.type = OPT_FLAG,
			.help = "check ID:SEQ stamps; report lost, duplicated, reordered (exit 3)",
			AT(verify) },
	[OP_JSON] = { .name = "json",
		      .short_name = 'j',
		      .type = OPT_FLAG,
		      .help = "print one JSON object per line",
		      AT(json) },
	[OP_STATS] = { .name = "stats", .type = OPT_FLAG, .help = "print a summary on stderr at the end", AT(stats) },
	[OP_TIMEOUT] = { .name = "timeout",
			 .short_name = 't',
			 .type = OPT_DURATION,
			 .arg = "DURATION",
			 .help = "stop after DURATION without a message (exit 4 if none came)",
			 .min = 1,
			 .max = DUR_MAX,
			 AT(timeout) },
	[OP_LABEL] = { .name = "label",
		       .type = OPT_STRING,
		       .arg = "TEXT",
		       .help = "print TEXT before each message (text output)",
		       AT(label) },
	[OP_BATCH] = { .name = "batch",
		       .type = OPT_COUNT,
		       .arg = "N",
		       .help = "at most N messages per system call on the channel (default: as many as fit)",
		       .min = 1,
		       AT(batch) },
	[OP_EXPLAIN] = { .name = "explain",
			 .type = OPT_LEVEL,
			 .arg = "N",
			 .help = "narrate the system calls on stderr, those of the first N messages in full (default "
				 "3)",
			 .min = 1,
			 .dflt = 3,
			 AT(explain) },
};

const struct opt_def *opt_common(enum opt_id id)
{
	if (id <= OP_END || id >= OP__MAX)
		return NULL;
	return &opt_defs[id];
}

const struct opt_def *opt_common_by_name(const char *name)
{
	for (size_t i = OP_HELP; i < OP__MAX; i++)
		if (strcmp(opt_defs[i].name, name) == 0)
			return &opt_defs[i];
	return NULL;
}

void opts_init(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = 0600;
	o->count = 10;
	o->batches = 1;
	o->source = SRC_UUID;
}

void opt_scope_init(const struct opt_scope *scope, void *mopt)
{
	memset(mopt, 0, scope->size);
	if (scope->init)
		scope->init(mopt);
}

const struct opt_def *verb_opt_def(const struct verb_opt *vo)
{
	return vo->def ? vo->def : opt_common(vo->id);
}

const char *verb_opt_help(const struct verb_opt *vo)
{
	return vo->help ? vo->help : verb_opt_def(vo)->help;
}

const struct opt_def *verb_opt_find_long(const struct verb_opt *list, const char *name, size_t len)
{
	verb_opt_for_each (vo, list) {
		const struct opt_def *d = verb_opt_def(vo);
		if (strlen(d->name) == len && strncmp(d->name, name, len) == 0)
			return d;
	}
	return NULL;
}

const struct opt_def *verb_opt_find_short(const struct verb_opt *list, int c)
{
	verb_opt_for_each (vo, list) {
		const struct opt_def *d = verb_opt_def(vo);
		if (d->short_name && d->short_name == c)
			return d;
	}
	return NULL;
}

/* What cli_parse works with: --help and the verb's options, each with
 * where its value goes. */
#define PARSE_MAX 64

struct parse_opt {
	const struct opt_def *d;
	enum opt_id id; /* a common option; OP_END for a local one */
};

struct parse_set {
	struct parse_opt o[PARSE_MAX];
	size_t n;
};

static int parse_set_build(const char *prog, const struct verb_opt *allowed, bool explain, struct parse_set *s)
{
	s->o[0] = (struct parse_opt){ .d = opt_common(OP_HELP), .id = OP_HELP };
	s->n = 1;
	if (explain)
		s->o[s->n++] = (struct parse_opt){ .d = opt_common(OP_EXPLAIN), .id = OP_EXPLAIN };
	verb_opt_for_each (vo, allowed) {
		if (s->n == PARSE_MAX)
			return msg_usage(prog, "internal error: more than %d options", PARSE_MAX - 1);
		s->o[s->n++] = (struct parse_opt){ .d = verb_opt_def(vo), .id = vo->def ? OP_END : vo->id };
	}
	return 0;
}

static const struct parse_opt *set_short(const struct parse_set *s, int c)
{
	for (size_t k = 0; k < s->n; k++)
		if (s->o[k].d->short_name && s->o[k].d->short_name == c)
			return &s->o[k];
	return NULL;
}

static const struct parse_opt *set_long(const struct parse_set *s, const char *name, size_t len)
{
	for (size_t k = 0; k < s->n; k++)
		if (strlen(s->o[k].d->name) == len && strncmp(s->o[k].d->name, name, len) == 0)
			return &s->o[k];
	return NULL;
}

static int bad_value(const char *prog, const struct opt_def *d, const char *val, const char *why)
{
	return msg_usage(prog, "invalid value '%s' for --%s: %s", val, d->name, why);
}

static int store_number(const char *prog, const struct opt_def *d, const char *val, uint64_t *out)
{
	const char *why = NULL;
	uint64_t u;
	char b[64];
	if ((d->type == OPT_SIZE ? parse_size(val, &u, &why) : parse_count(val, &u, &why)) < 0)
		return bad_value(prog, d, val, why);
	if (u < d->min) {
		snprintf(b, sizeof(b), "must be at least %llu", (unsigned long long)d->min);
		return bad_value(prog, d, val, b);
	}
	if (d->max && u > d->max) {
		snprintf(b, sizeof(b), "must be at most %llu", (unsigned long long)d->max);
		return bad_value(prog, d, val, b);
	}
	*out = u;
	return 0;
}

static int store_choice(const char *prog, const struct opt_def *d, const char *val, int *out)
{
	char b[160];
	for (int i = 0; d->choices[i]; i++) {
		if (strcmp(d->choices[i], val) == 0) {
			*out = i;
			return 0;
		}
	}
	size_t off = (size_t)snprintf(b, sizeof(b), "expected one of");
	for (int i = 0; d->choices[i] && off < sizeof(b); i++)
		off += (size_t)snprintf(b + off, sizeof(b) - off, "%s %s", i ? "," : "", d->choices[i]);
	return bad_value(prog, d, val, b);
}

/* One more value of a repeatable option. */
static int store_list(const char *prog, const struct opt_def *d, const char *val, struct opt_list *l)
{
	size_t max = d->max && d->max < OPT_LIST_MAX ? (size_t)d->max : OPT_LIST_MAX;
	if (*val == '\0')
		return bad_value(prog, d, val, "must not be empty");
	if (l->n >= max) {
		if (max == 1)
			return msg_usage(prog, "--%s may be given only once", d->name);
		return msg_usage(prog, "--%s may be given at most %zu times", d->name, max);
	}
	l->v[l->n++] = val;
	return 0;
}

/* Check val for d and store it in the struct at base. */
static int store_value(const char *prog, const struct opt_def *d, const char *val, void *base)
{
	void *field = (char *)base + d->offset;
	const char *why = NULL;
	int64_t ns;
	mode_t mode;

	switch (d->type) {
	case OPT_FLAG:
		*(bool *)field = true;
		break;
	case OPT_COUNT:
	case OPT_SIZE:
		return store_number(prog, d, val, field);
	case OPT_DURATION:
		if (parse_duration(val, &ns, &why) < 0)
			return bad_value(prog, d, val, why);
		if ((uint64_t)ns < d->min)
			return bad_value(prog, d, val, "must be greater than zero");
		if (d->max && (uint64_t)ns > d->max)
			return bad_value(prog, d, val, "too long (at most 365 days)");
		*(int64_t *)field = ns;
		break;
	case OPT_INTEGER:
		if (parse_integer(val, &ns, &why) < 0)
			return bad_value(prog, d, val, why);
		*(int64_t *)field = ns;
		break;
	case OPT_MODE:
		if (parse_mode(val, &mode, &why) < 0)
			return bad_value(prog, d, val, why);
		*(mode_t *)field = mode;
		break;
	case OPT_PATH:
	case OPT_STRING:
		if (*val == '\0')
			return bad_value(prog, d, val, "must not be empty");
		if (d->type == OPT_PATH && strlen(val) >= PATH_MAX)
			return bad_value(prog, d, "...", "path too long");
		*(const char **)field = val;
		break;
	case OPT_CHOICE:
		return store_choice(prog, d, val, field);
	case OPT_LIST:
		return store_list(prog, d, val, field);
	case OPT_LEVEL:
		if (!val) {
			*(uint64_t *)field = d->dflt;
			return 0;
		}
		return store_number(prog, d, val, field);
	}
	return 0;
}

/* Store the value of a parsed option and record that it was given. */
static int store(const char *prog, const struct parse_opt *p, const char *val, struct opts *o, void *mopt)
{
	int rc;
	if (p->id != OP_END) {
		rc = store_value(prog, p->d, val, o);
		if (rc == 0)
			o->given[p->id] = true;
		return rc;
	}
	if (!mopt)
		return msg_usage(prog, "internal error: --%s has nowhere to go", p->d->name);
	rc = store_value(prog, p->d, val, mopt);
	if (rc == 0 && p->d->given)
		*(bool *)((char *)mopt + p->d->given - 1) = true;
	return rc;
}

/* "--word" that is no option of the verb: the error, with the closest
 * name when one is close. */
static int unknown_long(const char *prog, const struct parse_set *s, const char *name, size_t len)
{
	char word[64];
	snprintf(word, sizeof(word), "%.*s", (int)(len < 60 ? len : 60), name);
	const char *best = NULL;
	unsigned bestd = UINT_MAX;
	for (size_t k = 0; k < s->n; k++) {
		unsigned dd = edit_distance(word, s->o[k].d->name);
		if (strncmp(s->o[k].d->name, word, len) == 0)
			dd = 1;
		if (dd < bestd) {
			bestd = dd;
			best = s->o[k].d->name;
		}
	}
	if (best && bestd <= 2)
		return msg_usage(prog, "unknown option '--%s'; did you mean '--%s'?", word, best);
	return msg_usage(prog, "unknown option '--%s'", word);
}

/* A cluster of short options ("-qn"): 1 when its last option takes the
 * next word as its value, else 0. */
static int short_cluster_takes_next(const struct parse_set *s, const char *a)
{
	for (const char *p = a + 1; *p; p++) {
		const struct parse_opt *po = set_short(s, *p);
		if (!po)
			return 0;
		if (po->d->type != OPT_FLAG)
			return p[1] == '\0';
	}
	return 0;
}

/* getopt_long accepts unique abbreviations of long options; ipcdemo does
 * not (scripts must keep working when options are added). Reject any
 * "--word" that is not a full option name of this verb. */
static int check_exact_long(const char *prog, const struct parse_set *s, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-')
			continue;
		if (a[1] != '-') {
			i += short_cluster_takes_next(s, a);
			continue;
		}
		const char *name = a + 2;
		size_t len = strcspn(name, "=");
		const struct parse_opt *found = set_long(s, name, len);
		if (!found)
			return unknown_long(prog, s, name, len);
		if (found->d->type == OPT_FLAG && name[len] == '=')
			return msg_usage(prog, "option --%s takes no value", found->d->name);
		if (found->d->type != OPT_FLAG && found->d->type != OPT_LEVEL && name[len] != '=')
			i++;
	}
	return 0;
}

struct getopt_tables {
	struct option longopts[PARSE_MAX + 1];
	char shortopts[2 * PARSE_MAX + 2];
};

/* The tables getopt_long takes; a long option's value is 256 + its index
 * in the set. */
static void getopt_tables_build(const struct parse_set *s, struct getopt_tables *t)
{
	size_t ns = 0;
	t->shortopts[ns++] = ':';
	for (size_t k = 0; k < s->n; k++) {
		const struct opt_def *d = s->o[k].d;
		int has = d->type == OPT_FLAG    ? no_argument
			  : d->type == OPT_LEVEL ? optional_argument
						 : required_argument;
		t->longopts[k] = (struct option){ .name = d->name, .has_arg = has, .val = 256 + (int)k };
		if (d->short_name) {
			t->shortopts[ns++] = (char)d->short_name;
			if (d->type != OPT_FLAG)
				t->shortopts[ns++] = ':';
		}
	}
	t->longopts[s->n] = (struct option){ .name = NULL };
	t->shortopts[ns] = '\0';
}

/* The option getopt_long returned (c) or complained about (optopt). */
static const struct parse_opt *set_by_getopt(const struct parse_set *s, int c)
{
	if (c >= 256)
		return (size_t)(c - 256) < s->n ? &s->o[c - 256] : NULL;
	return set_short(s, c);
}

static int parse(const char *prog, const struct verb_opt *allowed, bool explain, int argc, char **argv, struct opts *o,
		 void *mopt, int *first_arg)
{
	struct parse_set s;
	struct getopt_tables t;
	int rc = parse_set_build(prog, allowed, explain, &s);
	if (rc)
		return rc;
	getopt_tables_build(&s, &t);
	rc = check_exact_long(prog, &s, argc, argv);
	if (rc)
		return rc;

	optind = 0; /* full reset of glibc's getopt state */
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, t.shortopts, t.longopts, NULL);
		if (c == -1)
			break;
		if (c == '?') {
			if (optopt && optopt < 256)
				return msg_usage(prog, "unknown option '-%c'", optopt);
			return msg_usage(prog, "unknown option '%s'", argv[optind - 1]);
		}
		if (c == ':') {
			const struct parse_opt *p = set_by_getopt(&s, optopt);
			if (p)
				return msg_usage(prog, "option --%s needs a value (%s)", p->d->name, p->d->arg);
			return msg_usage(prog, "option '%s' needs a value", argv[optind - 1]);
		}
		const struct parse_opt *p = set_by_getopt(&s, c);
		if (!p)
			return msg_usage(prog, "unknown option");
		if (p->id == OP_HELP)
			return -1;
		rc = store(prog, p, optarg, o, mopt);
		if (rc)
			return rc;
	}
	*first_arg = optind;
	return 0;
}

int cli_parse(const char *prog, const struct verb_opt *allowed, int argc, char **argv, struct opts *o, void *mopt,
	      int *first_arg)
{
	return parse(prog, allowed, false, argc, argv, o, mopt, first_arg);
}

int cli_parse_verb(const char *prog, const struct verb_opt *allowed, int argc, char **argv, struct opts *o, void *mopt,
		   int *first_arg)
{
	return parse(prog, allowed, true, argc, argv, o, mopt, first_arg);
}

int ctx_parse_options(struct ctx *ctx, struct opt_store *store, int argc, char **argv, int *first_arg)
{
	const struct opt_scope *scope = ctx->mech ? ctx->mech->opt_scope : ctx->verb->opt_scope;
	opts_init(&ctx->opt);
	ctx->mopt = NULL;
	if (scope) {
		if (scope->size > sizeof(store->u.bytes))
			return msg_usage(ctx->prog, "internal error: %zu bytes of options", scope->size);
		ctx->mopt = store->u.bytes;
		opt_scope_init(scope, ctx->mopt);
	}
	if (ctx->mech)
		return cli_parse_verb(ctx->prog, ctx->verb->opts, argc, argv, &ctx->opt, ctx->mopt, first_arg);
	return cli_parse(ctx->prog, ctx->verb->opts, argc, argv, &ctx->opt, ctx->mopt, first_arg);
}
