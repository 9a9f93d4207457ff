"""The retention report's cost figures, defined once here (kpi_records says them in words):

- Incentive cost per retained customer. The offers redeemed in the period by the customers
  it retained: each discount recorded on one of their paid orders in the period (the
  order's imported attributes: Shopify's "Discount Amount", or a discount column a generic
  import kept), taken into the home currency; and each offer made in an email sent or
  exported to them in the period (outreach.offers as recorded, found in the text for
  older emails; the held out got none) that their next paid order within the attribution
  window redeemed, when that order records no discount of its own (a recorded discount
  counts already; one recorded as 0 says the offer was not used): a money offer at its
  amount, a percent off at that share of the order, together never more than the order.
  Divided by the retained customers, and by those of them contacted with an offer.
  Overall, and by the report's segments and owners.
- CAC against CLV by acquisition channel. A customer is acquired in the period when their
  first paid order falls in it; the channel is the one their customer record names (a
  Lead Source or Original Source kept by the CRM's import, ACQUISITION_KEYS), else that
  order's. CAC per channel is the user's (setting retention.cac_by_channel; channel names
  match without regard to case); CLV is lifetime: paid revenue to date plus the latest
  finished scoring's predicted T-month value (ScoreSnapshot.clv_12m_cents holds it over
  the run's T months). Months to recover CAC: CAC over the channel's revenue per customer
  per month, their CLVs over their months since the first order plus T.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.schema import Customer, Order, Outreach, ScoreSnapshot, ScoringRun
from models.vocab import SEGMENTS
from services.core.clv_words import run_clv_months
from services.core.local_dates import local_date
from services.core.money import MoneyContext
from services.retention.kpi_records import (
    DAYS_PER_MONTH,
    NO_CHANNEL,
    AcquisitionChannel,
    AcquisitionReport,
    IncentiveGroup,
    IncentiveReport,
)
from services.retention.records import NOT_SCORED, RetentionGroup

__all__ = [
    "ACQUISITION_KEYS",
    "DISCOUNT_KEYS",
    "acquisition_report",
    "discount_text",
    "incentive_report",
    "own_channel",
]

# The order attributes that hold the discount an order redeemed (compared in lower case,
# spaces and underscores alike): Shopify's order column and a generic file's usual names.
DISCOUNT_KEYS = frozenset(
    {"discount amount", "discount", "discounts", "total discounts", "coupon amount",
     "discount total", "voucher amount"}
)  # fmt: skip
# The customer fields that name how a customer was acquired, as imports keep them in the
# customer's attributes (Salesforce's LeadSource, HubSpot's Original Source, a generic
# file's acquisition channel or UTM source): compared in lower case without spaces or
# underscores. One wins over the channel of the first order.
ACQUISITION_KEYS = frozenset(
    {"leadsource", "originalsource", "acquisitionchannel", "acquisitionsource", "utmsource",
     "referralsource", "signupsource"}
)  # fmt: skip
CHUNK = 500  # ids per IN list
# Emails that reached the customer (a draft did not).
DELIVERED = ("sent", "exported")


def discount_text(attributes: Mapping[str, Any] | None) -> str | None:
    """The discount an order's attributes record, as written; None when they record none."""
    for key, value in (attributes or {}).items():
        named = isinstance(key, str) and key.replace("_", " ").strip().lower() in DISCOUNT_KEYS
        if named and value not in (None, ""):
            return str(value)
    return None


def _amount(text: str) -> float | None:
    """Hundredths of an amount written as text ("100.75", "$1,234.50", "-10,00")."""
    kept = re.sub(r"[^\d.,]", "", text)
    if "," in kept and "." in kept:
        kept = kept.replace(",", "")
    elif "," in kept:  # "10,50" is ten and a half; "1,234" a thousand and more
        whole, _, tail = kept.rpartition(",")
        kept = kept.replace(",", "") if len(tail) == 3 else f"{whole.replace(',', '')}.{tail}"
    try:
        return abs(float(kept)) * 100.0
    except ValueError:
        return None


@dataclass
class _Paid:
    """One paid order of a retained customer in the period."""

    day: dt.date
    cents: float  # home hundredths (0 without a rate)
    discount: float | None  # home hundredths recorded on it (None: records none)


