/* SPDX-License-Identifier: MIT */
/* The zmq mechanism's parts: its options and verb tables (zmq.c, always
 * built) and its sockets (zmq_io.c on libzmq, or zmq_none.c in a build
 * without it, whose verbs say how to get it) and its benchmark rows
 * (zmq_bench.c, on libzmq only). */
#ifndef IPCDEMO_MECH_ZMQ_INT_H
#define IPCDEMO_MECH_ZMQ_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/wait.h"

enum zmq_pattern { ZP_PUBSUB, ZP_PUSHPULL, ZP_REQREP };

struct zmq_opts {
	int pattern; /* enum zmq_pattern */
	const char *endpoint;
	bool bind, connect;
	/* --topic: the producer's one topic frame; the consumer's
	 * subscriptions (none: everything). */
	struct opt_list topics;
	const char *reply;
	uint64_t sndhwm, rcvhwm;
	uint64_t wait_subscribers;
	int64_t linger; /* ns */
	bool events;
	const char *frontend, *backend; /* proxy */
	struct {
		bool sndhwm, rcvhwm;
	} given;
};

#define ZMQ_DEFAULT_ENDPOINT "tcp://127.0.0.1:5555"
/* A consumer's largest message (--size): a frame, or the frames of one
 * message joined. */
#define ZMQ_SIZE_DEFAULT ((uint64_t)16 << 20)
/* The lowest ZMQ_MAXMSGSIZE a consumer sets, whatever its --size: libzmq
 * also checks the frames of the handshake against it. */
#define ZMQ_MAXMSGSIZE_MIN ((size_t)64 << 10)

/* The options of the verb being run (the defaults when none). */
const struct zmq_opts *zmq_opts_of(const struct ctx *ctx);

/* The verbs on libzmq (zmq_io.c), or saying that this build has none
 * (zmq_none.c). */
int zm_produce(struct ctx *ctx);
int zm_consume(struct ctx *ctx);
int zm_proxy(struct ctx *ctx);
/* True when this build has ZeroMQ; else says so, and how to get it. */
bool zm_available(const char *prog);

/* The benchmark's rows (zmq_bench.c), in a build on libzmq only: meson
 * defines IPCDEMO_HAVE_ZMQ with it. */
#ifdef IPCDEMO_HAVE_ZMQ
struct mech_bench;
extern const struct mech_bench zmq_bench;
#define ZMQ_BENCH (&zmq_bench)
#else
#define ZMQ_BENCH NULL
#endif

/* 'ipcdemo ls': the sockets a running 'ipcdemo zmq' is bound to
 * (zmq_objects.c, in every build). */
extern const struct mech_objects zmq_objects;

#endif
