"""The original's documented exceptions, raised where it would raise them
(inventory §2.1, §3 and §5), on the real fleet and on sockets these tests
control (a forwarding stub that can stop answering, a dead socket)."""
import os
import socket
import tempfile
import threading

import pytest

from haproxyadmin import exceptions, haproxy
from conftest import sock_cmd


# ---------------------------------------------------------------- construction

def test_constructor_errors(tmp_path):
    with pytest.raises(ValueError, match='^socket directory does not exist /no/such/dir$'):
        haproxy.HAProxy(socket_dir='/no/such/dir')
    with pytest.raises(ValueError, match='^/no/such.sock UNIX socket file was not found$'):
        haproxy.HAProxy(socket_file='/no/such.sock')
    with pytest.raises(ValueError, match='^UNIX socket file was not set$'):
        haproxy.HAProxy()
    plain = tmp_path / 'not-a-socket'
    plain.write_text('x')
    with pytest.raises(ValueError, match='^UNIX socket file was not set$'):
        haproxy.HAProxy(socket_file=str(plain))
    with pytest.raises(ValueError, match='^No valid UNIX socket file was found, directory: '):
        haproxy.HAProxy(socket_dir=str(tmp_path))


def _dead_socket(d):
    """A socket file nothing listens on (connect: ECONNREFUSED)."""
    path = os.path.join(d, 'dead.sock')
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()
    return path


def test_dead_socket_left_out_like_the_original(fleet):
    d = tempfile.mkdtemp(prefix='hap-dead.')
    try:
        dead = _dead_socket(d)
        with pytest.raises(ValueError, match='^No valid UNIX socket file was found'):
            haproxy.HAProxy(socket_dir=d)
        # with a live instance, the dead socket is left out (as the
        # original's discovery did) and named in .unreachable
        hap = haproxy.HAProxy(endpoints=[fleet.socks[0], dead])
        assert list(hap.unreachable) == [dead]
        assert hap.processids == [int(fleet.info(1)['Pid'])]
    finally:
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)


def test_endpoint_forms(fleet):
    tcp = haproxy.HAProxy(endpoints=['tcp:127.0.0.1:' + fleet.env['FLEET_TCP_PORT_2']])
    assert tcp.nodename == 'lab-inst2'
    one = haproxy.HAProxy(socket_file=fleet.socks[3])
    assert one.nodename == 'lab-inst4'
    both = haproxy.HAProxy(socket_file=fleet.socks[0], endpoints=fleet.socks[1:2])
    assert both.processids == [int(fleet.info(1)['Pid']), int(fleet.info(2)['Pid'])]
    # the same process through two endpoints counts once
    dup = haproxy.HAProxy(endpoints=[fleet.socks[0],
                                     'tcp:127.0.0.1:' + fleet.env['FLEET_TCP_PORT_1']])
    assert dup.processids == [int(fleet.info(1)['Pid'])]
    assert dup.maxconn == int(fleet.info(1)['Maxconn'])


# ---------------------------------------------------------------- socket errors

class Stub:
    """A UNIX socket forwarding each request to a real instance, until told
    to hang (read the request, never answer) or to die (close the listener,
    leave the file: ECONNREFUSED)."""

    def __init__(self, target):
        self.dir = tempfile.mkdtemp(prefix='hap-stub.')
        self.path = os.path.join(self.dir, 'stub.sock')
        self.target = target
        self.hang = threading.Event()
        self.stop = threading.Event()
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(self.path)
        self.lsock.listen(16)
        self.lsock.settimeout(0.2)
        self.held = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                c, _ = self.lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            c.settimeout(5)
            req = b''
            try:
                while True:
                    b = c.recv(65536)
                    if not b:
                        break
                    req += b
            except OSError:
                pass
            if self.hang.is_set():
                self.held.append(c)  # never answered
                continue
            reply = b''.join(sock_cmd(self.target, line).encode()
                             for line in req.decode().splitlines() if line)
            try:
                c.sendall(reply)
            finally:
                c.close()

    def die(self):
        self.stop.set()
        self.lsock.close()
        self.thread.join(5)

    def close(self):
        self.die()
        for c in self.held:
            c.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


@pytest.fixture
def stub(fleet):
    s = Stub(fleet.socks[0])
    yield s
    s.close()


def test_socket_timeout_and_connection_errors(fleet, stub):
    hap = haproxy.HAProxy(socket_file=stub.path, timeout=1, retry=None)
    assert hap.nodename == 'lab-inst1'
    stub.hang.set()
    with pytest.raises(exceptions.SocketTimeout) as ei:
        hap.maxconn
    assert ei.value.socket_file == stub.path
    assert str(ei.value) == 'Socket timed out ' + stub.path
    with pytest.raises(exceptions.SocketTimeout):
        hap.server('member1_proc1')[0].weight
    stub.die()
    with pytest.raises(exceptions.SocketConnectionError) as ei:
        hap.backends()
    assert str(ei.value) == 'No process is bound to socket file ' + stub.path
    with pytest.raises(exceptions.HAProxySocketError):
        hap.setmaxconn(4000)
    assert hap.setmaxconn(4000, die=False) is False


# ---------------------------------------------------------------- refusals

def test_command_failed(fleet, hap):
    bl = fleet.env['FLEET_ACL_BL']
    with pytest.raises(exceptions.CommandFailed) as ei:
        hap.add_acl(bl, 'not-an-ip-address')
    assert ei.value.message
    assert 'not-an-ip-address' not in fleet.cmd(2, 'show acl ' + bl)
    assert hap.add_acl(bl, 'not-an-ip-address', die=False) is False


def test_multiple_command_results(fleet, hap):
    h2b = fleet.env['FLEET_MAP_H2B']
    # a key only instance 3 holds: instance 3 takes the change, the others
    # refuse it (no such entry): the original's MultipleCommandResults
    fleet.cmd(3, 'add map {} only3.foo.com backend_all'.format(h2b))
    try:
        with pytest.raises(exceptions.MultipleCommandResults) as ei:
            hap.set_map(h2b, 'only3.foo.com', 'backend_slow')
        res = ei.value.results
        assert len(res) == 4
        assert [r[1] for r in res].count('applied') == 1
        assert 'only3.foo.com backend_slow' in fleet.cmd(3, 'show map ' + h2b)
        for i in (1, 2, 4):
            assert 'only3.foo.com' not in fleet.cmd(i, 'show map ' + h2b)
    finally:
        fleet.cmd(3, 'del map {} only3.foo.com'.format(h2b))


def test_vanished_object_keyerror(fleet, hap):
    fleet.cmd(1, 'add server backend_all/tmp_srv 127.0.0.1:9')
    try:
        s = hap.server('tmp_srv')[0]
        assert s.weight == 1
    finally:
        fleet.cmd(1, 'disable server backend_all/tmp_srv')
        fleet.cmd(1, 'del server backend_all/tmp_srv')
    with pytest.raises(KeyError):
        s.weight
