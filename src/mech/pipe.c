/* SPDX-License-Identifier: MIT */
/* pipe: an unnamed pipe, the shell's '|' (producer2.sh | consumer2.sh), and
 * pipe(2) + fork(2) between a parent and its child. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/message.h"
#include "ipcdemo/util.h"

/* --explain: what the calls on a pipe mean (explain.h). */
static const struct explain_says pipe_write_says = {
	.blocks = NULL,
	.ok = "in the pipe now, for the reader to take (write blocks only while the pipe is full)",
	.eof = NULL,
	.eof_ends = false,
	.fail = NULL,
	.errs = { { .err = EPIPE,
		    .says = "the reader is gone: EPIPE (SIGPIPE is ignored, so write returns the error)" },
		  { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};
static const struct explain_says pipe_read_says = {
	.blocks = "blocks until the writer writes, or until every write end is closed (end of file)",
	.ok = "taken out of the pipe",
	.eof = "end of file: every write end of the pipe is closed (the producer is done)",
	.eof_ends = true,
	.fail = NULL,
	.errs = { { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};

/* The same calls when the shell gave us no pipe: the sentences must not
 * say "pipe" of a file or a terminal. */
static const struct explain_says stdout_write_says = {
	.blocks = NULL,
	.ok = "written to standard output, which is not a pipe here (a file or a terminal): "
	      "put a | between this producer and a consumer to see a pipe",
	.eof = NULL,
	.eof_ends = false,
	.fail = NULL,
	.errs = { { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};
static const struct explain_says stdin_read_says = {
	.blocks = "standard input is not a pipe here: a read of a file returns at once, a terminal's waits for a line",
	.ok = "read from standard input (not a pipe here: a file, a terminal or a socket)",
	.eof = "end of file on standard input",
	.eof_ends = true,
	.fail = NULL,
	.errs = { { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};

/* The sentences for fd, after what it is: a pipe's, or the plain ones. */
static const struct explain_says *says_for(int fd, const struct explain_says *pipe_says,
					   const struct explain_says *other)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) ? pipe_says : other;
}

/* impl: the sentences of --explain for fd 1 (NULL when not explaining). */
static enum io_result stdout_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done)
{
	if ((explaining(ctx) ? explain_write_all(ctx, STDOUT_FILENO, buf, len, done, impl)
			     : write_all(STDOUT_FILENO, buf, len, done)) == 0)
		return IO_OK;
	if (errno == EPIPE || errno == EINTR)
		return IO_STOP; /* the reader went away (| head): a quiet end */
	msg_syserr(ctx->prog, "write to standard output");
	return IO_FAILED_REPORTED;
}

static int pipe_produce(struct ctx *ctx)
{
	int rc = producer_check(ctx);
	if (rc)
		return rc;
	/* Everything goes through write(2) on fd 1: nothing is left in stdio.
	 * Writes of STREAM_READ, what the consumer reads at once: at 64 KiB
	 * the two sides' system calls and turns on the pipe's lock cost a
	 * counter's pipeline a third of its speed. */
	struct sink sink = {
		.impl = explaining(ctx) ? (void *)says_for(STDOUT_FILENO, &pipe_write_says, &stdout_write_says) : NULL,
		.chunk = STREAM_READ,
		.echo = false,
		.write = stdout_write,
	};
	pipe_grow(STDOUT_FILENO);
	return produce(ctx, &sink);
}

static int pipe_consume(struct ctx *ctx)
{
	struct consumer c;
	struct linebuf lb;
	int status = EXIT_OK;

	if (isatty(STDIN_FILENO) && ctx->argc == 0) {
		return msg_usage(ctx->prog, "standard input is a terminal; pipe data into it, e.g.\n"
					    "  ipcdemo pipe produce | ipcdemo pipe consume\n"
					    "or give the data as arguments");
	}
	if (consumer_init(&c, ctx) < 0)
		return EXIT_FAIL;
	c.says = says_for(STDIN_FILENO, &pipe_read_says, &stdin_read_says);
	if (!ctx->opt.quiet) {
		/* The tutorial's header, on stderr so that stdout stays data. */
		fputs("Consumer data:\n--------------\n", stderr);
		fflush(stderr);
	}
	if (isatty(STDIN_FILENO)) {
		/* As consumer2.sh: with a terminal on stdin, the arguments are the data. */
		size_t len = 0;
		for (int i = 0; i < ctx->argc; i++)
			len += strlen(ctx->argv[i]) + 1;
		char *data = malloc(len);
		if (!data) {
			msg_syserr(ctx->prog, "allocate");
			return consumer_finish(&c, EXIT_FAIL);
		}
		size_t off = 0;
		for (int i = 0; i < ctx->argc; i++) {
			size_t n = strlen(ctx->argv[i]);
			memcpy(data + off, ctx->argv[i], n);
			off += n;
			data[off++] = ' ';
		}
		consumer_deliver(&c, data, off - 1);
		free(data);
		return consumer_finish(&c, EXIT_OK);
	}
	if (ctx->argc > 0 && !ctx->opt.quiet)
		msg_warn(ctx->prog, "reading standard input; the arguments are ignored");
	if (linebuf_init(&lb, STREAM_READ, STREAM_LINE_MAX) < 0) {
		msg_syserr(ctx->prog, "allocate buffer");
		return consumer_finish(&c, EXIT_FAIL);
	}
	if (consume_stream(&c, &lb, STDIN_FILENO, "standard input") == IO_FAILED_REPORTED)
		status = EXIT_FAIL;
	linebuf_free(&lb);
	return consumer_finish(&c, status);
}

/* ---- demo: pipe() and fork() ---- */

struct demo_sink {
	int fd;
	char label[32];
};

/* Write, then tell which messages the pipe took: the child may print
 * what it received before the parent says it sent it. */
static enum io_result demo_write(struct ctx *ctx, void *impl, const char *buf, size_t len, size_t *done)
{
	struct demo_sink *ds = impl;
	int rc = explaining(ctx) ? explain_write_all(ctx, ds->fd, buf, len, done, &pipe_write_says)
				 : write_all(ds->fd, buf, len, done);
	int e = errno;
	for (const char *p = buf, *nl; (nl = memchr(p, '\n', (size_t)(buf + *done - p))) != NULL; p = nl + 1)
		printf("%ssent %.*s\n", ds->label, (int)(nl - p), p);
	if (rc == 0)
		return IO_OK;
	if (e == EINTR)
		return IO_STOP;
	errno = e;
	msg_syserr(ctx->prog, "write to the pipe");
	return IO_FAILED_REPORTED;
}

static int pipe_demo(struct ctx *ctx)
{
	int p[2];
	struct demo_sink ds;
	pid_t me = getpid();

	if (!ctx->opt.given[OP_COUNT])
		ctx->opt.count = 5;
	int rc = producer_check(ctx);
	if (rc)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	explain_side(ctx, "parent");
	if (explaining(ctx))
		explain_begin(ctx, "pipe2", NULL, "O_CLOEXEC");
	int made = pipe2(p, O_CLOEXEC);
	if (explaining(ctx))
		explain_end_pair(ctx, made, errno, p,
				 "a pipe: what is written to the second fd is read from the first");
	if (made < 0) {
		msg_syserr(ctx->prog, "pipe");
		return EXIT_FAIL;
	}
	printf("parent %d: pipe() -> read end fd %d, write end fd %d\n", (int)me, p[0], p[1]);
	pid_t pid = explain_fork(ctx, "the child: a copy of this process, with both ends of the pipe open");
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return EXIT_FAIL;
	}
	if (pid == 0) {
		struct consumer c;
		struct linebuf lb;
		char label[48];
		int st = EXIT_OK;
		explain_side(ctx, "child");
		explain_close(ctx, p[1], "the child's copy of the write end: else it would never see end of file");
		snprintf(label, sizeof(label), "child  %d: received ", (int)getpid());
		printf("child  %d: closed the write end; reading fd %d\n", (int)getpid(), p[0]);
		if (consumer_init(&c, ctx) < 0 || linebuf_init(&lb, 4096, 1 << 20) < 0)
			_exit(EXIT_FAIL);
		c.label = label;
		c.says = &pipe_read_says;
		if (consume_stream(&c, &lb, p[0], "the pipe") == IO_FAILED_REPORTED)
			st = EXIT_FAIL;
		else
			printf("child  %d: read() returned 0: end of file, every write end is closed (%llu "
			       "messages)\n",
			       (int)getpid(), (unsigned long long)c.msgs);
		linebuf_free(&lb);
		close(p[0]);
		st = consumer_finish(&c, st);
		explain_finish(ctx);
		fflush(NULL);
		_exit(st);
	}
	printf("parent %d: fork() -> child %d; both have both ends now\n", (int)me, (int)pid);
	explain_close(ctx, p[0],
		      "the parent's copy of the read end: the child reads, and a write with no reader left "
		      "fails with EPIPE");
	printf("parent %d: closed the read end; writing %llu messages to fd %d\n", (int)me,
	       (unsigned long long)ctx->opt.count, p[1]);
	ds.fd = p[1];
	snprintf(ds.label, sizeof(ds.label), "parent %d: ", (int)me);
	struct sink sink = { .impl = &ds, .chunk = 0, .echo = false, .write = demo_write };
	int status = produce(ctx, &sink);
	explain_finish(ctx);
	explain_close(ctx, p[1], "the last write end: the child's read returns 0 (end of file) once the pipe is empty");
	printf("parent %d: closed the write end; the child will see end of file\n", (int)me);
	int cst = explain_wait_child(ctx, pid, "the child exited; its status is collected and it is gone");
	printf("parent %d: child %d exited with status %d\n", (int)me, (int)pid, cst);
	return status != EXIT_OK ? status : cst;
}

static const struct verb_opt produce_opts[] = {
	PRODUCER_OPTIONS,
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	{ .id = OP_JSON, .help = "print the --stats summary as JSON" },
	OPT_LIST_END,
};

static const struct verb_opt consume_opts[] = {
	CONSUMER_OPTIONS,
	{ .id = OP_QUIET, .help = "do not print the 'Consumer data:' header" },
	OPT_LIST_END,
};

static const struct verb_opt demo_opts[] = {
	{ .id = OP_COUNT, .help = "messages the parent sends (default: 5)" },
	{ .id = OP_SOURCE },
	{ .id = OP_SEQ },
	OPT_LIST_END,
};

static const struct verb pipe_verbs[] = {
	{
		.name = "produce",
		.summary = "write messages to stdout, for '|'",
		.usage = "[options] [MESSAGE...]",
		.description = "Writes each message as a line on standard output, which is the pipe. A reader that\n"
			       "goes away (| head) ends it quietly with status 0.",
		.opts = produce_opts,
		.min_args = 0,
		.max_args = -1,
		.run = pipe_produce,
	},
	{
		.name = "consume",
		.summary = "read messages from stdin, after '|'",
		.usage = "[options] [DATA...]",
		.description = "Prints the tutorial's 'Consumer data:' header on stderr, then every line read from\n"
			       "standard input. With a terminal on stdin, the arguments are the data.",
		.opts = consume_opts,
		.min_args = 0,
		.max_args = -1,
		.run = pipe_consume,
	},
	{
		.name = "demo",
		.summary = "pipe() and fork() between a parent and its child",
		.usage = "[options] [MESSAGE...]",
		.description = NULL,
		.opts = demo_opts,
		.min_args = 0,
		.max_args = -1,
		.run = pipe_demo,
	},
	{ .name = NULL },
};

/* ---- bench ---- */

static const struct bench_row pipe_bench_rows[] = {
	{ .name = "pipe", .word = NULL, .variant = NULL, .floor = "bare-pipe" },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static size_t pipe_bench_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	return bench_stream_limit(why, len);
}

/* Round trips: two pipes, one each way. */
static int pipe_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			   char *err, size_t elen)
{
	int a[2] = { -1, -1 }, c[2] = { -1, -1 };
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	int rc = pipe2(a, O_CLOEXEC) < 0 || pipe2(c, O_CLOEXEC) < 0 ? -1 : 0;
	ch->verbs = &bench_stream_verbs;
	ch->fd[1] = a[1], ch->fd[2] = a[0], ch->fd[3] = c[1], ch->fd[0] = c[0];
	return rc;
}

/* Throughput: the producer's stdout is the pipe, the consumer's stdin. */
static int pipe_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			  char *err, size_t elen)
{
	(void)env, (void)size;
	if (pipe2(r->chan, O_CLOEXEC) < 0) {
		snprintf(err, elen, "%s: %s", row->name, strerror(errno));
		return -1;
	}
	bench_arg(&r->cons, "-q");
	return 0;
}

static const struct mech_bench pipe_bench = {
	.order = 10,
	.rows = pipe_bench_rows,
	.lossy = false,
	.limit = pipe_bench_limit,
	.chan_open = pipe_bench_chan,
	.chan_close = NULL,
	.run_setup = pipe_bench_run,
	.ready = NULL,
	.cleanup = NULL,
};

const struct mechanism mech_pipe = {
	.name = "pipe",
	.summary = "unnamed pipe, as the shell's '|' and pipe(2) + fork(2)",
	.description = "A pipe is a one-way kernel buffer between related processes; a reader sees end of file\n"
		       "when every write end is closed, a writer gets EPIPE when every read end is.",
	.verbs = pipe_verbs,
	.bench = &pipe_bench,
	.explains = true,
};
