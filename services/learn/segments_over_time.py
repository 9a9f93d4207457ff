"""Segments over time, defined once here for every surface (Results ▸ Segments,
``report segments``).

- **Runs**: the finished scoring runs, oldest first, each with its date, churn horizon,
  configuration version (a change between two runs is a settings-change mark, as on the
  customer's score history), the T of its value (``params["clv_months"]``) and currency.
- **Per segment per run**: the customers the run put in the segment (its size), the sum
  of their predicted revenue over the run's horizon, the sum of their T-month value, their
  mean churn risk and mean T-month value (customers with no figure are left out of a
  mean, not counted as zero).
- **Migration** between two runs: every customer scored by either, by the segment the
  earlier run gave them (rows) and the later one (columns); a customer scored by one
  only is "Not scored" in the other. Per cell: the customers, and the sum of their
  predicted revenue in each run.

Every figure is an SQL aggregate (the 100,000-customer demo keeps 100,000 snapshots a
run): no snapshot is read into Python, except the ids of one cell when it is opened.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session, aliased

from models.schema import ScoreSnapshot, ScoringRun
from services.core.clv_words import run_clv_months
from services.learn.segments_records import (
    NO_SEGMENT,
    NOT_SCORED,
    MigrationCell,
    MigrationMatrix,
    RunInfo,
    SegmentFigures,
    SegmentsOverTime,
)
from services.scoring.rfm import SEGMENTS

__all__ = [
    "NOT_SCORED",
    "NO_SEGMENT",
    "MigrationCell",
    "MigrationMatrix",
    "RunInfo",
    "SegmentFigures",
    "SegmentsOverTime",
    "migration_customers",
    "migration_matrix",
    "segments_over_time",
]


def _ordered(names: set[str]) -> tuple[str, ...]:
    known = [s for s in SEGMENTS if s in names]
    others = sorted(n for n in names if n not in SEGMENTS and n not in (NOT_SCORED, NO_SEGMENT))
    tail = [n for n in (NO_SEGMENT, NOT_SCORED) if n in names]
    return (*known, *others, *tail)


def _segment_name(value: Any) -> str:
    return str(value) if value else NO_SEGMENT


def _run_info(run: ScoringRun) -> RunInfo:
    params = run.params or {}
    return RunInfo(
        run_id=int(run.id),
        as_of=run.as_of,
        horizon_days=int(run.horizon_days),
        config_version=int(run.config_version or 0),
        clv_months=run_clv_months(params),
        currency=str(params.get("currency") or "USD"),
        customers=int(run.customers or 0),
    )


def finished_runs(session: Session) -> tuple[RunInfo, ...]:
    """Every finished scoring run, oldest first."""
    runs = session.scalars(
        select(ScoringRun)
        .where(ScoringRun.status == "finished")
        .order_by(ScoringRun.as_of, ScoringRun.id)
    ).all()
    return tuple(_run_info(r) for r in runs)


def segments_over_time(engine: Engine) -> SegmentsOverTime:
    """Each segment's size, revenue, value and churn risk in every finished scoring run."""
    s = ScoreSnapshot
    with Session(engine) as session:
        runs = finished_runs(session)
        ids = [r.run_id for r in runs]
        rows = (
            session.execute(
                select(
                    s.scoring_run_id,
                    s.segment,
                    func.count(),
                    func.sum(s.predicted_revenue_cents),
                    func.sum(s.clv_12m_cents),
                    func.avg(s.churn_risk),
                    func.avg(s.clv_12m_cents),
                )
                .where(s.scoring_run_id.in_(ids))
                .group_by(s.scoring_run_id, s.segment)
            ).all()
            if ids
            else []
        )
    by_key: dict[tuple[int, str], SegmentFigures] = {}
    for run_id, segment, count, revenue, value, risk, mean_value in rows:
        name = _segment_name(segment)
        by_key[(int(run_id), name)] = SegmentFigures(
            run_id=int(run_id),
            segment=name,
            customers=int(count),
            predicted_revenue_cents=int(round(float(revenue or 0))),
            value_cents=int(round(float(value or 0))),
            mean_churn_risk=None if risk is None else float(risk),
            mean_value_cents=None if mean_value is None else float(mean_value),
        )
    segments = _ordered({name for _run, name in by_key})
    figures = tuple(
        by_key[(run.run_id, name)]
        for run in runs
        for name in segments
        if (run.run_id, name) in by_key
    )
    return SegmentsOverTime(runs=runs, figures=figures, segments=segments)


