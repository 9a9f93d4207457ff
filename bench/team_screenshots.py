"""Render the team's pieces in the window offscreen at 1366x768, light and dark:
docs/window/customers-assign-{theme}.png (the Customers tab's Assign… beside the owner,
with the assign dialog over it) and note-mention-{theme}.png (Add a note in the Alerts
tab, "@Pr" typed: the teammates offered under the cursor).

    .venv/bin/python bench/team_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is the scored demo bench/bench_batch.py builds (built here if missing);
the shots are taken on a copy, and nothing is assigned or saved.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.bench_batch import build  # noqa: E402

SIZE = (1366, 768)


def composite(window: object, over: Sequence[object], path: Path) -> None:
    """The window with the dialogs and popups ``over`` it, where they are on screen."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QWidget

    assert isinstance(window, QWidget)
    image = window.grab()
    origin = window.mapToGlobal(QPoint(0, 0))
    painter = QPainter(image)
    for widget in over:
        assert isinstance(widget, QWidget)
        at = widget.mapToGlobal(QPoint(0, 0)) - origin
        painter.drawPixmap(at, widget.grab())
    painter.end()
    image.save(str(path))
    print(path)


def main() -> int:  # noqa: PLR0915
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bench-batch-demo.radar.sqlite",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    build(args.workspace, 3000)
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.kit.assign_dialog import AssignDialog
    from views.kit.note_dialog import NoteDialog
    from views.kit.theme import ThemeMode
    from views.shell.main_window import TAB_ALERTS, TAB_CUSTOMERS

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "shots.radar.sqlite"
        shutil.copyfile(args.workspace, copy)
        app = QApplication.instance() or QApplication([])
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        gui = make_controller(app, settings, show_dialogs=False)  # type: ignore[arg-type]
        window, jobs = gui.window, gui.jobs

        def settle(condition: Callable[[], bool], seconds: float = 60.0) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                app.processEvents()
                if condition() and jobs.is_idle():
                    break
                time.sleep(0.01)
            for _ in range(5):
                app.processEvents()

        def centred(widget: object) -> None:
            from PySide6.QtWidgets import QWidget

            assert isinstance(widget, QWidget)
            frame = window.geometry()
            widget.move(
                frame.x() + (frame.width() - widget.width()) // 2,
                frame.y() + (frame.height() - widget.height()) // 3,
            )

        try:
            window.resize(*SIZE)
            window.show()
            gui.open_url(to_url(str(copy)))
            view = window.alerts_view
            settle(lambda: gui.workspace is not None and view.alerts_pane.model.rowCount() > 0)
            settle(lambda: view.action_pane.alert is not None)
            alert = view.action_pane.alert
            assert alert is not None
            for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
                gui.theme.set_mode(mode)
                # The Customers tab: the card's customer, Assign… and its dialog.
                window.tabs.setCurrentIndex(TAB_CUSTOMERS)
                settle(lambda: window.customers_pane.model.rowCount() > 0)
                window.customers_pane.select_customer(alert.customer_id)
                pane = window.detail_pane
                shown = alert.customer_id
                settle(lambda p=pane, c=shown: p.detail is not None and p.detail.id == c)
                assign = AssignDialog(alert.customer, alert.owner, alert.teammates, window)
                assign.show()
                centred(assign)
                settle(lambda: True)
                composite(window, [assign], args.out / f"customers-assign-{mode.value}.png")
                assign.close()
                # The Alerts tab: Add a note, "@Pr" typed.
                window.tabs.setCurrentIndex(TAB_ALERTS)
                settle(lambda: view.action_pane.alert is not None)
                note = NoteDialog(
                    "Add a note",
                    f"Add a note for {alert.customer}:",
                    window,
                    teammates=alert.teammates,
                )
                note.show()
                centred(note)
                note.activateWindow()
                note.text.setFocus()
                settle(note.text.hasFocus)
                QTest.keyClicks(note.text, "Refund question, @Pr")
                settle(note.text.popup.isVisible)
                composite(
                    window,
                    [note, note.text.popup],
                    args.out / f"note-mention-{mode.value}.png",
                )
                note.close()
            gui.theme.set_mode(ThemeMode.LIGHT)
        finally:
            gui.shutdown()
            window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
