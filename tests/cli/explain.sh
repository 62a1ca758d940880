#!/bin/bash
# --explain: the narrated system calls of pipe, fifo and file are the calls
# strace sees (names, objects, results, in order per process), their text
# and JSON have the documented shape, and every verb takes the option;
# zmq's libzmq calls have their golden shape, and its unlink is strace's.
. "$(dirname "$0")/lib.sh"

CHECK="$LIB_DIR/explain_check.py"
# The sanitizer's leak check runs a thread under ptrace at exit, which
# strace cannot allow; its other calls are on objects the narration does
# not name, which the check leaves out.
NOLEAK="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# ---- the option ----

run "pipe produce --help shows --explain[=N]" 0 -- "$IPCDEMO" pipe produce --help
like "help: --explain[=N]" "$OUT" '--explain\[=N\] +narrate the system calls'
run "the completions offer --explain" 0 -- "$IPCDEMO" __complete fifo consume --ex
like "completion: --explain" "$OUT" '^--explain'
run "--explain=0 is a usage error" 2 -- "$IPCDEMO" pipe produce --explain=0
like "--explain=0: says why" "$ERR" "invalid value '0' for --explain"
run "--explain=x is a usage error" 2 -- "$IPCDEMO" pipe produce --explain=x
run "top-level commands do not take it" 2 -- "$IPCDEMO" list --explain
run "a mechanism that does not narrate yet says so" 1 -- "$IPCDEMO" mq info --explain --name /ipcdemo-explain-none
like "not narrated: said on stderr" "$ERR" '^explain\[[0-9]+\]: ipcdemo mq does not narrate its system calls yet'

# ---- the text ----

run "pipe produce --explain" 0 -- "$IPCDEMO" pipe produce -n 5 --batch 1 --explain=2
is "the data is the data" "$(printf '%s\n' "$OUT" | grep -Ecx "$UUID4_RE")" 5
norm=$(printf '%s\n' "$ERR" | sed -E "s/^explain\[[0-9]+\]/explain[PID]/; s/$UUID4_RE/UUID/g; s/\"UUID\"|\"[0-9a-f-]{32}\"/\"DATA\"/")
is "pipe produce: two writes told, the rest summed up" "$norm" \
	'explain[PID]: write(1, "DATA"..., 37) = 37
explain[PID]:     1 message (37 bytes): in the pipe now, for the reader to take (write blocks only while the pipe is full)
explain[PID]: write(1, "DATA"..., 37) = 37
explain[PID]:     1 message (37 bytes): in the pipe now, for the reader to take (write blocks only while the pipe is full)
explain[PID]: ... 3 more write(2) calls of 37 bytes, 0 failed'

# shellcheck disable=SC2016 # expanded by the inner shell
run "pipe consume --explain" 0 -- sh -c '"$IPCDEMO" pipe produce --source counter -n 1 --batches 12 --every 10ms |
	"$IPCDEMO" pipe consume -q --explain=1' _
like "a blocking read is announced before it blocks" "$ERR" '^explain\[[0-9]+\]: read\(0, \.\.\., [0-9]+\) \.\.\.$'
like "... with what it waits for" "$ERR" '^explain\[[0-9]+\]:     blocks until the writer writes'
like "end of file is told" "$ERR" '^explain\[[0-9]+\]: read\(0, "", [0-9]+\) = 0$'
like "sizes that vary: a range" "$ERR" '^explain\[[0-9]+\]: \.\.\. [0-9]+ more read\(2\) calls? of [0-9]+(-[0-9]+)? bytes, 0 failed$'

rm -f pipe.fifo
run "fifo: a producer that finds no reader" 124 -- timeout 1 "$IPCDEMO" fifo produce -n 1 --explain
like "mknodat as strace shows it" "$ERR" '^explain\[[0-9]+\]: mknodat\(AT_FDCWD, "pipe.fifo", S_IFIFO\|0600\) = (0|-1 EEXIST \(File exists\))$'
like "the non-blocking open fails with ENXIO" "$ERR" \
	'^explain\[[0-9]+\]: openat\(AT_FDCWD, "pipe.fifo", O_WRONLY\|O_NONBLOCK\|O_NOFOLLOW\|O_CLOEXEC\) = -1 ENXIO \(No such device or address\)$'
