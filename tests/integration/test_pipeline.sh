#!/usr/bin/env bash
# test_pipeline.sh - pipelined writes (issue 15): the writes of a plan for one
# instance share one prompt-mode connection, each reply is cut at the prompt
# and judged by its own row, and a batch cut in the middle leaves the
# commands after the cut unknown until the read-back resolves them. Every
# check reads the servers back through each instance's own socket.
set -u
. "$(dirname "$0")/lib.sh"

# a private lock directory: 8,000 objects take every lock bucket, and other
# test runs on this host must not make the change wait or refuse
XDG_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hap-pipe-run.XXXXXX")
export XDG_RUNTIME_DIR
J() { jq -r "$@"; }
cum_conns() { hap_sock "$1" "show info" | sed -n 's/^CumConns: //p'; }
# srv_state SOCK BACKEND SERVER: the srv_uweight of "show servers state"
srv_weight() {
	hap_sock "$1" "show servers state $2" | awk -v s="$3" '$4 == s { print $8 }'
}
# add_servers SOCK NAME BACKEND...: "add server" NAME into each backend
add_servers() {
	local sock=$1 name=$2 b out
	shift 2
	out=$({
		echo prompt
		for b in "$@"; do echo "add server $b/$name 127.0.0.1:9"; done
		echo quit
	} | socat -t 10 - "UNIX-CONNECT:$sock")
	[ "$(grep -c 'New server registered' <<<"$out")" = $# ] ||
		tap_error "add server $name on $sock: $out"
}

# ------------------------------------------------ 8,000 commands, 4 instances
B=2000
fleet_up 4 --big $B 1
for i in 1 2 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	awk -v B=$B 'BEGIN { print "prompt"
		for (b = 1; b <= B; b++) printf "add server bk_%d/srv_shared 127.0.0.1:9\n", b
		print "quit" }' | socat -t 30 - "UNIX-CONNECT:${!v}" >"$FLEET_DIR/add$i.out"
	is "$(grep -c 'New server registered' "$FLEET_DIR/add$i.out")" $B "srv_shared added to the $B backends of instance $i"
done
before=()
for i in 1 2 3 4; do v=FLEET_ADMIN_SOCK_$i; before[i]=$(cum_conns "${!v}"); done
hap_cli -s "$FLEET_SOCK_DIR" -y -o json server set srv_shared weight 37
is "$HAP_RC" 0 "8,000 writes: exit 0" || diag "$(head -c 600 <<<"$HAP_ERR")"
is "$(J 'length' <<<"$HAP_OUT")" $((4 * B)) "8,000 writes: one row per command"
is "$(J '[.[] | select(.result == "applied")] | length' <<<"$HAP_OUT")" $((4 * B)) "8,000 writes: every one applied"
for i in 1 2 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	n=$(hap_sock "${!v}" "show servers state" | awk '$4 == "srv_shared" && $8 == 37' | wc -l)
	is "$n" $B "8,000 writes: instance $i's own socket reads weight 37 on its $B srv_shared"
	# the plan's read, then one session carrying the writes and their
	# read-back (get weight, show info): 2 connections of the tool, and
	# the test's own 2 (show servers state above, show info here)
	c=$(($(cum_conns "${!v}") - before[i]))
	is "$c" 4 "8,000 writes: instance $i saw the tool's 2 connections (+ the test's 2), not $B"
done
is "$(J '[.[] | select(.after == "37")] | length' <<<"$HAP_OUT")" $((4 * B)) "8,000 writes: every row read back 37"
fleet_down

# ------------------------------------------------ a refusal in the middle of a batch
# backend_dyn balances by source on instance 2 (a static algorithm): HAProxy
# refuses a weight other than 0%/100% there, and only there
FLEET_DYN=1 FLEET_DYN_STATIC=2 fleet_up 4
add_servers "$FLEET_ADMIN_SOCK_2" dyn_base backend_all backend_proc2 backend_slow
hap_cli -s "$FLEET_SOCK_DIR" -y -o json server set dyn_base weight 37
is "$HAP_RC" 1 "refusal in a batch: exit 1 (partly applied)"
rows2=$(J --arg e "$FLEET_ADMIN_SOCK_2" '[.[] | select(.endpoint == $e) | .object + "=" + .result] | join(" ")' <<<"$HAP_OUT")
is "$rows2" "backend_all/dyn_base=applied backend_dyn/dyn_base=refused backend_proc2/dyn_base=applied backend_slow/dyn_base=applied" \
	"refusal in a batch: instance 2 reports the refused one between three applied"
