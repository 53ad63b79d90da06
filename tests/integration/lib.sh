# lib.sh - a tiny TAP library for the integration tests (bash).
#
#   . "$(dirname "$0")/lib.sh"
#   plan 3                     # or call done_testing at the end
#   fleet_up 4                 # fleet in a fresh temp dir, always stopped on exit
#   is "$(hap_sock "$FLEET_ADMIN_SOCK_1" 'show cli level')" admin "admin level"
#   hap_cli -s "$FLEET_SOCK_DIR" info; is "$HAP_RC" 0 "info exits 0"
#   done_testing
#
# Assertions: ok STATUS DESC (STATUS is an exit status: 0 passes),
# run_ok DESC CMD..., is GOT EXPECTED DESC, isnt GOT UNEXPECTED DESC,
# like GOT REGEX DESC, unlike GOT REGEX DESC, pass DESC, fail DESC, skip DESC.
# Output: diag MSG (a TAP comment), bail_out MSG.
# Read-back: expect_all_holders [-n N] KIND NAME FIELD EXPECTED [DESC] asks
# every instance holding the object through its own socket (see below).
# Skips need a reason; helper errors (unknown column, sanitizer report on
# the CLI's stderr) are failed tests.
# Helpers: fleet_up N [--master] [--big B S], fleet_down, hap_sock SOCKET CMD,
# hap_cli ARGS (sets HAP_OUT HAP_ERR HAP_RC), csv_field / stat_field (show stat
# columns by name, quotes handled), spawn CMD (background, killed at exit),
# alive PID; and everything of tests/fleet/fleet.sh (fleet_traffic, fleet_hold...).
# The script exits 1 when a test failed or the plan was not met, else 0.
# Do not use `set -e` in tests: a failed assertion returns 1 and must not
# end the script; `set -u` is fine.
#
# Environment: HAPROXYADMIN (set by meson) is the CLI under test, HAP_SRCDIR
# the source tree; HAP_KEEP=1 keeps the fleet directory after the run.

HAP_SRCDIR=${HAP_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HAP_FLEET_SH=$HAP_SRCDIR/tests/fleet/fleet.sh
if [ -z "${HAPROXYADMIN:-}" ]; then
	HAPROXYADMIN=${HAP_BUILDDIR:-$HAP_SRCDIR/build}/cli/haproxyadmin
fi
export HAPROXYADMIN

# shellcheck source=../fleet/fleet.sh
. "$HAP_FLEET_SH"

TAP_N=0
TAP_FAILED=0
TAP_PLANNED=""
TAP_DONE=0
TAP_BG_PIDS=""
TAP_FLEET_DIRS=""
# Errors found by helpers, possibly in a subshell ($(stat_values ...)): one
# line each in this file; the next assertion, done_testing or the exit turns
# each into a failed test.
TAP_ERR_FILE=$(mktemp "${TMPDIR:-/tmp}/hap-tap-err.XXXXXX")

# tap_error MSG: record a failed check from a helper (works in a subshell).
tap_error() {
	printf '%s\n' "$*" | tr '\n' ' ' >>"$TAP_ERR_FILE"
	echo >>"$TAP_ERR_FILE"
	echo "# helper error: $*" >&2
}

# tap_flush_errors: one failed test per recorded helper error.
tap_flush_errors() {
	local line
	[ -s "$TAP_ERR_FILE" ] || return 0
	while IFS= read -r line; do
		TAP_N=$((TAP_N + 1))
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - $line"
	done <"$TAP_ERR_FILE"
	: >"$TAP_ERR_FILE"
}

plan() {
	TAP_PLANNED=$1
	echo "1..$1"
}

done_testing() {
	tap_flush_errors
	[ -n "$TAP_PLANNED" ] || echo "1..$TAP_N"
	TAP_DONE=1
}

diag() {
	local arg line
	for arg in "$@"; do
		while IFS= read -r line; do echo "# $line"; done <<<"$arg"
	done
}

bail_out() {
	echo "Bail out! $*"
	exit 255
}

# tap_result PASSED DESC
tap_result() {
	tap_flush_errors
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 1 ]; then
		echo "ok $TAP_N - $2"
		return 0
	fi
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $2"
	diag "  Failed test '$2' (${BASH_SOURCE[2]##*/} line ${BASH_LINENO[1]})"
	return 1
}

