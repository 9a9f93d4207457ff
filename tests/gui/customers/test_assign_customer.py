"""Assign… (A) in the Customers tab, in the real window on a scored demo workspace: the
Alerts tab's dialog and service hand the customer (and its open alerts) to a teammate,
audited; the detail pane, the table's owner column and (once shown again) the Alerts
tab's card show the new owner; Ctrl+Z gives it back. A role that may not assign is
refused in plain words and nothing changes. The prompt is the test's own."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import text as sql_text

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from services.core.access import TeamRoleError
from tests.gui.conftest import RecordingPresenter
from tests.gui.shell.test_undo import TIMEOUT_MS, rows, settle, wait_idle
from views.customers.detail_pane import CustomerDetailPane
from views.kit.assign_dialog import NO_OWNER, NO_OWNER_LABEL, AssignDialog
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager, ThemeMode
from views.shell.main_window import TAB_ALERTS, TAB_CUSTOMERS, MainWindow

USER = "Sam Reed"
OWNER = "SELECT owner FROM customers WHERE id = ?"


class Asked:
    """The user's answer to Assign…; what they were offered."""

    def __init__(self) -> None:
        self.to: str | None = None
        self.asked: list[tuple[str, str | None, Sequence[str]]] = []

    def __call__(self, customer: str, owner: str | None, names: Sequence[str]) -> str | None:
        self.asked.append((customer, owner, tuple(names)))
        return self.to


@pytest.fixture
def window(
    qtbot, qapp: QApplication, jobs: JobRunner, workspace: Workspace, ui_settings: QSettings
) -> Iterator[MainWindow]:
    theme = ThemeManager(qapp, ThemeMode.LIGHT)
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace, user=lambda: USER))
    w.set_alert_source(WorkspaceAlertSource(workspace, user=USER))
    wait_idle(qtbot, w, jobs)
    yield w
    theme.deleteLater()


def owner_cell(window: MainWindow, customer_id: int) -> str | None:
    model = window.customers_pane.model
    row = model.row_of_customer(customer_id)
    assert row is not None
    keys = [c.key for c in model.shown_columns]
    return model.index(row, keys.index("owner")).data()


def card_owner(window: MainWindow, alert_id: int) -> str | None:
    """The owner on the Alerts tab's card holding the alert (None: not listed)."""
    model = window.alerts_view.alerts_pane.model
    row = model.row_of(alert_id)
    return model.record(row)["owner"] if row >= 0 else None


