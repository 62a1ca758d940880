# shellcheck shell=bash
# Zsh completion: completions/zsh/_ipcdemo parses, compinit registers it for
# ipcdemo, and the function, run with stand-ins for the completion
# system's _describe, _files and compset, offers what the binary answers.
# (Real widget output needs zpty, which is not reliable enough for a test.)
# Needs IPCDEMO, COMPLETIONS_DIR and optionally ZSH (the zsh to use).
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

: "${COMPLETIONS_DIR:?set COMPLETIONS_DIR to the completions directory}"
: "${ZSH:=zsh}"
SCRIPT=$COMPLETIONS_DIR/zsh/_ipcdemo
PATH=$(dirname "$IPCDEMO"):$PATH
export LC_ALL=C COMPLETIONS_DIR
# Keep zsh away from the user's files.
export HOME=$T ZDOTDIR=$T

run 'zsh -n accepts _ipcdemo' 0 -- "$ZSH" -n "$SCRIPT"
like '_ipcdemo starts with #compdef ipcdemo' "$(head -n 1 "$SCRIPT")" '^#compdef ipcdemo$'

# shellcheck disable=SC2016 # expanded by zsh
run 'compinit loads the directory' 0 -- "$ZSH" -f -c \
	'fpath=("$COMPLETIONS_DIR/zsh" $fpath); autoload -Uz compinit; compinit -u -D; print -r -- $_comps[ipcdemo]'
is 'compinit: ipcdemo is completed by _ipcdemo' "$OUT" '_ipcdemo'
is 'compinit: no error' "$ERR" ''

