#!/bin/bash
# --seq stamps (ID:SEQ:PAYLOAD) and the --verify loss detector, mostly
# through 'pipe consume' so that the input can be crafted.
. "$(dirname "$0")/lib.sh"

# ---- a clean run ----

# shellcheck disable=SC2016 # expanded by the inner shell
run "pipe produce --seq | pipe consume --verify" 0 -- bash -o pipefail -c \
	'"$IPCDEMO" pipe produce --seq --source counter -n 1000 | "$IPCDEMO" pipe consume --verify -q'
like "clean run: 0 lost" "$ERR" "(^|[^0-9])0 lost"
like "clean run: 1000 received" "$ERR" "1000 received"
like "clean run: 1 producer" "$ERR" "1 producer"
is "clean run: 1000 lines on stdout" "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 1000
like "clean run: stamped lines ID:SEQ:PAYLOAD" "$(printf '%s\n' "$OUT" | sed -n 1000p)" '^[0-9]+:1000:1000$'

# ---- crafted input ----

printf '7:1:a\n7:2:b\n7:4:d\n' >gap
run "gap 1,2,4: exit 3" 3 -- "$IPCDEMO" pipe consume --verify -q <gap
like "gap: 1 lost" "$ERR" "(^|[^0-9])1 lost"
is "gap: the data is still printed" "$OUT" "7:1:a
7:2:b
7:4:d"

printf '7:1:a\n7:2:b\n7:2:b\n7:3:c\n' >dup
run "duplicate 1,2,2,3: exit 3" 3 -- "$IPCDEMO" pipe consume --verify -q <dup
like "duplicate: 1 duplicated" "$ERR" "(^|[^0-9])1 duplicated"
like "duplicate: 0 lost" "$ERR" "(^|[^0-9])0 lost"

printf '7:1:a\n7:3:c\n7:2:b\n' >reord
run "reordered 1,3,2: exit 3" 3 -- "$IPCDEMO" pipe consume --verify -q <reord
like "reordered: 1 reordered" "$ERR" "(^|[^0-9])1 reordered"
like "reordered: 0 lost" "$ERR" "(^|[^0-9])0 lost"
like "reordered: 0 duplicated" "$ERR" "(^|[^0-9])0 duplicated"

printf '1:1:a\n2:1:x\n1:2:b\n2:2:y\n2:3:z\n1:3:c\n' >two
run "two producers interleaved, both clean: exit 0" 0 -- "$IPCDEMO" pipe consume --verify -q <two
like "two producers: 2 producers" "$ERR" "(^|[^0-9])2 producers"
like "two producers: 0 lost" "$ERR" "(^|[^0-9])0 lost"

# The same sequence numbers from two producers are not duplicates, and a gap
# in one of them is found.
printf '1:1:a\n2:1:x\n2:3:z\n1:2:b\n' >twogap
run "two producers, a gap in one: exit 3" 3 -- "$IPCDEMO" pipe consume --verify -q <twogap
like "two producers, a gap in one: 1 lost" "$ERR" "(^|[^0-9])1 lost"
like "two producers, a gap in one: 0 duplicated" "$ERR" "(^|[^0-9])0 duplicated"

printf '7:1:a\nno stamp here\n7:2:b\n' >unst
run "unstamped line under --verify: exit 3" 3 -- "$IPCDEMO" pipe consume --verify -q <unst
like "unstamped: reported" "$ERR" "(^|[^0-9])1 [-a-z ]*(stamp|unstamped)"

printf '7:0:a\n' >zero
run "sequence number 0 is not a stamp: exit 3" 3 -- "$IPCDEMO" pipe consume --verify -q <zero

run "no input at all under --verify: exit 0" 0 -- "$IPCDEMO" pipe consume --verify -q </dev/null
like "no input: 0 lost" "$ERR" "(^|[^0-9])0 lost"

run "without --verify the same gap is not checked" 0 -- "$IPCDEMO" pipe consume -q <gap
unlike "without --verify: no verify summary" "$ERR" "lost"

