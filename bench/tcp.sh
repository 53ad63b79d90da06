# bench/tcp.sh - the 1,000 TCP endpoints case of bench/run.sh (sourced, bash 5).
#
# bench_tcp BIN RAW N OUT: starts N fake stats sockets on 127.0.0.1 in one
# process (tests/tools/fakehap, built in build-bench/, replaying the replies
# captured in tests/fixtures/fakehap/ per request line), then measures, as
# interleaved rounds (bench/lib.sh), `server list -o json` over the N
# endpoints (--parallel N: every connection at once, as the floor does)
# against rawread (bench/rawread.c, TCP mode) sending the same request
# bytes to the same endpoints and reading the replies to EOF: the
# one-process floor. Then peak RSS against the bytes read, and a profile
# when the caller's `profile` exists. Writes Markdown to OUT. The responder
# is stopped by pid at the end (and its pid is in $WORK/fakehap.pid for
# run.sh's cleanup).
#
# RLIMIT_NOFILE: the tool clamps its parallelism to the soft limit (less
# 16) and the responder needs 2 N + 16 descriptors; the soft limit is
# raised to what both need (at most the hard limit) or the case fails.

bench_tcp() {
	local bin=$1 raw=$2 n=$3 out=$4
	local fake=$ROOT/build-bench/tests/fakehap fix=$ROOT/tests/fixtures/fakehap
	local specs=$WORK/tcp.specs need k
	[ -x "$fake" ] || { bench_log "tcp: no $fake (ninja -C build-bench)"; return 1; }
	need=$((2 * n + 64))
	if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
		ulimit -n "$need" 2>/dev/null ||
			{ bench_log "tcp: RLIMIT_NOFILE $(ulimit -n) (hard $(ulimit -Hn)) is below $need"; return 1; }
	fi
	rm -f "$specs"
	"$fake" -d "$fix" -n "$n" -o "$specs" &
	echo $! >"$WORK/fakehap.pid"
	for ((k = 0; k < 100; k++)); do
		[ -s "$specs" ] && break
		sleep 0.1
	done
	[ -s "$specs" ] || { bench_log "tcp: the responder did not start"; return 1; }
	mapfile -t TCP_SPECS <"$specs"
	local args=() s
	for s in "${TCP_SPECS[@]}"; do args+=(-s "$s"); done
	TCP_TOOL=("$bin" -t 30 --parallel "$n" "${args[@]}" -o json)
	if bench_capture_request "$WORK/tsv.req" "$bin" -t 30 -s "${TCP_SPECS[0]}" -o json server list; then
		echo captured >"$WORK/tsv.req.src"
	else
		printf 'show cli level\nshow info\nshow stat -1 4 -1\n' >"$WORK/tsv.req"
		echo documented >"$WORK/tsv.req.src"
	fi
	# the responder must know every line of the request (else the floor
	# would read "Unknown command" texts instead of the captured replies)
	if socat -t 5 - "TCP:${TCP_SPECS[0]#tcp:}" <"$WORK/tsv.req" | grep -q '^Unknown command'; then
		bench_log "tcp: the fixtures lack a reply to a line of: $(tr '\n' ';' <"$WORK/tsv.req")"
		return 1
	fi
	"$raw" -f "$WORK/tsv.req" "${TCP_SPECS[@]}" >"$WORK/tsv.bytes" || return 1
	"${TCP_TOOL[@]}" server list >"$WORK/tsv.json" || { bench_log "tcp: server list failed"; return 1; }
	wc -c <"$WORK/tsv.json" >"$WORK/tsv.out"

	case_raw_tsv() { "$raw" -f "$WORK/tsv.req" "${TCP_SPECS[@]}"; }
	case_tsv() { "${TCP_TOOL[@]}" server list; }
	bench_log "E: $n TCP endpoints ($WARMUP warm-up + $RUNS rounds)"
	bench_rounds "$WARMUP" "$RUNS" raw_tsv tsv

	# peak RSS and CPU, median of 3; the process baseline (version)
	for k in 1 2 3; do
		/usr/bin/time -f '%M %U %S' -o "$WORK/ttime.$k" "${TCP_TOOL[@]}" server list >/dev/null 2>&1 ||
			{ bench_log "tcp: server list failed under /usr/bin/time"; return 1; }
		tail -n 1 "$WORK/ttime.$k"
	done >"$WORK/tsv.time"
	for k in 1 2 3; do
		/usr/bin/time -f '%M' -o "$WORK/ttime.$k" "$bin" version >/dev/null 2>&1
		tail -n 1 "$WORK/ttime.$k"
	done >"$WORK/tver.time"
	if declare -F profile >/dev/null; then
		PROFILE_FREQ=20000 profile tsv "${TCP_TOOL[@]}" server list
	fi
	kill "$(cat "$WORK/fakehap.pid")" 2>/dev/null
	wait "$(cat "$WORK/fakehap.pid")" 2>/dev/null
	rm -f "$WORK/fakehap.pid"

	local mt mr ratio rmin rmax verdict kb base bytes rr rn
	mt=$(bench_median tsv)
	mr=$(bench_median raw_tsv)
	ratio=$(bench_div "$mt" "$mr")
	read -r _ rmin rmax <<<"$(bench_round_ratios tsv raw_tsv)"
	verdict=$(bench_verdict "$ratio" 1.5)
	kb=$(sort -n "$WORK/tsv.time" | sed -n 2p | awk '{ print $1 }')
	base=$(sort -n "$WORK/tver.time" | sed -n 2p)
	bytes=$(cat "$WORK/tsv.bytes")
	rr=$(bench_div $((kb * 1024)) "$bytes")
	rn=$(bench_div $(((kb - base) * 1024)) "$bytes")
	[ "${GIT_DIRTY:-0}" = 0 ] || verdict="not judged (tree has $GIT_DIRTY modified files)"
	{
		echo "$n TCP endpoints (one \`tests/tools/fakehap\` process replaying captured replies of a"
		echo "small instance, each endpoint its own Pid), \`server list -o json --parallel $n\` against"
		echo "rawread sending the same request ($(cat "$WORK/tsv.req.src"): \`$(awk '{ printf "%s\\n", $0 }' "$WORK/tsv.req")\`)"
		echo "to the same endpoints, one connection each, replies read to EOF."
		echo
		echo "| measurement (wall ms) | ours | floor | ratio | per-round ratio | target | |"
		echo "|---|---:|---:|---:|---:|---:|---|"
		printf '| %s | %s | %s | **%s** | %s | %s | %s |\n' \
			"$n TCP endpoints: \`server list\` vs one process reading its exact request (rawread, $(bench_mb "$bytes"))" \
			"$(awk -v s="$mt" 'BEGIN { printf "%.1f", s * 1000 }')" \
			"$(awk -v s="$mr" 'BEGIN { printf "%.1f", s * 1000 }')" \
			"$ratio" "$rmin–$rmax" "≤ 1.5" "$verdict"
		echo
		echo "| memory | peak RSS | bytes read | ratio | above process baseline ($(bench_mb $((base * 1024)))) | target | |"
		echo "|---|---:|---:|---:|---:|---:|---|"
		printf '| %s | %s | %s | **%s** | %s | ≤ 1.5 | %s |\n' "$n TCP: \`server list\`" \
			"$(bench_mb $((kb * 1024)))" "$(bench_mb "$bytes")" "$rr" "$rn" "$(bench_verdict "$rr" 1.5)"
		echo
		echo "Client CPU (user+sys ms, median of 3): $(awk '{ print ($2 + $3) * 1000 }' "$WORK/tsv.time" | sort -n | sed -n 2p); JSON out $(bench_mb "$(cat "$WORK/tsv.out")")."
		echo
		echo "| case | n | min | median | max | spread |"
		echo "|---|---:|---:|---:|---:|---:|"
		local c lo med hi cnt
		for c in "raw_tsv:rawread: $n TCP × server list request" "tsv:$n TCP: server list"; do
			read -r cnt lo med hi <<<"$(bench_stat "${c%%:*}")"
			printf '| %s | %s | %.1f | %.1f | %.1f | %s%% |\n' "${c#*:}" "$cnt" \
				"$(awk -v s="$lo" 'BEGIN { print s * 1000 }')" "$(awk -v s="$med" 'BEGIN { print s * 1000 }')" \
				"$(awk -v s="$hi" 'BEGIN { print s * 1000 }')" \
				"$(awk -v a="$lo" -v m="$med" -v b="$hi" 'BEGIN { printf "%.0f", (m > 0 ? (b - a) / m * 100 : 0) }')"
		done
		echo
		if [ -f "$WORK/tsv.prof" ]; then
			echo "Profile of \`server list\` ($n TCP endpoints):"
			echo
			echo '```'
			cat "$WORK/tsv.prof"
			echo '```'
			echo
		fi
	} >"$out"
}
