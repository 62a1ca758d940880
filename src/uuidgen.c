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

/* Two lower-case hexadecimal digits of each byte value. */
static const char hex2[256][2] = {
#define H(x) \
	{ \
		"0123456789abcdef"[(x) >> 4], "0123456789abcdef"[(x)&15] \
	}
#define H4(x) H(x), H((x) + 1), H((x) + 2), H((x) + 3)
#define H16(x) H4(x), H4((x) + 4), H4((x) + 8), H4((x) + 12)
#define H64(x) H16(x), H16((x) + 16), H16((x) + 32), H16((x) + 48)
	H64(0),
	H64(64),
	H64(128),
	H64(192),
#undef H64
#undef H16
#undef H4
#undef H
};

char *uuidgen_line(struct uuidgen *g, char *out)
{
	uuid_t u;
	uuidgen_next(g, u);
	/* uuid_unparse_lower's text, without its format string: the digits
	 * of each byte from a table, the dashes after bytes 4, 6, 8 and 10. */
	char *p = out;
	for (int i = 0; i < 16; i++) {
		memcpy(p, hex2[u[i]], 2);
		p += 2;
		if (i == 3 || i == 5 || i == 7 || i == 9)
			*p++ = '-';
	}
	*p++ = '\n';
	return p;
}

void uuidgen_text(struct uuidgen *g, char out[UUID_STR_LEN])
{
	uuidgen_line(g, out);
	out[UUID_STR_LEN - 1] = '\0';
}
