"""The daily round and the digest when things are not as planned, end to end on real
workspace files: a workspace of tickets and no orders yet (the round runs what it can
and says what it skipped), a digest emailed through a real SMTP server on loopback (its
subject names the workspace, not its path, with the month as the app writes it), --to
with no SMTP server (refused before any work), a mistyped --db (no lock file left), a
damaged workspace (no figures printed), and --version naming the app."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace, to_url
from services.core.formatting import format_date
from services.settings import set_setting
from services.usecases.daily import lock_path
from tests.support.paths import ROOT
from tests.support.smtp_server import SMTPServer

TICKETS = ROOT / "tests" / "data" / "samples" / "zendesk" / "tickets.csv"


def run(db: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db), *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def settings(db: Path, **values: object) -> None:
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        with Session(ws.engine) as session, session.begin():
            for key, value in values.items():
                set_setting(session, key.replace("__", "."), value)
    finally:
        ws.close()


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute(sql).fetchone()[0])


@pytest.fixture(scope="module")
def tickets_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace that holds Zendesk's tickets and no orders (a support team's first day)."""
    path = tmp_path_factory.mktemp("tickets") / "support desk.radar.sqlite"
    code = main(["--db", str(path), "import", str(TICKETS)], io.StringIO(), io.StringIO())
    assert code == 0
    return path


@pytest.fixture
def db(tickets_only: Path, tmp_path: Path) -> Path:
    target = tmp_path / "support desk.radar.sqlite"
    shutil.copy(tickets_only, target)
    return target


def test_a_workspace_with_tickets_and_no_orders_gets_its_round_and_digest(
    db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    settings(db, import__watched_folder=str(folder), import__watched_files={})
    shutil.copy(TICKETS, folder / "tickets.csv")
    code, out, err = run(db, "run-daily")
    assert code == 0, err
    assert err == ""
    assert out.startswith("Imported tickets.csv: ")
    assert "Skipped the scoring and the alerts: there are no paid orders yet" in out
    assert "Account Radar — Since " in out  # the digest still came
    assert "- 0 new critical alerts" in out
    assert count(db, "SELECT count(*) FROM scoring_runs") == 0
    assert count(db, "SELECT count(*) FROM import_runs") == 2


def test_the_round_reads_the_sentiment_the_skipped_scoring_would_have(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("UPDATE interactions SET text_sentiment = NULL, text_sentiment_hash = NULL")
        # As if never read: the last pass's watermark goes too (services/listen/sentiment.py
        # sees only rows added or imported since it, not writes behind the app's back).
        con.execute("DELETE FROM settings WHERE key = 'listen.sentiment_watermark'")
    code, out, err = run(db, "run-daily")
    assert code == 0, err
    assert "Read the sentiment of 160 texts (tickets and reviews)." in out
    assert count(db, "SELECT count(*) FROM interactions WHERE text_sentiment IS NULL") == 0


def test_the_digest_email_names_the_workspace_not_its_path(db: Path) -> None:
    with SMTPServer() as server:
        settings(db, smtp__host="127.0.0.1", smtp__port=server.port, smtp__security="none",
                 smtp__from_address="radar@fern.example")  # fmt: skip
        since = dt.date(2026, 11, 1)
        with sqlite3.connect(db) as con:  # imported before that day: covered since then
            con.execute("UPDATE import_runs SET started_at = '2026-10-01 09:00:00.000000'")
        code, out, err = run(db, "digest", "--since", since.isoformat(), "--to", "a@fern.example")
        assert code == 0, err
        assert out == f"Emailed the digest (since {format_date(since)}) to a@fern.example.\n"
        code, out, err = run(db, "run-daily", "--to", "a@fern.example")
        assert code == 0, err
    assert len(server.received.data) == 2
    message = email.message_from_bytes(server.received.data[0], policy=email.policy.default)
    assert message["Subject"] == "Account Radar: since Nov 1, 2026 (support desk.radar.sqlite)"
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Account Radar — Since Nov 1, 2026 (support desk.radar.sqlite)")
    for text in (message["Subject"], body, message.get_body(("html",)).get_content()):
        assert str(db.parent) not in text


def test_run_daily_to_with_no_smtp_server_is_refused_before_the_round(
    db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    settings(db, import__watched_folder=str(folder), import__watched_files={})
    shutil.copy(TICKETS, folder / "tickets.csv")
    code, out, err = run(db, "run-daily", "--to", "lead@fern.example")
    assert code == 1
    assert out == ""
    assert err.startswith("error: No SMTP server is set, so the digest cannot be emailed.")
    assert "unexpected" not in err
    assert count(db, "SELECT count(*) FROM import_runs") == 1  # the folder was not read


def test_a_digest_that_cannot_be_sent_says_the_round_ran(db: Path) -> None:
    with SMTPServer() as server:
        port = server.port
    settings(db, smtp__host="127.0.0.1", smtp__port=port, smtp__security="none",
             smtp__from_address="radar@fern.example")  # fmt: skip
    code, out, err = run(db, "run-daily", "--to", "lead@fern.example")
    assert code == 1
    assert "Skipped the scoring" in out
    assert err.startswith("error: The round ran, but the digest was not made or sent: ")
    assert "unexpected" not in err


def test_run_daily_on_a_missing_workspace_leaves_nothing_behind(tmp_path: Path) -> None:
    missing = tmp_path / "typo.radar.sqlite"
    code, out, err = run(missing, "run-daily")
    assert code == 1
    assert err == (
        f"error: There is no workspace at {missing}: check the --db path, or build one with "
        "'demo' or 'import'. Nothing was done.\n"
    )
    assert not lock_path(to_url(str(missing))).exists()
    assert list(tmp_path.iterdir()) == []
    code, out, err = run(tmp_path / "no folder" / "w.radar.sqlite", "run-daily")
    assert code == 1
    assert "There is no workspace at" in err


def _damage(db: Path) -> None:
    """Overwrite two leaf pages of the customers table (the digest's queries never read
    them: only a check of the file finds the damage)."""
    with sqlite3.connect(db) as con:
        size = con.execute("PRAGMA page_size").fetchone()[0]
        leaves = "SELECT pageno FROM dbstat WHERE name = 'customers' AND pagetype = 'leaf'"
        pages = [r[0] for r in con.execute(leaves)]
    with db.open("r+b") as f:
        for page in pages[:2]:
            f.seek((page - 1) * size + 8)
            f.write(b"\xff" * (size - 16))


def test_the_digest_of_a_damaged_workspace_prints_no_figures(db: Path) -> None:
    _damage(db)
    for command in (["digest"], ["digest", "--format", "html"], ["run-daily"]):
        code, out, err = run(db, *command)
        assert code == 1, command
        assert "new tickets" not in out
        assert "The workspace is damaged (some of its pages cannot be read)" in err
        assert "db check" in err
        assert "unexpected" not in err


def test_the_digest_of_a_workspace_missing_a_table_is_refused(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("DROP TABLE actions")
    code, out, err = run(db, "digest")
    assert code == 1
    assert out == ""
    assert "The workspace is damaged (table actions is missing)" in err
    assert "unexpected" not in err


def test_version_names_the_app() -> None:
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        assert main(["--version"], out=io.StringIO(), err=io.StringIO()) == 0
    assert out.getvalue().startswith("Account Radar ")
    assert "main.py" not in out.getvalue()
