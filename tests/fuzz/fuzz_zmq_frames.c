/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the frames of ZeroMQ messages, as a peer picks them,
 * through the joiner of the zmq consumer. The input is a byte limit, then
 * records [u8 flags][u16 length][bytes]: a frame, the last of its message
 * unless flags bit 0 is set. The joined bytes are checked against a model
 * that keeps every byte, cut where the bounds say. */
#include <stdint.h>
#include <string.h>

#include "../../src/mech/zmq_frames.h"
#include "fuzz.h"

/* What the joiner should hold: every byte of the message, cut at the
 * limit and the frames at ZFRAMES_MAX, a frame that was cut the last. */
struct model {
	uint8_t bytes[1 << 16];
	size_t len, frames_kept;
	uint64_t frames, total;
	bool cut;
};

static void model_add(struct model *m, size_t limit, const uint8_t *p, size_t n)
{
	m->frames++;
	m->total += n;
	if (m->cut || m->frames_kept == ZFRAMES_MAX) {
		m->cut = true;
		return;
	}
	size_t take = n < limit - m->len ? n : limit - m->len;
	memcpy(m->bytes + m->len, p, take);
	m->len += take;
	m->frames_kept++;
	if (take < n)
		m->cut = true;
}

static void check(const struct zframes *f, const struct model *m)
{
	CHECK(f->len == m->len && f->len <= f->limit);
	CHECK(f->len == 0 || memcmp(f->buf, m->bytes, m->len) == 0);
	CHECK(f->n == m->frames_kept && f->frames == m->frames && f->bytes == m->total);
	CHECK(zframes_truncated(f) == m->cut);
	CHECK(f->cap <= f->limit);
	size_t sum = 0;
	for (size_t i = 0; i < f->n; i++) {
		const char *p;
		size_t n;
		zframes_get(f, i, &p, &n);
		CHECK(p >= f->buf || n == 0);
		sum += n;
	}
	CHECK(sum == f->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	struct zframes f;
	if (size < 2)
		return 0;
	size_t limit = (size_t)data[0] << 8 | data[1];
	zframes_init(&f, limit);
	memset(&m, 0, sizeof(m));
	size_t i = 2;
	while (i + 3 <= size) {
		bool more = data[i] & 1;
		size_t n = (size_t)data[i + 1] << 8 | data[i + 2];
		i += 3;
		if (n > size - i)
			n = size - i;
		zframes_add(&f, (const char *)data + i, n);
		model_add(&m, limit, data + i, n);
		i += n;
		check(&f, &m);
		if (!more) {
			zframes_reset(&f);
			memset(&m, 0, sizeof(m));
		}
	}
	zframes_free(&f);
	return 0;
}
