/* SPDX-License-Identifier: MIT */
/* 'ipcdemo ls': its arguments (types and a directory), its columns (the
 * lsipc(1) model: a table of columns, -o to choose them, --raw and
 * --noheadings), the text table through libsmartcols and the JSON lines. */
#include <dirent.h>
#include <libsmartcols.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipcdemo/complete.h"
#include "ipcdemo/help.h"
#include "ipcdemo/output.h"
#include "ipcdemo/tools.h"
#include "ipcdemo/util.h"
#include "objects_int.h"

enum col {
	COL_TYPE,
	COL_NAME,
	COL_ID,
	COL_OWNER,
	COL_UID,
	COL_MODE,
	COL_SIZE,
	COL_MESSAGES,
	COL_PIDS,
	COL_LSPID,
	COL_LRPID,
	COL_IPCDEMO,
	COL_NOTE,
	COL__MAX
};

struct col_def {
	const char *name;
	const char *help;
	double whint; /* libsmartcols' width hint: >= 1 columns, < 1 a part of the width */
	int flags;    /* SCOLS_FL_* */
};

static const struct col_def cols[COL__MAX] = {
	[COL_TYPE] = { .name = "TYPE", .help = "kind of object (the type words)", .whint = 6, .flags = 0 },
	[COL_NAME] = { .name = "NAME",
		       .help = "POSIX name, System V key, path, @abstract or ADDR:PORT",
		       .whint = 0.3,
		       .flags = SCOLS_FL_NOEXTREMES },
	[COL_ID] = { .name = "ID", .help = "System V id (msqid, for ipcrm -q)", .whint = 4, .flags = SCOLS_FL_RIGHT },
	[COL_OWNER] = { .name = "OWNER", .help = "owner's user name", .whint = 5, .flags = 0 },
	[COL_UID] = { .name = "UID", .help = "owner's uid", .whint = 4, .flags = SCOLS_FL_RIGHT },
	[COL_MODE] = { .name = "MODE", .help = "permission bits, octal", .whint = 4, .flags = 0 },
	[COL_SIZE] = { .name = "SIZE",
		       .help = "bytes (queued, or the object's size)",
		       .whint = 4,
		       .flags = SCOLS_FL_RIGHT },
	[COL_MESSAGES] = { .name = "MESSAGES", .help = "messages queued", .whint = 4, .flags = SCOLS_FL_RIGHT },
	[COL_PIDS] = { .name = "PIDS",
		       .help = "processes holding it open, mapped or bound (PID/COMMAND)",
		       .whint = 0.2,
		       .flags = 0 },
	[COL_LSPID] = { .name = "LSPID",
			.help = "System V queue: pid of the last sender",
			.whint = 5,
			.flags = SCOLS_FL_RIGHT },
	[COL_LRPID] = { .name = "LRPID",
			.help = "System V queue: pid of the last receiver",
			.whint = 5,
			.flags = SCOLS_FL_RIGHT },
	[COL_IPCDEMO] = { .name = "IPCDEMO",
			  .help = "whether 'ipcdemo clean' would remove it",
			  .whint = 3,
			  .flags = 0 },
	[COL_NOTE] = { .name = "NOTE",
		       .help = "what else is known (in use, not a ring, ...)",
		       .whint = 0.2,
		       .flags = SCOLS_FL_TRUNC },
};

static const enum col default_cols[] = { COL_TYPE, COL_NAME,     COL_ID,   COL_OWNER,   COL_MODE,
					 COL_SIZE, COL_MESSAGES, COL_PIDS, COL_IPCDEMO, COL_NOTE };

/* At most this many columns in -o (a column may come twice). */
#define COLS_MAX 32
/* A PIDS cell: this long at most, then "...". */
#define PIDS_MAX 1024

/* ---- the options ---- */

static const struct opt_def ls_opt_output = {
	.name = "output",
	.short_name = 'o',
	.type = OPT_STRING,
	.arg = "LIST",
	.help = "the columns, comma-separated (+LIST: after the default ones)",
	.offset = offsetof(struct ls_opts, output),
};
static const struct opt_def ls_opt_raw = {
	.name = "raw",
	.short_name = 'r',
	.type = OPT_FLAG,
	.help = "unaligned: one space between cells, blanks within a cell as \\x20",
	.offset = offsetof(struct ls_opts, raw),
};
static const struct opt_def ls_opt_noheadings = {
	.name = "noheadings",
	.short_name = 'n',
	.type = OPT_FLAG,
	.help = "no header line, and no line when there is nothing",
	.offset = offsetof(struct ls_opts, noheadings),
};

