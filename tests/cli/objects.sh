#!/bin/bash
# shellcheck disable=SC2016 # jq programs and bash -c scripts are single-quoted on purpose
# ipcdemo ls and ipcdemo clean: every kind of object ipcdemo makes (a FIFO,
# a storage file, a POSIX queue, a System V queue, a shared-memory ring, a
# stale socket) listed as ipcdemo's and removed by clean; look-alikes that
# are not ipcdemo's (other names, an unmarked storage file, a shm object
# that is not a ring, a key outside the range, a socket in use, another
# user's queue) listed as not ipcdemo's and never removed; --dry-run,
# --json, -q, a second clean, another directory, bad arguments, completion.
#
# 'ipcdemo ls' and 'clean' see every ipcdemo-named object on the system:
# this script runs them only in namespaces of its own (tests/isolate.sh,
# lib.sh's isolated), where every such object is one it made. Elsewhere it
# skips them with the reason and runs only what looks at no system-wide
# object (arguments, help, completion): it never lists, removes or races
# with another run's objects.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

P=$$
me=$(id -un)
MQ_OURS=/ipcdemo-t$P
SHM_OURS=/ipcdemo-t$P
MQ_NOT=/t-notours-$P
SHM_FOREIGN=/ipcdemo-foreign-$P
NOBODY=/ipcdemo-nobody-$P
KEY_OURS=0x697063f0
KEY_NOT=0x69706400 # one past the range

have_jq=false
command -v jq >/dev/null 2>&1 && have_jq=true
have_mq=false
if command -v mountpoint >/dev/null 2>&1; then
	mountpoint -q /dev/mqueue 2>/dev/null && have_mq=true
else
	grep -q '^[^ ]* /dev/mqueue mqueue ' /proc/mounts 2>/dev/null && have_mq=true
fi

# ---- helpers ----

# The msqid of the System V queue with KEY (0x........), or nothing.
sysv_id() {
	local dec
	dec=$(printf '%d' "$1")
	[ "$dec" -ge 2147483648 ] && dec=$((dec - 4294967296))
	awk -v k="$dec" 'NR > 1 && $1 == k { print $2 }' /proc/sysvipc/msg 2>/dev/null
}
key_taken() { # KEY: a System V queue has it (ipcs when there is one)
	if command -v ipcs >/dev/null 2>&1; then
		ipcs -q | awk -v k="$1" 'tolower($1) == k { f = 1 } END { exit !f }'
	else
		[ -n "$(sysv_id "$1")" ]
	fi
}
mq_exists() { [ -e "/dev/mqueue/${1#/}" ]; }
shm_exists() { [ -e "/dev/shm/${1#/}" ]; }
mode4() { stat -c %04a "$1"; }

# What this script made, so that the EXIT trap removes exactly that.
made_mq=() made_shm=() made_sysv=()
sysv_made_id=()
restore() {
	local n i
	for n in "${made_mq[@]}"; do
		mq_exists "$n" && "$IPCDEMO" mq unlink -q --name "$n" 2>/dev/null
	done
	for n in "${made_shm[@]}"; do
		shm_exists "$n" && rm -f "/dev/shm/${n#/}"
	done
	for i in "${!made_sysv[@]}"; do
		# Only the queue it made: same key and same id.
		[ "$(sysv_id "${made_sysv[$i]}")" = "${sysv_made_id[$i]}" ] &&
			"$IPCDEMO" sysv rm -q --key "${made_sysv[$i]}" 2>/dev/null
	done
}
trap 'restore; _t_cleanup' EXIT
note_sysv() { # KEY: record a queue this script created
	made_sysv+=("$1")
	sysv_made_id+=("$(sysv_id "$1")")
}

