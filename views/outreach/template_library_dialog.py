"""The template library: one email template per goal, edited with a live preview.

The template drafts are what the composer offers when no provider writes one. The
dialog only shows and asks; the app renders the preview (a made-up customer), checks a
template before it is stored and stores it in the workspace.

Signals:
    save_requested(goal, subject, body): store this goal's template.
    reset_requested(goal): go back to the built-in template of this goal.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from views.kit.accessibility import name
from views.kit.confirm import ask_yes_cancel
from views.kit.geometry import FitsScreen, resize_for_text

PREVIEW_DELAY_MS = 250


@dataclass(frozen=True)
class TemplateText:
    """One goal's template as the dialog shows it."""

    goal: str
    label: str  # "Win back"
    subject: str
    body: str
    custom: bool  # the workspace's own, not the built-in one


# (goal, subject, body) -> the rendered (subject, body); raises ValueError with the reason.
PreviewFn = Callable[[str, str, str], tuple[str, str]]


class TemplateLibraryDialog(QDialog):
    """Goals on the left; the chosen goal's subject and body, and how they read."""

    save_requested = Signal(str, str, str)
    reset_requested = Signal(str)

    def __init__(  # noqa: PLR0915
        self,
        templates: Mapping[str, TemplateText],
        preview: PreviewFn,
        variables: str,
        parent: QWidget | None = None,
        *,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("templateLibrary")
        self.setWindowTitle("Email templates")
        self._templates = dict(templates)
        self._preview = preview
        self._goals = list(templates)
        self._loading = False
        self._confirm = confirm or self._ask

        self.goal_model = QStringListModel([self._list_label(g) for g in self._goals], self)
        self.goals = name(QListView(self), "Templates")
        self.goals.setModel(self.goal_model)
        self.goals.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        # 270 px where there is room; narrower on a small screen (scaled to 200 %).
        self.goals.setMinimumWidth(150)
        self.goals.setMaximumWidth(270)
        self.goals.setWordWrap(True)
        self.goals.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.subject = QLineEdit(self)
        self.subject.setObjectName("templateSubject")
        name(self.subject, "Subject template")
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("templateBody")
        name(self.body, "Body template")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.body.setFont(mono)
        self.state = QLabel("", self)
        self.state.setObjectName("muted")
        self.problem = QLabel("", self)
        self.problem.setObjectName("settingError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        help_text = QLabel(
            "Jinja2 syntax: <code>{{ first_name }}</code>, "
            "<code>{% if offer %}…{% endif %}</code>. Names you can use: "
            f"{html.escape(variables)}",
            self,
        )
        help_text.setObjectName("muted")
        help_text.setWordWrap(True)
        help_text.setTextFormat(Qt.TextFormat.RichText)

        self.preview_subject = QLabel("", self)
        self.preview_subject.setObjectName("previewSubject")
        self.preview_subject.setWordWrap(True)
        self.preview_body = QPlainTextEdit(self)
        self.preview_body.setObjectName("previewBody")
        name(self.preview_body, "Preview")
        self.preview_body.setReadOnly(True)

        self.save_button = QPushButton("Save template", self)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.reset_button = QPushButton("Use the built-in template", self)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)

        editor = QWidget(self)
        edit = QVBoxLayout(editor)
        edit.setContentsMargins(0, 0, 0, 0)
        edit.addWidget(QLabel("<b>Subject</b>", editor))
        edit.addWidget(self.subject)
        edit.addWidget(QLabel("<b>Body</b>", editor))
        edit.addWidget(self.body, 1)
        edit.addWidget(self.problem)
        edit.addWidget(help_text)
        preview_box = QWidget(self)
        shown = QVBoxLayout(preview_box)
        shown.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("<b>How it reads</b> (a made-up customer)", preview_box)
        shown.addWidget(heading)
        shown.addWidget(self.preview_subject)
        shown.addWidget(self.preview_body, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(editor)
        split.addWidget(preview_box)
        split.setSizes([520, 420])
        split.setChildrenCollapsible(False)

        actions = QHBoxLayout()
        actions.addWidget(self.state, 1)
        actions.addWidget(self.reset_button)
        actions.addWidget(self.save_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.addWidget(split, 1)
        right.addLayout(actions)
        body = QHBoxLayout()
        body.addWidget(self.goals)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(close)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self.subject.textChanged.connect(self._on_text_changed)
        self.body.textChanged.connect(self._on_text_changed)
        self.goals.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_goal(current.row())
        )
        resize_for_text(self, 1100, 640)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
        self.goals.setCurrentIndex(self.goal_model.index(0, 0))

    # -- what the app calls -------------------------------------------------------------

    @property
    def goal(self) -> str:
        row = self.goals.currentIndex().row()
        return self._goals[max(row, 0)]

    def show_goal(self, goal: str) -> None:
        self.goals.setCurrentIndex(self.goal_model.index(self._goals.index(goal), 0))

    def set_template(self, template: TemplateText) -> None:
        """A template was saved or reset: show it as stored."""
        self._templates[template.goal] = template
        row = self._goals.index(template.goal)
        # Renaming the row in place keeps the list's current row (setStringList would not).
        self.goal_model.setData(self.goal_model.index(row, 0), self._list_label(template.goal))
        if template.goal == self.goal:
            self._show_goal(row)
        self.state.setText("Saved." if template.custom else "Back to the built-in template.")

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def refresh_preview(self) -> None:
        """Render the template as edited; a problem is shown, not raised."""
        try:
            subject, body = self._preview(self.goal, self.subject.text(), self.body.toPlainText())
        except ValueError as exc:
            self.show_problem(str(exc))
            return
        self.show_problem("")
        self.preview_subject.setText(f"Subject: {subject}")
        self.preview_body.setPlainText(body)

    # -- internals ------------------------------------------------------------------------

    def _list_label(self, goal: str) -> str:
        template = self._templates[goal]
        return f"{template.label}  (edited)" if template.custom else template.label

    def _show_goal(self, row: int) -> None:
        if row < 0:
            return
        template = self._templates[self._goals[row]]
        self._loading = True
        self.subject.setText(template.subject)
        self.subject.setCursorPosition(0)
        self.body.setPlainText(template.body)
        self._loading = False
        self.reset_button.setEnabled(template.custom)
        self.state.setText(
            "The workspace's own template." if template.custom else "The built-in template."
        )
        self.refresh_preview()

    def _on_text_changed(self) -> None:
        if not self._loading:
            self.state.setText("Changed, not saved yet.")
            self._timer.start()

    def _on_save_button_clicked(self) -> None:
        self._timer.stop()
        self.refresh_preview()
        self.save_requested.emit(self.goal, self.subject.text(), self.body.toPlainText())

    def _ask(self, text: str) -> bool:
        return ask_yes_cancel(self, "Use the built-in template", text)

    def _on_reset_button_clicked(self) -> None:
        label = self._templates[self.goal].label
        if self._confirm(f"Replace the workspace's '{label}' template with the built-in one?"):
            self.reset_requested.emit(self.goal)
