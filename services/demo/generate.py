"""Generating the rows, vectorised with numpy: the customers and their orders."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from models.schema import (
    Customer,
    Order,
)
from services.demo.tables import _TableData
from services.demo.vocabulary import (
    _CATEGORY_BASE,
    _CHANNEL_SHARES,
    _CHURNED,
    _DAY,
    _HOUR_WEIGHT,
    _LAPSING,
    _LOYAL,
    _MONTH_WEIGHT,
    _NEW,
    _OCCASIONAL,
    _ONE_TIME,
    _SEASONAL,
    _TIER_CENTS,
    _VIP,
    ARCHETYPES,
    CATEGORIES,
    CHANNELS,
    CITIES,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    HISTORY_DAYS,
    LAST_NAMES,
    OWNERS,
    REGION_SHARES,
    REGIONS,
    SOURCE,
    TIERS,
    BoolArray,
    FloatArray,
    IntArray,
    ObjArray,
)

# ----------------------------------------------------------------------- generation


def _param(name: str) -> FloatArray:
    return np.array([getattr(a, name) for a in ARCHETYPES], dtype=np.float64)


def _objects(values: Sequence[Any]) -> ObjArray:
    """An object array of Python values (never numpy scalars, which drivers reject)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _nones(n: int) -> ObjArray:
    return np.full(n, None, dtype=object)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _pick(rng: np.random.Generator, cumulative: FloatArray) -> IntArray:
    """One draw per row from row-specific distributions given as cumulative rows."""
    u = rng.random(len(cumulative)) * cumulative[:, -1]
    return np.asarray((cumulative < u[:, None]).sum(axis=1), dtype=np.int64)


def _exact_shares(rng: np.random.Generator, n: int, shares: Sequence[float]) -> IntArray:
    """Labels with exactly the given shares (largest remainder), in random order."""
    raw = np.asarray(shares) * n
    counts = np.floor(raw).astype(np.int64)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return np.asarray(rng.permutation(np.repeat(np.arange(len(shares)), counts)), np.int64)


