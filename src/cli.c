/* SPDX-License-Identifier: MIT */
/* Declarative option table, typed value parsers and the getopt_long driver. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipcdemo/cli.h"
#include "ipcdemo/util.h"

static const char *const source_choices[] = { "uuid", "stdin", "args", "counter", NULL };
static const char *const lock_choices[] = { "flock", "fcntl", "none", NULL };
static const char *const type_choices[] = { "stream", "dgram", "seqpacket", NULL };
static const char *const cpu_choices[] = { "both", "same", "split", "any", NULL };

#define DUR_MAX ((uint64_t)365 * 24 * 3600 * NSEC_PER_SEC)

/* The table of every option. Verb tables refer to these by id. */
static const struct opt_def opt_defs[] = {
	{ OP_HELP, "help", 'h', OPT_FLAG, NULL, "show this help and exit", NULL, 0, 0 },
	{ OP_PATH, "path", 'p', OPT_PATH, "PATH", "filesystem object to use", NULL, 0, 0 },
	{ OP_MODE, "mode", 'm', OPT_MODE, "MODE", "permissions of an object we create, octal (default 0600)", NULL, 0,
	  0 },
	{ OP_COUNT, "count", 'n', OPT_COUNT, "N", "number of messages", NULL, 1, 0 },
	{ OP_EVERY, "every", 0, OPT_DURATION, "DURATION", "repeat the batch every DURATION (250ms, 1s, 5m)", NULL, 1,
	  DUR_MAX },
	{ OP_BATCHES, "batches", 0, OPT_COUNT, "N", "stop after N batches (default: 1, or forever with --every)",
	  NULL, 1, 0 },
	{ OP_SOURCE, "source", 0, OPT_CHOICE, "SOURCE",
	  "where messages come from: uuid (default), stdin, args, counter", source_choices, 0, 0 },
	{ OP_SEQ, "seq", 0, OPT_FLAG, NULL, "stamp each message as ID:SEQ:PAYLOAD for --verify", NULL, 0, 0 },
	{ OP_ID, "id", 0, OPT_COUNT, "N", "producer id used by --seq (default: the process id)", NULL, 0, 0 },
	{ OP_SIZE, "size", 0, OPT_SIZE, "BYTES", "pad each message with '.' to BYTES, newline included (k, M, G)",
	  NULL, 1, (uint64_t)64 << 20 },
	{ OP_QUIET, "quiet", 'q', OPT_FLAG, NULL, "do not echo messages or print notes", NULL, 0, 0 },
	{ OP_VERIFY, "verify", 0, OPT_FLAG, NULL,
	  "check ID:SEQ stamps; report lost, duplicated, reordered (exit 3)", NULL, 0, 0 },
	{ OP_JSON, "json", 'j', OPT_FLAG, NULL, "print one JSON object per line", NULL, 0, 0 },
	{ OP_STATS, "stats", 0, OPT_FLAG, NULL, "print a summary on stderr at the end", NULL, 0, 0 },
	{ OP_TIMEOUT, "timeout", 't', OPT_DURATION, "DURATION",
	  "stop after DURATION without a message (exit 4 if none came)", NULL, 1, DUR_MAX },
	{ OP_LOCK, "lock", 0, OPT_CHOICE, "KIND", "lock around each write: flock (default), fcntl, none",
	  lock_choices, 0, 0 },
	{ OP_TRUNCATE, "truncate", 0, OPT_FLAG, NULL, "start from an empty file", NULL, 0, 0 },
	{ OP_REREAD, "reread", 0, OPT_DURATION, "DURATION", "re-read the whole file every DURATION", NULL, 1,
	  DUR_MAX },
	{ OP_NO_FOLLOW, "no-follow", 0, OPT_FLAG, NULL, "print what is there and exit", NULL, 0, 0 },
	{ OP_EXIT_ON_EOF, "exit-on-eof", 0, OPT_FLAG, NULL, "exit when the last writer closes", NULL, 0, 0 },
	{ OP_UNLINK, "unlink", 0, OPT_FLAG, NULL, "remove the object on exit", NULL, 0, 0 },
	{ OP_WRITERS, "writers", 'w', OPT_COUNT, "N", "number of concurrent writers", NULL, 1, 256 },
	{ OP_APPEND, "append", 0, OPT_FLAG, NULL, "open with O_APPEND instead of lseek(SEEK_END) + write", NULL, 0,
	  0 },
	{ OP_TYPE, "type", 0, OPT_CHOICE, "TYPE", "socket type: stream (default), dgram, seqpacket", type_choices, 0,
	  0 },
	{ OP_LISTEN, "listen", 'l', OPT_FLAG, NULL, "listen for the other side instead of connecting", NULL, 0, 0 },
	{ OP_CONNECT, "connect", 'c', OPT_FLAG, NULL, "connect to the other side instead of listening", NULL, 0, 0 },
	{ OP_WAIT, "wait", 0, OPT_DURATION, "DURATION", "keep trying to connect for DURATION", NULL, 1, DUR_MAX },
	{ OP_ADDRESS, "address", 'a', OPT_STRING, "ADDRESS", "HOST:PORT, [IPv6]:PORT or PORT", NULL, 0, 0 },
	{ OP_NODELAY, "nodelay", 0, OPT_FLAG, NULL, "set TCP_NODELAY: send small writes at once (no Nagle)", NULL, 0,
	  0 },
	{ OP_SNDBUF, "sndbuf", 0, OPT_SIZE, "BYTES", "socket send buffer (SO_SNDBUF; the kernel doubles it)", NULL, 1,
	  (uint64_t)1 << 30 },
	{ OP_RCVBUF, "rcvbuf", 0, OPT_SIZE, "BYTES", "socket receive buffer (SO_RCVBUF; the kernel doubles it)", NULL,
	  1, (uint64_t)1 << 30 },
	{ OP_NAME, "name", 0, OPT_STRING, "NAME", "POSIX IPC object name (default: /ipcdemo)", NULL, 0, 0 },
	{ OP_PRIORITY, "priority", 0, OPT_COUNT, "N", "message priority, 0 (lowest) to 32767", NULL, 0, 0 },
	{ OP_NONBLOCK, "nonblock", 0, OPT_FLAG, NULL, "never wait: fail at once when the queue is full or empty",
	  NULL, 0, 0 },
	/* What fits the long of struct mq_attr; the kernel's own limits are
	 * explained when it refuses a value. */
	{ OP_MAXMSG, "maxmsg", 0, OPT_COUNT, "N", "capacity of a queue we create, in messages", NULL, 1, LONG_MAX },
	{ OP_MSGSIZE, "msgsize", 0, OPT_SIZE, "BYTES", "largest message of a queue we create (k, M)", NULL, 1,
	  LONG_MAX },
	{ OP_KEY, "key", 'k', OPT_STRING, "KEY", "System V key: 0x hexadecimal or decimal", NULL, 0, 0 },
	{ OP_PROJ, "proj", 0, OPT_STRING, "C", "project id for ftok(3) with --path: one character or 1..255", NULL,
	  0, 0 },
	{ OP_MTYPE, "type", 0, OPT_INTEGER, "N", "message type", NULL, 0, 0 },
	{ OP_EXCEPT, "except", 0, OPT_FLAG, NULL, "take the first message whose type is not --type (MSG_EXCEPT)",
	  NULL, 0, 0 },
	{ OP_NOERROR, "noerror", 0, OPT_FLAG, NULL, "truncate a message longer than the buffer (MSG_NOERROR)", NULL,
	  0, 0 },
	{ OP_SLOTS, "slots", 0, OPT_COUNT, "N", "ring slots of an object we create (default: 64)", NULL, 1,
	  (uint64_t)1 << 20 },
	{ OP_SLOT_SIZE, "slot-size", 0, OPT_SIZE, "BYTES", "bytes per slot of an object we create (default: 4k)",
	  NULL, 16, (uint64_t)64 << 20 },
	{ OP_DRY_RUN, "dry-run", 0, OPT_FLAG, NULL, "say what would be removed, remove nothing", NULL, 0, 0 },
	{ OP_LABEL, "label", 0, OPT_STRING, "TEXT", "print TEXT before each message (text output)", NULL, 0, 0 },
	{ OP_SIZES, "size", 0, OPT_STRING, "LIST", "message sizes, comma-separated (k, M)", NULL, 0, 0 },
	{ OP_DURATION, "duration", 0, OPT_DURATION, "DURATION", "how long to measure each cell", NULL, 1, DUR_MAX },
	{ OP_CPU, "cpu", 0, OPT_CHOICE, "PLACE",
	  "both processes on one CPU (same), on two (split), where the scheduler likes (any), or both",
	  cpu_choices, 0, 0 },
	{ OP_REPEAT, "repeat", 0, OPT_COUNT, "R", "run each cell R times; report the median and the spread", NULL,
	  1, 100 },
	{ OP_LINGER, "linger", 0, OPT_DURATION, "DURATION", "wait at most DURATION for what is written to be read",
	  NULL, 0, DUR_MAX },
};

