"""`python main.py digest` and `run-daily` end to end on a real scored workspace file: the
digest's lines against a direct reading of the tables, its text, Markdown and HTML (a
customer's words escaped), emailed through a real SMTP server on loopback; the daily
round importing the watched folder, scoring and printing the digest, its exit codes, and
its lock (a second run waits its turn; a lock left by a run that died does not)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.cli.daily import EXIT_IMPORT_REFUSED, EXIT_LOCKED
from app.cli.main import main
from app.workspace import open_workspace, to_url
from services.settings import set_setting
from services.usecases.daily import daily_lock, lock_path
from tests.support.paths import ROOT
from tests.support.smtp_server import SMTPServer
from tests.unit.ask.test_ask_readonly import scored_file  # noqa: F401  (the fixture)

DATA = ROOT / "tests" / "data"
TICKETS = DATA / "samples" / "zendesk" / "tickets.csv"
SHOPIFY = DATA / "samples" / "shopify" / "orders_export_1.csv"


@pytest.fixture
def db(scored_file: Path, tmp_path: Path) -> Path:  # noqa: F811
    target = tmp_path / "daily.radar.sqlite"
    shutil.copy(scored_file, target)
    return target


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


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(sql, params).fetchall()


def add_ticket(db: Path, subject: str, when: dt.datetime) -> None:
    with sqlite3.connect(db) as con:
        cid = con.execute("SELECT min(id) FROM customers").fetchone()[0]
        con.execute(
            "INSERT INTO interactions (customer_id, kind, occurred_at, subject, status, "
            "satisfaction, source) VALUES (?, 'ticket', ?, ?, 'open', 'bad', 'test')",
            (cid, when.strftime("%Y-%m-%d %H:%M:%S.000000"), subject),
        )


def test_the_digest_counts_what_the_tables_hold(db: Path) -> None:
    since = dt.date.today() - dt.timedelta(days=40)
    start = since.isoformat()
    code, out, err = run(db, "digest", "--since", start)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Account Radar — Since ")
    tickets = rows(db, "SELECT count(*) FROM interactions WHERE kind = 'ticket' AND "
                       "occurred_at >= ?", start)[0][0]  # fmt: skip
    active = "('open', 'snoozed', 'in_progress')"
    critical = rows(db, "SELECT count(*) FROM alerts WHERE severity = 'critical' AND status IN "
                        f"{active} AND created_at >= ?", start)[0][0]  # fmt: skip
    due = rows(db, "SELECT count(*) FROM actions WHERE kind = 'task' AND done_at IS NULL "
                   "AND due_date <= ?", dt.date.today().isoformat())[0][0]  # fmt: skip
    assert tickets > 0
    assert f"- {tickets:,} new ticket{'s' if tickets != 1 else ''}" in lines
    assert any(line.startswith(f"- {critical:,} new critical alert") for line in lines)
    assert any(line.startswith(f"- {due:,} task") for line in lines)


def test_customer_words_are_escaped_and_the_digest_is_emailed(db: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    add_ticket(db, "<script>alert(1)</script> *still* waiting", now - dt.timedelta(hours=2))
    code, html, err = run(db, "digest", "--format", "html")
    assert code == 0, err
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; *still* waiting" in html
    code, md, err = run(db, "digest", "--format", "md")
    assert r"\<script\>alert(1)\</script\> \*still\* waiting" in md

    # No SMTP server set: a plain message, nothing sent, exit 1.
    code, out, err = run(db, "digest", "--to", "lead@fern.example")
    assert code == 1
    assert "No SMTP server is set" in err
    with SMTPServer() as server:
        settings(db, smtp__host="127.0.0.1", smtp__port=server.port, smtp__security="none",
                 smtp__from_address="radar@fern.example")  # fmt: skip
        code, out, err = run(db, "digest", "--to", "lead@fern.example")
        assert code == 0, err
        assert "Emailed the digest" in out
    assert [r.split(":", 1)[1] for r in server.received.rcpt_to] == ["<lead@fern.example>"]
    message = email.message_from_bytes(server.received.data[0], policy=email.policy.default)
    assert message["Subject"].startswith("Account Radar: since ")
    text = message.get_body(("plain",)).get_content()
    html_part = message.get_body(("html",)).get_content()
    assert "negative and still open" in text
    assert "&lt;script&gt;" in html_part


def _watch(db: Path, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    settings(db, import__watched_folder=str(folder), import__watched_files={})


def test_run_daily_imports_scores_and_prints_the_digest(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    _watch(db, folder)
    shutil.copy(TICKETS, folder / "tickets.csv")
    runs = rows(db, "SELECT count(*) FROM scoring_runs")[0][0]
    code, out, err = run(db, "run-daily")
    assert code == 0, err
    assert out.startswith("Imported tickets.csv: ")
    assert rows(db, "SELECT count(*) FROM interactions WHERE source = 'zendesk'")[0][0] > 100
    assert rows(db, "SELECT count(*) FROM scoring_runs")[0][0] == runs + 1
    assert "Scored " in out
    assert "Alerts: " in out
    assert "Account Radar — Since " in out
    # Again: nothing new, nothing imported twice.
    code, out, err = run(db, "run-daily")
    assert code == 0, err
    assert out.startswith(f"Nothing new in the watched folder {folder}.")
    assert rows(db, "SELECT count(*) FROM import_runs")[0][0] == 1

    # A file that needs a mapping: reported, the rest still runs, exit 65; not retried.
    (folder / "mystery.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, out, err = run(db, "run-daily")
    assert code == EXIT_IMPORT_REFUSED
    assert "mystery.csv needs a column mapping" in out
    assert rows(db, "SELECT count(*) FROM scoring_runs")[0][0] == runs + 3
    code, out, err = run(db, "run-daily")
    assert code == 0


def test_two_runs_never_overlap_and_a_dead_runs_lock_is_no_obstacle(db: Path) -> None:
    with daily_lock(to_url(str(db))):
        code, out, err = run(db, "run-daily")
        assert code == EXIT_LOCKED
        assert "Another run-daily is in progress" in err
        assert f"process {os.getpid()}" in err
        assert out == ""
    # A lock file left behind by a run that was killed: the system released its lock.
    path = lock_path(to_url(str(db)))
    path.write_text("process 999999, started 2026-11-20 06:00", encoding="utf-8")
    code, out, err = run(db, "run-daily")
    assert code == 0, err


def test_run_daily_runs_as_cron_does(db: Path, tmp_path: Path) -> None:
    """A bare environment (cron's: PATH and HOME only), another working directory."""
    folder = tmp_path / "drop"
    _watch(db, folder)
    shutil.copy(SHOPIFY, folder / "orders_export_1.csv")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), "run-daily"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "Imported orders_export_1.csv" in done.stdout
    assert rows(db, "SELECT count(*) FROM orders WHERE source = 'shopify'")[0][0] > 1000
    log = tmp_path / ".local" / "state"
    assert any("run-daily finished" in p.read_text() for p in log.rglob("*.log"))


