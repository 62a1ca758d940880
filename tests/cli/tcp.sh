#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts expand their arguments themselves
# ipcdemo tcp: the course's TCP stream server and client. The loopback
# default, every address form, both roles (a listening producer, a listening
# consumer), many consumers and many producers at once, --wait, address in
# use, bad and unresolvable addresses, the buffer options, Ctrl-C, and nc
# and socat as peers in both directions.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C
# shellcheck source=ports.sh
. "$LIB_DIR/ports.sh"

have_ss=false
command -v ss >/dev/null 2>&1 && ss -Hltn >/dev/null 2>&1 && have_ss=true

# asleep BGPID: the command of a bg time limit is ipcdemo, asleep (in a wait,
# its signal handlers set up), for a -q run that says nothing when it waits.
asleep() {
	local pid st
	pid=$(cmd_pid "$1")
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = ipcdemo ] || return 1
	st=$(sed -E 's/^[0-9]+ \(.*\) //' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "${st%% *}" = S ]
}

# ---- the default address: 127.0.0.1:7700, loopback only ----

if ! isolated; then
	skip "default address: bound to 127.0.0.1:7700" "$ISOLATION_WHY"
elif ! $have_ss; then
	skip "default address: bound to 127.0.0.1:7700" "ss is not available"
elif ss -Hltn 'sport = :7700' | grep -q .; then
	skip "default address: bound to 127.0.0.1:7700" "port 7700 is in use on this machine"
else
	bg p "$IPCDEMO" tcp produce --source counter -n 3
	p=$BG
	wait_for 20 has p.err 'listening on|address in use'
	if has p.err 'address in use'; then
		skip "default address: bound to 127.0.0.1:7700" "port 7700 was taken meanwhile"
		reap "$p"
	else
		like "default address: the producer says it listens on 127.0.0.1:7700" "$(cat p.err)" \
			'listening on 127\.0\.0\.1:7700 \(stream\)'
		listeners=$(ss -Hltn 'sport = :7700')
		like "default address: ss shows a listener on 127.0.0.1:7700" "$listeners" '127\.0\.0\.1:7700 '
		unlike "default address: not on every interface (0.0.0.0, *, [::])" "$listeners" \
			'(0\.0\.0\.0|\*|\[::\]):7700 '
		run "default address: consume with no --address" 0 -- "$IPCDEMO" tcp consume
		is "default address: every message, in order" "$OUT" "$(seq 1 3)"
		reap "$p"
		is "default address: producer exits 0" "$ST" 0
	fi
fi

# ---- producer listens, consumer connects: every message, in order ----

new_port
P=$PORT
bg p "$IPCDEMO" tcp produce --address "$P" --source counter -n 2000
p=$BG
ok "PORT: producer says it listens" wait_for 20 has p.err 'listening on'
like "PORT: listens on loopback" "$(cat p.err)" "listening on 127\\.0\\.0\\.1:$P \\(stream\\)"
ok "PORT: /proc/net/tcp shows the listener on 127.0.0.1" \
	grep -Eq "^ *[0-9]+: 0100007F:$(port_hex "$P") 0+:0000 0A " /proc/net/tcp
ok "PORT: producer waits for a consumer" wait_for 20 has p.err 'no consumer connected; waiting'
is "PORT: nothing echoed while no consumer is connected" "$(cat p.out)" ""
run "PORT: consume --address PORT" 0 -- "$IPCDEMO" tcp consume --address "$P"
is "PORT: every message, in order" "$OUT" "$(seq 1 2000)"
like "PORT: consumer says the producer closed the connection" "$ERR" 'producer closed the connection'
reap "$p"
is "PORT: producer exits 0" "$ST" 0
is "PORT: the producer echoed what the consumer got" "$(cat p.out)" "$OUT"
like "PORT: producer says a consumer connected, from where" "$(cat p.err)" \
	'consumer connected \(127\.0\.0\.1:[0-9]+\); 1 connected'
