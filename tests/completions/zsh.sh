# shellcheck shell=bash
# Zsh completion: completions/zsh/_ipcdemo parses, compinit registers it for
# ipcdemo, and the function, run with stand-ins for the completion
# system's _describe, _files, _directories and compset, offers what the
# binary answers; then a few lines completed for real, in an interactive
# zsh driven through zpty, show the groups as a person sees them.
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
# completion system would get: for each group "describe TAG HEADING
# [IPREFIX]" and then one "name:description" per line (and a note when the
# last names take no space after them), or "files [IPREFIX] [PREFIX]" or
# "directories [IPREFIX] [PREFIX]".
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
_directories() { print -r -- "directories [$IPREFIX] [$PREFIX]" }
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

# names TEXT: the sorted names of the candidate lines (not the headings).
names() { printf '%s\n' "$1" | sed '/^describe /d; /^(/d; s/:.*//' | sort; }

zc 'first word: runs' 0 ''
like 'first word: a group of mechanisms' "$OUT" '^describe mechanisms mechanism \[\]$'
like 'first word: a group of commands' "$OUT" '^describe commands command \[\]$'
is 'first word: the mechanisms, then the commands' "$(sed -n 's/^describe //p' <<<"$OUT")" \
	"$(printf '%s\n' 'mechanisms mechanism []' 'commands command []')"
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
like '--lock VALUE: tagged values of --lock' "$OUT" '^describe values value of --lock \[\]$'
is '--lock VALUE: flock, fcntl, none' "$(names "$OUT")" "$(printf '%s\n' fcntl flock none)"

zc '--lock=f: runs' 0 file produce --lock=f
like '--lock=f: "--lock=" moves to IPREFIX' "$OUT" '^describe values value of --lock \[--lock=\]$'
is '--lock=f: flock, fcntl' "$(names "$OUT")" "$(printf '%s\n' fcntl flock)"

zc '--source VALUE: runs' 0 fifo produce --source ''
is '--source VALUE: uuid, stdin, args, counter' "$(names "$OUT")" \
	"$(printf '%s\n' args counter stdin uuid)"

zc '--path: runs' 0 sysv send --path ''
is '--path: file names' "$OUT" 'files [] []'
zc '--path=al: runs' 0 sysv send --path=al
is '--path=al: file names after "--path="' "$OUT" 'files [--path=] [al]'

# A FIFO's --path: the FIFOs there, in their group, and the directories.
mkdir fifos fifos/sub
mkfifo fifos/one.fifo
: >fifos/plain
zc 'fifo --path fifos/: runs' 0 fifo consume --path fifos/
is 'fifo --path fifos/: existing FIFOs, then directories' "$OUT" \
	"$(printf '%s\n' 'describe objects existing FIFOs []' 'fifos/one.fifo:existing fifo' 'directories [] [fifos/]')"
zc 'fifo --path=fifos/o: runs' 0 fifo consume --path=fifos/o
is 'fifo --path=fifos/o: after "--path="' "$OUT" \
	"$(printf '%s\n' 'describe objects existing FIFOs [--path=]' 'fifos/one.fifo:existing fifo' 'directories [--path=] [fifos/o]')"
zc 'ls: runs' 0 ls ''
is 'ls: directories' "$OUT" 'directories [] []'
if isolated; then
	"$IPCDEMO" mq create --name /zcomp >/dev/null
	zc 'mq receive --name: runs' 0 mq receive --name ''
	is 'mq receive --name: the queue, in a group of its own' "$OUT" \
		"$(printf '%s\n' 'describe objects existing POSIX message queues []' '/zcomp:existing mq')"
	"$IPCDEMO" mq rm --name /zcomp >/dev/null 2>&1
else
	skip 'mq receive --name: the queue' "$ISOLATION_WHY"
fi

# bench's arguments are rows (not verbs), described from the registry.
zc 'bench rows: runs' 0 bench ''
like 'bench rows: a group of rows' "$OUT" '^describe rows benchmark row \[\]$'
unlike 'bench rows: no verbs' "$OUT" '^describe verbs'
is 'bench rows: one group' "$(grep -c '^describe ' <<<"$OUT")" 1
like 'bench rows: bare is the eight bare reference rows' "$OUT" '^bare:all 8 reference rows: '
like 'bench rows: dd is a reference row' "$OUT" '^dd:a reference row: '
like 'bench rows: unix-stream is one row' "$OUT" '^unix-stream:the unix stream row only$'
like 'bench rows: fifo with its summary' "$OUT" '^fifo:named pipe'

# Options: the short ones with "-", none given already.
zc 'list --json -: runs' 0 list --json -
is 'list --json -: --help and -h, tagged options' "$OUT" \
	"$(printf '%s\n' 'describe options option []' '--help:show help' '-h:show help')"
zc 'fifo consume -p: runs' 0 fifo consume -p x -
unlike 'fifo consume -p x -: no -p again' "$OUT" '^(-p|--path):'
like 'fifo consume -p x -: -n' "$OUT" '^-n:'


