/* SPDX-License-Identifier: MIT */
/* The end-of-run summary shared by producers and consumers. */
#ifndef IPCDEMO_STATS_H
#define IPCDEMO_STATS_H

#include <stdint.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/message.h"

struct run_stats {
	const char *verb; /* "sent" or "received" */
	uint64_t msgs, bytes;
	int64_t elapsed_ns;
	/* CLOCK_MONOTONIC times of the first and the last message received
	 * (0: none), for the benchmark, which times at the receiver. */
	int64_t first_ns, last_ns;
	/* Messages cut to the receive buffer (shown when there were any). */
	uint64_t truncated;
	/* The system calls that moved them: a producer's writes, a
	 * consumer's reads that brought data (0: none made). */
	uint64_t calls;
	/* A consumer of a shared channel: its share (NULL: not shared). */
	const struct verify_result *share;
};

/* What a producer or a consumer hands the program that ran it ('ipcdemo
 * bench'), machine-readable, on the descriptor ctx->result_fd: one write
 * of this struct at the end, where the --stats summary is printed. */
struct run_result {
	uint64_t msgs, bytes;
	int64_t elapsed_ns;        /* from the command's start */
	int64_t first_ns, last_ns; /* CLOCK_MONOTONIC, of the messages received (0: none) */
	double cpu_s;              /* user + system time of the process so far */
	uint64_t calls;            /* writes of a producer, reads of a consumer (run_stats) */
};
/* The environment variable that names the descriptor. */
#define RUN_RESULT_ENV "IPCDEMO_RESULT_FD"
/* The descriptor named by RUN_RESULT_ENV, 0 when unset or not one (0, 1
 * and 2 are never one). Read once, when a verb is dispatched. */
int run_result_fd(void);
/* Write the result when ctx->result_fd is set; a failure is ignored (the
 * parent sees no result and says the run failed). */
void run_result_write(const struct ctx *ctx, const struct run_stats *st);

/* On stderr: text, or one JSON object with --json. vr may be NULL. */
void stats_print(const struct ctx *ctx, const struct run_stats *st, const struct verify_result *vr);
/* The verification line alone (printed with --verify even without --stats),
 * and the share line of a shared channel (share may be NULL). */
void verify_print(const struct ctx *ctx, const struct verify_result *vr, const struct verify_result *share);

#endif
