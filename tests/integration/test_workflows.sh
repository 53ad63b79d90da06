#!/usr/bin/env bash
# test_workflows.sh - the safe fleet workflows on a real 4-instance
# master-worker fleet: several names and -b in one command, dynamic servers
# added everywhere (and rolled back when one instance refuses), the safe
# removal (and its restore when HAProxy refuses the deletion), drain with
# real long sessions (timeout naming them, then success), old workers
# waited for after a reload, and state files loaded by a reloaded HAProxy.
#
# Every outcome is read back from each instance's own admin socket (or,
# for an old worker, through its master with @!PID).
set -u
. "$(dirname "$0")/lib.sh"

T0=$SECONDS
export FLEET_DYN=1 FLEET_DYN_STATIC=4 FLEET_SERVER_STATE=1 FLEET_SLOW_DELAY=6
fleet_up 4 --master
N=4

sock() { local v=FLEET_ADMIN_SOCK_$1; echo "${!v}"; }
msock() { local v=FLEET_MASTER_SOCK_$1; echo "${!v}"; }
fe_all() { local v=FLEET_PORT_frontend_all_$1; echo "${!v}"; }
EPS=()
for i in $(seq 1 $N); do EPS+=(-s "master:$(msock "$i")"); done
cli() { hap_cli -y "${EPS[@]}" "$@" </dev/null; }
# field I BACKEND SERVER COLUMN: show stat of instance I's own socket
field() { stat_field "$(sock "$1")" "$2" "$3" "$4"; }
# weight I B/S: "get weight" on instance I
weight() { hap_sock "$(sock "$1")" "get weight $2" | head -n 1; }
# holds I B S: 1 when instance I's "show servers state B" lists S
holds() {
	hap_sock "$(sock "$1")" "show servers state $2" | awk -v s="$3" '$4 == s { f = 1 } END { print f + 0 }'
}

# ------------------------------------------------ several names, several -b
cli server set srv_all1 member_bkall -b backend_all -b backend_proc1 weight 7
is "$HAP_RC" 0 "set two names with two -b: exit 0"
for i in $(seq 1 $N); do
	is "$(weight "$i" backend_all/srv_all1)" "7 (initial 1)" "instance $i: srv_all1 weight 7"
	is "$(weight "$i" backend_all/member_bkall)" "7 (initial 1)" "instance $i: member_bkall weight 7"
done
cli server set backend_all/srv_all1 backend_all/member_bkall weight 1
is "$HAP_RC" 0 "BACKEND/SERVER names: exit 0"
for i in $(seq 1 $N); do
	is "$(weight "$i" backend_all/srv_all1)" "1 (initial 1)" "instance $i: srv_all1 back to 1"
done
cli server show srv_all1 bck_all_srv1 -b backend_all -b backend_proc1
is "$HAP_RC" 0 "show with two names and two -b: exit 0"
like "$HAP_OUT" "server backend_all/srv_all1 on 4 instances" "show: backend_all/srv_all1"
like "$HAP_OUT" "server backend_all/bck_all_srv1 on 4 instances" "show: backend_all/bck_all_srv1"
like "$HAP_OUT" "server backend_proc1/bck_all_srv1 on 1 instance" "show: backend_proc1/bck_all_srv1"
unlike "$HAP_OUT" "backend2_proc34/bck_all_srv1" "show: not in a backend not given"
cli -o csv server list -b backend_proc1 -b backend_dyn
is "$HAP_RC" 0 "list with two -b: exit 0"
like "$HAP_OUT" "member1_proc1" "list: backend_proc1's servers"
like "$HAP_OUT" "dyn_base" "list: backend_dyn's servers"
unlike "$HAP_OUT" "srv_all1" "list: no other backend"
cli server show srv_all1 nosuch -b backend_all
is "$HAP_RC" 4 "show of a missing name among several: exit 4"
cli server metric backend_all/srv_all1 backend_dyn/dyn_base weight
is "$HAP_RC" 0 "metric of two BACKEND/SERVER names: exit 0"
cli server drain srv_all1 -b backend_all --timeout 3
is "$HAP_RC" 2 "an option that does not apply: usage error"
is "$(field 1 backend_all srv_all1 status)" "UP" "nothing sent on a usage error"

