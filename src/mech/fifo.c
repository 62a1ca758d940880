/* SPDX-License-Identifier: MIT */
/* fifo: a named pipe in the filesystem (mkfifo(3)), the tutorial's
 * producer3.sh / consumer3.sh. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/demo.h"
#include "ipcdemo/fsobj.h"
#include "ipcdemo/message.h"
#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/util.h"
#include "ipcdemo/wait.h"

#define DEFAULT_PATH "pipe.fifo"

/* ---- Options ---- */
struct fifo_opts {
	bool unlink;
	int64_t linger; /* ns */
	bool exit_on_eof;
	struct {
		bool linger;
	} given;
};

#define AT(member) .offset = offsetof(struct fifo_opts, member)

static const struct opt_def opt_unlink = {
	.name = "unlink",
	.type = OPT_FLAG,
	.help = "remove the object on exit",
	AT(unlink),
};
static const struct opt_def opt_linger = {
	.name = "linger",
	.type = OPT_DURATION,
	.arg = "DURATION",
	.help = "wait at most DURATION for what is written to be read",
	.max = OPT_DURATION_MAX,
	AT(linger),
	.given = OPT_GIVEN(struct fifo_opts, given.linger),
};
static const struct opt_def opt_exit_on_eof = {
	.name = "exit-on-eof",
	.type = OPT_FLAG,
	.help = "exit when the last writer closes",
	AT(exit_on_eof),
};

static const struct opt_def *const fifo_opt_defs[] = { &opt_unlink, &opt_linger, &opt_exit_on_eof, NULL };

static const struct opt_scope fifo_opt_scope = {
	.defs = fifo_opt_defs,
	.size = sizeof(struct fifo_opts),
};

static const struct fifo_opts *fifo_opts(const struct ctx *ctx)
{
	static const struct fifo_opts defaults = { .unlink = false };
	return ctx_mopt(ctx, &defaults);
}

static const char *fifo_path(const struct ctx *ctx)
{
	return ctx->opt.path ? ctx->opt.path : DEFAULT_PATH;
}

/* Create the FIFO if it does not exist (whichever side starts first does),
 * with exactly the requested mode; refuse anything that is not a FIFO. */
static int fifo_ensure(struct ctx *ctx, const char *path)
{
	/* mkfifo obeys the umask; --mode is what the user asked for. Clear
	 * the umask for the call rather than open the FIFO to fchmod it: a
	 * read end opened for a moment would let a producer write into the
	 * pipe, and its data would be thrown away when that end closed. */
	mode_t old = umask(0);
	if (explaining(ctx))
		explain_begin(ctx, "mknodat", NULL, "AT_FDCWD, %s, %s", xq(path).s, xmode(S_IFIFO | ctx->opt.mode).s);
	int made = mkfifo(path, ctx->opt.mode);
	int e = errno;
	if (explaining(ctx))
		explain_end(
			ctx, made, e, "%s",
			made == 0
				? "made the FIFO: a name in the directory for a pipe the kernel makes on the first open"
				: xerr(e, EEXIST, "it exists already (the other side made it): use it"));
	umask(old);
	errno = e;
	if (made == 0) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "created FIFO %s (mode %04o)", path, (unsigned)ctx->opt.mode);
		return 0;
	}
	if (errno != EEXIST) {
		msg_syserr(ctx->prog, "mkfifo %s", path);
		return -1;
	}
	return fsobj_expect(ctx, path, S_IFIFO);
}

/* --explain: what an open of the FIFO means. */
static const char *fifo_open_says(int flags, int fd, int err)
{
	bool writer = (flags & O_ACCMODE) == O_WRONLY, nonblock = flags & O_NONBLOCK;
	if (fd >= 0 && writer)
		return nonblock ? "a reader has the FIFO open: the write end is ours, without waiting"
				: "a reader has opened the FIFO: the write end is ours";
	if (fd >= 0)
		return nonblock ? "the read end is ours at once, writer or not: poll(2) waits for data"
				: "a writer has opened the FIFO: the read end is ours";
	if (err == ENXIO && writer)
		return "no reader has the FIFO open yet: a non-blocking open for writing fails at once";
	return xerr(err, EINTR, "interrupted: a stop was asked for");
}

