"""The relationship signals measured on history, apart from the alert replay: cheap, since
they need no scoring.

``replay_signals`` evaluates the four signals (services/alerts/_relationship.py's
``found``, all four whatever Settings switched off) once a week over the past ``weeks``
weeks up to ``as_of``, each week on the history as it was that day: the people read once
(services/people/history.py) and asked for each day, with the roles and presence of that
day. Each finding (an account a signal holds for in a week when it did not the week
before) is judged against the lost renewals (contract terms churned) and the lapses (the
churn horizon without a paid order) that followed within the horizon; beside each
signal's precision, the base rate of the outcome over every account with people on record,
the recall and the median lead time. Definitions: services/alerts/signal_records.py's
SIGNAL_DEFINITIONS. Reads only; a few seconds on a workspace of thousands of accounts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.schema import Contract, Order
from services.alerts._db import midnight
from services.alerts._relationship import (
    CHAMPION_LEFT,
    KEY_CONTACT_DARK,
    NEW_DECISION_MAKER,
    RULES,
    SINGLE_THREADED,
    value_floor,
)
from services.alerts.config import RULE_TITLES, AlertConfig
from services.alerts.signal_records import LAPSE, OUTCOMES, RENEWAL, SignalFigures, SignalReport
from services.core.money import home_cents_expr, load_money_context
from services.people.contacts import KEY_ROLES
from services.people.history import NONE, PeopleHistory, load_history

WEEKS = 52
WEEK_DAYS = 7
YEAR_DAYS = 365
_SPAN = np.int64(1 << 24)  # days: a day number fits beside a customer id

IntArray = npt.NDArray[np.int64]
Findings = dict[str, list[tuple[int, int]]]  # rule -> (customer, day number)
ProgressFn = Callable[[float, str], None]


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _date(number: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(number))


class _Events:
    """Each customer's outcome days, asked whether one falls in a window."""

    def __init__(self, pairs: Iterable[tuple[int, int]]) -> None:
        keys = sorted({c * int(_SPAN) + d for c, d in pairs})
        self.keys = np.array(keys, dtype=np.int64)
        self.by_customer: dict[int, list[int]] = {}
        for c, d in sorted({(k // int(_SPAN), k % int(_SPAN)) for k in keys}):
            self.by_customer.setdefault(c, []).append(d)

    def within(self, customers: IntArray, after: IntArray, horizon: int) -> npt.NDArray[np.bool_]:
        """Whether each customer has an outcome in (after, after + horizon]."""
        if not self.keys.size or not customers.size:
            return np.zeros(customers.size, dtype=bool)
        base = customers.astype(np.int64) * _SPAN
        lo = np.searchsorted(self.keys, base + after, side="right")
        hi = np.searchsorted(self.keys, base + after + horizon, side="right")
        return np.asarray(hi > lo, dtype=bool)


def _paid_orders(session: Session, as_of: dt.date) -> tuple[IntArray, IntArray, IntArray]:
    """(customer, day number, home cents) of the paid orders dated on or before ``as_of``."""
    o = Order.__table__.c
    ctx = load_money_context(session)
    rows = session.execute(
        select(
            o.customer_id, o.order_date,
            func.coalesce(home_cents_expr(ctx, o.amount_cents, o.currency), 0),
        ).where(o.status == "paid", o.order_date < midnight(as_of + dt.timedelta(days=1)))
    ).all()  # fmt: skip
    cust = np.fromiter((int(r[0]) for r in rows), np.int64, count=len(rows))
    stamps = pd.to_datetime(pd.Series([r[1] for r in rows], dtype=object), utc=True)
    days = stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[D]").astype(np.int64)
    cents = np.fromiter((int(r[2] or 0) for r in rows), np.int64, count=len(rows))
    return cust, days, cents


def _renewals(session: Session, as_of: dt.date) -> tuple[_Events, dict[int, int]]:
    """The lost renewals decided by ``as_of`` (customer, day), and the first day of each
    account's first contract term begun by then."""
    k = Contract.__table__.c
    lost: list[tuple[int, int]] = []
    begun: dict[int, int] = {}
    rows = session.execute(select(k.customer_id, k.start_date, k.end_date, k.decided_on, k.outcome))
    for customer, start, end, decided, outcome in rows:
        first = start or end
        if first is not None and _as_date(first) <= as_of:
            day = _day_number(_as_date(first))
            begun[int(customer)] = min(day, begun.get(int(customer), day))
        when = decided or end
        if outcome == "churned" and when is not None and _as_date(when) <= as_of:
            lost.append((int(customer), _day_number(_as_date(when))))
    return _Events(lost), begun


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _lapses(cust: IntArray, days: IntArray, horizon: int, last: int) -> _Events:
    """The lapse points up to ``last``: a paid purchase day followed by none in the next
    ``horizon`` days lapses ``horizon`` days after it (scoring's churn label)."""
    pairs = np.unique(cust * _SPAN + days)
    c, d = pairs // _SPAN, pairs % _SPAN
    following = np.r_[d[1:], np.iinfo(np.int64).max]
    last_of = np.r_[c[1:] != c[:-1], True]
    point = d + horizon
    keep = (last_of | (following - d > horizon)) & (point <= last)
    return _Events(zip(c[keep].tolist(), point[keep].tolist(), strict=True))


class _Values:
    """Each customer's paid revenue of the 365 days up to a day (home cents)."""

    def __init__(self, cust: IntArray, days: IntArray, cents: IntArray) -> None:
        order = np.lexsort((days, cust))
        self.keys = (cust * _SPAN + days)[order]
        self.total = np.r_[0, np.cumsum(cents[order])]
        self.customers = np.unique(cust)

    def on(self, day: int) -> tuple[IntArray, npt.NDArray[np.float64]]:
        base = self.customers * _SPAN
        hi = np.searchsorted(self.keys, base + day, side="right")
        lo = np.searchsorted(self.keys, base + day - YEAR_DAYS, side="right")
        return self.customers, (self.total[hi] - self.total[lo]).astype(np.float64)


def _all_rules(config: AlertConfig) -> AlertConfig:
    """The settings with the four signals switched on: measured whether or not they raise."""
    rules = dict(config.rules)
    for key in RULES:
        rules[key] = dataclasses.replace(rules[key], enabled=True)
    return dataclasses.replace(config, rules=rules)


_DAY_US = 86_400_000_000
_NO_DAY = np.iinfo(np.int64).max


def _day_numbers(values: npt.NDArray[np.object_]) -> IntArray:
    """Dates (None: none) as day numbers (``_NO_DAY``: none)."""
    return np.fromiter(
        (_NO_DAY if v is None else _day_number(v) for v in values), np.int64, count=len(values)
    )


class _People:
    """The people of a replay's history asked for one day after another, in arrays: the
    same definitions as services/people/signals.py's ``people_frame`` and
    services/alerts/_relationship.py's ``found`` (a test holds them equal week by week),
    without building a table per week."""

    def __init__(self, history: PeopleHistory) -> None:
        c = history.contacts
        self.history = history
        self.customer = c["customer_id"].to_numpy(dtype=np.int64)
        self.account = c["account"].to_numpy(dtype=np.int64)
        self.pos = c["pos"].to_numpy(dtype=np.int64)
        self.created_us = c["created_us"].to_numpy(dtype=np.int64)
        self.holder = c["holder"].to_numpy(dtype=bool)
        self.role_now = c["role_now"].to_numpy(dtype=object)
        self.user_role_now = c["user_role_now"].to_numpy(dtype=object)
        self.left_now = c["left_now"].to_numpy(dtype=object)
        self.bounced = _day_numbers(c["bounced_on"].to_numpy(dtype=object))
        self.moved_us = history.moved[0][self.pos] if len(c) else np.zeros(0, np.int64)
        created_day = self.created_us // _DAY_US
        first = np.full(len(history.accounts), _NO_DAY, dtype=np.int64)
        np.minimum.at(first, self.account, created_day)
        # Added after the account already had someone on record (on an earlier day).
        self.added_later = created_day > first[self.account] if len(c) else np.zeros(0, bool)

    def holds(self, config: AlertConfig, day: int) -> tuple[dict[str, IntArray], IntArray]:
        """Per signal, the accounts it holds for as of the end of ``day`` (before the
        single-threaded value floor), and the accounts with people on record then."""
        history, end_us = self.history, (day + 1) * _DAY_US
        end_s = end_us // 1_000_000
        alive = self.created_us < end_us
        roles = {
            name: history.changes[name].value(now, end_us)
            for name, now in (("role", self.role_now), ("user_role", self.user_role_now))
        }
        role = np.array(
            [u or r for u, r in zip(roles["user_role"], roles["role"], strict=True)], dtype=object
        )
        left = _day_numbers(history.changes["left_on"].value(self.left_now, end_us))
        moved = np.where(
            (self.moved_us != NONE) & (self.moved_us < end_us), self.moved_us // _DAY_US, _NO_DAY
        )
        gone = np.minimum(np.minimum(left, self.bounced), moved)
        gone = np.where(gone <= day, gone, _NO_DAY)
        here = gone == _NO_DAY
        # Each account's people on record that day: one alone takes what names no one.
        sizes = np.bincount(self.account[alive], minlength=len(history.accounts))
        single = sizes[self.account] == 1
        two_way = history.two_way.before(self.pos, end_s)
        shared = history.account_two_way.before(self.account, end_s)
        two_way = np.where(single, np.maximum(two_way, shared), two_way)
        own = history.heard.before(self.pos, end_s)
        unnamed = history.account_heard.before(self.account, end_s)
        takes = self.holder | single
        heard = np.maximum(np.maximum(two_way, own), np.where(takes, unnamed, NONE))
        known = heard != NONE
        key = np.zeros(len(role), dtype=bool)
        for wanted in KEY_ROLES:
            key |= role == wanted
        out: dict[str, IntArray] = {}
        rule = config.rule(CHAMPION_LEFT)
        if rule.enabled:
            since = day - (int(rule["window_days"]) - 1)
            out[CHAMPION_LEFT] = self.customer[alive & key & ~here & (gone >= since)]
        rule = config.rule(KEY_CONTACT_DARK)
        if rule.enabled:
            cut = end_s - int(rule["quiet_days"]) * 86_400
            out[KEY_CONTACT_DARK] = self.customer[alive & key & here & known & (heard < cut)]
        rule = config.rule(SINGLE_THREADED)
        if rule.enabled:
            cut = end_s - int(rule["active_days"]) * 86_400
            on_record = alive & here
            active = on_record & known & (heard >= cut)
            accounts = len(history.accounts)
            counts = np.bincount(self.account[on_record], minlength=accounts)
            alone = np.bincount(self.account[active], minlength=accounts)
            lone = active & (alone[self.account] == 1) & (counts[self.account] >= 2)
            out[SINGLE_THREADED] = self.customer[lone]
        rule = config.rule(NEW_DECISION_MAKER)
        if rule.enabled:
            since_us = end_us - int(rule["new_days"]) * _DAY_US
            out[NEW_DECISION_MAKER] = self.customer[
                alive & here & (role == "decision_maker") & self.added_later
                & (self.created_us >= since_us) & (two_way == NONE)
            ]  # fmt: skip
        return out, np.unique(self.customer[alive & here])


def _week_holds(
    people: _People, config: AlertConfig, day: int, values: _Values
) -> tuple[dict[str, set[int]], set[int]]:
    """Which accounts each signal holds for as of the end of ``day``, and the accounts with
    people on record then."""
    holds, on_record = people.holds(config, day)
    out = {key: set(holds.get(key, np.zeros(0, np.int64)).tolist()) for key in RULES}
    if out[SINGLE_THREADED]:
        ids, value = values.on(day)
        floor = value_floor(config.rule(SINGLE_THREADED), value)
        worth = dict(zip(ids.tolist(), value.tolist(), strict=True))
        out[SINGLE_THREADED] = {
            c for c in out[SINGLE_THREADED] if worth.get(c, 0.0) >= floor and worth.get(c, 0) > 0
        }
    return out, set(on_record.tolist())


@dataclass(frozen=True)
class SignalWeeks:
    """The four signals week by week over a grid of days, and the outcomes that followed:
    what ``figures_at`` measures any span of weeks of it on."""

    days: list[int]  # day numbers, a week apart
    holds: list[dict[str, set[int]]]  # per week, each signal's accounts
    on_record: list[set[int]]  # per week, the accounts with people on record
    outcomes: dict[str, _Events]
    contract_from: dict[int, int]  # each account's first contract term's first day
    created: dict[int, int]  # each account's first day with a person on record


def signal_weeks(
    session: Session,
    config: AlertConfig,
    last: dt.date,
    *,
    horizon: int,
    weeks: int,
    progress: ProgressFn | None = None,
) -> SignalWeeks:
    """The four signals evaluated once a week for ``weeks`` weeks up to ``last``, each week
    on the history as it was that day; a read inside the caller's transaction."""
    config = _all_rules(config)
    end = _day_number(last)
    days = [end - WEEK_DAYS * (weeks - 1 - k) for k in range(weeks)]
    history = load_history(session, midnight(last + dt.timedelta(days=1)))
    cust, order_days, cents = _paid_orders(session, last)
    lost, contract_from = _renewals(session, last)
    values = _Values(cust, order_days, cents)
    people = _People(history)
    holds: list[dict[str, set[int]]] = []
    on_record: list[set[int]] = []
    for k, day in enumerate(days):
        if progress is not None:
            progress(k / weeks, f"Week {k + 1} of {weeks}")
        held, present_then = _week_holds(people, config, day, values)
        holds.append(held)
        on_record.append(present_then)
    return SignalWeeks(
        days=days,
        holds=holds,
        on_record=on_record,
        outcomes={RENEWAL: lost, LAPSE: _lapses(cust, order_days, horizon, end)},
        contract_from=contract_from,
        created=_first_on_record(history),
    )


def figures_at(run: SignalWeeks, last: int, weeks: int, horizon: int) -> SignalReport:
    """The signals' figures over the ``weeks`` weeks of ``run`` ending with its week
    ``last`` (an index), judged on what was known by that week's day."""
    first = max(0, last - weeks + 1)
    days = run.days[first : last + 1]
    as_of = days[-1]
    holders = {c for c, d in run.contract_from.items() if d <= as_of}
    findings: Findings = {key: [] for key in RULES}
    held: dict[str, set[tuple[int, int]]] = {key: set() for key in RULES}
    seen: dict[str, set[int]] = {key: set() for key in RULES}
    accounts: set[int] = set()
    for k in range(first, last + 1):
        day = run.days[k]
        accounts |= run.on_record[k]
        for key in RULES:
            now = run.holds[k].get(key, set())
            findings[key] += [(c, day) for c in sorted(now - seen[key])]
            held[key] |= {(c, day) for c in now}
            seen[key] = now
    base = list(zip(days, run.on_record[first : last + 1], strict=True))
    figures = tuple(
        _figures(
            key, outcome, findings[key], held[key], run.outcomes[outcome],
            holders if outcome == RENEWAL else None, base, (days[0], as_of), horizon,
            run.created,
        )
        for key in RULES
        for outcome in OUTCOMES
    )  # fmt: skip
    return SignalReport(
        as_of=_date(as_of),
        start=_date(days[0]),
        weeks=len(days),
        horizon_days=horizon,
        accounts=len(accounts),
        with_contracts=len(accounts & holders),
        has_contracts=bool(holders),
        figures=figures,
    )


def replay_signals(
    session: Session,
    config: AlertConfig,
    as_of: dt.date,
    *,
    horizon: int,
    weeks: int = WEEKS,
    progress: ProgressFn | None = None,
) -> SignalReport:
    """The four signals replayed weekly over ``weeks`` weeks up to ``as_of`` and judged
    against lost renewals and lapses within ``horizon`` days (module docstring); a read
    inside the caller's transaction, of what is dated up to ``as_of`` only."""
    clock = time.perf_counter()
    run = signal_weeks(session, config, as_of, horizon=horizon, weeks=weeks, progress=progress)
    report = figures_at(run, len(run.days) - 1, weeks, horizon)
    return dataclasses.replace(report, seconds=round(time.perf_counter() - clock, 2))


def _first_on_record(history: PeopleHistory) -> dict[int, int]:
    """Each account's first day with a person on record."""
    frame = history.contacts
    if frame.empty:
        return {}
    first = frame.groupby("customer_id")["created_us"].min() // 86_400_000_000
    return {int(c): int(d) for c, d in first.items()}


def _figures(
    key: str,
    outcome: str,
    findings: list[tuple[int, int]],
    held: set[tuple[int, int]],
    events: _Events,
    judged_at: set[int] | None,
    base: list[tuple[int, set[int]]],
    span: tuple[int, int],
    horizon: int,
    created: dict[int, int],
) -> SignalFigures:
    """One signal's figures against one outcome (``judged_at``: the accounts it can happen
    to, None: every account)."""
    first, last = span
    judged = [(c, d) for c, d in findings if d + horizon <= last]
    if judged_at is not None:
        judged = [(c, d) for c, d in judged if c in judged_at]
    cs = np.array([c for c, _ in judged], dtype=np.int64)
    ds = np.array([d for _, d in judged], dtype=np.int64)
    hits = int(events.within(cs, ds, horizon).sum())
    base_judged = base_hits = 0
    for day, on_record in base:
        if day + horizon > last:
            continue
        eligible = sorted(on_record if judged_at is None else on_record & judged_at)
        ids = np.array(eligible, dtype=np.int64)
        base_judged += ids.size
        base_hits += int(events.within(ids, np.full(ids.size, day), horizon).sum())
    held_by: dict[int, list[int]] = {}
    for c, d in held:
        held_by.setdefault(c, []).append(d)
    caught, leads, count = 0, [], 0
    for c, days in events.by_customer.items():
        for e in days:
            if not first < e <= last or created.get(c, e) >= e:
                continue  # outside the replay, or no one on record then
            count += 1
            before = [d for d in held_by.get(c, ()) if e - horizon <= d < e]
            if before:
                caught += 1
                leads.append(e - min(before))
    return SignalFigures(
        rule=key,
        title=RULE_TITLES.get(key, key),
        outcome=outcome,
        findings=len(findings),
        judged=len(judged),
        hits=hits,
        outcomes=count,
        caught=caught,
        lead_days=tuple(sorted(leads)),
        base_judged=base_judged,
        base_hits=base_hits,
    )


__all__ = ["WEEKS", "SignalWeeks", "figures_at", "replay_signals", "signal_weeks"]
