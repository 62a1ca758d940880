#!/bin/bash
# ipcdemo file race: concurrent writers with and without a lock.
. "$(dirname "$0")/lib.sh"

# The race's own temporary file goes here, so that we can see it removed.
TMPDIR=$T
export TMPDIR

field() { # text name: the number on the "name   N" line of the report
	printf '%s\n' "$1" | sed -En "s/^$2 +([0-9]+)( lines)?\$/\1/p"
}
no_race_files() {
	[ -z "$(find "$T" -maxdepth 1 -name 'ipcdemo-race.*')" ]
}

# ---- without a lock: lines are lost or torn ----

# The race is real but probabilistic (a busy machine may run the writers one
# after the other): retry up to 3 times a run that happens to lose nothing.
for try in 1 2 3 4; do
	timeout -k 5 "$T_LIMIT" "$IPCDEMO" file race --writers 4 --count 2000 >race.out 2>race.err
	st=$?
	rout=$(cat race.out)
	lost=$(field "$rout" lost)
	torn=$(field "$rout" torn)
	[ $((${lost:-0} + ${torn:-0})) -gt 0 ] && break
done
echo "# unlocked race: $try run(s), lost ${lost:-?}, torn ${torn:-?}"
is "race (no lock by default): exit status 3" "$st" 3
ok "race (no lock): lost + torn > 0" test $((${lost:-0} + ${torn:-0})) -gt 0
like "race (no lock): reports the lock in use" "$rout" "lock none"
is "race (no lock): expected 4 x 2000 lines" "$(field "$rout" expected)" 8000
is "race (no lock): intact + lost = expected" "$(($(field "$rout" intact) + ${lost:-0}))" 8000
like "race (no lock): says how many were lost" "$rout" \
	"^${lost:-0} of 8000 lines were lost: the writers overwrote each other"
ok "race: the temporary file is removed" no_race_files

# ---- with a lock, or O_APPEND: nothing is lost ----

for lk in flock fcntl; do
	run "race --lock $lk" 0 -- "$IPCDEMO" file race --writers 4 --count 2000 --lock "$lk"
	like "race --lock $lk: reports the lock" "$OUT" "lock $lk"
	is "race --lock $lk: lost 0" "$(field "$OUT" lost)" 0
	is "race --lock $lk: torn 0" "$(field "$OUT" torn)" 0
	is "race --lock $lk: intact 8000" "$(field "$OUT" intact)" 8000
	like "race --lock $lk: says nothing was lost" "$OUT" "No line was lost or torn"
done

run "race --append (no lock)" 0 -- "$IPCDEMO" file race --writers 4 --count 2000 --append
like "race --append: no lock" "$OUT" "lock none"
like "race --append: O_APPEND" "$OUT" "O_APPEND"
is "race --append: lost 0" "$(field "$OUT" lost)" 0
is "race --append: torn 0" "$(field "$OUT" torn)" 0
ok "race: temporary files removed after every run" no_race_files

# ---- --json ----

check_json() { # json: prints "expected intact+lost writers lock", or an error
	python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
print(o["expected"], o["intact"] + o["lost"], o["writers"], o["lines_per_writer"], o["lock"],
      o["lost"] + o["torn"] + o["duplicated"] > 0)
' <<<"$1" 2>&1
}

run "race --json --lock flock" 0 -- "$IPCDEMO" file race --json --writers 3 --count 500 --lock flock
if $have_python; then
	is "race --json --lock flock: one JSON object, consistent" "$(check_json "$OUT")" "1500 1500 3 500 flock False"
else
	like "race --json: expected" "$OUT" '"expected": ?1500'
	like "race --json: lost 0" "$OUT" '"lost": ?0[,}]'
fi
is "race --json: a single line" "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 1
like "race --json: starts with {" "$OUT" '^\{.*\}$'

timeout -k 5 "$T_LIMIT" "$IPCDEMO" file race --json --writers 3 --count 500 >rj.out 2>rj.err
st=$?
OUT=$(cat rj.out)
ok "race --json (no lock): exit 0 or 3" test "$st" = 0 -o "$st" = 3
if $have_python; then
	got=$(check_json "$OUT")
	if [ "$st" = 3 ]; then want="1500 1500 3 500 none True"; else want="1500 1500 3 500 none False"; fi
	is "race --json (no lock): expected = writers*count = intact+lost; status agrees" "$got" "$want"
else
	like "race --json (no lock): expected" "$OUT" '"expected": ?1500'
	like "race --json (no lock): lock none" "$OUT" '"lock": ?"none"'
fi

# ---- --path: keep the file ----

run "race --path --lock flock" 0 -- "$IPCDEMO" file race --path kept.txt --lock flock --writers 3 --count 100 --size 32
ok "race --path: the file is kept" test -f kept.txt
is "race --path: writers*count*size bytes" "$(stat -c %s kept.txt 2>&1)" $((3 * 100 * 32))
is "race --path: writers*count lines" "$(wc -l <kept.txt | tr -d ' ')" 300
is "race --path: every line is size-1 characters" "$(awk 'length($0) != 31' kept.txt | wc -l | tr -d ' ')" 0
is "race --path: created with mode 0600" "$(stat -c %a kept.txt)" 600

printf 'precious\n' >existing.txt
chmod 0644 existing.txt
before=$(stat -c '%s %Y %a' existing.txt)
run "race --path to an existing file" 1 -- "$IPCDEMO" file race --path existing.txt --lock flock --count 10
like "race --path existing: names the file" "$ERR" "existing.txt"
is "race --path existing: content untouched" "$(cat existing.txt)" "precious"
is "race --path existing: size, time and mode untouched" "$(stat -c '%s %Y %a' existing.txt)" "$before"

# ---- a race larger than the free space ----

# The default count and 4 writers of 64 MiB lines: 2.4 TiB.
avail=$(($(stat -f -c '%a * %S' "$T")))
if [ "$avail" -lt 2684354560000 ]; then
	run "race --size 64M: refused" 1 -- "$IPCDEMO" file race --size 64M
	like "race --size 64M: says how much and how much is free" "$ERR" \
		"would write at least 2684354560000 bytes \(2\.4 TiB\) in $T, whose file system has only [0-9]+ bytes"
else
	skip "race --size 64M: refused" "more than 2.4 TiB free in $T"
fi
run "race --path larger than the free space: refused" 1 -- \
	"$IPCDEMO" file race --path big.txt --writers 256 --count 10000000 --size 64M
ok "race --path larger than the free space: no file created" test ! -e big.txt

# ---- bad values ----

run "race --writers 0" 2 -- "$IPCDEMO" file race --writers 0
like "race --writers 0: names the option" "$ERR" "writers"
run "race --writers abc" 2 -- "$IPCDEMO" file race --writers abc
like "race --writers abc: names the option and value" "$ERR" "writers.*abc|abc.*writers"
run "race --writers 257 (more than 256)" 2 -- "$IPCDEMO" file race --writers 257
run "race --size 4" 2 -- "$IPCDEMO" file race --size 4
like "race --size 4: names the option" "$ERR" "size"
run "race --count -1" 2 -- "$IPCDEMO" file race --count -1
run "race --lock bogus" 2 -- "$IPCDEMO" file race --lock bogus
run "race with an argument" 2 -- "$IPCDEMO" file race extra
ok "race: no temporary file left by the failed runs" no_race_files

done_testing
