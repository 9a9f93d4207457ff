"""The demo's product usage: Northwind's members' app, with a known story.

Some customers use the retailer's app (wishlists, size guides, lookbooks, order tracking,
returns...). Each app customer has one or more seats (people): most one, a few
"household" or business accounts (the ones that buy for a company) several. Each seat is
active on a day with a rate of its own, shaped by the day of the week (weekends busier),
the season (the holidays busier) and a noisy weekly multiplier; an active day has one or
more sessions, minutes, events, documents viewed and feature uses, summed into one
``usage_days`` row per customer and day (source ``demo_app``), with the seats' keys.

The story, the truth the usage-drop alert is checked against (the demo's
``usage`` truth, services/demo/truth.py):

- ``lapse``: most lapsing customers who use the app see their use decay over several
  weeks (from 5 to 12 weeks before their last order) and stop using it soon after it;
- ``fading``: a few active customers whose use started to decay in the last weeks
  (the accounts an early warning should find today);
- ``recover``: a few whose use dips for some weeks, then comes back;
- everyone else: steady use with weekly seasonality and noise (leavers who kept using the
  app included: they stopped buying, not browsing).

Drawn from a random stream of its own ([seed, 18]) after everything else, so that adding
usage changed no other row of the demo. Vectorised: candidate active days are drawn at
each seat's highest rate and thinned (a few loops over small fixed sets only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from models.schema import UsageDay
from services.demo.tables import _TableData
from services.demo.vocabulary import (
    _CHURNED,
    _EPOCH,
    _LAPSING,
    _LOYAL,
    _NEW,
    _OCCASIONAL,
    _ONE_TIME,
    _SEASONAL,
    _VIP,
    BoolArray,
    FloatArray,
    IntArray,
)

USAGE_SOURCE = "demo_app"
USAGE_DAYS = 53 * 7  # the usage history: the last 53 weeks
# Share of each archetype that uses the app, and how much (a multiple of the usual rate).
_APP_SHARE = {_VIP: 0.6, _LOYAL: 0.4, _SEASONAL: 0.2, _OCCASIONAL: 0.15, _NEW: 0.35,
              _ONE_TIME: 0.05, _LAPSING: 0.5, _CHURNED: 0.3}  # fmt: skip
_APP_ZEAL = {_VIP: 1.6, _LOYAL: 1.2, _LAPSING: 1.3}
_MEDIAN_DAY_RATE = 0.12  # a seat's chance of using the app on a day (median)
_REGULAR_RATE = 0.6  # the story's accounts use the app on at least this share of days
_TEAM_SHARE = 0.03  # share of app customers that are households or teams (several seats)
_LAPSE_SHARE = 0.8  # lapsing app users whose use decays before their last order
_FADING_SHARE = 0.03  # active app users whose use decays right now
_RECOVER_SHARE = 0.03  # app users whose use dips, then recovers
# Mon..Sun: weekends busier (browsing), Monday quiet.
_WEEKDAY = np.array([0.85, 0.9, 0.9, 0.95, 1.05, 1.25, 1.15])
# Jan..Dec: the holidays and spring launches busier.
_MONTH = np.array([0.9, 0.85, 1.0, 1.05, 1.0, 0.95, 0.9, 0.95, 1.0, 1.05, 1.2, 1.2])
_WEEK_NOISE_SHAPE = 12.0  # gamma shape of the weekly multiplier (CV about 0.3)
FEATURES = ("wishlist", "size_guide", "lookbook", "order_tracking", "returns", "style_quiz",
            "reviews", "gift_cards", "stylist_chat")  # fmt: skip
_FEATURE_WEIGHT = np.array([0.22, 0.16, 0.16, 0.15, 0.06, 0.06, 0.08, 0.04, 0.07])
_DOCUMENT_FEATURES = ("lookbook", "size_guide", "order_tracking")


@dataclass
class _Seats:
    """One row per seat (a person of an app customer)."""

    customer: IntArray  # generation index
    number: IntArray  # the seat's number in its customer: its user key is "u<number>"
    rate: FloatArray  # chance of an active day at multiplier 1
    start: IntArray  # first day number of use
    end: IntArray  # last day number of use (inclusive)
    decay_start: FloatArray  # day number the decay starts (inf: none)
    decay_days: FloatArray  # e-folding time of the decay, in days
    recover_day: FloatArray  # day number use is back (inf: never)
    drop_day: FloatArray  # a team seat's day of leaving during a decay (inf: never)


def demo_usage(
    rng: np.random.Generator,
    arch: IntArray,
    first_day: IntArray,
    last_day: IntArray,
    corporate: BoolArray,
    external_ids: list[str],
    today_day: int,
) -> tuple[_TableData, dict[str, Any]]:
    """The usage rows (a usage_days table) and the story's truth (services/demo/truth.py)."""
    n = len(arch)
    window_start = today_day - USAGE_DAYS
    share = np.array([_APP_SHARE.get(a, 0.0) for a in range(8)])[arch]
    uses = rng.random(n) < share
    zeal = np.array([_APP_ZEAL.get(a, 1.0) for a in range(8)])[arch]
    # Adoption: some weeks after the first order; leavers stop a little after their last.
    start = np.maximum(window_start, first_day + rng.integers(0, 60, n))
    leaver = (arch == _LAPSING) | (arch == _CHURNED)
    end = np.full(n, today_day - 1, dtype=np.int64)
    # The story (per customer): who decays, recovers or fades, and from when.
    u = rng.random(n)
    lapse = uses & (arch == _LAPSING) & (u < _LAPSE_SHARE)
    steady_kind = uses & ~leaver & (arch != _NEW)
    fading = steady_kind & (u < _FADING_SHARE)
    recover = steady_kind & (u >= _FADING_SHARE) & (u < _FADING_SHARE + _RECOVER_SHARE)
    decay_start = np.full(n, np.inf)
    decay_start[lapse] = last_day[lapse] - rng.uniform(35, 84, n)[lapse]
    end[lapse] = last_day[lapse] + rng.integers(0, 15, n)[lapse]
    decay_start[fading] = today_day - rng.uniform(16, 38, n)[fading]
    decay_start[recover] = rng.uniform(window_start + 100, today_day - 60, n)[recover]
    recover_day = np.full(n, np.inf)
    recover_day[recover] = decay_start[recover] + rng.uniform(21, 42, n)[recover]
    # Churned customers left before the window: their use ended long ago, unless they
    # kept browsing; a decay before their use starts is no story.
    gone = uses & (arch == _CHURNED) & (rng.random(n) < 0.7)
    uses &= ~gone & (end > start + 28)
    for story in (lapse, fading, recover):
        story &= uses & (decay_start > start + 28)
    decay_start[~(lapse | fading | recover)] = np.inf
    recover_day[~recover] = np.inf
    seats = _seats(rng, uses, corporate, zeal, start, end, decay_start, recover_day)
    table = _usage_rows(rng, seats, window_start, today_day)
    truth = _truth(external_ids, decay_start, last_day, lapse, fading, recover)
    truth["rows"] = len(table)
    assert table.customer is not None
    truth["app_customers"] = int(np.unique(table.customer).size)  # with a row at least
    return table, truth


