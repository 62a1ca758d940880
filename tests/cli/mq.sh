#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts expand $IPCDEMO themselves
# ipcdemo mq: POSIX message queues, the notes' sender.c / receiver.c made a
# tool. Sending and receiving (arguments, stdin, UUIDs, counter), the
# aliases, priorities, --nonblock and --timeout on full and empty queues,
# -n, persistence across a killed receiver, create / info / unlink, name
# validation, the system's limits, --label, --unlink, C strings with their
# NUL, Ctrl-C, and mq demo.
#
# Other tests run in parallel, and 'ipcdemo clean' removes
# /ipcdemo and /ipcdemo-*: every queue here is /t-mq-PID-WHAT, registered
# with newq and removed at exit.
# (plain shellcheck does not follow lib.sh; shellcheck -x does)
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

MQ_DIR=/dev/mqueue
have_mqfs=false
grep -qs "^[^ ]* $MQ_DIR mqueue " /proc/mounts && have_mqfs=true

have_py=false
command -v python3 >/dev/null 2>&1 && have_py=true

MQ_NAMES=()
q="" long=""
newq() { # VAR WHAT: VAR gets a queue name of this test's own; removed at exit
	printf -v "$1" '/t-mq-%s-%s' "$$" "$2"
	MQ_NAMES+=("${!1}")
}
mq_cleanup() {
	local pids n
	pids=$(jobs -p)
	# A stopped job (SIGSTOP below) would not act on SIGTERM.
	# shellcheck disable=SC2086 # a list of pids, one word each
	[ -n "$pids" ] && kill -CONT $pids 2>/dev/null
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
	for n in "${MQ_NAMES[@]}"; do
		"$IPCDEMO" mq unlink -q --name "$n" >/dev/null 2>&1
	done
}
trap 'mq_cleanup; _t_cleanup' EXIT

# The number of messages a queue holds, from info --json ("" if none).
mq_count() {
	"$IPCDEMO" mq info --json --name "$1" 2>/dev/null | sed -nE 's/.*"messages":([0-9]+).*/\1/p'
}
mq_count_is() { [ "$(mq_count "$1")" = "$2" ]; } # name n
mq_exists() { "$IPCDEMO" mq info --name "$1" >/dev/null 2>&1; }
stopped() { # pid: stopped by a signal (state T)
	local st
	st=$(sed -E 's/^[0-9]+ \(.*\) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "${st%% *}" = T ]
}
# blocked_in_mq PID: asleep in the kernel waiting on a queue (wchan says
# where, when the kernel tells).
blocked_in_mq() {
	local st w=""
	st=$(sed -E 's/^[0-9]+ \(.*\) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "${st%% *}" = S ] || return 1
	[ -r "/proc/$1/wchan" ] && w=$(cat "/proc/$1/wchan" 2>/dev/null)
	case "$w" in "" | 0 | *wq_sleep* | *mq*) return 0 ;; *) return 1 ;; esac
}
# bg_blocked PID: the command of a bg time limit has started and is blocked
bg_blocked() { has_child "$1" && blocked_in_mq "$(cmd_pid "$1")"; }
# JSON lines: each one an object that python3 parses (true without python).
json_ok() {
	$have_py || return 0
	printf '%s\n' "$1" | python3 -c '
import json, sys
for line in sys.stdin:
    json.loads(line)
' 2>/dev/null
}
# payload:priority of each JSON line
json_prio() {
	printf '%s\n' "$1" | sed -nE 's/^\{"payload":"([^"]*)".*"priority":([0-9]+),.*$/\1:\2/p'
}

# ---- --help of every verb ----

for v in send receive produce consume create info unlink rm demo; do
	run "mq $v --help" 0 -- "$IPCDEMO" mq "$v" --help
	like "mq $v --help: its usage line" "$OUT" "^Usage: ipcdemo mq $v "
done
run "mq --help" 0 -- "$IPCDEMO" mq --help
for v in send receive produce consume create info unlink rm demo; do
	like "mq --help lists $v" "$OUT" "^  $v "
done

# The default queue is /ipcdemo; seen without creating it ('ipcdemo clean'
# may remove it under another test at any time).
run "mq send --help: the defaults" 0 -- "$IPCDEMO" mq send --help
like "send --help: the default name is /ipcdemo" "$OUT" '--name NAME .*\(default: /ipcdemo;'
"$IPCDEMO" mq info >def.out 2>def.err
st=$?
case $st in
0) like "info with no --name: /ipcdemo" "$(cat def.out)" '^name: +/ipcdemo$' ;;
1) like "info with no --name: /ipcdemo" "$(cat def.err)" 'mq_open /ipcdemo: No such file or directory' ;;
*) ok "info with no --name: exit 0 or 1, not $st" false ;;
esac

# ---- send and receive: arguments, stdin, UUIDs, counter ----

newq q args
run "send arguments" 0 -- "$IPCDEMO" mq send --name "$q" one two 'three four'
is "send: echoes each message" "$OUT" "one
two
three four"
like "send: says it created the queue" "$ERR" "created queue $q \\(maxmsg [0-9]+, msgsize [0-9]+, mode 0600\\)"
is "send: 3 messages queued" "$(mq_count "$q")" 3
run "receive -n 3" 0 -- "$IPCDEMO" mq receive --name "$q" -n 3
is "receive: the messages, in order, without their newline" "$OUT" "one
two
three four"
is "receive: no notes (the queue existed)" "$ERR" ""
is "receive: the queue is empty" "$(mq_count "$q")" 0

printf 'line 1\nline 2\n\nline 4\n' >lines.txt
run "send --source stdin" 0 -- "$IPCDEMO" mq send -q --name "$q" --source stdin <lines.txt
is "send -q: nothing on stdout" "$OUT" ""
is "send --source stdin: one message a line, the empty one too" "$(mq_count "$q")" 4
run "receive --nonblock: stdin lines" 0 -- "$IPCDEMO" mq receive --name "$q" --nonblock
is "stdin lines: received as sent" "$OUT" "$(cat lines.txt)"

