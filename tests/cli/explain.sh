#!/bin/bash
# --explain: the narrated system calls of pipe, fifo and file are the calls
# strace sees (names, objects, results, in order per process), their text
# and JSON have the documented shape, and every verb takes the option.
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

# ---- sockets ----

rm -f ipc.sock
"$IPCDEMO" unix consume --type dgram -n 3 --timeout 10s -q >/dev/null 2>&1 &
ucpid=$!
wait_for 10 test -S ipc.sock
run "unix produce --type dgram --explain" 0 -- "$IPCDEMO" unix produce --type dgram -n 3 --batch 1 --explain=2
wait "$ucpid"
norm=$(printf '%s\n' "$ERR" | sed -E "s/^explain\[[0-9]+\]/explain[PID]/; s/\"[0-9a-f-]{32}\"/\"DATA\"/")
is "unix dgram produce: the calls, in order" "$norm" \
	'explain[PID]: socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0) = 3
explain[PID]:     a socket to connect with
explain[PID]: bind(3, {sa_family=AF_UNIX}, 2) = 0
explain[PID]:     autobind: the kernel gives the socket an abstract name of its own, for replies
explain[PID]: connect(3, {sa_family=AF_UNIX, sun_path="ipc.sock"}, 11) = 0
explain[PID]:     no connection: only where send sends by default (and whose datagrams we take)
explain[PID]: sendto(3, "DATA"..., 37, MSG_NOSIGNAL, NULL, 0) = 37
explain[PID]:     1 message (37 bytes): one datagram: the kernel put it in the receiver'"'"'s queue whole
explain[PID]: sendto(3, "DATA"..., 37, MSG_NOSIGNAL, NULL, 0) = 37
explain[PID]:     1 message (37 bytes): one datagram: the kernel put it in the receiver'"'"'s queue whole
explain[PID]: close(3) = 0
explain[PID]:     the producer is done: a datagram socket has no end of file to send
explain[PID]: ... 1 more sendto(2) call of 37 bytes, 0 failed'
rm -f ipc.sock
run "unix consume: nobody listens" 1 -- "$IPCDEMO" unix consume --explain
like "unix consume: connect fails with ENOENT, said" "$ERR" \
	'^explain\[[0-9]+\]: connect\(3, \{sa_family=AF_UNIX, sun_path="ipc.sock"\}, 11\) = -1 ENOENT \(No such file or directory\)$'
like "... and what it means" "$ERR" 'no socket file at that path: nobody has bound it yet'
run "unix consume --path @name: the abstract name" 1 -- "$IPCDEMO" unix consume --path @ipcdemo-explain-none --explain
like "unix: an abstract name as strace shows it" "$ERR" \
	'connect\(3, \{sa_family=AF_UNIX, sun_path=@"ipcdemo-explain-none"\}, 23\) = -1 ECONNREFUSED'
run "unix demo --explain" 0 -- "$IPCDEMO" unix demo --explain=1
like "unix demo: the producer listens" "$OUT" '^producer \| explain\[[0-9]+\]: listen\(3, [0-9]+\) = 0$'
like "unix demo: the consumer connects" "$OUT" '^consumer \| explain\[[0-9]+\]: connect\(3, \{sa_family=AF_UNIX, sun_path=".*ipc.sock"\}, [0-9]+\) = 0$'

run "socketpair run --type dgram --explain" 0 -- "$IPCDEMO" socketpair run --type dgram -n 3 --batch 1 --explain=2
norm=$(printf '%s\n' "$ERR" | grep '^explain\[[0-9]* parent\]' |
	sed -E "s/^explain\[[0-9]+ /explain[PID /; s/\"[0-9a-f-]{32}\"/\"DATA\"/; s/= [0-9]+$/= N/; s/wait4\([0-9]+,/wait4(PID,/")
is "socketpair run: the parent's calls, in order" "$norm" \
	'explain[PID parent]: socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, [3, 4]) = N
