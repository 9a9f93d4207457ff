"""Render Results ▸ Retention offscreen at 1366x768, light and dark, into --out
(docs/window by default): results-retention-1366x768-{theme}.png, the whole year's tiles
and the retention by month of the 2,000-customer demo; results-retention-costs-1366x768-
{theme}.png, the same section scrolled to its cost figures (the incentive cost per
retained customer, and CAC against CLV by channel, with a CAC set for two of the demo's
channels and not for the others); and results-retention-empty-1366x768-{theme}.png, a
workspace with no orders, which says so.

    .venv/bin/python bench/retention_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is the 2,000-customer demo (seed 11), built when missing.
"""

from __future__ import annotations

import argparse
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
CAC = "online=40, store=25"


def build(path: Path) -> None:
    """The scored demo (once)."""
    if path.exists():
        return
    cli = [sys.executable, str(ROOT / "main.py"), "--db", str(path)]
    subprocess.run([*cli, "demo", "--customers", "2000", "--seed", "11"], check=True)
    # A CAC for two channels (the others show "CAC not set", as a user would first see).
    subprocess.run([*cli, "config", "set", "retention.cac_by_channel", CAC], check=True)


def empty_workspace(folder: Path) -> Path:
    """A new workspace with one customer and no orders."""
    from sqlalchemy.orm import Session

    from app.workspace import open_workspace, to_url
    from models.schema import Customer

    path = folder / "empty.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    with Session(ws.engine) as s, s.begin():
        s.add(Customer(source="bench", external_id="1", name="First customer"))
    ws.close()
    return path


def shoot(  # noqa: PLR0913
    app: Any, mode: Any, workspace: Path, out: Path, name: str, costs: bool = False
) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.results.retention import RetentionSection

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
        section = next(s for s in results.sections if isinstance(s, RetentionSection))
        # Each section's tab holds it in a scroll area: chosen by its title.
        tabs = results.tabs
        tabs.setCurrentIndex(
            next(i for i in range(tabs.count()) if tabs.tabText(i) == section.TITLE)
        )
        section.reload(None, None)
        settle(lambda: section.report is not None)
        if costs:  # the section's own scroll area, down to its cost figures
            from PySide6.QtWidgets import QScrollArea

            scroll = section.findChild(QScrollArea)
            scroll.verticalScrollBar().setValue(section.costs.y() - 8)
            settle(lambda: True)
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
        empty = empty_workspace(Path(tmp))
        for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
            shoot(app, mode, args.workspace, args.out, "results-retention")
            shoot(app, mode, args.workspace, args.out, "results-retention-costs", costs=True)
            shoot(app, mode, empty, args.out, "results-retention-empty")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