# ---- to /dev/null: nothing formatted, everything checked ----
# A consumer whose stdout is /dev/null formats no message; it still counts
# and verifies each one.
# shellcheck disable=SC2016 # expanded by the inner shell
run "to /dev/null, the gap: exit 3" 3 -- bash -c '"$1" pipe consume --verify --stats <gap >/dev/null' _ "$IPCDEMO"
like "to /dev/null: 1 lost" "$ERR" "(^|[^0-9])1 lost"
like "to /dev/null: all 3 counted" "$ERR" "received 3 messages"
if command -v strace >/dev/null 2>&1; then
	seq 5000 >lines
	strace -qq -e trace=write -e signal=none -o null.st "$IPCDEMO" pipe consume --batch 1 <lines >/dev/null
	is "to /dev/null: no write(2) to stdout" "$(grep -c '^write(1,' null.st)" 0
	strace -qq -e trace=write -e signal=none -o pipe.st "$IPCDEMO" pipe consume --batch 1 <lines | cat >lines.out
	ok "to a pipe: the lines written ($(grep -c '^write(1,' pipe.st) writes)" grep -q '^write(1,' pipe.st
	is "to a pipe: every line" "$(wc -l <lines.out)" 5000
else
	skip "to /dev/null: no write(2) to stdout" "no strace"
fi

# ---- forged stamps: any values, bounded memory, never a crash ----

printf '5:1:x\n5:18446744073709551615:x\n' >forged1
run "forged: 1 then 2^64-1 (was a SEGV): exit 3" 3 -- "$IPCDEMO" pipe consume --verify -q <forged1
like "forged: the span is lost, counted exactly" "$ERR" "(^|[^0-9])18446744073709551613 lost"
printf '1:18446744073709551615:x\n1:2:y\n' >forged2
run "forged: 2^64-1 then 2 (was a memmove out of bounds): exit 3" 3 -- "$IPCDEMO" pipe consume --verify -q <forged2
like "forged: the one far behind is reordered" "$ERR" "(^|[^0-9])1 reordered"
like "forged: and too far out of order to check" "$ERR" \
	"(^|[^0-9])1 too far out of order to check \(more than 65536 behind\)"
printf '0:1:a\n0:1:a\n18446744073709551615:18446744073709551615:z\n99999999999999999999:1:b\n1:0:c\n' >forged3
run "forged: id 0, id 2^64-1, an id past 2^64, sequence 0" 3 -- "$IPCDEMO" pipe consume --verify -q <forged3
like "forged: 2 producers, 1 duplicated, 2 without a stamp" "$ERR" \
	"verify: 2 producers, 5 received, 0 lost, 1 duplicated, 0 reordered, 2 without a --seq stamp"
# Two producers whose spans add up past 2^64: the sum stops at 2^64-1.
printf '1:1:a\n1:18446744073709551615:b\n2:1:a\n2:18446744073709551615:b\n' >forged4
run "forged: lost past 2^64 saturates" 3 -- "$IPCDEMO" pipe consume --verify -q <forged4
like "forged: lost is 2^64-1" "$ERR" "(^|[^0-9])18446744073709551615 lost"
# Jumps forward and back, far and near, cost bounded time.
awk 'BEGIN { s = 1; for (i = 0; i < 20000; i++) { printf "4:%.0f:x\n", s; s += (i % 2 ? 70000 : 1) } }' >jumps
run "forged: 20000 alternate jumps" 3 -- "$IPCDEMO" pipe consume --verify -q <jumps
like "forged: jumps are lost numbers, not duplicates" "$ERR" \
	"verify: 1 producer, 20000 received, 699920001 lost, 0 duplicated, 0 reordered"

