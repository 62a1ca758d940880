#!/bin/bash
# Descriptors and credentials over Unix sockets: --pass-fd, --fds,
# --read-fd, --fd-copies (MSG_CTRUNC), --send-creds, --creds-as, --creds,
# and that every descriptor received is closed.
. "$(dirname "$0")/lib.sh"

printf 'top secret line\nsecond line\n' >secret
chmod 600 secret
# The consumer runs as nobody: it may pass through $T (not list it) and
# use the sockets in shared/, but it cannot open the secret by its path.
chmod 711 "$T"
mkdir -m 1777 shared
nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
can_drop=false
if [ "$(id -u)" = 0 ] && "${nobody[@]}" true 2>/dev/null && "${nobody[@]}" "$IPCDEMO" --version >/dev/null 2>&1; then
	can_drop=true
fi

# ---- a file its reader may not open, read through a passed descriptor ----
if $can_drop; then
	run "nobody cannot open the secret by its path" 1 -- "${nobody[@]}" cat secret
	bg p "$IPCDEMO" unix produce -q --path shared/s.sock --mode 0666 --pass-fd secret -n 3
	p=$BG
	ok "producer listens" wait_for 20 test -S shared/s.sock
	run "nobody's consumer gets 3 messages with descriptors" 0 -- \
		"${nobody[@]}" "$IPCDEMO" unix consume --path shared/s.sock --read-fd -n 3 --json
	is "3 records" "$(count_re "$OUT" '"fds":1,')" 3
	like "it reads the secret through the descriptor" "$OUT" '"line":"top secret line"'
	like "the descriptor names the file" "$OUT" "\"target\":\"$(re_quote "$T/secret")\""
	like "read-only, close-on-exec" "$OUT" '"flags":"O_RDONLY[^"]*","cloexec":true'
	is "no descriptor left open from message to message" \
		"$(printf '%s\n' "$OUT" | sed -n 's/.*"open_fds":\([0-9]*\).*/\1/p' | sort -u | wc -l)" 1
	stop "$p"
else
	skip "descriptor passing to nobody" "needs root and setpriv"
fi

# ---- text output, every socket type ----
for type in stream seqpacket dgram; do
	run "socketpair run --type $type --pass-fd --read-fd" 0 -- \
		"$IPCDEMO" socketpair run --type "$type" --pass-fd secret --read-fd -n 2
	is "$type: two descriptors shown" "$(count_re "$OUT" '^  fd [0-9]+ -> .*/secret \(O_RDONLY.*close-on-exec\)$')" 2
	is "$type: and the line read through each" "$(count_re "$OUT" '^  first line: top secret line$')" 2
done
bg c "$IPCDEMO" unix consume --type dgram --path d.sock --fds --timeout 10s -n 2
c=$BG
ok "dgram consumer binds" wait_for 20 test -S d.sock
run "dgram producer with --pass-fd" 0 -- "$IPCDEMO" unix produce -q --type dgram --path d.sock --pass-fd secret one two
ok "dgram consumer ends" wait_for 20 dead "$c"
is "dgram: one descriptor per message" "$(count_in c.out '^  fd [0-9]+ -> .*/secret ')" 2

# A stream: messages larger than a read, each with its descriptor.
bg p "$IPCDEMO" unix produce -q --path big.sock --pass-fd secret --seq --size 300k -n 10 --source counter
p=$BG
ok "stream producer listens" wait_for 20 test -S big.sock
run "stream: 300 KiB messages with descriptors" 0 -- "$IPCDEMO" unix consume --path big.sock --fds --verify --json
is "stream: each of the 10 came with exactly one" "$(count_re "$OUT" '"fds":1,"fd":\{"number"')" 10
like "stream: none lost" "$ERR" '"received":10,"lost":0,'
stop "$p"

# ---- more than one, more than the consumer takes ----
run "3 descriptors per message: the rest are closed" 0 -- \
	"$IPCDEMO" socketpair run --type seqpacket --pass-fd secret --fd-copies 3 -n 2
like "each message says so" "$OUT" '2 more closed unused'
like "the summary counts them" "$ERR" '4 descriptors beyond the first of a message were closed unused'
run "9 descriptors per message: MSG_CTRUNC" 1 -- \
	"$IPCDEMO" socketpair run --type seqpacket --pass-fd secret --fd-copies 9 -n 3 --json
