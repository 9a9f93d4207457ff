"""Usage summed per customer and local day as the chunks go by: only the running figures
are kept (events, minutes, logins, documents, session ids, user keys and feature counts per
customer-day), never the events, so memory grows with customer-days, not with the file.

What an event name says (once per distinct name): a login ("Log In", "user_signed_in"), a
document viewed ("Document Viewed", "file_downloaded", "Opened PDF"), a session start, or
housekeeping (sessions, page and screen views, identify calls), which is no feature; every
other event name is a feature, counted per day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from services.core.user_keys import user_key
from services.importing.usage.layouts import key

__all__ = ["DayFigures", "EventTotals", "classify", "user_key"]

# The most user keys a day keeps (active users counts them: a bigger account is capped).
MAX_USERS_PER_DAY = 1000
EPOCH = dt.date(1970, 1, 1)
# The partial rows kept before they are summed into one frame (memory against speed).
COMPACT_ROWS = 1_000_000

_LOGIN = re.compile(r"(?:^|[^a-z])(?:log(?:ged)?[ _-]?in|sign(?:ed)?[ _-]?in|signin)(?:$|[^a-z])")
_DOCUMENT = re.compile(r"(?:document|(?:^|[^a-z])docs?(?:$|[^a-z])|file|pdf)")
_SEEN = re.compile(r"(?:view|open|download|read)")
_SESSION_STARTS = {
    "sessionstart",
    "sessionstarted",
    "startsession",
    "amplitudestartsession",
    "$sessionstart",
    "$aesession",
    "applicationopened",
}
_HOUSEKEEPING = _SESSION_STARTS | {
    "sessionend",
    "sessionended",
    "endsession",
    "amplitudeendsession",
    "page",
    "pageview",
    "pageviewed",
    "loadedapage",
    "amplitudepageviewed",
    "$pageview",
    "$mpwebpageview",
    "$pageleave",
    "screen",
    "screenview",
    "screenviewed",
    "$screen",
    "identify",
    "$identify",
    "alias",
    "$createalias",
    "group",
    "$groupidentify",
    "$autocapture",
    "applicationbackgrounded",
    "applicationinstalled",
    "applicationupdated",
    "activity",
    "",
}


@dataclass(frozen=True)
class Kind:
    """What one event name says."""

    login: bool
    document: bool
    start: bool
    feature: bool


def classify(name: str) -> Kind:
    """What an event name says (module docstring)."""
    low = name.casefold()
    k = key(name)
    login = bool(_LOGIN.search(low))
    document = bool(_DOCUMENT.search(low) and _SEEN.search(low))
    start = k in _SESSION_STARTS
    return Kind(login, document, start, not (k in _HOUSEKEEPING or login))


@dataclass
class DayFigures:
    """One customer's usage on one day (or week), as usage_days keeps it."""

    customer_id: int
    day: dt.date
    period_days: int
    events: int
    sessions: int | None
    logins: int | None
    active_users: int | None
    minutes: float | None
    documents_viewed: int | None
    features: dict[str, int] | None
    users: list[str] | None


def _compact(parts: list[pd.DataFrame], keys: list[str], how: str) -> list[pd.DataFrame]:
    """The parts as one frame, summed (or de-duplicated) by ``keys``."""
    if len(parts) < 2:
        return parts
    whole = pd.concat(parts, ignore_index=True)
    if how == "sum":
        whole = whole.groupby(keys, sort=False, as_index=False).sum()
    else:
        whole = whole.drop_duplicates(keys, ignore_index=True)
    return [whole]


