#!/usr/bin/env bash
# test_endpoints.sh - every way of reaching an HAProxy, on real HAProxy:
# TCP endpoints (IPv4 and IPv6), master CLIs (UNIX and TCP) with an old
# worker still draining after a reload, the identity of a process reached
# twice or restarted, socket levels, the 10-connection limit of a stats
# socket, instances of different versions (fixtures in tests/data/mixed/)
# and 64 instances at once. Expected values are read from HAProxy itself
# (each instance's own socket, or the master's `show proc`).
set -u
. "$(dirname "$0")/lib.sh"
. "$HAP_SRCDIR/tests/fleet/fake.sh"

J() { jq -r "$@"; }

# the server list, reduced to what does not depend on the endpoint's name
proj() {
	jq -c '[.[] | {backend, name, status, weight, n: (.instances | length)}] | sort_by(.backend, .name)'
}

# own_dir: a fresh temp dir in $OWN_DIR; what DIR/pids lists (and its
# children) is stopped at exit, and the dir removed, like a fleet's
own_dir() {
	OWN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hap-ep.XXXXXX") || bail_out "mktemp failed"
	TAP_FLEET_DIRS="$TAP_FLEET_DIRS $OWN_DIR"
}

# fakes are killed at exit like everything spawned
track_fakes() {
	TAP_BG_PIDS="$TAP_BG_PIDS $FAKE_PIDS"
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

info_field() { # info_field SOCKET FIELD: from the instance's own show info
	hap_sock "$1" "show info" | sed -n "s/^$2: //p"
}

# raw_open SOCAT_ADDRESS CMD SECS: send CMD without half-closing (stdin stays
# open SECS+1 s); prints the reply; status 124 when the peer kept the
# connection open for SECS seconds.
raw_open() {
	timeout "$3" socat - "$1" < <(printf '%s\n' "$2"; sleep $(($3 + 1)))
}

fleet_up 4 --master
S=$FLEET_SOCK_DIR
T_START=$(now_ms)

declare -A PID
for i in 1 2 3 4; do
	v=FLEET_ADMIN_SOCK_$i
	PID[$i]=$(info_field "${!v}" Pid)
done

# ================================================================ TCP (IPv4)
hap_cli -s "$S" -o json server list
is "$HAP_RC" 0 "server list on the UNIX directory"
REF=$(proj <<<"$HAP_OUT")
is "$(J 'length' <<<"$HAP_OUT")" 19 "... 19 servers"
tcp=()
for i in 1 2 3 4; do v=FLEET_TCP_SOCK_$i; tcp+=(-s "${!v}"); done
hap_cli "${tcp[@]}" -o json server list
is "$HAP_RC" 0 "server list through the 4 TCP endpoints exits 0"
is "$(proj <<<"$HAP_OUT")" "$REF" "TCP endpoints merge exactly like the UNIX sockets"
is "$(J '[.[] | select(.name == "srv_all1") | .instances[].endpoint] | join(" ")' <<<"$HAP_OUT")" \
	"$FLEET_TCP_SOCK_1 $FLEET_TCP_SOCK_2 $FLEET_TCP_SOCK_3 $FLEET_TCP_SOCK_4" \
	"each instance is named by its TCP endpoint"
hap_cli "${tcp[@]}" -o json info
want=""
for i in 1 2 3 4; do
	v=FLEET_TCP_SOCK_$i
	want="$want lab-inst$i:$(info_field "${!v}" Pid)"
done
is " $(J '[.instances[] | "\(.info.node):\(.info.Pid)"] | join(" ")' <<<"$HAP_OUT")" "$want" \
	"info over TCP: node and pid of each instance, as each TCP socket tells"
is "$want" " lab-inst1:${PID[1]} lab-inst2:${PID[2]} lab-inst3:${PID[3]} lab-inst4:${PID[4]}" \
	"... the same processes as behind the UNIX sockets"

# ================================================================ master CLI
mst=()
for i in 1 2 3 4; do v=FLEET_MASTER_SOCK_$i; mst+=(-s "master:${!v}"); done
hap_cli "${mst[@]}" -o json info
is "$HAP_RC" 0 "info through 4 master CLIs exits 0"
want=""
for i in 1 2 3 4; do
	v=FLEET_MASTER_SOCK_$i
	w=$(hap_sock "${!v}" "show proc" | awk '/^# workers/ { f = 1; next } /^#/ { f = 0 } f && $2 == "worker" { print $1 }')
	is "$w" "${PID[$i]}" "master $i: show proc lists one worker, the process behind admin$i.sock"
	want="$want master:${!v} @!$w=${PID[$i]}"
done
is " $(J '[.instances[] | "\(.endpoint)=\(.info.Pid)"] | join(" ")' <<<"$HAP_OUT")" "$want" \
	"each worker is an instance named master:PATH @!PID, reached through the master"
is "$(J '[.instances[] | .old_worker] | unique | join(",")' <<<"$HAP_OUT")" false "no worker is old"
hap_cli "${mst[@]}" -o json server list
is "$(proj <<<"$HAP_OUT")" "$REF" "master endpoints merge exactly like the UNIX sockets"

# the master never closes by itself; the CLI half-closes, so it returns
out=$(raw_open "UNIX-CONNECT:$FLEET_MASTER_SOCK_1" "show proc" 2)
is "$?" 124 "the master keeps a connection open after its reply (no half-close, 2 s)"
like "$out" $'\n# workers\n' "... although the reply has arrived"
out=$(raw_open "UNIX-CONNECT:$FLEET_ADMIN_SOCK_1" "show cli level" 2)
is "$?/$out" "0/admin" "a worker socket closes right after its reply"
t0=$(now_ms)
hap_cli -t 5 -s "master:$FLEET_MASTER_SOCK_1" -o json info
ms=$(($(now_ms) - t0))
is "$HAP_RC/$(J '.instances[0].ok' <<<"$HAP_OUT")" "0/true" "the CLI gets its answer from the master (${ms} ms, deadline 5 s)"
# a bad target: the master answers and closes the connection itself
out=$(raw_open "UNIX-CONNECT:$FLEET_MASTER_SOCK_1" "@!99999 show info" 2)
is "$?" 0 "a bad @!PID target: the master closes the connection"
is "$out" "Can't find the target PID matching the prefix '@!99999'" "... with its one-line refusal"

# ================================================================ identity
hap_cli -s "$S" -o json info
MAXCONN=$(J '.aggregate.Maxconn' <<<"$HAP_OUT")
want=0
for i in 1 2 3 4; do v=FLEET_ADMIN_SOCK_$i; want=$((want + $(info_field "${!v}" Maxconn))); done
is "$MAXCONN" "$want" "Maxconn aggregate of the 4 instances ($want)"
hap_cli -s "$S" -s "$FLEET_TCP_SOCK_1" -s "master:$FLEET_MASTER_SOCK_1" -o json info
is "$HAP_RC" 0 "admin socket + TCP socket + master of the same process: exit 0"
is "$(J '.instances | length' <<<"$HAP_OUT")" 6 "6 endpoints listed"
is "$(J '[.instances[] | select(.counted)] | length' <<<"$HAP_OUT")" 4 "4 processes counted"
is "$(J '[.instances[] | select(.counted | not) | "\(.endpoint)=\(.duplicate_of)"] | join(" ")' <<<"$HAP_OUT")" \
	"$FLEET_TCP_SOCK_1=$FLEET_ADMIN_SOCK_1 master:$FLEET_MASTER_SOCK_1 @!${PID[1]}=$FLEET_ADMIN_SOCK_1" \
	"the TCP socket and the master's worker are duplicates of admin1.sock"
is "$(J '.aggregate.Maxconn' <<<"$HAP_OUT")" "$MAXCONN" "the aggregate is unchanged (counted once)"
hap_cli -s "$S" -s "$FLEET_TCP_SOCK_1" info
like "$HAP_OUT" "$FLEET_TCP_SOCK_1 .* same process as $FLEET_ADMIN_SOCK_1" "the table says 'same process as'"
hap_cli -s "$S" -s "$FLEET_TCP_SOCK_1" -s "master:$FLEET_MASTER_SOCK_1" -o json server list
is "$(J '.[] | select(.name == "srv_all1") | .metrics.stot' <<<"$HAP_OUT")" \
	"$(hap_cli -s "$S" -o json server list; J '.[] | select(.name == "srv_all1") | .metrics.stot' <<<"$HAP_OUT")" \
	"server aggregates are unchanged by the duplicate endpoints"

# ================================================================ socket levels (instance 3)
U=$FLEET_USER_SOCK_3 O=$FLEET_OPERATOR_SOCK_3 A=$FLEET_ADMIN_SOCK_3
is "$(hap_sock "$U" 'show cli level')/$(hap_sock "$O" 'show cli level')" "user/operator" \
	"HAProxy: user3.sock is level user, operator3.sock level operator"
hap_cli -s "$U" -o json server list
is "$HAP_RC" 0 "reads work on a user socket: server list exits 0"
R3=$(proj <<<"$HAP_OUT")
hap_cli -s "$A" -o json server list
is "$R3" "$(proj <<<"$HAP_OUT")" "... with the same servers as the admin socket"
hap_cli -s "$U" -o json info
is "$HAP_RC/$(J '.instances[0].info.Pid' <<<"$HAP_OUT")" "0/${PID[3]}" "info works on a user socket"
w0=$(hap_sock "$A" "get weight backend_all/srv_all1")
hap_cli -s "$U" -o json server set srv_all1 weight 5 -b backend_all
is "$HAP_RC" 1 "set weight through a user socket: exit 1"
is "$(J '[.[] | "\(.result)/\(.sent)"] | join(" ")' <<<"$HAP_OUT")" "denied/false" "... denied, not sent"
like "$(J '.[0].message' <<<"$HAP_OUT")" "'user'.*needs 'admin'" "... the message names the level it needs"
like "$HAP_ERR" "$U: .*needs 'admin'" "... and the instance"
is "$(hap_sock "$A" "get weight backend_all/srv_all1")" "$w0" "HAProxy: the weight is unchanged ($w0)"
hap_cli -s "$U" server set srv_all1 weight 5 -b backend_all
like "$HAP_OUT" 'denied' "the table says denied"

fleet_traffic "$FLEET_DIR" 2 >/dev/null
smax=$(stat_field "$A" frontend_all FRONTEND smax)
stot=$(stat_field "$A" frontend_all FRONTEND stot)
ok "$([ "$smax" -ge 1 ] && [ "$stot" -ge 2 ] && echo 0 || echo 1)" \
	"traffic on instance 3: frontend_all smax $smax, stot $stot"
hap_cli -s "$O" -o json haproxy clear-counters
is "$HAP_RC/$(J '.[0].result' <<<"$HAP_OUT")" "0/sent" "clear-counters through an operator socket: sent (nothing to read back)"
is "$(stat_field "$A" frontend_all FRONTEND smax)/$(stat_field "$A" frontend_all FRONTEND stot)" "0/$stot" \
	"HAProxy: max values reset, totals kept"
hap_cli -s "$O" -y -o json haproxy clear-counters --all
is "$HAP_RC/$(J '.[0].result' <<<"$HAP_OUT")/$(J '.[0].sent' <<<"$HAP_OUT")" "1/denied/false" \
	"clear-counters --all through an operator socket: denied, not sent"
like "$(J '.[0].message' <<<"$HAP_OUT")" "'operator'.*needs 'admin'" "... it needs admin"
is "$(stat_field "$A" frontend_all FRONTEND stot)" "$stot" "HAProxy: totals still there"
hap_cli -s "$A" -y -o json haproxy clear-counters --all
is "$HAP_RC/$(stat_field "$A" frontend_all FRONTEND stot)" "0/0" "the admin socket may clear all counters"

# ================================================================ 10-connection limit (instance 2)
A2=$FLEET_ADMIN_SOCK_2
holders=""
for k in 1 2 3 4 5 6 7 8 9 10; do
	spawn timeout 20 socat "UNIX-CONNECT:$A2" PIPE
	holders="$holders $BG_PID"
done
sleep 0.5 # the 10 holders are connected and accepted
out=$(printf 'show info\n' | timeout 1.5 socat -t 2 - "UNIX-CONNECT:$A2")
is "$out" "" "HAProxy: with 10 idle connections open, an 11th gets no service (1.5 s)"
t0=$(now_ms)
hap_cli -t 1 -s "$S" -o json server list
ms=$(($(now_ms) - t0))
is "$HAP_RC" 1 "server list with a saturated socket: exit 1"
like "$HAP_ERR" "$A2: no reply within 1\.000 s \(socket busy" "the saturated instance is reported busy, with the deadline"
unlike "$HAP_ERR" "refused|no such|admin[134]" "... not as dead, and no other instance is reported"
is "$(J '[.[] | select(.name == "srv_all1") | .instances[].endpoint] | join(" ")' <<<"$HAP_OUT")" \
	"$FLEET_ADMIN_SOCK_1 $FLEET_ADMIN_SOCK_3 $FLEET_ADMIN_SOCK_4" "the other 3 instances are complete"
ok "$([ "$ms" -lt 3000 ] && echo 0 || echo 1)" "it returns in about the deadline (${ms} ms for 1 s)"
for p in $holders; do kill "$p" 2>/dev/null; done
back=""
for t in $(seq 1 30); do
	back=$(info_field "$A2" Pid)
	[ -n "$back" ] && break
	sleep 0.1
done
is "$back" "${PID[2]}" "instance 2 answers again once the idle connections close"

# ================================================================ reload: old worker (instance 1)
M1=$FLEET_MASTER_SOCK_1 A1=$FLEET_ADMIN_SOCK_1
old=${PID[1]}
spawn fleet_hold "$FLEET_DIR" 1
for t in $(seq 1 30); do
	[ "$(stat_field "$A1" backend_slow slow1 scur)" = 1 ] && break
	sleep 0.1
done
T_HOLD=$(now_ms)
kill -USR2 "$FLEET_MASTER_PID_1"
new=$old
for t in $(seq 1 50); do
	new=$(info_field "$A1" Pid)
	[ -n "$new" ] && [ "$new" != "$old" ] && break
	sleep 0.1
done
isnt "$new" "$old" "reload: admin1.sock reaches a new worker ($old -> $new)"
PROC=$(master_after_reload "$M1" "$old")
like "$PROC" $'# workers\n'"$new " "HAProxy: show proc lists the new worker"
like "$PROC" $'# old workers\n'"$old " "HAProxy: ... and the old one under # old workers"
hap_cli -s "master:$M1" -o json info
is "$HAP_RC" 0 "info through the master during the reload"
is "$(J '[.instances[] | "\(.info.Pid):\(.old_worker):\(.counted)"] | sort | join(" ")' <<<"$HAP_OUT")" \
	"$(printf '%s\n' "$new:false:true" "$old:true:false" | sort | xargs)" \
	"both workers are instances; the old one is marked old and not counted"
is "$(J ".instances[] | select(.info.Pid == $old) | .info.Stopping" <<<"$HAP_OUT")" \
	"$(hap_sock "$M1" "@!$old show info" | sed -n 's/^Stopping: //p')" "the old worker's own Stopping (1) is shown"
mx_new=$(info_field "$A1" Maxconn)
mx_old=$(hap_sock "$M1" "@!$old show info" | sed -n 's/^Maxconn: //p')
is "$(J '.aggregate.Maxconn' <<<"$HAP_OUT")" "$mx_new" "Maxconn aggregate leaves the old worker out"
hap_cli -s "master:$M1" info
like "$HAP_OUT" "@!$old .*old worker, not counted" "the info table notes the old worker"
hap_cli -s "master:$M1" --old-workers -o json info
is "$(J '[.instances[] | select(.counted)] | length' <<<"$HAP_OUT")" 2 "--old-workers counts it"
is "$(J '.aggregate.Maxconn' <<<"$HAP_OUT")" "$((mx_new + mx_old))" "... and Maxconn adds it ($mx_new + $mx_old)"

old_scur=$(csv_field "$(hap_sock "$M1" "@!$old show stat")" backend_slow slow1 scur)
is "$old_scur/$(stat_field "$A1" backend_slow slow1 scur)" "1/0" \
	"HAProxy: the held request is on the old worker (scur 1), not the new (0)"
hap_cli -s "master:$M1" -o json server show slow1 -b backend_slow
is "$(J '.[0].metrics.scur' <<<"$HAP_OUT")" 0 "server aggregate scur leaves the old worker out"
is "$(J ".[0].instances[] | select(.endpoint == \"master:$M1 @!$old\") | \"\(.old_worker)/\(.metrics.scur)\"" <<<"$HAP_OUT")" \
	"true/1" "... the per-instance view shows it, marked old, with its scur 1"
hap_cli -s "master:$M1" --old-workers -o json server show slow1 -b backend_slow
is "$(J '.[0].metrics.scur' <<<"$HAP_OUT")" 1 "with --old-workers the aggregate includes it"

hap_cli -s "master:$M1" -n server set srv_all1 weight 7 -b backend_all
is "$HAP_RC" 0 "dry-run write through the master"
like "$HAP_OUT" "@!$new: set weight backend_all/srv_all1 7" "... lists the current worker"
unlike "$HAP_OUT" "@!$old" "... not the old one"
hap_cli -s "master:$M1" --old-workers -n server set srv_all1 weight 7 -b backend_all
like "$HAP_OUT" "@!$new: set weight backend_all/srv_all1 7" "dry-run with --old-workers: the current worker"
like "$HAP_OUT" "@!$old: set weight backend_all/srv_all1 7" "... and the old worker"
is "$(hap_sock "$A1" "get weight backend_all/srv_all1")" "1 (initial 1)" "HAProxy: a dry run changes nothing"
refusal=$(hap_sock "$M1" "@!$old set weight backend_all/srv_all1 7")
is "$refusal" 'Proxy is disabled.' "HAProxy: the old worker refuses changes"
hap_cli -s "master:$M1" --old-workers -o json server set srv_all1 weight 7 -b backend_all
is "$HAP_RC" 1 "real write with --old-workers: exit 1 (partly applied)"
is "$(J ".[] | select(.endpoint == \"master:$M1 @!$new\") | .result" <<<"$HAP_OUT")" applied \
	"the current worker applies"
is "$(J ".[] | select(.endpoint == \"master:$M1 @!$old\") | \"\(.result)|\(.message)\"" <<<"$HAP_OUT")" \
	"refused|Proxy is disabled." "the old worker refuses, HAProxy's text verbatim"
is "$(hap_sock "$A1" "get weight backend_all/srv_all1")/$(hap_sock "$M1" "@!$old get weight backend_all/srv_all1")" \
	"7 (initial 1)/1 (initial 1)" "HAProxy: new worker 7, old worker unchanged"
hap_cli -s "master:$M1" -o json server set srv_all1 weight 1 -b backend_all
is "$HAP_RC/$(J '[.[] | "\(.result)"] | join(" ")' <<<"$HAP_OUT")" "0/applied" \
	"without --old-workers a write goes to the current worker only"
expect_all_holders -i 1 server backend_all/srv_all1 get-weight 1 "HAProxy: the current worker of instance 1 reads weight 1"
is "$(hap_sock "$M1" "@!$old get weight backend_all/srv_all1")" "1 (initial 1)" "HAProxy: the old worker still reads 1"
hap_sock "$M1" "show proc" >"$FLEET_DIR/stale-proc.txt"

# ================================================================ restart (instance 4)
A4=$FLEET_ADMIN_SOCK_4 M4=$FLEET_MASTER_SOCK_4
hap_cli -s "$A4" -o json info
p_a=$(J '.instances[0].info.Pid' <<<"$HAP_OUT")
st_a=$(J '.instances[0].info.Start_time_sec' <<<"$HAP_OUT")
is "$p_a" "${PID[4]}" "instance 4 before the restart: pid $p_a"
kill -TERM "$FLEET_MASTER_PID_4"
for t in $(seq 1 50); do
	alive "$FLEET_MASTER_PID_4" || alive "$p_a" || break
	sleep 0.1
done
ok "$(alive "$p_a" && echo 1 || echo 0)" "instance 4 stopped"
hap_cli -s "$A4" info
is "$HAP_RC" 3 "a stopped instance: exit 3"
sleep 1 # a new Start_time_sec too
haproxy -W -S "$M4,mode,600" -D -f "$FLEET_DIR/haproxy4.cfg" -p "$FLEET_DIR/haproxy4.pid" \
	</dev/null >>"$FLEET_DIR/haproxy4.log" 2>&1
mp4=""
for t in $(seq 1 50); do
	mp4=$(head -n 1 "$FLEET_DIR/haproxy4.pid" 2>/dev/null)
	[ -n "$mp4" ] && [ "$mp4" != "$FLEET_MASTER_PID_4" ] && break
	sleep 0.1
done
echo "$mp4" >>"$FLEET_DIR/pids"
p_b=""
for t in $(seq 1 50); do
	p_b=$(info_field "$A4" Pid)
	[ -n "$p_b" ] && break
	sleep 0.1
done
st_b=$(info_field "$A4" Start_time_sec)
isnt "$p_b" "$p_a" "HAProxy: instance 4 runs again on the same socket as a new process ($p_b)"
hap_cli -s "$A4" -o json info
is "$HAP_RC" 0 "info on the restarted instance"
is "$(J '.instances[0].info | "\(.Pid) \(.Start_time_sec)"' <<<"$HAP_OUT")" "$p_b $st_b" \
	"the CLI reports the new identity (Pid, Start_time_sec)"
ok "$([ "$st_b" -gt "$st_a" ] && echo 0 || echo 1)" "Start_time_sec moved on ($st_a -> $st_b)"
hap_cli -s "$A4" -s "$FLEET_TCP_SOCK_4" -s "master:$M4" -o json info
is "$(J '[.instances[] | select(.counted)] | length' <<<"$HAP_OUT"):$(J '[.instances[].info.Pid] | unique | join(",")' <<<"$HAP_OUT")" \
	"1:$p_b" "its admin socket, TCP socket and new master are one process"

# an instance restarting during a change: a proxy in front of admin4.sock
# reloads instance 4 when the change itself arrives, then forwards it
# (the request is read whole and forwarded in one write: HAProxy drops a
# line that arrives in a later write). A change is a prompt session that
# ends with "quit" instead of a half-close: the request ends there too.
cat >"$FLEET_DIR/reload-proxy.sh" <<EOF
req=\$(while IFS= read -r l; do printf '%s\\n' "\$l"; [ "\$l" = quit ] && break; done; echo .)
case \$req in
*"set weight"*)
	before=\$(printf 'show info\n' | socat - UNIX-CONNECT:$A4 | sed -n 's/^Pid: //p')
	kill -USR2 $mp4
	for t in \$(seq 1 50); do
		now=\$(printf 'show info\n' | socat - UNIX-CONNECT:$A4 | sed -n 's/^Pid: //p')
		[ -n "\$now" ] && [ "\$now" != "\$before" ] && break
		sleep 0.1
	done
	echo "\$before -> \$now" >>$FLEET_DIR/reload-proxy.log
	;;
