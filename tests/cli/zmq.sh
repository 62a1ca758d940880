#!/bin/bash
# shellcheck disable=SC2016 # the python scripts are in single quotes on purpose
# ipcdemo zmq: ZeroMQ's PUB/SUB, PUSH/PULL and REQ/REP round trips with
# --verify, interop with pyzmq (a peer written by others), the losses
# ZeroMQ keeps quiet made visible (the high-water mark counted exactly,
# the slow joiner), a REQ with no replier, ipc:// path safety, Ctrl-C,
# subscriptions to several topics, messages of several frames and their
# bounds, PUSH shares, the completion of patterns and endpoints,
# and usage errors. A build without libzmq skips all of it, saying why.
# (plain shellcheck does not follow lib.sh; shellcheck -x does)
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck source=SCRIPTDIR/ports.sh disable=SC1091
. "$LIB_DIR/ports.sh"

export LC_ALL=C

# A build without ZeroMQ says so: then there is nothing to test.
if "$IPCDEMO" zmq consume --timeout 1ms --endpoint tcp://127.0.0.1:1 2>&1 | grep -q 'has no ZeroMQ'; then
	echo "1..0 # SKIP this build of ipcdemo has no ZeroMQ (install libzmq3-dev, reconfigure with -Dzmq=enabled)"
	exit 0
fi

PY=/usr/bin/python3
have_pyzmq=false
[ -x "$PY" ] && "$PY" -c 'import zmq' 2>/dev/null && have_pyzmq=true

zmq_cleanup() {
	local pids
	pids=$(jobs -p)
	# shellcheck disable=SC2086 # a list of pids, one word each
	[ -n "$pids" ] && kill -CONT $pids 2>/dev/null
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
}
trap 'zmq_cleanup; _t_cleanup' EXIT

ep() { # sets EP to a tcp endpoint of a port nothing uses
	new_port
	EP=tcp://127.0.0.1:$PORT
}
# the number in "... N lost" / "dropped at the high-water mark: N" of a file
lost_in() { sed -nE 's/.* ([0-9]+) lost.*/\1/p' "$1" | tail -n 1; }
received_in() { sed -nE 's/.*verify: .* ([0-9]+) received.*/\1/p' "$1" | tail -n 1; }
dropped_in() { sed -nE 's/.*dropped at the high-water mark: ([0-9]+).*/\1/p' "$1" | tail -n 1; }

# ---- usage errors ----
run "an endpoint of another scheme is a usage error" 2 -- "$IPCDEMO" zmq produce --endpoint udp://127.0.0.1:1 x
like "it says which schemes" "$ERR" 'tcp://HOST:PORT or ipc://PATH'
run "--bind with --connect is a usage error" 2 -- "$IPCDEMO" zmq consume --bind --connect
run "an unknown pattern is a usage error" 2 -- "$IPCDEMO" zmq consume --pattern fanout
run "--topic outside pubsub is a usage error" 2 -- "$IPCDEMO" zmq consume --pattern pushpull --topic a
run "--reply outside reqrep is a usage error" 2 -- "$IPCDEMO" zmq consume --reply x
run "--wait-subscribers outside pubsub is a usage error" 2 -- "$IPCDEMO" zmq produce --pattern reqrep --wait-subscribers 1 x

# ---- completion: patterns, endpoint schemes, files after ipc:// ----
run "__complete zmq consume --pattern ''" 0 -- "$IPCDEMO" __complete zmq consume --pattern ''
is "the three patterns" "$(cut -f1 <<<"$OUT" | sort | tr '\n' ' ')" "pubsub pushpull reqrep "
run "__complete zmq consume --endpoint ''" 0 -- "$IPCDEMO" __complete zmq consume --endpoint ''
is "the two schemes" "$(cut -f1 <<<"$OUT" | sort | tr '\n' ' ')" "ipc:// tcp:// "
mkdir -p comp/dir
: >comp/z.sock
run "__complete zmq proxy --backend=ipc://comp/" 0 -- "$IPCDEMO" __complete zmq proxy --backend=ipc://comp/
is "the files after ipc://, a directory with its /" "$(cut -f1 <<<"$OUT" | sort | tr '\n' ' ')" "--backend=ipc://comp/dir/ --backend=ipc://comp/z.sock "

