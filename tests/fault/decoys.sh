#!/bin/bash
# Decoys at every default path: a symbolic link, a directory, a regular
# file, and another user's object, at pipe.fifo, ipc.sock, storage, the
# default /dev/shm and /dev/mqueue names and the default System V key.
# Every verb that would use the path must refuse or behave safely: end
# with a documented status, in bounded time, and leave the decoy intact
# (same inode, type, owner, mode; a link's target and a directory's
# contents unchanged; another user's object neither removed nor replaced).
# The explicit removals (unlink, rm) are left out: removing is what they
# are asked to do.
# shellcheck source=tests/fault/lib.sh
. "$(dirname "$0")/lib.sh"

LIMIT=5
TRIED=0
# kept: a regular file's bytes must not change; channel: another user's
# ring, queue or storage file, whose messages a verb may add or take.
CONTENTS=kept
# The objects of "another user" are made by nobody, with setpriv(1).
OTHER=(setpriv --reuid=65534 --regid=65534 --clear-groups)
have_other=false
"${OTHER[@]}" true 2>/dev/null && have_other=true

# A directory both users can work in.
chmod 711 "$T"
mkdir -m 1777 w
cd w || exit 1
echo "precious" >../target
mkfifo -m 600 ../real.fifo

# state PATH: what must not change about the decoy at PATH.
state() {
	local p=$1
	stat -c '%i %F %u %a %h' -- "$p" 2>&1
	if [ -L "$p" ]; then
		readlink -- "$p"
		stat -L -c '%i %F %a %s' -- "$p" 2>&1
		[ -f "$p" ] && sha1sum <"$p"
	elif [ -d "$p" ]; then
		find "$p" -printf '%M %u %s %p\n' | sort
	elif [ -f "$p" ] && [ "$CONTENTS" = kept ]; then
		sha1sum <"$p"
	fi
}

# try_verbs DECOY_LABEL PATH_FOR_STATE VERB_LINE...: run each verb (a
# command line in one string, words split on spaces) with a time limit
# and check the status and the decoy afterwards.
try_verbs() {
	local label=$1 path=$2 before after v st
	shift 2
	for v in "$@"; do
		TRIED=$((TRIED + 1))
		before=$(state "$path")
		# shellcheck disable=SC2086 # the verb's words
		timeout -k 1 "$LIMIT" "$IPCDEMO" $v </dev/null >v.out 2>v.err
		st=$?
		after=$(state "$path")
		if documented "$st" && [ "$before" = "$after" ]; then
			_t_report 0 "$label: ipcdemo $v (status $st)"
		else
			_t_report 1 "$label: ipcdemo $v" "status $st; stderr: $(head -c 300 v.err)" \
				"before: $before" "after:  $after"
		fi
	done
}

FIFO_VERBS=("fifo produce -n 1 -q" "fifo consume -t 1s --exit-on-eof -q" "fifo consume -t 1s --unlink -q"
	"clean" "ls")
SOCK_VERBS=("unix produce -n 1 -q" "unix consume -q" "unix consume -l -t 1s -q"
	"unix consume --type dgram -t 1s -q" "unix produce --type dgram -n 1 -q" "clean" "ls")
FILE_VERBS=("file produce -n 1 -q" "file produce --truncate -n 1 -q" "file consume --no-follow -q"
	"file consume -t 1s -q" "clean" "ls")

# ---- the paths in the directory --------------------------------------------
for p in pipe.fifo ipc.sock storage; do
	case $p in
	pipe.fifo) verbs=("${FIFO_VERBS[@]}") ;;
	ipc.sock) verbs=("${SOCK_VERBS[@]}") ;;
	storage) verbs=("${FILE_VERBS[@]}") ;;
	esac
	ln -s ../target "$p"
	try_verbs "$p is a symlink to a file" "$p" "${verbs[@]}"
	rm -f "$p"
	ln -s /nonexistent/x "$p"
	try_verbs "$p is a dangling symlink" "$p" "${verbs[@]}"
	rm -f "$p"
	mkdir "$p" && echo inside >"$p/f"
	try_verbs "$p is a directory" "$p" "${verbs[@]}"
	rm -rf "$p"
	if [ "$p" != storage ]; then # storage is a regular file: that one is the channel
		echo "not yours" >"$p"
		try_verbs "$p is a regular file" "$p" "${verbs[@]}"
		rm -f "$p"
	fi
