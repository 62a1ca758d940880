/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipcdemo/color.h"
#include "ipcdemo/demo.h"
#include "ipcdemo/message.h"
#include "ipcdemo/util.h"
#include "ipcdemo/verb.h"

#define MAX_ROLES 8

struct child {
	const char *label;
	const char *sgr; /* the colour of its label (color.h), NULL: none */
	bool upstream;
	pid_t pid;
	int fd; /* read end of the child's stdout+stderr */
	struct linebuf lb;
	int status;
};

static void print_labelled(const struct child *ch, int width, const char *line, size_t len)
{
	if (ch->sgr)
		printf("%s%-*s |%s %.*s\n", ch->sgr, width, ch->label, SGR_RESET, (int)len, line);
	else
		printf("%-*s | %.*s\n", width, ch->label, (int)len, line);
}

/* Print every complete line the child has written so far. Returns true at
 * its end of file (the fd is then closed). */
static bool drain_child(struct child *c, int width)
{
	const char *line;
	size_t len;
	for (;;) {
		ssize_t got = linebuf_fill(&c->lb, c->fd);
		if (got < 0 && errno == EINTR)
			continue;
		while (linebuf_next(&c->lb, &line, &len))
			print_labelled(c, width, line, len);
		if (got > 0)
			continue;
		if (got < 0 && errno == EAGAIN)
			return false;
		if (linebuf_rest(&c->lb, &line, &len))
			print_labelled(c, width, line, len);
		close(c->fd);
		c->fd = -1;
		return true;
	}
}

/* In the child: its own process group, so that a signal sent to the
 * demo's group (Ctrl-C, timeout(1)) reaches the demo alone and the demo
 * passes it on exactly once; stdin /dev/null, since that group may not
 * read the terminal; stdout and stderr the pipe to the demo; and none of
 * the demo's other descriptors (the read ends of the roles started
 * before, this pipe's ends). */
/* fd, moved above the standard descriptors when the demo was started with
 * one of them closed (then pipe(2) and open(2) hand out 0, 1 or 2). */
static int above_stdio(int fd)
{
	return fd > STDERR_FILENO || fd < 0 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
}

/* Close fd unless it is a standard descriptor, which dup2 replaced. */
static void close_above_stdio(int fd)
{
	if (fd > STDERR_FILENO)
		close(fd);
}

static void role_setup(struct child *ch, int started, int p[2])
{
	int null = above_stdio(open("/dev/null", O_RDONLY | O_CLOEXEC));
	int out = above_stdio(p[1]);
	if (setpgid(0, 0) < 0 || null < 0 || out < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(EXIT_FAIL);
	close_above_stdio(null);
	close_above_stdio(out);
	close_above_stdio(p[0]);
	close_above_stdio(p[1]);
	for (int i = 0; i < started; i++)
		close_above_stdio(ch[i].fd);
}

static pid_t spawn_role(struct ctx *ctx, const struct demo_role *r, struct child *ch, int started, int *out_fd)
{
	int p[2];
	const char *argv[32];
	int argc = 0;
	const struct verb *v = verb_find(ctx->mech, r->verb);
	if (!v) {
		msg_warn(ctx->prog, "internal error: no verb '%s'", r->verb);
		return -1;
	}
	char explain[32];
	argv[argc++] = r->verb;
	for (int i = 0; r->args[i] && argc < 30; i++)
		argv[argc++] = r->args[i];
	if (explaining(ctx)) {
		/* Both sides narrate; their lines are labelled as their output. */
		snprintf(explain, sizeof(explain), "--explain=%llu", (unsigned long long)ctx->explain.level);
		argv[argc++] = explain;
	}
	argv[argc] = NULL;

	if (explaining(ctx))
		explain_begin(ctx, "pipe2", NULL, "O_CLOEXEC");
	int made = pipe2(p, O_CLOEXEC);
	if (explaining(ctx))
		explain_end_pair(ctx, made, errno, p, "a pipe for the output of the child, which the demo labels");
	if (made < 0) {
		msg_syserr(ctx->prog, "pipe");
		return -1;
	}
	pid_t pid = explain_fork(ctx, r->upstream ? "the producer's process" : "the consumer's process");
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		role_setup(ch, started, p);
		int st = verb_dispatch(ctx->mech, v, argc, (char **)argv);
		fflush(NULL);
		_exit(st);
	}
	/* Also here, against the race with the child's own call. */
	setpgid(pid, pid);
	close(p[1]);
	/* Non-blocking, so the parent can read everything there is and move on. */
	int fl = fcntl(p[0], F_GETFL);
	if (fl < 0 || fcntl(p[0], F_SETFL, fl | O_NONBLOCK) < 0)
		msg_syserr(ctx->prog, "fcntl");
	*out_fd = p[0];
	return pid;
}

