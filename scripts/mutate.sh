#!/usr/bin/env bash
# mutate.sh - the mutation check: does the suite fail when the code is wrong?
#
#   scripts/mutate.sh [NAME...]     default: every mutation below
#   MUTATE_DIR=DIR                  scratch directory (default: a fresh temp dir)
#   MUTATE_KEEP=1                   keep the scratch directory
#
# Copies the working tree (tracked and untracked, not ignored files) to a
# scratch directory, builds it once, runs every targeted test on the
# unmutated copy (they must pass), then for each mutation: applies it (one
# file, a unique anchor text replaced), rebuilds, runs only the tests
# targeted at it, and restores the file. A mutation is "caught" when at
# least one of its tests fails; the script prints which ones did, and exits
# 1 if any mutation survives, if an anchor is missing or not unique
# ("mutation X: anchor not found": re-anchor it after a merge), or if a
# mutated tree does not build.
#
# A mutation is five fields: NAME FILE ANCHOR REPLACEMENT TESTS (meson test
# names, space separated). Add one with `mutation ...` below.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
NAMES=()
declare -A M_FILE M_ANCHOR M_REPL M_TESTS

mutation() { # NAME FILE ANCHOR REPLACEMENT TESTS
	NAMES+=("$1")
	M_FILE[$1]=$2 M_ANCHOR[$1]=$3 M_REPL[$1]=$4 M_TESTS[$1]=$5
}

# ---------------------------------------------------------------- the mutations

# an aggregation rule changed: stot (a counter: summed) taken as a maximum
mutation rule-stot-max src/model/rules.c \
	'ROW("stot", "MCP", "MCP", "MCP"),' \
	'ROW("stot", "MMP", "MMP", "MMP"),' \
	"rules read"

# a weight sent off by one by the command formatter of server changes
mutation weight-off-by-one src/ops/server.c \
	'ret = LINE("set weight ", ID, " ", v);' \
	'{ char m_[24]; snprintf(m_, sizeof(m_), "%ld", strtol(v, NULL, 10) + 1); ret = LINE("set weight ", ID, " ", m_); }' \
	"ops input proxy_ops"

# a refusal text judged as success: a reply no rule knows (every refusal
# text: "Frontend was previously shut down, cannot enable.", ...) becomes
# "applied" in hap_reply_judge()
mutation refusal-as-success src/ops/reply.c \
	$'\treturn HAP_V_REFUSED;\n}\n\nint hap_verdict_code' \
	$'\treturn HAP_V_APPLIED;\n}\n\nint hap_verdict_code' \
	"ops proxy_ops"

# a result word swapped in the outcome names every report uses:
# applied <-> refused
mutation result-word-swap src/model/fleet.c \
	'"applied", "sent",   "unknown",    "refused", "not-found",' \
	'"refused", "sent",   "unknown",    "applied", "not-found",' \
	"engine"

# the library's read-back after a change skipped: every accepted command
# stays "applied" from its reply alone
mutation readback-skipped src/ops/plan.c \
	'ret = hap_plan_readback(p, r, &il);' \
	'ret = 0; (void)hap_plan_readback;' \
	"engine"

# the read-back in the change's own session trusts a session that met
# another process than the plan read (a restart between the two)
mutation inline-pid-unchecked src/ops/readback.c \
	$'pr->same = !(pr->pid < 0 || pr->pid != info_num(p->snap, e->inst, "Pid") ||\n\t\t             pr->start != info_num(p->snap, e->inst, "Start_time_sec"));' \
	'pr->same = !(pr->pid < 0);' \
	"pipeline"

# a plan without a compared field (shutdown-sessions, a map key with a
# blank) reports applied instead of sent
mutation nofield-applied src/ops/readback.c \
	$'\t(void)oc; /* accepted: it stays SENT; no complete reply: UNKNOWN */\n\treturn 0;' \
	$'\tif (oc == HAP_OUT_SENT)\n\t\treturn hap_result_judged(c->r, i, 0, HAP_OUT_APPLIED, HAP_WHY_NONE, NULL, NULL);\n\treturn 0;' \
	"engine"

# an accepted command applied by default (code 0 taken as applied without
# any read-back): --no-verify and raw commands would say applied
mutation accepted-applied src/model/fleet.c \
	'return HAP_OUT_SENT; /* applied only from a read-back */' \
	'return HAP_OUT_APPLIED;' \
	"ops engine"

# a change with no complete reply, whose instance cannot be read back,
# reported applied (not unknown) without a read-back
mutation unknown-applied src/ops/readback.c \
	$'could not read back: %s", hap_result_message(r, i),\n\t\t         amsg);\n\t\treturn hap_result_judged(r, i, oc == HAP_OUT_SENT ? 0 : HAP_EUNKNOWN,\n\t\t                         oc == HAP_OUT_SENT ? HAP_OUT_SENT : HAP_OUT_UNKNOWN,' \
	$'could not read back: %s", hap_result_message(r, i),\n\t\t         amsg);\n\t\treturn hap_result_judged(r, i, 0,\n\t\t                         HAP_OUT_APPLIED,' \
	"faults"

