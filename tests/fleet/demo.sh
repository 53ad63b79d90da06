#!/usr/bin/env bash
# demo.sh - a running 4-instance HAProxy fleet to try haproxyadmin on.
#
#   demo.sh start [CLI_PATH]   start the fleet in <repo>/demo (make demo)
#   demo.sh stop               stop it and remove <repo>/demo (make demo-stop)
#
# The fleet (tests/fleet/fleet.sh) keeps running after this script exits,
# with a background loop sending a few requests per second; the loop stops
# by itself after an hour. Every pid is in demo/pids; `stop` ends exactly those.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
fleet=$here/fleet.sh
demo=${DEMO_DIR:-$top/demo}
rate=3          # requests per second of the background traffic
duration=3600   # seconds before the traffic loop stops by itself

running() {
	[ -f "$demo/pids" ] || return 1
	. "$fleet"
	[ -n "$(fleet__live_pids "$demo")" ]
}

start() {
	local cli=${1:-$top/build/cli/haproxyadmin} loop out rc
	case $cli in /*) ;; *) cli=$PWD/$cli ;; esac
	if running; then
		echo "demo: a demo fleet is already running in $demo" >&2
		echo "demo: stop it first with: make demo-stop   (or: $here/demo.sh stop)" >&2
		return 1
	fi
	rm -rf "$demo"
	mkdir -p "$demo"
	# the seed page's topology: backend1_proc34/bck_all_srv1 weighs 100 and is
	# checked (DOWN), backend_proc1 has member_bkall, so the README's seed
	# commands run as documented
	FLEET_SEED=1 "$fleet" start "$demo" 4 || {
		echo "demo: the fleet did not start; cleaning up" >&2
		"$fleet" stop "$demo"
		return 1
	}
	"$fleet" traffic "$demo" 5 >/dev/null
	# HUP ignored: the loop outlives the terminal that ran `make demo`.
	(trap '' HUP; exec bash "$fleet" traffic-loop "$demo" "$rate" "$duration") \
		</dev/null >/dev/null 2>&1 &
	loop=$!
	echo "$loop" >>"$demo/pids"

	cat <<EOF
A demo fleet of 4 HAProxy instances is running in $demo
  admin sockets:   $demo/sock/admin{1..4}.sock (plus tcp:127.0.0.1:PORT, see $demo/env)
  user/operator:   $demo/extra/{user,operator}{1..4}.sock
  traffic:         about $rate requests/s for an hour (pid $loop)
  topology:        frontend_proc1 on 1, frontend_proc2 on 2, *_proc34 on 3 and 4,
                   frontend_all/backend_all and backend_slow everywhere;
                   bck_all_srv1 is in 4 backends with weights 100, 50, 1, 1

Try it:
  export HAPROXYADMIN_SOCKET=$demo/sock
  $cli info
  $cli server list
  $cli -o json server show bck_all_srv1
  $cli frontend list
  $cli map list

Stop it with: make demo-stop   (or: $here/demo.sh stop)

\$ haproxyadmin -s $demo/sock server list
EOF
	rc=0
	if [ -x "$cli" ]; then
		out=$(timeout 30 "$cli" -s "$demo/sock" server list 2>&1) || rc=$?
		printf '%s\n' "$out"
	else
		rc=127
		echo "(no executable at $cli)"
	fi
	if [ $rc != 0 ]; then
		echo
		echo "note: the CLI exited with status $rc; the fleet keeps running anyway."
	fi
	return 0
}

stop() {
	if [ ! -d "$demo" ]; then
		echo "demo: nothing to stop ($demo does not exist)"
		return 0
	fi
	"$fleet" stop "$demo" || return 1
	rm -rf "$demo"
	echo "demo: stopped"
}

case ${1:-} in
start) shift; start "$@" ;;
stop) stop ;;
*)
	echo "usage: demo.sh start [CLI_PATH] | demo.sh stop" >&2
	exit 2
	;;
esac