like "... and says what it means" "$ERR" 'no reader has the FIFO open yet'
like "the blocking open is announced" "$ERR" '^explain\[[0-9]+\]: openat\(AT_FDCWD, "pipe.fifo", O_WRONLY\|O_NOFOLLOW\|O_CLOEXEC\) \.\.\.$'
like "... blocks until a reader opens the FIFO" "$ERR" 'blocks until a reader opens the FIFO'
rm -f pipe.fifo
run "--color=always: the prefix in colour" 124 -- timeout 1 "$IPCDEMO" --color=always fifo produce -n 1 --explain
like "colour: the prefix blue, a failure red" "$ERR" $'^\e\\[34mexplain\\[[0-9]+\\]:\e\\[0m openat\\(.*\e\\[1;31m= -1 ENXIO'
run "no colour in a file by default" 124 -- timeout 1 "$IPCDEMO" fifo produce -n 1 --explain
unlike "no colour: no escape" "$ERR" $'\e'
rm -f pipe.fifo

# ---- JSON ----

run "pipe produce --explain --json" 0 -- "$IPCDEMO" pipe produce -n 4 --batch 1 --explain=2 --json
if command -v jq >/dev/null 2>&1; then
	keys=$(printf '%s\n' "$ERR" | jq -c 'keys_unsorted' | sort -u)
	is "--json: one object per call, and the summary" "$keys" \
		'["call","args","result","errno","meaning","pid"]
["call","summary","calls","failed","bytes_min","bytes_max","meaning","pid"]'
	is "--json: the call and its result" "$(printf '%s\n' "$ERR" | jq -r 'select(.summary|not) | "\(.call) \(.result) \(.errno)"' | sort -u)" \
		"write 37 null"
	is "--json: the summary" "$(printf '%s\n' "$ERR" | jq -r 'select(.summary) | "\(.calls) \(.failed) \(.bytes_min)"')" "2 0 37"
	ok "--json: the pid is the producer's" test "$(printf '%s\n' "$ERR" | jq -r .pid | sort -u | grep -c .)" = 1
else
	skip "--json: the shape of the objects" "jq is not installed"
fi
rm -f pipe.fifo
run "fifo produce --explain --json: ENXIO" 124 -- timeout 1 "$IPCDEMO" fifo produce -n 1 --explain --json
if command -v jq >/dev/null 2>&1; then
	is "--json: a failed call has errno and its text" \
		"$(printf '%s\n' "$ERR" | grep '^{' | jq -r 'select(.errno == "ENXIO") | "\(.call) \(.result) \(.error)"')" \
		"openat -1 No such device or address"
	like "--json: a blocking call says what it waits for" "$ERR" '"blocks":"blocks until a reader opens the FIFO"'
else
	skip "--json: errno" "jq is not installed"
fi
rm -f pipe.fifo

# ---- demos narrate both sides, labelled ----

run "pipe demo --explain" 0 -- "$IPCDEMO" pipe demo -n 2 --explain
like "pipe demo: the parent's pipe2" "$ERR" '^explain\[[0-9]+ parent\]: pipe2\(\[3, 4\], O_CLOEXEC\) = 0$'
like "pipe demo: the fork, as the clone it is" "$ERR" '^explain\[[0-9]+ parent\]: clone\(child_stack=NULL, flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD\) = [0-9]+$'
like "pipe demo: the child's read" "$ERR" '^explain\[[0-9]+ child\]: read\(3, '
like "pipe demo: the wait for the child" "$ERR" '^explain\[[0-9]+ parent\]: wait4\([0-9]+, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 0\}\], 0, NULL\) = [0-9]+$'
run "fifo demo --explain" 0 -- "$IPCDEMO" fifo demo --explain=1
like "fifo demo: the consumer's calls, labelled" "$OUT" '^consumer \| explain\[[0-9]+\]: openat\(AT_FDCWD, ".*pipe.fifo", O_RDONLY\|O_NONBLOCK'
like "fifo demo: the producer's calls, labelled" "$OUT" '^producer \| explain\[[0-9]+\]: write\(3, '
like "fifo demo: the demo's own calls" "$ERR" '^explain\[[0-9]+ demo\]: wait4\('
run "file demo --explain" 0 -- "$IPCDEMO" file demo --explain=1
like "file demo: the producer's lock" "$OUT" '^producer \| explain\[[0-9]+\]: flock\(3, LOCK_EX(\|LOCK_NB)?\) = 0$'
like "file demo: the consumer's inotify" "$OUT" '^consumer \| explain\[[0-9]+\]: inotify_add_watch\('

