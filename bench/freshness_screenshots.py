"""Render the dashboard's notice of sources that are late or stale offscreen at 1366x768,
light and dark, into --out (docs/window by default):
dashboard-stale-1366x768-{theme}.png.

    .venv/bin/python bench/freshness_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is a copy of the 2,000-customer demo (seed 11, built when missing), made an
ordinary workspace, with the hand-made sources of tests/support/freshness_book.py added and
moved to today: its Shopify orders are late and its tickets stale.
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


def build(path: Path) -> None:
    """The scored demo (once)."""
    if path.exists():
        return
    cli = [sys.executable, str(ROOT / "main.py"), "--db", str(path)]
    subprocess.run([*cli, "demo", "--customers", "2000", "--seed", "11"], check=True)


def stale_copy(demo: Path, folder: Path) -> Path:
    """The demo as an ordinary workspace, with a late and a stale source."""
    from sqlalchemy.orm import Session

    from app.workspace import open_workspace, to_url
    from services.settings.store import set_setting
    from tests.support.freshness_book import fill_freshness_book

    path = folder / "stale.radar.sqlite"
    shutil.copy(demo, path)
    ws = open_workspace(to_url(str(path)), backup=False)
    with Session(ws.engine) as s, s.begin():
        set_setting(s, "workspace.demo", None)
    fill_freshness_book(ws.engine, now=dt.datetime.now(dt.UTC))
    ws.close()
    return path


def shoot(app: Any, mode: Any, workspace: Path, out: Path, name: str) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.shell.main_window import TAB_DASHBOARD

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
        window.tabs.setCurrentIndex(TAB_DASHBOARD)
        settle(lambda: window.dashboard.state == "data")
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
        "--workspace", type=Path, default=Path(tempfile.gettempdir()) / "retention.radar.sqlite"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    build(args.workspace)
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        stale = stale_copy(args.workspace, Path(tmp))
        for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
            shoot(app, mode, stale, args.out, "dashboard-stale")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
