#!/bin/bash
# Hostile input into every consumer: random bytes, NULs, a 100 MB line,
# forged and extreme stamps, a great many producer IDs. Each consumer, run
# with --verify (and --json for half the inputs), must end by itself with a
# documented exit status (0, 1, 3 or 4: never our time limit 124, nor 134,
# 135 or 139, a crash), within a bounded peak RSS.
# shellcheck source=tests/fault/lib.sh
. "$(dirname "$0")/lib.sh"

SEND=("python3" "$FAULT_DIR/send.py")
TIME_LIMIT=60          # seconds for one consumer to take one input
RSS_BOUND=65536        # KiB: peak RSS of a consumer of any input
RSS_BOUND_IDS=262144   # KiB: with --verify of the many-ids input
IDS=300000             # distinct producer IDs (1,000,000 with IPCDEMO_FAULT_LARGE=1)
[ "$LARGE" = 1 ] && IDS=1000000
TRIED=0
WORST_RSS=0
FSIZE_BLOCKS=$((400 * 2048))

if ! $have_python || ! $have_socat; then
	echo "1..0 # SKIP needs python3 and socat to play the hostile peer"
	exit 0
fi

# ---- the inputs -----------------------------------------------------------
"${SEND[@]}" gen random "$SEED" >in-random
"${SEND[@]}" gen stamps "$SEED" >in-stamps
{ head -c 65536 /dev/zero; printf '1:1:a\0b\n\0\n\0:\0:\0\n2:\0001:x\n'; } >in-nuls
printf '%s\n' '5:1:x' '5:18446744073709551615:x' '1:18446744073709551615:x' '1:2:y' '0:0:x' \
	'7:1:x' '7:10000000000:x' '7:2:x' '7:18446744073709551614:x' '7:3:x' '3:18446744073709551616:x' \
	'18446744073709551615:18446744073709551615:x' '18446744073709551616:1:x' '9:99999999999999999999999:x' \
	':1:x' '1::x' '::' ':' '-1:5:x' '+2:3:x' ' 4:1:x' '4: 2:x' '6:1' '6:' '6:2:x' >in-forged
# Every ID once, and every ID again with a jump: the worst case of --verify.
awk -v n="$IDS" 'BEGIN { for (i = 1; i <= n; i++) printf "%.0f:1:x\n", i * 7919;
	for (i = 1; i <= n; i++) printf "%.0f:%.0f:x\n", i * 7919, 1000000 + i }' >in-ids
INPUTS=(random stamps nuls forged)
echo "# inputs: random $(wc -c <in-random) bytes, $(wc -l <in-stamps) random stamps, NULs, $(wc -l <in-forged) forged stamps, $IDS ids x 2"

# One long line (no newline until its end): 100 MB into the pipe, and into
# every stream consumer in the large mode; 16 MB into the others otherwise
# (each is cut into 1 MiB pieces all the same).
make_long() { { head -c "$1" /dev/zero | tr '\0' 'L'; echo; } >in-long; }

# ---- running a consumer ---------------------------------------------------

# start_consumer NAME CMD...: in the background, under /usr/bin/time when
# there is one (peak RSS in NAME.rss), its status in NAME.st at the end;
# standard input from $CONS_IN (default /dev/null).
start_consumer() {
	local name=$1
	shift
	rm -f "$name.st" "$name.rss"
	(
		ulimit -f "$FSIZE_BLOCKS"
		if [ -x /usr/bin/time ]; then
			timeout -k 5 "$TIME_LIMIT" /usr/bin/time -f %M -o "$name.rss" "$@" \
				<"${CONS_IN:-/dev/null}" >/dev/null 2>"$name.err"
		else
			timeout -k 5 "$TIME_LIMIT" "$@" <"${CONS_IN:-/dev/null}" >/dev/null 2>"$name.err"
		fi
		echo $? >"$name.st"
	) &
	CONS=$!
}

