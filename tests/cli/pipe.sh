#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts expand $IPCDEMO themselves
# ipcdemo pipe: producer2.sh | consumer2.sh, pipelines that behave
# (| head, /dev/full), the terminal case of consumer2.sh, and pipe demo.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

RULE='--------------'
have_jq=false
command -v jq >/dev/null 2>&1 && have_jq=true

# Here nlines counts the lines of a text, not of a file as lib.sh's does.
nlines() { # text: number of lines (0 when empty)
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l | tr -d ' '; fi
}

# ---- producer2.sh | consumer2.sh ----

run "pipe produce | pipe consume" 0 -- bash -c '"$IPCDEMO" pipe produce | "$IPCDEMO" pipe consume'
is "pipeline: 10 lines on stdout" "$(nlines "$OUT")" 10
is "pipeline: every line is a v4 UUID" "$(count_re "$OUT" "^$UUID4_RE\$")" 10
is "pipeline: 10 different UUIDs" "$(printf '%s\n' "$OUT" | sort -u | wc -l | tr -d ' ')" 10
is "pipeline: the tutorial's header on stderr, nothing else" "$ERR" "Consumer data:
$RULE"
is "pipeline: the rule is 14 dashes" "${#RULE}" 14
unlike "pipeline: no header on stdout" "$OUT" 'Consumer data|^-+$'

# The command line of the README's speed goal, verbatim but for -n.
run "pipe produce --source counter -n 100000 -q | pipe consume --stats" 0 -- bash -c \
	'"$IPCDEMO" pipe produce --source counter -n 100000 -q | "$IPCDEMO" pipe consume --stats >/dev/null'
like "counter pipeline: every message received" "$ERR" 'pipe consume: received 100000 messages, 488895 bytes$'
is "counter pipeline: the header and the summary, nothing else" "$(nlines "$ERR")" 7

# --batch N: at most N messages per system call, the calls counted in
# --stats (the producer's summary goes to p.err, then to stderr after the
# consumer's).
batch_run() { # name producer-args consumer-args
	run "$1" 0 -- bash -c '"$IPCDEMO" pipe produce --source counter -n 5000 --size 64 --stats $1 2>p.err |
		"$IPCDEMO" pipe consume --stats -q $2 >/dev/null; cat p.err >&2' _ "$2" "$3"
}
batch_run "default: 256 KiB a write" "" ""
like "default: 4096 messages of 64 bytes a write" "$ERR" '^  writes   2, 2500\.0 messages per write$'
like "default: reads of many messages" "$ERR" '^  reads    [0-9]+, ([2-9]|[1-9][0-9]+)[0-9]*\.[0-9] messages per read$'
batch_run "--batch 3: a write of 3 messages" "--batch 3" ""
like "--batch 3: 1667 writes" "$ERR" '^  writes   1667, 3\.0 messages per write$'
batch_run "--batch 1 on both sides" "--batch 1" "--batch 1"
like "--batch 1: a write per message" "$ERR" '^  writes   5000, 1\.0 messages per write$'
like "--batch 1: a read per message (of the size of the first)" "$ERR" '^  reads    5000, 1\.0 messages per read$'
like "--batch 1: every message received" "$ERR" 'pipe consume: received 5000 messages, 315000 bytes$'
if $have_jq; then
	run "--batch 1 --stats --json" 0 -- bash -c '"$IPCDEMO" pipe produce --source counter -n 300 --batch 1 --stats --json \
		2>p.json | "$IPCDEMO" pipe consume -q >/dev/null'
	is "--batch 1 --json: writes and messages per write" \
		"$(jq -r '"\(.sent) \(.writes) \(.messages_per_write)"' p.json 2>&1)" "300 300 1"
else
	skip "--batch 1 --json: writes and messages per write" "jq is not installed"
