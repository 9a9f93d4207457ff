"""Conversations in scoring, on the hand-made book of tests/support/conversation_scoring_book.py:
the features as of a cutoff against a direct count (SQLite and PostgreSQL), the drivers'
words, the health component, and the churn backtest with and without them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sqlalchemy import select

from app.workspace import Workspace, open_workspace
from models.schema import ScoringRun
from services.scoring._conversation_check import auc_difference
from services.scoring._conversations import CONVERSATION_FEATURES, ConversationRows
from services.scoring.churn import _usable_columns
from services.scoring.data import ScoringData, day_number, load_scoring_data
from services.scoring.drivers import top_drivers
from services.scoring.features import compute_features, coverage
from services.scoring.health import SAID_LEAVING_CAP, health_components, health_score
from services.scoring.run import score_workspace
from services.settings import HEALTH_WEIGHTS
from tests.support import conversation_scoring_book as book

T_DAY = day_number(book.T)
CUTOFF = dt.date(2025, 12, 15)  # before Dune Diner's call of Dec 20
TWO_WAY = ("call", "meeting", "chat", "email_received")


@pytest.fixture
def workspace(workspace_url: str) -> Iterator[Workspace]:
    ws = open_workspace(workspace_url, backup=False)
    yield ws
    ws.close()


def _pos(data: ScoringData, cid: int) -> int:
    return int(np.flatnonzero(data.customer_ids == cid)[0])


def _expected(customer: str, cutoff: dt.date) -> dict[str, float]:
    """The features of one customer counted by hand from the book's list."""
    seen = [t for t in book.talks() if t.customer == customer and t.day <= cutoff]
    recent = [t for t in seen if (cutoff - t.day).days < 90]
    felt = [t.sentiment for t in recent if t.sentiment is not None]
    two_way = [t.day for t in seen if t.kind in TWO_WAY]
    return {
        "conv_risks_90": sum(1 for t in recent if t.risks),
        "conv_cancellation_90": sum(1 for t in recent if "cancellation" in t.risks),
        "conv_price_complaint_90": sum(1 for t in recent if "price_complaint" in t.risks),
        "conv_sentiment_90": float(np.mean(felt)) if felt else np.nan,
        "conv_days_since_two_way": (cutoff - max(two_way)).days if two_way else np.nan,
    }


def test_features_as_of_a_cutoff_match_a_direct_count(workspace: Workspace) -> None:
    ids = book.build(workspace.engine)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    cutoff = day_number(CUTOFF)
    f = compute_features(data, cutoff)
    named = ("Acme Bakery", "Birch Books", "Cedar Cafe", "Dune Diner", "C000", "C004", "C017")
    for customer in named:
        row = f.iloc[_pos(data, ids[customer])]
        for name, value in _expected(customer, CUTOFF).items():
            assert row[name] == pytest.approx(value, nan_ok=True), (customer, name)
    dune = f.iloc[_pos(data, ids["Dune Diner"])]
    # Its call of Dec 20 raised cancellation, after the cutoff: it does not count.
    assert dune.conv_cancellation_90 == 0
    assert dune.conv_risks_90 == 0
    assert dune.conv_sentiment_90 == pytest.approx(0.3)
    assert dune.conv_days_since_two_way == 5
    # At T it does, dated and placed.
    at_t = compute_features(data, T_DAY).iloc[_pos(data, ids["Dune Diner"])]
    assert at_t.conv_cancellation_90 == 1
    assert at_t.conv_cancellation_day == day_number(dt.date(2025, 12, 20))
    # Read only up to the cutoff, the same features.
    early = load_scoring_data(workspace.engine, until_day=cutoff)
    g = compute_features(early, cutoff)
    row = g.iloc[_pos(early, ids["Dune Diner"])]
    assert row.conv_cancellation_90 == 0
    assert row.conv_days_since_two_way == 5
    # Birch Books' own email counts as two-way, our email to them does not.
    birch = f.iloc[_pos(data, ids["Birch Books"])]
    assert birch.conv_days_since_two_way == (CUTOFF - dt.date(2025, 10, 3)).days
    assert birch.conv_competitor_90 == 1