static const struct {
	size_t offset;
} field[OP__MAX] = {
	[OP_PATH] = { offsetof(struct opts, path) },
	[OP_MODE] = { offsetof(struct opts, mode) },
	[OP_COUNT] = { offsetof(struct opts, count) },
	[OP_EVERY] = { offsetof(struct opts, every) },
	[OP_BATCHES] = { offsetof(struct opts, batches) },
	[OP_SOURCE] = { offsetof(struct opts, source) },
	[OP_SEQ] = { offsetof(struct opts, seq) },
	[OP_ID] = { offsetof(struct opts, id) },
	[OP_SIZE] = { offsetof(struct opts, size) },
	[OP_QUIET] = { offsetof(struct opts, quiet) },
	[OP_VERIFY] = { offsetof(struct opts, verify) },
	[OP_JSON] = { offsetof(struct opts, json) },
	[OP_STATS] = { offsetof(struct opts, stats) },
	[OP_TIMEOUT] = { offsetof(struct opts, timeout) },
	[OP_LOCK] = { offsetof(struct opts, lock) },
	[OP_TRUNCATE] = { offsetof(struct opts, truncate) },
	[OP_REREAD] = { offsetof(struct opts, reread) },
	[OP_NO_FOLLOW] = { offsetof(struct opts, no_follow) },
	[OP_EXIT_ON_EOF] = { offsetof(struct opts, exit_on_eof) },
	[OP_UNLINK] = { offsetof(struct opts, unlink) },
	[OP_WRITERS] = { offsetof(struct opts, writers) },
	[OP_APPEND] = { offsetof(struct opts, append) },
	[OP_TYPE] = { offsetof(struct opts, type) },
	[OP_LISTEN] = { offsetof(struct opts, listen) },
	[OP_CONNECT] = { offsetof(struct opts, connect) },
	[OP_WAIT] = { offsetof(struct opts, wait) },
	[OP_ADDRESS] = { offsetof(struct opts, address) },
	[OP_NODELAY] = { offsetof(struct opts, nodelay) },
	[OP_SNDBUF] = { offsetof(struct opts, sndbuf) },
	[OP_RCVBUF] = { offsetof(struct opts, rcvbuf) },
	[OP_NAME] = { offsetof(struct opts, name) },
	[OP_PRIORITY] = { offsetof(struct opts, priority) },
	[OP_NONBLOCK] = { offsetof(struct opts, nonblock) },
	[OP_MAXMSG] = { offsetof(struct opts, maxmsg) },
	[OP_MSGSIZE] = { offsetof(struct opts, msgsize) },
	[OP_KEY] = { offsetof(struct opts, key) },
	[OP_PROJ] = { offsetof(struct opts, proj) },
	[OP_MTYPE] = { offsetof(struct opts, mtype) },
	[OP_EXCEPT] = { offsetof(struct opts, except) },
	[OP_NOERROR] = { offsetof(struct opts, noerror) },
	[OP_SLOTS] = { offsetof(struct opts, slots) },
	[OP_SLOT_SIZE] = { offsetof(struct opts, slot_size) },
	[OP_DRY_RUN] = { offsetof(struct opts, dry_run) },
	[OP_LABEL] = { offsetof(struct opts, label) },
	[OP_SIZES] = { offsetof(struct opts, sizes) },
	[OP_DURATION] = { offsetof(struct opts, duration) },
	[OP_CPU] = { offsetof(struct opts, cpu) },
	[OP_REPEAT] = { offsetof(struct opts, repeat) },
	[OP_LINGER] = { offsetof(struct opts, linger) },
};

