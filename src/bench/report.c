/* SPDX-License-Identifier: MIT */
/* The benchmark's tables, in text, and its cells as JSON objects. A table
 * is described by its columns (struct tcol); its layout is chosen for the
 * width: the placements side by side where they fit, else one line each. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"
#include "ipcdemo/hist.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"

#define LINE_MAX_BYTES 1024

int term_width(int fd)
{
	const char *env = getenv("COLUMNS");
	if (env && *env) {
		char *end;
		long v = strtol(env, &end, 10);
		if (!*end && v > 0 && v <= 10000)
			return (int)v;
	}
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

void wrap_print(FILE *f, const char *text, int used, int indent, int width)
{
	int col = used;
	bool fresh = true; /* nothing of the text on this line yet */
	while (*text) {
		while (*text == ' ')
			text++;
		if (*text == '\n') { /* a line break of the text's own */
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			fresh = true;
			text++;
			continue;
		}
		size_t w = strcspn(text, " \n");
		if (!w)
			break;
		if (!fresh && col + 1 + (int)w > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			fresh = true;
		}
		if (!fresh) {
			fputc(' ', f);
			col++;
		}
		fwrite(text, 1, w, f);
		col += (int)w;
		text += w;
		fresh = false;
	}
	fputc('\n', f);
}

void fmt_rate(char *buf, size_t len, double v)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

void size_label(char *buf, size_t len, size_t s)
{
	if (s >= 1024 && s % 1024 == 0) {
		if (s >= (1 << 20) && s % (1 << 20) == 0)
			snprintf(buf, len, "%zu MiB", s >> 20);
		else
			snprintf(buf, len, "%zu KiB", s >> 10);
	} else {
		snprintf(buf, len, "%zu B", s);
	}
}

/* ---- the columns ---- */

/* Microseconds in 6 columns up to a second: one decimal below 10 ms. */
static void fmt_us(char *buf, size_t len, double us)
{
	snprintf(buf, len, us < 9999.95 ? "%.1f" : "%.0f", us);
}

#define LAT_COL(name, field) \
	static void name(char *buf, size_t len, const void *cell) \
	{ \
		fmt_us(buf, len, ((const struct lcell *)cell)->field); \
	}
LAT_COL(lat_mean, mean)
LAT_COL(lat_p50, med)
LAT_COL(lat_p90, p90)
LAT_COL(lat_p99, p99)
LAT_COL(lat_p999, p999)
LAT_COL(lat_max, max)

static void thr_mbps(char *buf, size_t len, const void *cell)
{
	snprintf(buf, len, "%.1f", ((const struct cell *)cell)->mbps);
}
static void thr_msgps(char *buf, size_t len, const void *cell)
{
	fmt_rate(buf, len, ((const struct cell *)cell)->msgps);
}
static void thr_cpu(char *buf, size_t len, const void *cell)
{
	const struct cell *c = cell;
	snprintf(buf, len, "%.2f/%.2f", c->tx_us, c->rx_us);
}

/* Messages per call in at most 4 columns: "-" when not known, a decimal
 * below 10, then whole numbers, thousands ("12k"), millions ("3M"). */
static int fmt_per_call(char *buf, size_t len, double v)
{
	if (isnan(v))
		return snprintf(buf, len, "-");
	if (v < 9.95)
		return snprintf(buf, len, "%.1f", v);
	if (v < 9999.5)
		return snprintf(buf, len, "%.0f", v);
	if (v < 999.5e3)
		return snprintf(buf, len, "%.0fk", v / 1e3);
	return snprintf(buf, len, "%.0fM", v / 1e6);
}
/* Messages per write of the sender / per read of the receiver. */
static void thr_calls(char *buf, size_t len, const void *cell)
{
	const struct cell *c = cell;
	int k = fmt_per_call(buf, len, c->per_write);
	if (k < 0 || (size_t)k >= len)
		return;
	buf[k] = '/';
	fmt_per_call(buf + k + 1, len - (size_t)k - 1, c->per_read);
}

