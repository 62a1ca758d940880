/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo/color.h"
#include "ipcdemo/util.h"

/* "PROG: ", in sgr when stderr is coloured (color.h). Preserves errno. */
static void msg_prefix(const char *prog, const char *sgr)
{
	int e = errno;
	if (color_on(color_mode_env(), STDERR_FILENO))
		fprintf(stderr, "%s%s:%s ", sgr, prog, SGR_RESET);
	else
		fprintf(stderr, "%s: ", prog);
	errno = e;
}

void msg_warn(const char *prog, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	msg_prefix(prog, SGR_WARN);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void msg_error(const char *prog, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	msg_prefix(prog, SGR_ERROR);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void msg_syserr(const char *prog, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	fflush(stdout);
	msg_prefix(prog, SGR_ERROR);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	errno = e;
}

int msg_usage(const char *prog, const char *fmt, ...)
{
	va_list ap;
	msg_prefix(prog, SGR_ERROR);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	return EXIT_USAGE;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

int64_t now_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int64_t now_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int64_t now_coarse_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

bool sleep_ns(int64_t ns)
{
	int64_t end = now_mono_ns() + ns;
	for (;;) {
		int64_t left = end - now_mono_ns();
		if (left <= 0)
			return !stop_requested();
		int64_t ms = (left + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
		if (poll_stoppable(NULL, 0, ms > 1000000000 ? 1000000000 : (int)ms) < 0 && stop_requested())
			return false;
	}
}

int poll_stoppable(struct pollfd *fds, unsigned long n, int ms)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &block, &old) < 0)
		return -1;
	int r;
	if (stop_requested()) {
		r = -1;
		errno = EINTR;
	} else {
		struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * NSEC_PER_MSEC };
		r = ppoll(fds, (nfds_t)n, ms < 0 ? NULL : &ts, &old);
	}
	int e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}

void format_duration(char *buf, size_t len, int64_t ns)
{
	if (ns % NSEC_PER_SEC == 0 && ns >= 60 * NSEC_PER_SEC && ns % (60 * NSEC_PER_SEC) == 0)
		snprintf(buf, len, "%lldm", (long long)(ns / (60 * NSEC_PER_SEC)));
	else if (ns % NSEC_PER_SEC == 0)
		snprintf(buf, len, "%llds", (long long)(ns / NSEC_PER_SEC));
	else if (ns >= NSEC_PER_SEC)
		snprintf(buf, len, "%.3gs", (double)ns / NSEC_PER_SEC);
	else if (ns % NSEC_PER_MSEC == 0)
		snprintf(buf, len, "%lldms", (long long)(ns / NSEC_PER_MSEC));
	else
		snprintf(buf, len, "%.3gms", (double)ns / NSEC_PER_MSEC);
}

/* The only process-wide mutable state: written by the signal handler,
 * read through stop_requested(). */
static volatile sig_atomic_t stop_sig;

/* Set once a stop request has been seen outside the handler: the kick
 * below is no longer needed. */
static volatile sig_atomic_t stop_seen;

/* A stop request that lands between a look at the stop flag and the
 * blocking call after it (a read, an mq_receive, a msgrcv) does not
 * interrupt that call: the signal came before it. So the handler of the
 * first request also arms ITIMER_REAL: a SIGALRM every STOP_KICK_US, whose
 * handler has no SA_RESTART either, interrupts such a call soon after,
 * and the first stop_requested() that returns true disarms it. The waits
 * need no timeout of their own for the sake of Ctrl-C: a blocking call
 * that times out arms a timer in the kernel each time it sleeps. */
#define STOP_KICK_US 20000

/* Who sent the first stop signal, and when (CLOCK_MONOTONIC, ns). */
static pid_t stop_from;
static int64_t stop_at;

/* timeout(1) sends its signal to its command, then to the command's
 * process group, which holds the command too: the same signal from the
 * same process right after the first is that one again, not a second. */
#define STOP_ECHO_NS (250 * 1000000LL)

