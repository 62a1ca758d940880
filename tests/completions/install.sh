# shellcheck shell=bash
# Where `meson install` puts the completions, and whether each shell finds
# them there as it is set up by default: the build is installed with
# --destdir into a directory of the test, and each shell's own default
# search path (bash-completion's, zsh's fpath, fish's fish_complete_path)
# is looked up under that directory. Where fish does not look (the prefix
# /usr/local), what README.md (Install) says to set must work.
# Needs IPCDEMO, MESON, BUILD_ROOT, SOURCE_ROOT, PREFIX and the three
# directories BASH_COMP_DIR, ZSH_COMP_DIR, FISH_COMP_DIR; ZSH and FISH
# optionally.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

: "${MESON:?}" "${BUILD_ROOT:?}" "${SOURCE_ROOT:?}" "${PREFIX:?}"
: "${BASH_COMP_DIR:?}" "${ZSH_COMP_DIR:?}" "${FISH_COMP_DIR:?}"
export LC_ALL=C
# Keep the shells away from the user's files.
export HOME=$T XDG_CONFIG_HOME=$T/xdg/config XDG_DATA_HOME=$T/xdg/data XDG_CACHE_HOME=$T/xdg/cache
unset XDG_DATA_DIRS BASH_COMPLETION_USER_DIR
D=$T/dest

run 'meson install --destdir' 0 -- "$MESON" install --no-rebuild --quiet -C "$BUILD_ROOT" --destdir "$D"
ok 'bash: the script is installed' test -f "$D$BASH_COMP_DIR/ipcdemo"
ok 'zsh: the script is installed' test -f "$D$ZSH_COMP_DIR/_ipcdemo"
ok 'fish: the script is installed' test -f "$D$FISH_COMP_DIR/ipcdemo.fish"
ok 'the binary is installed' test -x "$D$PREFIX/bin/ipcdemo"
PATH=$D$PREFIX/bin:$PATH

# bash: bash-completion's loader, with its default data directories
# (XDG_DATA_DIRS unset: /usr/local/share and /usr/share) under $D.
BC=/usr/share/bash-completion/bash_completion
if [ -r "$BC" ]; then
	# shellcheck disable=SC2016 # expanded by that bash
	run 'bash: bash-completion loads it from its default directories' 0 -- bash -c '
		. "$1"
		dirs=
		for d in /usr/local/share /usr/share; do dirs+=${dirs:+:}$2$d; done
		XDG_DATA_DIRS=$dirs __load_completion ipcdemo && complete -p ipcdemo' bash "$BC" "$D"
	like 'bash: ipcdemo is completed by _ipcdemo' "$OUT" '-F _ipcdemo ipcdemo$'
else
	skip 'bash: bash-completion loads it' "$BC not installed"
fi

# zsh: its default fpath under $D.
: "${ZSH:=zsh}"
if command -v "$ZSH" >/dev/null 2>&1; then
	# shellcheck disable=SC2016 # expanded by zsh
	run 'zsh: compinit finds it in the default fpath' 0 -- "$ZSH" -f -c \
		'fpath=($1${^fpath} $fpath); autoload -Uz compinit; compinit -u -D; print -r -- $_comps[ipcdemo]' zsh "$D"
	is 'zsh: ipcdemo is completed by _ipcdemo' "$OUT" '_ipcdemo'
else
	skip 'zsh: compinit finds it' 'zsh not installed'
fi

# fish: its default fish_complete_path (XDG_DATA_DIRS unset).
: "${FISH:=fish}"
if command -v "$FISH" >/dev/null 2>&1; then
	# shellcheck disable=SC2016 # expanded by fish
	run 'fish: its default fish_complete_path' 0 -- "$FISH" -c 'string join \n -- $fish_complete_path'
	FISH_PATH=$OUT
	if grep -Fxq -- "$FISH_COMP_DIR" <<<"$FISH_PATH"; then
		# shellcheck disable=SC2016 # expanded by fish
		run 'fish: found where fish looks' 0 -- "$FISH" -c \
			'set fish_complete_path $argv[1]$fish_complete_path; complete -C "ipcdemo fifo "' "$D"
		like 'fish: the verbs of fifo' "$OUT" "^produce$(printf '\t')"
	else
		# The line README.md gives for this directory, run as a
		# config.fish would, finds the script.
		line=$(grep -F -- "set -p fish_complete_path $FISH_COMP_DIR" "$SOURCE_ROOT/README.md" | head -n 1)
		like "fish: README.md says what to set for $FISH_COMP_DIR" "$line" 'fish_complete_path'
		# shellcheck disable=SC2016 # expanded by fish
		run 'fish: what README.md says, under the destdir' 0 -- "$FISH" -c \
			'set -p fish_complete_path $argv[1]$argv[2]; complete -C "ipcdemo fifo "' "$D" "$FISH_COMP_DIR"
		like 'fish: then the verbs of fifo' "$OUT" "^produce$(printf '\t')"
	fi
else
	skip 'fish: found' 'fish not installed'
fi

done_testing
