#!/bin/bash
# The kill -9 matrix: each mechanism, its producer and its consumer killed
# with SIGKILL at random moments, N rounds each.
#
# What "accepted" means, from the code and the man pages:
#  - a producer that is not killed accepted 1..sent, the "sent" of its
#    --stats --json summary;
#  - a producer that is killed accepted what it echoed: a producer echoes a
#    message only once the channel took it (issue 10, item 9);
#  - the queues (mq, sysv, shm) and the file keep what they accepted: a
#    killed consumer loses only what it had taken and not printed, at most
#    the message in hand (mq, sysv) or one batch of 64 KiB (shm), as
#    ipcdemo-mq(1), ipcdemo-sysv(1) and ipcdemo-shm(1) say; the consumers
#    here are line buffered (stdbuf -oL), so nothing waits in stdio;
#  - the streams lose at most what was in flight, and --verify of the
#    consumer that stays says exactly how much: its "lost" equals the seqs
#    that really are missing from what it printed.
# Duplicates are counted apart: a queue never delivers a message twice; a
# file is read again from its start by each new consumer.
# shellcheck source=tests/fault/lib.sh
. "$(dirname "$0")/lib.sh"

SIZE=500        # bytes per message: many per write, a few per slot
BIG=100000000   # "forever" for a producer that will be killed
KILLS=0         # kills survived
PUSHED=0        # messages accepted in all cases
LOST=0          # accepted and never received, beyond what may be lost
LB=()
command -v stdbuf >/dev/null 2>&1 && LB=(stdbuf -oL)
# Messages a killed consumer may lose: what it had taken and not printed.
in_hand() { # mechanism
	case $1 in
	mq | sysv) echo 1 ;;
	shm) echo $(((65536 + 4096) / SIZE + 1)) ;;
	file) echo 0 ;;
	*) echo $(((256 + 64 + 64) * 1024 / SIZE + 1)) ;; # read buffer, pipe, chunk
	esac
}
# Outputs of producers killed at random moments can be large; each case
# removes its files when done.
# In KiB: 800 MiB, or 8 MiB a round for large N (a paced producer killed
# within 250 ms writes at most about 6 MB).
FSIZE_BLOCKS=$((N > 100 ? N * 8192 : 400 * 2048)) # read by lib.sh's bg_direct
[ ${#LB[@]} -eq 0 ] && echo "# stdbuf(1) missing: a killed consumer may also lose its stdio buffer"

# kill_at_random PID: wait a random moment, SIGKILL PID, reap it.
kill_at_random() {
	rand_sleep_ms 20 250
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	KILLS=$((KILLS + 1))
}

stop_with_summary() { # pid name: SIGTERM, reap, check a documented status
	kill -TERM "$1" 2>/dev/null
	if wait_for 5 dead "$1"; then
		reap "$1"
	else
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		ST=timeout
	fi
	ok "$2: ends on SIGTERM with a documented status (got $ST)" documented "$ST"
}

# check_accepted NAME ACCEPTED_FILE RECEIVED_FILE ALLOWED_MISSING DUPS_OK
check_accepted() {
	local name=$1 acc=$2 got=$3 allowed=$4 dups_ok=$5 c m d
	c=$(compare "$acc" "$got")
	m=$(field "$c" missing)
	d=$(field "$c" duplicated)
	echo "# $name: accepted $(sort -u "$acc" | wc -l), received $(sort -u "$got" | wc -l) distinct; $c"
	PUSHED=$((PUSHED + $(sort -u "$acc" | wc -l)))
	[ "$m" -gt "$allowed" ] && LOST=$((LOST + m - allowed))
	ok "$name: at most $allowed accepted messages missing (missing $m)" [ "$m" -le "$allowed" ]
	if [ "$dups_ok" = no ]; then
		is "$name: nothing received twice" "$d" 0
	fi
}

# check_verify NAME OUT ERR: the consumer's --verify "lost" is the number
# of seqs that really are missing from what it printed.
check_verify() {
	local name=$1 real said
	seqs_of "$2" >"$name.got"
	real=$(missing_in "$name.got")
	said=$(verify_lost "$3")
	echo "# $name: $(wc -l <"$name.got") stamped messages printed, $real missing between first and last, --verify says lost ${said:-none}"
	is "$name: --verify's lost equals the seqs really missing" "${said:-none}" "$real"
}

# ---- queues: mq, sysv, shm -------------------------------------------------

queue_producer_kills() { # mech
	local m=$1 r cons
	bg_direct "$m-cons" "$IPCDEMO" "$m" consume -q
	cons=$BG
	for r in $(seq "$N"); do
		bg_direct "$m-p$r" "$IPCDEMO" "$m" produce --seq --id "$r" --source counter -n "$BIG" --size "$SIZE"
		kill_at_random "$BG"
	done
	stop_with_summary "$cons" "$m producer kills: consumer"
	"$IPCDEMO" "$m" consume --nonblock -q >"$m-drain.out" 2>/dev/null
	seqs_of "$m"-p*.out >"$m-acc"
	seqs_of "$m-cons.out" "$m-drain.out" >"$m-got"
	check_accepted "$m producer killed $N times" "$m-acc" "$m-got" 0 no
	"$IPCDEMO" "$m" unlink -q 2>/dev/null || "$IPCDEMO" "$m" rm -q 2>/dev/null
	rm -f "$m"-*.out "$m"-acc* "$m"-got*
}

queue_consumer_kills() { # mech
	local m=$1 r prod sent i=0
	bg_direct "$m-prod" "$IPCDEMO" "$m" produce --seq --id 1 --source counter -n $((20000 * N)) \
		--size "$SIZE" -q --stats --json
	prod=$BG
	for r in $(seq "$N"); do
		bg_direct "$m-victim$r" "${LB[@]}" "$IPCDEMO" "$m" consume -q
		kill_at_random "$BG"
	done
	# The rest, until the producer is done and the queue empty.
	: >"$m-final.out"
	while [ $i -lt 60 ]; do
		"$IPCDEMO" "$m" consume -t 1s -q >>"$m-final.out" 2>/dev/null
		dead "$prod" && "$IPCDEMO" "$m" consume --nonblock -q >>"$m-final.out" 2>/dev/null
		dead "$prod" && break
		i=$((i + 1))
	done
	reap "$prod"
	is "$m consumer kills: producer exits 0" "$ST" 0
	sent=$(sed -n 's/.*"sent":\([0-9]*\).*/\1/p' "$m-prod.err")
	seq -f "1:%.0f" 1 "${sent:-0}" >"$m-acc2"
	seqs_of "$m"-victim*.out "$m-final.out" >"$m-got2"
	check_accepted "$m consumer killed $N times" "$m-acc2" "$m-got2" $((N * $(in_hand "$m"))) no
	"$IPCDEMO" "$m" unlink -q 2>/dev/null || "$IPCDEMO" "$m" rm -q 2>/dev/null
	rm -f "$m"-*.out "$m"-acc* "$m"-got*
}

for m in mq sysv shm; do
	queue_producer_kills "$m"
	queue_consumer_kills "$m"
done

# ---- shm: a ring whose lock holder was killed ------------------------------
# Two producers and two consumers on a small ring, killed at random; the
# ring must go on working, and every lock taken over from a dead holder
# is counted in info's "recovered" and said on standard error.
shm_holders() {
	local r k pids=() rec notes info st
	"$IPCDEMO" shm create -q --name /fault-lock --slots 4 --slot-size 4096
	for r in $(seq "$N"); do
		pids=()
		for k in 1 2; do
			bg_direct "lock-p$r-$k" "$IPCDEMO" shm produce --name /fault-lock --seq --id "$r$k" \
				--source counter -n "$BIG" --size 4000 -q
			pids+=("$BG")
			bg_direct "lock-c$r-$k" "$IPCDEMO" shm consume --name /fault-lock -q
			pids+=("$BG")
		done
		rand_sleep_ms 50 300
		for k in "${pids[@]}"; do
			kill -KILL "$k" 2>/dev/null
			KILLS=$((KILLS + 1))
		done
		wait "${pids[@]}" 2>/dev/null
	done
	run "shm after killed holders: info answers" 0 -- "$IPCDEMO" shm info --json --name /fault-lock
	info=$OUT
	timeout -k 1 10 "$IPCDEMO" shm consume --name /fault-lock --nonblock -q >/dev/null 2>&1
	st=$? # 1 when it was empty already
	ok "shm after killed holders: drained without a hang (status $st)" [ "$st" -le 1 ]
	run "shm after killed holders: a put goes in" 0 -- "$IPCDEMO" shm produce --name /fault-lock -q -t 2s ok
	run "shm after killed holders: and comes out" 0 -- "$IPCDEMO" shm consume --name /fault-lock -t 2s -n 1
	is "shm after killed holders: the message is whole" "$OUT" ok
	rec=$(printf '%s\n' "$info" | sed -n 's/.*"recovered":\([0-9]*\).*/\1/p')
	notes=$(cat lock-*.err "$T/.err" 2>/dev/null | grep -ci 'died holding')
	echo "# shm ring: $((N * 4)) holders killed, $rec locks recovered, $notes notes of it"
	ok "shm: info reports recovered locks (recovered $rec >= notes $notes)" [ "${rec:-0}" -ge "$notes" ]
	"$IPCDEMO" shm unlink -q --name /fault-lock
}
shm_holders

# ---- the file -------------------------------------------------------------

file_kills() {
	local r prod sent
	# Producers killed while they append; a consumer follows all along.
	bg_direct file-cons "$IPCDEMO" file consume -q
	local cons=$BG
	for r in $(seq "$N"); do
		bg_direct "file-p$r" "$IPCDEMO" file produce --seq --id "$r" --source counter -n 500 \
			--every 10ms --batches 400 --size "$SIZE"
		kill_at_random "$BG"
	done
	stop_with_summary "$cons" "file producer kills: consumer"
	"$IPCDEMO" file consume --no-follow --verify -q >file-all.out 2>file-all.err
	seqs_of file-p*.out >file-acc
	seqs_of file-all.out >file-got
	check_accepted "file producer killed $N times" file-acc file-got 0 no
	check_verify "file after $N producer kills" file-all.out file-all.err
	# A kill inside write(2) is too rare a moment to wait for: make the
	# torn last line it leaves (issue 10, item 7), and append after it.
	printf '%s' "9:77:a line cut by SIGKILL" >>storage
	"$IPCDEMO" file produce --seq --id "$((N + 1))" --source counter -n 5 -q
	"$IPCDEMO" file consume --no-follow -q >file-torn.out 2>/dev/null
	is "file after a torn last line: every line of the next producer is whole" \
		"$(seqs_of file-torn.out | grep -c "^$((N + 1)):")" 5
	# Consumers killed while a producer appends: the file keeps it all.
	rm -f storage
	bg_direct file-prod "$IPCDEMO" file produce --seq --id 1 --source counter -n 1000 --batches $((20 * N)) \
		--every 10ms --size "$SIZE" -q --stats --json
	prod=$BG
	for r in $(seq "$N"); do
		bg_direct "file-victim$r" "${LB[@]}" "$IPCDEMO" file consume -q
		kill_at_random "$BG"
	done
	wait_for 30 dead "$prod"
	reap "$prod"
	is "file consumer kills: producer exits 0" "$ST" 0
	sent=$(sed -n 's/.*"sent":\([0-9]*\).*/\1/p' file-prod.err)
	seq -f "1:%.0f" 1 "${sent:-0}" >file-acc2
	"$IPCDEMO" file consume --no-follow -q >file-final.out 2>/dev/null
	seqs_of file-victim*.out file-final.out >file-got2
	check_accepted "file consumer killed $N times" file-acc2 file-got2 0 yes
	rm -f storage file-*
}
file_kills

# ---- streams and datagrams ------------------------------------------------

# pipe: the producer killed (the consumer reads to the end of file), then
# the consumer killed (the producer ends quietly with status 0).
pipe_kills() {
	local r pp sent got
	# shellcheck disable=SC2016 # expanded by the shells below
	local remember='echo $$ >"$0"; exec "$@"'
	for r in $(seq "$N"); do
		rm -f "pipe-k$r.pid"
		# shellcheck disable=SC2016
		bg_direct "pipe-k$r" bash -c 'sh -c "$1" "$2" "$3" pipe produce --seq --id "$4" --source counter -n "$5" --size "$6" -q |
			"$3" pipe consume --verify -q' _ "$remember" "pipe-k$r.pid" "$IPCDEMO" "$r" "$BIG" "$SIZE"
		wait_for 5 test -s "pipe-k$r.pid"
		pp=$(cat "pipe-k$r.pid")
		kill_at_random "$pp"
		wait_for 10 dead "$BG"
		reap "$BG"
		ok "pipe producer killed: consumer ends with a documented status (got $ST)" documented "$ST"
		check_verify "pipe producer killed, round $r" "pipe-k$r.out" "pipe-k$r.err"
		rm -f "pipe-k$r".*
	done
	for r in $(seq "$N"); do
		rm -f "pipe-q$r.pid"
		# shellcheck disable=SC2016
		bg_direct "pipe-q$r" bash -c '"$3" pipe produce --seq --id 1 --source counter -n "$4" --size "$5" -q --stats --json |
			sh -c "$1" "$2" "$3" pipe consume -q; exit "${PIPESTATUS[0]}"' _ "$remember" "pipe-q$r.pid" "$IPCDEMO" "$BIG" "$SIZE"
		wait_for 5 test -s "pipe-q$r.pid"
		pp=$(cat "pipe-q$r.pid")
		kill_at_random "$pp"
		wait_for 10 dead "$BG"
		reap "$BG"
		is "pipe consumer killed: the producer ends quietly with status 0, round $r" "$ST" 0
		sent=$(sed -n 's/.*"sent":\([0-9]*\).*/\1/p' "pipe-q$r.err")
		got=$(seqs_of "pipe-q$r.out" | wc -l)
		echo "# pipe consumer killed, round $r: sent ${sent:-?}, printed $got"
		ok "pipe consumer killed: the producer's sent (${sent:-?}) covers what was printed ($got)" [ "${sent:-0}" -ge "$got" ]
		rm -f "pipe-q$r".*
	done
}
pipe_kills

# stream_producer_kills NAME CONSUMER... -- PRODUCER...: one consumer stays,
# the producers (given --id R by this function) are killed at random.
stream_producer_kills() {
	local name=$1 r cons
	shift
	local -a cc=() pc=()
	while [ "$1" != -- ]; do cc+=("$1"); shift; done
	shift
	pc=("$@")
	bg_direct "$name-cons" "${cc[@]}"
	cons=$BG
	sleep 0.3
	for r in $(seq "$N"); do
		# Paced (50 messages a millisecond at most), so that the one
		# consumer's output stays within FSIZE_BLOCKS however large N is.
		bg_direct "$name-p$r" "${pc[@]}" --seq --id "$r" --source counter -n 50 --every 1ms --size "$SIZE"
		kill_at_random "$BG"
	done
	sleep 0.3
	stop_with_summary "$cons" "$name producer kills: consumer"
	check_verify "$name after $N producer kills" "$name-cons.out" "$name-cons.err"
	unlike "$name: no torn line read as a message without a stamp" "$(cat "$name-cons.err")" '[1-9][0-9]* without a --seq stamp|"unstamped":[1-9]'
	seqs_of "$name"-p*.out >"$name-acc"
	seqs_of "$name-cons.out" >"$name-got"
	if [ "$name" = udp ]; then
		echo "# udp producer killed $N times: $(compare "$name-acc" "$name-got") (UDP may drop; --verify said so above)"
	else
		check_accepted "$name producer killed $N times" "$name-acc" "$name-got" 0 no
	fi
	rm -f "$name"-*.out
}

stream_producer_kills fifo "$IPCDEMO" fifo consume --verify -q -- "$IPCDEMO" fifo produce
for ty in stream seqpacket; do
	stream_producer_kills "unix-$ty" "$IPCDEMO" unix consume -l --type "$ty" --verify -q -- \
		"$IPCDEMO" unix produce -c --wait 5s --type "$ty"
	rm -f ipc.sock
done
stream_producer_kills unix-dgram "$IPCDEMO" unix consume --type dgram --size 4096 --verify -q -- \
	"$IPCDEMO" unix produce --wait 5s --type dgram
rm -f ipc.sock
stream_producer_kills tcp "$IPCDEMO" tcp consume -l --verify -q -- "$IPCDEMO" tcp produce -c --wait 5s
# UDP may drop when the receive buffer overflows: --verify must say so,
# the echo is only compared, not asserted on (check_verify is).
stream_producer_kills udp "$IPCDEMO" udp consume --verify -q -- "$IPCDEMO" udp produce

# stream_consumer_kills NAME PRODUCER... -- CONSUMER...: the producer sends
# a fixed number and is never killed; consumers are killed and replaced;
# the last one's --verify must match what it printed, and nothing is
# received twice or more than was sent.
stream_consumer_kills() {
	local name=$1 r prod sent
	shift
	local -a pc=() cc=()
	while [ "$1" != -- ]; do pc+=("$1"); shift; done
	shift
	cc=("$@")
	bg_direct "$name-prod" "${pc[@]}" --seq --id 1 --source counter --size "$SIZE" -q --stats --json
	prod=$BG
	for r in $(seq "$N"); do
		bg_direct "$name-victim$r" "${LB[@]}" "${cc[@]}" -q
		kill_at_random "$BG"
	done
	bg_direct "$name-last" "${cc[@]}" -q --verify -t 3s
	local last=$BG
	wait_for 30 dead "$prod" || stop "$prod"
	reap "$prod"
	ok "$name consumer kills: producer ends with a documented status (got $ST)" documented "$ST"
	wait_for 20 dead "$last" || stop "$last"
	wait "$last" 2>/dev/null
	check_verify "$name last consumer after $N kills" "$name-last.out" "$name-last.err"
	sent=$(sed -n 's/.*"sent":\([0-9]*\).*/\1/p' "$name-prod.err")
	seq -f "1:%.0f" 1 "${sent:-0}" >"$name-acc2"
	seqs_of "$name"-victim*.out "$name-last.out" >"$name-got2"
	local c
	c=$(compare "$name-acc2" "$name-got2")
	echo "# $name consumer killed $N times: sent ${sent:-?}; $c"
	is "$name consumer kills: nothing received twice" "$(field "$c" duplicated)" 0
	is "$name consumer kills: nothing received that was not sent" "$(field "$c" unexpected)" 0
	rm -f "$name"-*
}

stream_consumer_kills fifo "$IPCDEMO" fifo produce -n 100 --every 10ms --batches $((100 * N + 50)) -- "$IPCDEMO" fifo consume --exit-on-eof
for ty in stream seqpacket; do
	stream_consumer_kills "unix-$ty" "$IPCDEMO" unix produce --type "$ty" -n 100 --every 10ms --batches $((100 * N + 50)) -- \
		"$IPCDEMO" unix consume --wait 5s --type "$ty" --exit-on-eof
	rm -f ipc.sock
done
stream_consumer_kills tcp "$IPCDEMO" tcp produce -n 100 --every 10ms --batches $((100 * N + 50)) -- "$IPCDEMO" tcp consume --wait 5s --exit-on-eof
stream_consumer_kills udp "$IPCDEMO" udp produce -n 20 --every 5ms --batches $((300 * N)) -- \
	"$IPCDEMO" udp consume
stream_consumer_kills unix-dgram "$IPCDEMO" unix produce --type dgram --wait 5s -n 20 --every 5ms \
	--batches $((300 * N)) -- "$IPCDEMO" unix consume --type dgram --size 4096

# ---- socketpair run: either side killed, the other must not wait for ever --
socketpair_kills() {
	local r ty pp kid
	for ty in stream dgram seqpacket; do
		for r in $(seq "$N"); do
			bg_direct "sp-$ty-$r" "$IPCDEMO" socketpair run --type "$ty" --seq --source counter -n "$BIG" \
				--size "$SIZE" --verify -q
			pp=$BG
			rand_sleep_ms 30 300
			kid=$(cat "/proc/$pp/task/$pp/children" 2>/dev/null)
			kid=${kid%% *}
			if [ $((r % 2)) = 1 ] && [ -n "$kid" ]; then
				kill -KILL "$kid" 2>/dev/null # the consumer
			else
				kill -KILL "$pp" 2>/dev/null # the producer
			fi
			KILLS=$((KILLS + 1))
			wait_for 5 dead "$pp"
			ok "socketpair $ty: the parent ends after a side was killed (round $r)" dead "$pp"
			[ -n "$kid" ] && wait_for 5 dead "$kid"
			ok "socketpair $ty: the child ends after a side was killed (round $r)" dead "${kid:-$pp}"
			kill_tree "$pp"
			wait "$pp" 2>/dev/null
		done
	done
}
socketpair_kills

echo "# kills survived: $KILLS; messages accepted: $PUSHED; lost beyond what was in hand: $LOST"
summary_line "kill -9 matrix, 11 mechanisms, N=$N: $PUSHED messages accepted, $KILLS kills survived, lost $LOST"
done_testing
