"""The sentiment pass when nothing changed: after a complete pass it looks
at the rows added since and the rows an import changed since, through the primary key,
and reads no other text; new, changed and re-used rows still get their sentiment."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from app.workspace import open_workspace
from services.importing.service import run_import
from services.listen import sentiment
from services.listen.sentiment import score_text, update_text_sentiment
from tests.support.paths import DATA

TICKETS = DATA / "samples" / "zendesk" / "tickets.csv"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    ws = open_workspace(f"sqlite:///{tmp_path / 'w.radar.sqlite'}")
    try:
        report = run_import(ws.engine, [TICKETS])  # scores every ticket once
        assert all(f.landed for f in report.files)
        yield ws.engine
    finally:
        ws.close()


def _plans(engine: Engine) -> tuple[list[str], Any]:
    """The query plan of every statement on interactions the pass runs."""
    seen: list[str] = []

    def spy(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "FROM interactions" in statement and not statement.startswith("EXPLAIN"):
            plan = cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}", params)
            seen.extend(str(r[-1]) for r in plan.fetchall())

    event.listen(engine, "before_cursor_execute", spy)
    return seen, spy


def _add_note(engine: Engine, words: str) -> int:
    with engine.begin() as conn:
        customer = conn.execute(text("SELECT min(id) FROM customers")).scalar()
        return int(
            conn.execute(
                text(
                    "INSERT INTO interactions (customer_id, kind, occurred_at, subject, text, "
                    "source) VALUES (:c, 'note', '2026-11-20 10:00:00', NULL, :t, 'app') "
                    "RETURNING id"
                ),
                {"c": customer, "t": words},
            ).scalar_one()
        )


def _local(engine: Engine, row_id: int) -> float | None:
    with engine.connect() as conn:
        value = conn.execute(
            text("SELECT text_sentiment FROM interactions WHERE id = :i"), {"i": row_id}
        ).scalar()
    return None if value is None else float(value)


def test_an_unchanged_workspace_reads_no_text(engine: Engine) -> None:
    assert update_text_sentiment(engine) == sentiment.SentimentRun(0, 0)
    plans, spy = _plans(engine)
    try:
        run = update_text_sentiment(engine)
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert (run.scored, run.current) == (0, 0)  # no row touched
    assert plans  # the pass did ask
    # Every read of interactions is a primary-key look-up (max(id) is one too): no
    # scan, and no walk along another index's entries of every text.
    on_interactions = [p for p in plans if "interactions" in p]
    assert on_interactions
    assert all(p == "SEARCH interactions" or "PRIMARY KEY" in p for p in on_interactions), plans


def test_a_new_note_gets_its_sentiment_after_the_shortcut(engine: Engine) -> None:
    update_text_sentiment(engine)
    row = _add_note(engine, "Furious, the parcel is lost again. Worst service ever.")
    run = update_text_sentiment(engine)
    assert (run.scored, run.current) == (1, 0)  # the new note only
    assert _local(engine, row) == score_text(
        "Furious, the parcel is lost again. Worst service ever."
    )
    assert update_text_sentiment(engine).scored == 0


def test_a_note_written_where_a_deleted_one_was_gets_its_sentiment(engine: Engine) -> None:
    """SQLite hands the id of a deleted newest row out again (an undone contact, then a
    new one): the pass sees the newest row is not the one it saw and reads all again."""
    first = _add_note(engine, "Lovely service, thank you so much!")
    update_text_sentiment(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM interactions WHERE id = :i"), {"i": first})
    again = _add_note(engine, "Terrible. Nothing arrived and nobody answers.")
    assert again == first
    run = update_text_sentiment(engine)
    assert run.scored == 1
    assert _local(engine, again) == score_text("Terrible. Nothing arrived and nobody answers.")


def test_a_changed_ticket_gets_its_sentiment_after_the_shortcut(
    engine: Engine, tmp_path: Path
) -> None:
    update_text_sentiment(engine)
    changed = tmp_path / "tickets.csv"
    with TICKETS.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        rows = list(reader)
    rows[0]["Subject"] = "Furious: third parcel lost, worst service ever"
    with changed.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields or [])
        writer.writeheader()
        writer.writerows(rows)
    run_import(engine, [changed])  # the import's own pass reads the changed ticket
    with engine.connect() as conn:
        value = conn.execute(
            text("SELECT text_sentiment FROM interactions WHERE external_id = :e"),
            {"e": rows[0]["Id"]},
        ).scalar()
    assert value == score_text("Furious: third parcel lost, worst service ever")
    assert update_text_sentiment(engine) == sentiment.SentimentRun(0, 0)


def test_a_new_sentiment_version_reads_every_text_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    update_text_sentiment(engine)
    with engine.connect() as conn:
        texts = conn.execute(
            text("SELECT count(*) FROM interactions WHERE text_sentiment IS NOT NULL")
        ).scalar_one()
    monkeypatch.setattr(sentiment, "SENTIMENT_VERSION", sentiment.SENTIMENT_VERSION + 1)
    assert update_text_sentiment(engine).scored == texts
    assert update_text_sentiment(engine).scored == 0
