/* SPDX-License-Identifier: MIT */
/* The receiving half of descriptor passing: the options, the walk of a
 * message's control data, what a received descriptor refers to, and the
 * checks of a memfd before it is read. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/fdpass.h"
#include "ipcdemo/sockexplain.h"
#include "ipcdemo/util.h"

static const char *const via_choices[] = { "socket", "memfd", NULL };

#define AT(member) .offset = offsetof(struct sock_opts, fdp.member)

const struct opt_def fd_opt_pass_fd = {
	.name = "pass-fd",
	.type = OPT_PATH,
	.arg = "PATH",
	.help = "send a descriptor of PATH (opened read-only, once) with each message (SCM_RIGHTS)",
	AT(pass_fd),
};
const struct opt_def fd_opt_fd_copies = {
	.name = "fd-copies",
	.type = OPT_COUNT,
	.arg = "N",
	.help = "send N descriptors of PATH with each message (more than 8: the consumer sees MSG_CTRUNC)",
	.min = 1,
	.max = 253, /* SCM_MAX_FD */
	AT(fd_copies),
};
const struct opt_def fd_opt_via = {
	.name = "via",
	.type = OPT_CHOICE,
	.arg = "HOW",
	.help = "socket (default), or memfd: each payload in a sealed memfd whose descriptor is sent",
	.choices = via_choices,
	AT(via),
};
const struct opt_def fd_opt_send_creds = {
	.name = "send-creds",
	.type = OPT_FLAG,
	.help = "send our credentials with each message (SCM_CREDENTIALS; dgram, seqpacket)",
	AT(send_creds),
};
const struct opt_def fd_opt_creds_as = {
	.name = "creds-as",
	.type = OPT_STRING,
	.arg = "PID:UID:GID",
	.help = "claim these credentials instead (the kernel refuses what we may not claim: EPERM)",
	AT(creds_as),
};
const struct opt_def fd_opt_fds = {
	.name = "fds",
	.type = OPT_FLAG,
	.help = "show the descriptors that come with each message: number, target, open flags",
	AT(fds),
};
const struct opt_def fd_opt_read_fd = {
	.name = "read-fd",
	.type = OPT_FLAG,
	.help = "as --fds, and print the first line read through each descriptor (pread from offset 0)",
	AT(read_fd),
};
const struct opt_def fd_opt_creds = {
	.name = "creds",
	.type = OPT_FLAG,
	.help = "show the sender's pid, uid and gid with each message (SO_PASSCRED; dgram, seqpacket)",
	AT(creds),
};

/* ---- control data ---- */

void fdrx_parse(struct fdrx *rx, const unsigned char *ctl, size_t len, int msg_flags)
{
	memset(rx, 0, sizeof(*rx));
	rx->ctrunc = (msg_flags & MSG_CTRUNC) != 0;
	size_t off = 0;
	/* By offsets and copies, not CMSG_NXTHDR: the lengths are checked
	 * before they are used, and nothing is read unaligned. */
	while (ctl && len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		memcpy(&h, ctl + off, sizeof(h));
		if (h.cmsg_len < CMSG_LEN(0) || h.cmsg_len > len - off) {
			rx->bad++;
			break;
		}
		const unsigned char *data = ctl + off + CMSG_LEN(0);
		size_t dlen = h.cmsg_len - CMSG_LEN(0);
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			for (size_t k = 0; k + sizeof(int) <= dlen; k += sizeof(int)) {
				if (rx->nfds == FDRX_SLOTS) {
					rx->lost++;
					continue;
				}
				memcpy(&rx->fds[rx->nfds++], data + k, sizeof(int));
			}
		} else if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_CREDENTIALS &&
			   dlen >= sizeof(struct ucred)) {
			memcpy(&rx->cred, data, sizeof(rx->cred));
			rx->creds = true;
		} else {
			rx->bad++;
		}
		size_t step = CMSG_ALIGN(h.cmsg_len);
		if (step > len - off)
			break;
		off += step;
	}
}

void fdrx_close(struct fdrx *rx)
{
	for (size_t i = 0; i < rx->nfds; i++)
		if (rx->fds[i] >= 0)
			close(rx->fds[i]);
	rx->nfds = 0;
}

ssize_t fdrx_recv(int fd, char *buf, size_t cap, bool creds, struct fdrx *rx)
{
	union {
		unsigned char b[FDRX_CBUF];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf.b,
			     .msg_controllen = CMSG_SPACE(sizeof(int) * FDRX_WANT) +
					       (creds ? CMSG_SPACE(sizeof(struct ucred)) : 0) };
	ssize_t n = recvmsg(fd, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC);
	if (n < 0) {
		memset(rx, 0, sizeof(*rx));
		return n;
	}
	fdrx_parse(rx, cbuf.b, mh.msg_controllen, mh.msg_flags);
	return n;
}

/* ---- what a descriptor is ---- */

struct flag_name {
	int bit;
	const char *name;
};

/* The kernel's O_LARGEFILE, which 64-bit glibc defines as 0. */
#if defined(__x86_64__) || defined(__i386__)
#define KERNEL_O_LARGEFILE 0100000
#elif defined(__aarch64__)
#define KERNEL_O_LARGEFILE 0400000
#else
#define KERNEL_O_LARGEFILE O_LARGEFILE
#endif

