#!/bin/sh
# run-tests.sh BUILD_DIR - run every test suite (unit, then integration with
# real HAProxy fleets) and close with one line that counts subtests (TAP
# subtests and cmocka cases, skips included) and the test programs:
#   "N subtests: N passed, N failed, N skipped; N programs: N passed, N failed"
# Extra arguments go to 'meson test'.
set -u
build=${1:-build}
shift 2>/dev/null || true

rc=0
meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || rc=$?

log="$build/meson-logs/testlog.json"
if [ -f "$log" ] && command -v jq >/dev/null 2>&1; then
	jq -r '"@@PROGRAM \(.result)", (.stdout // "" | split("\n")[])' "$log" | awk '
	function flush() {
		# cmocka: every case RUNs once; OK, SKIPPED or else failed
		if (run > 0) { sp += ok_c; ss += length_of(skipped); sf += run - ok_c - length_of(skipped) }
		run = 0; ok_c = 0; delete skipped
	}
	function length_of(a,    k, n) { n = 0; for (k in a) n++; return n }
	/^@@PROGRAM / {
		flush()
		if ($2 == "OK" || $2 == "EXPECTEDFAIL") pp++
		else if ($2 == "SKIP") ps++
		else pf++
		next
	}
	/^\[ RUN      \] / { run++; next }
	/^\[       OK \] / { ok_c++; next }
	/^\[  SKIPPED \] [A-Za-z_]/ { skipped[$4] = 1; next }
	/^ok [0-9]+/ { if (tolower($0) ~ /# skip/) ss++; else sp++; next }
	/^not ok [0-9]+/ { if (tolower($0) ~ /# todo/) ss++; else sf++; next }
	# pytest closing line ("==== 33 passed, 1 skipped in 2.1s ====")
	/^=+ .*[0-9]+ (passed|failed|skipped|errors?)[ ,].* in [0-9.]+s/ {
		for (i = 2; i <= NF; i++) {
			w = $i; sub(/,$/, "", w)
			if (w == "passed") sp += $(i - 1)
			else if (w == "failed" || w == "error" || w == "errors") sf += $(i - 1)
			else if (w == "skipped" || w == "xfailed") ss += $(i - 1)
		}
		next
	}
	END {
		flush()
		printf "%d subtests: %d passed, %d failed, %d skipped; %d programs: %d passed, %d failed, %d skipped\n",
			sp + sf + ss, sp, sf, ss, pp + pf + ps, pp, pf, ps
	}'
fi
exit $rc
