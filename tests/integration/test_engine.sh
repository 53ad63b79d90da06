#!/usr/bin/env bash
# test_engine.sh - the change engine under ordinary trouble, on real HAProxy,
# every outcome checked on each instance's own socket: a commit reply later
# than the deadline or never sent, a refused commit and a slow clear, two
# writers of one map or one server at once, a master reload between a change
# and its read-back, a weight HAProxy normalises, and --no-verify.
# Faults come from tests/tools/delay_proxy.py: a UNIX socket in front of each
# real one that holds back (or drops) the replies to chosen commands; HAProxy
# has already run them.
set -u
. "$(dirname "$0")/lib.sh"

fleet_up 4
S=$FLEET_SOCK_DIR
H2B=$FLEET_MAP_H2B
T=$FLEET_DIR/t
PX=$FLEET_DIR/px
mkdir -p "$T" "$PX"
J() { jq -r "$@"; }
PROXY=$HAP_SRCDIR/tests/tools/delay_proxy.py

sock() { local v=FLEET_ADMIN_SOCK_$1; echo "${!v}"; }
gw() { hap_sock "$(sock "$1")" "get weight $2" | head -n 1 | cut -d' ' -f1; }
entries() { hap_sock "$(sock "$1")" "show map $H2B" | sed -n 's/^0x[0-9a-f]* //p'; }
listing() { hap_sock "$(sock "$1")" "show map" | awk -v f="($H2B)" '$2 == f' | grep -o 'curr_ver=.*'; }
entry_cnt() { listing "$1" | sed 's/.*entry_cnt=//'; }
curr_ver() { listing "$1" | sed 's/curr_ver=\([0-9]*\).*/\1/'; }
on_all() {
	local desc=$1 code=$2 i bad=0
	for i in 1 2 3 4; do
		eval "$code" || { bad=1; diag "  instance $i: $code"; }
	done
	ok "$bad" "$desc"
}
# proxies LIFETIME PATTERN DELAY...: one proxy per instance in $PX (same
# names as the real sockets), waits until they listen
proxies() {
	local i
	rm -f "$PX"/*.sock
	for i in 1 2 3 4; do
		spawn python3 "$PROXY" "$PX/admin$i.sock" "$(sock "$i")" "$@"
	done
	for i in $(seq 50); do
		[ "$(find "$PX" -name '*.sock' | wc -l)" = 4 ] && break
		sleep 0.1
	done
}
stop_proxies() {
	local p
	for p in $TAP_BG_PIDS; do kill "$p" 2>/dev/null; done
	rm -f "$PX"/*.sock
	TAP_BG_PIDS=""
}
mkmap() { # mkmap FILE PREFIX N
	awk -v p="$2" -v n="$3" 'BEGIN { for (i = 0; i < n; i++) printf "%s%d.example.com backend_all\n", p, i }' >"$1"
}
# the same content on every instance as FILE (keys and values, in order)
content_is() { # content_is FILE I
	[ "$(entries "$2")" = "$(cat "$1")" ]
}

# ================================================================== no-verify
diag "--- --no-verify: an accepted change is 'sent', not 'applied'"
hap_cli -s "$S" -o json --no-verify server set bck_all_srv1 weight 33 -b backend_all
is "$HAP_RC/$(J '[.[].result] | unique | join(",")' <<<"$HAP_OUT")" "0/sent" "--no-verify: every row sent, exit 0"
on_all "--no-verify: each socket has weight 33" '[ "$(gw $i backend_all/bck_all_srv1)" = 33 ]'
hap_cli -s "$S" -o json server set bck_all_srv1 weight 34 -b backend_all
is "$HAP_RC/$(J '[.[] | "\(.result) \(.after)"] | unique | join(",")' <<<"$HAP_OUT")" "0/applied 34" \
	"verified: every row applied with after 34, exit 0"

diag "--- a process-wide setting is read back from show info"
hap_cli -s "$S" -o json haproxy set rate-limit http-compression 5
is "$HAP_RC/$(J '[.[] | "\(.result) \(.after)"] | unique | join(",")' <<<"$HAP_OUT")" "0/applied 5120" \
	"rate-limit http-compression 5: applied, read back as 5120 bytes/s"
on_all "... each socket shows CompressBpsRateLim 5120" \
	'[ "$(hap_sock "$(sock $i)" "show info" | sed -n "s/^CompressBpsRateLim: //p")" = 5120 ]'

# ================================================================== normalised
diag "--- weight 20% of a configured weight of 1: HAProxy stores 0"
hap_cli -s "$S" -y -o json server set bck_all_srv1 weight 20% -b backend1_proc34
is "$HAP_RC" 1 "normalised weight: exit 1"
is "$(J '[.[] | "\(.result)/\(.why)/\(.after)"] | unique | join(",")' <<<"$HAP_OUT")" "partial/normalised/0" \
	"each row: partial, normalised, after 0"
like "$(J '.[0].message' <<<"$HAP_OUT")" "normalised 20% of the configured weight to 0" "the message says so"
is "$(gw 3 backend1_proc34/bck_all_srv1)/$(gw 4 backend1_proc34/bck_all_srv1)" "0/0" "sockets 3 and 4 hold 0"
hap_cli -s "$S" -y server set bck_all_srv1 weight 20% -b backend1_proc34
like "$HAP_OUT" "partial \(normalised\)" "the table says partial (normalised)"
hap_cli -s "$S" -y -o csv server set bck_all_srv1 weight 20% -b backend1_proc34
like "$HAP_OUT" "partial \(normalised\)" "... and the CSV"

# ================================================================== two weight writers
diag "--- two weight changes of one server at once: serialised by the lock"
for round in 1 2 3; do
	"$HAPROXYADMIN" -s "$S" -o json server set bck_all_srv1 weight 11 -b backend_all >"$T/w11" 2>"$T/w11e" &
	p1=$!
	"$HAPROXYADMIN" -s "$S" -o json server set bck_all_srv1 weight 12 -b backend_all >"$T/w12" 2>"$T/w12e" &
	p2=$!
	wait $p1; r1=$?
	wait $p2; r2=$?
	w=$(gw 1 backend_all/bck_all_srv1)
	on_all "round $round: one weight everywhere ($w)" '[ "$(gw $i backend_all/bck_all_srv1)" = "$w" ]'
	is "$r1/$r2/$(J '[.[] | "\(.result) \(.after)"] | unique | join(",")' "$T/w11")/$(J '[.[] | "\(.result) \(.after)"] | unique | join(",")' "$T/w12")" \
		"0/0/applied 11/applied 12" "round $round: each writer read back its own value (serialised)"
done

diag "--- a writer that holds the lock too long: the other refuses naming it"
proxies 30 'set weight' 3
"$HAPROXYADMIN" -s "$PX" -t 5 -o json server set bck_all_srv1 weight 13 -b backend_all >"$T/w13" 2>"$T/w13e" &
pa=$!
sleep 1
hap_cli -s "$S" -t 0.5 server set bck_all_srv1 weight 14 -b backend_all
wait $pa; ra=$?
is "$HAP_RC" 1 "the second writer: exit 1"
like "$HAP_ERR" "another change of the same object is running on this host \\(pid $pa: .*weight 13" \
	"... it names the holder (pid, command)"
is "$ra/$(J '[.[].result] | unique | join(",")' "$T/w13")" "0/applied" "the holder: applied"
on_all "every socket has the holder's weight 13" '[ "$(gw $i backend_all/bck_all_srv1)" = 13 ]'

diag "--- the lock wait ends with the whole command's deadline (--deadline), not only -t"
"$HAPROXYADMIN" -s "$PX" -t 5 -o json server set bck_all_srv1 weight 15 -b backend_all >"$T/w15" 2>"$T/w15e" &
pa=$!
sleep 1
t0=$(date +%s%N)
hap_cli -s "$S" -t 10 --deadline 1.5 server set bck_all_srv1 weight 16 -b backend_all
t1=$(date +%s%N)
wait $pa; ra=$?
is "$HAP_RC" 1 "-t 10 --deadline 1.5 behind a holder: exit 1"
like "$HAP_ERR" "another change of the same object is running on this host \\(pid $pa: " "... refused naming the holder"
ok "$([ $(((t1 - t0) / 1000000)) -lt 4000 ] && echo 0 || echo 1)" \
	"... within the 1.5 s deadline, not -t's 10 s ($(((t1 - t0) / 1000000)) ms)"
is "$ra" 0 "the holder: exit 0"
on_all "every socket has the holder's weight 15, never 16" '[ "$(gw $i backend_all/bck_all_srv1)" = 15 ]'
stop_proxies

diag "--- map replace --no-verify: committed rows are 'sent'"
mkmap "$T/nv.map" nv 100
hap_cli -s "$S" -o json --no-verify -y map replace "$H2B" "$T/nv.map"
is "$HAP_RC/$(J '[.instances[].result] | join(" ")' <<<"$HAP_OUT")" "0/sent sent sent sent" "--no-verify replace: sent, exit 0"
on_all "... each socket has the new content" 'content_is "$T/nv.map" $i'

diag "--- single map changes are read back from the entries"
hap_cli -s "$S" -o json map add "$H2B" eng.example.com backend_all
is "$HAP_RC/$(J '[.[].result] | unique | join(",")' <<<"$HAP_OUT")" "0/applied" "map add: applied (entries read back)"
on_all "... each socket has the entry" 'entries $i | grep -qx "eng.example.com backend_all"'
proxies 30 '^set map' 3
"$HAPROXYADMIN" -s "$PX" -t 5 -o json map set "$H2B" eng.example.com backend_slow >"$T/ms" 2>"$T/mse" &
pm=$!
sleep 1
for i in 1 2 3 4; do hap_sock "$(sock $i)" "set map $H2B eng.example.com backend_other" >/dev/null; done
wait $pm; rms=$?
is "$rms/$(J '[.[] | "\(.result)/\(.why)"] | unique | join(",")' "$T/ms")" "1/superseded/changed-by-other" \
	"map set, another writer's value set meanwhile: superseded (changed-by-other), exit 1"
like "$(J '.[0].message' "$T/ms")" "read back: the key holds backend_other" "... it says what is there"
stop_proxies

# ================================================================== commit late
diag "--- map replace: the commit reply comes after the deadline"
mkmap "$T/late.map" late 2000
proxies 40 '^commit map' 3
hap_cli -s "$PX" -t 1 -o json -y map replace "$H2B" "$T/late.map"
is "$HAP_RC/$(J '[.instances[].result] | join(" ")' <<<"$HAP_OUT")" "0/applied applied applied applied" \
	"late commit replies: read back, applied on every instance, exit 0"
on_all "each socket has the new content" 'content_is "$T/late.map" $i'
on_all "each socket's curr_ver is the committed version" \
	'[ "$(curr_ver $i)" = "$(J ".instances[$((i - 1))].version" <<<"$HAP_OUT")" ]'
unlike "$HAP_ERR" "nothing committed" "never 'nothing committed'"
stop_proxies

diag "--- map replace: the commit connection closes without a byte"
mkmap "$T/closed.map" closed 500
proxies 40 '^commit map' -1
hap_cli -s "$PX" -t 2 -o json -y map replace "$H2B" "$T/closed.map"
is "$HAP_RC/$(J '[.instances[].result] | join(" ")' <<<"$HAP_OUT")" "0/applied applied applied applied" \
	"no reply byte: unknown, read back, applied"
on_all "each socket has the new content" 'content_is "$T/closed.map" $i'
stop_proxies

diag "--- map replace: the prepare reply comes after the deadline"
before_next=$(listing 1 | sed 's/.*next_ver=\([0-9]*\).*/\1/')
cv1=$(curr_ver 1); cnt1=$(entry_cnt 1)
entries 1 >"$T/orig.map"
mkmap "$T/prep.map" prep 50
proxies 40 '^prepare map' 3
hap_cli -s "$PX" -t 1 -o json -y map replace "$H2B" "$T/prep.map"
is "$HAP_RC/$(J '[.instances[].result] | unique | join(",")' <<<"$HAP_OUT")" "1/unknown" \
	"late prepare replies: unknown on every instance, exit 1"
like "$(J '.instances[0].message' <<<"$HAP_OUT")" "version [0-9]+ cleared" "... the version it created is found and cleared"
stop_proxies
on_all "each socket: next_ver advanced (a version was made), curr_ver and entries unchanged" \
	'[ "$(listing $i | sed "s/.*next_ver=\([0-9]*\).*/\1/")" -gt 0 ] && ! content_is "$T/prep.map" $i'
is "$(curr_ver 1)/$(entry_cnt 1)" "$cv1/$cnt1" "instance 1: curr_ver and entry_cnt as before (nothing left behind)"
isnt "$(listing 1 | sed 's/.*next_ver=\([0-9]*\).*/\1/')" "$before_next" "instance 1: next_ver moved (the prepare ran)"
on_all "each socket: the prepared version holds nothing" \
	'[ -z "$(hap_sock "$(sock $i)" "show map @$(listing $i | sed "s/.*next_ver=\([0-9]*\).*/\1/") $H2B")" ]'
# a committed replace brings curr_ver up to next_ver again (the next test waits on next_ver > curr_ver)
hap_cli -s "$S" -o json -y map replace "$H2B" "$T/orig.map"
is "$HAP_RC" 0 "the original content is replaced back"

# ================================================================== refused commit + slow clear
diag "--- a commit refused (another writer's later version) and a slow clear"
mkmap "$T/mine.map" mine 300
mkmap "$T/theirs.map" theirs 3
# the listing replies wait 4 s: the other writer prepares and commits while
# the replace waits for its last listing before the commit, so that its own
# commit is then refused; the clear's reply waits 7 s, past the 6 s deadline
proxies 60 '^show map$' 4 '^clear map @' 7
"$HAPROXYADMIN" -s "$PX" -t 6 -o json -y map replace "$H2B" "$T/mine.map" >"$T/ref" 2>"$T/refe" &
pm=$!
# wait until the replace has prepared its version on every instance (its
# pre-commit listing is then held 4 s by the proxies), whatever it read before
for _ in $(seq 150); do
	prepared=0
	for i in 1 2 3 4; do
		l=$(listing $i)
		[ -n "$l" ] && [ "$(sed 's/curr_ver=\([0-9]*\) next_ver=\([0-9]*\).*/\1 \2/' <<<"$l" | awk '{print ($2 > $1)}')" = 1 ] &&
			prepared=$((prepared + 1))
	done
	[ "$prepared" = 4 ] && break
	sleep 0.1
done
is "$prepared" 4 "the replace prepared its version on all 4 instances"
sleep 0.5
# meanwhile another host replaces the map directly: a later version, committed
for i in 1 2 3 4; do
	v=$(hap_sock "$(sock $i)" "prepare map $H2B" | sed -n 's/New version created: //p')
	while read -r k val; do hap_sock "$(sock $i)" "add map @$v $H2B $k $val" >/dev/null; done <"$T/theirs.map"
	hap_sock "$(sock $i)" "commit map @$v $H2B" >/dev/null
done
wait $pm; rm_=$?
is "$rm_" 1 "refused commit: exit 1"
is "$(J '[.instances[].result] | unique | join(",")' "$T/ref")" "refused" "every row: refused"
like "$(J '.instances[0].message' "$T/ref")" "Version number out of range.*version [0-9]+ cleared" \
	"... with HAProxy's text, and the slow clear waited for: cleared"
unlike "$(cat "$T/ref" "$T/refe")" "clear failed|left" "no clear reported failed"
on_all "the other writer's content is live" 'content_is "$T/theirs.map" $i'
on_all "no prepared entries left: entry_cnt = live entries" '[ "$(entry_cnt $i)" = "$(entries $i | wc -l)" ]'
stop_proxies

# ================================================================== two replaces
diag "--- two map replaces of one map at once (one host: serialised)"
mkmap "$T/A.map" aaa 3000
mkmap "$T/B.map" bbb 3000
for round in 1 2 3; do
	"$HAPROXYADMIN" -s "$S" -o json -y map replace "$H2B" "$T/A.map" >"$T/ra" 2>"$T/rae" &
	pa=$!
	"$HAPROXYADMIN" -s "$S" -o json -y map replace "$H2B" "$T/B.map" >"$T/rb" 2>"$T/rbe" &
	pb=$!
	wait $pa; ra=$?
	wait $pb; rb=$?
	if content_is "$T/A.map" 1; then live=A; else live=B; fi
	on_all "round $round: one content everywhere ($live)" 'content_is "$T/$live.map" $i'
	lw=$(J '[.instances[].result] | join(" ")' "$T/r$(tr AB ab <<<$live)")
	is "$lw" "applied applied applied applied" "round $round: the live writer reported applied"
	is "$ra/$rb" "0/0" "round $round: both ran, one after the other"
done

diag "--- two map replaces at once from two 'hosts' (separate lock dirs)"
for round in 1 2 3; do
	mkdir -p "$T/h1" "$T/h2"
	XDG_RUNTIME_DIR=$T/h1 "$HAPROXYADMIN" -s "$S" -o json -y map replace "$H2B" "$T/A.map" >"$T/ra" 2>"$T/rae" &
	pa=$!
	XDG_RUNTIME_DIR=$T/h2 "$HAPROXYADMIN" -s "$S" -o json -y map replace "$H2B" "$T/B.map" >"$T/rb" 2>"$T/rbe" &
	pb=$!
	wait $pa; ra=$?
	wait $pb; rb=$?
	na=0; nb=0
	for i in 1 2 3 4; do
		content_is "$T/A.map" $i && na=$((na + 1))
		content_is "$T/B.map" $i && nb=$((nb + 1))
	done
	diag "  round $round: A exit $ra [$(J '[.instances[].result] | join(" ")' "$T/ra")], B exit $rb [$(J '[.instances[].result] | join(" ")' "$T/rb")], live A on $na, B on $nb"
	is "$((na + nb))" 4 "round $round: every instance holds A's or B's content"
	bad=0
	# a writer that exits 0 has its content everywhere, unless the other one ran after it
	[ "$ra" = 0 ] && [ "$na" != 4 ] && [ "$rb" != 0 ] && bad=1
	[ "$rb" = 0 ] && [ "$nb" != 4 ] && [ "$ra" != 0 ] && bad=1
	# a split fleet: nobody may claim success
	[ "$na" != 0 ] && [ "$nb" != 0 ] && { [ "$ra" = 0 ] || [ "$rb" = 0 ]; } && bad=1
	# a row is applied only where that writer's content is live... or was, before the other's
	for w in a b; do
		f=$T/r$w
		other=$([ $w = a ] && echo "$rb" || echo "$ra")
		for i in 1 2 3 4; do
			res=$(J ".instances[$((i - 1))].result" "$f")
			file=$T/$(tr ab AB <<<$w).map
			if [ "$res" = applied ] && ! content_is "$file" $i && [ "$other" != 0 ]; then
				bad=1
				diag "  writer $w says applied on $i, another content is live, the other writer failed"
			fi
		done
	done
	ok "$bad" "round $round: no writer claims what is not live"
	on_all "round $round: no prepared entries left" '[ "$(entry_cnt $i)" = "$(entries $i | wc -l)" ]'
done

# ================================================================== every server change read back
# srv_all1 (backend_all, checked, on every instance) and srv_agent (agent
# too): each change's row is applied only when the read-back shows it, and
# each socket shows it too. HAProxy 2.6 shows check_status (agent_status)
# only while the check (agent) is enabled, "no check" as the status of an
# up server without checks, and agent_health 0 once the agent is down.
sst() { # sst I SERVER: status as the instance's own "show stat" shows it
	hap_sock "$(sock "$1")" "show stat" | awk -F, -v s="$2" '$1 == "backend_all" && $2 == s { print $18 }'
}
sstate() { # sstate I SERVER COLUMN: a column of "show servers state backend_all"
	hap_sock "$(sock "$1")" "show servers state backend_all" | awk -v s="$2" -v c="$3" '$4 == s { print $c }'
}
rows() { J '[.[] | "\(.result) \(.after)"] | unique | join(",")' <<<"$HAP_OUT"; }
diag "--- check disable: applied once check_status is gone"
hap_cli -s "$S" -o json server check srv_all1 -b backend_all disable
is "$HAP_RC/$(rows)/$(J '.[0].field' <<<"$HAP_OUT")" "0/applied /check_status" "check disable: applied (check_status empty), exit 0"
on_all "... each socket: srv_check_state without the enabled bit, status 'no check'" \
	'[ $(($(sstate $i srv_all1 14) & 4)) = 0 ] && [ "$(sst $i srv_all1)" = "no check" ]'
diag "--- health, checks disabled: the status HAProxy shows"
for hv in "down DOWN" "stopping NOLB" "up no check"; do
	set -- $hv
	w=$1; shift; want="$*"
	hap_cli -s "$S" -o json -y server set srv_all1 health "$w" -b backend_all
	is "$HAP_RC/$(rows)" "0/applied $want" "health $w: applied, read back as '$want'"
	on_all "... each socket's status is '$want'" '[ "$(sst $i srv_all1)" = "$want" ]'
done
diag "--- health up while in maintenance: the status stays MAINT, not applied"
hap_cli -s "$S" -o json -y server disable srv_all1 -b backend_all
is "$HAP_RC/$(rows)" "0/applied MAINT" "disable: applied, MAINT"
on_all "... each socket: MAINT" '[ "$(sst $i srv_all1)" = MAINT ]'
hap_cli -s "$S" -o json -y server set srv_all1 health up -b backend_all
is "$HAP_RC/$(J '[.[].result] | unique | join(",")' <<<"$HAP_OUT")" "1/superseded" \
	"health up under MAINT: superseded (the status still MAINT), exit 1"
on_all "... each socket still MAINT" '[ "$(sst $i srv_all1)" = MAINT ]'
hap_cli -s "$S" -o json server enable srv_all1 -b backend_all
is "$HAP_RC/$(J '[.[].result] | unique | join(",")' <<<"$HAP_OUT")" "0/applied" "enable: applied (status no longer MAINT)"
on_all "... each socket: not MAINT" '[ "$(sst $i srv_all1)" = "no check" ]'
hap_cli -s "$S" -o json -y server set srv_all1 state drain -b backend_all
on_all "state drain: each socket DRAIN" '[ "$(sst $i srv_all1)" = DRAIN ]'
hap_cli -s "$S" -o json server set srv_all1 state ready -b backend_all
is "$HAP_RC/$(rows)" "0/applied no check" "state ready: applied (neither MAINT nor DRAIN)"
on_all "... each socket: admin state 0" '[ "$(sstate $i srv_all1 7)" = 0 ]'
diag "--- check enable: applied once check_status is shown"
hap_cli -s "$S" -o json server check srv_all1 -b backend_all enable
is "$HAP_RC/$(J '[.[] | .result + " " + (.after | length > 0 | tostring)] | unique | join(",")' <<<"$HAP_OUT")" \
	"0/applied true" "check enable: applied (check_status shown), exit 0"
on_all "... each socket: srv_check_state with the enabled bit" '[ $(($(sstate $i srv_all1 14) & 4)) = 4 ]'
diag "--- agent-check disable / enable: agent_status hidden / shown"
hap_cli -s "$S" -o json server agent-check srv_agent -b backend_all disable
is "$HAP_RC/$(rows)" "0/applied " "agent-check disable: applied (agent_status empty)"
on_all "... each socket: srv_agent_state without the enabled bit" '[ $(($(sstate $i srv_agent 15) & 4)) = 0 ]'
hap_cli -s "$S" -o json -y server set srv_agent agent down -b backend_all
is "$HAP_RC/$(J '[.[].result] | unique | join(",")' <<<"$HAP_OUT")" "1/refused" "agent down with the agent stopped: refused"
hap_cli -s "$S" -o json server agent-check srv_agent -b backend_all enable
is "$HAP_RC/$(J '[.[].result] | unique | join(",")' <<<"$HAP_OUT")" "0/applied" "agent-check enable: applied"
on_all "... each socket: srv_agent_state with the enabled bit" '[ $(($(sstate $i srv_agent 15) & 4)) = 4 ]'
diag "--- agent down: agent_health 0 (the agent, every second, may set it back)"
hap_cli -s "$S" -o json -y server set srv_agent agent down -b backend_all
like "$HAP_RC/$(J '[.[].result] | unique | join(",")' <<<"$HAP_OUT")" '^(0/applied|1/(applied,)?superseded)$' \
	"agent down: applied where agent_health read back 0, else superseded (the agent answered first)"
unlike "$(J '[.[] | select(.result == "applied") | .after] | unique | join(",")' <<<"$HAP_OUT")" '[1-9]' \
	"... no applied row read back a non-zero agent_health"
diag "--- shutdown-sessions: nothing to read back: sent, never applied"
hap_cli -s "$S" -o json -y server shutdown-sessions srv_all1 -b backend_all
is "$HAP_RC/$(J '[.[].result] | unique | join(",")' <<<"$HAP_OUT")/$(J length <<<"$HAP_OUT")" "0/sent/4" \
	"shutdown-sessions: 4 rows, sent, exit 0"
on_all "... each socket: srv_all1 has no session" \
	'[ "$(hap_sock "$(sock $i)" "show stat" | awk -F, '"'"'$1 == "backend_all" && $2 == "srv_all1" { print $5 }'"'"')" = 0 ]'
diag "--- a map key with a blank: the listing cannot show it exactly: sent"
hap_cli -s "$S" -o json map add "$H2B" "two words.example" backend_all
is "$HAP_RC/$(J '[.[].result] | unique | join(",")' <<<"$HAP_OUT")" "0/sent" \
	"add of a key with a blank: sent, not applied"
on_all "... each socket holds the entry" 'hap_sock "$(sock $i)" "get map $H2B two" >/dev/null; hap_sock "$(sock $i)" "show map $H2B" | grep -q "two words.example backend_all"'
hap_cli -s "$S" -o json map del "$H2B" "two words.example"
is "$HAP_RC/$(J '[.[].result] | unique | join(",")' <<<"$HAP_OUT")" "0/sent" \
	"del of a key with a blank: sent"
on_all "... each socket: gone" '! hap_sock "$(sock $i)" "show map $H2B" | grep -q "two words.example"'

# ================================================================== master reload
diag "--- a master reload between a change and its read-back"
fleet_up 2 --master
M1=$FLEET_MASTER_SOCK_1
MP=$FLEET_MASTER_PID_1
wpid() { hap_sock "$M1" "show proc" | awk '$2 == "worker" { print $1; exit }'; }
old=$(wpid)
rm -f "$PX"/*.sock
spawn python3 "$PROXY" "$PX/master1.sock" "$M1" 30 'set weight' 3
for i in $(seq 50); do [ -S "$PX/master1.sock" ] && break; sleep 0.1; done
"$HAPROXYADMIN" -s "master:$PX/master1.sock" -t 8 -o json server set bck_all_srv1 weight 44 -b backend_all \
	>"$T/rl" 2>"$T/rle" &
pr=$!
sleep 1
kill -USR2 "$MP"
for i in $(seq 50); do
	new=$(wpid)
	[ -n "$new" ] && [ "$new" != "$old" ] && break
	sleep 0.1
done
wait $pr; rr=$?
diag "  workers: $old -> $new; $(cat "$T/rl" | tr -d '\n')"
isnt "$new" "$old" "the master reloaded (worker $old -> $new)"
is "$rr" 1 "reload between change and read-back: exit 1"
is "$(J '[.[] | "\(.result)/\(.why)"] | join(",")' "$T/rl")" "superseded/restarted" "... not applied: superseded, restarted"
is "$(hap_sock "$M1" "@!$new get weight backend_all/bck_all_srv1" | cut -d' ' -f1)" 50 \
	"the new worker holds the configured weight 50, not 44"
stop_proxies

diag "--- a master reload between a replace's commit and its read-back"
old=$(wpid)
spawn python3 "$PROXY" "$PX/master1.sock" "$M1" 30 'commit map' 3
for i in $(seq 50); do [ -S "$PX/master1.sock" ] && break; sleep 0.1; done
mkmap "$T/rl.map" rl 200
"$HAPROXYADMIN" -s "master:$PX/master1.sock" -t 8 -o json -y map replace "$FLEET_MAP_H2B" "$T/rl.map" \
	>"$T/rm" 2>"$T/rme" &
pr=$!
sleep 1
kill -USR2 "$MP"
for i in $(seq 50); do
	new=$(wpid)
	[ -n "$new" ] && [ "$new" != "$old" ] && break
	sleep 0.1
done
wait $pr; rr=$?
isnt "$new" "$old" "the master reloaded again (worker $old -> $new)"
is "$rr/$(J '[.instances[] | "\(.result)/\(.why)"] | join(",")' "$T/rm")" "1/superseded/restarted" \
	"replace: reload between commit and read-back: superseded (restarted), exit 1"
unlike "$(hap_sock "$M1" "@!$new show map $FLEET_MAP_H2B")" "rl0\\.example" "the new worker does not hold the new content"
stop_proxies

done_testing
