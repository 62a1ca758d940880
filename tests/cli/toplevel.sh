#!/bin/bash
# ipcdemo's top level: --help, --version, list, help, dispatch, "did you
# mean", exact names only, and the exit status contract (1 and 2).
# The mechanisms and verbs are taken from 'ipcdemo list --json', the
# binary's own table, so that a new mechanism is covered without editing
# this file.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C

have_jq=false
command -v jq >/dev/null 2>&1 && have_jq=true

nlines() { # text: number of non-empty lines
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l | tr -d ' '; fi
}

# ---- --help, -h, --version, no arguments ----

run "--help exits 0" 0 -- "$IPCDEMO" --help
help_out=$OUT
like "--help: usage line" "$OUT" '^Usage: ipcdemo MECHANISM VERB'
is "--help: nothing on stderr" "$ERR" ""
like "--help: names the list command" "$OUT" '^  list '
like "--help: names the help command" "$OUT" '^  help '

run "-h exits 0" 0 -- "$IPCDEMO" -h
is "-h prints the same as --help" "$OUT" "$help_out"

run "--version exits 0" 0 -- "$IPCDEMO" --version
like "--version: 'ipcdemo VERSION'" "$OUT" '^ipcdemo [0-9]'
is "--version: one line" "$(nlines "$OUT")" 1

run "no arguments: usage error" 2 -- "$IPCDEMO"
is "no arguments: nothing on stdout" "$OUT" ""
like "no arguments: usage on stderr" "$ERR" '^Usage: ipcdemo MECHANISM VERB'

# ---- list ----

run "list exits 0" 0 -- "$IPCDEMO" list
list_text=$OUT
is "list: nothing on stderr" "$ERR" ""
like "list: a mechanism line" "$OUT" '^[a-z]'
like "list: an indented verb line" "$OUT" '^  [a-z]+ '

run "list --json exits 0" 0 -- "$IPCDEMO" list --json
list_json=$OUT
is "list --json: nothing on stderr" "$ERR" ""
text_mechs=$(printf '%s\n' "$list_text" | awk '/^[^ ]/ { print $1 }')
is "list --json: one line per mechanism of the text list" \
	"$(nlines "$list_json")" "$(nlines "$text_mechs")"

# pairs "MECH VERB", one a line, from the text and the JSON listings
text_pairs=$(printf '%s\n' "$list_text" | awk '/^[^ ]/ { m = $1 } /^  [^ ]/ { print m, $1 }')
mechs=""
pairs=""
if $have_jq; then
	bad=""
	while IFS= read -r line; do
		printf '%s\n' "$line" | jq -e 'type == "object"
			and (.mechanism | type == "string" and length > 0)
			and (.summary | type == "string" and length > 0)
			and (.verbs | type == "array" and length > 0)
			and all(.verbs[]; (.name | type == "string" and length > 0)
				and (.summary | type == "string"))' >/dev/null 2>&1 ||
			bad="$bad$line
"
	done <<<"$list_json"
	is "list --json: every line is a JSON object with mechanism, summary, verbs" "$bad" ""
	mechs=$(printf '%s\n' "$list_json" | jq -r '.mechanism' 2>/dev/null)
	pairs=$(printf '%s\n' "$list_json" | jq -r '.mechanism as $m | .verbs[] | "\($m) \(.name)"' 2>/dev/null)
	no_demo=$(printf '%s\n' "$list_json" | jq -r 'select(all(.verbs[]; .name != "demo")) | .mechanism' 2>/dev/null)
	is "list --json: every mechanism has a demo verb" "$no_demo" ""
	like "list --json: the fifo mechanism is listed" "$mechs" '^fifo$'
	like "list --json: the pipe mechanism is listed" "$mechs" '^pipe$'
	like "list --json: the file mechanism is listed" "$mechs" '^file$'
	is "list and list --json list the same mechanisms" "$mechs" "$text_mechs"
	is "list and list --json list the same verbs" "$pairs" "$text_pairs"
	text_sums=$(printf '%s\n' "$list_text" | sed -n 's/^[^ ][^ ]* *//p')
	json_sums=$(printf '%s\n' "$list_json" | jq -r '.summary' 2>/dev/null)
	is "list and list --json give the same summaries" "$text_sums" "$json_sums"
else
	skip "list --json: every line is valid JSON" "jq is not installed"
	mechs=$text_mechs
	pairs=$text_pairs
