/* SPDX-License-Identifier: MIT */
/* Joining the frames of a ZeroMQ message, within bounds (zmq_frames.h). */
#include <stdlib.h>
#include <string.h>

#include "zmq_frames.h"

void zframes_init(struct zframes *f, size_t limit)
{
	memset(f, 0, sizeof(*f));
	f->limit = limit;
}

void zframes_free(struct zframes *f)
{
	free(f->buf);
	f->buf = NULL;
	f->cap = 0;
	zframes_reset(f);
}

void zframes_reset(struct zframes *f)
{
	f->len = 0;
	f->n = 0;
	f->frames = 0;
	f->bytes = 0;
	f->nomem = false;
	f->cut = false;
}

/* Room for need bytes in all (need <= limit). Returns false, changing
 * nothing, when out of memory. */
static bool reserve(struct zframes *f, size_t need)
{
	if (need <= f->cap)
		return true;
	size_t ncap = f->cap ? f->cap : (f->limit < 4096 ? f->limit : 4096);
	while (ncap < need)
		ncap = ncap > f->limit / 2 ? f->limit : ncap * 2;
	char *nb = realloc(f->buf, ncap);
	if (!nb)
		return false;
	f->buf = nb;
	f->cap = ncap;
	return true;
}

void zframes_add(struct zframes *f, const char *p, size_t n)
{
	f->frames++;
	f->bytes = f->bytes > UINT64_MAX - n ? UINT64_MAX : f->bytes + n;
	/* Past the frames kept apart, or after a frame that was cut: the
	 * message ends where it was cut. */
	if (f->cut || f->n == ZFRAMES_MAX) {
		f->cut = true;
		return;
	}
	size_t room = f->limit - f->len;
	size_t take = n < room ? n : room;
	if (take && !reserve(f, f->len + take)) {
		f->nomem = f->cut = true;
		return;
	}
	if (take)
		memcpy(f->buf + f->len, p, take);
	f->len += take;
	f->end[f->n++] = f->len;
	if (take < n)
		f->cut = true;
}

bool zframes_truncated(const struct zframes *f)
{
	return f->cut;
}

void zframes_get(const struct zframes *f, size_t i, const char **p, size_t *n)
{
	size_t start = i ? f->end[i - 1] : 0;
	*p = f->buf ? f->buf + start : "";
	*n = f->end[i] - start;
}