# ------------------------------------------------ add refused on one: rollback
cli server add backend_dyn/dyn_new "127.0.0.1:${FLEET_ORIGIN_PORTS%% *}" weight 10
is "$HAP_RC" 1 "add refused on instance 4 (static algorithm): exit 1"
like "$HAP_OUT" "refused.*dynamic load balancing" "HAProxy's refusal is reported"
like "$HAP_OUT" "rollback" "rollback rows are reported"
for i in $(seq 1 $N); do
	is "$(holds "$i" backend_dyn dyn_new)" 0 "instance $i: dyn_new rolled back (absent)"
done
cli server add backend_dyn/dyn_new "127.0.0.1:${FLEET_ORIGIN_PORTS%% *}" --keep-partial
is "$HAP_RC" 1 "--keep-partial: still exit 1"
for i in 1 2 3; do
	is "$(holds "$i" backend_dyn dyn_new)" 1 "instance $i: --keep-partial kept it"
done
cli server remove backend_dyn/dyn_new --wait 5
is "$HAP_RC" 0 "remove the partial one: exit 0"
for i in 1 2 3; do
	is "$(holds "$i" backend_dyn dyn_new)" 0 "instance $i: removed"
done

# ------------------------------------------------ add on 4 instances, traffic
t=$EPOCHREALTIME
cli server add backend_all/dyn1 "127.0.0.1:${FLEET_ORIGIN_PORTS%% *}" weight 200 check
ADD_MS=$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
is "$HAP_RC" 0 "add backend_all/dyn1 on 4 instances: exit 0"
diag "server add on 4 instances: ${ADD_MS} ms"
for i in $(seq 1 $N); do
	is "$(holds "$i" backend_all dyn1)" 1 "instance $i: dyn1 present"
	is "$(weight "$i" backend_all/dyn1)" "200 (initial 200)" "instance $i: dyn1 weight 200"
done
sleep 1.5 # one check interval: enable health, then UP
for i in $(seq 1 $N); do
	p=$(fe_all "$i")
	for k in $(seq 1 12); do fleet__http "$p" / >/dev/null; done
done
for i in $(seq 1 $N); do
	st=$(field "$i" backend_all dyn1 stot)
	run_ok "instance $i: traffic reached dyn1 (stot $st)" [ "${st:-0}" -gt 0 ]
	like "$(field "$i" backend_all dyn1 check_status)" "L[4-7]OK" "instance $i: dyn1 checked"
done

# ------------------------------------------------ remove the dynamic server
t=$EPOCHREALTIME
cli -o csv server remove dyn1 -b backend_all --wait 5
RM_MS=$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
is "$HAP_RC" 0 "remove dyn1: exit 0"
diag "server remove on 4 instances: ${RM_MS} ms"
for s in drain wait maint del verify; do
	is "$(printf '%s\n' "$HAP_OUT" | awk -F, -v s="$s" '$3 == s' | wc -l)" "$N" "remove reports step $s on $N instances"
done
for i in $(seq 1 $N); do
	is "$(holds "$i" backend_all dyn1)" 0 "instance $i: dyn1 deleted"
done

# ------------------------------------------------ remove of a tracked server
hap_sock "$(sock 2)" "set server backend_all/srv_all1 state drain" >/dev/null
cli server remove backend_all/srv_all1 --wait 3
is "$HAP_RC" 1 "remove of a tracked server: exit 1"
like "$HAP_ERR" "other configuration elements pointing to it" "HAProxy's reason is shown"
for i in $(seq 1 $N); do
	is "$(holds "$i" backend_all srv_all1)" 1 "instance $i: srv_all1 still there"
	want=UP
	[ "$i" = 2 ] && want=DRAIN
	is "$(field "$i" backend_all srv_all1 status)" "$want" "instance $i: srv_all1 back to $want"
