#!/usr/bin/env bash
# test_harness.sh - the test fleet itself is right: a 4-instance fleet
# (tests/fleet/fleet.sh) has the topology, states, ACL/map ids, levels and
# session behaviour the other integration tests rely on, read back from each
# instance's own socket; stop leaves nothing behind. Then a 2-instance
# master-worker fleet reloads with an old worker still serving.
# Expectations are written out here, not read from the fleet's env.
set -u
. "$(dirname "$0")/lib.sh"

# --------------------------------------------------------------- the library can fail
# Each case is a small script on lib.sh; it must end with status 1 and
# report a failed test.
lib_case() { # DESC SCRIPT: the script's TAP output and status in LC_OUT/LC_RC
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/hap-lib.XXXXXX")
	printf '%s\n' ". '$HAP_SRCDIR/tests/integration/lib.sh'" "$2" >"$d/t.sh"
	cat >"$d/fakecli" <<'EOS'
#!/bin/sh
echo "src/x.c:1:2: runtime error: signed integer overflow" >&2
exit 1
EOS
	chmod +x "$d/fakecli"
	LC_RC=0
	LC_OUT=$(HAPROXYADMIN="$d/fakecli" bash "$d/t.sh" 2>/dev/null) || LC_RC=$?
	rm -rf "$d"
	is "$LC_RC/$(grep -c '^not ok' <<<"$LC_OUT")" "1/1" "$1"
}
lib_case "a sanitizer report on the CLI's stderr fails the test that ran it" \
	'hap_cli info; is "$HAP_RC" 1 "exit 1 as expected"; done_testing'
lib_case "an unknown show stat column is an error, not an empty value" \
	'is "$(csv_field "$(printf "# pxname,svname,scur\nfe,FRONTEND,3\n")" fe FRONTEND nosuch)" "" "empty"; done_testing'
lib_case "a missing show stat row is an error, not an empty value" \
	'is "$(csv_field "$(printf "# pxname,svname,scur\nfe,FRONTEND,3\n")" fe BACKEND scur)" "" "empty"; done_testing'
lib_case "a skip without a reason is a failure" 'skip; done_testing'
is "$(csv_field "$(printf '# pxname,svname,scur\nfe,FRONTEND,3\n')" fe FRONTEND scur)" 3 \
	"positive control: csv_field reads an existing column"

fleet_up 4

# --------------------------------------------------------------- sockets
is "$(cd "$FLEET_SOCK_DIR" && echo *)" "admin1.sock admin2.sock admin3.sock admin4.sock" \
	"socket dir holds exactly the 4 admin sockets"

for i in 1 2 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	info=$(hap_sock "${!v}" "show info")
	like "$info" $'(^|\n)node: lab-inst'$i$'\n' "instance $i answers show info on its UNIX socket"
	like "$info" $'(^|\n)description: haproxy lab instance '$i$'\n' "instance $i has its description"
	v=FLEET_TCP_SOCK_$i
	like "$(hap_sock "${!v}" "show info")" $'(^|\n)node: lab-inst'$i$'\n' \
		"instance $i answers show info on its TCP socket (${!v})"
done

