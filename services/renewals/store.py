"""Each scoring run's renewal forecasts, stored with it (one row a contract), so that a past
run keeps what it forecast and forecast against actual can read it once the dates pass."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Engine, delete, exists, insert, select
from sqlalchemy.orm import Session

from models.schema import ScoringRun
from models.schema.renewals import Contract, RenewalForecast
from services.renewals.book import read_book
from services.renewals.model import forecast
from services.renewals.records import Backtest

__all__ = ["store_forecasts"]

log = logging.getLogger(__name__)


def store_forecasts(engine: Engine, run_id: int) -> Backtest | None:
    """Forecast every contract open on the run's day and store the run's forecasts; None
    (and nothing written) when the workspace has no contracts."""
    with Session(engine) as session, session.begin():
        if not session.scalar(select(exists().where(Contract.id.isnot(None)))):
            return None
        as_of: dt.date = session.execute(
            select(ScoringRun.as_of).where(ScoringRun.id == run_id)
        ).scalar_one()
        book = read_book(session, as_of)
        forecasts, test = forecast(book)
        session.execute(delete(RenewalForecast).where(RenewalForecast.run_id == run_id))
        if forecasts:
            session.execute(insert(RenewalForecast), [
                {"run_id": run_id, "contract_id": f.contract_id, "customer_id": f.customer_id,
                 "as_of": as_of, "likelihood": f.likelihood, "model": f.model,
                 "drivers": list(f.drivers)}
                for f in forecasts
            ])  # fmt: skip
    log.info("Renewal forecasts of run %s: %d contracts (%s)", run_id, len(forecasts), test.verdict)
    return test
