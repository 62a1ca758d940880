/* SPDX-License-Identifier: MIT */
/* tcp and udp: the course's stream and datagram socket demos over IPv4 and
 * IPv6. Addresses are HOST:PORT, [IPv6]:PORT or PORT; a listener binds to
 * loopback unless given an address. */
#include <ctype.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/cli.h"
#include "ipcdemo/demo.h"
#include "ipcdemo/message.h"
#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/sock.h"
#include "ipcdemo/sockexplain.h"
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
			return msg_usage(ctx->prog,
					 "invalid value '%s' for --address: no %s service '%s' in /etc/services", spec,
					 proto, port);
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
	int fd = xs_socket(ctx, ep.family, type | SOCK_CLOEXEC, "a socket to find a free port with");
	if (fd < 0 ||
	    xs_bind(ctx, fd, (struct sockaddr *)&ep.addr, ep.len, "port 0: the kernel picks a free one") < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		msg_syserr(ctx->prog, "find a free port");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	explain_close(ctx, fd, "the port is free again, for the demo's two sides");
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
		{
			.label = dgram ? "consumer" : "producer",
			.verb = dgram ? "consume" : "produce",
			.args = dgram ? cons_dgram : prod,
			.delay_ns = 0,
			.upstream = !dgram,
		},
		{
			.label = dgram ? "producer" : "consumer",
			.verb = dgram ? "produce" : "consume",
			.args = dgram ? prod_dgram : cons,
			.delay_ns = 300 * NSEC_PER_MSEC,
			.upstream = dgram,
		},
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
	{
		.name = "produce",
		.summary = "send messages over TCP",
		.usage = "[options] [MESSAGE...]",
		.description = "Listens (loopback unless --address says otherwise) and sends every message to every\n"
			       "consumer connected at the time; --connect reverses the roles.",
		.opts = tcp_produce_opts,
		.min_args = 0,
		.max_args = -1,
		.run = tcp_produce,
	},
	{
		.name = "consume",
		.summary = "receive messages over TCP",
		.usage = "[options]",
		.description = "Connects to a listening producer and prints each line; --listen accepts any number of\n"
			       "producers instead.",
		.opts = tcp_consume_opts,
		.min_args = 0,
		.max_args = 0,
		.run = tcp_consume,
	},
	{
		.name = "demo",
		.summary = "a producer and a consumer over TCP on loopback",
		.usage = "[options]",
		.description = NULL,
		.opts = demo_opts,
		.min_args = 0,
		.max_args = 0,
		.run = tcp_demo,
	},
	{ .name = NULL },
};

static const struct verb udp_verbs[] = {
	{
		.name = "produce",
		.summary = "send messages as UDP datagrams",
		.usage = "[options] [MESSAGE...]",
		.description = "Sends each message as one datagram to the consumer's address. UDP does not wait for a\n"
			       "receiver: what nobody receives is lost, and the consumer's --verify counts it.",
		.opts = udp_produce_opts,
		.min_args = 0,
		.max_args = -1,
		.run = udp_produce,
	},
	{
		.name = "consume",
		.summary = "receive UDP datagrams",
		.usage = "[options]",
		.description = "Binds the address (loopback unless --address says otherwise) and prints each datagram.",
		.opts = udp_consume_opts,
		.min_args = 0,
		.max_args = 0,
		.run = udp_consume,
	},
	{
		.name = "demo",
		.summary = "a producer and a consumer over UDP on loopback",
		.usage = "[options]",
		.description = NULL,
		.opts = demo_opts,
		.min_args = 0,
		.max_args = 0,
		.run = udp_demo,
	},
	{ .name = NULL },
};

/* ---- bench ---- */

#define UDP_MAX 65507

