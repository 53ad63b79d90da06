#!/usr/bin/env bash
# test_opsday.sh - an operator's day: named fleets from a fleets file, the
# hint when nothing says where the sockets are, tables that fit an
# 80-column terminal (driven through tmux), bash completion (objects, verbs,
# the fleet's names), and make install + pkg-config for a program.
set -u
. "$(dirname "$0")/lib.sh"

fleet_up 3
S=$FLEET_SOCK_DIR
D=$FLEET_DIR
T=$D/opsday
mkdir -p "$T/home" "$T/cache"
export HOME=$T/home XDG_CACHE_HOME=$T/cache
unset XDG_CONFIG_HOME HAPROXYADMIN_SOCKET HAPROXYADMIN_CONFIG

# ---------------------------------------------------------------- fleets
mkdir -p "$HOME/.config/haproxyadmin"
cat >"$HOME/.config/haproxyadmin/fleets" <<EOF
# two fleets of the test's instances
default = second

[first]
socket = $FLEET_ADMIN_SOCK_1
timeout = 1.5

[second]
socket = $FLEET_ADMIN_SOCK_2
socket = $FLEET_ADMIN_SOCK_3
retries = 2
EOF
hap_cli -f first -o json info
is "$HAP_RC" 0 "-f first: info exits 0"
is "$(jq '.instances | length' <<<"$HAP_OUT")" 1 "-f first selects its one socket"
like "$HAP_OUT" "admin1.sock" "-f first: the instance is admin1"
hap_cli -f first -f second -o json info
is "$(jq '.instances | length' <<<"$HAP_OUT")" 3 "-f first -f second: three sockets"
hap_cli -o json info
is "$(jq '.instances | length' <<<"$HAP_OUT")" 2 "no -s, no -f: the default fleet (two sockets)"
unlike "$HAP_OUT" "admin1.sock" "the default fleet leaves admin1 out"
HAPROXYADMIN_SOCKET=$FLEET_ADMIN_SOCK_1 hap_cli -o json info
is "$(jq '.instances | length' <<<"$HAP_OUT")" 1 "\$HAPROXYADMIN_SOCKET wins over the default fleet"
hap_cli -s "$FLEET_ADMIN_SOCK_1" -f second -o json info
is "$(jq '.instances | length' <<<"$HAP_OUT")" 3 "-s and -f add up"
hap_cli fleet list
is "$HAP_RC" 0 "fleet list exits 0"
like "$HAP_OUT" 'first +no +1\.5 ' "fleet list: first, not default, timeout 1.5"
like "$HAP_OUT" 'second +yes ' "fleet list: second is the default"
hap_cli -o json fleet list
is "$(jq -r '[.fleets[].name] | join(" ")' <<<"$HAP_OUT")" "first second" "fleet list -o json names both"
is "$(jq -r '.fleets[1].sockets | length' <<<"$HAP_OUT")" 2 "fleet list -o json: second has 2 sockets"
hap_cli -f nosuch info
is "$HAP_RC" 2 "-f of an unknown fleet: exit 2"
like "$HAP_ERR" "no fleet 'nosuch'" "-f nosuch: says so"

# parse errors name the file and the line; nothing is sent
printf '[ok]\nsocket = %s\n\n[bad\n' "$FLEET_ADMIN_SOCK_1" >"$T/broken"
HAPROXYADMIN_CONFIG=$T/broken hap_cli -f ok info
is "$HAP_RC" 2 "a malformed fleets file: exit 2"
is "$HAP_ERR" "haproxyadmin: $T/broken:4: a section is '[NAME]'" "the error names file:line"
printf '[a]\nsocket = /x\ntimeout = soon\n' >"$T/broken2"
HAPROXYADMIN_CONFIG=$T/broken2 hap_cli fleet list
like "$HAP_ERR" "broken2:3: timeout 'soon'" "a bad value names file:line"
printf '[a]\nsocket = /x\n[a]\nsocket = /y\n' >"$T/broken3"
HAPROXYADMIN_CONFIG=$T/broken3 hap_cli fleet list
like "$HAP_ERR" "broken3:3: fleet 'a' defined twice" "a fleet defined twice names its line"
HAPROXYADMIN_CONFIG=$T/missing hap_cli fleet list
is "$HAP_RC" 2 "\$HAPROXYADMIN_CONFIG naming a missing file: exit 2"

