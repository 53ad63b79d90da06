#!/usr/bin/env bash
# bench/run.sh - measure the performance model of DESIGN.md §6 on real fleets.
#
# Usage: bench/run.sh [--write]          (make bench)
#        bench/run.sh --python           (only case D, the Python API, on the big fleet)
#        BENCH_SMOKE=1 bench/run.sh      (CI: tiny fleets, 2 runs, no targets judged)
#
# Builds an optimized binary in build-bench/, starts HAProxy fleets in temp
# dirs (always stopped at exit, by pid, via tests/fleet/fleet.sh stop), and
# measures, as medians of interleaved rounds after a warm-up (bench/lib.sh):
#   A. 4 instances x 2,000 backends x 10 servers: server list, dump, frontend
#      list, backend list (-o json > /dev/null) against 4 parallel socat
#      dumps of "show info" + "show stat", and of the exact request bytes the
#      tool sends (captured with strace);
#   B. server set NAME weight 50 on one backend (x4 instances), and on a
#      name present in all 2,000 backends (added at run time with "add
#      server"), against the same set weight commands sent with socat;
#   C. 256 small instances (BENCH_SMALL): server list against as many parallel socats;
#   every floor also as one process reading the same bytes (bench/rawread.c:
#   no socat start-up per instance, the strictest floor);
#   plus peak RSS against the bytes dumped, and a CPU profile of the client
#   (perf, else callgrind);
#   D. the Python API (python/, bench/python_servers.py) on the big fleet:
#      every server with status, weight and metric('scur') from one
#      snapshot (median of 3), and the plain loop where every property read
#      asks the instances afresh, on the first BENCH_PY_FRESH (2000) servers
#      (bounded; extrapolated), against the original library's 88 s.
# Prints a Markdown report; --write also puts it into BENCHMARKS.md between
# the "bench:results" markers.
#
# D. `top --interval 1` on the big fleet: its CPU (readers included) against
#   as many `server list -o json` runs as it refreshed (target <= 1.2x), and
#   keypress-to-redraw while a refresh is in flight (target < 50 ms), driven
#   in a private tmux server (bench/top.sh). BENCH_ONLY=top runs only this
#   case (the big fleet, then top), BENCH_TOP_SECS (30) its duration.
# E. BENCH_TCP (1,000; 20 in smoke mode) TCP endpoints served by one fake
#   responder process (tests/tools/fakehap, captured replies): server list
#   against rawread reading the same bytes, target <= 1.5x, and peak RSS
#   against the bytes read (bench/tcp.sh). BENCH_ONLY=tcp runs only this case.
#   BENCH_ONLY=read runs only A (the reads of the big fleet, their memory and
#   profiles) and prints their ratios.
# Knobs: BENCH_RUNS (7), BENCH_WARMUP (1), BENCH_BACKENDS (2000),
# BENCH_SERVERS (10), BENCH_SMALL (256), BENCH_PROFILER (auto|perf|callgrind|none),
# BENCH_OLD (with BENCH_ONLY=write: another build's binary, its writes timed in
# the same interleaved rounds, for a before/after of one run).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=bench/top.sh
. bench/top.sh
# shellcheck source=bench/tcp.sh
. bench/tcp.sh

WRITE=0
PYTHON_ONLY=0
for a in "$@"; do
	case $a in
	--write) WRITE=1 ;;
	--python) PYTHON_ONLY=1 ;;
	-h | --help)
		sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*) bench_die "unknown argument: $a (see --help)" ;;
	esac
done

SMOKE=${BENCH_SMOKE:-0}
export BENCH_SMOKE=$SMOKE
[ "$SMOKE" = 1 ] && [ "$WRITE" = 1 ] && bench_die "--write is for full runs (a smoke run is not a claim)"
if [ "$SMOKE" = 1 ]; then
	RUNS=${BENCH_RUNS:-2} WARMUP=${BENCH_WARMUP:-1}
	BIG_B=${BENCH_BACKENDS:-20} BIG_S=${BENCH_SERVERS:-5}
	SMALL=${BENCH_SMALL:-4} PER_FLEET=2 TCP_N=${BENCH_TCP:-20}
else
	RUNS=${BENCH_RUNS:-7} WARMUP=${BENCH_WARMUP:-1}
	BIG_B=${BENCH_BACKENDS:-2000} BIG_S=${BENCH_SERVERS:-10}
	SMALL=${BENCH_SMALL:-256} PER_FLEET=32 TCP_N=${BENCH_TCP:-1000}
fi
BIG_N=4
PROFILER=${BENCH_PROFILER:-auto}
[ "$BIG_S" -ge 5 ] || bench_die "BENCH_SERVERS must be >= 5"
FLEET=$ROOT/tests/fleet/fleet.sh

# ---- dependencies and the optimized build ----

if [ "$SMOKE" = 1 ]; then extra="time"; else extra="time strace linux-perf valgrind"; fi
# shellcheck disable=SC2086
scripts/deps.sh $extra || bench_log "could not install every tool; going on with what is there"
for t in haproxy socat meson ninja; do
	command -v $t >/dev/null || bench_die "$t is missing (scripts/deps.sh as root)"
done
[ -x /usr/bin/time ] || bench_die "/usr/bin/time is missing (scripts/deps.sh time)"
if [ ! -f build-bench/build.ninja ]; then
	out=$(meson setup build-bench -Dbuildtype=release -Dwerror=true 2>&1) ||
		{ echo "$out" | tail -n 30 >&2; bench_die "meson setup build-bench failed"; }
fi
out=$(ninja -C build-bench 2>&1) ||
	{ echo "$out" | grep -v '^\[' | tail -n 30 >&2; bench_die "the optimized build (build-bench) failed"; }
BIN=$ROOT/build-bench/cli/haproxyadmin
[ -x "$BIN" ] || bench_die "no binary at $BIN"

# ---- work dir, fleets, cleanup ----

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hapbench.XXXXXX")
export BENCH_DATA=$WORK/data
mkdir -p "$BENCH_DATA"
# the change locks in a private directory: another haproxyadmin on this
# host (a test run) must not make a measured write wait or refuse
export XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$XDG_RUNTIME_DIR"
# the one-process floor (bench/rawread.c): no socat start-up per instance
RAW=$WORK/rawread
out=$(cc -std=c11 -O2 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
	-o "$RAW" bench/rawread.c 2>&1) || { echo "$out" >&2; bench_die "cannot build bench/rawread.c"; }
