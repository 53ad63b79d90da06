#!/usr/bin/env bash
# test_formats.sh - every listing command in -o table, -o csv and -o json
# carries the same rows and values (parsed: python3's csv and json), and the
# values of server list and dump are each instance's own (its socket, socat).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
set -u

CHECK="python3 $HAP_SRCDIR/tests/integration/formats_check.py"
fleet_up 3
W=$(mktemp -d "${TMPDIR:-/tmp}/hap-formats.XXXXXX")
# removed at exit with the fleet (lib.sh's exit trap stops the fleet and
# checks the plan: a trap of this script's own would replace it)
TAP_FLEET_DIRS="$TAP_FLEET_DIRS $W"

# formats SHAPE DESC ARGS...: the command in the three formats, each
# exiting 0, then the rows compared (and with the sockets' show stat when
# the shape is dump: read before and after).
formats() {
	local shape=$1 desc=$2 o rc=0 out stats=()
	shift 2
	[ "$shape" != dump ] || read_stats stat
	for o in table csv json; do
		hap_cli -s "$FLEET_SOCK_DIR" -o "$o" "$@"
		printf '%s\n' "$HAP_OUT" >"$W/out.$o"
		[ "$HAP_RC" = 0 ] || {
			rc=1
			diag "-o $o $*: exit $HAP_RC: $HAP_ERR"
		}
	done
	ok $rc "$desc: -o table, csv and json exit 0"
	[ "$shape" != patlist ] || stats=("$FLEET_N")
	if [ "$shape" = dump ]; then
		read_stats stat2
		for i in $(seq 1 "$FLEET_N"); do
			eval "stats+=(\"\$FLEET_ADMIN_SOCK_$i=$W/stat.$i,$W/stat2.$i\")"
		done
	fi
	out=$($CHECK "$shape" "$W/out.table" "$W/out.csv" "$W/out.json" ${stats[@]+"${stats[@]}"} 2>&1)
	rc=$?
	local also=""
	[ "$shape" != dump ] || also=", and as each instance's own socket says"
	ok $rc "$desc: the same rows and values in the three formats$also"
	[ $rc = 0 ] || diag "$out"
}

# read_stats NAME: each instance's show stat through its own socket, into
# $W/NAME.<i>.
read_stats() {
	local i s
	for i in $(seq 1 "$FLEET_N"); do
		eval "s=\$FLEET_ADMIN_SOCK_$i"
		hap_sock "$s" "show stat" >"$W/$1.$i"
	done
}

formats list "frontend list" frontend list
formats list "backend list" backend list
formats list "backend servers" backend servers backend_all
formats list "server list" server list
formats metric "server metric" server metric bck_all_srv1 scur
formats metric "backend metric" backend metric backend_all stot
formats metric "frontend metric" frontend metric frontend_all req_tot
formats metric "haproxy metric" haproxy metric Maxconn
formats metrics "server metrics" server metrics
formats metrics "haproxy metrics" haproxy metrics
formats info "info" info
formats exec "haproxy exec" haproxy exec "show version"
formats dump "dump" dump
formats patlist "acl list" acl list
formats patlist "map list" map list
formats patshow "acl show" acl show "$FLEET_ACL_WL"
formats patshow "map show" map show "$FLEET_MAP_H2B"
formats patget "map get" map get "$FLEET_MAP_H2B" app.foo.com
formats patget "acl get" acl get "$FLEET_ACL_WL" 127.0.0.1
formats flat "server wait" server wait bck_all_srv1 empty --timeout 5

# server list against each instance's own socket: the status and weight of
# every server on every instance that holds it
read_stats stat
hap_cli -s "$FLEET_SOCK_DIR" -o json server list
read_stats stat2
printf '%s\n' "$HAP_OUT" >"$W/list.json"
bad=$($CHECK sockets "$W/list.json" "$FLEET_N" "$W" 2>&1)
is "$bad" "" "server list -o json: status and weight of every server on every instance are its socket's"

# the CSV quoting: the agent's text holds a comma and quotes
hap_cli -s "$FLEET_SOCK_DIR" -o csv dump
got=$(printf '%s\n' "$HAP_OUT" | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
print(len(rows[0]) == len(rows[-1]) and all(len(r) == len(rows[0]) for r in rows))
print(sorted({r["object"] for r in rows}))
print(sum(1 for r in rows if r["instance"] == "*"))')
like "$got" "^True" "dump -o csv: every row has the header's columns (quoting holds)"
like "$got" "\['backend', 'frontend', 'server'\]" "dump -o csv: frontends, backends and servers"
agent=$(printf '%s\n' "$HAP_OUT" | python3 -c 'import csv, sys
print(*sorted({r["last_agt"] for r in csv.DictReader(sys.stdin) if r["name"] == "srv_agent"}))')
is "$agent" "$FLEET_AGENT_DESC" "dump -o csv: the agent's text with a comma and quotes comes back whole"
hap_cli -s "$FLEET_SOCK_DIR" -o json dump
nobj=$(printf '%s\n' "$HAP_OUT" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(len(d["frontends"]) + len(d["backends"]) + len(d["servers"]))')
is "$(printf '%s\n' "$got" | tail -1)" "$nobj" "dump -o csv: one aggregate row (instance *) per object of the JSON dump"

# an instance that does not answer is a row of the dump too, and exit 1
hap_cli -s "$FLEET_SOCK_DIR" -s "$W/missing.sock" -o csv dump
is "$HAP_RC" 1 "dump -o csv with an instance not reached exits 1"
got=$(printf '%s\n' "$HAP_OUT" | tail -1 | cut -d, -f1-4)
like "$got" "^-,-,unreached: .*,$W/missing.sock\$" "dump -o csv: the instance not reached is its last row, with why"

# a command whose output is not rows says so rather than ignoring -o
hap_cli -s "$FLEET_SOCK_DIR" -o csv dump --help
like "$HAP_OUT" "-o csv or -o table" "dump --help tells the rows of -o csv and -o table"
for cmd in top exporter; do
	for o in csv json; do
		hap_cli -s "$FLEET_SOCK_DIR" -o $o $cmd
		is "$HAP_RC" 2 "$cmd -o $o: refused (exit 2), it prints no rows"
		is "$HAP_OUT$HAP_ERR" "haproxyadmin: -o $o: '$cmd' prints no rows" "$cmd -o $o: one line saying why"
	done
done

done_testing
