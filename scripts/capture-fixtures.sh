#!/usr/bin/env bash
# capture-fixtures.sh DIR - record real HAProxy runtime API replies as test
# fixtures in tests/data/<major.minor>/ (2.6 here).
#
# Starts a 4-instance master-worker fleet in DIR (tests/fleet/fleet.sh; DIR
# must be empty or a previous capture's fleet dir; /tmp/hap-fixtures keeps the
# paths in the replies stable between runs, and ports start at 18000 when
# free), sends each command once over its own connection ("cmd\n", half-close,
# read to EOF, as socat does) and writes the reply bytes untouched, one file
# per case. tests/data/2.6/INDEX lists every file with the socket, the reply
# size, how it ends, and the exact command. Every change is undone after it
# is captured; the fleet is stopped at the end, whatever happens.
#
# Sockets in INDEX: admin<i> = DIR/sock/admin<i>.sock (instance i), tcp1 =
# instance 1's TCP admin socket, user1 / operator1 = DIR/extra/{user,operator}1.sock,
# master1 = DIR/master1.sock (master CLI of instance 1).
# Endings: lf = the reply is a lone "\n"; blank = ends with "\n\n";
# 1n = ends with a single "\n" (no blank line); none = no final "\n"; empty.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$top/tests/fleet/fleet.sh"

dir=${1:-}
if [ -z "$dir" ]; then
	echo "usage: scripts/capture-fixtures.sh DIR   (e.g. /tmp/hap-fixtures)" >&2
	exit 2
fi
mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd)
if [ -n "$(ls -A "$dir")" ]; then
	if [ -f "$dir/pids" ] && [ -z "$(fleet__live_pids "$dir")" ]; then
		rm -rf "${dir:?}"/*
	else
		echo "capture: $dir is not empty (and not a stopped fleet dir); give an empty dir" >&2
		exit 2
	fi
fi

version=$(haproxy -v | sed -n 's/^HAProxy version \([0-9]*\.[0-9]*\).*/\1/p')
[ -n "$version" ] || { echo "capture: cannot tell the haproxy version" >&2; exit 1; }
out=$top/tests/data/$version
stage=$(mktemp -d "${TMPDIR:-/tmp}/hap-capture.XXXXXX")
hold_pid=""