FLEETS=()
cleanup() {
	local d
	for d in "${FLEETS[@]}"; do "$FLEET" stop "$d" >/dev/null 2>&1 || true; done
	# the fake TCP responder of case E, by its pid
	[ -s "$WORK/fakehap.pid" ] && kill "$(cat "$WORK/fakehap.pid")" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fleet_up() { # fleet_up NAME ARGS...: start a fleet in $WORK/NAME
	local d=$WORK/$1
	shift
	mkdir -p "$d"
	FLEETS+=("$d")
	"$FLEET" start "$d" "$@" >/dev/null || bench_die "fleet start failed: $*"
}

fleet_down() {
	"$FLEET" stop "$WORK/$1" >/dev/null 2>&1 || true
}

T0=$(bench_now_us)
LOAD_START=$(bench_loadavg)
REPORT=$WORK/report.md

# ================================================================ D. the Python API

PY=/usr/bin/python3
PY_FRESH=${BENCH_PY_FRESH:-2000}
python_case() { # on the running big fleet; writes $WORK/py.md
	local k lines=() med total fresh_s fresh_n
	[ -d "$ROOT/build-bench/python/haproxyadmin" ] || bench_die "no Python binding in build-bench (python3-dev?)"
	bench_log "D: the Python API on the big fleet (snapshot x3, fresh on $PY_FRESH servers)"
	for k in 1 2 3; do
		lines+=("$(PYTHONPATH=$ROOT/build-bench/python timeout 600 "$PY" bench/python_servers.py \
			"$WORK/big/sock" snapshot)") || bench_die "python_servers.py snapshot failed"
	done
	med=$(printf '%s\n' "${lines[@]}" | awk '{ print $3 }' | sort -n | sed -n 2p)
	total=$(printf '%s\n' "${lines[0]}" | awk '{ print $2 }')
	read -r _ fresh_n fresh_s _ <<<"$(PYTHONPATH=$ROOT/build-bench/python timeout 900 "$PY" \
		bench/python_servers.py "$WORK/big/sock" fresh "$PY_FRESH")" ||
		bench_die "python_servers.py fresh failed"
	{
		echo "Python API (\`python/\`, \`bench/python_servers.py\`): every server with \`status\`,"
		echo "\`weight\` and \`metric('scur')\` on $BIG_N × $BIG_B × $BIG_S = $((BIG_N * BIG_B * BIG_S)) server rows ($total servers merged by name)."
		echo
		echo "| case | servers | wall s | per server | vs the original's 88 s |"
		echo "|---|---:|---:|---:|---:|"
		echo "| \`with hap.snapshot():\` one read, median of 3 (runs: $(printf '%s\n' "${lines[@]}" | awk '{ printf "%s ", $3 }')) | $total | $med | $(awk -v t="$med" -v n="$total" 'BEGIN { printf "%.1f µs", t / n * 1e6 }') | $(awk -v t="$med" 'BEGIN { printf "%.0f× faster", 88 / t }') |"
		echo "| plain loop, fresh read per property (3 rounds of $BIG_N requests per server), first $fresh_n | $fresh_n | $fresh_s | $(awk -v t="$fresh_s" -v n="$fresh_n" 'BEGIN { printf "%.2f ms", t / n * 1e3 }') | |"
		echo "| … extrapolated to $total | $total | $(awk -v t="$fresh_s" -v n="$fresh_n" -v a="$total" 'BEGIN { printf "%.1f", t / n * a }') | | $(awk -v t="$fresh_s" -v n="$fresh_n" -v a="$total" 'BEGIN { printf "%.1f×", 88 / (t / n * a) }') |"
		echo
	} >"$WORK/py.md"
}

if [ "$PYTHON_ONLY" = 1 ]; then
	bench_log "starting the big fleet: $BIG_N x $BIG_B backends x $BIG_S servers"
	fleet_up big "$BIG_N" --big "$BIG_B" "$BIG_S"
	python_case
	echo "load average: $LOAD_START at start, $(bench_loadavg) at end; $(nproc) CPUs"
	cat "$WORK/py.md"
	exit 0
fi

# ================================================================ E. TCP endpoints alone

if [ "${BENCH_ONLY:-}" = tcp ]; then
	GIT_DIRTY=$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null | wc -l || echo 0)
	bench_tcp "$BIN" "$RAW" "$TCP_N" "$WORK/tcp.md" || bench_die "the TCP endpoints case failed"
	echo "Tree $(git rev-parse --short HEAD 2>/dev/null)$([ "$GIT_DIRTY" != 0 ] && echo " + $GIT_DIRTY locally modified files"); load average $LOAD_START at start, $(bench_loadavg) at end; $(nproc) CPUs."
	echo
	cat "$WORK/tcp.md"
	exit 0
fi

# ================================================================ A. big fleet reads

bench_log "starting the big fleet: $BIG_N x $BIG_B backends x $BIG_S servers"
fleet_up big "$BIG_N" --big "$BIG_B" "$BIG_S"
BIG_SOCKS=("$WORK"/big/sock/admin*.sock)
mapfile -t HAP_PIDS < <(sed -n "s/^FLEET_PID_[0-9]*=//p" "$WORK/big/env")
TOOL=("$BIN" -t 30 -s "$WORK/big/sock" -o json)
# BENCH_OLD=BINARY (with BENCH_ONLY=write): the same writes by another build
# (the tree before a change), in the same interleaved rounds
OLD_TOOL=()
OLD_W1=() OLD_WALL=()
if [ -n "${BENCH_OLD:-}" ]; then
	[ -x "$BENCH_OLD" ] || bench_die "BENCH_OLD: no binary at $BENCH_OLD"
	OLD_TOOL=("$BENCH_OLD" -t 30 -s "$WORK/big/sock" -o json)
	OLD_W1=(w1_old w1b_old) OLD_WALL=(wall_old)
fi

if [ "${BENCH_ONLY:-}" = top ]; then
	bench_log "D: top --interval 1 on the big fleet for ${BENCH_TOP_SECS:-30} s"
	bench_top "$BIN" "$WORK/big/sock" "$WORK/top.md" || bench_die "the top case failed"
	echo "Big fleet: $BIG_N instances × $BIG_B backends × $BIG_S servers = $((BIG_N * BIG_B * BIG_S)) server rows; load average $(bench_loadavg)."
	echo
	cat "$WORK/top.md"
	exit 0
