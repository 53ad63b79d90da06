#!/usr/bin/env bash
# test_server_ops.sh - the original project's "Server Operations" page
# (reference/seed-server-operations.rst) through the CLI on a 4-instance
# fleet, plus HAProxy 2.6's other per-server changes and the rules every
# change follows (partly applied, dry run, confirmation, socket levels).
#
# Every outcome is read back from each instance's own admin socket (show
# stat, get weight, show servers state), not only from the CLI's report.
# Each section sets up what it needs from the fleet as started (see
# tests/fleet/fleet.sh for the topology) and reads its "before" values
# itself, so it does not depend on what an earlier section left behind;
# nothing is restored. The instance kill is last.
set -u
. "$(dirname "$0")/lib.sh"

T0=$SECONDS
fleet_up 4

# ------------------------------------------------------------------ helpers

sock() { # sock I: admin socket of instance I
	local v=FLEET_ADMIN_SOCK_$1
	echo "${!v}"
}

# cli ARGS...: the CLI on the whole fleet, stdin not a terminal
cli() {
	hap_cli -s "$FLEET_SOCK_DIR" "$@" </dev/null
}

J() { jq -r "$@"; }

# gw I BACKEND/SERVER: "N (initial M)" from get weight on instance I
gw() {
	hap_sock "$(sock "$1")" "get weight $2" | head -n 1
}

# field I PX SV COLUMN: one show stat column read from instance I
field() {
	stat_field "$(sock "$1")" "$2" "$3" "$4"
}

# fields_all PX SV COLUMN: "i=value" for every instance holding PX/SV
fields_all() {
	local i out="" csv v
	for i in 1 2 3 4; do
		csv=$(hap_sock "$(sock "$i")" "show stat")
		printf '%s\n' "$csv" | grep -q "^$1,$2," || continue
		v=$(csv_field "$csv" "$1" "$2" "$3")
		out="$out $i=$v"
	done
	echo "${out# }"
}

# servers_state: weights, admin states, addresses and ports of every server
# on every instance (show servers state), to prove that nothing changed.
servers_state() {
	local i
	for i in 1 2 3 4; do
		hap_sock "$(sock "$i")" "show servers state" |
			awk -v i="$i" 'NR > 2 && NF { print i, $2, $4, $5, $7, $8, $19 }'
	done
}

# agg RULE V...: what the aggregate of the per-instance values must be.
# Empty values are absent; none left -> null. sum, max; min is the youngest
# real age (-1 = never, used only when no instance has a real age); avg is
# rounded half away from zero; agree -> the value, or DISAGREE.
agg() {
	local rule=$1
	shift
	awk -v rule="$rule" 'BEGIN {
		n = 0
		for (i = 1; i < ARGC; i++) if (ARGV[i] != "") v[++n] = ARGV[i]
		if (n == 0) { print "null"; exit }
		if (rule == "agree") {
			for (i = 2; i <= n; i++) if (v[i] != v[1]) { print "DISAGREE"; exit }
			print v[1]; exit
		}
		s = 0; mx = v[1] + 0; mn = -1; have = 0
		for (i = 1; i <= n; i++) {
			x = v[i] + 0; s += x
			if (x > mx) mx = x
			if (x >= 0 && (!have || x < mn)) { mn = x; have = 1 }
		}
		if (rule == "sum") print s
		else if (rule == "max") print mx
		else if (rule == "min") print (have ? mn : mx)
		else if (rule == "avg") {
			q = int(s / n); r = s - q * n
			if (2 * (r < 0 ? -r : r) >= n) q += (s < 0 ? -1 : 1)
			print q
		} else print "rule?" rule
	}' "$@"
}

# wait_for TRIES CMD...: retry CMD every 0.1 s
wait_for() {
	local n=$1 t
	shift
	for t in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# results_of: "RESULT" words of a JSON change report, sorted and joined
results_of() {
	printf '%s\n' "$HAP_OUT" | J '[.[].result] | sort | unique | join(",")'
}

# ================================================================== existence
diag "--- a quick way to check if a certain server exists"
cli server show bck_all_srv1
is "$HAP_RC" 0 "server show bck_all_srv1 exits 0 (have it)"
cli server show bck_all_srv1foo
is "$HAP_RC" 4 "server show bck_all_srv1foo exits 4 (no such server)"
like "$HAP_ERR" "bck_all_srv1foo" "... and stderr names it"
is "$HAP_OUT" "" "... and prints nothing on stdout"

cli -o json server list
is "$HAP_RC" 0 "server list exits 0"
got=$(printf '%s\n' "$HAP_OUT" | J '[.[] | select(.name == "bck_all_srv1") | .backend] | join(" ")')
is "$got" "backend1_proc34 backend2_proc34 backend_all backend_proc1" \
	"server list has bck_all_srv1 once per backend holding it"
got=$(printf '%s\n' "$HAP_OUT" | J '[.[] | select(.name == "bck_all_srv1") |
	"\(.backend)=\(.instances | length)"] | join(" ")')
is "$got" "backend1_proc34=2 backend2_proc34=2 backend_all=4 backend_proc1=1" \
	"... on 2, 2, 4 and 1 instances"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[] | select(.name == "bck_all_srv1foo")] | length')" 0 \
	"server list has no bck_all_srv1foo"
