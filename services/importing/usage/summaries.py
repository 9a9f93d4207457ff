"""Aggregate usage files (one row per account or person and day or week): each row's
figures added to its customer's day, as the event exports' are. A week (a "week" column, or
a "granularity" of week) is kept on its first day with ``period_days`` 7; active users of
rows that fall on the same customer and day are the largest figure (a lower bound: the
rows may count the same people). A figure the file has no column for stays empty."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from services.importing.usage.aggregate import EPOCH, DayFigures
from services.importing.usage.events import (
    PLAUSIBLE_SINCE,
    latest_plausible,
    local_days,
    out_of_range_reason,
)
from services.importing.usage.layouts import Layout, feature_name
from services.importing.usage.matching import Matcher

__all__ = ["SummaryTotals"]

_ISO_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
_FIGURES = ("events", "sessions", "logins", "minutes", "documents")
# The largest figure one row may give (events, sessions, minutes, users or uses of a feature
# of one account or person on one day or week): more is a broken export.
MAX_ROW_FIGURE = 10_000_000


def _week_days(
    values: pd.Series,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    text = values.astype(str).str.strip()
    weeks = text.str.extract(_ISO_WEEK)
    iso = weeks[0].notna().to_numpy()
    days, bad, far = local_days(text.where(~iso, ""), "UTC")
    first = (PLAUSIBLE_SINCE.date() - EPOCH).days
    last = (latest_plausible().date() - EPOCH).days
    for i in np.flatnonzero(iso):
        try:
            monday = dt.date.fromisocalendar(int(weeks[0].iat[i]), int(weeks[1].iat[i]), 1)
        except ValueError:
            continue
        days[i] = (monday - EPOCH).days
        far[i] = not first <= days[i] <= last
        bad[i] = far[i]
    return days, bad, far


def _figure(values: pd.Series) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """A figure column as numbers (NaN where empty) and which cells are not a number from
    0 to MAX_ROW_FIGURE ("NaN", "inf", negative, 1e15: a broken export, never summed)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    text = values.astype(str).str.strip()
    empty = (values.isna() | (text == "")).to_numpy()
    with np.errstate(invalid="ignore"):
        bad = ~empty & (~np.isfinite(numbers) | (numbers < 0) | (numbers > MAX_ROW_FIGURE))
    return numbers, bad


