#!/usr/bin/env bash
# test_acl_map.sh - ACLs and maps on a real 4-instance fleet, every outcome
# checked by reading each instance's own socket: the merged listing, the
# per-instance id trap (host2backend.map is #6 on instance 1 and #8 on the
# others, where #6 is an internal httpclient ACL), show/get/add/set/del/
# clear, escaped ';' and '\' round trips, instances that do not load a
# file, dry runs that send nothing, the confirmation of a clear, and the
# atomic replace: 10,000 entries, a refused entry and an instance stopped
# mid-way (nothing committed anywhere), and the time of 100,000 entries.
set -u
. "$(dirname "$0")/lib.sh"

fleet_up 4
S=$FLEET_SOCK_DIR
H2B=$FLEET_MAP_H2B
VM1=$FLEET_MAP_VM1
WL=$FLEET_ACL_WL
BL=$FLEET_ACL_BL
T=$FLEET_DIR/t
mkdir -p "$T"
J() { jq -r "$@"; }

sock() { local v=FLEET_ADMIN_SOCK_$1; echo "${!v}"; }
# entries of FILE as listed on instance I ("key value" / "pattern", no refs)
entries() { hap_sock "$(sock "$1")" "show $2 $3" | sed -n 's/^0x[0-9a-f]* //p'; }
# "curr_ver=N next_ver=N entry_cnt=N" of FILE in instance I's listing
listing() {
	hap_sock "$(sock "$1")" "show $2" | awk -v f="($3)" '$2 == f' | grep -o 'curr_ver=.*'
}
entry_cnt() { listing "$1" "$2" "$3" | sed 's/.*entry_cnt=//'; }
curr_ver() { listing "$1" "$2" "$3" | sed 's/curr_ver=\([0-9]*\).*/\1/'; }
next_ver() { listing "$1" "$2" "$3" | sed 's/.*next_ver=\([0-9]*\).*/\1/'; }
on_all() { # on_all DESC CODE: the shell CODE (which may use $i) succeeds for i = 1..4
	local desc=$1 code=$2 i bad=0
	for i in 1 2 3 4; do
		eval "$code" || { bad=1; diag "  instance $i: $code"; }
	done
	ok "$bad" "$desc"
}
has() { entries "$4" "$1" "$2" | grep -qxF -- "$3"; } # has KIND FILE LINE I
# read_ok I KIND FILE|#ID: the positive control of a negative check: instance
# I lists FILE (or #ID) with a numeric entry_cnt and `show KIND FILE|#ID`
# returns exactly that many entries (so an absent entry is not a failed read).
read_ok() {
	local l c want
	l=$(hap_sock "$(sock "$1")" "show $2") || return 1
	case $3 in
	"#"*) want=$(awk -v id="${3#\#}" '$1 == id' <<<"$l") ;;
	*) want=$(awk -v f="($3)" '$2 == f' <<<"$l") ;;
	esac
	want=$(sed -n 's/.*entry_cnt=\([0-9][0-9]*\).*/\1/p' <<<"$want")
	[ -n "$want" ] || return 1
	l=$(hap_sock "$(sock "$1")" "show $2 $3") || return 1
	# every line an entry (no error text)
	[ -z "$(grep -v '^0x[0-9a-f]* ' <<<"$l" | grep -v '^$')" ] || return 1
	# by file name: exactly the listed count (an #id may count otherwise)
	case $3 in "#"*) return 0 ;; esac
	c=$(grep -c '^0x' <<<"$l")
	[ "$c" = "$want" ]
}

H2B_ORIG=$(entries 1 map "$H2B")
WL_ORIG=$(entries 1 acl "$WL")

# ------------------------------------------------------------------ list
hap_cli -s "$S" -o json map list
is "$HAP_RC" 0 "map list exits 0"
is "$(J --arg f "$H2B" '.[] | select(.file == $f) | [.instances[].id] | map(tostring) | join(" ")' <<<"$HAP_OUT")" \
	"$FLEET_ID_H2B_1 $FLEET_ID_H2B_2 $FLEET_ID_H2B_3 $FLEET_ID_H2B_4" \
	"host2backend.map: one row, each instance with its own id"
is "$(J --arg f "$H2B" '.[] | select(.file == $f) | [.instances[].entries] | map(tostring) | join(" ")' <<<"$HAP_OUT")" \
	"$(for i in 1 2 3 4; do entry_cnt "$i" map "$H2B"; done | xargs)" \
	"host2backend.map entries per instance match each socket"
