"""One definition of "at risk": the lifecycle's at-risk stage counts whom the dashboard
counts (churn risk at the high-risk rule's threshold or more, never the Lost segment), on
the hand-made book of tests/support/lifecycle_book.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import ScoreSnapshot, ScoringRun
from services.alerts.dashboard import dashboard
from services.lifecycle.book import stage_book
from services.lifecycle.stages import StageFacts, StageRules, stage_of
from services.settings.store import set_setting
from tests.support.lifecycle_book import AS_OF, fill_lifecycle_book

ON = dt.date(2025, 6, 30)
LATEST = dt.date(2025, 7, 15)


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    """The lifecycle book with two customers already gone: D Lost at 80 % in the run of
    06-28, H Lost at 85 % in the run of 07-15 (whose only other customer is G, 90 %)."""
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_lifecycle_book(ws.engine)
    with Session(ws.engine) as s, s.begin():
        runs = {day: rid for day, rid in s.execute(select(ScoringRun.as_of, ScoringRun.id))}
        s.execute(
            update(ScoreSnapshot)
            .where(ScoreSnapshot.customer_id == ids["D"])
            .where(ScoreSnapshot.scoring_run_id == runs[dt.date(2025, 6, 28)])
            .values(churn_risk=0.80, segment="Lost")
        )
        s.execute(insert(ScoreSnapshot), [
            {"customer_id": ids["H"], "as_of": LATEST, "horizon_days": 90,
             "scoring_run_id": runs[LATEST], "churn_risk": 0.85, "clv_12m_cents": 0,
             "segment": "Lost", "health_score": 20.0},
        ])  # fmt: skip
    yield ws.engine, ids
    ws.close()


def _at_risk(engine: Engine, on: dt.date) -> set[int]:
    return {s.customer_id for s in stage_book(engine, on).staged if s.stage == "at_risk"}


def test_a_lost_customer_keeps_the_stage_their_orders_give() -> None:
    facts = StageFacts(1, first_order=dt.date(2025, 6, 29), orders=1, churn_risk=0.9,
                       segment="Lost")  # fmt: skip
    staged = stage_of(facts, StageRules(), ON)
    assert (staged.stage, staged.source) == ("onboarding", "orders")
    assert "Lost segment: gone, not at risk" in staged.why
    nothing = stage_of(StageFacts(2, churn_risk=0.9, segment="Lost"), StageRules(), ON)
    assert nothing.stage is None
    loyal = StageFacts(3, first_order=dt.date(2025, 6, 29), orders=1, churn_risk=0.9,
                       segment="Loyal")  # fmt: skip
    assert stage_of(loyal, StageRules(), ON).stage == "at_risk"


def test_the_stages_at_risk_are_the_dashboards(book: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = book
    figures = dashboard(engine)
    assert figures is not None
    assert figures.as_of == LATEST
    # By hand, the run of 07-15: G 90 % (Loyal) at risk; H 85 % but Lost, not counted.
    assert (figures.at_risk_customers, figures.lost_at_risk_customers) == (1, 1)
    assert _at_risk(engine, LATEST) == {ids["G"]}
    by_id = stage_book(engine, LATEST).stage_by_customer()
    assert by_id[ids["H"]].stage == "mature"  # six orders over two years: its orders' stage


def test_a_past_date_counts_by_the_scoring_of_then(book: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = book
    # The run of 06-28: H 75 % at risk; D 80 % but Lost, so mature by its orders.
    assert _at_risk(engine, AS_OF) == {ids["H"]}
    d = stage_book(engine, AS_OF).stage_by_customer()[ids["D"]]
    assert (d.stage, d.source) == ("mature", "orders")
    assert "churn risk 80%, but in the Lost segment" in d.why


def test_the_stages_follow_the_high_risk_rules_threshold(
    book: tuple[Engine, dict[str, int]],
) -> None:
    engine, ids = book
    with Session(engine) as s, s.begin():
        set_setting(s, "alerts.high_risk_high_value.min_churn_risk", 95)
    figures = dashboard(engine)
    assert figures is not None
    assert figures.at_risk_customers == 0
    assert _at_risk(engine, LATEST) == set()
    assert stage_book(engine, LATEST).rules.at_risk_from == pytest.approx(0.95)


def test_the_rules_say_how_many_lost_keep_their_stage(
    book: tuple[Engine, dict[str, int]],
) -> None:
    from services.lifecycle.wording import rules_words

    words = rules_words(stage_book(book[0], AS_OF))
    assert "not counting the Lost segment" in words
    assert "; 1 Lost customer with such a churn risk keeps the stage" in words
