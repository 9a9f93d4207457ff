"""Migration 0018 (a customer's interactions by kind, customers by tier) on a workspace
that holds events: down to 0017 and up again keeps every row, gives the indexes, and the
Gold question still answers the same, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, text

from app.workspace import open_workspace
from models.db import session_scope
from models.migrate import alembic_config, head_revision, upgrade
from models.schema import Customer, Interaction
from services.ask.library import answer_saved, find_question

TODAY = dt.date(2026, 11, 26)
INDEX = "ix_interactions_customer_kind_time"
TIER = "ix_customers_tier"


def _event(customer: Customer, kind: str, day: str, offset: int | None = None) -> Interaction:
    at = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
    return Interaction(
        customer_id=customer.id, kind=kind, occurred_at=at, utc_offset_minutes=offset
    )


def _indexes(engine) -> set[str]:  # type: ignore[no-untyped-def]
    found = inspect(engine)
    return {str(i["name"]) for t in ("interactions", "customers") for i in found.get_indexes(t)}


def _gold(engine) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    question = find_question(engine, "tier_no_email_engagement")
    answer = answer_saved(engine, question, {"tier": "Gold"}, today=TODAY)
    found = answer.columns.index("customer")
    engaged = answer.columns.index("last_engaged_day")
    return [(row[found], row[engaged]) for row in answer.rows]


def test_upgrading_a_0017_workspace_adds_the_index_and_keeps_its_answers(
    workspace_url: str,
) -> None:
    from alembic import command

    ws = open_workspace(workspace_url, backup=False)
    try:
        with session_scope(ws.sessions) as session:
            ada, bo, cy = (Customer(name=n, tier="Gold", source="t") for n in ("Ada", "Bo", "Cy"))
            session.add_all([ada, bo, cy, Customer(name="Di", tier="Silver", source="t")])
            session.flush()
            session.add_all([
                _event(ada, "email_open", "2026-11-20 09:00"),  # engaged lately: left out
                _event(bo, "email_click", "2026-07-01 23:30", offset=120),  # 2 July there
                _event(bo, "email_sent", "2026-11-20 09:00"),  # sent, never opened
                _event(cy, "ticket", "2026-11-20 09:00"),  # not an email
            ])  # fmt: skip
        before = _gold(ws.engine)
        assert before == [("Bo", "2026-07-02"), ("Cy", None)]
        cfg = alembic_config()
        with ws.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0017")
        assert not {INDEX, TIER} & _indexes(ws.engine)
        upgrade(ws.engine, backup=False)
        with ws.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            kept = conn.execute(text("SELECT COUNT(*) FROM interactions")).scalar_one()
        assert version == head_revision()
        assert kept == 4
        assert {INDEX, TIER} <= _indexes(ws.engine)
        assert _gold(ws.engine) == before
    finally:
        ws.close()


def test_an_index_only_upgrade_skips_the_check_of_every_row(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """From 0017 the upgrade only adds indexes: no foreign-key check of every row (minutes
    on a million customers); from 0016 (a table rebuilt) the check still runs."""
    from alembic import command
    from sqlalchemy import event

    from app.workspace import to_url

    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    seen: list[str] = []
    event.listen(ws.engine, "before_cursor_execute", lambda *a: seen.append(str(a[2])))
    try:
        for down, checked in (("0017", False), ("0016", True)):
            cfg = alembic_config()
            with ws.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, down)
            seen.clear()
            upgrade(ws.engine, backup=False)
            assert ("PRAGMA foreign_key_check" in seen) is checked, down
            assert {INDEX, TIER} <= _indexes(ws.engine)
    finally:
        ws.close()