is "$(J --arg f "$VM1" '.[] | select(.file == $f) | [.instances[].endpoint] | join(" ")' <<<"$HAP_OUT")" \
	"$FLEET_ADMIN_SOCK_1" "v-m1-bk.map is listed on instance 1 only"
is "$(J 'length' <<<"$HAP_OUT")" 2 "two map files, no duplicates"
hap_cli -s "$S" map list
like "$HAP_OUT" "host2backend.map +all 4 +3 +#$FLEET_ID_H2B_1 #$FLEET_ID_H2B_2 #$FLEET_ID_H2B_3 #$FLEET_ID_H2B_4" \
	"map list table: one row per file, ids per instance"
hap_cli -s "$S" -o json acl list
is "$(J --arg f "$WL" '.[] | select(.file == $f) | .instances | length' <<<"$HAP_OUT")" 4 \
	"wl_stats.acl on 4 instances"
is "$(J --arg f "$BL" '.[] | select(.file == $f) | [.instances[].endpoint] | join(" ")' <<<"$HAP_OUT")" \
	"$FLEET_ADMIN_SOCK_2" "bl_frontend.acl on instance 2 only"
is "$(J '[.[] | select(.file == null and (.description | test("httpclient")))] | length' <<<"$HAP_OUT")" 8 \
	"inline ACLs are listed per instance (2 httpclient ACLs on each of 4)"

# ------------------------------------------------------------------ show / get, the id trap
hap_cli -s "$S" -o json map show "$H2B"
is "$HAP_RC" 0 "map show FILE exits 0"
is "$(J '.agree' <<<"$HAP_OUT")" true "the 4 instances agree"
is "$(J '.entries[] | "\(.key) \(.value)"' <<<"$HAP_OUT")" "$H2B_ORIG" \
	"map show gives the entries instance 1 lists"
is "$(J '[.instances[] | .entries | length] | join(" ")' <<<"$HAP_OUT")" "3 3 3 3" \
	"map show keeps each instance's entries"

hap_cli -s "$S" -o json map show "$FLEET_ID_H2B_1"
is "$HAP_RC" 0 "map show $FLEET_ID_H2B_1 resolves (#$FLEET_ID_H2B_1 is host2backend.map on instance 1)"
is "$(J '.file' <<<"$HAP_OUT")" "$H2B" "map show $FLEET_ID_H2B_1 reads host2backend.map"
is "$(J '[.instances[] | .entries | length] | join(" ")' <<<"$HAP_OUT")" "3 3 3 3" \
	"... on every instance, never #$FLEET_ID_H2B_1 of instances 2..4"
like "$HAP_ERR" "#$FLEET_ID_H2B_1 is $H2B on $FLEET_ADMIN_SOCK_1; using the file on every instance" \
	"the resolution is said on stderr"
hap_cli -s "$S" -o json map get "#$FLEET_ID_H2B_1" app.foo.com
is "$HAP_RC" 0 "map get #6 app.foo.com exits 0"
is "$(J '[.instances[] | .answer | test("found=yes.*value=\"backend_all\"")] | all' <<<"$HAP_OUT")" true \
	"every instance answers from host2backend.map (found=yes), none from an httpclient ACL"
is "$(J '.agree' <<<"$HAP_OUT")" true "get: the answers agree"
is "$(hap_sock "$FLEET_ADMIN_SOCK_3" "get map #$FLEET_ID_H2B_1 app.foo.com" | head -1)" \
	"type=ip, case=sensitive, found=no" \
	"(sent blindly, #$FLEET_ID_H2B_1 on instance 3 is an ACL: the trap is real)"

hap_cli -s "$S" acl show 6
is "$HAP_RC" 2 "acl show 6 is refused (an inline httpclient ACL on 2..4)"
like "$HAP_ERR" "inline ACL" "the refusal says it is inline"
hap_cli -s "$S" acl show 2
is "$HAP_RC" 2 "acl show 2 is refused: #2 means different things"
like "$HAP_ERR" "$FLEET_ADMIN_SOCK_2: $BL" "the refusal names instance 2's file"
like "$HAP_ERR" "$FLEET_ADMIN_SOCK_3: inline ACL" "... and instance 3's inline ACL"
hap_cli -s "$S" acl add 2 10.99.99.99
is "$HAP_RC" 2 "acl add 2 is refused"
# (#2 is v-m1-bk.map on instance 1: a map, listed by show map)
on_all "acl add 2: nothing sent, no instance has the pattern in its #2" \
	'k=acl; [ $i = 1 ] && k=map; ! hap_sock "$(sock $i)" "show $k #2" | grep -q 10.99.99.99'