# --------------------------------------------------------------- topology
expected_fe=(
	""
	"frontend_all frontend_proc1 haproxy-stats"
	"frontend_all frontend_proc2 haproxy-stats2"
	"frontend1_proc34 frontend2_proc34 frontend_all haproxy-stats3"
	"frontend1_proc34 frontend2_proc34 frontend_all haproxy-stats4"
)
expected_be=(
	""
	"backend_all backend_proc1 backend_slow haproxy-stats"
	"backend_all backend_proc2 backend_slow haproxy-stats2"
	"backend1_proc34 backend2_proc34 backend_all backend_slow haproxy-stats3"
	"backend1_proc34 backend2_proc34 backend_all backend_slow haproxy-stats4"
)
expected_bck_all=(
	""
	"backend_all=50 backend_proc1=100"
	"backend_all=50"
	"backend1_proc34=1 backend2_proc34=1 backend_all=50"
	"backend1_proc34=1 backend2_proc34=1 backend_all=50"
)
declare -A STAT
# settled I: the checks asserted below show a finished result in $csv
settled() {
	local c
	for c in "backend_all srv_all1 check_status" "backend_proc1 bck_all_srv1 check_status" \
		"backend1_proc34 bck1_proc34_srv2 check_status"; do
		set -- $c
		[ "$1" = backend_proc1 ] && [ "$i" != 1 ] && continue
		[ "$1" = backend1_proc34 ] && [ "$i" -lt 3 ] && continue
		case $(csv_field "$csv" "$1" "$2" "$3" 2>/dev/null) in
		"" | "* "*) return 1 ;;
		esac
	done
	[ -n "$(csv_field "$csv" backend_all srv_agent last_agt 2>/dev/null)" ] &&
		[ "$(csv_field "$csv" backend_all srv_agent agent_status 2>/dev/null)" = L7OK ]
}
for i in 1 2 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	# a check may be running ("* L7OK") or the agent's text not yet shown
	# when read once under load: re-read (bounded, 10 s) until settled
	for _ in $(seq 100); do
		STAT[$i]=$(hap_sock "${!v}" "show stat")
		csv=${STAT[$i]}
		settled $i && break
		sleep 0.1
	done
	fe=$(printf '%s\n' "$csv" | awk -F, '$2 == "FRONTEND" { print $1 }' | sort | xargs)
	be=$(printf '%s\n' "$csv" | awk -F, '$2 == "BACKEND" { print $1 }' | sort | xargs)
	is "$fe" "${expected_fe[$i]}" "instance $i frontends"
	is "$be" "${expected_be[$i]}" "instance $i backends"
	w=$(printf '%s\n' "$csv" | awk -F, '$2 == "bck_all_srv1" { print $1 "=" $19 }' | sort | xargs)
	is "$w" "${expected_bck_all[$i]}" "instance $i bck_all_srv1 weight per backend"
	is "$(csv_field "$csv" backend_all srv_all1 status)" "UP" "instance $i backend_all/srv_all1 UP"
	is "$(csv_field "$csv" backend_all srv_all1 check_status)" "L7OK" "instance $i srv_all1 check L7OK"
	is "$(csv_field "$csv" backend_all member_bkall status)" "no check" "instance $i member_bkall no check"
	is "$(csv_field "$csv" backend_all srv_track tracked)" "backend_all/srv_all1" \
		"instance $i srv_track tracks backend_all/srv_all1"
	is "$(csv_field "$csv" backend_all srv_agent last_agt)" \
		'via agent : up (note, with comma and "quotes")' "instance $i agent text"
done
csv=${STAT[1]}
is "$(csv_field "$csv" backend_proc1 bck_all_srv1 status)/$(csv_field "$csv" backend_proc1 bck_all_srv1 check_status)" \
	"UP/L7OK" "backend_proc1/bck_all_srv1 checked UP"
csv=${STAT[2]}
st=""
for s in member1_proc2 member2_proc2 member3_proc2 member4_proc2; do
	st="$st $(csv_field "$csv" backend_proc2 $s status)"
done
is "$st" " UP UP DOWN DOWN" "backend_proc2: two servers UP, two DOWN"
for i in 3 4; do
	csv=${STAT[$i]}
	is "$(csv_field "$csv" backend1_proc34 bck1_proc34_srv2 status)" "DOWN" "instance $i bck1_proc34_srv2 DOWN"
	like "$(csv_field "$csv" backend1_proc34 bck1_proc34_srv2 check_status)" '^L4(CON|TOUT)$' \
		"instance $i bck1_proc34_srv2 fails at layer 4"
	is "$(csv_field "$csv" backend2_proc34 bck2_proc34_srv2 weight)" "100" "instance $i bck2_proc34_srv2 weight 100"
done

