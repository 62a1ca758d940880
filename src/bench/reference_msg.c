/* SPDX-License-Identifier: MIT */
/* The reference rows of the mechanisms that keep message boundaries: a
 * POSIX message queue, a System V message queue, a unix datagram socket
 * pair and UDP on loopback. One call per message on each side
 * (mq_send and mq_receive, msgsnd and msgrcv, send and recv), waiting
 * without a timeout as detailyang's posixq and lmbench do,
 * no lines, no output: the floor of the mq, sysv, unix dgram and udp rows,
 * with the same queue attributes as those rows. */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "ipcdemo/util.h"

enum bare_msg_kind { BARE_MQ, BARE_SYSV, BARE_DGRAM, BARE_UDP };

/* A UDP reader stops after half a second without a datagram. */
#define BARE_UDP_IDLE_NS (500 * NSEC_PER_MSEC)
#define BARE_UDP_MAX 65507

/* One way of one channel, made before the fork: a queue, or a socket pair
 * (fd[0] the reader's, fd[1] the writer's). */
struct bare_msgq {
	enum bare_msg_kind kind;
	mqd_t mqd;
	char name[64];
	char path[108]; /* a unix reader's socket file, "" none */
	int id;
	int fd[2];
	/* The message buffer: a long (System V's type), then the text. The
	 * two queues of a round-trip channel share one, so that the echo
	 * sends what it received where it is. */
	char *buf;
	bool owns_buf;
};

/* The capacity of a queue we make: the mq row's (fs.mqueue.msg_default,
 * which its verbs get without --maxmsg); System V's msgmnb is the
 * system's default for both. */
static long bare_mq_maxmsg(void)
{
	long long v = sysctl_read("/proc/sys/fs/mqueue/msg_default");
	return v > 0 ? (long)v : 10;
}

/* A datagram way as the rows' verbs make it: the reader bound to an
 * address (a socket file in dir, or a loopback port), not connected; the
 * writer connected to it. A unix reader that is not connected back to
 * the writer holds at most net.unix.max_dgram_qlen datagrams, as the unix
 * dgram row's consumer. 0, or -1 with errno. */
