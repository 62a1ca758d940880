/* SPDX-License-Identifier: MIT */
/* The shared-memory ring as an object (ring.h): created in or attached to
 * a shm_open(3) object, its robust process-shared lock taken and a dead
 * holder's recovered, when to sleep and wake (the futex calls and the
 * polling of --spin are in ring_wait.c), the put and take of messages
 * under the lock (on the image functions of ring.c), a SIGBUS from a
 * truncated object caught, and the looks of 'info' and 'ls'. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/io.h"
#include "ipcdemo/explain.h"
#include "ipcdemo/message.h"
#include "ipcdemo/ring.h"
#include "ipcdemo/util.h"
#include "ipcdemo/wait.h"
#include "ipcdemo/ring_narrate.h"

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

#define REC RING_REC

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

int ring_catch_bus(void)
{
	return bus_catch(NULL);
}

static void ring_damaged(struct ctx *ctx, const struct ring *r, const char *why)
{
	msg_warn(ctx->prog, "%s: damaged ring: %s", r->name, why);
	fprintf(stderr,
		"Nothing more is taken from it or put into it; 'ipcdemo shm info --name %s' shows it, "
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
		struct timespec ts = { .tv_sec = (time_t)(until / NSEC_PER_SEC),
				       .tv_nsec = (long)(until % NSEC_PER_SEC) };
		int e = pthread_mutex_clocklock(&r->h->lock, CLOCK_MONOTONIC, &ts);
		if (e != ETIMEDOUT)
			return e;
		int64_t now = now_mono_ns();
		if (stop_requested())
			return EINTR;
		if (now >= deadline)
			return ETIMEDOUT;
		if (!said && now - start >= LOCK_NOTE_NS) {
			note_wait(ctx, WAIT_LOCK, "the lock of %s is held by thread %d for 2s now; waiting for it",
				  r->name, ring_lock_owner(r->h));
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
 * recovered: its counters are repaired from the slots. Returns IO_OK with
 * the lock held; IO_TIMEOUT (after saying who holds the lock) or IO_STOP;
 * IO_FAILED_REPORTED after a diagnostic: the ring is damaged, the lock
 * failed, or (--nonblock) it stayed held. ENTER_QUIET: no diagnostics (a
 * failure is still IO_FAILED_REPORTED). */
static enum io_result ring_enter(struct ctx *ctx, struct ring *r, int64_t deadline, struct ring_index *ix, int flags)
{
	bool quiet = flags & ENTER_QUIET;
	char why[RING_WHY];
	struct ring_hdr *h = r->h;
	if (!ring_lock_kind_ok(h)) {
		if (!quiet)
			ring_damaged(ctx, r, "its lock is not the robust process-shared mutex ipcdemo makes");
		return IO_FAILED_REPORTED;
	}
	int e = lock_wait(ctx, r, deadline, quiet);
	if (!quiet)
		r->lock_held = e == ETIMEDOUT;
	if (e == ETIMEDOUT && !quiet) {
		msg_warn(ctx->prog, "%s: its lock is held by thread %d and was not released in time; giving up",
			 r->name, ring_lock_owner(h));
		fprintf(stderr,
			"A process stuck holding it, or a damaged ring: 'ipcdemo shm info --name %s' shows it.\n",
			r->name);
		if (queue_opts(ctx)->nonblock)
			return IO_FAILED_REPORTED;
	}
	if (e == ETIMEDOUT || e == EINTR)
		return io_from_errno(e);
	if (e && e != EOWNERDEAD) {
		/* A lock of the right kind that cannot be taken: its other
		 * words were overwritten. */
		snprintf(why, sizeof(why), "taking its lock fails: %s", strerror(e));
		if (!quiet)
			ring_damaged(ctx, r, why);
		return IO_FAILED_REPORTED;
	}
	int repaired = ring_locked(r, e == EOWNERDEAD, ix, why, sizeof(why));
	if (repaired < 0) {
		ring_unlock(r);
		if (!quiet)
			ring_damaged(ctx, r, why);
		return IO_FAILED_REPORTED;
	}
	if (e == EOWNERDEAD && !quiet && !ctx->opt.quiet)
		msg_warn(ctx->prog, "a process died holding the lock of %s; the ring is intact%s, carrying on", r->name,
			 repaired ? " (its message counters repaired)" : "");
	return IO_OK;
}

