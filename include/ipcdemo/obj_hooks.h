/* SPDX-License-Identifier: MIT */
/* The 'ls' and 'clean' hooks of a mechanism that makes named objects: how
 * to find its objects, describe them, tell whether ipcdemo made them and
 * whether a process uses them, and remove them. src/objects.c walks the
 * registry, collects what the hooks find, sorts, prints and cleans; it
 * names no mechanism. */
#ifndef IPCDEMO_OBJ_HOOKS_H
#define IPCDEMO_OBJ_HOOKS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

struct ctx;

/* An owner or a mode that the system does not keep (a socket that is no
 * file): the owner is then taken from the first process holding it. */
#define OBJ_NO_UID ((uid_t)-1)
#define OBJ_NO_MODE ((mode_t)-1)

/* One object as 'ls' shows it. */
struct obj {
	const struct mech_objects *kind; /* set by the collector */
	char name[PATH_MAX];             /* a POSIX name, a key, a path */
	size_t base;                     /* where the entry's own name starts in name (directory entries) */
	uid_t uid;
	uid_t creator; /* where the system keeps it (System V), else uid */
	mode_t mode;
	long long size;          /* bytes; -1: not applicable */
	long long messages;      /* -1: not applicable or unknown */
	long long id;            /* the kind's id_name (msqid); -1: none */
	dev_t dev;               /* files, sockets: to find who has them open */
	ino_t ino;               /* 0: none (nothing to look for in /proc) */
	bool msg_pids;           /* a queue that keeps its last sender and receiver: */
	pid_t lspid, lrpid;      /* their pids (0: none yet) */
	pid_t binder;            /* a process the kind found holding it (zmq's binder), 0: none */
	int found;               /* the kind's own finding, from describe, for ours */
	bool ours;               /* 'ipcdemo clean' removes it */
	bool busy;               /* ours, but in use: kept */
	const char *note;        /* the kind's, NULL: none */
	char note_buf[48];       /* or the object's own, when note is NULL */
	const char *use;         /* set by the collector: "in use", "may be in use" */
	size_t holder0, holders; /* set by the collector: its processes, in its list */
};

/* Where a scan hands each object it finds (copied). 0, or -1 when memory
 * ran out. */
struct obj_out {
	int (*add)(struct obj_out *out, const struct obj *o);
};

/* Scans return 0, -1 (out of memory: the caller says so) or -2 after a
 * diagnostic (the command fails). A namespace that cannot be read is
 * worth a warning (unless --quiet), not a failure. */
struct mech_objects {
	const char *type;    /* TYPE column and JSON "type": "mq", "fifo" */
	const char *plural;  /* for notes: "FIFOs" */
	int order;           /* kinds are listed (and scanned) in ascending order */
	const char *id_name; /* JSON key of obj.id, NULL: none */
	bool id_shown;       /* obj.id is the ID column (the id ipcrm(1) takes) */
	/* The objects are shared memory that processes map: the collector
	 * looks for them in every /proc/PID/maps too, not only the fds. */
	bool mapped;
	/* The objects are socket files: their holders are those of the
	 * socket bound to each (obj_unix_bound). */
	bool socket_files;
	/* Listed only while a process named ipcdemo holds it (sockets of
	 * the system's that are not ipcdemo's are not listed). */
	bool ipcdemo_held_only;
	/* The long option of the mechanism's verbs whose value names one of
	 * these ("name", "key", "path"): the completions offer the objects
	 * that exist now as its values. NULL: none. */
	const char *option;
	/* Find this kind's objects, in its system-wide namespace or among
	 * the entries of dir (obj_scan_dir), and hand each to out with what
	 * the namespace tells (name, owner, mode, ...). A file (same device
	 * and inode) that a kind listed earlier has found is listed once, by
	 * that kind: it claimed it. */
	int (*scan)(struct ctx *ctx, const char *dir, struct obj_out *out);
	/* Optional: fill in what the scan did not (size, messages, note,
	 * found). */
	void (*describe)(struct obj *o);
	/* Would 'clean' remove it, as far as it is not in use? */
	bool (*ours)(const struct obj *o);
	/* A process that has it open is using it: the collector looks for
	 * it in every /proc/PID/fd (one pass for all such kinds) and keeps
	 * it. */
	bool open_in_use;
	/* Optional, just before removal: NULL, or why it is in use now
	 * ("a process has it open now"); it is kept then. */
	const char *(*in_use)(const struct obj *o);
	/* Remove it: 0 (removed or gone already), -1 after a diagnostic. */
	int (*remove)(struct ctx *ctx, const struct obj *o);
};

/* Helpers for the hooks (src/obj_hooks.c). */

/* ipcdemo's POSIX names: "ipcdemo" alone or followed by '-' (name
 * without its leading slash). */
bool obj_ipcdemo_name(const char *name);

/* Hand to out every entry of dir (not following symbolic links) for which
 * match says yes; match gets o with name (the path as listed), base, uid,
 * mode, dev and ino filled, and may fill more. -2 after a diagnostic when
 * dir cannot be read. */
int obj_scan_dir(struct ctx *ctx, const char *dir, struct obj_out *out,
		 bool (*match)(struct obj *o, const struct stat *st));

/* For in_use: NULL, or "a process has it open now" (also when /proc
 * cannot tell). */
const char *obj_open_now(const struct obj *o);

/* An object with every field blank (size, messages and id -1). */
void obj_blank(struct obj *o);

/* A Unix socket bound to a file: the file (dev, ino), the socket's inode
 * on the socket file system (sino) and its state (10: listening, 7: an
 * unconnected datagram socket). */
struct obj_bound {
	dev_t dev;
	ino_t ino;
	unsigned long long sino;
	unsigned state;
};
/* Hand to fn every Unix socket of the network namespace that is bound to
 * a file and is in one of the states of the mask (1 << state), as the
 * kernel's socket diagnostics (NETLINK_SOCK_DIAG, UDIAG_SHOW_VFS) tell,
 * whatever path it was bound by. 0, or -1 with errno. */
int obj_unix_bound(unsigned states, void (*fn)(void *arg, const struct obj_bound *b), void *arg);

/* The device of the kernel's socket file system, that /proc/PID/fd shows
 * sockets on (their st_dev): 0, or -1 with errno. */
int obj_sockfs_dev(dev_t *dev);

#endif