pass() { tap_result 1 "$1"; }
fail() { tap_result 0 "$1"; }

# skip REASON: a skipped test; the reason is required (a skip without one is
# a failure, so that no placeholder counts as a pass).
skip() {
	if [ -z "${1:-}" ]; then
		tap_result 0 "skip without a reason"
		return 1
	fi
	tap_flush_errors
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP $1"
}

ok() {
	if [ "$1" = 0 ]; then tap_result 1 "$2"; else tap_result 0 "$2"; fi
}

run_ok() {
	local desc=$1
	shift
	if "$@"; then tap_result 1 "$desc"; else tap_result 0 "$desc"; fi
}

is() {
	if [ "$1" == "$2" ]; then
		tap_result 1 "$3"
	else
		tap_result 0 "$3"
		diag "         got: '$1'" "    expected: '$2'"
		return 1
	fi
}

isnt() {
	if [ "$1" != "$2" ]; then
		tap_result 1 "$3"
	else
		tap_result 0 "$3"
		diag "         got: '$1'" "    expected: anything else"
		return 1
	fi
}

like() {
	if [[ $1 =~ $2 ]]; then
		tap_result 1 "$3"
	else
		tap_result 0 "$3"
		diag "    '$1'" "      doesn't match '$2'"
		return 1
	fi
}

unlike() {
	if [[ $1 =~ $2 ]]; then
		tap_result 0 "$3"
		diag "    '$1'" "      matches '$2'"
		return 1
	else
		tap_result 1 "$3"
	fi
}

# ---------------------------------------------------------------- cleanup

tap_cleanup() {
	local p d
	for p in $TAP_BG_PIDS; do kill "$p" 2>/dev/null; done
	for d in $TAP_FLEET_DIRS; do
		fleet_stop "$d" >/dev/null 2>&1
		if [ "${HAP_KEEP:-0}" = 1 ]; then
			echo "# fleet kept in $d" >&2
		else
			rm -rf "$d"
		fi
	done
	TAP_FLEET_DIRS=""
	TAP_BG_PIDS=""
}

tap_exit() {
	local rc=$?
	trap - EXIT
	if [ -s "$TAP_ERR_FILE" ]; then
		echo "# helper errors after the last test:"
		sed 's/^/#   /' "$TAP_ERR_FILE"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
	rm -f "$TAP_ERR_FILE"
	tap_cleanup
	if [ "$TAP_DONE" = 0 ] && [ -z "$TAP_PLANNED" ]; then
		echo "# test script ended before done_testing (status $rc)"
		echo "1..$TAP_N"
		exit 1
	fi
	if [ -n "$TAP_PLANNED" ] && [ "$TAP_PLANNED" != "$TAP_N" ]; then
		echo "# planned $TAP_PLANNED tests but ran $TAP_N"
		exit 1
	fi
	[ "$TAP_FAILED" -gt 0 ] && { echo "# failed $TAP_FAILED of $TAP_N tests"; exit 1; }
	[ "$rc" = 255 ] && exit 255
	exit 0
}

tap_signal() {
	echo "# interrupted by signal $1"
	rm -f "$TAP_ERR_FILE"
	tap_cleanup
	trap - EXIT
	exit $((128 + $2))
}

trap tap_exit EXIT
trap 'tap_signal INT 2' INT
trap 'tap_signal TERM 15' TERM

# spawn CMD...: run CMD in the background; its pid (in $BG_PID) is killed at exit.
spawn() {
	"$@" &
	BG_PID=$!
	TAP_BG_PIDS="$TAP_BG_PIDS $BG_PID"
}

