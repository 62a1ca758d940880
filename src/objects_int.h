/* SPDX-License-Identifier: MIT */
/* What the parts of 'ipcdemo ls' and 'clean' share: the list of objects
 * the collector (objects.c) makes, the processes holding them
 * (objholders.c), and the helpers of the printers (objects_ls.c). */
#ifndef IPCDEMO_OBJECTS_INT_H
#define IPCDEMO_OBJECTS_INT_H

#include <stddef.h>
#include <sys/types.h>

#include "ipcdemo/mechanism.h"
#include "ipcdemo/obj_hooks.h"

/* A process that holds an object: has it open, has it mapped, or is
 * bound to it. */
struct holder {
	pid_t pid;
	uid_t uid;     /* the owner of /proc/PID; OBJ_NO_UID: unknown */
	char comm[17]; /* /proc/PID/comm, control characters as '?'; "" unknown */
};

struct objlist {
	struct obj_out out; /* first: the scans' handle on the list */
	struct obj *v;
	size_t n, cap;
	const struct mech_objects *kind; /* of the scan running */
	struct holder *h;                /* obj.holder0 .. + obj.holders index it */
	size_t nh;
	int holders_errno; /* 0, or why the processes could not be read */
};

/* Everything there is in the system's namespaces and in dir, of the kinds
 * whose type is in types (NULL: every kind), sorted by kind and name, with
 * their holders. Returns 0, or the exit status after a diagnostic. */
int objects_collect(struct ctx *ctx, struct objlist *l, const char *dir, const char *const *types);
void objects_free(struct objlist *l);

/* Fill l->h and each object's holder0/holders from every process's
 * /proc/PID/fd (and maps for the mapped kinds), and the binders the kinds
 * found. 0; -1 with errno when memory ran out; -2 with errno when /proc
 * cannot be read (no object has holders then). */
int objects_find_holders(struct objlist *l);

/* Does the kind of one of mechanisms have this type? */
const struct mech_objects *objects_kind_of_type(const char *type);

/* Room for a note with what the collector adds to it. */
#define OBJ_NOTE_MAX 160
/* The note shown: the kind's, then whether it is in use. */
const char *objects_note(const struct obj *p, char *buf, size_t len);
/* A name for text: control characters shown as '?', as ls(1) does. */
void objects_printable(char *dst, size_t len, const char *src);
/* The user's name, or the uid in decimal. */
void objects_owner(uid_t uid, char *buf, size_t len);

#endif
