/* SPDX-License-Identifier: MIT */
/* The one option parser: a declarative option table on top of getopt_long,
 * with typed, strictly validated values. The same table drives --help and
 * the shell completions. */
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
};

/* Every option ipcdemo knows. The same word means the same thing in every
 * mechanism; a verb lists the ones it accepts. */
enum opt_id {
	OP_END = 0,
	OP_HELP,
	OP_PATH,
	OP_MODE,
	OP_COUNT,
	OP_EVERY,
	OP_BATCHES,
	OP_SOURCE,
	OP_SEQ,
	OP_ID,
	OP_SIZE,
	OP_QUIET,
	OP_VERIFY,
	OP_JSON,
	OP_STATS,
	OP_TIMEOUT,
	OP_LOCK,
	OP_TRUNCATE,
	OP_REREAD,
	OP_NO_FOLLOW,
	OP_EXIT_ON_EOF,
	OP_UNLINK,
	OP_WRITERS,
	OP_APPEND,
	OP_TYPE,
	OP_LISTEN,
	OP_CONNECT,
	OP_WAIT,
	OP_ADDRESS,
	OP_NODELAY,
	OP_SNDBUF,
	OP_RCVBUF,
	OP_NAME,
	OP_PRIORITY,
	OP_NONBLOCK,
	OP_MAXMSG,
	OP_MSGSIZE,
	OP_KEY,
	OP_PROJ,
	OP_MTYPE, /* --type N of System V queues (--type of sockets is OP_TYPE) */
	OP_EXCEPT,
	OP_NOERROR,
	OP_SLOTS,
	OP_SLOT_SIZE,
	OP_DRY_RUN,
	OP_LABEL,
	OP_SIZES,   /* --size LIST of the benchmark (--size BYTES is OP_SIZE) */
	OP_DURATION,
	OP_CPU,
	OP_REPEAT,
	OP_LINGER,
	OP__MAX
};

enum source_kind { SRC_UUID, SRC_STDIN, SRC_ARGS, SRC_COUNTER };
enum lock_kind { LK_FLOCK, LK_FCNTL, LK_NONE };
enum socket_kind { SK_STREAM, SK_DGRAM, SK_SEQPACKET };
enum cpu_place { CPU_BOTH, CPU_SAME, CPU_SPLIT, CPU_ANY };

/* Parsed option values. given[id] tells whether the user set it. */
struct opts {
	bool given[OP__MAX];
	const char *path;
	mode_t mode;
	uint64_t count;
	int64_t every;   /* ns */
	uint64_t batches;
	int source;      /* enum source_kind */
	bool seq;
	uint64_t id;
	uint64_t size;
	bool quiet;
	bool verify;
	bool json;
	bool stats;
	int64_t timeout; /* ns */
	int lock;        /* enum lock_kind */
	bool truncate;
	int64_t reread;  /* ns */
	bool no_follow;
	bool exit_on_eof;
	bool unlink;
	uint64_t writers;
	bool append;
	int type;        /* enum socket_kind */
	bool listen;
	bool connect;
	int64_t wait;    /* ns */
	const char *address;
	bool nodelay;
	uint64_t sndbuf;
	uint64_t rcvbuf;
	const char *name;  /* POSIX IPC name */
	uint64_t priority;
	bool nonblock;
	uint64_t maxmsg;
	uint64_t msgsize;
	const char *key;   /* System V key, parsed by the mechanism */
	const char *proj;
	int64_t mtype;
	bool except;
	bool noerror;
	uint64_t slots;
	uint64_t slot_size;
	bool dry_run;
	const char *label;
	const char *sizes;
	int64_t duration; /* ns */
	int cpu;          /* enum cpu_place */
	uint64_t repeat;
	int64_t linger; /* ns */
};

struct opt_def {
	enum opt_id id;
	const char *name;  /* long name */
	int short_name;    /* 0 when none */
	enum opt_type type;
	const char *arg;   /* metavariable shown in help */
	const char *help;  /* default help text */
	const char *const *choices; /* OPT_CHOICE: NULL-terminated list */
	uint64_t min, max; /* bounds for COUNT/SIZE/DURATION (ns); max 0: none */
};

/* A verb's use of an option; help overrides the default text when set. */
struct verb_opt {
	enum opt_id id;
	const char *help;
};

const struct opt_def *opt_def_get(enum opt_id id);
const struct opt_def *opt_def_by_name(const char *name);

/* Parse argv (argv[0] is the verb name) against the verb's option list.
 * On success, *first_arg is the index of the first positional argument.
 * Returns 0, EXIT_USAGE after printing the error, or -1 when --help was
 * given (the caller prints help and exits 0). */
int cli_parse(const char *prog, const struct verb_opt *allowed, int argc, char **argv, struct opts *o,
	      int *first_arg);

/* Set the defaults that do not depend on the verb. */
void opts_init(struct opts *o);

#endif
