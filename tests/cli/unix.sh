#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts expand $IPCDEMO themselves
# ipcdemo unix: the tutorial's producer4.sh (nc -lU) and the course's Unix
# socket server and client. Default path, --path, @abstract names; every
# role and type (stream, dgram, seqpacket; --listen, --connect); a producer
# serving many consumers and a consumer collecting from many producers; a
# consumer started first (--wait); the socket file's mode, stale, live and
# foreign paths, a too-long path, removal on exit; peer credentials;
# truncation; Ctrl-C; unix demo; and real nc and socat processes as peers.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

# Abstract names are shared by every process on the machine: make ours unique.
ABS="ipcdemo-test-$$-$RANDOM"
MY_UID=$(id -u)
MY_GID=$(id -g)

have_nc=false
# netcat-openbsd: -U (Unix sockets), -N, -q
command -v nc >/dev/null 2>&1 && nc -h 2>&1 | grep -q -- '-U' && have_nc=true

inode_of() { stat -c %i "$1" 2>&1; }
is_sock() { test -S "$1"; }
no_sockets() { [ -z "$(find . -type s)" ]; } # no socket file under the cwd
lines() { printf '%s\n' "$@"; }
# contiguous FILE: every line is ID:SEQ:SEQ with one ID, and SEQ goes up by 1.
contiguous() {
	[ -s "$1" ] && awk -F: '
		NF != 3 || $2 != $3 || $2 !~ /^[0-9]+$/ { bad = 1 }
		NR == 1 { id = $1 }
		NR > 1 && ($1 != id || $2 != prev + 1) { bad = 1 }
		{ prev = $2 }
		END { exit bad }' "$1"
}
reached() { [ -s "$1" ] && [ "$(last_seq "$1")" -ge "$2" ]; } # file seq
first_seq() { head -n 1 "$1" | cut -d: -f2; }
last_seq() { tail -n 1 "$1" | cut -d: -f2; }
payloads() { # JSON lines text: the payloads, one a line
	printf '%s\n' "$1" | sed -nE 's/.*"payload":"([^"]*)".*/\1/p'
}
# A Unix socket with nothing behind it, as a process leaves it when it dies.
py_stale() { # path [type: STREAM|DGRAM]
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, getattr(socket, "SOCK_" + sys.argv[2]))
s.bind(sys.argv[1])
s.close()' "$1" "${2:-STREAM}"
}

# ---- usage errors ----

run "produce --listen --connect: usage error" 2 -- "$IPCDEMO" unix produce --listen --connect -n 1
like "produce --listen --connect: names the option" "$ERR" '--listen|--connect'
run "consume --listen --connect: usage error" 2 -- "$IPCDEMO" unix consume --listen --connect
like "consume --listen --connect: names the option" "$ERR" '--listen|--connect'
run "consume --type dgram --listen: usage error" 2 -- "$IPCDEMO" unix consume --type dgram --listen
like "--type dgram --listen: explains the dgram roles" "$ERR" 'dgram|datagram'
run "produce --type dgram --connect: usage error" 2 -- "$IPCDEMO" unix produce --type dgram --connect -n 1
run "--type nope: usage error" 2 -- "$IPCDEMO" unix consume --type nope
like "--type nope: names the valid types" "$ERR" 'stream.*dgram.*seqpacket'
run "produce --type nope: usage error" 2 -- "$IPCDEMO" unix produce --type nope -n 1
ok "usage errors leave no socket file" no_sockets

long108=$(printf 'a%.0s' $(seq 1 103)).sock
run "a 108-byte path: usage error" 2 -- "$IPCDEMO" unix consume --listen --path "$long108" --timeout 1s
like "a 108-byte path: says the limit is 107" "$ERR" '(^|[^0-9])107([^0-9]|$)'
like "a 108-byte path: names sun_path" "$ERR" 'sun_path'
ok "a 108-byte path: nothing created" test ! -e "$long108"
run "produce on a 108-byte path: usage error" 2 -- "$IPCDEMO" unix produce --path "$long108" -n 1
like "produce on a 108-byte path: says the limit" "$ERR" '107.*sun_path|sun_path.*107'
run "a 108-byte abstract name: usage error" 2 -- "$IPCDEMO" unix consume --path "@$long108" --timeout 1s
like "a 108-byte abstract name: says the limit" "$ERR" '107'
run "a long absolute path: usage error" 2 -- "$IPCDEMO" unix consume --type dgram --path "$T/$long108" --timeout 1s
like "a long absolute path: says the limit" "$ERR" '107'
long107=$(printf 'a%.0s' $(seq 1 102)).sock
bg c "$IPCDEMO" unix consume --listen --path "$long107" --timeout 30s
c=$BG
ok "a 107-byte path is accepted: the socket file exists" wait_for 20 is_sock "$long107"
interrupt "$c"
reap "$c"
is "a 107-byte path: exit status 0 after Ctrl-C" "$ST" 0
ok "a 107-byte path: removed on exit" test ! -e "$long107"

# ---- a consumer before any producer ----

run "consume, no producer: exit 1" 1 -- "$IPCDEMO" unix consume
like "no producer: says no one is listening" "$ERR" '[Nn]o one is listening on ipc\.sock'
like "no producer: says how to start a producer" "$ERR" 'ipcdemo unix produce'
like "no producer: mentions --wait" "$ERR" '--wait'
is "no producer: nothing on stdout" "$OUT" ""
run "consume --type seqpacket, no producer: exit 1" 1 -- "$IPCDEMO" unix consume --type seqpacket --path none.sock
like "seqpacket, no producer: says no one is listening" "$ERR" '[Nn]o one is listening on none\.sock'
run "produce --connect, no listening consumer: exit 1" 1 -- "$IPCDEMO" unix produce --connect --path none.sock -n 1
like "produce --connect, no one: says no one is listening" "$ERR" '[Nn]o one is listening on none\.sock'
like "produce --connect, no one: says how to start a listening consumer" "$ERR" 'ipcdemo unix consume --listen'
run "produce --type dgram, no consumer: exit 1" 1 -- "$IPCDEMO" unix produce --type dgram --path none.sock -n 1
like "dgram, no consumer: says no one is listening" "$ERR" '[Nn]o one is listening on none\.sock'
like "dgram, no consumer: says how to start a consumer" "$ERR" 'ipcdemo unix consume --type dgram'
ok "no producer: nothing left behind" no_sockets

bg c "$IPCDEMO" unix consume --path waited.sock --wait 5s
c=$BG
ok "consume --wait: says it waits for a producer" wait_for 20 has c.err '[Nn]o one is listening on waited\.sock.*wait'
ok "consume --wait: still waiting" alive "$c"
run "consume --wait: the producer starts later" 0 -- "$IPCDEMO" unix produce -q --path waited.sock one two three
ok "consume --wait: the consumer ends" wait_for 20 dead "$c"
reap "$c"
is "consume --wait: exit status 0" "$ST" 0
is "consume --wait: got the messages" "$(cat c.out)" "$(lines one two three)"
like "consume --wait: says it connected" "$(cat c.err)" 'connected to waited\.sock'

bg c "$IPCDEMO" unix consume --type dgram --path dwait.sock -n 2 --timeout 30s
c=$BG
bg p "$IPCDEMO" unix produce -q --type dgram --path dwait.sock --wait 5s first second
p=$BG
ok "dgram produce --wait: the consumer gets both" wait_for 20 dead "$c"
reap "$c"
is "dgram produce --wait: consumer exit status 0" "$ST" 0
is "dgram produce --wait: the messages" "$(cat c.out)" "$(lines first second)"
reap "$p"
is "dgram produce --wait: producer exit status 0" "$ST" 0