is "PORT: the producer echoes what it sent" "$(cat p.out)" "$(seq 1 2000)"

new_port
P=$PORT
bg p "$IPCDEMO" tcp produce -q --address "127.0.0.1:$P" one two three
p=$BG
ok "HOST:PORT: producer listens" wait_for 20 tcp_listening "$P"
run "HOST:PORT: consume --address 127.0.0.1:PORT" 0 -- "$IPCDEMO" tcp consume -q --address "127.0.0.1:$P"
is "HOST:PORT: the messages" "$OUT" "one
two
three"
is "consume -q: no notes" "$ERR" ""
reap "$p"
is "HOST:PORT: producer exits 0" "$ST" 0
is "produce -q: no echo" "$(cat p.out)" ""
is "produce -q: no notes" "$(cat p.err)" ""

if $have_ipv6; then
	new_port
	P=$PORT
	bg p "$IPCDEMO" tcp produce --address "[::1]:$P" --source counter -n 5
	p=$BG
	ok "[::1]:PORT: producer listens" wait_for 20 has p.err 'listening on|bind'
	like "[::1]:PORT: on [::1]" "$(cat p.err)" "listening on \\[::1\\]:$P "
	run "[::1]:PORT: consume" 0 -- "$IPCDEMO" tcp consume --address "[::1]:$P"
	is "[::1]:PORT: every message" "$OUT" "$(seq 1 5)"
	like "[::1]:PORT: the producer names the IPv6 peer" "$(cat p.err)" 'consumer connected \(\[::1\]:[0-9]+\)'
	reap "$p"
	is "[::1]:PORT: producer exits 0" "$ST" 0
else
	skip "[::1]:PORT" "no IPv6 loopback"
fi

new_port
P=$PORT
bg p "$IPCDEMO" tcp produce -q --address "localhost:$P" --source counter -n 5
p=$BG
ok "localhost:PORT: producer listens" wait_for 20 tcp_listening "$P"
run "localhost:PORT: consume" 0 -- "$IPCDEMO" tcp consume -q --address "localhost:$P"
is "localhost:PORT: every message" "$OUT" "$(seq 1 5)"
reap "$p"
is "localhost:PORT: producer exits 0" "$ST" 0

# ---- the other way round: a listening consumer, a connecting producer ----

new_port
P=$PORT
bg c "$IPCDEMO" tcp consume --listen --address "$P" -n 1000 --timeout 30s
c=$BG
ok "--listen: consumer says it listens" wait_for 20 has c.err 'listening on'
like "--listen: on loopback" "$(cat c.err)" "listening on 127\\.0\\.0\\.1:$P \\(stream\\)"
run "--connect: producer" 0 -- "$IPCDEMO" tcp produce --connect --address "$P" --source counter -n 1000
is "--connect: the producer echoes what it sent" "$OUT" "$(seq 1 1000)"
ok "--listen: consumer exits after -n 1000" wait_for 20 dead "$c"
reap "$c"
is "--listen: exit status 0" "$ST" 0
is "--listen: every message, in order" "$(cat c.out)" "$(seq 1 1000)"
like "--listen: says a producer connected, from where" "$(cat c.err)" \
	'producer connected \(127\.0\.0\.1:[0-9]+\); 1 connected'

new_port
P=$PORT
run "--connect, no one listening: exit 1" 1 -- "$IPCDEMO" tcp produce --connect --address "$P" -n 1
like "--connect, no one listening: says so" "$ERR" "No one is listening on 127\\.0\\.0\\.1:$P"
like "--connect, no one listening: how to start a listening consumer" "$ERR" 'ipcdemo tcp consume --listen'
is "--connect, no one listening: nothing echoed" "$OUT" ""

