/* SPDX-License-Identifier: MIT */
/* 'ipcdemo ls' and 'ipcdemo clean': the IPC objects that exist now, and
 * removal of the ones ipcdemo made (by the rule in ipcdemo(1), CLEANING UP).
 * The generic part: each mechanism that makes named objects finds,
 * describes, judges and removes them through its hooks (obj_hooks.h);
 * this walks the registry, collects, sorts and cleans; objects_ls.c
 * prints. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/output.h"
#include "ipcdemo/tools.h"
#include "ipcdemo/util.h"
#include "objects_int.h"

#define NOTE_MAX OBJ_NOTE_MAX

static int obj_add(struct obj_out *out, const struct obj *src)
{
	struct objlist *l = (struct objlist *)(void *)out;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		struct obj *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = nc;
	}
	struct obj *o = &l->v[l->n++];
	*o = *src;
	o->kind = l->kind;
	return 0;
}

/* The kinds of object in the order of the listing: the one after the
 * kind of mechanisms[*at] (*at SIZE_MAX: the first), or NULL; *at moves
 * on to it. Kinds of equal order come in the registry's order. */
static const struct mech_objects *next_kind(size_t *at)
{
	const struct mech_objects *prev = *at == SIZE_MAX ? NULL : mechanisms[*at]->objects, *best = NULL;
	size_t best_at = 0;
	for (size_t i = 0; mechanisms[i]; i++) {
		const struct mech_objects *k = mechanisms[i]->objects;
		if (!k || (prev && (k->order < prev->order || (k->order == prev->order && i <= *at))))
			continue;
		if (!best || k->order < best->order) {
			best = k;
			best_at = i;
		}
	}
	if (best)
		*at = best_at;
	return best;
}

/* The plurals of the kinds that are in use while open, joined: "As and Bs". */
static void open_kinds(char *buf, size_t len)
{
	size_t m = 0, done = 0, at = SIZE_MAX;
	const struct mech_objects *k;
	while ((k = next_kind(&at)) != NULL)
		m += k->open_in_use;
	buf[0] = '\0';
	at = SIZE_MAX;
	while ((k = next_kind(&at)) != NULL) {
		if (!k->open_in_use)
			continue;
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", done == 0 ? "" : done + 1 == m ? " and " : ", ", k->plural);
		done++;
	}
}

/* An object of a kind that is in use while open (a process waiting on it
 * by its name would wait for ever once the name is removed) is kept while
 * a process has it open (objholders.c found it). */
static void mark_in_use(struct ctx *ctx, struct objlist *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].kind->open_in_use;
	if (n == 0)
		return;
	bool unknown = l->holders_errno != 0;
	if (unknown && !ctx->opt.quiet) {
		char what[128];
		open_kinds(what, sizeof(what));
		msg_warn(ctx->prog, "cannot tell which %s are open: /proc: %s; keeping them", what,
			 strerror(l->holders_errno));
	}
	for (size_t i = 0; i < l->n; i++) {
		struct obj *o = &l->v[i];
		if (!o->kind->open_in_use || (!unknown && o->holders == 0))
			continue;
		o->use = unknown ? "may be in use" : "in use";
		o->busy = o->ours;
		o->ours = false;
	}
}

/* An object whose owner the system does not keep is its first holder's. */
static void owner_from_holders(struct objlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct obj *o = &l->v[i];
		if (o->uid == OBJ_NO_UID && o->holders > 0)
			o->uid = o->creator = l->h[o->holder0].uid;
	}
}

/* The kinds listed only while ipcdemo holds them: the others go. */
static void drop_unheld(struct objlist *l)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct obj *o = &l->v[i];
		bool keep = !o->kind->ipcdemo_held_only;
		for (size_t j = 0; !keep && j < o->holders; j++)
			keep = strcmp(l->h[o->holder0 + j].comm, "ipcdemo") == 0;
		if (!keep)
			continue;
		if (k != i)
			l->v[k] = *o;
		k++;
	}
	l->n = k;
}

const char *objects_note(const struct obj *p, char *buf, size_t len)
{
	const char *note = p->note ? p->note : p->note_buf[0] ? p->note_buf : NULL;
	if (!p->use)
		return note;
	if (!note)
		return p->use;
	snprintf(buf, len, "%s, %s", note, p->use);
	return buf;
}

static int obj_cmp(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;
	if (x->kind->order != y->kind->order)
		return x->kind->order < y->kind->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Run one kind's scan, then describe and judge what it found. */
static int scan_kind(struct ctx *ctx, struct objlist *l, const struct mech_objects *k, const char *dir)
{
	size_t first = l->n;
	l->kind = k;
	int r = k->scan(ctx, dir, &l->out);
	for (size_t i = first; i < l->n; i++) {
		struct obj *o = &l->v[i];
		if (k->describe)
			k->describe(o);
		o->ours = k->ours(o);
	}
	return r;
}

/* By file (device, inode), the kind listed first first. */
static int file_cmp(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->kind->order != y->kind->order)
		return x->kind->order < y->kind->order ? -1 : 1;
	return 0;
}

/* A file that two kinds found is listed once, by the kind listed first
 * (the more particular one, which claimed it). Only files: objects with
 * no inode (ino 0) are never the same, nor are objects of one name in
 * different namespaces. */
static void drop_claimed(struct objlist *l)
{
	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof(*l->v), file_cmp);
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct obj *o = &l->v[i];
		if (k > 0 && o->ino != 0 && o->dev == l->v[k - 1].dev && o->ino == l->v[k - 1].ino &&
		    o->kind != l->v[k - 1].kind)
			continue;
		if (k != i)
			l->v[k] = *o;
		k++;
	}
	l->n = k;
}

