#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts expand $IPCDEMO themselves
# ipcdemo sysv: System V message queues. Keys (hexadecimal, decimal,
# ftok), message types and the msgrcv rules (N, -N, 0, --except), size
# limits (--noerror, E2BIG, msgmax), --nonblock and --timeout, persistence
# across a killed receiver, create / info / rm, util-linux's ipcs, lsipc,
# ipcrm and ipcmk, EIDRM, Ctrl-C, C strings, --label, and sysv demo.
#
# Other tests run in parallel, and 'ipcdemo clean' removes keys
# 0x69706300..0x697063ff: every key here is 0x7eXXXXXX made from the
# process id (newkey), registered and removed at exit.
# (plain shellcheck does not follow lib.sh; shellcheck -x does)
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

have_py=false
command -v python3 >/dev/null 2>&1 && have_py=true
have_ipcs=false
command -v ipcs >/dev/null 2>&1 && command -v ipcrm >/dev/null 2>&1 && have_ipcs=true

SYSV_KEYS=()
IPCMK_IDS=()
k="" key_i=""
newkey() { # VAR N: VAR gets this test's key number N (0..63); removed at exit
	printf -v "$1" '0x7e%06x' $((($$ % 65536) * 64 + $2))
	SYSV_KEYS+=("${!1}")
}
sysv_cleanup() {
	local pids x
	pids=$(jobs -p)
	# A stopped job (SIGSTOP below) would not act on SIGTERM.
	# shellcheck disable=SC2086 # a list of pids, one word each
	[ -n "$pids" ] && kill -CONT $pids 2>/dev/null
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
	for x in "${SYSV_KEYS[@]}"; do
		"$IPCDEMO" sysv rm -q --key "$x" >/dev/null 2>&1
	done
	for x in "${IPCMK_IDS[@]}"; do
		ipcrm -q "$x" >/dev/null 2>&1
	done
}
trap 'sysv_cleanup; _t_cleanup' EXIT

jfield() { # json field: the value of a number or string field ("" if none)
	printf '%s\n' "$1" | sed -nE "s/.*\"$2\":\"?([^\",}]*)\"?[,}].*/\\1/p" | head -n 1
}
sysv_count() { # key: messages queued ("" if no such queue)
	jfield "$("$IPCDEMO" sysv info --json --key "$1" 2>/dev/null)" messages
}
sysv_count_is() { [ "$(sysv_count "$1")" = "$2" ]; } # key n
sysv_count_above() { [ "$(sysv_count "$1")" -gt "$2" ] 2>/dev/null; } # key n
sysv_exists() { "$IPCDEMO" sysv info --key "$1" >/dev/null 2>&1; }
stopped() { # pid: stopped by a signal (state T)
	local st
	st=$(sed -E 's/^[0-9]+ \(.*\) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "${st%% *}" = T ]
}
# blocked_in_msg PID: asleep in the kernel in msgrcv/msgsnd (wchan says
# where, when the kernel tells).
blocked_in_msg() {
	local st w=""
	st=$(sed -E 's/^[0-9]+ \(.*\) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "${st%% *}" = S ] || return 1
	[ -r "/proc/$1/wchan" ] && w=$(cat "/proc/$1/wchan" 2>/dev/null)
	case "$w" in "" | 0 | *msg*) return 0 ;; *) return 1 ;; esac
}
# bg_blocked PID: the command of a bg time limit has started and is blocked
bg_blocked() { has_child "$1" && blocked_in_msg "$(cmd_pid "$1")"; }
json_ok() { # JSON lines that python3 parses (true without python)
	$have_py || return 0
	printf '%s\n' "$1" | python3 -c '
import json, sys
for line in sys.stdin:
    json.loads(line)
' 2>/dev/null
}
json_types() { # payload:type of each JSON line
	printf '%s\n' "$1" | sed -nE 's/^\{"payload":"([^"]*)".*"type":(-?[0-9]+),.*$/\1:\2/p'
}
ipcs_line() { # key: the queue's line in ipcs -q
	ipcs -q | awk -v k="$1" '$1 == k'
}

# ---- --help of every verb ----

for v in send receive produce consume create info rm unlink demo; do
	run "sysv $v --help" 0 -- "$IPCDEMO" sysv "$v" --help
	like "sysv $v --help: its usage line" "$OUT" "^Usage: ipcdemo sysv $v "
done
run "sysv --help" 0 -- "$IPCDEMO" sysv --help
for v in send receive produce consume create info rm unlink demo; do
	like "sysv --help lists $v" "$OUT" "^  $v "
done

# The default key is 0x69706364; seen without creating it ('ipcdemo clean'
# may remove it under another test at any time).
run "sysv send --help: the defaults" 0 -- env COLUMNS=200 "$IPCDEMO" sysv send --help
like "send --help: the default key" "$OUT" '--key KEY .*\(default: 0x69706364\)'
"$IPCDEMO" sysv info >def.out 2>def.err
st=$?
case $st in
0) like "info with no --key: key 0x69706364" "$(cat def.out)" '^key: +0x69706364$' ;;
1) like "info with no --key: key 0x69706364" "$(cat def.err)" 'msgget key 0x69706364: No such file or directory' ;;
*) ok "info with no --key: exit 0 or 1, not $st" false ;;
esac

# ---- send and receive; keys in hexadecimal and decimal ----

