/* SPDX-License-Identifier: MIT */
/* tcp and udp: the course's stream and datagram socket demos over IPv4 and
 * IPv6. Addresses are HOST:PORT, [IPv6]:PORT or PORT; a listener binds to
 * loopback unless given an address. */
#include <ctype.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipcdemo/cli.h"
#include "ipcdemo/demo.h"
#include "ipcdemo/message.h"
#include "ipcdemo/sock.h"
#include "ipcdemo/util.h"

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT "7700"
#define MAX_ADDRS 8

/* Split ADDRESS into host and port (default host and port when left out)
 * and look up a service name for the socket type. Returns 0 or EXIT_USAGE. */
static int split_address(const struct ctx *ctx, const char *spec, int type, char *host, size_t hl, char *port,
			 size_t pl)
{
	const char *why = NULL;
	if (!spec) {
		snprintf(host, hl, "%s", DEFAULT_HOST);
		snprintf(port, pl, "%s", DEFAULT_PORT);
		return 0;
	}
	if (parse_address(spec, host, hl, port, pl, &why) < 0)
		return msg_usage(ctx->prog, "invalid value '%s' for --address: %s", spec, why);
	if (!*host)
		snprintf(host, hl, "%s", DEFAULT_HOST);
	if (!*port)
		snprintf(port, pl, "%s", DEFAULT_PORT);
	if (!isdigit((unsigned char)port[0])) {
		const char *proto = type == SOCK_DGRAM ? "udp" : "tcp";
		const struct servent *se = getservbyname(port, proto);
		if (!se)
			return msg_usage(ctx->prog, "invalid value '%s' for --address: no %s service '%s' in /etc/services",
					 spec, proto, port);
		snprintf(port, pl, "%u", (unsigned)ntohs((uint16_t)se->s_port));
	}
	return 0;
}

/* Resolve an address (spec: --address, NULL for the default) into up to
 * MAX_ADDRS endpoints. */
static int inet_endpoints(struct ctx *ctx, const char *spec, int type, struct endpoint *eps, size_t *n)
{
	char host[256], port[64];
	struct addrinfo hints, *res;
	int rc = split_address(ctx, spec, type, host, sizeof(host), port, sizeof(port));
	if (rc)
		return rc;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	hints.ai_flags = AI_ADDRCONFIG;
	int g = getaddrinfo(host, port, &hints, &res);
	if (g == EAI_ADDRFAMILY || g == EAI_NONAME) {
		hints.ai_flags = 0; /* loopback-only machines: try without AI_ADDRCONFIG */
		g = getaddrinfo(host, port, &hints, &res);
	}
	if (g != 0) {
		if (g == EAI_SYSTEM)
			msg_syserr(ctx->prog, "resolve %s port %s", host, port);
		else
			msg_warn(ctx->prog, "resolve %s port %s: %s", host, port, gai_strerror(g));
		return EXIT_FAIL;
	}
	*n = 0;
	for (struct addrinfo *ai = res; ai && *n < MAX_ADDRS; ai = ai->ai_next) {
		struct endpoint *ep = &eps[*n];
		if (ai->ai_addrlen > sizeof(ep->addr))
			continue;
		memset(ep, 0, sizeof(*ep));
		ep->family = ai->ai_family;
		ep->type = type;
		memcpy(&ep->addr, ai->ai_addr, ai->ai_addrlen);
		ep->len = ai->ai_addrlen;
		sock_addr_name(ai->ai_addr, ai->ai_addrlen, ep->name, sizeof(ep->name));
		(*n)++;
	}
	freeaddrinfo(res);
	if (*n == 0) {
		msg_warn(ctx->prog, "resolve %s: no usable address", host);
		return EXIT_FAIL;
	}
	return 0;
}

static const struct sock_hints tcp_hints = {
	.producer = "a producer ('ipcdemo tcp produce')",
	.consumer = NULL,
	.listening_consumer = "a listening consumer ('ipcdemo tcp consume --listen')",
};

static const struct sock_hints udp_hints = {
	.producer = NULL,
	.consumer = "a consumer ('ipcdemo udp consume')",
	.listening_consumer = NULL,
};

