"""The one HTTP client of the posts: a JSON POST through urllib, with one deadline.

``timeout`` bounds the whole post (connect, send, the answer's headers and body), not each
read: a server dripping a byte or a header line at a time is given up when it is up. The
post runs on a daemon worker the caller waits for; at the deadline its sockets are shut
down, so the worker ends too (a late connection is shut before anything is sent).

Every way a post can fail (no network, the server refusing or failing, no answer in
time) is a ``PostFailed`` whose message says it in plain words; the webhook's address,
a secret, is never in it (only its host) nor in the log.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from models.errors import UserFacingError

log = logging.getLogger(__name__)

USER_AGENT = "AccountRadar-notify"
GRACE_S = 1.0  # for the worker to end once its sockets are shut


class PostFailed(UserFacingError):
    """A post that did not go; nothing is lost: it is tried again next round."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A webhook answers where it stands; a redirect could carry the post elsewhere.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _host(url: str) -> str:
    try:
        return urllib.parse.urlsplit(url).hostname or "the server"
    except ValueError:
        return "the server"


class _Deadline:
    """The end of one post: every socket it opened is shut down then, and any opened later
    at once (a per-read time-out never fires on a server that sends a byte at a time)."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

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


def _shutdown(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for a TLS socket: it wakes a read blocked in the
    # worker at once.
    with contextlib.suppress(OSError):  # already closed, or detached by the TLS wrap
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watched(cls: type[http.client.HTTPConnection], deadline: _Deadline) -> Callable[..., Any]:
    """A connection factory for urllib whose sockets the deadline ends."""

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
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched(http.client.HTTPConnection, self._deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched(http.client.HTTPSConnection, self._deadline), req)


def _post(request: urllib.request.Request, timeout: float, deadline: _Deadline) -> None:
    opener = urllib.request.build_opener(
        _NoRedirect, _HTTPHandler(deadline), _HTTPSHandler(deadline)
    )
    with opener.open(request, timeout=min(timeout, deadline.remaining())) as response:
        response.read(4096)


def _too_slow(host: str, timeout: float) -> PostFailed:
    log.warning("The post to %s was not answered in %ss", host, timeout)
    return PostFailed(
        f"{host} did not answer within {timeout:g} seconds. The post is tried again next round."
    )


def post_json(url: str, body: bytes, timeout: float) -> None:
    """POST ``body`` (JSON) to ``url`` within ``timeout`` seconds in all; PostFailed, in plain
    words, when it did not go."""
    host = _host(url)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
    )
    deadline = _Deadline(timeout)
    outcome: list[BaseException | None] = []

    def work() -> None:
        try:
            _post(request, timeout, deadline)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=work, name="notify-post", daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if worker.is_alive():
        deadline.expire()
        worker.join(GRACE_S)  # a read just woken ends at once; a name look-up may not
    if deadline.expired or not outcome:  # what arrived is not the whole answer
        raise _too_slow(host, timeout)
    failure = outcome[0]
    if failure is None:
        return
    try:
        raise failure
    except urllib.error.HTTPError as exc:
        log.warning("The post to %s was refused: HTTP %s", host, exc.code)
        if 400 <= exc.code < 500:
            raise PostFailed(
                f"{host} refused the post (HTTP {exc.code}): check the webhook's address in "
                "Settings ▸ Slack and Teams. It is tried again next round."
            ) from None
        raise PostFailed(
            f"{host} could not take the post just now (HTTP {exc.code}). It is tried again "
            "next round."
        ) from None
    except TimeoutError:
        raise _too_slow(host, timeout) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        log.warning("The post to %s did not go: %s", host, type(reason).__name__)
        if isinstance(reason, TimeoutError | socket.timeout):
            raise _too_slow(host, timeout) from None
        raise PostFailed(
            f"Could not reach {host} (no network, or the server is down). The post is tried "
            "again next round."
        ) from None
    except http.client.HTTPException as exc:  # a malformed answer (bad status line, ...)
        log.warning("The post to %s had a malformed answer: %s", host, type(exc).__name__)
        raise PostFailed(
            f"{host} did not answer as a webhook does ({type(exc).__name__}). The post is "
            "tried again next round."
        ) from None
    except OSError as exc:
        log.warning("The post to %s did not go: %s", host, type(exc).__name__)
        raise PostFailed(
            f"Could not reach {host} ({type(exc).__name__}). The post is tried again next round."
        ) from None
