"""What the import checks in a converted batch before writing it: text longer than its
column keeps is cut (an id too long rejects its row), dates before 1990 or more than a
year ahead are questioned in the report, and lines read as Windows-1252 are named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from services.importing.canonical import ATTRIBUTE_LIMIT, Batch, Reject, text_limits

# Dates of events that are kept but questioned: before this, or more than a year ahead.
PLAUSIBLE_SINCE = dt.date(1990, 1, 1)
MAX_ROWS_NAMED = 10
_EVENT_DATES: dict[str, tuple[tuple[str, str], ...]] = {
    "orders": (("order_date", "order date"),),
    "interactions": (("occurred_at", "date"),),
    "opportunities": (
        ("created_at", "created date"),
        ("stage_changed_at", "stage date"),
        ("close_date", "close date"),
    ),
    "subscriptions": (
        ("started_at", "start date"),
        ("current_period_end", "period end"),
        ("canceled_at", "cancel date"),
    ),
    "customers": (("signup_date", "sign-up date"),),
    # A contract's end is its renewal date, often years ahead: only its start is checked.
    "contracts": (("start_date", "start date"),),
}


# Identifiers are never cut (two long ids cut to one would merge two records): a row whose
# id is too long is rejected instead.
_ID_COLUMNS = frozenset(
    {"external_id", "customer_external_id", "email", "customer_email", "source", "customer_source"}
)
_TEXT_LABELS = {
    "customer_name": "customer name",
    "customer_company": "company",
    "customer_email": "email",
    "customer_external_id": "customer id",
    "external_id": "id",
    "text": "text",
}


def _text_lengths(column: pd.Series) -> pd.Series:
    """Characters of each text value (0 for a missing or non-text one), vectorised."""
    try:
        lengths = column.str.len()
    except AttributeError:  # no text at all in an object column
        return pd.Series(0, index=column.index, dtype=np.int64)
    return lengths.fillna(0).astype(np.int64)


def cap_texts(batch: Batch, *, longest: int | None = None) -> list[str]:  # noqa: C901
    """Cut text longer than its column keeps (a 10 MB name: 255 characters, a ticket's
    text: 20,000), with "…" at the cut; reject rows whose id is too long. Notes say how
    many values of which column were cut and how long the longest was.

    ``longest``: the longest record of the file in bytes, when known: a column whose limit
    is at least that long cannot hold a longer value and is not checked (a million-row
    orders file checks none)."""
    notes: list[str] = []
    for kind, frame in list(batch.frames.items()):
        if not len(frame):
            continue
        limits = text_limits(kind)
        drop = np.zeros(len(frame), dtype=bool)
        changed = False
        for column, limit in limits.items():
            if column not in frame.columns or frame[column].dtype.kind not in "OT":
                continue  # object or pandas string columns hold text
            if column == "currency" or (longest is not None and longest <= limit):
                continue  # an ISO code by then; or no record of the file is that long
            lengths = _text_lengths(frame[column])
            over = (lengths > limit).to_numpy(dtype=bool)
            count = int(over.sum())
            if not count:
                continue
            label = _TEXT_LABELS.get(column, column.replace("_", " "))
            widest = int(lengths[over].max())
            if column in _ID_COLUMNS:
                rows = frame["row"].to_numpy()[over] if "row" in frame.columns else []
                for row in rows:
                    batch.rejects.append(
                        Reject(
                            batch.file,
                            int(row),
                            f"the {label} is longer than {limit:,} characters; it is not cut, "
                            "as a cut id could name another record",
                        )
                    )
                drop |= over
                continue
            if not changed:
                frame = frame.copy()
                changed = True
            cut = frame.loc[over, column].map(lambda v, n=limit: v[: n - 1] + "…")
            frame.loc[over, column] = cut
            values = "value" if count == 1 else "values"
            notes.append(
                f"{count:,} {label} {values} of {kind} cut to {limit:,} characters "
                f"(the longest had {widest:,})"
            )
        if drop.any():
            frame = frame.loc[~drop].reset_index(drop=True)
            changed = True
        if "attributes" in frame.columns and (longest is None or longest > ATTRIBUTE_LIMIT):
            kept, cut_keys = _cap_attributes(frame["attributes"].tolist())
            if cut_keys:
                if not changed:
                    frame = frame.copy()
                    changed = True
                frame["attributes"] = kept
                for key, (count, widest) in cut_keys.items():
                    values = "value" if count == 1 else "values"
                    notes.append(
                        f"{count:,} '{key}' {values} of {kind} cut to {ATTRIBUTE_LIMIT:,} "
                        f"characters (the longest had {widest:,})"
                    )
        if changed:
            batch.frames[kind] = frame
    return notes


def _cap_attributes(
    rows: list[Any],
) -> tuple[list[Any], dict[str, tuple[int, int]]]:
    """The attributes of each row (the columns the import did not map) with every text
    longer than ATTRIBUTE_LIMIT cut, and per column: how many were cut, the longest."""
    cut_keys: dict[str, tuple[int, int]] = {}
    out: list[Any] = []
    for attrs in rows:
        if isinstance(attrs, dict) and any(
            isinstance(v, str) and len(v) > ATTRIBUTE_LIMIT for v in attrs.values()
        ):
            attrs = dict(attrs)
            for key, value in attrs.items():
                if isinstance(value, str) and len(value) > ATTRIBUTE_LIMIT:
                    count, widest = cut_keys.get(key, (0, 0))
                    cut_keys[key] = (count + 1, max(widest, len(value)))
                    attrs[key] = value[: ATTRIBUTE_LIMIT - 1] + "…"
        out.append(attrs)
    return out, cut_keys


def repaired_note(lines: Sequence[int]) -> str:
    """The report's note on a UTF-8 file whose stray lines were read as Windows-1252."""
    named = ", ".join(str(n) for n in lines[:MAX_ROWS_NAMED])
    more = f" and {len(lines) - MAX_ROWS_NAMED:,} more" if len(lines) > MAX_ROWS_NAMED else ""
    noun = "line was" if len(lines) == 1 else "lines were"
    where = "line" if len(lines) == 1 else "lines"
    return (
        f"{len(lines):,} {noun} not UTF-8 and read as Windows-1252 ({where} {named}{more} "
        "of the file); every other line kept its UTF-8: check the names on those lines"
    )


