#!/bin/bash
# shellcheck disable=SC2016 # jq programs and sh -c scripts are single-quoted on purpose
# ipcdemo ls, lsipc's way: the header and "no IPC objects" when there is
# nothing, type filters, -o/--output, --raw, --noheadings, the System V id
# and last sender/receiver, the processes holding an object (PIDS and
# JSON holders), abstract sockets, ipcdemo's TCP and UDP listeners (and not
# another program's), none of which clean ever removes.
#
# What lists system-wide objects runs only in namespaces of its own
# (tests/isolate.sh), where every object is one this script made.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

P=$$
me=$(id -un)
KEY=0x697063e0
MQ=/ipcdemo-ls$P
SHM=/ipcdemo-ls$P
HEADER="TYPE NAME ID OWNER MODE SIZE MESSAGES PIDS IPCDEMO NOTE"

have_jq=false
command -v jq >/dev/null 2>&1 && have_jq=true
have_mq=false
grep -q '^[^ ]* /dev/mqueue mqueue ' /proc/mounts 2>/dev/null && have_mq=true

# row TEXT NAME [TYPE]: the row for NAME (of TYPE), fields joined by single spaces.
row() { printf '%s\n' "$1" | awk -v n="$2" -v t="${3:-}" 'NR > 1 && $2 == n && (t == "" || $1 == t) { $1 = $1; print }'; }
# types TEXT: the TYPE column's words, sorted and unique, on one line.
types() { printf '%s\n' "$1" | awk 'NR > 1 { print $1 }' | sort -u | tr '\n' ' '; }
squeeze() { printf '%s\n' "$1" | awk '{ $1 = $1; print }'; }

# ---- what looks at no system-wide object ----

run "ls -o BOGUS" 2 -- "$IPCDEMO" ls -o TYPE,BOGUS
like "ls -o BOGUS: names the column" "$ERR" "unknown column 'BOGUS'"
run "ls -o ''" 2 -- "$IPCDEMO" ls -o ,
like "ls -o ,: no column" "$ERR" 'no column'
run "ls a b: two words that are not types" 2 -- "$IPCDEMO" ls a b
like "ls a b: too many arguments" "$ERR" "too many arguments .*'a' and 'b' are not types"
run "ls --help" 0 -- "$IPCDEMO" ls --help
like "ls --help: the type words" "$OUT" '^TYPE, to list only objects of these types:.* fifo .* tcp udp'
like "ls --help: the columns" "$OUT" '^  LSPID +System V queue: pid of the last sender'
like "ls --help: the default columns" "$OUT" 'default: TYPE,NAME,ID,OWNER,MODE,SIZE,MESSAGES,PIDS,IPCDEMO,NOTE'
run "__complete ls --" 0 -- "$IPCDEMO" __complete ls --
like "completion of ls: --output" "$OUT" '^--output'
like "completion of ls: --raw" "$OUT" '^--raw'
like "completion of ls: --noheadings" "$OUT" '^--noheadings'
run "__complete ls m" 0 -- "$IPCDEMO" __complete ls m
is "completion of ls m: the type mq, and directories" "$(printf '%s\n' "$OUT" | cut -f1 | sort | tr '\n' ' ')" "__dirs__ mq "

if ! isolated; then
	skip "ls of the machine's objects" "$ISOLATION_WHY"
	done_testing
	exit
fi

# ---- nothing there ----

mkdir empty
run "ls of nothing" 0 -- "$IPCDEMO" ls empty
is "ls of nothing: the header and a line that says so" "$(squeeze "$OUT")" "$HEADER
no IPC objects"
is "ls of nothing: nothing on stderr" "$ERR" ""
run "ls --noheadings of nothing" 0 -- "$IPCDEMO" ls --noheadings empty
is "ls --noheadings of nothing: no line at all" "$OUT" ""
run "ls --raw of nothing" 0 -- "$IPCDEMO" ls --raw empty
is "ls --raw of nothing: no line at all" "$OUT" ""
run "ls --json of nothing" 0 -- "$IPCDEMO" ls --json empty
is "ls --json of nothing: no line at all" "$OUT" ""
run "ls -o NAME,TYPE of nothing" 0 -- "$IPCDEMO" ls -o NAME,TYPE empty
is "ls -o of nothing: the chosen header" "$(squeeze "$OUT")" "NAME TYPE
no IPC objects"
run "ls mq of nothing" 0 -- "$IPCDEMO" ls mq
is "ls mq of nothing: says so" "$(printf '%s\n' "$OUT" | tail -n 1)" "no IPC objects"

# ---- a FIFO, a ring, a queue, a System V queue ----

run "fifo consume makes pipe.fifo" 4 -- "$IPCDEMO" fifo consume --timeout 100ms -q
run "shm create $SHM" 0 -- "$IPCDEMO" shm create -q --name "$SHM" --slots 4 --slot-size 64
$have_mq && run "mq create $MQ" 0 -- "$IPCDEMO" mq create -q --name "$MQ"
run "sysv create --key $KEY" 0 -- "$IPCDEMO" sysv create -q --key "$KEY"
msqid=$(awk -v k="$(printf '%d' "$KEY")" 'NR > 1 && $1 == k { print $2 }' /proc/sysvipc/msg)

