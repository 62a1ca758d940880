/* SPDX-License-Identifier: MIT */
/* unix: Unix domain sockets, the tutorial's producer4.sh (nc -lU) and the
 * course's Unix socket server and client: stream, dgram and seqpacket, on a
 * socket file or in the abstract namespace (@name). */
#include <stdio.h>

#include "ipcdemo/demo.h"
#include "ipcdemo/message.h"
#include "ipcdemo/sock.h"
#include "ipcdemo/util.h"

#define DEFAULT_PATH "ipc.sock"

static const struct sock_hints unix_hints = {
	.producer = "a producer ('ipcdemo unix produce')",
	.consumer = "a consumer ('ipcdemo unix consume --type dgram')",
	.listening_consumer = "a listening consumer ('ipcdemo unix consume --listen')",
};

/* The endpoint and the role flags, checked. */
static int unix_setup(struct ctx *ctx, struct endpoint *ep, bool producer)
{
	int rc = sock_check_roles(ctx, producer);
	if (rc)
		return rc;
	return unix_endpoint(ctx, ctx->opt.path ? ctx->opt.path : DEFAULT_PATH, sock_type(sock_opts(ctx)->type), ep);
}

static int unix_produce(struct ctx *ctx)
{
	struct endpoint ep;
	int rc = producer_check(ctx);
	if (!rc)
		rc = unix_setup(ctx, &ep, true);
	return rc ? rc : sock_produce(ctx, &ep, 1, &unix_hints);
}

static int unix_consume(struct ctx *ctx)
{
	struct endpoint ep;
	int rc = unix_setup(ctx, &ep, false);
	return rc ? rc : sock_consume(ctx, &ep, 1, &unix_hints);
}

static int unix_demo(struct ctx *ctx)
{
	struct demo_place pl;
	const char *p = demo_place(ctx, &pl, DEFAULT_PATH);
	const char *type = sock_type_name(sock_opts(ctx)->type);
	if (!p)
		return EXIT_FAIL;
	printf("A producer and a consumer talk through the Unix %s socket %s.\n", type, p);
	if (sock_opts(ctx)->type == SK_DGRAM)
		printf("The consumer binds it; the producer sends 2 batches of 5 UUIDs, one datagram each.\n\n");
	else
		printf("The producer listens, as nc -lU does; the consumer connects and reads 2 batches of 5 UUIDs.\n\n");
	const char *cons_dgram[] = { "--path", p, "--type", type, "--count", "10", "--timeout", "10s", NULL };
	const char *prod_dgram[] = { "--path", p, "--type", type, "--count", "5", "--batches", "2", "--every",
				     "1s", "--wait", "5s", NULL };
	const char *cons[] = { "--path", p, "--type", type, "--wait", "5s", "--timeout", "10s", NULL };
	const char *prod[] = { "--path", p, "--type", type, "--count", "5", "--batches", "2", "--every", "1s", NULL };
	bool dgram = sock_opts(ctx)->type == SK_DGRAM;
	const struct demo_role roles[] = {
		{ dgram ? "consumer" : "producer", dgram ? "consume" : "produce", dgram ? cons_dgram : prod, 0,
		  !dgram },
		{ dgram ? "producer" : "consumer", dgram ? "produce" : "consume", dgram ? prod_dgram : cons,
		  300 * NSEC_PER_MSEC, dgram },
	};
	int st = demo_run(ctx, roles, 2);
	demo_place_remove(ctx, &pl);
	return st;
}

static const struct verb_opt produce_opts[] = {
	{ .id = OP_PATH, .help = "socket file, or @name for the abstract namespace (default: ipc.sock)" },
	{ .def = &sock_opt_type },
	{ .def = &sock_opt_connect, .help = "connect to a consumer that listens (--listen) instead of listening" },
	{ .def = &sock_opt_wait, .help = "with --connect or dgram: keep trying for DURATION while no one listens" },
	{ .id = OP_MODE, .help = "permissions of the socket file (default 0600)" },
	PRODUCER_OPTIONS,
	{ .id = OP_JSON, .help = "print the --stats summary as JSON" },
	{ .id = OP_QUIET },
	OPT_LIST_END,
};

static const struct verb_opt consume_opts[] = {
	{ .id = OP_PATH, .help = "socket file, or @name for the abstract namespace (default: ipc.sock)" },
	{ .def = &sock_opt_type },
	{ .def = &sock_opt_listen, .help = "listen for any number of producers (--connect) instead of connecting" },
	{ .def = &sock_opt_wait, .help = "keep trying to connect for DURATION while no producer listens" },
	{ .id = OP_MODE, .help = "permissions of a socket file we bind (default 0600)" },
	CONSUMER_OPTIONS,
	{ .id = OP_SIZE,
	  .help = "receive buffer for datagrams and packets (default 64k); larger ones are reported as truncated" },
	{ .def = &sock_opt_exit_on_eof, .help = "with --listen: exit when the last producer disconnects" },
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	OPT_LIST_END,
};

static const struct verb_opt demo_opts[] = {
	{ .id = OP_PATH, .help = "socket to use (default: one in a new temporary directory)" },
	{ .def = &sock_opt_type },
	OPT_LIST_END,
};

static const struct verb unix_verbs[] = {
	{ "produce", "send messages over a Unix socket", "[options] [MESSAGE...]",
	  "Stream and seqpacket: listens, as nc -lU does, and sends every message to every consumer\n"
	  "connected at the time (any number, served with poll()); --connect reverses the roles.\n"
	  "Dgram: sends each message as one datagram to the consumer's socket.",
	  produce_opts, 0, -1, unix_produce },
	{ "consume", "receive messages from a Unix socket", "[options]",
	  "Stream and seqpacket: connects to a listening producer (--listen: accepts any number of\n"
	  "producers). Dgram: binds the socket and receives the datagrams producers send.\n"
	  "Stream carries newline-framed lines; dgram and seqpacket one message per packet.",
	  consume_opts, 0, 0, unix_consume },
	{ "demo", "a producer and a consumer on a Unix socket", "[options]", NULL, demo_opts, 0, 0, unix_demo },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

const struct mechanism mech_unix = {
	.name = "unix",
	.summary = "Unix domain sockets: stream, dgram, seqpacket, abstract names",
	.description = "A socket file (or an @abstract name) is the address; the listener binds it and the\n"
		"other side connects. Stream sockets carry bytes, dgram and seqpacket keep message\n"
		"boundaries; SO_PEERCRED and SCM_CREDENTIALS tell who is on the other side.",
	.verbs = unix_verbs,
	.opt_scope = &sock_opt_scope,
};
