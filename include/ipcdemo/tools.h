/* SPDX-License-Identifier: MIT */
/* The top-level commands ('ipcdemo ls', 'clean', 'bench'): their runners
 * and option lists, for the table in registry.c. */
#ifndef IPCDEMO_TOOLS_H
#define IPCDEMO_TOOLS_H

#include "ipcdemo/mechanism.h"

int ls_run(struct ctx *ctx);
int clean_run(struct ctx *ctx);
int bench_run(struct ctx *ctx);
extern const struct verb_opt ls_opts[];
extern const struct verb_opt clean_opts[];
extern const struct verb_opt bench_opts[];

#endif