static int inet_verb(struct ctx *ctx, int kind, bool producer)
{
	struct endpoint eps[MAX_ADDRS];
	size_t n = 0;
	int rc = producer ? producer_check(ctx) : 0;
	if (!rc)
		rc = sock_check_roles(ctx, producer);
	if (!rc)
		rc = inet_endpoints(ctx, sock_opts(ctx)->address, sock_type(kind), eps, &n);
	if (rc)
		return rc;
	const struct sock_hints *h = kind == SK_DGRAM ? &udp_hints : &tcp_hints;
	return producer ? sock_produce(ctx, eps, n, h) : sock_consume(ctx, eps, n, h);
}

static int tcp_produce(struct ctx *ctx)
{
	return inet_verb(ctx, SK_STREAM, true);
}

static int tcp_consume(struct ctx *ctx)
{
	return inet_verb(ctx, SK_STREAM, false);
}

static int udp_produce(struct ctx *ctx)
{
	return inet_verb(ctx, SK_DGRAM, true);
}

static int udp_consume(struct ctx *ctx)
{
	return inet_verb(ctx, SK_DGRAM, false);
}

/* A port that is free on loopback now, for a demo without --address. */
static int free_port(struct ctx *ctx, int type, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct endpoint ep;
	size_t n;
	if (inet_endpoints(ctx, DEFAULT_HOST ":1", type, &ep, &n))
		return -1;
	((struct sockaddr_in *)&ep.addr)->sin_port = 0;
	int fd = socket(ep.family, type | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ep.addr, ep.len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		msg_syserr(ctx->prog, "find a free port");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	snprintf(buf, len, "%s:%u", DEFAULT_HOST, (unsigned)ntohs(((struct sockaddr_in *)&ss)->sin_port));
	return 0;
}

static int inet_demo(struct ctx *ctx, int kind)
{
	char addr[300];
	const char *a = sock_opts(ctx)->address;
	bool dgram = kind == SK_DGRAM;
	if (!a) {
		if (free_port(ctx, sock_type(kind), addr, sizeof(addr)) < 0)
			return EXIT_FAIL;
		a = addr;
	}
	if (dgram)
		printf("A consumer binds UDP %s; a producer sends it 2 batches of 5 UUIDs, one datagram each.\n\n", a);
	else
		printf("A producer listens on TCP %s; a consumer connects and reads 2 batches of 5 UUIDs.\n\n", a);
	const char *cons_dgram[] = { "--address", a, "--count", "10", "--timeout", "10s", NULL };
	const char *prod_dgram[] = { "--address", a, "--count", "5", "--batches", "2", "--every", "1s", NULL };
	const char *cons[] = { "--address", a, "--wait", "5s", "--timeout", "10s", NULL };
	const char *prod[] = { "--address", a, "--count", "5", "--batches", "2", "--every", "1s", NULL };
	const struct demo_role roles[] = {
		{ dgram ? "consumer" : "producer", dgram ? "consume" : "produce", dgram ? cons_dgram : prod, 0,
		  !dgram },
		{ dgram ? "producer" : "consumer", dgram ? "produce" : "consume", dgram ? prod_dgram : cons,
		  300 * NSEC_PER_MSEC, dgram },
	};
	return demo_run(ctx, roles, 2);
}

static int tcp_demo(struct ctx *ctx)
{
	return inet_demo(ctx, SK_STREAM);
}

static int udp_demo(struct ctx *ctx)
{
	return inet_demo(ctx, SK_DGRAM);
}

/* udp is tcp's options with datagrams for a type. */
static void udp_opts_init(void *mopt)
{
	struct sock_opts *o = mopt;
	o->type = SK_DGRAM;
}

static const struct opt_scope udp_opt_scope = {
	.defs = sock_opt_defs,
	.size = sizeof(struct sock_opts),
	.init = udp_opts_init,
};

#define ADDRESS_HELP "HOST:PORT, [IPv6]:PORT or PORT (default: 127.0.0.1:7700)"

static const struct verb_opt tcp_produce_opts[] = {
	{ .def = &sock_opt_address, .help = "where to listen (or connect): " ADDRESS_HELP },
	{ .def = &sock_opt_connect, .help = "connect to a consumer that listens (--listen) instead of listening" },
	{ .def = &sock_opt_wait, .help = "with --connect: keep trying for DURATION while no one listens" },
	{ .def = &sock_opt_nodelay },
	{ .def = &sock_opt_sndbuf },
	PRODUCER_OPTIONS,
	{ .id = OP_JSON, .help = "print the --stats summary as JSON" },
	{ .id = OP_QUIET },
	OPT_LIST_END,
};

static const struct verb_opt tcp_consume_opts[] = {
	{ .def = &sock_opt_address, .help = "where to connect (or listen): " ADDRESS_HELP },
	{ .def = &sock_opt_listen, .help = "listen for any number of producers (--connect) instead of connecting" },
	{ .def = &sock_opt_wait, .help = "keep trying to connect for DURATION while no producer listens" },
	{ .def = &sock_opt_rcvbuf },
	CONSUMER_OPTIONS,
	{ .def = &sock_opt_exit_on_eof, .help = "with --listen: exit when the last producer disconnects" },
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	OPT_LIST_END,
};

static const struct verb_opt udp_produce_opts[] = {
	{ .def = &sock_opt_address, .help = "where the consumer receives: " ADDRESS_HELP },
	{ .def = &sock_opt_sndbuf },
	PRODUCER_OPTIONS,
	{ .id = OP_JSON, .help = "print the --stats summary as JSON" },
	{ .id = OP_QUIET },
	OPT_LIST_END,
};

static const struct verb_opt udp_consume_opts[] = {
	{ .def = &sock_opt_address, .help = "where to receive: " ADDRESS_HELP },
	{ .def = &sock_opt_rcvbuf },
	CONSUMER_OPTIONS,
	{ .id = OP_SIZE, .help = "receive buffer (default 64k); a larger datagram is reported as truncated" },
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	OPT_LIST_END,
};

static const struct verb_opt demo_opts[] = {
	{ .def = &sock_opt_address, .help = "address to use (default: a free loopback port)" },
	OPT_LIST_END,
};

static const struct verb tcp_verbs[] = {
	{ "produce", "send messages over TCP", "[options] [MESSAGE...]",
	  "Listens (loopback unless --address says otherwise) and sends every message to every\n"
	  "consumer connected at the time; --connect reverses the roles.",
	  tcp_produce_opts, 0, -1, tcp_produce },
	{ "consume", "receive messages over TCP", "[options]",
	  "Connects to a listening producer and prints each line; --listen accepts any number of\n"
	  "producers instead.",
	  tcp_consume_opts, 0, 0, tcp_consume },
	{ "demo", "a producer and a consumer over TCP on loopback", "[options]", NULL, demo_opts, 0, 0, tcp_demo },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

static const struct verb udp_verbs[] = {
	{ "produce", "send messages as UDP datagrams", "[options] [MESSAGE...]",
	  "Sends each message as one datagram to the consumer's address. UDP does not wait for a\n"
	  "receiver: what nobody receives is lost, and the consumer's --verify counts it.",
	  udp_produce_opts, 0, -1, udp_produce },
	{ "consume", "receive UDP datagrams", "[options]",
	  "Binds the address (loopback unless --address says otherwise) and prints each datagram.",
	  udp_consume_opts, 0, 0, udp_consume },
	{ "demo", "a producer and a consumer over UDP on loopback", "[options]", NULL, demo_opts, 0, 0, udp_demo },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

const struct mechanism mech_tcp = {
	.name = "tcp",
	.summary = "TCP stream sockets over IPv4 and IPv6",
	.description = "A reliable, ordered byte stream between two addresses; messages are newline-framed\n"
		"lines. Listeners bind to loopback unless an address is given.",
	.verbs = tcp_verbs,
	.opt_scope = &sock_opt_scope,
};

const struct mechanism mech_udp = {
	.name = "udp",
	.summary = "UDP datagram sockets over IPv4 and IPv6",
	.description = "One message per datagram, with no connection, no acknowledgement and no flow control:\n"
		"datagrams can be lost, and --verify on the consumer says how many.",
	.verbs = udp_verbs,
	.opt_scope = &udp_opt_scope,
};
