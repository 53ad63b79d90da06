"""Fixtures: a real 4-instance HAProxy fleet (tests/fleet/fleet.sh, the
original project's example topology, FLEET_SEED=1 for the seed page's
servers) started once for the session and stopped by pid at the end, and
readers that ask each instance's own socket directly (the reference the
package's answers are asserted against)."""
import csv
import io
import os
import shlex
import shutil
import socket
import subprocess
import tempfile

import pytest

SRCDIR = os.environ.get('HAP_SRCDIR') or os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..', '..'))
FLEET_SH = os.path.join(SRCDIR, 'tests', 'fleet', 'fleet.sh')


def seed_rst():
    """The seed page (kept outside the repository: it is the original
    project's prose): $HAP_SEED_RST, else ../shared/reference/ beside the
    checkout or its worktree parent."""
    cands = [os.environ.get('HAP_SEED_RST', '')]
    for up in ('..', os.path.join('..', '..')):
        cands.append(os.path.join(SRCDIR, up, 'shared', 'reference',
                                  'seed-server-operations.rst'))
    for c in cands:
        if c and os.path.isfile(c):
            return os.path.normpath(c)
    return None


def sock_cmd(path, cmd, timeout=10):
    """One runtime API command on one socket, read to EOF (the reference)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall(cmd.encode() + b'\n')
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    finally:
        s.close()
    return b''.join(chunks).decode()


def sock_info(path):
    out = {}
    for line in sock_cmd(path, 'show info').splitlines():
        if ': ' in line:
            k, v = line.split(': ', 1)
            out[k] = v
    return out


def sock_stat(path, proxy='-1', typ='-1'):
    """show stat rows of one instance: {(pxname, svname): row dict}."""
    text = sock_cmd(path, 'show stat {} {} -1'.format(proxy, typ))
    if text.startswith('# '):
        text = text[2:]
    rows = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row.get('pxname'):
            rows[(row['pxname'], row['svname'])] = row
    return rows


def num(v):
    return int(v) if v not in (None, '') else None


class Fleet:
    def __init__(self, d):
        self.dir = d
        self.env = {}
        with open(os.path.join(d, 'env')) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith('#') or '=' not in line:
                    continue
                k, v = line.split('=', 1)
                parts = shlex.split(v)
                self.env[k] = parts[0] if parts else ''
        self.sockdir = self.env['FLEET_SOCK_DIR']
        self.n = int(self.env['FLEET_N'])
        self.shut = set()  # FLEET_PORT_* of frontends a test shut down
        self.socks = [self.env['FLEET_ADMIN_SOCK_{}'.format(i)] for i in range(1, self.n + 1)]

    def cmd(self, i, command):
        """command on instance i (1-based)."""
        return sock_cmd(self.socks[i - 1], command)

    def stat(self, i, proxy='-1', typ='-1'):
        return sock_stat(self.socks[i - 1], proxy, typ)

    def info(self, i):
        return sock_info(self.socks[i - 1])

    def row(self, i, px, sv):
        return self.stat(i).get((px, sv))

    def holders(self, px, sv):
        """[(instance number, row)] of the instances holding px/sv."""
        out = []
        for i in range(1, self.n + 1):
            r = self.row(i, px, sv)
            if r is not None:
                out.append((i, r))
        return out

    def traffic(self, count):
        """count HTTP requests to every frontend of every instance (a
        frontend shut down by a test refuses: skipped). Returns the number
        of answers."""
        done = 0
        for k, port in self.env.items():
            if not k.startswith('FLEET_PORT_') or k in self.shut:
                continue
            for _ in range(count):
                try:
                    with socket.create_connection(('127.0.0.1', int(port)), timeout=2) as c:
                        c.sendall(b'GET / HTTP/1.0\r\nHost: x\r\n\r\n')
                        while c.recv(4096):
                            pass
                    done += 1
                except OSError:
                    break
        return done


class Blackhole:
    """A loopback port whose accept queue is full: further connections are
    dropped, so a health check against it times out (the seed page's
    L4TOUT). Closed with the session."""

    def __init__(self):
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(('127.0.0.1', 0))
        self.lsock.listen(0)
        self.port = self.lsock.getsockname()[1]
        self.fill = []
        for _ in range(2):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            c.connect_ex(('127.0.0.1', self.port))
            self.fill.append(c)

    def close(self):
        for c in self.fill:
            c.close()
        self.lsock.close()


@pytest.fixture(scope='session')
def fleet():
    d = tempfile.mkdtemp(prefix='hap-python.')
    hole = Blackhole()
    # the fleet's processes never get a sanitizer build's preloaded runtime
    base = {k: v for k, v in os.environ.items() if k != 'LD_PRELOAD'}
    # the change locks are per object name on the host: this fleet's own
    # lock directory, so concurrent suites never meet
    os.makedirs(os.path.join(d, 'run'), mode=0o700, exist_ok=True)
    os.environ['XDG_RUNTIME_DIR'] = os.path.join(d, 'run')
    env = dict(base, FLEET_SEED='1', FLEET_SEED_DOWN_PORT=str(hole.port))
    try:
        subprocess.run(['bash', FLEET_SH, 'start', d, '4'], check=True, env=env, timeout=120,
                       stdout=subprocess.DEVNULL)
        yield Fleet(d)
    finally:
        # fleet.sh stop ends exactly the pids it recorded
        subprocess.run(['bash', FLEET_SH, 'stop', d], timeout=60, env=base)
        shutil.rmtree(d, ignore_errors=True)
        hole.close()


@pytest.fixture(scope='session')
def hap(fleet):
    from haproxyadmin import haproxy
    return haproxy.HAProxy(socket_dir=fleet.sockdir)
