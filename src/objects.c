/* SPDX-License-Identifier: MIT */
/* 'ipcdemo ls' and 'ipcdemo clean': the IPC objects that exist now, and
 * removal of the ones ipcdemo made (by the rule in ipcdemo(1), CLEANING UP).
 * The generic part: each mechanism that makes named objects finds,
 * describes, judges and removes them through its hooks (obj_hooks.h);
 * this walks the registry, collects, sorts, prints and cleans. */
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

#include "ipcdemo/fsobj.h"
#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/output.h"
#include "ipcdemo/tools.h"
#include "ipcdemo/util.h"

/* Room for a note with what the collector adds to it. */
#define NOTE_MAX 160

struct objlist {
	struct obj_out out; /* first: the scans' handle on the list */
	struct obj *v;
	size_t n, cap;
	const struct mech_objects *kind; /* of the scan running */
};

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
 * a process has it open. One pass over every process's descriptors. */
static int mark_in_use(struct ctx *ctx, struct objlist *l)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].kind->open_in_use;
	if (n == 0)
		return 0;
	struct fsobj_open *v = calloc(n, sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind->open_in_use)
			v[k++] = (struct fsobj_open){ .dev = l->v[i].dev, .ino = l->v[i].ino };
	bool unknown = fsobj_find_open(v, n) < 0;
	if (unknown && !ctx->opt.quiet) {
		int e = errno;
		char what[128];
		open_kinds(what, sizeof(what));
		msg_warn(ctx->prog, "cannot tell which %s are open: /proc: %s; keeping them", what, strerror(e));
	}
	k = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct obj *o = &l->v[i];
		if (!o->kind->open_in_use)
			continue;
		if (unknown || v[k].open) {
			o->use = unknown ? "may be in use" : "in use";
			o->busy = o->ours;
			o->ours = false;
		}
		k++;
	}
	free(v);
	return 0;
}

/* The note shown: the kind's, then whether it is in use. */
static const char *obj_note(const struct obj *p, char *buf, size_t len)
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

/* Everything there is, sorted by kind and name. Returns 0, or the exit status. */
static int collect(struct ctx *ctx, struct objlist *l)
{
	const char *dir = ctx->argc > 0 ? ctx->argv[0] : ".";
	const struct mech_objects *k;
	size_t at = SIZE_MAX;
	int r = 0;
	l->out.add = obj_add;
	while (r == 0 && (k = next_kind(&at)) != NULL)
		r = scan_kind(ctx, l, k, dir);
	if (r == 0) {
		drop_claimed(l);
		r = mark_in_use(ctx, l);
	}
	if (r == -1) {
		msg_syserr(ctx->prog, "allocate memory");
		return EXIT_FAIL;
	}
	if (r == -2)
		return EXIT_FAIL;
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), obj_cmp);
	return 0;
}

static void owner_name(uid_t uid, char *buf, size_t len)
{
	const struct passwd *pw = getpwuid(uid);
	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", (unsigned)uid);
}

/* A name for the text table: control characters (a newline in a file
 * name) shown as '?', as ls(1) does on a terminal. */
static void printable(char *dst, size_t len, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < len; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[i] = '\0';
}

static void num(char *buf, size_t len, long long v)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%lld", v);
}