def test_a_book_without_conversations_has_none_of_their_features(
    workspace: Workspace,
) -> None:
    book.build(workspace.engine)
    with workspace.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM interactions")
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    f = compute_features(data, T_DAY)
    for name in CONVERSATION_FEATURES:
        assert f[name].isna().all(), name
    assert not set(CONVERSATION_FEATURES) & set(_usable_columns(f))
    cover = coverage(data, T_DAY)
    assert not cover.conversations
    score, points, share = health_score(f, cover, HEALTH_WEIGHTS)
    assert "conversations" not in points
    # The same health as with no conversations weight at all.
    without = {k: w for k, w in HEALTH_WEIGHTS.items() if k != "conversations"}
    score2, _, share2 = health_score(f, cover, without)
    np.testing.assert_array_equal(score, score2)
    np.testing.assert_array_equal(share, share2)


def test_drivers_and_health_say_what_was_raised(workspace: Workspace) -> None:
    ids = book.build(workspace.engine)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    f = compute_features(data, T_DAY)
    cover = coverage(data, T_DAY)
    assert cover.conversations
    table = top_drivers(f, np.full(len(f), 0.9), data.conversations.names)

    def texts(customer: str) -> list[str]:
        return [t for t in table.text[_pos(data, ids[customer])] if t]

    assert texts("Acme Bakery")[0] == "raised cancellation on the Dec 12 call"
    assert data.conversations.names == book.COMPETITORS
    assert "mentioned a competitor (Globex) on the Oct 3 email" in texts("Birch Books")
    # Without the names, the same words without one.
    plain = top_drivers(f, np.full(len(f), 0.9))
    birch = [t for t in plain.text[_pos(data, ids["Birch Books"])] if t]
    assert "mentioned a competitor on the Oct 3 email" in birch
    assert "complained about the price in 2 conversations" in texts("Cedar Cafe")
    assert "raised cancellation on the Dec 20 call" in texts("Dune Diner")
    # A steady customer sounded positive (0.1 + 0.1 x (27 div 10 mod 5) = 0.3): a good sign
    # (shown here without the signs of their orders, which weigh more).
    row = f.iloc[[_pos(data, ids["C027"])]].copy()
    row[["purchase_days", "purchases_90"]] = 0
    safe = top_drivers(row, np.array([0.05]))
    assert safe.text[0, 0] == "sounded positive in conversations in the last 90 days"

    parts = health_components(f, cover)["conversations"]
    # Acme: sentiment (0.5 - 0.4) / 2 = 0.05 -> 52.5, halved once, capped at 20.
    assert parts[_pos(data, ids["Acme Bakery"])] == SAID_LEAVING_CAP
    # Cedar: sentiment (-0.5 - 0.2) / 2 -> 32.5, two conversations with a risk: / 4.
    assert parts[_pos(data, ids["Cedar Cafe"])] == pytest.approx(32.5 / 4)
    # C005: calls of sentiment 0.1, no risk -> 55.
    assert parts[_pos(data, ids["C005"])] == pytest.approx(55.0)
    _, points, _ = health_score(f, cover, HEALTH_WEIGHTS)
    assert "conversations" in points


def test_auc_difference_against_a_direct_computation() -> None:
    rng = np.random.default_rng(5)
    y = rng.random(400) < 0.3
    strong = y + rng.normal(0, 0.6, 400)
    weak = y + rng.normal(0, 1.5, 400)
    out = auc_difference(y, strong, weak)
    assert out["auc_with"] == pytest.approx(roc_auc_score(y, strong))
    assert out["auc_without"] == pytest.approx(roc_auc_score(y, weak))
    assert out["low"] < out["difference"] < out["high"]
    assert out["low"] > 0  # a clearly better ranking
    same = auc_difference(y, strong, strong)
    assert same["difference"] == 0
    assert same["low"] == same["high"] == 0