# ---- round trips ----
ep
bg sub "$IPCDEMO" zmq consume --endpoint "$EP" --verify --count 20 --timeout 10s
run "pubsub: the publisher waits for its subscriber" 0 -- "$IPCDEMO" zmq produce --endpoint "$EP" --seq -n 20 --wait-subscribers 1 --timeout 10s
reap "$BG"
is "pubsub: the subscriber exits 0" "$ST" 0
is "pubsub: it got all 20" "$(nlines sub.out)" 20
like "pubsub: --verify is clean" "$(cat sub.err)" 'verify: 1 producer, 20 received, 0 lost, 0 duplicated, 0 reordered$'

ep
bg sub "$IPCDEMO" zmq consume --endpoint "$EP" --topic news --json --count 3 --timeout 10s
run "pubsub with a topic frame" 0 -- "$IPCDEMO" zmq produce --endpoint "$EP" --topic news --wait-subscribers 1 --timeout 10s a b c
reap "$BG"
is "the topic subscriber gets the three" "$(nlines sub.out)" 3
like "--json shows the topic frame" "$(head -n 1 sub.out)" '^\{"payload":"a".*"topic":"news"'

# --topic is repeatable for a consumer: it subscribes to each. It binds
# and the publishers connect, each waiting for both subscriptions.
run "a second --topic of a producer is a usage error" 2 -- "$IPCDEMO" zmq produce --topic a --topic b x
like "it says --topic is once only" "$ERR" '--topic may be given only once'
ep
bg sub "$IPCDEMO" zmq consume --bind --endpoint "$EP" --topic news --topic sport --json --count 4 --timeout 10s
for t in weather news sport; do
	run "a $t publisher to a subscriber of two topics" 0 -- "$IPCDEMO" zmq produce --connect --endpoint "$EP" --topic "$t" --wait-subscribers 2 --timeout 10s "$t-1" "$t-2"
done
reap "$BG"
is "the subscriber of two topics exits 0" "$ST" 0
is "it got both topics' messages, in order" "$(sed -nE 's/.*"payload":"([^"]*)".*"topic":"([^"]*)".*/\2 \1/p' sub.out | tr '\n' ' ')" "news news-1 news news-2 sport sport-1 sport sport-2 "
unlike "and none of the third" "$(cat sub.out)" 'weather'

ep
bg pull "$IPCDEMO" zmq consume --pattern pushpull --endpoint "$EP" --verify --count 50 --timeout 10s
run "pushpull over tcp" 0 -- "$IPCDEMO" zmq produce --pattern pushpull --endpoint "$EP" --seq -n 50 --source counter --timeout 10s
reap "$BG"
is "pushpull: the puller exits 0" "$ST" 0
like "pushpull: --verify is clean" "$(cat pull.err)" 'verify: 1 producer, 50 received, 0 lost, 0 duplicated, 0 reordered$'

# PUSH shares: two PULL consumers, connected before the producer binds
# (they retry every 100 ms), and a producer that sends for a second, so
# both are connected while it sends; each shows its share, and the two
# shares make up all it sent, none twice.
ep
bg share1 "$IPCDEMO" zmq consume --pattern pushpull --endpoint "$EP" --verify --timeout 2s
share1bg=$BG
bg share2 "$IPCDEMO" zmq consume --pattern pushpull --endpoint "$EP" --stats --json --timeout 2s
share2bg=$BG
sleep 0.3
run "a PUSH producer to two PULL consumers" 0 -- "$IPCDEMO" zmq produce --pattern pushpull --endpoint "$EP" --seq --id 5 -n 50 --batches 20 --every 50ms --timeout 10s
reap "$share1bg"
is "the --verify consumer sees the other's share as gaps (exit 3)" "$ST" 3
reap "$share2bg"
is "the --stats consumer exits 0" "$ST" 0
got1=$(nlines share1.out)
got2=$(nlines share2.out)
like "--verify shows the consumer's share" "$(cat share1.err)" "^ipcdemo zmq consume: share: received $got1 of the [0-9]+ stamps up to each producer's highest \([0-9.]+%\); the rest went to other consumers or were lost\$"
like "--stats --json shows the other's" "$(cat share2.err)" "\"share\":\{\"received\":$got2,\"of\":[0-9]+,\"percent\":[0-9.]+\}\}\$"
ok "each got some ($got1 and $got2)" test "$got1" -gt 0 -a "$got2" -gt 0
is "the shares add up to all 1000" "$((got1 + got2))" 1000
is "none went to both" "$(cat share1.out share2.out | sort | uniq -d | wc -l)" 0

