/* SPDX-License-Identifier: MIT */
/* zmq: ZeroMQ sockets on libzmq (PUB/SUB, PUSH/PULL, REQ/REP), the notes'
 * way past one machine, with the losses ZeroMQ keeps quiet made visible:
 * the slow joiner (--verify counts what came before a subscriber joined)
 * and the high-water mark (the publisher counts every message dropped). */
#include <stddef.h>
#include <stdio.h>

#include "ipcdemo/demo.h"
#include "ipcdemo/message.h"
#include "ipcdemo/util.h"
#include "zmq_int.h"

static const char *const pattern_words[] = { "pubsub", "pushpull", "reqrep", NULL };

static const struct opt_def opt_pattern = {
	.name = "pattern",
	.type = OPT_CHOICE,
	.arg = "PATTERN",
	.help = "pubsub (PUB/SUB, default), pushpull (PUSH/PULL) or reqrep (REQ/REP)",
	.choices = pattern_words,
	.offset = offsetof(struct zmq_opts, pattern),
};
/* What the completions offer for an endpoint: its schemes, and after
 * ipc:// the files. */
static const struct opt_prefix endpoint_prefixes[] = {
	{ .text = "tcp://", .path = false },
	{ .text = "ipc://", .path = true },
	{ .text = NULL, .path = false },
};

static const struct opt_def opt_endpoint = {
	.name = "endpoint",
	.type = OPT_STRING,
	.arg = "ENDPOINT",
	.help = "tcp://HOST:PORT or ipc://PATH (default: " ZMQ_DEFAULT_ENDPOINT ")",
	.prefixes = endpoint_prefixes,
	.offset = offsetof(struct zmq_opts, endpoint),
};
static const struct opt_def opt_bind = {
	.name = "bind",
	.type = OPT_FLAG,
	.help = "bind the endpoint (default for PUB, PUSH and REP)",
	.offset = offsetof(struct zmq_opts, bind),
};
static const struct opt_def opt_connect = {
	.name = "connect",
	.type = OPT_FLAG,
	.help = "connect to the endpoint (default for SUB, PULL and REQ)",
	.offset = offsetof(struct zmq_opts, connect),
};
/* The consumer subscribes to every --topic given; the producer sends one
 * topic frame, so a second --topic is a usage error there. */
static const struct opt_def opt_topic = {
	.name = "topic",
	.type = OPT_LIST,
	.arg = "TOPIC",
	.help = "pubsub: subscribe to TOPIC (repeatable)",
	.offset = offsetof(struct zmq_opts, topics),
};
static const struct opt_def opt_topic_one = {
	.name = "topic",
	.type = OPT_LIST,
	.arg = "TOPIC",
	.help = "pubsub: the topic frame",
	.max = 1,
	.offset = offsetof(struct zmq_opts, topics),
};
static const struct opt_def opt_reply = {
	.name = "reply",
	.type = OPT_STRING,
	.arg = "TEXT",
	.help = "reqrep: answer every request with TEXT (default: 'ack ' and the request)",
	.offset = offsetof(struct zmq_opts, reply),
};
static const struct opt_def opt_sndhwm = {
	.name = "sndhwm",
	.type = OPT_COUNT,
	.arg = "N",
	.help = "the socket's send high-water mark, in messages (ZMQ_SNDHWM; libzmq's default 1000; 0: none)",
	.max = 1000000000,
	.offset = offsetof(struct zmq_opts, sndhwm),
	.given = OPT_GIVEN(struct zmq_opts, given.sndhwm),
};
static const struct opt_def opt_rcvhwm = {
	.name = "rcvhwm",
	.type = OPT_COUNT,
	.arg = "N",
	.help = "the socket's receive high-water mark, in messages (ZMQ_RCVHWM; libzmq's default 1000; 0: none)",
	.max = 1000000000,
	.offset = offsetof(struct zmq_opts, rcvhwm),
	.given = OPT_GIVEN(struct zmq_opts, given.rcvhwm),
};
static const struct opt_def opt_linger = {
	.name = "linger",
	.type = OPT_DURATION,
	.arg = "DURATION",
	.help = "at the end, wait at most DURATION for the peers to read all (producers) and for unsent messages "
		"(ZMQ_LINGER; default 1s; none after Ctrl-C)",
	.max = 3600ULL * 1000000000ULL,
	.offset = offsetof(struct zmq_opts, linger),
};
static const struct opt_def opt_wait_subscribers = {
	.name = "wait-subscribers",
	.type = OPT_COUNT,
	.arg = "N",
	.help = "pubsub: send nothing before N subscriptions arrived (against the slow joiner)",
	.max = 1000000,
	.offset = offsetof(struct zmq_opts, wait_subscribers),
};

