"""`report segments` through main(): the table, CSV and JSON show the figures of the
hand-made book of tests/support/segments_book.py (the same the service and Results show),
--from/--to pick the migration's runs, and --out writes the same text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from tests.support.segments_book import BOOK, DATES, fill_segments_book


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[str, dict[str, Any]]]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_segments_book(ws.engine)
    finally:
        ws.close()
    return workspace_url, ids


def _size(i: int, segment: str) -> int:
    return sum(1 for per in BOOK.values() if per[i] is not None and per[i][0] == segment)


def test_the_table(book) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, out, err = run("--db", url, "report", "segments")
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0].startswith("Segments over time: 3 scorings")
    third = next(line for line in lines if line.startswith(f"#{ids['runs'][2]} "))
    assert "24 months" in third
    assert "changed (v4)" in third
    sizes = [line for line in lines if line.startswith("Champions ")][0].split()[1:]
    assert sizes == [str(_size(i, "Champions")) for i in range(3)]
    assert "mean 24-month value" in out  # the latest run's T names the value
    # The last two runs by default: b moved Loyal → At Risk.
    assert f"(#{ids['runs'][1]}) to" in out
    moved = [line for line in lines if line.startswith("Loyal ") and "At Risk" in line]
    assert moved
    assert moved[0].split()[3] == "1"


def test_csv_and_json_agree_and_from_to_pick_the_runs(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    first, second = DATES[0].isoformat(), str(ids["runs"][1])
    code, out, err = run("--db", url, "report", "segments", "--from", first, "--to", second,
                         "--format", "csv")  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    sizes = {
        (r["as_of"], r["segment"]): int(r["value"])
        for r in rows
        if r["section"] == "segment" and r["measure"] == "customers"
    }
    assert sizes[(first, "Champions")] == _size(0, "Champions")
    cells = {
        (r["segment"], r["to_segment"]): int(r["value"])
        for r in rows
        if r["section"] == "migration" and r["measure"] == "customers"
    }
    assert cells[("Champions", "Loyal")] == 1
    assert cells[("Not scored", "New")] == 1
    target = tmp_path / "segments.json"
    code, out, err = run("--db", url, "report", "segments", "--from", first, "--to", second,
                         "--format", "json", "--out", str(target))  # fmt: skip
    assert code == 0, err
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [r["value_label"] for r in data["runs"]] == [
        "12-month value", "12-month value", "24-month value"
    ]  # fmt: skip
    assert data["migration"]["from_run_id"] == ids["runs"][0]
    assert data["migration"]["stayed"] + data["migration"]["moved"] == 5


def test_an_unknown_run_is_a_plain_error(book) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    code, _out, err = run("--db", url, "report", "segments", "--from", "1999-01-01")
    assert code != 0
    assert "No finished scoring run" in err
