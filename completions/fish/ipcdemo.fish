# fish completion for ipcdemo.
#
# The candidates come from the binary itself, so this file never repeats the
# lists of mechanisms, verbs or options:
#
#   ipcdemo __complete WORD...
#
# gets the words after "ipcdemo", the last one being the word under the
# cursor (possibly empty), and prints the matching candidates one per line as
# CANDIDATE<TAB>DESCRIPTION (which fish reads as it is), or the single line
# __files__ when a file name is expected.

function __ipcdemo_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    # Ask the very binary being completed when it was typed as a path.
    set -l prog ipcdemo
    if string match -q -- '*/*' $words[1]; and test -x $words[1]
        set prog $words[1]
    end
    set -l out (command $prog __complete $words[2..] "$cur" 2>/dev/null)
    if test (count $out) -eq 1; and test "$out[1]" = __files__
        # "--opt=value": complete the value, keeping "--opt=" in front.
        set -l prefix (string match -r -- '^--[^=]*=' $cur)
        set -l value (string replace -r -- '^--[^=]*=' '' $cur)
        for path in (__fish_complete_path $value)
            printf '%s%s\n' "$prefix" $path
        end
        return
    end
    printf '%s\n' $out
end

complete -c ipcdemo -f -a '(__ipcdemo_complete)'
