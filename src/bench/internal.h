/* SPDX-License-Identifier: MIT */
/* The types the parts of 'ipcdemo bench' share (src/bench/). */
#ifndef IPCDEMO_BENCH_INTERNAL_H
#define IPCDEMO_BENCH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "ipcdemo/bench.h"
#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/hist.h"
#include "ipcdemo/mechanism.h"
#include "ipcdemo/stats.h"
#include "ipcdemo/tools.h"

#define PILOT_BYTES ((uint64_t)8 << 20)
#define PILOT_MSGS 20000
#define MAX_MSGS ((uint64_t)50000000)
#define DEFAULT_DURATION (250 * NSEC_PER_MSEC)
#define SPREAD_WIDE 0.2
#define MAX_ROWS 64

struct bench {
	struct ctx *ctx;
	char dir[4096]; /* private directory for files and sockets */
	int cpus[2];    /* the two CPUs of the pinned placements; -1: none */
	int ncpu;
	int64_t duration;
	uint64_t count;         /* --count, or 0 */
	int seq;                /* objects made so far, for unique names */
	int samples_fd;         /* --samples FILE, or -1 */
	struct hist_draw *draw; /* --hist in text, or NULL */
	struct progress *progress;
};

/* What a hook gets for the next object: a fresh number. */
static inline struct bench_env bench_env_next(struct bench *b)
{
	return (struct bench_env){ .ctx = b->ctx, .dir = b->dir, .seq = ++b->seq };
}

/* One measured throughput run of one cell. */
struct result {
	bool ok;
	uint64_t sent, received;
	double seconds;        /* first to last message at the receiver */
	double tx_cpu, rx_cpu; /* seconds of user + system time */
	/* The sender's writes and the receiver's reads of the channel (0:
	 * not known, as of dd). */
	uint64_t tx_calls, rx_calls;
	char err[200];
};

struct plan {
	const struct brow *row;
	size_t size;
	uint64_t msgs;
	int cpu_tx, cpu_rx;
	uint64_t batch; /* bench --batch, 0: none */
};

/* A reference row: not ipcdemo, measured in the same run (reference.c). */
struct ref_row {
	const char *name, *group;
	const char *word;               /* selects this row alone, or NULL */
	const char *group_summary;      /* of a group of several rows, for the completions */
	const char *summary;            /* what it measures, for the completions */
	const struct mech_bench *hooks; /* limit and round trips; chan_open NULL: none */
	const char *no_round_trips;     /* why, when there are none */
	/* A throughput run of its own. */
	void (*run)(struct bench *b, const struct plan *pl, struct result *res);
};
extern const struct ref_row bench_ref_rows[];
/* reference_msg.c: the floors of the rows that keep message boundaries
 * (bare mq, bare sysv, bare dgram, bare udp): their hooks and runs. */
extern const struct mech_bench bench_bare_mq_hooks, bench_bare_sysv_hooks, bench_bare_dgram_hooks, bench_bare_udp_hooks;
void bench_run_bare_mq(struct bench *b, const struct plan *pl, struct result *res);
void bench_run_bare_sysv(struct bench *b, const struct plan *pl, struct result *res);
void bench_run_bare_dgram(struct bench *b, const struct plan *pl, struct result *res);
void bench_run_bare_udp(struct bench *b, const struct plan *pl, struct result *res);

/* A row of the tables: of a mechanism (mech set) or a reference. */
struct brow {
	const char *name, *group, *word;
	const char *floor; /* the word of its floor row, or NULL */
	const struct mechanism *mech;
	const struct bench_row *row; /* the mechanism's, or NULL */
	const struct ref_row *ref;   /* or the reference's */
	const struct mech_bench *hooks;
};

/* rows.c: row i of the tables, in order; false past the end. */
bool brow_at(size_t i, struct brow *out);
/* The largest message of the row (0: none); why says so. */
size_t brow_limit(const struct brow *r, char *why, size_t len);
/* Select rows by the words given (all: none given); EXIT_USAGE after a
 * message on a word that selects none. */
int select_rows(struct ctx *ctx, bool *sel, size_t nrows);

/* proc.c: child processes. */
struct role {
	const struct mechanism *mech;
	const char *verb;
	const char *argv[BENCH_ARGS_MAX + 16];
	int argc;
	int in_fd, out_fd; /* -1: /dev/null */
	int cpu;           /* -1: not pinned */
};
/* What came back from a role: its exit status, its stderr (for the
 * person, and the first diagnostic), and its result (ok: one came). */
