"""Very wide files are read or refused in bounded time: correctness here, the timings in
bench/bench_wide_csv.py."""

from __future__ import annotations

from pathlib import Path

from app.workspace import open_workspace
from services.importing import generic
from services.importing.generic.mapping import MAX_SNIFFED_COLUMNS
from services.importing.reader import read_table
from services.importing.service import preview_file, run_import
from tests.support.databases import read_rows


def _wide(path: Path, columns: int, named: dict[int, tuple[str, list[str]]]) -> Path:
    """``columns`` junk columns of small numbers, with some named ones at given places."""
    header = [f"col{i}" for i in range(columns)]
    rows = [[str((r * 7 + i) % 997) for i in range(columns)] for r in range(4)]
    for at, (name, values) in named.items():
        header[at] = name
        for r, value in enumerate(values):
            rows[r][at] = value
    path.write_text(
        ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def test_named_columns_are_found_however_far_to_the_right(
    tmp_path: Path, workspace_url: str
) -> None:
    emails = [f"p{k}@example.com" for k in range(4)]
    ids = [f"C{k}" for k in range(4)]
    path = _wide(
        tmp_path / "people.csv",
        3000,
        {2500: ("customer_id", ids), 2999: ("Email", emails)},
    )
    table = read_table(path)
    assert len(table.header) == 3000
    suggestion = generic.suggest_mapping(table, "customers")
    mapping = {c: f for c, f in suggestion.mapping.items() if f}
    assert mapping == {"customer_id": "customer_id", "Email": "email"}
    assert suggestion.confident
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = run_import(ws.engine, [path], kind="customers")
    finally:
        ws.close()
    assert report.files[0].landed, report.lines()
    stored = read_rows(workspace_url, "SELECT external_id, email FROM customers ORDER BY 1")
    assert stored == list(zip(ids, emails, strict=True))


def test_ten_thousand_unnamed_columns_are_refused_with_a_reason(
    tmp_path: Path, workspace_url: str
) -> None:
    path = _wide(tmp_path / "junk.csv", 10_000, {})
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = run_import(ws.engine, [path])
    finally:
        ws.close()
    (file,) = report.files
    assert not file.landed
    assert file.error is not None
    assert "could not tell which column holds" in file.error
    assert "and 9992 more" in file.error


def test_content_is_sniffed_only_for_the_first_columns_of_a_wide_file(tmp_path: Path) -> None:
    """Beyond MAX_SNIFFED_COLUMNS an unnamed column is not parsed for what it holds (the
    bound that keeps a wide file fast); within it, an email column is still recognised."""
    emails = [f"p{k}@example.com" for k in range(4)]
    early = _wide(tmp_path / "early.csv", 1000, {5: ("contact", emails)})
    late = _wide(tmp_path / "late.csv", 1000, {MAX_SNIFFED_COLUMNS + 5: ("contact", emails)})
    early_map = generic.suggest_mapping(read_table(early), "customers").mapping
    late_map = generic.suggest_mapping(read_table(late), "customers").mapping
    assert early_map["contact"] == "email"
    assert late_map["contact"] is None


def test_the_preview_of_a_wide_file_shows_its_rows_and_samples(
    tmp_path: Path, workspace_url: str
) -> None:
    # The preview's rows are built from one array, the guesses' samples without .head(5):
    # both must still show the file's own values in the file's column order.
    emails = [f"p{k}@example.com" for k in range(4)]
    path = _wide(
        tmp_path / "wide.csv",
        1_000,
        {0: ("customer_id", ["A", "B", "C", "D"]), 999: ("email", emails)},
    )
    ws = open_workspace(workspace_url, backup=False)
    try:
        preview = preview_file(ws.engine, path)
    finally:
        ws.close()
    assert preview.kind == "customers"
    assert len(preview.sample_rows) == 4
    assert preview.sample_rows[1][0] == "B"
    assert preview.sample_rows[1][999] == "p1@example.com"
    assert preview.sample_rows[2][1] == str((2 * 7 + 1) % 997)
    by_column = {g.column: g for g in preview.columns}
    assert by_column["email"].field == "email"
    assert by_column["email"].samples == tuple(emails)
    assert by_column["customer_id"].field == "customer_id"
    assert by_column["col500"].field is None
