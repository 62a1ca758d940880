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
};

/* On stderr: text, or one JSON object with --json. vr may be NULL. */
void stats_print(const struct ctx *ctx, const struct run_stats *st, const struct verify_result *vr);
/* The verification line alone (printed with --verify even without --stats). */
void verify_print(const struct ctx *ctx, const struct verify_result *vr);

#endif
