#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Is every ipcdemo row level with its kernel floor? One run of
#
#   ipcdemo bench --repeat 5 --batch 1 --json [ARGS...]
#
# measures the round trips (--batch touches only the throughput rows) and
# the throughput at one message per system call, the basis the bare
# reference rows have; then each cell (row, size, placement) of a row is
# set against the same cell of its floor, measured in the same run (the
# bench names each row's floor in the row's cells, "floor"; a pass runs a
# row's cell and its floor's one after the other):
#
#   pipe                      -> bare pipe
#   fifo                      -> bare fifo
#   unix stream, socketpair   -> bare unix
#   unix dgram                -> bare dgram
#   tcp                       -> bare tcp
#   udp                       -> bare udp
#   mq                        -> bare mq
#   sysv                      -> bare sysv
#
# PASS when the latency mean is at most 1.05 times the floor's and the
# throughput at least 0.95 times; MISS otherwise. Rows with no floor (shm,
# whose one kernel operation, the futex wait and wake, is what its own
# round trip measures; unix seqpacket; file; zmq, a library over the
# sockets) are listed as such. shm spin is set against shm: on one CPU it
# spins while the other side needs that CPU, the trade-off it exists to
# show, never a MISS.
#
#   tests/perf/level.sh [BENCH-ARGS...]     e.g. mq sysv --size 64,1k,4k
#   tests/perf/level.sh --from FILE         the JSON of an earlier run
#
# ARGS go to the bench (rows, --size, --cpu, --duration, --repeat); the
# floors of the rows named are added. IPCDEMO=path/to/ipcdemo chooses the
# binary. The machine's load is printed before and after: ratios within
# one run hold on a busy machine better than figures do, but not for free.
# A benchmark to run by hand (never a timed test): exit 0 when every cell
# is level, 1 on any MISS, 2 when the bench could not run.
set -u
IPCDEMO=${IPCDEMO:-ipcdemo}
LAT_MAX=${LAT_MAX:-1.05}
THR_MIN=${THR_MIN:-0.95}

if ! command -v python3 >/dev/null 2>&1; then
	echo "level.sh: python3 is needed to read the bench's JSON" >&2
	exit 2
fi

from=""
if [ "${1:-}" = --from ]; then
	from=${2:?level.sh: --from FILE}
	shift 2
fi

# The rows to add to those named (all rows: none named): the floors, all
# eight bare rows (the bench says which is whose: each cell's "floor"),
# and shm for shm spin.
floors() {
	echo bare
	local w
	for w in "$@"; do
		[ "$w" = shm-spin ] && echo shm
	done
	return 0
}

load() { printf '%s, %s CPUs' "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" "$(nproc 2>/dev/null)"; }

