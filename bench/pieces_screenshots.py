"""Render the team, start-up and accessibility pieces of the window offscreen on a
1366x768 screen, light and dark, for docs/window/ (bench/loop_screenshots.py calls it
after the email loop's pictures, or run it alone):

- first-window-1366x768: the first window of a person with no saved size, fitted to
  the screen (not 1400x860 running off it);
- assign-dialog, assigned-card: Assign… (A) on the top card, and the card reading
  "→ Maya Thompson" once assigned (with Undo);
- meeting-dialog: Schedule a meeting… (M) on the same card;
- my-work-for-you: My work with "For you": a note that mentions Hannah Becker (the user)
  and a customer assigned to her;
- open-recent: File ▸ Open recent, a missing file greyed;
- focus-outline: the focus outline on an alert card and on a button;
- alerts-150pct-1366x768: the Alerts tab with the text at 150 %.

    .venv/bin/python bench/pieces_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is the scored demo bench/bench_batch.py builds (built if missing), copied
first. No dialog waits for a click: each is shown, drawn and closed; the assignment runs
with the answer given in code. The person (a profile) and the recent list live in a
throwaway config folder, never the user's own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# A 1366x768 screen (the offscreen platform's own is 800x600): the window fits it.
SCREEN = {"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768}]}
_SCREEN_FILE = Path(tempfile.gettempdir()) / "account-radar-screen-1366x768.json"

ME = ("Hannah Becker", "hannah.becker@example.com")
TEAMMATE = "Maya Thompson"
MENTIONER = "Daniel Okafor <daniel.okafor@example.com>"
ASSIGNER = "Priya Raman <priya.raman@example.com>"


def use_laptop_screen() -> None:
    """The offscreen platform with a 1366x768 screen, unless a platform is chosen."""
    _SCREEN_FILE.write_text(json.dumps(SCREEN), encoding="utf-8")
    os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN_FILE}")


def prepare(path: Path) -> None:
    """Hannah's morning: a teammate mentions her in a note, another hands her a customer,
    and two of her tasks are due."""
    import datetime as dt

    from sqlalchemy import text

    from app.workspace import open_workspace, to_url
    from services.alerts.actions import apply_alert_action
    from services.alerts.assign import assign_customer
    from services.alerts.contact import create_task

    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        with workspace.engine.connect() as conn:
            mine = conn.execute(
                text(
                    "SELECT a.id FROM alerts a JOIN customers c ON c.id = a.customer_id "
                    "WHERE a.status = 'open' AND c.owner = :me ORDER BY a.priority_cents DESC "
                    "LIMIT 3"
                ),
                {"me": ME[0]},
            ).all()
            theirs = conn.execute(
                text(
                    "SELECT c.id FROM customers c JOIN alerts a ON a.customer_id = c.id "
                    "WHERE a.status = 'open' AND c.owner = 'Lucas Moreno' "
                    "ORDER BY a.priority_cents DESC LIMIT 1"
                )
            ).scalar_one()
        now = dt.datetime.now(dt.UTC)
        engine = workspace.engine
        apply_alert_action(  # as the window logs it: the mention is audited for her
            engine,
            int(mine[0][0]),
            "log",
            kind="note",
            text=f"@{ME[0].split()[0]} they asked for the winter range again: can you call "
            "them this week?",
            actor=MENTIONER,
            now=now - dt.timedelta(hours=3),
        )
        assign_customer(engine, int(theirs), ME[0], actor=ASSIGNER, now=now - dt.timedelta(hours=1))
        me = f"{ME[0]} <{ME[1]}>"
        create_task(engine, int(mine[1][0]), "Send the new size guide", now.date(), actor=me)
        create_task(engine, int(mine[2][0]), "Ask how the exchange went", now.date(), actor=me)
    finally:
        workspace.close()


def remember_recent(folder: Path) -> None:
    """Three workspaces opened before, the last one since moved (missing)."""
    from services.core.recent import remember_workspace

    folder.mkdir(parents=True, exist_ok=True)
    for name in ("Wholesale book.radar.sqlite", "Northwind 2025.radar.sqlite"):
        (folder / name).write_bytes(b"")
    remember_workspace(folder / "Old laptop export.radar.sqlite")  # not there: missing
    remember_workspace(folder / "Northwind 2025.radar.sqlite")
    remember_workspace(folder / "Wholesale book.radar.sqlite")


class Shooter:
    """One window on the copied workspace: waits, grabs in both themes, saves."""

    def __init__(self, workspace: Path, out: Path, settings_dir: Path) -> None:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from app.gui.application import make_controller
        from app.workspace import to_url

        self.app = QApplication.instance() or QApplication([])
        self.out = out
        settings = QSettings(str(settings_dir / "ui.ini"), QSettings.Format.IniFormat)
        # A person's first window: no size remembered, fitted to the screen when shown.
        self.gui = make_controller(self.app, settings, show_dialogs=False)  # type: ignore[arg-type]
        self.window = self.gui.window
        self.window.show()
        self.gui.open_url(to_url(str(workspace)))
        view = self.window.alerts_view
        self.settle(lambda: self.gui.workspace is not None and view.alerts_pane.model.rowCount())
        view.alerts_pane.set_queue("risk")
        view.alerts_pane.select_alert(view.alerts_pane.model.alert_id(0))
        self.settle(lambda: view.action_pane.alert is not None)
        # The top card of one reason (its line has room for "→ Maya Thompson").
        model = view.alerts_pane.model
        rows = [r for r in range(model.rowCount()) if len(model.card_ids(r)) == 1]
        chosen = model.alert_id(rows[0] if rows else 0)
        view.alerts_pane.select_alert(chosen)
        shown = lambda: view.action_pane.alert  # noqa: E731
        self.settle(lambda: shown() is not None and chosen in shown().card_ids)
        self.settle(lambda: self.window.detail_pane.detail is not None)

    def settle(self, condition: Callable[[], Any] = lambda: True, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.app.processEvents()
            if condition() and self.gui.jobs.is_idle():
                break
            time.sleep(0.01)
        for _ in range(10):
            self.app.processEvents()

    def shoot(self, name: str, grab: Callable[[], Any]) -> None:
        """``grab()`` (a QPixmap or QImage) in the light and the dark theme."""
        from views.kit.theme import ThemeMode

        for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
            self.gui.theme.set_mode(mode)
            self.settle()
            path = self.out / f"{name}-{mode.value}.png"
            if not grab().save(str(path)):
                raise SystemExit(f"could not write {path}")
            print(path)
        self.gui.theme.set_mode(ThemeMode.LIGHT)
        self.settle()

    def close(self) -> None:
        self.gui.composer.close()
        self.gui.shutdown()
        self.window.close()
        self.window.deleteLater()
        self.app.processEvents()


def side_by_side(*images: Any, gap: int = 16) -> Any:
    """The images next to each other on the window's colour, tops aligned."""
    from PySide6.QtGui import QImage, QPainter, QPalette
    from PySide6.QtWidgets import QApplication

    pictures = [i.toImage() if hasattr(i, "toImage") else i for i in images]
    width = sum(p.width() for p in pictures) + gap * (len(pictures) + 1)
    height = max(p.height() for p in pictures) + 2 * gap
    canvas = QImage(width, height, QImage.Format.Format_ARGB32)
    canvas.fill(QApplication.palette().color(QPalette.ColorRole.Window))
    painter = QPainter(canvas)
    x = gap
    for picture in pictures:
        painter.drawImage(x, gap, picture)
        x += picture.width() + gap
    painter.end()
    return canvas


