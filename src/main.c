/* SPDX-License-Identifier: MIT */
/* ipcdemo MECHANISM VERB [options] [args]; see dispatch.c. */
#include "ipcdemo/dispatch.h"

int main(int argc, char **argv)
{
	return dispatch_main(argc, argv);
}