like "$(J '[.[] | select(.result == "refused")][0].message' <<<"$HAP_OUT")" "static LB algorithm" "refusal in a batch: HAProxy's words"
is "$(J '[.[] | select(.result == "applied")] | length' <<<"$HAP_OUT")" 6 "refusal in a batch: the 3 others of instance 2 and backend_dyn on 1, 3, 4 applied"
got=""
for b in backend_all backend_dyn backend_proc2 backend_slow; do got="$got $b=$(srv_weight "$FLEET_ADMIN_SOCK_2" $b dyn_base)"; done
is "$got" " backend_all=37 backend_dyn=1 backend_proc2=37 backend_slow=37" "refusal in a batch: instance 2's own socket agrees"
for i in 1 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	is "$(srv_weight "${!v}" backend_dyn dyn_base)" 37 "refusal in a batch: backend_dyn/dyn_base on instance $i reads 37"
done

# ------------------------------------------------ the replies stop in the middle
# cutproxy relays instance 1's socket but no reply after the first of a
# batch (HAProxy still gets and runs every command): the 3 after the cut
# are unknown until the read-back shows them applied
add_servers "$FLEET_ADMIN_SOCK_1" cut_srv backend_all backend_dyn backend_proc1 backend_slow
P=$FLEET_DIR/cut1.sock
spawn python3 "$HAP_SRCDIR/tests/integration/cutproxy.py" "$P" "$FLEET_ADMIN_SOCK_1" 1 freeze 0 8
for _ in $(seq 50); do [ -S "$P" ] && break; sleep 0.1; done
hap_cli -s "$P" -t 1 -y -o json server set cut_srv weight 41
is "$HAP_RC" 0 "replies cut: exit 0 once the read-back resolved them"
is "$(J '[.[] | .result] | join(" ")' <<<"$HAP_OUT")" "applied applied applied applied" "replies cut: all 4 applied after the read-back"
is "$(J '[.[] | select(.message | test("no complete reply"))] | length' <<<"$HAP_OUT")" 3 \
	"replies cut: the 3 after the cut say they had no complete reply"
got=""
for b in backend_all backend_dyn backend_proc1 backend_slow; do got="$got $(srv_weight "$FLEET_ADMIN_SOCK_1" $b cut_srv)"; done
is "$got" " 41 41 41 41" "replies cut: instance 1's own socket reads 41 four times"

# ------------------------------------------------ the read-back replies stop
# the session carries the 4 writes, its "show info", then each write's own
# read-back line (get weight): cutproxy relays the first 5 replies and
# freezes before the read-back's. Every write is whole, but none was read
# back in the session: the snapshot read-back settles them
add_servers "$FLEET_ADMIN_SOCK_1" rb_srv backend_all backend_dyn backend_proc1 backend_slow
P=$FLEET_DIR/cutrb.sock
spawn python3 "$HAP_SRCDIR/tests/integration/cutproxy.py" "$P" "$FLEET_ADMIN_SOCK_1" 5 freeze 0 8
for _ in $(seq 50); do [ -S "$P" ] && break; sleep 0.1; done
hap_cli -s "$P" -t 1 -y -o json server set rb_srv weight 29
is "$HAP_RC" 0 "read-back cut: exit 0"
is "$(J '[.[] | .result] | join(" ")' <<<"$HAP_OUT")" "applied applied applied applied" "read-back cut: all 4 applied"
is "$(J '[.[] | select(.after == "29")] | length' <<<"$HAP_OUT")" 4 "read-back cut: each read back 29"
is "$(J '[.[] | select(.message | test("no complete reply"))] | length' <<<"$HAP_OUT")" 0 \
	"read-back cut: every write's own reply was whole"