like "MSG_CTRUNC is reported" "$ERR" 'control data cut \(MSG_CTRUNC\)'
like "3 messages counted" "$ERR" '3 messages had their control data cut'
is "each record says ctrunc, 8 descriptors" "$(count_re "$OUT" '"fds":8,.*"ctrunc":true')" 3
is "none kept from message to message" \
	"$(printf '%s\n' "$OUT" | sed -n 's/.*"open_fds":\([0-9]*\).*/\1/p' | sort -u | wc -l)" 1
run "MSG_CTRUNC on a stream too" 1 -- "$IPCDEMO" socketpair run --pass-fd secret --fd-copies 20 -n 2
like "stream: reported" "$ERR" 'MSG_CTRUNC'

# The descriptors a consumer holds, counted in /proc while it waits.
bg c "$IPCDEMO" unix consume --type dgram --path leak.sock --fds --timeout 10s -n 4
c=$BG
ok "leak: consumer binds" wait_for 20 test -S leak.sock
cpid=$(cmd_pid "$c")
before=$(find "/proc/$cpid/fd" -mindepth 1 | wc -l)
run "leak: 3 messages of 5 descriptors" 0 -- \
	"$IPCDEMO" unix produce -q --type dgram --path leak.sock --pass-fd secret --fd-copies 5 a b c
ok "leak: received" wait_for 20 has_lines c.out 6
is "leak: the consumer holds as many descriptors as before" "$(find "/proc/$cpid/fd" -mindepth 1 | wc -l)" "$before"
run "leak: the last message" 0 -- "$IPCDEMO" unix produce -q --type dgram --path leak.sock d
ok "leak: consumer ends" wait_for 20 dead "$c"

# ---- usage ----
run "tcp has no --pass-fd" 2 -- "$IPCDEMO" tcp produce --pass-fd secret
run "udp has no --pass-fd" 2 -- "$IPCDEMO" udp produce --pass-fd secret
run "--via memfd on a stream" 2 -- "$IPCDEMO" unix produce --via memfd
like "says why" "$ERR" 'seqpacket or dgram'
run "--fd-copies without --pass-fd" 2 -- "$IPCDEMO" unix produce --fd-copies 2
run "--listen with --fds" 2 -- "$IPCDEMO" unix consume --listen --fds
run "--creds on a stream" 2 -- "$IPCDEMO" unix consume --creds
run "--send-creds on a stream" 2 -- "$IPCDEMO" socketpair run --type stream --send-creds
run "--creds-as not three numbers" 2 -- "$IPCDEMO" unix produce --type dgram --creds-as 1:2
ln -s secret link
run "--pass-fd refuses a symbolic link" 1 -- "$IPCDEMO" unix produce --pass-fd link
like "says so" "$ERR" 'open link: .*symbolic link'
run "--pass-fd of a missing file" 1 -- "$IPCDEMO" unix produce --pass-fd missing
like "names it" "$ERR" 'open missing: No such file'

# ---- credentials ----
bg c "$IPCDEMO" unix consume --type dgram --path cr.sock --mode 0666 --creds --json --timeout 10s -n 3
c=$BG
ok "creds: consumer binds" wait_for 20 test -S cr.sock
run "send our own credentials" 0 -- "$IPCDEMO" unix produce -q --type dgram --path cr.sock --send-creds own
run "root claims pid 1, uid and gid 65534" 0 -- \
	"$IPCDEMO" unix produce -q --type dgram --path cr.sock --creds-as 1:65534:65534 claimed
if $can_drop; then
	run "nobody may not claim root" 1 -- \
		"${nobody[@]}" "$IPCDEMO" unix produce -q --type dgram --path cr.sock --creds-as 1:0:0 refused
	like "EPERM, naming the socket and the claim" "$ERR" 'send to cr\.sock claiming pid 1 uid 0 gid 0 .*: Operation not permitted'
	like "and what the kernel allows" "$ERR" 'CAP_SETUID'
	run "nobody sends its own" 0 -- \
		"${nobody[@]}" "$IPCDEMO" unix produce -q --type dgram --path cr.sock --send-creds mine
else
	skip "an unprivileged claim" "needs root and setpriv"
	run "a third message" 0 -- "$IPCDEMO" unix produce -q --type dgram --path cr.sock third
fi
ok "creds: consumer ends" wait_for 20 dead "$c"
like "own credentials" "$(grep '"payload":"own"' c.out)" '"creds":\{"pid":[0-9]+,"uid":0,"gid":0\}'
like "claimed credentials" "$(grep '"payload":"claimed"' c.out)" '"creds":\{"pid":1,"uid":65534,"gid":65534\}'
if $can_drop; then
	like "nobody's own" "$(grep '"payload":"mine"' c.out)" '"creds":\{"pid":[0-9]+,"uid":65534,"gid":65534\}'
