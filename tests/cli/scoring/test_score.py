"""`score [--as-of YYYY-MM-DD] [--horizon-days N]` end to end: real processes and files."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tests.cli.commands.test_cli import count, one_line_error, run


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    home = tmp_path_factory.mktemp("score-home")
    db = home / "demo.radar.sqlite"
    built = run(
        "--db", str(db), "demo", "--customers", "400", "--seed", "6", "--no-score", home=home
    )
    assert built.returncode == 0, built.stderr
    return home, db


def test_score_prints_the_summary_and_stores_the_snapshot(demo_db: tuple[Path, Path]) -> None:
    home, db = demo_db
    result = run("--db", str(db), "score", home=home)
    assert result.returncode == 0, result.stderr
    today = dt.datetime.now(dt.UTC).date().isoformat()
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Scored 400 customers as of {today} for the next 90 days in ")
    assert lines[1].startswith("Churn model: ")
    assert "Brier" in lines[1]
    assert any(line.startswith("Backtest: scored as of ") for line in lines)
    assert any("BG/NBD" in line and "ROC AUC" not in line for line in lines[3:])
    assert any(line.startswith("  recency") for line in lines)
    # The orders backtest follows the churn table, in the same backtest window.
    orders = [line for line in lines if line.startswith("  Orders (BG/NBD, same 90 days): ")]
    assert len(orders) == 1
    assert " predicted, " in orders[0]
    assert "typical error (RMSE)" in orders[0]
    assert "correlation" in orders[0]
    assert lines.index(orders[0]) < next(
        i for i, line in enumerate(lines) if line.startswith("BG/NBD (weeks): r=")
    )
    # Progress goes to stderr, not into the summary.
    assert "Saving the scores" in result.stderr
    assert "Traceback" not in result.stderr
    assert count(db, "score_snapshots") == 400
    assert count(db, "scoring_runs") == 1


def test_score_replays_a_past_date_with_another_horizon(demo_db: tuple[Path, Path]) -> None:
    home, db = demo_db
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=40)
    past, next_day = day.isoformat(), (day + dt.timedelta(days=1)).isoformat()
    con = sqlite3.connect(db)
    try:
        # The demo's customers who had signed up or ordered by then (some signed up since).
        (known,) = con.execute(
            f"SELECT COUNT(*) FROM customers c WHERE c.signup_date <= '{past}' OR EXISTS "
            f"(SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.order_date < '{next_day}')"
        ).fetchone()
    finally:
        con.close()
    assert 300 < known < 400
    result = run("--db", str(db), "score", "--as-of", past, "--horizon-days", "30", home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Scored {known} customers as of {past} for the next 30 days")
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT horizon_days, COUNT(*) FROM score_snapshots "
            f"WHERE as_of = '{past}' GROUP BY horizon_days"
        ).fetchall()
    finally:
        con.close()
    assert rows == [(30, known)]


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--as-of", "2025-02-30"], "is not a date"),
        (["--as-of", "yesterday"], "is not a date"),
        (["--as-of", "2999-01-01"], "is in the future"),
        (["--horizon-days", "0"], "between 1 and"),
        (["--horizon-days", "5000"], "between 1 and"),
        (["--horizon-days", "ninety"], "not a whole number"),
    ],
)
def test_bad_dates_and_horizons_are_usage_errors(
    tmp_path: Path, args: list[str], complaint: str
) -> None:
    db = tmp_path / "never.radar.sqlite"
    result = run("--db", str(db), "score", *args, home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: ")
    assert complaint in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_a_workspace_without_orders_is_a_plain_failure(tmp_path: Path) -> None:
    db = tmp_path / "empty.radar.sqlite"
    assert run("--db", str(db), "db", "upgrade", home=tmp_path).returncode == 0
    result = run("--db", str(db), "score", home=tmp_path)
    assert result.returncode == 1
    line = one_line_error(result)
    assert "no paid orders dated on or before" in line
    assert "Import orders first" in line
    assert count(db, "scoring_runs") == 0


def test_a_missing_workspace_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "missing.radar.sqlite"
    result = run("--db", str(db), "score", home=tmp_path)
    assert result.returncode == 1
    assert "There is no workspace at" in one_line_error(result)
    assert not db.exists()


def test_score_help_documents_the_options(tmp_path: Path) -> None:
    result = run("score", "--help", home=tmp_path)
    assert result.returncode == 0
    for word in ("--as-of", "--horizon-days", "YYYY-MM-DD", "replay"):
        assert word in result.stdout
