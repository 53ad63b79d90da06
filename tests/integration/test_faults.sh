#!/usr/bin/env bash
# test_faults.sh - faults: nothing lost, nothing hangs, every failure named.
#
# A real 4-instance fleet; each fault is put on one endpoint while the others
# are real instances, and each block asserts the exit status (README: 1 when
# an instance failed, 2 for invalid input with nothing sent), that stderr
# names the faulty endpoint with its cause, that the other instances' results
# are complete (their objects read, or their change applied and read back
# from their own sockets), and a time bound with a generous margin.
#
# Fake endpoints answer with what instance 4 itself answered to a snapshot
# read, so a fake stands for a whole instance (instance 4's real socket is
# then left out, or it would be the same process twice). test_read.sh already
# covers a listener that never answers a read and a killed instance on read;
# here the faults hit writes as well.
set -u
. "$(dirname "$0")/lib.sh"

fleet_up 4
F=$FLEET_DIR/faults
mkdir -p "$F"
J() { jq -r "$@"; }
R3=(-s "$FLEET_ADMIN_SOCK_1" -s "$FLEET_ADMIN_SOCK_2" -s "$FLEET_ADMIN_SOCK_3")

printf 'show cli level\nshow info\nshow stat\n' |
	timeout 10 socat -t 5 - "UNIX-CONNECT:$FLEET_ADMIN_SOCK_4" >"$F/reply4"
like "$(tail -c 2 "$F/reply4" | od -An -c | tr -d ' ')" '^\\n\\n$' \
	"captured instance 4's snapshot reply, whole"

# One connection of a fake instance. The first request line tells a snapshot
# read ("show cli level" first) from a change.
cat >"$F/fake.sh" <<'EOF'
#!/bin/bash
# fake.sh MODE FILE [ARGS]
mode=$1 file=$2
IFS= read -r first
case $first in "show cli level"*) read=1 ;; *) read=0 ;; esac
case $mode in
reply) cat >/dev/null; cat "$file" ;;                  # FILE to anything
hang) cat >/dev/null; sleep 60 ;;                      # never a byte
hang-write) cat >/dev/null; [ $read = 1 ] && cat "$file" || sleep 60 ;;
close-write) cat >/dev/null; [ $read = 1 ] && cat "$file" ;;   # a change: closed, no byte
garbage-write) cat >/dev/null; [ $read = 1 ] && cat "$file" || cat "$3" ;;
big) cat >/dev/null; cat "$file"; head -c "$3" /dev/zero ;;
drip) # FILE in CHUNK-byte pieces, DELAY seconds apart
	cat >/dev/null
	size=$(stat -c %s "$file") off=0
	while [ $off -lt $size ]; do
		tail -c +$((off + 1)) "$file" | head -c "$3"
		off=$((off + $3))
		sleep "$4"
	done ;;
kill-write) # a proxy to a real socket ($3) that kills its process ($4) on a change
	if [ $read = 1 ]; then
		# in one write: HAProxy runs only the lines of its first read
		req=$(mktemp)
		{ printf '%s\n' "$first"; cat; } >"$req"
		socat -t 5 - "UNIX-CONNECT:$3" <"$req"
		rm -f "$req"
	else
		cat >/dev/null
		kill -9 "$4"
	fi ;;
esac
exit 0
EOF

