/* SPDX-License-Identifier: MIT */
/* Print where each field of a ring's header is, for the tests that damage
 * rings on purpose: "NAME OFFSET SIZE" per line, from the struct itself.
 * "lockword" is the mutex's word that names the thread holding it. */
#include <stddef.h>
#include <stdio.h>

#include "ipcdemo/ring.h"

#define FIELD(f) printf("%s %zu %zu\n", #f, offsetof(struct ring_hdr, f), sizeof(((struct ring_hdr *)0)->f))

int main(void)
{
	FIELD(magic);
	FIELD(version);
	FIELD(hdr_size);
	FIELD(slots);
	FIELD(slot_size);
	FIELD(stride);
	FIELD(ready);
	FIELD(lock);
	FIELD(head);
	FIELD(tail);
	FIELD(data_seq);
	FIELD(space_seq);
	FIELD(data_waiters);
	FIELD(space_waiters);
	FIELD(recovered);
	FIELD(put);
	FIELD(taken);
#ifdef __GLIBC__
	printf("lockword %zu %zu\n", offsetof(struct ring_hdr, lock) + offsetof(pthread_mutex_t, __data.__lock),
	       sizeof(int));
	printf("lockkind %zu %zu\n", offsetof(struct ring_hdr, lock) + offsetof(pthread_mutex_t, __data.__kind),
	       sizeof(int));
#endif
	printf("slot_start %zu %zu\n", offsetof(struct slot_head, start), sizeof(uint32_t));
	printf("slot_used %zu %zu\n", offsetof(struct slot_head, used), sizeof(uint32_t));
	printf("slot_records %zu %zu\n", sizeof(struct slot_head), RING_REC);
	return 0;
}
