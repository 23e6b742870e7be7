# bash completion for kvmlint.  Installed by `cmake --install` as
# share/bash-completion/completions/kvmlint, where bash-completion loads it
# on first use; or source it from ~/.bashrc.
#
# Commands and options mirror src/cli/cli.c (tests/unit/test_config.c
# checks that every option of the command table is here); rule ids come
# from `kvmlint rules` itself, so they are always those of the binary.

_kvmlint_rules()
{
    "${1:-kvmlint}" rules 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_kvmlint()
{
    local cur prev cmd i
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}

    # the command is the first word that is not an option
    cmd=
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -*) ;;
            *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done

    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "check config explain fix help rules version --help --version" -- "$cur"))
        return
    fi

    # values of options that take one
    case $prev in
        --host|--config|--baseline|--schema-dir)
            [[ $prev == --schema-dir ]] && COMPREPLY=($(compgen -d -- "$cur")) \
                || COMPREPLY=($(compgen -f -X '!*.xml' -- "$cur") $(compgen -d -- "$cur"))
            return ;;
        -o|--output|--write-baseline)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        -f|--format)
            if [[ $cmd == rules ]]; then
                COMPREPLY=($(compgen -W "text json" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "text json sarif github gitlab junit checkstyle xml xslt:" -- "$cur"))
                [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == xslt: ]] && compopt -o nospace 2>/dev/null
            fi
            return ;;
        --fail-on)
            COMPREPLY=($(compgen -W "error warning info none" -- "$cur"))
            return ;;
        --color)
            COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
            return ;;
        --select|--ignore)
            # a comma-separated list: complete its last item
            local done_items=${cur%"${cur##*,}"}
            COMPREPLY=($(compgen -P "$done_items" -W "$(_kvmlint_rules "${COMP_WORDS[0]}")" \
                -- "${cur##*,}"))
            return ;;
        --cpu-overcommit-ratio|--host-reserve|--large-vm-memory|--very-large-vm-memory|--tap-queue-limit|--housekeeping-cpus|--reserve-cpus)
            return ;;
        --strategy)
            COMPREPLY=($(compgen -W "spread pack" -- "$cur"))
            return ;;
        --thread-policy)
            COMPREPLY=($(compgen -W "prefer isolate require" -- "$cur"))
            return ;;
        --emulator-policy)
            COMPREPLY=($(compgen -W "share isolate" -- "$cur"))
            return ;;
    esac

    case $cmd in
        check)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--host --format --output --fail-on --color
                    --cpu-overcommit-ratio --host-reserve --large-vm-memory
                    --very-large-vm-memory --tap-queue-limit --housekeeping-cpus
                    --reserve-cpus --strategy --thread-policy --emulator-policy
                    --explain-placement --validate --schema-dir
                    --config --no-config --no-suppressions --baseline --write-baseline
                    --verbose --help -f -o -v -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -f -X '!*.xml' -- "$cur") $(compgen -d -- "$cur"))
            fi ;;
        fix)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--host --unsafe-fixes --diff --in-place --output
                    --select --ignore --fail-on --config --no-config --housekeeping-cpus
                    --reserve-cpus --strategy --thread-policy --emulator-policy
                    --verbose --help -o -v -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -f -X '!*.xml' -- "$cur") $(compgen -d -- "$cur"))
            fi ;;
        config)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--show --config --no-config --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur") $(compgen -d -- "$cur"))
            fi ;;
        rules)
            COMPREPLY=($(compgen -W "--format --help -f -h" -- "$cur")) ;;
        explain)
            [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--help -h" -- "$cur")) \
                || COMPREPLY=($(compgen -W "$(_kvmlint_rules "${COMP_WORDS[0]}")" -- "$cur")) ;;
        help)
            COMPREPLY=($(compgen -W "check config explain fix help rules version" -- "$cur")) ;;
    esac
}

complete -F _kvmlint kvmlint
