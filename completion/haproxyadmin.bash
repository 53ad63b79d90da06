# bash completion for haproxyadmin -*- shell-script -*-
#
# Objects, verbs and options come from the program's own --help (so they
# follow the program); names (backends, servers, frontends, ACL and map
# files, fleets) are asked of the fleet the command line names, with a short
# deadline, and cached a few seconds (HAPROXYADMIN_COMPLETE_TTL, default 10)
# in ${XDG_CACHE_HOME:-~/.cache}/haproxyadmin.

# _haproxyadmin_run KEY CMD...: CMD's output, cached under KEY.
_haproxyadmin_run()
{
	local key=$1 dir f age
	shift
	dir=${XDG_CACHE_HOME:-$HOME/.cache}/haproxyadmin
	f=$dir/complete-$(printf '%s' "$key" | cksum | cut -d' ' -f1)
	if [[ -f $f ]]; then
		age=$(($(date +%s) - $(stat -c %Y "$f" 2>/dev/null || echo 0)))
		if ((age >= 0 && age < ${HAPROXYADMIN_COMPLETE_TTL:-10})); then
			cat "$f"
			return
		fi
	fi
	mkdir -p "$dir" 2>/dev/null && chmod 700 "$dir" 2>/dev/null
	if "$@" >"$f.$$" 2>/dev/null; then
		mv -f "$f.$$" "$f" 2>/dev/null
		cat "$f"
	else
		rm -f "$f.$$"
	fi
}

# _haproxyadmin_names OBJECT [COLUMN]: names of the fleet's objects.
_haproxyadmin_names()
{
	local prog=$1 obj=$2 col=${3:-1}
	shift 3
	# "$@": the -s/-f options of the command line being completed
	_haproxyadmin_run "$prog $* $obj list" \
		"$prog" "$@" -t 0.5 -r 0 --parallel 64 -o csv "$obj" list |
		awk -F, -v c="$col" 'NR > 1 && $c != "" { print $c }' | sort -u
}

_haproxyadmin()
{
	local cur prev prog=${COMP_WORDS[0]} i w obj="" verb="" npos=0 backend=""
	local -a fleet=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=""
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	command -v "$prog" >/dev/null 2>&1 || prog=haproxyadmin

	# the words before the cursor: global options, object, verb, arguments
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -z $obj ]]; then
			case $w in
			-s | --socket | -f | --fleet)
				fleet+=("$w" "${COMP_WORDS[i + 1]}")
				((i++))
				;;
			--socket=* | --fleet=*) fleet+=("$w") ;;
			-o | --output | -t | --timeout | -r | --retries | --parallel | --deadline) ((i++)) ;;
			-*) ;;
			*) obj=$w ;;
			esac
		elif [[ -z $verb ]]; then
			[[ $w == -* ]] || verb=$w
		else
			case $w in
			-b | --backend)
				backend=${COMP_WORDS[i + 1]}
				((i++))
				;;
			-*) ;;
			*) ((npos++)) ;;
			esac
		fi
	done

	case $prev in
	-s | --socket)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-f | --fleet)
		COMPREPLY=($(compgen -W "$("$prog" -o csv fleet list 2>/dev/null |
			awk -F, 'NR > 1 { print $1 }')" -- "$cur"))
		return
		;;
	-o | --output)
		COMPREPLY=($(compgen -W "table json csv prometheus" -- "$cur"))
		return
		;;
	-b | --backend)
		COMPREPLY=($(compgen -W "$(_haproxyadmin_names "$prog" backend 1 "${fleet[@]}")" -- "$cur"))
		return
		;;
	-t | --timeout | -r | --retries | --parallel | --listen | --deadline)
		return
		;;
	esac

	if [[ -z $obj ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$("$prog" --help 2>/dev/null |
				grep -o -- '--\?[a-zA-Z][-a-zA-Z]*' | grep '^-' | sort -u)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$("$prog" --help 2>/dev/null |
				awk '/^objects:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')" \
				-- "$cur"))
		fi
		return
	fi
	if [[ -z $verb ]]; then
		local verbs
		verbs=$("$prog" "$obj" --help 2>/dev/null | awk -v o="$obj" '/^  [^ ]/ && $1 == o && NF >= 2 { print $2 }')
		if [[ -z $verbs || $cur == -* ]]; then
			# an object without verbs: its options
			COMPREPLY=($(compgen -W "$("$prog" "$obj" --help 2>/dev/null | sed -n 1p |
				grep -o -- '--\?[a-zA-Z][-a-zA-Z]*' | grep '^-') --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		fi
		return
	fi

	local usage
	usage=$("$prog" "$obj" "$verb" --help 2>/dev/null | sed '/^$/q')
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(printf '%s\n' "$usage" |
			grep -o -- '--\?[a-zA-Z][-a-zA-Z]*' | grep '^-') --help" -- "$cur"))
		return
	fi
	if ((npos == 0)); then
		case $obj in
		frontend | backend)
			COMPREPLY=($(compgen -W "$(_haproxyadmin_names "$prog" "$obj" 1 "${fleet[@]}")" -- "$cur"))
			;;
		server)
			COMPREPLY=($(compgen -W "$(_haproxyadmin_names "$prog" server 2 "${fleet[@]}")" -- "$cur"))
			;;
		acl | map)
			COMPREPLY=($(compgen -W "$(_haproxyadmin_names "$prog" "$obj" 1 "${fleet[@]}")" -- "$cur"))
			;;
		esac
		[[ -n ${COMPREPLY[*]} ]] && return
	fi
	# later arguments: the keywords of the verb's usage (weight, state, ready...)
	COMPREPLY=($(compgen -W "$(printf '%s\n' "${usage#*"$verb"}" |
		grep -o '[a-z][-a-z]*' | sort -u)" -- "$cur"))
}
complete -F _haproxyadmin haproxyadmin