# --exit-on-eof: the listening consumer waits for a producer, then exits
# when the last one disconnects.
new_port
P=$PORT
bg c "$IPCDEMO" tcp consume --listen --exit-on-eof --address "$P"
c=$BG
ok "--exit-on-eof: consumer listens" wait_for 20 has c.err 'listening on'
run "--exit-on-eof: a producer connects" 0 -- "$IPCDEMO" tcp produce -q --connect --address "$P" first second third
ok "--exit-on-eof: the consumer exits" wait_for 20 dead "$c"
reap "$c"
is "--exit-on-eof: exit status 0" "$ST" 0
is "--exit-on-eof: everything the producer sent" "$(cat c.out)" "first
second
third"
like "--exit-on-eof: says the producer disconnected" "$(cat c.err)" 'producer disconnected; 0 connected'

# ---- many producers into one listening consumer, --verify ----

new_port
P=$PORT
bg c "$IPCDEMO" tcp consume --listen --address "$P" --verify -n 1500 --timeout 30s
c=$BG
ok "3 producers: consumer listens" wait_for 20 has c.err 'listening on'
pids=""
for id in 1 2 3; do
	bg "p$id" "$IPCDEMO" tcp produce -q --connect --wait 10s --address "$P" --seq --id "$id" --source counter -n 500
	pids="$pids $BG"
done
st_all=""
for pid in $pids; do
	reap "$pid"
	st_all="$st_all $ST"
done
is "3 producers: each exits 0" "$st_all" " 0 0 0"
ok "3 producers: consumer exits after 1500 messages" wait_for 20 dead "$c"
reap "$c"
is "3 producers: consumer exit status 0" "$ST" 0
like "3 producers: --verify counts 3 producers" "$(cat c.err)" '(^|[^0-9])3 producers'
like "3 producers: 1500 received" "$(cat c.err)" '(^|[^0-9])1500 received'
like "3 producers: 0 lost" "$(cat c.err)" '(^|[^0-9])0 lost'
like "3 producers: 0 duplicated, 0 reordered" "$(cat c.err)" '(^|[^0-9])0 duplicated, 0 reordered'
for id in 1 2 3; do
	is "3 producers: producer $id's messages all there, in order" \
		"$(awk -F: -v id="$id" '$1 == id { print $2 }' c.out)" "$(seq 1 500)"
done
is "3 producers: the consumer saw 3 connections" "$(count_in c.err 'producer connected')" 3

# ---- one listening producer, many consumers at once ----

new_port
P=$PORT
bg p "$IPCDEMO" tcp produce --address "$P" --every 200ms --batches 600 --source counter --seq --id 9
p=$BG
ok "multi-client: producer listens" wait_for 20 has p.err 'listening on'
bg c1 "$IPCDEMO" tcp consume --address "$P" -n 100 --timeout 30s --verify
c1=$BG
bg c2 "$IPCDEMO" tcp consume --address "$P" -n 100 --timeout 30s --verify
c2=$BG
bg c3 "$IPCDEMO" tcp consume --address "$P" --timeout 30s
c3=$BG
ok "multi-client: 3 consumers connected at once" wait_for 30 has p.err '; 3 connected'
ok "multi-client: the third consumer gets messages" wait_for 30 has_lines c3.out 5
# The third one is killed while the others still read: that must not
# disturb the producer or the other consumers.
kill -KILL "$(cmd_pid "$c3")" 2>/dev/null
reap "$c3" 2>/dev/null # no "Killed" note from the shell
# What it wrote before it was killed, without a last line cut short.
if [ -n "$(tail -c 1 c3.out)" ]; then sed '$d' c3.out >c3.lines; else cp c3.out c3.lines; fi
ok "multi-client: the producer notices the killed consumer" wait_for 30 has p.err 'went away'
ok "multi-client: the producer keeps going" alive "$p"
k=0
for cpid in "$c1" "$c2"; do
	k=$((k + 1))
	ok "multi-client: consumer $k ends after -n 100" wait_for 40 dead "$cpid"
	reap "$cpid"
	is "multi-client: consumer $k exit status 0 (--verify clean)" "$ST" 0
	is "multi-client: consumer $k got 100 messages" "$(nlines "c$k.out")" 100
	ok "multi-client: consumer $k's sequence goes up by one, no gap" consecutive "c$k.out"
	is "multi-client: consumer $k saw no duplicates" "$(cut -d: -f2 "c$k.out" | sort | uniq -d)" ""
	like "multi-client: consumer $k: 0 lost" "$(cat "c$k.err")" '(^|[^0-9])0 lost'
