/* SPDX-License-Identifier: MIT */
/* The built-in help texts, all generated from the tables, wrapped to the
 * width of the terminal they are read on. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ipcdemo/help.h"

/* Narrower than this, nothing fits anyway; wider, lines are hard to read. */
#define HELP_MIN_WIDTH 20
#define HELP_MAX_WIDTH 1000

int help_width(FILE *fp)
{
	const char *c = getenv("COLUMNS");
	if (c && *c) {
		char *end;
		long v = strtol(c, &end, 10);
		if (*end == '\0' && v > 0)
			return v < HELP_MIN_WIDTH ? HELP_MIN_WIDTH : v > HELP_MAX_WIDTH ? HELP_MAX_WIDTH : (int)v;
	}
	struct winsize ws;
	if (ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col < HELP_MIN_WIDTH ? HELP_MIN_WIDTH : ws.ws_col;
	return 80;
}

/* The columns n bytes of UTF-8 take (one per character). */
static int text_cols(const char *s, size_t n)
{
	int cols = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			cols++;
	return cols;
}

void help_wrap(FILE *fp, int width, int col, int indent, const char *text)
{
	const char *p = text;
	bool first = true;
	while (*p) {
		const char *ws = p;
		while (*p && isspace((unsigned char)*p))
			p++;
		bool para = false;
		for (const char *q = ws; q < p; q++)
			if (q[0] == '\n' && q + 1 < p && memchr(q + 1, '\n', (size_t)(p - q - 1)))
				para = true;
		if (!*p)
			break;
		size_t len = strcspn(p, " \t\n");
		int cols = text_cols(p, len);
		if (para && !first) {
			fprintf(fp, "\n\n%*s", indent, "");
			col = indent;
		} else if (!first && col + 1 + cols > width) {
			fprintf(fp, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', fp);
			col++;
		}
		fwrite(p, 1, len, fp);
		col += cols;
		p += len;
		first = false;
	}
	fputc('\n', fp);
}

void help_row(FILE *fp, int width, int column, const char *name, const char *text)
{
	int n = fprintf(fp, "  %s", name);
	if (n + 2 > column) {
		fprintf(fp, "\n%*s", column, "");
	} else {
		fprintf(fp, "%*s", column - n, "");
	}
	help_wrap(fp, width, column, column, text);
}

int help_column(int width, int widest)
{
	int column = 2 + widest + 2;
	int room = width / 2 < 40 ? width / 2 : 40;
	if (column > width - room)
		column = width - room;
	return column < 8 ? 8 : column;
}

/* "head usage", its continuation lines indented under the command. */
static void print_usage(FILE *fp, int width, const char *head, const char *usage)
{
	int col = fprintf(fp, "%s ", head);
	help_wrap(fp, width, col, 8, usage);
}

void print_main_help(FILE *fp, const struct mechanism *const *mechs, const struct verb *commands)
{
	char head[64];
	int width = help_width(fp);
	print_usage(fp, width, "Usage: ipcdemo", "MECHANISM VERB [options] [arguments]");
	for (const struct verb *v = commands; v->name; v++)
		if (!verb_hidden(v)) {
			snprintf(head, sizeof(head), "       ipcdemo %s", v->name);
			print_usage(fp, width, head, v->usage);
		}
	fputc('\n', fp);
	help_wrap(fp, width, 0, 0, "See and measure how Linux processes talk to each other.");
	fprintf(fp, "\nMechanisms:\n");
	int column = help_column(width, 12);
	for (size_t i = 0; mechs[i]; i++)
		help_row(fp, width, column, mechs[i]->name, mechs[i]->summary);
	fprintf(fp, "\nCommands:\n");
	for (const struct verb *v = commands; v->name; v++)
		if (!verb_hidden(v))
			help_row(fp, width, column, v->name, v->summary);
	fprintf(fp, "\nOptions:\n");
	column = help_column(width, 20);
	help_row(fp, width, column, "-h, --help", "show this help and exit");
	help_row(fp, width, column, "-V, --version", "show the version and exit");
	help_row(fp, width, column, "    --color[=WHEN]",
		 "colour errors, warnings and the demo's labels: auto (the default: on a terminal, unless NO_COLOR "
		 "is set), always (also with NO_COLOR) or never");
	fputc('\n', fp);
	help_wrap(fp, width, 0, 0,
		  "These options go before the mechanism or command. Run 'ipcdemo MECHANISM --help' for its verbs and "
		  "'ipcdemo MECHANISM VERB --help' for their options; those go after the verb. Every mechanism has a "
		  "'demo' verb, e.g. 'ipcdemo fifo demo'.");
	fputc('\n', fp);
	help_wrap(fp, width, 0, 0,
		  "Exit status: 0 success, 1 operation failed, 2 usage error, 3 --verify found lost, duplicated or "
		  "reordered messages, 4 --timeout expired with nothing received.");
}

/* A summary as a sentence: capital first letter, full stop. */
static void print_sentence(FILE *fp, int width, const char *s)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%c%s.", toupper((unsigned char)s[0]), s + 1);
	help_wrap(fp, width, 0, 0, buf);
}

void print_mechanism_help(FILE *fp, const struct mechanism *m)
{
	char buf[256];
	int width = help_width(fp);
	snprintf(buf, sizeof(buf), "Usage: ipcdemo %s", m->name);
	print_usage(fp, width, buf, "VERB [options] [arguments]");
	fputc('\n', fp);
	print_sentence(fp, width, m->summary);
	if (m->description) {
		fputc('\n', fp);
		help_wrap(fp, width, 0, 0, m->description);
	}
	fprintf(fp, "\nVerbs:\n");
	int column = help_column(width, 10);
	for (const struct verb *v = m->verbs; v->name; v++)
		help_row(fp, width, column, v->name, v->summary);
	snprintf(buf, sizeof(buf),
		 "Run 'ipcdemo %s VERB --help' for a verb's options, 'ipcdemo help %s' for the manual.", m->name,
		 m->name);
	fputc('\n', fp);
	help_wrap(fp, width, 0, 0, buf);
}

static void opt_label(char *buf, size_t len, const struct opt_def *d)
{
	char sh[8] = "    ";
	if (d->short_name)
		snprintf(sh, sizeof(sh), "-%c, ", d->short_name);
	if (d->type == OPT_FLAG)
		snprintf(buf, len, "%s--%s", sh, d->name);
	else if (d->type == OPT_LEVEL)
		snprintf(buf, len, "%s--%s[=%s]", sh, d->name, d->arg);
	else
		snprintf(buf, len, "%s--%s %s", sh, d->name, d->arg);
}

void print_verb_help(FILE *fp, const struct mechanism *m, const struct verb *v)
{
	char label[64], buf[128];
	int widest = 0, width = help_width(fp);
	if (m)
		snprintf(buf, sizeof(buf), "Usage: ipcdemo %s %s", m->name, v->name);
	else
		snprintf(buf, sizeof(buf), "Usage: ipcdemo %s", v->name);
	print_usage(fp, width, buf, v->usage);
	fputc('\n', fp);
	print_sentence(fp, width, v->summary);
	if (v->description) {
		fputc('\n', fp);
		help_wrap(fp, width, 0, 0, v->description);
	}
	if (v->help_args)
		v->help_args(fp, v);
	fprintf(fp, "\nOptions:\n");
	verb_opt_for_each (vo, v->opts) {
		opt_label(label, sizeof(label), verb_opt_def(vo));
		if ((int)strlen(label) > widest)
			widest = (int)strlen(label);
	}
	/* A mechanism's verbs take --explain without listing it. */
	const struct opt_def *explain = m ? opt_common(OP_EXPLAIN) : NULL;
	if (explain) {
		opt_label(label, sizeof(label), explain);
		if ((int)strlen(label) > widest)
			widest = (int)strlen(label);
	}
	int column = help_column(width, widest);
	verb_opt_for_each (vo, v->opts) {
		opt_label(label, sizeof(label), verb_opt_def(vo));
		help_row(fp, width, column, label, verb_opt_help(vo));
	}
	if (explain) {
		opt_label(label, sizeof(label), explain);
		help_row(fp, width, column, label, explain->help);
	}
	help_row(fp, width, column, "-h, --help", "show this help and exit");
	fputc('\n', fp);
	snprintf(buf, sizeof(buf), "See 'ipcdemo help%s%s' for the manual.", m ? " " : "", m ? m->name : "");
	help_wrap(fp, width, 0, 0, buf);
}
