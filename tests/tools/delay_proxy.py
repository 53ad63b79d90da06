#!/usr/bin/env python3
"""delay_proxy.py - a UNIX socket in front of a real HAProxy socket that holds
back the reply to requests matching a pattern, for the fault tests.

usage: delay_proxy.py LISTEN UPSTREAM LIFETIME_S PATTERN DELAY_S [PATTERN DELAY_S]...

Every connection to LISTEN is forwarded to UPSTREAM, both ways. When the
bytes a client sent so far match the regular expression PATTERN, the reply
is held DELAY_S seconds (HAProxy has already run the command) before it is
passed on; a negative DELAY_S drops the reply and closes the connection
without a byte. The first matching pattern counts. The proxy exits by
itself after LIFETIME_S seconds; it removes LISTEN then. Bounded: at most
64 connections at once, each held at most DELAY_S + 30 s.
"""
import os
import re
import socket
import sys
import threading
import time


def match(rules, seen):
    for pattern, delay in rules:
        if pattern.search(seen):
            return delay
    return None


def pump(client, upstream, rules, seen):
    """upstream -> client, delayed once when the request matched."""
    delayed = False
    try:
        while True:
            data = upstream.recv(65536)
            if not data:
                break
            delay = None if delayed else match(rules, seen[0])
            if delay is not None:
                delayed = True
                if delay < 0:
                    break
                time.sleep(delay)
            client.sendall(data)
    except OSError:
        pass
    try:
        client.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(client, upstream_path, rules, slots):
    seen = [b""]
    try:
        up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        up.connect(upstream_path)
    except OSError:
        client.close()
        slots.release()
        return
    t = threading.Thread(target=pump, args=(client, up, rules, seen), daemon=True)
    t.start()
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            seen[0] = (seen[0] + data)[-65536:]
            up.sendall(data)
        up.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    t.join(max(d for _, d in rules) + 30)
    client.close()
    up.close()
    slots.release()


def main():
    if len(sys.argv) < 6 or len(sys.argv) % 2:
        sys.stderr.write(__doc__)
        return 2
    listen, upstream, life = sys.argv[1:4]
    life = float(life)
    args = sys.argv[4:]
    rules = [(re.compile(args[i].encode(), re.M), float(args[i + 1]))
             for i in range(0, len(args), 2)]
    end = time.monotonic() + life
    try:
        os.unlink(listen)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(listen)
    srv.listen(64)
    srv.settimeout(0.2)
    slots = threading.Semaphore(64)
    while time.monotonic() < end:
        try:
            client, _ = srv.accept()
        except socket.timeout:
            continue
        slots.acquire()
        threading.Thread(target=serve, args=(client, upstream, rules, slots),
                         daemon=True).start()
    srv.close()
    os.unlink(listen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
