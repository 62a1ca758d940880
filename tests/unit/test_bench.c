/* SPDX-License-Identifier: MIT */
/* The benchmark's size list and the per-mechanism limits. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ipcdemo/bench.h"
#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/mechanism.h"

Test(bench, size_lists)
{
	size_t v[16];
	int n;
	char why[128];
	cr_assert_eq(bench_parse_sizes("64,4k,64k", v, 16, &n, why, sizeof(why)), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[0], 64);
	cr_assert_eq(v[1], 4096);
	cr_assert_eq(v[2], 65536);
	cr_assert_eq(bench_parse_sizes("1M", v, 16, &n, why, sizeof(why)), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(v[0], (size_t)1 << 20);
	cr_assert_eq(bench_parse_sizes("16M", v, 16, &n, why, sizeof(why)), 0);
}

Test(bench, bad_size_lists_say_why)
{
	size_t v[2];
	int n;
	char why[128];
	cr_assert_eq(bench_parse_sizes("64,abc", v, 2, &n, why, sizeof(why)), -1);
	cr_assert(strstr(why, "'abc'"), "%s", why);
	cr_assert_eq(bench_parse_sizes("", v, 2, &n, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "no size");
	cr_assert_eq(bench_parse_sizes(",,", v, 2, &n, why, sizeof(why)), -1);
	cr_assert_eq(bench_parse_sizes("8", v, 2, &n, why, sizeof(why)), -1);
	cr_assert(strstr(why, "from 16 bytes"), "%s", why);
	cr_assert_eq(bench_parse_sizes("64,,4k", v, 2, &n, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "an empty size in the list");
	cr_assert_eq(bench_parse_sizes("17M", v, 2, &n, why, sizeof(why)), -1);
	cr_assert_eq(bench_parse_sizes("16,32,64", v, 2, &n, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "at most 2 sizes");
}

/* A limit is never made up: UDP's is fixed, the queues' come from the
 * system, the streams and the ring have none. */
Test(bench, limits)
{
	char why[128];
	cr_assert_eq(bench_limit("udp", why, sizeof(why)), 65507);
	cr_assert(strstr(why, "65507"));
	cr_assert_eq(bench_limit("pipe", why, sizeof(why)), (size_t)1 << 20);
	cr_assert(strstr(why, "1 MiB"));
	cr_assert_eq(bench_limit("unix stream", why, sizeof(why)), (size_t)1 << 20);
	cr_assert_eq(bench_limit("shm", why, sizeof(why)), 0);
	cr_assert_str_eq(why, "");
	long long msgmax = -1;
	FILE *fp = fopen("/proc/sys/kernel/msgmax", "r");
	if (fp) {
		if (fscanf(fp, "%lld", &msgmax) != 1)
			msgmax = -1;
		fclose(fp);
	}
	if (msgmax > 0) {
		cr_assert_eq(bench_limit("sysv", why, sizeof(why)), (size_t)msgmax);
		char want[64];
		snprintf(want, sizeof(want), "msgmax %lld", msgmax);
		cr_assert_str_eq(why, want);
	}
	long long mq = -1;
	fp = fopen("/proc/sys/fs/mqueue/msgsize_max", "r");
	if (fp) {
		if (fscanf(fp, "%lld", &mq) != 1)
			mq = -1;
		fclose(fp);
	}
	if (mq > 0)
		cr_assert_eq(bench_limit("mq", why, sizeof(why)), (size_t)mq);
}

Test(bench, rows_and_groups)
{
	size_t n = 0;
	bool has_unix_dgram = false;
	for (; bench_row_name(n); n++) {
		cr_assert_not_null(bench_row_group(n));
		if (strcmp(bench_row_name(n), "unix dgram") == 0) {
			has_unix_dgram = true;
			cr_assert_str_eq(bench_row_group(n), "unix");
		}
	}
	/* pipe fifo unix x3 socketpair tcp udp mq sysv shm file, bare pipe, dd | dd */
	cr_assert_eq(n, 14);
	cr_assert_str_eq(bench_row_name(n - 2), "bare pipe");
	cr_assert_str_eq(bench_row_group(n - 2), "bare");
	cr_assert_str_eq(bench_row_name(n - 1), "dd | dd");
	cr_assert_str_eq(bench_row_group(n - 1), "dd");
	cr_assert(has_unix_dgram);
	cr_assert_null(bench_row_group(n));
}

/* The rows come from the mechanisms' hooks, in the tables' order, with
 * the words that select one row alone. */
Test(bench, row_order_and_words)
{
	static const char *const names[] = { "pipe",       "fifo", "unix stream", "unix dgram", "unix seqpacket",
					     "socketpair", "tcp",  "udp",         "mq",         "sysv",
					     "shm",        "file", "bare pipe",   "dd | dd" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_str_eq(bench_row_name(i), names[i], "row %zu", i);
	cr_assert_str_eq(bench_row_word(2), "unix-stream");
	cr_assert_str_eq(bench_row_word(4), "unix-seqpacket");
	cr_assert_null(bench_row_word(0));
	cr_assert_str_eq(bench_row_group(5), "socketpair");
	char why[128];
	cr_assert(bench_limit("unix dgram", why, sizeof(why)) > 0);
	cr_assert(strstr(why, "wmem_default"));
	cr_assert_eq(bench_limit("bare pipe", why, sizeof(why)), 0);
	cr_assert_eq(bench_limit("no such", why, sizeof(why)), 0);
	cr_assert_str_eq(why, "no such row");
}

/* Every mechanism is benchmarked, or says why not. */
Test(bench, every_mechanism_has_hooks_or_a_reason)
{
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mechanism *m = mechanisms[i];
		if (!m->bench) {
			cr_assert(m->not_benchmarked && *m->not_benchmarked, "%s: no bench hooks and no reason",
				  m->name);
			continue;
		}
		cr_assert_not_null(m->bench->rows, "%s", m->name);
		cr_assert_not_null(m->bench->rows[0].name, "%s", m->name);
		cr_assert_not_null(m->bench->chan_open, "%s", m->name);
		cr_assert_not_null(m->bench->run_setup, "%s", m->name);
	}
}
