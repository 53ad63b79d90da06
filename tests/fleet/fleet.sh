#!/usr/bin/env bash
# fleet.sh - start, drive and stop a fleet of real HAProxy instances for the
# integration tests, the demo, the benchmarks and the fixture capture.
#
# Usable as a command:
#   fleet.sh start DIR N [--master] [--big BACKENDS SERVERS]
#   fleet.sh stop DIR                     (idempotent)
#   fleet.sh traffic DIR COUNT [PATH]     COUNT requests to every frontend of every instance
#   fleet.sh hold DIR I                   one request through backend_slow of instance I
#                                         (blocks ~10 s; background it to keep scur > 0)
#   fleet.sh traffic-loop DIR RATE SECS   a few requests per second until SECS elapsed
#   fleet.sh cmd SOCKET 'COMMAND'         one runtime API command (UNIX path or tcp:HOST:PORT)
# Opt-in extras (environment of `start`): FLEET_DYN=1 (backend_dyn, reached
# with path /dyn; FLEET_DYN_STATIC=I makes it non-dynamic on instance I),
# FLEET_SERVER_STATE=1 (server-state-file per instance, loaded at start).
# or sourced (`. fleet.sh`): the same verbs as functions fleet_start, fleet_stop,
# fleet_traffic, fleet_hold, fleet_cmd. Sourcing changes no shell option.
#
# DIR is made by the caller (an empty temp dir). Layout after `start`:
#   DIR/sock/admin<i>.sock       admin sockets, one per instance, nothing else in DIR/sock
#   DIR/extra/user<i>.sock       level user
#   DIR/extra/operator<i>.sock   level operator
#   DIR/master<i>.sock           master CLI (--master only)
#   DIR/maps/                    ACL and map files
#   DIR/haproxy<i>.cfg .pid .log origin.cfg agent.txt
#   DIR/pids                     every pid started (instances or masters, origin, agent)
#   DIR/env                      shell assignments describing the fleet (source it)
#
# Topology (N instances; for N=4 it is the original project's example, see
# the haproxyadmin inventory §9): "proc1" objects on instance 1, "proc2" on
# instance 2, "proc34" on the last two instances that are neither 1 nor 2
# (3 and 4 for N=4; only 3 for N=3; none below), "all" and backend_slow on
# every instance, plus a stats listener per instance (haproxy-stats on 1,
# haproxy-stats<i> elsewhere) guarded by an ACL file. DIR/env lists the
# frontends and backends of each instance and the numeric ACL/map ids that
# HAProxy assigned on each one. They differ on purpose: ACLs and maps share
# one numbering in parse order, instance 1 parses fewer pattern references
# than the others before the map converters (resolved late, after the two
# internal httpclient ACLs). With N=4: wl_stats.acl #0 everywhere,
# v-m1-bk.map #2 on 1, bl_frontend.acl #2 on 2, host2backend.map #6 on
# instance 1 and #8 on 2..4, while #6 on 2..4 is an internal httpclient ACL
# (`acl 'var' file 'httpclient'`), so a blind `#6` hits different things.
#
# --master: every instance runs master-worker (`haproxy -W -S DIR/master<i>.sock`);
# DIR/pids holds the masters, DIR/env the master pids and sockets. `kill -USR2`
# of a master reloads it; `stop` also ends the children of each recorded pid
# (the current and old workers).
#
# --big B S: no topology; each instance gets B backends bk_<b> of S servers
# srv_<b>_<ss> (no checks) and one frontend fe_big. For benchmarks.
#
# Ports: one random block of 10*(N+1) loopback ports below the ephemeral range
# (or from $FLEET_PORT_BASE when that block is free), verified unused;
# allocation is serialised with flock and every listener refuses SO_REUSEPORT
# sharing (noreuseport), so a collision fails loudly and start retries with
# another block.
#   origin block: +0..+2 origin "ok" ports, +3 slow port (answers after 10 s),
#                 +4 agent, +5..+7 closed ports (DOWN servers point there)
#   instance i:   base+10*i: +0 admin TCP stats socket, +1 stats listener,
#                 +2 own frontend (frontend_proc1 / frontend_proc2 /
#                 frontend1_proc34 / fe_big), +3 frontend2_proc34, +4 frontend_all

FLEET_START_TIMEOUT=${FLEET_START_TIMEOUT:-10}
FLEET_SLOW_DELAY=${FLEET_SLOW_DELAY:-10}
# What the agent sends; HAProxy shows the text after '#' as "via agent : up (DESC)".
FLEET_AGENT_TEXT='up # note, with comma and "quotes"'
FLEET_AGENT_DESC='via agent : up (note, with comma and "quotes")'

fleet__die() {
	echo "fleet: $*" >&2
	return 1
}

