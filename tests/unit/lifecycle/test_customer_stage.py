"""The customer pane's stage line: the stage today, and which health profile applies, with
why the stage's own profile does not when the backtest has not shown it wins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Contract, Customer, ScoreSnapshot, ScoringRun
from services.lifecycle.customer import customer_stage
from services.settings.store import set_setting

TODAY = dt.date.today()
WEIGHTS = {"recency": 30.0, "product_usage": 15.0}


def fill(engine: Engine) -> dict[str, int]:
    """New: a contract begun 10 days ago, scored recency 40 and usage 100 (health 60 by
    one profile, 100 by an onboarding profile weighing recency 0); Bare: nothing at all."""
    with Session(engine) as s, s.begin():
        new, bare = Customer(name="New Co", source="t"), Customer(name="Bare", source="t")
        s.add_all([new, bare])
        s.flush()
        s.add(Contract(customer_id=new.id, source="t", start_date=TODAY - dt.timedelta(days=10),
                       end_date=TODAY + dt.timedelta(days=355), amount_cents=1000))  # fmt: skip
        run = ScoringRun(as_of=TODAY, horizon_days=90, status="finished", customers=1)
        s.add(run)
        s.flush()
        points = {"recency": 30 * 40 / 45, "product_usage": 15 * 100 / 45}
        s.add(ScoreSnapshot(customer_id=new.id, as_of=TODAY, horizon_days=90,
                            scoring_run_id=run.id, churn_risk=0.1, health_score=60.0,
                            components={"health": points}))  # fmt: skip
        set_setting(s, "scoring.health_weights", WEIGHTS)
        return {"new": int(new.id), "bare": int(bare.id)}


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    yield ws.engine, fill(ws.engine)
    ws.close()


def _set(engine: Engine, key: str, value: object) -> None:
    with Session(engine) as s, s.begin():
        set_setting(s, key, value)


def test_a_stage_without_its_own_profile(book: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = book
    found = customer_stage(engine, ids["new"])
    assert found.stage == "onboarding"
    assert found.line == "Onboarding stage"
    assert "the first contract began 10 days ago (from the contract's dates)" in found.tip
    assert found.tip.endswith("this stage has no health weights of its own.")
    bare = customer_stage(engine, ids["bare"])
    assert bare.line == "No stage"


def test_the_stage_s_profile_waits_for_the_backtest(book: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = book
    _set(engine, "lifecycle.health_profiles", {"onboarding": {"recency": 0}})
    _set(engine, "lifecycle.stage_check", {"verdict": "no_difference",
                                            "words": "No measurable difference: ..."})  # fmt: skip
    found = customer_stage(engine, ids["new"])
    assert found.line == "Onboarding stage"
    assert (
        "Health by one profile, not the onboarding profile: No measurable difference" in found.tip
    )


def test_the_stage_s_profile_once_it_wins(book: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = book
    _set(engine, "lifecycle.health_profiles", {"onboarding": {"recency": 0}})
    _set(engine, "lifecycle.stage_check", {"verdict": "better", "words": "Stage profiles win."})
    found = customer_stage(engine, ids["new"])
    assert found.line == "Onboarding stage · health 100 by its profile"
    assert found.tip.endswith("Health by the onboarding profile: Stage profiles win.")


def test_the_tip_says_the_date_of_today_s_stage_and_of_the_stored_one(
    book: tuple[Engine, dict[str, int]],
) -> None:
    from sqlalchemy import update

    from services.core.formatting import format_date

    engine, ids = book
    found = customer_stage(engine, ids["new"])
    # Scored today, nothing stored yet: the Stage column shows no stage, as of today's run.
    assert found.tip.startswith(f"Onboarding stage today ({format_date(TODAY)}): ")
    assert (
        "The Customers table's Stage column shows no stage, as of the latest scoring "
        f"({format_date(TODAY)})." in found.tip
    )
    with Session(engine) as s, s.begin():
        s.execute(update(ScoreSnapshot).values(stage="onboarding"))
    # The same stage on the same day: nothing more to say.
    assert "Stage column" not in customer_stage(engine, ids["new"]).tip
    # A scoring of another day: its date and stage are said, even when they agree.
    earlier = TODAY - dt.timedelta(days=3)
    with Session(engine) as s, s.begin():
        s.execute(update(ScoringRun).values(as_of=earlier))
        s.execute(update(ScoreSnapshot).values(as_of=earlier, stage="adoption"))
    tip = customer_stage(engine, ids["new"]).tip
    assert (
        "The Customers table's Stage column shows the Adoption stage, as of the latest "
        f"scoring ({format_date(earlier)})." in tip
    )
    bare = customer_stage(engine, ids["bare"])
    assert bare.tip.startswith(f"No lifecycle stage today ({format_date(TODAY)}): ")
    assert f"shows no stage, as of the latest scoring ({format_date(earlier)})" in bare.tip