static const struct explain_says fifo_write_says = {
	.blocks = NULL,
	.ok = "in the FIFO now, for a reader to take (writes of up to 4096 bytes are atomic)",
	.eof = NULL,
	.eof_ends = false,
	.fail = NULL,
	.errs = { { .err = EPIPE,
		    .says = "the reader is gone: EPIPE; keep the FIFO open and wait for the next reader" },
		  { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};

static const struct explain_says fifo_read_says = {
	.blocks = NULL,
	.ok = "taken out of the FIFO",
	.eof = "end of file: the last writer closed the FIFO",
	.eof_ends = true,
	.fail = NULL,
	.errs = { { .err = EAGAIN, .says = "nothing in the FIFO right now (O_NONBLOCK): poll(2) waits for it" },
		  { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};

/* Open and check that what we opened is a FIFO (the path may have been
 * replaced between mkfifo and open; never by a symbolic link we follow).
 * Returns IO_OK with *fd; IO_FAILED_ERRNO when open() failed (the caller
 * reports it: ENXIO, EINTR may be expected); IO_FAILED_REPORTED. */
static enum io_result fifo_open(struct ctx *ctx, const char *path, int flags, int *fd)
{
	/* Without O_NONBLOCK, open() waits for the other side. */
	flags |= O_CLOEXEC | O_NOFOLLOW;
	bool writer = (flags & O_ACCMODE) == O_WRONLY;
	if (explaining(ctx))
		explain_begin(ctx, "openat",
			      (flags & O_NONBLOCK) ? NULL
			      : writer             ? "blocks until a reader opens the FIFO"
						   : "blocks until a writer opens the FIFO",
			      "AT_FDCWD, %s, %s", xq(path).s, xflags_open(flags).s);
	*fd = (flags & O_NONBLOCK) ? open(path, flags) : open_wait(path, flags);
	if (explaining(ctx))
		explain_end(ctx, *fd, errno, "%s", fifo_open_says(flags, *fd, errno));
	if (*fd < 0)
		return IO_FAILED_ERRNO;
	struct stat st;
	if (fstat(*fd, &st) < 0) {
		msg_syserr(ctx->prog, "stat %s", path);
		close(*fd);
		*fd = -1;
		return IO_FAILED_REPORTED;
	}
	if (!S_ISFIFO(st.st_mode)) {
		msg_warn(ctx->prog, "%s is no longer a FIFO", path);
		close(*fd);
		*fd = -1;
		errno = EINVAL;
		return IO_FAILED_REPORTED;
	}
	return IO_OK;
}

/* Open for writing into *fd; says on stderr when there is no reader yet.
 * Returns IO_OK, IO_STOP when a stop was requested while waiting, or
 * IO_FAILED_REPORTED. */
static enum io_result open_writer(struct ctx *ctx, const char *path, const char *why, int *fd)
{
	enum io_result r = fifo_open(ctx, path, O_WRONLY | O_NONBLOCK, fd);
	if (r == IO_OK) {
		int fl = fcntl(*fd, F_GETFL);
		if (fl < 0 || fcntl(*fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
			msg_syserr(ctx->prog, "fcntl %s", path);
			close(*fd);
			*fd = -1;
			return IO_FAILED_REPORTED;
		}
		return IO_OK;
	}
	if (r == IO_FAILED_REPORTED)
		return r;
	if (errno != ENXIO) {
		msg_syserr(ctx->prog, "open %s", path);
		return IO_FAILED_REPORTED;
	}
	note_wait_again(ctx, WAIT_PEER, "%s; waiting for a consumer to open %s", why, path);
	r = fifo_open(ctx, path, O_WRONLY, fd); /* blocks until a reader opens */
	if (r == IO_OK) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "consumer connected");
		return IO_OK;
	}
	if (r == IO_FAILED_ERRNO && errno == EINTR && stop_requested())
		return IO_STOP;
	if (r == IO_FAILED_ERRNO)
		msg_syserr(ctx->prog, "open %s", path);
	return IO_FAILED_REPORTED;
}

struct fifo_sink {
	const char *path;
	int fd;
};

static enum io_result fifo_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done)
{
	struct fifo_sink *fs = impl;
	size_t off = 0;
	*done = 0;
	for (;;) {
		size_t n = 0;
		int w = explaining(ctx) ? explain_write_all(ctx, fs->fd, buf + off, len - off, &n, &fifo_write_says)
					: write_all(fs->fd, buf + off, len - off, &n);
		if (w == 0) {
			*done = len;
			return IO_OK;
		}
		off += n;
		*done = off;
		if (errno == EINTR)
			return IO_STOP; /* stop requested */
		if (errno != EPIPE) {
			msg_syserr(ctx->prog, "write %s", fs->path);
			return IO_FAILED_REPORTED;
		}
		/* The last reader went away. Keep our end open while we wait, so
		 * that what is still in the pipe survives for the next reader; if
		 * the FIFO itself was removed (a consumer's --unlink), make it again. */
		if (fifo_ensure(ctx, fs->path) < 0)
			return IO_FAILED_REPORTED;
		int nfd;
		enum io_result r = open_writer(ctx, fs->path, "consumer went away", &nfd);
		if (r != IO_OK)
			return r;
		close(fs->fd);
		fs->fd = nfd;
	}
}

static void maybe_unlink(struct ctx *ctx, const char *path)
{
	if (fifo_opts(ctx)->unlink)
		fsobj_unlink(ctx, path, S_IFIFO);
}

/* Has some process the FIFO open for reading? Opening it again for writing
 * without waiting fails with ENXIO when none has. Our own write end stays
 * open, so closing this one sends no end of file to anybody. 1 yes, 0 no,
 * -1 when it cannot be told. */
static int fifo_has_reader(int fd)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	int pfd = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (pfd >= 0) {
		close(pfd);
		return 1;
	}
	return errno == ENXIO ? 0 : -1;
}

static int fifo_unread(struct ctx *ctx, const struct fifo_sink *fs)
{
	int n;
	if (ioctl(fs->fd, FIONREAD, &n) < 0) {
		msg_syserr(ctx->prog, "ioctl FIONREAD %s", fs->path);
		return -1;
	}
	return n;
}

/* The newlines among the n bytes the pipe holds: the messages not read
 * in full. tee(2) puts what the pipe holds into a pipe of our own without
 * taking it (pages shared, not copied), through a read end of the FIFO
 * opened for a moment; then it is read there and counted. Only when it is
 * said, never per write. -1: not known. */
static long long unread_lines(const struct fifo_sink *fs, int n)
{
	char p[64], buf[65536];
	int t[2] = { -1, -1 };
	long long k = -1;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fs->fd);
	int rfd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	/* Room for a page more at either end: what the pipe holds may start
	 * and end inside a page. */
	if (rfd < 0 || pipe2(t, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    (fcntl(t[1], F_SETPIPE_SZ, n + 8192) < 0 && fcntl(t[1], F_SETPIPE_SZ, n) < 0))
		goto out;
	ssize_t got = tee(rfd, t[1], (size_t)n, SPLICE_F_NONBLOCK);
	if (got != n)
		goto out;
	k = 0;
	for (ssize_t left = got; left > 0;) {
		ssize_t r = read(t[0], buf, sizeof(buf));
		if (r <= 0) {
			k = -1;
			break;
		}
		for (ssize_t i = 0; i < r; i++)
			k += buf[i] == '\n';
		left -= r;
	}
out:
	for (int i = 0; i < 2; i++)
		if (t[i] >= 0)
			close(t[i]);
	if (rfd >= 0)
		close(rfd);
	return k;
}

static void say_unread(char *buf, size_t len, const struct fifo_sink *fs, int n)
{
	long long k = unread_lines(fs, n);
	if (k < 0)
		snprintf(buf, len, "%d bytes", n);
	else
		snprintf(buf, len, "%lld message%s (%d bytes)", k, k == 1 ? "" : "s", n);
}

/* The kernel throws away what a FIFO holds once nobody has it open: a
 * producer that exits while the pipe still holds its data loses it when
 * the last reader closes (a shell loop that opens the FIFO once per line
 * reads one line and closes). Keep our end open until the pipe is empty,
 * --linger at most, or until a stop request; wait false only reports.
 * Returns IO_OK when everything was read, IO_STOP when data is left to a
 * reader or after a stop request, IO_TIMEOUT when --linger expired and
 * nobody has the FIFO open for reading (both said on stderr), or
 * IO_FAILED_REPORTED. */
static enum io_result fifo_linger(struct ctx *ctx, const struct fifo_sink *fs, bool wait)
{
	const int64_t slice = 20 * NSEC_PER_MSEC;
	bool bounded = fifo_opts(ctx)->given.linger;
	int64_t deadline = now_mono_ns() + fifo_opts(ctx)->linger;
	bool said = false;
	char what[80];
	int n, reader = -1;
	while ((n = fifo_unread(ctx, fs)) > 0 && wait && !stop_requested()) {
		int64_t left = deadline - now_mono_ns();
		if (bounded && left <= 0)
			break;
		if (!said && !ctx->opt.quiet && fifo_has_reader(fs->fd) == 0) {
			/* Count again: the last reader may have taken more
			 * before it went; with nobody reading, the count holds. */
			if ((n = fifo_unread(ctx, fs)) <= 0)
				break;
			say_unread(what, sizeof(what), fs, n);
			msg_warn(ctx->prog, "%s not read yet from %s; waiting for a consumer to read them", what,
				 fs->path);
			said = true;
		}
		/* False after a stop request: the loop's test sees it, but only
		 * after counting again, so that what is said below is what the
		 * pipe holds now, not what it held before the sleep. */
		sleep_ns(bounded && left < slice ? left : slice);
	}
	if (n > 0 && (reader = fifo_has_reader(fs->fd)) != 1)
		n = fifo_unread(ctx, fs); /* as above */
	if (n <= 0)
		return n == 0 ? IO_OK : IO_FAILED_REPORTED;
	say_unread(what, sizeof(what), fs, n);
	if (reader == 1) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "%s still unread in %s, left to the consumer that has it open", what,
				 fs->path);
		return IO_STOP;
	}
	msg_warn(ctx->prog, "%s still unread in %s, discarded by the kernel", what, fs->path);
	return stop_requested() || !wait ? IO_STOP : IO_TIMEOUT;
}