done
ok "multi-client: the killed consumer's sequence goes up by one, no gap" consecutive c3.lines
is "multi-client: every line is 9:SEQ:COUNTER" "$(cat c1.out c2.out c3.lines | grep -Evc '^9:[0-9]+:[0-9]+$')" 0
is "multi-client: everything received was sent" "$(cat c1.out c2.out c3.lines | grep -vxFf p.out)" ""
ok "multi-client: the producer saw all 3 go away" wait_for 30 count_at_least p.err 'went away' 3
ok "multi-client: the producer still runs without consumers" alive "$p"
last=$(tail -n 1 c1.out | cut -d: -f2)
run "multi-client: a late consumer" 0 -- "$IPCDEMO" tcp consume -q --address "$P" -n 5 --timeout 30s
printf '%s\n' "$OUT" >c4.out
is "multi-client: the late consumer gets 5 messages" "$(nlines c4.out)" 5
ok "multi-client: the late consumer gets only newer messages" \
	test "$(head -n 1 c4.out | cut -d: -f2)" -gt "${last:-0}"
ok "multi-client: the late consumer's sequence goes up by one" consecutive c4.out
ok "multi-client: the producer still runs" alive "$p"
interrupt "$p"
ok "multi-client: Ctrl-C stops the producer" wait_for 20 dead "$p"
reap "$p"
is "multi-client: producer exit status 0 after Ctrl-C" "$ST" 0

# ---- consumer first: no one is listening; --wait ----

new_port
P=$PORT
run "consumer first: exit 1" 1 -- "$IPCDEMO" tcp consume --address "$P"
like "consumer first: says no one is listening" "$ERR" "No one is listening on 127\\.0\\.0\\.1:$P"
like "consumer first: says how to start a producer" "$ERR" "Start a producer \\('ipcdemo tcp produce'\\)"
like "consumer first: mentions --wait" "$ERR" '--wait'
is "consumer first: nothing on stdout" "$OUT" ""

bg c "$IPCDEMO" tcp consume --address "$P" --wait 5s
c=$BG
ok "--wait: consumer says it waits" wait_for 20 has c.err 'no one is listening on .* yet; waiting'
run "--wait: then a producer" 0 -- "$IPCDEMO" tcp produce -q --address "$P" --source counter -n 100
ok "--wait: consumer ends" wait_for 20 dead "$c"
reap "$c"
is "--wait: consumer exit status 0" "$ST" 0
is "--wait: every message, in order" "$(cat c.out)" "$(seq 1 100)"
like "--wait: says it connected" "$(cat c.err)" "connected to 127\\.0\\.0\\.1:$P"

new_port
P=$PORT
bg p "$IPCDEMO" tcp produce --connect --wait 5s --address "$P" --source counter -n 50
p=$BG
ok "--connect --wait: producer says it waits" wait_for 20 has p.err 'no one is listening on .* yet; waiting'
run "--connect --wait: then a listening consumer" 0 -- \
	"$IPCDEMO" tcp consume -q --listen --exit-on-eof --address "$P" --timeout 30s
is "--connect --wait: every message, in order" "$OUT" "$(seq 1 50)"
reap "$p"
is "--connect --wait: producer exit status 0" "$ST" 0

