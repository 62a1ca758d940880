/* SPDX-License-Identifier: MIT */
/* shm: a ring buffer of messages in POSIX shared memory (shm_open(3),
 * mmap(2)), shared by any number of producers and consumers. A robust
 * process-shared mutex guards the indices; waiting is on futexes, so a
 * full or empty ring puts its users to sleep instead of spinning. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#define ALIGN64(x) (((x) + 63) & ~(size_t)63)
/* A consumer takes up to this many bytes of messages per lock. */
#define BATCH_BYTES ((size_t)64 << 10)

struct ring {
	char name[NAME_MAX + 2];
	int fd;
	struct ring_hdr *h;
	size_t size;
	char *slots;
	bool sending;
	bool said_full;
	/* Messages taken by this consumer, not yet delivered: [u32 len][bytes]... */
	char *batch;
	size_t bcap, bpos, bend;
	uint64_t bcount;
};

/* A slot: struct slot_head, then records of [u32 length][message], as many
 * whole messages of one put as fit; one record of slot_size bytes always
 * fits. The consumer's batch holds records in the same form. A consumer
 * that takes only some of a slot's messages (-n) moves its start on: one
 * aligned 4-byte store, so a process killed at any point leaves the slot
 * whole. Messages are counted by walking the records, never trusted from
 * the slot: a damaged slot costs its messages, not a crash. */
struct slot_head {
	uint32_t start; /* first record not yet taken */
	uint32_t used;  /* end of the records */
};
#define REC ((size_t)sizeof(uint32_t))

static size_t slot_room(uint32_t slot_size)
{
	return REC + (size_t)slot_size;
}

static size_t ring_bytes(uint32_t slots, uint32_t slot_size, size_t *stride)
{
	*stride = ALIGN64(sizeof(struct slot_head) + slot_room(slot_size));
	return ALIGN64(sizeof(struct ring_hdr)) + (size_t)slots * *stride;
}

static char *slot_at(const struct ring *r, uint64_t n)
{
	return r->slots + (size_t)(n % r->h->slots) * r->h->stride;
}

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

static int ring_lock(struct ctx *ctx, struct ring *r)
{
	int e = pthread_mutex_lock(&r->h->lock);
	if (e == EOWNERDEAD) {
		/* Its holder died. Indices only change at the very end of a put or
		 * a take, so what they say is consistent: carry on. */
		pthread_mutex_consistent(&r->h->lock);
		r->h->recovered++;
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "a process died holding the lock of %s; the ring is intact, carrying on",
				 r->name);
		return 0;
	}
	if (e) {
		errno = e;
		msg_syserr(ctx->prog, "lock %s", r->name);
		return -1;
	}
	return 0;
}

