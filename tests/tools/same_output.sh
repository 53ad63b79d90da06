#!/usr/bin/env bash
# same_output.sh OLD NEW [FLEET_DIR]: the outputs of two builds of the CLI,
# side by side, for the commands whose output goes through the row emitter
# (changes, workflows, state, acl/map, fleet list) and a few others, in the
# four formats (default, -o table, -o csv, -o json): stdout, stderr and the
# exit status, diffed. For a refactoring that must not change any output:
#   git worktree add /tmp/old <commit> && (cd /tmp/old && meson setup build
#   && ninja -C build)
#   bash tests/tools/same_output.sh /tmp/old/build/cli/haproxyadmin build/cli/haproxyadmin
# Without FLEET_DIR it starts a fleet of 3 (FLEET_DYN=1) and stops it at
# the end; a given fleet must be that shape. Needs socat.
# Reads run old, new, old; they are equal when new matches an old run, and
# are tried 3 times (counters move). Changes run old change, old undo, new
# change, new undo: the fleet ends as it started. Times, versions, pids and
# uptimes are masked, every digit of info and errors. Exit 1 on a difference.
set -u
OLD=$1 NEW=$2 FD=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)
OWN=""
if [ -z "$FD" ]; then
	FD=$(mktemp -d "${TMPDIR:-/tmp}/same-output-fleet.XXXXXX")
	OWN=$FD
	FLEET_DYN=1 bash "$HERE/../fleet/fleet.sh" start "$FD" 3 >"$FD.log" 2>&1 ||
		{ cat "$FD.log"; exit 2; }
fi
# shellcheck source=/dev/null
. "$FD/env"
W=$(mktemp -d "${TMPDIR:-/tmp}/same-output.XXXXXX")
cleanup() {
	rm -rf "$W"
	[ -z "$OWN" ] || { bash "$HERE/../fleet/fleet.sh" stop "$OWN" >/dev/null 2>&1; rm -rf "$OWN" "$OWN.log"; }
}
trap cleanup EXIT
S=(-s "$FLEET_SOCK_DIR")
MISS=(-s "$FLEET_SOCK_DIR" -s "$W/missing.sock")
export HAPROXYADMIN_CONFIG=$W/fleets
printf '[first]\nsocket = %s\ntimeout = 1.5\nparallel = 4\n\n[second]\nsocket = %s\nsocket = %s\nretries = 2\n' \
	"$FLEET_ADMIN_SOCK_1" "$FLEET_ADMIN_SOCK_2" "$FLEET_ADMIN_SOCK_3" >"$W/fleets"
