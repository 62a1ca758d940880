#!/bin/bash
# ipcdemo socketpair: the book's Socket.pair example (a parent sends "Heavy
# lifting" twice and "Feather lifting" twice, its forked child answers each
# with "... received!") for every socket type, and 'run', a producer and a
# consumer over one pair.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

BOOK_REPLIES='Heavy lifting received!
Heavy lifting received!
Feather lifting received!
Feather lifting received!'
BOOK_GOT='got "Heavy lifting"
got "Heavy lifting"
got "Feather lifting"
got "Feather lifting"'

# check_demo NAME SOCK_TYPE REPLIES GOT SENT: checks $OUT of a demo run.
check_demo() {
	local name=$1 type=$2 replies=$3 got=$4 sent=$5 ppid cpid
	ppid=$(printf '%s\n' "$OUT" | sed -nE '1s/^parent ([0-9]+): .*/\1/p')
	cpid=$(printf '%s\n' "$OUT" | sed -nE 's/^parent [0-9]+: fork\(\) -> child ([0-9]+);.*/\1/p')
	like "$name: the parent makes a $type pair" "$(printf '%s\n' "$OUT" | head -n 1)" \
		"^parent [0-9]+: socketpair\\(AF_UNIX, $type\\) -> fd [0-9]+ and fd [0-9]+, already connected\$"
	ok "$name: the parent forks a child" test -n "$cpid" -a "$cpid" != "${ppid:-none}"
	is "$name: the parent's replies, in order, labelled by the parent" \
		"$(printf '%s\n' "$OUT" | grep ' received!$')" \
		"$(printf '%s\n' "$replies" | sed "s/^/parent ${ppid:-none}: /")"
	is "$name: the child's 'got' lines, in order" \
		"$(printf '%s\n' "$OUT" | grep -E '^child +[0-9]+: got ')" \
		"$(printf '%s\n' "$got" | sed "s/^/child  ${cpid:-none}: /")"
	is "$name: what the parent sent, in order" \
		"$(printf '%s\n' "$OUT" | sed -nE "s/^parent ${ppid:-none}: sent (.*)/\\1/p")" "$sent"
	is "$name: every line is labelled by the parent or the child" \
		"$(printf '%s\n' "$OUT" | grep -Evc "^(parent ${ppid:-none}|child  ${cpid:-none}): ")" 0
	is "$name: nothing on stderr" "$ERR" ""
}

BOOK_SENT='"Heavy lifting"
"Heavy lifting"
"Feather lifting"
"Feather lifting"'

# ---- demo: the book's example ----

run "socketpair demo" 0 -- "$IPCDEMO" socketpair demo
check_demo "demo (dgram, as in the book)" SOCK_DGRAM "$BOOK_REPLIES" "$BOOK_GOT" "$BOOK_SENT"
is "demo: exactly the book's four reply lines" \
	"$(printf '%s\n' "$OUT" | sed -nE 's/^parent [0-9]+: (.* received!)$/\1/p')" "$BOOK_REPLIES"

run "socketpair demo --type dgram" 0 -- "$IPCDEMO" socketpair demo --type dgram
check_demo "demo --type dgram" SOCK_DGRAM "$BOOK_REPLIES" "$BOOK_GOT" "$BOOK_SENT"

run "socketpair demo --type stream" 0 -- "$IPCDEMO" socketpair demo --type stream
check_demo "demo --type stream" SOCK_STREAM "$BOOK_REPLIES" "$BOOK_GOT" "$BOOK_SENT"

run "socketpair demo --type seqpacket" 0 -- "$IPCDEMO" socketpair demo --type seqpacket
check_demo "demo --type seqpacket" SOCK_SEQPACKET "$BOOK_REPLIES" "$BOOK_GOT" "$BOOK_SENT"

run "socketpair demo with messages" 0 -- "$IPCDEMO" socketpair demo one 'two words' three
check_demo "demo with messages" SOCK_DGRAM "one received!
two words received!
three received!" 'got "one"
got "two words"
got "three"' '"one"
"two words"
"three"'

run "socketpair demo --type stream with messages" 0 -- "$IPCDEMO" socketpair demo --type stream alpha beta
check_demo "demo --type stream with messages" SOCK_STREAM "alpha received!
beta received!" 'got "alpha"
got "beta"' '"alpha"
"beta"'

run "demo: a message with a newline: usage error" 2 -- "$IPCDEMO" socketpair demo "$(printf 'two\nlines')"
is "demo: a message with a newline: nothing on stdout" "$OUT" ""
like "demo: a message with a newline: says why" "$ERR" 'newline'
run "demo --type stream: a message with a newline: usage error" 2 -- \
	"$IPCDEMO" socketpair demo --type stream "$(printf 'two\nlines')"
