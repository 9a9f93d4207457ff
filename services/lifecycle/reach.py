"""When to reach out: the weekday and hours at which each group of customers answered the
app's emails best, from the emails of a period and what answered them (a reply is defined
once, in services/replies/definition.py; the emails and replies are services.replies').

An email is answered by a reply, by a return, or by either (the measure, "either" by
default). A return is Results' re-engagement after outreach (services/learn/attribution.py,
``attribute``): a paid order within the attribution window (``learn.attribution_days``)
after the email was sent. As there, an email whose window has not closed yet is left out
of the return and either measures: counting it as not answered would understate recent
times, counting only those already answered would overstate them.

An email belongs to the slot of the weekday and two hours (9–11, 11–13...) it was sent in,
in the workspace's time zone, and to the coarser times that hold it: its weekday's morning
(0–12) or afternoon (12–24), its weekday, and mornings or afternoons. A time's rate is its
answered emails over its emails, with the 95 % Wilson interval. Customers are grouped all
together, by the RFM segment of the latest scoring and by their lifecycle stage today. A
time with fewer emails than the floor (setting ``lifecycle.reach_min_emails``) is too few
to say. Each group answers at the finest level (reach_records.LEVELS) where at least two
times reach the floor; the time with the best rate among those is named only when its
interval lies wholly above the interval of the group's other emails pooled: where they
overlap, "No time stands out" (reach_records.best_words).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.schema import Order, Outreach, ScoreSnapshot
from services.core.local_dates import workspace_zone
from services.lifecycle.reach_records import (
    BY,
    FIRST_HOUR,
    LEVELS,
    NOON,
    SLOT_HOURS,
    WEEKDAYS,
    ReachCell,
    ReachGroup,
    ReachReport,
    ReachSlot,
)
from services.replies.records import SentEmail
from services.settings.views import DateSettings, LearnSettings, LifecycleSettings

__all__ = [
    "above_p",
    "cells_of",
    "choose",
    "reach_report",
    "reach_times",
    "returns_after",
    "slot_of",
]

DEFAULT_MEASURE = "either"
ALPHA = 0.05  # the two-proportion test's level, two-sided, before it is shared among times


def slot_of(sent_at: dt.datetime, zone: ZoneInfo) -> tuple[int, int]:
    """(weekday, first hour) of the slot a naive-UTC moment falls in, in ``zone``."""
    local = sent_at.replace(tzinfo=dt.UTC).astimezone(zone)
    hour = FIRST_HOUR + ((local.hour - FIRST_HOUR) // SLOT_HOURS) * SLOT_HOURS
    weekday = local.weekday()
    if hour < 0:  # 0:00 to 1:00 belongs to the slot begun the day before at 23:00
        hour, weekday = hour + 24, (weekday - 1) % 7
    return weekday, hour


def cells_of(sent_at: dt.datetime, zone: ZoneInfo) -> dict[str, str]:
    """The label of the time a naive-UTC moment falls in at each level (LEVELS), in
    ``zone``: "Tuesday 9–11", "Tuesday morning (0–12)", "Tuesday", "Mornings (0–12)"."""
    weekday, hour = slot_of(sent_at, zone)
    local = sent_at.replace(tzinfo=dt.UTC).astimezone(zone)
    day = WEEKDAYS[local.weekday()]
    morning = local.hour < NOON
    half = "morning (0–12)" if morning else "afternoon (12–24)"
    return {
        "slot": f"{WEEKDAYS[weekday]} {hour}–{(hour + SLOT_HOURS) % 24}",
        "half": f"{day} {half}",
        "weekday": day,
        "daypart": "Mornings (0–12)" if morning else "Afternoons (12–24)",
    }


def choose(
    levels: Mapping[str, Mapping[str, tuple[int, int]]], floor: int
) -> tuple[str | None, tuple[ReachCell, ...], ReachCell | None, ReachCell | None, float | None]:
    """A group's answer from its counts (level -> time -> (emails, answered)): the finest
    level with at least two times of ``floor`` emails or more, its times (busiest first),
    the best rate among those with enough (top), top again when it stands out (else None),
    and the p-value of top against the rest. Top stands out when its 95 % interval lies
    wholly above that of every other email pooled and the two-proportion test of top above
    the rest passes at 5 % two-sided, shared among the k times it was picked from
    (Bonferroni: one-sided p below 0.025 / k): the best of many times is often high by
    chance, and the intervals alone named one in most books with no difference at all."""
    for level, _what in LEVELS:
        cells = tuple(
            sorted(
                (ReachCell(label, n, r) for label, (n, r) in levels.get(level, {}).items()),
                key=lambda c: (-c.sent, c.label),
            )
        )
        counted = [c for c in cells if c.sent >= floor]
        if len(counted) < 2:
            continue
        top = max(counted, key=lambda c: (c.rate, c.sent))
        sent = sum(c.sent for c in cells)
        answered = sum(c.answered for c in cells)
        rest = ReachCell("the rest", sent - top.sent, answered - top.answered)
        p = above_p(top, rest)
        clear = top.interval[0] > rest.interval[1] and p < ALPHA / 2 / len(counted)
        return level, cells, top, (top if clear else None), p
    return None, (), None, None, None


def above_p(top: ReachCell, rest: ReachCell) -> float:
    """The one-sided p-value of the two-proportion z test (pooled) that ``top``'s rate lies
    above ``rest``'s: 1.0 where it does not or nothing varies."""
    import math
    from statistics import NormalDist

    sent, answered = top.sent + rest.sent, top.answered + rest.answered
    if not top.sent or not rest.sent or answered in (0, sent):
        return 1.0
    pooled = answered / sent
    spread = math.sqrt(pooled * (1 - pooled) * (1 / top.sent + 1 / rest.sent))
    return 1.0 - NormalDist().cdf((top.rate - rest.rate) / spread)