static int bare_dgram_way(struct bare_msgq *q, const char *dir, int seq)
{
	struct sockaddr_storage a;
	socklen_t al;
	int family = q->kind == BARE_UDP ? AF_INET : AF_UNIX;
	memset(&a, 0, sizeof(a));
	if (family == AF_UNIX) {
		struct sockaddr_un *u = (struct sockaddr_un *)&a;
		u->sun_family = AF_UNIX;
		int n = snprintf(q->path, sizeof(q->path), "%s/bare%d.sock", dir, seq);
		if (n < 0 || (size_t)n >= sizeof(q->path) || (size_t)n >= sizeof(u->sun_path)) {
			q->path[0] = '\0';
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(u->sun_path, q->path, (size_t)n + 1);
		al = sizeof(*u);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&a;
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		al = sizeof(*in);
	}
	q->fd[0] = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (q->fd[0] < 0 || bind(q->fd[0], (struct sockaddr *)&a, al) < 0 ||
	    getsockname(q->fd[0], (struct sockaddr *)&a, &al) < 0)
		return -1;
	q->fd[1] = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return q->fd[1] < 0 || connect(q->fd[1], (struct sockaddr *)&a, al) < 0 ? -1 : 0;
}

/* Make the way: 0, or -1 with errno. size: the message size; dir: where
 * a socket file goes. */
static int bare_msgq_make(struct bare_msgq *q, enum bare_msg_kind k, size_t size, const char *dir, int seq, int way)
{
	memset(q, 0, sizeof(*q));
	q->kind = k;
	q->mqd = (mqd_t)-1;
	q->id = -1;
	q->fd[0] = q->fd[1] = -1;
	switch (k) {
	case BARE_MQ: {
		struct mq_attr a;
		memset(&a, 0, sizeof(a));
		a.mq_maxmsg = bare_mq_maxmsg();
		a.mq_msgsize = (long)(size < 16 ? 16 : size); /* as the mq row asks */
		snprintf(q->name, sizeof(q->name), "/ipcdemo-bench-%d-%d-bare%d", (int)getpid(), seq, way);
		q->mqd = mq_open(q->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &a);
		return q->mqd == (mqd_t)-1 ? -1 : 0;
	}
	case BARE_SYSV:
		q->id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		return q->id < 0 ? -1 : 0;
	case BARE_DGRAM:
	case BARE_UDP:
		return bare_dgram_way(q, dir, seq);
	}
	errno = EINVAL;
	return -1;
}

/* Close the sockets (the parent's, after the fork). */
static void bare_msgq_close_fds(struct bare_msgq *q)
{
	for (int i = 0; i < 2; i++)
		if (q->fd[i] >= 0)
			close(q->fd[i]);
	q->fd[0] = q->fd[1] = -1;
}

static void bare_msgq_remove(struct bare_msgq *q)
{
	if (q->mqd != (mqd_t)-1) {
		mq_close(q->mqd);
		mq_unlink(q->name);
	}
	if (q->id >= 0)
		msgctl(q->id, IPC_RMID, NULL);
	if (q->path[0])
		unlink(q->path);
	q->path[0] = '\0';
	bare_msgq_close_fds(q);
	q->mqd = (mqd_t)-1;
	q->id = -1;
}

/* ---- throughput ---- */

/* One message of len bytes at q->buf + sizeof(long), in one call that
 * waits as long as it takes (no timeout: detailyang's posixq and lmbench
 * wait so). 0 or -1 with errno. */
static int bare_msg_send(struct bare_msgq *q, size_t len)
{
	for (;;) {
		int r;
		switch (q->kind) {
		case BARE_MQ:
			r = mq_send(q->mqd, q->buf + sizeof(long), len, 0);
			break;
		case BARE_SYSV:
			r = msgsnd(q->id, q->buf, len, 0);
			break;
		default:
			r = send(q->fd[1], q->buf + sizeof(long), len, 0) == (ssize_t)len ? 0 : -1;
			break;
		}
		if (r == 0 || errno != EINTR || stop_requested())
			return r;
	}
}

/* Receive one message into q->buf + sizeof(long) (cap bytes); its length,
 * or -1 with errno (EAGAIN: a UDP reader's half second went by empty). */
static ssize_t bare_msg_recv(struct bare_msgq *q, size_t cap)
{
	for (;;) {
		ssize_t n;
		switch (q->kind) {
		case BARE_MQ:
			n = mq_receive(q->mqd, q->buf + sizeof(long), cap, NULL);
			break;
		case BARE_SYSV:
			n = msgrcv(q->id, q->buf, cap, 0, 0);
			break;
		default:
			n = recv(q->fd[0], q->buf + sizeof(long), cap, 0);
			break;
		}
		if (n >= 0 || errno != EINTR || stop_requested())
			return n;
	}
}

struct bare_msg_report {
	uint64_t msgs;
	double seconds;
	int err;
	bool idle; /* the UDP reader stopped after its half second */
};

/* A UDP reader stops half a second after the last datagram that came, as
 * the udp row's consumer: what did not come was lost. */
static int bare_udp_idle(const struct bare_msgq *q)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = (suseconds_t)(BARE_UDP_IDLE_NS / 1000) };
	return q->kind != BARE_UDP ? 0 : setsockopt(q->fd[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void bare_msg_child(int i, const struct plan *pl, struct bare_msgq *q, int rep)
{
	pin(i == 0 ? pl->cpu_tx : pl->cpu_rx);
	size_t cap = pl->size < 16 ? 16 : pl->size;
	q->buf = malloc(sizeof(long) + cap);
	if (!q->buf || (i == 1 && bare_udp_idle(q) < 0))
		_exit(EXIT_FAIL);
	memset(q->buf, 'b', sizeof(long) + cap);
	const long type = 1;
	memcpy(q->buf, &type, sizeof(type));
	if (i == 0) {
		if (q->fd[0] >= 0)
			close(q->fd[0]);
		for (uint64_t k = 0; k < pl->msgs && !stop_requested(); k++)
			if (bare_msg_send(q, pl->size) < 0)
				_exit(EXIT_FAIL);
		_exit(EXIT_OK);
	}
	if (q->fd[1] >= 0)
		close(q->fd[1]);
	struct bare_msg_report r;
	memset(&r, 0, sizeof(r)); /* the padding too: the struct is written whole */
	int64_t first = 0, last = 0;
	while (r.msgs < pl->msgs) {
		if (bare_msg_recv(q, cap) < 0) {
			r.err = errno;
			r.idle = q->kind == BARE_UDP && (errno == EAGAIN || errno == EWOULDBLOCK);
			break;
		}
		last = now_mono_ns();
		if (r.msgs++ == 0)
			first = last;
	}
	r.seconds = (double)(last - first) / 1e9;
	_exit(write(rep, &r, sizeof(r)) == (ssize_t)sizeof(r) ? EXIT_OK : EXIT_FAIL);
}

/* Fill in res from the reader's report; the writer's and reader's exit
 * statuses and CPU times. */
static void bare_msg_result(const struct plan *pl, bool lossy, const struct bare_msg_report *r, bool got,
			    const int st[2], const double cpu[2], struct result *res)
{
	/* Lossy: the reader ends after its half second with what came. */
	bool ended = got && (r->msgs == pl->msgs || (lossy && r->idle));
	if (!got || st[0] != 0 || st[1] != 0 || !ended) {
		if (got && r->err)
			snprintf(res->err, sizeof(res->err), "%s: %s", pl->row->name, strerror(r->err));
		else
			snprintf(res->err, sizeof(res->err), "the %s's reader or writer failed", pl->row->name);
		return;
	}
	res->sent = pl->msgs;
	res->received = r->msgs;
	res->tx_calls = pl->msgs; /* a call each */
	res->rx_calls = r->msgs;
	res->seconds = r->seconds;
	res->tx_cpu = cpu[0];
	res->rx_cpu = cpu[1];
	res->ok = r->seconds > 0 && r->msgs >= 2;
	if (!res->ok)
		snprintf(res->err, sizeof(res->err), "too fast to time: use --count or --duration");
}

/* Wait for the reader's report. The calls wait without a timeout, and a
 * queue has no end of file: a writer that failed would leave the reader
 * waiting, so a writer gone with a failure (or a stop request) ends the
 * reader too. The report's size, or -1. */
static ssize_t bare_msg_report_wait(int fd, const pid_t pids[2], struct bare_msg_report *r)
{
	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN, .revents = 0 };
		int k = poll(&pf, 1, 100);
		if (k > 0) {
			ssize_t got;
			while ((got = read(fd, r, sizeof(*r))) < 0 && errno == EINTR)
				;
			return got;
		}
		if (k < 0 && errno != EINTR)
			return -1;
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		bool failed = waitid(P_PID, (id_t)pids[0], &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
			      si.si_pid == pids[0] && !(si.si_code == CLD_EXITED && si.si_status == EXIT_OK);
		if (stop_requested() || failed) {
			kill(pids[1], SIGKILL);
			return -1;
		}
	}
}

/* A writer sends msgs messages, a reader receives them, timed from the
 * first message to the last. */
static void run_bare_msg(struct bench *b, const struct plan *pl, struct result *res, enum bare_msg_kind k)
{
	struct bare_msgq q;
	int rep[2];
	if (bare_msgq_make(&q, k, pl->size, b->dir, bench_env_next(b).seq, 0) < 0) {
		snprintf(res->err, sizeof(res->err), "%s: %s", pl->row->name, strerror(errno));
		bare_msgq_remove(&q);
		return;
	}
	if (pipe2(rep, O_CLOEXEC) < 0) {
		snprintf(res->err, sizeof(res->err), "pipe: %s", strerror(errno));
		bare_msgq_remove(&q);
		return;
	}
	pid_t pids[2];
	for (int i = 0; i < 2; i++) {
		pids[i] = fork_child(b->ctx->prog);
		if (pids[i] == 0) {
			close(rep[0]);
			bare_msg_child(i, pl, &q, rep[1]);
		}
	}
	bare_msgq_close_fds(&q);
	close(rep[1]);
	struct bare_msg_report r;
	ssize_t got = pids[0] > 0 && pids[1] > 0 ? bare_msg_report_wait(rep[0], pids, &r) : -1;
	close(rep[0]);
	double cpu[2];
	int st[2];
	/* A reader that failed: end the writer too. */
	reap_pair(pids, got != (ssize_t)sizeof(r), st, cpu);
	bare_msgq_remove(&q);
	bare_msg_result(pl, k == BARE_UDP, &r, got == (ssize_t)sizeof(r), st, cpu, res);
}

void bench_run_bare_mq(struct bench *b, const struct plan *pl, struct result *res)
{
	run_bare_msg(b, pl, res, BARE_MQ);
}

void bench_run_bare_sysv(struct bench *b, const struct plan *pl, struct result *res)
{
	run_bare_msg(b, pl, res, BARE_SYSV);
}

void bench_run_bare_dgram(struct bench *b, const struct plan *pl, struct result *res)
{
	run_bare_msg(b, pl, res, BARE_DGRAM);
}

void bench_run_bare_udp(struct bench *b, const struct plan *pl, struct result *res)
{
	run_bare_msg(b, pl, res, BARE_UDP);
}

/* ---- round trips ---- */

/* Queues: mq_send and mq_receive (no timeout), msgsnd and msgrcv, each
 * one blocking call. */
static int bare_q_send(struct ctx *ctx, struct bench_side *s, const char *buf, size_t len)
{
	struct bare_msgq *q = s->qtx;
	(void)ctx;
	if (buf != q->buf + sizeof(long))
		memcpy(q->buf + sizeof(long), buf, len);
	if (q->kind == BARE_MQ)
		return mq_send(q->mqd, q->buf + sizeof(long), len, 0);
	return msgsnd(q->id, q->buf, len, 0);
}

static ssize_t bare_q_recv(struct ctx *ctx, struct bench_side *s, char *buf, size_t cap, const char **msg)
{
	struct bare_msgq *q = s->qrx;
	(void)ctx, (void)buf;
	*msg = q->buf + sizeof(long);
	/* The message is cap - 1 bytes: the queue's message size. */
	if (q->kind == BARE_MQ)
		return mq_receive(q->mqd, q->buf + sizeof(long), cap - 1 < 16 ? 16 : cap - 1, NULL);
	return msgrcv(q->id, q->buf, cap - 1, 0, 0);
}

static const struct bench_chan_verbs bare_q_verbs = {
	.init = NULL,
	.send = bare_q_send,
	.recv = bare_q_recv,
	.lines = false,
};

/* Datagrams: send and recv, one call each. */
static int bare_d_send(struct ctx *ctx, struct bench_side *s, const char *buf, size_t len)
{
	(void)ctx;
	return send(s->wfd, buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static ssize_t bare_d_recv(struct ctx *ctx, struct bench_side *s, char *buf, size_t cap, const char **msg)
{
	(void)ctx;
	*msg = buf;
	return recv(s->rfd, buf, cap, 0);
}

static const struct bench_chan_verbs bare_d_verbs = {
	.init = NULL,
	.send = bare_d_send,
	.recv = bare_d_recv,
	.lines = false,
};

static void bare_q_close(struct ctx *ctx, void *impl)
{
	struct bare_msgq *q = impl;
	(void)ctx;
	bare_msgq_remove(q);
	if (q->owns_buf)
		free(q->buf);
	free(q);
}

/* Two queues, one each way, sharing one message buffer. */
static int bare_q_chan(enum bare_msg_kind k, const struct bench_env *env, size_t size, struct bench_chan *ch)
{
	ch->verbs = &bare_q_verbs;
	ch->qclose = bare_q_close;
	char *buf = malloc(sizeof(long) + (size < 16 ? 16 : size) + 1);
	if (!buf)
		return -1;
	const long type = 1;
	memcpy(buf, &type, sizeof(type));
	for (int i = 0; i < 2; i++) {
		struct bare_msgq *q = malloc(sizeof(*q));
		if (!q) {
			if (i == 0)
				free(buf);
			return -1;
		}
		int rc = bare_msgq_make(q, k, size, env->dir, env->seq, i);
		q->buf = buf;
		q->owns_buf = i == 0;
		ch->q[i] = q;
		if (rc < 0)
			return -1; /* bench_chan_queues_close removes what was made */
	}
	return 0;
}

static int bare_mq_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			char *err, size_t elen)
{
	(void)row, (void)err, (void)elen;
	return bare_q_chan(BARE_MQ, env, size, ch);
}

static int bare_sysv_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			  char *err, size_t elen)
{
	(void)row, (void)err, (void)elen;
	return bare_q_chan(BARE_SYSV, env, size, ch);
}

static int bare_d_chan(enum bare_msg_kind k, struct bench_chan *ch)
{
	int a[2] = { -1, -1 };
	ch->verbs = &bare_d_verbs;
	ch->npath = k == BARE_UDP ? 0 : 2;
	int rc = k == BARE_UDP ? bench_dgram_pair(AF_INET, NULL, NULL, a)
			       : bench_dgram_pair(AF_UNIX, ch->path[0], ch->path[1], a);
	bench_chan_sockets(ch, a);
	return rc;
}

static int bare_dgram_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			   char *err, size_t elen)
{
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	return bare_d_chan(BARE_DGRAM, ch);
}

