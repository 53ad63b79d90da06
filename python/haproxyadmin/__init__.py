"""haproxyadmin: manage many HAProxy instances as one, from Python.

The original haproxyadmin's API over libhaproxyadmin (a C library): HAProxy,
Frontend, Backend and Server objects, their metric lists and the state
constants. See doc/python.md for where it deliberately differs.
"""
try:
    from . import _haproxyadmin as _c
except ImportError:  # the build tree: the extension sits beside the package
    import _haproxyadmin as _c

from .utils import (BACKEND_METRICS, FRONTEND_METRICS, HAPROXY_METRICS,
                    SERVER_METRICS, STATE_DISABLE, STATE_DRAIN, STATE_ENABLE,
                    STATE_MAINT, STATE_READY, VALID_STATES)

__title__ = 'haproxyadmin'
__author__ = 'the haproxyadmin C project'
__license__ = 'Apache 2.0'
__version__ = _c.version
__copyright__ = 'Copyright the haproxyadmin authors'

__all__ = [
    'HAPROXY_METRICS', 'FRONTEND_METRICS', 'BACKEND_METRICS', 'SERVER_METRICS',
    'VALID_STATES', 'STATE_ENABLE', 'STATE_DISABLE', 'STATE_READY',
    'STATE_DRAIN', 'STATE_MAINT',
]
