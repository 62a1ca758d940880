#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts expand $IPCDEMO themselves
# ipcdemo fifo: producer3.sh / consumer3.sh through a named pipe. Creation
# and its mode, refusing what is not a FIFO, both start orders, the
# tutorial's resilience workflow (consumer restart, producer restart),
# --exit-on-eof, --unlink, Ctrl-C, and fifo demo.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

# blocked_in_open PID: asleep in the kernel, in a FIFO open() where the
# kernel says where (wchan); a process that has just said it waits for a
# consumer has nothing else to sleep in.
blocked_in_open() {
	local st w=""
	st=$(sed -E 's/^[0-9]+ \(.*\) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "${st%% *}" = S ] || return 1
	[ -r "/proc/$1/wchan" ] && w=$(cat "/proc/$1/wchan" 2>/dev/null)
	case "$w" in "" | 0 | *partner* | *fifo*) return 0 ;; *) return 1 ;; esac
}
increasing() { # file of numbers: strictly increasing
	awk 'NR > 1 && $1 + 0 <= prev { bad = 1 } { prev = $1 + 0 } END { exit bad }' "$1"
}

# ---- creation: default path, mode, --path ----

run "consume creates pipe.fifo (umask 000)" 4 -- \
	bash -c 'umask 000; exec "$IPCDEMO" fifo consume --timeout 300ms'
ok "default path: pipe.fifo in the current directory is a FIFO" test -p pipe.fifo
is "created with mode 0600 exactly, whatever the umask" "$(mode_of pipe.fifo)" 600
like "consume: says it created the FIFO" "$ERR" 'created FIFO pipe\.fifo'
is "consume --timeout, nothing came: nothing on stdout" "$OUT" ""
rm -f pipe.fifo

run "consume --mode 0640 (umask 077)" 4 -- \
	bash -c 'umask 077; exec "$IPCDEMO" fifo consume --mode 0640 --path m640.fifo --timeout 300ms'
ok "--mode 0640: a FIFO" test -p m640.fifo
is "--mode 0640: mode 0640 exactly" "$(mode_of m640.fifo)" 640

mkfifo -m 0644 existing.fifo
run "consume on an existing FIFO" 4 -- "$IPCDEMO" fifo consume --mode 0600 --path existing.fifo --timeout 300ms
is "an existing FIFO keeps its mode" "$(mode_of existing.fifo)" 644
unlike "an existing FIFO: not 'created'" "$ERR" 'created'

mkdir sub
run "consume --path sub/my.fifo" 4 -- "$IPCDEMO" fifo consume --path sub/my.fifo --timeout 300ms
ok "--path: the FIFO is where --path says" test -p sub/my.fifo
ok "--path: no pipe.fifo made" test ! -e pipe.fifo

# ---- a path that is not a FIFO is an error, never replaced ----

printf 'precious\n' >regular
run "produce on a regular file" 1 -- "$IPCDEMO" fifo produce --path regular -n 1
like "produce on a regular file: 'not a FIFO'" "$ERR" 'regular.*not a FIFO'
is "produce on a regular file: content unchanged" "$(cat regular)" precious
ok "produce on a regular file: still a regular file" test -f regular
is "produce on a regular file: nothing echoed" "$OUT" ""
run "consume on a regular file" 1 -- "$IPCDEMO" fifo consume --path regular --timeout 1s
like "consume on a regular file: 'not a FIFO'" "$ERR" 'not a FIFO'
is "consume on a regular file: content unchanged" "$(cat regular)" precious
run "consume --unlink on a regular file" 1 -- "$IPCDEMO" fifo consume --unlink --path regular --timeout 1s
like "consume --unlink on a regular file: 'not a FIFO'" "$ERR" 'not a FIFO'
ok "--unlink never removes a regular file" test -f regular
is "--unlink on a regular file: content unchanged" "$(cat regular)" precious
run "produce --unlink on a regular file" 1 -- "$IPCDEMO" fifo produce --unlink --path regular -n 1
ok "produce --unlink never removes a regular file" test -f regular

mkdir adir
run "produce on a directory" 1 -- "$IPCDEMO" fifo produce --path adir -n 1
like "produce on a directory: 'not a FIFO'" "$ERR" 'adir.*not a FIFO'
ok "produce on a directory: still a directory" test -d adir
run "consume --unlink on a directory" 1 -- "$IPCDEMO" fifo consume --unlink --path adir --timeout 1s
like "consume on a directory: 'not a FIFO'" "$ERR" 'not a FIFO'
ok "consume --unlink on a directory: still a directory" test -d adir