explain[PID parent]:     two sockets already connected to each other, no name anywhere: what one sends the other receives, both ways
explain[PID parent]: clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD) = N
explain[PID parent]:     the child: the consumer, with both ends of the pair open
explain[PID parent]: close(4) = N
explain[PID parent]:     the child'"'"'s end: the parent only sends
explain[PID parent]: sendto(3, "DATA"..., 37, MSG_NOSIGNAL, NULL, 0) = N
explain[PID parent]:     1 message (37 bytes): one datagram: the kernel put it in the receiver'"'"'s queue whole
explain[PID parent]: sendto(3, "DATA"..., 37, MSG_NOSIGNAL, NULL, 0) = N
explain[PID parent]:     1 message (37 bytes): one datagram: the kernel put it in the receiver'"'"'s queue whole
explain[PID parent]: sendto(3, "", 0, MSG_NOSIGNAL, NULL, 0) = N
explain[PID parent]:     an empty datagram: the end, since datagrams have no end of file
explain[PID parent]: close(3) = N
explain[PID parent]:     the parent is done (the empty datagram told the child)
explain[PID parent]: ... 1 more sendto(2) call of 37 bytes, 0 failed
explain[PID parent]: wait4(PID, ..., 0, NULL) ...
explain[PID parent]:     blocks until the child exits
explain[PID parent]: wait4(PID, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = N
explain[PID parent]:     waits until the child has taken everything and exited'
like "socketpair run: the child's recvmsg" "$ERR" '^explain\[[0-9]+ child\]: recvmsg\(4, \{msg_iov=\[\{iov_base="[0-9a-f-]{32}"\.\.\., iov_len=65536\}\]'
run "socketpair demo --explain" 0 -- "$IPCDEMO" socketpair demo --explain=8
like "socketpair demo: the child answers" "$ERR" '^explain\[[0-9]+ child\]: sendto\(4, "Heavy lifting received!", 23, 0, NULL, 0\) = 23$|^explain\[[0-9]+ child\]: write\(4, "Heavy lifting received!", 23\) = 23$'
like "socketpair demo: the parent receives" "$ERR" '^explain\[[0-9]+ parent\]: recvfrom\(3, \.\.\., 1299, 0, NULL, NULL\) = 23$'

run "udp produce with nobody receiving --explain" 0 -- "$IPCDEMO" udp produce --address 127.0.0.1:7399 -n 1 --batches 3 \
	--every 50ms --explain=3
like "udp: the datagram goes, whether anyone receives it or not" "$ERR" \
	'^explain\[[0-9]+\]: sendto\(3, "[0-9a-f-]{32}"\.\.\., 37, MSG_NOSIGNAL, NULL, 0\) = 37$'
like "udp: an earlier one refused: ECONNREFUSED, said" "$ERR" \
	'^explain\[[0-9]+\]: sendto\(3, .*\) = -1 ECONNREFUSED \(Connection refused\)$'
like "... and what it means" "$ERR" 'nobody is receiving there'
run "tcp consume: nobody listens" 1 -- "$IPCDEMO" tcp consume --address 127.0.0.1:7399 --explain
like "tcp: connect as strace shows it" "$ERR" \
	'^explain\[[0-9]+\]: connect\(3, \{sa_family=AF_INET, sin_port=htons\(7399\), sin_addr=inet_addr\("127.0.0.1"\)\}, 16\) = -1 ECONNREFUSED'
run "tcp demo --explain" 0 -- "$IPCDEMO" tcp demo --explain=1
like "tcp demo: the demo finds a free port" "$ERR" '^explain\[[0-9]+( demo)?\]: bind\(3, \{sa_family=AF_INET, sin_port=htons\(0\), '
like "tcp demo: the producer listens" "$OUT" '^producer \| explain\[[0-9]+\]: listen\(3, [0-9]+\) = 0$'

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

	# A producer and a consumer that meet at a socket: the consumer is
	# started first and waits, the producer's calls are then all made.
	U=socket,bind,listen,accept4,connect,setsockopt,sendto,recvfrom,recvmsg,read,write,unlink,close
	for type in stream dgram; do
		rm -f ipc.sock
		if [ "$type" = dgram ]; then
			traced "uc$type" "$U" /dev/null "uc$type.err" "$IPCDEMO" unix consume --type dgram -n 30 --timeout 10s \
				-q --explain=4 &
			ucpid=$!
			wait_for 10 test -S ipc.sock
			traced "up$type" "$U" /dev/null "up$type.err" "$IPCDEMO" unix produce --type dgram -n 30 --batch 1 \
				--explain=4
		else
			traced "up$type" "$U" /dev/null "up$type.err" "$IPCDEMO" unix produce -n 30 --batch 1 --explain=4 &
			uppid=$!
			wait_for 10 test -S ipc.sock
			traced "uc$type" "$U" /dev/null "uc$type.err" "$IPCDEMO" unix consume -q --explain=4 --timeout 10s
			ucpid=$uppid
		fi
		wait "$ucpid"
		cross "unix produce --type $type: the narrated calls are strace's" "$U" "up$type.st" "up$type.err"
		cross "unix consume --type $type: the narrated calls are strace's" "$U" "uc$type.st" "uc$type.err"
	done
	# Descriptors: --via memfd over datagrams, --pass-fd over a stream. The
	# consumer's look at what came (fcntl F_GETFL, pread) is not told, so
	# the --pass-fd pair leaves fcntl out.
	M=$U,sendmsg,memfd_create,fcntl,mmap
	rm -f ipc.sock
	traced ucm "$M" /dev/null ucm.err "$IPCDEMO" unix consume --type dgram --via memfd -n 12 --verify --timeout 10s \
		-q --explain=3 &
	ucpid=$!
	wait_for 10 test -S ipc.sock
	traced upm "$M" /dev/null upm.err "$IPCDEMO" unix produce --type dgram --via memfd -n 12 --batch 1 --explain=3
	wait "$ucpid"
	cross "unix produce --via memfd: the narrated calls are strace's" "$M" upm.st upm.err
	cross "unix consume --via memfd: the narrated calls are strace's" "$M" ucm.st ucm.err
	like "--via memfd: the seals told" "$(cat upm.err)" \
		'^explain\[[0-9]+\]: fcntl\(4, F_ADD_SEALS, F_SEAL_SEAL\|F_SEAL_SHRINK\|F_SEAL_GROW\|F_SEAL_WRITE\) = 0$'
	like "--via memfd: the consumer maps it" "$(cat ucm.err)" '^explain\[[0-9]+\]: mmap\(NULL, 37, PROT_READ, MAP_SHARED, 4, 0\) = [0-9]+$'
	R=$U,sendmsg,openat
	rm -f ipc.sock
	printf 'passed\n' >passfd.txt
	traced upf "$R" /dev/null upf.err "$IPCDEMO" unix produce --pass-fd passfd.txt -n 12 --batch 1 --explain=3 &
	uppid=$!
	wait_for 10 test -S ipc.sock
	traced ucf "$R" /dev/null ucf.err "$IPCDEMO" unix consume --fds -q --explain=3 --timeout 10s
	wait "$uppid"
	cross "unix produce --pass-fd: the narrated calls are strace's" "$R" upf.st upf.err
	cross "unix consume --fds: the narrated calls are strace's" "$R" ucf.st ucf.err
	like "--pass-fd: SCM_RIGHTS told" "$(cat upf.err)" 'cmsg_type=SCM_RIGHTS, cmsg_data=\[3\]'
	S=socketpair,clone,wait4,read,write,sendto,recvfrom,recvmsg,sendmsg,setsockopt,close
	for type in stream dgram seqpacket; do
		traced "sp$type" "$S" /dev/null "sp$type.err" "$IPCDEMO" socketpair run --type "$type" -n 20 --batch 1 --explain=3
		cross "socketpair run --type $type: parent and child narrate strace's calls" "$S" "sp$type.st" "sp$type.err"
	done
	traced spd "$S" /dev/null spd.err "$IPCDEMO" socketpair demo --explain=3
	cross "socketpair demo: parent and child narrate strace's calls" "$S" spd.st spd.err
	printf 'passed\n' >passfd.txt
	traced spf "$S" /dev/null spf.err "$IPCDEMO" socketpair run --type seqpacket --pass-fd passfd.txt --send-creds \
		-n 10 --batch 1 --explain=3
	cross "socketpair run --pass-fd --send-creds: the narrated calls are strace's" "$S" spf.st spf.err
	# TCP and UDP: the consumer's fcntl(F_GETFL) of the shared stream
	# loop is not told, so fcntl is left out.
	N=socket,bind,listen,accept4,connect,setsockopt,sendto,recvfrom,recvmsg,read,write,close
	traced tp "$N" /dev/null tp.err "$IPCDEMO" tcp produce --address 127.0.0.1:7398 -n 30 --batch 1 --nodelay --explain=4 &
	tppid=$!
	wait_for 10 has tp.err 'listening on'
	traced tc "$N" /dev/null tc.err "$IPCDEMO" tcp consume --address 127.0.0.1:7398 -q --rcvbuf 64k --explain=4 --timeout 10s
	wait "$tppid"
	cross "tcp produce: the narrated calls are strace's" "$N" tp.st tp.err
	cross "tcp consume: the narrated calls are strace's" "$N" tc.st tc.err
	like "tcp: TCP_NODELAY told" "$(cat tp.err)" 'setsockopt\(3, IPPROTO_TCP, TCP_NODELAY, \[1\], 4\) = 0'
	traced dc "$N" /dev/null dc.err "$IPCDEMO" udp consume --address 127.0.0.1:7397 -n 30 -q --explain=4 --timeout 10s &
	dcpid=$!
	wait_for 10 has dc.err 'bind\('
	traced dp "$N" /dev/null dp.err "$IPCDEMO" udp produce --address 127.0.0.1:7397 -n 30 --batch 1 --explain=4
	wait "$dcpid"
	cross "udp produce: the narrated calls are strace's" "$N" dp.st dp.err
	cross "udp consume: the narrated calls are strace's" "$N" dc.st dc.err
	like "unix dgram: recvmsg summed up" "$(cat ucdgram.err)" '\.\.\. 26 more recvmsg\(2\) calls of 37 bytes, 0 failed'
	like "unix stream: the producer unlinks its socket file" "$(cat upstream.err)" '^explain\[[0-9]+\]: unlink\("ipc.sock"\) = 0$'
else
	skip "the narrated calls are strace's" "$why"
fi

done_testing
