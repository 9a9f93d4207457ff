"""`report freshness` on the hand-made book of tests/support/freshness_book.py, its dates
moved to today (the command judges at the present): the table, the CSV, the JSON, an empty
workspace, and main.py run as a process, each against the states worked out in that book."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from tests.support.freshness_book import fill_freshness_book
from tests.support.paths import ROOT

STALE = (
    "Zendesk tickets: no new records for 24 days (the newest is from {day}); they usually "
    "come every 2 days."
)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> str:
    ws = open_workspace(workspace_url, backup=False)
    try:
        fill_freshness_book(ws.engine, now=dt.datetime.now(dt.UTC))
    finally:
        ws.close()
    return workspace_url


def _newest_ticket() -> str:
    from services.core.formatting import format_date

    return format_date(dt.datetime.now(dt.UTC).date() - dt.timedelta(days=24))


def test_the_table(book: str) -> None:
    code, out, err = run("--db", book, "report", "freshness")
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0].startswith("Data freshness on ")
    rows = {line[:28].strip(): line[28:].split() for line in lines[3:7]}
    assert list(rows) == [
        "Zendesk tickets", "Shopify orders", "Customers (own file)", "Stripe subscriptions",
    ]  # fmt: skip
    assert [r[0] for r in rows.values()] == ["Stale", "Late", "Current", "Current"]
    assert rows["Shopify orders"][-3:] == ["7", "days", "6"]  # cadence 7 days, 6 imports
    assert rows["Customers (own file)"][-2:] == ["-", "1"]  # cadence not known, 1 import
    # Each late or stale source's reason, wrapped under a "!".
    notices = " ".join(line.strip() for line in lines[8:]).split("! ")[1:]
    notices = ["! " + n.strip() for n in notices]
    assert notices[0] == "! " + STALE.format(day=_newest_ticket())
    assert re.fullmatch(
        r"! Shopify orders: last imported 1[89] days ago; it usually comes every 7 days\.",
        notices[1],
    )
    assert len(notices) == 2


def test_csv_and_json(book: str) -> None:
    code, out, err = run("--db", book, "report", "freshness", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    by_key = {r["source"]: r for r in rows}
    assert set(by_key) == {
        "zendesk_tickets", "shopify_orders", "stripe_subscriptions", "generic_customers",
    }  # fmt: skip
    assert by_key["zendesk_tickets"]["state"] == "stale"
    assert by_key["zendesk_tickets"]["record_age_days"] == "24.0"
    assert by_key["shopify_orders"]["cadence_from"] == "imports"
    assert by_key["stripe_subscriptions"]["cadence_days"] == "28.0"
    assert by_key["stripe_subscriptions"]["record_gap_days"] == "16.0"
    assert by_key["generic_customers"]["cadence_days"] == ""
    code, out, err = run("--db", book, "report", "freshness", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [s["state"] for s in data["sources"]] == ["stale", "late", "current", "current"]
    assert data["sources"][1]["imports"] == 6


def test_no_imports_yet(workspace_url: str) -> None:
    code, out, err = run("--db", workspace_url, "report", "freshness")
    assert code == 0, err
    assert out.startswith("No imports yet: freshness is judged from the imports")
    code, out, _err = run("--db", workspace_url, "report", "freshness", "--format", "json")
    assert json.loads(out) | {"as_of": ""} == {"as_of": "", "imports_hidden": False, "sources": []}


def test_main_py_as_a_process(book: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env |= {"HOME": str(tmp_path), "ACCOUNT_RADAR_LOG_DIR": str(tmp_path / "log")}
    target = tmp_path / "freshness.csv"
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", book, "report", "freshness",
         "--format", "csv", "--out", str(target)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Wrote the freshness report to" in done.stdout
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert [r["state"] for r in rows] == ["stale", "late", "current", "current"]
