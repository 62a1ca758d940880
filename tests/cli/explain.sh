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
# One that does not narrate yet, while there is one: the first whose
# consume says so.
unnarrated=
for m in zmq udp tcp unix socketpair sysv shm; do
	timeout -k 2 5 "$IPCDEMO" "$m" consume --explain --timeout 10ms >/dev/null 2>"nn.err" </dev/null
	if grep -q "^explain\[[0-9]*\]: ipcdemo $m does not narrate its system calls yet" nn.err; then
		unnarrated=$m
		break
	fi
done
if [ -n "$unnarrated" ]; then
	ok "a mechanism that does not narrate yet says so ($unnarrated)" true
else
	skip "a mechanism that does not narrate yet says so" "every mechanism narrates its calls"
fi

# ---- the text ----

run "pipe produce --explain" 0 -- "$IPCDEMO" pipe produce -n 5 --batch 1 --explain=2
is "the data is the data" "$(printf '%s\n' "$OUT" | grep -Ecx "$UUID4_RE")" 5
norm=$(printf '%s\n' "$ERR" | sed -E "s/^explain\[[0-9]+\]/explain[PID]/; s/$UUID4_RE/UUID/g; s/\"UUID\"|\"[0-9a-f-]{32}\"/\"DATA\"/")
is "pipe produce: two writes told, the rest summed up" "$norm" \
	'explain[PID]: write(1, "DATA"..., 37) = 37
explain[PID]:     1 message (37 bytes): written to standard output, which is not a pipe here (a file or a terminal): put a | between this producer and a consumer to see a pipe
explain[PID]: write(1, "DATA"..., 37) = 37
explain[PID]:     1 message (37 bytes): written to standard output, which is not a pipe here (a file or a terminal): put a | between this producer and a consumer to see a pipe
explain[PID]: ... 3 more write(2) calls of 37 bytes, 0 failed'
# Into a pipe, the sentence speaks of the pipe.
# shellcheck disable=SC2016 # expanded by the inner shell
run "pipe produce --explain into a pipe" 0 -- sh -c '"$IPCDEMO" pipe produce -n 1 --explain 2>"$1" | cat >/dev/null; cat "$1"' _ "$T/into-pipe.err"
like "into a pipe: the pipe's sentence" "$OUT" 'in the pipe now, for the reader to take'

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

# ---- the queues: mq ----

# Names of this test's own (in its private IPC namespace when it has one).
XQ=/t-explain-$$
# norm: pids, UUIDs and times out of a narration.
norm() {
	sed -E "s/^explain\[[0-9]+/explain[PID/; s/$UUID4_RE/UUID/g; s/\"UUID\"|\"[0-9a-f-]{32}\"/\"DATA\"/g;
		s/tv_sec=[0-9]+, tv_nsec=[0-9]+/tv_sec=S, tv_nsec=NS/g"
}
run "mq send --explain" 0 -- "$IPCDEMO" mq send -q --name "$XQ-a" -n 4 --batch 1 --explain=2
is "mq send: open, make, two sends told, the rest summed up" "$(printf '%s\n' "$ERR" | norm)" \
	"explain[PID]: mq_open(\"${XQ#/}-a\", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0600, NULL) = 3
