/* SPDX-License-Identifier: MIT */
/* shm: a ring buffer of messages in POSIX shared memory (shm_open(3),
 * mmap(2)), shared by any number of producers and consumers. A robust
 * process-shared mutex guards the indices; waiting is on futexes, so a
 * full or empty ring puts its users to sleep instead of spinning (with
 * --spin, after polling it for a while). The ring itself is ring.h's
 * (src/ring.c, src/ring_shm.c, src/ring_wait.c); here are the verbs,
 * their queue_ops and the 'ls' and 'clean' hooks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/demo.h"
#include "ipcdemo/explain.h"
#include "ipcdemo/message.h"
#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/posixname.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/ring.h"
#include "ipcdemo/util.h"
#include "ipcdemo/ring_narrate.h"

#define BATCH_BYTES RING_BATCH_BYTES

/* ---- Options ---- */
struct shm_opts {
	struct queue_opts q; /* first: queue.c reads it */
	uint64_t slots;
	uint64_t slot_size;
	int64_t spin;
	struct {
		bool slots, slot_size;
	} given;
};

_Static_assert(offsetof(struct shm_opts, q) == 0, "queue.c reads struct queue_opts at the start");

#define AT(member) .offset = offsetof(struct shm_opts, member)
#define GIVEN(member) .given = OPT_GIVEN(struct shm_opts, given.member)

static const struct opt_def opt_slots = {
	.name = "slots",
	.type = OPT_COUNT,
	.arg = "N",
	.help = "ring slots of an object we create (default: 64)",
	.min = 1,
	.max = (uint64_t)1 << 20,
	AT(slots),
	GIVEN(slots),
};
static const struct opt_def opt_slot_size = {
	.name = "slot-size",
	.type = OPT_SIZE,
	.arg = "BYTES",
	.help = "bytes per slot of an object we create (default: 4k)",
	.min = 16,
	.max = (uint64_t)64 << 20,
	AT(slot_size),
	GIVEN(slot_size),
};

/* Polling before sleeping: see ring_spin (src/ring_wait.c). */
static const struct opt_def opt_spin = {
	.name = "spin",
	.type = OPT_DURATION,
	.arg = "DURATION",
	.help = "poll the ring up to DURATION before sleeping (default: 0, sleep at once)",
	.min = 0,
	.max = OPT_DURATION_MAX,
	AT(spin),
};

static const struct opt_def *const shm_opt_defs[] = {
	&queue_opt_name, &queue_opt_nonblock, &queue_opt_unlink, &opt_slots, &opt_slot_size, &opt_spin, NULL,
};

static const struct opt_scope shm_opt_scope = {
	.defs = shm_opt_defs,
	.size = sizeof(struct shm_opts),
};

static const struct shm_opts *shm_opts(const struct ctx *ctx)
{
	static const struct shm_opts defaults = { .slots = 0 };
	return ctx_mopt(ctx, &defaults);
}
#define REC RING_REC

static enum io_result shm_send_msgs(struct ctx *ctx, void *impl, const char *buf, size_t len, int64_t deadline,
				    size_t *done)
{
	return ring_send(ctx, impl, buf, len, deadline, done);
}

static uint64_t shm_pending(void *impl)
{
	const struct ring *r = impl;
	return r->bcount;
}

/* The next message, where the batch holds it (whole, checked records:
 * ring_take): no copy. */
static enum io_result shm_recv_ref(struct ctx *ctx, void *impl, const char **msg, int64_t deadline, uint64_t want,
				   size_t *len)
{
	struct ring *r = impl;
	if (r->bcount == 0) {
		uint64_t most = ctx->opt.batch; /* --batch: at most that many a take */
		enum io_result t = ring_take(ctx, r, deadline, most && (!want || want > most) ? most : want);
		if (t != IO_OK)
			return t;
		r->takes++;
	}
	uint32_t m;
	memcpy(&m, r->b.buf + r->bpos, REC);
	*msg = r->b.buf + r->bpos + REC;
	r->bpos += REC + m;
	r->bcount--;
	*len = m;
	return IO_OK;
}

