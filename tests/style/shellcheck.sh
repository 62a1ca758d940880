#!/bin/bash
# Usage: shellcheck.sh [SOURCE_ROOT]
#
# Runs shellcheck on every shell script of the project: the tests
# (tests/**/*.sh), the bash completion and the CI scripts. A finding that is
# intended is silenced where it is, by a "# shellcheck disable=SCxxxx" with
# its reason on the line before. Exits 77, meson's "skipped", when the
# program is not installed.
#
# Not checked: completions/zsh/_ipcdemo, since there is no zsh dialect
# (read as bash, zsh's own syntax is all errors), and completions/fish,
# which is not a shell script at all.
set -u

root=${1:-$(dirname "$0")/../..}
cd "$root" || exit 1
if ! command -v shellcheck >/dev/null 2>&1; then
	echo "shellcheck.sh: shellcheck is not installed; skipped"
	exit 77
fi

mapfile -t scripts < <(find tests -type f -name '*.sh' | LC_ALL=C sort)
scripts+=(.ci/run .ci/install-deps)

# Run from the source root: the scripts' "# shellcheck source=" directives
# name their libraries from there; -P SCRIPTDIR finds the ones sourced
# as "$(dirname "$0")/lib.sh".
status=0
shellcheck -x -P SCRIPTDIR "${scripts[@]}" || status=1
# The bash completion is sourced, not run: it has no #! line to say its
# dialect.
shellcheck -s bash completions/bash/ipcdemo || status=1
if [ "$status" != 0 ]; then
	echo "shellcheck.sh: findings above; fix them, or silence an intended one with a reason" >&2
	exit 1
fi
echo "shellcheck.sh: $((${#scripts[@]} + 1)) scripts checked, no findings ($(shellcheck --version | sed -n 's/^version: //p'))"