newkey k 1
run "send --key $k" 0 -- "$IPCDEMO" sysv send --key "$k" one two 'three four'
is "send: echoes each message" "$OUT" "one
two
three four"
like "send: says it created the queue" "$ERR" "created queue key $k, id [0-9]+ \\(mode 0600\\)"
id=$(printf '%s\n' "$ERR" | sed -nE 's/.*, id ([0-9]+) .*/\1/p')
is "send: 3 messages queued" "$(sysv_count "$k")" 3
kdec=$((k))
run "receive --key $kdec (decimal, the same key)" 0 -- "$IPCDEMO" sysv receive --key "$kdec" -n 2
is "receive: the messages, in order, without their newline" "$OUT" "one
two"
is "receive: no notes (the queue existed)" "$ERR" ""
run "receive --json" 0 -- "$IPCDEMO" sysv receive --key "$k" -n 1 --json
ok "receive --json: a JSON object" json_ok "$OUT"
like "--json: payload, the default type 1" "$OUT" '^\{"payload":"three four","bytes":10,.*"mechanism":"sysv","type":1,'
like "--json: the key in 0x%08x form" "$OUT" "\"key\":\"$k\","
like "--json: the msqid" "$OUT" "\"msqid\":$id\\}\$"

printf 'line 1\n\nline 3\n' >lines.txt
run "send --source stdin" 0 -- "$IPCDEMO" sysv send -q --key "$k" --source stdin <lines.txt
is "send -q: nothing on stdout" "$OUT" ""
is "stdin: a message a line, the empty one too" "$(sysv_count "$k")" 3
run "receive the stdin lines" 0 -- "$IPCDEMO" sysv receive --key "$k" --nonblock
is "stdin lines: as sent" "$OUT" "$(cat lines.txt)"
run "send: 10 UUIDs by default" 0 -- "$IPCDEMO" sysv send --key "$k"
sent=$OUT
is "send: 10 UUIDs" "$(count_re "$sent" "^$UUID4_RE\$")" 10
run "receive the UUIDs" 0 -- "$IPCDEMO" sysv receive --key "$k" --nonblock
is "UUIDs: as sent, in order" "$OUT" "$sent"
run "produce --source counter (alias of send)" 0 -- "$IPCDEMO" sysv produce --key "$k" --source counter -n 4
is "produce: echoes" "$OUT" "$(seq 1 4)"
run "consume (alias of receive)" 0 -- "$IPCDEMO" sysv consume --key "$k" --nonblock
is "consume: gets them" "$OUT" "$(seq 1 4)"
run "unlink (alias of rm)" 0 -- "$IPCDEMO" sysv unlink --key "$k"
is "unlink: says what it removed" "$OUT" "removed key $k, id $id"
ok "unlink: gone" bash -c '! "$IPCDEMO" sysv info --key "$1" 2>/dev/null' _ "$k"

# ---- keys: validation ----

run "--key 0 (IPC_PRIVATE)" 2 -- "$IPCDEMO" sysv send --key 0 x
like "--key 0: says why" "$ERR" "invalid value '0' for --key: 0 is IPC_PRIVATE"
is "--key 0: nothing echoed" "$OUT" ""
run "--key zz" 2 -- "$IPCDEMO" sysv info --key zz
like "--key zz: says it is not a key" "$ERR" "invalid value 'zz' for --key: not a key"
run "--key 0x100000000 (above 32 bits)" 2 -- "$IPCDEMO" sysv info --key 0x100000000
like "--key above 32 bits: not a key" "$ERR" "invalid value '0x100000000' for --key"

# ---- keys: ftok ----

touch ftok.file
read -r dev ino < <(stat -c '%d %i' ftok.file)
ftok() { printf '0x%08x' $((($1 << 24) | ((dev & 0xff) << 16) | (ino & 0xffff))); }
key_x=$(ftok 0x78)
key_i=$(ftok 0x69)
SYSV_KEYS+=("$key_x")
run "create --path FILE --proj x" 0 -- "$IPCDEMO" sysv create --path ftok.file --proj x
like "ftok: the key is ftok(FILE, 'x')" "$OUT" "^created key $key_x: id [0-9]+, mode 0600\$"
fid=$(printf '%s\n' "$OUT" | sed -nE 's/.*: id ([0-9]+),.*/\1/p')
run "info --path FILE --proj x: the same key again" 0 -- "$IPCDEMO" sysv info --path ftok.file --proj x --json
like "ftok twice: the same key" "$OUT" "\"key\":\"$key_x\",\"msqid\":$fid,"
run "info --path FILE --proj 120 (a number)" 0 -- "$IPCDEMO" sysv info --path ftok.file --proj 120 --json
like "--proj 120 is 'x'" "$OUT" "\"key\":\"$key_x\",\"msqid\":$fid,"
run "info --path FILE --proj 0x78" 0 -- "$IPCDEMO" sysv info --path ftok.file --proj 0x78 --json
like "--proj 0x78 is 'x'" "$OUT" "\"key\":\"$key_x\","
run "send --path FILE --proj x" 0 -- "$IPCDEMO" sysv send -q --path ftok.file --proj x via-ftok
run "receive --key (ftok's key)" 0 -- "$IPCDEMO" sysv receive --key "$key_x" --nonblock
is "ftok and --key: the same queue" "$OUT" via-ftok
# The default --proj is 'i' (seen without creating: that key may fall in
# ipcdemo's range, which 'ipcdemo clean' removes).
run "info --path FILE (default --proj i), no such queue" 1 -- "$IPCDEMO" sysv info --path ftok.file
like "default --proj: ftok(FILE, 'i')" "$ERR" "msgget key $key_i: No such file or directory"
like "no queue: says how to list them" "$ERR" "No queue has that key; 'ipcs -q' lists the queues there are"
run "rm --path FILE --proj x" 0 -- "$IPCDEMO" sysv rm --path ftok.file --proj x
is "rm: by ftok" "$OUT" "removed key $key_x, id $fid"
run "--proj without --path" 2 -- "$IPCDEMO" sysv send --proj x hi
like "--proj without --path: says why" "$ERR" '--proj only applies with --path'
run "--key with --path" 2 -- "$IPCDEMO" sysv send --key "$k" --path ftok.file hi
like "--key with --path: says why" "$ERR" '--key and --path/--proj both name the queue; give one'
for bad in 0 256 ab; do
	run "--proj $bad" 2 -- "$IPCDEMO" sysv info --path ftok.file --proj "$bad"
	like "--proj $bad: says what it takes" "$ERR" "invalid value '$bad' for --proj: one character or a number from 1 to 255"