# A symbolic link, even to a real FIFO, is refused at the start by both
# sides, and never removed.
mkfifo real.fifo
ln -s real.fifo link.fifo
run "consume --unlink on a symbolic link to a FIFO" 1 -- \
	"$IPCDEMO" fifo consume --unlink --path link.fifo --timeout 5s
like "consume on a symbolic link: says it is one, at once" "$ERR" \
	'link\.fifo exists and is a symbolic link, not a FIFO'
ok "consume --unlink: the link stays" test -L link.fifo
ok "consume --unlink: the FIFO it names stays" test -p real.fifo
run "produce on a symbolic link to a FIFO" 1 -- "$IPCDEMO" fifo produce --unlink --path link.fifo -n 1
like "produce on a symbolic link: says it is one" "$ERR" 'link\.fifo exists and is a symbolic link'
ok "produce --unlink: the link stays" test -L link.fifo
is "produce on a symbolic link: nothing echoed" "$OUT" ""

printf 'precious\n' >pipe.fifo
run "produce on a regular pipe.fifo (default path)" 1 -- "$IPCDEMO" fifo produce -n 1
like "default path, regular file: 'not a FIFO'" "$ERR" 'pipe\.fifo.*not a FIFO'
is "default path, regular file: content unchanged" "$(cat pipe.fifo)" precious
rm -f pipe.fifo

# ---- producer first: it says it waits; every message arrives in order ----

bg p "$IPCDEMO" fifo produce --path order1.fifo --source counter -n 2000
p=$BG
ok "producer first: says it waits for a consumer" wait_for 20 has p.err 'waiting for a consumer'
ok "producer first: created the FIFO" test -p order1.fifo
ok "producer first: still waiting" alive "$p"
is "producer first: nothing echoed before a consumer" "$(nlines p.out)" 0
run "producer first: consume --exit-on-eof" 0 -- \
	"$IPCDEMO" fifo consume --path order1.fifo --exit-on-eof --timeout 30s
is "producer first: every message, in order" "$OUT" "$(seq 1 2000)"
reap "$p"
is "producer first: producer exits 0" "$ST" 0
like "producer first: says the consumer connected" "$(cat p.err)" 'consumer connected'
is "producer first: echoes what it sent on stdout" "$(cat p.out)" "$(seq 1 2000)"

# ---- consumer first: every message arrives in order ----

bg c "$IPCDEMO" fifo consume --path order2.fifo -n 2000 --timeout 30s
c=$BG
ok "consumer first: creates the FIFO" wait_for 20 has c.err 'created FIFO'
run "consumer first: produce -q" 0 -- "$IPCDEMO" fifo produce -q --path order2.fifo --source counter -n 2000
is "produce -q: nothing on stdout" "$OUT" ""
is "produce -q: no notes on stderr" "$ERR" ""
reap "$c"
is "consumer first: consumer exits 0 after -n 2000" "$ST" 0
is "consumer first: every message, in order" "$(cat c.out)" "$(seq 1 2000)"

# The tutorial's consumer3.sh: no options; it waits quietly for a producer.
bg c "$IPCDEMO" fifo consume --path quiet.fifo -n 3
c=$BG
ok "plain consumer first: creates the FIFO" wait_for 20 test -p quiet.fifo
run "plain consumer first: produce" 0 -- "$IPCDEMO" fifo produce --path quiet.fifo one two three
is "produce: echoes the messages on stdout" "$OUT" "one
two
three"
ok "plain consumer first: exits after -n 3" wait_for 20 dead "$c"
reap "$c"
is "plain consumer first: exit status 0" "$ST" 0
is "plain consumer first: the messages" "$(cat c.out)" "one
two
three"
is "plain consumer first: no 'producer closed' before any producer" \
	"$(count_in c.err 'producer closed|next writer')" 0

# ---- --exit-on-eof ----

bg c "$IPCDEMO" fifo consume --path eof.fifo --exit-on-eof
c=$BG
ok "--exit-on-eof, consumer first: creates the FIFO" wait_for 20 test -p eof.fifo
bg p "$IPCDEMO" fifo produce -q --path eof.fifo first second third
p=$BG
ok "--exit-on-eof: the consumer exits" wait_for 20 dead "$c"
reap "$c"
is "--exit-on-eof: exit status 0" "$ST" 0
is "--exit-on-eof: it waited for the producer and read everything" "$(cat c.out)" "first
second
third"
ok "--exit-on-eof: the producer ends" wait_for 10 dead "$p"
stop "$p"

# ---- producer restart: the consumer waits for the next writer ----

