#!/bin/bash
# ipcdemo file: the shared storage file (producer.sh / consumer.sh).
. "$(dirname "$0")/lib.sh"

not() { ! "$@"; }
all_uuids() { # file n: exactly n lines, every one a UUID
	[ "$(nlines "$1")" = "$2" ] && ! grep -Evq "^$UUID_RE\$" "$1"
}
# A blocked lock request on the file's inode (/proc/locks shows it as "->").
lock_waiter() { # kind(FLOCK|POSIX) inode
	grep -Eq -- "-> +$1 .*:$2 " /proc/locks
}
# Start a command in the background with a time limit; its pid in $BG.
# (Not lib.sh's bg: the files are named in full, the limit is run's, and
# the command is a process group of its own.)
bg() { # out err cmd...
	local out=$1 err=$2
	shift 2
	timeout -k 5 "$T_LIMIT" "$@" >"$out" 2>"$err" &
	BG=$!
}

# ---- produce ----

run "produce: default is 10 UUIDs into ./storage" 0 -- "$IPCDEMO" file produce
ok "produce: ./storage created" test -f storage
ok "produce: 10 UUID lines in storage" all_uuids storage 10
is "produce: echoes on stdout what it appends" "$OUT" "$(cat storage)"
first_batch=$(cat storage)

run "produce: a second run" 0 -- "$IPCDEMO" file produce -n 3
ok "produce: appends (13 lines now)" all_uuids storage 13
is "produce: earlier lines untouched" "$(head -n 10 storage)" "$first_batch"
is "produce: new lines at the end" "$(tail -n 3 storage)" "$OUT"

run "produce: messages as arguments" 0 -- "$IPCDEMO" file produce --path args.txt hello "two words"
is "produce --path: arguments are whole lines" "$(cat args.txt)" "hello
two words"
is "produce: echo of the arguments" "$OUT" "hello
two words"

run "produce -q" 0 -- "$IPCDEMO" file produce -q --path quiet.txt -n 4
is "produce -q: nothing on stdout" "$OUT" ""
ok "produce -q: still writes 4 lines" all_uuids quiet.txt 4

run "produce: every line ends with a newline" 0 -- "$IPCDEMO" file produce -q --path nl.txt x
is "produce: file is exactly 'x\\n'" "$(od -An -c nl.txt | tr -s ' ')" " x \n"

run "produce --every 200ms --batches 2 -n 3" 0 -- "$IPCDEMO" file produce -q --every 200ms --batches 2 -n 3 --path ev.txt
ok "produce --every --batches: 2 batches of 3 lines" all_uuids ev.txt 6
run "produce --stats" 0 -- "$IPCDEMO" file produce -q --stats --path st.txt -n 4
like "produce --stats: summary on stderr" "$ERR" "sent 4 messages"
is "produce --stats -q: nothing on stdout" "$OUT" ""

# ---- modes ----

is "produce: new file has mode 0600" "$(stat -c %a storage)" "600"
old_umask=$(umask)
umask 077
run "produce --mode 0640 under umask 077" 0 -- "$IPCDEMO" file produce -q --mode 0640 --path m640 x
umask 000
run "produce under umask 000" 0 -- "$IPCDEMO" file produce -q --path m600 x
umask "$old_umask"
is "produce --mode 0640: exactly 0640 whatever the umask" "$(stat -c %a m640 2>&1)" "640"
is "produce: default 0600 even under umask 000" "$(stat -c %a m600 2>&1)" "600"
run "produce --mode on an existing file" 0 -- "$IPCDEMO" file produce -q --mode 0644 --path m600 y
is "produce --mode: an existing file keeps its mode" "$(stat -c %a m600)" "600"
is "produce --mode: and gets the line appended" "$(cat m600)" "x
y"

# ---- --truncate ----

printf 'old1\nold2\nold3\n' >trunc.txt
run "produce --truncate" 0 -- "$IPCDEMO" file produce -q --truncate --path trunc.txt new1 new2
is "produce --truncate: the file holds only the new lines" "$(cat trunc.txt)" "new1
new2"
run "produce --truncate on a missing file" 0 -- "$IPCDEMO" file produce -q --truncate --path fresh.txt a
is "produce --truncate: creates it" "$(cat fresh.txt)" "a"

# ---- refusing what is not a regular file ----

mkdir adir
touch adir/keep
run "produce: an existing directory is refused" 1 -- "$IPCDEMO" file produce -q --path adir x
like "produce: the message names the directory" "$ERR" "adir"
ok "produce: the directory is untouched" test -d adir
is "produce: the directory's content is untouched" "$(ls -A adir)" "keep"

