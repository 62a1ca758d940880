/* SPDX-License-Identifier: MIT */
/* The benchmark's progress: on standard error when it is a terminal, one
 * line that says how many cells are done of how many, about how long the
 * rest takes and which cell is being measured. The line is erased before
 * anything goes to standard output, so that a table's line is never split
 * by it; the time left is the planned duration of the cells still to come,
 * scaled by how long those done took against their plan (before any is
 * done, the plan itself). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "ipcdemo/util.h"

void progress_init(struct progress *p, bool on, unsigned total, double planned, bool seconds)
{
	struct stat st;
	*p = (struct progress){ .on = on,
				.pipe = false,
				.drain = false,
				.done = 0,
				.total = total,
				.planned = planned,
				.spent = 0,
				.seconds = seconds,
				.start_ns = now_mono_ns(),
				.shown = false };
	/* 'ipcdemo bench | less' or '| tee': the reader writes the line to
	 * the terminal after this process wrote it to the pipe. */
	if (on && fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode))
		p->pipe = p->drain = true;
}

/* Write the whole buffer to standard error; off on an error. */
static void progress_write(struct progress *p, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(STDERR_FILENO, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			p->on = false;
			return;
		}
		s += k;
		n -= (size_t)k;
	}
}

static void fmt_left(char *buf, size_t len, double s)
{
	long t = s < 1 ? 1 : (long)(s + 0.5);
	if (t < 60)
		snprintf(buf, len, "%ld s", t);
	else if (t < 3600)
		snprintf(buf, len, "%ld min %02ld s", t / 60, t % 60);
	else
		snprintf(buf, len, "%ld h %02ld min", t / 3600, t / 60 % 60);
}

void progress_show(struct progress *p, const char *what)
{
	char left[48] = "", line[512];
	if (!p->on)
		return;
	double elapsed = (double)(now_mono_ns() - p->start_ns) / 1e9;
	/* Before a cell is done, the plan itself when it is in seconds. */
	double est = -1;
	if (p->spent > 0 && elapsed > 0)
		est = (p->planned - p->spent) * elapsed / p->spent;
	else if (p->seconds && p->planned > 0)
		est = p->planned;
	if (est >= 0) {
		char t[32];
		fmt_left(t, sizeof(t), est);
		snprintf(left, sizeof(left), ", about %s left", t);
	}
	int n = snprintf(line, sizeof(line), "\r\033[K[%u/%u done%s] %s ...", p->done, p->total, left, what);
	if (n < 0)
		return;
	/* Within the terminal's own width, whatever COLUMNS says: a line
	 * that wraps cannot be erased. */
	struct winsize ws;
	int width = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : term_width(STDERR_FILENO);
	width--; /* the last column: some terminals wrap there */
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (width > 0 && len > (size_t)width + 4) /* the 4 of \r\033[K */
		len = (size_t)width + 4;
	/* Through a pipe, a line may still reach the terminal after this one
	 * (its reader is late): it then starts at the line's beginning,
	 * over the progress, with its label. */
	if (p->pipe && len < sizeof(line))
		line[len++] = '\r';
	progress_write(p, line, len);
	p->shown = true;
}

void progress_part(struct progress *p, double planned)
{
	p->spent += planned;
	if (p->on && p->shown)
		progress_write(p, "\r\033[K", 4);
	p->shown = false;
}

void progress_done(struct progress *p, double planned)
{
	p->done++;
	p->spent += planned;
	if (p->on && p->shown)
		progress_write(p, "\r\033[K", 4);
	p->shown = false;
}

void progress_after_output(struct progress *p)
{
	if (!p->on || !p->drain)
		return;
	/* Up to 100 ms for the reader to take what is in the pipe, and 20 ms
	 * for it to pass it on. A reader that takes longer reads when it
	 * likes (less(1) does, a screen at a time): no more waiting for it. */
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };
	int queued = 0;
	for (int i = 0; i < 100; i++) {
		if (ioctl(STDOUT_FILENO, FIONREAD, &queued) < 0)
			queued = 0;
		if (queued == 0)
			break;
		nanosleep(&ms, NULL);
	}
	if (queued) {
		p->drain = false;
		return;
	}
	ms.tv_nsec = 20000000;
	nanosleep(&ms, NULL);
}
