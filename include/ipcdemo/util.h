/* SPDX-License-Identifier: MIT */
/* Small shared helpers: exit codes, diagnostics, time, signals, fd I/O. */
#ifndef IPCDEMO_UTIL_H
#define IPCDEMO_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pollfd;

/* Exit status contract, documented in ipcdemo(1) EXIT STATUS. */
enum {
	EXIT_OK = 0,      /* success */
	EXIT_FAIL = 1,    /* the operation failed: syscall error, peer gone */
	EXIT_USAGE = 2,   /* usage error */
	EXIT_VERIFY = 3,  /* --verify (or race) found lost, duplicated or reordered messages */
	EXIT_TIMEOUT = 4, /* --timeout expired with nothing received */
};

#define NSEC_PER_SEC 1000000000LL
#define NSEC_PER_MSEC 1000000LL

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Diagnostics go to stderr, prefixed with "PROG: " (on a terminal, in the
 * colour of their kind: color.h). */
void msg_warn(const char *prog, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Like msg_warn, for an error. */
void msg_error(const char *prog, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Like msg_warn, with ": strerror(errno)" appended. Preserves errno. */
void msg_syserr(const char *prog, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Usage error: message plus "Try 'PROG --help'". Returns EXIT_USAGE. */
int msg_usage(const char *prog, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Monotonic and wall clocks in nanoseconds. */
int64_t now_mono_ns(void);
int64_t now_real_ns(void);
/* CLOCK_MONOTONIC_COARSE: the monotonic clock as of the last timer tick
 * (clock_getres says how coarse: 1/HZ), a quarter of the cost of the
 * precise reading, which asks the hardware. */
int64_t now_coarse_ns(void);
/* Sleep for ns nanoseconds; returns false if interrupted by a stop request. */
bool sleep_ns(int64_t ns);
/* Format a duration compactly ("250ms", "1.5s", "5m"). */
void format_duration(char *buf, size_t len, int64_t ns);

/* Signals: SIGPIPE ignored; SIGINT/SIGTERM set a stop flag and interrupt
 * blocking system calls (no SA_RESTART); a second signal exits at once. */
int signals_setup(void);
bool stop_requested(void);
int stop_signal(void);

/* poll(2) that a stop request always ends: SIGINT and SIGTERM are blocked
 * while the flag is checked and unblocked atomically by ppoll(2), so a
 * signal that arrives just before the wait is not missed. ms < 0: no
 * timeout. Returns poll's result; -1 with EINTR after a stop request. */
int poll_stoppable(struct pollfd *fds, unsigned long n, int ms);

/* open(2) that may block (a FIFO waiting for its other side), and still
 * ends promptly on a stop request: a 250 ms interval timer interrupts it,
 * so a signal that lands just before the call is not missed. Returns the
 * fd, or -1 with errno (EINTR when a stop was requested). */
int open_wait(const char *path, int flags);

/* fork(2) for the demos and the race: stdio is flushed first (nothing
 * printed twice), a failure is reported, and the child ends (SIGTERM) when
 * the parent dies, so that none is left waiting on a channel whose other
 * side is gone. Returns what fork returns. */
pid_t fork_child(const char *prog);
/* Wait for a child; its exit status, or EXIT_FAIL (reported) when it was
 * killed or could not be waited for. */
int wait_child(const char *prog, pid_t pid);
/* A whole number from a file under /proc/sys (limits). -1 if unreadable. */
long long sysctl_read(const char *path);

/* "$TMPDIR/NAME.XXXXXX" (TMPDIR defaults to /tmp), for mkdtemp/mkstemp. */
void tmp_template(char *buf, size_t len, const char *name);

/* Enlarge the pipe or FIFO behind fd to PIPE_GROW_MAX bytes (or the
 * system's fs.pipe-max-size if lower); nothing on other files. */
#define PIPE_GROW_MAX (1 << 20)
void pipe_grow(int fd);

/* Write all of buf; retries on short writes. Returns 0, or -1 with errno
 * set (EINTR only when a stop was requested). *written gets the bytes
 * that did reach the fd (may be NULL). */
int write_all(int fd, const void *buf, size_t len, size_t *written);

/* Flush stdout. Returns 0, or the errno of the failure (EPIPE: the reader
 * went away). A write that failed earlier inside stdio (ferror) counts. */
int flush_stdout(void);
/* Final check of stdout at exit. known_errno is the first stdout error a
 * verb saw (0: none). A write error other than EPIPE is reported once and
 * turns a successful status into EXIT_FAIL; EPIPE is a quiet end. */
int close_stdout(const char *prog, int status, int known_errno);

#endif