# the same, from the sockets
want=""
for i in 1 2 3 4; do
	want="$want $(hap_sock "$(sock "$i")" "show stat" | awk -F, '$2 == "bck_all_srv1" { print $1 }')"
done
is "$(echo $want | tr ' ' '\n' | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }' | sed 's/ $//')" \
	"backend1_proc34=2 backend2_proc34=2 backend_all=4 backend_proc1=1" \
	"the sockets hold bck_all_srv1 in the same backends and instances"

# ================================================================== metrics
diag "--- retrieve various statistics (SERVER_METRICS of every server of backend1_proc34)"
SERVER_METRICS="qcur qmax scur smax stot bin bout dresp econ eresp wretr wredis weight act bck
chkfail chkdown lastchg downtime qlimit throttle lbtot rate rate_max check_duration hrsp_1xx
hrsp_2xx hrsp_3xx hrsp_4xx hrsp_5xx hrsp_other cli_abrt srv_abrt lastsess qtime ctime rtime ttime"
SERVER_METRICS=$(echo $SERVER_METRICS)
is "$(wc -w <<<"$SERVER_METRICS")" 38 "the page lists 38 server metrics"

# The expected rule of each metric, written here (DESIGN.md: counters, gauges
# and rates summed, limits summed, max of maxima, min of ages, average of
# averages, config must agree), never taken from the CLI under test.
declare -A RULE=(
	[qcur]=sum [qmax]=max [scur]=sum [smax]=max [stot]=sum [bin]=sum [bout]=sum
	[dresp]=sum [econ]=sum [eresp]=sum [wretr]=sum [wredis]=sum [weight]=agree
	[act]=agree [bck]=agree [chkfail]=sum [chkdown]=sum [lastchg]=min [downtime]=max
	[qlimit]=sum [throttle]=avg [lbtot]=sum [rate]=sum [rate_max]=max
	[check_duration]=avg [hrsp_1xx]=sum [hrsp_2xx]=sum [hrsp_3xx]=sum [hrsp_4xx]=sum
	[hrsp_5xx]=sum [hrsp_other]=sum [cli_abrt]=sum [srv_abrt]=sum [lastsess]=min
	[qtime]=avg [ctime]=avg [rtime]=avg [ttime]=avg
)
is "${#RULE[@]}" 38 "the test's rule table has the 38 metrics"
cli server metrics
is "$HAP_RC" 0 "server metrics exits 0"
declare -A CLIRULE
while read -r name rule; do CLIRULE[$name]=$rule; done <<<"$HAP_OUT"
bad=""
for m in $SERVER_METRICS; do
	[ "${CLIRULE[$m]:-<missing>}" = "${RULE[$m]}" ] || bad="$bad $m(cli=${CLIRULE[$m]:-<missing>} want=${RULE[$m]})"
done
is "$bad" "" "the CLI reports the test's rule for every SERVER_METRICS name"

# Make the rules tell themselves apart: a state change on instance 3 only
# resets its lastchg (min != max), and traffic through backend1_proc34, more
# on instance 3 than on 4, makes the counters differ (sum != max).
age4() { [ "$(field 4 backend1_proc34 bck_all_srv1 lastchg)" -ge 2 ] 2>/dev/null; }
wait_for 30 age4
hap_sock "$(sock 3)" "disable server backend1_proc34/bck_all_srv1" >/dev/null
hap_sock "$(sock 3)" "enable server backend1_proc34/bck_all_srv1" >/dev/null
for k in 1 2 3 4 5 6; do fleet__http "$FLEET_PORT_frontend1_proc34_3" / >/dev/null; done
for k in 1 2 3; do fleet__http "$FLEET_PORT_frontend1_proc34_4" / >/dev/null; done

cli -o json server list -b backend1_proc34
srvs=$(printf '%s\n' "$HAP_OUT" | J '[.[].name] | sort | join(" ")')
is "$srvs" "bck1_proc34_srv1 bck1_proc34_srv2 bck_all_srv1" "backend1_proc34 has three servers"

# A server's values through the CLI and from sockets 3 and 4, read until
# the sockets say the same before and after the CLI (ages and check counters
# move every second).
jq_metrics='.[0] as $o | $ARGS.positional[] as $m |
	if any($o.disagree[]?; . == $m) then "DISAGREE"
	else ($o.metrics[$m] // $o.text[$m] // (if $m == "weight" then $o.weight else null end)) end |
	tostring'
for s in $srvs; do
	for attempt in 1 2 3 4 5 6 7 8; do
		b3=$(stat_values "$(hap_sock "$(sock 3)" "show stat backend1_proc34 4 -1")" backend1_proc34 "$s" $SERVER_METRICS)
		b4=$(stat_values "$(hap_sock "$(sock 4)" "show stat backend1_proc34 4 -1")" backend1_proc34 "$s" $SERVER_METRICS)
		cli -o json server show "$s" -b backend1_proc34
		a3=$(stat_values "$(hap_sock "$(sock 3)" "show stat backend1_proc34 4 -1")" backend1_proc34 "$s" $SERVER_METRICS)
		a4=$(stat_values "$(hap_sock "$(sock 4)" "show stat backend1_proc34 4 -1")" backend1_proc34 "$s" $SERVER_METRICS)
		[ "$b3" = "$a3" ] && [ "$b4" = "$a4" ] && break
	done
	is "$HAP_RC" 0 "server show $s -b backend1_proc34 exits 0 (stable read after $attempt attempt(s))"
	mapfile -t v3 <<<"$a3"
	mapfile -t v4 <<<"$a4"
	mapfile -t got < <(printf '%s\n' "$HAP_OUT" | jq -r "$jq_metrics" --args $SERVER_METRICS)
	k=0
	bad=""
	for m in $SERVER_METRICS; do
		want=$(agg "${RULE[$m]}" "${v3[$k]}" "${v4[$k]}")
		if [ "${got[$k]:-<none>}" != "$want" ]; then
			bad="$bad $m(cli=${got[$k]:-<none>} want=$want from ${RULE[$m]} of '${v3[$k]}','${v4[$k]}')"
		fi
		k=$((k + 1))
	done
	is "$bad" "" "$s: all 38 metrics equal the aggregate of the sockets' values"
	# a few rules spelled out, on values that tell them apart
	k=0
	for m in $SERVER_METRICS; do
		case $m in
		stot | smax | chkfail | weight | lastchg | qtime)
			diag "  $s $m: inst3='${v3[$k]}' inst4='${v4[$k]}' -> ${RULE[$m]} = ${got[$k]}" ;;
		esac
		k=$((k + 1))
	done