run "demo --type bogus: usage error" 2 -- "$IPCDEMO" socketpair demo --type bogus
like "demo --type bogus: names --type" "$ERR" '--type'

# ---- run: a producer in the parent, a consumer in the child ----

run "socketpair run -n 5" 0 -- "$IPCDEMO" socketpair run -n 5
is "run -n 5: 5 lines" "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 5
is "run -n 5: every line is a UUID" "$(printf '%s\n' "$OUT" | grep -Evc "^$UUID4_RE\$")" 0
is "run -n 5: 5 different UUIDs" "$(printf '%s\n' "$OUT" | sort -u | wc -l | tr -d ' ')" 5

for type in dgram seqpacket stream; do
	run "run --type $type: messages as arguments" 0 -- "$IPCDEMO" socketpair run --type "$type" a 'b c' d
	is "run --type $type: the messages, in order" "$OUT" "a
b c
d"
	run "run --type $type --seq --source counter -n 100000 --verify" 0 -- \
		"$IPCDEMO" socketpair run --type "$type" --seq --source counter -n 100000 --verify
	like "run --type $type: 100000 received" "$ERR" '(^|[^0-9])100000 received'
	like "run --type $type: 0 lost" "$ERR" '(^|[^0-9])0 lost'
	like "run --type $type: 0 duplicated, 0 reordered" "$ERR" '(^|[^0-9])0 duplicated, 0 reordered'
	is "run --type $type: 100000 lines" "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 100000
	like "run --type $type: the last one is ID:100000:100000" "$(printf '%s\n' "$OUT" | tail -n 1)" \
		'^[0-9]+:100000:100000$'
	is "run --type $type: every line, in order" "$(printf '%s\n' "$OUT" | cut -d: -f3 | cmp - <(seq 1 100000) 2>&1)" ""

	run "run --type $type --json" 0 -- "$IPCDEMO" socketpair run --type "$type" --json --seq --id 7 \
		--source counter -n 3
	if $have_python; then
		got=$(python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["payload"], o["seq"], o["producer"], o["mechanism"], sep="|")
' <<<"$OUT" 2>&1)
		is "run --type $type --json: valid JSON lines, mechanism socketpair" "$got" "1|1|7|socketpair
2|2|7|socketpair
3|3|7|socketpair"
	else
		is "run --type $type --json: 3 lines" "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 3
		is "run --type $type --json: mechanism socketpair on every line" \
			"$(printf '%s\n' "$OUT" | grep -c '"mechanism": \{0,1\}"socketpair"')" 3
	fi
done

# shellcheck disable=SC2016 # expanded by the inner shell
run "run --source stdin" 0 -- bash -c 'printf "x\ny\n" | exec "$1" socketpair run --source stdin' _ "$IPCDEMO"
is "run --source stdin: the lines" "$OUT" "x
y"
run "run: a message with a newline: usage error" 2 -- "$IPCDEMO" socketpair run "$(printf 'two\nlines')"
is "run: a message with a newline: nothing on stdout" "$OUT" ""
run "run --type bogus: usage error" 2 -- "$IPCDEMO" socketpair run --type bogus -n 1

# ---- when a side dies (ipcdemo-socketpair(1), WHEN A SIDE DIES) ----

# A dgram child has no end of file: the kernel ends it when its parent dies.
bg_direct sp "$IPCDEMO" socketpair run --type dgram --source counter -n 1 --every 100ms --batches 600 --stats
sp=$BG
wait_for 10 has_lines sp.out 3
kid=$(cmd_pid "$sp")
kill -KILL "$sp"
reap "$sp" 2>/dev/null
if [ "$kid" != "$sp" ]; then
	ok "parent killed: the dgram child ends within 2 s" wait_for 2 dead "$kid"
else
	skip "parent killed: the dgram child ends within 2 s" "the child's pid is not known"
fi
like "parent killed: the child printed its summary" "$(cat sp.err)" 'received [0-9]+ messages'
is "parent killed: what the child printed is in order" "$(cut -d: -f3 sp.out | awk 'NR != $1 { print "bad" }' | head -n 1)" ""

# SIGINT to the parent alone: the child reads the end as usual.
for type in dgram stream; do
	bg_direct sp "$IPCDEMO" socketpair run --type "$type" --source counter -n 1 --every 100ms --batches 600 --stats
	sp=$BG
	wait_for 10 has_lines sp.out 3
	kill -INT "$sp"
	ok "run --type $type, SIGINT to the parent alone: ends within 2 s" wait_for 2 dead "$sp"
	reap "$sp" 2>/dev/null
	is "run --type $type, SIGINT to the parent alone: status 0" "$ST" 0
	like "run --type $type, SIGINT to the parent alone: the child's summary" "$(cat sp.err)" 'received [0-9]+ messages'
done

done_testing