esac
printf '%s' "\${req%.}" | socat -t 5 - UNIX-CONNECT:$A4 2>/dev/null
EOF
spawn timeout 60 socat -t 10 -lf "$FLEET_DIR/proxy4.log" "UNIX-LISTEN:$FLEET_DIR/proxy4.sock,fork" \
	"EXEC:bash $FLEET_DIR/reload-proxy.sh"
for t in $(seq 1 20); do [ -S "$FLEET_DIR/proxy4.sock" ] && break; sleep 0.05; done
hap_cli -t 5 -s "$FLEET_DIR/proxy4.sock" server set srv_all1 weight 3 -b backend_all
p_c=$(info_field "$A4" Pid)
is "$(cat "$FLEET_DIR/reload-proxy.log" 2>/dev/null)" "$p_b -> $p_c" \
	"HAProxy: instance 4 was reloaded while the change was on its way ($p_b -> $p_c)"
like "$HAP_ERR" "proxy4.sock: restarted during the change \(pid $p_b, now $p_c\)" \
	"the CLI notices the restart between its read and its re-read"
expect_all_holders -i 4 server backend_all/srv_all1 get-weight 3 "HAProxy: instance 4's new worker ($p_c) reads weight 3"

# ================================================================ mixed versions (fixtures + instance 3)
MIX=$HAP_SRCDIR/tests/data/mixed
own_dir
FK=$OWN_DIR
for f in reordered missing extra; do
	fake_start "$FK/$f.sock" "$MIX/$f.txt" || bail_out "fake $f did not start"
