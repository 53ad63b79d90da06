"""Shared plumbing between the public classes and the C module.

Cost model: every read of a property or metric() is ONE request per
instance (all instances in parallel) for the object's own proxy
("show stat <proxy> <type> -1"), never one command per value; listings
(frontends(), backends(), servers()) are one snapshot.
"""
import functools

try:
    from . import _haproxyadmin as _c
except ImportError:  # the build tree: the extension sits beside the package
    import _haproxyadmin as _c

from .exceptions import (CommandFailed, HAProxySocketError, IncosistentData,
                         MultipleCommandResults, SocketApplicationError,
                         SocketConnectionError, SocketPermissionError,
                         SocketTimeout, SocketTransportError)
from .utils import METRICS_AVG, METRICS_SUM

DISAGREE = _c.DISAGREE
Error = _c.Error


def should_die(method):
    """The original's decorator: die=False turns any exception into False."""
    @functools.wraps(method)
    def wrapper(*args, die=True, **kwargs):
        try:
            return method(*args, **kwargs)
        except Exception:
            if die:
                raise
            return False
    return wrapper


_SOCKET_ERRORS = {
    _c.ETIMEDOUT: SocketTimeout,
    _c.EBUSY: SocketTimeout,
    _c.ECONNREFUSED: SocketConnectionError,
    _c.ENOENT: SocketConnectionError,
    _c.EACCES: SocketPermissionError,
    _c.EPROTO: SocketApplicationError,
}


def socket_error(instance, code):
    """The original's socket exception for a library error code."""
    return _SOCKET_ERRORS.get(code, SocketTransportError)(instance)


def library_error(exc):
    """Map a _haproxyadmin.Error raised by a call to the original's classes."""
    code = getattr(exc, 'code', _c.ERROR)
    if code in (_c.EINVAL, _c.ERANGE):
        return ValueError(str(exc))
    if code in _SOCKET_ERRORS:
        return socket_error(str(exc), code)
    if code == _c.EIO:
        # "no instance reachable (INSTANCE: cause)": the instance and cause
        return SocketConnectionError(str(exc))
    return CommandFailed(str(exc))


def check_instances(snap, ignored=()):
    """Raise the socket error of the first instance that did not answer.

    A read never aggregates a subset silently: an instance that answered at
    construction and fails now makes the read fail, naming it. Instances
    that did not answer at construction (ignored) are left out, as the
    original left them out of its process list.
    """
    for name, code, msg, _flags, _level in snap.instances():
        if code and name not in ignored:
            raise socket_error(name, code)


def live_instances(snap):
    """(number, index) of the instances that count: answered, not duplicate,
    not excluded. Numbers are 1-based positions in the fleet."""
    out = []
    for i, (_name, code, _msg, flags, _level) in enumerate(snap.instances()):
        if code or flags & (_c.INST_DUPLICATE | _c.INST_EXCLUDED):
            continue
        out.append((i + 1, i))
    return out


def original_rule(name, values):
    """The original's aggregation (sum or truncated average) of numbers."""
    nums = [v for v in values if isinstance(v, int)]
    if not nums:
        return 0
    if name in METRICS_AVG:
        return int(sum(nums) / len(nums))
    return sum(nums)


def metric_value(name, agg, per_instance):
    """A metric as the original returns it: an int (0 when absent).

    The C library's per-field rule gives the aggregate; where it reports the
    instances disagreeing on a value that should agree (a weight), the
    original's rule (average or sum) gives the number.
    """
    if agg is DISAGREE:
        return original_rule(name, per_instance)
    if agg is None:
        return 0
    if isinstance(agg, str):
        try:
            return int(float(agg))
        except ValueError:
            return agg
    return agg


def must_agree(agg, per_instance):
    """The original's compare_values: the value, or IncosistentData."""
    if agg is DISAGREE:
        raise IncosistentData(per_instance)
    return agg


def check_results(results):
    """Judge a change's results as the original's check_command did.

    True when every instance applied it; CommandFailed(reply) when every
    instance refused it with the same words; MultipleCommandResults with
    [(instance, code word, message)] when the instances differ.
    """
    if not results:
        raise CommandFailed('no instance holds the object')
    bad = [r for r in results if r[3] != 0]
    if not bad:
        return True
    if len(bad) == len(results) and len({r[4] for r in bad}) == 1:
        code = bad[0][3]
        if code in _SOCKET_ERRORS:
            raise socket_error(bad[0][0], code)
        raise CommandFailed(bad[0][4])
    raise MultipleCommandResults(
        [(r[0], _c.strerror(r[3]) if r[3] else 'applied', r[4]) for r in results])


def run_plan(plan, ignored=()):
    """Apply a plan; instances missed by its read fail it (named)."""
    for name, code, _msg in plan.unreached():
        if name not in ignored:
            raise socket_error(name, code)
    return check_results(plan.apply())


__all__ = ['HAProxySocketError']