done
l3=$(field 3 backend1_proc34 bck_all_srv1 lastchg)
l4=$(field 4 backend1_proc34 bck_all_srv1 lastchg)
cli -o json server metric bck_all_srv1 lastchg -b backend1_proc34
lc=$(printf '%s\n' "$HAP_OUT" | J '.[0].value')
[ "$l3" -lt "$l4" ]
ok $? "bck_all_srv1 lastchg differs: $l3 on instance 3 (changed just now), $l4 on instance 4"
is "$lc" "$l3" "server metric lastchg is the youngest age ($l3), not the oldest ($l4)"
# weight must agree: one instance changed behind the CLI's back is shown, not averaged
hap_sock "$(sock 3)" "set weight backend1_proc34/bck1_proc34_srv1 7" >/dev/null
cli -o json server metric bck1_proc34_srv1 weight -b backend1_proc34
is "$(printf '%s\n' "$HAP_OUT" | J '.[0] | "\(.value) \(.disagree) \([.instances[].value] | join(","))"')" \
	"null true 7,1" "weights 7 and 1: the metric disagrees, each instance's value shown"
cli -o json server show bck1_proc34_srv1 -b backend1_proc34
is "$(printf '%s\n' "$HAP_OUT" | J '.[0] | "\(.weight) \(any(.disagree[]; . == "weight"))"')" "null true" \
	"server show lists weight among the disagreeing fields"
# stot: 6 requests on instance 3 and 3 on instance 4, round robin over the
# two UP servers: the sum over instances, not either instance's value.
s3=$(field 3 backend1_proc34 bck_all_srv1 stot)
s4=$(field 4 backend1_proc34 bck_all_srv1 stot)
cli -o json server metric bck_all_srv1 stot -b backend1_proc34
is "$(printf '%s\n' "$HAP_OUT" | J '.[0].value')" "$((s3 + s4))" \
	"server metric bck_all_srv1 stot = inst3 ($s3) + inst4 ($s4)"
isnt "$s3" "$s4" "... and the two instances have different stot"
cli -o json server metric bck_all_srv1 smax -b backend1_proc34
m3=$(field 3 backend1_proc34 bck_all_srv1 smax)
m4=$(field 4 backend1_proc34 bck_all_srv1 smax)
is "$(printf '%s\n' "$HAP_OUT" | J '.[0].value')" "$(( m3 > m4 ? m3 : m4 ))" \
	"server metric bck_all_srv1 smax = max(inst3 $m3, inst4 $m4)"
# every metric of the page answers through "server metric" too
bad=""
for m in $SERVER_METRICS; do
	cli -o json server metric bck_all_srv1 "$m" -b backend1_proc34
	[ "$HAP_RC" = 0 ] && [ "$(printf '%s\n' "$HAP_OUT" | J '.[0].metric')" = "$m" ] || bad="$bad $m"
done
is "$bad" "" "server metric bck_all_srv1 METRIC -b backend1_proc34 answers every SERVER_METRICS name"

# ================================================================== weight
diag "--- change weight of server in a backend"
cli -o json server set bck_all_srv1 weight 58 -b backend1_proc34
is "$HAP_RC" 0 "set weight 58 -b backend1_proc34 exits 0"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[] | "\(.object) \(.result) \(.after)"] | unique | join(";")')" \
	"backend1_proc34/bck_all_srv1 applied 58" "... applied on both instances, after 58"
is "$(printf '%s\n' "$HAP_OUT" | J 'length')" 2 "... one row per instance holding it (3 and 4)"
is "$(gw 3 backend1_proc34/bck_all_srv1)/$(gw 4 backend1_proc34/bck_all_srv1)" \
	"58 (initial 1)/58 (initial 1)" "get weight on instances 3 and 4 reads 58"
is "$(gw 3 backend2_proc34/bck_all_srv1)/$(gw 1 backend_all/bck_all_srv1)/$(gw 1 backend_proc1/bck_all_srv1)" \
	"1 (initial 1)/50 (initial 50)/100 (initial 100)" "the other backends keep their weight"

