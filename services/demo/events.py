"""What happens around the orders: emails, tickets, reviews, calls, deals, memberships."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from models.schema import (
    Interaction,
    Opportunity,
    Subscription,
)
from services.demo.generate import (
    _Customers,
    _day_of_month,
    _month_of,
    _nones,
    _objects,
    _Orders,
    _param,
    _pick,
)
from services.demo.phrasing import NOTE_WORDINGS, REVIEW_WORDINGS, TICKET_WORDINGS, pick
from services.demo.tables import _TableData
from services.demo.vocabulary import (
    _CHURNED,
    _DAY,
    _EPOCH,
    _FAILURE_TOPICS,
    _LAPSING,
    _OPEN_STAGE_SHARES,
    _OPPORTUNITY_MEDIAN_USD,
    _OPPORTUNITY_TYPE_SHARES,
    _STAGE_PROBABILITY,
    _TICKET_CHANNEL_SHARES,
    _TICKET_TOPIC_WEIGHT,
    CAMPAIGN_COUNT,
    CAMPAIGN_REACH,
    CAMPAIGN_SUBJECTS,
    CATEGORY_ITEMS,
    CLUB_PLANS,
    OPEN_STAGES,
    OPPORTUNITY_TYPES,
    OWNER_CALLS,
    OWNER_NOTES,
    OWNERS,
    REVIEWS,
    SATISFACTIONS,
    SOURCE,
    TICKET_CHANNELS,
    TICKET_TOPICS,
    BoolArray,
    IntArray,
    ObjArray,
)


@dataclass
class _Events:
    """Interaction rows as columns; several sources are merged, then sorted by time."""

    kind: ObjArray
    customer: IntArray
    seconds: IntArray  # since 1970-01-01 UTC
    channel: ObjArray
    subject: ObjArray
    text: ObjArray
    sentiment: ObjArray
    rating: ObjArray
    status: ObjArray
    satisfaction: ObjArray

    @classmethod
    def plain(
        cls,
        kind: str,
        customer: IntArray,
        seconds: IntArray,
        channel: str | None,
        subject: ObjArray,
    ) -> _Events:
        n = len(customer)
        return cls(
            kind=np.full(n, kind, dtype=object),
            customer=customer,
            seconds=seconds,
            channel=np.full(n, channel, dtype=object),
            subject=subject,
            text=_nones(n),
            sentiment=_nones(n),
            rating=_nones(n),
            status=_nones(n),
            satisfaction=_nones(n),
        )

    def keep(self, mask: BoolArray) -> _Events:
        return _Events(**{k: v[mask] for k, v in vars(self).items()})

    @staticmethod
    def concat(parts: Sequence[_Events]) -> _Events:
        names = list(vars(parts[0]))
        return _Events(**{k: np.concatenate([vars(p)[k] for p in parts]) for k in names})


def _emails(rng: np.random.Generator, arch: IntArray, cust: _Customers, today_day: int) -> _Events:
    """Campaign sends, opens, clicks and unsubscribes over the last year."""
    n = len(arch)
    last_tuesday = today_day - 2 - ((today_day - 2 - 5) % 7)  # 1970-01-06 was a Tuesday
    campaign_day = last_tuesday - 28 * np.arange(CAMPAIGN_COUNT - 1, -1, -1, dtype=np.int64)
    months = _month_of(campaign_day) + 1
    subjects = _objects([CAMPAIGN_SUBJECTS[m][k % 2] for k, m in enumerate(months.tolist())])
    # Marketing stops mailing people who have not bought in two years (list hygiene).
    days = campaign_day[None, :]
    eligible = (
        (cust.opted_in & ~cust.dnc)[:, None]
        & (cust.signup_day[:, None] <= days)
        & (days - cust.last_day[:, None] <= 730)
    )
    # Interest fades once a customer stops buying: the email signal scoring looks for.
    idle = np.maximum(0, days - cust.last_day[:, None] - 30)
    fade = np.maximum(0.12, np.exp(-idle / 120.0))
    hazard = _param("unsub_hazard")[arch][:, None] * (1.0 + 1.5 * (1.0 - fade))
    # Each campaign goes to a segment of the list, not to everyone on it.
    reached = eligible & (rng.random((n, CAMPAIGN_COUNT)) < CAMPAIGN_REACH)
    hit = reached & (rng.random((n, CAMPAIGN_COUNT)) < hazard)
    unsubscribed = hit.any(axis=1)
    unsub_at = np.where(unsubscribed, hit.argmax(axis=1), CAMPAIGN_COUNT)
    sent = reached & (np.arange(CAMPAIGN_COUNT)[None, :] <= unsub_at[:, None])

    taste = rng.lognormal(0.0, 0.35, n)[:, None]
    p_open = np.minimum(0.95, _param("open_rate")[arch][:, None] * taste * fade)
    is_unsub = np.arange(CAMPAIGN_COUNT)[None, :] == unsub_at[:, None]
    opened = sent & ((rng.random((n, CAMPAIGN_COUNT)) < p_open) | is_unsub)
    clicked = (
        opened & ~is_unsub & (rng.random((n, CAMPAIGN_COUNT)) < _param("click_rate")[arch][:, None])
    )

    send_seconds = campaign_day * _DAY + 14 * 3600  # 10 am Eastern
    sc, sk = np.nonzero(sent)
    sends = _Events.plain(
        "email_sent",
        sc,
        send_seconds[sk] + rng.integers(0, 2400, len(sc)),
        "email",
        subjects[sk],
    )
    oc, ok = np.nonzero(opened)
    open_delay = np.minimum(rng.exponential(7 * 3600, len(oc)), 96 * 3600).astype(np.int64)
    open_seconds = send_seconds[ok] + 2400 + open_delay
    opens = _Events.plain("email_open", oc, open_seconds, "email", subjects[ok])
    clicked_among_opened = clicked[oc, ok]
    clicks = _Events.plain(
        "email_click",
        oc[clicked_among_opened],
        open_seconds[clicked_among_opened] + rng.integers(20, 1200, clicked_among_opened.sum()),
        "email",
        subjects[ok][clicked_among_opened],
    )
    uc = np.flatnonzero(unsubscribed)
    uk = unsub_at[uc]
    unsubs = _Events.plain(
        "unsubscribe",
        uc,
        send_seconds[uk] + rng.integers(3600, 72 * 3600, len(uc)),
        "email",
        subjects[uk],
    )
    return _Events.concat([sends, opens, clicks, unsubs])


def _support(
    rng: np.random.Generator, arch: IntArray, cust: _Customers, orders: _Orders, today_day: int
) -> _Events:
    """Tickets and reviews after orders; trouble clusters after a leaver's last order."""
    troubled = np.isin(arch, (_LAPSING, _CHURNED))
    oa = arch[orders.customer]
    # Tickets: a share of orders, plus a complaint soon after many leavers' last order.
    background = rng.random(len(oa)) < _param("ticket_rate")[oa]
    trigger = orders.is_last & troubled[orders.customer] & (rng.random(len(oa)) < 0.6)
    t_idx = np.flatnonzero(background | trigger)
    is_trigger = trigger[t_idx]
    t_cust = orders.customer[t_idx]
    t_day = orders.day[t_idx] + np.where(
        is_trigger, rng.integers(1, 21, len(t_idx)), rng.integers(1, 13, len(t_idx))
    )
    topic = np.where(
        is_trigger,
        rng.choice(_FAILURE_TOPICS, len(t_idx)),
        rng.choice(len(TICKET_TOPICS), len(t_idx), p=_TICKET_TOPIC_WEIGHT),
    )
    age = today_day - t_day
    u = rng.random(len(t_idx))
    late = np.where(troubled[t_cust], 0.03, 0.01)  # some stay unresolved past any SLA
    # Recent tickets are still being worked on; a few old ones never got resolved.
    recent_status = np.where(u < 0.35, "open", np.where(u < 0.65, "pending", "solved"))
    old_status = np.where(u < late, "open", "solved")
    status = np.where(age <= 14, recent_status, old_status).astype(object)
    bad = np.where(is_trigger, 0.65, _param("bad_ticket")[arch[t_cust]])
    good = np.where(is_trigger, 0.07, 0.58 - _param("bad_ticket")[arch[t_cust]])
    cumulative = np.stack([good, good + bad, good + bad + 0.25, good + bad + 0.42], axis=1)
    satisfaction = _pick(rng, cumulative)
    satisfaction[status != "solved"] = 3  # unoffered until the ticket is solved
    centre = np.array([0.5, -0.65, -0.15, -0.15])[satisfaction]
    sentiment = np.clip(centre + rng.normal(0, 0.2, len(t_idx)), -1, 1).round(3)
    items = [CATEGORY_ITEMS[i] for i in orders.item[t_idx].tolist()]
    texts = [
        pick(TICKET_TOPICS[k][1], TICKET_WORDINGS[k], j).format(order=o, item=it)
        for j, (k, o, it) in enumerate(
            zip(topic.tolist(), orders.external[t_idx].tolist(), items, strict=True)
        )
    ]
    tickets = _Events(
        kind=np.full(len(t_idx), "ticket", dtype=object),
        customer=t_cust,
        seconds=t_day * _DAY + rng.integers(9 * 3600, 20 * 3600, len(t_idx)),
        channel=_objects(TICKET_CHANNELS)[
            rng.choice(len(TICKET_CHANNELS), len(t_idx), p=_TICKET_CHANNEL_SHARES)
        ],
        subject=_objects([s for s, _, _ in TICKET_TOPICS])[topic],
        text=_objects(texts),
        sentiment=_objects(sentiment.tolist()),
        rating=_nones(len(t_idx)),
        status=status,
        satisfaction=_objects(SATISFACTIONS)[satisfaction],
    )

    # Reviews: leavers often review their last order, and badly.
    r_last = orders.is_last & troubled[orders.customer] & (rng.random(len(oa)) < 0.25)
    r_idx = np.flatnonzero((rng.random(len(oa)) < _param("review_rate")[oa]) | r_last)
    r_cust = orders.customer[r_idx]
    mean = _param("review_mean")[arch[r_cust]] - np.where(r_last[r_idx], 1.6, 0.0)
    rating = np.clip(np.round(mean + rng.normal(0, 0.9, len(r_idx))), 1, 5).astype(np.int64)
    choice = rng.integers(0, 12, len(r_idx))
    review_items = [CATEGORY_ITEMS[i] for i in orders.item[r_idx].tolist()]
    titles, bodies = [], []
    for j, (r, c, it) in enumerate(
        zip(rating.tolist(), choice.tolist(), review_items, strict=True)
    ):
        title, body = REVIEWS[r][c % len(REVIEWS[r])]
        titles.append(title)
        bodies.append(pick(body, REVIEW_WORDINGS[body], j).format(item=it))
    r_sentiment = np.clip((rating - 3) / 2 + rng.normal(0, 0.12, len(r_idx)), -1, 1).round(3)
    reviews = _Events(
        kind=np.full(len(r_idx), "review", dtype=object),
        customer=r_cust,
        seconds=(orders.day[r_idx] + rng.integers(5, 26, len(r_idx))) * _DAY
        + rng.integers(7 * 3600, 23 * 3600, len(r_idx)),
        channel=np.where(rng.random(len(r_idx)) < 0.7, "web", "app").astype(object),
        subject=_objects(titles),
        text=_objects(bodies),
        sentiment=_objects(r_sentiment.tolist()),
        rating=_objects(rating.tolist()),
        status=_nones(len(r_idx)),
        satisfaction=_nones(len(r_idx)),
    )
    both = _Events.concat([tickets, reviews])
    return both.keep(both.seconds < today_day * _DAY)


