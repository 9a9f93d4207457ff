"""Sentiment of tickets, reviews, notes and calls, computed on the laptop.

The library is VADER (vaderSentiment 3.3.2): a lexicon with rules for negation ("hasn't
arrived"), intensifiers ("very poor") and punctuation, made for short informal text,
pure Python, no model download, about 30 microseconds a text. It was picked by measuring
it beside TextBlob and AFINN on 200 hand-labelled texts of the demo and the samples
(bench/sentiment_choice.py; the figures are in docs/user-guide.md): the three were close out of
the box, VADER was four times faster and brings no corpus downloads into the installer.
English only: the demo and the samples hold English text, and VADER is an English
lexicon (text in other languages scores near 0, neutral, rather than wrongly).

Its general lexicon misses how customers complain to a shop ("hasn't arrived", "started
pilling", "I'd like to return"), so a short shop-service lexicon, below, adjusts a few
words' weights on VADER's own scale (-4..4): that is VADER's documented way to adapt it.

Storage: ``interactions.text_sentiment`` holds the local score and
``text_sentiment_hash`` the hash of the text it was computed from; an imported
``interactions.sentiment`` is kept and preferred (``EFFECTIVE_SQL``). Only text that is
new, or changed by a later import, is scored again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, text

from models.db import translate_db_errors

log = logging.getLogger(__name__)

# The kinds whose text carries a customer's feeling (email events and orders do not).
TEXT_KINDS = ("ticket", "review", "note", "call", "nps", "survey", "chat")
# The effective sentiment of an interaction row ``i``: the imported value, else the
# local one. Every reader of sentiment uses this (scoring, alerts, Ask, the digest).
EFFECTIVE_SQL = "coalesce({i}.sentiment, {i}.text_sentiment)"
# At or below this a text is negative, at or above POSITIVE positive (VADER's cut-offs).
NEGATIVE = -0.05
POSITIVE = 0.05
# A negative ticket, on every screen: its sentiment is negative or it was rated bad.
NEGATIVE_TICKET_SQL = f"({EFFECTIVE_SQL} <= {NEGATIVE} OR lower({{i}}.satisfaction) = 'bad')"
# A negative review: its sentiment is negative, or it has none and 1-2 stars.
NEGATIVE_REVIEW_SQL = (
    f"({EFFECTIVE_SQL} <= {NEGATIVE} OR ({EFFECTIVE_SQL} IS NULL AND {{i}}.rating <= 2))"
)

# Shop-service words VADER's general lexicon weighs wrongly or not at all.
SHOP_LEXICON: dict[str, float] = {
    # Complaints about goods and delivery that carry no feeling word of their own.
    "overdue": -1.5,
    "nowhere": -1.0,
    "stained": -1.5,
    "late": -1.0,
    "invalid": -1.2,
    "shrank": -1.5,
    "pilling": -1.5,
    "pilled": -1.5,
    "bobbled": -1.2,
    "flimsy": -1.8,
    "faded": -1.2,
    "hole": -1.2,
    "holes": -1.2,
    "ripped": -1.5,
    "scratchy": -1.2,
    "cheap": -1.2,
    "unflattering": -1.5,
    "escalated": -1.2,
    "slow": -0.8,
    # "Arrived"/"received" lean positive so that "hasn't arrived" or "never received" is
    # read as the complaint it is (VADER negates only words that carry a weight).
    "arrived": 0.5,
    "received": 0.5,
    "updated": 0.3,
    # Words of polite requests, not of feeling: "I'd like to return", "please advise",
    # "care instructions", "need help".
    "like": 0.0,
    "please": 0.0,
    "care": 0.0,
    "help": 0.0,
    # How customers talk on a call: "honestly" hedges what follows, and a price "increase"
    # is no good news to them ("Honestly the price increase is a problem" read +0.38).
    "honestly": 0.0,
    "increase": 0.0,
}


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(SHOP_LEXICON)
    return analyzer


def vader_scores(words: str) -> tuple[float, float, float]:
    """VADER's compound, positive and negative scores of a text, with the app's lexicon."""
    scores = _analyzer().polarity_scores(words)
    return float(scores["compound"]), float(scores["pos"]), float(scores["neg"])


def score_text(words: str) -> float:
    """Sentiment of one text, -1 (negative) to 1 (positive); 0 for empty text."""
    if not words or not words.strip():
        return 0.0
    return float(round(_analyzer().polarity_scores(words)["compound"], 3))


def label(value: float | None) -> str:
    """negative, neutral or positive; '' for no value."""
    if value is None:
        return ""
    return "negative" if value <= NEGATIVE else "positive" if value >= POSITIVE else "neutral"


def text_of(subject: str | None, body: str | None) -> str:
    """What is scored: the subject (a review's title, a ticket's subject) and the text."""
    parts = [p.strip() for p in (subject, body) if p and p.strip()]
    return ". ".join(parts)


def text_hash(words: str) -> str:
    return hashlib.blake2b(words.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True)
class SentimentRun:
    """What one pass did: texts scored now, and texts whose score was still current."""

    scored: int
    current: int


_CHECKED = "listen.sentiment_checked_import"
# Where the last complete pass stopped: the sentiment version, the newest interaction id
# it saw and a fingerprint of that row (services/settings/listen.py).
_WATERMARK = "listen.sentiment_watermark"
# Bump when the lexicon above or the VADER version changes: every text is read again.
SENTIMENT_VERSION = 2
_BATCH = 5_000
_COLUMNS = "SELECT id, subject, text, text_sentiment_hash FROM interactions "
_CHANGED = (
    "id IN (SELECT row_id FROM import_changes "
    "WHERE table_name = 'interactions' AND import_run_id > :since)"
)


def _texts_where() -> str:
    kinds = ", ".join(f"'{k}'" for k in TEXT_KINDS)
    return (
        f"WHERE kind IN ({kinds}) AND sentiment IS NULL "
        "AND (text IS NOT NULL OR subject IS NOT NULL) "
    )


@dataclass(frozen=True)
class _Mark:
    """The newest interaction when a pass began, and a fingerprint of that row."""

    top: int
    print: str


def _mark(conn: Connection) -> _Mark:
    return _mark_at(conn, int(conn.execute(text("SELECT max(id) FROM interactions")).scalar() or 0))


def _candidates(conn: Connection, since: int, last_import: int, mark: _Mark) -> list[Any]:
    """The rows whose sentiment may be missing or stale. After a complete pass of the
    same version whose newest row is still there unchanged (so no id below it was handed
    out again), that is the rows added since (a primary-key range) and the rows an import
    changed since; otherwise every text is looked at (its hash says if it is current)."""
    where = _texts_where()
    stored = _stored_mark(conn)
    old = _Mark(int(stored.get("top", 0)), str(stored.get("print", "")))
    if stored.get("version") == SENTIMENT_VERSION and old == _mark_at(conn, old.top):
        wheres = ["id > :top AND id <= :now"] + ([_CHANGED] if last_import > since else [])
        found: dict[int, Any] = {}
        for cond in wheres:
            # Only the primary key (or import_changes) narrows these: the kinds are kept
            # in Python, else the planner may walk every text's kind index entry.
            query = "SELECT id, subject, text, text_sentiment_hash, kind, sentiment FROM "
            params = {"top": old.top, "now": mark.top, "since": since}
            for row in conn.execute(text(f"{query}interactions WHERE {cond}"), params):
                has_text = row[1] is not None or row[2] is not None  # as _texts_where
                if row[4] in TEXT_KINDS and row[5] is None and has_text:
                    found[row[0]] = row[:4]
        return list(found.values())
    if stored and stored.get("version") != SENTIMENT_VERSION:
        # Another version read these texts: read every one again (no stored hash holds).
        return [(i, s, t, None) for i, s, t, _ in conn.execute(text(_COLUMNS + where))]
    return list(
        conn.execute(
            text(_COLUMNS + where + f"AND (text_sentiment_hash IS NULL OR {_CHANGED})"),
            {"since": since},
        )
    )


def _mark_at(conn: Connection, top: int) -> _Mark:
    row = conn.execute(
        text("SELECT customer_id, kind, occurred_at, subject, text FROM interactions "
             "WHERE id = :i"),
        {"i": top},
    ).first()  # fmt: skip
    return _Mark(top, "" if row is None else text_hash(repr(tuple(row))))


def _stored_mark(conn: Connection) -> dict[str, Any]:
    from sqlalchemy.orm import Session

    from services.settings.views import ListenRecords

    with Session(bind=conn) as session:
        value = ListenRecords.read(session).sentiment_watermark
    return dict(value) if isinstance(value, dict) else {}


def update_text_sentiment(
    engine: Engine,
    *,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SentimentRun:
    """Score the text of interactions with no imported sentiment that have no local one
    yet, or whose text an import changed since the last pass (the rows an import newer
    than the last one checked recorded in import_changes). Each batch is its own
    transaction: a cancelled pass keeps what it finished and loses nothing.

    When nothing changed since the last complete pass this reads two index entries and
    no text (``_candidates``)."""
    with translate_db_errors(), engine.connect() as conn:
        checked = conn.execute(
            text("SELECT value FROM settings WHERE key = :k"), {"k": _CHECKED}
        ).scalar()
        last_import = conn.execute(text("SELECT max(id) FROM import_runs")).scalar() or 0
        since = int(checked) if checked not in (None, "") else 0
        mark = _mark(conn)
        rows = _candidates(conn, since, last_import, mark)
    todo: list[tuple[int, str, str]] = []
    current = 0
    for row_id, subject, body, old in rows:
        words = text_of(subject, body)
        digest = text_hash(words)
        if digest == old:
            current += 1
        else:
            todo.append((row_id, words, digest))
    for start in range(0, len(todo), _BATCH):
        if cancelled is not None and cancelled():
            return SentimentRun(start, current)
        if progress is not None:
            progress(start / max(1, len(todo)), "Reading the sentiment of tickets and reviews")
        _store(engine, [(i, score_text(w), d) for i, w, d in todo[start : start + _BATCH]])
    _remember(engine, last_import, mark)
    if todo:
        log.info("Sentiment: %d texts scored, %d unchanged", len(todo), current)
    return SentimentRun(len(todo), current)


def _store(engine: Engine, values: Iterable[tuple[int, float, str]]) -> None:
    params = [{"i": i, "s": s, "h": h} for i, s, h in values]
    if not params:
        return
    with translate_db_errors(), engine.begin() as conn:
        conn.execute(
            text("UPDATE interactions SET text_sentiment = :s, text_sentiment_hash = :h "
                 "WHERE id = :i"),
            params,
        )  # fmt: skip


def _remember(engine: Engine, import_id: int, mark: _Mark) -> None:
    from sqlalchemy.orm import Session

    from services.settings import set_setting

    watermark = {"version": SENTIMENT_VERSION, "top": mark.top, "print": mark.print}
    with translate_db_errors(), Session(engine) as session, session.begin():
        set_setting(session, _CHECKED, import_id)
        set_setting(session, _WATERMARK, watermark)
