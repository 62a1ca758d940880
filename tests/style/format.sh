#!/bin/bash
# Usage: format.sh [SOURCE_ROOT]
#
# Fails, listing them, when C sources or headers of the project (src/,
# include/, tests/) are not formatted as .clang-format says. Fix with
#	clang-format -i FILE...
# FORMAT_FILES, when set, is the space-separated list of files (relative to
# SOURCE_ROOT) to check instead of all of them. CLANG_FORMAT names the
# program (default: clang-format). Exits 77, meson's "skipped", when it is
# not installed.
set -u

root=${1:-$(dirname "$0")/../..}
cd "$root" || exit 1
clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null 2>&1; then
	echo "format.sh: $clang_format is not installed; skipped"
	exit 77
fi

if [ -n "${FORMAT_FILES:-}" ]; then
	read -r -a files <<<"$FORMAT_FILES"
else
	mapfile -t files < <(find src include tests -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
fi
if [ "${#files[@]}" = 0 ]; then
	echo "format.sh: no C sources found under $PWD" >&2
	exit 1
fi

bad=()
for f in "${files[@]}"; do
	if ! "$clang_format" --dry-run --Werror "$f" >/dev/null 2>&1; then
		bad+=("$f")
	fi
done
if [ "${#bad[@]}" != 0 ]; then
	echo "format.sh: ${#bad[@]} of ${#files[@]} files are not formatted as .clang-format says:" >&2
	printf '  %s\n' "${bad[@]}" >&2
	echo "Fix with: clang-format -i ${bad[*]}" >&2
	exit 1
fi
echo "format.sh: ${#files[@]} files formatted as .clang-format says ($("$clang_format" --version))"
