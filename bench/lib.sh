# bench/lib.sh - the repeated-run harness of bench/run.sh (sourced, bash 5).
#
# Timing: every case is a shell function; a round runs each case of a phase
# once, in an order rotated by the round number, and records its wall time
# in microseconds (EPOCHREALTIME). Rounds interleave the cases so that a
# burst of load from other processes hits a command and its floor alike;
# the first BENCH_WARMUP rounds are not recorded. A ratio is claimed from
# the medians of one run, and the per-round ratios show how noisy it was.
#
# Files under $BENCH_DATA: <case>.us (one time per line), <case>.err.

bench_now_us() {
	local t=$EPOCHREALTIME
	echo "${t/./}"
}

bench_die() {
	echo "bench: $*" >&2
	exit 1
}

bench_log() {
	echo "bench: $*" >&2
}

# bench_time CASE: run case_CASE once, append its wall time; a failing run
# is not a measurement: stop with its stderr.
bench_time() {
	local c=$1 t0 t1 rc=0
	t0=${EPOCHREALTIME/./}
	"case_$c" >/dev/null 2>"$BENCH_DATA/$c.err" || rc=$?
	t1=${EPOCHREALTIME/./}
	if [ $rc != 0 ]; then
		sed 's/^/  /' "$BENCH_DATA/$c.err" >&2
		bench_die "case $c failed (exit $rc)"
	fi
	echo $((t1 - t0)) >>"$BENCH_DATA/$c.us"
}

# bench_rounds WARMUP RUNS CASE...: interleaved rounds over the cases.
bench_rounds() {
	local warm=$1 runs=$2 r k n c
	shift 2
	n=$#
	local cases=("$@")
	for c in "${cases[@]}"; do : >"$BENCH_DATA/$c.us"; done
	for ((r = 0; r < warm + runs; r++)); do
		for ((k = 0; k < n; k++)); do
			c=${cases[$(((k + r) % n))]}
			if [ $r -lt "$warm" ]; then
				"case_$c" >/dev/null 2>"$BENCH_DATA/$c.err" ||
					{ sed 's/^/  /' "$BENCH_DATA/$c.err" >&2; bench_die "case $c failed (warm-up)"; }
			else
				bench_time "$c"
			fi
		done
	done
}

# bench_stat CASE: "n min median max" in seconds.
bench_stat() {
	sort -n "$BENCH_DATA/$1.us" | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "0 0 0 0"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%d %.6f %.6f %.6f\n", NR, v[1] / 1e6, m / 1e6, v[NR] / 1e6
		}'
}

bench_median() {
	local med
	read -r _ _ med _ <<<"$(bench_stat "$1")"
	echo "$med"
}

# bench_round_ratios A B: "median min max" of the per-round ratios A/B
# (round k of A against round k of B: the same interleaved round).
bench_round_ratios() {
	paste "$BENCH_DATA/$1.us" "$BENCH_DATA/$2.us" | awk '
		$2 > 0 { r[++n] = $1 / $2 }
		END {
			if (n == 0) { print "0 0 0"; exit }
			for (i = 1; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
			m = n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
			printf "%.2f %.2f %.2f\n", m, r[1], r[n]
		}'
}

# bench_div A B [DIGITS]
bench_div() {
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b > 0) printf "%.*f\n", d, a / b; else print "n/a" }'
}

# bench_verdict RATIO TARGET: met / MISSED (or "not judged" in smoke mode).
bench_verdict() {
	if [ "${BENCH_SMOKE:-0}" = 1 ]; then
		echo "not judged (smoke)"
		return
	fi
	awk -v r="$1" -v t="$2" 'BEGIN { v = (r + 0 <= t + 0) ? "met" : "**MISSED**"; print v }'
}

# ---- floors: socat, one process per instance, all in parallel ----

# floor_send REQFILE SOCKET...: REQFILE's bytes to every socket in parallel,
# replies to /dev/null; fails if any socat fails.
floor_send() {
	local req=$1 s p rc=0
	shift
	local pids=()
	for s in "$@"; do
		socat -t 30 - "UNIX-CONNECT:$s" <"$req" >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	return $rc
}

# floor_send_each DIR SOCKET...: DIR/<i>.req to the i-th socket (1-based),
# all in parallel (per-instance command lists for the write floors).
floor_send_each() {
	local dir=$1 s p i=0 rc=0
	shift
	local pids=()
	for s in "$@"; do
		i=$((i + 1))
		[ -s "$dir/$i.req" ] || continue
		socat -t 30 - "UNIX-CONNECT:$s" <"$dir/$i.req" >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	return $rc
}

# floor_bytes REQFILE SOCKET...: total bytes of the replies.
floor_bytes() {
	local req=$1 s total=0 n
	shift
	for s in "$@"; do
		n=$(socat -t 30 - "UNIX-CONNECT:$s" <"$req" | wc -c)
		total=$((total + n))
	done
	echo "$total"
}

# bench_capture_request OUT CMD...: the bytes the first send() of CMD
# carries (strace), i.e. the exact request our tool sends; 1 without strace.
bench_capture_request() {
	local out=$1 tr hex
	shift
	command -v strace >/dev/null || return 1
	tr=$(mktemp "$BENCH_DATA/strace.XXXXXX")
	strace -f -qq -e trace=sendto,write -e signal=none -xx -s 65536 -o "$tr" "$@" >/dev/null 2>&1 || true
	hex=$(grep -m1 -o 'sendto([0-9]*, "[^"]*"' "$tr" | sed 's/^sendto([0-9]*, "//; s/"$//')
	rm -f "$tr"
	[ -n "$hex" ] || return 1
	printf '%b' "$hex" >"$out"
}

# bench_cpu_ticks PID...: utime+stime (clock ticks) of the processes.
bench_cpu_ticks() {
	local p t=0 s
	for p in "$@"; do
		s=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null) || continue
		t=$((t + s))
	done
	echo "$t"
}

bench_mb() {
	awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'
}

bench_loadavg() {
	cut -d' ' -f1-3 /proc/loadavg
}
