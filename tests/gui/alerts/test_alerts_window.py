"""The three panes on a real, scored demo workspace with its alerts: select an alert and
see its customer, act on it (snooze, resolve, log a call, do not contact), filter,
search, move with the keyboard; the dashboard tab.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from PySide6.QtCore import QSettings, Qt

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from services.alerts.config import RULE_QUEUES
from services.alerts.records import SEVERITY_RANK
from views.alerts.view import AlertsView
from views.item_models.alert_list_model import AlertIdRole, SeverityRole
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import TAB_ALERTS, TAB_CUSTOMERS, TAB_DASHBOARD, MainWindow

TIMEOUT_MS = 60_000
USER = "dana.tester"


class Prompts:
    """Answers the action pane's questions as a user would."""

    def __init__(self) -> None:
        self.text: str | None = "Called; they will reorder next week"
        self.task: tuple[str, dt.date] | None = None
        self.call: tuple[str, str] | None = ("connected", "Called; they will reorder next week")
        self.yes = True  # "Do not contact?", "Dismiss?", "Resolve?" answered (Enter)
        self.note = ""  # the optional note typed with it
        self.asked: list[tuple[str, str]] = []

    def ask_text(self, _title: str, _label: str) -> str | None:
        return self.text

    def ask_task(self, _customer: str) -> tuple[str, dt.date] | None:
        return self.task

    def ask_call(self, _customer: str) -> tuple[str, str] | None:
        return self.call

    def confirm(self, title: str, question: str) -> bool:
        self.asked.append((title, question))
        return self.yes

    def ask_note(self, title: str, question: str, _button: str) -> str | None:
        self.asked.append((title, question))
        return self.note if self.yes else None


@pytest.fixture
def prompts() -> Prompts:
    return Prompts()


@pytest.fixture
def view(qtbot, jobs: JobRunner, workspace: Workspace, prompts: Prompts) -> AlertsView:
    v = AlertsView(
        jobs, ask_text=prompts.ask_text, ask_task=prompts.ask_task, ask_call=prompts.ask_call
    )
    v.action_pane._confirm = prompts.confirm
    v.action_pane._ask_note = prompts.ask_note
    qtbot.addWidget(v)
    v.resize(1400, 860)
    v.show()
    v.set_sources(
        WorkspaceAlertSource(workspace, user=USER),
        WorkspaceCustomerSource(workspace),
        owner_name=None,
    )
    wait_shown(qtbot, v, jobs)
    return v


def wait_shown(qtbot, v: AlertsView, jobs: JobRunner) -> None:
    """The list, the selected alert and its customer are on screen, nothing in flight."""

    def ready() -> bool:
        alert = v.action_pane.alert
        detail = v.detail_pane.detail
        return (
            alert is not None
            and alert.id == v.alerts_pane.current_alert_id
            and detail is not None
            and detail.id == alert.customer_id
            and not v.detail_pane.load_pending
            and jobs.is_idle()
        )

    qtbot.waitUntil(ready, timeout=TIMEOUT_MS)


def db_rows(workspace: Workspace, sql: str, *params: object) -> list[tuple]:
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def visible_ids(v: AlertsView) -> list[int]:
    model = v.alerts_pane.model
    return [model.index(r, 0).data(AlertIdRole) for r in range(model.rowCount())]


