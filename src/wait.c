/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "ipcdemo/wait.h"

bool wait_noted(const struct ctx *ctx, enum wait_kind kind)
{
	return ctx->opt.quiet || (ctx->waits_said & (1u << kind));
}

static void say(struct ctx *ctx, enum wait_kind kind, const char *fmt, va_list ap)
{
	char what[512];
	ctx->waits_said |= 1u << kind;
	vsnprintf(what, sizeof(what), fmt, ap);
	msg_warn(ctx->prog, "%s (Ctrl-C ends)", what);
}

void note_wait(struct ctx *ctx, enum wait_kind kind, const char *fmt, ...)
{
	va_list ap;
	if (wait_noted(ctx, kind))
		return;
	va_start(ap, fmt);
	say(ctx, kind, fmt, ap);
	va_end(ap);
}

void note_wait_again(struct ctx *ctx, enum wait_kind kind, const char *fmt, ...)
{
	va_list ap;
	if (ctx->opt.quiet)
		return;
	va_start(ap, fmt);
	say(ctx, kind, fmt, ap);
	va_end(ap);
}