bg c "$IPCDEMO" fifo consume --path prestart.fifo
c=$BG
ok "producer restart: consumer created the FIFO" wait_for 20 test -p prestart.fifo
run "producer restart: first producer" 0 -- "$IPCDEMO" fifo produce -q --path prestart.fifo first-1 first-2 first-3
ok "producer restart: first messages arrive" wait_for 20 has_lines c.out 3
ok "producer restart: consumer says it waits for the next writer" \
	wait_for 20 has c.err 'waiting for the next writer'
ok "producer restart: consumer still running after the producer exits" alive "$c"
is "producer restart: it says so once, it does not spin" "$(count_in c.err 'next writer')" 1
if alive "$c"; then
	run "producer restart: second producer" 0 -- "$IPCDEMO" fifo produce -q --path prestart.fifo second-1 second-2
	ok "producer restart: second messages arrive" wait_for 20 has_lines c.out 5
	ok "producer restart: waits again after the second" wait_for 20 count_at_least c.err 'next writer' 2
	is "producer restart: once per producer" "$(count_in c.err 'next writer')" 2
	ok "producer restart: consumer still running" alive "$c"
else
	ok "producer restart: second producer (the consumer is gone)" false
fi
is "producer restart: both producers' messages, in order" "$(cat c.out)" "first-1
first-2
first-3
second-1
second-2"
stop "$c"

# The same with --timeout (poll() path): waiting is not a timeout either.
bg c "$IPCDEMO" fifo consume --path prestart2.fifo --timeout 30s
c=$BG
ok "producer restart (--timeout): consumer created the FIFO" wait_for 20 test -p prestart2.fifo
run "producer restart (--timeout): first producer" 0 -- "$IPCDEMO" fifo produce -q --path prestart2.fifo a
ok "producer restart (--timeout): waits for the next writer" \
	wait_for 20 has c.err 'waiting for the next writer'
run "producer restart (--timeout): second producer" 0 -- "$IPCDEMO" fifo produce -q --path prestart2.fifo b
ok "producer restart (--timeout): second message arrives" wait_for 20 has_lines c.out 2
is "producer restart (--timeout): both" "$(cat c.out)" "a
b"
ok "producer restart (--timeout): still running" alive "$c"
stop "$c"

# ---- consumer restart: the tutorial's resilience workflow ----

bg p "$IPCDEMO" fifo produce --path res.fifo --every 200ms --batches 300 --source counter --seq -n 1
p=$BG
ok "resilience: producer waits for a consumer" wait_for 20 has p.err 'waiting for a consumer'
bg_direct c1 "$IPCDEMO" fifo consume --path res.fifo --timeout 30s
c1=$BG
ok "resilience: first consumer gets data" wait_for 20 has_lines c1.out 3
kill -KILL "$c1" 2>/dev/null
wait "$c1" 2>/dev/null
ok "resilience: producer says the consumer went away" wait_for 20 has p.err 'went away'
like "resilience: and that it waits for a consumer" "$(sed -n '/went away/,$p' p.err)" 'waiting for a consumer'
ok "resilience: producer keeps running without a consumer" alive "$p"
run "resilience: second consumer" 0 -- "$IPCDEMO" fifo consume --path res.fifo -n 5 --timeout 30s
printf '%s\n' "$OUT" >c2.out
is "resilience: second consumer gets 5 messages" "$(nlines c2.out)" 5
ok "resilience: producer still running" alive "$p"
like "resilience: producer says the new consumer connected" \
	"$(sed -n '/went away/,$p' p.err)" 'consumer connected'
cat c1.out c2.out >all.out
is "resilience: every line is ID:SEQ:COUNTER" "$(grep -Evc '^[0-9]+:[0-9]+:[0-9]+$' all.out)" 0
cut -d: -f2 all.out >seqs
is "resilience: the stamp and the counter agree" "$(awk -F: '$2 != $3' all.out)" ""
is "resilience: no duplicates across the restart" "$(sort seqs | uniq -d)" ""
ok "resilience: the messages keep going up across the restart" increasing seqs
ok "resilience: the second consumer continues after the first" \
	test "$(head -n 1 <(cut -d: -f2 c2.out))" -gt "$(tail -n 1 <(cut -d: -f2 c1.out))"
is "resilience: everything received was sent" "$(grep -vxFf p.out all.out)" ""
# The second consumer left too: the producer waits again, blocked in open().
ok "resilience: producer waits again after the second consumer" \
	wait_for 20 count_at_least p.err 'went away' 2
ok "resilience: producer is blocked waiting" wait_for 20 blocked_in_open "$(cmd_pid "$p")"
kill -INT "$(cmd_pid "$p")" 2>/dev/null
ok "resilience: producer stops on Ctrl-C" wait_for 20 dead "$p"
reap "$p"
is "resilience: producer exit status 0" "$ST" 0

