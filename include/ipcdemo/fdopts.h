/* SPDX-License-Identifier: MIT */
/* The options of descriptor and credential passing over Unix sockets
 * (SCM_RIGHTS, SCM_CREDENTIALS, sealed memfds): part of struct sock_opts,
 * listed only by the verbs of the Unix mechanisms (unix, socketpair). */
#ifndef IPCDEMO_FDOPTS_H
#define IPCDEMO_FDOPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "ipcdemo/cli.h"

enum fd_via { VIA_SOCKET, VIA_MEMFD };

struct fd_opts {
	/* producer */
	const char *pass_fd;  /* --pass-fd PATH: a descriptor of PATH with each message */
	uint64_t fd_copies;   /* --fd-copies N: that many descriptors of it (0: one) */
	int via;              /* --via: enum fd_via (producer and consumer) */
	bool send_creds;      /* --send-creds: SCM_CREDENTIALS with each message */
	const char *creds_as; /* --creds-as PID:UID:GID: the credentials claimed */
	/* consumer */
	bool fds;     /* --fds: show the descriptors that come with each message */
	bool read_fd; /* --read-fd: and the first line read through each */
	bool creds;   /* --creds: SO_PASSCRED, the sender of each message */
};

extern const struct opt_def fd_opt_pass_fd, fd_opt_fd_copies, fd_opt_via, fd_opt_send_creds, fd_opt_creds_as,
	fd_opt_fds, fd_opt_read_fd, fd_opt_creds;
/* clang-format off */
#define FD_OPT_DEFS \
	&fd_opt_pass_fd, &fd_opt_fd_copies, &fd_opt_via, &fd_opt_send_creds, &fd_opt_creds_as, \
	&fd_opt_fds, &fd_opt_read_fd, &fd_opt_creds
/* The producer's and the consumer's, for the verb tables. */
#define FD_PRODUCER_OPTIONS \
	{ .def = &fd_opt_pass_fd }, { .def = &fd_opt_fd_copies }, { .def = &fd_opt_via }, \
	{ .def = &fd_opt_send_creds }, { .def = &fd_opt_creds_as }
#define FD_CONSUMER_OPTIONS \
	{ .def = &fd_opt_fds }, { .def = &fd_opt_read_fd }, { .def = &fd_opt_creds }, \
	{ .def = &fd_opt_via, .help = "memfd: each payload comes in a sealed memfd (checked, mapped, closed)" }
/* clang-format on */

/* Any producer option that needs sendmsg with control data. */
static inline bool fd_opts_tx(const struct fd_opts *f)
{
	return f->pass_fd || f->fd_copies || f->via == VIA_MEMFD || f->send_creds || f->creds_as;
}
/* Any consumer option that needs recvmsg with control data. */
static inline bool fd_opts_rx(const struct fd_opts *f)
{
	return f->fds || f->read_fd || f->creds || f->via == VIA_MEMFD;
}

#endif