# fake NAME MODE FILE [ARGS]: listen on $F/NAME.sock (bounded lifetime)
fake() {
	local sock=$F/$1.sock
	shift
	spawn timeout 300 socat -t 60 "UNIX-LISTEN:$sock,fork,unlink-early" \
		"EXEC:bash $F/fake.sh $*" 2>/dev/null
	for _ in $(seq 1 50); do [ -S "$sock" ] && return 0; sleep 0.1; done
	bail_out "fake $sock did not start"
}

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
# timed ARGS...: hap_cli, with the elapsed time in $MS
timed() {
	local t0
	t0=$(now_ms)
	hap_cli "$@"
	MS=$(($(now_ms) - t0))
}
within() { # within MAX_MS DESC
	ok "$([ "$MS" -lt "$1" ] && echo 0 || echo 1)" "$2 (${MS} ms < $1 ms)"
}
# servers SRV BACKEND: how many instances hold a server in the JSON of HAP_OUT
instances_of() {
	J --arg n "$1" --arg b "$2" \
		'[.[] | select(.name == $n and .backend == $b)][0].instances | length' <<<"$HAP_OUT"
}
weight_of() { # weight_of SOCKET
	hap_sock "$1" "get weight backend_all/bck_all_srv1" | sed -n '1s/ (initial.*//p'
}
result_of() { # result_of ENDPOINT: the "result" of the change row for ENDPOINT
	J --arg e "$1" '[.[] | select(.endpoint == $e)][0].result' <<<"$HAP_OUT"
}
weights_are() { # weights_are W1 W2 W3 W4 DESC
	is "$(weight_of "$FLEET_ADMIN_SOCK_1") $(weight_of "$FLEET_ADMIN_SOCK_2") $(weight_of "$FLEET_ADMIN_SOCK_3") $(weight_of "$FLEET_ADMIN_SOCK_4")" \
		"$1 $2 $3 $4" "$5"
}
restore() { hap_sock "$1" "set weight backend_all/bck_all_srv1 50" >/dev/null; }
restore_all() { for i in 1 2 3 4; do v=FLEET_ADMIN_SOCK_$i; restore "${!v}"; done; }

# ------------------------------------------------------------------ no process behind
# a socket file whose listener is gone: connect() is refused
socat "UNIX-LISTEN:$F/stale.sock" - </dev/null >/dev/null 2>&1 &
p=$!
for _ in $(seq 1 50); do [ -S "$F/stale.sock" ] && break; sleep 0.1; done
kill -9 "$p"
wait "$p" 2>/dev/null
ok "$([ -S "$F/stale.sock" ] && echo 0 || echo 1)" "stale: a socket file with nothing behind it"
timed "${R3[@]}" -s "$F/stale.sock" -o json server list
is "$HAP_RC" 1 "stale, read: exit 1"
like "$HAP_ERR" "stale\.sock: connection refused" "stale, read: the endpoint is named, refused"
is "$(instances_of srv_all1 backend_all)" 3 "stale, read: the 3 live instances are complete"
within 1500 "stale, read: refused at once"
timed "${R3[@]}" -s "$F/stale.sock" -o json server set bck_all_srv1 weight 21 -b backend_all
is "$HAP_RC" 1 "stale, write: exit 1"
like "$HAP_ERR" "stale\.sock: not reached, not changed: connection refused" \
	"stale, write: the endpoint is named as not changed"
is "$(J '[.[] | select(.result == "applied")] | length' <<<"$HAP_OUT")" 3 \
	"stale, write: 3 results, all applied"
weights_are 21 21 21 50 "stale, write: applied on 1-3, read back from their sockets"
within 1500 "stale, write: no wait"
restore_all

# ------------------------------------------------------------------ never answers
# accepts, then not a byte: the deadline ends it, the others are not held up
fake hung hang "$F/reply4"
timed "${R3[@]}" -s "$F/hung.sock" -t 0.5 -o json info
is "$HAP_RC" 1 "hung, info: exit 1"
like "$HAP_ERR" "hung\.sock: no reply within 0\.500 s" "hung, info: named, with the deadline"
is "$(J '[.instances[] | select(.ok)] | length' <<<"$HAP_OUT")" 3 "hung, info: 3 instances answered"
is "$(J '.instances[3].ok' <<<"$HAP_OUT")" false "hung, info: the hung one is not ok"
within 2000 "hung, info: bounded by the deadline"

# answers the read, then hangs on the change: the change's own deadline
fake hangw hang-write "$F/reply4"
timed "${R3[@]}" -s "$F/hangw.sock" -t 1 -o json server set bck_all_srv1 weight 22 -b backend_all
is "$HAP_RC" 1 "hung write: exit 1"
is "$(result_of "$F/hangw.sock")" error "hung write: its result is error, not applied"
like "$(J --arg e "$F/hangw.sock" '.[] | select(.endpoint == $e) | .message' <<<"$HAP_OUT")" \
	"no reply within 1\.000 s" "hung write: the message says the deadline passed"
