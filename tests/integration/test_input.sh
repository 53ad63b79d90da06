#!/usr/bin/env bash
# test_input.sh - hostile input: nothing smuggled, nothing sent for refused input.
#
# 1. A recording fake socket (every connection and every byte it receives is
#    appended to a file; it answers with a real instance's snapshot reply, so
#    valid commands go all the way) proves that for a refused argument the
#    CLI exits 2 and NOTHING reached the socket: names with ';', newline, CR,
#    space, tab, backslash, '/', quotes or non-ASCII bytes, for every command
#    that takes a name; bad values and numbers for every command that takes
#    one; a raw command with a line break. Positive controls show that the
#    recorder does see valid commands (a test that cannot fail is a defect).
# 2. Real HAProxy instances show that an escaped ';' and '\' inside a map key
#    and value round-trip as one argument: the line built by the library's
#    formatter, sent with `haproxy exec` to a worker fleet and through a master
#    CLI (whose routing must not split it either), and `map add` when the CLI
#    has it. An unescaped ';' is shown to split (the control).
# NUL cannot be passed in argv; the formatter's handling of every byte is
# covered by tests/unit/test_command.c and fuzz/fuzz_command.c.
set -u
. "$(dirname "$0")/lib.sh"

fleet_up 4
W=$FLEET_DIR/input
mkdir -p "$W"

# instance 4's replies to the reads a command starts with: what the fake answers
C=$W/canned
mkdir -p "$C"
for r in "level:show cli level" "info:show info" "stat:show stat" "acl:show acl" "map:show map" \
	"srvstate:show servers state"; do
	printf '%s\n' "${r#*:}" | timeout 10 socat -t 5 - "UNIX-CONNECT:$FLEET_ADMIN_SOCK_4" \
		>"$C/${r%%:*}"
done
like "$(cat "$C/level")" '^admin' "captured instance 4's replies"

cat >"$W/rec.sh" <<'EOF'
#!/bin/bash
# rec.sh RECORD CANNED: log the connection and every byte of the request, then
# answer each line as instance 4 did (a change: HAProxy's silent "\n")
req=$(cat; echo .)
req=${req%.}
{ echo "+ connection"; printf '%s' "$req"; } >>"$1"
while IFS= read -r line; do
	case $line in
	"show cli level") cat "$2/level" ;;
	"show info") cat "$2/info" ;;
	"show stat"*) cat "$2/stat" ;;
	"show servers state"*) cat "$2/srvstate" ;;
	"show acl") cat "$2/acl" ;;
	"show map") cat "$2/map" ;;
	*) printf '\n' ;;
	esac
done <<<"$req"
EOF
REC=$W/rec.sock
: >"$W/record"
spawn timeout 600 socat -t 30 "UNIX-LISTEN:$REC,fork,unlink-early" \
	"EXEC:bash $W/rec.sh $W/record $C" 2>/dev/null
for _ in $(seq 1 50); do [ -S "$REC" ] && break; sleep 0.1; done
ok "$([ -S "$REC" ] && echo 0 || echo 1)" "the recording fake listens"

# refused DESC ARGS...: the CLI exits 2 with a message, and the fake saw nothing
refused() {
	local desc=$1
	shift
	: >"$W/record"
	hap_cli -s "$REC" "$@"
	if [ "$HAP_RC" = 2 ] && [ ! -s "$W/record" ] && [ -n "$HAP_ERR" ]; then
		pass "refused, nothing sent: $desc"
	else
		fail "refused, nothing sent: $desc"
		diag "exit $HAP_RC (want 2), stderr: $HAP_ERR" \
			"recorded: $(head -c 400 "$W/record" | cat -v)"
	fi
}

