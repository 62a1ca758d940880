/* SPDX-License-Identifier: MIT */
/* The table of mechanisms. Adding a mechanism: one .c file defining a
 * struct mechanism, one line here, one man page. */
#include <string.h>

#include "ipcdemo/mechanism.h"

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