on_all "positive control: every instance's #2 is read, entries only" \
	'k=acl; [ $i = 1 ] && k=map; read_ok $i $k "#2"'
hap_cli -s "$S" map show 99
is "$HAP_RC" 4 "map show 99: no such id anywhere, exit 4"
hap_cli -s "$S" map show /no/such.map
is "$HAP_RC" 4 "map show of a file no instance loads: exit 4"

hap_cli -s "$S" acl get "$WL" 127.0.0.1
is "$HAP_RC" 0 "acl get exits 0"
like "$HAP_OUT" 'all 4 \(agree\) +type=ip, case=sensitive, match=yes' "acl get: one agreed answer"

# ------------------------------------------------------------------ not holding
hap_cli -s "$S" -o json map show "$VM1"
is "$HAP_RC" 0 "a file on one instance: not a failure"
is "$(J '[.instances[] | .result] | join(" ")' <<<"$HAP_OUT")" "ok not-holding not-holding not-holding" \
	"the others are reported as not holding it"
like "$HAP_ERR" "$FLEET_ADMIN_SOCK_4: does not load $VM1" "not holding, said on stderr"
hap_cli -s "$S" -o json map add "$VM1" k1 v1
is "$HAP_RC" 0 "map add to a file on one instance exits 0"
is "$(J 'length' <<<"$HAP_OUT")" 1 "one command, for the one instance holding it"
like "$HAP_ERR" "$FLEET_ADMIN_SOCK_2: does not load $VM1 \(not holding it\): not changed" \
	"the others: not holding, not changed"
has map "$VM1" "k1 v1" 1
ok $? "instance 1 has k1"

# ------------------------------------------------------------------ add / set / del with ';' and '\'
KEY='a;b\c d'
hap_cli -s "$S" map add "$H2B" "$KEY" 'v;1 2'
is "$HAP_RC" 0 "map add of a key with ';', '\\' and a blank"
on_all "every instance lists the key and value as typed (one argument each)" \
	'has map "$H2B" "a;b\\c d v;1 2" $i'
hap_cli -s "$S" -o json map get "$H2B" "$KEY"
is "$(J '[.instances[] | .answer | test("found=yes")] | all' <<<"$HAP_OUT")" true \
	"map get finds the escaped key everywhere"
hap_cli -s "$S" map set "$H2B" "$KEY" 'new;val'
is "$HAP_RC" 0 "map set exits 0"
on_all "map set changed the value everywhere" 'has map "$H2B" "a;b\\c d new;val" $i'
hap_cli -s "$S" map set "$H2B" no.such.key x
is "$HAP_RC" 1 "map set of a missing key exits 1"
like "$HAP_ERR" "refused: entry not found\\." "HAProxy's refusal, verbatim"
hap_cli -s "$S" map del "$H2B" "$KEY"
is "$HAP_RC" 0 "map del by key exits 0"
on_all "the key is gone everywhere" '[ "$(entries $i map "$H2B")" = "$H2B_ORIG" ]'
hap_cli -s "$S" map add "$H2B" $'bad\nkey' v
is "$HAP_RC" 2 "a newline in a key is refused before sending"

hap_cli -s "$S" acl add "$WL" 10.20.30.40
is "$HAP_RC" 0 "acl add exits 0"
on_all "every instance has the new pattern" 'has acl "$WL" 10.20.30.40 $i'
hap_cli -s "$S" acl add "$WL" not-an-ip
is "$HAP_RC" 1 "acl add of a bad IP exits 1"
like "$HAP_ERR" "'not-an-ip' is not a valid IPv4 or IPv6 address\\." "HAProxy's text, per instance"
hap_cli -s "$S" acl del "$WL" 10.20.30.40
is "$HAP_RC" 0 "acl del exits 0"
on_all "the pattern is gone everywhere" '[ "$(entries $i acl "$WL")" = "$WL_ORIG" ]'