/* Sleep while *seq_word is still seq, counted in *sleepers. IO_OK once
 * woken (or the slice ended); IO_STOP (a stop request) or IO_TIMEOUT, off
 * the count again; IO_FAILED_REPORTED. */
static enum io_result ring_sleep(struct ctx *ctx, struct ring *r, uint32_t *sleepers, uint32_t *seq_word, uint32_t seq,
				 int64_t deadline)
{
	int e = 0;
	if (stop_requested())
		e = EINTR;
	else if (ring_futex_sleep(ctx, seq_word, seq, deadline, seq_word == &r->h->data_seq, &r->told_sleep) < 0)
		e = errno;
	if (!e)
		return IO_OK;
	struct ring_index ix;
	if (ring_enter(ctx, r, now_mono_ns() + LOCK_UNSLEEP_NS, &ix, ENTER_QUIET) == IO_OK) {
		unsleep(sleepers, seq_word, seq);
		ring_unlock(r);
	}
	errno = e;
	if (e != EINTR && e != ETIMEDOUT) {
		msg_syserr(ctx->prog, "futex wait on %s", r->name);
		return IO_FAILED_REPORTED;
	}
	return io_from_errno(e);
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
	int e = ring_lock_attr_init(&ma);
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
	void *p = ringn_mmap(ctx, r->fd, size, size != sizeof(struct ring_hdr));
	if (p == MAP_FAILED) {
		msg_syserr(ctx->prog, "mmap %s", r->name);
		return -1;
	}
	r->h = p;
	r->size = size;
	return 0;
}

/* Create the ring. Returns 0, 1 when it exists already, -1 on error. */
int ring_create(struct ctx *ctx, struct ring *r, uint32_t slots, uint32_t slot_size)
{
	size_t size;
	uint32_t stride;
	if (!ring_layout(slots, slot_size, &stride, &size)) {
		errno = EINVAL;
		msg_syserr(ctx->prog, "a ring of %u slots of %u bytes", slots, slot_size);
		return -1;
	}
	r->fd = ringn_shm_open(ctx, r->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, ctx->opt.mode);
	if (r->fd < 0) {
		if (errno == EEXIST)
			return 1;
		msg_syserr(ctx->prog, "shm_open %s", r->name);
		return -1;
	}
	/* shm_open obeys the umask; --mode is what was asked for. */
	if (ringn_fchmod(ctx, r->fd, ctx->opt.mode) < 0 || ringn_ftruncate(ctx, r->fd, (off_t)size) < 0) {
		msg_syserr(ctx->prog, "set up %s (%zu bytes)", r->name, size);
		ringn_shm_unlink(ctx, r->name, RINGN_UNMADE);
		return -1;
	}
	if (ring_map(ctx, r, size) < 0) {
		ringn_shm_unlink(ctx, r->name, RINGN_UNMADE);
		return -1;
	}
	/* The magic first, so that others can tell a ring being set up from
	 * an object that is not a ring (it lands in the first page, which
	 * ftruncate made); 'ready' last. */
	memcpy(r->h->magic, RING_MAGIC, sizeof(r->h->magic));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* Reserve the memory now: a ring larger than /dev/shm has room for
	 * fails here, not with SIGBUS in the middle of a run. */
	int e = ringn_fallocate(ctx, r->fd, (off_t)size);
	if (e) {
		errno = e;
		msg_syserr(ctx->prog, "allocate %zu bytes for %s", size, r->name);
		if (e == ENOSPC)
			fprintf(stderr, "/dev/shm has no room for that many bytes; choose fewer --slots or a smaller "
					"--slot-size (df -h /dev/shm).\n");
		ringn_shm_unlink(ctx, r->name, RINGN_UNMADE);
		return -1;
	}
	r->g = (struct ring_geom){ .slots = slots,
				   .slot_size = slot_size,
				   .stride = stride,
				   .hdr_size = (uint32_t)(size - (size_t)slots * stride),
				   .size = size };
	if (ring_init(ctx, r, slots, slot_size) < 0) {
		ringn_shm_unlink(ctx, r->name, RINGN_UNMADE);
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

/* Map the header of the ring open at r->fd once its creator has set it
 * up. A creator may still be doing so: wait for it a little (for its
 * magic, a few microseconds after it made the object; for 'ready', up to
 * 2 s). What never shows the magic is not a ring and is left alone.
 * Returns 0 with r->h mapping the header, -1 after a diagnostic. */
static int attach_wait(struct ctx *ctx, struct ring *r, int64_t give_up)
{
	struct stat st;
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
				return 0;
			ringn_munmap(ctx, r->h, r->size, "not set up yet: look again in a moment");
			r->h = NULL;
		}
		int64_t now = now_mono_ns();
		if (!magic && now - start > 200 * NSEC_PER_MSEC) {
			msg_warn(ctx->prog, "%s is not an ipcdemo ring (%lld bytes, no ring header); not touching it",
				 r->name, (long long)st.st_size);
			return -1;
		}
		if (now > give_up || stop_requested()) {
			msg_warn(ctx->prog,
				 "%s is a ring whose creator never finished setting it up (it died?); "
				 "'ipcdemo shm unlink --name %s' removes it",
				 r->name, r->name);
			return -1;
		}
		sleep_ns(magic ? 10 * NSEC_PER_MSEC : NSEC_PER_MSEC);
	}
}

