#!/bin/sh
# gen-man.sh BINARY TEMPLATE - write haproxyadmin(1) to stdout.
#
# The one source is the program itself: SYNOPSIS, OPTIONS and COMMANDS are
# taken from `haproxyadmin --help` and `haproxyadmin OBJECT --help` (the
# dispatch tables and their help texts), so a command added to the program
# is in the man page at the next build. TEMPLATE holds the prose around them
# (@SYNOPSIS@, @OPTIONS@, @COMMANDS@, @VERSION@ are replaced).
set -eu
bin=$1
tmpl=$2

# roff-safe text: backslashes, and a leading dot or quote
roff() {
	sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'
}

synopsis() {
	"$bin" --help | awk '/^usage:/ {on = 1; sub(/^usage: haproxyadmin */, ""); print; next}
		on && /^ / {sub(/^ */, ""); print; next} {on = 0}' | roff |
		sed '1s/^/.B haproxyadmin\n/'
}

options() {
	"$bin" --help | awk '
		/^options:/ {on = 1; next}
		on && /^$/ {exit}
		on && /^  +-/ && substr($0, 26, 1) != "" && substr($0, 3, 1) != " " || on && /^      --/ {
			if (text != "") print text
			head = substr($0, 1, 25); text = substr($0, 26)
			sub(/^ +/, "", head); sub(/ +$/, "", head)
			print "\001TP"; print "\001B " head
			next
		}
		on { t = $0; sub(/^ +/, "", t); text = text " " t }
		END { if (text != "") print text }' | roff | sed 's/^\x01/./'
}

commands() {
	"$bin" --help | awk '/^objects:/ {on = 1; next} on && /^$/ {exit} on {print}' |
	while read -r obj summary; do
		echo ".SS $obj"
		echo "$summary" | roff
		case $obj in help | version) continue ;; esac
		"$bin" "$obj" --help 2>&1 | awk -v obj="$obj" '
			/^verbs:/ {verbs = 1; next}
			verbs && /^  [^ ]/ {if (u != "") print "\001TP\n\001B " u; sub(/^ +/, ""); u = $0; next}
			verbs && /^        / && u != "" {sub(/^ +/, ""); u = u " " $0; next}
			verbs && /^      / {if (u != "") print "\001TP\n\001B " u; u = ""; sub(/^ +/, ""); print; next}
			verbs {next}
			/^usage: .* VERB \[ARGS\]$/ {next}
			/^usage: / {sub(/^usage: haproxyadmin /, ""); print "\001TP"; print "\001B " $0; next}
			/^$/ {next}
			{print}' | roff | sed 's/^\x01/./'
	done
}

version=$("$bin" version | awk '{print $2}')
syn=$(synopsis)
opt=$(options)
cmd=$(commands)
awk -v syn="$syn" -v opt="$opt" -v cmd="$cmd" -v ver="$version" '
	{ gsub(/@VERSION@/, ver) }
	/^@SYNOPSIS@$/ { print syn; next }
	/^@OPTIONS@$/ { print opt; next }
	/^@COMMANDS@$/ { print cmd; next }
	{ print }' "$tmpl"
