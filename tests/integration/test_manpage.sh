#!/usr/bin/env bash
# test_manpage.sh - the man pages describe every command the program has.
# haproxyadmin(1) is generated from the program's --help texts at build time;
# this test reads the program's dispatch (--help, OBJECT --help) and fails
# when an object, a verb or an option is missing from the built page, and
# checks the hand-written sections and the other two pages.
set -u
. "$(dirname "$0")/lib.sh"

MAN=${HAP_BUILDDIR:-$HAP_SRCDIR/build}/doc/haproxyadmin.1
MAN3=${HAP_BUILDDIR:-$HAP_SRCDIR/build}/doc/libhaproxyadmin.3
MAN5=$HAP_SRCDIR/doc/haproxyadmin-fleets.5
[ -f "$MAN" ] || bail_out "no $MAN: build first"

# missing BIN MANFILE: every object, verb and long option of BIN that the
# page does not describe, one per line
missing() {
	local bin=$1 page obj
	page=$(sed -e 's/\\-/-/g' -e 's/\\e/\\/g' "$2")
	for obj in $("$bin" --help | awk '/^objects:/ {on = 1; next} on && /^$/ {exit} on {print $1}'); do
		grep -q "^\.SS $obj\$" <<<"$page" || echo "object $obj"
		case $obj in help | version) continue ;; esac
		"$bin" "$obj" --help 2>&1 | awk -v o="$obj" '/^  [^ ]/ && $1 == o && NF >= 2 { print $2 }' |
			while read -r verb; do
				grep -q "^\.B $obj $verb\( \|\$\)" <<<"$page" || echo "verb $obj $verb"
			done
	done
	"$bin" --help | grep -o -- '--[a-z][-a-z]*' | sort -u | while read -r opt; do
		grep -q -- "^\.B .*$opt" <<<"$page" || echo "option $opt"
	done
}

out=$(missing "$HAPROXYADMIN" "$MAN")
is "$out" "" "haproxyadmin(1) describes every object, verb and option of the program"
n=$("$HAPROXYADMIN" --help | awk '/^objects:/ {on = 1; next} on && /^$/ {exit} on {n++} END {print n}')
ok "$([ "$n" -ge 10 ] && echo 0 || echo 1)" "the program lists its objects ($n)"

# the check fails when the program has a command the page lacks
fake=$(mktemp "${TMPDIR:-/tmp}/hap-fake.XXXXXX")
{
	echo '#!/bin/sh'
	echo "real='$HAPROXYADMIN'"
	echo 'if [ "$1" = server ] && [ "${2:-}" = --help ]; then'
	echo '	"$real" "$@"; echo "  server frobnicate NAME"; echo "      new"; exit 0'
	echo 'fi'
	echo 'if [ "$1" = --help ]; then'
	echo '	"$real" --help | sed "s/^  dump /  widget     a new object\n  dump /"; exit 0'
	echo 'fi'
	echo 'exec "$real" "$@"'
} >"$fake"
chmod +x "$fake"
out=$(missing "$fake" "$MAN")
like "$out" "verb server frobnicate" "a verb the page lacks is caught"
like "$out" "object widget" "an object the page lacks is caught"
rm -f "$fake"

# the built page is what the generator makes of this program
regen=$(sh "$HAP_SRCDIR/doc/gen-man.sh" "$HAPROXYADMIN" "$HAP_SRCDIR/doc/haproxyadmin.1.in")
is "$regen" "$(cat "$MAN")" "the built page is the generator's output for this program"

page=$(sed -e 's/\\-/-/g' "$MAN")
for sec in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS RESULTS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	like "$page" $'\n'"\\.SH $sec"$'\n' "section $sec"
done
for v in HAPROXYADMIN_SOCKET HAPROXYADMIN_CONFIG NO_COLOR COLUMNS; do
	like "$page" "\\.B $v"$'\n' "ENVIRONMENT: $v"
done
for w in applied sent unknown refused not-found partial denied superseded error; do
	like "$page" "\\.B $w"$'\n' "RESULTS: $w"
done
for e in "server list" "backend servers backend1_proc34" "server metric bck1_proc34_srv2 scur" \
	"server set bck_all_srv1 weight 8" "server disable bck_all_srv1" "server enable bck_all_srv1" \
	"exporter --listen"; do
	like "$page" "haproxyadmin( -[a-z] [^ ]+)* $e" "EXAMPLES: $e"
done
like "$page" "/etc/haproxyadmin/fleets" "FILES: the system fleets file"
for s in 0 1 2 3 4; do
	like "$page" $'\n'"\\.B $s"$'\n' "EXIT STATUS: $s"
done
if command -v man >/dev/null; then
	for f in "$MAN" "$MAN5" "$MAN3"; do
		warn=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
		is "$warn" "" "man renders $(basename "$f") without warnings"
	done
else
	skip "man is not installed"
fi

# libhaproxyadmin(3): every public function
p3=$(sed -e 's/\\-/-/g' "$MAN3")
miss=$(grep -o 'hap_[a-z0-9_]*(' "$HAP_SRCDIR/include/haproxyadmin.h" | tr -d '(' | sort -u |
	while read -r f; do grep -q "^\.B .*[ *]$f(" <<<"$p3" || echo "$f"; done)
is "$miss" "" "libhaproxyadmin(3) lists every function of the header"
p5=$(cat "$MAN5")
for k in socket timeout retries parallel default; do
	like "$p5" "$k = " "haproxyadmin-fleets(5) describes '$k'"
done
done_testing