static void on_stop(int sig, siginfo_t *si, void *uc)
{
	struct timespec ts;
	(void)uc;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (stop_sig) {
		if (sig == stop_sig && si && si->si_code == SI_USER && si->si_pid == stop_from &&
		    now - stop_at < STOP_ECHO_NS)
			return;
		/* Second Ctrl-C: the user insists. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stop_from = si && si->si_code == SI_USER ? si->si_pid : -1;
	stop_at = now;
	stop_sig = sig;
	int e = errno;
	struct itimerval kick = { .it_interval = { .tv_sec = 0, .tv_usec = STOP_KICK_US },
				  .it_value = { .tv_sec = 0, .tv_usec = STOP_KICK_US } };
	(void)setitimer(ITIMER_REAL, &kick, NULL);
	errno = e;
}

static void on_alarm(int sig)
{
	(void)sig; /* only there to interrupt a blocking call */
}

int signals_setup(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -1;
	sa.sa_sigaction = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: blocking calls return EINTR */
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return -1;
	return 0;
}

int open_wait(const char *path, int flags)
{
	struct itimerval tick = { .it_interval = { .tv_sec = 0, .tv_usec = 250000 },
				  .it_value = { .tv_sec = 0, .tv_usec = 250000 } };
	struct itimerval off;
	int fd, e;
	memset(&off, 0, sizeof(off));
	if (setitimer(ITIMER_REAL, &tick, NULL) < 0)
		return -1;
	for (;;) {
		if (stop_requested()) {
			fd = -1;
			e = EINTR;
			break;
		}
		fd = open(path, flags);
		e = errno;
		if (fd >= 0 || e != EINTR)
			break;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	errno = e;
	return fd;
}

pid_t fork_child(const char *prog)
{
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		msg_syserr(prog, "fork");
	else if (pid == 0 && (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent))
		_exit(EXIT_FAIL); /* the parent is already gone */
	return pid;
}

int wait_child(const char *prog, pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			msg_syserr(prog, "waitpid %d", (int)pid);
			return EXIT_FAIL;
		}
	}
	if (WIFSIGNALED(st)) {
		msg_warn(prog, "child %d was killed by signal %d (%s)", (int)pid, WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
		return EXIT_FAIL;
	}
	return WEXITSTATUS(st);
}

void tmp_template(char *buf, size_t len, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(buf, len, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
}

bool stop_requested(void)
{
	if (!stop_sig)
		return false;
	if (!stop_seen) {
		/* Seen: the kick has done its work, or was not needed. */
		struct itimerval off = { .it_interval = { 0, 0 }, .it_value = { 0, 0 } };
		int e = errno;
		(void)setitimer(ITIMER_REAL, &off, NULL);
		errno = e;
		stop_seen = 1;
	}
	return true;
}

int stop_signal(void)
{
	return stop_sig;
}

int write_all(int fd, const void *buf, size_t len, size_t *written)
{
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR && !stop_requested())
				continue;
			if (written)
				*written = done;
			return -1;
		}
		done += (size_t)n;
	}
	if (written)
		*written = done;
	return 0;
}

/* True when fd 1 is a pipe or socket whose reader has gone away. */
static bool stdout_reader_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0, .revents = 0 };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

int flush_stdout(void)
{
	if (fflush(stdout) != 0)
		return errno ? errno : EIO;
	if (ferror(stdout))
		return stdout_reader_gone() ? EPIPE : EIO;
	return 0;
}

int close_stdout(const char *prog, int status, int known_errno)
{
	int e = known_errno ? known_errno : flush_stdout();
	if (e == 0 || e == EPIPE)
		return status;
	errno = e;
	msg_syserr(prog, "write error on standard output");
	return status == EXIT_OK ? EXIT_FAIL : status;
}

void pipe_grow(int fd)
{
	/* A larger pipe lets the writer run ahead of the reader: fewer
	 * wake-ups and context switches per byte. Up to what an unprivileged
	 * process may ask (fs.pipe-max-size); best effort, and only on a
	 * pipe or FIFO (F_SETPIPE_SZ fails with EBADF on anything else). */
	long long max = -1;
	FILE *fp = fopen("/proc/sys/fs/pipe-max-size", "re");
	if (fp) {
		if (fscanf(fp, "%lld", &max) != 1)
			max = -1;
		fclose(fp);
	}
	if (max <= 0)
		return;
	if (max > PIPE_GROW_MAX)
		max = PIPE_GROW_MAX;
	int cur = fcntl(fd, F_GETPIPE_SZ);
	if (cur > 0 && cur < max)
		(void)fcntl(fd, F_SETPIPE_SZ, (int)max);
}

long long sysctl_read(const char *path)
{
	FILE *fp = fopen(path, "re");
	long long v;
	if (!fp)
		return -1;
	if (fscanf(fp, "%lld", &v) != 1)
		v = -1;
	fclose(fp);
	return v;
}
