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

import http.client
import logging
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request

from models.errors import UserFacingError
from services.core.http_deadline import Deadline, deadline_handlers

log = logging.getLogger(__name__)

USER_AGENT = "AccountRadar-notify"
GRACE_S = 1.0  # for the worker to end once its sockets are shut


RETRIED = "It is tried again next round."
# A test post is sent when the person asks, never again on its own.
NOT_RETRIED = "A test post is not sent again on its own: send another once this is fixed."


class PostFailed(UserFacingError):
    """A post that did not go; nothing is lost: it is tried again next round. ``reason``:
    what went wrong, without what happens next (``str``: both)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason} {RETRIED}")
        self.reason = reason

    def words(self, *, test: bool) -> str:
        """What went wrong and what happens next, for a test post or a real one."""
        return f"{self.reason} {NOT_RETRIED if test else RETRIED}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A webhook answers where it stands; a redirect could carry the post elsewhere.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _host(url: str) -> str:
    try:
        return urllib.parse.urlsplit(url).hostname or "the server"
    except ValueError:
        return "the server"


def _post(request: urllib.request.Request, timeout: float, deadline: Deadline) -> None:
    opener = urllib.request.build_opener(_NoRedirect, *deadline_handlers(deadline))
    with opener.open(request, timeout=min(timeout, deadline.remaining())) as response:
        response.read(4096)


def _too_slow(host: str, timeout: float) -> PostFailed:
    log.warning("The post to %s was not answered in %ss", host, timeout)
    return PostFailed(f"{host} did not answer within {timeout:g} seconds.")


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
    deadline = Deadline(timeout)
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
                "Settings ▸ Slack and Teams."
            ) from None
        raise PostFailed(f"{host} could not take the post just now (HTTP {exc.code}).") from None
    except TimeoutError:
        raise _too_slow(host, timeout) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        log.warning("The post to %s did not go: %s", host, type(reason).__name__)
        if isinstance(reason, TimeoutError | socket.timeout):
            raise _too_slow(host, timeout) from None
        raise PostFailed(f"Could not reach {host} (no network, or the server is down).") from None
    except http.client.HTTPException as exc:  # a malformed answer (bad status line, ...)
        log.warning("The post to %s had a malformed answer: %s", host, type(exc).__name__)
        raise PostFailed(
            f"{host} did not answer as a webhook does ({type(exc).__name__})."
        ) from None
    except OSError as exc:
        log.warning("The post to %s did not go: %s", host, type(exc).__name__)
        raise PostFailed(f"Could not reach {host} ({type(exc).__name__}).") from None
