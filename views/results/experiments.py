"""Results ▸ Experiments: strategies tested against each other.

Each experiment (the latest first, one at a time; a list to pick another) shows its
verdict in a sentence ("Warm tone wins: …" or "No winner yet: …"), each strategy's
re-engagement and its lift over the holdout, each pair's difference, every interval
adjusted by Bonferroni for the number of comparisons (said in words under the tables).
A strategy's row opens its customers. "New experiment…" starts one
(views/results/experiment_dialog.py); "End experiment" ends the one shown (asked first).
The figures are services.learn.experiments', read through the Results source on the job
runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.alerts.experiment_records import kind_words
from services.core.formatting import format_date
from services.learn.wording import points, rate
from views.item_models.customer_filters import CustomerFilter
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.combo import ComboBox
from views.kit.confirm import ask_yes_cancel, run_dialog
from views.kit.lists import PeopleTableView
from views.results.breakdown_table import set_up_breakdown_table
from views.results.experiment_dialog import NewExperimentDialog
from views.results.section_base import ResultsSection

if TYPE_CHECKING:
    import datetime as dt

    from services.alerts.experiment_records import ExperimentChoices, ExperimentSpec
    from services.learn.experiments_records import ExperimentResult, ExperimentsReport
    from views.kit.jobs import JobRunner, TaskState

EMPTY_TEXT = (
    "No experiments yet. Start one to try two or more strategies (a tone, a template or a "
    "playbook) against each other on the alerts of the outreach arm."
)


@dataclass(frozen=True)
class StrategyLine:
    """One row of the strategies table (a strategy, or the holdout)."""

    label: str
    assigned: str
    counted: int
    reengaged: int
    rate: float | None
    lift: str
    interval: str
    customer_ids: tuple[int, ...]
    winner: bool = False


@dataclass(frozen=True)
class PairLine:
    """One row of the pairs table."""

    label: str
    difference: str
    interval: str
    clear: bool


def _interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "–"
    return f"{points(low)} to {points(high)}"


STRATEGY_COLUMNS = (
    WorkColumn("Strategy", lambda r: f"{r.label} (winner)" if r.winner else r.label,
               tooltip=lambda r: "Open the customers counted"),
    WorkColumn("Alerts", lambda r: r.assigned,
               tooltip=lambda r: "Alerts given this strategy so far"),
    WorkColumn("Counted", lambda r: f"{r.counted:,}",
               tooltip=lambda r: "Customers contacted, their window closed"),
    WorkColumn("Came back", lambda r: f"{r.reengaged:,}"),
    WorkColumn("Rate", lambda r: rate(r.rate)),
    WorkColumn("Lift vs holdout", lambda r: r.lift),
    WorkColumn("Adjusted interval", lambda r: r.interval),
)  # fmt: skip
PAIR_COLUMNS = (
    WorkColumn("Comparison", lambda p: p.label),
    WorkColumn("Difference", lambda p: p.difference),
    WorkColumn("Adjusted interval", lambda p: p.interval,
               tone=lambda p: "positive" if p.clear else None),
)  # fmt: skip


def strategy_lines(result: ExperimentResult) -> list[StrategyLine]:
    """The strategies' rows, then the holdout's."""
    c = result.comparison
    lines = [
        StrategyLine(
            label=row.label,
            assigned=f"{row.assigned:,}",
            counted=f.n,
            reengaged=f.reengaged,
            rate=f.rate,
            lift=points(f.lift) or "–",
            interval=_interval(f.lift_low, f.lift_high),
            customer_ids=row.customer_ids,
            winner=c.winner == row.key,
        )
        for row, f in zip(result.strategies, c.strategies, strict=True)
    ]
    lines.append(
        StrategyLine("Holdout (no outreach)", "", c.holdout_n, c.holdout_reengaged,
                     c.holdout_rate, "", "", result.holdout_ids)
    )  # fmt: skip
    return lines


def pair_lines(result: ExperimentResult) -> list[PairLine]:
    """Each pair's difference."""
    labels = {s.key: s.label for s in result.strategies}
    return [
        PairLine(
            f"{labels[p.first]} against {labels[p.second]}",
            points(p.difference) or "–",
            _interval(p.low, p.high),
            p.low is not None and p.high is not None and (p.low > 0 or p.high < 0),
        )
        for p in result.comparison.pairs
    ]