static enum io_result shm_recv_msg(struct ctx *ctx, void *impl, char *buf, size_t cap, int64_t deadline, uint64_t want,
				   size_t *len, bool *truncated)
{
	const char *msg;
	size_t m = 0;
	enum io_result rc = shm_recv_ref(ctx, impl, &msg, deadline, want, &m);
	*truncated = false;
	if (rc != IO_OK)
		return rc;
	size_t n = m < cap ? m : cap;
	memcpy(buf, msg, n);
	*len = n;
	return IO_OK;
}

static void shm_explain(struct ctx *ctx, void *impl, int err, size_t len)
{
	const struct ring *r = impl;
	(void)ctx;
	if (r->lock_held)
		return; /* ring_enter said who holds the lock */
	if (err == EMSGSIZE)
		fprintf(stderr,
			"A %zu-byte message does not fit a %u-byte slot; create the ring with a larger "
			"--slot-size.\n",
			len, r->g.slot_size);
	else if (err == EAGAIN && r->sending)
		fprintf(stderr, "All %u slot%s full; without --nonblock the producer waits for a consumer.\n",
			r->g.slots, r->g.slots == 1 ? " is" : "s are");
	else if (err == ETIMEDOUT && r->sending)
		fprintf(stderr, "All %u slot%s full for the whole --timeout.\n", r->g.slots,
			r->g.slots == 1 ? " stayed" : "s stayed");
	else if (err == EAGAIN)
		fprintf(stderr, "The ring is empty; without --nonblock the consumer waits for a producer.\n");
}

/* "is full (4 slots)", as queue_ops.wait_state. */
static void shm_wait_state(const struct ctx *ctx, void *impl, bool sending, char *buf, size_t len)
{
	const struct ring *r = impl;
	(void)ctx;
	if (sending)
		snprintf(buf, len, "is full (%u slot%s)", r->g.slots, r->g.slots == 1 ? "" : "s");
}

static int shm_setup(struct ctx *ctx, struct ring *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (ring_catch_bus() < 0) {
		msg_syserr(ctx->prog, "sigaction SIGBUS");
		return EXIT_FAIL;
	}
	return posix_name(ctx, r->name, sizeof(r->name));
}

/* The ring --slots and --slot-size ask for. */
static void shm_spec(const struct ctx *ctx, struct ring_spec *spec)
{
	const struct shm_opts *o = shm_opts(ctx);
	spec->fixed_slots = o->given.slots;
	spec->fixed_slot_size = o->given.slot_size;
	spec->slots = spec->fixed_slots ? (uint32_t)o->slots : SHM_DEFAULT_SLOTS;
	spec->slot_size = spec->fixed_slot_size ? (uint32_t)o->slot_size : SHM_DEFAULT_SLOT_SIZE;
}

static int shm_produce(struct ctx *ctx)
{
	struct ring r;
	int rc = shm_setup(ctx, &r);
	if (rc)
		return rc;
	rc = producer_check(ctx);
	if (rc)
		return rc;
	r.sending = true;
	r.spin_ns = shm_opts(ctx)->spin;
	struct ring_spec spec;
	shm_spec(ctx, &spec);
	if (ring_open(ctx, &r, &spec, true, true) < 0) {
		ring_close(ctx, &r, queue_opts(ctx)->unlink);
		return EXIT_FAIL;
	}
	const struct queue_ops ops = {
		.send = shm_send_msgs,
		.recv = shm_recv_msg,
		.pending = shm_pending,
		.chunk = BATCH_BYTES,
		.echo = true,
		.what = r.name,
		.explain = shm_explain,
		.wait_state = shm_wait_state,
	};
	rc = queue_produce(ctx, &ops, &r);
	ring_close(ctx, &r, queue_opts(ctx)->unlink);
	return rc;
}

