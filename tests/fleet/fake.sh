#!/usr/bin/env bash
# fake.sh - fake HAProxy instances for the integration tests: a UNIX socket
# that answers every connection with one canned reply file (read to EOF by
# the client), optionally after a delay. The CLI sends one request per
# instance and reads to EOF, so a file holding "admin\n\n" + a show info
# reply + a show stat reply (see tests/data/mixed/) acts as an instance.
#
# Sourced (`. fake.sh`):
#   fake_start SOCK FILE [DELAY [LOG]]  listen on SOCK (FAKE_PID is set, the
#                                       pid is added to FAKE_PIDS); each
#                                       connection: append "+" to LOG, sleep
#                                       DELAY seconds, send FILE, append "-"
#   fake_stop_all                       stop every fake started (idempotent)
#   fake_max_concurrency LOG            most connections served at once
# Every fake is bounded: it ends by itself after $FAKE_LIFETIME seconds (120).
# As a command: fake.sh serve FILE [DELAY [LOG]] (what each connection runs).

FAKE_SH=${FAKE_SH:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fake.sh}
FAKE_LIFETIME=${FAKE_LIFETIME:-120}
FAKE_PIDS=${FAKE_PIDS:-}

fake_start() {
	local sock=$1 file=$2 delay=${3:-0} log=${4:--}
	[ -r "$file" ] || { echo "fake: no reply file $file" >&2; return 1; }
	case "$sock$file$log" in *[\ ,:!\'\"]*)
		echo "fake: paths must not contain blanks or , : ! quotes" >&2
		return 1 ;;
	esac
	# -t: after the client's half-close, wait for the whole (delayed)
	# reply instead of socat's default 0.5 s
	timeout "$FAKE_LIFETIME" socat -t 30 "UNIX-LISTEN:$sock,fork,unlink-early,mode=600" \
		"EXEC:bash $FAKE_SH serve $file $delay $log" </dev/null >/dev/null 2>&1 &
	FAKE_PID=$!
	FAKE_PIDS="$FAKE_PIDS $FAKE_PID"
	for _ in $(seq 1 40); do
		[ -S "$sock" ] && return 0
		sleep 0.05
	done
	echo "fake: $sock did not appear" >&2
	return 1
}

fake_stop_all() {
	local p
	for p in $FAKE_PIDS; do kill "$p" 2>/dev/null; done
	FAKE_PIDS=""
	return 0
}

fake_max_concurrency() {
	awk '$1 == "+" { n++; if (n > m) m = n } $1 == "-" { n-- } END { print m + 0 }' "$1"
}

fake__serve() {
	local file=$1 delay=${2:-0} log=${3:--}
	[ "$log" != - ] && echo "+ $$" >>"$log"
	# read the whole request first (the client half-closes): exiting with
	# it unread would make socat fail on the pipe and cut the reply short
	timeout 5 cat >/dev/null
	[ "$delay" != 0 ] && sleep "$delay"
	cat "$file"
	[ "$log" != - ] && echo "- $$" >>"$log"
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	serve) shift; fake__serve "$@" ;;
	*) sed -n '2,/^# As a command/p' "$0" >&2; exit 2 ;;
	esac
fi
