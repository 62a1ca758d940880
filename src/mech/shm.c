/* SPDX-License-Identifier: MIT */
/* shm: a ring buffer of messages in POSIX shared memory (shm_open(3),
 * mmap(2)), shared by any number of producers and consumers. A robust
 * process-shared mutex guards the indices; waiting is on futexes, so a
 * full or empty ring puts its users to sleep instead of spinning. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ipcdemo/demo.h"
#include "ipcdemo/message.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/ring.h"
#include "ipcdemo/util.h"

/* A consumer takes up to this many bytes of messages per lock. */
#define BATCH_BYTES ((size_t)64 << 10)
/* A wait for the lock looks at the stop flag and the deadline this often. */
#define LOCK_SLICE_NS (50 * NSEC_PER_MSEC)
/* How long --nonblock waits for a lock that another process holds. */
#define LOCK_NOWAIT_NS NSEC_PER_SEC
/* How long 'info' waits for it before it reads the header without it. */
#define LOCK_INFO_NS (500 * NSEC_PER_MSEC)
/* How long a sleeper that was woken or interrupted tries to take itself
 * off the count of sleepers (the next wake-up clears the count anyway). */
#define LOCK_UNSLEEP_NS (100 * NSEC_PER_MSEC)
/* Waiting for the lock with no deadline: say so after this long. */
#define LOCK_NOTE_NS (2 * NSEC_PER_SEC)

/* ---- Options ---- */
struct shm_opts {
	struct queue_opts q; /* first: queue.c reads it */
	uint64_t slots;
	uint64_t slot_size;
	struct {
		bool slots, slot_size;
	} given;
};

_Static_assert(offsetof(struct shm_opts, q) == 0, "queue.c reads struct queue_opts at the start");

#define AT(member) .offset = offsetof(struct shm_opts, member)
#define GIVEN(member) .given = OPT_GIVEN(struct shm_opts, given.member)

static const struct opt_def opt_slots = {
	.name = "slots", .type = OPT_COUNT, .arg = "N", .help = "ring slots of an object we create (default: 64)",
	.min = 1, .max = (uint64_t)1 << 20, AT(slots), GIVEN(slots),
};
static const struct opt_def opt_slot_size = {
	.name = "slot-size", .type = OPT_SIZE, .arg = "BYTES",
	.help = "bytes per slot of an object we create (default: 4k)", .min = 16, .max = (uint64_t)64 << 20,
	AT(slot_size), GIVEN(slot_size),
};

static const struct opt_def *const shm_opt_defs[] = {
	&queue_opt_name, &queue_opt_nonblock, &queue_opt_unlink, &opt_slots, &opt_slot_size, NULL,
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

/* The slots and slot size of a ring to create: --slots, --slot-size or
 * the defaults. */
static void wanted_geometry(const struct ctx *ctx, uint32_t *slots, uint32_t *slot_size)
{
	const struct shm_opts *o = shm_opts(ctx);
	*slots = o->given.slots ? (uint32_t)o->slots : SHM_DEFAULT_SLOTS;
	*slot_size = o->given.slot_size ? (uint32_t)o->slot_size : SHM_DEFAULT_SLOT_SIZE;
}

struct ring {
	char name[NAME_MAX + 2];
	int fd;
	struct ring_hdr *h;
	size_t size;
	char *slots;
	struct ring_geom g; /* checked once: the only geometry used */
	bool sending;
	bool said_full;
	bool lock_held;     /* the last wait for the lock gave up */
	/* Messages taken by this consumer, not yet delivered: [u32 len][bytes]... */
	struct ring_batch b;
	size_t bpos;
	uint64_t bcount;
	/* Why ring_attach refused it (for info). */
	char why[RING_WHY];
};

#define REC RING_REC

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/* Sleep while *word == val, at most until the deadline or one slice. */
static int futex_sleep(uint32_t *word, uint32_t val, int64_t deadline)
{
	int64_t left = QUEUE_SLICE_NS;
	if (deadline != QUEUE_FOREVER) {
		int64_t d = deadline - now_mono_ns();
		if (d <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (d < left)
			left = d;
	}
	struct timespec ts = { (time_t)(left / NSEC_PER_SEC), (long)(left % NSEC_PER_SEC) };
	if (futex(word, FUTEX_WAIT, val, &ts) < 0 && errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT)
		return -1;
	return 0;
}

static void futex_wake(uint32_t *word, uint32_t n)
{
	futex(word, FUTEX_WAKE, n > INT_MAX ? INT_MAX : n, NULL);
}

/* Sleepers are counted so that a put or take makes the wake-up system
 * call only when someone sleeps. The one that wakes them sets the count
 * to 0 and wakes them all; a sleeper that wakes to an unchanged sequence
 * (its time slice ended, a signal) takes itself off the count. So a
 * process killed while asleep is counted only until the next wake-up. */
static bool claim_sleepers(uint32_t *sleepers)
{
	if (!*sleepers)
		return false;
	*sleepers = 0;
	return true;
}

static void unsleep(uint32_t *sleepers, const uint32_t *seq_word, uint32_t seq)
{
	if (*seq_word == seq && *sleepers)
		(*sleepers)--;
}

static int lock_attr_init(pthread_mutexattr_t *ma)
{
	int e = pthread_mutexattr_init(ma);
	if (!e)
		e = pthread_mutexattr_setpshared(ma, PTHREAD_PROCESS_SHARED);
	if (!e)
		e = pthread_mutexattr_setrobust(ma, PTHREAD_MUTEX_ROBUST);
	if (e && e != ENOMEM)
		pthread_mutexattr_destroy(ma);
	return e;
}

/* The thread that holds the lock, from the lock word (glibc keeps the
 * owner's thread ID there, as the kernel's robust futexes require); 0 when
 * unknown. */
static int lock_owner(const struct ring_hdr *h)
{
#ifdef __GLIBC__
	return __atomic_load_n(&h->lock.__data.__lock, __ATOMIC_RELAXED) & FUTEX_TID_MASK;
#else
	(void)h;
	return 0;
#endif
}

/* Is the lock still the kind of mutex ring_init makes? Another kind (a
 * damaged header) would make pthread_mutex_lock do something else. */
static bool lock_kind_ok(const struct ring_hdr *h)
{
#ifdef __GLIBC__
	pthread_mutexattr_t ma;
	pthread_mutex_t m;
	if (lock_attr_init(&ma) != 0)
		return true;
	bool ok = true;
	if (pthread_mutex_init(&m, &ma) == 0) {
		ok = __atomic_load_n(&h->lock.__data.__kind, __ATOMIC_RELAXED) == m.__data.__kind;
		pthread_mutex_destroy(&m);
	}
	pthread_mutexattr_destroy(&ma);
	return ok;
#else
	(void)h;
	return true;
#endif
}

/* A SIGBUS while a ring is read or written: the object was truncated
 * under us, or its memory taken away. The access is abandoned by a jump
 * to bus_jmp, set around ring_open, each put, take and info; outside them,
 * SIGBUS keeps its default action. Thread-local so that no other thread
 * can jump into this one's stack. */
static __thread sigjmp_buf *bus_jmp;
#define BUS_GONE "part of it is gone (the object was truncated while in use: SIGBUS)"

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* Only a fault of this thread's own access (si_code > 0) is jumped
	 * out of; a SIGBUS sent with kill(2) has its default action. */
	if (bus_jmp && si && si->si_code > 0)
		siglongjmp(*bus_jmp, 1);
	signal(sig, SIG_DFL); /* a fault recurs, a kill is raised again: killed as before */
	if (!si || si->si_code <= 0)
		raise(sig);
}

/* SA_NODEFER: SIGBUS stays deliverable after the jump out of the handler. */
static int bus_catch(struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, old);
}

