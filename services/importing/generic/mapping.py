"""Which column of a generic file is which field: each column's name is scored against the
fields' synonyms and its first values are looked at (emails, dates, amounts), giving a
suggested mapping with samples and a score per column, and whether it is sure enough to
need no mapping step (``suggest_mapping``); ``infer_kind`` tries every kind and keeps the
one the file fits best. Very wide files are bounded: past a few hundred columns, names are
matched without near-miss spelling and only the first columns have their values sniffed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from services.importing import values
from services.importing.generic.fields import FIELDS, fields_for_kind
from services.importing.generic.synonyms import field_synonyms, normalized_name, synonym_score
from services.importing.types import ColumnGuess, FieldSpec

if TYPE_CHECKING:
    from services.importing.reader import RawTable

__all__ = [
    "CONFIDENT",
    "MAX_FUZZY_COLUMNS",
    "MAX_SNIFFED_COLUMNS",
    "MappingSuggestion",
    "infer_kind",
    "suggest_mapping",
]

CONFIDENT = 0.75  # a required field matched at least this well needs no mapping step
_SAMPLE = 200

# Past this many columns, names are matched exactly or by whole words only: near-miss
# spelling (difflib) costs about a millisecond per column, too much for a file of 10,000.
MAX_FUZZY_COLUMNS = 300
# Only this many columns have their values looked at for what they hold (emails, dates,
# amounts) when no name says it; a column whose name matches a field is always checked.
# Bounds the work on a very wide file (a date parser costs milliseconds per column).
MAX_SNIFFED_COLUMNS = 300


# Fields whose presence decides the kind of a file.
_SIGNATURE: dict[str, tuple[tuple[str, ...], ...]] = {
    "orders": (("order_date", "amount"),),
    "opportunities": (("name", "stage"), ("name", "close_date"), ("stage", "close_date")),
    "subscriptions": (("plan", "status"), ("status", "current_period_end"), ("interval",)),
    "interactions": (("occurred_at", "interaction_type"), ("occurred_at", "subject")),
    "contracts": (("start_date", "end_date", "amount"),),
    "customers": (("email",), ("customer_id",), ("name",)),
    "contacts": (("email",), ("name",), ("first_name", "last_name")),
}

# Fields whose columns, named as such and holding what they should, make a file a file of
# that kind whatever its dates hold: an orders file whose dates cannot be read (2026-13-01,
# T25:00, an Excel serial) is still an orders file, its bad dates rejected row by row,
# never a customers file with the orders in the customers' attributes.
_RECORD_EVIDENCE: dict[str, tuple[str, ...]] = {"orders": ("order_id", "amount")}
_EVIDENCE_NAME = 0.95  # a column named as the field, not a near miss ("order_date" ~ order_id)

_SHARES: dict[tuple[int, str], tuple[pd.Series, float]] = {}


def _content_share(sample: pd.Series, value_type: str) -> float:
    """Share of sample values that read as ``value_type`` (1.0 for text and ids)."""
    # Every kind asks about the same columns: remember the answer per sample object.
    key = (id(sample), value_type)
    hit = _SHARES.get(key)
    if hit is not None and hit[0] is sample:
        return hit[1]
    share = _compute_share(sample, value_type)
    if len(_SHARES) > 4096:
        _SHARES.clear()
    _SHARES[key] = (sample, share)
    return share


def _compute_share(sample: pd.Series, value_type: str) -> float:
    if sample.empty or value_type in ("text", "id"):
        return 1.0
    if value_type == "email":
        _parsed, bad = values.normalize_email(sample)
    elif value_type in ("date", "datetime"):
        _parsed, bad = values.parse_datetimes(sample)
    elif value_type == "money":
        _parsed, bad = values.parse_money_cents(sample)
    elif value_type == "number":
        _parsed, bad = values.parse_number(sample)
    elif value_type == "bool":
        _parsed, bad = values.parse_bool(sample)
    else:
        return 1.0
    return float(1.0 - bad.mean())


# Cheap looks before the parsers: a value with no "@" is no email, one with no digit is no
# date or amount, and plain whole numbers of up to four digits are counts, not dates.
_NO_DIGIT = re.compile(r"^\D*$")
_SMALL_WHOLE = re.compile(r"^\d{1,4}$")


_MONEY_LOOK = re.compile(r"[.,]\d{2}\b|[$€£¥]|\b[A-Z]{3}\b")


def _could_be(texts: list[str], value_type: str) -> bool:
    """False when a cheap look (plain Python over the small sample) rules ``value_type``
    out for 95% of the sample, before any parser runs."""
    need = 0.95 * len(texts)
    if value_type == "email":
        return sum(1 for t in texts if "@" in t) >= need
    if sum(1 for t in texts if not _NO_DIGIT.match(t)) < need:
        return False
    if value_type in ("date", "datetime"):
        return sum(1 for t in texts if not _SMALL_WHOLE.match(t)) >= need
    if value_type == "money":
        # Amounts show cents or a currency; plain whole numbers are counts or ids.
        return sum(1 for t in texts if _MONEY_LOOK.search(t)) > 0.5 * len(texts)
    return True


_LOOKS: dict[int, tuple[pd.Series, str | None]] = {}


def _looks_like(sample: pd.Series) -> str | None:
    """What a column's values look like: "email", "datetime", "money", or None (remembered
    per sample: every kind asks about the same columns)."""
    hit = _LOOKS.get(id(sample))
    if hit is not None and hit[0] is sample:
        return hit[1]
    looks = _look(sample)
    if len(_LOOKS) > 65536:
        _LOOKS.clear()
    _LOOKS[id(sample)] = (sample, looks)
    return looks


def _look(sample: pd.Series) -> str | None:
    if sample.empty:
        return None
    texts = [str(v) for v in sample.tolist()]
    for value_type in ("email", "datetime", "money"):
        if not _could_be(texts, value_type):
            continue
        if _content_share(sample, value_type) >= 0.95:
            if value_type == "money" and not sample.str.contains(r"[.,]\d{2}\b|[$€£]").mean() > 0.5:
                continue
            return value_type
    return None


@dataclass(frozen=True)
class MappingSuggestion:
    """A suggested mapping for one kind, its columns' guesses, and whether it is sure."""

    kind: str
    guesses: tuple[ColumnGuess, ...]
    confident: bool
    unmapped_required: tuple[str, ...]  # required fields no column matched well
    score: float  # how well the file fits this kind

    @property
    def mapping(self) -> dict[str, str | None]:
        """{column: field or None}."""
        return {g.column: g.field for g in self.guesses}


