#!/usr/bin/env bash
# test_read.sh - the read commands on a real 4-instance fleet: merged
# objects, aggregation checked against each instance's own socket,
# disagreement shown instead of hidden, output formats, endpoints (UNIX
# directory, TCP, duplicates), exit statuses and failing instances.
set -u
. "$(dirname "$0")/lib.sh"

fleet_up 4
S=$FLEET_SOCK_DIR
J() { jq -r "$@"; }

# ------------------------------------------------------------------ info
hap_cli -s "$S" -o json info
is "$HAP_RC" 0 "info exits 0"
is "$(J '.instances | length' <<<"$HAP_OUT")" 4 "info lists 4 instances"
want=0
for i in 1 2 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	m=$(hap_sock "${!v}" "show info" | sed -n 's/^Maxconn: //p')
	want=$((want + m))
done
is "$(J '.aggregate.Maxconn' <<<"$HAP_OUT")" "$want" "Maxconn is the sum of each instance's ($want)"
is "$(J '.aggregate.node' <<<"$HAP_OUT")" null "node differs per instance: aggregate is null"
like "$(J '.disagree | join(" ")' <<<"$HAP_OUT")" '(^| )node( |$)' "node is listed as disagreeing"
is "$(J '[.instances[].info.node] | join(" ")' <<<"$HAP_OUT")" \
	"lab-inst1 lab-inst2 lab-inst3 lab-inst4" "each instance's node is kept, in socket order"
is "$(J '.aggregate.Version' <<<"$HAP_OUT")" \
	"$(hap_sock "$FLEET_ADMIN_SOCK_1" 'show info' | sed -n 's/^Version: //p')" "Version agrees"
idle=$(J '.aggregate.Idle_pct' <<<"$HAP_OUT")
ok "$([ "$idle" -le 100 ] && echo 0 || echo 1)" "Idle_pct is averaged, not summed ($idle <= 100)"
hap_cli -s "$S" info
is "$HAP_RC" 0 "info table exits 0"
like "$HAP_OUT" 'lab-inst3' "info table shows the instances' nodes"

hap_cli -s "$S" -o json haproxy metric Maxconn
is "$HAP_RC" 0 "-o json haproxy metric Maxconn: exit 0"
is "$(J '.value' <<<"$HAP_OUT")" "$want" "haproxy metric Maxconn aggregates"
is "$(J '.instances | length' <<<"$HAP_OUT")" 4 "haproxy metric lists each instance"
hap_cli -s "$S" haproxy metrics
is "$HAP_RC" 0 "haproxy metrics: exit 0"
like "$HAP_OUT" $'Idle_pct +avg' "haproxy metrics shows each metric's rule"
hap_cli -s "$S" haproxy exec 'show info'
is "$HAP_RC" 0 "haproxy exec 'show info': exit 0"
is "$(grep -c '^==> ' <<<"$HAP_OUT")" 4 "haproxy exec prints one reply per instance"

# ------------------------------------------------------------------ servers
hap_cli -s "$S" -o json server list
is "$HAP_RC" 0 "server list exits 0"
is "$(J '[.[] | select(.name == "bck_all_srv1") | .backend] | join(" ")' <<<"$HAP_OUT")" \
	"backend1_proc34 backend2_proc34 backend_all backend_proc1" \
	"bck_all_srv1 appears once per backend holding it"
is "$(J '.[] | select(.name == "bck_all_srv1" and .backend == "backend_all") | .instances | length' <<<"$HAP_OUT")" \
	4 "backend_all/bck_all_srv1 lives on 4 instances"
is "$(J '.[] | select(.name == "bck_all_srv1" and .backend == "backend_all") | .weight' <<<"$HAP_OUT")" \
	50 "backend_all/bck_all_srv1 weight 50"
is "$(J '.[] | select(.name == "bck_all_srv1" and .backend == "backend_proc1") | .weight' <<<"$HAP_OUT")" \
	100 "backend_proc1/bck_all_srv1 weight 100"
is "$(J '.[] | select(.name == "bck1_proc34_srv2") | .status' <<<"$HAP_OUT")" DOWN \
	"a server DOWN everywhere is DOWN"
