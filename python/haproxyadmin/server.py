"""Server: a server of one backend, merged across the instances holding it."""
from ._common import _c, must_agree, run_plan, should_die
from ._object import _Object
from .exceptions import IncosistentData
from .utils import (SERVER_METRICS, STATE_DISABLE, STATE_DRAIN, STATE_ENABLE,
                    STATE_MAINT, STATE_READY, VALID_STATES)


def _split_addr(addr):
    """'ip:port' -> (ip, port); IPv6 addresses keep their colons."""
    if not isinstance(addr, str) or ':' not in addr:
        return addr, ''
    ip, port = addr.rsplit(':', 1)
    if ip.startswith('[') and ip.endswith(']'):
        ip = ip[1:-1]
    return ip, port


class Server(_Object):
    """A server. Built by HAProxy.servers()/server() and Backend.servers()."""

    _type = _c.OBJ_SERVER
    _mask = _c.SNAP_SERVERS
    _metrics = SERVER_METRICS
    _requests_field = 'stot'

    def __init__(self, hap, name, backendname, obj=None):
        super().__init__(hap, name, obj)
        self.backendname = backendname

    def _proxy(self):
        return self.backendname

    def _backend(self):
        return self.backendname

    def __repr__(self):
        return "<Server {}/{}>".format(self.backendname, self._name)

    @property
    def sid(self):
        """Server id (sid) on its first instance."""
        return self._iid('sid')

    @property
    def weight(self):
        """Current weight, an int, the same on every instance.

        :raises IncosistentData: when instances have different weights
        """
        return self._agree('weight', 0)

    @property
    def check_code(self):
        """Code of the last health check ('' when none), as a str."""
        value = self._agree('check_code')
        return str(value)

    @property
    def check_status(self):
        """Status of the last health check (e.g. 'L4TOUT', 'L7OK'; '' when none)."""
        return self._agree('check_status')

    @property
    def last_status(self):
        """The last health check's status text (last_chk)."""
        return self._agree('last_chk')

    @property
    def last_agent_check(self):
        """The last agent check's text (last_agt)."""
        return self._agree('last_agt')

    def _addr(self):
        agg, per = self._field('addr')
        if agg is not _c.DISAGREE:
            return agg or ''
        ips = {_split_addr(v)[0] for _p, v in per}
        ports = {_split_addr(v)[1] for _p, v in per}
        return ips, ports, per

    @property
    def address(self):
        """The server's IP address (the same everywhere).

        :raises IncosistentData: when instances hold different addresses
        """
        addr = self._addr()
        if isinstance(addr, tuple):
            ips, _ports, per = addr
            if len(ips) != 1:
                raise IncosistentData(per)
            return ips.pop()
        return _split_addr(addr)[0]

    @address.setter
    def address(self, address):
        self._hap._call(self._set_addr, str(address), None)

    @property
    def port(self):
        """The server's port, as a str (the same everywhere).

        :raises IncosistentData: when instances hold different ports
        """
        addr = self._addr()
        if isinstance(addr, tuple):
            _ips, ports, per = addr
            if len(ports) != 1:
                raise IncosistentData(per)
            return ports.pop()
        return _split_addr(addr)[1]

    @port.setter
    def port(self, port):
        self._hap._call(self._set_addr, self.address, str(port))

    def _set_addr(self, address, port):
        return self._change(_c.SERVER_ADDR, address, port)

    def _change(self, change, value=None, port=None):
        plan = self._hap._fleet.server_plan(change, self._name, self.backendname, value, port)
        return self._hap._after_write(run_plan(plan, self._hap._ignored))

    @should_die
    def setstate(self, state):
        """Change the server's state on every instance holding it.

        :param state: STATE_ENABLE, STATE_DISABLE, STATE_READY, STATE_DRAIN
            or STATE_MAINT
        :return: True
        :raises ValueError: for any other state
        """
        if state == STATE_ENABLE:
            return self._hap._call(self._change, _c.SERVER_ENABLE)
        if state == STATE_DISABLE:
            return self._hap._call(self._change, _c.SERVER_DISABLE)
        if state in (STATE_READY, STATE_DRAIN, STATE_MAINT):
            return self._hap._call(self._change, _c.SERVER_STATE, state)
        raise ValueError("Wrong state, allowed states {}".format(', '.join(VALID_STATES)))

    @should_die
    def setweight(self, value):
        """Set the weight on every instance holding the server.

        :param value: an int 0..256, or a str 'N%' (relative to the
            configured weight) or 'N'
        :return: True
        :raises ValueError: when the value is not a valid weight
        """
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError("Invalid weight {!r}: expected an int 0..256 or 'N%'".format(value))
        if isinstance(value, int) and not 0 <= value <= 256:
            raise ValueError("Invalid weight {}: expected 0..256".format(value))
        return self._hap._call(self._change, _c.SERVER_WEIGHT, str(value))

    @should_die
    def shutdown(self):
        """Terminate every session of the server. True or raises."""
        return self._hap._call(self._change, _c.SERVER_SHUTDOWN_SESSIONS)
