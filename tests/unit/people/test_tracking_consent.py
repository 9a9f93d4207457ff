"""A customer's opt-out of activity tracking, on SQLite and PostgreSQL: their usage and
conversations read as a customer's without any in scoring (the features equal those
computed with their rows removed), none of their activity goes into a request to a model
(Ask's examples, the conversation reading), the pane's words, and the audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace
from models.schema import AuditEvent, Customer, Interaction, Order, UsageDay
from models.vocab import CONVERSATION_SOURCE
from services.ask.generate import example_rows
from services.people.tracking import consent_words, opted_out_at, set_tracking_consent
from services.scoring.data import day_number, load_scoring_data
from services.scoring.engagement import engagement_score
from services.scoring.features import compute_features
from services.settings import ENGAGEMENT_WEIGHTS
from services.usecases.conversations import ConversationError, _messages

T = dt.date(2025, 6, 30)
T_DAY = day_number(T)
SECRET = "We are moving to a competitor next quarter"


@pytest.fixture
def workspace(workspace_url: str) -> Iterator[Workspace]:
    ws = open_workspace(workspace_url, backup=False)
    yield ws
    ws.close()


def _fill(ws: Workspace) -> dict[str, int]:
    """Three buyers; A and B use the product and had a call kept as a conversation."""
    with ws.engine.begin() as conn:
        conn.execute(insert(Customer), [{"external_id": x, "source": "s", "name": f"Ms {x}"}
                                        for x in "ABC"])  # fmt: skip
        ids = dict(conn.exec_driver_sql("SELECT external_id, id FROM customers").all())
        conn.execute(insert(Order), [
            {"customer_id": ids[x], "external_id": f"{x}{d}", "source": "s",
             "order_date": dt.datetime.combine(T - dt.timedelta(days=d), dt.time(10)),
             "amount_cents": 5000, "status": "paid"}
            for x in "ABC" for d in (20, 80, 140)
        ])  # fmt: skip
        conn.execute(insert(UsageDay), [
            {"customer_id": ids[x], "source": "app", "day": T - dt.timedelta(days=d),
             "sessions": s, "events": 1}
            for x, days, s in (("A", (3, 9, 40), 5), ("B", (5, 15, 25), 3))
            for d in days
        ])  # fmt: skip
        conn.execute(insert(Interaction), [
            {"customer_id": ids[x], "kind": "call", "source": CONVERSATION_SOURCE,
             "external_id": f"talk-{x}", "occurred_at": dt.datetime.combine(
                 T - dt.timedelta(days=7), dt.time(9)), "sentiment": -0.6,
             "subject": "Quarterly call", "text": f"Customer: {SECRET}",
             "attributes": {"turns": [{"speaker": f"Ms {x}", "text": SECRET,
                                       "customer": True}]}}
            for x in "AB"
        ])  # fmt: skip
    return ids


def _features(ws: Workspace) -> tuple[pd.DataFrame, np.ndarray]:
    data = load_scoring_data(ws.engine, until_day=T_DAY)
    return compute_features(data, T_DAY), data.customer_ids


def _row(frame: pd.DataFrame, ids: np.ndarray, cid: int) -> pd.Series:
    return frame.iloc[int(np.flatnonzero(ids == cid)[0])]


def test_an_opted_out_customer_scores_as_without_usage_and_conversations(
    workspace: Workspace,
) -> None:
    ids = _fill(workspace)
    before, order = _features(workspace)
    assert _row(before, order, ids["A"]).usage_sessions_30 == 10
    assert set_tracking_consent(workspace.engine, ids["A"], opted_out=True, actor="Maya")
    opted, order = _features(workspace)
    # The same customers with A's usage removed and A's call no longer a conversation kept
    # (it stays a call: that we spoke is a contact, not tracking), A opted back in.
    set_tracking_consent(workspace.engine, ids["A"], opted_out=False, actor="Maya")
    with Session(workspace.engine) as s, s.begin():
        s.execute(delete(UsageDay).where(UsageDay.customer_id == ids["A"]))
        s.execute(
            update(Interaction).where(Interaction.customer_id == ids["A"]).values(source="phone")
        )
    removed, order2 = _features(workspace)
    assert list(order) == list(order2)
    pd.testing.assert_frame_equal(opted, removed)
    a = _row(opted, order, ids["A"])
    assert a.usage_sessions_30 == 0
    assert np.isnan(a.usage_days_since_active)
    # B is untouched: still its 9 sessions.
    assert _row(opted, order, ids["B"]).usage_sessions_30 == 9
    e_opted, _ = engagement_score(opted, ENGAGEMENT_WEIGHTS)
    e_removed, _ = engagement_score(removed, ENGAGEMENT_WEIGHTS)
    np.testing.assert_array_equal(e_opted, e_removed)
    e_before, _ = engagement_score(before, ENGAGEMENT_WEIGHTS)
    a_at = int(np.flatnonzero(order == ids["A"])[0])
    assert e_before[a_at] != e_opted[a_at]


def test_none_of_their_activity_goes_into_a_request_to_a_model(workspace: Workspace) -> None:
    ids = _fill(workspace)
    allowed = {"tickets", "reviews", "first_name"}
    shown = example_rows(workspace.engine, allowed)
    talks = {r["customer_id"] for r in shown["ask_conversations"]}
    assert talks == {ids["A"], ids["B"]}
    set_tracking_consent(workspace.engine, ids["A"], opted_out=True, actor="Maya")
    shown = example_rows(workspace.engine, allowed)
    for view in ("ask_conversations", "ask_interactions"):
        assert ids["A"] not in {r["customer_id"] for r in shown[view]}, view
    assert {r["customer_id"] for r in shown["ask_conversations"]} == {ids["B"]}
    with Session(workspace.engine) as s:
        row = s.execute(
            select(Interaction.id, Interaction.customer_id, Interaction.text,
                   Interaction.attributes, Interaction.kind, Interaction.occurred_at,
                   Interaction.subject)
            .where(Interaction.customer_id == ids["A"])
        ).one()._asdict()  # fmt: skip
        with pytest.raises(ConversationError, match="opted out of activity tracking"):
            _messages(s, row)


def test_the_opt_out_is_said_in_words_and_audited(workspace: Workspace) -> None:
    ids = _fill(workspace)
    when = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)
    assert set_tracking_consent(workspace.engine, ids["C"], opted_out=True, actor="Maya",
                                now=when)  # fmt: skip
    assert not set_tracking_consent(workspace.engine, ids["C"], opted_out=True, actor="Maya")
    with Session(workspace.engine) as s:
        at = opted_out_at(s, ids["C"])
        events = s.execute(
            select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.entity_id == ids["C"])
        ).all()
    assert at == when
    assert consent_words(at) == (
        "Opted out of activity tracking on Mar 4, 2026: usage and conversations are not used."
    )
    assert consent_words(None) is None
    assert events == [("customer.tracking_opted_out", "Maya")]


def test_an_opt_out_comes_from_the_crms_field_and_a_later_file_does_not_undo_it(
    workspace: Workspace, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from services.importing.service import run_import

    first = tmp_path / "customers.csv"
    first.write_text(
        "customer_id,email,name,opt_out_tracking\n"
        "K1,kim@ode.test,Kim Ode,yes\nL2,lee@ode.test,Lee Ode,no\nM3,max@ode.test,Max Ode,\n",
        encoding="utf-8",
    )
    report = run_import(workspace.engine, [first])
    assert report.landed, report.lines()
    with Session(workspace.engine) as s:
        rows = dict(s.execute(select(Customer.external_id, Customer.tracking_opted_out_at)).all())
    assert rows["K1"] is not None
    assert rows["L2"] is None
    assert rows["M3"] is None
    again = tmp_path / "customers-2.csv"
    again.write_text(
        "customer_id,email,name,tracking_consent\nK1,kim@ode.test,Kim Ode,yes\n"
        "L2,lee@ode.test,Lee Ode,no\n",
        encoding="utf-8",
    )
    run_import(workspace.engine, [again])
    with Session(workspace.engine) as s:
        later = dict(s.execute(select(Customer.external_id, Customer.tracking_opted_out_at)).all())
    # K1 stays opted out since the first file (a later "yes" to consent does not take it
    # back: only the user does); L2 refused consent: now opted out.
    assert later["K1"] == rows["K1"]
    assert later["L2"] is not None
    hubspot = tmp_path / "hubspot-contacts.csv"
    hubspot.write_text(
        "Record ID,First Name,Last Name,Email,Do not track\n701,Ana,Ruiz,ana@hub.test,true\n"
        "702,Bo,Li,bo@hub.test,false\n",
        encoding="utf-8",
    )
    report = run_import(workspace.engine, [hubspot])
    assert report.files[0].detected_format == "hubspot_contacts", report.lines()
    with Session(workspace.engine) as s:
        marks = dict(
            s.execute(
                select(Customer.external_id, Customer.tracking_opted_out_at).where(
                    Customer.source == "hubspot"
                )
            ).all()
        )
    assert marks["701"] is not None
    assert marks["702"] is None


def test_the_request_on_the_wire_carries_none_of_their_conversations(workspace: Workspace) -> None:
    """Through the loopback server speaking the OpenAI wire format: Ask's request holds B's
    conversation and none of opted-out A's."""
    import json

    from services.ask.generate import ask_model, prepare_request
    from services.settings import set_setting
    from tests.support.openai_server import FakeOpenAIServer

    ids = _fill(workspace)
    with workspace.engine.begin() as conn:
        conn.execute(
            update(Interaction)
            .where(Interaction.customer_id == ids["A"])
            .values(text="Customer: only-Ann-said-this", subject="Ann's private call")
        )
    set_tracking_consent(workspace.engine, ids["A"], opted_out=True, actor="Maya")
    good = "SELECT count(*) AS n FROM ask_customers"
    reply = json.dumps({"sql": good, "title": "t", "cannot_answer": None})
    with FakeOpenAIServer(models=["sqlcoder"], reply=reply) as fake:
        with Session(workspace.engine) as s, s.begin():
            set_setting(s, "llm.preset", "llamacpp")
            set_setting(s, "llm.base_url", fake.base_url)
            set_setting(s, "llm.model", "sqlcoder")
            set_setting(s, "outreach.sent_fields", ["tickets", "reviews", "first_name"])
        request = prepare_request(workspace.engine, "How many customers?")
        answer = ask_model(workspace.engine, request)
        assert answer.sql == good
        bodies = [json.dumps(r.body, ensure_ascii=False) for r in fake.chat_requests]
    assert bodies
    assert not any("only-Ann-said-this" in b or "Ann's private call" in b for b in bodies)
    assert any(SECRET in b for b in bodies)  # B's conversation is there
