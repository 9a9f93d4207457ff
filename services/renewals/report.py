"""The renewal report every surface reads (Results ▸ Renewals, ``report renewals``).

The pipeline groups contracts by the month of their renewal date. Amounts are annual
recurring revenue: each contract's recurring amount turned into a year's (a monthly $100
is $1,200) in the home currency. For each month: up for renewal (every contract), expected
(open ones weighted by the latest run's likelihood, plus what the renewed ones renewed
at), committed (open, the owner's latest call is commit), at risk (open, a likelihood
below AT_RISK_BELOW or a call of at risk or lost), won and lost (decided), and expansion
and contraction at renewal (the renewed amount against the contract's). The upcoming list
is the open contracts whose date is ahead, with the latest run's likelihood and drivers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.schema import ScoreSnapshot, ScoringRun
from models.schema.renewals import Contract, RenewalCall, RenewalForecast
from services.renewals.actual import check_forecasts
from services.renewals.book import Book, read_book
from services.renewals.calls import margin
from services.renewals.features import matrix, training
from services.renewals.model import backtest, mean_risk
from services.renewals.records import (
    PipelineMonth,
    RenewalsReport,
    Upcoming,
)
from services.renewals.vocab import CHURNED, COMMIT, OPEN, RENEWED

__all__ = ["NO_OWNER", "NOT_SCORED", "month_start", "renewals_report"]

NO_OWNER = "No owner"
NOT_SCORED = "Not scored"


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class _Row:
    contract_id: int
    customer_id: int
    owner: str
    segment: str
    end: dt.date
    outcome: str
    annual: float | None
    renewed_annual: float | None
    likelihood: float | None
    model: str | None
    drivers: tuple[str, ...]
    call: str | None

    def upcoming(self, names: dict[int, str]) -> Upcoming:
        return Upcoming(self.contract_id, self.customer_id, names.get(self.customer_id, ""),
                        self.owner, self.segment, self.end, self.annual, self.likelihood,
                        self.model, self.drivers, self.call)  # fmt: skip


def _latest_run(session: Session, as_of: dt.date) -> tuple[int, dt.date] | None:
    row = session.execute(
        select(ScoringRun.id, ScoringRun.as_of)
        .where(ScoringRun.status == "finished", ScoringRun.as_of <= as_of)
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), row[1])


def _rows(session: Session, book: Book) -> tuple[list[_Row], dt.date | None]:
    as_of = book.as_of
    run = _latest_run(session, as_of)
    forecasts: dict[int, tuple[float, str, tuple[str, ...]]] = {}
    segments: dict[int, str] = {}
    if run is not None:
        f = RenewalForecast
        for cid, chance, model, words in session.execute(
            select(f.contract_id, f.likelihood, f.model, f.drivers).where(f.run_id == run[0])
        ):
            forecasts[int(cid)] = (float(chance), str(model), tuple(words or ()))
        s = ScoreSnapshot
        segments = {
            int(c): str(seg)
            for c, seg in session.execute(
                select(s.customer_id, s.segment).where(s.scoring_run_id == run[0])
            )
            if seg
        }
    calls = _latest_calls(session, as_of)
    rows = []
    for c in book.contracts:
        chance, model, words = forecasts.get(c.contract_id, (None, None, ()))
        segment = segments.get(c.customer_id, NOT_SCORED)
        rows.append(_Row(c.contract_id, c.customer_id, c.owner or NO_OWNER, segment, c.end,
                         c.outcome, c.annual_cents, c.renewed_annual_cents, chance, model, words,
                         calls.get(c.contract_id)))  # fmt: skip
    return rows, None if run is None else run[1]


def _latest_calls(session: Session, as_of: dt.date) -> dict[int, str]:
    """Each contract's latest call made on or before ``as_of``, whatever its checkpoint."""
    r = RenewalCall
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    latest: dict[int, str] = {}
    for cid, call in session.execute(
        select(r.contract_id, r.call).where(r.made_at < end).order_by(r.made_at, r.id)
    ):
        latest[int(cid)] = str(call)
    return latest


