"""Scores do not depend on the order of rows in a file (issue §3).

The CDNOW 1/10 sample (2,357 customers) is stored five times, each time from the same
lines in another order (by customer, by date, three shuffles): customers are created as
they first appear and orders in line order, as an import of that file would do, so their
internal ids differ. Scored as of 1997-09-30 over 273 days, every customer's churn risk
(and every other figure) must agree, and the ranking must be as good each time. The full
file, with the AUC target, is bench/bench_row_order.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, text

from app.workspace import open_workspace
from models.schema import Customer, Order
from services.scoring import data as data_module
from services.scoring.run import score_workspace
from tests.support.databases import new_workspace_url
from tests.support.paths import DATA

SAMPLE = DATA / "cdnow" / "CDNOW_sample.txt"
AS_OF = dt.date(1997, 9, 30)
HOLDOUT_END = dt.date(1998, 6, 30)
HORIZON = 273
FIGURES = (
    "churn_risk",
    "predicted_orders",
    "predicted_revenue_cents",
    "clv_12m_cents",
    "revenue_at_risk_cents",
    "churn_risk_low",
    "churn_risk_high",
    "confidence",
    "segment",
)


def sample_lines() -> pd.DataFrame:
    """One row per line of the sample: customer id, date, cents, line number."""
    rows = []
    for i, line in enumerate(SAMPLE.read_text(encoding="ascii").splitlines()):
        parts = line.split()
        if len(parts) == 5:
            day = dt.date(int(parts[2][:4]), int(parts[2][4:6]), int(parts[2][6:8]))
            rows.append((parts[0], day, int(round(float(parts[4]) * 100)), i))
    return pd.DataFrame(rows, columns=["customer", "day", "cents", "line"])


def orderings(lines: pd.DataFrame) -> list[pd.DataFrame]:
    return [
        lines.sort_values(["customer", "day", "line"], kind="stable"),
        lines.sort_values(["day", "line"], kind="stable"),
        *(lines.sample(frac=1.0, random_state=seed) for seed in (1, 2, 3)),
    ]


def scores_in_order(lines: pd.DataFrame, url: str) -> pd.DataFrame:
    """Store the lines in their order in the workspace at ``url``, score it, and return
    its snapshots by customer external id."""
    ws = open_workspace(url, backup=False)
    try:
        with ws.engine.begin() as conn:
            names = list(dict.fromkeys(lines["customer"].tolist()))
            conn.execute(insert(Customer), [{"external_id": c, "source": "cdnow"} for c in names])
            ids = {
                str(e): int(i)
                for e, i in conn.execute(text("SELECT external_id, id FROM customers"))
            }
            conn.execute(
                insert(Order),
                [
                    {
                        "customer_id": ids[c],
                        "external_id": f"L{line}",
                        "source": "cdnow",
                        "order_date": dt.datetime.combine(day, dt.time(12), dt.UTC),
                        "amount_cents": int(cents),
                        "status": "paid",
                    }
                    for c, day, cents, line in lines.itertuples(index=False)
                ],
            )
        score_workspace(ws.engine, as_of=AS_OF, horizon_days=HORIZON)
        with ws.engine.connect() as conn:
            frame = pd.read_sql_query(
                text(
                    "SELECT c.external_id, "
                    + ", ".join(f"s.{f}" for f in FIGURES)
                    + " FROM score_snapshots s JOIN customers c ON c.id = s.customer_id"
                ),
                conn,
            )
    finally:
        ws.close()
    return frame.set_index("external_id").sort_index()


def auc(churned: np.ndarray, risk: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(churned, risk))


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    return sample_lines()


def churned(lines: pd.DataFrame, customers: pd.Index) -> np.ndarray:
    hold = lines[(lines["day"] > AS_OF) & (lines["day"] <= HOLDOUT_END)]
    out: np.ndarray = ~np.asarray(customers.isin(hold["customer"]))
    return out


@pytest.mark.slow
def test_five_row_orders_give_the_same_scores(
    lines: pd.DataFrame, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    runs = []
    for i, ordered in enumerate(orderings(lines)):
        folder = tmp_path / f"w{i}"
        folder.mkdir()
        runs.append(scores_in_order(ordered, new_workspace_url(request, "sqlite", folder)))
    first = runs[0]
    assert len(first) == lines["customer"].nunique()
    truth = churned(lines, first.index)
    aucs = []
    for run in runs:
        assert run.index.tolist() == first.index.tolist()
        diff = np.abs(run["churn_risk"].to_numpy() - first["churn_risk"].to_numpy())
        assert diff.max() <= 0.001
        aucs.append(auc(truth, run["churn_risk"].to_numpy()))
        for figure in FIGURES[1:]:
            assert run[figure].tolist() == first[figure].tolist(), figure
    # The same ranking each time, and a useful one on this small sample.
    assert max(aucs) - min(aucs) <= 0.001
    assert min(aucs) >= 0.75


def test_stored_order_follows_the_keys(
    lines: pd.DataFrame, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The scoring data lists customers in the order of their keys' hash, whatever order
    they were stored in: the order every sample, split and fold is drawn in."""
    some = lines[lines["customer"].isin(sorted(set(lines["customer"]))[:300])]
    orders = []
    for i, ordered in enumerate(orderings(some)[:2]):
        folder = tmp_path / f"k{i}"
        folder.mkdir()
        ws = open_workspace(new_workspace_url(request, "sqlite", folder))
        try:
            with ws.engine.begin() as conn:
                names = list(dict.fromkeys(ordered["customer"].tolist()))
                conn.execute(
                    insert(Customer), [{"external_id": c, "source": "cdnow"} for c in names]
                )
            # Customers with no signup or order are known from the day they were added:
            # read as of a day after this one (2052).
            loaded = data_module.load_scoring_data(ws.engine, until_day=30_000)
            with ws.engine.connect() as conn:
                stored = conn.execute(text("SELECT id, external_id FROM customers")).all()
                ext = {int(i): str(e) for i, e in stored}
        finally:
            ws.close()
        orders.append([ext[int(i)] for i in loaded.customer_ids])
    assert orders[0] == orders[1]
    assert orders[0] != sorted(orders[0])