cli server set bck_all_srv1 weight 20% -b backend1_proc34
is "$HAP_RC" 2 "set weight 20% of initial 1 on 2 instances ends at 0: refused without -y"
is "$(gw 3 backend1_proc34/bck_all_srv1)/$(gw 4 backend1_proc34/bck_all_srv1)" \
	"58 (initial 1)/58 (initial 1)" "... nothing sent"
cli -y -o json server set bck_all_srv1 weight 20% -b backend1_proc34
is "$HAP_RC" 1 "set weight 20% -b backend1_proc34 exits 1: HAProxy rounds 20% of 1 to 0"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[] | "\(.result)/\(.why)"] | unique | join(",")')" \
	"partial/normalised" "... each row says normalised"
is "$(gw 3 backend1_proc34/bck_all_srv1)/$(gw 4 backend1_proc34/bck_all_srv1)" \
	"0 (initial 1)/0 (initial 1)" "20% is of the initial weight (1): 0, not 20% of 58"
# the page's numbers: initial weight 100
cli server set bck_all_srv1 weight 20% -b backend_proc1
is "$HAP_RC" 0 "set weight 20% -b backend_proc1 exits 0"
is "$(gw 1 backend_proc1/bck_all_srv1)" "20 (initial 100)" "backend_proc1: 20% of 100 = 20"
cli server set bck_all_srv1 weight 58 -b backend_proc1
is "$(gw 1 backend_proc1/bck_all_srv1)" "58 (initial 100)" "backend_proc1: then 58"

diag "--- or across all backends"
declare -A BEFORE
rows=""
for i in 1 2 3 4; do
	for b in backend1_proc34 backend2_proc34 backend_all backend_proc1; do
		w=$(gw "$i" "$b/bck_all_srv1")
		case $w in [0-9]*) BEFORE["$b/bck_all_srv1 $(sock "$i")"]=${w%% *} ;; esac
	done
done
is "${#BEFORE[@]}" 9 "bck_all_srv1 is in 9 (backend, instance) places"
cli server set bck_all_srv1 weight 8
is "$HAP_RC" 0 "server set bck_all_srv1 weight 8 (no -b) exits 0"
table=$HAP_OUT
diag "$table"
bad=""
for key in "${!BEFORE[@]}"; do
	obj=${key% *} path=${key#* }
	line=$(printf '%s\n' "$table" | awk -v o="$obj" -v p="$path" '$1 == o && $2 == p')
	[[ $line =~ ^[^\ ]+\ +[^\ ]+\ +applied\ +${BEFORE[$key]}\ +8\ *$ ]] || bad="$bad [$key: '$line']"
done
is "$bad" "" "the report shows each backend on each instance: applied, before (its own weight) and after 8"
is "$(printf '%s\n' "$table" | tail -n +2 | wc -l)" 9 "... 9 rows"
got=""
for i in 1 2 3 4; do
	for b in backend1_proc34 backend2_proc34 backend_all backend_proc1; do
		w=$(gw "$i" "$b/bck_all_srv1")
		case $w in [0-9]*) got="$got ${w%% *}" ;; esac
	done
done
is "$got" " 8 8 8 8 8 8 8 8 8" "get weight reads 8 in every backend on every instance"

cli server set bck_all_srv1 weight 256 -b backend_all
is "$HAP_RC" 0 "weight 256 is accepted (HAProxy: 0..256)"
is "$(for i in 1 2 3 4; do gw $i backend_all/bck_all_srv1; done | xargs)" \
	"256 (initial 50) 256 (initial 50) 256 (initial 50) 256 (initial 50)" "... and every instance reads 256"
cli -y server set bck_all_srv1 weight 0 -b backend_all
is "$HAP_RC" 0 "weight 0 is accepted"
expect_all_holders -n 4 server backend_all/bck_all_srv1 get-weight 0 "weight 0 read back from every holder"

before=$(servers_state)
for v in 257 abc 12.5 % "" 1x 10%%; do
	cli server set bck_all_srv1 weight "$v"
	is "$HAP_RC" 2 "weight '$v' is refused with exit 2"
	like "$HAP_ERR" "weight" "... stderr says why"
done
cli server set bck_all_srv1 weight -1
is "$HAP_RC" 2 "weight -1 is refused with exit 2 (taken for an option)"
cli server set bck_all_srv1 weight -- -1
is "$HAP_RC" 2 "weight -- -1 is refused with exit 2"
like "$HAP_ERR" "invalid value '-1'" "... by the weight check"
is "$(servers_state)" "$before" "no weight (nor anything else) changed on any socket"

# ================================================================== shutdown
diag "--- terminate all the sessions attached to the specified server"
holders=""
for k in 1 2 3; do
	spawn fleet_hold "$FLEET_DIR" 2
	holders="$holders $BG_PID"
done
spawn fleet_hold "$FLEET_DIR" 3
holders="$holders $BG_PID"
held() { [ "$(field 2 backend_slow slow1 scur)" = 3 ] && [ "$(field 3 backend_slow slow1 scur)" = 1 ]; }
wait_for 50 held
ok $? "three sessions held on instance 2, one on instance 3 (scur from the sockets)"
cli -o json server metric slow1 scur
is "$(printf '%s\n' "$HAP_OUT" | J '.[0].value')" 4 "server metric slow1 scur = 3 + 1 = 4"
cli -o json -y server shutdown-sessions slow1
is "$HAP_RC" 0 "-y server shutdown-sessions slow1 exits 0"
is "$(results_of)" "sent" "... sent on every instance (no state to read back; scur is checked below)"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[] | "\(.endpoint | sub(".*/"; ""))=\(.before)"] | join(" ")')" \
	"admin1.sock=0 admin2.sock=3 admin3.sock=1 admin4.sock=0" "... report: scur before"