mkfifo afifo
run "produce: an existing FIFO is refused" 1 -- "$IPCDEMO" file produce -q --path afifo x
like "produce: the message names the FIFO" "$ERR" "afifo"
ok "produce: the FIFO is still a FIFO" test -p afifo

# The same with a reader on the FIFO, so that opening it succeeds.
exec 3<>afifo
run "produce: a FIFO with a reader is refused too" 1 -- "$IPCDEMO" file produce -q --path afifo x
like "produce: the message names the FIFO (with a reader)" "$ERR" "afifo"
ok "produce: nothing was written into the FIFO" not read -r -t 0 -u 3
exec 3<&-
ok "produce: the FIFO is still a FIFO (with a reader)" test -p afifo

run "consume: a directory is refused" 1 -- "$IPCDEMO" file consume --no-follow --path adir
like "consume: the message names the directory" "$ERR" "adir"
run "consume (following): a FIFO is refused" 1 -- "$IPCDEMO" file consume --path afifo
like "consume (following): the message names the FIFO" "$ERR" "afifo"
ok "consume: the FIFO is still a FIFO" test -p afifo

# ---- locks ----

rm -f lk
"$IPCDEMO" file produce -q --path lk first
ino=$(stat -c %i lk)
bg holder.out holder.err flock lk sh -c ': >held; while [ ! -e go ]; do sleep 0.05; done; echo holder >>lk'
holder=$BG
wait_for 10 test -e held
bg prod.out prod.err "$IPCDEMO" file produce -q --path lk producer
prod=$BG
if [ -r /proc/locks ]; then
	ok "--lock flock (default): the producer waits for flock(1)'s lock" wait_for 10 lock_waiter FLOCK "$ino"
else
	skip "--lock flock (default): the producer waits for flock(1)'s lock" "no /proc/locks"
fi
ok "--lock flock: the producer has not written while the lock is held" test "$(cat lk)" = first
touch go
wait "$holder"
is "--lock flock: flock(1) holder exits 0" "$?" 0
wait "$prod"
is "--lock flock: producer exits 0" "$?" 0
is "--lock flock: the producer's line lands after the holder's" "$(cat lk)" "first
holder
producer"

# --lock none ignores a held flock; --lock fcntl does not conflict with it on Linux
# but must work.
rm -f held go
bg holder.out holder.err flock lk sh -c ': >held; while [ ! -e go ]; do sleep 0.05; done'
holder=$BG
wait_for 10 test -e held
run "--lock none: writes while another process holds an flock" 0 -- "$IPCDEMO" file produce -q --lock none --path lk free
touch go
wait "$holder"
is "--lock none: the line is there" "$(tail -n 1 lk)" "free"

run "--lock fcntl: produce" 0 -- "$IPCDEMO" file produce --lock fcntl --path fc.txt -n 5
ok "--lock fcntl: 5 lines written" all_uuids fc.txt 5
is "--lock fcntl: echoed" "$OUT" "$(cat fc.txt)"
run "--lock none: produce" 0 -- "$IPCDEMO" file produce -q --lock none --path none.txt -n 5
ok "--lock none: 5 lines written" all_uuids none.txt 5
run "--lock bogus is a usage error" 2 -- "$IPCDEMO" file produce -q --lock bogus --path none.txt
like "--lock bogus: names the option" "$ERR" "lock"

if $have_python && [ -r /proc/locks ]; then
	rm -f held go
	"$IPCDEMO" file produce -q --path fl first
	ino=$(stat -c %i fl)
	cat >holdf.py <<'EOF'
import fcntl, os, time
f = open("fl", "a")
fcntl.lockf(f, fcntl.LOCK_EX)
open("held", "w").close()
while not os.path.exists("go"):
    time.sleep(0.05)
f.write("holder\n")
f.flush()
EOF
	bg holder.out holder.err python3 holdf.py
	holder=$BG
	wait_for 10 test -e held
	bg prod.out prod.err "$IPCDEMO" file produce -q --lock fcntl --path fl producer
	prod=$BG
	ok "--lock fcntl: the producer waits for a POSIX lock" wait_for 10 lock_waiter POSIX "$ino"
	touch go
	wait "$holder"
	wait "$prod"
	is "--lock fcntl: producer exits 0" "$?" 0
	is "--lock fcntl: the producer's line lands after the holder's" "$(cat fl)" "first