/* The histogram's non-empty buckets: [highest ns, count], ... */
static void print_buckets(struct out *o, const struct hist *h)
{
	out_array_open(o, "buckets");
	for (size_t i = 0; hist_next(h, &i); i++) {
		out_array_open(o, NULL);
		out_u64(o, PRINT_JSON, NULL, NULL, hist_highest(i));
		out_u64(o, PRINT_JSON, NULL, NULL, h->counts[i]);
		out_array_close(o);
	}
	out_array_close(o);
}

/* Round trips, in microseconds: a column more is a line more here. */
static const struct tcol lat_cols[] = {
	{ .head = "mean", .width = 6, .show = lat_mean },  { .head = "p50", .width = 6, .show = lat_p50 },
	{ .head = "p90", .width = 6, .show = lat_p90 },    { .head = "p99", .width = 6, .show = lat_p99 },
	{ .head = "p99.9", .width = 6, .show = lat_p999 }, { .head = "max", .width = 6, .show = lat_max },
};
static const struct tcol thr_cols[] = {
	{ .head = "MB/s", .width = 8, .show = thr_mbps },
	{ .head = "msg/s", .width = 7, .show = thr_msgps },
	{ .head = "CPU us", .width = 13, .show = thr_cpu },
	{ .head = "msg/call", .width = 9, .show = thr_calls },
};

/* A placement's columns: one space between them and the spread mark after. */
static int group_width(const struct layout *L)
{
	int w = 0;
	for (size_t i = 0; i < L->ncols; i++)
		w += L->cols[i].width + 1;
	return w;
}

/* Where the cells begin. */
static int label_width(const struct layout *L)
{
	return L->name_w + 1 + L->size_w + (L->stacked ? 2 + L->place_w : 0);
}

void layout_choose(struct layout *L)
{
	L->cols = L->lat ? lat_cols : thr_cols;
	L->ncols = L->lat ? ARRAY_SIZE(lat_cols) : ARRAY_SIZE(thr_cols);
	L->place_w = 3; /* "cpu" */
	for (int p = 0; p < L->nplaces; p++) {
		int w = (int)strlen(L->place_names[L->places[p]]);
		L->place_w = w > L->place_w ? w : L->place_w;
	}
	L->stacked = false;
	int side = label_width(L) + L->nplaces * (2 + group_width(L));
	L->stacked = L->nplaces > 1 && side > L->width;
}

/* ---- lines ---- */

struct line {
	char s[LINE_MAX_BYTES];
	size_t n;
};