# finish NAME LABEL BOUND: wait for the consumer, check its status and RSS.
finish() {
	local name=$1 label=$2 bound=$3 st rss
	wait "$CONS"
	st=$(cat "$name.st" 2>/dev/null)
	rss=$(grep -Eo '^[0-9]+$' "$name.rss" 2>/dev/null | tail -n 1)
	TRIED=$((TRIED + 1))
	[ -n "$rss" ] && [ "$rss" -gt "$WORST_RSS" ] && WORST_RSS=$rss
	echo "# $label: status ${st:-?}, peak RSS ${rss:-?} KiB; $(grep -m1 -E 'verify:|"verify"' "$name.err" | cut -c1-160)"
	if documented "${st:-x}"; then
		_t_report 0 "$label: documented status $st"
	else
		_t_report 1 "$label: documented status" "status ${st:-none} (124: hung, 134/135/139: crashed)" \
			"stderr: $(head -c 600 "$name.err")"
	fi
	if [ -n "$rss" ]; then
		ok "$label: peak RSS $rss KiB within $bound KiB" [ "$rss" -le "$bound" ]
	fi
}

# Each mechanism: feed_MECH INPUT LABEL EXTRA...: start its consumer with
# EXTRA options, send INPUT the way a peer would, and finish.
feed_pipe() {
	local in=$1 label=$2
	shift 2
	CONS_IN=$in start_consumer c "$IPCDEMO" pipe consume --verify -q "$@"
	finish c "$label" "$BOUND"
}
feed_fifo() {
	local in=$1 label=$2
	shift 2
	rm -f pipe.fifo
	start_consumer c "$IPCDEMO" fifo consume --exit-on-eof --verify -q "$@"
	wait_for 5 test -p pipe.fifo
	timeout 30 cat "$in" >pipe.fifo
	finish c "$label" "$BOUND"
}
feed_file() {
	local in=$1 label=$2
	shift 2
	cp "$in" storage
	start_consumer c "$IPCDEMO" file consume --no-follow --verify -q "$@"
	finish c "$label" "$BOUND"
	rm -f storage
}
feed_unix() { # stream or seqpacket
	local ty=$1 in=$2 label=$3 st=""
	shift 3
	[ "$ty" = seqpacket ] && st=",type=5"
	rm -f ipc.sock
	start_consumer c "$IPCDEMO" unix consume -l --type "$ty" --exit-on-eof --verify -q "$@"
	wait_for 5 test -S ipc.sock
	timeout 30 socat -u "FILE:$in" "UNIX-CONNECT:ipc.sock$st" 2>/dev/null
	finish c "$label" "$BOUND"
}
feed_unix_stream() { feed_unix stream "$@"; }
feed_unix_seqpacket() { feed_unix seqpacket "$@"; }
feed_tcp() {
	local in=$1 label=$2
	shift 2
	start_consumer c "$IPCDEMO" tcp consume -l --exit-on-eof --verify -q "$@"
	wait_for 5 sh -c 'ss -ltn 2>/dev/null | grep -q ":7700 "' || sleep 0.5
	timeout 30 socat -u "FILE:$in" TCP:127.0.0.1:7700 2>/dev/null
	finish c "$label" "$BOUND"
}
feed_udp() {
	local in=$1 label=$2
	shift 2
	start_consumer c "$IPCDEMO" udp consume --size 65536 -t 1s --verify -q "$@"
	sleep 0.2
	timeout 10 "${SEND[@]}" udp 7700 <"$in" 2>/dev/null
	finish c "$label" "$BOUND"
}
feed_unix_dgram() {
	local in=$1 label=$2
	shift 2
	rm -f ipc.sock
	start_consumer c "$IPCDEMO" unix consume --type dgram --size 65536 -t 1s --verify -q "$@"
	wait_for 5 test -S ipc.sock
	timeout 10 "${SEND[@]}" unix-dgram ipc.sock <"$in" 2>/dev/null
	finish c "$label" "$BOUND"
}
feed_mq() {
	local in=$1 label=$2
	shift 2
	start_consumer c "$IPCDEMO" mq consume -t 1s --verify -q "$@"
	sleep 0.2
	timeout 10 "${SEND[@]}" mq /ipcdemo <"$in" 2>/dev/null
	finish c "$label" "$BOUND"
	"$IPCDEMO" mq unlink -q 2>/dev/null
}
feed_sysv() {
	local in=$1 label=$2
	shift 2
	start_consumer c "$IPCDEMO" sysv consume -t 1s --verify -q "$@"
	sleep 0.2
	timeout 10 "${SEND[@]}" sysv 0x69706364 <"$in" 2>/dev/null
	finish c "$label" "$BOUND"
	"$IPCDEMO" sysv rm -q 2>/dev/null
}
feed_shm() { # through ipcdemo's own producer: the bytes are hostile, not the ring
	local in=$1 label=$2
	shift 2
	start_consumer c "$IPCDEMO" shm consume -t 1s --verify -q "$@"
	sleep 0.2
	timeout 30 "$IPCDEMO" shm produce --source stdin -q <"$in" 2>/dev/null
	finish c "$label" "$BOUND"
	"$IPCDEMO" shm unlink -q 2>/dev/null
}