holder
producer"
else
	skip "--lock fcntl: the producer waits for a POSIX lock" "needs python3 and /proc/locks"
fi

# ---- consume ----

rm -f storage
run "consume --no-follow: missing file" 1 -- "$IPCDEMO" file consume --no-follow
like "consume --no-follow: missing file is named" "$ERR" "storage"
run "consume --no-follow --path: missing file" 1 -- "$IPCDEMO" file consume --no-follow --path nothere
like "consume --no-follow --path: missing file is named" "$ERR" "nothere"

"$IPCDEMO" file produce -q -n 3
run "consume --no-follow: prints and exits" 0 -- "$IPCDEMO" file consume --no-follow
is "consume --no-follow: prints the file" "$OUT" "$(cat storage)"
: >empty.txt
run "consume --no-follow: an empty file" 0 -- "$IPCDEMO" file consume --no-follow --path empty.txt
is "consume --no-follow: an empty file prints nothing" "$OUT" ""

# Follow: what is there, then what comes.
bg c1.out c1.err "$IPCDEMO" file consume -n 6
c1=$BG
ok "consume: prints what the file holds" wait_for 10 has_lines c1.out 3
run "consume: produce while it follows" 0 -- "$IPCDEMO" file produce -q -n 3
wait "$c1"
is "consume -n 6: exits 0" "$?" 0
is "consume: all 6 lines in order" "$(cat c1.out)" "$(cat storage)"

# Started before the file exists (either side may start first).
rm -f storage
bg c2.out c2.err "$IPCDEMO" file consume -n 2
c2=$BG
wait_for 5 grep -q storage c2.err # its note, if any: then it is waiting
ok "consume: keeps running while the file is missing" kill -0 "$c2"
run "consume: file created after the consumer started" 0 -- "$IPCDEMO" file produce -q one two
wait "$c2"
is "consume: exits 0 once the file appeared" "$?" 0
is "consume: prints the lines of the new file" "$(cat c2.out)" "one
two"

# Removal and re-creation, as producer.sh does with rm -f.
rm -f storage
"$IPCDEMO" file produce -q A1 A2
bg c3.out c3.err "$IPCDEMO" file consume -n 4
c3=$BG
wait_for 10 has_lines c3.out 2
rm storage
wait_for 5 grep -Eqi 'remov|replac|wait' c3.err
run "consume: produce after removal" 0 -- "$IPCDEMO" file produce -q B1 B2
wait "$c3"
is "consume across removal: exits 0" "$?" 0
is "consume across removal: old then new lines" "$(cat c3.out)" "A1
A2
B1
B2"

# Removal and immediate re-creation (the new file may show up before the
# consumer notices the removal).
rm -f storage
"$IPCDEMO" file produce -q C1 C2
bg c4.out c4.err "$IPCDEMO" file consume -n 4
c4=$BG
wait_for 10 has_lines c4.out 2
rm storage
"$IPCDEMO" file produce -q D1 D2
wait "$c4"
is "consume across immediate re-creation: exits 0" "$?" 0
is "consume across immediate re-creation: old then new lines" "$(cat c4.out)" "C1
C2
D1
D2"

# Truncation: the new content is shorter than what was read, so it is
# recognisable whenever the consumer looks.
rm -f storage
"$IPCDEMO" file produce -q long-line-before-truncation-1 long-line-before-truncation-2
bg c5.out c5.err "$IPCDEMO" file consume -n 4
c5=$BG
wait_for 10 has_lines c5.out 2
run "produce --truncate while a consumer follows" 0 -- "$IPCDEMO" file produce -q --truncate E1 E2
wait "$c5"
is "consume across truncation: exits 0" "$?" 0
is "consume across truncation: old then new lines" "$(cat c5.out)" "long-line-before-truncation-1
long-line-before-truncation-2
E1
E2"
is "produce --truncate: the file holds only the new lines" "$(cat storage)" "E1
E2"

# Truncation to empty, then a shorter line.
bg c6.out c6.err "$IPCDEMO" file consume -n 3
c6=$BG
wait_for 10 has_lines c6.out 2
run "produce --truncate with no messages" 0 -- "$IPCDEMO" file produce -q --truncate --source stdin </dev/null
is "produce --truncate --source stdin </dev/null: file is empty" "$(stat -c %s storage)" 0
wait_for 5 grep -qi trunc c6.err
"$IPCDEMO" file produce -q F
wait "$c6"
is "consume across truncation to empty: exits 0" "$?" 0
is "consume across truncation to empty: lines in order" "$(cat c6.out)" "E1
E2
F"

