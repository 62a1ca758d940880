/* SPDX-License-Identifier: MIT */
/* The benchmark's text tables: the layout chosen for a width, lines that
 * fit it with the widest values, labels on every line, notes wrapped. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/bench/internal.h"

static const char *const names[] = { "both", "same", "split", "any" };
static const int two[] = { CPU_SAME, CPU_SPLIT };

/* The widest labels of the rows there are ("unix seqpacket", "64 KiB"). */
static struct layout layout_for(bool lat, int width)
{
	struct layout L = { .lat = lat,
			    .stacked = false,
			    .width = width,
			    .name_w = 14,
			    .size_w = 6,
			    .place_w = 0,
			    .cols = NULL,
			    .ncols = 0,
			    .places = two,
			    .nplaces = 2,
			    .place_names = names,
			    .lossy = !lat };
	layout_choose(&L);
	return L;
}

/* Cells with values as wide as they get in practice (round trips of up
 * to 10 ms). */
static void wide_cells(struct tcell c[2])
{
	memset(c, 0, 2 * sizeof(*c));
	for (int i = 0; i < 2; i++) {
		c[i].done = true;
		c[i].l = (struct lcell){ .available = true,
					 .ok = true,
					 .why = "",
					 .med = 9999.9,
					 .p99 = 9999.9,
					 .min = 9999.9,
					 .spread = 0.5,
					 .cpu_us = 1,
					 .n = 1,
					 .runs = 1 };
		c[i].t = (struct cell){ .available = true,
					.ok = true,
					.why = "",
					.msgs = 1,
					.mbps = 99999.9,
					.msgps = 99.99e6,
					.spread = 0.5,
					.tx_us = 999.99,
					.rx_us = 999.99,
					.lost = 0.99,
					.per_write = 9999.4,
					.per_read = 9999.4,
					.runs = 1 };
	}
}