like "$HAP_ERR" "hangw\.sock: backend_all/bck_all_srv1: error \(not-applied\): no reply within" \
	"hung write: stderr names it"
like "$HAP_ERR" "partly applied: 3 of 4 commands applied" "hung write: partly applied, 3 of 4"
weights_are 22 22 22 50 "hung write: applied on 1-3"
within 4000 "hung write: one deadline, plus the reads"
restore_all

# ------------------------------------------------------------------ drips
# a reply in 1000-byte pieces every 0.1 s: complete within the deadline is fine
fake drip drip "$F/reply4" 1000 0.1
timed "${R3[@]}" -s "$F/drip.sock" -t 5 -o json server list
is "$HAP_RC" 0 "slow drip inside the deadline: exit 0"
is "$(instances_of srv_all1 backend_all)" 4 "slow drip inside the deadline: all 4 instances"
# ...but the deadline bounds the whole exchange, not each read
timed "${R3[@]}" -s "$F/drip.sock" -t 0.4 -o json server list
is "$HAP_RC" 1 "slow drip past the deadline: exit 1"
like "$HAP_ERR" "drip\.sock: reply incomplete after 0\.400 s \([0-9]+ bytes received\)" \
	"slow drip past the deadline: named, with what was received"
is "$(instances_of srv_all1 backend_all)" 3 "slow drip past the deadline: the other 3 complete"
within 1500 "slow drip: a drip does not extend the deadline"

# ------------------------------------------------------------------ too large
# the reply of a read is capped (256 MiB): the instance fails, the rest is kept
fake big big "$F/reply4" 300000000
timed "${R3[@]}" -s "$F/big.sock" -t 60 -o json server list
is "$HAP_RC" 1 "reply over the cap: exit 1"
like "$HAP_ERR" "big\.sock: reply larger than 268435456 bytes" "reply over the cap: named, with the cap"
is "$(instances_of srv_all1 backend_all)" 3 "reply over the cap: the other 3 complete"
within 30000 "reply over the cap: stopped at the cap"

# ------------------------------------------------------------------ garbage, truncation
head -c 4096 /dev/urandom >"$F/garbage"
fake garbage reply "$F/garbage"
timed "${R3[@]}" -s "$F/garbage.sock" -o json server list
is "$HAP_RC" 1 "garbage reply: exit 1"
like "$HAP_ERR" "garbage\.sock: " "garbage reply: the endpoint is named"
is "$(instances_of srv_all1 backend_all)" 3 "garbage reply: the other 3 complete"
within 2000 "garbage reply: no wait"

: >"$F/empty"
fake empty reply "$F/empty"
hap_cli "${R3[@]}" -s "$F/empty.sock" -o json server list
is "$HAP_RC" 1 "empty reply: exit 1"
like "$HAP_ERR" "empty\.sock: " "empty reply: the endpoint is named"
is "$(instances_of srv_all1 backend_all)" 3 "empty reply: the other 3 complete"

# garbage in reply to a change is never "applied": the change and its
# read-back share one prompt session, and garbage carries no prompt, so no
# reply of it is complete: unknown, then settled by the snapshot read-back
fake garbagew garbage-write "$F/reply4" "$F/garbage"
hap_cli "${R3[@]}" -s "$F/garbagew.sock" -o json server set bck_all_srv1 weight 23 -b backend_all
is "$HAP_RC" 1 "garbage reply to a change: exit 1"
is "$(result_of "$F/garbagew.sock")" error "garbage reply to a change: not applied"
like "$HAP_ERR" "garbagew\.sock: backend_all/bck_all_srv1: error \(not-applied\): .*read back" \
	"garbage reply to a change: named, settled by the read-back"
weights_are 23 23 23 50 "garbage reply to a change: the other 3 applied"
restore_all