# Ctrl-C while a producer waits for a listener (--connect) or a receiver
# (dgram): the --stats summary, the messages not sent, exit 0, as a FIFO
# producer waiting for its reader.
for how in "--connect" "--type dgram"; do
	# shellcheck disable=SC2086 # two words for dgram
	bg p "$IPCDEMO" unix produce $how --path nobody.sock --wait 60s --stats one two
	p=$BG
	ok "produce $how --wait, Ctrl-C: waits" wait_for 20 has p.err '[Nn]o one is listening on nobody\.sock.*wait'
	interrupt "$p"
	ok "produce $how --wait, Ctrl-C: ends" wait_for 10 dead "$p"
	reap "$p"
	is "produce $how --wait, Ctrl-C: exit status 0" "$ST" 0
	like "produce $how --wait, Ctrl-C: says what was not sent" "$(cat p.err)" ': 2 messages were not sent$'
	like "produce $how --wait, Ctrl-C: prints the --stats summary" "$(cat p.err)" \
		': sent 0 messages, 0 bytes$'
	is "produce $how --wait, Ctrl-C: nothing echoed" "$(cat p.out)" ""
done

bg c "$IPCDEMO" unix consume --path nobody.sock --wait 60s --stats
c=$BG
ok "consume --wait, Ctrl-C: waits" wait_for 20 has c.err '[Nn]o one is listening on nobody\.sock.*wait'
interrupt "$c"
ok "consume --wait, Ctrl-C: ends" wait_for 10 dead "$c"
reap "$c"
is "consume --wait, Ctrl-C: exit status 0" "$ST" 0
like "consume --wait, Ctrl-C: prints the --stats summary" "$(cat c.err)" ': received 0 messages, 0 bytes$'

run "consume --wait 300ms, never a producer: exit 1" 1 -- "$IPCDEMO" unix consume --path never.sock --wait 300ms
like "--wait ran out: says no one is listening" "$ERR" '[Nn]o one is listening on never\.sock'

# ---- stream: the producer listens (nc -lU), the consumer connects ----

old_umask=$(umask)
umask 000
bg p "$IPCDEMO" unix produce one two three
p=$BG
umask "$old_umask"
ok "stream producer: says it is listening" wait_for 20 has p.err 'listening on ipc\.sock'
ok "default path: ipc.sock in the current directory is a socket" is_sock ipc.sock
is "the socket file has mode 0600 exactly (umask 000)" "$(mode_of ipc.sock)" 600
ok "stream producer: says it waits for a consumer" wait_for 20 has p.err 'waiting for'
ok "stream producer: still waiting" alive "$p"
run "stream consumer: connects to ipc.sock" 0 -- "$IPCDEMO" unix consume
is "stream: the messages, whole, in order, one per line" "$OUT" "$(lines one two three)"
like "stream consumer: says the producer closed the connection" "$ERR" 'producer closed'
reap "$p"
is "stream producer: exit status 0" "$ST" 0
is "stream producer: echoes what it sent" "$(cat p.out)" "$(lines one two three)"
like "stream producer: says a consumer connected" "$(cat p.err)" 'consumer connected'
ok "stream producer: removed ipc.sock on a normal end" test ! -e ipc.sock

mkdir sub
bg p "$IPCDEMO" unix produce -q --path sub/order.sock --source counter -n 2000
p=$BG
ok "--path sub/order.sock: the socket is where --path says" wait_for 20 is_sock sub/order.sock
ok "--path: no ipc.sock made" test ! -e ipc.sock
run "stream: 2000 messages" 0 -- "$IPCDEMO" unix consume --path sub/order.sock
is "stream: all 2000 messages in order" "$OUT" "$(seq 1 2000)"
reap "$p"
is "stream, 2000 messages: producer exit status 0" "$ST" 0
ok "--path: the socket file is removed at the end" test ! -e sub/order.sock

# ---- --connect producer, --listen consumer ----

bg c "$IPCDEMO" unix consume --listen --path lst.sock --exit-on-eof --timeout 30s
c=$BG
ok "consume --listen: says it is listening" wait_for 20 has c.err 'listening on lst\.sock'
ok "consume --listen: made the socket file" is_sock lst.sock
is "consume --listen: mode 0600" "$(mode_of lst.sock)" 600
run "produce --connect" 0 -- "$IPCDEMO" unix produce --connect --path lst.sock --source counter -n 500
is "produce --connect: echoes 500 messages" "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 500
ok "consume --listen --exit-on-eof: ends after the producer" wait_for 20 dead "$c"
reap "$c"
is "consume --listen: exit status 0" "$ST" 0
is "consume --listen: every message in order" "$(cat c.out)" "$(seq 1 500)"
like "consume --listen: says a producer connected" "$(cat c.err)" 'producer connected'
ok "consume --listen: socket file removed on exit" test ! -e lst.sock

# With --batch 1 every read takes one message; a listening consumer still
# reads a producer on until it is drained, one poll() for all that waits,
# not one every few reads. Stopped while the producer queues its messages,
# it finds all 300 waiting when it goes on.
if command -v strace >/dev/null 2>&1 && strace -qq -o /dev/null true 2>/dev/null; then
	# LeakSanitizer cannot run under ptrace: off for this one run.
	bg_direct c env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -qq -e trace=ppoll,read -o drain.st "$IPCDEMO" unix consume --listen --path drain.sock \
		--batch 1 -n 300 --timeout 30s
	c=$BG
	ok "drained: consumer listens" wait_for 20 is_sock drain.sock
	cc=$(cmd_pid "$c")
	kill -STOP "$cc"
	ok "drained: consumer stopped" wait_for 20 grep -Eq '^[0-9]+ \(.*\) [tT]' "/proc/$cc/stat"
	run "drained: producer queues 300 messages" 0 -- "$IPCDEMO" unix produce -q --connect --path drain.sock \
		--source counter -n 300
	kill -CONT "$cc"
	ok "drained: consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "drained: consumer exit status 0" "$ST" 0
	is "drained: every message in order" "$(cat c.out)" "$(seq 1 300)"
	ok "drained: about a read a message" count_at_least drain.st '^read\(' 250
	ok "drained: a few poll() calls, not one every 16 reads" test "$(count_in drain.st '^ppoll\(')" -le 5

	# The same with packets: a listening seqpacket consumer takes up to 64
	# queued packets of a producer between two poll() calls (150 packets:
	# what the socket holds while nobody reads).
	bg_direct c env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -qq -e trace=ppoll,recvfrom -o pdrain.st "$IPCDEMO" unix consume --listen --type seqpacket \
		--path pdrain.sock -n 150 --timeout 30s
	c=$BG
	ok "packets drained: consumer listens" wait_for 20 is_sock pdrain.sock
	cc=$(cmd_pid "$c")
	kill -STOP "$cc"
	ok "packets drained: consumer stopped" wait_for 20 grep -Eq '^[0-9]+ \(.*\) [tT]' "/proc/$cc/stat"
	run "packets drained: producer queues 150 packets" 0 -- "$IPCDEMO" unix produce -q --connect --type seqpacket \
		--path pdrain.sock --source counter -n 150
	kill -CONT "$cc"
	ok "packets drained: consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "packets drained: consumer exit status 0" "$ST" 0
	is "packets drained: every packet in order" "$(cat c.out)" "$(seq 1 150)"
	ok "packets drained: a recv a packet" count_at_least pdrain.st '^recvfrom\(' 150
	ok "packets drained: a poll() for many packets, not one each ($(count_in pdrain.st '^ppoll\(')) " \
		test "$(count_in pdrain.st '^ppoll\(')" -le 10
else
	skip "drained: one poll() for all that waits" "strace cannot trace here"
fi

# ---- seqpacket, both ways ----

bg p "$IPCDEMO" unix produce -q --type seqpacket --path sp.sock --source counter -n 2000
p=$BG
ok "seqpacket producer: listening" wait_for 20 is_sock sp.sock
run "seqpacket consumer" 0 -- "$IPCDEMO" unix consume --type seqpacket --path sp.sock
is "seqpacket: all 2000 messages in order" "$OUT" "$(seq 1 2000)"
reap "$p"
is "seqpacket producer: exit status 0" "$ST" 0
ok "seqpacket producer: socket removed" test ! -e sp.sock