# del by #0x reference: per instance
hap_cli -s "$S" map add "$H2B" ref.key v
ref=$(hap_sock "$FLEET_ADMIN_SOCK_2" "show map $H2B" | awk '$2 == "ref.key" { print $1 }')
like "$ref" '^0x[0-9a-f]+$' "instance 2 lists ref.key with a reference"
hap_cli -s "$S" map del "$H2B" "#$ref"
is "$HAP_RC" 2 "a #0x reference is refused when 4 instances load the file"
like "$HAP_ERR" "narrow the fleet" "the refusal says how to narrow"
hap_cli -s "$FLEET_ADMIN_SOCK_2" map del "$H2B" "#$ref"
is "$HAP_RC" 0 "narrowed to instance 2 with -s, the reference is deleted"
! has map "$H2B" "ref.key v" 2
ok $? "instance 2 no longer has ref.key"
read_ok 2 map "$H2B"
ok $? "positive control: instance 2's map was read in full"
has map "$H2B" "ref.key v" 1
ok $? "instance 1 still has its own ref.key"
hap_cli -s "$S" map del "$H2B" ref.key
is "$HAP_RC" 1 "map del ref.key on the others: exit 1 (instance 2 no longer has it: refused there)"
expect_all_holders -n 4 map "$H2B" ref.key "(absent)" "ref.key is gone from every holder"
ref=$(hap_sock "$FLEET_ADMIN_SOCK_1" "show map $VM1" | awk '$2 == "k1" { print $1 }')
hap_cli -s "$S" map del "$VM1" "#$ref"
is "$HAP_RC" 0 "a #0x reference of a file on one instance needs no -s"
expect_all_holders -n 1 map "$VM1" k1 "(absent)" "k1 is gone from its only holder (instance 1)"

# ------------------------------------------------------------------ dry run
hap_cli -s "$S" -n map add "$H2B" dry.key v
is "$HAP_RC" 0 "dry run exits 0"
is "$(grep -c "add map $H2B dry.key v\$" <<<"$HAP_OUT")" 4 "dry run prints the command for each instance"
on_all "dry run sent nothing" '! has map "$H2B" "dry.key v" $i'
expect_all_holders -n 4 map "$H2B" dry.key "(absent)" "dry.key absent from every holder (entries read and counted)"
nv=$(next_ver 1 map "$H2B")
printf 'x y\n' >"$T/one.map"
hap_cli -s "$S" -n map replace "$H2B" "$T/one.map"
is "$HAP_RC" 0 "replace dry run exits 0"
is "$(grep -c '^prepare map ' <<<"$HAP_OUT") $(grep -c "^add map @$((nv + 1)) $H2B <<\$" <<<"$HAP_OUT") $(grep -c '^commit map @' <<<"$HAP_OUT")" \
	"4 4 4" "replace dry run: prepare, add @next_ver+1 payload, commit, per instance"
is "$(next_ver 1 map "$H2B")" "$nv" "replace dry run did not even prepare"
like "$nv" '^[0-9]+$' "positive control: next_ver was read ($nv)"

# ------------------------------------------------------------------ clear and its confirmation
hap_cli -s "$S" map clear "$H2B" </dev/null
is "$HAP_RC" 2 "clear on 4 instances without a terminal is refused"
like "$HAP_ERR" "without --yes" "... asking for --yes"
on_all "nothing was cleared" '[ "$(entries $i map "$H2B")" = "$H2B_ORIG" ]'
hap_cli -s "$S" -y map clear "$H2B"
is "$HAP_RC" 0 "clear -y exits 0"
on_all "every instance's copy is empty" '[ -z "$(entries $i map "$H2B")" ]'
expect_all_holders -n 4 map "$H2B" "#entries" 0 "entry_cnt 0 on every holder"
on_all "positive control: the empty listing is a read that worked" 'read_ok $i map "$H2B"'
hap_cli -s "$S" map clear "$VM1" </dev/null
is "$HAP_RC" 0 "clear of a file on one instance needs no confirmation"
expect_all_holders -n 1 map "$VM1" "#entries" 0 "$VM1 empty on its only holder"

# ------------------------------------------------------------------ replace
printf '%s\n' "$H2B_ORIG" >"$T/h2b.map"
hap_cli -s "$S" map replace "#$FLEET_ID_H2B_2" "$T/h2b.map"
is "$HAP_RC" 0 "map replace by #$FLEET_ID_H2B_2 restores the original content"
on_all "restored everywhere" '[ "$(entries $i map "$H2B")" = "$H2B_ORIG" ]'