done
track_fakes
mixed=(-s "$A" -s "$FK/reordered.sock" -s "$FK/missing.sock" -s "$FK/extra.sock")
fixture_csv() { sed -n '/^# pxname/,$p' "$MIX/$1.txt"; }
hap_cli "${mixed[@]}" -o json info
is "$HAP_RC/$(J '[.instances[] | select(.counted)] | length' <<<"$HAP_OUT")" "0/4" "a real instance and 3 fixtures: 4 processes" ||
	diag "$HAP_ERR"
is "$(J '[.instances[].info.Version] | join(" ")' <<<"$HAP_OUT")" \
	"$(info_field "$A" Version) 2.6.12-1+deb12u4 2.4.22-0+deb11u1 2.8.3-1~bpo12+1" "each instance's version"
like "$(J '.disagree | join(" ")' <<<"$HAP_OUT")" '(^| )Version( |$)' "versions are listed as disagreeing"
hap_cli "${mixed[@]}" -o json server show srv_all1 -b backend_all
is "$HAP_RC" 0 "server show across mixed headers exits 0" || diag "$HAP_ERR"
is "$(J '.[0].instances | length' <<<"$HAP_OUT")" 4 "srv_all1 merged from 4 instances"
sum=$(stat_field "$A" backend_all srv_all1 stot)
k=1
for f in reordered missing extra; do
	csv=$(fixture_csv "$f")
	want="" got=""
	for c in stot bout lbtot status check_status addr; do
		want="$want $c=$(csv_field "$csv" backend_all srv_all1 "$c")"
	done
	got=$(J ".[0].instances[$k] | \" stot=\(.metrics.stot) bout=\(.metrics.bout) lbtot=\(.metrics.lbtot) status=\(.status) check_status=\(.text.check_status) addr=\(.text.addr)\"" <<<"$HAP_OUT")
	is "$got" "$want" "$f.txt: values taken by column name"
	sum=$((sum + $(csv_field "$csv" backend_all srv_all1 stot)))
	k=$((k + 1))