sock=$T/rep.sock
bg rep "$IPCDEMO" zmq consume --pattern reqrep --endpoint "ipc://$sock" --verify --count 3 --timeout 10s
wait_for 10 test -S "$sock"
is "an ipc socket we bind has mode 0600" "$(mode_of "$sock")" 600
run "reqrep over ipc" 0 -- "$IPCDEMO" zmq produce --pattern reqrep --endpoint "ipc://$sock" --seq --id 7 --timeout 10s one two three
is "REQ prints each reply, the default naming the request" "$OUT" "$(printf 'ack 7:1:one\nack 7:2:two\nack 7:3:three')"
reap "$BG"
is "REP exits 0" "$ST" 0
like "REP: --verify is clean" "$(cat rep.err)" 'verify: 1 producer, 3 received, 0 lost'

ep
bg rep "$IPCDEMO" zmq consume --pattern reqrep --endpoint "$EP" --reply pong --count 2 --timeout 10s
run "reqrep with --reply" 0 -- "$IPCDEMO" zmq produce --pattern reqrep --endpoint "$EP" --timeout 10s ping ping
is "each reply is the --reply text" "$OUT" "$(printf 'pong\npong')"
reap "$BG"

# ---- a REQ with no replier: a timeout, not a hang ----
ep
start=$(date +%s%N)
run "REQ with no replier times out (exit 4)" 4 -- "$IPCDEMO" zmq produce --pattern reqrep --endpoint "$EP" --timeout 500ms hello
elapsed=$((($(date +%s%N) - start) / 1000000))
ok "within bounds (${elapsed} ms, --timeout 500ms)" test "$elapsed" -lt 3000
like "it says no reply came" "$ERR" "no reply from $EP"

# ---- ipc:// path safety ----
printf 'keep me\n' >regular
run "a regular file at the ipc path is refused (exit 2)" 2 -- "$IPCDEMO" zmq produce --endpoint "ipc://$T/regular" x
like "it says why" "$ERR" 'exists and is not a socket'
is "the file is untouched" "$(cat regular)" "keep me"
ok "and still a regular file" test -f regular

# ---- ipc:// socket files: removed at the end, only our own; ls knows them ----
# libzmq leaves the socket file of an ipc:// endpoint it bound; ipcdemo
# removes it at every end, and only while the path is still that socket.
mkdir ipcd
D=$T/ipcd
gone() { [ ! -e "$1" ] && [ ! -L "$1" ]; }
bound() { # bg pid, path: the command runs and has bound path
	has_child "$1" && test -S "$2"
}
replaced() { # path, inode: a socket of another inode is at path
	[ -S "$1" ] && [ "$(stat -c %i "$1")" != "$2" ]
}
bg c "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "ipc://$D/c" -n 1 --timeout 10s
wait_for 10 bound "$BG" "$D/c"
run "a producer connects to a binding consumer" 0 -- "$IPCDEMO" zmq produce --pattern pushpull --connect --endpoint "ipc://$D/c" --timeout 10s a
reap "$BG"
is "the binding consumer ends after its count with 0" "$ST" 0
ok "its socket file is gone" gone "$D/c"
run "a binding consumer that times out (exit 4)" 4 -- "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "ipc://$D/ct" --timeout 300ms
ok "its socket file is gone after --timeout" gone "$D/ct"
bg pull "$IPCDEMO" zmq consume --pattern pushpull --endpoint "ipc://$D/p" -n 2 --timeout 10s
run "a binding producer (PUSH) sends two" 0 -- "$IPCDEMO" zmq produce --pattern pushpull --endpoint "ipc://$D/p" --timeout 10s a b
reap "$BG"
is "the connecting consumer got them" "$ST" 0
ok "the producer's socket file is gone" gone "$D/p"
run "a binding producer with no peer times out (exit 4)" 4 -- "$IPCDEMO" zmq produce --pattern pushpull --endpoint "ipc://$D/pt" --timeout 300ms a
ok "its socket file is gone after --timeout" gone "$D/pt"
for sig in INT TERM; do
	bg cs "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "ipc://$D/cs" --timeout 10s
	wait_for 10 bound "$BG" "$D/cs"
	kill -"$sig" "$(cmd_pid "$BG")"
	wait_for 5 dead "$BG"
	reap "$BG"
	ok "a binding consumer's socket file is gone after SIG$sig" gone "$D/cs"
	bg ps "$IPCDEMO" zmq produce --endpoint "ipc://$D/ps" --wait-subscribers 1 --timeout 10s a
	wait_for 10 bound "$BG" "$D/ps"
	kill -"$sig" "$(cmd_pid "$BG")"
	wait_for 5 dead "$BG"
	reap "$BG"
	ok "a binding publisher's socket file is gone after SIG$sig" gone "$D/ps"
