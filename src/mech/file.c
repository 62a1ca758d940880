/* SPDX-License-Identifier: MIT */
/* file: the shared storage file of producer.sh / consumer.sh, with the
 * locking the tutorial leaves out, a tail -F style reader, and a race
 * that shows what happens without a lock. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/demo.h"
#include "ipcdemo/fsobj.h"
#include "ipcdemo/message.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"

#define DEFAULT_PATH "storage"

/* ---- Options ---- */
enum lock_kind { LK_FLOCK, LK_FCNTL, LK_NONE };

static const char *const lock_names[] = { "flock", "fcntl", "none", NULL };

struct file_opts {
	int lock; /* enum lock_kind */
	bool truncate;
	int64_t reread; /* ns */
	bool no_follow;
	uint64_t writers;
	bool append;
	struct {
		bool lock, reread;
	} given;
};

#define AT(member) .offset = offsetof(struct file_opts, member)
#define GIVEN(member) .given = OPT_GIVEN(struct file_opts, given.member)

static const struct opt_def opt_lock = {
	.name = "lock", .type = OPT_CHOICE, .arg = "KIND",
	.help = "lock around each write: flock (default), fcntl, none", .choices = lock_names, AT(lock), GIVEN(lock),
};
static const struct opt_def opt_truncate = {
	.name = "truncate", .type = OPT_FLAG, .help = "start from an empty file", AT(truncate),
};
static const struct opt_def opt_reread = {
	.name = "reread", .type = OPT_DURATION, .arg = "DURATION", .help = "re-read the whole file every DURATION",
	.min = 1, .max = OPT_DURATION_MAX, AT(reread), GIVEN(reread),
};
static const struct opt_def opt_no_follow = {
	.name = "no-follow", .type = OPT_FLAG, .help = "print what is there and exit", AT(no_follow),
};
static const struct opt_def opt_writers = {
	.name = "writers", .short_name = 'w', .type = OPT_COUNT, .arg = "N", .help = "number of concurrent writers",
	.min = 1, .max = 256, AT(writers),
};
static const struct opt_def opt_append = {
	.name = "append", .type = OPT_FLAG, .help = "open with O_APPEND instead of lseek(SEEK_END) + write",
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

static const struct file_opts *file_opts(const struct ctx *ctx)
{
	static const struct file_opts defaults = { .lock = LK_FLOCK, .writers = 4 };
	return ctx_mopt(ctx, &defaults);
}

static const char *storage_path(const struct ctx *ctx)
{
	return ctx->opt.path ? ctx->opt.path : DEFAULT_PATH;
}

/* Take (or with unlock, release) the chosen lock on the whole file.
 * Returns 0, 1 when interrupted by a stop request, -1 on error. */
static int file_lock(int fd, int kind, bool exclusive, bool unlock)
{
	if (kind == LK_NONE)
		return 0;
	for (;;) {
		int rc;
		if (kind == LK_FLOCK) {
			rc = flock(fd, unlock ? LOCK_UN : exclusive ? LOCK_EX : LOCK_SH);
		} else {
			struct flock fl = { .l_type = (short)(unlock ? F_UNLCK : exclusive ? F_WRLCK : F_RDLCK),
					    .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
			rc = fcntl(fd, unlock ? F_SETLK : F_SETLKW, &fl);
		}
		if (rc == 0)
			return 0;
		if (errno != EINTR)
			return -1;
		if (stop_requested())
			return 1;
	}
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
static int open_storage(struct ctx *ctx, const char *path, int flags, bool *created)
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
		fd = open(path, flags | O_EXCL | O_NONBLOCK | O_CLOEXEC | nofollow, ctx->opt.mode);
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
		fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | nofollow);
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
	return open_storage(ctx, path, (readable ? O_RDWR : O_WRONLY) | O_APPEND | O_CREAT, created);
}

/* producer.sh appends with >>, which creates the file again when someone
 * removed it: do the same, and follow the name when it was replaced (but
 * never to a symbolic link: lstat, and open_storage refuses one). */
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
		msg_warn(ctx->prog, "%s ended in an unfinished line (a writer stopped in the middle of it); "
				    "ended it with a newline before appending", fs->path);
	return 0;
}