# sent DESC REGEX ARGS...: the control: the fake saw a line matching REGEX (whole)
sent() {
	local desc=$1 re=$2
	shift 2
	: >"$W/record"
	hap_cli -s "$REC" "$@"
	if grep -qxE -- "$re" "$W/record"; then
		pass "the recorder sees a valid command: $desc"
	else
		fail "the recorder sees a valid command: $desc"
		diag "exit $HAP_RC, stderr: $HAP_ERR" "recorded: $(head -c 400 "$W/record" | cat -v)"
	fi
}
# re STRING: STRING as an extended regex matching itself
re() { printf '%s' "$1" | sed 's/[][\.*^$/+?(){}|]/\\&/g'; }

sent "server set weight" "set weight backend_all/bck_all_srv1 10" \
	server set bck_all_srv1 weight 10 -b backend_all
sent "frontend set maxconn" "set maxconn frontend frontend_all 500" \
	frontend set frontend_all maxconn 500
sent "haproxy exec" "show info" haproxy exec 'show info'

# ------------------------------------------------------------------ names
# every byte class HAProxy's name charset (letters, digits, - _ . :) refuses
names=('a;b' $'a\nb' $'a\rb' 'a b' $'a\tb' 'a\b' 'backend_all/' '/bck_all_srv1' 'a/b/c' "a'b" 'a"b'
	$'caf\xc3\xa9' $'\xff\xfe' '#1' 'a$(id)' '')
shown() { printf '%q' "$1"; }
for n in "${names[@]}"; do
	q=$(shown "$n")
	refused "server set $q weight" server set "$n" weight 5
	refused "server set -b $q" server set bck_all_srv1 weight 5 -b "$n"
	refused "server set $q state" -y server set "$n" state drain
	refused "server set $q addr" server set "$n" addr 127.0.0.1
	refused "server set $q health" -y server set "$n" health up
	refused "server set $q agent" server set "$n" agent up
	refused "server set $q maxconn" server set "$n" maxconn 10
	refused "server enable $q" server enable "$n"
	refused "server disable $q" -y server disable "$n"
	refused "server disable -b $q" -y server disable bck_all_srv1 -b "$n"
	refused "server shutdown-sessions $q" -y server shutdown-sessions "$n"
	refused "server check $q" server check "$n" enable
	refused "server agent-check $q" server agent-check "$n" disable
	refused "frontend enable $q" frontend enable "$n"
	refused "frontend disable frontend_all $q" -y frontend disable frontend_all "$n"
	refused "frontend shutdown $q" -y frontend shutdown "$n"
	refused "frontend set $q maxconn" frontend set "$n" maxconn 10
done

# ------------------------------------------------------------------ values
for v in '5;x' $'5\n' $'5\r' '-1' '257' 'abc' '' '1e3' ' 5' '5 ' '0x10' '+5' '10001%' '%' \
	'5%%' '5.5' '99999999999999999999'; do
	refused "weight $(shown "$v")" server set bck_all_srv1 weight "$v"
done
for v in 'ready;x' 'READY' $'drain\n' '' 'up'; do
	refused "state $(shown "$v")" -y server set bck_all_srv1 state "$v"
done
for v in $'127.0.0.1\nset weight backend_all/bck_all_srv1 0' '127.0.0.1;x' 'localhost' \
	'127.0.0.1 x' '' '999.1.1.1' '127.0.0.1\' '::1;'; do
	refused "addr $(shown "$v")" server set bck_all_srv1 addr "$v"
done
for v in '70000' 'x' '-1' '80;x' $'80\n' ''; do
	refused "addr port $(shown "$v")" server set bck_all_srv1 addr 127.0.0.1 port "$v"
done
refused "addr with a junk keyword" server set bck_all_srv1 addr 127.0.0.1 prot 80
for v in 'up;x' 'UP' '' $'down\n'; do
	refused "health $(shown "$v")" -y server set bck_all_srv1 health "$v"
	refused "agent $(shown "$v")" -y server set bck_all_srv1 agent "$v"