# ---------------------------------------------------------------- the hint
mv "$HOME/.config/haproxyadmin/fleets" "$T/fleets"
rm -rf "$HOME/.config"
if [ -n "$(find /run/haproxy -maxdepth 1 -type s 2>/dev/null)" ]; then
	skip "this host has sockets in /run/haproxy: no hint to see"
	skip "hint exit status"
else
	hap_cli info
	is "$HAP_RC" 3 "nothing names a socket: exit 3"
	like "$HAP_ERR" "-s /path/to/admin.sock.*HAPROXYADMIN_SOCKET.*-f" \
		"the hint says how to point the tool at a socket (-s, \$HAPROXYADMIN_SOCKET, -f)"
fi

# ---------------------------------------------------------------- width
if ! command -v tmux >/dev/null; then
	skip "tmux is not installed (scripts/deps.sh)"
else
	TM="tmux -L hapit-opsday-$$"
	# run CMD in an 80-column pane; prints the pane, wrapped lines joined
	pane() {
		local k
		$TM kill-server 2>/dev/null
		$TM -f /dev/null new-session -d -x 80 -y 200 "env -u COLUMNS bash --norc --noprofile"
		# a short line to type: the command waits in a script
		printf 'echo __START__\n%s\necho __DONE__\n' "$1" >"$T/c.sh"
		$TM send-keys "clear; . $T/c.sh" Enter
		for k in $(seq 1 100); do
			$TM capture-pane -p | grep -q '^__DONE__' && break
			sleep 0.1
		done
		$TM capture-pane -p -J -S - | sed -n '/^__START__/,/^__DONE__/p' | sed '1d;$d'
		$TM kill-server 2>/dev/null
	}
	maxlen() { awk '{ if (length > m) m = length } END { print m + 0 }'; }
	full=$("$HAPROXYADMIN" -s "$S" server list | maxlen)
	ok "$([ "$full" -gt 80 ] && echo 0 || echo 1)" "through a pipe, server list keeps full rows ($full columns)"
	out=$(pane "'$HAPROXYADMIN' -s '$S' server list")
	like "$out" "BACKEND +SERVER" "in tmux: the table is there"
	is "$(printf '%s\n' "$out" | maxlen | awk '{ print ($1 <= 80) }')" 1 \
		"in an 80-column tmux pane, server list has no wrapped line"
	out=$(pane "'$HAPROXYADMIN' -s '$S' info")
	is "$(printf '%s\n' "$out" | maxlen | awk '{ print ($1 <= 80) }')" 1 \
		"in an 80-column tmux pane, info has no wrapped line"
	like "$out" "hidden; --wide shows all" \
		"dropped columns are said (info is $("$HAPROXYADMIN" -s "$S" info | maxlen) wide)"
	out=$(pane "'$HAPROXYADMIN' -s '$S' --wide server list")
	is "$(printf '%s\n' "$out" | maxlen)" "$full" "--wide keeps full rows on a terminal"
	out=$(pane "COLUMNS=60 '$HAPROXYADMIN' -s '$S' server list")
	is "$(printf '%s\n' "$out" | maxlen | awk '{ print ($1 <= 60) }')" 1 \
		"COLUMNS=60 wins over the terminal's width"
	out=$(pane "'$HAPROXYADMIN' -s '$S' info")
	like "$out" "/tmp/[^ ]*~ " "cut cells end with '~' (info's long socket paths)"
	long=0
	for o in $("$HAPROXYADMIN" --help | awk '/^objects:/ {on = 1; next} on && /^$/ {exit} on {print $1}'); do
		n=$("$HAPROXYADMIN" "$o" --help 2>&1 | maxlen)
		[ "$n" -gt 80 ] && long=$((long + 1)) && diag "$o --help: $n columns"
		case $o in help | version) continue ;; esac
		for v in $("$HAPROXYADMIN" "$o" --help 2>&1 | awk -v o="$o" '/^  [^ ]/ && $1 == o { print $2 }'); do
			n=$("$HAPROXYADMIN" "$o" "$v" --help 2>&1 | maxlen)
			[ "$n" -gt 80 ] && long=$((long + 1)) && diag "$o $v --help: $n columns"
		done
	done
	n=$("$HAPROXYADMIN" --help | maxlen)
	[ "$n" -gt 80 ] && long=$((long + 1)) && diag "--help: $n columns"
	is "$long" 0 "--help, every OBJECT --help and OBJECT VERB --help fit 80 columns"