is "$(J '.[] | select(.name == "bck1_proc34_srv2") | [.instances[].endpoint] | join(" ")' <<<"$HAP_OUT")" \
	"$FLEET_ADMIN_SOCK_3 $FLEET_ADMIN_SOCK_4" "bck1_proc34_srv2 is on instances 3 and 4 only"
hap_cli -s "$S" server list -b backend_proc2
is "$HAP_RC" 0 "server list -b backend_proc2: exit 0"
is "$(tail -n +2 <<<"$HAP_OUT" | wc -l)" 4 "server list -b backend_proc2 shows its 4 servers"
hap_cli -s "$S" -o csv server list
is "$HAP_RC" 0 "-o csv server list: exit 0"
is "$(head -1 <<<"$HAP_OUT")" "BACKEND,SERVER,STATUS,WEIGHT,SCUR,STOT,QCUR,RATE,CHECK_STATUS,LASTCHG,INSTANCES" \
	"csv header"
is "$(tail -n +2 <<<"$HAP_OUT" | wc -l)" 19 "csv has one row per server and backend (19)"

# traffic, then compare sums and maxima with each socket
fleet_traffic "$FLEET_DIR" 5 >/dev/null 2>&1
sleep 0.3
hap_cli -s "$S" -o json frontend show frontend_all
is "$HAP_RC" 0 "-o json frontend show frontend_all: exit 0"
sum=0 max=0
for i in 1 2 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	st=$(stat_field "${!v}" frontend_all FRONTEND stot)
	sm=$(stat_field "${!v}" frontend_all FRONTEND smax)
	sum=$((sum + st))
	[ "$sm" -gt "$max" ] && max=$sm
done
ok "$([ "$sum" -gt 0 ] && echo 0 || echo 1)" "traffic reached frontend_all ($sum sessions)"
is "$(J '.[0].metrics.stot' <<<"$HAP_OUT")" "$sum" "frontend_all stot is the sum over instances"
is "$(J '.[0].metrics.smax' <<<"$HAP_OUT")" "$max" "frontend_all smax is the max over instances"
is "$(J '[.[0].instances[].metrics.stot] | add' <<<"$HAP_OUT")" "$sum" "per-instance stot add up"
hap_cli -s "$S" -o json backend show backend_all
is "$HAP_RC" 0 "-o json backend show backend_all: exit 0"
bsum=0
for i in 1 2 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	bsum=$((bsum + $(stat_field "${!v}" backend_all BACKEND stot)))
done
is "$(J '.[0].metrics.stot' <<<"$HAP_OUT")" "$bsum" "backend_all stot is the sum over instances"
hap_cli -s "$S" -o json server metric srv_all1 stot -b backend_all
is "$HAP_RC" 0 "-o json server metric srv_all1 stot -b backend_all: exit 0"
ssum=0
for i in 1 2 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	ssum=$((ssum + $(stat_field "${!v}" backend_all srv_all1 stot)))
done
is "$(J '.[0].value' <<<"$HAP_OUT")" "$ssum" "server metric stot is the sum over instances"
is "$(J '.[0].rule' <<<"$HAP_OUT")" sum "server metric says its rule"

# the agent text has a comma and quotes: CSV quoting must keep columns right
hap_cli -s "$S" -o json server show srv_agent -b backend_all
is "$HAP_RC" 0 "-o json server show srv_agent -b backend_all: exit 0"
is "$(J '.[0].text.last_agt' <<<"$HAP_OUT")" "$FLEET_AGENT_DESC" "quoted agent text decoded"
is "$(J '.[0].instances[0].text.addr' <<<"$HAP_OUT")" \
	"$(stat_field "$FLEET_ADMIN_SOCK_1" backend_all srv_agent addr)" \
	"the column after the quoted field is right (addr)"
is "$(J '.[0].instances[0].metrics.sid' <<<"$HAP_OUT")" \
	"$(stat_field "$FLEET_ADMIN_SOCK_1" backend_all srv_agent sid)" "sid right after the quoted field"