# 10,000 entries, a comment, a blank line, a duplicate key (the first wins)
{
	echo "# generated"
	echo
	echo "dup.example.com first"
	awk 'BEGIN { for (i = 0; i < 9998; i++) printf "host%05d.example.com backend_%d\n", i, i % 7 }'
	echo "dup.example.com second"
} >"$T/10k.map"
before=$(for i in 1 2 3 4; do curr_ver "$i" map "$H2B"; done | xargs)
hap_cli -y -s "$S" -o json map replace "$H2B" "$T/10k.map"
is "$HAP_RC" 0 "map replace of 10,000 entries exits 0"
is "$(J '.committed' <<<"$HAP_OUT") $(J '.entries' <<<"$HAP_OUT")" "true 10000" "committed, 10000 entries"
is "$(J '[.instances[] | .result] | join(" ")' <<<"$HAP_OUT")" "applied applied applied applied" \
	"committed on each instance"
diag "10,000-entry map replace on 4 instances: $(J '.milliseconds' <<<"$HAP_OUT") ms, $(J '.requests' <<<"$HAP_OUT") requests each"
on_all "entry_cnt is 10000 on every instance" '[ "$(entry_cnt $i map "$H2B")" = 10000 ]'
on_all "the new version is the current one (curr_ver = next_ver, moved on)" \
	'l=$(listing $i map "$H2B"); c=${l#curr_ver=}; c=${c%% *}; n=${l#*next_ver=}; n=${n%% *}; [ "$c" = "$n" ]'
isnt "$(for i in 1 2 3 4; do curr_ver "$i" map "$H2B"; done | xargs)" "$before" "curr_ver moved"
on_all "a key from the middle is served" 'hap_sock "$(sock $i)" "get map $H2B host05000.example.com" | grep -q "value=\"backend_2\""'
on_all "the first and last entries are in the file's order" \
	'e=$(entries $i map "$H2B"); [ "$(head -1 <<<"$e")" = "dup.example.com first" ] && [ "$(tail -1 <<<"$e")" = "dup.example.com second" ]'
on_all "the duplicate key: the first entry wins, as from a file" \
	'hap_sock "$(sock $i)" "get map $H2B dup.example.com" | grep -q "value=\"first\""'
on_all "the old entries are gone" '! entries $i map "$H2B" | grep -q "^app.foo.com "'
on_all "positive control: the new content was read in full" 'read_ok $i map "$H2B"'

# a refused entry: nothing committed, old content kept, prepared versions dropped
printf '10.1.1.1\nnot-an-ip\n10.1.1.2\n' >"$T/bad.acl"
cnt=$(for i in 1 2 3 4; do entries "$i" acl "$WL" | wc -l; done | xargs)
hap_cli -y -s "$S" -o json acl replace "$WL" "$T/bad.acl"
is "$HAP_RC" 1 "an entry HAProxy refuses: exit 1"
is "$(J '[.instances[] | .result] | join(" ")' <<<"$HAP_OUT")" "refused refused refused refused" \
	"refused on each instance"
like "$(J '.instances[0].message' <<<"$HAP_OUT")" \
	"\\(line 2\\): 'not-an-ip' is not a valid IPv4 or IPv6 address\\.; version [0-9]+ cleared" \
	"the refusal names the file's line, and the prepared version is dropped"
like "$HAP_ERR" "nothing committed" "nothing committed"
on_all "the old content is still served" '[ "$(entries $i acl "$WL")" = "$WL_ORIG" ]'
# (entry_cnt cannot tell: HAProxy 2.6.12 decrements it for every refused "add acl")
on_all "the prepared version holds nothing" \
	'v=$(J ".instances[$((i - 1))].version" <<<"$HAP_OUT"); [ -z "$(entries $i acl "@$v $WL")" ]'

# an instance that does not answer the read: nothing sent anywhere
kill -STOP "$FLEET_PID_4"
nv=$(for i in 1 2 3; do next_ver "$i" map "$H2B"; done | xargs)
hap_cli -y -s "$S" -t 0.5 map replace "$H2B" "$T/h2b.map"
kill -CONT "$FLEET_PID_4"
is "$HAP_RC" 1 "replace with an unreachable instance exits 1"
like "$HAP_ERR" "nothing sent: 1 instance did not answer" "... and sends nothing"
is "$(for i in 1 2 3; do next_ver "$i" map "$H2B"; done | xargs)" "$nv" "no version was even prepared"

