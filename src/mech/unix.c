/* SPDX-License-Identifier: MIT */
/* unix: Unix domain sockets, the tutorial's producer4.sh (nc -lU) and the
 * course's Unix socket server and client: stream, dgram and seqpacket, on a
 * socket file or in the abstract namespace (@name). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipcdemo/bench_hooks.h"
#include "ipcdemo/demo.h"
#include "ipcdemo/fdpass.h"
#include "ipcdemo/fsobj.h"
#include "ipcdemo/message.h"
#include "ipcdemo/obj_hooks.h"
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
		printf("The producer listens, as nc -lU does; the consumer connects and reads 2 batches of 5 "
		       "UUIDs.\n\n");
	const char *cons_dgram[] = { "--path", p, "--type", type, "--count", "10", "--timeout", "10s", NULL };
	const char *prod_dgram[] = { "--path", p,         "--type", type,     "--count", "5", "--batches",
				     "2",      "--every", "1s",     "--wait", "5s",      NULL };
	const char *cons[] = { "--path", p, "--type", type, "--wait", "5s", "--timeout", "10s", NULL };
	const char *prod[] = { "--path", p, "--type", type, "--count", "5", "--batches", "2", "--every", "1s", NULL };
	bool dgram = sock_opts(ctx)->type == SK_DGRAM;
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
	FD_PRODUCER_OPTIONS,
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
	FD_CONSUMER_OPTIONS,
	{ .id = OP_QUIET, .help = "print no notes on stderr" },
	OPT_LIST_END,
};

static const struct verb_opt demo_opts[] = {
	{ .id = OP_PATH, .help = "socket to use (default: one in a new temporary directory)" },
	{ .def = &sock_opt_type },
	OPT_LIST_END,
};

static const struct verb unix_verbs[] = {
	{
		.name = "produce",
		.summary = "send messages over a Unix socket",
		.usage = "[options] [MESSAGE...]",
		.description =
			"Stream and seqpacket: listens, as nc -lU does, and sends every message to every consumer\n"
			"connected at the time (any number, served with poll()); --connect reverses the roles.\n"
			"Dgram: sends each message as one datagram to the consumer's socket.",
		.opts = produce_opts,
		.min_args = 0,
		.max_args = -1,
		.run = unix_produce,
	},
	{
		.name = "consume",
		.summary = "receive messages from a Unix socket",
		.usage = "[options]",
		.description =
			"Stream and seqpacket: connects to a listening producer (--listen: accepts any number of\n"
			"producers). Dgram: binds the socket and receives the datagrams producers send.\n"
			"Stream carries newline-framed lines; dgram and seqpacket one message per packet.",
		.opts = consume_opts,
		.min_args = 0,
		.max_args = 0,
		.run = unix_consume,
	},
	{
		.name = "demo",
		.summary = "a producer and a consumer on a Unix socket",
		.usage = "[options]",
		.description = NULL,
		.opts = demo_opts,
		.min_args = 0,
		.max_args = 0,
		.run = unix_demo,
	},
	{ .name = NULL },
};

/* ---- ls and clean: sockets in DIRECTORY, an ipc.sock no one is bound to is ours ---- */

static bool unix_match(struct obj *o, const struct stat *st)
{
	(void)o;
	return S_ISSOCK(st->st_mode);
}

/* /proc/net/unix (proc(5)): "Num RefCount Protocol Flags Type St Inode
 * Path"; __SO_ACCEPTCON in Flags marks a listening socket. */
#define UNIX_NET "/proc/net/unix"
#define UNIX_ACCEPTCON 0x10000
#define UNIX_UNCONNECTED 1
#define UNIX_LINE 512

/* One line: an object when it is an abstract socket that listens, or a
 * datagram socket bound to its name and connected to none. A name with a
 * newline in it is cut there; the rest of it is no line of the table. */