done
is "$(J '.[0].instances[0] | "\(.metrics.stot) \(.text.addr)"' <<<"$HAP_OUT")" \
	"$(stat_field "$A" backend_all srv_all1 stot) $(stat_field "$A" backend_all srv_all1 addr)" \
	"the real instance's values are its own"
is "$(J '.[0].metrics.stot' <<<"$HAP_OUT")" "$sum" "stot is summed across the versions ($sum)"
is "$(J '[.[0].instances[] | .metrics.uweight // "absent"] | join(" ")' <<<"$HAP_OUT")" \
	"$(stat_field "$A" backend_all srv_all1 uweight) 1 absent 1" \
	"a column missing on one instance (uweight) is absent there only"
is "$(J '[.[0].instances[] | .metrics.x_future_gauge // "absent"] | join(" ")' <<<"$HAP_OUT")" \
	"absent absent absent 42" "an unknown extra column is kept for the instance that has it"
is "$(J '.[0].instances[3].text.x_future_text' <<<"$HAP_OUT")" "future, text" "... a quoted text one too"
hap_cli "${mixed[@]}" server show srv_all1 -b backend_all
like "$HAP_OUT" $'\n''x_future_gauge +[a-z]+ +42 ' "server show lists the unknown column x_future_gauge"
like "$HAP_OUT" $'\n''x_future_text ' "... and x_future_text"
hap_cli "${mixed[@]}" -o json server list
is "$(J '[.[] | select(.name == "bck_all_srv1") | "\(.backend):\(.instances | length)"] | join(" ")' <<<"$HAP_OUT")" \
	"backend1_proc34:1 backend2_proc34:1 backend_all:4 backend_proc1:3" \
	"objects merge by name across the versions (backend_proc1 only in the fixtures)"

