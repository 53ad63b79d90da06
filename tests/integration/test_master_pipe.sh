#!/usr/bin/env bash
# test_master_pipe.sh - pipelined writes through a master CLI (issue 15 item
# 1, master targets): the writes of a plan for one worker behind a master
# ("@!PID" routing) share one prompt-mode connection to the master, each
# reply cut at the master's prompt ("master> ") and judged by its own row.
# Every check reads the servers back through each worker's own socket.
set -u
. "$(dirname "$0")/lib.sh"

XDG_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hap-mpipe-run.XXXXXX")
export XDG_RUNTIME_DIR
J() { jq -r "$@"; }
srv_weight() { # srv_weight SOCK BACKEND SERVER: srv_uweight of "show servers state"
	hap_sock "$1" "show servers state $2" | awk -v s="$3" '$4 == s { print $8 }'
}
add_servers() { # add_servers SOCK NAME BACKEND...
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
worker_of() { # worker_of MASTER_SOCK: the current worker's pid
	hap_sock "$1" "show proc" 2>/dev/null | awk '$2 == "worker" { print $1; exit }'
}

# ------------------------------------------------ 2 x 1,500 commands through 2 masters
B=1500 # two batches per worker (MASTER_PIPE_BATCH is 1,000)
fleet_up 2 --master --big $B 1
for i in 1 2; do
	v=FLEET_ADMIN_SOCK_$i
	# sessions of 250 lines: socat's half-close after "quit" may reach
	# HAProxy while lines are still queued, and prompt mode drops those
	: >"$FLEET_DIR/add$i.out"
	for ((f = 1; f <= B; f += 250)); do
		awk -v F=$f -v B=$B 'BEGIN { print "prompt"
			for (b = F; b < F + 250 && b <= B; b++) printf "add server bk_%d/srv_shared 127.0.0.1:9\n", b
			print "quit" }' | socat -t 30 - "UNIX-CONNECT:${!v}" >>"$FLEET_DIR/add$i.out"
	done
	is "$(grep -c 'New server registered' "$FLEET_DIR/add$i.out")" $B "srv_shared added to the $B backends of worker $i"
done
W1=$(worker_of "$FLEET_MASTER_SOCK_1")
W2=$(worker_of "$FLEET_MASTER_SOCK_2")
MARGS=(-s "master:$FLEET_MASTER_SOCK_1" -s "master:$FLEET_MASTER_SOCK_2")
if command -v strace >/dev/null; then
	# LeakSanitizer cannot run under ptrace: no leak check for this one run
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=connect -o "$FLEET_DIR/connects" \
		"$HAPROXYADMIN" "${MARGS[@]}" -t 10 -y -o json server set srv_shared weight 37 \
		>"$FLEET_DIR/out.json" 2>"$FLEET_DIR/err"
	HAP_RC=$?
	HAP_OUT=$(cat "$FLEET_DIR/out.json")
	HAP_ERR=$(cat "$FLEET_DIR/err")
	sanitizer_check "server set through masters" "$HAP_ERR"
else
	hap_cli "${MARGS[@]}" -t 10 -y -o json server set srv_shared weight 37
fi
is "$HAP_RC" 0 "$((2 * B)) writes through masters: exit 0" || diag "$(head -c 600 <<<"$HAP_ERR")"
is "$(J 'length' <<<"$HAP_OUT")" $((2 * B)) "$((2 * B)) writes through masters: one row per command"
is "$(J '[.[] | select(.result == "applied")] | length' <<<"$HAP_OUT")" $((2 * B)) \
	"$((2 * B)) writes through masters: every one applied (read back)"
for i in 1 2; do
	v=FLEET_ADMIN_SOCK_$i
	w=W$i
	n=$(hap_sock "${!v}" "show servers state" | awk '$4 == "srv_shared" && $8 == 37' | wc -l)
	is "$n" $B "worker $i (pid ${!w})'s own socket reads weight 37 on its $B srv_shared"
	n=$(J --arg w "@!${!w}" '[.[] | select((.endpoint | endswith($w)) and .result == "applied")] | length' <<<"$HAP_OUT")
	is "$n" $B "worker $i: $B rows applied, routed as @!${!w}"