NFAIL=0 NRUN=0 NNOISY=0
norm() { sed -E 's#'"$W"'#W#g; s/"milliseconds":[0-9]+/"milliseconds":<N>/; s/each, [0-9.]+ s$/each, <T> s/; s/version [0-9]+/version <V>/g; s/@[0-9]+ /@<V> /g; s/"version":[0-9]+/"version":<V>/g; s/[0-9]{9,}/<TS>/g; s/(uptime|Uptime[a-z_]*|Start_time[a-z_]*|Pid|pid|Idle_pct|Run_queue|Tasks|CurrConns|CumConns|Uptime)([":, =]+)[0-9.]+/\1\2<N>/g'; }
MASK=0
run1() { # run1 BIN TAG ARGS... (MASK=1: every digit is 9)
	local b=$1 t=$2
	shift 2
	"$b" "$@" >"$W/$t.out" 2>"$W/$t.err" </dev/null
	echo "rc=$?" >>"$W/$t.err"
	{ cat "$W/$t.out"; echo "--stderr--"; cat "$W/$t.err"; } | norm | if [ "$MASK" = 1 ]; then sed 's/[0-9]/9/g'; else cat; fi >"$W/$t.all"
}
same() { cmp -s "$W/$1.all" "$W/$2.all"; }
report() { # report DESC
	NFAIL=$((NFAIL + 1))
	echo "DIFF: $1"
	diff "$W/o1.all" "$W/n.all" | head -20
}
# read DESC ARGS...: every format
read_all() {
	local o
	for o in "" table csv json; do
		local f=()
		[ -z "$o" ] || f=(-o "$o")
		NRUN=$((NRUN + 1))
		local try ok=0
		for try in 1 2 3; do
			run1 "$OLD" o1 "${f[@]}" "$@"
			run1 "$NEW" n "${f[@]}" "$@"
			same o1 n && { ok=1; break; }
			run1 "$OLD" o2 "${f[@]}" "$@"
			same o2 n && { ok=1; break; }
			NNOISY=$((NNOISY + 1))
		done
		[ $ok = 1 ] || report "${f[*]} $*"
	done
}
# change DO UNDO: the change in every format, each followed by its undo
change_all() {
	local o doit=$1 undo=$2
	for o in "" table csv json; do
		local f=()
		[ -z "$o" ] || f=(-o "$o")
		NRUN=$((NRUN + 1))
		eval "run1 \"\$OLD\" o1 \"\${f[@]}\" $doit"
		eval "run1 \"\$OLD\" ou \"\${f[@]}\" $undo"
		eval "run1 \"\$NEW\" n \"\${f[@]}\" $doit"
		eval "run1 \"\$NEW\" nu \"\${f[@]}\" $undo"
		same o1 n || report "${f[*]} $doit"
		if ! same ou nu; then cp "$W/ou.all" "$W/o1.all"; cp "$W/nu.all" "$W/n.all"; report "${f[*]} $undo (undo)"; fi
	done
}
# reads
MASK=1 read_all "${S[@]}" info
MASK=1 read_all "${MISS[@]}" info
MASK=1 read_all "${S[@]}" haproxy info
MASK=1 read_all "${S[@]}" haproxy errors
read_all "${S[@]}" haproxy metric Maxconn
read_all "${MISS[@]}" haproxy metric Maxconn
read_all "${MISS[@]}" server metric bck_all_srv1 weight
read_all "${S[@]}" backend metric backend_all weight
read_all "${S[@]}" server wait bck_all_srv1 up --timeout 1
read_all "${MISS[@]}" server wait bck_all_srv1 up --timeout 1
read_all "${S[@]}" frontend list
read_all "${MISS[@]}" frontend list
read_all "${S[@]}" frontend show frontend_all
read_all "${S[@]}" backend list
read_all "${S[@]}" backend show backend_all
read_all "${S[@]}" backend servers backend_all
read_all "${MISS[@]}" backend servers backend_all
read_all "${S[@]}" server list
read_all "${MISS[@]}" server list
read_all "${S[@]}" server list -b backend_all
read_all "${S[@]}" server list nosuch
read_all "${S[@]}" server show bck_all_srv1
read_all "${S[@]}" server metric bck_all_srv1 weight
read_all "${S[@]}" acl list
read_all "${MISS[@]}" acl list
read_all "${S[@]}" map list
read_all "${S[@]}" acl show "$FLEET_ACL_WL"
read_all "${MISS[@]}" acl show "$FLEET_ACL_WL"
read_all "${S[@]}" map show "$FLEET_MAP_H2B"
read_all "${S[@]}" acl show "#0"
read_all "${S[@]}" map get "$FLEET_MAP_H2B" app.foo.com
read_all "${S[@]}" map get "$FLEET_MAP_H2B" nosuch.foo.com
read_all "${MISS[@]}" map get "$FLEET_MAP_H2B" app.foo.com
read_all "${S[@]}" acl get "$FLEET_ACL_WL" 127.0.0.1
read_all "${S[@]}" acl get "$FLEET_ACL_WL" 10.1.1.1
# the instances disagree (then restored)
fleet_cmd() { printf '%s\n' "$2" | timeout 20 socat -t 15 - "UNIX-CONNECT:$1" >/dev/null; }
fleet_cmd "$FLEET_ADMIN_SOCK_2" "set map $FLEET_MAP_H2B app.foo.com backend_slow"
fleet_cmd "$FLEET_ADMIN_SOCK_1" "add acl $FLEET_ACL_WL 10.7.7.7"
read_all "${S[@]}" map get "$FLEET_MAP_H2B" app.foo.com
read_all "${MISS[@]}" map get "$FLEET_MAP_H2B" app.foo.com
read_all "${S[@]}" map show "$FLEET_MAP_H2B"
read_all "${MISS[@]}" map show "$FLEET_MAP_H2B"
read_all "${S[@]}" acl get "$FLEET_ACL_WL" 10.7.7.7
read_all "${S[@]}" acl show "$FLEET_ACL_WL"
read_all "${S[@]}" acl list
fleet_cmd "$FLEET_ADMIN_SOCK_2" "set map $FLEET_MAP_H2B app.foo.com backend_all"
for i in 1 2 3; do eval "fleet_cmd \"\$FLEET_ADMIN_SOCK_$i\" \"add map $FLEET_MAP_H2B amb.foo.com back\\\\ end\""; done
read_all "${S[@]}" map show "$FLEET_MAP_H2B"
read_all "${MISS[@]}" map show "$FLEET_MAP_H2B"
fleet_cmd "$FLEET_ADMIN_SOCK_3" 'add map '"$FLEET_MAP_H2B"' amb2.foo.com x\\ y'
read_all "${S[@]}" map show "$FLEET_MAP_H2B"
fleet_cmd "$FLEET_ADMIN_SOCK_3" "del map $FLEET_MAP_H2B amb2.foo.com"
for i in 1 2 3; do eval "fleet_cmd \"\$FLEET_ADMIN_SOCK_$i\" \"del map $FLEET_MAP_H2B amb.foo.com\""; done
fleet_cmd "$FLEET_ADMIN_SOCK_2" "clear acl $FLEET_ACL_BL"
read_all "${S[@]}" acl show "$FLEET_ACL_BL"
read_all "${MISS[@]}" acl show "$FLEET_ACL_BL"
read_all "${S[@]}" acl list
fleet_cmd "$FLEET_ADMIN_SOCK_2" "add acl $FLEET_ACL_BL 10.0.0.1"
fleet_cmd "$FLEET_ADMIN_SOCK_2" "add acl $FLEET_ACL_BL 192.168.0.0/16"
read_all -s "$FLEET_ADMIN_SOCK_1" -s "$W/missing.sock" acl show "#0"
fleet_cmd "$FLEET_ADMIN_SOCK_1" "del acl $FLEET_ACL_WL 10.7.7.7"
read_all "${S[@]}" server state diff
read_all "${MISS[@]}" server state diff
read_all -s "$FLEET_ADMIN_SOCK_1" server state save "$W/st1.state"
mkdir -p "$W/stdir"
read_all "${S[@]}" server state save "$W/stdir"
read_all -s "$FLEET_ADMIN_SOCK_1" server state save "$W/nodir/x.state"
read_all "${MISS[@]}" server state save "$W/stdir"
read_all fleet list
: >"$W/empty"
HAPROXYADMIN_CONFIG=$W/empty read_all fleet list
sed -i "1i default = second" "$W/fleets"
read_all fleet list
MASK=1 read_all -f first info
# dry runs
read_all "${S[@]}" -n server set bck_all_srv1 weight 10
read_all "${S[@]}" -n acl add "$FLEET_ACL_WL" 10.9.9.9
read_all "${S[@]}" -n map set "$FLEET_MAP_H2B" app.foo.com backend_slow
read_all "${S[@]}" -n server add backend_dyn/dyn_x 127.0.0.1:1 weight 3
read_all "${S[@]}" -n server remove srv_all1 -b backend_all
printf '127.0.0.1\n::1\n192.0.2.11\n' >"$W/new.acl"
read_all "${S[@]}" -n acl replace "$FLEET_ACL_WL" "$W/new.acl"
read_all "${MISS[@]}" -y acl replace "$FLEET_ACL_WL" "$W/new.acl"
# unreached: nothing sent
# changes and their undo
Y="-y -s $FLEET_SOCK_DIR"
YM="$Y -s $W/missing.sock"
change_all "$YM server set bck_all_srv1 weight 10" "$Y server set bck_all_srv1 weight 100%"
change_all "$YM acl add $FLEET_ACL_WL 10.9.9.9" "$Y acl del $FLEET_ACL_WL 10.9.9.9"
change_all "$YM frontend disable frontend_all" "$Y frontend enable frontend_all"
# the values the undos restore, as the fleet started
GMAX=$(printf 'show info\n' | socat -t 5 - "UNIX-CONNECT:$FLEET_ADMIN_SOCK_1" | awk -F': ' '$1 == "Maxconn" { print $2 }')
FMAX=$(printf 'show stat frontend_all 1 -1\n' | socat -t 5 - "UNIX-CONNECT:$FLEET_ADMIN_SOCK_1" |
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "slim") c = i; next } $2 == "FRONTEND" { print $c }')
change_all "$YM haproxy set maxconn 500" "$Y haproxy set maxconn $GMAX"
change_all "$Y server set bck_all_srv1 weight 10" "$Y server set bck_all_srv1 weight 100%"
change_all "$Y server set bck_all_srv1 weight 10%" "$Y server set bck_all_srv1 weight 100%"
change_all "$Y server disable bck_all_srv1" "$Y server enable bck_all_srv1"
change_all "$Y server set bck_all_srv1 state drain" "$Y server set bck_all_srv1 state ready"
change_all "$Y frontend set frontend_all maxconn 77" "$Y frontend set frontend_all maxconn $FMAX"
change_all "$Y haproxy set maxconn 500" "$Y haproxy set maxconn $GMAX"
change_all "$Y server set nosuch weight 3" "$Y server list nosuch"
change_all "$Y acl add $FLEET_ACL_WL 10.9.9.9" "$Y acl del $FLEET_ACL_WL 10.9.9.9"
change_all "$Y map add $FLEET_MAP_H2B x.foo.com backend_all" "$Y map del $FLEET_MAP_H2B x.foo.com"
change_all "$Y map set $FLEET_MAP_H2B app.foo.com backend_slow" "$Y map set $FLEET_MAP_H2B app.foo.com backend_all"
printf "127.0.0.1\n::1\n192.0.2.10\n" >"$W/orig.acl"
change_all "$Y acl replace $FLEET_ACL_WL $W/new.acl" "$Y acl replace $FLEET_ACL_WL $W/orig.acl"
change_all "$Y acl add $FLEET_ACL_WL 192.0.2.99" "$Y acl del $FLEET_ACL_WL 192.0.2.99"
change_all "$Y server add backend_dyn/dyn_x 127.0.0.1:${FLEET_ORIGIN_PORTS%% *} weight 3" "$Y server remove dyn_x -b backend_dyn --wait 2"
change_all "$Y server drain bck_all_srv1 --wait=2 --interval 0.2" "$Y server set bck_all_srv1 state ready"
change_all "$Y server wait bck_all_srv1 up --timeout 1" "$Y server wait bck_all_srv1 empty --timeout 1"
change_all "$Y server set member_bkall -b backend_all weight 9" "$Y server set member_bkall -b backend_all weight 1"
run1 "$OLD" x -y "${S[@]}" server set member_bkall -b backend_all weight 9
read_all "${S[@]}" server state diff
read_all "${MISS[@]}" server state diff
run1 "$OLD" x -y "${S[@]}" server set member_bkall -b backend_all weight 1
echo "runs: $NRUN, retried (values moved between runs): $NNOISY, differences: $NFAIL"
[ "$NFAIL" = 0 ]
