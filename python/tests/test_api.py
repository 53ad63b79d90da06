"""Every method and property of the original's API (the inventory, §7),
called at least once, its answer asserted against each instance's own
socket (conftest.sock_cmd: a raw UNIX socket, not the library)."""
import re
import time

import pytest

import haproxyadmin
from haproxyadmin import exceptions, haproxy
from conftest import num


def holders_sum(fleet, px, sv, field):
    return sum(num(r[field]) or 0 for _i, r in fleet.holders(px, sv))


# ---------------------------------------------------------------- package

def test_package_constants():
    assert haproxyadmin.STATE_ENABLE == haproxy.STATE_ENABLE == 'enable'
    assert haproxyadmin.STATE_DISABLE == haproxy.STATE_DISABLE == 'disable'
    assert haproxyadmin.STATE_READY == haproxy.STATE_READY == 'ready'
    assert haproxyadmin.STATE_DRAIN == haproxy.STATE_DRAIN == 'drain'
    assert haproxyadmin.STATE_MAINT == haproxy.STATE_MAINT == 'maint'
    assert haproxyadmin.VALID_STATES == ['enable', 'disable', 'maint', 'drain', 'ready']
    assert len(haproxyadmin.HAPROXY_METRICS) == 40
    assert len(haproxyadmin.FRONTEND_METRICS) == 25
    assert len(haproxyadmin.BACKEND_METRICS) == 40
    assert len(haproxyadmin.SERVER_METRICS) == 39
    assert haproxyadmin.__version__ == haproxyadmin._c.version


def test_module_version():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, '-m', 'haproxyadmin', '--version'],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == 'haproxyadmin ' + haproxyadmin._c.version


def test_exception_hierarchy():
    e = exceptions
    assert issubclass(e.CommandFailed, e.HAProxyBaseError)
    assert issubclass(e.MultipleCommandResults, e.HAProxyDataError)
    assert issubclass(e.IncosistentData, e.HAProxyDataError)
    assert issubclass(e.HAProxyDataError, e.HAProxyBaseError)
    for c in (e.SocketTimeout, e.SocketPermissionError, e.SocketConnectionError,
              e.SocketApplicationError, e.SocketTransportError):
        assert issubclass(c, e.HAProxySocketError)
    assert str(e.SocketTimeout('/x.sock')) == 'Socket timed out /x.sock'
    assert e.IncosistentData([(1, 'a')]).results == [(1, 'a')]
    assert e.CommandFailed('No such server.').message == 'No such server.'


# ---------------------------------------------------------------- HAProxy

def test_info_and_pids(fleet, hap):
    info = hap.info()
    assert len(info) == fleet.n
    for i, d in enumerate(info, 1):
        ref = fleet.info(i)
        assert d['Pid'] == ref['Pid']
        assert d['node'] == ref['node'] == 'lab-inst{}'.format(i)
        assert d['Version'] == ref['Version']
    assert hap.processids == [int(fleet.info(i)['Pid']) for i in range(1, fleet.n + 1)]


def test_metric_and_limits(fleet, hap):
    refs = [fleet.info(i) for i in range(1, fleet.n + 1)]
    total = sum(int(r['Maxconn']) for r in refs)
    assert hap.metric('Maxconn') == total == hap.maxconn
    assert hap.ratelimitconn == sum(int(r['ConnRateLimit']) for r in refs)
    assert hap.ratelimitsess == sum(int(r['SessRateLimit']) for r in refs)
    assert hap.ratelimitsslsess == sum(int(r['SslRateLimit']) for r in refs)
    assert hap.metric('Hard_maxconn') == sum(int(r['Hard_maxconn']) for r in refs)
    # the original raised ValueError for Uptime_sec; ours: the youngest instance
    up = hap.metric('Uptime_sec')
    assert isinstance(up, int) and 0 <= up <= min(int(r['Uptime_sec']) for r in refs) + 2
    with pytest.raises(ValueError, match='foo is not valid metric'):
        hap.metric('foo')


