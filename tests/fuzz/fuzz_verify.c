/* SPDX-License-Identifier: MIT */
/* libFuzzer target: arbitrary bytes, framed into lines as a stream
 * consumer frames them, through the --seq stamp parser and the --verify
 * state machine. Its counts are checked for consistency and, when every
 * stamp is small enough for the window to hold all of them, against a
 * model that remembers every stamp. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ipcdemo/message.h"

/* The model: every (id, seq) seen, for inputs of at most MODEL_MAX stamps
 * whose sequence numbers are below VERIFY_WINDOW. */
#define MODEL_MAX 4096
struct stamp {
	uint64_t id, seq;
};
struct model {
	struct stamp seen[MODEL_MAX];
	size_t n;
	bool usable;
	uint64_t received, duplicated, reordered, unstamped;
};

static bool model_has(const struct model *m, uint64_t id, uint64_t seq)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->seen[i].id == id && m->seen[i].seq == seq)
			return true;
	return false;
}

/* The highest seq of id so far, 0 if none. */
static uint64_t model_max(const struct model *m, uint64_t id)
{
	uint64_t hi = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->seen[i].id == id && m->seen[i].seq > hi)
			hi = m->seen[i].seq;
	return hi;
}

static void model_add(struct model *m, uint64_t id, uint64_t seq, int verdict)
{
	m->received++;
	if (!m->usable)
		return;
	if (m->n == MODEL_MAX || seq >= VERIFY_WINDOW) {
		m->usable = false;
		return;
	}
	int want = VERIFY_OK;
	if (model_has(m, id, seq)) {
		want = VERIFY_DUPLICATE;
		m->duplicated++;
	} else {
		if (seq < model_max(m, id)) {
			want = VERIFY_REORDERED;
			m->reordered++;
		}
		m->seen[m->n].id = id;
		m->seen[m->n++].seq = seq;
	}
	CHECK(verdict == want);
}

static void model_check(const struct model *m, const struct verify_result *r)
{
	uint64_t lost = 0, before = 0, producers = 0;
	for (size_t i = 0; i < m->n; i++) {
		bool first = true;
		uint64_t lo = m->seen[i].seq, hi = lo, cnt = 0;
		for (size_t j = 0; j < m->n; j++) {
			if (m->seen[j].id != m->seen[i].id)
				continue;
			if (j < i) {
				first = false;
				break;
			}
			cnt++;
			lo = m->seen[j].seq < lo ? m->seen[j].seq : lo;
			hi = m->seen[j].seq > hi ? m->seen[j].seq : hi;
		}
		if (!first)
			continue;
		producers++;
		lost += hi - lo + 1 - cnt;
		before += lo - 1;
	}
	CHECK(r->producers == producers);
	CHECK(r->lost == lost);
	CHECK(r->before_first == before);
	CHECK(r->duplicated == m->duplicated);
	CHECK(r->reordered == m->reordered);
	CHECK(r->unstamped == m->unstamped);
	CHECK(r->unchecked == 0 && r->untracked == 0);
}

static void deliver(struct verify *v, struct model *m, const char *line, size_t len)
{
	uint64_t id, seq;
	size_t off;
	if (!stamp_parse(line, len, &id, &seq, &off)) {
		verify_unstamped(v);
		m->received++;
		m->unstamped++;
		return;
	}
	CHECK(seq >= 1 && off <= len && off >= 4 && line[off - 1] == ':');
	/* What was parsed prints back as the stamp, leading zeros aside. */
	char buf[STAMP_MAX + 1];
	size_t n = stamp_format(buf, id, seq);
	CHECK(n <= STAMP_MAX && n <= off + 40);
	int verdict = verify_add(v, id, seq);
	CHECK(verdict >= VERIFY_OK && verdict <= VERIFY_UNTRACKED);
	if (m->usable && verdict == VERIFY_UNCHECKED && seq < VERIFY_WINDOW) {
		/* Within the window only when memory ran out. */
		struct verify_result r;
		verify_get(v, &r);
		CHECK(r.starved);
		m->usable = false;
	}
	model_add(m, id, seq, verdict);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	struct linebuf lb;
	struct verify_result r;
	const char *line;
	size_t len;
	struct verify *v = verify_new();
	if (!v)
		return 0;
	memset(&m, 0, sizeof(m));
	m.usable = true;
	/* Small lines and buffer, so that splitting long lines is exercised. */
	if (linebuf_init(&lb, 16, 256) < 0) {
		verify_free(v);
		return 0;
	}
	for (size_t at = 0; at < size;) {
		/* As much as the buffer takes (a line of 256 and its newline). */
		size_t room = 257 - linebuf_pending(&lb);
		size_t chunk = size - at < room ? size - at : room;
		CHECK(chunk > 0 && linebuf_append(&lb, (const char *)data + at, chunk) == 0);
		at += chunk;
		while (linebuf_next(&lb, &line, &len))
			deliver(v, &m, line, len);
	}
	if (linebuf_rest(&lb, &line, &len))
		deliver(v, &m, line, len);
	verify_get(v, &r);
	CHECK(r.received == m.received);
	CHECK(r.duplicated + r.unstamped + r.untracked <= r.received);
	CHECK(r.unchecked <= r.reordered);
	CHECK(r.producers <= VERIFY_PRODUCERS_MAX);
	CHECK(verify_clean(&r) ==
	      (r.lost == 0 && r.duplicated == 0 && r.reordered == 0 && r.unstamped == 0 && r.untracked == 0));
	/* Windows cut short by the memory limit make the counts differ, as
	 * the summary then says. */
	if (m.usable && !r.starved)
		model_check(&m, &r);
	linebuf_free(&lb);
	verify_free(v);
	return 0;
}