# ---- what strace sees ----

strace_ok=true
if ! command -v strace >/dev/null 2>&1; then
	strace_ok=false
	why="strace is not installed"
elif ! strace -f -o /dev/null true 2>/dev/null; then
	strace_ok=false
	why="strace cannot trace here (ptrace refused)"
elif ! $have_python; then
	strace_ok=false
	why="python3 is not installed"
fi

# traced NAME CALLS OUTFILE ERRFILE CMD...: CMD under strace -f (trace file NAME.st).
traced() {
	local name=$1 calls=$2 out=$3 err=$4
	shift 4
	env "$NOLEAK" timeout -k 5 "$T_LIMIT" strace -f -o "$name.st" -e trace="$calls" "$@" >"$out" 2>"$err"
}
# cross NAME CALLS FILE...: the check, a TAP line.
cross() {
	local name=$1 calls=$2 res
	shift 2
	if res=$(python3 "$CHECK" "$calls" "$@" 2>&1); then
		_t_report 0 "$name: $res"
	else
		_t_report 1 "$name" "$res"
	fi
}

if $strace_ok; then
	P=write C=read
	traced pp "$P" /dev/stdout pp.err "$IPCDEMO" pipe produce -n 40 --batch 1 --explain=5 |
		traced pc "$C" /dev/null pc.err "$IPCDEMO" pipe consume -q --explain=5
	cross "pipe produce: the narrated calls are strace's" "$P" pp.st pp.err
	cross "pipe consume: the narrated calls are strace's" "$C" pc.st pc.err
	like "pipe produce: 35 writes summed up" "$(cat pp.err)" '\.\.\. 35 more write\(2\) calls of 37 bytes, 0 failed'

	F=mknodat,openat,read,write,unlink
	rm -f pipe.fifo
	traced fc "$F" /dev/null fc.err "$IPCDEMO" fifo consume --exit-on-eof --unlink --explain=4 --timeout 10s &
	fcpid=$!
	wait_for 10 test -p pipe.fifo
	traced fp "$F" /dev/null fp.err "$IPCDEMO" fifo produce -n 30 --batch 1 --explain=4
	wait "$fcpid"
	cross "fifo produce: the narrated calls are strace's" "$F" fp.st fp.err
	cross "fifo consume: the narrated calls are strace's" "$F" fc.st fc.err
	like "fifo consume --unlink: the unlink told" "$(cat fc.err)" '^explain\[[0-9]+\]: unlink\("pipe.fifo"\) = 0$'

	X=openat,flock,fcntl,read,write,inotify_init1,inotify_add_watch
	for lock in flock fcntl; do
		mkdir -p "d$lock"
		traced "xc$lock" "$X" /dev/null "xc$lock.err" "$IPCDEMO" file consume --lock "$lock" --path "d$lock/storage" \
			-n 30 --explain=4 --timeout 10s &
		xcpid=$!
		wait_for 10 has "xc$lock.err" 'waiting for'
		traced "xp$lock" "$X" /dev/null "xp$lock.err" "$IPCDEMO" file produce --lock "$lock" --path "d$lock/storage" \
			-n 10 --batches 3 --every 100ms --batch 1 --explain=4
		wait "$xcpid"
		cross "file produce --lock $lock: the narrated calls are strace's" "$X" "xp$lock.st" "xp$lock.err"
		cross "file consume --lock $lock: the narrated calls are strace's" "$X" "xc$lock.st" "xc$lock.err"
	done

	D=pipe2,clone,wait4,read,write
	traced pd "$D" pd.out pd.err "$IPCDEMO" pipe demo -n 6 --explain=3
	cross "pipe demo: parent and child narrate strace's calls" "$D" pd.st pd.err

	E=mknodat,openat,read,write,clone,wait4
	traced fd "$E" fd.out fd.err "$IPCDEMO" fifo demo --explain=2
	cross "fifo demo: the demo and both sides narrate strace's calls" "$E" fd.st fd.out fd.err
