#!/bin/bash
# Every blocking wait says once on stderr what it waits for and how to end
# it, and nothing with -q: a full or empty queue (mq, sysv, shm), a FIFO
# with no reader or nothing written yet, a file not created yet, a socket
# with no listener, no consumer or no producer, a lock another process
# holds, a ZeroMQ PUSH with no peer or a REQ with no reply. --timeout or
# Ctrl-C ends each wait; the tests look at what was said, not at how long
# it took.
# (plain shellcheck does not follow lib.sh; shellcheck -x does)
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"

export LC_ALL=C
HINT='\(Ctrl-C ends\)$'
said() { count_re "$1" "$2"; } # text regex: how many lines say it

# ---- POSIX mq: full, empty, once, -q ----

Q=/ipcdemo-waits-$$
run "mq: a queue of 2" 0 -- "$IPCDEMO" mq create -q --name "$Q" --maxmsg 2 --msgsize 64
run "mq send: 3 into 2 slots, --timeout ends the wait" 4 -- \
	"$IPCDEMO" mq send --name "$Q" -t 300ms --source counter -n 3
like "mq send: says the queue is full, with the counts, and how to end it" "$ERR" \
	"^ipcdemo mq send: $(re_quote "$Q") is full \\(2 of 2 messages\\); waiting for a consumer $HINT"
is "mq send: says it once" "$(said "$ERR" 'waiting for')" 1
run "mq send -q: the same wait" 4 -- "$IPCDEMO" mq send -q --name "$Q" -t 300ms x
unlike "mq send -q: says nothing of the wait" "$ERR" 'waiting'
run "mq receive: takes the 2" 0 -- "$IPCDEMO" mq receive --name "$Q" -n 2
unlike "mq receive: no wait while messages are there" "$ERR" 'waiting'
run "mq receive: empty, --timeout ends the wait" 4 -- "$IPCDEMO" mq receive --name "$Q" -t 300ms
like "mq receive: says the queue is empty" "$ERR" \
	"^ipcdemo mq receive: $(re_quote "$Q") is empty; waiting for a producer $HINT"
is "mq receive: says it once" "$(said "$ERR" 'waiting for')" 1
run "mq receive -q: empty" 4 -- "$IPCDEMO" mq receive -q --name "$Q" -t 300ms
is "mq receive -q: says nothing" "$ERR" ""
run "mq send --nonblock: never waits" 0 -- "$IPCDEMO" mq send --name "$Q" --nonblock a b
unlike "mq send --nonblock: says no wait" "$ERR" 'waiting'

# A sender that waits again and again on a full queue says it once.
bg s "$IPCDEMO" mq send --name "$Q" --source counter -n 40
s=$BG
ok "mq, many waits: the sender waits on the full queue" wait_for 20 has s.err 'is full'
run "mq, many waits: a receiver takes all" 0 -- "$IPCDEMO" mq receive --name "$Q" -n 42 -t 10s
reap "$s"
is "mq, many waits: the sender exits 0" "$ST" 0
is "mq, many waits: said once" "$(count_in s.err 'waiting')" 1
run "mq: unlink" 0 -- "$IPCDEMO" mq unlink -q --name "$Q"

# ---- System V: full, empty of a type ----

K=$(printf '0x7d%06x' $(($$ % 65536)))
run "sysv: create" 0 -- "$IPCDEMO" sysv create -q --key "$K"
qbytes=$("$IPCDEMO" sysv info --json --key "$K" | sed -nE 's/.*"qbytes": *([0-9]+).*/\1/p')
fill=$((qbytes / 4096))
run "sysv send: one more than fits, --timeout ends the wait" 4 -- \
	"$IPCDEMO" sysv send -q --key "$K" --size 4k --source counter -n $((fill + 1)) -t 300ms
is "sysv send -q: says nothing of the wait" "$(said "$ERR" 'waiting')" 0
run "sysv send: full, --timeout ends the wait" 4 -- "$IPCDEMO" sysv send --key "$K" -t 300ms x
like "sysv send: says the queue is full, with the counts" "$ERR" \
	"^ipcdemo sysv send: key $K is full \\($fill messages, $qbytes of $qbytes bytes\\); waiting for a consumer $HINT"