static const struct opt_def *const ls_opt_defs[] = { &ls_opt_output, &ls_opt_raw, &ls_opt_noheadings, NULL };

const struct opt_scope ls_opt_scope = {
	.defs = ls_opt_defs,
	.size = sizeof(struct ls_opts),
};

const struct verb_opt ls_opts[] = {
	{ .def = &ls_opt_output },
	{ .def = &ls_opt_raw },
	{ .def = &ls_opt_noheadings },
	{ .id = OP_JSON, .help = "one JSON object per object" },
	{ .id = OP_QUIET, .help = "no notes about what could not be listed" },
	OPT_LIST_END,
};

static const struct ls_opts *ls_opts_of(const struct ctx *ctx)
{
	return ctx->mopt;
}

/* The columns of -o LIST into v; their number, or -1 after a diagnostic. */
static int parse_cols(const struct ctx *ctx, const char *list, enum col *v)
{
	int n = 0;
	if (list[0] == '+') {
		for (size_t i = 0; i < sizeof(default_cols) / sizeof(default_cols[0]); i++)
			v[n++] = default_cols[i];
		list++;
	}
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		if (len == 0) { /* "a,,b", "a,": nothing between */
			p++;
			continue;
		}
		int found = -1;
		for (int c = 0; c < COL__MAX && found < 0; c++)
			if (strlen(cols[c].name) == len && strncasecmp(cols[c].name, p, len) == 0)
				found = c;
		if (found < 0) {
			msg_usage(ctx->prog, "unknown column '%.*s' (see --help for the columns)", (int)len, p);
			return -1;
		}
		if (n == COLS_MAX) {
			msg_usage(ctx->prog, "more than %d columns", COLS_MAX);
			return -1;
		}
		v[n++] = (enum col)found;
		p += len + (p[len] == ',');
	}
	if (n == 0) {
		msg_usage(ctx->prog, "no column in '%s'", list);
		return -1;
	}
	return n;
}

/* The arguments: type words, and at most one directory. */
static int parse_args(const struct ctx *ctx, const char **types, const char **dir)
{
	size_t nt = 0;
	*dir = NULL;
	for (int i = 0; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (objects_kind_of_type(a)) {
			types[nt++] = a;
			continue;
		}
		if (*dir)
			return msg_usage(ctx->prog,
					 "too many arguments (at most one DIRECTORY besides the types; "
					 "'%s' and '%s' are not types)",
					 *dir, a);
		*dir = a;
	}
	types[nt] = NULL;
	return 0;
}

/* ---- the cells ---- */

static void num_cell(char *buf, size_t len, long long v)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%lld", v);
}

static void pids_cell(const struct objlist *l, const struct obj *p, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < p->holders; i++) {
		const struct holder *h = &l->h[p->holder0 + i];
		int w = snprintf(buf + used, len - used, "%s%ld/%s", i ? "," : "", (long)h->pid,
				 h->comm[0] ? h->comm : "?");
		if (w < 0 || (size_t)w >= len - used) {
			snprintf(buf + (len > 4 ? len - 4 : 0), len > 4 ? 4 : len, "...");
			return;
		}
		used += (size_t)w;
	}
	if (p->holders == 0)
		snprintf(buf, len, "-");
}

/* The text of column c for object p, in buf. */
static const char *cell(const struct objlist *l, const struct obj *p, enum col c, char *buf, size_t len)
{
	switch (c) {
	case COL_TYPE:
		return p->kind->type;
	case COL_NAME:
		objects_printable(buf, len, p->name);
		return buf;
	case COL_ID:
		num_cell(buf, len, p->kind->id_shown ? p->id : -1);
		return buf;
	case COL_OWNER:
		if (p->uid == OBJ_NO_UID)
			return "-";
		objects_owner(p->uid, buf, len);
		return buf;
	case COL_UID:
		num_cell(buf, len, p->uid == OBJ_NO_UID ? -1 : (long long)p->uid);
		return buf;
	case COL_MODE:
		if (p->mode == OBJ_NO_MODE)
			return "-";
		snprintf(buf, len, "%04o", (unsigned)p->mode);
		return buf;
	case COL_SIZE:
		num_cell(buf, len, p->size);
		return buf;
	case COL_MESSAGES:
		num_cell(buf, len, p->messages);
		return buf;
	case COL_PIDS:
		pids_cell(l, p, buf, len);
		return buf;
	case COL_LSPID:
	case COL_LRPID:
		num_cell(buf, len, !p->msg_pids ? -1 : c == COL_LSPID ? p->lspid : p->lrpid);
		return buf;
	case COL_IPCDEMO:
		return p->ours ? "yes" : "no";
	case COL_NOTE: {
		const char *note = objects_note(p, buf, len);
		return note ? note : "";
	}
	case COL__MAX:
		break;
	}
	return "";
}