is "$(fields_all backend_slow slow1 scur)" "1=0 2=0 3=0 4=0" "scur is 0 on every socket"
left=""
for p in $holders; do timeout 5 tail --pid="$p" -f /dev/null || left="$left $p"; done
is "$left" "" "... and the four held clients return at once"
cli -o json server metric slow1 smax
smax=$(fields_all backend_slow slow1 smax)
is "$(printf '%s\n' "$HAP_OUT" | J '.[0].value')" "$(agg max $(sed 's/[0-9]=//g' <<<"$smax"))" \
	"server metric slow1 smax is the max of the sockets' ($smax)"

# ================================================================== states
diag "--- disable a server in a backend"
cli -y server disable member_bkall -b backend_all
is "$HAP_RC" 0 "server disable member_bkall -b backend_all exits 0 (one object on 4 instances: -y)"
is "$(fields_all backend_all member_bkall status)" "1=MAINT 2=MAINT 3=MAINT 4=MAINT" "status MAINT on every socket"
cli -o json server show member_bkall -b backend_all
is "$(printf '%s\n' "$HAP_OUT" | J '.[0].status')" MAINT "server show: status MAINT"
cli -y -o json server disable member_bkall -b backend_all
is "$HAP_RC/$(results_of)" "0/applied" "disabling it again is applied (exit 0)"
cli server enable member_bkall -b backend_all
is "$HAP_RC" 0 "server enable member_bkall exits 0"
is "$(fields_all backend_all member_bkall status)" "1=no check 2=no check 3=no check 4=no check" \
	"status 'no check' on every socket"
cli -o json server show member_bkall -b backend_all
is "$(printf '%s\n' "$HAP_OUT" | J '.[0].status')" "no check" "server show: status 'no check'"

cli -y server set member_bkall state drain -b backend_all
is "$HAP_RC" 0 "set state drain exits 0"
is "$(fields_all backend_all member_bkall status)" "1=DRAIN 2=DRAIN 3=DRAIN 4=DRAIN" "status DRAIN on every socket"
cli -y -o json server set member_bkall state drain -b backend_all
is "$HAP_RC/$(results_of)" "0/applied" "drain again: applied (exit 0)"
cli -y server set member_bkall state maint -b backend_all
is "$HAP_RC/$(fields_all backend_all member_bkall status)" "0/1=MAINT 2=MAINT 3=MAINT 4=MAINT" "state maint: MAINT"
cli server set member_bkall state ready -b backend_all
is "$HAP_RC" 0 "set state ready exits 0"
is "$(fields_all backend_all member_bkall status)" "1=no check 2=no check 3=no check 4=no check" "back to 'no check'"
cli -o json server set member_bkall state ready -b backend_all
is "$HAP_RC/$(results_of)" "0/applied" "ready again (the state it has): applied, exit 0"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[] | "\(.before)>\(.after)"] | unique | join(",")')" \
	"no check>no check" "... before and after both 'no check'"
cli server set member_bkall state bogus -b backend_all
is "$HAP_RC" 2 "state bogus: exit 2"

# ================================================================== status fields
diag "--- get status of server (a checked server that is DOWN)"
for attempt in 1 2 3 4 5; do
	cli -o json server show bck1_proc34_srv2 -b backend1_proc34
	out=$HAP_OUT
	want=""
	for i in 3 4; do
		want="$want|$i:$(stat_values "$(hap_sock "$(sock $i)" "show stat")" backend1_proc34 bck1_proc34_srv2 \
			status check_status check_code last_chk last_agt | paste -sd '#')"
	done
	gotp=""
	for n in 0 1; do
		gotp="$gotp|$((n + 3)):$(printf '%s\n' "$out" | J ".[0].instances[$n] | [.status, .text.check_status // \"\",
			.text.check_code // \"\", .text.last_chk // \"\", .text.last_agt // \"\"] | join(\"#\")")"
	done
	[ "$gotp" = "$want" ] && break
done
is "$gotp" "$want" "per instance status/check_status/check_code/last_chk/last_agt match the sockets"
is "$(printf '%s\n' "$out" | J '.[0].status')" DOWN "status DOWN"
like "$(printf '%s\n' "$out" | J '.[0].text.check_status')" '^(\* )?L4(CON|TOUT)$' "check_status L4CON or L4TOUT"
is "$(printf '%s\n' "$out" | J '.[0].text.check_code // ""')" "" "check_code empty"
is "$(field 3 backend1_proc34 bck1_proc34_srv2 check_code)" "" "... as on the socket"
is "$(printf '%s\n' "$out" | J '.[0].text.last_agt // ""')" "" "last_agt (last_agent_check) empty"
is "$(printf '%s\n' "$out" | J '.[0].text.last_chk')" "$(field 4 backend1_proc34 bck1_proc34_srv2 last_chk)" \
	"last_chk is the sockets' ('$(field 4 backend1_proc34 bck1_proc34_srv2 last_chk)')"
cli -o json server show srv_agent -b backend_all
is "$(printf '%s\n' "$HAP_OUT" | J '.[0].text.last_agt')" "$(field 1 backend_all srv_agent last_agt)" \
	"srv_agent last_agt (quoted, with a comma) is the socket's"
is "$(printf '%s\n' "$HAP_OUT" | J '.[0].text.last_agt')" "$FLEET_AGENT_DESC" "... i.e. the agent's text"

# ================================================================== addr
diag "--- beyond the page: set addr"
o2=$(awk '{ print $2 }' <<<"$FLEET_ORIGIN_PORTS")
o3=$(awk '{ print $3 }' <<<"$FLEET_ORIGIN_PORTS")
is "$(fields_all backend_all member_bkall addr)" \
	"1=127.0.0.1:$o3 2=127.0.0.1:$o3 3=127.0.0.1:$o3 4=127.0.0.1:$o3" "member_bkall starts at 127.0.0.1:$o3"
cli -o json server set member_bkall addr 127.0.0.2 -b backend_all
is "$HAP_RC/$(results_of)" "0/applied" "set addr 127.0.0.2: applied, exit 0"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[].message] | unique | join("|")')" \
	"IP changed from '127.0.0.1' to '127.0.0.2' by 'stats socket command'" "... HAProxy's text verbatim"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[] | "\(.before)>\(.after)"] | unique | join(",")')" \
	"127.0.0.1:$o3>127.0.0.2:$o3" "... report: addr before and after"