bg p "$IPCDEMO" unix produce -q --type seqpacket --path sp2.sock --size 100 -n 3
p=$BG
ok "seqpacket --size 100: listening" wait_for 20 is_sock sp2.sock
run "seqpacket --json" 0 -- "$IPCDEMO" unix consume --type seqpacket --path sp2.sock --json
is "seqpacket: 3 packets, 3 messages" "$(count_re "$OUT" '^\{')" 3
is "seqpacket: each message whole (99 bytes)" "$(count_re "$OUT" '"bytes":99[,}]')" 3
reap "$p"

bg c "$IPCDEMO" unix consume --listen --type seqpacket --path spl.sock --exit-on-eof --timeout 30s
c=$BG
ok "seqpacket consume --listen: listening" wait_for 20 has c.err 'listening on spl\.sock'
run "seqpacket produce --connect" 0 -- "$IPCDEMO" unix produce -q --connect --type seqpacket --path spl.sock \
	--source counter -n 1000
ok "seqpacket --listen: ends after the producer" wait_for 20 dead "$c"
reap "$c"
is "seqpacket --listen: exit status 0" "$ST" 0
is "seqpacket --listen: every message in order" "$(cat c.out)" "$(seq 1 1000)"
ok "seqpacket --listen: socket removed" test ! -e spl.sock

# ---- dgram: the consumer binds, producers send ----

bg c "$IPCDEMO" unix consume --type dgram --path dg.sock -n 500 --timeout 30s
c=$BG
ok "dgram consumer: says it receives" wait_for 20 has c.err 'receiving on dg\.sock'
ok "dgram consumer: bound the socket file" is_sock dg.sock
is "dgram consumer: mode 0600" "$(mode_of dg.sock)" 600
run "dgram producer" 0 -- "$IPCDEMO" unix produce -q --type dgram --path dg.sock --source counter -n 500
ok "dgram consumer: ends after -n 500" wait_for 20 dead "$c"
reap "$c"
is "dgram consumer: exit status 0" "$ST" 0
is "dgram: all 500 messages in order" "$(cat c.out)" "$(seq 1 500)"
ok "dgram consumer: socket removed on exit" test ! -e dg.sock

bg c "$IPCDEMO" unix consume --type dgram --path dg2.sock --json -n 3 --timeout 30s
c=$BG
ok "dgram --json consumer: bound" wait_for 20 has c.err 'receiving on dg2\.sock'
run "dgram producer --size 100" 0 -- "$IPCDEMO" unix produce -q --type dgram --path dg2.sock --size 100 -n 3
ok "dgram --size 100: consumer ends" wait_for 20 dead "$c"
reap "$c"
is "dgram: each datagram one whole message (99 bytes)" "$(count_in c.out '"bytes":99[,}]')" 3

# ---- abstract names: no file ----

bg p "$IPCDEMO" unix produce --path "@$ABS" alpha beta
p=$BG
ok "abstract: the producer listens" wait_for 20 has p.err "listening on @$ABS"
run "abstract: consumer" 0 -- "$IPCDEMO" unix consume --path "@$ABS"
is "abstract: the messages" "$OUT" "$(lines alpha beta)"
reap "$p"
is "abstract: producer exit status 0" "$ST" 0
ok "abstract: no file created" no_sockets
ok "abstract: no file named after it" test ! -e "@$ABS" -a ! -e "$ABS"
run "abstract: gone with the producer" 1 -- "$IPCDEMO" unix consume --path "@$ABS"
like "abstract: no one is listening afterwards" "$ERR" "[Nn]o one is listening on @$ABS"

bg c "$IPCDEMO" unix consume --type dgram --path "@$ABS-d" -n 2 --timeout 30s
c=$BG
ok "abstract dgram: consumer bound" wait_for 20 has c.err "receiving on @$ABS-d"
run "abstract dgram: producer" 0 -- "$IPCDEMO" unix produce -q --type dgram --path "@$ABS-d" x y
ok "abstract dgram: consumer ends" wait_for 20 dead "$c"
reap "$c"
is "abstract dgram: the messages" "$(cat c.out)" "$(lines x y)"
bg c "$IPCDEMO" unix consume --listen --type seqpacket --path "@$ABS-s" --exit-on-eof --timeout 30s
c=$BG
ok "abstract seqpacket --listen: listening" wait_for 20 has c.err "listening on @$ABS-s"
run "abstract seqpacket --connect" 0 -- "$IPCDEMO" unix produce -q --connect --type seqpacket --path "@$ABS-s" x y
ok "abstract seqpacket --listen: ends" wait_for 20 dead "$c"
reap "$c"
is "abstract seqpacket: the messages" "$(cat c.out)" "$(lines x y)"
ok "abstract: still no socket files" no_sockets

# ---- one producer, many consumers ----

bg p "$IPCDEMO" unix produce --path multi.sock --every 200ms --source counter --seq -n 1 --stats
p=$BG
ok "multi: the producer listens" wait_for 20 has p.err 'listening on multi\.sock'
bg c1 "$IPCDEMO" unix consume --path multi.sock --verify --stats
c1=$BG
bg c2 "$IPCDEMO" unix consume --path multi.sock --verify --stats
c2=$BG
bg c3 "$IPCDEMO" unix consume --path multi.sock --verify --stats
c3=$BG
ok "multi: three consumers connected at once" wait_for 30 has p.err '3 connected'
sent_then=$(nlines p.out)
for i in 1 2 3; do
	ok "multi: consumer $i gets messages" wait_for 30 reached "c$i.out" $((sent_then + 1))
done
# The first consumer goes away without a word.
wait_for 10 has_child "$c1"
c1pid=$(cmd_pid "$c1")
kill -KILL "$c1pid"
wait "$c1" 2>/dev/null
ok "multi: the producer says a consumer went away" wait_for 30 has p.err 'went away'
like "multi: it names the consumer that left" "$(cat p.err)" "consumer \\(pid $c1pid\\) went away"
ok "multi: the producer keeps running" alive "$p"
n2=$(nlines c2.out)
n3=$(nlines c3.out)
ok "multi: consumer 2 keeps getting messages" wait_for 30 has_lines c2.out $((n2 + 3))
ok "multi: consumer 3 keeps getting messages" wait_for 30 has_lines c3.out $((n3 + 3))
ok "multi: consumer 2 still running" alive "$c2"
interrupt "$c2"
interrupt "$c3"
ok "multi: consumers 2 and 3 stop on Ctrl-C" wait_for 20 dead "$c2"
reap "$c2"
is "multi: consumer 2 exit status 0" "$ST" 0
like "multi: consumer 2, --verify: 0 lost" "$(cat c2.err)" '(^|[^0-9])0 lost'
like "multi: consumer 2, --stats summary" "$(cat c2.err)" 'received [0-9]+ messages'
ok "multi: consumer 3 ends" wait_for 20 dead "$c3"
reap "$c3"
is "multi: consumer 3 exit status 0" "$ST" 0
like "multi: consumer 3, --verify: 0 lost" "$(cat c3.err)" '(^|[^0-9])0 lost'
ok "multi: consumer 1 got an unbroken run of ID:SEQ:SEQ" contiguous c1.out
ok "multi: consumer 2 got an unbroken run of ID:SEQ:SEQ" contiguous c2.out
ok "multi: consumer 3 got an unbroken run of ID:SEQ:SEQ" contiguous c3.out
is "multi: one producer id in all three" "$(cut -d: -f1 c1.out c2.out c3.out | sort -u | wc -l | tr -d ' ')" 1
is "multi: no duplicates in any consumer" "$(for f in c1.out c2.out c3.out; do sort "$f" | uniq -d; done)" ""
for i in 1 2 3; do
	# The first message sent after all three were connected is the one
	# after the last echoed then.
	ok "multi: consumer $i got the messages sent once all three were connected" \
		test "$(first_seq "c$i.out")" -le $((sent_then + 1)) -a "$(last_seq "c$i.out")" -ge $((sent_then + 1))