done
hap_sock "$(sock 2)" "set server backend_all/srv_all1 state ready" >/dev/null

# ------------------------------------------------ add disabled, then del
cli server add backend_all/dyn2 "127.0.0.1:${FLEET_ORIGIN_PORTS%% *}" maxconn 5 backup disabled
is "$HAP_RC" 0 "add ... disabled: exit 0"
unlike "$HAP_OUT" " enable " "disabled: no enable server step"
for i in $(seq 1 $N); do
	like "$(field "$i" backend_all dyn2 status)" "^MAINT" "instance $i: dyn2 left in maintenance"
	is "$(field "$i" backend_all dyn2 bck)" 1 "instance $i: dyn2 is a backup server"
	is "$(field "$i" backend_all dyn2 slim)" 5 "instance $i: dyn2 maxconn 5"
done
cli -o json server del dyn2 -b backend_all
is "$HAP_RC" 0 "del of a server in maint without sessions: exit 0"
like "$HAP_OUT" '"result":"sent","sent":true,"message":"Server deleted."' "JSON rows carry HAProxy's reply"
for i in $(seq 1 $N); do
	is "$(holds "$i" backend_all dyn2)" 0 "instance $i: dyn2 deleted"
done

# ------------------------------------------------ del refuses with the reason
cli server del srv_all1 -b backend_all
is "$HAP_RC" 1 "del of a server not in maint: exit 1"
like "$HAP_OUT" "not in maintenance" "the reason is given"
like "$(hap_sock "$(sock 1)" "show servers state backend_all")" "srv_all1" "nothing deleted"

# ------------------------------------------------ drain with real long sessions
HOLDS=""
for i in 1 3; do spawn fleet_hold "$FLEET_DIR" "$i"; HOLDS="$HOLDS $BG_PID"; done
for k in $(seq 1 30); do
	[ "$(field 1 backend_slow slow1 scur)" = 1 ] && [ "$(field 3 backend_slow slow1 scur)" = 1 ] && break
	sleep 0.1
done
is "$(field 1 backend_slow slow1 scur)" 1 "instance 1 holds a session"
t=$SECONDS
cli server drain slow1 -b backend_slow --wait=1 --interval 0.2
is "$HAP_RC" 1 "drain --wait=1 with live sessions: exit 1"
like "$HAP_ERR" "master1.sock.*backend_slow/slow1: still 1 session" "instance 1 named"
like "$HAP_ERR" "master3.sock.*backend_slow/slow1: still 1 session" "instance 3 named"
unlike "$HAP_ERR" "master2.sock.*still" "instance 2 not named"
for i in $(seq 1 $N); do
	is "$(field "$i" backend_slow slow1 status)" DRAIN "instance $i: left draining"
done
cli server drain slow1 -b backend_slow --wait=15 --interval 0.2
is "$HAP_RC" 0 "drain --wait=15: exit 0 once the sessions ended"
for i in $(seq 1 $N); do
	is "$(field "$i" backend_slow slow1 scur)" 0 "instance $i: scur 0 when drain returned"
done
for p in $HOLDS; do wait "$p" 2>/dev/null; done

# ------------------------------------------------ old workers after a reload
cli server set slow1 -b backend_slow state ready
HT=$EPOCHREALTIME
spawn fleet_hold "$FLEET_DIR" 2
HOLD=$BG_PID
for k in $(seq 1 30); do
	[ "$(field 2 backend_slow slow1 scur)" = 1 ] && break
	sleep 0.1
done
OLD=$(hap_sock "$(msock 2)" "show proc" | awk '$2 == "worker" { print $1; exit }')
kill -USR2 "$FLEET_MASTER_PID_2"
for k in $(seq 1 50); do
	hap_sock "$(msock 2)" "show proc" 2>/dev/null |
		awk -v o="$OLD" '/^# old workers/ { f = 1; next } /^#/ { f = 0 } f && $1 == o { x = 1 } END { exit !x }' && break
	sleep 0.1