# ---------------------------------------------------------------- fleet

# fleet_up N [--master] [--big B S]: start a fleet in a fresh temp dir, source
# its env (FLEET_* variables, see tests/fleet/fleet.sh) and stop it at exit,
# whatever happens. Bails out when the fleet does not start.
fleet_up() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/hap-it.XXXXXX") || bail_out "mktemp failed"
	TAP_FLEET_DIRS="$TAP_FLEET_DIRS $d"
	if ! fleet_start "$d" "$@" >"$d/start.out" 2>&1; then
		diag "$(cat "$d/start.out")"
		bail_out "fleet did not start in $d"
	fi
	# shellcheck disable=SC1091
	. "$d/env"
	# the change locks are per object name on the host: a fleet of its own
	# gets a lock directory of its own, so concurrent suites never meet
	mkdir -p "$d/run" && chmod 700 "$d/run" && export XDG_RUNTIME_DIR="$d/run"
}

# fleet_down: stop the current fleet now (the exit trap would do it anyway).
fleet_down() {
	fleet_stop "$FLEET_DIR"
}

# hap_sock SOCKET 'COMMAND': ask one instance directly (UNIX path or
# tcp:HOST:PORT / HOST:PORT); prints the raw reply.
hap_sock() {
	fleet_cmd "$1" "$2"
}

# master_after_reload SOCK OLDPID: a master's "show proc" once it lists
# OLDPID under "# old workers" (up to 5 s). A master re-executes itself on
# a reload: its socket may refuse a connection for a moment after the new
# worker already answers on its own socket.
master_after_reload() {
	local proc="" _
	for _ in $(seq 1 50); do
		proc=$(fleet_cmd "$1" "show proc" 2>/dev/null)
		case "$proc" in *$'# old workers\n'*"$2 "*) break ;; esac
		sleep 0.1
	done
	printf '%s\n' "$proc"
}

# Sanitizer reports (ASan, UBSan, LeakSanitizer, MSan, TSan): their lines.
HAP_SAN_RE='runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer|ERROR: MemorySanitizer|WARNING: ThreadSanitizer|SUMMARY: (Address|Undefined|Leak|Memory|Thread)Sanitizer|UndefinedBehaviorSanitizer'

# sanitizer_check WHAT TEXT: a failed test when TEXT holds a sanitizer report.
sanitizer_check() {
	if grep -Eq "$HAP_SAN_RE" <<<"$2"; then
		grep -E -m 20 -A 8 "$HAP_SAN_RE" <<<"$2" | sed 's/^/# /' >&2
		tap_error "sanitizer report from $1"
		return 1
	fi
	return 0
}

# hap_cli ARGS...: run the CLI under test; sets HAP_OUT, HAP_ERR, HAP_RC.
# A sanitizer report on stderr is a failed test of its own (whatever the
# exit status), so a UBSan finding cannot pass as "an instance failed".
hap_cli() {
	local errf
	errf=$(mktemp "${TMPDIR:-/tmp}/hap-cli-err.XXXXXX")
	HAP_RC=0
	HAP_OUT=$(timeout 60 "$HAPROXYADMIN" "$@" 2>"$errf") || HAP_RC=$?
	HAP_ERR=$(cat "$errf")
	rm -f "$errf"
	sanitizer_check "haproxyadmin $*" "$HAP_ERR"
	return 0
}

