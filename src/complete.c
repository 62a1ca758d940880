/* SPDX-License-Identifier: MIT */
/* Completion candidates, from the tables: mechanisms, verbs, options not
 * given yet, option values, the objects that exist now for the option
 * that names them; a verb's positional arguments through its complete
 * hook. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcdemo/complete.h"
#include "ipcdemo/obj_hooks.h"
#include "ipcdemo/util.h"

/* The options before the first word (ipcdemo --help, --version). */
static const struct opt_def top_help = {
	.name = "help",
	.short_name = 'h',
	.type = OPT_FLAG,
	.help = "show help",
};
static const struct opt_def top_version = {
	.name = "version",
	.short_name = 'V',
	.type = OPT_FLAG,
	.help = "show the version",
};
static const char *const color_words[] = { "auto", "always", "never", NULL };
/* --color alone means always: a value only after '='. */
static const struct opt_def top_color = {
	.name = "color",
	.type = OPT_CHOICE,
	.arg = "WHEN",
	.help = "colour: auto (on a terminal, unless NO_COLOR is set), always or never",
	.choices = color_words,
};
static const struct verb_opt top_opts[] = {
	{ .def = &top_help },
	{ .def = &top_version },
	{ .def = &top_color },
	OPT_LIST_END,
};

void complete_candidate(const char *cur, const char *word, const char *desc)
{
	if (strncmp(word, cur, strlen(cur)) == 0)
		printf("%s\t%s\n", word, desc ? desc : "");
}

void complete_group(const char *tag, const char *label)
{
	if (getenv("IPCDEMO_COMPLETE_GROUPS"))
		printf("__group__\t%s\t%s\n", tag, label);
}

static void cand(const char *cur, const char *word, const char *desc)
{
	complete_candidate(cur, word, desc);
}

void complete_files(const struct verb *v, const char *cur)
{
	(void)v;
	(void)cur;
	printf("__files__\n");
}

void complete_dirs(const struct verb *v, const char *cur)
{
	(void)v;
	(void)cur;
	printf("__dirs__\n");
}

static const struct opt_def *find_long(const struct verb_opt *list, const char *name, size_t len)
{
	return verb_opt_find_long(list, name, len);
}

static const struct opt_def *find_short(const struct verb_opt *list, char c)
{
	return verb_opt_find_short(list, c);
}

/* What the words before the one being typed hold: how many positional
 * arguments, and which options, how many times each. */
#define SEEN_MAX 64
struct words_seen {
	int args;
	bool help;
	size_t n;
	const struct opt_def *opt[SEEN_MAX];
	unsigned times[SEEN_MAX];
};

static void seen_add(struct words_seen *s, const struct opt_def *d)
{
	for (size_t k = 0; k < s->n; k++)
		if (s->opt[k] == d) {
			s->times[k]++;
			return;
		}
	if (s->n < SEEN_MAX) {
		s->opt[s->n] = d;
		s->times[s->n++] = 1;
	}
}

static unsigned seen_times(const struct words_seen *s, const struct opt_def *d)
{
	for (size_t k = 0; k < s->n; k++)
		if (s->opt[k] == d)
			return s->times[k];
	return 0;
}

/* A short cluster ("-qj", "-pPATH", "-p" PATH): its options; returns
 * how many words its value takes after it (0 or 1). */
static int seen_short(const struct verb_opt *list, const char *w, struct words_seen *s)
{
	for (const char *p = w + 1; *p; p++) {
		const struct opt_def *d = find_short(list, *p);
		if (!d) {
			s->help |= *p == 'h';
			continue;
		}
		seen_add(s, d);
		if (d->type != OPT_FLAG)
			return p[1] == '\0';
	}
	return 0;
}

/* Read words[from..to-1] as the option parser would. */
static void scan_words(const struct verb_opt *list, char **words, int from, int to, struct words_seen *s)
{
	*s = (struct words_seen){ .args = 0 };
	for (int i = from; i < to; i++) {
		const char *w = words[i];
		if (w[0] != '-' || w[1] == '\0') {
			s->args++;
		} else if (w[1] == '-') {
			size_t len = strcspn(w + 2, "=");
			const struct opt_def *d = find_long(list, w + 2, len);
			s->help |= strcmp(w, "--help") == 0;
			if (d)
				seen_add(s, d);
			if (d && d->type != OPT_FLAG && w[2 + len] != '=')
				i++;
		} else {
			i += seen_short(list, w, s);
		}
	}
}