def _interaction_table(ev: _Events, today_day: int, *, detailed: bool) -> _TableData:
    """A chronological interaction table; tickets and reviews get source ids.

    Email rows leave out the columns they never fill: fewer keys per row makes
    the bulk insert markedly faster, and absent columns are NULL all the same.
    """
    ev = ev.keep(ev.seconds < today_day * _DAY)
    ev = ev.keep(np.argsort(ev.seconds, kind="stable"))  # type: ignore[arg-type]
    n = len(ev.kind)
    columns: dict[str, npt.NDArray[Any]] = {
        "kind": ev.kind,
        "occurred_at": ev.seconds.astype("datetime64[s]"),
        "channel": ev.channel,
        "subject": ev.subject,
        "source": np.full(n, SOURCE, dtype=object),
    }
    if detailed:
        external = _nones(n)
        for kind, prefix in (("ticket", "T"), ("review", "R")):
            where = np.flatnonzero(ev.kind == kind)
            external[where] = _objects([f"{prefix}{100001 + k}" for k in range(len(where))])
        columns |= {
            "text": ev.text,
            "sentiment": ev.sentiment,
            "rating": ev.rating,
            "status": ev.status,
            "satisfaction": ev.satisfaction,
            "external_id": external,
        }
    return _TableData(Interaction.__table__, columns, customer=ev.customer)  # type: ignore[arg-type]