# ================================================================ IPv6 and master:tcp
if grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null; then
	own_dir
	V=$OWN_DIR
	started=0
	for _ in 1 2 3; do
		base=$(fleet__pick_base 3) || break
		cat >"$V/v6.cfg" <<EOF
global
    node lab-v6
    noreuseport
    stats socket $V/v6.sock mode 600 level admin
    stats socket ipv6@[::1]:$base level admin
    stats timeout 30s

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s

backend be_v6
    server s1 127.0.0.1:$((base + 2))
EOF
		haproxy -W -S "127.0.0.1:$((base + 1))" -S "ipv6@[::1]:$((base + 2))" -D -f "$V/v6.cfg" \
			-p "$V/v6.pid" </dev/null >"$V/v6.log" 2>&1 || continue
		for t in $(seq 1 50); do [ -s "$V/v6.pid" ] && break; sleep 0.1; done
		head -n 1 "$V/v6.pid" >>"$V/pids"
		for t in $(seq 1 50); do
			[ -n "$(info_field "$V/v6.sock" Pid)" ] && { started=1; break; }
			sleep 0.1
		done
		[ $started = 1 ] && break
		fleet_stop "$V"
	done
	if [ $started = 1 ]; then
		pv=$(info_field "$V/v6.sock" Pid)
		out=$(printf 'show info\n' | timeout 5 socat - "TCP6:[::1]:$base" | sed -n 's/^Pid: //p')
		is "$out" "$pv" "HAProxy: the IPv6 stats socket [::1]:$base reaches pid $pv"
		hap_cli -s "tcp:[::1]:$base" -o json info
		is "$HAP_RC/$(J '.instances[0] | "\(.endpoint) \(.info.Pid)"' <<<"$HAP_OUT")" "0/tcp:[::1]:$base $pv" \
			"tcp:[::1]:PORT works"
		hap_cli -s "tcp:[::1]:$base" -o json server list
		is "$(J '[.[] | "\(.backend)/\(.name)"] | join(" ")' <<<"$HAP_OUT")" "be_v6/s1" "server list over IPv6"
		w=$(printf 'show proc\n' | timeout 5 socat - "TCP4:127.0.0.1:$((base + 1))" |
			awk '/^# workers/ { f = 1; next } /^#/ { f = 0 } f && $2 == "worker" { print $1 }')
		is "$w" "$pv" "HAProxy: the TCP master CLI lists worker $pv"
		hap_cli -s "master:tcp:127.0.0.1:$((base + 1))" -o json info
		is "$HAP_RC/$(J '[.instances[] | "\(.endpoint)=\(.info.Pid)"] | join(" ")' <<<"$HAP_OUT")" \
			"0/master:tcp:127.0.0.1:$((base + 1)) @!$pv=$pv" "master:tcp:HOST:PORT expands to its worker"
		hap_cli -s "master:tcp:[::1]:$((base + 2))" -o json server list
		is "$HAP_RC/$(J '[.[] | "\(.backend)/\(.name)=\(.instances | length)"] | join(" ")' <<<"$HAP_OUT")" \
			"0/be_v6/s1=1" "master:tcp:[::1]:PORT works too"
		hap_cli -s "$V/v6.sock" -s "tcp:[::1]:$base" -s "master:tcp:127.0.0.1:$((base + 1))" -o json info
		is "$(J '[.instances[] | select(.counted)] | length' <<<"$HAP_OUT")/$(J '.aggregate.Maxconn' <<<"$HAP_OUT")" \
			"1/$(info_field "$V/v6.sock" Maxconn)" "UNIX + IPv6 + TCP master of one process count once"
	else
		diag "$(cat "$V/v6.log" 2>/dev/null)"
		fail "could not start the IPv6 / TCP-master instance"
	fi