run "send with no messages: UUIDs" 0 -- "$IPCDEMO" mq send --name "$q"
sent=$OUT
is "send: 10 UUIDs by default" "$(count_re "$sent" "^$UUID4_RE\$")" 10
is "send: 10 lines in all" "$(count_re "$sent" .)" 10
is "10 UUIDs queued" "$(mq_count "$q")" 10
run "receive the UUIDs" 0 -- "$IPCDEMO" mq receive --name "$q" --nonblock
is "receive: the UUIDs that were sent, in order" "$OUT" "$sent"

run "send --source counter -n 5" 0 -- "$IPCDEMO" mq send --name "$q" --source counter -n 5
is "counter: echo 1..5" "$OUT" "$(seq 1 5)"
run "receive the counter" 0 -- "$IPCDEMO" mq receive --name "$q" --nonblock
is "counter: received 1..5" "$OUT" "$(seq 1 5)"

# ---- aliases: produce / consume, rm ----

run "produce (alias of send)" 0 -- "$IPCDEMO" mq produce --name "$q" p1 p2
is "produce: echoes" "$OUT" "p1
p2"
is "produce: queued" "$(mq_count "$q")" 2
run "consume (alias of receive)" 0 -- "$IPCDEMO" mq consume --name "$q" --nonblock
is "consume: gets what produce sent" "$OUT" "p1
p2"
run "rm (alias of unlink)" 0 -- "$IPCDEMO" mq rm --name "$q"
is "rm: says what it removed" "$OUT" "removed $q"
ok "rm: the queue is gone" bash -c '! "$IPCDEMO" mq info --name "$1" 2>/dev/null' _ "$q"

# ---- priorities ----

newq q prio
run "send priority 0" 0 -- "$IPCDEMO" mq send -q --name "$q" --priority 0 low-1 low-2
run "send priority 9" 0 -- "$IPCDEMO" mq send -q --name "$q" --priority 9 high-1
run "send priority 5" 0 -- "$IPCDEMO" mq send -q --name "$q" --priority 5 mid-1 mid-2
run "send priority 9 again" 0 -- "$IPCDEMO" mq send -q --name "$q" --priority 9 high-2
run "send default priority" 0 -- "$IPCDEMO" mq send -q --name "$q" low-3
run "receive the mixed burst" 0 -- "$IPCDEMO" mq receive --name "$q" --nonblock
is "highest priority first, FIFO within one priority" "$OUT" "high-1
high-2
mid-1
mid-2
low-1
low-2
low-3"

run "send priority 3" 0 -- "$IPCDEMO" mq send -q --name "$q" --priority 3 a3
run "send priority 32767 (the largest)" 0 -- "$IPCDEMO" mq send -q --name "$q" --priority 32767 top
run "send priority 3 again" 0 -- "$IPCDEMO" mq send -q --name "$q" --priority 3 b3
run "send with no --priority" 0 -- "$IPCDEMO" mq send -q --name "$q" zero
run "receive --json" 0 -- "$IPCDEMO" mq receive --name "$q" --json --nonblock
js=$OUT
ok "receive --json: one JSON object a line" json_ok "$js"
is "--json: payload and priority, highest first" "$(json_prio "$js")" "top:32767
a3:3
b3:3
zero:0"
is "--json: every line names the queue" "$(count_re "$js" "\"queue\":\"$q\"")" 4
is "--json: every line says mq" "$(count_re "$js" '"mechanism":"mq"')" 4
is "--json: bytes without the newline" "$(count_re "$js" '^\{"payload":"top","bytes":3,')" 1

run "--priority 32768" 2 -- "$IPCDEMO" mq send --name "$q" --priority 32768 x
like "--priority 32768: names the maximum" "$ERR" "invalid value '32768' for --priority: must be at most 32767"
is "--priority 32768: nothing echoed" "$OUT" ""
run "--priority abc" 2 -- "$IPCDEMO" mq send --name "$q" --priority abc x
like "--priority abc: says why" "$ERR" "invalid value 'abc' for --priority"
is "bad priorities: nothing was sent" "$(mq_count "$q")" 0
# Priorities reorder a producer's sequence: --verify sees it (exit 3).
run "send 7:1 at priority 0" 0 -- "$IPCDEMO" mq send -q --name "$q" 7:1:first
run "send 7:2 at priority 5" 0 -- "$IPCDEMO" mq send -q --name "$q" --priority 5 7:2:second
run "receive --verify: reordered by priority" 3 -- "$IPCDEMO" mq receive --name "$q" --nonblock --verify
is "--verify: 7:2 came first" "$OUT" "7:2:second
7:1:first"
like "--verify: says one was reordered" "$ERR" 'verify: 1 producer, 2 received, 0 lost, 0 duplicated, 1 reordered.*\(FAILED\)'
run "send an unstamped message" 0 -- "$IPCDEMO" mq send -q --name "$q" plain
run "receive --verify: no stamp" 3 -- "$IPCDEMO" mq receive --name "$q" --nonblock --verify
like "--verify: says it had no stamp" "$ERR" '1 without a --seq stamp'
run "priorities: unlink" 0 -- "$IPCDEMO" mq unlink -q --name "$q"

# ---- full queue: --nonblock, --timeout ----