# row TEXT NAME [TYPE]: the row of 'ls' for NAME (of TYPE), with single spaces.
row() { printf '%s\n' "$1" | awk -v n="$2" -v t="${3:-}" 'NR > 1 && $2 == n && (t == "" || $1 == t) { $1 = $1; print }'; }
# jrow JSON NAME [TYPE]: the fields of 'ls --json' for NAME (of TYPE), as one JSON array.
jrow() {
	printf '%s\n' "$1" | jq -c -R --arg n "$2" --arg t "${3:-}" \
		'fromjson? | select(.name == $n and ($t == "" or .type == $t)) | [.type, .owner, .uid, .mode, .bytes, .messages, .ipcdemo, .note]'
}

# ---- what looks at no system-wide object: arguments, help, completion ----

# ls and clean of a directory of this test's own ($T/other, with other/storage)
local_tests() {
	run "ls of a missing directory" 1 -- "$IPCDEMO" ls no-such-dir
	like "ls of a missing directory: says so" "$ERR" 'open directory no-such-dir: No such file or directory'
	is "ls of a missing directory: nothing on stdout" "$OUT" ""
	run "ls of a file" 1 -- "$IPCDEMO" ls other/storage
	like "ls of a file: not a directory" "$ERR" 'other/storage: Not a directory'
	run "ls a b" 2 -- "$IPCDEMO" ls a b
	like "ls a b: too many arguments" "$ERR" 'too many arguments'
	like "ls a b: the usage hint" "$ERR" "Try 'ipcdemo ls --help'"
	run "ls --bogus" 2 -- "$IPCDEMO" ls --bogus
	like "ls --bogus: unknown option" "$ERR" "unknown option '--bogus'"
	is "ls --bogus: nothing on stdout" "$OUT" ""
	run "clean a b" 2 -- "$IPCDEMO" clean a b
	like "clean a b: too many arguments" "$ERR" 'too many arguments'
	run "clean --bogus" 2 -- "$IPCDEMO" clean --bogus
	run "ls --help" 0 -- "$IPCDEMO" ls --help
	like "ls --help: usage" "$OUT" '^Usage: ipcdemo ls \[options\] \[TYPE\.\.\.\] \[DIRECTORY\]'
	run "clean --help" 0 -- "$IPCDEMO" clean --help
	like "clean --help: --dry-run" "$OUT" '--dry-run'
	like "clean --help: the rule" "$OUT" '0x69706300 to 0x697063ff'

	# completion data
	run "__complete ls --" 0 -- "$IPCDEMO" __complete ls --
	like "completion of ls: --json" "$OUT" '^--json'
	like "completion of ls: --quiet" "$OUT" '^--quiet'
	run "__complete clean --" 0 -- "$IPCDEMO" __complete clean --
	like "completion of clean: --dry-run" "$OUT" '^--dry-run'
	like "completion of clean: --json" "$OUT" '^--json'
}

if ! isolated; then
	skip "ls and clean of the machine's objects" "$ISOLATION_WHY"
	mkdir other
	printf 'by hand\n' >other/storage
	local_tests
	done_testing
	exit
fi

# ---- what the system holds before: clean runs for real only if nothing ----

mkdir empty
run "clean --dry-run before anything is made" 0 -- "$IPCDEMO" clean --dry-run empty
printf '%s\n' "$OUT" | grep -v '^$' >pre.txt
dirty=false
if [ -s pre.txt ]; then
	dirty=true
	echo "# the system already holds objects 'ipcdemo clean' would remove; clean will not run for real:"
	sed 's/^/#   /' pre.txt
fi
# fresh: the lines of a clean listing, less what was there before.
fresh() { if [ -s pre.txt ]; then grep -vxF -f pre.txt; else cat; fi; }
real_clean() { # name command...: run a real clean test, or skip it
	local name=$1
	if $dirty; then
		skip "$name" "the system holds ipcdemo objects this test did not make"
		return 1
	fi
	return 0
}

# ---- ipcdemo's objects ----

run "fifo consume makes pipe.fifo" 4 -- "$IPCDEMO" fifo consume --timeout 100ms -q
ok "pipe.fifo is a FIFO" test -p pipe.fifo
run "file produce makes storage" 0 -- "$IPCDEMO" file produce -q x
ok "storage is a file" test -f storage
# Does this file system keep user extended attributes (the mark)?
marks=true
if $have_python && ! python3 -c 'import os; open("xattr.probe", "w").close(); os.setxattr("xattr.probe", "user.probe", b"1")' 2>/dev/null; then
	marks=false