run "ls" 0 -- "$IPCDEMO" ls
all=$OUT
like "ls: the header" "$(printf '%s\n' "$all" | head -n 1)" "^$(printf '%s' "$HEADER" | sed 's/ / +/g')\$"
is "ls: the System V queue with its id" "$(row "$all" "$KEY" sysv)" "sysv $KEY $msqid $me 0600 0 0 - yes"
unlike "ls: no 'no IPC objects' when there are some" "$all" 'no IPC objects'

# ---- type filters ----

run "ls fifo" 0 -- "$IPCDEMO" ls fifo
is "ls fifo: only FIFOs" "$(types "$OUT")" "fifo "
is "ls fifo: pipe.fifo" "$(row "$OUT" pipe.fifo)" "fifo pipe.fifo - $me 0600 - - - yes"
run "ls shm sysv" 0 -- "$IPCDEMO" ls shm sysv
is "ls shm sysv: those two types" "$(types "$OUT")" "shm sysv "
run "ls sysv empty: a type and a directory" 0 -- "$IPCDEMO" ls sysv empty
is "ls sysv empty: the queue" "$(types "$OUT")" "sysv "
run "ls empty fifo: the directory first" 0 -- "$IPCDEMO" ls empty fifo
is "ls empty fifo: no FIFO in empty" "$(printf '%s\n' "$OUT" | tail -n 1)" "no IPC objects"
mkdir fifo
mkfifo fifo/inside
run "ls ./fifo: a directory named as a type" 0 -- "$IPCDEMO" ls ./fifo
is "ls ./fifo: its FIFO" "$(row "$OUT" ./fifo/inside | cut -d' ' -f1-2)" "fifo ./fifo/inside"
run "ls fifo no-such-dir" 1 -- "$IPCDEMO" ls sysv no-such-dir
like "ls sysv no-such-dir: the directory must exist" "$ERR" 'open directory no-such-dir: No such file or directory'

# ---- -o, --raw, --noheadings ----

run "ls -o name,id,type sysv" 0 -- "$IPCDEMO" ls -o name,id,type sysv
is "ls -o: the columns asked for, in that order" "$(squeeze "$OUT")" "NAME ID TYPE
$KEY $msqid sysv"
run "ls -o +UID fifo" 0 -- "$IPCDEMO" ls -o +UID fifo
is "ls -o +UID: after the default ones" "$(row "$OUT" pipe.fifo)" "fifo pipe.fifo - $me 0600 - - - yes $(id -u)"
run "ls --noheadings fifo" 0 -- "$IPCDEMO" ls --noheadings fifo
is "ls --noheadings: the rows only" "$(squeeze "$OUT")" "fifo pipe.fifo - $me 0600 - - - yes"
run "ls -n -o NAME fifo" 0 -- "$IPCDEMO" ls -n -o NAME fifo
is "ls -n -o NAME: just the names" "$OUT" "pipe.fifo"
head -c 100 /dev/zero >"/dev/shm/not-a-ring-$P"
run "ls --raw shm" 0 -- "$IPCDEMO" ls --raw -o NAME,SIZE,NOTE shm
like "ls --raw: one space between cells, blanks escaped" "$OUT" "^/not-a-ring-$P 100 not\\\\x20an\\\\x20ipcdemo\\\\x20ring\$"
like "ls --raw: the header" "$OUT" '^NAME SIZE NOTE$'
rm -f "/dev/shm/not-a-ring-$P"

# ---- the last sender and receiver of a System V queue ----

run "ls -o LSPID,LRPID: none yet" 0 -- "$IPCDEMO" ls -n -o NAME,LSPID,LRPID sysv
is "LSPID and LRPID before any message" "$(squeeze "$OUT")" "$KEY 0 0"
sh -c 'echo $$ >send.pid; exec "$0" sysv send -q --key "$1" hello' "$IPCDEMO" "$KEY"
sh -c 'echo $$ >recv.pid; exec "$0" sysv receive -q --nonblock --key "$1"' "$IPCDEMO" "$KEY" >/dev/null
run "ls -o LSPID,LRPID after a send and a receive" 0 -- "$IPCDEMO" ls -n -o NAME,LSPID,LRPID sysv
is "LSPID is the sender, LRPID the receiver" "$(squeeze "$OUT")" "$KEY $(cat send.pid) $(cat recv.pid)"
run "ls -o LSPID fifo: not a System V queue" 0 -- "$IPCDEMO" ls -n -o NAME,LSPID fifo
is "LSPID of a FIFO: -" "$(squeeze "$OUT")" "pipe.fifo -"
if $have_jq; then
	run "ls --json sysv" 0 -- "$IPCDEMO" ls --json sysv
	is "--json: msqid, lspid, lrpid" "$(printf '%s\n' "$OUT" | jq -c '[.msqid, .lspid, .lrpid]')" \
		"[$msqid,$(cat send.pid),$(cat recv.pid)]"
	run "ls --json fifo" 0 -- "$IPCDEMO" ls --json fifo
	is "--json: no lspid for a FIFO" "$(printf '%s\n' "$OUT" | jq -c 'has("lspid")')" false
