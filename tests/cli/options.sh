#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts expand $IPCDEMO themselves
# The shared option parser, through real verbs: every bad value is a usage
# error (status 2) naming the option and the value; the valid forms have
# their documented effect.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

nlines() { # text: number of lines (0 when empty)
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l | tr -d ' '; fi
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
line_lengths() { # text: the distinct line lengths, one a line
	printf '%s\n' "$1" | awk '{ print length($0) }' | sort -u
}

# bad_in NAME MECH VERB OPTION VALUE ARGS...: "ipcdemo MECH VERB ARGS..." is a
# usage error whose message names OPTION and VALUE and points to the help.
bad_in() {
	local name=$1 mech=$2 verb=$3 opt=$4 val=$5
	shift 5
	run "$name: usage error" 2 -- "$IPCDEMO" "$mech" "$verb" "$@"
	like "$name: names the option" "$ERR" "(^|[^-])$opt([^a-z-]|\$)"
	like "$name: names the value" "$ERR" "'$val'"
	like "$name: says where to look" "$ERR" "Try 'ipcdemo $mech $verb --help'"
	is "$name: nothing on stdout" "$OUT" ""
}

# ---- bad values ----

bad_in "--count abc" pipe produce --count abc --count abc
bad_in "--count -1" pipe produce --count -1 --count -1
bad_in "--count ''" pipe produce --count '' --count ''
bad_in "--count 99999999999999999999999" pipe produce --count 99999999999999999999999 \
	--count 99999999999999999999999
bad_in "-n abc (short form)" pipe produce --count abc -n abc
bad_in "--count=abc" pipe produce --count abc --count=abc
bad_in "--count 3x" pipe produce --count 3x --count 3x
bad_in "--count on a consumer" pipe consume --count abc --count abc
bad_in "--every 0" pipe produce --every 0 --every 0
bad_in "--every 5x" pipe produce --every 5x --every 5x
bad_in "--every -1s" pipe produce --every -1s --every -1s
bad_in "--every ''" pipe produce --every '' --every ''
bad_in "--size 1Q" pipe produce --size 1Q --size 1Q
bad_in "--size -5" pipe produce --size -5 --size -5
bad_in "--size k" pipe produce --size k --size k
bad_in "--timeout 0" pipe consume --timeout 0 --timeout 0
bad_in "--timeout 1y" pipe consume --timeout 1y --timeout 1y
bad_in "--mode 0800" fifo consume --mode 0800 --mode 0800
bad_in "--mode abc" fifo consume --mode abc --mode abc
bad_in "--mode on the producer" fifo produce --mode 9 --mode 9
ok "a bad --mode creates nothing" test ! -e pipe.fifo
bad_in "--source nope" pipe produce --source nope --source nope
like "--source nope: lists the choices" "$ERR" 'uuid.*stdin.*args.*counter'
bad_in "--lock nope" file produce --lock nope --lock nope
like "--lock nope: lists the choices" "$ERR" 'flock.*fcntl.*none'
ok "a bad --lock writes nothing" test ! -e storage

run "--count without a value (last word)" 2 -- "$IPCDEMO" pipe produce --count
like "--count without a value: names the option" "$ERR" '--count'
like "--count without a value: says a value is needed" "$ERR" 'value'
like "--count without a value: says where to look" "$ERR" "Try 'ipcdemo pipe produce --help'"
is "--count without a value: nothing on stdout" "$OUT" ""
run "-n without a value (last word)" 2 -- "$IPCDEMO" pipe produce -n
like "-n without a value: names the option" "$ERR" '(-n|--count)'
run "--timeout without a value" 2 -- "$IPCDEMO" pipe consume --timeout
like "--timeout without a value: names the option" "$ERR" '--timeout'

# ---- valid forms and their effect ----

run "--count=3" 0 -- "$IPCDEMO" pipe produce --count=3
is "--count=3: 3 messages" "$(nlines "$OUT")" 3
run "--count 3" 0 -- "$IPCDEMO" pipe produce --count 3
is "--count 3: 3 messages" "$(nlines "$OUT")" 3
run "-n3" 0 -- "$IPCDEMO" pipe produce -n3
is "-n3: 3 messages" "$(nlines "$OUT")" 3
run "-n 3" 0 -- "$IPCDEMO" pipe produce -n 3
is "-n 3: 3 messages" "$(nlines "$OUT")" 3
like "-n 3: UUIDs by default" "$OUT" "^$UUID_RE\$"
run "default count" 0 -- "$IPCDEMO" pipe produce
is "default: 10 messages, as the tutorial" "$(nlines "$OUT")" 10

run "-qn 3 cluster" 0 -- bash -c '"$IPCDEMO" pipe produce -n 5 | "$IPCDEMO" pipe consume -qn 3'
is "-qn 3: 3 messages" "$(nlines "$OUT")" 3
is "-qn 3: -q took effect (no header)" "$ERR" ""
run "-q -n3 separate" 0 -- bash -c '"$IPCDEMO" pipe produce -n 5 | "$IPCDEMO" pipe consume -q -n3'
is "-q -n3: 3 messages" "$(nlines "$OUT")" 3

run "--batches 3 -n 2" 0 -- "$IPCDEMO" pipe produce --batches 3 -n 2 --source counter
is "--batches 3 -n 2: 6 messages" "$OUT" "$(seq 1 6)"

run "--source counter -n 5" 0 -- "$IPCDEMO" pipe produce --source counter -n 5
is "--source counter -n 5: 1..5" "$OUT" "$(seq 1 5)"

run "--source stdin" 0 -- bash -c 'printf "first line\nsecond\n\nlast\n" | "$IPCDEMO" pipe produce --source stdin'
is "--source stdin: every line of stdin, as is" "$OUT" "first line
second

last"
run "--source stdin -n 2" 0 -- bash -c 'printf "a\nb\nc\n" | "$IPCDEMO" pipe produce --source stdin -n 2'
is "--source stdin -n 2: the first 2 lines" "$OUT" "a
b"
run "--source uuid" 0 -- "$IPCDEMO" pipe produce --source uuid -n 2
is "--source uuid: 2 UUIDs" "$(printf '%s\n' "$OUT" | grep -Ec "^$UUID_RE\$")" 2

run "messages as arguments" 0 -- "$IPCDEMO" pipe produce hello "" "two words"
is "arguments: one message each, in order" "$OUT" "hello

two words"
run "--source args with arguments" 0 -- "$IPCDEMO" pipe produce --source args x y
is "--source args: the arguments" "$OUT" "x
y"
run "--source counter with arguments" 2 -- "$IPCDEMO" pipe produce --source counter a b
like "--source counter with arguments: says why" "$ERR" 'argument'
is "--source counter with arguments: nothing produced" "$OUT" ""
run "--source args without arguments" 2 -- "$IPCDEMO" pipe produce --source args
run "a message with a newline" 2 -- "$IPCDEMO" pipe produce ok "two
lines"
like "a message with a newline: says why" "$ERR" 'newline'
is "a message with a newline: nothing produced" "$OUT" ""

run "options after arguments" 0 -- "$IPCDEMO" pipe produce alpha beta --batches 2
is "options after arguments: --batches applied" "$OUT" "alpha
beta
alpha
beta"
run "-n after arguments" 0 -- "$IPCDEMO" pipe produce alpha beta -n 3
is "-n after arguments: the arguments cycle" "$OUT" "alpha
beta
alpha"
run "-- ends the options" 0 -- "$IPCDEMO" pipe produce -- -x --count
is "--: '-x' and '--count' are messages" "$OUT" "-x
--count"
run "-- after an option" 0 -- "$IPCDEMO" pipe produce --batches 2 -- -x
is "--: options before it apply" "$OUT" "-x
-x"

# --size: lines of exactly BYTES, newline included
run "--size 4k" 0 -- "$IPCDEMO" pipe produce --size 4k -n 3
is "--size 4k: 3 lines" "$(nlines "$OUT")" 3
is "--size 4k: 4096 bytes per line with its newline" "$(line_lengths "$OUT")" 4095
like "--size 4k: the payload, then padding" "$OUT" "^$UUID_RE\\.+\$"
run "--size 4k: total bytes" 0 -- bash -c '"$IPCDEMO" pipe produce --size 4k -n 3 | wc -c'
is "--size 4k: 3 x 4096 bytes" "$(printf '%s' "$OUT" | tr -d ' ')" 12288
run "--size 1K" 0 -- "$IPCDEMO" pipe produce --size 1K -n 2
is "--size 1K: 1024 bytes per line" "$(line_lengths "$OUT")" 1023
run "--size 100" 0 -- "$IPCDEMO" pipe produce --size 100 -n 2 --source counter
is "--size 100: 100 bytes per line" "$(line_lengths "$OUT")" 99
like "--size 100: counter then dots" "$OUT" '^1\.+$'
run "--size smaller than the message" 0 -- "$IPCDEMO" pipe produce --size 5 -n 1
like "--size 5: the message is not cut" "$OUT" "^$UUID_RE\$"

# --every: the batch repeats after DURATION. Only lower bounds on the time
# are checked (a sleep never ends early); the run's time limit is the
# upper bound that tells milliseconds from seconds.
t0=$(now_ms)
run "--every 250ms --batches 3" 0 -- "$IPCDEMO" pipe produce --every 250ms --batches 3 -n 1 --source counter
t1=$(now_ms)
is "--every 250ms: 3 batches" "$OUT" "$(seq 1 3)"
ok "--every 250ms: at least 2 x 250 ms" test $((t1 - t0)) -ge 500
t0=$(now_ms)
run "--every 0.2s --batches 3" 0 -- "$IPCDEMO" pipe produce --every 0.2s --batches 3 -n 2 --source counter
t1=$(now_ms)
is "--every 0.2s: 3 batches of 2" "$OUT" "$(seq 1 6)"
ok "--every 0.2s: at least 2 x 200 ms" test $((t1 - t0)) -ge 400
t0=$(now_ms)
run "--every 1 (seconds) --batches 2" 0 -- "$IPCDEMO" pipe produce --every 1 --batches 2 -n 1 --source counter
t1=$(now_ms)
is "--every 1: 2 batches" "$OUT" "$(seq 1 2)"
ok "--every 1: a bare number is seconds" test $((t1 - t0)) -ge 1000
run "--every=300ms" 0 -- "$IPCDEMO" pipe produce --every=300ms --batches 2 -n 1 --source counter
is "--every=300ms: 2 batches" "$OUT" "$(seq 1 2)"

# --every without --batches repeats until stopped
: >every.out
"$IPCDEMO" pipe produce --every 50ms -n 1 --source counter >every.out 2>every.err &
pid=$!
has3() { [ "$(wc -l <every.out)" -ge 3 ]; }
ok "--every without --batches keeps going" wait_for 15 has3
kill -TERM "$pid" 2>/dev/null
wait "$pid"
ok "--every forever: stops cleanly on SIGTERM" test "$?" -lt 128
like "--every forever: counted up" "$(head -n 3 every.out)" '^3$'

# --timeout accepts the same durations
mkfifo silent
sleep 60 >silent &
writer=$!
run "--timeout 300ms with a silent writer" 4 -- "$IPCDEMO" pipe consume -q --timeout 300ms <silent
kill "$writer" 2>/dev/null
is "--timeout 300ms: nothing printed" "$OUT" ""
# end of input comes before the timeout: 0 messages and status 0
run "--timeout with end of input" 0 -- "$IPCDEMO" pipe consume -q --timeout 0.5s </dev/null

# ---- values the VALUES sections promise to check: usage errors, exit 2 ----
# None of these gets as far as a socket, a queue or a resolver.

for a in '127.0.0.1:-1' '-1' '127.0.0.1:+7790' '127.0.0.1: 7790' '127.0.0.1:0' '127.0.0.1:65536' \
	'+7790' '0' ':7700' '127.0.0.1:' '[::1' 'a b' '1.2.3.4:5:6'; do
	run "tcp consume -a '$a': usage error" 2 -- "$IPCDEMO" tcp consume -a "$a" --timeout 100ms
	like "tcp consume -a '$a': names the option and the value" "$ERR" \
		"invalid value '$(printf '%s' "$a" | sed 's/[][+.]/\\&/g')' for --address: "
done
run "tcp consume -a 127.0.0.1:-1: says the port range" 2 -- "$IPCDEMO" tcp consume -a 127.0.0.1:-1
like "-a 127.0.0.1:-1: the port must be 1 to 65535" "$ERR" "the port must be 1 to 65535 or a service name"
run "tcp consume -a 127.0.0.1:abc (no such service): usage error" 2 -- "$IPCDEMO" tcp consume -a 127.0.0.1:abc
like "-a 127.0.0.1:abc: says so" "$ERR" "invalid value '127.0.0.1:abc' for --address: no tcp service 'abc'"
run "udp produce -a 127.0.0.1:abc: usage error" 2 -- "$IPCDEMO" udp produce -a 127.0.0.1:abc -n 1
like "udp -a 127.0.0.1:abc: the udp service" "$ERR" "no udp service 'abc'"

for k in 0100 00 ' 42' '+42' '42 ' '-0x1' 0x 0x100000000 4294967296 -2147483649 1e3; do
	run "sysv info --key '$k': usage error" 2 -- "$IPCDEMO" sysv info --key "$k"
	like "sysv info --key '$k': names the option and the value" "$ERR" \
		"invalid value '$(printf '%s' "$k" | sed 's/[+]/\\&/g')' for --key: "
done
like "--key 1e3: says what a key is" "$ERR" "not a key \(examples: 0x69706364, 42\)"
run "sysv info --key 0100: never octal" 2 -- "$IPCDEMO" sysv info --key 0100
like "--key 0100: says why" "$ERR" "a leading 0 does not mean octal here"
for p in 010 ' 5' +5 0 256 0x100; do
	run "sysv info --proj '$p': usage error" 2 -- "$IPCDEMO" sysv info --path /dev/null --proj "$p"
	like "--proj '$p': says what it takes" "$ERR" "for --proj: one character or a number from 1 to 255"
done
run "sysv receive --type +5: no plus sign" 2 -- "$IPCDEMO" sysv receive --type +5
like "--type +5: names the option" "$ERR" "invalid value '\+5' for --type: not a whole number"

run "mq create --maxmsg 2^64-1: out of range" 2 -- "$IPCDEMO" mq create --maxmsg 18446744073709551615
like "--maxmsg 2^64-1: the parser says so" "$ERR" \
	"invalid value '18446744073709551615' for --maxmsg: must be at most 9223372036854775807"
unlike "--maxmsg 2^64-1: not the kernel's refusal" "$ERR" "kernel"
run "mq create --msgsize 8G... past a long: out of range" 2 -- "$IPCDEMO" mq create --msgsize 8589934592G
like "--msgsize 2^63: the parser says so" "$ERR" "invalid value '8589934592G' for --msgsize: must be at most 9223372036854775807"

# Counts, sizes and durations: no sign, no space, no overflow.
for v in ' 5' '+5' '5 ' 0x10 18446744073709551616; do
	run "-n '$v': usage error" 2 -- "$IPCDEMO" pipe produce -n "$v"
done
for v in ' 1k' '+1k' 1kk 17179869184G; do
	run "--size '$v': usage error" 2 -- "$IPCDEMO" pipe produce --size "$v" -n 1
done
for v in ' 1s' '+1s' 1e3s 1.5.s 9223372037s 366d; do
	run "--timeout '$v': usage error" 2 -- "$IPCDEMO" pipe consume --timeout "$v"
done

# --mode takes octal
run "--mode 0640" 4 -- "$IPCDEMO" fifo consume -q --mode 0640 --path m.fifo --timeout 100ms
is "--mode 0640: applied" "$(stat -c %a m.fifo 2>&1)" 640
run "--mode 600 (no leading 0)" 4 -- "$IPCDEMO" fifo consume -q --mode 600 --path m2.fifo --timeout 100ms
is "--mode 600: applied" "$(stat -c %a m2.fifo 2>&1)" 600

done_testing
