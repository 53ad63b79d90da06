#!/usr/bin/env bash
# test_exporter.sh - "haproxyadmin exporter": the merged fleet scraped by a
# real Prometheus server (Debian's prometheus, on loopback, its own config
# and data in the fleet's temp dir, stopped by pid), the text checked by
# promtool, the sums compared with each instance's own socket, and summed
# counters that do not go backwards when an instance stops and restarts.
set -u
. "$(dirname "$0")/lib.sh"

for p in prometheus promtool curl jq; do
	command -v "$p" >/dev/null || bail_out "$p is not installed (scripts/deps.sh)"
done

fleet_up 3
S=$FLEET_SOCK_DIR
D=$FLEET_DIR
fleet_traffic "$D" 5 >/dev/null

# free_port BASE: a TCP port nothing listens on
free_port() {
	local p=$1
	while fleet__port_used "$p"; do p=$((p + 1)); done
	echo "$p"
}

# sock_sum PX SV COL: the sum of a show stat field over every instance, by socat
sock_sum() {
	local i v sum=0 x
	for i in $(seq 1 "$FLEET_N"); do
		v=FLEET_ADMIN_SOCK_$i
		x=$(stat_field "${!v}" "$1" "$2" "$3")
		sum=$((sum + ${x:-0}))
	done
	echo "$sum"
}

# metric TEXT SERIES: the value of one exact series line
metric() {
	awk -v s="$2" 'index($0, s " ") == 1 { print substr($0, length(s) + 2) }' <<<"$1"
}

# ---------------------------------------------------------------- print once
hap_cli -s "$S" -o prometheus exporter
is "$HAP_RC" 0 "-o prometheus exporter exits 0"
printf '%s\n' "$HAP_OUT" >"$D/once.prom"
out=$(promtool check metrics <"$D/once.prom" 2>&1)
is "$?" 0 "promtool check metrics accepts the text"
[ -z "$out" ] || diag "$out"
like "$HAP_OUT" $'\n# TYPE haproxy_server_current_sessions gauge\n' "current_sessions is a gauge"
like "$HAP_OUT" $'\n# TYPE haproxy_backend_http_responses_total counter\n' \
	"http_responses_total is a counter (HAProxy's nature C)"
like "$HAP_OUT" $'\n# TYPE haproxy_server_max_sessions gauge\n' "a maximum is a gauge"
like "$HAP_OUT" 'haproxy_backend_http_responses_total\{proxy="backend_all",code="2xx"\} ' \
	"labels proxy and code, as HAProxy's exporter names them"
like "$HAP_OUT" 'haproxy_server_current_sessions\{proxy="backend_all",server="bck_all_srv1"\} ' \
	"servers carry proxy and server labels"
n=$(grep -c '^haproxyadmin_instance_up{instance=".*"} 1$' <<<"$HAP_OUT")
is "$n" 3 "haproxyadmin_instance_up is 1 for each of the 3 instances"
want=$(sock_sum backend_all BACKEND stot)
is "$(metric "$HAP_OUT" 'haproxy_backend_sessions_total{proxy="backend_all"}')" "$want" \
	"backend_all sessions_total is the sum of the sockets' stot ($want)"
want2=$(sock_sum frontend_all FRONTEND hrsp_2xx)
is "$(metric "$HAP_OUT" 'haproxy_frontend_http_responses_total{proxy="frontend_all",code="2xx"}')" \
	"$want2" "frontend_all 2xx responses are the sum of the sockets' hrsp_2xx ($want2)"
ok "$([ "$want2" -gt 0 ] && echo 0 || echo 1)" "the traffic made 2xx responses to count ($want2)"

hap_cli -s "$S" -o prometheus exporter --per-instance
is "$HAP_RC" 0 "--per-instance exits 0"
per=$(grep '^haproxy_backend_sessions_total{proxy="backend_all",instance=' <<<"$HAP_OUT" |
	awk '{ s += $2; n++ } END { print n " " s }')