def _seats(
    rng: np.random.Generator,
    uses: BoolArray,
    corporate: BoolArray,
    zeal: FloatArray,
    start: IntArray,
    end: IntArray,
    decay_start: FloatArray,
    recover_day: FloatArray,
) -> _Seats:
    n = len(uses)
    team = uses & (corporate | (rng.random(n) < _TEAM_SHARE))
    count = np.where(team, rng.integers(3, 13, n), 1) * uses
    customer = np.repeat(np.arange(n), count)
    first = np.cumsum(count) - count
    number = np.arange(len(customer)) - first[customer] + 1
    rate = rng.lognormal(np.log(_MEDIAN_DAY_RATE), 0.6, len(customer)) * zeal[customer]
    rate = np.where(team[customer], rate * 0.5, rate)
    # A team's decay: its people leave one by one over the decay's weeks.
    tau = rng.uniform(5, 12, n)[customer]
    ds = decay_start[customer]
    drop = np.where(
        team[customer] & np.isfinite(ds), ds + rng.uniform(0, 35, len(customer)), np.inf
    )
    # The story's accounts are regulars of the app (a drop in a rare visitor tells little).
    rate = np.where(np.isfinite(ds), np.maximum(rate, _REGULAR_RATE), rate)
    return _Seats(
        customer=customer,
        number=number.astype(np.int64),
        rate=np.minimum(rate, 0.9),
        start=start[customer],
        end=end[customer],
        decay_start=ds,
        decay_days=tau,
        recover_day=recover_day[customer],
        drop_day=drop,
    )


def _multiplier(seats: _Seats, seat: IntArray, day: IntArray) -> FloatArray:
    """The story's factor on a seat's rate on a day: 1 outside a decay."""
    since = day - seats.decay_start[seat]
    decayed = np.where(since > 0, np.exp(-np.maximum(since, 0) / seats.decay_days[seat]), 1.0)
    back = day >= seats.recover_day[seat]
    decayed = np.where(back, 1.0, np.maximum(decayed, np.where(np.isfinite(
        seats.recover_day[seat]), 0.25, 0.0)))  # fmt: skip
    left = (day >= seats.drop_day[seat]) & ~back
    return np.asarray(np.where(left, 0.0, decayed), dtype=np.float64)