def test_opens_on_the_highest_priority_alert_and_its_customer(
    view: AlertsView, workspace: Workspace
) -> None:
    risk_rules = [key for key, queue in RULE_QUEUES.items() if queue == "risk"]
    marks = ", ".join("?" * len(risk_rules))
    active = db_rows(
        workspace,
        "SELECT id, customer_id, priority_cents, severity FROM alerts "
        f"WHERE status IN ('open', 'in_progress') AND rule_key IN ({marks}) "
        "ORDER BY priority_cents DESC",
        *risk_rules,
    )
    assert active, "the demo raises alerts"
    # The risk queue opens first: one card per customer, the most urgent first.
    assert view.alerts_pane.queue == "risk"
    assert view.alerts_pane.model.rowCount() == len({row[1] for row in active})
    # It says what it counts, in one unit: the cards (one per customer in a queue) and
    # their alerts; the demo's past alerts, most of them closed, are not in the total.
    customers = len({row[1] for row in active})
    raised = db_rows(
        workspace,
        f"SELECT DISTINCT customer_id FROM alerts WHERE status <> 'held_back' "
        f"AND rule_key IN ({marks})",
        *risk_rules,
    )
    assert len(raised) > customers
    assert view.alerts_pane.count_label.text() == f"{customers:,} cards · {len(active):,} alerts"
    assert "of the " + f"{customers:,} active cards in the Risk queue" in (
        view.alerts_pane.count_label.toolTip()
    )
    top = view.action_pane.alert
    assert top is not None
    # Most urgent: the most severe first (critical before warning), then the biggest stake.
    first = min(active, key=lambda row: (SEVERITY_RANK[row[3]], -row[2]))
    assert top.severity == first[3]
    assert top.priority_cents == first[2]
    # Down the list, the most severe first, then what the card's alerts are worth acting on
    # (their priority: services/alerts/worth.py), biggest first; the amount a risk card
    # shows is the customer's revenue at risk, its tile's figure.
    model = view.alerts_pane.model
    worth: dict[int, int] = {}
    for _id, customer, priority, _severity in active:
        worth[customer] = max(worth.get(customer, 0), int(priority))
    shown = [
        (
            SEVERITY_RANK[model.index(r, 0).data(SeverityRole)],
            -worth[int(model.record(r)["customer_id"])],
        )
        for r in range(model.rowCount())
    ]
    assert shown == sorted(shown)
    assert len({stake for _, stake in shown}) > 1
    assert view.detail_pane.detail is not None
    assert view.detail_pane.detail.id == top.customer_id
    assert top.reason
    assert view.action_pane.next_title.text()
    # The chips count the active alerts by severity.
    counts = dict(
        db_rows(
            workspace,
            "SELECT severity, COUNT(*) FROM alerts "
            "WHERE status IN ('open', 'in_progress') GROUP BY severity",
        )
    )
    critical = view.alerts_pane.severity_buttons["critical"].text()
    assert critical == f"Critical {counts.get('critical', 0):,}"


def test_arrow_keys_move_through_alerts_and_the_customer_follows(
    qtbot, view: AlertsView, jobs: JobRunner
) -> None:
    first = view.alerts_pane.current_alert_id
    view.alerts_pane.focus_list()
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_Down)
    wait_shown(qtbot, view, jobs)
    second = view.alerts_pane.current_alert_id
    assert second != first
    assert second == visible_ids(view)[1]
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_Up)
    wait_shown(qtbot, view, jobs)
    assert view.alerts_pane.current_alert_id == first


def test_home_and_end_jump_to_the_first_and_last_card_and_a_queue_starts_at_its_top(
    qtbot, view: AlertsView, jobs: JobRunner
) -> None:
    pane = view.alerts_pane
    pane.focus_list()
    ids = visible_ids(view)
    assert len(ids) > 3
    qtbot.keyClick(pane.list, Qt.Key.Key_End)
    wait_shown(qtbot, view, jobs)
    assert pane.current_alert_id == ids[-1]
    assert view.detail_pane.detail is not None  # the panes follow the highlighted card
    qtbot.keyClick(pane.list, Qt.Key.Key_Home)
    wait_shown(qtbot, view, jobs)
    assert pane.current_alert_id == ids[0]
    # Down a few, then another queue: it starts at its top card, not at that row.
    for _ in range(3):
        qtbot.keyClick(pane.list, Qt.Key.Key_Down)
    wait_shown(qtbot, view, jobs)
    others = [i for i in range(pane.queue_tabs.count()) if i != pane.queue_tabs.currentIndex()]
    for index in others:
        pane.queue_tabs.setCurrentIndex(index)
        ids = visible_ids(view)
        if len(ids) > 3:
            wait_shown(qtbot, view, jobs)
            assert pane.current_alert_id == ids[0], pane.queue
            break
    else:
        pytest.fail("no other queue holds more than three cards")


