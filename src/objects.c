/* SPDX-License-Identifier: MIT */
/* 'ipcdemo ls' and 'ipcdemo clean': the IPC objects that exist now, and
 * removal of the ones ipcdemo made (by the rule in ipcdemo(1), CLEANING UP). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "ipcdemo/fsobj.h"
#include "ipcdemo/output.h"
#include "ipcdemo/queue.h"
#include "ipcdemo/ring.h"
#include "ipcdemo/sock.h"
#include "ipcdemo/tools.h"
#include "ipcdemo/util.h"

#define MQ_DIR "/dev/mqueue"
#define MQUEUE_MAGIC 0x19800202 /* statfs f_type of the mqueue file system */
#define SHM_DIR "/dev/shm"
#define SYSV_MSG "/proc/sysvipc/msg"

enum obj_type { OBJ_MQ, OBJ_SHM, OBJ_SYSV, OBJ_FIFO, OBJ_SOCKET, OBJ_FILE };
static const char *const type_names[] = { "mq", "shm", "sysv", "fifo", "socket", "file" };

struct obj {
	enum obj_type type;
	char name[PATH_MAX];
	uid_t uid;
	mode_t mode;
	long long size;     /* bytes; -1: not applicable */
	long long messages; /* -1: not applicable or unknown */
	int msqid;
	dev_t dev;          /* FIFOs and files: to find who has them open */
	ino_t ino;
	bool ours;          /* 'ipcdemo clean' removes it */
	bool busy;          /* ours, but in use: kept */
	const char *note;
};

struct objlist {
	struct obj *v;
	size_t n, cap;
};

static struct obj *obj_add(struct objlist *l)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		struct obj *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return NULL;
		l->v = nv;
		l->cap = nc;
	}
	struct obj *o = &l->v[l->n++];
	memset(o, 0, sizeof(*o));
	o->size = o->messages = -1;
	o->msqid = -1;
	return o;
}

/* ipcdemo's POSIX names: "ipcdemo" alone or followed by '-'. */
static bool ipcdemo_name(const char *name)
{
	return strncmp(name, "ipcdemo", 7) == 0 && (name[7] == '\0' || name[7] == '-');
}

static int scan_mq(struct ctx *ctx, struct objlist *l)
{
	struct statfs sf;
	int sfr = statfs(MQ_DIR, &sf);
	if (sfr < 0 && errno != ENOENT) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "POSIX message queues not listed: %s: %s", MQ_DIR, strerror(errno));
		return 0;
	}
	if (sfr < 0 || sf.f_type != MQUEUE_MAGIC) {
		/* A bare directory is not the queues: nothing would be listed. */
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "POSIX message queues not listed: %s is not mounted "
					    "(mount -t mqueue none %s)",
				 MQ_DIR, MQ_DIR);
		return 0;
	}
	DIR *d = opendir(MQ_DIR);
	struct dirent *e;
	if (!d) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "POSIX message queues not listed: %s: %s", MQ_DIR, strerror(errno));
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		struct obj *o = obj_add(l);
		if (!o)
			goto oom;
		o->type = OBJ_MQ;
		snprintf(o->name, sizeof(o->name), "/%s", e->d_name);
		o->uid = st.st_uid;
		o->mode = st.st_mode & 07777;
		o->size = mq_qsize(o->name);
		mqd_t m = mq_open(o->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (m != (mqd_t)-1) {
			struct mq_attr a;
			if (mq_getattr(m, &a) == 0)
				o->messages = a.mq_curmsgs;
			mq_close(m);
		}
		o->ours = ipcdemo_name(e->d_name) && st.st_uid == geteuid();
	}
	closedir(d);
	return 0;
oom:
	closedir(d);
	return -1;
}

static int scan_shm(struct ctx *ctx, struct objlist *l)
{
	DIR *d = opendir(SHM_DIR);
	struct dirent *e;
	if (!d) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "POSIX shared memory not listed: %s: %s", SHM_DIR, strerror(errno));
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		/* sem.NAME are POSIX named semaphores, not shared memory objects. */
		if (e->d_name[0] == '.' || strncmp(e->d_name, "sem.", 4) == 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		struct obj *o = obj_add(l);
		if (!o) {
			closedir(d);
			return -1;
		}
		o->type = OBJ_SHM;
		snprintf(o->name, sizeof(o->name), "/%s", e->d_name);
		o->uid = st.st_uid;
		o->mode = st.st_mode & 07777;
		o->size = (long long)st.st_size;
		struct ring_peek rp;
		bool ring = ring_peek(o->name, &rp);
		if (ring && !rp.note)
			o->messages = (long long)rp.messages;
		o->ours = ring && ipcdemo_name(e->d_name) && st.st_uid == geteuid();
		o->note = ring ? rp.note : "not an ipcdemo ring";
	}
	closedir(d);
	return 0;
}