# ---- Ctrl-C ----

old_umask=$(umask)
umask 000
bg p "$IPCDEMO" fifo produce --unlink
p=$BG
umask "$old_umask"
ok "Ctrl-C: producer waits for a consumer" wait_for 20 has p.err 'waiting for a consumer'
ok "producer creates pipe.fifo by default" test -p pipe.fifo
is "producer creates it with mode 0600 (umask 000)" "$(mode_of pipe.fifo)" 600
ok "Ctrl-C: producer is blocked in open()" wait_for 20 blocked_in_open "$(cmd_pid "$p")"
kill -INT "$(cmd_pid "$p")"
ok "Ctrl-C: a producer blocked in open() exits" wait_for 10 dead "$p"
reap "$p"
is "Ctrl-C: producer exit status 0" "$ST" 0
is "Ctrl-C: nothing was echoed" "$(nlines p.out)" 0
ok "Ctrl-C: --unlink removed the FIFO" test ! -e pipe.fifo

# The summary's time "in" counts from the start of the command, the wait
# for a reader included: interrupted in that wait, and after it.
bg p "$IPCDEMO" fifo produce --stats -n 2 --path wait.fifo
p=$BG
ok "Ctrl-C after a wait: producer waits for a consumer" wait_for 20 has p.err 'waiting for a consumer'
sleep 1
ok "Ctrl-C after a wait: producer is blocked in open()" wait_for 20 blocked_in_open "$(cmd_pid "$p")"
interrupt "$p"
ok "Ctrl-C after a wait: producer exits" wait_for 10 dead "$p"
reap "$p"
is "Ctrl-C after a wait: exit status 0" "$ST" 0
like "Ctrl-C after a wait: says what was not sent" "$(cat p.err)" ': 2 messages were not sent$'
like "Ctrl-C after a wait: the summary: nothing sent" "$(cat p.err)" ': sent 0 messages, 0 bytes$'
secs=$(sed -nE 's/^  elapsed +([0-9.]+) s, waits included$/\1/p' p.err)
ok "Ctrl-C after a wait: the time in the summary includes the wait ($secs s)" \
	awk -v t="$secs" 'BEGIN { exit !(t != "" && t + 0 >= 0.5) }'

bg p "$IPCDEMO" fifo produce -q --stats -n 2 --path late.fifo
p=$BG
ok "late reader: producer made the FIFO" wait_for 20 test -p late.fifo
sleep 1
run "late reader: the consumer" 0 -- "$IPCDEMO" fifo consume -q --path late.fifo --exit-on-eof --timeout 30s
ok "late reader: producer exits" wait_for 20 dead "$p"
reap "$p"
is "late reader: producer exit status 0" "$ST" 0
like "late reader: the summary: both sent" "$(cat p.err)" ': sent 2 messages, 72 bytes$'
secs=$(sed -nE 's/^  elapsed +([0-9.]+) s, waits included$/\1/p' p.err)
ok "late reader: the time in the summary includes the wait ($secs s)" \
	awk -v t="$secs" 'BEGIN { exit !(t != "" && t + 0 >= 0.5) }'

bg c "$IPCDEMO" fifo consume --path stats.fifo --stats --timeout 30s
c=$BG
ok "consume --stats: created the FIFO" wait_for 20 test -p stats.fifo
run "consume --stats: producer" 0 -- "$IPCDEMO" fifo produce -q --path stats.fifo -n 3
ok "consume --stats: 3 messages arrive" wait_for 20 has_lines c.out 3
kill -INT "$(cmd_pid "$c")"
ok "Ctrl-C: the consumer exits" wait_for 10 dead "$c"
reap "$c"
ok "Ctrl-C: consumer not killed by the signal" test "$ST" -lt 128
like "Ctrl-C: consumer prints the --stats summary" "$(cat c.err)" 'received 3 messages, 108 bytes'
unlike "Ctrl-C: the summary is not on stdout" "$(cat c.out)" 'received'

# ---- --unlink ----

run "consume --unlink" 4 -- "$IPCDEMO" fifo consume --unlink --path u1.fifo --timeout 300ms
ok "consume --unlink: the FIFO is removed on exit" test ! -e u1.fifo

bg p "$IPCDEMO" fifo produce -q --unlink --path u2.fifo -n 3
p=$BG
ok "produce --unlink: created the FIFO" wait_for 20 test -p u2.fifo
run "produce --unlink: consumer" 0 -- "$IPCDEMO" fifo consume --path u2.fifo --exit-on-eof --timeout 30s
is "produce --unlink: 3 messages" "$(printf '%s\n' "$OUT" | grep -Ec "^$UUID4_RE\$")" 3
reap "$p"
is "produce --unlink: exit status 0" "$ST" 0
ok "produce --unlink: the FIFO is removed on exit" test ! -e u2.fifo