def _owner_touches(
    rng: np.random.Generator, arch: IntArray, cust: _Customers, today_day: int
) -> _TableData:
    """Calls and notes logged by account managers, mostly on their best customers."""
    count = rng.poisson(_param("owner_touch")[arch])
    c = np.repeat(np.arange(len(arch)), count).astype(np.int64)
    lo = np.maximum(cust.first_day[c], today_day - 540)
    day = lo + np.floor(rng.random(len(c)) * (today_day - lo)).astype(np.int64)
    is_call = rng.random(len(c)) < 0.6
    choice = rng.integers(0, 20, len(c))
    subjects, texts = [], []
    for j, (call, k) in enumerate(zip(is_call.tolist(), choice.tolist(), strict=True)):
        subject, text = (OWNER_CALLS if call else OWNER_NOTES)[k % (5 if call else 4)]
        subjects.append(subject)
        texts.append(pick(text, NOTE_WORDINGS[text], j))
    order = np.argsort(day, kind="stable")
    n = len(c)
    seconds = day * _DAY + rng.integers(9 * 3600, 18 * 3600, n)
    return _TableData(
        Interaction.__table__,  # type: ignore[arg-type]
        {
            "kind": np.where(is_call, "call", "note").astype(object)[order],
            "occurred_at": seconds.astype("datetime64[s]")[order],
            "channel": _objects(["phone" if call else None for call in is_call.tolist()])[order],
            "subject": _objects(subjects)[order],
            "text": _objects(texts)[order],
            "source": np.full(n, SOURCE, dtype=object),
            "attributes": _objects([{"by": OWNERS[o]} for o in cust.owner[c].tolist()])[order],
        },
        customer=c[order],
    )


