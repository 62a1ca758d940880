# shellcheck shell=bash
# Bash completion: source completions/bash/ipcdemo, set COMP_WORDS,
# COMP_CWORD, COMP_LINE and COMP_POINT as bash does, call _ipcdemo and check
# COMPREPLY.  The expected names come from the binary (ipcdemo list --json).
# Needs IPCDEMO (the binary) and COMPLETIONS_DIR (the source's completions/).
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

: "${COMPLETIONS_DIR:?set COMPLETIONS_DIR to the completions directory}"
SCRIPT=$COMPLETIONS_DIR/bash/ipcdemo
BINDIR=$(dirname "$IPCDEMO")
PATH=$BINDIR:$PATH
export LC_ALL=C

if command -v shellcheck >/dev/null 2>&1; then
	run 'shellcheck -s bash accepts the script' 0 -- shellcheck -s bash "$SCRIPT"
else
	skip 'shellcheck -s bash accepts the script' 'shellcheck not installed'
fi

# shellcheck source=/dev/null
. "$SCRIPT"
# defined NAME: NAME is a shell function.
defined() { declare -F "$1" >/dev/null; }
ok 'the script defines _ipcdemo' defined _ipcdemo
like 'complete -p ipcdemo names _ipcdemo' "$(complete -p ipcdemo)" '-F _ipcdemo ipcdemo$'

