"""The words of the reasons (services/listen/reasons.py, services/listen/names.py) on the
real sample exports: names of the shop, brands and companies are never reason terms,
reasons that are the same words in another order are one, only negative texts carry a
reason, and an undo followed by a new import of the same tickets gives every negative
ticket its reason again."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.workspace import open_workspace, to_url
from services.importing import service
from services.listen.names import name_words
from services.listen.reasons import learn_reasons
from services.listen.sentiment import NEGATIVE
from services.settings import get_setting
from tests.support.paths import DATA

SAMPLES = DATA / "samples"
SHOPIFY = SAMPLES / "shopify" / "orders_export_1.csv"
ZENDESK = SAMPLES / "zendesk" / "tickets.csv"
NEGATIVE_TICKET = (
    f"(coalesce(sentiment, text_sentiment) <= {NEGATIVE} OR lower(satisfaction) = 'bad')"
)


@pytest.fixture(scope="module")
def samples_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reasons-words") / "samples.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        service.run_import(ws.engine, [SHOPIFY, ZENDESK])
    finally:
        ws.close()
    return path


@pytest.fixture
def engine(samples_file: Path, tmp_path: Path) -> Iterator[Engine]:
    target = tmp_path / "w.radar.sqlite"
    shutil.copy(samples_file, target)
    ws = open_workspace(to_url(str(target)), backup=False)
    yield ws.engine
    ws.close()


def _tickets(engine: Engine) -> tuple[int, int, int]:
    """Negative tickets, negative tickets with a reason, other tickets with a reason."""
    with sqlite3.connect(str(engine.url.database)) as raw:
        row = raw.execute(
            f"SELECT sum({NEGATIVE_TICKET}), sum({NEGATIVE_TICKET} AND reason IS NOT NULL), "
            f"sum(NOT {NEGATIVE_TICKET} AND reason IS NOT NULL) "
            "FROM interactions WHERE kind = 'ticket'"
        ).fetchone()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)


def _topics(engine: Engine) -> list[dict[str, object]]:
    with Session(engine) as session:
        return list(get_setting(session, "listen.reasons")["topics"])


def test_names_are_proper_nouns_of_the_texts_or_the_workspaces_own() -> None:
    texts = [
        "Charged twice for Acme Club. Please refund.",
        "How do I cancel Acme Club?",
        "The wrong street number is on my order, it was due Saturday.",
        "Delivered to the wrong street again; the FedEx driver left it outside on Saturday.",
        "Wrong Size Received From Acme",  # a Title Case subject says nothing of case
        "Maple arrived with a hole",  # a sentence's first word says nothing either
        "Received an XL instead of a small, Maple Street Bakery ordered it.",
    ]
    names = name_words(texts, known=["Maple Street Bakery", "Harbor Lane Realty"])
    assert {"acme", "club", "saturday", "maple", "bakery"} <= names
    # Lower case words, even of a company's name ("street"), are not names; nor capitals.
    assert not {"street", "wrong", "charged", "cancel", "received", "xl", "hole"} & names
    # A capital seen once mid-sentence is not enough, unless the workspace names it.
    assert "fedex" not in names
    assert "fedex" in name_words(texts, known=["FedEx Office"])


def test_brand_names_are_no_reason_terms_and_reasons_are_distinct(engine: Engine) -> None:
    topics = _topics(engine)
    assert topics, "the sample tickets hold enough negative text for reasons"
    terms = [t for topic in topics for t in topic["terms"]]  # type: ignore[attr-defined]
    # The shop ("Acme Threads", its "Acme Club") is named in the tickets, never a reason.
    assert "acme" not in terms
    assert "club" not in terms
    # "Damaged · arrived" and "Arrived · damaged" are one reason: no two share their
    # first three terms in any order, and every term a reason lists weighs on it.
    firsts = [frozenset(topic["terms"][:3]) for topic in topics]  # type: ignore[index]
    assert len(set(firsts)) == len(firsts)
    # Nor is one reason's name inside another's ("Damaged" and "Arrived · damaged").
    names = [frozenset(str(topic["label"]).lower().split(" · ")) for topic in topics]
    assert not any(a < b for a in names for b in names)
    labels = [str(topic["label"]) for topic in topics]
    assert len(set(labels)) == len(labels)
    assert not any(label.endswith("'") for label in labels)


def test_only_negative_tickets_carry_a_reason(engine: Engine) -> None:
    negative, negative_with_reason, other_with_reason = _tickets(engine)
    assert negative >= 20
    assert other_with_reason == 0
    assert negative_with_reason >= 0.6 * negative


def test_undo_then_the_same_import_gives_the_reasons_again(engine: Engine) -> None:
    before = _tickets(engine)
    assert before[1] > 0
    tickets = next(r for r in service.list_imports(engine) if r.file_name == ZENDESK.name)
    texts_before = sum(int(str(t["texts"])) for t in _topics(engine))
    service.undo_import(engine, tickets.run_id)
    assert _tickets(engine) == (0, 0, 0)
    # The undo learns the reasons again: their counts no longer hold the tickets that left.
    with sqlite3.connect(str(engine.url.database)) as raw:
        (left,) = raw.execute(
            "SELECT count(*) FROM interactions WHERE reason IS NOT NULL"
        ).fetchone()
    assert sum(int(str(t["texts"])) for t in _topics(engine)) == left < texts_before
    # The same tickets come back as new rows: same texts, new ids, no reasons yet.
    service.run_import(engine, [ZENDESK])
    assert _tickets(engine) == before
    # Reasons cleared by anything else are assigned again by the next pass too.
    with sqlite3.connect(str(engine.url.database)) as raw:
        raw.execute("UPDATE interactions SET reason = NULL")
    learn_reasons(engine)
    assert _tickets(engine) == before