static void ring_damaged(struct ctx *ctx, const struct ring *r, const char *why)
{
	msg_warn(ctx->prog, "%s: damaged ring: %s", r->name, why);
	fprintf(stderr, "Nothing more is taken from it or put into it; 'ipcdemo shm info --name %s' shows it, "
			"'ipcdemo shm unlink --name %s' removes it.\n",
		r->name, r->name);
}

/* Take the lock by the deadline, in slices, so that a stop request or the
 * deadline ends the wait even when the holder never lets go. Returns what
 * pthread_mutex_clocklock returned (0, EOWNERDEAD, ...), ETIMEDOUT or
 * EINTR. */
static int lock_wait(struct ctx *ctx, struct ring *r, int64_t deadline, bool quiet)
{
	int64_t start = now_mono_ns();
	bool said = quiet || ctx->opt.quiet;
	for (;;) {
		int64_t until = now_mono_ns() + LOCK_SLICE_NS;
		if (deadline < until)
			until = deadline;
		struct timespec ts = { (time_t)(until / NSEC_PER_SEC), (long)(until % NSEC_PER_SEC) };
		int e = pthread_mutex_clocklock(&r->h->lock, CLOCK_MONOTONIC, &ts);
		if (e != ETIMEDOUT)
			return e;
		int64_t now = now_mono_ns();
		if (stop_requested())
			return EINTR;
		if (now >= deadline)
			return ETIMEDOUT;
		if (!said && now - start >= LOCK_NOTE_NS) {
			int tid = lock_owner(r->h);
			msg_warn(ctx->prog, "waiting for the lock of %s, held by thread %d for 2s now", r->name, tid);
			said = true;
		}
	}
}

/* The deadline of a wait for the lock: the operation's, or for an
 * operation that does not wait (QUEUE_NOWAIT) a short one with --nonblock,
 * else --timeout from now. */
static int64_t lock_deadline(const struct ctx *ctx, int64_t deadline)
{
	if (deadline != QUEUE_NOWAIT)
		return deadline;
	if (queue_opts(ctx)->nonblock)
		return now_mono_ns() + LOCK_NOWAIT_NS;
	if (ctx->opt.given[OP_TIMEOUT])
		return now_mono_ns() + ctx->opt.timeout;
	return QUEUE_FOREVER;
}

static void ring_unlock(struct ring *r)
{
	pthread_mutex_unlock(&r->h->lock);
}

enum { ENTER_QUIET = 1 };

/* Just locked (dead: from a holder that died): recover the lock, check
 * the header into *ix and, after a death, repair the counters. 1 when
 * repaired, 0, or -1 with why. */
static int ring_locked(struct ring *r, bool dead, struct ring_index *ix, char *why, size_t len)
{
	struct ring_hdr *h = r->h;
	if (dead) {
		pthread_mutex_consistent(&h->lock);
		h->recovered++;
	}
	if (ring_index_read(h, &r->g, ix, !dead, why, len) < 0)
		return -1;
	return dead ? ring_repair(h, r->slots, &r->g, ix, why, len) : 0;
}