const struct opt_def *opt_def_get(enum opt_id id)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_defs); i++)
		if (opt_defs[i].id == id)
			return &opt_defs[i];
	return NULL;
}

const struct opt_def *opt_def_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_defs); i++)
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
	o->lock = LK_FLOCK;
	o->writers = 4;
}

static bool allowed_has(const struct verb_opt *allowed, enum opt_id id)
{
	if (id == OP_HELP)
		return true;
	for (; allowed->id != OP_END; allowed++)
		if (allowed->id == id)
			return true;
	return false;
}

static int bad_value(const char *prog, const struct opt_def *d, const char *val, const char *why)
{
	return msg_usage(prog, "invalid value '%s' for --%s: %s", val, d->name, why);
}

static int store_value(const char *prog, const struct opt_def *d, const char *val, struct opts *o)
{
	void *base = (char *)o + field[d->id].offset;
	const char *why = NULL;
	uint64_t u;
	int64_t ns;
	mode_t mode;

	switch (d->type) {
	case OPT_FLAG:
		*(bool *)base = true;
		break;
	case OPT_COUNT:
	case OPT_SIZE:
		if ((d->type == OPT_COUNT ? parse_count(val, &u, &why) : parse_size(val, &u, &why)) < 0)
			return bad_value(prog, d, val, why);
		if (u < d->min) {
			char b[64];
			snprintf(b, sizeof(b), "must be at least %llu", (unsigned long long)d->min);
			return bad_value(prog, d, val, b);
		}
		if (d->max && u > d->max) {
			char b[64];
			snprintf(b, sizeof(b), "must be at most %llu", (unsigned long long)d->max);
			return bad_value(prog, d, val, b);
		}
		*(uint64_t *)base = u;
		break;
	case OPT_DURATION:
		if (parse_duration(val, &ns, &why) < 0)
			return bad_value(prog, d, val, why);
		if ((uint64_t)ns < d->min)
			return bad_value(prog, d, val, "must be greater than zero");
		if (d->max && (uint64_t)ns > d->max)
			return bad_value(prog, d, val, "too long (at most 365 days)");
		*(int64_t *)base = ns;
		break;
	case OPT_INTEGER:
		if (parse_integer(val, &ns, &why) < 0)
			return bad_value(prog, d, val, why);
		*(int64_t *)base = ns;
		break;
	case OPT_MODE:
		if (parse_mode(val, &mode, &why) < 0)
			return bad_value(prog, d, val, why);
		*(mode_t *)base = mode;
		break;
	case OPT_PATH:
	case OPT_STRING:
		if (*val == '\0')
			return bad_value(prog, d, val, "must not be empty");
		if (d->type == OPT_PATH && strlen(val) >= PATH_MAX)
			return bad_value(prog, d, "...", "path too long");
		*(const char **)base = val;
		break;
	case OPT_CHOICE:
		for (int i = 0; d->choices[i]; i++) {
			if (strcmp(d->choices[i], val) == 0) {
				*(int *)base = i;
				return 0;
			}
		}
		{
			char b[160];
			size_t off = (size_t)snprintf(b, sizeof(b), "expected one of");
			for (int i = 0; d->choices[i] && off < sizeof(b); i++)
				off += (size_t)snprintf(b + off, sizeof(b) - off, "%s %s", i ? "," : "", d->choices[i]);
			return bad_value(prog, d, val, b);
		}
	}
	return 0;
}