static int fifo_produce(struct ctx *ctx)
{
	const char *path = fifo_path(ctx);
	int rc = producer_check(ctx);
	if (rc)
		return rc;
	if (fifo_ensure(ctx, path) < 0)
		return EXIT_FAIL;
	struct fifo_sink fs = { .path = path, .fd = -1 };
	enum io_result r = open_writer(ctx, path, "no consumer yet", &fs.fd);
	if (r != IO_OK) {
		maybe_unlink(ctx, path);
		return r == IO_STOP ? produce_stopped(ctx) : EXIT_FAIL;
	}
	pipe_grow(fs.fd);
	/* Writes of at most PIPE_BUF bytes are atomic: with several producers
	 * on one FIFO, lines never interleave. */
	struct sink sink = { .impl = &fs, .chunk = PIPE_BUF, .echo = true, .write = fifo_write };
	rc = produce(ctx, &sink);
	r = fifo_linger(ctx, &fs, rc == EXIT_OK && !stop_requested());
	if (io_failed(r) && rc == EXIT_OK)
		rc = EXIT_FAIL;
	else if (r == IO_TIMEOUT && rc == EXIT_OK)
		rc = EXIT_TIMEOUT; /* what a queue producer says when its queue stays full */
	/* Remove the name before closing: a consumer sees end of file only
	 * after it is gone, and makes a new FIFO for the next producer. */
	maybe_unlink(ctx, path);
	if (close(fs.fd) < 0 && rc == EXIT_OK) {
		msg_syserr(ctx->prog, "close %s", path);
		rc = EXIT_FAIL;
	}
	return rc;
}

