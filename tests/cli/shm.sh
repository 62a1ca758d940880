#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts expand $IPCDEMO themselves
# ipcdemo shm: a ring of --slots slots of --slot-size bytes in POSIX shared
# memory. Arguments, stdin and counter through it; both start orders; a full
# ring (the producer sleeps, --nonblock, --timeout); an empty one; -n leaves
# the rest; the short messages of one put share slots, -n takes part of a
# slot; messages too long for a slot; create, info, unlink, rm; rings of
# another size and objects that are not rings, refused and left untouched;
# names; a million messages from one producer to one consumer and from four
# producers to three consumers; a consumer killed mid-stream; Ctrl-C;
# shm demo; --help.
# Every ring is named /t-shm-PID-NAME, outside 'ipcdemo clean's rule, and is
# removed again; the EXIT trap removes what a failing test left behind.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

S=/t-shm-$$
trap '_t_cleanup; rm -f /dev/shm/t-shm-$$-*' EXIT

have_jq=false
command -v jq >/dev/null 2>&1 && have_jq=true

# jfield JSON FIELD: a top-level field of a flat JSON object (strings unquoted).
jfield() {
	printf '%s\n' "$1" | sed -nE "s/.*[{,]\"$2\":(\"([^\"]*)\"|([^,}]*)).*/\\2\\3/p"
}
info_json() { "$IPCDEMO" shm info --json --name "$1" 2>/dev/null; }
field() { jfield "$(info_json "$1")" "$2"; }   # ring field
field_is() { [ "$(field "$1" "$2")" = "$3" ]; } # ring field value (for wait_for)
shm_file() { echo "/dev/shm/${1#/}"; }          # ring: its file
exists() { [ -e "$(shm_file "$1")" ]; }
gone() { [ -n "$1" ] && ! exists "$1"; }
counters() { # ring: "messages put taken waiting_producers waiting_consumers"
	local j
	j=$(info_json "$1")
	echo "$(jfield "$j" messages) $(jfield "$j" put) $(jfield "$j" taken)" \
		"$(jfield "$j" waiting_producers) $(jfield "$j" waiting_consumers)"
}
# padded ARGS: seq ARGS, each number padded with dots to 15 characters, as
# --size 16 makes it (16 bytes with the newline: a whole 16-byte slot).
padded() {
	seq "$@" | sed -e ':a' -e 's/^.\{1,14\}$/&./' -e 'ta'
}
complete_lines() { # file: its lines that end in a newline (a killed writer may leave half a line)
	head -n "$(wc -l <"$1" | tr -d ' ')" "$1"
}

# ---- --help of every verb ----

for v in produce consume create info unlink rm demo; do
	run "shm $v --help" 0 -- "$IPCDEMO" shm "$v" --help
	like "shm $v --help: usage line" "$OUT" "^Usage: ipcdemo shm $v \\[options\\]"
	like "shm $v --help: --name" "$OUT" '^ +--name NAME '
	is "shm $v --help: nothing on stderr" "$ERR" ""
done
run "shm produce -h" 0 -- "$IPCDEMO" shm produce -h
like "produce --help: --slots and --slot-size" "$OUT" '--slot-size BYTES'
like "produce --help: --nonblock fails when every slot is full" "$OUT" '--nonblock +fail at once \(exit 1\) when every slot is full'
like "produce --help: --timeout exits 4" "$OUT" '--timeout DURATION +wait at most DURATION for a free slot \(exit 4\)'
run "shm consume --help" 0 -- env COLUMNS=200 "$IPCDEMO" shm consume --help
like "consume --help: --verify" "$OUT" '--verify '
like "consume --help: --nonblock exit 1 if empty" "$OUT" '--nonblock +take what is in the ring now and exit; exit 1 if it is empty'
run "shm rm --help" 0 -- "$IPCDEMO" shm rm --help
like "rm --help: the same as unlink" "$OUT" 'same as unlink'
run "shm info --help" 0 -- "$IPCDEMO" shm info --help
like "info --help: --json" "$OUT" '--json'
run "shm produce --bogus" 2 -- "$IPCDEMO" shm produce --bogus
like "unknown option: usage error" "$ERR" 'bogus'

# ---- produce and consume: arguments, stdin, counter, echo ----

A=$S-args
run "produce of arguments (umask 000)" 0 -- \
	bash -c 'umask 000; exec "$IPCDEMO" shm produce --name "$1" one "two words" "" three' _ "$A"
is "produce: echoes each message on stdout" "$OUT" "one
two words

three"
like "produce: says it created the ring" "$ERR" "created ring $A \\(64 slots of 4096 bytes, mode 0600\\)"
ok "the ring is a file in /dev/shm" test -f "$(shm_file "$A")"
is "a ring it creates has mode 0600, whatever the umask" "$(mode_of "$(shm_file "$A")")" 600
is "4 messages queued, 4 put, none taken" "$(counters "$A")" "4 4 0 0 0"
is "the 4 messages of one put share one slot" "$(field "$A" slots_used)" 1
run "consume --nonblock" 0 -- "$IPCDEMO" shm consume --name "$A" --nonblock
is "consume: the messages, oldest first, the empty one too" "$OUT" "one
two words

three"
is "consume of an existing ring: nothing on stderr" "$ERR" ""
is "consumed: 0 queued, 4 put, 4 taken" "$(counters "$A")" "0 4 4 0 0"

printf 'alpha\nbeta\ngamma' >in.txt
run "produce --source stdin -q" 0 -- "$IPCDEMO" shm produce -q --name "$A" --source stdin <in.txt
is "produce -q: nothing on stdout" "$OUT" ""
is "produce -q: nothing on stderr" "$ERR" ""
is "stdin: 3 messages queued" "$(field "$A" messages)" 3
run "consume -n 3" 0 -- "$IPCDEMO" shm consume --name "$A" -n 3 --timeout 10s
is "stdin: every line, the last one without its newline too" "$OUT" "alpha
beta
gamma"

run "produce --source counter -n 5 --label" 0 -- "$IPCDEMO" shm produce --name "$A" --source counter -n 5 --label 'P: '
is "produce --label: echoed with the label" "$OUT" "$(seq 1 5 | sed 's/^/P: /')"
is "produce into an existing ring: no note" "$ERR" ""
run "consume --stats --label" 0 -- "$IPCDEMO" shm consume --name "$A" --nonblock --stats --label 'C: '
is "counter: 1..5 with the consumer's label" "$OUT" "$(seq 1 5 | sed 's/^/C: /')"
like "consume --stats: the summary on stderr" "$ERR" 'received 5 messages, 5 bytes'
like "consume --stats: the five taken in one batch" "$ERR" '^  reads    1, 5\.0 messages per read$'
# --batch: messages per ring operation on each side, counted in --stats.
run "produce --batch 2 --stats" 0 -- "$IPCDEMO" shm produce -q --name "$A" --source counter -n 5 --batch 2 --stats
like "produce --batch 2: three writes" "$ERR" '^  writes   3, 1\.7 messages per write$'
run "consume --batch 2 --stats" 0 -- "$IPCDEMO" shm consume --name "$A" --nonblock --batch 2 --stats
is "consume --batch 2: every message" "$OUT" "$(seq 1 5)"
like "consume --batch 2: three takes" "$ERR" '^  reads    3, 1\.7 messages per read$'

run "produce --seq --id 7 -q" 0 -- "$IPCDEMO" shm produce -q --name "$A" --seq --id 7 x y
run "consume --json" 0 -- "$IPCDEMO" shm consume --name "$A" --nonblock --json
is "consume --json: one object per message" "$(printf '%s\n' "$OUT" | grep -c '"mechanism":"shm"')" 2
like "consume --json: the payload and the stamp" "$OUT" '^\{"payload":"x",.*"seq":1,"producer":7,'
run "unlink the ring" 0 -- "$IPCDEMO" shm unlink --name "$A"
is "unlink: says so" "$OUT" "removed $A"
ok "unlink: the file is gone" test ! -e "$(shm_file "$A")"

# ---- consumer first: it waits, asleep, and receives ----

W=$S-wait
bg c "$IPCDEMO" shm consume --name "$W" -n 3 --timeout 30s
c=$BG
ok "consumer first: creates the ring" wait_for 20 exists "$W"
ok "consumer first: asleep on the empty ring (info: 1 waiting consumer)" \
	wait_for 20 field_is "$W" waiting_consumers 1
