"""Render the playbooks' pieces in the window offscreen at 1366x768, light and dark, into
docs/window/: playbook-card-{size}-{theme}.png (a card whose customer runs Win-back: the
action pane's PLAYBOOK box with its next step and Stop playbook…), playbook-menu-... (the
Start playbook… menu open on a card with none running), playbook-stop-... (what Stop
playbook… asks), playbook-my-work-... (My work with its Playbook steps due, Done, Skip
and Stop playbook…) and playbook-results-... (Results broken down by playbook).

    .venv/bin/python bench/playbook_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is a scored demo (built here if missing, 1,500 customers: its emails went
out partly as playbooks, so Results has a Playbook breakdown). The shots are taken on a
copy, where a few playbooks are started days ago so that their steps are due.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.bench_batch import build  # noqa: E402

SIZE = (1366, 768)
NAME = f"{SIZE[0]}x{SIZE[1]}"


def prepare(path: Path, actor: str) -> tuple[int, int]:
    """Start Win-back (4 days ago) and Renewal save (today) on the top open cards of
    customers with no playbook; returns (a card running Win-back, a card with none)."""
    from sqlalchemy import text

    from app.workspace import open_workspace, to_url
    from services.alerts.actions import apply_card_action

    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        with workspace.engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT a.id FROM alerts a JOIN customers c ON c.id = a.customer_id "
                    "WHERE a.status = 'open' AND NOT a.holdout AND NOT c.do_not_contact "
                    "AND c.email IS NOT NULL AND a.rule_key IN ('high_risk_high_value', "
                    "'gone_quiet', 'risk_rising') AND a.customer_id NOT IN (SELECT "
                    "customer_id FROM playbook_runs) ORDER BY a.priority_cents DESC LIMIT 5"
                )
            ).all()
        ids = [int(r[0]) for r in found]
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=4)
        for alert_id, (key, when) in zip(
            ids[:4],
            (("win_back", past), ("renewal_save", None), ("win_back", past), ("onboarding", None)),
            strict=True,
        ):
            engine = workspace.engine
            apply_card_action(engine, (alert_id,), "playbook", key=key, actor=actor, now=when)
        return ids[0], ids[4]
    finally:
        workspace.close()


def main() -> int:  # noqa: PLR0915  (one shot after another, in order)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bench-playbooks-demo.radar.sqlite",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    build(args.workspace, 1500)
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QPoint, QSettings
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtWidgets import QApplication, QWidget

    from app.gui.application import make_controller
    from app.workspace import to_url
    from services.alerts.config import default_actor
    from views.kit.theme import ThemeMode
    from views.shell.main_window import TAB_MY_WORK, TAB_RESULTS

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "shots.radar.sqlite"
        shutil.copyfile(args.workspace, copy)
        running, free = prepare(copy, default_actor())
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

        def save(picture: QPixmap, name: str, mode: ThemeMode) -> None:
            path = args.out / f"{name}-{NAME}-{mode.value}.png"
            picture.save(str(path))
            print(path)

        def shoot(
            name: str,
            popup: Callable[[], QWidget | None] | None = None,
            under: QWidget | None = None,
        ) -> None:
            """The window, with ``popup`` (a menu or a dialog it opens) drawn where it
            shows (a menu ``under`` its button, kept inside the window, as on a real
            screen): an offscreen grab of the window leaves top-level pop-ups out, and the
            offscreen screen is smaller than the window."""
            for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
                gui.theme.set_mode(mode)
                settle(lambda: True)
                picture = window.grab()
                shown = popup() if popup is not None else None
                if shown is not None:
                    settle(lambda: shown.isVisible())  # noqa: B023
                    picture = window.grab()
                    painter = QPainter(picture)
                    at = window.mapFromGlobal(shown.mapToGlobal(QPoint(0, 0)))
                    if under is not None:
                        at = under.mapTo(window, under.rect().bottomLeft())
                        at.setX(min(at.x(), window.width() - shown.width() - 4))
                    painter.drawPixmap(at, shown.grab())
                    painter.end()
                    shown.hide()
                save(picture, name, mode)
            gui.theme.set_mode(ThemeMode.LIGHT)

        def show_box() -> None:
            """The action pane scrolled so that its PLAYBOOK box shows whole."""
            box = window.alerts_view.action_pane.playbooks
            scroll = box.parentWidget()
            while scroll is not None and not hasattr(scroll, "ensureWidgetVisible"):
                scroll = scroll.parentWidget()
            if scroll is not None:
                scroll.ensureWidgetVisible(box, 0, 8)  # type: ignore[attr-defined]
            settle(lambda: True)

        try:
            window.resize(*SIZE)
            window.show()
            gui.open_url(to_url(str(copy)))
            view = window.alerts_view
            pane = view.action_pane
            settle(lambda: gui.workspace is not None and view.alerts_pane.model.rowCount() > 0)
            settle(lambda: bool(pane.playbooks.menu.actions()))
            view.alerts_pane.show_alert(running)
            settle(lambda: pane.alert is not None and pane.alert.playbook is not None)
            show_box()
            shoot("playbook-card")

            def stop_prompt() -> QWidget:
                from services.alerts.playbook_records import stop_question
                from views.kit.note_dialog import optional_note_dialog

                alert = pane.alert
                assert alert is not None
                assert alert.playbook is not None
                # What Stop playbook… opens (views/alerts/playbook_menu.ask_stop_reason).
                question = stop_question(alert.customer, alert.playbook.name)
                dialog = optional_note_dialog(window, "Stop playbook", question, "Stop")
                dialog.text.setPlainText("They renewed by phone with Maya")
                dialog.show()
                geometry = dialog.frameGeometry()
                geometry.moveCenter(window.frameGeometry().center())
                dialog.move(geometry.topLeft())
                return dialog

            shoot("playbook-stop", stop_prompt)
            view.alerts_pane.show_alert(free)
            settle(lambda: pane.alert is not None and pane.alert.playbook is None)
            show_box()

            def open_menu() -> QWidget:
                pane.playbooks.open_menu()
                return pane.playbooks.menu

            shoot("playbook-menu", open_menu, under=pane.playbooks.start_button)

            window.tabs.setCurrentIndex(TAB_MY_WORK)
            work = window.my_work
            work.reload()
            settle(lambda: len(work.steps.model.rows) >= 2)
            work.steps.select_row(0)
            settle(lambda: work.step_actions.done_button.isEnabled())
            shoot("playbook-my-work")

            window.tabs.setCurrentIndex(TAB_RESULTS)
            results = window.results
            settle(lambda: results.state == "data")
            results.by_combo.setCurrentIndex(results.by_combo.findData("playbook"))
            model = results.breakdown_model
            settle(
                lambda: (
                    results.state == "data"
                    and any(model.index(r, 0).data() == "Win-back" for r in range(model.rowCount()))
                )
            )
            scroll = results.breakdown_table.parentWidget()
            while scroll is not None and not hasattr(scroll, "ensureWidgetVisible"):
                scroll = scroll.parentWidget()
            if scroll is not None:
                scroll.ensureWidgetVisible(results.breakdown_note)  # type: ignore[attr-defined]
            settle(lambda: True)
            shoot("playbook-results")
        finally:
            gui.shutdown()
            window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
