/* SPDX-License-Identifier: MIT */
/* --seq stamps and the --verify loss detector. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

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

/* One producer's history: a window of the sequence numbers seen, kept as
 * a ring of nwords 64-bit words (a power of two). Word index w (numbers
 * 64w .. 64w+63) lives in slot w % nwords; the words held are lo_w up to
 * the word of max_seq. The window grows, while memory allows, to cover
 * everything from the lowest number seen; past VERIFY_WINDOW numbers it
 * slides, and what falls out of it can no longer be checked. */
struct track {
	uint64_t id;
	uint64_t min_seq;  /* lowest seen */
	uint64_t max_seq;  /* highest seen */
	uint64_t distinct; /* distinct sequence numbers seen (0: none yet) */
	uint64_t lo_w;     /* the oldest word held */
	union {
		uint64_t word;  /* nwords == 1 */
		uint64_t *bits; /* nwords > 1 */
	} u;
	uint32_t nwords;
	bool slid; /* words below lo_w were dropped: unknown, not empty */
};

/* Held words are 64-aligned: twice the words guarantee the full window. */
#define WINDOW_WORDS ((uint32_t)(2 * VERIFY_WINDOW / 64))
#define WORDS_MAX (VERIFY_MEMORY_MAX / sizeof(uint64_t))