# The same two stamps into listening consumers: they survive and report.
. "$LIB_DIR/ports.sh"
new_port
bg u "$IPCDEMO" udp consume --address "127.0.0.1:$PORT" --verify -q -n 2 --timeout 10s
wait_for 10 udp_bound "$PORT"
"$IPCDEMO" udp produce --address "127.0.0.1:$PORT" --source stdin -q <forged2
reap "$BG"
is "udp consume --verify, forged stamps: exit 3, not a crash" "$ST" 3
like "udp: the summary" "$(cat u.err)" "(^|[^0-9])1 too far out of order to check"
new_port
bg t "$IPCDEMO" tcp consume --listen --address "127.0.0.1:$PORT" --verify -q -n 2 --timeout 10s
wait_for 10 tcp_listening "$PORT"
"$IPCDEMO" tcp produce --connect --address "127.0.0.1:$PORT" --source stdin -q <forged1
reap "$BG"
is "tcp consume --listen --verify, forged stamps: exit 3, not a crash" "$ST" 3
like "tcp: the summary" "$(cat t.err)" "(^|[^0-9])18446744073709551613 lost"

# ---- many producers: fast, bounded, and said when past the limit ----

awk 'BEGIN { for (i = 1; i <= 200000; i++) printf "%d:1:x\n", i }' >ids
run "200000 producers (was quadratic)" 0 -- "$IPCDEMO" pipe consume --verify -q <ids
like "200000 producers: all tracked" "$ERR" "verify: 200000 producers, 200000 received, 0 lost"
# Past 1048576 producers the rest are counted, not tracked.
awk 'BEGIN { for (i = 1; i <= 1048580; i++) printf "%d:1:x\n", i; print "1048580:2:y"; print "7:2:y" }' >toomany
run "more producers than the limit: exit 3" 3 -- "$IPCDEMO" pipe consume --verify -q <toomany
is "more producers than the limit: says so" "$ERR" \
	"ipcdemo pipe consume: verify: 1048576 producers, 1048582 received, 0 lost, 0 duplicated, 0 reordered, 5 from untracked producers (limit of 1048576 producers reached) (FAILED)"