def test_requests(fleet, hap):
    fleet.traffic(2)
    before = sum(int(fleet.info(i)['CumReq']) for i in range(1, fleet.n + 1))
    got = hap.totalrequests
    after = sum(int(fleet.info(i)['CumReq']) for i in range(1, fleet.n + 1))
    assert before <= got <= after
    ref = 0
    for i in range(1, fleet.n + 1):
        ref += sum(num(r['req_tot']) or 0 for (px, sv), r in fleet.stat(i).items()
                   if sv == 'FRONTEND')
    assert hap.requests == ref and ref >= 2 * 4


def test_uptime_version_release(fleet, hap):
    ref = fleet.info(1)
    assert re.match(r'^\d+d \d+h\d\dm\d\ds$', hap.uptime)
    assert abs(hap.uptimesec - int(ref['Uptime_sec'])) <= 2
    assert hap.version == ref['Version']
    assert hap.releasedate == ref['Release_date']


def test_description_nodename_disagree(fleet, hap):
    # every instance has its own node name and description: the original's
    # compare_values raises IncosistentData with every process's value
    with pytest.raises(exceptions.IncosistentData) as ei:
        hap.nodename
    assert ei.value.results == [(i, fleet.info(i)['node']) for i in range(1, fleet.n + 1)]
    with pytest.raises(exceptions.IncosistentData) as ei:
        hap.description
    assert [v for _p, v in ei.value.results] == [fleet.info(i)['description']
                                                 for i in range(1, fleet.n + 1)]
    one = haproxy.HAProxy(socket_file=fleet.socks[1])
    assert one.nodename == 'lab-inst2'
    assert one.description == fleet.info(2)['description']


def test_command_and_errors(fleet, hap):
    res = hap.command('show info')
    assert [p for p, _l in res] == ['1', '2', '3', '4']
    for i, (_p, lines) in enumerate(res, 1):
        assert 'Pid: ' + fleet.info(i)['Pid'] in lines
    errs = hap.errors()
    assert len(errs) == 4
    for i, (_p, lines) in enumerate(errs, 1):
        assert lines[0].startswith('Total events captured')
        assert fleet.cmd(i, 'show errors').startswith('Total events captured')
    iid = hap.frontend('frontend_all').iid
    for _p, lines in hap.errors(iid):
        assert lines[0].startswith('Total events captured')


def test_global_writes(fleet, hap):
    assert hap.setmaxconn(3000) is True
    assert [fleet.info(i)['Maxconn'] for i in range(1, 5)] == ['3000'] * 4
    assert hap.maxconn == 12000
    assert hap.setmaxconn(4000) is True
    assert hap.setratelimitconn(300) is True
    assert [fleet.info(i)['ConnRateLimit'] for i in range(1, 5)] == ['300'] * 4
    assert hap.setratelimitsess(400) is True
    assert [fleet.info(i)['SessRateLimit'] for i in range(1, 5)] == ['400'] * 4
    assert hap.setratelimitsslsess(500) is True
    assert [fleet.info(i)['SslRateLimit'] for i in range(1, 5)] == ['500'] * 4
    assert hap.ratelimitconn == 1200 and hap.ratelimitsess == 1600
    assert hap.ratelimitsslsess == 2000
    for f in (hap.setratelimitconn, hap.setratelimitsess, hap.setratelimitsslsess):
        assert f(0) is True
    with pytest.raises(ValueError, match='Expected integer'):
        hap.setmaxconn('100')
    assert hap.setmaxconn('100', die=False) is False


def test_clearcounters(fleet, hap):
    fleet.traffic(2)
    assert any(num(fleet.row(i, 'frontend_all', 'FRONTEND')['stot']) for i in range(1, 5))
    assert hap.clearcounters() is True
    for i in range(1, 5):
        assert num(fleet.row(i, 'frontend_all', 'FRONTEND')['smax']) == 0
    assert hap.clearcounters(all=True) is True
    for i in range(1, 5):
        assert num(fleet.row(i, 'frontend_all', 'FRONTEND')['stot']) == 0


