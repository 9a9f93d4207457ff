"""Undo in the window: what a key did to an alert or a customer, Ctrl+Z (or the bar's
Undo) takes back, on a real scored demo workspace; the audit keeps both."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from services.alerts.records import AlertDetail
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager, ThemeMode
from views.shell.main_window import TAB_CUSTOMERS, MainWindow

TIMEOUT_MS = 15_000
USER = "Maya Patel"


@pytest.fixture
def window(
    qtbot, qapp: QApplication, jobs: JobRunner, workspace: Workspace, ui_settings: QSettings
) -> Iterator[MainWindow]:
    theme = ThemeManager(qapp, ThemeMode.LIGHT)
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1400, 860)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace, user=lambda: USER))
    w.set_alert_source(WorkspaceAlertSource(workspace, user=USER))
    wait_idle(qtbot, w, jobs)
    yield w
    theme.deleteLater()


def wait_idle(qtbot, w: MainWindow, jobs: JobRunner) -> None:
    view = w.alerts_view

    def ready() -> bool:
        alert = view.action_pane.alert
        return (
            alert is not None
            and alert.id == view.alerts_pane.current_alert_id
            and view.detail_pane.detail is not None
            and not view.detail_pane.load_pending
            and jobs.is_idle()
        )

    qtbot.waitUntil(ready, timeout=TIMEOUT_MS)


def settle(qtbot, jobs: JobRunner) -> None:
    """Nothing in flight, nor about to start: the panes load after short timers (the
    alert's detail after its customer's), so idle must hold past them."""
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    qtbot.wait(400)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def rows(workspace: Workspace, sql: str, *params: object) -> list[tuple]:
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def show_contactable_card(qtbot, window: MainWindow, jobs: JobRunner) -> AlertDetail:  # type: ignore[no-untyped-def]  # noqa: E501
    """Show the first listed card whose customer may be contacted (the demo, built for
    today, may list a do-not-contact customer first: no meeting is offered them)."""
    view = window.alerts_view
    model = view.alerts_pane.model
    for row in range(model.rowCount()):
        alert_id = int(model.record(row)["id"])
        assert view.alerts_pane.show_alert(alert_id)
        qtbot.waitUntil(
            lambda a=alert_id: (
                view.action_pane.alert is not None and view.action_pane.alert.id == a
            ),
            timeout=TIMEOUT_MS,
        )
        wait_idle(qtbot, window, jobs)
        alert = view.action_pane.alert
        if alert is not None and not alert.do_not_contact:
            return alert
    raise AssertionError("no card of a customer who may be contacted")


def test_dismiss_then_ctrl_z_puts_the_card_back(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    view = window.alerts_view
    alert = view.action_pane.alert
    assert alert is not None
    card = alert.card_ids
    marks = ",".join("?" * len(card))
    before = rows(workspace, f"SELECT id, status FROM alerts WHERE id IN ({marks})", *card)
    assert not window.undo_action.isEnabled()
    view.alerts_pane.focus_list()
    view.action_pane._ask_note = lambda _title, _question, _button: ""  # "Dismiss?" Enter
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: window.undo_bar.isVisible(), timeout=TIMEOUT_MS)
    assert window.undo_bar.text.text().startswith("Dismissed ")
    assert window.undo_action.isEnabled()
    assert "Dismissed" in window.undo_action.text()
    now = rows(workspace, f"SELECT id, status FROM alerts WHERE id IN ({marks})", *card)
    statuses = {status for _id, status in now}
    assert statuses == {"dismissed"}
    wait_idle(qtbot, window, jobs)
    assert view.alerts_pane.model.row_of(card[0]) == -1  # off the active list

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: window.undo_bar.text.text().startswith("Undone: dismissed"), timeout=TIMEOUT_MS
    )
    wait_idle(qtbot, window, jobs)
    after = rows(workspace, f"SELECT id, status FROM alerts WHERE id IN ({marks})", *card)
    assert after == before
    assert view.alerts_pane.current_alert_id == card[0]  # its card is selected again
    audit = [a for (a,) in rows(workspace, "SELECT action FROM audit_events ORDER BY id")]
    assert audit[-len(card) * 2 :].count("alert.dismissed") == len(card)
    assert audit[-len(card) :] == ["alert.undone"] * len(card)
    # This card's events (the demo's past alerts have dismissals of their own).
    actors = {a for (a,) in rows(workspace, "SELECT DISTINCT actor FROM audit_events WHERE "
                                 "action IN ('alert.dismissed', 'alert.undone') "
                                 f"AND entity_id IN ({marks})", *card)}  # fmt: skip
    assert actors == {USER}
    assert not window.undo_action.isEnabled()  # nothing left to undo
    settle(qtbot, jobs)


def test_do_not_contact_then_lift_it_and_undo_the_lift(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    view = window.alerts_view
    alert = show_contactable_card(qtbot, window, jobs)
    customer = alert.customer_id
    view.alerts_pane.focus_list()
    view.action_pane._ask_note = lambda _title, _question, _button: ""  # "Do not contact?" Enter
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_X)
    qtbot.waitUntil(
        lambda: view.action_pane.alert is not None and view.action_pane.alert.do_not_contact,
        timeout=TIMEOUT_MS,
    )
    wait_idle(qtbot, window, jobs)
    assert rows(workspace, "SELECT do_not_contact FROM customers WHERE id=?", customer) == [(1,)]

    # Lifted from the Customers tab's customer pane (it asks first).
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert window.customers_pane.select_customer(customer)
    detail = window.detail_pane
    # The mark made in the Alerts tab shows here too (the pane reads the customer anew).
    qtbot.waitUntil(
        lambda: (
            detail.detail is not None
            and detail.detail.id == customer
            and detail.detail.do_not_contact
        ),
        timeout=TIMEOUT_MS,
    )
    assert detail.lift_button.isVisible()
    asked: list[str] = []
    detail._confirm = lambda title, _text: asked.append(title) or True
    detail.lift_button.click()
    qtbot.waitUntil(
        lambda: detail.detail is not None and not detail.detail.do_not_contact,
        timeout=TIMEOUT_MS,
    )
    assert asked == ["Allow contact again?"]
    assert rows(workspace, "SELECT do_not_contact FROM customers WHERE id=?", customer) == [(0,)]
    assert window.undo_bar.text.text().startswith("Allowed contact with ")
    assert not detail.lift_button.isVisible()

    # Ctrl+Z puts the mark back: the lift was the last thing done.
    window.undo_action.trigger()
    qtbot.waitUntil(
        lambda: detail.detail is not None and detail.detail.do_not_contact, timeout=TIMEOUT_MS
    )
    assert rows(workspace, "SELECT do_not_contact FROM customers WHERE id=?", customer) == [(1,)]
    lifted = rows(
        workspace,
        "SELECT actor, details FROM audit_events WHERE action='customer.do_not_contact' "
        "AND entity_id=? ORDER BY id",
        customer,
    )
    assert [actor for actor, _d in lifted] == [USER, USER]
    assert rows(
        workspace,
        "SELECT COUNT(*) FROM audit_events WHERE action='customer.undone' AND entity_id=?",
        customer,
    ) == [(1,)]
    # And Ctrl+Z again takes back the mark itself.
    window.undo_action.trigger()
    qtbot.waitUntil(
        lambda: (
            rows(workspace, "SELECT do_not_contact FROM customers WHERE id=?", customer) == [(0,)]
        ),
        timeout=TIMEOUT_MS,
    )
    wait_idle(qtbot, window, jobs)
    settle(qtbot, jobs)


def queue_words(window: MainWindow) -> tuple[list[str], list[str], str]:
    """What the alerts pane counts: its severity chips, its queue tabs, its count line."""
    pane = window.alerts_view.alerts_pane
    chips = [b.text() for b in pane.severity_buttons.values()]
    tabs = [pane.queue_tabs.tabText(i) for i in range(pane.queue_tabs.count())]
    return chips, tabs, pane.count_label.text()


def test_resolve_then_ctrl_z_gives_back_the_counts_and_the_due_line(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    view = window.alerts_view
    alert = view.action_pane.alert
    assert alert is not None
    assert alert.due_line
    counts, header = queue_words(window), view.action_pane.title.text()
    view.action_pane._ask_note = lambda _title, _question, _button: ""  # "Resolve?" Enter
    view.action_pane.resolve("no_action_needed")
    qtbot.waitUntil(lambda: window.undo_action.isEnabled(), timeout=TIMEOUT_MS)
    wait_idle(qtbot, window, jobs)
    assert queue_words(window) != counts

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.undo_bar.text.text().startswith("Undone"), timeout=TIMEOUT_MS)
    settle(qtbot, jobs)
    wait_idle(qtbot, window, jobs)
    assert view.alerts_pane.current_alert_id == alert.id
    assert queue_words(window) == counts  # no queue counts the card twice
    shown = view.action_pane.alert
    assert shown is not None
    assert shown.due_line == alert.due_line
    assert view.action_pane.title.text() == header


@pytest.mark.presents_errors
def test_an_undo_refused_changes_nothing_and_says_why(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, presenter
) -> None:
    view = window.alerts_view
    alert = view.action_pane.alert
    assert alert is not None
    view.alerts_pane.focus_list()
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_P)  # in progress
    qtbot.waitUntil(lambda: window.undo_action.isEnabled(), timeout=TIMEOUT_MS)
    wait_idle(qtbot, window, jobs)
    # Someone else resolves it meanwhile (another window, say).
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    con.execute(
        "UPDATE alerts SET status='resolved', outcome='won_back', "
        "updated_at='2099-01-01 00:00:00' WHERE id=?",
        (alert.id,),
    )
    con.commit()
    con.close()
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: bool(presenter.errors), timeout=TIMEOUT_MS)
    (error,) = presenter.take()
    assert "changed since" in str(error)
    assert rows(workspace, "SELECT status FROM alerts WHERE id=?", alert.id) == [("resolved",)]
    wait_idle(qtbot, window, jobs)
    settle(qtbot, jobs)


def test_every_action_button_is_in_view_on_a_1366x768_laptop(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    """The actions sit below what scrolls: on a 768-pixel screen (less a taskbar) every
    button and Draft email are on screen, whatever the length of the reasons."""
    window.resize(1366, 728)
    actions = window.alerts_view.action_pane
    actions.set_drafting_available(True)
    qtbot.wait(50)  # one turn of layout
    wait_idle(qtbot, window, jobs)
    seen = window.rect()
    shown = [b for b in [*actions.buttons.values(), actions.draft_button] if not b.isHidden()]
    assert len(shown) >= 9  # Reopen is shown only for a closed alert
    for button in shown:
        assert button.isVisible(), button.text()
        top_left = button.mapTo(window, button.rect().topLeft())
        box = button.rect().translated(top_left)
        assert seen.contains(box), button.text()
        assert not actions.scroller.isAncestorOf(button)
    settle(qtbot, jobs)


def test_the_customers_tab_keeps_the_quiet_period_and_ends_it_with_a_reason(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    """Draft email in the Customers tab waits out the quiet period after contact, as the
    Alerts tab does; End the quiet period… asks why, and Ctrl+Z puts it back."""
    from services.alerts.contact import log_call

    alert = show_contactable_card(qtbot, window, jobs)
    customer = alert.customer_id
    log_call(workspace.engine, alert.id, "Talked about the spring range", actor=USER)
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert window.customers_pane.select_customer(customer)
    pane = window.detail_pane
    pane.set_drafting_available(True)
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.id == customer and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    pane.refresh()  # read after the call
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.quiet_until is not None,
        timeout=TIMEOUT_MS,
    )
    assert not pane.draft_button.isEnabled()
    assert "quiet period" in pane.draft_button.toolTip()
    assert pane.quiet_button.isVisible()
    asked: list[str] = []
    pane._ask_reason = lambda _title, question: asked.append(question) or "They asked for a quote"
    pane.quiet_button.click()
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.quiet_until is None and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert "quiet period lasts until" in asked[0]
    assert pane.draft_button.isEnabled()
    assert not pane.quiet_button.isVisible()
    ended = rows(
        workspace,
        "SELECT actor, details FROM audit_events WHERE action = 'customer.quiet_period_ended'",
    )
    assert len(ended) == 1
    assert ended[0][0] == USER
    assert "They asked for a quote" in ended[0][1]
    window.undo_action.trigger()
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.quiet_until is not None and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert not pane.draft_button.isEnabled()
    settle(qtbot, jobs)


def test_a_customer_is_marked_do_not_contact_from_the_customers_tab(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    """Any customer, alert or not, can be marked from their pane (it asks first), and
    Ctrl+Z takes the mark back."""
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    pane = window.detail_pane
    for (customer,) in rows(
        workspace,
        "SELECT id FROM customers WHERE do_not_contact = 0 AND id NOT IN "
        "(SELECT customer_id FROM alerts) ORDER BY id LIMIT 20",
    ):  # the first whose email is not held back otherwise (unsubscribed, a quiet period)
        assert window.customers_pane.select_customer(customer)
        qtbot.waitUntil(
            lambda c=customer: pane.detail is not None and pane.detail.id == c and jobs.is_idle(),
            timeout=TIMEOUT_MS,
        )
        if pane.detail is not None and not pane.detail.outreach_blocked:
            break
    pane.set_drafting_available(True)
    assert pane.draft_button.isEnabled()
    assert pane.dnc_button.isVisible()
    answers = [False, True]  # Cancel first: nothing changes
    pane._confirm = lambda _title, _text: answers.pop(0)
    pane.dnc_button.click()
    assert rows(workspace, "SELECT do_not_contact FROM customers WHERE id=?", customer) == [(0,)]
    pane.dnc_button.click()
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.do_not_contact and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert rows(workspace, "SELECT do_not_contact FROM customers WHERE id=?", customer) == [(1,)]
    assert pane.lift_button.isVisible()
    assert not pane.dnc_button.isVisible()
    assert not pane.draft_button.isEnabled()
    window.undo_action.trigger()
    qtbot.waitUntil(
        lambda: pane.detail is not None and not pane.detail.do_not_contact and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert rows(workspace, "SELECT do_not_contact FROM customers WHERE id=?", customer) == [(0,)]
    settle(qtbot, jobs)
