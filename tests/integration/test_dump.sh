#!/usr/bin/env bash
# test_dump.sh - dump's JSON against each instance's own socket: on a real
# 4-instance fleet (objects on every instance, on some, on one), every
# object and every instance's every value in the dump is what that
# instance's socket says, read just before and just after (a counter may
# move in between); the same when the rows are read as they arrive from a
# fleet large enough to need many reads per instance.
set -u
. "$(dirname "$0")/lib.sh"

CHECK=$(dirname "$0")/dump_check.py
J() { jq -r "$@"; }
T=

# dump_vs_sockets LABEL N [--compact]: dump of the current fleet (N
# instances, each given by its own -s), checked against each socket read
# before and after it. A health check in flight between the reads shows
# for an instant ("* L7OK", check_code 0, an open connection) in one of
# them only: the whole round is taken again, at most 3 times; a wrong
# value stays wrong every time.
dump_vs_sockets() {
	local label=$1 n=$2 i v args socks=() out compact=() try
	[ -n "${3:-}" ] && compact=("$3")
	T=$FLEET_DIR/dump # removed with the fleet's directory
	mkdir -p "$T"
	for ((i = 1; i <= n; i++)); do
		v=FLEET_ADMIN_SOCK_$i
		socks+=(-s "${!v}")
	done
	for try in 1 2 3; do
		args=()
		for ((i = 1; i <= n; i++)); do
			v=FLEET_ADMIN_SOCK_$i
			hap_sock "${!v}" "show stat -1 7 -1" >"$T/before$i.csv"
		done
		hap_cli "${socks[@]}" -o json dump "${compact[@]}"
		for ((i = 1; i <= n; i++)); do
			v=FLEET_ADMIN_SOCK_$i
			hap_sock "${!v}" "show stat -1 7 -1" >"$T/after$i.csv"
			args+=("${!v}" "$T/before$i.csv" "$T/after$i.csv")
		done
		printf '%s\n' "$HAP_OUT" >"$T/dump.json"
		out=$(python3 "$CHECK" "${compact[@]}" "$T/dump.json" "${args[@]}" 2>&1)
		[ "$HAP_RC" = 0 ] && grep -q ' 0 mismatches$' <<<"$out" && break
	done
	is "$HAP_RC" 0 "$label: dump exits 0"
	is "$(J '.haproxy.instances | length' "$T/dump.json")" "$n" "$label: $n instances in the dump"
	like "$(tail -n 1 <<<"$out")" '^[1-9][0-9]* objects, [1-9][0-9]* values checked, 0 mismatches$' \
		"$label: every object and value of every instance is its socket's ($(tail -n 1 <<<"$out"), round $try)" ||
		diag "$out"
}

fleet_up 4
dump_vs_sockets "lab fleet" 4
# objects on some instances only: their instances are those
is "$(J '.servers[] | select(.backend == "backend1_proc34" and .name == "bck1_proc34_srv1") | [.instances[].endpoint] | join(" ")' "$T/dump.json")" \
	"$FLEET_ADMIN_SOCK_3 $FLEET_ADMIN_SOCK_4" "lab fleet: a proc34 server is on instances 3 and 4 only"
cp "$T/dump.json" "$T/full.json"
# --compact: each instance's values only where they differ from the aggregate
dump_vs_sockets "lab fleet, --compact" 4 --compact
q='.servers[] | select(.backend == "backend_all" and .name == "bck_all_srv1") | .instances[0].metrics'
full=$(J "$q | length" "$T/full.json")
ncompact=$(J "$q | length" "$T/dump.json")
ok "$([ "$ncompact" -lt "$full" ] && echo 0 || echo 1)" \
	"--compact: values the aggregate says are left out ($ncompact of $full metrics of an instance)"
hap_cli -s "$FLEET_ADMIN_SOCK_1" -o prometheus dump --compact
is "$HAP_RC" 2 "--compact with -o prometheus: exit 2"
hap_cli -s "$FLEET_ADMIN_SOCK_1" dump --compat
is "$HAP_RC" 2 "an unknown argument: exit 2"
like "$HAP_ERR" "unknown argument '--compat'" "an unknown argument: named"
# the same instance twice (a duplicate) adds no instance to any object
hap_cli -s "$FLEET_ADMIN_SOCK_1" -s "$FLEET_ADMIN_SOCK_2" -s "$FLEET_TCP_SOCK_1" -o json dump
is "$HAP_RC" 0 "a process reached twice: dump exits 0"
is "$(J '[.frontends[], .backends[], .servers[] | .instances[].endpoint] | map(select(. == "'"$FLEET_TCP_SOCK_1"'")) | length' <<<"$HAP_OUT")" \
	0 "a process reached twice: its duplicate holds no object"
fleet_down

# a bigger fleet: each reply is read in many pieces, rows indexed as they come
fleet_up 2 --big 300 10
dump_vs_sockets "2 x 300 backends x 10 servers" 2
dump_vs_sockets "2 x 300 backends x 10 servers, --compact" 2 --compact
is "$(J '.servers | length' "$T/dump.json")" 3000 "2 x 300 x 10: 3000 servers merged by name"
fleet_down

done_testing