static int scan_sysv(struct ctx *ctx, struct objlist *l)
{
	FILE *fp = fopen(SYSV_MSG, "re");
	char line[512];
	if (!fp) {
		if (!ctx->opt.quiet)
			msg_warn(ctx->prog, "System V queues not listed: %s: %s", SYSV_MSG, strerror(errno));
		return 0;
	}
	/* key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid ... */
	if (!fgets(line, sizeof(line), fp)) {
		fclose(fp);
		return 0;
	}
	while (fgets(line, sizeof(line), fp)) {
		long long key, cbytes, qnum;
		int id, lspid, lrpid;
		unsigned perms, uid, gid, cuid;
		if (sscanf(line, "%lld %d %o %lld %lld %d %d %u %u %u", &key, &id, &perms, &cbytes, &qnum, &lspid,
			   &lrpid, &uid, &gid, &cuid) != 10)
			continue;
		struct obj *o = obj_add(l);
		if (!o) {
			fclose(fp);
			return -1;
		}
		unsigned k = (unsigned)(int)key;
		o->type = OBJ_SYSV;
		snprintf(o->name, sizeof(o->name), "0x%08x", k);
		o->uid = uid;
		o->mode = (mode_t)perms & 0777;
		o->size = cbytes;
		o->messages = qnum;
		o->msqid = id;
		o->ours = (k & SYSV_KEY_MASK) == SYSV_KEY_BASE && (uid == geteuid() || cuid == geteuid());
	}
	fclose(fp);
	return 0;
}

static int scan_dir(struct ctx *ctx, struct objlist *l, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d) {
		msg_syserr(ctx->prog, "open directory %s", dir);
		return -2;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		char path[PATH_MAX];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (strcmp(dir, ".") == 0)
			snprintf(path, sizeof(path), "%s", e->d_name);
		else
			snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		enum obj_type t;
		bool ours = false;
		const char *note = NULL;
		if (S_ISFIFO(st.st_mode)) {
			t = OBJ_FIFO;
			ours = strcmp(e->d_name, "pipe.fifo") == 0;
		} else if (S_ISSOCK(st.st_mode)) {
			t = OBJ_SOCKET;
			int live = sock_path_live(path);
			if (live == 1)
				note = "in use";
			ours = strcmp(e->d_name, "ipc.sock") == 0 && live == 0;
		} else if (S_ISREG(st.st_mode)) {
			bool marked = fsobj_marked(path);
			if (!marked && strcmp(e->d_name, "storage") != 0)
				continue;
			t = OBJ_FILE;
			ours = marked;
			if (!marked)
				note = "not marked as ipcdemo's";
		} else {
			continue;
		}
		struct obj *o = obj_add(l);
		if (!o) {
			closedir(d);
			return -1;
		}
		o->type = t;
		snprintf(o->name, sizeof(o->name), "%s", path);
		o->uid = st.st_uid;
		o->mode = st.st_mode & 07777;
		o->dev = st.st_dev;
		o->ino = st.st_ino;
		if (t == OBJ_FILE)
			o->size = (long long)st.st_size;
		o->ours = ours && st.st_uid == geteuid();
		o->note = note;
	}
	closedir(d);
	return 0;
}

static bool file_like(const struct obj *o)
{
	return o->type == OBJ_FIFO || o->type == OBJ_FILE;
}

/* A FIFO or a storage file that a process has open is in use, as a socket
 * that a process is bound to: a consumer waiting on a FIFO whose name is
 * removed waits for ever. One pass over every process's descriptors. */
static int mark_in_use(struct ctx *ctx, struct objlist *l)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < l->n; i++)
		n += file_like(&l->v[i]);
	if (n == 0)
		return 0;
	struct fsobj_open *v = calloc(n, sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if (file_like(&l->v[i]))
			v[k++] = (struct fsobj_open){ .dev = l->v[i].dev, .ino = l->v[i].ino };
	bool unknown = fsobj_find_open(v, n) < 0;
	if (unknown && !ctx->opt.quiet)
		msg_warn(ctx->prog, "cannot tell which FIFOs and files are open: /proc: %s; keeping them",
			 strerror(errno));
	k = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct obj *o = &l->v[i];
		if (!file_like(o))
			continue;
		if (unknown || v[k].open) {
			o->busy = o->ours;
			o->ours = false;
			if (!o->note)
				o->note = unknown ? "may be in use" : "in use";
			else
				o->note = unknown ? "not marked as ipcdemo's, may be in use"
						  : "not marked as ipcdemo's, in use";
		}
		k++;
	}
	free(v);
	return 0;
}

/* Checked again just before removal: a consumer may have opened it since. */
static bool open_now(const struct obj *p)
{
	struct fsobj_open v = { .dev = p->dev, .ino = p->ino };
	return fsobj_find_open(&v, 1) < 0 || v.open;
}

static int obj_cmp(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;
	if (x->type != y->type)
		return (int)x->type - (int)y->type;
	return strcmp(x->name, y->name);
}

