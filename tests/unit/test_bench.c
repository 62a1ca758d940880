/* SPDX-License-Identifier: MIT */
/* The benchmark's size list and the per-mechanism limits. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
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

/* The index of the row named name, or SIZE_MAX. */
static size_t row_index(const char *name)
{
	for (size_t i = 0; bench_row_name(i); i++)
		if (strcmp(bench_row_name(i), name) == 0)
			return i;
	return SIZE_MAX;
}

Test(bench, rows_and_groups)
{
	/* the references: bare pipe, fifo, unix, tcp, dgram, udp, mq, sysv, and dd | dd */
	static const char *const refs[] = { "bare pipe",  "bare fifo", "bare unix", "bare tcp",
					    "bare dgram", "bare udp",  "bare mq",   "bare sysv" };
	const size_t nref = sizeof(refs) / sizeof(refs[0]);
	size_t n = 0, want = nref + 1;
	for (size_t i = 0; mechanisms[i]; i++)
		if (mechanisms[i]->bench)
			for (const struct bench_row *r = mechanisms[i]->bench->rows; r->name; r++)
				want++;
	for (; bench_row_name(n); n++)
		cr_assert_not_null(bench_row_group(n));
	cr_assert_eq(n, want, "every mechanism's rows and the eight references");
	size_t ud = row_index("unix dgram");
	cr_assert_neq(ud, SIZE_MAX);
	cr_assert_str_eq(bench_row_group(ud), "unix");
	for (size_t i = 0; i < nref; i++) {
		cr_assert_str_eq(bench_row_name(n - 1 - nref + i), refs[i]);
		cr_assert_str_eq(bench_row_group(n - 1 - nref + i), "bare");
	}
	cr_assert_str_eq(bench_row_name(n - 1), "dd | dd");
	cr_assert_str_eq(bench_row_group(n - 1), "dd");
	cr_assert_null(bench_row_group(n));
}

/* The rows come from the mechanisms' hooks, in the tables' order (these
 * in this order; a mechanism added later takes the place its order
 * gives), with the words that select one row alone. */
Test(bench, row_order_and_words)
{
	static const char *const names[] = { "pipe",       "fifo",       "unix stream", "unix dgram", "unix seqpacket",
					     "socketpair", "tcp",        "udp",         "mq",         "sysv",
					     "shm",        "file",       "bare pipe",   "bare fifo",  "bare unix",
					     "bare tcp",   "bare dgram", "bare udp",    "bare mq",    "bare sysv",
					     "dd | dd" };
	size_t prev = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t at = row_index(names[i]);
		cr_assert_neq(at, SIZE_MAX, "row %s", names[i]);
		cr_assert(i == 0 || at > prev, "row %s after %s", names[i], names[i - 1]);
		prev = at;
	}
	cr_assert_str_eq(bench_row_word(row_index("unix stream")), "unix-stream");
	cr_assert_str_eq(bench_row_word(row_index("unix seqpacket")), "unix-seqpacket");
	cr_assert_null(bench_row_word(row_index("pipe")));
	cr_assert_str_eq(bench_row_group(row_index("socketpair")), "socketpair");
	char why[128];
	cr_assert(bench_limit("unix dgram", why, sizeof(why)) > 0);
	cr_assert(strstr(why, "wmem_default"));
	cr_assert_eq(bench_limit("bare pipe", why, sizeof(why)), 0);
	cr_assert_eq(bench_limit("bare tcp", why, sizeof(why)), 0);
	cr_assert_str_eq(bench_row_word(row_index("bare pipe")), "bare-pipe");
	cr_assert_str_eq(bench_row_word(row_index("bare unix")), "bare-unix");
	cr_assert_str_eq(bench_row_word(row_index("bare tcp")), "bare-tcp");
	cr_assert_str_eq(bench_row_word(row_index("bare dgram")), "bare-dgram");
	cr_assert_str_eq(bench_row_word(row_index("bare udp")), "bare-udp");
	cr_assert_str_eq(bench_row_word(row_index("bare mq")), "bare-mq");
	cr_assert_str_eq(bench_row_word(row_index("bare sysv")), "bare-sysv");
	/* A floor has the limit of the row it is the floor of. */
	static const char *const floors[][2] = { { "bare dgram", "unix dgram" },
						 { "bare udp", "udp" },
						 { "bare mq", "mq" },
						 { "bare sysv", "sysv" } };
	for (size_t i = 0; i < sizeof(floors) / sizeof(floors[0]); i++) {
		char w2[128];
		size_t a = bench_limit(floors[i][0], why, sizeof(why)), b = bench_limit(floors[i][1], w2, sizeof(w2));
		cr_assert(a > 0 && a == b, "%s: limit %zu, %s's %zu", floors[i][0], a, floors[i][1], b);
		cr_assert_str_eq(why, w2);
	}
	cr_assert_null(bench_row_word(row_index("dd | dd")));
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