def test_a_lone_selection_loads_at_once_and_a_held_key_loads_only_where_it_stops(
    qtbot, view: AlertsView, jobs: JobRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[int] = []
    source = view.detail_pane._source
    assert source is not None
    real_load = source.load_customer_detail

    def counting_load(customer_id: int):  # type: ignore[no-untyped-def]
        loads.append(customer_id)
        return real_load(customer_id)

    monkeypatch.setattr(source, "load_customer_detail", counting_load)
    qtbot.wait(300)  # a quiet spell since the first alert was shown
    view.alerts_pane.focus_list()
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_Down)
    # No pause: the customer's load is already on the job runner.
    assert not view.detail_pane.load_pending
    wait_shown(qtbot, view, jobs)
    assert len(loads) == 1
    # Four rows passed in quick succession (a held arrow key): the rows passed are not
    # loaded one by one; the row the key stopped on is, and its alert follows.
    qtbot.wait(300)
    loads.clear()
    for _ in range(4):
        qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_Down)
    assert view.detail_pane.load_pending
    wait_shown(qtbot, view, jobs)
    expected = visible_ids(view)[5]
    assert view.alerts_pane.current_alert_id == expected
    assert view.action_pane.alert is not None
    assert view.action_pane.alert.id == expected
    # At most the first row (loaded at once, before the burst showed) and the last.
    assert len(loads) <= 2
    assert loads[-1] == view.action_pane.alert.customer_id


def test_snooze_a_week_hides_it_and_moves_to_the_next(
    qtbot, view: AlertsView, jobs: JobRunner, workspace: Workspace
) -> None:
    ids = visible_ids(view)
    first, second = ids[0], ids[1]
    view.action_pane.snooze("1w")
    qtbot.waitUntil(lambda: first not in visible_ids(view), timeout=TIMEOUT_MS)
    wait_shown(qtbot, view, jobs)
    assert view.alerts_pane.current_alert_id == second
    status, until = db_rows(
        workspace, "SELECT status, snoozed_until FROM alerts WHERE id=?", first
    )[0]
    assert status == "snoozed"
    assert until is not None
    expected = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)
    assert until.startswith(expected.isoformat())
    who = db_rows(
        workspace,
        "SELECT actor FROM audit_events WHERE entity_id = ? AND action = 'alert.snoozed'",
        first,
    )
    assert who
    assert who[0][0] == USER
    # The snoozed filter shows it, with Reopen on offer.
    view.alerts_pane.status_combo.setCurrentIndex(view.alerts_pane.status_combo.findData("snoozed"))
    assert first in visible_ids(view)
    assert second not in visible_ids(view)
    wait_shown(qtbot, view, jobs)
    assert view.action_pane.buttons["reopen"].isEnabled()


