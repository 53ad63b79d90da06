"""Backend: a backend merged across the instances that hold it."""
from ._common import _c
from ._object import _Object
from .utils import BACKEND_METRICS


class Backend(_Object):
    """A backend. Built by HAProxy.backends()/backend()."""

    _type = _c.OBJ_BACKEND
    _mask = _c.SNAP_BACKENDS
    _metrics = BACKEND_METRICS
    _requests_field = 'stot'

    @property
    def iid(self):
        """Proxy id (iid) of the backend on its first instance."""
        return self._iid('iid')

    def servers(self, name=None):
        """The servers of the backend (one read of this backend).

        :param name: only the server of that name
        :return: a list of Server
        """
        from .server import Server
        snap = self._hap._read(_c.SNAP_SERVERS, self._name)
        return [Server(self._hap, o.name, o.backend, o)
                for o in snap.objects(_c.OBJ_SERVER)
                if o.backend == self._name and (name is None or o.name == name)]

    def server(self, name):
        """The server of that name in the backend.

        :raises ValueError: when the backend has no such server
        """
        found = self.servers(name)
        if not found:
            raise ValueError("Could not find server")
        return found[0]