fi
# A line longer than any before is read in growing pieces, not in pieces
# of the shorter ones. From a file, so that each read gets all it asks
# for (through a pipe, how tr chunks its writes sets the count).
{ echo a; echo b; head -c 100000 /dev/zero | tr "\0" x; echo; echo c; } >longline
run "--batch 1: a long line after short ones" 0 -- "$IPCDEMO" pipe consume --batch 1 --stats -q <longline
is "--batch 1, a long line: every line intact" "$(printf '%s\n' "$OUT" | awk '{ print length($0) }' | tr '\n' ' ')" \
	"1 1 100000 1 "
like "--batch 1, a long line: under 30 reads" "$ERR" '^  reads    [12]?[0-9], '

run "pipe produce -q, reader gone" 0 -- bash -c '"$IPCDEMO" pipe produce -q -n 1000000 | head -n 1'
is "produce -q, reader gone: one line" "$(nlines "$OUT")" 1
is "produce -q, reader gone: nothing on stderr" "$ERR" ""

run "pipe produce alone" 0 -- "$IPCDEMO" pipe produce
is "produce: 10 v4 UUIDs on stdout" "$(count_re "$OUT" "^$UUID4_RE\$")" 10
is "produce: nothing else on stdout" "$(nlines "$OUT")" 10
is "produce: nothing on stderr" "$ERR" ""

run "pipe produce -n 3 | pipe consume" 0 -- bash -c '"$IPCDEMO" pipe produce -n 3 | "$IPCDEMO" pipe consume'
is "-n 3: 3 lines" "$(nlines "$OUT")" 3
is "-n 3: 3 UUIDs" "$(count_re "$OUT" "^$UUID4_RE\$")" 3

run "consume passes lines through unchanged" 0 -- bash -c \
	'printf "a b\n\n  spaced  \nno newline at end" | "$IPCDEMO" pipe consume -q'
is "consume: lines as they were, the last one completed" "$OUT" "a b

  spaced  
no newline at end"
is "consume -q: no header" "$ERR" ""

# ---- | head: a quiet end with status 0 ----

run "produce | head -n 3 (pipefail)" 0 -- bash -c 'set -o pipefail; "$IPCDEMO" pipe produce | head -n 3'
is "| head -n 3: 3 lines" "$(nlines "$OUT")" 3
is "| head -n 3: nothing on stderr" "$ERR" ""

run "produce -n 10000000 --source counter | head -n 3 (pipefail)" 0 -- \
	bash -c 'set -o pipefail; "$IPCDEMO" pipe produce -n 10000000 --source counter | head -n 3'
is "| head: the first 3 numbers" "$OUT" "$(seq 1 3)"
is "| head: nothing on stderr" "$ERR" ""

run "produce --every 100ms | head -n 3 (pipefail)" 0 -- \
	bash -c 'set -o pipefail; "$IPCDEMO" pipe produce --every 100ms -n 1 --source counter | head -n 3'
is "--every | head: the first 3 numbers" "$OUT" "$(seq 1 3)"
is "--every | head: nothing on stderr" "$ERR" ""

run "produce | consume -q | head -n 3 (pipefail)" 0 -- \
	bash -c 'set -o pipefail; "$IPCDEMO" pipe produce -n 1000000 --source counter | "$IPCDEMO" pipe consume -q | head -n 3'
is "consume | head: the first 3 numbers" "$OUT" "$(seq 1 3)"
is "consume | head: nothing on stderr" "$ERR" ""

# ---- write errors on stdout ----

if [ -w /dev/full ]; then
	run "produce > /dev/full" 1 -- bash -c 'exec "$IPCDEMO" pipe produce >/dev/full'
	like "produce > /dev/full: names standard output" "$ERR" '^ipcdemo pipe produce: .*standard output.*: No space left on device$'
	run "produce --source counter -n 100000 > /dev/full" 1 -- \
		bash -c 'exec "$IPCDEMO" pipe produce --source counter -n 100000 >/dev/full'
	like "produce (many) > /dev/full: names standard output" "$ERR" 'standard output'

	run "consume > /dev/full" 1 -- bash -c '"$IPCDEMO" pipe produce | "$IPCDEMO" pipe consume -q >/dev/full'
	like "consume > /dev/full: names standard output and the error" "$ERR" \
		'^ipcdemo pipe consume: .*standard output.*: No space left on device$'
	is "consume > /dev/full: the error is reported once" "$(count_re "$ERR" 'standard output')" 1
	unlike "consume > /dev/full: no made-up errno" "$ERR" 'Input/output error'

	run "consume --json > /dev/full" 1 -- bash -c '"$IPCDEMO" pipe produce | "$IPCDEMO" pipe consume -q --json >/dev/full'
	like "consume --json > /dev/full: names standard output" "$ERR" 'standard output'
