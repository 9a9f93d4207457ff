"""The update check: is a newer Account Radar out? Off unless IT sets an address.

``updates.check_url`` (empty by default: nothing is ever requested) names a small JSON file
on the organisation's server, for example::

    {"version": "1.2.0", "url": "https://intranet.example/account-radar", "notes": "..."}

The window asks it once at start-up in the background and says in the status bar when a
newer version is out; ``python main.py update check`` prints the same. Nothing is
downloaded or installed: IT rolls the new version out (the MSI, the .deb).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Literal

from services.core.http_deadline import Deadline, deadline_handlers
from services.core.version import app_version

CHECK_URL = "updates.check_url"
TIMEOUT_S = 5.0  # for each connect or read
DEADLINE_S = 20.0  # for the whole answer: a server dripping a byte at a time is cut off
MAX_BYTES = 64_000

Status = Literal["off", "current", "newer", "failed"]


@dataclass(frozen=True)
class UpdateCheck:
    status: Status
    running: str
    latest: str = ""
    url: str = ""
    notes: str = ""
    problem: str = ""

    @property
    def message(self) -> str:
        """One line for the status bar or the command line."""
        if self.status == "off":
            return f"Update check is off (no {CHECK_URL} set); this is version {self.running}."
        if self.status == "current":
            return f"Account Radar {self.running} is the latest version."
        if self.status == "newer":
            where = f" from {self.url}" if self.url else ""
            return f"Account Radar {self.latest} is available — ask IT or download it{where}."
        return f"Could not check for updates: {self.problem}"


def version_key(text: str) -> tuple[int, ...]:
    """ "1.10.0" -> (1, 10, 0): compared numerically; a suffix ("rc1") is ignored."""
    parts = []
    for piece in text.strip().lstrip("vV").split(".")[:4]:
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
    if not parts:
        raise ValueError(f"'{text}' is not a version number")
    return tuple(parts + [0] * (3 - len(parts)))


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redirect_problem(original: str, target: str) -> str | None:
    """Why a redirect from ``original`` to ``target`` is refused, or None when it may be
    followed: https always; plain http only from an http address on this computer to another
    (a test server); nothing else (ftp://, file://, a downgrade from https)."""
    new = urllib.parse.urlsplit(target)
    if new.scheme == "https":
        return None
    first = urllib.parse.urlsplit(original)
    local_http = first.scheme == "http" and _is_loopback(first.hostname)
    if new.scheme == "http" and local_http and _is_loopback(new.hostname):
        return None
    return (
        f"it redirected to {target}, which is not an https address, so it was not followed. "
        "Ask IT to set updates.check_url to the file's final https address."
    )


class _RedirectRefused(urllib.error.URLError):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only when redirect_problem() allows it (checked before urllib's
    own rules, which let ftp:// through)."""

    def __init__(self, original: str) -> None:
        self._original = original

    def http_error_302(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any
    ) -> Any:
        location = headers.get("location") or headers.get("uri")
        if location:
            target = urllib.parse.urljoin(req.full_url, location.strip())
            problem = redirect_problem(self._original, target)
            if problem is not None:
                raise _RedirectRefused(problem)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _fetch(url: str, running: str, timeout_s: float, deadline: Deadline) -> bytes:
    opener = urllib.request.build_opener(_GuardedRedirects(url), *deadline_handlers(deadline))
    request = urllib.request.Request(url, headers={"User-Agent": f"AccountRadar/{running}"})
    with opener.open(request, timeout=min(timeout_s, deadline.remaining())) as response:
        return bytes(response.read(MAX_BYTES + 1))


def check(
    url: str,
    running: str | None = None,
    timeout_s: float = TIMEOUT_S,
    deadline_s: float | None = None,
) -> UpdateCheck:
    """Ask ``url`` for the latest version; never raises (a failure is a result).

    ``timeout_s`` bounds each connect or read, ``deadline_s`` (DEADLINE_S) the whole exchange.
    """
    deadline_s = DEADLINE_S if deadline_s is None else deadline_s
    running = running or app_version()
    url = url.strip()
    if not url:
        return UpdateCheck("off", running)
    if not url.startswith(("https://", "http://")):
        return UpdateCheck("failed", running, problem=f"{url!r} is not an http(s) address.")
    deadline = Deadline(deadline_s, timer=True)
    try:
        raw = _fetch(url, running, timeout_s, deadline)
    except _RedirectRefused as exc:
        return UpdateCheck("failed", running, problem=f"{url} {exc.problem}")
    except urllib.error.HTTPError as exc:
        return UpdateCheck("failed", running, problem=f"{url} answered {exc.code} {exc.reason}.")
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        if deadline.expired:
            return _too_slow(url, running, deadline_s)
        reason = getattr(exc, "reason", exc)
        return UpdateCheck("failed", running, problem=f"{url} could not be reached ({reason}).")
    finally:
        deadline.cancel()
    if deadline.expired:  # the socket was ended: what arrived is not the whole file
        return _too_slow(url, running, deadline_s)
    if len(raw) > MAX_BYTES:
        return UpdateCheck("failed", running, problem=f"{url} sent more than a version file.")
    try:
        data = json.loads(raw.decode("utf-8"))
        latest = str(data["version"])
        newer = version_key(latest) > version_key(running)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return UpdateCheck(
            "failed", running, problem=f'{url} did not send {{"version": "..."}} as JSON.'
        )
    link = str(data.get("url") or "") if isinstance(data, dict) else ""
    notes = str(data.get("notes") or "") if isinstance(data, dict) else ""
    if not link.startswith(("https://", "http://")):
        link = ""  # only a web address is shown as where to get it
    return UpdateCheck("newer" if newer else "current", running, latest, link, notes)


def _too_slow(url: str, running: str, deadline_s: float) -> UpdateCheck:
    problem = (
        f"{url} did not send the whole version file within {deadline_s:g} s, so the check "
        "was stopped. Try again later; if it keeps happening, ask IT to check that server."
    )
    return UpdateCheck("failed", running, problem=problem)
