"""The demo's contracts (services/demo/renewal_truth.py): business accounts' terms over the
past two years and the next twelve months, whose outcomes come from a known truth kept in
the demo marker, so that a renewal model can be checked against it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from app.workspace import Workspace, open_workspace, to_url
from services.demo import DEMO_SETTING, build_demo
from services.demo.renewal_truth import COEFFICIENTS, INTERCEPT, RenewalFeatures, true_chance
from services.settings import get_setting

TODAY = dt.date(2025, 6, 15)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, Any]]]:
    path = tmp_path_factory.mktemp("renewals") / "d.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    build_demo(ws.engine, customers=1500, seed=5, today=TODAY)
    with ws.sessions() as session:
        marker = get_setting(session, DEMO_SETTING)
    yield ws, marker
    ws.close()


def _contracts(ws: Workspace) -> pd.DataFrame:
    with ws.engine.connect() as conn:
        frame = pd.read_sql(text("SELECT * FROM contracts"), conn)
    for column in ("start_date", "end_date", "decided_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def test_terms_span_two_years_back_and_twelve_months_ahead(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, _marker = demo
    terms = _contracts(ws)
    assert len(terms) > 200
    decided = terms[terms["outcome"] != "open"]
    upcoming = terms[terms["outcome"] == "open"]
    assert set(terms["outcome"]) == {"open", "renewed", "churned"}
    assert decided["end_date"].max() < TODAY
    assert decided["end_date"].min() >= TODAY - dt.timedelta(days=2 * 366)
    assert upcoming["end_date"].min() >= TODAY
    assert upcoming["end_date"].max() < TODAY + dt.timedelta(days=366)
    assert (decided["decided_on"] == decided["end_date"]).all()
    assert upcoming["decided_on"].isna().all()
    # One open term at most per account, and none after a churned one.
    assert not upcoming["customer_id"].duplicated().any()
    churned = terms[terms["outcome"] == "churned"]
    later = terms.merge(churned[["customer_id", "end_date"]], on="customer_id", suffixes=("", "_c"))
    assert (later["start_date"] <= later["end_date_c"]).all()


def test_a_renewed_term_is_followed_by_the_next_at_its_renewed_amount(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, _marker = demo
    terms = _contracts(ws)
    by_id = terms.set_index("id")
    renewed = terms[terms["outcome"] == "renewed"]
    followers = terms[terms["renewal_of_id"].notna()]
    assert len(followers) == len(renewed)
    for row in followers.itertuples():
        before = by_id.loc[int(row.renewal_of_id)]
        assert before["outcome"] == "renewed"
        assert before["customer_id"] == row.customer_id
        assert row.start_date == before["end_date"] + dt.timedelta(days=1)
        assert before["renewed_amount_cents"] == row.amount_cents
    change = renewed["renewed_amount_cents"] - renewed["amount_cents"]
    assert (change > 0).sum() > 10  # expansion at renewal
    assert (change < 0).sum() > 10  # contraction
    assert terms.loc[terms["outcome"] != "renewed", "renewed_amount_cents"].isna().all()


def test_the_marker_holds_each_terms_true_chance_and_it_drives_the_outcomes(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, marker = demo
    truth = marker["simulated_renewals"]
    assert truth["coefficients"] == {"intercept": INTERCEPT, **COEFFICIENTS}
    terms = _contracts(ws)
    assert set(truth["terms"]) == set(terms["external_id"])
    rows = list(truth["terms"].values())
    features = RenewalFeatures(
        **{k: np.array([r[k] for r in rows], dtype=np.float64) for k in COEFFICIENTS}
    )
    latent = np.array([r["latent"] for r in rows])
    recomputed = true_chance(features, latent)
    assert np.allclose(recomputed, [r["chance"] for r in rows], atol=2e-3)
    stored = dict(zip(terms["external_id"], terms["outcome"], strict=True))
    assert all(stored[k] == r["outcome"] for k, r in truth["terms"].items())
    decided = [(r["chance"], r["outcome"] == "renewed") for r in rows if r["outcome"] != "open"]
    chance = np.array([c for c, _ in decided])
    won = np.array([w for _, w in decided])
    # The draw follows the chance: renewals are as many as the chances add up to, and a
    # renewed term had, on the whole, a higher chance than a churned one.
    assert abs(won.sum() - chance.sum()) < 3 * np.sqrt((chance * (1 - chance)).sum())
    pairs = chance[won][:, None] - chance[~won][None, :]
    auc = float((pairs > 0).mean() + 0.5 * (pairs == 0).mean())
    assert auc > 0.75
    # Leaving customers' long quiet spells are the strongest signal.
    quiet = np.array([r["quiet_quarters"] for r in rows if r["outcome"] != "open"])
    assert won[quiet >= 2].mean() < won[quiet < 1].mean() - 0.3


def test_rebuilding_the_demo_replaces_its_contracts(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, _marker = demo
    before = _contracts(ws).drop(columns=["id", "renewal_of_id"])
    build_demo(ws.engine, customers=1500, seed=5, today=TODAY)
    after = _contracts(ws).drop(columns=["id", "renewal_of_id"])
    pd.testing.assert_frame_equal(
        before.sort_values("external_id").reset_index(drop=True),
        after.sort_values("external_id").reset_index(drop=True),
    )


def test_the_demo_contracts_and_their_links_on_both_databases(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        build_demo(ws.engine, customers=400, seed=9, today=TODAY)
        with ws.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT c.outcome, c.amount_cents, c.renewed_amount_cents, f.amount_cents, "
                    "f.customer_id = c.customer_id FROM contracts c "
                    "LEFT JOIN contracts f ON f.renewal_of_id = c.id"
                )
            ).all()
    finally:
        ws.close()
    assert len(rows) > 20
    renewed = [r for r in rows if r[0] == "renewed"]
    assert renewed
    # Every renewed term has exactly one follower, of its customer, at its renewed amount.
    assert all(r[3] is not None and r[4] and r[2] == r[3] for r in renewed)
    assert all(r[3] is None for r in rows if r[0] != "renewed")