# a CSV cut inside a row, and inside a quoted field (the agent's text)
size=$(stat -c %s "$F/reply4")
head -c $((size - 300)) "$F/reply4" >"$F/cut-row"
q=$(grep -bo 'via agent' "$F/reply4" | head -n 1 | cut -d: -f1)
head -c $((q + 5)) "$F/reply4" >"$F/cut-quote"
fake cutrow reply "$F/cut-row"
fake cutquote reply "$F/cut-quote"
hap_cli "${R3[@]}" -s "$F/cutrow.sock" -o json server list
is "$HAP_RC" 1 "CSV cut inside a row: exit 1, not silently short"
like "$HAP_ERR" "cutrow\.sock: " "CSV cut inside a row: the endpoint is named"
is "$(instances_of srv_all1 backend_all)" 3 "CSV cut inside a row: the other 3 complete"
is "$(J '[.[] | .instances[]? | select(.endpoint | endswith("cutrow.sock"))] | length' <<<"$HAP_OUT")" 0 \
	"CSV cut inside a row: none of its rows is merged"
hap_cli "${R3[@]}" -s "$F/cutquote.sock" -o json server list
is "$HAP_RC" 1 "CSV cut inside a quoted field: exit 1"
like "$HAP_ERR" "cutquote\.sock: " "CSV cut inside a quoted field: named"
is "$(instances_of srv_all1 backend_all)" 3 "CSV cut inside a quoted field: the other 3 complete"

# ------------------------------------------------------------------ permission denied
# root connects to anything: run as nobody against a root-owned 0600 socket,
# the live instances reached over TCP
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	skip "permission denied: needs root and setpriv to run the CLI as another user"
else
	# a directory uid 65534 may cross (not read), with a copy of the CLI it may run
	P=$FLEET_DIR/perm
	mkdir -p "$P"
	chmod 711 "$FLEET_DIR" "$P"
	cp "$HAPROXYADMIN" "$P/haproxyadmin"
	chmod 755 "$P/haproxyadmin"
	spawn timeout 300 socat -t 60 "UNIX-LISTEN:$P/denied.sock,fork,unlink-early,mode=600" \
		"EXEC:bash $F/fake.sh reply $F/reply4" 2>/dev/null
	for _ in $(seq 1 50); do [ -S "$P/denied.sock" ] && break; sleep 0.1; done
	T3=(-s "$FLEET_TCP_SOCK_1" -s "$FLEET_TCP_SOCK_2" -s "$FLEET_TCP_SOCK_3")
	HAP_OUT=$("${nobody[@]}" timeout 60 "$P/haproxyadmin" "${T3[@]}" -s "$P/denied.sock" \
		-o json server list 2>"$F/perm.err")
	HAP_RC=$?
	HAP_ERR=$(cat "$F/perm.err")
	is "$HAP_RC" 1 "permission denied: exit 1"
	like "$HAP_ERR" "denied\.sock: permission denied" "permission denied: named, with the cause"
	is "$(instances_of srv_all1 backend_all)" 3 "permission denied: the 3 TCP instances complete"
	chmod 666 "$P/denied.sock"
	HAP_OUT=$("${nobody[@]}" timeout 60 "$P/haproxyadmin" "${T3[@]}" -s "$P/denied.sock" \
		-o json server list 2>/dev/null)
	is "$?" 0 "control: the same socket made 0666 works for the same user"
	is "$(instances_of srv_all1 backend_all)" 4 "control: then all 4 instances answer"
	chmod 700 "$FLEET_DIR"
fi

# ------------------------------------------------------------------ socket level
# a level "user" socket cannot write: not sent there, reported denied
hap_cli "${R3[@]}" -s "$FLEET_USER_SOCK_4" -o json server set bck_all_srv1 weight 24 -b backend_all
is "$HAP_RC" 1 "user-level socket asked to write: exit 1"
is "$(result_of "$FLEET_USER_SOCK_4")" denied "user-level socket: result denied"
is "$(J --arg e "$FLEET_USER_SOCK_4" '.[] | select(.endpoint == $e) | .sent' <<<"$HAP_OUT")" false \
	"user-level socket: nothing was sent to it"
like "$HAP_ERR" "user4\.sock: backend_all/bck_all_srv1: denied: socket level 'user' is too low" \
	"user-level socket: named, with the level"
