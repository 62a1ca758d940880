/* SPDX-License-Identifier: MIT */
/* ipcdemo bench: throughput of every mechanism, measured by running the
 * very producer and consumer verbs a user runs, in two processes placed
 * on one CPU or on two. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <netinet/tcp.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "ipcdemo/bench.h"
#include "ipcdemo/output.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/ring.h"
#include "ipcdemo/sample.h"
#include "ipcdemo/sock.h"
#include "ipcdemo/tools.h"
#include "ipcdemo/util.h"

#define PILOT_BYTES ((uint64_t)8 << 20)
#define PILOT_MSGS 20000
#define MAX_MSGS ((uint64_t)50000000)
#define DEFAULT_DURATION (250 * NSEC_PER_MSEC)
#define UDP_MAX 65507
#define SPREAD_WIDE 0.2

enum row_kind { RK_PIPE, RK_SOCKETPAIR, RK_FIFO, RK_UNIX, RK_TCP, RK_UDP, RK_MQ, RK_SYSV, RK_SHM, RK_FILE, RK_BARE, RK_DD };

struct row {
	const char *name;  /* in the table */
	const char *group; /* the word that selects it */
	enum row_kind kind;
	const char *type;  /* --type of unix sockets */
	const char *word;  /* the word that selects this row alone, if the group has several */
};

static const struct row rows[] = {
	{ "pipe", "pipe", RK_PIPE, NULL },
	{ "fifo", "fifo", RK_FIFO, NULL },
	{ "unix stream", "unix", RK_UNIX, "stream", "unix-stream" },
	{ "unix dgram", "unix", RK_UNIX, "dgram", "unix-dgram" },
	{ "unix seqpacket", "unix", RK_UNIX, "seqpacket", "unix-seqpacket" },
	{ "socketpair", "socketpair", RK_SOCKETPAIR, NULL },
	{ "tcp", "tcp", RK_TCP, NULL },
	{ "udp", "udp", RK_UDP, NULL },
	{ "mq", "mq", RK_MQ, NULL },
	{ "sysv", "sysv", RK_SYSV, NULL },
	{ "shm", "shm", RK_SHM, NULL },
	{ "file", "file", RK_FILE, NULL },
	/* Not ipcdemo: references measured in the same run. read(2) and
	 * write(2) of --size blocks through a plain pipe, no message
	 * handling, as lmbench and ipc-bench measure; */
	{ "bare pipe", "bare", RK_BARE, NULL },
	/* and what a plain pipe moves between two dd. */
	{ "dd | dd", "dd", RK_DD, NULL },
};

/* One measured run of one cell. */
struct result {
	bool ok;
	uint64_t sent, received;
	double seconds;            /* first to last message at the receiver */
	double tx_cpu, rx_cpu;     /* seconds of user + system time */
	char err[200];
};

struct bench {
	struct ctx *ctx;
	char dir[4096];  /* private directory for files and sockets */
	int cpus[2];     /* the two CPUs of the pinned placements; -1: none */
	int ncpu;
	int64_t duration;
	uint64_t count;  /* --count, or 0 */
	int seq;         /* objects made so far, for unique names */
};

/* The largest message a mechanism takes, or 0 for no limit; why says so. */
static size_t row_limit(const struct row *r, char *why, size_t len)
{
	long long v;
	why[0] = '\0';
	switch (r->kind) {
	case RK_PIPE:
	case RK_FIFO:
	case RK_SOCKETPAIR:
	case RK_TCP:
	case RK_FILE:
		/* A consumer splits a longer line (and says so). */
		snprintf(why, len, "a stream consumer takes lines of at most 1 MiB");
		return (size_t)1 << 20;
	case RK_UNIX:
		if (strcmp(r->type, "stream") == 0) {
			snprintf(why, len, "a stream consumer takes lines of at most 1 MiB");
			return (size_t)1 << 20;
		}
		/* One datagram or packet must fit the socket's send buffer. */
		v = sysctl_read("/proc/sys/net/core/wmem_default");
		v = v > 0 ? v : 212992;
		snprintf(why, len, "a packet must fit the send buffer, net.core.wmem_default %lld bytes", v);
		return (size_t)(v - 1024);
	case RK_UDP:
		snprintf(why, len, "UDP datagrams carry at most %d bytes", UDP_MAX);
		return UDP_MAX;
	case RK_MQ:
		v = sysctl_read("/proc/sys/fs/mqueue/msgsize_max");
		v = v > 0 ? v : 8192;
		snprintf(why, len, "msgsize_max %lld", v);
		return (size_t)v;
	case RK_SYSV:
		v = sysctl_read("/proc/sys/kernel/msgmax");
		v = v > 0 ? v : 8192;
		snprintf(why, len, "msgmax %lld", v);
		return (size_t)v;
	default:
		return 0;
	}
}

size_t bench_limit(const char *row, char *why, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		if (strcmp(rows[i].name, row) == 0)
			return row_limit(&rows[i], why, len);
	snprintf(why, len, "no such row");
	return 0;
}

const char *bench_row_name(size_t i)
{
	return i < ARRAY_SIZE(rows) ? rows[i].name : NULL;
}

const char *bench_row_group(size_t i)
{
	return i < ARRAY_SIZE(rows) ? rows[i].group : NULL;
}

const char *bench_row_word(size_t i)
{
	return i < ARRAY_SIZE(rows) ? rows[i].word : NULL;
}

/* ---- child processes ---- */

struct role {
	const char *mech, *verb;
	const char *argv[40];
	int argc;
	int in_fd, out_fd; /* -1: /dev/null */
	int cpu;           /* -1: not pinned */
};

static void role_arg(struct role *r, const char *a)
{
	if (r->argc < 39)
		r->argv[r->argc++] = a;
	r->argv[r->argc] = NULL;
}

static void role_init(struct role *r, const char *mech, const char *verb, int cpu)
{
	memset(r, 0, sizeof(*r));
	r->mech = mech;
	r->verb = verb;
	r->in_fd = r->out_fd = -1;
	r->cpu = cpu;
	role_arg(r, verb);
}

/* User plus system time of a struct rusage, in seconds. */
static double ru_seconds(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 + (double)ru->ru_stime.tv_sec +
	       (double)ru->ru_stime.tv_usec / 1e6;
}

/* In a child: run on that CPU only (-1: wherever). */
static void pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		_exit(EXIT_FAIL);
}

/* Fork a role; its stderr comes back through *err_fd. close_fds lists
 * channel descriptors the child must not keep (so that EOF arrives). */
static pid_t role_start(struct bench *b, struct role *r, int *err_fd, const int *close_fds, int nclose)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		msg_syserr(b->ctx->prog, "pipe");
		return -1;
	}
	pid_t pid = fork_child(b->ctx->prog);
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		pin(r->cpu);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(r->in_fd >= 0 ? r->in_fd : null, STDIN_FILENO) < 0 ||
		    dup2(r->out_fd >= 0 ? r->out_fd : null, STDOUT_FILENO) < 0 || dup2(p[1], STDERR_FILENO) < 0)
			_exit(EXIT_FAIL);
		for (int i = 0; i < nclose; i++)
			if (close_fds[i] >= 0)
				close(close_fds[i]);
		const struct mechanism *m = mechanism_find(r->mech);
		const struct verb *v = m ? verb_find(m, r->verb) : NULL;
		if (!v)
			_exit(EXIT_FAIL);
		int st = verb_dispatch(m, v, r->argc, (char **)r->argv);
		fflush(NULL);
		_exit(st);
	}
	close(p[1]);
	*err_fd = p[0];
	return pid;
}

/* Read both children's stderr to the end and reap them; statuses in st.
 * When one ends with an error the other is stopped: a consumer whose
 * producer failed would otherwise wait for ever. */
