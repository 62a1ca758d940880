#!/bin/bash
# shellcheck disable=SC2016 # the script -c commands expand $IPCDEMO themselves
# ipcdemo bench on a terminal, as a person sees it: run under script(1) at
# 80 and 120 columns, its output played through a small terminal model
# (carriage return, erase to the end of the line); every line of the
# tables has its row's label, no line is wider than the terminal, the
# progress (cells done/total, time left) is there when standard error is a
# terminal and gone from the screen at the end, and absent when standard
# error is not a terminal. Runs are small (--count 300, two rows, two
# sizes); never a speed or a timing.
# (plain shellcheck does not follow lib.sh; shellcheck -x does)
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"

export LC_ALL=C
export TMPDIR=$T/tmp
mkdir "$TMPDIR" || exit 1
unset COLUMNS
BENCH_LIMIT=$((T_LIMIT * 3))

if ! command -v script >/dev/null 2>&1; then
	skip "bench on a terminal" "script (util-linux) not installed"
	done_testing
	exit
fi

NCPU=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
ARGS="--size 64,64k --count 300 pipe udp"
# Cells: two rows, two sizes, two placements, in each of the two tables.
CELLS=16

# screen FILE: what a terminal shows of FILE's bytes: a carriage return
# goes back to the line's start, ESC [ K erases from there to the end,
# anything else overwrites; trailing blanks dropped.
screen() {
	awk '{
		line = ""; col = 0; n = length($0)
		for (i = 1; i <= n; i++) {
			c = substr($0, i, 1)
			if (c == "\r") { col = 0; continue }
			if (c == "\033" && substr($0, i, 3) == "\033[K") { line = substr(line, 1, col); i += 2; continue }
			while (length(line) < col) line = line " "
			line = substr(line, 1, col) c substr(line, col + 2)
			col++
		}
		sub(/ +$/, "", line)
		print line
	}' "$1"
}

# on_tty NAME COLS COMMAND: run COMMAND (a shell command) under script in a
# terminal of COLS columns; the screen in screen.txt, the bytes in raw.txt.
on_tty() {
	T_LIMIT=$BENCH_LIMIT run "$1" 0 -- script -qec "stty cols $2 rows 50; $3" /dev/null </dev/null
	cp "$T/.out" raw.txt
	screen raw.txt >screen.txt
}