static int shm_consume(struct ctx *ctx)
{
	struct ring r;
	struct consumer c;
	int rc = shm_setup(ctx, &r);
	if (rc)
		return rc;
	r.spin_ns = shm_opts(ctx)->spin;
	struct ring_spec spec;
	shm_spec(ctx, &spec);
	if (ring_open(ctx, &r, &spec, true, true) < 0 || ring_batch_alloc(ctx, &r) < 0 || consumer_init(&c, ctx) < 0) {
		ring_close(ctx, &r, queue_opts(ctx)->unlink);
		return EXIT_FAIL;
	}
	const struct queue_ops ops = {
		.send = shm_send_msgs,
		.recv = shm_recv_msg,
		.pending = shm_pending,
		.chunk = BATCH_BYTES,
		.echo = false,
		.what = r.name,
		.explain = shm_explain,
		.recv_ref = shm_recv_ref,
		.wait_state = shm_wait_state,
	};
	rc = queue_consume(ctx, &c, &ops, &r, r.g.slot_size);
	consumer_set_reads(&c, r.takes);
	rc = consumer_finish(&c, rc);
	ring_close(ctx, &r, queue_opts(ctx)->unlink);
	return rc;
}

static int shm_create_verb(struct ctx *ctx)
{
	struct ring r;
	const struct opts *o = &ctx->opt;
	int rc = shm_setup(ctx, &r);
	if (rc)
		return rc;
	struct ring_spec spec;
	shm_spec(ctx, &spec);
	uint32_t slots = spec.slots, slot_size = spec.slot_size;
	int c = ring_create(ctx, &r, slots, slot_size);
	if (c == 1) {
		errno = EEXIST;
		msg_syserr(ctx->prog, "shm_open %s", r.name);
	}
	if (c == 0 && !o->quiet)
		printf("created %s: %u slot%s of %u bytes (%zu bytes), mode %04o\n", r.name, slots,
		       slots == 1 ? "" : "s", slot_size, r.size, (unsigned)o->mode);
	ring_close(ctx, &r, false);
	return c == 0 ? EXIT_OK : EXIT_FAIL;
}

static void info_print(struct ctx *ctx, const struct ring *r, const struct stat *st, const struct ring_info *s)
{
	struct out o;
	const struct ring_hdr *h = &s->h;
	out_init(&o, stdout, ctx->opt.json);
	out_open(&o);
	out_string(&o, PRINT_ANY, "name", "name:      %s\n", r->name);
	info_owner(&o, st->st_uid, st->st_gid, st->st_mode);
	out_u64(&o, PRINT_ANY, "size", "size:      %llu bytes\n", (uint64_t)st->st_size);
	out_u64(&o, PRINT_ANY, "slots", "slots:     %llu", h->slots);
	out_u64(&o, PRINT_ANY, "slot_size", " of %llu bytes\n", h->slot_size);
	out_u64(&o, PRINT_ANY, "messages", "messages:  %llu queued", h->put > h->taken ? h->put - h->taken : 0);
	out_u64(&o, PRINT_ANY, "slots_used", " in %llu slot", h->head - h->tail);
	out_string(&o, PRINT_TEXT, NULL, "%s", h->head - h->tail == 1 ? "" : "s");
	out_u64(&o, PRINT_ANY, "put", ", %llu put", h->put);
	out_u64(&o, PRINT_ANY, "taken", ", %llu taken\n", h->taken);
	out_u64(&o, PRINT_ANY, "waiting_producers", "waiting:   producers %llu", h->space_waiters);
	out_u64(&o, PRINT_ANY, "waiting_consumers", ", consumers %llu\n", h->data_waiters);
	out_u64(&o, PRINT_ANY, "recovered", "recovered: %llu (locks of processes that died holding them)\n",
		h->recovered);
	out_string(&o, PRINT_ANY, "lock", "lock:      %s", s->lock);
	if (strcmp(s->lock, "held") == 0) {
		out_u64(&o, PRINT_ANY, "lock_owner", " by thread %llu (the numbers above were read without it)",
			(uint64_t)s->owner);
	} else {
		out_null(&o, "lock_owner");
		if (strcmp(s->lock, "unknown") == 0)
			out_string(&o, PRINT_TEXT, NULL, "%s", " (not taken: the ring is damaged)");
	}
	out_string(&o, PRINT_TEXT, NULL, "%s", "\n");
	if (s->why[0]) {
		out_string(&o, PRINT_ANY, "damaged", "state:     damaged: %s", s->why);
	} else {
		out_null(&o, "damaged");
		out_string(&o, PRINT_TEXT, NULL, "%s", "state:     intact");
	}
	out_close(&o);
}