done
if [ -s "$FLEET_DIR/connects" ]; then
	for i in 1 2; do
		v=FLEET_MASTER_SOCK_$i
		c=$(grep -cF "\"${!v}\"" "$FLEET_DIR/connects")
		# show proc, the snapshot, the batch, the read-back: a handful
		ok $((c > 8)) "master $i got $c connections, not one per command ($B)"
	done
else
	skip "strace is missing: connections to the masters not counted"
	skip "strace is missing: connections to the masters not counted"
fi
fleet_down

# ------------------------------------------------ a refusal in the middle of a batch
# backend_dyn balances by source on instance 2 (a static algorithm): HAProxy
# refuses a weight other than 0%/100% there, and only there
FLEET_DYN=1 FLEET_DYN_STATIC=2 fleet_up 2 --master
add_servers "$FLEET_ADMIN_SOCK_2" dyn_base backend_all backend_proc2 backend_slow
W2=$(worker_of "$FLEET_MASTER_SOCK_2")
hap_cli -s "master:$FLEET_MASTER_SOCK_1" -s "master:$FLEET_MASTER_SOCK_2" -y -o json server set dyn_base weight 37
is "$HAP_RC" 1 "refusal in a batch through a master: exit 1 (partly applied)"
rows2=$(J --arg w "@!$W2" '[.[] | select(.endpoint | endswith($w)) | .object + "=" + .result] | join(" ")' <<<"$HAP_OUT")
is "$rows2" "backend_all/dyn_base=applied backend_dyn/dyn_base=refused backend_proc2/dyn_base=applied backend_slow/dyn_base=applied" \
	"refusal in a batch: worker 2 reports the refused one between three applied"
like "$(J '[.[] | select(.result == "refused")][0].message' <<<"$HAP_OUT")" "static LB algorithm" \
	"refusal in a batch: HAProxy's words, relayed by the master"
is "$(J '[.[] | select(.result == "applied")] | length' <<<"$HAP_OUT")" 4 \
	"refusal in a batch: the 3 others of worker 2 and backend_dyn on 1 applied"
got=""
for b in backend_all backend_dyn backend_proc2 backend_slow; do got="$got $b=$(srv_weight "$FLEET_ADMIN_SOCK_2" $b dyn_base)"; done
is "$got" " backend_all=37 backend_dyn=1 backend_proc2=37 backend_slow=37" "refusal in a batch: worker 2's own socket agrees"
is "$(srv_weight "$FLEET_ADMIN_SOCK_1" backend_dyn dyn_base)" 37 "refusal in a batch: backend_dyn/dyn_base on worker 1 reads 37"

# ------------------------------------------------ the replies stop in the middle
# cutproxy relays master 1 but no reply after the first of a batch (the
# master still routes every command to the worker, which runs it): the 3
# after the cut are unknown until the read-back shows them applied
add_servers "$FLEET_ADMIN_SOCK_1" cut_srv backend_all backend_dyn backend_proc1 backend_slow
P=$FLEET_DIR/cutm1.sock
CUTPROXY_MARK='\nmaster> ' spawn python3 "$HAP_SRCDIR/tests/integration/cutproxy.py" "$P" "$FLEET_MASTER_SOCK_1" 1 freeze 0 8
for _ in $(seq 50); do [ -S "$P" ] && break; sleep 0.1; done
hap_cli -s "master:$P" -t 1 -y -o json server set cut_srv weight 41
is "$HAP_RC" 0 "replies cut through a master: exit 0 once the read-back resolved them"
is "$(J '[.[] | .result] | join(" ")' <<<"$HAP_OUT")" "applied applied applied applied" \
	"replies cut through a master: all 4 applied after the read-back"
is "$(J '[.[] | select(.message | test("no complete reply"))] | length' <<<"$HAP_OUT")" 3 \
	"replies cut through a master: the 3 after the cut say they had no complete reply"
got=""
for b in backend_all backend_dyn backend_proc1 backend_slow; do got="$got $(srv_weight "$FLEET_ADMIN_SOCK_1" $b cut_srv)"; done
is "$got" " 41 41 41 41" "replies cut through a master: worker 1's own socket reads 41 four times"