def test_resolve_with_an_outcome_closes_it(
    qtbot, view: AlertsView, jobs: JobRunner, workspace: Workspace
) -> None:
    # A card holds all of a customer's alerts of a queue, and the demo's past alerts are
    # resolved too: an alert whose customer has no other, so the resolved list's card
    # is this alert's.
    risk_rules = [key for key, queue in RULE_QUEUES.items() if queue == "risk"]
    marks = ", ".join("?" * len(risk_rules))
    alert = db_rows(
        workspace,
        f"SELECT MIN(id) FROM alerts WHERE status = 'open' AND rule_key IN ({marks}) "
        f"AND customer_id IN (SELECT customer_id FROM alerts WHERE rule_key IN ({marks}) "
        "GROUP BY customer_id HAVING COUNT(*) = 1)",
        *risk_rules,
        *risk_rules,
    )[0][0]
    assert alert is not None
    assert view.alerts_pane.select_alert(alert)
    qtbot.waitUntil(
        lambda: view.action_pane.alert is not None and view.action_pane.alert.id == alert,
        timeout=TIMEOUT_MS,
    )
    wait_shown(qtbot, view, jobs)
    view.action_pane.resolve("won_back")
    qtbot.waitUntil(lambda: alert not in visible_ids(view), timeout=TIMEOUT_MS)
    wait_shown(qtbot, view, jobs)
    assert db_rows(workspace, "SELECT status, outcome FROM alerts WHERE id=?", alert) == [
        ("resolved", "won_back")
    ]
    view.alerts_pane.status_combo.setCurrentIndex(
        view.alerts_pane.status_combo.findData("resolved")
    )
    assert view.alerts_pane.select_alert(alert)
    qtbot.waitUntil(
        lambda: view.action_pane.alert is not None and view.action_pane.alert.id == alert,
        timeout=TIMEOUT_MS,
    )
    assert "Won back" in view.action_pane.meta.text()
    assert view.action_pane.buttons["reopen"].isEnabled()
    assert not view.action_pane.buttons["resolve"].isEnabled()
    wait_shown(qtbot, view, jobs)


def test_log_a_call_shows_in_history_and_timeline(
    qtbot, view: AlertsView, jobs: JobRunner, workspace: Workspace
) -> None:
    alert = view.alerts_pane.current_alert_id
    customer = view.action_pane.alert.customer_id  # type: ignore[union-attr]
    view.action_pane.trigger("call")
    qtbot.waitUntil(
        lambda: (
            view.action_pane.alert is not None
            and "reorder next week" in view.action_pane.history.text()
        ),
        timeout=TIMEOUT_MS,
    )
    wait_shown(qtbot, view, jobs)
    calls = db_rows(
        workspace,
        "SELECT customer_id, alert_id, kind FROM actions WHERE alert_id = ?",
        alert,
    )
    assert calls == [(customer, alert, "call")]
    events = view.detail_pane.timeline_model

    def call_in_timeline() -> bool:
        titles = [events.event_at(r).title for r in range(events.rowCount())]
        return any("call" in t.lower() for t in titles)

    # The customer's timeline shows the call as an interaction.
    qtbot.waitUntil(call_in_timeline, timeout=TIMEOUT_MS)
    wait_shown(qtbot, view, jobs)


def test_do_not_contact_flags_the_customer_and_blocks_outreach(
    qtbot, view: AlertsView, jobs: JobRunner, workspace: Workspace, prompts: Prompts
) -> None:
    model = view.alerts_pane.model
    row = next(r for r in range(model.rowCount()) if not model.record(r)["do_not_contact"])
    assert view.alerts_pane.select_alert(model.alert_id(row))
    wait_shown(qtbot, view, jobs)
    alert = view.action_pane.alert
    assert alert is not None
    assert not alert.do_not_contact
    # X asks first, as the Customers tab's Do not contact… does: Cancel changes nothing.
    prompts.yes = False
    qtbot.keyClick(view.action_pane, Qt.Key.Key_X)
    assert prompts.asked == [
        (
            "Do not contact?",
            f"Mark {alert.customer} do not contact? No email can be drafted or sent to them "
            "until the mark is lifted, and the history records who set it.",
        )
    ]
    qtbot.wait(100)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert db_rows(
        workspace, "SELECT do_not_contact FROM customers WHERE id=?", alert.customer_id
    ) == [(0,)]
    prompts.yes = True
    qtbot.keyClick(view.action_pane, Qt.Key.Key_X)
    qtbot.waitUntil(
        lambda: view.action_pane.alert is not None and view.action_pane.alert.do_not_contact,
        timeout=TIMEOUT_MS,
    )
    wait_shown(qtbot, view, jobs)
    assert db_rows(
        workspace, "SELECT do_not_contact FROM customers WHERE id=?", alert.customer_id
    ) == [(1,)]
    assert view.action_pane.blocked.isVisible()
    assert not view.action_pane.buttons["dnc"].isEnabled()