/* May the option be given once more? A repeatable one up to its most. */
static bool may_give(const struct opt_def *d, const struct words_seen *s)
{
	unsigned most = 1;
	if (d->type == OPT_LIST)
		most = d->max ? (unsigned)d->max : OPT_LIST_MAX;
	return seen_times(s, d) < most;
}

/* The options of list not given yet, long ones and, when cur is a short
 * option being typed ("-", "-p"), short ones; --help unless given. */
static void offer_options(const struct verb_opt *list, const char *cur, const struct words_seen *s, bool help)
{
	char buf[64];
	bool shorts = cur[0] == '-' && cur[1] != '-';
	complete_group("options", "option");
	verb_opt_for_each (vo, list) {
		const struct opt_def *d = verb_opt_def(vo);
		if (!may_give(d, s))
			continue;
		snprintf(buf, sizeof(buf), "--%s", d->name);
		cand(cur, buf, verb_opt_help(vo));
		if (shorts && d->short_name) {
			snprintf(buf, sizeof(buf), "-%c", d->short_name);
			cand(cur, buf, verb_opt_help(vo));
		}
	}
	if (help && !s->help) {
		cand(cur, "--help", "show help");
		if (shorts)
			cand(cur, "-h", "show help");
	}
}

void complete_options(const struct verb *v, const char *cur)
{
	struct words_seen none = { .args = 0 };
	offer_options(v->opts, cur, &none, false);
}

/* The names in the directory of path (up to its last '/') that start
 * with what follows it, each printed after before and that directory;
 * a directory's with a '/'. Hidden names only when asked for with a '.'. */
static void complete_path(const char *before, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = path + dlen;
	size_t blen = strlen(base);
	char dir[PATH_MAX];
	if (dlen >= sizeof(dir))
		return;
	if (dlen)
		snprintf(dir, sizeof(dir), "%.*s", (int)dlen, path);
	else
		snprintf(dir, sizeof(dir), ".");
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (strncmp(e->d_name, base, blen) != 0 || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0 || (e->d_name[0] == '.' && base[0] != '.'))
			continue;
		bool isdir = e->d_type == DT_DIR;
		struct stat st;
		if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK)
			isdir = fstatat(dirfd(dp), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
		printf("%s%.*s%s%s\t\n", before, (int)dlen, path, e->d_name, isdir ? "/" : "");
	}
	closedir(dp);
}

/* A value that starts with one of the option's prefixes: the prefixes
 * that match what is typed, or after a prefix that a path follows, the
 * files. prefix is "--opt=" for a value typed in one word with its
 * option, else empty. */
static void complete_prefixes(const struct opt_def *d, const char *prefix, const char *cur)
{
	char buf[256];
	const char *val = cur + strlen(prefix);
	for (const struct opt_prefix *p = d->prefixes; p->text; p++) {
		size_t n = strlen(p->text);
		if (p->path && strncmp(val, p->text, n) == 0) {
			snprintf(buf, sizeof(buf), "%s%s", prefix, p->text);
			complete_path(buf, val + n);
			return;
		}
	}
	for (const struct opt_prefix *p = d->prefixes; p->text; p++) {
		snprintf(buf, sizeof(buf), "%s%s", prefix, p->text);
		cand(cur, buf, NULL);
	}
}

/* The objects of a kind that exist now and whose name starts with what
 * is typed, as the values of the option that names them. */
struct obj_cands {
	struct obj_out out; /* first: the scan's handle */
	const struct mech_objects *kind;
	const char *prefix, *val;
	bool bare;   /* a POSIX name typed without its slash */
	bool path;   /* names are paths: */
	bool hidden; /* and the last part typed starts with a '.' */
};

static int obj_cand(struct obj_out *out, const struct obj *o)
{
	const struct obj_cands *c = (const struct obj_cands *)(const void *)out;
	const char *name = c->bare && o->name[0] == '/' ? o->name + 1 : o->name;
	char desc[64];
	const char *last = c->path && strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	if (strncmp(name, c->val, strlen(c->val)) != 0 || (c->path && last[0] == '.' && !c->hidden))
		return 0;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0; /* a name no shell word can hold as typed */
	if (o->messages >= 0)
		snprintf(desc, sizeof(desc), "existing %s, %lld messages", c->kind->type, o->messages);
	else
		snprintf(desc, sizeof(desc), "existing %s", c->kind->type);
	printf("%s%s\t%s\n", c->prefix, name, desc);
	return 0;
}