fi

# ---------------------------------------------------------------- completion
export HAPROXYADMIN_CONFIG=$T/fleets
# complete WORDS...: the candidates bash completion offers for the last word
complete_words() {
	env PATH="$(dirname "$HAPROXYADMIN"):$PATH" bash --norc --noprofile -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		_haproxyadmin
		printf "%s\n" "${COMPREPLY[@]}" | sort' bash "$HAP_SRCDIR/completion/haproxyadmin.bash" "$@"
}
got=$(complete_words haproxyadmin server s | tr '\n' ' ')
like "$got" '(^| )set( |$)' "completion of 'server s' offers set"
like "$got" '(^| )show( |$)' "completion of 'server s' offers show"
unlike "$got" '(^| )list( |$)' "completion of 'server s' does not offer list"
like "$(complete_words haproxyadmin "" | tr '\n' ' ')" 'backend .*exporter .*server' \
	"completion of the object offers the objects"
like "$(complete_words haproxyadmin --w | tr '\n' ' ')" '--wide' "completion of global options"
want=$(for i in $(seq 1 "$FLEET_N"); do
	v=FLEET_ADMIN_SOCK_$i
	hap_sock "${!v}" "show stat -1 2 -1" | awk -F, '$2 == "BACKEND" { print $1 }'
done | sort -u | tr '\n' ' ')
got=$(complete_words haproxyadmin -s "$S" server list -b "" | tr '\n' ' ')
is "$got" "$want" "completion of -b offers the fleet's backends (from each socket)"
got=$(complete_words haproxyadmin -f second server list -b "" | tr '\n' ' ')
want2=$(for i in 2 3; do
	v=FLEET_ADMIN_SOCK_$i
	hap_sock "${!v}" "show stat -1 2 -1" | awk -F, '$2 == "BACKEND" { print $1 }'
done | sort -u | tr '\n' ' ')
is "$got" "$want2" "completion of -b after -f second offers that fleet's backends"
got=$(complete_words haproxyadmin -s "$S" server show bck_all | tr '\n' ' ')
like "$got" 'bck_all_srv1' "completion of a server name asks the fleet"
got=$(complete_words haproxyadmin -s "$S" server set bck_all_srv1 "" | tr '\n' ' ')
like "$got" 'weight .*' "after the server name: the verb's keywords"
got=$(complete_words haproxyadmin -f "" | tr '\n' ' ')
is "$got" "first second " "completion of -f offers the fleets"
ls "$XDG_CACHE_HOME"/haproxyadmin/complete-* >/dev/null 2>&1
ok "$?" "names are cached in \$XDG_CACHE_HOME/haproxyadmin"
# zsh: the completion function run with compadd stubbed (zsh filters the
# candidates by the typed prefix itself)
zcomplete() {
	env PATH="$(dirname "$HAPROXYADMIN"):$PATH" zsh -f -c '
		compadd() { if [[ $1 == -a ]]; then print -l -- ${(P)2}; else print -l -- "$@"; fi }
		_files() { :; }
		f=$1; shift
		words=("$@"); CURRENT=$#words
		source $f' zsh "$HAP_SRCDIR/completion/_haproxyadmin" "$@" | sort -u
}
if command -v zsh >/dev/null; then
	got=$(zcomplete haproxyadmin server s | grep '^s' | tr '\n' ' ')
	like "$got" '(^| )set .*show|show .*set' "zsh: 'server s' offers set and show"
	got=$(zcomplete haproxyadmin -s "$S" server list -b "" | tr '\n' ' ')
	is "$got" "$want" "zsh: -b offers the fleet's backends"
