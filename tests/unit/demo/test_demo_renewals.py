"""The demo's contracts (services/demo/renewal_truth.py): business accounts' terms over the
past two years and the next twelve months, whose outcomes come from a known truth kept
with the demo (services/demo/truth.py), so that a renewal model can be checked against it;
and the owners' calls on them (services/demo/renewal_calls.py), each owner with a skill
kept in that truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from app.workspace import Workspace, open_workspace, to_url
from services.demo import build_demo
from services.demo.renewal_calls import SKILLS
from services.demo.renewal_truth import COEFFICIENTS, INTERCEPT, RenewalFeatures, true_chance
from services.demo.truth import demo_truths
from services.demo.vocabulary import OWNERS
from services.renewals.actual import check, check_forecasts
from services.renewals.calls import calls_due, months_before
from services.renewals.report import renewals_report

TODAY = dt.date(2025, 6, 15)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, Any]]]:
    path = tmp_path_factory.mktemp("renewals") / "d.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    build_demo(ws.engine, customers=1500, seed=5, today=TODAY)
    with ws.sessions() as session:
        truths = demo_truths(session)
    yield ws, truths
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
    ws, _truths = demo
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
    ws, _truths = demo
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


def test_the_truth_holds_each_terms_true_chance_and_it_drives_the_outcomes(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, truths = demo
    truth = truths["renewals"]
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
    ws, _truths = demo
    before = _contracts(ws).drop(columns=["id", "renewal_of_id"])
    build_demo(ws.engine, customers=1500, seed=5, today=TODAY)
    after = _contracts(ws).drop(columns=["id", "renewal_of_id"])
    pd.testing.assert_frame_equal(
        before.sort_values("external_id").reset_index(drop=True),
        after.sort_values("external_id").reset_index(drop=True),
    )


def test_the_demo_contracts_calls_and_their_links_on_both_databases(workspace_url: str) -> None:
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
            # Each call points at a contract of its customer, made by the contract's owner.
            calls = conn.execute(
                text(
                    "SELECT r.customer_id = c.customer_id, r.made_by = c.owner, "
                    "r.made_at < c.end_date FROM renewal_calls r "
                    "JOIN contracts c ON c.id = r.contract_id"
                )
            ).all()
            total = conn.execute(text("SELECT count(*) FROM renewal_calls")).scalar_one()
    finally:
        ws.close()
    assert len(rows) > 20
    renewed = [r for r in rows if r[0] == "renewed"]
    assert renewed
    # Every renewed term has exactly one follower, of its customer, at its renewed amount.
    assert all(r[3] is not None and r[4] and r[2] == r[3] for r in renewed)
    assert all(r[3] is None for r in rows if r[0] != "renewed")
    assert len(calls) == total > 20
    assert all(all(r) for r in calls)


# ------------------------------------------------------------------- the owners' calls

CALLS_TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def called(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, Any]]]:
    """The 2,000-customer demo of seed 11, whose owners have made their calls."""
    path = tmp_path_factory.mktemp("calls") / "d.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    build_demo(ws.engine, customers=2000, seed=11, today=CALLS_TODAY)
    with ws.sessions() as session:
        truths = demo_truths(session)
    yield ws, truths
    ws.close()


def _calls(ws: Workspace) -> pd.DataFrame:
    with ws.engine.connect() as conn:
        frame = pd.read_sql(
            text(
                "SELECT r.*, c.end_date, c.outcome, c.owner, c.external_id, "
                "c.customer_id AS contract_customer FROM renewal_calls r "
                "JOIN contracts c ON c.id = r.contract_id"
            ),
            conn,
        )
    frame["end_date"] = pd.to_datetime(frame["end_date"]).dt.date
    frame["made_at"] = pd.to_datetime(frame["made_at"])
    return frame


def test_the_owners_call_at_the_checkpoints_and_never_after_the_date(
    called: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, _truths = called
    calls = _calls(ws)
    terms = _contracts(ws)
    assert len(calls) > 500
    assert set(calls["checkpoint_months"]) == {6, 3}
    assert set(calls["call"]) == {"commit", "likely", "at_risk", "lost"}
    assert not calls.duplicated(["contract_id", "checkpoint_months"]).any()
    assert (calls["made_by"] == calls["owner"]).all()
    assert (calls["customer_id"] == calls["contract_customer"]).all()
    assert calls["model_likelihood"].isna().all()
    assert calls["note"].str.len().gt(10).all()
    made = calls["made_at"].dt.date
    checkpoint = [months_before(e, m) for e, m in zip(calls["end_date"], calls["checkpoint_months"],
                                                       strict=True)]  # fmt: skip
    late = (made - pd.Series(checkpoint)).map(lambda d: d.days)
    assert late.between(0, 6).all()
    assert (made < calls["end_date"]).all()
    assert (made < CALLS_TODAY).all()
    # Decided terms: both checkpoints called, bar a few.
    decided = terms[terms["outcome"] != "open"]
    both = calls[calls["outcome"] != "open"].groupby("contract_id").size()
    share = (both.reindex(decided["id"], fill_value=0) == 2).mean()
    assert 0.8 < share < 1.0
    # Open terms: about 80 % of the checkpoints already passed have their call.
    upcoming = terms[terms["outcome"] == "open"]
    passed = {
        (int(cid), m)
        for cid, end in zip(upcoming["id"], upcoming["end_date"], strict=True)
        for m in (6, 3)
        if months_before(end, m) < CALLS_TODAY
    }
    open_calls = calls[calls["outcome"] == "open"]
    made_open = set(
        zip(open_calls["contract_id"].astype(int), open_calls["checkpoint_months"].astype(int),
            strict=True)
    )  # fmt: skip
    assert len(passed) > 100
    assert made_open <= passed  # no call before its checkpoint
    assert 0.7 < len(made_open) / len(passed) < 0.9


def test_some_calls_are_due_today_and_commit_calls_count_in_the_pipeline(
    called: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, truths = called
    with ws.sessions() as session:
        due = calls_due(session, CALLS_TODAY)
    assert len(due) >= 5
    report = renewals_report(ws.engine, as_of=CALLS_TODAY, with_backtest=False)
    committed = {c for month in report.months for c in month.committed}
    assert len(committed) > 10
    assert sum(month.committed_cents for month in report.months) > 0
    calls = _calls(ws).sort_values(["made_at", "id"])
    latest = calls.groupby("contract_id")["call"].last()
    assert all(latest[c] == "commit" for c in committed)
    # The optimistic owner commits to renewals whose true chance is low: a model that
    # read the truth would disagree.
    chance = {k: v["chance"] for k, v in truths["renewals"]["terms"].items()}
    hopeful = calls[(calls["outcome"] == "open") & (calls["call"] == "commit")
                    & (calls["made_by"] == "Lucas Moreno")]  # fmt: skip
    assert sum(chance[x] < 0.5 for x in hopeful["external_id"]) >= 3


def _brier_by_owner(
    ws: Workspace, truths: dict[str, Any]
) -> tuple[dict[str, float], dict[str, float], dict[int, float]]:
    """Each owner's Brier score over both checkpoints, the same less the true chances'
    Brier score on the same renewals, and every owner's excess by checkpoint."""
    chance = {k: v["chance"] for k, v in truths["renewals"]["terms"].items()}
    terms = _contracts(ws)
    external = dict(zip(terms["id"], terms["external_id"], strict=True))
    renewed = dict(zip(terms["id"], terms["outcome"] == "renewed", strict=True))
    with ws.sessions() as session:
        model, owners = check_forecasts(session, CALLS_TODAY)
    assert all(m.count == 0 for m in model)  # no scoring yet: only the owners' calls
    raw: dict[str, list[tuple[int, float]]] = {}
    excess: dict[str, list[tuple[int, float]]] = {}
    by_months: dict[int, list[tuple[int, float]]] = {}
    for c in owners:
        assert c.brier is not None
        assert c.count > 30
        pairs = [(k, chance[external[k]], bool(renewed[k])) for k in c.contracts]
        truth = check("truth", c.checkpoint_months, pairs).brier
        assert truth is not None
        raw.setdefault(c.who, []).append((c.count, c.brier))
        excess.setdefault(c.who, []).append((c.count, c.brier - truth))
        by_months.setdefault(c.checkpoint_months, []).append((c.count, c.brier - truth))

    def mean(values: list[tuple[int, float]]) -> float:
        return sum(n * v for n, v in values) / sum(n for n, _ in values)

    return ({k: mean(v) for k, v in raw.items()}, {k: mean(v) for k, v in excess.items()},
            {k: mean(v) for k, v in by_months.items()})  # fmt: skip