def implausible_dates(batch: Batch, today: dt.date | None = None) -> list[str]:
    """Report notes for dates before 1990 or more than a year from today: such rows are
    imported as given (an old customer, a deal far ahead may be right), with their row
    numbers so the user can check them (a typo such as 2206 for 2026, an Excel zero date)."""
    today = today or dt.date.today()
    try:
        ahead = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        ahead = today.replace(year=today.year + 1, day=28)
    low = pd.Timestamp(PLAUSIBLE_SINCE, tz="UTC")
    high = pd.Timestamp(ahead, tz="UTC") + pd.Timedelta(days=1)
    notes: list[str] = []
    for kind, frame in batch.frames.items():
        for column, label in _EVENT_DATES.get(kind, ()):
            if column not in frame.columns or not len(frame):
                continue
            stamps = pd.to_datetime(frame[column], utc=True, errors="coerce")
            odd = ((stamps < low) | (stamps >= high)).to_numpy(dtype=bool)
            count = int(odd.sum())
            if not count:
                continue
            rows = frame["row"].to_numpy()[odd] if "row" in frame.columns else []
            named = ", ".join(str(int(r)) for r in rows[:MAX_ROWS_NAMED])
            more = f" and {count - MAX_ROWS_NAMED:,} more" if count > MAX_ROWS_NAMED else ""
            where = f" ({'row' if count == 1 else 'rows'} {named}{more})" if named else ""
            noun = "row has" if count == 1 else "rows have"
            article = "an" if label[0] in "aeiou" else "a"
            notes.append(
                f"check: {count:,} {kind} {noun} {article} {label} before 1990 or more than "
                f"a year from today{where}; imported as given"
            )
    return notes