fi
rm -f xattr.probe

if $have_mq; then
	run "mq create $MQ_OURS" 0 -- "$IPCDEMO" mq create -q --name "$MQ_OURS"
	made_mq+=("$MQ_OURS")
fi
sysv_ours=false
if key_taken "$KEY_OURS"; then
	echo "# key $KEY_OURS is taken; no System V queue of ipcdemo's in this test"
elif run "sysv create --key $KEY_OURS" 0 -- "$IPCDEMO" sysv create -q --key "$KEY_OURS"; [ "$STATUS" = 0 ]; then
	note_sysv "$KEY_OURS"
	sysv_ours=true
fi
run "shm create $SHM_OURS" 0 -- "$IPCDEMO" shm create -q --name "$SHM_OURS" --slots 4 --slot-size 64
made_shm+=("$SHM_OURS")
mkdir other
if $have_python; then
	(cd other && python3 -c 'import os, socket; os.umask(0o022); s = socket.socket(socket.AF_UNIX); s.bind("ipc.sock")')
fi
stale=false
[ -S other/ipc.sock ] && stale=true

# ---- look-alikes that are not ipcdemo's ----

mkfifo -m 0640 other.fifo
printf 'by hand\n' >other/storage
chmod 0644 other/storage
if $have_mq; then
	run "mq create $MQ_NOT" 0 -- "$IPCDEMO" mq create -q --name "$MQ_NOT"
	made_mq+=("$MQ_NOT")
fi
head -c 4096 /dev/zero >"/dev/shm/${SHM_FOREIGN#/}"
made_shm+=("$SHM_FOREIGN")
chmod 0644 "/dev/shm/${SHM_FOREIGN#/}"
head -c 4096 /dev/zero >foreign.orig
sysv_not=false
if key_taken "$KEY_NOT"; then
	echo "# key $KEY_NOT is taken; no System V look-alike in this test"
elif run "sysv create --key $KEY_NOT" 0 -- "$IPCDEMO" sysv create -q --key "$KEY_NOT"; [ "$STATUS" = 0 ]; then
	note_sysv "$KEY_NOT"
	sysv_not=true
fi
bg up "$IPCDEMO" unix produce --path ipc.sock --every 1s
up=$BG
ok "a producer is bound to ipc.sock" wait_for 20 test -S ipc.sock
# Another user's ipcdemo-named queue and ring.
nobody=false
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	as_nobody=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
	if "${as_nobody[@]}" "$IPCDEMO" shm create -q --name "$NOBODY" --mode 0666 2>nobody.err; then
		nobody=true
		made_shm+=("$NOBODY")
		if $have_mq; then
			run "mq create $NOBODY as nobody" 0 -- "${as_nobody[@]}" "$IPCDEMO" mq create -q --name "$NOBODY" --mode 0666
			made_mq+=("$NOBODY")
		fi
	else
		echo "# nobody cannot run $IPCDEMO: $(cat nobody.err)"
	fi
fi

# ---- ls ----

run "ls" 0 -- "$IPCDEMO" ls
ls_out=$OUT
$have_mq && is "ls: nothing on stderr" "$ERR" ""
like "ls: the header" "$(printf '%s\n' "$ls_out" | head -n 1)" '^TYPE +NAME +ID +OWNER +MODE +SIZE +MESSAGES +PIDS +IPCDEMO +NOTE$'
is "ls: pipe.fifo is ipcdemo's" "$(row "$ls_out" pipe.fifo)" "fifo pipe.fifo - $me 0600 - - - yes"
if $marks; then
	is "ls: the marked storage file is ipcdemo's" "$(row "$ls_out" storage)" "file storage - $me 0600 2 - - yes"
else
	skip "ls: the marked storage file is ipcdemo's" "no user extended attributes here"
