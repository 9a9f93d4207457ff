"""`alerts --held-back` lists what the daily cap held back, and `alerts` says how many."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.workspace import to_url
from tests.cli.commands.test_cli import run
from tests.unit.alerts.test_alerts_held_back import late_tickets
from tests.unit.alerts.test_alerts_rules import make_book


@pytest.fixture(scope="module")
def capped_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("held-back")
    books = make_book(to_url(str(folder / "w.radar.sqlite")))
    book = next(books)
    late_tickets(book, 3)
    book.set("alerts.daily_cap_per_owner", 1)
    book.generate()
    books.close()
    return folder / "w.radar.sqlite"


def test_alerts_says_how_many_are_held_back(capped_db: Path, tmp_path: Path) -> None:
    result = run("--db", str(capped_db), "alerts", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Late 2" in result.stdout
    assert "Late 0" not in result.stdout
    assert result.stdout.rstrip().endswith(
        "2 more held back by the daily cap (alerts --held-back)."
    )


def test_held_back_lists_them(capped_db: Path, tmp_path: Path) -> None:
    result = run("--db", str(capped_db), "alerts", "--held-back", home=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("warning")]
    assert len(rows) == 2
    assert all("held back" in row for row in rows)
    assert {"Late 0", "Late 1"} == {
        n for n in ("Late 0", "Late 1", "Late 2") if any(n in r for r in rows)
    }
    assert "more held back" not in result.stdout
    assert "2 alerts held back by the daily cap, highest priority first." in result.stdout


def test_held_back_and_status_together_is_refused(capped_db: Path, tmp_path: Path) -> None:
    result = run("--db", str(capped_db), "alerts", "--held-back", "--status", "all", home=tmp_path)
    assert result.returncode == 1
    assert "Give --held-back or --status, not both." in result.stderr