fi

# BENCH_ONLY=write: only the writes (B) on the big fleet, and their report
# (the blocks it skips are not indented, to keep them as they were)
WONLY=0
[ "${BENCH_ONLY:-}" = write ] && WONLY=1
if [ "$WONLY" = 0 ]; then
# the exact request of each read (strace on the first instance), else the documented one
req_of() { # req_of NAME FALLBACK ARGS...
	local name=$1 fb=$2
	shift 2
	if ! bench_capture_request "$WORK/$name.req" "$BIN" -t 30 -s "${BIG_SOCKS[0]}" -o json "$@"; then
		printf '%b' "$fb" >"$WORK/$name.req"
		echo "documented" >"$WORK/$name.req.src"
	else
		echo "captured" >"$WORK/$name.req.src"
	fi
}
printf 'show info\nshow stat\n' >"$WORK/plain.req"
req_of sv 'show cli level\nshow info\nshow stat -1 4 -1\n' server list
req_of dump 'show cli level\nshow info\nshow stat -1 7 -1\n' dump
req_of fe 'show cli level\nshow info\nshow stat -1 1 -1\n' frontend list
req_of be 'show cli level\nshow info\nshow stat -1 2 -1\n' backend list

for r in plain sv dump fe be; do
	floor_bytes "$WORK/$r.req" "${BIG_SOCKS[@]}" >"$WORK/$r.bytes"
done
# rawread must see the same replies as socat (counters may change a few digits)
rb=$("$RAW" -f "$WORK/sv.req" "${BIG_SOCKS[@]}")
awk -v a="$rb" -v b="$(cat "$WORK/sv.bytes")" 'BEGIN { exit !(a > b * 0.99 && a < b * 1.01) }' ||
	bench_die "rawread read $rb bytes, socat $(cat "$WORK/sv.bytes")"
for c in "sv:server list" "dump:dump" "fe:frontend list" "be:backend list"; do
	# shellcheck disable=SC2086
	"${TOOL[@]}" ${c#*:} | wc -c >"$WORK/${c%%:*}.out"
done

case_floor_plain() { floor_send "$WORK/plain.req" "${BIG_SOCKS[@]}"; }
case_floor_sv() { floor_send "$WORK/sv.req" "${BIG_SOCKS[@]}"; }
case_floor_dump() { floor_send "$WORK/dump.req" "${BIG_SOCKS[@]}"; }
case_floor_fe() { floor_send "$WORK/fe.req" "${BIG_SOCKS[@]}"; }
case_floor_be() { floor_send "$WORK/be.req" "${BIG_SOCKS[@]}"; }
case_raw_sv() { "$RAW" -f "$WORK/sv.req" "${BIG_SOCKS[@]}"; }
case_raw_dump() { "$RAW" -f "$WORK/dump.req" "${BIG_SOCKS[@]}"; }
case_raw_be() { "$RAW" -f "$WORK/be.req" "${BIG_SOCKS[@]}"; }
case_raw_fe() { "$RAW" -f "$WORK/fe.req" "${BIG_SOCKS[@]}"; }
case_sv() { "${TOOL[@]}" server list; }
case_dump() { "${TOOL[@]}" dump; }
case_fe() { "${TOOL[@]}" frontend list; }
case_be() { "${TOOL[@]}" backend list; }
case_sv_b() { "${TOOL[@]}" server list -b bk_1; } # the same full read, 10 servers printed
case_startup() { "$BIN" version; }

bench_log "A: reads on the big fleet ($WARMUP warm-up + $RUNS rounds)"
bench_rounds "$WARMUP" "$RUNS" floor_plain floor_sv floor_dump floor_fe floor_be raw_sv raw_dump raw_be raw_fe \
	sv sv_b dump fe be startup

# HAProxy's own CPU for the floors and the client's CPU (informative)
ticks0=$(bench_cpu_ticks "${HAP_PIDS[@]}")
for k in 1 2 3; do case_floor_sv; done
ticks1=$(bench_cpu_ticks "${HAP_PIDS[@]}")
echo $(((ticks1 - ticks0) * 1000 / 3 / $(getconf CLK_TCK))) >"$WORK/hap_cpu_ms.sv"

fi # WONLY (A)

rss_cpu() { # rss_cpu NAME CMD...: median peak RSS (KB) and client CPU (user+sys, ms)
	local name=$1 k
	shift
	for k in 1 2 3; do
		/usr/bin/time -f '%M %U %S' -o "$WORK/time.$k" "$@" >/dev/null 2>&1 ||
			bench_die "failed under /usr/bin/time: $*"
		tail -n 1 "$WORK/time.$k"
	done >"$WORK/$name.time"
	sort -n "$WORK/$name.time" | sed -n 2p | awk '{ print $1 }' >"$WORK/$name.rss"
	awk '{ print ($2 + $3) * 1000 }' "$WORK/$name.time" | sort -n | sed -n 2p >"$WORK/$name.cpu"
}
rss_cpu startup "$BIN" version
if [ "$WONLY" = 0 ]; then
rss_cpu sv "${TOOL[@]}" server list
rss_cpu dump "${TOOL[@]}" dump
rss_cpu fe "${TOOL[@]}" frontend list
rss_cpu be "${TOOL[@]}" backend list
[ "${BENCH_ONLY:-}" = read ] || python_case
fi # WONLY

# ---- profiles of the client ----

profiler=none
if [ "$PROFILER" = auto ] || [ "$PROFILER" = perf ]; then
	if command -v perf >/dev/null &&
		perf record -q -o "$WORK/probe.data" -- true >/dev/null 2>&1; then
		profiler=perf
	fi
fi
if [ "$profiler" = none ] && { [ "$PROFILER" = auto ] || [ "$PROFILER" = callgrind ]; } &&
	command -v valgrind >/dev/null; then
	profiler=callgrind
fi
[ "$PROFILER" = none ] && profiler=none

# profile NAME CMD...: top functions of one run into $WORK/NAME.prof
# (PROFILE_FREQ: perf sampling rate, higher for short runs)
profile() {
	local name=$1 f=$WORK/$1 hz=${PROFILE_FREQ:-2000}
	shift
	case $profiler in
	perf)
		perf record -q -F "$hz" --call-graph dwarf,16384 -o "$f.data" -- "$@" >/dev/null 2>&1 ||
			{ echo "(perf record failed)" >"$f.prof"; return 0; }
		{
			echo "self time (share of all samples), summed by the symbol and the two callers above it"
			echo "(perf, $hz Hz, $(perf report -i "$f.data" --stdio -g none 2>/dev/null | sed -n 's/^# Samples: *\([^ ]*\) .*/\1/p' | awk "NR == 1") samples):"
			echo
			perf report -i "$f.data" --no-children --sort symbol --stdio -g folded,0,callee,percent \
				--percent-limit 0.5 2>/dev/null | grep -E '^[0-9.]+% ' |
				awk '{ p = $1; sub(/%$/, "", p); $1 = ""; n = split(substr($0, 2), fr, ";")
					s = fr[1]; for (i = 2; i <= 3 && i <= n; i++) s = s " <- " fr[i]
					sum[s] += p }
				END { for (s in sum) printf "    %6.2f%%  %s\n", sum[s], s }' | sort -rn | awk "NR <= 14"
			echo
			echo "inclusive (children), user-space functions:"
			echo
			perf report -i "$f.data" --children --sort symbol --stdio -g none 2>/dev/null |
				grep -E '^ +[0-9.]+% +[0-9.]+% +\[\.\]' |
				grep -vE '\] (_start|main|__libc_start|__libc_start_call_main|__libc_start_main_impl|0x[0-9a-f]+)( |$)' |
				awk '{ printf "    %7s  %s\n", $1, $4 }' | awk "NR <= 14"
		} >"$f.prof"
		rm -f "$f.data"
		;;
	callgrind)
		valgrind --tool=callgrind --callgrind-out-file="$f.cg" "$@" >/dev/null 2>&1 ||
			{ echo "(callgrind failed)" >"$f.prof"; return 0; }
		{
			echo "self instructions (callgrind):"
			echo
			callgrind_annotate "$f.cg" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | awk "NR <= 14" | sed 's/^/    /'
			echo
			echo "inclusive:"
			echo
			callgrind_annotate --inclusive=yes "$f.cg" 2>/dev/null | grep -E '^ *[0-9,]+ \(' |
				awk "NR <= 14" | sed 's/^/    /'
		} >"$f.prof"
		rm -f "$f.cg"
		;;
	*) echo "(no profiler available)" >"$f.prof" ;;
	esac
}
if [ "$WONLY" = 0 ]; then
bench_log "profiling ($profiler)"
profile sv "${TOOL[@]}" server list
profile dump "${TOOL[@]}" dump