done
run "--path to a missing file" 1 -- "$IPCDEMO" sysv send --path "$T/no-such-file" hi
like "missing file: the ftok message" "$ERR" "ftok $T/no-such-file: No such file or directory"
is "missing file: nothing echoed" "$OUT" ""

# ---- message types ----

newkey k 2
send_type() { "$IPCDEMO" sysv send -q --key "$k" --type "$1" "$2"; } # type text
ok "send types 1, 3, 2" bash -c 'set -e; for t in 1 3 2; do "$IPCDEMO" sysv send -q --key "$1" --type $t "type-$t"; done' _ "$k"
run "receive --type 2" 0 -- "$IPCDEMO" sysv receive --key "$k" --type 2 --nonblock
is "--type 2: only the type 2 message" "$OUT" type-2
is "--type 2: the others stay" "$(sysv_count "$k")" 2
run "receive --type 0" 0 -- "$IPCDEMO" sysv receive --key "$k" --type 0 --nonblock --json
is "--type 0: any type, in the order sent" "$(json_types "$OUT")" "type-1:1
type-3:3"

send_type 3 a3
send_type 2 b2
send_type 1 c1
send_type 2 d2
send_type 1 e1
send_type 5 f5
is "six typed messages queued" "$(sysv_count "$k")" 6
run "receive --type -2 -n 3" 0 -- "$IPCDEMO" sysv receive --key "$k" --type -2 -n 3 --json
is "--type -2: the lowest type up to 2 first, oldest first within a type" "$(json_types "$OUT")" "c1:1
e1:1
b2:2"
run "receive --type -2 again" 0 -- "$IPCDEMO" sysv receive --key "$k" --type -2 --nonblock
is "--type -2: then the other type 2; not 3 or 5" "$OUT" d2
run "receive --type -2, none left" 1 -- "$IPCDEMO" sysv receive --key "$k" --type -2 --nonblock
like "--type -2, none left: says none of that type" "$ERR" 'No message of the wanted type is queued'
run "receive --type 0, the rest" 0 -- "$IPCDEMO" sysv receive --key "$k" --nonblock
is "--type 0: the rest in the order sent" "$OUT" "a3
f5"

send_type 2 g2
send_type 1 h1
send_type 2 i2
send_type 3 j3
run "receive --except --type 2" 0 -- "$IPCDEMO" sysv receive --key "$k" --except --type 2 --nonblock --json
is "--except --type 2: every type but 2, in order" "$(json_types "$OUT")" "h1:1
j3:3"
is "--except: the type 2 messages stay" "$(sysv_count "$k")" 2
run "receive the type 2 messages" 0 -- "$IPCDEMO" sysv receive --key "$k" --nonblock
is "type 2 messages, in order" "$OUT" "g2
i2"
for t in "" "--type 0" "--type -2"; do
	# shellcheck disable=SC2086 # $t is zero or two words
	run "--except ${t:-without --type}" 2 -- "$IPCDEMO" sysv receive --key "$k" --except $t --nonblock
	like "--except ${t:-without --type}: needs --type N > 0" "$ERR" '--except needs --type N with N > 0'
done
for t in 0 -1; do
	run "send --type $t" 2 -- "$IPCDEMO" sysv send --key "$k" --type "$t" x
	like "send --type $t: at least 1" "$ERR" "invalid value '$t' for --type: a message type must be at least 1"
	is "send --type $t: nothing echoed" "$OUT" ""
done
is "bad types: nothing was sent" "$(sysv_count "$k")" 0
run "send --type 9 --label" 0 -- "$IPCDEMO" sysv send --key "$k" --type 9 --label 'sent: ' big
is "--label on the echo" "$OUT" "sent: big"
run "receive --label" 0 -- "$IPCDEMO" sysv receive --key "$k" --nonblock --label 'got: '
is "--label on receive" "$OUT" "got: big"
run "types: rm" 0 -- "$IPCDEMO" sysv rm -q --key "$k"

# ---- sizes: --size, --noerror, E2BIG, msgmax ----