static bool abstract_line(char *line, dev_t sockfs, struct obj *o)
{
	unsigned flags, type, st;
	unsigned long long ino;
	int at = 0;
	if (sscanf(line, "%*x: %*x %*x %x %x %x %llu %n", &flags, &type, &st, &ino, &at) != 4 || at == 0 ||
	    line[at] != '@')
		return false;
	bool listening = flags & UNIX_ACCEPTCON;
	if (!listening && !(type == SOCK_DGRAM && st == UNIX_UNCONNECTED))
		return false;
	line[strcspn(line, "\n")] = '\0';
	obj_blank(o);
	snprintf(o->name, sizeof(o->name), "%s", line + at);
	o->uid = o->creator = OBJ_NO_UID;
	o->mode = OBJ_NO_MODE;
	o->dev = sockfs;
	o->ino = (ino_t)ino;
	o->note = listening ? "abstract, listening" : "abstract, bound";
	return true;
}

/* The abstract sockets of the network namespace: no directory holds them. */
static int abstract_scan(struct ctx *ctx, struct obj_out *out)
{
	dev_t sockfs;
	FILE *fp = obj_sockfs_dev(&sockfs) < 0 ? NULL : fopen(UNIX_NET, "re");
	if (!fp) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "abstract sockets not listed: %s: %s", UNIX_NET, strerror(errno));
		return 0;
	}
	char line[UNIX_LINE];
	int rc = 0;
	bool whole = true; /* the last piece read ended its line */
	while (rc == 0 && fgets(line, sizeof(line), fp)) {
		bool start = whole;
		whole = strchr(line, '\n') != NULL;
		struct obj o;
		if (start && abstract_line(line, sockfs, &o))
			rc = out->add(out, &o);
	}
	fclose(fp);
	return rc;
}

static int unix_scan(struct ctx *ctx, const char *dir, struct obj_out *out)
{
	int rc = obj_scan_dir(ctx, dir, out, unix_match);
	return rc == 0 ? abstract_scan(ctx, out) : rc;
}

/* found: sock_path_live's answer (1: bound, 0: stale, -1: cannot tell).
 * An abstract socket (no mode: no file) is bound: it is listed so. */
static void unix_describe(struct obj *o)
{
	if (o->mode == OBJ_NO_MODE)
		return;
	o->found = sock_path_live(o->name);
	if (o->found == 1)
		o->note = "in use";
}

static bool unix_ours(const struct obj *o)
{
	return strcmp(o->name + o->base, DEFAULT_PATH) == 0 && o->found == 0 && o->uid == geteuid();
}

/* Checked again just before removal: a producer may have started since. */
static const char *unix_in_use(const struct obj *o)
{
	return sock_path_live(o->name) != 0 ? "a process is bound to it now" : NULL;
}

static int unix_remove(struct ctx *ctx, const struct obj *o)
{
	return fsobj_unlink(ctx, o->name, S_IFSOCK);
}

static const struct mech_objects unix_objects = {
	.type = "socket",
	.option = "path",
	.plural = "sockets",
	.order = 50,
	.socket_files = true,
	.scan = unix_scan,
	.describe = unix_describe,
	.ours = unix_ours,
	.in_use = unix_in_use,
	.remove = unix_remove,
};

/* ---- bench ---- */

static const struct bench_row unix_bench_rows[] = {
	{ .name = "unix stream", .word = "unix-stream", .variant = "stream", .floor = "bare-unix" },
	{ .name = "unix dgram", .word = "unix-dgram", .variant = "dgram", .floor = "bare-dgram" },
	{ .name = "unix seqpacket", .word = "unix-seqpacket", .variant = "seqpacket" },
	/* Each message in a sealed memfd whose descriptor goes in a datagram
	 * (round trips: over a seqpacket pair). */
	{ .name = "unix memfd", .word = "unix-memfd", .variant = "memfd" },
	{ .name = NULL, .word = NULL, .variant = NULL },
};

static bool is_type(const struct bench_row *row, const char *type)
{
	return strcmp(row->variant, type) == 0;
}

/* Rows whose consumer binds a datagram socket. */
static bool unix_bench_binds(const struct bench_row *row)
{
	return is_type(row, "dgram") || is_type(row, "memfd");
}

