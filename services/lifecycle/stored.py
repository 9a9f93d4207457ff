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

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from models.schema import ScoringRun
from services.lifecycle.book import stage_book

__all__ = ["store_run_stages"]


def store_run_stages(engine: Engine, run_id: int) -> int:
    """Write each snapshot of run ``run_id`` its customer's stage as of the run's date, in
    one UPDATE of the run's rows (NULL for a customer with no stage); how many were staged.

    One statement, a CASE of the stages' customer ids (integers read from the database,
    written out as SQLite and PostgreSQL read an IN list fastest): 0.4 s for 100,000
    customers on SQLite, where one UPDATE executed per customer took 5 s; with the stage
    book, ~2.6 s in all."""
    with Session(engine) as session:
        as_of = session.scalar(select(ScoringRun.as_of).where(ScoringRun.id == run_id))
    if as_of is None:
        return 0
    book = stage_book(engine, as_of)
    members: dict[str, list[int]] = {}
    for staged in book.staged:
        if staged.stage is not None:
            members.setdefault(staged.stage, []).append(int(staged.customer_id))
    params: dict[str, object] = {"run": int(run_id)}
    whens = []
    for n, (stage, ids) in enumerate(sorted(members.items())):
        params[f"stage_{n}"] = stage
        listed = ", ".join(str(c) for c in sorted(ids))
        whens.append(f"WHEN customer_id IN ({listed}) THEN :stage_{n}")
    value = f"CASE {' '.join(whens)} END" if whens else "NULL"
    with engine.begin() as conn:
        conn.execute(
            text(f"UPDATE score_snapshots SET stage = {value} WHERE scoring_run_id = :run"),
            params,
        )
    return sum(len(ids) for ids in members.values())