static int shm_info_verb(struct ctx *ctx)
{
	struct ring r;
	struct stat st;
	struct ring_info s;
	int rc = shm_setup(ctx, &r);
	if (rc)
		return rc;
	memset(&s, 0, sizeof(s));
	int a = ring_open(ctx, &r, NULL, false, false);
	if (a == -1 || fstat(r.fd, &st) < 0) {
		if (a == 0)
			msg_syserr(ctx->prog, "stat %s", r.name);
		ring_close(ctx, &r, false);
		return EXIT_FAIL;
	}
	if (a == RING_ATTACH_DAMAGED) {
		/* Only the header is mapped; its lock is not to be trusted. */
		memcpy(&s.h, r.h, sizeof(s.h));
		s.lock = "unknown";
		snprintf(s.why, sizeof(s.why), "%s", r.why);
	} else {
		ring_read_info(ctx, &r, &s);
	}
	info_print(ctx, &r, &st, &s);
	if (s.why[0])
		msg_warn(ctx->prog, "%s: damaged ring: %s", r.name, s.why);
	ring_close(ctx, &r, false);
	return s.why[0] ? EXIT_FAIL : EXIT_OK;
}

static int shm_unlink_verb(struct ctx *ctx)
{
	struct ring r;
	int rc = shm_setup(ctx, &r);
	if (rc)
		return rc;
	if (ringn_shm_unlink(ctx, r.name, "the name is gone; who has the ring mapped keeps it until the last unmap") <
	    0) {
		msg_syserr(ctx->prog, "shm_unlink %s", r.name);
		return EXIT_FAIL;
	}
	if (!ctx->opt.quiet)
		printf("removed %s\n", r.name);
	return EXIT_OK;
}

static int shm_demo(struct ctx *ctx)
{
	char name[NAME_MAX + 2];
	int rc = demo_name(ctx, name, sizeof(name));
	if (rc)
		return rc;
	printf("A producer writes 10 stamped messages into %s, a ring of 4 slots of 16 bytes in\n"
	       "shared memory, each message big enough to fill a slot of its own. It fills the 4 slots and\n"
	       "sleeps (on a futex, not spinning) until a consumer, started 1 s later, takes messages and\n"
	       "wakes it. The consumer checks the stamps: nothing lost.\n\n",
	       name);
	const char *prod[] = { "--name",  name,      "--slots", "4",     "--slot-size", "16", "--source",
			       "counter", "--count", "10",      "--seq", "--id",        "10", NULL };
	const char *cons[] = { "--name",  name, "--slots",  "4",         "--slot-size", "16",
			       "--count", "10", "--verify", "--timeout", "10s",         NULL };
	/* A ring of its own, never one that exists (its messages are not ours). */
	struct ring r;
	memset(&r, 0, sizeof(r));
	r.fd = -1;
	snprintf(r.name, sizeof(r.name), "%s", name);
	explain_side(ctx, "demo");
	int c = ring_create(ctx, &r, 4, 16);
	ring_close(ctx, &r, false);
	if (c != 0) {
		if (c == 1) {
			errno = EEXIST;
			msg_syserr(ctx->prog, "shm_open %s", name);
			fprintf(stderr, "The demo makes a ring of its own; choose a --name that does not exist.\n");
		}
		return EXIT_FAIL;
	}
	const struct demo_role roles[] = {
		{ .label = "producer", .verb = "produce", .args = prod, .delay_ns = 0, .upstream = true },
		{ .label = "consumer", .verb = "consume", .args = cons, .delay_ns = NSEC_PER_SEC, .upstream = false },
	};
	int st = demo_run(ctx, roles, 2);
	if (ringn_shm_unlink(ctx, name, "the demo's ring is removed") < 0 && errno != ENOENT) {
		msg_syserr(ctx->prog, "shm_unlink %s", name);
		if (st == EXIT_OK)
			st = EXIT_FAIL;
	}
	return st;
}

