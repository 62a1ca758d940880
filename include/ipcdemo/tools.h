/* SPDX-License-Identifier: MIT */
/* The top-level commands ('ipcdemo ls', 'clean', 'bench', 'list'): their
 * runners, option lists and completion hooks, for the table in dispatch.c. */
#ifndef IPCDEMO_TOOLS_H
#define IPCDEMO_TOOLS_H

#include "ipcdemo/mechanism.h"

int ls_run(struct ctx *ctx);
int clean_run(struct ctx *ctx);
int bench_run(struct ctx *ctx);
int list_run(struct ctx *ctx);
extern const struct verb_opt ls_opts[];
extern const struct verb_opt clean_opts[];
extern const struct verb_opt bench_opts[];
extern const struct verb_opt list_opts[];
/* bench's arguments: its rows and the words for groups. */
void bench_complete(const struct verb *v, const char *cur);

#endif
