/* SPDX-License-Identifier: MIT */
/* --explain's argument formatters: strings, buffers, open flags, modes,
 * flock operations, fcntl commands and locks, inotify masks, each as
 * strace prints them (explain.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/util.h"

/* strace's default string limit (-s 32). */
#define XSTR_SHOWN 32

struct flag_name {
	unsigned long bit;
	const char *name;
};

/* Append to x what is printed, keeping it a string when it is full. */
static void xadd(struct xstr *x, size_t *off, const char *fmt, const char *s)
{
	if (*off >= sizeof(x->s) - 1)
		return;
	int n = snprintf(x->s + *off, sizeof(x->s) - *off, fmt, s);
	if (n > 0)
		*off += (size_t)n < sizeof(x->s) - *off ? (size_t)n : sizeof(x->s) - *off - 1;
}

/* The bytes quoted as strace quotes them: \n, \t, \", \\ and octal for the
 * rest of what is not printable; "..." after the quote when cut at max. */
static struct xstr quote(const char *p, size_t len, size_t max)
{
	struct xstr x = { .s = "\"" };
	size_t off = 1;
	char one[8];
	for (size_t i = 0; i < len && i < max && off < sizeof(x.s) - 8; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\n')
			snprintf(one, sizeof(one), "\\n");
		else if (c == '\t')
			snprintf(one, sizeof(one), "\\t");
		else if (c == '"' || c == '\\')
			snprintf(one, sizeof(one), "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			snprintf(one, sizeof(one), "\\%o", c);
		else
			snprintf(one, sizeof(one), "%c", c);
		xadd(&x, &off, "%s", one);
	}
	xadd(&x, &off, "%s", len > max ? "\"..." : "\"");
	return x;
}

struct xstr xq(const char *s)
{
	return quote(s, strlen(s), sizeof(((struct xstr *)0)->s) - 16);
}

struct xstr xbuf(const void *buf, size_t len)
{
	return quote(buf, len, XSTR_SHOWN);
}

/* names of the bits set in v, joined by '|', after first (may be NULL);
 * what no name covers in hex. */
static struct xstr bits(const char *first, unsigned long v, const struct flag_name *names, size_t n)
{
	struct xstr x = { .s = "" };
	size_t off = 0;
	char rest[24];
	if (first)
		xadd(&x, &off, "%s", first);
	for (size_t i = 0; i < n; i++) {
		if (!(v & names[i].bit))
			continue;
		xadd(&x, &off, "%s", off ? "|" : "");
		xadd(&x, &off, "%s", names[i].name);
		v &= ~names[i].bit;
	}
	if (v || !off) {
		snprintf(rest, sizeof(rest), "%#lx", v);
		xadd(&x, &off, "%s", off ? "|" : "");
		xadd(&x, &off, "%s", rest);
	}
	return x;
}

struct xstr xflags_open(int flags)
{
	static const struct flag_name names[] = {
		{ .bit = O_CREAT, .name = "O_CREAT" },       { .bit = O_EXCL, .name = "O_EXCL" },
		{ .bit = O_NOCTTY, .name = "O_NOCTTY" },     { .bit = O_TRUNC, .name = "O_TRUNC" },
		{ .bit = O_APPEND, .name = "O_APPEND" },     { .bit = O_NONBLOCK, .name = "O_NONBLOCK" },
		{ .bit = O_DSYNC, .name = "O_DSYNC" },       { .bit = O_DIRECT, .name = "O_DIRECT" },
		{ .bit = 0100000, .name = "O_LARGEFILE" },   { .bit = O_DIRECTORY, .name = "O_DIRECTORY" },
		{ .bit = O_NOFOLLOW, .name = "O_NOFOLLOW" }, { .bit = O_NOATIME, .name = "O_NOATIME" },
		{ .bit = O_CLOEXEC, .name = "O_CLOEXEC" },   { .bit = O_PATH, .name = "O_PATH" },
	};
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	struct xstr x = bits(acc[flags & O_ACCMODE], (unsigned long)(flags & ~O_ACCMODE), names, ARRAY_SIZE(names));
	if (!(flags & ~O_ACCMODE))
		snprintf(x.s, sizeof(x.s), "%s", acc[flags & O_ACCMODE]);
	return x;
}

struct xstr xmode(mode_t mode)
{
	struct xstr x;
	const char *type = S_ISFIFO(mode) ? "S_IFIFO|" : S_ISREG(mode) ? "S_IFREG|" : "";
	snprintf(x.s, sizeof(x.s), "%s%#04o", type, (unsigned)(mode & 07777));
	return x;
}

struct xstr xflock_op(int op)
{
	static const struct flag_name names[] = {
		{ .bit = LOCK_SH, .name = "LOCK_SH" },
		{ .bit = LOCK_EX, .name = "LOCK_EX" },
		{ .bit = LOCK_NB, .name = "LOCK_NB" },
		{ .bit = LOCK_UN, .name = "LOCK_UN" },
	};
	return bits(NULL, (unsigned long)op, names, ARRAY_SIZE(names));
}

struct xstr xfcntl_cmd(int cmd)
{
	static const struct {
		int cmd;
		const char *name;
	} names[] = {
		{ .cmd = F_GETFL, .name = "F_GETFL" },           { .cmd = F_SETFL, .name = "F_SETFL" },
		{ .cmd = F_GETLK, .name = "F_GETLK" },           { .cmd = F_SETLK, .name = "F_SETLK" },
		{ .cmd = F_SETLKW, .name = "F_SETLKW" },         { .cmd = F_OFD_GETLK, .name = "F_OFD_GETLK" },
		{ .cmd = F_OFD_SETLK, .name = "F_OFD_SETLK" },   { .cmd = F_OFD_SETLKW, .name = "F_OFD_SETLKW" },
		{ .cmd = F_GETPIPE_SZ, .name = "F_GETPIPE_SZ" }, { .cmd = F_SETPIPE_SZ, .name = "F_SETPIPE_SZ" },
	};
	struct xstr x;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].cmd == cmd) {
			snprintf(x.s, sizeof(x.s), "%s", names[i].name);
			return x;
		}
	snprintf(x.s, sizeof(x.s), "%#x", (unsigned)cmd);
	return x;
}