/* Check the header that attach_wait mapped against the object's size, now
 * that the creator said 'ready' (a stat before may be from before it
 * finished reserving the memory). RING_OK with *g; -1 after a diagnostic
 * (not a ring); RING_DAMAGED with r->why. */
static int attach_check(struct ctx *ctx, struct ring *r, struct ring_geom *g)
{
	struct stat st;
	if (fstat(r->fd, &st) < 0) {
		msg_syserr(ctx->prog, "stat %s", r->name);
		return -1;
	}
	int c = ring_check_geom(r->h, (size_t)st.st_size, g, r->why, sizeof(r->why));
	if (c == RING_FOREIGN) {
		msg_warn(ctx->prog, "%s is not an ipcdemo ring (or one of another version); not touching it", r->name);
		return -1;
	}
	if (c == RING_OK && !fully_backed(&st)) {
		snprintf(r->why, sizeof(r->why),
			 "only %llu of its %llu bytes have memory behind them (a sparse object: not a ring ipcdemo "
			 "made)",
			 (unsigned long long)st.st_blocks * 512, (unsigned long long)st.st_size);
		c = RING_DAMAGED;
	}
	if (c == RING_OK && !ring_lock_kind_ok(r->h)) {
		snprintf(r->why, sizeof(r->why), "its lock is not the robust process-shared mutex ipcdemo makes");
		c = RING_DAMAGED;
	}
	return c;
}

/* Open an existing ring and check it (spec: the geometry it must have;
 * NULL: any). Returns 0, 1 (gone: create it), -1 after a diagnostic,
 * RING_ATTACH_DAMAGED with r->why (and r->h mapping the header, for
 * info). */