def _usage_rows(
    rng: np.random.Generator, seats: _Seats, window_start: int, today_day: int
) -> _TableData:
    weeks = (today_day - window_start) // 7 + 2
    noise = rng.gamma(_WEEK_NOISE_SHAPE, 1.0 / _WEEK_NOISE_SHAPE, (len(seats.customer), weeks))
    peak = float(_WEEKDAY.max() * _MONTH.max()) * 1.6
    top = np.minimum(seats.rate * peak, 0.95)
    length = np.maximum(seats.end - seats.start + 1, 0)
    drawn = rng.binomial(length, top)
    seat = np.repeat(np.arange(len(seats.customer)), drawn)
    day = seats.start[seat] + np.floor(rng.random(len(seat)) * length[seat]).astype(np.int64)
    # Thinning: keep a candidate with the day's rate over the seat's top rate.
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    week = (day - window_start) // 7
    rate = seats.rate[seat] * _WEEKDAY[weekday] * _MONTH[month] * noise[seat, week]
    rate *= _multiplier(seats, seat, day)
    keep = rng.random(len(seat)) * top[seat] < np.minimum(rate, top[seat])
    seat, day = seat[keep], day[keep]
    # One active day per seat and day (a day drawn twice is one day).
    key = np.unique(seat * (today_day + 1) + day)
    seat, day = key // (today_day + 1), key % (today_day + 1)
    return _rows(rng, seats, seat, day)


def _rows(rng: np.random.Generator, seats: _Seats, seat: IntArray, day: IntArray) -> _TableData:
    m = len(seat)
    sessions = 1 + rng.poisson(0.8, m)
    minutes = np.round(sessions * rng.lognormal(np.log(5.5), 0.5, m), 1)
    events = sessions * 3 + rng.poisson(4.0 * sessions)
    logins = np.maximum(1, rng.binomial(sessions, 0.35))
    # Which features each session used: one draw per session, counted per seat-day.
    per_session = np.repeat(np.arange(m), sessions)
    pick = rng.choice(len(FEATURES), len(per_session), p=_FEATURE_WEIGHT / _FEATURE_WEIGHT.sum())
    counts = np.zeros((m, len(FEATURES)), dtype=np.int64)
    np.add.at(counts, (per_session, pick), 1)
    documents = counts[:, [FEATURES.index(f) for f in _DOCUMENT_FEATURES]].sum(axis=1)
    documents += rng.poisson(0.2, m)
    # Summed per customer and day (seats of one customer share a day's row).
    customer = seats.customer[seat]
    group = customer.astype(np.int64) * (int(day.max(initial=0)) + 1) + day
    order = np.lexsort((seat, group))
    group, seat, customer, day = group[order], seat[order], customer[order], day[order]
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])

    def total(values: Any) -> Any:
        return np.add.reduceat(np.asarray(values)[order], first) if m else np.asarray(values)[:0]

    sizes = np.diff(np.r_[first, m])
    days = (day[first]).astype("datetime64[D]")
    return _UsageRows(
        UsageDay.__table__,  # type: ignore[arg-type]
        {
            "source": np.full(len(first), USAGE_SOURCE, dtype=object),
            "day": days,
            "period_days": np.ones(len(first), dtype=np.int64),
            "events": total(events),
            "sessions": total(sessions),
            "logins": total(logins),
            "active_users": sizes.astype(np.int64),
            "minutes": np.round(total(minutes), 1),
            "documents_viewed": total(documents),
        },
        customer=customer[first],
        feature_counts=total(counts).astype(np.int32),
        seat_numbers=seats.number[seat].astype(np.int32),
        first=first,
    )


@dataclass
class _UsageRows(_TableData):
    """The usage rows, their JSON columns (features, users) built chunk by chunk at insert
    time from compact arrays: a million dicts at once would double the build's memory."""

    feature_counts: npt.NDArray[np.int32] = field(
        default_factory=lambda: np.zeros((0, 9), np.int32)
    )
    seat_numbers: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    first: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))

    def rows(self, start: int, stop: int, customer_ids: IntArray | None) -> list[dict[str, Any]]:
        out = super().rows(start, stop, customer_ids)
        if not out:
            return out
        ends = np.r_[self.first[1:], self.seat_numbers.size][start:stop]
        base = int(self.first[start])
        numbers = self.seat_numbers[base : int(ends[-1])].tolist()
        for row, counts, a, b in zip(
            out, self.feature_counts[start:stop].tolist(),
            (self.first[start:stop] - base).tolist(), (ends - base).tolist(), strict=True,
        ):  # fmt: skip
            row["features"] = {FEATURES[j]: c for j, c in enumerate(counts) if c}
            row["users"] = [f"u{k}" for k in numbers[a:b]]
        return out


def _truth(
    external_ids: list[str],
    decay_start: FloatArray,
    last_day: IntArray,
    lapse: BoolArray,
    fading: BoolArray,
    recover: BoolArray,
) -> dict[str, Any]:
    def dates(mask: BoolArray, days: Any) -> dict[str, str]:
        return {
            external_ids[i]: (_EPOCH + dt.timedelta(days=int(days[i]))).isoformat()
            for i in np.flatnonzero(mask).tolist()
        }

    start = np.floor(np.where(np.isfinite(decay_start), decay_start, 0)).astype(np.int64)
    return {
        "source": USAGE_SOURCE,
        # Customer external id -> the day its use starts to decay (and, for lapse, its
        # last order: the lapse the decay warns of).
        "lapse": dates(lapse, start),
        "lapse_last_order": dates(lapse, last_day),
        "fading": dates(fading, start),
        "recover": dates(recover, start),
    }