is "$(fields_all backend_all member_bkall addr)" \
	"1=127.0.0.2:$o3 2=127.0.0.2:$o3 3=127.0.0.2:$o3 4=127.0.0.2:$o3" "every socket has 127.0.0.2:$o3"
cli -o json server set member_bkall addr 127.0.0.1 port "$o2" -b backend_all
is "$HAP_RC/$(results_of)" "0/applied" "set addr 127.0.0.1 port $o2: applied"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[].message] | unique | join("|")')" \
	"IP changed from '127.0.0.2' to '127.0.0.1', port changed from '$o3' to '$o2' by 'stats socket command'" \
	"... HAProxy's text verbatim"
is "$(fields_all backend_all member_bkall addr)" \
	"1=127.0.0.1:$o2 2=127.0.0.1:$o2 3=127.0.0.1:$o2 4=127.0.0.1:$o2" "every socket has 127.0.0.1:$o2"
cli -o json server set member_bkall addr 127.0.0.1 port "$o2" -b backend_all
is "$HAP_RC/$(results_of)" "0/applied" "the same address and port again: applied"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[].message] | unique | join("|")')" \
	"no need to change the addr, no need to change the port by 'stats socket command'" "... HAProxy says so"
before=$(servers_state)
cli server set member_bkall addr 127.0.0.3 port abc -b backend_all
is "$HAP_RC" 2 "port abc: refused by the CLI with exit 2"
like "$HAP_ERR" "port" "... stderr says the port is invalid"
for a in localhost 127.0.0 bogus; do
	cli server set member_bkall addr "$a" -b backend_all
	is "$HAP_RC" 2 "addr '$a': exit 2 (HAProxy takes IP literals only)"
done
cli server set member_bkall addr 127.0.0.1 port 0 -b backend_all
is "$HAP_RC" 2 "port 0: exit 2"
cli server set member_bkall addr 127.0.0.1 port 65536 -b backend_all
is "$HAP_RC" 2 "port 65536: exit 2"
is "$(servers_state)" "$before" "... nothing changed on any socket"
# (No test of a partial 'set addr' here: HAProxy changes the IP and not the
# port only for a bad port, which the CLI refuses before sending, as tested
# above; HAProxy's reply for it is judged in test_ops,
# set-server-addr.bad-port-partial.)
cli -o json server set member_bkall addr ::1 -b backend_all
is "$HAP_RC/$(printf '%s\n' "$HAP_OUT" | J '[.[].message] | unique | join("|")')" \
	"0/IP changed from '127.0.0.1' to '::1' by 'stats socket command'" "an IPv6 address is applied"
expect_all_holders -n 4 server backend_all/member_bkall addr "~^\\[?::1\\]?:$o2\$" \
	"... every holder's socket has [::1]:$o2"

# ================================================================== health
diag "--- beyond the page: set health (checks disabled first: a passing check would undo it within 1 s)"
cli server check srv_all1 disable -b backend_all
is "$HAP_RC" 0 "check srv_all1 disable exits 0"
is "$(fields_all backend_all srv_all1 status)" "1=no check 2=no check 3=no check 4=no check" \
	"status 'no check' on every socket after check disable"
for hs in down=DOWN stopping=NOLB up="no check"; do
	h=${hs%%=*} st=${hs#*=}
	cli -y -o json server set srv_all1 health "$h" -b backend_all
	is "$HAP_RC/$(results_of)" "0/applied" "health $h: applied, exit 0"
	is "$(fields_all backend_all srv_all1 status)" "1=$st 2=$st 3=$st 4=$st" "... status $st on every socket"
done
cli server check srv_all1 enable -b backend_all
is "$HAP_RC" 0 "check srv_all1 enable exits 0"
is "$(fields_all backend_all srv_all1 status)" "1=UP 2=UP 3=UP 4=UP" "status UP again on every socket"
before=$(fields_all backend_all srv_track status)
cli -y -o json server set srv_track health down -b backend_all
is "$HAP_RC" 1 "health down on the tracking server srv_track: exit 1"
is "$(results_of)" "refused" "... refused on every instance"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[].message] | unique | join("|")')" \
	"cannot change health on a tracking server." "... with HAProxy's text verbatim"