done
for v in '-1' 'x' '99999999999999' $'5\n' '5;x' ''; do
	refused "server maxconn $(shown "$v")" server set bck_all_srv1 maxconn "$v"
	refused "frontend maxconn $(shown "$v")" frontend set frontend_all maxconn "$v"
	refused "haproxy maxconn $(shown "$v")" haproxy set maxconn "$v"
	refused "rate-limit sessions $(shown "$v")" haproxy set rate-limit sessions "$v"
done
refused "frontend maxconn 2^31" frontend set frontend_all maxconn 2147483648
refused "rate-limit of an unknown kind" haproxy set rate-limit bogus 5
for v in 'on' 'enable;x' '' $'enable\n'; do
	refused "check $(shown "$v")" server check bck_all_srv1 "$v"
	refused "agent-check $(shown "$v")" server agent-check srv_agent "$v"
done
refused "server set with an extra word" server set bck_all_srv1 weight 5 extra
# several names are one command since the workflows (issue 12): test_workflows.sh
refused "server enable with a bad second name" server enable bck_all_srv1 'a;b'
refused "unknown setting" server set bck_all_srv1 'weight;' 5
for v in $'show info\nshow stat' $'show info\r' $'\n' '' $'show info\n'; do
	refused "haproxy exec $(shown "$v")" haproxy exec "$v"
done
refused "haproxy exec with two arguments" haproxy exec show info
refused "-t not a number" -t 'x' info
refused "-t 0" -t 0 info
refused "-r negative" -r -1 info
refused "-o unknown" -o 'json;' info

# read commands: the name never reaches a command line (every instance is read
# whole), so at worst it is "not found"; DESIGN.md §5 wants a usage error
only_reads() {
	! grep -vxE '\+ connection|show cli level|show info|show stat -1 [0-9]+ -1|show acl|show map' \
		"$W/record" >/dev/null
}
for n in 'a;b' $'a\nb' 'a b'; do
	for args in "server show" "backend show" "frontend show" "server list -b"; do
		: >"$W/record"
		# shellcheck disable=SC2086
		hap_cli -s "$REC" $args "$n"
		bad=0
		only_reads || bad=1
		[ "$HAP_RC" = 2 ] || [ "$HAP_RC" = 4 ] || bad=1
		# positive control: "not found" (4) means the reads were made and recorded
		[ "$HAP_RC" != 4 ] || grep -qxE 'show stat -1 [0-9]+ -1' "$W/record" || bad=1
		ok "$bad" "$args $(shown "$n"): exit $HAP_RC, only the generic reads were sent" ||
			diag "recorded: $(cat -v "$W/record")"
	done
done

# map/acl commands: keys, values, patterns and ids with a line break are
# refused; ';', '\' and blanks are escaped
hap_cli map add --help
is "$HAP_RC" 0 "the CLI has 'map add' (map add --help exits 0)"
{
	for v in $'k\nshow info' $'k\r' $'k\n' ''; do
		q=$(shown "$v")
		refused "map add: key $q" map add "$FLEET_MAP_H2B" "$v" v
		refused "map add: value $q" map add "$FLEET_MAP_H2B" k "$v"
		refused "map set: value $q" map set "$FLEET_MAP_H2B" k "$v"
		refused "map del: key $q" -y map del "$FLEET_MAP_H2B" "$v"
		refused "map get: key $q" map get "$FLEET_MAP_H2B" "$v"
		refused "map add: id $q" map add "$v" k v
		refused "map show: id $q" map show "$v"
		refused "map clear: id $q" -y map clear "$v"
		refused "acl add: pattern $q" acl add "$FLEET_ACL_BL" "$v"
		refused "acl del: pattern $q" -y acl del "$FLEET_ACL_BL" "$v"
		refused "acl get: value $q" acl get "$FLEET_ACL_BL" "$v"
	done
	printf 'k;1 v\na\rb c\n' >"$W/cr.map"
	refused "map replace: a CR inside a line of the file" -y map replace "$FLEET_MAP_H2B" "$W/cr.map"
	sent "map add escapes ';' and '\\'" "add map (@[0-9]+ )?$(re "$FLEET_MAP_H2B") $(re 'k\;1\\ v\;1')" \
		map add "$FLEET_MAP_H2B" 'k;1\' 'v;1'
	sent "acl add escapes ';' and blanks" "add acl (@[0-9]+ )?$(re "$FLEET_ACL_WL") $(re '10\;0\ 1')" \
		acl add "$FLEET_ACL_WL" '10;0 1'
}

