/* SPDX-License-Identifier: MIT */
/* file: the shared storage file of producer.sh / consumer.sh, with the
 * locking the tutorial leaves out, a tail -F style reader, and a race
 * that shows what happens without a lock. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/demo.h"
#include "ipcdemo/fsobj.h"
#include "ipcdemo/message.h"
#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"
#include "ipcdemo/wait.h"
#include "file.h"

#define DEFAULT_PATH "storage"

/* ---- Options ---- */
const char *const lock_names[] = { "flock", "fcntl", "none", NULL };

#define AT(member) .offset = offsetof(struct file_opts, member)
#define GIVEN(member) .given = OPT_GIVEN(struct file_opts, given.member)

static const struct opt_def opt_lock = {
	.name = "lock",
	.type = OPT_CHOICE,
	.arg = "KIND",
	.help = "lock around each write: flock (default), fcntl, none",
	.choices = lock_names,
	AT(lock),
	GIVEN(lock),
};
static const struct opt_def opt_truncate = {
	.name = "truncate",
	.type = OPT_FLAG,
	.help = "start from an empty file",
	AT(truncate),
};
static const struct opt_def opt_reread = {
	.name = "reread",
	.type = OPT_DURATION,
	.arg = "DURATION",
	.help = "re-read the whole file every DURATION",
	.min = 1,
	.max = OPT_DURATION_MAX,
	AT(reread),
	GIVEN(reread),
};
static const struct opt_def opt_no_follow = {
	.name = "no-follow",
	.type = OPT_FLAG,
	.help = "print what is there and exit",
	AT(no_follow),
};
static const struct opt_def opt_writers = {
	.name = "writers",
	.short_name = 'w',
	.type = OPT_COUNT,
	.arg = "N",
	.help = "number of concurrent writers",
	.min = 1,
	.max = 256,
	AT(writers),
};
static const struct opt_def opt_append = {
	.name = "append",
	.type = OPT_FLAG,
	.help = "open with O_APPEND instead of lseek(SEEK_END) + write",
	AT(append),
};

static const struct opt_def *const file_opt_defs[] = {
	&opt_lock, &opt_truncate, &opt_reread, &opt_no_follow, &opt_writers, &opt_append, NULL,
};

static void file_opts_init(void *mopt)
{
	struct file_opts *o = mopt;
	o->lock = LK_FLOCK;
	o->writers = 4;
}

static const struct opt_scope file_opt_scope = {
	.defs = file_opt_defs,
	.size = sizeof(struct file_opts),
	.init = file_opts_init,
};

const struct file_opts *file_opts(const struct ctx *ctx)
{
	static const struct file_opts defaults = { .lock = LK_FLOCK, .writers = 4 };
	return ctx_mopt(ctx, &defaults);
}

const char *file_storage_path(const struct ctx *ctx)
{
	return ctx->opt.path ? ctx->opt.path : DEFAULT_PATH;
}

/* What a lock call means here (--explain). */
static const char *lock_says(int rc, int err, bool exclusive, bool unlock, bool wait)
{
	if (rc == 0 && unlock)
		return "released: a process waiting for the lock may take it now";
	if (rc == 0 && exclusive)
		return "ours: no other process that locks the file reads or writes it until we release it";
	if (rc == 0)
		return "shared: writers wait until we release it, other readers do not";
	if (!wait && (err == EWOULDBLOCK || err == EAGAIN || err == EACCES))
		return "another process holds a conflicting lock: wait for it";
	return xerr(err, EINTR, "interrupted: a stop was asked for, or the wait is to be told");
}

/* One lock call of kind on the whole file (wait: the call that waits;
 * else a try that does not), narrated with --explain: in full for the
 * first N messages, then counted. */
