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
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from services.importing.usage.layouts import key

__all__ = ["DayFigures", "EventTotals", "classify", "user_key"]

# The most user keys a day keeps (active users counts them: a bigger account is capped).
MAX_USERS_PER_DAY = 1000
EPOCH = dt.date(1970, 1, 1)

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


def user_key(user: str) -> str:
    """A short stable key of a person (the first 10 hex digits of the SHA-1 of the
    lower-cased id): counts people once without keeping who they are."""
    return hashlib.sha1(user.strip().lower().encode("utf-8")).hexdigest()[:10]  # noqa: S324


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


class EventTotals:
    """The running per customer-day figures of an event export."""

    def __init__(self, *, sessions: bool) -> None:
        self.has_sessions = sessions
        self.sums: dict[tuple[int, int], list[float]] = {}
        self.sessions: dict[tuple[int, int], set[int]] = {}
        self.users: dict[tuple[int, int], set[str]] = {}
        self.features: dict[tuple[int, int], dict[str, int]] = {}
        self._kinds: dict[str, Kind] = {}
        self._keys: dict[str, str] = {}

    def _kind(self, name: str) -> Kind:
        found = self._kinds.get(name)
        if found is None:
            found = self._kinds[name] = classify(name)
        return found

    def _key(self, user: str) -> str:
        found = self._keys.get(user)
        if found is None:
            if len(self._keys) > 2_000_000:  # bounded: a cache, not a record
                self._keys.clear()
            found = self._keys[user] = user_key(user)
        return found

    def add(self, events: pd.DataFrame, customers: np.ndarray[Any, Any]) -> None:
        """Add the matched events of a chunk (``customers`` >= 0)."""
        matched = customers >= 0
        if not matched.any():
            return
        frame = events.loc[matched].assign(cust=customers[matched])
        codes, names = pd.factorize(frame["event"])
        kinds = [self._kind(str(n)) for n in names]
        flags = np.array([(k.login, k.document, k.start) for k in kinds], dtype=bool).reshape(-1, 3)
        count = frame["count"].to_numpy(dtype="int64")
        sums = pd.DataFrame(
            {
                "cust": frame["cust"].to_numpy(),
                "day": frame["day"].to_numpy(),
                "events": count,
                "minutes": frame["minutes"].to_numpy(dtype="float64"),
                "logins": count * flags[codes, 0],
                "documents": count * flags[codes, 1],
                "starts": count * flags[codes, 2],
            }
        ).groupby(["cust", "day"], sort=False)
        totals = sums.sum(min_count=1)
        for (cust, day), row in zip(totals.index, totals.to_numpy(dtype="float64"), strict=True):
            slot = self.sums.setdefault((int(cust), int(day)), [0.0, np.nan, 0.0, 0.0, 0.0])
            slot[0] += row[0]
            if not np.isnan(row[1]):
                slot[1] = row[1] if np.isnan(slot[1]) else slot[1] + row[1]
            slot[2] += row[2]
            slot[3] += row[3]
            slot[4] += row[4]
        self._add_sets(frame)
        feature_names = np.array(
            [str(n) if k.feature else "" for n, k in zip(names, kinds, strict=True)], dtype=object
        )
        explicit = frame["feature"].to_numpy(dtype=object)
        chosen = np.where(explicit != "", explicit, feature_names[codes] if len(codes) else "")
        self._add_features(frame, chosen, count)

    def _add_sets(self, frame: pd.DataFrame) -> None:
        with_session = frame[frame["session"] != ""]
        if len(with_session):
            distinct = with_session[["cust", "day", "session"]].drop_duplicates()
            for cust, day, session in distinct.itertuples(index=False):
                self.sessions.setdefault((int(cust), int(day)), set()).add(hash(session))
        people = frame["user"].where(frame["user"] != "", frame["email"])
        who = pd.DataFrame({"cust": frame["cust"], "day": frame["day"], "user": people})
        who = who[who["user"] != ""].drop_duplicates()
        for cust, day, user in who.itertuples(index=False):
            keys = self.users.setdefault((int(cust), int(day)), set())
            if len(keys) < MAX_USERS_PER_DAY:
                keys.add(self._key(str(user)))

    def _add_features(
        self, frame: pd.DataFrame, chosen: np.ndarray[Any, Any], count: np.ndarray[Any, Any]
    ) -> None:
        used = chosen != ""
        if not used.any():
            return
        uses = (
            pd.DataFrame(
                {
                    "cust": frame["cust"].to_numpy()[used],
                    "day": frame["day"].to_numpy()[used],
                    "feature": chosen[used],
                    "n": count[used],
                }
            )
            .groupby(["cust", "day", "feature"], sort=False)["n"]
            .sum()
        )
        for (cust, day, name), n in uses.items():
            features = self.features.setdefault((int(cust), int(day)), {})
            features[str(name)] = features.get(str(name), 0) + int(n)

    def figures(self) -> list[DayFigures]:
        """Every customer-day's figures."""
        out = []
        for (cust, day), (events, minutes, logins, documents, starts) in self.sums.items():
            sessions = self.sessions.get((cust, day))
            users = self.users.get((cust, day))
            out.append(
                DayFigures(
                    customer_id=cust,
                    day=EPOCH + dt.timedelta(days=day),
                    period_days=1,
                    events=int(events),
                    sessions=(len(sessions) if sessions else int(starts))
                    if self.has_sessions
                    else None,
                    logins=int(logins),
                    active_users=len(users) if users else 0,
                    minutes=None if np.isnan(minutes) else round(float(minutes), 2),
                    documents_viewed=int(documents),
                    features=dict(sorted(self.features.get((cust, day), {}).items())) or None,
                    users=sorted(users) if users else None,
                )
            )
        return out