def _samples(frame: pd.DataFrame, column: str) -> pd.Series:
    """Up to _SAMPLE non-empty values from the top of a column (cheap on big files)."""
    head = [v for v in frame[column].head(20 * _SAMPLE).tolist() if isinstance(v, str)]
    return pd.Series([v for v in head if v.strip()][:_SAMPLE], dtype=object)


def _has_record_evidence(
    kind: str,
    header: Sequence[str],
    synonyms_of: list[tuple[FieldSpec, Any]],
    samples: dict[str, pd.Series],
    fuzzy: bool,
) -> bool:
    """True when every evidence field of ``kind`` has its own column, named as the field
    and holding what it should (see _RECORD_EVIDENCE)."""
    evidence = _RECORD_EVIDENCE.get(kind)
    if not evidence:
        return False
    specs = {spec.name: (spec, synonyms) for spec, synonyms in synonyms_of}
    used: set[str] = set()
    for name in evidence:
        spec, synonyms = specs[name]
        found = next(
            (
                column
                for column in header
                if column not in used
                and synonym_score(normalized_name(column), synonyms, fuzzy) >= _EVIDENCE_NAME
                and _content_share(samples[column], spec.value_type) >= 0.8
            ),
            None,
        )
        if found is None:
            return False
        used.add(found)
    return True


def suggest_mapping(  # noqa: C901
    table: RawTable, kind: str, samples: dict[str, pd.Series] | None = None
) -> MappingSuggestion:
    """Suggest a field for every column of a generic table, for one kind."""
    specs = fields_for_kind(kind)
    frame = table.frame
    if samples is None:
        samples = {c: _samples(frame, c) for c in table.header}
    candidates: list[tuple[float, int, str, str]] = []  # (score, column order, column, field)
    fuzzy = len(table.header) <= MAX_FUZZY_COLUMNS
    # Each field's synonyms once per call, each column's normalised name once: a file of
    # 10,000 columns asks about every field of every kind (hundreds of thousands of pairs).
    synonyms_of = [(spec, field_synonyms(spec.name, kind)) for spec in specs]
    dates_by_name = _has_record_evidence(kind, table.header, synonyms_of, samples, fuzzy)
    for order, column in enumerate(table.header):
        sample = samples[column]
        looks = None
        norm = normalized_name(column)
        for spec, synonyms in synonyms_of:
            score = synonym_score(norm, synonyms, fuzzy)
            if score > 0:
                share = _content_share(sample, spec.value_type)
                if dates_by_name and spec.value_type in ("date", "datetime"):
                    pass  # the name decides; the dates that cannot be read are rejected
                elif (0 < share < 0.8 and score >= _EVIDENCE_NAME
                      and spec.value_type in ("money", "number")):  # fmt: skip
                    # Named as the field and holding some of its values: the name decides,
                    # and each cell that is not one is rejected with its row and reason.
                    score *= 0.85
                elif share < 0.5:
                    score *= 0.3  # the name says date, the values say otherwise
                elif share < 0.8:
                    score *= 0.85  # a few bad cells: they will be rejected
                candidates.append((score, -order, column, spec.name))
            elif order < MAX_SNIFFED_COLUMNS:
                if looks is None:
                    looks = _looks_like(sample) or ""
                if looks and spec.required and spec.value_type in (looks, "date"):
                    dated = looks == "datetime" and spec.value_type in ("date", "datetime")
                    if dated or looks == spec.value_type:
                        candidates.append((0.5, -order, column, spec.name))
                elif looks == "email" and spec.value_type == "email":
                    candidates.append((0.6, -order, column, spec.name))
    candidates.sort(reverse=True)
    chosen: dict[str, tuple[str, float]] = {}
    taken: set[str] = set()
    for score, _order, column, field_name in candidates:
        if column in chosen or field_name in taken or score < 0.3:
            continue
        chosen[column] = (field_name, score)
        taken.add(field_name)
    # Customers: an email column is enough of an id; names may come in two parts.
    guesses = tuple(
        ColumnGuess(
            column=c,
            field=chosen[c][0] if c in chosen else None,
            score=round(chosen[c][1], 2) if c in chosen else 0.0,
            samples=tuple(samples[c].tolist()[:5]),  # not .head(5): 50,000 of those took 3 s
        )
        for c in table.header
    )
    by_field = {g.field: g.score for g in guesses if g.field}
    missing = tuple(s.name for s in specs if s.required and by_field.get(s.name, 0.0) < CONFIDENT)
    has_customer = any(
        by_field.get(f, 0.0) >= CONFIDENT for f in ("customer_id", "customer_email", "email")
    )
    if kind != "customers" and not has_customer:
        missing += ("customer_id or customer_email",)
    if kind == "customers" and not has_customer:
        missing += ("customer_id or email",)
    signature = max(
        (min(by_field.get(f, 0.0) for f in group) for group in _SIGNATURE.get(kind, ())),
        default=0.0,
    )
    mapped = sum(by_field.values())
    score = signature * 10 + mapped - 2 * len(missing)
    return MappingSuggestion(
        kind=kind,
        guesses=guesses,
        confident=not missing,
        unmapped_required=missing,
        score=score,
    )


def infer_kind(table: RawTable) -> MappingSuggestion:
    """The best-fitting kind for a generic table, with its suggested mapping."""
    samples = {c: _samples(table.frame, c) for c in table.header}
    # Contacts are chosen, never guessed: a customers list names people too.
    suggestions = [suggest_mapping(table, k, samples) for k in FIELDS if k != "contacts"]
    order = {
        k: i
        for i, k in enumerate(
            ("orders", "contracts", "subscriptions", "opportunities", "interactions", "customers")
        )
    }
    # Customers last among equals: a list with an amount column is probably not customers.
    best = max(suggestions, key=lambda s: (s.confident, s.score, -order[s.kind]))
    return best