struct verify {
	struct track *t;
	size_t n, cap;
	uint32_t *slot; /* hash table of t indexes + 1 (0: free) */
	size_t nslots;  /* a power of two, at least twice n */
	uint64_t seed;  /* keys the hash: ids an attacker picks do not collide */
	size_t last;    /* index of the producer seen last: the usual case */
	size_t words;   /* ring words allocated, of all producers */
	bool starved;   /* a window could not grow: VERIFY_MEMORY_MAX reached */
	uint64_t received, duplicated, reordered, unstamped, untracked, unchecked;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct verify *verify_new(void)
{
	struct verify *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	if (getrandom(&v->seed, sizeof(v->seed), GRND_NONBLOCK) != sizeof(v->seed))
		v->seed = mix64((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)v);
	return v;
}

static uint64_t *ring(struct track *t)
{
	return t->nwords == 1 ? &t->u.word : t->u.bits;
}

void verify_free(struct verify *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		if (v->t[i].nwords > 1)
			free(v->t[i].u.bits);
	free(v->t);
	free(v->slot);
	free(v);
}

/* Double the hash table (or make its first one). */
static int slots_grow(struct verify *v)
{
	size_t ns = v->nslots ? v->nslots * 2 : 64;
	uint32_t *s = calloc(ns, sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < v->n; i++) {
		size_t h = (size_t)mix64(v->t[i].id ^ v->seed) & (ns - 1);
		while (s[h])
			h = (h + 1) & (ns - 1);
		s[h] = (uint32_t)i + 1;
	}
	free(v->slot);
	v->slot = s;
	v->nslots = ns;
	return 0;
}

/* A new producer, or NULL past VERIFY_PRODUCERS_MAX or out of memory. */
static struct track *track_new(struct verify *v, uint64_t id)
{
	if (v->n >= VERIFY_PRODUCERS_MAX)
		return NULL;
	if ((v->n + 1) * 2 > v->nslots && slots_grow(v) < 0)
		return NULL;
	if (v->n == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 16;
		if (ncap > VERIFY_PRODUCERS_MAX)
			ncap = VERIFY_PRODUCERS_MAX;
		struct track *nt = realloc(v->t, ncap * sizeof(*nt));
		if (!nt)
			return NULL;
		v->t = nt;
		v->cap = ncap;
	}
	size_t h = (size_t)mix64(id ^ v->seed) & (v->nslots - 1);
	while (v->slot[h])
		h = (h + 1) & (v->nslots - 1);
	v->slot[h] = (uint32_t)v->n + 1;
	struct track *t = &v->t[v->n];
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->nwords = 1;
	v->last = v->n++;
	return t;
}

static struct track *track_get(struct verify *v, uint64_t id)
{
	if (v->n && v->t[v->last].id == id)
		return &v->t[v->last];
	if (v->nslots) {
		size_t h = (size_t)mix64(id ^ v->seed) & (v->nslots - 1);
		for (; v->slot[h]; h = (h + 1) & (v->nslots - 1)) {
			size_t i = v->slot[h] - 1;
			if (v->t[i].id == id) {
				v->last = i;
				return &v->t[i];
			}
		}
	}
	return track_new(v, id);
}

/* Give t a ring of nw words (more than it has), keeping the words held.
 * Returns -1, changing nothing, past VERIFY_MEMORY_MAX or out of memory. */
static int track_resize(struct verify *v, struct track *t, uint32_t nw)
{
	size_t had = t->nwords > 1 ? t->nwords : 0;
	uint64_t *nb = v->words - had + nw <= WORDS_MAX ? calloc(nw, sizeof(*nb)) : NULL;
	if (!nb) {
		v->starved = true;
		return -1;
	}
	const uint64_t *old = ring(t);
	for (uint64_t w = t->lo_w; w <= t->max_seq >> 6; w++)
		nb[w & (nw - 1)] = old[w & (t->nwords - 1)];
	if (had)
		free(t->u.bits);
	v->words = v->words - had + nw;
	t->u.bits = nb;
	t->nwords = nw;
	return 0;
}

/* Grow t's ring towards need words, within VERIFY_WINDOW and memory. */
static void track_grow(struct verify *v, struct track *t, uint64_t need)
{
	uint32_t nw = t->nwords;
	while (nw < need && nw < WINDOW_WORDS)
		nw *= 2;
	if (nw > t->nwords)
		(void)track_resize(v, t, nw);
}

/* Clear the slots of words a .. b (a <= b), which enter the window. */
static void clear_words(struct track *t, uint64_t a, uint64_t b)
{
	uint64_t *r = ring(t);
	if (b - a >= t->nwords) {
		memset(r, 0, t->nwords * sizeof(*r));
		return;
	}
	for (uint64_t w = a; w <= b; w++)
		r[w & (t->nwords - 1)] = 0;
}

/* Make the window hold word w. Returns 0, or -1 when w is below what the
 * window holds or can reach: then nothing about it is known. */
static int track_cover(struct verify *v, struct track *t, uint64_t w)
{
	uint64_t hi = t->max_seq >> 6;
	if (w >= t->lo_w && w <= hi)
		return 0;
	if (w > hi) {
		uint64_t need = w - t->lo_w + 1;
		if (need > t->nwords)
			track_grow(v, t, need);
		clear_words(t, hi + 1, w);
		if (need > t->nwords) { /* slide: the oldest words fall out */
			t->lo_w = w - t->nwords + 1;
			t->slid = true;
		}
		return 0;
	}
	/* Below the window: known to be empty only while nothing fell out. */
	if (t->slid)
		return -1;
	uint64_t need = hi - w + 1;
	if (need > t->nwords)
		track_grow(v, t, need);
	if (need > t->nwords)
		return -1;
	clear_words(t, w, t->lo_w - 1);
	t->lo_w = w;
	return 0;
}

int verify_add(struct verify *v, uint64_t id, uint64_t seq)
{
	struct track *t = track_get(v, id);
	v->received++;
	if (!t) {
		v->untracked++;
		return VERIFY_UNTRACKED;
	}
	uint64_t bit = 1ULL << (seq & 63);
	if (!t->distinct) {
		t->lo_w = seq >> 6;
		t->min_seq = t->max_seq = seq;
		t->u.word = bit;
		t->distinct = 1;
		return VERIFY_OK;
	}
	if (track_cover(v, t, seq >> 6) < 0) {
		/* Lower than one seen before: reordered, and maybe a duplicate
		 * too, but that is no longer known. */
		v->reordered++;
		v->unchecked++;
		return VERIFY_UNCHECKED;
	}
	uint64_t *w = &ring(t)[(seq >> 6) & (t->nwords - 1)];
	if (*w & bit) {
		v->duplicated++;
		return VERIFY_DUPLICATE;
	}
	*w |= bit;
	t->distinct++;
	if (seq < t->min_seq)
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

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void verify_get(const struct verify *v, struct verify_result *r)
{
	memset(r, 0, sizeof(*r));
	r->producers = v->n;
	r->received = v->received;
	r->duplicated = v->duplicated;
	r->reordered = v->reordered;
	r->unstamped = v->unstamped;
	r->untracked = v->untracked;
	r->unchecked = v->unchecked;
	r->starved = v->starved;
	/* Holes between the first and the last number seen are lost. What came
	 * before the first one was never ours to see (a consumer that joined
	 * late): reported apart, not as a loss. Forged stamps can make these
	 * sums absurd; they stop at UINT64_MAX rather than wrap. */
	for (size_t i = 0; i < v->n; i++) {
		const struct track *t = &v->t[i];
		if (!t->distinct)
			continue;
		/* min_seq >= 1, so the span fits; distinct <= span. */
		r->lost = add_sat(r->lost, t->max_seq - t->min_seq + 1 - t->distinct);
		r->before_first = add_sat(r->before_first, t->min_seq - 1);
		r->distinct = add_sat(r->distinct, t->distinct);
		r->upto = add_sat(r->upto, t->max_seq);
	}
}

bool verify_clean(const struct verify_result *r)
{
	return r->lost == 0 && r->duplicated == 0 && r->reordered == 0 && r->unstamped == 0 && r->untracked == 0 &&
	       r->unchecked == 0;
}
