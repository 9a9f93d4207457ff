"""A round of posts on the hand-made book (tests/support/notify_book.py), to a real HTTP
server on loopback: what is posted, once, masked; failures retried, never duplicated."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy.orm import Session

from models.schema import Alert, ScoreSnapshot, ScoringRun
from services.listen.records import Digest, DigestLine
from services.notify.run import (
    approve_webhook,
    pending_posts,
    read_setup,
    run_round,
    send_posts,
    trial_post,
)
from services.notify.webhook import store_webhook
from services.settings import set_setting
from tests.support.notify_book import NOW, webhook_server


def _set(engine, key, value) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session, session.begin():
        set_setting(session, key, value)


@pytest.fixture
def hook(book, memory_keyring):  # type: ignore[no-untyped-def]
    engine, _ids = book
    with webhook_server() as server:
        store_webhook(server.url)
        approve_webhook(engine, read_setup(engine))
        yield server


@pytest.mark.parametrize("service", ["slack", "teams"])
def test_the_server_receives_exactly_the_previewed_bytes(book, hook, service) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    _set(engine, "notify.service", service)
    preview = pending_posts(engine, read_setup(engine), now=NOW)
    result = run_round(engine, now=NOW)
    assert result.problem is None
    assert result.posted == 1
    assert hook.bodies == [preview[0].body]
    assert preview[0].log_keys == (f"critical:{ids['A']}", f"sla:{ids['B']}")
    body = json.loads(hook.bodies[0])
    if service == "slack":
        assert body["text"] == "Account Radar: 1 new critical alert, 1 past its time to act"
        assert [b["type"] for b in body["blocks"]] == ["header", "section", "section"]
    else:
        attachment = body["attachments"][0]
        assert body["type"] == "message"
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert attachment["content"]["type"] == "AdaptiveCard"


def test_what_a_post_says_and_what_it_withholds(book, hook) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    # A's customer scored: its revenue at risk is the figure its card shows, not the
    # alert's ranking figure; B's customer was not scored by that run: its priority.
    with Session(engine) as s, s.begin():
        customer = s.get(Alert, ids["A"]).customer_id
        run = ScoringRun(as_of=NOW.date(), horizon_days=90, status="finished", customers=1,
                         params={"currency": "EUR"})  # fmt: skip
        s.add(run)
        s.flush()
        s.add(ScoreSnapshot(customer_id=customer, as_of=NOW.date(), horizon_days=90,
                            scoring_run_id=run.id, revenue_at_risk_cents=141_400))  # fmt: skip
    run_round(engine, now=NOW)
    text = hook.bodies[0].decode("utf-8")
    # The account by the fields the privacy setting lets out (by default no surname,
    # address or phone): its company, its person's first name; the worth in the home
    # currency, when it is due, the link.
    assert "Acme Ltd (Jane): Critical, High risk, high value" in text
    assert "Revenue at risk: €1,414" in text
    assert "Revenue at risk: €3,100" in text
    assert "12,400" not in text
    # A, critical, raised on Friday: one working day, due by the end of Monday; B, a warning
    # raised on Monday: three working days, due by the end of Thursday, and past it.
    assert "Time to act: Due Mon, Nov 30" in text
    assert "Time to act: Overdue since Thu, Nov 26" in text
    assert f"accountradar://alert/{ids['A']}" in text
    assert f"accountradar://alert/{ids['B']}" in text
    for withheld in ("Doe", "jane@acme.test", "555", "0123", "Stone", "Carla", "Dan"):
        assert withheld not in text
    assert "[surname withheld]" in text
    assert "[email withheld]" in text


def test_a_withheld_company_never_appears(book, hook) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    _set(engine, "outreach.sent_fields", ["region", "drivers"])
    run_round(engine, now=NOW)
    text = hook.bodies[0].decode("utf-8")
    assert "Acme" not in text
    assert "Jane" not in text
    assert "[company withheld]" in text


def test_each_alert_is_posted_once(book, hook) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    assert run_round(engine, now=NOW).posted == 1
    again = run_round(engine, now=NOW)
    assert again.posted == 0
    assert again.problem is None
    assert len(hook.bodies) == 1


@pytest.mark.parametrize("status", [500, 404])
def test_a_refusal_is_said_plainly_and_posted_next_round(book, hook, status) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    hook.status = status
    failed = run_round(engine, now=NOW)
    assert failed.posted == 0
    assert failed.problem is not None
    assert f"HTTP {status}" in failed.problem
    assert "tried again next round" in failed.problem
    assert "secret" not in failed.problem  # the address (a secret) is never said
    hook.status = 200
    assert run_round(engine, now=NOW).posted == 1
    assert run_round(engine, now=NOW).posted == 0
    assert len(hook.bodies) == 1


def test_a_failed_test_post_does_not_say_it_will_be_tried_again(book, hook) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    hook.status = 500
    setup = read_setup(engine)
    failed = send_posts(engine, setup, [trial_post(engine, setup, None)])
    assert failed.posted == 0
    assert failed.problem is not None
    assert "HTTP 500" in failed.problem
    assert "tried again" not in failed.problem
    assert "test post is not sent again on its own" in failed.problem
    hook.status = 200
    assert run_round(engine, now=NOW).posted == 1  # the alert's post, not the test's


def test_a_timeout_is_said_plainly_and_posted_next_round(book, hook) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    _set(engine, "notify.timeout_s", 1)
    hook.stall = threading.Event()
    failed = run_round(engine, now=NOW)
    assert failed.problem is not None
    assert "did not answer within 1 seconds" in failed.problem
    hook.stall.set()
    hook.stall = None
    assert run_round(engine, now=NOW).posted == 1
    assert len(hook.bodies) == 1


def test_a_refused_connection_is_said_plainly(book, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    with webhook_server() as server:
        url = server.url
    store_webhook(url)  # the server is gone: nothing listens on the port
    approve_webhook(engine, read_setup(engine))
    failed = run_round(engine, now=NOW)
    assert failed.problem is not None
    assert "Could not reach 127.0.0.1" in failed.problem


def test_nothing_goes_before_the_first_post_is_approved(book, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    with webhook_server() as server:
        store_webhook(server.url)
        waiting = run_round(engine, now=NOW)
        assert waiting.waiting_approval
        assert waiting.posted == 0
        assert server.bodies == []
        approve_webhook(engine, read_setup(engine))
        assert run_round(engine, now=NOW).posted == 1


def test_each_kind_can_be_turned_off(book, hook) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    _set(engine, "notify.sla", False)
    posts = pending_posts(engine, read_setup(engine), now=NOW)
    assert posts[0].log_keys == (f"critical:{ids['A']}",)
    _set(engine, "notify.critical", False)
    assert pending_posts(engine, read_setup(engine), now=NOW) == []
    assert run_round(engine, now=NOW).posted == 0


def test_the_digest_goes_once_a_day(book, hook) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    _set(engine, "notify.critical", False)
    _set(engine, "notify.sla", False)
    _set(engine, "notify.digest", True)
    digest = Digest(
        NOW.date(), NOW,
        (DigestLine("critical_alerts", "1 new critical alert", 1),
         DigestLine("tasks_due", "0 tasks due", 0)),
    )  # fmt: skip
    assert run_round(engine, now=NOW, digest=digest).posted == 1
    assert run_round(engine, now=NOW, digest=digest).posted == 0
    text = hook.bodies[0].decode("utf-8")
    assert "1 new critical alert" in text
    assert "tasks due" not in text
