/* SPDX-License-Identifier: MIT */
/* What every libFuzzer target here shares: its entry point and CHECK, an
 * assertion that stays on in every build and names the broken property. */
#ifndef IPCDEMO_FUZZ_H
#define IPCDEMO_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: %s does not hold\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#endif
