"""`main.py import` of a product-usage export end to end: the customers first, then a
Segment export in a folder beside a manifest (left out with a note): its report says what
matched and who did not, and `imports undo` takes the usage days back out."""

from __future__ import annotations

from pathlib import Path

from tests.cli.commands.test_cli import count, run
from tests.unit.importing.test_usage_events import write_segment_jsonl
from tests.unit.importing.usage_support import write_customers


def test_a_segment_export_through_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    assert (
        run("--db", str(db), "import", str(write_customers(tmp_path)), home=tmp_path).returncode
        == 0
    )
    folder = tmp_path / "exports"
    folder.mkdir()
    write_segment_jsonl(folder)
    # A manifest beside the export: no usage export, left out with a note, nothing failed.
    (folder / "manifest.json").write_text('{\n  "files": ["segment-2026-11-03.jsonl"]\n}\n')

    result = run("--db", str(db), "import", str(folder), home=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "manifest.json was not imported: it is a JSON file but not a product-usage" in (
        result.stderr
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "segment-2026-11-03.jsonl (segment_events, usage): landed as import 2: 19 rows read, "
    )
    assert any("12 of 16 events matched 3 customers" in ln for ln in lines), lines
    assert any("not matched (no customer has their email): 2 events left out" in ln for ln in lines)
    days = count(db, "usage_days")
    assert days > 0
    assert count(db, "interactions") == 0
    assert count(db, "customers") == 3
    undo = run("--db", str(db), "imports", "undo", "2", home=tmp_path)
    assert undo.returncode == 0, undo.stderr
    assert f"{days} row(s) it added were deleted" in undo.stdout
    assert count(db, "usage_days") == 0