void fd_flags_name(int fl, char *buf, size_t len)
{
	static const struct flag_name names[] = {
		{ O_APPEND, "O_APPEND" },       { O_NONBLOCK, "O_NONBLOCK" }, { O_SYNC, "O_SYNC" },
		{ O_DSYNC, "O_DSYNC" },         { O_DIRECT, "O_DIRECT" },     { O_NOATIME, "O_NOATIME" },
		{ O_PATH, "O_PATH" },           { O_ASYNC, "O_ASYNC" },       { KERNEL_O_LARGEFILE, "O_LARGEFILE" },
		{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	};
	int acc = fl & O_ACCMODE;
	size_t n = (size_t)snprintf(buf, len, "%s",
				    acc == O_RDONLY   ? "O_RDONLY"
				    : acc == O_WRONLY ? "O_WRONLY"
				    : acc == O_RDWR   ? "O_RDWR"
						      : "O_ACCMODE");
	/* O_SYNC includes O_DSYNC's bit: it comes first and takes both. */
	int rest = fl & ~O_ACCMODE;
	for (size_t i = 0; i < ARRAY_SIZE(names) && n < len; i++) {
		if (names[i].bit && (rest & names[i].bit) == names[i].bit) {
			n += (size_t)snprintf(buf + n, len - n, "|%s", names[i].name);
			rest &= ~names[i].bit;
		}
	}
	if (rest && n < len)
		snprintf(buf + n, len - n, "|0x%x", (unsigned)rest);
}

void fd_seals_name(int seals, char *buf, size_t len)
{
	static const struct flag_name names[] = {
		{ F_SEAL_SHRINK, "shrink" },
		{ F_SEAL_GROW, "grow" },
		{ F_SEAL_WRITE, "write" },
		{ F_SEAL_SEAL, "seal" },
	};
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names) && n < len; i++)
		if (seals & names[i].bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "", names[i].name);
	if (n == 0)
		snprintf(buf, len, "none");
}

/* --read-fd: the first line of what fd reads, from offset 0 with pread
 * (the offset belongs to the open file description the sender shares:
 * pread leaves it where it was); a pipe or socket, which has no offset,
 * is read as it stands, for at most 100 ms. */
static void read_first_line(int fd, struct fd_desc *d)
{
	ssize_t n = pread(fd, d->line, FDRX_LINE, 0);
	if (n < 0 && errno == ESPIPE) {
		struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
		int r = poll(&p, 1, 100);
		if (r == 0) {
			snprintf(d->err, sizeof(d->err), "nothing to read within 100 ms");
			return;
		}
		n = r < 0 ? -1 : read(fd, d->line, FDRX_LINE);
	}
	if (n < 0) {
		snprintf(d->err, sizeof(d->err), "cannot read: %s", strerror(errno));
		return;
	}
	d->read = true;
	const char *nl = memchr(d->line, '\n', (size_t)n);
	d->line_len = nl ? (size_t)(nl - d->line) : (size_t)n;
	d->line[d->line_len] = '\0';
}

void fd_describe(int fd, bool read_line, struct fd_desc *d)
{
	char link[64];
	memset(d, 0, sizeof(*d));
	d->fd = fd;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, d->target, sizeof(d->target) - 1);
	if (n < 0)
		snprintf(d->target, sizeof(d->target), "? (%s: %s)", link, strerror(errno));
	else
		d->target[n] = '\0';
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		snprintf(d->flags, sizeof(d->flags), "? (F_GETFL: %s)", strerror(errno));
	else
		fd_flags_name(fl, d->flags, sizeof(d->flags));
	int fdfl = fcntl(fd, F_GETFD);
	d->cloexec = fdfl >= 0 && (fdfl & FD_CLOEXEC);
	if (read_line)
		read_first_line(fd, d);
}

/* ---- memfd ---- */

int memfd_take(struct ctx *ctx, int fd, uint64_t max, struct memfd_view *v, char *err, size_t elen)
{
	struct stat st;
	memset(v, 0, sizeof(*v));
	v->seals = xs_get_seals(ctx, fd);
	if (v->seals < 0) {
		snprintf(err, elen, "not a memfd (F_GET_SEALS: %s)", strerror(errno));
		return -1;
	}
	if ((v->seals & FDRX_SEALS_NEEDED) != FDRX_SEALS_NEEDED) {
		char s[64];
		fd_seals_name(v->seals, s, sizeof(s));
		snprintf(err, elen,
			 "a memfd sealed %s, not against shrink, grow and write: its sender could change it "
			 "while we read it",
			 s);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, elen, "fstat: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size > max) {
		snprintf(err, elen, "a memfd of %lld bytes, more than the %llu this consumer takes (--size)",
			 (long long)st.st_size, (unsigned long long)max);
		return -1;
	}
	v->len = (size_t)st.st_size;
	if (v->len == 0) {
		v->p = "";
		return 0;
	}
	v->map = xs_mmap_ro(ctx, v->len, fd);
	if (v->map == MAP_FAILED) {
		v->map = NULL;
		snprintf(err, elen, "mmap %zu bytes: %s", v->len, strerror(errno));
		return -1;
	}
	v->p = v->map;
	return 0;
}

void memfd_release(struct memfd_view *v)
{
	if (v->map)
		munmap(v->map, v->len);
	v->map = NULL;
}

int memfd_make(const char *buf, size_t len)
{
	int fd = memfd_create("ipcdemo", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, len, NULL) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