/* clang-format off */
#define RING_OPTIONS                                                                                                      \
	{ .def = &queue_opt_name, .help = "the ring (default: /ipcdemo; a leading slash is added), created if missing" }, \
	{ .def = &opt_slots, .help = "slots of a ring we create (default: 64)" },                                         \
	{ .def = &opt_slot_size, .help = "largest message of a ring we create (default: 4k)" },                           \
	{ .id = OP_MODE, .help = "permissions of a ring we create (default 0600)" },                                      \
	{ .def = &opt_spin }
/* clang-format on */

static const struct verb_opt produce_opts[] = {
	RING_OPTIONS,
	{ .def = &queue_opt_nonblock, .help = "fail at once (exit 1) when every slot is full" },
	{ .id = OP_TIMEOUT, .help = "wait at most DURATION for a free slot (exit 4)" },
	PRODUCER_OPTIONS,
	{ .id = OP_JSON, .help = "print the --stats summary as JSON" },
	{ .id = OP_LABEL, .help = "print TEXT before each echoed message" },
	{ .id = OP_QUIET },
	{ .def = &queue_opt_unlink, .help = "remove the ring on exit" },
	OPT_LIST_END,
};

static const struct verb_opt consume_opts[] = {
	RING_OPTIONS,
	CONSUMER_OPTIONS,
	{ .def = &queue_opt_nonblock, .help = "take what is in the ring now and exit; exit 1 if it is empty" },
	{ .id = OP_LABEL },
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	{ .def = &queue_opt_unlink, .help = "remove the ring on exit" },
	OPT_LIST_END,
};

static const struct verb_opt create_opts[] = {
	{ .def = &queue_opt_name, .help = "the ring (default: /ipcdemo; a leading slash is added)" },
	{ .def = &opt_slots, .help = "number of slots (default: 64)" },
	{ .def = &opt_slot_size, .help = "largest message, newline included (default: 4k)" },
	{ .id = OP_MODE, .help = "permissions (default 0600)" },
	{ .id = OP_QUIET, .help = "print nothing" },
	OPT_LIST_END,
};

static const struct verb_opt info_opts[] = {
	{ .def = &queue_opt_name, .help = "the ring (default: /ipcdemo)" },
	{ .id = OP_JSON, .help = "print one JSON object" },
	OPT_LIST_END,
};

static const struct verb_opt unlink_opts[] = {
	{ .def = &queue_opt_name, .help = "the ring (default: /ipcdemo)" },
	{ .id = OP_QUIET, .help = "print nothing" },
	OPT_LIST_END,
};

static const struct verb_opt demo_opts[] = {
	{ .def = &queue_opt_name, .help = "ring to use (default: /ipcdemo-demo-PID, removed at the end)" },
	OPT_LIST_END,
};

static const struct verb shm_verbs[] = {
	{
		.name = "produce",
		.summary = "write messages into a shared-memory ring",
		.usage = "[options] [MESSAGE...]",
		.description = "Opens the ring (creating it, mode 0600, if missing) and puts each message in a slot,\n"
			       "echoing it on stdout. When every slot is full it sleeps until a consumer frees one.",
		.opts = produce_opts,
		.min_args = 0,
		.max_args = -1,
		.run = shm_produce,
	},
	{
		.name = "consume",
		.summary = "take messages from a shared-memory ring",
		.usage = "[options]",
		.description =
			"Opens the ring (creating it if missing) and prints each message it takes, oldest first.\n"
			"Any number of producers and consumers share one ring; each message goes to one consumer.",
		.opts = consume_opts,
		.min_args = 0,
		.max_args = 0,
		.run = shm_consume,
	},
	{
		.name = "create",
		.summary = "create a ring with a given number and size of slots",
		.usage = "[options]",
		.description = "Creates the object with shm_open(O_CREAT | O_EXCL), sizes it and sets up the ring.",
		.opts = create_opts,
		.min_args = 0,
		.max_args = 0,
		.run = shm_create_verb,
	},
	{
		.name = "info",
		.summary = "show a ring's size, mode and how many messages it holds",
		.usage = "[options]",
		.description = "Prints the ring's geometry and counters: messages queued, put and taken, sleepers.",
		.opts = info_opts,
		.min_args = 0,
		.max_args = 0,
		.run = shm_info_verb,
	},
	{
		.name = "unlink",
		.summary = "remove a ring",
		.usage = "[options]",
		.description = "Removes the name with shm_unlink(3); processes that have it mapped keep using it.",
		.opts = unlink_opts,
		.min_args = 0,
		.max_args = 0,
		.run = shm_unlink_verb,
	},
	{
		.name = "rm",
		.summary = "the same as unlink",
		.usage = "[options]",
		.description = NULL,
		.opts = unlink_opts,
		.min_args = 0,
		.max_args = 0,
		.run = shm_unlink_verb,
	},
	{
		.name = "demo",
		.summary = "a producer fills a small ring and sleeps until a consumer comes",
		.usage = "[options]",
		.description = NULL,
		.opts = demo_opts,
		.min_args = 0,
		.max_args = 0,
		.run = shm_demo,
	},
	{ .name = NULL },
};