done
sleep 0.5 # the new master's CLI settles
PROC=$(hap_sock "$(msock 2)" "show proc")
like "$PROC" "old workers.*$OLD" "instance 2 reloaded, old worker $OLD draining" || diag "$PROC"
is "$(hap_sock "$(sock 2)" "show stat backend_slow 4 -1" | awk -F, '$2 == "slow1" { print $5 }')" 0 \
	"the new worker has no session: only the old one does"
diag "hold age when drain starts: $(awk -v a="$HT" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s; old worker alive: $(alive "$OLD" && echo yes || echo no)"
DT=$SECONDS
cli -o json server drain slow1 -b backend_slow --wait=15 --interval 0.2
is "$HAP_RC" 0 "drain waits for the old worker (without --old-workers)"
# the new workers had no session: only the old worker made it wait
run_ok "drain returned only after the old worker's session ($((SECONDS - DT)) s)" \
	[ $((SECONDS - DT)) -ge 3 ]
unlike "$HAP_OUT" '"old_worker":true' "the old worker is gone when drain returns"
if alive "$HOLD"; then fail "the held session had ended when drain returned"; else pass "the held session had ended when drain returned"; fi
cli server set slow1 -b backend_slow state ready

# ------------------------------------------------ wait
cli server wait slow1 -b backend_slow ready --timeout 2
is "$HAP_RC" 0 "wait ready: exit 0"
cli server disable member_bkall -b backend_all
cli server wait member_bkall -b backend_all up --timeout 0.5 --interval 0.1
is "$HAP_RC" 1 "wait up on a server in maint: exit 1 at the timeout"
like "$HAP_ERR" "status MAINT, not up" "the instances are named with their status"
cli server enable member_bkall -b backend_all
cli -o csv server wait member_bkall -b backend_all ready
is "$HAP_RC" 0 "wait ready after enable: exit 0"
like "$HAP_OUT" "^OBJECT,INSTANCE,SCUR,QCUR,STATUS,MET" "CSV header"

# ------------------------------------------------ state save, reload, survive
cli server set member_bkall -b backend_all weight 9
cli -o csv server state diff
is "$HAP_RC" 0 "state diff: exit 0"
is "$(printf '%s\n' "$HAP_OUT" | awk -F, '$3 == "member_bkall" && $4 == "weight" && $6 == 9' | wc -l)" "$N" \
	"state diff lists member_bkall's runtime weight on every instance"
cli server state save "$FLEET_DIR/one.state"
is "$HAP_RC" 2 "state save FILE with several instances: usage error"
run_ok "... and no file written" [ ! -e "$FLEET_DIR/one.state" ]
hap_cli -s "$(sock 1)" server state save "$FLEET_DIR/one.state"
is "$HAP_RC" 0 "state save FILE with one instance: exit 0"
is "$(head -n 1 "$FLEET_DIR/one.state")" 1 "the file starts with the format version"
like "$(cat "$FLEET_DIR/one.state")" "backend_all [0-9]+ member_bkall" "... and lists the servers"
SAVE=$FLEET_DIR/saved
mkdir -p "$SAVE"
cli -o json server state save "$SAVE"
is "$HAP_RC" 0 "state save DIR: exit 0"
for i in $(seq 1 $N); do
	f=$(ls "$SAVE"/master$i-*.state 2>/dev/null | head -n 1)
	run_ok "instance $i: state file written ($f)" [ -s "$f" ]
	[ -s "$f" ] && cp "$f" "$FLEET_DIR/state/haproxy$i.state"
	kill -USR2 "$(eval echo \$FLEET_MASTER_PID_$i)"
done
sleep 1.5
for i in $(seq 1 $N); do
	is "$(weight "$i" backend_all/member_bkall)" "9 (initial 1)" \
		"instance $i: the runtime weight survived the reload (state file loaded)"
done

diag "test_workflows: $((SECONDS - T0)) s"
done_testing