else
	skip "zsh is not installed"
	skip "zsh is not installed"
fi

# ---------------------------------------------------------------- install
P=$T/prefix
B=$T/build
if make -C "$HAP_SRCDIR" install BUILD="$B" PREFIX="$P" >"$T/install.log" 2>&1; then
	pass "make install BUILD=... PREFIX=$P"
else
	fail "make install PREFIX=$P"
	diag "$(tail -20 "$T/install.log")"
fi
pc=$(dirname "$(find "$P" -name haproxyadmin.pc | head -1)")
ok "$([ -f "$pc/haproxyadmin.pc" ] && [ -f "$pc/libhaproxyadmin.pc" ] && echo 0 || echo 1)" \
	"pkg-config modules haproxyadmin and libhaproxyadmin (alias) are installed under PREFIX"
for f in bin/haproxyadmin include/haproxyadmin.h share/man/man1/haproxyadmin.1 \
	share/man/man5/haproxyadmin-fleets.5 share/man/man3/libhaproxyadmin.3 \
	share/bash-completion/completions/haproxyadmin share/zsh/site-functions/_haproxyadmin; do
	ok "$([ -f "$P/$f" ] && echo 0 || echo 1)" "installed: $f"
done
cat >"$T/prog.c" <<'EOF'
#include <stdio.h>
#include <haproxyadmin.h>

int main(int argc, char **argv)
{
	struct hap *h;
	struct hap_snapshot *s;
	struct hap_error err = { 0, "" };

	if (argc < 2 || hap_new(&h, NULL))
		return 2;
	if (hap_add_endpoint(h, argv[1], &err) || hap_snapshot_new(&s, h, HAP_SNAP_BACKENDS, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		hap_free(h);
		return 1;
	}
	printf("%zu %zu\n", hap_snapshot_live_count(s), hap_snapshot_count(s, HAP_OBJ_BACKEND));
	hap_snapshot_free(s);
	hap_free(h);
	return 0;
}
EOF
flags=$(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs haproxyadmin)
like "$flags" "-I$P/include" "pkg-config --cflags points into PREFIX"
cc -o "$T/prog" "$T/prog.c" $flags 2>"$T/cc.log"
ok "$?" "a program compiles with \$(pkg-config --cflags --libs haproxyadmin)"
[ -s "$T/cc.log" ] && diag "$(cat "$T/cc.log")"
nb=$(hap_cli -s "$S" -o json backend list; jq length <<<"$HAP_OUT")
is "$(LD_LIBRARY_PATH=$(dirname "$(find "$P" -name 'libhaproxyadmin.so' | head -1)") "$T/prog" "$S")" \
	"3 $nb" "the installed library reads the fleet (3 instances, $nb backends)"
flags=$(PKG_CONFIG_PATH=$pc pkg-config --libs libhaproxyadmin)
like "$flags" "-lhaproxyadmin" "the libhaproxyadmin alias still resolves"
make -C "$HAP_SRCDIR" uninstall BUILD="$B" >>"$T/install.log" 2>&1
is "$(find "$P" -type f 2>/dev/null | wc -l)" 0 "make uninstall removes every installed file"
make -C "$HAP_SRCDIR" install BUILD="$B" PREFIX=/opt/hap DESTDIR="$T/stage" >>"$T/install.log" 2>&1
ok "$([ -x "$T/stage/opt/hap/bin/haproxyadmin" ] && echo 0 || echo 1)" \
	"DESTDIR stages the install under DESTDIR/PREFIX"
ok "$(grep -q "^prefix=/opt/hap$" "$(find "$T/stage" -name haproxyadmin.pc | head -1)" && echo 0 || echo 1)" \
	"the staged pkg-config file names the real PREFIX"
rm -rf "$B"

done_testing