newq q full
run "create --maxmsg 2 --msgsize 64" 0 -- "$IPCDEMO" mq create --name "$q" --maxmsg 2 --msgsize 64
run "fill it" 0 -- "$IPCDEMO" mq send -q --name "$q" f1 f2
run "send --nonblock to a full queue" 1 -- "$IPCDEMO" mq send --name "$q" --nonblock f3
like "--nonblock, full: says it is full, with the counts" "$ERR" 'The queue is full \(2 of 2 messages\)'
like "--nonblock, full: the system's word (EAGAIN)" "$ERR" "send to $q: Resource temporarily unavailable"
like "--nonblock, full: says what was not sent" "$ERR" '1 message was not sent'
is "--nonblock, full: the queue keeps its 2" "$(mq_count "$q")" 2
run "send --timeout 300ms to a full queue" 4 -- "$IPCDEMO" mq send --name "$q" --timeout 300ms f5
like "--timeout, full: says it stayed full" "$ERR" 'stayed full \(2 of 2 messages\) for the whole --timeout'
like "--timeout, full: names the --timeout" "$ERR" "send to $q: no room within --timeout 300ms"
like "--timeout, full: says what was not sent" "$ERR" '1 message was not sent'
run "receive the full queue's messages" 0 -- "$IPCDEMO" mq receive --name "$q" --nonblock
is "only the messages that went in" "$OUT" "f1
f2"
run "send --nonblock: room for two of three" 1 -- "$IPCDEMO" mq send --name "$q" --nonblock g1 g2 g3
is "--nonblock: the two that went in were echoed" "$(head -n 2 <<<"$OUT")" "g1
g2"
like "--nonblock: the third found it full" "$ERR" 'The queue is full \(2 of 2 messages\)'
like "--nonblock: one message not sent" "$ERR" '1 message was not sent'
is "--nonblock: two went in" "$(mq_count "$q")" 2
run "take one" 0 -- "$IPCDEMO" mq receive -q --name "$q" -n 1
run "send --timeout 5s: room for one" 0 -- "$IPCDEMO" mq send -q --name "$q" --timeout 5s g4
run "receive what is there" 0 -- "$IPCDEMO" mq receive --name "$q" --nonblock
is "order kept around the full queue" "$OUT" "g2
g4"

# ---- echo: only the messages the queue took ----

# not_sent TEXT: N from "N message(s) was/were not sent" (0 when absent)
not_sent() { sed -nE 's/.* ([0-9]+) messages? (was|were) not sent$/\1/p' <<<"$1" | grep . || echo 0; }
eq=""
newq eq echo
run "echo: create --maxmsg 3" 0 -- "$IPCDEMO" mq create -q --name "$eq" --maxmsg 3 --msgsize 64
run "echo --timeout: 5 messages, room for 3" 4 -- \
	"$IPCDEMO" mq send --name "$eq" --timeout 200ms --label 'sent: ' e1 e2 e3 e4 e5