/* Take the lock and check the header under it: its geometry unchanged,
 * head, tail, put and taken consistent (*ix). A lock whose holder died is
 * recovered: its counters are repaired from the slots. Returns 0 with the
 * lock held; -1 with errno ETIMEDOUT or EINTR (after saying who holds the
 * lock, for ETIMEDOUT); -2 after a diagnostic: the ring is damaged, the
 * lock failed, or (--nonblock) it stayed held. ENTER_QUIET: no
 * diagnostics. */
static int ring_enter(struct ctx *ctx, struct ring *r, int64_t deadline, struct ring_index *ix, int flags)
{
	bool quiet = flags & ENTER_QUIET;
	char why[RING_WHY];
	struct ring_hdr *h = r->h;
	if (!lock_kind_ok(h)) {
		if (!quiet)
			ring_damaged(ctx, r, "its lock is not the robust process-shared mutex ipcdemo makes");
		return -2;
	}
	int e = lock_wait(ctx, r, deadline, quiet);
	if (!quiet)
		r->lock_held = e == ETIMEDOUT;
	if (e == ETIMEDOUT && !quiet) {
		msg_warn(ctx->prog, "%s: its lock is held by thread %d and was not released in time; giving up", r->name,
			 lock_owner(h));
		fprintf(stderr, "A process stuck holding it, or a damaged ring: 'ipcdemo shm info --name %s' shows it.\n",
			r->name);
		if (queue_opts(ctx)->nonblock)
			return -2;
	}
	if (e == ETIMEDOUT || e == EINTR) {
		errno = e;
		return -1;
	}
	if (e && e != EOWNERDEAD) {
		/* A lock of the right kind that cannot be taken: its other
		 * words were overwritten. */
		snprintf(why, sizeof(why), "taking its lock fails: %s", strerror(e));
		if (!quiet)
			ring_damaged(ctx, r, why);
		return -2;
	}
	int repaired = ring_locked(r, e == EOWNERDEAD, ix, why, sizeof(why));
	if (repaired < 0) {
		ring_unlock(r);
		if (!quiet)
			ring_damaged(ctx, r, why);
		return -2;
	}
	if (e == EOWNERDEAD && !quiet && !ctx->opt.quiet)
		msg_warn(ctx->prog, "a process died holding the lock of %s; the ring is intact%s, carrying on", r->name,
			 repaired ? " (its message counters repaired)" : "");
	return 0;
}

/* Sleep while *seq_word is still seq, counted in *sleepers. 0 once woken
 * (or the slice ended); -1 with errno EINTR (a stop request) or ETIMEDOUT,
 * off the count again; -2 after a diagnostic. */
static int ring_sleep(struct ctx *ctx, struct ring *r, uint32_t *sleepers, uint32_t *seq_word, uint32_t seq,
		      int64_t deadline)
{
	int e = 0;
	if (stop_requested())
		e = EINTR;
	else if (futex_sleep(seq_word, seq, deadline) < 0)
		e = errno;
	if (!e)
		return 0;
	struct ring_index ix;
	if (ring_enter(ctx, r, now_mono_ns() + LOCK_UNSLEEP_NS, &ix, ENTER_QUIET) == 0) {
		unsleep(sleepers, seq_word, seq);
		ring_unlock(r);
	}
	errno = e;
	if (e != EINTR && e != ETIMEDOUT) {
		msg_syserr(ctx->prog, "futex wait on %s", r->name);
		return -2;
	}
	return -1;
}

static int ring_init(struct ctx *ctx, struct ring *r, uint32_t slots, uint32_t slot_size)
{
	struct ring_hdr *h = r->h;
	pthread_mutexattr_t ma;
	memset((char *)h + sizeof(h->magic), 0, sizeof(*h) - sizeof(h->magic));
	h->version = RING_VERSION;
	h->hdr_size = r->g.hdr_size;
	h->slots = slots;
	h->slot_size = slot_size;
	h->stride = r->g.stride;
	int e = lock_attr_init(&ma);
	if (!e) {
		e = pthread_mutex_init(&h->lock, &ma);
		pthread_mutexattr_destroy(&ma);
	}
	if (e) {
		errno = e;
		msg_syserr(ctx->prog, "initialise the lock of %s", r->name);
		return -1;
	}
	__atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
	return 0;
}

static int ring_map(struct ctx *ctx, struct ring *r, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (p == MAP_FAILED) {
		msg_syserr(ctx->prog, "mmap %s", r->name);
		return -1;
	}
	r->h = p;
	r->size = size;
	return 0;
}

