/* SPDX-License-Identifier: MIT */
/* The benchmark's child processes: a producer or consumer verb run in a
 * fork, pinned to a CPU, its stderr read for the person and its result
 * read from a descriptor of its own (struct run_result). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "ipcdemo/util.h"
#include "ipcdemo/verb.h"

void role_arg(struct role *r, const char *a)
{
	if (r->argc < (int)ARRAY_SIZE(r->argv) - 1)
		r->argv[r->argc++] = a;
	r->argv[r->argc] = NULL;
}

void role_args(struct role *r, const struct bench_argv *a)
{
	for (int i = 0; i < a->argc; i++)
		role_arg(r, a->argv[i]);
}

void role_init(struct role *r, const struct mechanism *mech, const char *verb, int cpu)
{
	memset(r, 0, sizeof(*r));
	r->mech = mech;
	r->verb = verb;
	r->in_fd = r->out_fd = -1;
	r->cpu = cpu;
	role_arg(r, verb);
}

double ru_seconds(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 + (double)ru->ru_stime.tv_sec +
	       (double)ru->ru_stime.tv_usec / 1e6;
}

/* In a child: run on that CPU only (-1: wherever). */
void pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		_exit(EXIT_FAIL);
}

/* In the child: standard descriptors, the result descriptor, the verb. */
static void role_exec(struct role *r, int err_fd, int res_fd, const int *close_fds, int nclose)
{
	char fdnum[16];
	pin(r->cpu);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(r->in_fd >= 0 ? r->in_fd : null, STDIN_FILENO) < 0 ||
	    dup2(r->out_fd >= 0 ? r->out_fd : null, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
		_exit(EXIT_FAIL);
	for (int i = 0; i < nclose; i++)
		if (close_fds[i] >= 0)
			close(close_fds[i]);
	/* verb_dispatch reads it into the ctx (stats.h). */
	snprintf(fdnum, sizeof(fdnum), "%d", res_fd);
	if (setenv(RUN_RESULT_ENV, fdnum, 1) < 0)
		_exit(EXIT_FAIL);
	const struct verb *v = verb_find(r->mech, r->verb);
	if (!v)
		_exit(EXIT_FAIL);
	int st = verb_dispatch(r->mech, v, r->argc, (char **)r->argv);
	fflush(NULL);
	_exit(st);
}

/* Fork a role; its stderr comes back through *err_fd, its result
 * through *res_fd. */
static pid_t role_start(struct bench *b, struct role *r, int *err_fd, int *res_fd, const int *close_fds, int nclose)
{
	int p[2], q[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		msg_syserr(b->ctx->prog, "pipe");
		return -1;
	}
	if (pipe2(q, O_CLOEXEC) < 0) {
		msg_syserr(b->ctx->prog, "pipe");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	pid_t pid = fork_child(b->ctx->prog);
	if (pid == 0)
		role_exec(r, p[1], q[1], close_fds, nclose);
	close(p[1]);
	close(q[1]);
	if (pid < 0) {
		close(p[0]);
		close(q[0]);
		return -1;
	}
	*err_fd = p[0];
	*res_fd = q[0];
	return pid;
}

/* Pass a SIGTERM sent to the bench alone on to the children (Ctrl-C
 * reaches the whole process group by itself, as the demos have it). */
static void pass_stop(const pid_t pids[2], bool *stopping)
{
	if (stop_requested() && stop_signal() == SIGTERM && !*stopping) {
		*stopping = true;
		for (int i = 0; i < 2; i++)
			if (pids[i] > 0)
				kill(pids[i], SIGTERM);
	}
}

/* Read from child i's stderr; at its end reap it, and stop the other
 * when it failed. Returns false at the end. */
static bool collect_one(struct bench *b, int i, int fds[2], pid_t pids[2], struct role_out out[2], size_t used[2])
{
	char tmp[4096];
	ssize_t got = read(fds[i], tmp, sizeof(tmp));
	if (got < 0 && errno == EINTR)
		return true;
	if (got <= 0) {
		close(fds[i]);
		fds[i] = -1;
		/* Its stderr is closed: it is exiting. */
		if (pids[i] > 0) {
			out[i].status = wait_child(b->ctx->prog, pids[i]);
			pids[i] = -1;
			if (out[i].status != EXIT_OK && pids[1 - i] > 0)
				kill(pids[1 - i], SIGTERM);
		}
		return false;
	}
	size_t room = sizeof(out[i].text) - 1 - used[i];
	size_t take = (size_t)got < room ? (size_t)got : room;
	memcpy(out[i].text + used[i], tmp, take);
	used[i] += take;
	out[i].text[used[i]] = '\0';
	return true;
}

/* Read both children's stderr to the end and reap them. When one ends
 * with an error the other is stopped: a consumer whose producer failed
 * would otherwise wait for ever. */
static void collect(struct bench *b, int fds[2], pid_t pids[2], struct role_out out[2])
{
	size_t used[2] = { 0, 0 };
	bool stopping = false;
	for (;;) {
		struct pollfd pf[2];
		int n = 0, map[2];
		for (int i = 0; i < 2; i++) {
			if (fds[i] >= 0) {
				pf[n] = (struct pollfd){ .fd = fds[i], .events = POLLIN, .revents = 0 };
				map[n++] = i;
			}
		}
		if (n == 0)
			break;
		if (poll(pf, (nfds_t)n, -1) < 0) {
			if (errno != EINTR)
				break;
			pass_stop(pids, &stopping);
			continue;
		}
		for (int k = 0; k < n; k++)
			if (pf[k].revents)
				collect_one(b, map[k], fds, pids, out, used);
	}
	for (int i = 0; i < 2; i++)
		if (pids[i] > 0)
			out[i].status = wait_child(b->ctx->prog, pids[i]);
}

/* The result a child wrote before it ended (none: got false). */
static void read_result(int fd, struct role_out *o)
{
	ssize_t got;
	if (fd < 0)
		return;
	while ((got = read(fd, &o->res, sizeof(o->res))) < 0 && errno == EINTR)
		;
	o->got = got == (ssize_t)sizeof(o->res);
	close(fd);
}

void roles_run(struct bench *b, struct role *first, struct role *second, bool (*ready)(const void *arg),
	       const void *arg, const int *close_fds, int nclose, struct role_out out[2])
{
	int efd[2] = { -1, -1 }, rfd[2] = { -1, -1 };
	pid_t pids[2] = { -1, -1 };
	for (int i = 0; i < 2; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].status = EXIT_FAIL;
	}
	pids[0] = role_start(b, first, &efd[0], &rfd[0], close_fds, nclose);
	if (pids[0] > 0 && second) {
		/* A producer that sends to a bound address waits until it is bound. */
		int64_t until = now_mono_ns() + 5 * NSEC_PER_SEC;
		while (ready && !ready(arg)) {
			if (now_mono_ns() > until || stop_requested())
				break;
			sleep_ns(NSEC_PER_MSEC);
		}
		pids[1] = role_start(b, second, &efd[1], &rfd[1], close_fds, nclose);
		if (pids[1] < 0)
			kill(pids[0], SIGTERM);
	}
	for (int i = 0; i < nclose; i++)
		if (close_fds[i] >= 0)
			close(close_fds[i]);
	collect(b, efd, pids, out);
	for (int i = 0; i < 2; i++)
		read_result(rfd[i], &out[i]);
}

void first_line(char *dst, size_t len, const char *text)
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

void reap_pair(const pid_t pids[2], bool stop, int st[2], double cpu[2])
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

int read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;
	int reads = 0;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
		reads++;
	}
	return reads;
}