done
ok "multi: consumers 2 and 3 got messages sent after consumer 1 left" \
	test "$(last_seq c2.out)" -gt "$(last_seq c1.out)" -a "$(last_seq c3.out)" -gt "$(last_seq c1.out)"
is "multi: everything received was sent" "$(cat c1.out c2.out c3.out | grep -vxFf p.out)" ""
ok "multi: the producer is still running with no consumer" alive "$p"
interrupt "$p"
ok "multi: the producer stops on Ctrl-C" wait_for 20 dead "$p"
reap "$p"
is "multi: producer exit status 0" "$ST" 0
like "multi: producer prints its --stats summary" "$(cat p.err)" 'sent [0-9]+ messages'
ok "multi: the producer removed its socket file" test ! -e multi.sock

# ---- one listening consumer, many producers ----

bg c "$IPCDEMO" unix consume --listen --path many.sock --verify --exit-on-eof
c=$BG
ok "many: the consumer listens" wait_for 20 has c.err 'listening on many\.sock'
bg a "$IPCDEMO" unix produce -q --connect --path many.sock --every 100ms --source counter --seq --id 1 -n 1
a=$BG
ok "many: producer 1 connected" wait_for 20 has c.err '1 connected'
ok "many: producer 1's messages arrive" wait_for 20 has c.out '^1:2:2$'
bg b "$IPCDEMO" unix produce -q --connect --path many.sock --source counter --seq --id 2 -n 300
b=$BG
run "many: producer 3" 0 -- "$IPCDEMO" unix produce -q --connect --path many.sock --source counter --seq --id 3 -n 300
reap "$b"
is "many: producer 2 exit status 0" "$ST" 0
ok "many: producer 2's messages all arrive" wait_for 20 has c.out '^2:300:300$'
ok "many: producer 3's messages all arrive" wait_for 20 has c.out '^3:300:300$'
ok "many: the consumer is still running while producer 1 is connected" alive "$c"
interrupt "$a"
ok "many: --exit-on-eof: the consumer exits after the last producer" wait_for 20 dead "$c"
reap "$c"
is "many: consumer exit status 0" "$ST" 0
like "many: --verify counts 3 producers" "$(cat c.err)" '(^|[^0-9])3 producers'
like "many: --verify: 0 lost" "$(cat c.err)" '(^|[^0-9])0 lost'
is "many: producer 2's messages whole and in order" "$(grep '^2:' c.out)" "$(seq 1 300 | sed 's/.*/2:&:&/')"
is "many: producer 3's messages whole and in order" "$(grep '^3:' c.out)" "$(seq 1 300 | sed 's/.*/3:&:&/')"
grep '^1:' c.out >a.got
ok "many: producer 1's messages in order" contiguous a.got
is "many: nothing else" "$(grep -Evc '^[123]:[0-9]+:[0-9]+$' c.out)" 0
is "many: the consumer saw 3 producers connect" "$(count_in c.err 'producer connected')" 3
reap "$a"
is "many: producer 1 exit status 0 after Ctrl-C" "$ST" 0
ok "many: socket file removed" test ! -e many.sock

bg c "$IPCDEMO" unix consume --listen --path stay.sock --timeout 30s
c=$BG
ok "--listen without --exit-on-eof: listening" wait_for 20 has c.err 'listening on stay\.sock'
run "--listen without --exit-on-eof: a producer" 0 -- "$IPCDEMO" unix produce -q --connect --path stay.sock x
ok "--listen without --exit-on-eof: says the producer disconnected" wait_for 20 has c.err 'disconnected'
ok "--listen without --exit-on-eof: keeps running" alive "$c"
run "--listen without --exit-on-eof: a second producer" 0 -- "$IPCDEMO" unix produce -q --connect --path stay.sock y
ok "--listen: the second producer's message arrives" wait_for 20 has_lines c.out 2
is "--listen: both messages" "$(cat c.out)" "$(lines x y)"
interrupt "$c"
reap "$c"
is "--listen: exit status 0 after Ctrl-C" "$ST" 0
ok "--listen: socket removed after Ctrl-C" test ! -e stay.sock

# ---- the socket file: mode, stale, live, foreign ----

bg c "$IPCDEMO" unix consume --type dgram --path m640.sock --mode 0640 --timeout 30s
c=$BG
ok "--mode 0640: bound" wait_for 20 is_sock m640.sock
is "--mode 0640: mode 0640 exactly" "$(mode_of m640.sock)" 640
interrupt "$c"
reap "$c"
old_umask=$(umask)
umask 077
bg p "$IPCDEMO" unix produce --path m640p.sock --mode 0640 -n 1
p=$BG
umask "$old_umask"
ok "produce --mode 0640 (umask 077): listening" wait_for 20 is_sock m640p.sock
is "produce --mode 0640 (umask 077): mode 0640 exactly" "$(mode_of m640p.sock)" 640
interrupt "$p"
reap "$p"
run "consume --listen under umask 000" 4 -- bash -c 'umask 000; exec "$IPCDEMO" unix consume --listen --path u0.sock --timeout 300ms'
like "consume --listen, umask 000: was listening" "$ERR" 'listening on u0\.sock'

# A stale socket file: a process bound it and died.
if $have_python; then
	py_stale stale.sock
	ok "stale: python3 left a socket file" is_sock stale.sock
	bg p "$IPCDEMO" unix produce --path stale.sock one
	p=$BG
	ok "stale: the producer replaces it and listens" wait_for 20 has p.err 'listening on stale\.sock'
	like "stale: says it replaced a stale socket" "$(cat p.err)" 'stale'
	run "stale: a consumer reaches the new producer" 0 -- "$IPCDEMO" unix consume --path stale.sock
	is "stale: the message" "$OUT" one
	reap "$p"
	is "stale: producer exit status 0" "$ST" 0
	py_stale stale-d.sock DGRAM
	run "stale dgram socket: the dgram consumer replaces it" 4 -- \
		"$IPCDEMO" unix consume --type dgram --path stale-d.sock --timeout 300ms
	like "stale dgram socket: says so" "$ERR" 'stale'
	ok "stale dgram socket: removed on exit" test ! -e stale-d.sock
else
	skip "stale socket left by python3" "python3 not installed"
fi

bg_direct k "$IPCDEMO" unix produce --path killed.sock --every 200ms -n 1
k=$BG
ok "kill -9: the producer listens" wait_for 20 has k.err 'listening on killed\.sock'
kill -KILL "$k"
wait "$k" 2>/dev/null
ok "kill -9: leaves its socket file" is_sock killed.sock
run "kill -9: a consumer finds no one" 1 -- "$IPCDEMO" unix consume --path killed.sock
like "kill -9: says no one is listening" "$ERR" '[Nn]o one is listening'
bg c "$IPCDEMO" unix consume --listen --path killed.sock --exit-on-eof --timeout 30s
c=$BG
ok "kill -9: a listening consumer replaces the stale file" wait_for 20 has c.err 'listening on killed\.sock'
like "kill -9: says it replaced a stale socket" "$(cat c.err)" 'stale'
run "kill -9: a producer reaches the new listener" 0 -- "$IPCDEMO" unix produce -q --connect --path killed.sock ok
ok "kill -9: the listener ends" wait_for 20 dead "$c"
reap "$c"
is "kill -9: the message" "$(cat c.out)" ok