CONSUMERS=(pipe fifo file unix_stream unix_seqpacket tcp udp unix_dgram mq sysv shm)
STREAMS=(pipe fifo file unix_stream tcp)

BOUND=$RSS_BOUND
for c in "${CONSUMERS[@]}"; do
	k=0
	for in in "${INPUTS[@]}"; do
		k=$((k + 1))
		if [ $((k % 2)) = 0 ]; then
			"feed_$c" "in-$in" "$c consume --verify --json <- $in" --json
		else
			"feed_$c" "in-$in" "$c consume --verify <- $in"
		fi
	done
done

# The 100 MB line, into every stream consumer (the others cut it to their
# largest message, which the random input already reaches).
make_long 104857600
feed_pipe in-long "pipe consume --verify <- one 100 MB line"
[ "$LARGE" = 1 ] || make_long 16777216
long_mb=$(($(stat -c %s in-long) >> 20))
for c in "${STREAMS[@]:1}"; do
	"feed_$c" in-long "$c consume --verify <- one $long_mb MB line"
done
rm -f in-long

# A great many IDs: --verify's memory and time must stay bounded, and say so
# when a limit is hit. Every consumer shares the verifier; the pipe, and in
# the large mode every stream consumer, take it.
BOUND=$RSS_BOUND_IDS
ids_consumers=(pipe)
[ "$LARGE" = 1 ] && ids_consumers=("${STREAMS[@]}")
for c in "${ids_consumers[@]}"; do
	"feed_$c" in-ids "$c consume --verify <- $IDS ids"
	# No message is duplicated or reordered: --verify counts right, or says
	# which of its limits it reached.
	v=$(grep -m1 'verify:' c.err)
	if printf '%s\n' "$v" | grep -Eq 'limit|incomplete|more than'; then
		_t_report 0 "$c consume --verify <- $IDS ids: says it reached a limit"
	else
		like "$c consume --verify <- $IDS ids: $IDS producers, none duplicated or reordered" "$v" \
			"verify: $IDS producers, $((2 * IDS)) received, .* 0 duplicated, 0 reordered"
	fi
done

echo "# hostile inputs tried: $TRIED; worst peak RSS $WORST_RSS KiB (bound $RSS_BOUND KiB, $RSS_BOUND_IDS KiB for $IDS ids)"
summary_line "hostile input, ${#CONSUMERS[@]} consumers: $TRIED inputs tried (random bytes, NULs, 100 MB line, forged stamps, $IDS ids), peak RSS $WORST_RSS KiB"
done_testing