static void collect(struct bench *b, int fds[2], pid_t pids[2], int st[2], char *bufs[2], size_t caps[2])
{
	size_t used[2] = { 0, 0 };
	int open_fds = 0;
	bool stopping = false;
	for (int i = 0; i < 2; i++) {
		st[i] = EXIT_FAIL;
		if (fds[i] >= 0)
			open_fds++;
	}
	while (open_fds > 0) {
		struct pollfd pf[2];
		int n = 0, map[2];
		for (int i = 0; i < 2; i++) {
			if (fds[i] >= 0) {
				pf[n].fd = fds[i];
				pf[n].events = POLLIN;
				pf[n].revents = 0;
				map[n++] = i;
			}
		}
		if (poll(pf, (nfds_t)n, -1) < 0) {
			if (errno != EINTR)
				break;
			/* Ctrl-C or SIGTERM: pass it on, and read on to the end. */
			/* Ctrl-C reaches the whole process group by itself; a SIGTERM
			 * sent to the bench alone is passed on (as the demos do). */
			if (stop_requested() && stop_signal() == SIGTERM && !stopping) {
				stopping = true;
				for (int i = 0; i < 2; i++)
					if (pids[i] > 0)
						kill(pids[i], SIGTERM);
			}
			continue;
		}
		for (int k = 0; k < n; k++) {
			int i = map[k];
			if (!pf[k].revents)
				continue;
			char tmp[4096];
			ssize_t got = read(fds[i], tmp, sizeof(tmp));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(fds[i]);
				fds[i] = -1;
				open_fds--;
				/* Its stderr is closed: it is exiting. */
				if (pids[i] > 0) {
					st[i] = wait_child(b->ctx->prog, pids[i]);
					pids[i] = -1;
					if (st[i] != EXIT_OK && pids[1 - i] > 0)
						kill(pids[1 - i], SIGTERM);
				}
				continue;
			}
			size_t room = caps[i] - 1 - used[i];
			size_t take = (size_t)got < room ? (size_t)got : room;
			memcpy(bufs[i] + used[i], tmp, take);
			used[i] += take;
			bufs[i][used[i]] = '\0';
		}
	}
	for (int i = 0; i < 2; i++)
		if (pids[i] > 0)
			st[i] = wait_child(b->ctx->prog, pids[i]);
}

/* The number after a phrase of the --stats summary line ("received ",
 * ", cpu "); NAN when absent. */
static double summary_num(const char *text, const char *phrase)
{
	const char *p = strstr(text, phrase);
	if (!p)
		return NAN;
	return strtod(p + strlen(phrase), NULL);
}

/* Seconds from the first message to the last, from the summary. */
static double summary_span(const char *text)
{
	const char *p = strstr(text, " s from the first message to the last");
	if (!p)
		return NAN;
	while (p > text && p[-1] != ' ')
		p--;
	return strtod(p, NULL);
}