def test_listings(fleet, hap):
    fes, bes, svs = set(), set(), set()
    for i in range(1, 5):
        for (px, sv) in fleet.stat(i):
            if sv == 'FRONTEND':
                fes.add(px)
            elif sv == 'BACKEND':
                bes.add(px)
            else:
                svs.add((px, sv))
    assert {f.name for f in hap.frontends()} == fes
    assert {b.name for b in hap.backends()} == bes
    assert {(s.backendname, s.name) for s in hap.servers()} == svs
    assert [f.name for f in hap.frontends('frontend_all')] == ['frontend_all']
    assert [b.name for b in hap.backends('backend_all')] == ['backend_all']
    assert {s.name for s in hap.servers('backend1_proc34')} == {
        sv for (px, sv) in svs if px == 'backend1_proc34'}
    assert hap.servers('no_such_backend') == []
    assert hap.frontend('frontend_proc2').name == 'frontend_proc2'
    assert hap.backend('backend_proc2').name == 'backend_proc2'
    assert sorted(s.backendname for s in hap.server('bck_all_srv1')) == sorted(
        px for (px, sv) in svs if sv == 'bck_all_srv1')
    assert [s.backendname for s in hap.server('bck_all_srv1', backend='backend_all')] == [
        'backend_all']
    with pytest.raises(ValueError, match='Could not find frontend'):
        hap.frontend('nope')
    with pytest.raises(ValueError, match='Could not find backend'):
        hap.backend('nope')
    with pytest.raises(ValueError, match='Could not find server'):
        hap.server('nope')


# ---------------------------------------------------------------- ACLs and maps

def _sock_lines(fleet, i, cmd):
    return [ln for ln in fleet.cmd(i, cmd).splitlines() if ln]


def test_acl(fleet, hap):
    bl = fleet.env['FLEET_ACL_BL']  # loaded by instance 2 only
    assert hap.show_acl() == _sock_lines(fleet, 1, 'show acl')
    ref = _sock_lines(fleet, 2, 'show acl ' + bl)
    assert hap.show_acl(bl) == ref and len(ref) == 2
    # numeric id: #0 is wl_stats.acl everywhere
    assert [ln.split()[1] for ln in hap.show_acl(0)] == ['127.0.0.1', '::1', '192.0.2.10']
    assert hap.add_acl(bl, '10.9.9.9') is True
    assert '10.9.9.9' in fleet.cmd(2, 'show acl ' + bl)
    got = hap.get_acl(bl, '10.9.9.9')
    assert 'match=yes' in got
    assert got == fleet.cmd(2, 'get acl {} 10.9.9.9'.format(bl)).splitlines()[0]
    assert hap.del_acl(bl, '10.9.9.9') is True
    assert '10.9.9.9' not in fleet.cmd(2, 'show acl ' + bl)
    # a 0x entry reference, as the original allowed
    assert hap.add_acl(bl, '10.8.8.8') is True
    refid = [ln.split()[0] for ln in hap.show_acl(bl) if ln.endswith(' 10.8.8.8')][0]
    assert refid.startswith('0x')
    assert hap.del_acl(bl, refid) is True
    assert '10.8.8.8' not in fleet.cmd(2, 'show acl ' + bl)
    assert hap.clear_acl(bl) is True
    assert _sock_lines(fleet, 2, 'show acl ' + bl) == []
    assert hap.show_acl(bl) == []
    for p in ('10.0.0.1', '192.168.0.0/16'):
        hap.add_acl(bl, p)
    assert len(_sock_lines(fleet, 2, 'show acl ' + bl)) == 2
    with pytest.raises(exceptions.CommandFailed):
        hap.show_acl('/no/such.acl')
    with pytest.raises(exceptions.CommandFailed):
        hap.get_acl('/no/such.acl', 'x')
    assert hap.add_acl('/no/such.acl', 'x', die=False) is False


