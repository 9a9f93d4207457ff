"""The Ask tab in the window, on a copy of the scored demo workspace, offline (no
provider): Ctrl+6 and Ctrl+K; a saved question asked by typing and by picking it shows
the rows and summary the library computes; a customer opens in the Customers tab; Show
SQL; Save to library; "draft an email to the first"; errors as plain messages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDateEdit, QSpinBox

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.ask_source import WorkspaceAskSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from services.ask.answer import Answer
from services.ask.library import answer_saved, find_question, saved_questions
from views.ask.pane import STRONG_MATCH, AskPane
from views.item_models.answer_table_model import RawRole
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import TAB_ASK, TAB_CUSTOMERS, MainWindow

TIMEOUT_MS = 60_000
SIZE = (1366, 768)


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> Iterator[MainWindow]:
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
    yield window
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def open_ask(qtbot, window: MainWindow, jobs: JobRunner) -> AskPane:
    QTest.keySequence(window, QKeySequence("Ctrl+6"))
    assert window.tabs.currentIndex() == TAB_ASK
    assert window.tabs.tabText(TAB_ASK) == "Ask"
    pane = window.ask
    qtbot.waitUntil(
        lambda: pane.library.model.rowCount() > 0 and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    return pane


def shown_rows(pane: AskPane) -> list[tuple[Any, ...]]:
    model = pane.answer_view.model
    return [
        tuple(model.index(r, c).data(RawRole) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def wait_answer(qtbot, pane: AskPane, jobs: JobRunner) -> Answer:
    qtbot.waitUntil(lambda: not pane.busy and jobs.is_idle(), timeout=TIMEOUT_MS)
    answer = pane.answer_view.answer
    assert answer is not None, pane.answer_view.message
    return answer


def type_question(qtbot, pane: AskPane, text: str) -> None:
    pane.question_edit.clear()
    QTest.keyClicks(pane.question_edit, text)
    QTest.keyClick(pane.question_edit, Qt.Key.Key_Return)


def test_ctrl_k_shows_the_tab_with_the_cursor_in_the_question_box(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    QTest.keySequence(window, QKeySequence("Ctrl+K"))
    assert window.tabs.currentIndex() == TAB_ASK
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.ask.question_edit)
    qtbot.waitUntil(lambda: window.ask.library.model.rowCount() > 0 and jobs.is_idle())
    # Offline: the tab says plainly that typed questions go to the saved questions.
    assert "Offline: no provider is set up" in window.ask.provider_label.text()


def test_a_typed_question_is_answered_by_its_saved_question(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    pane = open_ask(qtbot, window, jobs)
    # The typed words suggest the saved question before Enter.
    QTest.keyClicks(pane.question_edit, "average satisfaction by ticket type")
    qtbot.waitUntil(lambda: bool(pane.suggestions), timeout=5_000)
    assert pane.suggestions[0].entry.id == "satisfaction_by_type"
    assert pane.suggestion_list.isVisible()
    QTest.keyClick(pane.question_edit, Qt.Key.Key_Return)
    answer = wait_answer(qtbot, pane, jobs)

    expected = answer_saved(
        workspace.engine, find_question(workspace.engine, answer.saved_id or "")
    )
    assert answer.saved_id == "satisfaction_by_type"
    assert shown_rows(pane) == [tuple(r) for r in expected.rows]
    assert pane.answer_view.summary_label.text() == expected.summary
    assert not pane.suggestion_list.isVisible()
    # A breakdown: its bar chart, one bar per ticket type, as the rows order them.
    assert pane.answer_view.chart_shown == "bar"
    chart = pane.answer_view.bar_chart
    assert chart is not None
    assert expected.chart is not None
    labels = [str(r[expected.chart.label_column]) for r in expected.rows]
    assert [label for label, _v in chart.bars] == labels
    # The picked question's form shows in the library.
    assert pane.library.picked is not None
    assert pane.library.picked.id == "satisfaction_by_type"
    assert "Satisfaction by ticket type" in pane.answer_view.source_label.text()


def test_a_picked_question_runs_with_the_values_in_its_form(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    pane = open_ask(qtbot, window, jobs)
    library = pane.library
    row = library.model.row_of("frequent_tickets")
    assert row >= 0
    library.list_view.setCurrentIndex(library.model.index(row))
    editors = {f.name: e for f, e in library._editors}
    assert set(editors) >= {"days"}
    days = editors["days"]
    assert isinstance(days, QSpinBox)
    days.setValue(120)
    qtbot.mouseClick(library.ask_button, Qt.MouseButton.LeftButton)
    answer = wait_answer(qtbot, pane, jobs)
    values = library.values()
    assert values["days"] == 120
    question = find_question(workspace.engine, "frequent_tickets")
    expected = answer_saved(workspace.engine, question, values)
    assert shown_rows(pane) == [tuple(r) for r in expected.rows]
    assert answer.params["days"] == 120
    assert pane.answer_view.summary_label.text() == expected.summary


def test_a_customer_opens_in_the_customers_tab(qtbot, window: MainWindow, jobs: JobRunner) -> None:
    pane = open_ask(qtbot, window, jobs)
    type_question(qtbot, pane, "Show me customers in the Gold loyalty tier who haven't engaged")
    answer = wait_answer(qtbot, pane, jobs)
    assert answer.customer_column is not None
    assert answer.customer_ids
    assert pane.answer_view.chart_shown is None  # a list of customers has no chart
    view = pane.answer_view
    table = view.table
    name_column = answer.columns.index("customer")
    assert view.model.is_link(name_column)
    first = view.model.customer_at(0)
    assert first == answer.customer_ids[0]
    cell = table.visualRect(view.model.index(0, name_column)).center()
    # A real double click: a click, then the double click on the same row.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    qtbot.waitUntil(
        lambda: window.detail_pane.detail is not None and window.detail_pane.detail.id == first,
        timeout=TIMEOUT_MS,
    )
    # Enter on a row opens that row's customer too.
    window.tabs.setCurrentIndex(TAB_ASK)
    second = view.model.customer_at(1)
    table.setFocus()
    table.setCurrentIndex(view.model.index(1, 0))
    QTest.keyClick(table, Qt.Key.Key_Return)
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    qtbot.waitUntil(
        lambda: window.detail_pane.detail is not None and window.detail_pane.detail.id == second,
        timeout=TIMEOUT_MS,
    )


def test_show_sql_shows_the_query_and_its_values(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    pane = open_ask(qtbot, window, jobs)
    type_question(qtbot, pane, "customers with 3+ support tickets in the last 45 days")
    answer = wait_answer(qtbot, pane, jobs)
    view = pane.answer_view
    assert not view.sql_text.isVisible()
    qtbot.mouseClick(view.sql_button, Qt.MouseButton.LeftButton)
    assert view.sql_text.isVisible()
    assert view.sql_text.isReadOnly()
    text = view.sql_text.toPlainText()
    assert answer.sql.strip() in text
    assert ":days = 45" in text  # the number typed reached the query
    qtbot.mouseClick(view.copy_sql_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == text
    qtbot.mouseClick(view.sql_button, Qt.MouseButton.LeftButton)
    assert not view.sql_text.isVisible()


def test_save_to_library_adds_the_question_to_the_list(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    pane = open_ask(qtbot, window, jobs)
    # A question with dates worked out from its days: the saved copy runs as answered.
    type_question(qtbot, pane, "Show me customers in the Gold loyalty tier who haven't engaged")
    answered = wait_answer(qtbot, pane, jobs)
    assert answered.rows
    before = pane.library.model.rowCount()
    qtbot.mouseClick(pane.answer_view.save_button, Qt.MouseButton.LeftButton)
    dialog = pane.save_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert not dialog.isModal()
    dialog.title_edit.setText("My quiet Gold customers")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.library.model.rowCount() == before + 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    titles = [e.title for e in pane.library.model.entries]
    assert "My quiet Gold customers" in titles
    assert pane.library.picked is not None
    assert pane.library.picked.title == "My quiet Gold customers"
    saved = [q for q in saved_questions(workspace.engine) if q.title == "My quiet Gold customers"]
    assert len(saved) == 1
    assert not saved[0].builtin
    again_answer = answer_saved(workspace.engine, saved[0])
    assert again_answer.rows == answered.rows
    # Saving the same title again is refused in plain words, the dialog stays open.
    qtbot.mouseClick(pane.answer_view.save_button, Qt.MouseButton.LeftButton)
    again = pane.save_dialog
    assert again is not None
    again.title_edit.setText("My quiet Gold customers")
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.error_label.isVisible(), timeout=TIMEOUT_MS)
    assert "already has a question called" in again.error_label.text()
    again.close()


def test_draft_an_email_to_the_first_asks_for_the_composer(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    pane = open_ask(qtbot, window, jobs)
    type_question(qtbot, pane, "Show me customers in the Gold loyalty tier who haven't engaged")
    answer = wait_answer(qtbot, pane, jobs)
    assert len(answer.customer_ids) >= 2
    with qtbot.waitSignal(pane.draft_requested, timeout=5_000) as blocker:
        type_question(qtbot, pane, "draft an email to the second")
    assert blocker.args == [answer.customer_ids[1]]
    assert pane.answer_view.answer is answer  # the answer stays


def test_an_error_is_a_plain_message_in_the_answer_area(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    pane = open_ask(qtbot, window, jobs)
    library = pane.library
    library.list_view.setCurrentIndex(library.model.index(library.model.row_of("customer_360")))
    qtbot.mouseClick(library.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not pane.busy and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert pane.answer_view.answer is None
    assert "Which customer?" in pane.answer_view.message
    assert pane.answer_view.message_label.isVisible()
    # Words no saved question knows, and no provider: said plainly, nothing crashes.
    type_question(qtbot, pane, "zebra quantum marmalade")
    qtbot.waitUntil(lambda: bool(pane.answer_view.message), timeout=TIMEOUT_MS)
    assert "No saved question matches those words" in pane.answer_view.message


def test_new_question_forgets_the_conversation(qtbot, window: MainWindow, jobs: JobRunner) -> None:
    pane = open_ask(qtbot, window, jobs)
    type_question(qtbot, pane, "biggest open deals")
    wait_answer(qtbot, pane, jobs)
    assert len(pane.history) == 1
    qtbot.mouseClick(pane.new_button, Qt.MouseButton.LeftButton)
    assert pane.history == []
    assert pane.answer_view.answer is None
    assert pane.question_edit.text() == ""
    assert pane.answer_view.hint_label.isVisible()


def test_date_parameters_are_edited_as_dates(qtbot, window: MainWindow, jobs: JobRunner) -> None:
    pane = open_ask(qtbot, window, jobs)
    dated = [e for e in pane.library.model.entries if any(p.kind == "date" for p in e.params)]
    if not dated:
        pytest.skip("no saved question takes a date")
    pane.library.pick(dated[0].id)
    name = next(p.name for p in dated[0].params if p.kind == "date")
    assert isinstance(pane.library.editor(name), QDateEdit)
    value = pane.library.values()[name]
    assert isinstance(value, str)
    assert len(value) == 10


def test_a_follow_up_narrows_the_answer_offline(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    pane = open_ask(qtbot, window, jobs)
    type_question(qtbot, pane, "Who are our most valuable customers? top 60")
    first = wait_answer(qtbot, pane, jobs)
    tier = first.columns.index("tier")
    gold = [row for row in first.rows if row[tier] == "Gold"]
    assert gold
    assert len(gold) < len(first.rows)
    type_question(qtbot, pane, "only the Gold ones")
    narrowed = wait_answer(qtbot, pane, jobs)
    assert narrowed is not first
    assert [tuple(r) for r in narrowed.rows] == [tuple(r) for r in gold]
    assert shown_rows(pane) == [tuple(r) for r in gold]
    assert "narrowed down" in pane.answer_view.source_label.text()
    # The conversation so far is shown above the answer.
    assert len(pane.history) == 2
    assert pane.answer_view.history_label.isVisible()
    assert "most valuable customers" in pane.answer_view.history_label.text()
    # And a draft goes to the narrowed list's first customer.
    with qtbot.waitSignal(pane.draft_requested, timeout=5_000) as blocker:
        type_question(qtbot, pane, "draft an email to the first")
    assert blocker.args == [narrowed.customer_ids[0]]


def test_loose_words_are_answered_by_the_closest_question_and_say_so(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    pane = open_ask(qtbot, window, jobs)
    suggestions = window.ask._source.suggestions("gold tier", 1)  # type: ignore[union-attr]
    assert suggestions
    assert suggestions[0].score < STRONG_MATCH
    type_question(qtbot, pane, "gold tier")
    answer = wait_answer(qtbot, pane, jobs)
    assert answer.saved_id == suggestions[0].entry.id
    assert "The closest saved question" in pane.answer_view.source_label.text()
    # Clear words are answered without the caveat.
    type_question(qtbot, pane, "What's the average satisfaction score by ticket type?")
    wait_answer(qtbot, pane, jobs)
    assert pane.answer_view.source_label.text().startswith("From the saved question")


@pytest.mark.parametrize(
    ("text", "closest"),
    [
        ("customers at risk in the North region", "at_risk_by_owner"),
        ("Which region has the most Platinum customers?", "top_clv"),
    ],
)
def test_words_no_saved_question_answers_offer_the_closest_to_pick(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, text: str, closest: str
) -> None:
    pane = open_ask(qtbot, window, jobs)
    type_question(qtbot, pane, text)
    qtbot.waitUntil(lambda: not pane.busy and jobs.is_idle(), timeout=TIMEOUT_MS)
    # No other question's answer under these words: a message, and the closest as choices.
    assert pane.answer_view.answer is None
    assert "No saved question answers that" in pane.answer_view.message
    assert pane.suggestion_list.isVisible()
    assert pane.suggestions[0].entry.id == closest
    assert not any(s.answers for s in pane.suggestions)
    # Picking one runs it, under its own title.
    pane.suggestion_list.setFocus()
    pane.suggestion_list.setCurrentIndex(pane.suggestion_model.index(0))
    QTest.keyClick(pane.suggestion_list, Qt.Key.Key_Return)
    answer = wait_answer(qtbot, pane, jobs)
    assert answer.saved_id == closest
    assert answer.question != text
    assert answer.question == find_question(workspace.engine, closest).question