newkey k 3
run "send a 16-byte message and a short one" 0 -- "$IPCDEMO" sysv send -q --key "$k" 0123456789abcdef short
run "receive --size 10: too long" 1 -- "$IPCDEMO" sysv receive --key "$k" --size 10 --nonblock
like "E2BIG: the system's word" "$ERR" "receive from key $k: Argument list too long"
like "E2BIG: explained, stays queued" "$ERR" \
	'The next message is longer than the 10-byte receive buffer and stays queued; receive it with a larger --size, or cut it with --noerror'
is "E2BIG: nothing printed" "$OUT" ""
is "E2BIG: both messages still queued" "$(sysv_count "$k")" 2
run "receive --size 10 --noerror" 1 -- "$IPCDEMO" sysv receive --key "$k" --size 10 --noerror --nonblock
is "--noerror: the first cut to 10 bytes, the short one whole" "$OUT" "0123456789
short"
like "--noerror: reports the cut" "$ERR" "a message from key $k was truncated to the 10-byte receive buffer"
like "--noerror: and counts it" "$ERR" '1 message was truncated'
is "--noerror: the queue is empty" "$(sysv_count "$k")" 0
run "send 9 bytes" 0 -- "$IPCDEMO" sysv send -q --key "$k" 123456789
run "receive --size 10: 9 bytes and the newline fit" 0 -- "$IPCDEMO" sysv receive --key "$k" --size 10 --nonblock
is "exactly the buffer: whole" "$OUT" 123456789
msgmax=$(cat /proc/sys/kernel/msgmax 2>/dev/null || echo 8192)
run "send a message above msgmax" 1 -- "$IPCDEMO" sysv send --key "$k" --size $((msgmax + 1)) x
like "above msgmax: explained" "$ERR" "A $((msgmax + 1))-byte message is above msgmax, the largest message the system takes: $msgmax bytes"
like "above msgmax: not sent" "$ERR" '1 message was not sent'
is "above msgmax: nothing queued" "$(sysv_count "$k")" 0

# ---- empty queue: --nonblock, --timeout ----

run "receive --nonblock, empty" 1 -- "$IPCDEMO" sysv receive --key "$k" --nonblock
like "empty: the system's word" "$ERR" "receive from key $k: Resource temporarily unavailable"
like "empty: explained" "$ERR" 'No message of the wanted type is queued; without --nonblock the receiver waits'
is "empty: nothing printed" "$OUT" ""
run "receive --timeout 300ms, empty" 4 -- "$IPCDEMO" sysv receive --key "$k" --timeout 300ms
is "--timeout, empty: nothing printed" "$OUT" ""
run "send three" 0 -- "$IPCDEMO" sysv send -q --key "$k" --source counter -n 3
run "receive --timeout 300ms with messages" 0 -- "$IPCDEMO" sysv receive --key "$k" --timeout 300ms
is "--timeout: took them, exit 0" "$OUT" "$(seq 1 3)"
run "send five" 0 -- "$IPCDEMO" sysv send -q --key "$k" --source counter -n 5
run "receive -n 2" 0 -- "$IPCDEMO" sysv receive --key "$k" -n 2
is "-n 2: the first two" "$OUT" "1
2"
is "-n 2: three left" "$(sysv_count "$k")" 3
run "receive --nonblock with messages" 0 -- "$IPCDEMO" sysv receive --key "$k" --nonblock
is "--nonblock: takes them all" "$OUT" "$(seq 3 5)"

# ---- full queue: --nonblock, --timeout ----

qbytes=$(jfield "$("$IPCDEMO" sysv info --json --key "$k")" qbytes)
fill=$((qbytes / 4096))
run "fill the queue with 4 KiB messages" 0 -- "$IPCDEMO" sysv send -q --key "$k" --size 4k --source counter -n "$fill"
is "full: $fill messages" "$(sysv_count "$k")" "$fill"
run "send --nonblock to a full queue" 1 -- "$IPCDEMO" sysv send --key "$k" --size 4k --nonblock x
like "--nonblock, full: says it is full, with the counts" "$ERR" \
	"The queue is full \\($fill messages, $qbytes of $qbytes bytes\\); without --nonblock the sender waits for room"
like "--nonblock, full: the system's word" "$ERR" "send to key $k: Resource temporarily unavailable"
like "--nonblock, full: not sent" "$ERR" '1 message was not sent'
run "send --timeout 300ms to a full queue" 4 -- "$IPCDEMO" sysv send --key "$k" --size 4k --timeout 300ms y
like "--timeout, full: names the --timeout" "$ERR" "send to key $k: no room within --timeout 300ms"
like "--timeout, full: says so" "$ERR" "The queue is full \\($fill messages, $qbytes of $qbytes bytes\\) for the whole --timeout"
like "--timeout, full: not sent" "$ERR" '1 message was not sent'
is "full: still $fill messages" "$(sysv_count "$k")" "$fill"

# A sender blocked on the full queue goes on when a receiver makes room.
bg s "$IPCDEMO" sysv send -q --key "$k" --size 4k after-1 after-2
s=$BG
ok "blocked sender: waits in msgsnd" wait_for 20 bg_blocked "$s"
run "a receiver makes room" 0 -- "$IPCDEMO" sysv receive --key "$k" -n $((fill + 2)) --timeout 20s
printf '%s\n' "$OUT" | cut -c 1-7 | tr -d . >full.out
is "the blocked sender's messages come after" "$(cat full.out)" "$(seq 1 "$fill")
after-1
after-2"
reap "$s"
is "blocked sender: exits 0" "$ST" 0