fi

# ---- processes holding an object ----

sleep 600 <>pipe.fifo &
holder=$!
held() { [ -e "/proc/$holder/fd/0" ]; }
wait_for 10 held
run "ls fifo: held open" 0 -- "$IPCDEMO" ls -n -o NAME,PIDS fifo
is "PIDS: the holder's pid and command" "$(squeeze "$OUT")" "pipe.fifo $holder/sleep"
if $have_jq; then
	run "ls --json fifo: held open" 0 -- "$IPCDEMO" ls --json fifo
	is "--json: holders" "$(printf '%s\n' "$OUT" | jq -c '.holders')" "[{\"pid\":$holder,\"command\":\"sleep\"}]"
fi
kill "$holder"
wait "$holder" 2>/dev/null
# A consumer maps the ring while it waits for a message.
bg shmc "$IPCDEMO" shm consume --name "$SHM" -n 1 --timeout 30s
shmc=$BG
has_holder() { [ "$("$IPCDEMO" ls -n -o PIDS shm | tr -d ' ')" != "-" ]; }
ok "ls shm: the consumer's ring has a holder" wait_for 20 has_holder
run "ls shm: a ring a consumer maps" 0 -- "$IPCDEMO" ls -n -o NAME,PIDS shm
is "PIDS of the ring: the consumer" "$(squeeze "$OUT")" "$SHM $(cmd_pid "$shmc")/ipcdemo"
run "a message for the consumer" 0 -- "$IPCDEMO" shm produce -q --name "$SHM" bye
wait_for 20 dead "$shmc"
reap "$shmc"

# ---- sockets: abstract names, ipcdemo's TCP and UDP listeners ----

bg ab "$IPCDEMO" unix consume --listen --path "@ipcdemo-ls$P" --timeout 30s
ab=$BG
bg tl "$IPCDEMO" tcp consume --listen --timeout 30s
tl=$BG
bg ul "$IPCDEMO" udp consume --timeout 30s
ul=$BG
listens() { "$IPCDEMO" ls -n -o TYPE "$@" | grep -q .; }
ok "the abstract socket is listed" wait_for 20 listens socket
ok "the TCP listener is listed" wait_for 20 listens tcp
ok "the UDP socket is listed" wait_for 20 listens udp
run "ls socket tcp udp" 0 -- "$IPCDEMO" ls socket tcp udp
is "ls: the abstract socket, its holder, never clean's" "$(row "$OUT" "@ipcdemo-ls$P" socket)" \
	"socket @ipcdemo-ls$P - $me - - - $(cmd_pid "$ab")/ipcdemo no abstract, listening"
is "ls: ipcdemo's TCP listener" "$(row "$OUT" 127.0.0.1:7700 tcp)" \
	"tcp 127.0.0.1:7700 - $me - - - $(cmd_pid "$tl")/ipcdemo no listening"
is "ls: ipcdemo's UDP socket" "$(row "$OUT" 127.0.0.1:7700 udp)" \
	"udp 127.0.0.1:7700 - $me - - - $(cmd_pid "$ul")/ipcdemo no bound"
if $have_jq; then
	run "ls --json tcp" 0 -- "$IPCDEMO" ls --json tcp
	is "--json tcp: no mode, a holder" "$(printf '%s\n' "$OUT" | jq -c '[.name, .mode, .holders[0].command, .ipcdemo]')" \
		'["127.0.0.1:7700",null,"ipcdemo",false]'
fi
if $have_python; then
	python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 7711)); s.listen(); time.sleep(30)' &
	py=$!
	other() { grep -q ':1E0F 00000000:0000 0A' /proc/net/tcp; }
	wait_for 10 other
	run "ls tcp with another program's listener" 0 -- "$IPCDEMO" ls tcp
	is "not ipcdemo's listener: not listed" "$(row "$OUT" 127.0.0.1:7711)" ""
	kill "$py"
	wait "$py" 2>/dev/null
else
	skip "another program's listener is not listed" "python3 not installed"
fi
run "clean --dry-run with sockets listening" 0 -- "$IPCDEMO" clean --dry-run
unlike "clean: never the abstract socket" "$OUT" "@ipcdemo-ls$P"
unlike "clean: never a TCP or UDP socket" "$OUT" '^would remove (tcp|udp) '
stop "$ab"
stop "$tl"
stop "$ul"

# ---- leave nothing ----

run "clean" 0 -- "$IPCDEMO" clean -q
run "ls after clean" 0 -- "$IPCDEMO" ls empty
is "ls after clean: nothing again" "$(printf '%s\n' "$OUT" | tail -n 1)" "no IPC objects"

done_testing