if $have_python; then
	run "--json: untracked and unchecked" 3 -- "$IPCDEMO" pipe consume --json --verify -q <forged2
	got=$(python3 -c '
import json, sys
v = json.loads(sys.stdin.read().strip())["verify"]
print(v["untracked"], v["unchecked"], v["reordered"], v["ok"])
' <<<"$ERR" 2>&1)
	is "--json: the new fields" "$got" "0 1 1 False"
fi

# ---- --stats ----

printf 'a\nbb\nccc\n' >three
run "--stats" 0 -- "$IPCDEMO" pipe consume --stats -q <three
like "--stats: messages and bytes on stderr" "$ERR" '^ipcdemo pipe consume: received 3 messages, [0-9]+ bytes$'
like "--stats: the rate over the active span, on a line of its own" "$ERR" \
	'^  rate +[0-9]+ msg/s, [0-9.]+ MB/s \(first message to last: [0-9.]+ (s|ms|us)\)$'
like "--stats: the elapsed time, on a line of its own" "$ERR" '^  elapsed +[0-9.]+ s, waits included$'
like "--stats: the processor time, on a line of its own" "$ERR" '^  cpu +[0-9.]+ s user \+ [0-9.]+ s system$'
like "--stats: the reads of the channel, on a line of its own" "$ERR" '^  reads +1, 3\.0 messages per read$'
is "--stats: five lines" "$(count_re "$ERR" .)" 5
is "--stats: every line within 80 columns" "$(printf '%s\n' "$ERR" | awk 'length > 79' | wc -l)" 0
is "--stats: stdout holds only the data" "$OUT" "a
bb
ccc"
# The rate is over the active span, first message to last, not over the
# idle second before the first: a burst after it comes at far more. (The
# consumer starts a little after the sleep does, so its elapsed time is
# under the second: checked against half of it.)
# shellcheck disable=SC2016 # expanded by the inner shell
run "--stats --json: a burst after an idle second" 0 -- bash -c \
	'(sleep 1; seq 20000) | "$IPCDEMO" pipe consume -q --stats --json >/dev/null'
if $have_python; then
	got=$(python3 -c '
import json, sys
o = json.loads(sys.stdin.read().strip())
print(o["received"], o["elapsed_s"] >= 0.5, o["active_s"] < o["elapsed_s"] / 2,
      o["rate_active"] > 2 * o["messages_per_s"], o["first_mono_ns"] <= o["last_mono_ns"])
' <<<"$ERR" 2>&1)
	is "--stats --json: the active span leaves the idle second out" "$got" "20000 True True True True"
else
	like "--stats --json: the active span's fields" "$ERR" '"active_s":[0-9.e+-]+,"rate_active":'
fi
# ... and ends at the last message: a message 0.4 s after the first, then
# 0.8 s of quiet before the end of file. The clock is read precisely after
# a read only when the coarse clock (a timer tick) has moved since the last
# reading, so the span is that of the messages, not of the quiet after
# them: with --json (the clock after each message), and in text (after
# each read), with and without --batch 1.
in_range() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; } # n low high: low <= n < high
span_ms() { # --stats text: the active span in ms
	sed -nE 's/.*first message to last: ([0-9.]+) (s|ms|us)\)$/\1 \2/p' | awk '
		{ v = $1; if ($2 == "s") v *= 1000; if ($2 == "us") v /= 1000; printf "%d\n", v }'
}
for how in --json "--json --batch 1" "" "--batch 1"; do
	# shellcheck disable=SC2016 # expanded by the inner shell
	run "--stats ${how:-(text)}: a message, 0.4 s, a message, 0.8 s" 0 -- bash -c \
		'(echo a; sleep 0.4; echo b; sleep 0.8) | "$IPCDEMO" pipe consume -q --stats '"$how"' >/dev/null'
	if [ "${how#--json}" != "$how" ]; then
		$have_python || continue
		ms=$(python3 -c 'import json, sys; print(int(json.loads(sys.stdin.read().strip())["active_s"] * 1000))' \
			<<<"$ERR" 2>&1)
	else
		ms=$(span_ms <<<"$ERR")
	fi
	ok "--stats ${how:-(text)}: the span ends at the last message (${ms:-none} ms)" \
		in_range "${ms:-0}" 300 700
done
run "--stats --verify" 3 -- "$IPCDEMO" pipe consume --stats --verify -q <gap
like "--stats --verify: the summary" "$ERR" "received 3 messages"
like "--stats --verify: and the verification" "$ERR" "(^|[^0-9])1 lost"

# ---- --json ----

run "--json --verify" 3 -- "$IPCDEMO" pipe consume --json --verify -q <gap
if $have_python; then
	got=$(python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["payload"], o["seq"], o["producer"], o["mechanism"], sep="|")
' <<<"$OUT" 2>&1)
	is "--json --verify: per-message seq and producer on stdout" "$got" "a|1|7|pipe
b|2|7|pipe
d|4|7|pipe"
	got=$(python3 -c '
import json, sys
text = sys.stdin.read().strip()
o = json.loads(text)
v = o.get("verify", o)
print(v["lost"], v["duplicated"], v["reordered"], v["producers"], v["received"], v["ok"])
' <<<"$ERR" 2>&1)
	is "--json --verify: a JSON summary on stderr" "$got" "1 0 0 1 3 False"
else
	like "--json --verify: seq on stdout" "$OUT" '"seq": ?4'
	like "--json --verify: producer on stdout" "$OUT" '"producer": ?7'
	like "--json --verify: JSON summary on stderr" "$ERR" '^\{.*"lost": ?1'
fi
run "--json --stats --verify" 0 -- "$IPCDEMO" pipe consume --json --stats --verify -q <two
if $have_python; then
	got=$(python3 -c '
import json, sys
o = json.loads(sys.stdin.read().strip())
print(o["verify"]["producers"], o["verify"]["lost"], o["verify"]["ok"], isinstance(o["bytes"], int),
      "elapsed_s" in o, "messages_per_s" in o)
' <<<"$ERR" 2>&1)
	is "--json --stats --verify: one JSON summary on stderr" "$got" "2 0 True True True True"
else
	like "--json --stats --verify: JSON summary on stderr" "$ERR" '^\{.*"producers": ?2'
fi

# ---- producer side ----

run "--id 7 --seq" 0 -- "$IPCDEMO" pipe produce --seq --id 7 --source counter -n 3
is "--id 7 --seq: stamps 7 with sequence 1..3" "$OUT" "7:1:1
7:2:2
7:3:3"
run "--seq without --id: the process id" 0 -- "$IPCDEMO" pipe produce --seq -n 2 hello
like "--seq: default id is a number" "$OUT" '^[0-9]+:1:hello$'
like "--seq: second message is 2" "$OUT" '^[0-9]+:2:hello$'
run "--id without --seq: usage error" 2 -- "$IPCDEMO" pipe produce --id 7 -n 1
like "--id without --seq: says why" "$ERR" "seq"
run "--id abc: usage error" 2 -- "$IPCDEMO" pipe produce --seq --id abc -n 1

run "--size 64" 0 -- "$IPCDEMO" pipe produce --size 64 -n 5
printf '%s\n' "$OUT" >sized
is "--size 64: 5 lines" "$(wc -l <sized | tr -d ' ')" 5
is "--size 64: every line is 63 characters + newline" "$(awk 'length($0) != 63' sized | wc -l | tr -d ' ')" 0
is "--size 64: 320 bytes in all" "$(wc -c <sized | tr -d ' ')" 320
run "--size 64 --seq" 0 -- "$IPCDEMO" pipe produce --size 64 --seq --id 3 --source counter -n 4
printf '%s\n' "$OUT" >sized2
is "--size 64 --seq: every line 63 characters" "$(awk 'length($0) != 63' sized2 | wc -l | tr -d ' ')" 0
like "--size 64 --seq: stamp first" "$(head -n 1 sized2)" '^3:1:1'
run "--size 64 --seq | --verify" 0 -- "$IPCDEMO" pipe consume --verify -q <sized2
like "--size 64 --seq | --verify: 0 lost" "$ERR" "(^|[^0-9])0 lost"

# ---- end to end through a FIFO ----

# Consumer first.
mkfifo seq.fifo
timeout -k 5 "$T_LIMIT" "$IPCDEMO" fifo consume --path seq.fifo --verify -q -n 500 >fc.out 2>fc.err &
fc=$!
run "fifo produce --seq" 0 -- "$IPCDEMO" fifo produce --path seq.fifo --seq --source counter -n 500 -q
wait "$fc"
is "fifo consume --verify: exit 0" "$?" 0
like "fifo consume --verify: 0 lost" "$(cat fc.err)" "(^|[^0-9])0 lost"
like "fifo consume --verify: 500 received" "$(cat fc.err)" "500 received"
is "fifo consume --verify: 500 lines" "$(wc -l <fc.out | tr -d ' ')" 500

# Producer first: it waits for a consumer.
timeout -k 5 "$T_LIMIT" "$IPCDEMO" fifo produce --path seq.fifo --seq --source counter -n 500 >fp.out 2>fp.err &
fp=$!
wait_for 10 grep -q consumer fp.err # its note that it waits for one
run "fifo consume --verify, producer started first" 0 -- "$IPCDEMO" fifo consume --path seq.fifo --verify -q -n 500
like "fifo, producer first: 0 lost" "$ERR" "(^|[^0-9])0 lost"
like "fifo, producer first: 500 received" "$ERR" "500 received"
wait "$fp"
is "fifo produce --seq, started first: exit 0" "$?" 0
is "fifo, producer first: the consumer printed what the producer echoed" "$OUT" "$(cat fp.out)"

done_testing
