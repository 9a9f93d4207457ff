"""The return is stated as strongly as its interval allows, in the same words wherever it
is said: when the interval includes -100% (outreach that changed nothing) the return
leads with "No clear effect yet", in the Return section's headline (services wording) and
in ``report effectiveness``; when it leaves -100% out, with the figure."""

from __future__ import annotations

import json

import pytest

from services.learn.claims import NO_CLEAR_EFFECT, NOT_CLEARLY_PAYING
from services.learn.roi import roi_report
from services.learn.roi_wording import return_is_clear, return_verdict, returned, roi_note
from tests.unit.alerts.test_alerts_rules import Book
from tests.unit.learn.roi_book import BREAK_EVEN, CLEAR, UNCLEAR, fill
from tests.unit.learn.test_cli_roi import run
from tests.unit.learn.test_learn_data import book

__all__ = ["book"]  # fixtures used by name


def _return_text(book: Book) -> str:
    code, out, err = run("--db", book.workspace.url, "report", "effectiveness")
    assert code == 0, err
    lines = out.splitlines()
    start = lines.index("Return on outreach:")
    return " ".join(" ".join(lines[start + 1 :]).split())


def test_an_unclear_return_leads_with_no_clear_effect_on_every_surface(book: Book) -> None:
    fill(book, **UNCLEAR)
    report = roi_report(book.engine)
    row = report.overall
    assert row.enough
    assert row.low is not None
    assert row.low < -1.0 < row.roi  # type: ignore[operator]
    lead = f"{NO_CLEAR_EFFECT}: {returned(row)}"
    assert "the interval includes -100%" in lead
    assert return_verdict(report) == f"{lead}."
    assert _return_text(book).startswith(f"{lead}: incremental revenue $")
    # The JSON export carries the same words.
    code, out, err = run("--db", book.workspace.url, "report", "effectiveness", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["roi"]["headline"] == f"{lead}."
    assert data["roi"]["summary"].startswith(f"{lead}: incremental revenue $")
    # 10 of 40 against 8 of 40: the lift's headline says no clear effect either.
    assert data["headline"].startswith(f"{NO_CLEAR_EFFECT}: re-engagement +5.0 points (95% CI")


def test_a_clear_return_leads_with_the_figure(book: Book) -> None:
    fill(book, **CLEAR)
    report = roi_report(book.engine)
    row = report.overall
    assert row.enough
    assert row.low is not None
    assert row.low > 0
    said = returned(row)
    assert "the interval includes" not in said
    assert return_verdict(report).startswith(f"O{said[1:]}: each $1 it cost brought $")
    text = _return_text(book)
    assert text.startswith(f"O{said[1:]}: incremental revenue $")
    assert NO_CLEAR_EFFECT not in text


def test_a_return_that_may_not_pay_claims_no_return_per_dollar(book: Book) -> None:
    # An interval that leaves -100% out but includes break-even ("+279%, 95% CI -98% to
    # +572%") led with "each $1 it cost brought $3.79": it no longer claims what it paid.
    fill(book, **BREAK_EVEN)
    report = roi_report(book.engine)
    row = report.overall
    assert row.enough
    assert row.low is not None
    assert row.high is not None
    assert -1.0 < row.low < 0 < row.roi < row.high  # type: ignore[operator]
    lead = f"{NOT_CLEARLY_PAYING}: {returned(row)}"
    assert "the interval includes 0%: it may not pay for itself" in lead
    assert return_verdict(report) == f"{lead}."
    assert "each $1" not in return_verdict(report)
    assert _return_text(book).startswith(f"{lead}: incremental revenue $")
    assert roi_note(row).startswith(f"{NOT_CLEARLY_PAYING}: 95% CI")
    assert not return_is_clear(row)


@pytest.mark.parametrize(
    ("case", "lead"),
    [(UNCLEAR, NO_CLEAR_EFFECT), (BREAK_EVEN, NOT_CLEARLY_PAYING), (CLEAR, "")],
    ids=["no-effect", "break-even", "clear"],
)
def test_a_breakdown_cell_leads_as_its_interval_allows(
    book: Book, case: dict[str, int], lead: str
) -> None:
    """The ROI cell of a breakdown row (Results ▸ Return's table, `report effectiveness
    --by`) leads as the headline does: "No clear effect yet: " when its interval includes
    -100 %, "Not clearly paying for itself yet: " when it includes break-even, else the
    figure alone."""
    from services.learn.roi_wording import percent, roi_figure, roi_interval

    fill(book, **case)
    report = roi_report(book.engine)
    row = report.overall
    figure = f"{percent(row.roi)} ({roi_interval(row)})"
    assert roi_figure(report, row) == (f"{lead}: {figure}" if lead else figure)