# BENCH_ONLY=read: the reads of the big fleet alone (A, with its memory and
# profiles), reported as ratios of this one run; no verdict, no --write
if [ "${BENCH_ONLY:-}" = read ]; then
	rd() { # rd LABEL CASE FLOOR: wall medians, ratio, per-round ratios
		local a b lo hi
		a=$(bench_median "$2")
		b=$(bench_median "$3")
		read -r _ lo hi <<<"$(bench_round_ratios "$2" "$3")"
		printf '| %s | %.1f | %.1f | **%s** | %s–%s |\n' "$1" "$(awk -v s="$a" 'BEGIN { print s * 1000 }')" \
			"$(awk -v s="$b" 'BEGIN { print s * 1000 }')" "$(bench_div "$a" "$b")" "$lo" "$hi"
	}
	echo "Reads only (BENCH_ONLY=read): tree $(git rev-parse --short HEAD 2>/dev/null), $WARMUP warm-up + $RUNS rounds;"
	echo "load average $LOAD_START at start, $(bench_loadavg) at end; $BIG_N × $BIG_B × $BIG_S."
	echo
	echo "| wall ms | ours | floor | ratio | per round |"
	echo "|---|---:|---:|---:|---:|"
	rd "\`server list\` vs rawread, exact request" sv raw_sv
	rd "\`server list\` vs socat, exact request" sv floor_sv
	rd "\`server list -b bk_1\` vs rawread" sv_b raw_sv
	rd "\`dump\` vs rawread, exact request" dump raw_dump
	rd "\`dump\` vs socat, exact request" dump floor_dump
	rd "\`backend list\` vs rawread" be raw_be
	rd "\`frontend list\` vs rawread" fe raw_fe
	echo
	echo "| peak RSS | KB | bytes read | ratio | client CPU ms |"
	echo "|---|---:|---:|---:|---:|"
	for c in sv dump be; do
		printf '| %s | %s | %s | **%s** | %s |\n' "$c" "$(cat "$WORK/$c.rss")" "$(cat "$WORK/$c.bytes")" \
			"$(bench_div $(($(cat "$WORK/$c.rss") * 1024)) "$(cat "$WORK/$c.bytes")")" "$(cat "$WORK/$c.cpu")"
	done
	for p in sv dump; do
		echo
		echo "Profile of $p:"
		echo '```'
		cat "$WORK/$p.prof"
		echo '```'
	done
	exit 0
fi

# ================================================================ D. top

bench_log "D: top --interval 1 on the big fleet for ${BENCH_TOP_SECS:-30} s"
bench_top "$BIN" "$WORK/big/sock" "$WORK/top.md" || echo "(the top case failed: see the log)" >"$WORK/top.md"

fi # WONLY (profiles, top)

# ================================================================ B. writes

