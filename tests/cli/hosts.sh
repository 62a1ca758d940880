#!/bin/bash
# The same commands between two hosts: two network namespaces joined by a
# veth pair, host A at 10.99.X.1 and host B at 10.99.X.2, a cable that
# carries nothing but this test's traffic. A tcp consumer listens on
# 0.0.0.0 in A and a producer connects from B; then ZeroMQ PUB/SUB (the
# publisher binds in A, the subscriber connects from B) and PUSH/PULL (the
# puller binds in A, the pusher connects from B); --verify clean each time.
#
# The namespaces are held by two processes of the test's own (unshare
# --net), not named under /run/netns: nothing is written outside the test,
# and the namespaces and the veth pair go away with those processes, which
# the exit trap ends. Needs root (or the capabilities of a user namespace
# that owns the test's network namespace); skipped with the reason otherwise.
# (plain shellcheck does not follow lib.sh; shellcheck -x does)
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

A="" B=""
hosts_cleanup() {
	local p
	for p in "$A" "$B"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	A="" B=""
}
trap 'hosts_cleanup; _t_cleanup' EXIT

# Why two hosts cannot be made here (empty when they can).
why=""
if [ "$(id -u)" != 0 ]; then
	why="needs root for network namespaces and a veth pair"
else
	for tool in ip unshare nsenter; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			why="$tool is not installed"
			break
		fi
	done
fi

net_of() { readlink "/proc/$1/ns/net" 2>/dev/null; }
own_net=$(net_of $$)
has_own_net() { local n; n=$(net_of "$1") && [ "$n" != "$own_net" ]; }

# host PID: a process that holds a network namespace of its own, in $HOST;
# the reason in $why when it cannot be made.
host() {
	unshare --net sleep "$BG_LIMIT" 2>"$T/unshare.err" &
	HOST=$!
	if ! wait_for 5 has_own_net "$HOST"; then
		why="cannot make a network namespace: $(tail -n 1 "$T/unshare.err")"
		[ -n "$(tail -n 1 "$T/unshare.err")" ] || why="cannot make a network namespace (unshare --net)"
		return 1
	fi
}
in_a() { nsenter --net="/proc/$A/ns/net" "$@"; }
in_b() { nsenter --net="/proc/$B/ns/net" "$@"; }
# the same as commands, for bg and run (which run them under timeout)
ns_cmds() { IN_A=(nsenter --net="/proc/$A/ns/net"); IN_B=(nsenter --net="/proc/$B/ns/net"); }

# A subnet of this run's own (only this test's namespaces ever see it).
X=$(($$ % 200 + 20))
HOST_A=10.99.$X.1
HOST_B=10.99.$X.2
if [ -z "$why" ] && host; then
	A=$HOST
	if host; then
		B=$HOST
		ifa=ipcdA$$ ifb=ipcdB$$
		if ! err=$(ip link add "$ifa" netns "$A" type veth peer name "$ifb" netns "$B" 2>&1); then
			why="cannot make a veth pair: ${err:-ip link add failed}"
		elif ! err=$({ in_a ip link set lo up && in_b ip link set lo up &&
			in_a ip addr add "$HOST_A/24" dev "$ifa" && in_b ip addr add "$HOST_B/24" dev "$ifb" &&
			in_a ip link set "$ifa" up && in_b ip link set "$ifb" up; } 2>&1); then
			why="cannot set up the veth pair: $err"
		fi
	fi
fi
if [ -n "$why" ]; then
	hosts_cleanup
	echo "1..0 # SKIP $why"
	exit 0
fi
ns_cmds

