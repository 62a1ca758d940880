#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts expand $IPCDEMO themselves
# ipcdemo bench: round-trip latency and one-way throughput of every
# mechanism. Never a speed or a timing (the machines are shared and noisy):
# completeness (one cell per row, size and placement, every round trip and
# message counted), consistency (min <= median <= p99, MB/s = msg/s x size),
# the limits that make a cell n/a (and nothing else), the placements, the
# text tables, the selection of rows, usage errors, --repeat, a closed
# pipe, no progress without a terminal, Ctrl-C and SIGTERM, the CPU time and
# arrival times of --stats --json, --help and completion; and that a bench
# leaves nothing behind: no /dev/shm or /dev/mqueue object named after its
# pid, no System V queue of its key range (0x69706380..0x697063ff), no
# private directory in TMPDIR.
# Runs are small (--count 300, a few sizes); the limit of one run is
# generous (sanitizers).
# (plain shellcheck does not follow lib.sh; shellcheck -x does)
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

# The bench's private directory is made in TMPDIR: a directory of this test,
# checked to be empty after every run.
export TMPDIR=$T/tmp
mkdir "$TMPDIR" || exit 1

BENCH_LIMIT=$((T_LIMIT * 3))

have_jq=false
command -v jq >/dev/null 2>&1 && have_jq=true
have_ipcs=false
command -v ipcs >/dev/null 2>&1 && have_ipcs=true
have_mqfs=false
grep -qs '^[^ ]* /dev/mqueue mqueue ' /proc/mounts && have_mqfs=true
have_script=false
command -v script >/dev/null 2>&1 && have_script=true
have_taskset=false
command -v taskset >/dev/null 2>&1 && have_taskset=true
have_setsid=false
command -v setsid >/dev/null 2>&1 && have_setsid=true

# The CPUs this process may use (nproc honours OMP_NUM_THREADS; the bench does not).
NCPU=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
# The limits that make cells n/a: the kernel's, UDP's, a stream consumer's line.
MSGSIZE_MAX=$(cat /proc/sys/fs/mqueue/msgsize_max 2>/dev/null || echo 8192)
MSGMAX=$(cat /proc/sys/kernel/msgmax 2>/dev/null || echo 8192)
WMEM=$(cat /proc/sys/net/core/wmem_default 2>/dev/null || echo 212992)
UDP_MAX=65507
LINE_MAX=1048576 # of a stream consumer

ROWS=("pipe" "fifo" "unix stream" "unix dgram" "unix seqpacket" "socketpair"
	"tcp" "udp" "mq" "sysv" "shm" "file" "bare pipe" "bare fifo" "bare unix"
	"bare tcp" "bare dgram" "bare udp" "bare mq" "bare sysv" "dd | dd")

# ---- what a bench leaves behind ----