fi
if $have_mq; then
	is "ls: the queue is ipcdemo's" "$(row "$ls_out" "$MQ_OURS" mq)" "mq $MQ_OURS - $me 0600 0 0 - yes"
	is "ls: a queue of another name is not" "$(row "$ls_out" "$MQ_NOT")" "mq $MQ_NOT - $me 0600 0 0 - no"
else
	skip "ls: the queue is ipcdemo's" "/dev/mqueue is not mounted"
	skip "ls: a queue of another name is not" "/dev/mqueue is not mounted"
	like "ls: says POSIX queues are not listed" "$ERR" 'POSIX message queues not listed'
fi
ring_size=$(stat -c %s "/dev/shm/${SHM_OURS#/}")
is "ls: the ring is ipcdemo's" "$(row "$ls_out" "$SHM_OURS" shm)" "shm $SHM_OURS - $me 0600 $ring_size 0 - yes"
is "ls: a shm object that is not a ring is not" "$(row "$ls_out" "$SHM_FOREIGN")" \
	"shm $SHM_FOREIGN - $me 0644 4096 - - no not an ipcdemo ring"
if $sysv_ours; then
	is "ls: the System V queue in the range is ipcdemo's" "$(row "$ls_out" "$KEY_OURS")" "sysv $KEY_OURS $(sysv_id "$KEY_OURS") $me 0600 0 0 - yes"
else
	skip "ls: the System V queue in the range is ipcdemo's" "key $KEY_OURS taken"
fi
if $sysv_not; then
	is "ls: a key outside the range is not" "$(row "$ls_out" "$KEY_NOT")" "sysv $KEY_NOT $(sysv_id "$KEY_NOT") $me 0600 0 0 - no"
else
	skip "ls: a key outside the range is not" "key $KEY_NOT taken"
fi
is "ls: a FIFO of another name is not" "$(row "$ls_out" other.fifo)" "fifo other.fifo - $me 0640 - - - no"
is "ls: the socket in use is not, and says so, with its holder" "$(row "$ls_out" ipc.sock)" \
	"socket ipc.sock - $me 0600 - - $(cmd_pid "$up")/ipcdemo no in use"
is "ls: only this directory's files" "$(row "$ls_out" other/storage)$(row "$ls_out" other/ipc.sock)" ""
if $nobody; then
	is "ls: another user's ipcdemo ring is not ours" "$(row "$ls_out" "$NOBODY" shm)" \
		"shm $NOBODY - nobody 0666 $(stat -c %s "/dev/shm/${NOBODY#/}") 0 - no"
	if $have_mq; then
		is "ls: another user's ipcdemo queue is not ours" "$(row "$ls_out" "$NOBODY" mq)" \
			"mq $NOBODY - nobody 0666 0 0 - no"
	fi
else
	skip "ls: another user's objects are not ours" "not root, or nobody cannot run the binary"
fi
# Sorted by type (mq, shm, sysv, fifo, socket, file), then name.
is "ls: sorted by type, then name" \
	"$(printf '%s\n' "$ls_out" | awk 'NR > 1 { print $1 }' | uniq | tr '\n' ' ')" \
	"$(printf '%s\n' "$ls_out" | awk 'NR > 1 { print $1 }' | uniq | awk '
		{ r = index("mq shm sysv fifo socket file", $1) } r > last { last = r; print; next } { print "OUT-OF-ORDER" }' |
		tr '\n' ' ')"

run "ls -q" 0 -- "$IPCDEMO" ls -q
is "ls -q: the same list" "$OUT" "$ls_out"

# ---- ls --json ----