static void addf(struct line *l, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void addf(struct line *l, const char *fmt, ...)
{
	va_list ap;
	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	int k = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n += (size_t)k < sizeof(l->s) - l->n ? (size_t)k : sizeof(l->s) - 1 - l->n;
}

/* Print the line without its trailing blanks, and the note (without its
 * parentheses) after it, or below it, from where the cells begin, if the
 * line has no room for it. */
static void line_emit(const struct layout *L, struct line *l, const char *note)
{
	while (l->n && l->s[l->n - 1] == ' ')
		l->n--;
	l->s[l->n] = '\0';
	fputs(l->s, stdout);
	if (!note || !note[0]) {
		fputc('\n', stdout);
		return;
	}
	char paren[300];
	snprintf(paren, sizeof(paren), "(%s)", note);
	int used = (int)l->n + 2;
	if (used + (int)strlen(paren) <= L->width) {
		printf("  ");
		wrap_print(stdout, paren, used, used, L->width);
		return;
	}
	int indent = label_width(L) + 2;
	if (L->width - indent < 30)
		indent = 2;
	printf("\n%*s", indent, "");
	wrap_print(stdout, paren, indent, indent, L->width);
}

void table_header(const struct layout *L)
{
	struct line l = { .n = 0 };
	addf(&l, "%-*s %-*s", L->name_w, "mechanism", L->size_w, "size");
	if (L->stacked) {
		addf(&l, "  %-*s", L->place_w, "cpu");
	} else {
		for (int p = 0; p < L->nplaces; p++)
			addf(&l, "  %-*s", group_width(L), L->place_names[L->places[p]]);
		line_emit(L, &l, NULL);
		l.n = 0;
		addf(&l, "%*s", label_width(L), "");
	}
	for (int p = 0; p < (L->stacked ? 1 : L->nplaces); p++) {
		addf(&l, " ");
		for (size_t i = 0; i < L->ncols; i++)
			addf(&l, " %*s", L->cols[i].width, L->cols[i].head);
	}
	line_emit(L, &l, NULL);
}

/* What both kinds of cell have. */
struct cell_info {
	bool good, available;
	const char *why;
	double spread;
	const void *cell;
};

static struct cell_info cell_info(const struct layout *L, const struct tcell *c)
{
	if (L->lat)
		return (struct cell_info){ .good = c->l.available && c->l.ok,
					   .available = c->l.available,
					   .why = c->l.why,
					   .spread = c->l.spread,
					   .cell = &c->l };
	return (struct cell_info){ .good = c->t.available && c->t.ok,
				   .available = c->t.available,
				   .why = c->t.why,
				   .spread = c->t.spread,
				   .cell = &c->t };
}

static void add_group(const struct layout *L, struct line *l, const struct tcell *c)
{
	struct cell_info ci = cell_info(L, c);
	addf(l, "  ");
	if (!ci.good) {
		addf(l, "%-*s", group_width(L), ci.available ? "failed" : "n/a");
		return;
	}
	for (size_t i = 0; i < L->ncols; i++) {
		char v[48];
		L->cols[i].show(v, sizeof(v), ci.cell);
		addf(l, "%s%*s", i ? " " : "", L->cols[i].width, v);
	}
	addf(l, "%c", ci.spread > SPREAD_WIDE ? '*' : ' ');
}

/* The client's CPU time per round trip of the cells, in a row that asks
 * for it. */
static void cpu_note(const struct layout *L, const struct tcell *cells, int from, int to, char *note, size_t len)
{
	for (int p = from; p < to; p++) {
		size_t k = strlen(note);
		if (L->stacked || to - from == 1)
			snprintf(note, len, "client CPU %.1f us a round trip", cells[p].l.cpu_us);
		else
			snprintf(note + k, len - k, "%s%s %.1f%s",
				 k ? ", " : "client CPU: ", L->place_names[L->places[p]], cells[p].l.cpu_us,
				 p + 1 == to ? " us a round trip" : "");
	}
}

/* The note of cells: the reason of the first one not measured, else what
 * a lossy row lost, or the client's CPU time. */
static void cells_note(const struct layout *L, const struct tcell *cells, int from, int to, char *note, size_t len)
{
	note[0] = '\0';
	for (int p = from; p < to; p++) {
		struct cell_info ci = cell_info(L, &cells[p]);
		if (!ci.good) {
			snprintf(note, len, "%s", ci.why[0] ? ci.why : "failed");
			return;
		}
	}
	if (L->lat && L->cpu_note)
		cpu_note(L, cells, from, to, note, len);
	if (L->lat || !L->lossy)
		return;
	for (int p = from; p < to; p++) {
		size_t k = strlen(note);
		if (L->stacked)
			snprintf(note, len, "lost: %.0f%%", cells[p].t.lost * 100);
		else
			snprintf(note + k, len - k, "%s%s %.0f%%", k ? ", " : "lost: ", L->place_names[L->places[p]],
				 cells[p].t.lost * 100);
	}
}

void table_line(const struct layout *L, const char *name, const char *sl, const struct tcell *cells, int n)
{
	struct line l = { .n = 0 };
	char note[300];
	if (!L->stacked) {
		if (n == 0)
			return;
		addf(&l, "%-*s %-*s", L->name_w, name, L->size_w, sl);
		for (int p = 0; p < n; p++)
			add_group(L, &l, &cells[p]);
		cells_note(L, cells, 0, n, note, sizeof(note));
		line_emit(L, &l, note);
		return;
	}
	for (int p = 0; p < n; p++) {
		l.n = 0;
		addf(&l, "%-*s %-*s  %-*s", L->name_w, name, L->size_w, sl, L->place_w, L->place_names[L->places[p]]);
		add_group(L, &l, &cells[p]);
		cells_note(L, cells, p, p + 1, note, sizeof(note));
		line_emit(L, &l, note);
	}
}

/* ---- JSON ---- */

/* The name of row r's floor ("bare unix"), or NULL. */
static const char *floor_name(const struct brow *r)
{
	size_t j = bench_row_of_word(r->floor);
	return j == BENCH_NO_FLOOR ? NULL : bench_row_name(j);
}

/* The fields every cell has; true when it was measured. */
static bool cell_head(struct out *o, const char *test, const struct brow *r, size_t size, const char *place,
		      bool available, bool ok, const char *why)
{
	const char *floor = floor_name(r);
	out_open(o);
	out_string(o, PRINT_JSON, "test", NULL, test);
	out_string(o, PRINT_JSON, "mechanism", NULL, r->name);
	if (floor)
		out_string(o, PRINT_JSON, "floor", NULL, floor);
	out_u64(o, PRINT_JSON, "size", NULL, size);
	out_string(o, PRINT_JSON, "cpu", NULL, place);
	out_bool(o, PRINT_JSON, "available", NULL, available && ok);
	out_bool(o, PRINT_JSON, "failed", NULL, available && !ok);
	if (available && ok)
		return true;
	out_string(o, PRINT_JSON, "why", NULL, why[0] ? why : "failed");
	out_close(o);
	return false;
}

void print_lcell_json(struct out *o, const struct brow *r, size_t size, const char *place, const struct lcell *c)
{
	if (!cell_head(o, "latency", r, size, place, c->available, c->ok, c->why))
		return;
	out_u64(o, PRINT_JSON, "round_trips", NULL, c->n);
	out_u64(o, PRINT_JSON, "runs", NULL, c->runs);
	out_double(o, PRINT_JSON, "median_us", NULL, c->med);
	out_double(o, PRINT_JSON, "p99_us", NULL, c->p99);
	out_double(o, PRINT_JSON, "min_us", NULL, c->min);
	out_double(o, PRINT_JSON, "spread", NULL, c->spread);
	out_double(o, PRINT_JSON, "client_cpu_us_per_round_trip", NULL, c->cpu_us);
	out_double(o, PRINT_JSON, "mean_us", NULL, c->mean);
	out_double(o, PRINT_JSON, "p50_us", NULL, c->med);
	out_double(o, PRINT_JSON, "p90_us", NULL, c->p90);
	out_double(o, PRINT_JSON, "p999_us", NULL, c->p999);
	out_double(o, PRINT_JSON, "max_us", NULL, c->max);
	out_u64(o, PRINT_JSON, "histogram_round_trips", NULL, c->hist.count);
	print_buckets(o, &c->hist);
	out_close(o);
}

void print_cell_json(struct out *o, const struct brow *r, size_t size, const char *place, const struct cell *c,
		     uint64_t batch)
{
	if (!cell_head(o, "throughput", r, size, place, c->available, c->ok, c->why))
		return;
	out_u64(o, PRINT_JSON, "messages", NULL, c->msgs);
	out_u64(o, PRINT_JSON, "runs", NULL, c->runs);
	out_double(o, PRINT_JSON, "messages_per_s", NULL, c->msgps);
	out_double(o, PRINT_JSON, "mb_per_s", NULL, c->mbps);
	out_double(o, PRINT_JSON, "spread", NULL, c->spread);
	out_double(o, PRINT_JSON, "sender_cpu_us_per_message", NULL, c->tx_us);
	out_double(o, PRINT_JSON, "receiver_cpu_us_per_message", NULL, c->rx_us);
	if (r->hooks->lossy)
		out_double(o, PRINT_JSON, "lost_fraction", NULL, c->lost);
	if (batch)
		out_u64(o, PRINT_JSON, "batch", NULL, batch);
	else
		out_null(o, "batch");
	if (isnan(c->per_write))
		out_null(o, "messages_per_write");
	else
		out_double(o, PRINT_JSON, "messages_per_write", NULL, c->per_write);
	if (isnan(c->per_read))
		out_null(o, "messages_per_read");
	else
		out_double(o, PRINT_JSON, "messages_per_read", NULL, c->per_read);
	out_close(o);
}
