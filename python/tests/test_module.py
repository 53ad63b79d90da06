"""The C extension module itself: types, ownership (an object keeps its
parent alive), errors as exceptions, values, plans and results."""
import gc

import pytest

from haproxyadmin import _c


def test_objects_keep_their_parents_alive(fleet):
    f = _c.Fleet([fleet.sockdir])
    snap = f.snapshot(_c.SNAP_SERVERS, 'backend_all')
    objs = snap.objects(_c.OBJ_SERVER)
    del f, snap
    gc.collect()
    names = sorted(o.name for o in objs)
    assert 'bck_all_srv1' in names
    o = [x for x in objs if x.name == 'srv_all1'][0]
    agg, per = o.values(('status', 'weight', 'no_such_field'))
    assert agg[0] == 'UP' and agg[2] is None
    assert [p[0] for p in per] == ['UP'] * 4
    assert o.backend == 'backend_all' and o.type == _c.OBJ_SERVER
    assert o.snapshot.count(_c.OBJ_SERVER) == len(objs)
    plan = _c.Fleet([fleet.sockdir]).server_plan(_c.SERVER_WEIGHT, 'srv_all1', 'backend_all', '1')
    gc.collect()
    entries = plan.entries()
    assert len(entries) == 4 and entries[0][2] == 'set weight backend_all/srv_all1 1'
    res = plan.apply()
    assert [r[3] for r in res] == [0] * 4 and all(r[5] for r in res)
    for i in range(1, 5):
        assert fleet.row(i, 'backend_all', 'srv_all1')['weight'] == '1'


def test_errors_are_exceptions(fleet):
    with pytest.raises(_c.Error) as ei:
        _c.Fleet(['tcp:nohost'])
    assert ei.value.code == _c.EINVAL and ei.value.codename
    f = _c.Fleet(fleet.socks)
    with pytest.raises(_c.Error) as ei:
        f.server_plan(_c.SERVER_WEIGHT, 'srv_all1', 'backend_all', '300')
    assert ei.value.code == _c.EINVAL and str(ei.value)
    with pytest.raises(_c.Error) as ei:
        f.server_plan(_c.SERVER_WEIGHT, 'no_such_server', None, '3')
    assert ei.value.code == _c.ENOTFOUND
    with pytest.raises(_c.Error):
        f.snapshot(_c.SNAP_SERVERS, 'bad;name')
    with pytest.raises(_c.Error):
        _c.name_check('backend', 'a b')


def test_values_and_disagreement(fleet):
    f = _c.Fleet(fleet.socks)
    snap = f.snapshot(0)
    assert snap.live_count() == 4
    assert snap.info('node') is _c.DISAGREE
    assert [snap.info('node', i) for i in range(4)] == ['lab-inst%d' % i for i in range(1, 5)]
    assert snap.info('Maxconn') == sum(int(fleet.info(i)['Maxconn']) for i in range(1, 5))
    assert repr(_c.DISAGREE) == 'DISAGREE'
    assert [i[0] for i in snap.instances()] == fleet.socks
    res = f.exec('show info')
    assert [r[0] for r in res] == fleet.socks and all(r[3] == 0 for r in res)
    assert _c.field_rule(_c.OBJ_SERVER, 'scur') == 'sum'
    assert 'scur' in _c.known_fields(_c.OBJ_SERVER)
    assert _c.strerror(_c.ETIMEDOUT)