def _month_of(days: IntArray) -> IntArray:
    """Calendar month (0..11) of day numbers counted from 1970-01-01."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return np.asarray(months % 12, dtype=np.int64)


def _day_of_month(days: IntArray) -> IntArray:
    """Day of the month (1..31) of day numbers counted from 1970-01-01."""
    d = days.astype("datetime64[D]")
    return np.asarray((d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1)


def _place(
    rng: np.random.Generator,
    lo: FloatArray,
    hi: FloatArray,
    warp: FloatArray,
    season: IntArray,
) -> FloatArray:
    """Order times in [lo, hi): warped uniform, thinned by calendar seasonality.

    warp > 1 packs orders early in the window so the gaps lengthen towards its end
    (how a lapsing customer drifts away). Rejection sampling runs in rounds over
    all pending orders at once.
    """
    out = np.empty(len(lo))
    todo = np.arange(len(lo))
    peak = _MONTH_WEIGHT.max(axis=1)
    for _ in range(40):
        u = rng.random(len(todo)) ** warp[todo]
        t = lo[todo] + u * (hi[todo] - lo[todo])
        weight = _MONTH_WEIGHT[season[todo], _month_of(np.floor(t).astype(np.int64))]
        ok = rng.random(len(todo)) * peak[season[todo]] < weight
        out[todo[ok]] = t[ok]
        todo = todo[~ok]
        if len(todo) == 0:
            break
    else:  # a window with no in-season day left: keep the last candidates
        out[todo] = t[~ok]
    return out


@dataclass
class _Orders:
    """Orders plus the per-customer facts that later steps derive behaviour from."""

    table: _TableData
    customer: IntArray  # generation index per order, sorted by (customer, time)
    day: IntArray
    item: IntArray  # category index
    external: ObjArray
    is_last: BoolArray
    first_day: IntArray  # per customer
    last_day: IntArray  # per customer
    spend_cents: IntArray  # per customer, paid orders only
    favorite: IntArray  # per customer favourite category
    channel: IntArray  # per customer preferred channel


def _order_times(
    rng: np.random.Generator, arch: IntArray, today_day: int
) -> tuple[IntArray, FloatArray]:
    """Each order's customer (generation index) and time in days, sorted by both."""
    n = len(arch)
    today = float(today_day)
    start_ago = np.empty(n)
    end_ago = np.zeros(n)
    # Active window of each archetype, in days before today (see the module docstring).
    windows = {
        _VIP: (420, HISTORY_DAYS),
        _LOYAL: (300, HISTORY_DAYS),
        _SEASONAL: (400, HISTORY_DAYS),
        _OCCASIONAL: (200, HISTORY_DAYS),
        _NEW: (1, 70),
        _ONE_TIME: (75, HISTORY_DAYS),
    }
    for a, (low, high) in windows.items():
        m = arch == a
        start_ago[m] = rng.uniform(low, high, m.sum())
    lapsing, churned = arch == _LAPSING, arch == _CHURNED
    # Leavers: a last order long ago, and a history of some length before it that
    # still fits in the window (clipping it would pile first orders on one day).
    for mask, (end_low, end_high), (span_low, span_high) in (
        (lapsing, (120, 300), (240, 800)),
        (churned, (380, 1000), (30, 600)),
    ):
        end = rng.uniform(end_low, end_high, mask.sum())
        room = np.minimum(span_high, HISTORY_DAYS - end)
        end_ago[mask] = end
        start_ago[mask] = end + span_low + rng.random(mask.sum()) * (room - span_low)
    lo, hi = today - start_ago, today - end_ago

    gap = _param("order_gap_days")[arch]
    span = hi - lo
    interior = rng.poisson(np.where(gap > 0, span / np.maximum(gap, 1), 0)).astype(np.int64)
    seasonal = arch == _SEASONAL
    interior[seasonal] = np.maximum(interior[seasonal], 1)
    forced_first = ~seasonal
    forced_last = lapsing | churned
    # Long, lengthening gaps before a customer lapses or leaves.
    warp = np.select([lapsing, churned], [1.8, 1.4], 1.0)

    inner_cust = np.repeat(np.arange(n), interior)
    inner_lo, inner_hi = lo[inner_cust], hi[inner_cust]
    if forced_last.any():
        # Interior orders stay strictly before the fixed last order.
        inner_hi = np.where(forced_last[inner_cust], inner_hi - 1.0, inner_hi)
    inner_t = _place(
        rng,
        inner_lo,
        np.maximum(inner_hi, inner_lo),
        warp[inner_cust],
        seasonal[inner_cust].astype(np.int64),
    )
    first_cust = np.flatnonzero(forced_first)
    last_cust = np.flatnonzero(forced_last)
    customer = np.concatenate([first_cust, last_cust, inner_cust]).astype(np.int64)
    t = np.concatenate([lo[first_cust], hi[last_cust], inner_t])
    order = np.lexsort((t, customer))
    return customer[order], t[order]