/* Before the first message: say so when nothing is there to read yet. */
static void fifo_note_empty(struct ctx *ctx, int fd, const char *path)
{
	struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
	if (fd >= 0 && !wait_noted(ctx, WAIT_PEER) && poll(&p, 1, 0) == 0)
		note_wait(ctx, WAIT_PEER, "nothing written to %s yet; waiting for a producer", path);
}

static int fifo_consume(struct ctx *ctx)
{
	const char *path = fifo_path(ctx);
	struct consumer c;
	struct linebuf lb;
	int status = EXIT_OK;

	if (fifo_ensure(ctx, path) < 0)
		return EXIT_FAIL;
	if (consumer_init(&c, ctx) < 0)
		return EXIT_FAIL;
	c.says = &fifo_read_says;
	c.block_after_data = true;
	if (linebuf_init(&lb, STREAM_READ, STREAM_LINE_MAX) < 0) {
		msg_syserr(ctx->prog, "allocate buffer");
		return consumer_finish(&c, EXIT_FAIL);
	}
	/* Non-blocking open never waits for a writer; poll() then waits for
	 * data (a FIFO reports no hangup before its first writer). */
	int fd;
	enum io_result r = fifo_open(ctx, path, O_RDONLY | O_NONBLOCK, &fd);
	if (r != IO_OK) {
		if (r == IO_FAILED_ERRNO)
			msg_syserr(ctx->prog, "open %s", path);
		status = EXIT_FAIL;
	}
	fifo_note_empty(ctx, fd, path);
	while (fd >= 0) {
		r = consume_stream(&c, &lb, fd, path);
		if (r == IO_FAILED_REPORTED)
			status = EXIT_FAIL;
		if (r != IO_OK || fifo_opts(ctx)->exit_on_eof)
			break;
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "producer closed %s; waiting for the next writer", path);
		/* Open the new read end before closing the old one: the pipe never
		 * has zero readers, so a writer that comes, writes and goes in
		 * between does not have its data thrown away. If the FIFO was
		 * removed (a producer's --unlink), make it again, as at start. */
		int nfd = -1;
		r = fifo_ensure(ctx, path) < 0 ? IO_FAILED_REPORTED : fifo_open(ctx, path, O_RDONLY | O_NONBLOCK, &nfd);
		if (r != IO_OK) {
			if (r == IO_FAILED_ERRNO)
				msg_syserr(ctx->prog, "open %s", path);
			status = EXIT_FAIL;
		}
		close(fd);
		fd = nfd;
	}
	maybe_unlink(ctx, path);
	if (fd >= 0)
		close(fd);
	linebuf_free(&lb);
	return consumer_finish(&c, status);
}

