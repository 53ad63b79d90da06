#!/usr/bin/env python3
"""switchproxy.py - a UNIX socket in front of two real HAProxy sockets, for
tests/integration/test_pipeline.sh: the instance seems to restart between
the read a change is planned from and the session carrying its writes.

Usage: switchproxy.py LISTEN FIRST THEN LIFETIME
The first connection is relayed to FIRST, every later one to THEN, both
ways, byte for byte (half-closes passed on). Exits by itself after
LIFETIME seconds and removes LISTEN.
"""
import os
import socket
import sys
import threading
import time

listen, first, then, life = sys.argv[1:5]
life = float(life)


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(cli, target):
    srv = socket.socket(socket.AF_UNIX)
    try:
        srv.connect(target)
    except OSError:
        cli.close()
        return
    up = threading.Thread(target=pump, args=(cli, srv), daemon=True)
    up.start()
    pump(srv, cli)
    up.join(life)
    cli.close()
    srv.close()


def main():
    if os.path.exists(listen):
        os.unlink(listen)
    ls = socket.socket(socket.AF_UNIX)
    ls.bind(listen)
    ls.listen(16)
    ls.settimeout(0.2)
    end = time.monotonic() + life
    n = 0
    try:
        while time.monotonic() < end:
            try:
                cli, _ = ls.accept()
            except socket.timeout:
                continue
            target = first if n == 0 else then
            n += 1
            threading.Thread(target=serve, args=(cli, target), daemon=True).start()
    finally:
        ls.close()
        os.unlink(listen)


main()
