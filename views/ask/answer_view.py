"""The Ask tab's answer area: the conversation so far, the question, its summary sentence
and notice, the table (customers as links) beside its chart, and the SQL one click away.

While a question is being answered it shows what is happening with a Cancel button;
an error is shown in plain words in the same place (never a dialog).

Signals:
    customer_opened(int): a customer link was double-clicked (or Enter was pressed on it).
    cancel_requested(): Cancel was pressed while a question was being answered.
    save_requested(): "Save to library…".
    preview_requested(): "What will be sent…".
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from views.item_models.answer_table_model import (
    AnswerTableModel,
    cell_text,
    header_text,
    money_currency,
)
from views.kit.accessibility import name
from views.kit.formatting import compact_money
from views.kit.lists import PeopleTableView
from views.kit.theme import LIGHT, Theme

if TYPE_CHECKING:
    from services.ask.answer import Answer
    from views.charts.answer_charts import AnswerBarChart, AnswerLineChart

MAX_HISTORY_SHOWN = 4
HINT = (
    "Ask in your own words (“which customers have had 3+ tickets in the last 60 days?”), "
    "or pick a saved question on the left.\n\nAfter an answer, follow up: “only the Gold "
    "ones”, “draft an email to the first”."
)


class AnswerTable(PeopleTableView):
    """The answer's rows; Enter on a customer opens them (as a double-click does)."""

    customer_activated = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            customer = self.currentIndex().data(Qt.ItemDataRole.UserRole + 2)
            if isinstance(customer, int):
                self.customer_activated.emit(customer)
                return
        super().keyPressEvent(event)