else
	skip "the narrated calls are strace's" "$why"
fi


# ---- zmq: the libzmq calls ----
# ZeroMQ's verbs make library calls, which strace cannot see: their text
# and JSON are checked against their golden shape (pids, addresses and the
# zmq_poll slices, whose number depends on timing, left out), and the one
# system call ipcdemo makes on the channel, the unlink of the ipc://
# socket file, against strace.

# zmq_norm: --explain text with the pid and addresses normalized, without
# the zmq_poll calls and the calls that found nothing queued (EAGAIN),
# whose number is a matter of timing, and without the summaries.
zmq_norm() {
	sed -E 's/^explain\[[0-9]+\]/explain[PID]/; s/0x[0-9a-f]+/ADDR/g' | awk '
skip { skip = 0; if ($0 ~ /^explain\[PID\]:     /) next }
/libzmq: zmq_poll\(/ || /= -1 EAGAIN/ { skip = 1; next }
/^explain\[PID\]: \.\.\. / { next }
{ print }'
}
# zmq_calls FILE: the calls of --json records, their arguments and
# results, addresses normalized, without zmq_poll and EAGAIN.
zmq_calls() {
	jq -r 'select((.summary|not) and .call != "zmq_poll" and .errno != "EAGAIN")
		| "\(.call)(\(.args)) = \(.result)"' "$1" | sed -E 's/0x[0-9a-f]+/ADDR/g'
}
# zmq_sides FILE LABEL: the calls (names) of each process of a demo side,
# one line a process, repeats and zmq_poll left out.
zmq_sides() {
	sed -nE "s/^$2 \\| explain\\[([0-9]+)\\]: (libzmq: )?([a-z0-9_]+)\\(.*\\) = .*/\\1 \\3/p" "$1" |
		awk '$2 != "zmq_poll" && !($1 == pid && $2 == last) {
			if ($1 != pid) { if (pid) print line; line = $2 } else line = line " " $2
			pid = $1; last = $2 }
		END { if (pid) print line }'
}

if "$IPCDEMO" zmq consume --timeout 1ms --endpoint tcp://127.0.0.1:1 2>&1 | grep -q 'has no ZeroMQ'; then
	skip "zmq --explain: the libzmq calls" "this build of ipcdemo has no ZeroMQ"
else
	CTX_SAYS="a context: libzmq's state in this process, whose I/O thread and reaper start with its first socket. These are calls into libzmq, not system calls: libzmq makes its own in its threads (strace -f shows them: epoll_wait, accept4, sendto and recvfrom on the connections, eventfd writes to wake its mailboxes), and they are not told here"
	SOCK_SAYS="an object of libzmq, no socket of the kernel yet (those come with bind and connect); the context's first socket starts its threads (ZMQbg/IO/0, ZMQbg/Reaper)"
	CLOSE_SAYS="closed for us at once; libzmq's I/O thread still sends what is queued, for up to its linger, and then closes the kernel's sockets"
	TERM_SAYS="explain[PID]: libzmq: zmq_ctx_term(ADDR) ...