def with_menus(shooter: Shooter) -> Any:
    """The window with File open and its Open recent submenu beside it."""
    from PySide6.QtGui import QPainter

    window = shooter.window
    bar = window.menuBar()
    file_action = bar.actions()[0]
    file_menu = file_action.menu()
    recent = window.menus.recent_menu
    file_menu.popup(window.mapToGlobal(bar.actionGeometry(file_action).bottomLeft()))
    shooter.settle()
    item = file_menu.actionGeometry(recent.menuAction())
    recent.popup(file_menu.mapToGlobal(item.topRight()))
    shooter.settle()
    picture = window.grab().toImage()
    painter = QPainter(picture)
    for menu in (file_menu, recent):
        painter.drawPixmap(window.mapFromGlobal(menu.pos()), menu.grab())
    painter.end()
    recent.hide()
    file_menu.hide()
    return picture


def shoot_pieces(shooter: Shooter) -> None:
    """Everything but the larger text, in one window."""
    from PySide6.QtCore import Qt

    from views.alerts.meeting_dialog import MeetingDialog
    from views.alerts.team_prompts import TeamPrompts
    from views.item_models.alert_list_model import reason_text
    from views.kit.assign_dialog import AssignDialog
    from views.shell.main_window import TAB_ALERTS, TAB_MY_WORK

    window, view = shooter.window, shooter.window.alerts_view
    shooter.shoot("first-window-1366x768", window.grab)
    alert = view.action_pane.alert
    assert alert is not None

    def dialog_grab(dialog: Any) -> Callable[[], Any]:
        def grab() -> Any:
            dialog.show()
            shooter.settle()
            return dialog.grab()

        return grab

    assign = AssignDialog(alert.customer, alert.owner, alert.teammates, window)
    assign.who.setCurrentText(TEAMMATE)
    shooter.shoot("assign-dialog", dialog_grab(assign))
    assign.close()
    reasons = [
        reason_text(a.reason, a.condition_cleared, alert.queue, alert.churn_now) for a in alert.card
    ] or [alert.reason]
    meeting = MeetingDialog(alert.customer, alert.email, reasons, window)
    shooter.shoot("meeting-dialog", dialog_grab(meeting))
    meeting.close()

    # Assigned: the card reads "→ Maya Thompson", and the undo bar says so.
    view.action_pane.team = TeamPrompts(
        ask_assign=lambda _c, _o, _n: TEAMMATE,
        ask_meeting=lambda _c, _e, _r: None,
        ask_path=lambda _s: None,
    )
    view.action_pane.trigger("assign")
    shooter.settle(lambda: window.undo_bar.isVisible())
    shooter.settle(lambda: f"Assigned to {TEAMMATE}" in view.action_pane.history.text())
    shooter.shoot("assigned-card", window.grab)
    window.undo_bar.hide()

    shooter.shoot("open-recent", lambda: with_menus(shooter))

    # The focus outline: on the current card, then on a button reached with Tab.
    def focus_grab() -> Any:
        pane = view.alerts_pane
        window.activateWindow()  # focus is drawn in the active window only
        pane.focus_list()
        shooter.settle()
        card = pane.grab()
        button = view.action_pane.buttons["call"]
        button.setFocus(Qt.FocusReason.TabFocusReason)
        shooter.settle()
        footer = view.action_pane.footer
        return side_by_side(card, footer.grab())

    shooter.shoot("focus-outline", focus_grab)

    window.tabs.setCurrentIndex(TAB_MY_WORK)
    shooter.settle(lambda: window.my_work.notices.isVisible())
    window.my_work.notices.setFocus()  # not on Everyone's (the box to its right)
    shooter.shoot("my-work-for-you", window.grab)
    window.tabs.setCurrentIndex(TAB_ALERTS)


