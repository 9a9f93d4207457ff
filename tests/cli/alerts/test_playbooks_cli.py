"""Playbooks from the command line: ``import`` of an order file stops the
playbook of a customer who ordered since it started, as the window's import does, and
says so; a dry run stops nothing; ``run-daily`` checks them too."""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from models.db import make_engine
from services.alerts.actions import apply_card_action
from tests.cli.commands.test_cli import run
from tests.cli.daily.test_daily import settings

STARTED = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)


def sql(db: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


@pytest.fixture
def running(tmp_path: Path) -> tuple[Path, Path, str]:
    """A scored demo workspace with Win-back started three days ago on a customer with an
    open alert and no playbook: (home, workspace, the customer's email)."""
    db = tmp_path / "w.radar.sqlite"
    built = run("--db", str(db), "demo", "--customers", "80", "--seed", "5", home=tmp_path)
    assert built.returncode == 0, built.stderr
    assert run("--db", str(db), "score", home=tmp_path).returncode == 0
    ((alert, email),) = sql(
        db,
        "SELECT a.id, c.email FROM alerts a JOIN customers c ON c.id = a.customer_id "
        "WHERE a.status = 'open' AND NOT a.holdout AND NOT c.do_not_contact "
        "AND c.email IS NOT NULL AND a.customer_id NOT IN "
        "(SELECT customer_id FROM playbook_runs) ORDER BY a.id LIMIT 1",
    )
    engine = make_engine(f"sqlite:///{db}")
    try:
        apply_card_action(
            engine, (int(alert),), "playbook", key="win_back", actor="cli test", now=STARTED
        )
    finally:
        engine.dispose()
    return tmp_path, db, str(email)


def order_file(folder: Path, email: str, when: dt.date, order_id: str) -> Path:
    path = folder / f"{order_id}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["customer_email", "order_id", "order_date", "amount"])
        writer.writerow([email, order_id, when.isoformat(), "120.00"])
    return path


RUN = (
    "SELECT r.stop_reason FROM playbook_runs r JOIN customers c ON c.id = r.customer_id "
    "WHERE c.email = ? AND r.started_by = 'cli test'"
)


def test_importing_an_order_since_the_start_stops_the_playbook(
    running: tuple[Path, Path, str],
) -> None:
    home, db, email = running
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date()
    # An order from before the start does not stop it; a dry run stops nothing.
    before = order_file(home, email, (STARTED - dt.timedelta(days=5)).date(), "PB-OLD")
    first = run("--db", str(db), "import", str(before), home=home)
    assert first.returncode == 0, first.stderr
    assert "playbook" not in first.stdout
    assert sql(db, RUN, email) == [(None,)]
    after = order_file(home, email, yesterday, "PB-NEW")
    dry = run("--db", str(db), "import", "--dry-run", str(after), home=home)
    assert dry.returncode == 0, dry.stderr
    assert sql(db, RUN, email) == [(None,)]

    landed = run("--db", str(db), "import", str(after), home=home)
    assert landed.returncode == 0, landed.stderr
    assert "Stopped 1 playbook by itself: the customer ordered since it started" in landed.stdout
    assert sql(db, RUN, email) == [("ordered",)]
    stopped = sql(
        db,
        "SELECT actor, details FROM audit_events WHERE action = 'alert.playbook_stopped'",
    )
    assert len(stopped) == 1
    assert stopped[0][0] == "Account Radar"
    assert "the customer ordered" in str(stopped[0][1])


def test_run_daily_stops_it_from_the_watched_folder_even_with_the_scoring(
    running: tuple[Path, Path, str],
) -> None:
    home, db, email = running
    folder = home / "watched"
    folder.mkdir()
    settings(db, import__watched_folder=str(folder), import__watched_files={})
    order_file(folder, email, (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date(), "PB-D")
    daily = run("--db", str(db), "run-daily", home=home)
    assert daily.returncode == 0, daily.stderr
    assert "PB-D.csv" in daily.stdout
    assert "Stopped 1 playbook by itself" in daily.stdout
    assert sql(db, RUN, email) == [("ordered",)]