ok "consumer first: still waiting" alive "$c"
is "consumer first: nothing printed yet" "$(nlines c.out)" 0
run "consumer first: produce" 0 -- "$IPCDEMO" shm produce -q --name "$W" first second third
ok "consumer first: exits after -n 3" wait_for 20 dead "$c"
reap "$c"
is "consumer first: exit status 0" "$ST" 0
is "consumer first: the messages, in order" "$(cat c.out)" "first
second
third"
like "consumer first: said it created the ring" "$(cat c.err)" "created ring $W \\(64 slots of 4096 bytes, mode 0600\\)"
is "consumer first: no one waits any more" "$(counters "$W")" "0 3 3 0 0"
run "consumer first: unlink" 0 -- "$IPCDEMO" shm unlink -q --name "$W"
is "unlink -q: nothing on stdout" "$OUT" ""

# ---- a full ring: the producer sleeps until a consumer comes ----

# The messages of one put share slots, as many as fit (see "short messages
# share slots" below): a ring is full when every slot is in use, however
# many messages each holds. Messages padded to the slot size (--size 16 in
# 16-byte slots) take a slot each, so 10 of them do not fit in 4 slots.
F=$S-full
run "create a ring of 4 slots of 16 bytes" 0 -- "$IPCDEMO" shm create -q --name "$F" --slots 4 --slot-size 16
bg p "$IPCDEMO" shm produce --name "$F" --source counter -n 10 --size 16
p=$BG
ok "full ring: the producer says the ring is full" \
	wait_for 20 has p.err "$F is full \\(4 slots\\); waiting for a consumer"
ok "full ring: the producer sleeps (info: 1 waiting producer)" wait_for 20 field_is "$F" waiting_producers 1
ok "full ring: the producer is still there" alive "$p"
is "full ring: 4 messages queued, 4 put" "$(counters "$F")" "4 4 0 1 0"
is "full ring: in all 4 slots" "$(field "$F" slots_used)" 4
run "full ring: a consumer comes" 0 -- "$IPCDEMO" shm consume --name "$F" -n 10 --timeout 30s
is "full ring: the consumer gets all 10, in order" "$OUT" "$(padded 1 10)"
ok "full ring: the producer finishes" wait_for 20 dead "$p"
reap "$p"
is "full ring: the producer exits 0" "$ST" 0
is "full ring: it said so once" "$(count_in p.err 'is full')" 1
is "full ring: it echoed all 10" "$(cat p.out)" "$(padded 1 10)"
is "full ring: all put, all taken, no one waits" "$(counters "$F")" "0 10 10 0 0"
is "full ring: no slot in use" "$(field "$F" slots_used)" 0

run "produce --nonblock: 6 into 4 free slots" 1 -- \
	"$IPCDEMO" shm produce --name "$F" --nonblock --source counter -n 6 --size 16
is "--nonblock, full: it echoed the 4 it sent" "$OUT" "$(padded 1 4)"
like "--nonblock, full: the error" "$ERR" "send to $F: Resource temporarily unavailable"
like "--nonblock, full: the explanation" "$ERR" \
	'All 4 slots are full; without --nonblock the producer waits for a consumer\.'
like "--nonblock, full: says what was not sent" "$ERR" '2 messages were not sent'
is "--nonblock: the 4 that fit are in the ring" "$(counters "$F")" "4 14 10 0 0"
is "--nonblock: in all 4 slots" "$(field "$F" slots_used)" 4
# A short message does not fit either: a put never adds to the slots of another.
run "produce --timeout on a full ring" 4 -- "$IPCDEMO" shm produce --name "$F" --timeout 300ms late
like "--timeout, full: the producer slept first" "$ERR" "$F is full \\(4 slots\\); waiting for a consumer"
like "--timeout, full: the error" "$ERR" "send to $F: no room within --timeout 300ms"
like "--timeout, full: the explanation" "$ERR" 'All 4 slots stayed full for the whole --timeout\.'
like "--timeout, full: says what was not sent" "$ERR" '1 message was not sent'
is "--timeout: nothing more put, no one left waiting" "$(counters "$F")" "4 14 10 0 0"

# ---- consume: --nonblock, --timeout, -n ----

run "consume --nonblock, non-empty: takes all" 0 -- "$IPCDEMO" shm consume --name "$F" --nonblock
is "consume --nonblock: the 4 queued, in order" "$OUT" "$(padded 1 4)"
is "consume --nonblock, non-empty: nothing on stderr" "$ERR" ""
run "consume --nonblock, empty" 1 -- "$IPCDEMO" shm consume --name "$F" --nonblock
is "consume --nonblock, empty: nothing on stdout" "$OUT" ""
like "consume --nonblock, empty: the error" "$ERR" "receive from $F: Resource temporarily unavailable"
like "consume --nonblock, empty: the explanation" "$ERR" \
	'The ring is empty; without --nonblock the consumer waits for a producer\.'
run "consume --timeout, empty" 4 -- "$IPCDEMO" shm consume --name "$F" --timeout 300ms
is "consume --timeout, empty: nothing on stdout" "$OUT" ""
is "consume --timeout: no one left waiting" "$(counters "$F")" "0 14 14 0 0"

run "produce 4 for -n" 0 -- "$IPCDEMO" shm produce -q --name "$F" --nonblock --source counter -n 4
is "4 short messages of one put: 3 to a 16-byte slot, in 2 slots" "$(field "$F" messages) $(field "$F" slots_used)" "4 2"
run "consume -n 2" 0 -- "$IPCDEMO" shm consume --name "$F" -n 2
is "consume -n 2: the first two" "$OUT" "1
2"
is "consume -n 2: nothing on stderr (it took no more than it printed)" "$ERR" ""
is "consume -n 2: the rest stays in the ring (3 left in its slot, 4 in the next)" \
	"$(field "$F" messages) $(field "$F" slots_used)" "2 2"
run "consume -n 2 again" 0 -- "$IPCDEMO" shm consume --name "$F" -n 2
is "consume -n 2 again: the next two" "$OUT" "3
4"
is "consume -n: empty now, the slots free" "$(field "$F" messages) $(field "$F" slots_used)" "0 0"
run "unlink the full ring" 0 -- "$IPCDEMO" shm rm -q --name "$F"

# ---- short messages share slots ----

# A slot holds the messages of one put, as many whole ones as fit: each is
# a 4-byte length and its bytes (newline included), in slot_size + 4 bytes,
# so that one message of slot_size bytes always fits. A 16-byte slot holds
# 20 bytes of them: two 6-byte messages (2 * (4 + 6) = 20), not two 7-byte
# ones (22), three 2-byte ones (18), not four (24).
P=$S-pack
run "pack: create a ring of 4 slots of 16 bytes" 0 -- "$IPCDEMO" shm create -q --name "$P" --slots 4 --slot-size 16
run "pack: two 6-byte messages" 0 -- "$IPCDEMO" shm produce -q --name "$P" --nonblock 12345 abcde
is "pack: two 6-byte messages share a slot" "$(field "$P" messages) $(field "$P" slots_used)" "2 1"
run "pack: two 7-byte messages" 0 -- "$IPCDEMO" shm produce -q --name "$P" --nonblock 123456 abcdef
is "pack: two 7-byte messages take a slot each" "$(field "$P" messages) $(field "$P" slots_used)" "4 3"
run "pack: consume" 0 -- "$IPCDEMO" shm consume --name "$P" --nonblock
is "pack: all four, in order" "$OUT" "12345
abcde
123456
abcdef"
run "pack: 8 messages of 2 bytes in one put" 0 -- "$IPCDEMO" shm produce -q --name "$P" --nonblock a b c d e f g h
run "pack: info" 0 -- "$IPCDEMO" shm info --name "$P"
like "pack: three to a slot, 8 in 3 slots" "$OUT" '^messages: +8 queued in 3 slots, 12 put, 4 taken$'
run "pack: consume -n 4" 0 -- "$IPCDEMO" shm consume --name "$P" -n 4
is "pack: -n 4 across slots: a whole slot and one of the next" "$OUT" "a
b
c
d"
is "pack: 4 left, in 2 slots" "$(field "$P" messages) $(field "$P" slots_used)" "4 2"
run "pack: the rest" 0 -- "$IPCDEMO" shm consume --name "$P" --nonblock
is "pack: the rest, in order" "$OUT" "e
f
g
h"
run "pack: one put" 0 -- "$IPCDEMO" shm produce -q --name "$P" --nonblock x
run "pack: another put" 0 -- "$IPCDEMO" shm produce -q --name "$P" --nonblock y
is "pack: a put never adds to the slot of another" "$(field "$P" messages) $(field "$P" slots_used)" "2 2"
run "pack: unlink" 0 -- "$IPCDEMO" shm rm -q --name "$P"

# The 100 short messages of one put fit in one slot of 4096 bytes: a ring
# of 2 slots takes two such puts, 200 messages, and is full then.
H=$S-hundred
run "hundred: create a ring of 2 slots" 0 -- "$IPCDEMO" shm create -q --name "$H" --slots 2
run "hundred: 100 messages into 2 slots, --nonblock" 0 -- \
	"$IPCDEMO" shm produce -q --name "$H" --nonblock --source counter -n 100
