"""The app's version and build number, from one place: ``pyproject.toml``.

From a checkout they are read from ``pyproject.toml`` (the build number from
``$BUILD_NUMBER``, else "dev"). The PyInstaller spec writes the same two values, read
from the same file at build time, into ``build.json`` inside the bundle, which the
frozen app reads (it has no ``pyproject.toml``).
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from functools import lru_cache
from pathlib import Path

from services.core.safe_read import TEMPLATE_LIMIT, read_json

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
BUILD_FILE = "build.json"


def read_pyproject(root: Path = ROOT) -> dict[str, str]:
    """Version and build number for a build from the checkout at ``root``."""
    with (root / "pyproject.toml").open("rb") as f:
        version = str(tomllib.load(f)["project"]["version"])
    return {"version": version, "build": os.environ.get("BUILD_NUMBER", "").strip() or "dev"}


@lru_cache(maxsize=1)
def build_info() -> dict[str, str]:
    """{"version": "0.1.0", "build": "12"} for the running app."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / BUILD_FILE).exists():
        try:
            data = read_json(Path(bundle) / BUILD_FILE, TEMPLATE_LIMIT)
            return {"version": str(data["version"]), "build": str(data["build"])}
        except (OSError, ValueError, KeyError, TypeError) as exc:  # a damaged bundle
            log.warning("The bundle's %s cannot be read: %s", BUILD_FILE, exc)
            return {"version": "unknown", "build": "unknown"}
    return read_pyproject()


def app_version() -> str:
    return build_info()["version"]


def build_number() -> str:
    return build_info()["build"]


def version_text() -> str:
    """ "0.1.0 (build 12)", as Help ▸ About and ``--version`` show it."""
    return f"{app_version()} (build {build_number()})"