if $have_jq; then
	run "ls --json" 0 -- "$IPCDEMO" ls --json
	json=$OUT
	is "ls --json: as many lines as ls has rows" "$(count_re "$json" .)" "$(($(count_re "$ls_out" .) - 1))"
	is "ls --json: every line is one JSON object" \
		"$(printf '%s\n' "$json" | jq -R 'fromjson | select(type == "object") | 1' 2>&1 | grep -c '^1$')" \
		"$(count_re "$json" .)"
	is "ls --json: every object has type, name, owner, uid, mode, bytes, messages, ipcdemo" \
		"$(printf '%s\n' "$json" | jq -c -R 'fromjson | select([has("type", "name", "owner", "uid", "mode", "bytes", "messages", "ipcdemo")] | all | not)' 2>&1)" ""
	is "ls --json: ipcdemo is a boolean, uid a number, mode a string" \
		"$(printf '%s\n' "$json" | jq -r -R 'fromjson | [(.ipcdemo | type), (.uid | type), (.mode | type)] | join(",")' | sort -u)" \
		"boolean,number,string"
	is "ls --json: pipe.fifo" "$(jrow "$json" pipe.fifo)" "[\"fifo\",\"$me\",$(id -u),\"0600\",null,null,true,null]"
	is "ls --json: the ring" "$(jrow "$json" "$SHM_OURS" shm)" "[\"shm\",\"$me\",$(id -u),\"0600\",$ring_size,0,true,null]"
	is "ls --json: not a ring" "$(jrow "$json" "$SHM_FOREIGN")" \
		"[\"shm\",\"$me\",$(id -u),\"0644\",4096,null,false,\"not an ipcdemo ring\"]"
	is "ls --json: the socket in use" "$(jrow "$json" ipc.sock)" \
		"[\"socket\",\"$me\",$(id -u),\"0600\",null,null,false,\"in use\"]"
	if $sysv_ours; then
		is "ls --json: the System V queue, with its msqid" \
			"$(printf '%s\n' "$json" | jq -c -R --arg n "$KEY_OURS" 'fromjson | select(.name == $n) | [.type, .msqid, .ipcdemo]')" \
			"[\"sysv\",$(sysv_id "$KEY_OURS"),true]"
	fi
	if $have_mq; then
		is "ls --json: the queue" "$(jrow "$json" "$MQ_OURS" mq)" "[\"mq\",\"$me\",$(id -u),\"0600\",0,0,true,null]"
	fi

	# Two messages in each queue.
	run "two messages into the ring" 0 -- "$IPCDEMO" shm produce -q --name "$SHM_OURS" a bb
	$have_mq && run "two messages into the queue" 0 -- "$IPCDEMO" mq produce -q --name "$MQ_OURS" a bb
	$sysv_ours && run "two messages into the System V queue" 0 -- "$IPCDEMO" sysv produce -q --key "$KEY_OURS" a bb
	run "ls --json after sending" 0 -- "$IPCDEMO" ls --json
	json=$OUT
	msgs() { printf '%s\n' "$json" | jq -r -R --arg n "$1" --arg t "$2" 'fromjson | select(.name == $n and .type == $t) | "\(.messages) \(.bytes)"'; }
	is "ls --json: the ring holds 2 messages" "$(msgs "$SHM_OURS" shm)" "2 $ring_size"
	if $have_mq; then
		is "ls --json: the queue holds 2 messages, 5 bytes" "$(msgs "$MQ_OURS" mq)" "2 5"
	else
		skip "ls --json: the queue holds 2 messages" "/dev/mqueue is not mounted"
	fi
	if $sysv_ours; then
		is "ls --json: the System V queue holds 2 messages, 5 bytes" "$(msgs "$KEY_OURS" sysv)" "2 5"
	else
		skip "ls --json: the System V queue holds 2 messages" "key $KEY_OURS taken"
	fi
	run "ls after sending" 0 -- "$IPCDEMO" ls
	is "ls: the ring's MESSAGES column" "$(row "$OUT" "$SHM_OURS" shm)" "shm $SHM_OURS - $me 0600 $ring_size 2 - yes"
else
	skip "ls --json" "jq not installed"
fi

# ---- ls DIRECTORY ----

run "ls other" 0 -- "$IPCDEMO" ls other
other_out=$OUT
is "ls other: the storage file made by hand is not ipcdemo's" "$(row "$other_out" other/storage)" \
	"file other/storage - $me 0644 8 - - no not marked as ipcdemo's"
