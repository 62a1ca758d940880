#!/bin/bash
# memcheck over every mechanism: each demo, and a short produce and consume
# of each (stamped, with --verify), under valgrind's memcheck with
# --track-fds=yes --leak-check=full --trace-children=yes. A case fails on
# any memcheck error (invalid reads or writes, uninitialised values,
# definite or possible leaks: --error-exitcode) and on any descriptor open
# at exit that the process did not inherit when it started: a forked demo
# or run child must not exit with its parent's descriptors open. What the
# test harness passes down (stdin, stdout, stderr, any other inherited
# descriptor) valgrind marks as inherited, and it does not count.
# meson runs this through tests/isolate.sh (suite valgrind).
# (plain shellcheck does not follow lib.sh; shellcheck -x does)
# shellcheck source=../cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"
# shellcheck source=../cli/ports.sh
. "$LIB_DIR/ports.sh"

export LC_ALL=C
# valgrind is 20 to 50 times slower: generous limits.
T_LIMIT=180
BG_LIMIT=180

if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind is not installed"
	exit 0
fi

# A sanitizer build cannot run under valgrind.
if grep -qa -e __asan_init -e __tsan_init -e __msan_init "$IPCDEMO" 2>/dev/null; then
	echo "1..0 # SKIP $IPCDEMO is built with a sanitizer, which valgrind cannot run"
	exit 0
fi

