"""The digest's line of the risks raised in conversations, on hand-made conversations
(SQLite and PostgreSQL): who is named, with what, where and when; a conversation imported
in the period counts even when it took place before; none without a risk raised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import insert

from app.workspace import Workspace, open_workspace
from models.schema import Customer, ImportRun, Interaction
from services.listen.digest import build_digest
from services.listen.digest_text import render_digest

# What a proven risk does; an unproven kind raises nothing (tests/unit/listen/test_proven.py).
pytestmark = pytest.mark.usefixtures("every_risk_kind_proven")

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
SINCE = dt.date(2026, 3, 9)  # the digest's period starts then (UTC workspace clock)


@pytest.fixture
def workspace(workspace_url: str) -> Iterator[Workspace]:
    ws = open_workspace(workspace_url, backup=False)
    yield ws
    ws.close()


def _risk(kind: str, label: str, quote: str) -> dict[str, object]:
    return {"kind": kind, "label": label, "quote": quote, "who": {}, "anchor": ""}


def _fill(ws: Workspace) -> dict[str, int]:
    names = ("Acme Bakery", "Birch Books", "Cedar Cafe", "Dune Diner", "Elm Eatery")
    with ws.engine.begin() as conn:
        conn.execute(
            insert(Customer), [{"external_id": n, "source": "crm", "name": n} for n in names]
        )
        ids = {str(k): int(v) for k, v in conn.exec_driver_sql(
            "SELECT name, id FROM customers").all()}  # fmt: skip
        runs = conn.execute(
            insert(ImportRun).returning(ImportRun.id),
            [
                {"source_path": "today.mbox", "file_name": "today.mbox", "status": "finished",
                 "started_at": NOW - dt.timedelta(hours=3)},
                {"source_path": "old.vtt", "file_name": "old.vtt", "status": "finished",
                 "started_at": NOW - dt.timedelta(days=20)},
            ],
        ).scalars().all()  # fmt: skip
        today_run, old_run = int(runs[0]), int(runs[1])

        def talk(
            name: str, kind: str, days: float, run: int, risks: list[dict[str, object]]
        ) -> dict[str, object]:
            return {
                "customer_id": ids[name],
                "kind": kind,
                "occurred_at": NOW - dt.timedelta(days=days),
                "source": "conversations",
                "external_id": f"{name}-{kind}-{days}",
                "import_run_id": run,
                "attributes": {"risks": risks},
            }

        conn.execute(
            insert(Interaction),
            [
                # In the period: a call raising cancellation.
                talk(
                    "Acme Bakery",
                    "call",
                    0.5,
                    today_run,
                    [_risk("cancellation", "raised cancellation", "We will cancel in May.")],
                ),
                # Taken place before, imported in the period: it counts.
                talk(
                    "Birch Books",
                    "email_received",
                    12,
                    today_run,
                    [_risk("competitor", "mentioned a competitor", "Acme quoted us less.")],
                ),
                # Before the period and imported before it: not news.
                talk(
                    "Cedar Cafe",
                    "call",
                    20,
                    old_run,
                    [_risk("price_complaint", "complained about the price", "Too dear.")],
                ),
                # In the period, no risk raised.
                talk("Dune Diner", "chat", 0.2, today_run, []),
                # After now: not yet.
                talk(
                    "Elm Eatery",
                    "call",
                    -1,
                    today_run,
                    [_risk("cancellation", "raised cancellation", "Later.")],
                ),
            ],  # fmt: skip
        )
        # A ticket is not a conversation.
        conn.execute(
            insert(Interaction),
            [{"customer_id": ids["Dune Diner"], "kind": "ticket", "source": "zendesk",
              "occurred_at": NOW - dt.timedelta(hours=1), "subject": "Broken"}],
        )  # fmt: skip
    return ids


def test_the_digest_names_the_risks_raised_since_it_was_last_made(workspace: Workspace) -> None:
    ids = _fill(workspace)
    digest = build_digest(workspace.engine, SINCE, now=NOW)
    line = next(x for x in digest.lines if x.key == "conversation_risks")
    assert line.count == 2
    assert line.customer_ids == frozenset({ids["Acme Bakery"], ids["Birch Books"]})
    acme = "Acme Bakery raised cancellation on the Mar 10 call"
    birch = "Birch Books mentioned a competitor on the Feb 26 email"  # imported today
    assert line.text == f"2 customers raised risks in conversations: {acme}; {birch}"
    assert line.examples == ("We will cancel in May.", "Acme quoted us less.")
    # Beside what the tickets said, before the alerts.
    keys = [x.key for x in digest.lines]
    assert keys.index("conversation_risks") == keys.index("negative_open_tickets") + 1
    text = render_digest(digest, "text")
    assert f"- {line.text}\n" in text
    assert "    “We will cancel in May.”" in text
    assert "Cedar Cafe" not in text
    assert "Elm Eatery" not in text


def test_no_line_without_a_risk_raised(workspace: Workspace) -> None:
    _fill(workspace)
    with workspace.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE interactions SET attributes = NULL WHERE source = 'conversations'"
        )
    digest = build_digest(workspace.engine, SINCE, now=NOW)
    assert "conversation_risks" not in {x.key for x in digest.lines}