# A live socket: someone listens on it; the running listener is not disturbed
# (checking that it is live must not look like a consumer to it).
bg p "$IPCDEMO" unix produce --path live.sock --every 200ms --source counter -n 1
p=$BG
ok "live: the first producer waits for a consumer" wait_for 20 has p.err 'waiting for'
ino=$(inode_of live.sock)
run "live: a second producer on the same path" 1 -- "$IPCDEMO" unix produce --path live.sock -n 1
like "live: 'address in use'" "$ERR" 'address in use'
run "live: a listening consumer on the same path" 1 -- "$IPCDEMO" unix consume --listen --path live.sock --timeout 1s
like "live (consume --listen): 'address in use'" "$ERR" 'address in use'
run "live: a dgram consumer on the same path" 1 -- "$IPCDEMO" unix consume --type dgram --path live.sock --timeout 1s
like "live (dgram): 'address in use'" "$ERR" 'address in use'
ok "live: the first producer is still running" alive "$p"
is "live: the socket file is still the first producer's" "$(inode_of live.sock)" "$ino"
is "live: the first producer saw no consumer" "$(count_in p.err 'consumer connected \(')" 0
run "live: a consumer still reaches the first producer" 0 -- "$IPCDEMO" unix consume --path live.sock -n 2
is "live: and gets its messages from the start" "$OUT" "$(lines 1 2)"
stop "$p"

bg c "$IPCDEMO" unix consume --listen --path livec.sock --exit-on-eof --timeout 30s
c=$BG
ok "live listening consumer: listening" wait_for 20 has c.err 'listening on livec\.sock'
run "live listening consumer: a second one" 1 -- "$IPCDEMO" unix consume --listen --path livec.sock --timeout 1s
like "live listening consumer: 'address in use'" "$ERR" 'address in use'
ok "live listening consumer: still running after the second one" alive "$c"
if alive "$c"; then
	run "live listening consumer: a listening producer" 1 -- "$IPCDEMO" unix produce --path livec.sock -n 1
	like "live listening consumer (produce): 'address in use'" "$ERR" 'address in use'
	ok "live listening consumer: still running" alive "$c"
	is "live listening consumer: saw no producer" "$(count_in c.err 'producer connected')" 0
	run "live listening consumer: a producer still reaches it" 0 -- \
		"$IPCDEMO" unix produce -q --connect --path livec.sock hi
	ok "live listening consumer: ends after that producer" wait_for 20 dead "$c"
	reap "$c"
	is "live listening consumer: got only the real message" "$(cat c.out)" hi
else
	ok "live listening consumer: the rest (the listener is gone)" false
	reap "$c"
fi

bg c "$IPCDEMO" unix consume --type dgram --path lived.sock -n 1 --timeout 30s
c=$BG
ok "live dgram consumer: bound" wait_for 20 has c.err 'receiving on lived\.sock'
run "live dgram consumer: a second one" 1 -- "$IPCDEMO" unix consume --type dgram --path lived.sock --timeout 1s
like "live dgram consumer: 'address in use'" "$ERR" 'address in use'
run "live dgram consumer: still reachable" 0 -- "$IPCDEMO" unix produce -q --type dgram --path lived.sock hi
ok "live dgram consumer: ends" wait_for 20 dead "$c"
reap "$c"
is "live dgram consumer: exit status 0" "$ST" 0
is "live dgram consumer: the message" "$(cat c.out)" hi

bg p "$IPCDEMO" unix produce --path "@$ABS-live" one
p=$BG
ok "live abstract: listening" wait_for 20 has p.err "listening on @$ABS-live"
run "live abstract: a second listener" 1 -- "$IPCDEMO" unix produce --path "@$ABS-live" -n 1
like "live abstract: 'address in use'" "$ERR" 'address in use'
run "live abstract: the first still serves" 0 -- "$IPCDEMO" unix consume --path "@$ABS-live"
is "live abstract: its message" "$OUT" one
stop "$p"

# Not a socket: never touched.
printf 'precious\n' >regular
mkdir adir
mkfifo afifo
for spec in "regular:regular file" "adir:directory" "afifo:FIFO"; do
	f=${spec%%:*}
	kind=${spec#*:}
	run "$kind: produce" 1 -- "$IPCDEMO" unix produce --path "$f" -n 1
	like "$kind: produce says 'not a socket'" "$ERR" "$f.*not a socket"
	run "$kind: consume --listen" 1 -- "$IPCDEMO" unix consume --listen --path "$f" --timeout 1s
	like "$kind: consume --listen says 'not a socket'" "$ERR" 'not a socket'
	run "$kind: consume --type dgram" 1 -- "$IPCDEMO" unix consume --type dgram --path "$f" --timeout 1s
	like "$kind: consume --type dgram says 'not a socket'" "$ERR" 'not a socket'
done
is "regular file: content unchanged" "$(cat regular)" precious
ok "regular file: still a regular file" test -f regular
ok "directory: still a directory" test -d adir
ok "FIFO: still a FIFO" test -p afifo
printf 'precious\n' >ipc.sock
run "a regular file at the default path" 1 -- "$IPCDEMO" unix produce -n 1
like "default path, regular file: 'not a socket'" "$ERR" 'ipc\.sock.*not a socket'
is "default path, regular file: content unchanged" "$(cat ipc.sock)" precious
rm -f ipc.sock

# The listener removes its socket file, but never one that replaced it.
bg p "$IPCDEMO" unix produce --path swap.sock --every 200ms -n 1
p=$BG
ok "replaced: the producer listens" wait_for 20 is_sock swap.sock
rm -f swap.sock
printf 'precious\n' >swap.sock
interrupt "$p"
reap "$p"
is "replaced: the producer exits 0 on Ctrl-C" "$ST" 0
ok "replaced by a regular file: not removed" test -f swap.sock
is "replaced by a regular file: content unchanged" "$(cat swap.sock 2>&1)" precious
rm -f swap.sock

bg p "$IPCDEMO" unix produce -q --path swap2.sock --every 200ms -n 1
p=$BG
ok "replaced by a socket: the first producer listens" wait_for 20 is_sock swap2.sock
rm -f swap2.sock
bg p2 "$IPCDEMO" unix produce --path swap2.sock second
p2=$BG
ok "replaced by a socket: a second producer listens" wait_for 20 has p2.err 'listening on swap2\.sock'
ino=$(inode_of swap2.sock)
interrupt "$p"
reap "$p"
is "replaced by a socket: the first exits 0" "$ST" 0
ok "replaced by a socket: the new socket file is not removed" is_sock swap2.sock
is "replaced by a socket: it is still the second's" "$(inode_of swap2.sock)" "$ino"
run "replaced by a socket: the second producer still serves" 0 -- "$IPCDEMO" unix consume --path swap2.sock
is "replaced by a socket: the second's message" "$OUT" second
reap "$p2"
ok "replaced by a socket: the second removes its own file" test ! -e swap2.sock

# ---- peer credentials (--json) ----

bg_direct jp "$IPCDEMO" unix produce -q --path json.sock hello world
jp=$BG
ok "--json stream: producer listening" wait_for 20 is_sock json.sock
run "--json stream consumer" 0 -- "$IPCDEMO" unix consume --path json.sock --json
is "--json stream: two JSON lines" "$(count_re "$OUT" '^\{.*\}$')" 2
is "--json stream: payloads" "$(payloads "$OUT")" "$(lines hello world)"
is "--json stream: peer_pid is the producer's pid" "$(count_re "$OUT" "\"peer_pid\":${jp}[,}]")" 2
is "--json stream: peer_uid is ours" "$(count_re "$OUT" "\"peer_uid\":${MY_UID}[,}]")" 2
is "--json stream: peer_gid is ours" "$(count_re "$OUT" "\"peer_gid\":${MY_GID}[,}]")" 2
like "--json stream: mechanism unix" "$OUT" '"mechanism":"unix"'
reap "$jp"
is "--json stream: producer exit status 0" "$ST" 0