# write_floor NAME ARGS...: per-instance files of the commands the tool would
# send (from -n): one command -> that line; several -> one prompt-mode session.
# WRITE_LOOKUP=1 write_floor ...: each instance's batch starts with "show
# servers state" (the holder lookup of a write without -b, issue 15)
write_floor() {
	local name=$1 i s n
	shift
	mkdir -p "$WORK/$name"
	"${TOOL[@]}" -n "$@" >"$WORK/$name.plan"
	i=0
	for s in "${BIG_SOCKS[@]}"; do
		i=$((i + 1))
		grep -F "$s: " "$WORK/$name.plan" | grep -v '^#' | sed "s|^$s: ||" >"$WORK/$name/$i.cmds" || true
		n=$(wc -l <"$WORK/$name/$i.cmds")
		if [ "${WRITE_LOOKUP:-0}" = 1 ]; then
			{ echo prompt; echo "show servers state"; cat "$WORK/$name/$i.cmds"; echo quit; } >"$WORK/$name/$i.req"
		elif [ "$n" -eq 1 ]; then
			cp "$WORK/$name/$i.cmds" "$WORK/$name/$i.req"
		elif [ "$n" -gt 1 ]; then
			{ echo prompt; cat "$WORK/$name/$i.cmds"; echo quit; } >"$WORK/$name/$i.req"
		else
			: >"$WORK/$name/$i.req"
		fi
	done
	cat "$WORK/$name"/*.cmds | wc -l >"$WORK/$name.ncmds"
}

# raw_each NAME: rawread with the per-instance request files of write_floor NAME
raw_each() {
	local i=0 s args=()
	for s in "${BIG_SOCKS[@]}"; do
		i=$((i + 1))
		[ -s "$WORK/$1/$i.req" ] && args+=(-f "$WORK/$1/$i.req" "$s")
	done
	"$RAW" "${args[@]}"
}

W1_NAME=$(printf 'srv_%d_%02d' $(((BIG_B + 1) / 2)) 5)
W1_BACKEND=bk_$(((BIG_B + 1) / 2))
write_floor w1 server set "$W1_NAME" weight 50
case_floor_w1() { floor_send_each "$WORK/w1" "${BIG_SOCKS[@]}"; }
case_raw_w1() { raw_each w1; }
WRITE_LOOKUP=1 write_floor w1s server set "$W1_NAME" weight 50
case_raw_w1s() { raw_each w1s; }
case_w1() { "${TOOL[@]}" -y server set "$W1_NAME" weight 50; }
case_w1_dry() { "${TOOL[@]}" -n server set "$W1_NAME" weight 50; }
case_w1b() { "${TOOL[@]}" -y server set "$W1_NAME" weight 50 -b "$W1_BACKEND"; }

bench_log "B: write on one backend ($W1_NAME)"
case_w1_old() { "${OLD_TOOL[@]}" -y server set "$W1_NAME" weight 50; }
case_w1b_old() { "${OLD_TOOL[@]}" -y server set "$W1_NAME" weight 50 -b "$W1_BACKEND"; }
bench_rounds "$WARMUP" "$RUNS" floor_w1 raw_w1 raw_w1s w1 w1_dry w1b "${OLD_W1[@]}"
rss_cpu w1 "${TOOL[@]}" -y server set "$W1_NAME" weight 50

# a name in every backend: srv_shared, added at run time (public runtime API)
bench_log "adding srv_shared to the $BIG_B backends of each instance"
i=0
for s in "${BIG_SOCKS[@]}"; do
	i=$((i + 1))
	awk -v B="$BIG_B" 'BEGIN {
		print "prompt"
		for (b = 1; b <= B; b++)
			printf "add server bk_%d/srv_shared 127.0.0.1:9\nenable server bk_%d/srv_shared\n", b, b
		print "quit"
	}' >"$WORK/add.$i.req"
	socat -t 30 - "UNIX-CONNECT:$s" <"$WORK/add.$i.req" >"$WORK/add.$i.out"
	added=$(grep -c 'New server registered' "$WORK/add.$i.out" || true)
	[ "$added" = "$BIG_B" ] || bench_die "add server on $s: $added of $BIG_B registered"
done
write_floor wall server set srv_shared weight 50
# the write reads show servers state to find the holders, then its
# session's replies: the set weight and their read-back (get weight, show
# info), counted by rawread on the same lines (the weight the case sets)
printf 'show cli level\nshow info\nshow servers state\n' >"$WORK/ss.req"
b=$(floor_bytes "$WORK/ss.req" "${BIG_SOCKS[@]}")
i=0
args=()
for s in "${BIG_SOCKS[@]}"; do
	i=$((i + 1))
	{
		echo prompt
		cat "$WORK/wall/$i.cmds"
		sed 's/^set weight \([^ ]*\) .*/get weight \1/' "$WORK/wall/$i.cmds"
		echo "show info"
		echo quit
	} >"$WORK/wsess.$i.req"
	args+=(-f "$WORK/wsess.$i.req" "$s")
done
echo $((b + $("$RAW" "${args[@]}"))) >"$WORK/wall1.bytes"
[ "$(cat "$WORK/wall.ncmds")" = $((BIG_N * BIG_B)) ] ||
	bench_die "srv_shared: expected $((BIG_N * BIG_B)) commands, plan has $(cat "$WORK/wall.ncmds")"
case_floor_wall() { floor_send_each "$WORK/wall" "${BIG_SOCKS[@]}"; }
case_raw_wall() { raw_each wall; }
WRITE_LOOKUP=1 write_floor walls server set srv_shared weight 50
case_raw_walls() { raw_each walls; }
case_wall() { "${TOOL[@]}" -y server set srv_shared weight 50; }
case_wall_dry() { "${TOOL[@]}" -n server set srv_shared weight 50; }

bench_log "B: write on every backend (srv_shared, $((BIG_N * BIG_B)) commands)"
case_wall_old() { "${OLD_TOOL[@]}" -y server set srv_shared weight 50; }
bench_rounds "$WARMUP" "$RUNS" floor_wall raw_wall raw_walls wall wall_dry "${OLD_WALL[@]}"
rss_cpu wall "${TOOL[@]}" -y server set srv_shared weight 50
[ -n "${BENCH_OLD:-}" ] && rss_cpu wall_old "${OLD_TOOL[@]}" -y server set srv_shared weight 50
profile wall "${TOOL[@]}" -y server set srv_shared weight 50
fleet_down big

if [ "$WONLY" = 0 ]; then
# ================================================================ C. many small instances

nf=$(((SMALL + PER_FLEET - 1) / PER_FLEET))
SMALL_ARGS=()
SMALL_SOCKS=()
left=$SMALL
for ((f = 1; f <= nf; f++)); do
	n=$((left / (nf - f + 1)))
	left=$((left - n))
	bench_log "starting small fleet $f/$nf ($n instances)"
	fleet_up "small$f" "$n"
	SMALL_ARGS+=(-s "$WORK/small$f/sock")
	SMALL_SOCKS+=("$WORK/small$f"/sock/admin*.sock)
done
[ "${#SMALL_SOCKS[@]}" = "$SMALL" ] || bench_die "expected $SMALL small instances, found ${#SMALL_SOCKS[@]}"
STOOL=("$BIN" -t 30 "${SMALL_ARGS[@]}" -o json)
if bench_capture_request "$WORK/ssv.req" "$BIN" -t 30 -s "${SMALL_SOCKS[0]}" -o json server list; then
	echo captured >"$WORK/ssv.req.src"
