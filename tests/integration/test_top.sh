#!/usr/bin/env bash
# test_top.sh - `haproxyadmin top` driven as a person would, in a private
# tmux server of a fixed size: keys with send-keys, the screen read back
# with capture-pane (bounded polls), every change read back from each
# instance's own socket.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || {
	echo "1..0 # SKIP tmux is missing (scripts/deps.sh)"
	exit 0
}

TMUX_NAME="haptop-$$-$RANDOM"
# the server's socket goes in the first fleet's directory (removed at exit)
TM=(env TMUX_TMPDIR="${TMPDIR:-/tmp}" tmux -L "$TMUX_NAME" -f /dev/null)
PANE=top:0

# screen: the visible text of the pane
screen() { "${TM[@]}" capture-pane -p -t "$PANE" 2>/dev/null; }

# wait_screen REGEX [SECONDS]: poll the screen until a line matches (0) or
# the time is up (1); the last screen is in $SCREEN.
wait_screen() {
	local re=$1 limit=${2:-10} end
	end=$((SECONDS + limit))
	while :; do
		SCREEN=$(screen)
		grep -Eq -- "$re" <<<"$SCREEN" && return 0
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# check_screen REGEX DESC [SECONDS]
check_screen() {
	if wait_screen "$1" "${3:-10}"; then
		pass "$2"
	else
		fail "$2"
		diag "waited for /$1/; the screen was:"
		diag "$(sed 's/^/    /' <<<"$SCREEN")"
	fi
}

keys() { "${TM[@]}" send-keys -t "$PANE" "$@"; }

# start_top ARGS...: top in a fresh pane (200x50), after a marker line; the
# pane keeps a shell-like prompt after it exits so the restore can be seen.
start_top() {
	local cmd q a
	cmd="printf 'before-top\\n';"
	q=""
	for a in "$HAPROXYADMIN" "$@"; do q="$q '${a//\'/\'\\\'\'}'"; done
	cmd="$cmd$q; echo \"top-exit=\$?\"; printf 'prompt$ '; exec sleep 600"
	tmux_server
	"${TM[@]}" kill-session -t top 2>/dev/null
	"${TM[@]}" new-session -d -s top -x 200 -y 50 "$cmd" || bail_out "tmux did not start"
}

# tmux_server: the private server, started once with an idle session that
# keeps it alive between top sessions; its pid is killed at exit
tmux_server() {
	[ -n "${TMUX_PID:-}" ] && return
	"${TM[@]}" new-session -d -s hold -x 200 -y 50 "exec sleep 3600" || bail_out "tmux did not start"
	TMUX_PID=$("${TM[@]}" display-message -p -t hold '#{pid}')
	TAP_BG_PIDS="$TAP_BG_PIDS $TMUX_PID"
}

admin_sock() { local v=FLEET_ADMIN_SOCK_$1; printf '%s\n' "${!v}"; }

alt_screen() { "${TM[@]}" display-message -p -t "$PANE" '#{alternate_on}'; }

# the table's first row (screen line 3)
first_row() { sed -n 3p <<<"$(screen)"; }

# only top draws a screen: it opens ncurses itself (cli/top_curses.c), every
# other command starts without loading it (the start of a one-server write)
if LD_TRACE_LOADED_OBJECTS=1 "$HAPROXYADMIN" 2>&1 | grep -Eq 'lib(ncurses|tinfo)'; then
	fail "the binary does not load ncurses at start"
	diag "$(LD_TRACE_LOADED_OBJECTS=1 "$HAPROXYADMIN" 2>&1)"
else
	pass "the binary does not load ncurses at start"
fi

fleet_up 3
TM=(env TMUX_TMPDIR="$FLEET_DIR" tmux -L "$TMUX_NAME" -f /dev/null)

# ---------------------------------------------------------------- rows, views
start_top -s "$FLEET_SOCK_DIR" top --interval 0.5
check_screen 'instances: 3 ok' "top shows the fleet: 3 instances answer"
is "$(alt_screen)" 1 "top runs on the alternate screen"
check_screen 'be backend_proc1 ' "a backend held by instance 1 only is shown"
check_screen 'be backend_proc2 ' "a backend held by instance 2 only is shown"
check_screen 'be backend1_proc34 ' "a backend held by instance 3 only is shown"
check_screen 'backend_all/srv_all1 .* 3$' "a server on every instance is one merged row held by 3"
keys 4
for i in 1 2 3; do
	check_screen "admin$i\\.sock +ok +lab-inst$i " "instances view: instance $i (node lab-inst$i) is ok"
done
keys 2
check_screen 'IN/s .*REQ/s' "traffic view: rates from counter deltas"
# rates: requests per second from the counters of two reads, while traffic flows
spawn fleet_traffic_loop "$FLEET_DIR" 10 6
rate=""
for _ in $(seq 60); do
	rate=$(screen | awk '$1 == "fe" && $2 == "frontend_all" { print $(NF - 2) }')
	awk -v r="$rate" 'BEGIN { exit !(r + 0 > 0) }' && break
	sleep 0.1
done
ok "$(awk -v r="$rate" 'BEGIN { print !(r + 0 > 0) }')" "traffic view: frontend_all shows requests per second while traffic flows ($rate)"
unlike "$(screen)" ' -[0-9]' "no negative number on the traffic view"
keys 3
check_screen '2xx .*5xx .*REDISP' "HTTP view: responses by class"
check_screen 'fe frontend_all +[1-9][0-9]* +0 +[1-9]' "HTTP view: frontend_all counts requests and 2xx"
keys 1

# colours: on a terminal that has them, and never with NO_COLOR
like "$("${TM[@]}" capture-pane -e -p -t "$PANE")" $'\e\\[[0-9;]*3[0-7]' "colours on a colour terminal"

# ---------------------------------------------------------------- resize
"${TM[@]}" resize-window -t top -x 120 -y 30
check_screen '^1-4 views' "after a resize the help line is drawn again"
lines=$(screen | wc -l)
help_at=$(screen | grep -n '^1-4 views' | cut -d: -f1)
is "$help_at" "$lines" "the help line is the last line of the resized screen ($lines lines)"
"${TM[@]}" resize-window -t top -x 200 -y 50
check_screen 'backend_all/srv_all1 .* 3$' "back to the full size"

# ---------------------------------------------------------------- Enter expands
keys / srv_all1 Enter
check_screen 'filter: srv_all1' "the filter is shown in the header"
keys g Enter
check_screen '@ .*admin3\.sock' "Enter expands the merged row into one row per instance"
n=$(grep -c '@ .*admin[123]\.sock' <<<"$SCREEN")
is "$n" 3 "one row per instance holding the server"
keys Enter

# ---------------------------------------------------------------- filter
keys / member Enter
check_screen 'filter: member' "filter typed with /"
if grep -q 'slow1' <<<"$SCREEN"; then fail "the filter hides other rows"; else pass "the filter hides other rows"; fi
like "$SCREEN" 'backend_proc2/member4_proc2' "the filter keeps matching servers"
keys / Escape
wait_screen 'backend_slow/slow1' 5
like "$SCREEN" 'backend_slow/slow1' "Escape clears the filter"
unlike "$(sed -n 1p <<<"$SCREEN")" 'filter:' "no filter in the header after Escape"

# ---------------------------------------------------------------- sort
keys s s
check_screen 'WEIGHT\^' "s moves the sort to the next column (WEIGHT)"
keys S
check_screen 'WEIGHTv' "S reverses the sort"
r1=$(first_row)
like "$r1" 'be backend2_proc34 .* 102 ' "reversed weight sort: the heaviest row first"
keys j
r2=$(sed -n 4p <<<"$(screen)")
like "$r2" 'be backend_proc1 .* 102 ' "reversed weight sort: then the next heaviest"
keys S
check_screen 'WEIGHT\^' "S again: ascending"
keys s s s s s s s s
check_screen '^NAME +STATUS +WEIGHT ' "back to the natural order"

# ---------------------------------------------------------------- drain from top
for i in 1 2 3; do
	is "$(stat_field "$(admin_sock $i)" backend_all srv_all1 status)" UP \
		"before: srv_all1 is UP on instance $i"
done
keys / srv_all1 Enter g d
check_screen 'drain backend_all/srv_all1 on 3 instances \(.*admin1\.sock.*admin2\.sock.*admin3\.sock\)\? \[y/N\]' \
	"d asks for a confirmation naming the 3 instances"
for i in 1 2 3; do
	is "$(stat_field "$(admin_sock $i)" backend_all srv_all1 status)" UP \
		"nothing sent before the confirmation (instance $i)"
done
keys y
check_screen 'drain backend_all/srv_all1:.*admin1\.sock applied.*admin2\.sock applied.*admin3\.sock applied' \
	"the result per instance is in the status line"
for i in 1 2 3; do
	is "$(stat_field "$(admin_sock $i)" backend_all srv_all1 status)" DRAIN \
		"drain reached instance $i (its own socket says DRAIN)"
done
check_screen 'backend_all/srv_all1 +DRAIN ' "the view shows DRAIN after the refresh"
keys r
check_screen 'ready backend_all/srv_all1 on 3 instances' "r asks for a confirmation"
keys n
check_screen 'cancelled: nothing was sent' "n cancels"
is "$(stat_field "$FLEET_ADMIN_SOCK_1" backend_all srv_all1 status)" DRAIN "a cancelled action sends nothing"

# weight on two tagged servers: space tags, w asks for the value
keys Escape / backend_all/srv_a Enter g
check_screen 'filter: backend_all/srv_a' "a filter BACKEND/SERVER"
# tmux may capture a frame half drawn (the header already filtered, the rows
# not yet): read the screen again, bounded, until it settles
for _ in $(seq 50); do
	n=$(sed 1d <<<"$SCREEN" | grep -c 'backend_all/srv_a')
	[ "$n" = 2 ] && break
	sleep 0.1
	SCREEN=$(screen)
done
is "$n" 2 "it keeps the servers of that backend whose names match (srv_agent, srv_all1)"
keys Space Space
check_screen '^\*  +backend_all/srv_agent' "space tags a server (marked *)"
keys w 3 Enter
check_screen 'set weight 2 servers to 3 on 3 instances' "w: the weight of the 2 tagged servers, confirmed first"
keys y
check_screen 'set weight 2 servers to 3:' "the weight result is in the status line"
for i in 1 2 3; do
	is "$(stat_field "$(admin_sock $i)" backend_all srv_agent weight) $(stat_field "$(admin_sock $i)" backend_all srv_all1 weight)" "3 3" \
		"weight 3 reached both servers on instance $i"
done
keys u

# ---------------------------------------------------------------- a killed instance
keys Escape 4
check_screen 'admin2\.sock +ok' "instance 2 is ok before the kill"
kill "$FLEET_PID_2"
check_screen 'admin2\.sock +dead: ' "the killed instance is shown dead" 15
kill -STOP "$FLEET_PID_3"
check_screen 'admin3\.sock +hung: ' "a stopped (hung) instance is shown hung" 15
kill -CONT "$FLEET_PID_3"
check_screen 'admin3\.sock +ok' "it is ok again once it answers" 15
like "$(sed -n 1p <<<"$SCREEN")" '2 ok, 1 down' "the header counts it down"
like "$SCREEN" 'admin2\.sock: dead' "the status line names it"
up1=$(grep 'admin1\.sock' <<<"$SCREEN" | awk '{ print $(NF-3) }')
sleep 2.2
wait_screen 'admin1\.sock +ok' 5
up2=$(grep 'admin1\.sock' <<<"$SCREEN" | awk '{ print $(NF-3) }')
isnt "$up2" "$up1" "the other instances keep refreshing (uptime $up1 -> $up2)"
like "$SCREEN" 'admin3\.sock +ok' "instance 3 still ok"

# ---------------------------------------------------------------- q restores the terminal
keys q
check_screen 'top-exit=0' "q quits with status 0"
is "$(alt_screen)" 0 "the alternate screen is left"
check_screen 'before-top' "the shell's screen is back"
like "$SCREEN" 'prompt\$' "the prompt is shown again"

# ---------------------------------------------------------------- read-only, Ctrl-C
start_top -s "$FLEET_SOCK_DIR" top --interval 0.5 --read-only
check_screen '\(read-only\)' "--read-only says so in the help line"
keys / srv_all1 Enter g r
check_screen 'read-only: actions are disabled' "--read-only refuses actions"
is "$(stat_field "$FLEET_ADMIN_SOCK_1" backend_all srv_all1 status)" DRAIN "read-only sends nothing"
keys C-c
check_screen 'top-exit=130' "Ctrl-C ends top (status 130)"
is "$(alt_screen)" 0 "Ctrl-C leaves the alternate screen"

# NO_COLOR: the same screen without colours; -b: one backend only
start_top -s "$FLEET_SOCK_DIR" top --interval 0.5 -b backend_all
"${TM[@]}" kill-session -t top 2>/dev/null
"${TM[@]}" new-session -d -s top -x 200 -y 50 \
	"NO_COLOR=1 '$HAPROXYADMIN' -s '$FLEET_SOCK_DIR' top --interval 0.5 -b backend_all; exec sleep 600"
check_screen 'instances: 2 ok, 1 down  rows: 6/6' "-b backend_all: the backend and its 5 servers only"
unlike "$("${TM[@]}" capture-pane -e -p -t "$PANE")" $'\e\\[[0-9;]*3[0-7]m' "NO_COLOR: no colour"
like "$("${TM[@]}" capture-pane -e -p -t "$PANE")" $'\e\\[[0-9;]*7m' "NO_COLOR: reverse video still marks the cursor"
keys q

# bad input: one line, exit 2, no screen
hap_cli -s "$FLEET_SOCK_DIR" top --interval 0
is "$HAP_RC" 2 "--interval 0 is a usage error"
like "$HAP_ERR" 'interval' "the message names --interval"

# ---------------------------------------------------------------- a reload: old workers
fleet_down
fleet_up 2 --master
start_top -s "master:$FLEET_MASTER_SOCK_1" -s "master:$FLEET_MASTER_SOCK_2" top --interval 0.5
check_screen 'instances: 2 ok ' "master endpoints: 2 workers"
spawn fleet_hold "$FLEET_DIR" 1
for _ in $(seq 50); do
	[ "$(stat_field "$FLEET_ADMIN_SOCK_1" backend_slow slow1 scur)" = 1 ] && break
	sleep 0.1
done
is "$(stat_field "$FLEET_ADMIN_SOCK_1" backend_slow slow1 scur)" 1 "a session is held on worker 1"
kill -USR2 "$FLEET_MASTER_PID_1"
check_screen 'instances: 2 ok, 1 old' "after the reload the header counts the old worker" 15
keys 4
check_screen "@!$FLEET_PID_1 +old worker" "the old worker is marked old on the instances view"
check_screen 'master1\.sock @![0-9]+ +ok ' "the new worker appears"
keys 1 / slow1 Enter
check_screen 'backend_slow/slow1 .* 1 +1 +- .* 3$' "the old worker's session is counted (cur 1, 3 instances)"
keys g Enter
check_screen "@!$FLEET_PID_1 \\(old\\) .* 1 +1 +- .* old$" "expanded: the old worker's row holds the session"
keys q
check_screen 'top-exit=0' "q quits"

# ---------------------------------------------------------------- 20,000 servers
fleet_down
fleet_up 2 --big 2000 10
last=$(for b in $(seq 2000); do echo "bk_$b"; done | LC_ALL=C sort | tail -n 1)
last_sv="$last/srv_${last#bk_}_10"
start_top -s "$FLEET_SOCK_DIR" top --interval 1
check_screen 'instances: 2 ok  rows: [0-9]+/' "the 20,000-server fleet is read from 2 instances" 30
rows=$(sed -n 's/.*rows: [0-9]*\/\([0-9]*\).*/\1/p' <<<"$SCREEN" | head -n 1)
[ "${rows:-0}" -ge 22001 ]
ok $? "20,000 servers and 2,000 backends are rows ($rows)"
keys G
check_screen "$last_sv " "End (G) reaches the last server ($last_sv)" 5
keys g
check_screen ' fe fe_big ' "Home (g) goes back to the first row" 5
keys End
check_screen "$last_sv " "End reaches the last server again" 5
keys q
check_screen 'top-exit=0' "q quits"

"${TM[@]}" kill-server 2>/dev/null
done_testing