/* Everything there is, sorted by type and name. Returns 0, or the exit status. */
static int collect(struct ctx *ctx, struct objlist *l)
{
	const char *dir = ctx->argc > 0 ? ctx->argv[0] : ".";
	int r = scan_mq(ctx, l);
	if (r == 0)
		r = scan_shm(ctx, l);
	if (r == 0)
		r = scan_sysv(ctx, l);
	if (r == 0)
		r = scan_dir(ctx, l, dir);
	if (r == 0)
		r = mark_in_use(ctx, l);
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

int ls_run(struct ctx *ctx)
{
	struct objlist l = { 0 };
	int rc = collect(ctx, &l);
	if (rc) {
		free(l.v);
		return rc;
	}
	struct out o;
	out_init(&o, stdout, ctx->opt.json);
	if (!ctx->opt.json) {
		/* Column widths from the data. */
		int wn = 4, wo = 5;
		char owner[64];
		for (size_t i = 0; i < l.n; i++) {
			owner_name(l.v[i].uid, owner, sizeof(owner));
			if ((int)strlen(l.v[i].name) > wn)
				wn = (int)strlen(l.v[i].name);
			if ((int)strlen(owner) > wo)
				wo = (int)strlen(owner);
		}
		if (l.n)
			printf("%-6s  %-*s  %-*s  %-4s  %10s  %8s  %-7s  %s\n", "TYPE", wn, "NAME", wo, "OWNER", "MODE",
			       "SIZE", "MESSAGES", "IPCDEMO", "NOTE");
		for (size_t i = 0; i < l.n; i++) {
			const struct obj *p = &l.v[i];
			char sz[24], msgs[24];
			owner_name(p->uid, owner, sizeof(owner));
			num(sz, sizeof(sz), p->size);
			num(msgs, sizeof(msgs), p->messages);
			char name[PATH_MAX];
			printable(name, sizeof(name), p->name);
			printf("%-6s  %-*s  %-*s  %04o  %10s  %8s  ", type_names[p->type], wn, name, wo, owner,
			       (unsigned)p->mode, sz, msgs);
			if (p->note)
				printf("%-7s  %s\n", p->ours ? "yes" : "no", p->note);
			else
				printf("%s\n", p->ours ? "yes" : "no");
		}
	} else {
		for (size_t i = 0; i < l.n; i++) {
			const struct obj *p = &l.v[i];
			char owner[64], mode[8];
			owner_name(p->uid, owner, sizeof(owner));
			snprintf(mode, sizeof(mode), "%04o", (unsigned)p->mode);
			out_open(&o);
			out_string(&o, PRINT_JSON, "type", NULL, type_names[p->type]);
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
			if (p->msqid >= 0)
				out_i64(&o, PRINT_JSON, "msqid", NULL, p->msqid);
			out_bool(&o, PRINT_JSON, "ipcdemo", NULL, p->ours);
			if (p->note)
				out_string(&o, PRINT_JSON, "note", NULL, p->note);
			out_close(&o);
		}
	}
	free(l.v);
	return EXIT_OK;
}

static int remove_obj(struct ctx *ctx, const struct obj *p)
{
	switch (p->type) {
	case OBJ_MQ:
		if (mq_unlink(p->name) < 0 && errno != ENOENT) {
			msg_syserr(ctx->prog, "mq_unlink %s", p->name);
			return -1;
		}
		return 0;
	case OBJ_SHM:
		if (shm_unlink(p->name) < 0 && errno != ENOENT) {
			msg_syserr(ctx->prog, "shm_unlink %s", p->name);
			return -1;
		}
		return 0;
	case OBJ_SYSV:
		if (msgctl(p->msqid, IPC_RMID, NULL) < 0 && errno != EINVAL && errno != EIDRM) {
			msg_syserr(ctx->prog, "remove System V queue %s", p->name);
			return -1;
		}
		return 0;
	case OBJ_FIFO:
		if (open_now(p)) {
			msg_warn(ctx->prog, "not removing %s: a process has it open now", p->name);
			return -1;
		}
		return fsobj_unlink(ctx, p->name, S_IFIFO);
	case OBJ_SOCKET:
		/* Checked again just before: a producer may have started since. */
		if (sock_path_live(p->name) != 0) {
			msg_warn(ctx->prog, "not removing %s: a process is bound to it now", p->name);
			return -1;
		}
		return fsobj_unlink(ctx, p->name, S_IFSOCK);
	case OBJ_FILE:
		if (open_now(p)) {
			msg_warn(ctx->prog, "not removing %s: a process has it open now", p->name);
			return -1;
		}
		return fsobj_unlink(ctx, p->name, S_IFREG);
	}
	return -1;
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
			msg_warn(ctx->prog, "keeping %s %s: %s", type_names[p->type], name, p->note);
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
		out_string(&o, PRINT_JSON, "action",
			   NULL, !ok ? "failed" : clean_opts_of(ctx)->dry_run ? "would remove" : "removed");
		out_string(&o, PRINT_ANY, "type", "%s ", type_names[p->type]);
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

const struct verb_opt clean_opts[] = {
	{ .def = &clean_opt_dry_run },
	{ .id = OP_JSON, .help = "one JSON object per object removed" },
	{ .id = OP_QUIET, .help = "print nothing but errors" },
	OPT_LIST_END,
};
