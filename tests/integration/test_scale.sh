#!/usr/bin/env bash
# test_scale.sh - many TCP endpoints at once (issue 15 item 5): 200 fake
# stats sockets served by one tests/tools/fakehap process replaying the
# replies captured from a real HAProxy 2.6 (tests/fixtures/fakehap/), two
# of them stalling and two closing early. `server list -o json` must return
# every healthy instance's rows (counted against what the responder
# serves) and report each faulty one by name within the deadline, without
# hiding the others; the parallelism clamp (RLIMIT_NOFILE) must not lose any.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

FAKEHAP=${HAP_FAKEHAP:-${HAP_BUILDDIR:-$HAP_SRCDIR/build}/tests/fakehap}
FIX=$HAP_SRCDIR/tests/fixtures/fakehap
N=200
STALL="17 123"
CLOSE="60 181"

[ -x "$FAKEHAP" ] || bail_out "no fake responder at $FAKEHAP (build it: make)"
command -v jq >/dev/null || bail_out "jq is missing (scripts/deps.sh)"
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((2 * N + 64)) ] || ulimit -n $((2 * N + 64)) ||
	bail_out "RLIMIT_NOFILE $(ulimit -n) is below $((2 * N + 64)) and cannot be raised"

WORKD=$(mktemp -d "${TMPDIR:-/tmp}/hap-scale.XXXXXX") || bail_out "mktemp failed"
TAP_FLEET_DIRS="$TAP_FLEET_DIRS $WORKD" # removed at exit (no fleet in it: stop is a no-op)
spawn "$FAKEHAP" -d "$FIX" -n $N -o "$WORKD/specs" -s "${STALL// /,}" -c "${CLOSE// /,}"
for ((k = 0; k < 100; k++)); do
	[ -s "$WORKD/specs" ] && break
	sleep 0.1
done
[ -s "$WORKD/specs" ] || bail_out "the fake responder did not start"
mapfile -t SPECS <"$WORKD/specs"
is "${#SPECS[@]}" $N "the responder listens on $N TCP ports"

BAD=()
GOOD=()
for ((i = 1; i <= N; i++)); do
	case " $STALL $CLOSE " in
	*" $i "*) BAD+=("${SPECS[i - 1]}") ;;
	*) GOOD+=("${SPECS[i - 1]}") ;;
	esac
done
ARGS=()
for s in "${SPECS[@]}"; do ARGS+=(-s "$s"); done

# what the responder serves: the captured server rows, and the bytes as captured
SERVERS=$(awk -F, 'NR > 1 && NF > 2 && $2 != "FRONTEND" && $2 != "BACKEND" { print $1 "/" $2 }' \
	"$FIX/show_stat_1_4_1.reply" | sort)
NSRV=$(grep -c . <<<"$SERVERS")
[ "$NSRV" -ge 5 ] || bail_out "the fixture has only $NSRV server rows"
first=${GOOD[0]#tcp:}
got=$(printf 'show stat -1 4 -1\n' | socat -t 5 - "TCP:$first" | md5sum)
is "$got" "$(md5sum <"$FIX/show_stat_1_4_1.reply")" "a healthy endpoint replays the captured show stat bytes"
got=$(printf 'prompt\nshow cli level\nquit\n' | socat -t 5 - "TCP:$first")
is "$got" $'\n> admin\n\n> ' "the responder speaks prompt mode"
like "$(printf 'show info\n' | socat -t 5 - "TCP:$first" | grep '^Pid:')" '^Pid: [0-9]+$' \
	"each endpoint has its own Pid"

# ---- all 200 at once, 4 faulty: every healthy row, every fault named

t0=${EPOCHREALTIME/./}
hap_cli -t 2 --parallel $N "${ARGS[@]}" -o json server list
t1=${EPOCHREALTIME/./}
ms=$(((t1 - t0) / 1000))
is "$HAP_RC" 1 "server list over $N endpoints with 4 faulty ones exits 1 (partial)"
ok "$([ "$ms" -lt 5000 ] && echo 0 || echo 1)" "done within the 2 s deadline plus start-up ($ms ms)"
objs=$(jq -r '.[] | select(.name and .backend) | .backend + "/" + .name' <<<"$HAP_OUT" | sort)
is "$objs" "$SERVERS" "every served server is listed once ($NSRV)"
counts=$(jq -r '[.[] | select(.name and .backend) | (.instances | length)] | unique | join(",")' <<<"$HAP_OUT")
is "$counts" "${#GOOD[@]}" "every server has the rows of all ${#GOOD[@]} healthy instances"
insts=$(jq -r '[.[] | select(.name and .backend) | .instances[].endpoint] | unique | .[]' <<<"$HAP_OUT" | sort)
is "$insts" "$(printf '%s\n' "${GOOD[@]}" | sort)" "the instances are exactly the healthy endpoints"
unr=$(jq -r '.[] | select(.unreached) | .endpoint' <<<"$HAP_OUT" | sort)
is "$unr" "$(printf '%s\n' "${BAD[@]}" | sort)" "the 4 faulty endpoints are reported unreached, by name"
for i in $STALL; do
	s=${SPECS[i - 1]}
	like "$(jq -r --arg e "$s" '.[] | select(.endpoint == $e and .unreached) | .error' <<<"$HAP_OUT")" \
		'no reply within 2' "stalled endpoint $i: a timeout"
	like "$HAP_ERR" "$s: no reply within" "stalled endpoint $i named on stderr"
done
for i in $CLOSE; do
	s=${SPECS[i - 1]}
	like "$(jq -r --arg e "$s" '.[] | select(.endpoint == $e and .unreached) | .error' <<<"$HAP_OUT")" \
		'cut short|closed|no Name' "endpoint $i that closed early: a cut reply"
	like "$HAP_ERR" "$s: " "endpoint $i that closed early named on stderr"
done

# ---- the healthy ones alone: exit 0, the same rows

GARGS=()
for s in "${GOOD[@]}"; do GARGS+=(-s "$s"); done
hap_cli -t 5 --parallel $N "${GARGS[@]}" -o json server list
is "$HAP_RC" 0 "server list over the ${#GOOD[@]} healthy endpoints exits 0"
is "$(jq '[.[] | .instances | length] | add' <<<"$HAP_OUT")" $((NSRV * ${#GOOD[@]})) \
	"$NSRV x ${#GOOD[@]} server rows"

# ---- a low RLIMIT_NOFILE: the tool clamps its parallelism, loses nothing

out=$( (ulimit -n 64 && timeout 60 "$HAPROXYADMIN" -t 5 --parallel $N "${GARGS[@]}" -o json server list) 2>"$WORKD/clamp.err")
rc=$?
is "$rc" 0 "with ulimit -n 64 and --parallel $N: exits 0"
is "$(jq '[.[] | .instances | length] | add' <<<"$out")" $((NSRV * ${#GOOD[@]})) \
	"with ulimit -n 64: still $NSRV x ${#GOOD[@]} server rows (parallelism clamped)"
sanitizer_check "clamped server list" "$(cat "$WORKD/clamp.err")"

done_testing
