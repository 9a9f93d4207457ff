"""Who `renewals call` keeps as having made the call: the name given with --by, else
$ACCOUNT_RADAR_USER, else the person's own name (File ▸ Who I am…, the profile); with none,
the call is refused in words and nothing is recorded (never the computer's login)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.workspace import open_workspace, to_url
from services.core.profile import Profile, save_profile
from services.renewals.calls import read_calls
from tests.support.paths import ROOT
from tests.support.renewal_calls_book import fill_renewal_calls_book

CALL = ("renewals", "call", "Birch", "--checkpoint", "3", "--call", "at_risk",
        "--note", "Champion left")  # fmt: skip


@pytest.fixture
def book(tmp_path: Path) -> tuple[Path, int]:
    db = tmp_path / "renewals.radar.sqlite"
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        ids = fill_renewal_calls_book(ws.engine)
    finally:
        ws.close()
    return db, ids["B"]


def run(db: Path, *argv: str, home: Path, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """main.py as a process, as a careless user runs it (as root, no name said)."""
    base = {
        k: v for k, v in os.environ.items() if k not in {"ACCOUNT_RADAR_DB", "ACCOUNT_RADAR_USER"}
    }
    base |= {"HOME": str(home), "ACCOUNT_RADAR_LOG_DIR": str(home / "log"),
             "USER": "root", "LOGNAME": "root"}  # fmt: skip
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), *argv],
        capture_output=True, text=True, env=base | (env or {}), cwd=home, timeout=300,
    )  # fmt: skip


def calls_of(db: Path, customer: int) -> list[tuple[str, str]]:
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        return [(c.made_by, c.call) for c in read_calls(ws.engine, customer)]
    finally:
        ws.close()


def test_without_a_name_the_call_is_refused_and_nothing_recorded(
    book: tuple[Path, int], tmp_path: Path
) -> None:
    db, birch = book
    done = run(db, *CALL, home=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "error: A renewal call is kept with the name of who made it, and you have not said "
        'yours: give it with --by "Dana Cole" (or once, in the window: File ▸ Who I am…). '
        "Nothing was recorded."
    )
    assert done.stdout == ""
    assert calls_of(db, birch) == []


def test_by_names_who_made_the_call(book: tuple[Path, int], tmp_path: Path) -> None:
    db, birch = book
    done = run(db, *CALL, "--by", "  Dana Cole ", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Called Birch's renewal At risk at 3 months")
    assert calls_of(db, birch) == [("Dana Cole", "at_risk")]
    listed = run(db, "renewals", "calls", "Birch", "--format", "json", home=tmp_path)
    assert [row["made_by"] for row in json.loads(listed.stdout)] == ["Dana Cole"]


def test_the_name_said_in_who_i_am_is_the_default(book: tuple[Path, int], tmp_path: Path) -> None:
    db, birch = book
    # The same profile file the window's File ▸ Who I am… writes.
    save_profile(Profile(name="Maya Thompson", email="maya@shop.example"))
    done = run(db, *CALL, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert calls_of(db, birch) == [("Maya Thompson <maya@shop.example>", "at_risk")]


def test_the_environment_names_a_scheduled_job(book: tuple[Path, int], tmp_path: Path) -> None:
    db, birch = book
    done = run(db, *CALL, home=tmp_path, env={"ACCOUNT_RADAR_USER": "Leo"})
    assert done.returncode == 0, done.stderr
    assert calls_of(db, birch) == [("Leo", "at_risk")]


@pytest.mark.parametrize(
    ("name", "why"),
    [("   ", "--by: say your name"), ("Dana <boss>", "--by: the name cannot contain < >")],
)
def test_a_name_that_cannot_be_kept_is_refused(
    book: tuple[Path, int], tmp_path: Path, name: str, why: str
) -> None:
    db, birch = book
    done = run(db, *CALL, "--by", name, home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {why}")
    assert "nothing was recorded" in done.stderr
    assert calls_of(db, birch) == []
