#!/bin/sh
# check_exports.sh LIB HEADER - the shared library exports exactly the
# functions the public headers declare, nothing internal. HEADER is the
# umbrella: the sub-headers it includes ("haproxyadmin/X.h", next to it)
# are read too.
set -eu
dir=$(dirname "$2")
hdrs="$2 $(sed -n 's|^#include "\(haproxyadmin/[a-z_]*\.h\)".*|'"$dir"'/\1|p' "$2")"
for h in $hdrs; do
	[ -r "$h" ] || { echo "missing header $h"; exit 1; }
done
exp=$(nm -D --defined-only "$1" | awk '{print $3}' | sort)
# shellcheck disable=SC2086
decl=$(cat $hdrs | grep -o 'hap_[a-z0-9_]*(' | tr -d '(' | sort -u)
if [ "$exp" != "$decl" ]; then
	echo "exported vs declared differ:"
	printf '%s\n' "$exp" >/tmp/check_exports.$$.a
	printf '%s\n' "$decl" >/tmp/check_exports.$$.b
	diff /tmp/check_exports.$$.a /tmp/check_exports.$$.b || true
	rm -f /tmp/check_exports.$$.a /tmp/check_exports.$$.b
	exit 1
fi
echo "$(printf '%s\n' "$exp" | wc -l) symbols exported, all declared in $(echo $hdrs | wc -w) headers"