echoed=${OUT//sent: /}
is "echo --timeout: only the 3 that went in, each with its label" "$OUT" "sent: e1
sent: e2
sent: e3"
is "echo --timeout: the 2 others are the ones not sent" "$(not_sent "$ERR")" 2
run "echo --timeout: receive" 0 -- "$IPCDEMO" mq receive --name "$eq" --nonblock
is "echo --timeout: the receiver got what was echoed" "$OUT" "$echoed"
run "echo --nonblock: 1 in the queue" 0 -- "$IPCDEMO" mq send -q --name "$eq" first
run "echo --nonblock: 4 more, room for 2" 1 -- \
	"$IPCDEMO" mq send --name "$eq" --nonblock --source counter -n 4 --seq --id 7
echoed=$OUT
nonblock_err=$ERR
is "echo --nonblock: echoed the 2 that went in" "$(count_re "$echoed" "^7:[12]:[12]$")" 2
is "echo --nonblock: says the other 2 were not sent" "$(not_sent "$ERR")" 2
run "echo --nonblock: receive" 0 -- "$IPCDEMO" mq receive --name "$eq" --nonblock
is "echo --nonblock: the receiver got what was echoed" "$(tail -n +2 <<<"$OUT")" "$echoed"
is "echo --nonblock: echoed + not sent = 4" "$(($(count_re "$echoed" '^7:') + $(not_sent "$nonblock_err")))" 4
bg s "$IPCDEMO" mq send --name "$eq" --label 'sent: ' w1 w2 w3 w4 w5
s=$BG
ok "echo, waiting sender: fills the queue and waits" wait_for 20 bg_blocked "$s"
is "echo, waiting sender: echoed the 3 that went in, no more" "$(cat s.out)" "sent: w1
sent: w2
sent: w3"
interrupt "$s"
ok "echo, waiting sender: Ctrl-C ends it" wait_for 20 dead "$s"
reap "$s"
is "echo, waiting sender: says 2 were not sent" "$(not_sent "$(cat s.err)")" 2
run "echo, waiting sender: receive" 0 -- "$IPCDEMO" mq receive --name "$eq" --nonblock
is "echo, waiting sender: the receiver got what was echoed" "$OUT" "$(sed 's/^sent: //' s.out)"
run "echo: unlink" 0 -- "$IPCDEMO" mq unlink -q --name "$eq"

# A sender blocked on a full queue goes on when a receiver makes room.
run "fill again" 0 -- "$IPCDEMO" mq send -q --name "$q" h1 h2
bg s "$IPCDEMO" mq send -q --name "$q" h3 h4
s=$BG
ok "blocked sender: waits on the full queue" wait_for 20 bg_blocked "$s"
run "a receiver makes room" 0 -- "$IPCDEMO" mq receive --name "$q" -n 4 --timeout 20s
is "the blocked sender's messages come after" "$OUT" "h1
h2
h3
h4"
reap "$s"
is "blocked sender: exits 0" "$ST" 0
run "full: unlink" 0 -- "$IPCDEMO" mq unlink -q --name "$q"

# ---- empty queue: --nonblock, --timeout ----

newq q empty
run "create" 0 -- "$IPCDEMO" mq create -q --name "$q"
run "receive --nonblock, empty" 1 -- "$IPCDEMO" mq receive --name "$q" --nonblock
like "empty: says it is empty" "$ERR" 'The queue is empty'
like "empty: the system's word (EAGAIN)" "$ERR" "receive from $q: Resource temporarily unavailable"
is "empty: nothing on stdout" "$OUT" ""
run "receive --timeout 300ms, empty" 4 -- "$IPCDEMO" mq receive --name "$q" --timeout 300ms
is "--timeout, empty: nothing on stdout" "$OUT" ""
run "send three" 0 -- "$IPCDEMO" mq send -q --name "$q" e1 e2 e3
run "receive --timeout 300ms with messages" 0 -- "$IPCDEMO" mq receive --name "$q" --timeout 300ms
is "--timeout: took them, exit 0" "$OUT" "e1
e2
e3"
run "send five" 0 -- "$IPCDEMO" mq send -q --name "$q" --source counter -n 5
run "receive --nonblock with messages" 0 -- "$IPCDEMO" mq receive --name "$q" --nonblock
is "--nonblock: takes them all" "$OUT" "$(seq 1 5)"
is "--nonblock: none left" "$(mq_count "$q")" 0

# ---- -n leaves the rest queued ----

run "send 6" 0 -- "$IPCDEMO" mq send -q --name "$q" --source counter -n 6
run "receive -n 2" 0 -- "$IPCDEMO" mq receive --name "$q" -n 2
is "-n 2: the first two" "$OUT" "1
2"
is "-n 2: four left" "$(mq_count "$q")" 4
run "receive -n 3 of 4" 0 -- "$IPCDEMO" mq receive --name "$q" -n 3
is "-n 3: the next three" "$OUT" "3
4
5"
is "-n 3: one left" "$(mq_count "$q")" 1
run "receive the last one" 0 -- "$IPCDEMO" mq receive --name "$q" -n 1
is "the last one" "$OUT" 6
run "empty: unlink" 0 -- "$IPCDEMO" mq unlink -q --name "$q"

# ---- persistence: a receiver killed, messages kept, the next one goes on ----

newq q persist
run "persist: create --maxmsg 5" 0 -- "$IPCDEMO" mq create -q --name "$q" --maxmsg 5
total=30
bg_direct s "$IPCDEMO" mq send -q --name "$q" --seq --id 1 --source counter -n "$total"
s=$BG
ok "persist: the sender fills the queue and waits" wait_for 20 mq_count_is "$q" 5
# Hold the sender, so that the first receiver takes a known batch and sits
# idle (all printed) when it is killed.
kill -STOP "$s"
ok "persist: sender held" wait_for 10 stopped "$s"
bg_direct r1 "$IPCDEMO" mq receive --name "$q"
r1=$BG
ok "persist: first receiver takes the first batch" wait_for 20 has_lines r1.out 5
ok "persist: and waits on the empty queue" wait_for 20 blocked_in_mq "$r1"
kill -KILL "$r1"
wait "$r1" 2>/dev/null
ST=$?
is "persist: first receiver killed by SIGKILL" "$ST" 137
kill -CONT "$s"
ok "persist: with no receiver, the sender fills the queue again" wait_for 20 mq_count_is "$q" 5
ok "persist: the sender waits (nothing lost, nothing dropped)" alive "$s"
got1=$(nlines r1.out)
run "persist: a new receiver --verify -n the rest" 0 -- \
	"$IPCDEMO" mq receive --name "$q" --verify -n $((total - got1)) --timeout 20s
printf '%s\n' "$OUT" >r2.out
is "persist: --verify: the rest, nothing lost (the first ones were taken before)" "$ERR" \
	"ipcdemo mq receive: verify: 1 producer, $((total - got1)) received, 0 lost, 0 duplicated, 0 reordered, $got1 sent before the first one received (joined late)"
reap "$s"
is "persist: the sender exits 0" "$ST" 0
is "persist: the new receiver starts where the first stopped" "$(head -n 1 r2.out)" "1:$((got1 + 1)):$((got1 + 1))"
is "persist: together, every message exactly once, in order" "$(cat r1.out r2.out)" \
	"$(for i in $(seq 1 "$total"); do echo "1:$i:$i"; done)"
is "persist: the queue is empty" "$(mq_count "$q")" 0
run "persist: unlink" 0 -- "$IPCDEMO" mq unlink -q --name "$q"

# ---- create: sizes, mode; an existing queue ----

newq q create
run "create --maxmsg 3 --msgsize 128 --mode 0640 (umask 077)" 0 -- \
	bash -c 'umask 077; exec "$IPCDEMO" mq create --name "$1" --maxmsg 3 --msgsize 128 --mode 0640' _ "$q"
is "create: says what it made" "$OUT" "created $q: maxmsg 3, msgsize 128, mode 0640"
is "create: nothing on stderr" "$ERR" ""
run "info --json on the new queue" 0 -- "$IPCDEMO" mq info --json --name "$q"
info=$OUT
ok "info --json: a JSON object" json_ok "$info"
like "info --json: mode 0640 whatever the umask" "$info" '"mode":"0640"'
like "info --json: maxmsg 3" "$info" '"maxmsg":3,'
like "info --json: msgsize 128" "$info" '"msgsize":128,'
like "info --json: no messages" "$info" '"messages":0,'
if $have_mqfs; then
	is "create --mode 0640: the file in $MQ_DIR" "$(mode_of "$MQ_DIR$q")" 640
else
	skip "create --mode 0640: the file in $MQ_DIR" "$MQ_DIR is not mounted"
fi
run "create an existing queue" 1 -- "$IPCDEMO" mq create --name "$q"
like "create, existing: says it exists" "$ERR" "mq_open $q: File exists"
is "create, existing: nothing on stdout" "$OUT" ""
run "create -q" 0 -- "$IPCDEMO" mq create -q --name "$q-quiet"
MQ_NAMES+=("$q-quiet")
is "create -q: nothing on stdout" "$OUT" ""
run "unlink -q" 0 -- "$IPCDEMO" mq unlink -q --name "$q-quiet"
is "unlink -q: nothing on stdout" "$OUT" ""

run "send --mode 0604 creates with it (umask 077)" 0 -- \
	bash -c 'umask 077; exec "$IPCDEMO" mq send -q --name "$1-mode" --mode 0604 x' _ "$q"
MQ_NAMES+=("$q-mode")
like "send --mode 0604: info says so" "$("$IPCDEMO" mq info --json --name "$q-mode")" '"mode":"0604"'
"$IPCDEMO" mq unlink -q --name "$q-mode"

# The queue's size is fixed: a sender asking another one is told.
run "send --maxmsg 4 to a queue of maxmsg 3" 1 -- "$IPCDEMO" mq send --name "$q" --maxmsg 4 --msgsize 128 x
like "--maxmsg mismatch: says what the queue has" "$ERR" \
	"$q exists with maxmsg 3 and msgsize 128, not what --maxmsg/--msgsize ask for"
like "--maxmsg mismatch: says how to change it" "$ERR" "fixed when it is created; 'ipcdemo mq unlink --name $q' first"
is "--maxmsg mismatch: nothing echoed" "$OUT" ""
is "--maxmsg mismatch: nothing sent" "$(mq_count "$q")" 0
run "send --maxmsg 4 alone" 1 -- "$IPCDEMO" mq send -q --name "$q" --maxmsg 4 x
like "--maxmsg 4 alone: explained" "$ERR" "$q exists with maxmsg 3 and msgsize 128, not what"
run "receive --msgsize 64 from a queue of msgsize 128" 1 -- "$IPCDEMO" mq receive --name "$q" --msgsize 64 --nonblock
like "--msgsize mismatch on receive: explained" "$ERR" "$q exists with maxmsg 3 and msgsize 128, not what --maxmsg/--msgsize ask for"
is "mismatches: nothing sent" "$(mq_count "$q")" 0
run "send with the queue's own --maxmsg and --msgsize" 0 -- "$IPCDEMO" mq send -q --name "$q" --maxmsg 3 --msgsize 128 x
# ipcdemo-mq(1): only the sizes given are compared.
run "send with the queue's own --maxmsg alone" 0 -- "$IPCDEMO" mq send -q --name "$q" --maxmsg 3 y
run "send with the queue's own --msgsize alone" 0 -- "$IPCDEMO" mq send -q --name "$q" --msgsize 128 z
run "receive with the queue's own --maxmsg alone" 0 -- "$IPCDEMO" mq receive --name "$q" --maxmsg 3 --nonblock
is "the same sizes: all three sent" "$OUT" "x
y
z"
run "create: unlink" 0 -- "$IPCDEMO" mq unlink -q --name "$q"

# ---- the system's limits ----

msg_max=$(cat /proc/sys/fs/mqueue/msg_max 2>/dev/null || echo 10)
msgsize_max=$(cat /proc/sys/fs/mqueue/msgsize_max 2>/dev/null || echo 8192)
newq q limit
run "create --maxmsg 100000 (above the hard limit)" 1 -- "$IPCDEMO" mq create --name "$q" --maxmsg 100000
like "--maxmsg 100000: the kernel's hard limit" "$ERR" \
	"--maxmsg 100000 is above the kernel's hard limit of 65536 messages"
like "--maxmsg 100000: the system's word" "$ERR" "mq_open $q: Invalid argument"
run "create --msgsize 17M (above the hard limit)" 1 -- "$IPCDEMO" mq create --name "$q" --msgsize 17M
like "--msgsize 17M: the kernel's hard limit" "$ERR" \
	"--msgsize 17825792 is above the kernel's hard limit of 16777216 bytes"
ok "hard limits: no queue made" bash -c '! "$IPCDEMO" mq info --name "$1" 2>/dev/null' _ "$q"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	as_nobody=(setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups)
	run "as nobody: create --maxmsg msg_max+1" 1 -- "${as_nobody[@]}" "$IPCDEMO" mq create --name "$q" --maxmsg $((msg_max + 1))
	like "above msg_max: names the limit and the sysctl" "$ERR" \
		"--maxmsg $((msg_max + 1)) is above the system limit $msg_max \\(/proc/sys/fs/mqueue/msg_max; raise it with 'sysctl fs.mqueue.msg_max=$((msg_max + 1))' as root\\)"
	run "as nobody: create --msgsize msgsize_max+1" 1 -- "${as_nobody[@]}" "$IPCDEMO" mq create --name "$q" --msgsize $((msgsize_max + 1))
	like "above msgsize_max: names the limit and the sysctl" "$ERR" \
		"--msgsize $((msgsize_max + 1)) is above the system limit $msgsize_max \\(/proc/sys/fs/mqueue/msgsize_max"
	run "as nobody: send --maxmsg msg_max+1 creating the queue" 1 -- \
		"${as_nobody[@]}" "$IPCDEMO" mq send --name "$q" --maxmsg $((msg_max + 1)) x
	like "send above msg_max: explained too" "$ERR" "is above the system limit $msg_max"
	ok "above the limits: no queue made" bash -c '! "$IPCDEMO" mq info --name "$1" 2>/dev/null' _ "$q"
	run "as nobody: create within the limits" 0 -- "${as_nobody[@]}" "$IPCDEMO" mq create --name "$q" --maxmsg 3
	run "info on nobody's queue" 0 -- "$IPCDEMO" mq info --json --name "$q"
	like "nobody's queue: owner nobody" "$OUT" "\"owner\":\"nobody\",\"uid\":$(id -u nobody),\"gid\":$(id -g nobody),"
	run "remove nobody's queue" 0 -- "$IPCDEMO" mq unlink -q --name "$q"
else
	skip "as nobody: the system limits" "not root, or no setpriv or nobody"
fi
# Root may pass msg_max (CAP_SYS_RESOURCE), or not (a container without it):
# either it works, or it fails (1) saying which limit.
"$IPCDEMO" mq create -q --name "$q" --maxmsg $((msg_max + 1)) >own.out 2>own.err
st=$?
if [ "$st" = 0 ]; then
	like "create --maxmsg msg_max+1 as $(id -un): allowed, the queue has it" \
		"$("$IPCDEMO" mq info --json --name "$q")" "\"maxmsg\":$((msg_max + 1)),"
	"$IPCDEMO" mq unlink -q --name "$q"
else
	is "create --maxmsg msg_max+1 as $(id -un): refused, exit 1" "$st" 1
	like "create --maxmsg msg_max+1 as $(id -un): refused, names the system limit" "$(cat own.err)" \
		"--maxmsg $((msg_max + 1)) is above the system limit $msg_max"
fi

# ---- info: text and JSON ----

newq q info
run "info: create --maxmsg 4 --msgsize 256" 0 -- "$IPCDEMO" mq create -q --name "$q" --maxmsg 4 --msgsize 256
run "info: send two" 0 -- "$IPCDEMO" mq send -q --name "$q" hello world!
me=$(id -un)
uid=$(id -u)
gid=$(id -g)
run "info (text)" 0 -- "$IPCDEMO" mq info --name "$q"
bytes_line=""
$have_mqfs && bytes_line="
bytes:     13"
is "info: every field" "$OUT" "name:      $q
owner:     $me (uid $uid, gid $gid)
mode:      0600
maxmsg:    4
msgsize:   256
messages:  2$bytes_line
flags:     0"
is "info: nothing on stderr" "$ERR" ""
run "info --json" 0 -- "$IPCDEMO" mq info --name "$q" --json
bytes_json=""
$have_mqfs && bytes_json='"bytes":13,'
is "info --json: every field" "$OUT" \
	"{\"name\":\"$q\",\"owner\":\"$me\",\"uid\":$uid,\"gid\":$gid,\"mode\":\"0600\",\"maxmsg\":4,\"msgsize\":256,\"messages\":2,$bytes_json\"flags\":\"0\"}"
ok "info --json: parses" json_ok "$OUT"
if $have_mqfs; then
	like "info bytes agree with $MQ_DIR's QSIZE" "$(cat "$MQ_DIR$q")" '^QSIZE:13 '
else
	skip "info bytes agree with $MQ_DIR's QSIZE" "$MQ_DIR is not mounted"
fi
is "info takes nothing from the queue" "$(mq_count "$q")" 2
run "info on a missing queue" 1 -- "$IPCDEMO" mq info --name "$q-missing"
like "info, missing: names the queue" "$ERR" "mq_open $q-missing: No such file or directory"
like "info, missing: says how to make one" "$ERR" "'ipcdemo mq create --name $q-missing' makes one"
ok "info does not create the queue" bash -c '! "$IPCDEMO" mq info --name "$1" 2>/dev/null' _ "$q-missing"

# ---- unlink ----

run "unlink" 0 -- "$IPCDEMO" mq unlink --name "$q"
is "unlink: says what it removed" "$OUT" "removed $q"
ok "unlink: gone" bash -c '! "$IPCDEMO" mq info --name "$1" 2>/dev/null' _ "$q"
if $have_mqfs; then
	ok "unlink: gone from $MQ_DIR" test ! -e "$MQ_DIR$q"
else
	skip "unlink: gone from $MQ_DIR" "$MQ_DIR is not mounted"
fi
run "unlink a missing queue" 1 -- "$IPCDEMO" mq unlink --name "$q"
like "unlink, missing: names the queue" "$ERR" "mq_unlink $q: No such file or directory"
is "unlink, missing: nothing on stdout" "$OUT" ""
run "rm a missing queue" 1 -- "$IPCDEMO" mq rm --name "$q"
like "rm, missing: names the queue" "$ERR" "mq_unlink $q: No such file or directory"

# ---- names ----

newq q slash
noslash=${q#/}
run "--name without a leading slash" 0 -- "$IPCDEMO" mq send --name "$noslash" hi
like "no slash: the queue gets one" "$ERR" "created queue $q "
run "no slash: info with the slash" 0 -- "$IPCDEMO" mq info --name "$q"
like "no slash: the same queue" "$OUT" "^name: +$q\$"
run "no slash: receive without it" 0 -- "$IPCDEMO" mq receive --name "$noslash" --nonblock --unlink
is "no slash: the message" "$OUT" hi
for bad in /a/b / "" . /..; do
	run "--name '$bad' is a usage error" 2 -- "$IPCDEMO" mq send --name "$bad" x
	like "--name '$bad': the message names --name" "$ERR" "invalid value '$bad' for --name"
	is "--name '$bad': nothing echoed" "$OUT" ""
done
like "--name /a/b: says why" "$(
	"$IPCDEMO" mq send --name /a/b x 2>&1
	true
)" 'no slash is allowed after the leading one'
newq q long
long=$q$(printf '%*s' $((256 - ${#q})) '' | tr ' ' x) # 255 bytes after the slash
MQ_NAMES+=("$long")
run "--name of 255 bytes after the slash works" 0 -- "$IPCDEMO" mq send -q --name "$long" x
run "255 bytes: unlink" 0 -- "$IPCDEMO" mq unlink -q --name "$long"
run "--name of 256 bytes after the slash" 2 -- "$IPCDEMO" mq send --name "${long}y" x
like "256 bytes: names --name and the limit" "$ERR" "for --name: too long \\(at most 255 bytes after the slash\\)"
for v in receive create info unlink; do
	run "$v --name /a/b is a usage error too" 2 -- "$IPCDEMO" mq "$v" --name /a/b
	like "$v --name /a/b: names --name" "$ERR" "for --name"
done

# ---- a message longer than msgsize ----

newq q size
run "create --msgsize 16" 0 -- "$IPCDEMO" mq create -q --name "$q" --msgsize 16
run "send 15 bytes + newline (fits)" 0 -- "$IPCDEMO" mq send -q --name "$q" 0123456789abcde
run "send 19 bytes + newline" 1 -- "$IPCDEMO" mq send --name "$q" 0123456789abcdefghi
like "too long: names both sizes" "$ERR" "A 20-byte message is longer than the queue's msgsize, 16 bytes"
like "too long: the system's word" "$ERR" "send to $q: Message too long"
like "too long: says it was not sent" "$ERR" '1 message was not sent'
run "--size 17 pads past msgsize" 1 -- "$IPCDEMO" mq send -q --name "$q" --size 17 x
like "--size 17: explained" "$ERR" 'A 17-byte message is longer'
run "receive: only the one that fits" 0 -- "$IPCDEMO" mq receive --name "$q" --nonblock --unlink
is "the one that fits, whole" "$OUT" 0123456789abcde

# ---- --label: the notes' sender.c and receiver.c ----

newq q label
run "send --label 'Message sent: '" 0 -- \
	"$IPCDEMO" mq send --name "$q" --label 'Message sent: ' 'Hello from the sender!'
is "sender.c's output" "$OUT" "Message sent: Hello from the sender!"
run "receive -n 1 --unlink --label 'Message received: '" 0 -- \
	"$IPCDEMO" mq receive --name "$q" -n 1 --unlink --label 'Message received: '
is "receiver.c's output" "$OUT" "Message received: Hello from the sender!"
ok "receive --unlink removed the queue" bash -c '! "$IPCDEMO" mq info --name "$1" 2>/dev/null' _ "$q"
run "--label on every echoed line" 0 -- "$IPCDEMO" mq send --name "$q" --label '> ' a b
is "--label: each line" "$OUT" "> a
> b"
run "--label is not sent" 0 -- "$IPCDEMO" mq receive --name "$q" --nonblock --json
is "--label: the payloads are the messages" "$(json_prio "$OUT")" "a:0
b:0"

# --unlink: a receiver that created the queue removes it, even on a timeout.
run "receive --unlink --timeout" 4 -- "$IPCDEMO" mq receive --name "$q" --unlink --timeout 200ms
ok "receive --unlink: removed on exit" bash -c '! "$IPCDEMO" mq info --name "$1" 2>/dev/null' _ "$q"
run "send --unlink" 0 -- "$IPCDEMO" mq send -q --name "$q" --unlink gone
ok "send --unlink: removed on exit (and its message with it)" \
	bash -c '! "$IPCDEMO" mq info --name "$1" 2>/dev/null' _ "$q"

# ---- a C string: the trailing NUL is not printed ----

newq q cstr
if $have_py; then
	run "a C sender: mq_send with strlen + 1" 0 -- python3 - "$q" <<'EOF'
import ctypes, os, sys
try:
    rt = ctypes.CDLL("librt.so.1", use_errno=True)
except OSError:
    rt = ctypes.CDLL(None, use_errno=True)
rt.mq_open.restype = ctypes.c_int
rt.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
rt.mq_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
q = rt.mq_open(sys.argv[1].encode(), os.O_WRONLY | os.O_CREAT, 0o600, None)
if q < 0:
    sys.exit("mq_open: " + os.strerror(ctypes.get_errno()))
for msg in (b"Hello from the sender!\0", b"with a newline\n\0", b"no terminator"):
    if rt.mq_send(q, msg, len(msg), 0) < 0:
        sys.exit("mq_send: " + os.strerror(ctypes.get_errno()))
rt.mq_close(q)
EOF
	run "receive the C strings" 0 -- "$IPCDEMO" mq receive --name "$q" -n 3 --label 'Message received: '
	is "C strings: printed without the NUL (nor the newline before it)" "$OUT" "Message received: Hello from the sender!
Message received: with a newline
Message received: no terminator"
	ok "C strings: no NUL byte on stdout" bash -c '[ "$(tr -d "\\000" <"$1" | wc -c)" = "$(wc -c <"$1")" ]' _ "$T/.out"
else
	skip "a C sender: mq_send with strlen + 1" "no python3"
fi
"$IPCDEMO" mq unlink -q --name "$q" 2>/dev/null

# ---- Ctrl-C ----

newq q int
run "Ctrl-C: two messages" 0 -- "$IPCDEMO" mq send -q --name "$q" m1 m2
bg c "$IPCDEMO" mq receive --name "$q" --stats
c=$BG
ok "Ctrl-C: the receiver takes them" wait_for 20 has_lines c.out 2
ok "Ctrl-C: and waits for more" wait_for 20 bg_blocked "$c"
interrupt "$c"
ok "Ctrl-C: the receiver exits" wait_for 10 dead "$c"
reap "$c"
is "Ctrl-C: exit status 0" "$ST" 0
is "Ctrl-C: the messages on stdout" "$(cat c.out)" "m1
m2"
like "Ctrl-C: the --stats summary" "$(cat c.err)" '^ipcdemo mq receive: received 2 messages, 4 bytes$'
unlike "Ctrl-C: the summary is not on stdout" "$(cat c.out)" received
# An idle receiver, nothing received: Ctrl-C is still a clean end.
bg c "$IPCDEMO" mq receive --name "$q" --stats --json
c=$BG
ok "Ctrl-C, nothing received: waiting" wait_for 20 bg_blocked "$c"
interrupt "$c"
ok "Ctrl-C, nothing received: exits" wait_for 10 dead "$c"
reap "$c"
is "Ctrl-C, nothing received: exit status 0" "$ST" 0
like "Ctrl-C, --stats --json: a summary object" "$(cat c.err)" '^\{"type":"summary","mechanism":"mq","verb":"receive","received":0,'
is "Ctrl-C, nothing received: nothing on stdout" "$(cat c.out)" ""
"$IPCDEMO" mq unlink -q --name "$q"

# ---- the stop kick (ipcdemo(1), PIPELINES AND SIGNALS) ----
# A receive that nothing bounds waits with no timeout (a timeout would arm
# a timer in the kernel each time the call sleeps). A stop request that
# lands after the last look at the stop flag, just before such a call,
# would not interrupt it: the first request arms ITIMER_REAL (a SIGALRM
# every 20 ms) for that case, and the first look that sees it disarms it.
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
	"$IPCDEMO" mq create -q --name /t-kick
	stop_traced kick "stop kick" mq_timedreceive,setitimer blocked_in_mq "$IPCDEMO" mq receive -q --name /t-kick \
		--stats
	st=$(cat "$T/kick.st")
	like "stop kick: the wait has no timeout, and SIGTERM interrupts it" "$st" \
		'^mq_timedreceive\([0-9]+, .*, NULL\) += (-1 EINTR|\? ERESTARTSYS)'
	like "stop kick: the first SIGTERM arms ITIMER_REAL" "$st" \
		'^setitimer\(ITIMER_REAL, \{it_interval=\{tv_sec=0, tv_usec=20000\}, it_value=\{tv_sec=0, tv_usec=20000\}\}'
	is "stop kick: armed once, then disarmed when the stop is seen" \
		"$(grep -o '^setitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=[0-9]*}' "$T/kick.st" | grep -o 'usec=[0-9]*')" \
		"usec=20000
usec=0"
	like "stop kick: the summary" "$(cat kick.err)" 'received 0 messages'
	"$IPCDEMO" mq unlink -q --name /t-kick
else
	skip "stop kick" "strace cannot trace here"
fi

# ---- system calls per round trip (strace) ----
# (LeakSanitizer cannot run under ptrace: a sanitized build leaves it out here.)

check_round_trip_calls mq mq_timedsend mq_timedreceive
check_consume_calls mq mq_timedsend mq_timedreceive

# A line buffer the user asked for (stdbuf -oL) is kept: every message
# goes out as it is taken, so a consumer killed holds at most the one in
# hand (the fault suite counts on it). stdbuf works by LD_PRELOAD, which
# a sanitizer's runtime refuses to come after unless told.
if command -v stdbuf >/dev/null 2>&1 && command -v strace >/dev/null 2>&1 &&
	strace -o /dev/null true 2>/dev/null; then
	run "stdbuf -oL: 5 messages queued" 0 -- "$IPCDEMO" mq send -q --name /t-linebuf -n 5
	run "stdbuf -oL: the consumer" 0 -- env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0" \
		strace -o "$T/linebuf.st" -e trace=write stdbuf -oL "$IPCDEMO" mq receive -q --name /t-linebuf \
		--nonblock --unlink
	is "stdbuf -oL: a write(2) a message, the user's line buffer kept" "$(count_in "$T/linebuf.st" '^write\(1,')" 5
else
	skip "stdbuf -oL: the user's line buffer kept" "stdbuf or strace is missing"
fi

# ---- mq demo ----

run "mq demo" 0 -- "$IPCDEMO" mq demo
demo=$OUT
is "demo: nothing on stderr" "$ERR" ""
dq=$(printf '%s\n' "$demo" | grep -Eo '/ipcdemo-demo-[0-9]+' | head -n 1)
like "demo: names its queue" "$dq" '^/ipcdemo-demo-[0-9]+$'
is "demo: the senders' lines" "$(printf '%s\n' "$demo" | sed -nE 's/^sender [0-9] +\| (priority .*)$/\1/p')" \
	"priority 0: sent first
priority 0: sent second
priority 9: sent third
priority 5: sent fourth
priority 5: sent fifth"
is "demo: the receiver gets 9, 5, 5, 0, 0" "$(printf '%s\n' "$demo" | sed -nE 's/^receiver +\| //p')" \
	"priority 9: sent third
priority 5: sent fourth
priority 5: sent fifth
priority 0: sent first
priority 0: sent second"
if [ -n "$dq" ]; then
	ok "demo: leaves no queue behind" bash -c '! "$IPCDEMO" mq info --name "$1" 2>/dev/null' _ "$dq"
else
	ok "demo: leaves no queue behind (its name is unknown)" false
fi

newq q demo
run "mq demo --name (a queue of this test's)" 0 -- "$IPCDEMO" mq demo --name "$q"
like "demo --name: uses it" "$OUT" "POSIX message queue $q\$"
is "demo --name: the receiver gets 9, 5, 5, 0, 0" \
	"$(printf '%s\n' "$OUT" | sed -nE 's/^receiver +\| priority ([0-9]).*$/\1/p' | tr -d '\n')" 95500
ok "demo --name: removes it at the end" bash -c '! "$IPCDEMO" mq info --name "$1" 2>/dev/null' _ "$q"
# ipcdemo-mq(1): the demo puts its messages "into a new queue", which it
# removes at the end. A queue that exists is not new: it is someone's, the
# demo must not take its messages nor remove it.
run "precious: a queue of our own with a message" 0 -- "$IPCDEMO" mq send -q --name "$q" --priority 7 precious
run "demo --name of an existing queue: refused" 1 -- "$IPCDEMO" mq demo --name "$q"
unlike "demo --name, existing: did not take its message" "$OUT" 'precious'
run "demo --name, existing: the queue is still there" 0 -- "$IPCDEMO" mq info --name "$q"
run "demo --name, existing: its message too" 0 -- "$IPCDEMO" mq receive --name "$q" --nonblock -n 1
is "demo --name, existing: the message" "$OUT" precious
"$IPCDEMO" mq unlink -q --name "$q" 2>/dev/null
run "demo --name /a/b" 2 -- "$IPCDEMO" mq demo --name /a/b
like "demo --name /a/b: names --name" "$ERR" "invalid value '/a/b' for --name"

# ---- nothing of ours is left ----

left=""
for n in "${MQ_NAMES[@]}"; do
	mq_exists "$n" && left="$left $n"
done
is "every queue this test made is gone" "$left" ""
if $have_mqfs; then
	is "nothing of ours in $MQ_DIR" "$(find "$MQ_DIR" -maxdepth 1 -name "t-mq-$$-*" -printf '%f\n')" ""
else
	skip "nothing of ours in $MQ_DIR" "$MQ_DIR is not mounted"
fi

done_testing