explain[PID]:     blocks until every socket's queued messages have gone, each for at most its linger
explain[PID]: libzmq: zmq_ctx_term(ADDR) = 0
explain[PID]:     the context is gone: libzmq's I/O thread and reaper have exited, their connections closed"
	RECV_SAYS="a message taken from the socket's queue, where libzmq's I/O thread put it after reading it from the connection (recvfrom)"
	SEND_SAYS="queued in the PUSH socket; blocks only at the high-water mark; the I/O thread writes it to one peer (sendto)"

	# A PULL binds ipc://, a PUSH connects and sends 5 messages; 2 told.
	rm -f zx.sock
	"$IPCDEMO" zmq consume --endpoint ipc://zx.sock --bind --pattern pushpull -n 5 --timeout 10s --explain=2 \
		>zc.out 2>zc.err &
	zcpid=$!
	wait_for 10 test -S zx.sock
	run "zmq produce --explain (PUSH)" 0 -- "$IPCDEMO" zmq produce --endpoint ipc://zx.sock --connect \
		--pattern pushpull --source counter -n 5 --batch 1 --explain=2
	is "zmq produce: the data is the data" "$OUT" "$(seq 5)"
	is "zmq produce --explain: the libzmq calls, each with its meaning" "$(printf '%s\n' "$ERR" | zmq_norm)" \
		"explain[PID]: libzmq: zmq_ctx_new() = ADDR
