"""Render the CRM files' window parts offscreen, light and dark, into --out (/tmp/crm-shots
by default): crm-export-dialog-{theme}.png, File ▸ Export ▸ Activities for the CRM… over
the window at 1366x768 on the hand-made book of tests/support/crm_book.py (its four
activities counted); crm-consent-pane-1366x768-{theme}.png, the Customers tab with a
customer who opted out of activity tracking, the pane saying so.

    .venv/bin/python bench/crm_screenshots.py [--out /tmp/crm-shots]
"""

from __future__ import annotations

import argparse
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


def book(folder: Path) -> Path:
    """The hand-made book, Ann opted out of activity tracking."""
    import datetime as dt

    from app.workspace import open_workspace, to_url
    from services.people.tracking import set_tracking_consent
    from tests.support.crm_book import fill_crm_book

    path = folder / "crm.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    ids = fill_crm_book(ws.engine)
    when = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)
    set_tracking_consent(ws.engine, ids["A"], opted_out=True, actor="Maya", now=when)
    ws.close()
    return path


def _framed(window: Any, dialog: Any, path: Path) -> None:
    """The window with the dialog over its middle, as the user sees it."""
    from PySide6.QtGui import QColor, QPainter, QPixmap

    shot = QPixmap(window.grab())
    painter = QPainter(shot)
    inner = dialog.grab()
    x, y = (SIZE[0] - inner.width()) // 2, max(30, (SIZE[1] - inner.height()) // 3)
    # The frame the window manager would draw: a title bar and a border.
    painter.fillRect(x - 1, y - 25, inner.width() + 2, inner.height() + 26, QColor("#5b6472"))
    painter.setPen(QColor("#ffffff"))
    painter.drawText(x + 10, y - 8, dialog.windowTitle())
    painter.drawPixmap(x, y, inner)
    painter.end()
    shot.save(str(path))
    print(path)


def shoot(app: Any, mode: Any, workspace: Path, out: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url

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
            for _ in range(10):
                app.processEvents()

        window.resize(*SIZE)
        window.show()
        gui.open_url(to_url(str(workspace)), startup=True)
        settle(lambda: window.customers_pane.model.rowCount() > 0)
        # The pane of the customer who opted out (the first of the book).
        window.customers_pane.select_customer(1)
        pane = window.detail_pane
        settle(lambda: pane.detail is not None and pane.detail.id == 1)
        path = out / f"crm-consent-pane-1366x768-{mode.value}.png"
        window.grab().save(str(path))
        print(path)
        dialog = gui.crm_export.open()
        assert dialog is not None
        settle(lambda: dialog.plan.text() != "Counting…")
        dialog.path.setText(str(Path.home() / "Documents" / "Task.csv"))
        settle(lambda: True)
        _framed(window, dialog, out / f"crm-export-dialog-1366x768-{mode.value}.png")
        dialog.reject()
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from models.schema import Alert

        engine = gui.workspace.engine if gui.workspace is not None else None
        assert engine is not None
        with Session(engine) as s:
            alert_id = s.execute(select(Alert.id).order_by(Alert.id)).scalars().first()
        gui.crm_export.open_ticket(alert_id)
        settle(lambda: gui.crm_export.ticket_dialog is not None)
        ticket = gui.crm_export.ticket_dialog
        assert ticket is not None
        ticket.resize(640, ticket.sizeHint().height())
        settle(lambda: True)
        _framed(window, ticket, out / f"crm-ticket-dialog-1366x768-{mode.value}.png")
        ticket.reject()
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "crm-shots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
        with tempfile.TemporaryDirectory() as tmp:
            workspace = book(Path(tmp))
            shoot(app, mode, workspace, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
