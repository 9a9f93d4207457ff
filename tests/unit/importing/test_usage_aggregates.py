"""Pendo's feature-usage export and daily or weekly aggregate files (CSV and XLSX), each
row already a person's or an account's day or week: summed per customer and day as the
truth computed from the rows says; weeks kept on their first day with period_days 7."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from sqlalchemy import Engine

from services.importing import service
from tests.unit.importing.usage_support import (
    ACME,
    BETA,
    GAMMA,
    ZONE,
    counts,
    stored,
    write_csv,
)

PENDO_HEADER = [
    "visitorId",
    "accountId",
    "day",
    "featureId",
    "featureName",
    "pageId",
    "numEvents",
    "numMinutes",
    "remoteIp",
    "userAgent",
]


def _day_ms(day: str) -> int:
    """Pendo's day: midnight of the subscription's zone, in epoch milliseconds."""
    start = dt.datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(ZONE))
    return int(start.timestamp() * 1000)


# visitor, account, day, feature name ("" for a page), events, minutes
PENDO_ROWS = (
    ("ann@acme.example", "C1", "2026-11-02", "Reports", 12, 6.0),
    ("ann@acme.example", "C1", "2026-11-02", "", 4, 2.0),
    ("v-41", "C1", "2026-11-02", "Exports", 3, 1.0),
    ("v-41", "C1", "2026-11-03", "Reports", 5, 2.5),
    ("v-52", "C2", "2026-11-03", "Reports", 7, 3.0),
    ("v-53", "Beta Ltd", "2026-11-03", "Billing", 2, 0.5),
    ("v-90", "ACC-404", "2026-11-03", "Reports", 9, 4.0),
)
PENDO_MATCH = {"C1": ACME, "C2": BETA, "Beta Ltd": BETA}


def _key(user: str) -> str:
    return hashlib.sha1(user.lower().encode()).hexdigest()[:10]  # noqa: S324


def pendo_truth() -> dict[tuple[int, dt.date], dict[str, Any]]:
    out: dict[tuple[int, dt.date], dict[str, Any]] = {}
    for visitor, account, day, feature, events, minutes in PENDO_ROWS:
        customer = PENDO_MATCH.get(account)
        if visitor.endswith("@acme.example"):
            customer = ACME
        if customer is None:
            continue
        slot = out.setdefault(
            (customer, dt.date.fromisoformat(day)),
            {"events": 0, "users": set(), "features": {}, "minutes": 0.0},
        )
        slot["events"] += events
        slot["minutes"] += minutes
        slot["users"].add(_key(visitor))
        if feature:
            slot["features"][feature] = slot["features"].get(feature, 0) + events
    for slot in out.values():
        slot["users"] = sorted(slot["users"])
        slot["active_users"] = len(slot["users"])
    return out


def test_pendo_feature_usage_lands_on_the_truth(usage_ws: Engine, tmp_path: Path) -> None:
    rows = [
        [
            visitor,
            account,
            _day_ms(day),
            f"feat-{feature.lower()}" if feature else "",
            feature,
            "" if feature else "page-home",
            events,
            minutes,
            "203.0.113.9",
            "Mozilla/5.0",
        ]
        for visitor, account, day, feature, events, minutes in PENDO_ROWS
    ]
    path = write_csv(tmp_path / "pendo_feature_events.csv", PENDO_HEADER, rows)

    report = service.run_import(usage_ws, [path])

    (file,) = report.files
    assert file.landed, report.lines()
    assert file.detected_format == "pendo_events"
    got = stored(usage_ws, "pendo")
    expected = pendo_truth()
    assert set(got) == set(expected)
    for key, slot in expected.items():
        row = got[key]
        assert (row["events"], row["users"], row["active_users"]) == (
            slot["events"],
            slot["users"],
            slot["active_users"],
        )
        assert row["features"] == slot["features"]
        assert abs(row["minutes"] - slot["minutes"]) < 1e-6
        assert row["sessions"] is None  # Pendo's export says nothing of sessions
    assert counts(usage_ws)[:2] == (3, 0)
    assert any("no customer has their account" in n and "9 events" in n for n in file.notes)


# account, date, active users, sessions, minutes, logins, reports, exports
DAILY = (
    ("C1", "2026-11-02", 4, 9, 120.5, 5, 14, 2),
    ("C1", "2026-11-03", 3, 6, 80.0, 3, 8, 0),
    ("C2", "2026-11-02", 10, 25, 300.0, 12, 40, 9),
    ("Gamma Inc", "2026-11-02", 1, 1, 5.0, 1, 0, 1),
    ("X-9", "2026-11-02", 2, 2, 10.0, 2, 3, 3),
    ("C2", "not a date", 1, 1, 1.0, 1, 1, 1),
)
DAILY_MATCH = {"C1": ACME, "C2": BETA, "Gamma Inc": GAMMA}


def test_a_daily_aggregate_csv_with_feature_columns(usage_ws: Engine, tmp_path: Path) -> None:
    header = [
        "Account ID",
        "Date",
        "Active Users",
        "Sessions",
        "Minutes",
        "Logins",
        "Feature: Reports",
        "Feature: Exports",
    ]
    path = write_csv(tmp_path / "daily_usage.csv", header, [list(r) for r in DAILY])

    report = service.run_import(usage_ws, [path])

    (file,) = report.files
    assert file.landed, report.lines()
    assert file.detected_format == "usage_aggregate"
    expected = {}
    for account, day, users, sessions, minutes, logins, reports, exports in DAILY[:4]:
        features = {k: v for k, v in (("Exports", exports), ("Reports", reports)) if v}
        expected[(DAILY_MATCH[account], dt.date.fromisoformat(day))] = {
            "events": reports + exports,
            "users": None,
            "features": features or None,
            "sessions": sessions,
            "logins": logins,
            "active_users": users,
            "minutes": minutes,
            "documents_viewed": None,
            "period_days": 1,
        }
    assert stored(usage_ws, "usage_file") == expected
    assert file.rejected == 1
    assert file.rejects[0].row == 7
    assert "malformed date 'not a date'" in file.rejects[0].reason
    assert any("no customer has their account" in n for n in file.notes)
    assert counts(usage_ws)[:2] == (3, 0)


def test_a_weekly_workbook_with_feature_and_count_rows(usage_ws: Engine, tmp_path: Path) -> None:
    """One row per account, week and feature (the week's figures repeated on each)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Email", "Week Start", "WAU", "Minutes", "Feature", "Count"])
    rows = (
        ("ann@acme.example", dt.date(2026, 10, 26), 3, 50.0, "Reports", 20),
        ("ann@acme.example", dt.date(2026, 10, 26), 3, 0.0, "Exports", 4),
        ("ann@acme.example", dt.date(2026, 11, 2), 2, 30.0, "Reports", 9),
        ("bob@beta.example", dt.date(2026, 11, 2), 5, 75.0, "Billing", 6),
        ("who@nowhere.example", dt.date(2026, 11, 2), 5, 75.0, "Billing", 6),
    )
    for row in rows:
        sheet.append(list(row))
    path = tmp_path / "weekly_usage.xlsx"
    book.save(path)

    report = service.run_import(usage_ws, [path])

    (file,) = report.files
    assert file.landed, report.lines()
    assert file.detected_format == "usage_aggregate"
    got = stored(usage_ws, "usage_file")
    assert set(got) == {
        (ACME, dt.date(2026, 10, 26)),
        (ACME, dt.date(2026, 11, 2)),
        (BETA, dt.date(2026, 11, 2)),
    }
    week = got[(ACME, dt.date(2026, 10, 26))]
    assert week["period_days"] == 7
    assert week["active_users"] == 3  # the same people on each feature's row: not 6
    assert week["features"] == {"Exports": 4, "Reports": 20}
    assert week["events"] == 24
    assert week["minutes"] == 50.0
    assert got[(BETA, dt.date(2026, 11, 2))]["features"] == {"Billing": 6}
    assert any("no customer has their email" in n for n in file.notes)