# Ctrl-C while waiting for a listener ends the wait as it ends any other:
# the --stats summary, the messages not sent, and exit 0, as a FIFO
# producer waiting for its reader does.
new_port
P=$PORT
bg p "$IPCDEMO" tcp produce --connect --wait 60s --stats --address "$P" -n 3
p=$BG
ok "--connect --wait, Ctrl-C: producer waits" wait_for 20 has p.err 'no one is listening on .* yet; waiting'
interrupt "$p"
ok "--connect --wait, Ctrl-C: producer ends" wait_for 10 dead "$p"
reap "$p"
is "--connect --wait, Ctrl-C: exit status 0" "$ST" 0
like "--connect --wait, Ctrl-C: says what was not sent" "$(cat p.err)" ': 3 messages were not sent$'
like "--connect --wait, Ctrl-C: prints the --stats summary" "$(cat p.err)" ': sent 0 messages, 0 bytes$'
is "--connect --wait, Ctrl-C: nothing echoed" "$(cat p.out)" ""

new_port
P=$PORT
bg p "$IPCDEMO" tcp produce -q --connect --wait 60s --stats --json --address "$P" -n 3
p=$BG
ok "--connect --wait -q, Ctrl-C: producer waits" wait_for 20 asleep "$p"
interrupt "$p"
ok "--connect --wait -q, Ctrl-C: producer ends" wait_for 10 dead "$p"
reap "$p"
is "--connect --wait -q, Ctrl-C: exit status 0" "$ST" 0
like "--connect --wait -q, Ctrl-C: the JSON summary" "$(cat p.err)" '"type":"summary".*"verb":"produce","sent":0,'
unlike "--connect --wait -q, Ctrl-C: no note" "$(cat p.err)" 'not sent'

new_port
P=$PORT
bg c "$IPCDEMO" tcp consume --wait 60s --stats --address "$P"
c=$BG
ok "consume --wait, Ctrl-C: consumer waits" wait_for 20 has c.err 'no one is listening on .* yet; waiting'
interrupt "$c"
ok "consume --wait, Ctrl-C: consumer ends" wait_for 10 dead "$c"
reap "$c"
is "consume --wait, Ctrl-C: exit status 0" "$ST" 0
like "consume --wait, Ctrl-C: prints the --stats summary" "$(cat c.err)" ': received 0 messages, 0 bytes$'

new_port
P=$PORT
run "--wait 300ms, no producer ever: exit 1" 1 -- "$IPCDEMO" tcp consume --address "$P" --wait 300ms
like "--wait ran out: no one is listening" "$ERR" 'No one is listening'

# ---- address in use ----

new_port
P=$PORT
bg p "$IPCDEMO" tcp produce --address "$P" -n 1
p=$BG
ok "address in use: first producer listens" wait_for 20 has p.err 'listening on'
run "address in use: a second producer: exit 1" 1 -- "$IPCDEMO" tcp produce --address "$P" -n 1
like "address in use: says so" "$ERR" 'address in use'
run "address in use: a listening consumer: exit 1" 1 -- "$IPCDEMO" tcp consume --listen --address "$P"
like "address in use: a listening consumer says so" "$ERR" 'address in use'
ok "address in use: the first producer is undisturbed" alive "$p"
run "address in use: the first producer still serves" 0 -- "$IPCDEMO" tcp consume -q --address "$P"
like "address in use: its message arrives" "$OUT" "^$UUID4_RE\$"
reap "$p"
is "address in use: the first producer exits 0" "$ST" 0

# ---- --nodelay, --sndbuf, --rcvbuf ----

new_port
P=$PORT
bg p "$IPCDEMO" tcp produce -q --nodelay --sndbuf 64k --address "$P" --source counter -n 3000
p=$BG
ok "--nodelay --sndbuf 64k: producer listens" wait_for 20 tcp_listening "$P"
run "--rcvbuf 64k: consumer" 0 -- "$IPCDEMO" tcp consume -q --rcvbuf 64k --address "$P"
is "--nodelay --sndbuf 64k --rcvbuf 64k: every message" "$OUT" "$(seq 1 3000)"
reap "$p"
is "--nodelay --sndbuf 64k: producer exit status 0" "$ST" 0