bg c "$IPCDEMO" fifo consume --unlink --path swap.fifo --timeout 3s
c=$BG
ok "--unlink: consumer created the FIFO" wait_for 20 test -p swap.fifo
rm -f swap.fifo
printf 'precious\n' >swap.fifo
ok "--unlink: the FIFO was replaced while the consumer ran" alive "$c"
ok "--unlink: consumer ends" wait_for 20 dead "$c"
reap "$c"
ok "--unlink: a regular file put in its place is not removed" test -f swap.fifo
is "--unlink: and keeps its content" "$(cat swap.fifo 2>&1)" precious

# ---- nothing written is lost to a reader that opens the FIFO per line ----

# The tutorial's consumer3.sh opens the FIFO for each line it reads. When
# the producer had exited, the kernel threw away what the pipe still held
# as soon as the first of these readers closed.
bg p "$IPCDEMO" fifo produce --seq --id 3 -n 10 --path loop.fifo
p=$BG
ok "per-line reader: the producer made the FIFO" wait_for 20 test -p loop.fifo
run "per-line reader: 10 reads of one line each" 0 -- bash -c \
	'for i in 1 2 3 4 5 6 7 8 9 10; do read -r line <loop.fifo; echo "$line"; done'
is "per-line reader: all 10 lines arrive, in order" "$(printf '%s\n' "$OUT" | cut -d: -f1,2 | tr '\n' ' ')" \
	"3:1 3:2 3:3 3:4 3:5 3:6 3:7 3:8 3:9 3:10 "
is "per-line reader: what was echoed is what was read" "$OUT" "$(cat p.out)"
ok "per-line reader: the producer exits once everything is read" wait_for 20 dead "$p"
reap "$p"
is "per-line reader: producer exit status 0" "$ST" 0

# --linger bounds the wait, and says what the kernel throws away.
bg p "$IPCDEMO" fifo produce -n 10 --linger 300ms --path linger.fifo
p=$BG
ok "--linger: the producer made the FIFO" wait_for 20 test -p linger.fifo
run "--linger: one line read" 0 -- bash -c 'read -r line <linger.fifo; echo "$line"'
ok "--linger: the producer gives up" wait_for 20 dead "$p"
reap "$p"
is "--linger: exit status 4 when unread data is discarded" "$ST" 4
like "--linger: says it waits" "$(cat p.err)" '9 messages \(333 bytes\) not read yet from linger\.fifo; waiting'
like "--linger: says how much is discarded" "$(cat p.err)" \
	'9 messages \(333 bytes\) still unread in linger\.fifo, discarded by the kernel'

# Ctrl-C ends the wait at once.
bg p "$IPCDEMO" fifo produce -q -n 10 --path int.fifo
p=$BG
ok "Ctrl-C while lingering: the producer made the FIFO" wait_for 20 test -p int.fifo
run "Ctrl-C while lingering: one line read" 0 -- bash -c 'read -r line <int.fifo; echo "$line"'
ok "Ctrl-C while lingering: still waiting" alive "$(cmd_pid "$p")"
interrupt "$p"
ok "Ctrl-C while lingering: ends" wait_for 10 dead "$p"
reap "$p"
is "Ctrl-C while lingering: exit status 0" "$ST" 0
like "Ctrl-C while lingering: says what is discarded" "$(cat p.err)" '9 messages .* discarded by the kernel'

# ---- fifo demo ----

mkdir demotmp
run "fifo demo" 0 -- env TMPDIR="$T/demotmp" "$IPCDEMO" fifo demo
demo=$OUT
is "demo: 10 UUIDs labelled producer" "$(printf '%s\n' "$demo" | grep -Ec "^producer +\\| $UUID4_RE\$")" 10
is "demo: 10 UUIDs labelled consumer" "$(printf '%s\n' "$demo" | grep -Ec "^consumer +\\| $UUID4_RE\$")" 10
is "demo: the consumer got what the producer sent, in order" \
	"$(printf '%s\n' "$demo" | sed -nE "s/^consumer +\\| ($UUID4_RE)\$/\\1/p")" \
	"$(printf '%s\n' "$demo" | sed -nE "s/^producer +\\| ($UUID4_RE)\$/\\1/p")"
is "demo: leaves nothing in TMPDIR" "$(ls -A demotmp)" ""
is "demo: nothing on stderr" "$ERR" ""

done_testing