static size_t unix_bench_limit(const struct bench_row *row, char *why, size_t len)
{
	if (is_type(row, "memfd"))
		return 0; /* the socket carries a header; the memfd, any size */
	return is_type(row, "stream") ? bench_stream_limit(why, len) : bench_packet_limit(why, len);
}

/* A listening socket on path, a client connected to it and the accepted
 * end: out[0] client, out[1] server. */
static int unix_bench_connected(int type, const char *path, int out[2])
{
	struct sockaddr_un a;
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	int l = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0)
		goto fail;
	out[0] = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (out[0] < 0 || connect(out[0], (struct sockaddr *)&a, sizeof(a)) < 0)
		goto fail;
	out[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (out[1] < 0)
		goto fail;
	close(l);
	return 0;
fail:
	if (l >= 0)
		close(l);
	return -1;
}

static int unix_bench_chan(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_chan *ch,
			   char *err, size_t elen)
{
	int a[2] = { -1, -1 }, rc;
	(void)env, (void)size, (void)err, (void)elen;
	if (is_type(row, "memfd")) {
		ch->verbs = &fdpass_bench_verbs;
		ch->npath = 0;
		rc = socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, a);
	} else if (is_type(row, "dgram")) {
		ch->verbs = &bench_packet_verbs;
		ch->npath = 2;
		rc = bench_dgram_pair(AF_UNIX, ch->path[0], ch->path[1], a);
	} else {
		bool stream = is_type(row, "stream");
		ch->verbs = stream ? &bench_stream_verbs : &bench_packet_verbs;
		ch->npath = 1;
		rc = unix_bench_connected(stream ? SOCK_STREAM : SOCK_SEQPACKET, ch->path[0], a);
	}
	bench_chan_sockets(ch, a);
	return rc;
}

static int unix_bench_run(const struct bench_env *env, const struct bench_row *row, size_t size, struct bench_run *r,
			  char *err, size_t elen)
{
	(void)err, (void)elen;
	snprintf(r->obj, sizeof(r->obj), "%s/b%d.sock", env->dir, env->seq);
	bench_args2(r, "--path", r->obj);
	if (is_type(row, "memfd")) {
		bench_args2(r, "--type", "dgram");
		bench_args2(r, "--via", "memfd");
	} else {
		bench_args2(r, "--type", row->variant);
	}
	/* dgram (and memfd, over dgram): the consumer binds, the producer
	 * sends to it (ready). */
	if (!unix_bench_binds(row)) {
		bench_arg(&r->cons, "--listen");
		bench_arg(&r->prod, "--connect");
		bench_arg(&r->prod, "--wait");
		bench_arg(&r->prod, "10s");
	}
	if (!is_type(row, "stream")) {
		bench_arg(&r->cons, "--size");
		bench_argf(&r->cons, "%zu", size);
	}
	bench_args2(r, "-q", NULL);
	return 0;
}

static bool unix_bench_ready(const struct bench_row *row, const struct bench_run *r)
{
	return !unix_bench_binds(row) || bench_run_obj_exists(row, r);
}

static const struct mech_bench unix_bench = {
	.order = 30,
	.rows = unix_bench_rows,
	.lossy = false,
	.limit = unix_bench_limit,
	.chan_open = unix_bench_chan,
	.chan_close = bench_chan_unlink,
	.run_setup = unix_bench_run,
	.ready = unix_bench_ready,
	.cleanup = bench_run_unlink,
};

const struct mechanism mech_unix = {
	.name = "unix",
	.summary = "Unix domain sockets: stream, dgram, seqpacket, abstract names",
	.description = "A socket file (or an @abstract name) is the address; the listener binds it and the\n"
		       "other side connects. Stream sockets carry bytes, dgram and seqpacket keep message\n"
		       "boundaries; SO_PEERCRED and SCM_CREDENTIALS tell who is on the other side.",
	.verbs = unix_verbs,
	.objects = &unix_objects,
	.bench = &unix_bench,
	.opt_scope = &sock_opt_scope,
	.explains = true,
};