is "sysv send: says it once" "$(said "$ERR" 'waiting for')" 1
run "sysv receive --type 7: none of that type" 4 -- "$IPCDEMO" sysv receive --key "$K" --type 7 -t 300ms
like "sysv receive: says which type it waits for" "$ERR" \
	"^ipcdemo sysv receive: key $K has no message of type 7; waiting for a producer $HINT"
run "sysv: rm" 0 -- "$IPCDEMO" sysv rm -q --key "$K"

# ---- shm: the ring's words through the same line ----

R=/ipcdemo-waits-ring-$$
run "shm: a ring of 2 slots of 16 bytes" 0 -- "$IPCDEMO" shm create -q --name "$R" --slots 2 --slot-size 16
run "shm produce: 3 into 2 slots" 4 -- "$IPCDEMO" shm produce --name "$R" -t 300ms --source counter -n 3 --size 16
like "shm produce: says the ring is full" "$ERR" \
	"^ipcdemo shm produce: $(re_quote "$R") is full \\(2 slots\\); waiting for a consumer $HINT"
is "shm produce: says it once" "$(said "$ERR" 'waiting for')" 1
run "shm consume: the 2, then empty" 0 -- "$IPCDEMO" shm consume --name "$R" -t 300ms
unlike "shm consume: an empty ring after messages is no first wait" "$ERR" 'waiting'
run "shm consume: empty from the start" 4 -- "$IPCDEMO" shm consume --name "$R" -t 300ms
like "shm consume: says the ring is empty" "$ERR" \
	"^ipcdemo shm consume: $(re_quote "$R") is empty; waiting for a producer $HINT"
run "shm consume -q: empty" 4 -- "$IPCDEMO" shm consume -q --name "$R" -t 300ms
is "shm consume -q: says nothing" "$ERR" ""
run "shm: unlink" 0 -- "$IPCDEMO" shm unlink -q --name "$R"

# ---- FIFO: no reader, nothing written ----

bg p "$IPCDEMO" fifo produce --path w.fifo x
p=$BG
ok "fifo produce: says it waits for a reader" wait_for 20 has p.err \
	"no consumer yet; waiting for a consumer to open w\\.fifo $HINT"
interrupt "$p"
reap "$p"
is "fifo produce: Ctrl-C ends the wait" "$(count_in p.err 'waiting')" 1
bg c "$IPCDEMO" fifo consume --path w.fifo
c=$BG
ok "fifo consume: says it waits for a writer" wait_for 20 has c.err \
	"nothing written to w\\.fifo yet; waiting for a producer $HINT"
run "fifo: a producer comes" 0 -- "$IPCDEMO" fifo produce -q --path w.fifo one two
ok "fifo consume: gets them" wait_for 20 has_lines c.out 2
interrupt "$c"
reap "$c"
is "fifo consume: said it once" "$(count_in c.err 'waiting for a producer')" 1
bg c "$IPCDEMO" fifo consume -q --path w.fifo
c=$BG
ok "fifo consume -q: runs" wait_for 20 has_child "$c"
sleep 0.3
interrupt "$c"
reap "$c"
is "fifo consume -q: says nothing" "$(cat c.err)" ""

# ---- Unix sockets: no listener, no consumer, no producer ----

run "unix consume --wait: no one listens" 1 -- "$IPCDEMO" unix consume --path none.sock --wait 300ms
like "unix consume --wait: says it waits, and for how long" "$ERR" \
	"no one is listening on none\\.sock yet; waiting for one, up to --wait $HINT"
is "unix consume --wait: says it once" "$(said "$ERR" 'waiting for')" 1
run "unix consume -q --wait" 1 -- "$IPCDEMO" unix consume -q --path none.sock --wait 300ms
unlike "unix consume -q --wait: says nothing of the wait" "$ERR" 'waiting'
bg p "$IPCDEMO" unix produce --path p.sock -n 1 x
p=$BG
ok "unix produce: says it waits for a consumer" wait_for 20 has p.err \
	"no consumer connected; waiting for one on p\\.sock $HINT"
interrupt "$p"
reap "$p"
bg c "$IPCDEMO" unix consume --listen --path l.sock
c=$BG
ok "unix consume --listen: says it waits for a producer" wait_for 20 has c.err \
	"listening on l\\.sock \\(stream\\); waiting for a producer to connect $HINT"