new_port
P=$PORT
bg c "$IPCDEMO" tcp consume -q --listen --rcvbuf 64k --address "$P" -n 3 --timeout 30s
c=$BG
ok "--listen --rcvbuf 64k: consumer listens" wait_for 20 tcp_listening "$P"
run "--connect --nodelay --sndbuf 64k" 0 -- "$IPCDEMO" tcp produce -q --connect --nodelay --sndbuf 64k --address "$P" a b c
ok "--listen --rcvbuf 64k: consumer ends" wait_for 20 dead "$c"
reap "$c"
is "--listen --rcvbuf 64k: exit status 0" "$ST" 0
is "--listen --rcvbuf 64k: the messages" "$(cat c.out)" "a
b
c"

run "--sndbuf 1Q: usage error" 2 -- "$IPCDEMO" tcp produce --sndbuf 1Q -n 1
like "--sndbuf 1Q: names the option" "$ERR" '--sndbuf'
run "--rcvbuf 1Q: usage error" 2 -- "$IPCDEMO" tcp consume --rcvbuf 1Q
like "--rcvbuf 1Q: names the option" "$ERR" '--rcvbuf'

# ---- bad addresses ----

for a in 'foo:' ':80' '[::1' '70000' 'host:0' '0' '[::1]:'; do
	run "--address '$a': usage error (consume)" 2 -- "$IPCDEMO" tcp consume --address "$a"
	like "--address '$a': names --address" "$ERR" '--address'
	run "--address '$a': usage error (produce)" 2 -- "$IPCDEMO" tcp produce --address "$a" -n 1
	like "--address '$a' (produce): names --address" "$ERR" '--address'
	is "--address '$a' (produce): nothing echoed" "$OUT" ""
done
run "unresolvable host: exit 1 (consume)" 1 -- "$IPCDEMO" tcp consume --address nosuchhost.invalid:80
like "unresolvable host: names the host" "$ERR" 'nosuchhost\.invalid'
run "unresolvable host: exit 1 (produce)" 1 -- "$IPCDEMO" tcp produce --address nosuchhost.invalid:80 -n 1
like "unresolvable host (produce): names the host" "$ERR" 'nosuchhost\.invalid'

# ---- Ctrl-C ----

new_port
P=$PORT
bg p "$IPCDEMO" tcp produce --stats --address "$P"
p=$BG
ok "Ctrl-C: producer waits for a consumer" wait_for 20 has p.err 'no consumer connected; waiting'
interrupt "$p"
ok "Ctrl-C: a producer waiting for a consumer exits" wait_for 20 dead "$p"
reap "$p"
is "Ctrl-C: producer waiting for a consumer: exit status 0" "$ST" 0
like "Ctrl-C: producer waiting for a consumer: --stats says nothing was sent" "$(cat p.err)" 'sent 0 messages'
ok "Ctrl-C: the port is free again" wait_for 20 tcp_free "$P"

new_port
P=$PORT
bg p "$IPCDEMO" tcp produce --stats --address "$P" --every 100ms --batches 1200 --source counter -n 1
p=$BG
ok "Ctrl-C: producer listens" wait_for 20 has p.err 'listening on'
bg c "$IPCDEMO" tcp consume --stats --address "$P"
c=$BG
ok "Ctrl-C: consumer gets messages" wait_for 30 has_lines c.out 3
interrupt "$c"
ok "Ctrl-C: the consumer exits" wait_for 20 dead "$c"
reap "$c"
is "Ctrl-C: consumer exit status 0" "$ST" 0
like "Ctrl-C: consumer prints the --stats summary" "$(cat c.err)" 'received [0-9]+ messages, [0-9]+ bytes'
unlike "Ctrl-C: consumer: the summary is not on stdout" "$(cat c.out)" 'received'
ok "Ctrl-C: the producer survives its consumer's Ctrl-C" wait_for 20 has p.err 'went away'
ok "Ctrl-C: the producer is still running" alive "$p"
interrupt "$p"
ok "Ctrl-C: the producer exits" wait_for 20 dead "$p"
reap "$p"
is "Ctrl-C: producer exit status 0" "$ST" 0
like "Ctrl-C: producer prints the --stats summary" "$(cat p.err)" 'sent [0-9]+ messages, [0-9]+ bytes'
unlike "Ctrl-C: producer: the summary is not on stdout" "$(cat p.out)" 'sent'