def _run(session: Session, run_id: int) -> RunInfo:
    run = session.get(ScoringRun, run_id)
    if run is None or run.status != "finished":
        raise ValueError(f"no finished scoring run {run_id}")
    return _run_info(run)


def _in_run(alias: Any, run: RunInfo) -> Any:
    # as_of and horizon select the run through the snapshots' index; the id makes it exact.
    return and_(
        alias.as_of == run.as_of,
        alias.horizon_days == run.horizon_days,
        alias.scoring_run_id == run.run_id,
    )


def migration_matrix(engine: Engine, earlier_id: int, later_id: int) -> MigrationMatrix:
    """Customers and predicted revenue by segment in run ``earlier_id`` against run
    ``later_id``; a customer scored by one of them only is Not scored in the other."""
    a, b = aliased(ScoreSnapshot), aliased(ScoreSnapshot)
    with Session(engine) as session:
        earlier, later = _run(session, earlier_id), _run(session, later_id)
        both = session.execute(
            select(
                a.segment,
                b.segment,
                func.count(),
                func.sum(a.predicted_revenue_cents),
                func.sum(b.predicted_revenue_cents),
            )
            .join(b, and_(b.customer_id == a.customer_id, _in_run(b, later)))
            .where(_in_run(a, earlier))
            .group_by(a.segment, b.segment)
        ).all()
        gone = _one_side(session, a, b, earlier, later)
        new = _one_side(session, b, a, later, earlier)
    cells: list[MigrationCell] = []
    for before, after, count, rev_a, rev_b in both:
        cells.append(
            MigrationCell(
                _segment_name(before),
                _segment_name(after),
                int(count),
                int(round(float(rev_a or 0))),
                int(round(float(rev_b or 0))),
            )
        )
    for segment, count, revenue in gone:
        cells.append(
            MigrationCell(_segment_name(segment), NOT_SCORED, int(count), int(revenue or 0), 0)
        )
    for segment, count, revenue in new:
        cells.append(
            MigrationCell(NOT_SCORED, _segment_name(segment), int(count), 0, int(revenue or 0))
        )
    rows = _ordered({c.before for c in cells})
    columns = _ordered({c.after for c in cells})
    return MigrationMatrix(earlier, later, tuple(cells), rows, columns)


def _one_side(session: Session, here: Any, there: Any, run: RunInfo, other: RunInfo) -> Any:
    """(segment, customers, predicted revenue) of ``run``'s customers ``other`` did not score."""
    missing = (
        ~select(there.id)
        .where(there.customer_id == here.customer_id, _in_run(there, other))
        .exists()
    )
    return session.execute(
        select(here.segment, func.count(), func.sum(here.predicted_revenue_cents))
        .where(_in_run(here, run), missing)
        .group_by(here.segment)
    ).all()


def migration_customers(
    engine: Engine, earlier_id: int, later_id: int, before: str, after: str
) -> tuple[int, ...]:
    """The ids of the customers of one cell of :func:`migration_matrix`, ascending."""
    a, b = aliased(ScoreSnapshot), aliased(ScoreSnapshot)
    with Session(engine) as session:
        earlier, later = _run(session, earlier_id), _run(session, later_id)
        if before == NOT_SCORED and after == NOT_SCORED:
            return ()
        if before == NOT_SCORED:
            query = _only_in(b, a, later, earlier, after)
        elif after == NOT_SCORED:
            query = _only_in(a, b, earlier, later, before)
        else:
            query = (
                select(a.customer_id)
                .join(b, and_(b.customer_id == a.customer_id, _in_run(b, later)))
                .where(_in_run(a, earlier), _is(a, before), _is(b, after))
            )
        ids = session.scalars(query.order_by(None)).all()
    return tuple(sorted(int(i) for i in ids))


def _is(alias: Any, segment: str) -> Any:
    return alias.segment.is_(None) if segment == NO_SEGMENT else alias.segment == segment


def _only_in(here: Any, there: Any, run: RunInfo, other: RunInfo, segment: str) -> Any:
    missing = (
        ~select(there.id)
        .where(there.customer_id == here.customer_id, _in_run(there, other))
        .exists()
    )
    return select(here.customer_id).where(_in_run(here, run), _is(here, segment), missing)
