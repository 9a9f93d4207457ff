"""Migration 0019 (an email event's campaign type as a column, and the index holding it):
down to 0018 and up again fills the column from the attributes, gives the index, and the
campaign question answers the same, on SQLite and on PostgreSQL; the import and the
writers' rule (models/campaigns.py) fill it from then on."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, select, text

from app.workspace import open_workspace
from models.campaigns import campaign_type_of, campaign_types
from models.db import session_scope
from models.migrate import INDEX_ONLY_REVISIONS, alembic_config, head_revision, upgrade
from models.schema import Customer, Interaction, Order
from services.ask.library import answer_saved, find_question

TODAY = dt.date(2026, 11, 26)
INDEX = "ix_interactions_campaign_time"


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


def _email(customer: Customer, kind: str, day: str, attributes: dict | None) -> Interaction:  # type: ignore[type-arg]
    return Interaction(
        customer_id=customer.id, kind=kind, occurred_at=_at(day), attributes=attributes
    )


def _conversion(engine) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    question = find_question(engine, "campaign_conversion")
    answer = answer_saved(engine, question, None, today=TODAY)
    return [tuple(row) for row in answer.rows]


def _stored(engine) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = conn.execute(
            select(Interaction.kind, Interaction.subject, Interaction.campaign_type)
        ).all()
    return {f"{kind} {subject}": typed for kind, subject, typed in rows}


def test_upgrading_a_0018_workspace_fills_the_campaign_type_and_keeps_the_answer(
    workspace_url: str,
) -> None:
    from alembic import command

    ws = open_workspace(workspace_url, backup=False)
    try:
        with session_scope(ws.sessions) as session:
            ada, bo = Customer(name="Ada", source="t"), Customer(name="Bo", source="t")
            session.add_all([ada, bo])
            session.flush()
            sale = {"campaign": "Black Friday", "campaign_type": "Sale"}
            session.add_all([
                _email(ada, "email_sent", "2026-11-01 09:00", sale),
                _email(bo, "email_sent", "2026-11-02 09:00", {"Campaign type": "Win-back"}),
                _email(bo, "email_open", "2026-11-02 10:00", {"Campaign type": "Win-back"}),
                _email(bo, "email_sent", "2026-11-03 09:00", None),  # no campaign
                _email(ada, "ticket", "2026-11-03 09:00", {"campaign_type": "Sale"}),  # no email
                Order(customer_id=ada.id, order_date=_at("2026-11-04 12:00"), amount_cents=500,
                      currency="USD", status="paid"),
            ])  # fmt: skip
            for row in session.new:
                if isinstance(row, Interaction):
                    row.subject = f"{row.customer_id}-{row.occurred_at:%d}"
        cfg = alembic_config()
        with ws.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0018")
        assert INDEX not in {i["name"] for i in inspect(ws.engine).get_indexes("interactions")}
        upgrade(ws.engine, backup=False)
        with ws.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == head_revision()
        assert INDEX in {i["name"] for i in inspect(ws.engine).get_indexes("interactions")}
        typed = sorted(v for v in _stored(ws.engine).values() if v is not None)
        assert typed == ["Sale", "Win-back", "Win-back"]  # the ticket's attribute is not one
        assert _conversion(ws.engine) == [("Sale", 1, 1, 100.0), ("Win-back", 1, 1, 0.0)]
    finally:
        ws.close()


def test_the_upgrade_from_0018_rebuilds_no_table_so_skips_the_check_of_every_row() -> None:
    assert "0019" in INDEX_ONLY_REVISIONS


def test_the_writers_rule_reads_the_same_keys_as_the_migration() -> None:
    assert campaign_type_of("email_sent", {"campaign_type": "Sale"}) == "Sale"
    assert campaign_type_of("email_click", {"Campaign type": "Win-back"}) == "Win-back"
    assert campaign_type_of("email_sent", {"campaign_type": "Sale", "Campaign type": "x"}) == (
        "Sale"
    )
    assert campaign_type_of("ticket", {"campaign_type": "Sale"}) is None
    assert campaign_type_of("email_sent", None) is None
    assert campaign_type_of("email_sent", {"campaign_type": 7}) == "7"
    assert campaign_types(["email_open", "note"], [{"campaign_type": "A"}, float("nan")]) == [
        "A",
        None,
    ]


def _activity(path, types: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    path.write_text(
        "email,campaign,Campaign type,sent_at,opened_at,clicked_at\n"
        f"ada@example.com,Black Friday,{types[0]},2026-11-01T09:00:00Z,"
        "2026-11-01T10:00:00Z,\n"
        f"bo@example.com,Come back,{types[1]},2026-11-02T09:00:00Z,,\n",
        encoding="utf-8",
    )


def test_the_import_writes_the_campaign_type_and_a_reimport_changes_it(
    workspace_url: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from services.importing.service import run_import

    ws = open_workspace(workspace_url, backup=False)
    try:
        path = tmp_path / "campaign_activity.csv"
        for types in (("Sale", "Win-back"), ("Sale", "Reminder")):
            _activity(path, types)
            report = run_import(ws.engine, [path])
            assert report.files[0].error is None
            with ws.engine.connect() as conn:
                rows = conn.execute(
                    select(Interaction.kind, Interaction.campaign_type, Interaction.attributes)
                ).all()
            assert sorted((kind, typed) for kind, typed, _ in rows) == sorted(
                [("email_open", "Sale"), ("email_sent", "Sale"), ("email_sent", types[1])]
            )
            # The rule the migration filled older rows by gives the same.
            assert all(campaign_type_of(k, a) == typed for k, typed, a in rows)
    finally:
        ws.close()