is "$(grep -c 'admin[1-4]\.sock.*cannot change health on a tracking server\.' <<<"$HAP_ERR")" 4 \
	"... stderr names each of the 4 instances"
is "$(fields_all backend_all srv_track status)" "$before" "srv_track's status is unchanged ($before)"
# with its checks on, the change is counted (chkdown) even when a check
# brings the server back before anyone looks
cd0=$(fields_all backend_all srv_all1 chkdown)
cli -y -o json server set srv_all1 health down -b backend_all
is "$HAP_RC/$(results_of)" "0/applied" "health down on the checked server: applied"
cd1=$(fields_all backend_all srv_all1 chkdown)
bad=""
for i in 1 2 3 4; do
	a=$(tr ' ' '\n' <<<"$cd0" | sed -n "s/^$i=//p")
	b=$(tr ' ' '\n' <<<"$cd1" | sed -n "s/^$i=//p")
	[ "$b" -gt "$a" ] 2>/dev/null || bad="$bad $i:$a>$b"
done
is "$bad" "" "... every socket counted the transition to DOWN (chkdown $cd0 -> $cd1)"
cli server set srv_all1 health sideways -b backend_all
is "$HAP_RC" 2 "health sideways: exit 2"

# ================================================================== agent
diag "--- beyond the page: agent up/down, agent-check enable/disable"
cli server agent-check srv_agent disable -b backend_all
is "$HAP_RC" 0 "agent-check srv_agent disable exits 0"
is "$(fields_all backend_all srv_agent agent_status)" "1= 2= 3= 4=" "agent_status empty on every socket"
cli server agent-check srv_agent enable -b backend_all
is "$HAP_RC" 0 "agent-check srv_agent enable exits 0"
# ("* " prefixes a status while a check is in progress)
st_re='(\* )?[A-Z][0-9A-Z]*'
like "$(fields_all backend_all srv_agent agent_status)" "^1=$st_re 2=$st_re 3=$st_re 4=$st_re\$" \
	"agent_status set again on every socket"
cli -o json server agent-check srv_all1 enable -b backend_all
is "$HAP_RC/$(results_of)" "1/refused" "agent-check enable on a server without agent: refused, exit 1"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[].message] | unique | join("|")')" \
	"Agent was not configured on this server, cannot enable." "... HAProxy's text verbatim"
# The agent answers "up" every second, which would undo "agent down": make
# it answer something HAProxy ignores, and wait for in-flight checks.
printf 'nothing-known\n' >"$FLEET_DIR/agent.txt"
sleep 1.3
cli -y -o json server set srv_agent agent down -b backend_all
is "$HAP_RC/$(results_of)" "0/applied" "agent down: applied, exit 0"
is "$(fields_all backend_all srv_agent status)" "1=DOWN (agent) 2=DOWN (agent) 3=DOWN (agent) 4=DOWN (agent)" \
	"status 'DOWN (agent)' on every socket"
cli -o json server set srv_agent agent up -b backend_all
is "$HAP_RC/$(results_of)" "0/applied" "agent up: applied, exit 0"
is "$(fields_all backend_all srv_agent status)" "1=UP 2=UP 3=UP 4=UP" "status UP on every socket"
printf '%s\n' "$FLEET_AGENT_TEXT" >"$FLEET_DIR/agent.txt"
cli server set srv_agent agent stopping -b backend_all
is "$HAP_RC" 2 "agent stopping: exit 2 (up or down only)"

# ================================================================== checks
diag "--- beyond the page: health checks disable/enable"
cli server check bck2_proc34_srv2 disable -b backend2_proc34
is "$HAP_RC" 0 "check bck2_proc34_srv2 disable exits 0"
is "$(fields_all backend2_proc34 bck2_proc34_srv2 status)" "3=no check 4=no check" "status 'no check' on instances 3 and 4"
cli server check bck2_proc34_srv2 enable -b backend2_proc34
is "$HAP_RC/$(fields_all backend2_proc34 bck2_proc34_srv2 status)" "0/3=UP 4=UP" "check enable: UP again"
cli -o json server check member_bkall enable -b backend_all
is "$HAP_RC/$(results_of)" "1/refused" "check enable on a server without checks: refused, exit 1"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[].message] | unique | join("|")')" \
	"Health check was not configured on this server, cannot enable." "... HAProxy's text verbatim"

# ================================================================== maxconn
diag "--- beyond the page: maxconn"
cli -o json server set srv_all1 maxconn 77 -b backend_all
is "$HAP_RC/$(results_of)" "0/applied" "maxconn 77: applied, exit 0"
is "$(fields_all backend_all srv_all1 slim)" "1=77 2=77 3=77 4=77" "slim 77 on every socket"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[].after] | unique | join(",")')" 77 "... report: after 77"
before=$(fields_all backend_all srv_all1 slim)
for v in abc -5 1.5 ""; do
	cli server set srv_all1 maxconn "$v" -b backend_all
	is "$HAP_RC" 2 "maxconn '$v': exit 2"
done
is "$(fields_all backend_all srv_all1 slim)" "$before" "... slim unchanged"