def reach_times(
    emails: Iterable[SentEmail],
    zone: ZoneInfo,
    floor: int,
    groups: Mapping[str, Mapping[int, str]] | None = None,
    *,
    answered: Callable[[SentEmail], bool | None] | None = None,
    measure: str = "reply",
) -> tuple[ReachGroup, ...]:
    """The slots of every group: all emails, then each breakdown of ``groups`` (by ->
    customer id -> label). ``answered``: whether an email was answered, None to leave it
    out (by default: whether it got a reply)."""
    if answered is None:
        answered = _replied
    counts: dict[tuple[str, str], dict[tuple[int, int], list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    coarse: dict[tuple[str, str], dict[str, dict[str, list[int]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(lambda: [0, 0]))
    )
    for email in emails:
        yes = answered(email)
        if yes is None:
            continue
        slot = slot_of(email.sent_at, zone)
        times = cells_of(email.sent_at, zone)
        keys = [("all", "All customers")]
        for by, labels in (groups or {}).items():
            label = labels.get(email.customer_id)
            if label:
                keys.append((by, label))
        for key in keys:
            cell = counts[key][slot]
            cell[0] += 1
            cell[1] += yes
            for level, time in times.items():
                tally = coarse[key][level][time]
                tally[0] += 1
                tally[1] += yes
    out = []
    order = {by: n for n, (by, _title) in enumerate(BY)}
    for (by, label), cells in sorted(counts.items(), key=lambda kv: (order.get(kv[0][0], 9),
                                                                      kv[0][1])):  # fmt: skip
        slots = tuple(
            sorted(
                (ReachSlot(w, h, n, r) for (w, h), (n, r) in cells.items()),
                key=lambda s: (-s.sent, s.weekday, s.hour),
            )
        )
        levels = {lv: {t: (n, r) for t, (n, r) in ts.items()}
                  for lv, ts in coarse[(by, label)].items()}  # fmt: skip
        answer_at, answer_cells, top, best, p = choose(levels, floor)
        sent, answered_ = sum(s.sent for s in slots), sum(s.answered for s in slots)
        out.append(ReachGroup(by, label, sent, answered_, slots, best, floor, measure,
                              answer_at, answer_cells, top, p))  # fmt: skip
    return tuple(out)


def _replied(email: SentEmail) -> bool:
    return email.reply_at is not None


def returns_after(
    session: Session, emails: Iterable[SentEmail], window_days: int, now: dt.datetime
) -> tuple[set[int], set[int]]:
    """The outreach ids of the emails a return followed (a paid order within
    ``window_days`` after sending, as Results' attribution counts it), and of those whose
    window had not closed by ``now`` (naive UTC)."""
    import pandas as pd

    from services.learn.attribution import CONTACTED, attribute

    listed = list(emails)
    if not listed:
        return set(), set()
    exposures = pd.DataFrame(
        {
            "customer_id": [e.customer_id for e in listed],
            "group": CONTACTED,
            "start": pd.to_datetime([e.sent_at for e in listed]),
        }
    )
    earliest = min(e.sent_at for e in listed)
    emailed = select(Outreach.customer_id).where(Outreach.channel == "email").distinct()
    rows = session.execute(
        select(Order.customer_id, Order.order_date, Order.amount_cents).where(
            Order.status == "paid",
            Order.order_date >= earliest,
            Order.order_date <= now,
            Order.customer_id.in_(emailed),
        )
    ).all()
    orders = pd.DataFrame(
        {
            "customer_id": pd.Series([int(r[0]) for r in rows], dtype="int64"),
            "order_date": pd.to_datetime([r[1] for r in rows]),
            "amount_cents": pd.Series([int(r[2] or 0) for r in rows], dtype="int64"),
        }
    )
    result = attribute(exposures, orders, window_days, as_of=now)
    window = dt.timedelta(days=window_days)
    returned = {e.outreach_id for e, hit in zip(listed, result["reengaged"], strict=True) if hit}
    open_ = {e.outreach_id for e in listed if e.sent_at + window > now}
    return returned, open_


def _answered(
    measure: str, returned: set[int], open_: set[int]
) -> Callable[[SentEmail], bool | None]:
    def answered(email: SentEmail) -> bool | None:
        replied = email.reply_at is not None
        if measure == "reply":
            return replied
        if email.outreach_id in open_:
            return None
        came_back = email.outreach_id in returned
        return came_back if measure == "return" else replied or came_back

    return answered


def _segments(session: Session) -> dict[int, str]:
    from services.scoring.queries import latest_run_id

    run_id = latest_run_id(session)
    if run_id is None:
        return {}
    rows = session.execute(
        select(ScoreSnapshot.customer_id, ScoreSnapshot.segment).where(
            ScoreSnapshot.scoring_run_id == run_id, ScoreSnapshot.segment.is_not(None)
        )
    )
    return {int(c): str(s) for c, s in rows}


def reach_report(
    engine: Engine,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    today: dt.date | None = None,
    measure: str = DEFAULT_MEASURE,
    now: dt.datetime | None = None,
) -> ReachReport:
    """The best times to reach out, from the emails sent from ``since`` to ``until``,
    answered by ``measure`` ("reply", "return" or "either"), as of ``now`` (UTC)."""
    from services.lifecycle.book import stage_book
    from services.lifecycle.reach_records import MEASURE_WORDS
    from services.replies.report import replies_report

    if measure not in MEASURE_WORDS:
        raise ValueError(f"no such measure {measure!r}; choose one of {sorted(MEASURE_WORDS)}")
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    replies = replies_report(engine, since, until, today=today)
    with Session(engine) as session:
        zone_name = workspace_zone(DateSettings.read(session).time_zone or None)
        floor = int(LifecycleSettings.read(session).reach_min_emails)
        window = int(LearnSettings.read(session).attribution_days)
        segments = _segments(session)
        returned, open_ = (
            returns_after(session, replies.emails, window, moment)
            if measure != "reply"
            else (set(), set())
        )
    stages = {s.customer_id: s.label for s in stage_book(engine).staged if s.stage}
    groups = reach_times(replies.emails, ZoneInfo(zone_name), floor,
                         {"segment": segments, "stage": stages},
                         answered=_answered(measure, returned, open_), measure=measure)  # fmt: skip
    return ReachReport(replies.first_day, replies.last_day, zone_name, floor, groups,
                       measure, window, len(open_))  # fmt: skip


def reach_hint(engine: Engine, customer_id: int) -> str:
    """The composer's hint for one customer: their segment's or stage's best time to reach
    out (services/lifecycle/reach_records.hint_for)."""
    from services.lifecycle.book import stage_book
    from services.lifecycle.reach_records import hint_for

    report = reach_report(engine)
    with Session(engine) as session:
        segment = _segments(session).get(customer_id)
    staged = stage_book(engine, only=customer_id).staged
    stage = staged[0].label if staged and staged[0].stage else None
    return hint_for(report, segment, stage)


def batch_send_times(engine: Engine, batch_id: int) -> tuple[str, dict[int, str]]:
    """For a "Draft for all" batch: the one line over its drafts (reach_records.queue_words:
    the best time its customers share, or why none is named), and for each customer whose
    own segment or stage names a time the line above does not, "Send at: Tuesday 9–11 ..."."""
    from models.schema import BatchDraft
    from services.lifecycle.book import stage_book
    from services.lifecycle.reach_records import answer_for, queue_words, send_at_words

    report = reach_report(engine)
    with Session(engine) as session:
        ids = set(
            session.scalars(select(BatchDraft.customer_id).where(BatchDraft.batch_id == batch_id))
        )
        segments = _segments(session)
    stages = {s.customer_id: s.label for s in stage_book(engine).staged if s.stage}
    whose = {int(cid): (segments.get(cid), stages.get(cid)) for cid in ids}
    summary = queue_words(report, list(whose.values()))
    answers = {cid: answer_for(report, *pair) for cid, pair in whose.items()}
    speakers = {found[1] for found in answers.values() if found is not None}
    above = next(iter(speakers)) if len(speakers) == 1 else "all customers"  # the line's
    out = {}
    for cid, found in answers.items():
        words = send_at_words(report, *whose[cid])
        if words and found is not None and found[1] != above:
            out[cid] = words
    return summary, out
