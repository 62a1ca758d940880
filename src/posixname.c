/* SPDX-License-Identifier: MIT */
/* The names of POSIX IPC objects, which message queues and shared memory
 * share: --name checked, and the private name of a demo. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/posixname.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/util.h"

int posix_name(struct ctx *ctx, char *buf, size_t len)
{
	const char *n = queue_opts(ctx)->name ? queue_opts(ctx)->name : "/ipcdemo";
	const char *body = n[0] == '/' ? n + 1 : n;
	const char *why = NULL;
	if (*body == '\0')
		why = "a name is needed after the slash";
	else if (strchr(body, '/'))
		why = "no slash is allowed after the leading one";
	else if (strlen(body) > NAME_MAX)
		why = "too long (at most 255 bytes after the slash)";
	else if (strcmp(body, ".") == 0 || strcmp(body, "..") == 0)
		why = "'.' and '..' are not names";
	else if (strlen(body) + 2 > len)
		why = "too long";
	if (why)
		return msg_usage(ctx->prog, "invalid value '%s' for --name: %s", n, why);
	snprintf(buf, len, "/%s", body);
	return 0;
}

int demo_name(struct ctx *ctx, char *buf, size_t len)
{
	if (queue_opts(ctx)->name)
		return posix_name(ctx, buf, len);
	snprintf(buf, len, "/ipcdemo-demo-%d", (int)getpid());
	return 0;
}
