"""Product-usage event exports in the vendors' own layouts (Amplitude CSV and gzipped JSON
lines, Segment JSON lines and warehouse CSV, Mixpanel's raw export) imported into a small
workspace: the customer-days match a truth computed straight from the events, the people
nobody knows are counted by reason, and no customer or interaction is ever made."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from services.importing import service
from tests.unit.importing.usage_support import (
    STORY,
    Event,
    counts,
    stored,
    truth,
    write_csv,
    write_jsonl,
)

UTC = dt.UTC
AMPLITUDE_HEADER = [
    "$insert_id",
    "amplitude_id",
    "app",
    "city",
    "country",
    "device_id",
    "event_id",
    "event_properties",
    "event_time",
    "event_type",
    "groups",
    "language",
    "os_name",
    "platform",
    "session_id",
    "user_id",
    "user_properties",
    "uuid",
]


def _session_ids(events: tuple[Event, ...]) -> dict[str, int]:
    """Amplitude's session ids: the session's start in epoch milliseconds."""
    out: dict[str, int] = {}
    for e in events:
        if e.session and e.session not in out:
            out[e.session] = int(e.at.timestamp() * 1000)
    return out


def amplitude_records(events: tuple[Event, ...] = STORY) -> list[dict[str, Any]]:
    sessions = _session_ids(events)
    return [
        {
            "$insert_id": f"ins-{i}",
            "amplitude_id": 90_000 + i,
            "app": 123456,
            "city": "Lisbon",
            "country": "Portugal",
            "device_id": f"dev-{e.user}",
            "event_id": i,
            "event_properties": {"duration": (e.minutes or 0) * 60} if e.minutes else {},
            # Amplitude writes event_time in UTC without saying so.
            "event_time": e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
            "event_type": e.event,
            "groups": {"company": [e.account]} if e.account else {},
            "language": "English",
            "os_name": "Chrome",
            "platform": "Web",
            "session_id": sessions.get(e.session, -1),
            "user_id": e.user,
            "user_properties": {"plan": "pro"},
            "uuid": f"5f1c-{i}",
        }
        for i, e in enumerate(events)
    ]


def write_amplitude_csv(folder: Path, events: tuple[Event, ...] = STORY) -> Path:
    rows = [
        [json.dumps(v) if isinstance(v, dict) else v for v in r.values()]
        for r in amplitude_records(events)
    ]
    return write_csv(folder / "amplitude_export.csv", AMPLITUDE_HEADER, rows)


def write_amplitude_gz(folder: Path, events: tuple[Event, ...] = STORY) -> Path:
    path = folder / "123456_2026-11-03_0#0.json.gz"
    lines = "".join(json.dumps(r) + "\n" for r in amplitude_records(events))
    path.write_bytes(gzip.compress(lines.encode()))
    return path


def _segment_time(e: Event, i: int) -> str:
    # Half the calls carry New York's offset, half are UTC ("Z"): both are New York days.
    if i % 2:
        return e.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return e.at.astimezone(dt.timezone(dt.timedelta(hours=-5))).isoformat(timespec="milliseconds")


def segment_records(events: tuple[Event, ...] = STORY) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = [
        {
            "type": "identify",
            "userId": "ann@acme.example",
            "anonymousId": "anon-ann",
            "traits": {"email": "ann@acme.example", "name": "Ann Archer"},
            "timestamp": "2026-11-01T10:00:00.000Z",
            "messageId": "m-identify",
        }
    ]
    for i, e in enumerate(events):
        record: dict[str, Any] = {
            "type": "track",
            "event": e.event,
            "userId": e.user,
            "anonymousId": f"anon-{i}",
            "timestamp": _segment_time(e, i),
            "properties": {"duration": e.minutes * 60} if e.minutes else {},
            "context": {"library": {"name": "analytics.js"}},
            "messageId": f"m-{i}",
        }
        if e.event == "Page Viewed":
            record = {k: v for k, v in record.items() if k != "event"} | {
                "type": "page",
                "name": "Home",
            }
        if e.account and not e.user.startswith("u-7"):
            record["context"]["groupId"] = e.account
        records.append(record)
    # Beta's people are in their account by the group calls only, which come last.
    for user in ("u-77", "u-78"):
        records.append(
            {
                "type": "group",
                "userId": user,
                "groupId": "Beta Ltd",
                "anonymousId": f"anon-{user}",
                "traits": {"name": "Beta Ltd", "plan": "enterprise"},
                "timestamp": "2026-11-06T10:00:00.000Z",
                "messageId": f"m-group-{user}",
            }
        )
    return records


def write_segment_jsonl(folder: Path) -> Path:
    return write_jsonl(folder / "segment-2026-11-03.jsonl", segment_records())


def write_segment_csv(folder: Path) -> Path:
    """A warehouse's tracks table: snake_case columns, the account in context_group_id."""
    header = [
        "id",
        "anonymous_id",
        "user_id",
        "event",
        "event_text",
        "timestamp",
        "received_at",
        "context_group_id",
        "context_library_name",
    ]
    rows = [
        [
            f"m-{i}",
            f"anon-{i}",
            e.user,
            e.event.lower().replace(" ", "_"),
            e.event,
            _segment_time(e, i),
            "2026-11-07T00:00:00Z",
            e.account,
            "analytics.js",
        ]
        for i, e in enumerate(STORY)
    ]
    # The warehouse's event is snake_case; event_text is the name as sent: the name kept is
    # the first the layout knows ("event").
    return write_csv(folder / "tracks.csv", header, rows)


