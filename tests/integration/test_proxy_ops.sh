#!/usr/bin/env bash
# test_proxy_ops.sh - frontend and process-wide changes on a real
# 4-instance fleet, each outcome read back from every instance's own socket.
set -u
. "$(dirname "$0")/lib.sh"

fleet_up 4
S=$FLEET_SOCK_DIR
J() { jq -r "$@"; }
each_stat() { # PX SV COL: the field on every instance holding it, space separated
	local i v out=""
	for i in 1 2 3 4; do
		v=FLEET_ADMIN_SOCK_$i
		out="$out $(stat_field "${!v}" "$1" "$2" "$3")"
	done
	echo $out
}
each_info() { # KEY
	local i v out=""
	for i in 1 2 3 4; do
		v=FLEET_ADMIN_SOCK_$i
		out="$out $(hap_sock "${!v}" 'show info' | sed -n "s/^$1: //p")"
	done
	echo $out
}

# ------------------------------------------------------------------ frontends
hap_cli -s "$S" -y frontend disable frontend_all
is "$HAP_RC" 0 "frontend disable exits 0"
is "$(each_stat frontend_all FRONTEND status)" "PAUSED PAUSED PAUSED PAUSED" "PAUSED on every instance"
like "$HAP_OUT" 'frontend_all +.*admin4.sock +applied +OPEN +PAUSED' "before and after shown"
hap_cli -s "$S" -y frontend disable frontend_all
is "$HAP_RC" 0 "disabling a disabled frontend is applied, not an error"
like "$HAP_OUT" 'All sockets are already disabled.' "HAProxy's words are shown"
hap_cli -s "$S" frontend enable frontend_all
is "$(each_stat frontend_all FRONTEND status)" "OPEN OPEN OPEN OPEN" "enable: OPEN everywhere"
hap_cli -s "$S" frontend disable frontend_proc1 frontend_proc2
is "$HAP_RC" 2 "disabling two frontends without a terminal needs --yes"
expect_all_holders -n 1 frontend frontend_proc1 status OPEN "nothing was changed (frontend_proc1)"
expect_all_holders -n 1 frontend frontend_proc2 status OPEN "nothing was changed (frontend_proc2)"
hap_cli -s "$S" -y frontend disable frontend_proc1 frontend_proc2
is "$HAP_RC" 0 "with --yes both are disabled"
expect_all_holders -n 1 frontend frontend_proc1 status PAUSED "frontend_proc1 PAUSED on its only holder"
expect_all_holders -n 1 frontend frontend_proc2 status PAUSED "frontend_proc2 PAUSED on its only holder"
hap_cli -s "$S" -y frontend enable frontend_proc1 frontend_proc2
is "$HAP_RC" 0 "enabling both frontends exits 0"
expect_all_holders -n 1 frontend frontend_proc1 status OPEN "frontend_proc1 OPEN again on its holder"
expect_all_holders -n 1 frontend frontend_proc2 status OPEN "frontend_proc2 OPEN again on its holder"
hap_cli -s "$S" frontend set frontend_all maxconn 321
is "$(each_stat frontend_all FRONTEND slim)" "321 321 321 321" "frontend maxconn set everywhere"
hap_cli -s "$S" frontend set frontend_all maxconn abc
is "$HAP_RC" 2 "maxconn abc refused before sending (HAProxy would take it as 0)"
is "$(each_stat frontend_all FRONTEND slim)" "321 321 321 321" "unchanged"
hap_cli -s "$S" frontend disable 'frontend_all;shutdown frontend x'
is "$HAP_RC" 2 "a name with ';' is refused"
hap_cli -s "$S" frontend disable nosuch
is "$HAP_RC" 4 "unknown frontend: exit 4"
hap_cli -s "$S" -n frontend shutdown frontend2_proc34
is "$(grep -c 'shutdown frontend frontend2_proc34' <<<"$HAP_OUT")" 2 "dry run prints the command for both holders"
expect_all_holders -n 2 frontend frontend2_proc34 status OPEN "dry run sent nothing (OPEN on instances 3 and 4)"
hap_cli -s "$S" -y frontend shutdown frontend2_proc34
is "$HAP_RC" 0 "shutdown exits 0"
like "$HAP_ERR" 'stays listed as STOP and cannot be enabled again' "shutdown says it is final"
expect_all_holders -n 2 frontend frontend2_proc34 status STOP "still listed, as STOP, on instances 3 and 4"
hap_cli -s "$S" frontend enable frontend2_proc34
is "$HAP_RC" 1 "enabling a shut down frontend is refused"
like "$HAP_ERR" 'admin3.sock: frontend2_proc34: refused: Frontend was previously shut down, cannot enable.' \
	"HAProxy's refusal verbatim, naming the instance"
hap_cli -s "$S" -y frontend shutdown frontend2_proc34
is "$HAP_RC" 0 "a second shutdown is applied (already shut down)"
expect_all_holders -n 2 frontend frontend2_proc34 status STOP "... and both holders still list it as STOP"
hap_cli -s "$FLEET_USER_SOCK_1" frontend disable frontend_all
is "$HAP_RC" 1 "a user-level socket cannot disable"
like "$HAP_OUT" 'denied' "reported as denied"
like "$HAP_ERR" "user1.sock: frontend_all: denied: socket level 'user' is too low" "naming the level"
expect_all_holders -n 4 frontend frontend_all status OPEN "and nothing was changed on any instance"