# bash_words STRING: split STRING into the array SPLIT the way bash splits
# COMP_WORDS: at blanks, and "=" is a word of its own when it is in
# COMP_WORDBREAKS, and so is ":" (enough for the lines below, which have no
# quotes nor two breaks in a row).
bash_words() {
	local w c piece i
	local -a raw
	SPLIT=()
	read -ra raw <<<"$1"
	for w in "${raw[@]}"; do
		piece=''
		for ((i = 0; i < ${#w}; i++)); do
			c=${w:i:1}
			if [[ ($c == = || $c == :) && $COMP_WORDBREAKS == *"$c"* ]]; then
				[[ -n $piece ]] && SPLIT+=("$piece")
				SPLIT+=("$c")
				piece=''
			else
				piece+=$c
			fi
		done
		[[ -n $piece ]] && SPLIT+=("$piece")
	done
}

# comp LINE [POINT]: complete LINE with the cursor at POINT (default: the end
# of LINE; otherwise inside a word) and put the sorted candidates, one per
# line, in $GOT.
comp() {
	local line=$1 point=${2:-${#1}}
	COMP_LINE=$line
	COMP_POINT=$point
	bash_words "$line"
	COMP_WORDS=("${SPLIT[@]}")
	bash_words "${line:0:point}"
	if [[ ${line:0:point} == *[[:space:]] ]]; then
		COMP_CWORD=${#SPLIT[@]}
		COMP_WORDS+=("")
	else
		COMP_CWORD=$((${#SPLIT[@]} - 1))
	fi
	COMPREPLY=()
	_ipcdemo ipcdemo "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
	GOT=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort)
}

# without_eq: take "=" out of COMP_WORDBREAKS (with_eq puts it back);
# without_colon: the same for ":".
WB=$COMP_WORDBREAKS
without_eq() { COMP_WORDBREAKS=${WB//=/}; }
with_eq() { COMP_WORDBREAKS=$WB; }
without_colon() { COMP_WORDBREAKS=${WB//:/}; }

# sorted LINES...: the arguments sorted, one per line.
sorted() { printf '%s\n' "$@" | sed '/^$/d' | sort; }

# Expected values from the binary's own table.
JSON=$("$IPCDEMO" list --json)
mapfile -t MECHS < <(printf '%s\n' "$JSON" | sed -n 's/^{"mechanism":"\([^"]*\)".*/\1/p')
like 'ipcdemo list --json names fifo' "$(sorted "${MECHS[@]}")" '^fifo$'
FIFO_VERBS=$(printf '%s\n' "$JSON" | grep '^{"mechanism":"fifo"' |
	sed 's/^.*"verbs"://' | grep -o '"name":"[^"]*"' | sed 's/"name":"//; s/"$//' | sort)

# --- the first word ---------------------------------------------------------
comp 'ipcdemo '
is 'first word: the mechanisms and the commands' "$GOT" "$(sorted "${MECHS[@]}" list help ls clean bench)"
like 'first word: fifo is there' "$GOT" '^fifo$'
comp 'ipcdemo fi'
is 'first word "fi": the mechanisms starting with fi' "$GOT" \
	"$(sorted "${MECHS[@]}" | grep '^fi')"
like 'first word "fi": fifo and file' "$GOT" '^fifo$'
like 'first word "fi": file' "$GOT" '^file$'
comp 'ipcdemo -'
is 'first word "-": --help, --version and --color, long and short' "$GOT" "$(sorted --help --version --color -h -V)"
comp 'ipcdemo --'
is 'first word "--": --help, --version and --color' "$GOT" "$(sorted --help --version --color)"
comp 'ipcdemo --version '
is 'after --version: nothing' "$GOT" ''
comp 'ipcdemo --nosuch '
is 'after an unknown option: nothing' "$GOT" ''
comp 'ipcdemo --color='
is '--color=: its values alone' "$GOT" "$(sorted auto always never)"
comp 'ipcdemo --color=al'
is '--color=al: always' "$GOT" 'always'
comp 'ipcdemo --color=never fi'
is 'after --color=never: the mechanisms starting with fi' "$GOT" \
	"$(sorted "${MECHS[@]}" | grep '^fi')"
comp 'ipcdemo --color=never fifo '
is 'after --color=never fifo: the verbs of fifo' "$GOT" "$FIFO_VERBS"
comp 'ipcdemo fixx produce' 10
is 'cursor inside the first word completes its start only' "$GOT" \
	"$(sorted "${MECHS[@]}" | grep '^fi')"

# --- verbs and options ---------------------------------------------------------
comp 'ipcdemo fifo '
is 'verbs of fifo, as ipcdemo list --json has them' "$GOT" "$FIFO_VERBS"
like 'verbs of fifo: produce' "$GOT" '^produce$'
like 'verbs of fifo: consume' "$GOT" '^consume$'
comp 'ipcdemo fifo produce --'
like 'options of fifo produce: --path' "$GOT" '^--path$'
like 'options of fifo produce: --help' "$GOT" '^--help$'
unlike 'options of fifo produce: all start with --' "$GOT" '^([^-]|-[^-])'
is 'options of fifo produce: no descriptions left' "$(printf '%s\n' "$GOT" | grep -c "$(printf '\t')")" 0
HELP_OPTS=$("$IPCDEMO" fifo produce --help |
	sed -n 's/^ *\(-[[:alnum:]], \)\{0,1\}\(--[[:alnum:]-]*\).*/\2/p' | sort -u)
like 'fifo produce --help lists --path' "$HELP_OPTS" '^--path$'
is 'options of fifo produce: every long option of its --help' \
	"$(comm -23 <(printf '%s\n' "$HELP_OPTS") <(printf '%s\n' "$GOT"))" ''
comp 'ipcdemo fifo produce --pa'
is 'option prefix --pa: --path' "$GOT" '--path'
comp 'ipcdemo fifo produce '
is 'no option is offered before "-" is typed' "$GOT" ''

# --- option values -------------------------------------------------------------
comp 'ipcdemo file produce --lock '
is '--lock VALUE: flock, fcntl, none' "$GOT" "$(sorted flock fcntl none)"
comp 'ipcdemo file produce --lock f'
is '--lock f: flock, fcntl' "$GOT" "$(sorted flock fcntl)"
comp 'ipcdemo file produce --lock='
is '--lock=: the values alone, as readline replaces after "="' "$GOT" "$(sorted flock fcntl none)"
comp 'ipcdemo file produce --lock=fl'
is '--lock=fl: flock' "$GOT" 'flock'
comp 'ipcdemo fifo produce --source '
is '--source VALUE: uuid, stdin, args, counter' "$GOT" "$(sorted uuid stdin args counter)"
comp 'ipcdemo fifo produce --count '
is '--count takes a number: no candidates' "$GOT" ''
without_eq
comp 'ipcdemo file produce --lock=fl'
is 'without "=" in COMP_WORDBREAKS: --lock=fl gives --lock=flock' "$GOT" '--lock=flock'
with_eq

# --- options given already, short options ---------------------------------------
comp 'ipcdemo list --json '
is 'list --json: --json is not offered again' "$GOT" ''
comp 'ipcdemo list --json -'
is 'list --json -: only --help is left' "$GOT" "$(sorted --help -h)"
comp 'ipcdemo fifo consume --json --'
unlike 'fifo consume --json --: no --json again' "$GOT" '^--json$'
like 'fifo consume --json --: --path is there' "$GOT" '^--path$'
comp 'ipcdemo fifo consume -qj -'
unlike 'fifo consume -qj -: no -j nor --json again' "$GOT" '^(-j|--json)$'
unlike 'fifo consume -qj -: no -q nor --quiet again' "$GOT" '^(-q|--quiet)$'
like 'fifo consume -qj -: -n is there' "$GOT" '^-n$'
comp 'ipcdemo fifo consume -p x --'
unlike 'fifo consume -p x --: no --path again' "$GOT" '^--path$'
comp 'ipcdemo fifo consume --path=x -'
unlike 'fifo consume --path=x -: no -p again' "$GOT" '^(-p|--path)$'
comp 'ipcdemo zmq consume --label --json --'
like 'zmq consume --label --json: "--json" was a value, --json is offered' "$GOT" '^--json$'
comp 'ipcdemo fifo consume --help --'
unlike 'fifo consume --help --: no --help again' "$GOT" '^--help$'
comp 'ipcdemo zmq consume --topic a --to'
is 'zmq consume: --topic is repeatable' "$GOT" '--topic'
comp 'ipcdemo zmq consume --topic a --topic=b --to'
is 'zmq consume: --topic, a third time' "$GOT" '--topic'
comp 'ipcdemo zmq produce --topic a --to'
is 'zmq produce: one --topic only' "$GOT" ''
comp 'ipcdemo fifo produce -'
like 'fifo produce -: the short -p' "$GOT" '^-p$'
like 'fifo produce -: the long --path' "$GOT" '^--path$'
like 'fifo produce -: -h' "$GOT" '^-h$'
HELP_SHORT=$("$IPCDEMO" fifo produce --help | sed -n 's/^ *\(-[[:alnum:]]\), .*/\1/p' | sort -u)
like 'fifo produce --help lists -p' "$HELP_SHORT" '^-p$'
is 'fifo produce -: every short option of its --help' \
	"$(comm -23 <(printf '%s\n' "$HELP_SHORT") <(printf '%s\n' "$GOT"))" ''
comp 'ipcdemo fifo produce -p'
is 'fifo produce -p: -p itself' "$GOT" '-p'
comp 'ipcdemo fifo -'
is 'fifo -: --help and -h' "$GOT" "$(sorted --help -h)"

# --- file names ------------------------------------------------------------------
mkdir files files/alphadir
: >files/alpha.txt
: >files/beta
cd files || exit 1
# check_files LABEL: the file-name cases, in the current setup (sysv's
# --path is the ftok file, any file; a FIFO's --path is below).
check_files() {
	comp 'ipcdemo sysv send --path al'
	is "$1: --path al completes file names" "$GOT" "$(sorted alpha.txt alphadir)"
	comp 'ipcdemo sysv send --path '
	is "$1: --path lists the directory" "$GOT" "$(sorted alpha.txt alphadir beta)"
	comp 'ipcdemo sysv send --path=al'
	is "$1: --path=al completes file names" "$GOT" "$(sorted alpha.txt alphadir)"
	comp 'ipcdemo sysv receive -p b'
	is "$1: -p b completes file names" "$GOT" 'beta'
	comp 'ipcdemo fifo produce --lock='
	is "$1: an unknown option has no values" "$GOT" ''
	comp 'ipcdemo ls '
	is "$1: ls DIRECTORY: the directories only" "$GOT" 'alphadir'
	comp 'ipcdemo clean al'
	is "$1: clean al: the directories only" "$GOT" 'alphadir'
	comp 'ipcdemo ls --json '
	is "$1: ls --json DIRECTORY: the directories only" "$GOT" 'alphadir'
	comp 'ipcdemo fifo consume --path '
	is "$1: fifo --path: the directories, no other file" "$GOT" 'alphadir'
}
check_files 'compgen'
# descriptors over Unix sockets: --pass-fd any file, --via its ways
comp 'ipcdemo unix produce --pass-fd al'
is 'unix --pass-fd al: file names' "$GOT" "$(sorted alpha.txt alphadir)"
comp 'ipcdemo socketpair run --via '
is 'socketpair run --via: socket, memfd' "$GOT" "$(sorted socket memfd)"
comp 'ipcdemo unix consume --via m'
is 'unix consume --via m: memfd' "$GOT" 'memfd'
# zmq endpoints: their schemes, and after ipc:// the files
comp 'ipcdemo zmq consume --pattern '
is 'zmq --pattern VALUE: pubsub, pushpull, reqrep' "$GOT" "$(sorted pubsub pushpull reqrep)"
comp 'ipcdemo zmq consume --endpoint '
is 'zmq --endpoint VALUE: the schemes' "$GOT" "$(sorted ipc:// tcp://)"
comp 'ipcdemo zmq proxy --frontend t'
is 'zmq proxy --frontend t: tcp://' "$GOT" 'tcp://'
comp 'ipcdemo zmq consume --endpoint ipc:'
is 'zmq --endpoint ipc: what follows the ":" readline completes' "$GOT" '//'
comp 'ipcdemo zmq consume --endpoint ipc://al'
is 'zmq --endpoint ipc://al: the files, after the ":"' "$GOT" "$(sorted //alpha.txt //alphadir/)"
comp 'ipcdemo zmq proxy --backend=ipc://alphadir/'
is 'zmq --backend=ipc://DIR/: an empty directory' "$GOT" ''
comp 'ipcdemo zmq proxy --backend=ipc://b'
is 'zmq --backend=ipc://b: after "--backend=ipc:"' "$GOT" '//beta'
without_colon
comp 'ipcdemo zmq consume --endpoint ipc://al'
is 'without ":" in COMP_WORDBREAKS: ipc://al gives whole words' "$GOT" "$(sorted ipc://alpha.txt ipc://alphadir/)"
with_eq
without_eq
comp 'ipcdemo sysv send --path=al'
is 'without "=" in COMP_WORDBREAKS: --path=al keeps --path=' "$GOT" \
	"$(sorted --path=alpha.txt --path=alphadir)"
with_eq

cd "$T" || exit 1

# --- existing objects --------------------------------------------------------------
mkdir objs objs/sub
mkfifo objs/one.fifo objs/sub/two.fifo objs/.hidden.fifo
: >objs/plain
comp 'ipcdemo fifo consume --path objs/'
is 'fifo --path objs/: its FIFO and its directory, not a hidden one' "$GOT" "$(sorted objs/one.fifo objs/sub)"
comp 'ipcdemo fifo consume --path objs/.h'
is 'fifo --path objs/.h: the hidden FIFO' "$GOT" 'objs/.hidden.fifo'
comp 'ipcdemo fifo produce -p objs/sub/'
is 'fifo -p objs/sub/: the FIFO in it' "$GOT" 'objs/sub/two.fifo'
comp 'ipcdemo fifo consume --path=objs/o'
is 'fifo --path=objs/o: after "="' "$GOT" 'objs/one.fifo'
without_eq
comp 'ipcdemo fifo consume --path=objs/o'
is 'without "=" in COMP_WORDBREAKS: --path=objs/o keeps --path=' "$GOT" '--path=objs/one.fifo'
with_eq
comp 'ipcdemo sysv send --path objs/'
is 'sysv --path (an ftok file): every file' "$GOT" "$(sorted objs/.hidden.fifo objs/one.fifo objs/plain objs/sub)"
if isolated; then
	"$IPCDEMO" mq create --name /comp-queue >/dev/null
	"$IPCDEMO" shm create --name /comp-ring >/dev/null
	"$IPCDEMO" sysv create --key 0x1234 >/dev/null
	comp 'ipcdemo mq receive --name '
	is 'mq receive --name: the queue that exists' "$GOT" '/comp-queue'
	comp 'ipcdemo mq send --name=/comp'
	is 'mq send --name=/comp: the queue' "$GOT" '/comp-queue'
	comp 'ipcdemo mq info --name comp'
	is 'mq info --name comp: the queue, as typed without its slash' "$GOT" 'comp-queue'
	comp 'ipcdemo shm consume --name '
	is 'shm consume --name: the ring, not the queue' "$GOT" '/comp-ring'
	comp 'ipcdemo sysv receive --key '
	is 'sysv receive --key: the key' "$GOT" '0x00001234'
	comp 'ipcdemo sysv receive -k 0x'
	is 'sysv receive -k 0x: the key' "$GOT" '0x00001234'
	"$IPCDEMO" mq rm --name /comp-queue >/dev/null 2>&1
	"$IPCDEMO" shm rm --name /comp-ring >/dev/null 2>&1
	"$IPCDEMO" sysv rm --key 0x1234 >/dev/null 2>&1
else
	for t in 'mq --name' 'shm --name' 'sysv --key'; do
		skip "$t: the objects that exist" "$ISOLATION_WHY"
	done
fi

# --- help, list, unknown names -------------------------------------------------
comp 'ipcdemo help f'
is 'help f: the mechanisms starting with f' "$GOT" "$(sorted "${MECHS[@]}" | grep '^f')"
like 'help f: fifo' "$GOT" '^fifo$'
comp 'ipcdemo help fifo '
is 'help fifo: nothing more' "$GOT" ''
comp 'ipcdemo list '
is 'list: --json' "$GOT" '--json'
comp 'ipcdemo nosuch '
is 'unknown mechanism: nothing' "$GOT" ''
comp 'ipcdemo nosuch --'
is 'unknown mechanism, option: nothing' "$GOT" ''
comp 'ipcdemo fifo nosuch --'
is 'unknown verb: nothing' "$GOT" ''

# --- the binary typed as a path is the one asked -------------------------------
SAVED_PATH=$PATH
PATH=${PATH#"$BINDIR:"}
if ! command -v ipcdemo >/dev/null 2>&1; then
	comp 'ipcdemo '
	is 'ipcdemo not in PATH: nothing, and no error' "$GOT" ''
else
	skip 'ipcdemo not in PATH: nothing, and no error' 'an ipcdemo is installed in PATH'
fi
COMP_LINE="$IPCDEMO fifo "
COMP_POINT=${#COMP_LINE}
COMP_WORDS=("$IPCDEMO" fifo "")
COMP_CWORD=2
COMPREPLY=()
_ipcdemo "$IPCDEMO" "" fifo
is 'typed as a path: that binary gives the verbs' \
	"$(printf '%s\n' "${COMPREPLY[@]}" | sort)" "$FIFO_VERBS"
PATH=$SAVED_PATH

# --- with bash-completion loaded: file names through _filedir -------------------
BC=/usr/share/bash-completion/bash_completion
if [ -r "$BC" ]; then
	# shellcheck source=/dev/null
	. "$BC"
	# shellcheck source=/dev/null
	. "$SCRIPT"
	ok 'bash-completion provides _filedir' defined _filedir
	cd files || exit 1
	check_files '_filedir'
	cd "$T" || exit 1
	comp 'ipcdemo file produce --lock='
	is '_filedir: --lock= still gives the values' "$GOT" "$(sorted flock fcntl none)"
	comp 'ipcdemo '
	is '_filedir: first word unchanged' "$GOT" "$(sorted "${MECHS[@]}" list help ls clean bench)"
else
	skip 'file names through _filedir' "$BC not installed"
fi

done_testing
