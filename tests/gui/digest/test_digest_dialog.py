"""Since yesterday in the window (the application's own controller, a real scored demo
file): View ▸ Since yesterday… shows the lines, a line opens exactly the customers it
counts, tasks open My work, and at start-up it shows once a day unless turned off."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app.gui.application import GuiController, make_controller
from app.gui.context import WindowContext
from app.gui.digest_controller import DigestController
from app.workspace import to_url
from services.core.formatting import format_date
from views.item_models.customer_filters import CustomerFilter
from views.shell.main_window import TAB_CUSTOMERS, TAB_MY_WORK

TIMEOUT_MS = 60_000


@pytest.fixture
def controller(
    qapp: QApplication, ui_settings: QSettings, tmp_path: Path, alerts_file: Path,
    presented_errors: list[str],
) -> Iterator[GuiController]:  # fmt: skip
    path = tmp_path / "book.radar.sqlite"
    shutil.copy(alerts_file, path)
    with sqlite3.connect(path) as con:  # a task due today, for My work
        cid = con.execute("SELECT min(id) FROM customers").fetchone()[0]
        con.execute(
            "INSERT INTO actions (customer_id, kind, title, due_date, created_by, created_at) "
            "VALUES (?, 'task', 'Call back about the refund', ?, 'dana', ?)",
            (cid, dt.date.today().isoformat(), "2026-11-20 09:00:00.000000"),
        )
        # Tickets of the last hours, from three customers (one wrote twice).
        now = dt.datetime.now(dt.UTC)
        for n, who in enumerate((cid, cid + 1, cid + 2, cid)):
            con.execute(
                "INSERT INTO interactions (customer_id, kind, occurred_at, subject, status, "
                "source) VALUES (?, 'ticket', ?, 'Where is my order?', 'open', 'test')",
                (who, (now - dt.timedelta(hours=n + 1)).strftime("%Y-%m-%d %H:%M:%S.%f")),
            )
    made = make_controller(qapp, ui_settings, show_dialogs=False)
    made.presenter.error_presented.connect(
        lambda title, text: presented_errors.append(f"{title}: {text}")
    )
    made.window.resize(1366, 768)
    made.window.show()
    made.open_url(to_url(str(path)))
    yield made
    made.shutdown()
    made.window.close()
    made.window.deleteLater()
    made.deleteLater()


def _open(qtbot, controller: GuiController) -> None:
    jobs = controller.jobs
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    controller.digest.action.trigger()
    qtbot.waitUntil(lambda: controller.digest.dialog is not None, timeout=TIMEOUT_MS)


def test_a_line_opens_the_customers_it_counts(qtbot, controller: GuiController) -> None:
    _open(qtbot, controller)
    dialog = controller.digest.dialog
    assert dialog is not None
    line = next(x for x in dialog.digest.lines if x.key == "new_tickets")
    assert line.count >= 4
    start = dt.datetime.combine(dialog.digest.since, dt.time()).strftime("%Y-%m-%d")
    path = Path(str(controller.workspace.engine.url.database))  # type: ignore[union-attr]
    with sqlite3.connect(path) as con:
        expected = {
            r[0]
            for r in con.execute(
                "SELECT customer_id FROM interactions WHERE kind = 'ticket' AND occurred_at >= ?",
                (start,),
            )
        }
    assert line.customer_ids == frozenset(expected)
    applied: list[CustomerFilter] = []
    original = controller.window.customers_pane.apply_filter

    def spy(f: CustomerFilter) -> None:
        applied.append(f)
        original(f)

    controller.window.customers_pane.apply_filter = spy  # type: ignore[method-assign]
    button = dialog.button_for("new_tickets")
    assert button.isEnabled()
    assert button.text() == line.text
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert controller.window.tabs.currentIndex() == TAB_CUSTOMERS
    assert len(applied) == 1
    assert applied[0].customer_ids == line.customer_ids
    assert line.text in applied[0].title


def test_tasks_due_open_my_work(qtbot, controller: GuiController) -> None:
    _open(qtbot, controller)
    dialog = controller.digest.dialog
    assert dialog is not None
    button = dialog.button_for("tasks_due")
    assert button.text().startswith("1 task due")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert controller.window.tabs.currentIndex() == TAB_MY_WORK


def test_at_start_up_once_a_day_unless_turned_off(
    qtbot, controller: GuiController, ui_settings: QSettings
) -> None:
    jobs = controller.jobs
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    # The window made by make_controller(show_dialogs=False) never shows it on its own.
    assert controller.digest.dialog is None
    day = [dt.date(2026, 11, 24)]
    morning = DigestController(
        WindowContext(jobs, controller.window, lambda: controller.workspace),
        ui_settings,
        today=lambda: day[0],
    )
    opened: list[dt.date] = []  # each time the digest is built (the job that fetches it)
    build_and_show = morning.open

    def counted_open(**kwargs: bool) -> None:
        opened.append(day[0])
        build_and_show(**kwargs)

    morning.open = counted_open  # type: ignore[method-assign]
    morning.workspace_opened()
    qtbot.waitUntil(lambda: morning.dialog is not None, timeout=TIMEOUT_MS)
    dialog = morning.dialog
    assert dialog is not None
    assert dialog.startup_box.isChecked()
    dialog.close()
    qtbot.waitUntil(lambda: morning.dialog is None, timeout=TIMEOUT_MS)
    morning.workspace_opened()  # the same day: not again
    qtbot.wait(200)
    assert opened == [dt.date(2026, 11, 24)]
    assert morning.dialog is None
    day[0] = dt.date(2026, 11, 25)  # the next morning: again, and turned off there
    morning.workspace_opened()
    qtbot.waitUntil(lambda: morning.dialog is not None, timeout=TIMEOUT_MS)
    assert morning.dialog is not None
    morning.dialog.startup_box.setChecked(False)
    morning.dialog.close()
    day[0] = dt.date(2026, 11, 26)
    morning.workspace_opened()
    qtbot.wait(200)
    assert opened == [dt.date(2026, 11, 24), dt.date(2026, 11, 25)]
    assert morning.dialog is None
    assert ui_settings.value("digest/at_startup") == "false"


def test_a_workspace_built_today_is_covered_since_it_was_built(
    qtbot, controller: GuiController
) -> None:
    """The demo was built today: nothing existed yesterday, so no "Since yesterday"; a
    demo built days ago is covered since yesterday again."""
    _open(qtbot, controller)
    dialog = controller.digest.dialog
    assert dialog is not None
    built = dialog.digest.built_on
    assert built is not None
    assert built >= dialog.digest.since
    assert dialog.windowTitle() == "Since the workspace was built"
    assert "yesterday" not in dialog.windowTitle().lower()
    assert dialog.heading.text().startswith("What changed since the workspace was built on ")
    dialog.close()
    qtbot.waitUntil(lambda: controller.digest.dialog is None, timeout=TIMEOUT_MS)
    path = Path(str(controller.workspace.engine.url.database))  # type: ignore[union-attr]
    with sqlite3.connect(path) as con:
        con.execute(
            "UPDATE audit_events SET occurred_at = '2026-01-05 09:00:00.000000' "
            "WHERE action = 'demo_built'"
        )
    _open(qtbot, controller)
    again = controller.digest.dialog
    assert again is not None
    assert again.digest.built_on is None
    assert again.windowTitle() == "Since yesterday"
    assert again.heading.text() == f"What changed since {format_date(again.digest.since)}"
