"""The Ask tab: questions in plain words over the workspace.

A question box (Enter asks; the typed words show the saved questions they may mean),
the saved questions with the picked one's parameters, and the answer (views/ask/
answer_view.py). How a typed question is answered:

1. After an answer, "draft an email to the first" opens the composer for that row's
   customer (``draft_requested``), and a follow-up the previous answer can answer by
   itself ("only the Gold ones") refines it without a model.
2. A saved question the words clearly mean is answered from the library.
3. Otherwise a configured provider writes the query (the conversation so far goes with
   it); before the first request to a provider off this computer the user sees exactly
   what will be sent and chooses to send it or not.
4. With no provider, the best matching saved question answers, and the tab says so;
   with no match at all it says what can be asked instead.

Everything slow runs on the job runner (a new question cancels the one in flight;
Cancel stops it); an error is a plain message in the answer area.

Signals:
    customer_requested(int): open this customer in the Customers tab.
    draft_requested(int): open the email composer for this customer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from services.ask.match import STRONG_MATCH
from views.ask.answer_view import AnswerView
from views.ask.dialogs import AskPreviewDialog, SaveQuestionDialog
from views.ask.library_panel import LibraryPanel, QuestionListModel
from views.ask.source import AskSource, ModelRequest, ProviderStatus, QuestionEntry, Suggestion
from views.kit.accessibility import name, name_field
from views.kit.theme import LIGHT, Theme

if TYPE_CHECKING:
    from services.ask.answer import Answer
    from views.kit.jobs import JobRunner, PoolName, TaskState

NO_SOURCE_TEXT = "Open a workspace to ask questions about it."
PLACEHOLDER = "Ask a question about your customers, or pick a saved one (Enter asks)"
SUGGEST_DELAY_MS = 150
MAX_SUGGESTIONS = 4


class _QuestionBox(QLineEdit):
    """The question box: Down moves into the suggestions."""

    down_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Down:
            self.down_pressed.emit()
            return
        super().keyPressEvent(event)


class _SuggestionList(QListView):
    """Suggestions under the box: Enter asks the current one, Up from the top goes back."""

    chosen = Signal(int)
    leave_up = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.chosen.emit(self.currentIndex().row())
            return
        if key == Qt.Key.Key_Up and self.currentIndex().row() <= 0:
            self.leave_up.emit()
            return
        super().keyPressEvent(event)


class AskPane(QWidget):
    """Questions over one workspace, answered from the library or by the provider."""

    customer_requested = Signal(int)
    draft_requested = Signal(int)

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("askPane")
        self._jobs = jobs
        self._source: AskSource | None = None
        self._theme: Theme = LIGHT
        self.provider: ProviderStatus | None = None
        self.history: list[Answer] = []
        self.request: ModelRequest | None = None  # the last request made for the model
        self._suggestions: list[Suggestion] = []
        self._op: Any = None
        self._questions_stale = True
        self._pending_pick: str | None = None  # a question just saved: picked once listed
        self.save_dialog: SaveQuestionDialog | None = None
        self.preview_dialog: AskPreviewDialog | None = None
        self.focus_action: QAction | None = None  # View ▸ Ask a question (views/shell/ask_tab.py)
        self._suggest_timer = QTimer(self)
        self._suggest_timer.setSingleShot(True)
        self._suggest_timer.setInterval(SUGGEST_DELAY_MS)
        self._suggest_timer.timeout.connect(self._update_suggestions)

        self._stack = QStackedWidget(self)
        self.empty_label = QLabel(NO_SOURCE_TEXT, self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(self._build_content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    def _build_content(self) -> QWidget:
        content = QWidget(self)
        self.question_edit = _QuestionBox(content)
        self.question_edit.setObjectName("searchBox")
        self.question_edit.setPlaceholderText(PLACEHOLDER)
        self.question_edit.setClearButtonEnabled(True)
        name_field(self.question_edit, "Question")
        self.question_edit.returnPressed.connect(self._on_question_edit_return_pressed)
        self.question_edit.textEdited.connect(lambda _t: self._suggest_timer.start())
        self.question_edit.down_pressed.connect(self._on_question_edit_down_pressed)
        self.ask_button = QPushButton("Ask", content)
        self.ask_button.clicked.connect(self._on_question_edit_return_pressed)
        self.new_button = QPushButton("New question", content)
        self.new_button.setToolTip("Forget this conversation and start again")
        self.new_button.clicked.connect(self.new_question)
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.question_edit, 1)
        top.addWidget(self.ask_button)
        top.addWidget(self.new_button)

        self.suggestion_model = QuestionListModel(self)
        self.suggestion_list = _SuggestionList(content)
        self.suggestion_list.setObjectName("askSuggestions")
        name(self.suggestion_list, "Suggested questions")
        self.suggestion_list.setModel(self.suggestion_model)
        self.suggestion_list.setUniformItemSizes(True)
        self.suggestion_list.setFrameShape(QFrame.Shape.StyledPanel)
        self.suggestion_list.clicked.connect(lambda index: self._ask_suggestion(index.row()))
        self.suggestion_list.chosen.connect(self._ask_suggestion)
        self.suggestion_list.leave_up.connect(self.question_edit.setFocus)
        self.suggestion_title = QLabel("Saved questions that match:", content)
        self.suggestion_title.setObjectName("kpiNote")
        self._show_suggestion_list(False)

        self.provider_label = QLabel("", content)
        self.provider_label.setObjectName("kpiNote")
        self.provider_label.setWordWrap(True)

        self.library = LibraryPanel(content)
        self.library.ask_requested.connect(self._on_library_ask_requested)
        self.library.delete_requested.connect(self._on_library_delete_requested)
        self.answer_view = AnswerView(content)
        self.answer_view.customer_opened.connect(self.customer_requested)
        self.answer_view.cancel_requested.connect(self.cancel)
        self.answer_view.save_requested.connect(self.open_save_dialog)
        self.answer_view.preview_requested.connect(self.show_preview)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, content)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.library)
        self.splitter.addWidget(self.answer_view)
        self.library.setMinimumWidth(250)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([320, 1000])

        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.suggestion_title)
        layout.addWidget(self.suggestion_list)
        layout.addWidget(self.provider_label)
        layout.addWidget(self.splitter, 1)
        return content

    # -- the workspace --------------------------------------------------------------------

    def set_source(self, source: AskSource | None) -> None:
        """Ask over this workspace (None: none open)."""
        self.cancel()
        for dialog in (self.save_dialog, self.preview_dialog):
            if dialog is not None:
                dialog.close()  # they belong to the workspace that was open
        self._source = source
        self.history = []
        self.request = None
        self.provider = None
        self.answer_view.show_answer(None)
        self.answer_view.set_history([])
        self.answer_view.set_preview_available(False)
        self.library.set_entries(())
        self._set_suggestions([])
        self._stack.setCurrentIndex(0 if source is None else 1)
        if source is None:
            return
        self.answer_view.set_home_currency(source.home_currency)
        self._questions_stale = True
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        """Read the saved questions and the provider again."""
        source = self._source
        if source is None:
            return
        self._questions_stale = False
        waiting = self._jobs.waiting_for()
        if waiting and self.provider is None:  # not an empty library, nor "no provider"
            self.provider_label.setText(
                f"Waiting for {waiting} to finish; the saved questions and the provider "
                "are read then."
            )

        def task(_state: TaskState) -> tuple[list[QuestionEntry], ProviderStatus]:
            return source.questions(), source.provider()

        (
            self._jobs.operation(task, parent=self, key=("ask.library", id(self)))
            .success(lambda result: self._on_library_loaded(*result))
            .failure(self._on_library_failed)
            .run()
        )

    def reload_provider(self) -> None:
        """Read the provider again (Settings ▸ Email drafting may have changed it)."""
        source = self._source
        if source is None:
            return
        (
            self._jobs.operation(
                lambda _state: source.provider(), parent=self, key=("ask.provider", id(self))
            )
            .success(self._show_provider)
            .failure(self._on_library_failed)
            .run()
        )

    def _on_library_loaded(self, entries: list[QuestionEntry], provider: ProviderStatus) -> None:
        self.library.set_entries(entries)
        if self._pending_pick is not None:
            self.library.pick(self._pending_pick)
            self._pending_pick = None
        self._show_provider(provider)

    def _show_provider(self, provider: ProviderStatus) -> None:
        self.provider = provider
        if provider.configured:
            where = "on this computer" if provider.local else "off this computer"
            text = (
                f"Typed questions go to {provider.label} ({where}) unless a saved question "
                "answers them; the saved questions work offline."
            )
        elif provider.problem and not provider.problem.startswith("no provider"):
            text = (
                f"Offline: the provider cannot be used ({provider.problem}). Typed questions "
                "are matched to the saved questions."
            )
        else:
            text = (
                "Offline: no provider is set up, so typed questions are matched to the saved "
                "questions. Set one up in Settings ▸ Email drafting to ask anything."
            )
        self.provider_label.setText(text)

    def _on_library_failed(self, error: BaseException) -> None:
        self._questions_stale = True
        self._show_error(error)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._source is not None and self._questions_stale:
            self.reload()
        elif self._source is not None and not event.spontaneous():
            self.reload_provider()

    def focus_question(self) -> None:
        """Put the cursor in the question box (Ctrl+K), its text selected."""
        self.question_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.question_edit.selectAll()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.answer_view.set_theme(theme)

    @property
    def busy(self) -> bool:
        return self._op is not None

    # -- asking ---------------------------------------------------------------------------

    def ask(self, text: str) -> None:
        """Answer a typed question (see the module docstring for how)."""
        source = self._source
        text = " ".join(text.split())
        if source is None or not text:
            return
        self._set_suggestions([])
        previous = self.history[-1] if self.history else None
        if previous is not None:
            row = source.draft_row(text)
            if row is not None:
                self._draft_row(previous, row)
                return
            self._run(
                lambda state: source.refine(previous, text, state.cancelled),
                "Refining the previous answer…",
                lambda answer: self._on_refined(text, answer),
                question=text,
            )
            return
        self._ask_fresh(text)

    def _on_refined(self, text: str, answer: Answer | None) -> None:
        if answer is not None:
            self._show(answer, followup=True, refined=True)
        else:
            self._ask_fresh(text, followup=True)

    def _ask_fresh(self, text: str, *, followup: bool = False) -> None:
        source = self._source
        if source is None:
            return
        matches = source.suggestions(text, MAX_SUGGESTIONS)
        answering = [m for m in matches if m.answers]
        best = answering[0] if answering else None
        provider = self.provider
        reading = provider is None and not self._questions_stale  # a failed read is stale
        if reading and (best is None or best.score < STRONG_MATCH):
            # Still being read: not "no provider", nor a loose match in its stead.
            waiting = self._jobs.waiting_for()
            self.answer_view.show_message(
                "The saved questions and the provider are still being read"
                + (f" (waiting for {waiting} to finish)" if waiting else "")
                + ". Ask again in a moment.",
                "muted",
            )
            return
        if best is not None and (
            best.score >= STRONG_MATCH or not provider or not provider.configured
        ):
            self.library.pick(best.entry.id, best.values)
            loose = best.score < STRONG_MATCH
            self._ask_saved(best.entry.id, best.values, asked=text, loose=loose)
            return
        if provider is not None and provider.configured:
            self._prepare_model(text, followup=followup)
            return
        self.answer_view.hide_busy()
        if matches:
            # Never another question's answer under these words: the closest, to pick from.
            self._set_suggestions(matches)
            self.answer_view.show_message(
                "No saved question answers that. The closest ones are listed under the "
                "question: pick one, or ask in other words.",
                "warning",
            )
            return
        self.answer_view.show_message(
            "No saved question matches those words, and no provider is set up to write a "
            "query for them. Pick a question from Saved questions, or set up a provider in "
            "Settings ▸ Email drafting.",
            "warning",
        )

    def _ask_saved(
        self, question_id: str, values: dict[str, Any], *, asked: str | None, loose: bool = False
    ) -> None:
        """``loose``: the closest saved question to typed words, not a clear match."""
        source = self._source
        if source is None:
            return
        self.history = []  # a saved question starts a new conversation
        self._run(
            lambda state: source.answer_saved(question_id, values, asked, state.cancelled),
            "Answering from the saved question…",
            lambda answer: self._show(answer, loose=loose),
            question=asked or self._title_of(question_id),
        )

    def _prepare_model(self, text: str, *, followup: bool) -> None:
        source = self._source
        if source is None:
            return
        history = list(self.history) if followup else []
        if not followup:
            self.history = []
        self._run(
            lambda _state: source.prepare_model(text, history),
            "Preparing the request…",
            lambda request: self._on_model_prepared(request, followup),
            question=text,
        )

    def _on_model_prepared(self, request: ModelRequest, followup: bool) -> None:
        self.request = request
        self.answer_view.set_preview_available(True)
        if not followup:
            self.history = []
        if request.needs_review:
            self._open_preview(request, asking=True)
            return
        self._send(request)

    def _send(self, request: ModelRequest) -> None:
        source = self._source
        provider = self.provider
        if source is None:
            return
        label = provider.label if provider is not None and provider.label else request.host
        self._run(
            lambda state: source.ask_model(request, state.cancelled),
            f"Asking {label}…",
            lambda answer: self._show(answer, followup=bool(self.history)),
            question=request.question,
            pool="work",
        )

    def _on_preview_choice_made(self, request: ModelRequest, choice: str) -> None:
        source = self._source
        if choice != "send" or source is None:
            self.answer_view.hide_busy()
            self.answer_view.show_message(
                "Nothing was sent. Press Enter to review the request again, or pick a saved "
                "question.",
                "muted",
            )
            return
        self._jobs.operation(
            lambda _state: source.mark_reviewed(request), parent=self, label="remember the review"
        ).run()
        self._send(request)

    def _run(
        self,
        fn: Callable[[TaskState], Any],
        busy_text: str,
        done: Callable[[Any], None],
        *,
        question: str,
        pool: PoolName = "db",
    ) -> None:
        self.cancel()
        self.answer_view.show_question(question)
        self.answer_view.show_busy(busy_text)
        self.ask_button.setEnabled(False)
        op = self._jobs.operation(fn, parent=self, key=("ask.answer", id(self)), pool=pool)

        def finished() -> None:
            if self._op is op:
                self._op = None
                self.ask_button.setEnabled(True)
                if not (self.preview_dialog is not None and self.preview_dialog.isVisible()):
                    self.answer_view.hide_busy()

        op.success(done).failure(self._show_error).cancelled(self._on_cancelled)
        op.finished(finished)
        self._op = op
        op.run()

    def cancel(self) -> None:
        """Stop the question being answered (nothing it returns is shown)."""
        op, self._op = self._op, None
        if op is not None:
            op.cancel()
        self.ask_button.setEnabled(True)
        self.answer_view.hide_busy()

    def _on_cancelled(self) -> None:
        self.answer_view.show_message("Stopped. Nothing more will come of that question.", "muted")

    def _show(
        self, answer: Answer, *, followup: bool = False, refined: bool = False, loose: bool = False
    ) -> None:
        if not followup:
            self.history = []
        earlier = [a.question for a in self.history]
        self.history.append(answer)
        self.answer_view.set_history(earlier)
        words = self._source_words(answer, refined, loose)
        self.answer_view.show_answer(answer, source_text=words)

    def _source_words(self, answer: Answer, refined: bool, loose: bool = False) -> str:
        if refined:
            return "The previous answer, narrowed down (no provider asked)."
        if answer.source == "model":
            provider = self.provider
            who = provider.label if provider is not None and provider.label else "the provider"
            return f"Query written by {who}, run read-only on this workspace."
        title = self._title_of(answer.saved_id) if answer.saved_id else ""
        if title and loose:
            return (
                f"The closest saved question, “{title}”: no provider is set up to write a "
                "query for these exact words."
            )
        if title:
            return f"From the saved question “{title}” (no provider asked)."
        return "From the saved questions (no provider asked)."

    def _title_of(self, question_id: str | None) -> str:
        for entry in self.library.model.entries:
            if entry.id == question_id:
                return entry.title
        return ""

    def _show_error(self, error: BaseException) -> None:
        source = self._source
        text = source.error_text(error) if source is not None else None
        if text is None:
            # A bug: the error presenter logs it with its traceback and says so.
            self._jobs.present_error(error)
            text = "Something went wrong answering that; the details are in the log."
        self.answer_view.show_message(text)

    def new_question(self) -> None:
        """Forget the conversation: the next question starts afresh."""
        self.cancel()
        self.history = []
        self.request = None
        self.answer_view.show_answer(None)
        self.answer_view.set_history([])
        self.answer_view.set_preview_available(False)
        self.question_edit.clear()
        self.focus_question()

    def _draft_row(self, previous: Answer, row: int) -> None:
        customers = previous.customer_ids
        if previous.customer_column is None or not customers:
            self.answer_view.show_message(
                "This answer lists no customers to write to; ask for customers first.",
                "warning",
            )
            return
        if row < 0:
            row += len(customers)  # -1: the last
        if not 0 <= row < len(customers):
            self.answer_view.show_message(
                f"The answer has {len(customers):,} customers; there is no number {row + 1}.",
                "warning",
            )
            return
        self.answer_view.clear_message()
        self.draft_requested.emit(customers[row])

    # -- the question box and the library -------------------------------------------------

    def _on_question_edit_return_pressed(self) -> None:
        self._suggest_timer.stop()
        self.ask(self.question_edit.text())

    def _update_suggestions(self) -> None:
        source = self._source
        text = self.question_edit.text().strip()
        if source is None or len(text) < 3:
            self._set_suggestions([])
            return
        self._set_suggestions(source.suggestions(text, MAX_SUGGESTIONS))

    def _set_suggestions(self, suggestions: list[Suggestion]) -> None:
        self._suggestions = suggestions
        self.suggestion_model.set_entries([s.entry for s in suggestions])
        self._show_suggestion_list(bool(suggestions))

    def _show_suggestion_list(self, shown: bool) -> None:
        rows = max(self.suggestion_model.rowCount(), 1)
        self.suggestion_list.setFixedHeight(rows * (self.fontMetrics().height() + 6) + 6)
        self.suggestion_list.setVisible(shown)
        self.suggestion_title.setVisible(shown)

    @property
    def suggestions(self) -> list[Suggestion]:
        return list(self._suggestions)

    def _on_question_edit_down_pressed(self) -> None:
        if self._suggestions:
            self.suggestion_list.setFocus()
            self.suggestion_list.setCurrentIndex(self.suggestion_model.index(0))

    def _ask_suggestion(self, row: int) -> None:
        if not 0 <= row < len(self._suggestions):
            return
        chosen = self._suggestions[row]
        self.library.pick(chosen.entry.id, chosen.values)
        # Only the closest question: under its own words, not the typed ones.
        asked = self.question_edit.text().strip() if chosen.answers else None
        self._ask_saved(chosen.entry.id, chosen.values, asked=asked)

    def _on_library_ask_requested(self, question_id: str, values: dict[str, Any]) -> None:
        self._set_suggestions([])
        self._ask_saved(question_id, values, asked=None)

    def _on_library_delete_requested(self, question_id: str) -> None:
        source = self._source
        if source is None:
            return
        (
            self._jobs.operation(
                lambda _state: source.delete_question(question_id), parent=self, label="remove"
            )
            .success(lambda _none: self.reload())
            .failure(self._show_error)
            .run()
        )

    # -- save and preview ---------------------------------------------------------------------

    def open_save_dialog(self) -> None:
        """ "Save to library…": a title, then the question joins Saved questions."""
        answer = self.answer_view.answer
        if answer is None or self._source is None:
            return
        if self.save_dialog is not None:
            self.save_dialog.close()
        dialog = SaveQuestionDialog(answer.question, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.title_chosen.connect(lambda title: self._save(dialog, title, answer))
        dialog.destroyed.connect(lambda _o=None: self._forget_save_dialog(dialog))
        self.save_dialog = dialog
        dialog.setModal(False)  # the answer stays readable (and its SQL copyable) meanwhile
        dialog.show()

    def _forget_save_dialog(self, dialog: SaveQuestionDialog) -> None:
        if self.save_dialog is dialog:
            self.save_dialog = None

    def _save(self, dialog: SaveQuestionDialog, title: str, answer: Answer) -> None:
        source = self._source
        if source is None:
            return
        dialog.save_button.setEnabled(False)

        def saved(entry: QuestionEntry) -> None:
            dialog.accept()
            self._pending_pick = entry.id
            self.reload()
            self.answer_view.source_label.setText(f"Saved to the library as “{entry.title}”.")

        def failed(error: BaseException) -> None:
            dialog.save_button.setEnabled(True)
            text = source.error_text(error)
            if text is None:
                self._jobs.present_error(error)
                text = "The question could not be saved; the details are in the log."
            dialog.show_error(text)

        (
            self._jobs.operation(
                lambda _state: source.save_question(title, answer), parent=self, label="save"
            )
            .success(saved)
            .failure(failed)
            .run()
        )

    def show_preview(self) -> None:
        """ "What will be sent…": the last request made for the model, as it went."""
        if self.request is not None:
            self._open_preview(self.request, asking=False)

    def _open_preview(self, request: ModelRequest, *, asking: bool) -> None:
        if self.preview_dialog is not None:
            self.preview_dialog.close()
        dialog = AskPreviewDialog(request.preview, host=request.host, asking=asking, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if asking:
            self.answer_view.show_busy(f"Waiting for you to review what goes to {request.host}…")
            dialog.choice_made.connect(lambda choice: self._on_preview_choice_made(request, choice))
        dialog.destroyed.connect(lambda _o=None: self._forget_preview(dialog))
        self.preview_dialog = dialog
        dialog.open()

    def _forget_preview(self, dialog: AskPreviewDialog) -> None:
        if self.preview_dialog is dialog:
            self.preview_dialog = None