zc 'zmq --pattern VALUE: runs' 0 zmq consume --pattern ''
is 'zmq --pattern VALUE: pubsub, pushpull, reqrep' "$(names "$OUT")" "$(printf '%s\n' pubsub pushpull reqrep)"
# An endpoint's ':' is quoted for _describe, which splits name:description.
zc 'zmq --endpoint VALUE: runs' 0 zmq consume --endpoint ''
is 'zmq --endpoint VALUE: the schemes' "$(printf '%s\n' "$OUT" | sed '1d; /^(/d' | sort)" "$(printf '%s\n' 'ipc\://' 'tcp\://')"
like 'zmq --endpoint VALUE: no space after a scheme' "$OUT" '^\(no space after the last group\)$'
mkdir zfiles
: >zfiles/one.sock
zc 'zmq --backend=ipc://zfiles/: runs' 0 zmq proxy --backend=ipc://zfiles/
like 'zmq --backend=ipc://zfiles/: "--backend=" moves to IPREFIX' "$OUT" '^describe values value of --backend \[--backend=\]$'
is 'zmq --backend=ipc://zfiles/: the files after ipc://' "$(printf '%s\n' "$OUT" | sed 1d)" 'ipc\://zfiles/one.sock'
unlike 'zmq --backend=ipc://zfiles/: a space after a file' "$OUT" '^\(no space'

# ---- the real completion system, in an interactive zsh (zpty) ----
# widget LINE: type LINE and TAB in an interactive zsh with compinit and a
# heading for each group ("-- %d --"); what the terminal shows, without
# its escape sequences, in $OUT.
cat >widget.zsh <<'EOF'
zmodload zsh/zpty || exit 2
zpty -b z zsh -f -i
zpty -w z "PS1='> '; fpath=(\$COMPLETIONS_DIR/zsh \$fpath); autoload -Uz compinit; compinit -u -D; zstyle ':completion:*' format '-- %d --'; zstyle ':completion:*' group-name ''; LISTMAX=1000; print RE''ADY"
# until_out WORD: what the shell writes until it has printed WORD (20 s at most).
until_out() {
  local line out= end=$(( SECONDS + 20 ))
  while (( SECONDS < end )); do
    if zpty -r -t z line; then
      out+=$line
      [[ $out == *$1$'\r'* ]] && break
    else
      sleep 0.05
    fi
  done
  REPLY=$out
}
until_out READY
zpty -w -n z "$1"$'\t'
sleep 0.5
zpty -w z $'\C-e\C-uprint DO\'\'NE'
until_out DONE
print -r -- "$REPLY"
zpty -d z
EOF
widget() {
	run "widget '$1': runs" 0 -- "$ZSH" -f widget.zsh "$1"
	OUT=$(printf '%s\n' "$OUT" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\r//g')
}
if "$ZSH" -fc 'zmodload zsh/zpty' 2>/dev/null; then
	widget 'ipcdemo '
	like 'widget, first word: the heading of the mechanisms' "$OUT" '^-- mechanism --$'
	like 'widget, first word: the heading of the commands' "$OUT" '^-- command --$'
	widget 'ipcdemo bench '
	like 'widget, bench: the rows under their heading' "$OUT" '^-- benchmark row --$'
	unlike 'widget, bench: no heading "verb"' "$OUT" '-- verb --'
	like 'widget, bench: dd is a reference row' "$OUT" '^dd +-- a reference row'
	widget 'ipcdemo fifo consume --path fifos/'
	like 'widget, fifo --path: the FIFO under its heading' "$OUT" '^-- existing FIFOs --$'
	like 'widget, fifo --path: the FIFO' "$OUT" '^fifos/one\.fifo +-- existing fifo'
	like 'widget, fifo --path: the directory, under its heading' "$OUT" '^-- directory --$'
	like 'widget, fifo --path: the directory' "$OUT" '^sub/'
	unlike 'widget, fifo --path: no other file' "$OUT" 'plain'
	widget 'ipcdemo list --json --'
	like 'widget, list --json --: --help alone is inserted' "$OUT" 'ipcdemo list --json --help'
else
	skip 'widget: the real completion system' 'zsh has no zpty module'
fi

zc 'help f: runs' 0 help f
like 'help f: mechanisms' "$OUT" '^describe mechanisms mechanism \[\]$'
unlike 'help f: no group of arguments' "$OUT" '^describe arguments'
is 'help f: the mechanisms starting with f' "$(names "$OUT")" "$(printf '%s\n' "$MECHS" | grep '^f')"

zc 'unknown mechanism: no candidates' 1 nosuch ''
is 'unknown mechanism: nothing offered' "$OUT" ''
zc 'unknown verb: no candidates' 1 fifo nosuch --
is 'unknown verb: nothing offered' "$OUT" ''

done_testing
