"""One deadline for a whole HTTP exchange through urllib (connect, send, headers, body),
shared by the update check and the Slack/Teams posts.

A per-read time-out never fires on a server that sends a byte every few seconds. A
``Deadline`` instead keeps every socket the exchange opens and shuts them all down when
its time is up (by its own timer, or when the caller calls ``expire``), which wakes a
read blocked in another thread at once; a socket opened after that is shut down as soon
as it is made. ``deadline_handlers`` gives the urllib handlers whose connections it
watches.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any


class Deadline:
    """The end of one exchange, ``seconds`` from now; with ``timer``, it expires by itself."""

    def __init__(self, seconds: float, *, timer: bool = False) -> None:
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer: threading.Timer | None = None
        if timer:
            self._timer = threading.Timer(seconds, self.expire)
            self._timer.daemon = True
            self._timer.start()

    def remaining(self) -> float:
        return max(self.end - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shutdown(sock)
        return sock

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def cancel(self) -> None:
        """Stop the timer (the exchange ended in time)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()


def _shutdown(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for a TLS socket (SSLSocket.shutdown would unwrap
    # TLS under the reading thread's feet); it wakes a read blocked in another thread at once.
    with contextlib.suppress(OSError):  # already closed, or detached by the TLS wrap
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watched(cls: type[http.client.HTTPConnection], deadline: Deadline) -> Callable[..., Any]:
    """A connection factory for urllib whose sockets the deadline can end."""

    def make(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        connection = cls(*args, **kwargs)
        create = connection._create_connection  # type: ignore[attr-defined]

        def connect(address: Any, timeout: Any = None, *rest: Any) -> socket.socket:
            if isinstance(timeout, (int, float)):
                timeout = min(float(timeout), deadline.remaining())
            return deadline.watch(create(address, timeout, *rest))

        connection._create_connection = connect  # type: ignore[attr-defined]
        plain_connect = connection.connect

        def connect_and_watch() -> None:
            plain_connect()
            # After a TLS handshake the socket created above is detached: watch the TLS one.
            if isinstance(connection.sock, socket.socket):
                deadline.watch(connection.sock)

        connection.connect = connect_and_watch  # type: ignore[method-assign]
        return connection

    return make


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched(http.client.HTTPConnection, self._deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched(http.client.HTTPSConnection, self._deadline), req)


def deadline_handlers(deadline: Deadline) -> tuple[urllib.request.BaseHandler, ...]:
    """The urllib handlers (http and https) whose connections ``deadline`` ends."""
    return (_HTTPHandler(deadline), _HTTPSHandler(deadline))