new_port
P=$PORT
bg c "$IPCDEMO" tcp consume --listen --stats --address "$P"
c=$BG
ok "Ctrl-C: listening consumer listens" wait_for 20 has c.err 'listening on'
run "Ctrl-C: a producer for the listening consumer" 0 -- "$IPCDEMO" tcp produce -q --connect --address "$P" -n 4
ok "Ctrl-C: listening consumer got 4 messages" wait_for 20 has_lines c.out 4
interrupt "$c"
ok "Ctrl-C: the listening consumer exits" wait_for 20 dead "$c"
reap "$c"
is "Ctrl-C: listening consumer exit status 0" "$ST" 0
like "Ctrl-C: listening consumer prints the --stats summary" "$(cat c.err)" 'received 4 messages'
ok "Ctrl-C: the listening consumer freed the port" wait_for 20 tcp_free "$P"

# ---- nc as a peer ----

if $have_nc; then
	new_port
	P=$PORT
	bg p "$IPCDEMO" tcp produce -q --address "$P" --source counter -n 1000
	p=$BG
	ok "nc consumer: producer listens" wait_for 20 tcp_listening "$P"
	run "nc 127.0.0.1 PORT as the consumer" 0 -- nc 127.0.0.1 "$P" </dev/null
	is "nc consumer: every message, in order" "$OUT" "$(seq 1 1000)"
	reap "$p"
	is "nc consumer: producer exit status 0" "$ST" 0

	new_port
	P=$PORT
	bg n nc -l 127.0.0.1 "$P"
	n=$BG
	ok "nc -l: listening" wait_for 20 tcp_listening "$P"
	run "nc -l as a listening consumer: produce --connect" 0 -- \
		"$IPCDEMO" tcp produce -q --connect --address "$P" --source counter -n 1000
	ok "nc -l: ends when the producer closes" wait_for 20 dead "$n"
	reap "$n"
	is "nc -l: exit status 0" "$ST" 0
	is "nc -l: every message, in order" "$(cat n.out)" "$(seq 1 1000)"

	new_port
	P=$PORT
	bg n bash -c 'printf "from nc 1\nfrom nc 2\n" | exec nc -N -l 127.0.0.1 "$1"' _ "$P"
	n=$BG
	ok "nc -N -l as the producer: listening" wait_for 20 tcp_listening "$P"
	run "nc -N -l as the producer: consume" 0 -- "$IPCDEMO" tcp consume --address "$P" --timeout 30s
	is "nc -N -l as the producer: the lines" "$OUT" "from nc 1
from nc 2"
	ok "nc -N -l: ends" wait_for 20 dead "$n"
	stop "$n"

	new_port
	P=$PORT
	bg c "$IPCDEMO" tcp consume --listen --exit-on-eof --address "$P" --timeout 30s
	c=$BG
	ok "nc -N as a connecting producer: consumer listens" wait_for 20 has c.err 'listening on'
	run "nc -N as a connecting producer" 0 -- bash -c 'printf "x 1\nx 2\nx 3\n" | nc -N 127.0.0.1 "$1"' _ "$P"
	ok "nc -N as a connecting producer: consumer exits" wait_for 20 dead "$c"
	reap "$c"
	is "nc -N as a connecting producer: consumer exit status 0" "$ST" 0
	is "nc -N as a connecting producer: the lines" "$(cat c.out)" "x 1