/* getopt_long accepts unique abbreviations of long options; ipcdemo does
 * not (scripts must keep working when options are added). Reject any
 * "--word" that is not a full option name of this verb. */
static int check_exact_long(const char *prog, const struct verb_opt *allowed, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-')
			continue;
		if (a[1] != '-') {
			/* Short cluster: skip the next word if the last option takes it. */
			for (const char *p = a + 1; *p; p++) {
				const struct opt_def *d = NULL;
				for (size_t k = 0; k < ARRAY_SIZE(opt_defs); k++)
					if (opt_defs[k].short_name == *p && allowed_has(allowed, opt_defs[k].id))
						d = &opt_defs[k];
				if (!d)
					break;
				if (d->type != OPT_FLAG) {
					if (p[1] == '\0')
						i++;
					break;
				}
			}
			continue;
		}
		const char *name = a + 2;
		size_t len = strcspn(name, "=");
		const struct opt_def *found = NULL;
		for (size_t k = 0; k < ARRAY_SIZE(opt_defs); k++)
			if (strlen(opt_defs[k].name) == len && strncmp(opt_defs[k].name, name, len) == 0 &&
			    allowed_has(allowed, opt_defs[k].id))
				found = &opt_defs[k];
		if (!found) {
			char word[64];
			snprintf(word, sizeof(word), "%.*s", (int)(len < 60 ? len : 60), name);
			const char *best = NULL;
			unsigned bestd = UINT_MAX;
			for (size_t k = 0; k < ARRAY_SIZE(opt_defs); k++) {
				if (!allowed_has(allowed, opt_defs[k].id))
					continue;
				unsigned dd = edit_distance(word, opt_defs[k].name);
				if (strncmp(opt_defs[k].name, word, len) == 0)
					dd = 1;
				if (dd < bestd) {
					bestd = dd;
					best = opt_defs[k].name;
				}
			}
			if (best && bestd <= 2)
				return msg_usage(prog, "unknown option '--%s'; did you mean '--%s'?", word, best);
			return msg_usage(prog, "unknown option '--%s'", word);
		}
		if (found->type == OPT_FLAG && name[len] == '=')
			return msg_usage(prog, "option --%s takes no value", found->name);
		if (found->type != OPT_FLAG && name[len] != '=')
			i++;
	}
	return 0;
}