def _orders(
    rng: np.random.Generator,
    arch: IntArray,
    today_day: int,
    times: tuple[IntArray, FloatArray],
    fixed: tuple[IntArray, IntArray] | None = None,
) -> _Orders:
    """The order rows from their times (``_order_times``), plus ``fixed`` orders.

    ``fixed`` is (customer, second) of orders placed to the second and always paid:
    the simulated outreach's re-engagement orders (services/demo/outreach.py).
    """
    n = len(arch)
    lapsing, churned = arch == _LAPSING, arch == _CHURNED
    customer, t = times
    pinned = np.zeros(len(customer), dtype=bool)
    at = np.zeros(len(customer), dtype=np.int64)
    if fixed is not None and len(fixed[0]):
        customer = np.concatenate([customer, fixed[0]])
        t = np.concatenate([t, fixed[1] / _DAY])
        pinned = np.concatenate([pinned, np.ones(len(fixed[0]), dtype=bool)])
        at = np.concatenate([at, fixed[1]])
        order = np.lexsort((t, customer))
        customer, t, pinned, at = customer[order], t[order], pinned[order], at[order]
    day = np.minimum(np.floor(t).astype(np.int64), today_day - 1)
    count = len(customer)

    per_customer = np.bincount(customer, minlength=n)
    ends = np.cumsum(per_customer)
    starts = ends - per_customer
    is_last = np.zeros(count, dtype=bool)
    is_last[ends - 1] = True
    first_day, last_day = day[starts], day[ends - 1]

    # Basket size: lognormal by archetype times a per-customer taste for spending.
    taste = rng.lognormal(0.0, 0.25, n)
    median = _param("basket_usd")[arch] * taste
    dollars = np.clip(rng.lognormal(np.log(median[customer]), 0.55), 12.0, 2500.0)
    amount_cents = np.round(dollars * 100).astype(np.int64)
    unit_price = rng.lognormal(np.log(48.0), 0.35, count)
    items = np.clip(np.round(dollars / unit_price), 1, 15).astype(np.int64)

    troubled = (lapsing | churned)[customer]
    u = rng.random(count)
    refund_p = np.where(is_last & troubled, 0.25, 0.035)
    recent = day >= today_day - 3
    status = np.full(count, "paid", dtype=object)
    status[u < refund_p + 0.015] = "cancelled"
    status[u < refund_p] = "refunded"
    status[recent & (rng.random(count) < 0.4)] = "pending"
    status[pinned] = "paid"

    preferred = rng.choice(len(CHANNELS), n, p=_CHANNEL_SHARES)
    channel = np.where(
        rng.random(count) < 0.75,
        preferred[customer],
        rng.choice(len(CHANNELS), count, p=_CHANNEL_SHARES),
    )
    month = _month_of(day)
    favorite = rng.choice(len(CATEGORIES), n, p=_CATEGORY_BASE)
    by_month = np.cumsum(_category_by_month(), axis=1)
    category = np.where(rng.random(count) < 0.45, favorite[customer], _pick(rng, by_month[month]))

    seconds = rng.choice(24, count, p=_HOUR_WEIGHT / _HOUR_WEIGHT.sum()) * 3600
    seconds += rng.integers(0, 3600, count)
    when = np.where(pinned, at, day * _DAY + seconds).astype("datetime64[s]")
    # Shop order numbers count up in time, like "#1001" in a Shopify export.
    chrono = np.argsort(when, kind="stable")
    number = np.empty(count, dtype=np.int64)
    number[chrono] = np.arange(1001, 1001 + count)
    external = _objects([f"#{k}" for k in number.tolist()])

    paid = status == "paid"
    spend = np.bincount(customer, weights=np.where(paid, amount_cents, 0), minlength=n)
    table = _TableData(
        Order.__table__,  # type: ignore[arg-type]
        {
            "external_id": external[chrono],
            "source": np.full(count, SOURCE, dtype=object),
            "order_date": when[chrono],
            "amount_cents": amount_cents[chrono],
            "currency": np.full(count, "USD", dtype=object),
            "status": status[chrono],
            "channel": _objects(CHANNELS)[channel[chrono]],
            "category": _objects(CATEGORIES)[category[chrono]],
            "items": items[chrono],
        },
        customer=customer[chrono],
    )
    return _Orders(
        table=table,
        customer=customer,
        day=day,
        item=category,
        external=external,
        is_last=is_last,
        first_day=first_day,
        last_day=last_day,
        spend_cents=spend.astype(np.int64),
        favorite=favorite,
        channel=preferred,
    )


def _category_by_month() -> FloatArray:
    """Category mix per calendar month: coats and knits in winter, dresses in summer."""
    w = np.tile(_CATEGORY_BASE, (12, 1))
    winter, summer = [0, 1, 9, 10, 11], [4, 5, 6, 7]
    tops, dresses, _denim, outer, knit, _shoes, acc, active = range(8)
    w[np.ix_(winter, [outer])] *= 3.0
    w[np.ix_(summer, [outer])] *= 0.3
    w[np.ix_(winter, [knit])] *= 2.5
    w[np.ix_(summer, [knit])] *= 0.3
    w[np.ix_([3, 4, 5, 6, 7], [dresses])] *= 1.8
    w[np.ix_([0, 1, 10, 11], [dresses])] *= 0.6
    w[np.ix_([0, 4, 5, 6], [active])] *= 1.5
    w[np.ix_([10, 11], [acc])] *= 1.5
    w[np.ix_(summer, [tops])] *= 1.2
    return np.asarray(w / w.sum(axis=1, keepdims=True), dtype=np.float64)


@dataclass
class _Customers:
    """Per-customer arrays in generation order, plus their final row order."""

    arch: IntArray
    first_day: IntArray
    last_day: IntArray
    signup_day: IntArray
    owner: IntArray
    opted_in: BoolArray
    dnc: BoolArray
    company: ObjArray
    external_ids: list[str]
    columns: dict[str, npt.NDArray[Any]]
    row_order: IntArray  # generation indices sorted by signup, so ids follow signup

    def table(self) -> _TableData:
        columns = dict(self.columns)
        columns["company"] = self.company
        return _TableData(
            Customer.__table__,  # type: ignore[arg-type]
            {k: v[self.row_order] for k, v in columns.items()},
        )