# ------------------------------------------------------------------ real HAProxy
# The library's formatter, then a real HAProxy: the key and value come back whole.
FC=$W/format_command
core=${HAP_BUILDDIR:-$HAP_SRCDIR/build}/libhaproxyadmin_core.a
cflags=(-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I"$HAP_SRCDIR/include"
	-I"$HAP_SRCDIR/src" "$HAP_SRCDIR/tests/integration/format_command.c" "$core" -o "$FC")
# a sanitizer build's core needs the sanitizer runtimes at link time
cc "${cflags[@]}" 2>"$W/cc.err" || cc -fsanitize=address,undefined "${cflags[@]}" 2>>"$W/cc.err"
ok "$([ -x "$FC" ] && echo 0 || echo 1)" "format_command built against $core" || diag "$(cat "$W/cc.err")"

KEY='a;b\c d'
VAL='x;y\z'
line=$("$FC" add map "$FLEET_MAP_H2B" -- "$KEY" "$VAL")
is "$line" "add map $FLEET_MAP_H2B a\\;b\\\\c\\ d x\\;y\\\\z" "the formatter escapes ';', '\\' and ' '"
"$FC" add map "$FLEET_MAP_H2B" -- $'k\nshow info' v >/dev/null 2>&1
is "$?" 2 "the formatter refuses a newline"

# map_has SOCKET KEY VALUE: the map holds exactly that entry ("show map" prints
# "0xREF KEY VALUE"; the key has a blank, so compare the whole rest of the line)
map_has() {
	hap_sock "$1" "show map $FLEET_MAP_H2B" | sed 's/^0x[0-9a-f]* //' | grep -qxF -- "$2 $3"
}
# count_key SOCKET KEY: entries holding KEY; "<read failed>" unless the read
# worked (every line an entry, and at least one: the map is never empty here),
# so that a count of 0 is a real absence
count_key() {
	local m
	m=$(hap_sock "$1" "show map $FLEET_MAP_H2B")
	if ! grep -q '^0x' <<<"$m" || grep -qv '^0x[0-9a-f]* ' <<<"$m"; then
		echo "<read failed>"
		return 1
	fi
	sed 's/^0x[0-9a-f]* //' <<<"$m" | grep -cF -- "$2"
}
# count_acl SOCKET FILE PATTERN: the same for an ACL file (never empty here)
count_acl() {
	local m
	m=$(hap_sock "$1" "show acl $2")
	if ! grep -q '^0x' <<<"$m" || grep -qv '^0x[0-9a-f]* ' <<<"$m"; then
		echo "<read failed>"
		return 1
	fi
	sed 's/^0x[0-9a-f]* //' <<<"$m" | grep -c -- "$3"
}

hap_cli -s "$FLEET_SOCK_DIR" haproxy exec "$line"
is "$HAP_RC" 0 "the escaped 'add map' is accepted by every instance"
for i in 1 2 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	run_ok "instance $i: key '$KEY' and value '$VAL' arrived whole" map_has "${!v}" "$KEY" "$VAL"
	got=$(hap_sock "${!v}" "get map $FLEET_MAP_H2B $("$FC" x -- "$KEY" | cut -c3-)")
	like "$got" 'found=yes.*value="x;y\\z"' "instance $i: 'get map' with the escaped key finds it"