def shoot_larger_text(workspace: Path, out: Path, settings_dir: Path) -> None:
    """The Alerts tab with the application's text at 150 %, its first window fitted."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    before = QFont(app.font())
    larger = QFont(before)
    larger.setPointSizeF(before.pointSizeF() * 1.5)
    app.setFont(larger)  # type: ignore[arg-type]
    try:
        shooter = Shooter(workspace, out, settings_dir)
        try:
            shooter.shoot("alerts-150pct-1366x768", shooter.window.grab)
        finally:
            shooter.close()
    finally:
        app.setFont(before)  # type: ignore[arg-type]


def shoot_all(workspace: Path, out: Path) -> None:
    """Every picture, from a copy of ``workspace``, with a throwaway person and list."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ACCOUNT_RADAR_CONFIG_DIR"] = str(Path(tmp) / "config")
        from services.core.profile import make_profile, save_profile

        save_profile(make_profile(*ME))
        # Fixed names (the status bar and the recent list say the same every run).
        folder = Path(tempfile.gettempdir()) / "account-radar-shots" / "Documents"
        remember_recent(folder)
        copy = folder / "Northwind book.radar.sqlite"
        shutil.copyfile(workspace, copy)
        prepare(copy)
        try:
            (Path(tmp) / "first").mkdir()
            shooter = Shooter(copy, out, Path(tmp) / "first")
            try:
                shoot_pieces(shooter)
            finally:
                shooter.close()
            (Path(tmp) / "larger").mkdir()
            shoot_larger_text(copy, out, Path(tmp) / "larger")
        finally:
            shutil.rmtree(folder.parent, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bench-batch-demo.radar.sqlite",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    use_laptop_screen()
    from bench.bench_batch import build

    build(args.workspace, 3000)
    args.out.mkdir(parents=True, exist_ok=True)
    shoot_all(args.workspace, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
