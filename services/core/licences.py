"""The licences of what the app bundles: every runtime dependency (requirements.txt and
what they require), Python itself and Qt (through PySide6), with their texts.

From a checkout they are read from the installed packages' metadata; the PyInstaller spec
writes the same list into the bundle (``licences.json``), which the frozen app reads.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from services.core.output_files import write_text_file
from services.core.safe_read import read_bytes, read_json

ROOT = Path(__file__).resolve().parents[2]
LICENCES_FILE = "licences.json"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_TEXT_FILE = re.compile(r"(^|/)(licen[cs]e|copying|notice|authors)[^/]*$", re.IGNORECASE)
_MAX_TEXT = 200_000  # characters of licence text kept per package
# The bundle's list: a few MB of licence texts (each at most _MAX_TEXT characters).
LICENCES_LIMIT = 64_000_000


@dataclass(frozen=True)
class Licence:
    name: str
    version: str
    licence: str  # an SPDX expression or the licence's name
    text: str  # the licence files' text ("" when the package ships none)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(root: Path) -> list[str]:
    names = []
    for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        match = _NAME.match(line)
        if match:
            names.append(match.group(1))
    return names


def _needed(requirement: str) -> str | None:
    """The name a Requires-Dist line names, when it applies here (no extras)."""
    spec, _, marker = requirement.partition(";")
    match = _NAME.match(spec)
    if match is None or "extra" in marker:
        return None
    if marker.strip():
        try:
            from packaging.markers import Marker

            if not Marker(marker.strip()).evaluate():
                return None
        except Exception:  # no packaging module, or a marker it can't read: keep it
            pass
    return match.group(1)


def runtime_distributions(root: Path = ROOT) -> list[metadata.Distribution]:
    """The installed distributions the app needs at run time, requirements.txt's closure."""
    seen: dict[str, metadata.Distribution] = {}
    todo = _requirements(root)
    while todo:
        name = todo.pop()
        key = _canonical(name)
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist
        todo.extend(n for r in dist.requires or [] if (n := _needed(r)) is not None)
    return sorted(seen.values(), key=lambda d: _canonical(d.metadata["Name"]))


def _licence_name(dist: metadata.Distribution) -> str:
    meta: Any = dist.metadata  # an email.message.Message (typed as a narrower protocol)
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    text = str(meta.get("License") or "").strip()
    if text and len(text) <= 80 and "\n" not in text:
        return text
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License :: ")
    ]
    classifiers = [c for c in classifiers if c != "OSI Approved"]
    if classifiers:
        return ", ".join(dict.fromkeys(classifiers))
    return text.splitlines()[0][:80] if text else "see the licence text"


def _licence_text(dist: metadata.Distribution) -> str:
    parts = []
    for file in dist.files or []:
        if not _TEXT_FILE.search(str(file)) or str(file).endswith((".py", ".pyc")):
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        parts.append(f"── {Path(str(file)).name} ──\n{text.strip()}")
    return "\n\n".join(parts)[:_MAX_TEXT]


def collect(root: Path = ROOT) -> list[Licence]:
    """Python, then every runtime dependency, with its licence and text."""
    python_text = ""
    for candidate in (
        Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}",
        Path(sys.base_prefix),
    ):
        path = candidate / "LICENSE.txt"
        if path.exists():
            python_text = path.read_text(encoding="utf-8", errors="replace")[:_MAX_TEXT]
            break
    rows = [Licence("Python", sys.version.split()[0], "PSF-2.0", python_text)]
    for dist in runtime_distributions(root):
        name = str(dist.metadata["Name"])
        licence = _licence_name(dist)
        text = _licence_text(dist)
        if _canonical(name).startswith(("pyside6", "shiboken6")):
            # Qt and PySide6 ship no licence file in the wheel: the app is distributed
            # under the LGPL's terms for them, whose text (with the GPL it extends) is here.
            name += " (with Qt)"
            text = text or "\n\n".join(
                (root / "resources" / "licences" / f).read_text(encoding="utf-8")
                for f in ("LGPL-3.0.txt", "GPL-3.0.txt")
            )
        rows.append(Licence(name, dist.version, licence, text))
    return rows


def write(path: Path, root: Path = ROOT) -> int:
    """Write the list the bundle carries; returns how many packages it names."""
    rows = collect(root)
    text = json.dumps([asdict(r) for r in rows], ensure_ascii=False)
    # The build writes it afresh each time: replacing the last build's list is the point.
    write_text_file(path, text, force=True, what="the licence list")
    return len(rows)


@lru_cache(maxsize=1)
def bundled_licences() -> tuple[Licence, ...]:
    """What the running app bundles: the bundle's list, else the checkout's packages."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / LICENCES_FILE).exists():
        data = read_json(Path(bundle) / LICENCES_FILE, LICENCES_LIMIT)
        return tuple(Licence(**row) for row in data)
    return tuple(collect())


# The packaged build's software bill of materials, beside its program (written by
# packaging/sbom.py from the bundle's contents): CycloneDX JSON, a few hundred kB.
SBOM_FILE = "sbom.cdx.json"
SBOM_LIMIT = 32_000_000


def bill_of_materials() -> tuple[Path, str] | None:
    """The packaged build's SBOM and its SHA-256, for the self-test to report (so IT can
    match an installed copy to the release's); None when running from a checkout.
    BadFile or OSError when a packaged build's SBOM is missing or unreadable."""
    if not getattr(sys, "frozen", False):
        return None
    path = Path(sys.executable).resolve().parent / SBOM_FILE
    data = read_bytes(path, SBOM_LIMIT)
    return path, hashlib.sha256(data).hexdigest()
