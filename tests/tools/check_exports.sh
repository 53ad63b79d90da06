#!/bin/sh
# check_exports.sh LIB HEADER - the shared library exports exactly the
# functions the public header declares, nothing internal.
set -eu
exp=$(nm -D --defined-only "$1" | awk '{print $3}' | sort)
decl=$(grep -o 'hap_[a-z0-9_]*(' "$2" | tr -d '(' | sort -u)
if [ "$exp" != "$decl" ]; then
	echo "exported vs declared differ:"
	printf '%s\n' "$exp" >/tmp/check_exports.$$.a
	printf '%s\n' "$decl" >/tmp/check_exports.$$.b
	diff /tmp/check_exports.$$.a /tmp/check_exports.$$.b || true
	rm -f /tmp/check_exports.$$.a /tmp/check_exports.$$.b
	exit 1
fi
echo "$(printf '%s\n' "$exp" | wc -l) symbols exported, all declared in the header"
