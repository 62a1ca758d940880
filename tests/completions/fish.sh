# shellcheck shell=bash
# Fish completion: load completions/fish/ipcdemo.fish and ask fish itself
# with `complete -C "COMMAND LINE"`; fish prints CANDIDATE<TAB>DESCRIPTION.
# The expected names come from the binary (ipcdemo list --json).
# Needs IPCDEMO, COMPLETIONS_DIR and optionally FISH (the fish to use).
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

: "${COMPLETIONS_DIR:?set COMPLETIONS_DIR to the completions directory}"
: "${FISH:=fish}"
SCRIPT=$COMPLETIONS_DIR/fish/ipcdemo.fish
PATH=$(dirname "$IPCDEMO"):$PATH
export LC_ALL=C
# Keep fish away from the user's files.
export HOME=$T XDG_CONFIG_HOME=$T/xdg/config XDG_DATA_HOME=$T/xdg/data XDG_CACHE_HOME=$T/xdg/cache
TAB=$(printf '\t')

FISH_CMD=("$FISH")
if "$FISH" --no-config -c true >/dev/null 2>&1; then
	FISH_CMD+=(--no-config)
fi

run 'fish -n accepts ipcdemo.fish' 0 -- "${FISH_CMD[@]}" -n "$SCRIPT"

# fc NAME LINE: the completions of LINE, fish's sorted output, in $OUT.
# The script is sourced; it is run in the directory "files".
fc() {
	# shellcheck disable=SC2016 # expanded by fish
	run "$1" 0 -- "${FISH_CMD[@]}" -c 'cd $argv[1]; and source $argv[2]; and complete -C $argv[3]' \
		"$T/files" "$SCRIPT" "$2"
}
# names TEXT: the sorted candidates of TEXT without their descriptions.
names() { printf '%s\n' "$1" | sed "/^\$/d; s/$TAB.*//" | sort; }

mkdir files files/alphadir
: >files/alpha.txt
: >files/beta

# The binary's own table, from ipcdemo list --json.
JSON=$("$IPCDEMO" list --json)
MECHS=$(printf '%s\n' "$JSON" | sed -n 's/^{"mechanism":"\([^"]*\)".*/\1/p' | sort)
FIFO_VERBS=$(printf '%s\n' "$JSON" | grep '^{"mechanism":"fifo"' | sed 's/^.*"verbs"://' |
	grep -o '"name":"[^"]*","summary":"[^"]*"' |
	sed "s/^\"name\":\"\\([^\"]*\\)\",\"summary\":\"\\([^\"]*\\)\"\$/\\1$TAB\\2/" | sort)
like 'ipcdemo list --json names fifo' "$MECHS" '^fifo$'
like 'ipcdemo list --json has fifo produce' "$FIFO_VERBS" "^produce$TAB"

fc 'first word: runs' 'ipcdemo '
is 'first word: the mechanisms and the commands' "$(names "$OUT")" \
	"$(printf '%s\n' "$MECHS" list help ls clean bench | sort)"
like 'first word: fifo with its description' "$OUT" "^fifo${TAB}named pipe"
is 'first word: no error' "$ERR" ''
fc 'first word "fi": runs' 'ipcdemo fi'
is 'first word "fi": the mechanisms starting with fi' "$(names "$OUT")" \
	"$(printf '%s\n' "$MECHS" | grep '^fi')"

fc 'verbs of fifo: runs' 'ipcdemo fifo '
is 'verbs of fifo: with the summaries of ipcdemo list --json' "$(printf '%s\n' "$OUT" | sort)" "$FIFO_VERBS"
like 'verbs of fifo: produce' "$OUT" "^produce${TAB}write messages"

fc 'options of fifo produce: runs' 'ipcdemo fifo produce --'
like 'options of fifo produce: --path with its description' "$OUT" "^--path${TAB}."
like 'options of fifo produce: --help' "$OUT" "^--help${TAB}"
unlike 'options of fifo produce: all start with --' "$OUT" '^([^-]|-[^-])'
fc 'no option before "-": runs' 'ipcdemo fifo produce '
is 'no option before "-", and no file names either' "$OUT" ''
fc 'no file names as messages: runs' 'ipcdemo fifo produce al'
is 'no file names as messages' "$OUT" ''

fc '--lock VALUE: runs' 'ipcdemo file produce --lock '
is '--lock VALUE: flock, fcntl, none' "$(names "$OUT")" "$(printf '%s\n' fcntl flock none)"
fc '--lock=: runs' 'ipcdemo file produce --lock='
is '--lock=: --lock=flock, --lock=fcntl, --lock=none' "$(names "$OUT")" \
	"$(printf '%s\n' --lock=fcntl --lock=flock --lock=none)"
fc '--lock=fl: runs' 'ipcdemo file produce --lock=fl'
is '--lock=fl: --lock=flock' "$(names "$OUT")" '--lock=flock'
fc '--source VALUE: runs' 'ipcdemo fifo produce --source '
is '--source VALUE: uuid, stdin, args, counter' "$(names "$OUT")" \
	"$(printf '%s\n' args counter stdin uuid)"