# ================================================================== rules
diag "--- rules: dry run"
before=$(servers_state)
cli -n server set bck_all_srv1 weight 9
is "$HAP_RC" 0 "-n set weight exits 0"
is "$(printf '%s\n' "$HAP_OUT" | wc -l)" 9 "... prints one line per instance and backend"
like "$HAP_OUT" "$(sock 3): set weight backend1_proc34/bck_all_srv1 9" "... as 'INSTANCE: COMMAND'"
cli --dry-run -y server disable bck_all_srv1
is "$HAP_RC" 0 "--dry-run disable exits 0"
like "$HAP_OUT" "$(sock 1): disable server backend_proc1/bck_all_srv1" "... prints the disable commands"
is "$(servers_state)" "$before" "nothing changed on any socket"

diag "--- rules: a disruptive change on several objects"
before=$(servers_state)
cli server disable bck_all_srv1
is "$HAP_RC" 2 "disable bck_all_srv1 (4 backends) without -y and without a terminal: exit 2"
like "$HAP_ERR" "--yes" "... stderr says --yes is needed"
cli server set bck_all_srv1 state drain
is "$HAP_RC" 2 "state drain on 4 backends without -y: exit 2"
cli server shutdown-sessions bck_all_srv1
is "$HAP_RC" 2 "shutdown-sessions on 4 backends without -y: exit 2"
is "$(servers_state)" "$before" "nothing changed on any socket"
cli -y server disable bck_all_srv1
is "$HAP_RC" 0 "with -y: exit 0"
got=""
for b in backend1_proc34 backend2_proc34 backend_all backend_proc1; do got="$got $b:$(fields_all $b bck_all_srv1 status)"; done
is "$got" " backend1_proc34:3=MAINT 4=MAINT backend2_proc34:3=MAINT 4=MAINT backend_all:1=MAINT 2=MAINT 3=MAINT 4=MAINT backend_proc1:1=MAINT" \
	"MAINT in every backend on every socket"
cli server enable bck_all_srv1
is "$HAP_RC" 0 "enable (not disruptive) needs no -y"
for b in backend1_proc34 backend2_proc34 backend_all backend_proc1; do
	expect_all_holders server "$b/bck_all_srv1" status '~^(UP|DOWN|no check)' \
		"$b/bck_all_srv1 out of MAINT on every holder"
done

diag "--- rules: socket levels"
w0=$(gw 1 backend_all/bck_all_srv1)
hap_cli -o json -s "$FLEET_USER_SOCK_1" server set bck_all_srv1 weight 9 -b backend_all </dev/null
is "$HAP_RC" 1 "a write through the user-level socket: exit 1"
is "$(printf '%s\n' "$HAP_OUT" | J '.[0] | "\(.result) \(.sent)"')" "denied false" "... result denied, not sent"
like "$(printf '%s\n' "$HAP_OUT" | J '.[0].message')" "level 'user'" "... the message names the level"
like "$HAP_ERR" "user1\.sock" "... stderr names the socket"
is "$(gw 1 backend_all/bck_all_srv1)" "$w0" "... and the weight is unchanged ($w0)"

diag "--- rules: partly applied"
w2=$(gw 2 backend_all/bck_all_srv1)
hap_cli -o json -s "$FLEET_USER_SOCK_1" -s "$(sock 2)" server set bck_all_srv1 weight 9 -b backend_all </dev/null
is "$HAP_RC" 1 "user socket of instance 1 + admin socket of instance 2: exit 1"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[] | "\(.endpoint | sub(".*/"; ""))=\(.result)"] | join(" ")')" \
	"user1.sock=denied admin2.sock=applied" "... the report says which instance applied"
like "$HAP_ERR" "partly applied: 1 of 2" "... stderr says it is partly applied"
is "$(gw 1 backend_all/bck_all_srv1)/$(gw 2 backend_all/bck_all_srv1)" "$w0/9 (initial 50)" \
	"instance 1 unchanged, instance 2 has 9 (was $w2)"

cli server set bck_all_srv1 weight 5
is "$HAP_RC" 0 "weight 5 everywhere while all instances are up: exit 0"
for bn in backend1_proc34=2 backend2_proc34=2 backend_all=4 backend_proc1=1; do
	expect_all_holders -n "${bn#*=}" server "${bn%=*}/bck_all_srv1" get-weight 5 \
		"${bn%=*}/bck_all_srv1 weight 5 on each of its ${bn#*=} holders"
done
kill -9 "$FLEET_PID_4"
wait_for 30 eval '! alive "$FLEET_PID_4"'
cli -o json server set bck_all_srv1 weight 6
is "$HAP_RC" 1 "instance 4 killed (kill -9), then weight 6: exit 1"
like "$HAP_ERR" "admin4\.sock" "... stderr names instance 4"
is "$(printf '%s\n' "$HAP_OUT" | J '[.[] | select(.result == "applied") | .endpoint | sub(".*/"; "")] | unique | join(" ")')" \
	"admin1.sock admin2.sock admin3.sock" "... the report lists the instances that applied it"
for bn in backend1_proc34=1 backend2_proc34=1 backend_all=3 backend_proc1=1; do
	expect_all_holders -i "1 2 3" -n "${bn#*=}" server "${bn%=*}/bck_all_srv1" get-weight 6 \
		"${bn%=*}/bck_all_srv1 weight 6 on each live holder"
done

diag "elapsed: $((SECONDS - T0)) s"
done_testing