weights_are 24 24 24 50 "user-level socket: applied on 1-3, instance 4 untouched"
restore_all
hap_cli -y -s "$FLEET_OPERATOR_SOCK_1" -s "$FLEET_ADMIN_SOCK_2" -o json haproxy clear-counters --all
is "$HAP_RC" 1 "operator-level socket asked for 'clear counters all': exit 1"
is "$(result_of "$FLEET_OPERATOR_SOCK_1")" denied "operator-level socket: denied"
is "$(result_of "$FLEET_ADMIN_SOCK_2")" sent "the admin socket next to it: sent (nothing to read back)"

# ------------------------------------------------------------------ slots taken
# HAProxy serves at most 10 connections per stats socket; the 11th waits
held=""
hold() { # hold N: N more idle connections to instance 4's admin socket
	local k
	for k in $(seq 1 "$1"); do
		timeout 60 socat -u "EXEC:sleep 50" "UNIX-CONNECT:$FLEET_ADMIN_SOCK_4" &
		held="$held $!"
		TAP_BG_PIDS="$TAP_BG_PIDS $!"
	done
	sleep 0.5
}
hold 9
timed -s "$FLEET_SOCK_DIR" -t 1 -o json server list
is "$HAP_RC" 0 "control: 9 of 10 slots taken, the 10th still serves (exit 0)"
is "$(instances_of srv_all1 backend_all)" 4 "control: all 4 instances answer"
hold 1
timed -s "$FLEET_SOCK_DIR" -t 1 -o json server list
is "$HAP_RC" 1 "all 10 slots taken: exit 1"
like "$HAP_ERR" "admin4\.sock: no reply within 1\.000 s \(socket busy or hung\)" \
	"all 10 slots taken: named, busy"
is "$(instances_of srv_all1 backend_all)" 3 "all 10 slots taken: the other 3 complete"
within 2500 "all 10 slots taken: bounded by the deadline"
timed -s "$FLEET_SOCK_DIR" -t 1 -o json server set bck_all_srv1 weight 25 -b backend_all
is "$HAP_RC" 1 "all 10 slots taken, write: exit 1"
like "$HAP_ERR" "admin4\.sock: not reached, not changed" "all 10 slots taken, write: named, not changed"
for p in $held; do kill "$p" 2>/dev/null; done
sleep 0.3
weights_are 25 25 25 50 "all 10 slots taken, write: applied on 1-3 only"
restore_all
hap_cli -s "$FLEET_SOCK_DIR" -o json server list
is "$(instances_of srv_all1 backend_all)" 4 "slots released: instance 4 answers again"

# ------------------------------------------------------------------ sun_path
# a path too long for sockaddr_un: invalid input, refused before anything is sent
long=$F/$(printf 'd%.0s' $(seq 1 60))/$(printf 'e%.0s' $(seq 1 40))
mkdir -p "$long"
(cd "$long" && exec timeout 300 socat -t 60 "UNIX-LISTEN:x.sock,fork" \
	"EXEC:bash $F/fake.sh reply $F/reply4") &
TAP_BG_PIDS="$TAP_BG_PIDS $!"
for _ in $(seq 1 50); do [ -S "$long/x.sock" ] && break; sleep 0.1; done
ok "$([ ${#long} -gt 100 ] && [ -S "$long/x.sock" ] && echo 0 || echo 1)" \
	"a socket at a path of $((${#long} + 7)) bytes (sun_path holds 107)"
cat >"$F/rec.sh" <<'EOF'
#!/bin/sh
{ echo "+ connection"; cat; } >>"$1"
cat "$2"
EOF
: >"$F/record"
spawn timeout 300 socat -t 60 "UNIX-LISTEN:$F/rec.sock,fork,unlink-early" \
	"EXEC:sh $F/rec.sh $F/record $F/reply4"
for _ in $(seq 1 50); do [ -S "$F/rec.sock" ] && break; sleep 0.1; done
hap_cli -s "$FLEET_ADMIN_SOCK_1" -s "$long/x.sock" -s "$F/rec.sock" server list
is "$HAP_RC" 2 "path longer than sun_path: exit 2 (invalid endpoint)"
like "$HAP_ERR" "x\.sock: socket path too long \([0-9]+ bytes, max 107\)" \
	"path longer than sun_path: named, with the limit"
