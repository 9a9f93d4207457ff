"""The churn-risk bands are defined once (services/alerts/risk_bands.py): the Customers
filter offers the bands Learn's holdout draws within, with the edges of
docs/user-guide.md."""

from __future__ import annotations

import numpy as np
import pandas as pd

from services.alerts import holdout, risk_bands
from services.alerts.holdout import HoldoutConfig, assign
from services.settings import ALERT_PARAMETERS
from views.item_models import customer_filters as filters
from views.item_models.customer_filters import CustomerFilter, in_range


def _filter_band(key: str) -> filters.Band:
    return next(band for band in filters.RISK_BANDS if band.key == key)


def test_the_filter_offers_the_holdout_bands() -> None:
    shared = {band.key: band for band in risk_bands.RISK_BANDS}
    for band in filters.RISK_BANDS:
        assert band.range == shared[band.key].range
        assert band.label == shared[band.key].label
    assert holdout.BAND_EDGES == (risk_bands.RISK_MEDIUM_FROM, risk_bands.RISK_HIGH_FROM)
    medium = _filter_band("medium")
    assert medium.range == (0.30, 0.60)
    assert medium.label == "Medium (30% to 60%)"
    assert (filters.RISK_MEDIUM, filters.RISK_HIGH) == holdout.BAND_EDGES


def test_a_customer_at_32_percent_is_medium_in_both() -> None:
    medium = CustomerFilter(churn_risk=_filter_band("medium").range)
    assert medium.churn_risk is not None
    assert bool(in_range(0.32, medium.churn_risk, filters.RANGE_TOPS["churn_risk"]))
    low = _filter_band("low")
    assert not bool(in_range(0.32, low.range, filters.RANGE_TOPS["churn_risk"]))

    assert holdout.risk_band(0.32) == "medium"
    fresh = pd.DataFrame(
        {"customer_id": [1], "rule_key": ["gone_quiet"], "priority_cents": [1], "tie": [7]}
    )
    config = HoldoutConfig(percent=10, seed=1, draws={}, window_days=30)
    out, draws, _ = assign(fresh, pd.Series([0.32], index=[1]), {}, config)
    assert out["holdout_band"].tolist() == ["medium"]
    assert draws["medium"] == 1


def test_every_risk_falls_in_the_same_band_on_both_surfaces() -> None:
    risks = np.array([0.0, 0.1, 0.299, 0.3, 0.32, 0.45, 0.599, 0.6, 0.8, 1.0])
    top = filters.RANGE_TOPS["churn_risk"]
    for risk in risks:
        offered = [b.key for b in filters.RISK_BANDS if bool(in_range(risk, b.range, top))]
        assert offered == [holdout.risk_band(float(risk))]


def test_the_high_band_starts_at_the_high_risk_threshold() -> None:
    default = next(
        p[3] for p in ALERT_PARAMETERS if p[:2] == ("high_risk_high_value", "min_churn_risk")
    )
    assert default / 100 == risk_bands.RISK_HIGH_FROM
    assert [b.range for b in risk_bands.risk_bands(0.7)] == [
        (0.7, 1.0),
        (0.3, 0.7),
        (0.0, 0.3),
    ]


def test_at_risk_in_sql_is_the_same_definition_as_in_python() -> None:
    """risk_bands.at_risk_sql (Ask, the dashboard's trend) keeps exactly the customers
    is_at_risk keeps, unscored and Lost included, on a real SQLite table."""
    import itertools
    import sqlite3

    from services.alerts.risk_bands import at_risk_sql, is_at_risk

    risks = (None, 0.0, 0.59, 0.6, 0.61, 1.0)
    segments = (None, "", "Lost", "Champions", "At risk", "O'Brien's")
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE s (churn REAL, segment TEXT)")
    rows = list(itertools.product(risks, segments))
    conn.executemany("INSERT INTO s VALUES (?, ?)", rows)
    condition = at_risk_sql("churn", "segment", "?")
    kept = set(conn.execute(f"SELECT churn, segment FROM s WHERE {condition}", (0.6,)))
    assert kept == {row for row in rows if is_at_risk(row[0], row[1], 0.6)}
    assert kept  # some are at risk, and not all
    assert len(kept) < len(rows)