def mixpanel_records(events: tuple[Event, ...] = STORY) -> list[dict[str, Any]]:
    out = []
    for i, e in enumerate(events):
        props: dict[str, Any] = {
            "time": int(e.at.timestamp()),
            "distinct_id": e.user,
            "$insert_id": f"ins{i:04d}",
            "mp_lib": "web",
            "$browser": "Chrome",
            "$current_url": "https://app.example/reports",
        }
        if "@" in e.user:
            props["$email"] = e.user
        if e.account:
            props["company"] = e.account
        if e.minutes:
            props["$duration"] = e.minutes * 60
        name = "$mp_web_page_view" if e.event == "Page Viewed" else e.event
        out.append({"event": name, "properties": props})
    return out


def write_mixpanel(folder: Path) -> Path:
    return write_jsonl(folder / "mixpanel_export.txt", mixpanel_records())


EXPORTS: dict[str, tuple[Callable[[Path], Path], str, str, dict[str, Any]]] = {
    # name: (writer, detected format, source, how the truth is taken)
    "amplitude_csv": (write_amplitude_csv, "amplitude_events", "amplitude", {}),
    "amplitude_json_gz": (write_amplitude_gz, "amplitude_events", "amplitude", {}),
    "segment_jsonl": (
        write_segment_jsonl,
        "segment_events",
        "segment",
        {"sessions": "starts", "minutes": True},
    ),
    "segment_csv": (write_segment_csv, "segment_events", "segment", {"sessions": "starts"}),
    "mixpanel_jsonl": (
        write_mixpanel,
        "mixpanel_events",
        "mixpanel",
        {"sessions": "starts", "minutes": True},
    ),
}


def _features_of_segment_csv(expected: dict[Any, dict[str, Any]]) -> None:
    # The warehouse's snake_case names are the features' names there.
    for slot in expected.values():
        if slot["features"]:
            slot["features"] = {k.lower().replace(" ", "_"): v for k, v in slot["features"].items()}


@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_event_exports_land_on_the_truth(usage_ws: Engine, tmp_path: Path, export: str) -> None:
    write, detected, source, how = EXPORTS[export]
    path = write(tmp_path)
    before = counts(usage_ws)
    preview = service.preview_file(usage_ws, path)
    assert (preview.detected_format, preview.kind, preview.needs_mapping) == (
        detected,
        "usage",
        False,
    )

    report = service.run_import(usage_ws, [path])

    (file,) = report.files
    assert file.error is None, file.error
    assert file.landed
    assert file.detected_format == detected
    assert file.kind == "usage"
    expected = truth(**how)
    if export == "segment_csv":
        _features_of_segment_csv(expected)
    assert stored(usage_ws, source) == expected
    customers, interactions, days = counts(usage_ws)
    assert (customers, interactions) == before[:2]  # nobody made, nothing in the timeline
    assert days == len(expected) == file.inserted
    assert file.rejected == 0
    with usage_ws.connect() as conn:
        run = conn.execute(
            text("SELECT kind, detected_format, report FROM import_runs WHERE id = :i"),
            {"i": file.run_id},
        ).one()
    summary = (json.loads(run[2]) if isinstance(run[2], str) else run[2])["usage"]
    assert (run[0], run[1]) == ("usage", detected)
    assert summary["customers_matched"] == 3
    assert summary["unmatched"] == {
        "no customer has their account": {"people": 1, "events": 1},
        "no customer has their email": {"people": 1, "events": 2},
        "no customer has their user id": {"people": 1, "events": 1},
    }
    assert any(
        "1 user or account not matched (no customer has their email)" in n for n in file.notes
    )