def _customers(
    rng: np.random.Generator, arch: IntArray, orders: _Orders, today_day: int
) -> _Customers:
    n = len(arch)
    # Most shoppers create the account with their first order; some browse first.
    lag = np.where(rng.random(n) < 0.65, 0, rng.integers(1, 60, n))
    signup_day = orders.first_day - lag
    row_order = np.lexsort((np.arange(n), signup_day))
    position = np.empty(n, dtype=np.int64)
    position[row_order] = np.arange(n)
    external_ids = [f"C{p + 1:06d}" for p in position.tolist()]

    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    first_ascii = [_ascii(x) for x in FIRST_NAMES]
    last_ascii = [_ascii(x) for x in LAST_NAMES]
    domain = rng.choice(len(EMAIL_DOMAINS), n, p=(0.6, 0.25, 0.15))
    names = [
        f"{FIRST_NAMES[f]} {LAST_NAMES[s]}"
        for f, s in zip(first.tolist(), last.tolist(), strict=True)
    ]
    # The signup position makes every address unique, as an identity key must be.
    emails = [
        f"{first_ascii[f]}.{last_ascii[s]}{p + 1}@{EMAIL_DOMAINS[d]}"
        for f, s, p, d in zip(
            first.tolist(), last.tolist(), position.tolist(), domain.tolist(), strict=True
        )
    ]

    region = rng.choice(len(REGIONS), n, p=REGION_SHARES)
    owner = np.where(rng.random(n) < 0.9, region, rng.integers(0, len(OWNERS), n))
    city = rng.integers(0, 4, n)
    has_phone = rng.random(n) < 0.7
    line = rng.integers(100, 200, n)
    phones = [
        f"({CITIES[r][c][2]}) 555-0{x}" if h else None
        for r, c, x, h in zip(
            region.tolist(), city.tolist(), line.tolist(), has_phone.tolist(), strict=True
        )
    ]
    tier = np.searchsorted(np.array(_TIER_CENTS), orders.spend_cents, side="right")
    dnc = rng.random(n) < np.where(arch == _CHURNED, 0.06, 0.025)
    opted_in = rng.random(n) < np.where(arch == _VIP, 0.92, 0.8)
    signup_at = (signup_day * _DAY + rng.integers(8 * 3600, 22 * 3600, n)).astype("datetime64[s]")
    last_seen = (orders.last_day * _DAY + 23 * 3600).astype("datetime64[s]")
    attributes = [
        {
            "demo_archetype": ARCHETYPES[a].name,
            "city": CITIES[r][c][0],
            "state": CITIES[r][c][1],
            "accepts_marketing": o,
            "preferred_channel": CHANNELS[ch],
            "favorite_category": CATEGORIES[fav],
        }
        for a, r, c, o, ch, fav in zip(
            arch.tolist(),
            region.tolist(),
            city.tolist(),
            opted_in.tolist(),
            orders.channel.tolist(),
            orders.favorite.tolist(),
            strict=True,
        )
    ]
    columns: dict[str, npt.NDArray[Any]] = {
        "external_id": _objects(external_ids),
        "source": np.full(n, SOURCE, dtype=object),
        "email": _objects(emails),
        "email_normalized": _objects(emails),  # already lower-case and trimmed
        "name": _objects(names),
        "phone": _objects(phones),
        "owner": _objects(OWNERS)[owner],
        "tier": _objects(TIERS)[tier],
        "region": _objects(REGIONS)[region],
        "signup_date": signup_day.astype("datetime64[D]"),
        "do_not_contact": dnc,
        "attributes": _objects(attributes),
        # The shop's own record dates, so rebuilding gives identical rows.
        "created_at": signup_at,
        "updated_at": np.maximum(signup_at, last_seen),
    }
    return _Customers(
        arch=arch,
        first_day=orders.first_day,
        last_day=orders.last_day,
        signup_day=signup_day,
        owner=owner.astype(np.int64),
        opted_in=opted_in,
        dnc=dnc,
        company=_nones(n),
        external_ids=external_ids,
        columns=columns,
        row_order=row_order.astype(np.int64),
    )