else
	printf 'show cli level\nshow info\nshow stat -1 4 -1\n' >"$WORK/ssv.req"
	echo documented >"$WORK/ssv.req.src"
fi
floor_bytes "$WORK/ssv.req" "${SMALL_SOCKS[@]}" >"$WORK/ssv.bytes"
floor_bytes "$WORK/plain.req" "${SMALL_SOCKS[@]}" >"$WORK/splain.bytes"
"${STOOL[@]}" server list | wc -c >"$WORK/ssv.out"

case_floor_ssv() { floor_send "$WORK/ssv.req" "${SMALL_SOCKS[@]}"; }
case_floor_splain() { floor_send "$WORK/plain.req" "${SMALL_SOCKS[@]}"; }
case_raw_ssv() { "$RAW" -f "$WORK/ssv.req" "${SMALL_SOCKS[@]}"; }
case_ssv() { "${STOOL[@]}" server list; }
case_socat_spawn() { # the floor's process cost alone: N socats that connect nowhere
	local k p pids=()
	for ((k = 0; k < SMALL; k++)); do
		socat -V >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
}

bench_log "C: $SMALL small instances"
bench_rounds "$WARMUP" "$RUNS" floor_ssv floor_splain raw_ssv ssv socat_spawn
rss_cpu ssv "${STOOL[@]}" server list
PROFILE_FREQ=20000 profile ssv "${STOOL[@]}" server list
for ((f = 1; f <= nf; f++)); do fleet_down "small$f"; done

# ================================================================ E. TCP endpoints

GIT_DIRTY=$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null | wc -l || echo 0)
bench_tcp "$BIN" "$RAW" "$TCP_N" "$WORK/tcp.md" || bench_die "the TCP endpoints case failed"
fi # WONLY (C, E)

LOAD_END=$(bench_loadavg)
ELAPSED=$(awk -v a="$T0" -v b="$(bench_now_us)" 'BEGIN { printf "%.0f", (b - a) / 1e6 }')

# ================================================================ report

ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
# row LABEL CASE FLOOR TARGET: one line of the ratio table. Verdicts follow
# issue 15's wording: against the exact request read or sent by one process
# (rawread, the strictest floor), and for `server list` and `dump` also
# against socat reading their exact request; the other socat rows pass
# TARGET "" and are information only. A run on a modified tree is not judged.
row() {
	local label=$1 c=$2 fl=$3 target=$4 mc mf ratio rr
	mc=$(bench_median "$c")
	mf=$(bench_median "$fl")
	ratio=$(bench_div "$mc" "$mf")
	local rmin rmax
	read -r _ rmin rmax <<<"$(bench_round_ratios "$c" "$fl")"
	rr="$rmin–$rmax"
	local verdict="information only"
	if [ -n "$target" ]; then
		verdict=$(bench_verdict "$ratio" "$target")
		[ "${GIT_DIRTY:-0}" = 0 ] || verdict="not judged (tree has $GIT_DIRTY modified files)"
	fi
	printf '| %s | %s | %s | **%s** | %s | %s | %s |\n' "$label" "$(ms "$mc")" "$(ms "$mf")" \
		"$ratio" "$rr" "${target:+≤ $target}" "$verdict"
}
noise() { # noise CASE LABEL
	local n lo med hi
	read -r n lo med hi <<<"$(bench_stat "$1")"
	printf '| %s | %s | %s | %s | %s | %s%% |\n' "$2" "$n" "$(ms "$lo")" "$(ms "$med")" "$(ms "$hi")" \
		"$(awk -v a="$lo" -v m="$med" -v b="$hi" 'BEGIN { printf "%.0f", (m > 0 ? (b - a) / m * 100 : 0) }')"
}
rssrow() { # rssrow LABEL NAME BYTESFILE [nojudge]: peak RSS, and above the process baseline
	local kb base bytes r rn
	kb=$(cat "$WORK/$2.rss")
	base=$(cat "$WORK/startup.rss")
	bytes=$(cat "$WORK/$3.bytes")
	r=$(bench_div $((kb * 1024)) "$bytes")
	rn=$(bench_div $(((kb - base) * 1024)) "$bytes")
	local target="≤ 1.5" verdict=""
	if [ -n "${4:-}" ]; then
		target="(not judged: process baseline dominates)"
	else
		verdict=$(bench_verdict "$r" 1.5)
	fi
	printf '| %s | %s | %s | **%s** | %s | %s | %s |\n' "$1" "$(bench_mb $((kb * 1024)))" \
		"$(bench_mb "$bytes")" "$r" "$rn" "$target" "$verdict"
}

GIT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null | wc -l || echo 0)
if [ "$WONLY" = 1 ]; then
	{
		echo "### Writes only (BENCH_ONLY=write; not a BENCHMARKS.md claim)"
		echo
		echo "tree $GIT_REV$([ "$GIT_DIRTY" != 0 ] && echo " + $GIT_DIRTY locally modified files"),"
		echo "$WARMUP warm-up + $RUNS rounds, load average $LOAD_START at start, $LOAD_END at end, ${ELAPSED} s."
		echo "Big fleet: $BIG_N instances × $BIG_B backends × $BIG_S servers."
		echo
		echo "| measurement (wall ms) | ours | floor | ratio | per-round ratio | target | |"
		echo "|---|---:|---:|---:|---:|---:|---|"
		row "\`server set $W1_NAME weight 50\` ($(cat "$WORK/w1.ncmds") cmds) vs socat" w1 floor_w1 ""
		row "… its read + plan only (\`-n\`)" w1_dry floor_w1 ""
		row "\`server set $W1_NAME weight 50\` vs one process sending show servers state + them, one prompt session per instance (rawread)" w1 raw_w1s 1.5
		row "… the same with \`-b $W1_BACKEND\` vs one process sending them (rawread)" w1b raw_w1 1.2
		row "\`server set srv_shared weight 50\` ($(cat "$WORK/wall.ncmds") cmds) vs socat" wall floor_wall ""
		row "… its read + plan only (\`-n\`)" wall_dry raw_walls ""
		row "\`server set srv_shared weight 50\` vs one process sending show servers state + them, one prompt session per instance (rawread)" wall raw_walls 1.5
		if [ -n "${BENCH_OLD:-}" ]; then
			row "BENCH_OLD: \`server set $W1_NAME weight 50\` vs the same rawread" w1_old raw_w1s 1.5
			row "BENCH_OLD: … with \`-b $W1_BACKEND\`" w1b_old raw_w1 1.2
			row "BENCH_OLD: \`server set srv_shared weight 50\` vs the same rawread" wall_old raw_walls 1.5
			row "this build against BENCH_OLD, \`-b\`" w1b w1b_old ""
			row "this build against BENCH_OLD, srv_shared" wall wall_old ""
		fi
		echo
		echo "| memory | peak RSS | bytes read | ratio | above process baseline ($(bench_mb $(($(cat "$WORK/startup.rss") * 1024)))) | target | |"
		echo "|---|---:|---:|---:|---:|---:|---|"
		rssrow "\`server set srv_shared weight 50\`" wall wall1
		[ -n "${BENCH_OLD:-}" ] && rssrow "BENCH_OLD: \`server set srv_shared weight 50\`" wall_old wall1
		echo
		echo "| case | n | min | median | max | spread |"
		echo "|---|---:|---:|---:|---:|---:|"
		for c in floor_w1 raw_w1 raw_w1s w1 w1_dry w1b floor_wall raw_wall raw_walls wall wall_dry "${OLD_W1[@]}" "${OLD_WALL[@]}"; do noise "$c" "$c"; done
		echo
		echo "Profile of \`server set srv_shared weight 50\`:"
		echo
		echo '```'
		cat "$WORK/wall.prof"
		echo '```'
	} >"$REPORT"
	cat "$REPORT"
	exit 0