fi
run "seqpacket: the producer's credentials with each message" 0 -- \
	"$IPCDEMO" socketpair run --type seqpacket --send-creds -n 2
is "text shows them" "$(count_re "$OUT" "^  from pid [0-9]+ uid $(id -u) gid $(id -g)$")" 2
bg p "$IPCDEMO" unix produce -q --type seqpacket --path sp.sock -n 2
p=$BG
ok "seqpacket producer listens" wait_for 20 test -S sp.sock
run "seqpacket consumer --creds" 0 -- "$IPCDEMO" unix consume --type seqpacket --path sp.sock --creds --json -n 2
pp=$(printf '%s\n' "$OUT" | sed -n '1s/.*"peer_pid":\([0-9]*\).*/\1/p')
like "the kernel's credentials are the producer's" "$OUT" "\"creds\":\\{\"pid\":$pp,"
stop "$p"

# ---- payloads in sealed memfds ----
run "socketpair seqpacket --via memfd, verified" 0 -- \
	"$IPCDEMO" socketpair run --type seqpacket --via memfd --seq --verify --size 200k -n 30 --source counter
like "none lost" "$ERR" '30 received, 0 lost, 0 duplicated, 0 reordered'
is "each one padded to 200 KiB" "$(printf '%s\n' "$OUT" | awk 'length($0) == 204799' | wc -l)" 30
bg c "$IPCDEMO" unix consume --type dgram --via memfd --fds --verify --size 1M -n 5 --timeout 10s --path m.sock
c=$BG
ok "memfd: consumer binds" wait_for 20 test -S m.sock
run "memfd: producer" 0 -- "$IPCDEMO" unix produce -q --type dgram --via memfd --seq --size 512k -n 5 --path m.sock
ok "memfd: consumer ends" wait_for 20 dead "$c"
reap "$c"
is "memfd: consumer exit 0" "$ST" 0
is "memfd: the seals are shown" "$(count_in c.out '^  fd [0-9]+ -> /memfd:ipcdemo \(deleted\) \(O_RDWR.*sealed shrink\|grow\|write\|seal\)$')" 5
like "memfd: verified" "$(cat c.err)" '5 received, 0 lost'
bg c "$IPCDEMO" unix consume --type dgram --via memfd --size 1k -n 1 --timeout 2s --path big.sock
c=$BG
ok "memfd too large: consumer binds" wait_for 20 test -S big.sock
run "memfd too large: producer" 0 -- "$IPCDEMO" unix produce -q --type dgram --via memfd --size 4k -n 1 --path big.sock
ok "memfd too large: consumer ends" wait_for 20 dead "$c"
reap "$c"
is "memfd too large: exit 1" "$ST" 1
like "memfd too large: refused" "$(cat c.err)" 'a memfd of 4096 bytes, more than the 1024 this consumer takes \(--size\): refused'
bg c "$IPCDEMO" unix consume --type dgram --via memfd -n 1 --timeout 2s --path file.sock
c=$BG
ok "not a memfd: consumer binds" wait_for 20 test -S file.sock
run "not a memfd: a file's descriptor instead" 0 -- "$IPCDEMO" unix produce -q --type dgram --pass-fd secret -n 1 --path file.sock
ok "not a memfd: consumer ends" wait_for 20 dead "$c"
like "not a memfd: refused" "$(cat c.err)" 'not a memfd \(F_GET_SEALS: Invalid argument\): refused, descriptor closed'
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import os, socket; socket.send_fds; os.memfd_create' 2>/dev/null; then
	bg c "$IPCDEMO" unix consume --type dgram --via memfd -n 1 --timeout 2s --path evil.sock
	c=$BG
	ok "unsealed memfd: consumer binds" wait_for 20 test -S evil.sock
	run "unsealed memfd: sent" 0 -- /usr/bin/python3 -c '
import os, socket, sys
fd = os.memfd_create("evil", os.MFD_ALLOW_SEALING | os.MFD_CLOEXEC)
os.write(fd, b"changing\n")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(sys.argv[1])
socket.send_fds(s, [b"memfd 9\n"], [fd])' evil.sock
	ok "unsealed memfd: consumer ends" wait_for 20 dead "$c"
	like "unsealed memfd: refused, said why" "$(cat c.err)" 'a memfd sealed none, not against shrink, grow and write: .*refused, descriptor closed'
	unlike "unsealed memfd: nothing delivered" "$(cat c.out)" 'changing'
else
	skip "an unsealed memfd" "needs /usr/bin/python3 with socket.send_fds"
fi

done_testing