# ---- echo: only the messages the queue took ----

# not_sent TEXT: N from "N message(s) was/were not sent" (0 when absent)
not_sent() { sed -nE 's/.* ([0-9]+) messages? (was|were) not sent$/\1/p' <<<"$1" | grep . || echo 0; }
run "echo: fill all but 2 places" 0 -- "$IPCDEMO" sysv send -q --key "$k" --size 4k --source counter -n $((fill - 2))
run "echo --nonblock: 5 messages, room for 2" 1 -- \
	"$IPCDEMO" sysv send --key "$k" --size 4k --nonblock --seq --id 5 --source counter -n 5 --label 'sent: '
echoed=${OUT//sent: /}
is "echo --nonblock: echoed the 2 that went in, each with its label" \
	"$(printf '%s\n' "$OUT" | cut -c 1-11)" "sent: 5:1:1
sent: 5:2:2"
is "echo --nonblock: says the other 3 were not sent" "$(not_sent "$ERR")" 3
run "echo --nonblock: receive" 0 -- "$IPCDEMO" sysv receive --key "$k" --nonblock
is "echo --nonblock: the receiver got what was echoed" "$(tail -n 2 <<<"$OUT")" "$echoed"
is "echo --nonblock: and nothing else of it" "$(count_re "$OUT" '^5:')" 2
run "sizes: rm" 0 -- "$IPCDEMO" sysv rm -q --key "$k"

# ---- persistence: a receiver killed, messages kept, the next one goes on ----

newkey k 4
run "persist: create" 0 -- "$IPCDEMO" sysv create -q --key "$k"
qbytes=$(jfield "$("$IPCDEMO" sysv info --json --key "$k")" qbytes)
total=$((qbytes * 3 / 4096 + 6)) # three queues full, at least
bg_direct s "$IPCDEMO" sysv send -q --key "$k" --size 4k --seq --id 1 --source counter -n "$total"
s=$BG
ok "persist: the sender fills the queue and waits" wait_for 20 blocked_in_msg "$s"
# Hold the sender, so that the first receiver takes a known batch and sits
# idle (all printed) when it is killed.
kill -STOP "$s"
ok "persist: sender held" wait_for 10 stopped "$s"
first=$(sysv_count "$k")
ok "persist: the first batch is queued" test "${first:-0}" -gt 0
bg_direct r1 "$IPCDEMO" sysv receive --key "$k"
r1=$BG
ok "persist: first receiver takes the first batch" wait_for 20 has_lines r1.out "${first:-1}"
ok "persist: and waits on the empty queue" wait_for 20 blocked_in_msg "$r1"
kill -KILL "$r1"
wait "$r1" 2>/dev/null
ST=$?
is "persist: first receiver killed by SIGKILL" "$ST" 137
is "persist: the queue is empty" "$(sysv_count "$k")" 0
kill -CONT "$s"
ok "persist: with no receiver, the sender fills the queue again" wait_for 20 blocked_in_msg "$s"
ok "persist: messages kept while no one receives" wait_for 20 sysv_count_above "$k" 0
got1=$(nlines r1.out)
run "persist: a new receiver --verify -n the rest" 0 -- \
	"$IPCDEMO" sysv receive --key "$k" --verify -n $((total - got1)) --timeout 20s
printf '%s\n' "$OUT" >r2.out
is "persist: --verify: the rest, nothing lost (the first ones were taken before)" "$ERR" \
	"ipcdemo sysv receive: verify: 1 producer, $((total - got1)) received, 0 lost, 0 duplicated, 0 reordered, $got1 sent before the first one received (joined late)"
reap "$s"
is "persist: the sender exits 0" "$ST" 0
is "persist: the new receiver starts where the first stopped" "$(head -n 1 r2.out | cut -d: -f1,2)" "1:$((got1 + 1))"
is "persist: together, every message exactly once, in order" "$(cat r1.out r2.out | cut -d: -f1,2)" \
	"$(for i in $(seq 1 "$total"); do echo "1:$i"; done)"
is "persist: 4 KiB each, whole" "$(cat r1.out r2.out | awk 'length($0) != 4095' | wc -l)" 0
run "persist: rm" 0 -- "$IPCDEMO" sysv rm -q --key "$k"

# ---- create, info, rm ----

newkey k 5
run "create --mode 0640" 0 -- "$IPCDEMO" sysv create --key "$k" --mode 0640
like "create: says what it made" "$OUT" "^created key $k: id [0-9]+, mode 0640\$"
id=$(printf '%s\n' "$OUT" | sed -nE 's/.*: id ([0-9]+),.*/\1/p')
is "create: nothing on stderr" "$ERR" ""
run "create an existing key" 1 -- "$IPCDEMO" sysv create --key "$k"
like "create, existing: says so" "$ERR" "msgget key $k: File exists"
is "create, existing: nothing on stdout" "$OUT" ""
run "info on a new queue" 0 -- "$IPCDEMO" sysv info --key "$k"
like "new queue: never sent to" "$OUT" '^last send: pid 0, never$'
like "new queue: never received from" "$OUT" '^last recv: pid 0, never$'
like "new queue: empty" "$OUT" "^bytes:     0 of [0-9]+ \\(qbytes\\)\$"
run "info --json on a new queue" 0 -- "$IPCDEMO" sysv info --key "$k" --json
like "new queue --json: stime and rtime null" "$OUT" '"lspid":0,"stime":null,"lrpid":0,"rtime":null,'
run "send, noting the pid" 0 -- bash -c 'echo $$ >spid; exec "$IPCDEMO" sysv send -q --key "$1" hello world!' _ "$k"
spid=$(cat spid)
me=$(id -un)
uid=$(id -u)
gid=$(id -g)
run "info (text)" 0 -- "$IPCDEMO" sysv info --key "$k"
info=$OUT
ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z'
is "info: key, msqid, owner, mode, creator, messages" "$(head -n 6 <<<"$info")" "key:       $k
msqid:     $id
owner:     $me (uid $uid, gid $gid)
mode:      0640
creator:   uid $uid, gid $gid
messages:  2"
like "info: bytes of qbytes" "$info" "^bytes:     13 of $qbytes \\(qbytes\\)\$"
like "info: last send: the sender's pid and a time" "$info" "^last send: pid $spid, $ts\$"
like "info: last recv: never" "$info" '^last recv: pid 0, never$'
like "info: changed" "$info" "^changed:   $ts\$"
is "info: 10 lines" "$(count_re "$info" .)" 10
run "info --json" 0 -- "$IPCDEMO" sysv info --key "$k" --json
js=$OUT
ok "info --json: a JSON object" json_ok "$js"
jcheck() { # json field value-regex [label]
	like "${4:-info --json}: $2" "$1" "[{,]\"$2\":$3[,}]"
}
jcheck "$js" key "\"$k\""
jcheck "$js" msqid "$id"
jcheck "$js" owner "\"$me\""
jcheck "$js" uid "$uid"
jcheck "$js" gid "$gid"
jcheck "$js" cuid "$uid"
jcheck "$js" cgid "$gid"
jcheck "$js" mode '"0640"'
jcheck "$js" messages 2
jcheck "$js" bytes 13
jcheck "$js" qbytes "$qbytes"
jcheck "$js" lspid "$spid"
jcheck "$js" stime "\"$ts\""
jcheck "$js" lrpid 0
jcheck "$js" rtime null
jcheck "$js" ctime "\"$ts\""
if $have_py; then
	is "info --json: exactly these fields" "$(printf '%s\n' "$js" | python3 -c 'import json, sys; print(" ".join(sorted(json.load(sys.stdin))))')" \
		"bytes cgid ctime cuid gid key lrpid lspid messages mode msqid owner qbytes rtime stime uid"
else
	skip "info --json: exactly these fields" "no python3"
fi
run "receive one, noting the pid" 0 -- bash -c 'echo $$ >rpid; exec "$IPCDEMO" sysv receive --key "$1" -n 1' _ "$k"
rpid=$(cat rpid)
is "receive: the first" "$OUT" hello
run "info --json after a receive" 0 -- "$IPCDEMO" sysv info --key "$k" --json
jcheck "$OUT" lrpid "$rpid" "info --json after a receive"
jcheck "$OUT" rtime "\"$ts\"" "info --json after a receive"
jcheck "$OUT" messages 1 "info --json after a receive"
jcheck "$OUT" bytes 7 "info --json after a receive"
run "info (text) after a receive" 0 -- "$IPCDEMO" sysv info --key "$k"
like "info: last recv: the receiver's pid and a time" "$OUT" "^last recv: pid $rpid, $ts\$"

# ---- util-linux: ipcs, lsipc, ipcrm, ipcmk ----

if $have_ipcs; then
	line=$(ipcs_line "$k")
	read -r l_key l_id l_owner l_perms l_bytes l_msgs <<<"$line"
	is "ipcs -q: lists the key in 0x%08x form" "$l_key" "$k"
	is "ipcs -q: the same msqid" "$l_id" "$id"
	is "ipcs -q: the owner" "$l_owner" "$me"
	is "ipcs -q: perms 640 (--mode)" "$l_perms" 640
	is "ipcs -q: used bytes and messages" "$l_bytes $l_msgs" "7 1"
	run "ipcs -q -i ID" 0 -- ipcs -q -i "$id"
	like "ipcs -q -i: the queue" "$OUT" "msqid=$id\\b"
	like "ipcs -q -i: its mode" "$OUT" 'mode=0640'
	like "ipcs -q -i: qnum and the pids" "$OUT" "qnum=1[[:space:]]+lspid=${spid}[[:space:]]+lrpid=$rpid"
	if command -v lsipc >/dev/null 2>&1; then
		run "lsipc -q" 0 -- lsipc -q --raw --noheadings -o KEY,ID,PERMS
		like "lsipc -q: lists the key, id and perms" "$OUT" "^$k $id rw-r-----\$"
	else
		skip "lsipc -q: lists the key, id and perms" "no lsipc"
	fi
	run "ipcrm -Q KEY" 0 -- ipcrm -Q "$k"
	ok "ipcrm: gone from ipcs -q" test -z "$(ipcs_line "$k")"
	run "info after ipcrm" 1 -- "$IPCDEMO" sysv info --key "$k"
	like "info after ipcrm: no such queue" "$ERR" "msgget key $k: No such file or directory"

	run "ipcmk -Q" 0 -- ipcmk -Q
	mk_id=$(printf '%s\n' "$OUT" | sed -nE 's/^Message queue id: ([0-9]+)$/\1/p')
	[ -n "$mk_id" ] && IPCMK_IDS+=("$mk_id")
	like "ipcmk -Q: prints its id" "$mk_id" '^[0-9]+$'
	mk_key=$(ipcs -q | awk -v id="$mk_id" '$2 == id { print $1 }')
	like "ipcmk's queue: a key in ipcs -q" "$mk_key" '^0x[0-9a-f]{8}$'
	run "send to ipcmk's queue" 0 -- "$IPCDEMO" sysv send --key "$mk_key" --type 4 from-ipcdemo
	is "send to ipcmk's queue: it existed (no 'created')" "$ERR" ""
	is "ipcs: the message is there" "$(ipcs_line "$mk_key" | awk '{ print $6 }')" 1
	run "info on ipcmk's queue" 0 -- "$IPCDEMO" sysv info --key "$mk_key" --json
	like "ipcmk's queue: mode 0644, its id" "$OUT" "\"msqid\":$mk_id,.*\"mode\":\"0644\""
	run "receive from ipcmk's queue" 0 -- "$IPCDEMO" sysv receive --key "$mk_key" -n 1 --json
	like "receive from ipcmk's queue: the message and its type" "$OUT" '^\{"payload":"from-ipcdemo",.*"type":4,'
	run "ipcrm -q ID" 0 -- ipcrm -q "$mk_id"
	ok "ipcrm -q: gone" bash -c '! "$IPCDEMO" sysv info --key "$1" 2>/dev/null' _ "$mk_key"
else
	skip "ipcs, lsipc, ipcrm, ipcmk" "no ipcs or ipcrm"
fi

# ---- removed while waiting: EIDRM ----

newkey k 6
run "EIDRM: create" 0 -- "$IPCDEMO" sysv create -q --key "$k"
bg r "$IPCDEMO" sysv receive --key "$k"
r=$BG
ok "EIDRM: the receiver waits in msgrcv" wait_for 20 bg_blocked "$r"
if $have_ipcs; then
	run "EIDRM: ipcrm -Q" 0 -- ipcrm -Q "$k"
else
	run "EIDRM: sysv rm" 0 -- "$IPCDEMO" sysv rm -q --key "$k"
fi
ok "EIDRM: the receiver exits" wait_for 20 dead "$r"
reap "$r"
is "EIDRM: exit status 1" "$ST" 1
like "EIDRM: the system's word" "$(cat r.err)" "receive from key $k: Identifier removed"
like "EIDRM: explained" "$(cat r.err)" 'The queue was removed while we waited on it'
is "EIDRM: nothing printed" "$(cat r.out)" ""
ok "EIDRM: the receiver did not make a new queue" bash -c '! "$IPCDEMO" sysv info --key "$1" 2>/dev/null' _ "$k"

run "EIDRM: fill a queue" 0 -- "$IPCDEMO" sysv send -q --key "$k" --size 4k --source counter -n "$((qbytes / 4096))"
bg s "$IPCDEMO" sysv send --key "$k" --size 4k waiting
s=$BG
ok "EIDRM: the sender waits in msgsnd" wait_for 20 bg_blocked "$s"
run "EIDRM: sysv rm" 0 -- "$IPCDEMO" sysv rm --key "$k"
like "sysv rm: says what it removed" "$OUT" "^removed key $k, id [0-9]+\$"
ok "EIDRM: the sender exits" wait_for 20 dead "$s"
reap "$s"
is "EIDRM: sender exit status 1" "$ST" 1
like "EIDRM: the sender says so" "$(cat s.err)" 'Identifier removed'
like "EIDRM: the sender says what was not sent" "$(cat s.err)" '1 message was not sent'
run "rm a missing key" 1 -- "$IPCDEMO" sysv rm --key "$k"
like "rm, missing: names the key" "$ERR" "msgget key $k: No such file or directory"
is "rm, missing: nothing on stdout" "$OUT" ""

# ---- --unlink ----

newkey k 7
run "receive --unlink --timeout: creates the queue, then removes it" 4 -- \
	"$IPCDEMO" sysv receive --key "$k" --unlink --timeout 200ms
like "receive --unlink: it made the queue" "$ERR" "created queue key $k"
ok "receive --unlink: removed on exit" bash -c '! "$IPCDEMO" sysv info --key "$1" 2>/dev/null' _ "$k"
run "send --unlink" 0 -- "$IPCDEMO" sysv send -q --key "$k" --unlink gone
ok "send --unlink: removed on exit" bash -c '! "$IPCDEMO" sysv info --key "$1" 2>/dev/null' _ "$k"

# ---- a C string: the trailing NUL is not printed ----

if $have_py; then
	run "a C sender: msgsnd with strlen + 1" 0 -- python3 - "$k" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.msgget.argtypes = [ctypes.c_int, ctypes.c_int]
libc.msgsnd.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
key = ctypes.c_int(int(sys.argv[1], 16) - (1 << 32) if int(sys.argv[1], 16) >= 1 << 31 else int(sys.argv[1], 16))
q = libc.msgget(key, 0o1600)  # IPC_CREAT | 0600
if q < 0:
    sys.exit("msgget: " + os.strerror(ctypes.get_errno()))
for text in (b"Hello from the sender!\0", b"no terminator"):
    class Msg(ctypes.Structure):
        _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * len(text))]
    m = Msg(7, text)
    if libc.msgsnd(q, ctypes.byref(m), len(text), 0) < 0:
        sys.exit("msgsnd: " + os.strerror(ctypes.get_errno()))
