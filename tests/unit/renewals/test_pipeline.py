"""The renewal pipeline, the upcoming list and forecast against actual on the hand-made
book of tests/support/renewals_book.py, on SQLite and on PostgreSQL: every figure against
the sums written out by hand below (dollars a year; the report holds cents)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from app.workspace import open_workspace
from services.renewals.records import PipelineMonth, RenewalsReport
from services.renewals.report import renewals_report
from tests.support.renewals_book import AS_OF, fill_renewals_book

Book = tuple[Engine, dict[str, int], dict[str, int]]


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    ws = open_workspace(workspace_url, backup=False)
    customers, contracts = fill_renewals_book(ws.engine)
    yield ws.engine, customers, contracts
    ws.close()


def _month(report: RenewalsReport, year: int, month: int) -> PipelineMonth:
    return next(m for m in report.months if m.month == dt.date(year, month, 1))


def _ids(contracts: dict[str, int], letters: str) -> tuple[int, ...]:
    return tuple(sorted(contracts[x] for x in letters))


def test_the_months_ahead(book: Book) -> None:
    engine, _customers, k = book
    report = renewals_report(engine, as_of=AS_OF, with_backtest=False)
    # Three months back to twelve ahead: Oct 2025 to Jan 2027.
    assert (report.months[0].month, report.months[-1].month) == (
        dt.date(2025, 10, 1),
        dt.date(2027, 1, 1),
    )
    feb = _month(report, 2026, 2)
    # A $1,000 a month = $12,000 a year; B $6,000 a year.
    assert tuple(sorted(feb.contracts)) == _ids(k, "AB")
    assert feb.up_cents == pytest.approx(1_800_000)
    # 90 % of $12,000 + 40 % of $6,000 = $13,200.
    assert feb.expected_cents == pytest.approx(1_320_000)
    assert feb.committed == _ids(k, "A")
    assert feb.committed_cents == pytest.approx(1_200_000)
    # B: 40 %, below the 50 % line (its "likely" call was made after the day read).
    assert feb.at_risk == _ids(k, "B")
    assert feb.at_risk_cents == pytest.approx(600_000)
    mar = _month(report, 2026, 3)
    # E $3,000 a quarter = $12,000 a year; F $2,400, no forecast stored: not expected.
    assert mar.up_cents == pytest.approx(1_440_000)
    assert mar.expected_cents == pytest.approx(960_000)
    # E: 80 %, but called at risk by its owner.
    assert mar.at_risk == _ids(k, "E")
    assert mar.committed == ()
    assert _month(report, 2026, 1).contracts == ()


def test_won_lost_expansion_and_contraction(book: Book) -> None:
    engine, _customers, k = book
    report = renewals_report(engine, as_of=AS_OF, with_backtest=False)
    oct_, nov, dec = (_month(report, 2025, m) for m in (10, 11, 12))
    assert oct_.lost == _ids(k, "H")
    assert oct_.lost_cents == pytest.approx(120_000)
    # G renewed at $8,000 of $10,000: won $8,000, contraction $2,000.
    assert nov.won == _ids(k, "G")
    assert nov.won_cents == pytest.approx(800_000)
    assert (nov.expansion_cents, nov.contraction_cents) == pytest.approx((0, 200_000))
    assert nov.expected_cents == pytest.approx(800_000)
    # C renewed at $6,000 of $5,000 (expansion $1,000); D, $500 a month, churned ($6,000).
    assert dec.won == _ids(k, "C")
    assert dec.lost == _ids(k, "D")
    assert (dec.won_cents, dec.lost_cents) == pytest.approx((600_000, 600_000))
    assert (dec.expansion_cents, dec.contraction_cents) == pytest.approx((100_000, 0))
    assert dec.up_cents == pytest.approx(1_100_000)


def test_upcoming_and_the_filters(book: Book) -> None:
    engine, customers, k = book
    report = renewals_report(engine, as_of=AS_OF, with_backtest=False)
    assert [u.contract_id for u in report.upcoming] == [k[x] for x in "ABEF"]
    a = report.upcoming[0]
    assert (a.customer_id, a.name, a.likelihood, a.call, a.segment) == (
        customers["A"],
        "Customer A",
        0.9,
        "commit",
        "Champions",
    )
    assert a.annual_cents == pytest.approx(1_200_000)
    assert report.owners == ("Leo", "Maya")
    assert report.segments == ("At Risk", "Champions", "Not scored")
    assert report.run_as_of == dt.date(2026, 1, 10)
    leo = renewals_report(engine, as_of=AS_OF, owner="Leo", with_backtest=False)
    assert [u.contract_id for u in leo.upcoming] == [k["E"], k["F"]]
    assert _month(leo, 2026, 2).contracts == ()
    champions = renewals_report(engine, as_of=AS_OF, segment="Champions", with_backtest=False)
    assert [u.contract_id for u in champions.upcoming] == [k["A"], k["B"]]
    # A day later B's call counts: likely, and B stays at risk on its 40 %.
    later = renewals_report(engine, as_of=dt.date(2026, 1, 21), with_backtest=False)
    assert next(u for u in later.upcoming if u.contract_id == k["B"]).call == "likely"


def test_forecast_against_actual(book: Book) -> None:
    engine, _customers, k = book
    report = renewals_report(engine, as_of=AS_OF, with_backtest=False)
    six, three = report.model_checks
    # 6 months before: the run of 2025-04-01 for all four (H 60 % churned, G 70 %
    # renewed, C 80 % renewed, D 50 % churned): hits G and C.
    assert (six.checkpoint_months, six.count, six.hit_rate) == (6, 4, 0.5)
    assert six.brier == pytest.approx((0.6**2 + 0.3**2 + 0.2**2 + 0.5**2) / 4)
    assert six.contracts == _ids(k, "CDGH")
    # 3 months before: the run of 2025-07-15 (H 30 %, G 90 %, C 85 %, D 40 %): all hits.
    assert (three.checkpoint_months, three.hit_rate) == (3, 1.0)
    assert three.brier == pytest.approx((0.3**2 + 0.1**2 + 0.15**2 + 0.4**2) / 4)
    owners = {(c.who, c.checkpoint_months): c for c in report.owner_checks}
    assert set(owners) == {("Leo", 6), ("Leo", 3), ("Maya", 6), ("Maya", 3)}
    # Maya at 6: C likely (75 %, renewed: hit), D commit (95 %, churned: miss).
    assert owners["Maya", 6].hit_rate == 0.5
    assert owners["Maya", 6].brier == pytest.approx((0.25**2 + 0.95**2) / 2)
    # Maya at 3: D's latest call, at risk (35 %), churned: a hit.
    assert owners["Maya", 3].contracts == _ids(k, "D")
    assert owners["Maya", 3].brier == pytest.approx(0.35**2)
    # Leo at 6: G lost (5 %) but renewed; H's commit came after its date and is left out.
    assert owners["Leo", 6].contracts == _ids(k, "G")
    assert (owners["Leo", 6].hit_rate, owners["Leo", 6].brier) == (0.0, pytest.approx(0.95**2))
    assert owners["Leo", 3].hit_rate == 1.0
    maya = renewals_report(engine, as_of=AS_OF, owner="Maya", with_backtest=False)
    assert {c.who for c in maya.owner_checks} == {"Maya"}
    assert maya.model_checks[0].contracts == _ids(k, "CD")


def test_before_the_dates_pass_nothing_is_checked(book: Book) -> None:
    engine, _customers, k = book
    # On 2025-11-15 only G and H are decided; C and D are still open then.
    report = renewals_report(engine, as_of=dt.date(2025, 11, 15), with_backtest=False)
    assert report.model_checks[0].contracts == _ids(k, "GH")
    assert {u.contract_id for u in report.upcoming} >= {k["C"], k["D"]}
    dec = _month(report, 2025, 12)
    assert dec.won == ()
    assert dec.lost == ()


def test_the_upcoming_list_is_soonest_first(book: Book) -> None:
    """A contract added last that renews first leads the list, whatever its id."""
    from sqlalchemy.orm import Session

    from models.schema.renewals import Contract

    engine, customers, k = book
    with Session(engine) as s, s.begin():
        soon = Contract(customer_id=customers["A"], source="test", external_id="soon",
                        start_date=dt.date(2025, 1, 20), end_date=dt.date(2026, 1, 20),
                        amount_cents=50_000, period="year")  # fmt: skip
        s.add(soon)
        s.flush()
        soon_id = int(soon.id)
    report = renewals_report(engine, as_of=AS_OF, with_backtest=False)
    ends = [u.end for u in report.upcoming]
    assert report.upcoming[0].contract_id == soon_id
    assert ends == sorted(ends)
    assert [u.contract_id for u in report.upcoming][1:] == [k[x] for x in "ABEF"]