cleanup() {
	[ -n "$hold_pid" ] && kill "$hold_pid" 2>/dev/null
	fleet_stop "$dir"
	rm -rf "$stage"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "capture: starting a 4-instance master-worker fleet in $dir"
FLEET_PORT_BASE=${FLEET_PORT_BASE:-18000} fleet_start "$dir" 4 --master || exit 1
. "$dir/env"

declare -A SOCK=(
	[admin1]=$FLEET_ADMIN_SOCK_1 [admin2]=$FLEET_ADMIN_SOCK_2
	[admin3]=$FLEET_ADMIN_SOCK_3 [admin4]=$FLEET_ADMIN_SOCK_4
	[tcp1]=$FLEET_TCP_SOCK_1 [user1]=$FLEET_USER_SOCK_1
	[operator1]=$FLEET_OPERATOR_SOCK_1 [master1]=$FLEET_MASTER_SOCK_1
)
failures=0

ending() {
	local f=$1 n tail2
	n=$(stat -c %s "$f")
	[ "$n" = 0 ] && { echo empty; return; }
	tail2=$(tail -c 2 "$f" | od -An -tx1 | tr -d ' \n')
	if [ "$n" = 1 ] && [ "$tail2" = 0a ]; then echo lf
	elif [ "$tail2" = 0a0a ]; then echo blank
	elif [ "${tail2: -2}" = 0a ]; then echo 1n
	else echo none
	fi
}

# cap NAME SOCKET COMMAND: capture the reply of COMMAND into NAME.txt
cap() {
	local name=$1 label=$2 cmd=$3 f=$stage/$1.txt
	if [ -e "$f" ]; then
		echo "capture: duplicate fixture name $name" >&2
		failures=$((failures + 1))
		return 1
	fi
	if ! fleet_cmd "${SOCK[$label]}" "$cmd" >"$f"; then
		echo "capture: $name: no reply from $label for: $cmd" >&2
		failures=$((failures + 1))
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$name.txt" "$label" "$(stat -c %s "$f")" "$(ending "$f")" "$cmd" \
		>>"$stage/INDEX.body"
}

# send SOCKET COMMAND: a set-up or restoring command, not recorded
send() {
	fleet_cmd "${SOCK[$1]}" "$2" >/dev/null
}

# wait_until TRIES CMD...: retry CMD every 0.1 s
wait_until() {
	local n=$1 t
	shift
	for t in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

stat_of() { # stat_of LABEL PX SV COLUMN
	fleet_cmd "${SOCK[$1]}" "show stat" | awk -F, -v px="$2" -v sv="$3" -v c="$4" '
		NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == px && $2 == sv { print $col[c]; exit }'
}

scur_is() { [ "$(stat_of "$1" backend_slow slow1 scur)" = "$2" ]; }

# The state a write phase must leave behind (weights, admin states, addresses).
servers_state() {
	fleet_cmd "${SOCK[$1]}" "show servers state" | awk 'NR > 2 { print $2, $4, $5, $7, $8, $19 }'
}

wl=$FLEET_ACL_WL bl=$FLEET_ACL_BL h2b=$FLEET_MAP_H2B vm1=$FLEET_MAP_VM1
id_h2b=$FLEET_ID_H2B_1 id_wl=$FLEET_ID_WL_1 id_bl=$FLEET_ID_BL_2

# ------------------------------------------------------------------ reads
fleet_traffic "$dir" 3 >/dev/null
# two malformed requests so show errors has something to show
printf 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n' |
	timeout 5 socat -t 2 - "TCP:127.0.0.1:$FLEET_PORT_frontend_all_1" >/dev/null

for i in 1 2 3 4; do
	cap "show-info.inst$i" "admin$i" "show info"
	cap "show-stat.inst$i" "admin$i" "show stat"
	cap "show-acl.inst$i" "admin$i" "show acl"
	cap "show-map.inst$i" "admin$i" "show map"
	cap "show-servers-state.inst$i" "admin$i" "show servers state"
done
cap show-info.tcp1 tcp1 "show info"
cap show-info-typed admin1 "show info typed"
cap show-info-desc admin1 "show info desc"
cap show-stat-typed.inst1 admin1 "show stat typed"
cap show-stat-typed.inst3 admin3 "show stat typed"
cap show-stat-servers admin1 "show stat -1 4 -1"
cap show-stat-backends admin1 "show stat -1 2 -1"
cap show-stat-frontends admin1 "show stat -1 1 -1"
cap show-stat.backend-servers admin1 "show stat backend_proc1 4 -1"
cap show-stat.by-iid admin1 "show stat #4 4 -1"
cap show-stat.name-only admin1 "show stat backend_proc1"
cap show-stat.no-such-proxy admin1 "show stat nosuch 4 -1"
cap show-stat.unknown-iid admin1 "show stat 999 -1 -1"
cap show-servers-state.backend admin1 "show servers state backend_proc1"
cap show-servers-state.no-such admin1 "show servers state nosuch"
cap show-servers-state.no-servers admin1 "show servers state haproxy-stats"
cap show-backend admin1 "show backend"
cap show-backend.inst3 admin3 "show backend"

cap show-acl-file admin1 "show acl $wl"
cap show-acl-id admin1 "show acl #$id_wl"
cap show-acl-file.inst2-bl admin2 "show acl $bl"
cap show-acl.unknown-id admin1 "show acl #99"
cap show-acl.unknown-file admin1 "show acl /no/such/file"
cap show-map-file admin1 "show map $h2b"
cap show-map-id admin1 "show map #$id_h2b"
cap show-map-file.vm1 admin1 "show map $vm1"
cap show-map.unknown-id admin1 "show map #99"
cap show-map.id-of-an-acl admin1 "show map #$id_wl"
cap get-acl.hit admin1 "get acl $wl 127.0.0.1"
cap get-acl.miss admin1 "get acl $wl 10.9.9.9"
cap get-acl.hit-subnet admin2 "get acl $bl 192.168.5.5"
cap get-acl.missing-key admin1 "get acl $wl"
cap get-acl.unknown admin1 "get acl /no/such/file 1.2.3.4"
cap get-map.hit admin1 "get map $h2b app.foo.com"
cap get-map.miss admin1 "get map $h2b nosuch.foo.com"
cap get-map.missing-key admin1 "get map $h2b"
cap get-map.unknown admin1 "get map /no/such/file k"
cap get-map.wrong-id.inst3 admin3 "get map #$id_h2b app.foo.com"

cap show-errors admin1 "show errors"
cap show-errors.none admin2 "show errors"
cap show-errors.no-such-proxy admin1 "show errors nosuch"
cap show-cli-level.admin admin1 "show cli level"
cap show-cli-level.operator operator1 "show cli level"
cap show-cli-level.user user1 "show cli level"
cap show-table admin3 "show table"
cap show-table.no-such admin3 "show table nosuch"

cap unknown-command admin1 "bogus command"
cap unknown-command.uppercase admin1 "SHOW INFO"
cap empty-line admin1 ""

cap show-proc master1 "show proc"
cap master-show-cli-level master1 "show cli level"
cap master-show-info master1 "show info"
cap master-at1-show-info master1 "@1 show info"
cap master-bad-target.relative master1 "@2 show info"
cap master-bad-target.pid master1 "@!99999 show info"
cap master-bad-target.master-pid master1 "@!$FLEET_MASTER_PID_1 show info"

before=$(servers_state admin1)

# ------------------------------------------------------------------ weights
s=backend_proc1/bck_all_srv1
cap set-weight.ok-abs admin1 "set weight $s 50"
cap get-weight admin1 "get weight $s"
cap set-weight.ok-pct admin1 "set weight $s 50%"
cap get-weight.after-pct admin1 "get weight $s"
cap set-weight.ok-256 admin1 "set weight $s 256"
cap set-weight.ok-0 admin1 "set weight $s 0"
cap set-weight.ok-300pct admin1 "set weight $s 300%"
cap get-weight.after-300pct admin1 "get weight $s"
cap set-weight.257 admin1 "set weight $s 257"
cap set-weight.neg admin1 "set weight $s -1"
cap set-weight.abc admin1 "set weight $s abc"
cap set-weight.12.5 admin1 "set weight $s 12.5"
cap set-weight.empty-pct admin1 "set weight $s %"
cap set-weight.missing admin1 "set weight $s"
cap set-weight.no-slash admin1 "set weight backend_proc1 50"
cap set-weight.no-backend admin1 "set weight nosuch/bck_all_srv1 50"
cap set-weight.no-server admin1 "set weight backend_proc1/nosuch 50"
cap set-server-weight.ok admin1 "set server $s weight 60"
cap get-weight.no-backend admin1 "get weight nosuch/x"
cap get-weight.no-server admin1 "get weight backend_proc1/nosuch"
cap get-weight.by-id admin1 "get weight #4/#3"
send admin1 "set weight $s 100"

# ------------------------------------------------------------------ server state
s=backend_proc1/member1_proc1
cap set-server-state.drain admin1 "set server $s state drain"
cap set-server-state.maint admin1 "set server backend_proc1/member2_proc1 state maint"
send admin1 "set server backend_all/srv_all1 state maint"
cap show-stat.states admin1 "show stat"
cap show-servers-state.states admin1 "show servers state"
cap set-server-state.ready admin1 "set server $s state ready"
send admin1 "set server backend_proc1/member2_proc1 state ready"
send admin1 "set server backend_all/srv_all1 state ready"
cap set-server-state.bad admin1 "set server $s state bogus"
cap set-server-state.no-backend admin1 "set server nosuch/x state ready"
cap set-server-state.no-server admin1 "set server backend_proc1/nosuch state ready"
cap set-server-state.no-slash admin1 "set server backend_proc1 state ready"
cap set-server.usage admin1 "set server $s"
cap set-server.bad-keyword admin1 "set server $s bogus"
cap disable-server.ok admin1 "disable server $s"
cap disable-server.again admin1 "disable server $s"
cap enable-server.ok admin1 "enable server $s"
cap enable-server.no-backend admin1 "enable server nosuch/x"
cap enable-server.no-server admin1 "enable server backend_proc1/nosuch"
cap enable-server.no-slash admin1 "enable server backend_proc1"

# ------------------------------------------------------------------ health / agent
s=backend_all/srv_all1
cap set-server-health.down admin1 "set server $s health down"
cap show-stat.health-down admin1 "show stat -1 4 -1"
cap set-server-health.stopping admin1 "set server $s health stopping"
cap set-server-health.up admin1 "set server $s health up"
cap set-server-health.bad admin1 "set server $s health bogus"
cap set-server-health.tracking admin1 "set server backend_all/srv_track health down"
cap set-server-health.no-check admin1 "set server backend_all/member_bkall health down"
send admin1 "set server backend_all/member_bkall health up"
cap set-server-agent.down admin1 "set server backend_all/srv_agent agent down"
cap show-stat.agent-down admin1 "show stat -1 4 -1"
cap set-server-agent.up admin1 "set server backend_all/srv_agent agent up"
cap set-server-agent.bad admin1 "set server backend_all/srv_agent agent bogus"
cap set-server-agent.tracking admin1 "set server backend_all/srv_track agent down"
cap set-server-agent.no-agent admin1 "set server backend_all/member_bkall agent down"
send admin1 "set server backend_all/member_bkall agent up"
cap disable-health.ok admin1 "disable health $s"
cap show-stat.health-disabled admin1 "show stat -1 4 -1"
cap enable-health.ok admin1 "enable health $s"
cap enable-health.not-configured admin1 "enable health backend_all/member_bkall"
cap disable-health.not-configured admin1 "disable health backend_all/member_bkall"
cap disable-agent.ok admin1 "disable agent backend_all/srv_agent"
cap enable-agent.ok admin1 "enable agent backend_all/srv_agent"
cap enable-agent.not-configured admin1 "enable agent backend_all/member_bkall"
cap disable-agent.not-configured admin1 "disable agent backend_all/member_bkall"
cap enable-health.no-server admin1 "enable health backend_all/nosuch"
# let the checks bring srv_all1 back before going on
srv_all1_up() { [ "$(stat_of admin1 backend_all srv_all1 status)" = UP ]; }
wait_until 50 srv_all1_up || echo "capture: backend_all/srv_all1 did not come back UP" >&2

# ------------------------------------------------------------------ addr / maxconn
s=backend_all/member_bkall
o2=${FLEET_ORIGIN_PORTS#* }
o2=${o2%% *}
o3=${FLEET_ORIGIN_PORTS##* }
cap set-server-addr.ip-change admin1 "set server $s addr 127.0.0.2"
cap set-server-addr.same-ip admin1 "set server $s addr 127.0.0.2"
cap set-server-addr.same-ip-port-change admin1 "set server $s addr 127.0.0.2 port $o2"
cap set-server-addr.ip-and-port-change admin1 "set server $s addr 127.0.0.3 port $o3"
cap set-server-addr.ip-change-same-port admin1 "set server $s addr 127.0.0.2 port $o3"
cap set-server-addr.nothing-changes admin1 "set server $s addr 127.0.0.2 port $o3"
cap set-server-addr.bad-addr admin1 "set server $s addr bogus"
cap set-server-addr.hostname admin1 "set server $s addr localhost"
cap set-server-addr.missing admin1 "set server $s addr"
cap set-server-addr.bad-port-partial admin1 "set server $s addr 127.0.0.1 port abc"
cap set-server-addr.ipv6 admin1 "set server $s addr ::1"
send admin1 "set server $s addr 127.0.0.1 port $o3"
cap set-maxconn-server.ok admin1 "set maxconn server $s 100"
cap set-maxconn-server.garbage admin1 "set maxconn server $s abc"
cap set-maxconn-server.missing admin1 "set maxconn server $s"
cap set-maxconn-server.no-server admin1 "set maxconn server backend_all/nosuch 10"
send admin1 "set maxconn server $s 0"

# ------------------------------------------------------------------ sessions
fleet_hold "$dir" 1 &
hold_pid=$!
wait_until 50 scur_is admin1 1 || echo "capture: the slow request did not show up in scur" >&2
cap show-stat.held-session admin1 "show stat -1 4 -1"
cap show-sess.held admin1 "show sess"
cap shutdown-sessions-server.ok admin1 "shutdown sessions server backend_slow/slow1"
wait "$hold_pid"
hold_pid=""
cap shutdown-sessions-server.no-server admin1 "shutdown sessions server backend_slow/nosuch"
cap shutdown-sessions-server.no-backend admin1 "shutdown sessions server nosuch/slow1"
cap shutdown-sessions.backend-only admin1 "shutdown sessions backend_slow"
cap shutdown-session.no-such admin1 "shutdown session 0xdeadbeef"
cap show-sess.no-such admin1 "show sess 0xdead"

# ------------------------------------------------------------------ frontends
cap disable-frontend.ok admin1 "disable frontend frontend_proc1"
cap show-stat.frontend-paused admin1 "show stat -1 1 -1"
cap disable-frontend.already admin1 "disable frontend frontend_proc1"
cap enable-frontend.ok admin1 "enable frontend frontend_proc1"
cap enable-frontend.already admin1 "enable frontend frontend_proc1"
cap disable-frontend.no-such admin1 "disable frontend nosuch"
cap disable-frontend.backend-name admin1 "disable frontend backend_proc1"
cap disable-frontend.missing admin1 "disable frontend"
cap disable-frontend.by-id admin1 "disable frontend #3"
send admin1 "enable frontend #3"
cap set-maxconn-frontend.ok admin1 "set maxconn frontend frontend_proc1 500"
cap set-maxconn-frontend.abc admin1 "set maxconn frontend frontend_proc1 abc"
cap set-maxconn-frontend.missing admin1 "set maxconn frontend frontend_proc1"
cap set-maxconn-frontend.no-such admin1 "set maxconn frontend nosuch 10"
cap set-maxconn-frontend.backend-name admin1 "set maxconn frontend backend_proc1 10"
send admin1 "set maxconn frontend frontend_proc1 3000"

# shutdown is final: on instance 4, which nothing else uses afterwards
cap shutdown-frontend.ok admin4 "shutdown frontend frontend2_proc34"
cap shutdown-frontend.already admin4 "shutdown frontend frontend2_proc34"
cap enable-frontend.after-shutdown admin4 "enable frontend frontend2_proc34"
cap disable-frontend.after-shutdown admin4 "disable frontend frontend2_proc34"
cap set-maxconn-frontend.after-shutdown admin4 "set maxconn frontend frontend2_proc34 10"
cap show-stat.after-shutdown.inst4 admin4 "show stat -1 1 -1"
cap shutdown-frontend.no-such admin4 "shutdown frontend nosuch"

# ------------------------------------------------------------------ global
cap set-maxconn-global.ok admin1 "set maxconn global 2000"
cap set-maxconn-global.out-of-range admin1 "set maxconn global 100000"
cap set-maxconn-global.abc admin1 "set maxconn global abc"
cap set-maxconn-global.zero admin1 "set maxconn global 0"
cap set-rate-limit.connections admin1 "set rate-limit connections global 100"
cap set-rate-limit.sessions admin1 "set rate-limit sessions global 100"
cap set-rate-limit.ssl-sessions admin1 "set rate-limit ssl-sessions global 100"
cap set-rate-limit.http-compression admin1 "set rate-limit http-compression global 100"
cap show-info.rate-limits admin1 "show info"
cap set-rate-limit.abc admin1 "set rate-limit connections global abc"
cap set-rate-limit.missing-value admin1 "set rate-limit connections global"
cap set-rate-limit.bad-keyword admin1 "set rate-limit bogus global 1"
cap set-rate-limit.no-global admin1 "set rate-limit connections 1"
for k in connections sessions ssl-sessions http-compression; do
	send admin1 "set rate-limit $k global 0"
done
send admin1 "set maxconn global 4000"
cap clear-counters.ok admin1 "clear counters"
cap clear-counters.all admin1 "clear counters all"
cap show-stat.after-clear-all admin1 "show stat -1 1 -1"
cap clear-counters.bogus admin1 "clear counters bogus"
cap clear-counters.operator operator1 "clear counters"
cap clear-counters-all.operator operator1 "clear counters all"
cap clear-counters.user user1 "clear counters"

# ------------------------------------------------------------------ levels
cap set-weight.user user1 "set weight backend_proc1/bck_all_srv1 10"
cap set-weight.operator operator1 "set weight backend_proc1/bck_all_srv1 10"
cap show-errors.user user1 "show errors"
cap show-errors.operator operator1 "show errors"
cap disable-frontend.user user1 "disable frontend frontend_proc1"
cap show-stat.user user1 "show stat -1 2 -1"

# ------------------------------------------------------------------ acl
cap add-acl.ok admin2 "add acl $bl 10.1.1.1"
cap add-acl.duplicate admin2 "add acl $bl 10.1.1.1"
cap show-acl-file.after-add admin2 "show acl $bl"
cap del-acl.ok admin2 "del acl $bl 10.1.1.1"
cap del-acl.not-found admin2 "del acl $bl 10.1.1.1"
send admin2 "add acl $bl 10.9.9.9"
ref=$(fleet_cmd "${SOCK[admin2]}" "show acl $bl" | awk '$2 == "10.9.9.9" { print $1 }')
cap del-acl.ref-without-hash admin2 "del acl $bl $ref"
cap del-acl.ref admin2 "del acl $bl #$ref"
cap del-acl.bad-ref admin2 "del acl $bl #0xdeadbeef"
cap del-acl.missing admin2 "del acl $bl"
cap del-acl.unknown admin2 "del acl /no/such/file 1.2.3.4"
cap add-acl.bad-ip admin2 "add acl $bl not-an-ip"
cap add-acl.missing admin2 "add acl $bl"
cap add-acl.unknown admin2 "add acl /no/such/file 1.2.3.4"
cap add-acl.by-id admin2 "add acl #$id_bl 10.2.2.2"
send admin2 "del acl #$id_bl 10.2.2.2"
cap add-acl.user user1 "add acl $wl 10.3.3.3"
cap del-acl.user user1 "del acl $wl 10.3.3.3"
cap clear-acl.ok admin2 "clear acl $bl"
cap show-acl-file.empty admin2 "show acl $bl"
cap clear-acl.missing admin2 "clear acl"
cap clear-acl.unknown admin2 "clear acl #99"
send admin2 "add acl $bl 10.0.0.1"
send admin2 "add acl $bl 192.168.0.0/16"

# ------------------------------------------------------------------ map
cap add-map.ok admin1 "add map $h2b new.foo.com backend_all"
cap add-map.duplicate admin1 "add map $h2b new.foo.com backend_slow"
cap show-map-file.after-add admin1 "show map $h2b"
cap set-map.ok admin1 "set map $h2b new.foo.com backend_all"
cap get-map.after-set admin1 "get map $h2b new.foo.com"
cap set-map.not-found admin1 "set map $h2b nosuch.foo.com backend_all"
cap set-map.missing admin1 "set map $h2b new.foo.com"
cap del-map.ok admin1 "del map $h2b new.foo.com"
cap del-map.not-found admin1 "del map $h2b new.foo.com"
cap del-map.missing admin1 "del map $h2b"
cap add-map.missing admin1 "add map $h2b new.foo.com"
cap add-map.unknown admin1 "add map /no/such/file k v"
cap set-map.unknown admin1 "set map /no/such/file k v"
cap add-map.user user1 "add map $h2b user.foo.com backend_all"
send admin1 "del map $h2b user.foo.com"
cap clear-map.ok admin1 "clear map $h2b"
cap show-map-file.empty admin1 "show map $h2b"
cap clear-map.missing admin1 "clear map"
cap clear-map.unknown admin1 "clear map #99"
send admin1 "add map $h2b app.foo.com backend_all"
send admin1 "add map $h2b static.foo.com backend_all"
send admin1 "add map $h2b slow.foo.com backend_slow"

after=$(servers_state admin1)
if [ "$before" != "$after" ]; then
	echo "capture: warning: instance 1 servers state differs after the write phase:" >&2
	diff <(echo "$before") <(echo "$after") >&2
fi

# ------------------------------------------------------------------ reload
old=$FLEET_PID_1
fleet_hold "$dir" 1 &
hold_pid=$!
wait_until 50 scur_is admin1 1 || echo "capture: the slow request did not show up in scur" >&2
kill -USR2 "$FLEET_MASTER_PID_1"
new_worker() {
	local p
	p=$(fleet_cmd "${SOCK[admin1]}" "show info" | sed -n 's/^Pid: //p')
	[ -n "$p" ] && [ "$p" != "$old" ]
}
wait_until 50 new_worker || echo "capture: no new worker after the reload" >&2
cap show-proc.old-worker master1 "show proc"
cap master-old-worker-show-info master1 "@!$old show info"
cap master-old-worker-set-weight master1 "@!$old set weight backend_all/srv_all1 10"
cap master-old-worker-shutdown-sessions master1 "@!$old shutdown sessions server backend_slow/slow1"
cap master-old-worker-show-stat-frontends master1 "@!$old show stat -1 1 -1"
wait "$hold_pid"
hold_pid=""

# ------------------------------------------------------------------ write out
if [ "$failures" != 0 ]; then
	echo "capture: $failures failure(s); tests/data/$version left as it was" >&2
	exit 1
fi
{
	echo "# Raw replies of the HAProxy $version runtime API, one file per command and case."
	echo "# $(haproxy -v | head -n 1)"
	echo "# Captured by scripts/capture-fixtures.sh on $(date -u '+%Y-%m-%d %H:%M UTC') from a"
	echo "# 4-instance master-worker fleet (tests/fleet/fleet.sh) in $dir, ports from $FLEET_BASE_PORT."
	echo "# Each command was sent alone on its own connection as \"command\\n\", reply read to EOF."
	echo "# Sockets: admin<i> = instance i's admin socket, tcp1 = instance 1's TCP admin socket,"
	echo "# user1 / operator1 = instance 1's level user / operator sockets, master1 = its master CLI."
	echo "# Ids here: host2backend.map #$id_h2b on admin1 (#$FLEET_ID_H2B_3 on admin3), wl_stats.acl #$id_wl,"
	echo "# bl_frontend.acl #$id_bl on admin2; the old worker in master-old-worker-* is pid $old."
	echo "# Endings: lf = lone \"\\n\"; blank = ends with \"\\n\\n\"; 1n = ends with one \"\\n\"; none; empty."
	echo "# file	socket	bytes	ending	command"
	cat "$stage/INDEX.body"
} >"$stage/INDEX"
rm -f "$stage/INDEX.body"
rm -rf "$out"
mkdir -p "$out"
cp -p "$stage"/* "$out"/
echo "capture: wrote $(($(ls "$out" | wc -l) - 1)) fixtures and INDEX to tests/data/$version"