EOF
	run "receive the C strings" 0 -- "$IPCDEMO" sysv receive --key "$k" --unlink -n 2 --label 'Message received: '
	is "C strings: printed without the NUL" "$OUT" "Message received: Hello from the sender!
Message received: no terminator"
	ok "C strings: no NUL byte on stdout" bash -c '[ "$(tr -d "\\000" <"$1" | wc -c)" = "$(wc -c <"$1")" ]' _ "$T/.out"
else
	skip "a C sender: msgsnd with strlen + 1" "no python3"
fi

# ---- Ctrl-C ----

newkey k 8
run "Ctrl-C: two messages" 0 -- "$IPCDEMO" sysv send -q --key "$k" m1 m2
bg c "$IPCDEMO" sysv receive --key "$k" --stats
c=$BG
ok "Ctrl-C: the receiver takes them" wait_for 20 has_lines c.out 2
ok "Ctrl-C: and waits for more" wait_for 20 bg_blocked "$c"
interrupt "$c"
ok "Ctrl-C: the receiver exits" wait_for 10 dead "$c"
reap "$c"
is "Ctrl-C: exit status 0" "$ST" 0
is "Ctrl-C: the messages on stdout" "$(cat c.out)" "m1
m2"
like "Ctrl-C: the --stats summary" "$(cat c.err)" '^ipcdemo sysv receive: received 2 messages, 4 bytes$'
run "Ctrl-C: rm" 0 -- "$IPCDEMO" sysv rm -q --key "$k"

