"""My work's "Renewals" on the hand-made book of tests/support/renewal_calls_book.py (a
real SQLite file, the lists' clock on the scores' date): the owner's calls due, then the
call the model disagrees with; "Everyone's" is the team lead's list, naming whose call
it is; Enter opens the customer. Hidden when nothing waits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt

from app.gui.my_work_source import WorkspaceMyWorkSource
from app.workspace import open_workspace, to_url
from tests.support.renewal_calls_book import fill_renewal_calls_book
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.my_work.pane import MyWorkPane

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
TIMEOUT_MS = 30_000


def test_calls_due_and_disagreements_wait_in_my_work(
    qtbot, theme: ThemeManager, jobs: JobRunner, tmp_path: Path
) -> None:
    ws = open_workspace(to_url(str(tmp_path / "renewals.radar.sqlite")), backup=False)
    try:
        ids = fill_renewal_calls_book(ws.engine)
        pane = MyWorkPane(jobs)
        qtbot.addWidget(pane)
        pane.resize(1366, 700)
        pane.show()
        pane.set_source(
            WorkspaceMyWorkSource(ws, user=lambda: "Maya", clock=lambda: NOW), owner="Maya"
        )
        qtbot.waitUntil(lambda: pane.work is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
        section = pane.renewals
        assert section.isVisible()
        assert section.title.text() == "Renewals · 3"
        model = section.model
        rows = [[model.index(r, c).data() for c in range(3)] for r in range(model.rowCount())]
        assert [r[:2] for r in rows] == [
            ["Gum", "Apr 1, 2026"],
            ["Birch", "Apr 10, 2026"],
            ["Acme", "Jun 15, 2026"],
        ]
        assert rows[2][2].startswith(
            "You called it Commit (about 95% to renew); the model gives 31% to renew"
        )
        # Everyone's: the lead's view of the team, Leo's calls due too, and whose call
        # (Maya's own still said to her as "You").
        pane.everyone_box.setChecked(True)
        qtbot.waitUntil(lambda: model.rowCount() == 5 and jobs.is_idle(), timeout=TIMEOUT_MS)
        assert model.index(2, 2).data().startswith("Leo's call is due")
        assert model.index(4, 2).data().startswith("You called it Commit")
        # Enter on a row opens its customer (no alert: 0).
        section.table.setFocus()
        section.table.setCurrentIndex(model.index(2, 0))
        with qtbot.waitSignal(pane.open_requested, timeout=TIMEOUT_MS) as opened:
            qtbot.keyClick(section.table, Qt.Key.Key_Return)
        assert opened.args == [0, ids["D"]]
    finally:
        ws.close()


def test_no_renewals_no_section(
    qtbot, theme: ThemeManager, jobs: JobRunner, tmp_path: Path
) -> None:
    ws = open_workspace(to_url(str(tmp_path / "empty.radar.sqlite")), backup=False)
    try:
        pane = MyWorkPane(jobs)
        qtbot.addWidget(pane)
        pane.show()
        pane.set_source(
            WorkspaceMyWorkSource(ws, user=lambda: "Maya", clock=lambda: NOW), owner="Maya"
        )
        qtbot.waitUntil(lambda: pane.work is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
        assert pane.work is not None
        assert pane.work.renewals == ()
        assert not pane.renewals.isVisible()
    finally:
        ws.close()


def test_mine_without_a_book_says_where_the_renewals_wait(
    qtbot, theme: ThemeManager, jobs: JobRunner, tmp_path: Path
) -> None:
    # Nobody named yet ("Mine" matches no owner): no "Your call is due" for the team's
    # five renewals, a sentence instead; Everyone's lists them, each saying whose call.
    ws = open_workspace(to_url(str(tmp_path / "renewals.radar.sqlite")), backup=False)
    try:
        fill_renewal_calls_book(ws.engine)
        pane = MyWorkPane(jobs)
        qtbot.addWidget(pane)
        pane.resize(1366, 700)
        pane.show()
        pane.set_source(WorkspaceMyWorkSource(ws, user=lambda: "Sam", clock=lambda: NOW))
        qtbot.waitUntil(lambda: pane.work is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
        section = pane.renewals
        assert section.isVisible()
        assert section.model.rowCount() == 0
        assert not section.table.isVisible()
        assert section.empty.isVisible()
        # A sentence takes one line, not the room of a list.
        assert pane._layout.stretch(pane._layout.indexOf(section)) == 0
        assert section.empty.text() == (
            "No customer is yours until you say who you are (File ▸ Who I am…). "
            "5 renewals wait on the team's customers: tick Everyone's to see them."
        )
        pane.everyone_box.setChecked(True)
        model = section.model
        qtbot.waitUntil(lambda: model.rowCount() == 5 and jobs.is_idle(), timeout=TIMEOUT_MS)
        words = [model.index(r, 2).data() for r in range(5)]
        assert not any(w.startswith("Your call") for w in words)
        assert words[0].startswith("Maya's call is due")  # Gum
        assert words[2].startswith("Leo's call is due")  # Delta
        assert section.table.isVisible()
        assert not section.empty.isVisible()
        # Mine again, now as Leo: his two, Maya's three counted.
        pane.everyone_box.setChecked(False)
        pane.set_owner("Leo")
        qtbot.waitUntil(lambda: model.rowCount() == 2 and jobs.is_idle(), timeout=TIMEOUT_MS)
        assert [model.index(r, 0).data() for r in range(2)] == ["Delta", "Cedar"]
        assert model.index(0, 2).data().startswith("Your call is due")
    finally:
        ws.close()
