"""The customer shown follows an owner change it did not make: a segment rule gives the
customer its owner and Ctrl+Z takes it back (the window's undo history), and the detail
pane's owner line says so each time, with no click on the customer."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.workspace import Workspace
from models.schema import Customer
from services.alerts.undo import undo_change
from services.segment_policy import give_rule_owners, replace_rules
from services.usecases.owners import undoable
from tests.gui.shell.test_undo import TIMEOUT_MS, USER, settle, window  # noqa: F401
from views.shell.main_window import TAB_CUSTOMERS, MainWindow


def test_the_pane_reads_the_owner_a_rule_gave_and_its_undo(  # type: ignore[no-untyped-def]
    qtbot,
    window: MainWindow,  # noqa: F811
    workspace: Workspace,
    jobs,
) -> None:
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    settle(qtbot, jobs)
    pane = window.detail_pane
    qtbot.waitUntil(lambda: pane.detail is not None, timeout=TIMEOUT_MS)
    shown = pane.detail.id
    with Session(workspace.engine) as s, s.begin():
        tier = s.get(Customer, shown).tier or "Gold"
        s.execute(update(Customer).where(Customer.id == shown).values(owner=None, tier=tier))
        replace_rules(
            s,
            [{"kind": "tier", "name": tier, "values": {"alerts.unassigned_owner": "Rita Rule"}}],
            actor=USER,
        )
        given = give_rule_owners(s, [shown], actor=USER)
    assert [cid for cid, _ in given.customers] == [shown]
    history = window.undo_history
    history.set_undoer(lambda change: undo_change(workspace.engine, change, actor=USER))
    change = undoable(given)
    assert change is not None
    history.push(change, lambda: None)
    qtbot.waitUntil(lambda: "Owner: Rita Rule" in pane.account_label.text(), timeout=TIMEOUT_MS)
    with qtbot.waitSignal(history.undone, timeout=TIMEOUT_MS):
        history.undo_last()
    qtbot.waitUntil(lambda: "No owner" in pane.account_label.text(), timeout=TIMEOUT_MS)