# ---- a wait with no deadline: no timer (the stop kick ends it) ----
# msgrcv has no timeout: a timer of the queue's interrupts it only when
# --timeout sets a deadline. With none the call simply blocks, and a stop
# request is seen through the stop kick (ipcdemo(1), PIPELINES AND
# SIGNALS): SIGTERM interrupts the call, the first look at the stop flag
# disarms ITIMER_REAL.
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
	newkey k 9
	run "no deadline: the queue made" 0 -- "$IPCDEMO" sysv create -q --key "$k"
	stop_traced nodl "no deadline" msgrcv,timer_create,timer_settime,setitimer blocked_in_msg \
		"$IPCDEMO" sysv receive -q --key "$k" --stats
	st=$(cat "$T/nodl.st")
	is "no deadline: no timer made" "$(count_in "$T/nodl.st" '^timer_(create|settime)\(')" 0
	like "no deadline: the blocking msgrcv interrupted" "$st" '^msgrcv\([0-9]+, .*, 0\) += (-1 EINTR|\? ERESTARTNOHAND)'
	like "no deadline: the stop kick armed" "$st" '^setitimer\(ITIMER_REAL, \{it_interval=\{tv_sec=0, tv_usec=20000\}'
	like "no deadline: the summary" "$(cat nodl.err)" 'received 0 messages'
	run "no deadline: rm" 0 -- "$IPCDEMO" sysv rm -q --key "$k"
