"""`report support` on the hand-made book of tests/support/support_book.py: the table, the
CSV of figures and of tickets, one row's tickets, the JSON, an empty workspace, the real
Zendesk sample, and main.py run as a process, each against the counts written out in that
book."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from tests.support.paths import ROOT
from tests.support.support_book import fill_support_book

HALF = ("--from", "2025-01-01", "--to", "2025-06-30")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> tuple[str, dict[str, int]]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_support_book(ws.engine)
    finally:
        ws.close()
    return workspace_url, ids


def test_the_table(book) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    code, out, err = run("--db", url, "report", "support", *HALF)
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0] == "Support, Jan 1, 2025 to Jun 30, 2025"
    assert "12 tickets from 6 customers, 3 still open." in " ".join(out.split())
    # Months down, channels across (biggest first), the total last.
    heads = lines[lines.index("Tickets by channel:") + 1].split()
    assert heads[:4] == ["Email", "Chat", "Web", "Phone"]
    april = next(line for line in lines if line.startswith("Apr 2025"))
    assert april.split()[2:] == ["1", "0", "0", "0", "0", "1"]  # T6, opened Apr 30 local
    refund = next(line for line in lines if line.startswith("Refund "))  # resolution first
    assert refund.split()[1:] == ["4", "3", "24", "hours", "43.2", "hours", "1", "0"]
    sam = next(line for line in lines if line.startswith("Sam Okafor"))
    assert sam.split()[2:] == ["4", "4", "3", "75%", "*"]
    assert "fewer than 10 rated tickets" in out
    assert "Repeat contact:" in out  # the definitions close the report


def test_the_csv_of_figures_and_of_tickets(book) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, out, err = run("--db", url, "report", "support", *HALF, "--format", "csv")
    assert code == 0, err
    figures = {(r["section"], r["key"], r["measure"]): r["value"]
               for r in csv.DictReader(io.StringIO(out))}  # fmt: skip
    assert figures[("all", "", "tickets")] == "12"
    assert figures[("channel", "email", "tickets_2025-03")] == "2"
    assert float(figures[("resolution", "question", "p90_hours")]) == pytest.approx(40.8)
    assert figures[("resolution", "question", "open")] == "2"
    assert figures[("repeat", "question", "came_back")] == "1"
    code, out, err = run("--db", url, "report", "support", *HALF, "--format", "csv", "--tickets")
    assert code == 0, err
    rows = [r for r in csv.DictReader(io.StringIO(out)) if r["section"] == "repeat"]
    incident = [r for r in rows if r["key"] == "incident"]
    # D's T10, and T11 that he came back with (after the period).
    assert [r["external_id"] for r in incident] == ["T10", "T11"]
    assert incident[0]["customer"] == "Customer D"
    assert (incident[0]["opened"], incident[0]["resolved"]) == (
        "2025-06-30 20:00",
        "2025-07-01 02:00",
    )


def test_one_rows_tickets_and_the_json(book) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, out, err = run(
        "--db", url, "report", "support", *HALF, "--tickets", "agent:lee marchetti"
    )
    assert code == 0, err
    assert "Lee Marchetti (agent:lee marchetti)" in out
    assert "2 tickets" in out
    assert "Customer D" in out
    code, _out, err = run("--db", url, "report", "support", *HALF, "--tickets", "agent:nobody")
    assert code != 0
    assert "agent:sam okafor" in err  # the rows there are, to pick from
    code, out, err = run("--db", url, "report", "support", *HALF, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    refund = next(g for g in data["satisfaction"] if g["key"] == "refund")
    assert (refund["rated"], refund["good"], refund["small_group"]) == (3, 2, 1)
    assert sorted(refund["ticket_ids"]) == sorted(ids[t] for t in ("T1", "T2", "T6", "T7"))
    assert data["overall"]["median_hours"] == pytest.approx(9)
    assert "Repeat contact" in data["definitions"]


def test_every_rows_tickets_asks_for_csv(book) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    code, _out, err = run("--db", url, "report", "support", "--tickets")
    assert code != 0
    assert "--format csv" in err


def test_an_empty_workspace_says_which_exports_bring_tickets(workspace_url: str) -> None:
    code, out, err = run("--db", workspace_url, "report", "support")
    assert code == 0, err
    assert "No tickets in this workspace yet" in out
    assert "Zendesk" in out
    assert "Tickets by channel" not in out


def test_the_zendesk_sample(tmp_path: Path) -> None:
    """The real export (tests/data/samples/zendesk/tickets.csv) imported: its 2025 tickets,
    counted from the file with the csv module."""
    url = f"sqlite:///{tmp_path / 'z.radar.sqlite'}"
    sample = ROOT / "tests" / "data" / "samples" / "zendesk" / "tickets.csv"
    code, _out, err = run("--db", url, "import", str(sample))
    assert code == 0, err
    with sample.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["Created at"].startswith("2025-")]
    code, out, err = run("--db", url, "report", "support", "--from", "2025-01-01", "--to",
                         "2025-12-31", "--format", "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["overall"]["tickets"] == len(rows)
    by_agent = {g["label"]: g["tickets"] for g in data["agent"]}
    for agent in {r["Assignee"] for r in rows}:
        assert by_agent[agent] == sum(1 for r in rows if r["Assignee"] == agent)
    rated = [r for r in rows if r["Satisfaction Score"] in ("good", "bad")]
    assert data["overall"]["rated"] == len(rated)
    assert data["overall"]["timed"] == sum(1 for r in rows if r["Solved at"])
    closed = ("Solved", "Closed")
    assert data["overall"]["resolved"] == sum(1 for r in rows if r["Status"] in closed)


def test_main_py_as_a_process(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env |= {"HOME": str(tmp_path), "ACCOUNT_RADAR_LOG_DIR": str(tmp_path / "log")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", url, "report", "support", *HALF],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "12 tickets from 6 customers" in done.stdout


def test_another_help_desks_csv_with_a_kind_column(tmp_path: Path) -> None:
    """A help desk's tickets CSV in its own column names (Agent, Priority, Ticket type,
    Resolved time with no offset), with a Kind column saying ticket."""
    export = tmp_path / "tickets.csv"
    export.write_text(
        "Kind,Ticket ID,Subject,Status,Priority,Source,Ticket type,Agent,Created time,"
        "Resolved time,Full name,Email\n"
        "ticket,101,Where is my order,Closed,Medium,Email,Question,Ana Ruiz,"
        "2026-03-02 10:00:00,2026-03-02 15:00:00,Jo Smith,jo@example.com\n"
        "ticket,102,Refund please,Resolved,High,Phone,Refund,Ben Lee,"
        "2026-03-05 09:00:00,2026-03-06 09:00:00,Kim Park,kim@example.com\n"
        "ticket,103,Broken zip,Open,Low,Chat,Incident,Ana Ruiz,"
        "2026-03-07 09:00:00,,Jo Smith,jo@example.com\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'h.radar.sqlite'}"
    code, _out, err = run("--db", url, "import", str(export))
    assert code == 0, err
    code, out, err = run("--db", url, "report", "support", "--from", "2026-03-01", "--to",
                         "2026-03-31", "--format", "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert [g["label"] for g in data["priority"]] == ["High", "Medium", "Low"]
    resolution = {g["label"]: g for g in data["resolution"]}
    assert resolution["Question"]["median_hours"] == pytest.approx(5)
    assert resolution["Refund"]["median_hours"] == pytest.approx(24)
    assert (resolution["Incident"]["open"], resolution["Incident"]["timed"]) == (1, 0)
    assert {g["label"]: g["tickets"] for g in data["agent"]} == {"Ana Ruiz": 2, "Ben Lee": 1}
    # Jo came back: the zip ticket 5 days after the order one was resolved.
    assert (data["overall"]["customers"], data["overall"]["came_back"]) == (2, 1)
