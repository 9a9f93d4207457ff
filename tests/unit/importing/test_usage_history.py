"""A usage import's history: another file's events add to the days it covers (the same
file twice changes nothing), undo restores the days as they were, each event is placed on its local
day across a zone boundary, and a file that cannot be read loses nothing and writes
nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from models.errors import UserFacingError
from services.importing import service
from tests.unit.importing.test_usage_events import write_amplitude_csv
from tests.unit.importing.usage_support import (
    ACME,
    BETA,
    GAMMA,
    STORY,
    Event,
    at,
    counts,
    stored,
    truth,
    write_csv,
    write_jsonl,
)

UTC = dt.UTC
LATER = (
    Event("ann@acme.example", "Report Viewed", at("2026-11-03 20:00:00"), session="s20"),
    Event("ann@acme.example", "Search", at("2026-11-09 15:00:00"), session="s21"),
)


def _run_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [
            int(r[0])
            for r in conn.execute(
                text("SELECT id FROM import_runs WHERE kind = 'usage' ORDER BY id")
            )
        ]


def test_another_file_adds_to_the_days_it_covers_and_undo_restores_them(
    usage_ws: Engine, tmp_path: Path
) -> None:
    first = write_amplitude_csv(tmp_path)
    assert service.run_import(usage_ws, [first]).landed
    once = stored(usage_ws, "amplitude")
    assert once == truth()

    again = service.run_import(usage_ws, [first]).files[0]
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(once))
    assert stored(usage_ws, "amplitude") == once

    (tmp_path / "more").mkdir()
    more = write_amplitude_csv(tmp_path / "more", LATER)
    grown = service.run_import(usage_ws, [more]).files[0]
    # One day of Acme's gains an event (updated), one new day (inserted).
    assert (grown.inserted, grown.updated) == (1, 1), grown
    assert stored(usage_ws, "amplitude") == truth(STORY + LATER)

    runs = _run_ids(usage_ws)
    first_run, last_run = runs[0], runs[-1]
    with pytest.raises(UserFacingError, match="undo it first"):
        service.undo_import(usage_ws, first_run)
    undone = service.undo_import(usage_ws, last_run)
    assert (undone.deleted, undone.restored) == (1, 1)
    assert stored(usage_ws, "amplitude") == once
    service.undo_import(usage_ws, runs[1])  # the unchanged re-import: nothing to put back
    service.undo_import(usage_ws, first_run)
    assert counts(usage_ws) == (3, 0, 0)


def test_an_event_is_placed_on_its_local_day_across_a_zone_boundary(
    usage_ws: Engine, tmp_path: Path
) -> None:
    """Workspace zone New York (UTC-5 in November)."""
    amplitude = write_csv(
        tmp_path / "amplitude.csv",
        ["user_id", "event_type", "event_time", "session_id"],
        [
            # UTC 02:30 on the 4th is 21:30 on the 3rd in New York.
            ["ann@acme.example", "Search", "2026-11-04 02:30:00.000000", "1"],
            ["ann@acme.example", "Search", "2026-11-04 05:30:00.000000", "2"],
        ],
    )
    segment = write_jsonl(
        tmp_path / "segment.jsonl",
        [
            # Its own clock's date: the 4th in Tokyo, though the 3rd in New York.
            {
                "type": "track",
                "event": "Search",
                "userId": "bob@beta.example",
                "anonymousId": "a1",
                "timestamp": "2026-11-04T08:30:00+09:00",
            },
            # UTC: New York's date (the 3rd).
            {
                "type": "track",
                "event": "Search",
                "userId": "bob@beta.example",
                "anonymousId": "a2",
                "timestamp": "2026-11-04T03:30:00Z",
            },
            # No zone at all: the date as written.
            {
                "type": "track",
                "event": "Search",
                "userId": "bob@beta.example",
                "anonymousId": "a3",
                "timestamp": "2026-11-05T01:00:00",
            },
        ],
    )

    report = service.run_import(usage_ws, [amplitude, segment])

    assert all(f.landed for f in report.files), report.lines()
    assert {k: v["events"] for k, v in stored(usage_ws, "amplitude").items()} == {
        (ACME, dt.date(2026, 11, 3)): 1,
        (ACME, dt.date(2026, 11, 4)): 1,
    }
    assert {k: v["events"] for k, v in stored(usage_ws, "segment").items()} == {
        (BETA, dt.date(2026, 11, 3)): 1,
        (BETA, dt.date(2026, 11, 4)): 1,
        (BETA, dt.date(2026, 11, 5)): 1,
    }


def test_rows_that_cannot_be_read_are_rejected_with_their_reason(
    usage_ws: Engine, tmp_path: Path
) -> None:
    rows = [
        ["ann@acme.example", "Search", "2026-11-03 14:00:00.000000", "1"],
        ["ann@acme.example", "Search", "yesterday-ish", "1"],
        ["", "Search", "2026-11-03 14:00:00.000000", "1"],
        ["bob@beta.example", "Search", "", "1"],
        ["bob@beta.example", "Search", "2026-11-03 15:00:00.000000", "2"],
    ]
    path = write_csv(
        tmp_path / "events.csv", ["user_id", "event_type", "event_time", "session_id"], rows
    )

    file = service.run_import(usage_ws, [path]).files[0]

    assert file.landed
    assert file.rows_read == 5
    assert [(r.row, r.reason.split(":")[0]) for r in file.rejects] == [
        (3, "malformed time 'yesterday-ish'"),
        (4, "no user or account"),
        (5, "no time"),
    ]
    assert sum(v["events"] for v in stored(usage_ws, "amplitude").values()) == 2
    with usage_ws.connect() as conn:
        rejected, report = conn.execute(
            text("SELECT rejected, report FROM import_runs WHERE kind = 'usage'")
        ).one()
    assert rejected == 3
    assert "yesterday-ish" in str(report)


def test_a_file_that_cannot_be_read_writes_nothing(usage_ws: Engine, tmp_path: Path) -> None:
    good = write_amplitude_csv(tmp_path)
    broken = tmp_path / "broken.csv"
    text_ = good.read_text(encoding="utf-8").splitlines()
    # A record with a quote never closed: the rest of the file is one field.
    text_.insert(6, 'x,1,1,Lisbon,Portugal,dev,1,{},"2026-11-03 14:00:00,Search')
    broken.write_text("\n".join(text_) + "\n", encoding="utf-8")
    gz = tmp_path / "events.json.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    other_json = write_jsonl(tmp_path / "contacts.json", [{"name": "Ann", "plan": "pro"}])

    report = service.run_import(usage_ws, [broken, gz, other_json])

    assert not report.landed
    assert counts(usage_ws) == (3, 0, 0)
    errors = [f.error or "" for f in report.files]
    assert errors[0].startswith("Row 7 of broken.csv has a quote"), errors
    assert "Nothing from the file was imported" in errors[0]
    assert "gzip" in errors[1]
    assert "not a product-usage export" in errors[2]
    assert "JSON lines" in errors[2]
    assert all("unexpected failure" not in e for e in errors)
    assert _run_ids(usage_ws) == []


def test_a_merge_of_two_customers_with_usage_on_one_day_sums_it_and_undo_splits_it(
    usage_ws: Engine, tmp_path: Path
) -> None:
    from tests.unit.importing.test_import_service import _customers_batch, _write

    assert service.run_import(usage_ws, [write_amplitude_csv(tmp_path)]).landed
    before = stored(usage_ws, "amplitude")
    nov3 = dt.date(2026, 11, 3)
    assert (ACME, nov3) in before  # the day both used it
    assert (BETA, nov3) in before
    with usage_ws.connect() as conn:
        source = conn.execute(text("SELECT source FROM customers WHERE id = 1")).scalar_one()
        rows_before = conn.execute(text("SELECT * FROM usage_days ORDER BY id")).all()
    # One record naming both customers: Acme (the older) keeps Beta's days.
    run = _write(
        usage_ws,
        _customers_batch(
            [{"external_id": "X-1", "identities": [(source, "C1"), (source, "C2")]}], "erp"
        ),
    )
    after = stored(usage_ws, "amplitude")
    assert {customer for customer, _ in after} == {ACME, GAMMA}
    a, b = before[(ACME, nov3)], before[(BETA, nov3)]
    merged = after[(ACME, nov3)]
    assert merged["events"] == a["events"] + b["events"]
    assert merged["users"] == sorted(set(a["users"]) | set(b["users"]))
    assert merged["active_users"] == len(merged["users"])
    assert merged["sessions"] == a["sessions"] + b["sessions"]
    features = dict(a["features"] or {})
    for name, count in (b["features"] or {}).items():
        features[name] = features.get(name, 0) + count
    assert merged["features"] == features
    # Beta's other days moved over as they were.
    for (customer, day), figures in before.items():
        if customer == BETA and day != nov3:
            assert after[(ACME, day)] == figures
    service.undo_import(usage_ws, run)
    assert stored(usage_ws, "amplitude") == before
    with usage_ws.connect() as conn:
        assert conn.execute(text("SELECT * FROM usage_days ORDER BY id")).all() == rows_before
