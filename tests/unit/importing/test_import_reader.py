"""Reading export files as text tables (services/importing/reader.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from models.errors import UserFacingError
from services.importing.reader import read_table, unique_header
from tests.support.paths import DATA

MALFORMED = DATA / "malformed"


def test_cp1252_is_detected_and_decoded() -> None:
    table = read_table(MALFORMED / "customers_cp1252.csv")
    assert table.encoding == "cp1252"
    assert table.frame["name"].tolist() == ["José Müller", "Ana Núñez", "Björn Ødegård"]
    assert table.frame["company"].iloc[2] == "€uro Trading"


def test_utf8_bom_semicolon_and_row_numbers() -> None:
    table = read_table(MALFORMED / "orders_semicolon_decimal_comma.csv")
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == ";"
    assert table.header[0] == "Kundennummer"  # no BOM left in the first name
    assert table.frame["Betrag"].tolist() == ["1.234,50", "12,00", "0,99"]
    assert table.row_numbers.tolist() == [2, 3, 4]


def test_generic_sample_keeps_leading_zeros() -> None:
    table = read_table(DATA / "samples" / "generic" / "customers.csv")
    assert table.encoding == "utf-8-sig"
    assert len(table) == 300
    assert table.frame["zip"].iloc[0] == "06511"


def test_tab_delimiter() -> None:
    table = read_table(MALFORMED / "orders_tab_us.tsv")
    assert table.delimiter == "\t"
    assert table.header == ("customer_email", "order_id", "order_date", "amount")
    assert table.frame["amount"].iloc[0] == "$1,234.50"


def test_quoted_newlines_and_formulas_stay_text() -> None:
    table = read_table(MALFORMED / "customers_quoted_newlines.csv")
    assert len(table) == 3
    assert table.row_numbers.tolist() == [2, 3, 4]  # one record = one row, newlines or not
    assert table.frame["company"].tolist() == [
        '=HYPERLINK("http://evil.example","click")',
        "+Plus Corp",
        "@At Company",
    ]
    assert table.frame["address"].iloc[0] == "12 Main St\nApt 4"
    assert table.frame["zip"].tolist() == ["07030", "02139", "00501"]


def test_wrong_field_counts_are_located_and_blank_lines_dropped() -> None:
    table = read_table(MALFORMED / "orders_bad_rows.csv")
    assert [m[:2] for m in table.malformed] == [
        (7, "row 7 has 6 fields, the header has 5"),
        (8, "row 8 has 3 fields, the header has 5"),
    ]
    assert table.malformed[0][2] == "C3,O-6,2026-01-10,20.00,shoes,EXTRA"
    # The good rows keep their spreadsheet row numbers; the blank line 10 is gone.
    assert table.row_numbers.tolist() == [2, 3, 4, 5, 6, 9, 11]
    assert table.frame["order_id"].tolist() == ["O-1", "O-2", "O-3", "O-4", "O-5", "O-8", "O-9"]


def test_stray_quote_inside_a_field_falls_back_to_the_csv_module(tmp_path: Path) -> None:
    path = tmp_path / "screens.csv"
    path.write_text('sku,name\n1,15" screen\n2,plain\n3,"quoted, comma"\n', encoding="utf-8")
    table = read_table(path)
    assert table.frame["name"].tolist() == ['15" screen', "plain", "quoted, comma"]
    assert table.row_numbers.tolist() == [2, 3, 4]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty_0_bytes.csv", "is empty (0 bytes)"),
        ("blank_lines_only.csv", "is empty"),
        ("image_renamed.csv", "is not a text CSV file (it is a PNG image)"),
        ("archive_renamed.csv", "is not a text CSV file (it is a ZIP archive)"),
        ("undecodable.csv", "neither UTF-8 nor Windows-1252"),
        ("unclosed_quote.csv", "never closed"),
    ],
)
def test_unreadable_files_give_a_plain_error(name: str, message: str) -> None:
    with pytest.raises(UserFacingError) as info:
        read_table(MALFORMED / name)
    assert message in str(info.value)
    assert name in str(info.value)


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n1,2\n" + b"\x00\x01\x02" * 50)
    with pytest.raises(UserFacingError, match="not a text CSV file"):
        read_table(path)


def test_header_only_reads_as_an_empty_table() -> None:
    table = read_table(MALFORMED / "header_only.csv")
    assert table.header == ("customer_id", "order_id", "order_date", "amount")
    assert len(table) == 0


def test_xlsx_first_sheet_as_text() -> None:
    table = read_table(MALFORMED / "orders_workbook.xlsx")
    assert table.encoding == "xlsx"
    assert table.delimiter is None
    assert table.header == ("Client No", "Invoice Number", "Purchase Date", "Total", "Zip")
    assert table.frame["Purchase Date"].tolist() == [
        "2026-03-01 14:30:00",
        "2026-04-02",
        "2026-05-03",
    ]
    assert table.frame["Total"].tolist() == ["120.5", "80", "15.25"]
    assert table.frame["Zip"].tolist() == ["07030", "07030", "02139"]
    assert table.row_numbers.tolist() == [2, 3, 4]


def test_xlsx_with_a_csv_name_is_read_as_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "renamed.csv"
    shutil.copy(MALFORMED / "orders_workbook.xlsx", path)
    assert read_table(path).encoding == "xlsx"


def test_duplicate_and_blank_header_names() -> None:
    assert unique_header(["Email", "email", "Email", "", " Name "]) == (
        "Email",
        "email",
        "Email (2)",
        "Column 4",
        "Name",
    )


def test_limit_reads_the_top_and_estimates_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    lines = ["customer_id,order_id,order_date,amount"] + [
        f"C{i % 50},O{i},2026-01-01,{i}.00" for i in range(20_000)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(path, limit=20)
    assert len(table) == 20
    assert table.truncated
    assert 15_000 < table.rows_estimate < 25_000
    assert len(read_table(path)) == 20_000


@pytest.mark.parametrize(
    "tail",
    [
        "Jos\xe9 M\xfcller".encode(),  # a two-byte character cut by a chunk's end
        "\u20acuro Trading".encode(),  # a three-byte one
        "Jos\xe9".encode("cp1252"),  # a lone byte UTF-8 never ends a text with
        b"Jos\xc3",  # a lead byte whose sequence the next chunk (ASCII) never finishes
        b"J\xc3x\xa9",  # the same, a continuation byte after the ASCII
    ],
    ids=["two bytes", "three bytes", "windows-1252", "unfinished", "broken"],
)
def test_the_encoding_read_in_chunks_is_the_whole_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tail: bytes
) -> None:
    """Chunks of ASCII are not decoded (they decode as they are), unless a character began
    in the chunk before: the answer is the whole file's decode at every cut."""
    from services.importing import reader

    for cut in range(1, 12):
        monkeypatch.setattr(reader, "_CHUNK", cut)
        path = tmp_path / f"names-{cut}.csv"
        data = b"id,name\n1," + tail + b",x\n2,plain ascii\n"
        path.write_bytes(data)
        try:
            data.decode("utf-8")
            expected = "utf-8"
        except UnicodeDecodeError:
            expected = "cp1252"
        assert reader._detect_encoding(path) == expected, cut