explain[PID]:     a new, empty queue: the kernel keeps it, and every message sent to it, until mq_unlink or a reboot, whether anyone has it open or not
explain[PID]: fchmod(3, 0600) = 0
explain[PID]:     the mode exactly as asked: mq_open applied the umask to it
explain[PID]: mq_getsetattr(3, NULL, {mq_flags=0, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=0}) = 0
explain[PID]:     0 of 10 messages queued, each at most 8192 bytes: the size it was made with, which never changes
explain[PID]: mq_timedsend(3, \"DATA\"..., 37, 0, NULL) = 0
explain[PID]:     queued: the kernel keeps the message until a receiver takes it, after we exit too
explain[PID]: mq_timedsend(3, \"DATA\"..., 37, 0, NULL) = 0
explain[PID]:     queued: the kernel keeps the message until a receiver takes it, after we exit too
explain[PID]: close(3) = 0
explain[PID]:     our descriptor is gone; the queue and its messages stay
explain[PID]: ... 2 more mq_timedsend(2) calls of 37 bytes, 0 failed"
run "mq receive --explain --nonblock" 0 -- "$IPCDEMO" mq receive -q --name "$XQ-a" --nonblock --unlink --explain=1
is "mq receive: the messages are the data" "$(printf '%s\n' "$OUT" | grep -Ecx "$UUID4_RE")" 4
like "mq receive: a message out, with its priority" "$ERR" \
	'^explain\[[0-9]+\]: mq_timedreceive\(3, "[0-9a-f-]{32}"\.\.\., 8192, \[0\], \{tv_sec=0, tv_nsec=0\}\) = 37$'
like "mq receive: the empty queue ends --nonblock, told" "$ERR" \
	'^explain\[[0-9]+\]: mq_timedreceive\(3, \.\.\., 8192, \.\.\., \{tv_sec=0, tv_nsec=0\}\) = -1 EAGAIN'
like "mq receive: ... and what it means" "$ERR" 'the queue is empty: EAGAIN \(O_NONBLOCK, no wait\)'
like "mq receive --unlink: mq_unlink told" "$ERR" "^explain\[[0-9]+\]: mq_unlink\(\"${XQ#/}-a\"\) = 0\$"
like "mq receive: 3 more summed up" "$ERR" '\.\.\. 3 more mq_timedreceive\(2\) calls of 37 bytes, 0 failed'
run "mq receive --explain: a blocking receive" 4 -- "$IPCDEMO" mq receive -q --name "$XQ-b" --timeout 300ms --unlink --explain
like "mq receive: a blocking receive is announced" "$ERR" \
	'^explain\[[0-9]+\]: mq_timedreceive\(3, \.\.\., 8192, \.\.\., \{tv_sec=[1-9][0-9]*, tv_nsec=[0-9]+\}\) \.\.\.$'
like "... with what it waits for" "$ERR" 'blocks until a message arrives, or until the time given'
like "... and its timeout told" "$ERR" '= -1 ETIMEDOUT \(Connection timed out\)$'
run "mq create --explain" 0 -- "$IPCDEMO" mq create -q --name "$XQ-c" --maxmsg 4 --msgsize 64 --explain
like "mq create: the attributes asked for" "$ERR" \
	"^explain\[[0-9]+\]: mq_open\(\"${XQ#/}-c\", O_RDONLY\|O_CREAT\|O_EXCL\|O_CLOEXEC, 0600, \{mq_flags=0, mq_maxmsg=4, mq_msgsize=64, mq_curmsgs=0\}\) = 3\$"
run "mq info --explain" 0 -- "$IPCDEMO" mq info --name "$XQ-c" --explain
like "mq info: mq_getsetattr" "$ERR" '^explain\[[0-9]+\]: mq_getsetattr\(3, NULL, \{mq_flags=0, mq_maxmsg=4, mq_msgsize=64, mq_curmsgs=0\}\) = 0$'
run "mq rm --explain" 0 -- "$IPCDEMO" mq rm -q --name "$XQ-c" --explain
like "mq rm: mq_unlink" "$ERR" "^explain\[[0-9]+\]: mq_unlink\(\"${XQ#/}-c\"\) = 0\$"
run "mq rm --explain: ENOENT" 1 -- "$IPCDEMO" mq rm -q --name "$XQ-c" --explain
like "mq rm: ENOENT told" "$ERR" 'mq_unlink\(.*\) = -1 ENOENT'
run "mq demo --explain" 0 -- "$IPCDEMO" mq demo --explain=1
like "mq demo: its own queue" "$ERR" '^explain\[[0-9]+ demo\]: mq_open\("ipcdemo-demo-[0-9]+", O_RDONLY\|O_CREAT\|O_EXCL\|O_CLOEXEC, 0600, NULL\) = 3$'
like "mq demo: a sender's send, labelled" "$OUT" '^sender 9 \| explain\[[0-9]+\]: mq_timedsend\(3, "priority 9: sent third\\n", 23, 9, '
like "mq demo: the receiver's first, priority 9" "$OUT" '^receiver \| explain\[[0-9]+\]: mq_timedreceive\(3, "priority 9: sent third\\n", 8192, \[9\], '
like "mq demo: the queue removed" "$ERR" '^explain\[[0-9]+ demo\]: mq_unlink\("ipcdemo-demo-[0-9]+"\) = 0$'

# ---- the queues: sysv ----

XK=$(printf '0x7e57%04x' $(($$ & 0xffff)))
run "sysv send --explain" 0 -- "$IPCDEMO" sysv send -q --key "$XK" -n 4 --type 2 --explain=2
is "sysv send: make, two sends told (no timer: no deadline), the rest summed up" "$(printf '%s\n' "$ERR" | norm | sed -E 's/id [0-9]+:/id ID:/; s/^(explain\[PID\]: msgget.*) = [0-9]+$/\1 = ID/; s/(msgsnd|timer_[a-z]+)\([0-9]+,/\1(ID,/; s/\[[0-9]+\]\) = 0$/[ID]) = 0/; s/timer_delete\([0-9]+\)/timer_delete(ID)/')" \
	"explain[PID]: msgget($XK, IPC_CREAT|IPC_EXCL|0600) = ID
explain[PID]:     a new, empty queue with id ID: the kernel keeps it, and every message sent to it, until msgctl IPC_RMID or a reboot (ipcs -q lists it)
explain[PID]: msgsnd(ID, {mtype=2, mtext=\"DATA\"...}, 37, 0) = 0
explain[PID]:     queued: the kernel keeps the message, after we exit too, until a receiver takes it
explain[PID]: msgsnd(ID, {mtype=2, mtext=\"DATA\"...}, 37, 0) = 0
explain[PID]:     queued: the kernel keeps the message, after we exit too, until a receiver takes it
explain[PID]: ... 2 more msgsnd(2) calls of 37 bytes, 0 failed"
run "sysv receive --explain --nonblock" 0 -- "$IPCDEMO" sysv receive -q --key "$XK" --nonblock --unlink --explain=1
is "sysv receive: the messages are the data" "$(printf '%s\n' "$OUT" | grep -Ecx "$UUID4_RE")" 4
like "sysv receive: msgget of the key that exists" "$ERR" "^explain\[[0-9]+\]: msgget\($XK, 000\) = [0-9]+\$"
like "sysv receive: a message out, with its type" "$ERR" \
	'^explain\[[0-9]+\]: msgrcv\([0-9]+, \{mtype=2, mtext="[0-9a-f-]{32}"\.\.\.\}, 8192, 0, IPC_NOWAIT\) = 37$'
like "sysv receive: the empty queue ends --nonblock, told" "$ERR" \
	'^explain\[[0-9]+\]: msgrcv\([0-9]+, \.\.\., 8192, 0, IPC_NOWAIT\) = -1 ENOMSG'
like "sysv receive --unlink: IPC_RMID told" "$ERR" '^explain\[[0-9]+\]: msgctl\([0-9]+, IPC_RMID, NULL\) = 0$'
run "sysv receive --explain: a blocking receive" 4 -- "$IPCDEMO" sysv receive -q --key "$XK" --timeout 600ms --unlink --explain
like "sysv receive: the timer, made" "$ERR" \
	'^explain\[[0-9]+\]: timer_create\(CLOCK_MONOTONIC, \{sigev_signo=SIGRT_[0-9]+, sigev_notify=SIGEV_SIGNAL\}, \[[0-9]+\]\) = 0$'
like "sysv receive: ... and armed" "$ERR" '^explain\[[0-9]+\]: timer_settime\([0-9]+, TIMER_ABSTIME, \{it_interval=\{tv_sec=0, tv_nsec=250000000\}, '
like "sysv receive: a blocking receive is announced" "$ERR" '^explain\[[0-9]+\]: msgrcv\([0-9]+, \.\.\., 8192, 0, 0\) \.\.\.$'
like "sysv receive: ... woken by the timer" "$ERR" '^explain\[[0-9]+\]: msgrcv\([0-9]+, \.\.\., 8192, 0, 0\) = -1 EINTR'
like "sysv receive: the timer deleted" "$ERR" '^explain\[[0-9]+\]: timer_delete\([0-9]+\) = 0$'
run "sysv create --explain" 0 -- "$IPCDEMO" sysv create -q --key "$XK" --explain
run "sysv info --explain" 0 -- "$IPCDEMO" sysv info --key "$XK" --explain
like "sysv info: IPC_STAT" "$ERR" '^explain\[[0-9]+\]: msgctl\([0-9]+, IPC_STAT, \{msg_perm=\{uid=[0-9]+, gid=[0-9]+, mode=0600, .*msg_qnum=0, '
run "sysv rm --explain" 0 -- "$IPCDEMO" sysv rm -q --key "$XK" --explain
like "sysv rm: IPC_RMID" "$ERR" '^explain\[[0-9]+\]: msgctl\([0-9]+, IPC_RMID, NULL\) = 0$'
run "sysv rm --explain: no such key" 1 -- "$IPCDEMO" sysv rm -q --key "$XK" --explain
like "sysv rm: ENOENT told" "$ERR" "^explain\[[0-9]+\]: msgget\($XK, 000\) = -1 ENOENT"
run "sysv demo --explain" 0 -- "$IPCDEMO" sysv demo --explain=1
like "sysv demo: its own queue" "$ERR" '^explain\[[0-9]+ demo\]: msgget\(0x[0-9a-f]+, IPC_CREAT\|IPC_EXCL\|0600\) = [0-9]+$'
like "sysv demo: a sender's send, labelled" "$OUT" '^sender 3 \| explain\[[0-9]+\]: msgsnd\([0-9]+, \{mtype=3, mtext="type 3: sent third\\n"\}, 19, '
like "sysv demo: the type 2 receiver's, labelled" "$OUT" '^type 2   \| explain\[[0-9]+\]: msgrcv\([0-9]+, \{mtype=2, mtext="type 2: sent fourth\\n"\}, 8192, 2, '
like "sysv demo: the queue removed" "$ERR" '^explain\[[0-9]+ demo\]: msgctl\([0-9]+, IPC_RMID, NULL\) = 0$'

# ---- the queues: shm ----

XS=/t-explain-$$-shm
addr() { sed -E 's/0x[0-9a-f]{6,}/ADDR/g'; }
run "shm produce --explain" 0 -- "$IPCDEMO" shm produce -q --name "$XS" --slots 4 --slot-size 64 -n 2 --batch 1 --explain=1
is "shm produce: make, map, reserve; the messages need no call" "$(printf '%s\n' "$ERR" | norm | addr)" \
	"explain[PID]: openat(AT_FDCWD, \"/dev/shm/${XS#/}\", O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600) = 3
explain[PID]:     a new, empty object of 0 bytes: a file in the tmpfs on /dev/shm, kept until shm_unlink or a reboot
explain[PID]: fchmod(3, 0600) = 0
explain[PID]:     the mode exactly as asked: shm_open applied the umask to it
explain[PID]: ftruncate(3, 640) = 0
explain[PID]:     the object's size: the ring's header and its slots, read as zeros until written
explain[PID]: mmap(NULL, 640, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = ADDR
explain[PID]:     the whole ring, shared: what one process writes there, the others read, with no system call
explain[PID]: fallocate(3, 0, 0, 640) = 0
explain[PID]:     the memory is reserved now: a full /dev/shm fails here, not with SIGBUS later
explain[PID]: munmap(ADDR, 640) = 0
explain[PID]:     unmapped: the ring and its messages stay in the object
explain[PID]: close(3) = 0
explain[PID]:     our descriptor is gone; the object stays until shm_unlink"
run "shm consume --explain --nonblock" 0 -- "$IPCDEMO" shm consume -q --name "$XS" --nonblock --unlink --explain
is "shm consume: the messages are the data" "$(printf '%s\n' "$OUT" | grep -Ecx "$UUID4_RE")" 2
like "shm consume: the object opened as it is" "$ERR" \
	"^explain\[[0-9]+\]: openat\(AT_FDCWD, \"/dev/shm/${XS#/}\", O_RDWR\|O_NOFOLLOW\|O_CLOEXEC\) = 3\$"
like "shm consume: its header mapped first" "$ERR" '^explain\[[0-9]+\]: mmap\(NULL, 128, PROT_READ\|PROT_WRITE, MAP_SHARED, 3, 0\) = 0x[0-9a-f]+$'
like "shm consume --unlink: the unlink under /dev/shm" "$ERR" "^explain\[[0-9]+\]: unlink\(\"/dev/shm/${XS#/}\"\) = 0\$"
run "shm consume --explain: a sleep on the futex" 4 -- "$IPCDEMO" shm consume -q --name "$XS" --timeout 300ms --unlink --explain
like "shm consume: the sleep is announced" "$ERR" '^explain\[[0-9]+\]: futex\(0x[0-9a-f]+, FUTEX_WAIT, 0, \{tv_sec=0, tv_nsec=[0-9]+\}\) \.\.\.$'
like "... with what it waits for" "$ERR" 'blocks until a producer puts a message \(FUTEX_WAKE\), or for 250 ms at most'
like "... and its end told" "$ERR" '^explain\[[0-9]+\]: futex\(0x[0-9a-f]+, FUTEX_WAIT, 0, \{tv_sec=0, tv_nsec=[0-9]+\}\) = -1 ETIMEDOUT'
run "shm create --explain" 0 -- "$IPCDEMO" shm create -q --name "$XS" --explain
like "shm create: the memory reserved" "$ERR" '^explain\[[0-9]+\]: fallocate\(3, 0, 0, [0-9]+\) = 0$'
run "shm info --explain" 0 -- "$IPCDEMO" shm info --name "$XS" --explain
like "shm info: mapped to be read" "$ERR" '^explain\[[0-9]+\]: mmap\(NULL, [0-9]+, PROT_READ\|PROT_WRITE, MAP_SHARED, 3, 0\) = 0x'
run "shm info --explain --json" 0 -- "$IPCDEMO" shm info --name "$XS" --explain --json
if command -v jq >/dev/null 2>&1; then
	is "--json: mmap's result is its address, as text" \
		"$(printf '%s\n' "$ERR" | jq -r 'select(.call == "mmap") | .result | type' | sort -u)" "string"
	is "--json: the queue's calls, in order" "$(printf '%s\n' "$ERR" | jq -r .call | tr '\n' ' ')" \
		"openat mmap munmap mmap munmap close "
else
	skip "--json: the queue's calls" "jq is not installed"
fi
run "shm rm --explain" 0 -- "$IPCDEMO" shm rm -q --name "$XS" --explain
like "shm rm: the unlink" "$ERR" "^explain\[[0-9]+\]: unlink\(\"/dev/shm/${XS#/}\"\) = 0\$"
run "shm rm --explain: ENOENT" 1 -- "$IPCDEMO" shm rm -q --name "$XS" --explain
like "shm rm: ENOENT told" "$ERR" 'unlink\(.*\) = -1 ENOENT'
run "shm demo --explain" 0 -- "$IPCDEMO" shm demo --explain=2
like "shm demo: its own ring" "$ERR" '^explain\[[0-9]+ demo\]: openat\(AT_FDCWD, "/dev/shm/ipcdemo-demo-[0-9]+", O_RDWR\|O_CREAT\|O_EXCL'
like "shm demo: the producer sleeps on a full ring" "$OUT" '^producer \| explain\[[0-9]+\]: futex\(0x[0-9a-f]+, FUTEX_WAIT, '
like "shm demo: the consumer wakes it" "$OUT" '^consumer \| explain\[[0-9]+\]: futex\(0x[0-9a-f]+, FUTEX_WAKE, 2147483647\) = [01]$'
like "shm demo: the ring removed" "$ERR" '^explain\[[0-9]+ demo\]: unlink\("/dev/shm/ipcdemo-demo-[0-9]+"\) = 0$'

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
like "socketpair run: the child's recv" "$ERR" '^explain\[[0-9]+ child\]: recvfrom\(4, "[0-9a-f-]{32}"\.\.\., 65536, MSG_TRUNC, NULL, NULL\) = 37$'
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

	# mq: a receiver waiting, a sender faster than it fills the queue
	# (10 messages) and waits for room.
	M=mq_open,mq_timedsend,mq_timedreceive,mq_getsetattr,mq_unlink,fchmod,close
	traced mqc "$M" /dev/null mqc.err "$IPCDEMO" mq receive --name "$XQ-s" -n 40 --unlink --explain=4 --timeout 10s &
	mqcpid=$!
	wait_for 10 has mqc.err 'mq_timedreceive.* \.\.\.$'
	traced mqp "$M" /dev/null mqp.err "$IPCDEMO" mq send --name "$XQ-s" -n 40 --batch 1 --explain=4
	wait "$mqcpid"
	cross "mq send: the narrated calls are strace's" "$M" mqp.st mqp.err
	cross "mq receive: the narrated calls are strace's" "$M" mqc.st mqc.err
	like "mq send: the other sends summed up" "$(cat mqp.err)" '\.\.\. 3[6-9] more mq_timedsend\(2\) calls of 37 bytes, [0-9]+ failed'

	Q=mq_open,mq_timedsend,mq_timedreceive,mq_getsetattr,mq_unlink,fchmod,clone,wait4
	traced mqd "$Q" mqd.out mqd.err "$IPCDEMO" mq demo --explain=2
	cross "mq demo: the demo and each role narrate strace's calls" "$Q" mqd.st mqd.out mqd.err

	# sysv: the same, with the timer that wakes a blocking msgrcv.
	S=msgget,msgsnd,msgrcv,msgctl,timer_create,timer_settime,timer_delete
	traced svc "$S" /dev/null svc.err "$IPCDEMO" sysv receive --key "$XK" -n 40 --unlink --explain=4 --timeout 10s &
	svcpid=$!
	wait_for 10 has svc.err 'msgrcv.* \.\.\.$'
	sleep 0.6 # a tick of the timer or two
	traced svp "$S" /dev/null svp.err "$IPCDEMO" sysv send --key "$XK" -n 40 --batch 1 --explain=4
	wait "$svcpid"
	cross "sysv send: the narrated calls are strace's" "$S" svp.st svp.err
	cross "sysv receive: the narrated calls are strace's" "$S" svc.st svc.err
	like "sysv send: the other sends summed up" "$(cat svp.err)" '\.\.\. 3[6-9] more msgsnd\(2\) calls of 37 bytes, [0-9]+ failed'

	V=msgget,msgsnd,msgrcv,msgctl,timer_create,timer_settime,timer_delete,clone,wait4
	traced svd "$V" svd.out svd.err "$IPCDEMO" sysv demo --explain=2
	cross "sysv demo: the demo and each role narrate strace's calls" "$V" svd.st svd.out svd.err

	# shm: a consumer asleep, a producer that fills the 4 slots and sleeps
	# too; the futex words are data_seq and space_seq (the ring's lock is
	# the C library's, its futex calls not told).
	words=$("$RING_OFFSETS" | awk '$1 == "data_seq" || $1 == "space_seq" { printf "%s%s", s, $2; s = "," }')
	H=openat,fchmod,ftruncate,fallocate,mmap,munmap,futex,unlink,close
	traced shc "$H" /dev/null shc.err "$IPCDEMO" shm consume --name "$XS" --slots 4 --slot-size 64 -n 40 --unlink \
		--explain=4 --timeout 10s &
	shcpid=$!
	wait_for 10 has shc.err 'futex.* \.\.\.$'
	traced shp "$H" /dev/null shp.err "$IPCDEMO" shm produce --name "$XS" --slots 4 --slot-size 64 -n 40 --batch 1 \
		--explain=4
	wait "$shcpid"
	cross "shm produce: the narrated calls are strace's" "$H" --futex-at="$words" shp.st shp.err
	cross "shm consume: the narrated calls are strace's" "$H" --futex-at="$words" shc.st shc.err

	W=openat,fchmod,ftruncate,fallocate,mmap,munmap,futex,unlink,clone,wait4
	traced shd "$W" shd.out shd.err "$IPCDEMO" shm demo --explain=2
	cross "shm demo: the demo and both sides narrate strace's calls" "$W" --futex-at="$words" shd.st shd.out shd.err

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
	# 30 messages, 4 told: 26 more, and the tries that found the socket
	# drained (EAGAIN, then the consumer waits in poll) apart.
	sum=$(sed -nE 's/.*\.\.\. ([0-9]+) more recvfrom\(2\) calls of 37 bytes(, ([0-9]+) with EAGAIN)?, 0 failed$/\1 \3/p' ucdgram.err)
	is "unix dgram: recv summed up, the drained tries apart" "$(echo "$sum" | awk '{ print $1 - $2 }')" 26
	like "unix stream: the producer unlinks its socket file" "$(cat upstream.err)" '^explain\[[0-9]+\]: unlink\("ipc.sock"\) = 0$'
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
# A producer's checks that its peers read all (ioctl SIOCOUTQ) are left
# out too: how many there are, if any, depends on timing (none when the
# consumer had all and went before the producer looked).
zmq_norm() {
	sed -E 's/^explain\[[0-9]+\]/explain[PID]/; s/0x[0-9a-f]+/ADDR/g' | awk '
skip { skip = 0; if ($0 ~ /^explain\[PID\]:     /) next }
/libzmq: zmq_poll\(/ || /: ioctl\(/ || /= -1 EAGAIN/ { skip = 1; next }
/^explain\[PID\]: \.\.\. / { next }
{ print }'
}
# zmq_calls FILE: the calls of --json records, their arguments and
# results, addresses normalized, without zmq_poll and EAGAIN.
zmq_calls() {
	jq -r 'select((.summary|not) and .call != "zmq_poll" and .call != "ioctl" and .errno != "EAGAIN")
		| "\(.call)(\(.args)) = \(.result)"' "$1" | sed -E 's/0x[0-9a-f]+/ADDR/g'
}
# zmq_sides FILE LABEL: the calls (names) of each process of a demo side,
# one line a process, repeats and zmq_poll left out.
zmq_sides() {
	sed -nE "s/^$2 \\| explain\\[([0-9]+)\\]: (libzmq: )?([a-z0-9_]+)\\(.*\\) = .*/\\1 \\3/p" "$1" |
		awk '$2 != "zmq_poll" && $2 != "ioctl" && !($1 == pid && $2 == last) {
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
		| select(.call != "ioctl") | select(.call != "zmq_poll" or (.summary|not)) | del(.again) | keys_unsorted' | sort -u)" \
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
		"$(jq -r 'select(.summary and .call != "ioctl") | "\(.call) \(.calls) \(.failed) \(.bytes_min)-\(.bytes_max)"' zjp.json)" \
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