fi
{
	echo "<!-- bench:results:begin (generated by bench/run.sh --write; do not edit by hand) -->"
	echo
	if [ "$SMOKE" = 1 ]; then
		echo "### Results (SMOKE RUN: tiny fleets, not a claim)"
	else
		echo "### Results"
	fi
	echo
	echo "Reproduce: \`make bench\` (or \`bench/run.sh --write\` to refresh this section)."
	echo
	echo "| machine | |"
	echo "|---|---|"
	echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
	echo "| CPU | $(nproc) × $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | awk "NR == 1") |"
	echo "| memory | $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
	echo "| kernel | $(uname -sr) |"
	echo "| HAProxy | $(haproxy -v | awk "NR == 1" | cut -d' ' -f1-3) |"
	echo "| compiler | $(cc --version | awk "NR == 1") |"
	echo "| tree | $GIT_REV$([ "$GIT_DIRTY" != 0 ] && echo " + $GIT_DIRTY locally modified files") |"
	echo "| runs | $WARMUP warm-up + $RUNS measured rounds, interleaved; medians |"
	echo "| load average | $LOAD_START at start, $LOAD_END at end (other work shares the machine) |"
	echo "| duration | ${ELAPSED} s |"
	echo
	echo "Big fleet: $BIG_N instances × $BIG_B backends × $BIG_S servers = $((BIG_N * BIG_B * BIG_S)) server rows."
	echo "Request bytes of the tool: $(cat "$WORK/sv.req.src") with strace; \`server list\` sends"
	echo "\`$(awk '{ printf "%s\\n", $0 }' "$WORK/sv.req")\`, \`dump\` \`$(awk '{ printf "%s\\n", $0 }' "$WORK/dump.req")\`."
	echo
	echo "| measurement (wall ms) | ours | floor | ratio | per-round ratio | target | |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	row "\`server list\` vs show info + show stat" sv floor_plain ""
	row "\`server list\` vs socat reading its exact request ($(bench_mb "$(cat "$WORK/sv.bytes")"))" sv floor_sv 1.15
	row "\`dump\` vs show info + show stat" dump floor_plain ""
	row "\`dump\` vs socat reading its exact request ($(bench_mb "$(cat "$WORK/dump.bytes")"))" dump floor_dump 1.5
	row "\`server list\` vs one process reading its exact request (rawread)" sv raw_sv 1.3
	row "\`server list -b bk_1\` (same full read, prints $BIG_S servers) vs show info + show stat" sv_b floor_plain ""
	row "\`server list -b bk_1\` vs one process reading its exact request (rawread)" sv_b raw_sv 1.15
	row "\`dump\` vs one process reading its exact request (rawread)" dump raw_dump ""
	row "\`frontend list\` vs show info + show stat" fe floor_plain ""
	row "\`frontend list\` vs its exact request ($(bench_mb "$(cat "$WORK/fe.bytes")"))" fe floor_fe ""
	row "\`backend list\` vs show info + show stat" be floor_plain ""
	row "\`backend list\` vs its exact request ($(bench_mb "$(cat "$WORK/be.bytes")"))" be floor_be ""
	row "\`backend list\` vs one process reading its exact request (rawread)" be raw_be 1.15
	row "\`frontend list\` vs one process reading its exact request (rawread)" fe raw_fe 1.15
	row "\`server set $W1_NAME weight 50\` ($(cat "$WORK/w1.ncmds") cmds) vs socat" w1 floor_w1 ""
	row "… its read + plan only (\`-n\`)" w1_dry floor_w1 ""
	row "… the same with \`-b $W1_BACKEND\`" w1b floor_w1 ""
	row "\`server set $W1_NAME weight 50\` vs one process sending them (rawread)" w1 raw_w1 ""
	row "\`server set $W1_NAME weight 50\` vs one process sending show servers state + them, one prompt session per instance (rawread)" w1 raw_w1s 1.5
	row "… the same with \`-b $W1_BACKEND\` vs one process sending them (rawread)" w1b raw_w1 1.2
	row "\`server set srv_shared weight 50\` ($(cat "$WORK/wall.ncmds") cmds) vs socat" wall floor_wall ""
	row "… its read + plan only (\`-n\`)" wall_dry floor_wall ""
	row "\`server set srv_shared weight 50\` vs one process sending them (rawread)" wall raw_wall ""
	row "\`server set srv_shared weight 50\` vs one process sending show servers state + them, one prompt session per instance (rawread)" wall raw_walls 1.5
	row "$SMALL small instances: \`server list\` vs its exact request" ssv floor_ssv ""
	row "$SMALL small instances: \`server list\` vs show info + show stat" ssv floor_splain ""
	row "$SMALL small instances: \`server list\` vs one process reading its exact request (rawread)" ssv raw_ssv 1.3
	row "(reference) $SMALL socat start-ups, no connection, vs the exact-request floor" socat_spawn floor_ssv ""
	echo
	for w in "w1:$W1_NAME" "wall:srv_shared"; do
		a=$(bench_median "${w%%:*}")
		b=$(bench_median "${w%%:*}_dry")
		f=$(bench_median "floor_${w%%:*}")
		echo "\`server set ${w#*:}\`: read + plan (\`-n\`) $(ms "$b") ms, then sending + re-reading"
		echo "every instance + printing $(ms "$(awk -v a="$a" -v b="$b" 'BEGIN { print a - b }')") ms;"
		echo "the raw commands alone take $(ms "$f") ms."
		echo
	done
	echo "\`top --interval 1\` on the big fleet (bench/top.sh):"
	echo
	cat "$WORK/top.md"
	echo
	echo "Write floors: the same \`set weight\` lines as \`-n\` prints, one socat per instance in"
	echo "parallel (a single command as is; several in one \`prompt\` session, the cheapest way"
	echo "HAProxy takes them). srv_shared is added to every backend with \`add server\` at run time."
	echo "rawread (bench/rawread.c) is the strictest floor: one process, one connection per"
	echo "instance, the same request bytes, replies read to EOF and discarded, no socat start-up."
	echo "Verdicts follow issue 15: against rawread for the exact request, and for"
	echo "\`server list\` (≤ 1.15) and \`dump\` (≤ 1.5) also against socat reading their exact"
	echo "request; the other socat rows (the issue's \`show info\` + full \`show stat\`) are"
	echo "information only."
	echo
	echo "| memory | peak RSS | bytes dumped | ratio | above process baseline ($(bench_mb $(($(cat "$WORK/startup.rss") * 1024)))) | target | |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	rssrow "\`server list\`" sv sv
	rssrow "\`dump\`" dump dump
	rssrow "\`backend list\`" be be
	rssrow "\`server set srv_shared weight 50\` (show servers state, then its session's replies)" wall wall1
	rssrow "$SMALL small: \`server list\`" ssv ssv nojudge
	echo
	cat "$WORK/tcp.md"
	cat "$WORK/py.md"
	echo "Client CPU (user+sys, median of 3) and output size; HAProxy's own CPU for the"
	echo "exact \`server list\` request on the $BIG_N instances: $(cat "$WORK/hap_cpu_ms.sv") ms."
	echo
	echo "| command | client CPU ms | JSON out |"
	echo "|---|---:|---:|"
	echo "| \`server list\` | $(cat "$WORK/sv.cpu") | $(bench_mb "$(cat "$WORK/sv.out")") |"
	echo "| \`dump\` | $(cat "$WORK/dump.cpu") | $(bench_mb "$(cat "$WORK/dump.out")") |"
	echo "| \`frontend list\` | $(cat "$WORK/fe.cpu") | $(bench_mb "$(cat "$WORK/fe.out")") |"
	echo "| \`backend list\` | $(cat "$WORK/be.cpu") | $(bench_mb "$(cat "$WORK/be.out")") |"
	echo "| \`server set $W1_NAME weight 50\` | $(cat "$WORK/w1.cpu") | |"
	echo "| \`server set srv_shared weight 50\` | $(cat "$WORK/wall.cpu") | |"
	echo "| $SMALL small: \`server list\` | $(cat "$WORK/ssv.cpu") | $(bench_mb "$(cat "$WORK/ssv.out")") |"
	echo
	echo "Noise: every case, in ms (spread = (max − min) / median)."
	echo
	echo "| case | n | min | median | max | spread |"
	echo "|---|---:|---:|---:|---:|---:|"
	noise floor_plain "floor: show info + show stat ×$BIG_N"
	noise floor_sv "floor: server list request ×$BIG_N"
	noise floor_dump "floor: dump request ×$BIG_N"
	noise floor_fe "floor: frontend list request ×$BIG_N"
	noise floor_be "floor: backend list request ×$BIG_N"
	noise raw_sv "rawread: server list request ×$BIG_N"
	noise raw_dump "rawread: dump request ×$BIG_N"
	noise raw_be "rawread: backend list request ×$BIG_N"
	noise sv "server list"
	noise sv_b "server list -b bk_1"
	noise dump "dump"
	noise fe "frontend list"
	noise be "backend list"
	noise startup "haproxyadmin version (process start)"
	noise floor_w1 "floor: set weight, one backend"
	noise raw_w1 "rawread: set weight, one backend"
	noise w1 "server set, one backend"
	noise w1_dry "server set -n, one backend"
	noise w1b "server set -b, one backend"
	noise floor_wall "floor: set weight, every backend"
	noise raw_wall "rawread: set weight, every backend"
	noise wall "server set, every backend"
	noise wall_dry "server set -n, every backend"
	noise floor_ssv "floor: $SMALL × server list request"
	noise floor_splain "floor: $SMALL × show info + show stat"
	noise raw_ssv "rawread: $SMALL × server list request"
	noise ssv "$SMALL small: server list"
	noise socat_spawn "$SMALL socat start-ups"
	echo
	for p in "sv:server list (big fleet)" "dump:dump (big fleet)" \
		"wall:server set srv_shared weight 50 (big fleet)" "ssv:server list ($SMALL small instances)"; do
		echo "Profile of \`${p#*:}\`:"
		echo
		echo '```'
		cat "$WORK/${p%%:*}.prof"
		echo '```'
		echo
	done
	echo "<!-- bench:results:end -->"
} >"$REPORT"

cat "$REPORT"

if [ "$WRITE" = 1 ]; then
	md=$ROOT/BENCHMARKS.md
	if [ -f "$md" ] && grep -q '^<!-- bench:results:begin' "$md" && grep -q '^<!-- bench:results:end' "$md"; then
		awk -v rep="$REPORT" '
			/^<!-- bench:results:begin/ { while ((getline l < rep) > 0) print l; skip = 1; next }
			/^<!-- bench:results:end/ { skip = 0; next }
			!skip { print }' "$md" >"$md.tmp" && mv "$md.tmp" "$md"
	else
		{ [ -f "$md" ] && cat "$md" && echo; cat "$REPORT"; } >"$md.tmp" && mv "$md.tmp" "$md"
	fi
	bench_log "results written to BENCHMARKS.md"
fi
