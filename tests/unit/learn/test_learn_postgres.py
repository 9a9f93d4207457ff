"""The effectiveness report on a real PostgreSQL server: the hand-made workspace of
test_learn_data gives the same groups and figures as on SQLite (the exposure reads,
the orders in the home currency, the last orders before the alerts, the at-risk share).

Uses the throwaway cluster of tests/unit/workspace/test_postgres.py (skipped without PostgreSQL's
server binaries)."""

from __future__ import annotations

import pytest

from app.workspace import open_workspace
from services.learn.effectiveness import effectiveness_report
from tests.unit.alerts.test_alerts_rules import NOW, Book
from tests.unit.learn.test_learn_data import build_names
from tests.unit.workspace.test_postgres import pg_url  # noqa: F401  (the fixture)


def test_the_report_on_postgresql(pg_url: str) -> None:  # noqa: F811
    ws = open_workspace(pg_url)
    try:
        book = Book(ws)
        names = build_names(book)
        report = effectiveness_report(ws.engine, by="rule", now=NOW, resamples=200)
        lift = report.overall.lift
        assert lift.contacted.customers.customer_ids == names.of("C1", "C2", "C5")
        assert lift.contacted.reengaged.customer_ids == names.of("C1", "C5")
        assert lift.holdout.customers.customer_ids == names.of("H1", "H2")
        assert lift.lift == pytest.approx(2 / 3 - 1 / 2)
        aside = report.overall.set_aside
        assert aside.contacted_anyway.customer_ids == names.of("H3")
        assert aside.not_contacted.customer_ids == names.of("C3", "C4")
        assert aside.window_open.customer_ids == names.of("H4")
        assert report.overall.revenue.won_back_cents == 10_000
        assert report.offers.with_offer.customer_ids == names.of("C1", "C5")
        quality = report.alert_quality
        assert quality.churned.customer_ids == names.of("H1")
        assert quality.median_warning_days == pytest.approx(60.0)
        assert report.at_risk is not None
        assert report.at_risk.at_risk.customer_ids == names.of("H1", "C1")
        assert [p.key for p in report.breakdown] == ["gone_quiet", "high_risk_high_value"]
        assert report.breakdown[0].label == "Gone quiet"
        since = effectiveness_report(ws.engine, since=(NOW.date().replace(day=1)), now=NOW)
        assert since.exposures == 1  # H4, alerted 10 days before NOW (June 5)
    finally:
        ws.close()
