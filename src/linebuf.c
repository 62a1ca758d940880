/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo/message.h"

int linebuf_init(struct linebuf *lb, size_t cap, size_t max)
{
	memset(lb, 0, sizeof(*lb));
	lb->buf = malloc(cap);
	if (!lb->buf)
		return -1;
	lb->cap = cap;
	lb->max = max < cap ? cap : max;
	return 0;
}

/* The buffer holds a line of max bytes and its newline. */
static size_t limit(const struct linebuf *lb)
{
	return lb->max + 1;
}

void linebuf_free(struct linebuf *lb)
{
	free(lb->buf);
	lb->buf = NULL;
}

void linebuf_reset(struct linebuf *lb)
{
	lb->head = lb->tail = 0;
}

size_t linebuf_pending(const struct linebuf *lb)
{
	return lb->tail - lb->head;
}

/* Make room for at least one more byte: compact, then grow up to max. */
static int make_room(struct linebuf *lb)
{
	if (lb->head > 0 && (lb->tail == lb->cap || lb->head >= lb->cap / 2)) {
		memmove(lb->buf, lb->buf + lb->head, lb->tail - lb->head);
		lb->tail -= lb->head;
		lb->head = 0;
	}
	if (lb->tail < lb->cap)
		return 0;
	if (lb->cap >= limit(lb))
		return 1; /* full: linebuf_next will hand out a piece */
	size_t ncap = lb->cap * 2 > limit(lb) ? limit(lb) : lb->cap * 2;
	char *nb = realloc(lb->buf, ncap);
	if (!nb)
		return -1;
	lb->buf = nb;
	lb->cap = ncap;
	return 0;
}

ssize_t linebuf_fill(struct linebuf *lb, int fd)
{
	return linebuf_fill_upto(lb, fd, 0);
}

/* Room for a read of at most most bytes (0: any) at the tail: its size,
 * or -1 with errno ENOMEM (no memory) or ENOBUFS (a line fills the
 * buffer). Inline, so that the read path pays no call for it. */
static inline ssize_t tail_room(struct linebuf *lb, size_t most)
{
	int r = make_room(lb);
	if (r != 0) {
		errno = r < 0 ? ENOMEM : ENOBUFS;
		return -1;
	}
	size_t room = lb->cap - lb->tail;
	return (ssize_t)(most && most < room ? most : room);
}

ssize_t linebuf_space(struct linebuf *lb, size_t most, char **at)
{
	ssize_t room = tail_room(lb, most);
	if (room >= 0)
		*at = lb->buf + lb->tail;
	return room;
}

ssize_t linebuf_fill_upto(struct linebuf *lb, int fd, size_t most)
{
	ssize_t room = tail_room(lb, most);
	if (room < 0)
		return -1;
	ssize_t n = read(fd, lb->buf + lb->tail, (size_t)room);
	if (n > 0)
		lb->tail += (size_t)n;
	return n;
}

int linebuf_append(struct linebuf *lb, const char *p, size_t n)
{
	while (n > 0) {
		int r = make_room(lb);
		if (r != 0)
			return -1;
		size_t k = lb->cap - lb->tail;
		if (k > n)
			k = n;
		memcpy(lb->buf + lb->tail, p, k);
		lb->tail += k;
		p += k;
		n -= k;
	}
	return 0;
}

bool linebuf_next(struct linebuf *lb, const char **line, size_t *len)
{
	size_t avail = lb->tail - lb->head;
	if (avail == 0)
		return false;
	char *start = lb->buf + lb->head;
	char *nl = memchr(start, '\n', avail);
	if (nl) {
		*line = start;
		*len = (size_t)(nl - start);
		lb->head += *len + 1;
		if (lb->head == lb->tail)
			lb->head = lb->tail = 0;
		return true;
	}
	if (avail > lb->max) {
		/* A line longer than we will hold: hand it out in pieces of max. */
		*line = start;
		*len = lb->max;
		lb->head += lb->max;
		lb->split++;
		return true;
	}
	return false;
}

/* Sixteen bytes, compared at once (GCC's and Clang's vector extension:
 * SSE2 on x86-64, NEON on arm64, plain code elsewhere). */
typedef unsigned char bytes16 __attribute__((vector_size(16)));

uint64_t newlines(const char *p, size_t n)
{
	/* A memchr() a line costs a call and its set-up for each of them: at
	 * ten bytes a line, most of a consumer's time. Here each lane of acc
	 * counts the newlines at its offset, up to 255 steps, then the lanes
	 * are summed. */
	uint64_t k = 0;
	size_t i = 0;
	while (n - i >= sizeof(bytes16)) {
		bytes16 acc = { 0 };
		size_t steps = (n - i) / sizeof(bytes16);
		if (steps > 255)
			steps = 255;
		for (size_t s = 0; s < steps; s++, i += sizeof(bytes16)) {
			bytes16 v;
			memcpy(&v, p + i, sizeof(v));
			acc -= (bytes16)(v == '\n'); /* true is all ones: -1 */
		}
		for (size_t j = 0; j < sizeof(bytes16); j++)
			k += acc[j];
	}
	for (; i < n; i++)
		k += p[i] == '\n';
	return k;
}

uint64_t linebuf_lines(const struct linebuf *lb)
{
	return newlines(lb->buf + lb->head, lb->tail - lb->head);
}

bool linebuf_rest(struct linebuf *lb, const char **line, size_t *len)
{
	size_t avail = lb->tail - lb->head;
	if (avail == 0)
		return false;
	*line = lb->buf + lb->head;
	*len = avail;
	lb->head = lb->tail = 0;
	return true;
}