# A half-written line is never printed.
printf 'first\nhal' >half.txt
run "consume --no-follow: a half-written last line" 0 -- "$IPCDEMO" file consume --no-follow --path half.txt
is "consume --no-follow: only the complete line" "$OUT" "first"
bg c7.out c7.err "$IPCDEMO" file consume -n 2 --path half.txt
c7=$BG
# Output is flushed once the file is read to its end, 'hal' included.
ok "consume: prints the complete line" wait_for 10 has_lines c7.out 1
printf 'f-' >>half.txt
# No event to wait for: give the consumer a moment to (wrongly) print it.
ok "consume: a half-written line is not printed" not wait_for 1 grep -q hal c7.out
printf 'line\n' >>half.txt
wait "$c7"
is "consume: exits 0 once the line is complete" "$?" 0
is "consume: the line is printed whole, once complete" "$(cat c7.out)" "first
half-line"

printf 'r1\npart' >rp.txt
run "consume --reread --no-follow: a file ending in half a line" 0 -- "$IPCDEMO" file consume --reread 1s --no-follow --path rp.txt
is "consume --reread: the half line is not printed" "$OUT" "r1"

# --reread: the tutorial's consumer.sh, which prints everything every time.
printf 'r1\nr2\nr3\n' >rr.txt
run "consume --reread 200ms -n 7" 0 -- "$IPCDEMO" file consume --reread 200ms -n 7 --path rr.txt
is "consume --reread: reprints the whole file" "$OUT" "r1
r2
r3
r1
r2
r3
r1"
run "consume --reread --no-follow: once" 0 -- "$IPCDEMO" file consume --reread 200ms --no-follow --path rr.txt
is "consume --reread --no-follow: the file once" "$OUT" "r1
r2
r3"
rm -f later.txt
bg c8.out c8.err "$IPCDEMO" file consume --reread 200ms -n 2 --path later.txt
c8=$BG
wait_for 5 grep -q later.txt c8.err
"$IPCDEMO" file produce -q --path later.txt L1 L2
wait "$c8"
is "consume --reread: waits for a missing file, exits 0" "$?" 0
is "consume --reread: prints it once it exists" "$(cat c8.out)" "L1
L2"

# --timeout
run "consume --timeout 300ms: empty file" 4 -- "$IPCDEMO" file consume --timeout 300ms --path empty.txt
is "consume --timeout: nothing printed" "$OUT" ""
run "consume --timeout 300ms: missing file" 4 -- "$IPCDEMO" file consume -q --timeout 300ms --path nothere
run "consume --timeout 300ms: data then idle" 0 -- "$IPCDEMO" file consume --timeout 300ms --path rr.txt
is "consume --timeout: the data was printed" "$OUT" "r1
r2
r3"
run "consume --timeout 0 is a usage error" 2 -- "$IPCDEMO" file consume --timeout 0 --path rr.txt

# --json
printf 'hello\nwith "quotes" and \\ back\n' >j.txt
run "consume --json" 0 -- "$IPCDEMO" file consume --json --no-follow --path j.txt
if $have_python; then
	got=$(printf '%s\n' "$OUT" | python3 -c '
import json, re, sys
for line in sys.stdin:
    o = json.loads(line)
    t = re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", o["time"]) is not None
    print(o["payload"], o["bytes"] == len(o["payload"].encode()), o["mechanism"], t,
          "seq" in o, "producer" in o, sep="|")
' 2>&1)
	is "consume --json: payload, bytes, time, mechanism; no seq" "$got" 'hello|True|file|True|False|False
with "quotes" and \ back|True|file|True|False|False'
else
	like "consume --json: mechanism file" "$OUT" '"mechanism": ?"file"'
	like "consume --json: payload" "$OUT" '"payload": ?"hello"'
	like "consume --json: bytes" "$OUT" '"bytes": ?5[,}]'
	like "consume --json: time" "$OUT" '"time": ?"[0-9]{4}-'
	unlike "consume --json: no seq without --seq" "$OUT" '"seq"'
fi
run "produce --seq --id 5" 0 -- "$IPCDEMO" file produce -q --seq --id 5 --path js.txt hello world
run "consume --json on --seq lines" 0 -- "$IPCDEMO" file consume --json --no-follow --path js.txt
if $have_python; then
	got=$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["payload"], o["seq"], o["producer"], o["mechanism"], isinstance(o["bytes"], int), sep="|")