/* Create the ring. Returns 0, 1 when it exists already, -1 on error. */
static int ring_create(struct ctx *ctx, struct ring *r, uint32_t slots, uint32_t slot_size)
{
	size_t size;
	uint32_t stride;
	if (!ring_layout(slots, slot_size, &stride, &size)) {
		errno = EINVAL;
		msg_syserr(ctx->prog, "a ring of %u slots of %u bytes", slots, slot_size);
		return -1;
	}
	r->fd = shm_open(r->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, ctx->opt.mode);
	if (r->fd < 0) {
		if (errno == EEXIST)
			return 1;
		msg_syserr(ctx->prog, "shm_open %s", r->name);
		return -1;
	}
	/* shm_open obeys the umask; --mode is what was asked for. */
	if (fchmod(r->fd, ctx->opt.mode) < 0 || ftruncate(r->fd, (off_t)size) < 0) {
		msg_syserr(ctx->prog, "set up %s (%zu bytes)", r->name, size);
		shm_unlink(r->name);
		return -1;
	}
	if (ring_map(ctx, r, size) < 0) {
		shm_unlink(r->name);
		return -1;
	}
	/* The magic first, so that others can tell a ring being set up from
	 * an object that is not a ring (it lands in the first page, which
	 * ftruncate made); 'ready' last. */
	memcpy(r->h->magic, RING_MAGIC, sizeof(r->h->magic));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* Reserve the memory now: a ring larger than /dev/shm has room for
	 * fails here, not with SIGBUS in the middle of a run. */
	int e = posix_fallocate(r->fd, 0, (off_t)size);
	if (e) {
		errno = e;
		msg_syserr(ctx->prog, "allocate %zu bytes for %s", size, r->name);
		if (e == ENOSPC)
			fprintf(stderr, "/dev/shm has no room for that many bytes; choose fewer --slots or a smaller "
					"--slot-size (df -h /dev/shm).\n");
		shm_unlink(r->name);
		return -1;
	}
	r->g = (struct ring_geom){ slots, slot_size, stride, (uint32_t)(size - (size_t)slots * stride), size };
	if (ring_init(ctx, r, slots, slot_size) < 0) {
		shm_unlink(r->name);
		return -1;
	}
	r->slots = (char *)r->h + r->g.hdr_size;
	return 0;
}

/* Memory behind every byte of the object? A ring we make is allocated
 * whole (posix_fallocate); a sparse one is someone else's, and writing
 * to it could fail with SIGBUS when /dev/shm has no room. */
static bool fully_backed(const struct stat *st)
{
	return (uint64_t)st->st_blocks * 512 >= (uint64_t)st->st_size;
}

enum { ATTACH_DAMAGED = -3 };

/* Open an existing ring and check it. A creator may still be setting it
 * up: wait for it a little (for its magic, a few microseconds after it
 * made the object; for 'ready', up to 2 s). What never shows the magic is
 * not a ring and is left alone. Returns 0, 1 (gone: create it), -1 after a
 * diagnostic, ATTACH_DAMAGED with r->why (and r->h mapping the header, for
 * info). */
static int ring_attach(struct ctx *ctx, struct ring *r, bool create)
{
	struct stat st;
	int64_t give_up = now_mono_ns() + 2 * NSEC_PER_SEC;
	r->fd = shm_open(r->name, O_RDWR | O_CLOEXEC, 0);
	if (r->fd < 0) {
		if (errno == ENOENT && create)
			return 1; /* removed in between: create it after all */
		int e = errno;
		msg_syserr(ctx->prog, "shm_open %s", r->name);
		if (e == ENOENT)
			fprintf(stderr, "No such object; 'ipcdemo shm create --name %s' makes one.\n", r->name);
		return -1;
	}
	int64_t start = now_mono_ns();
	for (;;) {
		if (fstat(r->fd, &st) < 0) {
			msg_syserr(ctx->prog, "stat %s", r->name);
			return -1;
		}
		bool magic = false;
		if ((size_t)st.st_size >= sizeof(struct ring_hdr)) {
			if (ring_map(ctx, r, sizeof(struct ring_hdr)) < 0)
				return -1;
			magic = memcmp(r->h->magic, RING_MAGIC, sizeof(r->h->magic)) == 0;
			if (magic && __atomic_load_n(&r->h->ready, __ATOMIC_ACQUIRE))
				break;
			munmap(r->h, r->size);
			r->h = NULL;
		}
		int64_t now = now_mono_ns();
		if (!magic && now - start > 200 * NSEC_PER_MSEC) {
			msg_warn(ctx->prog, "%s is not an ipcdemo ring (%lld bytes, no ring header); not touching it",
				 r->name, (long long)st.st_size);
			return -1;
		}
		if (now > give_up || stop_requested()) {
			msg_warn(ctx->prog, "%s is a ring whose creator never finished setting it up (it died?); "
					    "'ipcdemo shm unlink --name %s' removes it",
				 r->name, r->name);
			return -1;
		}
		sleep_ns(magic ? 10 * NSEC_PER_MSEC : NSEC_PER_MSEC);
	}
	/* Again, now that the creator said 'ready': the stat above may be from
	 * before it finished reserving the memory. */
	if (fstat(r->fd, &st) < 0) {
		msg_syserr(ctx->prog, "stat %s", r->name);
		return -1;
	}
	struct ring_geom g;
	int c = ring_check_geom(r->h, (size_t)st.st_size, &g, r->why, sizeof(r->why));
	if (c == RING_FOREIGN) {
		msg_warn(ctx->prog, "%s is not an ipcdemo ring (or one of another version); not touching it", r->name);
		return -1;
	}
	if (c == RING_OK && !fully_backed(&st)) {
		snprintf(r->why, sizeof(r->why),
			 "only %llu of its %llu bytes have memory behind them (a sparse object: not a ring ipcdemo made)",
			 (unsigned long long)st.st_blocks * 512, (unsigned long long)st.st_size);
		c = RING_DAMAGED;
	}
	if (c == RING_OK && !lock_kind_ok(r->h)) {
		snprintf(r->why, sizeof(r->why), "its lock is not the robust process-shared mutex ipcdemo makes");
		c = RING_DAMAGED;
	}
	if (c == RING_DAMAGED)
		return ATTACH_DAMAGED;
	munmap(r->h, r->size);
	r->h = NULL;
	const struct shm_opts *o = shm_opts(ctx);
	if ((o->given.slots && o->slots != g.slots) || (o->given.slot_size && o->slot_size != g.slot_size)) {
		msg_warn(ctx->prog, "%s exists with %u slot%s of %u bytes, not what --slots/--slot-size ask for",
			 r->name, g.slots, g.slots == 1 ? "" : "s", g.slot_size);
		fprintf(stderr, "A ring's size is fixed when it is created; 'ipcdemo shm unlink --name %s' first.\n",
			r->name);
		return -1;
	}
	if (ring_map(ctx, r, g.size) < 0)
		return -1;
	r->g = g;
	r->slots = (char *)r->h + g.hdr_size;
	return 0;
}