static int bare_udp_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			 char *err, size_t elen)
{
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	return bare_d_chan(BARE_UDP, ch);
}

/* ---- limits: those of the rows they are the floor of ---- */

static size_t bare_mq_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	long long v = sysctl_read("/proc/sys/fs/mqueue/msgsize_max");
	v = v > 0 ? v : 8192;
	snprintf(why, len, "msgsize_max %lld", v);
	return (size_t)v;
}

static size_t bare_sysv_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	long long v = sysctl_read("/proc/sys/kernel/msgmax");
	v = v > 0 ? v : 8192;
	snprintf(why, len, "msgmax %lld", v);
	return (size_t)v;
}

static size_t bare_dgram_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	return bench_packet_limit(why, len);
}

static size_t bare_udp_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	snprintf(why, len, "UDP datagrams carry at most %d bytes", BARE_UDP_MAX);
	return BARE_UDP_MAX;
}

#define BARE_MSG_HOOKS(lim, chan, close, loses) \
	{ \
		.order = 0, .rows = NULL, .lossy = (loses), .cpu_note = false, .limit = (lim), .chan_open = (chan), \
		.chan_close = (close), .run_setup = NULL, .ready = NULL, .cleanup = NULL, \
	}
const struct mech_bench bench_bare_mq_hooks =
	BARE_MSG_HOOKS(bare_mq_limit, bare_mq_chan, bench_chan_queues_close, false);
const struct mech_bench bench_bare_sysv_hooks =
	BARE_MSG_HOOKS(bare_sysv_limit, bare_sysv_chan, bench_chan_queues_close, false);
const struct mech_bench bench_bare_dgram_hooks =
	BARE_MSG_HOOKS(bare_dgram_limit, bare_dgram_chan, bench_chan_unlink, false);
const struct mech_bench bench_bare_udp_hooks = BARE_MSG_HOOKS(bare_udp_limit, bare_udp_chan, NULL, true);