run "hundred: info" 0 -- "$IPCDEMO" shm info --name "$H"
like "hundred: 100 queued in 1 slot" "$OUT" '^messages: +100 queued in 1 slot, 100 put, 0 taken$'
run "hundred: another 100" 0 -- "$IPCDEMO" shm produce -q --name "$H" --nonblock --source counter -n 100
run "hundred: info again" 0 -- "$IPCDEMO" shm info --name "$H"
like "hundred: 200 queued in 2 slots" "$OUT" '^messages: +200 queued in 2 slots, 200 put, 0 taken$'
run "hundred: a third 100, --nonblock: the ring is full" 1 -- \
	"$IPCDEMO" shm produce --name "$H" --nonblock --source counter -n 100
like "hundred: full: the explanation" "$ERR" 'All 2 slots are full; without --nonblock the producer waits for a consumer\.'
like "hundred: full: none of the 100 was sent" "$ERR" '100 messages were not sent'
is "hundred: still 200 in 2 slots" "$(counters "$H") $(field "$H" slots_used)" "200 200 0 0 0 2"
run "hundred: consume -n 3 from a slot of 100" 0 -- "$IPCDEMO" shm consume --name "$H" -n 3
is "hundred: -n 3 takes exactly 3" "$OUT" "1
2
3"
is "hundred: consume -n 3: nothing on stderr" "$ERR" ""
run "hundred: info after -n 3" 0 -- "$IPCDEMO" shm info --name "$H"
like "hundred: the other 97 stay in their slot" "$OUT" '^messages: +197 queued in 2 slots, 200 put, 3 taken$'
run "hundred: a second consumer, -n 3" 0 -- "$IPCDEMO" shm consume --name "$H" -n 3
is "hundred: the second consumer gets the next 3" "$OUT" "4
5
6"
run "hundred: consume --nonblock" 0 -- "$IPCDEMO" shm consume --name "$H" --nonblock
is "hundred: the rest, in order" "$OUT" "$(seq 7 100; seq 1 100)"
is "hundred: all taken, no slot in use" "$(counters "$H") $(field "$H" slots_used)" "0 200 200 0 0 0"
run "hundred: unlink" 0 -- "$IPCDEMO" shm rm -q --name "$H"

# More than one batch (64 KiB) in the ring: --nonblock still takes all.
B=$S-batch
run "100 messages of 4000 bytes" 0 -- \
	"$IPCDEMO" shm produce -q --name "$B" --slots 100 --source counter -n 100 --size 4000
run "consume --nonblock takes more than a batch" 0 -- "$IPCDEMO" shm consume --name "$B" --nonblock
is "all 100, each of 3999 bytes" "$(printf '%s\n' "$OUT" | awk '{ print length($0) }' | sort -u)" 3999
is "all 100, in order" "$(printf '%s\n' "$OUT" | sed 's/\.*$//')" "$(seq 1 100)"
is "the ring is empty" "$(field "$B" messages)" 0
run "unlink the batch ring" 0 -- "$IPCDEMO" shm unlink -q --name "$B"

# ---- a message longer than a slot ----

L=$S-long
run "create a ring of 16-byte slots" 0 -- "$IPCDEMO" shm create -q --name "$L" --slot-size 16
run "a 15-byte message (16 with its newline) fits" 0 -- "$IPCDEMO" shm produce -q --name "$L" 123456789abcdef
is "a message of the slot size: in a slot" "$(field "$L" messages) $(field "$L" slots_used)" "1 1"
run "a 16-byte message does not" 1 -- "$IPCDEMO" shm produce --name "$L" before 123456789abcdefg after
like "too long: the error" "$ERR" "send to $L: Message too long"
like "too long: names both sizes" "$ERR" \
	'A 17-byte message does not fit a 16-byte slot; create the ring with a larger --slot-size\.'
like "too long: the messages from it on were not sent" "$ERR" '2 messages were not sent'
run "too long: what is in the ring" 0 -- "$IPCDEMO" shm consume --name "$L" --nonblock
is "too long: the one that fits and the one before it" "$OUT" "123456789abcdef
before"
run "unlink the 16-byte ring" 0 -- "$IPCDEMO" shm unlink -q --name "$L"

# ---- create and info ----

C=$S-create
run "create --slots 8 --slot-size 256 --mode 0640 (umask 077)" 0 -- \
	bash -c 'umask 077; exec "$IPCDEMO" shm create --name "$1" --slots 8 --slot-size 256 --mode 0640' _ "$C"
size=$(stat -c %s "$(shm_file "$C")" 2>/dev/null)
is "create: says what it made" "$OUT" "created $C: 8 slots of 256 bytes ($size bytes), mode 0640"
is "create: nothing on stderr" "$ERR" ""
ok "create: the size holds 8 slots of 256 bytes" test "${size:-0}" -ge $((8 * 256))
is "create --mode 0640: the file's mode" "$(mode_of "$(shm_file "$C")")" 640
run "info --json" 0 -- "$IPCDEMO" shm info --json --name "$C"
j=$OUT
is "info --json: one line" "$(count_re "$j" .)" 1
is "info: name" "$(jfield "$j" name)" "$C"
is "info: owner" "$(jfield "$j" owner)" "$(id -un)"
is "info: uid" "$(jfield "$j" uid)" "$(id -u)"
is "info: gid" "$(jfield "$j" gid)" "$(id -g)"
is "info: mode" "$(jfield "$j" mode)" 0640
is "info: size, as stat says" "$(jfield "$j" size)" "$size"
is "info: slots" "$(jfield "$j" slots)" 8
is "info: slot_size" "$(jfield "$j" slot_size)" 256
is "info: messages" "$(jfield "$j" messages)" 0
is "info: slots_used" "$(jfield "$j" slots_used)" 0
is "info: put" "$(jfield "$j" put)" 0
is "info: taken" "$(jfield "$j" taken)" 0
is "info: waiting_producers" "$(jfield "$j" waiting_producers)" 0
is "info: waiting_consumers" "$(jfield "$j" waiting_consumers)" 0
is "info: recovered" "$(jfield "$j" recovered)" 0
is "info: lock" "$(jfield "$j" lock)" free
is "info: lock_owner" "$(jfield "$j" lock_owner)" null
is "info: damaged" "$(jfield "$j" damaged)" null
if $have_jq; then
	is "info --json: valid JSON with exactly these fields" "$(printf '%s\n' "$j" | jq -r 'keys_unsorted | join(",")')" \
		"name,owner,uid,gid,mode,size,slots,slot_size,messages,slots_used,put,taken,waiting_producers,waiting_consumers,recovered,lock,lock_owner,damaged"
	is "info --json: numbers are numbers" "$(printf '%s\n' "$j" | jq -r '[.uid, .size, .slots, .messages, .slots_used] | map(type) | unique | join(",")')" number
else
	skip "info --json: valid JSON with exactly these fields" "jq not installed"
	skip "info --json: numbers are numbers" "jq not installed"
fi
run "info (text)" 0 -- "$IPCDEMO" shm info --name "$C"
like "info: name line" "$OUT" "^name: +$C\$"
like "info: mode line" "$OUT" '^mode: +0640$'
like "info: slots line" "$OUT" '^slots: +8 of 256 bytes$'
like "info: messages line" "$OUT" '^messages: +0 queued in 0 slots, 0 put, 0 taken$'
like "info: lock line" "$OUT" '^lock: +free$'
like "info: state line" "$OUT" '^state: +intact$'
is "info: nothing on stderr" "$ERR" ""

run "create of an existing ring" 1 -- "$IPCDEMO" shm create --name "$C" --slots 2
like "create of an existing ring: File exists" "$ERR" "shm_open $C: File exists"
is "create of an existing ring: nothing on stdout" "$OUT" ""
is "create of an existing ring: it keeps its slots" "$(field "$C" slots)" 8

run "create -q, default geometry (umask 000)" 0 -- \
	bash -c 'umask 000; exec "$IPCDEMO" shm create -q --name "$1"' _ "$S-defaults"
is "create -q: nothing on stdout" "$OUT" ""
is "create: default 64 slots" "$(field "$S-defaults" slots)" 64
is "create: default slot size 4096" "$(field "$S-defaults" slot_size)" 4096
is "create: default mode 0600, whatever the umask" "$(mode_of "$(shm_file "$S-defaults")")" 600
run "unlink the default one" 0 -- "$IPCDEMO" shm unlink -q --name "$S-defaults"

run "consume --mode 0604 creates the ring with that mode" 4 -- \
	"$IPCDEMO" shm consume --name "$S-cmode" --mode 0604 --timeout 100ms
