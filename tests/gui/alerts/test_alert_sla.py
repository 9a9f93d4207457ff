"""Alert SLAs in the window (services/alerts/sla.py) on the scored demo workspace with a
fixed clock: an untouched critical alert past its due time says "Overdue 3 d" in red on
its card and "Overdue since Fri, Jan 4" in the action pane; one due today says so; a call
logged on the overdue alert takes the mark away; My work lists the owner's overdue alerts."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtGui import QColor

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.my_work_source import WorkspaceMyWorkSource
from app.workspace import Workspace
from services.alerts.actions import apply_alert_action
from services.alerts.config import RULE_QUEUES
from services.settings import set_setting
from views.alerts.view import AlertsView
from views.item_models.alert_list_model import due_badge
from views.kit.jobs import JobRunner
from views.kit.theme import LIGHT
from views.my_work.pane import MyWorkPane

TIMEOUT_MS = 60_000
NOW = dt.datetime(2030, 1, 9, 12, 0, tzinfo=dt.UTC)  # a Wednesday
OWNER = "Dana Tester"
LATE_RAISED = "2030-01-03 09:00:00"  # Thursday: a critical alert is due by Friday's end
TODAY_RAISED = "2030-01-08 10:00:00"  # Tuesday: due by the end of today
OTHERS_RAISED = "2030-01-09 11:00:00"


@pytest.fixture
def sla(workspace: Workspace) -> tuple[int, int]:
    """Two risk alerts alone on their cards, made critical and owned by OWNER: one raised
    last Thursday, one yesterday; every other alert raised this morning; nothing acted on.
    """
    with workspace.sessions() as session:
        set_setting(session, "workspace.time_zone", "UTC")
        session.commit()
    path = workspace.engine.url.database
    assert path is not None
    risk = [key for key, queue in RULE_QUEUES.items() if queue == "risk"]
    with sqlite3.connect(path) as con:
        late, today = (r[0] for r in con.execute(
            "SELECT a.id FROM alerts a WHERE a.status = 'open' AND (SELECT COUNT(*) FROM "
            "alerts b WHERE b.customer_id = a.customer_id AND b.status IN "
            "('open', 'in_progress', 'snoozed')) = 1 AND a.rule_key IN "
            f"({', '.join('?' for _ in risk)}) ORDER BY a.priority_cents DESC LIMIT 2", risk
        ).fetchall())  # fmt: skip
        con.execute("UPDATE alerts SET created_at = ?", (OTHERS_RAISED,))
        for alert, raised in ((late, LATE_RAISED), (today, TODAY_RAISED)):
            con.execute(
                "UPDATE alerts SET created_at = ?, severity = 'critical', owner = ? WHERE id = ?",
                (raised, OWNER, alert),
            )
        con.execute("DELETE FROM actions WHERE alert_id IN (?, ?)", (late, today))
        con.execute("DELETE FROM outreach WHERE alert_id IN (?, ?)", (late, today))
    return int(late), int(today)


def test_the_card_and_the_action_pane_say_overdue_and_a_call_clears_it(
    qtbot, jobs: JobRunner, workspace: Workspace, sla: tuple[int, int]
) -> None:
    late, today = sla
    view = AlertsView(jobs)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    source = WorkspaceAlertSource(workspace, user="dana", clock=lambda: NOW)
    view.set_sources(source, WorkspaceCustomerSource(workspace), owner_name=None)
    pane = view.alerts_pane
    qtbot.waitUntil(lambda: pane.model.rowCount() > 0 and jobs.is_idle(), timeout=TIMEOUT_MS)

    model = pane.model
    record = model.record(model.row_of(late))
    assert record["due"] == "Overdue 3 d"  # Mon, Tue, Wed past Friday's end
    assert record["overdue"] is True
    assert due_badge(record, LIGHT) == [("Overdue 3 d", QColor(LIGHT.critical))]
    assert "Overdue 3 d" in str(model.index(model.row_of(late), 0).data(3))  # the tooltip
    soon = model.record(model.row_of(today))
    assert soon["due"] == "Due today"
    assert due_badge(soon, LIGHT) == [("Due today", QColor(LIGHT.muted))]
    others = [model.record(r) for r in range(model.rowCount())]
    assert sum(1 for r in others if r["overdue"]) == 1

    assert pane.show_alert(late)
    qtbot.waitUntil(
        lambda: view.action_pane.alert is not None and view.action_pane.alert.id == late,
        timeout=TIMEOUT_MS,
    )
    assert "Overdue since Fri, Jan 4" in view.action_pane.title.text()
    view.grab().save("/tmp/sla_card.png")

    # A call logged on it (late: the SLA is breached, but someone acts): no more mark.
    apply_alert_action(workspace.engine, late, "log", kind="call", text="Left a message",
                       actor="dana", now=NOW)  # fmt: skip
    with qtbot.waitSignal(pane.model.modelReset, timeout=TIMEOUT_MS):
        view.reload()
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert model.record(model.row_of(late))["due"] == ""


def test_my_work_lists_the_owners_overdue_alerts(
    qtbot, jobs: JobRunner, workspace: Workspace, sla: tuple[int, int]
) -> None:
    late, _today = sla
    pane = MyWorkPane(jobs, ask_date=lambda _task: None)
    qtbot.addWidget(pane)
    pane.resize(1366, 768)
    pane.show()
    source = WorkspaceMyWorkSource(workspace, user=lambda: "dana", clock=lambda: NOW)
    pane.set_source(source, owner=OWNER)
    qtbot.waitUntil(lambda: pane.work is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    rows = pane.overdue.model.rows
    assert [r.alert_id for r in rows] == [late]
    assert pane.overdue.title.text() == "Overdue alerts · 1"
    assert pane.overdue.model.index(0, 2).data() == "3 working days"
    assert pane.overdue.table.isVisible()
    pane.grab().save("/tmp/sla_my_work.png")
    with qtbot.waitSignal(pane.open_requested, timeout=TIMEOUT_MS) as opened:
        pane.overdue.activated.emit(rows[0])
    assert opened.args[0] == late

    # Someone else's book: nothing overdue of theirs.
    pane.set_owner("Nobody Here")
    qtbot.waitUntil(lambda: pane.work is not None and pane.work.owner == "Nobody Here"
                    and jobs.is_idle(), timeout=TIMEOUT_MS)  # fmt: skip
    assert pane.overdue.model.rows == ()
