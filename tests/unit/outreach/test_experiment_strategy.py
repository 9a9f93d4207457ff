"""A running experiment's strategy is applied where outreach is written: the composer
starts with it (tone or template), Draft for all follows it, and the alert's next step
names it (a playbook is offered in words)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from models.schema import Alert
from services.alerts.detail import alert_detail
from services.alerts.experiments import (
    ExperimentSpec,
    Strategy,
    end_experiment,
    start_experiment,
    strategy_for_alert,
)
from services.outreach.batch import create_batch, load_batch
from services.outreach.composing import prepare_composer
from tests.unit.alerts.test_alerts_rules import NOW, Book, at, make_book

TONES = (Strategy("warm", "Warm tone", "warm"), Strategy("concise", "Concise tone", "concise"))
GOALS = (
    Strategy("check_in", "Check in template", "check_in"),
    Strategy("apology", "Apology template", "apology"),
)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def risk_alerts(book: Book, n: int) -> dict[int, int]:
    """n customers with an open gone-quiet alert of the outreach arm: customer -> alert."""
    ids = [book.customer(f"Cust{i:02d} Person") for i in range(n)]
    for cid in ids:
        book.orders(cid, [300, 200])
    book.score({cid: {"churn": 0.5} for cid in ids})
    rows = [
        {
            "customer_id": cid,
            "rule_key": "gone_quiet",
            "severity": "warning",
            "status": "open",
            "reason": "Quiet for a while",
            "created_at": at(2),
            "holdout": False,
            "holdout_band": "medium",
        }
        for cid in ids
    ]
    with book.engine.begin() as conn:
        conn.execute(insert(Alert), rows)
    return {a["customer_id"]: a["id"] for a in book.alerts()}


def start(book: Book, kind: str, strategies: tuple[Strategy, ...]) -> int:
    spec = ExperimentSpec("Test", kind, strategies, ("gone_quiet",), ("medium",), seed=1)
    return start_experiment(book.engine, spec, now=at(1))


def test_the_composer_starts_with_the_assigned_tone_or_template(book: Book) -> None:
    alerts = risk_alerts(book, 4)
    experiment = start(book, "tone", TONES)
    with Session(book.engine) as s:
        for cid, alert_id in alerts.items():
            strategy = strategy_for_alert(s, alert_id)
            assert strategy is not None
            prepared = prepare_composer(
                s, cid, alert_id=None, find_alert=True, goal=None, tone=None, now=NOW
            )
            assert prepared.alert_id == alert_id
            assert prepared.request.context.tone == strategy.value
            assert prepared.experiment == strategy.words
            # The user's own choice (Regenerate with another tone) is kept.
            mine = prepare_composer(
                s, cid, alert_id=alert_id, find_alert=False, goal=None, tone="friendly", now=NOW
            )
            assert mine.request.context.tone == "friendly"
        assert {strategy_for_alert(s, a).value for a in alerts.values()} == {  # type: ignore[union-attr]
            "warm",
            "concise",
        }
    end_experiment(book.engine, experiment, now=at(0.5))
    with Session(book.engine) as s:
        cid, alert_id = next(iter(alerts.items()))
        prepared = prepare_composer(
            s, cid, alert_id=alert_id, find_alert=False, goal=None, tone=None, now=NOW
        )
        assert prepared.experiment == ""  # ended: the workspace's defaults again


def test_a_template_strategy_sets_the_goal(book: Book) -> None:
    alerts = risk_alerts(book, 2)
    start(book, "template", GOALS)
    with Session(book.engine) as s:
        goals = set()
        for cid, alert_id in alerts.items():
            prepared = prepare_composer(
                s, cid, alert_id=alert_id, find_alert=False, goal=None, tone=None, now=NOW
            )
            goals.add(prepared.request.context.goal)
    assert goals == {"check_in", "apology"}


def test_draft_for_all_follows_the_assignment(book: Book) -> None:
    alerts = risk_alerts(book, 6)
    start(book, "tone", TONES)
    batch_id = create_batch(book.engine, list(alerts.values()), tone="friendly", offline=True,
                            now=NOW)  # fmt: skip
    view = load_batch(book.engine, batch_id)
    with Session(book.engine) as s:
        expected = {a: strategy_for_alert(s, a).value for a in alerts.values()}  # type: ignore[union-attr]
    assert {r.alert_id: r.tone for r in view.rows} == expected


def test_the_next_step_names_the_strategy(book: Book) -> None:
    alerts = risk_alerts(book, 2)
    start(book, "tone", TONES)
    detail = alert_detail(book.engine, next(iter(alerts.values())), now=NOW)
    assert 'Experiment "Test": ' in detail.recommendation.detail
    assert "The email composer starts with it." in detail.recommendation.detail
