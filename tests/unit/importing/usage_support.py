"""What the usage import tests share: a small workspace with known customers, the events
of a story written out in each vendor's own layout, and the truth computed straight from
those events (plain loops, not the importer's code)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from services.importing import service
from services.settings import set_setting

ZONE = "America/New_York"
CUSTOMERS = (
    # external id, email, name, company
    ("C1", "ann@acme.example", "Ann Archer", "Acme Corp"),
    ("C2", "bob@beta.example", "Bob Baker", "Beta Ltd"),
    ("C3", "cat@gamma.example", "Cat Cole", "Gamma Inc"),
)
ACME, BETA, GAMMA = 1, 2, 3  # their ids, in the order imported


@dataclass(frozen=True)
class Event:
    """One use of the product: who, which account, what, when (aware) and for how long."""

    user: str
    event: str
    at: dt.datetime
    account: str = ""
    session: str = ""
    minutes: float | None = None


def at(text_: str, zone: str = "UTC") -> dt.datetime:
    """An aware time: "2026-11-03 14:05" on ``zone``'s clock."""
    return dt.datetime.fromisoformat(text_).replace(tzinfo=ZoneInfo(zone))


# The story: Acme's two people, Beta by its account only, Gamma by its customer id, and
# people nobody knows. Times straddle midnight in New York (UTC-5 in November).
STORY = (
    Event("ann@acme.example", "Log In", at("2026-11-03 14:05:22"), session="s1"),
    Event(
        "ann@acme.example", "Report Viewed", at("2026-11-03 14:06:00"), session="s1", minutes=2.5
    ),
    Event("ann@acme.example", "Page Viewed", at("2026-11-03 14:07:00"), session="s1"),
    Event(
        "ann@acme.example", "Report Viewed", at("2026-11-03 14:09:00"), session="s1", minutes=1.0
    ),
    Event("dan@acme.example", "Document Viewed", at("2026-11-03 16:00:00"), "Acme Corp", "s2"),
    Event("ann@acme.example", "Export CSV", at("2026-11-04 03:30:00"), session="s3"),  # 3rd NY
    Event("ann@acme.example", "Session Start", at("2026-11-04 05:10:00"), session="s4"),
    Event("u-77", "Dashboard Viewed", at("2026-11-03 18:00:00"), "Beta Ltd", "s5"),
    Event("u-78", "Dashboard Viewed", at("2026-11-03 18:01:00"), "Beta Ltd", "s6"),
    Event("u-78", "File Downloaded", at("2026-11-05 12:00:00"), "Beta Ltd", "s7"),
    Event("C3", "Log In", at("2026-11-05 09:00:00"), session="s8"),
    Event("C3", "Search", at("2026-11-05 09:01:00"), session="s8"),
    Event("zed@nowhere.example", "Search", at("2026-11-05 10:00:00"), session="s9"),
    Event("zed@nowhere.example", "Search", at("2026-11-05 10:01:00"), session="s9"),
    Event("u-999", "Search", at("2026-11-05 11:00:00"), session="s10"),
    Event("u-500", "Search", at("2026-11-05 11:00:00"), "Unknown Co", "s11"),
)
MATCH = {
    "ann@acme.example": ACME,
    "dan@acme.example": ACME,  # not a customer: matched by the account "Acme Corp"
    "u-77": BETA,
    "u-78": BETA,
    "C3": GAMMA,
}
HOUSEKEEPING = {"Session Start", "Page Viewed", "[Amplitude] Start Session"}
DOCUMENTS = {"Document Viewed", "File Downloaded"}


def user_key(user: str) -> str:
    return hashlib.sha1(user.strip().lower().encode()).hexdigest()[:10]  # noqa: S324


def truth(
    events: tuple[Event, ...] = STORY,
    *,
    zone: str = ZONE,
    minutes: bool = False,
    sessions: str = "ids",
) -> dict[tuple[int, dt.date], dict[str, Any]]:
    """(customer, local day) -> the figures the import must give, computed plainly.
    ``sessions``: "ids" (distinct session ids) or "starts" (session-start events)."""
    out: dict[tuple[int, dt.date], dict[str, Any]] = {}
    for e in events:
        customer = MATCH.get(e.user)
        if customer is None:
            continue
        day = e.at.astimezone(ZoneInfo(zone)).date()
        slot = out.setdefault(
            (customer, day),
            {
                "events": 0,
                "users": set(),
                "features": {},
                "sessions": set(),
                "starts": 0,
                "logins": 0,
                "documents_viewed": 0,
                "minutes": None,
            },
        )
        slot["events"] += 1
        slot["users"].add(user_key(e.user))
        slot["sessions"].add(e.session)
        slot["starts"] += e.event == "Session Start"
        slot["logins"] += e.event == "Log In"
        slot["documents_viewed"] += e.event in DOCUMENTS
        if e.event not in HOUSEKEEPING and e.event != "Log In":
            slot["features"][e.event] = slot["features"].get(e.event, 0) + 1
        if minutes and e.minutes is not None:
            slot["minutes"] = (slot["minutes"] or 0.0) + e.minutes
    for slot in out.values():
        slot["users"] = sorted(slot["users"])
        slot["active_users"] = len(slot["users"])
        slot["sessions"] = len(slot["sessions"]) if sessions == "ids" else slot["starts"]
        slot["features"] = slot["features"] or None
        slot["period_days"] = 1
        del slot["starts"]
    return out


def stored(engine: Engine, source: str) -> dict[tuple[int, dt.date], dict[str, Any]]:
    """The usage_days rows of a source, as the truth is written."""
    out = {}
    with engine.connect() as conn:
        for row in conn.execute(
            text(
                "SELECT customer_id, day, events, users, features, sessions, logins, "
                "active_users, minutes, documents_viewed, period_days FROM usage_days "
                "WHERE source = :s"
            ),
            {"s": source},
        ).mappings():
            day = (
                row["day"] if isinstance(row["day"], dt.date) else dt.date.fromisoformat(row["day"])
            )
            users, features = row["users"], row["features"]
            out[(int(row["customer_id"]), day)] = {
                "events": row["events"],
                "users": json.loads(users) if isinstance(users, str) else users,
                "features": json.loads(features) if isinstance(features, str) else features,
                "sessions": row["sessions"],
                "logins": row["logins"],
                "active_users": row["active_users"],
                "minutes": row["minutes"],
                "documents_viewed": row["documents_viewed"],
                "period_days": row["period_days"],
            }
    return out


def counts(engine: Engine) -> tuple[int, int, int]:
    """(customers, interactions, usage days) in the workspace."""
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one())
            for t in ("customers", "interactions", "usage_days")
        )


def write_customers(folder: Path) -> Path:
    path = folder / "customers.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "email", "name", "company"])
        w.writerows(CUSTOMERS)
    return path


def new_usage_workspace(workspace_url: str, folder: Path) -> Any:
    """A workspace with the three customers, in New York time (the caller closes it)."""
    workspace = open_workspace(workspace_url, backup=False)
    engine = workspace.engine
    report = service.run_import(engine, [write_customers(folder)])
    assert report.landed
    assert report.files[0].inserted == 3
    with Session(engine) as session, session.begin():
        set_setting(session, "workspace.time_zone", ZONE)
    return workspace


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