struct xstr xflock_arg(short type, short whence, off_t start, off_t len)
{
	static const char *const types[] = { "F_RDLCK", "F_WRLCK", "F_UNLCK" };
	static const char *const whences[] = { "SEEK_SET", "SEEK_CUR", "SEEK_END" };
	struct xstr x;
	snprintf(x.s, sizeof(x.s), "{l_type=%s, l_whence=%s, l_start=%lld, l_len=%lld}",
		 type >= 0 && type <= 2 ? types[type] : "?", whence >= 0 && whence <= 2 ? whences[whence] : "?",
		 (long long)start, (long long)len);
	return x;
}

struct xstr xinotify_mask(uint32_t mask)
{
	static const struct flag_name names[] = {
		{ .bit = IN_ACCESS, .name = "IN_ACCESS" },
		{ .bit = IN_MODIFY, .name = "IN_MODIFY" },
		{ .bit = IN_ATTRIB, .name = "IN_ATTRIB" },
		{ .bit = IN_CLOSE_WRITE, .name = "IN_CLOSE_WRITE" },
		{ .bit = IN_CLOSE_NOWRITE, .name = "IN_CLOSE_NOWRITE" },
		{ .bit = IN_OPEN, .name = "IN_OPEN" },
		{ .bit = IN_MOVED_FROM, .name = "IN_MOVED_FROM" },
		{ .bit = IN_MOVED_TO, .name = "IN_MOVED_TO" },
		{ .bit = IN_CREATE, .name = "IN_CREATE" },
		{ .bit = IN_DELETE, .name = "IN_DELETE" },
		{ .bit = IN_DELETE_SELF, .name = "IN_DELETE_SELF" },
		{ .bit = IN_MOVE_SELF, .name = "IN_MOVE_SELF" },
		{ .bit = IN_ONLYDIR, .name = "IN_ONLYDIR" },
		{ .bit = IN_DONT_FOLLOW, .name = "IN_DONT_FOLLOW" },
	};
	return bits(NULL, mask, names, ARRAY_SIZE(names));
}
