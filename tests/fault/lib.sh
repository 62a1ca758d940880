# shellcheck shell=bash
# Shared part of the fault suite: private namespaces, the size and the
# seed, random moments, and the checks on sequenced messages.
#
# A script starts with
#   . "$(dirname "$0")/lib.sh"
# which re-runs the script in private IPC, mount, network and PID
# namespaces (its own /dev/mqueue, /dev/shm and loopback, so fixed names,
# keys and ports never meet another run), or prints a TAP skip with the
# reason and exits when they cannot be made; then sources tests/cli/lib.sh
# (run, is, like, ok, bg, ...), whose $T is the current directory.
#
# Environment:
#   IPCDEMO_FAULT_N     rounds per case (default 2: a CI run of a few
#                       minutes); 1000 for a long run by hand
#   IPCDEMO_FAULT_SEED  seed of the random moments and bytes (default: the
#                       time); printed, so that a failure can be replayed
#   IPCDEMO_FAULT_LARGE 1 for the large hostile inputs (1,000,000 ids)
set -u

FAULT_DIR=$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd) || exit 1

if [ -z "${IPCDEMO_FAULT_INNER:-}" ]; then
	if ! command -v unshare >/dev/null 2>&1; then
		echo "1..0 # SKIP unshare(1) is not installed: no private namespaces"
		exit 0
	fi
	if ! why=$(unshare --ipc --mount --net --pid --fork --mount-proc true 2>&1); then
		echo "1..0 # SKIP cannot make private namespaces: ${why:-unshare failed}"
		exit 0
	fi
	export IPCDEMO_FAULT_INNER=1
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec unshare --ipc --mount --net --pid --fork --mount-proc bash -c '
		mount --make-rprivate / 2>/dev/null
		mount -t mqueue none /dev/mqueue || { echo "1..0 # SKIP cannot mount mqueue"; exit 0; }
		mount -t tmpfs -o size=512m tmpfs /dev/shm || { echo "1..0 # SKIP cannot mount /dev/shm"; exit 0; }
		ip link set lo up 2>/dev/null || { echo "1..0 # SKIP cannot bring up loopback"; exit 0; }
		bash "$0" "$@"' "$0" "$@"
fi

# shellcheck source=tests/cli/lib.sh
. "$FAULT_DIR/../cli/lib.sh"

N=${IPCDEMO_FAULT_N:-2}
case "$N" in '' | *[!0-9]* | 0) echo "IPCDEMO_FAULT_N must be a whole number > 0" >&2; exit 2 ;; esac
SEED=${IPCDEMO_FAULT_SEED:-$(date +%s)}
case "$SEED" in '' | *[!0-9]*) echo "IPCDEMO_FAULT_SEED must be a whole number" >&2; exit 2 ;; esac
# shellcheck disable=SC2034 # read by hostile.sh
LARGE=${IPCDEMO_FAULT_LARGE:-0}
RANDOM=$SEED
echo "# $(basename "$0"): N=$N seed=$SEED (IPCDEMO_FAULT_N=$N IPCDEMO_FAULT_SEED=$SEED to replay)"

# Exit statuses a consumer or producer may end with: documented ones.
# 124 (our time limit), 134 (abort), 135 (SIGBUS), 137 (SIGKILL, when not
# ours), 139 (SEGV) never are.
documented() { case "$1" in 0 | 1 | 2 | 3 | 4) return 0 ;; *) return 1 ;; esac }

rand_between() { # lo hi: a number in [lo, hi]
	echo $(($1 + RANDOM % ($2 - $1 + 1)))
}
rand_sleep_ms() { # lo hi: sleep a random number of milliseconds
	local ms
	ms=$(rand_between "$1" "$2")
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
}

# Every background job of this script is killed at exit by cli/lib.sh;
# ipcdemo processes started by others (setsid, nohup) are not ours: the
# PID namespace ends them all with the script anyway.

# seqs_of FILE...: the ID:SEQ of every stamped line (text or JSON output),
# one per line, in order of arrival.
seqs_of() {
	cat -- "$@" 2>/dev/null | tr -d '\0' | awk '
		/^\{/ {
			if (match($0, /"seq":[0-9]+/)) { s = substr($0, RSTART + 6, RLENGTH - 6) } else next
			if (match($0, /"producer":[0-9]+/)) { print substr($0, RSTART + 11, RLENGTH - 11) ":" s }
			next
		}
		match($0, /^[0-9]+:[0-9]+:/) { split($0, f, ":"); print f[1] ":" f[2] }'
}

# compare ACCEPTED RECEIVED: both files of ID:SEQ lines. Prints
# "missing M duplicated D unexpected U": M accepted never received, D
# received more than once, U received but never accepted (a message whose
# acceptance was not reported, or a forged one).
compare() {
	awk '
		FNR == NR { acc[$0] = 1; next }
		{ got[$0]++ }
		END {
			for (k in acc) if (!(k in got)) m++
			for (k in got) { if (got[k] > 1) d += got[k] - 1; if (!(k in acc)) u++ }
			printf "missing %d duplicated %d unexpected %d\n", m, d, u
		}' "$1" "$2"
}
field() { # text name: the number after "name " in text
	printf '%s\n' "$1" | sed -n "s/.*$2 \\([0-9][0-9]*\\).*/\\1/p" | head -n 1
}

# missing_in RECEIVED: per producer ID, the seqs between the lowest and the
# highest received that never came: what --verify must call lost.
missing_in() {
	awk -F: '
		{ k = $1 ":" $2; if (!(k in seen)) { seen[k] = 1; n[$1]++ }
		  if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2
		  if (!($1 in hi) || $2 > hi[$1]) hi[$1] = $2 }
		END { for (i in n) m += hi[i] - lo[i] + 1 - n[i]; print m + 0 }' "$1"
}

# The "lost" of a --verify summary (text or JSON) in FILE; empty if none.
verify_lost() {
	sed -n -e 's/.*"lost":\([0-9]*\).*/\1/p' -e 's/.*verify: .* \([0-9]*\) lost.*/\1/p' "$1" | tail -n 1
}

# Peak resident set size of a process, in KiB, sampled from /proc while
# it runs: watch_rss PID FILE runs in the background and writes the
# highest VmHWM seen to FILE.
watch_rss() {
	local pid=$1 out=$2 hwm=0 v
	while [ -e "/proc/$pid/status" ]; do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v && echo "$hwm" >"$out"
		sleep 0.05
	done
}

# kill_tree PID: SIGKILL a process and its children (bounded).
kill_tree() {
	local kids
	kids=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
	for k in $kids; do kill_tree "$k"; done
	kill -KILL "$1" 2>/dev/null
}

# The summary line the README's reliability section takes, once per script.
summary_line() { # text
	echo "# SUMMARY $(basename "$0" .sh): $*"
}