distinct() { [ "$(net_of "$A")" != "$(net_of "$B")" ] && [ "$(net_of "$A")" != "$own_net" ]; }
ok "host A and host B have network namespaces of their own" distinct
# The link comes up in the background: wait for the carrier on both ends.
carrier() { in_a ip -o link show dev "$ifa" | grep -q LOWER_UP && in_b ip -o link show dev "$ifb" | grep -q LOWER_UP; }
ok "the cable between A and B is up" wait_for 10 carrier
like "host A has $HOST_A" "$(in_a ip -4 -o addr show dev "$ifa")" "inet $(re_quote "$HOST_A")/24"
like "host B has $HOST_B" "$(in_b ip -4 -o addr show dev "$ifb")" "inet $(re_quote "$HOST_B")/24"
unlike "this test's own namespace does not have the veth pair" "$(ip -o link show 2>&1)" "ipcd[AB]$$"

verify_re() { echo "verify: 1 producer, $1 received, 0 lost, 0 duplicated, 0 reordered\$"; }

# ---- tcp: the consumer listens on every address of A, B's producer connects ----

N=300
bg cons "${IN_A[@]}" "$IPCDEMO" tcp consume --listen --address 0.0.0.0:5555 --verify --count "$N" --timeout 10s
c=$BG
ok "tcp: the consumer listens on 0.0.0.0:5555 in A" wait_for 20 has cons.err 'listening on 0\.0\.0\.0:5555'
run "tcp: a producer on B connects to $HOST_A:5555 and sends $N" 0 -- \
	"${IN_B[@]}" "$IPCDEMO" tcp produce --connect --address "$HOST_A:5555" --wait 5s --seq -n "$N" --source counter -q
reap "$c"
is "tcp: the consumer exits 0" "$ST" 0
is "tcp: the consumer got all $N" "$(nlines cons.out)" "$N"
like "tcp: the producer came from B" "$(cat cons.err)" "producer connected \\($(re_quote "$HOST_B"):[0-9]+\\)"
like "tcp: --verify is clean" "$(cat cons.err)" "$(verify_re "$N")"

# ---- zmq ----

if "$IPCDEMO" zmq consume --timeout 1ms --endpoint tcp://127.0.0.1:1 2>&1 | grep -q 'has no ZeroMQ'; then
	skip "zmq pubsub and pushpull between two hosts" \
		"this build of ipcdemo has no ZeroMQ (install libzmq3-dev, reconfigure with -Dzmq=enabled)"
	done_testing
	exit
fi

# pubsub: the publisher binds tcp://0.0.0.0:5556 in A and waits for B's subscriber.
bg sub "${IN_B[@]}" "$IPCDEMO" zmq consume --endpoint "tcp://$HOST_A:5556" --verify --count "$N" --timeout 10s
s=$BG
run "zmq pubsub: the publisher binds tcp://0.0.0.0:5556 in A, waits for the subscriber on B" 0 -- \
	"${IN_A[@]}" "$IPCDEMO" zmq produce --endpoint tcp://0.0.0.0:5556 --seq -n "$N" --wait-subscribers 1 --timeout 10s -q
reap "$s"
is "zmq pubsub: the subscriber on B exits 0" "$ST" 0
is "zmq pubsub: it got all $N" "$(nlines sub.out)" "$N"
like "zmq pubsub: --verify is clean" "$(cat sub.err)" "$(verify_re "$N")"

# pushpull, the other way round: the puller binds in A, the pusher connects from B.
bg pull "${IN_A[@]}" "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint tcp://0.0.0.0:5557 --verify --count "$N" --timeout 10s
p=$BG
run "zmq pushpull: a pusher on B connects to tcp://$HOST_A:5557, bound by the puller in A" 0 -- \
	"${IN_B[@]}" "$IPCDEMO" zmq produce --pattern pushpull --connect --endpoint "tcp://$HOST_A:5557" --seq -n "$N" --timeout 10s -q
reap "$p"
is "zmq pushpull: the puller in A exits 0" "$ST" 0
is "zmq pushpull: it got all $N" "$(nlines pull.out)" "$N"
like "zmq pushpull: --verify is clean" "$(cat pull.err)" "$(verify_re "$N")"

done_testing
