"""Results ▸ Stages: the customers by lifecycle stage today (count, value, churn risk and
the churn that followed; a row opens its customers), whether each stage's own health
profile ranks (only once the backtest shows stage profiles beat one profile), and the best
times to reach out for everyone, each segment and each stage, from the emails of the
Results period (services.lifecycle)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QScrollArea, QVBoxLayout, QWidget

from services.core.formatting import format_date
from services.lifecycle.reach_records import ReachGroup, best_words, measure_note
from services.lifecycle.reach_records import percent as reach_percent
from services.lifecycle.records import LifecycleResults, StageGroup
from services.lifecycle.wording import (
    group_churn,
    headline,
    money,
    percent,
    rules_words,
)
from views.item_models.customer_filters import CustomerFilter
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.cards import card
from views.kit.lists import PeopleTableView
from views.results.breakdown_table import set_up_breakdown_table
from views.results.section_base import ResultsSection

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner
    from views.results.source import ResultsSource

LOADING = "Reading the stages…"
NO_WORKSPACE = "Open a workspace to see its customers' lifecycle stages."
REACH_TITLE = "Best time to reach out"
REACH_NOTE = (
    "From the app's emails of the Results period, by when each was sent. {answered} A time "
    "with fewer than {floor} emails is too few to say; each group is read at the finest cut "
    "its emails allow (weekday and two hours, else weekday and half day, else weekday, else "
    "mornings against afternoons), and a best time is named only when its likely range lies "
    "wholly above the likely range of the group's other emails and a two-proportion test "
    "says the best of so many times is not that high by chance. A segment with too few "
    "emails of its own follows its customers' stage, else all customers; a stage, all "
    "customers."
)

ANSWERED_TIPS = {
    "reply": "Emails replied to",
    "return": "Emails the customer came back after (a paid order within the window)",
    "either": "Emails replied to, or the customer came back after (a paid order within the window)",
}


def stage_columns(results: LifecycleResults | None) -> list[WorkColumn]:
    """The stages table's columns."""

    def value(g: StageGroup) -> str:
        return money(results.book, g.value_cents) if results and g.scored else "–"

    def churned(g: StageGroup) -> str:
        return group_churn(results.book, g) if results else "–"

    return [
        WorkColumn("Stage", lambda g: g.label),
        WorkColumn("Customers", lambda g: f"{g.customers:,}"),
        WorkColumn("Value", value, tooltip=lambda g: "Predicted value over the scoring's months"),
        WorkColumn(
            "Churn risk",
            lambda g: percent(g.churn_risk),
            tooltip=lambda g: "Mean churn risk of the latest scoring",
        ),  # fmt: skip
        WorkColumn("Churned after", churned, tooltip=lambda g: churned_tip(results, g)),
    ]


def churned_tip(results: LifecycleResults | None, group: StageGroup) -> str:
    """What "Churned after" counts, and when a dash will have a figure."""
    what = "Of those who had ordered, no order within the horizon after the date"
    if results is None or group.followed:
        return what
    book = results.book
    known = format_date(book.as_of + dt.timedelta(days=book.horizon_days))
    return (
        f"{what}. Known once the {book.horizon_days}-day horizon after "
        f"{format_date(book.as_of)} has passed, on {known} (`report stages --as-of` an "
        "earlier date shows it now)."
    )


def group_label(group: ReachGroup) -> str:
    """ "All customers", "Segment: Champions", "Stage: Onboarding"."""
    kind = {"segment": "Segment", "stage": "Stage"}.get(group.by)
    return f"{kind}: {group.label}" if kind else group.label


def reach_rows(results: LifecycleResults) -> list[ReachGroup]:
    """The groups to list: only everyone's while no email was answered (every group would
    say the same)."""
    groups = list(results.reach.groups)
    if not any(g.answered for g in groups):
        return [g for g in groups if g.by == "all"]
    return groups


def reach_columns() -> list[WorkColumn]:
    """The reach table's columns."""
    return [
        WorkColumn("Customers", group_label),
        WorkColumn("Emails", lambda g: f"{g.sent:,}"),
        WorkColumn(
            "Answered",
            lambda g: f"{g.answered:,} ({reach_percent(g.answered / g.sent if g.sent else 0)})",
            tooltip=lambda g: ANSWERED_TIPS.get(g.measure, ""),
        ),
        WorkColumn(
            "Best time to reach out",
            lambda g: best_words(g),
            tooltip=best_words,
            tone=lambda g: None if g.best else "muted",
        ),  # fmt: skip
    ]


