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
set -u

: "${IPCDEMO:?set IPCDEMO to the ipcdemo binary}"
case "$IPCDEMO" in /*) ;; *) IPCDEMO="$PWD/$IPCDEMO" ;; esac
export IPCDEMO
# Limit for one command; generous because CI may run under sanitizers.
: "${T_LIMIT:=20}"

T=$(mktemp -d "${TMPDIR:-/tmp}/ipcdemo-test.XXXXXX") || exit 1
export T
cd "$T" || exit 1
_t_n=0
_t_failed=0

_t_cleanup() {
	local pids
	pids=$(jobs -p)
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

skip() { # name reason
	_t_n=$((_t_n + 1))
	echo "ok $_t_n - $1 # SKIP $2"
}

done_testing() {
	echo "1..$_t_n"
	[ "$_t_failed" = 0 ]
}
