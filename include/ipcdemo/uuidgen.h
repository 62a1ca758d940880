/* SPDX-License-Identifier: MIT */
/* Random (version 4) UUIDs for --source uuid, many per system call. */
#ifndef IPCDEMO_UUIDGEN_H
#define IPCDEMO_UUIDGEN_H

#include <stddef.h>
#include <uuid/uuid.h>

#ifndef UUID_STR_LEN
#define UUID_STR_LEN 37
#endif

/* Random bytes for this many UUIDs come from one getrandom(2) call. */
#define UUIDGEN_BATCH 256

struct uuidgen {
	unsigned char bytes[UUIDGEN_BATCH * sizeof(uuid_t)];
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
