"""Render Results ▸ Model check offscreen at 1366x768, light and dark, into --out
(docs/window by default): results-accuracy-1366x768-{theme}.png, the 2,000-customer demo
scored again as of three past dates (Mar 1, Jun 1 and Aug 1 of the demo's year, 90 days
each), their tiles, charts and runs against what followed; and
results-accuracy-empty-1366x768-{theme}.png, the demo as built, whose only scoring is of
today, which says in words when it can be checked.

    .venv/bin/python bench/accuracy_screenshots.py [--workspace PATH] [--out docs/window]

The workspaces are built when missing (the past scorings with ``score --as-of``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZE = (1366, 768)
PAST = ("03-01", "06-01", "08-01")  # month-day of the past scorings, in the demo's year


def build(path: Path, empty: Path) -> None:
    """The demo as built (``empty``: only today's scoring) and the same scored again as
    of past dates (``path``), once."""
    cli = [sys.executable, str(ROOT / "main.py"), "--db"]
    if not empty.exists():
        subprocess.run([*cli, str(empty), "demo", "--customers", "2000", "--seed", "11"],
                       check=True)  # fmt: skip
    if path.exists():
        return
    shutil.copyfile(empty, path)
    year = dt.date.today().year
    for day in PAST:
        subprocess.run([*cli, str(path), "score", "--as-of", f"{year}-{day}",
                        "--horizon-days", "90"], check=True)  # fmt: skip


def shoot(app: Any, mode: Any, workspace: Path, out: Path, name: str) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.results.accuracy import AccuracySection

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        settings.setValue("ui/theme", mode.value)
        gui = make_controller(app, settings, show_dialogs=False)
        window, jobs = gui.window, gui.jobs

        def settle(condition: Callable[[], bool], seconds: float = 120.0) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                app.processEvents()
                if condition() and jobs.is_idle():
                    break
                time.sleep(0.01)
            for _ in range(10):
                app.processEvents()

        window.resize(*SIZE)
        window.show()
        gui.open_url(to_url(str(workspace)), startup=True)
        settle(lambda: window.customers_pane.model.rowCount() > 0)
        window.tabs.setCurrentIndex(4)
        results = window.results
        settle(lambda: results.state in ("data", "empty"), seconds=30.0)
        section = next(s for s in results.sections if isinstance(s, AccuracySection))
        # Each section's tab holds it in a scroll area: chosen by its title.
        tabs = results.tabs
        tabs.setCurrentIndex(
            next(i for i in range(tabs.count()) if tabs.tabText(i) == section.TITLE)
        )
        section.reload(None, None)
        settle(lambda: section.report is not None)
        path = out / f"{name}-1366x768-{mode.value}.png"
        window.grab().save(str(path))
        print(path)
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace", type=Path, default=Path(tempfile.gettempdir()) / "accuracy.radar.sqlite"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    empty = args.workspace.with_name(args.workspace.stem + "-today.sqlite")
    build(args.workspace, empty)
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
        shoot(app, mode, args.workspace, args.out, "results-accuracy")
        shoot(app, mode, empty, args.out, "results-accuracy-empty")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