class StagesSection(ResultsSection):
    """The lifecycle stages, the stage health profiles' verdict and the best times."""

    TITLE = "Stages"

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self.results: LifecycleResults | None = None
        self._build()

    def _words(self, parent: QWidget, style: str, text: str = "") -> QLabel:
        label = QLabel(text, parent)
        label.setObjectName(style)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _table(self, layout: QVBoxLayout, title: str, model: WorkListModel) -> PeopleTableView:
        frame, column = card(self)
        heading = self._words(frame, "sectionTitle", title)
        table = name(PeopleTableView(frame), title)
        table.setModel(model)
        set_up_breakdown_table(table)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        column.addWidget(heading)
        column.addWidget(table)
        layout.addWidget(frame)
        return table

    def _build(self) -> None:
        body = QWidget(self)
        inner = QVBoxLayout(body)
        inner.setSpacing(8)
        self.headline_label = self._words(body, "resultsHeadline", NO_WORKSPACE)
        inner.addWidget(self.headline_label)
        self.stage_model = WorkListModel(stage_columns(None), self)
        self.stage_table = self._table(inner, "Lifecycle stages today", self.stage_model)
        self.stage_table.setToolTip("Click a stage for its customers")
        self.stage_table.clicked.connect(self._on_stage_table_clicked)
        self.rules_label = self._words(body, "kpiNote")
        inner.addWidget(self.rules_label)
        self.profiles_label = self._words(body, "kpiNote")
        inner.addWidget(self.profiles_label)
        self.reach_model = WorkListModel(reach_columns(), self)
        self.reach_table = self._table(inner, REACH_TITLE, self.reach_model)
        self.reach_table.setToolTip("")  # a row opens nothing
        self.reach_table.unsetCursor()
        for table in (self.stage_table, self.reach_table):
            header = table.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
            header.setStretchLastSection(True)
        self.reach_note = self._words(body, "kpiNote")
        inner.addWidget(self.reach_note)
        inner.addStretch(1)
        scroll = name(QScrollArea(self), self.TITLE)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def set_source(self, source: ResultsSource | None) -> None:
        super().set_source(source)
        if source is None:
            self.headline_label.setText(NO_WORKSPACE)

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Read the stages today and the reach times of the period again."""
        source = self._source
        if source is None:
            return
        self.headline_label.setText(LOADING)
        (
            self._jobs.operation(
                lambda _state: source.load_stages(since, until),
                parent=self,
                key=("results.stages", id(self)),
            )  # fmt: skip
            .success(self.show_results)
            .failure(self._jobs.present_error)
            .run()
        )

    def show_results(self, results: LifecycleResults) -> None:
        """Show the figures (the loader's result; tests hand them directly)."""
        self.results = results
        self.headline_label.setText(headline(results.book))
        self.stage_model.set_columns(stage_columns(results))
        self.stage_model.set_rows(results.book.groups)
        self.rules_label.setText(rules_words(results.book))
        self.profiles_label.setText(f"Health per stage: {results.profiles_words}")
        groups = reach_rows(results)
        self.reach_model.set_rows(groups)
        self.reach_note.setText(
            REACH_NOTE.format(floor=results.reach.floor, answered=measure_note(results.reach))
            if groups
            else "No emails sent in the Results period: nothing to learn the best times from."
        )
        for table, rows in ((self.stage_table, len(results.book.groups)), (self.reach_table,
                                                                         len(groups))):  # fmt: skip
            row = table.verticalHeader().defaultSectionSize()
            top = table.horizontalHeader().sizeHint().height()
            table.setFixedHeight(top + row * max(rows, 1) + 4)

    def _on_stage_table_clicked(self, index: QModelIndex) -> None:
        if self.results is None or not index.isValid():
            return
        group: StageGroup = self.stage_model.record(index.row())
        ids = frozenset(s.customer_id for s in self.results.book.staged if s.stage == group.stage)
        title = f"{group.label} stage ({len(ids):,})"
        self.customers_requested.emit(CustomerFilter(customer_ids=ids, title=title))