' 2>&1)
	is "consume --json: seq and producer with --seq" "$got" "hello|1|5|file|True
world|2|5|file|True"
else
	like "consume --json: seq" "$OUT" '"seq": ?2'
	like "consume --json: producer" "$OUT" '"producer": ?5'
	like "consume --json: payload without the stamp" "$OUT" '"payload": ?"world"'
fi

# --verify on the file
run "produce --seq into a file" 0 -- "$IPCDEMO" file produce -q --seq --path v.txt -n 20
run "consume --verify --no-follow: a clean file" 0 -- "$IPCDEMO" file consume --verify --no-follow --path v.txt
like "consume --verify: 0 lost" "$ERR" "(^|[^0-9])0 lost"
sed 3d v.txt >v2.txt
run "consume --verify --no-follow: a line removed" 3 -- "$IPCDEMO" file consume --verify --no-follow --path v2.txt
like "consume --verify: 1 lost" "$ERR" "(^|[^0-9])1 lost"

# ---- Ctrl-C ----

rm -f storage
"$IPCDEMO" file produce -q -n 3
# One SIGINT, as Ctrl-C sends it: timeout(1) in its default mode would
# forward it to the command and then send it to its process group again
# (a second Ctrl-C rightly ends ipcdemo at once); --foreground sends it once.
timeout --foreground -k 5 "$T_LIMIT" "$IPCDEMO" file consume --stats >s.out 2>s.err &
sc=$!
wait_for 10 has_lines s.out 3
# While it waits for more, it sleeps in the kernel (inotify), not in a loop.
cpu_ticks() { # pid: user+system clock ticks used so far
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null
}
scpid=$(pgrep -P "$sc" 2>/dev/null | head -n 1)
if [ -n "$scpid" ] && [ -r "/proc/$scpid/stat" ]; then
	t0=$(cpu_ticks "$scpid")
	sleep 1 # a measurement window, not a synchronisation
	t1=$(cpu_ticks "$scpid")
	ticks_per_s=$(getconf CLK_TCK)
	ok "consume: no busy polling while following ($((t1 - t0)) ticks in 1 s)" \
		test $((t1 - t0)) -lt $((ticks_per_s / 4))
else
	skip "consume: no busy polling while following" "cannot find the process"
fi
kill -INT "$sc"
wait "$sc"
is "consume --stats: SIGINT while following exits 0" "$?" 0
like "consume --stats: summary on stderr after SIGINT" "$(cat s.err)" "received 3 messages"
is "consume --stats: stdout holds only the data" "$(cat s.out)" "$(cat storage)"

# ---- symbolic links: a producer never writes through one ----

printf 'precious\n' >target.txt
ln -s target.txt link
run "produce to a symbolic link: refused" 1 -- "$IPCDEMO" file produce --path link -n 1
like "produce to a symbolic link: says what it is" "$ERR" "link is a symbolic link, not a regular file"
is "produce to a symbolic link: the target is unchanged" "$(cat target.txt)" precious
run "produce --truncate on a symbolic link: refused" 1 -- "$IPCDEMO" file produce --truncate --path link -n 1
ok "produce --truncate: the link stays" test -L link
is "produce --truncate: the target is unchanged" "$(cat target.txt)" precious
ln -s nowhere.txt dangling
run "produce to a dangling symbolic link: refused" 1 -- "$IPCDEMO" file produce --path dangling -n 1
ok "produce to a dangling link: nothing created through it" test ! -e nowhere.txt
run "race --path on a symbolic link: refused" 1 -- "$IPCDEMO" file race --path link --count 10
is "race --path on a symbolic link: the target is unchanged" "$(cat target.txt)" precious
TMPDIR=$T run "demo --path on a symbolic link: the producer refuses it" 1 -- \
	"$IPCDEMO" file demo --path link
is "demo --path on a symbolic link: the target is unchanged" "$(cat target.txt)" precious
# The consumer only reads; it follows a link as tail -F does.
run "consume follows a symbolic link" 0 -- "$IPCDEMO" file consume --no-follow --path link
is "consume through a symbolic link: the target's lines" "$OUT" precious

# ---- a writer killed in the middle of a line ----

