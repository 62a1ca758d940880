/* SPDX-License-Identifier: MIT */
/* Declarative option table, typed value parsers and the getopt_long driver. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
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
	{ .id = OP_HELP, .name = "help", .short_name = 'h', .type = OPT_FLAG, .help = "show this help and exit" },
	{ .id = OP_PATH, .name = "path", .short_name = 'p', .type = OPT_PATH, .arg = "PATH",
	  .help = "filesystem object to use" },
	{ .id = OP_MODE, .name = "mode", .short_name = 'm', .type = OPT_MODE, .arg = "MODE",
	  .help = "permissions of an object we create, octal (default 0600)" },
	{ .id = OP_COUNT, .name = "count", .short_name = 'n', .type = OPT_COUNT, .arg = "N",
	  .help = "number of messages", .min = 1 },
	{ .id = OP_EVERY, .name = "every", .type = OPT_DURATION, .arg = "DURATION",
	  .help = "repeat the batch every DURATION (250ms, 1s, 5m)", .min = 1, .max = DUR_MAX },
	{ .id = OP_BATCHES, .name = "batches", .type = OPT_COUNT, .arg = "N",
	  .help = "stop after N batches (default: 1, or forever with --every)", .min = 1 },
	{ .id = OP_SOURCE, .name = "source", .type = OPT_CHOICE, .arg = "SOURCE",
	  .help = "where messages come from: uuid (default), stdin, args, counter", .choices = source_choices },
	{ .id = OP_SEQ, .name = "seq", .type = OPT_FLAG, .help = "stamp each message as ID:SEQ:PAYLOAD for --verify" },
	{ .id = OP_ID, .name = "id", .type = OPT_COUNT, .arg = "N",
	  .help = "producer id used by --seq (default: the process id)" },
	{ .id = OP_SIZE, .name = "size", .type = OPT_SIZE, .arg = "BYTES",
	  .help = "pad each message with '.' to BYTES, newline included (k, M, G)", .min = 1,
	  .max = (uint64_t)64 << 20 },
	{ .id = OP_QUIET, .name = "quiet", .short_name = 'q', .type = OPT_FLAG,
	  .help = "do not echo messages or print notes" },
	{ .id = OP_VERIFY, .name = "verify", .type = OPT_FLAG,
	  .help = "check ID:SEQ stamps; report lost, duplicated, reordered (exit 3)" },
	{ .id = OP_JSON, .name = "json", .short_name = 'j', .type = OPT_FLAG,
	  .help = "print one JSON object per line" },
	{ .id = OP_STATS, .name = "stats", .type = OPT_FLAG, .help = "print a summary on stderr at the end" },
	{ .id = OP_TIMEOUT, .name = "timeout", .short_name = 't', .type = OPT_DURATION, .arg = "DURATION",
	  .help = "stop after DURATION without a message (exit 4 if none came)", .min = 1, .max = DUR_MAX },
	{ .id = OP_LOCK, .name = "lock", .type = OPT_CHOICE, .arg = "KIND",
	  .help = "lock around each write: flock (default), fcntl, none", .choices = lock_choices },
	{ .id = OP_TRUNCATE, .name = "truncate", .type = OPT_FLAG, .help = "start from an empty file" },
	{ .id = OP_REREAD, .name = "reread", .type = OPT_DURATION, .arg = "DURATION",
	  .help = "re-read the whole file every DURATION", .min = 1, .max = DUR_MAX },
	{ .id = OP_NO_FOLLOW, .name = "no-follow", .type = OPT_FLAG, .help = "print what is there and exit" },
	{ .id = OP_EXIT_ON_EOF, .name = "exit-on-eof", .type = OPT_FLAG, .help = "exit when the last writer closes" },
	{ .id = OP_UNLINK, .name = "unlink", .type = OPT_FLAG, .help = "remove the object on exit" },
	{ .id = OP_WRITERS, .name = "writers", .short_name = 'w', .type = OPT_COUNT, .arg = "N",
	  .help = "number of concurrent writers", .min = 1, .max = 256 },
	{ .id = OP_APPEND, .name = "append", .type = OPT_FLAG,
	  .help = "open with O_APPEND instead of lseek(SEEK_END) + write" },
	{ .id = OP_TYPE, .name = "type", .type = OPT_CHOICE, .arg = "TYPE",
	  .help = "socket type: stream (default), dgram, seqpacket", .choices = type_choices },
	{ .id = OP_LISTEN, .name = "listen", .short_name = 'l', .type = OPT_FLAG,
	  .help = "listen for the other side instead of connecting" },
	{ .id = OP_CONNECT, .name = "connect", .short_name = 'c', .type = OPT_FLAG,
	  .help = "connect to the other side instead of listening" },
	{ .id = OP_WAIT, .name = "wait", .type = OPT_DURATION, .arg = "DURATION",
	  .help = "keep trying to connect for DURATION", .min = 1, .max = DUR_MAX },
	{ .id = OP_ADDRESS, .name = "address", .short_name = 'a', .type = OPT_STRING, .arg = "ADDRESS",
	  .help = "HOST:PORT, [IPv6]:PORT or PORT" },
	{ .id = OP_NODELAY, .name = "nodelay", .type = OPT_FLAG,
	  .help = "set TCP_NODELAY: send small writes at once (no Nagle)" },
	{ .id = OP_SNDBUF, .name = "sndbuf", .type = OPT_SIZE, .arg = "BYTES",
	  .help = "socket send buffer (SO_SNDBUF; the kernel doubles it)", .min = 1, .max = (uint64_t)1 << 30 },
	{ .id = OP_RCVBUF, .name = "rcvbuf", .type = OPT_SIZE, .arg = "BYTES",
	  .help = "socket receive buffer (SO_RCVBUF; the kernel doubles it)", .min = 1, .max = (uint64_t)1 << 30 },
	{ .id = OP_NAME, .name = "name", .type = OPT_STRING, .arg = "NAME",
	  .help = "POSIX IPC object name (default: /ipcdemo)" },
	{ .id = OP_PRIORITY, .name = "priority", .type = OPT_COUNT, .arg = "N",
	  .help = "message priority, 0 (lowest) to 32767" },
	{ .id = OP_NONBLOCK, .name = "nonblock", .type = OPT_FLAG,
	  .help = "never wait: fail at once when the queue is full or empty" },
	/* What fits the long of struct mq_attr; the kernel's own limits are
	 * explained when it refuses a value. */
	{ .id = OP_MAXMSG, .name = "maxmsg", .type = OPT_COUNT, .arg = "N",
	  .help = "capacity of a queue we create, in messages", .min = 1, .max = LONG_MAX },
	{ .id = OP_MSGSIZE, .name = "msgsize", .type = OPT_SIZE, .arg = "BYTES",
	  .help = "largest message of a queue we create (k, M)", .min = 1, .max = LONG_MAX },
	{ .id = OP_KEY, .name = "key", .short_name = 'k', .type = OPT_STRING, .arg = "KEY",
	  .help = "System V key: 0x hexadecimal or decimal" },
	{ .id = OP_PROJ, .name = "proj", .type = OPT_STRING, .arg = "C",
	  .help = "project id for ftok(3) with --path: one character or 1..255" },
	{ .id = OP_MTYPE, .name = "type", .type = OPT_INTEGER, .arg = "N", .help = "message type" },
	{ .id = OP_EXCEPT, .name = "except", .type = OPT_FLAG,
	  .help = "take the first message whose type is not --type (MSG_EXCEPT)" },
	{ .id = OP_NOERROR, .name = "noerror", .type = OPT_FLAG,
	  .help = "truncate a message longer than the buffer (MSG_NOERROR)" },
	{ .id = OP_SLOTS, .name = "slots", .type = OPT_COUNT, .arg = "N",
	  .help = "ring slots of an object we create (default: 64)", .min = 1, .max = (uint64_t)1 << 20 },
	{ .id = OP_SLOT_SIZE, .name = "slot-size", .type = OPT_SIZE, .arg = "BYTES",
	  .help = "bytes per slot of an object we create (default: 4k)", .min = 16, .max = (uint64_t)64 << 20 },
	{ .id = OP_DRY_RUN, .name = "dry-run", .type = OPT_FLAG, .help = "say what would be removed, remove nothing" },
	{ .id = OP_LABEL, .name = "label", .type = OPT_STRING, .arg = "TEXT",
	  .help = "print TEXT before each message (text output)" },
	{ .id = OP_SIZES, .name = "size", .type = OPT_STRING, .arg = "LIST",
	  .help = "message sizes, comma-separated (k, M)" },
	{ .id = OP_DURATION, .name = "duration", .type = OPT_DURATION, .arg = "DURATION",
	  .help = "how long to measure each cell", .min = 1, .max = DUR_MAX },
	{ .id = OP_CPU, .name = "cpu", .type = OPT_CHOICE, .arg = "PLACE",
	  .help = "both processes on one CPU (same), on two (split), where the scheduler likes (any), or both",
	  .choices = cpu_choices },
	{ .id = OP_REPEAT, .name = "repeat", .type = OPT_COUNT, .arg = "R",
	  .help = "run each cell R times; report the median and the spread", .min = 1, .max = 100 },
	{ .id = OP_LINGER, .name = "linger", .type = OPT_DURATION, .arg = "DURATION",
	  .help = "wait at most DURATION for what is written to be read", .max = DUR_MAX },
};

