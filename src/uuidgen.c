/* SPDX-License-Identifier: MIT */
/* Version 4 UUIDs (RFC 9562, section 5.4) from a cryptographically secure
 * generator: the ChaCha stream cipher with 8 rounds, keyed from the
 * kernel's getrandom(2) and re-keyed from its own output after each 4 KiB
 * (fast key erasure, as OpenBSD's arc4random and Go's ChaCha8Rand), a new
 * key from the kernel every UUIDGEN_RESEED refills. libuuid's
 * uuid_generate_random() makes one getrandom(2) call per UUID, and
 * util-linux 2.38 also reseeds its own fallback generator each time (five
 * more system calls): about 2 us a UUID. Drawing the kernel's bytes 256
 * UUIDs a call still left perf showing the kernel's scalar ChaCha20
 * (chacha_permute) at half of a --source uuid producer's time; here four
 * blocks are computed at once in vector registers. The layout and the
 * text form are libuuid's; should getrandom(2) fail, so is the generator. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "ipcdemo/uuidgen.h"

void uuidgen_init(struct uuidgen *g)
{
	memset(g->key, 0, sizeof(g->key));
	g->refills = 0;
	g->pos = 0;
	g->end = 0;
	g->fallback = 0;
}

/* Four 32-bit lanes: a word of four ChaCha blocks at once (GCC's and
 * Clang's vector extension: SSE2 on x86-64, NEON on arm64). */
typedef uint32_t u32x4 __attribute__((vector_size(16)));

#define CHACHA_ROUNDS 8

static inline u32x4 rotl(u32x4 v, int n)
{
	return (v << n) | (v >> (32 - n));
}

#define QR(a, b, c, d) \
	do { \
		a += b; \
		d = rotl(d ^ a, 16); \
		c += d; \
		b = rotl(b ^ c, 12); \
		a += b; \
		d = rotl(d ^ a, 8); \
		c += d; \
		b = rotl(b ^ c, 7); \
	} while (0)

/* Blocks block..block+3 of the key's stream (nonce 0: each key makes one
 * buffer), 256 bytes at out, their words interleaved. */
static void chacha4(const uint32_t key[8], uint32_t block, unsigned char *out)
{
	static const uint32_t sigma[4] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	u32x4 s[16], x[16];
	for (int i = 0; i < 4; i++)
		s[i] = (u32x4){ sigma[i], sigma[i], sigma[i], sigma[i] };
	for (int i = 0; i < 8; i++)
		s[4 + i] = (u32x4){ key[i], key[i], key[i], key[i] };
	s[12] = (u32x4){ block, block + 1, block + 2, block + 3 };
	s[13] = s[14] = s[15] = (u32x4){ 0, 0, 0, 0 };
	memcpy(x, s, sizeof(x));
	for (int r = 0; r < CHACHA_ROUNDS; r += 2) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		x[i] += s[i];
		memcpy(out + i * sizeof(x[i]), &x[i], sizeof(x[i]));
	}
}

static int from_kernel(void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom((char *)buf + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

static int refill(struct uuidgen *g)
{
	if (g->refills % UUIDGEN_RESEED == 0 && from_kernel(g->key, sizeof(g->key)) < 0)
		return -1;
	g->refills++;
	for (uint32_t b = 0; b * 64 < sizeof(g->bytes); b += 4)
		chacha4(g->key, b, g->bytes + b * 64);
	/* The last 32 bytes are the next key, and handed out to no one. */
	size_t end = sizeof(g->bytes) - sizeof(g->key);
	memcpy(g->key, g->bytes + end, sizeof(g->key));
	memset(g->bytes + end, 0, sizeof(g->key));
	g->pos = 0;
	g->end = end;
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
	/* Copied, then marked in the copy: bytes stored into the buffer and
	 * read back at once in a 16-byte load stalled on store forwarding. */
	memcpy(out, g->bytes + g->pos, sizeof(uuid_t));
	g->pos += sizeof(uuid_t);                         /* each byte is used once: pos only moves on */
	out[6] = (unsigned char)((out[6] & 0x0f) | 0x40); /* version 4 */
	out[8] = (unsigned char)((out[8] & 0x3f) | 0x80); /* variant 10x */
}

/* Four bytes as eight lower-case hexadecimal digits, computed in a 64-bit
 * word (a byte a digit, the first digit in its lowest byte) rather than
 * looked up a byte at a time: the table and its sixteen stores a UUID
 * were a third of a producer's time. */
static inline uint64_t hex8(const unsigned char *b)
{
	uint64_t x = (uint64_t)b[0] | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 32 | (uint64_t)b[3] << 48;
	/* Byte 2i: the high nibble of b[i]; byte 2i + 1: its low one. */
	uint64_t n = ((x >> 4) & 0x000f000f000f000fULL) | ((x & 0x000f000f000f000fULL) << 8);
	/* '0' + n, and 'a' - '0' - 10 more where n > 9. */
	uint64_t over = ((n + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
	return n + 0x3030303030303030ULL + over * (uint64_t)('a' - '0' - 10);
}

/* The first len (4 or 8) digits of d at out. */
static inline void put(char *out, uint64_t d, size_t len)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	d = __builtin_bswap64(d);
	if (len == 4)
		d >>= 32;
#endif
	if (len == 8) {
		memcpy(out, &d, 8);
	} else {
		uint32_t w = (uint32_t)d;
		memcpy(out, &w, 4);
	}
}

char *uuidgen_line(struct uuidgen *g, char *out)
{
	uuid_t u;
	uuidgen_next(g, u);
	uint64_t a = hex8(u), b = hex8(u + 4), c = hex8(u + 8), d = hex8(u + 12);
	/* uuid_unparse_lower's layout: 8-4-4-4-12. */
	put(out, a, 8);
	out[8] = '-';
	put(out + 9, b, 4);
	out[13] = '-';
	put(out + 14, b >> 32, 4);
	out[18] = '-';
	put(out + 19, c, 4);
	out[23] = '-';
	put(out + 24, c >> 32, 4);
	put(out + 28, d, 8);
	out[36] = '\n';
	return out + UUID_STR_LEN;
}

void uuidgen_text(struct uuidgen *g, char out[UUID_STR_LEN])
{
	uuidgen_line(g, out);
	out[UUID_STR_LEN - 1] = '\0';
}