# The agent text is RFC-4180 quoted: a naive split gets one column too many.
line=$(printf '%s\n' "${STAT[1]}" | grep '^backend_all,srv_agent,')
like "$line" ',"via agent : up \(note, with comma and ""quotes""\)",' "agent text quoted in show stat CSV"
hdr_n=$(printf '%s\n' "${STAT[1]}" | head -n 1 | awk -F, '{ print NF }')
is "$(printf '%s\n' "$line" | awk -F, '{ print NF }')" "$((hdr_n + 1))" \
	"naive comma split of the agent row has one field more than the header"

# --------------------------------------------------------------- acl / map ids
map_id() { # map_id SOCKET FILE
	hap_sock "$1" "show map" | awk -v f="($2)" '$2 == f { print $1 }'
}
id1=$(map_id "$FLEET_ADMIN_SOCK_1" "$FLEET_MAP_H2B")
id2=$(map_id "$FLEET_ADMIN_SOCK_2" "$FLEET_MAP_H2B")
like "$id1" '^[0-9]+$' "host2backend.map has an id on instance 1 ($id1)"
like "$id2" '^[0-9]+$' "host2backend.map has an id on instance 2 ($id2)"
isnt "$id1" "$id2" "the same map file has different ids on instances 1 and 2"
is "$FLEET_ID_H2B_1/$FLEET_ID_H2B_2" "$id1/$id2" "fleet env documents the ids"
other=$( { hap_sock "$FLEET_ADMIN_SOCK_3" "show acl"; hap_sock "$FLEET_ADMIN_SOCK_3" "show map"; } |
	awk -v id="$id1" '$1 == id')
like "$other" '.' "instance 3 has something else with id #$id1"
unlike "$other" 'host2backend' "... and it is not host2backend.map"
like "$(hap_sock "$FLEET_ADMIN_SOCK_1" "get map #$id1 app.foo.com")" 'found=yes.*value="backend_all"' \
	"get map #$id1 finds app.foo.com on instance 1"
unlike "$(hap_sock "$FLEET_ADMIN_SOCK_3" "get map #$id1 app.foo.com")" 'found=yes|match=yes' \
	"get map #$id1 on instance 3 does not find it"
like "$(hap_sock "$FLEET_ADMIN_SOCK_2" "show acl $FLEET_ACL_WL")" '127\.0\.0\.1' "wl_stats.acl loaded with 127.0.0.1"

# --------------------------------------------------------------- levels
is "$(hap_sock "$FLEET_USER_SOCK_1" "show cli level")" "user" "user socket is level user"
is "$(hap_sock "$FLEET_OPERATOR_SOCK_1" "show cli level")" "operator" "operator socket is level operator"
is "$(hap_sock "$FLEET_ADMIN_SOCK_1" "show cli level")" "admin" "admin socket is level admin"
like "$(hap_sock "$FLEET_USER_SOCK_1" "set weight backend_all/srv_all1 10")" '^Permission denied' \
	"user socket: set weight is refused"
is "$(hap_sock "$FLEET_ADMIN_SOCK_1" "get weight backend_all/srv_all1")" "1 (initial 1)" \
	"... and the weight is unchanged"

# --------------------------------------------------------------- traffic
out=$(fleet_traffic "$FLEET_DIR" 5)
is "$out" "traffic: 50x200" "traffic: 5 requests to each of the 10 frontends, all 200"
for i in 1 4; do
	v=FLEET_ADMIN_SOCK_$i
	is "$(stat_field "${!v}" frontend_all FRONTEND req_tot)" "5" "instance $i frontend_all counted 5 requests"
done

# --------------------------------------------------------------- held session
spawn fleet_hold "$FLEET_DIR" 1
slow_pid=$BG_PID
scur=""
for t in $(seq 1 30); do
	scur=$(stat_field "$FLEET_ADMIN_SOCK_1" backend_slow slow1 scur)
	[ "$scur" = 1 ] && break
	sleep 0.1