def test_map(fleet, hap):
    h2b = fleet.env['FLEET_MAP_H2B']  # every instance
    vm1 = fleet.env['FLEET_MAP_VM1']  # instance 1
    assert hap.show_map() == _sock_lines(fleet, 1, 'show map')
    assert hap.show_map(h2b) == _sock_lines(fleet, 1, 'show map ' + h2b)
    assert hap.add_map(h2b, 'new.foo.com', 'backend_all') is True
    for i in range(1, 5):
        assert 'new.foo.com backend_all' in fleet.cmd(i, 'show map ' + h2b)
    got = hap.get_map(h2b, 'new.foo.com')
    assert 'found=yes' in got
    assert got == fleet.cmd(1, 'get map {} new.foo.com'.format(h2b)).splitlines()[0]
    assert hap.set_map(h2b, 'new.foo.com', 'backend_slow') is True
    for i in range(1, 5):
        assert 'new.foo.com backend_slow' in fleet.cmd(i, 'show map ' + h2b)
    assert hap.del_map(h2b, 'new.foo.com') is True
    for i in range(1, 5):
        assert 'new.foo.com' not in fleet.cmd(i, 'show map ' + h2b)
    assert hap.clear_map(vm1) is True
    assert _sock_lines(fleet, 1, 'show map ' + vm1) == []
    assert hap.show_map(vm1) == []
    assert hap.add_map(vm1, '0', 'www.foo.com-0') is True
    assert hap.show_map(vm1)[0].split()[1:] == ['0', 'www.foo.com-0']
    with pytest.raises(exceptions.CommandFailed):
        hap.get_map('/no/such.map', 'x')


# ---------------------------------------------------------------- Frontend

def test_frontend_reads(fleet, hap):
    fleet.traffic(1)
    fe = hap.frontend('frontend_all')
    rows = fleet.holders('frontend_all', 'FRONTEND')
    assert fe.process_nb == [1, 2, 3, 4]
    assert fe.iid == num(rows[0][1]['iid'])
    assert fe.metric('stot') == sum(num(r['stot']) for _i, r in rows)
    assert fe.metric('slim') == fe.maxconn == sum(num(r['slim']) for _i, r in rows)
    assert fe.requests == sum(num(r['req_tot']) for _i, r in rows) > 0
    assert fe.requests_per_process() == [(i, num(r['req_tot'])) for i, r in rows]
    spp = fe.stats_per_process()
    assert [p for p, _d in spp] == [1, 2, 3, 4]
    for (p, d), (_i, r) in zip(spp, rows):
        assert d['pxname'] == 'frontend_all' and d['iid'] == num(r['iid'])
        assert d['slim'] == num(r['slim'])
    assert fe.status == 'OPEN' == rows[0][1]['status']
    with pytest.raises(ValueError, match='is not valid metric'):
        fe.metric('weight')
    fe34 = hap.frontend('frontend1_proc34')
    assert fe34.process_nb == [3, 4]
    assert fe == 'frontend_all' and fe != 'frontend1_proc34'
    assert 'frontend_all' in hap.frontends()
    assert len({fe, hap.frontend('frontend_all')}) == 1


def test_frontend_writes(fleet, hap):
    fe = hap.frontend('frontend1_proc34')
    assert fe.setmaxconn(500) is True
    assert [num(r['slim']) for _i, r in fleet.holders('frontend1_proc34', 'FRONTEND')] == [500, 500]
    assert fe.maxconn == 1000
    with pytest.raises(ValueError, match='Expected integer'):
        fe.setmaxconn('5')
    assert fe.disable() is True
    # HAProxy 2.6 shows a disabled frontend as PAUSED
    assert [r['status'] for _i, r in fleet.holders('frontend1_proc34', 'FRONTEND')] == [
        'PAUSED', 'PAUSED']
    assert fe.status == 'PAUSED'
    assert fe.enable() is True
    assert [r['status'] for _i, r in fleet.holders('frontend1_proc34', 'FRONTEND')] == [
        'OPEN', 'OPEN']
    fe2 = hap.frontend('frontend2_proc34')
    assert fe2.shutdown() is True
    fleet.shut.update(k for k in fleet.env if k.startswith('FLEET_PORT_frontend2_proc34_'))
    rows = fleet.holders('frontend2_proc34', 'FRONTEND')
    if rows:
        assert {r['status'] for _i, r in rows} == {'STOP'}
        assert fe2.status == 'STOP'
    else:
        with pytest.raises(KeyError):
            fe2.status