static int file_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done)
{
	struct file_sink *fs = impl;
	*done = 0;
	if (file_reopen_if_gone(ctx, fs) < 0)
		return -1;
	int rc = file_lock(fs->fd, fs->lock, true, false);
	if (rc) {
		if (rc < 0)
			msg_syserr(ctx->prog, "lock %s", fs->path);
		return rc;
	}
	/* O_APPEND: each write(2) lands at the end of the file, whole. */
	bool torn_failed = end_torn_line(ctx, fs) < 0;
	int w = torn_failed ? -1 : write_all(fs->fd, buf, len, done);
	int e = errno;
	if (file_lock(fs->fd, fs->lock, true, true) < 0) {
		msg_syserr(ctx->prog, "unlock %s", fs->path);
		return -1;
	}
	if (w == 0)
		return 0;
	if (torn_failed)
		return -1; /* end_torn_line said why */
	errno = e;
	if (errno == EINTR)
		return 1;
	msg_syserr(ctx->prog, "write %s", fs->path);
	return -1;
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
	const char *path = storage_path(ctx);
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

/* ---- consume ---- */

/* Read what fd holds from its offset to the current end and deliver the
 * complete lines. The shared lock is held around each read(2) only, never
 * while printing: a consumer whose stdout blocks must not stall producers.
 * A file that became shorter than our offset was truncated: read it again
 * from the start. Returns 0, 1 to stop, -1 on error. */
static int drain(struct consumer *c, struct linebuf *lb, int fd, const char *path)
{
	int lock = file_opts(c->ctx)->lock;
	for (;;) {
		int rc = file_lock(fd, lock, false, false);
		if (rc) {
			if (rc < 0)
				msg_syserr(c->ctx->prog, "lock %s", path);
			return rc;
		}
		struct stat st;
		off_t pos = lseek(fd, 0, SEEK_CUR);
		if (pos < 0 || fstat(fd, &st) < 0) {
			msg_syserr(c->ctx->prog, "stat %s", path);
			file_lock(fd, lock, false, true);
			return -1;
		}
		if (st.st_size < pos) {
			if (!c->ctx->opt.quiet)
				msg_warn(c->ctx->prog, "%s was truncated; reading it from the start", path);
			if (lseek(fd, 0, SEEK_SET) < 0) {
				msg_syserr(c->ctx->prog, "lseek %s", path);
				file_lock(fd, lock, false, true);
				return -1;
			}
			linebuf_reset(lb);
		}
		ssize_t n = linebuf_fill(lb, fd);
		int e = errno;
		if (file_lock(fd, lock, false, true) < 0) {
			msg_syserr(c->ctx->prog, "unlock %s", path);
			return -1;
		}
		errno = e;
		if (n > 0 || (n < 0 && errno == ENOBUFS)) {
			if (consumer_deliver_lines(c, lb))
				return 1;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR) {
			if (stop_requested())
				return 1;
			continue;
		}
		msg_syserr(c->ctx->prog, "read %s", path);
		return -1;
	}
	return consumer_idle(c) ? 1 : 0;
}

static int consume_reread(struct ctx *ctx, struct consumer *c, struct linebuf *lb, const char *path)
{
	bool warned = false;
	struct stat prev = { 0 };
	for (;;) {
		bool created;
		int fd = open_storage(ctx, path, O_RDONLY, &created);
		if (fd < 0) {
			if (errno != ENOENT)
				return EXIT_FAIL;
			if (file_opts(ctx)->no_follow) {
				msg_warn(ctx->prog, "%s does not exist", path);
				return EXIT_FAIL;
			}
			if (!warned && !ctx->opt.quiet)
				msg_warn(ctx->prog, "%s does not exist yet; trying again every reread interval", path);
			warned = true;
		} else {
			struct stat now;
			int64_t last = c->last_ns;
			bool same = fstat(fd, &now) == 0 && now.st_ino == prev.st_ino && now.st_size == prev.st_size &&
				    now.st_mtim.tv_sec == prev.st_mtim.tv_sec && now.st_mtim.tv_nsec == prev.st_mtim.tv_nsec;
			warned = false;
			linebuf_reset(lb);
			int rc = drain(c, lb, fd, path);
			close(fd);
			/* Printing the same file again is not news: --timeout counts
			 * from the last change. */
			if (same)
				c->last_ns = last;
			prev = now;
			if (rc < 0)
				return EXIT_FAIL;
			if (rc > 0)
				return EXIT_OK;
		}
		if (file_opts(ctx)->no_follow)
			return EXIT_OK;
		int ms = consumer_poll_timeout(c);
		if (c->timed_out)
			return EXIT_OK;
		int64_t wait = file_opts(ctx)->reread;
		if (ms >= 0 && (int64_t)ms * NSEC_PER_MSEC < wait)
			wait = (int64_t)ms * NSEC_PER_MSEC;
		if (!sleep_ns(wait))
			return EXIT_OK;
	}
}

/* Wait for an inotify event on the directory (or the timeout), then empty
 * the event queue: what changed is checked with stat(). Returns 0 on an
 * event, 1 to stop, -1 on error. */
static int wait_change(struct consumer *c, int ifd)
{
	char evbuf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int w = consumer_wait(c, ifd, "inotify");
	if (w == 0)
		while (read(ifd, evbuf, sizeof(evbuf)) > 0)
			;
	return w;
}

static int consume_follow(struct ctx *ctx, struct consumer *c, struct linebuf *lb, const char *path)
{
	char dirbuf[4096];
	int status = EXIT_OK;
	int fd = -1, ifd;
	struct stat cur;
	bool waiting_note = false;

	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	const char *dir = dirname(dirbuf);
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0) {
		msg_syserr(ctx->prog, "inotify_init1");
		return EXIT_FAIL;
	}
	/* One watch on the directory sees the file being written, removed,
	 * renamed and created again, as tail -F follows a name. */
	if (inotify_add_watch(ifd, dir,
			      IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
				      IN_ATTRIB) < 0) {
		msg_syserr(ctx->prog, "inotify_add_watch %s", dir);
		close(ifd);
		return EXIT_FAIL;
	}
	for (;;) {
		if (fd < 0) {
			bool created;
			fd = open_storage(ctx, path, O_RDONLY, &created);
			if (fd < 0 && errno != ENOENT) {
				status = EXIT_FAIL;
				break;
			}
			if (fd >= 0) {
				if (fstat(fd, &cur) < 0) {
					msg_syserr(ctx->prog, "stat %s", path);
					status = EXIT_FAIL;
					break;
				}
				linebuf_reset(lb);
				/* Also watch the file itself: through a symbolic link it may
				 * live in another directory than the one watched. */
				if (inotify_add_watch(ifd, path, IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF) <
				    0)
					msg_syserr(ctx->prog, "inotify_add_watch %s", path);
				if (waiting_note && !ctx->opt.quiet)
					msg_warn(ctx->prog, "%s appeared; following it", path);
				waiting_note = false;
			} else if (!waiting_note && !ctx->opt.quiet && !file_opts(ctx)->no_follow) {
				msg_warn(ctx->prog, "waiting for %s to be created", path);
				waiting_note = true;
			}
		}
		if (fd >= 0) {
			int rc = drain(c, lb, fd, path);
			if (rc < 0) {
				status = EXIT_FAIL;
				break;
			}
			if (rc > 0)
				break;
			/* Was the name removed or given to another file? The old one is
			 * read to its end above; then we move to the new one. */
			struct stat byname;
			int gone = stat(path, &byname) < 0;
			if (gone || byname.st_ino != cur.st_ino || byname.st_dev != cur.st_dev) {
				if (linebuf_pending(lb) && !ctx->opt.quiet)
					msg_warn(ctx->prog, "%s was replaced; dropping %zu bytes of an unfinished line",
						 path, linebuf_pending(lb));
				if (!ctx->opt.quiet)
					msg_warn(ctx->prog, "%s was %s", path, gone ? "removed" : "replaced");
				close(fd);
				fd = -1;
				linebuf_reset(lb);
				continue;
			}
		}
		if (file_opts(ctx)->no_follow)
			break;
		int w = wait_change(c, ifd);
		if (w < 0)
			status = EXIT_FAIL;
		if (w)
			break;
	}
	if (file_opts(ctx)->no_follow && fd < 0 && status == EXIT_OK && !c->msgs) {
		msg_warn(ctx->prog, "%s does not exist", path);
		status = EXIT_FAIL;
	}
	if (fd >= 0)
		close(fd);
	close(ifd);
	return status;
}