done
bg proxy "$IPCDEMO" zmq proxy --pattern pushpull --frontend "ipc://$D/front" --backend "ipc://$D/back" -q
wait_for 10 bound "$BG" "$D/back"
ok "the proxy binds both" test -S "$D/front" -a -S "$D/back"
interrupt "$BG"
wait_for 5 dead "$BG"
reap "$BG"
is "the proxy exits 0 on Ctrl-C" "$ST" 0
ok "its frontend's socket file is gone" gone "$D/front"
ok "its backend's socket file is gone" gone "$D/back"
run "a proxy whose backend cannot be bound fails (exit 1)" 1 -- "$IPCDEMO" zmq proxy --frontend "ipc://$D/f1" --backend "ipc://$D/no-such-dir/b"
ok "the frontend it had bound is gone" gone "$D/f1"

# What took the path while it ran stays: a regular file, or the socket of
# another binder (libzmq replaces a socket file at the path it binds).
bg r "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "ipc://$D/r" --timeout 10s
rbg=$BG
wait_for 10 bound "$rbg" "$D/r"
rm "$D/r"
printf 'not yours\n' >"$D/r"
interrupt "$rbg"
wait_for 5 dead "$rbg"
reap "$rbg"
is "a regular file put at the path while it ran is left alone" "$(cat "$D/r" 2>&1)" "not yours"
rm -f "$D/r"
bg r1 "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "ipc://$D/r" --timeout 10s
r1=$BG
wait_for 10 bound "$r1" "$D/r"
ino1=$(stat -c %i "$D/r")
bg r2 "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "ipc://$D/r" -n 1 --timeout 10s
r2=$BG
wait_for 10 replaced "$D/r" "$ino1"
interrupt "$r1"
wait_for 5 dead "$r1"
reap "$r1"
ok "the socket another binder made at the path since stays" test -S "$D/r"
run "and that binder still takes messages there" 0 -- "$IPCDEMO" zmq produce --pattern pushpull --connect --endpoint "ipc://$D/r" --timeout 10s x
reap "$r2"
is "the second binder ends after its count with 0" "$ST" 0
ok "and removes its own socket file" gone "$D/r"

# ls: a socket a running ipcdemo zmq is bound to is of type zmq, with the
# binder's pid, listed once; after SIGKILL it is a stale socket like any
# other, which clean keeps (only a stale ipc.sock is removed, as for unix).
if isolated; then
	bg live "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "ipc://$D/live" --timeout 20s
	livebg=$BG
	wait_for 10 bound "$livebg" "$D/live"
	pid=$(cmd_pid "$livebg")
	run "ls DIR with a live zmq ipc socket" 0 -- "$IPCDEMO" ls "$D"
	like "it is of type zmq, bound by its pid" "$OUT" "^zmq +$(re_quote "$D/live") +- +[^ ]+ +0600 +- +- +$pid/ipcdemo +no +bound by pid $pid\$"
	is "listed once, not again as a socket" "$(count_re "$OUT" " $(re_quote "$D/live") ")" 1
	run "ls socket DIR" 0 -- "$IPCDEMO" ls socket "$D"
	is "ls socket: not as a socket either" "$(count_re "$OUT" " $(re_quote "$D/live") ")" 0
	run "ls zmq DIR" 0 -- "$IPCDEMO" ls zmq "$D"
	is "ls zmq: the zmq socket" "$(count_re "$OUT" "^zmq +$(re_quote "$D/live") ")" 1
	run "ls --json DIR" 0 -- "$IPCDEMO" ls --json "$D"
	like "--json: type zmq, its pid, a note" "$OUT" "^\\{\"type\":\"zmq\",\"name\":\"$(re_quote "$D/live")\",.*\"pid\":$pid,\"ipcdemo\":false,\"note\":\"bound by pid $pid\"\\}\$"
	is "--json: listed once" "$(count_re "$OUT" "\"$(re_quote "$D/live")\"")" 1
	run "clean DIR keeps a live zmq socket" 0 -- "$IPCDEMO" clean "$D"
	ok "it is still there" test -S "$D/live"
	kill -KILL "$pid"
	wait_for 5 dead "$livebg"
	reap "$livebg"
	ok "SIGKILL leaves the socket file" test -S "$D/live"
	run "ls DIR with a stale zmq ipc socket" 0 -- "$IPCDEMO" ls "$D"
	like "it is a stale socket, not ipcdemo's to clean" "$OUT" "^socket +$(re_quote "$D/live") +- +[^ ]+ +0600 +- +- +- +no\$"
	unlike "no longer zmq" "$OUT" "^zmq "
	run "clean DIR" 0 -- "$IPCDEMO" clean "$D"
	ok "clean keeps a stale socket of another name" test -S "$D/live"
	bg sock "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "ipc://$D/ipc.sock" --timeout 20s
	wait_for 10 bound "$BG" "$D/ipc.sock"
	kill -KILL "$(cmd_pid "$BG")"
	wait_for 5 dead "$BG"
	reap "$BG"
	run "ls DIR: a stale ipc.sock left by zmq" 0 -- "$IPCDEMO" ls "$D"
	like "it is ipcdemo's, as any stale ipc.sock" "$OUT" "^socket +$(re_quote "$D/ipc.sock") +- +[^ ]+ +0600 +- +- +- +yes\$"
	run "clean DIR removes it" 0 -- "$IPCDEMO" clean "$D"
	like "saying so" "$OUT" "^removed socket $(re_quote "$D/ipc.sock")\$"
	ok "it is gone" gone "$D/ipc.sock"
	rm -f "$D/live"