/* ---- the printers ---- */

static int ls_table(const struct ctx *ctx, const struct objlist *l, const enum col *cv, int nc)
{
	const struct ls_opts *o = ls_opts_of(ctx);
	struct libscols_table *tb = scols_new_table();
	char buf[PIDS_MAX > PATH_MAX ? PIDS_MAX : PATH_MAX];
	int rc = tb ? 0 : -1;
	/* No blanks after the last cell with something in it. */
	if (rc == 0 && scols_table_enable_minout(tb, 1) != 0)
		rc = -1;
	if (rc == 0 && ((o->raw && scols_table_enable_raw(tb, 1) != 0) ||
			(o->noheadings && scols_table_enable_noheadings(tb, 1) != 0)))
		rc = -1;
	for (int j = 0; rc == 0 && j < nc; j++)
		if (!scols_table_new_column(tb, cols[cv[j]].name, cols[cv[j]].whint, cols[cv[j]].flags))
			rc = -1;
	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		for (int j = 0; ln && rc == 0 && j < nc; j++)
			rc = scols_line_set_data(ln, (size_t)j, cell(l, &l->v[i], cv[j], buf, sizeof(buf)));
		if (!ln)
			rc = -1;
	}
	if (rc == 0)
		rc = scols_print_table(tb);
	scols_unref_table(tb);
	if (rc != 0) {
		msg_syserr(ctx->prog, "print the table");
		return EXIT_FAIL;
	}
	if (l->n == 0 && !o->raw && !o->noheadings) {
		/* libsmartcols prints no header for a table without lines. */
		for (int j = 0; j < nc; j++)
			printf("%s%s", j ? " " : "", cols[cv[j]].name);
		printf("\nno IPC objects\n");
	}
	return EXIT_OK;
}

static void json_holders(struct out *o, const struct objlist *l, const struct obj *p)
{
	out_array_open(o, "holders");
	for (size_t i = 0; i < p->holders; i++) {
		const struct holder *h = &l->h[p->holder0 + i];
		out_object_open(o, NULL);
		out_i64(o, PRINT_JSON, "pid", NULL, h->pid);
		if (h->comm[0])
			out_string(o, PRINT_JSON, "command", NULL, h->comm);
		else
			out_null(o, "command");
		out_object_close(o);
	}
	out_array_close(o);
}

static void json_count(struct out *o, const char *key, long long v)
{
	if (v >= 0)
		out_u64(o, PRINT_JSON, key, NULL, (uint64_t)v);
	else
		out_null(o, key);
}

/* One JSON object per object. */
static void ls_json(const struct objlist *l)
{
	struct out o;
	char nbuf[OBJ_NOTE_MAX];
	out_init(&o, stdout, true);
	for (size_t i = 0; i < l->n; i++) {
		const struct obj *p = &l->v[i];
		char owner[64], mode[8];
		objects_owner(p->uid, owner, sizeof(owner));
		snprintf(mode, sizeof(mode), "%04o", (unsigned)p->mode);
		out_open(&o);
		out_string(&o, PRINT_JSON, "type", NULL, p->kind->type);
		out_string(&o, PRINT_JSON, "name", NULL, p->name);
		if (p->uid != OBJ_NO_UID) {
			out_string(&o, PRINT_JSON, "owner", NULL, owner);
			out_u64(&o, PRINT_JSON, "uid", NULL, p->uid);
		} else {
			out_null(&o, "owner");
			out_null(&o, "uid");
		}
		if (p->mode != OBJ_NO_MODE)
			out_string(&o, PRINT_JSON, "mode", NULL, mode);
		else
			out_null(&o, "mode");
		json_count(&o, "bytes", p->size);
		json_count(&o, "messages", p->messages);
		json_holders(&o, l, p);
		if (p->msg_pids) {
			out_i64(&o, PRINT_JSON, "lspid", NULL, p->lspid);
			out_i64(&o, PRINT_JSON, "lrpid", NULL, p->lrpid);
		}
		if (p->id >= 0 && p->kind->id_name)
			out_i64(&o, PRINT_JSON, p->kind->id_name, NULL, p->id);
		out_bool(&o, PRINT_JSON, "ipcdemo", NULL, p->ours);
		const char *note = objects_note(p, nbuf, sizeof(nbuf));
		if (note)
			out_string(&o, PRINT_JSON, "note", NULL, note);
		out_close(&o);
	}
}