/* zmq: two rows after the kernel's mechanisms in a build on libzmq, no
 * limit on their messages; in a build without it, no rows and the reason. */
Test(bench, zmq_rows_or_the_reason)
{
	const struct mechanism *m = mechanism_find("zmq");
	cr_assert_not_null(m);
#ifdef IPCDEMO_HAVE_ZMQ
	char why[128];
	size_t t = row_index("zmq tcp"), i = row_index("zmq ipc");
	cr_assert_neq(t, SIZE_MAX);
	cr_assert_eq(i, t + 1);
	cr_assert(row_index("file") < t);
	cr_assert_str_eq(bench_row_name(i + 1), "bare pipe");
	cr_assert_str_eq(bench_row_group(t), "zmq");
	cr_assert_str_eq(bench_row_word(t), "zmq-tcp");
	cr_assert_str_eq(bench_row_word(i), "zmq-ipc");
	cr_assert_eq(bench_limit("zmq ipc", why, sizeof(why)), 0);
	cr_assert_not(m->bench->lossy);
#else
	cr_assert_null(m->bench);
	cr_assert_str_eq(m->not_benchmarked, "this build has no ZeroMQ");
	cr_assert_eq(row_index("zmq tcp"), SIZE_MAX);
#endif
}

/* A pass runs the same cell of a row, of the other rows with its floor
 * and of the floor one after the other; rows without a floor keep their
 * place, and every cell runs once. Rows: 0 pipe (floor 3), 1 unix stream
 * (floor 4), 2 socketpair (floor 4), 3 bare pipe, 4 bare unix, 5 shm (no
 * floor); sizes 64 and 4096, placements same (0) and split (1), listed
 * row by row as the table has them. */
Test(bench, pass_order_pairs_rows_with_their_floor)
{
	enum { ROWS = 6, CELLS = ROWS * 4 };
	const size_t floors[ROWS] = { 3, 4, 4, BENCH_NO_FLOOR, BENCH_NO_FLOOR, BENCH_NO_FLOOR };
	size_t row[CELLS], floor[CELLS], size[CELLS], order[CELLS];
	int place[CELLS];
	for (size_t i = 0; i < CELLS; i++) {
		row[i] = i / 4;
		floor[i] = floors[row[i]];
		size[i] = i % 4 < 2 ? 64 : 4096;
		place[i] = (int)(i % 2);
	}
	bench_pass_order(row, floor, size, place, CELLS, order);
	/* pipe 64 same, bare pipe 64 same, pipe 64 split, bare pipe 64 split... */
	const size_t want[CELLS] = { 0, 12, 1, 13, 2,  14, 3,  15, 4,  8,  16, 5,
				     9, 17, 6, 10, 18, 7,  11, 19, 20, 21, 22, 23 };
	for (size_t i = 0; i < CELLS; i++)
		cr_expect_eq(order[i], want[i], "order[%zu] = %zu, want %zu", i, order[i], want[i]);
	bool seen[CELLS] = { false };
	for (size_t i = 0; i < CELLS; i++) {
		cr_assert_lt(order[i], (size_t)CELLS);
		cr_expect(!seen[order[i]], "cell %zu twice", order[i]);
		seen[order[i]] = true;
	}
}

Test(bench, pass_order_without_floors_is_the_table_order)
{
	size_t row[3] = { 0, 1, 2 }, floor[3] = { BENCH_NO_FLOOR, BENCH_NO_FLOOR, BENCH_NO_FLOOR };
	size_t size[3] = { 64, 64, 64 }, order[3];
	int place[3] = { 0, 0, 0 };
	bench_pass_order(row, floor, size, place, 3, order);
	for (size_t i = 0; i < 3; i++)
		cr_expect_eq(order[i], i);
}

Test(bench, the_rows_name_their_floor)
{
	for (size_t i = 0; bench_row_name(i); i++) {
		const char *f = bench_row_floor(i);
		if (!f)
			continue;
		bool found = false;
		for (size_t j = 0; bench_row_name(j); j++)
			found = found ||
				(bench_row_word(j) && strcmp(bench_row_word(j), f) == 0 && !bench_row_floor(j));
		cr_expect(found, "%s: its floor %s is a row without a floor of its own", bench_row_name(i), f);
	}
	for (size_t i = 0; bench_row_name(i); i++)
		if (strcmp(bench_row_name(i), "socketpair") == 0)
			cr_expect_str_eq(bench_row_floor(i), "bare-unix");
}