/* The table of 'ls', column widths from the data. */
static void ls_text(const struct objlist *l)
{
	int wn = 4, wo = 5;
	char owner[64], nbuf[NOTE_MAX];
	for (size_t i = 0; i < l->n; i++) {
		owner_name(l->v[i].uid, owner, sizeof(owner));
		if ((int)strlen(l->v[i].name) > wn)
			wn = (int)strlen(l->v[i].name);
		if ((int)strlen(owner) > wo)
			wo = (int)strlen(owner);
	}
	if (l->n)
		printf("%-6s  %-*s  %-*s  %-4s  %10s  %8s  %-7s  %s\n", "TYPE", wn, "NAME", wo, "OWNER", "MODE", "SIZE",
		       "MESSAGES", "IPCDEMO", "NOTE");
	for (size_t i = 0; i < l->n; i++) {
		const struct obj *p = &l->v[i];
		char sz[24], msgs[24];
		owner_name(p->uid, owner, sizeof(owner));
		num(sz, sizeof(sz), p->size);
		num(msgs, sizeof(msgs), p->messages);
		char name[PATH_MAX];
		printable(name, sizeof(name), p->name);
		printf("%-6s  %-*s  %-*s  %04o  %10s  %8s  ", p->kind->type, wn, name, wo, owner, (unsigned)p->mode, sz,
		       msgs);
		const char *note = obj_note(p, nbuf, sizeof(nbuf));
		if (note)
			printf("%-7s  %s\n", p->ours ? "yes" : "no", note);
		else
			printf("%s\n", p->ours ? "yes" : "no");
	}
}

/* One JSON object per object. */
static void ls_json(const struct objlist *l)
{
	struct out o;
	char nbuf[NOTE_MAX];
	out_init(&o, stdout, true);
	for (size_t i = 0; i < l->n; i++) {
		const struct obj *p = &l->v[i];
		char owner[64], mode[8];
		owner_name(p->uid, owner, sizeof(owner));
		snprintf(mode, sizeof(mode), "%04o", (unsigned)p->mode);
		out_open(&o);
		out_string(&o, PRINT_JSON, "type", NULL, p->kind->type);
		out_string(&o, PRINT_JSON, "name", NULL, p->name);
		out_string(&o, PRINT_JSON, "owner", NULL, owner);
		out_u64(&o, PRINT_JSON, "uid", NULL, p->uid);
		out_string(&o, PRINT_JSON, "mode", NULL, mode);
		if (p->size >= 0)
			out_u64(&o, PRINT_JSON, "bytes", NULL, (uint64_t)p->size);
		else
			out_null(&o, "bytes");
		if (p->messages >= 0)
			out_u64(&o, PRINT_JSON, "messages", NULL, (uint64_t)p->messages);
		else
			out_null(&o, "messages");
		if (p->id >= 0 && p->kind->id_name)
			out_i64(&o, PRINT_JSON, p->kind->id_name, NULL, p->id);
		out_bool(&o, PRINT_JSON, "ipcdemo", NULL, p->ours);
		const char *note = obj_note(p, nbuf, sizeof(nbuf));
		if (note)
			out_string(&o, PRINT_JSON, "note", NULL, note);
		out_close(&o);
	}
}

int ls_run(struct ctx *ctx)
{
	struct objlist l = { 0 };
	int rc = collect(ctx, &l);
	if (rc) {
		free(l.v);
		return rc;
	}
	if (ctx->opt.json)
		ls_json(&l);
	else
		ls_text(&l);
	free(l.v);
	return EXIT_OK;
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
	int rc = collect(ctx, &l);
	if (rc) {
		free(l.v);
		return rc;
	}
	struct out o;
	size_t found = 0;
	out_init(&o, stdout, ctx->opt.json);
	for (size_t i = 0; i < l.n; i++) {
		const struct obj *p = &l.v[i];
		if (p->busy && !ctx->opt.quiet) {
			char name[PATH_MAX];
			printable(name, sizeof(name), p->name);
			char nbuf[NOTE_MAX];
			msg_warn(ctx->prog, "keeping %s %s: %s", p->kind->type, name, obj_note(p, nbuf, sizeof(nbuf)));
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
		printable(name, sizeof(name), p->name);
		out_string(&o, PRINT_TEXT, "name", "%s", name);
		out_string(&o, PRINT_JSON, "name", NULL, p->name);
		out_close(&o);
	}
	if (found == 0 && !ctx->opt.quiet)
		msg_warn(ctx->prog, "nothing of ipcdemo's to remove");
	free(l.v);
	return rc;
}

const struct verb_opt ls_opts[] = {
	{ .id = OP_JSON, .help = "one JSON object per object" },
	{ .id = OP_QUIET, .help = "no notes about what could not be listed" },
	OPT_LIST_END,
};

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