# widest FILE: the longest line's length
widest() { awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' "$1"; }

# table_lines FILE: the lines of the two tables (from a header to the
# blank line after the table), without the headers.
table_lines() {
	awk '/^mechanism / { t = 1; next } /^$/ { t = 0 } t && !/^ +(mean|MB\/s) / { print }' "$1"
}

# unlabelled FILE: table lines that are neither a row's line nor the
# continuation of a note.
unlabelled() { table_lines "$1" | grep -Ev '^(pipe|udp) +(64 B|64 KiB) |^ +\(' || true; }

# check_screen NAME COLS LAT-LINES THR-LINES: the screen of a run of ARGS
check_screen() {
	local name=$1 cols=$2 lat=$3 thr=$4
	is "$name: every table line has its row and size" "$(unlabelled screen.txt)" ""
	ok "$name: no line wider than $cols columns ($(widest screen.txt))" test "$(widest screen.txt)" -le "$cols"
	is "$name: no progress left on the screen" "$(grep -c 'done[],]' screen.txt)" 0
	local s lines
	for s in "64 B" "64 KiB"; do
		for r in pipe udp; do
			lines=$(grep -Ec "^$r +$s " screen.txt)
			is "$name: $r $s: its lines ($lat + $thr)" "$lines" $((lat + thr))
		done
	done
	like "$name: the latency title" "$(cat screen.txt)" '^Round-trip latency'
	like "$name: the throughput title" "$(cat screen.txt)" '^One-way throughput'
	like "$name: a latency cell" "$(cat screen.txt)" '^pipe +64 B +(same +)?[0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9]+\.[0-9]'
}

# check_progress NAME: the progress of a run of ARGS in raw.txt: cells
# done of all of them, from none to all but the last, the time left once
# a cell is done, each drawn from the start of a cleared line.
check_progress() {
	local name=$1 counts
	counts=$(grep -ao '\[[0-9]*/[0-9]* done' raw.txt | sed 's/^\[//; s/ done$//' | sort -t/ -k1,1n -u | tr '\n' ' ')
	is "$name: progress counts every cell, done/total" "$counts" "$(for i in $(seq 0 $((CELLS - 1))); do printf '%s/%s ' "$i" "$CELLS"; done)"
	ok "$name: progress says the time left" grep -aEq "\[1/$CELLS done, about [0-9]+ (s|min [0-9]+ s) left\] " raw.txt
	like "$name: progress names the cell" "$(cat raw.txt)" 'pipe 64 B same round trips \.\.\.'
	is "$name: progress drawn on a cleared line" "$(grep -ao $'\033\\[K\\[[0-9]*/[0-9]* done' raw.txt | wc -l)" \
		"$(grep -ao '\[[0-9]*/[0-9]* done' raw.txt | wc -l)"
}

# ---- both on the terminal, 80 and 120 columns ----

on_tty "80 columns" 80 '"$IPCDEMO" bench '"$ARGS"
check_screen "80 columns" 80 2 2
like "80 columns: latency a line per placement" "$(cat screen.txt)" '^mechanism +size +cpu +mean +p50 +p90 +p99 +p99\.9 +max$'
like "80 columns: throughput a line per placement" "$(cat screen.txt)" '^mechanism +size +cpu +MB/s +msg/s +CPU us +msg/call$'
like "80 columns: a throughput line per placement" "$(cat screen.txt)" \
	'^pipe +64 KiB +split +[0-9]+\.[0-9] +[0-9.]+[kM]? +[0-9]+\.[0-9]+/[0-9]+\.[0-9]+ +[0-9.]+k?/[0-9.]+k?$'
is "80 columns: udp 64 KiB n/a with its limit, in each line of both tables" \
	"$(grep -Ec '^udp +64 KiB +(same|split) +n/a +\(.*65507.*\)$' screen.txt)" 4
check_progress "80 columns"
tr '\r' '\n' <raw.txt | grep -a 'done[],]' | sed $'s/\033\\[K//g' >progress.txt
ok "80 columns: the progress fits in the width ($(widest progress.txt))" test "$(widest progress.txt)" -lt 80

on_tty "120 columns" 120 '"$IPCDEMO" bench '"$ARGS"
check_screen "120 columns" 120 1 1
is "120 columns: both tables with the placements side by side" "$(grep -Ec '^mechanism +size +same +split$' screen.txt)" 2
like "120 columns: udp 64 KiB n/a with its limit, on its line" "$(cat screen.txt)" '^udp +64 KiB +n/a +n/a +\(.*65507.*\)$'
check_progress "120 columns"

# COLUMNS wins over the terminal's width.
on_tty "COLUMNS=120 on 80 columns" 80 'COLUMNS=120 "$IPCDEMO" bench '"$ARGS"
is "COLUMNS=120: the placements side by side" "$(grep -Ec '^mechanism +size +same +split$' screen.txt)" 2
# The progress keeps to the terminal's own width: a line that wraps cannot be erased.
tr '\r' '\n' <raw.txt | grep -a 'done[],]' | sed $'s/\033\\[K//g' >progress.txt
ok "COLUMNS=120: the progress fits in the terminal's 80 columns ($(widest progress.txt))" \
	test "$(widest progress.txt)" -lt 80
is "COLUMNS=120: no progress left on the screen" "$(grep -c 'done[],]' screen.txt)" 0

# The time left: with --count (a plan in runs) once a cell is done; with
# --duration (a plan in seconds) from the start.
ok "--count: no time left before a cell is done" grep -aq "\[0/$CELLS done\] pipe 64 B same" raw.txt
on_tty "--duration" 80 '"$IPCDEMO" bench --size 64 --duration 20ms --cpu same pipe'
ok "--duration: the time left from the start" grep -aEq '\[0/2 done, about [0-9]+ s left\] pipe 64 B same' raw.txt
like "--duration: the row" "$(cat screen.txt)" '^pipe +64 B +(same +)?[0-9]'

# --repeat R: the cells run in passes, every throughput cell's pilot, then
# run 1 of each, then run 2 of each (the round trips alike); the cells are
# counted done in the last pass, and the lines printed at the end.
on_tty "--repeat 2" 160 '"$IPCDEMO" bench --size 64 --count 300 --cpu same --repeat 2 pipe bare-pipe'
tr '\r' '\n' <raw.txt | grep -a 'done[],]' | sed $'s/\033\\[K//g' |
	sed -nE 's/^\[[0-9]+\/[0-9]+ done[^]]*\] (.*) throughput, (.*) \.\.\.$/\1 \2/p' | uniq >passes.txt
is "--repeat 2: pilots, then pass 1, then pass 2, over both rows" "$(cat passes.txt)" \
	"pipe 64 B same pilot
bare pipe 64 B same pilot
pipe 64 B same run 1 of 2
bare pipe 64 B same run 1 of 2
pipe 64 B same run 2 of 2
bare pipe 64 B same run 2 of 2"
is "--repeat 2: the round trips in passes too" \
	"$(tr '\r' '\n' <raw.txt | sed -nE 's/^.*\] (.*) round trips, (run [0-9] of 2) \.\.\.$/\1 \2/p' | uniq)" \
	"pipe 64 B same run 1 of 2
bare pipe 64 B same run 1 of 2
pipe 64 B same run 2 of 2
bare pipe 64 B same run 2 of 2"
like "--repeat 2: the last cell is counted done at the end" "$(cat raw.txt)" '\[3/4 done[^]]*\] bare pipe 64 B same throughput, run 2 of 2'
is "--repeat 2: both throughput lines" \
	"$(sed -n '/^One-way throughput/,$p' screen.txt | grep -Ec '^(pipe|bare pipe) +64 B +[0-9]+\.[0-9] ')" 2

# A terminal narrower than the progress: it is cut to the width.
on_tty "40 columns" 40 '"$IPCDEMO" bench --size 64 --count 300 --cpu same unix-seqpacket'
tr '\r' '\n' <raw.txt | grep -a 'done[],]' | sed $'s/\033\\[K//g' >progress.txt
like "40 columns: progress" "$(cat progress.txt)" '^\[0/2 done\] unix seqpacket'
ok "40 columns: the progress cut to the width ($(widest progress.txt))" test "$(widest progress.txt)" -lt 40
is "40 columns: no progress left on the screen" "$(grep -c 'done[],]' screen.txt)" 0
like "40 columns: the row" "$(cat screen.txt)" '^unix seqpacket +64 B +(same +)?[0-9]'

# ---- standard output in a file or a pipe ----

# The tables in a file: 80 columns, nothing of the progress.
on_tty "stdout in a file" 120 '"$IPCDEMO" bench '"$ARGS"' >tables.txt'
check_progress "stdout in a file"
is "stdout in a file: no terminal codes in it" "$(grep -c $'[\r\033]' tables.txt)" 0
is "stdout in a file: no progress in it" "$(grep -c 'done[],]' tables.txt)" 0
ok "stdout in a file: 80 columns at most" test "$(widest tables.txt)" -le 80
is "stdout in a file: every table line has its row and size" "$(unlabelled tables.txt)" ""
is "stdout in a file: nothing on the screen at the end" "$(grep -c . screen.txt)" 0

# Through a pipe to a reader that writes to the same terminal.
on_tty "| cat" 80 '"$IPCDEMO" bench '"$ARGS"' | cat'
check_screen "| cat" 80 2 2

# ---- standard error not a terminal: no progress ----

on_tty "stderr in a file" 80 '"$IPCDEMO" bench '"$ARGS"' 2>err.txt'
is "stderr in a file: nothing on it" "$(cat err.txt)" ""
is "stderr in a file: no progress on the screen" "$(grep -c 'done[],]' raw.txt)" 0
check_screen "stderr in a file" 80 2 2

on_tty "-q" 80 '"$IPCDEMO" bench -q '"$ARGS"
is "-q: no progress" "$(grep -c 'done[],]' raw.txt)" 0
check_screen "-q" 80 2 2

# --json on a terminal: progress on standard error, the cells unchanged.
on_tty "--json" 80 '"$IPCDEMO" bench --json '"$ARGS"' >cells.json'
check_progress "--json"
is "--json: one line per cell" "$(grep -c '^{"test":' cells.json)" "$CELLS"

is "nothing left in TMPDIR" "$(ls -A "$TMPDIR")" ""
[ "$NCPU" -ge 2 ] || echo "# one CPU: the split cells are n/a"

done_testing