# The torn line of a killed producer is ended before the next one appends:
# its first line is not glued to the fragment.
"$IPCDEMO" file produce -q --seq --id 5 -n 3 --path torn.txt
printf '5:4:4f5b0990-6a84' >>torn.txt
run "consume: an unfinished last line" 0 -- "$IPCDEMO" file consume --no-follow --path torn.txt
like "consume: says the last line is unfinished" "$ERR" "torn.txt ends in an unfinished line of 17 bytes"
run "produce after a torn line" 0 -- "$IPCDEMO" file produce --seq --id 7 -n 5 --path torn.txt
like "produce after a torn line: says it ends it" "$ERR" "unfinished line.*ended it with a newline"
is "produce after a torn line: the fragment is a line of its own" "$(sed -n 4p torn.txt)" "5:4:4f5b0990-6a84"
run "consume --verify after a torn line" 0 -- "$IPCDEMO" file consume --no-follow --verify --path torn.txt
like "consume --verify: every message of the second producer" "$ERR" "2 producers, 9 received, 0 lost"
is "consume --verify: 7:1 is there" "$(printf '%s\n' "$OUT" | grep -c '^7:1:')" 1
# A fragment that is not even a stamp counts as unstamped.
printf '7:' >>torn.txt
"$IPCDEMO" file produce -q --seq --id 8 -n 2 --path torn.txt
run "consume --verify: a torn stamp" 3 -- "$IPCDEMO" file consume --no-follow --verify --path torn.txt
like "consume --verify: the torn stamp is unstamped, nothing lost" "$ERR" "0 lost.*1 without a --seq stamp"

# A storage file the producer may write but not read: it appends without
# looking for a torn line, and without an error about the read it skips.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	as_nobody=(setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups)
	chmod o+x "$T"
	mkdir -m 0777 wronly
	"${as_nobody[@]}" sh -c ': >wronly/storage && chmod 0200 wronly/storage'
	run "produce to a write-only file" 0 -- "${as_nobody[@]}" "$IPCDEMO" file produce --path wronly/storage one two
	is "produce to a write-only file: no error" "$ERR" ""
	is "produce to a write-only file: appended" "$(cat wronly/storage)" "$(printf 'one\ntwo')"
	"${as_nobody[@]}" chmod 0400 wronly/storage
	run "produce to a read-only file" 1 -- "${as_nobody[@]}" "$IPCDEMO" file produce --path wronly/storage three
	is "produce to a read-only file: one error" "$ERR" "ipcdemo file produce: open wronly/storage: Permission denied"
else
	skip "produce to a write-only file" "needs root, setpriv and the user nobody"
fi

# A real kill in the middle of a write: the file size limit cuts the write
# short, and the next write of the producer draws SIGXFSZ.
( (
	ulimit -f 2
	exec "$IPCDEMO" file produce -q --seq --id 9 -n 100 --size 300 --path killed.txt
) ) 2>/dev/null
ok "killed producer: left a torn last line" test "$(tail -c 1 killed.txt | od -An -c | tr -d ' ')" != '\n'
run "produce after a killed producer" 0 -- "$IPCDEMO" file produce -q --seq --id 10 -n 5 --path killed.txt
run "consume --verify after a killed producer" 0 -- "$IPCDEMO" file consume --no-follow --verify --path killed.txt
like "consume --verify: all 5 of the next producer" "$ERR" "2 producers, [0-9]+ received, 0 lost"
is "consume --verify: 10:1 to 10:5 are there" "$(printf '%s\n' "$OUT" | grep -c '^10:[1-5]:')" 5

# ---- a run larger than the free space ----

run "produce larger than the free space: refused" 1 -- \
	"$IPCDEMO" file produce --path huge.txt --size 64M --count 100000000
like "produce larger than the free space: both figures" "$ERR" \
	"would write at least [0-9]+ bytes \(.*\) in \., whose file system has only [0-9]+ bytes.* free"
ok "produce larger than the free space: no file created" test ! -e huge.txt

# ---- demo ----

TMPDIR=$T run "file demo" 0 -- "$IPCDEMO" file demo
printf '%s\n' "$OUT" | sed -n 's/^producer *| *//p' >demo.prod
printf '%s\n' "$OUT" | sed -n 's/^consumer *| *//p' >demo.cons
ok "file demo: 10 labelled producer lines with UUIDs" all_uuids demo.prod 10
ok "file demo: 10 labelled consumer lines with UUIDs" all_uuids demo.cons 10
is "file demo: the consumer received what the producer sent" "$(sort demo.cons)" "$(sort demo.prod)"
is "file demo: 10 distinct UUIDs" "$(sort -u demo.prod | wc -l | tr -d ' ')" 10
is "file demo: no ipcdemo-demo.* left in TMPDIR" "$(find "$T" -maxdepth 1 -name 'ipcdemo-demo.*')" ""

done_testing
