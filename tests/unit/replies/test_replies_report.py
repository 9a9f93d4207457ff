"""Replies on the hand-made book of tests/support/replies_book.py, imported through the
real conversation import, on SQLite and on PostgreSQL: every figure against the counts
written out by hand in the book's docstring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from app.workspace import open_workspace
from services.importing.service import run_import
from services.replies.records import ReplyReport
from services.replies.report import replies_report
from services.replies.wording import best_words, headline
from tests.support.replies_book import SINCE, UNTIL, fill_replies_book


@pytest.fixture
def book(workspace_url: str, tmp_path: Path) -> Iterator[tuple[Engine, dict[str, Any]]]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_replies_book(ws.engine, tmp_path / "mail")
        report = run_import(ws.engine, [tmp_path / "mail"])
        assert all(f.landed for f in report.files), report.files
        assert sum(f.inserted for f in report.files) == 7, report.files
        yield ws.engine, ids
    finally:
        ws.close()


def _report(engine: Engine) -> ReplyReport:
    return replies_report(engine, SINCE, UNTIL)


def test_the_replies_of_the_period(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = _report(engine)
    emails = {e.outreach_id: e for e in report.emails}
    # O1-O5: O6 is held out, O7 a draft, O8 sent before the period.
    assert sorted(emails) == sorted(ids[k] for k in ("O1", "O2", "O3", "O4", "O5"))
    assert report.holdout == 1
    o1, o2, o3, o4, o5 = (emails[ids[k]] for k in ("O1", "O2", "O3", "O4", "O5"))
    assert (o1.reply_how, o1.hours, o1.reply_subject) == ("thread", 6.0, "Quick question")
    assert (o2.reply_how, o2.hours) == ("subject", 48.0)
    # C's out-of-office answer and the stranger's "Re: Checking in" are no reply.
    assert (o3.reply_at, o3.automatic) == (None, 1)
    assert o4.reply_at is None  # 31 days after: too late by subject alone
    assert (o5.reply_how, o5.hours) == ("subject", 12.0)
    whole = report.overall
    assert (whole.sent, whole.replied, whole.automatic) == (5, 3, 1)
    assert whole.rate == pytest.approx(3 / 5)
    assert whole.median_hours == pytest.approx(12.0)
    assert whole.small
    assert whole.customer_ids(replied=True) == tuple(sorted(ids[k] for k in "ABE"))


def test_the_interval_is_wilsons(book) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    low, high = _report(engine).overall.interval or (0.0, 0.0)
    # Wilson at 95 %, 3 in 5, written out: centre (3 + z²/2) / (5 + z²), half
    # z * sqrt(3 * 2 / 5 + z² / 4) / (5 + z²).
    z = 1.959963984540054
    centre = (3 + z * z / 2) / (5 + z * z)
    half = z * (3 * 2 / 5 + z * z / 4) ** 0.5 / (5 + z * z)
    assert (low, high) == (pytest.approx(centre - half), pytest.approx(centre + half))
    assert low == pytest.approx(0.2307, abs=1e-4)
    assert high == pytest.approx(0.8824, abs=1e-4)


def test_by_template_tone_and_playbook(book) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    report = _report(engine)

    def rows(by: str) -> dict[str, tuple[int, int, int]]:
        return {g.label: (g.sent, g.replied, g.automatic) for g in report.groups(by)}

    assert rows("template") == {
        "Welcome back": (2, 2, 0),
        "Check-in": (2, 0, 1),
        "Written without a template": (1, 1, 0),
    }
    assert rows("tone") == {"Warm": (2, 2, 0), "Formal": (2, 0, 1), "No tone recorded": (1, 1, 0)}
    assert rows("playbook") == {"No playbook": (4, 2, 1), "Win back": (1, 1, 0)}
    welcome = report.find("template:welcome back")
    assert welcome is not None
    assert welcome.median_hours == pytest.approx(27.0)  # 6 and 48 hours
    # Every group has fewer than 10 sent: none is compared, none named best.
    assert report.best("template") is None
    assert "too few to say" in best_words(report, "template")


def test_the_headline_says_what_was_counted(book) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    words = headline(_report(engine))
    assert words.startswith("3 of 5 emails got a reply (60%, likely 23% to 88%)")
    assert "within 12 hours" in words
    assert "1 got only an automatic reply, not counted" in words