else
	skip "ls and clean of zmq ipc sockets" "$ISOLATION_WHY"
fi

# ---- the high-water mark: every drop counted ----
# 100000 messages in a burst on tiny high-water marks, then after a pause
# one more, which the drained queue takes: the consumer's "lost" (the
# holes up to the last) is then exactly the publisher's "dropped".
ep
bg hwm "$IPCDEMO" zmq consume --endpoint "$EP" --rcvhwm 10 --verify --timeout 3s
{
	seq 100000
	sleep 1
	echo last
} | "$IPCDEMO" zmq produce --endpoint "$EP" --sndhwm 10 --seq --source stdin --wait-subscribers 1 --timeout 10s >/dev/null 2>hwm-prod.err
pst=$?
reap "$BG"
is "the publisher exits 0" "$pst" 0
is "the subscriber's --verify fails on the loss (exit 3)" "$ST" 3
dropped=$(dropped_in hwm-prod.err)
lost=$(lost_in hwm.err)
received=$(received_in hwm.err)
ok "the publisher dropped some (${dropped:-none})" test "${dropped:-0}" -gt 0
is "the subscriber's lost equals the publisher's dropped" "${lost:-none}" "${dropped:-}"
is "sent = received + dropped" "$((${received:-0} + ${dropped:-0}))" 100001

# ---- the end of a PUSH: held until the peer has read all ----
# A PULL throttled at its high-water mark stops reading its kernel socket;
# when the pusher closed an ipc:// connection then, libzmq's receiver saw
# the hangup and dropped what it had not read (about half the runs of
# 300,000 messages lost some of the tail). The producer now holds its
# connections until the kernel says all was read.
for i in 1 2 3; do
	sock=$T/tail$i.sock
	bg tail "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "ipc://$sock" --verify --count 300000 --timeout 10s -q
	wait_for 10 test -S "$sock"
	"$IPCDEMO" zmq produce --pattern pushpull --connect --endpoint "ipc://$sock" --source counter --seq -n 300000 -q 2>tail-prod.err
	pst=$?
	reap "$BG"
	is "ipc tail, run $i: the producer exits 0, having said nothing" "$pst:$(cat tail-prod.err)" "0:"
	is "ipc tail, run $i: the consumer got all 300000" "$(nlines tail.out):$ST" "300000:0"
done
sock=$T/unread.sock
bg unread "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "ipc://$sock"
unreadbg=$BG
wait_for 10 test -S "$sock"
kill -STOP "$(cmd_pid "$unreadbg")"
run "a producer whose peer reads nothing exits 4" 4 -- "$IPCDEMO" zmq produce --pattern pushpull --connect --endpoint "ipc://$sock" --linger 300ms -n 5 -q
like "says, after its --linger, what is still unread" "$ERR" "^ipcdemo zmq produce: ipc://$(re_quote "$sock"): [0-9]+ bytes sent were still unread by the peer after the --linger"
kill -CONT "$(cmd_pid "$unreadbg")"
stop "$unreadbg"

# ---- the slow joiner ----
ep
bg late "$IPCDEMO" zmq produce --endpoint "$EP" --seq -n 1 --batches 30 --every 50ms x
sleep 0.5
run "a subscriber that joins late" 0 -- "$IPCDEMO" zmq consume --endpoint "$EP" --verify --timeout 2s
reap "$BG"
like "misses the first messages, and --verify says how many" "$ERR" ' [1-9][0-9]* sent before the first one received \(joined late\)'
ok "it got fewer than 30 ($(printf '%s\n' "$OUT" | wc -l))" test "$(printf '%s\n' "$OUT" | wc -l)" -lt 30
ep
bg early "$IPCDEMO" zmq produce --endpoint "$EP" --seq -n 1 --batches 30 --every 20ms --wait-subscribers 1 --timeout 10s x
sleep 0.5
run "with --wait-subscribers the late subscriber" 0 -- "$IPCDEMO" zmq consume --endpoint "$EP" --verify --count 30 --timeout 5s
reap "$BG"
is "gets all 30" "$(printf '%s\n' "$OUT" | wc -l)" 30
unlike "and misses none" "$ERR" 'joined late'

