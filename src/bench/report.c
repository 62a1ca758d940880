/* SPDX-License-Identifier: MIT */
/* The benchmark's tables, in text, and its cells as JSON objects. */
#include <stdio.h>

#include "internal.h"
#include "ipcdemo/hist.h"
#include "ipcdemo/output.h"
#include "ipcdemo/util.h"

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

void print_cell_text(const struct cell *c)
{
	char rate[24], cpu[32];
	if (!c->available) {
		printf("  %-33s", "n/a");
		return;
	}
	if (!c->ok) {
		printf("  %-33s", "failed");
		return;
	}
	fmt_rate(rate, sizeof(rate), c->msgps);
	snprintf(cpu, sizeof(cpu), "%.2f/%.2f", c->tx_us, c->rx_us);
	printf("  %9.1f %8s %13s%c", c->mbps, rate, cpu, c->spread > SPREAD_WIDE ? '*' : ' ');
}

/* Microseconds in at most 7 columns: one decimal below 100 ms. */
static void fmt_us(char *buf, size_t len, double us)
{
	snprintf(buf, len, us < 99999.95 ? "%.1f" : "%.0f", us);
}

void print_lcell_text(const struct lcell *c)
{
	if (!c->available || !c->ok) {
		printf("  %-49s", c->available ? "failed" : "n/a");
		return;
	}
	const double v[] = { c->mean, c->med, c->p90, c->p99, c->p999, c->max };
	printf(" ");
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		char b[24];
		fmt_us(b, sizeof(b), v[i]);
		printf(" %7s", b);
	}
	printf("%c  ", c->spread > SPREAD_WIDE ? '*' : ' ');
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

/* The fields every cell has; true when it was measured. */
static bool cell_head(struct out *o, const char *test, const struct brow *r, size_t size, const char *place,
		      bool available, bool ok, const char *why)
{
	out_open(o);
	out_string(o, PRINT_JSON, "test", NULL, test);
	out_string(o, PRINT_JSON, "mechanism", NULL, r->name);
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

void print_cell_json(struct out *o, const struct brow *r, size_t size, const char *place, const struct cell *c)
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
	out_close(o);
}

void table_header(const char *const *place_names, const int *places, int nplaces, bool lat)
{
	printf("%-15s %-7s", "mechanism", "size");
	for (int p = 0; p < nplaces; p++)
		printf(lat ? "  %-49s" : "  %-33s", place_names[places[p]]);
	printf("\n%-15s %-7s", "", "");
	for (int p = 0; p < nplaces; p++) {
		if (lat)
			printf("  %7s %7s %7s %7s %7s %7s   ", "mean", "p50", "p90", "p99", "p99.9", "max");
		else
			printf("  %9s %8s %13s ", "MB/s", "msg/s", "CPU us");
	}
	printf("\n");
}