def _opportunities(
    rng: np.random.Generator, arch: IntArray, cust: _Customers, today_day: int
) -> tuple[_TableData, IntArray]:
    """Deals in every stage, some stalled for weeks; leavers' deals mostly lost.

    Also returns the customers with corporate deals (gifting, events): they buy for
    a company.
    """
    count = np.minimum(rng.poisson(_param("opportunity_rate")[arch]), 3)
    c = np.repeat(np.arange(len(arch)), count).astype(np.int64)
    n = len(c)
    a = arch[c]
    troubled = np.isin(a, (_LAPSING, _CHURNED))
    first_ago = today_day - cust.first_day[c]
    last_ago = today_day - cust.last_day[c]
    # Deals start while the customer is active: never before the first order.
    hi_ago = np.maximum(np.minimum(first_ago, 450), 2)
    lo_ago = np.where(a == _CHURNED, np.minimum(last_ago, hi_ago - 1), 1)
    age = (lo_ago + rng.random(n) * (hi_ago - lo_ago)).astype(np.int64) + 1
    closed = rng.random(n) < np.clip(age / 160, 0.05, 0.97) + np.where(troubled, 0.2, 0)
    won = closed & (rng.random(n) < _param("win_rate")[a])
    open_stage = rng.choice(len(OPEN_STAGES), n, p=_OPEN_STAGE_SHARES)
    stage = np.where(
        closed, np.where(won, "Closed Won", "Closed Lost"), _objects(OPEN_STAGES)[open_stage]
    ).astype(object)
    # Stalled deals sit in Qualified or Proposal for weeks: the stalled-deal alert's food.
    stallable = ~closed & np.isin(
        open_stage, [OPEN_STAGES.index(s) for s in ("Qualified", "Proposal")]
    )
    stalled = stallable & (rng.random(n) < np.where(troubled, 0.7, 0.4))
    quiet = np.where(stalled, rng.integers(28, 100, n), rng.integers(1, 22, n))
    changed_ago = np.where(
        closed, np.maximum(1, age - rng.integers(14, 121, n)), np.minimum(quiet, age)
    )
    close_day = np.where(
        closed, today_day - changed_ago, today_day - changed_ago + rng.integers(21, 76, n)
    )
    kind = rng.choice(len(OPPORTUNITY_TYPES), n, p=_OPPORTUNITY_TYPE_SHARES)
    dollars = rng.lognormal(np.log(np.array(_OPPORTUNITY_MEDIAN_USD)[kind]), 0.5)
    amount = (np.maximum(np.round(dollars / 50) * 50, 100) * 100).astype(np.int64)
    created = (today_day - age) * _DAY + rng.integers(9 * 3600, 18 * 3600, n)
    changed = np.maximum(created, (today_day - changed_ago) * _DAY + 11 * 3600)
    order = np.argsort(created, kind="stable")
    names = [
        f"{OPPORTUNITY_TYPES[k]} – {cust.columns['name'][i]} ({_season(d)})"
        for k, i, d in zip(kind.tolist(), c.tolist(), close_day.tolist(), strict=True)
    ]
    table = _TableData(
        Opportunity.__table__,  # type: ignore[arg-type]
        {
            "external_id": _objects([f"OPP-{k + 1:05d}" for k in range(n)]),
            "source": np.full(n, SOURCE, dtype=object),
            "name": _objects(names)[order],
            "type": _objects(OPPORTUNITY_TYPES)[kind][order],
            "stage": stage[order],
            "amount_cents": amount[order],
            "currency": np.full(n, "USD", dtype=object),
            "probability": _objects([_STAGE_PROBABILITY[s] for s in stage[order].tolist()]),
            "created_at": created.astype("datetime64[s]")[order],
            "stage_changed_at": changed.astype("datetime64[s]")[order],
            "close_date": close_day.astype("datetime64[D]")[order],
            "closed": closed[order],
            "won": won[order],
            "owner": _objects(OWNERS)[cust.owner[c]][order],
        },
        customer=c[order],
    )
    company_kinds = [OPPORTUNITY_TYPES.index(t) for t in ("Corporate gifting", "Event order")]
    corporate = np.unique(c[np.isin(kind, company_kinds)]).astype(np.int64)
    return table, corporate