/* ---- ls and clean ---- */

#define SHM_DIR "/dev/shm"

static int shm_scan(struct ctx *ctx, const char *dir, struct obj_out *out)
{
	DIR *d = opendir(SHM_DIR);
	struct dirent *e;
	(void)dir;
	if (!d) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "POSIX shared memory not listed: %s: %s", SHM_DIR, strerror(errno));
		return 0;
	}
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		/* sem.NAME are POSIX named semaphores, not shared memory objects. */
		if (e->d_name[0] == '.' || strncmp(e->d_name, "sem.", 4) == 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		struct obj o = { .size = (long long)st.st_size,
				 .messages = -1,
				 .id = -1,
				 .uid = st.st_uid,
				 .creator = st.st_uid,
				 .mode = st.st_mode & 07777,
				 .dev = st.st_dev,
				 .ino = st.st_ino };
		snprintf(o.name, sizeof(o.name), "/%s", e->d_name);
		rc = out->add(out, &o);
	}
	closedir(d);
	return rc;
}

/* found: 1 when it is an ipcdemo ring (maybe a damaged one). */
static void shm_describe(struct obj *o)
{
	struct ring_peek rp;
	bool ring = ring_peek(o->name, &rp);
	if (ring && !rp.note)
		o->messages = (long long)rp.messages;
	o->found = ring;
	o->note = ring ? rp.note : "not an ipcdemo ring";
}

static bool shm_ours(const struct obj *o)
{
	return o->found && obj_ipcdemo_name(o->name + 1) && o->uid == geteuid();
}

static int shm_remove(struct ctx *ctx, const struct obj *o)
{
	if (shm_unlink(o->name) < 0 && errno != ENOENT) {
		msg_syserr(ctx->prog, "shm_unlink %s", o->name);
		return -1;
	}
	return 0;
}

static const struct mech_objects shm_objects = {
	.type = "shm",
	.option = "name",
	.plural = "shared-memory objects",
	.order = 20,
	.mapped = true,
	.scan = shm_scan,
	.describe = shm_describe,
	.ours = shm_ours,
	.remove = shm_remove,
};

/* ---- bench ---- */

/* The "shm spin" row: both sides poll the ring for up to this long before
 * they sleep. Across two CPUs an answer comes within a few microseconds,
 * far inside it, so no wait sleeps; on one CPU a poll can only end when it
 * runs out (the other side cannot run meanwhile), so it costs this much a
 * wait: 50 us is about two futex wake-ups here, the cost a sleep has
 * anyway, which bounds what spinning can lose against sleeping. */
#define SHM_BENCH_SPIN "50us"
#define SHM_BENCH_SPIN_NS ((int64_t)50000)

