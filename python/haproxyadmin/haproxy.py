"""HAProxy: the entry point, a fleet of HAProxy instances seen as one.

    >>> from haproxyadmin import haproxy
    >>> hap = haproxy.HAProxy(socket_dir='/run/haproxy')
    >>> hap.server('bck_all_srv1')[0].weight

The original's API (haproxyadmin 0.2.4) over libhaproxyadmin: every read is
one parallel request per instance; every change is planned from a fresh read
and applied in parallel to each instance holding the object.
"""
import os

from ._common import (DISAGREE, Error, _c, check_instances, library_error,
                      live_instances, metric_value, must_agree, run_plan,
                      should_die)
from .backend import Backend
from .exceptions import CommandFailed
from .frontend import Frontend
from .server import Server
# the state constants, here too (the seed page writes haproxy.STATE_DISABLE)
from .utils import (HAPROXY_METRICS, STATE_DISABLE, STATE_DRAIN,  # noqa: F401
                    STATE_ENABLE, STATE_MAINT, STATE_READY, VALID_STATES)

__all__ = ['HAProxy', 'STATE_ENABLE', 'STATE_DISABLE', 'STATE_READY',
           'STATE_DRAIN', 'STATE_MAINT', 'VALID_STATES']


def _is_unix_socket(path):
    import stat
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


def _lines(text):
    """A reply as the original's list of lines (one trailing empty line dropped)."""
    lines = (text or '').splitlines()
    return lines


def _pattern_id(value):
    """An ACL/map id: the original sent an integer as '#<id>'."""
    value = str(value).strip()
    try:
        int(value)
        return '#' + value
    except ValueError:
        return value


def _entry_key(key):
    """The original's rule: a key starting with 0x is an entry reference."""
    key = str(key)
    return '#' + key if key.startswith('0x') else key