static int lock_call(struct ctx *ctx, int fd, int kind, bool exclusive, bool unlock, bool wait)
{
	struct flock fl = { .l_type = (short)(unlock      ? F_UNLCK
					      : exclusive ? F_WRLCK
							  : F_RDLCK),
			    .l_whence = SEEK_SET,
			    .l_start = 0,
			    .l_len = 0 };
	int op = unlock ? LOCK_UN : (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
	int cmd = wait && !unlock ? F_SETLKW : F_SETLK;
	bool say = explaining(ctx) && explain_full(ctx);
	if (say) {
		const char *blocks = wait && !unlock ? "blocks while another process holds a conflicting lock" : NULL;
		if (kind == LK_FLOCK)
			explain_begin(ctx, "flock", blocks, "%d, %s", fd, xflock_op(op).s);
		else
			explain_begin(ctx, "fcntl", blocks, "%d, %s, %s", fd, xfcntl_cmd(cmd).s,
				      xflock_arg(fl.l_type, SEEK_SET, 0, 0).s);
	}
	int rc = kind == LK_FLOCK ? flock(fd, op) : fcntl(fd, cmd, &fl);
	int e = errno;
	if (say)
		explain_end(ctx, rc, e, "%s", lock_says(rc, e, exclusive, unlock, wait));
	else if (explaining(ctx))
		explain_count(ctx, kind == LK_FLOCK ? "flock" : "fcntl", rc, SIZE_MAX);
	errno = e;
	return rc;
}

enum io_result file_lock(struct ctx *ctx, int fd, int kind, bool exclusive, bool unlock)
{
	if (kind == LK_NONE)
		return IO_OK;
	for (;;) {
		int rc = lock_call(ctx, fd, kind, exclusive, unlock, true);
		if (rc == 0)
			return IO_OK;
		if (errno != EINTR)
			return IO_FAILED_ERRNO;
		if (stop_requested())
			return IO_STOP;
	}
}

/* A lock another process holds this long is a wait worth a word; one
 * held for a write or two is not. */
#define LOCK_NOTE_US 200000

/* Take the lock, waiting at most LOCK_NOTE_US for it (a one-shot timer
 * interrupts the call; a free lock is taken at once without it): 0 taken,
 * -1 with errno (EINTR: not within that time, or a stop request). */
static int lock_grace(struct ctx *ctx, int fd, int kind, bool exclusive)
{
	int rc = lock_call(ctx, fd, kind, exclusive, false, false);
	if (rc == 0 || (errno != EWOULDBLOCK && errno != EAGAIN && errno != EACCES))
		return rc;
	struct itimerval once = { .it_interval = { .tv_sec = 0, .tv_usec = 0 },
				  .it_value = { .tv_sec = 0, .tv_usec = LOCK_NOTE_US } };
	struct itimerval off;
	memset(&off, 0, sizeof(off));
	if (setitimer(ITIMER_REAL, &once, NULL) < 0)
		return -1;
	rc = lock_call(ctx, fd, kind, exclusive, false, true);
	int e = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	errno = e;
	return rc;
}

/* The process that holds an fcntl lock, 0 when it cannot be told (flock). */
static pid_t lock_holder(int fd, int kind, bool exclusive)
{
	struct flock fl = { .l_type = (short)(exclusive ? F_WRLCK : F_RDLCK),
			    .l_whence = SEEK_SET,
			    .l_start = 0,
			    .l_len = 0 };
	if (kind != LK_FCNTL || fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
		return 0;
	return fl.l_pid;
}

enum io_result file_lock_wait(struct ctx *ctx, int fd, int kind, bool exclusive, const char *path)
{
	if (kind == LK_NONE || wait_noted(ctx, WAIT_LOCK))
		return file_lock(ctx, fd, kind, exclusive, false);
	if (lock_grace(ctx, fd, kind, exclusive) == 0)
		return IO_OK;
	if (errno != EINTR)
		return IO_FAILED_ERRNO;
	if (stop_requested())
		return IO_STOP;
	pid_t holder = lock_holder(fd, kind, exclusive);
	if (holder > 0)
		note_wait(ctx, WAIT_LOCK, "%s is locked (%s) by pid %d; waiting for the lock", path, lock_names[kind],
			  (int)holder);
	else
		note_wait(ctx, WAIT_LOCK, "%s is locked (%s) by another process; waiting for the lock", path,
			  lock_names[kind]);
	return file_lock(ctx, fd, kind, exclusive, false);
}

static int refuse_kind(struct ctx *ctx, const char *path, mode_t mode)
{
	msg_warn(ctx->prog, "%s is a %s, not a regular file; not touching it", path, fsobj_kind(mode));
	errno = EINVAL;
	return -1;
}

/* Open the storage file; it must be a regular file (O_NONBLOCK so that a
 * FIFO at that path cannot make us wait). A writer never goes through a
 * symbolic link (lstat, O_NOFOLLOW): it would append to whatever file the
 * link names. A reader follows one, as tail -F does. *created tells if we
 * made the file. */
int file_open_storage(struct ctx *ctx, const char *path, int flags, bool *created)
{
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	int nofollow = writing ? O_NOFOLLOW : 0;
	int fd = -1;
	struct stat st;
	*created = false;
	/* Say what is there when it is not a regular file (opening a FIFO for
	 * writing would only fail with ENXIO); fstat below closes the race. */
	if ((writing ? lstat(path, &st) : stat(path, &st)) == 0 && !S_ISREG(st.st_mode))
		return refuse_kind(ctx, path, st.st_mode);
	if (flags & O_CREAT) {
		/* O_EXCL: never through a symbolic link, even a dangling one. */
		int f = flags | O_EXCL | O_NONBLOCK | O_CLOEXEC | nofollow;
		if (explaining(ctx))
			explain_begin(ctx, "openat", NULL, "AT_FDCWD, %s, %s, %s", xq(path).s, xflags_open(f).s,
				      xmode(ctx->opt.mode).s);
		fd = open(path, f, ctx->opt.mode);
		if (explaining(ctx))
			explain_end(ctx, fd, errno, "%s",
				    fd >= 0 ? "made the file (O_EXCL: only if it did not exist, never through a link)"
					    : xerr(errno, EEXIST, "it exists already: open it as it is"));
		if (fd >= 0) {
			*created = true;
			if (fchmod(fd, ctx->opt.mode) < 0) { /* exactly --mode, whatever the umask */
				msg_syserr(ctx->prog, "chmod %s", path);
				close(fd);
				return -1;
			}
			fsobj_mark(fd, "file");
		} else if (errno != EEXIST) {
			msg_syserr(ctx->prog, "open %s", path);
			return -1;
		}
		flags &= ~O_CREAT;
	}
	if (fd < 0) {
		int f = flags | O_NONBLOCK | O_CLOEXEC | nofollow;
		if (explaining(ctx))
			explain_begin(ctx, "openat", NULL, "AT_FDCWD, %s, %s", xq(path).s, xflags_open(f).s);
		fd = open(path, f);
		if (explaining(ctx))
			explain_end(ctx, fd, errno, "%s",
				    fd >= 0 ? (writing ? "open for appending: every write goes to the end"
						       : "open for reading from the start")
					    : xerr(errno, ENOENT, "no such file yet: wait for a producer to make it"));
		if (fd < 0 && errno == ELOOP && writing && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return refuse_kind(ctx, path, st.st_mode); /* replaced since the lstat above */
		if (fd < 0) {
			if (errno != ENOENT || writing)
				msg_syserr(ctx->prog, "open %s", path);
			return -1;
		}
	}
	if (fstat(fd, &st) < 0) {
		msg_syserr(ctx->prog, "stat %s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return refuse_kind(ctx, path, st.st_mode);
	}
	return fd;
}

/* ---- produce ---- */

struct file_sink {
	const char *path;
	int fd;
	int lock;
};

/* The producer's descriptor is open for reading too, to look at the last
 * byte of the file (end_torn_line); a file it may only write is written
 * without that check. */
static int open_sink(struct ctx *ctx, const char *path, bool *created)
{
	/* Asked before the open, which says why when it fails: an open for
	 * reading and writing that failed first would say so in vain. */
	bool readable = faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) == 0 || errno != EACCES;
	return file_open_storage(ctx, path, (readable ? O_RDWR : O_WRONLY) | O_APPEND | O_CREAT, created);
}

/* producer.sh appends with >>, which creates the file again when someone
 * removed it: do the same, and follow the name when it was replaced (but
 * never to a symbolic link: lstat, and file_open_storage refuses one). */
static int file_reopen_if_gone(struct ctx *ctx, struct file_sink *fs)
{
	struct stat mine, byname;
	if (fstat(fs->fd, &mine) < 0) {
		msg_syserr(ctx->prog, "stat %s", fs->path);
		return -1;
	}
	int r = lstat(fs->path, &byname);
	if (r == 0 && byname.st_dev == mine.st_dev && byname.st_ino == mine.st_ino)
		return 0;
	if (r < 0 && errno != ENOENT) {
		msg_syserr(ctx->prog, "lstat %s", fs->path);
		return -1;
	}
	bool created;
	int fd = open_sink(ctx, fs->path, &created);
	if (fd < 0)
		return -1;
	if (!ctx->opt.quiet)
		msg_warn(ctx->prog, "%s was %s; writing to the %s file", fs->path, r < 0 ? "removed" : "replaced",
			 created ? "new" : "other");
	close(fs->fd);
	fs->fd = fd;
	return 0;
}

/* A writer killed in the middle of a line leaves it without its newline at
 * the end of the file. Called under the exclusive lock, when no writer
 * that takes the lock can be half-way through a line: end that torn line
 * first, so that the next line is not glued to it and lost with it. A
 * file we may not read is not checked. Returns 0, or -1 after a diagnostic. */
static int end_torn_line(struct ctx *ctx, struct file_sink *fs)
{
	struct stat st;
	char last;
	if (fstat(fs->fd, &st) < 0) {
		msg_syserr(ctx->prog, "stat %s", fs->path);
		return -1;
	}
	if (st.st_size == 0)
		return 0;
	ssize_t n = pread(fs->fd, &last, 1, st.st_size - 1);
	if (n < 0 && errno == EBADF)
		return 0; /* opened for writing only */
	if (n < 0) {
		msg_syserr(ctx->prog, "read %s", fs->path);
		return -1;
	}
	if (n == 0 || last == '\n')
		return 0;
	if (write_all(fs->fd, "\n", 1, NULL) < 0) {
		msg_syserr(ctx->prog, "write %s", fs->path);
		return -1;
	}
	if (!ctx->opt.quiet)
		msg_warn(ctx->prog,
			 "%s ended in an unfinished line (a writer stopped in the middle of it); "
			 "ended it with a newline before appending",
			 fs->path);
	return 0;
}

static const struct explain_says file_write_says = {
	.blocks = NULL,
	.ok = "appended at the end of the file (O_APPEND: wherever the end is now, in one step)",
	.eof = NULL,
	.eof_ends = false,
	.fail = NULL,
	.errs = { { .err = ENOSPC, .says = "the file system is full" },
		  { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};

static enum io_result file_write_locked(struct ctx *ctx, struct file_sink *fs, const char *buf, size_t len,
					size_t *done);

static enum io_result file_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done)
{
	if (!explaining(ctx))
		return file_write_locked(ctx, impl, buf, len, done);
	/* The lock, the write and the unlock of these messages together. */
	explain_hold(ctx);
	enum io_result rc = file_write_locked(ctx, impl, buf, len, done);
	explain_release(ctx);
	return rc;
}

static enum io_result file_write_locked(struct ctx *ctx, struct file_sink *fs, const char *buf, size_t len,
					size_t *done)
{
	*done = 0;
	if (file_reopen_if_gone(ctx, fs) < 0)
		return IO_FAILED_REPORTED;
	enum io_result rc = file_lock_wait(ctx, fs->fd, fs->lock, true, fs->path);
	if (rc != IO_OK) {
		if (rc == IO_FAILED_ERRNO) {
			msg_syserr(ctx->prog, "lock %s", fs->path);
			return IO_FAILED_REPORTED;
		}
		return rc;
	}
	/* O_APPEND: each write(2) lands at the end of the file, whole. */
	bool torn_failed = end_torn_line(ctx, fs) < 0;
	int w = torn_failed       ? -1
		: explaining(ctx) ? explain_write_all(ctx, fs->fd, buf, len, done, &file_write_says)
				  : write_all(fs->fd, buf, len, done);
	int e = errno;
	if (file_lock(ctx, fs->fd, fs->lock, true, true) == IO_FAILED_ERRNO) {
		msg_syserr(ctx->prog, "unlock %s", fs->path);
		return IO_FAILED_REPORTED;
	}
	if (w == 0)
		return IO_OK;
	if (torn_failed)
		return IO_FAILED_REPORTED; /* end_torn_line said why */
	errno = e;
	if (errno == EINTR)
		return IO_STOP;
	msg_syserr(ctx->prog, "write %s", fs->path);
	return IO_FAILED_REPORTED;
}

/* The fewest bytes a run of the producer appends, when it is known (not
 * for standard input, nor for --every without --batches); 0 otherwise. */
static uint64_t produce_need(const struct ctx *ctx)
{
	const struct opts *o = &ctx->opt;
	uint64_t per = 0, total;
	if (o->source == SRC_STDIN || (o->given[OP_EVERY] && !o->given[OP_BATCHES]))
		return 0;
	if (o->source == SRC_UUID)
		per = 37; /* a UUID and its newline */
	else if (o->source == SRC_COUNTER)
		per = 2;
	else
		for (int i = 0; i < ctx->argc; i++)
			if (i == 0 || strlen(ctx->argv[i]) + 1 < per)
				per = strlen(ctx->argv[i]) + 1;
	if (o->size > per)
		per = o->size;
	if (__builtin_mul_overflow(per, o->count, &total) || __builtin_mul_overflow(total, o->batches, &total))
		return UINT64_MAX;
	return total;
}

/* Refuse a run that cannot fit on the file system before writing anything.
 * With --truncate, the old file's blocks are freed first (as long as no
 * other name or open descriptor keeps them). */
static int produce_fits(struct ctx *ctx, const char *path)
{
	uint64_t need = produce_need(ctx), freed = 0;
	struct stat st;
	if (need == 0)
		return 0;
	if (file_opts(ctx)->truncate && lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1)
		freed = (uint64_t)st.st_blocks * 512;
	return fsobj_check_space(ctx, path, need, freed);
}

static int file_produce(struct ctx *ctx)
{
	const char *path = file_storage_path(ctx);
	bool created;
	int rc = producer_check(ctx);
	if (rc)
		return rc;
	if (produce_fits(ctx, path) < 0)
		return EXIT_FAIL;
	struct file_sink fs = { .path = path, .lock = file_opts(ctx)->lock };
	/* --truncate starts from an empty file as producer.sh's rm -f does: the
	 * old file goes (only if it is a regular file) and a new one is made.
	 * A reader following the name moves to it; emptying the file in place
	 * would let a reader at an old offset read the new lines half. */
	if (file_opts(ctx)->truncate && fsobj_unlink(ctx, path, S_IFREG) < 0)
		return EXIT_FAIL;
	fs.fd = open_sink(ctx, path, &created);
	if (fs.fd < 0)
		return EXIT_FAIL;
	struct sink sink = { .impl = &fs, .chunk = 0, .echo = true, .write = file_write };
	rc = produce(ctx, &sink);
	if (close(fs.fd) < 0 && rc == EXIT_OK) {
		msg_syserr(ctx->prog, "close %s", path);
		rc = EXIT_FAIL;
	}
	return rc;
}

/* ---- demo ---- */

static int file_demo(struct ctx *ctx)
{
	struct demo_place pl;
	const char *p = demo_place(ctx, &pl, DEFAULT_PATH);
	if (!p)
		return EXIT_FAIL;
	printf("A producer appends UUIDs to the shared file %s under a flock(2) lock;\n"
	       "a consumer follows the file (inotify) and prints each complete line.\n\n",
	       p);
	const char *prod[] = { "--path", p, "--truncate", "--count", "5", "--batches", "2", "--every", "1s", NULL };
	const char *cons[] = { "--path", p, "--count", "10", "--timeout", "10s", NULL };
	const struct demo_role roles[] = {
		{ .label = "producer", .verb = "produce", .args = prod, .delay_ns = 0, .upstream = true },
		{
			.label = "consumer",
			.verb = "consume",
			.args = cons,
			.delay_ns = 300 * NSEC_PER_MSEC,
			.upstream = false,
		},
	};
	int st = demo_run(ctx, roles, 2);
	demo_place_remove(ctx, &pl);
	return st;
}

static const struct verb_opt produce_opts[] = {
	{ .id = OP_PATH, .help = "the storage file (default: ./storage)" },
	{ .id = OP_MODE, .help = "permissions if the file is created (default 0600)" },
	{ .def = &opt_lock },
	{ .def = &opt_truncate, .help = "empty the file first, as producer.sh does" },
	PRODUCER_OPTIONS,
	{ .id = OP_JSON, .help = "print the --stats summary as JSON" },
	{ .id = OP_QUIET },
	OPT_LIST_END,
};

static const struct verb_opt consume_opts[] = {
	{ .id = OP_PATH, .help = "the storage file (default: ./storage)" },
	{ .def = &opt_reread, .help = "re-read the whole file every DURATION, as consumer.sh does" },
	{ .def = &opt_no_follow },
	{ .def = &opt_lock, .help = "shared lock while reading: flock (default), fcntl, none" },
	CONSUMER_OPTIONS,
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	OPT_LIST_END,
};

static const struct verb_opt race_opts[] = {
	{ .def = &opt_writers, .help = "concurrent writer processes (default: 4)" },
	{ .id = OP_COUNT, .help = "lines each writer appends (default: 10000)" },
	{ .def = &opt_lock, .help = "lock around each write: none (default here), flock, fcntl" },
	{ .def = &opt_append },
	{ .id = OP_SIZE, .help = "bytes per line, newline included (default: 64)" },
	{ .id = OP_PATH, .help = "file to create and keep (default: a temporary file, removed)" },
	{ .id = OP_MODE },
	{ .id = OP_JSON },
	OPT_LIST_END,
};

static const struct verb_opt demo_opts[] = {
	{ .id = OP_PATH, .help = "storage file to use (default: one in a new temporary directory)" },
	OPT_LIST_END,
};

static const struct verb file_verbs[] = {
	{
		.name = "produce",
		.summary = "append messages to the shared storage file",
		.usage = "[options] [MESSAGE...]",
		.description = "Appends each batch of messages as whole lines, taking the lock around each write, and\n"
			       "echoes them on stdout.",
		.opts = produce_opts,
		.min_args = 0,
		.max_args = -1,
		.run = file_produce,
	},
	{
		.name = "consume",
		.summary = "print the storage file, then follow it",
		.usage = "[options]",
		.description =
			"Prints what the file holds, then follows it like tail -F (inotify, no polling): it keeps\n"
			"following when the file is truncated, removed or created again, and never prints a\n"
			"half-written line. --reread re-reads everything instead, as consumer.sh does.",
		.opts = consume_opts,
		.min_args = 0,
		.max_args = 0,
		.run = file_consume,
	},
	{
		.name = "race",
		.summary = "concurrent writers with and without a lock: count lost lines",
		.usage = "[options]",
		.description = "Starts N writers that append lines with lseek(SEEK_END) + write at the same moment,\n"
			       "then reads the file back and counts the lines that were lost or torn. Exit status 3\n"
			       "when any were.",
		.opts = race_opts,
		.min_args = 0,
		.max_args = 0,
		.run = file_race,
	},
	{
		.name = "demo",
		.summary = "a producer and a consumer sharing a file",
		.usage = "[options]",
		.description = NULL,
		.opts = demo_opts,
		.min_args = 0,
		.max_args = 0,
		.run = file_demo,
	},
	{ .name = NULL },
};

/* ---- ls and clean: storage files in DIRECTORY, ours when marked ---- */

/* Files marked as ipcdemo's, and unmarked ones named as ours are (to say
 * that they are not). found: marked. */
static bool file_match(struct obj *o, const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return false;
	o->found = fsobj_marked(o->name);
	if (!o->found && strcmp(o->name + o->base, DEFAULT_PATH) != 0)
		return false;
	o->size = (long long)st->st_size;
	if (!o->found)
		o->note = "not marked as ipcdemo's";
	return true;
}

static int file_scan(struct ctx *ctx, const char *dir, struct obj_out *out)
{
	return obj_scan_dir(ctx, dir, out, file_match);
}

static bool file_ours(const struct obj *o)
{
	return o->found && o->uid == geteuid();
}

static int file_remove(struct ctx *ctx, const struct obj *o)
{
	return fsobj_unlink(ctx, o->name, S_IFREG);
}

static const struct mech_objects file_objects = {
	.type = "file",
	.plural = "files",
	.order = 60,
	.scan = file_scan,
	.ours = file_ours,
	.open_in_use = true,
	.in_use = obj_open_now,
	.remove = file_remove,
};

/* ---- bench ---- */

static const struct bench_row file_bench_rows[] = {
	{ .name = "file", .word = NULL, .variant = NULL },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static size_t file_bench_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	return bench_stream_limit(why, len);
}

/* Round trips: each side appends to one file and follows the other,
 * sleeping in inotify at its end as the consumer does. */
static int file_bench_side(struct bench_side *s, bool client)
{
	s->ifd = inotify_init1(IN_CLOEXEC);
	if (s->ifd < 0 || inotify_add_watch(s->ifd, s->ch->path[client ? 1 : 0], IN_MODIFY) < 0)
		return -1;
	return linebuf_init(&s->lb, 65536, (size_t)16 << 20);
}

static int file_bench_send(struct ctx *ctx, struct bench_side *s, const char *buf, size_t len)
{
	(void)ctx;
	return write_all(s->wfd, buf, len, NULL);
}

static ssize_t file_bench_recv(struct ctx *ctx, struct bench_side *s, char *buf, size_t cap, const char **msg)
{
	(void)ctx, (void)buf, (void)cap;
	for (;;) {
		const char *line;
		size_t n;
		if (linebuf_next(&s->lb, &line, &n)) {
			*msg = line;
			return (ssize_t)n;
		}
		ssize_t r = linebuf_fill(&s->lb, s->rfd);
		if (r > 0)
			continue;
		if (r == 0) {
			/* At the end of the file: sleep until it grows. */
			char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
			if (read(s->ifd, ev, sizeof(ev)) < 0)
				return -1;
			continue;
		}
		if (errno == ENOBUFS)
			continue;
		return -1;
	}
}

static const struct bench_chan_verbs file_bench_verbs = {
	.init = file_bench_side,
	.send = file_bench_send,
	.recv = file_bench_recv,
	.lines = true,
};

static int file_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			   char *err, size_t elen)
{
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	ch->verbs = &file_bench_verbs;
	ch->npath = 2;
	ch->fd[1] = open(ch->path[0], O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	ch->fd[2] = open(ch->path[0], O_RDONLY | O_CLOEXEC);
	ch->fd[3] = open(ch->path[1], O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	ch->fd[0] = open(ch->path[1], O_RDONLY | O_CLOEXEC);
	return ch->fd[0] < 0 || ch->fd[1] < 0 || ch->fd[2] < 0 || ch->fd[3] < 0 ? -1 : 0;
}

static int file_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			  char *err, size_t elen)
{
	(void)row, (void)size, (void)err, (void)elen;
	snprintf(r->obj, sizeof(r->obj), "%s/b%d.storage", env->dir, env->seq);
	bench_args2(r, "--path", r->obj);
	bench_args2(r, "-q", NULL);
	return 0;
}

static const struct mech_bench file_bench = {
	.order = 100,
	.rows = file_bench_rows,
	.lossy = false,
	.limit = file_bench_limit,
	.chan_open = file_bench_chan,
	.chan_close = bench_chan_unlink,
	.run_setup = file_bench_run,
	.ready = NULL,
	.cleanup = bench_run_unlink,
};

const struct mechanism mech_file = {
	.name = "file",
	.summary = "shared storage file, with flock(2) or fcntl(2) locks",
	.description = "The simplest IPC: a producer appends to a file that a consumer reads. Without a lock,\n"
		       "concurrent writers race ('ipcdemo file race' shows it).",
	.verbs = file_verbs,
	.objects = &file_objects,
	.bench = &file_bench,
	.opt_scope = &file_opt_scope,
	.explains = true,
};