ok "$([ -s "$F/record" ] && echo 1 || echo 0)" "path longer than sun_path: nothing sent to the others"
hap_cli -s "$F/rec.sock" server list
like "$(head -n 1 "$F/record")" '^\+ connection' "control: the recorder records"

# A directory (the default endpoint is one) holding instances 1-3 and one socket
# whose path is too long: that one should fail alone, named, the others be read.
M=$F/m
mkdir -p "$M"
for i in 1 2 3; do
	v=FLEET_ADMIN_SOCK_$i
	ln -s "${!v}" "$M/admin$i.sock"
done
# a name short enough to bind relative to the directory, long enough to make
# the full path exceed sun_path
n=$((118 - ${#M}))
[ "$n" -lt 20 ] && n=20
[ "$n" -gt 100 ] && n=100
lname=$(printf 'z%.0s' $(seq 1 "$n")).sock
(cd "$M" && exec timeout 300 socat -t 60 "UNIX-LISTEN:$lname,fork" \
	"EXEC:bash $F/fake.sh reply $F/reply4" 2>/dev/null) &
TAP_BG_PIDS="$TAP_BG_PIDS $!"
for _ in $(seq 1 50); do [ -S "$M/$lname" ] && break; sleep 0.1; done
ok "$([ -S "$M/$lname" ] && [ $((${#M} + 1 + ${#lname})) -gt 107 ] && echo 0 || echo 1)" \
	"a directory with 3 instances and a socket at a path of $((${#M} + 1 + ${#lname})) bytes"
hap_cli -s "$M" -o json server list
is "$HAP_RC" 1 "directory with a too-long socket: exit 1"
like "$HAP_ERR" 'zzz.*socket path too long' "the too-long socket is named, with the cause"
is "$(instances_of srv_all1 backend_all 2>/dev/null)" 3 "the 3 others are read"

# ------------------------------------------------------------------ stopped, killed
# an instance stopped (SIGSTOP) before a change: its read times out, it is not
# changed, the 3 others are
kill -STOP "$FLEET_PID_4"
timed -s "$FLEET_SOCK_DIR" -t 1 -o json server set bck_all_srv1 weight 26 -b backend_all
kill -CONT "$FLEET_PID_4"
is "$HAP_RC" 1 "stopped instance, write: exit 1"
like "$HAP_ERR" "admin4\.sock: not reached, not changed: no reply within 1\.000 s" \
	"stopped instance, write: named, not changed"
is "$(J '[.[] | select(.result == "applied")] | length' <<<"$HAP_OUT")" 3 \
	"stopped instance, write: 3 results, all applied"
within 3500 "stopped instance, write: bounded by the deadline"
sleep 0.3
weights_are 26 26 26 50 "stopped instance, write: instance 4 (running again) was never changed"
restore_all

# an instance that answers the read, then dies on the change (killed with the
# connection open: the change's connection closes without a byte)
fake midkill kill-write "$F/reply4" "$FLEET_ADMIN_SOCK_4" "$FLEET_PID_4"
timed "${R3[@]}" -s "$F/midkill.sock" -t 2 -o json server set bck_all_srv1 weight 27 -b backend_all
is "$HAP_RC" 1 "killed during the change: exit 1"
ok "$(alive "$FLEET_PID_4" && echo 1 || echo 0)" "killed during the change: instance 4 is dead"
isnt "$(result_of "$F/midkill.sock")" applied "killed during the change: its result is not 'applied'"
is "$(result_of "$F/midkill.sock")" unknown "killed during the change: sent, no reply, no read-back: unknown"
like "$HAP_ERR" "midkill\.sock: backend_all/bck_all_srv1: unknown: " "killed during the change: named"
like "$HAP_ERR" "partly applied: 3 of 4 commands applied" "killed during the change: 3 of 4 applied"
is "$(weight_of "$FLEET_ADMIN_SOCK_1") $(weight_of "$FLEET_ADMIN_SOCK_2") $(weight_of "$FLEET_ADMIN_SOCK_3")" \
	"27 27 27" "killed during the change: applied on 1-3, read back"
within 5000 "killed during the change: no hang"

done_testing
