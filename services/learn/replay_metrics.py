"""The alert replay's arithmetic: lapse points, which alerts are raised in a replayed week,
the recency rule's picks and the figures (services/learn/replay_records.DEFINITIONS says
each in words; services/learn/alert_replay.py drives them).

Days are UTC day numbers (services.scoring.data.day_number). Everything here is plain
numpy/pandas over arrays; nothing reads the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.learn.replay_records import ReplayFigures

IntArray = npt.NDArray[np.int64]
Lapses = Mapping[int, Sequence[int]]

# The candidates' columns admit() reads (services.alerts.rules.CANDIDATE_COLUMNS's, plus the
# stable tie-break).
RAISED_COLUMNS = [
    "day", "customer_id", "rule_key", "severity", "owner", "priority_cents", "late",
]  # fmt: skip


def lapse_points(
    customers: IntArray, days: IntArray, horizon: int, end_day: int
) -> dict[int, list[int]]:
    """Each customer's lapse points up to ``end_day``: a paid purchase day followed by no
    paid purchase in the next ``horizon`` days lapses ``horizon`` days after it."""
    frame = pd.DataFrame({"c": customers.astype(np.int64), "d": days.astype(np.int64)})
    frame = frame.drop_duplicates().sort_values(["c", "d"], kind="stable")
    c = frame["c"].to_numpy()
    d = frame["d"].to_numpy()
    following = np.r_[d[1:], np.iinfo(np.int64).max]
    last_of_customer = np.r_[c[1:] != c[:-1], True]
    gap_over = last_of_customer | (following - d > horizon)
    point = d + horizon
    keep = gap_over & (point <= end_day)
    out: dict[int, list[int]] = {}
    for customer, lapse in zip(c[keep].tolist(), point[keep].tolist(), strict=True):
        out.setdefault(int(customer), []).append(int(lapse))
    return out


def first_lapses(lapses: Lapses, start_day: int, end_day: int) -> dict[int, int]:
    """Each customer's first lapse point in (start_day, end_day]: who lapsed in the replay."""
    out: dict[int, int] = {}
    for customer, points in lapses.items():
        inside = [p for p in points if start_day < p <= end_day]
        if inside:
            out[customer] = min(inside)
    return out


def admit(
    candidates: pd.DataFrame,
    day: int,
    active: dict[tuple[int, str], int],
    contacted: frozenset[int],
    ties: Mapping[int, int],
    *,
    cap: int,
    active_days: int,
    critical_cap: int = 0,
    late: npt.NDArray[np.bool_] | None = None,
    short: npt.NDArray[np.bool_] | None = None,
) -> pd.DataFrame:
    """The alerts a generation on ``day`` raises from the rules' ``candidates``, as the app
    admits them (services/alerts/generate._admit): none for a customer contacted in the
    cool-down, none while the same customer and rule has an active alert (here: one raised
    fewer than ``active_days`` ago), no expansion for a do-not-contact customer; then at most
    ``cap`` non-critical alerts per owner (0: no cap), the highest priority first, ties
    broken by the customer's stable hash, then the rule; ``late`` (per candidate: a risk
    alert on a customer already lapsed, services.alerts.lapse.win_back_mask) after the
    others; ``short`` (per candidate: a lapse warning with less than the notice left,
    services.alerts.worth.short_notice) between the two; and at most ``critical_cap``
    critical alerts per owner (0: no ceiling), the highest priority first. ``active`` is
    updated."""
    if candidates.empty:
        return pd.DataFrame(columns=RAISED_COLUMNS)
    # Plain arrays, not frames: the replay admits every week of every trial (thousands of
    # calls), and a frame's filtering, sorting and grouping cost milliseconds each.
    ids = candidates["customer_id"].to_numpy(np.int64)
    rules = candidates["rule_key"].astype(str).to_numpy()
    keep = ~np.isin(ids, np.fromiter(contacted, np.int64, len(contacted)))
    busy = np.array(
        [
            day - active.get((c, r), -(10**9)) < active_days
            for c, r in zip(ids.tolist(), rules.tolist(), strict=True)
        ],
        dtype=bool,
    )
    keep &= ~busy
    keep &= ~((rules == "expansion") & candidates["do_not_contact"].to_numpy(bool))
    rows = np.flatnonzero(keep)
    owner = candidates["owner"].fillna("").astype(str).to_numpy()[rows]
    rule = rules[rows]
    tie = _ranks([ties.get(c, 0) for c in ids[rows].tolist()])
    last = np.zeros(rows.size, bool) if late is None else np.asarray(late, bool)[rows]
    brief = np.zeros(rows.size, bool) if short is None else np.asarray(short, bool)[rows]
    order = np.lexsort(
        (np.unique(rule, return_inverse=True)[1], tie, _descending(candidates, rows), brief, last)
    )
    critical = candidates["severity"].to_numpy()[rows] == "critical"
    chosen: list[int] = []
    for flag, ceiling in ((True, critical_cap), (False, cap)):
        per_owner: dict[str, int] = {}
        for i in order[critical[order] == flag].tolist():
            if ceiling > 0:
                n = per_owner.get(owner[i], 0)
                if n >= ceiling:
                    continue
                per_owner[owner[i]] = n + 1
            chosen.append(i)
    pick = np.array(chosen, np.int64)
    for c, r in zip(ids[rows[pick]].tolist(), rule[pick].tolist(), strict=True):
        active[(c, r)] = day
    out = candidates.iloc[rows[pick]].loc[:, ["customer_id", "rule_key", "severity",
                                              "priority_cents"]].reset_index(drop=True)  # fmt: skip
    out.insert(0, "day", day)
    out.insert(4, "owner", owner[pick])
    out["late"] = last[pick]
    return out


