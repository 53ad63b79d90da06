#!/usr/bin/env python3
"""cutproxy.py - a UNIX socket in front of a real HAProxy socket that cuts a
prompt-mode batch in the middle, for tests/integration/test_pipeline.sh.

Usage: cutproxy.py LISTEN TARGET K MODE PID LIFETIME
Every connection is relayed both ways, byte for byte. On a connection that
starts with "prompt\n", once K replies after the prompt's own have been
relayed, the batch is cut:
  freeze  no more reply bytes reach the client (requests still reach
          HAProxy, which applies them): the instance seems hung;
  kill    the HAProxy process PID is killed (SIGKILL) and the client's
          connection closed: the instance died in the middle.
Exits by itself after LIFETIME seconds.
CUTPROXY_MARK (environment) is the prompt that ends a reply, "\n> " by
default, "\nmaster> " for a master CLI.
"""
import os
import signal
import socket
import sys
import threading
import time

listen, target, K, mode, pid, life = sys.argv[1:7]
K, pid, life = int(K), int(pid), float(life)
MARK = os.environ.get("CUTPROXY_MARK", "\n> ").encode().decode("unicode_escape").encode()


def pump_up(cli, srv):
    try:
        while True:
            d = cli.recv(65536)
            if not d:
                srv.shutdown(socket.SHUT_WR)
                return
            srv.sendall(d)
    except OSError:
        return


def serve(cli):
    srv = socket.socket(socket.AF_UNIX)
    srv.connect(target)
    first = cli.recv(65536)
    srv.sendall(first)
    threading.Thread(target=pump_up, args=(cli, srv), daemon=True).start()
    prompt = first.startswith(b"prompt\n")
    # a '\n' before the first byte: a master's "master> " answer to
    # "prompt" (no '\n' of its own) is counted like a worker's "\n> "
    seen, tail = 0, b"\n"
    try:
        while True:
            d = srv.recv(65536)
            if not d:
                break
            if not prompt:
                cli.sendall(d)
                continue
            # relay up to the end of reply K (the prompt's own is reply 0)
            out = b""
            buf = tail + d
            start = len(tail)
            i = 0
            while True:
                j = buf.find(MARK, i)
                if j < 0:
                    break
                seen += 1
                i = j + len(MARK)
                if seen == K + 1:
                    out = buf[start:i]
                    break
            if seen <= K:
                cli.sendall(d)
                tail = buf[-(len(MARK) - 1):]
                continue
            cli.sendall(out)
            if mode == "kill":
                os.kill(pid, signal.SIGKILL)
                cli.close()
                return
            while True:  # freeze: swallow HAProxy's replies, keep the client waiting
                if not srv.recv(65536):
                    break
            time.sleep(life)
            return
    except OSError:
        pass
    cli.close()


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