static const struct bench_row tcp_bench_rows[] = {
	{ .name = "tcp", .word = NULL, .variant = NULL, .floor = "bare-tcp" },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static const struct bench_row udp_bench_rows[] = {
	{ .name = "udp", .word = NULL, .variant = NULL, .floor = "bare-udp" },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static size_t tcp_bench_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	return bench_stream_limit(why, len);
}

/* Round trips: one connection on loopback, lines both ways. */
static int tcp_bench_connected(int out[2])
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &al) < 0)
		goto fail;
	out[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (out[0] < 0 || connect(out[0], (struct sockaddr *)&a, sizeof(a)) < 0)
		goto fail;
	out[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (out[1] < 0)
		goto fail;
	close(l);
	/* As tcp produce --nodelay: a ping-pong of small writes waits for
	 * nothing (no Nagle). */
	setsockopt(out[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(out[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
fail:
	if (l >= 0)
		close(l);
	return -1;
}

static int tcp_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			  char *err, size_t elen)
{
	int a[2] = { -1, -1 };
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	ch->verbs = &bench_stream_verbs;
	int rc = tcp_bench_connected(a);
	bench_chan_sockets(ch, a);
	return rc;
}

static int tcp_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			 char *err, size_t elen)
{
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	char addr[64];
	r->num = bench_free_port(SOCK_STREAM);
	snprintf(addr, sizeof(addr), "127.0.0.1:%ld", r->num);
	bench_args2(r, "--address", addr);
	bench_arg(&r->cons, "--listen");
	bench_arg(&r->prod, "--connect");
	bench_arg(&r->prod, "--wait");
	bench_arg(&r->prod, "10s");
	/* The buffers the bare tcp row's connection has, as bw_tcp's: a
	 * sender's and a receiver's of the same size on both rows. */
	bench_arg(&r->prod, "--sndbuf");
	bench_argf(&r->prod, "%d", BENCH_TCP_BUF);
	bench_arg(&r->cons, "--rcvbuf");
	bench_argf(&r->cons, "%d", BENCH_TCP_BUF);
	bench_args2(r, "-q", NULL);
	return 0;
}

static const struct mech_bench tcp_bench = {
	.order = 50,
	.rows = tcp_bench_rows,
	.lossy = false,
	.limit = tcp_bench_limit,
	.chan_open = tcp_bench_chan,
	.chan_close = NULL,
	.run_setup = tcp_bench_run,
	.ready = NULL,
	.cleanup = NULL,
};

static size_t udp_bench_limit(const struct bench_row *row, char *why, size_t len)
{
	(void)row;
	snprintf(why, len, "UDP datagrams carry at most %d bytes", UDP_MAX);
	return UDP_MAX;
}

/* Round trips: two datagram sockets on loopback, connected to each other. */
static int udp_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			  char *err, size_t elen)
{
	int a[2] = { -1, -1 };
	(void)env, (void)row, (void)size, (void)err, (void)elen;
	ch->verbs = &bench_packet_verbs;
	int rc = bench_dgram_pair(AF_INET, NULL, NULL, a);
	bench_chan_sockets(ch, a);
	return rc;
}

static int udp_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			 char *err, size_t elen)
{
	(void)env, (void)row, (void)err, (void)elen;
	char addr[64];
	r->num = bench_free_port(SOCK_DGRAM);
	snprintf(addr, sizeof(addr), "127.0.0.1:%ld", r->num);
	bench_args2(r, "--address", addr);
	bench_arg(&r->cons, "--size");
	bench_argf(&r->cons, "%zu", size);
	/* Datagrams that do not fit the receive buffer are lost: stop half a
	 * second after the last one instead of waiting for -n. */
	bench_arg(&r->cons, "--timeout");
	bench_arg(&r->cons, "500ms");
	bench_args2(r, "-q", NULL);
	return 0;
}

/* Is the consumer bound to the port (on loopback)? */
static bool udp_bench_ready(const struct bench_row *row, const struct bench_run *r)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	(void)row;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)r->num);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool bound = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EADDRINUSE;
	if (fd >= 0)
		close(fd);
	return bound;
}

static const struct mech_bench udp_bench = {
	.order = 60,
	.rows = udp_bench_rows,
	.lossy = true,
	.limit = udp_bench_limit,
	.chan_open = udp_bench_chan,
	.chan_close = NULL,
	.run_setup = udp_bench_run,
	.ready = udp_bench_ready,
	.cleanup = NULL,
};

/* ---- ls: the TCP and UDP sockets an ipcdemo process listens on ---- */

/* The kernel's tables of sockets (proc(5)): one line per socket, "sl
 * local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode".
 * Addresses are hexadecimal words in the kernel's byte order. */

/* TCP_LISTEN and TCP_CLOSE (an unconnected UDP socket) in the st column. */
#define NET_LISTEN 0x0A
#define NET_CLOSE 0x07
/* A line is far shorter; one longer is not a socket's. */
#define NET_LINE 512

/* ADDR:PORT (or [ADDR]:PORT) of a hexadecimal address of the table. */
static bool net_name(const char *hex, unsigned port, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	size_t hl = strlen(hex);
	if (hl == 8) {
		struct in_addr a = { .s_addr = (uint32_t)strtoul(hex, NULL, 16) };
		if (!inet_ntop(AF_INET, &a, text, sizeof(text)))
			return false;
		snprintf(buf, len, "%s:%u", text, port);
		return true;
	}
	if (hl != 32)
		return false;
	struct in6_addr a;
	for (int i = 0; i < 4; i++) {
		char word[9];
		memcpy(word, hex + 8 * i, 8);
		word[8] = '\0';
		uint32_t w = (uint32_t)strtoul(word, NULL, 16);
		memcpy(&a.s6_addr[4 * i], &w, sizeof(w));
	}
	if (!inet_ntop(AF_INET6, &a, text, sizeof(text)))
		return false;
	snprintf(buf, len, "[%s]:%u", text, port);
	return true;
}