def show_customer_with_an_alert(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> tuple[CustomerDetailPane, int, str]:
    """The Customers tab showing the customer of the Alerts tab's card."""
    alert = window.alerts_view.action_pane.alert
    assert alert is not None
    customer = alert.customer_id
    (owner,) = rows(workspace, OWNER, customer)[0]
    assert owner  # the demo's customers each have one
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert window.customers_pane.select_customer(customer)
    pane = window.detail_pane
    pane.set_drafting_available(True)  # as the application does: this is the Customers tab
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.id == customer and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    return pane, customer, owner


def test_a_assigns_the_customer_shown_and_ctrl_z_gives_it_back(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    pane, customer, was = show_customer_with_an_alert(qtbot, window, jobs, workspace)
    assert pane.assign_button.isVisible()
    assert pane.account_label.text().startswith(f"Owner: {was}")
    assert owner_cell(window, customer) == was
    teammates = [n for (n,) in rows(workspace, "SELECT DISTINCT owner FROM customers") if n]
    to = sorted(n for n in teammates if n != was)[0]
    asked = Asked()
    asked.to = to
    pane.ask_assign = asked
    alerts = "SELECT owner FROM alerts WHERE customer_id = ? AND status = 'open'"
    card = window.alerts_view.alerts_pane.current_alert_id
    assert card is not None
    assert card_owner(window, card) == was  # the Alerts tab lists it (hidden now)

    # The key, from the table (where the user's focus is in this tab).
    window.customers_pane.table.setFocus()
    qtbot.keyClick(window.customers_pane.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.undo_bar.isVisible(), timeout=TIMEOUT_MS)
    assert pane.detail is not None
    name = pane.detail.name
    assert window.undo_bar.text.text() == f"Assigned {name} to {to}"
    # The Alerts tab's teammates (the owners and the members' books), the owner now.
    (offered,) = asked.asked
    assert offered[:2] == (name, was)
    assert set(offered[2]) == set(teammates)
    assert rows(workspace, OWNER, customer) == [(to,)]
    assert {o for (o,) in rows(workspace, alerts, customer)} == {to}  # its alerts go too
    assert rows(
        workspace,
        "SELECT actor FROM audit_events WHERE action = 'customer.assigned' AND entity_id = ?",
        customer,
    ) == [(USER,)]
    # The pane and the table say whose it is now; the customer stays selected.
    qtbot.waitUntil(
        lambda: (
            pane.account_label.text().startswith(f"Owner: {to}")
            and owner_cell(window, customer) == to
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )
    assert window.customers_pane.current_customer_id() == customer
    window.grab().save("/tmp/customers_assigned.png")
    # The Alerts tab, shown again, reads the cards anew: the card is the new owner's.
    window.tabs.setCurrentIndex(TAB_ALERTS)
    qtbot.waitUntil(lambda: card_owner(window, card) == to and jobs.is_idle(), timeout=TIMEOUT_MS)
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: window.undo_bar.text.text() == f"Undone: assigned {name} to {to}",
        timeout=TIMEOUT_MS,
    )
    assert rows(workspace, OWNER, customer) == [(was,)]
    assert {o for (o,) in rows(workspace, alerts, customer)} == {was}
    qtbot.waitUntil(
        lambda: (
            pane.account_label.text().startswith(f"Owner: {was}")
            and owner_cell(window, customer) == was
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )
    window.tabs.setCurrentIndex(TAB_ALERTS)
    qtbot.waitUntil(lambda: card_owner(window, card) == was and jobs.is_idle(), timeout=TIMEOUT_MS)
    settle(qtbot, jobs)


def test_cancelling_changes_nothing_and_the_alerts_tab_pane_has_no_assign_button(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    # The Alerts tab's customer pane: A there is the action pane's (views/alerts).
    assert not window.alerts_view.detail_pane.assign_button.isVisibleTo(window)
    assert not window.alerts_view.detail_pane.assign_action.isEnabled()
    pane, customer, was = show_customer_with_an_alert(qtbot, window, jobs, workspace)
    asked = Asked()  # answers None: cancelled
    pane.ask_assign = asked
    pane.assign_button.click()
    qtbot.waitUntil(lambda: len(asked.asked) == 1 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert not window.undo_bar.isVisible()
    assert rows(workspace, OWNER, customer) == [(was,)]
    assert rows(workspace, "SELECT count(*) FROM audit_events WHERE action LIKE '%assigned'") == [
        (0,)
    ]
    settle(qtbot, jobs)


@pytest.mark.presents_errors
def test_an_account_manager_of_a_shared_workspace_is_refused(
    qtbot,
    window: MainWindow,
    jobs: JobRunner,
    workspace: Workspace,
    presenter: RecordingPresenter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The service's role rule, as on a shared workspace where the user is a manager
    (tests/unit/team/test_team_assign.py plays the real roles on PostgreSQL)."""
    import services.alerts.assign as assign

    monkeypatch.setattr(assign, "team_role", lambda _engine: "manager")
    pane, customer, was = show_customer_with_an_alert(qtbot, window, jobs, workspace)
    asked = Asked()
    asked.to = next(n for (n,) in rows(workspace, "SELECT DISTINCT owner FROM customers") if n)
    if asked.to == was:
        asked.to = "Someone Else"
    pane.ask_assign = asked
    pane.assign_button.click()
    qtbot.waitUntil(lambda: bool(presenter.errors) and jobs.is_idle(), timeout=TIMEOUT_MS)
    (error,) = presenter.take()
    assert isinstance(error, TeamRoleError)
    assert "team lead" in str(error)
    assert rows(workspace, OWNER, customer) == [(was,)]
    assert not window.undo_bar.isVisible()
    settle(qtbot, jobs)


def test_no_owner_leaves_the_customer_to_nobody_and_no_segment_rule_takes_it(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    from services.settings import set_setting
    from services.usecases.owners import owners_from_rules

    pane, customer, was = show_customer_with_an_alert(qtbot, window, jobs, workspace)
    asked = Asked()
    asked.to = NO_OWNER
    pane.ask_assign = asked
    pane.assign_button.click()
    qtbot.waitUntil(lambda: window.undo_bar.isVisible(), timeout=TIMEOUT_MS)
    assert pane.detail is not None
    assert window.undo_bar.text.text() == f"Left {pane.detail.name} without an owner"
    assert rows(workspace, OWNER, customer) == [(None,)]
    alerts = "SELECT owner FROM alerts WHERE customer_id = ? AND status = 'open'"
    assert {o for (o,) in rows(workspace, alerts, customer)} == {None}
    qtbot.waitUntil(
        lambda: pane.account_label.text().startswith("No owner") and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    # A rule for the customer's tier gives its owner to the customers without one, but
    # not to this one: a person left it without an owner on purpose.
    (tier,) = rows(workspace, "SELECT tier FROM customers WHERE id = ?", customer)[0]
    with workspace.sessions() as session, session.begin():
        session.execute(sql_text("UPDATE customers SET owner = NULL WHERE tier = :t AND id != :c"),
                        {"t": tier, "c": customer})  # fmt: skip
        rule = {"kind": "tier", "name": tier, "values": {"alerts.unassigned_owner": "Dana"}}
        set_setting(session, "segments.rules", [rule], actor="test")
    given = owners_from_rules(workspace.engine)
    assert given.count > 0
    assert customer not in {cid for cid, _ in given.customers}
    assert rows(workspace, OWNER, customer) == [(None,)]
    settle(qtbot, jobs)


def test_the_dialog_offers_no_owner_for_a_customer_with_one(qtbot) -> None:
    dialog = AssignDialog("Ada", "Eve", ["Eve", "Sam"], no_owner=True)
    qtbot.addWidget(dialog)
    items = [dialog.who.itemText(i) for i in range(dialog.who.count())]
    assert items == ["Sam", NO_OWNER_LABEL]
    dialog.who.setCurrentIndex(1)
    assert dialog.chosen == NO_OWNER
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    # A customer with no owner: nothing to take away.
    nobody = AssignDialog("Bo", None, ["Eve"], no_owner=True)
    qtbot.addWidget(nobody)
    assert [nobody.who.itemText(i) for i in range(nobody.who.count())] == ["Eve"]
