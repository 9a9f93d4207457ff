"""Draft for all on real workspace files: who a batch leaves out and why, drafting through
a real OpenAI-compatible server on loopback within the concurrency limit (or the
templates), crash safety (a resumed batch drafts only what is queued; a row left in
"sending" is never sent again by itself), each approved email recorded exactly once, the
pace of sending on an injected clock, and real SMTP on loopback receiving exactly the
approved emails."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from services.mail.delivery import SmtpSettings
from services.outreach.batch import (
    approve_row,
    create_batch,
    draft_batch,
    edit_row,
    latest_open_batch,
    load_batch,
    preview_batch,
    regenerate_row,
    skip_row,
    unapprove_row,
)
from services.outreach.batch_delivery import (
    export_eml_folder,
    mark_sent,
    send_again,
    send_approved,
)
from services.outreach.batch_records import (
    SENDING_INTERRUPTED,
    SKIP_BY_REVIEWER,
    SKIP_COOL_DOWN,
    SKIP_DO_NOT_CONTACT,
    SKIP_HOLDOUT,
    SKIP_NO_EMAIL,
    SKIP_OTHER_BATCH,
    SKIP_UNSUBSCRIBED,
)
from tests.support.openai_server import FakeOpenAIServer
from tests.support.smtp_server import SMTPServer
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book, only

REPLY = "Subject: A note for you, {name}\n\nHi {name},\n\nI noticed your parcel was late."


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def rows(book: Book, query: str, **params: Any) -> list[dict[str, Any]]:
    with book.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(query), params).mappings()]


def run(book: Book, query: str, **params: Any) -> None:
    with book.engine.begin() as conn:
        conn.execute(text(query), params)


def late_ticket(book: Book, name: str, **kwargs: Any) -> int:
    cid = book.customer(name, **kwargs)
    book.orders(cid, [200, 100], cents=8_000)
    book.interaction(cid, "ticket", 5, status="open", subject="Late parcel")
    return cid


def alerts_of(book: Book) -> dict[int, int]:
    """customer id -> their alert id."""
    return {a["customer_id"]: a["id"] for a in book.alerts()}


def customers(book: Book, n: int) -> list[int]:
    """n customers with a late ticket each, their alerts raised."""
    only(book, "ticket_past_sla")
    ids = [late_ticket(book, f"Cust{i:02d} Person") for i in range(n)]
    book.score({cid: {} for cid in ids})
    book.generate()
    return ids


def use_server(book: Book, server: FakeOpenAIServer) -> None:
    book.set("llm.preset", "ollama")
    book.set("llm.base_url", server.base_url)
    book.set("llm.model", "test-model")


def smtp_for(server: SMTPServer) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1",
        port=server.port,
        security="none",
        user="",
        from_address="maya@fern.example",
    )


def approve_all(book: Book, batch_id: int) -> list[int]:
    ids = [r.id for r in load_batch(book.engine, batch_id).rows if r.state == "drafted"]
    for row_id in ids:
        approve_row(book.engine, row_id)
    return ids


def test_skip_reasons_and_one_row_per_customer(book: Book) -> None:
    only(book, "ticket_past_sla")
    book.set("alerts.negative_experience.enabled", True)
    ada = late_ticket(book, "Ada")
    # Two bad tickets: Ada also has a negative-experience alert; one row for her.
    for days in (3, 4):
        book.interaction(ada, "ticket", days, status="solved", satisfaction="bad")
    bo = late_ticket(book, "Bo", dnc=True)
    cy = late_ticket(book, "Cy")
    book.interaction(cy, "unsubscribe", 20)
    di = late_ticket(book, "Di")
    ed = late_ticket(book, "Ed")
    fay = late_ticket(book, "Fay")
    gus = late_ticket(book, "Gus")
    hal = late_ticket(book, "Hal")
    everyone = (ada, bo, cy, di, ed, fay, gus, hal)
    book.score({cid: {} for cid in everyone})
    book.generate()
    ada_alerts = [a for a in book.alerts() if a["customer_id"] == ada]
    assert len(ada_alerts) == 2
    # After the alerts: Di was emailed 3 days ago (the cool-down holds), Ed and Hal are
    # held out (Hal contacted anyway), Fay has no address, Gus waits in another batch.
    book.set("alerts.cooldown_days", 14)
    book.email_sent(di, 3)
    run(book, "UPDATE alerts SET holdout = TRUE WHERE customer_id IN (:ed, :hal)", ed=ed, hal=hal)
    run(
        book,
        "UPDATE alerts SET holdout_contacted_at = :at WHERE customer_id = :hal",
        hal=hal,
        at=NOW,
    )
    run(book, "UPDATE customers SET email = NULL WHERE id = :fay", fay=fay)
    alert = alerts_of(book)
    other = create_batch(book.engine, [alert[gus]], offline=True, actor="maya", now=NOW)

    targets = [a["id"] for a in book.alerts()]
    plan = preview_batch(book.engine, targets, offline=True, now=NOW)
    assert {cid for cid, _ in plan.to_draft} == {ada, hal}
    top = max(ada_alerts, key=lambda a: (a["priority_cents"], -a["id"]))
    assert (ada, top["id"]) in plan.to_draft
    reasons = {s.customer_id: s.reason for s in plan.skipped}
    assert reasons == {
        bo: SKIP_DO_NOT_CONTACT,
        cy: SKIP_UNSUBSCRIBED,
        di: SKIP_COOL_DOWN.format(days=14),
        ed: SKIP_HOLDOUT,
        fay: SKIP_NO_EMAIL,
        gus: SKIP_OTHER_BATCH,
    }
    assert SKIP_HOLDOUT == "Holdout — no outreach suggested"

    batch_id = create_batch(book.engine, targets, offline=True, title="Risk", actor="maya", now=NOW)
    view = load_batch(book.engine, batch_id)
    assert len(view.rows) == len(everyone)  # one row per customer
    by_customer = {r.customer_id: r for r in view.rows}
    assert by_customer[ada].state == by_customer[hal].state == "queued"
    assert by_customer[ada].alert_id == top["id"]
    assert {c: r.skip_reason for c, r in by_customer.items() if r.state == "skipped"} == reasons
    assert latest_open_batch(book.engine) == batch_id
    assert other != batch_id


def test_templates_draft_offline_and_say_why_when_no_provider(book: Book) -> None:
    ids = customers(book, 3)
    alert = alerts_of(book)
    offline = create_batch(book.engine, [alert[i] for i in ids[:2]], offline=True, now=NOW)
    summary = draft_batch(book.engine, offline, now=NOW)
    assert (summary.drafted, summary.from_templates, summary.left) == (2, 2, 0)
    for row in load_batch(book.engine, offline).rows:
        assert row.state == "drafted"
        assert row.subject
        assert row.body
        assert (row.generated_subject, row.generated_body) == (row.subject, row.body)
        assert row.source == "template"
        assert not any(c.startswith("Template draft:") for c in row.checks)  # asked for
    # Not offline, and no provider set up: the template, and the draft says why.
    online = create_batch(book.engine, [alert[ids[2]]], now=NOW)
    draft_batch(book.engine, online, now=NOW)
    (row,) = load_batch(book.engine, online).rows
    assert row.source == "template"
    assert row.checks[0].startswith("Template draft: no provider is set up")


def test_provider_drafts_within_the_concurrency_limit(book: Book) -> None:
    ids = customers(book, 7)
    alert = alerts_of(book)
    lock = threading.Lock()
    live = [0, 0, 0]  # now, most at once, arrived
    # The first three requests hold until all three are in flight (no timing guess): the
    # limit lets three at once; a fourth could only arrive while they wait if it did not.
    first_wave = threading.Barrier(3, timeout=20)

    def reply(body: dict[str, Any]) -> str:
        with lock:
            live[0] += 1
            live[1] = max(live[1], live[0])
            live[2] += 1
            waiting = live[2] <= 3
        if waiting:
            first_wave.wait()
        with lock:
            live[0] -= 1
        return REPLY.format(name="there")

    with FakeOpenAIServer(reply=reply) as server:
        use_server(book, server)
        book.set("outreach.batch_concurrency", 3)
        batch_id = create_batch(book.engine, [alert[i] for i in ids], now=NOW)
        summary = draft_batch(book.engine, batch_id, now=NOW)
        assert len(server.chat_requests) == 7
    assert summary.drafted == 7
    assert summary.from_templates == 0
    assert live[1] == 3  # three at once, never more
    for row in load_batch(book.engine, batch_id).rows:
        assert row.source == "llm"
        assert row.subject == "A note for you, there"


def test_a_failing_provider_falls_back_to_the_template_and_says_why(book: Book) -> None:
    ids = customers(book, 2)
    alert = alerts_of(book)
    with FakeOpenAIServer(fail_with=500) as server:
        use_server(book, server)
        batch_id = create_batch(book.engine, [alert[i] for i in ids], now=NOW)
        draft_batch(book.engine, batch_id, now=NOW)
    for row in load_batch(book.engine, batch_id).rows:
        assert row.state == "drafted"
        assert row.source == "template"
        assert row.checks[0].startswith("Template draft:")


def test_an_interrupted_batch_resumes_with_only_the_queued_rows(book: Book) -> None:
    ids = customers(book, 6)
    alert = alerts_of(book)
    with FakeOpenAIServer(reply=REPLY.format(name="there")) as server:
        use_server(book, server)
        batch_id = create_batch(book.engine, [alert[i] for i in ids], now=NOW)
        drafted: list[float] = []

        def progress(fraction: float, _message: str) -> None:
            drafted.append(fraction)

        # Stop once two drafts are in: the drafts made are kept, the rest stay queued.
        first = draft_batch(
            book.engine,
            batch_id,
            progress,
            lambda: bool(drafted) and drafted[-1] >= 2 / 6,
            concurrency=1,
            now=NOW,
        )
        assert first.cancelled
        states = [r.state for r in load_batch(book.engine, batch_id).rows]
        assert states.count("drafted") == first.drafted >= 2
        assert states.count("queued") == 6 - first.drafted
        made = len(server.chat_requests)
        kept = {
            r["id"]: r["updated_at"]
            for r in rows(book, "SELECT * FROM batch_drafts WHERE state = 'drafted'")
        }
        second = draft_batch(book.engine, batch_id, now=NOW)
        assert second.drafted == 6 - first.drafted
        assert len(server.chat_requests) == made + second.drafted
    again = {r["id"]: r["updated_at"] for r in rows(book, "SELECT * FROM batch_drafts")}
    assert all(again[k] == v for k, v in kept.items())  # the first drafts untouched
    assert all(r.state == "drafted" for r in load_batch(book.engine, batch_id).rows)
    assert draft_batch(book.engine, batch_id, now=NOW).drafted == 0


def test_review_operations_are_idempotent(book: Book) -> None:
    ids = customers(book, 2)
    alert = alerts_of(book)
    batch_id = create_batch(book.engine, [alert[i] for i in ids], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    first, second = load_batch(book.engine, batch_id).rows
    assert approve_row(book.engine, first.id).state == "approved"
    assert approve_row(book.engine, first.id).state == "approved"
    assert unapprove_row(book.engine, first.id).state == "drafted"
    assert unapprove_row(book.engine, first.id).state == "drafted"
    assert skip_row(book.engine, second.id).skip_reason == SKIP_BY_REVIEWER
    assert skip_row(book.engine, second.id).state == "skipped"
    assert unapprove_row(book.engine, second.id).state == "drafted"
    edited = edit_row(book.engine, first.id, "New subject", first.body)
    assert edited.edited
    assert edited.generated_subject == first.subject
    assert edit_row(book.engine, first.id, "New subject", first.body).edited
    again = regenerate_row(book.engine, first.id, now=NOW)
    assert again.variant == 1
    assert not again.edited
    assert again.state == "drafted"


def test_smtp_sends_exactly_the_approved_emails_once(book: Book) -> None:
    ids = customers(book, 4)
    alert = alerts_of(book)
    batch_id = create_batch(book.engine, [alert[i] for i in ids], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    view = load_batch(book.engine, batch_id)
    approved = [view.rows[0].id, view.rows[2].id]
    edit_row(book.engine, approved[0], view.rows[0].subject, view.rows[0].body + "\nP.S. Hi!")
    for row_id in approved:
        approve_row(book.engine, row_id)
    with SMTPServer() as server:
        smtp = smtp_for(server)
        done = send_approved(book.engine, batch_id, smtp=smtp, per_minute=600, actor="maya")
        twice = send_approved(book.engine, batch_id, smtp=smtp, per_minute=600, actor="maya")
        got = list(server.received.rcpt_to)
    assert (done.done, twice.done) == (2, 0)
    expected = [view.rows[0].recipient, view.rows[2].recipient]
    assert [r.split("<", 1)[1].rstrip(">") for r in got] == expected
    outreach = rows(book, "SELECT * FROM outreach ORDER BY id")
    assert [o["recipient"] for o in outreach] == expected
    assert [o["status"] for o in outreach] == ["sent", "sent"]
    assert [bool(o["edited"]) for o in outreach] == [True, False]
    assert {o["variant"] for o in outreach} == {0}
    assert {o["goal"] for o in outreach} == {view.rows[0].goal}
    final = {r.id: r for r in load_batch(book.engine, batch_id).rows}
    assert {final[i].state for i in approved} == {"sent"}
    assert {final[i].outreach_id for i in approved} == {o["id"] for o in outreach}


def test_a_row_left_sending_is_never_sent_again_by_itself(book: Book) -> None:
    ids = customers(book, 2)
    alert = alerts_of(book)
    batch_id = create_batch(book.engine, [alert[i] for i in ids], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    first, second = approve_all(book, batch_id)

    def crash(*_args: Any) -> None:
        raise SystemExit("the app was killed mid-send")

    with pytest.raises(SystemExit):
        send_approved(book.engine, batch_id, smtp=smtp_for_port(1), send=crash)
    row = load_batch(book.engine, batch_id).row(first)
    assert row is not None
    assert row.state == "sending"
    assert row.status_words == SENDING_INTERRUPTED
    with SMTPServer() as server:
        send_approved(book.engine, batch_id, smtp=smtp_for(server), per_minute=600)
        assert len(server.received.rcpt_to) == 1  # only the second
    assert rows(book, "SELECT COUNT(*) AS n FROM outreach")[0]["n"] == 1
    # The user checks their Sent folder: it went. Recorded once, however often asked.
    assert mark_sent(book.engine, first) is not None
    assert mark_sent(book.engine, first) is None
    assert rows(book, "SELECT COUNT(*) AS n FROM outreach")[0]["n"] == 2
    assert not send_again(book.engine, first)  # sent: nothing to send again
    assert latest_open_batch(book.engine) is None  # every row done: the batch closed
    assert second


def smtp_for_port(port: int) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, "none", "", "maya@fern.example")


def test_send_again_and_a_failed_send_records_nothing(book: Book) -> None:
    ids = customers(book, 1)
    alert = alerts_of(book)
    batch_id = create_batch(book.engine, [alert[ids[0]]], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    (row_id,) = approve_all(book, batch_id)
    with SMTPServer(refuse=("@example.com",)) as server:
        summary = send_approved(book.engine, batch_id, smtp=smtp_for(server))
    assert summary.failed == 1
    row = load_batch(book.engine, batch_id).row(row_id)
    assert row is not None
    assert row.state == "failed"
    assert row.error
    assert rows(book, "SELECT COUNT(*) AS n FROM outreach")[0]["n"] == 0
    approve_row(book.engine, row_id)  # retry
    with SMTPServer() as server:
        assert send_approved(book.engine, batch_id, smtp=smtp_for(server)).done == 1
    assert rows(book, "SELECT COUNT(*) AS n FROM outreach")[0]["n"] == 1


def test_the_pace_is_kept_on_an_injected_clock(book: Book) -> None:
    ids = customers(book, 5)
    alert = alerts_of(book)
    batch_id = create_batch(book.engine, [alert[i] for i in ids], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    approve_all(book, batch_id)
    fake = [1000.0]
    sent_at: list[float] = []

    def sleep(seconds: float) -> None:
        fake[0] += seconds

    def send(*_args: Any) -> None:
        sent_at.append(fake[0])
        fake[0] += 0.3  # the server takes a moment

    summary = send_approved(
        book.engine,
        batch_id,
        smtp=smtp_for_port(1),
        per_minute=12,
        send=send,
        clock=lambda: fake[0],
        sleep=sleep,
    )
    assert summary.done == 5
    gaps = [b - a for a, b in zip(sent_at, sent_at[1:], strict=False)]
    assert all(gap >= 5.0 - 1e-9 for gap in gaps)  # 12 a minute: 5 s apart at least
    assert sent_at[-1] - sent_at[0] == pytest.approx(20.0, abs=0.5)  # and no slower


def test_eml_folder_is_recorded_as_exported_once(book: Book, tmp_path: Path) -> None:
    ids = customers(book, 3)
    alert = alerts_of(book)
    batch_id = create_batch(book.engine, [alert[i] for i in ids], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    approve_all(book, batch_id)
    out = tmp_path / "emails"
    first = export_eml_folder(book.engine, batch_id, out, sender="maya@fern.example")
    second = export_eml_folder(book.engine, batch_id, out, sender="maya@fern.example")
    assert (first.done, second.done) == (3, 0)
    assert len(list(out.glob("*.eml"))) == 3
    outreach = rows(book, "SELECT status FROM outreach")
    assert [o["status"] for o in outreach] == ["exported"] * 3


def test_a_customer_marked_do_not_contact_after_review_is_not_sent(book: Book) -> None:
    ids = customers(book, 1)
    alert = alerts_of(book)
    batch_id = create_batch(book.engine, [alert[ids[0]]], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    (row_id,) = approve_all(book, batch_id)
    run(book, "UPDATE customers SET do_not_contact = TRUE WHERE id = :id", id=ids[0])
    with SMTPServer() as server:
        summary = send_approved(book.engine, batch_id, smtp=smtp_for(server))
        assert server.received.rcpt_to == []
    assert summary.done == 0
    row = load_batch(book.engine, batch_id).row(row_id)
    assert row is not None
    assert row.state == "failed"
    assert "not to be contacted" in (row.error or "")


def test_mail_app_hand_over_is_recorded_once(book: Book) -> None:
    from services.outreach.batch_delivery import approved_emails, record_handed_over

    ids = customers(book, 2)
    alert = alerts_of(book)
    batch_id = create_batch(book.engine, [alert[i] for i in ids], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    approve_all(book, batch_id)
    emails = approved_emails(book.engine, batch_id)
    assert [e.recipient for e in emails] == [
        r.recipient for r in load_batch(book.engine, batch_id).rows
    ]
    first = record_handed_over(book.engine, emails[0].row_id, actor="maya")
    assert first is not None
    assert record_handed_over(book.engine, emails[0].row_id, actor="maya") is None
    outreach = rows(book, "SELECT status, alert_id FROM outreach")
    assert outreach == [{"status": "exported", "alert_id": alert[ids[0]]}]
    # The alert moved to in progress, as for any email recorded.
    (state,) = rows(book, "SELECT status FROM alerts WHERE id = :id", id=alert[ids[0]])
    assert state["status"] == "in_progress"


def test_saving_the_eml_folder_records_nothing_until_handed_over(
    book: Book, tmp_path: Path
) -> None:
    """The window's Save as a folder of .eml files: the files are written, the rows stay
    approved and nothing is recorded (the user has not said they sent them); a customer
    marked do not contact since the review gets no file and their row fails."""
    from services.outreach.batch_delivery import record_handed_over, save_eml_folder

    ids = customers(book, 3)
    alert = alerts_of(book)
    batch_id = create_batch(book.engine, [alert[i] for i in ids], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    approved = approve_all(book, batch_id)
    run(book, "UPDATE customers SET do_not_contact = TRUE WHERE id = :id", id=ids[2])
    before = {
        table: rows(book, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]
        for table in ("outreach", "interactions", "audit_events")
    }
    out = tmp_path / "emails"
    saved = save_eml_folder(book.engine, batch_id, out, sender="maya@fern.example")
    assert (saved.done, saved.failed) == (2, 1)
    assert len(saved.rows) == len(saved.paths) == 2
    assert sorted(p.name for p in out.glob("*.eml")) == sorted(Path(p).name for p in saved.paths)
    for table, count in before.items():
        assert rows(book, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"] == count, table
    states = {r.id: r.state for r in load_batch(book.engine, batch_id).rows}
    assert [states[r] for r in saved.rows] == ["approved", "approved"]
    (blocked,) = set(approved) - set(saved.rows)
    assert states[blocked] == "failed"
    # The user's word: each logged once.
    assert all(record_handed_over(book.engine, r, actor="maya") for r in saved.rows)
    assert not any(record_handed_over(book.engine, r, actor="maya") for r in saved.rows)
    assert [o["status"] for o in rows(book, "SELECT status FROM outreach")] == ["exported"] * 2