else
	for k in 1 2 3 4 5 6 7; do skip "::1 is not available"; done
fi

# ================================================================ a worker that vanished (instance 1)
# The old worker exits when its held request ends. A master whose
# `show proc` was read while it still ran then addresses a gone pid: a
# front for master1.sock that answers `show proc` with that stale listing
# and forwards everything else to the real master.
for t in $(seq 1 150); do
	alive "$old" || break
	sleep 0.1
done
ok "$(alive "$old" && echo 1 || echo 0)" "the old worker exits once its request is done ($(($(now_ms) - T_HOLD)) ms after the hold)"
hap_cli -s "master:$M1" -o json info
is "$(J '[.instances[].info.Pid] | join(" ")' <<<"$HAP_OUT")" "$new" "the master now lists the current worker only"
cat >"$FLEET_DIR/stale-master.sh" <<EOF
req=\$(cat; echo .)
if [ "\${req%.}" = "show proc
" ]; then
	cat $FLEET_DIR/stale-proc.txt
else
	printf '%s' "\${req%.}" | socat -t 5 - UNIX-CONNECT:$M1 2>/dev/null
fi
EOF
spawn timeout 60 socat -t 10 -lf "$FLEET_DIR/stale.log" "UNIX-LISTEN:$FLEET_DIR/stale.sock,fork" \
	"EXEC:bash $FLEET_DIR/stale-master.sh"
for t in $(seq 1 20); do [ -S "$FLEET_DIR/stale.sock" ] && break; sleep 0.05; done
like "$(hap_sock "$FLEET_DIR/stale.sock" "show proc")" $'# old workers\n'"$old " "the stale listing still names $old"
is "$(hap_sock "$FLEET_DIR/stale.sock" "@!$old show info")" "Can't find the target PID matching the prefix '@!$old'" \
	"HAProxy (through the front): the master refuses @!$old"
t0=$(now_ms)
hap_cli -t 5 -s "master:$FLEET_DIR/stale.sock" -o json info
ms=$(($(now_ms) - t0))
is "$HAP_RC" 1 "info with a vanished worker: exit 1 (${ms} ms, deadline 5 s)"
is "$(J '[.instances[] | "\(.info.Pid // "-"):\(.ok):\(.counted)"] | join(" ")' <<<"$HAP_OUT")" \
	"$new:true:true -:false:false" "the current worker answers, the vanished one is an error"
like "$HAP_ERR" "stale\.sock @!$old: " "the vanished worker is reported by name"
unlike "$HAP_ERR" "no reply within|incomplete" "... at once, not at the deadline (the master closed)"
like "$HAP_ERR" "@!$old: Can't find the target PID matching the prefix '@!$old'" \
	"the report says, in the master's words, that it cannot find pid $old"
hap_cli -t 5 --old-workers -s "master:$FLEET_DIR/stale.sock" haproxy exec 'show info'
is "$HAP_RC" 1 "haproxy exec with a vanished worker: exit 1"
like "$HAP_ERR" "@!$old: Can't find the target PID matching the prefix '@!$old'" \
	"haproxy exec shows the master's refusal for the vanished worker"
like "$HAP_OUT" $'\n'"Pid: $new"$'\n' "... and the current worker's reply"
hap_cli -t 5 --old-workers -s "master:$FLEET_DIR/stale.sock" -o json server set srv_all1 weight 4 -b backend_all
is "$HAP_RC" 1 "a write with a vanished worker: exit 1"
is "$(J ".[] | select(.endpoint == \"master:$FLEET_DIR/stale.sock @!$new\") | .result" <<<"$HAP_OUT")" applied \
	"... the current worker applies"
isnt "$(J ".[] | select(.endpoint == \"master:$FLEET_DIR/stale.sock @!$old\") | .result" <<<"$HAP_OUT")" applied \
	"... the vanished one is not reported as applied"
expect_all_holders -i 1 server backend_all/srv_all1 get-weight 4 "HAProxy: instance 1's current worker reads weight 4"
ok "$(alive "$old" && echo 1 || echo 0)" "... and the vanished worker is really gone (pid $old)"

# ================================================================ 64 instances
own_dir
MANY=$OWN_DIR
mkdir -p "$MANY/sock"
for i in $(seq -w 1 64); do
	cat >"$MANY/m$i.cfg" <<EOF
global
    node many-$i
    nbthread 1
    maxconn 200
    stats socket $MANY/sock/m$i.sock mode 600 level admin
    stats timeout 30s

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s

backend backend_all
    server srv_all1 127.0.0.1:9
    server srv_all2 127.0.0.1:9
    server srv_all3 127.0.0.1:9

backend be_own_$i
    server own 127.0.0.1:9
EOF
done
launch=()
for i in $(seq -w 1 64); do
	haproxy -D -f "$MANY/m$i.cfg" -p "$MANY/m$i.pid" </dev/null >"$MANY/m$i.log" 2>&1 &
	launch+=($!)
done
wait "${launch[@]}"
for i in $(seq -w 1 64); do head -n 1 "$MANY/m$i.pid" 2>/dev/null; done >"$MANY/pids"
deadline=$(($(now_ms) + 15000))
mx=0
for i in $(seq -w 1 64); do
	n=""
	while [ -z "$n" ] && [ "$(now_ms)" -lt "$deadline" ]; do
		n=$(info_field "$MANY/sock/m$i.sock" Maxconn)
		[ -z "$n" ] && sleep 0.1
	done
	mx=$((mx + ${n:-0}))
done
is "$(wc -l <"$MANY/pids") $mx" "64 12800" "HAProxy: 64 instances answer, Maxconn 200 each"
timing() { # timing N CLI-ARGS...: "MIN/MEDIAN" ms of N runs of the CLI
	local n=$1 k t0 ts=()
	shift
	for ((k = 0; k < n; k++)); do
		t0=$(now_ms)
		"$HAPROXYADMIN" "$@" >/dev/null 2>>"$MANY/timing.err"
		ts+=($(($(now_ms) - t0)))
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%d/%d", v[1], v[int((NR + 1) / 2)] }'
}
sixteen=()
for i in $(seq -w 1 16); do sixteen+=(-s "$MANY/sock/m$i.sock"); done
t1=$(timing 9 -s "$MANY/sock/m01.sock" server list)
t16=$(timing 9 "${sixteen[@]}" server list)
t64=$(timing 9 -s "$MANY/sock" server list)
sanitizer_check "the timed 'server list' runs" "$(cat "$MANY/timing.err" 2>/dev/null)"
diag "wall time of 'server list', min/median of 9 runs: 1 instance ${t1} ms, 16 instances ${t16} ms, 64 instances ${t64} ms"
hap_cli -s "$MANY/sock" -o json server list
is "$HAP_RC" 0 "server list on 64 instances exits 0"
is "$(J '[.[] | select(.backend == "backend_all") | "\(.name)=\(.instances | length)"] | join(" ")' <<<"$HAP_OUT")" \
	"srv_all1=64 srv_all2=64 srv_all3=64" "backend_all's servers merge 64 instances"
is "$(J '[.[] | select(.backend | startswith("be_own_")) | .instances | length] | "\(unique | join(",")) x \(length)"' <<<"$HAP_OUT")" \
	"1 x 64" "each instance's own backend is listed once, with its one instance"
R64=$(proj <<<"$HAP_OUT")
hap_cli -s "$MANY/sock" server list -b backend_all
like "$HAP_OUT" $'\n''backend_all +srv_all1 .* 64'$'\n' "the table's INSTANCES column says 64"
hap_cli -s "$MANY/sock" --parallel 8 -o json server list
is "$HAP_RC/$(proj <<<"$HAP_OUT")" "0/$R64" "--parallel 8 gives the same result"
hap_cli -s "$MANY/sock" -o json info
is "$(J '[.instances[] | select(.counted)] | length' <<<"$HAP_OUT")/$(J '.aggregate.Maxconn' <<<"$HAP_OUT")" \
	"64/$mx" "info: 64 processes, Maxconn summed"

# bounded sockets, seen from the serving side: fakes that answer after 2 s
# and log each connection they serve (each connection forks a shell: on a
# loaded machine 64 of them took more than 1 s to start, and the first
# answered before the last had logged)
own_dir
BND=$OWN_DIR
for i in $(seq -w 1 64); do
	fake_start "$BND/f$i.sock" "$MIX/reordered.txt" 2 "$BND/all.log" || bail_out "fake f$i did not start"
done
track_fakes
: >"$BND/all.log"
hap_cli -t 30 -s "$BND" info
is "$HAP_RC/$(grep -c '^+' "$BND/all.log")/$(fake_max_concurrency "$BND/all.log")" "0/64/64" \
	"64 slow instances are read in one parallel round (64 connections at once)"
: >"$BND/all.log"
few=()
for i in $(seq -w 1 16); do few+=(-s "$BND/f$i.sock"); done
hap_cli -t 30 --parallel 8 "${few[@]}" info
is "$HAP_RC/$(grep -c '^+' "$BND/all.log")/$(fake_max_concurrency "$BND/all.log")" "0/16/8" \
	"--parallel 8: never more than 8 sockets open at once"
: >"$BND/all.log"
same=()
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do same+=(-s "$BND/f01.sock"); done
hap_cli -t 30 "${same[@]}" info
n=$(fake_max_concurrency "$BND/all.log")
is "$HAP_RC/$(grep -c '^+' "$BND/all.log")" "0/12" "one socket given 12 times is read 12 times"
ok "$([ "$n" -le 4 ] && echo 0 || echo 1)" "... with at most 4 connections to it at once ($n), far below HAProxy's 10"
fake_stop_all

diag "total $(($(now_ms) - T_START)) ms after the fleet started"
done_testing