json=$from
if [ -z "$from" ]; then
	json=$(mktemp) || exit 2
	trap 'rm -f "$json"' EXIT
	words=()
	opts=()
	while [ $# -gt 0 ]; do
		case $1 in
		--size | --cpu | --duration | --repeat | -n | --count) opts+=("$1" "${2:-}") && shift ;;
		-*) opts+=("$1") ;;
		*) words+=("$1") ;;
		esac
		shift
	done
	if [ ${#words[@]} -gt 0 ]; then
		mapfile -t extra < <(floors "${words[@]}")
		words+=("${extra[@]}")
	fi
	echo "load before: $(load)"
	echo "running: $IPCDEMO bench --repeat 5 --batch 1 --json -q ${opts[*]} ${words[*]}"
	if ! "$IPCDEMO" bench --repeat 5 --batch 1 --json -q "${opts[@]}" "${words[@]}" >"$json"; then
		echo "level.sh: the bench failed" >&2
		exit 2
	fi
	echo "load after:  $(load)"
fi

python3 - "$json" "$LAT_MAX" "$THR_MIN" <<'EOF'
import json
import sys

path, lat_max, thr_min = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
# Each row's floor, as the bench names it in the row's cells.
FLOOR = {}
NO_FLOOR = {
    "shm": "no kernel floor: its futex wait and wake is what its own round trip measures",
    "unix seqpacket": "no bare seqpacket row",
    "file": "no kernel floor: a file and inotify",
    "zmq tcp": "a library over TCP: no floor of its own",
    "zmq ipc": "a library over a unix socket: no floor of its own",
}
REFS = ("bare ", "dd | dd")

cells, order = {}, []
try:
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            c = json.loads(line)
            if c.get("test") not in ("latency", "throughput"):
                continue
            m = c["mechanism"]
            if m not in order:
                order.append(m)
            if "floor" in c:
                FLOOR[m] = c["floor"]
            cells[(m, c["size"], c["cpu"], c["test"])] = c
except (OSError, ValueError, KeyError) as e:
    print(f"level.sh: cannot read the bench's JSON: {e}", file=sys.stderr)
    sys.exit(2)

def size_label(s):
    for unit, n in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if s >= n and s % n == 0:
            return f"{s // n} {unit}"
    return f"{s} B"

def figure(c, test):
    """The cell's figure, or a word saying why there is none."""
    if c is None:
        return None, "not run"
    if not c.get("available", False):
        return None, "n/a"
    if c.get("failed", False):
        return None, "failed"
    return (c["mean_us"], "") if test == "latency" else (c["messages_per_s"], "")

def compare(row, ref, size, cpu, test):
    """Ratio, verdict and the two figures of one cell."""
    a, why = figure(cells.get((row, size, cpu, test)), test)
    if a is None:
        return None, "MISS" if why == "failed" else why.upper(), why, ""
    b, rwhy = figure(cells.get((ref, size, cpu, test)), test)
    if b is None:
        return None, "NOFLOOR", a, f"floor {rwhy}"
    if test == "latency":
        r = a / b
        return r, "PASS" if r <= lat_max else "MISS", a, b
    r = a / b
    return r, "PASS" if r >= thr_min else "MISS", a, b

def fmt(v, test):
    if not isinstance(v, (int, float)):
        return str(v)
    if test == "latency":
        return f"{v:.2f}"
    return f"{v / 1e6:.3f}M" if v >= 1e6 else f"{v / 1e3:.1f}k"

misses, passes, tradeoffs = 0, 0, 0
print()
print(f"latency: mean round trip (us), PASS at <= {lat_max:.2f}x the floor; "
      f"throughput at --batch 1: msg/s, PASS at >= {thr_min:.2f}x")
hdr = f"{'row':<14} {'size':>7} {'cpu':<5}  {'mean us':>8} {'floor':>8} {'ratio':>6} {'':<5} " \
      f"{'msg/s':>8} {'floor':>8} {'ratio':>6}"
print(hdr)
nofloor = []
for row in order:
    if row.startswith(REFS):
        continue
    ref = FLOOR.get(row)
    if row == "shm spin":
        ref = "shm"
    if ref is None:
        nofloor.append(f"{row}: {NO_FLOOR.get(row, 'no floor row')}")
        continue
    keys = sorted({(k[1], k[2]) for k in cells if k[0] == row}, key=lambda k: (k[0], k[1]))
    for size, cpu in keys:
        out = []
        verdicts = []
        for test in ("latency", "throughput"):
            if (row, size, cpu, test) not in cells:
                out.append(f"{'':>8} {'':>8} {'':>6} {'':<4}")
                continue
            r, v, a, b = compare(row, ref, size, cpu, test)
            if row == "shm spin" and v in ("PASS", "MISS"):
                # Against shm, not a floor: on one CPU the trade-off it
                # shows; across two, how much the spinning buys.
                v = "TRADE" if cpu == "same" else "INFO"
            verdicts.append(v)
            rs = f"{r:.2f}x" if r is not None else "-"
            out.append(f"{fmt(a, test):>8} {fmt(b, test):>8} {rs:>6} {v:<5}")
        misses += verdicts.count("MISS")
        passes += verdicts.count("PASS")
        tradeoffs += verdicts.count("TRADE")
        print(f"{row:<14} {size_label(size):>7} {cpu:<5}  {out[0]} {out[1]}")
print()
if any(r == "shm spin" for r in order):
    print("shm spin is set against shm, not a floor: on one CPU (TRADE) it spins while the")
    print("other side needs that CPU, the trade-off it shows; across two (INFO), what spinning buys.")
for line in nofloor:
    print(f"no floor: {line}")
print()
print(f"{passes} PASS, {misses} MISS" + (f", {tradeoffs} TRADE (shm spin on one CPU)" if tradeoffs else ""))
sys.exit(1 if misses else 0)
EOF