class AnswerView(QWidget):
    """One answer at a time, and the questions that led to it."""

    customer_opened = Signal(int)
    cancel_requested = Signal()
    save_requested = Signal()
    preview_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("askAnswer")
        self.answer: Answer | None = None
        self._theme: Theme = LIGHT
        self._home = "USD"
        self.bar_chart: AnswerBarChart | None = None
        self.line_chart: AnswerLineChart | None = None

        self._build_labels()
        self._build_busy_row()
        self._build_table()
        self._build_sql()
        buttons = self._build_buttons()
        self._lay_out(buttons)
        self.show_answer(None)

    def _build_labels(self) -> None:
        """The hint, the conversation so far, the question, its summary, notice and message."""
        self.hint_label = QLabel(HINT, self)
        self.hint_label.setObjectName("emptyState")
        self.hint_label.setWordWrap(True)
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.history_label = QLabel("", self)
        self.history_label.setObjectName("kpiNote")
        self.history_label.setWordWrap(True)
        self.history_label.setTextFormat(Qt.TextFormat.RichText)
        self.history_label.hide()
        self.question_label = QLabel("", self)
        self.question_label.setObjectName("paneTitle")
        self.question_label.setWordWrap(True)
        self.summary_label = QLabel("", self)
        self.summary_label.setObjectName("askSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.summary_label.font())
        font.setPointSizeF(font.pointSizeF() + 1.5)
        self.summary_label.setFont(font)
        self.notice_label = QLabel("", self)
        self.notice_label.setObjectName("kpiNote")
        self.notice_label.setProperty("tone", "warning")
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()
        self.message_label = QLabel("", self)
        self.message_label.setObjectName("askMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

        # Questions, summaries and messages quote the workspace's text: shown as typed,
        # never read as markup.
        for label in (
            self.question_label,
            self.summary_label,
            self.notice_label,
            self.message_label,
        ):
            label.setTextFormat(Qt.TextFormat.PlainText)

    def _build_busy_row(self) -> None:
        """Working: what is happening, a busy bar and Cancel."""
        self.busy_row = QWidget(self)
        self.busy_label = QLabel("", self.busy_row)
        self.busy_bar = QProgressBar(self.busy_row)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedWidth(140)
        self.cancel_button = QPushButton("Cancel", self.busy_row)
        self.cancel_button.clicked.connect(self.cancel_requested)
        busy = QHBoxLayout(self.busy_row)
        busy.setContentsMargins(0, 0, 0, 0)
        busy.addWidget(self.busy_label)
        busy.addWidget(self.busy_bar)
        busy.addWidget(self.cancel_button)
        busy.addStretch(1)
        self.busy_row.hide()

    def _build_table(self) -> None:
        """The answer's table beside its chart."""
        self.model = AnswerTableModel(self)
        self.table = name(AnswerTable(self), "Answer")
        self.table.setObjectName("askTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Column widths from the first rows only: a 1,000-row answer shows at once.
        self.table.horizontalHeader().setResizeContentsPrecision(60)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.customer_activated.connect(self.customer_opened)
        self._chart_stack = QStackedWidget(self)
        self._chart_card = QFrame(self)
        self._chart_card.setObjectName("card")
        chart_layout = QVBoxLayout(self._chart_card)
        chart_layout.setContentsMargins(6, 6, 6, 6)
        chart_layout.addWidget(self._chart_stack)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self._chart_card)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self._chart_card.hide()

    def _build_sql(self) -> None:
        """The SQL, read-only, under the table and chart."""
        self.sql_text = QPlainTextEdit(self)
        self.sql_text.setObjectName("requestText")
        self.sql_text.setReadOnly(True)
        self.sql_text.setAccessibleName("The SQL of this answer")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.sql_text.setFont(mono)
        self.sql_text.setMinimumHeight(80)
        self.sql_text.hide()
        # The SQL under the table, the line between them draggable.
        self.body = QSplitter(Qt.Orientation.Vertical, self)
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(self.splitter)
        self.body.addWidget(self.sql_text)
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(1, 2)

    def _build_buttons(self) -> QHBoxLayout:
        """Where the answer came from, and the buttons under it; returns their row."""
        self.source_label = QLabel("", self)
        self.source_label.setObjectName("kpiNote")
        self.source_label.setWordWrap(True)
        self.source_label.setTextFormat(Qt.TextFormat.PlainText)
        self.sql_button = QPushButton("Show SQL", self)
        self.sql_button.setCheckable(True)
        self.sql_button.setToolTip("The query that answered, read-only (select to copy)")
        self.sql_button.toggled.connect(self._on_sql_button_toggled)
        self.copy_sql_button = QPushButton("Copy SQL", self)
        self.copy_sql_button.clicked.connect(self.copy_sql)
        self.copy_sql_button.hide()
        self.save_button = QPushButton("Save to library…", self)
        self.save_button.setToolTip("Keep this question in Saved questions, to ask again offline")
        self.save_button.clicked.connect(self.save_requested)
        self.preview_button = QPushButton("What will be sent…", self)
        self.preview_button.setToolTip("Exactly what a question sends to the provider")
        self.preview_button.clicked.connect(self.preview_requested)
        self.preview_button.hide()
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.source_label, 1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.sql_button)
        buttons.addWidget(self.copy_sql_button)
        buttons.addWidget(self.save_button)
        return buttons

    def _lay_out(self, buttons: QHBoxLayout) -> None:
        """Everything one under the other, the table and SQL taking the height."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.hint_label, 1)
        layout.addWidget(self.history_label)
        layout.addWidget(self.question_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.notice_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.busy_row)
        layout.addWidget(self.body, 1)
        layout.addLayout(buttons)

    # -- what is shown -------------------------------------------------------------------

    def set_home_currency(self, code: str) -> None:
        self._home = code

    def set_history(self, questions: list[str]) -> None:
        """The questions asked before this one in the conversation, oldest first."""
        if not questions:
            self.history_label.hide()
            return
        shown = questions[-MAX_HISTORY_SHOWN:]
        more = len(questions) - len(shown)
        parts = [html.escape(q) for q in shown]
        lead = f"Earlier ({more} more): " if more else "Earlier: "
        self.history_label.setText(lead + " → ".join(f"“{p}”" for p in parts))
        self.history_label.show()

    def show_busy(self, text: str) -> None:
        """A question is being answered: say what is happening, offer Cancel."""
        self.busy_label.setText(text)
        self.busy_row.show()
        self.message_label.hide()

    def hide_busy(self) -> None:
        self.busy_row.hide()

    def show_message(self, text: str, tone: str = "critical") -> None:
        """A plain message in the answer area (an error, "Nothing was sent")."""
        self.message_label.setText(text)
        self.message_label.setProperty("tone", tone)
        self.message_label.style().unpolish(self.message_label)
        self.message_label.style().polish(self.message_label)
        self.message_label.show()

    def clear_message(self) -> None:
        self.message_label.hide()

    @property
    def message(self) -> str:
        return self.message_label.text() if self.message_label.isVisible() else ""

    def show_question(self, question: str) -> None:
        """The question being answered, before its answer comes."""
        self.question_label.setText(question)
        self.question_label.show()
        self.hint_label.hide()

    def show_answer(self, answer: Answer | None, *, source_text: str = "") -> None:
        """Show an answer (None: the empty state)."""
        self.answer = answer
        self.clear_message()
        has = answer is not None
        self.hint_label.setVisible(not has and not self.question_label.text())
        for widget in (self.summary_label, self.body, self.sql_button, self.save_button):
            widget.setVisible(has)
        self.source_label.setText(source_text)
        if answer is None:
            self.question_label.setText("")
            self.hint_label.show()
            self.notice_label.hide()
            self.model.clear()
            self.sql_button.setChecked(False)
            self._chart_card.hide()
            return
        self.question_label.setText(answer.question)
        self.summary_label.setText(answer.summary)
        self.notice_label.setText(answer.notice or "")
        self.notice_label.setVisible(bool(answer.notice))
        self.model.set_answer(
            answer.columns,
            answer.rows,
            customer_column=answer.customer_column,
            home_currency=self._home,
        )
        if answer.customer_column is not None:
            self.table.setColumnHidden(answer.customer_column, False)
        # No sort arrow until the user sorts: the rows are in the answer's own order.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._fit_columns()
        self.sql_text.setPlainText(sql_text(answer.sql, answer.params))
        self._show_chart(answer)

    def _fit_columns(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            if header.sectionSize(column) > 320:
                header.resizeSection(column, 320)

    def _show_chart(self, answer: Answer) -> None:
        spec = answer.chart
        if spec is None or not answer.rows:
            self._chart_card.hide()
            return
        labels = [str(row[spec.label_column]) for row in answer.rows]
        values = [
            float(v) if isinstance(v, int | float) else 0.0
            for v in (row[spec.value_column] for row in answer.rows)
        ]
        columns = list(answer.columns)
        money = money_currency(columns, spec.value_column, self._home)
        first = answer.rows[0]

        def value_text(v: float) -> str:
            if not money and not columns[spec.value_column].endswith("_pct"):
                return _num(v)
            row = list(first)
            row[spec.value_column] = v
            return cell_text(columns, row, spec.value_column, self._home)

        def axis_text(v: float) -> str:
            if money is None:
                return f"{v:,.0f}%" if columns[spec.value_column].endswith("_pct") else _num(v)
            code = first[columns.index("currency")] if money == "row" else money
            return compact_money(v, str(code or self._home))

        # Worded as the table's headers ("Revenue by month", not "revenue_home").
        title = (
            f"{header_text(columns[spec.value_column])} by "
            + header_text(columns[spec.label_column]).lower()
        )

        from views.charts.answer_charts import AnswerBarChart, AnswerLineChart

        if spec.kind == "bar":
            if self.bar_chart is None:
                self.bar_chart = AnswerBarChart(self._chart_stack)
                self.bar_chart.set_theme(self._theme)
                self._chart_stack.addWidget(self.bar_chart)
            self.bar_chart.set_bars(title, labels, values, value_text, axis_text)
            self._chart_stack.setCurrentWidget(self.bar_chart)
        else:
            if self.line_chart is None:
                self.line_chart = AnswerLineChart(self._chart_stack)
                self.line_chart.set_theme(self._theme)
                self._chart_stack.addWidget(self.line_chart)
            self.line_chart.set_series(title, labels, values, value_text, axis_text)
            self._chart_stack.setCurrentWidget(self.line_chart)
        self._chart_card.show()
        width = max(self.splitter.width(), 600)
        self.splitter.setSizes([width * 11 // 20, width * 9 // 20])

    @property
    def chart_shown(self) -> str | None:
        """ "bar", "line" or None: the chart on screen (tests)."""
        if self._chart_card.isHidden():
            return None
        return "bar" if self._chart_stack.currentWidget() is self.bar_chart else "line"

    def set_preview_available(self, available: bool) -> None:
        self.preview_button.setVisible(available)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.model.set_theme(theme)
        for chart in (self.bar_chart, self.line_chart):
            if chart is not None:
                chart.set_theme(theme)

    # -- actions ---------------------------------------------------------------------------

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        customer = self.model.customer_at(index.row())
        if customer is not None and (self.model.is_link(index.column()) or self.answer is not None):
            self.customer_opened.emit(customer)

    def _on_sql_button_toggled(self, shown: bool) -> None:
        self.sql_text.setVisible(shown)
        if shown:
            height = max(self.body.height(), 300)
            lines = self.sql_text.toPlainText().count("\n") + 2
            wanted = lines * self.sql_text.fontMetrics().lineSpacing() + 16
            sql = min(wanted, height * 45 // 100)
            self.body.setSizes([height - sql, sql])
        self.copy_sql_button.setVisible(shown)
        self.sql_button.setText("Hide SQL" if shown else "Show SQL")

    def copy_sql(self) -> None:
        QGuiApplication.clipboard().setText(self.sql_text.toPlainText())


def sql_text(sql: str, params: dict[str, Any]) -> str:
    """The SQL as shown: the query, and the values its parameters had in a comment."""
    text = sql.strip()
    if not params:
        return text
    values = ", ".join(f":{name} = {value!r}" for name, value in params.items())
    return f"-- {values}\n{text}"


def _num(value: Any) -> str:
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
