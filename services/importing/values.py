"""Vectorised parsers for the cell values of imported files (shared by every adapter).

Every parser takes a pandas Series of strings (as read by services/importing/reader.py)
and returns ``(parsed, bad)``: the parsed Series (same index) and a boolean Series that
is True where a non-empty cell could not be read. Empty or whitespace-only cells are
*missing*, never bad; a required field's absence is the caller's decision.

Text stays text: nothing here evaluates a cell or strips a leading ``= + - @``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from services.importing.repeats import Parsed, by_unique, repeated_values
from services.importing.zones import mostly_distinct, zone_candidates

__all__ = [
    "clean_text",
    "detect_decimal",
    "email_key",
    "normalize_email",
    "parse_bool",
    "parse_dates",
    "parse_datetimes",
    "parse_int",
    "parse_money",
    "parse_money_cents",
    "parse_number",
    "parse_phone",
    "settle_currency",
    "without_invisible",
    "Parsed",
]

_TRUE = ("true", "yes", "y", "1", "t", "on", "x", "checked", "subscribed")
_FALSE = ("false", "no", "n", "0", "f", "off", "", "unchecked")
_BOOL_MAP = {**{v: True for v in _TRUE}, **{v: False for v in _FALSE if v}}

# Currency signs, ISO codes and spaces that may surround or split a money amount.
_MONEY_NOISE = re.compile(
    r"[\s\u00a0\u202f'’$€£¥￥₹₩₽₺₪₫₱฿₴¢]|[A-Za-z]{3}$|^[A-Za-z]{3}|[A-Za-z]{1,3}[$¥]"
)
# What is left of an amount once its digits, separators and signs are gone: the currency.
_MONEY_DIGITS = r"[\d.,\s\u00a0\u202f'’()+\-]"
_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$|^\.\d+$")
_EMAIL = re.compile(r"^[^@\s,;<>()\[\]\"]+@[^@\s,;<>()\[\]\"]+\.[^@\s,;<>()\[\]\".]{2,}$")


# Whitespace next to a cell boundary in "\x00"-joined text means a cell needs stripping;
# rarer whitespace characters anywhere send the column through the per-cell path.
_EDGE_SPACES = ("\x00 ", " \x00", "\x00\t", "\t\x00")
_RARE_SPACES = "\r\n\x0b\x0c\xa0\u1680\u2000\u2001\u2002\u2003\u2009\u200a\u2028\u202f\u3000"


def _as_text(s: pd.Series) -> pd.Series:
    """The Series as object dtype with stripped strings; missing values become ""."""
    values = s.to_numpy(dtype=object, na_value="") if s.dtype != object else s.to_numpy()
    try:
        # One C-speed scan: most columns have no cell to strip, so no per-cell work.
        joined = "\x00" + "\x00".join(values) + "\x00"
        if not any(edge in joined for edge in _EDGE_SPACES) and not any(
            ch in joined for ch in _RARE_SPACES
        ):
            return pd.Series(values, index=s.index, dtype=object, copy=False)
    except TypeError:  # a non-string cell (a float NaN...): the general path below
        pass
    stripped = [
        v.strip() if v.__class__ is str else ("" if _missing(v) else str(v).strip()) for v in values
    ]
    return pd.Series(stripped, index=s.index, dtype=object)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def clean_text(s: pd.Series) -> Parsed:
    """Strip surrounding whitespace only; empty cells become None. Never bad."""
    values = _as_text(s).to_numpy()
    empty = values == ""
    if empty.any():
        values = values.copy()
        values[empty] = None
    result = pd.Series(values, index=s.index, dtype=object, copy=False)
    return result, pd.Series(np.zeros(len(s), dtype=bool), index=s.index, copy=False)


@by_unique
def parse_phone(s: pd.Series) -> Parsed:
    """A phone number as text, minus the leading apostrophe spreadsheets add.

    Shopify writes ``'+1 201-555-0147`` so that Excel keeps the plus sign; the apostrophe
    is not part of the number. A cell without any digit is bad.
    """
    text = _as_text(s)
    text = text.str.replace(r"^'+", "", regex=True).str.strip()
    empty = text == ""
    bad = ~empty & ~text.str.contains(r"\d", regex=True)
    result = text.where(~empty & ~bad, None)
    return result.astype(object), bad.astype(bool)


# Invisible characters that copy-paste leaves in addresses: zero-width spaces and joiners,
# the byte-order mark, soft hyphens, direction marks, embeddings and isolates, the
# combining grapheme joiner, variation selectors, Hangul and Khmer fillers, Unicode tags
# and the other format characters that draw nothing. Never part of an address, and an
# address with one is the same person as the address without it.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)


def without_invisible(text: str) -> str:
    """``text`` without invisible characters, trimmed (an address as it is shown)."""
    return _INVISIBLE.sub("", text).strip()


def email_key(text: str) -> str:
    """An email address as customers are matched by: invisible characters removed,
    trimmed, lower-cased."""
    return without_invisible(text).lower()


@by_unique
def normalize_email(s: pd.Series) -> Parsed:
    """Trimmed, lower-cased email without invisible characters; empty -> None; not an
    email address -> None and bad."""
    text = _as_text(s)
    try:
        invisible = _INVISIBLE.search("\x00".join(text.tolist())) is not None
    except TypeError:
        invisible = True
    if invisible:
        text = text.str.replace(_INVISIBLE.pattern, "", regex=True).str.strip()
    text = text.str.lower()
    # "mailto:" prefixes come from copy-pasted links.
    text = text.str.replace(r"^mailto:", "", regex=True)
    empty = text == ""
    valid = text.str.match(_EMAIL.pattern)
    bad = ~empty & ~valid.astype(bool)
    result = text.where(~empty & ~bad, None)
    return result.astype(object), bad.astype(bool)


@by_unique
def parse_bool(s: pd.Series) -> Parsed:
    """true/false, yes/no, 1/0, y/n (any case) -> pandas boolean; others are bad."""
    text = _as_text(s).str.lower()
    empty = text == ""
    mapped = text.map(_BOOL_MAP)
    bad = ~empty & mapped.isna()
    result = pd.Series(pd.array(mapped.where(~bad, None).tolist(), dtype="boolean"), index=s.index)
    return result, bad.astype(bool)


def detect_decimal(s: pd.Series) -> str:
    """The decimal separator of a column of numbers: "," or "." (the default).

    Evidence per value: with both separators, the last one is the decimal one; a single
    comma (or point) followed by other than three digits is a decimal separator; several
    of the same separator are thousands separators.
    """
    text = _as_text(s)
    text = text[text.str.contains(r"[.,]", regex=True)]
    if text.empty:
        return "."
    if len(text) > 20000:
        text = pd.Series(text.unique())
    text = text.str.replace(_MONEY_NOISE.pattern, "", regex=True).str.lstrip("(-+").str.rstrip(")-")
    last_comma = text.str.rfind(",")
    last_point = text.str.rfind(".")
    both = (last_comma >= 0) & (last_point >= 0)
    comma_votes = int((both & (last_comma > last_point)).sum())
    point_votes = int((both & (last_point > last_comma)).sum())
    only_comma = text[(last_comma >= 0) & (last_point < 0)]
    only_point = text[(last_point >= 0) & (last_comma < 0)]
    comma_votes += int((~only_comma.str.match(r"^\d{1,3}(,\d{3})+$")).sum())
    point_votes += int(only_comma.str.match(r"^\d{1,3}(,\d{3}){2,}$").sum())
    point_votes += int((~only_point.str.match(r"^\d{1,3}(\.\d{3})+$")).sum())
    comma_votes += int(only_point.str.match(r"^\d{1,3}(\.\d{3}){2,}$").sum())
    return "," if comma_votes > point_votes else "."


def _parse_decimal(s: pd.Series, decimal: str | None, *, money: bool) -> Parsed:
    """Numbers with signs, parentheses, thousands separators and currency -> float64."""
    text = _as_text(s)
    empty = text == ""
    result = pd.Series(np.nan, index=s.index, dtype="float64")
    # Fast path: plain numbers ("136.00", "-12") need no cleaning.
    fast = pd.to_numeric(text.where(~empty, None), errors="coerce")
    plain_ok = fast.notna() & np.isfinite(fast.astype("float64"))
    if decimal is None:
        decimal = "." if plain_ok.sum() == (~empty).sum() else detect_decimal(text[~empty])
    if decimal == ".":
        result[plain_ok] = fast[plain_ok].astype("float64")
        rest = ~empty & ~plain_ok
    else:
        rest = ~empty
    if rest.any():
        part = text[rest]
        negative = part.str.match(r"^\(.*\)$") | part.str.contains(r"^[^\d]*-|-$", regex=True)
        cleaned = part.str.replace(r"[()+\-]", "", regex=True)
        cleaned = cleaned.str.replace(_MONEY_NOISE.pattern, "", regex=True)
        if not money:
            cleaned = cleaned.str.replace("%", "", regex=False)
        thousands = "," if decimal == "." else "."
        grouped = cleaned.str.contains(thousands, regex=False)
        # Thousands separators must group by three: "1,23.4" is not a number.
        sep = re.escape(thousands)
        dec = re.escape(decimal)
        well_grouped = cleaned.str.match(rf"^\d{{1,3}}({sep}\d{{3}})+({dec}\d*)?$")
        cleaned = cleaned.str.replace(thousands, "", regex=False)
        if decimal != ".":
            cleaned = cleaned.str.replace(decimal, ".", regex=False)
        ok = cleaned.str.match(_PLAIN_NUMBER.pattern) & (~grouped | well_grouped)
        values = pd.to_numeric(cleaned.where(ok, None), errors="coerce").astype("float64")
        values = values.where(~negative, -values)
        result[rest] = values
    bad = ~empty & result.isna()
    return result, bad.astype(bool)


@by_unique
def parse_number(s: pd.Series, *, decimal: str | None = None) -> Parsed:
    """Numbers ("1,234.5", "1.234,5", "12%", "(3)") -> float64; decimal=None detects it."""
    return _parse_decimal(s, decimal, money=False)


@by_unique
def parse_money_cents(s: pd.Series, *, decimal: str | None = None) -> Parsed:
    """Money ("$1,234.50", "1.234,50", "1 234,50", "€12", "(12.00)") -> Int64 cents.

    ``decimal=None`` detects comma-vs-point per column. Parenthesised and minus-signed
    amounts are negative (the caller decides whether a negative amount is acceptable).
    """
    values, bad = _parse_decimal(s, decimal, money=True)
    cents = np.round(values.to_numpy(dtype="float64") * 100.0)
    finite = np.isfinite(cents) & (np.abs(cents) < 9.0e15)
    bad = bad | (values.notna() & ~pd.Series(finite, index=s.index))
    out = pd.array(np.where(finite, cents, 0).astype("int64"), dtype="Int64")
    out[~finite] = pd.NA
    return pd.Series(out, index=s.index), bad.astype(bool)


def _currency_marks(s: pd.Series) -> pd.Series:
    """The currency each amount cell names: an ISO code, "$" (a bare dollar sign), "" (none)
    or None (text that is not a currency, e.g. "12 apples", or two different ones)."""
    from services.core.money import currency_of_mark

    text = _as_text(s)
    values = text.to_numpy()
    out = np.empty(len(values), dtype=object)
    out[:] = ""
    try:
        joined = "".join(values)
    except TypeError:
        joined = "x"
    # One C-speed scan: a column of plain numbers names no currency anywhere.
    if not re.search(r"[^\d.,\s'’()+\-]", joined):
        return pd.Series(out, index=s.index, dtype=object)
    # One pass strips digits, separators and signs: what is left names the currency, and
    # a column holds few distinct leftovers ("$", "EUR"), each looked up once.
    marks = text.str.replace(_MONEY_DIGITS + "+", "", regex=True)
    lookup = {mark: currency_of_mark(mark) for mark in marks.unique()}
    return pd.Series(marks.map(lookup).to_numpy(dtype=object), index=s.index, dtype=object)


def parse_money(
    s: pd.Series, *, decimal: str | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Money with its currency: ``(cents, currency, bad)``.

    ``cents`` as ``parse_money_cents`` (hundredths of the unit for every currency, ¥1000
    included); ``currency`` per cell: the ISO code its sign or code names ("€12.50" EUR,
    "12 EUR", "CHF 1'234.50", "US$5", "C$5"), "$" for a bare dollar sign (which dollar is
    the caller's decision) and None when the cell names none. A cell whose text names no
    currency we know ("12 apples") or two different ones is bad.
    """
    # Whole cells are read alike wherever they repeat: the distinct ones once (the
    # amounts and their currency marks), as parse_money_cents alone would do.
    repeated = repeated_values(s)
    if repeated is not None:
        codes, distinct = repeated
        cents, currency, bad = _parse_money(distinct, decimal)
        cents = cents.take(codes)
        cents.index = s.index
        return (
            cents,
            pd.Series(currency.to_numpy()[codes], index=s.index, dtype=object),
            pd.Series(bad.to_numpy()[codes], index=s.index, dtype=bool),
        )
    return _parse_money(s, decimal)