if $stale; then
	is "ls other: the stale ipc.sock is ipcdemo's" "$(row "$other_out" other/ipc.sock)" \
		"socket other/ipc.sock - $me $(mode4 other/ipc.sock) - - - yes"
else
	skip "ls other: the stale ipc.sock is ipcdemo's" "python3 not installed"
fi
is "ls other: not the current directory's files" "$(row "$other_out" pipe.fifo)$(row "$other_out" ipc.sock)" ""
is "ls other: the system-wide objects too" "$(row "$other_out" "$SHM_OURS" shm | cut -d' ' -f1-2)" "shm $SHM_OURS"
run "ls other/ (trailing slash)" 0 -- "$IPCDEMO" ls other/
is "ls other/: no double slash" "$(row "$OUT" other/storage | cut -d' ' -f2)" other/storage
run "ls with an absolute directory" 0 -- "$IPCDEMO" ls "$T/other"
is "ls \$T/other: names under it" "$(row "$OUT" "$T/other/storage" | cut -d' ' -f2)" "$T/other/storage"

# ---- clean --dry-run: lists, removes nothing ----

expect_ours() { # WORD: the clean lines for ipcdemo's objects, in ls order
	$have_mq && echo "$1 mq $MQ_OURS"
	echo "$1 shm $SHM_OURS"
	$sysv_ours && echo "$1 sysv $KEY_OURS"
	echo "$1 fifo pipe.fifo"
	$marks && echo "$1 file storage"
}
still_there() { # every object made so far is still there
	local bad=""
	[ -p pipe.fifo ] || bad+=" pipe.fifo"
	[ -f storage ] || bad+=" storage"
	$have_mq && ! mq_exists "$MQ_OURS" && bad+=" $MQ_OURS"
	shm_exists "$SHM_OURS" || bad+=" shm$SHM_OURS"
	$sysv_ours && [ -z "$(sysv_id "$KEY_OURS")" ] && bad+=" $KEY_OURS"
	[ -n "$bad" ] && echo "# gone:$bad"
	[ -z "$bad" ]
}
not_ours_there() { # every look-alike is still there, untouched
	local bad=""
	[ -p other.fifo ] || bad+=" other.fifo"
	[ "$(cat other/storage 2>/dev/null)" = "by hand" ] || bad+=" other/storage"
	[ -S ipc.sock ] || bad+=" ipc.sock"
	$have_mq && ! mq_exists "$MQ_NOT" && bad+=" $MQ_NOT"
	cmp -s foreign.orig "/dev/shm/${SHM_FOREIGN#/}" || bad+=" $SHM_FOREIGN"
	$sysv_not && [ -z "$(sysv_id "$KEY_NOT")" ] && bad+=" $KEY_NOT"
	if $nobody; then
		shm_exists "$NOBODY" || bad+=" shm$NOBODY"
		$have_mq && ! mq_exists "$NOBODY" && bad+=" mq$NOBODY"
	fi
	[ -n "$bad" ] && echo "# gone or changed:$bad"
	[ -z "$bad" ]
}

run "clean --dry-run" 0 -- "$IPCDEMO" clean --dry-run
is "clean --dry-run: 'would remove' each of ipcdemo's objects, nothing else" \
	"$(printf '%s\n' "$OUT" | fresh)" "$(expect_ours 'would remove')"
is "clean --dry-run: nothing on stderr" "$ERR" ""
ok "clean --dry-run: removes nothing of ipcdemo's" still_there
ok "clean --dry-run: leaves the rest alone" not_ours_there
if $stale; then
	run "clean --dry-run other" 0 -- "$IPCDEMO" clean --dry-run other
	like "clean --dry-run other: would remove the stale socket" "$OUT" '^would remove socket other/ipc\.sock$'
	unlike "clean --dry-run other: not the storage file made by hand" "$OUT" 'other/storage'
	ok "clean --dry-run other: the stale socket is still there" test -S other/ipc.sock