fi
ok "at least three mechanisms are listed" test "$(nlines "$mechs")" -ge 3

for m in $mechs; do
	like "--help lists the mechanism $m" "$help_out" "^  $m "
done

run "list with an unknown option" 2 -- "$IPCDEMO" list --bogus
like "list --bogus: names the option" "$ERR" "'--bogus'"
run "list with an unexpected argument" 2 -- "$IPCDEMO" list nosuch
like "list nosuch: names the argument" "$ERR" "'nosuch'"
run "list --jsn: usage error" 2 -- "$IPCDEMO" list --jsn
like "list --jsn: did you mean --json" "$ERR" '[Dd]id you mean.*--json'
is "list --jsn: nothing listed" "$OUT" ""
run "list -j is list --json" 0 -- "$IPCDEMO" list -j
is "list -j: the JSON listing" "$OUT" "$list_json"
run "list --help exits 0" 0 -- "$IPCDEMO" list --help
like "list --help: usage line" "$OUT" '^Usage: ipcdemo list'
like "list --help: describes --json" "$OUT" '--json'

# ---- help [MECHANISM]: built-in help when the page or man is missing ----

mkdir -p "$T/noman" "$T/nobin"
run "help with no manual page exits 0" 0 -- env MANPATH="$T/noman" "$IPCDEMO" help
like "help without a page: the built-in help" "$OUT" '^Usage: ipcdemo MECHANISM VERB'
run "help fifo with no manual page exits 0" 0 -- env MANPATH="$T/noman" "$IPCDEMO" help fifo
like "help fifo without a page: the fifo help" "$OUT" '^Usage: ipcdemo fifo VERB'
like "help fifo without a page: lists produce" "$OUT" '^  produce '
run "help without man on PATH exits 0" 0 -- env PATH="$T/nobin" "$IPCDEMO" help
like "help without man: the built-in help" "$OUT" '^Usage: ipcdemo MECHANISM VERB'
run "help fifo without man on PATH exits 0" 0 -- env PATH="$T/nobin" "$IPCDEMO" help fifo
like "help fifo without man: the fifo help" "$OUT" '^Usage: ipcdemo fifo VERB'
run "help list with no manual page exits 0" 0 -- env MANPATH="$T/noman" "$IPCDEMO" help list
like "help list without a page: the list help" "$OUT" '^Usage: ipcdemo list'
run "help ls without man on PATH exits 0" 0 -- env PATH="$T/nobin" "$IPCDEMO" help ls
like "help ls without man: the ls help" "$OUT" '^Usage: ipcdemo ls'
for c in ls clean bench list help; do
	run "help $c without a page exits 0" 0 -- env MANPATH="$T/noman" "$IPCDEMO" help "$c"
	like "help $c without a page: the $c help" "$OUT" "^Usage: ipcdemo $c"