# ---- --events: the socket monitor ----
ep
bg evpub "$IPCDEMO" zmq produce --events --endpoint "$EP" -n 1 --batches 30 --every 50ms --wait-subscribers 1 --timeout 10s x
evpubbg=$BG
wait_for 10 has evpub.err 'event: listening'
run "a consumer with --events" 0 -- "$IPCDEMO" zmq consume --events --endpoint "$EP" --count 2 --timeout 10s
like "sees it connected" "$ERR" "^ipcdemo zmq consume: event: connected $(re_quote "$EP")\$"
wait_for 10 has evpub.err 'event: disconnected'
like "the producer saw the consumer accepted" "$(cat evpub.err)" "event: accepted $(re_quote "$EP")"
like "and disconnected when it went" "$(cat evpub.err)" "event: disconnected $(re_quote "$EP")"
reap "$evpubbg"
is "the producer exits 0" "$ST" 0

# ---- Ctrl-C with pending messages ----
ep
bg pull "$IPCDEMO" zmq consume --pattern pushpull --endpoint "$EP" --rcvhwm 5
wait_for 10 has_child "$BG"
pullbg=$BG
sleep 0.3
kill -STOP "$(cmd_pid "$pullbg")"
bg push "$IPCDEMO" zmq produce --pattern pushpull --endpoint "$EP" --sndhwm 5 --size 4096 -n 100000 --source counter
pushbg=$BG
sleep 1
ok "the pusher is blocked on its stalled peer" alive "$pushbg"
interrupt "$pushbg"
start=$(date +%s%N)
wait_for 5 dead "$pushbg"
elapsed=$((($(date +%s%N) - start) / 1000000))
ok "Ctrl-C ends it within a second (${elapsed} ms)" test "$elapsed" -lt 1000
reap "$pushbg"
is "with status 0" "$ST" 0
like "saying what was not sent" "$(cat push.err)" 'messages were not sent'
kill -CONT "$(cmd_pid "$pullbg")"
interrupt "$pullbg"
start=$(date +%s%N)
wait_for 5 dead "$pullbg"
elapsed=$((($(date +%s%N) - start) / 1000000))
ok "Ctrl-C ends a consumer within a second too (${elapsed} ms)" test "$elapsed" -lt 1000
reap "$pullbg"

# ---- proxy ----
run "proxy without --backend is a usage error" 2 -- "$IPCDEMO" zmq proxy --frontend tcp://127.0.0.1:1
run "proxy with reqrep is a usage error" 2 -- "$IPCDEMO" zmq proxy --frontend tcp://127.0.0.1:1 --backend tcp://127.0.0.1:2 --pattern reqrep
ep
printf 'keep me\n' >proxy-regular
run "proxy: a regular file at the ipc path is refused (exit 2)" 2 -- "$IPCDEMO" zmq proxy --frontend "$EP" --backend "ipc://$T/proxy-regular"
is "the proxy left the file untouched" "$(cat proxy-regular)" "keep me"

# two producers through a pushpull proxy to one consumer
ep
front=$EP
ep
back=$EP
bg proxy "$IPCDEMO" zmq proxy --pattern pushpull --frontend "$front" --backend "$back" --stats
proxybg=$BG
wait_for 10 has proxy.err 'forwarding'
bg pcons "$IPCDEMO" zmq consume --pattern pushpull --connect --endpoint "$back" --verify --count 40 --timeout 10s
pconsbg=$BG
bg prod1 "$IPCDEMO" zmq produce --pattern pushpull --connect --endpoint "$front" --seq --id 1 -n 20 --source counter --timeout 10s
run "pushpull: a producer through the proxy" 0 -- "$IPCDEMO" zmq produce --pattern pushpull --connect --endpoint "$front" --seq --id 2 -n 20 --source counter --timeout 10s
reap "$BG"
is "the other producer exits 0" "$ST" 0
reap "$pconsbg"
is "the consumer behind the proxy exits 0" "$ST" 0
like "it got both producers' messages, --verify clean" "$(cat pcons.err)" 'verify: 2 producers, 40 received, 0 lost, 0 duplicated, 0 reordered'
ok "the proxy still runs" alive "$proxybg"
interrupt "$proxybg"
start=$(date +%s%N)
wait_for 5 dead "$proxybg"
elapsed=$((($(date +%s%N) - start) / 1000000))
ok "Ctrl-C ends the proxy within a second (${elapsed} ms)" test "$elapsed" -lt 1000
reap "$proxybg"
is "with status 0" "$ST" 0
like "saying what it forwarded" "$(cat proxy.err)" "forwarded 40 messages from $(re_quote "$front") to $(re_quote "$back"); in [0-9.]+ s"