class HAProxy:
    """A set of HAProxy instances managed as one.

    :param socket_dir: a directory: every UNIX socket in it (sorted by name)
    :param socket_file: one UNIX socket
    :param retry: extra connection attempts per exchange (None: none)
    :param retry_interval: kept for compatibility; the C library retries at
        once within its deadline
    :param timeout: seconds allowed for one exchange with one instance
    :param endpoints: more endpoints, in every form the CLI takes: a socket
        path, a directory, tcp:HOST:PORT, master:PATH, master:tcp:HOST:PORT
    :raises ValueError: as the original, when no socket answers
    """

    def __init__(self, socket_dir=None, socket_file=None, retry=2, retry_interval=2,
                 timeout=1, endpoints=None):
        specs = []
        if socket_dir:
            if not os.path.exists(socket_dir):
                raise ValueError("socket directory does not exist {}".format(socket_dir))
            specs.append(socket_dir)
        elif socket_file:
            if not os.path.exists(socket_file):
                raise ValueError("{} UNIX socket file was not found".format(socket_file))
            if not _is_unix_socket(socket_file):
                raise ValueError("UNIX socket file was not set")
            specs.append(os.path.realpath(socket_file))
        if endpoints:
            if isinstance(endpoints, str):
                endpoints = [endpoints]
            specs.extend(str(e) for e in endpoints)
        if not specs:
            raise ValueError("UNIX socket file was not set")
        if retry is None:
            retries = -1
        else:
            retries = max(int(retry), 0) or -1
        self.socket_dir = socket_dir
        self.socket_file = socket_file
        self.retry = retry
        self.retry_interval = retry_interval
        self.timeout = timeout
        novalid = "No valid UNIX socket file was found, directory: {} file: {}".format(
            socket_dir, socket_file)
        try:
            self._fleet = _c.Fleet(specs, timeout_ms=max(int(timeout * 1000), 1),
                                   retries=retries)
            snap = self._fleet.snapshot(0)
        except Error as exc:
            # the original's words, then the cause
            raise ValueError("{} ({})".format(novalid, exc)) from None
        self._frozen = None
        # as the original, sockets that do not answer now are left out
        self.unreachable = {name: msg for name, code, msg, _f, _l in snap.instances() if code}
        self._ignored = frozenset(self.unreachable)
        if not snap.live_count():
            raise ValueError("{} ({})".format(novalid, '; '.join(
                '{}: {}'.format(k, v) for k, v in self.unreachable.items())))

    # ------------------------------------------------------------ plumbing
    def _read(self, mask, proxy=None):
        if self._frozen is not None:
            return self._frozen
        try:
            snap = self._fleet.snapshot(mask, proxy)
        except Error as exc:
            raise library_error(exc) from None
        check_instances(snap, self._ignored)
        return snap

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except Error as exc:
            raise library_error(exc) from None

    def _after_write(self, result):
        if self._frozen is not None:
            self._frozen = None
            self._frozen = self._read(_c.SNAP_ALL)
        return result

    def snapshot(self):
        """A context in which every read answers from one snapshot.

        Outside it, every property read asks the instances afresh (one
        request per instance for the object's proxy). Inside
        ``with hap.snapshot():``, the whole fleet is read once on entry and
        reads answer from that read (a change made through this object
        reads it again): the way to walk 80,000 servers in seconds.
        """
        return _Frozen(self)

    @property
    def endpoints(self):
        """The endpoints the fleet was built from."""
        return self._fleet.endpoints()

    def _info(self):
        return self._read(0)

    def _info_values(self, key):
        snap = self._info()
        per = [(n, snap.info(key, i)) for n, i in live_instances(snap)]
        return snap.info(key), per

    # ------------------------------------------------------------ reads
    def info(self):
        """show info of every instance: a list of dicts of str values."""
        snap = self._info()
        keys = snap.info_keys()
        out = []
        for _n, i in live_instances(snap):
            d = {}
            for k in keys:
                v = snap.info(k, i)
                if v is not None and v is not DISAGREE:
                    d[k] = str(v)
                elif v is None:
                    d[k] = ''
            out.append(d)
        return out

    def metric(self, name):
        """A show info value aggregated across instances (an int).

        :param name: one of HAPROXY_METRICS
        :raises ValueError: when name is not a valid metric
        """
        if name not in HAPROXY_METRICS:
            raise ValueError("{} is not valid metric".format(name))
        agg, per = self._info_values(name)
        return metric_value(name, agg, [v for _n, v in per])

    def _agree_info(self, key):
        agg, per = self._info_values(key)
        value = must_agree(agg, per)
        return '' if value is None else value

    @property
    def totalrequests(self):
        """Requests received (CumReq), summed."""
        return self.metric('CumReq')

    @property
    def processids(self):
        """The pid of every instance (ints)."""
        _agg, per = self._info_values('Pid')
        return [v for _n, v in per]

    @property
    def maxconn(self):
        """maxconn (Maxconn), summed over the instances."""
        return self.metric('Maxconn')

    @property
    def ratelimitconn(self):
        """Connection rate limit (ConnRateLimit), summed."""
        return self.metric('ConnRateLimit')

    @property
    def ratelimitsess(self):
        """Session rate limit (SessRateLimit), summed."""
        return self.metric('SessRateLimit')

    @property
    def ratelimitsslsess(self):
        """SSL session rate limit (SslRateLimit), summed."""
        return self.metric('SslRateLimit')

    @property
    def requests(self):
        """HTTP requests of every frontend (req_tot), summed (one read)."""
        snap = self._read(_c.SNAP_FRONTENDS)
        total = 0
        for obj in snap.objects(_c.OBJ_FRONTEND):
            agg, insts = obj.values(('req_tot',))
            total += metric_value('req_tot', agg[0], [t[0] for t in insts])
        return total

    @property
    def uptime(self):
        """Uptime of the first instance ('2d 0h55m09s')."""
        _agg, per = self._info_values('Uptime')
        return per[0][1] if per else ''

    @property
    def uptimesec(self):
        """Uptime of the first instance in seconds (an int)."""
        _agg, per = self._info_values('Uptime_sec')
        return per[0][1] if per else 0

    @property
    def description(self):
        """description, the same on every instance ('' when none)."""
        return self._agree_info('description')

    @property
    def nodename(self):
        """node name, the same on every instance."""
        return self._agree_info('node')

    @property
    def releasedate(self):
        """HAProxy's release date, the same on every instance."""
        return self._agree_info('Release_date')

    @property
    def version(self):
        """HAProxy's version, the same on every instance."""
        return self._agree_info('Version')

    # ------------------------------------------------------------ objects
    def frontends(self, name=None):
        """Frontends (one read): a list of Frontend."""
        snap = self._read(_c.SNAP_FRONTENDS)
        return [Frontend(self, o.name, o) for o in snap.objects(_c.OBJ_FRONTEND)
                if name is None or o.name == name]

    def frontend(self, name):
        """The frontend of that name. :raises ValueError: when there is none."""
        found = self.frontends(name)
        if not found:
            raise ValueError("Could not find frontend")
        return found[0]

    def backends(self, name=None):
        """Backends (one read): a list of Backend."""
        snap = self._read(_c.SNAP_BACKENDS)
        return [Backend(self, o.name, o) for o in snap.objects(_c.OBJ_BACKEND)
                if name is None or o.name == name]

    def backend(self, name):
        """The backend of that name. :raises ValueError: when there is none."""
        found = self.backends(name)
        if not found:
            raise ValueError("Could not find backend")
        return found[0]

    def servers(self, backend=None):
        """Every server (one read), or those of one backend: a list of Server."""
        snap = self._read(_c.SNAP_SERVERS, backend)
        return [Server(self, o.name, o.backend, o) for o in snap.objects(_c.OBJ_SERVER)
                if backend is None or o.backend == backend]

    def server(self, hostname, backend=None):
        """The servers named hostname, one per backend holding it (one read).

        :raises ValueError: when no backend has it
        """
        found = [s for s in self.servers(backend) if s.name == hostname]
        if not found:
            raise ValueError("Could not find server")
        return found

    # ------------------------------------------------------------ commands
    @should_die
    def command(self, cmd):
        """A raw command sent to every instance: [(process number, [lines])]."""
        res = self._call(self._fleet.exec, cmd)
        out = []
        for k, (inst, _obj, _cmd, code, msg, _sent) in enumerate(res):
            if code and inst not in self._ignored:
                from ._common import socket_error
                raise socket_error(inst, code)
            if code:
                continue
            out.append((str(k + 1), _lines(msg)))
        return out

    @should_die
    def errors(self, iid=None):
        """show errors [iid] of every instance: [(process number, [lines])]."""
        if iid is None:
            return self.command('show errors')
        return self.command('show errors {}'.format(iid))

    def _global(self, change, value=None):
        plan = self._fleet.global_plan(change, value)
        return self._after_write(run_plan(plan, self._ignored))

    def _set_global(self, change, value):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("Expected integer and got {}".format(type(value)))
        return self._call(self._global, change, str(value))

    @should_die
    def setmaxconn(self, value):
        """set maxconn global <value> on every instance. True or raises."""
        return self._set_global(_c.GLOBAL_MAXCONN, value)

    @should_die
    def setratelimitconn(self, value):
        """set rate-limit connections global <value>. True or raises."""
        return self._set_global(_c.GLOBAL_RATE_CONNECTIONS, value)

    @should_die
    def setratelimitsess(self, value):
        """set rate-limit sessions global <value>. True or raises."""
        return self._set_global(_c.GLOBAL_RATE_SESSIONS, value)

    @should_die
    def setratelimitsslsess(self, value):
        """set rate-limit ssl-sessions global <value>. True or raises."""
        return self._set_global(_c.GLOBAL_RATE_SSL_SESSIONS, value)

    @should_die
    def clearcounters(self, all=False):  # noqa: A002 (the original's name)
        """clear counters [all] on every instance. True or raises."""
        change = _c.GLOBAL_CLEAR_COUNTERS_ALL if all else _c.GLOBAL_CLEAR_COUNTERS
        return self._call(self._global, change)

    # ------------------------------------------------------------ ACLs and maps
    def _pattern_change(self, kind, verb, pid, key=None, value=None):
        plan, _file, _note = self._fleet.pattern_plan(kind, verb, _pattern_id(pid), key, value)
        return self._after_write(run_plan(plan, self._ignored))

    def _pattern_read(self, kind, verb, pid, key=None):
        pfile, _note, _agree, rows = self._call(
            self._fleet.pattern_read, kind, verb, _pattern_id(pid), key)
        for inst, code, msg, entries, answer in rows:
            if code == _c.ENOTFOUND:
                continue
            if code:
                raise CommandFailed(msg)
            return entries, answer
        raise CommandFailed("{} is loaded by no instance".format(pfile))

    def _show_list(self, what):
        for _proc, lines in self.command('show ' + what):
            return [line for line in lines if line != ''] if lines != [''] else []
        return []

    @should_die
    def show_acl(self, aclid=None):
        """The ACLs (no id) or the entries of one ACL ('<ref> <pattern>' lines).

        An entry list comes from the first instance loading the ACL; [] when
        empty. :raises CommandFailed: when no instance knows the id
        """
        if aclid is None:
            return self._show_list('acl')
        entries, _ = self._pattern_read(_c.PAT_ACL, _c.PATTERN_SHOW, aclid)
        return ['{} {}'.format(ref, key) for ref, key, _v in entries]

    @should_die
    def show_map(self, mapid=None):
        """The maps (no id) or the entries of one map ('<ref> <key> <value>')."""
        if mapid is None:
            return self._show_list('map')
        entries, _ = self._pattern_read(_c.PAT_MAP, _c.PATTERN_SHOW, mapid)
        return ['{} {} {}'.format(ref, key, value) for ref, key, value in entries]

    @should_die
    def get_acl(self, acl, value):
        """How value matches the ACL: HAProxy's one-line answer."""
        _e, answer = self._pattern_read(_c.PAT_ACL, _c.PATTERN_GET, acl, str(value))
        return answer

    @should_die
    def get_map(self, mapid, value):
        """How value matches the map: HAProxy's one-line answer."""
        _e, answer = self._pattern_read(_c.PAT_MAP, _c.PATTERN_GET, mapid, str(value))
        return answer

    @should_die
    def add_acl(self, acl, pattern):
        """Add a pattern to an ACL on every instance loading it. True or raises."""
        return self._call(self._pattern_change, _c.PAT_ACL, _c.PATTERN_ADD, acl, str(pattern))

    @should_die
    def del_acl(self, acl, key):
        """Delete a pattern (or a 0x entry reference) from an ACL. True or raises."""
        return self._call(self._pattern_change, _c.PAT_ACL, _c.PATTERN_DEL, acl,
                          _entry_key(key))

    @should_die
    def clear_acl(self, acl):
        """Remove every entry of an ACL. True or raises."""
        return self._call(self._pattern_change, _c.PAT_ACL, _c.PATTERN_CLEAR, acl)

    @should_die
    def add_map(self, mapid, key, value):
        """Add key value to a map on every instance loading it. True or raises."""
        return self._call(self._pattern_change, _c.PAT_MAP, _c.PATTERN_ADD, mapid, str(key),
                          str(value))

    @should_die
    def set_map(self, mapid, key, value):
        """Set the value of key (or a 0x entry reference) in a map. True or raises."""
        return self._call(self._pattern_change, _c.PAT_MAP, _c.PATTERN_SET, mapid,
                          _entry_key(key), str(value))

    @should_die
    def del_map(self, mapid, key):
        """Delete key (or a 0x entry reference) from a map. True or raises."""
        return self._call(self._pattern_change, _c.PAT_MAP, _c.PATTERN_DEL, mapid,
                          _entry_key(key))

    @should_die
    def clear_map(self, mapid):
        """Remove every entry of a map. True or raises."""
        return self._call(self._pattern_change, _c.PAT_MAP, _c.PATTERN_CLEAR, mapid)


class _Frozen:
    def __init__(self, hap):
        self._hap = hap

    def __enter__(self):
        self._hap._frozen = None
        self._hap._frozen = self._hap._read(_c.SNAP_ALL)
        return self._hap

    def __exit__(self, *exc):
        self._hap._frozen = None
        return False