def _parse_money(s: pd.Series, decimal: str | None) -> tuple[pd.Series, pd.Series, pd.Series]:
    cents, bad = parse_money_cents(s, decimal=decimal)
    marks = _currency_marks(s)
    unknown = marks.isna() & ~bad
    bad = bad | unknown
    currency = marks.where(~bad & (marks != ""), None)
    return cents.where(~unknown, pd.NA), currency.astype(object), bad.astype(bool)


def settle_currency(
    column: pd.Series | None, read: pd.Series | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The currency of each row: ``(codes, unknown, conflict)``.

    A currency column (``column``: text cells, "EUR", "eur", "€") wins; where it is empty,
    the currency the amount cell named (``read`` from ``parse_money``: code, "$" or None).
    ``codes`` may hold "$" or None (for the importer to settle with the home currency).
    ``unknown``: the column's cell names no currency; ``conflict``: the amount names
    another currency than the column ("€12" in a row whose column says USD; "$" agrees
    with any dollar currency).
    """
    from services.core.money import DOLLAR_CODES, normalize_code

    index = column.index if column is not None else (read.index if read is not None else None)
    if index is None:
        return pd.Series([], dtype=object), pd.Series([], dtype=bool), pd.Series([], dtype=bool)
    n = len(index)
    if read is None:
        read = pd.Series(np.full(n, None, dtype=object), index=index)
    read = read.set_axis(index)
    if column is None:
        false = pd.Series(np.zeros(n, dtype=bool), index=index)
        return read.astype(object), false, false.copy()
    text = _as_text(column).set_axis(index)
    lookup = {value: normalize_code(value) for value in text.unique()}
    given = text.map(lookup)
    unknown = given.isna()
    has = given.notna() & (given != "")
    named = read.notna()
    dollar_ok = (read == "$") & given.isin(DOLLAR_CODES)
    conflict = has & named & (read != given) & ~dollar_ok
    codes = given.where(has, read).astype(object)
    codes[codes.isna() | unknown] = None
    return codes, unknown.astype(bool), conflict.astype(bool)


@by_unique
def parse_int(s: pd.Series) -> Parsed:
    """Whole numbers ("12", "1,200", "3.0") -> Int64; fractions and text are bad."""
    values, bad = _parse_decimal(s, ".", money=False)
    arr = values.to_numpy(dtype="float64")
    whole = np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 9.0e15)
    bad = bad | (values.notna() & ~pd.Series(whole, index=s.index))
    out = pd.array(np.where(whole, arr, 0).astype("int64"), dtype="Int64")
    out[~whole] = pd.NA
    return pd.Series(out, index=s.index), bad.astype(bool)


# --- dates and times ---------------------------------------------------------------------

_TIME = (
    r"(?:(?:T|\s+|\s*,\s*)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
)
_TZ = r"\s*(?P<tz>Z|z|\(?UTC\)?|\(?GMT\)?|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?)?"
_YMD = re.compile(
    r"^(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME + _TZ + r"$"
)
_XYY = re.compile(
    r"^(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})" + _TIME + _TZ + r"$"
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january", "janv", "januar", "ene"),
            ("feb", "february", "févr", "fevr", "februar"),
            ("mar", "march", "mars", "märz", "maerz"),
            ("apr", "april", "avr", "abr"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juin", "juni"),
            ("jul", "july", "juil", "juli"),
            ("aug", "august", "août", "aout", "ago"),
            ("sep", "sept", "september", "set"),
            ("oct", "october", "okt", "oktober", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "déc", "dez", "dezember", "dic"),
        ]
    )
    for m in names
}
_MON = r"(?P<mon>[A-Za-zéäû]{3,9})\.?"
# "21 Nov 2026", "Nov 21, 2026", "21-Nov-2026", with an optional time.
_DMY_NAME = re.compile(
    r"^(?:[A-Za-z]{3,9},?\s+)?(?P<d>\d{1,2})[\s\-]+"
    + _MON
    + r"[\s\-,]+(?P<y>\d{4})"
    + _TIME
    + _TZ
    + r"$"
)
_MDY_NAME = re.compile(
    r"^(?:[A-Za-z]{3,9},?\s+)?"
    + _MON
    + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})"
    + _TIME
    + _TZ
    + r"$"
)


def _num(col: pd.Series) -> pd.Series:
    return pd.to_numeric(col, errors="coerce")


def _tz_minutes(tz: pd.Series) -> pd.Series:
    """Offset in minutes east of UTC from "Z", "UTC", "+02:00", "-0400", "+5"; NaN if none."""
    tz = tz.fillna("").astype(str).str.strip("() ").str.upper()
    tz = tz.str.replace(r"^(UTC|GMT)(?=[+-])", "", regex=True)
    out = pd.Series(np.nan, index=tz.index, dtype="float64")
    out[tz.isin(["Z", "UTC", "GMT"])] = 0.0
    parts = tz.str.extract(r"^(?P<sign>[+-])(?P<h>\d{1,2}):?(?P<m>\d{2})?$")
    has = parts["sign"].notna()
    if has.any():
        minutes = _num(parts["h"]) * 60 + _num(parts["m"]).fillna(0)
        minutes = minutes.where(parts["sign"] == "+", -minutes)
        out[has] = minutes[has]
    return out


def _assemble(
    y: pd.Series, m: pd.Series, d: pd.Series, parts: pd.DataFrame
) -> tuple[pd.Series, pd.Series]:
    """Local naive datetimes from components, and the offset in minutes (NaN = naive)."""
    hour = _num(parts["H"]).fillna(0)
    ampm = parts["ampm"].fillna("").astype(str).str.lower().str.replace(".", "", regex=False)
    is_pm = ampm == "pm"
    is_am = ampm == "am"
    bad_hour = (is_pm | is_am) & ((hour < 1) | (hour > 12))
    hour = hour.where(~(is_am & (hour == 12)), 0)
    hour = hour.where(~(is_pm & (hour < 12)), hour + 12)
    frac = parts["F"].fillna("").astype(str).str.ljust(9, "0").str[:9]
    nanos = _num(frac.where(frac != "000000000", "0")).fillna(0)
    frame = pd.DataFrame(
        {
            "year": y,
            "month": m,
            "day": d,
            "hour": hour,
            "minute": _num(parts["M"]).fillna(0),
            "second": _num(parts["S"]).fillna(0),
        }
    )
    valid = frame.notna().all(axis=1) & ~bad_hour
    valid &= (frame["month"].between(1, 12)) & (frame["day"].between(1, 31))
    # Years outside what a nanosecond timestamp holds (0001-01-01, 9999-12-31) are not
    # dates of any real event: the row is rejected instead of failing the whole file.
    valid &= frame["year"].between(1678, 2261)
    valid &= (frame["hour"] < 24) & (frame["minute"] < 60) & (frame["second"] < 61)
    local = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if valid.any():
        good = frame[valid].astype("int64")
        stamped = pd.to_datetime(good, errors="coerce").astype("datetime64[ns]")
        stamped = stamped + pd.to_timedelta(nanos[valid].astype("int64"), unit="ns")
        local[valid] = stamped
    return local, _tz_minutes(parts["tz"])


def _infer_dayfirst(a: pd.Series, b: pd.Series, sep: pd.Series) -> bool:
    """Day first when any first field is over 12; month first when any second one is."""
    if bool((a > 12).any()):
        return True
    if bool((b > 12).any()):
        return False
    # Ambiguous throughout: "/" is month-first (US), "." and "-" day-first (Europe).
    slash = int((sep == "/").sum())
    return slash * 2 < len(sep)


def _parse_local(
    s: pd.Series, dayfirst: bool | None
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(local naive datetime64[ns], offset minutes or NaN, bad mask, empty mask)."""
    text = _as_text(s)
    empty = text == ""
    local = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    offset = pd.Series(np.nan, index=s.index, dtype="float64")
    # Fast path: plain ISO dates (the usual date column) parse in C.
    todo = ~empty
    if todo.any():
        fast = pd.to_datetime(
            text.where(todo & _iso_like(text), None), format="%Y-%m-%d", errors="coerce"
        )
        hit = fast.notna()
        if hit.any():
            local[hit] = fast[hit].astype("datetime64[ns]")
            todo &= ~hit
    if todo.any():
        part = text[todo]
        # Remaining ISO-like values: with time and zone, or "2026/11/13".
        ymd = part.str.extract(_YMD.pattern)
        hit = ymd["y"].notna()
        if hit.any():
            sub = ymd[hit]
            loc, off = _assemble(_num(sub["y"]), _num(sub["m"]), _num(sub["d"]), sub)
            local[loc.index] = loc
            offset[off.index] = off
        rest = part[~hit]
        if not rest.empty:
            xyy = rest.str.extract(_XYY.pattern)
            hit2 = xyy["a"].notna()
            if hit2.any():
                sub = xyy[hit2]
                a, b = _num(sub["a"]), _num(sub["b"])
                # Inferred per separator: "/" and "." columns follow different customs.
                first = pd.Series(False, index=sub.index)
                for sep_value in sub["sep"].unique():
                    same = sub["sep"] == sep_value
                    first[same] = (
                        _infer_dayfirst(a[same], b[same], sub["sep"][same])
                        if dayfirst is None
                        else dayfirst
                    )
                day = a.where(first, b)
                month = b.where(first, a)
                year = _num(sub["y"])
                year = year.where(year >= 100, np.where(year < 70, year + 2000, year + 1900))
                loc, off = _assemble(year, month, day, sub)
                local[loc.index] = loc
                offset[off.index] = off
            rest = rest[~hit2]
        if not rest.empty:
            for pattern in (_DMY_NAME, _MDY_NAME):
                if rest.empty:
                    break
                named = rest.str.extract(pattern.pattern)
                months = named["mon"].fillna("").astype(str).str.lower().map(_MONTHS)
                hit3 = named["d"].notna() & months.notna()
                if hit3.any():
                    sub = named[hit3]
                    loc, off = _assemble(_num(sub["y"]), months[hit3], _num(sub["d"]), sub)
                    local[loc.index] = loc
                    offset[off.index] = off
                rest = rest[~hit3]
    bad = ~empty & local.isna()
    return local, offset, bad.astype(bool), empty


_ISO_TZ_END = r"(?:[zZ]|[+-]\d{2}:?\d{2}|UTC|GMT)\)?$"


def _iso_like(text: pd.Series) -> pd.Series:
    """Values that start like an ISO date, "YYYY-MM-DD"."""
    # 0001-01-01 or 9999-12-31 cannot be a timestamp: such a row is rejected, not the file.
    shaped = (len(t) >= 10 and t[4] == t[7] == "-" and "1678" <= t[:4] <= "2261" for t in text)
    return pd.Series(np.fromiter(shaped, dtype=bool, count=len(text)), index=text.index)


def _is_utc(zone: str) -> bool:
    return zone.upper() in ("UTC", "Z", "GMT", "ETC/UTC")


def _localize(local: pd.Series, assume_tz: str) -> pd.Series:
    """Naive local times in ``assume_tz`` -> UTC (a time that does not exist moves on)."""
    if _is_utc(assume_tz):
        return local.dt.tz_localize("UTC")
    zoned = local.dt.tz_localize(assume_tz, ambiguous="NaT", nonexistent="shift_forward")
    return zoned.dt.tz_convert("UTC")


_OFFSET_END = re.compile(
    r"(?:(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?|(?P<utc>[zZ]|\(?(?:UTC|GMT)\)?))\s*$"
)


def utc_offsets(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The zone each timestamp text names: (offset minutes, NaN when none; True where the
    text says UTC outright, "Z" or "UTC"). "2024-09-19 21:30:00 -0700" -> -420. A date
    alone ("2024-09-19") names no zone. Runs on the distinct values only."""
    text = _as_text(s)
    values = text.to_numpy()
    maybe = zone_candidates(values) if mostly_distinct(values) else np.ones(len(values), bool)
    if not maybe.all():  # most texts end in their seconds: only the others are looked at
        offset = pd.Series(np.nan, index=s.index, dtype="float64")
        utc = pd.Series(False, index=s.index, dtype=bool)
        if maybe.any():
            found = utc_offsets(text[maybe])
            offset[maybe], utc[maybe] = found[0].to_numpy(), found[1].to_numpy()
        return offset, utc
    uniques = pd.Series(pd.unique(values), dtype=object)
    # A zone follows a time: "…:ss -0700", "…T21:30Z"; "2024-09-19" ends in "-19", no zone.
    timed = uniques.str.contains(r"\d:\d{2}", regex=True)
    if not timed.any():  # dates alone (the usual orders file): no zone anywhere
        return (
            pd.Series(np.nan, index=s.index, dtype="float64"),
            pd.Series(False, index=s.index, dtype=bool),
        )
    found = uniques.where(timed, "").str.extract(_OFFSET_END.pattern)
    hours = pd.to_numeric(found["h"], errors="coerce")
    minutes = pd.to_numeric(found["m"], errors="coerce").fillna(0)
    sign = np.where(found["sign"] == "-", -1.0, 1.0)
    offset = pd.Series(sign * (hours * 60 + minutes), dtype="float64")
    offset = offset.where((hours <= 14) & (minutes < 60))
    explicit_utc = found["utc"].notna()
    offset = offset.where(~explicit_utc, 0.0)
    lookup_offset = dict(zip(uniques.tolist(), offset.tolist(), strict=True))
    lookup_utc = dict(zip(uniques.tolist(), explicit_utc.tolist(), strict=True))
    return (
        pd.Series(text.map(lookup_offset).to_numpy(dtype="float64"), index=s.index),
        pd.Series(text.map(lookup_utc).to_numpy(dtype=bool), index=s.index),
    )


# In a frame's utc_offset_minutes: the text said UTC outright ("Z", "UTC"), so the local
# time of the event is the workspace's zone's; the import fills that in (services/
# local_dates.py) before writing.
UTC_NAMED = 100_000.0


def event_offsets(s: pd.Series) -> pd.Series:
    """utc_offset_minutes for a frame: the offset the text names, UTC_NAMED for "Z"/"UTC",
    NaN when it names no zone (its time is the source's wall time, kept as written)."""
    offset, named_utc = utc_offsets(s)
    return offset.where(~named_utc, UTC_NAMED)


@by_unique
def parse_datetimes(
    s: pd.Series, *, dayfirst: bool | None = None, assume_tz: str = "UTC"
) -> Parsed:
    """Timestamps in ISO, US and European forms -> datetime64[ns, UTC].

    Accepts "2026-11-13", "2026-11-13T15:28:00Z", "2026-03-14 09:22:05 -0400",
    "2026-11-13 15:28", "11/21/2026 3:04 PM", "21.11.2026", "21/11/2026", "21 Nov 2026".
    ``dayfirst=None`` infers it from the column: any first field over 12 means day first;
    an ambiguous column is month-first with "/" and day-first with "." or "-".
    Values without a zone are taken in ``assume_tz`` (an IANA name), then converted.
    """
    text = _as_text(s)
    empty = text == ""
    result = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    iso = _iso_like(text) & ~empty
    if iso.any():
        # ISO 8601 in C; anything it refuses goes through the general path below.
        sub = text[iso]
        if _is_utc(assume_tz):
            parsed = pd.to_datetime(sub, format="ISO8601", utc=True, errors="coerce")
        else:
            has_tz = sub.str.contains(_ISO_TZ_END, regex=True)
            parsed = pd.Series(pd.NaT, index=sub.index, dtype="datetime64[ns, UTC]")
            if has_tz.any():
                aware = pd.to_datetime(sub[has_tz], format="ISO8601", utc=True, errors="coerce")
                parsed[has_tz] = aware.astype("datetime64[ns, UTC]")
            if (~has_tz).any():
                naive = pd.to_datetime(sub[~has_tz], format="ISO8601", errors="coerce")
                if isinstance(naive.dtype, pd.DatetimeTZDtype):
                    naive = naive.dt.tz_convert("UTC")
                else:
                    naive = _localize(naive.astype("datetime64[ns]"), assume_tz)
                parsed[~has_tz] = naive.astype("datetime64[ns, UTC]")
        result[iso] = parsed.astype("datetime64[ns, UTC]")
    rest = ~empty & result.isna()
    if rest.any():
        local, offset, _bad, _empty = _parse_local(text[rest], dayfirst)
        aware_rows = offset.notna() & local.notna()
        if aware_rows.any():
            utc = local[aware_rows] - pd.to_timedelta(offset[aware_rows], unit="m")
            result[utc.index] = utc.dt.tz_localize("UTC")
        naive_rows = offset.isna() & local.notna()
        if naive_rows.any():
            result[local.index[naive_rows]] = _localize(local[naive_rows], assume_tz)
    bad = ~empty & result.isna()
    return result, bad.astype(bool)


@by_unique
def parse_dates(s: pd.Series, *, dayfirst: bool | None = None) -> Parsed:
    """Calendar dates as written (a time or zone is ignored) -> object Series of date/None."""
    text = _as_text(s)
    empty = text == ""
    local = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    iso = _iso_like(text) & ~empty & text.str[10:11].isin(["", "T", " ", "t"])
    if iso.any():
        local[iso] = pd.to_datetime(text[iso].str[:10], format="%Y-%m-%d", errors="coerce")
    rest = ~empty & local.isna()
    if rest.any():
        more, _offset, _bad, _empty = _parse_local(text[rest], dayfirst)
        local[rest] = more
    dates = local.dt.date.astype(object)
    bad = ~empty & local.isna()
    return dates.where(local.notna(), None), bad.astype(bool)