x 2
x 3"
else
	skip "nc as a peer" "OpenBSD nc is not installed"
fi

# ---- socat as a peer ----

if $have_socat; then
	new_port
	P=$PORT
	bg p "$IPCDEMO" tcp produce -q --address "$P" --source counter -n 1000
	p=$BG
	ok "socat TCP: producer listens" wait_for 20 tcp_listening "$P"
	run "socat -u TCP:127.0.0.1:PORT - as the consumer" 0 -- socat -u "TCP:127.0.0.1:$P" - </dev/null
	is "socat TCP: every message, in order" "$OUT" "$(seq 1 1000)"
	reap "$p"
	is "socat TCP: producer exit status 0" "$ST" 0

	new_port
	P=$PORT
	bg s socat -u "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" -
	s=$BG
	ok "socat TCP-LISTEN: listening" wait_for 20 tcp_listening "$P"
	run "socat TCP-LISTEN as a listening consumer: produce --connect" 0 -- \
		"$IPCDEMO" tcp produce -q --connect --address "$P" --source counter -n 1000
	ok "socat TCP-LISTEN: ends when the producer closes" wait_for 20 dead "$s"
	reap "$s"
	is "socat TCP-LISTEN: exit status 0" "$ST" 0
	is "socat TCP-LISTEN: every message, in order" "$(cat s.out)" "$(seq 1 1000)"

	new_port
	P=$PORT
	bg s bash -c 'printf "from socat 1\nfrom socat 2\n" | exec socat -u - "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr"' _ "$P"
	s=$BG
	ok "socat TCP-LISTEN as the producer: listening" wait_for 20 tcp_listening "$P"
	run "socat TCP-LISTEN as the producer: consume" 0 -- "$IPCDEMO" tcp consume --address "$P" --timeout 30s
	is "socat TCP-LISTEN as the producer: the lines" "$OUT" "from socat 1
from socat 2"
	ok "socat TCP-LISTEN as the producer: ends" wait_for 20 dead "$s"
	stop "$s"

	new_port
	P=$PORT
	bg c "$IPCDEMO" tcp consume --listen --exit-on-eof --address "$P" --timeout 30s
	c=$BG
	ok "socat TCP as a connecting producer: consumer listens" wait_for 20 has c.err 'listening on'
	run "socat TCP as a connecting producer" 0 -- bash -c 'printf "s 1\ns 2\ns 3\n" | socat -u - "TCP:127.0.0.1:$1"' _ "$P"
	ok "socat TCP as a connecting producer: consumer exits" wait_for 20 dead "$c"
	reap "$c"
	is "socat TCP as a connecting producer: consumer exit status 0" "$ST" 0
	is "socat TCP as a connecting producer: the lines" "$(cat c.out)" "s 1
s 2
s 3"
else
	skip "socat as a peer" "socat is not installed"
fi

# ---- tcp demo ----

run "tcp demo" 0 -- "$IPCDEMO" tcp demo
demo=$OUT
like "demo: says what it does" "$demo" 'A producer listens on TCP 127\.0\.0\.1:[0-9]+'
is "demo: 10 UUIDs labelled producer" "$(printf '%s\n' "$demo" | grep -Ec "^producer +\\| $UUID4_RE\$")" 10
is "demo: 10 UUIDs labelled consumer" "$(printf '%s\n' "$demo" | grep -Ec "^consumer +\\| $UUID4_RE\$")" 10
is "demo: the consumer got what the producer sent, in order" \
	"$(printf '%s\n' "$demo" | sed -nE "s/^consumer +\\| ($UUID4_RE)\$/\\1/p")" \
	"$(printf '%s\n' "$demo" | sed -nE "s/^producer +\\| ($UUID4_RE)\$/\\1/p")"
is "demo: every line after the header is labelled" \
	"$(printf '%s\n' "$demo" | sed '1,2d' | grep -Evc '^(producer|consumer) +\| ')" 0

done_testing