# a server change whose read-back accepts anything: health up compared
# with "" (so a server still in maintenance reads as applied)
mutation health-unverified src/ops/server.c \
	'"UP|no check", HAP_VM_ANY_OF);' \
	'"", HAP_VM_PREFIX);' \
	"engine"

# a prepare without a complete reply: the version it made is not looked
# for, so it is never cleared
mutation prepare-not-cleared src/ops/replace_check.c \
	'x->has_ver = 1; /* created: cleared with the others */' \
	'(void)0;' \
	"engine"

# ---------------------------------------------------------------- the runner

if [ $# -gt 0 ]; then
	for n in "$@"; do
		[ -n "${M_FILE[$n]:-}" ] || { echo "mutate.sh: no mutation '$n'" >&2; exit 2; }
	done
	NAMES=("$@")
fi

# check every anchor first: fail loudly, before spending a build
bad=0
for n in "${NAMES[@]}"; do
	f=$SRC/${M_FILE[$n]}
	if [ ! -f "$f" ]; then
		echo "mutation $n: file ${M_FILE[$n]} not found" >&2
		bad=1
		continue
	fi
	s=$(<"$f")
	a=${M_ANCHOR[$n]}
	if [[ $s != *"$a"* ]]; then
		echo "mutation $n: anchor not found in ${M_FILE[$n]}: $a" >&2
		bad=1
	else
		rest=${s#*"$a"}
		if [[ $rest == *"$a"* ]]; then
			echo "mutation $n: anchor not unique in ${M_FILE[$n]}: $a" >&2
			bad=1
		fi
	fi
done
[ "$bad" = 0 ] || exit 1

T0=$SECONDS
if [ -n "${MUTATE_DIR:-}" ]; then
	W=$MUTATE_DIR
	mkdir -p "$W"
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/hap-mutate.XXXXXX")
fi
cleanup() { [ "${MUTATE_KEEP:-0}" = 1 ] && echo "mutate.sh: scratch kept in $W" || rm -rf "$W"; }
trap cleanup EXIT

echo "== mutate: copying the tree to $W/src"
mkdir -p "$W/src"
(cd "$SRC" && git ls-files -z -co --exclude-standard | xargs -0 -I{} cp --parents -P {} "$W/src/") ||
	{ echo "mutate.sh: copy failed" >&2; exit 1; }
B=$W/build
echo "== mutate: building"
if ! meson setup "$B" "$W/src" -Dwerror=true >"$W/setup.log" 2>&1 || ! ninja -C "$B" >"$W/build.log" 2>&1; then
	tail -n 30 "$W/setup.log" "$W/build.log" >&2
	echo "mutate.sh: the unmutated tree does not build" >&2
	exit 1
fi

# run_tests LOGPREFIX TESTS...: prints the names of the tests that failed
run_tests() {
	local pre=$1 t
	shift
	for t in "$@"; do
		if ! meson test -C "$B" --no-rebuild --print-errorlogs "$t" >"$pre.$t.log" 2>&1; then
			echo "$t"
		fi
	done
}

all=""
for n in "${NAMES[@]}"; do all="$all ${M_TESTS[$n]}"; done
# shellcheck disable=SC2086
all=$(printf '%s\n' $all | sort -u | xargs)
echo "== mutate: the unmutated copy must pass: $all"
# shellcheck disable=SC2086
failed=$(run_tests "$W/base" $all | xargs)
if [ -n "$failed" ]; then
	echo "mutate.sh: the unmutated tree fails: $failed (logs: $W/base.*.log)" >&2
	MUTATE_KEEP=1
	exit 1
fi

survived=0
for n in "${NAMES[@]}"; do
	f=$W/src/${M_FILE[$n]}
	cp -p "$f" "$W/orig"
	s=$(<"$f")
	s=${s/"${M_ANCHOR[$n]}"/"${M_REPL[$n]}"}
	printf '%s\n' "$s" >"$f"
	if cmp -s "$f" "$W/orig"; then
		echo "mutation $n: the replacement changed nothing" >&2
		exit 1
	fi
	if ! ninja -C "$B" >"$W/build.$n.log" 2>&1; then
		tail -n 20 "$W/build.$n.log" >&2
		echo "mutation $n: the mutated tree does not build (fix the replacement)" >&2
		cp -p "$W/orig" "$f"
		exit 1
	fi
	# shellcheck disable=SC2086
	caught=$(run_tests "$W/$n" ${M_TESTS[$n]} | xargs)
	cp -p "$W/orig" "$f"
	touch "$f"
	if [ -n "$caught" ]; then
		printf 'mutation %-20s caught by: %s\n' "$n" "$caught"
	else
		survived=$((survived + 1))
		printf 'mutation %-20s SURVIVED (ran: %s)\n' "$n" "${M_TESTS[$n]}"
	fi
done
ninja -C "$B" >/dev/null 2>&1

echo "== mutate: ${#NAMES[@]} mutations, $((${#NAMES[@]} - survived)) caught, $survived survived ($((SECONDS - T0)) s)"
[ "$survived" = 0 ]