static void ring_unlock(struct ring *r)
{
	pthread_mutex_unlock(&r->h->lock);
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
	if (ring_lock(ctx, r) == 0) {
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
	size_t stride;
	ring_bytes(slots, slot_size, &stride);
	memset((char *)h + sizeof(h->magic), 0, sizeof(*h) - sizeof(h->magic));
	h->version = RING_VERSION;
	h->hdr_size = (uint32_t)ALIGN64(sizeof(struct ring_hdr));
	h->slots = slots;
	h->slot_size = slot_size;
	h->stride = (uint32_t)stride;
	int e = pthread_mutexattr_init(&ma);
	if (!e)
		e = pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	if (!e)
		e = pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	if (!e)
		e = pthread_mutex_init(&h->lock, &ma);
	pthread_mutexattr_destroy(&ma);
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
	size_t stride;
	size_t size = ring_bytes(slots, slot_size, &stride);
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
	if (ring_init(ctx, r, slots, slot_size) < 0) {
		shm_unlink(r->name);
		return -1;
	}
	r->slots = (char *)r->h + r->h->hdr_size;
	return 0;
}

/* Open an existing ring and check it. A creator may still be setting it
 * up: wait for it a little (for its magic, a few microseconds after it
 * made the object; for 'ready', up to 2 s). What never shows the magic is
 * not a ring and is left alone. */
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
	struct ring_hdr h = *r->h;
	munmap(r->h, r->size);
	r->h = NULL;
	size_t stride;
	size_t need = h.slots ? ring_bytes(h.slots, h.slot_size, &stride) : 0;
	if (memcmp(h.magic, RING_MAGIC, sizeof(h.magic)) != 0 || h.version != RING_VERSION || h.slots == 0 ||
	    h.stride != stride || h.hdr_size != ALIGN64(sizeof(struct ring_hdr)) || (size_t)st.st_size < need) {
		msg_warn(ctx->prog, "%s is not an ipcdemo ring (or one of another version); not touching it",
			 r->name);
		return -1;
	}
	const struct opts *o = &ctx->opt;
	if ((o->given[OP_SLOTS] && o->slots != h.slots) || (o->given[OP_SLOT_SIZE] && o->slot_size != h.slot_size)) {
		msg_warn(ctx->prog, "%s exists with %u slot%s of %u bytes, not what --slots/--slot-size ask for",
			 r->name, h.slots, h.slots == 1 ? "" : "s", h.slot_size);
		fprintf(stderr, "A ring's size is fixed when it is created; 'ipcdemo shm unlink --name %s' first.\n",
			r->name);
		return -1;
	}
	if (ring_map(ctx, r, need) < 0)
		return -1;
	r->slots = (char *)r->h + r->h->hdr_size;
	return 0;
}

static int ring_open(struct ctx *ctx, struct ring *r, bool create)
{
	const struct opts *o = &ctx->opt;
	uint32_t slots = o->given[OP_SLOTS] ? (uint32_t)o->slots : SHM_DEFAULT_SLOTS;
	uint32_t slot_size = o->given[OP_SLOT_SIZE] ? (uint32_t)o->slot_size : SHM_DEFAULT_SLOT_SIZE;
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
		if (a <= 0)
			return a;
		close(r->fd);
		r->fd = -1;
	}
	msg_warn(ctx->prog, "%s keeps appearing and disappearing; giving up", r->name);
	return -1;
}

/* Unmap and close; remove the name too when asked (--unlink). */
static void ring_close(struct ctx *ctx, struct ring *r, bool remove)
{
	if (r->h)
		munmap(r->h, r->size);
	if (r->fd >= 0)
		close(r->fd);
	free(r->batch);
	if (remove && shm_unlink(r->name) < 0 && errno != ENOENT)
		msg_syserr(ctx->prog, "shm_unlink %s", r->name);
}

/* Put as many of the messages in buf as there are free slots, under one
 * lock; sleep on space_seq while the ring is full. */