static int file_consume(struct ctx *ctx)
{
	const char *path = storage_path(ctx);
	struct consumer c;
	struct linebuf lb;
	int status;
	if (consumer_init(&c, ctx) < 0)
		return EXIT_FAIL;
	if (linebuf_init(&lb, STREAM_READ, STREAM_LINE_MAX) < 0) {
		msg_syserr(ctx->prog, "allocate buffer");
		return consumer_finish(&c, EXIT_FAIL);
	}
	if (file_opts(ctx)->given.reread)
		status = consume_reread(ctx, &c, &lb, path);
	else
		status = consume_follow(ctx, &c, &lb, path);
	/* A line without its newline is never printed: its writer may still
	 * be writing it, or was killed in the middle of it (the next producer
	 * ends it with a newline, and it is then printed as a line of its own). */
	if (linebuf_pending(&lb) && !linebuf_lines(&lb) && !ctx->opt.quiet)
		msg_warn(ctx->prog, "%s ends in an unfinished line of %zu bytes, not printed", path,
			 linebuf_pending(&lb));
	linebuf_free(&lb);
	return consumer_finish(&c, status);
}

/* ---- race ---- */

/* "wNNN:SSSSSSSSSS:" then filler up to size-1, then '\n'. */
#define RACE_HEAD 16