@pytest.mark.parametrize("told", [True, False])
def test_the_backtest_keeps_conversations_only_when_they_help(tmp_path, told: bool) -> None:  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'book.db'}", backup=False)
    try:
        book.build(ws.engine, told=told)
        summary = score_workspace(ws.engine, as_of=book.T, horizon_days=90)
        with ws.engine.connect() as conn:
            backtest = conn.execute(select(ScoringRun.backtest)).scalar_one()
    finally:
        ws.close()
    check = backtest["conversations"]
    assert check["tried"]
    assert check["customers"] == backtest["customers"]
    assert check["difference"] == pytest.approx(check["auc_with"] - check["auc_without"], abs=2e-4)
    features = summary.importance
    if told:
        # The warned customers look like everyone else by their orders: what they said
        # tells them apart.
        assert check["helps"]
        assert check["low"] > 0
        assert check["auc_with"] > check["auc_without"] + 0.03
        assert any(name in CONVERSATION_FEATURES for name in features)
        assert any(n.startswith("Conversation signals improved") for n in summary.notes)
    else:
        assert not check["helps"]
        assert not any(name.startswith("conv_") for name in features)
        # Trained on noise, the classifier did worse on the customers held out.
        assert check["high"] < 0
        assert any(
            n.startswith("Conversation signals made the churn model worse")
            and n.endswith("the classifier leaves them out until they beat it without them.")
            for n in summary.notes
        )


def test_the_model_check_says_what_the_conversations_were_worth(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from services.accuracy.report import accuracy_report
    from services.accuracy.wording import verdict

    ws = open_workspace(f"sqlite:///{tmp_path / 'book.db'}", backup=False)
    try:
        book.build(ws.engine)
        # As of T-90 over 80 days, which have passed by the book's last orders: the Model
        # check sets it beside them.
        score_workspace(ws.engine, as_of=book.CHECK_CUTOFF, horizon_days=80)
        with ws.engine.connect() as conn:
            backtest = conn.execute(select(ScoringRun.backtest)).scalar_one()
        report = accuracy_report(ws.engine, today=book.T + dt.timedelta(days=1))
    finally:
        ws.close()
    words = backtest["conversations"]["words"]
    assert words.startswith("Conversation signals ")
    (run,) = report.runs
    assert run.conversations == words
    assert verdict(run).endswith(" " + words)


def test_too_few_conversations_are_not_tried_and_the_run_says_why() -> None:
    from services.scoring._conversation_check import untried

    rows = ConversationRows(
        cust=np.array([0], np.int32), day=np.array([day_number(book.CHECK_CUTOFF)], np.int32),
        kind=np.array([0], np.int8), sentiment=np.array([0.2]), risks=np.array([0], np.int8),
        named=np.array([-1], np.int8),
    )  # fmt: skip
    train, check = day_number(book.TRAIN_CUTOFF), day_number(book.CHECK_CUTOFF)
    usable = ("recency_days", "conv_risks_90")
    assert untried(usable, rows, train, check) == {}  # usable: compared, not "untried"
    assert untried(("recency_days",), rows, train, check - 1) == {}  # none yet: nothing to say
    said = untried(("recency_days",), rows, train, check)
    assert said["tried"] is False
    assert said["words"] == (
        "Conversation signals were not tried in the churn model: too few customers had "
        "conversations before Jul 4, 2025 to learn from."
    )


def test_conversation_features_do_not_depend_on_row_order(workspace: Workspace) -> None:
    import dataclasses

    book.build(workspace.engine)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    rows = data.conversations
    order = np.random.default_rng(7).permutation(rows.size)
    place = rows.cust.astype(np.int64)[order]
    raw = (
        data.customer_ids[place], rows.day.astype(np.int64)[order],
        rows.kind.astype(np.int64)[order], rows.sentiment[order],
        rows.risks.astype(np.int64)[order], rows.named.astype(np.int64)[order], rows.names,
    )  # fmt: skip
    from services.scoring._conversations import ordered_conversations

    shuffled = dataclasses.replace(
        data, conversations=ordered_conversations(raw, place, np.ones(rows.size, bool))
    )
    names = [c for c in compute_features(data, T_DAY).columns if c.startswith("conv_")]
    left = compute_features(data, T_DAY)[names]
    right = compute_features(shuffled, T_DAY)[names]
    assert left.equals(right)
