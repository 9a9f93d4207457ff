"""Shared machinery of the format adapters: header lookup, row errors, attributes, ids.

An adapter reads the table of strings the reader produced (services/importing/reader.py),
looks its columns up by name (case and spacing do not matter: exports get re-saved by
spreadsheets), parses values with services/importing/values.py, collects the rows it
cannot read with a plain reason, and returns canonical frames (services/importing/
canonical.py). Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from services.importing import values
from services.importing.canonical import Batch, Reject
from services.importing.rejects import RowErrors, bad_value_reasons

if TYPE_CHECKING:
    from services.importing.reader import RawTable

__all__ = [
    "BaseAdapter",
    "Columns",
    "RowErrors",
    "app_customer_ids",
    "attribute_dicts",
    "bad_value_reasons",
    "join_names",
    "norm_header",
    "stable_id",
    "tidy_frame",
    "value_where",
]


def norm_header(name: object) -> str:
    """A header cell as compared: no BOM, single spaces, case-folded."""
    return " ".join(str(name).replace("\ufeff", "").split()).casefold()


class Columns:
    """Case- and space-insensitive access to a table's columns, remembering which were used.

    Every column an adapter reads through ``get`` counts as mapped; ``unused()`` lists the
    others, which go to the records' attributes.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._by_norm: dict[str, str] = {}
        for column in frame.columns:
            self._by_norm.setdefault(norm_header(column), str(column))
        self.used: set[str] = set()

    def name(self, *candidates: str) -> str | None:
        """The actual column name of the first candidate the table has, or None."""
        for candidate in candidates:
            found = self._by_norm.get(norm_header(candidate))
            if found is not None:
                return found
        return None

    def has(self, *candidates: str) -> bool:
        """Whether the table has any of these columns."""
        return self.name(*candidates) is not None

    def get(self, *candidates: str, use: bool = True) -> pd.Series:
        """The first existing candidate column as object strings ("" when empty or absent)."""
        column = self.name(*candidates)
        if column is None:
            return pd.Series("", index=self.frame.index, dtype=object)
        if use:
            self.used.add(column)
        series = self.frame[column]
        return series.astype(object).where(series.notna(), "")

    def use(self, *names: str) -> None:
        """Mark columns as mapped (kept out of attributes) without reading them."""
        for candidate in names:
            column = self.name(candidate)
            if column is not None:
                self.used.add(column)

    def matching(self, pattern: str) -> list[str]:
        """Actual names of the columns whose header matches a regular expression."""
        regex = re.compile(pattern, re.IGNORECASE)
        return [str(c) for c in self.frame.columns if regex.search(str(c))]

    def unused(self, exclude: Iterable[str] = ()) -> list[str]:
        """The columns nobody mapped, in file order (minus ``exclude``)."""
        skip = self.used | set(exclude)
        return [str(c) for c in self.frame.columns if str(c) not in skip]


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


def _filled(column: pd.Series) -> np.ndarray:
    """True where a cell holds something (not "" and not missing)."""
    values = column.to_numpy(dtype=object)
    # The reader gives "" for an empty cell; None may come from grouped frames.
    return np.asarray((values != "") & (values != None), dtype=bool)  # noqa: E711


