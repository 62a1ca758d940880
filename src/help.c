/* SPDX-License-Identifier: MIT */
/* The built-in help texts, all generated from the tables. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ipcdemo/help.h"

void print_main_help(FILE *fp, const struct mechanism *const *mechs, const struct verb *commands)
{
	fprintf(fp, "Usage: ipcdemo MECHANISM VERB [options] [arguments]\n");
	for (const struct verb *v = commands; v->name; v++)
		if (!verb_hidden(v))
			fprintf(fp, "       ipcdemo %s %s\n", v->name, v->usage);
	fprintf(fp, "\n"
		    "See and measure how Linux processes talk to each other.\n"
		    "\n"
		    "Mechanisms:\n");
	for (size_t i = 0; mechs[i]; i++)
		fprintf(fp, "  %-12s %s\n", mechs[i]->name, mechs[i]->summary);
	fprintf(fp, "\nCommands:\n");
	for (const struct verb *v = commands; v->name; v++)
		if (!verb_hidden(v))
			fprintf(fp, "  %-12s %s\n", v->name, v->summary);
	fprintf(fp, "\nOptions:\n"
		    "  -h, --help     show this help and exit\n"
		    "  -V, --version  show the version and exit\n"
		    "\n"
		    "Run 'ipcdemo MECHANISM --help' for its verbs and 'ipcdemo MECHANISM VERB --help'\n"
		    "for their options. Every mechanism has a 'demo' verb, e.g. 'ipcdemo fifo demo'.\n"
		    "\n"
		    "Exit status: 0 success, 1 operation failed, 2 usage error, 3 --verify found lost,\n"
		    "duplicated or reordered messages, 4 --timeout expired with nothing received.\n");
}

/* A summary as a sentence: capital first letter, full stop. */
static void print_sentence(FILE *fp, const char *s)
{
	fprintf(fp, "%c%s.\n", toupper((unsigned char)s[0]), s + 1);
}

void print_mechanism_help(FILE *fp, const struct mechanism *m)
{
	fprintf(fp, "Usage: ipcdemo %s VERB [options] [arguments]\n\n", m->name);
	print_sentence(fp, m->summary);
	if (m->description)
		fprintf(fp, "\n%s\n", m->description);
	fprintf(fp, "\nVerbs:\n");
	for (const struct verb *v = m->verbs; v->name; v++)
		fprintf(fp, "  %-10s %s\n", v->name, v->summary);
	fprintf(fp, "\nRun 'ipcdemo %s VERB --help' for a verb's options, 'ipcdemo help %s' for the manual.\n", m->name,
		m->name);
}

static void opt_label(char *buf, size_t len, const struct opt_def *d)
{
	char sh[8] = "    ";
	if (d->short_name)
		snprintf(sh, sizeof(sh), "-%c, ", d->short_name);
	if (d->type == OPT_FLAG)
		snprintf(buf, len, "%s--%s", sh, d->name);
	else
		snprintf(buf, len, "%s--%s %s", sh, d->name, d->arg);
}

void print_verb_help(FILE *fp, const struct mechanism *m, const struct verb *v)
{
	char label[64];
	int width = 0;
	if (m)
		fprintf(fp, "Usage: ipcdemo %s %s %s\n\n", m->name, v->name, v->usage);
	else
		fprintf(fp, "Usage: ipcdemo %s %s\n\n", v->name, v->usage);
	print_sentence(fp, v->summary);
	if (v->description)
		fprintf(fp, "\n%s\n", v->description);
	if (v->help_args)
		v->help_args(fp, v);
	fprintf(fp, "\nOptions:\n");
	verb_opt_for_each (vo, v->opts) {
		opt_label(label, sizeof(label), verb_opt_def(vo));
		if ((int)strlen(label) > width)
			width = (int)strlen(label);
	}
	verb_opt_for_each (vo, v->opts) {
		opt_label(label, sizeof(label), verb_opt_def(vo));
		fprintf(fp, "  %-*s  %s\n", width, label, verb_opt_help(vo));
	}
	fprintf(fp, "  %-*s  %s\n", width, "-h, --help", "show this help and exit");
	if (m)
		fprintf(fp, "\nSee 'ipcdemo help %s' for the manual.\n", m->name);
	else
		fprintf(fp, "\nSee 'ipcdemo help' for the manual.\n");
}
