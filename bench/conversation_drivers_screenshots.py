"""Render the customer pane of a customer who raised cancellation on a call, with its
drivers, offscreen in the window at 1366x768, light and dark, into --out (docs/window by
default): customers-conversation-drivers-1366x768-100-{theme}.png. The workspace is the
hand-made book of tests/support/conversation_scoring_book.py, moved to end yesterday and scored
then; the customer shown is its Acme Bakery.

    .venv/bin/python bench/conversation_drivers_screenshots.py [--out docs/window]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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
SHOWN = "Acme Bakery"


def build(path: Path) -> int:
    """The book, scored as of its date; the id of the customer shown."""
    from app.workspace import open_workspace, to_url
    from services.scoring.run import score_workspace
    from tests.support import conversation_scoring_book as book

    # Dated so that its as-of date is yesterday: the pane counts days from today.
    shift = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1) - book.T).days
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        ids = book.build(ws.engine, shift_days=shift)
        summary = score_workspace(
            ws.engine, as_of=book.T + dt.timedelta(days=shift), horizon_days=90
        )
        print("\n".join(summary.lines()))
    finally:
        ws.close()
    return ids[SHOWN]


def shoot(app: Any, mode: Any, workspace: Path, customer: int, out: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.shell.main_window import TAB_CUSTOMERS
    from views.workspace.checklist_card import ChecklistCard

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        settings.setValue("ui/theme", mode.value)
        gui = make_controller(app, settings, show_dialogs=False)
        window, jobs = gui.window, gui.jobs

        def settle(condition: Callable[[], bool], seconds: float = 60.0) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                app.processEvents()
                if condition() and jobs.is_idle():
                    break
                time.sleep(0.01)
            for _ in range(20):
                app.processEvents()

        window.resize(*SIZE)
        window.show()
        gui.open_url(to_url(str(workspace)), startup=True)
        settle(lambda: window.customers_pane.model.rowCount() > 0)
        for card in window.findChildren(ChecklistCard):
            card.hide()
        window.tabs.setCurrentIndex(TAB_CUSTOMERS)
        pane = window.detail_pane
        window.customers_pane.select_customer(customer)
        settle(lambda: pane.detail is not None and pane.detail.id == customer)
        path = out / f"customers-conversation-drivers-1366x768-100-{mode.value}.png"
        window.grab().save(str(path))
        print(path)
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    parser.add_argument("--themes", default="light,dark")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "conversations.radar.sqlite"
        customer = build(workspace)
        for theme in args.themes.split(","):
            shoot(app, ThemeMode(theme), workspace, customer, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