def _row_patterns(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """A pattern number per row of a boolean matrix (equal rows, equal numbers), and the count."""
    packed = np.packbits(mask, axis=1)
    width = -(-packed.shape[1] // 8) * 8
    if width != packed.shape[1]:
        packed = np.pad(packed, ((0, 0), (0, width - packed.shape[1])))
    words = np.ascontiguousarray(packed).view(np.uint64)
    codes, uniques = pd.factorize(words[:, 0])
    for j in range(1, words.shape[1]):
        more, more_uniques = pd.factorize(words[:, j])
        codes, uniques = pd.factorize(codes.astype(np.int64) * len(more_uniques) + more)
    return np.asarray(codes, dtype=np.int64), len(uniques)


def attribute_dicts(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    keys: Sequence[str] | None = None,
) -> list[dict[str, Any] | None]:
    """Per row, the non-empty cells of ``columns`` as {key: original string} (None if none).

    ``keys`` renames the columns in the dicts (e.g. "plan_tier (metadata)" -> "plan_tier").
    Rows are grouped by which cells they fill (exports repeat a few patterns), so the dicts
    are built with one C-level zip per row, not a Python test per cell.
    """
    n = len(frame)
    if not columns or n == 0:
        return [None] * n
    names = list(keys) if keys is not None else [str(c) for c in columns]
    mask = np.column_stack([_filled(frame[c]) for c in columns])
    values = frame[list(columns)].to_numpy(dtype=object)
    inverse, count = _row_patterns(mask)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(count + 1))
    out: list[dict[str, Any] | None] = [None] * n
    for p in range(count):
        rows = order[bounds[p] : bounds[p + 1]]
        present = np.flatnonzero(mask[rows[0]])
        if len(present) == 0:
            continue
        pattern_keys = [names[j] for j in present]
        for i, cells in zip(rows.tolist(), values[np.ix_(rows, present)].tolist(), strict=True):
            out[i] = dict(zip(pattern_keys, cells, strict=True))
    return out


def merge_attributes(
    base: Sequence[dict[str, Any] | None], extra: dict[str, Sequence[Any] | np.ndarray]
) -> list[dict[str, Any] | None]:
    """Add per-row extra keys (None or "" values left out) to attribute dicts."""
    out: list[dict[str, Any] | None] = []
    for i, attrs in enumerate(base):
        merged = dict(attrs) if attrs else {}
        for key, column in extra.items():
            value = column[i]
            if _present(value):
                merged[key] = value
        out.append(merged or None)
    return out


def value_where(mask: pd.Series | np.ndarray, value: object) -> np.ndarray:
    """An object array holding ``value`` where ``mask`` is True and None elsewhere."""
    hit = np.asarray(mask, dtype=bool)
    out = np.full(len(hit), None, dtype=object)
    out[hit] = value
    return out


def join_names(first: pd.Series, last: pd.Series) -> pd.Series:
    """ "First Last" from two text columns; None when both are empty."""
    first = first.astype(object).fillna("").astype(str).str.strip()
    last = last.astype(object).fillna("").astype(str).str.strip()
    full = (first + " " + last).str.strip()
    return full.where(full != "", None).astype(object)


def app_customer_ids(named: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The customer's own id in the app as the app's files write it ("source:id", e.g.
    "shopify:1042"): per row its source and its id, None where a row has none."""
    parts = named.fillna("").astype(str).str.strip().str.partition(":")
    has = parts[1].eq(":") & parts[0].ne("") & parts[2].ne("")
    source = parts[0].where(has, None).astype(object)
    return source, parts[2].where(has, None).astype(object)


def stable_id(*parts: str) -> str:
    """A short deterministic id from text parts (re-importing gives the same id)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:24]


def tidy_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as object dtype with None for a missing value (never NaN), fresh index.

    pandas 3 infers a string dtype whose missing value is NaN; the canonical form keeps
    None so that every consumer sees one kind of "missing" in text columns.
    """
    frame = frame.reset_index(drop=True)
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.StringDtype) or series.dtype == object:
            values = series.to_numpy(dtype=object, na_value=None)
            frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def settled_currency(
    cols: Columns,
    errors: RowErrors,
    names: Sequence[str],
    amount_text: pd.Series,
    read: pd.Series,
    amount_column: str,
) -> pd.Series:
    """The currency of each row: the file's currency column (the first of ``names`` it
    has) wins, else the currency the amount named ("€12.50"); None (or "$") is left for
    the importer to settle with the home currency. A row whose amount names another
    currency than its column, or whose column names none we know, is rejected."""
    name = cols.name(*names)
    column = cols.get(*names) if name is not None else None
    codes, unknown, conflict = values.settle_currency(column, read)
    if column is not None:
        shown = column.astype(str).str.strip()
        errors.add(
            unknown.to_numpy(dtype=bool),
            "unknown currency '" + shown + f"' ({name}; use a code such as EUR)",
        )
        errors.add(
            conflict.to_numpy(dtype=bool),
            "the amount '"
            + amount_text.astype(str).str.strip()
            + "' is in "
            + read.astype(str)
            + f" but {name} says "
            + codes.astype(str)
            + " (fix one of them)",
        )
    return codes


class BaseAdapter:
    """Common behaviour of the format adapters (see FormatAdapter in __init__.py).

    ``required`` lists header sets (compared with norm_header); a header matches when it
    holds every name of at least one set, and none of ``excluded``.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    kinds: ClassVar[tuple[str, ...]] = ()
    source: ClassVar[str] = ""
    required: ClassVar[tuple[tuple[str, ...], ...]] = ()
    excluded: ClassVar[tuple[str, ...]] = ()

    def matches(self, header: Sequence[str]) -> bool:
        """Whether a file with this header is in this adapter's format."""
        names = {norm_header(h) for h in header}
        if any(norm_header(x) in names for x in self.excluded):
            return False
        return any(all(norm_header(r) in names for r in group) for group in self.required)

    def footer_rows(self, table: RawTable) -> set[int]:
        """Row numbers that are a report footer, not data (none for most formats)."""
        return set()

    def convert(self, table: RawTable) -> Batch:  # pragma: no cover - abstract
        """The table in canonical form."""
        raise NotImplementedError

    # --- helpers for subclasses ---------------------------------------------------------

    @staticmethod
    def file_of(table: RawTable) -> str:
        """The file name rejects cite."""
        return Path(str(table.path)).name

    def data_of(self, table: RawTable) -> tuple[pd.DataFrame, np.ndarray]:
        """The data rows (footer rows removed) with a fresh index, and their row numbers."""
        frame = table.frame
        rows = np.asarray(table.row_numbers, dtype=np.int64)
        footer = self.footer_rows(table)
        if footer:
            keep = ~np.isin(rows, np.fromiter(footer, dtype=np.int64))
            frame = frame[keep]
            rows = rows[keep]
        return frame.reset_index(drop=True), rows

    def batch(
        self,
        table: RawTable,
        frames: dict[str, pd.DataFrame],
        rejects: list[Reject],
        rows_read: int,
        notes: Sequence[str] = (),
    ) -> Batch:
        """A Batch of this format for ``table``."""
        return Batch(
            file=str(table.path),
            detected_format=self.name,
            frames={kind: tidy_frame(frame) for kind, frame in frames.items()},
            rejects=sorted(rejects, key=lambda r: r.row),
            rows_read=rows_read,
            notes=list(notes),
        )


