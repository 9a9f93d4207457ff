"""Cell parsers of the importer: money, numbers, dates, emails, text (services/importing/values)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from services.importing import values


def s(*items: object) -> pd.Series:
    return pd.Series(list(items), dtype=object)


def test_money_forms_and_signs() -> None:
    parsed, bad = values.parse_money_cents(
        s("$1,234.50", "€12", "(12.00)", "12.5", "-3", "USD 7.25", "", "  ")
    )
    assert parsed.tolist()[:6] == [123450, 1200, -1200, 1250, -300, 725]
    assert parsed.isna().tolist()[6:] == [True, True]  # empty is missing, not bad
    assert not bad.any()
    assert str(parsed.dtype) == "Int64"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (("1.234,50", "12,00", "0,99"), [123450, 1200, 99]),  # German
        (("1 234,50", "3,5"), [123450, 350]),  # French, with a space for thousands
        (("1,234", "12.50"), [123400, 1250]),  # US with thousands comma
    ],
)
def test_money_detects_the_decimal_separator_per_column(
    cells: tuple[str, ...], expected: list[int]
) -> None:
    parsed, bad = values.parse_money_cents(s(*cells))
    assert parsed.tolist() == expected
    assert not bad.any()


def test_money_explicit_decimal_and_bad_cells() -> None:
    parsed, bad = values.parse_money_cents(s("1.234", "abc", "1,2,3"), decimal=",")
    assert parsed.tolist()[0] == 123400
    assert bad.tolist() == [False, True, True]


def test_numbers_and_ints() -> None:
    number, bad = values.parse_number(s("1,234.5", "12%", "(3)", "x"))
    assert number.tolist()[:3] == [1234.5, 12.0, -3.0]
    assert bad.tolist() == [False, False, False, True]
    ints, bad = values.parse_int(s("12", "1,200", "3.0", "3.5", ""))
    assert ints.tolist()[:3] == [12, 1200, 3]
    assert bad.tolist() == [False, False, False, True, False]


def test_bool() -> None:
    parsed, bad = values.parse_bool(s("Yes", "n", "TRUE", "0", "", "maybe"))
    assert parsed.tolist()[:4] == [True, False, True, False]
    assert pd.isna(parsed.iloc[4])
    assert bad.tolist() == [False] * 5 + [True]


def test_datetimes_iso_us_european_and_zones() -> None:
    cells = s(
        "2026-03-14 09:22:05 -0400",
        "2026-11-13T15:28:00Z",
        "2026-11-13 15:28",
        "2026-11-13",
        "2026-11-13T15:28:00.5+02:00",
        "",
        "not a date",
        "2026-02-30",
    )
    parsed, bad = values.parse_datetimes(cells)
    assert str(parsed.dtype) == "datetime64[ns, UTC]"
    assert parsed.iloc[0] == pd.Timestamp("2026-03-14 13:22:05", tz="UTC")
    assert parsed.iloc[1] == pd.Timestamp("2026-11-13 15:28", tz="UTC")
    assert parsed.iloc[2] == pd.Timestamp("2026-11-13 15:28", tz="UTC")
    assert parsed.iloc[3] == pd.Timestamp("2026-11-13", tz="UTC")
    assert parsed.iloc[4] == pd.Timestamp("2026-11-13 13:28:00.5", tz="UTC")
    assert pd.isna(parsed.iloc[5])
    assert not bad.iloc[5]
    assert bad.tolist()[6:] == [True, True]


def test_us_dates_and_times() -> None:
    parsed, bad = values.parse_datetimes(
        s("11/21/2026", "11/21/2026 3:04 PM", "12/31/2026 12:30 AM", "1/2/26")
    )
    assert not bad.any()
    assert parsed.tolist() == [
        pd.Timestamp("2026-11-21", tz="UTC"),
        pd.Timestamp("2026-11-21 15:04", tz="UTC"),
        pd.Timestamp("2026-12-31 00:30", tz="UTC"),
        pd.Timestamp("2026-01-02", tz="UTC"),
    ]


def test_day_first_is_inferred_from_the_column() -> None:
    # One first field over 12 makes the whole "/" column day-first.
    parsed, _ = values.parse_datetimes(s("01/02/2026", "21/11/2026"))
    assert parsed.iloc[0] == pd.Timestamp("2026-02-01", tz="UTC")
    # An ambiguous "/" column is month-first; an ambiguous "." column day-first.
    assert values.parse_datetimes(s("01/02/2026"))[0].iloc[0].month == 1
    assert values.parse_datetimes(s("01.02.2026"))[0].iloc[0].month == 2
    assert values.parse_datetimes(s("01/02/2026"), dayfirst=True)[0].iloc[0].month == 2


def test_naive_times_in_a_named_zone() -> None:
    parsed, bad = values.parse_datetimes(s("2026-11-13 15:28"), assume_tz="America/New_York")
    assert parsed.iloc[0] == pd.Timestamp("2026-11-13 20:28", tz="UTC")
    assert not bad.any()


def test_dates_are_calendar_dates_as_written() -> None:
    parsed, bad = values.parse_dates(s("2026-03-14 23:30:00 -0400", "21.11.2026", "", "x"))
    assert parsed.tolist()[:3] == [dt.date(2026, 3, 14), dt.date(2026, 11, 21), None]
    assert bad.tolist() == [False, False, False, True]


def test_email() -> None:
    parsed, bad = values.normalize_email(s(" Ana@Example.COM ", "", "not-an-email", "a@b"))
    assert parsed.tolist() == ["ana@example.com", None, None, None]
    assert bad.tolist() == [False, False, True, True]


def test_text_is_never_altered_beyond_surrounding_space() -> None:
    cells = s('  =HYPERLINK("x")  ', "+1 555", "-5", "@home", "'quoted", "")
    parsed, bad = values.clean_text(cells)
    assert parsed.tolist() == ['=HYPERLINK("x")', "+1 555", "-5", "@home", "'quoted", None]
    assert not bad.any()


def test_phone_drops_the_spreadsheet_apostrophe_only() -> None:
    parsed, bad = values.parse_phone(s("'+1 201-555-0147", "+44 20 7946 0000", "", "n/a"))
    assert parsed.tolist() == ["+1 201-555-0147", "+44 20 7946 0000", None, None]
    assert bad.tolist() == [False, False, False, True]


def test_big_columns_parse_through_their_distinct_values() -> None:
    # 10,000 rows of 3 distinct values: the result must match cell by cell.
    cells = pd.Series(["2026-01-01", "bad", ""] * 3334, dtype=object)
    parsed, bad = values.parse_datetimes(cells)
    assert len(parsed) == len(cells)
    assert parsed.iloc[3] == pd.Timestamp("2026-01-01", tz="UTC")
    assert bad.iloc[4]
    assert not bad.iloc[5]
    assert pd.isna(parsed.iloc[5])
    money, bad_money = values.parse_money_cents(pd.Series(["1,50", "2,25"] * 2000))
    assert money.iloc[-1] == 225
    assert not bad_money.any()


def test_money_of_a_big_column_reads_its_distinct_cells_as_each_cell_alone() -> None:
    # Over 2,000 rows with repeats, parse_money reads each distinct cell once (amount and
    # currency mark) and takes the answers back to the rows: the same as a small column.
    cells = ["$12.50", "€3", "EUR 4.00", "12 apples", "", None, " 7.25 ", "¥1000", "abc", "9.99"]
    column = pd.Series([cells[(i * 7) % len(cells)] for i in range(4000)], dtype=object)
    column.index = pd.RangeIndex(100, 4100)
    cents, currency, bad = values.parse_money(column)
    alone = {i: values.parse_money(s(c)) for i, c in enumerate(cells)}
    for row, i in zip(column.index, [(k * 7) % len(cells) for k in range(4000)], strict=True):
        c, cur, b = alone[i]
        assert (pd.isna(cents[row]), currency[row], bool(bad[row])) == (
            pd.isna(c[0]),
            cur[0],
            bool(b[0]),
        )
        if not pd.isna(c[0]):
            assert cents[row] == c[0]
    assert cents.index.equals(column.index)
    assert currency.index.equals(column.index)
    assert str(cents.dtype) == "Int64"
    assert currency.dtype == object
    assert bad.dtype == bool
    assert currency[column == "€3"].eq("EUR").all()
    assert bad[column == "12 apples"].all()