@dataclass
class _Found:
    redeemed: dict[int, int] = field(default_factory=dict)
    contacted: set[int] = field(default_factory=set)
    left_out: Counter[str] = field(default_factory=Counter)


def _paid_orders(
    session: Session, ids: set[int], first: dt.date, end: dt.date, money: MoneyContext,
    found: _Found,
) -> dict[int, list[_Paid]]:  # fmt: skip
    o = Order
    lo = dt.datetime.combine(first - dt.timedelta(days=2), dt.time())
    hi = dt.datetime.combine(end + dt.timedelta(days=2), dt.time())
    rows = session.execute(
        select(o.customer_id, o.order_date, o.utc_offset_minutes, o.amount_cents, o.currency,
               o.attributes)
        .where(o.status == "paid", o.order_date >= lo, o.order_date < hi)
    )  # fmt: skip
    orders: dict[int, list[_Paid]] = defaultdict(list)
    for cid, when, offset, amount, currency, attributes in rows:
        day = local_date(when, offset)
        if int(cid) not in ids or day is None or not first <= day < end:
            continue
        rate = money.rate(currency)
        if rate is None:
            found.left_out[str(currency)] += 1
        text = discount_text(attributes if isinstance(attributes, dict) else None)
        written = _amount(text) if text is not None else None
        discount = None if written is None else written * (rate or 0.0)
        orders[int(cid)].append(_Paid(day, float(amount or 0) * (rate or 0.0), discount))
    for paid in orders.values():
        paid.sort(key=lambda p: p.day)
    return orders


def _offers(session: Session, ids: set[int], first: dt.date, end: dt.date) -> Iterable[
    tuple[int, dt.date, list[float], list[float]]
]:  # fmt: skip
    """Each delivered email of the period that made an offer: customer, day, amounts
    (hundredths) and percents."""
    from services.outreach.checks import offers_made

    r = Outreach
    when = func.coalesce(r.sent_at, r.created_at)
    lo, hi = dt.datetime.combine(first, dt.time()), dt.datetime.combine(end, dt.time())
    rows = session.execute(
        select(r.customer_id, when, r.offers, r.subject, r.body).where(
            r.status.in_(DELIVERED), r.holdout.is_(False), when >= lo, when < hi
        )
    )
    for cid, sent, stored, subject, body in rows:
        if int(cid) not in ids or sent is None:
            continue
        offers = stored if isinstance(stored, dict) else offers_made(subject, body)
        amounts = [float(a) for a in offers.get("amounts") or []]
        percents = [float(p) for p in offers.get("percents") or []]
        if amounts or percents:
            yield int(cid), local_date(sent, None) or first, amounts, percents


def _redeem(
    orders: list[_Paid], offers: list[tuple[dt.date, list[float], list[float]]], window: int
) -> float:
    """What one customer's offers cost in the period (module doc)."""
    cost = sum(p.discount for p in orders if p.discount)
    used: set[int] = set()
    for sent, amounts, percents in sorted(offers, key=lambda o: o[0]):
        last = sent + dt.timedelta(days=window)
        nxt = next((i for i, p in enumerate(orders) if sent <= p.day <= last), None)
        if nxt is None or nxt in used:
            continue
        used.add(nxt)
        order = orders[nxt]
        if order.discount is not None:
            continue  # its discount is counted already
        value = sum(amounts) + (min(max(percents), 100.0) / 100.0 * order.cents if percents else 0)
        cost += min(value, order.cents)
    return cost


def _group(key: str, label: str, group: RetentionGroup, found: _Found) -> IncentiveGroup:
    ids = group.customer_ids("retained")
    kept = set(ids)
    return IncentiveGroup(
        key,
        label,
        ids,
        {cid: c for cid, c in found.redeemed.items() if cid in kept},
        frozenset(found.contacted & kept),
    )