static const struct bench_row shm_bench_rows[] = {
	{ .name = "shm", .word = NULL, .variant = NULL },
	{ .name = "shm spin", .word = "shm-spin", .variant = "spin" },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static bool shm_bench_spins(const struct bench_row *row)
{
	return row->variant && strcmp(row->variant, "spin") == 0;
}

static const struct queue_ops shm_bench_ops = {
	.send = shm_send_msgs,
	.recv = shm_recv_msg,
	.pending = shm_pending,
	.chunk = BATCH_BYTES,
	.echo = false,
	.what = "benchmark ring",
	.explain = shm_explain,
	.recv_ref = NULL,
	.wait_state = NULL,
};

/* A ring for the round trips, with slots for size-byte messages, whose
 * waits poll for spin_ns first; removed by shm_bench_close. The mapping
 * survives fork(). */
static void *shm_bench_ring(struct ctx *ctx, const char *name, size_t size, int64_t spin_ns)
{
	struct ring *r = calloc(1, sizeof(*r));
	if (!r) {
		msg_syserr(ctx->prog, "allocate memory");
		return NULL;
	}
	r->fd = -1;
	r->spin_ns = spin_ns;
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (ring_create(ctx, r, SHM_DEFAULT_SLOTS, (uint32_t)(size < 16 ? 16 : size)) != 0) {
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		return NULL;
	}
	if (ring_batch_alloc(ctx, r) < 0) {
		munmap(r->h, r->size);
		close(r->fd);
		shm_unlink(r->name);
		free(r);
		return NULL;
	}
	return r;
}

static void *shm_bench_open(struct ctx *ctx, const char *name, size_t size)
{
	return shm_bench_ring(ctx, name, size, 0);
}

static void *shm_bench_open_spin(struct ctx *ctx, const char *name, size_t size)
{
	return shm_bench_ring(ctx, name, size, SHM_BENCH_SPIN_NS);
}

static void shm_bench_close(struct ctx *ctx, void *impl)
{
	struct ring *r = impl;
	ring_close(ctx, r, true);
	free(r);
}

/* Round trips: two queues, one each way, with the mechanism's own send
 * and receive (polling first in the spin row). */
static int shm_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			  char *err, size_t elen)
{
	return bench_chan_queues(env, row, size, ch, &shm_bench_ops,
				 shm_bench_spins(row) ? shm_bench_open_spin : shm_bench_open, shm_bench_close, err,
				 elen);
}

/* Throughput: a ring keeps its default (64 slots of 4 KiB, which hold
 * many small messages each) unless a message needs larger slots; then it
 * has about 1 MiB, as the enlarged pipe: more would leave the caches.
 * Both roles create it if it is missing, with the same size. */
static int shm_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			 char *err, size_t elen)
{
	(void)err, (void)elen;
	snprintf(r->obj, sizeof(r->obj), "/ipcdemo-bench-%d-%d", (int)getpid(), env->seq);
	bench_args2(r, "--name", r->obj);
	if (shm_bench_spins(row))
		bench_args2(r, "--spin", SHM_BENCH_SPIN);
	if (size > SHM_DEFAULT_SLOT_SIZE) {
		size_t n = BENCH_RING_BYTES / size;
		char slot[24], slots[24];
		snprintf(slot, sizeof(slot), "%zu", size);
		snprintf(slots, sizeof(slots), "%zu", n < 4 ? 4 : n);
		bench_args2(r, "--slot-size", slot);
		bench_args2(r, "--slots", slots);
	}
	bench_args2(r, "-q", NULL);
	return 0;
}

static void shm_bench_cleanup(const struct bench_row *row, const struct bench_run *r)
{
	(void)row;
	shm_unlink(r->obj);
}

static const struct mech_bench shm_bench = {
	.order = 90,
	.rows = shm_bench_rows,
	.lossy = false,
	.cpu_note = true,
	.limit = NULL,
	.chan_open = shm_bench_chan,
	.chan_close = bench_chan_queues_close,
	.run_setup = shm_bench_run,
	.ready = NULL,
	.cleanup = shm_bench_cleanup,
};

const struct mechanism mech_shm = {
	"shm",
	"POSIX shared memory: a ring buffer with futex wake-ups",
	"Shared memory is the fastest way between processes: a message is copied in once and out\n"
	"once, with no system call when neither side has to wait. The cost is that the processes\n"
	"must synchronise themselves: here a robust process-shared mutex and futexes.",
	shm_verbs,
	.objects = &shm_objects,
	.bench = &shm_bench,
	.opt_scope = &shm_opt_scope,
	.explains = true,
};