bg jc "$IPCDEMO" unix consume --type dgram --path jsond.sock --json -n 2 --timeout 30s
jc=$BG
ok "--json dgram: consumer bound" wait_for 20 has jc.err 'receiving on jsond\.sock'
bg_direct jp "$IPCDEMO" unix produce -q --type dgram --path jsond.sock one two
jp=$BG
ok "--json dgram: the consumer ends" wait_for 20 dead "$jc"
reap "$jc"
is "--json dgram: exit status 0" "$ST" 0
reap "$jp"
is "--json dgram: producer exit status 0" "$ST" 0
is "--json dgram: payloads" "$(payloads "$(cat jc.out)")" "$(lines one two)"
is "--json dgram: peer_pid is the sender's pid (SCM_CREDENTIALS)" "$(count_in jc.out "\"peer_pid\":${jp}[,}]")" 2
is "--json dgram: peer_uid is ours" "$(count_in jc.out "\"peer_uid\":${MY_UID}[,}]")" 2
is "--json dgram: peer_gid is ours" "$(count_in jc.out "\"peer_gid\":${MY_GID}[,}]")" 2

bg jc "$IPCDEMO" unix consume --listen --path jsonl.sock --json --exit-on-eof --timeout 30s
jc=$BG
ok "--json --listen: listening" wait_for 20 has jc.err 'listening on jsonl\.sock'
bg_direct jp "$IPCDEMO" unix produce -q --connect --path jsonl.sock x
jp=$BG
ok "--json --listen: the consumer ends" wait_for 20 dead "$jc"
reap "$jc"
reap "$jp"
is "--json --listen: peer_pid is the connecting producer's pid" "$(count_in jc.out "\"peer_pid\":${jp}[,}]")" 1

bg_direct jp "$IPCDEMO" unix produce -q --type seqpacket --path jsons.sock x
jp=$BG
ok "--json seqpacket: producer listening" wait_for 20 is_sock jsons.sock
run "--json seqpacket consumer" 0 -- "$IPCDEMO" unix consume --type seqpacket --path jsons.sock --json
is "--json seqpacket: peer_pid is the producer's pid" "$(count_re "$OUT" "\"peer_pid\":${jp}[,}]")" 1
reap "$jp"

# ---- truncation ----

bg c "$IPCDEMO" unix consume --type dgram --path trunc.sock --size 8 -n 1 --timeout 30s
c=$BG
ok "truncation: consumer bound" wait_for 20 has c.err 'receiving on trunc\.sock'
run "truncation: a 100-byte datagram" 0 -- "$IPCDEMO" unix produce -q --type dgram --path trunc.sock --size 100 -n 1
ok "truncation: the consumer ends" wait_for 20 dead "$c"
reap "$c"
is "truncation: exit status 1" "$ST" 1
like "truncation: says the message was truncated" "$(cat c.err)" 'truncated'
like "truncation: says how long it was" "$(cat c.err)" '(^|[^0-9])100([^0-9]|$)'
is "truncation: only the first 8 bytes are printed" "$(head -c 8 c.out | wc -c | tr -d ' ')" 8

bg p "$IPCDEMO" unix produce -q --type seqpacket --path trunc-s.sock --size 100 -n 2
p=$BG
ok "seqpacket truncation: producer listening" wait_for 20 is_sock trunc-s.sock
run "seqpacket truncation: --size 8" 1 -- "$IPCDEMO" unix consume --type seqpacket --path trunc-s.sock --size 8
like "seqpacket truncation: says truncated" "$ERR" 'truncated'
reap "$p"

bg c "$IPCDEMO" unix consume --type dgram --path fits.sock --size 8 -n 1 --timeout 30s
c=$BG
ok "no truncation: consumer bound" wait_for 20 has c.err 'receiving on fits\.sock'
run "no truncation: an 8-byte datagram" 0 -- "$IPCDEMO" unix produce -q --type dgram --path fits.sock 1234567
ok "no truncation: the consumer ends" wait_for 20 dead "$c"
reap "$c"
is "no truncation: exit status 0" "$ST" 0
unlike "no truncation: nothing said" "$(cat c.err)" 'truncated'
is "no truncation: the whole message" "$(cat c.out)" 1234567

# ---- echo: only what a consumer took ----

last_line_has() { [ -s "$1" ] && tail -n 1 "$1" | grep -Eq -- "$2"; } # file regex
bg p "$IPCDEMO" unix produce --path echo.sock --source counter -n 3
p=$BG
ok "echo: the producer waits for a consumer" wait_for 20 has p.err 'no consumer connected; waiting'
is "echo: nothing echoed while no consumer is connected" "$(cat p.out)" ""
run "echo: then a consumer" 0 -- "$IPCDEMO" unix consume -q --path echo.sock
reap "$p"
is "echo: the producer exits 0" "$ST" 0
is "echo: it echoed what the consumer got" "$(cat p.out)" "$OUT"
is "echo: all 3" "$OUT" "$(seq 1 3)"

# The only consumer leaves between two batches: the next batch waits for
# the next consumer, and is echoed when that one takes it.
bg p "$IPCDEMO" unix produce --path echo2.sock --source counter -n 2 --batches 4 --every 300ms
p=$BG
ok "echo, consumer leaves: producer listening" wait_for 20 is_sock echo2.sock
run "echo, consumer leaves: a consumer takes 2" 0 -- "$IPCDEMO" unix consume -q --path echo2.sock -n 2
c1=$OUT
ok "echo, consumer leaves: the producer waits for the next one" \
	wait_for 20 last_line_has p.err 'no consumer connected; waiting'
is "echo, consumer leaves: echoed only what the first one got" "$(cat p.out)" "$c1"
run "echo, consumer leaves: the next consumer" 0 -- "$IPCDEMO" unix consume -q --path echo2.sock
reap "$p"
is "echo, consumer leaves: the producer exits 0" "$ST" 0
is "echo, consumer leaves: the two got it all" "$c1
$OUT" "$(seq 1 8)"
is "echo, consumer leaves: echoed what the two got" "$(cat p.out)" "$(seq 1 8)"

# The only consumer stops reading, so that the producer queues 4 MiB for
# it, and is killed: what it never took goes to the next consumer, which
# misses only what was in flight (socket buffers), not the producer's queue.
stalled() { local a; a=$(nlines "$1"); sleep 0.3; [ "$a" = "$(nlines "$1")" ]; } # file
if $have_python; then
	bg p "$IPCDEMO" unix produce --path echo3.sock --source counter --size 1000 -n 20000
	p=$BG
	ok "echo, consumer killed: producer listening" wait_for 20 is_sock echo3.sock
	# A consumer that reads 200 messages, then no more.
	reader='
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
got = b""
while len(got) < 200000:
    got += s.recv(200000 - len(got))
sys.stdout.buffer.write(got)
sys.stdout.flush()
time.sleep(120)
'
	bg_direct c python3 -c "$reader" echo3.sock
	c=$BG
	ok "echo, consumer killed: it read 200 messages" wait_for 20 has_lines c.out 200
	ok "echo, consumer killed: the producer waits for it, far behind" wait_for 30 stalled p.out
	kill -KILL "$c"
	wait "$c" 2>/dev/null
	ok "echo, consumer killed: the producer waits for the next one" \
		wait_for 20 last_line_has p.err 'no consumer connected; waiting'
	run "echo, consumer killed: the next consumer" 0 -- "$IPCDEMO" unix consume -q --path echo3.sock
	printf '%s\n' "$OUT" >c2.out
	reap "$p"
	is "echo, consumer killed: the producer exits 0" "$ST" 0
	is "echo, consumer killed: it echoed every message once" "$(cut -d. -f1 p.out)" "$(seq 1 20000)"
	first=$(head -n 1 c2.out | cut -d. -f1)
	is "echo, consumer killed: the next one got the rest, whole and in order" "$(cut -d. -f1 c2.out)" \
		"$(seq "${first:-0}" 20000)"
	ok "echo, consumer killed: what neither got was in flight (under 1.5 MB, not 4 MiB)" \
		test "$((${first:-20001} - 200 - 1))" -lt 1500

	# Stopped while a consumer is far behind: what was queued for it and not
	# sent is said, and the echoed and the not sent make up all 20000.
	bg p "$IPCDEMO" unix produce --path echo4.sock --source counter --size 1000 -n 20000
	p=$BG
	ok "echo, Ctrl-C, consumer behind: producer listening" wait_for 20 is_sock echo4.sock
	bg_direct c python3 -c "$reader" echo4.sock
	c=$BG
	ok "echo, Ctrl-C, consumer behind: it read 200 messages" wait_for 20 has_lines c.out 200
	ok "echo, Ctrl-C, consumer behind: the producer waits for it" wait_for 30 stalled p.out
	interrupt "$p"
	ok "echo, Ctrl-C, consumer behind: the producer exits" wait_for 20 dead "$p"
	reap "$p"
	kill -KILL "$c"
	wait "$c" 2>/dev/null
	is "echo, Ctrl-C, consumer behind: exit status 0" "$ST" 0
	like "echo, Ctrl-C, consumer behind: says what was queued and not sent to it" "$(cat p.err)" \
		"[0-9]+ messages queued for the consumer \\(pid [0-9]+\\) were not sent to it"
	unsent=$(sed -nE 's/.*: ([0-9]+) messages were not sent$/\1/p' p.err)
	is "echo, Ctrl-C, consumer behind: echoed + not sent = 20000" "$(($(nlines p.out) + ${unsent:-0}))" 20000