explain[PID]:     $CTX_SAYS
explain[PID]: libzmq: zmq_socket(ADDR, ZMQ_PUSH) = ADDR
explain[PID]:     a PUSH: each message goes to one of the connected PULLs, in turn; $SOCK_SAYS
explain[PID]: libzmq: zmq_setsockopt(ADDR, ZMQ_LINGER, [1000], 4) = 0
explain[PID]:     zmq_ctx_term waits up to 1000 ms (--linger) for queued messages to go
explain[PID]: libzmq: zmq_connect(ADDR, \"ipc://zx.sock\") = 0
explain[PID]:     returns at once: libzmq connects in its I/O thread (socket, connect), and retries until the peer is there; messages wait in the queue meanwhile
explain[PID]: libzmq: zmq_send(ADDR, \"1\", 1, ZMQ_DONTWAIT) = 1
explain[PID]:     $SEND_SAYS
explain[PID]: libzmq: zmq_send(ADDR, \"2\", 1, ZMQ_DONTWAIT) = 1
explain[PID]:     $SEND_SAYS
explain[PID]: libzmq: zmq_close(ADDR) = 0
explain[PID]:     $CLOSE_SAYS
$TERM_SAYS"
	like "zmq produce: the rest summed up as library calls" "$ERR" \
		'^explain\[[0-9]+\]: \.\.\. 3 more zmq_send\(3\) calls of 1 byte, 0 failed$'
	wait "$zcpid"
	is "zmq consume --explain: exit status" "$?" 0
	is "zmq consume --explain (PULL): the libzmq calls, the chmod and the unlink" "$(zmq_norm <zc.err)" \
		"explain[PID]: libzmq: zmq_ctx_new() = ADDR
explain[PID]:     $CTX_SAYS
explain[PID]: libzmq: zmq_socket(ADDR, ZMQ_PULL) = ADDR
explain[PID]:     a PULL: takes the messages of every PUSH connected, fairly; $SOCK_SAYS
explain[PID]: libzmq: zmq_setsockopt(ADDR, ZMQ_LINGER, [1000], 4) = 0
explain[PID]:     zmq_ctx_term waits up to 1000 ms (--linger) for queued messages to go
explain[PID]: libzmq: zmq_setsockopt(ADDR, ZMQ_MAXMSGSIZE, [16777216], 8) = 0
explain[PID]:     a frame over 16777216 bytes drops its connection before it is read (--size; never below 64 KiB: the handshake's frames are checked too)
explain[PID]: libzmq: zmq_bind(ADDR, \"ipc://zx.sock\") = 0
explain[PID]:     bound, in this thread: libzmq removed a socket file left at the path (unlink), made the socket (socket, bind under umask 077, listen); its I/O thread accepts the connections (accept4)
explain[PID]: chmod(\"zx.sock\", 0600) = 0
explain[PID]:     the socket file is ours alone: only our user may connect to it
explain[PID]: libzmq: zmq_msg_recv({\"1\", 1}, ADDR, ZMQ_DONTWAIT) = 1
explain[PID]:     $RECV_SAYS
explain[PID]: libzmq: zmq_msg_recv({\"2\", 1}, ADDR, ZMQ_DONTWAIT) = 1
explain[PID]:     $RECV_SAYS
explain[PID]: libzmq: zmq_setsockopt(ADDR, ZMQ_LINGER, [0], 4) = 0
explain[PID]:     linger 0: what is still queued is dropped when the socket closes, nothing waits for it
explain[PID]: libzmq: zmq_close(ADDR) = 0
explain[PID]:     $CLOSE_SAYS
$TERM_SAYS
explain[PID]: unlink(\"zx.sock\") = 0
explain[PID]:     the socket file is gone: libzmq leaves it behind, so ipcdemo removes it, still the very socket it bound"
	like "zmq consume: a blocking zmq_poll is announced" "$(cat zc.err)" \
		'^explain\[[0-9]+\]: libzmq: zmq_poll\(\[\{socket=0x[0-9a-f]+, events=ZMQ_POLLIN\}\], 1, 100\) \.\.\.$'
	like "zmq consume: the rest summed up, EAGAIN apart" "$(cat zc.err)" \
		'^explain\[[0-9]+\]: \.\.\. [0-9]+ more zmq_msg_recv\(3\) calls of 1 byte(, [0-9]+ with EAGAIN)?, 0 failed$'

	# pubsub with --json: a publisher binds and waits for its subscriber,
	# which subscribes to a topic.
	rm -f zj.sock
	"$IPCDEMO" zmq produce --endpoint ipc://zj.sock --topic t --wait-subscribers 1 --timeout 10s \
		--source counter -n 3 --batch 1 --explain=2 --json >zjp.out 2>zjp.err &
	zjpid=$!
	wait_for 10 test -S zj.sock
	run "zmq consume --explain --json (SUB)" 0 -- "$IPCDEMO" zmq consume --endpoint ipc://zj.sock --topic t \
		-n 3 --timeout 10s --explain=2 --json
	wait "$zjpid"
	is "zmq produce --explain --json (PUB): exit status" "$?" 0
	# The publisher's note that it waits for its subscribers is no record.
	grep '^{' zjp.err >zjp.json
	printf '%s\n' "$ERR" >zjc.json
	# (whether a summary of zmq_poll, an "again" count or a call told
	# with EAGAIN is there depends on timing)
	is "--json: the shape of the records" "$(cat zjp.json zjc.json | jq -c 'select(.errno == null)
		| select(.call != "zmq_poll" or (.summary|not)) | del(.again) | keys_unsorted' | sort -u)" \
		'["call","args","result","errno","meaning","pid"]
["call","library","args","result","errno","meaning","pid","blocks"]
["call","library","args","result","errno","meaning","pid"]
["call","library","summary","calls","failed","bytes_min","bytes_max","meaning","pid"]'
	is "--json: a call that failed has its errno's text" \
		"$(cat zjp.json zjc.json | jq -c 'select(.errno != null and (.error|not))')" ""
	is "--json: every zmq_ call is libzmq's, the system calls no library's" \
		"$(cat zjp.json zjc.json | jq -r '"\(.call|startswith("zmq_")) \(.library)"' | sort -u)" \
		'false null
true libzmq'
	is "--json: the publisher's calls" "$(zmq_calls zjp.json)" \
		'zmq_ctx_new() = ADDR
zmq_socket(ADDR, ZMQ_XPUB) = ADDR
zmq_setsockopt(ADDR, ZMQ_LINGER, [1000], 4) = 0
zmq_setsockopt(ADDR, ZMQ_XPUB_NODROP, [1], 4) = 0
zmq_setsockopt(ADDR, ZMQ_XPUB_VERBOSE, [1], 4) = 0
zmq_bind(ADDR, "ipc://zj.sock") = 0
chmod("zj.sock", 0600) = 0
zmq_msg_recv({"\1t", 2}, ADDR, ZMQ_DONTWAIT) = 2
zmq_send(ADDR, "t", 1, ZMQ_SNDMORE|ZMQ_DONTWAIT) = 1
zmq_send(ADDR, "1", 1, ZMQ_DONTWAIT) = 1
zmq_send(ADDR, "t", 1, ZMQ_SNDMORE|ZMQ_DONTWAIT) = 1
zmq_send(ADDR, "2", 1, ZMQ_DONTWAIT) = 1
zmq_close(ADDR) = 0
zmq_ctx_term(ADDR) = 0
unlink("zj.sock") = 0'
	is "--json: the subscriber's calls" "$(zmq_calls zjc.json)" \
		'zmq_ctx_new() = ADDR
zmq_socket(ADDR, ZMQ_SUB) = ADDR
zmq_setsockopt(ADDR, ZMQ_LINGER, [1000], 4) = 0
zmq_setsockopt(ADDR, ZMQ_MAXMSGSIZE, [16777216], 8) = 0
zmq_setsockopt(ADDR, ZMQ_SUBSCRIBE, "t", 1) = 0
zmq_connect(ADDR, "ipc://zj.sock") = 0
zmq_msg_recv({"t", 1}, ADDR, ZMQ_DONTWAIT) = 1
zmq_msg_recv({"1", 1}, ADDR, ZMQ_DONTWAIT) = 1
zmq_msg_recv({"t", 1}, ADDR, ZMQ_DONTWAIT) = 1
zmq_msg_recv({"2", 1}, ADDR, ZMQ_DONTWAIT) = 1
zmq_setsockopt(ADDR, ZMQ_LINGER, [0], 4) = 0
zmq_close(ADDR) = 0
zmq_ctx_term(ADDR) = 0'
	is "--json: the summaries, in section 3" \
		"$(jq -r 'select(.summary) | "\(.call) \(.calls) \(.failed) \(.bytes_min)-\(.bytes_max)"' zjp.json)" \
		"zmq_send 2 0 1-1"
	like "--json: a subscription's meaning" "$(cat zjc.json)" '"meaning":"only messages whose first frame starts with \\"t\\"'

	# The pubsub demo: both sides and the demo's own calls, labelled.
	run "zmq demo --explain" 0 -- "$IPCDEMO" zmq demo --endpoint ipc://zd.sock --explain=1
	printf '%s\n' "$OUT" >zd.out
	like "zmq demo: the demo's fork, as the clone it is" "$ERR" '^explain\[[0-9]+ demo\]: clone\('
	like "zmq demo: the demo waits for its children" "$ERR" '^explain\[[0-9]+ demo\]: wait4\('
	is "zmq demo: the publishers' calls, in order" "$(zmq_sides zd.out producer)" \
		'zmq_ctx_new zmq_socket zmq_setsockopt zmq_bind chmod zmq_send zmq_close zmq_ctx_term unlink
zmq_ctx_new zmq_socket zmq_setsockopt zmq_bind chmod zmq_msg_recv zmq_send zmq_close zmq_ctx_term unlink'
	# (the first subscriber, which joins late, may miss every message on a
	# loaded machine)
	like "zmq demo: the first subscriber's calls, in order" "$(zmq_sides zd.out consumer | head -1)" \
		'^zmq_ctx_new zmq_socket zmq_setsockopt zmq_connect( zmq_msg_recv)? zmq_setsockopt zmq_close zmq_ctx_term$'
	is "zmq demo: the second subscriber's calls, in order" "$(zmq_sides zd.out consumer | sed -n 2p)" \
		'zmq_ctx_new zmq_socket zmq_setsockopt zmq_connect zmq_msg_recv zmq_setsockopt zmq_close zmq_ctx_term'
	like "zmq demo: the subscriber subscribes to everything" "$OUT" \
		'^consumer \| explain\[[0-9]+\]: libzmq: zmq_setsockopt\(0x[0-9a-f]+, ZMQ_SUBSCRIBE, "", 0\) = 0$'
	like "zmq demo: the publisher's drops are counted" "$OUT" \
		'^producer \| explain\[[0-9]+\]: .*ZMQ_XPUB_NODROP'

	# The proxy: both sides set up and bound, the messages passed on,
	# both socket files removed at the end.
	rm -f zf.sock zb.sock
	"$IPCDEMO" zmq proxy --frontend ipc://zf.sock --backend ipc://zb.sock --pattern pushpull --explain=1 \
		>/dev/null 2>zx.err &
	zxpid=$!
	wait_for 10 test -S zb.sock
	"$IPCDEMO" zmq consume --endpoint ipc://zb.sock --pattern pushpull -n 2 --timeout 10s >/dev/null &
	zkpid=$!
	"$IPCDEMO" zmq produce --endpoint ipc://zf.sock --connect --pattern pushpull --source counter -n 2 -q
	wait "$zkpid"
	kill -INT "$zxpid"
	wait "$zxpid"
	is "zmq proxy --explain: ends on Ctrl-C" "$?" 0
	is "zmq proxy: its set-up and its end" "$(grep -E '^explain\[[0-9]+\]: [^ ]' zx.err |
		grep -Ev 'zmq_(poll|getsockopt|msg_recv|msg_send)\(|^explain\[[0-9]+\]: \.\.\.' | zmq_norm)" \
		'explain[PID]: libzmq: zmq_ctx_new() = ADDR
explain[PID]: libzmq: zmq_socket(ADDR, ZMQ_PULL) = ADDR
explain[PID]: libzmq: zmq_setsockopt(ADDR, ZMQ_LINGER, [0], 4) = 0
explain[PID]: libzmq: zmq_bind(ADDR, "ipc://zf.sock") = 0
explain[PID]: chmod("zf.sock", 0600) = 0
explain[PID]: libzmq: zmq_socket(ADDR, ZMQ_PUSH) = ADDR
explain[PID]: libzmq: zmq_setsockopt(ADDR, ZMQ_LINGER, [0], 4) = 0
explain[PID]: libzmq: zmq_bind(ADDR, "ipc://zb.sock") = 0
explain[PID]: chmod("zb.sock", 0600) = 0
explain[PID]: libzmq: zmq_close(ADDR) = 0
explain[PID]: libzmq: zmq_close(ADDR) = 0
explain[PID]: libzmq: zmq_ctx_term(ADDR) ...
explain[PID]: libzmq: zmq_ctx_term(ADDR) = 0
explain[PID]: unlink("zf.sock") = 0
explain[PID]: unlink("zb.sock") = 0'
	like "zmq proxy: a message passed on, told" "$(cat zx.err)" \
		'^explain\[[0-9]+\]: libzmq: zmq_msg_send\(\{"1", 1\}, 0x[0-9a-f]+, ZMQ_DONTWAIT\) = 1$'
	like "zmq proxy: the rest summed up" "$(cat zx.err)" '^explain\[[0-9]+\]: \.\.\. [0-9]+ more zmq_msg_recv\(3\) calls? of 1 byte'

	# The unlink told is the one strace sees: the last of the path in
	# that process. The one before it is libzmq's own, inside zmq_bind.
	if $strace_ok; then
		rm -f zu.sock
		traced zu unlink /dev/null zu.err "$IPCDEMO" zmq consume --endpoint ipc://zu.sock --bind \
			--pattern pushpull -n 1 --timeout 10s --explain=1 &
		zupid=$!
		wait_for 10 test -S zu.sock
		"$IPCDEMO" zmq produce --endpoint ipc://zu.sock --connect --pattern pushpull -n 1 -q >/dev/null
		wait "$zupid"
		told=$(sed -nE 's/^explain\[([0-9]+)\]: (unlink\(.*\) = .*)/\1 \2/p' zu.err)
		seen=$(grep -E '^[0-9]+ +unlink\("zu\.sock"\)' zu.st | tail -1 | sed -E 's/ +/ /g')
		is "zmq consume: the unlink told is the unlink strace saw" "$told" "$seen"
		like "... which removed the socket file" "$told" '^[0-9]+ unlink\("zu\.sock"\) = 0$'
		like "libzmq's own unlink of the path, inside zmq_bind" "$(grep -E 'unlink\("zu\.sock"\)' zu.st | head -1)" \
			'= -1 ENOENT'
	else
		skip "zmq: the unlink told is strace's" "$why"
	fi
fi

done_testing
