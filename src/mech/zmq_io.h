/* SPDX-License-Identifier: MIT */
/* The libzmq side of the zmq mechanism, shared by its parts: the sockets
 * (zmq_io.c), the socket monitor of --events (zmq_events.c) and the proxy
 * (zmq_proxy.c). */
#ifndef IPCDEMO_MECH_ZMQ_IO_H
#define IPCDEMO_MECH_ZMQ_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <zmq.h>

/* A socket monitor: the inproc PAIR socket its events come on (NULL when
 * there is none). */
struct zmon {
	void *pair;
	const char *prog;
	const char *what;
};

/* Monitor sock (of the context zctx): all its events, from now on.
 * Returns 0, or -1 after saying why. */
int zmon_open(struct zmon *m, void *zctx, void *sock, const char *prog, const char *what);
/* Print the events waiting, one line each on stderr. */
void zmon_drain(struct zmon *m);
/* The poll item of the monitor in *it: 1, or 0 when there is no monitor. */
int zmon_items(struct zmon *m, zmq_pollitem_t *it);
/* Spend ns printing events as they come; false on a stop request. */
bool zmon_pause(struct zmon *m, int64_t ns);
/* Print what is left and close the monitor's socket. */
void zmon_close(struct zmon *m);

#endif