static const struct {
	size_t offset;
} field[OP__MAX] = {
	[OP_PATH] = { .offset = offsetof(struct opts, path) },
	[OP_MODE] = { .offset = offsetof(struct opts, mode) },
	[OP_COUNT] = { .offset = offsetof(struct opts, count) },
	[OP_EVERY] = { .offset = offsetof(struct opts, every) },
	[OP_BATCHES] = { .offset = offsetof(struct opts, batches) },
	[OP_SOURCE] = { .offset = offsetof(struct opts, source) },
	[OP_SEQ] = { .offset = offsetof(struct opts, seq) },
	[OP_ID] = { .offset = offsetof(struct opts, id) },
	[OP_SIZE] = { .offset = offsetof(struct opts, size) },
	[OP_QUIET] = { .offset = offsetof(struct opts, quiet) },
	[OP_VERIFY] = { .offset = offsetof(struct opts, verify) },
	[OP_JSON] = { .offset = offsetof(struct opts, json) },
	[OP_STATS] = { .offset = offsetof(struct opts, stats) },
	[OP_TIMEOUT] = { .offset = offsetof(struct opts, timeout) },
	[OP_LOCK] = { .offset = offsetof(struct opts, lock) },
	[OP_TRUNCATE] = { .offset = offsetof(struct opts, truncate) },
	[OP_REREAD] = { .offset = offsetof(struct opts, reread) },
	[OP_NO_FOLLOW] = { .offset = offsetof(struct opts, no_follow) },
	[OP_EXIT_ON_EOF] = { .offset = offsetof(struct opts, exit_on_eof) },
	[OP_UNLINK] = { .offset = offsetof(struct opts, unlink) },
	[OP_WRITERS] = { .offset = offsetof(struct opts, writers) },
	[OP_APPEND] = { .offset = offsetof(struct opts, append) },
	[OP_TYPE] = { .offset = offsetof(struct opts, type) },
	[OP_LISTEN] = { .offset = offsetof(struct opts, listen) },
	[OP_CONNECT] = { .offset = offsetof(struct opts, connect) },
	[OP_WAIT] = { .offset = offsetof(struct opts, wait) },
	[OP_ADDRESS] = { .offset = offsetof(struct opts, address) },
	[OP_NODELAY] = { .offset = offsetof(struct opts, nodelay) },
	[OP_SNDBUF] = { .offset = offsetof(struct opts, sndbuf) },
	[OP_RCVBUF] = { .offset = offsetof(struct opts, rcvbuf) },
	[OP_NAME] = { .offset = offsetof(struct opts, name) },
	[OP_PRIORITY] = { .offset = offsetof(struct opts, priority) },
	[OP_NONBLOCK] = { .offset = offsetof(struct opts, nonblock) },
	[OP_MAXMSG] = { .offset = offsetof(struct opts, maxmsg) },
	[OP_MSGSIZE] = { .offset = offsetof(struct opts, msgsize) },
	[OP_KEY] = { .offset = offsetof(struct opts, key) },
	[OP_PROJ] = { .offset = offsetof(struct opts, proj) },
	[OP_MTYPE] = { .offset = offsetof(struct opts, mtype) },
	[OP_EXCEPT] = { .offset = offsetof(struct opts, except) },
	[OP_NOERROR] = { .offset = offsetof(struct opts, noerror) },
	[OP_SLOTS] = { .offset = offsetof(struct opts, slots) },
	[OP_SLOT_SIZE] = { .offset = offsetof(struct opts, slot_size) },
	[OP_DRY_RUN] = { .offset = offsetof(struct opts, dry_run) },
	[OP_LABEL] = { .offset = offsetof(struct opts, label) },
	[OP_SIZES] = { .offset = offsetof(struct opts, sizes) },
	[OP_DURATION] = { .offset = offsetof(struct opts, duration) },
	[OP_CPU] = { .offset = offsetof(struct opts, cpu) },
	[OP_REPEAT] = { .offset = offsetof(struct opts, repeat) },
	[OP_LINGER] = { .offset = offsetof(struct opts, linger) },
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

/* Leading decimal digits into *v; returns the number of digits, or -1 on overflow. */
static int scan_digits(const char *s, uint64_t *v)
{
	uint64_t n = 0;
	int i = 0;
	for (; isdigit((unsigned char)s[i]); i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	return i;
}

/* The common start of counts and sizes: not empty, not negative, leading
 * digits that fit. Returns the number of digits, or -1 with *why set. */
static int scan_unsigned(const char *s, uint64_t *v, const char **why)
{
	if (*s == '\0') {
		*why = "empty";
		return -1;
	}
	if (*s == '-') {
		*why = "must not be negative";
		return -1;
	}
	int n = scan_digits(s, v);
	if (n < 0)
		*why = "too large";
	return n;
}

int parse_count(const char *s, uint64_t *out, const char **why)
{
	uint64_t v;
	int n = scan_unsigned(s, &v, why);
	if (n < 0)
		return -1;
	if (n == 0 || s[n] != '\0') {
		*why = "not a whole number";
		return -1;
	}
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out, const char **why)
{
	uint64_t v;
	int n = scan_unsigned(s, &v, why);
	if (n < 0)
		return -1;
	if (n == 0) {
		*why = "not a size (examples: 64, 4k, 1M)";
		return -1;
	}
	const char *u = s + n;
	unsigned shift = 0;
	if (*u != '\0') {
		switch (*u) {
		case 'b': case 'B': shift = 0; break;
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default:
			*why = "unknown size suffix (use k, M or G)";
			return -1;
		}
		u++;
		/* Accept "k", "kB"/"KiB" spellings, nothing else. */
		if (shift && (strcmp(u, "iB") == 0 || strcmp(u, "B") == 0 || strcmp(u, "b") == 0))
			u += strlen(u);
		if (*u != '\0') {
			*why = "unknown size suffix (use k, M or G)";
			return -1;
		}
	}
	if (shift && v > (UINT64_MAX >> shift)) {
		*why = "too large";
		return -1;
	}
	*out = v << shift;
	return 0;
}

int parse_duration(const char *s, int64_t *out_ns, const char **why)
{
	uint64_t ip, frac = 0;
	uint64_t frac_div = 1;
	int n = scan_unsigned(s, &ip, why);
	if (n < 0)
		return -1;
	const char *p = s + n;
	if (*p == '.') {
		p++;
		int m = 0;
		while (isdigit((unsigned char)p[m])) {
			if (frac_div < 1000000000ULL) {
				frac = frac * 10 + (unsigned)(p[m] - '0');
				frac_div *= 10;
			}
			m++;
		}
		if (m == 0 && n == 0) {
			*why = "not a duration (examples: 250ms, 1s, 5m)";
			return -1;
		}
		p += m;
	} else if (n == 0) {
		*why = "not a duration (examples: 250ms, 1s, 5m)";
		return -1;
	}
	uint64_t unit;
	if (*p == '\0' || strcmp(p, "s") == 0)
		unit = (uint64_t)NSEC_PER_SEC;
	else if (strcmp(p, "ms") == 0)
		unit = (uint64_t)NSEC_PER_MSEC;
	else if (strcmp(p, "us") == 0)
		unit = 1000;
	else if (strcmp(p, "ns") == 0)
		unit = 1;
	else if (strcmp(p, "m") == 0 || strcmp(p, "min") == 0)
		unit = 60ULL * NSEC_PER_SEC;
	else if (strcmp(p, "h") == 0)
		unit = 3600ULL * NSEC_PER_SEC;
	else {
		*why = "unknown unit (use ns, us, ms, s, m or h)";
		return -1;
	}
	if (ip > (uint64_t)INT64_MAX / unit) {
		*why = "too large";
		return -1;
	}
	/* frac < frac_div = 10^k <= 1e9. Units of a second and more are
	 * multiples of 1e9, so unit / frac_div is exact; smaller units keep
	 * frac * unit below 1e15. Either way nothing overflows. */
	uint64_t fns = unit >= frac_div ? frac * (unit / frac_div) : frac * unit / frac_div;
	uint64_t ns = ip * unit + fns;
	if (ns > (uint64_t)INT64_MAX) {
		*why = "too large";
		return -1;
	}
	*out_ns = (int64_t)ns;
	return 0;
}

int parse_mode(const char *s, mode_t *out, const char **why)
{
	unsigned v = 0;
	if (*s == '\0') {
		*why = "empty";
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '7') {
			*why = "not an octal mode (example: 0600)";
			return -1;
		}
		v = v * 8 + (unsigned)(*p - '0');
		if (v > 07777) {
			*why = "too large (at most 07777)";
			return -1;
		}
	}
	*out = (mode_t)v;
	return 0;
}

int parse_integer(const char *s, int64_t *out, const char **why)
{
	bool neg = *s == '-';
	uint64_t v;
	const char *p = neg ? s + 1 : s;
	if (*p == '\0') {
		*why = "empty";
		return -1;
	}
	int n = scan_digits(p, &v);
	if (n < 0 || v > (uint64_t)INT64_MAX) {
		*why = "too large";
		return -1;
	}
	if (n == 0 || p[n] != '\0') {
		*why = "not a whole number";
		return -1;
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* Decimal digits without a sign or a superfluous leading zero, at most
 * max. Returns 0, or -1 with *why set. */
static int scan_plain(const char *s, uint64_t max, uint64_t *out, const char **why)
{
	uint64_t v;
	int n = scan_digits(s, &v);
	if (n > 0 && s[n] != '\0')
		n = 0;
	if (n == 0 || (n < 0 && s[strspn(s, "0123456789")] != '\0')) {
		*why = "not a whole number";
		return -1;
	}
	if (n < 0 || v > max) {
		*why = "too large";
		return -1;
	}
	if (s[0] == '0' && n > 1) {
		*why = "a leading 0 does not mean octal here: write 0x for hexadecimal, or decimal without "
		       "leading zeros";
		return -1;
	}
	*out = v;
	return 0;
}

/* 0x and hexadecimal digits, or plain decimal, at most max. */
static int scan_hex_or_dec(const char *s, uint64_t max, uint64_t *out, const char **why)
{
	uint64_t v = 0;
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return scan_plain(s, max, out, why);
	const char *p = s + 2;
	if (*p == '\0') {
		*why = "hexadecimal digits are needed after 0x";
		return -1;
	}
	for (; *p; p++) {
		if (!isxdigit((unsigned char)*p)) {
			*why = "not a hexadecimal number";
			return -1;
		}
		v = v * 16 + (uint64_t)(isdigit((unsigned char)*p) ? *p - '0' : (*p | 0x20) - 'a' + 10);
		if (v > max) {
			*why = "too large";
			return -1;
		}
	}
	*out = v;
	return 0;
}

int parse_key(const char *s, uint32_t *out, const char **why)
{
	uint64_t v;
	bool neg = s[0] == '-';
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	int rc = neg ? scan_plain(s + 1, (uint64_t)INT32_MAX + 1, &v, why) : scan_hex_or_dec(s, UINT32_MAX, &v, why);
	if (rc < 0) {
		if (strcmp(*why, "too large") == 0)
			*why = hex ? "too large (at most 0xffffffff)" : "out of range (-2147483648 to 4294967295)";
		else if (strcmp(*why, "not a whole number") == 0)
			*why = "not a key (examples: 0x69706364, 42)";
		return -1;
	}
	*out = neg ? (uint32_t)(0 - v) : (uint32_t)v;
	return 0;
}

int parse_proj(const char *s, int *out, const char **why)
{
	uint64_t v;
	if (s[0] != '\0' && s[1] == '\0' && !isdigit((unsigned char)s[0])) {
		*out = (unsigned char)s[0];
		return 0;
	}
	if (scan_hex_or_dec(s, 255, &v, why) < 0 || v == 0) {
		*why = "one character or a number from 1 to 255";
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* A host name (letters, digits, '-', '_' and dots; not starting with '-'
 * or a dot) or a numeric IPv4 address: what may go to the resolver. */
static bool host_name_ok(const char *h, size_t n)
{
	if (n == 0 || n > 253 || h[0] == '-' || h[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.' && h[i] != '_')
			return false;
	return true;
}

/* A numeric IPv6 address, optionally with a %scope (an interface). */
static bool ipv6_ok(const char *h, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char bin[16];
	size_t a = strcspn(h, "%");
	if (a > n)
		a = n;
	if (a == 0 || a >= sizeof(buf))
		return false;
	memcpy(buf, h, a);
	buf[a] = '\0';
	if (inet_pton(AF_INET6, buf, bin) != 1)
		return false;
	if (a == n)
		return true;
	if (a + 1 == n || n - a > IF_NAMESIZE)
		return false;
	for (size_t i = a + 1; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '_' && h[i] != '.')
			return false;
	return true;
}

/* A port: decimal digits for 1 to 65535, or a service name (a letter, then
 * letters, digits, '-' and '_'), which the caller looks up. */
static bool port_ok(const char *p, size_t n)
{
	if (n == 0 || n > 32)
		return false;
	if (isdigit((unsigned char)p[0])) {
		uint64_t v = 0;
		for (size_t i = 0; i < n; i++) {
			if (!isdigit((unsigned char)p[i]))
				return false;
			v = v * 10 + (uint64_t)(p[i] - '0');
			if (v > 65535)
				return false;
		}
		return v >= 1;
	}
	if (!isalpha((unsigned char)p[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-' && p[i] != '_')
			return false;
	return true;
}

static int put_part(char *buf, size_t len, const char *p, size_t n)
{
	if (n >= len)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* The parts of an address: the host (*h, *hn; none for a bare port), the
 * port (*p, NULL when left out), and whether the host is an IPv6 address. */
struct addr_parts {
	const char *h, *p;
	size_t hn;
	bool v6;
};

static int address_split(const char *s, struct addr_parts *a, const char **why)
{
	const char *colon = strrchr(s, ':');
	memset(a, 0, sizeof(*a));
	if (isdigit((unsigned char)s[0]) && s[strspn(s, "0123456789")] == '\0') { /* PORT */
		a->p = s;
		return 0;
	}
	a->h = s;
	if (s[0] == '[') { /* [v6] or [v6]:PORT */
		const char *close = strchr(s, ']');
		if (!close || (close[1] != '\0' && (close[1] != ':' || close[2] == '\0'))) {
			*why = "expected [IPv6]:PORT";
			return -1;
		}
		a->h = s + 1;
		a->hn = (size_t)(close - a->h);
		a->p = close[1] ? close + 2 : NULL;
		a->v6 = true;
	} else if (colon && strchr(s, ':') == colon) { /* HOST:PORT, one colon */
		a->hn = (size_t)(colon - s);
		a->p = colon + 1;
		if (*a->p == '\0') {
			*why = "the port is missing";
			return -1;
		}
	} else { /* HOST, or a bare IPv6 address */
		a->hn = strlen(s);
		a->v6 = colon != NULL;
	}
	if (a->hn == 0) {
		*why = "the host is missing";
		return -1;
	}
	return 0;
}

int parse_address(const char *s, char *host, size_t hl, char *port, size_t pl, const char **why)
{
	struct addr_parts a;
	if (*s == '\0') {
		*why = "empty";
		return -1;
	}
	if (address_split(s, &a, why) < 0)
		return -1;
	if (a.h && !(a.v6 ? ipv6_ok(a.h, a.hn) : host_name_ok(a.h, a.hn))) {
		/* "-1" or "+7790": meant as a port, not a host. */
		bool sign = (s[0] == '-' || s[0] == '+') && s[1] && s[1 + strspn(s + 1, "0123456789")] == '\0';
		*why = sign ? "the port must be 1 to 65535 or a service name"
			    : a.v6 ? "not an IPv6 address" : "not a host name or address";
		return -1;
	}
	if (a.p && !port_ok(a.p, strlen(a.p))) {
		*why = "the port must be 1 to 65535 or a service name";
		return -1;
	}
	if (put_part(host, hl, a.h ? a.h : "", a.hn) < 0 || put_part(port, pl, a.p ? a.p : "", a.p ? strlen(a.p) : 0) < 0) {
		*why = "too long";
		return -1;
	}
	return 0;
}

unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return UINT_MAX;
	unsigned row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
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