# disagreement is shown, never resolved silently
hap_sock "$FLEET_ADMIN_SOCK_2" "disable server backend_all/member_bkall" >/dev/null
hap_cli -s "$S" -o json server show member_bkall
is "$HAP_RC" 0 "-o json server show member_bkall: exit 0"
is "$(J '.[0].status' <<<"$HAP_OUT")" null "status differs: aggregate null"
like "$(J '.[0].disagree | join(" ")' <<<"$HAP_OUT")" '(^| )status( |$)' "status listed as disagreeing"
is "$(J '[.[0].instances[].status] | join(",")' <<<"$HAP_OUT")" "no check,MAINT,no check,no check" \
	"each instance keeps its own status"
hap_cli -s "$S" server list -b backend_all
is "$HAP_RC" 0 "server list -b backend_all: exit 0"
like "$HAP_OUT" 'member_bkall +no check\|MAINT' "the table shows both statuses"
hap_sock "$FLEET_ADMIN_SOCK_2" "enable server backend_all/member_bkall" >/dev/null
hap_sock "$FLEET_ADMIN_SOCK_3" "set weight backend_all/bck_all_srv1 9" >/dev/null
hap_cli -s "$S" -o json server metric bck_all_srv1 weight -b backend_all
is "$HAP_RC" 0 "-o json server metric bck_all_srv1 weight -b backend_all: exit 0"
is "$(J '.[0].value' <<<"$HAP_OUT")" null "weights 50,50,9,50 are not averaged: null"
is "$(J '.[0].disagree' <<<"$HAP_OUT")" true "and flagged as disagreeing"
hap_sock "$FLEET_ADMIN_SOCK_3" "set weight backend_all/bck_all_srv1 50" >/dev/null

# ------------------------------------------------------------------ proxies
hap_cli -s "$S" -o json frontend list
is "$HAP_RC" 0 "-o json frontend list: exit 0"
is "$(J 'length' <<<"$HAP_OUT")" 9 "frontend list: 9 distinct frontends"
is "$(J '.[] | select(.name == "frontend1_proc34") | .instances | length' <<<"$HAP_OUT")" 2 \
	"frontend1_proc34 on 2 instances"
hap_cli -s "$S" backend list
is "$HAP_RC" 0 "backend list exits 0"
like "$HAP_OUT" 'backend_slow' "backend list shows backend_slow"
hap_cli -s "$S" -o json backend servers backend1_proc34
is "$HAP_RC" 0 "-o json backend servers backend1_proc34: exit 0"
is "$(J '[.[].name] | join(" ")' <<<"$HAP_OUT")" "bck1_proc34_srv1 bck1_proc34_srv2 bck_all_srv1" \
	"backend servers lists the backend's servers"
hap_cli -s "$S" frontend metrics
is "$HAP_RC" 0 "frontend metrics: exit 0"
like "$HAP_OUT" $'\nreq_tot +sum' "frontend metrics lists req_tot (sum)"

# ------------------------------------------------------------------ dump
hap_cli -s "$S" dump
is "$HAP_RC" 0 "dump exits 0"
is "$(J '[(.haproxy.instances | length), (.frontends | length), (.backends | length), (.servers | length)] | join(" ")' <<<"$HAP_OUT")" \
	"4 9 10 19" "dump has every instance, frontend, backend and server"

# ------------------------------------------------------------------ typed natures
rc=0
out=$(for i in 1 2 3 4; do v=FLEET_ADMIN_SOCK_$i; hap_sock "${!v}" "show stat typed"; hap_sock "${!v}" "show info typed"; done | "$HAP_CHECK_RULES") || rc=$?
is "$rc" 0 "check_rules exits 0 ($(tail -1 <<<"$out"))"
like "$(tail -1 <<<"$out")" '^[1-9][0-9]* fields checked, 0 mismatches$' \
	"the rule table matches HAProxy's typed tags, on a positive number of fields"
fields=$(tail -1 <<<"$out" | awk '{ print $1 }')
ok "$([ "${fields:-0}" -ge 100 ] && echo 0 || echo 1)" "... at least 100 fields checked ($fields)"

