"""Each scoring run's lifecycle stages, stored with its snapshots (score_snapshots.stage).

After a scoring stores its scores (services/usecases/refresh.py), every scored customer's
stage as of the run's date is written beside their scores: the stages of
``stage_book(engine, run.as_of)``, the one definition Results ▸ Stages shows for that
date (a past-date run reads only the orders, contracts and scoring that existed then).
The Customers table, its Stage filter, ``customers list --stage`` and the segment rules
of kind "stage" read the stored stage of the latest run, so they agree with each other
and with the scores they sit beside. NULL: no stage on the date (or a run scored before
the stages were stored).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Engine, Table, bindparam, select, update
from sqlalchemy.orm import Session

from models.schema import ScoreSnapshot, ScoringRun
from services.lifecycle.book import stage_book

__all__ = ["store_run_stages"]


def store_run_stages(engine: Engine, run_id: int) -> int:
    """Write each snapshot of run ``run_id`` its customer's stage as of the run's date, in
    one transaction (one UPDATE executed for every staged customer); how many were staged."""
    with Session(engine) as session:
        as_of = session.scalar(select(ScoringRun.as_of).where(ScoringRun.id == run_id))
    if as_of is None:
        return 0
    book = stage_book(engine, as_of)
    rows = [
        {"run": run_id, "customer": s.customer_id, "stage_key": s.stage}
        for s in book.staged
        if s.stage is not None
    ]
    table = cast(Table, ScoreSnapshot.__table__)
    statement = (
        update(table)
        .where(table.c.scoring_run_id == bindparam("run"))
        .where(table.c.customer_id == bindparam("customer"))
        .values(stage=bindparam("stage_key"))
    )
    with engine.begin() as conn:
        # Written afresh: a run staged again keeps no stage its customers lost since.
        conn.execute(
            update(table)
            .where(table.c.scoring_run_id == run_id, table.c.stage.is_not(None))
            .values(stage=None)
        )
        if rows:
            conn.execute(statement, rows)
    return len(rows)
