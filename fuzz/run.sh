#!/usr/bin/env bash
# fuzz/run.sh - build the libFuzzer targets and run each one for a bounded time.
#
#   fuzz/run.sh [TARGET...]        default: every fuzz/fuzz_*.c
#   FUZZ_SECONDS=60                time per target (CI: 10)
#   FUZZ_BUILD=build-fuzz          build directory (the library and targets)
#
# The library sources (src/**/*.c) and each target are compiled with plain
# clang command lines, -fsanitize=fuzzer,address,undefined, into
# $FUZZ_BUILD (nothing else is needed: works from a clean clone). Each
# target starts from the seeds in fuzz/corpus/<target>/ (replies captured
# from HAProxy 2.6, never modified here) and writes what it discovers to
# $FUZZ_BUILD/corpus/<target>/; a crash, a leak or a failed check leaves
# its input in $FUZZ_BUILD/artifacts/ and makes the script fail. At the end
# it prints the executions per target.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
OUT=${FUZZ_BUILD:-build-fuzz}
CC=${FUZZ_CC:-clang}

case $FUZZ_SECONDS in
'' | *[!0-9]*) echo "fuzz/run.sh: FUZZ_SECONDS must be a whole number of seconds" >&2; exit 2 ;;
esac

# clang, and libFuzzer's runtime (libclang-rt-*-dev: only recommended by clang)
scripts/deps.sh clang libclang-rt-dev

if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=""
	for f in fuzz/fuzz_*.c; do
		f=${f#fuzz/fuzz_}
		targets="$targets ${f%.c}"
	done
fi

# shellcheck disable=SC2054 # the commas belong to the flags
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all)
CFLAGS=(-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc -g -O1
	-fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter "${SAN[@]}")

mkdir -p "$OUT/obj" "$OUT/corpus" "$OUT/artifacts" "$OUT/logs"

echo "== fuzz: building the library with $($CC --version | head -n 1)"
rm -f "$OUT/libcore.a" "$OUT"/obj/*.o
jobs=$(nproc 2>/dev/null || echo 2)
pids=()
failed=0
for f in $(find src -name '*.c' | sort); do
	o=$OUT/obj/$(echo "${f%.c}" | tr / _).o
	"$CC" "${CFLAGS[@]}" -fsanitize=fuzzer-no-link -c "$f" -o "$o" &
	pids+=($!)
	if [ "${#pids[@]}" -ge "$jobs" ]; then
		wait "${pids[0]}" || failed=1
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ "$failed" = 0 ] || { echo "fuzz/run.sh: the library did not build" >&2; exit 1; }
ar rcs "$OUT/libcore.a" "$OUT"/obj/*.o

for t in $targets; do
	[ -f "fuzz/fuzz_$t.c" ] || { echo "fuzz/run.sh: no target fuzz/fuzz_$t.c" >&2; exit 2; }
	echo "== fuzz: building fuzz_$t"
	"$CC" "${CFLAGS[@]}" -Werror -Ifuzz -fsanitize=fuzzer "fuzz/fuzz_$t.c" "$OUT/libcore.a" \
		-o "$OUT/fuzz_$t"
done

status=0
summary=""
for t in $targets; do
	mkdir -p "$OUT/corpus/$t"
	seeds=fuzz/corpus/$t
	[ -d "$seeds" ] || seeds=""
	log=$OUT/logs/$t.log
	echo "== fuzz: fuzz_$t for ${FUZZ_SECONDS}s"
	rc=0
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$OUT/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -dict=fuzz/fuzz.dict -artifact_prefix="$OUT/artifacts/$t-" \
		"$OUT/corpus/$t" $seeds >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 || true)
	if [ "$rc" -ne 0 ]; then
		status=1
		echo "fuzz/run.sh: fuzz_$t FAILED (exit $rc); its input is in $OUT/artifacts/:" >&2
		grep -E 'ERROR|check failed|SUMMARY|Test unit written' "$log" >&2 || tail -n 30 "$log" >&2
	fi
	summary+=$(printf '%-14s %12s execs  %-10s %s' "fuzz_$t" "${execs:-?}" "${cov:-}" \
		"$([ "$rc" -eq 0 ] && echo ok || echo "FAILED (exit $rc)")")$'\n'
done

echo "== fuzz: executions in ${FUZZ_SECONDS}s per target"
printf '%s' "$summary"
exit $status