def incentive_report(
    session: Session,
    whole: RetentionGroup,
    by_segment: tuple[RetentionGroup, ...],
    by_owner: tuple[RetentionGroup, ...],
    money: MoneyContext,
    attribution_days: int,
) -> IncentiveReport:
    """The incentive cost of ``whole``'s retained customers (module doc)."""
    first, end = whole.first_day, whole.last_day + dt.timedelta(days=1)
    ids = set(whole.customer_ids("retained"))
    found = _Found()
    orders = _paid_orders(session, ids, first, end, money, found) if ids else {}
    offers: dict[int, list[tuple[dt.date, list[float], list[float]]]] = defaultdict(list)
    for cid, sent, amounts, percents in _offers(session, ids, first, end) if ids else ():
        offers[cid].append((sent, amounts, percents))
        found.contacted.add(cid)
    for cid in ids:
        cost = _redeem(orders.get(cid, []), offers.get(cid, []), attribution_days)
        if round(cost) > 0:
            found.redeemed[cid] = int(round(cost))
    return IncentiveReport(
        overall=_group("", "All retained", whole, found),
        by_segment=tuple(_group(g.key, g.label, g, found) for g in by_segment),
        by_owner=tuple(_group(g.key, g.label, g, found) for g in by_owner),
        attribution_days=attribution_days,
        money_note=money.left_out_note(found.left_out, "orders"),
    )


# --- CAC against CLV ----------------------------------------------------------------------


def _latest_values(
    session: Session,
) -> tuple[dict[int, int], dict[int, str], int, dt.date | None]:
    """The latest finished scoring's predicted value and segment per customer, its T and
    its date."""
    run = session.execute(
        select(ScoringRun.id, ScoringRun.as_of, ScoringRun.params)
        .where(ScoringRun.status == "finished")
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    ).first()
    if run is None:
        return {}, {}, run_clv_months(None), None
    rows = session.execute(
        select(ScoreSnapshot.customer_id, ScoreSnapshot.clv_12m_cents, ScoreSnapshot.segment)
        .where(ScoreSnapshot.scoring_run_id == run[0])
    )  # fmt: skip
    values, segments = {}, {}
    for cid, cents, segment in rows:
        values[int(cid)] = int(cents or 0)
        if segment:
            segments[int(cid)] = str(segment)
    params = run[2] if isinstance(run[2], dict) else None
    return values, segments, run_clv_months(params), run[1]


def _cac_cents(cac: Mapping[str, Any], channel: str | None) -> int | None:
    wanted = (channel or "").strip().lower()
    for name, amount in cac.items():
        if str(name).strip().lower() == wanted and wanted:
            return int(round(float(amount) * 100))
    return None


def _first_orders(
    session: Session, first: dt.date, end: dt.date, today: dt.date, money: MoneyContext
) -> tuple[dict[int, tuple[dt.date, str | None]], Counter[int], Counter[str]]:
    """The customers whose first paid order falls in [first, end): its local date and
    channel; and their paid revenue to ``today`` in home hundredths (aggregated in the
    database: a workspace of a million orders reads only the first orders of the period)."""
    o = Order
    paid = o.status == "paid"
    upto = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    lo = dt.datetime.combine(first - dt.timedelta(days=2), dt.time())
    hi = dt.datetime.combine(end + dt.timedelta(days=2), dt.time())
    earliest = (
        select(o.customer_id.label("cid"), func.min(o.order_date).label("day"))
        .where(paid, o.order_date < upto)
        .group_by(o.customer_id)
        .subquery()
    )
    rows = session.execute(
        select(o.customer_id, o.order_date, o.utc_offset_minutes, o.channel)
        .join(earliest, (o.customer_id == earliest.c.cid) & (o.order_date == earliest.c.day))
        .where(paid, earliest.c.day >= lo, earliest.c.day < hi)
        .order_by(o.customer_id, o.id)
    )
    firsts: dict[int, tuple[dt.date, str | None]] = {}
    for cid, when, offset, channel in rows:
        day = local_date(when, offset)
        if int(cid) not in firsts and day is not None and first <= day < end:
            firsts[int(cid)] = (day, (channel or "").strip() or None)
    _own_channels(session, firsts)
    revenue: Counter[int] = Counter()
    left_out: Counter[str] = Counter()
    sums = session.execute(
        select(o.customer_id, o.currency, func.sum(o.amount_cents), func.count())
        .join(earliest, o.customer_id == earliest.c.cid)
        .where(paid, o.order_date < upto, earliest.c.day >= lo, earliest.c.day < hi)
        .group_by(o.customer_id, o.currency)
    )
    for cid, currency, amount, count in sums:
        if int(cid) not in firsts:
            continue
        cents = money.to_home(float(amount or 0), currency)
        if cents is None:
            left_out[str(currency)] += int(count)
        revenue[int(cid)] += int(round(cents or 0))
    return firsts, revenue, left_out


