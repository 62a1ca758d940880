#!/bin/bash
# isolate.sh [--need] COMMAND [ARG...]
#
# Run a test in private IPC, mount, network and PID namespaces, so that
# what it does system-wide (ipcdemo ls and clean, default queue names,
# System V keys, ports) sees and touches only what the test made: a fresh
# mqueue file system on /dev/mqueue, a tmpfs on /dev/shm, its own System V
# queues, a loopback interface of its own (brought up) and its own process
# ids. When the test ends, every process it left in the namespace ends too.
#
# As root: unshare --ipc --mount --net --pid --fork --mount-proc; as another
# user, or when that is refused, the same in a new user namespace
# (--user --map-root-user). When no namespace can be made, COMMAND runs as
# it is, and IPCDEMO_ISOLATION_WHY says why; the tests' lib.sh then skips
# every system-wide test with that reason. With --need, COMMAND is not run
# at all: a TAP plan that skips it is printed instead.
#
# Inside, IPCDEMO_OUTER_NS holds the outer namespaces' ids, so that a test
# can check that it really is isolated (lib.sh's isolated).
set -u

need=false
if [ "${1:-}" = --need ]; then
	need=true
	shift
fi
if [ $# = 0 ]; then
	echo "usage: isolate.sh [--need] COMMAND [ARG...]" >&2
	exit 2
fi

ns_ids() { readlink /proc/self/ns/ipc /proc/self/ns/mnt /proc/self/ns/net 2>/dev/null | tr '\n' ' '; }

# Run in the new namespaces, by bash as their first process: make the
# private mounts, bring lo up, then run "$@" as a child (not as process 1,
# which ignores signals it has no handler for) and exit with its status.
# Exit 111 with a reason on stderr when a step fails.
# shellcheck disable=SC2016 # expanded by the inner bash
inner='
fail() { echo "$1" >&2; exit 111; }
[ -d /dev/mqueue ] || mkdir -p /dev/mqueue 2>/dev/null || fail "no /dev/mqueue to mount on"
mount -t mqueue -o nosuid,nodev,noexec none /dev/mqueue 2>/dev/null || fail "cannot mount a private mqueue on /dev/mqueue"
[ -d /dev/shm ] || mkdir -p /dev/shm 2>/dev/null || fail "no /dev/shm to mount on"
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm 2>/dev/null || fail "cannot mount a private tmpfs on /dev/shm"
if command -v ip >/dev/null 2>&1; then
	ip link set lo up 2>/dev/null || fail "cannot bring lo up (ip link set lo up)"
elif command -v python3 >/dev/null 2>&1; then
	python3 -c "
import fcntl, socket, struct
s = socket.socket()
ifr = struct.pack(\"16sH14x\", b\"lo\", 0)
flags = struct.unpack(\"16sH14x\", fcntl.ioctl(s, 0x8913, ifr))[1]
fcntl.ioctl(s, 0x8914, struct.pack(\"16sH14x\", b\"lo\", flags | 1))
" 2>/dev/null || fail "cannot bring lo up"
else
	fail "neither ip nor python3 to bring lo up"
fi
[ $# = 0 ] && exit 0
"$@"
exit $?
'

# try UNSHARE_ARGS...: can these namespaces be made and set up?
# The reason when not in $why.
try() {
	local err
	err=$(unshare "$@" --ipc --mount --net --pid --fork --mount-proc --kill-child \
		bash -c "$inner" isolate 2>&1 >/dev/null)
	local st=$?
	[ "$st" = 0 ] && return 0
	why=$(printf '%s' "$err" | tail -n 1)
	[ -n "$why" ] || why="unshare exited with status $st"
	return 1
}

why=""
mode=()
if ! command -v unshare >/dev/null 2>&1; then
	why="unshare (util-linux) is not installed"
elif [ "$(id -u)" = 0 ] && try; then
	mode=(--propagation private)
elif try --user --map-root-user; then
	mode=(--user --map-root-user --propagation private)
else
	why="no private namespaces: $why"
fi

if [ -z "$why" ]; then
	IPCDEMO_OUTER_NS=$(ns_ids)
	export IPCDEMO_OUTER_NS
	unset IPCDEMO_ISOLATION_WHY
	exec unshare "${mode[@]}" --ipc --mount --net --pid --fork --mount-proc --kill-child \
		bash -c "$inner" isolate "$@"
fi

export IPCDEMO_ISOLATION_WHY="$why"
unset IPCDEMO_OUTER_NS
if $need; then
	echo "1..0 # SKIP $why"
	exit 0
fi
echo "# not isolated ($why): system-wide tests are skipped"
exec "$@"