def _month(month: dt.date, rows: list[_Row], names: dict[int, str]) -> PipelineMonth:
    def cents(value: float | None) -> float:
        return value or 0.0

    # In one order whatever order the database gave them (PostgreSQL's differs by who
    # reads): the same ids, and sums added in the same order, on every surface.
    rows = sorted(rows, key=lambda r: r.contract_id)
    open_ = [r for r in rows if r.outcome == OPEN]
    won = [r for r in rows if r.outcome == RENEWED]
    lost = [r for r in rows if r.outcome == CHURNED]
    committed = [r for r in open_ if r.call == COMMIT]
    at_risk = [r for r in open_ if r.upcoming(names).at_risk]
    renewed_at = [
        (cents(r.annual), cents(r.renewed_annual)) for r in won if r.renewed_annual is not None
    ]
    won_cents = sum(cents(r.annual if r.renewed_annual is None else r.renewed_annual) for r in won)
    expected = sum(cents(r.annual) * r.likelihood for r in open_ if r.likelihood is not None)
    return PipelineMonth(
        month=month,
        contracts=tuple(r.contract_id for r in rows),
        up_cents=sum(cents(r.annual) for r in rows),
        expected_cents=expected + won_cents,
        committed=tuple(r.contract_id for r in committed),
        committed_cents=sum(cents(r.annual) for r in committed),
        at_risk=tuple(r.contract_id for r in at_risk),
        at_risk_cents=sum(cents(r.annual) for r in at_risk),
        won=tuple(r.contract_id for r in won),
        won_cents=won_cents,
        lost=tuple(r.contract_id for r in lost),
        lost_cents=sum(cents(r.annual) for r in lost),
        expansion_cents=sum(max(new - old, 0.0) for old, new in renewed_at),
        contraction_cents=sum(max(old - new, 0.0) for old, new in renewed_at),
        customers={r.contract_id: r.customer_id for r in rows},
    )


def _pipeline(
    rows: list[_Row], first: dt.date, end: dt.date, names: dict[int, str]
) -> tuple[PipelineMonth, ...]:
    by_month: dict[dt.date, list[_Row]] = defaultdict(list)
    for r in rows:
        if first <= r.end < end:
            by_month[month_start(r.end)].append(r)
    months = []
    month = first
    while month < end:
        months.append(_month(month, by_month.get(month, []), names))
        month = add_months(month, 1)
    return tuple(months)


def renewals_report(
    engine: Engine,
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    owner: str | None = None,
    segment: str | None = None,
    with_backtest: bool = True,
) -> RenewalsReport:
    """The renewals as of ``as_of`` (default today): the pipeline of the months from
    ``since``'s to ``until``'s (default 3 months back to 12 ahead), the upcoming renewals,
    the backtest (``with_backtest``) and forecast against actual, for one ``owner`` or
    ``segment`` when given."""
    as_of = as_of or dt.date.today()
    first = month_start(since) if since else add_months(as_of, -3)
    end = add_months(until, 1) if until else add_months(as_of, 13)
    with Session(engine) as session:
        total = int(session.scalar(select(func.count(Contract.id))) or 0)
        book = read_book(session, as_of)
        rows, run_as_of = _rows(session, book)
        test = None
        if with_backtest and total:
            test = backtest(book.decided, matrix(book, training(book.decided), mean_risk(book)))
        model_checks, owner_checks = check_forecasts(session, as_of, owner=owner)
        gap = margin(session)
    owners = tuple(sorted({r.owner for r in rows}, key=lambda o: (o == NO_OWNER, o.lower())))
    segments = tuple(sorted({r.segment for r in rows}, key=lambda s: (s == NOT_SCORED, s)))
    shown = [r for r in rows if owner in (None, r.owner) and segment in (None, r.segment)]
    names = {c.customer_id: c.name for c in book.contracts}
    ahead = sorted((r for r in shown if r.outcome == OPEN and r.end > as_of),
                   key=lambda r: (r.end, r.contract_id))  # fmt: skip
    upcoming = tuple(r.upcoming(names) for r in ahead)  # soonest first
    return RenewalsReport(
        as_of=as_of, home=book.home, contracts=total, run_as_of=run_as_of, upcoming=upcoming,
        months=_pipeline(shown, first, end, names), backtest=test,
        model_checks=model_checks, owner_checks=owner_checks, owners=owners,
        segments=segments, names=names, no_rate=book.left_out,
        customers={c.contract_id: c.customer_id for c in book.contracts},
        disagreement_gap=gap,
    )  # fmt: skip