fi
if $have_jq; then
	run "clean --dry-run --json" 0 -- "$IPCDEMO" clean --dry-run --json
	is "clean --dry-run --json: one object per line" \
		"$(printf '%s\n' "$OUT" | jq -r -R 'fromjson | "\(.action) \(.type) \(.name)"' | fresh)" \
		"$(expect_ours 'would remove')"
	is "clean --dry-run --json: just action, type and name" \
		"$(printf '%s\n' "$OUT" | jq -r -R 'fromjson | keys_unsorted | join(",")' | sort -u)" "action,type,name"
	ok "clean --dry-run --json: removes nothing" still_there
fi

# ---- clean ----

if real_clean "clean"; then
	run "clean" 0 -- "$IPCDEMO" clean
	is "clean: 'removed' each of ipcdemo's objects, nothing else" "$OUT" "$(expect_ours removed)"
	is "clean: nothing on stderr" "$ERR" ""
	ok "clean: pipe.fifo is gone" test ! -e pipe.fifo
	if $marks; then
		ok "clean: the storage file is gone" test ! -e storage
	fi
	$have_mq && ok "clean: the queue is gone" test ! -e "/dev/mqueue/${MQ_OURS#/}"
	ok "clean: the ring is gone" test ! -e "/dev/shm/${SHM_OURS#/}"
	$sysv_ours && is "clean: the System V queue is gone" "$(sysv_id "$KEY_OURS")" ""
	ok "clean: every look-alike is still there, untouched" not_ours_there
	ok "clean: the stale socket of another directory is still there" test -S other/ipc.sock
	ok "clean: the producer bound to ipc.sock still runs" alive "$up"
	run "ls after clean" 0 -- "$IPCDEMO" ls
	is "ls after clean: no ipcdemo object left" "$(printf '%s\n' "$OUT" | awk 'NR > 1 && $9 == "yes"')" ""

	run "a second clean" 0 -- "$IPCDEMO" clean
	is "a second clean: nothing on stdout" "$OUT" ""
	is "a second clean: says there is nothing to remove" "$ERR" "ipcdemo clean: nothing of ipcdemo's to remove"
	run "clean -q, nothing to remove" 0 -- "$IPCDEMO" clean -q
	is "clean -q: nothing on stdout" "$OUT" ""
	is "clean -q: nothing on stderr" "$ERR" ""
	run "clean --dry-run, nothing to remove" 0 -- "$IPCDEMO" clean --dry-run
	is "clean --dry-run, nothing: says so" "$ERR" "ipcdemo clean: nothing of ipcdemo's to remove"

	if $stale; then
		run "clean other" 0 -- "$IPCDEMO" clean other
		is "clean other: removes the stale socket, nothing else" "$OUT" "removed socket other/ipc.sock"
		ok "clean other: the stale socket is gone" test ! -e other/ipc.sock
		is "clean other: the storage file made by hand stays" "$(cat other/storage)" "by hand"
	fi

	# clean --json, clean -q with something to remove
	run "fifo consume makes pipe.fifo again" 4 -- "$IPCDEMO" fifo consume --timeout 100ms -q
	run "shm create $SHM_OURS again" 0 -- "$IPCDEMO" shm create -q --name "$SHM_OURS"
	if $have_jq; then
		run "clean --json" 0 -- "$IPCDEMO" clean --json
		is "clean --json: one object per removed object" "$OUT" \
			"{\"action\":\"removed\",\"type\":\"shm\",\"name\":\"$SHM_OURS\"}
{\"action\":\"removed\",\"type\":\"fifo\",\"name\":\"pipe.fifo\"}"
		is "clean --json: valid JSON" "$(printf '%s\n' "$OUT" | jq -r -R 'fromjson | .action' | sort -u)" removed
		ok "clean --json: removed pipe.fifo" test ! -e pipe.fifo
		ok "clean --json: removed the ring" test ! -e "/dev/shm/${SHM_OURS#/}"
		run "clean --json, nothing to remove" 0 -- "$IPCDEMO" clean --json
		is "clean --json, nothing: no output" "$OUT" ""
		is "clean --json, nothing: says so on stderr" "$ERR" "ipcdemo clean: nothing of ipcdemo's to remove"
	else
		skip "clean --json" "jq not installed"
	fi
	run "fifo consume makes pipe.fifo once more" 4 -- "$IPCDEMO" fifo consume --timeout 100ms -q
	run "clean -q" 0 -- "$IPCDEMO" clean -q
	is "clean -q: prints nothing" "$OUT$ERR" ""
	ok "clean -q: removed pipe.fifo" test ! -e pipe.fifo
	ok "after every clean: the look-alikes are still there, untouched" not_ours_there
fi

# ---- the name rule: /ipcdemo and /ipcdemo-* only ----

for n in "/ipcdemox-t$P" "/ipcdemo.t$P" "/xipcdemo-t$P"; do
	run "shm create $n" 0 -- "$IPCDEMO" shm create -q --name "$n"
	made_shm+=("$n")
	run "ls with a ring named $n" 0 -- "$IPCDEMO" ls
	is "ls: a ring named $n is not ipcdemo's (not /ipcdemo nor /ipcdemo-*)" "$(row "$OUT" "$n" shm | awk '{ print $9 }')" no
	run "clean --dry-run with a ring named $n" 0 -- "$IPCDEMO" clean --dry-run
	unlike "clean --dry-run: would not remove $n" "$OUT" " $(re_quote "$n")\$"
	run "remove $n" 0 -- "$IPCDEMO" shm unlink -q --name "$n"
done

# ---- bad arguments ----

SHM_FAIL=/ipcdemo-t$P-fail
run "shm create $SHM_FAIL for a failing clean" 0 -- "$IPCDEMO" shm create -q --name "$SHM_FAIL"
made_shm+=("$SHM_FAIL")
run "clean of a missing directory" 1 -- "$IPCDEMO" clean no-such-dir
like "clean of a missing directory: says so" "$ERR" 'open directory no-such-dir'
ok "clean of a missing directory removes nothing at all" shm_exists "$SHM_FAIL"
is "clean of a missing directory: nothing on stdout" "$OUT" ""
run "remove $SHM_FAIL" 0 -- "$IPCDEMO" shm unlink -q --name "$SHM_FAIL"
local_tests

# ---- leave the system as it was ----

stop "$up"
if $nobody; then
	$have_mq && run "remove nobody's queue" 0 -- "$IPCDEMO" mq unlink -q --name "$NOBODY"
	run "remove nobody's ring" 0 -- "$IPCDEMO" shm unlink -q --name "$NOBODY"
fi
$have_mq && run "remove $MQ_NOT" 0 -- "$IPCDEMO" mq unlink -q --name "$MQ_NOT"
rm -f "/dev/shm/${SHM_FOREIGN#/}"
$sysv_not && run "remove the queue with key $KEY_NOT" 0 -- "$IPCDEMO" sysv rm -q --key "$KEY_NOT"
if $dirty; then
	# clean did not run: remove ipcdemo's objects by hand.
	$have_mq && run "remove $MQ_OURS" 0 -- "$IPCDEMO" mq unlink -q --name "$MQ_OURS"
	run "remove $SHM_OURS" 0 -- "$IPCDEMO" shm unlink -q --name "$SHM_OURS"
	$sysv_ours && run "remove the queue with key $KEY_OURS" 0 -- "$IPCDEMO" sysv rm -q --key "$KEY_OURS"
fi
left=""
for n in "${made_mq[@]}"; do mq_exists "$n" && left+=" mq$n"; done
for n in "${made_shm[@]}"; do shm_exists "$n" && left+=" shm$n"; done
for i in "${!made_sysv[@]}"; do
	[ "$(sysv_id "${made_sysv[$i]}")" = "${sysv_made_id[$i]}" ] && left+=" sysv ${made_sysv[$i]}"
done
is "nothing this test made is left" "$left" ""

done_testing