static const struct opt_def opt_events = {
	.name = "events",
	.type = OPT_FLAG,
	.help = "print the socket's events (connected, accepted, disconnected...) on stderr as they happen",
	.offset = offsetof(struct zmq_opts, events),
};

static const struct opt_def opt_frontend = {
	.name = "frontend",
	.type = OPT_STRING,
	.arg = "ENDPOINT",
	.help = "proxy: bind ENDPOINT for the producers (XSUB or PULL)",
	.prefixes = endpoint_prefixes,
	.offset = offsetof(struct zmq_opts, frontend),
};
static const struct opt_def opt_backend = {
	.name = "backend",
	.type = OPT_STRING,
	.arg = "ENDPOINT",
	.help = "proxy: bind ENDPOINT for the consumers (XPUB or PUSH)",
	.prefixes = endpoint_prefixes,
	.offset = offsetof(struct zmq_opts, backend),
};

static const struct opt_def *const zmq_opt_defs[] = {
	&opt_pattern,          &opt_endpoint, &opt_bind,     &opt_connect, &opt_topic,
	&opt_topic_one,        &opt_reply,    &opt_sndhwm,   &opt_rcvhwm,  &opt_linger,
	&opt_wait_subscribers, &opt_events,   &opt_frontend, &opt_backend, NULL,
};

static void zmq_opts_init(void *mopt)
{
	struct zmq_opts *zo = mopt;
	zo->endpoint = ZMQ_DEFAULT_ENDPOINT;
	zo->linger = NSEC_PER_SEC;
}

static const struct opt_scope zmq_opt_scope = {
	.defs = zmq_opt_defs,
	.size = sizeof(struct zmq_opts),
	.init = zmq_opts_init,
};

const struct zmq_opts *zmq_opts_of(const struct ctx *ctx)
{
	static const struct zmq_opts dflt = {
		.pattern = ZP_PUBSUB,
		.endpoint = ZMQ_DEFAULT_ENDPOINT,
		.bind = false,
		.connect = false,
		.topics = { .n = 0 },
		.reply = NULL,
		.sndhwm = 0,
		.rcvhwm = 0,
		.wait_subscribers = 0,
		.linger = NSEC_PER_SEC,
		.events = false,
		.frontend = NULL,
		.backend = NULL,
		.given = { .sndhwm = false, .rcvhwm = false },
	};
	return ctx_mopt(ctx, &dflt);
}

/* ---- demo ---- */

