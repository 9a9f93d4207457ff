"""Sentiment read on the laptop (services/listen/sentiment.py).

Against 200 texts labelled by hand (tests/data/sentiment_labels.csv: demo tickets,
reviews and notes, the samples' Zendesk subjects, Mailchimp reasons and Shopify notes)
the app's scorer reaches accuracy 0.715 and macro-F1 0.702 (bench/sentiment_choice.py);
the floors below hold it there. On a real workspace: imported sentiment is kept and
preferred, every other text gets a score, and only new or changed text is read again.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.workspace import open_workspace
from bench.sentiment_choice import scores
from services.importing.service import run_import
from services.listen.sentiment import EFFECTIVE_SQL, label, score_text, update_text_sentiment
from tests.support.paths import DATA

TICKETS = DATA / "samples" / "zendesk" / "tickets.csv"


def test_the_scorer_agrees_with_the_hand_labels_above_its_floor() -> None:
    with (DATA / "sentiment_labels.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 200
    guesses = [label(score_text(r["text"])) for r in rows]
    accuracy, macro_f1 = scores([r["label"] for r in rows], guesses)
    assert accuracy >= 0.69, accuracy
    assert macro_f1 >= 0.68, macro_f1


def test_plain_cases_read_as_a_person_would() -> None:
    assert label(score_text("Order #1042 hasn't arrived and nobody answers.")) == "negative"
    assert label(score_text("Love it! Fits perfectly, great quality.")) == "positive"
    assert label(score_text("Can I change the delivery address for my order?")) == "neutral"
    assert label(score_text("I'd like to return the jeans, please advise.")) != "positive"
    assert score_text("") == 0.0
    assert -1.0 <= score_text("Terrible terrible terrible!!!") < -0.5


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    ws = open_workspace(f"sqlite:///{tmp_path / 'w.radar.sqlite'}")
    try:
        yield ws.engine
    finally:
        ws.close()


def _tickets(engine: Engine) -> dict[str, tuple[str, float | None, float | None, float]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT i.external_id, i.subject, i.sentiment, i.text_sentiment, "
            f"{EFFECTIVE_SQL.format(i='i')} FROM interactions i WHERE kind = 'ticket'"
        ).all()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def test_an_import_gets_its_sentiment_and_only_changed_text_is_read_again(
    engine: Engine, tmp_path: Path
) -> None:
    report = run_import(engine, [TICKETS])
    assert all(f.landed for f in report.files)
    tickets = _tickets(engine)
    assert len(tickets) > 100
    for subject, imported, local, effective in tickets.values():
        assert imported is None  # Zendesk exports carry no sentiment
        assert local == score_text(subject)
        assert effective == local
    assert update_text_sentiment(engine).scored == 0  # nothing new: nothing read

    # The same export a day later: one ticket's subject rewritten, the rest unchanged.
    changed = tmp_path / "tickets.csv"
    with TICKETS.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        rows = list(reader)
    target = rows[0]["Id"]
    rows[0]["Subject"] = "Furious: third parcel lost, worst service ever"
    with changed.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields or [])
        writer.writeheader()
        writer.writerows(rows)
    before = _tickets(engine)
    run_import(engine, [changed])
    after = _tickets(engine)
    moved = [k for k in after if after[k][2] != before[k][2]]
    assert moved == [target]
    assert after[target][2] is not None
    assert after[target][2] < -0.5


def test_an_imported_sentiment_is_kept_and_preferred(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "feedback.csv"
    path.write_text(
        "email,date,type,subject,text,sentiment\n"
        "ana@example.com,2026-11-02,review,Awful,Fell apart after a day. Terrible.,0.4\n"
        "ana@example.com,2026-11-03,review,Awful,Fell apart after a day. Terrible.,\n"
        "bo@example.com,2026-11-04,ticket,Thanks,Lovely service thank you,-0.2\n",
        encoding="utf-8",
    )
    report = run_import(engine, [path], kind="interactions")
    assert all(f.landed for f in report.files), report.files
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT i.occurred_at, i.sentiment, i.text_sentiment, "
            f"{EFFECTIVE_SQL.format(i='i')} FROM interactions i ORDER BY i.occurred_at"
        ).all()
    assert len(rows) == 3
    (_, imp1, loc1, eff1), (_, imp2, loc2, eff2), (_, imp3, loc3, eff3) = rows
    # The file's own values stand, even where the words say otherwise; not read again.
    assert (imp1, loc1, eff1) == (pytest.approx(0.4), None, pytest.approx(0.4))
    assert (imp3, loc3, eff3) == (pytest.approx(-0.2), None, pytest.approx(-0.2))
    # No value in the file: read from the words.
    assert imp2 is None
    assert loc2 is not None
    assert loc2 < -0.5
    assert eff2 == loc2