static int fifo_demo(struct ctx *ctx)
{
	struct demo_place pl;
	const char *p = demo_place(ctx, &pl, DEFAULT_PATH);
	if (!p)
		return EXIT_FAIL;
	printf("A consumer and a producer talk through the named pipe %s.\n"
	       "The consumer starts first and creates it; the producer writes 2 batches of 5 UUIDs, 1 s apart.\n\n",
	       p);
	const char *cons[] = { "--path", p, "--exit-on-eof", "--timeout", "10s", NULL };
	const char *prod[] = { "--path", p, "--count", "5", "--batches", "2", "--every", "1s", NULL };
	const struct demo_role roles[] = {
		{ .label = "consumer", .verb = "consume", .args = cons, .delay_ns = 0, .upstream = false },
		{
			.label = "producer",
			.verb = "produce",
			.args = prod,
			.delay_ns = 500 * NSEC_PER_MSEC,
			.upstream = true,
		},
	};
	int st = demo_run(ctx, roles, 2);
	demo_place_remove(ctx, &pl);
	return st;
}

static const struct verb_opt produce_opts[] = {
	{ .id = OP_PATH, .help = "the FIFO (default: pipe.fifo, created if missing)" },
	{ .id = OP_MODE },
	PRODUCER_OPTIONS,
	{ .id = OP_JSON, .help = "print the --stats summary as JSON" },
	{ .id = OP_QUIET },
	{ .def = &opt_unlink, .help = "remove the FIFO on exit" },
	{ .def = &opt_linger, .help = "wait at most DURATION for the rest to be read (default: no limit)" },
	OPT_LIST_END,
};

static const struct verb_opt consume_opts[] = {
	{ .id = OP_PATH, .help = "the FIFO (default: pipe.fifo, created if missing)" },
	{ .id = OP_MODE },
	CONSUMER_OPTIONS,
	{ .def = &opt_exit_on_eof, .help = "exit when the producer closes instead of waiting for the next one" },
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	{ .def = &opt_unlink, .help = "remove the FIFO on exit" },
	OPT_LIST_END,
};