is "$per" "3 $want" "--per-instance: one series per instance, summing to the sockets' stot"
hap_cli -s "$S" -o prometheus dump
like "$HAP_OUT" 'haproxy_backend_sessions_total' "dump -o prometheus prints the same text"
hap_cli -s "$S" -o prometheus server list
is "$HAP_RC" 2 "-o prometheus on a table command is a usage error"
hap_cli -s "$S" exporter --listen nowhere
is "$HAP_RC" 2 "--listen without a port is a usage error"

# ---------------------------------------------------------------- the server
EP=$(free_port 19100)
spawn "$HAPROXYADMIN" -s "$S" -t 2 exporter --listen "127.0.0.1:$EP"
EXP_PID=$BG_PID
for _ in $(seq 1 50); do fleet__port_listening "$EP" && break; sleep 0.1; done
code=$(curl -s -o "$D/scrape.prom" -w '%{http_code}' "http://127.0.0.1:$EP/metrics")
is "$code" 200 "GET /metrics answers 200"
out=$(promtool check metrics <"$D/scrape.prom" 2>&1)
is "$?" 0 "promtool check metrics accepts the served text"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$EP/nothing")" 404 "other paths: 404"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$EP/metrics")" 405 \
	"POST: 405"
t0=$(date +%s%N)
curl -s -o /dev/null "http://127.0.0.1:$EP/metrics"
t1=$(date +%s%N)
diag "one scrape of 3 instances: $(((t1 - t0) / 1000000)) ms"

# The scraper's timeout bounds a scrape: an instance that never answers
# (-t 10) does not hold the answer past X-Prometheus-Scrape-Timeout-Seconds.
. "$HAP_SRCDIR/tests/fleet/fake.sh"
echo "admin" >"$D/silent.reply"
fake_start "$D/silent.sock" "$D/silent.reply" 30
EP2=$(free_port $((EP + 1)))
spawn "$HAPROXYADMIN" -s "$S" -s "$D/silent.sock" -t 10 exporter --listen "127.0.0.1:$EP2"
EXP2_PID=$BG_PID
for _ in $(seq 1 50); do fleet__port_listening "$EP2" && break; sleep 0.1; done
t0=$(date +%s%N)
txt=$(curl -s -m 15 -H 'X-Prometheus-Scrape-Timeout-Seconds: 1' "http://127.0.0.1:$EP2/metrics")
ms=$((($(date +%s%N) - t0) / 1000000))
ok "$([ "$ms" -lt 2500 ] && echo 0 || echo 1)" "a silent instance: the scrape ends within the scraper's 1 s timeout ($ms ms, -t 10)"
like "$txt" 'haproxyadmin_instance_up\{instance="[^"]*silent.sock"\} 0' "... with the silent instance down"
is "$(grep -c '^haproxyadmin_instance_up{.*} 1$' <<<"$txt")" 3 "... and the others up"
kill "$EXP2_PID"
fake_stop_all

# ---------------------------------------------------------------- Prometheus
PP=$(free_port $((EP + 1)))
mkdir -p "$D/prom-data"
cat >"$D/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: haproxyadmin
    static_configs:
      - targets: ['127.0.0.1:$EP']
EOF
# started on a free port and waited for until ready; a port taken meanwhile
# by someone else (it exits at once) is tried again on the next one
for _ in 1 2 3; do
	spawn prometheus --config.file="$D/prometheus.yml" --storage.tsdb.path="$D/prom-data" \
		--web.listen-address="127.0.0.1:$PP" --log.level=warn
	PROM_PID=$BG_PID
	for _ in $(seq 1 120); do
		curl -sf "http://127.0.0.1:$PP/-/ready" >/dev/null 2>&1 && break
		alive "$PROM_PID" || break
		sleep 0.25
	done
	alive "$PROM_PID" && break
	PP=$(free_port $((PP + 1)))
done
ok "$(curl -sf "http://127.0.0.1:$PP/-/ready" >/dev/null 2>&1 && echo 0 || echo 1)" \
	"Prometheus is up on 127.0.0.1:$PP"