/* The first SIGINT or SIGTERM reaches the demo alone (its children have
 * process groups of their own): pass it on to every child, which then
 * ends as the user's verb ends on it. */
static void forward_stop(struct child *ch, int started)
{
	for (int i = 0; i < started; i++)
		if (ch[i].fd >= 0)
			kill(ch[i].pid, stop_signal());
}

/* A child that has not ended this long after the stop was passed on is
 * killed, so that the demo always ends and removes its objects. */
#define STOP_GRACE_NS (5 * NSEC_PER_SEC)

static void kill_stragglers(struct ctx *ctx, struct child *ch, int started)
{
	for (int i = 0; i < started; i++) {
		if (ch[i].fd >= 0) {
			msg_warn(ctx->prog, "%s did not end within %lld s of the interrupt; killing it", ch[i].label,
				 STOP_GRACE_NS / NSEC_PER_SEC);
			kill(ch[i].pid, SIGKILL);
		}
	}
}

/* Start the child of role r as ch[started]. On failure its fd is closed
 * again, but a child that was forked keeps its pid, to be waited for. */
static bool start_child(struct ctx *ctx, const struct demo_role *r, struct child *ch, int started)
{
	struct child *c = &ch[started];
	memset(c, 0, sizeof(*c));
	c->label = r->label;
	/* Producers' and consumers' labels in two colours, on a terminal. */
	if (color_on(ctx->color, STDOUT_FILENO))
		c->sgr = r->upstream ? SGR_PRODUCER : SGR_CONSUMER;
	c->upstream = r->upstream;
	c->fd = -1;
	c->pid = spawn_role(ctx, r, ch, started, &c->fd);
	if (c->pid < 0 || linebuf_init(&c->lb, 4096, 65536) < 0) {
		if (c->pid >= 0) {
			kill(c->pid, SIGTERM);
			close(c->fd);
			c->fd = -1;
		}
		return false;
	}
	return true;
}

/* The children whose output is still open, as pollfds; map[k] is the child
 * of pf[k]. Returns their number. */
static int poll_set(const struct child *ch, int started, struct pollfd *pf, int *map)
{
	int np = 0;
	for (int i = 0; i < started; i++) {
		if (ch[i].fd >= 0) {
			pf[np].fd = ch[i].fd;
			pf[np].events = POLLIN;
			pf[np].revents = 0;
			map[np++] = i;
		}
	}
	return np;
}

/* Print what the ready children wrote, the upstream ones first. Returns how
 * many of them reached their end of file. */
static int drain_ready(struct child *ch, const struct pollfd *pf, const int *map, int np, int width)
{
	int closed = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (int k = 0; k < np; k++) {
			struct child *c = &ch[map[k]];
			if (!pf[k].revents || c->upstream != (pass == 0) || c->fd < 0)
				continue;
			if (drain_child(c, width))
				closed++;
		}
	}
	return closed;
}

/* Wait for every child started; returns the demo's status: the first
 * child's that failed, or the one given. */
static int reap_children(struct ctx *ctx, struct child *ch, int started, int status)
{
	for (int i = 0; i < started; i++) {
		int st;
		if (ch[i].fd >= 0)
			close(ch[i].fd);
		linebuf_free(&ch[i].lb);
		pid_t r;
		if (explaining(ctx))
			explain_wait_begin(ctx, ch[i].pid, "the child exited; its status is collected and it is gone");
		while ((r = waitpid(ch[i].pid, &st, 0)) < 0) {
			if (errno != EINTR) {
				st = EXIT_FAIL << 8;
				break;
			}
		}
		if (explaining(ctx))
			explain_wait_end(ctx, r, errno, st);
		if (WIFEXITED(st))
			ch[i].status = WEXITSTATUS(st);
		else
			ch[i].status = EXIT_FAIL;
		if (ch[i].status != EXIT_OK) {
			if (WIFSIGNALED(st))
				msg_warn(ctx->prog, "%s was killed by signal %d", ch[i].label, WTERMSIG(st));
			else
				msg_warn(ctx->prog, "%s exited with status %d", ch[i].label, ch[i].status);
			if (status == EXIT_OK)
				status = ch[i].status;
		}
	}
	return status;
}