def _ranks(values: list[int]) -> IntArray:
    """Each value's rank among ``values`` (the stable hashes overflow 64-bit integers)."""
    rank = {v: k for k, v in enumerate(sorted(set(values)))}
    return np.array([rank[v] for v in values], np.int64)


def _descending(candidates: pd.DataFrame, rows: IntArray) -> npt.NDArray[Any]:
    """The priorities at ``rows`` as a key that sorts the highest first (none last)."""
    priority: npt.NDArray[Any] = candidates["priority_cents"].to_numpy()[rows]
    if priority.dtype.kind in "iu":
        whole: npt.NDArray[np.int64] = -priority.astype(np.int64)
        return whole
    values = priority.astype(np.float64)
    descending: npt.NDArray[Any] = np.where(np.isnan(values), np.inf, -values)
    return descending


def recency_picks(
    last_day: Mapping[int, int],
    day: int,
    count: int,
    horizon: int,
    active: dict[int, int],
    contacted: frozenset[int],
    ties: Mapping[int, int],
    *,
    active_days: int,
    notice: int = 0,
    value: Mapping[int, float] | None = None,
) -> list[int]:
    """The recency rule's alerts on ``day``: the ``count`` customers with the most days since
    their last paid order (``last_day``, as of ``day``) among those not lapsed yet (fewer
    than ``horizon`` days; with a ``notice``, those with at least that many days left
    before they lapse), with the app's cool-down and active period; ties by the stable
    hash. With ``value`` (per customer, cents), the same customers ranked by it instead,
    highest first (none known: 0). ``active`` is updated."""
    if count <= 0:
        return []
    latest = horizon - max(notice, 1)
    rank = (lambda c, last: day - last) if value is None else (lambda c, _: value.get(c, 0.0))
    rows = [
        (rank(c, last), ties.get(c, 0), c)
        for c, last in last_day.items()
        if 0 <= day - last <= latest
        and c not in contacted
        and day - active.get(c, -(10**9)) >= active_days
    ]
    rows.sort(key=lambda row: (-row[0], row[1], row[2]))
    picked = [c for _, _, c in rows[:count]]
    for c in picked:
        active[c] = day
    return picked


def figures(
    key: str,
    title: str,
    raised: pd.DataFrame,
    lapses: Lapses,
    *,
    weeks: Sequence[int],
    end_day: int,
    horizon: int,
    owners: int,
    critical: pd.DataFrame | None = None,
    values: Mapping[int, Mapping[int, float]] | None = None,
) -> ReplayFigures:
    """The figures of the alerts ``raised`` (columns day, customer_id, owner; one row per
    alert) against the lapse points (replay_records.DEFINITIONS). ``critical``: (day,
    customer_id) where the critical rule's condition held, for missed critical.
    ``values``: per replayed day, each customer's T-month value in cents (the lead values)."""
    start = int(weeks[0])
    seen = raised.drop_duplicates(["day", "customer_id"])
    judged = seen[seen["day"].to_numpy(np.int64) + horizon <= end_day]
    hits = sum(
        _lapses_within(lapses, int(c), int(d), horizon)
        for c, d in zip(judged["customer_id"].tolist(), judged["day"].tolist(), strict=True)
    )
    alerted: dict[int, list[int]] = {}
    for c, d in zip(seen["customer_id"].tolist(), seen["day"].tolist(), strict=True):
        alerted.setdefault(int(c), []).append(int(d))
    lapsed = first_lapses(lapses, start, end_day)
    leads, worth = [], []
    for c, point in sorted(lapsed.items()):
        before = [d for d in alerted.get(c, ()) if d < point <= d + horizon]
        if before:
            leads.append(point - min(before))
            known = values.get(min(before), {}) if values is not None else {}
            worth.append(int(round(float(known.get(c, 0.0)))))
    order = sorted(range(len(leads)), key=lambda i: leads[i])
    counts = raised.groupby(["day", "owner"]).size() if len(raised) else pd.Series([], dtype=int)
    slots = max(owners, 1) * len(weeks)
    missed: tuple[int, ...] = ()
    if critical is not None:
        met: dict[int, list[int]] = {}
        for c, d in zip(critical["customer_id"].tolist(), critical["day"].tolist(), strict=True):
            met.setdefault(int(c), []).append(int(d))
        missed = tuple(
            c
            for c, point in sorted(lapsed.items())
            if any(d < point <= d + horizon for d in met.get(c, ()))
            and not any(d < point <= d + horizon for d in alerted.get(c, ()))
        )
    return ReplayFigures(
        key=key,
        title=title,
        alerts=len(raised),
        judged=len(judged),
        hits=int(hits),
        lapsed=len(lapsed),
        caught=len(leads),
        lead_days=tuple(leads[i] for i in order),
        lead_values=tuple(worth[i] for i in order) if values is not None else (),
        per_owner_week_mean=round(len(raised) / slots, 3),
        per_owner_week_max=int(counts.max()) if len(counts) else 0,
        missed_critical=len(missed) if critical is not None else None,
        missed_critical_ids=missed,
    )


def _lapses_within(lapses: Lapses, customer: int, day: int, horizon: int) -> bool:
    return any(day < p <= day + horizon for p in lapses.get(customer, ()))