/* Returns 0, -1 after a diagnostic, or (info only, report false)
 * ATTACH_DAMAGED. */
static int open_ring(struct ctx *ctx, struct ring *r, bool create, bool report)
{
	const struct opts *o = &ctx->opt;
	uint32_t slots, slot_size;
	wanted_geometry(ctx, &slots, &slot_size);
	for (int tries = 0; tries < 10; tries++) {
		if (create) {
			int c = ring_create(ctx, r, slots, slot_size);
			if (c < 0)
				return -1;
			if (c == 0) {
				if (!o->quiet)
					msg_warn(ctx->prog, "created ring %s (%u slot%s of %u bytes, mode %04o)", r->name,
						 slots, slots == 1 ? "" : "s", slot_size, (unsigned)o->mode);
				return 0;
			}
		}
		int a = ring_attach(ctx, r, create);
		if (a == ATTACH_DAMAGED && report) {
			ring_damaged(ctx, r, r->why);
			return -1;
		}
		if (a <= 0)
			return a;
		close(r->fd);
		r->fd = -1;
	}
	msg_warn(ctx->prog, "%s keeps appearing and disappearing; giving up", r->name);
	return -1;
}

static int ring_open(struct ctx *ctx, struct ring *r, bool create, bool report)
{
	sigjmp_buf jb;
	if (sigsetjmp(jb, 0)) {
		bus_jmp = NULL;
		ring_damaged(ctx, r, BUS_GONE);
		return -1;
	}
	bus_jmp = &jb;
	int rc = open_ring(ctx, r, create, report);
	bus_jmp = NULL;
	return rc;
}

/* Unmap and close; remove the name too when asked (--unlink). */
static void ring_close(struct ctx *ctx, struct ring *r, bool remove)
{
	if (r->h)
		munmap(r->h, r->size);
	if (r->fd >= 0)
		close(r->fd);
	free(r->b.buf);
	if (remove && shm_unlink(r->name) < 0 && errno != ENOENT)
		msg_syserr(ctx->prog, "shm_unlink %s", r->name);
}

/* Put as many of the messages in buf as there are free slots, under one
 * lock; sleep on space_seq while the ring is full. *done: the bytes of
 * the whole messages that went in, on every return. */
static int send_msgs(struct ctx *ctx, struct ring *r, const char *buf, size_t len, int64_t deadline, size_t *done,
		     bool *reported)
{
	struct ring_hdr *h = r->h;
	size_t off = 0;
	bool waiting = false;
	uint32_t seq = 0;
	*done = 0;
	while (off < len) {
		struct ring_index ix;
		int l = ring_enter(ctx, r, lock_deadline(ctx, deadline), &ix, 0);
		if (l < 0) {
			*reported = l == -2;
			return -1;
		}
		if (waiting) {
			unsleep(&h->space_waiters, &h->space_seq, seq);
			waiting = false;
		}
		/* A message that fits no slot fails at once, full ring or not. */
		bool too_big = queue_next_len(buf + off, len - off) > r->g.slot_size;
		uint32_t put = 0;
		if (!too_big)
			put = ring_put_image(h, r->slots, &r->g, &ix, buf, len, &off, &too_big);
		bool wake = false;
		if (put) {
			h->data_seq++;
			wake = claim_sleepers(&h->data_waiters);
		}
		bool full = off < len && !too_big;
		if (full && deadline != QUEUE_NOWAIT) {
			h->space_waiters++;
			waiting = true;
			seq = h->space_seq;
		}
		ring_unlock(r);
		if (wake)
			futex_wake(&h->data_seq, INT_MAX);
		*done = off;
		if (too_big) {
			errno = EMSGSIZE;
			return -1;
		}
		if (!full)
			break;
		if (!waiting) {
			errno = EAGAIN;
			return -1;
		}
		if (!r->said_full && !ctx->opt.quiet) {
			msg_warn(ctx->prog, "%s is full (%u slot%s); waiting for a consumer", r->name, r->g.slots,
				 r->g.slots == 1 ? "" : "s");
			r->said_full = true;
		}
		int w = ring_sleep(ctx, r, &h->space_waiters, &h->space_seq, seq, deadline);
		if (w == -2)
			*reported = true;
		if (w < 0)
			return -1;
	}
	*done = len;
	return 0;
}

static int shm_send_msgs(struct ctx *ctx, void *impl, const char *buf, size_t len, int64_t deadline, size_t *done,
			 bool *reported)
{
	struct ring *r = impl;
	sigjmp_buf jb;
	*done = 0;
	if (sigsetjmp(jb, 0)) {
		bus_jmp = NULL;
		ring_damaged(ctx, r, BUS_GONE);
		*reported = true;
		return -1;
	}
	bus_jmp = &jb;
	int rc = send_msgs(ctx, r, buf, len, deadline, done, reported);
	bus_jmp = NULL;
	return rc;
}