fc 'zmq --pattern VALUE: runs' 'ipcdemo zmq consume --pattern '
is 'zmq --pattern VALUE: pubsub, pushpull, reqrep' "$(names "$OUT")" "$(printf '%s\n' pubsub pushpull reqrep)"
fc 'zmq --endpoint VALUE: runs' 'ipcdemo zmq consume --endpoint '
is 'zmq --endpoint VALUE: the schemes' "$(names "$OUT")" "$(printf '%s\n' ipc:// tcp://)"
fc 'zmq --endpoint ipc://al: runs' 'ipcdemo zmq consume --endpoint ipc://al'
is 'zmq --endpoint ipc://al: the files after ipc://' "$(names "$OUT")" "$(printf '%s\n' ipc://alpha.txt ipc://alphadir/)"
fc 'zmq --frontend=ipc://b: runs' 'ipcdemo zmq proxy --frontend=ipc://b'
is 'zmq --frontend=ipc://b: after --frontend=' "$(names "$OUT")" '--frontend=ipc://beta'
# sysv's --path is the ftok file: any file.
fc '--path al: runs' 'ipcdemo sysv send --path al'
is '--path al: file names' "$(names "$OUT")" "$(printf '%s\n' alpha.txt alphadir/)"
fc '--path=al: runs' 'ipcdemo sysv send --path=al'
is '--path=al: file names after --path=' "$(names "$OUT")" \
	"$(printf '%s\n' --path=alpha.txt --path=alphadir/)"
fc '-p b: runs' 'ipcdemo sysv receive -p b'
is '-p b: file names' "$(names "$OUT")" 'beta'

# A FIFO's --path: the FIFOs there and the directories, no other file.
mkfifo files/one.fifo
fc 'fifo --path: runs' 'ipcdemo fifo consume --path '
is 'fifo --path: the FIFO and the directory' "$(names "$OUT")" "$(printf '%s\n' alphadir/ one.fifo)"
like 'fifo --path: the FIFO is labelled as one' "$OUT" "^one\\.fifo${TAB}existing fifo\$"
fc 'fifo --path=o: runs' 'ipcdemo fifo produce --path=o'
is 'fifo --path=o: after --path=' "$(names "$OUT")" '--path=one.fifo'
fc 'ls: runs' 'ipcdemo ls '
is 'ls: the directories only' "$(names "$OUT")" 'alphadir/'
fc 'clean --json al: runs' 'ipcdemo clean --json al'
is 'clean --json al: the directory' "$(names "$OUT")" 'alphadir/'
rm files/one.fifo
if isolated; then
	"$IPCDEMO" mq create --name /fcomp >/dev/null
	fc 'mq receive --name: runs' 'ipcdemo mq receive --name '
	is 'mq receive --name: the queue, labelled' "$OUT" "/fcomp${TAB}existing mq"
	"$IPCDEMO" mq rm --name /fcomp >/dev/null 2>&1
else
	skip 'mq receive --name: the queue' "$ISOLATION_WHY"
fi

# Options given already, repeatable ones, short ones.
fc 'list --json: runs' 'ipcdemo list --json '
is 'list --json: --json is not offered again' "$OUT" ''
fc 'fifo consume -j -: runs' 'ipcdemo fifo consume -j -'
unlike 'fifo consume -j -: no -j nor --json again' "$(names "$OUT")" '^(-j|--json)$'
like 'fifo consume -j -: -p with its description' "$OUT" "^-p${TAB}the FIFO"
like 'fifo consume -j -: --path' "$OUT" "^--path${TAB}"
fc 'zmq consume --topic: runs' 'ipcdemo zmq consume --topic a --to'
is 'zmq consume: --topic is repeatable' "$(names "$OUT")" '--topic'
fc 'zmq produce --topic: runs' 'ipcdemo zmq produce --topic a --to'
is 'zmq produce: one --topic only' "$OUT" ''

# bench's words, described from the registry.
fc 'bench: runs' 'ipcdemo bench '
like 'bench: bare is the eight bare reference rows' "$OUT" "^bare${TAB}all 8 reference rows: "
like 'bench: bare-tcp, one reference row' "$OUT" "^bare-tcp${TAB}the bare tcp row only\$"
like 'bench: dd is a reference row' "$OUT" "^dd${TAB}a reference row: "
like 'bench: fifo with its summary' "$OUT" "^fifo${TAB}named pipe"
like 'bench: unix-stream, one row' "$OUT" "^unix-stream${TAB}the unix stream row only\$"
unlike 'bench: no "measure this mechanism"' "$OUT" 'measure this'

fc 'help f: runs' 'ipcdemo help f'
is 'help f: the mechanisms starting with f' "$(names "$OUT")" "$(printf '%s\n' "$MECHS" | grep '^f')"
fc 'unknown mechanism: runs' 'ipcdemo nosuch '
is 'unknown mechanism: nothing' "$OUT" ''
fc 'unknown verb: runs' 'ipcdemo fifo nosuch --'
is 'unknown verb: nothing' "$OUT" ''

# Installed in a completions directory, fish finds the file by its name.
# shellcheck disable=SC2016 # expanded by fish
run 'autoloaded from fish_complete_path: runs' 0 -- "${FISH_CMD[@]}" -c \
	'set fish_complete_path $argv[1] $fish_complete_path; complete -C "ipcdemo fifo "' \
	"$COMPLETIONS_DIR/fish"
is 'autoloaded from fish_complete_path: the verbs of fifo' "$(printf '%s\n' "$OUT" | sort)" "$FIFO_VERBS"

done_testing
