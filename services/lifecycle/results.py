"""What Results ▸ Stages shows, read in one go: the customers by stage today, whether stage
health profiles beat one profile (the last backtest), and the best times to reach out
from the emails of the period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.lifecycle.book import stage_book
from services.lifecycle.health import kept_check
from services.lifecycle.reach import reach_report
from services.lifecycle.records import LifecycleResults

__all__ = ["LifecycleResults", "lifecycle_results"]


def lifecycle_results(
    engine: Engine, since: dt.date | None = None, until: dt.date | None = None
) -> LifecycleResults:
    """Results ▸ Stages' figures (reach times from the emails of ``since`` to ``until``)."""
    book = stage_book(engine)
    with Session(engine) as session:
        ranks, words = kept_check(session)
    return LifecycleResults(book, ranks, words, reach_report(engine, since, until))