done
hap_cli -s "$FLEET_SOCK_DIR" haproxy exec "$("$FC" del map "$FLEET_MAP_H2B" -- "$KEY")"
is "$HAP_RC" 0 "the escaped 'del map' is accepted"
is "$(count_key "$FLEET_ADMIN_SOCK_1" 'a;b')" 0 "and the entry is gone"

# the control: the same key unescaped is split by HAProxy into two commands
hap_cli -s "$FLEET_ADMIN_SOCK_1" haproxy exec "add map $FLEET_MAP_H2B k;l v"
like "$HAP_OUT" "expects three parameters" "control: an unescaped ';' ends the command early"
is "$(count_key "$FLEET_ADMIN_SOCK_1" 'k;l')" 0 "control: no key 'k;l' was added"

# the CLI's own map and acl commands, when they exist
{
	hap_cli -s "$FLEET_SOCK_DIR" map add "$FLEET_MAP_H2B" 'm;1\2 x' 'v;2\3'
	is "$HAP_RC" 0 "map add 'm;1\\2 x' 'v;2\\3' applied"
	for i in 1 2 3 4; do
		v=FLEET_ADMIN_SOCK_$i
		run_ok "instance $i: map add kept the key and value whole" \
			map_has "${!v}" 'm;1\2 x' 'v;2\3'
	done
	hap_cli -s "$FLEET_SOCK_DIR" -o json map get "$FLEET_MAP_H2B" 'm;1\2 x'
	like "$HAP_OUT" 'v;2\\\\3' "map get finds the key with ';', '\\' and a blank"
	hap_cli -s "$FLEET_SOCK_DIR" -y map del "$FLEET_MAP_H2B" 'm;1\2 x'
	is "$HAP_RC" 0 "map del 'm;1\\2 x' applied"
	is "$(count_key "$FLEET_ADMIN_SOCK_2" 'm;1')" 0 "and the entry is gone"
	# an IP ACL: HAProxy refuses the pattern, quoting it whole (one argument)
	hap_cli -s "$FLEET_SOCK_DIR" acl add "$FLEET_ACL_BL" '10.1.2.3;x'
	is "$HAP_RC" 1 "acl add '10.1.2.3;x': refused by HAProxy"
	like "$HAP_ERR" "'10\.1\.2\.3;x' is not a valid IPv4 or IPv6 address" \
		"acl add '10.1.2.3;x': HAProxy saw one pattern, ';x' included"
	is "$(count_acl "$FLEET_ADMIN_SOCK_2" "$FLEET_ACL_BL" '10\.1\.2\.3')" 0 \
		"acl add '10.1.2.3;x': no '10.1.2.3' was added by a split"
	# payload mode (map replace) takes lines whole: no escaping needed, none added
	printf 'r;1\\x v;2\\y\napp.foo.com backend_all\n' >"$W/new.map"
	hap_cli -s "$FLEET_SOCK_DIR" -y map replace "$FLEET_MAP_H2B" "$W/new.map"
	is "$HAP_RC" 0 "map replace with ';' and '\\' in the file applied"
	for i in 1 2 3 4; do
		v=FLEET_ADMIN_SOCK_$i
		run_ok "instance $i: map replace kept 'r;1\\x v;2\\y' whole" \
			map_has "${!v}" 'r;1\x' 'v;2\y'
	done
}

# through a master CLI: "@!<pid> " routing must not undo the escaping
fleet_down
fleet_up 2 --master
line=$("$FC" add map "$FLEET_MAP_H2B" -- "$KEY" "$VAL")
hap_cli -s "master:$FLEET_MASTER_SOCK_1" -s "master:$FLEET_MASTER_SOCK_2" haproxy exec "$line"
is "$HAP_RC" 0 "through the masters: the escaped 'add map' is accepted"
is "$(grep -c '^==> master:' <<<"$HAP_OUT")" 2 "one reply per worker"
for i in 1 2; do
	v=FLEET_ADMIN_SOCK_$i
	run_ok "master $i's worker: key and value arrived whole" map_has "${!v}" "$KEY" "$VAL"
done

done_testing
