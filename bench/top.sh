# bench/top.sh - the `top` case of bench/run.sh (sourced, bash 5).
#
# bench_top BIN SOCKDIR OUT: runs `top --interval 1` on the fleet behind
# SOCKDIR in a private tmux server (fixed size, killed at the end, only it)
# for BENCH_TOP_SECS seconds (30), under /usr/bin/time (the readers are
# waited-for children: their CPU is counted), while it
#   - counts its refreshes (HAPROXYADMIN_TOP_STATS),
#   - sends BENCH_TOP_KEYS (30) cursor keys, each only while a refresh is in
#     flight ("reading..." in the header), and times keypress-to-redraw from
#     outside: send-keys, then capture-pane until the selected line moved
#     (the tmux round trips are included: an upper bound; the floor is the
#     same round trip to a pane that only echoes, and the judged figure is
#     the max above the floor's median), and inside top the longest time the
#     loop spent away from the terminal;
# then runs `server list -o json` as many times as top refreshed (at most
# 30, scaled) and compares CPU. Writes Markdown lines to OUT and
# "ratio max_ms" to OUT.vals.

bench_top() {
	local bin=$1 sock=$2 out=$3 secs=${BENCH_TOP_SECS:-30} nkeys=${BENCH_TOP_KEYS:-30}
	local name="hapbench-top-$$" tpid dir stats tfile
	local tm
	command -v tmux >/dev/null || { bench_log "top: tmux is missing (scripts/deps.sh tmux)"; return 1; }
	dir=$(mktemp -d "${TMPDIR:-/tmp}/hapbench-top.XXXXXX")
	# the server's socket in our temp dir, removed at the end
	tm=(env TMUX_TMPDIR="$dir" tmux -L "$name" -f /dev/null)
	stats=$dir/stats
	tfile=$dir/time
	"${tm[@]}" new-session -d -s b -x 200 -y 50 \
		"HAPROXYADMIN_TOP_STATS=$stats /usr/bin/time -f '%U %S' -o $tfile $bin -t 30 -s $sock top --interval 1; sleep 600" ||
		{ bench_log "top: tmux did not start"; return 1; }
	tpid=$("${tm[@]}" display-message -p '#{pid}')
	local t_end=$((SECONDS + 60))
	until "${tm[@]}" capture-pane -p -t b | grep -q 'rows: [1-9]'; do
		[ $SECONDS -ge $t_end ] && { "${tm[@]}" kill-server; rm -rf "$dir"; bench_log "top: no rows after 60 s"; return 1; }
		sleep 0.2
	done
	# the tmux floor: the same round trip to a pane that only echoes
	local floor=() f0 f1
	"${tm[@]}" new-window -d -t b: -n echo "cat"
	sleep 0.3
	for ((k = 0; k < 10; k++)); do
		f0=${EPOCHREALTIME/./}
		"${tm[@]}" send-keys -t b:echo "x$k" Enter
		until "${tm[@]}" capture-pane -p -t b:echo | grep -q "^x$k\$"; do
			f1=${EPOCHREALTIME/./}
			[ $((f1 - f0)) -gt 5000000 ] && break
		done
		f1=${EPOCHREALTIME/./}
		floor+=($(((f1 - f0) / 1000)))
		sleep 0.1
	done
	"${tm[@]}" kill-window -t b:echo
	local start=$SECONDS k lat=() key=j sel0 sel1 t0 t1 scr
	# the selected line: the one drawn in reverse video among the table lines
	selected() {
		"${tm[@]}" capture-pane -e -p -t b | awk 'NR >= 3 && NR <= 48 && /\033\[[0-9;]*7m/ { print NR; exit }'
	}
	for ((k = 0; k < nkeys && SECONDS < start + secs; k++)); do
		# wait for a refresh in flight
		t_end=$((SECONDS + 5))
		until "${tm[@]}" capture-pane -p -t b | head -n 1 | grep -q 'reading\.\.\.'; do
			[ $SECONDS -ge $t_end ] && break
			sleep 0.01
		done
		sel0=$(selected)
		t0=${EPOCHREALTIME/./}
		"${tm[@]}" send-keys -t b "$key"
		while :; do
			sel1=$(selected)
			[ "$sel1" != "$sel0" ] && break
			t1=${EPOCHREALTIME/./}
			[ $((t1 - t0)) -gt 5000000 ] && break
		done
		t1=${EPOCHREALTIME/./}
		lat+=($(((t1 - t0) / 1000)))
		if [ "$key" = j ]; then key=k; else key=j; fi
		sleep 0.3
	done
	while [ $SECONDS -lt $((start + secs)) ]; do sleep 0.5; done
	"${tm[@]}" send-keys -t b q
	t_end=$((SECONDS + 30))
	until [ -s "$tfile" ] && [ -s "$stats" ]; do
		[ $SECONDS -ge $t_end ] && break
		sleep 0.2
	done
	"${tm[@]}" kill-server 2>/dev/null
	kill "$tpid" 2>/dev/null
	local refreshes top_cpu sv_cpu runs i max med inflight_max
	refreshes=$(awk '$1 == "refreshes" { print $2 }' "$stats" 2>/dev/null)
	inflight_max=$(awk '$1 == "key_inflight_max_ms" { print $2 }' "$stats" 2>/dev/null)
	local busy_max slice_max fmed
	busy_max=$(awk '$1 == "loop_busy_max_ms" { print $2 }' "$stats" 2>/dev/null)
	slice_max=$(awk '$1 == "parse_slice_max_ms" { print $2 }' "$stats" 2>/dev/null)
	fmed=$(printf '%s\n' "${floor[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }')
	top_cpu=$(awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$tfile" 2>/dev/null)
	[ -n "$refreshes" ] && [ "$refreshes" -gt 0 ] && [ -n "$top_cpu" ] ||
		{ bench_log "top: no measurement (stats: $(cat "$stats" 2>/dev/null))"; rm -rf "$dir"; return 1; }
	# the same number of `server list -o json` runs (at most 30, scaled)
	runs=$refreshes
	[ "$runs" -gt 30 ] && runs=30
	/usr/bin/time -f '%U %S' -o "$dir/sv.time" bash -c \
		"for i in \$(seq $runs); do '$bin' -t 30 -s '$sock' -o json server list >/dev/null || exit 1; done" ||
		{ bench_log "top: server list failed"; rm -rf "$dir"; return 1; }
	sv_cpu=$(awk -v r="$runs" -v n="$refreshes" '{ printf "%.0f", ($1 + $2) * 1000 / r * n }' "$dir/sv.time")
	read -r med max <<<"$(printf '%s\n' "${lat[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%s %s\n", v[int((NR + 1) / 2)], v[NR] }')"
	local ratio net
	ratio=$(bench_div "$top_cpu" "$sv_cpu")
	net=$((max - fmed))
	{
		echo "| measurement | top | reference | ratio / value | target | |"
		echo "|---|---:|---:|---:|---:|---|"
		echo "| CPU of \`top --interval 1\` for ${secs} s ($refreshes refreshes) vs $refreshes × \`server list -o json\` (ms) | $top_cpu | $sv_cpu | **$ratio** | ≤ 1.2 | $(bench_verdict "$ratio" 1.2) |"
		echo "| keypress-to-redraw during a refresh, from outside via tmux (${#lat[@]} keys; median / max ms) | $med / $max | tmux floor $fmed | **$net** above the floor | < 50 | $(bench_verdict "$net" 49.999) |"
		echo "| inside top: longest time away from the terminal (parse slices, reads, spawn) + the key's handling and redraw (max ms) | $busy_max + ${inflight_max:-n/a} | | | < 50 | $(bench_verdict "$(awk -v a="$busy_max" -v b="$inflight_max" 'BEGIN { print a + b }')" 49.999) |"
		echo "| inside top: longest parse slice (ms) | $slice_max | | | | |"
	} >"$out"
	echo "$ratio $net" >"$out.vals"
	rm -rf "$dir"
}
