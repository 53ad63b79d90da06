#!/usr/bin/env python3
"""bench/python_servers.py - list every server with status, weight and scur
through the Python API (the seed's haproxyadmin API), as the original's
users do, on a fleet given by its socket directory.

Usage: python_servers.py SOCKET_DIR snapshot|fresh [LIMIT]
  snapshot  one read of the whole fleet (hap.snapshot()), every server's
            status, weight and metric('scur') answered from it
  fresh     the plain loop: every property read asks every instance afresh
            (one request per instance for the server's backend), on the
            first LIMIT servers (0: all)
Prints one line: MODE SERVERS SECONDS READS (READS: requests rounds made).
"""
import sys
import time

from haproxyadmin import haproxy


def main():
    sockdir, mode = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    t0 = time.monotonic()
    hap = haproxy.HAProxy(socket_dir=sockdir, timeout=60)
    n = 0
    rounds = 1
    sink = []
    if mode == 'snapshot':
        with hap.snapshot():
            rounds += 1
            for s in hap.servers():
                sink.append((s.backendname, s.name, s.status, s.weight, s.metric('scur')))
                n += 1
    elif mode == 'fresh':
        servers = hap.servers()
        rounds += 1
        for s in servers[:limit or None]:
            sink.append((s.backendname, s.name, s.status, s.weight, s.metric('scur')))
            n += 1
            rounds += 3
    else:
        sys.exit('mode must be snapshot or fresh')
    dt = time.monotonic() - t0
    bad = [x for x in sink if x[2] is None or not isinstance(x[3], int)]
    if bad:
        sys.exit('bad rows: {}'.format(bad[:3]))
    print('{} {} {:.3f} {}'.format(mode, n, dt, rounds))


if __name__ == '__main__':
    main()