# ------------------------------------------------------------------ endpoints
hap_cli -s "$FLEET_TCP_SOCK_1" -s "$FLEET_TCP_SOCK_2" -o json info
is "$HAP_RC" 0 "-o json info: exit 0"
is "$(J '[.instances[].info.node] | join(" ")' <<<"$HAP_OUT")" "lab-inst1 lab-inst2" "TCP endpoints work"
hap_cli -s "$S" -s "$FLEET_TCP_SOCK_1" -o json info
is "$HAP_RC" 0 "-o json info: exit 0"
is "$(J '.instances | length' <<<"$HAP_OUT")" 5 "5 endpoints given"
is "$(J '.instances[4].duplicate_of' <<<"$HAP_OUT")" "$FLEET_ADMIN_SOCK_1" \
	"the TCP socket of instance 1 is recognised as the same process"
is "$(J '.aggregate.Maxconn' <<<"$HAP_OUT")" "$want" "a process reached twice is counted once"
HAPROXYADMIN_SOCKET=$S hap_cli -o json info
is "$HAP_RC" 0 "-o json info: exit 0"
is "$(J '.instances | length' <<<"$HAP_OUT")" 4 "HAPROXYADMIN_SOCKET is the default endpoint"

# ------------------------------------------------------------------ exit statuses
hap_cli -s "$S" server show bck_all_srv1foo
is "$HAP_RC" 4 "unknown server: exit 4"
hap_cli -s "$S" frontend show nosuch
is "$HAP_RC" 4 "unknown frontend: exit 4"
hap_cli -s "$S" frontend metric frontend_all nosuchmetric
is "$HAP_RC" 2 "unknown metric: exit 2"
hap_cli -s "$S" -o xml info
is "$HAP_RC" 2 "unknown format: exit 2"
hap_cli -s "$S" nosuchobject list
is "$HAP_RC" 2 "unknown object: exit 2"
hap_cli -s "$S" server frobnicate
is "$HAP_RC" 2 "unknown verb: exit 2"
hap_cli -s "$FLEET_DIR/nonexistent" info
is "$HAP_RC" 3 "missing socket path: exit 3"
hap_cli -s "tcp:127.0.0.1:notaport" info
is "$HAP_RC" 2 "malformed endpoint: exit 2"
for obj in info haproxy frontend backend server dump; do
	hap_cli "$obj" --help
	is "$HAP_RC" 0 "$obj --help exits 0"
done
for v in list show metric metrics set enable disable shutdown-sessions check agent-check; do
	hap_cli server "$v" --help
	is "$HAP_RC" 0 "server $v --help exits 0"
done

# ------------------------------------------------------------------ faults
# a hung peer costs at most the deadline, in parallel with the others
hung="$FLEET_DIR/hung"
mkdir -p "$hung"
spawn socat -t 30 "UNIX-LISTEN:$hung/hung.sock,fork" SYSTEM:'sleep 20'
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$hung/hung.sock" ] && break; sleep 0.1; done
t0=$(date +%s%N)
hap_cli -s "$S" -s "$hung/hung.sock" -t 0.5 -o json server list
t1=$(date +%s%N)
is "$HAP_RC" 1 "a hung instance: exit 1"
like "$HAP_ERR" "hung.sock: no reply within 0.500 s" "the hung instance is named, with the deadline"
is "$(J '.[] | select(.name == "srv_all1") | .instances | length' <<<"$HAP_OUT")" 4 \
	"the 4 live instances are all in the result"
ms=$(((t1 - t0) / 1000000))
ok "$([ "$ms" -lt 1500 ] && echo 0 || echo 1)" "done within the deadline plus margin (${ms} ms)"

# a dead instance (its socket file stays) is reported, the others complete
kill -9 "$FLEET_PID_4"
sleep 0.2
hap_cli -s "$S" -o json server list
is "$HAP_RC" 1 "a dead instance: exit 1"
like "$HAP_ERR" "admin4.sock: connection refused" "the dead instance is named"
is "$(J '.[] | select(.name == "srv_all1") | .instances | length' <<<"$HAP_OUT")" 3 \
	"the 3 other instances are still merged"
hap_cli -s "$FLEET_ADMIN_SOCK_4" info
is "$HAP_RC" 3 "no instance reachable: exit 3"

done_testing
