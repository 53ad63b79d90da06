#!/usr/bin/env bash
# make.sh - regenerate the mixed-version fixtures of this directory from the
# real HAProxy 2.6.12 captures in ../2.6 (instance 1: show cli level, show
# info, show stat). Each output file is one whole reply, as a fake instance
# (tests/fleet/fake.sh) serves it to the CLI's snapshot request
# "show cli level\nshow info\nshow stat ...\n":
#
#   "admin\n\n" + show info + show stat
#
#   reordered.txt  pxname,svname first as always, every other column in
#                  reverse order (a header shaped unlike 2.6's)
#   missing.txt    an older-looking header: uweight, agg_server_status,
#                  agg_server_check_status, agg_check_status and the eight
#                  h1_* module columns absent
#   extra.txt      two columns 2.6 does not know: x_future_gauge (inserted
#                  right after weight, shifting every later column) and
#                  x_future_text (last, free text with a quoted comma)
#
# Each fake is another process: node, Pid, Start_time_sec, Version and
# description differ, and backend_all/srv_all1 gets its own stot, bout and
# lbtot so a value taken from the wrong instance or column shows. CSV
# quoting (the agent text has a comma and quotes) is kept RFC-4180 correct.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../2.6

info() { # info NODE PID START VERSION
	sed -e "s/^node: .*/node: $1/" -e "s/^Pid: .*/Pid: $2/" \
		-e "s/^Start_time_sec: .*/Start_time_sec: $3/" \
		-e "s/^Version: .*/Version: $4/" -e "s/^Build info: .*/Build info: $4/" \
		-e "s/^description: .*/description: fake $1 from the 2.6.12 capture/" \
		"$src/show-info.inst1.txt"
}

stat() { # stat MODE STOT BOUT LBTOT
	awk -v mode="$1" -v stot="$2" -v bout="$3" -v lbtot="$4" '
	function split_csv(line, out,    n, i, c, f, q) {
		n = 0; f = ""; q = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (q) {
				if (c == "\"") {
					if (substr(line, i + 1, 1) == "\"") { f = f "\""; i++ }
					else q = 0
				} else f = f c
			} else if (c == "\"") q = 1
			else if (c == ",") { out[++n] = f; f = "" }
			else f = f c
		}
		out[++n] = f
		return n
	}
	function quote(v) {
		if (v ~ /[,"]/) { gsub(/"/, "\"\"", v); return "\"" v "\"" }
		return v
	}
	# emit the fields of out[] in the order of ord[1..no], trailing comma
	function emit(out, prefix,    k, s) {
		s = prefix
		for (k = 1; k <= no; k++) s = s quote(out[ord[k]]) ","
		print s
	}
	NR == 1 {
		sub(/^# /, "")
		n = split_csv($0, h) - 1    # the trailing comma makes one empty item
		for (i = 1; i <= n; i++) col[h[i]] = i
		no = 0
		if (mode == "reordered") {
			ord[++no] = 1; ord[++no] = 2
			for (i = n; i >= 3; i--) ord[++no] = i
		} else if (mode == "missing") {
			for (i = 1; i <= n; i++)
				if (h[i] != "uweight" && h[i] !~ /^agg_/ && h[i] !~ /^h1_/) ord[++no] = i
		} else {
			for (i = 1; i <= n; i++) {
				ord[++no] = i
				if (h[i] == "weight") ord[++no] = n + 1
			}
			ord[++no] = n + 2
		}
		h[n + 1] = "x_future_gauge"; h[n + 2] = "x_future_text"
		emit(h, "# ")
		next
	}
	$0 == "" { print; next }
	{
		m = split_csv($0, r)
		if (r[1] == "backend_all" && r[2] == "srv_all1") {
			r[col["stot"]] = stot; r[col["bout"]] = bout; r[col["lbtot"]] = lbtot
			r[n + 1] = 42; r[n + 2] = "future, text"
		} else if (r[2] == "FRONTEND" || r[2] == "BACKEND") {
			r[n + 1] = ""; r[n + 2] = ""
		} else {
			r[n + 1] = 7; r[n + 2] = "later"
		}
		emit(r, "")
	}' "$src/show-stat.inst1.txt"
}

mk() { # mk NAME NODE PID START VERSION STOT BOUT LBTOT
	{
		cat "$src/show-cli-level.admin.txt"
		info "$2" "$3" "$4" "$5"
		stat "$1" "$6" "$7" "$8"
	} >"$here/$1.txt"
}

mk reordered mixed-reordered 4100001 1796000001 2.6.12-1+deb12u4 1101 20202 1303
mk missing mixed-missing 4100002 1796000002 2.4.22-0+deb11u1 2101 30303 2303
mk extra mixed-extra 4100003 1796000003 2.8.3-1~bpo12+1 3101 40404 3303