else
	skip "echo, consumer killed" "python3 is not available"
fi

# ---- Ctrl-C ----

bg p "$IPCDEMO" unix produce --path int.sock --stats -n 3
p=$BG
ok "Ctrl-C: the producer waits for a consumer" wait_for 20 has p.err 'waiting for'
interrupt "$p"
ok "Ctrl-C: a waiting producer exits" wait_for 20 dead "$p"
reap "$p"
is "Ctrl-C: waiting producer exit status 0" "$ST" 0
like "Ctrl-C: waiting producer prints its summary" "$(cat p.err)" 'sent 0 messages'
like "Ctrl-C: and says what was not sent" "$(cat p.err)" '3 messages were not sent'
is "Ctrl-C: and echoed none of them" "$(cat p.out)" ""
ok "Ctrl-C: waiting producer removed its socket file" test ! -e int.sock

bg p "$IPCDEMO" unix produce -q --path int2.sock --every 200ms --source counter -n 1
p=$BG
ok "Ctrl-C consumer: producer listening" wait_for 20 is_sock int2.sock
bg c "$IPCDEMO" unix consume --path int2.sock --stats
c=$BG
ok "Ctrl-C consumer: messages arrive" wait_for 20 has_lines c.out 3
interrupt "$c"
ok "Ctrl-C: the consumer exits" wait_for 20 dead "$c"
reap "$c"
is "Ctrl-C: consumer exit status 0" "$ST" 0
like "Ctrl-C: consumer prints the --stats summary" "$(cat c.err)" "received $(nlines c.out) messages"
unlike "Ctrl-C: the summary is not on stdout" "$(cat c.out)" 'received'
ok "Ctrl-C: the producer keeps running" alive "$p"
interrupt "$p"
reap "$p"
is "Ctrl-C: serving producer exit status 0" "$ST" 0
ok "Ctrl-C: serving producer removed its socket file" test ! -e int2.sock

bg c "$IPCDEMO" unix consume --type dgram --path int3.sock --stats
c=$BG
ok "Ctrl-C dgram consumer: bound" wait_for 20 has c.err 'receiving on int3\.sock'
run "Ctrl-C dgram consumer: a producer" 0 -- "$IPCDEMO" unix produce -q --type dgram --path int3.sock a b
ok "Ctrl-C dgram consumer: 2 messages" wait_for 20 has_lines c.out 2
interrupt "$c"
reap "$c"
is "Ctrl-C dgram consumer: exit status 0" "$ST" 0
like "Ctrl-C dgram consumer: summary" "$(cat c.err)" 'received 2 messages'
ok "Ctrl-C dgram consumer: removed its socket file" test ! -e int3.sock

# ---- nc (netcat-openbsd) ----

if $have_nc; then
	# producer4.sh: uuidgen | nc -lU; here a fixed input, and -N to end it.
	lines a b c >in.txt
	BG_IN=in.txt bg n nc -N -lU nc1.sock
	n=$BG
	ok "nc -lU producer: listening" wait_for 20 is_sock nc1.sock
	run "nc -lU producer: ipcdemo consumer" 0 -- "$IPCDEMO" unix consume --path nc1.sock
	is "nc -lU producer: the lines" "$OUT" "$(lines a b c)"
	ok "nc -lU producer: nc ends" wait_for 20 dead "$n"
	reap "$n"
	# nc leaves its socket file behind: the next listener replaces it.
	if is_sock nc1.sock; then
		bg p "$IPCDEMO" unix produce --path nc1.sock again
		p=$BG
		ok "after nc -lU: ipcdemo replaces the stale socket" wait_for 20 has p.err 'listening on nc1\.sock'
		run "after nc -lU: a consumer reaches ipcdemo" 0 -- "$IPCDEMO" unix consume --path nc1.sock
		is "after nc -lU: the message" "$OUT" again
		reap "$p"
	else
		skip "after nc -lU: stale socket replaced" "nc removed its socket file"
	fi

	bg p "$IPCDEMO" unix produce -q --path nc2.sock --source counter -n 1000
	p=$BG
	ok "nc -U consumer: ipcdemo listening" wait_for 20 is_sock nc2.sock
	run "nc -U consumer" 0 -- nc -d -U nc2.sock
	is "nc -U consumer: every line in order" "$OUT" "$(seq 1 1000)"
	reap "$p"
	is "nc -U consumer: producer exit status 0" "$ST" 0

	bg n nc -d -lU nc3.sock
	n=$BG
	ok "nc -lU listening consumer: listening" wait_for 20 is_sock nc3.sock
	run "nc -lU consumer: ipcdemo produce --connect" 0 -- "$IPCDEMO" unix produce -q --connect --path nc3.sock \
		--source counter -n 1000
	ok "nc -lU consumer: nc ends" wait_for 20 dead "$n"
	reap "$n"
	is "nc -lU consumer: every line in order" "$(cat n.out)" "$(seq 1 1000)"

	bg c "$IPCDEMO" unix consume --listen --path nc4.sock --exit-on-eof --timeout 30s
	c=$BG
	ok "nc -U producer: ipcdemo listening" wait_for 20 has c.err 'listening on nc4\.sock'
	lines x y z >in.txt
	run "nc -U producer" 0 -- nc -N -U nc4.sock <in.txt
	ok "nc -U producer: the consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "nc -U producer: consumer exit status 0" "$ST" 0
	is "nc -U producer: the lines" "$(cat c.out)" "$(lines x y z)"

	bg c "$IPCDEMO" unix consume --type dgram --path nc5.sock --json -n 2 --timeout 30s
	c=$BG
	ok "nc -uU producer: ipcdemo bound" wait_for 20 has c.err 'receiving on nc5\.sock'
	printf 'one\n' >in.txt
	run "nc -uU producer: a datagram" 0 -- nc -q 0 -uU nc5.sock <in.txt
	printf 'two\n' >in.txt
	run "nc -uU producer: another" 0 -- nc -q 0 -uU nc5.sock <in.txt
	ok "nc -uU producer: the consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "nc -uU producer: consumer exit status 0" "$ST" 0
	is "nc -uU producer: one message per datagram" "$(payloads "$(cat c.out)")" "$(lines one two)"
	is "nc -uU producer: peer credentials" "$(count_in c.out "\"peer_uid\":${MY_UID}[,}]")" 2

	# nc -lUu connects back to the sender of the first datagram: the
	# producer must still be there (as the tutorial's, sending every second).
	bg n nc -d -lUu nc6.sock
	n=$BG
	ok "nc -lUu consumer: bound" wait_for 20 is_sock nc6.sock
	bg p "$IPCDEMO" unix produce -q --type dgram --path nc6.sock --every 200ms --batches 100 --source counter -n 1
	p=$BG
	ok "nc -lUu consumer: the datagrams arrive" wait_for 20 has_lines n.out 3
	interrupt "$p"
	reap "$p"
	is "nc -lUu consumer: ipcdemo producer exit status 0" "$ST" 0
	is "nc -lUu consumer: one line per datagram, in order" "$(head -n 3 n.out)" "$(seq 1 3)"
	stop "$n"