static int zmq_demo(struct ctx *ctx)
{
	if (!zm_available(ctx->prog))
		return EXIT_FAIL;
	const char *ep = zmq_opts_of(ctx)->endpoint;
	printf("The notes' example: a PUB socket binds %s, a SUB socket connects and subscribes to\n"
	       "everything, and the publisher sends \"Hello from ZeroMQ!\", here ten times, numbered (--seq),\n"
	       "one every 100 ms. The subscriber starts 350 ms after the publisher.\n\n"
	       "1. The publisher does not wait: what it sends before the subscriber has joined goes\n"
	       "   nowhere, silently (the slow joiner); the subscriber's --verify counts it.\n\n",
	       ep);
	fflush(stdout);
	const char *pub1[] = { "--endpoint",         ep,   "--seq",   "-n",    "1",
			       "--batches",          "10", "--every", "100ms", "--stats",
			       "Hello from ZeroMQ!", NULL };
	const char *sub[] = { "--endpoint", ep, "--verify", "--count", "10", "--timeout", "1500ms", NULL };
	const struct demo_role roles1[] = {
		{ .label = "producer", .verb = "produce", .args = pub1, .delay_ns = 0, .upstream = true },
		{ .label = "consumer",
		  .verb = "consume",
		  .args = sub,
		  .delay_ns = 350 * NSEC_PER_MSEC,
		  .upstream = false },
	};
	int st = demo_run(ctx, roles1, 2);
	/* The first run misses messages: that is the lesson, not a failure. */
	if (st == EXIT_VERIFY || st == EXIT_TIMEOUT)
		st = EXIT_OK;
	if (st != EXIT_OK || stop_requested())
		return st;
	printf("\n2. The same with --wait-subscribers 1: the publisher holds its messages until the\n"
	       "   subscription has arrived, and the subscriber gets every one of them.\n\n");
	fflush(stdout);
	const char *pub2[] = { "--endpoint",
			       ep,
			       "--seq",
			       "-n",
			       "1",
			       "--batches",
			       "10",
			       "--every",
			       "100ms",
			       "--stats",
			       "--wait-subscribers",
			       "1",
			       "Hello from ZeroMQ!",
			       NULL };
	const struct demo_role roles2[] = {
		{ .label = "producer", .verb = "produce", .args = pub2, .delay_ns = 0, .upstream = true },
		{ .label = "consumer",
		  .verb = "consume",
		  .args = sub,
		  .delay_ns = 350 * NSEC_PER_MSEC,
		  .upstream = false },
	};
	return demo_run(ctx, roles2, 2);
}

/* ---- verbs ---- */

/* clang-format off */
#define ZMQ_SOCKET_OPTIONS                                                                     \
	{ .def = &opt_pattern },                                                               \
	{ .def = &opt_endpoint },                                                              \
	{ .def = &opt_bind },                                                                  \
	{ .def = &opt_connect },                                                               \
	{ .def = &opt_sndhwm },                                                                \
	{ .def = &opt_rcvhwm },                                                                \
	{ .def = &opt_linger },                                                                \
	{ .def = &opt_events }
/* clang-format on */

static const struct verb_opt produce_opts[] = {
	ZMQ_SOCKET_OPTIONS,
	{ .def = &opt_topic_one, .help = "pubsub: send TOPIC as a first frame before each message (once)" },
	{ .def = &opt_wait_subscribers },
	{ .id = OP_TIMEOUT, .help = "wait at most DURATION for a peer, a reply or the subscribers (exit 4)" },
	PRODUCER_OPTIONS,
	{ .id = OP_JSON, .help = "print the --stats summary (and reqrep replies) as JSON" },
	{ .id = OP_LABEL, .help = "print TEXT before each echoed message" },
	{ .id = OP_QUIET, .help = "do not echo messages or print notes" },
	OPT_LIST_END,
};

static const struct verb_opt consume_opts[] = {
	ZMQ_SOCKET_OPTIONS,
	{ .def = &opt_topic,
	  .help = "pubsub: receive only messages that start with TOPIC; repeatable (default: everything)" },
	{ .def = &opt_reply },
	{ .id = OP_SIZE, .help = "largest message, its frames joined (default 16M); larger: cut, or its peer dropped" },
	{ .id = OP_COUNT, .help = "stop after N messages" },
	{ .id = OP_TIMEOUT, .help = "stop after DURATION without a message (exit 4 if none came)" },
	{ .id = OP_JSON, .help = "one JSON object per message, with its topic and its frames" },
	{ .id = OP_VERIFY },
	{ .id = OP_STATS },
	{ .id = OP_LABEL },
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	OPT_LIST_END,
};

