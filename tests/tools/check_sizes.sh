#!/bin/sh
# check_sizes.sh [SRCDIR] - the size limits of issue #11 hold: no file in
# src/, cli/ or include/ over 700 lines, no function in src/ or cli/ over
# 80 lines (universal-ctags finds where each function begins and ends).
# Prints every offender and exits 1 when there is one.
set -eu
cd "${1:-.}"
max_file=700
max_func=80
# Functions allowed over the limit (none: keep it that way).
allow=""

command -v ctags >/dev/null 2>&1 || { echo "check_sizes: ctags (universal-ctags) is missing"; exit 1; }
files=$(git ls-files 'src/*.[ch]' 'cli/*.[ch]' 'include/*.h' 'include/**/*.h' 2>/dev/null ||
	find src cli include -name '*.[ch]')
bad=0
for f in $files; do
	n=$(wc -l <"$f")
	if [ "$n" -gt "$max_file" ]; then
		echo "file over $max_file lines: $f ($n)"
		bad=1
	fi
done
# shellcheck disable=SC2086 # one path a word
funcs=$(printf '%s\n' $files | grep '\.c$' | xargs ctags --c-kinds=f --fields=+ne -o - |
	awk -F'\t' -v max="$max_func" '{
		n = ""; e = ""
		for (i = 4; i <= NF; i++) {
			if ($i ~ /^line:/) n = substr($i, 6)
			if ($i ~ /^end:/) e = substr($i, 5)
		}
		if (n != "" && e != "" && e - n + 1 > max) printf "%s:%s %d\n", $2, $1, e - n + 1
	}')
for fn in $(printf '%s\n' "$funcs" | awk 'NF {print $1}'); do
	case " $allow " in *" $fn "*) continue ;; esac
	echo "function over $max_func lines: $fn ($(printf '%s\n' "$funcs" | awk -v k="$fn" '$1 == k {print $2}'))"
	bad=1
done
[ "$bad" -eq 0 ] || exit 1
echo "sizes: no file over $max_file lines, no function over $max_func lines"
