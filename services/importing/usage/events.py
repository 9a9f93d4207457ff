"""A chunk of a usage export as plain events: who (user, email, account), what (event or
feature), which local day, the session, minutes and how many events the row stands for.

A timestamp is placed on its local date as orders are (services/core/local_dates.py): a
stamp with its own offset ("2026-11-03T21:05:00-05:00") on the date of that clock; a stamp
in UTC ("Z", epoch seconds or milliseconds, and Amplitude's event_time, which Amplitude
writes in UTC without saying so) on the workspace's zone's date; a stamp with no zone at
all on the date it names.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from services.importing.usage.layouts import Layout, roles_in

__all__ = ["EVENT_COLUMNS", "local_days", "normalise", "out_of_range_reason"]

EVENT_COLUMNS = (
    "row",
    "key",
    "user",
    "email",
    "account",
    "event",
    "feature",
    "day",
    "session",
    "minutes",
    "count",
)
# The most events one row may stand for (Pendo's numEvents per visitor and day) and the
# most minutes it may give: beyond them the export is broken, not the customer busy.
MAX_ROW_EVENTS = 1_000_000
MAX_ROW_MINUTES = 7 * 24 * 60
# Segment calls that are no use of the product: who someone is, which account they are in.
_NOT_ACTIVITY = {"identify", "group", "alias"}
_PAGE_CALLS = {"page": "Page Viewed", "screen": "Screen Viewed"}
_OFFSET = re.compile(r"\d[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*([+-])(\d\d):?(\d\d)$")
_UTC_WORDS = re.compile(r"(?:Z|UTC|GMT|[+-]00:?00)$", re.IGNORECASE)
_EPOCH = re.compile(r"^\d{9,14}(?:\.\d+)?$")
_DAY_NS = 86_400 * 10**9
# The times a usage event can plausibly have: none before 1990, none more than a day after
# the import (a clock a little ahead). Anything else is a broken export (a 9999-12-31
# placeholder, -1, an epoch in the wrong unit) and would land on a day centuries away.
PLAUSIBLE_SINCE = pd.Timestamp("1990-01-01", tz="UTC")
AHEAD = pd.Timedelta(days=1)


def _missing(values: pd.Series) -> np.ndarray[Any, Any]:
    out: np.ndarray[Any, Any] = pd.isna(values).to_numpy()
    return out


def _text(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """A column as trimmed text, "" when empty or absent (numbers without ".0")."""
    if column is None or column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    values = frame[column]
    if values.dtype != object:
        if pd.api.types.is_float_dtype(values):
            whole = values.notna() & (values % 1 == 0)
            shown = values.astype(object)
            shown[whole] = values[whole].astype("int64").astype(str)
            values = shown
        values = values.astype(object)
    missing = _missing(values)
    if missing.any():
        values = values.where(~missing, "")
    if any(isinstance(v, dict | list) for v in values.head(5)):
        values = values.map(lambda v: json.dumps(v) if isinstance(v, dict | list) else v)
    return values.astype(str).str.strip()


def _parsed(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _nested(frame: pd.DataFrame, column: str | None, *path: tuple[str, ...]) -> pd.Series:
    """A value inside a JSON column (a dict, or JSON text in a CSV): the first of the key
    paths given that holds something; "" elsewhere. Only rows with content are parsed."""
    out = np.full(len(frame), "", dtype=object)
    if column is None or column not in frame.columns:
        return pd.Series(out, index=frame.index)
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return pd.Series(out, index=frame.index)
    raw = values.to_numpy(dtype=object)
    for i, value in enumerate(raw):
        if isinstance(value, str):
            if len(value) <= 2:
                continue
            value = _parsed(value)
        if not isinstance(value, dict):
            continue
        for keys in path:
            found = _dig(value, keys)
            if found not in (None, ""):
                out[i] = str(found)
                break
    return pd.Series(out, index=frame.index)


def _dig(value: Any, keys: tuple[str, ...]) -> Any:
    for k in keys:
        if not isinstance(value, dict):
            return None
        # "*": the first value of any key (Amplitude's groups {"company": ["Acme"]}).
        value = next(iter(value.values()), None) if k == "*" else value.get(k)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _numbers(frame: pd.DataFrame, column: str | None, default: float) -> pd.Series:
    if column is None or column not in frame.columns:
        return pd.Series(default, index=frame.index, dtype="float64")
    values = pd.to_numeric(frame[column], errors="coerce")
    return values.astype("float64")


def latest_plausible() -> pd.Timestamp:
    """The latest time a usage record may have: a day after now."""
    return pd.Timestamp.now(tz="UTC") + AHEAD


def local_days(
    values: pd.Series, zone: str, *, naive_is_utc: bool = False
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The local day (days since 1970-01-01) of each time, which could not be read, and
    which of those were read but lie outside the plausible range (PLAUSIBLE_SINCE to a day
    after now; these are in the second array too). See the module docstring for the rules."""
    n = len(values)
    latest = latest_plausible()
    far = np.zeros(n, dtype=bool)
    text = _text(pd.DataFrame({"t": values}), "t")
    empty = (text == "").to_numpy()
    epoch = text.str.match(_EPOCH.pattern).to_numpy() & ~empty
    local_ns = np.zeros(n, dtype="int64")
    bad = empty.copy()
    if epoch.any():
        numbers = pd.to_numeric(text[epoch], errors="coerce").to_numpy(dtype="float64")
        seconds = np.where(numbers >= 1e11, numbers / 1e3, numbers)
        # Checked before the nanoseconds are taken: out of range they would wrap around.
        out_of_range = (seconds < PLAUSIBLE_SINCE.timestamp()) | (seconds > latest.timestamp())
        ns = np.where(out_of_range, 0.0, seconds * 1e9).astype("int64")
        local_ns[epoch] = _in_zone(ns, zone)
        far[epoch] = out_of_range
        bad[epoch] = out_of_range
    wordy = ~epoch & ~empty
    if wordy.any():
        words = text[wordy]
        parsed = pd.to_datetime(words, utc=True, errors="coerce", format="ISO8601")
        if parsed.isna().any():
            retry = parsed.isna()
            parsed[retry] = pd.to_datetime(words[retry], utc=True, errors="coerce", format="mixed")
        out_of_range = (
            parsed.notna() & ((parsed < PLAUSIBLE_SINCE) | (parsed > latest))
        ).to_numpy()
        if out_of_range.any():
            # Before the nanoseconds are taken: 9999-12-31 would wrap around to 1816.
            parsed = parsed.where(~out_of_range)
        ok = parsed.notna().to_numpy()
        ns = parsed.to_numpy(dtype="datetime64[ns]").astype("int64")  # UTC instants
        # The zone is in the last characters: only those are searched (cheaper).
        tail = words.str[-7:]
        said_utc = tail.str.contains(_UTC_WORDS.pattern, regex=True).to_numpy()
        signed = tail.str.contains("[+-]", regex=True).to_numpy()
        has_offset = np.zeros(len(words), dtype=bool)
        minutes = np.zeros(len(words), dtype="int64")
        if signed.any():
            offsets = words.str.extract(_OFFSET)
            has_offset = offsets[0].notna().to_numpy()
            sign = np.where(offsets[0][has_offset] == "-", -1, 1)
            hours = offsets[1][has_offset].astype(int).to_numpy()
            mins = offsets[2][has_offset].astype(int).to_numpy()
            minutes[has_offset] = sign * (hours * 60 + mins)
        utc = said_utc | (~has_offset & naive_is_utc)
        own = has_offset & ~said_utc
        out = ns.copy()  # a stamp with no zone: the wall time as written
        if utc.any():
            out[utc] = _in_zone(ns[utc], zone)
        out[own] = ns[own] + minutes[own] * 60 * 10**9
        local_ns[wordy] = out
        bad[wordy] = ~ok
        far[wordy] = out_of_range
    days = np.floor_divide(local_ns, _DAY_NS)
    return days, bad, far


