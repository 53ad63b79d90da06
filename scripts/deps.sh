#!/bin/sh
# deps.sh - install the Debian packages the build, tests and demo need.
# Usage: scripts/deps.sh [extra-package...]
# Installs only what is missing; needs root (or prints what to install).
set -eu

# build: gcc make meson ninja-build pkg-config libncurses-dev (top); unit tests: libcmocka-dev;
# python binding: python3-dev, its tests python3-pytest;
# integration tests: haproxy socat jq curl tmux zsh (completion) man-db (man
# pages), prometheus (the exporter scraped by a real server, and promtool);
# universal-ctags: tests/tools/check_sizes.sh (function sizes)
pkgs="gcc make meson ninja-build pkg-config libcmocka-dev haproxy socat jq python3 clang-format libncurses-dev
python3-dev python3-pytest
curl tmux zsh man-db prometheus universal-ctags $*"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages:$missing" >&2
	echo "deps.sh: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Debian's haproxy package may start the system service; our tests and the
# demo never use it, and it holds port 80 for nothing.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet haproxy 2>/dev/null; then
	systemctl stop haproxy || true
fi
# Debian's prometheus package starts a server on :9090 for nothing as well:
# the tests start their own on loopback. Only when this script installed it.
case " $missing " in
*" prometheus "*)
	if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
		systemctl disable --now prometheus || true
	fi
	;;
esac
exit 0
