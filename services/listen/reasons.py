"""The reasons behind negative text, learned from the workspace's own words.

The negative tickets, reviews, notes and calls of the last two years (sentiment at or
below the negative cut-off, a ticket rated bad, or a review of 1-2 stars with no
sentiment) are turned into TF-IDF vectors (words; English stop words, the workspace's own
product categories, order numbers and names, services/listen/names.py, left out) and
factorised with NMF (scikit-learn) into a few topics. Topics that are one reason (near
the same term vector, or the same top terms in another order) are merged, and the
factorisation is run again with more topics to use the slots they took. Each reason is
named by its top terms ("size · small · fit"); every negative text is then put under the
reason it weighs most on, when it weighs on one at all and the reason's words explain
enough of the text's own words. Text that is not negative has no reason: a question or
praise is behind no complaint. The name is stored in ``interactions.reason`` so the
dashboard, Ask and the next-step advice say the same thing. Same texts, same reasons:
the factorisation starts from NNDSVD, which has no randomness.

Reasons are learned again when the workspace is scored and its negative texts, or the
rows that hold them, or the reasons stored in the table changed (``listen.reasons``: the
topics, a fingerprint of the texts they came from and one of the reasons assigned).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, literal_column, or_, select, text

from models.db import translate_db_errors
from models.schema import Interaction
from services.listen.names import name_words
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
# ... and when the reason's words explain at least this much of the text (the cosine of
# the text's TF-IDF row and the reason's term vector).
MIN_COVER = 0.15
# Topics whose term vectors have at least this cosine are one reason.
MERGE_SIMILARITY = 0.3
MAX_REFITS = 3
# Changes when the way reasons are learned changes: stored reasons are learned again.
VERSION = "2"
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


def _stop_words(categories: list[str], names: list[str]) -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    # Only names the tokenizer reads as one word ("o'brien", not "ji-woo").
    words = set(ENGLISH_STOP_WORDS) | SHOP_STOP_WORDS
    words |= {n for n in names if re.fullmatch(_TOKEN, n)}
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
    """Learn the reasons from the workspace's negative texts and store every negative
    text's reason; skipped (the stored reasons returned) when the texts, their ids and the
    stored reasons are all as the last run left them. Fewer than MIN_TEXTS negative texts:
    no reasons, every reason cleared."""
    import datetime as dt

    from sqlalchemy.orm import Session

    from services.settings import set_setting
    from services.settings.views import ListenRecords, ListenSettings, WorkspaceSettings

    kinds = ", ".join(f"'{k}'" for k in CUSTOMER_KINDS)
    if topics is None:
        with translate_db_errors(), Session(engine) as session:
            topics = ListenSettings.read(session).reason_count
    now = today or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(days=YEARS_BACK_DAYS)
    with translate_db_errors(), engine.connect() as conn:
        i = Interaction.__table__.alias("i")
        rows = conn.execute(
            select(i.c.id, i.c.subject, i.c.text, literal_column(negative_where()), i.c.reason)
            .where(
                i.c.kind.in_(CUSTOMER_KINDS),
                or_(i.c.text.is_not(None), i.c.subject.is_not(None)),
                i.c.occurred_at >= since,
            )
            .order_by(i.c.id)
        ).all()
        few = sum(1 for r in rows if r[3]) < MIN_TEXTS
        categories, companies = _left_out_words(conn, few)
        with Session(bind=conn) as session:
            stored = ListenRecords.read(session).reasons
            if not few:
                companies.append(WorkspaceSettings.read(session).name)
    ids = [int(r[0]) for r in rows]
    originals = [text_of(r[1], r[2]) for r in rows]
    negative = np.array([bool(r[3]) for r in rows], dtype=bool)
    names = sorted(
        name_words((w for w, n in zip(originals, negative, strict=True) if n), companies)
    )
    docs = [_clean(w) for w in originals]
    # What the reasons are learned from: the negative texts, by id (an undo and a new
    # import of the same texts gives them new rows, which need their reasons too).
    fingerprint = _digest(
        VERSION, str(topics), *categories, "\x1e", *names, "\x1e",
        *(f"{i}\x1d{d}" for i, d, n in zip(ids, docs, negative, strict=True) if n),
    )  # fmt: skip
    # What the table holds now: anything else that changed a reason (an undo, an edit)
    # makes them be assigned again.
    held = _digest(*(f"{r[0]}\x1d{r[4]}" for r in rows if r[4] is not None))
    if stored and stored.get("fingerprint") == fingerprint and stored.get("assigned") == held:
        return [Reason(r["label"], tuple(r["terms"]), int(r["texts"])) for r in stored["topics"]]
    if cancelled is not None and cancelled():
        return []
    reasons, assigned = _fit(docs, negative, categories, names, topics)
    params = [
        {"i": i, "r": reasons[a].label}
        for i, a in zip(ids, assigned.tolist(), strict=True)
        if a >= 0
    ]
    with translate_db_errors(), engine.begin() as conn:
        conn.execute(text(f"UPDATE interactions SET reason = NULL WHERE kind IN ({kinds})"))
        if params:
            conn.execute(text("UPDATE interactions SET reason = :r WHERE id = :i"), params)
        with Session(bind=conn) as session:
            set_setting(
                session,
                SETTING,
                {
                    "fingerprint": fingerprint,
                    "assigned": _digest(*(f"{p['i']}\x1d{p['r']}" for p in params)),
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


def _left_out_words(conn: Connection, few: bool) -> tuple[list[str], list[str]]:
    """The orders' categories and the customers' companies, words a reason never names.

    Fewer negative texts than MIN_TEXTS learn no reason whatever words are left out, so
    then neither is read: the categories are a scan of every order (about 0.1 s of CPU
    at a million orders, after every import)."""
    if few:
        return [], []
    categories = sorted(
        c for (c,) in conn.execute(
            text("SELECT DISTINCT category FROM orders WHERE category IS NOT NULL")
        ).all()
    )  # fmt: skip
    companies = [
        c for (c,) in conn.execute(
            text("SELECT DISTINCT company FROM customers WHERE company IS NOT NULL")
        ).all()
    ]  # fmt: skip
    return categories, companies


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


def _fit(
    docs: list[str],
    negative: np.ndarray,
    categories: list[str],
    names: list[str],
    topics: int,
) -> tuple[list[Reason], np.ndarray]:
    """The reasons of the negative texts, and each text's reason (-1: none; always -1
    for a text that is not negative)."""
    assigned = np.full(len(docs), -1, dtype=np.int64)
    rows = np.flatnonzero(negative)
    train = [docs[r] for r in rows.tolist()]
    if len(train) < MIN_TEXTS:
        return [], assigned
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        stop_words=_stop_words(categories, names),
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
    limit = max(1, min(x.shape[1] - 1, len(train) // 10))
    model, groups = _topics(x, min(topics, limit), limit)
    vocabulary = np.array(vectorizer.get_feature_names_out())
    # A reason's words: the sum of its topics' unit term vectors, of unit length.
    unit = _unit(model.components_)
    vectors = _unit(np.vstack([unit[g].sum(axis=0) for g in groups]))
    weights = model.transform(x)
    weight = np.column_stack([weights[:, g].sum(axis=1) for g in groups])
    best = weight.argmax(axis=1)
    # The text's own words must say it: the share of its (unit) word vector that its
    # reason's words explain. A word in common ("wrong" street number, "wrong" size) is
    # not enough.
    cover = np.asarray(x @ vectors.T)[np.arange(len(train)), best]
    keep = (weight.max(axis=1) >= MIN_WEIGHT) & (cover >= MIN_COVER)
    counts = np.bincount(best[keep], minlength=len(groups))
    order = np.argsort(-counts, kind="stable")  # the most common reason first
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = np.arange(len(groups))
    reasons: list[Reason] = []
    seen: set[str] = set()
    for g in order.tolist():
        top = np.argsort(-vectors[g], kind="stable")[:10]
        top = top[vectors[g][top] > 0]
        # Named first by the words most of its texts use (of the reason's ten strongest),
        # so that the name says what its texts say, not what a few of them stress.
        mine = keep & (best == g)
        if mine.any():
            share = np.asarray((x[mine][:, top] > 0).mean(axis=0)).ravel()
            top = top[np.argsort(-np.round(share, 6), kind="stable")]
        label, terms = _label(vocabulary[top].tolist())
        while label in seen:  # two reasons with the same name: tell them apart
            label += "'"
        seen.add(label)
        reasons.append(Reason(label, terms, int(counts[g])))
    assigned[rows[keep]] = rank[best[keep]]
    return reasons, assigned


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return unit


def _topics(x: Any, k: int, limit: int) -> tuple[Any, list[list[int]]]:
    """NMF topics of ``x`` grouped into at most ``k`` distinct reasons (see _groups). When
    near-duplicates merge, the factorisation is run again with as many more topics, so
    that the slots they took find the reasons they crowded out; at most MAX_REFITS
    times."""
    from sklearn.decomposition import NMF

    chosen: tuple[Any, list[list[int]]] | None = None
    n = k
    for _ in range(MAX_REFITS + 1):
        model = NMF(n_components=n, init="nndsvd", max_iter=1000, tol=1e-3, random_state=0)
        model.fit(x)
        groups = _groups(model.components_)
        if len(groups) <= k and (chosen is None or len(groups) > len(chosen[1])):
            chosen = (model, groups)
        if len(groups) >= k or n >= limit:
            break
        n = min(limit, n + k - len(groups))
    assert chosen is not None  # the first fit has at most k groups
    return chosen


def _groups(components: np.ndarray) -> list[list[int]]:
    """Topics that are one reason, together: their term vectors point the same way
    (cosine at least MERGE_SIMILARITY), or their names are the same words in another
    order (or one's words are all in the other's: "Damaged", "Arrived · damaged").
    Topics with no weight at all are left out."""
    unit = _unit(components)
    similar = unit @ unit.T
    keys = [frozenset(t for t in np.argsort(-c, kind="stable")[:3] if c[t] > 0) for c in components]
    parent = list(range(len(components)))

    def root(a: int) -> int:
        while parent[a] != a:
            a = parent[a]
        return a

    alive = [t for t in range(len(components)) if components[t].max() > 0]
    for a in alive:
        for b in alive:
            if a < b and (
                similar[a, b] >= MERGE_SIMILARITY or keys[a] <= keys[b] or keys[b] <= keys[a]
            ):
                parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for t in alive:
        groups.setdefault(root(t), []).append(t)
    return list(groups.values())


def refresh_listening(engine: Engine, *, cancelled: Callable[[], bool] | None = None) -> None:
    """After new data landed (an import, the demo): read the sentiment of new or changed
    text, then learn the reasons again if the negative texts changed."""
    from services.listen.sentiment import update_text_sentiment

    update_text_sentiment(engine, cancelled=cancelled)
    learn_reasons(engine, cancelled=cancelled)