struct role_out {
	int status;
	char text[8192];
	bool got;
	struct run_result res;
};
void role_init(struct role *r, const struct mechanism *mech, const char *verb, int cpu);
void role_arg(struct role *r, const char *a);
void role_args(struct role *r, const struct bench_argv *a);
/* Run up to two roles to the end (NULL: none); the first is started
 * first, the second when ready(arg) says so (ready NULL: at once).
 * close_fds: channel descriptors no child may keep (so EOF arrives). */
void roles_run(struct bench *b, struct role *first, struct role *second, bool (*ready)(const void *arg),
	       const void *arg, const int *close_fds, int nclose, struct role_out out[2]);
void pin(int cpu);
double ru_seconds(const struct rusage *ru);
void first_line(char *dst, size_t len, const char *text);
/* Reap two children (pid <= 0: none): exit statuses (128: killed by a
 * signal, -1: none) and CPU seconds; with stop, SIGTERM them first. */
void reap_pair(const pid_t pids[2], bool stop, int st[2], double cpu[2]);
/* Read exactly len bytes; the reads it took, or -1 at EOF or on an error. */
int read_full(int fd, char *buf, size_t len);

/* latency.c: round trips. Every run's round trips go into one histogram;
 * the figures are of that (all runs together), the spread of the runs'
 * medians. */
struct lcell {
	bool available, ok;
	char why[200];
	/* microseconds: med is p50 */
	double mean, med, p90, p99, p999, min, max;
	double spread, cpu_us;
	uint64_t n; /* round trips of a run */
	unsigned runs;
	struct hist hist; /* of every run, ns */
};
/* A latency cell measured in passes, as a throughput cell (struct
 * tstate): latency_plan says whether it can be measured, latency_run
 * adds a run's round trips to its histogram, latency_finish makes its
 * figures. */
#define LSTATE_RUNS 100
struct lstate {
	const struct brow *r;
	size_t size;
	int cpu_c, cpu_s;
	struct lcell *c;
	unsigned n;
	bool failed;
	double med[LSTATE_RUNS], cpu[LSTATE_RUNS];
};
bool latency_plan(const struct brow *r, size_t size, int cpu_c, int cpu_s, struct lstate *st, struct lcell *c);
bool latency_run(struct bench *b, struct lstate *st);
void latency_finish(struct lstate *st);
/* A cell's runs all at once (--repeat 1). */
void latency(struct bench *b, const struct brow *r, size_t size, int cpu_c, int cpu_s, struct lcell *c);
/* --samples and --hist: set up before the first cell (EXIT_FAIL after a
 * message), released after the last. */
int latency_setup(struct bench *b);
void latency_teardown(struct bench *b);

/* samples.c: --samples FILE, written by each client as it goes. */
struct samples;
int samples_open(struct bench *b);
/* In the client: a buffer for the round trips of one run (NULL: none
 * asked, or no memory, errno set). */
struct samples *samples_start(const struct bench *b, const char *row, size_t size, const char *place, unsigned run);
/* 0, or -1 with errno when the file cannot be written. */
int samples_add(struct samples *s, uint64_t ns);
int samples_end(struct samples *s);

/* hist_draw.c: --hist. Each latency cell kept, its row's lines drawn
 * after the row; the bars after the table when it had one cell. */
struct hist_draw *hist_draw_new(void);
void hist_draw_cell(struct bench *b, const char *place, const struct lcell *c);
void hist_draw_row(struct bench *b);
void hist_draw_single(struct bench *b);

/* throughput.c */
struct cell {
	bool available, ok;
	char why[200];
	uint64_t msgs;       /* per run */
	double mbps, msgps;  /* medians over the repeats */
	double spread;       /* of msg/s over the repeats */
	double tx_us, rx_us; /* CPU per message, medians */
	double lost;         /* fraction, of a lossy row */
	/* Messages per write of the sender and per read of the receiver,
	 * medians (NAN: not known). */
	double per_write, per_read;
	unsigned runs;
};
/* A cell is measured in passes: measure_plan makes its plan (the pilot
 * run) and says whether it can be run, measure_run runs it once more
 * (false when that failed: c->why says why), measure_finish puts the
 * medians of the runs into its cell. The benchmark runs each --repeat
 * pass over all the cells, so that a change of the machine's load lands
 * on every cell alike, a row and its floor in the same pass. */
#define TSTATE_RUNS 100
struct tstate {
	struct plan pl;
	struct cell *c;
	unsigned n;
	bool failed;
	double mb[TSTATE_RUNS], mp[TSTATE_RUNS], tx[TSTATE_RUNS], rx[TSTATE_RUNS], lost[TSTATE_RUNS], pw[TSTATE_RUNS],
		pr[TSTATE_RUNS];
};
bool measure_plan(struct bench *b, const struct brow *r, size_t size, int cpu_tx, int cpu_rx, struct tstate *st,
		  struct cell *c);
