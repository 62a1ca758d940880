/* SPDX-License-Identifier: MIT */
/* file consume: print the storage file, then follow it as tail -F does
 * (inotify on its directory), or re-read it whole every --reread interval. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/message.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"
#include "ipcdemo/wait.h"
#include "file.h"

/* Read what fd holds from its offset to the current end and deliver the
 * complete lines. The shared lock is held around each read(2) only, never
 * while printing: a consumer whose stdout blocks must not stall producers.
 * A file that became shorter than our offset was truncated: read it again
 * from the start. Returns IO_OK, IO_STOP to stop, IO_FAILED_REPORTED. */
static const struct explain_says file_read_says = {
	.blocks = NULL,
	.ok = "read from our offset in the file, which moves on by as much",
	.eof = "at the end of the file for now: inotify tells when a writer adds more",
	.eof_ends = false,
	.fail = NULL,
	.errs = { { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};

static enum io_result drain_locked(struct consumer *c, struct linebuf *lb, int fd, const char *path);

static enum io_result drain(struct consumer *c, struct linebuf *lb, int fd, const char *path)
{
	if (!explaining(c->ctx))
		return drain_locked(c, lb, fd, path);
	c->says = &file_read_says;
	/* The lock, the read and the unlock of a message told together. */
	explain_hold(c->ctx);
	enum io_result rc = drain_locked(c, lb, fd, path);
	explain_release(c->ctx);
	return rc;
}

static enum io_result drain_locked(struct consumer *c, struct linebuf *lb, int fd, const char *path)
{
	int lock = file_opts(c->ctx)->lock;
	for (;;) {
		enum io_result rc = file_lock_wait(c->ctx, fd, lock, false, path);
		if (rc != IO_OK) {
			if (rc != IO_FAILED_ERRNO)
				return rc;
			msg_syserr(c->ctx->prog, "lock %s", path);
			return IO_FAILED_REPORTED;
		}
		struct stat st;
		off_t pos = lseek(fd, 0, SEEK_CUR);
		if (pos < 0 || fstat(fd, &st) < 0) {
			msg_syserr(c->ctx->prog, "stat %s", path);
			file_lock(c->ctx, fd, lock, false, true);
			return IO_FAILED_REPORTED;
		}
		if (st.st_size < pos) {
			if (!c->ctx->opt.quiet)
				msg_warn(c->ctx->prog, "%s was truncated; reading it from the start", path);
			if (lseek(fd, 0, SEEK_SET) < 0) {
				msg_syserr(c->ctx->prog, "lseek %s", path);
				file_lock(c->ctx, fd, lock, false, true);
				return IO_FAILED_REPORTED;
			}
			linebuf_reset(lb);
		}
		ssize_t n = consumer_fill(c, lb, fd);
		int e = errno;
		if (file_lock(c->ctx, fd, lock, false, true) == IO_FAILED_ERRNO) {
			msg_syserr(c->ctx->prog, "unlock %s", path);
			return IO_FAILED_REPORTED;
		}
		errno = e;
		if (explaining(c->ctx))
			explain_hold(c->ctx); /* the next lock is told when the next read will be */
		if (n > 0 || (n < 0 && errno == ENOBUFS)) {
			if (consumer_deliver_lines(c, lb))
				return IO_STOP;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR) {
			if (stop_requested())
				return IO_STOP;
			continue;
		}
		msg_syserr(c->ctx->prog, "read %s", path);
		return IO_FAILED_REPORTED;
	}
	return consumer_idle(c) ? IO_STOP : IO_OK;
}

static int consume_reread(struct ctx *ctx, struct consumer *c, struct linebuf *lb, const char *path)
{
	bool warned = false;
	struct stat prev = { 0 };
	for (;;) {
		bool created;
		int fd = file_open_storage(ctx, path, O_RDONLY, &created);
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
				    now.st_mtim.tv_sec == prev.st_mtim.tv_sec &&
				    now.st_mtim.tv_nsec == prev.st_mtim.tv_nsec;
			warned = false;
			linebuf_reset(lb);
			enum io_result rc = drain(c, lb, fd, path);
			close(fd);
			/* Printing the same file again is not news: --timeout counts
			 * from the last change. */
			if (same)
				c->last_ns = last;
			prev = now;
			if (rc == IO_FAILED_REPORTED)
				return EXIT_FAIL;
			if (rc == IO_STOP)
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
 * the event queue: what changed is checked with stat(). Returns as
 * consumer_wait. */
static enum io_result wait_change(struct consumer *c, int ifd)
{
	char evbuf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	enum io_result w = consumer_wait(c, ifd, "inotify");
	if (w != IO_OK)
		return w;
	/* The first read of the events is told, while the loop is; the rest
	 * (to EAGAIN) counted. */
	for (bool first = true;; first = false) {
		bool say = explaining(c->ctx) && first && explain_full(c->ctx);
		if (say)
			explain_begin(c->ctx, "read", NULL, "%d, ..., %zu", ifd, sizeof(evbuf));
		ssize_t n = read(ifd, evbuf, sizeof(evbuf));
		if (say)
			explain_end(c->ctx, n, errno, "%s",
				    n > 0             ? "inotify events: something changed in the directory or the file"
				    : errno == EAGAIN ? "no more events (O_NONBLOCK): look at the file again"
						      : strerror(errno));
		if (say)
			explain_messages(c->ctx, 0);
		else if (explaining(c->ctx))
			explain_count(c->ctx, "read", n, n > 0 ? (size_t)n : 0);
		if (n <= 0)
			return w;
	}
}

/* inotify_add_watch, narrated with --explain: what is watched, and why. */
static int add_watch(struct ctx *ctx, int ifd, const char *path, uint32_t mask, const char *what)
{
	if (explaining(ctx))
		explain_begin(ctx, "inotify_add_watch", NULL, "%d, %s, %s", ifd, xq(path).s, xinotify_mask(mask).s);
	int wd = inotify_add_watch(ifd, path, mask);
	if (explaining(ctx))
		explain_end(ctx, wd, errno, "%s%s", wd >= 0 ? "watching " : "", wd >= 0 ? what : strerror(errno));
	return wd;
}

/* An inotify instance watching the directory of path. Returns its fd, or
 * -1 (said). */
static int follow_watch(struct ctx *ctx, const char *path)
{
	char dirbuf[4096];
	int ifd;

	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	const char *dir = dirname(dirbuf);
	if (explaining(ctx))
		explain_begin(ctx, "inotify_init1", NULL, "IN_NONBLOCK|IN_CLOEXEC");
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (explaining(ctx))
		explain_end(
			ctx, ifd, errno, "%s",
			ifd >= 0 ? "an inotify instance: a descriptor that becomes readable when a watched file changes"
				 : strerror(errno));
	if (ifd < 0) {
		msg_syserr(ctx->prog, "inotify_init1");
		return -1;
	}
	/* One watch on the directory sees the file being written, removed,
	 * renamed and created again, as tail -F follows a name. */
	uint32_t mask = IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB;
	if (add_watch(ctx, ifd, dir, mask, "the directory: the file being written, made, removed or renamed") < 0) {
		msg_syserr(ctx->prog, "inotify_add_watch %s", dir);
		close(ifd);
		return -1;
	}
	return ifd;
}

/* Start following fd, the file just opened at path: note what it is in
 * *cur and watch it too (ifd). Returns 0, or -1 (said). */
static int follow_start(struct ctx *ctx, struct linebuf *lb, int ifd, int fd, const char *path, struct stat *cur,
			bool *waiting_note)
{
	if (fstat(fd, cur) < 0) {
		msg_syserr(ctx->prog, "stat %s", path);
		return -1;
	}
	linebuf_reset(lb);
	/* Also watch the file itself: through a symbolic link it may
	 * live in another directory than the one watched. */
	if (add_watch(ctx, ifd, path, IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF,
		      "the file itself, wherever a symbolic link puts it") < 0)
		msg_syserr(ctx->prog, "inotify_add_watch %s", path);
	if (*waiting_note && !ctx->opt.quiet)
		msg_warn(ctx->prog, "%s appeared; following it", path);
	*waiting_note = false;
	return 0;
}

static int consume_follow(struct ctx *ctx, struct consumer *c, struct linebuf *lb, const char *path)
{
	int status = EXIT_OK;
	int fd = -1, ifd;
	struct stat cur;
	bool waiting_note = false;

	ifd = follow_watch(ctx, path);
	if (ifd < 0)
		return EXIT_FAIL;
	for (;;) {
		if (fd < 0) {
			bool created;
			fd = file_open_storage(ctx, path, O_RDONLY, &created);
			if (fd < 0 && errno != ENOENT) {
				status = EXIT_FAIL;
				break;
			}
			if (fd >= 0) {
				if (follow_start(ctx, lb, ifd, fd, path, &cur, &waiting_note) < 0) {
					status = EXIT_FAIL;
					break;
				}
			} else if (!waiting_note && !ctx->opt.quiet && !file_opts(ctx)->no_follow) {
				note_wait_again(ctx, WAIT_PEER, "waiting for %s to be created", path);
				waiting_note = true;
			}
		}
		if (fd >= 0) {
			enum io_result rc = drain(c, lb, fd, path);
			if (rc == IO_FAILED_REPORTED) {
				status = EXIT_FAIL;
				break;
			}
			if (rc == IO_STOP)
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
		enum io_result w = wait_change(c, ifd);
		if (w == IO_FAILED_REPORTED)
			status = EXIT_FAIL;
		if (w != IO_OK)
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

int file_consume(struct ctx *ctx)
{
	const char *path = file_storage_path(ctx);
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
