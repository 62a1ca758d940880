/* SPDX-License-Identifier: MIT */
/* Random (version 4) UUIDs for --source uuid, from a ChaCha8 stream keyed by
 * the kernel. */
#ifndef IPCDEMO_UUIDGEN_H
#define IPCDEMO_UUIDGEN_H

#include <stddef.h>
#include <stdint.h>
#include <uuid/uuid.h>

#ifndef UUID_STR_LEN
#define UUID_STR_LEN 37
#endif

/* The UUIDs of one refill of the generator's buffer (4 KiB with the next
 * key). */
#define UUIDGEN_BATCH 254

/* The refills between two keys drawn from the kernel. */
#define UUIDGEN_RESEED 1024

struct uuidgen {
	unsigned char bytes[UUIDGEN_BATCH * sizeof(uuid_t) + 32];
	uint32_t key[8];
	unsigned refills; /* since the key came from the kernel (0: never) */
	size_t pos, end;
	int fallback; /* getrandom(2) failed: libuuid draws each one */
};

void uuidgen_init(struct uuidgen *g);

/* The next UUID, binary. */
void uuidgen_next(struct uuidgen *g, uuid_t out);

/* The next UUID as a line: 36 lower-case characters and a newline at out
 * (37 bytes). Returns the end of the line. */
char *uuidgen_line(struct uuidgen *g, char *out);
/* The next UUID as 36 lower-case characters and a NUL. */
void uuidgen_text(struct uuidgen *g, char out[UUID_STR_LEN]);

#endif