# two publishers through a pubsub proxy (ipc frontend) to a subscriber
ep
back=$EP
front=ipc://$T/proxy-front
bg proxy "$IPCDEMO" zmq proxy --frontend "$front" --backend "$back" --json
proxybg=$BG
wait_for 10 test -S "$T/proxy-front"
ok "the proxy's ipc socket is mode 600" test "$(mode_of "$T/proxy-front")" = 600
bg psub "$IPCDEMO" zmq consume --connect --endpoint "$back" --verify --count 40 --timeout 10s
psubbg=$BG
bg pub1 "$IPCDEMO" zmq produce --connect --endpoint "$front" --seq --id 1 -n 20 --source counter --wait-subscribers 1 --timeout 10s
run "pubsub: a publisher through the proxy" 0 -- "$IPCDEMO" zmq produce --connect --endpoint "$front" --seq --id 2 -n 20 --source counter --wait-subscribers 1 --timeout 10s
reap "$BG"
is "the other publisher exits 0" "$ST" 0
reap "$psubbg"
is "the subscriber behind the proxy exits 0" "$ST" 0
like "it got both publishers' messages, --verify clean" "$(cat psub.err)" 'verify: 2 producers, 40 received, 0 lost, 0 duplicated, 0 reordered'
interrupt "$proxybg"
wait_for 5 dead "$proxybg"
reap "$proxybg"
is "the pubsub proxy exits 0 on Ctrl-C" "$ST" 0
like "its JSON summary" "$(cat proxy.err)" '^\{"mechanism":"zmq","verb":"proxy","pattern":"pubsub","to_backend":40,"to_frontend":[0-9]+,"dropped_hwm":0\}$'

# ---- pyzmq, a peer no one here wrote ----
if $have_pyzmq; then
	ep
	bg pysub "$PY" -c '
import sys, zmq
c = zmq.Context()
s = c.socket(zmq.SUB)
s.setsockopt(zmq.RCVTIMEO, 10000)
s.setsockopt(zmq.SUBSCRIBE, b"")
s.connect(sys.argv[1])
for _ in range(5):
    print(s.recv().decode(), flush=True)
' "$EP"
	run "zmq produce to a pyzmq subscriber" 0 -- "$IPCDEMO" zmq produce --endpoint "$EP" --wait-subscribers 1 --timeout 10s -n 5 --source counter
	reap "$BG"
	is "pyzmq received the five" "$(tr '\n' ' ' <pysub.out)" "1 2 3 4 5 "
	ep
	bg pypub "$PY" -c '
import sys, zmq
c = zmq.Context()
s = c.socket(zmq.XPUB)
s.setsockopt(zmq.RCVTIMEO, 10000)
s.bind(sys.argv[1])
s.recv()
for i in range(1, 6):
    s.send(("9:%d:from pyzmq" % i).encode())
s.close(linger=2000)
c.term()
' "$EP"
	run "zmq consume from a pyzmq publisher" 0 -- "$IPCDEMO" zmq consume --endpoint "$EP" --verify --count 5 --timeout 10s
	reap "$BG"
	is "the python publisher exits 0" "$ST" 0
	is "its five messages" "$(printf '%s\n' "$OUT" | tail -n 1)" "9:5:from pyzmq"
	like "--verify is clean" "$ERR" '5 received, 0 lost'

	# messages of several frames, from a peer that sends them
	ep
	bg mp "$PY" -c '
import sys, zmq
c = zmq.Context()
s = c.socket(zmq.PUSH)
s.connect(sys.argv[1])
s.send_multipart([b"1:1:a", b"b", b"c"])
s.send_multipart([b"1:2:d", b"e", b"f"])
s.close(linger=15000)
c.term()
' "$EP"
	run "a 3-frame PUSH message" 0 -- "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "$EP" --count 2 --timeout 10s --verify
	is "its frames arrive joined, each message once" "$OUT" "$(printf '1:1:abc\n1:2:def')"
	like "--verify reads the joined stamps" "$ERR" '2 received, 0 lost'
	reap "$BG"
	is "the python pusher exits 0" "$ST" 0
	bg mp "$PY" -c '
