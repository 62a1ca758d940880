#!/bin/bash
# isolation.sh ISOLATE OBJECTS_SH: tests/isolate.sh keeps a test away from
# the machine's objects. Here, in namespaces of its own (meson runs this
# script through isolate.sh --need), it makes "foreign" ipcdemo objects of
# the kind 'ipcdemo clean' removes and ports a test would use: a POSIX
# queue /ipcdemo-foreign, a System V queue with key 0x69706301, a ring
# /ipcdemo-foreign made by 'ipcdemo shm create', each holding a message,
# and a TCP producer listening on the default 127.0.0.1:7700. Then, through
# ISOLATE: the whole of OBJECTS_SH (which runs 'ipcdemo clean' for real),
# a plain 'ipcdemo clean', a TCP producer and consumer on the default port
# and a UDP consumer bound to it. Every foreign object must be there after,
# with its message, and the listener must still serve. Bounded in time:
# every command has a limit.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

ISOLATE=${1:?usage: isolation.sh ISOLATE OBJECTS_SH}
OBJECTS_SH=${2:?usage: isolation.sh ISOLATE OBJECTS_SH}
case $ISOLATE in /*) ;; *) ISOLATE=$OLDPWD/$ISOLATE ;; esac
case $OBJECTS_SH in /*) ;; *) OBJECTS_SH=$OLDPWD/$OBJECTS_SH ;; esac

if ! isolated; then
	# Foreign objects with fixed names on the machine itself: never.
	skip "foreign objects survive isolated runs" "$ISOLATION_WHY"
	done_testing
	exit
fi

Q=/ipcdemo-foreign
KEY=0x69706301
field() { # MECH OPTION... -- FIELD: a number of 'ipcdemo MECH info OPTION...'
	local f=${*: -1}
	"$IPCDEMO" "$1" info "${@:2:$#-3}" 2>/dev/null | sed -nE "s/^$f: +([0-9]+).*/\\1/p"
}

# ---- the foreign objects ----

run "a foreign POSIX queue $Q" 0 -- "$IPCDEMO" mq create -q --name "$Q"
run "a message in it" 0 -- "$IPCDEMO" mq send -q --name "$Q" foreign-mq
run "a foreign System V queue, key $KEY" 0 -- "$IPCDEMO" sysv create -q --key "$KEY"
run "a message in it" 0 -- "$IPCDEMO" sysv send -q --key "$KEY" foreign-sysv
run "a foreign ring $Q" 0 -- "$IPCDEMO" shm create -q --name "$Q" --slots 4 --slot-size 64
run "a message in it" 0 -- "$IPCDEMO" shm produce -q --name "$Q" foreign-shm
bg listener "$IPCDEMO" tcp produce --source counter -n 1 --every 100ms
listener=$BG
ok "a foreign TCP producer listens on 127.0.0.1:7700" wait_for 10 has listener.err 'listening on 127\.0\.0\.1:7700'

# The control: they are what a clean that is not isolated would remove.
run "clean --dry-run out here" 0 -- "$IPCDEMO" clean --dry-run
like "clean would remove the foreign queue" "$OUT" "^would remove mq $(re_quote "$Q")\$"
like "clean would remove the foreign ring" "$OUT" "^would remove shm $(re_quote "$Q")\$"
like "clean would remove the foreign System V queue" "$OUT" "^would remove sysv $KEY\$"

intact() { # every foreign object is there, with its one message
	local bad=""
	[ "$(field mq --name "$Q" -- messages)" = 1 ] || bad+=" mq"
	[ "$(field sysv --key "$KEY" -- messages)" = 1 ] || bad+=" sysv"
	[ "$(field shm --name "$Q" -- messages)" = 1 ] || bad+=" shm"
	alive "$(cmd_pid "$listener")" || bad+=" listener"
	[ -n "$bad" ] && echo "# gone or changed:$bad"
	[ -z "$bad" ]
}
ok "the foreign objects hold their messages" intact

# ---- isolated runs ----

T_LIMIT=240 run "objects.sh through isolate.sh" 0 -- bash "$ISOLATE" bash "$OBJECTS_SH"
objects_out=$OUT
is "objects.sh: every test passed" "$(printf '%s\n' "$objects_out" | grep -c '^not ok')" 0
like "objects.sh: it ran (a plan)" "$objects_out" '^1\.\.[1-9][0-9]*$'
unlike "objects.sh: it was isolated, nothing skipped for that" "$objects_out" 'not isolated'
like "objects.sh: it ran clean for real" "$objects_out" '^ok [0-9]+ - clean: every look-alike is still there'
ok "after objects.sh: the foreign objects are intact" intact

run "clean through isolate.sh" 0 -- bash "$ISOLATE" "$IPCDEMO" clean
is "clean through isolate.sh: found nothing of ipcdemo's" "$ERR" "ipcdemo clean: nothing of ipcdemo's to remove"
ok "after clean: the foreign objects are intact" intact

# shellcheck disable=SC2016 # expanded by the inner bash
run "TCP on the default port through isolate.sh" 0 -- bash "$ISOLATE" bash -c '
	"$1" tcp produce --source counter -n 3 -q &
	"$1" tcp consume --wait 5s --timeout 5s
	wait' _ "$IPCDEMO"
is "TCP on the default port: our own producer's messages" "$OUT" "$(seq 1 3)"
# shellcheck disable=SC2016 # expanded by the inner bash
run "UDP on the default port through isolate.sh" 0 -- bash "$ISOLATE" bash -c '
	"$1" udp consume -n 3 --timeout 5s -q >udp.out &
	sleep 0.3
	"$1" udp produce --source counter -n 3 -q
	wait $! && cat udp.out' _ "$IPCDEMO"
is "UDP on the default port: our own producer's messages" "$OUT" "$(seq 1 3)"
ok "after TCP and UDP: the foreign objects are intact" intact
run "the foreign listener still serves" 0 -- "$IPCDEMO" tcp consume -n 1 --timeout 5s
is "the foreign listener: its message" "$OUT" 1

# ---- leave nothing ----

stop "$listener"
run "remove the foreign queue" 0 -- "$IPCDEMO" mq unlink -q --name "$Q"
run "remove the foreign System V queue" 0 -- "$IPCDEMO" sysv rm -q --key "$KEY"
run "remove the foreign ring" 0 -- "$IPCDEMO" shm unlink -q --name "$Q"

done_testing
