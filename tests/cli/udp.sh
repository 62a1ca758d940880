#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts expand their arguments themselves
# ipcdemo udp: the course's datagram server and client. The consumer binds
# (loopback by default), producers send one datagram per message; loss is
# counted honestly, oversized and truncated datagrams are errors, nc and
# socat are peers in both directions.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C
# shellcheck source=ports.sh
. "$LIB_DIR/ports.sh"

have_ss=false
command -v ss >/dev/null 2>&1 && ss -Hlun >/dev/null 2>&1 && have_ss=true

# lost_in FILE: the "lost" count of a --verify summary (text or JSON)
lost_in() {
	sed -nE 's/.*"lost": ?([0-9]+).*/\1/p; s/.*[^0-9]([0-9]+) lost.*/\1/p' "$1" | tail -n 1
}

# ---- the default address: 127.0.0.1:7700, loopback only ----

if ! isolated; then
	skip "default address: bound to 127.0.0.1:7700" "$ISOLATION_WHY"
elif ! $have_ss; then
	skip "default address: bound to 127.0.0.1:7700" "ss is not available"
elif ss -Huan 'sport = :7700' | grep -q .; then
	skip "default address: bound to 127.0.0.1:7700" "UDP port 7700 is in use on this machine"
else
	bg c "$IPCDEMO" udp consume -n 1 --timeout 30s
	c=$BG
	ok "default address: consumer says it receives" wait_for 20 has c.err 'receiving on'
	like "default address: on 127.0.0.1:7700" "$(cat c.err)" 'receiving on 127\.0\.0\.1:7700 \(datagrams\)'
	bound=$(ss -Huan 'sport = :7700')
	like "default address: ss shows 127.0.0.1:7700" "$bound" '127\.0\.0\.1:7700 '
	unlike "default address: not on every interface (0.0.0.0, *, [::])" "$bound" '(0\.0\.0\.0|\*|\[::\]):7700 '
	run "default address: produce with no --address" 0 -- "$IPCDEMO" udp produce -q hello
	ok "default address: consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "default address: consumer exit status 0" "$ST" 0
	is "default address: the message" "$(cat c.out)" hello
fi

# ---- consumer binds, producer sends one datagram per message ----

new_port
P=$PORT
bg c "$IPCDEMO" udp consume --address "$P" --json -n 3 --timeout 30s
c=$BG
ok "consumer binds: says it receives" wait_for 20 has c.err 'receiving on'
like "consumer binds: on loopback" "$(cat c.err)" "receiving on 127\\.0\\.0\\.1:$P \\(datagrams\\)"
ok "consumer binds: /proc/net/udp shows it on 127.0.0.1" \
	grep -Eq "^ *[0-9]+: 0100007F:$(port_hex "$P") 0+:0000 07 " /proc/net/udp
run "producer: three messages" 0 -- "$IPCDEMO" udp produce --address "$P" alpha 'beta gamma' delta
is "producer: echoes what it sent" "$OUT" "alpha
beta gamma
delta"
ok "consumer: ends after -n 3" wait_for 20 dead "$c"
reap "$c"
is "consumer: exit status 0" "$ST" 0
if $have_python; then
	got=$(python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["payload"], o["bytes"], o["mechanism"], sep="|")
' <c.out 2>&1)
	is "one datagram per message: three JSON records, payload and size each" "$got" "alpha|5|udp
beta gamma|10|udp
delta|5|udp"
else
	is "one datagram per message: three JSON records" "$(nlines c.out)" 3
	like "one datagram per message: mechanism udp" "$(cat c.out)" '"mechanism": ?"udp"'
	like "one datagram per message: payload" "$(cat c.out)" '"payload": ?"beta gamma"'
fi

new_port
P=$PORT
bg c "$IPCDEMO" udp consume -q --address "127.0.0.1:$P" -n 200 --timeout 30s
c=$BG
ok "HOST:PORT: consumer binds" wait_for 20 udp_bound "$P"
# Paced: UDP has no flow control, and this case is about order, not loss.
run "HOST:PORT: producer" 0 -- "$IPCDEMO" udp produce -q --address "127.0.0.1:$P" --source counter \
	-n 5 --every 25ms --batches 40
ok "HOST:PORT: consumer ends" wait_for 20 dead "$c"
reap "$c"
is "HOST:PORT: consumer exit status 0" "$ST" 0
is "HOST:PORT: every datagram, in order" "$(cat c.out)" "$(seq 1 200)"