def test_forecast_against_actual_ranks_the_owners_as_their_skill_says(
    called: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, truths = called
    skills = truths["calls"]["owners"]
    assert set(skills) == set(OWNERS)
    assert {k: v["rank"] for k, v in skills.items()} == {s.owner: s.rank for s in SKILLS}
    raw, excess, by_months = _brier_by_owner(ws, truths)
    assert set(raw) == set(OWNERS)
    rank = {k: v["rank"] for k, v in skills.items()}
    # Set against the true chances on the same renewals, every owner of a better rank
    # scores better than every owner of a worse one.
    for a in OWNERS:
        for b in OWNERS:
            if rank[a] < rank[b]:
                assert excess[a] < excess[b], (a, b, excess)
    # The calibrated owner's calls are close to the truth; the noisy owner's Brier score
    # is the worst of all, the calibrated one's better than the optimistic one's.
    best = min(OWNERS, key=lambda o: rank[o])
    worst = max(OWNERS, key=lambda o: rank[o])
    assert excess[best] < 0.03
    assert all(raw[worst] > raw[o] + 0.05 for o in OWNERS if o != worst)
    assert raw[best] < raw["Lucas Moreno"]
    # Three months before the date the owners know more than at six.
    assert by_months[3] < by_months[6]


def test_contract_amounts_follow_each_customers_order_revenue(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    ws, _truths = demo
    terms = _contracts(ws)
    with ws.engine.connect() as conn:
        orders = pd.read_sql(
            text("SELECT customer_id, order_date, amount_cents FROM orders WHERE status = 'paid'"),
            conn,
        )
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    spent = orders.groupby("customer_id").agg(
        spend=("amount_cents", "sum"), first=("order_date", "min"), last=("order_date", "max")
    )
    years = ((spent["last"] - spent["first"]).dt.days + 1) / 365.0
    spent["yearly"] = spent["spend"] / years.clip(lower=1.0)
    joined = terms.join(spent, on="customer_id")
    assert (terms["amount_cents"] > 0).all()
    # No contract costs more a year than its customer ever spent in orders (a customer
    # without a paid order pays the least amount).
    assert (joined["amount_cents"] <= joined["spend"].fillna(100_00)).all()
    joined = joined.dropna(subset=["spend"])
    # A first term costs about the customer's yearly order revenue (drawn around it).
    first = joined.sort_values("start_date").drop_duplicates("customer_id")
    ratio = first["amount_cents"] / first["yearly"]
    assert 0.7 < float(ratio.median()) < 1.3
    assert float(((ratio > 0.4) & (ratio < 2.5)).mean()) > 0.9
