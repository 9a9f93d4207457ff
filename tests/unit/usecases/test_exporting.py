"""Exports: formula neutralisation in CSV and XLSX, numbers stay numbers, atomic writes."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from models.errors import UserFacingError
from services.core.output_files import neutralise_text
from services.usecases import exporting
from services.usecases.exporting import (
    ExportError,
    NoScoresError,
    export_format,
    export_table,
    write_table,
)

DANGEROUS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\tcmd",
    "\rcmd",
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C-1", "C-2", "C-3", "C-4", "C-5", "C-6", "C-7"],
            "name": [*DANGEROUS, 'Zoë O\'Brien, "Jr"'],
            "churn_risk": [0.125, -0.5, np.nan, 1.0, 0.0, 0.75, 0.3333333333333333],
            "orders": pd.array([3, -4, None, 0, 1, 2, 5], dtype="Int64"),
            "count": np.arange(7, dtype=np.int64),
            "as_of": [dt.date(1997, 9, 30)] * 7,
            "last_order": pd.to_datetime(
                [
                    "1997-01-01",
                    "1997-02-03 10:30",
                    None,
                    "1997-03-01",
                    "1997-04-01",
                    "1997-05-01",
                    "1997-06-01",
                ],
                format="ISO8601",
            ),
            "segment": ["Champions", None, "Lost", "At Risk", "New", "Lost", "Loyal"],
        }
    )


def test_neutralise_text_prefixes_only_formula_triggers() -> None:
    for text in DANGEROUS:
        assert neutralise_text(text) == "'" + text
    for text in ("Ada", "", "1=1", " =SUM(1)", "'quoted"):
        assert neutralise_text(text) == text


def test_csv_neutralises_formulas_and_keeps_numbers(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    result = write_table(_frame(), target)
    assert (result.rows, result.columns, result.format) == (7, 8, "csv")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert header == list(_frame().columns)
    names = [row[1] for row in body]
    assert names[:6] == ["'" + text for text in DANGEROUS]
    assert names[6] == 'Zoë O\'Brien, "Jr"'
    # Numbers are written as numbers: negative ones are not "neutralised".
    assert [row[2] for row in body] == [
        "0.125",
        "-0.5",
        "",
        "1.0",
        "0.0",
        "0.75",
        "0.3333333333333333",
    ]
    assert [row[3] for row in body] == ["3", "-4", "", "0", "1", "2", "5"]
    assert body[0][5] == "1997-09-30"
    assert [row[6] for row in body[:3]] == ["1997-01-01 00:00:00", "1997-02-03 10:30:00", ""]
    assert body[1][7] == ""
    # pandas reads it back with the numbers as numbers.
    back = pd.read_csv(target)
    assert back["churn_risk"].dtype == np.float64
    assert back.loc[1, "churn_risk"] == -0.5


def test_xlsx_stores_formula_text_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    target = tmp_path / "scores.xlsx"
    result = write_table(_frame(), target, sheet="Scores")
    assert (result.rows, result.format) == (7, "xlsx")
    book = load_workbook(target)
    sheet = book["Scores"]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == list(_frame().columns)
    assert rows[0][0].font.bold
    for row, text in zip(rows[1:7], DANGEROUS, strict=True):
        cell = row[1]
        assert cell.data_type == "s", text  # never "f" (formula)
        # The text is kept; a bare carriage return may read back as a line feed (XML's
        # line-end rule, which lxml, when installed, leaves to the writer's escaping).
        assert cell.value in (text, text.replace("\r", "\n"))
    assert rows[1][1].quotePrefix
    assert rows[7][1].value == 'Zoë O\'Brien, "Jr"'
    risk = [row[2] for row in rows[1:]]
    assert [c.value for c in risk] == [0.125, -0.5, None, 1.0, 0.0, 0.75, 0.3333333333333333]
    assert all(c.data_type == "n" for c in risk if c.value is not None)
    assert [row[3].value for row in rows[1:4]] == [3, -4, None]
    assert rows[1][5].value == dt.datetime(1997, 9, 30)
    assert rows[1][5].number_format == "yyyy-mm-dd"
    assert rows[2][6].value == dt.datetime(1997, 2, 3, 10, 30)
    # The sheet holds no formula anywhere.
    assert not any(c.data_type == "f" for row in rows for c in row)


def test_xlsx_drops_characters_excel_cannot_hold(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["bell\x07 and null\x00", "=x\x01"]})
    write_table(frame, tmp_path / "odd.xlsx")
    cells = [c.value for c in next(load_workbook(tmp_path / "odd.xlsx").active.iter_cols())]
    assert cells == ["name", "bell and null", "=x"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "scores.csv"
    target.write_text("previous export\n", encoding="utf-8")

    def broken_rows(frame: pd.DataFrame):  # type: ignore[no-untyped-def]
        yield ("a", "1", "", "", "", "", "", "")
        raise RuntimeError("bug halfway through")

    monkeypatch.setattr(exporting, "_text_rows", broken_rows)
    with pytest.raises(RuntimeError, match="halfway"):
        write_table(_frame(), target, force=True)
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]


def test_a_full_disk_is_a_plain_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def full(*args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(exporting, "_write_csv", full)
    with pytest.raises(ExportError, match="disk is full"):
        write_table(_frame(), tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


def test_an_export_replaces_an_earlier_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("x\n" * 10_000, encoding="utf-8")
    write_table(_frame().head(2), target, force=True)
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_bad_names_and_places_are_plain_errors(tmp_path: Path) -> None:
    assert issubclass(ExportError, UserFacingError)
    assert export_format("A.CSV") == "csv"
    assert export_format("b.xlsx") == "xlsx"
    with pytest.raises(ExportError, match=r"\.csv or \.xlsx"):
        write_table(_frame(), tmp_path / "out.txt")
    with pytest.raises(ExportError, match="does not exist"):
        write_table(_frame(), tmp_path / "missing" / "out.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        write_table(_frame(), tmp_path / "dir.csv")


def test_exporting_scores_of_a_workspace_never_scored_says_run_score(
    tmp_path: Path, workspace_url: str
) -> None:
    from app.workspace import open_workspace
    from services.demo import build_demo

    workspace = open_workspace(workspace_url)
    try:
        build_demo(workspace.engine, customers=30, seed=2, today=dt.date(2026, 11, 21))
        with pytest.raises(NoScoresError, match="run 'score' first"):
            export_table(workspace.engine, "scores", tmp_path / "s.csv")
        assert not (tmp_path / "s.csv").exists()
        result = export_table(workspace.engine, "customers", tmp_path / "c.xlsx")
        assert result.rows == 30
        sheet = load_workbook(tmp_path / "c.xlsx")["Customers"]
        header = [c.value for c in next(sheet.iter_rows())]
        assert header[:5] == ["customer_id", "source", "name", "person", "email"]
        assert sheet.max_row == 31
    finally:
        workspace.close()