# While datagrams are queued, each is one recv (strace: recvfrom): the
# consumer waits in poll() (and flushes what it printed) only once the
# socket is drained.
# Stopped while the producer sends 100, it finds them all waiting.
if command -v strace >/dev/null 2>&1 && strace -qq -o /dev/null true 2>/dev/null; then
	new_port
	P=$PORT
	# LeakSanitizer cannot run under ptrace: off for this one run.
	bg_direct c env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -qq -e trace=ppoll,recvfrom,write -o drain.st "$IPCDEMO" udp consume -q \
		--address "127.0.0.1:$P" --batch 1 -n 100 --timeout 30s
	c=$BG
	ok "drained: consumer binds" wait_for 20 udp_bound "$P"
	cc=$(cmd_pid "$c")
	kill -STOP "$cc"
	ok "drained: consumer stopped" wait_for 20 grep -Eq '^[0-9]+ \(.*\) [tT]' "/proc/$cc/stat"
	run "drained: producer sends 100 datagrams" 0 -- "$IPCDEMO" udp produce -q --address "127.0.0.1:$P" \
		--source counter -n 100
	kill -CONT "$cc"
	ok "drained: consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "drained: consumer exit status 0" "$ST" 0
	is "drained: every datagram in order" "$(cat c.out)" "$(seq 1 100)"
	ok "drained: a recv a datagram" count_at_least drain.st '^recvfrom\(' 100
	ok "drained: at most 3 more" test "$(count_in drain.st '^recvfrom\(')" -le 103
	ok "drained: a few poll() calls, not one a datagram" test "$(count_in drain.st '^ppoll\(')" -le 5
	ok "drained: a few writes of the output, not one a datagram" test "$(count_in drain.st '^write\(1,')" -le 5

	# --timeout is the receive's own timeout (SO_RCVTIMEO, set once),
	# not a poll() before each wait: idle that long, the consumer ends.
	new_port
	run "--timeout: an idle consumer under strace" 4 -- env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -qq -e trace=ppoll,recvfrom,setsockopt -o idle.st "$IPCDEMO" udp consume -q \
		--address "127.0.0.1:$PORT" --timeout 300ms
	# (strace decodes the timeval, or shows its bytes: 300000 is e0 93 04.)
	like "--timeout: SO_RCVTIMEO of 300 ms" "$(cat idle.st)" \
		'^setsockopt\([0-9]+, SOL_SOCKET, SO_RCVTIMEO(_OLD)?, (\{tv_sec=0, tv_usec=300000\}|"(\\0){8}\\340\\223\\4)'
	like "--timeout: the receive gives up with EAGAIN" "$(cat idle.st)" '^recvfrom\(.* = -1 EAGAIN'
	is "--timeout: no poll()" "$(count_in idle.st '^ppoll\(')" 0
else
	skip "drained: one poll() for all that waits" "strace cannot trace here"
fi

if $have_ipv6; then
	new_port
	P=$PORT
	bg c "$IPCDEMO" udp consume --address "[::1]:$P" -n 3 --timeout 30s
	c=$BG
	ok "[::1]:PORT: consumer binds" wait_for 20 has c.err 'receiving on|bind'
	like "[::1]:PORT: on [::1]" "$(cat c.err)" "receiving on \\[::1\\]:$P "
	run "[::1]:PORT: producer" 0 -- "$IPCDEMO" udp produce -q --address "[::1]:$P" --source counter -n 3
	ok "[::1]:PORT: consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "[::1]:PORT: exit status 0" "$ST" 0
	is "[::1]:PORT: the datagrams" "$(cat c.out)" "$(seq 1 3)"
else
	skip "[::1]:PORT" "no IPv6 loopback"
fi

# ---- --verify: a clean run, and honest loss ----

new_port
P=$PORT
bg c "$IPCDEMO" udp consume --address "$P" --verify -n 200 --timeout 30s
c=$BG
ok "--verify: consumer binds" wait_for 20 has c.err 'receiving on'
run "--verify: paced producer" 0 -- "$IPCDEMO" udp produce -q --address "$P" --seq --source counter \
	-n 5 --every 25ms --batches 40