else
	skip "a wait with no deadline: no timer" "strace cannot trace here"
fi

# ---- system calls per round trip (strace) ----
# (LeakSanitizer cannot run under ptrace: a sanitized build leaves it out here.)

check_round_trip_calls sysv msgsnd msgrcv
check_consume_calls sysv msgsnd msgrcv

# ---- sysv demo ----

run "sysv demo" 0 -- "$IPCDEMO" sysv demo
demo=$OUT
is "demo: nothing on stderr" "$ERR" ""
dkey=$(printf '%s\n' "$demo" | grep -Eo 'with key 0x697063[0-9a-f]{2}' | head -n 1)
dkey=${dkey#with key }
like "demo: a key in ipcdemo's range" "$dkey" '^0x697063[0-9a-f]{2}$'
is "demo: receiver 'type 2' gets the two type 2 messages" \
	"$(printf '%s\n' "$demo" | sed -nE 's/^type 2 +\| //p')" "type 2: sent fourth
type 2: sent fifth"
is "demo: receiver 'type <=3' gets type 1, type 1, type 3" \
	"$(printf '%s\n' "$demo" | sed -nE 's/^type <=3 +\| //p')" "type 1: sent first
type 1: sent second
type 3: sent third"
if $have_ipcs && [ -n "$dkey" ]; then
	is "demo: its queue is gone (ipcs -q)" "$(ipcs_line "$dkey")" ""
else
	ok "demo: its queue is gone" bash -c '[ -n "$1" ] && ! "$IPCDEMO" sysv info --key "$1" 2>/dev/null' _ "$dkey"
fi

# ---- nothing of ours is left ----

left=""
for x in "${SYSV_KEYS[@]}"; do
	sysv_exists "$x" && left="$left $x"
done
is "every queue this test made is gone" "$left" ""
if $have_ipcs; then
	mine=""
	for x in $(ipcs -q | awk '$1 ~ /^0x[0-9a-f]+$/ { print $1 }'); do
		for y in "${SYSV_KEYS[@]}"; do
			[ "$x" = "$y" ] && mine="$mine $x"
		done
	done
	is "ipcs -q: none of this test's keys" "$mine" ""
else
	skip "ipcs -q: none of this test's keys" "no ipcs"
fi

done_testing