# ---------------------------------------------------------------- Backend

def test_backend(fleet, hap):
    fleet.traffic(1)
    be = hap.backend('backend_all')
    rows = fleet.holders('backend_all', 'BACKEND')
    assert be.process_nb == [1, 2, 3, 4]
    assert be.iid == num(rows[0][1]['iid'])
    assert be.metric('stot') == sum(num(r['stot']) for _i, r in rows)
    # a maximum is the max across instances (the original summed it)
    assert be.metric('smax') == max(num(r['smax']) for _i, r in rows)
    assert be.requests == sum(num(r['stot']) for _i, r in rows)
    assert be.requests_per_process() == [(i, num(r['stot'])) for i, r in rows]
    assert [(p, d['iid']) for p, d in be.stats_per_process()] == [
        (i, num(r['iid'])) for i, r in rows]
    assert be.status == 'UP' == rows[0][1]['status']
    names = {sv for (px, sv) in fleet.stat(1) if px == 'backend_all' and
             sv not in ('BACKEND', 'FRONTEND')}
    assert {s.name for s in be.servers()} == names
    assert [s.name for s in be.servers('srv_all1')] == ['srv_all1']
    assert be.server('srv_all1').backendname == 'backend_all'
    with pytest.raises(ValueError, match='Could not find server'):
        be.server('nope')
    with pytest.raises(ValueError):
        be.metric('req_tot')
    assert hap.backend('backend1_proc34').process_nb == [3, 4]
    assert be == 'backend_all' and 'backend_all' in hap.backends()


# ---------------------------------------------------------------- Server

def test_server_reads(fleet, hap):
    fleet.traffic(1)
    s = hap.server('srv_all1', backend='backend_all')[0]
    rows = fleet.holders('backend_all', 'srv_all1')
    assert s.name == 'srv_all1' and s.backendname == 'backend_all'
    assert s.sid == num(rows[0][1]['sid'])
    assert s.process_nb == [1, 2, 3, 4]
    assert s.metric('stot') == s.requests == sum(num(r['stot']) for _i, r in rows)
    assert s.requests_per_process() == [(i, num(r['stot'])) for i, r in rows]
    assert [(p, d['svname']) for p, d in s.stats_per_process()] == [
        (i, 'srv_all1') for i, _r in rows]
    assert s.status == rows[0][1]['status'] == 'UP'
    assert s.weight == num(rows[0][1]['weight']) and isinstance(s.weight, int)
    # Every instance checks srv_all1 each second. While a check is in
    # progress HAProxy shows check_code 0, an empty last_chk and "* L7OK";
    # read the three again (bounded) until the library and every socket show
    # a moment with no check in progress on any instance.
    for _attempt in range(60):
        try:
            got = (s.check_status, s.check_code, s.last_status)
        except exceptions.IncosistentData:
            got = None
        held = {(r['check_status'], r['check_code'], r['last_chk'])
                for _i, r in fleet.holders('backend_all', 'srv_all1')}
        if got is not None and held == {got} and got[0] == 'L7OK':
            break
        time.sleep(0.05)
    assert got is not None and held == {got}
    assert got[:2] == ('L7OK', '200')
    ip, port = rows[0][1]['addr'].rsplit(':', 1)
    assert s.address == ip and s.port == port
    # the agent is asked each second too, and last_agt is empty while that
    # is in progress: read both again (bounded) until they show one text
    agent = hap.server('srv_agent')[0]
    for _attempt in range(60):
        got = agent.last_agent_check
        held = fleet.holders('backend_all', 'srv_agent')[0][1]['last_agt']
        if got == held != '':
            break
        time.sleep(0.05)
    assert got == held and got != ''
    with pytest.raises(ValueError, match='is not valid metric'):
        s.metric('req_tot')
    # equality: the name (as the original, for `'x' in servers`), and ours
    # also tells the same name in two backends apart
    a, b = hap.server('bck_all_srv1')[:2]
    assert a == 'bck_all_srv1' and b == 'bck_all_srv1' and a != b


