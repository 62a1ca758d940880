#!/bin/bash
# ipcdemo ls and clean: a FIFO or a storage file that a process has open is
# in use, shown so by ls and kept by clean, as a socket a process is bound to.
# Everything here is in directories of this test's own; 'clean' also looks at
# the system-wide queues and shared memory, so it runs only in private IPC and
# mount namespaces (unshare), and is skipped where they cannot be made: as a
# user other than root they would need a user namespace, from which the open
# descriptors of the processes outside cannot be read. 'clean --dry-run',
# which removes nothing, runs everywhere.
. "$(dirname "$0")/lib.sh"

# row TEXT NAME: the row of 'ls' for NAME, fields joined by single spaces.
row() { printf '%s\n' "$1" | awk -v n="$2" 'NR > 1 && $2 == n { $1 = $1; print }'; }
me=$(id -un)

# "${isolated[@]}" CMD...: CMD in new IPC and mount namespaces with their own
# /dev/shm and /dev/mqueue, so that it sees no queue or ring of anybody else.
# shellcheck disable=SC2016 # expanded by sh -c
isolated=(unshare --ipc --mount sh -c
	'mount -t tmpfs tmpfs /dev/shm && mount -t mqueue none /dev/mqueue && exec "$@"' sh)
can_isolate=false
why="cannot make private IPC and mount namespaces (unshare)"
if [ "$(id -u)" != 0 ]; then
	why="clean runs in private namespaces only as root"
elif "${isolated[@]}" true 2>/dev/null; then
	can_isolate=true
fi
# clean_run NAME STATUS DIR...: 'ipcdemo clean' in the namespaces, as run does.
clean_run() {
	local name=$1 want=$2
	shift 2
	if $can_isolate; then
		run "$name" "$want" -- "${isolated[@]}" "$IPCDEMO" clean "$@"
	else
		skip "$name" "$why"
		OUT="" ERR=""
	fi
}
# Does this file system keep the mark (a user extended attribute)?
mkdir m
"$IPCDEMO" file produce -q --path m/probe x
marks=false
[ -n "$("$IPCDEMO" ls -q m | awk '$2 == "m/probe" && $9 == "yes"')" ] && marks=true

# ---- held open by a process that is not ipcdemo ----

mkdir d
mkfifo -m 0600 d/pipe.fifo
"$IPCDEMO" file produce -q --path d/storage x
run "ls d: before anyone opens them" 0 -- "$IPCDEMO" ls -q d
is "ls d: pipe.fifo is ipcdemo's" "$(row "$OUT" d/pipe.fifo)" "fifo d/pipe.fifo - $me 0600 - - - yes"
if $marks; then
	is "ls d: storage is ipcdemo's" "$(row "$OUT" d/storage)" "file d/storage - $me 0600 2 - - yes"
else
	skip "ls d: storage is ipcdemo's" "no user extended attributes here"
fi

# A reader and writer of the FIFO that never blocks in open, and a reader of
# the file: plain shell redirections.
sleep 600 <>d/pipe.fifo &
holder_fifo=$!
# shellcheck disable=SC2217 # sleep holds the file open, it reads nothing
sleep 600 <d/storage &
holder_file=$!
held() { [ -e "/proc/$1/fd/0" ]; }
ok "the holders have the objects open" wait_for 10 held "$holder_fifo"
wait_for 10 held "$holder_file"

run "ls d: while held open" 0 -- "$IPCDEMO" ls -q d
is "ls: a FIFO held open is in use, not ipcdemo's to remove" "$(row "$OUT" d/pipe.fifo)" \
	"fifo d/pipe.fifo - $me 0600 - - $holder_fifo/sleep no in use"
if $marks; then
	is "ls: a storage file held open is in use" "$(row "$OUT" d/storage)" "file d/storage - $me 0600 2 - $holder_file/sleep no in use"
else
	is "ls: an unmarked storage file held open is in use" "$(row "$OUT" d/storage)" \
		"file d/storage - $me 0600 2 - $holder_file/sleep no not marked as ipcdemo's, in use"
fi
if command -v jq >/dev/null 2>&1; then
	run "ls --json d: while held open" 0 -- "$IPCDEMO" ls -q --json d
	is "ls --json: the FIFO in use" \
		"$(printf '%s\n' "$OUT" | jq -c -R 'fromjson? | select(.name == "d/pipe.fifo") | [.ipcdemo, .note]')" \
		'[false,"in use"]'
else
	skip "ls --json: the FIFO in use" "jq not installed"
fi

run "clean --dry-run d: while held open" 0 -- "$IPCDEMO" clean --dry-run d
unlike "clean --dry-run: would not remove the FIFO in use" "$OUT" 'd/pipe\.fifo'
unlike "clean --dry-run: would not remove the file in use" "$OUT" 'd/storage'
like "clean --dry-run: says it keeps the FIFO" "$ERR" 'keeping fifo d/pipe\.fifo: in use'
clean_run "clean d: while held open" 0 d
if $can_isolate; then
	ok "clean: the FIFO held open is still there" test -p d/pipe.fifo
	ok "clean: the storage file held open is still there" test -f d/storage
	like "clean: says it keeps them" "$ERR" 'keeping fifo d/pipe\.fifo: in use'
fi

kill "$holder_fifo" "$holder_file"
wait "$holder_fifo" "$holder_file" 2>/dev/null
run "ls d: once closed" 0 -- "$IPCDEMO" ls -q d
is "ls: the FIFO is ipcdemo's again" "$(row "$OUT" d/pipe.fifo)" "fifo d/pipe.fifo - $me 0600 - - - yes"
clean_run "clean d: once closed" 0 d
if $can_isolate; then
	ok "clean: removes the FIFO nobody has open" test ! -e d/pipe.fifo
	$marks && ok "clean: removes the marked file nobody has open" test ! -e d/storage
fi

# ---- a consumer waiting on its FIFO keeps it ----

# Removing the name would leave the consumer waiting for ever: no producer
# could reach it any more.
mkdir e
bg c "$IPCDEMO" fifo consume --path e/pipe.fifo -n 1 --timeout 30s
c=$BG
ok "consumer: made its FIFO" wait_for 20 test -p e/pipe.fifo
ok "consumer: has it open" wait_for 20 has c.err 'created FIFO'
run "ls e: a consumer's FIFO" 0 -- "$IPCDEMO" ls -q e
is "ls: a consumer's FIFO is in use, held by the consumer" "$(row "$OUT" e/pipe.fifo)" \
	"fifo e/pipe.fifo - $me 0600 - - $(cmd_pid "$c")/ipcdemo no in use"
clean_run "clean e: with a consumer waiting" 0 e
$can_isolate && ok "clean: the consumer's FIFO is still there" test -p e/pipe.fifo
run "a producer still reaches the consumer" 0 -- "$IPCDEMO" fifo produce -q --path e/pipe.fifo hello
ok "the consumer ends" wait_for 20 dead "$c"
reap "$c"
is "the consumer got the message" "$(cat c.out)" hello
is "the consumer exit status" "$ST" 0

done_testing