else
	skip "nc -lU / -U / -uU / -lUu peers" "nc (netcat-openbsd) not installed"
fi

# ---- socat ----

if $have_socat; then
	lines a b c >in.txt
	BG_IN=in.txt bg s socat -u - UNIX-LISTEN:so1.sock
	s=$BG
	ok "socat UNIX-LISTEN producer: listening" wait_for 20 is_sock so1.sock
	run "socat UNIX-LISTEN producer: ipcdemo consumer" 0 -- "$IPCDEMO" unix consume --path so1.sock
	is "socat UNIX-LISTEN producer: the lines" "$OUT" "$(lines a b c)"
	ok "socat UNIX-LISTEN producer: socat ends" wait_for 20 dead "$s"
	reap "$s"

	bg p "$IPCDEMO" unix produce -q --path so2.sock --source counter -n 1000
	p=$BG
	ok "socat UNIX-CONNECT consumer: ipcdemo listening" wait_for 20 is_sock so2.sock
	run "socat UNIX-CONNECT consumer" 0 -- socat -u UNIX-CONNECT:so2.sock -
	is "socat UNIX-CONNECT consumer: every line in order" "$OUT" "$(seq 1 1000)"
	reap "$p"

	bg s socat -u UNIX-LISTEN:so3.sock -
	s=$BG
	ok "socat UNIX-LISTEN consumer: listening" wait_for 20 is_sock so3.sock
	run "socat UNIX-LISTEN consumer: ipcdemo produce --connect" 0 -- \
		"$IPCDEMO" unix produce -q --connect --path so3.sock one two
	ok "socat UNIX-LISTEN consumer: socat ends" wait_for 20 dead "$s"
	reap "$s"
	is "socat UNIX-LISTEN consumer: the lines" "$(cat s.out)" "$(lines one two)"

	# A stream has no boundaries: two 4-byte writes make one line.
	bg c "$IPCDEMO" unix consume --listen --path so4.sock --exit-on-eof --timeout 30s
	c=$BG
	ok "socat UNIX-CONNECT producer: ipcdemo listening" wait_for 20 has c.err 'listening on so4\.sock'
	printf 'abcdefgh\nline 2\n' >in.txt
	run "socat UNIX-CONNECT producer, 4-byte writes" 0 -- socat -b 4 -u - UNIX-CONNECT:so4.sock <in.txt
	ok "socat UNIX-CONNECT producer: the consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "stream from socat: lines, whatever the writes" "$(cat c.out)" "$(lines abcdefgh 'line 2')"

	# Datagrams keep their boundaries: two 4-byte sends are two messages.
	bg c "$IPCDEMO" unix consume --type dgram --path so5.sock --json -n 3 --timeout 30s
	c=$BG
	ok "socat UNIX-SENDTO: ipcdemo bound" wait_for 20 has c.err 'receiving on so5\.sock'
	printf 'abcdefgh' >in.txt
	run "socat UNIX-SENDTO: two 4-byte datagrams" 0 -- socat -b 4 -u - UNIX-SENDTO:so5.sock <in.txt
	printf 'whole line\n' >in.txt
	run "socat UNIX-SENDTO: one more" 0 -- socat -u - UNIX-SENDTO:so5.sock <in.txt
	ok "socat UNIX-SENDTO: the consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "socat UNIX-SENDTO: consumer exit status 0" "$ST" 0
	is "socat UNIX-SENDTO: one message per datagram" "$(payloads "$(cat c.out)")" "$(lines abcd efgh 'whole line')"

	bg s socat -u UNIX-RECV:so6.sock -
	s=$BG
	ok "socat UNIX-RECV consumer: bound" wait_for 20 is_sock so6.sock
	run "socat UNIX-RECV consumer: ipcdemo dgram producer" 0 -- \
		"$IPCDEMO" unix produce -q --type dgram --path so6.sock one two three
	ok "socat UNIX-RECV consumer: the datagrams arrive" wait_for 20 has_lines s.out 3
	is "socat UNIX-RECV consumer: the lines" "$(cat s.out)" "$(lines one two three)"
	stop "$s"

	bg c "$IPCDEMO" unix consume --listen --type seqpacket --path so7.sock --json -n 3 --timeout 30s
	c=$BG
	ok "socat seqpacket producer: ipcdemo listening" wait_for 20 has c.err 'listening on so7\.sock'
	printf 'abcdefgh' >in.txt
	run "socat seqpacket producer: two 4-byte packets" 0 -- socat -b 4 -u - UNIX-CONNECT:so7.sock,type=5 <in.txt
	printf 'x\n' >in.txt
	run "socat seqpacket producer: one more" 0 -- socat -u - UNIX-CONNECT:so7.sock,type=5 <in.txt
	ok "socat seqpacket producer: the consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "socat seqpacket producer: one message per packet" "$(payloads "$(cat c.out)")" "$(lines abcd efgh x)"

	lines a b >in.txt
	BG_IN=in.txt bg s socat -u - "ABSTRACT-LISTEN:$ABS-socat"
	s=$BG
	run "socat ABSTRACT-LISTEN producer: ipcdemo consume --wait" 0 -- \
		"$IPCDEMO" unix consume --path "@$ABS-socat" --wait 10s
	is "socat ABSTRACT-LISTEN producer: the lines" "$OUT" "$(lines a b)"
	ok "socat ABSTRACT-LISTEN producer: socat ends" wait_for 20 dead "$s"
	reap "$s"

	bg p "$IPCDEMO" unix produce --path "@$ABS-socat2" one two
	p=$BG
	ok "socat ABSTRACT-CONNECT consumer: ipcdemo listening" wait_for 20 has p.err "listening on @$ABS-socat2"
	run "socat ABSTRACT-CONNECT consumer" 0 -- socat -u "ABSTRACT-CONNECT:$ABS-socat2" -
	is "socat ABSTRACT-CONNECT consumer: the lines" "$OUT" "$(lines one two)"
	reap "$p"
	is "socat ABSTRACT-CONNECT consumer: producer exit status 0" "$ST" 0
else
	skip "socat UNIX-LISTEN / UNIX-CONNECT / UNIX-SENDTO / UNIX-RECV / ABSTRACT-* peers" "socat not installed"
fi

# ---- unix demo ----

for type in stream dgram seqpacket; do
	rm -rf demotmp democwd
	mkdir demotmp democwd
	if [ "$type" = stream ]; then
		run "unix demo" 0 -- env -C democwd TMPDIR="$T/demotmp" "$IPCDEMO" unix demo
	else
		run "unix demo --type $type" 0 -- env -C democwd TMPDIR="$T/demotmp" "$IPCDEMO" unix demo --type "$type"
	fi
	demo=$OUT
	is "demo $type: 10 UUIDs labelled producer" "$(count_re "$demo" "^producer +\\| $UUID4_RE\$")" 10
	is "demo $type: 10 UUIDs labelled consumer" "$(count_re "$demo" "^consumer +\\| $UUID4_RE\$")" 10
	is "demo $type: the consumer got what the producer sent, in order" \
		"$(printf '%s\n' "$demo" | sed -nE "s/^consumer +\\| ($UUID4_RE)\$/\\1/p")" \
		"$(printf '%s\n' "$demo" | sed -nE "s/^producer +\\| ($UUID4_RE)\$/\\1/p")"
	is "demo $type: leaves nothing in TMPDIR" "$(ls -A demotmp)" ""
	is "demo $type: leaves nothing in the current directory" "$(ls -A democwd)" ""
	is "demo $type: nothing on stderr" "$ERR" ""
done

done_testing