static bool wanted(const struct mech_objects *k, const char *const *types)
{
	if (!types)
		return true;
	for (size_t i = 0; types[i]; i++)
		if (strcmp(types[i], k->type) == 0)
			return true;
	return false;
}

static void drop_unwanted(struct objlist *l, const char *const *types)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (!wanted(l->v[i].kind, types))
			continue;
		if (k != i)
			l->v[k] = l->v[i];
		k++;
	}
	l->n = k;
}

const struct mech_objects *objects_kind_of_type(const char *type)
{
	for (size_t i = 0; mechanisms[i]; i++)
		if (mechanisms[i]->objects && strcmp(mechanisms[i]->objects->type, type) == 0)
			return mechanisms[i]->objects;
	return NULL;
}

int objects_collect(struct ctx *ctx, struct objlist *l, const char *dir, const char *const *types)
{
	const struct mech_objects *k;
	size_t at = SIZE_MAX;
	int r = 0;
	l->out.add = obj_add;
	/* Every kind is scanned, those not wanted quietly: one of them may
	 * claim a file that a wanted one would list (zmq, a socket). */
	while (r == 0 && (k = next_kind(&at)) != NULL) {
		bool want = wanted(k, types), quiet = ctx->opt.quiet;
		ctx->opt.quiet = quiet || !want;
		r = scan_kind(ctx, l, k, dir);
		ctx->opt.quiet = quiet;
		if (!want && r == -2)
			r = 0;
	}
	if (r == 0) {
		drop_claimed(l);
		drop_unwanted(l, types);
		if (l->n > 1)
			qsort(l->v, l->n, sizeof(*l->v), obj_cmp);
		r = objects_find_holders(l);
		r = r == -2 ? 0 : r;
	}
	if (r == -1) {
		msg_syserr(ctx->prog, "allocate memory");
		return EXIT_FAIL;
	}
	if (r == -2)
		return EXIT_FAIL;
	mark_in_use(ctx, l);
	drop_unheld(l);
	owner_from_holders(l);
	return 0;
}

void objects_free(struct objlist *l)
{
	free(l->v);
	free(l->h);
	l->v = NULL;
	l->h = NULL;
	l->n = l->nh = 0;
}

void objects_owner(uid_t uid, char *buf, size_t len)
{
	const struct passwd *pw = getpwuid(uid);
	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", (unsigned)uid);
}

void objects_printable(char *dst, size_t len, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < len; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[i] = '\0';
}

static int remove_obj(struct ctx *ctx, const struct obj *p)
{
	const char *why = p->kind->in_use ? p->kind->in_use(p) : NULL;
	if (why) {
		msg_warn(ctx->prog, "not removing %s: %s", p->name, why);
		return -1;
	}
	return p->kind->remove(ctx, p);
}

int clean_run(struct ctx *ctx)
{
	struct objlist l = { 0 };
	int rc = objects_collect(ctx, &l, ctx->argc > 0 ? ctx->argv[0] : ".", NULL);
	if (rc) {
		objects_free(&l);
		return rc;
	}
	struct out o;
	size_t found = 0;
	out_init(&o, stdout, ctx->opt.json);
	for (size_t i = 0; i < l.n; i++) {
		const struct obj *p = &l.v[i];
		if (p->busy && !ctx->opt.quiet) {
			char name[PATH_MAX];
			objects_printable(name, sizeof(name), p->name);
			char nbuf[NOTE_MAX];
			msg_warn(ctx->prog, "keeping %s %s: %s", p->kind->type, name,
				 objects_note(p, nbuf, sizeof(nbuf)));
		}
		if (!p->ours)
			continue;
		found++;
		bool ok = clean_opts_of(ctx)->dry_run || remove_obj(ctx, p) == 0;
		if (!ok)
			rc = EXIT_FAIL;
		if (ctx->opt.quiet && !ctx->opt.json)
			continue;
		out_open(&o);
		if (ok)
			out_string(&o, PRINT_TEXT, "action", "%s ",
				   clean_opts_of(ctx)->dry_run ? "would remove" : "removed");
		else
			out_string(&o, PRINT_TEXT, "action", "%s ", "could not remove");
		out_string(&o, PRINT_JSON, "action", NULL,
			   !ok                           ? "failed"
			   : clean_opts_of(ctx)->dry_run ? "would remove"
							 : "removed");
		out_string(&o, PRINT_ANY, "type", "%s ", p->kind->type);
		char name[PATH_MAX];
		objects_printable(name, sizeof(name), p->name);
		out_string(&o, PRINT_TEXT, "name", "%s", name);
		out_string(&o, PRINT_JSON, "name", NULL, p->name);
		out_close(&o);
	}
	if (found == 0 && !ctx->opt.quiet)
		msg_warn(ctx->prog, "nothing of ipcdemo's to remove");
	objects_free(&l);
	return rc;
}

/* ---- the options of clean ---- */

const struct opt_def clean_opt_dry_run = {
	.name = "dry-run",
	.type = OPT_FLAG,
	.help = "say what would be removed, remove nothing",
	.offset = offsetof(struct clean_opts, dry_run),
};

static const struct opt_def *const clean_opt_defs[] = { &clean_opt_dry_run, NULL };

const struct opt_scope clean_opt_scope = {
	.defs = clean_opt_defs,
	.size = sizeof(struct clean_opts),
};

const struct verb_opt clean_opts[] = {
	{ .def = &clean_opt_dry_run },
	{ .id = OP_JSON, .help = "one JSON object per object removed" },
	{ .id = OP_QUIET, .help = "print nothing but errors" },
	OPT_LIST_END,
};
