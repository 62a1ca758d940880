#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command path at full speed: the README's pipelines, each moving N
# short messages (default 10,000,000) from a producer to a consumer that
# prints them to /dev/null, as a user's pipeline does; and the same pipe
# with UUIDs, the default source. Prints messages per second of each,
# from the consumer's --stats summary, against the goal of 1,000,000.
#
#   tests/speed/command-path.sh [N]      IPCDEMO=path/to/ipcdemo to choose the binary
#
# A benchmark to run by hand, on a quiet machine: exit 1 when a pipeline
# is below the goal (GOAL=0 reports only), 2 when one fails.
set -u
N=${1:-10000000}
GOAL=${GOAL:-1000000}
IPCDEMO=${IPCDEMO:-ipcdemo}
dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 2
name=/ipcdemo-speed-$$

# name, then the pipeline (the consumer's summary on stderr)
pipelines=(
	"pipe" "\"\$IPCDEMO\" pipe produce --source counter -n $N -q | \"\$IPCDEMO\" pipe consume --stats -q"
	"fifo" "\"\$IPCDEMO\" fifo produce --source counter -n $N -q | \"\$IPCDEMO\" fifo consume -n $N --stats -q"
	"unix" "\"\$IPCDEMO\" unix produce --source counter -n $N -q | \"\$IPCDEMO\" unix consume --wait 10s -n $N --stats -q"
	"shm" "\"\$IPCDEMO\" shm produce --name $name --source counter -n $N -q | \"\$IPCDEMO\" shm consume --name $name -n $N --stats -q"
	"pipe, uuid" "\"\$IPCDEMO\" pipe produce -n $N -q | \"\$IPCDEMO\" pipe consume --stats -q"
)

export IPCDEMO
status=0
printf '%-12s %12s %8s\n' pipeline msg/s goal
for ((i = 0; i < ${#pipelines[@]}; i += 2)); do
	what=${pipelines[i]}
	line=${pipelines[i + 1]}
	summary=$(bash -c "$line" 2>&1 >/dev/null)
	"$IPCDEMO" shm unlink --name "$name" -q 2>/dev/null
	# The messages, and their rate over the elapsed time (from the start).
	got=$(printf '%s\n' "$summary" | awk '
		/ received [0-9]+ messages,/ { for (i = 1; i < NF; i++) if ($i == "received") n = $(i + 1) }
		/^  elapsed / { s = $2 }
		END { if (n != "" && s > 0) printf "%d %d\n", n, n / s; else if (n != "") print n, 0 }')
	if [ "${got% *}" != "$N" ]; then
		printf '%-12s %12s   failed: %s\n' "$what" - "${summary:-no summary}"
		status=2
		continue
	fi
	rate=${got#* }
	verdict=ok
	if [ "$rate" -lt "$GOAL" ]; then
		verdict=below
		[ "$status" = 0 ] && status=1
	fi
	printf '%-12s %12s %8s\n' "$what" "$rate" "$verdict"
done
[ "$GOAL" = 0 ] && [ "$status" = 1 ] && status=0
exit "$status"
