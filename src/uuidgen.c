/* SPDX-License-Identifier: MIT */
/* Version 4 UUIDs (RFC 9562, section 5.4) from the kernel's random
 * generator, 256 per getrandom(2) call. libuuid's uuid_generate_random()
 * draws the same getrandom(2) bytes, but one call per UUID, and util-linux
 * 2.38 also reseeds its own fallback generator each time (five more
 * system calls): about 2 us a UUID, which made --source uuid the slowest
 * part of a pipeline. The layout is libuuid's; so are the text form
 * (uuid_unparse_lower) and, should getrandom(2) fail, the generator. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "ipcdemo/uuidgen.h"

void uuidgen_init(struct uuidgen *g)
{
	g->pos = 0;
	g->end = 0;
	g->fallback = 0;
}

static int refill(struct uuidgen *g)
{
	size_t got = 0;
	while (got < sizeof(g->bytes)) {
		ssize_t n = getrandom(g->bytes + got, sizeof(g->bytes) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	g->pos = 0;
	g->end = got;
	return 0;
}

void uuidgen_next(struct uuidgen *g, uuid_t out)
{
	if (!g->fallback && g->pos == g->end && refill(g) < 0)
		g->fallback = 1;
	if (g->fallback) {
		uuid_generate_random(out);
		return;
	}
	unsigned char *b = g->bytes + g->pos;
	g->pos += sizeof(uuid_t);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10x */
	memcpy(out, b, sizeof(uuid_t));               /* each byte is used once: pos only moves on */
}

void uuidgen_text(struct uuidgen *g, char out[UUID_STR_LEN])
{
	uuid_t u;
	uuidgen_next(g, u);
	uuid_unparse_lower(u, out);
}
