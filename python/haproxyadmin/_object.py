"""What Frontend, Backend and Server share: a fresh one-proxy read."""
from ._common import _c, metric_value, must_agree


class _Object:
    """A frontend, backend or server merged across the fleet's instances.

    It keeps its name (and backend) and the HAProxy object it came from;
    every read asks the instances afresh, with one request per instance for
    this object's proxy.
    """

    _type = None   # _c.OBJ_*
    _mask = None   # _c.SNAP_*
    _metrics = ()  # the original's metric list for metric()

    def __init__(self, hap, name, obj=None):
        self._hap = hap
        self._name = name
        self._obj = obj  # the _c.Object it was listed from (process_nb)

    # -- reading
    def _proxy(self):
        return self._name

    def _backend(self):
        return None

    def _fresh(self):
        snap = self._hap._read(self._mask, self._proxy())
        obj = snap.find(self._type, self._name, self._backend())
        if obj is None:
            # the original raised KeyError(name) for an object gone from
            # the running configuration
            raise KeyError(self._name)
        self._obj = obj
        return obj

    def _read(self, fields):
        """(aggregate tuple, [(process number, tuple)]) of fields, fresh."""
        obj = self._fresh()
        agg, insts = obj.values(fields)
        procs = [i + 1 for i in obj.instances()]
        return agg, list(zip(procs, insts))

    def _field(self, field):
        agg, per = self._read((field,))
        return agg[0], [(p, v[0]) for p, v in per]

    def _agree(self, field, empty=''):
        agg, per = self._field(field)
        value = must_agree(agg, per)
        return empty if value is None else value

    # -- the original's API
    @property
    def name(self):
        """Name of the object."""
        return self._name

    @property
    def process_nb(self):
        """Numbers (1-based positions in the fleet) of the instances holding it."""
        obj = self._obj if self._obj is not None else self._fresh()
        return [i + 1 for i in obj.instances()]

    def metric(self, name):
        """A statistic, aggregated across instances, as an int.

        :param name: one of the class's metric list (e.g. SERVER_METRICS)
        :raises ValueError: when name is not a valid metric
        """
        if name not in self._metrics:
            raise ValueError("{} is not valid metric".format(name))
        agg, per = self._field(name)
        return metric_value(name, agg, [v for _p, v in per])

    def _iid(self, field):
        obj = self._fresh()
        agg, insts = obj.values((field,))
        return insts[0][0] if insts else None

    def requests_per_process(self):
        """[(process number, requests)] (ints)."""
        _agg, per = self._field(self._requests_field)
        return [(p, 0 if v is None else v) for p, v in per]

    def stats_per_process(self):
        """[(process number, {field: value})] of every field of the object."""
        obj = self._fresh()
        _agg, insts = obj.rows()
        procs = [i + 1 for i in obj.instances()]
        return [(p, {k: ('' if v is None else v) for k, v in d.items()})
                for p, d in zip(procs, insts)]

    @property
    def requests(self):
        """Requests, summed across instances."""
        agg, per = self._field(self._requests_field)
        return metric_value('stot', agg, [v for _p, v in per])

    @property
    def status(self):
        """Status (e.g. 'UP', 'OPEN', 'MAINT'), the same on every instance.

        :raises IncosistentData: when instances report different statuses
        """
        return self._agree('status')

    def __eq__(self, other):
        if isinstance(other, str):
            return self._name == other
        if isinstance(other, type(self)):
            return (self._backend(), self._name) == (other._backend(), other._name)
        return NotImplemented

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return "<{} {}>".format(type(self).__name__, self._name)