# the same, instance 1 killed there: the writes were answered, their
# read-back never came and nothing is left to read: sent (accepted, not
# read back), never applied
P=$FLEET_DIR/cutrbk.sock
pid1=$(cat "$FLEET_DIR/haproxy1.pid")
spawn python3 "$HAP_SRCDIR/tests/integration/cutproxy.py" "$P" "$FLEET_ADMIN_SOCK_1" 5 kill "$pid1" 8
for _ in $(seq 50); do [ -S "$P" ] && break; sleep 0.1; done
hap_cli -s "$P" -t 1 -y -o json server set rb_srv weight 31
is "$HAP_RC" 0 "read-back cut, instance killed: exit 0 (every row sent)"
is "$(J '[.[] | .result] | join(" ")' <<<"$HAP_OUT")" "sent sent sent sent" \
	"read-back cut, instance killed: the 4 answered writes are sent, none applied"
like "$(J '.[0].message' <<<"$HAP_OUT")" "could not read back" "read-back cut, instance killed: it says why"
ok "$(alive "$pid1" && echo 1 || echo 0)" "read-back cut, instance killed: instance 1 is gone"

# ------------------------------------------------ the instance dies in the middle
# cutproxy kills instance 3 (by pid) after the first reply of a batch: the
# rest is unknown and stays so (nothing left to read back), never applied
add_servers "$FLEET_ADMIN_SOCK_3" cut_srv backend_all backend_dyn backend1_proc34 backend_slow
P=$FLEET_DIR/cut3.sock
pid3=$(cat "$FLEET_DIR/haproxy3.pid")
spawn python3 "$HAP_SRCDIR/tests/integration/cutproxy.py" "$P" "$FLEET_ADMIN_SOCK_3" 1 kill "$pid3" 8
for _ in $(seq 50); do [ -S "$P" ] && break; sleep 0.1; done
hap_cli -s "$P" -t 1 -y -o json server set cut_srv weight 43
is "$HAP_RC" 1 "instance killed mid-batch: exit 1"
is "$(J '[.[] | select(.result == "applied")] | length' <<<"$HAP_OUT")" 0 "instance killed mid-batch: nothing claimed applied"
is "$(J '[.[] | select(.result == "unknown")] | length' <<<"$HAP_OUT")" 3 "instance killed mid-batch: the 3 after the cut are unknown"
is "$(J '[.[] | select(.result == "sent")] | length' <<<"$HAP_OUT")" 1 "instance killed mid-batch: the one answered is sent (no read-back possible)"
ok "$(alive "$pid3" && echo 1 || echo 0)" "instance killed mid-batch: instance 3 is gone"

# ------------------------------------------------ a restart between the plan and its session
# switchproxy relays the plan's read to instance 2 and every later
# connection to instance 4: the session's own "show info" names another
# process than the plan read, so the read-back is not taken from the
# session alone: the snapshot read-back says the instance restarted
for i in 2 4; do
	v=FLEET_ADMIN_SOCK_$i
	add_servers "${!v}" sw_srv backend_all backend_slow
done
P=$FLEET_DIR/sw.sock
spawn python3 "$HAP_SRCDIR/tests/integration/switchproxy.py" "$P" "$FLEET_ADMIN_SOCK_2" "$FLEET_ADMIN_SOCK_4" 8
for _ in $(seq 50); do [ -S "$P" ] && break; sleep 0.1; done
hap_cli -s "$P" -t 2 -y -o json server set sw_srv weight 23
is "$HAP_RC" 0 "restart before the session: exit 0 (the new process holds the value)"
is "$(J '[.[] | "\(.result)/\(.why)"] | join(" ")' <<<"$HAP_OUT")" "applied/restarted applied/restarted" \
	"restart before the session: applied, and said restarted (not taken from the session alone)"
like "$(J '.[0].message' <<<"$HAP_OUT")" "restarted during the change \\(pid $(cat "$FLEET_DIR/haproxy2.pid"), now $(cat "$FLEET_DIR/haproxy4.pid")\\)" \
	"restart before the session: both pids named"
is "$(srv_weight "$FLEET_ADMIN_SOCK_4" backend_all sw_srv) $(srv_weight "$FLEET_ADMIN_SOCK_4" backend_slow sw_srv)" "23 23" \
	"restart before the session: the process it reached (instance 4's own socket) reads 23"
is "$(srv_weight "$FLEET_ADMIN_SOCK_2" backend_all sw_srv) $(srv_weight "$FLEET_ADMIN_SOCK_2" backend_slow sw_srv)" "1 1" \
	"restart before the session: the process the plan read (instance 2's own socket) still reads 1"

rm -rf "$XDG_RUNTIME_DIR"
done_testing
