"""The dashboard's read: everything the dashboard shows, read in one place (the alert
figures, the latest scores, the days the settings changed, the home currency, what
customers' words say, the sources that are late or stale, the renewals and retention). A
read only: nothing here writes (the window's dashboard opens on a workspace it must not
change)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.alerts.dashboard import dashboard
from services.alerts.records import Dashboard
from services.core.money import load_money_context
from services.freshness.records import FreshnessReport
from services.freshness.report import freshness_report
from services.listen.records import ListenReport
from services.listen.report import listen_report
from services.scoring.queries import config_changes, latest_scores_columns
from services.usecases.book_lines import BookLines, book_lines


@dataclass(frozen=True)
class DashboardRead:
    """What the dashboard shows, as the services give it."""

    figures: Dashboard
    latest: dict[str, np.ndarray] | None  # the latest scores, by customer (None: none)
    config_change_days: list[dt.date]  # the days a scoring or alert setting changed
    currency: str  # the home currency every money figure is in
    listen: ListenReport
    freshness: FreshnessReport  # the sources and which are late or stale
    book: BookLines  # renewals ahead, calls due, retention over 12 months


def read_dashboard(engine: Engine) -> DashboardRead | None:
    """The dashboard's figures (None when the workspace was never scored)."""
    figures = dashboard(engine)
    if figures is None:
        return None
    with Session(engine) as session:
        latest = latest_scores_columns(session)
        changes = config_changes(session)
        currency = load_money_context(session).home
    return DashboardRead(
        figures=figures,
        latest=latest,
        config_change_days=[day for day, _version in changes],
        currency=currency,
        listen=listen_report(engine),
        freshness=freshness_report(engine),
        book=book_lines(engine),
    )