# q QUERY: the value of the first sample of an instant query
q() {
	curl -s "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}
# wait_q QUERY WANT: poll (at most 30 s) until the query returns WANT
wait_q() {
	local got="" k
	for k in $(seq 1 60); do
		got=$(q "$1")
		[ "$got" = "$2" ] && break
		sleep 0.5
	done
	echo "$got"
}
is "$(wait_q 'up{job="haproxyadmin"}' 1)" 1 "Prometheus scrapes the exporter: up == 1"
is "$(wait_q 'count(haproxyadmin_instance_up == 1)' 3)" 3 \
	"Prometheus sees haproxyadmin_instance_up == 1 for 3 instances"
fleet_traffic "$D" 3 >/dev/null
want=$(sock_sum backend_all BACKEND stot)
is "$(wait_q 'haproxy_backend_sessions_total{proxy="backend_all"}' "$want")" "$want" \
	"Prometheus: backend_all sessions_total equals the sum over the sockets ($want)"
want2=$(sock_sum frontend_all FRONTEND hrsp_2xx)
is "$(wait_q 'sum(haproxy_frontend_http_responses_total{proxy="frontend_all",code="2xx"})' "$want2")" \
	"$want2" "Prometheus: frontend_all 2xx equals the sum over the sockets ($want2)"
is "$(q 'count(count by (__name__) ({__name__=~"haproxy_server_.*"}))' | awk '{ print ($1 > 20) }')" 1 \
	"Prometheus holds more than 20 server metric families"

# ---------------------------------------------------------------- restarts
# Instance 1 stops: its last values stay in the sums (no drop), up becomes 0.
before=$(metric "$(curl -s "http://127.0.0.1:$EP/metrics")" \
	'haproxy_frontend_http_responses_total{proxy="frontend_all",code="2xx"}')
kill "$FLEET_PID_1"
for _ in $(seq 1 50); do alive "$FLEET_PID_1" || break; sleep 0.1; done
txt=$(curl -s "http://127.0.0.1:$EP/metrics")
like "$txt" 'haproxyadmin_instance_up\{instance="[^"]*admin1.sock"\} 0' \
	"a stopped instance: haproxyadmin_instance_up 0"
is "$(metric "$txt" 'haproxy_frontend_http_responses_total{proxy="frontend_all",code="2xx"}')" \
	"$before" "a stopped instance: its last counter values stay in the sum ($before)"
hap_cli -s "$S" -o prometheus exporter
is "$HAP_RC" 1 "-o prometheus with an instance down: exit 1"
like "$HAP_ERR" "admin1.sock" "... naming the instance on stderr"
like "$HAP_OUT" 'haproxyadmin_instance_up\{instance="[^"]*admin1.sock"\} 0' "... and the text is printed"
# It restarts with counters at 0: the sum goes on from where it was.
fleet__launch "$D" 1 >/dev/null 2>&1
for _ in $(seq 1 50); do hap_sock "$FLEET_ADMIN_SOCK_1" 'show info' | grep -q '^Pid:' && break; sleep 0.1; done
is "$(stat_field "$FLEET_ADMIN_SOCK_1" frontend_all FRONTEND hrsp_2xx)" 0 \
	"the restarted instance counts from 0"
txt=$(curl -s "http://127.0.0.1:$EP/metrics")
is "$(metric "$txt" 'haproxy_frontend_http_responses_total{proxy="frontend_all",code="2xx"}')" \
	"$before" "after the restart the sum has not gone backwards ($before)"
fleet_traffic "$D" 2 >/dev/null
txt=$(curl -s "http://127.0.0.1:$EP/metrics")
got=$(metric "$txt" 'haproxy_frontend_http_responses_total{proxy="frontend_all",code="2xx"}')
ok "$([ "$got" -gt "$before" ] && echo 0 || echo 1)" \
	"new traffic adds to the carried sum ($before -> $got)"
is "$(wait_q 'resets(haproxy_frontend_http_responses_total{proxy="frontend_all",code="2xx"}[5m])' 0)" 0 \
	"Prometheus saw no counter reset through the stop and restart"

kill "$EXP_PID"
for _ in $(seq 1 50); do alive "$EXP_PID" || break; sleep 0.1; done
ok "$(alive "$EXP_PID" && echo 1 || echo 0)" "the exporter stops on SIGTERM"
kill "$PROM_PID"
for _ in $(seq 1 100); do alive "$PROM_PID" || break; sleep 0.1; done
done_testing