# ------------------------------------------------ the master cannot route in the middle
# fakemaster.py fronts worker 1 and answers the 2nd routed command of a
# batch with the routing failure, then closes (as HAProxy's master does
# when the worker is gone): that command keeps the master's words, the 2
# after it were never run and must not be claimed applied
add_servers "$FLEET_ADMIN_SOCK_1" rt_srv backend_all backend_dyn backend_proc1 backend_slow
W1=$(worker_of "$FLEET_MASTER_SOCK_1")
P=$FLEET_DIR/fakem1.sock
spawn python3 "$HAP_SRCDIR/tests/integration/fakemaster.py" "$P" "$FLEET_ADMIN_SOCK_1" "$W1" 2 8
for _ in $(seq 50); do [ -S "$P" ] && break; sleep 0.1; done
hap_cli -s "master:$P" -t 2 -y -o json server set rt_srv weight 33
is "$HAP_RC" 1 "routing failure mid-batch: exit 1"
is "$(J '[.[] | .object + "=" + .result] | join(" ")' <<<"$HAP_OUT" | cut -d' ' -f1)" "backend_all/rt_srv=applied" \
	"routing failure mid-batch: the command before it applied"
like "$(J '.[1].message' <<<"$HAP_OUT")" "Can't find the target PID" \
	"routing failure mid-batch: its command keeps the master's words"
is "$(J '[.[1:][] | select(.result == "applied")] | length' <<<"$HAP_OUT")" 0 \
	"routing failure mid-batch: nothing after the first claimed applied"
is "$(J '[.[2:][] | .result] | join(" ")' <<<"$HAP_OUT")" "error error" \
	"routing failure mid-batch: the 2 after it, unknown on the wire, read back as not applied"
like "$(J '.[2].message' <<<"$HAP_OUT")" "no complete reply|closed|not applied|read back" \
	"routing failure mid-batch: the read-back says why ($(J '.[2].message' <<<"$HAP_OUT"))"
got=""
for b in backend_all backend_dyn backend_proc1 backend_slow; do got="$got $(srv_weight "$FLEET_ADMIN_SOCK_1" $b rt_srv)"; done
is "$got" " 33 1 1 1" "routing failure mid-batch: worker 1's own socket reads 33 then 1, 1, 1"

# ------------------------------------------------ a reload: old and new worker, one connection each
# a request held open keeps the old worker alive; --old-workers writes to both
add_servers "$FLEET_ADMIN_SOCK_1" two_srv backend_all backend_proc1
OLD=$(worker_of "$FLEET_MASTER_SOCK_1")
spawn fleet_hold "$FLEET_DIR" 1
sleep 0.5
kill -USR2 "$FLEET_MASTER_PID_1"
NEW=""
for _ in $(seq 50); do
	NEW=$(worker_of "$FLEET_MASTER_SOCK_1")
	[ -n "$NEW" ] && [ "$NEW" != "$OLD" ] && break
	sleep 0.1
done
isnt "$NEW" "$OLD" "reload: a new worker ($NEW) replaced $OLD"
old_alive=$(master_after_reload "$FLEET_MASTER_SOCK_1" "$OLD" | grep -c "^$OLD ")
if [ "$old_alive" = 1 ]; then
	# the new worker has no two_srv (added at run time to the old one)
	add_servers "$FLEET_ADMIN_SOCK_1" two_srv backend_all backend_proc1
	hap_cli -s "master:$FLEET_MASTER_SOCK_1" --old-workers -y -o json server set two_srv weight 21
	rows_new=$(J --arg w "@!$NEW" '[.[] | select(.endpoint | endswith($w)) | .result] | join(" ")' <<<"$HAP_OUT")
	rows_old=$(J --arg w "@!$OLD" '[.[] | select(.endpoint | endswith($w)) | .result] | join(" ")' <<<"$HAP_OUT")
	is "$rows_new" "applied applied" "reload: the new worker's two writes applied"
	like "$rows_old" "^(refused|unknown|error)" "reload: the old worker's writes are not claimed applied ($rows_old)"
	unlike "$rows_old" "applied" "reload: nothing applied claimed on the stopping worker"
	got="$(srv_weight "$FLEET_ADMIN_SOCK_1" backend_all two_srv) $(srv_weight "$FLEET_ADMIN_SOCK_1" backend_proc1 two_srv)"
	is "$got" "21 21" "reload: the new worker's own socket reads 21 twice"
else
	skip "the old worker left before the write (nothing held it)"
	skip "the old worker left before the write"
	skip "the old worker left before the write"
	skip "the old worker left before the write"
fi

rm -rf "$XDG_RUNTIME_DIR"
done_testing
