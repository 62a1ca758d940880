#!/bin/bash
# Build the libFuzzer targets with clang in their own build directory and
# run each one for a bounded time; fail on any crash, leak, sanitizer
# report or broken invariant.
#   tests/fuzz/run.sh [TARGET...]       (default: every target in meson.build)
# Environment:
#   FUZZ_SECONDS  time per target (default 60)
#   FUZZ_BUILD    build directory (default build-fuzz, in the source tree)
# Needs clang and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
# New inputs found are kept in a scratch directory, not in the seed corpus;
# a crash leaves its input as FUZZ_BUILD/crash-* (add it to
# tests/fuzz/corpus/TARGET/ and a regression test to the normal suite).
set -euo pipefail

src=$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
build=${FUZZ_BUILD:-$src/build-fuzz}
seconds=${FUZZ_SECONDS:-60}

case "$seconds" in '' | *[!0-9]*)
	echo "run.sh: FUZZ_SECONDS must be a whole number of seconds, not '$seconds'" >&2
	exit 2
	;;
esac
command -v clang >/dev/null || {
	echo "run.sh: clang is needed (and libclang-rt-14-dev for libFuzzer)" >&2
	exit 1
}

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=true -Dtests=false -Dbuildtype=debugoptimized >/dev/null
fi
meson compile -C "$build" >/dev/null

if [ "$#" -gt 0 ]; then
	targets=("$@")
else
	mapfile -t targets < <(sed -n "s/^ *'\(fuzz_[a-z0-9_]*\)',\$/\1/p" "$src/tests/fuzz/meson.build")
fi
[ "${#targets[@]}" -gt 0 ] || {
	echo "run.sh: no fuzz targets found" >&2
	exit 1
}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/ipcdemo-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=0
for t in "${targets[@]}"; do
	exe=$build/tests/fuzz/$t
	seeds=$src/tests/fuzz/corpus/$t
	[ -x "$exe" ] || {
		echo "run.sh: $t was not built" >&2
		exit 1
	}
	mkdir -p "$scratch/$t"
	corpora=("$scratch/$t")
	[ -d "$seeds" ] && corpora+=("$seeds")
	echo "== $t: ${seconds} s"
	# -close_fd_mask=3: the parsers' usage messages would drown the log;
	# sanitizer reports still get through.
	if ! (cd "$build" && "$exe" -max_total_time="$seconds" -close_fd_mask=3 \
		 -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
		"${corpora[@]}") >"$scratch/$t.log" 2>&1; then
		failed=1
		echo "run.sh: $t FAILED; the end of its log:" >&2
		tail -n 60 "$scratch/$t.log" >&2
		ls "$build"/crash-* "$build"/leak-* "$build"/timeout-* "$build"/oom-* 2>/dev/null >&2 || true
	else
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$scratch/$t.log" |
			sed 's/^/   /' || true
	fi
done
exit "$failed"