int cli_parse(const char *prog, const struct verb_opt *allowed, int argc, char **argv, struct opts *o,
	      int *first_arg)
{
	struct option longopts[OP__MAX + 1];
	char shortopts[2 * OP__MAX + 4];
	size_t nl = 0, ns = 0;
	int rc;

	shortopts[ns++] = ':';
	for (size_t k = 0; k < ARRAY_SIZE(opt_defs); k++) {
		const struct opt_def *d = &opt_defs[k];
		if (!allowed_has(allowed, d->id))
			continue;
		longopts[nl].name = d->name;
		longopts[nl].has_arg = d->type == OPT_FLAG ? no_argument : required_argument;
		longopts[nl].flag = NULL;
		longopts[nl].val = 256 + (int)d->id;
		nl++;
		if (d->short_name) {
			shortopts[ns++] = (char)d->short_name;
			if (d->type != OPT_FLAG)
				shortopts[ns++] = ':';
		}
	}
	memset(&longopts[nl], 0, sizeof(longopts[nl]));
	shortopts[ns] = '\0';

	rc = check_exact_long(prog, allowed, argc, argv);
	if (rc)
		return rc;

	optind = 0; /* full reset of glibc's getopt state */
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			break;
		if (c == '?') {
			if (optopt && optopt < 256)
				return msg_usage(prog, "unknown option '-%c'", optopt);
			return msg_usage(prog, "unknown option '%s'", argv[optind - 1]);
		}
		if (c == ':') {
			const struct opt_def *d = NULL;
			if (optopt >= 256)
				d = opt_def_get((enum opt_id)(optopt - 256));
			else
				for (size_t k = 0; k < ARRAY_SIZE(opt_defs); k++)
					if (opt_defs[k].short_name == optopt)
						d = &opt_defs[k];
			if (d)
				return msg_usage(prog, "option --%s needs a value (%s)", d->name, d->arg);
			return msg_usage(prog, "option '%s' needs a value", argv[optind - 1]);
		}
		const struct opt_def *d = NULL;
		if (c >= 256)
			d = opt_def_get((enum opt_id)(c - 256));
		else
			for (size_t k = 0; k < ARRAY_SIZE(opt_defs); k++)
				if (opt_defs[k].short_name == c && allowed_has(allowed, opt_defs[k].id))
					d = &opt_defs[k];
		if (!d)
			return msg_usage(prog, "unknown option");
		if (d->id == OP_HELP)
			return -1;
		rc = store_value(prog, d, optarg, o);
		if (rc)
			return rc;
		o->given[d->id] = true;
	}
	*first_arg = optind;
	return 0;
}
