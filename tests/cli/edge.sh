#!/bin/bash
# Edge cases: each of these once went wrong.
# Single-quoted bash -c scripts expand $IPCDEMO and $T in the child, as meant.
# shellcheck disable=SC2016
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

count_lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# ---- file: --truncate while a consumer follows never shows a fragment ----
for i in 1 2 3; do
	rm -f storage c.out
	"$IPCDEMO" file produce -q abc
	timeout --foreground 10 "$IPCDEMO" file consume -q -n 2 --timeout 5s >c.out 2>/dev/null &
	cpid=$!
	wait_for 10 count_lines c.out 1
	"$IPCDEMO" file produce -q --truncate HELLO-WORLD
	wait "$cpid"
	is "truncate $i: consumer saw the new line whole" "$(cat c.out)" "abc
HELLO-WORLD"
done

# ---- file: a producer re-creates the file someone removed ----
rm -f storage
timeout --foreground 20 "$IPCDEMO" file produce --every 200ms --source counter -n 1 --batches 40 >/dev/null 2>p.err &
ppid=$!
wait_for 10 test -s storage
rm storage
ok "file produce: storage created again after rm" wait_for 10 test -s storage
kill -INT "$ppid"
wait "$ppid"
is "file produce: clean exit after Ctrl-C" "$?" 0
like "file produce: says it was removed" "$(cat p.err)" "storage was removed"

# ---- file: following a symbolic link into another directory ----
mkdir -p a b
ln -sf ../b/storage a/link
"$IPCDEMO" file produce -q --path b/storage first
timeout --foreground 10 "$IPCDEMO" file consume -q --path a/link -n 2 --timeout 5s >s.out &
cpid=$!
wait_for 10 count_lines s.out 1
"$IPCDEMO" file produce -q --path b/storage second
wait "$cpid"
is "symlink: appends in the other directory are seen" "$(cat s.out)" "first
second"

# ---- file: --reread with --timeout ends when nothing new comes ----
run "reread + timeout: ends although the file has content" 0 -- "$IPCDEMO" file consume -q --path b/storage --reread 100ms --timeout 600ms
like "reread + timeout: printed the file (more than once)" "$OUT" "^first$"

# ---- file race: a failing writer is an error, not a count of lost lines ----
run "race: writers that cannot write fail the race" 1 -- bash -c "trap '' XFSZ; ulimit -f 20; exec \"\$IPCDEMO\" file race --lock flock --count 1000"
like "race: says a writer failed" "$ERR" "a writer failed"
unlike "race: no loss count from failed writers" "$OUT" "lines were lost"

# ---- stdin source: lines go out as they come, not at end of input ----
mkfifo in.fifo
rm -f pipe.fifo
timeout --foreground 20 "$IPCDEMO" fifo consume -q --exit-on-eof --timeout 15s >f.out &
cpid=$!
timeout --foreground 20 "$IPCDEMO" fifo produce --source stdin -q <in.fifo &
ppid=$!
exec 3>in.fifo
echo a >&3
ok "stdin: the first line arrives while input is still open" wait_for 10 count_lines f.out 1
echo b >&3
exec 3>&-
wait "$ppid"
is "stdin: producer exit status" "$?" 0
wait "$cpid"
is "stdin: both lines, in order" "$(cat f.out)" "a
b"

run "stdin: Ctrl-C while waiting for input exits 0" 0 -- bash -c 'sleep 5 | { "$IPCDEMO" pipe produce --source stdin & p=$!; sleep 0.3; kill -INT $p; wait $p; }'

# ---- fifo: the producer makes the FIFO again when a consumer removed it ----
rm -f pipe.fifo
timeout --foreground 20 "$IPCDEMO" fifo consume -q --unlink -n 2 >u1.out &
cpid=$!
timeout --foreground 30 "$IPCDEMO" fifo produce --every 200ms --source counter -n 1 --batches 60 -q 2>up.err &
ppid=$!
wait "$cpid"
is "unlink: first consumer done" "$?" 0
ok "unlink: the producer survives the removed FIFO" wait_for 10 test -p pipe.fifo
ok "unlink: the producer is still running" kill -0 "$ppid"
timeout --foreground 20 "$IPCDEMO" fifo consume -q -n 2 >u2.out &
cpid=$!
wait "$cpid"
is "unlink: a new consumer gets data" "$(wc -l <u2.out)" 2
kill -INT "$ppid"
wait "$ppid"
is "unlink: producer ends cleanly" "$?" 0

# ---- fifo: --stats when interrupted before any consumer came ----
rm -f pipe.fifo
"$IPCDEMO" fifo produce --stats -q 2>st.err &
ppid=$!
wait_for 10 test -p pipe.fifo
sleep 0.2
kill -INT "$ppid"
wait "$ppid"
is "fifo --stats interrupted while waiting: status" "$?" 0
like "fifo --stats interrupted while waiting: zero summary" "$(cat st.err)" "sent 0 messages"

