"""`report reach-times` when the weekday and two hours hold too few emails: a real workspace
whose emails spread over six slots of ten (no slot reaches the floor of 20), three on a
Tuesday morning and three on a Thursday afternoon. The report answers by weekday and half
day, in the table, the CSV and the JSON; with as many answered on both, it says no time
stands out, first."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from models.schema import Customer, Interaction, Outreach
from services.settings.store import set_setting

PERIOD = ("--from", "2025-01-01", "--to", "2025-06-30", "--answered-by", "reply")
TUESDAY, THURSDAY = dt.date(2025, 3, 4), dt.date(2025, 3, 6)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def plant(url: str, tuesday_replied: int, thursday_replied: int) -> None:
    """Ten emails at each of 7:00, 9:00, 11:00 on the Tuesday and 13:00, 15:00, 17:00 on
    the Thursday (UTC), the first so many of each day replied to the next day."""
    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            set_setting(s, "workspace.time_zone", "UTC")
            n = 0
            for day, hours, replied in ((TUESDAY, (7, 9, 11), tuesday_replied),
                                        (THURSDAY, (13, 15, 17), thursday_replied)):  # fmt: skip
                for k, hour in enumerate(h for h in hours for _ in range(10)):
                    n += 1
                    address = f"c{n}@example.com"
                    c = Customer(source="t", external_id=str(n), name=f"Customer {n}",
                                 email=address, email_normalized=address)  # fmt: skip
                    s.add(c)
                    s.flush()
                    at = dt.datetime.combine(day, dt.time(hour))
                    s.add(Outreach(customer_id=c.id, status="sent", recipient=address,
                                   subject=f"Hello {n}", body="Hello", sent_at=at,
                                   created_at=at))  # fmt: skip
                    if k < replied:
                        s.add(Interaction(customer_id=c.id, kind="email_received",
                                          occurred_at=at + dt.timedelta(days=1),
                                          subject=f"Re: Hello {n}", text="Thanks",
                                          attributes={"from": address}))  # fmt: skip
    finally:
        ws.close()


def test_the_half_day_answers_in_the_table_csv_and_json(workspace_url: str) -> None:
    plant(workspace_url, 25, 3)
    code, out, err = run("--db", workspace_url, "report", "reach-times", *PERIOD)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 100
    words = " ".join(out.split())
    assert (
        "All customers (60 emails, by weekday and half day): Best reached: Tuesday morning "
        "(0–12), 25 of 30 replied (83%, likely 66% to 93%), against 10% (likely 3% to 26%, 3 "
        "of 30) at other times; more than chance among 2 times (two-proportion test, p < 0.001)."
    ) in words
    best = next(line for line in out.splitlines() if line.strip().startswith("Tuesday morning"))
    assert best.split() == ["Tuesday", "morning", "(0–12)", "30", "emails", "25", "answered",
                            "83%", "likely", "66%", "to", "93%", "best"]  # fmt: skip
    code, out, _ = run("--db", workspace_url, "report", "reach-times", *PERIOD, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["level"], r["time"], r["emails"], r["answered"], r["best"]) for r in table] == [
        ("half", "Thursday afternoon (12–24)", "30", "3", "false"),
        ("half", "Tuesday morning (0–12)", "30", "25", "true"),
    ]
    code, out, _ = run("--db", workspace_url, "report", "reach-times", *PERIOD, "--format", "json")
    (whole,) = json.loads(out)["groups"]
    assert whole["compared"] == 2
    assert whole["p_value"] < 0.025 / 2
    assert (whole["level"], whole["best"], whole["top"]) == (
        "half",
        "Tuesday morning (0–12)",
        "Tuesday morning (0–12)",
    )


def test_no_difference_says_so_first(workspace_url: str) -> None:
    plant(workspace_url, 6, 6)
    code, out, err = run("--db", workspace_url, "report", "reach-times", *PERIOD, "--by", "all")
    assert code == 0, err
    words = " ".join(out.split())
    assert "All customers (60 emails, by weekday and half day): No time stands out: " in words
    assert "20% (likely 10% to 37%, 6 of 30) against 20% (likely 10% to 37%, 6 of 30)" in words
    assert "Best reached" not in words
