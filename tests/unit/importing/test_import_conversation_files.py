"""What kind of file an import takes a text file for, and how its conversations are dated,
through the real import on the files of tests/data/conversations (its README gives each
file's truth): a short transcript is speech however few its lines, a table saved as text
stays a table, a transcript's header block is its title, date and people, and the file's
last change dates a conversation only when nothing else does, said plainly; on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app.workspace import open_workspace
from services.importing.service import run_import
from services.importing.types import FileReport
from tests.support.paths import DATA

FILES = DATA / "conversations"
CUSTOMERS = (
    "customer_id,name,email,company\n"
    "S1,Sam Lee,sam.lee@fabrikam.example,Fabrikam\n"
    "M1,Minh Williams,minh.williams@contoso.example,Contoso\n"
)


@pytest.fixture
def engine(workspace_url: str, tmp_path: Path) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        book = tmp_path / "customers.csv"
        book.write_text(CUSTOMERS, encoding="utf-8")
        assert run_import(ws.engine, [book]).landed
        yield ws.engine
    finally:
        ws.close()


def one(engine: Engine, path: Path) -> FileReport:
    (file,) = run_import(engine, [path]).files
    return file


def talks(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.external_id AS customer, i.kind, i.subject, i.occurred_at, "
                "i.attributes FROM interactions i JOIN customers c ON c.id = i.customer_id "
                "WHERE i.source = 'conversations' ORDER BY i.id"
            )
        ).mappings()
        out = []
        for row in rows:
            item = dict(row)
            if isinstance(item["attributes"], str):
                item["attributes"] = json.loads(item["attributes"])
            item["occurred_at"] = str(item["occurred_at"])[:19]
            out.append(item)
        return out


def test_a_short_transcript_of_two_speakers_is_a_transcript(engine: Engine) -> None:
    report = one(engine, FILES / "short_call.txt")
    assert report.error is None, report.error
    assert (report.kind, report.detected_format, report.inserted) == (
        "conversations", "Text transcript", 1,
    )  # fmt: skip
    (call,) = talks(engine)
    assert (call["customer"], call["kind"]) == ("S1", "meeting")
    turns = call["attributes"]["turns"]
    assert [(t["who"], t["anchor"], t["customer"]) for t in turns] == [
        ("Anna Berg", "line 1", False),
        ("Sam Lee", "line 3", True),
    ]


def test_a_table_saved_as_text_is_imported_as_rows_though_its_cells_hold_colons(
    engine: Engine,
) -> None:
    report = one(engine, DATA / "text_tables" / "customers_with_notes.txt")
    assert report.error is None, report.error
    assert (report.kind, report.inserted) == ("customers", 3)
    assert talks(engine) == []
    with engine.connect() as conn:
        names = conn.execute(
            text("SELECT name FROM customers WHERE external_id LIKE 'W%' ORDER BY external_id")
        ).scalars()
        assert list(names) == ["Minh Williams", "Lan Tran", "Jo Park"]


def test_a_header_block_gives_the_title_the_date_and_the_people(engine: Engine) -> None:
    report = one(engine, FILES / "headed_call.txt")
    assert report.inserted == 1
    assert not any("held no date" in note for note in report.notes)
    (call,) = talks(engine)
    assert call["subject"] == "Renewal check-in"
    assert call["occurred_at"] == "2026-11-20 15:30:00"
    attributes = call["attributes"]
    # Minh's address is the attendees line's: matched by it, not by his name.
    assert (call["customer"], attributes["matched"]) == ("M1", "by address")
    assert [t["who"] for t in attributes["turns"]] == [
        "Dana Whitfield", "Minh Williams", "Dana Whitfield",
    ]  # fmt: skip


def test_a_date_written_in_the_files_name_dates_it(engine: Engine, tmp_path: Path) -> None:
    named = tmp_path / "Contoso call - Nov 20, 2026.txt"
    shutil.copy(FILES / "owner_call.txt", named)
    report = one(engine, named)
    assert "1 conversation(s) held no date: dated by the date in its file name" in report.notes
    (call,) = talks(engine)
    assert call["occurred_at"] == "2026-11-20 12:00:00"


def test_the_files_last_change_dates_it_only_when_nothing_else_does_and_says_so(
    engine: Engine, tmp_path: Path
) -> None:
    undated = tmp_path / "call notes.txt"
    shutil.copy(FILES / "owner_call.txt", undated)
    changed = dt.datetime(2026, 10, 2, 8, 30, tzinfo=dt.UTC).timestamp()
    os.utime(undated, (changed, changed))
    report = one(engine, undated)
    (note,) = [n for n in report.notes if "held no date" in n]
    assert note.startswith(
        "1 conversation(s) held no date, neither in the file nor in its name (call notes.txt): "
        "dated by the file's last change, which may not be the day it took place."
    )
    assert "“Date: 2026-11-20”" in note
    (call,) = talks(engine)
    assert call["occurred_at"] == "2026-10-02 08:30:00"
    # A file whose content gives a date is never dated by its change.
    dated = tmp_path / "headed.txt"
    shutil.copy(FILES / "headed_call.txt", dated)
    os.utime(dated, (changed, changed))
    assert not any("held no date" in n for n in one(engine, dated).notes)
    assert talks(engine)[-1]["occurred_at"] == "2026-11-20 15:30:00"