def test_filters_and_search_narrow_the_list(
    qtbot, view: AlertsView, jobs: JobRunner, workspace: Workspace
) -> None:
    pane = view.alerts_pane
    total = pane.model.rowCount()
    pane.severity_buttons["critical"].click()
    criticals = db_rows(
        workspace,
        "SELECT COUNT(*) FROM alerts WHERE severity='critical' "
        "AND status IN ('open','in_progress')",
    )[0][0]
    assert pane.model.rowCount() == criticals
    pane.severity_buttons["critical"].click()
    assert pane.model.rowCount() == total
    wait_shown(qtbot, view, jobs)
    # Search by a customer's name from the list.
    name = view.action_pane.alert.customer  # type: ignore[union-attr]
    if name.isascii():
        qtbot.keyClicks(pane.search_box, name)
    else:  # QTest types ASCII only (it asserts on 'ō')
        pane.search_box.setText(name)
    assert 0 < pane.model.rowCount() < total
    assert all(name.lower() in pane.model.record(r)["customer"].lower()
               for r in range(pane.model.rowCount()))  # fmt: skip
    pane.search_box.setText("no customer is called this")
    assert pane.model.rowCount() == 0
    assert pane.message.text() == "No alerts match these filters."
    pane.search_box.clear()
    assert pane.model.rowCount() == total
    # Mine asks who the user is once, then filters by that owner.
    owners = pane.model.data_set.values("owner")  # type: ignore[union-attr]
    pane._ask_owner = lambda options: owners[0]  # the prompt is the user's answer
    with qtbot.waitSignal(pane.owner_chosen) as chosen:
        pane.mine_button.click()
    assert chosen.args == [owners[0]]
    kept = [pane.model.record(r)["owner"] for r in range(pane.model.rowCount())]
    assert kept
    assert set(kept) == {owners[0]}
    wait_shown(qtbot, view, jobs)


