"""The Ask tab with a provider: a real HTTP server on loopback speaking the OpenAI wire
format writes the SQL. The answer it gets is shown (rows checked against the same query
run directly), "What will be sent" shows exactly the request the server received, a
follow-up carries the conversation, a question the workspace cannot answer is a plain
message, and a provider off this computer shows the request first: Cancel sends
nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.ask_source import WorkspaceAskSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from services.ask.readonly import run_query
from services.settings import set_settings
from tests.gui.ask.test_ask_tab import SIZE, TIMEOUT_MS, shown_rows, type_question
from tests.support.openai_server import FakeOpenAIServer
from views.ask.pane import AskPane
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import TAB_ASK, MainWindow

BY_TIER = "SELECT tier, count(*) AS customers FROM ask_customers GROUP BY tier ORDER BY tier"
GOLD = (
    "SELECT customer_id, name AS customer, tier, churn_risk FROM ask_customers "
    "WHERE tier = 'Gold' ORDER BY customer_id"
)
QUESTION = "Count our clientele per loyalty level"


def reply(sql: str | None, cannot: str | None = None) -> str:
    return json.dumps({"sql": sql, "title": "t", "cannot_answer": cannot})


def use_provider(workspace: Workspace, **values: Any) -> None:
    with workspace.sessions() as session, session.begin():
        set_settings(session, {k.replace("__", "."): v for k, v in values.items()})


@pytest.fixture
def server(workspace: Workspace) -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["sqlcoder"], reply=reply(BY_TIER)) as fake:
        use_provider(
            workspace, llm__preset="llamacpp", llm__base_url=fake.base_url, llm__model="sqlcoder"
        )
        yield fake


def make_window(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> MainWindow:
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    window.set_source(WorkspaceCustomerSource(workspace))
    window.set_alert_source(WorkspaceAlertSource(workspace, user="dana"))
    window.ask.set_source(WorkspaceAskSource(workspace))
    qtbot.waitUntil(
        lambda: window.customers_pane.model.rowCount() > 0 and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    QTest.keySequence(window, QKeySequence("Ctrl+6"))
    assert window.tabs.currentIndex() == TAB_ASK
    pane = window.ask
    qtbot.waitUntil(
        lambda: pane.provider is not None and pane.library.model.rowCount() > 0,
        timeout=TIMEOUT_MS,
    )
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    return window


def settle(qtbot, pane: AskPane, jobs: JobRunner) -> None:
    qtbot.waitUntil(lambda: not pane.busy and jobs.is_idle(), timeout=TIMEOUT_MS)


def test_the_model_writes_the_query_and_what_was_sent_is_shown(
    qtbot,
    jobs: JobRunner,
    workspace: Workspace,
    theme: ThemeManager,
    ui_settings: QSettings,
    server: FakeOpenAIServer,
) -> None:
    window = make_window(qtbot, jobs, workspace, theme, ui_settings)
    pane = window.ask
    assert pane.provider is not None
    assert pane.provider.configured
    assert pane.provider.local
    assert "sqlcoder" in pane.provider_label.text()
    type_question(qtbot, pane, QUESTION)
    settle(qtbot, pane, jobs)
    answer = pane.answer_view.answer
    assert answer is not None, pane.answer_view.message
    assert answer.source == "model"
    assert answer.sql == BY_TIER
    assert shown_rows(pane) == [tuple(r) for r in run_query(workspace.engine, BY_TIER).rows]
    assert pane.answer_view.chart_shown == "bar"
    assert "Query written by sqlcoder" in pane.answer_view.source_label.text()
    # A local provider: no review first; "What will be sent…" shows the request as sent.
    assert len(server.chat_requests) == 1
    sent = server.chat_requests[0].body
    assert sent is not None
    view = pane.answer_view
    assert view.preview_button.isVisible()
    qtbot.mouseClick(view.preview_button, Qt.MouseButton.LeftButton)
    dialog = pane.preview_dialog
    assert dialog is not None
    assert dialog.isVisible()
    shown = dialog.text.toPlainText()
    for message in sent["messages"]:
        assert message["content"] in shown
    assert QUESTION in shown
    dialog.close()

    # "Only the Gold ones" narrows the answer by itself: no request to the model.
    type_question(qtbot, pane, "only the Gold ones")
    settle(qtbot, pane, jobs)
    narrowed = pane.answer_view.answer
    assert narrowed is not None, pane.answer_view.message
    assert BY_TIER in narrowed.sql
    assert [row[0] for row in narrowed.rows] == ["Gold"]
    assert len(server.chat_requests) == 1
    assert "narrowed down" in pane.answer_view.source_label.text()

    # A follow-up it cannot narrow goes to the model with the conversation so far.
    server.reply = reply(GOLD)
    type_question(qtbot, pane, "Which of them could churn next")
    settle(qtbot, pane, jobs)
    followup = pane.answer_view.answer
    assert followup is not None, pane.answer_view.message
    assert followup.sql == GOLD
    assert len(server.chat_requests) == 2
    second = json.dumps(server.chat_requests[1].body)
    assert QUESTION in second
    assert "GROUP BY tier" in second
    assert [a.question for a in pane.history] == [
        QUESTION,
        narrowed.question,
        "Which of them could churn next",
    ]
    assert QUESTION in pane.answer_view.history_label.text()
    assert pane.answer_view.model.is_link(followup.columns.index("customer"))

    # A question the views cannot answer: the model's reason, in plain words.
    server.reply = reply(None, "the workspace has no web analytics")
    qtbot.mouseClick(pane.new_button, Qt.MouseButton.LeftButton)
    type_question(qtbot, pane, "Which landing page converts visitors best")
    settle(qtbot, pane, jobs)
    assert pane.answer_view.answer is None
    assert pane.answer_view.message == (
        "I can't answer that from this workspace: the workspace has no web analytics."
    )


def test_a_provider_off_this_computer_shows_the_request_first_and_cancel_sends_nothing(
    qtbot,
    jobs: JobRunner,
    workspace: Workspace,
    theme: ThemeManager,
    ui_settings: QSettings,
) -> None:
    # .invalid never resolves: nothing can leave by mistake.
    use_provider(
        workspace,
        llm__preset="openai",
        llm__base_url="https://api.example.invalid/v1",
        llm__model="gpt-test",
    )
    window = make_window(qtbot, jobs, workspace, theme, ui_settings)
    pane = window.ask
    assert pane.provider is not None
    assert not pane.provider.local
    type_question(qtbot, pane, QUESTION)
    qtbot.waitUntil(lambda: pane.preview_dialog is not None, timeout=TIMEOUT_MS)
    dialog = pane.preview_dialog
    assert dialog is not None
    assert dialog.send_button.text() == "Send to api.example.invalid"
    text = dialog.text.toPlainText()
    assert "https://api.example.invalid/v1" in text
    assert QUESTION in text
    assert "Nothing has been sent yet" in " ".join(
        label.text() for label in dialog.findChildren(type(pane.provider_label))
    )
    dialog.reject()
    qtbot.waitUntil(lambda: "Nothing was sent" in pane.answer_view.message, timeout=TIMEOUT_MS)
    settle(qtbot, pane, jobs)
    assert pane.answer_view.answer is None
    with workspace.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT value FROM settings WHERE key = 'llm.reviewed_remote'"
        ).fetchall()
    assert not stored or "example.invalid" not in stored[0][0]


def test_cancel_stops_a_question_and_a_failing_provider_is_a_plain_message(
    qtbot,
    jobs: JobRunner,
    workspace: Workspace,
    theme: ThemeManager,
    ui_settings: QSettings,
    server: FakeOpenAIServer,
) -> None:
    window = make_window(qtbot, jobs, workspace, theme, ui_settings)
    pane = window.ask
    view = pane.answer_view
    server.stall_after_chunks = 1
    type_question(qtbot, pane, QUESTION)
    # The UI thread keeps running meanwhile: it sends the request once it is prepared.
    qtbot.waitUntil(lambda: server.wait_until_stalled(0), timeout=TIMEOUT_MS)
    assert pane.busy
    assert view.busy_row.isVisible()
    assert "Asking sqlcoder" in view.busy_label.text()
    assert not pane.ask_button.isEnabled()
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert not pane.busy
    assert not view.busy_row.isVisible()
    assert pane.ask_button.isEnabled()
    server.release()
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    qtbot.wait(100)
    assert view.answer is None  # whatever came back after Cancel is not shown

    # The provider fails: its error in plain words, in the answer area.
    server.stall_after_chunks = None
    server.fail_with = 500
    type_question(qtbot, pane, QUESTION)
    settle(qtbot, pane, jobs)
    assert view.answer is None
    assert view.message
    assert view.message_label.isVisible()
    assert "Traceback" not in view.message


def test_a_provider_set_up_meanwhile_is_used_when_the_tab_is_shown_again(
    qtbot,
    jobs: JobRunner,
    workspace: Workspace,
    theme: ThemeManager,
    ui_settings: QSettings,
) -> None:
    window = make_window(qtbot, jobs, workspace, theme, ui_settings)
    pane = window.ask
    assert pane.provider is not None
    assert not pane.provider.configured
    assert pane.provider_label.text().startswith("Offline")
    with FakeOpenAIServer(models=["sqlcoder"], reply=reply(BY_TIER)) as fake:
        use_provider(
            workspace, llm__preset="llamacpp", llm__base_url=fake.base_url, llm__model="sqlcoder"
        )
        QTest.keySequence(window, QKeySequence("Ctrl+2"))
        QTest.keySequence(window, QKeySequence("Ctrl+6"))
        qtbot.waitUntil(
            lambda: pane.provider is not None and pane.provider.configured, timeout=TIMEOUT_MS
        )
        assert "sqlcoder" in pane.provider_label.text()
        type_question(qtbot, pane, QUESTION)
        settle(qtbot, pane, jobs)
        assert pane.answer_view.answer is not None
        assert pane.answer_view.answer.source == "model"
        assert len(fake.chat_requests) == 1