static const struct verb_opt proxy_opts[] = {
	{ .def = &opt_frontend },
	{ .def = &opt_backend },
	{ .def = &opt_pattern, .help = "pubsub (XSUB/XPUB, default) or pushpull (PULL/PUSH)" },
	{ .def = &opt_sndhwm },
	{ .def = &opt_rcvhwm },
	{ .def = &opt_events },
	{ .id = OP_STATS, .help = "add the time it ran to the summary" },
	{ .id = OP_JSON, .help = "print the summary as JSON" },
	{ .id = OP_QUIET, .help = "print nothing unless --stats or --json" },
	OPT_LIST_END,
};

static const struct verb_opt demo_opts[] = {
	{ .def = &opt_endpoint, .help = "where the publisher binds (default: " ZMQ_DEFAULT_ENDPOINT ")" },
	OPT_LIST_END,
};

#define PRODUCE_DESC \
	"Sends messages on a ZeroMQ socket: PUB (pubsub), PUSH (pushpull) or REQ (reqrep), which prints\n" \
	"each reply. A publisher counts the messages it drops at the high-water mark and says\n" \
	"'dropped at the high-water mark: N' on stderr."
#define CONSUME_DESC \
	"Receives messages on a ZeroMQ socket: SUB (pubsub), PULL (pushpull) or REP (reqrep), which answers\n" \
	"each request. Runs until -n, --timeout or Ctrl-C."

static const struct verb zmq_verbs[] = {
	{
		.name = "produce",
		.summary = "send messages on a PUB, PUSH or REQ socket",
		.usage = "[options] [MESSAGE...]",
		.description = PRODUCE_DESC,
		.opts = produce_opts,
		.min_args = 0,
		.max_args = -1,
		.run = zm_produce,
	},
	{
		.name = "consume",
		.summary = "receive messages on a SUB, PULL or REP socket",
		.usage = "[options]",
		.description = CONSUME_DESC,
		.opts = consume_opts,
		.min_args = 0,
		.max_args = 0,
		.run = zm_consume,
	},
	{
		.name = "send",
		.summary = "the same as produce",
		.usage = "[options] [MESSAGE...]",
		.description = PRODUCE_DESC,
		.opts = produce_opts,
		.min_args = 0,
		.max_args = -1,
		.run = zm_produce,
	},
	{
		.name = "receive",
		.summary = "the same as consume",
		.usage = "[options]",
		.description = CONSUME_DESC,
		.opts = consume_opts,
		.min_args = 0,
		.max_args = 0,
		.run = zm_consume,
	},
	{
		.name = "proxy",
		.summary = "forward from producers to consumers: XSUB/XPUB or PULL/PUSH",
		.usage = "--frontend ENDPOINT --backend ENDPOINT [options]",
		.description = "Binds the frontend, which producers connect to, and the backend, which consumers\n"
			       "connect to, and forwards every message from one to the other until Ctrl-C, then\n"
			       "says how many it forwarded each way.",
		.opts = proxy_opts,
		.min_args = 0,
		.max_args = 0,
		.run = zm_proxy,
	},
	{
		.name = "demo",
		.summary = "the notes' PUB/SUB example, with and without the slow joiner",
		.usage = "[options]",
		.description = "A publisher binds, a subscriber connects late and misses the first messages; then\n"
			       "the same with --wait-subscribers, and nothing is missed.",
		.opts = demo_opts,
		.min_args = 0,
		.max_args = 0,
		.run = zmq_demo,
	},
	{ .name = NULL },
};

const struct mechanism mech_zmq = {
	.name = "zmq",
	.summary = "ZeroMQ sockets: PUB/SUB, PUSH/PULL, REQ/REP over tcp:// or ipc://",
	.description = "ZeroMQ (libzmq) carries messages between processes and machines in patterns. Its\n"
		       "silent losses are counted here: the slow joiner and the high-water mark.",
	.verbs = zmq_verbs,
	.opt_scope = &zmq_opt_scope,
	.bench = ZMQ_BENCH,
	/* Why, when there are no hooks: a build without libzmq. */
	.not_benchmarked = "this build has no ZeroMQ",
	.objects = &zmq_objects,
	.explains = true,
};