ok "--verify: consumer ends after 200" wait_for 20 dead "$c"
reap "$c"
is "--verify clean run: exit status 0" "$ST" 0
like "--verify clean run: 200 received" "$(cat c.err)" '(^|[^0-9])200 received'
like "--verify clean run: 0 lost" "$(cat c.err)" '(^|[^0-9])0 lost'
like "--verify clean run: 1 producer" "$(cat c.err)" '(^|[^0-9])1 producer'

# A consumer slowed down by --json into a file, with a tiny receive buffer,
# and a producer that sends as fast as it can: datagrams are dropped, and
# the summary says how many. A machine that keeps up gets two more tries.
loss_st="" loss_n=0 loss_prod=""
for _ in 1 2 3; do
	new_port
	P=$PORT
	bg c "$IPCDEMO" udp consume --address "$P" --verify --json --rcvbuf 4k --timeout 3s
	c=$BG
	if ! wait_for 20 has c.err 'receiving on'; then
		loss_st="consumer did not start"
		stop "$c"
		break
	fi
	timeout -k 5 "$BG_LIMIT" "$IPCDEMO" udp produce -q --address "$P" --seq --source counter -n 200000
	loss_prod=$?
	wait_for 60 dead "$c"
	reap "$c"
	loss_st=$ST
	loss_n=$(lost_in c.err)
	[ "${loss_n:-0}" -gt 0 ] && break
