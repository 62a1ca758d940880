/* SPDX-License-Identifier: MIT */
/* Print where each field of a ring's header is, for the tests that damage
 * rings on purpose: "NAME OFFSET SIZE" per line, from the struct itself.
 * "lockword" is the mutex's word that names the thread holding it.
 * 'ring-offsets die-holding FILE [CUT]': take the lock of the ring in FILE
 * and exit holding it, as a process killed in a put would; with CUT, take
 * CUT from the ring's put counter first, as a put killed between storing
 * head and put leaves it. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ipcdemo/ring.h"

#define FIELD(f) printf("%s %zu %zu\n", #f, offsetof(struct ring_hdr, f), sizeof(((struct ring_hdr *)0)->f))

static int die_holding(const char *path, const char *cut)
{
	int fd = open(path, O_RDWR);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	struct ring_hdr *h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED || pthread_mutex_lock(&h->lock) != 0) {
		perror("lock");
		return 1;
	}
	if (cut)
		h->put -= strtoull(cut, NULL, 10);
	_exit(0); /* the lock still held: the kernel marks its owner dead */
}

int main(int argc, char **argv)
{
	if (argc >= 3)
		return die_holding(argv[2], argc > 3 ? argv[3] : NULL);
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
