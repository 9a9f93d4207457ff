"""Settings ▸ Per segment's Owner reaches the customers when it is saved: the Gold
customers without an owner become the rule's owner's at once (the status bar says how
many), the others keep theirs, and Ctrl+Z (the window's undo history) takes the rule's
assignments back, after which that rule does not give them that owner again."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from sqlalchemy import text as sql_text

from app.gui.context import WindowContext
from app.gui.settings_controller import SettingsController
from app.workspace import Workspace
from services.alerts.undo import undo_change
from services.usecases.owners import owners_from_rules
from tests.gui.shell.test_undo import rows
from views.kit.jobs import JobRunner
from views.kit.undo import UndoHistory
from views.settings.dialog import SettingsDialog
from views.settings.segment_page import PAGE_TITLE, SegmentPage

OWNER = "alerts.unassigned_owner"
GOLD = "SELECT owner, count(*) FROM customers WHERE tier = 'Gold' GROUP BY owner"


def _gold_without_owner(workspace: Workspace) -> int:
    with workspace.sessions() as session, session.begin():
        session.execute(sql_text("UPDATE customers SET owner = NULL WHERE tier = 'Gold'"))
    ((count,),) = rows(workspace, "SELECT count(*) FROM customers WHERE tier = 'Gold'")
    assert count > 0
    return int(count)


def test_saving_a_segments_owner_assigns_and_ctrl_z_takes_it_back(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, workspace: Workspace
) -> None:
    gold = _gold_without_owner(workspace)
    others = rows(workspace, "SELECT id, owner FROM customers WHERE tier != 'Gold' ORDER BY id")
    parent = QWidget()
    qtbot.addWidget(parent)
    history = UndoHistory(jobs, parent)
    history.set_undoer(lambda change: undo_change(workspace.engine, change, actor="dana.tester"))
    said: list[str] = []

    def answer(dialog: SettingsDialog) -> bool:
        page = dialog.findChild(SegmentPage)
        assert page is not None
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        page.kind.setCurrentIndex(page.kind.findData("tier"))
        page.segment_name.setCurrentText("Gold")
        owner: Any = next(e for e in page.editors if e.column.key == "alerts.unassigned_owner")
        owner.own.setChecked(True)
        assert isinstance(owner.widget, QLineEdit)
        owner.widget.setText("Dana Lee")
        owner.widget.textEdited.emit("Dana Lee")
        return True

    controller = SettingsController(
        WindowContext(jobs, parent, lambda: workspace),
        user=lambda: "dana.tester", show=answer, status=said.append, undo=history,
    )  # fmt: skip
    with qtbot.waitSignal(history.owners_changed, timeout=30_000):
        controller.open(PAGE_TITLE)
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)
    assert rows(workspace, GOLD) == [("Dana Lee", gold)]
    assert rows(workspace, "SELECT id, owner FROM customers WHERE tier != 'Gold' ORDER BY id") == (
        others
    )
    assert rows(
        workspace,
        "SELECT count(*) FROM audit_events WHERE action = 'customer.assigned_by_rule' "
        "AND actor = 'dana.tester'",
    ) == [(gold,)]
    noun = "customer" if gold == 1 else "customers"
    assert said[-1].endswith(f"{gold:,} {noun} given their segment's owner (Ctrl+Z takes it back).")
    assert history.last_label == f"Gave {gold:,} {noun} their segment's owner"

    with qtbot.waitSignal(history.undone, timeout=30_000) as undone:
        history.undo_last()
    assert undone.args == [f"Undone: gave {gold:,} {noun} their segment's owner"]
    assert rows(workspace, GOLD) == [(None, gold)]
    # The rule stays, but does not give them the owner taken back (a scoring asks too).
    assert owners_from_rules(workspace.engine).count == 0
    assert rows(workspace, GOLD) == [(None, gold)]


def test_score_now_gives_the_rfm_segments_owner_and_says_how_many(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, theme, ui_settings, demo_workspace: Workspace
) -> None:
    from services.settings import set_setting
    from tests.gui.scoring.test_scoring_window import (
        TODAY,
        make_window,
        score_through_the_menu,
        wait_loaded,
    )

    with demo_workspace.sessions() as session, session.begin():
        session.execute(sql_text("UPDATE customers SET owner = NULL"))
        rule = {"kind": "segment", "name": "Champions", "values": {OWNER: "Rita Chen"}}
        set_setting(session, "segments.rules", [rule], actor="test")
    window, controller, asker = make_window(qtbot, jobs, theme, ui_settings, demo_workspace)
    wait_loaded(qtbot, window, jobs)
    score_through_the_menu(qtbot, window, controller, asker, TODAY)
    champions = rows(
        demo_workspace,
        "SELECT count(*) FROM score_snapshots s "
        "WHERE s.scoring_run_id = (SELECT max(id) FROM scoring_runs) AND s.segment = 'Champions'",
    )[0][0]
    assert champions > 0
    assert rows(demo_workspace, "SELECT owner, count(*) FROM customers GROUP BY owner") == [
        (None, rows(demo_workspace, "SELECT count(*) FROM customers")[0][0] - champions),
        ("Rita Chen", champions),
    ]
    noun = "customer" if champions == 1 else "customers"
    message = window.statusBar().currentMessage()
    assert message.endswith(f"  ·  {champions:,} {noun} given their segment's owner")
    qtbot.waitUntil(jobs.is_idle, timeout=30_000)


def test_a_saved_owner_that_nobody_takes_says_why(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, workspace: Workspace
) -> None:
    """Every Gold customer has an owner: the save says no one took the rule's owner, and
    why, instead of a bare "saved" that reads as if Dana now had them."""
    before = rows(workspace, "SELECT id, owner FROM customers ORDER BY id")
    assert rows(
        workspace, "SELECT count(*) FROM customers WHERE tier = 'Gold' AND owner IS NULL"
    ) == [(0,)]
    parent = QWidget()
    qtbot.addWidget(parent)
    said: list[str] = []

    def answer(dialog: SettingsDialog) -> bool:
        page = dialog.findChild(SegmentPage)
        assert page is not None
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        page.kind.setCurrentIndex(page.kind.findData("tier"))
        page.segment_name.setCurrentText("Gold")
        owner: Any = next(e for e in page.editors if e.column.key == "alerts.unassigned_owner")
        owner.own.setChecked(True)
        owner.widget.setText("Dana Lee")
        owner.widget.textEdited.emit("Dana Lee")
        return True

    controller = SettingsController(
        WindowContext(jobs, parent, lambda: workspace),
        user=lambda: "dana.tester", show=answer, status=said.append,
    )  # fmt: skip
    controller.open(PAGE_TITLE)
    qtbot.waitUntil(lambda: bool(said) and jobs.is_idle(), timeout=30_000)
    assert "No customer took a segment's owner" in said[-1]
    assert rows(workspace, "SELECT id, owner FROM customers ORDER BY id") == before