else
	skip "produce > /dev/full" "no writable /dev/full"
	skip "consume > /dev/full" "no writable /dev/full"
fi

# ---- consumer2.sh with a terminal on stdin ----

if command -v script >/dev/null 2>&1 && script -V 2>&1 | grep -q util-linux; then
	# script(1) runs the command on a new pseudo-terminal: stdin is a tty.
	on_tty() { # want command words...: output (CRs removed) in $OUT
		local want=$1 cmd
		shift
		cmd=$(printf '%q ' "$@")
		run "${*:2} on a terminal" "$want" -- script -qec "$cmd" /dev/null
		OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
	}
	on_tty 0 "$IPCDEMO" pipe consume hello world
	like "terminal: the header" "$OUT" '^Consumer data:$'
	like "terminal: the rule" "$OUT" "^$RULE\$"
	like "terminal: the arguments are the data, as consumer2.sh" "$OUT" '^hello world$'
	on_tty 0 "$IPCDEMO" pipe consume -q "one  arg" two
	is "terminal -q: the arguments joined by a space" "$OUT" "one  arg two"
	on_tty 2 "$IPCDEMO" pipe consume
	like "terminal without arguments: says to pipe data in" "$OUT" 'pipe'
	like "terminal without arguments: shows how" "$OUT" 'ipcdemo pipe produce \| ipcdemo pipe consume'
	unlike "terminal without arguments: no header" "$OUT" '^Consumer data:'
else
	skip "consume with a terminal on stdin" "script(1) from util-linux is not installed"
	skip "consume on a terminal without arguments" "script(1) from util-linux is not installed"
fi

run "consume with arguments and a pipe on stdin" 0 -- bash -c '"$IPCDEMO" pipe produce -n 2 --source counter | "$IPCDEMO" pipe consume ignored'
is "pipe on stdin: stdin is the data, not the arguments" "$OUT" "$(seq 1 2)"

# ---- -n, --timeout, --json, --stats ----

run "consume -n 2" 0 -- bash -c 'set -o pipefail; "$IPCDEMO" pipe produce --source counter | "$IPCDEMO" pipe consume -n 2'
is "consume -n 2: the first 2 messages" "$OUT" "$(seq 1 2)"
run "consume -n 2 of a producer that never ends" 0 -- \
	bash -c 'set -o pipefail; "$IPCDEMO" pipe produce --every 100ms -n 1 --source counter | "$IPCDEMO" pipe consume -n 2'
is "consume -n 2: stops, and so does the producer" "$OUT" "$(seq 1 2)"

mkfifo silent
sleep 60 >silent &
writer=$!
run "consume --timeout 300ms with a silent writer" 4 -- "$IPCDEMO" pipe consume --timeout 300ms <silent
kill "$writer" 2>/dev/null
is "--timeout: nothing on stdout" "$OUT" ""
mkfifo slow
{
	"$IPCDEMO" pipe produce -n 2 --source counter
	exec sleep 60
} >slow &
writer=$!
run "consume --timeout after some data" 0 -- "$IPCDEMO" pipe consume -q --timeout 300ms <slow
kill "$writer" 2>/dev/null
is "--timeout after data: the data, then status 0" "$OUT" "$(seq 1 2)"