def _season(day: int) -> str:
    d = _EPOCH + dt.timedelta(days=day)
    name = (
        "Winter",
        "Winter",
        "Spring",
        "Spring",
        "Spring",
        "Summer",
        "Summer",
        "Summer",
        "Fall",
        "Holiday",
        "Holiday",
        "Holiday",
    )[d.month - 1]
    return f"{name} {d.year}"


def _subscriptions(
    rng: np.random.Generator, arch: IntArray, cust: _Customers, today_day: int
) -> _TableData:
    """Style Club memberships; members who drift away cancel around their last order."""
    members = np.flatnonzero(rng.random(len(arch)) < _param("club_share")[arch])
    n = len(members)
    a = arch[members]
    troubled = np.isin(a, (_LAPSING, _CHURNED))
    first, last = cust.first_day[members], cust.last_day[members]
    start = first + np.floor(rng.random(n) * (np.minimum(last, today_day - 1) - first + 1))
    start = start.astype(np.int64)
    cancel = rng.random(n) < _param("club_cancel")[a]
    cancel_day = np.where(
        troubled,
        last + rng.integers(0, 91, n),
        start + 30 + np.floor(rng.random(n) * np.maximum(today_day - 1 - start - 30, 0)),
    ).astype(np.int64)
    cancel_day = np.clip(cancel_day, start + 1, today_day - 1)
    cancel &= cancel_day > start
    past_due = ~cancel & (rng.random(n) < np.where(troubled, 0.12, 0.03))
    scheduled = ~cancel & ~past_due & (rng.random(n) < np.where(troubled, 0.15, 0.04))
    plan = (rng.random(n) < 0.35).astype(np.int64)  # 0 monthly, 1 annual
    months = np.array([p[2] for p in CLUB_PLANS])[plan]
    # Current period end: the first renewal date after today, or after the cancellation.
    until = np.where(cancel, cancel_day, today_day)
    start_m = start.astype("datetime64[D]").astype("datetime64[M]")
    # Renewals fall on the start's day of the month, or the 28th, which every month has.
    billing_day = (np.minimum(_day_of_month(start), 28) - 1).astype("timedelta64[D]")
    elapsed = (until.astype("datetime64[D]").astype("datetime64[M]") - start_m).astype(np.int64)
    periods = elapsed // months + 1
    period_end = (start_m + periods * months).astype("datetime64[D]") + billing_day
    behind = period_end.astype(np.int64) <= until
    period_end[behind] = (start_m[behind] + (periods[behind] + 1) * months[behind]).astype(
        "datetime64[D]"
    ) + billing_day[behind]
    status = np.where(cancel, "canceled", np.where(past_due, "past_due", "active")).astype(object)
    alphabet = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    letters = alphabet[rng.integers(0, len(alphabet), (n, 14))]
    started_at = start * _DAY + rng.integers(8 * 3600, 22 * 3600, n)
    canceled_at = (cancel_day * _DAY + rng.integers(8 * 3600, 22 * 3600, n)).astype("datetime64[s]")
    canceled_at[~cancel] = np.datetime64("NaT")
    order = np.argsort(started_at, kind="stable")
    return _TableData(
        Subscription.__table__,  # type: ignore[arg-type]
        {
            "external_id": _objects(["sub_" + "".join(row) for row in letters.tolist()]),
            "source": np.full(n, SOURCE, dtype=object),
            "plan": _objects([p[0] for p in CLUB_PLANS])[plan][order],
            "status": status[order],
            "started_at": started_at.astype("datetime64[s]")[order],
            "current_period_end": (
                period_end.astype("datetime64[s]") + np.timedelta64(5 * 3600, "s")
            )[order],
            "canceled_at": canceled_at[order],
            "cancel_at_period_end": scheduled[order],
            "amount_cents": np.array([p[3] for p in CLUB_PLANS], dtype=np.int64)[plan][order],
            "currency": np.full(n, "USD", dtype=object),
            "interval": _objects([p[1] for p in CLUB_PLANS])[plan][order],
        },
        customer=members.astype(np.int64)[order],
    )