/* An explicit directory must be one even when no kind of the filter
 * lists files. */
static int check_dir(const struct ctx *ctx, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		msg_syserr(ctx->prog, "open directory %s", dir);
		return EXIT_FAIL;
	}
	closedir(d);
	return 0;
}

int ls_run(struct ctx *ctx)
{
	enum col cv[COLS_MAX];
	int nc = (int)(sizeof(default_cols) / sizeof(default_cols[0]));
	memcpy(cv, default_cols, sizeof(default_cols));
	const char *out = ls_opts_of(ctx)->output;
	if (out && (nc = parse_cols(ctx, out, cv)) < 0)
		return EXIT_USAGE;
	const char **types = calloc((size_t)ctx->argc + 1, sizeof(*types));
	const char *dir;
	if (!types) {
		msg_syserr(ctx->prog, "allocate memory");
		return EXIT_FAIL;
	}
	int rc = parse_args(ctx, types, &dir);
	if (rc == 0 && dir)
		rc = check_dir(ctx, dir);
	struct objlist l = { 0 };
	if (rc == 0)
		rc = objects_collect(ctx, &l, dir ? dir : ".", types[0] ? types : NULL);
	if (rc == 0 && ctx->opt.json)
		ls_json(&l);
	else if (rc == 0)
		rc = ls_table(ctx, &l, cv, nc);
	objects_free(&l);
	free(types);
	return rc;
}

/* ---- help and completion ---- */

/* The type words, as the kinds are listed. */
static void each_type(void (*fn)(const struct mech_objects *k, void *arg), void *arg)
{
	for (size_t i = 0; mechanisms[i]; i++)
		if (mechanisms[i]->objects)
			fn(mechanisms[i]->objects, arg);
}

struct type_list {
	char text[256];
	size_t len;
};

static void help_type(const struct mech_objects *k, void *arg)
{
	struct type_list *l = arg;
	if (l->len < sizeof(l->text)) {
		int n = snprintf(l->text + l->len, sizeof(l->text) - l->len, " %s", k->type);
		l->len += n > 0 ? (size_t)n : 0;
	}
}

void ls_help_args(FILE *fp, const struct verb *v)
{
	struct type_list types = { .text = "TYPE, to list only objects of these types:", .len = 0 };
	char head[256];
	int width = help_width(fp), len = snprintf(head, sizeof(head), "Columns (-o, default:");
	(void)v;
	types.len = strlen(types.text);
	each_type(help_type, &types);
	fputc('\n', fp);
	help_wrap(fp, width, 0, 0, types.text);
	fprintf(fp, "(a directory named as a type: ./NAME)\n\n");
	for (size_t i = 0; i < sizeof(default_cols) / sizeof(default_cols[0]); i++)
		if (len >= 0 && (size_t)len < sizeof(head))
			len += snprintf(head + len, sizeof(head) - (size_t)len, "%s%s", i ? "," : " ",
					cols[default_cols[i]].name);
	if (len >= 0 && (size_t)len < sizeof(head))
		snprintf(head + len, sizeof(head) - (size_t)len, "):");
	help_wrap(fp, width, 0, 0, head);
	int column = help_column(width, 9);
	for (int c = 0; c < COL__MAX; c++)
		help_row(fp, width, column, cols[c].name, cols[c].help);
}

struct type_match {
	const char *cur;
	bool print;
	size_t n;
};

static void complete_type(const struct mech_objects *k, void *arg)
{
	struct type_match *m = arg;
	char desc[64];
	if (strncmp(k->type, m->cur, strlen(m->cur)) != 0)
		return;
	m->n++;
	snprintf(desc, sizeof(desc), "only %s", k->plural);
	if (m->print)
		complete_candidate(m->cur, k->type, desc);
}

/* A word that begins as a type word is completed as one, or as a
 * directory; any other (and an empty one) as a directory. */
void ls_complete(const struct verb *v, const char *cur)
{
	struct type_match m = { .cur = cur, .print = true, .n = 0 };
	if (cur[0]) {
		complete_group("types", "object type");
		each_type(complete_type, &m);
	}
	complete_dirs(v, cur);
}