/* A path's objects are in the directory being typed (which must be
 * readable: a scan of another says so on stderr); a name's or a key's in
 * their namespace. */
static void complete_objects(const struct mech_objects *k, const struct opt_def *d, const char *prefix, const char *cur)
{
	struct obj_cands c = {
		.out = { .add = obj_cand },
		.kind = k,
		.prefix = prefix,
		.val = cur + strlen(prefix),
	};
	char dir[PATH_MAX] = ".";
	const char *slash = strrchr(c.val, '/');
	if (d->type == OPT_PATH && slash) {
		if ((size_t)(slash - c.val) + 1 >= sizeof(dir))
			return;
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - c.val) + 1, c.val);
	}
	if (d->type == OPT_PATH && access(dir, R_OK | X_OK) != 0)
		return;
	c.bare = d->type != OPT_PATH && c.val[0] && c.val[0] != '/';
	c.path = d->type == OPT_PATH;
	c.hidden = (slash ? slash[1] : c.val[0]) == '.';
	struct ctx ctx = { .prog = "ipcdemo", .opt = { .quiet = true } };
	char label[96];
	snprintf(label, sizeof(label), "existing %s", k->plural);
	complete_group("objects", label);
	k->scan(&ctx, dir, &c.out);
}

/* The value of option d (of a verb of m, or NULL) being typed in cur;
 * prefix is "--opt=" for a value typed in one word with its option, else
 * empty. */
static void complete_value(const struct mechanism *m, const struct opt_def *d, const char *prefix, const char *cur)
{
	char buf[256];
	const struct mech_objects *k = m ? m->objects : NULL;
	if (k && k->option && strcmp(k->option, d->name) == 0) {
		complete_objects(k, d, prefix, cur);
		if (d->type == OPT_PATH)
			printf("__dirs__\n");
		return;
	}
	if (d->type == OPT_PATH) {
		printf("__files__\n");
		return;
	}
	snprintf(buf, sizeof(buf), "value of --%s", d->name);
	complete_group("values", buf);
	if (d->prefixes) {
		complete_prefixes(d, prefix, cur);
		return;
	}
	if (d->type != OPT_CHOICE)
		return;
	for (int i = 0; d->choices[i]; i++) {
		snprintf(buf, sizeof(buf), "%s%s", prefix, d->choices[i]);
		cand(cur, buf, NULL);
	}
}

/* The option a word ending before the one being typed leaves waiting
 * for its value ("--lock", "-p", "-qp"), or NULL. */
static const struct opt_def *wants_value(const struct verb_opt *list, const char *w)
{
	if (w[0] != '-' || w[1] == '\0')
		return NULL;
	const struct opt_def *d = NULL;
	if (w[1] == '-') {
		d = strchr(w, '=') ? NULL : find_long(list, w + 2, strlen(w + 2));
	} else {
		for (const char *p = w + 1; *p && !d; p++) {
			d = find_short(list, *p);
			if (d && d->type != OPT_FLAG && p[1] != '\0')
				return NULL; /* "-pPATH": the value is in the word */
			if (d && d->type == OPT_FLAG)
				d = NULL;
		}
	}
	return d && d->type != OPT_FLAG ? d : NULL;
}

/* Is --explain among words[from..pos-1] (a mechanism's verbs take it
 * without listing it)? */
static bool explain_given(char **words, int from, int pos)
{
	for (int i = from; i < pos; i++)
		if (strncmp(words[i], "--explain", 9) == 0 && (words[i][9] == '\0' || words[i][9] == '='))
			return true;
	return false;
}

/* The word being typed after a verb's (v, of m or a top-level command)
 * words[from..pos-1]; words[pos] is cur. */
