"""Exceptions of haproxyadmin, as the original library defines them.

Hierarchy::

    HAProxyBaseError
      CommandFailed
      HAProxyDataError
        MultipleCommandResults
        IncosistentData (the original's spelling; InconsistentData is an alias)
      HAProxySocketError
        SocketTimeout
        SocketPermissionError
        SocketConnectionError
        SocketApplicationError
        SocketTransportError

Unlike the original, every socket error class is raised where it applies
(the original never raised SocketPermissionError nor SocketApplicationError).
"""


class HAProxyBaseError(Exception):
    """Base class of every haproxyadmin error; .message holds the text."""

    message = ''

    def __init__(self, message=''):
        if message:
            self.message = message
        super().__init__(self.message)


class CommandFailed(HAProxyBaseError):
    """HAProxy refused a command: .message is its reply, verbatim."""


class HAProxyDataError(HAProxyBaseError):
    """Base of the errors about data that differs between processes.

    .results is the list of (process number, value) tuples.
    """

    def __init__(self, results):
        self.results = results
        super().__init__()


class MultipleCommandResults(HAProxyDataError):
    """A command got different replies from different processes."""

    message = 'Received different result per HAProxy process'


class IncosistentData(HAProxyDataError):
    """A value that must be the same everywhere differs between processes."""

    message = 'Received different data per HAProxy process'


InconsistentData = IncosistentData


class HAProxySocketError(HAProxyBaseError):
    """Base of the socket errors; .socket_file names the socket (instance)."""

    def __init__(self, socket_file):
        self.socket_file = socket_file
        self.message = "{} {}".format(self.message, socket_file)
        super().__init__(self.message)


class SocketTimeout(HAProxySocketError):
    """The instance did not answer within the timeout."""

    message = 'Socket timed out'


class SocketPermissionError(HAProxySocketError):
    """The socket file cannot be opened (permissions)."""

    message = 'No permissions are granted to access socket file'


class SocketConnectionError(HAProxySocketError):
    """Nothing listens behind the socket file."""

    message = 'No process is bound to socket file'


class SocketApplicationError(HAProxySocketError):
    """Something answers on the socket, but not HAProxy's runtime API."""

    message = 'HAProxy is not bound to socket file'


class SocketTransportError(HAProxySocketError):
    """Any other transport failure."""

    message = 'Transport endpoint is already connected'