done
is "$scur" "1" "a held slow request gives backend_slow/slow1 scur 1"
is "$(stat_field "$FLEET_ADMIN_SOCK_2" backend_slow slow1 scur)" "0" "... on instance 1 only"
is "$(hap_sock "$FLEET_ADMIN_SOCK_1" "shutdown sessions server backend_slow/slow1"; echo .)" $'\n.' \
	"shutdown sessions server answers a lone newline"
timeout 5 tail --pid="$slow_pid" -f /dev/null
ok $? "... and the held client returns at once"
is "$(stat_field "$FLEET_ADMIN_SOCK_1" backend_slow slow1 scur)" "0" "... and scur is back to 0"

# --------------------------------------------------------------- stop
pids=$(cat "$FLEET_DIR/pids")
is "$(wc -l <"$FLEET_DIR/pids")" "6" "pids lists 4 instances, the origin and the agent"
fleet_down
ok $? "fleet.sh stop succeeds"
left=""
for p in $pids; do alive "$p" && left="$left $p"; done
is "$left" "" "no recorded pid is alive after stop" ||
	diag "$(ps -o pid,ppid,stat,etime,args -p "${left# }" 2>&1)"
# the pattern comes from a file: grep's own command line must not hold it
# (a grep still running while its matches are checked named itself)
pat=$(mktemp)
printf '%s/\n' "$FLEET_DIR" >"$pat"
left=$(grep -lFf "$pat" /proc/[0-9]*/cmdline 2>/dev/null | while read -r f; do
	p=${f#/proc/}; p=${p%/cmdline}; alive "$p" && echo "$p"; done | xargs)
rm -f "$pat"
is "$left" "" "no process refers to the fleet directory any more" ||
	diag "$(ps -o pid,ppid,stat,etime,args -p "$(echo "$left" | tr ' ' ',')" 2>&1)"
fleet_down
ok $? "a second stop is harmless"

# --------------------------------------------------------------- master-worker
fleet_up 2 --master
is "$(wc -l <"$FLEET_DIR/pids")" "4" "pids lists 2 masters, the origin and the agent"
is "$(grep -c "^$FLEET_MASTER_PID_1\$" "$FLEET_DIR/pids")" "1" "master 1 is recorded"
proc=$(hap_sock "$FLEET_MASTER_SOCK_1" "show proc")
like "$proc" $'\n'"$FLEET_MASTER_PID_1 +master " "master 1 lists itself in show proc"
like "$proc" $'\n'"$FLEET_PID_1 +worker " "master 1 lists its worker"
old=$FLEET_PID_1
spawn fleet_hold "$FLEET_DIR" 1
for t in $(seq 1 30); do
	[ "$(stat_field "$FLEET_ADMIN_SOCK_1" backend_slow slow1 scur)" = 1 ] && break
	sleep 0.1
done
kill -USR2 "$FLEET_MASTER_PID_1"
new=$old
for t in $(seq 1 50); do
	new=$(hap_sock "$FLEET_ADMIN_SOCK_1" "show info" | sed -n 's/^Pid: //p')
	[ -n "$new" ] && [ "$new" != "$old" ] && break
	sleep 0.1
done
isnt "$new" "$old" "after USR2 the admin socket reaches a new worker"
proc=$(master_after_reload "$FLEET_MASTER_SOCK_1" "$old")
like "$proc" $'# old workers\n'"$old " "the old worker is listed under # old workers while it holds a session"
like "$(hap_sock "$FLEET_MASTER_SOCK_1" "@!$old show info")" $'Stopping: 1' "the old worker answers through @!pid"
is "$(hap_sock "$FLEET_TCP_SOCK_1" "show info" | sed -n 's/^Pid: //p')" "$new" "the TCP socket moved to the new worker too"
fleet_down
ok $? "master fleet stops"
left=""
for p in $(cat "$FLEET_DIR/pids") $old $new; do alive "$p" && left="$left $p"; done
is "$left" "" "masters, old and new workers are gone" ||
	diag "$(ps -o pid,ppid,stat,etime,args -p "${left# }" 2>&1)" "old=$old new=$new pids=$(cat "$FLEET_DIR/pids" | xargs)"

done_testing
