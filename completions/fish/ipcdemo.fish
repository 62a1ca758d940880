# fish completion for ipcdemo.
#
# The candidates come from the binary itself, so this file never repeats the
# lists of mechanisms, verbs, options or objects:
#
#   ipcdemo __complete WORD...
#
# gets the words after "ipcdemo", the last one being the word under the
# cursor (possibly empty), and prints the matching candidates one per line as
# CANDIDATE<TAB>DESCRIPTION (which fish reads as it is); a line __files__
# (or __dirs__) asks for file (or directory) names besides them.

function __ipcdemo_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    # Ask the very binary being completed when it was typed as a path.
    set -l prog ipcdemo
    if string match -q -- '*/*' $words[1]; and test -x $words[1]
        set prog $words[1]
    end
    set -l paths
    for line in (command $prog __complete $words[2..] "$cur" 2>/dev/null)
        switch $line
            case __files__
                set paths files
            case __dirs__
                test -n "$paths"; or set paths dirs
            case '__group__*'
            case '*'
                printf '%s\n' $line
        end
    end
    test -n "$paths"; or return
    # "--opt=value": complete the value, keeping "--opt=" in front.
    set -l prefix (string match -r -- '^--[^=]*=' $cur)
    set -l value (string replace -r -- '^--[^=]*=' '' $cur)
    if test $paths = files
        for path in (__fish_complete_path $value)
            printf '%s%s\n' "$prefix" $path
        end
    else
        for path in (__fish_complete_directories $value)
            printf '%s%s\n' "$prefix" $path
        end
    end
end

complete -c ipcdemo -f -a '(__ipcdemo_complete)'