def details_text(result: ExperimentResult) -> str:
    """When it ran, which alerts, how many assigned."""
    when = (
        f"Running since {format_date(result.started_at)}"
        if result.ended_at is None
        else f"Ran {format_date(result.started_at)} to {format_date(result.ended_at)}"
    )
    rules = ", ".join(result.rule_titles or result.rules)
    return (
        f"{when} · {kind_words(result.kind)} strategies · rules: {rules} · bands: "
        f"{', '.join(result.bands)} · {result.assigned:,} alerts assigned"
    )


def _table(parent: QWidget, columns: tuple[WorkColumn, ...], title: str) -> tuple[Any, Any]:
    model = WorkListModel(columns, parent)
    table = name(PeopleTableView(parent), title)
    table.setModel(model)
    set_up_breakdown_table(table)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return model, table


class ExperimentsSection(ResultsSection):
    """The experiments, one at a time, with New experiment… and End experiment."""

    TITLE = "Experiments"

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self.report: ExperimentsReport | None = None
        # Injected by tests: the dialog's answer ((choices) -> spec or None) and the
        # question before ending an experiment ((title, text) -> yes).
        self.ask_spec: Callable[[ExperimentChoices], ExperimentSpec | None] | None = None
        self.confirm: Callable[[str, str], bool] | None = None
        self._build()

    def _build(self) -> None:
        self.title = QLabel("Strategies tested against each other", self)
        self.title.setObjectName("sectionTitle")
        self.picker = name(ComboBox(self), "Experiment")
        self.picker.currentIndexChanged.connect(self._on_picker_changed)
        self.new_button = QPushButton("New experiment…", self)
        self.new_button.clicked.connect(self.new_experiment)
        self.end_button = QPushButton("End experiment", self)
        self.end_button.clicked.connect(self.end_experiment)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.picker)
        head.addWidget(self.end_button)
        head.addWidget(self.new_button)
        self.verdict_label = QLabel(EMPTY_TEXT, self)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setObjectName("resultsHeadline")
        self.details_label = QLabel("", self)
        self.details_label.setObjectName("kpiNote")
        self.details_label.setWordWrap(True)
        self.strategy_model, self.strategy_table = _table(self, STRATEGY_COLUMNS, "Strategies")
        self.strategy_table.clicked.connect(self._on_strategy_table_clicked)
        self.pair_title = QLabel("Strategies against each other", self)
        self.pair_title.setObjectName("sectionTitle")
        self.pair_model, self.pair_table = _table(self, PAIR_COLUMNS, "Pairs")
        self.method_label = QLabel("", self)
        self.method_label.setObjectName("kpiNote")
        self.method_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.details_label)
        layout.addWidget(self.strategy_table)
        layout.addWidget(self.pair_title)
        layout.addWidget(self.pair_table)
        layout.addWidget(self.method_label)
        layout.addStretch(1)
        self.show_report(None)

    # --- reading ----------------------------------------------------------------------

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Read the experiments again (the Results period does not apply: an experiment
        runs over its own dates)."""
        source = self._source
        if source is None:
            return

        def task(_state: TaskState) -> ExperimentsReport:
            return source.load_experiments()

        (
            self._jobs.operation(task, parent=self, key=("results.experiments", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    def show_report(self, report: ExperimentsReport | None) -> None:
        """Show the experiments (None or none: the empty text)."""
        self.report = report
        shown = self.selected_id()
        self.picker.blockSignals(True)
        self.picker.clear()
        for result in report.experiments if report is not None else ():
            ended = "" if result.ended_at is None else " (ended)"
            self.picker.addItem(f"{result.name}{ended}", result.id)
        at = self.picker.findData(shown) if shown is not None else -1
        self.picker.setCurrentIndex(max(at, 0))
        self.picker.blockSignals(False)
        self.picker.setVisible(self.picker.count() > 1)
        self._show_selected()

    def selected_id(self) -> int | None:
        data = self.picker.currentData()
        return int(data) if data is not None else None

    def selected(self) -> ExperimentResult | None:
        """The experiment shown."""
        if self.report is None:
            return None
        wanted = self.selected_id()
        return next((r for r in self.report.experiments if r.id == wanted), None)

    def _on_picker_changed(self, _index: int) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        result = self.selected()
        has = result is not None
        for widget in (self.details_label, self.strategy_table, self.pair_title, self.pair_table,
                       self.method_label):  # fmt: skip
            widget.setVisible(has)
        self.end_button.setVisible(has and result is not None and result.ended_at is None)
        if result is None:
            self.verdict_label.setText(EMPTY_TEXT)
            self.strategy_model.set_rows([])
            self.pair_model.set_rows([])
            return
        self.verdict_label.setText(result.comparison.verdict)
        self.details_label.setText(details_text(result))
        self.strategy_model.set_rows(strategy_lines(result))
        self.pair_model.set_rows(pair_lines(result))
        self.method_label.setText(
            f"{result.comparison.method} Holdout: the held-out customers of these rules and "
            "bands while the experiment ran. Click a row to open its customers."
        )
        self._fit(self.strategy_table, self.strategy_model.rowCount())
        self._fit(self.pair_table, self.pair_model.rowCount())

    @staticmethod
    def _fit(table: Any, rows: int) -> None:
        header = table.horizontalHeader().height()
        height = (
            sum(table.rowHeight(r) for r in range(rows))
            or table.verticalHeader().defaultSectionSize()
        )
        table.setFixedHeight(header + height + 2 * table.frameWidth() + 2)

    def _on_strategy_table_clicked(self, index: QModelIndex) -> None:
        lines = self.strategy_model.rows
        if not index.isValid() or index.row() >= len(lines):
            return
        line = lines[index.row()]
        title = f"{line.label}: customers counted ({len(line.customer_ids):,})"
        self.customers_requested.emit(
            CustomerFilter(customer_ids=frozenset(line.customer_ids), title=title)
        )

    # --- starting and ending ----------------------------------------------------------

    def new_experiment(self) -> None:
        """Ask for the experiment (the dialog), then start it."""
        source = self._source
        if source is None:
            return

        def task(_state: TaskState) -> ExperimentChoices:
            return source.experiment_choices()

        (
            self._jobs.operation(task, parent=self, key=("results.experiments.choices", id(self)))
            .success(self._on_choices)
            .failure(self._jobs.present_error)
            .run()
        )

    def _ask(self, choices: ExperimentChoices) -> ExperimentSpec | None:
        if self.ask_spec is not None:
            return self.ask_spec(choices)
        dialog = NewExperimentDialog(choices, self)
        return dialog.spec() if run_dialog(dialog) else None

    def _on_choices(self, choices: ExperimentChoices) -> None:
        spec = self._ask(choices)
        source = self._source
        if spec is None or source is None:
            return

        def task(_state: TaskState) -> int:
            return source.start_experiment(spec)

        (
            self._jobs.operation(task, parent=self, key=("results.experiments.start", id(self)))
            .success(self._on_started)
            .failure(self._jobs.present_error)
            .run()
        )

    def _on_started(self, experiment_id: int) -> None:
        self.picker.blockSignals(True)
        self.picker.addItem("", experiment_id)  # shown once the report is read again
        self.picker.setCurrentIndex(self.picker.count() - 1)
        self.picker.blockSignals(False)
        self.reload(None, None)

    def _confirmed(self, title: str, question: str) -> bool:
        if self.confirm is not None:
            return self.confirm(title, question)
        return ask_yes_cancel(self, title, question)

    def end_experiment(self) -> None:
        """End the experiment shown, asked first."""
        result, source = self.selected(), self._source
        if result is None or source is None or result.ended_at is not None:
            return
        question = (
            f'End "{result.name}"? New alerts will no longer get a strategy; its results stay here.'
        )
        if not self._confirmed("End experiment", question):
            return
        experiment_id = result.id

        def task(_state: TaskState) -> None:
            source.end_experiment(experiment_id)

        (
            self._jobs.operation(task, parent=self, key=("results.experiments.end", id(self)))
            .success(lambda _none: self.reload(None, None))
            .failure(self._jobs.present_error)
            .run()
        )
