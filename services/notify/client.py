"""The one HTTP client of the posts: a JSON POST through urllib, with a time-out.

Every way a post can fail (no network, the server refusing or failing, no answer in
time) is a ``PostFailed`` whose message says it in plain words; the webhook's address,
a secret, is never in it (only its host) nor in the log.
"""

from __future__ import annotations

import logging
import socket
import urllib.error
import urllib.parse
import urllib.request

from models.errors import UserFacingError

log = logging.getLogger(__name__)

USER_AGENT = "AccountRadar-notify"


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


def post_json(url: str, body: bytes, timeout: float) -> None:
    """POST ``body`` (JSON) to ``url``; PostFailed, in plain words, when it did not go."""
    host = _host(url)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(4096)
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
        log.warning("The post to %s was not answered in %ss", host, timeout)
        raise PostFailed(
            f"{host} did not answer within {timeout:g} seconds. The post is tried again next round."
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        log.warning("The post to %s did not go: %s", host, type(reason).__name__)
        if isinstance(reason, TimeoutError | socket.timeout):
            raise PostFailed(
                f"{host} did not answer within {timeout:g} seconds. The post is tried again "
                "next round."
            ) from None
        raise PostFailed(
            f"Could not reach {host} (no network, or the server is down). The post is tried "
            "again next round."
        ) from None
    except OSError as exc:
        log.warning("The post to %s did not go: %s", host, type(exc).__name__)
        raise PostFailed(
            f"Could not reach {host} ({type(exc).__name__}). The post is tried again next round."
        ) from None