static int ring_attach(struct ctx *ctx, struct ring *r, const struct ring_spec *spec, bool create)
{
	int64_t give_up = now_mono_ns() + 2 * NSEC_PER_SEC;
	r->fd = ringn_shm_open(ctx, r->name, O_RDWR | O_CLOEXEC, 0);
	if (r->fd < 0) {
		if (errno == ENOENT && create)
			return 1; /* removed in between: create it after all */
		int e = errno;
		msg_syserr(ctx->prog, "shm_open %s", r->name);
		if (e == ENOENT)
			fprintf(stderr, "No such object; 'ipcdemo shm create --name %s' makes one.\n", r->name);
		return -1;
	}
	if (attach_wait(ctx, r, give_up) < 0)
		return -1;
	struct ring_geom g;
	int c = attach_check(ctx, r, &g);
	if (c < 0)
		return -1;
	if (c == RING_DAMAGED)
		return RING_ATTACH_DAMAGED;
	ringn_munmap(ctx, r->h, r->size, "the header said how large the ring is: the whole of it is mapped next");
	r->h = NULL;
	if (spec && ((spec->fixed_slots && spec->slots != g.slots) ||
		     (spec->fixed_slot_size && spec->slot_size != g.slot_size))) {
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
 * RING_ATTACH_DAMAGED. */
static int open_ring(struct ctx *ctx, struct ring *r, const struct ring_spec *spec, bool create, bool report)
{
	const struct opts *o = &ctx->opt;
	uint32_t slots = spec ? spec->slots : SHM_DEFAULT_SLOTS;
	uint32_t slot_size = spec ? spec->slot_size : SHM_DEFAULT_SLOT_SIZE;
	for (int tries = 0; tries < 10; tries++) {
		if (create) {
			int c = ring_create(ctx, r, slots, slot_size);
			if (c < 0)
				return -1;
			if (c == 0) {
				if (!o->quiet)
					msg_warn(ctx->prog, "created ring %s (%u slot%s of %u bytes, mode %04o)",
						 r->name, slots, slots == 1 ? "" : "s", slot_size, (unsigned)o->mode);
				return 0;
			}
		}
		int a = ring_attach(ctx, r, spec, create);
		if (a == RING_ATTACH_DAMAGED && report) {
			ring_damaged(ctx, r, r->why);
			return -1;
		}
		if (a <= 0)
			return a;
		explain_close(ctx, r->fd, "removed in between: create it after all");
		r->fd = -1;
	}
	msg_warn(ctx->prog, "%s keeps appearing and disappearing; giving up", r->name);
	return -1;
}

int ring_open(struct ctx *ctx, struct ring *r, const struct ring_spec *spec, bool create, bool report)
{
	sigjmp_buf jb;
	if (sigsetjmp(jb, 0)) {
		bus_jmp = NULL;
		ring_damaged(ctx, r, BUS_GONE);
		return -1;
	}
	bus_jmp = &jb;
	int rc = open_ring(ctx, r, spec, create, report);
	bus_jmp = NULL;
	return rc;
}

/* Unmap and close; remove the name too when asked (--unlink). */
void ring_close(struct ctx *ctx, struct ring *r, bool remove)
{
	if (r->h)
		ringn_munmap(ctx, r->h, r->size, "unmapped: the ring and its messages stay in the object");
	if (r->fd >= 0)
		explain_close(ctx, r->fd, "our descriptor is gone; the object stays until shm_unlink");
	free(r->b.buf);
	if (remove && ringn_shm_unlink(ctx, r->name, "--unlink: the name is gone; who has it mapped keeps it") < 0 &&
	    errno != ENOENT)
		msg_syserr(ctx->prog, "shm_unlink %s", r->name);
}

/* Put as many of the messages in buf as there are free slots, under one
 * lock; sleep on space_seq while the ring is full. Returns as
 * queue_ops.send; *done: the bytes of the whole messages that went in, on
 * every return. */
static enum io_result send_msgs(struct ctx *ctx, struct ring *r, const char *buf, size_t len, int64_t deadline,
				size_t *done)
{
	struct ring_hdr *h = r->h;
	size_t off = 0;
	bool waiting = false, spun = false;
	int64_t spin_end = 0;
	uint32_t seq = 0;
	*done = 0;
	while (off < len) {
		struct ring_index ix;
		enum io_result l = ring_enter(ctx, r, lock_deadline(ctx, deadline), &ix, 0);
		if (l != IO_OK)
			return l;
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
			spun = false; /* a new wait, a new poll */
			spin_end = 0;
		}
		bool full = off < len && !too_big;
		/* --spin: poll for room first, unseen by the takers. */
		bool spin = full && deadline != QUEUE_NOWAIT && r->spin_ns > 0 && !spun;
		seq = h->space_seq;
		if (full && deadline != QUEUE_NOWAIT && !spin) {
			h->space_waiters++;
			waiting = true;
		}
		ring_unlock(r);
		if (wake)
			ring_futex_wake(ctx, &h->data_seq, INT_MAX, true, &r->told_wake);
		if (explaining(ctx))
			explain_messages(ctx, msg_count(buf + *done, off - *done));
		*done = off;
		if (too_big)
			return io_from_errno(EMSGSIZE);
		if (!full)
			break;
		if (spin) {
			spun = ring_spin(&h->space_seq, seq, &spin_end, r->spin_ns, deadline) == SPIN_OVER;
			continue;
		}
		if (!waiting)
			return IO_AGAIN;
		enum io_result w = ring_sleep(ctx, r, &h->space_waiters, &h->space_seq, seq, deadline);
		if (w != IO_OK)
			return w;
	}
	*done = len;
	return IO_OK;
}

enum io_result ring_send(struct ctx *ctx, struct ring *r, const char *buf, size_t len, int64_t deadline, size_t *done)
{
	sigjmp_buf jb;
	*done = 0;
	if (sigsetjmp(jb, 0)) {
		bus_jmp = NULL;
		ring_damaged(ctx, r, BUS_GONE);
		return IO_FAILED_REPORTED;
	}
	bus_jmp = &jb;
	enum io_result rc = send_msgs(ctx, r, buf, len, deadline, done);
	bus_jmp = NULL;
	return rc;
}

/* Take up to a batch of messages (no more than want) under one lock.
 * IO_OK; IO_AGAIN, IO_TIMEOUT or IO_STOP; IO_FAILED_REPORTED. */
static enum io_result take_batch(struct ctx *ctx, struct ring *r, int64_t deadline, uint64_t want)
{
	struct ring_hdr *h = r->h;
	bool waiting = false, spun = false;
	int64_t spin_end = 0;
	uint32_t seq = 0;
	for (;;) {
		struct ring_index ix;
		char why[RING_WHY];
		enum io_result l = ring_enter(ctx, r, lock_deadline(ctx, deadline), &ix, 0);
		if (l != IO_OK)
			return l;
		if (waiting) {
			unsleep(&h->data_waiters, &h->data_seq, seq);
			waiting = false;
		}
		if (ring_take_image(h, r->slots, &r->g, &ix, want, &r->b, why, sizeof(why)) < 0) {
			ring_unlock(r);
			ring_damaged(ctx, r, why);
			return IO_FAILED_REPORTED;
		}
		if (r->b.msgs || r->b.freed) {
			h->space_seq++;
			bool wake = r->b.freed && claim_sleepers(&h->space_waiters);
			ring_unlock(r);
			if (wake)
				ring_futex_wake(ctx, &h->space_seq, INT_MAX, false, &r->told_wake);
			if (explaining(ctx))
				explain_messages(ctx, r->b.msgs);
			if (!r->b.msgs)
				continue;
			r->bpos = 0;
			r->bcount = r->b.msgs;
			return IO_OK;
		}
		if (deadline == QUEUE_NOWAIT) {
			ring_unlock(r);
			return IO_AGAIN;
		}
		seq = h->data_seq;
		if (r->spin_ns > 0 && !spun) {
			/* --spin: poll for a message first, unseen by the putters. */
			ring_unlock(r);
			spun = ring_spin(&h->data_seq, seq, &spin_end, r->spin_ns, deadline) == SPIN_OVER;
			continue;
		}
		h->data_waiters++;
		waiting = true;
		ring_unlock(r);
		enum io_result w = ring_sleep(ctx, r, &h->data_waiters, &h->data_seq, seq, deadline);
		if (w != IO_OK)
			return w;
	}
}

enum io_result ring_take(struct ctx *ctx, struct ring *r, int64_t deadline, uint64_t want)
{
	sigjmp_buf jb;
	if (sigsetjmp(jb, 0)) {
		bus_jmp = NULL;
		ring_damaged(ctx, r, BUS_GONE);
		return IO_FAILED_REPORTED;
	}
	bus_jmp = &jb;
	enum io_result rc = take_batch(ctx, r, deadline, want);
	bus_jmp = NULL;
	return rc;
}

/* The consumer's batch: 64 KiB, or a slot's records when larger. */
int ring_batch_alloc(struct ctx *ctx, struct ring *r)
{
	r->b.cap = RING_BATCH_BYTES > r->g.stride ? RING_BATCH_BYTES : r->g.stride;
	r->b.buf = malloc(r->b.cap);
	if (!r->b.buf) {
		msg_syserr(ctx->prog, "allocate a %zu-byte buffer", r->b.cap);
		return -1;
	}
	return 0;
}

static void read_info(struct ctx *ctx, struct ring *r, struct ring_info *s)
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
	s->owner = ring_lock_owner(r->h);
	memcpy(&s->h, r->h, sizeof(s->h));
	if (e != ETIMEDOUT && e != EINTR) {
		snprintf(s->why, sizeof(s->why), "taking its lock fails: %s", strerror(e));
		s->lock = "unknown";
		return;
	}
	if (ring_index_unlocked(r->h, &r->g, &ix, s->why, sizeof(s->why)) > 0)
		s->why[0] = '\0';
}

void ring_read_info(struct ctx *ctx, struct ring *r, struct ring_info *s)
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
	    (!fully_backed(st) || !ring_lock_kind_ok(h) || ring_index_unlocked(h, &g, &ix, why, sizeof(why)) < 0))
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
