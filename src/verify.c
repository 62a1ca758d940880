/* SPDX-License-Identifier: MIT */
/* --seq stamps and the --verify loss detector. */
#include <stdlib.h>
#include <string.h>

#include "ipcdemo/message.h"

static size_t put_u64(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

size_t stamp_format(char *buf, uint64_t id, uint64_t seq)
{
	size_t n = put_u64(buf, id);
	buf[n++] = ':';
	n += put_u64(buf + n, seq);
	buf[n++] = ':';
	return n;
}

static size_t get_u64(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;
	while (i < len && i < 20 && s[i] >= '0' && s[i] <= '9') {
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return 0;
		x = x * 10 + d;
		i++;
	}
	*v = x;
	return i;
}

bool stamp_parse(const char *msg, size_t len, uint64_t *id, uint64_t *seq, size_t *payload_off)
{
	size_t a = get_u64(msg, len, id);
	if (a == 0 || a >= len || msg[a] != ':')
		return false;
	size_t b = get_u64(msg + a + 1, len - a - 1, seq);
	if (b == 0 || a + 1 + b >= len || msg[a + 1 + b] != ':' || *seq == 0)
		return false;
	*payload_off = a + b + 2;
	return true;
}

/* One producer's history: a bitmap of the sequence numbers seen, bit i of
 * word w standing for base + 64 * w + i. */
struct track {
	uint64_t id;
	uint64_t base; /* a multiple of 64 */
	uint64_t min_seq;  /* lowest seen */
	uint64_t max_seq;  /* highest seen */
	uint64_t distinct; /* distinct sequence numbers seen */
	uint64_t *bits;
	size_t words;
};

struct verify {
	struct track *t;
	size_t n, cap;
	size_t last; /* index of the producer seen last: the usual case */
	size_t words; /* bitmap words of all producers */
	uint64_t received, duplicated, reordered, unstamped;
};

struct verify *verify_new(void)
{
	return calloc(1, sizeof(struct verify));
}

void verify_free(struct verify *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		free(v->t[i].bits);
	free(v->t);
	free(v);
}

static struct track *track_get(struct verify *v, uint64_t id)
{
	if (v->n && v->t[v->last].id == id)
		return &v->t[v->last];
	for (size_t i = 0; i < v->n; i++) {
		if (v->t[i].id == id) {
			v->last = i;
			return &v->t[i];
		}
	}
	if (v->n == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 8;
		struct track *nt = realloc(v->t, ncap * sizeof(*nt));
		if (!nt)
			return NULL;
		v->t = nt;
		v->cap = ncap;
	}
	memset(&v->t[v->n], 0, sizeof(v->t[v->n]));
	v->t[v->n].id = id;
	v->last = v->n;
	return &v->t[v->n++];
}

/* Make t's bitmap cover seq. Returns 0, or -1 past the memory limit. */
static int track_cover(struct verify *v, struct track *t, uint64_t seq)
{
	uint64_t lo = seq & ~(uint64_t)63;
	if (t->words == 0)
		t->base = lo;
	uint64_t base = lo < t->base ? lo : t->base;
	uint64_t end = t->base + (uint64_t)t->words * 64; /* exclusive */
	if (seq >= end)
		end = lo + 64;
	uint64_t need = (end - base) / 64;
	if (need <= t->words && base == t->base)
		return 0;
	uint64_t nw = t->words ? t->words : 16;
	while (nw < need)
		nw *= 2;
	if (nw - t->words > (VERIFY_MEMORY_MAX / 8) - v->words)
		return -1;
	uint64_t *nb = realloc(t->bits, (size_t)nw * sizeof(*nb));
	if (!nb)
		return -1;
	size_t shift = (size_t)((t->base - base) / 64); /* words added below */
	if (shift)
		memmove(nb + shift, nb, t->words * sizeof(*nb));
	memset(nb, 0, shift * sizeof(*nb));
	memset(nb + shift + t->words, 0, ((size_t)nw - shift - t->words) * sizeof(*nb));
	v->words += (size_t)nw - t->words;
	t->bits = nb;
	t->words = (size_t)nw;
	t->base = base;
	return 0;
}

int verify_add(struct verify *v, uint64_t id, uint64_t seq)
{
	struct track *t = track_get(v, id);
	if (!t || track_cover(v, t, seq) < 0)
		return -1;
	uint64_t off = seq - t->base;
	size_t w = (size_t)(off / 64);
	uint64_t bit = 1ULL << (off % 64);
	v->received++;
	if (t->bits[w] & bit) {
		v->duplicated++;
		return VERIFY_DUPLICATE;
	}
	t->bits[w] |= bit;
	t->distinct++;
	if (t->min_seq == 0 || seq < t->min_seq)
		t->min_seq = seq;
	if (seq < t->max_seq) {
		v->reordered++;
		return VERIFY_REORDERED;
	}
	t->max_seq = seq;
	return VERIFY_OK;
}

void verify_unstamped(struct verify *v)
{
	v->received++;
	v->unstamped++;
}

void verify_get(const struct verify *v, struct verify_result *r)
{
	memset(r, 0, sizeof(*r));
	r->producers = v->n;
	r->received = v->received;
	r->duplicated = v->duplicated;
	r->reordered = v->reordered;
	r->unstamped = v->unstamped;
	/* Holes between the first and the last number seen are lost. What came
	 * before the first one was never ours to see (a consumer that joined
	 * late): reported apart, not as a loss. */
	for (size_t i = 0; i < v->n; i++) {
		const struct track *t = &v->t[i];
		if (!t->distinct)
			continue;
		r->lost += t->max_seq - t->min_seq + 1 - t->distinct;
		r->before_first += t->min_seq - 1;
	}
}

bool verify_clean(const struct verify_result *r)
{
	return r->lost == 0 && r->duplicated == 0 && r->reordered == 0 && r->unstamped == 0;
}