def contact_frame(
    rows: np.ndarray,
    source: str,
    external_id: pd.Series,
    account_id: pd.Series,
    email: pd.Series,
    name: pd.Series,
    title: pd.Series,
    phone: pd.Series,
    attributes: Any,
    role: np.ndarray | None = None,
) -> pd.DataFrame:
    """The "contacts" frame of a people export: each row a person at the account that
    ``account_id`` names in ``source`` (its own id when it has no account: the person is
    their own account, as in a B2C book), found by email where the id is unknown."""
    emails = email.to_numpy(dtype=object)
    normalized = np.array(
        [values.email_key(e) if isinstance(e, str) else None for e in emails], dtype=object
    )
    frame = pd.DataFrame(
        {
            "row": rows.astype("int64"),
            "source": source,
            "external_id": external_id.to_numpy(dtype=object),
            "customer_source": source,
            "customer_external_id": account_id.to_numpy(dtype=object),
            "customer_email": emails,
            "name": name.to_numpy(dtype=object),
            "email": emails,
            "email_normalized": normalized,
            "title": title.to_numpy(dtype=object),
            "phone": phone.to_numpy(dtype=object),
            "attributes": np.asarray(attributes, dtype=object),
        }
    )
    if role is not None:  # an export that says no role leaves the stored ones as they are
        frame["role"] = role
    return frame