run "consume --json" 0 -- bash -c '"$IPCDEMO" pipe produce -n 3 | "$IPCDEMO" pipe consume -q --json'
json_out=$OUT
is "--json: 3 lines" "$(nlines "$json_out")" 3
unlike "--json: no bare payload lines" "$json_out" '^[^{]'
if $have_jq; then
	bad=""
	while IFS= read -r line; do
		printf '%s\n' "$line" | jq -e --arg re "^$UUID4_RE\$" '
			(.payload | type == "string" and test($re))
			and .bytes == 36
			and (.time | type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$"))
			and .mechanism == "pipe"' >/dev/null 2>&1 || bad="$bad$line
"
	done <<<"$json_out"
	is "--json: payload, bytes, time and mechanism on every line" "$bad" ""

	run "consume --json of --seq messages" 0 -- bash -c '"$IPCDEMO" pipe produce -n 3 --seq --id 7 | "$IPCDEMO" pipe consume -q --json'
	is "--json --seq: sequence numbers" "$(printf '%s\n' "$OUT" | jq -r .seq 2>&1)" "$(seq 1 3)"
	is "--json --seq: producer id" "$(printf '%s\n' "$OUT" | jq -r .producer 2>&1 | sort -u)" 7
	is "--json --seq: the payload without the stamp" \
		"$(printf '%s\n' "$OUT" | jq -r .payload 2>&1 | grep -Ec "^$UUID4_RE\$")" 3

	run "consume --json escapes" 0 -- bash -c '"$IPCDEMO" pipe produce "quote\" back\\ tab	end" | "$IPCDEMO" pipe consume -q --json'
	is "--json: the payload survives escaping" "$(printf '%s\n' "$OUT" | jq -r .payload 2>&1)" 'quote" back\ tab	end'
else
	skip "--json: payload, bytes, time and mechanism on every line" "jq is not installed"
fi

run "consume --stats" 0 -- bash -c '"$IPCDEMO" pipe produce | "$IPCDEMO" pipe consume --stats'
is "--stats: the data on stdout" "$(count_re "$OUT" "^$UUID4_RE\$")" 10
like "--stats: the summary on stderr" "$ERR" 'received 10 messages, 360 bytes'
is "--stats: elapsed and rate" "$(count_re "$ERR" '^  (rate +[0-9]+ msg/s|elapsed +[0-9.]+ s)')" 2
unlike "--stats: no summary on stdout" "$OUT" 'received'
run "produce --stats" 0 -- bash -c '"$IPCDEMO" pipe produce -n 4 --stats | "$IPCDEMO" pipe consume -q'
like "produce --stats: its summary on stderr" "$ERR" 'sent 4 messages'
is "produce --stats: stdout stays data" "$(nlines "$OUT")" 4

# ---- pipe demo: pipe() and fork() ----

run "pipe demo" 0 -- "$IPCDEMO" pipe demo
demo=$OUT
like "demo: shows pipe()" "$demo" 'pipe\(\)'
like "demo: shows fork()" "$demo" 'fork\(\)'
is "demo: 5 sent by default" "$(count_re "$demo" "sent $UUID4_RE\$")" 5
is "demo: 5 received by default" "$(count_re "$demo" "received $UUID4_RE\$")" 5
is "demo: what was received is what was sent" \
	"$(printf '%s\n' "$demo" | sed -nE "s/.*received ($UUID4_RE)\$/\\1/p")" \
	"$(printf '%s\n' "$demo" | sed -nE "s/.*sent ($UUID4_RE)\$/\\1/p")"
like "demo: the child sees end of file" "$demo" 'end of file'
run "pipe demo -n 3" 0 -- "$IPCDEMO" pipe demo -n 3
is "demo -n 3: 3 sent" "$(count_re "$OUT" "sent $UUID4_RE\$")" 3
is "demo -n 3: 3 received" "$(count_re "$OUT" "received $UUID4_RE\$")" 3
run "pipe demo | head -n 2 (pipefail)" 0 -- bash -c 'set -o pipefail; "$IPCDEMO" pipe demo | head -n 2'
is "demo | head: 2 lines" "$(nlines "$OUT")" 2

done_testing