def test_the_window_opens_on_alerts_and_the_dashboard_loads(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> None:
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    window.set_source(WorkspaceCustomerSource(workspace))
    window.set_alert_source(WorkspaceAlertSource(workspace, user=USER))
    assert window.tabs.currentIndex() == TAB_ALERTS
    wait_shown(qtbot, window.alerts_view, jobs)
    window.tabs.setCurrentIndex(TAB_DASHBOARD)
    qtbot.waitUntil(lambda: window.dashboard.state == "data", timeout=TIMEOUT_MS)
    data = window.dashboard.data
    assert data is not None
    scored = db_rows(workspace, "SELECT COUNT(*) FROM score_snapshots")[0][0]
    assert data.scored_customers == scored
    active = db_rows(
        workspace, "SELECT COUNT(*) FROM alerts WHERE status IN ('open', 'in_progress')"
    )[0][0]
    assert data.open_alerts == active
    # In cards, the Alerts tab's rows: one per customer and queue with an open alert.
    from services.alerts.config import RULE_QUEUES

    cards = {
        (customer, RULE_QUEUES[rule])
        for customer, rule in db_rows(
            workspace,
            "SELECT customer_id, rule_key FROM alerts WHERE status IN ('open', 'in_progress')",
        )
    }
    assert sum(data.open_cards_by_severity.values()) == len(cards) < active
    assert len(data.churn_risk) == scored
    qtbot.waitUntil(
        lambda: jobs.is_idle() and window.customers_pane.model.table.prepared,
        timeout=TIMEOUT_MS,
    )
    assert ui_settings.value("ui/tab") == "dashboard"


def test_draft_email_in_each_tab_writes_to_that_tabs_customer(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> None:
    """E drafts from the Alerts tab's action pane there, and from the Customers tab's
    detail pane there: never both at once, never the other tab's customer."""
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    window.set_source(WorkspaceCustomerSource(workspace))
    window.set_alert_source(WorkspaceAlertSource(workspace, user=USER))
    view, detail = window.alerts_view, window.detail_pane
    view.action_pane.set_drafting_available(True)
    detail.set_drafting_available(True)
    from_alerts: list[tuple[int, int]] = []
    from_customers: list[int] = []
    view.action_pane.draft_requested.connect(lambda a, c: from_alerts.append((a, c)))
    detail.draft_requested.connect(from_customers.append)
    wait_shown(qtbot, view, jobs)
    contactable_alert = db_rows(
        workspace,
        "SELECT a.id FROM alerts a JOIN customers c ON c.id = a.customer_id WHERE a.status = "
        "'open' AND c.do_not_contact = 0 AND NOT a.holdout AND NOT EXISTS (SELECT 1 FROM "
        "alerts h WHERE h.customer_id = c.id AND h.holdout) AND NOT EXISTS (SELECT 1 FROM "
        "interactions i WHERE i.customer_id = c.id AND i.kind = 'unsubscribe') "
        "ORDER BY a.priority_cents DESC",
    )[0][0]
    # Shown even when it is not in the queue on screen (a deal stalls in the pipeline).
    assert view.alerts_pane.show_alert(contactable_alert)
    wait_shown(qtbot, view, jobs)
    alert = view.action_pane.alert
    assert alert is not None
    # The card of that alert: its customer's alerts of one queue, the most urgent shown.
    assert contactable_alert in alert.card_ids
    assert not alert.outreach_blocked
    assert view.detail_pane.draft_button.isHidden()  # the action pane drafts in this tab

    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_E)
    assert from_alerts == [(alert.id, alert.customer_id)]
    assert from_customers == []

    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert window.customers_pane.select_customer(alert.customer_id)
    qtbot.waitUntil(
        lambda: detail.detail is not None and detail.detail.id == alert.customer_id,
        timeout=TIMEOUT_MS,
    )
    shown = detail.detail
    assert shown is not None
    assert not shown.do_not_contact
    assert detail.draft_button.isVisible()
    assert detail.draft_button.isEnabled()
    qtbot.keyClick(window.customers_pane.table, Qt.Key.Key_E)
    qtbot.mouseClick(detail.draft_button, Qt.MouseButton.LeftButton)
    assert from_customers == [shown.id, shown.id]
    assert len(from_alerts) == 1

    # A customer who asked not to be contacted: the button is there, greyed, and says why.
    with workspace.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE customers SET do_not_contact = 1 WHERE id = ?", (shown.id,))
    with qtbot.waitSignal(detail.detail_shown, timeout=TIMEOUT_MS):
        detail.refresh()
    assert not detail.draft_button.isEnabled()
    assert "not to be contacted" in detail.draft_button.toolTip()
    before = list(from_customers)
    # E is no shortcut now, and the table does not take it either: no jump to a name
    # starting with E, so the next action key still acts on this customer.
    qtbot.keyClick(window.customers_pane.table, Qt.Key.Key_E)
    assert from_customers == before
    assert window.customers_pane.current_customer_id() == shown.id

    # A customer in the holdout: E asks why first, and the answer goes with the request.
    with workspace.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE customers SET do_not_contact = 0 WHERE id = ?", (shown.id,))
        conn.exec_driver_sql(
            "UPDATE alerts SET holdout = 1, holdout_band = 'high' WHERE customer_id = ? "
            "AND status IN ('open', 'in_progress')",
            (shown.id,),
        )
    with qtbot.waitSignal(detail.detail_shown, timeout=TIMEOUT_MS):
        detail.refresh()
    assert detail.detail is not None
    assert detail.detail.holdout
    asked: list[str] = []
    detail._ask_reason = lambda _t, q: asked.append(q) or "They asked for a quote"
    anyway: list[tuple[int, str]] = []
    detail.holdout_draft_requested.connect(lambda c, r: anyway.append((c, r)))
    qtbot.mouseClick(detail.draft_button, Qt.MouseButton.LeftButton)
    assert anyway == [(shown.id, "They asked for a quote")]
    assert from_customers == before
    assert "in the holdout" in asked[0]
    qtbot.waitUntil(
        lambda: (
            jobs.is_idle()
            and not detail.load_pending
            and window.customers_pane.model.table.prepared
        ),
        timeout=TIMEOUT_MS,
    )


def test_a_letter_key_never_moves_the_selection_to_another_customer(
    qtbot, view: AlertsView, jobs: JobRunner
) -> None:
    """Letters are action keys: one whose action is unavailable (E, Draft email, with no
    composer here) does nothing, and never jumps the list to a name starting with it."""
    pane = view.alerts_pane
    model = pane.model
    current = pane.current_alert_id
    assert current is not None
    texts = [str(model.index(r, 0).data() or "") for r in range(model.rowCount())]
    here = model.row_of(current)
    other = next(t for r, t in enumerate(texts) if r != here and t and t[0] != texts[here][:1])
    assert not view.action_pane.draft_button.isEnabled()
    pane.list.setFocus()
    qtbot.keyClick(pane.list, Qt.Key.Key_E)
    pane.list.keyboardSearch(other[:4])  # what a QTableView would have jumped with
    wait_shown(qtbot, view, jobs)
    assert pane.current_alert_id == current
    assert view.action_pane.alert is not None
    assert view.action_pane.alert.id == current


def test_do_not_contact_can_be_lifted_from_the_customer_pane(
    qtbot, view: AlertsView, jobs: JobRunner, workspace: Workspace, monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox, QPushButton

    model = view.alerts_pane.model
    row = next(r for r in range(model.rowCount()) if not model.record(r)["do_not_contact"])
    assert view.alerts_pane.select_alert(model.alert_id(row))
    wait_shown(qtbot, view, jobs)
    alert = view.action_pane.alert
    assert alert is not None
    qtbot.keyClick(view.action_pane, Qt.Key.Key_X)
    lift = view.detail_pane.findChild(QPushButton, "liftDoNotContact")
    assert lift is not None
    assert not lift.isVisible()  # a customer who may be contacted: nothing to lift
    qtbot.waitUntil(lift.isVisible, timeout=TIMEOUT_MS)
    wait_shown(qtbot, view, jobs)

    asked: list[str] = []

    def answer(answer_with: QMessageBox.StandardButton):
        def question(_parent, _title, text, *_args):
            asked.append(text)
            return answer_with

        return question

    # No: nothing changes.
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    qtbot.mouseClick(lift, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    assert "asked not to be contacted" in asked[0]
    assert jobs.is_idle()
    assert db_rows(
        workspace, "SELECT do_not_contact FROM customers WHERE id=?", alert.customer_id
    ) == [(1,)]

    # Yes: the mark goes, the history records who lifted it, outreach is offered again.
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(lift, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            view.detail_pane.detail is not None
            and not view.detail_pane.detail.do_not_contact
            and view.action_pane.alert is not None
            and not view.action_pane.alert.do_not_contact
        ),
        timeout=TIMEOUT_MS,
    )
    wait_shown(qtbot, view, jobs)
    assert db_rows(
        workspace, "SELECT do_not_contact FROM customers WHERE id=?", alert.customer_id
    ) == [(0,)]
    events = db_rows(
        workspace,
        "SELECT details FROM audit_events WHERE action = 'customer.do_not_contact' "
        "AND entity_id = ? ORDER BY id",
        alert.customer_id,
    )
    assert [json.loads(e[0])["value"] for e in events] == [True, False]
    assert view.action_pane.buttons["dnc"].isEnabled()
    assert not lift.isVisible()