# fleet__now_ms: monotonic-enough wall clock in milliseconds (bash 5 EPOCHREALTIME).
fleet__now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# fleet_cmd SOCKET COMMAND: send one command, print the raw reply (read to EOF).
# SOCKET is a UNIX socket path, tcp:HOST:PORT or HOST:PORT.
fleet_cmd() {
	local sock=$1 cmd=$2 addr
	case $sock in
	tcp:*) addr="TCP:${sock#tcp:}" ;;
	/* | ./*) addr="UNIX-CONNECT:$sock" ;;
	*:*) addr="TCP:$sock" ;;
	*) addr="UNIX-CONNECT:$sock" ;;
	esac
	printf '%s\n' "$cmd" | timeout 20 socat -t 15 - "$addr"
}

# fleet__alive PID: true when PID exists and is not a zombie.
fleet__alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# fleet__ours DIR PID: PID is alive and its command line names DIR (guards
# against a recycled pid).
fleet__ours() {
	local c
	fleet__alive "$2" || return 1
	c=$(tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null) || return 1
	case "$c " in
	*"$1/"* | *"$1 "*) return 0 ;;
	esac
	return 1
}

# fleet__children PID: pids whose parent is PID.
fleet__children() {
	ps -o pid= --ppid "$1" 2>/dev/null | tr -d " "
	return 0
}

# fleet__port_used PORT: some TCP socket (v4 or v6, any state but TIME_WAIT,
# which does not prevent a bind with SO_REUSEADDR) uses PORT locally.
fleet__port_used() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v h=":$hex" 'FNR > 1 && $4 != "06" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# fleet__port_listening PORT
fleet__port_listening() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v h=":$hex" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# fleet__block_free BASE COUNT: no TCP socket uses a port in BASE..BASE+COUNT-1.
fleet__block_free() {
	local p
	for ((p = $1; p < $1 + $2; p++)); do
		fleet__port_used "$p" && return 1
	done
	return 0
}

# fleet__pick_base COUNT: print a base port such that base..base+COUNT-1 are unused.
fleet__pick_base() {
	local count=$1 low hi try base
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
	hi=$((low - count - 1))
	[ "$hi" -gt 10100 ] || hi=30000
	for try in $(seq 1 50); do
		base=$((10000 + (RANDOM * 32768 + RANDOM) % (hi - 10000)))
		base=$((base / 10 * 10))
		fleet__block_free "$base" "$count" && { echo "$base"; return 0; }
	done
	fleet__die "no free block of $count loopback ports found"
}

# ---------------------------------------------------------------- configs

fleet__topology() {
	# Which instances hold which objects, for N instances.
	local n=$1 i lo
	FLEET_PROC1_INSTANCES=1
	FLEET_PROC2_INSTANCES=""
	[ "$n" -ge 2 ] && FLEET_PROC2_INSTANCES=2
	FLEET_PROC34_INSTANCES=""
	if [ "$n" -ge 3 ]; then
		lo=$((n - 1))
		[ $lo -lt 3 ] && lo=3
		for ((i = lo; i <= n; i++)); do
			FLEET_PROC34_INSTANCES="$FLEET_PROC34_INSTANCES${FLEET_PROC34_INSTANCES:+ }$i"
		done
	fi
	FLEET_ALL_INSTANCES=$(seq -s ' ' 1 "$n")
}

fleet__in_list() { # fleet__in_list WORD LIST...
	local w=$1 x
	shift
	for x in $*; do [ "$x" = "$w" ] && return 0; done
	return 1
}

fleet__write_maps() {
	local m=$1/maps
	mkdir -p "$m"
	printf '127.0.0.1\n::1\n192.0.2.10\n' >"$m/wl_stats.acl"
	printf '10.0.0.1\n192.168.0.0/16\n' >"$m/bl_frontend.acl"
	printf '0 www.foo.com-0\n1 www.foo.com-1\n' >"$m/v-m1-bk.map"
	printf 'app.foo.com backend_all\nstatic.foo.com backend_all\nslow.foo.com backend_slow\n' \
		>"$m/host2backend.map"
}

# FLEET_SERVER_STATE=1: each instance loads DIR/state/haproxy<i>.state at
# start (server-state-file + load-server-state-from-file global).
fleet__state_global() { # fleet__state_global DIR I
	[ "${FLEET_SERVER_STATE:-0}" = 1 ] || return 0
	mkdir -p "$1/state"
	echo "    server-state-file $1/state/haproxy$2.state"
}

fleet__global() { # fleet__global DIR I TCPPORT
	local d=$1 i=$2
	cat <<EOF
global
    node lab-inst$i
    description haproxy lab instance $i
    maxconn 4000
    noreuseport
    stats socket $d/sock/admin$i.sock mode 600 level admin expose-fd listeners
    stats socket ipv4@127.0.0.1:$3 level admin
    stats socket $d/extra/user$i.sock mode 600 level user
    stats socket $d/extra/operator$i.sock mode 600 level operator
    stats timeout 30s
$(fleet__state_global "$d" "$i")
defaults
    mode http
$([ "${FLEET_SERVER_STATE:-0}" = 1 ] && echo "    load-server-state-from-file global")
    maxconn 3000
    rate-limit sessions 100000
    option dontlognull
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout check 2s
    default-server inter 1s fall 1 rise 1

EOF
}

fleet__instance_cfg() { # fleet__instance_cfg DIR I
	local d=$1 i=$2 m=$1/maps base=$((FLEET_BASE + 10 * $2))
	local ok1=$FLEET_ORIGIN_PORT1 ok2=$FLEET_ORIGIN_PORT2 ok3=$FLEET_ORIGIN_PORT3
	local c1=$FLEET_CLOSED_PORT1 c2=$FLEET_CLOSED_PORT2 stats=haproxy-stats
	# FLEET_SEED=1: backend1_proc34/bck_all_srv1 as on the seed page
	# (weight 100, checked, DOWN: on FLEET_SEED_DOWN_PORT, a port that drops
	# connections, its check times out; once DOWN it is checked again after
	# 60 s, so no check is in progress, "* L4TOUT", while the page runs);
	# by default weight 1, no check
	local seed_bck="$ok2 weight 1"
	[ "${FLEET_SEED:-0}" = 1 ] &&
		seed_bck="${FLEET_SEED_DOWN_PORT:-$FLEET_CLOSED_PORT3} weight 100 check downinter 60s"
	[ "$i" -gt 1 ] && stats=haproxy-stats$i
	fleet__global "$d" "$i" "$base"
	cat <<EOF
listen $stats
    bind 127.0.0.1:$((base + 1))
    acl wl_stats src -f $m/wl_stats.acl
    http-request deny if !wl_stats
    stats enable
    stats uri /
    stats refresh 10s

EOF
	if fleet__in_list "$i" $FLEET_PROC1_INSTANCES; then
		cat <<EOF
frontend frontend_proc1
    bind 127.0.0.1:$((base + 2))
    http-request set-header X-Tag %[req.hdr(x-id),map($m/v-m1-bk.map,none)]
    default_backend backend_proc1

backend backend_proc1
    option httpchk GET /
    server member1_proc1 127.0.0.1:$ok1
    server member2_proc1 127.0.0.1:$ok2
    server bck_all_srv1 127.0.0.1:$ok3 weight 100 check
EOF
		# FLEET_SEED=1: the seed page's servers (python/tests: the doctest)
		[ "${FLEET_SEED:-0}" = 1 ] && echo "    server member_bkall 127.0.0.1:$ok1"
		echo
	fi
	if fleet__in_list "$i" $FLEET_PROC2_INSTANCES; then
		cat <<EOF
frontend frontend_proc2
    bind 127.0.0.1:$((base + 2))
    acl bl_frontend src -f $m/bl_frontend.acl
    acl static path_beg /static/js/ /static/css/
    http-request deny if bl_frontend
    http-request set-header X-Static 1 if static
    default_backend backend_proc2

backend backend_proc2
    option httpchk GET /
    server member1_proc2 127.0.0.1:$ok1 check
    server member2_proc2 127.0.0.1:$ok2 check
    server member3_proc2 127.0.0.1:$c1 check
    server member4_proc2 127.0.0.1:$c2 check

EOF
	fi
	if fleet__in_list "$i" $FLEET_PROC34_INSTANCES; then
		cat <<EOF
frontend frontend1_proc34
    bind 127.0.0.1:$((base + 2))
    stick-table type ip size 1m expire 5m store gpc0,http_req_rate(10s)
    http-request track-sc0 src
    acl cookie_a req.cook(a) -m found
    acl cookie_b req.cook(b) -m str beta
    acl cookie_c req.cook(c) -m str gamma
    http-request set-header X-Cookie 1 if cookie_a cookie_b || cookie_c
    default_backend backend1_proc34

backend backend1_proc34
    option httpchk GET /
    server bck1_proc34_srv1 127.0.0.1:$ok1 check
    server bck1_proc34_srv2 127.0.0.1:$c1 check
    server bck_all_srv1 127.0.0.1:$seed_bck

frontend frontend2_proc34
    bind 127.0.0.1:$((base + 3))
    default_backend backend2_proc34

backend backend2_proc34
    option httpchk GET /
    server bck2_proc34_srv1 127.0.0.1:$ok1
    server bck2_proc34_srv2 127.0.0.1:$ok2 weight 100 check
    server bck_all_srv1 127.0.0.1:$ok3 weight 1

EOF
	fi
	cat <<EOF
frontend frontend_all
    bind 127.0.0.1:$((base + 4))
    use_backend backend_slow if { path_beg /slow }
$([ "${FLEET_DYN:-0}" = 1 ] && echo "    use_backend backend_dyn if { path_beg /dyn }")
    use_backend %[req.hdr(host),lower,map($m/host2backend.map)]
    default_backend backend_all

backend backend_all
    option httpchk GET /
    server srv_all1 127.0.0.1:$ok1 check
    server bck_all_srv1 127.0.0.1:$ok2 weight 50
    server member_bkall 127.0.0.1:$ok3
    server srv_agent 127.0.0.1:$ok1 check agent-check agent-port $FLEET_AGENT_PORT agent-inter 1s
    server srv_track 127.0.0.1:$ok2 track backend_all/srv_all1

backend backend_slow
    server slow1 127.0.0.1:$FLEET_SLOW_PORT
EOF
	# FLEET_DYN=1: backend_dyn on every instance, for dynamic servers; its
	# algorithm is dynamic (roundrobin) except on instance $FLEET_DYN_STATIC
	# (balance source: HAProxy refuses "add server" there).
	if [ "${FLEET_DYN:-0}" = 1 ]; then
		local algo=roundrobin
		[ "$i" = "${FLEET_DYN_STATIC:-0}" ] && algo=source
		cat <<EOF

backend backend_dyn
    balance $algo
    server dyn_base 127.0.0.1:$ok1 weight 1
EOF
	fi
}

fleet__big_cfg() { # fleet__big_cfg DIR I B S
	local base=$((FLEET_BASE + 10 * $2))
	fleet__global "$1" "$2" "$base"
	cat <<EOF
frontend fe_big
    bind 127.0.0.1:$((base + 2))
    default_backend bk_1

EOF
	awk -v B="$3" -v S="$4" -v port="$FLEET_ORIGIN_PORT1" 'BEGIN {
		for (b = 1; b <= B; b++) {
			printf "backend bk_%d\n", b
			for (s = 1; s <= S; s++)
				printf "    server srv_%d_%02d 127.0.0.1:%d\n", b, s, port
			printf "\n"
		}
	}'
}

fleet__origin_cfg() {
	cat <<EOF
global
    maxconn 2000
    noreuseport
    stats socket $1/origin.sock mode 600 level admin
    stats timeout 30s

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s

frontend origin_ok
    bind 127.0.0.1:$FLEET_ORIGIN_PORT1
    bind 127.0.0.1:$FLEET_ORIGIN_PORT2
    bind 127.0.0.1:$FLEET_ORIGIN_PORT3
    http-request return status 200 content-type text/plain string ok

# In HTTP mode the inspect delay ends as soon as the request is complete, so
# the delay is done in TCP mode in front of the "ok" port.
frontend origin_slow
    mode tcp
    bind 127.0.0.1:$FLEET_SLOW_PORT
    tcp-request inspect-delay ${FLEET_SLOW_DELAY}s
    tcp-request content accept if WAIT_END
    default_backend origin_ok_tcp

backend origin_ok_tcp
    mode tcp
    server ok 127.0.0.1:$FLEET_ORIGIN_PORT1
EOF
}

fleet__set_ports() {
	FLEET_ORIGIN_PORT1=$FLEET_BASE
	FLEET_ORIGIN_PORT2=$((FLEET_BASE + 1))
	FLEET_ORIGIN_PORT3=$((FLEET_BASE + 2))
	FLEET_SLOW_PORT=$((FLEET_BASE + 3))
	FLEET_AGENT_PORT=$((FLEET_BASE + 4))
	FLEET_CLOSED_PORT1=$((FLEET_BASE + 5))
	FLEET_CLOSED_PORT2=$((FLEET_BASE + 6))
	FLEET_CLOSED_PORT3=$((FLEET_BASE + 7))
}

# ---------------------------------------------------------------- start

fleet__record_pid() { echo "$2" >>"$1/pids"; }

# fleet__wait_pidfile FILE: up to 5 s for FILE to hold a pid.
fleet__wait_pidfile() {
	local t
	for t in $(seq 1 100); do
		[ -s "$1" ] && grep -q '^[0-9][0-9]*$' "$1" && return 0
		sleep 0.05
	done
	return 1
}

# fleet__launch DIR I: start instance I; 0, 1 (failed), 2 (port collision)
fleet__launch() {
	local d=$1 i=$2 rc=0
	local args=(-D -f "$d/haproxy$i.cfg" -p "$d/haproxy$i.pid")
	[ "$FLEET_MASTER" = 1 ] && args=(-W -S "$d/master$i.sock,mode,600" "${args[@]}")
	haproxy "${args[@]}" </dev/null >"$d/haproxy$i.log" 2>&1 || rc=$?
	# With -W -D the daemonised master writes the pid file after the
	# launching process has exited: wait for it (bounded).
	[ $rc = 0 ] && fleet__wait_pidfile "$d/haproxy$i.pid"
	if [ -s "$d/haproxy$i.pid" ]; then
		fleet__record_pid "$d" "$(head -n 1 "$d/haproxy$i.pid")"
	fi
	if [ $rc = 0 ] && [ ! -s "$d/haproxy$i.pid" ]; then
		echo "fleet: haproxy instance $i wrote no pid file ($d/haproxy$i.pid)" >&2
		return 1
	fi
	[ $rc = 0 ] && return 0
	grep -qi 'cannot bind\|address already in use' "$d/haproxy$i.log" && return 2
	echo "fleet: haproxy instance $i failed to start:" >&2
	sed 's/^/  /' "$d/haproxy$i.log" >&2
	return 1
}

fleet__launch_origin() {
	local d=$1 rc=0
	haproxy -D -f "$d/origin.cfg" -p "$d/origin.pid" </dev/null >"$d/origin.log" 2>&1 || rc=$?
	[ $rc = 0 ] && fleet__wait_pidfile "$d/origin.pid"
	[ -s "$d/origin.pid" ] && fleet__record_pid "$d" "$(head -n 1 "$d/origin.pid")"
	[ $rc = 0 ] && return 0
	grep -qi 'cannot bind\|address already in use' "$d/origin.log" && return 2
	echo "fleet: origin haproxy failed to start:" >&2
	sed 's/^/  /' "$d/origin.log" >&2
	return 1
}

fleet__launch_agent() {
	local d=$1 pid t
	# HUP ignored so the demo's agent survives its terminal; the file name in
	# the command line lets `stop` recognise the process.
	(trap '' HUP; exec socat -U "TCP-LISTEN:$FLEET_AGENT_PORT,bind=127.0.0.1,fork,reuseaddr" \
		"OPEN:$d/agent.txt,rdonly") </dev/null >>"$d/agent.log" 2>&1 &
	pid=$!
	fleet__record_pid "$d" "$pid"
	for t in $(seq 1 50); do
		fleet__port_listening "$FLEET_AGENT_PORT" && fleet__alive "$pid" && return 0
		fleet__alive "$pid" || break
		sleep 0.1
	done
	grep -qi 'in use' "$d/agent.log" 2>/dev/null && return 2
	echo "fleet: agent responder (socat) did not start:" >&2
	sed 's/^/  /' "$d/agent.log" >&2
	return 1
}

# fleet__wait_info DIR DEADLINE_MS: every admin socket answers show info.
fleet__wait_info() {
	local d=$1 deadline=$2 i sock pending
	while :; do
		pending=""
		for i in $(seq 1 "$FLEET_N"); do
			sock=$d/sock/admin$i.sock
			if ! fleet_cmd "$sock" "show info" 2>/dev/null | grep -q "^node: lab-inst$i\$"; then
				pending="$pending admin$i.sock"
			fi
		done
		[ -z "$pending" ] && return 0
		if [ "$(fleet__now_ms)" -gt "$deadline" ]; then
			fleet__die "no 'show info' answer within ${FLEET_START_TIMEOUT}s from:$pending (logs in $d/haproxy<i>.log)"
			return 1
		fi
		sleep 0.1
	done
}

# fleet__unsettled STAT_CSV: print the servers whose checks have not settled
# yet (first check not done, transitional "UP 1/2"-like state, agent not
# answered, or srv_all1 not UP).
fleet__unsettled() {
	awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$2 == "FRONTEND" || $2 == "BACKEND" || $1 == "" { next }
	{
		st = $col["status"]; cs = $col["check_status"]
		if (index($0, "\"")) next   # quoted agent text: agent has answered
		bad = 0
		if (st ~ /\//) bad = 1
		if (cs ~ /INI/) bad = 1
		if ($2 == "srv_all1" && st != "UP") bad = 1
		if ($2 == "srv_agent" && $col["last_agt"] == "") bad = 1
		if (bad) print $1 "/" $2 "=" st "/" cs
	}'
}

# fleet__wait_settled DIR DEADLINE_MS: health checks settled on every instance.
fleet__wait_settled() {
	local d=$1 deadline=$2 i left all
	while :; do
		all=""
		for i in $(seq 1 "$FLEET_N"); do
			left=$(fleet_cmd "$d/sock/admin$i.sock" "show stat -1 4 -1" 2>/dev/null |
				sed 's/^# //' | fleet__unsettled)
			[ -n "$left" ] && all="$all [inst$i: $(echo $left)]"
		done
		[ -z "$all" ] && return 0
		if [ "$(fleet__now_ms)" -gt "$deadline" ]; then
			fleet__die "health checks not settled within ${FLEET_START_TIMEOUT}s:$all"
			return 1
		fi
		sleep 0.2
	done
}

# fleet__pattern_ids DIR I FILE: numeric id of FILE in show acl/map of instance I
fleet__pattern_ids() {
	{ fleet_cmd "$1/sock/admin$2.sock" "show acl"; fleet_cmd "$1/sock/admin$2.sock" "show map"; } 2>/dev/null |
		awk -v f="($3)" '$2 == f { print $1; exit }'
}

fleet__q() { # shell-quote one value
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

fleet__write_env() {
	local d=$1 i base fes bes id f var pid
	{
		echo "# fleet environment, written by fleet.sh start; source it"
		echo "FLEET_DIR=$(fleet__q "$d")"
		echo "FLEET_N=$FLEET_N"
		echo "FLEET_MODE=$FLEET_MODE"
		echo "FLEET_MASTER=$FLEET_MASTER"
		echo "FLEET_SOCK_DIR=$(fleet__q "$d/sock")"
		echo "FLEET_MAPS_DIR=$(fleet__q "$d/maps")"
		echo "FLEET_BASE_PORT=$FLEET_BASE"
		echo "FLEET_ORIGIN_PORTS='$FLEET_ORIGIN_PORT1 $FLEET_ORIGIN_PORT2 $FLEET_ORIGIN_PORT3'"
		echo "FLEET_SLOW_PORT=$FLEET_SLOW_PORT"
		echo "FLEET_AGENT_PORT=$FLEET_AGENT_PORT"
		echo "FLEET_CLOSED_PORTS='$FLEET_CLOSED_PORT1 $FLEET_CLOSED_PORT2 $FLEET_CLOSED_PORT3'"
		echo "FLEET_ORIGIN_PID=$(head -n 1 "$d/origin.pid")"
		echo "FLEET_ORIGIN_SOCK=$(fleet__q "$d/origin.sock")"
		echo "FLEET_AGENT_PID=$FLEET_AGENT_PID"
		echo "FLEET_AGENT_TEXT=$(fleet__q "$FLEET_AGENT_TEXT")"
		echo "FLEET_AGENT_DESC=$(fleet__q "$FLEET_AGENT_DESC")"
		echo "FLEET_SLOW_DELAY=$FLEET_SLOW_DELAY"
		if [ "$FLEET_MODE" = big ]; then
			echo "FLEET_BIG_BACKENDS=$FLEET_BIG_B"
			echo "FLEET_BIG_SERVERS=$FLEET_BIG_S"
		else
			echo "FLEET_PROC1_INSTANCES='$FLEET_PROC1_INSTANCES'"
			echo "FLEET_PROC2_INSTANCES='$FLEET_PROC2_INSTANCES'"
			echo "FLEET_PROC34_INSTANCES='$FLEET_PROC34_INSTANCES'"
			echo "FLEET_ALL_INSTANCES='$FLEET_ALL_INSTANCES'"
			echo "FLEET_ACL_WL=$(fleet__q "$d/maps/wl_stats.acl")"
			echo "FLEET_ACL_BL=$(fleet__q "$d/maps/bl_frontend.acl")"
			echo "FLEET_MAP_VM1=$(fleet__q "$d/maps/v-m1-bk.map")"
			echo "FLEET_MAP_H2B=$(fleet__q "$d/maps/host2backend.map")"
		fi
		for i in $(seq 1 "$FLEET_N"); do
			base=$((FLEET_BASE + 10 * i))
			echo
			echo "# instance $i (node lab-inst$i)"
			echo "FLEET_ADMIN_SOCK_$i=$(fleet__q "$d/sock/admin$i.sock")"
			echo "FLEET_USER_SOCK_$i=$(fleet__q "$d/extra/user$i.sock")"
			echo "FLEET_OPERATOR_SOCK_$i=$(fleet__q "$d/extra/operator$i.sock")"
			echo "FLEET_TCP_PORT_$i=$base"
			echo "FLEET_TCP_SOCK_$i='tcp:127.0.0.1:$base'"
			echo "FLEET_STATS_PORT_$i=$((base + 1))"
			pid=$(fleet_cmd "$d/sock/admin$i.sock" "show info" 2>/dev/null | sed -n 's/^Pid: //p')
			echo "FLEET_PID_$i=$pid"
			if [ "$FLEET_MASTER" = 1 ]; then
				echo "FLEET_MASTER_SOCK_$i=$(fleet__q "$d/master$i.sock")"
				echo "FLEET_MASTER_PID_$i=$(head -n 1 "$d/haproxy$i.pid")"
			fi
			if [ "$FLEET_MODE" = big ]; then
				echo "FLEET_FE_PORT_$i=$((base + 2))"
				echo "FLEET_FRONTENDS_$i='fe_big'"
				continue
			fi
			fes="haproxy-stats"
			[ "$i" -gt 1 ] && fes="haproxy-stats$i"
			bes=$fes
			if fleet__in_list "$i" $FLEET_PROC1_INSTANCES; then
				fes="$fes frontend_proc1"
				bes="$bes backend_proc1"
				echo "FLEET_PORT_frontend_proc1_$i=$((base + 2))"
			fi
			if fleet__in_list "$i" $FLEET_PROC2_INSTANCES; then
				fes="$fes frontend_proc2"
				bes="$bes backend_proc2"
				echo "FLEET_PORT_frontend_proc2_$i=$((base + 2))"
			fi
			if fleet__in_list "$i" $FLEET_PROC34_INSTANCES; then
				fes="$fes frontend1_proc34 frontend2_proc34"
				bes="$bes backend1_proc34 backend2_proc34"
				echo "FLEET_PORT_frontend1_proc34_$i=$((base + 2))"
				echo "FLEET_PORT_frontend2_proc34_$i=$((base + 3))"
			fi
			fes="$fes frontend_all"
			bes="$bes backend_all backend_slow"
			echo "FLEET_PORT_frontend_all_$i=$((base + 4))"
			echo "FLEET_FRONTENDS_$i='$fes'"
			echo "FLEET_BACKENDS_$i='$bes'"
			# numeric ACL/map ids HAProxy assigned on this instance (empty: not loaded)
			for f in WL:wl_stats.acl BL:bl_frontend.acl VM1:v-m1-bk.map H2B:host2backend.map; do
				var=${f%%:*}
				id=$(fleet__pattern_ids "$d" "$i" "$d/maps/${f#*:}")
				echo "FLEET_ID_${var}_$i=$id"
			done
			echo "# show acl / show map ids on instance $i:"
			{ fleet_cmd "$d/sock/admin$i.sock" "show acl"; fleet_cmd "$d/sock/admin$i.sock" "show map"; } 2>/dev/null |
				awk '/^[0-9]/ {
					d = $2
					if (d == "()") { d = $3 " " $4 " " $6 ":" $8; gsub(/[.]$/, "", d) }
					print $1 " " d
				}' | sort -n -u | sed 's/^/#   /'
		done
	} >"$d/env.tmp" && mv "$d/env.tmp" "$d/env"
}

# fleet_start DIR N [--master] [--big B S]
fleet_start() {
	local d n attempt rc i deadline
	[ $# -ge 2 ] || { fleet__die "usage: fleet.sh start DIR N [--master] [--big BACKENDS SERVERS]"; return 2; }
	d=$1 n=$2
	shift 2
	FLEET_MASTER=0 FLEET_MODE=topology FLEET_BIG_B=0 FLEET_BIG_S=0
	while [ $# -gt 0 ]; do
		case $1 in
		--master) FLEET_MASTER=1 ;;
		--big)
			[ $# -ge 3 ] || { fleet__die "--big needs BACKENDS SERVERS"; return 2; }
			FLEET_MODE=big FLEET_BIG_B=$2 FLEET_BIG_S=$3
			shift 2
			;;
		*) fleet__die "unknown option: $1"; return 2 ;;
		esac
		shift
	done
	case $n in '' | *[!0-9]*) fleet__die "N must be a number: $n"; return 2 ;; esac
	[ "$n" -ge 1 ] && [ "$n" -le 50 ] || { fleet__die "N must be 1..50"; return 2; }
	[ -d "$d" ] || { fleet__die "no such directory: $d"; return 2; }
	command -v haproxy >/dev/null || { fleet__die "haproxy not installed (scripts/deps.sh)"; return 1; }
	command -v socat >/dev/null || { fleet__die "socat not installed (scripts/deps.sh)"; return 1; }
	d=$(cd "$d" && pwd)
	if [ -s "$d/pids" ] && [ -n "$(fleet__live_pids "$d")" ]; then
		fleet__die "a fleet is already running in $d (fleet.sh stop $d)"
		return 1
	fi
	FLEET_N=$n
	fleet__topology "$n"
	mkdir -p "$d/sock" "$d/extra"
	rm -f "$d/pids" "$d/env"
	fleet__write_maps "$d"
	printf '%s\n' "$FLEET_AGENT_TEXT" >"$d/agent.txt"

	local lockfd
	exec {lockfd}>"${TMPDIR:-/tmp}/haproxyadmin-fleet-ports.lock"
	for attempt in 1 2 3 4 5; do
		flock -w 60 "$lockfd" || { fleet__die "cannot take the port allocation lock"; return 1; }
		if [ "$attempt" = 1 ] && [ -n "${FLEET_PORT_BASE:-}" ] &&
			fleet__block_free "$FLEET_PORT_BASE" $((10 * (n + 1))); then
			FLEET_BASE=$FLEET_PORT_BASE
		else
			[ "$attempt" = 1 ] && [ -n "${FLEET_PORT_BASE:-}" ] &&
				echo "fleet: ports $FLEET_PORT_BASE.. are busy, using a random block" >&2
			FLEET_BASE=$(fleet__pick_base $((10 * (n + 1)))) || { flock -u "$lockfd"; return 1; }
		fi
		fleet__set_ports
		fleet__origin_cfg "$d" >"$d/origin.cfg"
		for i in $(seq 1 "$n"); do
			if [ "$FLEET_MODE" = big ]; then
				fleet__big_cfg "$d" "$i" "$FLEET_BIG_B" "$FLEET_BIG_S" >"$d/haproxy$i.cfg"
			else
				fleet__instance_cfg "$d" "$i" >"$d/haproxy$i.cfg"
			fi
		done
		rc=0
		fleet__launch_origin "$d" || rc=$?
		if [ $rc = 0 ]; then
			fleet__launch_agent "$d" || rc=$?
			FLEET_AGENT_PID=$(tail -n 1 "$d/pids")
		fi
		if [ $rc = 0 ]; then
			for i in $(seq 1 "$n"); do
				fleet__launch "$d" "$i" || { rc=$?; break; }
			done
		fi
		flock -u "$lockfd"
		[ $rc = 0 ] && break
		fleet_stop "$d" >/dev/null
		rm -f "$d/pids"
		if [ $rc != 2 ]; then
			exec {lockfd}>&-
			return 1
		fi
		echo "fleet: port collision at base $FLEET_BASE, retrying with another block" >&2
	done
	exec {lockfd}>&-
	if [ $rc != 0 ]; then
		fleet__die "could not find free ports after 5 attempts"
		return 1
	fi
	# One deadline for "answers" and "settled"; on failure stop everything
	# started (logs stay in DIR).
	deadline=$(($(fleet__now_ms) + FLEET_START_TIMEOUT * 1000))
	if ! fleet__wait_info "$d" "$deadline" ||
		{ [ "$FLEET_MODE" = topology ] && ! fleet__wait_settled "$d" "$deadline"; }; then
		fleet_stop "$d"
		return 1
	fi
	fleet__write_env "$d"
	return 0
}

# ---------------------------------------------------------------- stop

# fleet__live_pids DIR: recorded pids (and their children) still alive and ours.
fleet__live_pids() {
	local d=$1 pid c
	[ -f "$d/pids" ] || return 0
	while read -r pid; do
		case $pid in '' | *[!0-9]*) continue ;; esac
		fleet__ours "$d" "$pid" || continue
		echo "$pid"
		for c in $(fleet__children "$pid"); do
			fleet__ours "$d" "$c" && echo "$c"
		done
	done <"$d/pids"
	return 0
}

# fleet_stop DIR: TERM the recorded processes (and their children: workers),
# wait up to 3 s, then KILL. Never touches any other process. Idempotent.
fleet_stop() {
	local d=$1 pids left t
	[ -n "$d" ] || { fleet__die "usage: fleet.sh stop DIR"; return 2; }
	[ -d "$d" ] || return 0
	d=$(cd "$d" && pwd)
	pids=$(fleet__live_pids "$d" | sort -u)
	[ -z "$pids" ] && return 0
	kill -TERM $pids 2>/dev/null
	for t in $(seq 1 30); do
		left=""
		for p in $pids; do fleet__alive "$p" && left="$left $p"; done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "fleet: still alive after 3 s, killing:$left" >&2
	kill -KILL $left 2>/dev/null
	for t in $(seq 1 20); do
		left=""
		for p in $pids; do fleet__alive "$p" && left="$left $p"; done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	fleet__die "could not stop:$left"
}

# ---------------------------------------------------------------- traffic

# fleet__http PORT PATH [HOST]: one HTTP/1.0 request; prints the status code
# (000 when the connection failed). Bounded by read timeouts.
fleet__http() {
	local port=$1 path=${2:-/} host=${3:-127.0.0.1} fd line code=000
	{ exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || { echo 000; return 1; }
	printf 'GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: fleet.sh\r\n\r\n' "$path" "$host" >&"$fd" 2>/dev/null
	if IFS= read -r -t 30 -u "$fd" line; then
		code=${line#HTTP/1.? }
		code=${code:0:3}
	fi
	while IFS= read -r -t 30 -u "$fd" line; do :; done
	exec {fd}>&-
	echo "$code"
}

fleet__load_env() {
	local d=$1
	[ -f "$d/env" ] || { fleet__die "no fleet in $d (missing $d/env)"; return 1; }
	# shellcheck disable=SC1091
	. "$d/env"
}

# fleet__frontend_ports DIR: the frontend ports of every instance (for traffic)
fleet__frontend_ports() {
	local i v
	for i in $(seq 1 "$FLEET_N"); do
		for v in $(compgen -v | grep "^FLEET_PORT_.*_$i\$\|^FLEET_FE_PORT_$i\$"); do
			echo "${!v}"
		done
	done
}

# fleet_traffic DIR COUNT [PATH]: COUNT requests to each frontend of each instance.
fleet_traffic() {
	local d=$1 count=$2 path=${3:-/} port k codes summary
	( fleet__load_env "$d" || exit 1
	  codes=$(for port in $(fleet__frontend_ports); do
		for ((k = 0; k < count; k++)); do fleet__http "$port" "$path"; done &
	  done; wait)
	  summary=$(printf '%s\n' $codes | sort | uniq -c | awk '{ printf " %sx%s", $1, $2 }')
	  echo "traffic:$summary"
	)
}

# fleet_hold DIR I: one request to backend_slow through frontend_all of
# instance I; returns when the origin answers (FLEET_SLOW_DELAY seconds).
fleet_hold() {
	( fleet__load_env "$1" || exit 1
	  v=FLEET_PORT_frontend_all_$2
	  [ -n "${!v:-}" ] || { echo "fleet: no frontend_all on instance $2" >&2; exit 1; }
	  fleet__http "${!v}" /slow >/dev/null )
}

# fleet_traffic_loop DIR RATE SECS: RATE requests per second spread over the
# fleet's frontends until SECS elapsed (bounded by design).
fleet_traffic_loop() {
	local d=$1 rate=${2:-2} secs=${3:-3600} end ports p pause n=0
	fleet__load_env "$d" || return 1
	ports=($(fleet__frontend_ports))
	pause=$(awk -v r="$rate" 'BEGIN { printf "%.3f", 1 / r }')
	end=$((SECONDS + secs))
	while [ $SECONDS -lt "$end" ]; do
		p=${ports[n % ${#ports[@]}]}
		fleet__http "$p" / >/dev/null
		n=$((n + 1))
		sleep "$pause"
	done
}

# ---------------------------------------------------------------- main

fleet__main() {
	local verb=${1:-}
	shift || true
	case $verb in
	start)
		fleet_start "$@" || return $?
		echo "fleet: $FLEET_N instance(s) up in $(cd "$1" && pwd) (admin sockets in sock/, settings in env)"
		;;
	stop) fleet_stop "$@" ;;
	traffic)
		[ $# -ge 2 ] || { fleet__die "usage: fleet.sh traffic DIR COUNT [PATH]"; return 2; }
		fleet_traffic "$@"
		;;
	hold) fleet_hold "$@" ;;
	traffic-loop) fleet_traffic_loop "$@" ;;
	cmd) fleet_cmd "$@" ;;
	*)
		sed -n '2,/^# DIR is made/{/^# DIR is made/d;s/^# \{0,1\}//;p;}' "${BASH_SOURCE[0]}" >&2
		return 2
		;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	fleet__main "$@"
	exit $?
fi