done
is "loss: the producer of 200000 datagrams exits 0" "$loss_prod" 0
if [ "${loss_n:-0}" -gt 0 ] || [ "$loss_st" != 0 ]; then
	is "loss: consumer exit status 3" "$loss_st" 3
	like "loss: the summary counts lost datagrams" "$(cat c.err)" '"lost": ?[1-9][0-9]*'
	like "loss: the summary says it is not ok" "$(cat c.err)" '"ok": ?false'
	received=$(sed -nE 's/.*"received": ?([0-9]+).*/\1/p' c.err | tail -n 1)
	is "loss: 'received' is the number of records printed" "${received:-none}" "$(nlines c.out)"
	# Honest: lost is exactly what is missing between the first and the last
	# sequence number that arrived.
	span=$(sed -nE 's/.*"seq": ?([0-9]+).*/\1/p' c.out | awk 'NR == 1 { lo = $1; hi = $1 }
		{ if ($1 < lo) lo = $1; if ($1 > hi) hi = $1 } END { print hi - lo + 1 }')
	is "loss: lost + received = the span of sequence numbers seen" "$((loss_n + received))" "$span"
	is "loss: every record is a udp message" "$(grep -vc '"mechanism": \{0,1\}"udp"' c.out)" 0
else
	skip "loss: consumer exit status 3 with lost > 0" "this machine received all 200000 datagrams 3 times"
fi
rm -f c.out

# ---- no consumer, too large, truncated ----

new_port
P=$PORT
run "no consumer: the producer keeps going" 0 -- "$IPCDEMO" udp produce --address "$P" --source counter \
	-n 1 --every 20ms --batches 10
is "no consumer: it sent (and echoed) all 10" "$OUT" "$(seq 1 10)"
like "no consumer: says the port is unreachable" "$ERR" 'port unreachable'
is "no consumer: says so once" "$(printf '%s\n' "$ERR" | grep -c 'port unreachable')" 1
run "no consumer, -q" 0 -- "$IPCDEMO" udp produce -q --address "$P" --source counter -n 1 --every 20ms --batches 10
is "no consumer, -q: nothing on stderr" "$ERR" ""
is "no consumer, -q: nothing on stdout" "$OUT" ""
# The ICMP error of an earlier datagram takes the place of a send, which
# then did not happen: it is made again, so that each echoed message did go.
if command -v strace >/dev/null 2>&1 && strace -qq -o /dev/null true 2>/dev/null; then
	# LeakSanitizer cannot run under ptrace: off for this one run.
	run "refused send: made again" 0 -- env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -qq -e trace=sendto -o st.out "$IPCDEMO" udp produce --address "$P" --source counter -n 3
	is "refused send: echoed all 3" "$OUT" "$(seq 1 3)"
	is "refused send: each of the 3 went out once" "$(grep -Ec '^sendto\(.*, 2, MSG_NOSIGNAL, .*\) = 2$' st.out)" 3
else
	skip "refused send: made again" "strace cannot trace here"
fi

new_port
P=$PORT
run "--size 70000: exit 1" 1 -- "$IPCDEMO" udp produce --address "$P" --size 70000 -n 1
like "--size 70000: Message too long" "$ERR" 'Message too long'
like "--size 70000: does not fit in one datagram" "$ERR" 'does not fit in one datagram'

bg c "$IPCDEMO" udp consume -q --address "$P" -n 1 --timeout 30s --json
c=$BG
ok "--size 65507: consumer binds" wait_for 20 udp_bound "$P"
run "--size 65507 (the largest IPv4 datagram): exit 0" 0 -- "$IPCDEMO" udp produce -q --address "$P" --size 65507 -n 1
ok "--size 65507: consumer ends" wait_for 20 dead "$c"
reap "$c"
is "--size 65507: consumer exit status 0" "$ST" 0
like "--size 65507: arrives whole (65506 bytes and the newline)" "$(cat c.out)" '"bytes": ?65506[,}]'

new_port
P=$PORT
bg c "$IPCDEMO" udp consume --address "$P" --size 8 -n 2 --timeout 30s
c=$BG
ok "--size 8: consumer binds" wait_for 20 has c.err 'receiving on'
run "--size 8: a longer datagram" 0 -- "$IPCDEMO" udp produce -q --address "$P" hello-world-long short
ok "--size 8: consumer ends" wait_for 20 dead "$c"
reap "$c"
is "--size 8: exit status 1" "$ST" 1
like "--size 8: says the datagram was truncated, and its size" "$(cat c.err)" 'truncated: 17 bytes arrived'
like "--size 8: names --size" "$(cat c.err)" '--size'
like "--size 8: the short one arrives whole" "$(cat c.out)" '^short$'

# ---- address in use ----

new_port
P=$PORT
bg c "$IPCDEMO" udp consume --address "$P" -n 1 --timeout 30s
c=$BG
ok "address in use: first consumer binds" wait_for 20 has c.err 'receiving on'
run "address in use: a second consumer: exit 1" 1 -- "$IPCDEMO" udp consume --address "$P" --timeout 2s
like "address in use: says so" "$ERR" 'address in use'
run "address in use: a producer still reaches the first consumer" 0 -- "$IPCDEMO" udp produce -q --address "$P" only
ok "address in use: the first consumer ends" wait_for 20 dead "$c"
reap "$c"
is "address in use: the first consumer got the message" "$(cat c.out)" only
is "address in use: first consumer exit status 0" "$ST" 0

# ---- roles that do not exist for datagrams ----

run "udp consume --listen: usage error" 2 -- "$IPCDEMO" udp consume --listen
like "udp consume --listen: unknown option" "$ERR" "unknown option '--listen'"
run "udp produce --connect: usage error" 2 -- "$IPCDEMO" udp produce --connect -n 1
like "udp produce --connect: unknown option" "$ERR" "unknown option '--connect'"
run "udp produce --listen: usage error" 2 -- "$IPCDEMO" udp produce --listen -n 1
like "udp produce --listen: unknown option" "$ERR" "unknown option '--listen'"
run "udp consume --connect: usage error" 2 -- "$IPCDEMO" udp consume --connect
like "udp consume --connect: unknown option" "$ERR" "unknown option '--connect'"

# ---- bad addresses ----

for a in 'foo:' ':80' '[::1' '70000' 'host:0'; do
	run "--address '$a': usage error" 2 -- "$IPCDEMO" udp consume --address "$a"
	like "--address '$a': names --address" "$ERR" '--address'
done
run "unresolvable host: exit 1" 1 -- "$IPCDEMO" udp produce --address nosuchhost.invalid:80 -n 1
like "unresolvable host: names the host" "$ERR" 'nosuchhost\.invalid'

# ---- Ctrl-C ----

new_port
P=$PORT
bg c "$IPCDEMO" udp consume --address "$P" --stats
c=$BG
ok "Ctrl-C: consumer binds" wait_for 20 has c.err 'receiving on'
run "Ctrl-C: a producer" 0 -- "$IPCDEMO" udp produce -q --address "$P" -n 3
ok "Ctrl-C: consumer got 3" wait_for 20 has_lines c.out 3
interrupt "$c"
ok "Ctrl-C: consumer exits" wait_for 20 dead "$c"
reap "$c"
is "Ctrl-C: consumer exit status 0" "$ST" 0
like "Ctrl-C: the --stats summary" "$(cat c.err)" 'received 3 messages, 108 bytes'

# ---- nc as a peer ----

if $have_nc; then
	new_port
	P=$PORT
	bg c "$IPCDEMO" udp consume --address "$P" -n 2 --timeout 30s
	c=$BG
	ok "nc -u producer: consumer binds" wait_for 20 has c.err 'receiving on'
	run "nc -u as the producer: first datagram" 0 -- bash -c 'printf "from nc 1\n" | nc -u -w1 127.0.0.1 "$1"' _ "$P"
	run "nc -u as the producer: second datagram" 0 -- bash -c 'printf "from nc 2\n" | nc -u -w1 127.0.0.1 "$1"' _ "$P"
	ok "nc -u producer: consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "nc -u producer: consumer exit status 0" "$ST" 0
	is "nc -u producer: both datagrams" "$(cat c.out)" "from nc 1
from nc 2"

	new_port
	P=$PORT
	bg n nc -lu 127.0.0.1 "$P"
	n=$BG
	ok "nc -lu: bound" wait_for 20 udp_bound "$P"
	run "nc -lu as the consumer: produce" 0 -- "$IPCDEMO" udp produce -q --address "$P" --source counter -n 3
	ok "nc -lu: got 3 datagrams" wait_for 20 has_lines n.out 3
	is "nc -lu: one line per datagram" "$(cat n.out)" "$(seq 1 3)"
	stop "$n"
else
	skip "nc as a peer" "OpenBSD nc is not installed"
fi

# ---- socat as a peer ----

if $have_socat; then
	new_port
	P=$PORT
	bg c "$IPCDEMO" udp consume --address "$P" -n 2 --timeout 30s
	c=$BG
	ok "socat UDP-SENDTO: consumer binds" wait_for 20 has c.err 'receiving on'
	run "socat UDP-SENDTO as the producer: first" 0 -- \
		bash -c 'printf "from socat 1\n" | socat -u - "UDP-SENDTO:127.0.0.1:$1"' _ "$P"
	run "socat UDP-SENDTO as the producer: second" 0 -- \
		bash -c 'printf "from socat 2\n" | socat -u - "UDP-SENDTO:127.0.0.1:$1"' _ "$P"
	ok "socat UDP-SENDTO: consumer ends" wait_for 20 dead "$c"
	reap "$c"
	is "socat UDP-SENDTO: consumer exit status 0" "$ST" 0
	is "socat UDP-SENDTO: both datagrams" "$(cat c.out)" "from socat 1
from socat 2"

	new_port
	P=$PORT
	bg s socat -u "UDP-RECV:$P,bind=127.0.0.1" -
	s=$BG
	ok "socat UDP-RECV: bound" wait_for 20 udp_bound "$P"
	run "socat UDP-RECV as the consumer: produce" 0 -- "$IPCDEMO" udp produce -q --address "$P" --source counter -n 3
	ok "socat UDP-RECV: got 3 datagrams" wait_for 20 has_lines s.out 3
	is "socat UDP-RECV: the datagrams" "$(cat s.out)" "$(seq 1 3)"
	stop "$s"
else
	skip "socat as a peer" "socat is not installed"
fi

# ---- udp demo ----

run "udp demo" 0 -- "$IPCDEMO" udp demo
demo=$OUT
like "demo: says what it does" "$demo" 'A consumer binds UDP 127\.0\.0\.1:[0-9]+'
is "demo: 10 UUIDs labelled producer" "$(printf '%s\n' "$demo" | grep -Ec "^producer +\\| $UUID4_RE\$")" 10
sent=$(printf '%s\n' "$demo" | sed -nE "s/^producer +\\| ($UUID4_RE)\$/\\1/p")
got=$(printf '%s\n' "$demo" | sed -nE "s/^consumer +\\| ($UUID4_RE)\$/\\1/p")
# The demo starts the producer a moment after the consumer; on a busy
# machine the first batch can go out before the consumer is bound (that is
# UDP), the second one a second later cannot.
ok "demo: the consumer got at least the second batch" test "$(printf '%s\n' "$got" | grep -c .)" -ge 5
is "demo: the consumer got only what the producer sent, in order" \
	"$(printf '%s\n' "$sent" | grep -xF -f <(printf '%s\n' "$got"))" "$got"
is "demo: every line after the header is labelled" \
	"$(printf '%s\n' "$demo" | sed '1,2d' | grep -Evc '^(producer|consumer) +\| ')" 0

done_testing
