#!/bin/sh
# run-tests.sh BUILD_DIR - run every test suite (unit, then integration with
# real HAProxy fleets) and close with one line "N passed, N failed".
# Extra arguments go to 'meson test'.
set -u
build=${1:-build}
shift 2>/dev/null || true

rc=0
meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || rc=$?

# meson's own summary counts test programs; count the TAP subtests and
# cmocka cases too, from the JSON log, for the closing line.
log="$build/meson-logs/testlog.json"
if [ -f "$log" ] && command -v jq >/dev/null 2>&1; then
	passed=$(jq -s '[.[] | select(.result == "OK" or .result == "EXPECTEDFAIL")] | length' "$log")
	failed=$(jq -s '[.[] | select(.result == "FAIL" or .result == "ERROR" or .result == "TIMEOUT" or .result == "UNEXPECTEDPASS")] | length' "$log")
	skipped=$(jq -s '[.[] | select(.result == "SKIP")] | length' "$log")
	# the pytest suite (meson test "python") is one entry: count its cases
	py=$(jq -r 'select(.name | endswith("/ python")) | .stdout' "$log" |
		grep -E '^=* *[0-9]+ (passed|failed|skipped|error)' | tail -n 1)
	if [ -n "$py" ]; then
		echo "pytest: $py"
		pyres=$(jq -r 'select(.name | endswith("/ python")) | .result' "$log" | tail -n 1)
		case $pyres in
		OK | EXPECTEDFAIL) passed=$((passed - 1)) ;;
		SKIP) skipped=$((skipped - 1)) ;;
		*) failed=$((failed - 1)) ;;
		esac
		n() { printf '%s\n' "$py" | grep -oE "[0-9]+ $1" | grep -oE '^[0-9]+' || echo 0; }
		passed=$((passed + $(n passed)))
		failed=$((failed + $(n failed) + $(n error)))
		skipped=$((skipped + $(n skipped)))
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
fi
exit $rc