is "consume --mode: the ring's mode" "$(mode_of "$(shm_file "$S-cmode")")" 604
like "consume --mode: the note says so" "$ERR" 'mode 0604'
run "unlink the consumer's ring" 0 -- "$IPCDEMO" shm unlink -q --name "$S-cmode"

# ---- an existing ring of another size: refused ----

run "produce --slots 4 into a ring of 8" 1 -- "$IPCDEMO" shm produce -q --name "$C" --slots 4 x
like "another --slots: says what the ring has" "$ERR" \
	"$C exists with 8 slots of 256 bytes, not what --slots/--slot-size ask for"
like "another --slots: how to start afresh" "$ERR" "A ring's size is fixed when it is created; 'ipcdemo shm unlink --name $C' first\\."
is "another --slots: nothing was put" "$(field "$C" put)" 0
run "consume --slot-size 512 on a ring of 256" 1 -- "$IPCDEMO" shm consume --name "$C" --slot-size 512 --nonblock
like "another --slot-size: refused" "$ERR" 'not what --slots/--slot-size ask for'
run "produce with the ring's own --slots and --slot-size" 0 -- \
	"$IPCDEMO" shm produce -q --name "$C" --slots 8 --slot-size 256 same
is "the same geometry: accepted" "$(field "$C" messages)" 1

# ---- unlink, rm ----

run "rm" 0 -- "$IPCDEMO" shm rm --name "$C"
is "rm: says so" "$OUT" "removed $C"
ok "rm: the file is gone" test ! -e "$(shm_file "$C")"
run "unlink of a missing ring" 1 -- "$IPCDEMO" shm unlink --name "$C"
like "unlink of a missing ring: the error" "$ERR" "shm_unlink $C: No such file or directory"
is "unlink of a missing ring: nothing on stdout" "$OUT" ""
run "rm of a missing ring" 1 -- "$IPCDEMO" shm rm -q --name "$C"
like "rm -q of a missing ring: still the error" "$ERR" "shm_unlink $C: No such file or directory"
run "info of a missing ring" 1 -- "$IPCDEMO" shm info --name "$C"
like "info of a missing ring: how to make one" "$ERR" "No such object; 'ipcdemo shm create --name $C' makes one\\."
ok "info does not create it" test ! -e "$(shm_file "$C")"

# ---- objects in /dev/shm that are not rings: refused, untouched ----

FR=$S-foreign
head -c 4096 /dev/zero >"$(shm_file "$FR")"
head -c 4096 /dev/zero >foreign.orig
for verb in "produce x" "consume --nonblock" "consume --timeout 1s" "info"; do
	# shellcheck disable=SC2086 # the verb and its options, word-split on purpose
	run "shm $verb on an object that is not a ring" 1 -- "$IPCDEMO" shm $verb --name "$FR"
	like "shm $verb, not a ring: says so" "$ERR" "$FR is not an ipcdemo ring \\(4096 bytes, no ring header\\); not touching it"
	ok "shm $verb, not a ring: left untouched" cmp -s foreign.orig "$(shm_file "$FR")"
done
run "create over an object that is not a ring" 1 -- "$IPCDEMO" shm create --name "$FR"
ok "create, not a ring: left untouched" cmp -s foreign.orig "$(shm_file "$FR")"
rm -f "$(shm_file "$FR")"

head -c 4096 /dev/zero | tr '\0' '\377' >"$(shm_file "$FR")"
cp "$(shm_file "$FR")" foreign2.orig
run "produce into an object with another header" 1 -- "$IPCDEMO" shm produce -q --name "$FR" x
like "another header: not an ipcdemo ring, not touched" "$ERR" \
	"$FR is not an ipcdemo ring \\(4096 bytes, no ring header\\); not touching it"
run "consume from an object with another header" 1 -- "$IPCDEMO" shm consume --name "$FR" --nonblock
ok "another header: left untouched" cmp -s foreign2.orig "$(shm_file "$FR")"
rm -f "$(shm_file "$FR")"

# A ring whose creator died while setting it up: the magic, never 'ready'.
{ printf 'IPCDRNG1'; head -c 4088 /dev/zero; } >"$(shm_file "$FR")"
run "a ring its creator never finished" 1 -- "$IPCDEMO" shm consume --name "$FR" --nonblock
like "unfinished ring: says so and how to remove it" "$ERR" \
	"$FR is a ring whose creator never finished setting it up \\(it died\\?\\); 'ipcdemo shm unlink --name $FR' removes it"
rm -f "$(shm_file "$FR")"

printf 'tiny' >"$(shm_file "$FR")"
run "consume from a 4-byte object" 1 -- "$IPCDEMO" shm consume --name "$FR" --nonblock
like "4-byte object: not a ring" "$ERR" "$FR is not an ipcdemo ring \\(4 bytes, no ring header\\); not touching it"
is "4-byte object: left untouched" "$(cat "$(shm_file "$FR")")" tiny
rm -f "$(shm_file "$FR")"

# ---- names ----

run "--name without the leading slash" 0 -- "$IPCDEMO" shm create -q --name "${S#/}-noslash"
ok "no slash: the slash is added" test -f "$(shm_file "$S-noslash")"
is "no slash: info names it with the slash" "$(field "$S-noslash" name)" "$S-noslash"
run "unlink without the slash" 0 -- "$IPCDEMO" shm unlink --name "${S#/}-noslash"
is "unlink without the slash: says the full name" "$OUT" "removed $S-noslash"