done
# With the pages (as built) and man: man's status is never passed on; a
# reader that leaves early ('| head') is not a failure.
pages=$(dirname "$IPCDEMO")/man
if command -v man >/dev/null 2>&1 && [ -r "$pages/ipcdemo.1" ]; then
	mkdir -p "$T/man/man1" && cp "$pages"/*.1 "$T/man/man1/"
	for c in "" fifo ls clean bench list help; do
		# shellcheck disable=SC2086 # c is one word or none
		out=$(set -o pipefail; MANPATH="$T/man" MANPAGER=cat PAGER=cat "$IPCDEMO" help $c | head -1)
		is "help $c | head -1 exits 0" "$?" 0
		like "help $c | head -1: the page's header" "$out" 'IPCDEMO'
	done
	MANPATH="$T/man" "$IPCDEMO" help fifo >/dev/null 2>&1
	is "help fifo >/dev/null exits 0" "$?" 0
else
	skip "help through man" "man or the built pages missing"
fi
run "help --help exits 0" 0 -- "$IPCDEMO" help --help
like "help --help: usage line" "$OUT" '^Usage: ipcdemo help \[MECHANISM\|COMMAND\]'
run "help --bogus: usage error" 2 -- "$IPCDEMO" help --bogus
like "help --bogus: names the option" "$ERR" "'--bogus'"
run "help with two words: usage error" 2 -- env MANPATH="$T/noman" "$IPCDEMO" help fifo pipe
like "help fifo pipe: too many arguments" "$ERR" 'too many arguments'
run "help nosuch: usage error" 2 -- env MANPATH="$T/noman" "$IPCDEMO" help nosuch
like "help nosuch: names the word" "$ERR" "nosuch"
run "help fifi: usage error" 2 -- env MANPATH="$T/noman" "$IPCDEMO" help fifi
like "help fifi: did you mean fifo" "$ERR" 'Did you mean'
like "help fifi: suggests fifo" "$ERR" 'fifo'

# ---- MECHANISM --help, MECHANISM alone, MECHANISM VERB --help ----

for m in $mechs; do
	run "$m --help exits 0" 0 -- "$IPCDEMO" "$m" --help
	mhelp=$OUT
	like "$m --help: usage line" "$mhelp" "^Usage: ipcdemo $m VERB"
	for v in $(printf '%s\n' "$pairs" | awk -v m="$m" '$1 == m { print $2 }'); do
		like "$m --help lists the verb $v" "$mhelp" "^  $v "
	done
	run "$m -h exits 0" 0 -- "$IPCDEMO" "$m" -h
	is "$m -h is $m --help" "$OUT" "$mhelp"

	run "$m without a verb: usage error" 2 -- "$IPCDEMO" "$m"
	is "$m without a verb: nothing on stdout" "$OUT" ""
	like "$m without a verb: says a verb is needed" "$ERR" 'verb'
	like "$m without a verb: lists the verbs on stderr" "$ERR" '^  demo '
done

while read -r m v; do
	[ -n "$m" ] || continue
	run "$m $v --help exits 0" 0 -- "$IPCDEMO" "$m" "$v" --help
	like "$m $v --help: usage line" "$OUT" "^Usage: ipcdemo $m $v"
	like "$m $v --help: describes --help" "$OUT" '--help'
	is "$m $v --help: nothing on stderr" "$ERR" ""
	run "$m $v -h exits 0" 0 -- "$IPCDEMO" "$m" "$v" -h
	like "$m $v -h: usage line" "$OUT" "^Usage: ipcdemo $m $v"
done <<<"$pairs"

# ---- help wrapped to the width: COLUMNS, else the terminal, else 80 ----

# The longest line of text, and how many lines are wider than $2 other than
# a single word (which cannot be broken).
widest() { printf '%s\n' "$1" | awk '{ if (length > w) w = length } END { print w + 0 }'; }
over() { printf '%s\n' "$1" | awk -v w="$2" 'length > w && NF > 1 { n++ } END { print n + 0 }'; }

run "COLUMNS=60 unix consume --help exits 0" 0 -- env COLUMNS=60 "$IPCDEMO" unix consume --help
is "COLUMNS=60 unix consume --help: no line over 60" "$(over "$OUT" 60)" 0
like "COLUMNS=60 unix consume --help: option help wrapped with a hanging indent" "$OUT" '^ {20,}[a-z(]'
run "COLUMNS=120 unix consume --help exits 0" 0 -- env COLUMNS=120 "$IPCDEMO" unix consume --help
is "COLUMNS=120 unix consume --help: no line over 120" "$(over "$OUT" 120)" 0
ok "COLUMNS=120 unix consume --help: uses the width (a line over 80)" test "$(widest "$OUT")" -gt 80
run "unix consume --help without COLUMNS, not a terminal" 0 -- env -u COLUMNS "$IPCDEMO" unix consume --help
is "unix consume --help in a pipe: no line over 80" "$(over "$OUT" 80)" 0
run "COLUMNS=bogus: 80" 0 -- env COLUMNS=bogus "$IPCDEMO" unix consume --help
is "COLUMNS=bogus: no line over 80" "$(over "$OUT" 80)" 0
for w in 60 80; do
	bad=""
	for args in "--help" "bench --help" "ls --help"; do
		# shellcheck disable=SC2086 # args is a list of words
		out=$(COLUMNS=$w "$IPCDEMO" $args 2>&1)
		[ "$(over "$out" "$w")" = 0 ] || bad="$bad [$args]"
	done
	# shellcheck disable=SC2086 # mechs is a list of words
	while read -r m v; do
		[ -n "$m" ] || continue
		out=$(COLUMNS=$w "$IPCDEMO" "$m" ${v:+"$v"} --help 2>&1)
		[ "$(over "$out" "$w")" = 0 ] || bad="$bad [$m $v]"
	done <<<"$pairs$(printf '\n%s' $mechs)"
	is "COLUMNS=$w: every help fits" "$bad" ""
done
if command -v script >/dev/null 2>&1 && command -v stty >/dev/null 2>&1; then
	# On a terminal of 100 columns, without COLUMNS: the terminal's width.
	out=$(env -u COLUMNS script -qec "stty cols 100 rows 40; $IPCDEMO unix consume --help" /dev/null 2>&1 | tr -d '\r')
	is "on a 100-column terminal: no line over 100" "$(over "$out" 100)" 0
	ok "on a 100-column terminal: uses the width (a line over 80)" test "$(widest "$out")" -gt 80
fi

# ---- unknown names: did you mean, exact names only ----

run "unknown mechanism fifi: usage error" 2 -- "$IPCDEMO" fifi produce
like "fifi: says it is not a mechanism" "$ERR" "'fifi'"
like "fifi: did you mean" "$ERR" 'Did you mean'
like "fifi: suggests fifo" "$ERR" 'ipcdemo fifo'
is "fifi: nothing on stdout" "$OUT" ""

run "unknown mechanism far from any name" 2 -- "$IPCDEMO" zzzzzzzzzz
unlike "zzzzzzzzzz: no suggestion" "$ERR" 'Did you mean'

run "unknown verb fifo prodcue: usage error" 2 -- "$IPCDEMO" fifo prodcue
like "fifo prodcue: names the word" "$ERR" "'prodcue'"
like "fifo prodcue: did you mean" "$ERR" 'Did you mean'
like "fifo prodcue: suggests produce" "$ERR" 'fifo produce'
is "fifo prodcue: nothing on stdout" "$OUT" ""

run "a prefix of a mechanism is not accepted (fif produce)" 2 -- "$IPCDEMO" fif produce
is "fif produce: nothing produced" "$OUT" ""
like "fif produce: suggests fifo" "$ERR" 'fifo'
ok "fif produce: no FIFO created" test ! -e pipe.fifo

run "a prefix of a verb is not accepted (fifo prod)" 2 -- "$IPCDEMO" fifo prod
is "fifo prod: nothing produced" "$OUT" ""
like "fifo prod: suggests produce" "$ERR" 'fifo produce'
ok "fifo prod: no FIFO created" test ! -e pipe.fifo

run "a prefix of list is not accepted (lis)" 2 -- "$IPCDEMO" lis
is "lis: nothing listed" "$OUT" ""

run "FIFO: usage error" 2 -- "$IPCDEMO" FIFO
like "FIFO: suggestions ignore case (fifo)" "$ERR" 'ipcdemo fifo$'
run "fifo PRODUCE: usage error" 2 -- "$IPCDEMO" fifo PRODUCE
like "fifo PRODUCE: suggests produce" "$ERR" 'ipcdemo fifo produce$'
run "help LS: usage error" 2 -- env MANPATH="$T/noman" "$IPCDEMO" help LS
like "help LS: suggests ls" "$ERR" 'ipcdemo help ls$'

# ---- options before the verb: they go after it ----

run "fifo --cuont: usage error" 2 -- "$IPCDEMO" fifo --cuont
like "fifo --cuont: options go after the verb" "$ERR" 'options go after the verb: ipcdemo fifo VERB --cuont'
like "fifo --cuont: suggests --count, an option of a verb of fifo" "$ERR" "Did you mean '--count'\\? It is an option of .*produce"
is "fifo --cuont: nothing on stdout" "$OUT" ""
run "fifo --count 5 produce: usage error" 2 -- "$IPCDEMO" fifo --count 5 produce
like "fifo --count 5 produce: options go after the verb" "$ERR" 'options go after the verb: ipcdemo fifo VERB --count'
like "fifo --count 5 produce: names the verbs that take it" "$ERR" "'--count' is an option of .*consume"
ok "fifo --count 5 produce: no FIFO created" test ! -e pipe.fifo
run "fifo -n 5 produce: usage error" 2 -- "$IPCDEMO" fifo -n 5 produce
like "fifo -n: options go after the verb" "$ERR" 'options go after the verb: ipcdemo fifo VERB -n'
run "fifo --zzzzzz: usage error" 2 -- "$IPCDEMO" fifo --zzzzzz
like "fifo --zzzzzz: options go after the verb" "$ERR" 'options go after the verb'
unlike "fifo --zzzzzz: no suggestion" "$ERR" 'Did you mean'
run "--cuont fifo produce: usage error" 2 -- "$IPCDEMO" --cuont fifo produce
like "--cuont before the mechanism: options go after the verb" "$ERR" 'go after it: ipcdemo MECHANISM VERB --cuont'

# ---- completion of the commands (each completes its own arguments) ----

cands() { printf '%s\n' "$OUT" | cut -f1 | sort | tr '\n' ' '; }
run "__complete help l" 0 -- "$IPCDEMO" __complete help l
is "completion of help l: the commands ls and list" "$(cands)" "list ls "
run "__complete help fifo ''" 0 -- "$IPCDEMO" __complete help fifo ''
is "completion of help fifo: nothing more" "$OUT" ""
run "__complete list -" 0 -- "$IPCDEMO" __complete list -
is "completion of list -: its options, long and short" "$(cands)" "--help --json -h -j "
run "__complete ls ''" 0 -- "$IPCDEMO" __complete ls ''
is "completion of ls: a directory" "$OUT" "__dirs__"
run "__complete ls --json ''" 0 -- "$IPCDEMO" __complete ls --json ''
is "completion of ls after a flag: a directory" "$OUT" "__dirs__"
run "__complete ls f" 0 -- "$IPCDEMO" __complete ls f
is "completion of ls f: the type words and directories" "$(cands)" "__dirs__ fifo file "
run "__complete ls dir fi" 0 -- "$IPCDEMO" __complete ls dir "fi"
is "completion of ls after its directory: the type words" "$(cands)" "__dirs__ fifo file "
run "__complete ls /tm" 0 -- "$IPCDEMO" __complete ls /tm
is "completion of ls of a word no type begins with: a directory" "$OUT" "__dirs__"
run "__complete _" 0 -- "$IPCDEMO" __complete _
is "completion of the first word: the hidden command is not offered" "$OUT" ""

# ---- options ----

run "unknown top-level option" 2 -- "$IPCDEMO" --bogus
like "--bogus: names the option" "$ERR" '--bogus'
run "unknown verb option" 2 -- "$IPCDEMO" pipe produce --bogus
like "pipe produce --bogus: names the option" "$ERR" '--bogus'
like "pipe produce --bogus: points to the verb's help" "$ERR" "Try 'ipcdemo pipe produce --help'"
is "pipe produce --bogus: nothing produced" "$OUT" ""
run "unknown short option" 2 -- "$IPCDEMO" pipe produce -Z
like "pipe produce -Z: names the option" "$ERR" '-Z'
run "an option of another verb" 2 -- "$IPCDEMO" pipe produce --path x
like "pipe produce --path: names the option" "$ERR" '--path'

run "abbreviated long option --cou 3" 2 -- "$IPCDEMO" pipe produce --cou 3
like "--cou: names the option" "$ERR" "'--cou'"
like "--cou: did you mean --count" "$ERR" '[Dd]id you mean.*--count'
is "--cou: nothing produced" "$OUT" ""
run "abbreviated long option --cou=3" 2 -- "$IPCDEMO" pipe produce --cou=3
like "--cou=3: did you mean --count" "$ERR" '[Dd]id you mean.*--count'
run "abbreviated flag --qu" 2 -- "$IPCDEMO" fifo produce --qu
like "--qu: did you mean --quiet" "$ERR" '[Dd]id you mean.*--quiet'

# ---- colour: --color=auto|always|never, NO_COLOR ----

esc=$(printf '\033')
nofifo="$T/nodir/x"
run "an error in a pipe" 1 -- env -u NO_COLOR "$IPCDEMO" fifo produce --path "$nofifo"
unlike "an error in a pipe: no colour by default" "$ERR" "$esc"
run "--color=always: an error" 1 -- env -u NO_COLOR "$IPCDEMO" --color=always fifo produce --path "$nofifo"
like "--color=always: the error's prefix in bold red" "$ERR" "^${esc}\\[1;31mipcdemo fifo produce:${esc}\\[0m mkfifo"
run "--color: as always" 1 -- env -u NO_COLOR "$IPCDEMO" --color fifo produce --path "$nofifo"
like "--color: the error's prefix in bold red" "$ERR" "^${esc}\\[1;31mipcdemo fifo produce:"
run "--color=never: an error" 1 -- "$IPCDEMO" --color=never fifo produce --path "$nofifo"
unlike "--color=never: no colour" "$ERR" "$esc"
run "--color=auto in a pipe" 1 -- env -u NO_COLOR "$IPCDEMO" --color=auto fifo produce --path "$nofifo"
unlike "--color=auto in a pipe: no colour" "$ERR" "$esc"
run "NO_COLOR and --color=always" 1 -- env NO_COLOR=1 "$IPCDEMO" --color=always fifo produce --path "$nofifo"
like "NO_COLOR: an explicit --color=always still colours" "$ERR" "$esc"
run "--color=bogus: usage error" 2 -- "$IPCDEMO" --color=bogus fifo demo
like "--color=bogus: names the values" "$ERR" 'auto, always or never'
run "--color=always ls: a command after it" 0 -- "$IPCDEMO" --color=always list
like "--color=always list: lists" "$OUT" '^fifo '
run "--color=always: a usage error" 2 -- "$IPCDEMO" --color=always pipe produce --bogus
like "--color=always: the usage error's prefix in bold red" "$ERR" "^${esc}\\[1;31mipcdemo pipe produce:"
run "--color=always: an unknown word" 2 -- "$IPCDEMO" --color=always FIFO
like "--color=always: the dispatcher's error prefix in bold red" "$ERR" "^${esc}\\[1;31mipcdemo:${esc}\\[0m 'FIFO'"
run "--color=always mq demo" 0 -- "$IPCDEMO" --color=always mq demo
like "--color=always mq demo: producers' labels in cyan" "$OUT" "^${esc}\\[36msender 0 \\|${esc}\\[0m "
like "--color=always mq demo: the consumer's label in magenta" "$OUT" "^${esc}\\[35mreceiver \\|${esc}\\[0m "
run "mq demo in a pipe" 0 -- env -u NO_COLOR "$IPCDEMO" mq demo
unlike "mq demo in a pipe: no colour" "$OUT" "$esc"
like "mq demo in a pipe: plain labels" "$OUT" '^receiver \| '
if command -v script >/dev/null 2>&1; then
	# On a terminal: colour by default, none with NO_COLOR or --color=never.
	out=$(env -u NO_COLOR TERM=xterm script -qec "$IPCDEMO mq demo; $IPCDEMO fifo produce --path $nofifo" /dev/null 2>&1)
	like "on a terminal: the labels coloured" "$out" "${esc}\\[35mreceiver \\|"
	like "on a terminal: the error's prefix coloured" "$out" "${esc}\\[1;31mipcdemo fifo produce:"
	out=$(env NO_COLOR=1 TERM=xterm script -qec "$IPCDEMO mq demo; $IPCDEMO fifo produce --path $nofifo" /dev/null 2>&1)
	unlike "on a terminal with NO_COLOR: no colour" "$out" "$esc"
	out=$(env NO_COLOR='' TERM=xterm script -qec "$IPCDEMO fifo produce --path $nofifo" /dev/null 2>&1)
	like "on a terminal with NO_COLOR empty: colour" "$out" "$esc"
	out=$(env -u NO_COLOR TERM=xterm script -qec "$IPCDEMO --color=never fifo produce --path $nofifo" /dev/null 2>&1)
	unlike "on a terminal with --color=never: no colour" "$out" "$esc"
	out=$(env -u NO_COLOR TERM=dumb script -qec "$IPCDEMO fifo produce --path $nofifo" /dev/null 2>&1)
	unlike "on a dumb terminal: no colour" "$out" "$esc"
else
	skip "colour on a terminal" "script(1) not installed"
fi
pages=$LIB_DIR/../../man
like "ipcdemo(1) documents --color" "$(cat "$pages/ipcdemo.1")" '^\.It Fl -color'
like "ipcdemo(1) documents NO_COLOR" "$(cat "$pages/ipcdemo.1")" '^\.It Ev NO_COLOR'

# ---- exit status 1: the operation failed ----

run "syscall error: FIFO in a missing directory" 1 -- "$IPCDEMO" fifo produce --path "$T/nodir/x"
is "syscall error: the message names the call, the object and errno" \
	"$ERR" "ipcdemo fifo produce: mkfifo $T/nodir/x: No such file or directory"
is "syscall error: nothing on stdout" "$OUT" ""
run "syscall error on the consumer side" 1 -- "$IPCDEMO" fifo consume --path "$T/nodir/x" --timeout 1s
like "consumer syscall error: names the object and errno" \
	"$ERR" "^ipcdemo fifo consume: mkfifo $T/nodir/x: No such file or directory$"

done_testing