def test_server_weight(fleet, hap):
    s = hap.server('bck_all_srv1', backend='backend_all')[0]

    def socks():
        return [num(r['weight']) for _i, r in fleet.holders('backend_all', 'bck_all_srv1')]
    assert s.setweight(256) is True  # the original refused 256
    assert socks() == [256] * 4 and s.weight == 256
    assert s.setweight('50%') is True  # of the configured 50
    assert socks() == [25] * 4 and s.weight == 25
    with pytest.raises(ValueError):
        s.setweight(257)
    with pytest.raises(ValueError):
        s.setweight('heavy')
    assert s.setweight(-1, die=False) is False
    assert s.setweight(50) is True and socks() == [50] * 4
    # instances disagree: the must-agree read raises, metric() averages
    fleet.cmd(3, 'set weight backend_all/bck_all_srv1 10')
    with pytest.raises(exceptions.IncosistentData) as ei:
        s.weight
    assert ei.value.results == [(1, 50), (2, 50), (3, 10), (4, 50)]
    assert s.metric('weight') == int((50 * 3 + 10) / 4)
    assert s.setweight(50) is True and socks() == [50] * 4


def test_server_states(fleet, hap):
    s = hap.server('member_bkall', backend='backend_all')[0]

    def socks():
        return {r['status'] for _i, r in fleet.holders('backend_all', 'member_bkall')}
    assert s.setstate(haproxy.STATE_DRAIN) is True
    assert socks() == {'DRAIN'} and s.status == 'DRAIN'
    assert s.setstate(haproxy.STATE_READY) is True
    assert socks() == {'no check'} and s.status == 'no check'
    assert s.setstate(haproxy.STATE_MAINT) is True
    assert socks() == {'MAINT'} and s.status == 'MAINT'
    assert s.setstate(haproxy.STATE_READY) is True
    assert s.setstate(haproxy.STATE_DISABLE) is True and socks() == {'MAINT'}
    assert s.setstate(haproxy.STATE_ENABLE) is True and socks() == {'no check'}
    with pytest.raises(ValueError,
                       match='Wrong state, allowed states enable, disable, maint, drain, ready'):
        s.setstate('up')
    assert s.setstate('up', die=False) is False
    assert s.shutdown() is True


def test_server_address_port(fleet, hap):
    s = hap.server('member_bkall', backend='backend_all')[0]
    ip, port = fleet.holders('backend_all', 'member_bkall')[0][1]['addr'].rsplit(':', 1)
    other = fleet.env['FLEET_ORIGIN_PORTS'].split()[0]
    s.port = other
    assert {r['addr'] for _i, r in fleet.holders('backend_all', 'member_bkall')} == {
        '{}:{}'.format(ip, other)}
    assert s.port == other
    s.address = '127.0.0.2'
    assert {r['addr'] for _i, r in fleet.holders('backend_all', 'member_bkall')} == {
        '127.0.0.2:{}'.format(other)}
    assert s.address == '127.0.0.2'
    s.address = ip
    s.port = port
    assert {r['addr'] for _i, r in fleet.holders('backend_all', 'member_bkall')} == {
        '{}:{}'.format(ip, port)}
    with pytest.raises(ValueError):
        s.address = 'not an address'
