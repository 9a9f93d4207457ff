"""A big demo is generated and written in batches, so its memory is that of one batch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import services.demo.build as demo_build
from app.workspace import open_workspace, to_url
from models.schema import Customer, CustomerRollup, Interaction, Opportunity, Order
from services.demo import build_demo
from services.demo.build import shard_sizes
from services.demo.truth import demo_truths
from services.settings import get_setting

TODAY = dt.date(2025, 6, 15)


def test_shard_sizes_keep_a_demo_up_to_one_batch_whole() -> None:
    assert shard_sizes(1) == [1]
    assert shard_sizes(100_000) == [100_000]
    assert shard_sizes(1_000_000) == [100_000] * 10
    assert shard_sizes(250_001) == [83_334, 83_334, 83_333]


def test_batched_demo_writes_every_batch_with_ids_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_build, "DEMO_SHARD", 60)
    whole = open_workspace(to_url(str(tmp_path / "one.radar.sqlite")), backup=False)
    batched = open_workspace(to_url(str(tmp_path / "three.radar.sqlite")), backup=False)
    try:
        build_demo(whole.engine, customers=50, seed=5, today=TODAY)
        calls: list[float] = []
        summary = build_demo(
            batched.engine, customers=150, seed=5, today=TODAY,
            progress=lambda f, _m: calls.append(f),
        )  # fmt: skip
        with Session(batched.engine) as s:
            customers = s.scalars(select(Customer).order_by(Customer.id)).all()
            counted = {
                model.__tablename__: s.scalar(select(func.count()).select_from(model))
                for model in (Order, Interaction, Opportunity, CustomerRollup)
            }
            orphans = s.scalar(
                select(func.count()).select_from(Order).where(Order.customer_id.is_(None))
            )
            marker = get_setting(s, "workspace.demo")
            truths = demo_truths(s)
        with Session(whole.engine) as s:
            first = s.scalars(select(Customer).order_by(Customer.id)).all()
    finally:
        whole.close()
        batched.close()
    assert summary.customers == len(customers) == 150
    assert len({c.external_id for c in customers}) == 150
    assert (summary.orders, summary.interactions, summary.opportunities) == (
        counted["orders"], counted["interactions"], counted["opportunities"],
    )  # fmt: skip
    assert counted["customer_rollups"] == 150
    assert orphans == 0
    # The first batch is the demo of its size; the later ones are tagged with their number.
    assert [(c.external_id, c.name, c.email) for c in customers[:50]] == [
        (c.external_id, c.name, c.email) for c in first
    ]
    assert {c.external_id.rsplit("-", 1)[1] for c in customers[50:]} == {"2", "3"}
    assert marker["customers"] == 150
    assert truths["customers"] == 50
    assert calls == sorted(calls)
    assert calls[-1] == 1.0