/* Run f with standard output in a file; its text, malloc'd. */
static char *captured(void (*f)(const void *), const void *arg)
{
	fflush(stdout);
	FILE *tmp = tmpfile();
	cr_assert(tmp);
	int saved = dup(STDOUT_FILENO);
	cr_assert(saved >= 0);
	cr_assert(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	f(arg);
	fflush(stdout);
	cr_assert(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	long n = ftell(tmp);
	if (n < 0)
		n = lseek(fileno(tmp), 0, SEEK_END);
	char *s = calloc(1, (size_t)n + 1);
	cr_assert(s);
	cr_assert_eq(pread(fileno(tmp), s, (size_t)n, 0), n);
	fclose(tmp);
	return s;
}

struct print_arg {
	const struct layout *L;
	const struct tcell *cells;
	const char *name;
};

static void print_table(const void *arg)
{
	const struct print_arg *a = arg;
	table_header(a->L);
	table_line(a->L, a->name, "64 KiB", a->cells, 2);
}

/* Every line at most width columns, and every line after the header with
 * a label or a note's indent. */
static void check_lines(const char *text, int width, const char *name)
{
	int lines = 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		cr_assert_leq((int)n, width, "line of %zu columns at %d: %.*s", n, width, (int)n, p);
		cr_assert(n == 0 || p[n - 1] != ' ', "trailing blank: %.*s", (int)n, p);
		if (lines >= 2 && strncmp(p, "mechanism", 9) != 0)
			cr_assert(strncmp(p, name, strlen(name)) == 0 || p[0] == ' ', "no label: %.*s", (int)n, p);
		lines++;
		p += n + (p[n] == '\n');
	}
}

Test(bench_table, layouts_for_the_width)
{
	struct layout l80 = layout_for(true, 80), t80 = layout_for(false, 80);
	struct layout l120 = layout_for(true, 120), t120 = layout_for(false, 120);
	cr_assert(l80.stacked, "round trips a line per placement at 80 columns");
	cr_assert_not(l120.stacked, "round trips side by side at 120 columns");
	cr_assert(t80.stacked, "throughput a line per placement at 80 columns");
	cr_assert_not(t120.stacked, "throughput side by side at 120 columns");
	/* One placement: always on the line. */
	struct layout one = layout_for(false, 40);
	one.nplaces = 1;
	layout_choose(&one);
	cr_assert_not(one.stacked);
}

Test(bench_table, every_line_fits_from_80_columns)
{
	struct tcell cells[2];
	wide_cells(cells);
	for (int width = 80; width <= 200; width++) {
		for (int lat = 0; lat < 2; lat++) {
			struct layout L = layout_for(lat, width);
			struct print_arg a = { .L = &L, .cells = cells, .name = "unix seqpacket" };
			char *text = captured(print_table, &a);
			check_lines(text, width, "unix seqpacket");
			free(text);
		}
	}
}

Test(bench_table, notes_that_do_not_fit_go_below)
{
	struct tcell cells[2];
	wide_cells(cells);
	for (int i = 0; i < 2; i++) {
		cells[i].t.available = false;
		snprintf(cells[i].t.why, sizeof(cells[i].t.why), "%s",
			 "a reason long enough to need a line of its own and more, wrapped at the width of the table");
	}
	struct layout L = layout_for(false, 80);
	struct print_arg a = { .L = &L, .cells = cells, .name = "unix seqpacket" };
	char *text = captured(print_table, &a);
	check_lines(text, 80, "unix seqpacket");
	cr_assert(strstr(text, "unix seqpacket 64 KiB  same   n/a\n"), "%s", text);
	cr_assert(strstr(text, "(a reason long enough"), "%s", text);
	free(text);
}

/* A row whose waits may spin (shm spin): the client's CPU time per round
 * trip in its note, on every layout, within the width. */
Test(bench_table, cpu_note_fits)
{
	struct tcell cells[2];
	wide_cells(cells);
	cells[0].l.cpu_us = 9999.9;
	cells[1].l.cpu_us = 0.5;
	for (int width = 80; width <= 200; width++) {
		struct layout L = layout_for(true, width);
		L.cpu_note = true;
		struct print_arg a = { .L = &L, .cells = cells, .name = "unix seqpacket" };
		char *text = captured(print_table, &a);
		check_lines(text, width, "unix seqpacket");
		if (L.stacked) {
			cr_assert(strstr(text, "(client CPU 9999.9 us a round trip)"), "%s", text);
			cr_assert(strstr(text, "(client CPU 0.5 us a round trip)"), "%s", text);
		} else {
			cr_assert(strstr(text, "(client CPU: same 9999.9, split 0.5 us a round trip)"), "%s", text);
		}
		free(text);
	}
}

static void print_wrapped(const void *arg)
{
	wrap_print(stdout, arg, 0, 2, 20);
}

Test(bench_table, wrap_print)
{
	char *text =
		captured(print_wrapped, "one two three four five six seven\nnew line, and a_word_longer_than_twenty");
	cr_assert_str_eq(text, "one two three four\n  five six seven\n  new line, and\n  a_word_longer_than_twenty\n");
	free(text);
}

Test(bench_table, term_width_from_columns)
{
	setenv("COLUMNS", "123", 1);
	cr_assert_eq(term_width(-1), 123);
	setenv("COLUMNS", "wide", 1);
	cr_assert_eq(term_width(-1), 80);
	unsetenv("COLUMNS");
	cr_assert_eq(term_width(-1), 80);
}

/* Messages per call: writes / reads, "-" where not known, 4 columns each
 * from one tenth up to millions. */
Test(bench_table, messages_per_call)
{
	static const struct {
		double w, r;
		const char *want;
	} cases[] = {
		{ .w = 1, .r = 1, .want = "1.0/1.0" },
		{ .w = 1024, .r = 0.5, .want = "1024/0.5" },
		{ .w = 9999.4, .r = 9999.6, .want = "9999/10k" },
		{ .w = 999.4e3, .r = 2.4e6, .want = "999k/2M" },
		{ .w = NAN, .r = NAN, .want = "-/-" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct tcell cells[2];
		wide_cells(cells);
		cells[0].t.per_write = cases[k].w;
		cells[0].t.per_read = cases[k].r;
		struct layout L = layout_for(false, 80);
		struct print_arg a = { .L = &L, .cells = cells, .name = "pipe" };
		char *text = captured(print_table, &a);
		check_lines(text, 80, "pipe");
		char want[64];
		snprintf(want, sizeof(want), " %s*\n", cases[k].want);
		cr_assert(strstr(text, want), "want '%s' in:\n%s", cases[k].want, text);
		free(text);
	}
}