# an instance stopped mid-way: the others are left uncommitted
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "10.%d.%d.%d\n", int(i / 65536), int(i / 256) % 256, i % 256 }' >"$T/100k.acl"
cv=$(for i in 1 2 3 4; do curr_ver "$i" acl "$WL"; done | xargs)
nv3=$(next_ver 3 acl "$WL")
errf=$T/stop.err
("$HAPROXYADMIN" -y -s "$S" -t 1 acl replace "$WL" "$T/100k.acl" >"$T/stop.out" 2>"$errf"; echo $? >"$T/stop.rc") &
rp=$!
for _ in $(seq 1 200); do
	# wait until the load has started (a version prepared on instance 3)
	[ "$(next_ver 3 acl "$WL")" != "$nv3" ] && break
	sleep 0.01
done
sleep 0.1
kill -STOP "$FLEET_PID_3"
wait "$rp"
kill -CONT "$FLEET_PID_3"
is "$(cat "$T/stop.rc")" 1 "replace with an instance stopped mid-way exits 1"
sanitizer_check "acl replace with an instance stopped mid-way" "$(cat "$errf")"
like "$(cat "$errf")" "$FLEET_ADMIN_SOCK_3: error: add request [0-9]+ of [0-9]+" "instance 3 failed while loading"
like "$(cat "$errf")" "$FLEET_ADMIN_SOCK_1: error: version [0-9]+ not committed: $FLEET_ADMIN_SOCK_3 failed" \
	"instance 1 took its part but was not committed"
on_all "every instance still serves the old content" '[ "$(entries $i acl "$WL")" = "$WL_ORIG" ]'
is "$(for i in 1 2 3 4; do curr_ver "$i" acl "$WL"; done | xargs)" "$cv" "no instance moved to a new version"
on_all "a new pattern is not matched" '! hap_sock "$(sock $i)" "get acl $WL 10.0.1.1" | grep -q match=yes'
wl1=$(head -n 1 <<<"$WL_ORIG")
on_all "positive control: an old pattern ($wl1) is matched" 'hap_sock "$(sock $i)" "get acl $WL $wl1" | grep -q match=yes'

# 100,000 entries on 4 instances (timed, not asserted on time)
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "host%06d.example.com backend_%d\n", i, i % 7 }' >"$T/100k.map"
t0=${EPOCHREALTIME/./}
hap_cli -y -s "$S" -o json map replace "$H2B" "$T/100k.map"
t1=${EPOCHREALTIME/./}
is "$HAP_RC" 0 "map replace of 100,000 entries exits 0"
on_all "entry_cnt is 100000 everywhere" '[ "$(entry_cnt $i map "$H2B")" = 100000 ]'
diag "100,000-entry map replace on 4 instances: $(J '.milliseconds' <<<"$HAP_OUT") ms in the library, $(((t1 - t0) / 1000)) ms for the whole command ($(J '.requests' <<<"$HAP_OUT") requests each)"
t0=${EPOCHREALTIME/./}
hap_cli -y -s "$S" -o json acl replace "$WL" "$T/100k.acl"
t1=${EPOCHREALTIME/./}
is "$HAP_RC" 0 "acl replace of 100,000 entries exits 0"
on_all "100000 patterns listed everywhere" '[ "$(entries $i acl "$WL" | wc -l)" = 100000 ]'
diag "100,000-entry acl replace on 4 instances: $(J '.milliseconds' <<<"$HAP_OUT") ms in the library, $(((t1 - t0) / 1000)) ms for the whole command ($(J '.requests' <<<"$HAP_OUT") requests each)"

# an invalid file: nothing sent
printf 'a b\nc\0d\n' >"$T/nul.map"
nv=$(for i in 1 2 3 4; do next_ver "$i" map "$H2B"; done | xargs)
like "$nv" '^[0-9]+ [0-9]+ [0-9]+ [0-9]+$' "positive control: next_ver read on the 4 holders ($nv)"
hap_cli -s "$S" map replace "$H2B" "$T/nul.map"
is "$HAP_RC" 2 "a file with a NUL byte: exit 2"
like "$HAP_ERR" "line 2: NUL byte" "the message names the line"
is "$(for i in 1 2 3 4; do next_ver "$i" map "$H2B"; done | xargs)" "$nv" "nothing was sent to any holder"
expect_all_holders -n 4 map "$H2B" "#entries" 100000 "every holder still has the 100,000 entries"

done_testing
