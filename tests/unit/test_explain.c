/* SPDX-License-Identifier: MIT */
/* --explain's formatters print as strace does, its option parses, and its
 * hot-loop accounting tells the first N messages' calls only. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "ipcdemo/cli.h"
#include "ipcdemo/explain.h"
#include "ipcdemo/mechanism.h"

Test(explain, open_flags_as_strace)
{
	cr_assert_str_eq(xflags_open(O_RDONLY).s, "O_RDONLY");
	cr_assert_str_eq(xflags_open(O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC).s,
			 "O_WRONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC");
	cr_assert_str_eq(xflags_open(O_RDWR | O_CREAT | O_EXCL | O_APPEND).s, "O_RDWR|O_CREAT|O_EXCL|O_APPEND");
}

Test(explain, modes_locks_commands)
{
	cr_assert_str_eq(xmode(S_IFIFO | 0600).s, "S_IFIFO|0600");
	cr_assert_str_eq(xmode(0644).s, "0644");
	cr_assert_str_eq(xflock_op(LOCK_EX | LOCK_NB).s, "LOCK_EX|LOCK_NB");
	cr_assert_str_eq(xflock_op(LOCK_UN).s, "LOCK_UN");
	cr_assert_str_eq(xfcntl_cmd(F_SETLKW).s, "F_SETLKW");
	cr_assert_str_eq(xfcntl_cmd(F_OFD_SETLKW).s, "F_OFD_SETLKW");
	cr_assert_str_eq(xflock_arg(F_WRLCK, SEEK_SET, 0, 0).s,
			 "{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0}");
	cr_assert_str_eq(xinotify_mask(IN_MODIFY | IN_ATTRIB).s, "IN_MODIFY|IN_ATTRIB");
}

Test(explain, strings_and_buffers)
{
	cr_assert_str_eq(xq("pipe.fifo").s, "\"pipe.fifo\"");
	cr_assert_str_eq(xq("a\"b\\c\n").s, "\"a\\\"b\\\\c\\n\"");
	cr_assert_str_eq(xbuf("abc\n", 4).s, "\"abc\\n\"");
	/* strace shows 32 bytes, then "..." */
	cr_assert_str_eq(xbuf("0123456789abcdef0123456789abcdefXYZ", 35).s, "\"0123456789abcdef0123456789abcdef\"...");
	cr_assert_str_eq(xbuf("\x01\xff", 2).s, "\"\\1\\377\"");
}

Test(explain, option_with_and_without_value)
{
	static const struct verb_opt none[] = { OPT_LIST_END };
	struct opts o;
	int first;
	char *a1[] = { "v", "--explain", NULL };
	opts_init(&o);
	cr_assert_eq(cli_parse_verb("t", none, 2, a1, &o, NULL, &first), 0);
	cr_assert_eq(o.explain, EXPLAIN_DEFAULT);
	char *a2[] = { "v", "--explain=12", "x", NULL };
	opts_init(&o);
	cr_assert_eq(cli_parse_verb("t", none, 3, a2, &o, NULL, &first), 0);
	cr_assert_eq(o.explain, 12);
	cr_assert_eq(first, 2, "a word after --explain is an argument, not its value");
	char *a3[] = { "v", "--explain", NULL };
	opts_init(&o);
	cr_assert_neq(cli_parse("t", none, 2, a3, &o, NULL, &first), 0, "only a mechanism's verbs take it");
}

Test(explain, the_first_n_messages_only)
{
	struct ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.explain = (struct explain){ .on = true, .level = 3 };
	cr_assert(explaining(&ctx));
	cr_assert(explain_full(&ctx));
	explain_messages(&ctx, 2);
	cr_assert(explain_full(&ctx));
	explain_messages(&ctx, 1);
	cr_assert_not(explain_full(&ctx));
	cr_assert(explain_hold(&ctx) == false);
	explain_count(&ctx, "write", 37, 37);
	errno = EIO; /* a failure: what errno holds after the call is counted */
	explain_count(&ctx, "write", -1, 0);
	explain_count(&ctx, "flock", 0, SIZE_MAX);
	cr_assert_str_eq(ctx.explain.tally[0].call, "write");
	cr_assert_eq(ctx.explain.tally[0].n, 2);
	cr_assert_eq(ctx.explain.tally[0].failed, 1);
	cr_assert_eq(ctx.explain.tally[0].min, 37);
	cr_assert_eq(ctx.explain.tally[1].n, 1);
	ctx.explain.on = false;
	cr_assert_not(explaining(&ctx));
}

Test(explain, library_calls_counted_apart)
{
	struct ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.explain = (struct explain){ .on = true, .level = 1 };
	explain_messages(&ctx, 1);
	explain_lib_count(&ctx, "libzmq", "zmq_msg_recv", 36, 0, 36);
	explain_lib_count(&ctx, "libzmq", "zmq_msg_recv", -1, EAGAIN, 0);
	explain_lib_count(&ctx, "libzmq", "zmq_msg_recv", -1, EINVAL, 0);
	explain_lib_count(&ctx, "libzmq", "zmq_poll", 1, 0, SIZE_MAX);
	errno = EIO;
	explain_count(&ctx, "read", -1, 0);
	errno = EAGAIN;
	explain_count(&ctx, "recvmsg", -1, 0);
	const struct explain_tally *t = ctx.explain.tally;
	cr_assert_str_eq(t[0].lib, "libzmq");
	cr_assert_eq(t[0].n, 3);
	cr_assert_eq(t[0].again, 1, "EAGAIN of a library call: nothing queued, not a failure");
	cr_assert_eq(t[0].failed, 1);
	cr_assert_str_eq(t[1].call, "zmq_poll");
	cr_assert_null(t[2].lib, "a system call has no library");
	cr_assert_eq(t[2].failed, 1);
	cr_assert_eq(t[3].again, 1, "EAGAIN of a system call: nothing queued yet, not a failure");
	cr_assert_eq(t[3].failed, 0);
}
