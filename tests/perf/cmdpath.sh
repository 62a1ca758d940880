#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command path against the shell's own line rate, in one run:
#
#   yes | head -n N > /dev/null                                       (reference)
#   ipcdemo pipe produce --source counter -n N | ipcdemo pipe consume > /dev/null
#   ipcdemo pipe produce --source uuid -n N | ipcdemo pipe consume > /dev/null
#
# each run REPS times, interleaved (one of each, then again), unpinned as
# a user's pipeline runs. Lines per second of each is N over the median
# of its wall-clock times; the bars are counter >= 0.5x of yes | head and
# uuid >= 0.5x of counter.
#
#   tests/perf/cmdpath.sh [N [REPS]]   (default 50000000 lines, 5 repetitions)
#   IPCDEMO=path/to/ipcdemo to choose the binary (default: ipcdemo on PATH)
#
# A benchmark to run by hand, not a test of the suite: the machine's load
# moves every figure, so it prints the load average with the ratios.
# Exit 0 when both bars are met, 1 when one is not, 2 when a pipeline
# fails.
set -u
set -o pipefail
N=${1:-50000000}
REPS=${2:-5}
IPCDEMO=${IPCDEMO:-ipcdemo}
export IPCDEMO N
export LC_ALL=C

if ! [[ $N =~ ^[0-9]+$ && $N -ge 1000 && $REPS =~ ^[0-9]+$ && $REPS -ge 1 ]]; then
	echo "usage: $0 [N (>= 1000) [REPS (>= 1)]]" >&2
	exit 2
fi

names=(yes counter uuid)
# Expanded by the bash that runs each, from the environment.
# shellcheck disable=SC2016
cmds=(
	'yes | head -n "$N" > /dev/null'
	'"$IPCDEMO" pipe produce --source counter -n "$N" | "$IPCDEMO" pipe consume -q > /dev/null'
	'"$IPCDEMO" pipe produce --source uuid -n "$N" | "$IPCDEMO" pipe consume -q > /dev/null'
)

# Nanoseconds since the epoch, from bash's own clock.
now_ns() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "${t}000"
}

# The median of the numbers given.
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2 }'
}

declare -A times
for ((r = 0; r < REPS; r++)); do
	for ((k = 0; k < ${#names[@]}; k++)); do
		t0=$(now_ns)
		if ! bash -c "${cmds[k]}"; then
			echo "cmdpath: the ${names[k]} pipeline failed: ${cmds[k]}" >&2
			exit 2
		fi
		t1=$(now_ns)
		times[${names[k]}]+="$((t1 - t0)) "
	done
done

declare -A rate
printf 'lines per run: %s, %s repetitions, load average: %s\n' "$N" "$REPS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %12s %14s\n' pipeline 'median s' 'lines/s'
for name in "${names[@]}"; do
	# shellcheck disable=SC2086 # the times are words, one per run
	m=$(median ${times[$name]})
	rate[$name]=$(awk -v n="$N" -v ns="$m" 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
	printf '%-8s %12s %14s\n' "$name" "$(awk -v ns="$m" 'BEGIN { printf "%.3f", ns / 1e9 }')" "${rate[$name]}"
done

status=0
# ratio NAME OF BASIS: prints the line and clears status when below 0.5
ratio() {
	local r
	r=$(awk -v a="${rate[$1]}" -v b="${rate[$2]}" 'BEGIN { printf "%.2f", a / b }')
	local verdict=met
	if awk -v r="$r" 'BEGIN { exit !(r < 0.5) }'; then
		verdict='NOT met'
		status=1
	fi
	printf '%-7s / %-7s %5sx  (bar 0.5x: %s)\n' "$1" "$2" "$r" "$verdict"
}
ratio counter yes
ratio uuid counter
exit "$status"
