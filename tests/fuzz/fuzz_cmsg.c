/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the control data of a received message, as the Unix
 * socket consumer walks it (fdrx_parse: SCM_RIGHTS, SCM_CREDENTIALS, any
 * other or malformed header). The input is one byte of recvmsg flags, then
 * the control bytes, copied to a buffer of exactly their size so that any
 * read past them is caught. Nothing is closed: the numbers are not ours. */
#include <stdlib.h>
#include <string.h>

#include "ipcdemo/fdpass.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int flags = data[0] & 1 ? MSG_CTRUNC : 0;
	size_t len = size - 1;
	unsigned char *ctl = malloc(len ? len : 1);
	CHECK(ctl != NULL);
	memcpy(ctl, data + 1, len);
	struct fdrx rx;
	fdrx_parse(&rx, ctl, len, flags);
	CHECK(rx.nfds <= FDRX_SLOTS);
	CHECK(rx.ctrunc == ((flags & MSG_CTRUNC) != 0));
	/* Every descriptor and the credentials were in the data. */
	CHECK((rx.nfds + rx.lost) * sizeof(int) <= len);
	CHECK(!rx.creds || len >= CMSG_LEN(sizeof(struct ucred)));
	for (size_t i = 0; i < rx.nfds; i++)
		CHECK(memmem(ctl, len, &rx.fds[i], sizeof(int)) != NULL);
	if (rx.creds)
		CHECK(memmem(ctl, len, &rx.cred, sizeof(rx.cred)) != NULL);
	/* A buffer as the consumer gives recvmsg never holds more than fit. */
	if (len <= FDRX_CBUF)
		CHECK(rx.lost == 0);
	free(ctl);
	return 0;
}
