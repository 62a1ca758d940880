/* SPDX-License-Identifier: MIT */
/* The one option parser: declarative option tables on top of getopt_long,
 * with typed, strictly validated values. The same tables drive --help and
 * the shell completions.
 *
 * Options come from two places, the git parse-options way: the few common
 * options in one shared catalogue (struct opts, enum opt_id), and each
 * mechanism's own (or a family's, or a top-level command's) definitions,
 * which write into the options struct of their owner (ctx->mopt). A verb
 * lists, in the order its --help shows them, the options it takes. */
#ifndef IPCDEMO_CLI_H
#define IPCDEMO_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipcdemo/parse.h"

enum opt_type {
	OPT_FLAG,     /* no argument */
	OPT_COUNT,    /* whole number, decimal digits only */
	OPT_SIZE,     /* bytes, with optional k/M/G (powers of 1024) suffix */
	OPT_DURATION, /* number with unit: ns us ms s m h (bare number: seconds) */
	OPT_MODE,     /* octal permission bits, at most 07777 */
	OPT_PATH,     /* non-empty filesystem path */
	OPT_STRING,   /* any non-empty string */
	OPT_CHOICE,   /* one word of a fixed list */
	OPT_INTEGER,  /* whole number, may be negative (a System V message type) */
	OPT_LIST,     /* repeatable non-empty string: every value, in order (struct opt_list) */
	OPT_LEVEL,    /* --name or --name=N: a whole number that may be left out (uint64_t; dflt) */
};

/* The common options: those that mean the same thing to most mechanisms,
 * or that the shared code (produce.c, consume.c, demo.c, stats.c, the
 * sinks) reads whatever the mechanism. Everything else is a mechanism's,
 * a family's (sock.h, queue.h) or a top-level command's own. */
enum opt_id {
	OP_END = 0,
	OP_HELP,
	OP_PATH, /* the filesystem object (FIFO, file, socket, ftok file); demo.c reads it */
	OP_MODE, /* permissions of what we create: six mechanisms */
	OP_COUNT,
	OP_EVERY,
	OP_BATCHES,
	OP_SOURCE,
	OP_SEQ,
	OP_ID,
	OP_SIZE, /* bytes: message padding or a receive buffer; never anything else */
	OP_QUIET,
	OP_VERIFY,
	OP_JSON,
	OP_STATS,
	OP_TIMEOUT,
	OP_LABEL, /* read by the shared producer and consumer */
	OP_BATCH, /* messages per system call: the shared producer and the stream consumers */
	/* --explain[=N]: every verb of every mechanism takes it without listing
	 * it, as --help (explain.h); the dispatcher sets up ctx->explain. */
	OP_EXPLAIN,
	OP__MAX
};

enum source_kind { SRC_UUID, SRC_STDIN, SRC_ARGS, SRC_COUNTER };

/* Parsed values of the common options. given[id] tells whether the user
 * set it. */
struct opts {
	bool given[OP__MAX];
	const char *path;
	mode_t mode;
	uint64_t count;
	int64_t every; /* ns */
	uint64_t batches;
	int source; /* enum source_kind */
	bool seq;
	uint64_t id;
	uint64_t size;
	bool quiet;
	bool verify;
	bool json;
	bool stats;
	int64_t timeout; /* ns */
	const char *label;
	uint64_t batch;   /* 0: as many as fit */
	uint64_t explain; /* --explain's N, 0: off */
};

/* The values of a repeatable option (OPT_LIST), in the order given: at
 * most OPT_LIST_MAX, or the option's max when that is lower (max 1: an
 * option that may be given once only, a second time is a usage error). */
#define OPT_LIST_MAX 16
struct opt_list {
	size_t n;
	const char *v[OPT_LIST_MAX];
};

/* A prefix a value may start with, offered by the completions (an
 * endpoint's scheme, "tcp://"); path: a file name follows it, and the
 * completions go on with the files after it ("ipc://PATH"). */
struct opt_prefix {
	const char *text;
	bool path;
};