static uint64_t shm_pending(void *impl)
{
	const struct ring *r = impl;
	return r->bcount;
}

/* Take up to a batch of messages (no more than want) under one lock.
 * 0; -1 with errno EAGAIN, ETIMEDOUT or EINTR; -2 after a diagnostic. */
static int take_batch(struct ctx *ctx, struct ring *r, int64_t deadline, uint64_t want)
{
	struct ring_hdr *h = r->h;
	bool waiting = false;
	uint32_t seq = 0;
	for (;;) {
		struct ring_index ix;
		char why[RING_WHY];
		int l = ring_enter(ctx, r, lock_deadline(ctx, deadline), &ix, 0);
		if (l < 0)
			return l;
		if (waiting) {
			unsleep(&h->data_waiters, &h->data_seq, seq);
			waiting = false;
		}
		if (ring_take_image(h, r->slots, &r->g, &ix, want, &r->b, why, sizeof(why)) < 0) {
			ring_unlock(r);
			ring_damaged(ctx, r, why);
			return -2;
		}
		if (r->b.msgs || r->b.freed) {
			h->space_seq++;
			bool wake = r->b.freed && claim_sleepers(&h->space_waiters);
			ring_unlock(r);
			if (wake)
				futex_wake(&h->space_seq, INT_MAX);
			if (!r->b.msgs)
				continue;
			r->bpos = 0;
			r->bcount = r->b.msgs;
			return 0;
		}
		if (deadline == QUEUE_NOWAIT) {
			ring_unlock(r);
			errno = EAGAIN;
			return -1;
		}
		h->data_waiters++;
		waiting = true;
		seq = h->data_seq;
		ring_unlock(r);
		int w = ring_sleep(ctx, r, &h->data_waiters, &h->data_seq, seq, deadline);
		if (w < 0)
			return w;
	}
}

static int ring_take(struct ctx *ctx, struct ring *r, int64_t deadline, uint64_t want)
{
	sigjmp_buf jb;
	if (sigsetjmp(jb, 0)) {
		bus_jmp = NULL;
		ring_damaged(ctx, r, BUS_GONE);
		return -2;
	}
	bus_jmp = &jb;
	int rc = take_batch(ctx, r, deadline, want);
	bus_jmp = NULL;
	return rc;
}

/* The next message, where the batch holds it (whole, checked records:
 * ring_take): no copy. */
static ssize_t shm_recv_ref(struct ctx *ctx, void *impl, const char **msg, int64_t deadline, uint64_t want,
			    bool *reported)
{
	struct ring *r = impl;
	if (r->bcount == 0) {
		int t = ring_take(ctx, r, deadline, want);
		if (t == -2)
			*reported = true;
		if (t < 0)
			return -1;
	}
	uint32_t m;
	memcpy(&m, r->b.buf + r->bpos, REC);
	*msg = r->b.buf + r->bpos + REC;
	r->bpos += REC + m;
	r->bcount--;
	return (ssize_t)m;
}

static ssize_t shm_recv_msg(struct ctx *ctx, void *impl, char *buf, size_t cap, int64_t deadline, uint64_t want,
			    bool *truncated, bool *reported)
{
	const char *msg;
	ssize_t m = shm_recv_ref(ctx, impl, &msg, deadline, want, reported);
	*truncated = false;
	if (m < 0)
		return -1;
	size_t n = (size_t)m < cap ? (size_t)m : cap;
	memcpy(buf, msg, n);
	return (ssize_t)n;
}

