"""Render the customer pane's renewal card offscreen in the window at 1366x768, with the
text at 100 %, 150 % and 200 %, light and dark, into --out (docs/window by default):
customers-renewal-card-1366x768-{text}-{theme}.png. The workspace is the hand-made book of
tests/support/renewal_calls_book.py with its dates moved to today, so that the renewals
are still to come; the customer shown is Acme (a call that disagrees with the model) or,
with --customer, another of the book's letters.

    .venv/bin/python bench/renewal_card_screenshots.py [--out docs/window] [--customer A]
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
TEXT = {"100": 1.0, "150": 1.5, "200": 2.0}


def build(path: Path) -> dict[str, int]:
    """The book, its dates moved by the days from its T to today."""
    from sqlalchemy import text

    from app.workspace import open_workspace, to_url
    from tests.support.renewal_calls_book import TODAY, fill_renewal_calls_book

    ws = open_workspace(to_url(str(path)), backup=False)
    ids = fill_renewal_calls_book(ws.engine)
    shift = (dt.date.today() - TODAY).days
    moves = {
        "contracts": ("start_date", "end_date"),
        "renewal_forecasts": ("as_of",),
        "scoring_runs": ("as_of",),
        "score_snapshots": ("as_of",),
    }
    with ws.engine.begin() as conn:
        for table, names in moves.items():
            sets = ", ".join(f"{n} = date({n}, '+{shift} days')" for n in names)
            conn.execute(text(f"UPDATE {table} SET {sets}"))
        conn.execute(text(f"UPDATE renewal_calls SET made_at = datetime(made_at, '+{shift} days')"))
    from services.alerts.generate import generate_alerts

    generate_alerts(ws.engine)  # the renewal alerts, for the Alerts tab's picture
    ws.close()
    return ids


def shoot(app: Any, mode: Any, scale: str, workspace: Path, customer: int, out: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QFont

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.shell.main_window import TAB_ALERTS, TAB_CUSTOMERS
    from views.workspace.checklist_card import ChecklistCard

    before = QFont(app.font())
    font = QFont(before)
    font.setPointSizeF(before.pointSizeF() * TEXT[scale])
    app.setFont(font)
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
            card.hide()  # the getting-started steps: not what the picture is of
        if scale == "100":
            window.tabs.setCurrentIndex(TAB_ALERTS)
            alerts = window.alerts_view.alerts_pane
            alerts.queue_tabs.setCurrentIndex(2)  # Pipeline: stalled deals and renewals
            settle(lambda: alerts.model.rowCount() > 0)
            path = out / f"alerts-renewals-1366x768-{mode.value}.png"
            window.grab().save(str(path))
            print(path)
        window.tabs.setCurrentIndex(TAB_CUSTOMERS)
        window.customers_pane.select_customer(customer)
        pane = window.detail_pane
        settle(lambda: pane.detail is not None and pane.detail.id == customer)
        path = out / f"customers-renewal-card-1366x768-{scale}-{mode.value}.png"
        window.grab().save(str(path))
        print(path)
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()
    app.setFont(before)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    parser.add_argument("--customer", default="A", help="the book's letter (default A)")
    parser.add_argument("--text", default="100,150,200", help="text sizes, in percent")
    parser.add_argument("--themes", default="light,dark")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "renewals.radar.sqlite"
        ids = build(workspace)
        for theme in args.themes.split(","):
            for scale in args.text.split(","):
                shoot(app, ThemeMode(theme), scale, workspace, ids[args.customer], args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
