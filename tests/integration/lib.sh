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

plan() {
	TAP_PLANNED=$1
	echo "1..$1"
}

done_testing() {
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

skip() {
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

# hap_cli ARGS...: run the CLI under test; sets HAP_OUT, HAP_ERR, HAP_RC.
hap_cli() {
	local errf
	errf=$(mktemp "${TMPDIR:-/tmp}/hap-cli-err.XXXXXX")
	HAP_RC=0
	HAP_OUT=$(timeout 60 "$HAPROXYADMIN" "$@" 2>"$errf") || HAP_RC=$?
	HAP_ERR=$(cat "$errf")
	rm -f "$errf"
}

# stat_values CSV PX SV COL...: the named columns of one row, one per line
# (RFC-4180 quoting handled; empty when the field is empty).
stat_values() {
	local csv=$1 px=$2 sv=$3
	shift 3
	printf '%s\n' "$csv" | awk -v px="$px" -v sv="$sv" -v cols="$*" '
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
			for (i = 1; i <= m; i++) print (want[i] in col) ? r[col[want[i]]] : "?"
			exit
		}
	}'
}

# csv_field CSV_TEXT PXNAME SVNAME COLUMN: one field of `show stat` output,
# columns by header name, RFC-4180 quoting handled (the value is unquoted;
# empty when the field or the column is absent).
csv_field() {
	local v
	v=$(stat_values "$@")
	[ "$v" = "?" ] && v=""
	printf '%s\n' "$v"
}

# stat_field SOCKET PXNAME SVNAME COLUMN: csv_field of a fresh `show stat`.
stat_field() {
	csv_field "$(hap_sock "$1" "show stat")" "$2" "$3" "$4"
}

# alive PID: the process exists and is not a zombie.
alive() {
	fleet__alive "$1"
}
