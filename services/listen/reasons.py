"""The reasons behind negative text, learned from the workspace's own words.

The negative tickets, reviews, notes and calls of the last two years (sentiment at or
below the negative cut-off, a ticket rated bad, or a review of 1-2 stars with no
sentiment) are turned into TF-IDF vectors (words and word pairs, English stop words and
the workspace's own product categories and order numbers left out) and factorised with
NMF (scikit-learn) into a few topics. Each topic is named by its top terms ("size ·
small · fit"); every text of those kinds is then put under the topic it weighs most on,
when it weighs on one at all (every ticket, and the negative reviews: praise is behind no
complaint), and the name is stored in ``interactions.reason`` so the
dashboard, Ask and the next-step advice say the same thing. Same texts, same reasons:
the factorisation starts from NNDSVD, which has no randomness.

Reasons are learned again when the workspace is scored and its negative texts changed
(``listen.reasons``: the topics, and a fingerprint of the texts they came from).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine, literal_column, or_, select, text

from models.db import translate_db_errors
from models.schema import Interaction
from services.listen.sentiment import (
    EFFECTIVE_SQL,
    NEGATIVE,
    TEXT_KINDS,
    text_of,
)

log = logging.getLogger(__name__)

SETTING = "listen.reasons"
# Kinds written by customers: an account manager's call notes say what they did, not why
# the customer is unhappy.
CUSTOMER_KINDS = tuple(k for k in TEXT_KINDS if k not in ("note", "call"))
YEARS_BACK_DAYS = 730
MIN_TEXTS = 20  # fewer negative texts than this: no reasons are learned
# A text belongs to a reason when it weighs at least this much on it (NMF weights of a
# TF-IDF row of unit length): below it, the text is about none of them.
MIN_WEIGHT = 0.02
# Words that say nothing about why: shop words every complaint has.
SHOP_STOP_WORDS = frozenset((
    "order", "orders", "ordered", "item", "items", "hi", "hello", "thanks", "thank",
    "please", "just", "got", "get", "like", "want", "would", "could", "can", "need", "new",
    "one", "really", "bit", "also", "still", "it's", "i'm", "i've", "i'd", "don't",
    "didn't", "haven't", "hasn't", "isn't", "wasn't", "doesn't", "won't",
))  # fmt: skip
_NUMBERS = re.compile(r"#?\b\d[\d,./-]*\b")
_TOKEN = r"(?u)\b[a-zA-Z][a-zA-Z']+\b"


@dataclass(frozen=True)
class Reason:
    """One learned reason: its name, its top terms and how many texts it holds."""

    label: str
    terms: tuple[str, ...]
    texts: int


def negative_where(i: str = "i") -> str:
    """SQL: the row is negative text (see the module docstring)."""
    felt = EFFECTIVE_SQL.format(i=i)
    return (
        f"({felt} <= {NEGATIVE} OR ({i}.kind = 'ticket' AND lower({i}.satisfaction) = 'bad') "
        f"OR ({felt} IS NULL AND {i}.kind = 'review' AND {i}.rating <= 2))"
    )


def _stop_words(categories: list[str]) -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = set(ENGLISH_STOP_WORDS) | SHOP_STOP_WORDS
    for category in categories:  # "Dresses" -> dresses, dress; "Tops" -> tops, top
        for word in re.findall(r"[a-z']+", category.lower()):
            words |= {word, word.removesuffix("s"), word.removesuffix("es")}
    return sorted(words)


def _clean(words: str) -> str:
    return _NUMBERS.sub(" ", words.lower())


def _label(terms: list[str]) -> tuple[str, tuple[str, ...]]:
    """The name of a topic: its top three terms, a word left out when a chosen pair
    already holds it."""
    chosen: list[str] = []
    for term in terms:
        if any(term in c.split() or c in term.split() for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == 3:
            break
    return " · ".join(chosen).capitalize(), tuple(terms[:8])


def learn_reasons(
    engine: Engine,
    *,
    topics: int | None = None,
    today: Any = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Reason]:
    """Learn the reasons from the workspace's negative texts and store every text's
    reason; skipped (the stored reasons returned) when the negative texts are the same as
    last time. Fewer than MIN_TEXTS negative texts: no reasons, every reason cleared."""
    import datetime as dt

    from sqlalchemy.orm import Session

    from services.settings import get_setting, set_setting

    kinds = ", ".join(f"'{k}'" for k in CUSTOMER_KINDS)
    if topics is None:
        with translate_db_errors(), Session(engine) as session:
            topics = int(get_setting(session, "listen.reason_count"))
    now = today or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(days=YEARS_BACK_DAYS)
    with translate_db_errors(), engine.connect() as conn:
        i = Interaction.__table__.alias("i")
        rows = conn.execute(
            select(i.c.id, i.c.subject, i.c.text, literal_column(negative_where()), i.c.kind)
            .where(
                i.c.kind.in_(CUSTOMER_KINDS),
                or_(i.c.text.is_not(None), i.c.subject.is_not(None)),
                i.c.occurred_at >= since,
            )
            .order_by(i.c.id)
        ).all()
        categories = [
            c for (c,) in conn.execute(
                text("SELECT DISTINCT category FROM orders WHERE category IS NOT NULL")
            ).all()
        ]  # fmt: skip
        stored = None
        with Session(bind=conn) as session:
            stored = get_setting(session, SETTING)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    docs = [_clean(text_of(r[1], r[2])) for r in rows]
    negative = np.array([bool(r[3]) for r in rows], dtype=bool)
    # A ticket is a request for help, negative or not: it gets a reason too; a review
    # only when it is negative (praise is behind no complaint).
    tickets = np.array([r[4] == "ticket" for r in rows], dtype=bool)
    fingerprint = hashlib.blake2b(
        "\x1f".join(d for d, n in zip(docs, negative, strict=True) if n).encode()
        + f"|{topics}|{','.join(sorted(categories))}".encode(),
        digest_size=8,
    ).hexdigest()
    if stored and stored.get("fingerprint") == fingerprint:
        return [Reason(r["label"], tuple(r["terms"]), int(r["texts"])) for r in stored["topics"]]
    if cancelled is not None and cancelled():
        return []
    reasons, assigned = _fit(docs, negative, tickets, categories, topics)
    with translate_db_errors(), engine.begin() as conn:
        conn.execute(text(f"UPDATE interactions SET reason = NULL WHERE kind IN ({kinds})"))
        params = [
            {"i": int(i), "r": reasons[a].label}
            for i, a in zip(ids.tolist(), assigned.tolist(), strict=True)
            if a >= 0
        ]
        if params:
            conn.execute(text("UPDATE interactions SET reason = :r WHERE id = :i"), params)
        with Session(bind=conn) as session:
            set_setting(
                session,
                SETTING,
                {
                    "fingerprint": fingerprint,
                    "topics": [
                        {"label": r.label, "terms": list(r.terms), "texts": r.texts}
                        for r in reasons
                    ],
                },
                actor="system",
            )
            session.flush()
    log.info("Reasons: %d learned from %d negative texts", len(reasons), int(negative.sum()))
    return reasons


def _fit(
    docs: list[str],
    negative: np.ndarray,
    tickets: np.ndarray,
    categories: list[str],
    topics: int,
) -> tuple[list[Reason], np.ndarray]:
    """The topics of the negative texts, and each text's topic (-1: none)."""
    assigned = np.full(len(docs), -1, dtype=np.int64)
    train = [d for d, n in zip(docs, negative, strict=True) if n]
    if len(train) < MIN_TEXTS:
        return [], assigned
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        stop_words=_stop_words(categories),
        token_pattern=_TOKEN,
        ngram_range=(1, 1),
        min_df=max(2, len(train) // 500),
        max_df=0.5,
        sublinear_tf=True,
        max_features=4000,
    )
    try:
        x = vectorizer.fit_transform(train)
    except ValueError:  # every word is a stop word, or too rare
        return [], assigned
    k = max(1, min(topics, x.shape[1] - 1, len(train) // 10))
    model = NMF(n_components=k, init="nndsvd", max_iter=1000, tol=1e-3, random_state=0)
    model.fit(x)
    vocabulary = np.array(vectorizer.get_feature_names_out())
    weights = model.transform(vectorizer.transform(docs))
    best = weights.argmax(axis=1)
    strong = weights.max(axis=1) >= MIN_WEIGHT
    counts = np.bincount(best[strong & negative], minlength=k)
    order = np.argsort(-counts, kind="stable")  # the most common reason first
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    reasons: list[Reason] = []
    seen: set[str] = set()
    for t in order.tolist():
        terms = vocabulary[np.argsort(-model.components_[t], kind="stable")[:10]].tolist()
        label, top = _label(terms)
        while label in seen:  # two topics with the same top terms: tell them apart
            label += "'"
        seen.add(label)
        reasons.append(Reason(label, top, int(counts[t])))
    keep = strong & (negative | tickets)
    assigned[keep] = rank[best[keep]]
    return reasons, assigned


def refresh_listening(engine: Engine, *, cancelled: Callable[[], bool] | None = None) -> None:
    """After new data landed (an import, the demo): read the sentiment of new or changed
    text, then learn the reasons again if the negative texts changed."""
    from services.listen.sentiment import update_text_sentiment

    update_text_sentiment(engine, cancelled=cancelled)
    learn_reasons(engine, cancelled=cancelled)