static int shm_send_msgs(struct ctx *ctx, void *impl, const char *buf, size_t len, int64_t deadline, size_t *done,
			 bool *reported)
{
	struct ring *r = impl;
	struct ring_hdr *h = r->h;
	size_t off = 0;
	bool waiting = false;
	uint32_t seq = 0;
	*done = 0;
	while (off < len) {
		if (ring_lock(ctx, r) < 0) {
			*reported = true;
			return -1;
		}
		if (waiting) {
			unsleep(&h->space_waiters, &h->space_seq, seq);
			waiting = false;
		}
		uint32_t put = 0;
		/* A message that fits no slot fails at once, full ring or not. */
		bool too_big = queue_next_len(buf + off, len - off) > h->slot_size;
		size_t room = slot_room(h->slot_size);
		while (!too_big && off < len && h->head - h->tail < h->slots) {
			char *s = slot_at(r, h->head);
			char *rec = s + sizeof(struct slot_head);
			struct slot_head sh = { 0, 0 };
			uint32_t count = 0;
			while (off < len) {
				size_t m = queue_next_len(buf + off, len - off);
				if (m > h->slot_size) {
					too_big = count == 0;
					break;
				}
				if (sh.used + REC + m > room)
					break;
				uint32_t m32 = (uint32_t)m;
				memcpy(rec + sh.used, &m32, REC);
				memcpy(rec + sh.used + REC, buf + off, m);
				sh.used += (uint32_t)(REC + m);
				count++;
				off += m;
			}
			if (!count)
				break;
			memcpy(s, &sh, sizeof(sh));
			h->head++;
			h->put += count;
			put++;
		}
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
			msg_warn(ctx->prog, "%s is full (%u slot%s); waiting for a consumer", r->name, h->slots,
				 h->slots == 1 ? "" : "s");
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

static uint64_t shm_pending(void *impl)
{
	const struct ring *r = impl;
	return r->bcount;
}

/* Take up to a batch of messages (no more than want) under one lock. */
static int ring_take(struct ctx *ctx, struct ring *r, int64_t deadline, uint64_t want)
{
	struct ring_hdr *h = r->h;
	bool waiting = false;
	uint32_t seq = 0;
	for (;;) {
		if (ring_lock(ctx, r) < 0)
			return -2;
		if (waiting) {
			unsleep(&h->data_waiters, &h->data_seq, seq);
			waiting = false;
		}
		uint64_t avail = h->head - h->tail;
		size_t used = 0;
		uint64_t k = 0, freed = 0;
		const size_t room = slot_room(h->slot_size);
		while (avail && (want == 0 || k < want)) {
			char *s = slot_at(r, h->tail);
			const char *rec = s + sizeof(struct slot_head);
			struct slot_head sh;
			memcpy(&sh, s, sizeof(sh));
			size_t end = sh.used > room ? room : sh.used;
			size_t pos = sh.start > end ? end : sh.start, p = pos;
			uint64_t got = 0;
			bool more = false; /* whole records left in the slot */
			while (p + REC <= end) {
				uint32_t m;
				memcpy(&m, rec + p, REC);
				if (m > end - p - REC)
					break; /* damaged: the rest is lost */
				if ((want && k + got >= want) || used + (p - pos) + REC + m > r->bcap) {
					more = true;
					break;
				}
				p += REC + m;
				got++;
			}
			memcpy(r->batch + used, rec + pos, p - pos);
			used += p - pos;
			k += got;
			if (more) {
				if (got) {
					uint32_t start = (uint32_t)p;
					__atomic_store_n((uint32_t *)(void *)s, start, __ATOMIC_RELAXED);
					h->taken += got;
				}
				break; /* the rest of the slot stays for the next take */
			}
			h->tail++;
			h->taken += got;
			avail--;
			freed++;
		}
		if (k || freed) {
			h->space_seq++;
			bool wake = freed && claim_sleepers(&h->space_waiters);
			if (!k) {
				/* Only damaged slots: freed, nothing to deliver. */
				ring_unlock(r);
				if (wake)
					futex_wake(&h->space_seq, INT_MAX);
				continue;
			}
			ring_unlock(r);
			if (wake)
				futex_wake(&h->space_seq, INT_MAX);
			r->bpos = 0;
			r->bend = used;
			r->bcount = k;
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
	memcpy(&m, r->batch + r->bpos, REC);
	*msg = r->batch + r->bpos + REC;
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
	if (err == EMSGSIZE)
		fprintf(stderr, "A %zu-byte message does not fit a %u-byte slot; create the ring with a larger "
				"--slot-size.\n",
			len, r->h->slot_size);
	else if (err == EAGAIN && r->sending)
		fprintf(stderr, "All %u slot%s full; without --nonblock the producer waits for a consumer.\n",
			r->h->slots, r->h->slots == 1 ? " is" : "s are");
	else if (err == ETIMEDOUT && r->sending)
		fprintf(stderr, "All %u slot%s full for the whole --timeout.\n", r->h->slots,
			r->h->slots == 1 ? " stayed" : "s stayed");
	else if (err == EAGAIN)
		fprintf(stderr, "The ring is empty; without --nonblock the consumer waits for a producer.\n");
}

static int shm_setup(struct ctx *ctx, struct ring *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
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
	if (ring_open(ctx, &r, true) < 0) {
		ring_close(ctx, &r, ctx->opt.unlink);
		return EXIT_FAIL;
	}
	const struct queue_ops ops = { shm_send_msgs, shm_recv_msg, shm_pending, BATCH_BYTES, true, r.name,
				       shm_explain };
	rc = queue_produce(ctx, &ops, &r);
	ring_close(ctx, &r, ctx->opt.unlink);
	return rc;
}

static int shm_consume(struct ctx *ctx)
{
	struct ring r;
	struct consumer c;
	int rc = shm_setup(ctx, &r);
	if (rc)
		return rc;
	if (ring_open(ctx, &r, true) < 0) {
		ring_close(ctx, &r, ctx->opt.unlink);
		return EXIT_FAIL;
	}
	r.bcap = BATCH_BYTES > r.h->stride ? BATCH_BYTES : r.h->stride;
	r.batch = malloc(r.bcap);
	if (!r.batch) {
		msg_syserr(ctx->prog, "allocate a %zu-byte buffer", r.bcap);
		ring_close(ctx, &r, ctx->opt.unlink);
		return EXIT_FAIL;
	}
	if (consumer_init(&c, ctx) < 0) {
		ring_close(ctx, &r, ctx->opt.unlink);
		return EXIT_FAIL;
	}
	const struct queue_ops ops = { shm_send_msgs, shm_recv_msg, shm_pending, BATCH_BYTES, false, r.name,
				       shm_explain, shm_recv_ref };
	rc = queue_consume(ctx, &c, &ops, &r, r.h->slot_size);
	rc = consumer_finish(&c, rc);
	ring_close(ctx, &r, ctx->opt.unlink);
	return rc;
}

static int shm_create_verb(struct ctx *ctx)
{
	struct ring r;
	const struct opts *o = &ctx->opt;
	int rc = shm_setup(ctx, &r);
	if (rc)
		return rc;
	uint32_t slots = o->given[OP_SLOTS] ? (uint32_t)o->slots : SHM_DEFAULT_SLOTS;
	uint32_t slot_size = o->given[OP_SLOT_SIZE] ? (uint32_t)o->slot_size : SHM_DEFAULT_SLOT_SIZE;
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

static int shm_info_verb(struct ctx *ctx)
{
	struct ring r;
	struct stat st;
	struct out o;
	int rc = shm_setup(ctx, &r);
	if (rc)
		return rc;
	if (ring_open(ctx, &r, false) < 0 || fstat(r.fd, &st) < 0) {
		if (r.h)
			msg_syserr(ctx->prog, "stat %s", r.name);
		ring_close(ctx, &r, false);
		return EXIT_FAIL;
	}
	if (ring_lock(ctx, &r) < 0) {
		ring_close(ctx, &r, false);
		return EXIT_FAIL;
	}
	struct ring_hdr h = *r.h;
	ring_unlock(&r);
	out_init(&o, stdout, ctx->opt.json);
	out_open(&o);
	out_string(&o, PRINT_ANY, "name", "name:      %s\n", r.name);
	info_owner(&o, st.st_uid, st.st_gid, st.st_mode);
	out_u64(&o, PRINT_ANY, "size", "size:      %llu bytes\n", (uint64_t)st.st_size);
	out_u64(&o, PRINT_ANY, "slots", "slots:     %llu", h.slots);
	out_u64(&o, PRINT_ANY, "slot_size", " of %llu bytes\n", h.slot_size);
	/* A damaged slot can yield more (empty) messages than were put. */
	out_u64(&o, PRINT_ANY, "messages", "messages:  %llu queued", h.put > h.taken ? h.put - h.taken : 0);
	out_u64(&o, PRINT_ANY, "slots_used", " in %llu slot", h.head - h.tail);
	out_string(&o, PRINT_TEXT, NULL, "%s", h.head - h.tail == 1 ? "" : "s");
	out_u64(&o, PRINT_ANY, "put", ", %llu put", h.put);
	out_u64(&o, PRINT_ANY, "taken", ", %llu taken\n", h.taken);
	out_u64(&o, PRINT_ANY, "waiting_producers", "waiting:   producers %llu", h.space_waiters);
	out_u64(&o, PRINT_ANY, "waiting_consumers", ", consumers %llu\n", h.data_waiters);
	out_u64(&o, PRINT_ANY, "recovered", "recovered: %llu (locks of processes that died holding them)", h.recovered);
	out_close(&o);
	ring_close(ctx, &r, false);
	return EXIT_OK;
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
			if (memcmp(h->magic, RING_MAGIC, sizeof(h->magic)) == 0 && h->version == RING_VERSION) {
				p->slots = h->slots;
				p->slot_size = h->slot_size;
				uint64_t put = __atomic_load_n(&h->put, __ATOMIC_RELAXED);
				uint64_t taken = __atomic_load_n(&h->taken, __ATOMIC_RELAXED);
				p->messages = put > taken ? put - taken : 0;
				ok = true;
			}
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

#define RING_OPTIONS                                                                            \
	{ OP_NAME, "the ring (default: /ipcdemo; a leading slash is added), created if missing" }, \
		{ OP_SLOTS, "slots of a ring we create (default: 64)" },                          \
		{ OP_SLOT_SIZE, "largest message of a ring we create (default: 4k)" },             \
	{                                                                                         \
		OP_MODE, "permissions of a ring we create (default 0600)"                         \
	}

static const struct verb_opt produce_opts[] = {
	RING_OPTIONS,
	{ OP_NONBLOCK, "fail at once (exit 1) when every slot is full" },
	{ OP_TIMEOUT, "wait at most DURATION for a free slot (exit 4)" },
	PRODUCER_OPTIONS,
	{ OP_JSON, "print the --stats summary as JSON" },
	{ OP_LABEL, "print TEXT before each echoed message" },
	{ OP_QUIET, NULL },
	{ OP_UNLINK, "remove the ring on exit" },
	{ OP_END, NULL },
};

static const struct verb_opt consume_opts[] = {
	RING_OPTIONS,
	CONSUMER_OPTIONS,
	{ OP_NONBLOCK, "take what is in the ring now and exit; exit 1 if it is empty" },
	{ OP_LABEL, NULL },
	{ OP_QUIET, "print no notes on stderr" },
	{ OP_UNLINK, "remove the ring on exit" },
	{ OP_END, NULL },
};

static const struct verb_opt create_opts[] = {
	{ OP_NAME, "the ring (default: /ipcdemo; a leading slash is added)" },
	{ OP_SLOTS, "number of slots (default: 64)" },
	{ OP_SLOT_SIZE, "largest message, newline included (default: 4k)" },
	{ OP_MODE, "permissions (default 0600)" },
	{ OP_QUIET, "print nothing" },
	{ OP_END, NULL },
};

static const struct verb_opt info_opts[] = {
	{ OP_NAME, "the ring (default: /ipcdemo)" },
	{ OP_JSON, "print one JSON object" },
	{ OP_END, NULL },
};

static const struct verb_opt unlink_opts[] = {
	{ OP_NAME, "the ring (default: /ipcdemo)" },
	{ OP_QUIET, "print nothing" },
	{ OP_END, NULL },
};

static const struct verb_opt demo_opts[] = {
	{ OP_NAME, "ring to use (default: /ipcdemo-demo-PID, removed at the end)" },
	{ OP_END, NULL },
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
	"shm",
	"POSIX shared memory: a ring buffer with futex wake-ups",
	"Shared memory is the fastest way between processes: a message is copied in once and out\n"
	"once, with no system call when neither side has to wait. The cost is that the processes\n"
	"must synchronise themselves: here a robust process-shared mutex and futexes.",
	shm_verbs,
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
	r->bcap = BATCH_BYTES > r->h->stride ? BATCH_BYTES : r->h->stride;
	r->batch = malloc(r->bcap);
	if (!r->batch) {
		msg_syserr(ctx->prog, "allocate memory");
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