interrupt "$c"
reap "$c"
bg c "$IPCDEMO" unix consume --type dgram --path d.sock
c=$BG
ok "unix consume, datagrams: says it waits for a producer" wait_for 20 has c.err \
	"receiving on d\\.sock \\(datagrams\\); waiting for a producer $HINT"
interrupt "$c"
reap "$c"

# ---- file: no file yet, a lock another process holds ----

bg c "$IPCDEMO" file consume --path later.txt
c=$BG
ok "file consume: says it waits for the file" wait_for 20 has c.err "waiting for later\\.txt to be created $HINT"
run "file: a producer makes it" 0 -- "$IPCDEMO" file produce -q --path later.txt one
ok "file consume: gets the message" wait_for 20 has c.out one
interrupt "$c"
reap "$c"
is "file consume: said it once" "$(count_in c.err 'to be created')" 1

if command -v flock >/dev/null 2>&1; then
	: >locked.txt
	bg h flock --no-fork locked.txt sleep 30
	h=$BG
	ok "file: another process holds the lock" wait_for 20 has_child "$h"
	sleep 0.2
	bg p "$IPCDEMO" file produce --path locked.txt x
	p=$BG
	ok "file produce: says the lock is held" wait_for 20 has p.err \
		"locked\\.txt is locked \\(flock\\) by another process; waiting for the lock $HINT"
	stop "$h"
	ok "file produce: writes once the lock is free" wait_for 20 dead "$p"
	reap "$p"
	is "file produce: exits 0" "$ST" 0
	is "file produce: said it once" "$(count_in p.err 'waiting')" 1
	run "file produce: no lock held, no word" 0 -- "$IPCDEMO" file produce --path locked.txt y
	unlike "file produce: free lock: says nothing of a wait" "$ERR" 'waiting'
else
	skip "file: a lock another process holds" "no flock(1)"
fi
# shellcheck disable=SC2154 # have_python: set by lib.sh
if $have_python; then
	# shellcheck disable=SC2016 # python, in single quotes on purpose
	holder='
import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(30)
'
	bg_direct h python3 -c "$holder" locked.txt
	h=$BG
	ok "file, fcntl: another process holds the lock" wait_for 20 has h.out locked
	bg p "$IPCDEMO" file produce --lock fcntl --path locked.txt x
	p=$BG
	ok "file produce --lock fcntl: says which process holds it" wait_for 20 has p.err \
		"locked\\.txt is locked \\(fcntl\\) by pid $h; waiting for the lock $HINT"
	kill "$h"
	wait "$h" 2>/dev/null
	ok "file produce --lock fcntl: writes once the lock is free" wait_for 20 dead "$p"
	reap "$p"
	is "file produce --lock fcntl: exits 0" "$ST" 0
else
	skip "file, fcntl: a lock another process holds" "no python3"
fi

# ---- zmq: PUSH with no peer, REQ with no reply ----

if "$IPCDEMO" zmq consume --timeout 1ms --endpoint tcp://127.0.0.1:1 2>&1 | grep -q 'has no ZeroMQ'; then
	skip "zmq: PUSH with no peer" "this build has no ZeroMQ"
else
	run "zmq PUSH: no peer, --timeout ends the wait" 4 -- \
		"$IPCDEMO" zmq produce --pattern pushpull --endpoint "ipc://$T/push.ipc" -t 300ms a
	like "zmq PUSH: says it waits for a peer" "$ERR" \
		"no peer is ready for messages on ipc://.*push\\.ipc; waiting $HINT"
	is "zmq PUSH: says it once" "$(said "$ERR" 'waiting')" 1
	run "zmq PUSH -q: no peer" 4 -- \
		"$IPCDEMO" zmq produce -q --pattern pushpull --endpoint "ipc://$T/push.ipc" -t 300ms a
	unlike "zmq PUSH -q: says nothing of the wait" "$ERR" 'waiting'
	run "zmq REQ: no replier, --timeout ends the wait" 4 -- \
		"$IPCDEMO" zmq produce --pattern reqrep --endpoint "ipc://$T/req.ipc" -t 500ms a
	like "zmq REQ: says it waits for the reply" "$ERR" \
		"no reply from ipc://.*req\\.ipc after 100 ms; waiting for it $HINT"
	is "zmq REQ: says it once" "$(said "$ERR" 'waiting')" 1
fi

done_testing