def own_channel(attributes: Mapping[str, Any] | None) -> str | None:
    """How a customer record says they were acquired (ACQUISITION_KEYS); None if it does not."""
    for key, value in (attributes or {}).items():
        named = isinstance(key, str) and re.sub(r"[\s_]", "", key).lower() in ACQUISITION_KEYS
        if named and isinstance(value, str) and value.strip():
            return value.strip()[:64]
    return None


def _own_channels(session: Session, firsts: dict[int, tuple[dt.date, str | None]]) -> None:
    """Each acquired customer's own acquisition channel, where their record names one."""
    ids = sorted(firsts)
    for at in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Customer.id, Customer.attributes).where(
                Customer.id.in_(ids[at : at + CHUNK]), Customer.attributes.is_not(None)
            )
        )
        for cid, attributes in rows:
            channel = own_channel(attributes if isinstance(attributes, dict) else None)
            if channel is not None:
                firsts[int(cid)] = (firsts[int(cid)][0], channel)


def _by_segment(
    firsts: Mapping[int, object],
    segments: Mapping[int, str],
    cac_of: Mapping[int, int | None],
    row: Callable[[str, str, tuple[int, ...], int | None], AcquisitionChannel],
) -> tuple[AcquisitionChannel, ...]:
    """The acquired customers by the latest scoring's segment; a segment's CAC is the mean
    of its customers' (each at their channel's), None when one of them has none."""
    parts: dict[str, list[int]] = defaultdict(list)
    for cid in firsts:
        parts[segments.get(cid, NOT_SCORED)].append(cid)
    known = list(SEGMENTS)

    def order(name: str) -> tuple[bool, int, str]:
        return (name == NOT_SCORED, known.index(name) if name in known else len(known), name)

    out = []
    for name in sorted(parts, key=order):
        ids = tuple(sorted(parts[name]))
        cacs = [cac_of.get(cid) for cid in ids]
        known_cacs = [c for c in cacs if c is not None]
        cac = round(sum(known_cacs) / len(ids)) if len(known_cacs) == len(ids) else None
        out.append(row(name, name, ids, cac))
    return tuple(out)


def acquisition_report(
    session: Session,
    first: dt.date,
    end: dt.date,
    today: dt.date,
    money: MoneyContext,
    cac_setting: Mapping[str, Any],
    margin_percent: float = 0.0,
) -> AcquisitionReport:
    """CAC against CLV of the customers whose first paid order falls in [first, end),
    counted with the margin rate (learn.margin_percent; 0: none set, revenue)."""
    firsts, revenue, left_out = _first_orders(session, first, end, today, money)
    values, segments, months, scored = _latest_values(session)

    def row(key: str, label: str, ids: tuple[int, ...], cac: int | None) -> AcquisitionChannel:
        clv = {cid: revenue[cid] + values.get(cid, 0) for cid in ids}
        lived = sum((today - firsts[cid][0]).days / DAYS_PER_MONTH + months for cid in ids)
        return AcquisitionChannel(key, label, ids, cac, clv, lived, margin_percent)

    groups: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, str] = {}
    for cid, (_day, channel) in firsts.items():
        key = (channel or "").lower()
        groups[key].append(cid)
        labels.setdefault(key, channel or NO_CHANNEL)
    channels: list[AcquisitionChannel] = []
    cac_of: dict[int, int | None] = {}
    for key in sorted(groups, key=lambda k: (k == "", labels[k].lower())):
        ids = tuple(sorted(groups[key]))
        cac = _cac_cents(cac_setting, labels[key] if key else None)
        cac_of.update(dict.fromkeys(ids, cac))
        channels.append(row(key, labels[key], ids, cac))
    by_segment = _by_segment(firsts, segments, cac_of, row)
    return AcquisitionReport(
        channels=tuple(channels),
        by_segment=by_segment,
        value_months=months,
        scored_as_of=scored,
        as_of=today,
        unset=tuple(c.label for c in channels if c.cac_cents is None),
        money_note=money.left_out_note(left_out, "orders"),
        margin_percent=margin_percent,
    )
