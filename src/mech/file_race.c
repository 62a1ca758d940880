/* SPDX-License-Identifier: MIT */
/* file race: concurrent writers append to one file, with or without a
 * lock, and the lines lost or torn are counted. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/fsobj.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"
#include "file.h"

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
	if (explaining(ctx))
		explain_begin(ctx, "openat", NULL, "AT_FDCWD, %s, %s", xq(path).s,
			      xflags_open(flags | O_NOFOLLOW | O_CLOEXEC).s);
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC);
	if (explaining(ctx))
		explain_end(ctx, fd, errno, "%s",
			    fd < 0 ? strerror(errno)
			    : (flags & O_APPEND)
				    ? "each write(2) goes to the end of the file, found and written in one step"
			    : (flags & O_ACCMODE) == O_RDONLY
				    ? "to count the lines that survived"
				    : "our own offset: lseek(2) finds the end, write(2) writes there");
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

static const struct explain_says race_write_says = {
	.blocks = NULL,
	.ok = "written at the offset we found; another writer may have written there since",
	.eof = NULL,
	.eof_ends = false,
	.fail = NULL,
	.errs = { { .err = EINTR, .says = "interrupted: a stop was asked for" } },
};

static int race_writer(struct ctx *ctx, const char *path, const struct stat *made, unsigned writer, int gate)
{
	const struct opts *o = &ctx->opt;
	size_t size = (size_t)o->size;
	char *line = malloc(size);
	char b;
	int st = EXIT_OK;
	if (!line) {
		msg_syserr(ctx->prog, "writer %u: allocate a line", writer);
		return EXIT_FAIL;
	}
	int fd = race_open(ctx, path, O_WRONLY | (file_opts(ctx)->append ? O_APPEND : 0), made);
	if (fd < 0) {
		free(line);
		return EXIT_FAIL;
	}
	/* Wait at the gate so that all writers start together. */
	while (read(gate, &b, 1) < 0 && errno == EINTR && !stop_requested())
		;
	for (uint64_t s = 1; s <= o->count && !stop_requested(); s++) {
		race_line(line, size, writer, s);
		enum io_result rc = file_lock(ctx, fd, file_opts(ctx)->lock, true, false);
		if (rc != IO_OK) {
			if (rc == IO_FAILED_ERRNO) {
				msg_syserr(ctx->prog, "writer %u: lock %s", writer, path);
				st = EXIT_FAIL;
			}
			break;
		}
		/* The race: between finding the end and writing there, another
		 * writer can write at the same offset. O_APPEND does both in one step. */
		if (!file_opts(ctx)->append && lseek(fd, 0, SEEK_END) < 0) {
			msg_syserr(ctx->prog, "writer %u: lseek %s", writer, path);
			st = EXIT_FAIL;
			break;
		}
		if ((explaining(ctx) ? explain_write_all(ctx, fd, line, size, NULL, &race_write_says)
				     : write_all(fd, line, size, NULL)) < 0) {
			msg_syserr(ctx->prog, "writer %u: write %s", writer, path);
			st = EXIT_FAIL;
			break;
		}
		if (file_lock(ctx, fd, file_opts(ctx)->lock, true, true) == IO_FAILED_ERRNO) {
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
	size_t size = (size_t)o->size;
	uint64_t total = file_opts(ctx)->writers * o->count;
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
		if ((size_t)n == size && sscanf(line, "w%3u:%10llu:", &w, &s) == 2 && w < file_opts(ctx)->writers &&
		    s >= 1 && s <= o->count) {
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

/* Create the race's file: o->path, new, or a temporary one in tmpl (then
 * *pathp points to it). *made is what was created. Returns 0, or -1 (said). */
static int race_create(struct ctx *ctx, const char **pathp, char *tmpl, struct stat *made)
{
	const struct opts *o = &ctx->opt;
	const char *path = *pathp;
	int fd;
	if (path) {
		/* O_EXCL: a new file, never through a symbolic link. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, o->mode);
		if (fd < 0) {
			msg_syserr(ctx->prog, "create %s", path);
			if (errno == EEXIST)
				fprintf(stderr, "The race writes a new file; remove %s or choose another --path.\n",
					path);
			return -1;
		}
		fsobj_mark(fd, "file");
	} else {
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd < 0) {
			msg_syserr(ctx->prog, "mkstemp %s", tmpl);
			return -1;
		}
		path = tmpl;
		*pathp = path;
	}
	if (fstat(fd, made) < 0) {
		msg_syserr(ctx->prog, "stat %s", path);
		close(fd);
		unlink(path); /* just made by us, O_EXCL */
		return -1;
	}
	if (o->path && fchmod(fd, o->mode) < 0) { /* exactly --mode, whatever the umask */
		msg_syserr(ctx->prog, "chmod %s", path);
		close(fd);
		race_unlink(ctx, path, made);
		return -1;
	}
	close(fd);
	return 0;
}

/* Start --writers writers on the file together and wait for them all.
 * Returns EXIT_OK when every one of them succeeded. */
static int race_writers(struct ctx *ctx, const char *path, const struct stat *made)
{
	int gate[2], status = EXIT_OK;
	pid_t pids[256];
	unsigned started = 0;

	if (pipe2(gate, O_CLOEXEC) < 0) {
		msg_syserr(ctx->prog, "pipe");
		return EXIT_FAIL;
	}
	for (unsigned i = 0; i < file_opts(ctx)->writers; i++) {
		pid_t pid = explain_fork(
			ctx, "a writer, which waits at the gate (a read of a pipe) to start with the others");
		if (pid < 0) {
			status = EXIT_FAIL;
			break;
		}
		if (pid == 0) {
			char side[24];
			snprintf(side, sizeof(side), "writer-%u", i);
			explain_side(ctx, side);
			close(gate[1]);
			int st = race_writer(ctx, path, made, i, gate[0]);
			close(gate[0]);
			explain_finish(ctx);
			fflush(NULL);
			_exit(st);
		}
		pids[started++] = pid;
	}
	close(gate[0]);
	close(gate[1]); /* open the gate: every writer's read() returns 0 */
	for (unsigned i = 0; i < started; i++)
		if (explain_wait_child(ctx, pids[i], "the writer is done; its status is collected") != EXIT_OK)
			status = EXIT_FAIL;
	if (status != EXIT_OK)
		msg_warn(ctx->prog, "a writer failed: no count of lost lines");
	else if (stop_requested())
		msg_warn(ctx->prog, "interrupted before the writers finished: no count of lost lines");
	return status;
}

static void race_print(struct ctx *ctx, const struct race_result *r)
{
	const struct opts *o = &ctx->opt;
	struct out out;
	out_init(&out, stdout, o->json);
	out_open(&out);
	out_u64(&out, PRINT_ANY, "writers", "%llu writers", file_opts(ctx)->writers);
	out_u64(&out, PRINT_ANY, "lines_per_writer", " x %llu lines", o->count);
	out_u64(&out, PRINT_ANY, "line_bytes", " of %llu bytes", o->size);
	out_string(&out, PRINT_ANY, "lock", ", lock %s", lock_names[file_opts(ctx)->lock]);
	out_string(&out, PRINT_ANY, "write", ", %s\n",
		   file_opts(ctx)->append ? "O_APPEND write" : "lseek(SEEK_END) + write");
	out_u64(&out, PRINT_ANY, "expected", "expected  %llu lines\n", r->expected);
	out_u64(&out, PRINT_ANY, "intact", "intact    %llu\n", r->intact);
	out_u64(&out, PRINT_ANY, "lost", "lost      %llu\n", r->lost);
	out_u64(&out, PRINT_ANY, "torn", "torn      %llu\n", r->torn);
	if (r->duplicated || o->json)
		out_u64(&out, PRINT_ANY, "duplicated", "duplicated %llu\n", r->duplicated);
	out_u64(&out, PRINT_JSON, "bytes_expected", NULL, r->bytes_expected);
	out_u64(&out, PRINT_JSON, "bytes_found", NULL, r->bytes_found);
	out_string(&out, PRINT_JSON, "path", NULL, o->path ? o->path : NULL);
	if (r->lost)
		out_text(&out, "%llu of %llu lines were lost: the writers overwrote each other%s.",
			 (unsigned long long)r->lost, (unsigned long long)r->expected,
			 r->torn ? ", leaving torn pieces of lines" : "");
	else if (r->torn)
		out_text(&out, "%llu torn lines were found.", (unsigned long long)r->torn);
	else
		out_text(&out, "No line was lost or torn.");
	out_close(&out);
}

int file_race(struct ctx *ctx)
{
	struct opts *o = &ctx->opt;
	char tmpl[4096];
	const char *path = o->path;
	int status;

	struct file_opts *fo = ctx->mopt;
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
	if (fsobj_check_space(ctx, path ? path : tmpl, file_opts(ctx)->writers * o->count * o->size, 0) < 0) {
		fprintf(stderr, "Choose a smaller --count, --size or --writers.\n");
		return EXIT_FAIL;
	}

	struct stat made;
	if (race_create(ctx, &path, tmpl, &made) < 0)
		return EXIT_FAIL;

	status = race_writers(ctx, path, &made);
	if (status == EXIT_OK && !stop_requested()) {
		struct race_result r;
		if (race_check(ctx, path, &made, &r) < 0) {
			status = EXIT_FAIL;
		} else {
			race_print(ctx, &r);
			if (r.lost || r.torn || r.duplicated)
				status = EXIT_VERIFY;
		}
	}
	if (!o->path)
		race_unlink(ctx, path, &made);
	return status;
}
