#!/bin/sh
# gen-libman.sh HEADER TEMPLATE VERSION - write libhaproxyadmin(3) to stdout.
#
# The FUNCTIONS section is the public header itself: every HAP_API
# declaration with the comment just above it, in the header's order, so the
# page lists exactly what the library exports (@FUNCTIONS@ in TEMPLATE).
set -eu
hdr=$1
tmpl=$2
ver=$3
# the umbrella and the sub-headers it includes, in its order
hdrs="$hdr $(sed -n 's|^#include "\(haproxyadmin/[a-z_]*\.h\)".*|'"$(dirname "$hdr")"'/\1|p' "$hdr")"

funcs=$(awk '
	function flush_comment() { comment = "" }
	/^\/\* -+ \*\/$/ { banner = 1; next }
	banner && /^\/\* / { t = $0; sub(/^\/\* */, "", t); sub(/ *\*\/$/, "", t)
		if (t != "") print "\001SS " t; banner = 0; next }
	banner { banner = 0 }
	/^\/\*/ { incomment = 1; comment = "" }
	incomment { t = $0; sub(/^ *\/?\*+\/? ?/, "", t); sub(/ *\*\/$/, "", t)
		if (t != "") comment = comment (comment == "" ? "" : " ") t
		if ($0 ~ /\*\//) incomment = 0
		next }
	/^HAP_API/ { decl = $0; indecl = 1 }
	indecl && !/^HAP_API/ { t = $0; sub(/^[ \t]+/, " ", t); decl = decl t }
	indecl && /;/ { sub(/^HAP_API /, "", decl); sub(/;$/, "", decl)
		print "\001TP"; print "\001B " decl
		if (comment != "") print comment
		comment = ""; indecl = 0; next }
	!indecl && !/^$/ { comment = "" }
' $hdrs | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g' -e 's/^\x01/./')
awk -v f="$funcs" -v ver="$ver" '{ gsub(/@VERSION@/, ver) } /^@FUNCTIONS@$/ { print f; next } { print }' "$tmpl"
