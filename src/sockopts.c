/* SPDX-License-Identifier: MIT */
/* The options every socket mechanism shares (struct sock_opts): each
 * mechanism's verbs list the ones they take. */
#include <stddef.h>

#include "ipcdemo/sock.h"

static const char *const type_choices[] = { "stream", "dgram", "seqpacket", NULL };

#define AT(member) .offset = offsetof(struct sock_opts, member)
#define GIVEN(member) .given = OPT_GIVEN(struct sock_opts, given.member)

const struct opt_def sock_opt_type = {
	.name = "type",
	.type = OPT_CHOICE,
	.arg = "TYPE",
	.help = "socket type: stream (default), dgram, seqpacket",
	.choices = type_choices,
	AT(type),
	GIVEN(type),
};
const struct opt_def sock_opt_listen = {
	.name = "listen",
	.short_name = 'l',
	.type = OPT_FLAG,
	.help = "listen for the other side instead of connecting",
	AT(listen),
};
const struct opt_def sock_opt_connect = {
	.name = "connect",
	.short_name = 'c',
	.type = OPT_FLAG,
	.help = "connect to the other side instead of listening",
	AT(connect),
};
const struct opt_def sock_opt_wait = {
	.name = "wait",
	.type = OPT_DURATION,
	.arg = "DURATION",
	.help = "keep trying to connect for DURATION",
	.min = 1,
	.max = OPT_DURATION_MAX,
	AT(wait),
	GIVEN(wait),
};
const struct opt_def sock_opt_address = {
	.name = "address",
	.short_name = 'a',
	.type = OPT_STRING,
	.arg = "ADDRESS",
	.help = "HOST:PORT, [IPv6]:PORT or PORT",
	AT(address),
};
const struct opt_def sock_opt_nodelay = {
	.name = "nodelay",
	.type = OPT_FLAG,
	.help = "set TCP_NODELAY: send small writes at once (no Nagle)",
	AT(nodelay),
};
const struct opt_def sock_opt_sndbuf = {
	.name = "sndbuf",
	.type = OPT_SIZE,
	.arg = "BYTES",
	.help = "socket send buffer (SO_SNDBUF; the kernel doubles it)",
	.min = 1,
	.max = (uint64_t)1 << 30,
	AT(sndbuf),
	GIVEN(sndbuf),
};
const struct opt_def sock_opt_rcvbuf = {
	.name = "rcvbuf",
	.type = OPT_SIZE,
	.arg = "BYTES",
	.help = "socket receive buffer (SO_RCVBUF; the kernel doubles it)",
	.min = 1,
	.max = (uint64_t)1 << 30,
	AT(rcvbuf),
	GIVEN(rcvbuf),
};
const struct opt_def sock_opt_exit_on_eof = {
	.name = "exit-on-eof",
	.type = OPT_FLAG,
	.help = "exit when the last writer closes",
	AT(exit_on_eof),
};

/* clang-format off */
const struct opt_def *const sock_opt_defs[] = {
	&sock_opt_type,    &sock_opt_listen, &sock_opt_connect, &sock_opt_wait,        &sock_opt_address,
	&sock_opt_nodelay, &sock_opt_sndbuf, &sock_opt_rcvbuf,  &sock_opt_exit_on_eof, FD_OPT_DEFS,
	NULL,
};
/* clang-format on */

const struct opt_scope sock_opt_scope = {
	.defs = sock_opt_defs,
	.size = sizeof(struct sock_opts),
};

const struct sock_opts *sock_opts(const struct ctx *ctx)
{
	static const struct sock_opts defaults = { .type = SK_STREAM };
	return ctx_mopt(ctx, &defaults);
}