static void shm_explain(struct ctx *ctx, void *impl, int err, size_t len)
{
	const struct ring *r = impl;
	(void)ctx;
	if (r->lock_held)
		return; /* ring_enter said who holds the lock */
	if (err == EMSGSIZE)
		fprintf(stderr, "A %zu-byte message does not fit a %u-byte slot; create the ring with a larger "
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

static int shm_setup(struct ctx *ctx, struct ring *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (bus_catch(NULL) < 0) {
		msg_syserr(ctx->prog, "sigaction SIGBUS");
		return EXIT_FAIL;
	}
	return posix_name(ctx, r->name, sizeof(r->name));
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
	if (ring_open(ctx, &r, true, true) < 0) {
		ring_close(ctx, &r, queue_opts(ctx)->unlink);
		return EXIT_FAIL;
	}
	const struct queue_ops ops = { shm_send_msgs, shm_recv_msg, shm_pending, BATCH_BYTES, true, r.name,
				       shm_explain };
	rc = queue_produce(ctx, &ops, &r);
	ring_close(ctx, &r, queue_opts(ctx)->unlink);
	return rc;
}

/* The consumer's batch: 64 KiB, or a slot's records when larger. */
static int batch_alloc(struct ctx *ctx, struct ring *r)
{
	r->b.cap = BATCH_BYTES > r->g.stride ? BATCH_BYTES : r->g.stride;
	r->b.buf = malloc(r->b.cap);
	if (!r->b.buf) {
		msg_syserr(ctx->prog, "allocate a %zu-byte buffer", r->b.cap);
		return -1;
	}
	return 0;
}

static int shm_consume(struct ctx *ctx)
{
	struct ring r;
	struct consumer c;
	int rc = shm_setup(ctx, &r);
	if (rc)
		return rc;
	if (ring_open(ctx, &r, true, true) < 0 || batch_alloc(ctx, &r) < 0 || consumer_init(&c, ctx) < 0) {
		ring_close(ctx, &r, queue_opts(ctx)->unlink);
		return EXIT_FAIL;
	}
	const struct queue_ops ops = { shm_send_msgs, shm_recv_msg, shm_pending, BATCH_BYTES, false, r.name,
				       shm_explain, shm_recv_ref };
	rc = queue_consume(ctx, &c, &ops, &r, r.g.slot_size);
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
	uint32_t slots, slot_size;
	wanted_geometry(ctx, &slots, &slot_size);
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

/* head, tail, put and taken read without the lock, while others use the
 * ring: retried until head stays the same across the read, so that head
 * and tail belong together. 0, -1 with why (damaged), 1 when the ring
 * kept changing (nothing to judge). */
static int index_unlocked(const struct ring_hdr *h, const struct ring_geom *g, struct ring_index *ix, char *why,
			  size_t len)
{
	for (int i = 0; i < 1000; i++) {
		uint64_t before = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
		int c = ring_index_read(h, g, ix, false, why, len);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&h->head, __ATOMIC_RELAXED) == before && (c < 0 || ix->head == before))
			return c;
	}
	return 1;
}

/* What info shows: the header as read, under the lock when it could be
 * had, and the damage found. */
struct info_snap {
	struct ring_hdr h;
	const char *lock; /* "free", "held", "unknown" */
	int owner;        /* thread holding it, when held */
	char why[RING_WHY]; /* "" when intact */
};

static void read_info(struct ctx *ctx, struct ring *r, struct info_snap *s)
{
	struct ring_index ix;
	uint64_t msgs;
	int e = lock_wait(ctx, r, now_mono_ns() + LOCK_INFO_NS, true);
	if (e == 0 || e == EOWNERDEAD) {
		s->lock = "free";
		if (ring_locked(r, e == EOWNERDEAD, &ix, s->why, sizeof(s->why)) == 0)
			ring_walk(r->slots, &r->g, &ix, &msgs, s->why, sizeof(s->why));
		memcpy(&s->h, r->h, sizeof(s->h));
		ring_unlock(r);
		return;
	}
	s->lock = "held";
	s->owner = lock_owner(r->h);
	memcpy(&s->h, r->h, sizeof(s->h));
	if (e != ETIMEDOUT && e != EINTR) {
		snprintf(s->why, sizeof(s->why), "taking its lock fails: %s", strerror(e));
		s->lock = "unknown";
		return;
	}
	if (index_unlocked(r->h, &r->g, &ix, s->why, sizeof(s->why)) > 0)
		s->why[0] = '\0';
}

static void info_read(struct ctx *ctx, struct ring *r, struct info_snap *s)
{
	sigjmp_buf jb;
	if (sigsetjmp(jb, 0)) {
		bus_jmp = NULL;
		memset(&s->h, 0, sizeof(s->h));
		s->lock = "unknown";
		snprintf(s->why, sizeof(s->why), "%s", BUS_GONE);
		return;
	}
	bus_jmp = &jb;
	read_info(ctx, r, s);
	bus_jmp = NULL;
}

static void info_print(struct ctx *ctx, const struct ring *r, const struct stat *st, const struct info_snap *s)
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
	struct info_snap s;
	int rc = shm_setup(ctx, &r);
	if (rc)
		return rc;
	memset(&s, 0, sizeof(s));
	int a = ring_open(ctx, &r, false, false);
	if (a == -1 || fstat(r.fd, &st) < 0) {
		if (a == 0)
			msg_syserr(ctx->prog, "stat %s", r.name);
		ring_close(ctx, &r, false);
		return EXIT_FAIL;
	}
	if (a == ATTACH_DAMAGED) {
		/* Only the header is mapped; its lock is not to be trusted. */
		memcpy(&s.h, r.h, sizeof(s.h));
		s.lock = "unknown";
		snprintf(s.why, sizeof(s.why), "%s", r.why);
	} else {
		info_read(ctx, &r, &s);
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
	if (shm_unlink(r.name) < 0) {
		msg_syserr(ctx->prog, "shm_unlink %s", r.name);
		return EXIT_FAIL;
	}
	if (!ctx->opt.quiet)
		printf("removed %s\n", r.name);
	return EXIT_OK;
}

/* ring_peek's look at a header of an object of st's size. */
static bool peek_header(const struct ring_hdr *h, const struct stat *st, struct ring_peek *p)
{
	struct ring_geom g;
	struct ring_index ix;
	char why[RING_WHY];
	int c = ring_check_geom(h, (size_t)st->st_size, &g, why, sizeof(why));
	if (c == RING_FOREIGN)
		return false;
	p->note = NULL;
	if (c == RING_OK &&
	    (!fully_backed(st) || !lock_kind_ok(h) || index_unlocked(h, &g, &ix, why, sizeof(why)) < 0))
		c = RING_DAMAGED;
	if (c == RING_DAMAGED)
		p->note = __atomic_load_n(&h->ready, __ATOMIC_RELAXED) == 1
				  ? "damaged ring ('ipcdemo shm info' says why)"
				  : "ring not set up (being created, or its creator died)";
	p->slots = __atomic_load_n(&h->slots, __ATOMIC_RELAXED);
	p->slot_size = __atomic_load_n(&h->slot_size, __ATOMIC_RELAXED);
	uint64_t put = __atomic_load_n(&h->put, __ATOMIC_RELAXED);
	uint64_t taken = __atomic_load_n(&h->taken, __ATOMIC_RELAXED);
	p->messages = put > taken ? put - taken : 0;
	return true;
}

bool ring_peek(const char *name, struct ring_peek *p)
{
	struct stat st;
	bool ok = false;
	int fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(struct ring_hdr)) {
		const struct ring_hdr *h = mmap(NULL, sizeof(*h), PROT_READ, MAP_SHARED, fd, 0);
		if (h != MAP_FAILED) {
			/* Truncated meanwhile: SIGBUS, caught for the look. */
			struct sigaction old;
			sigjmp_buf jb;
			bool caught = bus_catch(&old) == 0;
			if (sigsetjmp(jb, 0) == 0) {
				bus_jmp = &jb;
				ok = peek_header(h, &st, p);
			} else {
				ok = false;
			}
			bus_jmp = NULL;
			if (caught)
				sigaction(SIGBUS, &old, NULL);
			munmap((void *)(uintptr_t)h, sizeof(*h));
		}
	}
	close(fd);
	return ok;
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
	const char *prod[] = { "--name", name, "--slots", "4", "--slot-size", "16", "--source", "counter",
			       "--count", "10", "--seq", "--id", "10", NULL };
	const char *cons[] = { "--name", name, "--slots", "4", "--slot-size", "16", "--count", "10",
			       "--verify", "--timeout", "10s", NULL };
	/* A ring of its own, never one that exists (its messages are not ours). */
	struct ring r;
	memset(&r, 0, sizeof(r));
	r.fd = -1;
	snprintf(r.name, sizeof(r.name), "%s", name);
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
		{ "producer", "produce", prod, 0, true },
		{ "consumer", "consume", cons, NSEC_PER_SEC, false },
	};
	int st = demo_run(ctx, roles, 2);
	if (shm_unlink(name) < 0 && errno != ENOENT) {
		msg_syserr(ctx->prog, "shm_unlink %s", name);
		if (st == EXIT_OK)
			st = EXIT_FAIL;
	}
	return st;
}

