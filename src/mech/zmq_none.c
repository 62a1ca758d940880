/* SPDX-License-Identifier: MIT */
/* The zmq verbs of a build without libzmq: each says so, and how to get
 * a build with it. */
#include <stdio.h>

#include "ipcdemo/util.h"
#include "zmq_int.h"

bool zm_available(const char *prog)
{
	fprintf(stderr,
		"%s: this build of ipcdemo has no ZeroMQ: install libzmq (Debian: apt-get install libzmq3-dev)\n"
		"and reconfigure with 'meson setup --reconfigure -Dzmq=enabled BUILDDIR'\n",
		prog);
	return false;
}

int zm_produce(struct ctx *ctx)
{
	(void)zm_available(ctx->prog);
	return EXIT_FAIL;
}

int zm_consume(struct ctx *ctx)
{
	(void)zm_available(ctx->prog);
	return EXIT_FAIL;
}

int zm_proxy(struct ctx *ctx)
{
	(void)zm_available(ctx->prog);
	return EXIT_FAIL;
}