done
# A symlink to a real FIFO (issue 10, item 11): refused, or followed
# consistently; the link and the FIFO stay either way.
ln -s ../real.fifo pipe.fifo
try_verbs "pipe.fifo is a symlink to a FIFO" pipe.fifo "fifo consume -t 1s --unlink -q" "clean"
rm -f pipe.fifo

# ---- another user's objects ------------------------------------------------
if $have_other; then
	"${OTHER[@]}" mkfifo -m 622 pipe.fifo
	try_verbs "pipe.fifo is nobody's FIFO" pipe.fifo "fifo consume -t 1s -q" "clean"
	rm -f pipe.fifo
	"${OTHER[@]}" sh -c 'echo theirs >storage; chmod 644 storage'
	CONTENTS=channel
	try_verbs "storage is nobody's file" storage "file consume --no-follow -q" "clean"
	rm -f storage
	# A live socket of nobody's.
	if $have_socat; then
		"${OTHER[@]}" socat UNIX-LISTEN:ipc.sock,fork /dev/null &
		sockpid=$!
		wait_for 5 test -S ipc.sock
		try_verbs "ipc.sock is nobody's live socket" ipc.sock "unix produce -n 1 -q" \
			"unix consume -l -t 1s -q" "unix consume --type dgram -t 1s -q" "clean"
		kill "$sockpid" 2>/dev/null
		wait "$sockpid" 2>/dev/null
		rm -f ipc.sock
	fi
	"${OTHER[@]}" "$IPCDEMO" shm create -q --slots 4 --slot-size 64
	try_verbs "/ipcdemo is nobody's ring" /dev/shm/ipcdemo "shm produce -n 1 --nonblock -q" \
		"shm consume --nonblock -q" "shm info" "shm create -q" "clean"
	rm -f /dev/shm/ipcdemo
	"${OTHER[@]}" "$IPCDEMO" mq create -q
	try_verbs "/ipcdemo is nobody's queue" /dev/mqueue/ipcdemo "mq send -n 1 --nonblock -q" \
		"mq receive --nonblock -q" "mq info" "mq create -q" "clean"
	rm -f /dev/mqueue/ipcdemo
	CONTENTS=kept
	"${OTHER[@]}" "$IPCDEMO" sysv create -q
	sysv_state() { awk '$1 == "1768973156" { print $2, $3, $8, $9, $10, $11 }' /proc/sysvipc/msg; }
	before=$(sysv_state)
	for v in "sysv send -n 1 --nonblock -q" "sysv receive --nonblock -q" "sysv info" "sysv create -q" "clean"; do
		TRIED=$((TRIED + 1))
		# shellcheck disable=SC2086
		timeout -k 1 "$LIMIT" "$IPCDEMO" $v </dev/null >v.out 2>v.err
		st=$?
		after=$(sysv_state)
		ok "the default key is nobody's queue: ipcdemo $v (status $st), queue intact" \
			eval "documented $st && [ '$before' = '$after' ]"
	done
else
	skip "another user's objects" "setpriv to nobody is not allowed here (not root)"
fi

# ---- /dev/shm: a symlink, a directory, a regular file ----------------------
SHM_VERBS=("shm produce -n 1 --nonblock -q" "shm consume --nonblock -q" "shm info" "shm create -q" "clean" "ls")
ln -s "$T/target" /dev/shm/ipcdemo
try_verbs "/dev/shm/ipcdemo is a symlink" /dev/shm/ipcdemo "${SHM_VERBS[@]}"
rm -f /dev/shm/ipcdemo
mkdir /dev/shm/ipcdemo && echo inside >/dev/shm/ipcdemo/f
try_verbs "/dev/shm/ipcdemo is a directory" /dev/shm/ipcdemo "${SHM_VERBS[@]}"
rm -rf /dev/shm/ipcdemo
head -c 300000 /dev/zero >/dev/shm/ipcdemo
try_verbs "/dev/shm/ipcdemo is not a ring (zeros)" /dev/shm/ipcdemo "${SHM_VERBS[@]}"
rm -f /dev/shm/ipcdemo
echo "not a ring" >/dev/shm/ipcdemo
try_verbs "/dev/shm/ipcdemo is a short file" /dev/shm/ipcdemo "${SHM_VERBS[@]}"
rm -f /dev/shm/ipcdemo

echo "# decoys: $TRIED verb runs against decoys"
summary_line "decoys at every default path: $TRIED verb runs against symlinks, directories, regular files and other users' objects"
done_testing