mkdir vg
# vg CASE ARG...: ipcdemo ARG... under memcheck, a log per process in vg/;
# vg_cmd CASE sets VG to that command line, for bg.
vg_cmd() {
	VG=(valgrind -q --track-fds=yes --leak-check=full "--errors-for-leak-kinds=definite,possible"
		--trace-children=yes --error-exitcode=99 --log-file="$T/vg/$1.%p" "$IPCDEMO")
}
vg() {
	vg_cmd "$1"
	shift
	"${VG[@]}" "$@"
}
# vg_clean CASE: no memcheck error and no descriptor leaked, in every
# process of CASE; prints what it found
vg_clean() {
	local logs=("$T/vg/$1".*) bad
	[ -e "${logs[0]}" ] || { echo "# no valgrind log for $1"; return 1; }
	bad=$(awk '
		/Open file descriptor [0-9]+:/ { fd = $0; getline; if ($0 !~ /inherited from parent/) { leak = 1 } else { fd = "" } }
		leak && /^==[0-9]+== *$/ { leak = 0; print FILENAME ": leaked " fd }
		leak { fd = fd "\n" $0 }
		/ERROR SUMMARY: [1-9]/ { print FILENAME ": " $0 }
		/^==[0-9]+== (Invalid|Conditional|Syscall param|Use of uninit|Mismatched|[0-9,]+ bytes in [0-9,]+ blocks are (definitely|possibly))/ { print FILENAME ": " $0 }
	' "${logs[@]}")
	[ -z "$bad" ] && return 0
	printf '%s\n' "$bad" | sed 's/^/# /'
	return 1
}
# check NAME CASE WANT STATUS: the status of CASE, and its logs clean
check() {
	is "$1: exit status" "$4" "$3"
	ok "$1: no memcheck error, no descriptor left open" vg_clean "$2"
}

# ---- every demo ----

for m in file pipe fifo unix tcp udp mq sysv shm socketpair; do
	TMPDIR=$T vg "demo-$m" "$m" demo >"demo-$m.out" 2>"demo-$m.err" </dev/null
	check "$m demo" "demo-$m" 0 $?
done
for t in dgram seqpacket; do
	TMPDIR=$T vg "demo-unix-$t" unix demo --type "$t" >/dev/null 2>&1 </dev/null
	check "unix demo --type $t" "demo-unix-$t" 0 $?
	vg "demo-socketpair-$t" socketpair demo --type "$t" >/dev/null 2>&1 </dev/null
	check "socketpair demo --type $t" "demo-socketpair-$t" 0 $?
done
vg "demo-socketpair-stream" socketpair demo --type stream >/dev/null 2>&1 </dev/null
check "socketpair demo --type stream" "demo-socketpair-stream" 0 $?
vg race file race --writers 3 -n 50 --append >/dev/null 2>&1 </dev/null
check "file race --append" race 0 $?
# The narration of the queues, both sides of each demo.
for m in mq sysv shm; do
	TMPDIR=$T vg "explain-$m" "$m" demo --explain=2 >/dev/null 2>&1 </dev/null
	check "$m demo --explain" "explain-$m" 0 $?
done

# ---- a short produce and consume of every mechanism ----

P=(--source counter --seq -n 5)
C=(--verify --stats -q)
# got5 CASE FILE: the consumer printed the 5 stamped messages, in order
got5() { is "$1: the 5 messages" "$(cut -d: -f3 "$2" | tr '\n' ' ')" "1 2 3 4 5 "; }

vg file-p file produce -q "${P[@]}" >/dev/null 2>&1
check "file produce" file-p 0 $?
vg file-c file consume --no-follow "${C[@]}" >file.out 2>/dev/null
check "file consume" file-c 0 $?
got5 "file consume" file.out

bash -c '"$@"' _ true # (keeps the pipeline below readable)
vg pipe-p pipe produce -q "${P[@]}" 2>/dev/null | vg pipe-c pipe consume "${C[@]}" >pipe.out 2>/dev/null
st=("${PIPESTATUS[@]}")
check "pipe produce" pipe-p 0 "${st[0]}"
check "pipe consume" pipe-c 0 "${st[1]}"
got5 "pipe consume" pipe.out

vg_cmd fifo-c
bg fifo-c "${VG[@]}" fifo consume --timeout 60s -n 5 "${C[@]}"
c=$BG
vg fifo-p fifo produce -q "${P[@]}" >/dev/null 2>&1
check "fifo produce" fifo-p 0 $?
reap "$c"
check "fifo consume" fifo-c 0 "$ST"
got5 "fifo consume" fifo-c.out

for t in stream seqpacket dgram; do
	rm -f ipc.sock
	if [ "$t" = dgram ]; then
		# Datagrams: the consumer binds, the producer sends to it.
		vg_cmd "unix-$t-c"
		bg "unix-$t-c" "${VG[@]}" unix consume --type dgram -n 5 --timeout 60s "${C[@]}"
		c=$BG
		wait_for 60 test -S ipc.sock
		vg "unix-$t-p" unix produce --type dgram -q "${P[@]}" >/dev/null 2>&1
		check "unix produce --type $t" "unix-$t-p" 0 $?
		reap "$c"
		check "unix consume --type $t" "unix-$t-c" 0 "$ST"
	else
		vg_cmd "unix-$t-p"
		bg "unix-$t-p" "${VG[@]}" unix produce --type "$t" -q "${P[@]}"
		p=$BG
		vg "unix-$t-c" unix consume --type "$t" --wait 60s "${C[@]}" >"unix-$t-c.out" 2>/dev/null
		check "unix consume --type $t" "unix-$t-c" 0 $?
		reap "$p"
		check "unix produce --type $t" "unix-$t-p" 0 "$ST"
	fi
	got5 "unix consume --type $t" "unix-$t-c.out"
	vg "pair-$t" socketpair run --type "$t" "${P[@]}" --verify --stats >"pair-$t.out" 2>/dev/null
	check "socketpair run --type $t" "pair-$t" 0 $?
	got5 "socketpair run --type $t" "pair-$t.out"
	# descriptors with each message: every one received is closed
	vg "pair-fd-$t" socketpair run --type "$t" -n 5 --pass-fd /etc/hostname --read-fd --fd-copies 3 >/dev/null 2>&1
	check "socketpair run --type $t --pass-fd --fd-copies 3" "pair-fd-$t" 0 $?
done
vg pair-ctrunc socketpair run --type seqpacket -n 3 --pass-fd /etc/hostname --fd-copies 12 --json >/dev/null 2>&1
check "socketpair run --fd-copies 12 (MSG_CTRUNC)" pair-ctrunc 1 $?
vg pair-memfd socketpair run --type seqpacket -n 5 --via memfd --size 100k --seq --verify >/dev/null 2>&1
check "socketpair run --via memfd" pair-memfd 0 $?
vg pair-creds socketpair run --type dgram -n 5 --send-creds --json >/dev/null 2>&1
check "socketpair run --send-creds" pair-creds 0 $?
vg_cmd unix-fd-p
bg unix-fd-p "${VG[@]}" unix produce -q --path fd.sock -n 5 --pass-fd /etc/hostname
p=$BG
vg unix-fd-c unix consume --path fd.sock --wait 60s --read-fd --json >/dev/null 2>&1
check "unix consume --read-fd" unix-fd-c 0 $?
reap "$p"
check "unix produce --pass-fd" unix-fd-p 0 "$ST"

new_port
vg_cmd tcp-p
bg tcp-p "${VG[@]}" tcp produce -a "127.0.0.1:$PORT" -q "${P[@]}"
p=$BG
vg tcp-c tcp consume -a "127.0.0.1:$PORT" --wait 60s "${C[@]}" >tcp.out 2>/dev/null
check "tcp consume" tcp-c 0 $?
reap "$p"
check "tcp produce" tcp-p 0 "$ST"
got5 "tcp consume" tcp.out

new_port
vg_cmd udp-c
bg udp-c "${VG[@]}" udp consume -a "127.0.0.1:$PORT" -n 5 --timeout 60s "${C[@]}"
c=$BG
wait_for 60 udp_bound "$PORT"
vg udp-p udp produce -a "127.0.0.1:$PORT" -q "${P[@]}" >/dev/null 2>&1
check "udp produce" udp-p 0 $?
reap "$c"
check "udp consume" udp-c 0 "$ST"
got5 "udp consume" udp-c.out

Q=/t-vg-$$
vg mq-p mq send --name "$Q" -q "${P[@]}" >/dev/null 2>&1
check "mq send" mq-p 0 $?
vg mq-c mq receive --name "$Q" --nonblock "${C[@]}" >mq.out 2>/dev/null
check "mq receive" mq-c 0 $?
got5 "mq receive" mq.out
"$IPCDEMO" mq unlink -q --name "$Q"

K=$(printf '0x7e%06x' $((($$ % 65536) * 64 + 63)))
vg sysv-p sysv send --key "$K" -q "${P[@]}" >/dev/null 2>&1
check "sysv send" sysv-p 0 $?
vg sysv-c sysv receive --key "$K" --nonblock "${C[@]}" >sysv.out 2>/dev/null
check "sysv receive" sysv-c 0 $?
got5 "sysv receive" sysv.out
"$IPCDEMO" sysv rm -q --key "$K"

vg shm-p shm produce --name "$Q" -q "${P[@]}" >/dev/null 2>&1
check "shm produce" shm-p 0 $?
vg shm-c shm consume --name "$Q" --nonblock "${C[@]}" >shm.out 2>/dev/null
check "shm consume" shm-c 0 $?
got5 "shm consume" shm.out
"$IPCDEMO" shm unlink -q --name "$Q"

done_testing
