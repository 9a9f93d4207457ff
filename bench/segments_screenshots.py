"""Render Results ▸ Segments offscreen at 1366x768, light and dark, into --out
(docs/window by default): results-segments-1366x768-{theme}.png, the chart of the segments'
customers per scoring run with its settings-change mark, the trends and the migration
matrix between the last two runs.

    .venv/bin/python bench/segments_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is the 2,000-customer demo with three more scorings two months apart, the
last of them after a change of the engagement weights, built when missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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
    """The scored demo and three earlier scorings (once)."""
    if path.exists():
        return
    cli = [sys.executable, str(ROOT / "main.py"), "--db", str(path)]
    subprocess.run([*cli, "demo", "--customers", "2000"], check=True)
    today = dt.datetime.now(dt.UTC).date()
    for months in (6, 4, 2):
        if months == 2:
            from sqlalchemy.orm import Session

            from app.workspace import open_workspace, to_url
            from services.settings import set_setting

            ws = open_workspace(to_url(str(path)), backup=False)
            with Session(ws.engine) as s, s.begin():
                set_setting(s, "scoring.engagement_weights", {"recency": 40.0}, actor="bench")
            ws.close()
        day = today - dt.timedelta(days=30 * months)
        subprocess.run([*cli, "score", "--as-of", day.isoformat()], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def shoot(app: Any, mode: Any, workspace: Path, out: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.results.segments import SegmentsSection

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
        settle(lambda: results.state == "data")
        section = next(s for s in results.sections if isinstance(s, SegmentsSection))
        # Each section's tab holds it in a scroll area: chosen by its title.
        tabs = results.tabs
        tabs.setCurrentIndex(
            next(i for i in range(tabs.count()) if tabs.tabText(i) == section.TITLE)
        )
        section.reload(None, None)
        settle(lambda: section.matrix is not None)
        path = out / f"results-segments-1366x768-{mode.value}.png"
        window.grab().save(str(path))
        print(path)
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace", type=Path, default=Path(tempfile.gettempdir()) / "segments.radar.sqlite"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    build(args.workspace)
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
        shoot(app, mode, args.workspace, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
