#!/usr/bin/env python3
"""fakemaster.py - a master CLI in front of one real worker socket whose
routing fails in the middle of a prompt-mode batch, for
tests/integration/test_master_pipe.sh (a worker that is gone when its
command arrives: HAProxy's master answers "Can't find the target PID
matching the prefix '@!PID'" and closes the connection, even in prompt mode).

Usage: fakemaster.py LISTEN WORKER_SOCK PID FAIL_AT LIFETIME
"show proc" lists PID as the only worker; "@!PID CMD" is relayed to
WORKER_SOCK (one connection per command, read to EOF) and its reply passed
back; in prompt mode ("master> " after every reply) the FAIL_AT-th routed
command (1-based) gets the routing failure instead and the connection is
closed: HAProxy never sees it nor anything after it. Another prefix gets
the routing failure at once. Exits by itself after LIFETIME seconds.
"""
import os
import socket
import sys
import threading
import time

listen, worker, pid, fail_at, life = sys.argv[1:6]
fail_at, life = int(fail_at), float(life)
PROC = ("#<PID>          <type>          <reloads>       <uptime>        <version>      \n"
        "1               master          0 [failed: 0]   0d00h00m01s     2.6.12\n"
        "# workers\n"
        f"{pid:<16}worker          0               0d00h00m01s     2.6.12\n"
        "# programs\n\n").encode()


def relay(cmd):
    s = socket.socket(socket.AF_UNIX)
    s.connect(worker)
    s.sendall(cmd + b"\n")
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    s.close()
    return out


def serve(c):
    buf, prompt, routed = b"", False, 0
    try:
        while True:
            d = c.recv(65536)
            if not d:
                return
            buf += d
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line == b"prompt":
                    prompt = True
                    c.sendall(b"master> ")
                    continue
                if line == b"quit":
                    return
                if line == b"show proc":
                    c.sendall(PROC + (b"master> " if prompt else b""))
                    continue
                head, _, cmd = line.partition(b" ")
                if head == b"@!" + pid.encode():
                    routed += 1
                if head != b"@!" + pid.encode() or (prompt and routed == fail_at):
                    c.sendall(b"Can't find the target PID matching the prefix '" + head + b"'\n")
                    return
                c.sendall(relay(cmd) + (b"master> " if prompt else b""))
    except OSError:
        pass
    finally:
        c.close()


s = socket.socket(socket.AF_UNIX)
s.bind(listen)
s.listen(16)
s.settimeout(0.2)
end = time.time() + life
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(c,), daemon=True).start()
os.unlink(listen)
