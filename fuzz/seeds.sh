#!/usr/bin/env bash
# fuzz/seeds.sh - (re)make fuzz/corpus/<target>/ from the replies captured
# from HAProxy 2.6 in tests/data/2.6 and tests/data/ref. Run by hand when the
# captures change; the corpus is checked in (a few hundred KB at most).
set -euo pipefail
cd "$(dirname "$0")/.."
D=tests/data/2.6
R=tests/data/ref
C=fuzz/corpus

rm -rf "$C"
mkdir -p "$C"/{info,stat,proc,pattern,command,reply,frame}

cp "$D"/show-info.inst1.txt "$D"/show-info.inst3.txt "$D"/show-info.rate-limits.txt \
	"$D"/show-info-typed.txt "$D"/master-show-info.txt "$D"/master-old-worker-show-info.txt \
	"$C/info/"
cp "$R/show-info.txt" "$C/info/ref-show-info.txt"

cp "$D"/show-stat.inst1.txt "$D"/show-stat.inst3.txt "$D"/show-stat.agent-down.txt \
	"$D"/show-stat-servers.txt "$D"/show-stat.after-shutdown.inst4.txt "$D"/show-stat.user.txt \
	"$D"/show-stat.no-such-proxy.txt "$D"/master-old-worker-show-stat-frontends.txt \
	"$C/stat/"
cp "$R/show-stat.csv" "$C/stat/ref-show-stat.csv"

cp "$D"/show-proc.txt "$D"/show-proc.old-worker.txt "$C/proc/"
cp "$R/show-proc-failed.txt" "$C/proc/ref-show-proc-failed.txt"

# fuzz_pattern: first byte 0 = list of references, 1 = ACL entries, 2 = map entries
pat() { { printf "\\x$1"; cat "$2"; } >"$C/pattern/$3"; }
for f in "$D"/show-acl.inst1.txt "$D"/show-acl.inst2.txt "$D"/show-map.inst1.txt \
	"$D"/show-map.inst2.txt "$D"/show-acl.unknown-id.txt "$R"/show-acl.txt "$R"/show-map.txt; do
	pat 00 "$f" "refs-$(basename "$f")"
done
for f in "$D"/show-acl-file.txt "$D"/show-acl-file.after-add.txt "$R"/show-acl-entries.txt; do
	pat 01 "$f" "acl-$(basename "$f")"
done
for f in "$D"/show-map-file.txt "$D"/show-map-file.after-add.txt "$D"/show-map-file.vm1.txt \
	"$R"/show-map-entries.txt; do
	pat 02 "$f" "map-$(basename "$f")"
done

# fuzz_command: a mode byte (bit 0: names verbatim), then NUL-separated words
cmd() { printf "$2" >"$C/command/$1"; }
cmd weight '\000weight\000backend_all/bck_all_srv1\00050%%'
cmd names '\001server\000backend_all/srv_all1\000state\000drain'
cmd map-semicolon '\000map\000/run/haproxy/maps/h2b.map\000a;b\000v\\w'
cmd blanks '\000add\000acl\000f.acl\000two words\000tab\there'
cmd payload '\000add\000map\000f.map\000key<<'
cmd newline '\000add\000map\000f.map\000a\nset weight b/s 0'
cmd cr '\001server\000bad\rname\000x'
cmd hash-at '\000map\000@1\000#0\000-\000\\\\\\;;'
cmd nonascii '\001name\000caf\303\251\000\377\001'

# fuzz_reply: byte 0 = what was asked (HAP_SNAP_* bits), byte 1 = instances left
# out of aggregates, then each instance's whole reply, separated by "\n@@@\n"
rep() { # rep NAME WHAT LEVELFILE ACLFILE MAPFILE STATFILE [INFO...]
	local name=$1 what=$2 level=$3 acl=$4 map=$5 stat=$6
	shift 6
	{
		printf "\\x$what\\x00"
		local first=1 info
		for info in "$@"; do
			[ "$first" = 1 ] || printf '\n@@@\n'
			first=0
			cat "$level" "$info"
			[ "$acl" = - ] || cat "$acl"
			[ "$map" = - ] || cat "$map"
			[ "$stat" = - ] || cat "$stat"
		done
	} >"$C/reply/$name"
}
rep servers-2inst 04 "$D/show-cli-level.admin.txt" - - "$D/show-stat-servers.txt" \
	"$D/show-info.inst1.txt" "$D/show-info.inst2.txt"
rep all-acl-map 1f "$D/show-cli-level.admin.txt" "$D/show-acl.inst1.txt" "$D/show-map.inst1.txt" \
	"$D/show-stat.inst1.txt" "$D/show-info.inst1.txt"
rep user-frontends 01 "$D/show-cli-level.user.txt" - - "$D/show-stat-frontends.txt" \
	"$D/show-info.inst3.txt" "$D/show-info.inst3.txt"
rep info-only 00 "$D/show-cli-level.operator.txt" - - - "$D/show-info.inst4.txt" \
	"$D/show-info.tcp1.txt"
rep master-old 07 "$D/master-show-cli-level.txt" - - "$D/master-old-worker-show-stat-frontends.txt" \
	"$D/master-old-worker-show-info.txt"
# fuzz_frame: byte 0 = what was asked (HAP_SNAP_ACLS 0x8, HAP_SNAP_MAPS 0x10),
# then one instance's whole reply
frm() { # frm NAME WHAT FILE...
	local name=$1 what=$2
	shift 2
	{ printf "\\x$what"; cat "$@"; } >"$C/frame/$name"
}
frm all 18 "$D/show-cli-level.admin.txt" "$D/show-info.inst1.txt" "$D/show-acl.inst1.txt" \
	"$D/show-map.inst1.txt" "$D/show-stat.inst1.txt"
frm servers-state 00 "$D/show-cli-level.operator.txt" "$D/show-info.inst2.txt" \
	"$D/show-servers-state.inst2.txt"
frm no-such-proxy 00 "$D/show-cli-level.user.txt" "$D/show-info.inst3.txt" \
	"$D/show-stat.no-such-proxy.txt"
frm master 00 "$D/master-show-cli-level.txt" "$D/master-show-info.txt"
frm empty-lists 18 "$D/show-cli-level.admin.txt" "$D/show-info.inst4.txt" \
	"$D/show-acl-file.empty.txt" "$D/show-map-file.empty.txt"
# and the replies the tables judge
for f in set-weight.ok-abs set-weight.257 set-weight.no-server set-weight.user \
	set-server-addr.ip-change set-server-addr.bad-port-partial set-server-addr.same-ip \
	disable-frontend.already enable-frontend.after-shutdown master-old-worker-set-weight \
	set-maxconn-server.garbage unknown-command; do
	{ printf '\x00\x00'; cat "$D/$f.txt"; } >"$C/reply/judge-$f"
done
du -sh "$C"
