"""Support analytics on the hand-made book of tests/support/support_book.py, on SQLite and
on PostgreSQL: every figure against the counts written out by hand below."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from app.workspace import open_workspace
from services.support.records import SupportGroup, SupportReport
from services.support.report import period_bounds, support_report
from services.support.wording import duration, empty_words, headline, section_note
from tests.support.support_book import SINCE, UNTIL, fill_support_book


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_support_book(ws.engine)
    yield ws.engine, ids
    ws.close()


def _report(engine: Engine) -> SupportReport:
    return support_report(engine, SINCE, UNTIL, today=dt.date(2025, 11, 27))


def _rows(report: SupportReport, section: str) -> dict[str, SupportGroup]:
    return {g.label: g for g in report.section(section)}


def _ids(ids: dict[str, int], *names: str) -> set[int]:
    return {ids[n] for n in names}


def test_volume_by_channel_and_priority_per_month(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = _report(engine)
    # In the period: T1-T7, T9, T10, T12-T14 (T8 is older, T11 and T15 later; the review
    # is no ticket). T6 opened at 23:30 on Apr 30 local: April, not May (UTC's day).
    whole = report.overall
    shown = ("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T9", "T10", "T12", "T13", "T14")
    assert {t.id for t in whole.tickets} == _ids(ids, *shown)
    assert report.month_labels[0] == "Jan 2025"
    assert report.month_labels[-1] == "Jun 2025"
    assert whole.months == (3, 2, 3, 1, 2, 1)
    channels = _rows(report, "channel")
    # Email T1 T3 T6 T9 T13, chat T2 T7 T14, web T5 T10, phone T4, none T12; biggest first.
    assert list(channels) == ["Email", "Chat", "Web", "Phone", "No channel"]
    assert [g.count for g in channels.values()] == [5, 3, 2, 1, 1]
    assert channels["Email"].months == (2, 0, 2, 1, 0, 0)
    priorities = _rows(report, "priority")
    # Urgent T4; High T1 T6 T10; Normal T2 T5 T7 T9 T13 T14; Low T3; none T12: by rank.
    assert list(priorities) == ["Urgent", "High", "Normal", "Low", "No priority"]
    assert [g.count for g in priorities.values()] == [1, 3, 6, 1, 1]
    assert {t.id for t in priorities["High"].tickets} == _ids(ids, "T1", "T6", "T10")


def test_time_to_resolution_by_type(book) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    report = _report(engine)
    types = _rows(report, "resolution")
    assert list(types) == ["Question", "Refund", "Incident"]  # 6, 4 and 2 tickets
    # Refund: T1 6h, T2 24h, T6 48h; T7 open. Median 24h; 90th: 24 + 0.8 * (48 - 24).
    refund = types["Refund"]
    assert (refund.resolved, refund.open, refund.untimed) == (3, 1, 0)
    assert refund.median_hours == pytest.approx(24)
    assert refund.p90_hours == pytest.approx(43.2)
    # Question: T4 48h, T5 12h, T9 4h (its help desk wrote no offset: the ticket's clock);
    # T3 and T13 open, never counted as zero; T12 solved with no time recorded.
    question = types["Question"]
    assert sorted(question.hours) == pytest.approx([4, 12, 48])
    assert (question.resolved, question.timed, question.open, question.untimed) == (4, 3, 2, 1)
    assert question.median_hours == pytest.approx(12)
    assert question.p90_hours == pytest.approx(40.8)
    # Incident: T10 6h, T14 90 minutes (only the full resolution time is recorded).
    assert sorted(types["Incident"].hours) == pytest.approx([1.5, 6])
    assert types["Incident"].median_hours == pytest.approx(3.75)
    # All: 1.5 4 6 6 12 24 48 48: median 9h, 90th 48h; 3 open, 1 with no time.
    whole = report.overall
    assert whole.median_hours == pytest.approx(9)
    assert whole.p90_hours == pytest.approx(48)
    assert (whole.open, whole.untimed) == (3, 1)
    note = section_note(report, "resolution") or ""
    assert "1 resolved ticket has no solved time" in note
    assert "3 open tickets are counted apart" in note
    assert (duration(0.5), duration(9), duration(43.2), duration(50), duration(72)) == (
        "30 minutes", "9 hours", "43.2 hours", "2.1 days", "3 days",
    )  # fmt: skip


def test_satisfaction_by_agent_and_type(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = _report(engine)
    # "offered" (T5) is no rating. Refund: T1 good, T2 bad, T6 good; Question: T4 T9 good;
    # Incident: T10 bad, T14 good.
    types = _rows(report, "satisfaction")
    assert [(g.rated, g.good) for g in types.values()] == [(2, 2), (3, 2), (2, 1)]
    assert types["Refund"].share_good == pytest.approx(2 / 3)
    assert all(g.small for g in types.values())  # under 10 rated each
    agents = _rows(report, "agent")
    # Sam T1 T2 T6 T14 (3 good of 4), Tess T3 T4 T5 T13 (1 of 1), Lee T9 T10 (1 of 2);
    # T7 and T12 name no agent.
    assert list(agents) == ["Sam Okafor", "Tess Lindqvist", "Lee Marchetti", "No agent"]
    assert [(g.count, g.rated, g.good) for g in agents.values()] == [
        (4, 4, 3), (4, 1, 1), (2, 2, 1), (2, 0, 0),
    ]  # fmt: skip
    assert agents["No agent"].share_good is None
    assert {t.id for t in agents["Lee Marchetti"].tickets} == _ids(ids, "T9", "T10")
    assert (report.overall.rated, report.overall.good) == (7, 5)


def test_repeat_contacts_by_type(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = _report(engine)
    repeat = _rows(report, "repeat")
    # Refund: A came back (T2 three days after T1's resolution), C too (T7 while T6 was
    # solved 2 days before): 2 of 2. Question: E (T13 the day after T12, which has no
    # solved time: from its creation); not B (T5 nine days after T4's resolution), not A
    # (T3, nothing after), not D (T9; T8 before the period does not count): 1 of 4.
    # Incident: D (T11, after the period, 2 days after T10's resolution), not F: 1 of 2.
    assert [(len(g.customers), len(g.returned)) for g in repeat.values()] == [
        (4, 1), (2, 2), (2, 1),
    ]  # fmt: skip
    assert repeat["Refund"].repeat_share == 1.0
    assert repeat["Question"].returned == (ids["E"],)
    assert set(repeat["Refund"].ticket_ids) == _ids(ids, "T1", "T6", "T2", "T7")
    incident = report.tickets_of(repeat["Incident"])
    assert [t.id for t in incident] == [ids["T10"], ids["T11"]]
    # All: A C D E of A to F, after T1 T6 T10 T12, with T2 T7 T11 T13.
    assert (len(report.overall.customers), len(report.overall.returned)) == (6, 4)
    back = report.total("repeat")
    assert {t.id for t in back.tickets} == _ids(ids, "T1", "T6", "T10", "T12")
    assert set(back.repeat_ids) == _ids(ids, "T2", "T7", "T11", "T13")
    assert report.find("repeat:") is back
    words = headline(report)
    assert words.startswith("12 tickets from 6 customers, 3 still open.")
    assert "4 customers (67%) came back within 7 days" in words


def test_a_group_opens_its_tickets_by_name(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = _report(engine)
    group = report.find("channel:phone")
    assert group is not None
    (ticket,) = report.tickets_of(group)
    assert (ticket.id, ticket.customer_id, ticket.subject) == (ids["T4"], ids["B"], "Ticket T4")
    assert report.names[ids["B"]] == "Customer B"
    assert ticket.created == dt.datetime(2025, 2, 1, 12, 0)  # local, the help desk's clock
    assert report.find("all") is report.overall
    assert report.find("agent:nobody") is None


def test_an_empty_workspace_says_which_exports_bring_tickets(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = support_report(ws.engine, SINCE, UNTIL)
    finally:
        ws.close()
    assert report.overall.count == 0
    assert report.overall.median_hours is None
    words = empty_words(report) or ""
    assert words.startswith("No tickets in this workspace yet")
    assert "Zendesk" in words


def test_a_period_with_no_ticket_says_where_they_are(book) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    report = support_report(engine, dt.date(2030, 1, 1), dt.date(2030, 3, 31))
    words = empty_words(report) or ""
    assert "the tickets run from Dec 28, 2024 to Aug 1, 2025" in words


def test_the_default_period_is_the_last_twelve_months_to_today() -> None:
    today = dt.date(2026, 11, 27)
    assert period_bounds(None, None, today) == (dt.date(2025, 12, 1), today)
    assert period_bounds(dt.date(2026, 3, 5), None, today) == (dt.date(2026, 3, 5), today)
    assert period_bounds(None, dt.date(2025, 12, 31), today) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )
