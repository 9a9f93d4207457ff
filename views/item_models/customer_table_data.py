"""The customers table's data, without Qt: its columns and how each cell reads.

``CustomerTableData`` holds the table as numpy arrays (built off the UI thread from
``services.usecases.customers``), the sort keys and permutations (a text column is ranked once,
lazily, on a worker; sorting is then an ``argsort``), the search index (numpy string
search over a prepared lower-case row per customer), and the formatting of a cell into
its text, tooltip and tone. ``COLUMNS`` and ``SCORE_COLUMNS`` declare the columns: key,
title, kind and the order of named levels.

``views/item_models/customer_table_model.py`` puts this behind Qt's model API.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from services.alerts.records import REVENUE_AT_RISK_HELP
from services.core.clv_words import value_label
from services.core.customer_filter import (
    SEARCH_FIELDS,
    search_haystack,
    search_terms,
    words_match,
)
from services.core.formatting import format_date, format_percent
from services.core.records import (
    CONFIDENCES,
    SEGMENTS,  # best customers first, lost ones last
)
from services.lifecycle.stages import STAGE_LABELS
from views.item_models.customer_filters import (
    RISK_HIGH,
    RISK_MEDIUM,
    CustomerFilter,
    filter_mask,
)
from views.kit.formatting import QUIET_CRITICAL_DAYS, QUIET_WARNING_DAYS, format_money


class Kind(enum.Enum):
    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    DATE = "date"
    DAYS = "days"
    PERCENT = "percent"  # a probability 0..1 shown as "72%"
    SCORE = "score"  # 0..100 shown as a whole number
    ESTIMATE = "estimate"  # a predicted amount of money: whole dollars
    LEVEL = "level"  # a named category with a meaningful order (segment, confidence)


_NUMERIC_KINDS = frozenset(
    (Kind.COUNT, Kind.MONEY, Kind.DAYS, Kind.PERCENT, Kind.SCORE, Kind.ESTIMATE)
)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: Kind
    tooltip: str = ""
    # LEVEL columns: the values from best to worst; sorting follows this order.
    order: tuple[str, ...] = ()
    # LEVEL columns whose values are keys: the words each is shown as.
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind in _NUMERIC_KINDS


# The churn columns come first so that they are visible in a half-width pane; contact
# and segment facts follow (CustomersPane fits the first IMPORTANT_COLUMNS in view).
COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", Kind.TEXT),
    Column("owner", "Owner", Kind.TEXT, "Account manager"),
    Column("orders", "Orders", Kind.COUNT, "Paid orders"),
    Column("revenue", "Revenue", Kind.MONEY, "Total of paid orders"),
    Column("last_order", "Last order", Kind.DATE, "Date of the last paid order (UTC)"),
    Column("days_since_last_order", "Days quiet", Kind.DAYS, "Days since the last paid order"),
    Column("open_tickets", "Tickets", Kind.COUNT, "Open support tickets"),
    Column("open_opportunities", "Opps", Kind.COUNT, "Open opportunities"),
    # The account is named by its company (Name); its person, beside it: who stands for it
    # (services/core/account_names.py), empty when the account is its person.
    Column("person", "Person", Kind.TEXT, "Who stands for the account (never someone who left)"),
    Column("email", "Email", Kind.TEXT),
    Column("tier", "Tier", Kind.TEXT),
    Column("region", "Region", Kind.TEXT),
    Column("signup_date", "Customer since", Kind.DATE, "Sign-up date"),
)
IMPORTANT_COLUMNS = 8


# The latest scores, once the workspace has been scored. They come after the base
# columns in the model (so the base columns keep their positions, and a workspace that
# was never scored shows exactly the base columns); the pane moves them next to the
# name in the view (SCORED_VISUAL_ORDER).
SCORE_COLUMNS: tuple[Column, ...] = (
    Column(
        "churn_risk",
        "Churn risk",
        Kind.PERCENT,
        "Chance of no order in the scoring horizon (latest scoring run)",
    ),
    Column(
        "revenue_at_risk",
        "At risk",
        Kind.ESTIMATE,
        REVENUE_AT_RISK_HELP,
    ),
    Column("health_score", "Health", Kind.SCORE, "Health score, 0-100 (higher is healthier)"),
    Column("segment", "Segment", Kind.LEVEL, "RFM segment", SEGMENTS),
    Column(
        "engagement_score", "Engagement", Kind.SCORE, "Engagement score, 0-100 (higher is better)"
    ),
    # Never shown as is: once scored, _value_column names it after the scores' T ("24-month
    # value"); its title here sizes the column (as wide as any T's below 100 months).
    Column("clv_12m", "12-month value", Kind.ESTIMATE, "Predicted revenue over the next 12 months"),
    Column(
        "confidence",
        "Confidence",
        Kind.LEVEL,
        "How much history the scores rest on: high, medium or low",
        CONFIDENCES,
    ),
    # The stage's key, shown by its label; sorted in life order, onboarding to at risk.
    Column(
        "stage",
        "Stage",
        Kind.LEVEL,
        "Lifecycle stage as of the latest scoring (onboarding, adoption, mature, renewal, at risk)",
        tuple(STAGE_LABELS),
        tuple(STAGE_LABELS.items()),
    ),
)
SCORE_KEYS = tuple(c.key for c in SCORE_COLUMNS)


def _value_column(months: int) -> Column:
    """The value's column, named after the scores' T ("24-month value")."""
    return Column(
        "clv_12m",
        value_label(months),
        Kind.ESTIMATE,
        f"Predicted revenue over the next {months} months",
    )


ALL_COLUMNS: tuple[Column, ...] = COLUMNS + SCORE_COLUMNS
COLUMN_INDEX = {c.key: i for i, c in enumerate(ALL_COLUMNS)}
# Where the view shows the columns of a scored table, left to right: the churn columns
# (risk, money at stake, health, segment) right after the name and owner.
SCORED_VISUAL_ORDER = (
    "name",
    "owner",
    "churn_risk",
    "revenue_at_risk",
    "health_score",
    "segment",
    "stage",
    "revenue",
    "days_since_last_order",
    "orders",
    "last_order",
    "open_tickets",
    "open_opportunities",
    "engagement_score",
    "clv_12m",
    "confidence",
    "person",
    "email",
    "tier",
    "region",
    "signup_date",
)
_DAYS_COLUMN = COLUMN_INDEX["days_since_last_order"]
_RISK_COLUMN = COLUMN_INDEX["churn_risk"]
_CONFIDENCE_COLUMN = COLUMN_INDEX["confidence"]
# The columns whose cells may take a tone (CustomerTableData.tone).
TONED_COLUMNS = (_DAYS_COLUMN, _RISK_COLUMN, _CONFIDENCE_COLUMN)
# Churn risk shown in the critical / warning colour from these probabilities on.
RISK_CRITICAL = RISK_HIGH
RISK_WARNING = RISK_MEDIUM
_EPOCH = dt.date(1970, 1, 1)


class TextSearchIndex:
    """Case-insensitive "contains" over several text fields, vectorised with numpy."""

    def __init__(self, fields: list[np.ndarray]) -> None:
        # One definition with a team filter's search (services/core/customer_filter.py).
        self._hay = search_haystack(fields)
        self._last: tuple[list[str], np.ndarray] | None = None

    def match(self, query: str) -> np.ndarray | None:
        """Rows containing every word of the query; None for an empty query (all rows)."""
        terms = search_terms(query)
        if not terms:
            return None
        mask = np.ones(len(self._hay), dtype=bool)
        hay, rows = self._hay, None
        last = self._last
        if last is not None and _narrows(last[0], terms):
            # Typing narrows a search: every row the new query matches matched the last
            # one, so only those rows are scanned again (when they are few).
            mask = last[1].copy()
            if np.count_nonzero(mask) * 4 < len(mask):
                rows = np.flatnonzero(mask)
                hay = self._hay[rows]
        keep = words_match(hay, terms)
        if rows is None:
            mask &= keep
        else:
            mask[rows[~keep]] = False
        self._last = (terms, mask)
        return mask.copy()


def _narrows(before: list[str], after: list[str]) -> bool:
    """True when every row holding the words of ``after`` holds those of ``before``: each
    earlier word is still there, the last one perhaps typed further ("oli" -> "olivia")."""
    if len(after) < len(before):
        return False
    head, last = before[:-1], before[-1]
    return after[: len(head)] == head and last in after[len(head)]


def _largest(values: np.ndarray, count: int) -> list[int]:
    """Where the ``count`` largest distinct values are, one row each, largest first.

    O(n) a few times over, not a sort: this runs on the UI thread when the table arrives
    (np.argpartition takes 30 ms on 100,000 rows of a column with four distinct values).
    """
    rows: list[int] = []
    below = values
    while len(rows) < count and below.size:
        top = below.max()
        rows.append(int(np.argmax(values == top)))
        below = below[below < top]
    return rows


def _is_text(col: Column) -> bool:
    return col.kind in (Kind.TEXT, Kind.LEVEL)


def _level_rank(values: np.ndarray, order: tuple[str, ...]) -> np.ndarray:
    """Rank of each value in order (unknown names after the known ones, missing NaN);
    only the distinct values go through Python."""
    missing = np.equal(values, np.array(None, dtype=object))
    filled = np.where(missing, "", values).astype(str)
    distinct, codes = np.unique(filled, return_inverse=True)
    known = {name.casefold(): float(i) for i, name in enumerate(order)}
    ranks = np.array(
        [known.get(v.casefold(), float(len(order))) if v else np.nan for v in distinct.tolist()],
        dtype=np.float64,
    )
    result: np.ndarray = ranks[codes.reshape(-1)]
    return result


def _text_rank(values: np.ndarray) -> np.ndarray:
    """Case-insensitive rank of each text (missing or empty: NaN, sorted last)."""
    listed = values.tolist()
    distinct = dict.fromkeys(listed)
    if len(distinct) * 4 > len(listed):
        # Mostly distinct (names, emails): np.unique sorts the fixed-width strings in C
        # (no pandas import, ~75 ms for 100,000 names).
        lowered = np.array([v.casefold() if isinstance(v, str) and v else "" for v in listed])
        _, codes = np.unique(lowered, return_inverse=True)
        result: np.ndarray = codes.reshape(-1).astype(np.float64)
        result[lowered == ""] = np.nan
        return result
    # A few values repeated (owners, regions): only the distinct ones are sorted, then
    # each row looks its rank up (0.8 s to 0.2 s for a million rows of a few owners).
    folded = {v: v.casefold() if isinstance(v, str) and v else "" for v in distinct}
    ranks = {text: float(i) for i, text in enumerate(sorted(set(folded.values()) - {""}))}
    rank_of = {v: ranks.get(text, np.nan) for v, text in folded.items()}
    return np.fromiter((rank_of[v] for v in listed), dtype=np.float64, count=len(listed))


def _as_array(values: Any, dtype: Any, na_value: Any) -> np.ndarray:
    # pandas columns (nullable integers included) know how to fill their gaps;
    # numpy arrays from services.usecases.customers.load_customer_columns are used as they are.
    if hasattr(values, "to_numpy"):
        return np.asarray(values.to_numpy(dtype=dtype, na_value=na_value))
    return np.asarray(values, dtype=dtype)


class CustomerTableData:
    """The table's columns as numpy arrays, with lazily computed sort keys.

    Built off the UI thread from the columns of ``services.usecases.customers`` (a dict of
    numpy arrays or a DataFrame).
    """

    def __init__(self, columns: Mapping[str, Any]) -> None:
        self.ids = _as_array(columns["id"], np.int64, None)
        self.size = len(self.ids)
        # Every money column is in the workspace's home currency.
        currency: Any = columns.get("currency")
        if isinstance(currency, np.ndarray):
            currency = currency.flat[0] if currency.size else None
        self.currency = str(currency or "USD")
        # T of the scores' T-month value: the clv_12m column's title names it.
        months: Any = columns.get("clv_months")
        if isinstance(months, np.ndarray):
            months = months.flat[0] if months.size else None
        self.clv_months = int(months or 12)
        # Scored: the loader brought the latest scores (the workspace was scored).
        self.scored = all(key in columns for key in SCORE_KEYS if key != "stage")
        self.columns: dict[str, np.ndarray] = {}
        for col in ALL_COLUMNS:
            values = columns.get(col.key)
            if values is None:  # no scores yet: the score columns are not shown
                values = np.full(self.size, None if _is_text(col) else np.nan, dtype=object)
            if _is_text(col):
                self.columns[col.key] = _as_array(values, object, None)
            elif col.kind is Kind.DATE:
                self.columns[col.key] = _as_array(values, "datetime64[ns]", None)
            else:
                self.columns[col.key] = _as_array(values, np.float64, np.nan)
        # Not a column: the company, which the search finds (the Name column shows it:
        # an account is named by its company).
        company = columns.get("company")
        self.columns["company"] = (
            _as_array(company, object, None)
            if company is not None
            else np.full(self.size, None, dtype=object)
        )
        # Not a column: the id in the source system (CRM, shop), which the search finds.
        external = columns.get("external_id")
        self.columns["external_id"] = (
            _as_array(external, object, None)
            if external is not None
            else np.full(self.size, None, dtype=object)
        )
        # Not a column: what a customer paid in currencies with no exchange rate ("$150
        # USD"), shown in place of a revenue that cannot be given in the home currency.
        unconverted = columns.get("revenue_unconverted")
        self.unconverted = _as_array(unconverted, object, None) if unconverted is not None else None
        # Not a column: the do-not-contact mark, which the filters read.
        dnc = columns.get("do_not_contact")
        self.do_not_contact = (
            _as_array(dnc, bool, False) if dnc is not None else np.zeros(self.size, dtype=bool)
        )
        # A first screenful (services.usecases.customers.load_customer_head): only the
        # rows in "loaded" are read in full, and only the "whole_columns" on every row;
        # sorts, searches and filters wait for the whole table. None: every row is read.
        loaded = columns.get("loaded")
        self.loaded = None if loaded is None else _as_array(loaded, bool, False)
        whole = columns.get("whole_columns")
        self.whole_columns = frozenset(() if whole is None else (str(k) for k in whole))
        self._choices: dict[str, tuple[str, ...]] = {}
        self._widest: dict[str, list[str]] = {}
        self._keys: dict[str, np.ndarray] = {}
        self._perms: dict[tuple[str, bool], np.ndarray] = {}
        order = columns.get("order")
        for key in self.whole_columns - {"id"}:
            if order is not None:  # the first screenful's read sorted its whole column
                self._perms[(key, True)] = np.asarray(order, dtype=np.intp)
        self.search_index: TextSearchIndex | None = None
        self.prepared = False
        self._id_order: np.ndarray | None = None  # row positions in order of id

    @property
    def complete(self) -> bool:
        """Every row and column is read (not a first screenful)."""
        return self.loaded is None

    def cell_read(self, key: str, pos: int) -> bool:
        """The cell holds its value (False: a first screenful's row not read yet)."""
        return self.loaded is None or bool(self.loaded[pos]) or key in self.whole_columns

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        """The model's columns for this table: the score columns only once scored."""
        if not self.scored:
            return COLUMNS
        return tuple(
            _value_column(self.clv_months) if c.key == "clv_12m" else c for c in ALL_COLUMNS
        )

    @classmethod
    def empty(cls) -> CustomerTableData:
        columns: dict[str, np.ndarray] = {"id": np.array([], dtype=np.int64)}
        for col in COLUMNS:
            if col.kind is Kind.DATE:
                columns[col.key] = np.array([], dtype="datetime64[ns]")
            elif col.kind is Kind.TEXT:
                columns[col.key] = np.array([], dtype=object)
            else:
                columns[col.key] = np.array([], dtype=np.float64)
        return cls(columns)

    def prepare_for(self, keys: list[str], search: bool) -> None:
        """Rank these text columns and build the search index if asked (on a worker)."""
        if not self.complete:
            return  # a first screenful: the whole table comes next
        for key in keys:
            self.sort_key(key)
        if search and self.search_index is None:
            self.search_index = self.build_search_index()

    def prepare(self) -> None:
        """Build the search index and the text sort keys (for a worker thread, after the
        table is on screen, so that the first search or sort by name is already fast)."""
        if not self.complete:
            return
        if self.search_index is None:
            self.search_index = self.build_search_index()
        for col in self.shown_columns:
            if _is_text(col):
                self.sort_key(col.key)
        self.prepared = True

    def build_search_index(self) -> TextSearchIndex:
        """Prepare the search index (a few hundred ms on 100k rows: run it on a worker)."""
        return TextSearchIndex([self.columns[f] for f in SEARCH_FIELDS])

    def sort_key_ready(self, key: str) -> bool:
        """True when sorting by key costs only an argsort (no text ranking to do) and the
        column is read on every row."""
        if not self.complete and key not in self.whole_columns:
            return False
        return key in self._keys or self.columns[key].dtype != object

    @property
    def search_ready(self) -> bool:
        return self.complete and self.search_index is not None

    def row_of_id(self, customer_id: int) -> int | None:
        # A binary search in the ids' order (an argsort, milliseconds), not a dict of every
        # row built in Python on the UI thread at the first selection.
        if self._id_order is None:
            self._id_order = np.argsort(self.ids, kind="stable")
        pos = int(np.searchsorted(self.ids, customer_id, sorter=self._id_order))
        if pos < self.size and self.ids[self._id_order[pos]] == customer_id:
            return int(self._id_order[pos])
        return None

    def sort_key(self, key: str) -> np.ndarray:
        """A float64 key per row (NaN = missing) whose order is the column's order."""
        cached = self._keys.get(key)
        if cached is not None:
            return cached
        values = self.columns[key]
        col = ALL_COLUMNS[COLUMN_INDEX[key]]
        result: np.ndarray
        if col.kind is Kind.LEVEL and len(values):
            result = _level_rank(values, col.order)
        elif values.dtype == object and len(values):
            result = _text_rank(values)
        elif values.dtype == object:
            result = np.array([], dtype=np.float64)
        elif values.dtype.kind == "M":
            result = values.astype(np.int64).astype(np.float64)
            result[np.isnat(values)] = np.nan
        else:
            result = np.asarray(values, dtype=np.float64)
        self._keys[key] = result
        return result

    def permutation(self, key: str, descending: bool) -> np.ndarray:
        """Row positions in column order; missing values last in both directions."""
        perm = self._perms.get((key, descending))
        if perm is None:
            k = self.sort_key(key)
            # Stable on a negated key (not a reversed ascending sort): ties keep their
            # original order and NaN stays at the end either way.
            perm = np.argsort(-k if descending else k, kind="stable").astype(np.intp)
            self._perms[(key, descending)] = perm
        return perm

    def visible_rows(
        self, key: str | None, descending: bool, mask: np.ndarray | None
    ) -> np.ndarray:
        """Row positions in display order: sorted by the column key (None: database
        order), only the rows in the mask (None: all)."""
        if key is not None:
            perm = self.permutation(key, descending)
        else:
            perm = np.arange(self.size, dtype=np.intp)
        if mask is None:
            return perm
        visible: np.ndarray = perm[mask[perm]]
        return visible

    # -- filters ------------------------------------------------------------------------

    def filter_mask(self, f: CustomerFilter) -> np.ndarray | None:
        """The rows the filter keeps (None: every row): the one definition of
        services/core/customer_filter.py over the table's columns."""
        return filter_mask(f, self.columns, self.ids, self.do_not_contact)

    def choices(self, key: str) -> tuple[str, ...]:
        """The distinct values of a text column, for the filter menus: segments in their
        order (best first), owners alphabetically; "" stands for a missing value."""
        cached = self._choices.get(key)
        if cached is not None:
            return cached
        values = self.columns[key]
        # A set of the few distinct values, not np.unique's sort of every row's text
        # (30 ms on 100,000 rows, on the way to the first paint); sorted below.
        distinct = sorted({"" if v is None else str(v) for v in values.tolist()})
        col = ALL_COLUMNS[COLUMN_INDEX[key]]
        if col.order:
            rank = {name: i for i, name in enumerate(col.order)}
            distinct.sort(key=lambda v: (rank.get(v, len(rank)), v.casefold()))
        else:
            distinct.sort(key=lambda v: (v == "", v.casefold()))
        result = tuple(distinct)
        self._choices[key] = result
        return result

    def widest_texts(self, col: Column, count: int = 6) -> list[str]:
        """The texts of a numeric column's largest values (in absolute terms): the
        widest it shows anywhere, so that the column is never narrower than a number."""
        cached = self._widest.get(col.key)
        if cached is not None:
            return cached
        values = self.columns[col.key]
        texts: list[str] = []
        if col.numeric and len(values):
            magnitude = np.where(np.isnan(values), -1.0, np.abs(values))
            texts = [self.display(col, values[i]) or "" for i in _largest(magnitude, count)]
            # The most negative (a refund) carries a sign that may be wider still.
            lowest = int(np.argmin(np.where(np.isnan(values), np.inf, values)))
            if values[lowest] < 0:
                texts.append(self.display(col, values[lowest]) or "")
        self._widest[col.key] = texts
        return texts

    # -- cells ------------------------------------------------------------------------------

    def display(self, col: Column, value: Any) -> str | None:
        """A cell's text: names as they are, amounts in the table's currency, "—" for
        missing numbers, dates and levels."""
        kind = col.kind
        if kind is Kind.TEXT:
            return value if isinstance(value, str) else ""
        if kind is Kind.LEVEL:
            if col.labels and isinstance(value, str):
                return dict(col.labels).get(value, value)
            # "Can't Lose Them" stays as named; "low" (confidence) becomes "Low".
            return value[:1].upper() + value[1:] if isinstance(value, str) and value else "—"
        if kind is Kind.DATE:
            if np.isnat(value):
                return "—"
            return _format_day(int(value.astype("datetime64[D]").astype(np.int64)))
        if math.isnan(value):
            return "—"
        if kind is Kind.MONEY:
            return format_money(value, self.currency)
        if kind is Kind.ESTIMATE:
            return format_money(value, self.currency, cents=False)
        if kind is Kind.PERCENT:
            return format_percent(value)
        if kind is Kind.SCORE:
            return f"{value:.0f}"
        return f"{int(value):,}"

    def unconverted_text(self, pos: int) -> str | None:
        """What the customer at ``pos`` paid, per currency, when part of it has no exchange
        rate to the home currency (their revenue cell then shows this); else None."""
        if self.unconverted is None:
            return None
        words = self.unconverted[pos]
        return words if isinstance(words, str) else None

    def unconverted_tooltip(self, pos: int) -> str | None:
        """Why a revenue cell shows amounts per currency."""
        if self.unconverted_text(pos) is None:
            return None
        return (
            f"No exchange rate to {self.currency} for part of this revenue, so it is not "
            "added up: set one in Settings ▸ Money."
        )

    @staticmethod
    def tooltip(col: Column, value: Any) -> str | None:
        """The full text of a long name or owner (the view may narrow those columns to
        keep the churn columns in view); None for other cells."""
        if col.kind is Kind.TEXT and isinstance(value, str) and len(value) > 10:
            return value
        return None

    def tone(self, column: int, pos: int) -> str | None:
        """How a cell stands out: "critical" or "warning" for long-quiet customers and
        high churn risk, "muted" for scores resting on little history; None otherwise."""
        if column == _DAYS_COLUMN:
            days = self.columns["days_since_last_order"][pos]
            if days >= QUIET_CRITICAL_DAYS:
                return "critical"
            if days >= QUIET_WARNING_DAYS:
                return "warning"
        elif column == _RISK_COLUMN:
            risk = self.columns["churn_risk"][pos]
            if risk >= RISK_CRITICAL:
                return "critical"
            if risk >= RISK_WARNING:
                return "warning"
        elif column == _CONFIDENCE_COLUMN and self.columns["confidence"][pos] == "low":
            return "muted"
        return None


@lru_cache(maxsize=8192)
def _format_day(day: int) -> str:
    return format_date(_EPOCH + dt.timedelta(days=day))