int demo_run(struct ctx *ctx, const struct demo_role *roles, int n)
{
	struct child ch[MAX_ROLES];
	int width = 0, started = 0, open_fds = 0, status = EXIT_OK;
	bool forwarded = false, killed = false;
	int64_t stop_at = 0;

	if (n > MAX_ROLES)
		n = MAX_ROLES;
	setvbuf(stdout, NULL, _IOLBF, 0);
	explain_side(ctx, "demo");
	for (int i = 0; i < n; i++)
		if ((int)strlen(roles[i].label) > width)
			width = (int)strlen(roles[i].label);

	int64_t next_start = now_mono_ns();
	while (started < n || open_fds > 0) {
		struct pollfd pf[MAX_ROLES];
		int map[MAX_ROLES], np = 0, ms = -1;

		if (started < n) {
			int64_t left = next_start + roles[started].delay_ns - now_mono_ns();
			if (left <= 0 && !stop_requested()) {
				if (!start_child(ctx, &roles[started], ch, started)) {
					if (ch[started].pid >= 0)
						started++;
					status = EXIT_FAIL;
					n = started; /* start no more; let the others finish */
					continue;
				}
				next_start = now_mono_ns();
				started++;
				open_fds++;
				continue;
			}
			if (stop_requested())
				n = started;
			else
				ms = (int)(left / NSEC_PER_MSEC) + 1;
		}
		np = poll_set(ch, started, pf, map);
		if (np == 0 && started >= n)
			break;
		/* After a stop request the children are still drained to the end. */
		if (stop_requested() && !forwarded) {
			forwarded = true;
			stop_at = now_mono_ns();
			forward_stop(ch, started);
		}
		if (forwarded && !killed) {
			int64_t left = stop_at + STOP_GRACE_NS - now_mono_ns();
			if (left <= 0) {
				killed = true;
				kill_stragglers(ctx, ch, started);
			} else if (ms < 0 || ms > left / NSEC_PER_MSEC + 1) {
				ms = (int)(left / NSEC_PER_MSEC) + 1;
			}
		}
		int r = stop_requested() ? poll(pf, (nfds_t)np, ms) : poll_stoppable(pf, (unsigned long)np, ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			msg_syserr(ctx->prog, "poll");
			status = EXIT_FAIL;
			break;
		}
		open_fds -= drain_ready(ch, pf, map, np, width);
	}
	return reap_children(ctx, ch, started, status);
}

int demo_run_each(struct ctx *ctx, const struct demo_role *roles, int n)
{
	for (int i = 0; i < n; i++) {
		int st = demo_run(ctx, &roles[i], 1);
		if (st != EXIT_OK || stop_requested())
			return st;
	}
	return EXIT_OK;
}

const char *demo_place(struct ctx *ctx, struct demo_place *pl, const char *name)
{
	pl->name = name;
	pl->tmp = !ctx->opt.path;
	if (!pl->tmp)
		return ctx->opt.path;
	tmp_template(pl->dir, sizeof(pl->dir), "ipcdemo-demo");
	if (!mkdtemp(pl->dir)) {
		msg_syserr(ctx->prog, "mkdtemp %s", pl->dir);
		return NULL;
	}
	snprintf(pl->path, sizeof(pl->path), "%s/%s", pl->dir, name);
	return pl->path;
}

void demo_place_remove(struct ctx *ctx, struct demo_place *pl)
{
	if (!pl->tmp)
		return;
	if (unlink(pl->path) < 0 && errno != ENOENT)
		msg_syserr(ctx->prog, "unlink %s", pl->path);
	if (rmdir(pl->dir) < 0)
		msg_syserr(ctx->prog, "rmdir %s", pl->dir);
}
