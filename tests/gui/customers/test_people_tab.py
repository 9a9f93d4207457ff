"""The customer pane's People tab on a real SQLite workspace holding the hand-made
business book of tests/data/contacts (Salesforce accounts, contacts and contact roles):
the account's people with their titles and roles, the champion marked as whom emails go
to; a role set from the tab and Ctrl+Z taking it back; a person added and taken back;
"Write to them…" asking the composer for that person; a B2C customer reads as its own one
person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace, to_url
from services.importing.service import run_import
from services.people.contacts import read_people
from tests.support.paths import DATA
from views.customers import people_tab
from views.customers.detail_pane import CustomerDetailPane
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.kit.undo import UndoHistory, undo_action

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
TIMEOUT_MS = 30_000


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(to_url(str(tmp_path / "people.radar.sqlite")), backup=False)
    for name in ("Account.csv", "Contact.csv", "AccountContactRole.csv"):
        assert run_import(ws.engine, [DATA / "contacts" / name]).landed
    yield ws
    ws.close()


def make_pane(qtbot, jobs: JobRunner, ws: Workspace) -> tuple[CustomerDetailPane, UndoHistory]:  # type: ignore[no-untyped-def]
    pane = CustomerDetailPane(jobs, clock=lambda: NOW, load_at_once=True)
    qtbot.addWidget(pane)
    pane.resize(900, 1200)
    source = WorkspaceCustomerSource(ws, user=lambda: "Maya", owner_name=lambda: "Maya")
    history = UndoHistory(jobs, pane)
    history.set_undoer(source.undo_change)
    pane.set_undo_history(history)
    pane.addAction(undo_action(pane, history))
    pane.show()
    pane.set_source(source)
    return pane, history


def show(qtbot, pane: CustomerDetailPane, jobs: JobRunner, cid: int) -> None:  # type: ignore[no-untyped-def]
    pane.show_customer(cid)
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.id == cid and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )


def rows(pane: CustomerDetailPane) -> list[list[str]]:
    model = pane.people_tab.model
    return [[model.text(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_the_tab_lists_the_accounts_people_the_champion_first(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: Workspace
) -> None:
    pane, _ = make_pane(qtbot, jobs, book)
    show(qtbot, pane, jobs, 1)
    tabs = pane.tabs
    assert tabs.tabText(tabs.indexOf(pane.people_tab)) == "People (4)"
    assert [r[:3] for r in rows(pane)] == [
        ["Maria Delgado  ✉", "VP Operations", "Champion"],
        ["Tom Okafor", "Chief Financial Officer", "Decision maker"],
        ["Accounts Payable", "", "Billing"],
        ["Lena Fischer", "Dispatch Lead", "User"],
    ]
    # The champion and the decision maker never heard from at all (no interaction, order,
    # ticket or use) say so; the others' last two-way contact reads "never".
    assert [r[3] for r in rows(pane)] == ["never heard from"] * 2 + ["never"] * 2
    assert "Emails go to Maria Delgado" in pane.people_tab.summary.text()
    assert "4 people at Contoso Freight" in pane.people_tab.summary.text()


def test_the_selected_persons_own_orders_and_tickets_are_shown(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: Workspace, tmp_path: Path
) -> None:
    contoso = "contoso-freight.example.com"
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,email,order_date,amount\n"
        f"A-1,tom.okafor@{contoso},2026-10-01,1200.00\n"
        f"A-2,tom.okafor@{contoso},2026-10-20,300.00\n",
        encoding="utf-8",
    )
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "Id,Requester,Requester email,Subject,Status,Created at\n"
        f"101,Lena Fischer,lena.fischer@{contoso},Tracking page blank,open,2026-10-09 10:00\n",
        encoding="utf-8",
    )
    for path in (orders, tickets):
        assert run_import(book.engine, [path]).landed
    pane, _ = make_pane(qtbot, jobs, book)
    show(qtbot, pane, jobs, 1)
    tab = pane.people_tab
    names = [r[0] for r in rows(pane)]
    tab.table.selectRow(names.index("Tom Okafor"))
    assert tab.activity.text() == "Tom Okafor: 2 orders."
    tab.table.selectRow(names.index("Lena Fischer"))
    assert tab.activity.text() == "Lena Fischer: 1 ticket."
    tab.table.selectRow(names.index("Accounts Payable"))
    assert "no orders, tickets or product use" in tab.activity.text()


def test_a_role_set_in_the_tab_is_kept_and_ctrl_z_takes_it_back(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: Workspace
) -> None:
    pane, history = make_pane(qtbot, jobs, book)
    show(qtbot, pane, jobs, 1)
    tab = pane.people_tab
    tab.table.selectRow(3)  # Lena Fischer, a user
    assert tab.selected() is not None
    champion = next(a for a in tab.role_menu.actions() if a.text() == "Champion")
    champion.trigger()
    qtbot.waitUntil(lambda: rows(pane)[0][0].startswith("Lena Fischer"), timeout=TIMEOUT_MS)
    assert rows(pane)[0][2] == "Champion (set by you)"
    # Lena stays selected as the list is read again, and the menu marks her role.
    selected = tab.selected()
    assert selected is not None
    assert selected.name == "Lena Fischer"
    marked = [a.text() for a in tab.role_menu.actions() if a.isChecked()]
    assert marked == ["Champion"]
    assert "Emails go to Lena Fischer" in tab.summary.text()
    assert history.last_label == "Made Lena Fischer champion"
    lena = next(p for p in read_people(book.engine, 1) if p.name == "Lena Fischer")
    assert (lena.role, lena.role_set_by_user) == ("champion", True)
    pane.setFocus()
    qtbot.keyClick(pane, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: rows(pane)[0][0].startswith("Maria"), timeout=TIMEOUT_MS)
    selected = tab.selected()
    assert selected is not None
    assert selected.name == "Lena Fischer"  # still the one the user was working on
    assert [a.text() for a in tab.role_menu.actions() if a.isChecked()] == ["The CRM's role"]
    lena = next(p for p in read_people(book.engine, 1) if p.name == "Lena Fischer")
    assert (lena.role, lena.role_set_by_user) == ("user", False)


def test_a_person_added_is_listed_and_undo_removes_them(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: Workspace, monkeypatch
) -> None:
    pane, history = make_pane(qtbot, jobs, book)
    show(qtbot, pane, jobs, 2)

    def answer(dialog: people_tab.AddPersonDialog) -> int:
        dialog.name_edit.setText("Ana Ruiz")
        dialog.email_edit.setText("ana.ruiz@northwind-clinics.example.com")
        dialog.role_box.setCurrentIndex(dialog.role_box.findData("billing"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(people_tab.AddPersonDialog, "exec", answer)
    pane.people_tab.add_button.click()
    qtbot.waitUntil(lambda: len(rows(pane)) == 3, timeout=TIMEOUT_MS)
    # A billing contact is written to only when no one else can be; Dan's address bounced
    # (the CRM's EmailBouncedDate), so no email goes to him either.
    assert ["Ana Ruiz", "", "Billing (set by you)"] in [r[:3] for r in rows(pane)]
    assert "Emails go to Priya Shah" in pane.people_tab.summary.text()
    (dan,) = [r for r in rows(pane) if r[0].startswith("Dan Whitfield")]
    assert (dan[0], dan[3]) == ("Dan Whitfield", "address bounced Oct 2, 2026")
    history.undo_last()
    qtbot.waitUntil(lambda: len(rows(pane)) == 2, timeout=TIMEOUT_MS)
    assert [p.name for p in read_people(book.engine, 2)] == ["Dan Whitfield", "Priya Shah"]


def test_write_to_them_asks_the_composer_for_that_person(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: Workspace
) -> None:
    pane, _ = make_pane(qtbot, jobs, book)
    show(qtbot, pane, jobs, 1)
    pane.people_tab.table.selectRow(1)  # Tom Okafor
    with qtbot.waitSignal(pane.person_draft_requested, timeout=TIMEOUT_MS) as asked:
        pane.people_tab.write_button.click()
    tom = next(p for p in read_people(book.engine, 1) if p.name == "Tom Okafor")
    assert asked.args == [1, tom.contact_id]


def test_a_customer_without_people_reads_as_their_own_one_person(
    qtbot, theme: ThemeManager, jobs: JobRunner, tmp_path: Path
) -> None:
    ws = open_workspace(to_url(str(tmp_path / "b2c.radar.sqlite")), backup=False)
    try:
        orders = tmp_path / "orders.csv"
        orders.write_text(
            "order_id,email,name,order_date,amount\nA-1,ada@example.com,Ada Brook,2026-10-01,50\n",
            encoding="utf-8",
        )
        assert run_import(ws.engine, [orders]).landed
        pane, _ = make_pane(qtbot, jobs, ws)
        show(qtbot, pane, jobs, 1)
        assert pane.tabs.tabText(pane.tabs.indexOf(pane.people_tab)) == "People"
        assert [r[0] for r in rows(pane)] == ["Ada Brook"]
        assert "their own one person" in pane.people_tab.summary.text()
        assert not pane.people_tab.role_button.isEnabled()
    finally:
        ws.close()


def test_the_tab_says_who_left_and_who_has_gone_dark(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: Workspace, tmp_path: Path
) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import text

    # A later export without Lena Fischer marks her as left; Maria was last met 80 days ago.
    lines = (DATA / "contacts" / "Contact.csv").read_text(encoding="utf-8").splitlines(True)
    later = tmp_path / "Contact.csv"
    later.write_text("".join(ln for ln in lines if "C0003" not in ln), encoding="utf-8")
    assert run_import(book.engine, [later]).landed
    met = dt.datetime.now(dt.UTC) - dt.timedelta(days=80)
    with book.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO interactions (customer_id, contact_id, kind, occurred_at, source) "
                "SELECT customer_id, id, 'meeting', :at, 'manual' FROM contacts "
                "WHERE name = 'Maria Delgado'"
            ),
            {"at": met.replace(tzinfo=None)},
        )
    pane, _ = make_pane(qtbot, jobs, book)
    show(qtbot, pane, jobs, 1)
    left_on = dt.datetime.now(dt.UTC).date()
    # Key contact gone dark is not measured on this workspace: Maria's silence is shown as
    # an unproven signal (it raises nothing).
    assert [(r[0], r[3]) for r in rows(pane)] == [
        ("Maria Delgado  ✉", "not heard from in 80 days; unproven signal"),
        ("Tom Okafor", "never heard from"),
        ("Accounts Payable", "never"),
        ("Lena Fischer", f"left {left_on:%b} {left_on.day}, {left_on.year}"),
    ]
    model = pane.people_tab.model
    muted = QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
    assert model.data(model.index(3, 0), Qt.ItemDataRole.ForegroundRole) == muted
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is None
