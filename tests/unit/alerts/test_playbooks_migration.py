"""Migration 0014 (playbooks) on a workspace that already holds work: down to 0013 and
up again keeps every row and gives the new tables, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text

from models.migrate import alembic_config, head_revision, upgrade
from services.alerts.actions import apply_card_action
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book
from tests.unit.alerts.test_alerts_undo import late_ticket, rows


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def test_upgrading_a_0013_workspace_adds_the_playbook_tables_and_keeps_its_rows(
    book: Book,
) -> None:
    from alembic import command

    cid, alert = late_ticket(book, "Ada")
    cfg = alembic_config()
    with book.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0013")
    assert "playbook_runs" not in inspect(book.engine).get_table_names()
    upgrade(book.engine)
    with book.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
            head_revision()
        )
    tables = set(inspect(book.engine).get_table_names())
    assert {"playbook_runs", "playbook_steps"} <= tables
    assert rows(book, f"SELECT status FROM alerts WHERE id = {alert}") == [("open",)]
    # The upgraded workspace takes a playbook, and only one running per customer.
    apply_card_action(book.engine, (alert,), "playbook", key="win_back", actor="m", now=NOW)
    assert rows(book, "SELECT COUNT(*) FROM playbook_steps") == [(3,)]
    with pytest.raises(Exception), book.engine.begin() as conn:  # noqa: B017, PT011
        conn.execute(
            text(
                "INSERT INTO playbook_runs (customer_id, playbook, name, started_at) "
                f"VALUES ({cid}, 'x', 'X', :at)"
            ),
            {"at": NOW.replace(tzinfo=None)},
        )
