"""What customers' words say, for the dashboard and the command line: the sentiment of
tickets and reviews month by month, and the reasons behind negative text with their
counts, example quotes, breakdowns and spikes.

Months are the local months of the events (as every date on screen). A reason spikes when
its texts of the last 30 days are at least twice its monthly average over the six 30-day
spans before, and at least SPIKE_MIN texts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy import Engine, literal_column, select

from models.db import translate_db_errors
from models.schema import Interaction
from services.core.local_dates import local_date
from services.listen.reasons import CUSTOMER_KINDS, negative_where
from services.listen.records import ListenReport, MonthSentiment, Quote, ReasonSummary
from services.listen.sentiment import EFFECTIVE_SQL, NEGATIVE, POSITIVE, text_of

SPIKE_MIN = 5
SPIKE_FACTOR = 2.0
QUOTES = 3
_QUOTE_CHARS = 160
TREND_KINDS = ("ticket", "review")


def listen_report(  # noqa: C901, PLR0915
    engine: Engine, *, since: dt.date | None = None, until: dt.date | None = None
) -> ListenReport:
    """The report over ``since``..``until`` (local days, both included; default the last
    twelve months to today)."""
    from sqlalchemy.orm import Session

    from services.settings.views import ListenRecords

    until = until or dt.date.today()
    since = since or (until.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    # Stored instants are UTC: a day of margin on each side, then local days decide.
    lo = dt.datetime.combine(since - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    hi = dt.datetime.combine(until + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    spike_lo = dt.datetime.combine(until - dt.timedelta(days=211), dt.time(), tzinfo=dt.UTC)
    felt = EFFECTIVE_SQL.format(i="i")
    i = Interaction.__table__.alias("i")
    query = (
        select(
            i.c.id, i.c.customer_id, i.c.occurred_at, i.c.utc_offset_minutes, i.c.kind,
            i.c.channel, i.c.subject, i.c.text, literal_column(felt), i.c.reason,
            literal_column(negative_where()),
        )
        .where(i.c.kind.in_(CUSTOMER_KINDS), i.c.occurred_at >= min(lo, spike_lo),
               i.c.occurred_at < hi)
        .order_by(i.c.occurred_at, i.c.id)
    )  # fmt: skip
    with translate_db_errors(), engine.connect() as conn:
        rows = conn.execute(query).all()
        with Session(bind=conn) as session:
            learned = ListenRecords.read(session).reasons or {}
    if not learned:  # a workspace from before reasons were learned: learn them once
        from services.listen.reasons import learn_reasons

        learned = {"topics": [{"label": r.label, "terms": r.terms} for r in learn_reasons(engine)]}
        if learned["topics"]:
            return listen_report(engine, since=since, until=until)
    terms = {t["label"]: tuple(t["terms"]) for t in learned.get("topics", [])}
    months: dict[str, list[tuple[float, int]]] = defaultdict(list)
    reasons: dict[str, ReasonSummary] = {}
    candidates: dict[str, list[tuple[float, Quote]]] = defaultdict(list)
    spans: dict[str, Counter[int]] = defaultdict(Counter)
    negative_texts = 0
    for iid, cid, at, offset, kind, channel, subject, body, sentiment, reason, neg in rows:
        day = local_date(at, offset)
        assert day is not None
        if reason is not None and day <= until:
            span = (until - day).days // 30  # 0: the last 30 days, 1..6: the spans before
            if span <= 6:
                spans[reason][span] += 1
        if not since <= day <= until:
            continue
        if kind in TREND_KINDS and sentiment is not None:
            months[day.strftime("%Y-%m")].append((float(sentiment), int(cid)))
        if not neg:
            continue
        negative_texts += 1
        if reason is None:
            continue
        summary = reasons.setdefault(reason, ReasonSummary(reason, terms.get(reason, ())))
        summary.texts += 1
        summary.customer_ids.add(int(cid))
        summary.by_month[day.strftime("%Y-%m")] += 1
        summary.by_kind[kind] += 1
        summary.by_channel[channel or "(none)"] += 1
        words = text_of(subject, body)
        if len(words) > _QUOTE_CHARS:
            words = words[: _QUOTE_CHARS - 1].rstrip() + "…"
        quote = Quote(int(iid), int(cid), day, kind, words)
        candidates[reason].append((float(sentiment) if sentiment is not None else 0.0, quote))
    for label, summary in reasons.items():
        # The most negative examples of the period, one per wording, newest first on ties.
        seen: set[str] = set()
        for _value, quote in sorted(candidates[label], key=lambda q: (q[0], -q[1].day.toordinal())):
            if quote.words not in seen:
                seen.add(quote.words)
                summary.quotes.append(quote)
            if len(summary.quotes) == QUOTES:
                break
        counts = spans.get(label, Counter())
        summary.last_30 = counts[0]
        summary.before_monthly = sum(counts[s] for s in range(1, 7)) / 6.0
        summary.spike = summary.last_30 >= max(SPIKE_MIN, SPIKE_FACTOR * summary.before_monthly)
    trend = []
    for month, pairs in sorted(months.items()):
        values = [v for v, _c in pairs]
        trend.append(
            MonthSentiment(
                month,
                len(values),
                sum(values) / len(values),
                sum(1 for v in values if v <= NEGATIVE) / len(values),
                sum(1 for v in values if v >= POSITIVE) / len(values),
                frozenset(c for v, c in pairs if v <= NEGATIVE),
            )
        )
    ordered = sorted(reasons.values(), key=lambda r: (-r.texts, r.label))
    return ListenReport(since, until, trend, ordered, negative_texts)
