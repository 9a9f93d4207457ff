"""A file dropped into the watched folder while the window is open is imported and the
workspace is scored again right after, with a notice (the application's own controller,
a real scored workspace file, a real Zendesk export)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from sqlalchemy.orm import Session

from app.gui.application import GuiController, make_controller
from app.workspace import to_url
from services.settings import set_setting
from tests.support.paths import DATA

TIMEOUT_MS = 120_000
TICKETS = DATA / "samples" / "zendesk" / "tickets.csv"


@pytest.fixture
def controller(
    qapp: QApplication, ui_settings: QSettings, tmp_path: Path, alerts_file: Path,
    presented_errors: list[str],
) -> Iterator[GuiController]:  # fmt: skip
    path = tmp_path / "book.radar.sqlite"
    shutil.copy(alerts_file, path)
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


def _count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as con:
        return int(con.execute(sql).fetchone()[0])


def test_a_file_in_the_watched_folder_is_imported_then_scored(
    qtbot, controller: GuiController, tmp_path: Path, presented_errors: list[str]
) -> None:
    jobs = controller.jobs
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert controller.workspace is not None
    path = Path(str(controller.workspace.engine.url.database))
    runs_before = _count(path, "SELECT count(*) FROM scoring_runs")
    tickets_before = _count(path, "SELECT count(*) FROM interactions WHERE kind = 'ticket'")
    alerts_before = _count(path, "SELECT count(*) FROM alerts")
    folder = tmp_path / "watched"
    folder.mkdir()
    imports = controller.imports
    imports.watcher.stable_ms = 200
    imports.set_watched_folder(str(folder))
    qtbot.waitUntil(lambda: imports.watcher.folder is not None, timeout=TIMEOUT_MS)

    with qtbot.waitSignal(controller.scoring.scoring_finished, timeout=TIMEOUT_MS):
        shutil.copy(TICKETS, folder / "tickets.csv")
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert presented_errors == []
    # Imported: the export's tickets are in, with their sentiment read.
    tickets = _count(path, "SELECT count(*) FROM interactions WHERE kind = 'ticket'")
    assert tickets > tickets_before
    assert _count(path, "SELECT count(*) FROM interactions WHERE source = 'zendesk' "
                        "AND text_sentiment IS NULL AND sentiment IS NULL") == 0  # fmt: skip
    # Scored again right after, once, today, with the new customers in it.
    assert _count(path, "SELECT count(*) FROM scoring_runs") == runs_before + 1
    scored = _count(path, "SELECT customers FROM scoring_runs ORDER BY id DESC LIMIT 1")
    assert scored == _count(path, "SELECT count(*) FROM customers WHERE external_id IS NULL "
                                  "OR external_id != '__guest__'")  # fmt: skip
    # The notice says what arrived and what the scoring and the alerts made of it.
    rows = _count(path, "SELECT inserted + updated FROM import_runs ORDER BY id DESC LIMIT 1")
    new_alerts = _count(path, "SELECT count(*) FROM alerts") - alerts_before
    expected = (
        f"tickets.csv imported: {rows:,} rows new or changed; re-scored {scored:,} customers, "
        f"{new_alerts:,} new alert{'' if new_alerts == 1 else 's'}."
    )
    assert rows > 0
    assert expected in [n.text for n in imports.notices.notices]
    assert controller.scoring.rescore_reason is None


def test_files_arriving_during_a_scoring_queue_one_more_never_two_at_once(
    qtbot, controller: GuiController, presented_errors: list[str]
) -> None:
    jobs = controller.jobs
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert controller.workspace is not None
    path = Path(str(controller.workspace.engine.url.database))
    runs_before = _count(path, "SELECT count(*) FROM scoring_runs")
    scoring = controller.scoring
    finished: list[object] = []
    scoring.scoring_finished.connect(finished.append)
    scoring.rescore("a.csv imported: 3 rows new or changed")
    qtbot.waitUntil(lambda: scoring.running, timeout=TIMEOUT_MS)
    # Two more files land while the first run is going: one re-score waits for both.
    scoring.rescore("b.csv imported: 1 row new or changed")
    scoring.rescore("c.csv imported: 2 rows new or changed")
    qtbot.waitUntil(lambda: len(finished) == 2 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert presented_errors == []
    assert _count(path, "SELECT count(*) FROM scoring_runs") == runs_before + 2
    texts = [n.text for n in controller.imports.notices.notices]
    assert any(t.startswith("a.csv imported: 3 rows new or changed; re-scored ") for t in texts)
    assert any(
        t.startswith("b.csv imported: 1 row new or changed; c.csv imported: 2 rows new or "
                     "changed; re-scored ")
        for t in texts
    )  # fmt: skip
    assert scoring.rescore_reason is None


def test_escalations_raised_by_a_scoring_in_the_window_show_as_a_notice(
    qtbot, controller: GuiController, presented_errors: list[str]
) -> None:
    jobs = controller.jobs
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert controller.workspace is not None
    path = Path(str(controller.workspace.engine.url.database))
    with sqlite3.connect(path) as con:
        cid = con.execute("SELECT min(id) FROM customers").fetchone()[0]
        when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
        ticket = con.execute(
            "INSERT INTO interactions (customer_id, kind, occurred_at, subject, status, "
            "satisfaction, source, attributes) VALUES (?, 'ticket', ?, 'Order never came', "
            "'open', 'bad', 'zendesk', ?)",
            (cid, when.strftime("%Y-%m-%d %H:%M:%S.%f"), json.dumps({"Priority": "Urgent"})),
        ).lastrowid
    with Session(controller.workspace.engine) as session, session.begin():
        set_setting(session, "escalation.ticket.enabled", True)
        set_setting(session, "escalation.team_lead", "Dana Reyes")
    with qtbot.waitSignal(controller.scoring.scoring_finished, timeout=TIMEOUT_MS):
        controller.scoring.rescore("orders.csv imported: 1 row new or changed")
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert presented_errors == []
    with sqlite3.connect(path) as con:
        raised = con.execute(
            "SELECT e.cause_key, e.assignee, a.kind FROM escalations e "
            "JOIN actions a ON a.id = e.action_id"
        ).fetchall()
    assert raised == [(f"ticket:{ticket}", "Dana Reyes", "task")]
    notices = {n.text: n for n in controller.imports.notices.notices}
    notice = notices["Escalations: 1 raised (a task each)"]
    assert notice.action_button is not None
    notice.action_button.click()
    assert controller.window.tabs.currentWidget().screen_widget is controller.window.my_work
