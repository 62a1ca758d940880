/* SPDX-License-Identifier: MIT */
/* Colour on a terminal: --color and NO_COLOR (see color.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo/color.h"

int color_mode_parse(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return COLOR_AUTO;
	if (strcmp(s, "always") == 0)
		return COLOR_ALWAYS;
	if (strcmp(s, "never") == 0)
		return COLOR_NEVER;
	return -1;
}

enum color_mode color_mode_env(void)
{
	const char *s = getenv(COLOR_ENV);
	int m = s ? color_mode_parse(s) : -1;
	return m < 0 ? COLOR_AUTO : (enum color_mode)m;
}

bool color_on(enum color_mode m, int fd)
{
	if (m == COLOR_NEVER)
		return false;
	if (m == COLOR_ALWAYS)
		return true;
	/* https://no-color.org: set and not empty, no colour by default. */
	const char *no = getenv("NO_COLOR");
	if (no && *no)
		return false;
	const char *term = getenv("TERM");
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fd) == 1;
}

void color_fputs(FILE *fp, bool on, const char *sgr, const char *s)
{
	if (on) {
		fputs(sgr, fp);
		fputs(s, fp);
		fputs(SGR_RESET, fp);
	} else {
		fputs(s, fp);
	}
}
