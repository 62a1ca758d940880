# shellcheck shell=bash
# Small TAP library for ipcdemo's command-line tests.
# Usage in a test script:
#   . "$(dirname "$0")/lib.sh"      (IPCDEMO must name the binary; meson sets it)
#   run NAME EXPECTED_STATUS -- CMD ARGS...   runs CMD with a time limit, captures
#                                             $OUT, $ERR and $STATUS, checks the status
#   like NAME "$TEXT" REGEX   / unlike NAME "$TEXT" REGEX
#   is NAME "$GOT" "$WANT"
#   ok NAME COMMAND...      (passes when COMMAND succeeds)
#   done_testing
# Every test gets a private temporary directory, $T, which is the current
# directory and is removed at exit; background jobs are killed at exit.
# Below done_testing: helpers the mechanism tests share (background commands,
# files of output, UUID patterns, optional tools). A script may define its
# own function of the same name after sourcing this file; its own one wins.
# The TCP/UDP port helpers are in ports.sh: . "$LIB_DIR/ports.sh"
set -u

: "${IPCDEMO:?set IPCDEMO to the ipcdemo binary}"
case "$IPCDEMO" in /*) ;; *) IPCDEMO="$PWD/$IPCDEMO" ;; esac
export IPCDEMO
# Limit for one command; generous because CI may run under sanitizers.
: "${T_LIMIT:=20}"

# This file's directory, absolute, for sourcing ports.sh after the cd below.
# shellcheck disable=SC2034 # read by the scripts
LIB_DIR=$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd) || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/ipcdemo-test.XXXXXX") || exit 1
export T
cd "$T" || exit 1
_t_n=0
_t_failed=0

_t_cleanup() {
	local pids
	pids=$(jobs -p)
	# shellcheck disable=SC2086 # a list of pids, one word each
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
	cd / && rm -rf "$T"
}
trap _t_cleanup EXIT

_t_report() { # status name [diagnostic...]
	local st=$1 name=$2
	shift 2
	_t_n=$((_t_n + 1))
	if [ "$st" = 0 ]; then
		echo "ok $_t_n - $name"
	else
		echo "not ok $_t_n - $name"
		_t_failed=$((_t_failed + 1))
		local line
		for line in "$@"; do
			printf '%s\n' "$line" | sed 's/^/#   /'
		done
	fi
}

ok() { # name command...
	local name=$1
	shift
	if "$@"; then _t_report 0 "$name"; else _t_report 1 "$name" "command failed: $*"; fi
}

is() { # name got want
	if [ "$2" = "$3" ]; then
		_t_report 0 "$1"
	else
		_t_report 1 "$1" "got:  '$2'" "want: '$3'"
	fi
}

like() { # name text regex (grep -E, any line)
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		_t_report 0 "$1"
	else
		_t_report 1 "$1" "text: '$2'" "does not match: $3"
	fi
}

unlike() { # name text regex
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		_t_report 1 "$1" "text: '$2'" "matches: $3"
	else
		_t_report 0 "$1"
	fi
}

# run NAME WANT_STATUS -- CMD...: stdout in $OUT, stderr in $ERR, status in $STATUS.
# Standard input is /dev/null unless redirected by the caller.
run() {
	local name=$1 want=$2
	shift 3
	timeout -k 5 "$T_LIMIT" "$@" >"$T/.out" 2>"$T/.err"
	STATUS=$?
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
	if [ "$STATUS" = "$want" ]; then
		_t_report 0 "$name"
	else
		_t_report 1 "$name" "status $STATUS, want $want: $*" "stdout: $OUT" "stderr: $ERR"
	fi
}

# Wait until a condition holds, polling every 50 ms, at most SECONDS seconds.
wait_for() { # seconds command...
	local limit=$1 i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ "$i" -ge $((limit * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# re_quote TEXT: TEXT as an extended regex that matches it literally, for
# like, unlike, has and grep -E with names that hold '.', '+' and the like.
re_quote() { printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'; }

# Isolation (tests/isolate.sh runs every script in IPC, mount, network and
# PID namespaces of its own when it can): isolated is true there, and then
# ipcdemo ls and clean, default names, System V keys and ports concern only
# what the script makes. Otherwise every such test is skipped, with the
# reason in $ISOLATION_WHY: a test must not touch what it did not make.
_t_isolated=false
if [ -n "${IPCDEMO_OUTER_NS:-}" ]; then
	_t_isolated=true
	read -r _t_ipc _t_mnt _t_net <<<"$IPCDEMO_OUTER_NS"
	[ "$(readlink /proc/self/ns/ipc)" != "$_t_ipc" ] || _t_isolated=false
	[ "$(readlink /proc/self/ns/mnt)" != "$_t_mnt" ] || _t_isolated=false
	[ "$(readlink /proc/self/ns/net)" != "$_t_net" ] || _t_isolated=false
fi
# shellcheck disable=SC2034 # read by the scripts
if $_t_isolated; then
	ISOLATION_WHY=""
elif [ -n "${IPCDEMO_OUTER_NS:-}" ]; then
	ISOLATION_WHY="system-wide test: the namespaces are the machine's own"
else
	ISOLATION_WHY="system-wide test, not isolated: ${IPCDEMO_ISOLATION_WHY:-not run through tests/isolate.sh}"
fi
isolated() { $_t_isolated; }

skip() { # name reason
	_t_n=$((_t_n + 1))
	echo "ok $_t_n - $1 # SKIP $2"
}

done_testing() {
	echo "1..$_t_n"
	[ "$_t_failed" = 0 ]
}

# ---- shared helpers ----

# shellcheck disable=SC2034 # used by the scripts that source this file
UUID4_RE='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
# shellcheck disable=SC2034 # any UUID, not only version 4
UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

# Optional tools: a test that needs one skips, or checks less, without it.
# shellcheck disable=SC2034 # read by the scripts
{
	have_python=false
	command -v python3 >/dev/null 2>&1 && have_python=true
	have_socat=false
	command -v socat >/dev/null 2>&1 && have_socat=true
}

# Background commands get a longer limit than run's: they outlive a few runs.
BG_LIMIT=$((T_LIMIT * 3))
# No test writes more than a few hundred kilobytes; a runaway loop that
# writes diagnostics without end is stopped (SIGXFSZ) before it fills the disk.
FSIZE_BLOCKS=102400

# bg NAME CMD...: run CMD in the background with a time limit, stdout in
# NAME.out, stderr in NAME.err (emptied first, so that nothing from an
# earlier command is seen), stdin from $BG_IN (default /dev/null); $BG is
# the pid of the time limit, which forwards SIGTERM and SIGINT and lives as
# long as CMD; cmd_pid finds CMD.
bg() {
	local name=$1
	shift
	: >"$name.out"
	: >"$name.err"
	(
		ulimit -f "$FSIZE_BLOCKS"
		exec timeout --foreground -k 5 "$BG_LIMIT" "$@" <"${BG_IN:-/dev/null}" >"$name.out" 2>"$name.err"
	) &
	# shellcheck disable=SC2034 # read by the scripts
	BG=$!
}
# bg_direct NAME CMD...: as bg, but $BG is CMD itself (its pid, as $! gives
# it, for SIGKILL); CMD must end by itself (--timeout, --count) or be
# stopped by the test.
bg_direct() {
	local name=$1
	shift
	: >"$name.out"
	: >"$name.err"
	(
		ulimit -f "$FSIZE_BLOCKS"
		exec "$@" <"${BG_IN:-/dev/null}" >"$name.out" 2>"$name.err"
	) &
	# shellcheck disable=SC2034 # read by the scripts
	BG=$!
}
cmd_pid() { # pid of a bg time limit: the pid of its command
	local kids="" first=""
	if [ -r "/proc/$1/task/$1/children" ]; then
		kids=$(cat "/proc/$1/task/$1/children")
	elif command -v pgrep >/dev/null 2>&1; then
		kids=$(pgrep -P "$1")
	fi
	read -r first _ <<<"$kids"
	echo "${first:-$1}"
}
has_child() { [ "$(cmd_pid "$1")" != "$1" ]; } # bg pid: its command has started

# traced_child PID: PID is bg's time limit of a strace; TRACED_PID gets
# the pid of the command strace runs, once it has started.
traced_child() {
	local s
	s=$(cmd_pid "$1")
	[ "$s" != "$1" ] || return 1
	TRACED_PID=$(pgrep -P "$s" | head -n 1)
	[ -n "$TRACED_PID" ]
}

# stop_traced NAME LABEL TRACE BLOCKED CMD...: an idle receiver, CMD,
# under strace -e trace=TRACE (its trace in $T/NAME.st, stderr in
# NAME.err); once BLOCKED PID says it sleeps in the kernel, SIGTERM to it:
# it must end, with exit status 0. (LeakSanitizer cannot run under ptrace:
# off for it.)
stop_traced() {
	local name=$1 label=$2 trace=$3 blocked=$4 b
	shift 4
	bg "$name" env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -o "$T/$name.st" \
		-e trace="$trace" "$@"
	b=$BG
	ok "$label: the receiver runs" wait_for 20 traced_child "$b"
	ok "$label: it waits in the kernel" wait_for 20 "$blocked" "$TRACED_PID"
	kill -TERM "$TRACED_PID" 2>/dev/null
	ok "$label: SIGTERM ends it" wait_for 10 dead "$b"
	reap "$b"
	is "$label: exit status 0" "$ST" 0
}
alive() {                                      # pid: running (not a zombie)
	[ -e "/proc/$1" ] && ! grep -Eq '^[0-9]+ \(.*\) Z' "/proc/$1/stat" 2>/dev/null
}
dead() { ! alive "$1"; }
reap() { # pid: wait for it; its exit status in $ST
	wait "$1"
	# shellcheck disable=SC2034 # read by the scripts
	ST=$?
}
stop() { # pid: stop it if still there, and reap it
	kill -TERM "$1" 2>/dev/null
	wait_for 10 dead "$1" || kill -KILL "$(cmd_pid "$1")" "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
interrupt() { # pid of a bg time limit: Ctrl-C to its command, once it runs
	wait_for 10 has_child "$1"
	kill -INT "$(cmd_pid "$1")" 2>/dev/null
}

nlines() { # file: its number of lines (0 if missing)
	if [ -e "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}
has_lines() { [ "$(nlines "$1")" -ge "$2" ]; } # file n: at least n lines
has() { grep -Eq -- "$2" "$1" 2>/dev/null; }   # file regex
count_in() {                                    # file regex: matching lines
	if [ -e "$1" ]; then grep -Ec -- "$2" "$1"; else echo 0; fi
}
count_at_least() { [ "$(count_in "$1" "$2")" -ge "$3" ]; } # file regex n
count_re() { # text regex: lines matching (0 when the text is empty)
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | grep -Ec -- "$2"; fi
}
# consecutive FILE: lines ID:SEQ:..., SEQ going up by exactly one each line
consecutive() {
	awk -F: 'NR > 1 && $2 != prev + 1 { bad = 1 } { prev = $2 } END { exit bad || NR == 0 }' "$1"
}
mode_of() { stat -c %a "$1" 2>&1; }

# ---- system calls per round trip (strace), of the queue mechanisms ----
# A round trip is one send and one receive on each side: a receive that
# blocks is one call, with no try that does not wait before it. strace -f
# writes each call a process makes; per process of the bench's round trips
# (the two that both send and receive), the calls of each kind are the
# round trips (N) and the warm-up (W: 200 of 64 bytes), and a few more at
# most: a wait that a 250 ms slice or tick ends is tried again (SEND, RECV:
# the calls). A try without waiting before each wait would double them.
syscalls_per_side() { # SEND RECV TRACEFILE: "PID SENDS RECEIVES" of each process that does both
	awk -v s="$1" -v r="$2" '$2 ~ "^" s "\\(" { n[$1]++ } $2 ~ "^" r "\\(" { m[$1]++ }
		END { for (p in n) if (p in m) print p, n[p], m[p] }' "$3"
}
check_round_trip_calls() { # MECH SEND RECV
	local mech=$1 n=300 w=200 sides bad
	if ! command -v strace >/dev/null 2>&1; then
		skip "$mech round trip: 2 system calls per side" "strace is not installed"
		return
	fi
	if ! strace -f -o /dev/null true 2>/dev/null; then
		skip "$mech round trip: 2 system calls per side" "strace cannot trace here (ptrace refused)"
		return
	fi
	run "$mech bench under strace" 0 -- env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -o "$T/strace" -e trace="$2,$3" \
		"$IPCDEMO" bench "$mech" --size 64 --count $n --cpu same -q
	sides=$(syscalls_per_side "$2" "$3" "$T/strace")
	is "$mech round trip under strace: two sides that send and receive" "$(printf '%s\n' "$sides" | grep -c .)" 2
	bad=$(printf '%s\n' "$sides" | awk -v lo=$((n + w)) -v hi=$((n + w + 25)) \
		'NF == 3 && ($2 < lo || $2 > hi || $3 < lo || $3 > hi)')
	is "$mech round trip: one $2 and one $3 per round trip on each side ($((n + w)) each)" "$bad" ""
}
# A consumer takes one message a call, with no try that does not wait
# before each wait (which would add a call each time the queue runs
# empty, every few messages on one CPU and nearly every message across
# two), and writes what it prints in writes of many messages, not one
# write(2) per 4 KiB message. The bench's throughput consumer (the one
# process that receives and never sends) under strace: its receives are
# the messages (N) and a few more at most; its writes to stdout at most
# one per 8 messages.
check_consume_calls() { # MECH SEND RECV
	local mech=$1 n=2000 procs bad
	if ! command -v strace >/dev/null 2>&1; then
		skip "$mech consumer: 1 system call per message" "strace is not installed"
		return
	fi
	if ! strace -f -o /dev/null true 2>/dev/null; then
		skip "$mech consumer: 1 system call per message" "strace cannot trace here (ptrace refused)"
		return
	fi
	run "$mech throughput under strace" 0 -- env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -o "$T/strace" -e trace="$2,$3,write" "$IPCDEMO" bench "$mech" --size 4k --count $n --cpu same -q
	procs=$(awk -v s="$2" -v r="$3" '$2 ~ "^" s "\\(" { n[$1]++ } $2 ~ "^" r "\\(" { m[$1]++ }
		$2 ~ /^write\(1,/ { w[$1]++ } END { for (p in m) if (!(p in n)) print p, m[p], w[p] + 0 }' "$T/strace")
	is "$mech throughput under strace: one process that only receives" "$(printf '%s\n' "$procs" | grep -c .)" 1
	bad=$(printf '%s\n' "$procs" | awk -v lo=$n -v hi=$((n + 25)) -v wmax=$((n / 8)) \
		'NF == 3 && ($2 < lo || $2 > hi || $3 > wmax)')
	is "$mech consumer: one $3 per message ($n), its output in writes of 8 messages or more" "$bad" ""
}
