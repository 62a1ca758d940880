/* SPDX-License-Identifier: MIT */
/* --explain of processes and descriptors: fork(3) as the clone(2) it
 * makes, waitpid(2) as wait4(2), close(2) (explain.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipcdemo/explain.h"
#include "ipcdemo/util.h"

const struct explain_says explain_read_says = {
	.blocks = "blocks until there is something to read, or the end of file",
	.ok = "taken out of the channel",
	.eof = "end of file: the writer closed its end",
	.eof_ends = true,
	.fail = NULL,
	.errs = { { .err = EAGAIN, .says = "nothing to read right now (O_NONBLOCK): poll(2) waits for it" } },
};

pid_t explain_fork(struct ctx *ctx, const char *why)
{
	if (!explaining(ctx))
		return fork_child(ctx->prog);
	explain_begin(ctx, "clone", NULL, "child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	pid_t pid = fork_child(ctx->prog);
	int e = errno;
	/* The child returns 0 from the same call; strace shows it once, in
	 * the parent, and so does this. */
	if (pid != 0)
		explain_end(ctx, pid, e, "%s", pid > 0 ? why : "no child: the process could not be copied");
	errno = e;
	return pid;
}

/* A wait status as strace shows it. */
static void status_text(char *buf, size_t len, int st)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(st));
	else if (WIFSIGNALED(st)) {
		const char *name = sigabbrev_np(WTERMSIG(st));
		snprintf(buf, len, "[{WIFSIGNALED(s) && WTERMSIG(s) == SIG%s}]", name ? name : "?");
	} else
		snprintf(buf, len, "[%#x]", (unsigned)st);
}

void explain_wait_begin(struct ctx *ctx, pid_t pid, const char *why)
{
	explain_begin(ctx, "wait4", "blocks until the child exits", "%d, ..., 0, NULL", (int)pid);
	/* Kept for the end: what the wait means here. */
	snprintf(ctx->explain.why, sizeof(ctx->explain.why), "%s", why);
}

void explain_wait_end(struct ctx *ctx, pid_t rc, int err, int st)
{
	char s[80];
	int pid;
	if (rc < 0) {
		explain_end(ctx, rc, err, "%s", strerror(err));
		return;
	}
	status_text(s, sizeof(s), st);
	sscanf(ctx->explain.args, "%d", &pid);
	snprintf(ctx->explain.args, sizeof(ctx->explain.args), "%d, %s, 0, NULL", pid, s);
	explain_end(ctx, rc, 0, "%s", ctx->explain.why);
}

int explain_wait_child(struct ctx *ctx, pid_t pid, const char *why)
{
	if (!explaining(ctx))
		return wait_child(ctx->prog, pid);
	int st = 0;
	pid_t r;
	explain_wait_begin(ctx, pid, why);
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	int e = errno;
	explain_wait_end(ctx, r, e, st);
	if (r < 0) {
		errno = e;
		msg_syserr(ctx->prog, "waitpid %d", (int)pid);
		return EXIT_FAIL;
	}
	if (WIFSIGNALED(st)) {
		msg_warn(ctx->prog, "child %d was killed by signal %d (%s)", (int)pid, WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
		return EXIT_FAIL;
	}
	return WEXITSTATUS(st);
}

int explain_close(struct ctx *ctx, int fd, const char *why)
{
	if (explaining(ctx))
		explain_begin(ctx, "close", NULL, "%d", fd);
	int rc = close(fd);
	if (explaining(ctx))
		explain_end(ctx, rc, errno, "%s", rc == 0 ? why : strerror(errno));
	return rc;
}
