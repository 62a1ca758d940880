/* SPDX-License-Identifier: MIT */
/* The mechanism and verb tables: the single source of truth for dispatch,
 * --help, 'ipcdemo list', the completions and the tests. */
#ifndef IPCDEMO_MECHANISM_H
#define IPCDEMO_MECHANISM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ipcdemo/cli.h"
#include "ipcdemo/color.h"

struct ctx;

/* The calls of a hot loop that --explain counts instead of narrating
 * (explain.h), one per kernel call name. */
struct explain_tally {
	const char *call; /* "write", NULL: unused */
	const char *lib;  /* the library of a library call ("libzmq"), NULL: a system call */
	uint64_t n, failed;
	uint64_t again;  /* found nothing to do yet (EAGAIN): not counted in failed */
	size_t min, max; /* bytes a call moved */
};

/* --explain's state (explain.h), set up by the dispatcher. */
struct explain {
	bool on;
	bool json;        /* one JSON object per call (--json) */
	bool color;       /* stderr is coloured */
	uint64_t level;   /* N: the messages whose calls are narrated in full */
	uint64_t msgs;    /* messages the narrated calls of the hot loop carried */
	bool hold;        /* narrate in full whatever msgs says (explain_hold) */
	uint64_t idle;    /* loop calls narrated since a message last moved */
	const char *side; /* "parent", "child", NULL: none */
	/* The call between explain_begin and explain_end. */
	const char *blocks;
	const char *lib; /* the library of a library call, NULL: a system call */
	char call[24];
	char args[320];
	char why[160]; /* a wait's meaning, from its begin to its end */
	struct explain_tally tally[8];
};
/* The benchmark's hooks of a mechanism (include/ipcdemo/bench_hooks.h). */
struct mech_bench;
/* The 'ls' and 'clean' hooks of a mechanism (include/ipcdemo/obj_hooks.h). */
struct mech_objects;

struct verb {
	const char *name;
	const char *summary;         /* one line, for lists */
	const char *usage;           /* arguments after the verb, e.g. "[options] [MESSAGE...]" */
	const char *description;     /* a paragraph for --help */
	const struct verb_opt *opts; /* ends with OPT_LIST_END */
	int min_args, max_args;      /* positional arguments; max -1: unlimited */
	int (*run)(struct ctx *ctx);
	/* Completes the positional argument being typed (cur) by printing
	 * candidates as the completer does; NULL: nothing to offer. */
	void (*complete)(const struct verb *v, const char *cur);
	/* Prints, for --help, what its positional arguments may be when the
	 * description cannot say it (a list that comes from the registry);
	 * NULL: nothing more. */
	void (*help_args)(FILE *fp, const struct verb *v);
	/* A top-level command's own options (a mechanism's verbs use the
	 * mechanism's); NULL: none. */
	const struct opt_scope *opt_scope;
};

struct mechanism {
	const char *name;
	const char *summary;
	const char *description;
	const struct verb *verbs; /* terminated by an entry with name NULL */
	/* ---- options (cli.h) ---- */
	/* The mechanism's own options: their definitions, the struct they
	 * fill (ctx->mopt) and its defaults; NULL: only common options. */
	const struct opt_scope *opt_scope;
	/* ---- bench ---- */
	const struct mech_bench *bench; /* NULL: not benchmarked, see below */
	const char *not_benchmarked;    /* why, when bench is NULL */
	/* ---- ls and clean ---- */
	const struct mech_objects *objects; /* NULL: no named objects */
	/* ---- --explain ---- */
	/* Its calls are narrated (explain.h); false: --explain says that they
	 * are not yet, and narrates only what the shared layers do. */
	bool explains;
};

/* What a verb handler gets: its name for diagnostics, parsed options and
 * positional arguments. */
struct ctx {
	const char *prog; /* "ipcdemo fifo produce" */
	const struct mechanism *mech;
	const struct verb *verb;
	struct opts opt;
	/* The options struct of the mechanism (or top-level command) being
	 * run, filled from its opt_scope; NULL when it has none. Read it with
	 * ctx_mopt. */
	void *mopt;
	int argc;
	char **argv;
	int out_errno;    /* first error writing stdout (EPIPE: reader gone), 0: none */
	int64_t start_ns; /* when the command started (now_mono_ns), 0: not recorded */
	int result_fd;    /* where to write a struct run_result (stats.h), 0: nowhere */
	/* --color as the dispatcher set it; color_on(ctx->color, fd) says
	 * whether to colour what goes to fd. */
	enum color_mode color;
	/* The kinds of wait said on stderr (wait.h), a bit each. */
	unsigned waits_said;
	/* --explain (explain.h). */
	struct explain explain;
};

/* Record a stdout error (the first one counts). */
static inline void ctx_stdout_error(struct ctx *ctx, int err)
{
	if (err && !ctx->out_errno)
		ctx->out_errno = err;
}

/* The local options of the mechanism being run, for its own code and its
 * family's (sock.c, queue.c), or dflt when ctx runs a top-level command
 * (bench, ls) that calls into a mechanism's code. */
static inline const void *ctx_mopt(const struct ctx *ctx, const void *dflt)
{
	return ctx->mech && ctx->mopt ? ctx->mopt : dflt;
}

/* Room for the local options of a verb, made by the dispatcher. */
struct opt_store {
	union {
		max_align_t align;
		unsigned char bytes[OPT_LOCAL_MAX];
	} u;
};

/* Set the defaults of ctx's options (ctx->mech and ctx->verb set), with
 * the local ones in store, and parse argv as cli_parse does. */
int ctx_parse_options(struct ctx *ctx, struct opt_store *store, int argc, char **argv, int *first_arg);

/* NULL-terminated table of all mechanisms (registry.c). */
extern const struct mechanism *const mechanisms[];

const struct mechanism *mechanism_find(const char *name);
const struct verb *verb_find(const struct mechanism *m, const char *name);

/* A verb whose name starts with "__" is internal (the completer's
 * '__complete'): it runs, but is never listed, completed or suggested. */
static inline bool verb_hidden(const struct verb *v)
{
	return v->name[0] == '_' && v->name[1] == '_';
}

#endif
