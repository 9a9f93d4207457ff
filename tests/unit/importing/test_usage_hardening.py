"""Usage imports against bad input and repeated files, each through the real import of a
file written here into a real SQLite workspace: days of several files add up (the same file
twice adds nothing, undo restores), times, counts and figures out of any plausible range
are rejected per row with the reason, exact duplicate events count once, a record nested
too deep or too long is rejected alone, and a folder's non-usage JSON file is left out."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.importing import service
from services.importing.watched import FOLDER_KEY, import_watched_folder
from services.settings import set_setting
from tests.unit.importing.test_usage_events import amplitude_records, write_amplitude_csv
from tests.unit.importing.usage_support import (
    ACME,
    Event,
    at,
    counts,
    stored,
    write_csv,
    write_jsonl,
)

DAY = dt.date(2026, 11, 3)
DELTA = 4  # the customer imported after the first usage file


@pytest.fixture
def database() -> str:
    """SQLite only: what these tests check is the import's, not the database's."""
    return "sqlite"


def _ann(n: int, start: str, prefix: str) -> tuple[Event, ...]:
    first = at(start)
    return tuple(
        Event("ann@acme.example", f"{prefix} Viewed", first + dt.timedelta(minutes=i), session="s")
        for i in range(n)
    )


def _folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


def test_days_of_several_files_add_up_the_same_file_adds_nothing_and_undo_restores(
    usage_ws: Engine, tmp_path: Path
) -> None:
    first = write_amplitude_csv(_folder(tmp_path, "a"), _ann(30, "2026-11-03 14:00", "Report"))
    second = write_amplitude_csv(_folder(tmp_path, "b"), _ann(15, "2026-11-03 16:00", "Chart"))
    report = service.run_import(usage_ws, [first, second])  # one command, two files
    assert [(f.inserted, f.updated) for f in report.files] == [(1, 0), (0, 1)]
    day = stored(usage_ws, "amplitude")[(ACME, DAY)]
    assert day["events"] == 45
    assert day["features"] == {"Chart Viewed": 15, "Report Viewed": 30}
    assert day["active_users"] == 1

    again = service.run_import(usage_ws, [first]).files[0]
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert stored(usage_ws, "amplitude")[(ACME, DAY)]["events"] == 45

    runs = [f.run_id for f in (*report.files, again)]
    service.undo_import(usage_ws, runs[2])  # the unchanged re-import
    service.undo_import(usage_ws, runs[1])
    after_first = stored(usage_ws, "amplitude")[(ACME, DAY)]
    assert after_first["events"] == 30
    assert after_first["features"] == {"Report Viewed": 30}
    service.undo_import(usage_ws, runs[0])
    assert counts(usage_ws) == (3, 0, 0)


def test_the_same_file_again_adds_only_the_days_of_customers_matched_since(
    usage_ws: Engine, tmp_path: Path
) -> None:
    events = (*_ann(2, "2026-11-03 14:00", "Report"),)
    events += (Event("dee@delta.example", "Search", at("2026-11-03 15:00"), session="s"),)
    folder = _folder(tmp_path, "a")
    path = write_amplitude_csv(folder, events)
    assert service.run_import(usage_ws, [path]).files[0].inserted == 1  # Dee is unknown
    header = ["customer_id", "email", "name", "company"]
    people = write_csv(tmp_path / "more.csv", header, [["C4", "dee@delta.example", "D", "Delta"]])
    assert service.run_import(usage_ws, [people]).files[0].inserted == 1
    path.rename(folder / "usage.csv")  # the same content under another name
    again = service.run_import(usage_ws, [folder / "usage.csv"]).files[0]
    assert (again.inserted, again.updated, again.unchanged) == (1, 0, 1)
    days = stored(usage_ws, "amplitude")
    assert (days[(ACME, DAY)]["events"], days[(DELTA, DAY)]["events"]) == (2, 1)


def test_times_and_dates_out_of_any_plausible_range_are_rejected_per_row(
    usage_ws: Engine, tmp_path: Path
) -> None:
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    header = ["user_id", "event_type", "event_time"]
    rows = [
        ["ann@acme.example", "Search", "2026-11-03 15:00:00"],
        ["ann@acme.example", "Search", "9999-12-31 10:00:00"],
        ["ann@acme.example", "Search", "-1"],
        ["ann@acme.example", "Search", "1989-12-31 23:00:00"],
        ["ann@acme.example", "Search", ahead],
        ["ann@acme.example", "Search", "99999999999999"],  # epoch ms in the year 5138
    ]
    report = service.run_import(usage_ws, [write_csv(tmp_path / "e.csv", header, rows)])
    file = report.files[0]
    assert file.landed
    assert file.rejected == 5
    assert all("implausible time" in r.reason for r in file.rejects)
    assert list(stored(usage_ws, "amplitude")) == [(ACME, DAY)]

    header = ["account", "date", "sessions"]
    rows = [["Acme Corp", "2026-11-04", "2"], ["Acme Corp", "9999-12-31", "2"]]
    file = service.run_import(usage_ws, [write_csv(tmp_path / "a.csv", header, rows)]).files[0]
    assert [r.row for r in file.rejects] == [3]
    assert "implausible date" in file.rejects[0].reason
    assert list(stored(usage_ws, "usage_file")) == [(ACME, dt.date(2026, 11, 4))]


def test_event_counts_out_of_range_are_rejected_per_row(usage_ws: Engine, tmp_path: Path) -> None:
    header = ["visitorId", "accountId", "day", "numEvents", "numMinutes"]
    day = "2026-11-03"
    rows = [
        ["v1", "Acme Corp", day, "-5", "1"],
        ["v2", "Acme Corp", day, "9223372036854775806", "1"],
        ["v3", "Acme Corp", day, "many", "1"],
        ["v4", "Acme Corp", day, "7", "-3"],
        ["v5", "Acme Corp", day, "7", "2"],
    ]
    file = service.run_import(usage_ws, [write_csv(tmp_path / "p.csv", header, rows)]).files[0]
    assert [r.row for r in file.rejects] == [2, 3, 4, 5]
    assert "event count '-5'" in file.rejects[0].reason
    assert "minutes" in file.rejects[3].reason
    assert stored(usage_ws, "pendo")[(ACME, DAY)]["events"] == 7


def test_aggregate_figures_out_of_range_are_rejected_per_row(
    usage_ws: Engine, tmp_path: Path
) -> None:
    header = ["account", "date", "active_users", "sessions", "feature: Reports"]
    rows = [
        ["Acme Corp", "2026-11-05", "3", "1e15", "1"],
        ["Acme Corp", "2026-11-05", "2", "NaN", "1"],
        ["Acme Corp", "2026-11-05", "2", "3", "inf"],
        ["Acme Corp", "2026-11-05", "-2", "3", "1"],
        ["Acme Corp", "2026-11-05", "2", "4", "5"],
    ]
    file = service.run_import(usage_ws, [write_csv(tmp_path / "a.csv", header, rows)]).files[0]
    assert file.landed, file.error
    assert [r.row for r in file.rejects] == [2, 3, 4, 5]
    day = stored(usage_ws, "usage_file")[(ACME, dt.date(2026, 11, 5))]
    assert (day["sessions"], day["active_users"], day["features"]) == (4, 2, {"Reports": 5})


def test_exact_duplicate_events_count_once(usage_ws: Engine, tmp_path: Path) -> None:
    (record,) = amplitude_records((Event("ann@acme.example", "Search", at("2026-11-03 15:00")),))
    other = {**record, "$insert_id": "another"}  # the same moment, another event
    path = write_jsonl(tmp_path / "events.json", [record] * 300 + [other])
    file = service.run_import(usage_ws, [path]).files[0]
    assert file.rows_read == 301
    assert stored(usage_ws, "amplitude")[(ACME, DAY)]["events"] == 2
    assert any("299 exact duplicate records" in n for n in file.notes)


def test_a_record_nested_too_deep_or_too_long_is_rejected_alone(
    usage_ws: Engine, tmp_path: Path
) -> None:
    (record,) = amplitude_records((Event("ann@acme.example", "Search", at("2026-11-03 15:00")),))
    good = json.dumps(record)
    deep = good[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    long = good[:-1] + ', "x": "' + "a" * (2 << 20) + '"}'
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([good, deep, long, good.replace("ins-0", "ins-9")]) + "\n")
    file = service.run_import(usage_ws, [path]).files[0]
    assert file.landed, file.error
    assert [r.row for r in file.rejects] == [2, 3]
    assert "nested more than" in file.rejects[0].reason
    assert "longer than" in file.rejects[1].reason
    assert stored(usage_ws, "amplitude")[(ACME, DAY)]["events"] == 2


def test_a_folders_json_file_that_is_no_usage_export_is_left_out(
    usage_ws: Engine, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, "exports")
    write_amplitude_csv(folder, _ann(3, "2026-11-03 14:00", "Report"))
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps({"files": ["amplitude_export.csv"], "rows": 3}, indent=2))
    report = service.run_import(usage_ws, [folder])
    assert [(f.file, f.landed) for f in report.files] == [("amplitude_export.csv", True)]
    assert service.not_understood([folder]) == [manifest]
    assert stored(usage_ws, "amplitude")[(ACME, DAY)]["events"] == 3

    # A watched folder leaves it out too (and never reports it as refused).
    with Session(usage_ws) as session, session.begin():
        set_setting(session, FOLDER_KEY, str(folder))
    (folder / "amplitude_export.csv").unlink()
    write_amplitude_csv(folder, _ann(2, "2026-11-04 14:00", "Report"))
    watched = import_watched_folder(usage_ws, settle_s=0)
    assert (len(watched.imported), watched.failed) == (1, [])
