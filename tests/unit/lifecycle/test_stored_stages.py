"""Each scoring stores every customer's lifecycle stage as of its date beside the scores
(services/lifecycle/stored.py, called by services/usecases/refresh.py): the stages
stage_book gives for the run's date, on the hand-made book of
tests/support/lifecycle_book.py, scored for real, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Customer, Order, ScoreSnapshot
from services.lifecycle.book import stage_book
from services.usecases.refresh import score_and_alert
from tests.support.lifecycle_book import AS_OF, EARLY, STAGES_EARLY, fill_lifecycle_book


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_lifecycle_book(ws.engine)
    _add_regulars(ws.engine)
    yield ws.engine, ids
    ws.close()


def _add_regulars(engine: Engine, count: int = 24) -> None:
    """Enough repeat buyers for the scoring's models to fit (20 customers, 5 repeating):
    each ordered every two months from 2023 to mid 2025."""
    with Session(engine) as s, s.begin():
        for n in range(count):
            customer = Customer(name=f"Regular {n}", email=f"r{n}@example.com", source="test",
                                external_id=f"R{n}")  # fmt: skip
            s.add(customer)
            s.flush()
            start = dt.datetime(2023, 1, 1, 12) + dt.timedelta(days=7 * n)
            s.execute(insert(Order), [
                {"customer_id": customer.id, "source": "test", "external_id": f"R{n}-{k}",
                 "order_date": start + dt.timedelta(days=61 * k + 3 * (k % (n + 2))),
                 "amount_cents": 4_000 + 100 * n, "currency": "USD", "status": "paid"}
                for k in range(0, 14 - n % 5)
            ])  # fmt: skip


def _stored(engine: Engine, run_id: int) -> dict[int, str | None]:
    with Session(engine) as s:
        rows = s.execute(
            select(ScoreSnapshot.customer_id, ScoreSnapshot.stage).where(
                ScoreSnapshot.scoring_run_id == run_id
            )
        ).all()
    return {int(c): stage for c, stage in rows}


def _book_stages(engine: Engine, on: dt.date) -> dict[int, str | None]:
    return {s.customer_id: s.stage for s in stage_book(engine, on).staged}


def test_a_scoring_stores_the_stages_results_shows_for_its_date(
    book: tuple[Engine, dict[str, int]],
) -> None:
    engine, ids = book
    run_id = score_and_alert(engine, as_of=AS_OF).scores.run_id
    stored = _stored(engine, run_id)
    expected = _book_stages(engine, AS_OF)
    assert stored  # the run scored some customers
    assert stored == {c: expected.get(c) for c in stored}
    # G's stage comes from its record's column, D's from its orders: both stored.
    assert stored[ids["D"]] in ("mature", "at_risk")
    assert stored[ids["G"]] in ("mature", "at_risk")


def test_a_past_date_run_stores_the_stages_of_that_date(
    book: tuple[Engine, dict[str, int]],
) -> None:
    engine, ids = book
    letters = {v: k for k, v in ids.items()}
    run_id = score_and_alert(engine, as_of=EARLY).scores.run_id
    stored = _stored(engine, run_id)
    assert stored == {c: _book_stages(engine, EARLY).get(c) for c in stored}
    # F had ordered 27 days before: onboarding then (adoption by the end of June).
    for cid, stage in stored.items():
        if cid in letters and stage != "at_risk":
            assert stage == STAGES_EARLY[letters[cid]]
    assert stored[ids["F"]] in ("onboarding", "at_risk")
    assert ids["E"] not in stored
    assert ids["J"] not in stored


def test_a_failure_to_stage_is_logged_and_keeps_the_scores(
    book: tuple[Engine, dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine, _ids = book

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the stages broke")

    monkeypatch.setattr("services.lifecycle.stored.stage_book", broken)
    with caplog.at_level(logging.ERROR, logger="services.usecases.refresh"):
        result = score_and_alert(engine, as_of=AS_OF)
    assert result.alerts is not None
    stored = _stored(engine, result.scores.run_id)
    assert stored
    assert set(stored.values()) == {None}
    assert "lifecycle stages of scoring run" in caplog.text