def _in_zone(ns: np.ndarray[Any, Any], zone: str) -> np.ndarray[Any, Any]:
    """UTC instants (ns) as wall times (ns) of ``zone``."""
    if zone in ("UTC", "Etc/UTC", "") or not len(ns):
        return ns
    stamps = pd.DatetimeIndex(ns.astype("datetime64[ns]")).tz_localize("UTC")
    wall = stamps.tz_convert(zone).tz_localize(None)
    out: np.ndarray[Any, Any] = wall.asi8
    return out


Columns = dict[str, pd.Series]


def _amplitude(frame: pd.DataFrame, roles: dict[str, str], c: Columns) -> None:
    if "groups" in roles:
        found = _nested(frame, roles["groups"], ("company_id",), ("account_id",), ("*",))
        c["account"] = c["account"].where(c["account"] != "", found)
    if "user_properties" in roles:
        found = _nested(frame, roles["user_properties"], ("email",), ("Email",), ("$email",))
        c["email"] = c["email"].where(c["email"] != "", found)
    c["session"] = c["session"].where(~c["session"].isin(["-1", "0"]), "")


def _segment(
    frame: pd.DataFrame, roles: dict[str, str], c: Columns
) -> tuple[np.ndarray[Any, Any], dict[str, str]]:
    kind = _text(frame, roles.get("type")).str.lower()
    if "context" in roles:
        found = _nested(frame, roles["context"], ("groupId",), ("group_id",))
        c["account"] = c["account"].where(c["account"] != "", found)
        found = _nested(frame, roles["context"], ("traits", "email"))
        c["email"] = c["email"].where(c["email"] != "", found)
    if "properties" in roles:
        seconds = pd.to_numeric(_nested(frame, roles["properties"], ("duration",)), errors="coerce")
        c["minutes"] = c["minutes"].where(seconds.isna(), seconds / 60.0)
    if "duration" in roles:
        c["minutes"] = _numbers(frame, roles["duration"], np.nan) / 60.0
    for call, name in _PAGE_CALLS.items():
        c["event"] = c["event"].where(~((kind == call) & (c["event"] == "")), name)
    grouped = (kind == "group") & (c["user"] != "") & (c["account"] != "")
    links = dict(zip(c["user"][grouped], c["account"][grouped], strict=True))
    return kind.isin(_NOT_ACTIVITY).to_numpy(), links


