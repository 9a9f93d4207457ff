"""notify status, preview, send and set-webhook, and run-daily's posts, end to end through
main on a workspace file with the hand-made book, a real webhook on loopback and an
in-memory keyring."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace, to_url
from services.core.credentials import clear_session_secrets
from services.settings import set_setting
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.notify_book import Webhook, fill_notify_book, webhook_server


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "notify.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        fill_notify_book(ws.engine, dt.datetime.now(dt.UTC))
        with Session(ws.engine) as session, session.begin():
            set_setting(session, "notify.sla", False)  # its day depends on today's weekday
    finally:
        ws.close()
    return path


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Webhook]:
    with installed_keyring(MemoryKeyring()), webhook_server() as server:
        monkeypatch.setattr("sys.stdin", io.StringIO(server.url + "\n"))
        yield server
    clear_session_secrets()


def run(db: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db), *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_without_a_webhook_status_says_how_to_set_one(db: Path) -> None:
    with installed_keyring(MemoryKeyring()):
        code, out, _ = run(db, "notify", "status")
    assert code == 0
    assert "No webhook is set" in out


def test_preview_prints_exactly_the_bytes_send_posts(db: Path, hook: Webhook) -> None:
    assert run(db, "notify", "set-webhook")[0] == 0
    code, out, _ = run(db, "notify", "status")
    assert "Posts go to 127.0.0.1, which is not Slack's own server" in out
    assert "waits for approval" in out
    assert "New now, not posted yet: 1." in out
    code, preview, _ = run(db, "notify", "preview")
    assert code == 0
    assert "Acme Ltd (Jane): Critical, High risk, high value" in preview
    shown = json.loads(preview[preview.index("{") :])
    code, _, err = run(db, "notify", "send")
    assert code == 1
    assert "waits for your approval" in err
    assert hook.bodies == []
    code, out, _ = run(db, "notify", "send", "--approve")
    assert code == 0
    assert out.startswith("Posted: Account Radar: 1 new critical alert.")
    assert len(hook.bodies) == 1
    assert json.loads(hook.bodies[0]) == shown
    assert run(db, "notify", "send")[1] == "Nothing new to post.\n"
    assert len(hook.bodies) == 1


def test_a_test_post_goes_and_is_not_remembered_as_an_alert(db: Path, hook: Webhook) -> None:
    run(db, "notify", "set-webhook")
    code, out, _ = run(db, "notify", "send", "--test", "--approve")
    assert code == 0
    assert "Posted: Account Radar is connected." in out
    assert b"This is a test" in hook.bodies[0]
    code, out, _ = run(db, "notify", "send")
    assert out.startswith("Posted: Account Radar: 1 new critical alert.")


def test_a_failing_webhook_fails_the_command_in_plain_words(db: Path, hook: Webhook) -> None:
    run(db, "notify", "set-webhook")
    hook.status = 503
    code, _, err = run(db, "notify", "send", "--approve")
    assert code == 1
    assert "could not take the post just now (HTTP 503)" in err
    assert hook.url not in err


def test_set_webhook_refuses_plain_http_across_the_network(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("http://hooks.slack.com/services/T/B/X\n"))
    with installed_keyring(MemoryKeyring()) as backend:
        code, _, err = run(db, "notify", "set-webhook")
    assert code == 1
    assert "unencrypted" in err
    assert backend.passwords == {}


def test_run_daily_posts_after_its_digest_once(db: Path, hook: Webhook) -> None:
    run(db, "notify", "set-webhook")
    run(db, "notify", "send", "--test", "--approve")
    code, out, err = run(db, "run-daily")
    assert code == 0, err
    assert "Posted: Account Radar: 1 new critical alert." in out
    assert out.index("Since") < out.index("Posted:")  # after the digest
    code, out, _ = run(db, "run-daily")
    assert "Posted:" not in out
    assert len(hook.bodies) == 2  # the test post and the alert, once


def test_run_daily_with_an_unreachable_webhook_still_succeeds(db: Path, hook: Webhook) -> None:
    run(db, "notify", "set-webhook")
    run(db, "notify", "send", "--test", "--approve")
    hook.status = 500
    code, _, err = run(db, "run-daily")
    assert code == 0
    assert "Not posted to Slack or Teams:" in err
    hook.status = 200
    _, out, _ = run(db, "run-daily")
    assert "Posted: Account Radar: 1 new critical alert." in out


def test_a_link_with_a_command_is_a_usage_error(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(db, "digest", "accountradar://alert/1")
    assert code == 2
    assert out == ""  # nothing ran
    assert "an accountradar:// link opens the window: give it without a command" in (
        capsys.readouterr().err
    )


def test_a_dripping_webhook_holds_neither_send_nor_run_daily(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.unit.notify.test_post_deadline import dripping_server

    ws = open_workspace(to_url(str(db)), backup=False)
    with Session(ws.engine) as session, session.begin():
        set_setting(session, "notify.timeout_s", 1)
    ws.close()
    with installed_keyring(MemoryKeyring()), dripping_server("body") as url:
        monkeypatch.setattr("sys.stdin", io.StringIO(url + "\n"))
        assert run(db, "notify", "set-webhook")[0] == 0
        started = time.monotonic()
        code, _, err = run(db, "notify", "send", "--test", "--approve")
        assert time.monotonic() - started < 4
        assert code == 1
        assert "127.0.0.1 did not answer within 1 seconds" in err
        assert url not in err
        code, out, err = run(db, "run-daily")
        assert code == 0, err
        assert "Since" in out  # the digest still came
        assert "Not posted to Slack or Teams: 127.0.0.1 did not answer within 1 seconds" in err
    clear_session_secrets()
