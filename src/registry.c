/* SPDX-License-Identifier: MIT */
/* The table of mechanisms. Adding a mechanism: one .c file defining a
 * struct mechanism, one line here, one man page. */
#include <string.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/tools.h"

const struct mechanism *const mechanisms[] = {
	&mech_file,
	&mech_pipe,
	&mech_fifo,
	&mech_unix,
	&mech_socketpair,
	&mech_tcp,
	&mech_udp,
	&mech_mq,
	&mech_sysv,
	&mech_shm,
	NULL,
};

const struct mechanism *mechanism_find(const char *name)
{
	for (size_t i = 0; mechanisms[i]; i++)
		if (strcmp(mechanisms[i]->name, name) == 0)
			return mechanisms[i];
	return NULL;
}

const struct verb *verb_find(const struct mechanism *m, const char *name)
{
	for (const struct verb *v = m->verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

const struct verb *tool_find(const char *name)
{
	for (const struct verb *v = tool_verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* The top-level commands that take options as verbs do. */
const struct verb tool_verbs[] = {
	{ "ls", "list the IPC objects that exist now", "[options] [DIRECTORY]",
	  "Lists POSIX message queues (/dev/mqueue), POSIX shared memory (/dev/shm), System V\n"
	  "message queues (/proc/sysvipc/msg), and the FIFOs, sockets and storage files in\n"
	  "DIRECTORY (default: the current one): type, name, owner, mode, size, messages, and\n"
	  "whether 'ipcdemo clean' would remove it.",
	  ls_opts, 0, 1, ls_run },
	{ "clean", "remove the IPC objects ipcdemo created", "[options] [DIRECTORY]",
	  "Removes what ipcdemo made and nothing else: queues and rings named /ipcdemo or\n"
	  "/ipcdemo-*, System V queues with keys 0x69706300 to 0x697063ff, and in DIRECTORY\n"
	  "pipe.fifo, an ipc.sock no one is bound to, and storage files marked as ipcdemo's;\n"
	  "only objects of your own user. See ipcdemo(1), CLEANING UP.",
	  clean_opts, 0, 1, clean_run, NULL, &clean_opt_scope },
	{ "bench", "measure the latency and throughput of every mechanism", "[options] [MECHANISM...]",
	  "Two processes pinned to one CPU (same) or two (split): round trips of a message through\n"
	  "each mechanism (median, p99, minimum), then each mechanism's own producer and consumer\n"
	  "verbs streaming messages of each --size (messages/s, MB/s, CPU time per message on each\n"
	  "side). Mechanisms: pipe fifo unix (stream, dgram, seqpacket; or unix-stream, ...)\n"
	  "socketpair tcp udp mq sysv shm file, and dd (dd | dd through a plain pipe, the reference);\n"
	  "default all. See ipcdemo-bench(1) for the method.",
	  bench_opts, 0, -1, bench_run, NULL, &bench_opt_scope },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};