# stat_values CSV PX SV COL...: the named columns of one row, one per line
# (RFC-4180 quoting handled; empty when the field is empty). An unknown
# column or a missing row is an error: a message on stderr, status 1 and a
# failed test (never an empty value that an `is ... ""` would accept).
stat_values() {
	local csv=$1 px=$2 sv=$3 out rc=0
	shift 3
	out=$(printf '%s\n' "$csv" | awk -v px="$px" -v sv="$sv" -v cols="$*" '
	function split_csv(line, out,    n, i, c, f, q) {
		n = 0; f = ""; q = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (q) {
				if (c == "\"") {
					if (substr(line, i + 1, 1) == "\"") { f = f "\""; i++ }
					else q = 0
				} else f = f c
			} else if (c == "\"") q = 1
			else if (c == ",") { out[++n] = f; f = "" }
			else f = f c
		}
		out[++n] = f
		return n
	}
	NR == 1 { sub(/^# /, ""); n = split_csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i; next }
	{
		split_csv($0, r)
		if (r[1] == px && r[2] == sv) {
			m = split(cols, want, " ")
			for (i = 1; i <= m; i++) {
				if (!(want[i] in col)) { print "stat_values: no column " want[i] > "/dev/stderr"; bad = 1; exit 3 }
				print r[col[want[i]]]
			}
			found = 1
			exit
		}
	}
	END { if (!found && !bad) { print "stat_values: no row " px "/" sv > "/dev/stderr"; exit 4 } }'
	echo ".$?")
	# (the status rides after the output, so that trailing empty fields stay)
	rc=${out##*.}
	out=${out%.*}
	if [ "$rc" != 0 ]; then
		tap_error "stat_values $px/$sv $*: no such row or column"
		return 1
	fi
	printf '%s' "$out"
}

# csv_field CSV_TEXT PXNAME SVNAME COLUMN: one field of `show stat` output,
# columns by header name, RFC-4180 quoting handled (the value is unquoted;
# empty when the field is empty). A missing row or column is an error, as
# in stat_values.
csv_field() {
	stat_values "$@"
}

# stat_field SOCKET PXNAME SVNAME COLUMN: csv_field of a fresh `show stat`.
stat_field() {
	csv_field "$(hap_sock "$1" "show stat")" "$2" "$3" "$4"
}

# expect_all_holders [-n HOLDERS] [-i "I..."] KIND NAME FIELD EXPECTED [DESC]:
# one test that reads the object back from EVERY instance of the fleet (or
# of the instances I...) that holds it, each through its own admin socket
# (never through the CLI under test), and passes when each holder has
# EXPECTED ("~REGEX": matches it) and at least one, or exactly HOLDERS,
# instances hold it. Every change test reads back with it.
#   server   BACKEND/SERVER  show stat column, or get-weight (current weight)
#                                               (holders: instances with the row)
#   frontend NAME            show stat column   (row NAME/FRONTEND)
#   backend  NAME            show stat column   (row NAME/BACKEND)
#   info     -               show info key      (every instance)
#   map      FILE            key -> its value, or "(absent)"      (holders:
#   acl      FILE            pattern -> "present" or "(absent)"    instances
#   map|acl  FILE            "#entries" -> the entry count         listing FILE)
# The per-instance values are in EXPECT_GOT ("i=value ...", for diag).
expect_all_holders() {
	local want_n="" kind name field want desc i v sock out csv px sv n=0 bad=0
	local insts
	insts=$(seq 1 "${FLEET_N:-4}")
	while :; do
		case $1 in
		-n) want_n=$2 ;;
		-i) insts=$2 ;;
		*) break ;;
		esac
		shift 2
	done
	kind=$1 name=$2 field=$3 want=$4
	desc=${5:-"$kind $name $field is '$want' on every instance holding it"}
	EXPECT_GOT=""
	for i in $insts; do
		v=FLEET_ADMIN_SOCK_$i
		sock=${!v}
		case $kind in
		server | frontend | backend)
			case $kind in
			server) px=${name%%/*} sv=${name#*/} ;;
			frontend) px=$name sv=FRONTEND ;;
			backend) px=$name sv=BACKEND ;;
			esac
			csv=$(hap_sock "$sock" "show stat") || { bad=1; EXPECT_GOT="$EXPECT_GOT $i=<read failed>"; continue; }
			[[ $csv == "# pxname,svname,"* ]] || { bad=1; EXPECT_GOT="$EXPECT_GOT $i=<no show stat>"; continue; }
			awk -F, -v px="$px" -v sv="$sv" '$1 == px && $2 == sv { f = 1 } END { exit !f }' <<<"$csv" || continue
			if [ "$field" = get-weight ]; then
				out=$(hap_sock "$sock" "get weight $px/$sv" | sed -n '1s/^\([0-9][0-9]*\) (initial [0-9]*)$/\1/p')
			else
				out=$(stat_values "$csv" "$px" "$sv" "$field") || out="<no column $field>"
			fi
			;;
		info)
			out=$(hap_sock "$sock" "show info") || { bad=1; EXPECT_GOT="$EXPECT_GOT $i=<read failed>"; continue; }
			grep -q '^Pid: ' <<<"$out" || { bad=1; EXPECT_GOT="$EXPECT_GOT $i=<no show info>"; continue; }
			grep -q "^$field: " <<<"$out" || { bad=1; EXPECT_GOT="$EXPECT_GOT $i=<no key $field>"; continue; }
			out=$(sed -n "s/^$field: //p" <<<"$out")
			;;
		map | acl)
			out=$(hap_sock "$sock" "show $kind") || { bad=1; EXPECT_GOT="$EXPECT_GOT $i=<read failed>"; continue; }
			[[ $out == "# id (file) description"* ]] || { bad=1; EXPECT_GOT="$EXPECT_GOT $i=<no show $kind>"; continue; }
			awk -v f="($name)" '$2 == f { h = 1 } END { exit !h }' <<<"$out" || continue
			if [ "$field" = "#entries" ]; then
				out=$(awk -v f="($name)" '$2 == f' <<<"$out" | sed -n 's/.*entry_cnt=\([0-9]*\).*/\1/p')
			else
				csv=$(hap_sock "$sock" "show $kind $name") || { bad=1; EXPECT_GOT="$EXPECT_GOT $i=<read failed>"; continue; }
				# the read worked: as many entries as the listing counts
				if [ "$(grep -c '^0x' <<<"$csv")" != "$(awk -v f="($name)" '$2 == f' <<<"$out" | sed -n 's/.*entry_cnt=\([0-9]*\).*/\1/p')" ]; then
					bad=1
					EXPECT_GOT="$EXPECT_GOT $i=<show $kind $name: not the listed entry count>"
					continue
				fi
				out=$(sed -n 's/^0x[0-9a-f]* //p' <<<"$csv" | awk -v k="$field" -v kind="$kind" '
					kind == "acl" && $0 == k { print "present"; f = 1; exit }
					kind == "map" && $1 == k { sub(/^[^ ]* /, ""); print; f = 1; exit }
					END { if (!f) print "(absent)" }')
			fi
			;;
		*)
			tap_error "expect_all_holders: unknown kind '$kind'"
			return 1
			;;
		esac
		n=$((n + 1))
		EXPECT_GOT="$EXPECT_GOT $i=$out"
		if [[ $want == "~"* ]]; then
			[[ $out =~ ${want#\~} ]] || bad=1
		else
			[ "$out" == "$want" ] || bad=1
		fi
	done
	EXPECT_GOT=${EXPECT_GOT# }
	if [ "$n" = 0 ]; then
		bad=1
		EXPECT_GOT="$EXPECT_GOT (no instance holds $kind $name)"
	elif [ -n "$want_n" ] && [ "$n" != "$want_n" ]; then
		bad=1
		EXPECT_GOT="$EXPECT_GOT ($n holders, $want_n expected)"
	fi
	if [ "$bad" = 0 ]; then
		tap_result 1 "$desc ($n holders)"
	else
		tap_result 0 "$desc"
		diag "         got: $EXPECT_GOT" "    expected: '$want' on each holder"
		return 1
	fi
}

# alive PID: the process exists and is not a zombie.
alive() {
	fleet__alive "$1"
}