# ---- consumers: what -n leaves unread is reported ----
run "-n: messages read but not printed are reported" 0 -- bash -c '"$IPCDEMO" pipe produce --source counter -n 20 | "$IPCDEMO" pipe consume -n 3'
is "-n: three printed" "$OUT" "1
2
3"
like "-n: the rest is mentioned" "$ERR" "17 more messages had been read"

# ---- lines at and over the 1 MiB line limit ----
run "a line of exactly 1 MiB is one message" 0 -- bash -c "head -c 1048576 /dev/zero | tr '\\0' a | { cat; echo; } | \"\$IPCDEMO\" pipe consume -q | awk '{ print length(\$0) }'"
is "a line of exactly 1 MiB: length" "$OUT" "1048576"
run "a longer line is delivered in pieces and fails" 1 -- bash -c "head -c 1048600 /dev/zero | tr '\\0' a | { cat; echo; } | \"\$IPCDEMO\" pipe consume -q >/dev/null"
like "a longer line: says so" "$ERR" "longer than 1 MiB"

# ---- --verify with absurd sequence numbers stays small and says so ----
run "verify: a huge span is counted, not allocated" 3 -- bash -c "printf '1:1:a\\n1:1099511627776:b\\n' | \"\$IPCDEMO\" pipe consume -q --verify"
like "verify: the whole span is lost" "$ERR" "(^|[^0-9])1099511627774 lost"

# ---- options ----
run "--seq=yes: a flag takes no value" 2 -- "$IPCDEMO" pipe produce --seq=yes
like "--seq=yes: message" "$ERR" "option --seq takes no value"
run "--wait on the listening side is a usage error" 2 -- "$IPCDEMO" tcp produce --wait 1s
like "--wait on the listening side: message" "$ERR" "--wait applies to the side that connects"

# ---- a consumer that shuts down its sending side still gets everything ----
rm -f half.sock
timeout --foreground 20 "$IPCDEMO" unix produce --path half.sock --every 200ms --source counter -n 1 --batches 5 -q >/dev/null 2>h.err &
ppid=$!
wait_for 10 test -S half.sock
run "half-closed consumer: reads to the end" 0 -- bash -c 'exec 0</dev/null; python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(\"half.sock\")
s.shutdown(socket.SHUT_WR)
data = b\"\"
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
sys.stdout.write(data.decode())
"'
wait "$ppid"
is "half-closed consumer: every message" "$(printf '%s\n' "$OUT" | tail -n 1)" 5

# ---- a seqpacket message too large for one packet is the producer's error ----
rm -f big.sock
timeout --foreground 20 "$IPCDEMO" unix produce --path big.sock --type seqpacket --size 300k -n 2 -q >/dev/null 2>b.err &
ppid=$!
wait_for 10 test -S big.sock
run "seqpacket too large: the consumer sees the end" 0 -- "$IPCDEMO" unix consume --path big.sock --type seqpacket --size 1M -q
wait "$ppid"
is "seqpacket too large: producer exit status" "$?" 1
like "seqpacket too large: says it does not fit" "$(cat b.err)" "does not fit in one packet"
rm -f big.sock
timeout --foreground 20 "$IPCDEMO" unix produce --path big.sock --type seqpacket --size 300k -n 2 >b.out 2>b.err &
ppid=$!
wait_for 10 test -S big.sock
run "seqpacket too large, echo: the consumer" 0 -- "$IPCDEMO" unix consume --path big.sock --type seqpacket -q
wait "$ppid"
is "seqpacket too large, echo: producer exit status" "$?" 1
is "seqpacket too large, echo: nothing echoed, nothing sent" "$(wc -c <b.out | tr -d ' ')$OUT" 0
like "seqpacket too large, echo: says both were not sent" "$(cat b.err)" '2 messages were not sent'

# ---- a write that went in part: --stats counts what went, echo shows it ----
R=/t-edge-$$-part
run "part: a ring of 2 slots" 0 -- "$IPCDEMO" shm create -q --name "$R" --slots 2 --slot-size 16
run "part: 6 messages of a slot each, --nonblock" 1 -- \
	"$IPCDEMO" shm produce --name "$R" --nonblock --stats --source counter -n 6 --size 16
is "part: echoed the 2 that went in" "$OUT" "1..............
2.............."
like "part: --stats counts their bytes" "$ERR" 'sent 2 messages, 30 bytes$'
like "part: the 4 others were not sent" "$ERR" '4 messages were not sent'
run "part: remove the ring" 0 -- "$IPCDEMO" shm unlink -q --name "$R"

# ---- demo: SIGTERM to the demo ends it and its children promptly ----
TMPDIR=$T timeout --foreground 30 "$IPCDEMO" fifo demo >d.out 2>d.err &
dpid=$!
wait_for 10 grep -q "producer |" d.out
kill -TERM "$dpid"
ok "demo: SIGTERM ends it within 5 s" wait_for 5 gone "$dpid"
wait "$dpid"
is "demo: exit status after SIGTERM" "$?" 0
ok "demo: nothing left in TMPDIR" bash -c '! ls -d "$T"/ipcdemo-demo.* 2>/dev/null'

done_testing