long255=$S-$(printf '%*s' $((255 - ${#S})) '' | tr ' ' x)
long255=${long255:0:256}
long256=${long255}y
run "a 255-byte name is accepted" 0 -- "$IPCDEMO" shm create -q --name "$long255"
ok "a 255-byte name: the ring exists" test -f "$(shm_file "$long255")"
run "unlink the 255-byte name" 0 -- "$IPCDEMO" shm unlink -q --name "$long255"
for verb in produce consume create info unlink rm demo; do
	run "shm $verb --name /a/b" 2 -- "$IPCDEMO" shm "$verb" --name /a/b
	like "shm $verb --name /a/b: why" "$ERR" \
		"invalid value '/a/b' for --name: no slash is allowed after the leading one"
	like "shm $verb --name /a/b: the usage hint" "$ERR" "Try 'ipcdemo shm $verb --help'"
	run "shm $verb --name /" 2 -- "$IPCDEMO" shm "$verb" --name /
	like "shm $verb --name /: why" "$ERR" "invalid value '/' for --name: a name is needed after the slash"
	run "shm $verb with a 256-byte name" 2 -- "$IPCDEMO" shm "$verb" --name "$long256"
	like "shm $verb with a 256-byte name: why" "$ERR" 'too long \(at most 255 bytes after the slash\)'
done
run "--name /.." 2 -- "$IPCDEMO" shm create --name /..
like "--name /..: why" "$ERR" "'\\.' and '\\.\\.' are not names"
ok "no 256-byte ring was made" test ! -e "$(shm_file "$long256")"

# ---- a million messages, one producer, one consumer ----

M=$S-million
bg c "$IPCDEMO" shm consume --name "$M" -q --verify -n 1000000 --timeout 30s
c=$BG
ok "a million: the consumer waits" wait_for 20 field_is "$M" waiting_consumers 1
T_LIMIT=120 run "a million: the producer" 0 -- \
	"$IPCDEMO" shm produce -q --name "$M" --seq --id 1 --source counter -n 1000000
ok "a million: the consumer ends" wait_for 60 dead "$c"
reap "$c"
is "a million: the consumer exits 0" "$ST" 0
is "a million: 1,000,000 lines" "$(nlines c.out)" 1000000
like "a million: verify: nothing lost, duplicated or reordered" "$(cat c.err)" \
	'verify: 1 producer, 1000000 received, 0 lost, 0 duplicated, 0 reordered'
ok "a million: every sequence number, in order" consecutive c.out
is "a million: the last one" "$(tail -n 1 c.out)" 1:1000000:1000000
is "a million: all put, all taken" "$(counters "$M")" "0 1000000 1000000 0 0"
run "a million: unlink" 0 -- "$IPCDEMO" shm unlink -q --name "$M"
rm -f c.out

# ---- four producers, three consumers ----

MP=$S-many
run "many: create the ring" 0 -- "$IPCDEMO" shm create -q --name "$MP"
cons=()
for i in 1 2 3; do
	bg "mc$i" "$IPCDEMO" shm consume --name "$MP" -q --timeout 3s
	cons+=("$BG")
done
ok "many: three consumers wait" wait_for 20 field_is "$MP" waiting_consumers 3
prods=()
for i in 1 2 3 4; do
	bg "mp$i" "$IPCDEMO" shm produce --name "$MP" -q --seq --id "$i" --source counter -n 250000
	prods+=("$BG")
done
i=0
for p in "${prods[@]}"; do
	i=$((i + 1))
	reap "$p"
	is "many: producer $i exits 0" "$ST" 0
	is "many: producer $i: nothing on stderr" "$(cat "mp$i.err")" ""
done
i=0
for c in "${cons[@]}"; do
	i=$((i + 1))
	reap "$c"
	is "many: consumer $i exits 0 (--timeout after it had messages)" "$ST" 0
	ok "many: consumer $i got some" test "$(nlines "mc$i.out")" -gt 0
	# The ring is first in, first out: each consumer sees each producer's
	# messages in order, with gaps where the others took them.
	ok "many: consumer $i has each producer's messages in increasing order" \
		awk -F: '$2 + 0 <= last[$1] { bad = 1 } { last[$1] = $2 + 0 } END { exit bad }' "mc$i.out"
done
cat mc1.out mc2.out mc3.out >many.out
is "many: 1,000,000 lines in all" "$(nlines many.out)" 1000000
is "many: every line is ID:SEQ:COUNTER from a producer" \
	"$(awk -F: 'NF != 3 || $1 !~ /^[1-4]$/ || $2 !~ /^[1-9][0-9]*$/ || $2 != $3 { n++ } END { print n + 0 }' many.out)" 0
is "many: no line twice" "$(sort many.out | uniq -d | head -n 5)" ""
is "many: 250,000 of each producer, numbered 1 to 250,000" \
	"$(awk -F: '{ n[$1]++; if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2; if ($2 > hi[$1]) hi[$1] = $2 }
		END { for (i = 1; i <= 4; i++) print i, n[i], lo[i], hi[i] }' many.out)" \
	"1 250000 1 250000
2 250000 1 250000
3 250000 1 250000
4 250000 1 250000"
sort -t: -k1,1n -k2,2n many.out >many.sorted
run "many: the union, sorted, through pipe consume --verify" 0 -- \
	"$IPCDEMO" pipe consume --verify -q <many.sorted
like "many: verify: 4 producers, nothing lost or duplicated" "$ERR" \
	'verify: 4 producers, 1000000 received, 0 lost, 0 duplicated, 0 reordered'
is "many: all put, all taken, no one waits" "$(counters "$MP")" "0 1000000 1000000 0 0"
run "many: unlink" 0 -- "$IPCDEMO" shm unlink -q --name "$MP"
rm -f mc?.out many.out many.sorted

# ---- a consumer killed mid-stream; another takes over ----

K=$S-kill
run "kill: create a ring of 16 slots" 0 -- "$IPCDEMO" shm create -q --name "$K" --slots 16
bg p "$IPCDEMO" shm produce -q --name "$K" --seq --id 9 --source counter -n 20 --every 10ms --batches 300
p=$BG
bg_direct k1 "$IPCDEMO" shm consume --name "$K" -q --timeout 30s
k1=$BG
ok "kill: the first consumer gets messages" wait_for 30 has_lines k1.out 200
kill -KILL "$k1" 2>/dev/null
wait "$k1" 2>/dev/null
ok "kill: the producer keeps going" alive "$p"
bg k2 "$IPCDEMO" shm consume --name "$K" --verify --timeout 3s
k2=$BG
reap "$p"
is "kill: the producer exits 0" "$ST" 0
ok "kill: the second consumer ends after the producer" wait_for 40 dead "$k2"
reap "$k2"
is "kill: the second consumer exits 0 (its --verify is clean)" "$ST" 0
like "kill: the second consumer: 0 lost, 0 duplicated, 0 reordered" "$(cat k2.err)" \
	'verify: 1 producer, [0-9]+ received, 0 lost, 0 duplicated, 0 reordered'
complete_lines k1.out >k1.whole
ok "kill: the second consumer got messages" test "$(nlines k2.out)" -gt 0
ok "kill: the second consumer's messages are consecutive" consecutive k2.out
ok "kill: the first consumer's messages are consecutive" consecutive k1.whole
is "kill: no message delivered twice" "$(sort k1.whole k2.out | uniq -d | head -n 5)" ""
ok "kill: the second consumer starts after the first one's last" \
	test "$(head -n 1 k2.out | cut -d: -f2)" -gt "$(tail -n 1 k1.whole | cut -d: -f2)"
is "kill: the second consumer got everything up to the last" "$(tail -n 1 k2.out)" 9:6000:6000
is "kill: put and taken agree" "$(field "$K" put) $(field "$K" taken) $(field "$K" messages)" "6000 6000 0"
run "kill: unlink" 0 -- "$IPCDEMO" shm unlink -q --name "$K"

# A process killed while it sleeps cannot say it stopped waiting. It stays
# counted only until the next put or take wakes the sleepers (and zeroes
# the count); the ring works on, and the count is right again.
G=$S-ghost
bg_direct g "$IPCDEMO" shm consume --name "$G" -q --slots 4 --slot-size 16
g=$BG
ok "ghost: the consumer sleeps on the empty ring" wait_for 20 field_is "$G" waiting_consumers 1
kill -KILL "$g" 2>/dev/null
wait "$g" 2>/dev/null
is "ghost: a consumer killed while it slept is still counted" "$(field "$G" waiting_consumers)" 1
run "ghost: one put" 0 -- "$IPCDEMO" shm produce -q --name "$G" --nonblock one
is "ghost: the put woke the sleepers and cleared the count" "$(field "$G" waiting_consumers)" 0
is "ghost: the message waits for a consumer" "$(field "$G" messages)" 1
run "ghost: fill the ring (3 messages of a slot each)" 0 -- \
	"$IPCDEMO" shm produce -q --name "$G" --nonblock --source counter -n 3 --size 16
is "ghost: all 4 slots in use" "$(field "$G" slots_used)" 4
bg_direct g "$IPCDEMO" shm produce -q --name "$G" late
g=$BG
ok "ghost: the producer sleeps on the full ring" wait_for 20 field_is "$G" waiting_producers 1
kill -KILL "$g" 2>/dev/null
wait "$g" 2>/dev/null
is "ghost: a producer killed while it slept is still counted" "$(field "$G" waiting_producers)" 1
run "ghost: the ring still works" 0 -- "$IPCDEMO" shm consume --name "$G" --nonblock
is "ghost: the 4 messages" "$OUT" "$(printf 'one\n'; padded 1 3)"
is "ghost: the take woke the sleepers and cleared the count" "$(field "$G" waiting_producers)" 0
run "ghost: unlink" 0 -- "$IPCDEMO" shm unlink -q --name "$G"

# ---- Ctrl-C ----

INT=$S-int
run "Ctrl-C: three messages" 0 -- "$IPCDEMO" shm produce -q --name "$INT" a b c
bg c "$IPCDEMO" shm consume --name "$INT" --stats
c=$BG
ok "Ctrl-C: the consumer prints them" wait_for 20 has_lines c.out 3
ok "Ctrl-C: then sleeps on the empty ring" wait_for 20 field_is "$INT" waiting_consumers 1
interrupt "$c"
ok "Ctrl-C: a consumer blocked on the ring exits" wait_for 10 dead "$c"
reap "$c"
is "Ctrl-C: consumer exit status 0" "$ST" 0
is "Ctrl-C: what it printed" "$(cat c.out)" "a
b
c"
like "Ctrl-C: the --stats summary" "$(cat c.err)" 'received 3 messages, 3 bytes'
unlike "Ctrl-C: the summary is not on stdout" "$(cat c.out)" 'received'
is "Ctrl-C: no one is counted as waiting" "$(field "$INT" waiting_consumers)" 0

# One message fills a ring of 1 slot: another put does not go into its slot.
run "Ctrl-C: fill a ring of 1 slot" 0 -- "$IPCDEMO" shm produce -q --name "$INT-1" --slots 1 first
bg p "$IPCDEMO" shm produce --name "$INT-1" second
p=$BG
ok "Ctrl-C: the producer sleeps on the full ring" wait_for 20 field_is "$INT-1" waiting_producers 1
interrupt "$p"
ok "Ctrl-C: a producer blocked on a full ring exits" wait_for 10 dead "$p"
reap "$p"
is "Ctrl-C: producer exit status 0" "$ST" 0
like "Ctrl-C: the producer says what was not sent" "$(cat p.err)" '1 message was not sent'
is "Ctrl-C: the producer is not counted as waiting" "$(field "$INT-1" waiting_producers)" 0
is "Ctrl-C: only the first is in the ring" "$(field "$INT-1" messages)" 1
run "Ctrl-C: unlink" 0 -- "$IPCDEMO" shm unlink -q --name "$INT"
run "Ctrl-C: unlink the 1-slot ring" 0 -- "$IPCDEMO" shm unlink -q --name "$INT-1"

# ---- --unlink ----

run "produce --unlink" 0 -- "$IPCDEMO" shm produce -q --unlink --name "$S-unl" x
ok "produce --unlink: the ring is removed on exit" test ! -e "$(shm_file "$S-unl")"
run "consume --unlink" 4 -- "$IPCDEMO" shm consume -q --unlink --name "$S-unl" --timeout 100ms
ok "consume --unlink: the ring is removed on exit" test ! -e "$(shm_file "$S-unl")"

# ---- shm demo ----

demos_before=$(cd /dev/shm && ls -d ipcdemo-demo-* 2>/dev/null)
run "shm demo" 0 -- "$IPCDEMO" shm demo
demo=$OUT
dname=$(printf '%s\n' "$demo" | sed -nE '1s/.* into (\/ipcdemo-demo-[0-9]+), .*/\1/p')
like "demo: names its ring" "$dname" '^/ipcdemo-demo-[0-9]+$'
like "demo: a ring of 4 slots of 16 bytes" "$demo" ', a ring of 4 slots of 16 bytes in$'
like "demo: a slot for each message" "$demo" 'each message big enough to fill a slot of its own\.'
# Producer ID 10: 10:1:1 is 7 bytes with its newline, too long for two to
# share a 16-byte slot, so 4 of the 10 fill the ring.
is "demo: the consumer got 10:1:1 .. 10:10:10, in order" \
	"$(printf '%s\n' "$demo" | sed -nE 's/^consumer +\| ([0-9]+:[0-9]+:[0-9]+)$/\1/p')" \
	"$(seq 1 10 | sed 's/.*/10:&:&/')"
is "demo: the producer echoed the same" \
	"$(printf '%s\n' "$demo" | sed -nE 's/^producer +\| ([0-9]+:[0-9]+:[0-9]+)$/\1/p')" \
	"$(seq 1 10 | sed 's/.*/10:&:&/')"
like "demo: the consumer's verify line" "$demo" \
	'^consumer +\| .*verify: 1 producer, 10 received, 0 lost, 0 duplicated, 0 reordered$'
like "demo: the producer says the ring is full" "$demo" '^producer +\| .*is full \(4 slots\); waiting for a consumer \(Ctrl-C ends\)$'
is "demo: nothing on stderr" "$ERR" ""
ok "demo: its ring is removed" gone "$dname"
is "demo: no ipcdemo-demo ring left" "$(cd /dev/shm && ls -d ipcdemo-demo-* 2>/dev/null)" "$demos_before"
run "shm demo --name" 0 -- "$IPCDEMO" shm demo --name "$S-demo"
like "demo --name: uses that ring" "$OUT" "into $S-demo, a ring of 4 slots of 16 bytes"
is "demo --name: 10 messages" "$(printf '%s\n' "$OUT" | grep -Ec '^consumer +\| 10:[0-9]+:[0-9]+$')" 10
ok "demo --name: removed at the end" test ! -e "$(shm_file "$S-demo")"

# ---- what a producer says it sent is what went in ----

# A ring of 2 slots, 6 messages of a slot each, --nonblock: 2 go in. The
# producer's count of what it sent and did not send, its echo, and what
# a consumer then gets agree.
SENT=$S-sent
run "sent: create a ring of 2 slots" 0 -- "$IPCDEMO" shm create -q --name "$SENT" --slots 2
run "sent: 6 messages of a slot each, --nonblock" 1 -- \
	"$IPCDEMO" shm produce --name "$SENT" --nonblock --stats --source counter -n 6 --size 4096
sent_out=$OUT
like "sent: 4 were not sent" "$ERR" '^ipcdemo shm produce: 4 messages were not sent$'
like "sent: --stats counts 2 sent" "$ERR" '^ipcdemo shm produce: sent 2 messages,'
run "sent: consume --nonblock" 0 -- "$IPCDEMO" shm consume --name "$SENT" --nonblock
is "sent: the consumer gets the 2 the producer counted as sent" "$(printf '%s\n' "$OUT" | sed 's/\.*$//')" "1
2"
is "sent: the producer echoed those 2 and no more" "$sent_out" "$OUT"
run "sent: unlink" 0 -- "$IPCDEMO" shm rm -q --name "$SENT"

# ---- damaged rings ----

# Rings damaged on purpose: every header field set to extreme values,
# random bytes at random offsets, a lock that is never released, a sparse
# object. Whatever the damage, a consumer, a producer and info end within
# their time limit with status 0, 1 or 4 (never killed by a signal, never
# hung); what they refuse they call a damaged ring; a consumer never
# delivers a message twice, or one that was taken already. The offsets
# come from the struct, printed by ring-offsets.
if [ -n "${RING_OFFSETS:-}" ] && OFFS=$("$RING_OFFSETS"); then
	have_offs=true
else
	have_offs=false
fi
off_of() { printf '%s\n' "$OFFS" | awk -v f="$1" '$1 == f { print $2 }'; }
size_of() { printf '%s\n' "$OFFS" | awk -v f="$1" '$1 == f { print $3 }'; }
# poke_at RING OFFSET BYTES VALUE: store VALUE (a bash integer, -1 for all
# ones) little-endian in BYTES bytes at OFFSET of the ring's file.
poke_at() {
	local v=$4 i bytes=''
	for ((i = 0; i < $3; i++)); do
		bytes+=$(printf '\\%03o' $(((v >> (8 * i)) & 255)))
	done
	# shellcheck disable=SC2059 # the format is the octal escapes built above
	printf "$bytes" | dd of="$(shm_file "$1")" bs=1 seek="$2" conv=notrunc status=none
}
poke() { poke_at "$1" "$(off_of "$2")" "$(size_of "$2")" "$3"; } # RING FIELD VALUE
# A ring of 4 slots of 16 bytes: 9 messages put, 3 of them taken, so that
# its slots hold stale messages too (m1..m3 were taken; m4..m9 are queued,
# two to a slot, in the slots numbered 2, 3 and 4, the last one the first
# slot again). Made once; fresh copies its image over the ring.
ring_image() {
	"$IPCDEMO" shm create -q --name "$1" --slots 4 --slot-size 16 &&
		"$IPCDEMO" shm produce -q --name "$1" --nonblock m1 m2 m3 &&
		"$IPCDEMO" shm consume -q --name "$1" --nonblock >/dev/null &&
		"$IPCDEMO" shm produce -q --name "$1" --nonblock m4 m5 m6 m7 m8 m9 &&
		cp "$(shm_file "$1")" ring.img
}
fresh() { cp ring.img "$(shm_file "$1")"; }

# survives: the last run ended by itself, with a documented status,
# saying why when it refused.
survives() {
	case $STATUS in
	0 | 4) return 0 ;;
	1) printf '%s\n' "$ERR" | grep -Eq 'damaged ring|not an ipcdemo ring|lock is held|Resource temporarily|Message too long|creator never finished' ;;
	*) return 1 ;;
	esac
}
# delivered_ok: what the last consume printed holds no message twice and
# none of those taken before the damage.
delivered_ok() {
	[ -z "$(printf '%s\n' "$OUT" | grep -v '^$' | sort | uniq -d)" ] &&
		! printf '%s\n' "$OUT" | grep -Eqx 'm[123]'
}
# run_any NAME CMD...: run CMD (at most 10 s); passes when it survives,
# and for a consumer when it delivered nothing stale or twice.
run_any() {
	local name=$1
	shift
	timeout -k 2 10 "$@" >"$T/.out" 2>"$T/.err"
	STATUS=$?
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
	if survives && { [ "$3" != consume ] || delivered_ok; }; then
		_t_report 0 "$name (status $STATUS)"
	else
		_t_report 1 "$name" "status $STATUS: $*" "stdout: $OUT" "stderr: $ERR"
	fi
}
# try RING WHAT REFUSED: consume, info and produce on a damaged ring; with
# REFUSED true, each must refuse it (status 1).
try() {
	local r=$1 what=$2 refused=$3 cmd
	for cmd in "consume --nonblock" "info" "produce -q --nonblock late"; do
		# shellcheck disable=SC2086 # the verb and its options
		run_any "$what: shm $cmd" "$IPCDEMO" shm $cmd --name "$r"
		if $refused; then
			is "$what: shm $cmd refuses it" "$STATUS" 1
		fi
	done
}

D=$S-damaged
if $have_offs && ring_image "$D"; then
	# The three of the report, exactly.
	fresh "$D"
	poke "$D" head -1
	T_LIMIT=10 run "head 2^64-1: consume --nonblock refuses" 1 -- "$IPCDEMO" shm consume --name "$D" --nonblock
	is "head 2^64-1: nothing delivered" "$OUT" ""
	like "head 2^64-1: says how it is damaged" "$ERR" \
		"^ipcdemo shm consume: $D: damaged ring: head 18446744073709551615 is 18446744073709551613 slots ahead of tail 2 \\(4 slots\\)\$"
	like "head 2^64-1: and what to do" "$ERR" "'ipcdemo shm unlink --name $D' removes it"
	T_LIMIT=10 run "head 2^64-1: info reports it (exit 1)" 1 -- "$IPCDEMO" shm info --name "$D"
	like "head 2^64-1: info: the state line" "$OUT" '^state: +damaged: head 18446744073709551615 is '
	T_LIMIT=10 run "head 2^64-1: info --json" 1 -- "$IPCDEMO" shm info --json --name "$D"
	like "head 2^64-1: info --json: damaged" "$(jfield "$OUT" damaged)" '^head 18446744073709551615 is '
	T_LIMIT=10 run "head 2^64-1: produce refuses" 1 -- "$IPCDEMO" shm produce --name "$D" --nonblock x
	like "head 2^64-1: produce: damaged ring" "$ERR" "$D: damaged ring: head 18446744073709551615"
	like "head 2^64-1: produce: x was not sent" "$ERR" '1 message was not sent'
	fresh "$D"
	poke "$D" head $((5 + 100000000))
	poke "$D" tail 5
	T_LIMIT=10 run "head = tail + 10^8: consume refuses" 1 -- "$IPCDEMO" shm consume --name "$D" --nonblock
	like "head = tail + 10^8: says so" "$ERR" \
		"$D: damaged ring: head 100000005 is 100000000 slots ahead of tail 5 \\(4 slots\\)\$"
	is "head = tail + 10^8: nothing delivered" "$OUT" ""
	T_LIMIT=10 run "ls: a damaged ring" 0 -- "$IPCDEMO" ls --json
	like "ls: notes the damaged ring" "$OUT" "\"name\":\"$D\".*\"note\":\"damaged ring"
	ok "ls: its message count is unknown" bash -c 'printf "%s\n" "$1" | grep -q "\"name\":\"$2\".*\"messages\":null"' _ "$OUT" "$D"
	fresh "$D"
	poke "$D" tail 6 # head is 5
	T_LIMIT=10 run "tail = head + 1: consume refuses" 1 -- "$IPCDEMO" shm consume --name "$D" --nonblock
	like "tail = head + 1: says so" "$ERR" "$D: damaged ring: tail 6 is ahead of head 5\$"
	fresh "$D"
	poke "$D" tail 1 # a slot taken before seems queued again
	T_LIMIT=10 run "tail moved back: consume refuses" 1 -- "$IPCDEMO" shm consume --name "$D" --nonblock
	like "tail moved back: the stale slot is damage" "$ERR" "$D: damaged ring: "
	is "tail moved back: nothing delivered (m1..m3 were taken)" "$OUT" ""

	# Every field, extreme values: 0, 1, the largest, and 2^31 (2^63).
	# The geometry, the flag and the lock's kind make the ring unusable
	# when they change; head, tail and the counters maybe not.
	for f in version hdr_size slots slot_size stride ready lockkind head tail put taken; do
		n=$(size_of "$f")
		for v in 0 1 -1 $((1 << (8 * n - 1))); do
			fresh "$D"
			poke "$D" "$f" "$v"
			refused=false
			case $f:$v in
			ready:1 | head:* | tail:* | put:* | taken:*) ;;
			*) refused=true ;;
			esac
			try "$D" "$f = $v" $refused
		done
	done

	# The slots: a start or end past the slot, a record longer than the
	# rest. The last put slot is the 5th (index 4, the first slot again:
	# m8, m9); the ones before it are delivered, that one refused.
	base=$((($(off_of taken) + 8 + 63) / 64 * 64))
	for what in "slot_used 4000" "slot_used 0" "slot_start 3" "slot_start 21" "slot_records 1000" "slot_records 2"; do
		f=${what% *} v=${what#* }
		fresh "$D"
		poke_at "$D" $((base + $(off_of "$f"))) 4 "$v"
		T_LIMIT=10 run "slot damage $f = $v: consume ends" 1 -- "$IPCDEMO" shm consume --name "$D" --nonblock
		like "slot damage $f = $v: damaged ring, slot 4" "$ERR" "$D: damaged ring: slot 4: "
		is "slot damage $f = $v: the messages before it, once" "$OUT" "m4
m5
m6
m7"
		T_LIMIT=10 run "slot damage $f = $v: info reports it" 1 -- "$IPCDEMO" shm info --name "$D"
		like "slot damage $f = $v: info: state" "$OUT" '^state: +damaged: slot 4: '
	done

	# A lock that names a live thread which never releases it (here a
	# sleep's pid in the lock word): --timeout and Ctrl-C end every wait,
	# info reads without it.
	fresh "$D"
	sleep 300 &
	holder=$!
	poke "$D" lockword "$holder"
	t0=$(date +%s%N)
	T_LIMIT=10 run "lock held: consume -t 1s ends with --timeout" 4 -- "$IPCDEMO" shm consume --name "$D" -t 1s
	ok "lock held: consume -t 1s: within 3 s" test $((($(date +%s%N) - t0) / 1000000)) -lt 3000
	like "lock held: consume: says who holds it" "$ERR" \
		"^ipcdemo shm consume: $D: its lock is held by thread $holder and was not released in time; giving up\$"
	T_LIMIT=10 run "lock held: produce -t 1s ends with --timeout" 4 -- "$IPCDEMO" shm produce --name "$D" -t 1s x
	like "lock held: produce: says who holds it" "$ERR" "its lock is held by thread $holder"
	like "lock held: produce: x was not sent" "$ERR" '1 message was not sent'
	unlike "lock held: produce: no word of full slots" "$ERR" 'slots stayed full'
	T_LIMIT=10 run "lock held: consume --nonblock gives up (exit 1)" 1 -- "$IPCDEMO" shm consume --name "$D" --nonblock
	like "lock held: consume --nonblock: says so" "$ERR" "its lock is held by thread $holder"
	t0=$(date +%s%N)
	T_LIMIT=10 run "lock held: info does not wait for it" 0 -- "$IPCDEMO" shm info --name "$D"
	ok "lock held: info: within 2 s" test $((($(date +%s%N) - t0) / 1000000)) -lt 2000
	like "lock held: info: says so" "$OUT" "^lock: +held by thread $holder \\(the numbers above were read without it\\)\$"
	like "lock held: info: the numbers, read without it" "$OUT" '^messages: +6 queued in 3 slots, 9 put, 3 taken$'
	T_LIMIT=10 run "lock held: info --json" 0 -- "$IPCDEMO" shm info --json --name "$D"
	is "lock held: info --json: lock, lock_owner" "$(jfield "$OUT" lock) $(jfield "$OUT" lock_owner)" "held $holder"
	for verb in "consume" "produce x"; do
		# shellcheck disable=SC2086 # the verb and its argument
		bg "lh${verb%% *}" "$IPCDEMO" shm $verb --name "$D" --stats
		p=$BG
		sleep 0.5
		ok "lock held: shm $verb without --timeout waits" alive "$p"
		interrupt "$p"
		ok "lock held: Ctrl-C ends shm $verb's wait" wait_for 3 dead "$p"
		reap "$p"
		is "lock held: shm $verb: exit 0 after Ctrl-C" "$ST" 0
	done
	like "lock held: the consumer's summary" "$(cat lhconsume.err)" 'received 0 messages'
	like "lock held: the producer's summary" "$(cat lhproduce.err)" '1 message was not sent'
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null

	# A sparse object with a header that fits it (2^20 slots of 16 bytes,
	# 64 MiB that /dev/shm need not have): refused before it is touched,
	# not a SIGBUS.
	fresh "$D"
	truncate -s $((base + (1 << 20) * 64)) "$(shm_file "$D")"
	poke "$D" slots $((1 << 20))
	T_LIMIT=10 run "sparse: produce refuses it" 1 -- "$IPCDEMO" shm produce --name "$D" x
	like "sparse: says why" "$ERR" "$D: damaged ring: only [0-9]+ of its $((base + (1 << 20) * 64)) bytes have memory behind them \\(a sparse object: not a ring ipcdemo made\\)"
	T_LIMIT=10 run "sparse: consume refuses it" 1 -- "$IPCDEMO" shm consume --name "$D" --nonblock
	T_LIMIT=10 run "sparse: info reports it" 1 -- "$IPCDEMO" shm info --name "$D"
	like "sparse: info: state" "$OUT" '^state: +damaged: only [0-9]+ of its'

	# A process that died holding the lock (ring-offsets die-holding): the
	# next one recovers it, says so and counts it; one that died between
	# storing head and put has its put counter repaired from the slots.
	fresh "$D"
	ok "died holding the lock: the helper" "$RING_OFFSETS" die-holding "$(shm_file "$D")"
	run "died holding the lock: consume --nonblock recovers it" 0 -- "$IPCDEMO" shm consume --name "$D" --nonblock
	like "died holding the lock: says so" "$ERR" \
		"^ipcdemo shm consume: a process died holding the lock of $D; the ring is intact, carrying on\$"
	is "died holding the lock: the messages" "$OUT" "$(printf 'm%s\n' 4 5 6 7 8 9)"
	is "died holding the lock: counted in recovered" "$(field "$D" recovered)" 1
	fresh "$D"
	ok "died in a put: the helper" "$RING_OFFSETS" die-holding "$(shm_file "$D")" 2
	run "died in a put: info recovers it" 0 -- "$IPCDEMO" shm info --name "$D"
	like "died in a put: info: put repaired" "$OUT" '^messages: +6 queued in 3 slots, 9 put, 3 taken$'
	like "died in a put: info: recovered 1" "$OUT" '^recovered: 1 '
	like "died in a put: info: intact" "$OUT" '^state: +intact$'
	fresh "$D"
	ok "died in a put: the helper again" "$RING_OFFSETS" die-holding "$(shm_file "$D")" 2
	run "died in a put: consume --nonblock" 0 -- "$IPCDEMO" shm consume --name "$D" --nonblock
	like "died in a put: the consumer says the counters were repaired" "$ERR" \
		"the ring is intact \\(its message counters repaired\\), carrying on"
	is "died in a put: all 6 messages" "$(printf '%s\n' "$OUT" | wc -l)" 6

	# Truncated under a producer that sleeps on it: its next look at the
	# ring is a SIGBUS, caught and reported, not the end of the process.
	run "truncated: fill a ring of 1 slot" 0 -- "$IPCDEMO" shm produce -q --name "$D-cut" --slots 1 first
	bg cut "$IPCDEMO" shm produce --name "$D-cut" second
	p=$BG
	ok "truncated: the producer sleeps on the full ring" wait_for 20 field_is "$D-cut" waiting_producers 1
	truncate -s 0 "$(shm_file "$D-cut")"
	ok "truncated: the producer ends" wait_for 10 dead "$p"
	reap "$p"
	is "truncated: exit 1, not killed by SIGBUS" "$ST" 1
	like "truncated: says so" "$(cat cut.err)" \
		"$D-cut: damaged ring: part of it is gone \\(the object was truncated while in use: SIGBUS\\)"
	like "truncated: what was not sent" "$(cat cut.err)" '1 message was not sent'
	run "truncated: unlink" 0 -- "$IPCDEMO" shm rm -q --name "$D-cut"

	# A SIGBUS sent with kill(2) is not a truncated ring: a consumer asleep
	# on an empty ring gets its default action, not a damage report.
	run "kill -BUS: create a ring" 0 -- "$IPCDEMO" shm create -q --name "$D-bus"
	bg_direct bus sh -c 'ulimit -c 0; exec "$0" "$@"' "$IPCDEMO" shm consume --name "$D-bus"
	p=$BG
	ok "kill -BUS: the consumer sleeps on the empty ring" wait_for 20 field_is "$D-bus" waiting_consumers 1
	kill -BUS "$p"
	reap "$p"
	is "kill -BUS: killed by SIGBUS" "$ST" $((128 + 7))
	unlike "kill -BUS: no damage reported" "$(cat bus.err)" 'damaged ring'
	run "kill -BUS: unlink" 0 -- "$IPCDEMO" shm rm -q --name "$D-bus"

	# Random bytes at random offsets, a fixed seed: 30 rounds of 3 bytes.
	RANDOM=4242
	for round in $(seq 1 30); do
		fresh "$D"
		size=$(stat -c %s "$(shm_file "$D")")
		for _ in 1 2 3; do
			poke_at "$D" $((RANDOM % size)) 1 $((RANDOM % 256))
		done
		for cmd in "consume --nonblock" "info" "produce -q --nonblock late" "consume --nonblock"; do
			# shellcheck disable=SC2086 # the verb and its options
			run_any "random round $round: shm $cmd" "$IPCDEMO" shm $cmd --name "$D"
		done
	done
	run "damaged: unlink" 0 -- "$IPCDEMO" shm rm -q --name "$D"
else
	skip "damaged rings" "no ring-offsets helper (RING_OFFSETS), or no ring image"
fi

# ---- --spin: poll the ring before sleeping ----

SP=$S-spin
for v in produce consume; do
	run "shm $v --help: --spin" 0 -- "$IPCDEMO" shm "$v" --help
	like "shm $v --help: --spin DURATION" "$OUT" '^ +--spin DURATION +poll the ring up to DURATION before sleeping'
done
run "--spin needs a duration" 2 -- "$IPCDEMO" shm consume --name "$SP" --spin fast --nonblock
like "--spin fast: says what is wrong" "$ERR" "--spin"
run "--spin 0: sleep at once, as without it" 1 -- "$IPCDEMO" shm consume --name "$SP" --spin 0 --nonblock -q
run "--spin with --nonblock: never waits" 1 -- "$IPCDEMO" shm consume --name "$SP" --spin 1s --nonblock -q
# Through a ring of 2 slots, both sides polling: full and empty by turns.
bg c "$IPCDEMO" shm consume --name "$SP-rt" --slots 2 --spin 200us --verify -q -n 20000 --timeout 30s
c=$BG
run "--spin: 20000 through 2 slots" 0 -- \
	"$IPCDEMO" shm produce -q --name "$SP-rt" --slots 2 --spin 200us --source counter --seq -n 20000
reap "$c"
is "--spin: the consumer verified all 20000" "$ST" 0
like "--spin: in order, the last one" "$(tail -n 1 c.out)" '^[0-9]+:20000:20000$'
is "--spin: all 20000 printed" "$(nlines c.out)" 20000
is "--spin: all taken, no one counted as waiting" "$(counters "$SP-rt")" "0 20000 20000 0 0"
run "--spin: unlink the 2-slot ring" 0 -- "$IPCDEMO" shm rm -q --name "$SP-rt"
# A poll of a minute on an empty ring: --timeout and Ctrl-C still end it.
t0=$(date +%s%N)
run "consume --spin 60s --timeout 300ms: exit 4" 4 -- \
	"$IPCDEMO" shm consume --name "$SP" --spin 60s --timeout 300ms
ok "--timeout ends a poll: within 5 s" [ $(($(date +%s%N) - t0)) -lt 5000000000 ]
bg c "$IPCDEMO" shm consume --name "$SP" --spin 60s
c=$BG
ok "Ctrl-C during --spin: the consumer runs" wait_for 10 has_child "$c"
sleep 0.3
is "--spin: a polling consumer is not counted as asleep" "$(field "$SP" waiting_consumers)" 0
t0=$(date +%s%N)
interrupt "$c"
ok "Ctrl-C during --spin: the consumer exits" wait_for 10 dead "$c"
ok "Ctrl-C during --spin: within 2 s" [ $(($(date +%s%N) - t0)) -lt 2000000000 ]
reap "$c"
is "Ctrl-C during --spin: exit status 0" "$ST" 0
# A full ring of 1 slot: the producer polls for room.
run "--spin: fill a ring of 1 slot" 0 -- "$IPCDEMO" shm produce -q --name "$SP-1" --slots 1 first
run "produce --spin 60s --timeout 300ms on a full ring: exit 4" 4 -- \
	"$IPCDEMO" shm produce --name "$SP-1" --spin 60s --timeout 300ms late
like "--spin --timeout, full: the error" "$ERR" "send to $SP-1: no room within --timeout 300ms"
bg p "$IPCDEMO" shm produce -q --name "$SP-1" --spin 60s second
p=$BG
ok "Ctrl-C during --spin: the producer runs" wait_for 10 has_child "$p"
sleep 0.3
t0=$(date +%s%N)
interrupt "$p"
ok "Ctrl-C during --spin: the producer exits" wait_for 10 dead "$p"
ok "Ctrl-C during --spin, producer: within 2 s" [ $(($(date +%s%N) - t0)) -lt 2000000000 ]
reap "$p"
is "Ctrl-C during --spin: producer exit status 0" "$ST" 0
is "--spin: nothing more put, no one waiting" "$(counters "$SP-1")" "1 1 0 0 0"
run "--spin: unlink" 0 -- "$IPCDEMO" shm rm -q --name "$SP"
run "--spin: unlink the 1-slot ring" 0 -- "$IPCDEMO" shm rm -q --name "$SP-1"

# ---- nothing left behind ----

is "nothing of this test is left in /dev/shm" "$(cd /dev/shm && ls -d "t-shm-$$-"* 2>/dev/null)" ""

done_testing
