"""Stopping a playbook by hand: from the card or My work, with an optional
reason kept in the audit and said in the history, its steps leaving My work; Ctrl+Z puts
it back running with its steps; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from services.alerts.actions import apply_card_action
from services.alerts.detail import alert_detail
from services.alerts.lifecycle import AlertActionError
from services.alerts.playbooks import complete_step, stop_playbook
from services.alerts.records import Undoable
from services.alerts.undo import UndoRefusedError, undo_change
from services.alerts.work import my_work
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book
from tests.unit.alerts.test_alerts_undo import late_ticket, rows
from tests.unit.alerts.test_playbooks import run_state, start

DAY = dt.timedelta(days=1)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def run_id(book: Book) -> int:
    ((found,),) = rows(book, "SELECT id FROM playbook_runs WHERE stopped_at IS NULL")
    return int(found)


def stop_from_card(book: Book, alert: int, note: str, when: dt.datetime = NOW) -> Undoable:
    return apply_card_action(
        book.engine,
        (alert,),
        "stop_playbook",
        run_id=run_id(book),
        note=note,
        actor="maya",
        now=when,
    )


def test_stop_from_the_card_with_a_reason_then_undo(book: Book) -> None:
    _cid, alert = late_ticket(book, "Ada")
    start(book, alert)
    later = NOW + 4 * DAY
    assert len(my_work(book.engine, user="maya", now=later).steps) == 2
    change = stop_from_card(book, alert, "  They signed   a new contract ", later)
    assert change.label == "Stopped Win-back for Ada"
    assert run_state(book)[1] == "stopped"
    # Its steps leave My work; the card shows no playbook running.
    assert my_work(book.engine, user="maya", now=later).steps == ()
    assert alert_detail(book.engine, alert, now=later).playbook is None
    # Audited with the reason; the history says it was stopped by hand and why.
    ((details,),) = rows(book, "SELECT details FROM audit_events WHERE action = "
                         "'alert.playbook_stopped'")  # fmt: skip
    assert "They signed a new contract" in str(details)
    assert "'reason': 'stopped'" in str(details) or '"reason": "stopped"' in str(details)
    history = [e.what for e in alert_detail(book.engine, alert, now=later).history]
    assert "Playbook stopped (by hand): Win-back: They signed a new contract" in history
    # Ctrl+Z: it runs again, its steps as they were, back in My work.
    said = undo_change(book.engine, change, actor="maya", now=later)
    assert said == "Undone: stopped Win-back for Ada"
    assert run_state(book) == (None, None)
    assert [s.kind for s in my_work(book.engine, user="maya", now=later).steps] == [
        "email",
        "call",
    ]
    shown = alert_detail(book.engine, alert, now=later).playbook
    assert shown is not None
    assert shown.steps_left == 3


def test_stop_without_a_reason_from_my_work_and_steps_refused_after(book: Book) -> None:
    _cid, alert = late_ticket(book, "Ada")
    start(book, alert)
    (step,) = my_work(book.engine, user="maya", now=NOW).steps
    stop_playbook(book.engine, step.run_id, actor="maya", now=NOW)
    history = [e.what for e in alert_detail(book.engine, alert, now=NOW).history]
    assert "Playbook stopped (by hand): Win-back" in history
    with pytest.raises(AlertActionError, match="stopped by hand"):
        complete_step(book.engine, step.id, actor="maya", now=NOW)
    with pytest.raises(AlertActionError, match="already stopped"):
        stop_playbook(book.engine, step.run_id, actor="maya", now=NOW)


def test_undo_of_a_stop_is_refused_once_another_playbook_runs(book: Book) -> None:
    _cid, alert = late_ticket(book, "Ada")
    start(book, alert)
    change = stop_from_card(book, alert, "")
    start(book, alert, "renewal_save")
    with pytest.raises(UndoRefusedError, match="Another playbook runs for this customer"):
        undo_change(book.engine, change, actor="maya", now=NOW)
    running = rows(book, "SELECT name FROM playbook_runs WHERE stopped_at IS NULL")
    assert [r[0] for r in running] == ["Renewal save"]


def test_a_card_stops_only_its_own_customers_playbook(book: Book) -> None:
    _cid, alert = late_ticket(book, "Ada")
    _other, other_alert = late_ticket(book, "Bo")
    start(book, alert)
    with pytest.raises(AlertActionError, match="no longer exists"):
        apply_card_action(
            book.engine, (other_alert,), "stop_playbook", run_id=run_id(book), actor="maya", now=NOW
        )
    assert run_state(book) == (None, None)