# ------------------------------------------------------------------ global
hap_cli -s "$S" haproxy set maxconn 3000
is "$HAP_RC" 0 "haproxy set maxconn exits 0"
is "$(each_info Maxconn)" "3000 3000 3000 3000" "Maxconn 3000 on every instance"
hap_cli -s "$S" -o json info
is "$(J '.aggregate.Maxconn' <<<"$HAP_OUT")" 12000 "info reads it back (sum 12000)"
hap_cli -s "$S" haproxy set maxconn 99999999
is "$HAP_RC" 1 "above Hard_maxconn: refused by HAProxy"
like "$HAP_ERR" 'Value out of range.' "with its words"
expect_all_holders -n 4 info - Maxconn 3000 "the refused maxconn left Maxconn 3000 on every instance"
for rl in connections:ConnRateLimit sessions:SessRateLimit ssl-sessions:SslRateLimit; do
	hap_cli -s "$S" haproxy set rate-limit "${rl%%:*}" 77
	is "$(each_info "${rl#*:}")" "77 77 77 77" "rate-limit ${rl%%:*} read back as ${rl#*:}"
done
hap_cli -s "$S" haproxy set rate-limit http-compression 10
is "$(each_info CompressBpsRateLim)" "10240 10240 10240 10240" "http-compression in kB/s (x1024)"
hap_cli -s "$S" haproxy set rate-limit sessions abc
is "$HAP_RC" 2 "rate-limit abc refused (HAProxy would take 0)"
is "$(each_info SessRateLimit)" "77 77 77 77" "unchanged"
hap_cli -s "$S" haproxy set rate-limit bogus 1
is "$HAP_RC" 2 "unknown rate limit: exit 2"

# requests to frontend_all only (frontend2_proc34 was shut down above)
for i in 1 2 3 4; do
	v=FLEET_PORT_frontend_all_$i
	timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/${!v}; printf 'GET / HTTP/1.0\r\n\r\n' >&3; cat <&3" >/dev/null 2>&1
done
before=$(stat_field "$FLEET_ADMIN_SOCK_1" frontend_all FRONTEND stot)
ok "$([ "${before:-0}" -gt 0 ] && echo 0 || echo 1)" "traffic reached frontend_all ($before sessions)"
hap_cli -s "$S" haproxy clear-counters
is "$HAP_RC" 2 "clear-counters on 4 instances needs --yes without a terminal"
hap_cli -s "$S" -y haproxy clear-counters --all
is "$HAP_RC" 0 "clear-counters --all exits 0"
expect_all_holders -n 4 frontend frontend_all stot 0 "every counter reset on every instance (stot was $before)"
expect_all_holders -n 4 frontend frontend_all smax 0 "... max counters too (--all)"
timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$FLEET_PORT_frontend_all_1; printf 'GET / HTTP/1.0\r\n\r\n' >&3; cat <&3" >/dev/null 2>&1
expect_all_holders -i 1 frontend frontend_all stot 1 "one more request on instance 1 (stot 1)"
# smax counts connections at once, a check of a lab server landing with the
# request can make it 2: what the next step needs is that it is not 0
expect_all_holders -i 1 frontend frontend_all smax '~^[1-9][0-9]*$' "... smax at least 1"
hap_cli -s "$FLEET_OPERATOR_SOCK_1" -y haproxy clear-counters
is "$HAP_RC" 0 "clear-counters works through an operator socket"
expect_all_holders -i 1 frontend frontend_all smax 0 "... instance 1's max counters are reset (smax 0)"
expect_all_holders -i 1 frontend frontend_all stot 1 "... its other counters kept (no --all: stot 1)"
hap_cli -s "$FLEET_OPERATOR_SOCK_1" -y haproxy clear-counters --all
is "$HAP_RC" 1 "clear-counters --all is denied at level operator"
like "$HAP_ERR" "needs 'admin'" "the message says the level needed"

hap_cli -s "$S" haproxy errors
is "$HAP_RC" 0 "haproxy errors exits 0"
is "$(grep -c '^==> ' <<<"$HAP_OUT")" 4 "one section per instance"
like "$HAP_OUT" 'Total events captured' "HAProxy's own report"
hap_cli -s "$S" -o json haproxy exec 'show servers state backend_slow'
is "$(J 'length' <<<"$HAP_OUT")" 4 "exec: one reply per instance"
like "$(J '.[0].output' <<<"$HAP_OUT")" 'slow1' "exec output is the raw reply"
hap_cli -s "$S" haproxy exec $'show info\nshutdown frontend frontend_all'
is "$HAP_RC" 2 "exec refuses a second line"
hap_cli -s "$S" haproxy exec 'show' 'info'
is "$HAP_RC" 2 "exec takes the command as one argument"

done_testing
