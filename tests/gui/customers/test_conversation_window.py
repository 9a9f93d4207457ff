"""A conversation opened from the customer pane's timeline, on a real SQLite workspace
holding the call of tests/support/conversation_book.py: double-click and Enter open it;
a risk's link scrolls the transcript to the customer's turn and marks it; ticked promises
become tasks once and Ctrl+Z takes them back; "Read with the model…" shows what will be
sent, reads it on a worker through a loopback server and Ctrl+Z puts the offline reading
back; with no model set up it says so and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace, to_url
from services.core.formatting import format_date
from services.settings import set_setting
from tests.support.conversation_book import build_book
from tests.support.openai_server import FakeOpenAIServer
from views.customers.conversation_dialog import ConversationDialog
from views.customers.detail_pane import CustomerDetailPane
from views.item_models.timeline_model import EventRole
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.kit.undo import UndoHistory, undo_action

NOW = dt.datetime(2027, 3, 2, 12, 0, tzinfo=dt.UTC)
TIMEOUT_MS = 30_000


@pytest.fixture
def book(tmp_path: Path) -> Iterator[tuple[Workspace, int]]:
    ws = open_workspace(to_url(str(tmp_path / "talks.radar.sqlite")), backup=False)
    call = build_book(ws.engine, tmp_path)
    yield ws, call
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
    pane.show_customer(1)
    qtbot.waitUntil(lambda: pane.detail is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return pane, history


def conversation_row(pane: CustomerDetailPane) -> QModelIndex:
    model = pane.timeline_model
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if getattr(index.data(EventRole), "conversation_id", None) is not None:
            return index
    raise AssertionError("no conversation in the timeline")


def opened(qtbot, pane: CustomerDetailPane, jobs: JobRunner) -> ConversationDialog:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: pane.conversations.conversation_dialog is not None and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    dialog = pane.conversations.conversation_dialog
    assert dialog is not None
    return dialog


def tasks(ws: Workspace) -> list[str]:
    with ws.engine.connect() as conn:
        return [str(t) for t in conn.execute(text("SELECT title FROM actions ORDER BY id"))]


def test_double_click_opens_it_and_a_risk_link_shows_the_customers_turn(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: tuple[Workspace, int]
) -> None:
    ws, call = book
    pane, _ = make_pane(qtbot, jobs, ws)
    view = pane.timeline_view
    index = conversation_row(pane)
    assert "press Enter to open it" in index.data(Qt.ItemDataRole.ToolTipRole)
    where = view.visualRect(index).center()
    # A double-click is a press, then the double-click (as the platform sends them).
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    dialog = opened(qtbot, pane, jobs)
    assert dialog.conversation.id == call
    assert dialog.header.text().startswith("Meeting · Mar 1, 2027 · Northwind")
    assert (
        dialog.matched.text()
        == "With Marco Ruiz, matched by name · from 2027-03-01 Northwind call.txt"
    )
    assert not dialog.offline_button.isVisible()
    # The budget cut, said in turn 5 (index 4): its link scrolls there and marks it.
    labels = [label.accessibleName() for label in dialog.risk_labels]
    assert labels[2].startswith("said budgets were cut: Our budget was cut")
    dialog.risk_labels[2].linkActivated.emit("turn:4")
    assert dialog.highlighted_turn == 4
    block = dialog.transcript.textCursor().block()
    assert block.text().startswith("line 5 Marco Ruiz (customer): Our budget was cut")
    assert "#fff3bf" in dialog.transcript.toHtml()
    dialog.close()


def test_enter_opens_it_and_promises_become_tasks_once_then_ctrl_z(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: tuple[Workspace, int]
) -> None:
    ws, _ = book
    pane, history = make_pane(qtbot, jobs, ws)
    view = pane.timeline_view
    view.setFocus()
    view.setCurrentIndex(conversation_row(pane))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    dialog = opened(qtbot, pane, jobs)
    boxes = dialog.promise_boxes
    assert [b.text() for b in boxes] == ["Dana Whitfield, by Mar 5, 2027",
                                         "Dana Whitfield, no day said"]  # fmt: skip
    assert [b.accessibleName() for b in boxes] == [
        "Dana Whitfield: I will send you a revised quote by Friday. (by Mar 5, 2027)",
        "Dana Whitfield: Let me check with finance about a discount for the renewal. (no day said)",
    ]
    dialog.make_tasks_button.click()
    assert dialog.status.text() == "Tick the promises to make tasks of first."
    for box in boxes:
        box.setChecked(True)
    dialog.make_tasks_button.click()
    qtbot.waitUntil(lambda: len(tasks(ws)) == 2 and jobs.is_idle(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: all(not b.isEnabled() for b in dialog.promise_boxes) and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    later = format_date(dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3))
    assert dialog.status.text() == (
        "Made 2 tasks. Promise 1: due Mar 5, 2027, the day promised. Promise 2: due "
        f"{later}: no day was said, so 3 days on."
    )
    assert dialog.promise_boxes[0].text().endswith("— already a task")
    assert history.last_label == "Made 2 tasks for Northwind from a conversation"
    # Ctrl+Z in the conversation's own window.
    dialog.activateWindow()
    dialog.make_tasks_button.setFocus()
    qtbot.keyClick(dialog.make_tasks_button, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tasks(ws) == [] and jobs.is_idle(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: all(b.isEnabled() for b in dialog.promise_boxes) and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    dialog.close()


ANSWER = {
    "summary": ["Northwind means to cancel at the end of the quarter."],
    "actions": [{"who": "Dana Whitfield", "what": "Send a revised quote", "by": "2027-03-05",
                 "turn": 4}],
    "risks": [{"kind": "cancellation", "quote": "cancel our subscription"}],
    "topics": [],
}  # fmt: skip


def test_read_with_the_model_shows_the_request_then_ctrl_z_goes_back(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: tuple[Workspace, int]
) -> None:
    ws, _ = book
    shown: list[str] = []
    with FakeOpenAIServer(models=["m1"], reply=json.dumps(ANSWER)) as server:
        with Session(ws.engine) as session, session.begin():
            set_setting(session, "llm.preset", "llamacpp")
            set_setting(session, "llm.base_url", server.base_url)
            set_setting(session, "llm.model", "m1")
        pane, history = make_pane(qtbot, jobs, ws)
        pane.conversations.open_conversation(conversation_row(pane).data(EventRole).conversation_id)
        dialog = opened(qtbot, pane, jobs)
        # Cancel at the preview: nothing is sent.
        pane.conversations.ask_to_send = lambda _parent, request, _host: bool(shown.append(request))
        dialog.model_button.click()
        qtbot.waitUntil(lambda: dialog.status.text() == "Nothing was sent.", timeout=TIMEOUT_MS)
        assert server.chat_requests == []
        assert "[surname withheld]" in shown[0]
        assert "Ruiz" not in shown[0]
        pane.conversations.ask_to_send = lambda _parent, _request, _host: True
        dialog.model_button.click()
        qtbot.waitUntil(
            lambda: dialog.conversation.method == "model" and jobs.is_idle(), timeout=TIMEOUT_MS
        )
        assert len(server.chat_requests) == 1
    assert dialog.status.text() == "Read by the model; Ctrl+Z goes back."
    assert dialog.offline_button.isVisible()
    model_risks = [r.quote for r in dialog.conversation.risks if not r.by_rules]
    assert model_risks == ["cancel our subscription"]
    # The rules' own risks the model did not name stay, and say so.
    ruled = [lab.text() for lab in dialog.risk_labels if "found by the app's rules" in lab.text()]
    assert len(ruled) == len(dialog.conversation.risks) - 1
    assert "language model" in dialog.conversation.method_note
    # Back to the offline reading, and Ctrl+Z to the model's again.
    dialog.offline_button.click()
    qtbot.waitUntil(
        lambda: dialog.conversation.method == "extractive" and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert dialog.status.text() == "Back to the reading made on this computer."
    history.undo_last()
    qtbot.waitUntil(
        lambda: dialog.conversation.method == "model" and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    history.undo_last()
    qtbot.waitUntil(
        lambda: dialog.conversation.method == "extractive" and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert len(dialog.conversation.risks) == 3
    assert not dialog.offline_button.isVisible()
    dialog.close()


def test_with_no_model_set_up_it_says_so_and_sends_nothing(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: tuple[Workspace, int]
) -> None:
    ws, call = book
    pane, _ = make_pane(qtbot, jobs, ws)
    pane.conversations.open_conversation(call)
    dialog = opened(qtbot, pane, jobs)
    asked: list[str] = []
    pane.conversations.ask_to_send = lambda _p, request, _h: bool(asked.append(request))
    dialog.model_button.click()
    qtbot.waitUntil(lambda: "No model can read it" in dialog.status.text(), timeout=TIMEOUT_MS)
    assert asked == []
    assert dialog.conversation.method == "extractive"
    dialog.close()


def test_the_context_menu_opens_it_and_other_events_have_none(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: tuple[Workspace, int]
) -> None:
    ws, call = book
    pane, _ = make_pane(qtbot, jobs, ws)
    model = pane.timeline_model
    others = [
        model.index(r, 0)
        for r in range(model.rowCount())
        if model.index(r, 0).data(EventRole).conversation_id is None
    ]
    assert all(pane.conversations.timeline_menu(index) is None for index in others)
    menu = pane.conversations.timeline_menu(conversation_row(pane))
    assert menu is not None
    (action,) = menu.actions()
    assert action.text() == "Open conversation…"
    action.trigger()
    dialog = opened(qtbot, pane, jobs)
    assert dialog.conversation.id == call
    dialog.close()


def test_cancel_stops_the_models_reading_and_changes_nothing(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: tuple[Workspace, int]
) -> None:
    ws, call = book
    with FakeOpenAIServer(models=["m1"], reply=json.dumps(ANSWER)) as server:
        server.stall_after_chunks = 1
        with Session(ws.engine) as session, session.begin():
            set_setting(session, "llm.preset", "llamacpp")
            set_setting(session, "llm.base_url", server.base_url)
            set_setting(session, "llm.model", "m1")
        pane, history = make_pane(qtbot, jobs, ws)
        pane.conversations.ask_to_send = lambda _parent, _request, _host: True
        pane.conversations.open_conversation(call)
        dialog = opened(qtbot, pane, jobs)
        dialog.model_button.click()
        # The request is made on a worker first; then it is sent on another.
        qtbot.waitUntil(dialog.cancel_button.isVisible, timeout=TIMEOUT_MS)
        assert server.wait_until_stalled()
        # The request runs on a worker: the window answers, with its busy bar and Cancel.
        assert dialog.cancel_button.isVisible()
        assert dialog.progress.isVisible()
        assert not dialog.model_button.isEnabled()
        dialog.cancel_button.click()
        # At once: well before the stalled read's time-out (the request is ended, not waited out).
        qtbot.waitUntil(
            lambda: (
                dialog.status.text() == "Cancelled; the reading is unchanged." and jobs.is_idle()
            ),
            timeout=5_000,
        )
        server.release()
    assert not dialog.cancel_button.isVisible()
    assert dialog.model_button.isEnabled()
    assert history.last_label is None
    with ws.engine.connect() as conn:
        value = conn.execute(text("SELECT attributes FROM interactions")).scalar_one()
    attributes = json.loads(value) if isinstance(value, str) else value
    assert attributes["summary_method"] == "extractive"
    dialog.close()


def test_a_risk_is_one_tab_stop_and_enter_shows_its_turn(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: tuple[Workspace, int]
) -> None:
    ws, call = book
    pane, _ = make_pane(qtbot, jobs, ws)
    pane.conversations.open_conversation(call)
    dialog = opened(qtbot, pane, jobs)
    first, second, third = dialog.risk_labels
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(first.hasFocus)
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    assert second.hasFocus()  # one stop per risk, in order
    qtbot.keyClick(second, Qt.Key.Key_Return)
    assert dialog.highlighted_turn == 2
    assert "Acme Analytics offered us" in dialog.transcript.textCursor().block().text()
    qtbot.keyClick(second, Qt.Key.Key_Tab)
    qtbot.keyClick(third, Qt.Key.Key_Tab)
    assert dialog.promise_boxes[0].hasFocus()
    dialog.close()


def test_undo_after_the_window_is_closed_touches_nothing_of_it(
    qtbot, theme: ThemeManager, jobs: JobRunner, book: tuple[Workspace, int]
) -> None:
    """The conversation window's own Ctrl+Z goes with it: an undo in the pane after the
    window was closed and deleted neither raises nor reaches the deleted action (it did
    once: every later change then ended in an error box)."""
    import shiboken6

    ws, _ = book
    pane, history = make_pane(qtbot, jobs, ws)
    view = pane.timeline_view
    view.setFocus()
    view.setCurrentIndex(conversation_row(pane))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    dialog = opened(qtbot, pane, jobs)
    dialog.promise_boxes[0].setChecked(True)
    dialog.make_tasks_button.click()
    qtbot.waitUntil(lambda: len(tasks(ws)) == 1 and jobs.is_idle(), timeout=TIMEOUT_MS)
    dialog.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=TIMEOUT_MS)
    history.undo_last()  # the history changes: the deleted window's action must not follow
    qtbot.waitUntil(lambda: tasks(ws) == [] and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert not history.can_undo()