def test_an_amplitude_style_file_never_makes_customers_or_interactions(
    usage_ws: Engine, tmp_path: Path
) -> None:
    """A minimal file: only user_id (each customer's email), event_type and event_time."""
    rows = [
        [e.user, e.event, e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")]
        for e in STORY
        if "@" in e.user
    ]
    path = write_csv(tmp_path / "events.csv", ["user_id", "event_type", "event_time"], rows)

    report = service.run_import(usage_ws, [path])

    assert report.files[0].detected_format == "amplitude_events", report.lines()
    customers, interactions, days = counts(usage_ws)
    assert (customers, interactions) == (3, 0)
    # dan@ is nobody's email and this file has no account: only Ann's events are Acme's;
    # without session ids, a day's sessions are its session-start events.
    ann = truth(tuple(e for e in STORY if e.user == "ann@acme.example"), sessions="starts")
    assert stored(usage_ws, "amplitude") == ann
    assert days == len(ann)


def test_chunk_boundaries_change_nothing(
    usage_ws: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read four records at a time and compact the running figures after five rows: the
    same days as one read (the running sums, distinct sessions and people add up)."""
    from services.importing.usage import aggregate, sources

    monkeypatch.setattr(sources, "CSV_CHUNK", 4)
    monkeypatch.setattr(sources, "JSON_CHUNK", 4)
    monkeypatch.setattr(aggregate, "COMPACT_ROWS", 5)
    report = service.run_import(
        usage_ws, [write_amplitude_csv(tmp_path), write_segment_jsonl(tmp_path)]
    )

    assert all(f.landed for f in report.files), report.lines()
    assert stored(usage_ws, "amplitude") == truth()
    assert stored(usage_ws, "segment") == truth(sessions="starts", minutes=True)


def test_a_progress_bar_and_a_cancel_that_leaves_nothing(usage_ws: Engine, tmp_path: Path) -> None:
    from services.importing.types import ImportCancelled
    from services.importing.usage import sources

    path = write_amplitude_csv(tmp_path)
    seen: list[tuple[float, str]] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sources, "CSV_CHUNK", 5)
        with pytest.raises(ImportCancelled):
            service.run_import(
                usage_ws,
                [path],
                progress=lambda f, m: seen.append((f, m)),
                cancelled=lambda: len(seen) >= 2,
            )
    assert counts(usage_ws) == (3, 0, 0)
    assert any("reading amplitude_export.csv" in m for _f, m in seen)
    assert [f for f, _m in seen] == sorted(f for f, _m in seen)
    with usage_ws.connect() as conn:
        assert (
            conn.execute(text("SELECT COUNT(*) FROM import_runs WHERE kind = 'usage'")).scalar()
            == 0
        )


def test_the_usage_summary_reads_what_the_import_wrote(usage_ws: Engine, tmp_path: Path) -> None:
    """services/usage/summary.py, which the customer pane, scoring and alerts read."""
    from sqlalchemy.orm import Session

    from services.usage.summary import customer_usage

    assert service.run_import(usage_ws, [write_amplitude_csv(tmp_path)]).landed
    expected = truth()
    acme = [slot for (customer, _day), slot in expected.items() if customer == 1]
    with Session(usage_ws) as session:
        summary = customer_usage(session, 1, as_of=dt.date(2026, 11, 10))
        assert customer_usage(session, 99, as_of=dt.date(2026, 11, 10)) is None
    assert summary is not None
    recent = summary.recent
    assert recent.events == sum(s["events"] for s in acme)
    assert recent.active_users == len({u for s in acme for u in s["users"]})  # Ann and Dan
    assert recent.logins == 1
    assert recent.documents_viewed == 1
    assert recent.features == {"Document Viewed": 1, "Export CSV": 1, "Report Viewed": 2}
    assert summary.last_active == max(d for (c, d) in expected if c == 1)
    assert set(summary.features_seen) >= {"Dashboard Viewed", "Search"}
