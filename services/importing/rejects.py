"""Why a row is rejected: the first plain reason for each row of a table.

Every reader of a file (the known formats in services/importing/formats and the
generic mapping in services/importing/generic) rejects a row with the first reason it
finds, in words a user can act on ("cannot read '31/31/2026' as a date (Close Date)"),
and keeps the rest of the file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from services.importing.canonical import Reject

# The dates a workspace can keep (pandas' nanosecond range, whole years inside it).
FIRST_YEAR, LAST_YEAR = 1678, 2261
_YEAR = r"^(\d{4})[-/.]\d{1,2}[-/.]\d{1,2}\b|^\d{1,2}[-/.]\d{1,2}[-/.](\d{4})\b"


def bad_value_reasons(values: pd.Series, what: str, column: str) -> pd.Series:
    """Plain reasons for unreadable cells: "cannot read '31/31/2026' as a date (Close Date)";
    a well-formed date outside the years a workspace keeps says so instead."""
    shown = values.astype(object).fillna("").astype(str).str.strip().str.slice(0, 60)
    reasons = "cannot read '" + shown + f"' as {what} ({column})"
    if what == "a date" and len(shown):
        found = shown.str.extract(_YEAR)
        year = pd.to_numeric(found[0].fillna(found[1]), errors="coerce")
        outside = (year < FIRST_YEAR) | (year > LAST_YEAR)
        if outside.any():
            reasons = reasons.where(
                ~outside,
                "'" + shown + f"' is outside the dates a workspace keeps (years {FIRST_YEAR} to "
                f"{LAST_YEAR}) ({column})",
            )
    return reasons


class RowErrors:
    """The first reason each row of a table cannot be imported (None = the row is fine)."""

    def __init__(self, n: int) -> None:
        self.reasons = np.full(n, None, dtype=object)

    def add_bad(
        self, mask: pd.Series | np.ndarray, values: pd.Series, what: str, column: str
    ) -> None:
        """Reject unreadable cells: "cannot read '31/31/2026' as a date (Close Date)"."""
        hit = np.asarray(mask, dtype=bool) & pd.isna(self.reasons)
        if hit.any():
            self.add(hit, bad_value_reasons(values[hit], what, column).reindex(values.index))

    def add(self, mask: pd.Series | np.ndarray, reason: str | pd.Series) -> None:
        """Reject the rows of ``mask`` (unless already rejected) with ``reason``."""
        hit = np.asarray(mask, dtype=bool) & pd.isna(self.reasons)
        if not hit.any():
            return
        if isinstance(reason, str):
            self.reasons[hit] = reason
        else:
            self.reasons[hit] = reason.to_numpy(dtype=object)[hit]

    @property
    def ok(self) -> np.ndarray:
        """True for the rows that can be imported."""
        return np.asarray(pd.isna(self.reasons), dtype=bool)

    def rejects(self, file: str, rows: np.ndarray) -> list[Reject]:
        """The rejected rows as Reject records, in row order."""
        bad = np.flatnonzero(~self.ok)
        return [Reject(file=file, row=int(rows[i]), reason=str(self.reasons[i])) for i in bad]