static void first_line(char *dst, size_t len, const char *text)
{
	const char *p = text;
	/* Skip the --stats summary lines: the interesting line is a diagnostic. */
	for (;;) {
		const char *nl = strchr(p, '\n');
		const char *m = strstr(p, " messages, ");
		if (!nl || !m || m > nl)
			break;
		p = nl + 1;
	}
	size_t n = strcspn(p, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* ---- one throughput run ---- */

struct plan {
	const struct row *row;
	size_t size;
	uint64_t msgs;
	int cpu_tx, cpu_rx;
};

static int free_port(int type)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int port = -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &al) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Is something bound to UDP port on loopback? */
static bool udp_bound(int port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool bound = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EADDRINUSE;
	if (fd >= 0)
		close(fd);
	return bound;
}

/* dd if=/dev/zero bs=SIZE count=N | dd of=/dev/null bs=SIZE, pinned as
 * the other rows are; the second dd's own report gives bytes and time,
 * wait4() the processor time of each. */
/* Reap two children (pid <= 0: none): exit statuses (128: killed by a
 * signal, -1: none) and CPU seconds; with stop, SIGTERM them first. */
static void reap_pair(const pid_t pids[2], bool stop, int st[2], double cpu[2])
{
	for (int i = 0; i < 2; i++) {
		struct rusage ru;
		int w = 0;
		pid_t got;
		st[i] = -1;
		cpu[i] = NAN;
		if (pids[i] <= 0)
			continue;
		if (stop)
			kill(pids[i], SIGTERM);
		while ((got = wait4(pids[i], &w, 0, &ru)) < 0 && errno == EINTR)
			;
		if (got < 0)
			continue;
		st[i] = WIFEXITED(w) ? WEXITSTATUS(w) : 128;
		cpu[i] = ru_seconds(&ru);
	}
}

static void run_dd(struct bench *b, const struct plan *pl, struct result *res)
{
	char bs[40], count[40];
	int chan[2], errp[2];
	snprintf(bs, sizeof(bs), "bs=%zu", pl->size);
	snprintf(count, sizeof(count), "count=%llu", (unsigned long long)pl->msgs);
	if (pipe2(chan, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		snprintf(res->err, sizeof(res->err), "pipe: %s", strerror(errno));
		return;
	}
	pid_t pids[2];
	for (int i = 0; i < 2; i++) {
		pids[i] = fork_child(b->ctx->prog);
		if (pids[i] == 0) {
			pin(i == 0 ? pl->cpu_tx : pl->cpu_rx);
			if (dup2(i == 0 ? chan[1] : chan[0], i == 0 ? STDOUT_FILENO : STDIN_FILENO) < 0 ||
			    dup2(errp[1], STDERR_FILENO) < 0)
				_exit(127);
			if (i == 0)
				execlp("dd", "dd", "if=/dev/zero", bs, count, "status=none", (char *)NULL);
			else
				execlp("dd", "dd", "of=/dev/null", bs, (char *)NULL);
			_exit(127);
		}
	}
	close(chan[0]);
	close(chan[1]);
	close(errp[1]);
	char out[2048];
	size_t used = 0;
	ssize_t got;
	while ((got = read(errp[0], out + used, sizeof(out) - 1 - used)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		used += (size_t)got;
		if (used == sizeof(out) - 1)
			break;
	}
	out[used] = '\0';
	close(errp[0]);
	int st[2];
	double cpu[2];
	reap_pair(pids, false, st, cpu);
	/* "N bytes (...) copied, T s, R GB/s" */
	const char *c = strstr(out, " bytes");
	const char *t = strstr(out, "copied, ");
	if (st[0] != 0 || st[1] != 0 || !c || !t) {
		if (st[0] == 127 || st[1] == 127)
			snprintf(res->err, sizeof(res->err), "dd did not run");
		else
			first_line(res->err, sizeof(res->err), out);
		return;
	}
	const char *line = c;
	while (line > out && line[-1] != '\n')
		line--;
	unsigned long long bytes = strtoull(line, NULL, 10);
	double secs = strtod(t + strlen("copied, "), NULL);
	res->sent = res->received = bytes / pl->size;
	res->seconds = secs;
	res->tx_cpu = cpu[0];
	res->rx_cpu = cpu[1];
	res->ok = secs > 0 && res->received >= 2;
	if (!res->ok)
		snprintf(res->err, sizeof(res->err), "too fast to time: use --count or --duration");
}

/* Read exactly len bytes (a pipe may hand out less). 0, or -1 at EOF or
 * on an error. */
static int read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* The bare pipe: a writer writes msgs blocks of size bytes into a pipe of
 * the default size, a reader reads them, timed from the first block to
 * the last; no lines, no output. What the known benchmarks measure, as
 * the floor of the pipe row. */
struct bare_report {
	uint64_t blocks;
	double seconds;
	int err;
};

static void run_bare(struct bench *b, const struct plan *pl, struct result *res)
{
	int chan[2], rep[2];
	if (pipe2(chan, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		snprintf(res->err, sizeof(res->err), "pipe: %s", strerror(errno));
		return;
	}
	pid_t pids[2];
	for (int i = 0; i < 2; i++) {
		pids[i] = fork_child(b->ctx->prog);
		if (pids[i] != 0)
			continue;
		pin(i == 0 ? pl->cpu_tx : pl->cpu_rx);
		char *buf = malloc(pl->size);
		if (!buf)
			_exit(EXIT_FAIL);
		memset(buf, 'b', pl->size);
		if (i == 0) {
			close(chan[0]);
			for (uint64_t k = 0; k < pl->msgs && !stop_requested(); k++)
				if (write_all(chan[1], buf, pl->size, NULL) < 0)
					_exit(EXIT_FAIL);
			_exit(EXIT_OK);
		}
		close(chan[1]);
		struct bare_report r = { 0, 0, 0 };
		int64_t first = 0, last = 0;
		while (r.blocks < pl->msgs) {
			if (read_full(chan[0], buf, pl->size) < 0) {
				r.err = errno;
				break;
			}
			last = now_mono_ns();
			if (r.blocks++ == 0)
				first = last;
		}
		r.seconds = (double)(last - first) / 1e9;
		_exit(write(rep[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? EXIT_OK : EXIT_FAIL);
	}
	close(chan[0]);
	close(chan[1]);
	close(rep[1]);
	struct bare_report r;
	ssize_t got;
	while ((got = read(rep[0], &r, sizeof(r))) < 0 && errno == EINTR)
		;
	close(rep[0]);
	double cpu[2];
	int st[2];
	/* A reader that failed: end the writer too. */
	reap_pair(pids, got != (ssize_t)sizeof(r), st, cpu);
	if (got != (ssize_t)sizeof(r) || st[0] != 0 || st[1] != 0 || r.blocks != pl->msgs) {
		if (got == (ssize_t)sizeof(r) && r.err)
			snprintf(res->err, sizeof(res->err), "read: %s", strerror(r.err));
		else
			snprintf(res->err, sizeof(res->err), "the bare pipe's reader or writer failed");
		return;
	}
	res->sent = res->received = r.blocks;
	res->seconds = r.seconds;
	res->tx_cpu = cpu[0];
	res->rx_cpu = cpu[1];
	res->ok = r.seconds > 0 && r.blocks >= 2;
	if (!res->ok)
		snprintf(res->err, sizeof(res->err), "too fast to time: use --count or --duration");
}

static void run_once(struct bench *b, const struct plan *pl, struct result *res)
{
	const struct row *r = pl->row;
	struct role prod, cons;
	char n_s[24], size_s[24], path[4200], addr[64], key[16], name[64], slot[24], slots[24];
	int chan[2] = { -1, -1 };
	int port = -1;
	bool wait_udp = false, wait_file = false;

	memset(res, 0, sizeof(*res));
	if (r->kind == RK_DD) {
		run_dd(b, pl, res);
		return;
	}
	if (r->kind == RK_BARE) {
		run_bare(b, pl, res);
		return;
	}
	snprintf(n_s, sizeof(n_s), "%llu", (unsigned long long)pl->msgs);
	snprintf(size_s, sizeof(size_s), "%zu", pl->size);
	b->seq++;
	role_init(&prod, r->group, "produce", pl->cpu_tx);
	role_init(&cons, r->group, "consume", pl->cpu_rx);

	switch (r->kind) {
	case RK_PIPE:
	case RK_SOCKETPAIR:
		if ((r->kind == RK_PIPE ? pipe2(chan, O_CLOEXEC) : socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, chan)) <
		    0) {
			snprintf(res->err, sizeof(res->err), "%s: %s", r->name, strerror(errno));
			return;
		}
		/* The stream code of the pipe verbs, over the pipe or the pair. */
		prod.mech = cons.mech = "pipe";
		prod.out_fd = chan[1];
		cons.in_fd = chan[0];
		role_arg(&cons, "-q");
		break;
	case RK_FIFO:
		snprintf(path, sizeof(path), "%s/b%d.fifo", b->dir, b->seq);
		role_arg(&prod, "--path");
		role_arg(&prod, path);
		role_arg(&prod, "-q");
		role_arg(&cons, "--path");
		role_arg(&cons, path);
		role_arg(&cons, "--exit-on-eof");
		role_arg(&cons, "-q");
		break;
	case RK_UNIX:
	case RK_TCP:
		if (r->kind == RK_UNIX) {
			snprintf(path, sizeof(path), "%s/b%d.sock", b->dir, b->seq);
			role_arg(&prod, "--path");
			role_arg(&prod, path);
			role_arg(&cons, "--path");
			role_arg(&cons, path);
			role_arg(&prod, "--type");
			role_arg(&prod, r->type);
			role_arg(&cons, "--type");
			role_arg(&cons, r->type);
		} else {
			port = free_port(SOCK_STREAM);
			snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
			role_arg(&prod, "--address");
			role_arg(&prod, addr);
			role_arg(&cons, "--address");
			role_arg(&cons, addr);
		}
		if (r->type && strcmp(r->type, "dgram") == 0) {
			wait_file = true; /* the consumer binds; the producer sends to it */
		} else {
			role_arg(&cons, "--listen");
			role_arg(&prod, "--connect");
			role_arg(&prod, "--wait");
			role_arg(&prod, "10s");
		}
		if (r->type && strcmp(r->type, "stream") != 0) {
			role_arg(&cons, "--size");
			role_arg(&cons, size_s);
		}
		role_arg(&prod, "-q");
		role_arg(&cons, "-q");
		break;
	case RK_UDP:
		port = free_port(SOCK_DGRAM);
		snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
		role_arg(&prod, "--address");
		role_arg(&prod, addr);
		role_arg(&cons, "--address");
		role_arg(&cons, addr);
		role_arg(&cons, "--size");
		role_arg(&cons, size_s);
		/* Datagrams that do not fit the receive buffer are lost: stop
		 * half a second after the last one instead of waiting for -n. */
		role_arg(&cons, "--timeout");
		role_arg(&cons, "500ms");
		role_arg(&prod, "-q");
		role_arg(&cons, "-q");
		wait_udp = true;
		break;
	case RK_MQ:
	case RK_SHM:
		snprintf(name, sizeof(name), "/ipcdemo-bench-%d-%d", (int)getpid(), b->seq);
		role_arg(&prod, "--name");
		role_arg(&prod, name);
		role_arg(&cons, "--name");
		role_arg(&cons, name);
		/* A queue's messages are as large as asked. A ring keeps its
		 * default (64 slots of 4 KiB, which hold many small messages
		 * each) unless a message needs larger slots; then it has about
		 * 1 MiB, as the enlarged pipe: more would leave the caches. */
		if (r->kind == RK_MQ || pl->size > SHM_DEFAULT_SLOT_SIZE) {
			snprintf(slot, sizeof(slot), "%zu", pl->size < 16 ? 16 : pl->size);
			role_arg(&prod, r->kind == RK_MQ ? "--msgsize" : "--slot-size");
			role_arg(&prod, slot);
			role_arg(&cons, r->kind == RK_MQ ? "--msgsize" : "--slot-size");
			role_arg(&cons, slot);
		}
		if (r->kind == RK_SHM && pl->size > SHM_DEFAULT_SLOT_SIZE) {
			size_t n = BENCH_RING_BYTES / pl->size;
			snprintf(slots, sizeof(slots), "%zu", n < 4 ? 4 : n);
			role_arg(&prod, "--slots");
			role_arg(&prod, slots);
			role_arg(&cons, "--slots");
			role_arg(&cons, slots);
		}
		role_arg(&prod, "-q");
		role_arg(&cons, "-q");
		/* Both roles create the object if it is missing, with the same size. */
		break;
	case RK_SYSV: {
		int id = -1;
		for (unsigned i = 0x80; i < 0x100 && id < 0; i++) {
			snprintf(key, sizeof(key), "0x%08x", SYSV_KEY_BASE + i);
			id = msgget((key_t)(SYSV_KEY_BASE + i), IPC_CREAT | IPC_EXCL | 0600);
		}
		if (id < 0) {
			snprintf(res->err, sizeof(res->err), "no free System V key: %s", strerror(errno));
			return;
		}
		role_arg(&prod, "--key");
		role_arg(&prod, key);
		role_arg(&cons, "--key");
		role_arg(&cons, key);
		role_arg(&prod, "-q");
		role_arg(&cons, "-q");
		snprintf(name, sizeof(name), "%d", id);
		break;
	}
	case RK_FILE:
		snprintf(path, sizeof(path), "%s/b%d.storage", b->dir, b->seq);
		role_arg(&prod, "--path");
		role_arg(&prod, path);
		role_arg(&prod, "-q");
		role_arg(&cons, "--path");
		role_arg(&cons, path);
		role_arg(&cons, "-q");
		break;
	case RK_BARE:
	case RK_DD:
		break; /* run_bare, run_dd */
	}
	role_arg(&prod, "--source");
	role_arg(&prod, "counter");
	role_arg(&prod, "--count");
	role_arg(&prod, n_s);
	role_arg(&prod, "--size");
	role_arg(&prod, size_s);
	/* Text output, as a user's pipeline has it; the summary in text too
	 * (--json would print every message as JSON). */
	role_arg(&prod, "--stats");
	role_arg(&cons, "--count");
	role_arg(&cons, n_s);
	role_arg(&cons, "--stats");

	int efd[2] = { -1, -1 };
	pid_t cpid = role_start(b, &cons, &efd[1], chan, 2);
	pid_t ppid = -1;
	if (cpid > 0) {
		/* Producers that send to a bound address wait until it is bound. */
		int64_t until = now_mono_ns() + 5 * NSEC_PER_SEC;
		struct stat st;
		while ((wait_udp && !udp_bound(port)) || (wait_file && stat(path, &st) < 0)) {
			if (now_mono_ns() > until || stop_requested())
				break;
			sleep_ns(NSEC_PER_MSEC);
		}
		ppid = role_start(b, &prod, &efd[0], chan, 2);
	}
	for (int i = 0; i < 2; i++)
		if (chan[i] >= 0)
			close(chan[i]);
	char pbuf[8192], cbuf[8192];
	char *bufs[2] = { pbuf, cbuf };
	size_t caps[2] = { sizeof(pbuf), sizeof(cbuf) };
	pbuf[0] = cbuf[0] = '\0';
	if (ppid < 0 && cpid > 0)
		kill(cpid, SIGTERM);
	pid_t pids[2] = { ppid, cpid };
	int sts[2];
	collect(b, efd, pids, sts, bufs, caps);
	int pst = sts[0], cst = sts[1];

	/* Remove what the run made. */
	if (r->kind == RK_MQ)
		mq_unlink(name);
	else if (r->kind == RK_SHM)
		shm_unlink(name);
	else if (r->kind == RK_SYSV)
		msgctl(atoi(name), IPC_RMID, NULL);
	else if (r->kind == RK_FIFO || r->kind == RK_UNIX || r->kind == RK_FILE)
		unlink(path);

	res->sent = (uint64_t)summary_num(pbuf, ": sent ");
	res->received = (uint64_t)summary_num(cbuf, ": received ");
	double span = summary_span(cbuf);
	res->tx_cpu = summary_num(pbuf, ", cpu ") + summary_num(pbuf, " s user + ");
	res->rx_cpu = summary_num(cbuf, ", cpu ") + summary_num(cbuf, " s user + ");
	bool udp_end = r->kind == RK_UDP && cst == EXIT_OK;
	if (pst != EXIT_OK || (cst != EXIT_OK && !udp_end) || isnan(span) || res->received < 2) {
		first_line(res->err, sizeof(res->err), cst != EXIT_OK ? cbuf : pbuf);
		if (!res->err[0])
			snprintf(res->err, sizeof(res->err), "producer exit %d, consumer exit %d", pst, cst);
		return;
	}
	res->seconds = span;
	res->ok = res->seconds > 0;
	if (!res->ok)
		snprintf(res->err, sizeof(res->err), "too fast to time: use --count or --duration");
}

/* ---- cells ---- */

struct cell {
	bool available, ok;
	char why[200];
	uint64_t msgs;      /* per run */
	double mbps, msgps; /* medians over the repeats */
	double spread;      /* of msg/s over the repeats */
	double tx_us, rx_us; /* CPU per message, medians */
	double lost;        /* fraction, UDP */
	unsigned runs;
};

static void measure(struct bench *b, const struct row *r, size_t size, int cpu_tx, int cpu_rx, struct cell *c)
{
	const struct bench_opts *o = bench_opts_of(b->ctx);
	struct plan pl = { r, size, 0, cpu_tx, cpu_rx };
	struct result res;
	memset(c, 0, sizeof(*c));
	size_t lim = row_limit(r, c->why, sizeof(c->why));
	if (lim && size > lim) {
		c->available = false;
		return;
	}
	c->available = true;
	c->why[0] = '\0';
	if (b->count) {
		pl.msgs = b->count;
	} else {
		/* A pilot run sets the count for about --duration. */
		uint64_t pilot = PILOT_BYTES / size;
		pl.msgs = pilot < 200 ? 200 : pilot > PILOT_MSGS ? PILOT_MSGS : pilot;
		run_once(b, &pl, &res);
		if (!res.ok) {
			snprintf(c->why, sizeof(c->why), "%s", res.err);
			return;
		}
		double rate = (double)(res.received - 1) / res.seconds;
		double want = rate * (double)b->duration / 1e9;
		pl.msgs = want < (double)pl.msgs ? pl.msgs : want > (double)MAX_MSGS ? MAX_MSGS : (uint64_t)want;
	}
	c->msgs = pl.msgs;
	uint64_t reps = o->repeat;
	double mb[100], mp[100], tx[100], rx[100], lost[100];
	unsigned n = 0;
	for (uint64_t i = 0; i < reps && !stop_requested(); i++) {
		run_once(b, &pl, &res);
		if (!res.ok) {
			snprintf(c->why, sizeof(c->why), "%s", res.err);
			return;
		}
		double per = (double)(res.received - 1) / res.seconds;
		mp[n] = per;
		mb[n] = per * (double)size / 1e6;
		tx[n] = res.sent ? res.tx_cpu / (double)res.sent * 1e6 : NAN;
		rx[n] = res.rx_cpu / (double)res.received * 1e6;
		lost[n] = res.sent ? 1.0 - (double)res.received / (double)res.sent : 0;
		n++;
	}
	if (n == 0)
		return;
	sample_sort(mb, n);
	sample_sort(mp, n);
	sample_sort(tx, n);
	sample_sort(rx, n);
	sample_sort(lost, n);
	c->ok = true;
	c->runs = n;
	c->mbps = sample_median(mb, n);
	c->msgps = sample_median(mp, n);
	c->spread = sample_spread(mp, n);
	c->tx_us = sample_median(tx, n);
	c->rx_us = sample_median(rx, n);
	c->lost = sample_median(lost, n);
}

/* ---- round trips ---- */

/* A two-way channel for ping-pong, made before the fork; the client side
 * sends and waits for the echo, the server side echoes. The hot path is
 * each mechanism's own: write_all and the line buffer for streams, send
 * and sock_recv for packets, the queue's send and receive functions. */
enum lkind { LK_STREAM, LK_PACKET, LK_QUEUE, LK_FILE, LK_BARE };

struct lchan {
	enum lkind kind;
	int fd[4];    /* client read, client write, server read, server write */
	const struct queue_bench *qb;
	void *q[2];   /* client->server, server->client */
	char path[2][4200];
	int npath;
	bool paths_are_dirs;
};

struct lside {
	struct lchan *ch;
	int rfd, wfd, ifd;
	void *qtx, *qrx;
	struct linebuf lb;
};

struct lresult {
	int ok;
	uint64_t n;
	double med, p99, min; /* microseconds */
	double cpu;           /* client CPU seconds */
	char err[200];
};

static int sock_pair_stream(int type, const char *path, int out[2])
{
	struct sockaddr_un a;
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	int l = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0)
		goto fail;
	out[0] = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (out[0] < 0 || connect(out[0], (struct sockaddr *)&a, sizeof(a)) < 0)
		goto fail;
	out[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (out[1] < 0)
		goto fail;
	close(l);
	return 0;
fail:
	if (l >= 0)
		close(l);
	return -1;
}

static int tcp_pair(int out[2])
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &al) < 0)
		goto fail;
	out[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (out[0] < 0 || connect(out[0], (struct sockaddr *)&a, sizeof(a)) < 0)
		goto fail;
	out[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (out[1] < 0)
		goto fail;
	close(l);
	/* As tcp produce --nodelay: a ping-pong of small writes waits for
	 * nothing (no Nagle). */
	setsockopt(out[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(out[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
fail:
	if (l >= 0)
		close(l);
	return -1;
}

/* Two datagram sockets, each connected to the other. */
static int dgram_pair(int family, const char *p0, const char *p1, int out[2])
{
	struct sockaddr_storage a[2];
	socklen_t al[2];
	for (int i = 0; i < 2; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		out[i] = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (out[i] < 0)
			return -1;
		if (family == AF_UNIX) {
			struct sockaddr_un *u = (struct sockaddr_un *)&a[i];
			const char *p = i ? p1 : p0;
			u->sun_family = AF_UNIX;
			if (strlen(p) >= sizeof(u->sun_path)) {
				errno = ENAMETOOLONG;
				return -1;
			}
			memcpy(u->sun_path, p, strlen(p) + 1);
			al[i] = sizeof(*u);
		} else {
			struct sockaddr_in *in = (struct sockaddr_in *)&a[i];
			in->sin_family = AF_INET;
			in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			al[i] = sizeof(*in);
		}
		if (bind(out[i], (struct sockaddr *)&a[i], al[i]) < 0 ||
		    getsockname(out[i], (struct sockaddr *)&a[i], &al[i]) < 0)
			return -1;
	}
	if (connect(out[0], (struct sockaddr *)&a[1], al[1]) < 0 || connect(out[1], (struct sockaddr *)&a[0], al[0]) < 0)
		return -1;
	return 0;
}

static int fifo_pair(const char *path, int *rfd, int *wfd)
{
	if (mkfifo(path, 0600) < 0)
		return -1;
	*rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*rfd < 0)
		return -1;
	*wfd = open(path, O_WRONLY | O_CLOEXEC);
	int fl = fcntl(*rfd, F_GETFL);
	if (*wfd < 0 || fl < 0 || fcntl(*rfd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return -1;
	return 0;
}

static int lchan_make(struct bench *b, const struct row *r, size_t size, struct lchan *ch, char *err, size_t elen)
{
	int a[2] = { -1, -1 }, c[2] = { -1, -1 };
	memset(ch, 0, sizeof(*ch));
	for (int i = 0; i < 4; i++)
		ch->fd[i] = -1;
	b->seq++;
	for (int i = 0; i < 2; i++)
		snprintf(ch->path[i], sizeof(ch->path[i]), "%s/l%d-%d", b->dir, b->seq, i);
	int rc = 0;
	switch (r->kind) {
	case RK_PIPE:
	case RK_BARE:
		ch->kind = r->kind == RK_PIPE ? LK_STREAM : LK_BARE;
		rc = pipe2(a, O_CLOEXEC) < 0 || pipe2(c, O_CLOEXEC) < 0 ? -1 : 0;
		ch->fd[1] = a[1], ch->fd[2] = a[0], ch->fd[3] = c[1], ch->fd[0] = c[0];
		break;
	case RK_FIFO:
		ch->kind = LK_STREAM;
		ch->npath = 2;
		rc = fifo_pair(ch->path[0], &ch->fd[2], &ch->fd[1]) < 0 || fifo_pair(ch->path[1], &ch->fd[0], &ch->fd[3]) < 0
			     ? -1
			     : 0;
		break;
	case RK_SOCKETPAIR:
		ch->kind = LK_STREAM;
		rc = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a);
		ch->fd[0] = ch->fd[1] = a[0];
		ch->fd[2] = ch->fd[3] = a[1];
		break;
	case RK_UNIX:
		if (strcmp(r->type, "dgram") == 0) {
			ch->kind = LK_PACKET;
			ch->npath = 2;
			rc = dgram_pair(AF_UNIX, ch->path[0], ch->path[1], a);
		} else {
			ch->kind = strcmp(r->type, "stream") == 0 ? LK_STREAM : LK_PACKET;
			ch->npath = 1;
			rc = sock_pair_stream(strcmp(r->type, "stream") == 0 ? SOCK_STREAM : SOCK_SEQPACKET, ch->path[0], a);
		}
		ch->fd[0] = ch->fd[1] = a[0];
		ch->fd[2] = ch->fd[3] = a[1];
		break;
	case RK_TCP:
		ch->kind = LK_STREAM;
		rc = tcp_pair(a);
		ch->fd[0] = ch->fd[1] = a[0];
		ch->fd[2] = ch->fd[3] = a[1];
		break;
	case RK_UDP:
		ch->kind = LK_PACKET;
		rc = dgram_pair(AF_INET, NULL, NULL, a);
		ch->fd[0] = ch->fd[1] = a[0];
		ch->fd[2] = ch->fd[3] = a[1];
		break;
	case RK_MQ:
	case RK_SYSV:
	case RK_SHM:
		ch->kind = LK_QUEUE;
		ch->qb = r->kind == RK_MQ ? &mq_bench : r->kind == RK_SYSV ? &sysv_bench : &shm_bench;
		for (int i = 0; i < 2 && rc == 0; i++) {
			char name[64];
			snprintf(name, sizeof(name), "/ipcdemo-bench-%d-%d-%d", (int)getpid(), b->seq, i);
			ch->q[i] = ch->qb->open(b->ctx, name, size);
			if (!ch->q[i]) {
				snprintf(err, elen, "could not make the %s queue", r->name);
				return -1;
			}
		}
		break;
	case RK_FILE:
		ch->kind = LK_FILE;
		ch->npath = 2;
		/* Each side appends to one file and follows the other. */
		ch->fd[1] = open(ch->path[0], O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
		ch->fd[2] = open(ch->path[0], O_RDONLY | O_CLOEXEC);
		ch->fd[3] = open(ch->path[1], O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
		ch->fd[0] = open(ch->path[1], O_RDONLY | O_CLOEXEC);
		rc = ch->fd[0] < 0 || ch->fd[1] < 0 || ch->fd[2] < 0 || ch->fd[3] < 0 ? -1 : 0;
		break;
	case RK_DD:
		errno = EINVAL; /* latency() says why first */
		rc = -1;
		break;
	}
	if (rc < 0)
		snprintf(err, elen, "setting up %s: %s", r->name, strerror(errno));
	return rc;
}

/* Close the channel's descriptors, each once (a socket is both ends). */
static void lchan_close_fds(struct lchan *ch)
{
	for (int i = 0; i < 4; i++) {
		if (ch->fd[i] < 0)
			continue;
		for (int j = i + 1; j < 4; j++)
			if (ch->fd[j] == ch->fd[i])
				ch->fd[j] = -1;
		close(ch->fd[i]);
		ch->fd[i] = -1;
	}
}

static void lchan_free(struct bench *b, struct lchan *ch)
{
	lchan_close_fds(ch);
	for (int i = 0; i < 2; i++)
		if (ch->q[i])
			ch->qb->close(b->ctx, ch->q[i]);
	for (int i = 0; i < ch->npath; i++)
		unlink(ch->path[i]);
}

static int lside_init(struct lchan *ch, struct lside *s, bool client)
{
	memset(s, 0, sizeof(*s));
	s->ch = ch;
	s->ifd = -1;
	s->rfd = ch->fd[client ? 0 : 2];
	s->wfd = ch->fd[client ? 1 : 3];
	s->qtx = ch->q[client ? 0 : 1];
	s->qrx = ch->q[client ? 1 : 0];
	/* Close the other side's ends (not shared sockets). */
	for (int i = client ? 2 : 0; i < (client ? 4 : 2); i++)
		if (ch->fd[i] >= 0 && ch->fd[i] != s->rfd && ch->fd[i] != s->wfd)
			close(ch->fd[i]);
	if (ch->kind == LK_FILE) {
		s->ifd = inotify_init1(IN_CLOEXEC);
		if (s->ifd < 0 || inotify_add_watch(s->ifd, ch->path[client ? 1 : 0], IN_MODIFY) < 0)
			return -1;
	}
	if (ch->kind == LK_STREAM || ch->kind == LK_FILE)
		return linebuf_init(&s->lb, 65536, (size_t)16 << 20);
	return 0;
}

static int l_send(struct ctx *ctx, struct lside *s, const char *buf, size_t len)
{
	size_t done;
	bool rep = false;
	switch (s->ch->kind) {
	case LK_STREAM:
	case LK_FILE:
	case LK_BARE:
		return write_all(s->wfd, buf, len, NULL);
	case LK_PACKET:
		return send(s->wfd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
	case LK_QUEUE:
		return s->ch->qb->ops->send(ctx, s->qtx, buf, len, QUEUE_FOREVER, &done, &rep);
	}
	return -1;
}

/* Receive one message: *msg points at it (in buf, or where the line
 * buffer or the ring holds it, as the consumers read them). A line is
 * followed by its newline there. */
static ssize_t l_recv(struct ctx *ctx, struct lside *s, char *buf, size_t cap, const char **msg)
{
	bool trunc = false, rep = false;
	*msg = buf;
	switch (s->ch->kind) {
	case LK_STREAM:
	case LK_FILE:
		for (;;) {
			const char *line;
			size_t n;
			if (linebuf_next(&s->lb, &line, &n)) {
				*msg = line;
				return (ssize_t)n;
			}
			ssize_t r = linebuf_fill(&s->lb, s->rfd);
			if (r > 0)
				continue;
			if (r == 0 && s->ch->kind == LK_FILE) {
				/* At the end of the file: sleep until it grows. */
				char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
				if (read(s->ifd, ev, sizeof(ev)) < 0)
					return -1;
				continue;
			}
			if (r < 0 && errno == ENOBUFS)
				continue;
			return -1;
		}
	case LK_PACKET:
		return sock_recv(s->rfd, buf, cap, NULL);
	case LK_QUEUE:
		if (s->ch->qb->ops->recv_ref)
			return s->ch->qb->ops->recv_ref(ctx, s->qrx, msg, QUEUE_FOREVER, 0, &rep);
		return s->ch->qb->ops->recv(ctx, s->qrx, buf, cap, QUEUE_FOREVER, 0, &trunc, &rep);
	case LK_BARE:
		/* The message is cap - 1 bytes, as the other side sent it. */
		return read_full(s->rfd, buf, cap - 1) < 0 ? -1 : (ssize_t)(cap - 1);
	}
	return -1;
}

static double cpu_now(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return NAN;
	return ru_seconds(&ru);
}

static void echo_server(struct bench *b, struct lchan *ch, size_t size, int cpu)
{
	struct lside s;
	char *buf = malloc(size + 1);
	pin(cpu);
	if (!buf || lside_init(ch, &s, false) < 0)
		_exit(EXIT_FAIL);
	for (;;) {
		const char *m;
		ssize_t n = l_recv(b->ctx, &s, buf, size + 1, &m);
		if (n < 0)
			_exit(EXIT_OK);
		if (s.ch->kind == LK_STREAM || s.ch->kind == LK_FILE)
			n++; /* the line's newline, there after it */
		if (l_send(b->ctx, &s, m, (size_t)n) < 0)
			_exit(EXIT_OK);
	}
}

static void ping_client(struct bench *b, struct lchan *ch, size_t size, int cpu, int out)
{
	struct lresult res;
	struct lside s;
	char *msg = malloc(size), *buf = malloc(size + 1);
	const char *got;
	uint64_t cap = b->count ? b->count : 1 << 16, n = 0;
	double *rtt = malloc(cap * sizeof(double));
	memset(&res, 0, sizeof(res));
	pin(cpu);
	if (!msg || !buf || !rtt || lside_init(ch, &s, true) < 0) {
		snprintf(res.err, sizeof(res.err), "setting up: %s", strerror(errno));
		goto out;
	}
	memset(msg, 'p', size - 1);
	msg[size - 1] = '\n';
	/* Up to 200 warm-up round trips, fewer of large messages. */
	uint64_t warm = ((uint64_t)64 << 20) / size;
	warm = warm < 10 ? 10 : warm > 200 ? 200 : warm;
	for (uint64_t i = 0; i < warm; i++) {
		if (l_send(b->ctx, &s, msg, size) < 0 || l_recv(b->ctx, &s, buf, size + 1, &got) < 0) {
			snprintf(res.err, sizeof(res.err), "warm-up round trip: %s", strerror(errno));
			goto out;
		}
	}
	double c0 = cpu_now();
	int64_t end = now_mono_ns() + b->duration;
	for (;;) {
		if (b->count ? n >= b->count : (n >= 100 && now_mono_ns() >= end))
			break;
		if (stop_requested())
			break;
		if (n == cap) {
			double *nr = realloc(rtt, 2 * cap * sizeof(double));
			if (!nr)
				break;
			rtt = nr;
			cap *= 2;
		}
		int64_t t0 = now_mono_ns();
		if (l_send(b->ctx, &s, msg, size) < 0 || l_recv(b->ctx, &s, buf, size + 1, &got) < 0) {
			snprintf(res.err, sizeof(res.err), "round trip: %s", strerror(errno));
			goto out;
		}
		rtt[n++] = (double)(now_mono_ns() - t0) / 1e3;
	}
	res.cpu = cpu_now() - c0;
	sample_sort(rtt, n);
	res.ok = n > 0;
	res.n = n;
	res.med = sample_median(rtt, n);
	res.p99 = sample_percentile(rtt, n, 99);
	res.min = sample_percentile(rtt, n, 0);
out:
	if (write(out, &res, sizeof(res)) != (ssize_t)sizeof(res))
		_exit(EXIT_FAIL);
	_exit(res.ok ? EXIT_OK : EXIT_FAIL);
}

struct lcell {
	bool available, ok;
	char why[200];
	double med, p99, min, spread, cpu_us;
	uint64_t n;
	unsigned runs;
};

static void latency_once(struct bench *b, const struct row *r, size_t size, int cpu_c, int cpu_s, struct lresult *res)
{
	struct lchan ch;
	int rp[2];
	memset(res, 0, sizeof(*res));
	if (lchan_make(b, r, size, &ch, res->err, sizeof(res->err)) < 0) {
		lchan_free(b, &ch);
		return;
	}
	if (pipe2(rp, O_CLOEXEC) < 0) {
		snprintf(res->err, sizeof(res->err), "pipe: %s", strerror(errno));
		lchan_free(b, &ch);
		return;
	}
	pid_t srv = fork_child(b->ctx->prog);
	if (srv == 0) {
		close(rp[0]);
		close(rp[1]);
		echo_server(b, &ch, size, cpu_s);
	}
	pid_t cli = srv > 0 ? fork_child(b->ctx->prog) : -1;
	if (cli == 0) {
		close(rp[0]);
		ping_client(b, &ch, size, cpu_c, rp[1]);
	}
	close(rp[1]);
	/* The parent keeps no end open: EOF reaches whoever reads. */
	lchan_close_fds(&ch);
	ssize_t got = 0;
	if (cli > 0) {
		bool passed = false;
		do {
			got = read(rp[0], res, sizeof(*res));
			if (got < 0 && errno == EINTR && stop_requested() && stop_signal() == SIGTERM && !passed) {
				kill(cli, SIGTERM); /* pass Ctrl-C on to the client */
				passed = true;
			}
		} while (got < 0 && errno == EINTR);
	}
	close(rp[0]);
	if (got != (ssize_t)sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		snprintf(res->err, sizeof(res->err), "the client ended without a result");
	}
	if (cli > 0)
		wait_child(b->ctx->prog, cli);
	if (srv > 0) {
		/* The echo server may be about to block in a read that nothing
		 * else would end (a datagram socket has no end of file). */
		kill(srv, SIGKILL);
		int st;
		while (waitpid(srv, &st, 0) < 0 && errno == EINTR)
			;
	}
	lchan_free(b, &ch);
}

static void latency(struct bench *b, const struct row *r, size_t size, int cpu_c, int cpu_s, struct lcell *c)
{
	const struct bench_opts *o = bench_opts_of(b->ctx);
	double med[100], p99[100], mn[100], cpu[100];
	struct lresult res;
	memset(c, 0, sizeof(*c));
	size_t lim = row_limit(r, c->why, sizeof(c->why));
	if (lim && size > lim)
		return;
	if (r->kind == RK_DD) {
		snprintf(c->why, sizeof(c->why), "dd moves data one way only");
		return;
	}
	c->available = true;
	c->why[0] = '\0';
	uint64_t reps = o->repeat;
	unsigned n = 0;
	for (uint64_t i = 0; i < reps && !stop_requested(); i++) {
		latency_once(b, r, size, cpu_c, cpu_s, &res);
		if (!res.ok) {
			snprintf(c->why, sizeof(c->why), "%s", res.err);
			return;
		}
		med[n] = res.med;
		p99[n] = res.p99;
		mn[n] = res.min;
		cpu[n] = res.cpu / (double)res.n * 1e6;
		c->n = res.n;
		n++;
	}
	if (!n)
		return;
	sample_sort(p99, n);
	sample_sort(mn, n);
	sample_sort(cpu, n);
	c->spread = 0;
	double sorted[100];
	memcpy(sorted, med, n * sizeof(double));
	sample_sort(sorted, n);
	c->med = sample_median(sorted, n);
	c->spread = sample_spread(sorted, n);
	c->p99 = sample_median(p99, n);
	c->min = mn[0];
	c->cpu_us = sample_median(cpu, n);
	c->runs = n;
	c->ok = true;
}

/* ---- sizes, placements, rows ---- */

int bench_parse_sizes(const char *s, size_t *out, int max, int *n, char *why, size_t wlen)
{
	char buf[256];
	*n = 0;
	if (strlen(s) >= sizeof(buf)) {
		snprintf(why, wlen, "too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	if (buf[0] == ',' || strstr(buf, ",,") || (buf[0] && buf[strlen(buf) - 1] == ',')) {
		snprintf(why, wlen, "an empty size in the list");
		return -1;
	}
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		const char *w;
		if (parse_size(t, &v, &w) < 0) {
			snprintf(why, wlen, "'%s': %s", t, w);
			return -1;
		}
		if (v < BENCH_SIZE_MIN || v > BENCH_SIZE_MAX) {
			snprintf(why, wlen, "'%s': sizes go from %d bytes (a counter and its newline) to 16M", t,
				 BENCH_SIZE_MIN);
			return -1;
		}
		if (*n == max) {
			snprintf(why, wlen, "at most %d sizes", max);
			return -1;
		}
		out[(*n)++] = (size_t)v;
	}
	if (*n == 0) {
		snprintf(why, wlen, "no size");
		return -1;
	}
	return 0;
}

static int parse_sizes(struct ctx *ctx, size_t *out, int max, int *n)
{
	const char *s = bench_opts_of(ctx)->sizes ? bench_opts_of(ctx)->sizes : "64,4k,64k";
	char why[128];
	if (bench_parse_sizes(s, out, max, n, why, sizeof(why)) < 0)
		return msg_usage(ctx->prog, "invalid value '%s' for --size: %s", s, why);
	return 0;
}

static void size_label(char *buf, size_t len, size_t s)
{
	if (s >= 1024 && s % 1024 == 0) {
		if (s >= (1 << 20) && s % (1 << 20) == 0)
			snprintf(buf, len, "%zu MiB", s >> 20);
		else
			snprintf(buf, len, "%zu KiB", s >> 10);
	} else {
		snprintf(buf, len, "%zu B", s);
	}
}

/* The CPUs this process may use: the pinned placements take the first two. */
static void find_cpus(struct bench *b)
{
	cpu_set_t set;
	b->cpus[0] = b->cpus[1] = -1;
	b->ncpu = 0;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	for (int i = 0; i < CPU_SETSIZE && b->ncpu < 2; i++)
		if (CPU_ISSET(i, &set))
			b->cpus[b->ncpu++] = i;
	b->ncpu = CPU_COUNT(&set);
}

static const char *const place_names[] = { "both", "same", "split", "any" };

static void place_cpus(const struct bench *b, int place, int *a, int *c)
{
	*a = *c = -1;
	if (place == CPU_SAME) {
		*a = *c = b->cpus[0];
	} else if (place == CPU_SPLIT) {
		*a = b->cpus[0];
		*c = b->cpus[1];
	}
}

static int select_rows(struct ctx *ctx, bool *sel)
{
	size_t nrows = ARRAY_SIZE(rows);
	if (ctx->argc == 0) {
		for (size_t i = 0; i < nrows; i++)
			sel[i] = true;
		return 0;
	}
	for (size_t i = 0; i < nrows; i++)
		sel[i] = false;
	for (int a = 0; a < ctx->argc; a++) {
		bool hit = false;
		for (size_t i = 0; i < nrows; i++) {
			if (strcmp(ctx->argv[a], rows[i].group) == 0 ||
			    (rows[i].word && strcmp(ctx->argv[a], rows[i].word) == 0)) {
				sel[i] = true;
				hit = true;
			}
		}
		if (!hit) {
			const char *names[32];
			size_t n = 0;
			for (size_t i = 0; i < nrows && n < ARRAY_SIZE(names); i++)
				if (i == 0 || strcmp(rows[i].group, rows[i - 1].group) != 0)
					names[n++] = rows[i].group;
			fprintf(stderr, "ipcdemo bench: '%s' is not a mechanism the benchmark measures.\n", ctx->argv[a]);
			suggest("ipcdemo bench", "bench", ctx->argv[a], names, n);
			fprintf(stderr, "Try 'ipcdemo bench --help' for more information.\n");
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* ---- output ---- */

static void fmt_rate(char *buf, size_t len, double v)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

static void print_cell_text(const struct cell *c)
{
	char rate[24], cpu[32];
	if (!c->available) {
		printf("  %-33s", "n/a");
		return;
	}
	if (!c->ok) {
		printf("  %-33s", "failed");
		return;
	}
	fmt_rate(rate, sizeof(rate), c->msgps);
	snprintf(cpu, sizeof(cpu), "%.2f/%.2f", c->tx_us, c->rx_us);
	printf("  %9.1f %8s %13s%c", c->mbps, rate, cpu, c->spread > SPREAD_WIDE ? '*' : ' ');
}

static void print_lcell_text(const struct lcell *c)
{
	if (!c->available || !c->ok) {
		printf("  %-25s", c->available ? "failed" : "n/a");
		return;
	}
	printf("  %7.1f %7.1f %7.1f%c  ", c->med, c->p99, c->min, c->spread > SPREAD_WIDE ? '*' : ' ');
}

/* The fields every cell has; true when it was measured. */
static bool cell_head(struct out *o, const char *test, const struct row *r, size_t size, const char *place,
		      bool available, bool ok, const char *why)
{
	out_open(o);
	out_string(o, PRINT_JSON, "test", NULL, test);
	out_string(o, PRINT_JSON, "mechanism", NULL, r->name);
	out_u64(o, PRINT_JSON, "size", NULL, size);
	out_string(o, PRINT_JSON, "cpu", NULL, place);
	out_bool(o, PRINT_JSON, "available", NULL, available && ok);
	out_bool(o, PRINT_JSON, "failed", NULL, available && !ok);
	if (available && ok)
		return true;
	out_string(o, PRINT_JSON, "why", NULL, why[0] ? why : "failed");
	out_close(o);
	return false;
}

static void print_lcell_json(struct out *o, const struct row *r, size_t size, const char *place, const struct lcell *c)
{
	if (!cell_head(o, "latency", r, size, place, c->available, c->ok, c->why))
		return;
	out_u64(o, PRINT_JSON, "round_trips", NULL, c->n);
	out_u64(o, PRINT_JSON, "runs", NULL, c->runs);
	out_double(o, PRINT_JSON, "median_us", NULL, c->med);
	out_double(o, PRINT_JSON, "p99_us", NULL, c->p99);
	out_double(o, PRINT_JSON, "min_us", NULL, c->min);
	out_double(o, PRINT_JSON, "spread", NULL, c->spread);
	out_double(o, PRINT_JSON, "client_cpu_us_per_round_trip", NULL, c->cpu_us);
	out_close(o);
}

static void print_cell_json(struct out *o, const struct row *r, size_t size, const char *place, const struct cell *c)
{
	if (!cell_head(o, "throughput", r, size, place, c->available, c->ok, c->why))
		return;
	out_u64(o, PRINT_JSON, "messages", NULL, c->msgs);
	out_u64(o, PRINT_JSON, "runs", NULL, c->runs);
	out_double(o, PRINT_JSON, "messages_per_s", NULL, c->msgps);
	out_double(o, PRINT_JSON, "mb_per_s", NULL, c->mbps);
	out_double(o, PRINT_JSON, "spread", NULL, c->spread);
	out_double(o, PRINT_JSON, "sender_cpu_us_per_message", NULL, c->tx_us);
	out_double(o, PRINT_JSON, "receiver_cpu_us_per_message", NULL, c->rx_us);
	if (r->kind == RK_UDP)
		out_double(o, PRINT_JSON, "lost_fraction", NULL, c->lost);
	out_close(o);
}

/* One of the two tables: every selected row, size and placement. */
struct table {
	struct bench *b;
	struct out *o;
	const bool *sel;
	const int *places;
	int nplaces;
	bool progress;
};

static void table_header(const struct table *t, bool lat)
{
	printf("%-15s %-7s", "mechanism", "size");
	for (int p = 0; p < t->nplaces; p++)
		printf(lat ? "  %-25s" : "  %-33s", place_names[t->places[p]]);
	printf("\n%-15s %-7s", "", "");
	for (int p = 0; p < t->nplaces; p++) {
		if (lat)
			printf("  %7s %7s %7s   ", "median", "p99", "min");
		else
			printf("  %9s %8s %13s ", "MB/s", "msg/s", "CPU us");
	}
	printf("\n");
}

static void run_table(struct table *t, bool lat, const size_t *sizes, int nsizes)
{
	struct ctx *ctx = t->b->ctx;
	for (size_t i = 0; i < ARRAY_SIZE(rows) && !stop_requested() && !ctx->out_errno; i++) {
		if (!t->sel[i])
			continue;
		for (int s = 0; s < nsizes && !stop_requested(); s++) {
			char sl[24], why[200] = "", lost[96] = "";
			size_label(sl, sizeof(sl), sizes[s]);
			if (!ctx->opt.json)
				printf("%-15s %-7s", rows[i].name, sl);
			for (int p = 0; p < t->nplaces; p++) {
				const char *place = place_names[t->places[p]];
				struct cell c;
				struct lcell lc;
				int a = -1, z = -1;
				place_cpus(t->b, t->places[p], &a, &z);
				if (t->progress) {
					fprintf(stderr, "\r%s %s %s %s ...\033[K", rows[i].name, sl, place,
						lat ? "round trips" : "throughput");
					fflush(stderr);
				}
				memset(&c, 0, sizeof(c));
				memset(&lc, 0, sizeof(lc));
				if (t->places[p] == CPU_SPLIT && t->b->ncpu < 2) {
					snprintf(lat ? lc.why : c.why, sizeof(c.why), "one CPU only");
				} else if (lat) {
					latency(t->b, &rows[i], sizes[s], a, z, &lc);
				} else {
					measure(t->b, &rows[i], sizes[s], a, z, &c);
				}
				if (t->progress)
					fprintf(stderr, "\r\033[K");
				if (stop_requested())
					break; /* an interrupted cell is no result */
				bool good = lat ? lc.available && lc.ok : c.available && c.ok;
				if (ctx->opt.json && lat)
					print_lcell_json(t->o, &rows[i], sizes[s], place, &lc);
				else if (ctx->opt.json)
					print_cell_json(t->o, &rows[i], sizes[s], place, &c);
				else if (lat)
					print_lcell_text(&lc);
				else
					print_cell_text(&c);
				if (!good && !why[0])
					snprintf(why, sizeof(why), "%s", lat ? lc.why : c.why);
				if (!lat && rows[i].kind == RK_UDP && good) {
					size_t l = strlen(lost);
					snprintf(lost + l, sizeof(lost) - l, "%s%s %.0f%%", l ? ", " : "lost: ", place,
						 c.lost * 100);
				}
			}
			if (!ctx->opt.json) {
				if (why[0] || lost[0])
					printf(lat ? "(%s)" : "  (%s)", why[0] ? why : lost);
				printf("\n");
			}
			ctx_stdout_error(ctx, flush_stdout());
		}
	}
}

/* ---- message sources ---- */

/* How fast a producer makes messages when sending costs next to nothing:
 * 'pipe produce --source SRC -q --stats' alone, its stdout /dev/null.
 * Returns messages/s, or NAN with why filled in. */
static double source_once(struct bench *b, const char *src, uint64_t n, char *why, size_t wlen)
{
	struct role r;
	char n_s[24], out[2048];
	snprintf(n_s, sizeof(n_s), "%llu", (unsigned long long)n);
	role_init(&r, "pipe", "produce", b->cpus[0]);
	role_arg(&r, "--source");
	role_arg(&r, src);
	role_arg(&r, "--count");
	role_arg(&r, n_s);
	role_arg(&r, "-q");
	role_arg(&r, "--stats");
	int fds[2] = { -1, -1 }, st[2];
	pid_t pids[2] = { -1, -1 };
	char *bufs[2] = { out, NULL };
	size_t caps[2] = { sizeof(out), 0 };
	out[0] = '\0';
	pids[0] = role_start(b, &r, &fds[0], NULL, 0);
	if (pids[0] < 0) {
		snprintf(why, wlen, "could not start the producer");
		return NAN;
	}
	collect(b, fds, pids, st, bufs, caps);
	double sent = summary_num(out, "sent ");
	double rate = summary_num(out, " s (");
	if (st[0] != EXIT_OK || !(sent == (double)n) || !(rate > 0)) {
		first_line(why, wlen, out);
		if (!why[0])
			snprintf(why, wlen, "too fast to time: use --count or --duration");
		return NAN;
	}
	return rate;
}

static double source_rate(struct bench *b, const char *src, char *why, size_t wlen)
{
	uint64_t n = b->count ? b->count : 100000;
	double rate = source_once(b, src, n, why, wlen);
	if (b->count || isnan(rate) || stop_requested())
		return rate;
	double want = rate * (double)b->duration / 1e9;
	return source_once(b, src, want < 10000 ? 10000 : (uint64_t)want, why, wlen);
}

/* libuuid's own generator, for comparison: one uuid_generate_random()
 * and uuid_unparse_lower() per UUID, in this process. */
static double libuuid_rate(struct bench *b)
{
	uuid_t u;
	char text[37];
	uint64_t n = 0;
	int64_t t0 = now_mono_ns(), t;
	do {
		for (int i = 0; i < 256; i++) {
			uuid_generate_random(u);
			uuid_unparse_lower(u, text);
		}
		n += 256;
		t = now_mono_ns();
	} while ((b->count ? n < b->count : t - t0 < b->duration) && !stop_requested());
	return t > t0 ? (double)n * 1e9 / (double)(t - t0) : NAN;
}

static void source_print(struct out *o, bool json, const char *name, double rate, const char *why,
			 const char *note)
{
	if (json) {
		out_open(o);
		out_string(o, PRINT_JSON, "test", NULL, "source");
		out_string(o, PRINT_JSON, "source", NULL, name);
		out_bool(o, PRINT_JSON, "failed", NULL, isnan(rate));
		if (isnan(rate))
			out_string(o, PRINT_JSON, "why", NULL, why);
		else
			out_double(o, PRINT_JSON, "messages_per_s", NULL, rate);
		out_close(o);
		return;
	}
	char r[32];
	if (isnan(rate))
		snprintf(r, sizeof(r), "failed");
	else
		fmt_rate(r, sizeof(r), rate);
	printf("%-15s %9s   %s\n", name, r, isnan(rate) ? why : note);
}

/* Can --source uuid keep up with the channels? Shown with every row. */
static void run_sources(struct bench *b, struct out *o)
{
	struct ctx *ctx = b->ctx;
	char why[256];
	if (!ctx->opt.json)
		printf("\nMessage sources: 'ipcdemo pipe produce --source S -q' alone, its output to /dev/null%s.\n\n"
		       "source              msg/s\n",
		       b->cpus[0] >= 0 ? ", pinned" : "");
	static const char *const srcs[] = { "counter", "uuid" };
	for (size_t i = 0; i < ARRAY_SIZE(srcs) && !stop_requested(); i++) {
		why[0] = '\0';
		double rate = source_rate(b, srcs[i], why, sizeof(why));
		if (stop_requested())
			return;
		source_print(o, ctx->opt.json, srcs[i], rate, why,
			     i == 0 ? "the numbers 1, 2, 3, ..." : "random (version 4) UUIDs, 256 per getrandom call");
	}
	if (stop_requested())
		return;
	source_print(o, ctx->opt.json, "libuuid", libuuid_rate(b), "",
		     "uuid_generate_random + uuid_unparse_lower, one UUID a call, for comparison");
	ctx_stdout_error(ctx, flush_stdout());
}

int bench_run(struct ctx *ctx)
{
	struct bench b;
	size_t sizes[16];
	int nsizes;
	bool sel[ARRAY_SIZE(rows)];
	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	int rc = parse_sizes(ctx, sizes, (int)ARRAY_SIZE(sizes), &nsizes);
	if (rc)
		return rc;
	rc = select_rows(ctx, sel);
	if (rc)
		return rc;
	b.duration = bench_opts_of(ctx)->given.duration ? bench_opts_of(ctx)->duration : DEFAULT_DURATION;
	b.count = ctx->opt.given[OP_COUNT] ? ctx->opt.count : 0;
	if (b.count && b.count < 2)
		return msg_usage(ctx->prog, "invalid value for --count: at least 2 messages per run");
	find_cpus(&b);

	int places[3], nplaces = 0;
	int want = bench_opts_of(ctx)->cpu;
	if (want == CPU_BOTH || want == CPU_SAME)
		places[nplaces++] = CPU_SAME;
	if (want == CPU_BOTH || want == CPU_SPLIT)
		places[nplaces++] = CPU_SPLIT;
	if (want == CPU_ANY)
		places[nplaces++] = CPU_ANY;

	tmp_template(b.dir, sizeof(b.dir), "ipcdemo-bench");
	if (!mkdtemp(b.dir)) {
		msg_syserr(ctx->prog, "mkdtemp %s", b.dir);
		return EXIT_FAIL;
	}
	bool progress = isatty(STDERR_FILENO) && !ctx->opt.quiet;
	struct out o;
	out_init(&o, stdout, ctx->opt.json);
	/* Round trips: of each --size given, by default of 64 bytes only. */
	size_t lsizes[16];
	int nl = 0;
	if (bench_opts_of(ctx)->sizes)
		for (int i = 0; i < nsizes; i++)
			lsizes[nl++] = sizes[i];
	else
		lsizes[nl++] = 64;
	struct table t = { &b, &o, sel, places, nplaces, progress };
	if (!ctx->opt.json) {
		printf("Round-trip latency: one process sends a message, the other sends it back; after up\n"
		       "to 200 warm-up round trips, the median, the 99th percentile and the minimum, in microseconds.\n"
		       "%d CPU%s: same = both processes pinned to one, split = to two.\n\n",
		       b.ncpu, b.ncpu == 1 ? "" : "s");
		table_header(&t, true);
	}
	run_table(&t, true, lsizes, nl);
	if (!ctx->opt.json && !stop_requested() && !ctx->out_errno) {
		printf("\nOne-way throughput: the producer and consumer verbs in two processes, timed at the\n"
		       "consumer from the first message to the last. MB = 10^6 bytes; msg/s; CPU = microseconds\n"
		       "of user + system time per message, sender/receiver. %d CPU%s%s; * = spread over %d%%.\n\n",
		       b.ncpu, b.ncpu == 1 ? "" : "s", b.ncpu < 2 ? " (split: n/a)" : "", (int)(SPREAD_WIDE * 100));
		table_header(&t, false);
	}
	if (!stop_requested())
		run_table(&t, false, sizes, nsizes);
	if (ctx->argc == 0 && !stop_requested() && !ctx->out_errno)
		run_sources(&b, &o);
	rmdir(b.dir);
	return EXIT_OK;
}

const struct verb_opt bench_opts[] = {
	{ .def = &bench_opt_size,
	  .help = "message sizes, comma-separated (default: 64 for round trips, 64,4k,64k for throughput)" },
	{ .def = &bench_opt_cpu, .help = "both (default): same and split side by side; same, split or any alone" },
	{ .def = &bench_opt_duration, .help = "measure each cell for about DURATION (default: 250ms)" },
	{ .id = OP_COUNT, .help = "messages per run instead of --duration" },
	{ .def = &bench_opt_repeat },
	{ .id = OP_JSON, .help = "one JSON object per cell" },
	{ .id = OP_QUIET, .help = "no progress on stderr" },
	OPT_LIST_END,
};
