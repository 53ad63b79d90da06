"""Frontend: a frontend merged across the instances that hold it."""
from ._common import _c, run_plan, should_die
from ._object import _Object
from .utils import FRONTEND_METRICS


class Frontend(_Object):
    """A frontend (listener side). Built by HAProxy.frontends()/frontend()."""

    _type = _c.OBJ_FRONTEND
    _mask = _c.SNAP_FRONTENDS
    _metrics = FRONTEND_METRICS
    _requests_field = 'req_tot'

    @property
    def iid(self):
        """Proxy id (iid) of the frontend on its first instance."""
        return self._iid('iid')

    @property
    def maxconn(self):
        """Session limit (slim), summed across instances."""
        return self.metric('slim')

    @property
    def requests(self):
        """HTTP requests (req_tot), summed across instances."""
        return self.metric('req_tot')

    def _change(self, change, value=None):
        plan = self._hap._fleet.frontend_plan(change, [self._name], value)
        return self._hap._after_write(run_plan(plan, self._hap._ignored))

    @should_die
    def disable(self):
        """Stop accepting connections ("disable frontend"). True or raises."""
        return self._hap._call(self._change, _c.FRONTEND_DISABLE)

    @should_die
    def enable(self):
        """Accept connections again ("enable frontend"). True or raises."""
        return self._hap._call(self._change, _c.FRONTEND_ENABLE)

    @should_die
    def shutdown(self):
        """Stop the frontend for good ("shutdown frontend"). True or raises."""
        return self._hap._call(self._change, _c.FRONTEND_SHUTDOWN)

    @should_die
    def setmaxconn(self, value):
        """Set the frontend's maxconn on every instance holding it.

        :param value: an int
        :raises ValueError: when value is not an int
        """
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("Expected integer and got {}".format(type(value)))
        return self._hap._call(self._change, _c.FRONTEND_MAXCONN, str(value))
