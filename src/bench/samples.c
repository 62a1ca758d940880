/* SPDX-License-Identifier: MIT */
/* --samples FILE: every round trip as a CSV line, row,size,cpu,run,index,ns.
 * The bench opens the file once and writes its header; each client (one
 * at a time) appends its run's lines through a buffer of its own, written
 * out between round trips when it fills, so memory stays fixed however
 * long the run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "ipcdemo/util.h"

#define SAMPLES_BUF 65536
#define SAMPLES_LINE 256 /* room for one line */

struct samples {
	int fd;
	int err; /* the first write's errno, 0: none */
	uint64_t index;
	size_t len;
	char prefix[128]; /* "row,size,cpu,run," */
	char buf[SAMPLES_BUF];
};

static const char samples_header[] = "row,size,cpu,run,index,ns\n";

int samples_open(struct bench *b)
{
	const char *path = bench_opts_of(b->ctx)->samples;
	b->samples_fd = -1;
	if (!path)
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0) {
		msg_syserr(b->ctx->prog, "open %s", path);
		return EXIT_FAIL;
	}
	if (write_all(fd, samples_header, sizeof(samples_header) - 1, NULL) < 0) {
		msg_syserr(b->ctx->prog, "write %s", path);
		close(fd);
		return EXIT_FAIL;
	}
	b->samples_fd = fd;
	return 0;
}

struct samples *samples_start(const struct bench *b, const char *row, size_t size, const char *place, unsigned run)
{
	if (b->samples_fd < 0)
		return NULL;
	struct samples *s = malloc(sizeof(*s));
	if (!s)
		return NULL;
	s->fd = b->samples_fd;
	s->err = 0;
	s->index = 0;
	s->len = 0;
	/* The rows' names are the bench's own: no comma, no quote. */
	snprintf(s->prefix, sizeof(s->prefix), "%s,%zu,%s,%u,", row, size, place, run);
	return s;
}

static int samples_flush(struct samples *s)
{
	if (!s->err && s->len && write_all(s->fd, s->buf, s->len, NULL) < 0)
		s->err = errno ? errno : EIO;
	s->len = 0;
	errno = s->err;
	return s->err ? -1 : 0;
}

int samples_add(struct samples *s, uint64_t ns)
{
	if (s->err) {
		errno = s->err;
		return -1;
	}
	if (SAMPLES_BUF - s->len < SAMPLES_LINE && samples_flush(s) < 0)
		return -1;
	int n = snprintf(s->buf + s->len, SAMPLES_BUF - s->len, "%s%llu,%llu\n", s->prefix,
			 (unsigned long long)++s->index, (unsigned long long)ns);
	s->len += n > 0 ? (size_t)n : 0;
	return 0;
}

int samples_end(struct samples *s)
{
	if (!s)
		return 0;
	int rc = samples_flush(s);
	int e = s->err;
	free(s);
	errno = e;
	return rc;
}
