#!/bin/bash
# Renders every manual page given at WIDTH columns, as man(1) does with
# MANWIDTH=WIDTH (or mandoc when man is missing), and fails on any line
# wider than WIDTH: a page must be readable on an 80-column terminal.
# Usage: width.sh WIDTH PAGE...
set -u
width=$1
shift
status=0
render() {
	if command -v man >/dev/null; then
		MANWIDTH=$width MAN_KEEP_FORMATTING='' man -l "$1" 2>/dev/null
	else
		mandoc -T utf8 -O width="$width" "$1"
	fi
}
echo "1..$#"
n=0
for page in "$@"; do
	n=$((n + 1))
	long=0
	text=$(render "$page" | sed "s/.\x08//g" | expand) || text=''
	if [ -z "$text" ]; then
		echo "not ok $n - $page: renders to nothing"
		status=1
		continue
	fi
	while IFS= read -r line; do
		if [ "${#line}" -gt "$width" ]; then
			echo "# ${#line} columns: $line"
			long=$((long + 1))
		fi
	done <<<"$text"
	if [ "$long" -gt 0 ]; then
		echo "not ok $n - $page: $long lines over $width columns"
		status=1
	else
		echo "ok $n - $page"
	fi
done
exit "$status"