static void race_line(char *buf, size_t size, unsigned writer, uint64_t seq)
{
	snprintf(buf, size, "w%03u:%010llu:", writer, (unsigned long long)seq);
	memset(buf + RACE_HEAD, 'a' + (int)(writer % 26), size - 1 - RACE_HEAD);
	buf[size - 1] = '\n';
}

/* Open the file the race made, and only that one: not a symbolic link,
 * nor another file put in its place since. Returns the fd or -1 (said). */
static int race_open(struct ctx *ctx, const char *path, int flags, const struct stat *made)
{
	struct stat st;
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		msg_syserr(ctx->prog, "open %s", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		msg_syserr(ctx->prog, "stat %s", path);
		close(fd);
		return -1;
	}
	if (st.st_dev != made->st_dev || st.st_ino != made->st_ino) {
		msg_warn(ctx->prog, "%s was replaced since the race created it; not touching it", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int race_writer(struct ctx *ctx, const char *path, const struct stat *made, unsigned writer, int gate)
{
	const struct opts *o = &ctx->opt;
	const struct file_opts *fo = file_opts(ctx);
	size_t size = (size_t)o->size;
	char *line = malloc(size);
	char b;
	int st = EXIT_OK;
	if (!line) {
		msg_syserr(ctx->prog, "writer %u: allocate a line", writer);
		return EXIT_FAIL;
	}
	int fd = race_open(ctx, path, O_WRONLY | (fo->append ? O_APPEND : 0), made);
	if (fd < 0) {
		free(line);
		return EXIT_FAIL;
	}
	/* Wait at the gate so that all writers start together. */
	while (read(gate, &b, 1) < 0 && errno == EINTR && !stop_requested())
		;
	for (uint64_t s = 1; s <= o->count && !stop_requested(); s++) {
		race_line(line, size, writer, s);
		int rc = file_lock(fd, fo->lock, true, false);
		if (rc) {
			if (rc < 0) {
				msg_syserr(ctx->prog, "writer %u: lock %s", writer, path);
				st = EXIT_FAIL;
			}
			break;
		}
		/* The race: between finding the end and writing there, another
		 * writer can write at the same offset. O_APPEND does both in one step. */
		if (!fo->append && lseek(fd, 0, SEEK_END) < 0) {
			msg_syserr(ctx->prog, "writer %u: lseek %s", writer, path);
			st = EXIT_FAIL;
			break;
		}
		if (write_all(fd, line, size, NULL) < 0) {
			msg_syserr(ctx->prog, "writer %u: write %s", writer, path);
			st = EXIT_FAIL;
			break;
		}
		if (file_lock(fd, fo->lock, true, true) < 0) {
			msg_syserr(ctx->prog, "writer %u: unlock %s", writer, path);
			st = EXIT_FAIL;
			break;
		}
	}
	close(fd);
	free(line);
	return st;
}

struct race_result {
	uint64_t expected, intact, lost, torn, duplicated;
	uint64_t bytes_expected, bytes_found;
};

static int race_check(struct ctx *ctx, const char *path, const struct stat *made, struct race_result *r)
{
	const struct opts *o = &ctx->opt;
	const uint64_t writers = file_opts(ctx)->writers;
	size_t size = (size_t)o->size;
	uint64_t total = writers * o->count;
	uint8_t *seen = calloc(total ? total : 1, 1);
	char *want = malloc(size);
	int fd = race_open(ctx, path, O_RDONLY, made);
	FILE *fp = fd >= 0 ? fdopen(fd, "re") : NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	r->expected = total;
	r->bytes_expected = total * size;
	if (!seen || !want || !fp) {
		if (fd >= 0)
			msg_syserr(ctx->prog, "read back %s", path);
		if (fd >= 0 && !fp)
			close(fd);
		free(seen);
		free(want);
		if (fp)
			fclose(fp);
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) > 0) {
		unsigned w;
		unsigned long long s;
		r->bytes_found += (uint64_t)n;
		/* Strict check: the exact line that writer w wrote for seq s. */
		if ((size_t)n == size && sscanf(line, "w%3u:%10llu:", &w, &s) == 2 && w < writers && s >= 1 &&
		    s <= o->count) {
			race_line(want, size, w, s);
			if (memcmp(want, line, size) == 0) {
				uint64_t k = (uint64_t)w * o->count + (s - 1);
				if (seen[k])
					r->duplicated++;
				else
					r->intact++;
				seen[k] = 1;
				continue;
			}
		}
		r->torn++;
	}
	r->lost = total - r->intact;
	free(line);
	free(seen);
	free(want);
	fclose(fp);
	return 0;
}

/* Remove the race's file, if the name is still that file. */
static void race_unlink(struct ctx *ctx, const char *path, const struct stat *made)
{
	struct stat st;
	if (lstat(path, &st) < 0 || st.st_dev != made->st_dev || st.st_ino != made->st_ino) {
		msg_warn(ctx->prog, "not removing %s: it is no longer the file the race made", path);
		return;
	}
	if (unlink(path) < 0)
		msg_syserr(ctx->prog, "unlink %s", path);
}

static int file_race(struct ctx *ctx)
{
	struct opts *o = &ctx->opt;
	struct file_opts *fo = ctx->mopt;
	char tmpl[4096];
	const char *path = o->path;
	int gate[2], status = EXIT_OK;
	pid_t pids[256];
	unsigned started = 0;

	if (!fo->given.lock)
		fo->lock = LK_NONE; /* the point of the race */
	if (!o->given[OP_COUNT])
		o->count = 10000;
	if (!o->given[OP_SIZE])
		o->size = 64;
	if (o->size < RACE_HEAD + 2)
		return msg_usage(ctx->prog, "--size must be at least %d for the race's lines", RACE_HEAD + 2);
	if (o->count > 10000000)
		return msg_usage(ctx->prog, "--count is at most 10000000 lines per writer for the race");
	/* Lines that overwrite each other take less room, but a race with a
	 * lock or --append writes them all: refuse what cannot fit. */
	tmp_template(tmpl, sizeof(tmpl), "ipcdemo-race");
	if (fsobj_check_space(ctx, path ? path : tmpl, fo->writers * o->count * o->size, 0) < 0) {
		fprintf(stderr, "Choose a smaller --count, --size or --writers.\n");
		return EXIT_FAIL;
	}

	int fd;
	struct stat made;
	if (path) {
		/* O_EXCL: a new file, never through a symbolic link. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, o->mode);
		if (fd < 0) {
			msg_syserr(ctx->prog, "create %s", path);
			if (errno == EEXIST)
				fprintf(stderr, "The race writes a new file; remove %s or choose another --path.\n",
					path);
			return EXIT_FAIL;
		}
		fsobj_mark(fd, "file");
	} else {
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd < 0) {
			msg_syserr(ctx->prog, "mkstemp %s", tmpl);
			return EXIT_FAIL;
		}
		path = tmpl;
	}
	if (fstat(fd, &made) < 0) {
		msg_syserr(ctx->prog, "stat %s", path);
		close(fd);
		unlink(path); /* just made by us, O_EXCL */
		return EXIT_FAIL;
	}
	if (o->path && fchmod(fd, o->mode) < 0) { /* exactly --mode, whatever the umask */
		msg_syserr(ctx->prog, "chmod %s", path);
		close(fd);
		race_unlink(ctx, path, &made);
		return EXIT_FAIL;
	}
	close(fd);

	if (pipe2(gate, O_CLOEXEC) < 0) {
		msg_syserr(ctx->prog, "pipe");
		status = EXIT_FAIL;
		goto out;
	}
	for (unsigned i = 0; i < fo->writers; i++) {
		pid_t pid = fork_child(ctx->prog);
		if (pid < 0) {
			status = EXIT_FAIL;
			break;
		}
		if (pid == 0) {
			close(gate[1]);
			int st = race_writer(ctx, path, &made, i, gate[0]);
			close(gate[0]);
			fflush(NULL);
			_exit(st);
		}
		pids[started++] = pid;
	}
	close(gate[0]);
	close(gate[1]); /* open the gate: every writer's read() returns 0 */
	for (unsigned i = 0; i < started; i++)
		if (wait_child(ctx->prog, pids[i]) != EXIT_OK)
			status = EXIT_FAIL;
	if (status != EXIT_OK)
		msg_warn(ctx->prog, "a writer failed: no count of lost lines");
	else if (stop_requested())
		msg_warn(ctx->prog, "interrupted before the writers finished: no count of lost lines");
	if (status == EXIT_OK && !stop_requested()) {
		struct race_result r;
		struct out out;
		if (race_check(ctx, path, &made, &r) < 0) {
			status = EXIT_FAIL;
			goto out;
		}
		out_init(&out, stdout, o->json);
		out_open(&out);
		out_u64(&out, PRINT_ANY, "writers", "%llu writers", fo->writers);
		out_u64(&out, PRINT_ANY, "lines_per_writer", " x %llu lines", o->count);
		out_u64(&out, PRINT_ANY, "line_bytes", " of %llu bytes", o->size);
		out_string(&out, PRINT_ANY, "lock", ", lock %s", lock_names[fo->lock]);
		out_string(&out, PRINT_ANY, "write", ", %s\n",
			   fo->append ? "O_APPEND write" : "lseek(SEEK_END) + write");
		out_u64(&out, PRINT_ANY, "expected", "expected  %llu lines\n", r.expected);
		out_u64(&out, PRINT_ANY, "intact", "intact    %llu\n", r.intact);
		out_u64(&out, PRINT_ANY, "lost", "lost      %llu\n", r.lost);
		out_u64(&out, PRINT_ANY, "torn", "torn      %llu\n", r.torn);
		if (r.duplicated || o->json)
			out_u64(&out, PRINT_ANY, "duplicated", "duplicated %llu\n", r.duplicated);
		out_u64(&out, PRINT_JSON, "bytes_expected", NULL, r.bytes_expected);
		out_u64(&out, PRINT_JSON, "bytes_found", NULL, r.bytes_found);
		out_string(&out, PRINT_JSON, "path", NULL, o->path ? o->path : NULL);
		if (r.lost)
			out_text(&out, "%llu of %llu lines were lost: the writers overwrote each other%s.",
				 (unsigned long long)r.lost, (unsigned long long)r.expected,
				 r.torn ? ", leaving torn pieces of lines" : "");
		else if (r.torn)
			out_text(&out, "%llu torn lines were found.", (unsigned long long)r.torn);
		else
			out_text(&out, "No line was lost or torn.");
		out_close(&out);
		if (r.lost || r.torn || r.duplicated)
			status = EXIT_VERIFY;
	}
out:
	if (!o->path)
		race_unlink(ctx, path, &made);
	return status;
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
		{ "producer", "produce", prod, 0, true },
		{ "consumer", "consume", cons, 300 * NSEC_PER_MSEC, false },
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
	{ "produce", "append messages to the shared storage file", "[options] [MESSAGE...]",
	  "Appends each batch of messages as whole lines, taking the lock around each write, and\n"
	  "echoes them on stdout.",
	  produce_opts, 0, -1, file_produce },
	{ "consume", "print the storage file, then follow it", "[options]",
	  "Prints what the file holds, then follows it like tail -F (inotify, no polling): it keeps\n"
	  "following when the file is truncated, removed or created again, and never prints a\n"
	  "half-written line. --reread re-reads everything instead, as consumer.sh does.",
	  consume_opts, 0, 0, file_consume },
	{ "race", "concurrent writers with and without a lock: count lost lines", "[options]",
	  "Starts N writers that append lines with lseek(SEEK_END) + write at the same moment,\n"
	  "then reads the file back and counts the lines that were lost or torn. Exit status 3\n"
	  "when any were.",
	  race_opts, 0, 0, file_race },
	{ "demo", "a producer and a consumer sharing a file", "[options]", NULL, demo_opts, 0, 0, file_demo },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

const struct mechanism mech_file = {
	.name = "file",
	.summary = "shared storage file, with flock(2) or fcntl(2) locks",
	.description = "The simplest IPC: a producer appends to a file that a consumer reads. Without a lock,\n"
		"concurrent writers race ('ipcdemo file race' shows it).",
	.verbs = file_verbs,
	.opt_scope = &file_opt_scope,
};
