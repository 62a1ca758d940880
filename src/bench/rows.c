/* SPDX-License-Identifier: MIT */
/* The benchmark's rows: every row of every mechanism with bench hooks, in
 * the order the hooks ask for, then the reference rows; their limits, the
 * words that select them, and the --size list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ipcdemo/complete.h"
#include "ipcdemo/help.h"
#include "ipcdemo/tools.h"
#include "ipcdemo/util.h"
#include "ipcdemo/verb.h"

/* The benchmarked mechanisms in table order (a stable sort by .order). */
static size_t sorted_mechs(const struct mechanism **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; mechanisms[i] && n < max; i++) {
		if (!mechanisms[i]->bench)
			continue;
		size_t k = n++;
		while (k > 0 && out[k - 1]->bench->order > mechanisms[i]->bench->order) {
			out[k] = out[k - 1];
			k--;
		}
		out[k] = mechanisms[i];
	}
	return n;
}

bool brow_at(size_t i, struct brow *out)
{
	const struct mechanism *ms[MAX_ROWS];
	size_t nm = sorted_mechs(ms, ARRAY_SIZE(ms));
	for (size_t k = 0; k < nm; k++) {
		for (const struct bench_row *r = ms[k]->bench->rows; r->name; r++) {
			if (i-- > 0)
				continue;
			*out = (struct brow){ .name = r->name,
					      .group = ms[k]->name,
					      .word = r->word,
					      .floor = r->floor,
					      .mech = ms[k],
					      .row = r,
					      .ref = NULL,
					      .hooks = ms[k]->bench };
			return true;
		}
	}
	for (const struct ref_row *f = bench_ref_rows; f->name; f++) {
		if (i-- > 0)
			continue;
		*out = (struct brow){ .name = f->name,
				      .group = f->group,
				      .word = f->word,
				      .floor = NULL,
				      .mech = NULL,
				      .row = NULL,
				      .ref = f,
				      .hooks = f->hooks };
		return true;
	}
	return false;
}

size_t brow_limit(const struct brow *r, char *why, size_t len)
{
	why[0] = '\0';
	if (!r->hooks->limit)
		return 0;
	return r->hooks->limit(r->row, why, len);
}

size_t bench_limit(const char *row, char *why, size_t len)
{
	struct brow r;
	for (size_t i = 0; brow_at(i, &r); i++)
		if (strcmp(r.name, row) == 0)
			return brow_limit(&r, why, len);
	snprintf(why, len, "no such row");
	return 0;
}

const char *bench_row_name(size_t i)
{
	struct brow r;
	return brow_at(i, &r) ? r.name : NULL;
}

const char *bench_row_group(size_t i)
{
	struct brow r;
	return brow_at(i, &r) ? r.group : NULL;
}

const char *bench_row_word(size_t i)
{
	struct brow r;
	return brow_at(i, &r) ? r.word : NULL;
}

const char *bench_row_floor(size_t i)
{
	struct brow r;
	return brow_at(i, &r) ? r.floor : NULL;
}

size_t bench_row_of_word(const char *word)
{
	struct brow r;
	for (size_t j = 0; word && brow_at(j, &r); j++)
		if (r.word && strcmp(r.word, word) == 0)
			return j;
	return BENCH_NO_FLOOR;
}

void bench_pass_order(const size_t *row, const size_t *floor, const size_t *size, const int *place, size_t n,
		      size_t *order)
{
	bool *taken = calloc(n ? n : 1, sizeof(*taken));
	size_t k = 0;
	if (!taken) {
		for (size_t i = 0; i < n; i++)
			order[i] = i; /* the table's order: only less well paired */
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (taken[i])
			continue;
		taken[i] = true;
		order[k++] = i;
		if (floor[i] == BENCH_NO_FLOOR)
			continue;
		/* The same cell of the other rows with that floor, then of the
		 * floor itself. */
		for (int pass = 0; pass < 2; pass++)
			for (size_t j = 0; j < n; j++) {
				bool mine = pass == 0 ? floor[j] == floor[i] : row[j] == floor[i];
				if (!taken[j] && mine && size[j] == size[i] && place[j] == place[i]) {
					taken[j] = true;
					order[k++] = j;
				}
			}
	}
	free(taken);
}

static int unknown_row(const char *word, size_t nrows)
{
	const char *names[MAX_ROWS];
	size_t n = 0;
	struct brow r, prev;
	for (size_t i = 0; i < nrows && n < ARRAY_SIZE(names) && brow_at(i, &r); i++) {
		if (i == 0 || strcmp(r.group, prev.group) != 0)
			names[n++] = r.group;
		prev = r;
	}
	const struct mechanism *m = mechanism_find(word);
	if (m && !m->bench && m->not_benchmarked) {
		/* A mechanism, but not one this build can measure: say why. */
		fprintf(stderr, "ipcdemo bench: %s is not benchmarked: %s.\n", word, m->not_benchmarked);
		fprintf(stderr, "Try 'ipcdemo bench --help' for more information.\n");
		return EXIT_USAGE;
	}
	fprintf(stderr, "ipcdemo bench: '%s' is not a mechanism the benchmark measures.\n", word);
	suggest("ipcdemo bench", "bench", word, names, n);
	fprintf(stderr, "Try 'ipcdemo bench --help' for more information.\n");
	return EXIT_USAGE;
}

