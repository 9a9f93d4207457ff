"""Assigning a customer (and its card) to a teammate, its undo, and the mentions of a
teammate in a note: on real workspaces, through the services the window calls; what the
new owner then finds in My work and in Since yesterday."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from services.alerts.actions import apply_alert_action, apply_card_action
from services.alerts.assign import assign_customer, check_may_assign, teammates
from services.alerts.detail import alert_detail
from services.alerts.lifecycle import AlertActionError
from services.alerts.mentions import find_mentions, mark_notice_seen
from services.alerts.undo import UndoRefusedError, undo_change
from services.alerts.work import my_work
from services.core.access import TeamRoleError
from services.listen.digest import build_digest
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book, only

LATER = NOW + dt.timedelta(minutes=5)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def alerted(book: Book, name: str, owner: str | None = "Maya") -> tuple[int, int]:
    """A customer of ``owner`` with a late ticket, scored and alerted: (customer, alert)."""
    only(book, "ticket_past_sla")
    cid = book.customer(name, owner=owner)
    book.interaction(cid, "ticket", 5, status="open")
    book.score({cid: {"churn": 0.5, "clv": 200}})
    book.generate()
    (alert,) = book.alerts(f"WHERE customer_id = {cid}")
    return cid, int(alert["id"])


def one(book: Book, sql: str) -> Any:
    with book.engine.connect() as conn:
        return conn.execute(text(sql)).one()


def events(book: Book, action: str) -> list[Any]:
    with book.engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT actor, entity_type, entity_id FROM audit_events WHERE action = :a"),
                {"a": action},
            )
        )


def test_teammates_are_the_owners(book: Book) -> None:
    book.customer("Ada", owner="Maya")
    book.customer("Bo", owner="priya Shah")
    book.customer("Cy", owner=None)
    assert teammates(book.engine) == ["Maya", "priya Shah"]


def test_assigning_moves_the_customer_and_its_card_audited_and_undoable(book: Book) -> None:
    cid, alert = alerted(book, "Ada Lo")
    book.customer("Other", owner="Priya")
    seen = alert_detail(book.engine, alert, now=NOW)
    change = assign_customer(book.engine, cid, "Priya", actor="Sam Reed <sam@x.com>", now=NOW)
    assert change.label == "Assigned Ada Lo to Priya"
    assert one(book, f"SELECT owner FROM customers WHERE id = {cid}")[0] == "Priya"
    assert one(book, f"SELECT owner FROM alerts WHERE id = {alert}")[0] == "Priya"
    assert [(e.entity_type, e.entity_id) for e in events(book, "customer.assigned")] == [
        ("customer", cid)
    ]
    assert [e.entity_id for e in events(book, "alert.assigned")] == [alert]
    detail = alert_detail(book.engine, alert, now=LATER)
    assert detail.owner == "Priya"
    assert any(e.what == "Assigned to Priya (was Maya)" for e in detail.history)
    # The card's version moved; the change carries it, so the next action is not refused.
    (after,) = change.alerts
    assert after.version is not None
    assert after.version > seen.version
    apply_card_action(
        book.engine, [alert], "start", actor="sam", now=LATER, seen_versions={alert: after.version}
    )
    # Undo gives it back to Maya (the start is still in place: it changed no owner).
    assert undo_change(book.engine, change, actor="sam", now=LATER) == (
        "Undone: assigned Ada Lo to Priya"
    )
    assert one(book, f"SELECT owner FROM customers WHERE id = {cid}")[0] == "Maya"
    assert one(book, f"SELECT owner, status FROM alerts WHERE id = {alert}") == (
        "Maya",
        "in_progress",
    )


def test_an_undo_is_refused_once_someone_assigned_it_again(book: Book) -> None:
    cid, _alert = alerted(book, "Ada")
    first = assign_customer(book.engine, cid, "Priya", actor="sam", now=NOW)
    assign_customer(book.engine, cid, "Jo", actor="lea", now=LATER)
    with pytest.raises(UndoRefusedError, match="assigned again"):
        undo_change(book.engine, first, actor="sam", now=LATER)
    assert one(book, f"SELECT owner FROM customers WHERE id = {cid}")[0] == "Jo"


def test_assigning_to_the_owner_or_to_nobody_is_refused(book: Book) -> None:
    cid, _alert = alerted(book, "Ada")
    with pytest.raises(AlertActionError, match="already Maya's"):
        assign_customer(book.engine, cid, "maya", actor="sam", now=NOW)
    with pytest.raises(AlertActionError, match="Choose whom"):
        assign_customer(book.engine, cid, "  ", actor="sam", now=NOW)
    assert events(book, "customer.assigned") == []


def test_who_may_assign_whom() -> None:
    check_may_assign(None, "Anyone New", [])  # a workspace of one's own: anyone
    check_may_assign("lead", "priya shah", ["Priya Shah"])
    check_may_assign("admin", "Priya Shah", ["Priya Shah"])
    with pytest.raises(TeamRoleError, match="team lead or an admin"):
        check_may_assign("manager", "Priya Shah", ["Priya Shah"])
    with pytest.raises(TeamRoleError, match="no book"):
        check_may_assign("lead", "Stranger", ["Priya Shah"])


def test_the_new_owner_finds_it_in_my_work_until_seen_and_in_the_digest(book: Book) -> None:
    cid, alert = alerted(book, "Ada Lo")
    assign_customer(book.engine, cid, "Priya", actor="Sam Reed <sam@x.com>", now=NOW)
    work = my_work(book.engine, user="priya", owner="Priya", now=LATER)
    (notice,) = work.notices
    assert (notice.kind, notice.what, notice.customer, notice.alert_id) == (
        "assigned",
        "Assigned to you by Sam Reed",
        "Ada Lo",
        alert,
    )
    assert my_work(book.engine, user="maya", owner="Maya", now=LATER).notices == ()
    digest = build_digest(book.engine, NOW.date(), now=LATER, reader="Priya")
    line = digest.lines[0]
    assert (line.key, line.text, line.count, line.customer_ids) == (
        "assigned_to_you",
        "Assigned to you: Ada Lo",
        1,
        frozenset({cid}),
    )
    other = build_digest(book.engine, NOW.date(), now=LATER, reader="Maya")
    assert other.lines[0].count == 0
    # A customer Priya takes herself is no news to her: in neither list.
    own, _ = alerted(book, "Bo Ek")
    assign_customer(book.engine, own, "Priya", actor="Priya", now=NOW)
    again = build_digest(book.engine, NOW.date(), now=LATER, reader="Priya")
    assert again.lines[0].customer_ids == frozenset({cid})
    assert [
        n.customer for n in my_work(book.engine, user="priya", owner="Priya", now=LATER).notices
    ] == ["Ada Lo"]
    mark_notice_seen(book.engine, notice.event_id, actor="priya", now=LATER)
    assert my_work(book.engine, user="priya", owner="Priya", now=LATER).notices == ()


def test_find_mentions_full_names_and_unique_first_names() -> None:
    names = ["Priya Shah", "Sam Reed", "Sam Ortiz", "Jo"]
    assert find_mentions("Ask @Priya Shah and @jo.", names) == ["Priya Shah", "Jo"]
    assert find_mentions("@Priya please", names) == ["Priya Shah"]
    assert find_mentions("@Sam please", names) == []  # two Sams: say which
    assert find_mentions("mail priya@shop.com", names) == []
    assert find_mentions("@Sam Ortiz.", names) == ["Sam Ortiz"]


def _best_of_three(text: str, names: list[str]) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        find_mentions(text, names)
        times.append(time.perf_counter() - started)
    return min(times)


def test_find_mentions_reads_a_long_note_once_however_many_teammates() -> None:
    # A 100 KB note full of at signs in a book of 1,000 owners (names of many lengths):
    # matching costs about what it costs with one teammate, not a search per teammate.
    # Measured against that baseline in the same run, so a slow machine is no failure.
    names = [f"Owner{i:04d} {'Lee' * (i % 13)}".strip() for i in range(1000)]
    note = ("Call @Owner0007 and @owner0999 Leeleeleelee about it. " * 2000)[:100_000]
    assert find_mentions(note, names) == [names[7], names[999]]  # unique first names
    one = _best_of_three(note, names[:1])
    thousand = _best_of_three(note, names)
    assert thousand < 30 * one + 0.05, (thousand, one)


def test_a_mention_waits_in_my_work_until_seen_and_goes_with_its_undo(book: Book) -> None:
    cid, alert = alerted(book, "Ada Lo")
    book.customer("Bo", owner="Priya Shah")
    change = apply_alert_action(
        book.engine,
        alert,
        "log",
        kind="note",
        text="@Priya Shah can you call them? @Maya fyi",
        actor="Maya",
        now=NOW,
    )
    # Maya wrote it: only Priya is mentioned.
    assert [e.entity_id for e in events(book, "note.mentioned")] == [cid]
    (notice,) = my_work(book.engine, user="priya", owner="Priya Shah", now=LATER).notices
    assert notice.what == "Mentioned by Maya"
    assert notice.text == "@Priya Shah can you call them? @Maya fyi"
    assert (notice.customer_id, notice.alert_id) == (cid, alert)
    assert my_work(book.engine, user="maya", owner="Maya", now=LATER).notices == ()
    # The note undone: the mention goes with it.
    undo_change(book.engine, change, actor="Maya", now=LATER)
    assert my_work(book.engine, user="priya", owner="Priya Shah", now=LATER).notices == ()
    apply_alert_action(
        book.engine, alert, "log", kind="note", text="@priya again", actor="Maya", now=LATER
    )
    (again,) = my_work(book.engine, user="priya", owner="Priya Shah", now=LATER).notices
    mark_notice_seen(book.engine, again.event_id, actor="priya", now=LATER)
    mark_notice_seen(book.engine, again.event_id, actor="priya", now=LATER)  # twice: once
    assert len(events(book, "notice.seen")) == 1
    assert my_work(book.engine, user="priya", owner="Priya Shah", now=LATER).notices == ()
