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

# ---- --stats ----

printf 'a\nbb\nccc\n' >three
run "--stats" 0 -- "$IPCDEMO" pipe consume --stats -q <three
like "--stats: messages, bytes, elapsed and rate on stderr" "$ERR" \
	'received 3 messages, [0-9]+ bytes in [0-9.]+ s \([0-9.]+ msg/s'
is "--stats: stdout holds only the data" "$OUT" "a
bb
ccc"
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
