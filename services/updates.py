"""The update check: is a newer Account Radar out? Off unless IT sets an address.

``updates.check_url`` (empty by default: nothing is ever requested) names a small JSON file
on the organisation's server, for example::

    {"version": "1.2.0", "url": "https://intranet.example/account-radar", "notes": "..."}

The window asks it once at start-up in the background and says in the status bar when a
newer version is out; ``python main.py update check`` prints the same. Nothing is
downloaded or installed: IT rolls the new version out (the MSI, the .deb).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Literal

from services.setting_spec import SettingSpec
from services.version import app_version

CHECK_URL = "updates.check_url"
TIMEOUT_S = 5.0
MAX_BYTES = 64_000

UPDATE_SPECS = (
    SettingSpec(
        CHECK_URL, str, "", "Update check address", None, "Updates",
        help="A JSON file on your organisation's server saying the latest version "
        '({"version": "1.2.0", "url": "..."}), asked once at start-up. Empty: never '
        "checked (nothing leaves this computer). Usually set by IT.",
    ),
)  # fmt: skip

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


def check(url: str, running: str | None = None, timeout_s: float = TIMEOUT_S) -> UpdateCheck:
    """Ask ``url`` for the latest version; never raises (a failure is a result)."""
    running = running or app_version()
    url = url.strip()
    if not url:
        return UpdateCheck("off", running)
    if not url.startswith(("https://", "http://")):
        return UpdateCheck("failed", running, problem=f"{url!r} is not an http(s) address.")
    request = urllib.request.Request(url, headers={"User-Agent": f"AccountRadar/{running}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            raw = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        return UpdateCheck("failed", running, problem=f"{url} answered {exc.code} {exc.reason}.")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return UpdateCheck("failed", running, problem=f"{url} could not be reached ({reason}).")
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