static const struct verb_opt demo_opts[] = {
	{ .id = OP_PATH, .help = "FIFO to use (default: one in a new temporary directory)" },
	OPT_LIST_END,
};

static const struct verb fifo_verbs[] = {
	{
		.name = "produce",
		.summary = "write messages into a named pipe",
		.usage = "[options] [MESSAGE...]",
		.description =
			"Creates the FIFO if needed (mode 0600), waits for a consumer, then writes each batch of\n"
			"messages, echoing them on stdout. If the consumer goes away it waits for the next one;\n"
			"nothing that was not yet read is lost. At the end it keeps the FIFO open until a consumer\n"
			"has read everything (--linger to bound the wait).",
		.opts = produce_opts,
		.min_args = 0,
		.max_args = -1,
		.run = fifo_produce,
	},
	{
		.name = "consume",
		.summary = "read messages from a named pipe",
		.usage = "[options]",
		.description = "Creates the FIFO if needed and prints each line a producer writes. When the producer\n"
			       "closes, it waits for the next one (--exit-on-eof to stop instead).",
		.opts = consume_opts,
		.min_args = 0,
		.max_args = 0,
		.run = fifo_consume,
	},
	{
		.name = "demo",
		.summary = "a consumer and a producer talking through a FIFO",
		.usage = "[options]",
		.description = NULL,
		.opts = demo_opts,
		.min_args = 0,
		.max_args = 0,
		.run = fifo_demo,
	},
	{ .name = NULL },
};

/* ---- ls and clean: FIFOs in DIRECTORY, pipe.fifo is ours ---- */

static bool fifo_match(struct obj *o, const struct stat *st)
{
	(void)o;
	return S_ISFIFO(st->st_mode);
}

static int fifo_scan(struct ctx *ctx, const char *dir, struct obj_out *out)
{
	return obj_scan_dir(ctx, dir, out, fifo_match);
}

static bool fifo_ours(const struct obj *o)
{
	return strcmp(o->name + o->base, DEFAULT_PATH) == 0 && o->uid == geteuid();
}

static int fifo_remove(struct ctx *ctx, const struct obj *o)
{
	return fsobj_unlink(ctx, o->name, S_IFIFO);
}

static const struct mech_objects fifo_objects = {
	.type = "fifo",
	.option = "path",
	.plural = "FIFOs",
	.order = 40,
	.scan = fifo_scan,
	.ours = fifo_ours,
	.open_in_use = true,
	.in_use = obj_open_now,
	.remove = fifo_remove,
};

/* ---- bench ---- */

static const struct bench_row fifo_bench_rows[] = {
	{ .name = "fifo", .word = NULL, .variant = NULL, .floor = "bare-fifo" },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static size_t fifo_bench_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	return bench_stream_limit(why, len);
}

/* Round trips: two FIFOs, one each way. */
static int fifo_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			   char *err, size_t elen)
{
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	ch->verbs = &bench_stream_verbs;
	return bench_chan_fifos(ch);
}

static int fifo_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			  char *err, size_t elen)
{
	(void)row, (void)size, (void)err, (void)elen;
	snprintf(r->obj, sizeof(r->obj), "%s/b%d.fifo", env->dir, env->seq);
	bench_args2(r, "--path", r->obj);
	bench_arg(&r->cons, "--exit-on-eof");
	bench_args2(r, "-q", NULL);
	return 0;
}

static const struct mech_bench fifo_bench = {
	.order = 20,
	.rows = fifo_bench_rows,
	.lossy = false,
	.limit = fifo_bench_limit,
	.chan_open = fifo_bench_chan,
	.chan_close = bench_chan_unlink,
	.run_setup = fifo_bench_run,
	.ready = NULL,
	.cleanup = bench_run_unlink,
};

const struct mechanism mech_fifo = {
	.name = "fifo",
	.summary = "named pipe (FIFO) in the filesystem, between unrelated processes",
	.description = "A FIFO is a pipe with a name: open(2) for writing blocks until a reader opens it and\n"
		       "vice versa; writes of up to PIPE_BUF (4096) bytes are atomic.",
	.verbs = fifo_verbs,
	.objects = &fifo_objects,
	.bench = &fifo_bench,
	.opt_scope = &fifo_opt_scope,
	.explains = true,
};
