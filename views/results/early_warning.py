"""Results ▸ Early warning: the alert rules replayed weekly over the past year and measured
against the customers who lapsed (services.learn.alert_replay): per rule and overall
precision, recall, median lead time, missed critical and alerts per owner per week; the
app against a recency rule at the same volume, in a sentence and in figures; the days of
warning as a chart; suggested thresholds for the weekly budget, with what they would
have done and an action that applies them (undoable); and the relationship signals
against lost renewals and lapses (views/results/signal_section.py).

The replay is slow (seconds a week on a large workspace): it runs on the job runner with
progress and a Cancel button, and the last one is kept, so the section opens at once and
says when it was computed and whether the data changed since."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.learn.replay_records import (
    WIN_BACK,
    ReplayFigures,
    ReplayReport,
    Suggestion,
    days_text,
    percent,
)
from views.charts.lead_time_chart import NOT_REPLAYED, LeadTimeChart
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.confirm import ask_yes_cancel
from views.kit.lists import PeopleTableView
from views.kit.theme import LIGHT, Theme
from views.results.breakdown_table import set_up_breakdown_table
from views.results.signal_section import SignalSection

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, Operation, TaskState
    from views.results.early_warning_source import EarlyWarningSource

EMPTY_TEXT = (
    "Not replayed yet. Replay the past year to see how early and how precisely the alert "
    "rules would have warned of the customers who lapsed."
)


def _critical(f: ReplayFigures) -> str:
    return "–" if f.missed_critical is None else f"{f.missed_critical:,}"


def _early(f: ReplayFigures, text: str) -> str:
    """A figure of early warning; none for the win-back row (alerts after the lapse)."""
    return "–" if f.key == WIN_BACK else text


FIGURE_COLUMNS = (
    WorkColumn("", lambda f: f.title, tooltip=lambda f: f.title),
    WorkColumn("Per owner a week",
               lambda f: f"{f.per_owner_week_mean:.1f} (max {f.per_owner_week_max:,})",
               tooltip=lambda f: f"{f.alerts:,} alerts over the replay"),
    WorkColumn("Precision", lambda f: _early(f, percent(f.precision)),
               tooltip=lambda f: f"{f.hits:,} of {f.judged:,} alerts were followed by a lapse "
               "within the horizon"),
    WorkColumn("Recall", lambda f: _early(f, percent(f.recall)),
               tooltip=lambda f: f"{f.caught:,} of {f.lapsed:,} lapsing customers were warned"),
    WorkColumn("Median warning", lambda f: days_text(f.lead_median),
               tooltip=lambda f: "Days from the first alert to the lapse"),
    WorkColumn("Warned 30+ days", lambda f: percent(f.lead_share_30)),
    WorkColumn("Missed critical", _critical,
               tooltip=lambda f: "Met the critical rule before lapsing, yet got no alert"),
)  # fmt: skip


def _value(s: Suggestion, value: float) -> str:
    return f"{value:g} {s.unit}".strip()


SUGGESTION_COLUMNS = (
    WorkColumn("Rule", lambda s: s.rule_title),
    WorkColumn("Threshold", lambda s: s.label),
    WorkColumn("Now", lambda s: _value(s, s.current)),
    WorkColumn("Suggested", lambda s: _value(s, s.suggested) if s.changed else "keep",
               tooltip=lambda s: "Locked by your IT department: not applied" if s.locked else ""),
)  # fmt: skip


def _table(parent: QWidget, columns: tuple[WorkColumn, ...], title: str) -> tuple[Any, Any]:
    model = WorkListModel(columns, parent)
    table = name(PeopleTableView(parent), title)
    table.setModel(model)
    set_up_breakdown_table(table)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return model, table


class EarlyWarningSection(QWidget):
    """The replay's figures, the comparison, the chart and the suggested thresholds."""

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._source: EarlyWarningSource | None = None
        self._running: Operation[Any] | None = None
        self._undo: dict[str, Any] | None = None
        self.report: ReplayReport | None = None
        self.weeks = 52
        # A question asked before applying (title, text) -> yes; tests answer it.
        self.confirm: Callable[[str, str], bool] | None = None
        self._build()
        # The relationship signals, replayed on their own in seconds (beside the rules).
        self.signals = SignalSection(jobs, self)
        column = self.layout()
        assert column is not None  # _build laid the section out
        column.addWidget(self.signals)
        self.setVisible(False)

    def _build(self) -> None:
        self.title = QLabel("Early warning", self)
        self.title.setObjectName("sectionTitle")
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("kpiNote")
        self.status_label.setWordWrap(True)
        self.replay_button = QPushButton("Replay again", self)
        self.replay_button.setToolTip("Replay the alert rules over the past year (slow)")
        self.replay_button.clicked.connect(self.replay)
        longest = self.replay_button.fontMetrics().horizontalAdvance("Replay the past year")
        self.replay_button.setMinimumWidth(longest + 40)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.status_label, 1)
        head.addWidget(self.replay_button)
        head.addWidget(self.cancel_button)
        self.verdict_label = QLabel(EMPTY_TEXT, self)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setObjectName("resultsHeadline")
        self.method_label = QLabel("", self)
        self.method_label.setObjectName("kpiNote")
        self.method_label.setWordWrap(True)
        self.figures_model, self.figures_table = _table(
            self, FIGURE_COLUMNS, "Early warning by rule"
        )
        self.chart = LeadTimeChart(self)
        self.chart.setMinimumHeight(190)
        middle = QHBoxLayout()
        middle.addWidget(self.figures_table, 5)
        middle.addWidget(self.chart, 3)
        self.budget_label = QLabel("", self)
        self.budget_label.setObjectName("sectionTitle")
        self.suggestions_model, self.suggestions_table = _table(
            self, SUGGESTION_COLUMNS, "Suggested thresholds"
        )
        self.effect_label = QLabel("", self)
        self.effect_label.setWordWrap(True)
        self.apply_button = QPushButton("Apply suggested thresholds", self)
        self.apply_button.clicked.connect(self.apply_suggestions)
        self.undo_button = QPushButton("Undo", self)
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.hide()
        actions = QHBoxLayout()
        actions.addWidget(self.effect_label, 1)
        actions.addWidget(self.apply_button, 0, Qt.AlignmentFlag.AlignTop)
        actions.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.verdict_label)
        layout.addLayout(middle)
        layout.addWidget(self.method_label)
        layout.addSpacing(6)
        layout.addWidget(self.budget_label)
        layout.addWidget(self.suggestions_table)
        layout.addLayout(actions)
        # The suggestions' last column takes the room left; the others fit their text.
        header = self.suggestions_table.horizontalHeader()
        header.setSectionResizeMode(0, header.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(SUGGESTION_COLUMNS) - 1, header.ResizeMode.Stretch)
        self._fit_tables(0, 0)

    def _fit_tables(self, figures: int, suggestions: int) -> None:
        for table, rows in ((self.figures_table, figures), (self.suggestions_table, suggestions)):
            row = table.verticalHeader().defaultSectionSize()
            top = table.horizontalHeader().sizeHint().height()
            table.setFixedHeight(top + row * max(rows, 1) + 4)

    # -- the source and the last replay ----------------------------------------------------

    def set_source(self, source: EarlyWarningSource | None) -> None:
        """Show a workspace's last replay (None: no workspace, the section hides)."""
        self.cancel()
        self._source = source
        self._undo = None
        self.undo_button.hide()
        self.setVisible(source is not None)
        self.signals.set_reader(source.load_signals if source is not None else None)
        if source is None:
            return

        def task(_state: TaskState) -> tuple[ReplayReport | None, bool]:
            return source.load_replay()

        (
            self._jobs.operation(task, parent=self, key=("results.replay.load", id(self)))
            .success(lambda kept: self.show_report(*kept))
            .failure(self._jobs.present_error)
            .run()
        )

    def show_report(self, report: ReplayReport | None, current: bool = True) -> None:
        """Show a replay's figures (None: not replayed yet)."""
        self.report = report
        if report is None:
            self._show_empty()
            return
        when = report.computed_at.strftime("%b %-d, %Y at %H:%M UTC") if report.computed_at else "–"
        stale = (
            "" if current
            else " The workspace changed since (an import, a scoring, a setting or an alert): "
            "replay again."
        )  # fmt: skip
        self.status_label.setText(
            f"Replayed {when}: {report.weeks} weeks to {report.end:%b %-d, %Y}, "
            f"horizon {report.horizon_days} days, in {report.seconds:,.0f} s.{stale}"
        )
        said = (report.verdict, report.notice_verdict, report.budget_verdict,
                report.budget_notice_verdict, report.worth_words)  # fmt: skip
        self.verdict_label.setText("\n".join(filter(None, said)))
        extra = [report.win_back] if report.win_back is not None and report.win_back.alerts else []
        notice = [report.recency_notice] if report.recency_notice is not None else []
        rows = [report.overall, *report.rules, report.recency, *notice, *extra]
        self.figures_model.set_rows(rows)
        self.chart.set_leads(report.overall.lead_days, report.recency.lead_days)
        skipped = "; ".join(f"{rule}: {why}" for rule, why in report.not_replayed.items())
        self.method_label.setText(
            f"How: {report.method}" + (f" Not replayed: {skipped}." if skipped else "")
        )
        self._show_suggestions(report)
        self._fit_tables(len(rows), len(report.suggestions))

    def _show_empty(self) -> None:
        self.status_label.setText("")
        self.verdict_label.setText(EMPTY_TEXT)
        self.method_label.setText("")
        self.figures_model.set_rows([])
        self.suggestions_model.set_rows([])
        self.chart.set_leads((), (), empty=NOT_REPLAYED)
        self.budget_label.setText("")
        self.effect_label.setText("")
        self.apply_button.setEnabled(False)
        self.replay_button.setText("Replay the past year")
        self._fit_tables(0, 0)

    def _show_suggestions(self, report: ReplayReport) -> None:
        self.replay_button.setText("Replay again")
        self.budget_label.setText(
            f"Suggested thresholds for {report.budget} "
            f"{'alert' if report.budget == 1 else 'alerts'} per owner a week"
        )
        self.suggestions_model.set_rows(list(report.suggestions))
        after, before = report.suggested, report.overall
        if after is None:
            self.effect_label.setText("No rule with a threshold was replayed.")
        else:
            closest = (
                ""
                if report.within_budget
                else "No thresholds tried keep to the budget; these come closest. "
            )
            self.effect_label.setText(
                closest + "With them the past year would have had "
                f"{report.work_per_owner_week:.1f} → {after.per_owner_week_mean:.1f} alerts per "
                f"owner a week, precision {percent(before.precision)} → "
                f"{percent(after.precision)}, recall {percent(before.recall)} → "
                f"{percent(after.recall)}, median warning "
                f"{days_text(before.lead_median)} → {days_text(after.lead_median)}."
                + (
                    " Locked settings stay as IT set them."
                    if any(s.locked and s.changed for s in report.suggestions)
                    else ""
                )
            )
        self.apply_button.setEnabled(any(s.applicable for s in report.suggestions))

    # -- replaying --------------------------------------------------------------------------

    def replay(self) -> None:
        """Replay the past weeks on the job runner (progress in the status line)."""
        source, weeks = self._source, self.weeks
        if source is None or self._running is not None:
            return

        def task(state: TaskState) -> ReplayReport:
            return source.run_replay(weeks, state.progress, state.cancelled)

        self.replay_button.setEnabled(False)
        self.cancel_button.show()
        self.status_label.setText("Replaying the past year…")
        # Minutes of computing: on a thread of its own, so that the other screens' reads on
        # the database worker do not wait for it; only keeping the result goes there.
        self._running = (
            self._jobs.operation(
                task,
                parent=self,
                key=("results.replay", id(self)),
                pool="long",
                what="the Early-warning replay",
            )
            .progress(self._on_progress)
            .success(lambda report: self._keep(source, report))
            .failure(self._jobs.present_error)
            .cancelled(self._on_cancelled)
            .finished(self._on_finished)
            .run()
        )

    def _keep(self, source: EarlyWarningSource, report: ReplayReport) -> None:
        self.show_report(report)
        (
            self._jobs.operation(
                lambda _state: source.keep_replay(report),
                parent=self,
                key=("results.replay.keep", id(self)),
            )
            .failure(self._jobs.present_error)
            .run()
        )

    def cancel(self) -> None:
        """Stop a replay in flight (the last replay kept stays shown)."""
        if self._running is not None:
            self._running.cancel()

    def _on_progress(self, fraction: float, message: str) -> None:
        self.status_label.setText(f"{fraction:.0%} · {message}")

    def _on_cancelled(self) -> None:
        self.show_report(self.report)
        self.status_label.setText("Replay cancelled. " + self.status_label.text())

    def _on_finished(self) -> None:
        self._running = None
        self.replay_button.setEnabled(True)
        self.cancel_button.hide()

    # -- applying the suggestions -----------------------------------------------------------

    def _confirmed(self, title: str, question: str) -> bool:
        if self.confirm is not None:
            return self.confirm(title, question)
        return ask_yes_cancel(self, title, question)

    def apply_suggestions(self) -> None:
        """Write the applicable suggested values to the settings (asked first)."""
        report, source = self.report, self._source
        if report is None or source is None:
            return
        wanted = tuple(s for s in report.suggestions if s.applicable)
        if not wanted:
            return
        changes = ", ".join(f"{s.rule_title}: {s.current:g} → {s.suggested:g}" for s in wanted)
        if not self._confirmed(
            "Apply suggested thresholds",
            f"Change {changes}? New alerts follow them from the next scoring.",
        ):
            return

        def task(_state: TaskState) -> dict[str, Any]:
            return source.apply_thresholds(wanted)

        (
            self._jobs.operation(task, parent=self, key=("results.replay.apply", id(self)))
            .success(self._on_applied)
            .failure(self._jobs.present_error)
            .run()
        )

    def _on_applied(self, before: dict[str, Any]) -> None:
        self._undo = before
        self.apply_button.setEnabled(False)
        self.undo_button.setVisible(bool(before))
        self.effect_label.setText(
            f"Applied {len(before)} threshold(s); new alerts follow them from the next scoring."
        )

    def undo(self) -> None:
        """Put back the thresholds the last Apply replaced."""
        values, source = self._undo, self._source
        if not values or source is None:
            return

        def task(_state: TaskState) -> None:
            source.undo_thresholds(values)

        (
            self._jobs.operation(task, parent=self, key=("results.replay.undo", id(self)))
            .success(lambda _none: self._on_undone())
            .failure(self._jobs.present_error)
            .run()
        )

    def _on_undone(self) -> None:
        self._undo = None
        self.undo_button.hide()
        self.effect_label.setText("The thresholds are back as they were.")
        self.apply_button.setEnabled(
            bool(self.report and any(s.applicable for s in self.report.suggestions))
        )

    def set_theme(self, theme: Theme = LIGHT) -> None:
        """Recolour the chart and the tables."""
        self.chart.set_theme(theme)
        for model in (self.figures_model, self.suggestions_model):
            if hasattr(model, "set_theme"):
                model.set_theme(theme)