class _Parts:
    """Partial per-key frames, compacted once they hold more than ``limit`` rows, so that
    memory follows the distinct keys, not the events."""

    def __init__(self, keys: list[str], how: str) -> None:
        self.keys, self.how, self.limit = keys, how, COMPACT_ROWS
        self.parts: list[pd.DataFrame] = []
        self.rows = 0
        self.compacted = 0

    def add(self, frame: pd.DataFrame) -> None:
        if not len(frame):
            return
        self.parts.append(frame)
        self.rows += len(frame)
        if self.rows - self.compacted > self.limit:
            self.parts = _compact(self.parts, self.keys, self.how)
            self.rows = self.compacted = len(self.parts[0])

    def whole(self, columns: list[str]) -> pd.DataFrame:
        self.parts = _compact(self.parts, self.keys, self.how)
        return self.parts[0] if self.parts else pd.DataFrame(columns=columns)


class EventTotals:
    """The running per customer-day figures of an event export, kept as compact frames:
    sums per customer-day, distinct (customer-day, session) and (customer-day, person)
    pairs, and uses per (customer-day, feature)."""

    def __init__(self, *, sessions: bool) -> None:
        self.has_sessions = sessions
        self.sums = _Parts(["cd"], "sum")
        self.sessions = _Parts(["cd", "session"], "distinct")
        self.users = _Parts(["cd", "user"], "distinct")
        self.features = _Parts(["cd", "feature"], "sum")
        self._kinds: dict[str, Kind] = {}
        self._people: dict[str, int] = {}
        self._names: dict[str, int] = {}

    def _kind(self, name: str) -> Kind:
        found = self._kinds.get(name)
        if found is None:
            found = self._kinds[name] = classify(name)
        return found

    @staticmethod
    def _codes(values: np.ndarray[Any, Any], table: dict[str, int]) -> np.ndarray[Any, Any]:
        codes, uniques = pd.factorize(values)
        mapped = np.array([table.setdefault(str(u), len(table)) for u in uniques], dtype="int32")
        out: np.ndarray[Any, Any] = mapped[codes] if len(codes) else codes.astype("int32")
        return out

    def add(self, events: pd.DataFrame, customers: np.ndarray[Any, Any]) -> None:
        """Add the matched events of a chunk (``customers`` >= 0)."""
        matched = customers >= 0
        if not matched.any():
            return
        frame = events.loc[matched]
        # One number per customer-day: the running frames are most of the memory an
        # import takes (they are summed per customer-day at once, so 64-bit counts cost
        # little and never wrap).
        cd = _cd(customers[matched], frame["day"].to_numpy(dtype="int64"))
        codes, names = pd.factorize(frame["event"])
        kinds = [self._kind(str(n)) for n in names]
        flags = np.array([(k.login, k.document, k.start) for k in kinds], dtype=bool).reshape(-1, 3)
        count = frame["count"].to_numpy(dtype="int64")
        part = pd.DataFrame(
            {
                "cd": cd,
                "events": count,
                "minutes": np.nan_to_num(frame["minutes"].to_numpy(dtype="float64")),
                "timed": (~np.isnan(frame["minutes"].to_numpy(dtype="float64"))).astype("int32"),
                "logins": count * flags[codes, 0],
                "documents": count * flags[codes, 1],
                "starts": count * flags[codes, 2],
            }
        )
        self.sums.add(part.groupby("cd", sort=False, as_index=False).sum())
        session = frame["session"].to_numpy(dtype=object)
        has = session != ""
        if has.any():
            hashed = pd.util.hash_array(session[has]).view("int64")
            pairs = pd.DataFrame({"cd": cd[has], "session": hashed})
            self.sessions.add(pairs.drop_duplicates(ignore_index=True))
        people = frame["user"].where(frame["user"] != "", frame["email"]).to_numpy(dtype=object)
        has = people != ""
        if has.any():
            who = self._codes(people[has], self._people)
            pairs = pd.DataFrame({"cd": cd[has], "user": who})
            self.users.add(pairs.drop_duplicates(ignore_index=True))
        named = np.array([str(n) if k.feature else "" for n, k in zip(names, kinds, strict=True)])
        explicit = frame["feature"].to_numpy(dtype=object)
        chosen = np.where(explicit != "", explicit, named[codes] if len(codes) else "")
        used = chosen != ""
        if used.any():
            uses = pd.DataFrame(
                {
                    "cd": cd[used],
                    "feature": self._codes(chosen[used], self._names),
                    "n": count[used],
                }
            )
            self.features.add(uses.groupby(["cd", "feature"], sort=False, as_index=False).sum())

    def days(self) -> int:
        """How many customer-days the figures cover."""
        return len(self.sums.whole(["cd"]))

    def batches(self, size: int = 20_000) -> Iterator[list[DayFigures]]:
        """Every customer-day's figures, by customer and day, ``size`` at a time (the
        people and features of a batch are gathered for that batch only)."""
        sums = self.sums.whole(["cd"]).sort_values("cd", ignore_index=True)
        sessions = self.sessions.whole(["cd", "session"])
        counted = sessions.groupby("cd", as_index=False).size()
        sums = sums.merge(counted, on="cd", how="left")
        users = self.users.whole(["cd", "user"]).sort_values(["cd", "user"], ignore_index=True)
        features = self.features.whole(["cd", "feature", "n"])
        features = features.sort_values(["cd", "feature"], ignore_index=True)
        del sessions, counted
        for parts in (self.sums, self.sessions, self.users, self.features):
            parts.parts = []  # the sorted copies are the ones read from here on
        keys = np.array([user_key(p) for p in self._people] or [""], dtype=object)
        names = np.array(list(self._names) or [""], dtype=object)
        user_at = users["cd"].to_numpy(dtype="int64")
        feature_at = features["cd"].to_numpy(dtype="int64")
        user_codes = users["user"].to_numpy(dtype="int64")
        feature_codes = features["feature"].to_numpy(dtype="int64")
        feature_uses = features["n"].to_numpy(dtype="int64") if len(features) else user_codes
        sum_keys = sums["cd"].to_numpy(dtype="int64")
        for first in range(0, len(sums), size):
            part = sums.iloc[first : first + size]
            at = sum_keys[first : first + size]
            u0, u1 = np.searchsorted(user_at, at, "left"), np.searchsorted(user_at, at, "right")
            f0 = np.searchsorted(feature_at, at, "left")
            f1 = np.searchsorted(feature_at, at, "right")
            batch = []
            for i, row in enumerate(part.itertuples(index=False)):
                cust, day = _cust_day(int(row.cd))
                people = sorted(set(keys[user_codes[u0[i] : u1[i]]].tolist()))[:MAX_USERS_PER_DAY]
                uses = dict(
                    zip(
                        names[feature_codes[f0[i] : f1[i]]].tolist(),
                        feature_uses[f0[i] : f1[i]].tolist(),
                        strict=True,
                    )
                )
                batch.append(
                    DayFigures(
                        customer_id=cust,
                        day=EPOCH + dt.timedelta(days=day),
                        period_days=1,
                        events=int(row.events),
                        sessions=(int(row.starts) if np.isnan(row.size) else int(row.size))
                        if self.has_sessions
                        else None,
                        logins=int(row.logins),
                        active_users=len(people),
                        minutes=round(float(row.minutes), 2) if row.timed else None,
                        documents_viewed=int(row.documents),
                        features=dict(sorted(uses.items())) or None,
                        users=people or None,
                    )
                )
            yield batch


_DAY_BITS = 24
_DAY_ZERO = 1 << 23  # days before 1970 stay positive


def _cd(customers: np.ndarray[Any, Any], days: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """One sortable number per (customer, day): sorted, it is by customer then day."""
    out: np.ndarray[Any, Any] = (customers.astype("int64") << _DAY_BITS) + (
        days.astype("int64") + _DAY_ZERO
    )
    return out


def _cust_day(cd: int) -> tuple[int, int]:
    return cd >> _DAY_BITS, (cd & ((1 << _DAY_BITS) - 1)) - _DAY_ZERO