static void complete_verb_word(const struct mechanism *m, const struct verb *v, char **words, int from, int pos)
{
	const char *cur = words[pos];
	/* After "--" every word is an argument: nothing to complete. */
	for (int i = from; i < pos; i++)
		if (strcmp(words[i], "--") == 0)
			return;
	const struct opt_def *pd = pos > from ? wants_value(v->opts, words[pos - 1]) : NULL;
	if (pd) {
		complete_value(m, pd, "", cur);
		return;
	}
	if (cur[0] == '-' && cur[1] == '-' && strchr(cur, '=')) {
		const char *eq = strchr(cur, '=');
		const struct opt_def *d = find_long(v->opts, cur + 2, (size_t)(eq - cur - 2));
		if (d) {
			char prefix[64];
			snprintf(prefix, sizeof(prefix), "%.*s", (int)(eq - cur + 1), cur);
			complete_value(m, d, prefix, cur);
		}
		return;
	}
	struct words_seen s;
	scan_words(v->opts, words, from, pos, &s);
	if (cur[0] == '-') {
		offer_options(v->opts, cur, &s, true);
		if (m && !explain_given(words, from, pos))
			cand(cur, "--explain", opt_common(OP_EXPLAIN)->help);
	} else if (v->complete && (v->max_args <= 0 || s.args < v->max_args)) {
		/* The verb's hook completes its next argument; a verb that takes
		 * none may offer its options there ('list' offers --json). */
		if (v->complete == complete_options) {
			offer_options(v->opts, cur, &s, false);
			return;
		}
		complete_group("arguments", "argument");
		v->complete(v, cur);
	}
}

/* The first word: a mechanism or a command, or an option of ipcdemo's
 * own not given yet (words[0..pos-1]). */
static void complete_first(const struct verb *commands, char **words, int pos)
{
	const char *cur = words[pos];
	if (cur[0] == '-') {
		struct words_seen s;
		scan_words(top_opts, words, 0, pos, &s);
		offer_options(top_opts, cur, &s, false);
		return;
	}
	complete_group("mechanisms", "mechanism");
	for (size_t i = 0; mechanisms[i]; i++)
		cand(cur, mechanisms[i]->name, mechanisms[i]->summary);
	complete_group("commands", "command");
	for (const struct verb *v = commands; v->name; v++)
		if (!verb_hidden(v))
			cand(cur, v->name, v->summary);
}

int complete_words(const struct verb *commands, int argc, char **argv)
{
	/* argv[0..argc-1]: the words after "ipcdemo"; the last is being typed. */
	if (argc < 1)
		return EXIT_OK;
	/* ipcdemo's own options come first; --help and --version end the line. */
	int at = 0, pos = argc - 1;
	while (at < pos && argv[at][0] == '-' && argv[at][1]) {
		struct words_seen s;
		scan_words(top_opts, argv, at, at + 1, &s);
		if (s.n == 0 || seen_times(&s, &top_help) || seen_times(&s, &top_version))
			return EXIT_OK; /* unknown, or nothing comes after it */
		const struct opt_def *d = wants_value(top_opts, argv[at]);
		if (d == &top_color)
			d = NULL; /* its value only after '=' */
		if (d && at + 1 == pos) {
			complete_value(NULL, d, "", argv[pos]);
			return EXIT_OK;
		}
		at += d ? 2 : 1;
	}
	char **words = argv + at;
	pos -= at;
	const char *cur = words[pos];
	if (pos == 0 && cur[0] == '-' && cur[1] == '-' && strchr(cur, '=')) {
		const char *eq = strchr(cur, '=');
		const struct opt_def *d = find_long(top_opts, cur + 2, (size_t)(eq - cur - 2));
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(eq - cur + 1), cur);
		if (d)
			complete_value(NULL, d, prefix, cur);
		return EXIT_OK;
	}
	if (pos == 0) {
		complete_first(commands, argv, at);
		return EXIT_OK;
	}
	const struct verb *v = NULL;
	for (const struct verb *c = commands; c->name && !v; c++)
		if (!verb_hidden(c) && strcmp(c->name, words[0]) == 0)
			v = c;
	if (v) {
		complete_verb_word(NULL, v, words, 1, pos);
		return EXIT_OK;
	}
	const struct mechanism *m = mechanism_find(words[0]);
	if (!m)
		return EXIT_OK;
	if (pos == 1) {
		complete_group("verbs", "verb");
		for (const struct verb *mv = m->verbs; mv->name; mv++)
			cand(cur, mv->name, mv->summary);
		if (cur[0] == '-') {
			complete_group("options", "option");
			cand(cur, "--help", "show help");
			if (cur[1] != '-')
				cand(cur, "-h", "show help");
		}
		return EXIT_OK;
	}
	v = verb_find(m, words[1]);
	if (v)
		complete_verb_word(m, v, words, 2, pos);
	return EXIT_OK;
}