bool measure_run(struct bench *b, struct tstate *st);
void measure_finish(struct tstate *st);
/* A cell's plan and all its runs at once (--repeat 1: nothing to share). */
void measure(struct bench *b, const struct brow *r, size_t size, int cpu_tx, int cpu_rx, struct cell *c);

/* progress.c: what the benchmark is measuring, on standard error when it
 * is a terminal, on a line of its own that is erased before anything goes
 * to standard output. */
struct progress {
	bool on;
	bool pipe;             /* standard output is a pipe, */
	bool drain;            /* whose reader takes a line at once: let it first */
	unsigned done, total;  /* cells */
	double planned, spent; /* planned durations: of them all, of those done */
	bool seconds;          /* they are seconds, not runs (of --count) */
	int64_t start_ns;
	bool shown;
};
void progress_init(struct progress *p, bool on, unsigned total, double planned, bool seconds);
/* Show the cell about to be measured (what: "pipe 64 B same round trips"). */
void progress_show(struct progress *p, const char *what);
/* A cell is done: count it with its planned duration; erase the line. */
void progress_done(struct progress *p, double planned);
/* Part of a cell done (a pass of it): its planned time, not the cell. */
void progress_part(struct progress *p, double planned);
/* After a line went to standard output. */
void progress_after_output(struct progress *p);

/* report.c: the text tables and the JSON objects of the cells. */
struct out;
/* The width to fit: COLUMNS, else the terminal's of fd, else 80. */
int term_width(int fd);
/* Print text to f in lines of at most width columns, broken at spaces,
 * the first after `used` columns already on its line, the others indented
 * by indent columns; a newline in text breaks the line there. */
void wrap_print(FILE *f, const char *text, int used, int indent, int width);
void fmt_rate(char *buf, size_t len, double v);
void size_label(char *buf, size_t len, size_t s);

/* A column of a text table: its heading, its width, and what a cell shows in it. */
struct tcol {
	const char *head;
	int width;
	void (*show)(char *buf, size_t len, const void *cell); /* struct lcell or struct cell */
};
/* A cell of a line, of either table; done: it was measured (or found n/a). */
struct tcell {
	bool done;
	struct lcell l;
	struct cell t;
};
/* How one of the tables is laid out, chosen for the width: the placements
 * side by side on one line, or, where they do not fit, one line each. */
struct layout {
	bool lat;
	bool stacked;
	int width;
	int name_w, size_w, place_w;
	const struct tcol *cols;
	size_t ncols;
	const int *places;
	int nplaces;
	const char *const *place_names;
	bool lossy;    /* of the row being printed */
	bool cpu_note; /* of the row being printed: its latency notes the client's CPU */
};
/* Fill in cols, ncols and stacked from the rest. */
void layout_choose(struct layout *L);
void table_header(const struct layout *L);
/* One line of a row and size (or one per placement): n cells done. */
void table_line(const struct layout *L, const char *name, const char *sl, const struct tcell *cells, int n);

/* ---- table.c and passes.c: the tables ---- */

/* One of the two tables: every selected row, size and placement. */
struct table {
	struct bench *b;
	struct out *o;
	const bool *sel;
	const int *places;
	int nplaces;
	bool lat;
	struct layout layout;
};

extern const char *const bench_place_names[]; /* by CPU_* */
/* The CPUs of a placement: a and c, -1 for any. */
void bench_place_cpus(const struct bench *b, int place, int *a, int *c);
/* The planned duration of a cell in seconds (with --count, one unit a
 * run); 0 for a cell that is n/a before it starts. */
double bench_cell_plan(const struct table *t, const struct brow *r, size_t size, int place);
/* A table measured a cell at a time, each with all its runs. */
void bench_run_table(struct table *t, const size_t *sizes, int nsizes);
/* passes.c: a table with --repeat R > 1, measured in passes. */
void bench_run_passes(struct table *t, const size_t *sizes, int nsizes);
/* batch: bench --batch, 0: none. */
void print_cell_json(struct out *o, const struct brow *r, size_t size, const char *place, const struct cell *c,
		     uint64_t batch);
void print_lcell_json(struct out *o, const struct brow *r, size_t size, const char *place, const struct lcell *c);

/* sources.c: counter, uuid and libuuid. */
#define SOURCES 3
void run_sources(struct bench *b, struct out *o);

#endif
