"""Render Results ▸ Support offscreen at 1366x768, light and dark, into --out
(docs/window by default): results-support-1366x768-{theme}.png, the tiles and tickets per
month of the Zendesk sample export (tests/data/samples/zendesk/tickets.csv) over the last
12 months; results-support-lower-1366x768-{theme}.png, the same section scrolled to its
satisfaction and repeat contacts; results-support-tickets-{theme}.png, the tickets of one
agent's row in their own window; and results-support-empty-1366x768-{theme}.png, a
workspace with no tickets, which says which exports bring them.

    .venv/bin/python bench/support_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is the sample imported into a new workspace, built when missing.
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
SAMPLE = ROOT / "tests" / "data" / "samples" / "zendesk" / "tickets.csv"


def build(path: Path) -> None:
    """The sample imported (once)."""
    if path.exists():
        return
    cli = [sys.executable, str(ROOT / "main.py"), "--db", str(path)]
    subprocess.run([*cli, "import", str(SAMPLE)], check=True)


def empty_workspace(folder: Path) -> Path:
    """A new workspace with one customer and no tickets."""
    from sqlalchemy.orm import Session

    from app.workspace import open_workspace, to_url
    from models.schema import Customer

    path = folder / "empty.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    with Session(ws.engine) as s, s.begin():
        s.add(Customer(source="bench", external_id="1", name="First customer"))
    ws.close()
    return path


def shoot(app: Any, mode: Any, workspace: Path, out: Path, name: str, part: str = "") -> None:  # noqa: PLR0915
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QScrollArea

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.results.support import SupportSection

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
        section = next(s for s in results.sections if isinstance(s, SupportSection))
        tabs = results.tabs
        tabs.setCurrentIndex(
            next(i for i in range(tabs.count()) if tabs.tabText(i) == section.TITLE)
        )
        section.reload(None, None)
        settle(lambda: section.report is not None)
        if part == "lower":  # the pane's scroll area around the section, down to satisfaction
            scroll = section.parentWidget().parentWidget()
            assert isinstance(scroll, QScrollArea)
            scroll.verticalScrollBar().setValue(section.tables["satisfaction"].card.y() - 8)
            settle(lambda: True)
        if part == "tickets":
            table = section.tables["satisfaction"]
            section.open_tickets(table.model.record(1))
            settle(lambda: section.tickets_dialog is not None)
            dialog = section.tickets_dialog
            assert dialog is not None
            path = out / f"{name}-{mode.value}.png"
            dialog.grab().save(str(path))
            dialog.reject()
        else:
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
        "--workspace", type=Path, default=Path(tempfile.gettempdir()) / "support.radar.sqlite"
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
            shoot(app, mode, args.workspace, args.out, "results-support")
            shoot(app, mode, args.workspace, args.out, "results-support-lower", part="lower")
            shoot(app, mode, args.workspace, args.out, "results-support-tickets", part="tickets")
            shoot(app, mode, empty, args.out, "results-support-empty")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