# System V queues of the bench's key range, "KEY MSQID", as before the test.
sysv_bench_queues() {
	$have_ipcs || return 0
	ipcs -q 2>/dev/null | awk '$1 ~ /^0x697063[89a-f][0-9a-f]$/ { print $1, $2 }' | sort
}
SYSV_BEFORE=$(sysv_bench_queues)
new_sysv() { # queues of the key range that were not there before the test
	comm -13 <(printf '%s\n' "$SYSV_BEFORE") <(sysv_bench_queues) | grep .
}
BENCH_PIDS=()
left_behind() { # pid of a bench: what it left (empty: nothing)
	local f
	for f in /dev/shm/ipcdemo-bench-"$1"-* /dev/mqueue/ipcdemo-bench-"$1"-* "$TMPDIR"/* "$TMPDIR"/.[!.]*; do
		[ -e "$f" ] && echo "$f"
	done
	new_sysv | sed 's/^/System V queue /'
}
nothing_left() { [ -z "$(left_behind "$1")" ]; }
# clean NAME PID: the bench left nothing. Another bench on the machine (of
# another test or user) may hold a System V queue of the range for a moment:
# wait a little for it to go before calling it ours.
clean() {
	wait_for 5 nothing_left "$2"
	is "$1: nothing left behind" "$(left_behind "$2")" ""
}
bench_cleanup() {
	_t_cleanup
	local p
	for p in "${BENCH_PIDS[@]}"; do
		[ -n "$p" ] || continue
		rm -f /dev/shm/ipcdemo-bench-"$p"-*
		$have_mqfs && rm -f /dev/mqueue/ipcdemo-bench-"$p"-*
	done
	return 0
}
trap bench_cleanup EXIT

# brun NAME STATUS ARGS...: run 'ipcdemo bench ARGS' as run does, with a
# longer limit; its pid in $BPID.
BPID=""
brun() {
	local name=$1 want=$2
	shift 2
	rm -f bench.pid
	T_LIMIT=$BENCH_LIMIT run "$name" "$want" -- bash -c 'echo "$$" >bench.pid; exec "$IPCDEMO" bench "$@"' _ "$@"
	BPID=$(cat bench.pid 2>/dev/null)
	BENCH_PIDS+=("$BPID")
}

# ---- checking the cells of a --json run ----

# jis NAME WANT JQ-ARGS...: the output of jq -r is WANT (skipped without jq)
jis() {
	local name=$1 want=$2
	shift 2
	if ! $have_jq; then
		skip "$name" "jq not installed"
		return
	fi
	is "$name" "$(jq -r "$@" 2>&1)" "$want"
}

# why_re ROW SIZE: a regex for why the cell is n/a, or nothing if it is not.
why_re() {
	case $1 in
	pipe | fifo | "unix stream" | socketpair | tcp | file) [ "$2" -gt "$LINE_MAX" ] && echo '1 MiB' ;;
	"unix dgram" | "unix seqpacket" | "bare dgram") [ "$2" -gt $((WMEM - 1024)) ] && echo "wmem_default $WMEM([^0-9]|\$)" ;;
	udp | "bare udp") [ "$2" -gt "$UDP_MAX" ] && echo "$UDP_MAX" ;;
	mq | "bare mq") [ "$2" -gt "$MSGSIZE_MAX" ] && echo "msgsize_max $MSGSIZE_MAX([^0-9]|\$)" ;;
	sysv | "bare sysv") [ "$2" -gt "$MSGMAX" ] && echo "msgmax $MSGMAX([^0-9]|\$)" ;;
	esac
	return 0
}
# why_for ROW SIZE CPU TEST: the same, with the one-CPU case of split and
# the reference row, which has no round trips
why_for() {
	if [ "$1" = "dd | dd" ] && [ "${4:-}" = latency ]; then
		echo 'one way only'
	elif [ "$3" = split ] && [ "$NCPU" -lt 2 ]; then
		echo 'one CPU only'
	else
		why_re "$1" "$2"
	fi
}

# Every object must be sane; prints "CELL: what is wrong" per fault.
# $count: round trips / messages per run (null: not checked), $runs: runs.
SANE='
def num: type == "number";
def abs: if . < 0 then -. else . end;
def cell: "\(.test) \(.mechanism) \(.size) \(.cpu)";
def bad(m): "\(cell): \(m)";
def nonneg(f): if (f | num) and f >= 0 then empty else bad("\(f) is not a number >= 0") end;
if (.test == "latency" or .test == "throughput") | not then bad("test")
elif (.mechanism | type) != "string" or (.size | num | not) or (.cpu | type) != "string" then bad("mechanism/size/cpu")
elif (.available | type) != "boolean" then bad("available")
elif .available | not then
	(if (.why | type) == "string" and (.why | length) > 0 then empty else bad("n/a without a why") end),
	(if has("median_us") or has("messages_per_s") or has("runs") then bad("numbers in an n/a cell") else empty end)
elif .test == "latency" then
	(if (.round_trips | num) and .round_trips > 0 then empty else bad("round_trips \(.round_trips)") end),
	(if $count == null or .round_trips == $count then empty else bad("round_trips \(.round_trips), not \($count)") end),
	(if .runs == $runs then empty else bad("runs \(.runs), not \($runs)") end),
	(if [.median_us, .p99_us, .min_us] | all(num and . > 0) then empty else bad("median/p99/min not > 0") end),
	(if .min_us <= .median_us and .median_us <= .p99_us then empty
	 else bad("not min <= median <= p99: \(.min_us) \(.median_us) \(.p99_us)") end),
	nonneg(.spread), nonneg(.client_cpu_us_per_round_trip),
	(if [.mean_us, .p50_us, .p90_us, .p999_us, .max_us] | all(num and . > 0) then empty
	 else bad("mean/p50/p90/p99.9/max not > 0") end),
	(if .p50_us == .median_us then empty else bad("p50 \(.p50_us) is not the median \(.median_us)") end),
	(if .min_us <= .p50_us and .p50_us <= .p90_us and .p90_us <= .p99_us and .p99_us <= .p999_us
	    and .p999_us <= .max_us then empty
	 else bad("not min <= p50 <= p90 <= p99 <= p99.9 <= max: \(.min_us) \(.p50_us) \(.p90_us) \(.p99_us) \(.p999_us) \(.max_us)") end),
	(if .min_us <= .mean_us and .mean_us <= .max_us then empty else bad("mean \(.mean_us) outside min..max") end),
	(if .histogram_round_trips == .round_trips * .runs or $count == null then empty
	 else bad("histogram_round_trips \(.histogram_round_trips), not \(.round_trips) x \(.runs)") end),
	(if (.buckets | type) == "array" and (.buckets | length) > 0
	    and (.buckets | all(type == "array" and length == 2 and (.[0] | num) and (.[1] | num) and .[1] > 0))
	    and ([.buckets[][0]] == ([.buckets[][0]] | sort | unique))
	    and ([.buckets[][1]] | add) == .histogram_round_trips then empty
	 else bad("buckets: not ascending, empty or not adding up to the round trips") end),
	(if (.buckets[-1][0] >= .max_us * 1000 - 0.5) and (.buckets[0][0] >= .min_us * 1000 - 0.5)
	    and (.buckets[0][0] <= .min_us * 1000 * 1.008 + 0.5) then empty
	 else bad("buckets do not hold min and max") end)
else
	(if (.messages | num) and .messages > 0 then empty else bad("messages \(.messages)") end),
	(if $count == null or .messages == $count then empty else bad("messages \(.messages), not \($count)") end),
	(if .runs == $runs then empty else bad("runs \(.runs), not \($runs)") end),
	(if (.messages_per_s | num) and .messages_per_s > 0 then empty else bad("messages_per_s \(.messages_per_s)") end),
	(if (.mb_per_s | num) and ((.mb_per_s - .messages_per_s * .size / 1e6) | abs) <= 1e-4 * .mb_per_s + 1e-6 then empty
	 else bad("mb_per_s \(.mb_per_s) is not messages_per_s x size / 1e6 (\(.messages_per_s * .size / 1e6))") end),
	nonneg(.spread), nonneg(.sender_cpu_us_per_message), nonneg(.receiver_cpu_us_per_message),
	(if .mechanism == "dd | dd" then
		(if .messages_per_write == null and .messages_per_read == null then empty
		 else bad("dd: messages per call known") end)
	 elif [.messages_per_write, .messages_per_read] | all(num and . > 0) then empty
	 else bad("messages_per_write \(.messages_per_write), messages_per_read \(.messages_per_read)") end),
	(if .batch == null or (.batch | num) then empty else bad("batch \(.batch)") end),
	(if .mechanism == "udp" or .mechanism == "bare udp" then
		(if (.lost_fraction | num) and .lost_fraction >= 0 and .lost_fraction <= 1 then empty
		 else bad("lost_fraction \(.lost_fraction)") end)
	 elif has("lost_fraction") then bad("lost_fraction outside udp and bare udp") else empty end)
end'

# check_json NAME FILE COUNT RUNS CPUS SIZES ROW...: FILE holds the JSON
# lines of a run over ROWs (table order), SIZES (bytes) and CPUS: every
# line an object; exactly one latency and one throughput object per row,
# size and placement, in table order; available unless a limit (or one CPU)
# says otherwise, with a why naming it; every object sane.
check_json() {
	local name=$1 file=$2 count=$3 runs=$4 cpus=$5 sizes=$6
	shift 6
	if ! $have_jq; then
		skip "$name: valid JSON, the cells, their why, sane values" "jq not installed"
		return
	fi
	is "$name: every line is one JSON object" \
		"$(jq -R -r 'try (fromjson | type) catch "not JSON: \(.)"' "$file" | grep -v '^object$')" ""
	local want="" t r s c w
	for t in latency throughput; do
		for r in "$@"; do
			for s in $sizes; do
				for c in $cpus; do
					w=$(why_for "$r" "$s" "$c" "$t")
					want+="$t|$r|$s|$c|$([ -z "$w" ] && echo true || echo false)"$'\n'
				done
			done
		done
	done
	is "$name: one latency and one throughput cell per row, size and placement; n/a only where a limit says" \
		"$(jq -r '"\(.test)|\(.mechanism)|\(.size)|\(.cpu)|\(.available)"' "$file")" "${want%$'\n'}"
	# Each n/a cell's why names its limit.
	local bad="" mech size cpu why test
	while IFS=$'\t' read -r mech size cpu why test; do
		w=$(why_for "$mech" "$size" "$cpu" "$test")
		if [ -z "$w" ] || ! printf '%s\n' "$why" | grep -Eq -- "$w"; then
			bad+="$mech $size $cpu $test: '$why' (want /$w/)"$'\n'
		fi
	done < <(jq -r 'select(.available == false) | [.mechanism, (.size | tostring), .cpu, .why, .test] | @tsv' "$file")
	is "$name: every n/a cell names its limit" "$bad" ""
	is "$name: every value sane" "$(jq -r --argjson count "$count" --argjson runs "$runs" "$SANE" "$file" 2>&1)" ""
}

# ---- --help and completion ----

# COLUMNS: wide enough that no option's help is wrapped
run "bench --help" 0 -- env COLUMNS=200 "$IPCDEMO" bench --help
help=$OUT
like "--help: usage line" "$OUT" '^Usage: ipcdemo bench \[options\] \[MECHANISM\.\.\.\]'
is "--help: nothing on stderr" "$ERR" ""
for o in '--size LIST' '--cpu PLACE' '--duration DURATION' '-n, --count N' '--repeat R' \
	'--hist' '--samples FILE' '-j, --json' '-q, --quiet' '-h, --help'; do
	like "--help lists $o" "$OUT" "^ +$o( |\$)"
done
like "--help: --cpu names its places" "$OUT" '--cpu PLACE .*both.*same.*split.*any'
for m in pipe fifo unix unix-stream socketpair tcp udp mq sysv shm file; do
	like "--help names $m" "$OUT" "(^|[ (])$m([ ,;)]|\$)"
done
run "bench -h" 0 -- env COLUMNS=200 "$IPCDEMO" bench -h
is "-h: the same as --help" "$OUT" "$help"

run "__complete bench un" 0 -- "$IPCDEMO" __complete bench un
is "completion of 'un': unix and its four rows" "$(printf '%s\n' "$OUT" | cut -f1)" "unix
unix-stream
unix-dgram
unix-seqpacket
unix-memfd"
run "__complete bench ''" 0 -- "$IPCDEMO" __complete bench ''
# These words, and besides them only the words of mechanisms registered
# since (their name, or NAME-ROW for one of their rows).
offered=$(printf '%s\n' "$OUT" | cut -f1 | sort)
known="bare bare-dgram bare-fifo bare-mq bare-pipe bare-sysv bare-tcp bare-udp bare-unix dd fifo file mq pipe shm socketpair sysv tcp udp unix unix-dgram unix-memfd unix-seqpacket unix-stream"
is "completion of '': every word that selects these rows" \
	"$(printf '%s\n' "$offered" | grep -Fxf <(tr ' ' '\n' <<<"$known") | tr '\n' ' ')" "$known "
registered=$("$IPCDEMO" list | awk '/^[^ ]/ { print $1 }')
extra=""
for w in $(printf '%s\n' "$offered" | grep -Fvxf <(tr ' ' '\n' <<<"$known")); do
	grep -Fxq -- "${w%%-*}" <<<"$registered" || extra+="$w "
done
is "completion of '': any other word is a registered mechanism's" "$extra" ""
run "__complete bench --cpu ''" 0 -- "$IPCDEMO" __complete bench --cpu ''
is "completion of --cpu: the four places" "$(printf '%s\n' "$OUT" | cut -f1 | tr '\n' ' ')" "both same split any "

# ---- usage errors: exit 2, nothing measured, nothing made ----

usage_error() { # name regex args...: exit 2, stderr matches, nothing on stdout, nothing made
	local name=$1 re=$2
	shift 2
	brun "$name: exit 2" 2 "$@"
	like "$name: says why" "$ERR" "$re"
	is "$name: nothing on stdout" "$OUT" ""
	is "$name: no directory made" "$(ls -A "$TMPDIR")" ""
}
usage_error "unknown word 'pipes'" "'pipes' is not a mechanism" pipes
like "'pipes': did you mean pipe" "$ERR" '[Dd]id you mean'
like "'pipes': suggests 'ipcdemo bench pipe'" "$ERR" 'ipcdemo bench pipe$'
usage_error "a known word, then an unknown one" "'nosuch'" pipe nosuch --count 300
for v in abc 15 17M '' ',' 64,,4k "$(seq -s, 16 32)"; do
	usage_error "--size '$v'" "--size" --size "$v" --count 300 pipe
	like "--size '$v': the usage hint" "$ERR" "Try 'ipcdemo bench --help'"
done
like "17 sizes: at most 16" "$ERR" 'at most 16'
usage_error "--repeat 0" "--repeat" --repeat 0 --count 300 pipe
usage_error "--repeat 101" "--repeat" --repeat 101 --count 300 pipe
usage_error "--count 1" "--count" --count 1 pipe
usage_error "--duration 0" "--duration" --duration 0 pipe
usage_error "--cpu both-ways" "--cpu" --cpu both-ways --count 300 pipe

# ---- a tiny run over every mechanism, --json ----

brun "every mechanism, 3 sizes, --cpu same, --json" 0 --size 64,4k,64k --count 300 --duration 20ms --cpu same --json
# The cells of the rows above (a mechanism added since is checked by its
# own script).
rows_re=$(printf '%s|' "${ROWS[@]//|/[|]}") # "dd | dd": a literal bar
rows_re="\"mechanism\":\"(${rows_re%|})\""
grep -v '"test":"source"' "$T/.out" | grep -E "$rows_re" >tiny.json
grep '"test":"source"' "$T/.out" >sources.json
is "tiny run: nothing on stderr (no terminal, no progress)" "$ERR" ""
is "tiny run: 126 cells (21 rows x 3 sizes x 2 tests)" "$(nlines tiny.json)" 126
is "tiny run: the message sources last" "$(tail -n 3 "$T/.out")" "$(cat sources.json)"
if $have_jq; then
	is "tiny run: sources counter, uuid and libuuid, each measured" \
		"$(jq -r '"\(.source) \(.failed) \(.messages_per_s > 0)"' sources.json)" "counter false true
uuid false true
libuuid false true"
else
	skip "tiny run: the message sources" "jq not installed"
fi
check_json "tiny run" tiny.json 300 1 same "64 4096 65536" "${ROWS[@]}"
if $have_jq; then
	is "tiny run: the latency cells first, then the throughput cells" "$(jq -r .test tiny.json | uniq)" "latency
throughput"
	# Each row with a floor names it in its cells (level.sh pairs by it);
	# the floors, the references and shm name none.
	is "tiny run: each row's floor, in its cells" \
		"$(jq -r 'select(.test == "latency" and .size == 64) | "\(.mechanism): \(.floor // "-")"' tiny.json |
			grep -E '^(pipe|fifo|unix stream|unix dgram|socketpair|tcp|udp|mq|sysv|shm|bare unix):')" "pipe: bare pipe
fifo: bare fifo
unix stream: bare unix
unix dgram: bare dgram
socketpair: bare unix
tcp: bare tcp
udp: bare udp
mq: bare mq
sysv: bare sysv
shm: -
bare unix: -"
	# Without --batch a stream's verbs move many 64-byte messages per
	# call; the bare pipe one block per write.
	is "tiny run: no --batch, pipe 64 B batches on both sides; the bare pipe does not" \
		"$(jq -r 'select(.test == "throughput" and .size == 64 and (.mechanism == "pipe" or .mechanism == "bare pipe"))
			| "\(.mechanism) \(.batch) \(.messages_per_write > 1) \(.messages_per_read > 1)"' tiny.json)" \
		"pipe null true true
bare pipe null false false"
fi
clean "tiny run" "$BPID"

# --batch 1: one message per system call on each side, as the references.
BATCH_ROWS=("pipe" "fifo" "unix stream" "socketpair" "tcp" "mq" "shm" "shm spin" "file" "bare pipe" "bare fifo" "bare unix" "bare tcp"
	"bare dgram" "bare udp" "bare mq" "bare sysv")
brun "--batch 1" 0 --size 64,64k --count 300 --cpu same --json --batch 1 \
	pipe fifo unix-stream socketpair tcp shm file mq bare
cp "$T/.out" batch1.json
check_json "--batch 1" batch1.json 300 1 same "64 65536" "${BATCH_ROWS[@]}"
if $have_jq; then
	# A stream reader learns the size from the first message: the reads
	# before it is whole bring none (a 64 KiB message: 11 reads).
	is "--batch 1: a message per write, at most one per read, batch 1 in every throughput cell" \
		"$(jq -r 'select(.test == "throughput" and .available)
			| select(.batch != 1 or .messages_per_write != 1 or .messages_per_read > 1
				or (.size == 64 and .messages_per_read != 1))
			| "\(.mechanism) \(.size): \(.batch) \(.messages_per_write) \(.messages_per_read)"' batch1.json)" ""
fi
clean "--batch 1" "$BPID"

# The limits exactly: a cell at the limit is measured, one byte more is n/a.
if [ "$MSGSIZE_MAX" -le 1048576 ] && [ "$MSGMAX" -le 1048576 ]; then
	sz=$(printf '%s\n' "$MSGSIZE_MAX" $((MSGSIZE_MAX + 1)) "$MSGMAX" $((MSGMAX + 1)) "$UDP_MAX" $((UDP_MAX + 1)) |
		sort -n -u | tr '\n' ' ')
	sz=${sz% }
	brun "the limits, and one byte over" 0 --size "${sz// /,}" \
		--count 300 --cpu same --json udp mq sysv
	cp "$T/.out" limits.json
	is "limits: nothing on stderr" "$ERR" ""
	check_json "limits" limits.json 300 1 same "$sz" udp mq sysv
	clean "limits" "$BPID"
else
	skip "the limits, and one byte over" "msgsize_max or msgmax above 1M"
fi

# Unix packets: the send buffer; stream rows: the consumer's longest line.
if [ "$WMEM" -le 1048576 ]; then
	brun "the send buffer, and one byte over" 0 --size $((WMEM - 1024)),$((WMEM - 1023)) \
		--count 300 --cpu same --json unix-dgram
	check_json "send buffer" "$T/.out" 300 1 same "$((WMEM - 1024)) $((WMEM - 1023))" "unix dgram"
	clean "send buffer" "$BPID"
else
	skip "the send buffer, and one byte over" "net.core.wmem_default above 1M"
fi
brun "1 MiB lines, and one byte over" 0 --size 1M,$((LINE_MAX + 1)) --count 20 --cpu same --json pipe
check_json "1 MiB lines" "$T/.out" 20 1 same "$LINE_MAX $((LINE_MAX + 1))" pipe
clean "1 MiB lines" "$BPID"

# The datagram rows at the smallest size the bench accepts: the counter
# and its newline fit.
brun "--size 16 on the datagram rows" 0 --size 16 --count 300 --cpu same --json unix-dgram unix-seqpacket udp
check_json "--size 16, datagrams" "$T/.out" 300 1 same 16 "unix dgram" "unix seqpacket" udp
clean "--size 16" "$BPID"

# ---- placements ----

if [ "$NCPU" -ge 2 ]; then
	note="$NCPU CPUs"
else
	note="one CPU: split is n/a"
fi
brun "default --cpu (both), --json" 0 --size 64,64k --count 300 --json pipe udp
cp "$T/.out" both.json
is "--cpu both: nothing on stderr" "$ERR" ""
check_json "--cpu both ($note)" both.json 300 1 "same split" "64 65536" pipe udp
clean "--cpu both" "$BPID"
brun "--cpu any" 0 --size 64 --count 300 --cpu any --json pipe shm
check_json "--cpu any" "$T/.out" 300 1 any 64 pipe shm "shm spin"
clean "--cpu any" "$BPID"
brun "--cpu split" 0 --size 64 --count 300 --cpu split --json pipe
check_json "--cpu split ($note)" "$T/.out" 300 1 split 64 pipe
clean "--cpu split" "$BPID"

if $have_taskset; then
	cpu0=$(taskset -pc $$ 2>/dev/null | sed -nE 's/.*: *([0-9]+).*/\1/p')
	run "--cpu both on one CPU (taskset)" 0 -- \
		taskset -c "${cpu0:-0}" bash -c 'echo "$$" >bench.pid; exec "$IPCDEMO" bench --size 64 --count 300 --json pipe'
	BPID=$(cat bench.pid)
	BENCH_PIDS+=("$BPID")
	cp "$T/.out" one.json
	NCPU_SAVED=$NCPU NCPU=1
	check_json "one CPU" one.json 300 1 "same split" 64 pipe
	NCPU=$NCPU_SAVED
	clean "one CPU" "$BPID"
	run "text on one CPU" 0 -- taskset -c "${cpu0:-0}" "$IPCDEMO" bench --size 64 --count 300 pipe
	like "text on one CPU: split n/a, one CPU only" "$OUT" '^pipe +64 B +(split +|[0-9.]+ .* )n/a +\(one CPU only\)$'
	like "text on one CPU: the throughput header says so" "$OUT" '\(split: n/a\)'
else
	skip "--cpu both on one CPU" "taskset not installed"
fi

# ---- text ----

# At 120 columns both tables have their placements side by side (at 80 the
# throughput table has a line per placement: bench_tty.sh).
COLUMNS=120 brun "text: pipe udp mq sysv, 64 and 64k" 0 --size 64,64k --count 300 pipe udp mq sysv
text=$OUT
is "text: nothing on stderr" "$ERR" ""
like "text: the latency table's title" "$text" '^Round-trip latency'
like "text: the throughput table's title" "$text" '^One-way throughput'
like "text: the number of CPUs" "$text" "^$NCPU CPUs?[: ]"
is "text: the placements' header, once per table" "$(count_re "$text" '^mechanism +size +same +split *$')" 2
is "text: latency columns" \
	"$(count_re "$text" '^ +mean +p50 +p90 +p99 +p99\.9 +max +mean +p50 +p90 +p99 +p99\.9 +max *$')" 1
is "text: throughput columns" \
	"$(count_re "$text" '^ +MB/s +msg/s +CPU us +msg/call +MB/s +msg/s +CPU us +msg/call *$')" 1
for r in pipe udp mq sysv; do
	for s in "64 B" "64 KiB"; do
		is "text: $r $s: a line in each table" "$(count_re "$text" "^$r +$s ")" 2
	done
done
is "text: 16 rows in all" "$(count_re "$text" '^(pipe|udp|mq|sysv) ')" 16
unlike "text: mechanisms named: no message sources" "$text" '^Message sources'

brun "text: every row, 64 B" 0 --size 64 --count 300 --cpu same
like "text, every row: the sources' title" "$OUT" "^Message sources: 'ipcdemo pipe produce --source S -q' alone"
like "text, every row: counter" "$OUT" '^counter +[0-9.]+[kM]? +the numbers 1, 2, 3'
like "text, every row: uuid" "$OUT" '^uuid +[0-9.]+[kM]? +random \(version 4\) UUIDs'
like "text, every row: libuuid for comparison" "$OUT" '^libuuid +[0-9.]+[kM]? +uuid_generate_random .*for comparison'
is "text, every row: the sources come last" "$(printf '%s\n' "$OUT" | tail -n 1 | cut -c1-7)" "libuuid"
clean "text, every row" "$BPID"
like "text: a latency cell: mean, p50, p90, p99, p99.9, max" "$text" \
	'^pipe +64 B +[0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9]+(\.[0-9])?[ *]'
like "text: a throughput cell: MB/s, msg/s, CPU sender/receiver" "$text" \
	'^pipe +64 KiB +[0-9]+\.[0-9] +[0-9.]+[kM]? +[0-9]+\.[0-9]+/[0-9]+\.[0-9]+'
is "text: udp 64 KiB: n/a (the limit), in both tables" \
	"$(count_re "$text" "^udp +64 KiB +n/a +n/a +\\(.*$UDP_MAX.*\\)\$")" 2
if [ "$MSGSIZE_MAX" -lt 65536 ]; then
	is "text: mq 64 KiB: n/a (msgsize_max $MSGSIZE_MAX)" \
		"$(count_re "$text" "^mq +64 KiB +n/a +n/a +\\(msgsize_max $MSGSIZE_MAX\\)\$")" 2
else
	unlike "text: mq 64 KiB is measured (msgsize_max $MSGSIZE_MAX)" "$text" '^mq +64 KiB +n/a'
fi
if [ "$MSGMAX" -lt 65536 ]; then
	is "text: sysv 64 KiB: n/a (msgmax $MSGMAX)" \
		"$(count_re "$text" "^sysv +64 KiB +n/a +n/a +\\(msgmax $MSGMAX\\)\$")" 2
else
	unlike "text: sysv 64 KiB is measured (msgmax $MSGMAX)" "$text" '^sysv +64 KiB +n/a'
fi
unlike "text: no failed cell" "$text" 'failed'
clean "text" "$BPID"

# ---- selection ----

brun "bench fifo unix" 0 --size 64 --count 300 --cpu same --json fifo unix
jis "fifo unix: fifo and the four unix rows, latency then throughput" \
	"fifo unix stream unix dgram unix seqpacket unix memfd fifo unix stream unix dgram unix seqpacket unix memfd " \
	-j '.mechanism + " "' "$T/.out"
clean "fifo unix" "$BPID"

brun "bench bare-pipe" 0 --size 64,1M --count 300 --cpu same --json bare-pipe
jis "bare-pipe: the bare pipe alone, both sizes, latency then throughput" \
	"bare pipe 64 latency true|bare pipe 1048576 latency true|bare pipe 64 throughput true|bare pipe 1048576 throughput true|" \
	-j '"\(.mechanism) \(.size) \(.test) \(.available and (.failed | not))|"' "$T/.out"
jis "bare-pipe: every block counted" "300 300 300 300 " -j '"\(.messages // .round_trips) "' "$T/.out"
clean "bare-pipe" "$BPID"
# bare: the kernel floors (a pipe, a unix stream socket, TCP on loopback, a
# unix datagram socket, UDP, a POSIX and a System V message queue), each
# placement, a size above a socket's default buffer and above TCP's segment
# (n/a where the row's limit says); every cell measured and sane, every
# block counted.
brun "bench bare" 0 --size 64,1M --count 300 --json bare
cp "$T/.out" bare.json
check_json "bare" bare.json 300 1 "same split" "64 1048576" "bare pipe" "bare fifo" "bare unix" "bare tcp" \
	"bare dgram" "bare udp" "bare mq" "bare sysv"
jis "bare: no cell failed" "" -r 'select(.available and .failed) | "\(.mechanism) \(.size) \(.cpu) \(.test)"' bare.json
clean "bare" "$BPID"
brun "bench bare-tcp bare-unix" 0 --size 64 --count 300 --cpu same --json bare-tcp bare-unix
jis "bare-tcp bare-unix: those two rows, in table order" \
	"bare unix|latency
bare tcp|latency
bare unix|throughput
bare tcp|throughput" '"\(.mechanism)|\(.test)"' "$T/.out"
clean "bare-tcp bare-unix" "$BPID"
brun "bench unix-dgram" 0 --size 64 --count 300 --cpu same --json unix-dgram
jis "unix-dgram: that row only" "unix dgram|latency
unix dgram|throughput" '"\(.mechanism)|\(.test)"' "$T/.out"
brun "bench unix-seqpacket unix pipe pipe" 0 --size 64 --count 300 --cpu same --json unix-seqpacket unix pipe pipe
jis "overlapping words: each row once, in table order" \
	"pipe unix stream unix dgram unix seqpacket unix memfd pipe unix stream unix dgram unix seqpacket unix memfd " \
	-j '.mechanism + " "' "$T/.out"
clean "overlapping words" "$BPID"

# ---- zmq: a library over the kernel's sockets, beside them ----

# A build without ZeroMQ has no zmq rows and says why; with it, zmq selects
# its two rows, zmq-tcp and zmq-ipc one each, after the kernel's rows.
if "$IPCDEMO" zmq consume --timeout 1ms --endpoint tcp://127.0.0.1:1 2>&1 | grep -q 'has no ZeroMQ'; then
	usage_error "zmq in a build without ZeroMQ" 'zmq is not benchmarked: this build has no ZeroMQ' \
		--count 300 zmq
	unlike "no ZeroMQ: --help names no zmq row" "$help" 'zmq'
	for t in "zmq rows: one cell per size, sane values" "zmq-ipc alone" "zmq rows in the text tables" \
		"zmq after the kernel's rows"; do
		skip "$t" "this build of ipcdemo has no ZeroMQ (install libzmq3-dev, reconfigure with -Dzmq=enabled)"
	done
else
	like "--help names zmq and its rows' words" "$help" '(^| )zmq \(zmq-tcp, zmq-ipc\)( |$)'
	run "__complete bench zmq" 0 -- "$IPCDEMO" __complete bench zmq
	is "completion of 'zmq': zmq and its two rows" "$(printf '%s\n' "$OUT" | cut -f1)" "zmq
zmq-tcp
zmq-ipc"
	brun "bench zmq, 64 and 64k" 0 --size 64,64k --count 300 --cpu same --json zmq
	cp "$T/.out" zmq.json
	is "zmq rows: nothing on stderr" "$ERR" ""
	check_json "zmq rows: one cell per size, sane values" zmq.json 300 1 same "64 65536" "zmq tcp" "zmq ipc"
	jis "zmq rows: every cell measured, none lossy" "" \
		'select(.available != true or .failed != false or has("lost_fraction")) | "\(.test) \(.mechanism) \(.size)"' \
		zmq.json
	clean "bench zmq" "$BPID"
	brun "bench zmq-ipc" 0 --size 64 --count 300 --cpu same --json zmq-ipc
	jis "zmq-ipc alone: that row only, measured" "zmq ipc|latency|true
zmq ipc|throughput|true" '"\(.mechanism)|\(.test)|\(.available and (.failed | not))"' "$T/.out"
	clean "bench zmq-ipc" "$BPID"
	brun "text: zmq tcp file" 0 --size 64 --count 300 --cpu same zmq-tcp file
	like "zmq rows in the text tables: a latency cell" "$OUT" \
		'^zmq tcp +64 B +[0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9]+\.[0-9]([ *]|$)'
	like "zmq rows in the text tables: a throughput cell" "$OUT" \
		'^zmq tcp +64 B +[0-9]+\.[0-9] +[0-9.]+[kM]? +[0-9]+\.[0-9]+'
	is "zmq after the kernel's rows: file first, in both tables" \
		"$(printf '%s\n' "$OUT" | grep -E '^(file|zmq tcp) ' | cut -c1-7 | tr '\n' '|')" "file   |zmq tcp|file   |zmq tcp|"
	unlike "zmq rows in the text tables: no failed cell" "$OUT" 'failed'
	clean "text: zmq tcp file" "$BPID"
fi

# ---- --repeat ----

brun "--repeat 3" 0 --size 64 --count 300 --cpu same --repeat 3 --json pipe shm
cp "$T/.out" repeat.json
check_json "--repeat 3" repeat.json 300 3 same 64 pipe shm "shm spin"
clean "--repeat 3" "$BPID"

# ---- shm spin: the client's CPU time beside the latency ----

brun "shm-spin, --json" 0 --size 64 --count 300 --cpu same --json shm-spin
cp "$T/.out" spin.json
check_json "shm-spin" spin.json 300 1 same 64 "shm spin"
jis "shm-spin: its latency cell has the client's CPU time per round trip, > 0" "same true" \
	'select(.test == "latency") | "\(.cpu) \(.client_cpu_us_per_round_trip > 0)"' spin.json
clean "shm-spin, --json" "$BPID"
brun "shm-spin, text" 0 --size 64 --count 300 --cpu same shm-spin
like "shm-spin, text: its latency row" "$OUT" '^shm spin +64 B +[0-9.]+ '
like "shm-spin, text: the client's CPU time per round trip in its note" "$OUT" \
	'\(client CPU [0-9.]+ us a round trip\)'
clean "shm-spin, text" "$BPID"

# ---- --hist and --samples ----

# --hist: a line per placement under each latency row (after its line, or
# its lines in a layout of a line per placement); with one cell, bars.
brun "--hist, two rows" 0 --size 64 --count 300 --hist pipe shm
hist=$OUT
# (A row's note, "(...)" on a line of its own, is not a line of the histogram.)
for r in pipe shm "shm spin"; do
	is "--hist: $r: a line per placement after its row" \
		"$(printf '%s\n' "$hist" | awk -v r="^$r +64 B " '!d && $0 ~ r { n = 2; next } n > 0 && /^ +\(/ { next } n > 0 { print $1; d = --n == 0 }' | tr '\n' ' ')" "same split "
done
like "--hist: a line: placement, min, the columns, max" "$hist" '^  same +[0-9.]+ [nmu]?s [.:=+*#@ -]+ [0-9.]+ [nmu]?s$'
unlike "--hist without UTF-8: ASCII only" "$hist" '[^ -~]'
unlike "--hist, two rows: no bars" "$hist" 'round trips, mean'
clean "--hist, two rows" "$BPID"
brun "--hist, one cell" 0 --size 64 --count 300 --cpu same --hist pipe
like "--hist, one cell: its bars' title" "$OUT" '^300 round trips, mean [0-9.]+ [nmu]?s'
like "--hist, one cell: a bar: range, bar, count, share" "$OUT" \
	'^ +[0-9.]+ [nmu]?s - [0-9.]+ [nmu]?s +#* +[0-9]+ +[0-9.]+%'
is "--hist, one cell: the bars count every round trip" \
	"$(printf '%s\n' "$OUT" | sed -nE 's/^ +[0-9.]+ [nmu]?s - [0-9.]+ [nmu]?s +#* +([0-9]+) .*/\1/p' | paste -sd+ | bc)" 300
like "--hist, one cell: the last bar is 100%" \
	"$(printf '%s\n' "$OUT" | grep -E '^ +[0-9.]+ [nmu]?s - [0-9.]+ [nmu]?s ' | tail -n 1)" ' 100\.0%'
like "--hist, one cell: p50 is marked" "$OUT" '% .*p50'
clean "--hist, one cell" "$BPID"
run "--hist with UTF-8: block characters" 0 -- env LC_ALL=C.UTF-8 "$IPCDEMO" bench --size 64 --count 300 --cpu same --hist pipe
like "--hist with UTF-8: a line" "$OUT" '^  same +[0-9.]+ [nmu]?s .*[▁▂▃▄▅▆▇█]'
like "--hist with UTF-8: a bar" "$OUT" '[▏▎▍▌▋▊▉█] +[0-9]+ +[0-9.]+%'
brun "--hist --json: the buckets only" 0 --size 64 --count 300 --cpu same --hist --json pipe
check_json "--hist --json" "$T/.out" 300 1 same 64 pipe
clean "--hist --json" "$BPID"

# --samples: every round trip of every run, a line each, in order.
brun "--samples" 0 --size 64,256 --count 300 --repeat 2 --json --samples samples.csv pipe udp
cp "$T/.out" samples.json
check_json "--samples" samples.json 300 2 "same split" "64 256" pipe udp
is "--samples: the header" "$(head -n 1 samples.csv)" "row,size,cpu,run,index,ns"
is "--samples: a line per round trip" "$(($(wc -l <samples.csv) - 1))" $((2 * 2 * 2 * 2 * 300))
is "--samples: every line row,size,cpu,run,index,ns" \
	"$(tail -n +2 samples.csv | grep -cvE '^(pipe|udp),(64|256),(same|split),[12],[0-9]+,[0-9]+$')" 0
# --repeat 2: the cells in two passes, run 1 of each, then run 2 of each.
want_cells=""
for run in 1 2; do
	for r in pipe udp; do
		for s in 64 256; do
			for c in same split; do
				want_cells+="$r,$s,$c,$run,300 "
			done
		done
	done
done
is "--samples: the runs in passes, index 1..300 each" \
	"$(tail -n +2 samples.csv | awk -F, '{ k = $1 "," $2 "," $3 "," $4; if (k != last) { if (last != "") printf "%s,%d ", last, n; last = k; n = 0 } n++; if ($5 != n) bad = 1 } END { printf "%s,%d %s", last, n, bad ? "bad index" : "" }')" \
	"$want_cells"
if $have_jq; then
	hmax=$(jq -r 'select(.test == "latency" and .mechanism == "pipe" and .size == 64 and .cpu == "same") | "\(.histogram_round_trips) \(.max_us)"' samples.json)
	is "--samples: the same round trips as the histogram (count, max within 0.01%)" \
		"$(awk -F, -v h="$hmax" 'BEGIN { split(h, w, " ") } NR > 1 && $1 == "pipe" && $2 == 64 && $3 == "same" { n++; if ($6 + 0 > m) m = $6 + 0 } END { d = m / 1000 - w[2]; if (d < 0) d = -d; print n, (d <= 1e-4 * w[2] ? "same max" : "max " m " ns, not " w[2] " us") }' samples.csv)" \
		"${hmax%% *} same max"
else
	skip "--samples: the same round trips as the histogram" "jq not installed"
fi
clean "--samples" "$BPID"
brun "--samples to a directory that is not there" 1 --count 300 --samples nodir/x.csv pipe
like "--samples nodir/x.csv: says so" "$ERR" "open nodir/x.csv: No such file or directory"
is "--samples nodir/x.csv: no table" "$OUT" ""
if [ -w /dev/full ]; then
	brun "--samples /dev/full" 1 --size 64 --count 300 --cpu same --json --samples /dev/full pipe
	like "--samples /dev/full: says so" "$ERR" 'write /dev/full: No space left on device'
	is "--samples /dev/full: nothing measured" "$OUT" ""
fi
# A file that reaches the size limit (ulimit -f, in KiB) mid-run: the cells
# fail naming it, the bench goes on.
run "--samples over ulimit -f" 0 -- bash -c \
	'ulimit -f 20 && echo "$$" >bench.pid && exec "$IPCDEMO" bench --size 64 --count 2000 --json --samples big.csv pipe'
BENCH_PIDS+=("$(cat bench.pid)")
if $have_jq; then
	want="same true writing big.csv: File too large"
	[ "$NCPU" -ge 2 ] && want+=$'\nsplit true writing big.csv: File too large'
	is "--samples over ulimit -f: the latency cells failed, naming the file" \
		"$(jq -r 'select(.test == "latency" and .why != "one CPU only") | "\(.cpu) \(.failed) \(.why)"' "$T/.out")" \
		"$want"
	is "--samples over ulimit -f: the throughput cells measured" \
		"$(jq -r 'select(.test == "throughput") | .available' "$T/.out" | sort -u)" "true"
else
	skip "--samples over ulimit -f: the cells" "jq not installed"
fi
clean "--samples over ulimit -f" "$(cat bench.pid)"

# A sixteen-size list is the longest there may be.
brun "16 sizes" 0 --size "$(seq -s, 16 31)" --count 300 --cpu same --json pipe
check_json "16 sizes" "$T/.out" 300 1 same "$(seq 16 31 | tr '\n' ' ')" pipe
clean "16 sizes" "$BPID"

# ---- output: a pipe closed early, a full disk, a terminal, -q ----

run "text | head -n 3" 0 -- bash -c '{ echo "$BASHPID" >bench.pid; exec "$IPCDEMO" bench --size 64,4k --count 300 --cpu same pipe shm udp; } | head -n 3; exit "${PIPESTATUS[0]}"'
BPID=$(cat bench.pid)
BENCH_PIDS+=("$BPID")
is "| head -n 3: the three first lines" "$(nlines "$T/.out")" 3
like "| head -n 3: the title" "$OUT" '^Round-trip latency'
is "| head -n 3: nothing on stderr" "$ERR" ""
clean "| head -n 3" "$BPID"
run "--json | head -n 1" 0 -- bash -c '{ echo "$BASHPID" >bench.pid; exec "$IPCDEMO" bench --size 64,4k --count 300 --cpu same --json pipe shm udp; } | head -n 1; exit "${PIPESTATUS[0]}"'
BPID=$(cat bench.pid)
BENCH_PIDS+=("$BPID")
like "--json | head -n 1: the first cell" "$OUT" '^\{"test":"latency","mechanism":"pipe",'
is "--json | head -n 1: nothing on stderr" "$ERR" ""
clean "--json | head -n 1" "$BPID"

if [ -w /dev/full ]; then
	run "> /dev/full" 1 -- bash -c 'echo "$$" >bench.pid; exec "$IPCDEMO" bench --size 64 --count 300 --cpu same pipe >/dev/full'
	BPID=$(cat bench.pid)
	BENCH_PIDS+=("$BPID")
	like "> /dev/full: names standard output" "$ERR" 'standard output.*No space left on device'
	clean "> /dev/full" "$BPID"
else
	skip "> /dev/full" "no /dev/full"
fi

brun "-q" 0 -q --size 64 --count 300 --cpu same pipe
is "-q: nothing on stderr" "$ERR" ""
like "-q: the tables still" "$OUT" '^pipe +64 B '

if $have_script; then
	# Standard error on a terminal, standard output in a file.
	run "on a terminal" 0 -- bash -c 'exec script -qec "\"\$IPCDEMO\" bench --size 64 --count 300 --cpu same pipe >tty.out" /dev/null </dev/null'
	like "on a terminal: progress on stderr" "$OUT" 'pipe 64 B same round trips \.\.\.'
	like "on a terminal: the tables on stdout" "$(cat tty.out)" '^pipe +64 B '
	unlike "on a terminal: no progress on stdout" "$(cat tty.out)" '\.\.\.'
	run "on a terminal, -q" 0 -- bash -c 'exec script -qec "\"\$IPCDEMO\" bench -q --size 64 --count 300 --cpu same pipe >tty.out" /dev/null </dev/null'
	is "on a terminal, -q: no progress" "$(tr -d '\r\n' <"$T/.out")" ""
	like "on a terminal, -q: the tables" "$(cat tty.out)" '^pipe +64 B '
else
	skip "progress on a terminal" "script not installed"
fi
is "the terminal runs left nothing in TMPDIR" "$(ls -A "$TMPDIR")" ""

# ---- Ctrl-C and SIGTERM ----

# lib.sh's interrupt: SIGINT to the bench alone, in the middle of a run of
# short cells, in each of the two tables.
for phase in latency throughput; do
	bg int "$IPCDEMO" bench --size 64,256,1k,4k --duration 50ms --json pipe mq sysv shm file
	i=$BG
	ok "Ctrl-C in the $phase table: the run gets there" wait_for "$BENCH_LIMIT" has int.out "\"test\":\"$phase\""
	ipid=$(cmd_pid "$i")
	BENCH_PIDS+=("$ipid")
	interrupt "$i"
	ok "Ctrl-C in the $phase table: it ends" wait_for $((T_LIMIT / 2)) dead "$i"
	reap "$i"
	is "Ctrl-C in the $phase table: exit status 0" "$ST" 0
	is "Ctrl-C in the $phase table: nothing on stderr" "$(cat int.err)" ""
	ok "Ctrl-C in the $phase table: it stopped early" test "$(nlines int.out)" -lt 80
	if $have_jq; then
		is "Ctrl-C in the $phase table: every line a whole JSON object" \
			"$(jq -R -r 'try (fromjson | type) catch "not JSON: \(.)"' int.out | grep -v '^object$')" ""
		# The interrupted cell is not printed: every cell printed is whole.
		is "Ctrl-C in the $phase table: every cell printed was measured" \
			"$(jq -r 'select(.available | not) | "\(.test) \(.mechanism) \(.size) \(.cpu): \(.why)"' int.out 2>&1)" ""
		is "Ctrl-C in the $phase table: every cell printed is sane" \
			"$(jq -r --argjson count null --argjson runs 1 "$SANE" int.out 2>&1)" ""
	else
		skip "Ctrl-C in the $phase table: every line a whole JSON object" "jq not installed"
		skip "Ctrl-C in the $phase table: every cell printed was measured" "jq not installed"
		skip "Ctrl-C in the $phase table: every cell printed is sane" "jq not installed"
	fi
	clean "Ctrl-C in the $phase table" "$ipid"
done

# Ctrl-C at a terminal reaches the whole process group: in the middle of
# a long cell, the bench and its children end at once. The bench runs in
# a session of its own (setsid), so that its group is not this script's.
long_bench() { # name: a bench of one long cell, in a process group of its own; $lpid
	bg "$1" setsid "$IPCDEMO" bench --size 64 --cpu same --duration 30s --json pipe
	LBG=$BG
	wait_for 10 has_child "$LBG"
	lpid=$(cmd_pid "$LBG")
	BENCH_PIDS+=("$lpid")
	# Its children (the two sides of the round trips) are running.
	wait_for 10 has_child "$lpid"
	sleep 0.5
}
if $have_setsid; then
	long_bench grp
	kill -INT -- "-$lpid" 2>/dev/null
	ok "Ctrl-C to the process group in a 30 s cell: it ends" wait_for 10 dead "$LBG"
	reap "$LBG"
	is "Ctrl-C to the process group: exit status 0" "$ST" 0
	is "Ctrl-C to the process group: nothing on stderr" "$(cat grp.err)" ""
	clean "Ctrl-C to the process group" "$lpid"

	# SIGTERM to the bench alone (kill, a service manager, timeout(1)):
	# passed on to its children, as the demos do.
	long_bench term
	kill -TERM "$lpid" 2>/dev/null
	ok "SIGTERM to the bench alone in a 30 s cell: it ends" wait_for 10 dead "$LBG"
	# If it did not: Ctrl-C to its children only (a second signal to the
	# bench would kill it outright).
	# shellcheck disable=SC2046 # a list of pids
	alive "$lpid" && kill -INT $(cat "/proc/$lpid/task/$lpid/children" 2>/dev/null) 2>/dev/null
	wait_for 10 dead "$LBG"
	reap "$LBG"
	is "SIGTERM to the bench alone: exit status 0" "$ST" 0
	clean "SIGTERM to the bench alone" "$lpid"
else
	skip "Ctrl-C to the process group" "setsid not installed"
	skip "SIGTERM to the bench alone" "setsid not installed"
fi

# ---- --stats --json of the verbs the bench runs: CPU time, arrivals ----

run "pipe produce | pipe consume --stats --json" 0 -- bash -c \
	'"$IPCDEMO" pipe produce --source counter -n 100 --stats --json 2>prod.err | "$IPCDEMO" pipe consume -q --stats --json >cons.out'
cons=$ERR
prod=$(cat prod.err)
is "consume --stats --json: one line on stderr" "$(count_re "$cons" .)" 1
is "produce --stats --json: one line on stderr" "$(count_re "$prod" .)" 1
if $have_jq; then
	is "consumer summary: received, CPU user and system, first <= last arrival" \
		"$(printf '%s\n' "$cons" | jq -r '[.type, .verb, .received,
			(.cpu_user_s | type == "number" and . >= 0), (.cpu_sys_s | type == "number" and . >= 0),
			(.first_mono_ns | type == "number" and . > 0), (.last_mono_ns | type == "number"),
			.first_mono_ns <= .last_mono_ns] | map(tostring) | join(" ")' 2>&1)" \
		"summary consume 100 true true true true true"
	is "producer summary: sent, CPU user and system" \
		"$(printf '%s\n' "$prod" | jq -r '[.type, .verb, .sent,
			(.cpu_user_s | type == "number" and . >= 0), (.cpu_sys_s | type == "number" and . >= 0)]
			| map(tostring) | join(" ")' 2>&1)" \
		"summary produce 100 true true"
else
	skip "consumer summary" "jq not installed"
	skip "producer summary" "jq not installed"
fi
run "consume --stats --json of nothing" 0 -- "$IPCDEMO" pipe consume -q --stats --json </dev/null
jis "nothing received: no arrival times" "0 false false" \
	'"\(.received) \(has("first_mono_ns")) \(has("last_mono_ns"))"' <<<"$ERR"
run "pipe produce | pipe consume --stats (text)" 0 -- bash -c \
	'"$IPCDEMO" pipe produce --source counter -n 100 | "$IPCDEMO" pipe consume -q --stats >/dev/null'
like "--stats text: CPU user and system" "$ERR" '^  cpu +[0-9.]+ s user \+ [0-9.]+ s system$'

is "nothing left in TMPDIR at the end" "$(ls -A "$TMPDIR")" ""

done_testing