/* One option. Its value goes at offset in the struct it belongs to: struct
 * opts for the common catalogue, the owner's options struct (ctx->mopt)
 * for a local one. The type of the field follows the option's type:
 * bool (FLAG), uint64_t (COUNT, SIZE), int64_t (DURATION, INTEGER), mode_t
 * (MODE), const char * (PATH, STRING), int (CHOICE: the index of the word),
 * struct opt_list (LIST). */
struct opt_def {
	const char *name; /* long name */
	int short_name;   /* 0 when none */
	enum opt_type type;
	const char *arg;            /* metavariable shown in help */
	const char *help;           /* default help text */
	const char *const *choices; /* OPT_CHOICE: NULL-terminated list */
	uint64_t min, max;          /* bounds for COUNT/SIZE/DURATION (ns); max 0: none;
				     * LIST: the most values (0: OPT_LIST_MAX) */
	uint64_t dflt;              /* LEVEL: the value when given without one */
	size_t offset;              /* of the value */
	/* STRING: what its value may start with, for the completions
	 * (ends with { .text = NULL }; NULL: none). */
	const struct opt_prefix *prefixes;
	/* A local option that must be told apart from its default:
	 * OPT_GIVEN(struct, member) of a bool set when it is given; 0: none. */
	size_t given;
};

/* The longest duration an option takes: 365 days, in ns. */
#define OPT_DURATION_MAX ((uint64_t)365 * 24 * 3600 * 1000000000ULL)

/* The given field of a local option (stored as offset + 1, 0 being none). */
#define OPT_GIVEN(type, member) (offsetof(type, member) + 1)

/* A verb's use of an option: a common one by id, or a local one by its
 * definition; help overrides the option's text when set. A list ends with
 * an entry that has neither (OPT_LIST_END). */
struct verb_opt {
	enum opt_id id;
	const char *help;
	const struct opt_def *def;
};
#define OPT_LIST_END \
	{ \
		.id = OP_END \
	}

/* Where the local options of a mechanism (or a top-level command) go:
 * every definition its verbs may list, the size of the struct they write
 * into, and its defaults. */
struct opt_scope {
	const struct opt_def *const *defs; /* NULL-terminated */
	size_t size;
	void (*init)(void *mopt); /* NULL: all zero */
};

/* The largest local options struct the dispatcher has room for (the unit
 * tests check every scope). */
#define OPT_LOCAL_MAX 256

/* A common option by id. */
const struct opt_def *opt_common(enum opt_id id);
/* A common option by long name. */
const struct opt_def *opt_common_by_name(const char *name);

/* Walking a verb's option list. */
static inline bool verb_opt_end(const struct verb_opt *vo)
{
	return vo->id == OP_END && !vo->def;
}
#define verb_opt_for_each(vo, list) for (const struct verb_opt *vo = (list); !verb_opt_end(vo); vo++)
/* The option an entry stands for, and the help text it shows. */
const struct opt_def *verb_opt_def(const struct verb_opt *vo);
const char *verb_opt_help(const struct verb_opt *vo);
/* The option of a list with this long name (len bytes of name), or this
 * short name; NULL when the verb has none. --help is not in a list. */
const struct opt_def *verb_opt_find_long(const struct verb_opt *list, const char *name, size_t len);
const struct opt_def *verb_opt_find_short(const struct verb_opt *list, int c);

/* Parse argv (argv[0] is the verb name) against the verb's option list,
 * common values into o, local ones into mopt (NULL when the list has
 * none). On success, *first_arg is the index of the first positional
 * argument. Returns 0, EXIT_USAGE after printing the error, or -1 when
 * --help was given (the caller prints help and exits 0). */
int cli_parse(const char *prog, const struct verb_opt *allowed, int argc, char **argv, struct opts *o, void *mopt,
	      int *first_arg);
/* The same for a verb of a mechanism, which also takes --explain[=N]
 * without listing it (OP_EXPLAIN). */
int cli_parse_verb(const char *prog, const struct verb_opt *allowed, int argc, char **argv, struct opts *o, void *mopt,
		   int *first_arg);

/* Set the defaults of the common options. */
void opts_init(struct opts *o);
/* Set the defaults of a scope's options struct (mopt: scope->size bytes). */
void opt_scope_init(const struct opt_scope *scope, void *mopt);

#endif