/* One line of a table: an object when it is a socket in state want. */
static bool net_line(const char *line, unsigned want, dev_t sockfs, struct obj *o)
{
	char local[40], remote[40];
	unsigned lport, rport, st, uid;
	unsigned long long ino;
	if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*x:%*x %*x:%*x %*x %u %*d %llu", local, &lport,
		   remote, &rport, &st, &uid, &ino) != 7 ||
	    st != want || lport == 0 || ino == 0)
		return false;
	obj_blank(o);
	if (!net_name(local, lport, o->name, sizeof(o->name)))
		return false;
	o->uid = o->creator = uid;
	o->mode = OBJ_NO_MODE;
	o->dev = sockfs;
	o->ino = (ino_t)ino;
	return true;
}

/* Every socket in state want of /proc/net/NAME and NAME6. */
static int net_scan(struct ctx *ctx, const char *name, unsigned want, struct obj_out *out)
{
	dev_t sockfs;
	if (obj_sockfs_dev(&sockfs) < 0) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "%s sockets not listed: socket: %s", name, strerror(errno));
		return 0;
	}
	int rc = 0;
	for (int v6 = 0; v6 < 2 && rc == 0; v6++) {
		char path[32], line[NET_LINE];
		snprintf(path, sizeof(path), "/proc/net/%s%s", name, v6 ? "6" : "");
		FILE *fp = fopen(path, "re");
		if (!fp) {
			if (errno != ENOENT && !ctx->opt.quiet) /* no IPv6: no table */
				msg_warn(ctx->prog, "%s sockets not listed: %s: %s", name, path, strerror(errno));
			continue;
		}
		while (rc == 0 && fgets(line, sizeof(line), fp)) {
			struct obj o;
			if (net_line(line, want, sockfs, &o))
				rc = out->add(out, &o);
		}
		fclose(fp);
	}
	return rc;
}

static int tcp_scan(struct ctx *ctx, const char *dir, struct obj_out *out)
{
	(void)dir;
	return net_scan(ctx, "tcp", NET_LISTEN, out);
}

static int udp_scan(struct ctx *ctx, const char *dir, struct obj_out *out)
{
	(void)dir;
	return net_scan(ctx, "udp", NET_CLOSE, out);
}

static void tcp_describe(struct obj *o)
{
	o->note = "listening";
}

static void udp_describe(struct obj *o)
{
	o->note = "bound";
}

/* A socket goes when its process closes it: never clean's. */
static bool net_ours(const struct obj *o)
{
	(void)o;
	return false;
}

static int net_remove(struct ctx *ctx, const struct obj *o)
{
	msg_warn(ctx->prog, "not removing %s: a socket goes when its process closes it", o->name);
	return -1;
}

static const struct mech_objects tcp_objects = {
	.type = "tcp",
	.plural = "TCP sockets",
	.order = 70,
	.scan = tcp_scan,
	.describe = tcp_describe,
	.ours = net_ours,
	.ipcdemo_held_only = true,
	.remove = net_remove,
};

static const struct mech_objects udp_objects = {
	.type = "udp",
	.plural = "UDP sockets",
	.order = 80,
	.scan = udp_scan,
	.describe = udp_describe,
	.ours = net_ours,
	.ipcdemo_held_only = true,
	.remove = net_remove,
};

const struct mechanism mech_tcp = {
	.name = "tcp",
	.summary = "TCP stream sockets over IPv4 and IPv6",
	.description = "A reliable, ordered byte stream between two addresses; messages are newline-framed\n"
		       "lines. Listeners bind to loopback unless an address is given.",
	.verbs = tcp_verbs,
	.objects = &tcp_objects,
	.bench = &tcp_bench,
	.opt_scope = &sock_opt_scope,
	.explains = true,
};

const struct mechanism mech_udp = {
	.name = "udp",
	.summary = "UDP datagram sockets over IPv4 and IPv6",
	.description = "One message per datagram, with no connection, no acknowledgement and no flow control:\n"
		       "datagrams can be lost, and --verify on the consumer says how many.",
	.verbs = udp_verbs,
	.objects = &udp_objects,
	.bench = &udp_bench,
	.opt_scope = &udp_opt_scope,
	.explains = true,
};