int select_rows(struct ctx *ctx, bool *sel, size_t nrows)
{
	for (size_t i = 0; i < nrows; i++)
		sel[i] = ctx->argc == 0;
	for (int a = 0; a < ctx->argc; a++) {
		bool hit = false;
		struct brow r;
		for (size_t i = 0; i < nrows && brow_at(i, &r); i++) {
			if (strcmp(ctx->argv[a], r.group) == 0 || (r.word && strcmp(ctx->argv[a], r.word) == 0)) {
				sel[i] = true;
				hit = true;
			}
		}
		if (!hit)
			return unknown_row(ctx->argv[a], nrows);
	}
	return 0;
}

int bench_parse_sizes(const char *s, size_t *out, int max, int *n, char *why, size_t wlen)
{
	char buf[256];
	*n = 0;
	if (strlen(s) >= sizeof(buf)) {
		snprintf(why, wlen, "too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	if (buf[0] == ',' || strstr(buf, ",,") || (buf[0] && buf[strlen(buf) - 1] == ',')) {
		snprintf(why, wlen, "an empty size in the list");
		return -1;
	}
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		const char *w;
		if (parse_size(t, &v, &w) < 0) {
			snprintf(why, wlen, "'%s': %s", t, w);
			return -1;
		}
		if (v < BENCH_SIZE_MIN || v > BENCH_SIZE_MAX) {
			snprintf(why, wlen, "'%s': sizes go from %d bytes (a counter and its newline) to 16M", t,
				 BENCH_SIZE_MIN);
			return -1;
		}
		if (*n == max) {
			snprintf(why, wlen, "at most %d sizes", max);
			return -1;
		}
		out[(*n)++] = (size_t)v;
	}
	if (*n == 0) {
		snprintf(why, wlen, "no size");
		return -1;
	}
	return 0;
}

/* The number of rows from row i on that are in its group. */
static size_t group_rows(size_t i, const char *group)
{
	struct brow r;
	size_t n = 0;
	while (brow_at(i + n, &r) && strcmp(r.group, group) == 0)
		n++;
	return n;
}

/* bench's arguments: the words of its rows' groups (described by their
 * mechanism's summary, or the reference's), and of single rows. */
void bench_complete(const struct verb *v, const char *cur)
{
	char desc[256];
	struct brow r;
	(void)v;
	complete_group("rows", "benchmark row");
	for (size_t i = 0; brow_at(i, &r); i++) {
		if (i == 0 || strcmp(r.group, bench_row_group(i - 1)) != 0) {
			size_t n = group_rows(i, r.group);
			if (r.ref && n > 1)
				snprintf(desc, sizeof(desc), "all %zu reference rows: %s", n, r.ref->group_summary);
			else if (r.ref)
				snprintf(desc, sizeof(desc), "a reference row: %s", r.ref->summary);
			else if (n > 1)
				snprintf(desc, sizeof(desc), "all %zu rows: %s", n, r.mech->summary);
			else
				snprintf(desc, sizeof(desc), "%s", r.mech->summary);
			complete_candidate(cur, r.group, desc);
		}
		if (r.word) {
			snprintf(desc, sizeof(desc), "the %s row only", r.name);
			complete_candidate(cur, r.word, desc);
		}
	}
}

/* Put word on the line being written to fp, wrapped at width columns. */
static void help_word(FILE *fp, int *col, const char *word, int width)
{
	int len = (int)strlen(word);
	if (*col > 2 && *col + 1 + len > width) {
		fputs("\n ", fp);
		*col = 1;
	}
	fprintf(fp, " %s", word);
	*col += 1 + len;
}

/* bench --help: the words that select rows, from the mechanisms' hooks. */
void bench_help_args(FILE *fp, const struct verb *v)
{
	char buf[128];
	int col = 1, width = help_width(fp);
	(void)v;
	fputs("\nMECHANISM is one of (a row's own word in parentheses):\n ", fp);
	bool open = false; /* a group's parenthesis (a row without a word of its own opens none) */
	for (size_t i = 0; bench_row_name(i); i++) {
		const char *g = bench_row_group(i), *w = bench_row_word(i);
		bool first = i == 0 || strcmp(g, bench_row_group(i - 1)) != 0;
		bool last = !bench_row_name(i + 1) || strcmp(g, bench_row_group(i + 1)) != 0;
		if (first) {
			help_word(fp, &col, g, width);
			open = false;
		}
		if (w) {
			snprintf(buf, sizeof(buf), "%s%s%s", open ? "" : "(", w, last ? ")" : ",");
			help_word(fp, &col, buf, width);
			open = true;
		}
	}
	fputs("\n", fp);
}
