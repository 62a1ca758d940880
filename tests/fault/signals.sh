#!/bin/bash
# Signals during every kind of wait: SIGINT and SIGTERM to a producer or
# consumer blocked in each wait (FIFO open, socket accept and connect
# --wait, full and empty queue, full and empty ring, file follow, --every
# sleep, the demos). ipcdemo(1): "The first SIGINT or SIGTERM interrupts
# whatever ipcdemo is waiting for and ends its loop cleanly: a producer
# reports the messages it did not send, a consumer prints its --stats and
# --verify summary". Each must end within BOUND seconds, with its summary
# and a documented status, and leave none of the objects it removes on a
# clean stop.
# shellcheck source=tests/fault/lib.sh
. "$(dirname "$0")/lib.sh"

BOUND=3      # seconds from the signal to the exit
SETTLE=0.7   # seconds to let the process reach its wait
SENT=0
mkdir tmp
export TMPDIR=$T/tmp

# sig_case LABEL AFTER -- CMD...: start CMD, let it reach its wait, send
# SIGINT, then (a second run) SIGTERM; AFTER is a check (a command line)
# of what must be gone afterwards, or "true".
sig_case() {
	local label=$1 after=$2 sig pid
	shift 3
	for sig in INT TERM; do
		bg_direct sig "$@"
		pid=$BG
		sleep "$SETTLE"
		if dead "$pid"; then
			reap "$pid"
			# A demo may be over before it is signalled: it did not wait.
			if [[ "$label" == *demo* ]] && [ "$ST" = 0 ] && eval "$after"; then
				_t_report 0 "$label: over before SIG$sig, status 0, nothing left"
			else
				_t_report 1 "$label: SIG$sig" "ended before the signal, status $ST: $(head -c 300 sig.err)"
			fi
			continue
		fi
		kill -"$sig" "$pid"
		SENT=$((SENT + 1))
		if ! wait_for "$BOUND" dead "$pid"; then
			_t_report 1 "$label: ends within ${BOUND}s of SIG$sig" "still running; stderr: $(head -c 300 sig.err)"
			kill_tree "$pid"
			wait "$pid" 2>/dev/null
			"$IPCDEMO" clean -q >/dev/null 2>&1
			rm -rf "${TMPDIR:?}"/* /dev/shm/* /dev/mqueue/*
			continue
		fi
		reap "$pid"
		if ! documented "$ST"; then
			_t_report 1 "$label: SIG$sig: documented status" "status $ST; stderr: $(head -c 300 sig.err)"
		elif [[ " $* " == *" --stats "* ]] && ! grep -Eq '(sent|received) [0-9]+' sig.err; then
			_t_report 1 "$label: SIG$sig: prints its summary" "status $ST; stderr: $(head -c 300 sig.err)"
		elif ! eval "$after"; then
			_t_report 1 "$label: SIG$sig: leaves nothing behind" "check failed: $after" \
				"left: $(find . /dev/shm /dev/mqueue -mindepth 1 -maxdepth 2 ! -name 'sig.*' 2>&1 | tr '\n' ' ')"
		else
			_t_report 0 "$label: ends on SIG$sig with status $ST"
		fi
		"$IPCDEMO" clean -q >/dev/null 2>&1
		ipcrm --all=msg 2>/dev/null
	done
}

nothing_left() { # no object of any kind in the private namespaces or here
	[ -z "$(find /dev/shm /dev/mqueue "$TMPDIR" -mindepth 1)" ] && ! grep -q '^ *[0-9]' /proc/sysvipc/msg &&
		[ -z "$(find . -maxdepth 1 \( -type p -o -type s \))" ]
}

# FIFO open, either side alone.
sig_case "fifo produce waiting for a reader" true -- "$IPCDEMO" fifo produce --stats -n 1
sig_case "fifo consume --unlink waiting for a writer" '[ ! -e pipe.fifo ]' -- \
	"$IPCDEMO" fifo consume --stats --unlink
rm -f pipe.fifo
# Sockets: accept (a producer that listens), connect --wait, recv.
sig_case "unix produce waiting for a consumer" '[ ! -e ipc.sock ]' -- "$IPCDEMO" unix produce --stats -n 1
sig_case "unix consume --listen waiting for a producer" '[ ! -e ipc.sock ]' -- "$IPCDEMO" unix consume -l --stats
sig_case "unix consume --wait for a listener" true -- "$IPCDEMO" unix consume --wait 60s --stats
sig_case "unix produce -c --wait for a listener" true -- "$IPCDEMO" unix produce -c --wait 60s --stats -n 1
sig_case "unix dgram consume waiting for a datagram" '[ ! -e ipc.sock ]' -- \
	"$IPCDEMO" unix consume --type dgram --stats
sig_case "tcp produce waiting for a consumer" true -- "$IPCDEMO" tcp produce --stats -n 1
sig_case "tcp consume --wait for a listener" true -- "$IPCDEMO" tcp consume --wait 60s --stats
sig_case "tcp produce -c --wait for a listener" true -- "$IPCDEMO" tcp produce -c --wait 60s --stats -n 1
sig_case "tcp consume --listen waiting for a producer" true -- "$IPCDEMO" tcp consume -l --stats
sig_case "udp consume waiting for a datagram" true -- "$IPCDEMO" udp consume --stats --verify
# Queues and rings, full and empty.
sig_case "mq send to a full queue" true -- "$IPCDEMO" mq send --unlink --stats -n 1000 -q
sig_case "mq receive from an empty queue" '[ ! -e /dev/mqueue/ipcdemo ]' -- \
	"$IPCDEMO" mq receive --unlink --stats --verify
sig_case "sysv send to a full queue" true -- "$IPCDEMO" sysv send --stats -n 100000 --size 1000 -q
sig_case "sysv receive from an empty queue" "! grep -q '^ *1768973156 ' /proc/sysvipc/msg" -- \
	"$IPCDEMO" sysv receive --unlink --stats --verify
sig_case "shm produce to a full ring" '[ ! -e /dev/shm/ipcdemo ]' -- \
	"$IPCDEMO" shm produce --unlink --slots 2 --slot-size 64 --size 60 --stats -n 1000 -q
sig_case "shm consume from an empty ring" '[ ! -e /dev/shm/ipcdemo ]' -- \
	"$IPCDEMO" shm consume --unlink --stats --verify
# Following a file, sleeping between batches.
sig_case "file consume following storage" true -- "$IPCDEMO" file consume --stats --verify
rm -f storage
sig_case "file produce sleeping in --every" true -- "$IPCDEMO" file produce --every 1h --stats -q
rm -f storage
sig_case "udp produce sleeping in --every" true -- "$IPCDEMO" udp produce --every 1h --stats -q
sig_case "socketpair run sleeping in --every" true -- "$IPCDEMO" socketpair run --every 1h --stats
# shellcheck disable=SC2016 # expanded by sh
sig_case "pipe produce sleeping in --every" true -- sh -c 'exec "$0" pipe produce --every 1h --stats >/dev/null' "$IPCDEMO"
# The demos, the signal sent to the parent only (issue 10, item 12, for shm).
SETTLE=0.3
for m in fifo file unix tcp udp mq sysv shm pipe socketpair; do
	sig_case "$m demo, signal to the parent" nothing_left -- "$IPCDEMO" "$m" demo
done

echo "# signals: $SENT sent to processes in a wait"
summary_line "signals during every wait: $SENT SIGINT/SIGTERM sent to blocked producers, consumers and demos"
done_testing