def test_score_from_the_command_line_escalates_once_and_emails(db: Path) -> None:
    with sqlite3.connect(db) as con:
        cid = con.execute("SELECT min(id) FROM customers").fetchone()[0]
        when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
        ticket = con.execute(
            "INSERT INTO interactions (customer_id, kind, occurred_at, subject, status, "
            "satisfaction, source, attributes) VALUES (?, 'ticket', ?, 'Parcel lost', 'open', "
            "'bad', 'zendesk', '{\"Priority\": \"High\"}')",
            (cid, when.strftime("%Y-%m-%d %H:%M:%S.000000")),
        ).lastrowid
    with SMTPServer() as server:
        settings(db, escalation__ticket__enabled=True, escalation__team_lead="Dana Reyes",
                 escalation__notify_email="lead@fern.example", smtp__host="127.0.0.1",
                 smtp__port=server.port, smtp__security="none",
                 smtp__from_address="radar@fern.example")  # fmt: skip
        code, out, err = run(db, "score")
        assert code == 0, err
        assert "Escalations: 1 raised (a task each), 1 emailed" in out.splitlines()
        assert len(server.received.data) == 1
        message = email.message_from_bytes(server.received.data[0], policy=email.policy.default)
        assert message["To"] == "lead@fern.example"
        assert message["Subject"].startswith("Escalation: High negative ticket from ")
        assert message["Subject"].endswith(": Parcel lost")
        assert "For: Dana Reyes" in message.get_body(("plain",)).get_content()
        # The same cause on the next scoring: nothing new, nothing sent.
        code, out, err = run(db, "score")
        assert code == 0, err
        assert "Escalations" not in out
        assert len(server.received.data) == 1
    assert rows(db, "SELECT cause_key, assignee, emailed_to FROM escalations") == [
        (f"ticket:{ticket}", "Dana Reyes", "lead@fern.example")
    ]
    assert rows(db, "SELECT count(*) FROM audit_events WHERE action = 'escalation.raised'") == [
        (1,)
    ]