# drive.zsh WORD...: run _ipcdemo for the command line "ipcdemo WORD...", the
# last word being the one under the cursor.  The stand-ins print what the
# completion system would get: "describe TAG WHAT IPREFIX" and then one
# "name:description" per line (and a note when the last names take no
# space after them), or "files IPREFIX PREFIX".
cat >drive.zsh <<'EOF'
fpath=("$COMPLETIONS_DIR/zsh" $fpath)
autoload -Uz _ipcdemo
compset() {
  [[ $1 == -P && $3 == '*=' && $PREFIX == *=* ]] || return 1
  IPREFIX+=${PREFIX%%=*}=
  PREFIX=${PREFIX#*=}
}
_describe() {
  print -r -- "describe $3 $4 [$IPREFIX]"
  local a
  for a in "${(@)argv[5,-1]}"; do
    [[ ${parameters[$a]-} == array* ]] && (( ${(P)#a} )) && print -rl -- "${(@P)a}"
  done
  (( ${argv[(I)-S]} )) && print -r -- "(no space after the last group)"
  return 0
}
_files() { print -r -- "files [$IPREFIX] [$PREFIX]" }
words=(ipcdemo "$@")
CURRENT=$#words
PREFIX=$words[-1]
IPREFIX=
_ipcdemo
EOF

# zc NAME WANT_STATUS WORD...: complete "ipcdemo WORD..." ($OUT, $ERR).
zc() {
	local name=$1 want=$2
	shift 2
	run "$name" "$want" -- "$ZSH" -f drive.zsh "$@"
}

# The binary's own table, from ipcdemo list --json.
JSON=$("$IPCDEMO" list --json)
MECHS=$(printf '%s\n' "$JSON" | sed -n 's/^{"mechanism":"\([^"]*\)".*/\1/p' | sort)
FIFO_VERBS=$(printf '%s\n' "$JSON" | grep '^{"mechanism":"fifo"' | sed 's/^.*"verbs"://' |
	grep -o '"name":"[^"]*","summary":"[^"]*"' |
	sed 's/^"name":"\([^"]*\)","summary":"\([^"]*\)"$/\1:\2/')
like 'ipcdemo list --json names fifo' "$MECHS" '^fifo$'
like 'ipcdemo list --json has fifo produce' "$FIFO_VERBS" '^produce:'

# names TEXT: the sorted names of the candidate lines (after the first line).
names() { printf '%s\n' "$1" | sed '1d; s/:.*//' | sort; }

zc 'first word: runs' 0 ''
like 'first word: mechanisms or commands' "$OUT" '^describe commands mechanism or command \[\]$'
is 'first word: the mechanisms and the commands' "$(names "$OUT")" \
	"$(printf '%s\n' "$MECHS" list help ls clean bench | sort)"
like 'first word: fifo with its description' "$OUT" '^fifo:named pipe'
is 'first word: no error' "$ERR" ''

zc 'verbs of fifo: runs' 0 fifo ''
like 'verbs of fifo: tagged verbs' "$OUT" '^describe verbs verb \[\]$'
is 'verbs of fifo: name:summary as ipcdemo list --json has them' \
	"$(printf '%s\n' "$OUT" | sed 1d)" "$FIFO_VERBS"

zc 'options of fifo produce: runs' 0 fifo produce --
like 'options of fifo produce: tagged options' "$OUT" '^describe options option \[\]$'
like 'options of fifo produce: --path with its description' "$OUT" '^--path:.'
unlike 'options of fifo produce: all start with --' "$(printf '%s\n' "$OUT" | sed 1d)" '^([^-]|-[^-])'

zc '--lock VALUE: runs' 0 file produce --lock ''
like '--lock VALUE: tagged values' "$OUT" '^describe values value \[\]$'
is '--lock VALUE: flock, fcntl, none' "$(names "$OUT")" "$(printf '%s\n' fcntl flock none)"

zc '--lock=f: runs' 0 file produce --lock=f
like '--lock=f: "--lock=" moves to IPREFIX' "$OUT" '^describe values value \[--lock=\]$'
is '--lock=f: flock, fcntl' "$(names "$OUT")" "$(printf '%s\n' fcntl flock)"

zc '--source VALUE: runs' 0 fifo produce --source ''
is '--source VALUE: uuid, stdin, args, counter' "$(names "$OUT")" \
	"$(printf '%s\n' args counter stdin uuid)"

zc '--path: runs' 0 fifo produce --path ''
is '--path: file names' "$OUT" 'files [] []'
zc '--path=al: runs' 0 fifo produce --path=al
is '--path=al: file names after "--path="' "$OUT" 'files [--path=] [al]'

zc 'zmq --pattern VALUE: runs' 0 zmq consume --pattern ''
is 'zmq --pattern VALUE: pubsub, pushpull, reqrep' "$(names "$OUT")" "$(printf '%s\n' pubsub pushpull reqrep)"
# An endpoint's ':' is quoted for _describe, which splits name:description.
zc 'zmq --endpoint VALUE: runs' 0 zmq consume --endpoint ''
is 'zmq --endpoint VALUE: the schemes' "$(printf '%s\n' "$OUT" | sed '1d; /^(/d' | sort)" "$(printf '%s\n' 'ipc\://' 'tcp\://')"
like 'zmq --endpoint VALUE: no space after a scheme' "$OUT" '^\(no space after the last group\)$'
mkdir zfiles
: >zfiles/one.sock
zc 'zmq --backend=ipc://zfiles/: runs' 0 zmq proxy --backend=ipc://zfiles/
like 'zmq --backend=ipc://zfiles/: "--backend=" moves to IPREFIX' "$OUT" '^describe values value \[--backend=\]$'
is 'zmq --backend=ipc://zfiles/: the files after ipc://' "$(printf '%s\n' "$OUT" | sed 1d)" 'ipc\://zfiles/one.sock'
unlike 'zmq --backend=ipc://zfiles/: a space after a file' "$OUT" '^\(no space'

zc 'help f: runs' 0 help f
like 'help f: mechanisms' "$OUT" '^describe mechanisms mechanism \[\]$'
is 'help f: the mechanisms starting with f' "$(names "$OUT")" "$(printf '%s\n' "$MECHS" | grep '^f')"

zc 'unknown mechanism: no candidates' 1 nosuch ''
is 'unknown mechanism: nothing offered' "$OUT" ''
zc 'unknown verb: no candidates' 1 fifo nosuch --
is 'unknown verb: nothing offered' "$OUT" ''

done_testing