import sys, zmq
c = zmq.Context()
s = c.socket(zmq.PUSH)
s.connect(sys.argv[1])
s.send_multipart([b"a", b"b\"", b"c"])
s.close(linger=15000)
c.term()
' "$EP"
	run "and in --json" 0 -- "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "$EP" --count 1 --timeout 10s --json
	like "--json shows the joined payload and the three frames" "$OUT" '^\{"payload":"ab\\"c",.*"frames":\["a","b\\"","c"\]\}$'
	reap "$BG"
	is "the python pusher exits 0" "$ST" 0

	ep
	bg mpub "$PY" -c '
import sys, zmq
c = zmq.Context()
s = c.socket(zmq.XPUB)
s.setsockopt(zmq.RCVTIMEO, 10000)
s.bind(sys.argv[1])
s.recv()
s.send_multipart([b"news", b"a", b"b"])
s.close(linger=2000)
c.term()
' "$EP"
	run "a pubsub message [topic, a, b]" 0 -- "$IPCDEMO" zmq consume --endpoint "$EP" --topic news --count 1 --timeout 10s --json
	like "the first frame is the topic, the rest the message" "$OUT" '^\{"payload":"ab",.*"topic":"news","frames":\["a","b"\]\}$'
	reap "$BG"
	is "the python publisher exits 0" "$ST" 0

	ep
	bg mreq "$PY" -c '
import sys, zmq
c = zmq.Context()
s = c.socket(zmq.REQ)
s.setsockopt(zmq.RCVTIMEO, 10000)
s.connect(sys.argv[1])
s.send_multipart([b"x", b"y"])
print(s.recv_multipart(), flush=True)
' "$EP"
	run "REP: a request of two frames" 0 -- "$IPCDEMO" zmq consume --pattern reqrep --endpoint "$EP" --count 1 --timeout 10s
	is "is one message" "$OUT" "xy"
	reap "$BG"
	is "answered once, after its last frame" "$(cat mreq.out)" "[b'ack xy']"

	# a message over --size: cut, counted and said; a frame over libzmq's
	# ZMQ_MAXMSGSIZE drops its connection before it is read
	ep
	bg big "$PY" -c '
import sys, time, zmq
c = zmq.Context()
s = c.socket(zmq.PUSH)
s.connect(sys.argv[1])
s.send_multipart([b"0123", b"456789"])
s.send(b"x" * (64 << 20))
time.sleep(1)
s.send(b"after")
s.close(linger=15000)
c.term()
' "$EP"
	timed=()
	[ -x /usr/bin/time ] && timed=(/usr/bin/time -f 'maxrss %M kB')
	run "a message over --size" 1 -- "${timed[@]}" "$IPCDEMO" zmq consume --pattern pushpull --bind --endpoint "$EP" --size 6 --events --count 2 --timeout 10s --json --stats
	like "is cut to --size" "$OUT" '^\{"payload":"012345",.*"frames":\["0123","45"\],"truncated":true\}$'
	like "and said" "$ERR" 'message truncated to 6 bytes in 2 frames: 10 bytes in 2 frames arrived'
	like "and counted in --stats" "$ERR" '"truncated":1[,}]'
	like "the 64 MiB frame dropped its connection" "$ERR" 'event: disconnected'
	like "and the next message still came" "$OUT" '"payload":"after"'
	if [ ${#timed[@]} -gt 0 ]; then
		rss=$(sed -nE 's/^maxrss ([0-9]+) kB$/\1/p' <<<"$ERR")
		ok "the consumer never held the 64 MiB frame (${rss:-?} kB)" test "${rss:-999999}" -lt 32768
	else
		skip "the consumer's memory" "no /usr/bin/time"
	fi
	reap "$BG"
	is "the python pusher exits 0" "$ST" 0
else
	skip "pyzmq interop" "no pyzmq in /usr/bin/python3 (Debian: python3-zmq)"
fi

# ---- demo ----
ep
run "zmq demo" 0 -- "$IPCDEMO" zmq demo --endpoint "$EP"
like "the notes' message" "$OUT" 'consumer \| [0-9]+:[0-9]+:Hello from ZeroMQ!'
like "the late subscriber's loss is shown" "$OUT" 'sent before the first one received \(joined late\)'
like "then with --wait-subscribers all ten" "$OUT" 'verify: 1 producer, 10 received, 0 lost'

done_testing