class SummaryTotals:
    """The running per customer-day figures of an aggregate file."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.rows: dict[tuple[int, int, int], dict[str, Any]] = {}

    def add(
        self, frame: pd.DataFrame, rows: pd.Series, matcher: Matcher
    ) -> tuple[list[tuple[int, str]], pd.DataFrame, np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Add a chunk; (rejects, who each matched row was, customers, reasons)."""
        cols = self.layout.columns
        numbers = rows.to_numpy()
        weekly = "week" in cols
        when = frame[cols["week"] if weekly else cols["date"]]
        days, bad, far = _week_days(when) if weekly else local_days(when, "UTC")
        period = np.full(len(frame), 7 if weekly else 1, dtype="int64")
        if "period_kind" in cols:
            said = frame[cols["period_kind"]].astype(str).str.strip().str.lower()
            period[said.str.startswith("week").to_numpy()] = 7
        email = frame[cols["email"]].astype(str).str.strip() if "email" in cols else None
        account = frame[cols["account"]].astype(str).str.strip() if "account" in cols else None
        empty = pd.Series("", index=frame.index, dtype=object)
        who = pd.DataFrame(
            {
                "user": empty if email is None else email,
                "email": empty if email is None else email,
                "account": empty if account is None else account,
            }
        )
        nobody = ((who["email"] == "") & (who["account"] == "")).to_numpy()
        rejects = [
            (
                int(numbers[i]),
                out_of_range_reason("date", str(when.iat[i]))
                if far[i]
                else f"malformed date '{str(when.iat[i])[:40]}': not a date",
            )
            for i in np.flatnonzero(bad)
        ]
        rejects += [
            (int(numbers[i]), "no account or email: the row names nobody to match")
            for i in np.flatnonzero(nobody & ~bad)
        ]
        numbers_of = {column: _figure(frame[column]) for column in self._figure_columns()}
        wrong = np.zeros(len(frame), dtype=bool)
        for column, (_values, bad_value) in numbers_of.items():
            hit = bad_value & ~(bad | nobody | wrong)
            rejects += [
                (
                    int(numbers[i]),
                    f"{column} '{str(frame[column].iat[i])[:40]}': not a number from 0 to "
                    f"{MAX_ROW_FIGURE:,}",
                )
                for i in np.flatnonzero(hit)
            ]
            wrong |= hit
        rejects.sort()
        keep = ~(bad | nobody | wrong)
        customers, reasons = matcher.match(who[keep].reset_index(drop=True))
        figures = {
            name: numbers_of[cols[name]][0][keep]
            for name in (*_FIGURES, "active_users")
            if name in cols
        }
        features = self._features(frame, keep)
        kept_days, kept_period = days[keep], period[keep]
        for i in np.flatnonzero(customers >= 0):
            slot = self.rows.setdefault(
                (int(customers[i]), int(kept_days[i]), int(kept_period[i])), {}
            )
            for name, values in figures.items():
                value = values[i]
                if np.isnan(value):
                    continue
                if name == "active_users":
                    slot[name] = max(slot.get(name, 0), int(value))
                else:
                    slot[name] = slot.get(name, 0) + value
            uses = slot.setdefault("features", {})
            for name, n in features[i].items():
                uses[name] = uses.get(name, 0) + n
        return rejects, who[keep].reset_index(drop=True), customers, reasons

    def _figure_columns(self) -> list[str]:
        cols = self.layout.columns
        named = [cols[n] for n in (*_FIGURES, "active_users", "feature_count") if n in cols]
        return list(dict.fromkeys([*named, *self.layout.features]))

    def _features(self, frame: pd.DataFrame, keep: np.ndarray[Any, Any]) -> list[dict[str, int]]:
        cols = self.layout.columns
        kept = frame[keep]
        out: list[dict[str, int]] = [{} for _ in range(len(kept))]
        for column in self.layout.features:
            counts = pd.to_numeric(kept[column], errors="coerce").to_numpy()
            name = feature_name(column)
            for i in np.flatnonzero(~np.isnan(counts) & (counts > 0)):
                out[i][name] = out[i].get(name, 0) + int(counts[i])
        if "feature" in cols and "feature_count" in cols:
            names = kept[cols["feature"]].astype(str).str.strip().to_numpy()
            counts = pd.to_numeric(kept[cols["feature_count"]], errors="coerce").to_numpy()
            for i in np.flatnonzero((names != "") & ~np.isnan(counts) & (counts > 0)):
                out[i][str(names[i])] = out[i].get(str(names[i]), 0) + int(counts[i])
        return out

    def figures(self) -> list[DayFigures]:
        """Every customer-day's (or week's) figures."""
        cols = self.layout.columns
        out = []
        for (cust, day, period), slot in self.rows.items():

            def whole(name: str, slot: dict[str, Any] = slot) -> int | None:
                return int(round(slot.get(name, 0))) if name in cols else None

            features = slot.get("features") or {}
            events = whole("events")
            if events is None:
                events = sum(features.values())
            minutes = round(float(slot.get("minutes", 0.0)), 2) if "minutes" in cols else None
            out.append(
                DayFigures(
                    customer_id=cust,
                    day=EPOCH + dt.timedelta(days=day),
                    period_days=period,
                    events=events,
                    sessions=whole("sessions"),
                    logins=whole("logins"),
                    active_users=whole("active_users"),
                    minutes=minutes,
                    documents_viewed=whole("documents"),
                    features=dict(sorted(features.items())) or None,
                    users=None,
                )
            )
        return out