#define RING_OPTIONS                                                                                            \
	{ .def = &queue_opt_name,                                                                               \
	  .help = "the ring (default: /ipcdemo; a leading slash is added), created if missing" },               \
		{ .def = &opt_slots, .help = "slots of a ring we create (default: 64)" },                       \
		{ .def = &opt_slot_size, .help = "largest message of a ring we create (default: 4k)" },         \
		{ .id = OP_MODE, .help = "permissions of a ring we create (default 0600)" }

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
	{ "produce", "write messages into a shared-memory ring", "[options] [MESSAGE...]",
	  "Opens the ring (creating it, mode 0600, if missing) and puts each message in a slot,\n"
	  "echoing it on stdout. When every slot is full it sleeps until a consumer frees one.",
	  produce_opts, 0, -1, shm_produce },
	{ "consume", "take messages from a shared-memory ring", "[options]",
	  "Opens the ring (creating it if missing) and prints each message it takes, oldest first.\n"
	  "Any number of producers and consumers share one ring; each message goes to one consumer.",
	  consume_opts, 0, 0, shm_consume },
	{ "create", "create a ring with a given number and size of slots", "[options]",
	  "Creates the object with shm_open(O_CREAT | O_EXCL), sizes it and sets up the ring.", create_opts, 0, 0,
	  shm_create_verb },
	{ "info", "show a ring's size, mode and how many messages it holds", "[options]",
	  "Prints the ring's geometry and counters: messages queued, put and taken, sleepers.", info_opts, 0, 0,
	  shm_info_verb },
	{ "unlink", "remove a ring", "[options]",
	  "Removes the name with shm_unlink(3); processes that have it mapped keep using it.", unlink_opts, 0, 0,
	  shm_unlink_verb },
	{ "rm", "the same as unlink", "[options]", NULL, unlink_opts, 0, 0, shm_unlink_verb },
	{ "demo", "a producer fills a small ring and sleeps until a consumer comes", "[options]", NULL, demo_opts, 0,
	  0, shm_demo },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

const struct mechanism mech_shm = {
	.name = "shm",
	.summary = "POSIX shared memory: a ring buffer with futex wake-ups",
	.description = "Shared memory is the fastest way between processes: a message is copied in once and out\n"
		"once, with no system call when neither side has to wait. The cost is that the processes\n"
		"must synchronise themselves: here a robust process-shared mutex and futexes.",
	.verbs = shm_verbs,
	.opt_scope = &shm_opt_scope,
};

static const struct queue_ops shm_bench_ops = { shm_send_msgs, shm_recv_msg, shm_pending, BATCH_BYTES, false,
						"benchmark ring", shm_explain };

static void *shm_bench_open(struct ctx *ctx, const char *name, size_t size)
{
	struct ring *r = calloc(1, sizeof(*r));
	if (!r) {
		msg_syserr(ctx->prog, "allocate memory");
		return NULL;
	}
	r->fd = -1;
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (ring_create(ctx, r, SHM_DEFAULT_SLOTS, (uint32_t)(size < 16 ? 16 : size)) != 0) {
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		return NULL;
	}
	if (batch_alloc(ctx, r) < 0) {
		munmap(r->h, r->size);
		close(r->fd);
		shm_unlink(r->name);
		free(r);
		return NULL;
	}
	return r;
}

static void shm_bench_close(struct ctx *ctx, void *impl)
{
	struct ring *r = impl;
	ring_close(ctx, r, true);
	free(r);
}

const struct queue_bench shm_bench = { shm_bench_open, &shm_bench_ops, shm_bench_close };
