/* SPDX-License-Identifier: MIT */
/* The table of mechanisms. Adding a mechanism: its src/mech/NAME.c
 * defining `const struct mechanism mech_NAME`, one line here, and the
 * rest CONTRIBUTING.md lists. */
#include <string.h>

#include "ipcdemo/mechanism.h"

/* One line per mechanism, in the order 'ipcdemo list' shows them. */
#define MECHANISMS(X) \
	X(file) \
	X(pipe) \
	X(fifo) \
	X(unix) \
	X(socketpair) \
	X(tcp) \
	X(udp) \
	X(mq) \
	X(sysv) \
	X(shm) \
	X(zmq)

#define DECLARE(name) extern const struct mechanism mech_##name;
MECHANISMS(DECLARE)
#undef DECLARE

#define ENTRY(name) &mech_##name,
const struct mechanism *const mechanisms[] = { MECHANISMS(ENTRY) NULL };
#undef ENTRY

const struct mechanism *mechanism_find(const char *name)
{
	for (size_t i = 0; mechanisms[i]; i++)
		if (strcmp(mechanisms[i]->name, name) == 0)
			return mechanisms[i];
	return NULL;
}