def _mixpanel(frame: pd.DataFrame, roles: dict[str, str], c: Columns) -> None:
    if "duration" in roles:
        c["minutes"] = _numbers(frame, roles["duration"], np.nan) / 60.0
    # $user_id is the signed-in user; distinct_id a device until identify.
    if roles.get("user") == "$user_id" and "distinct_id" in frame.columns:
        device = _text(frame, "distinct_id")
        c["user"] = c["user"].where(c["user"] != "", device)


def _pendo(frame: pd.DataFrame, roles: dict[str, str], c: Columns) -> None:
    count = _numbers(frame, roles.get("count"), 1.0)
    given = _text(frame, roles.get("count")) != ""
    c["count"] = count.where(given | count.notna(), 1.0)  # no count: one event; text: NaN
    c["minutes"] = _numbers(frame, roles.get("minutes"), np.nan)
    feature = _text(frame, roles.get("feature"))
    page = _text(frame, roles.get("page"))
    event = feature.where(feature != "", page.where(page == "", "Page Viewed"))
    c["feature"] = feature
    c["event"] = event.where(event != "", "Activity")


def normalise(
    layout: Layout, frame: pd.DataFrame, rows: pd.Series, zone: str
) -> tuple[pd.DataFrame, list[tuple[int, str]], dict[str, str]]:
    """The chunk as events (EVENT_COLUMNS), the rows rejected with their reason, and the
    user -> account links its Segment group calls make."""
    roles = roles_in(layout, frame.columns) if layout.json else dict(layout.columns)
    index = frame.index
    c: Columns = {
        name: _text(frame, roles.get(name)) for name in ("user", "email", "account", "event")
    }
    c["session"] = _text(frame, roles.get("session"))
    c["feature"] = pd.Series("", index=index, dtype=object)
    c["minutes"] = pd.Series(np.nan, index=index, dtype="float64")
    c["count"] = pd.Series(1.0, index=index, dtype="float64")
    skip = np.zeros(len(frame), dtype=bool)
    links: dict[str, str] = {}
    if layout.name == "amplitude_events":
        _amplitude(frame, roles, c)
    elif layout.name == "segment_events":
        skip, links = _segment(frame, roles, c)
    elif layout.name == "mixpanel_events":
        _mixpanel(frame, roles, c)
    elif layout.name == "pendo_events":
        _pendo(frame, roles, c)
    time = roles.get("time")
    stamps = frame[time] if time in frame.columns else pd.Series("", index=index)
    days, bad_time, far = local_days(stamps, zone, naive_is_utc=layout.name == "amplitude_events")
    nobody = ((c["user"] == "") & (c["email"] == "") & (c["account"] == "")).to_numpy()
    numbers = rows.to_numpy()
    shown_time = _text(frame, time).to_numpy()
    count = c["count"].to_numpy(dtype="float64")
    minutes = c["minutes"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        bad_count = ~np.isfinite(count) | (count < 0) | (count > MAX_ROW_EVENTS)
        bad_minutes = np.isinf(minutes) | (minutes < 0) | (minutes > MAX_ROW_MINUTES)
    shown_count = _text(frame, roles.get("count")).to_numpy()
    problems: list[tuple[np.ndarray[Any, Any], Any]] = [
        (bad_time, lambda i: _time_reason(str(shown_time[i]), bool(far[i]))),
        (nobody, lambda i: "no user or account: the event names nobody to match"),
        (
            bad_count,
            lambda i: (
                f"event count '{str(shown_count[i])[:40]}': not a whole number of "
                f"events from 0 to {MAX_ROW_EVENTS:,}"
            ),
        ),
        (
            bad_minutes,
            lambda i: (
                f"minutes '{minutes[i]:g}': not a time from 0 to {MAX_ROW_MINUTES:,} "
                "minutes (a week)"
            ),
        ),
    ]
    rejects: list[tuple[int, str]] = []
    taken = skip.copy()
    for mask, why in problems:
        hit = mask & ~taken
        rejects.extend((int(numbers[i]), why(i)) for i in np.flatnonzero(hit))
        taken |= hit
    rejects.sort()
    keep = ~taken
    c["key"] = _event_keys(c, shown_time, _text(frame, roles.get("insert_id")))
    out = {name: c[name].to_numpy()[keep] for name in EVENT_COLUMNS if name in c}
    out["count"] = np.rint(out["count"]).astype("int64")
    return (
        pd.DataFrame({"row": numbers[keep], **out, "day": days[keep]}, columns=EVENT_COLUMNS),
        rejects,
        links,
    )


def _event_keys(c: Columns, when: np.ndarray[Any, Any], insert_id: pd.Series) -> pd.Series:
    """A 64-bit hash of everything an event row says (who, what, the time as written, the
    vendor's insert id where it gives one): two rows with the same are one event sent
    twice, counted once (services/importing/usage/run.py)."""
    said = pd.DataFrame(
        {
            "user": c["user"],
            "email": c["email"],
            "account": c["account"],
            "event": c["event"],
            "feature": c["feature"],
            "session": c["session"],
            "time": when,
            "id": insert_id,
            "count": c["count"],
            "minutes": c["minutes"],
        }
    )
    hashed = pd.util.hash_pandas_object(said, index=False).to_numpy().view("int64")
    return pd.Series(hashed, index=c["user"].index)


def _time_reason(shown: str, far: bool = False) -> str:
    if not shown:
        return "no time: the event has no timestamp"
    if far:
        return out_of_range_reason("time", shown)
    return f"malformed time '{shown[:40]}': not a date and time"


def out_of_range_reason(what: str, shown: str) -> str:
    """Why a row whose time (or date) is outside the plausible range is rejected."""
    return (
        f"implausible {what} '{shown[:40]}': before 1990 or more than a day from now "
        f"(check the export's {what} column)"
    )
