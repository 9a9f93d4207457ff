"""The Model report: how the latest scoring run chose its churn model and how well
that model did on a backtest, next to the simple baselines, with the calibration chart
and the fitted lifetime-value parameters.

The dialog is handed a ``ModelReport`` (or None before any scoring run) and never
queries. The calibration chart (pyqtgraph) is created with the first report shown.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.core import money
from services.core.formatting import format_date
from services.core.records import (
    CHURN_MODEL_NAMES,
    CHURN_MODEL_ORDER,
    ModelReport,
    orders_backtest_text,
)
from views.kit.geometry import FitsScreen, resize_for_text
from views.kit.theme import LIGHT, Theme

if TYPE_CHECKING:
    from views.charts.calibration_chart import CalibrationChart

Index = QModelIndex | QPersistentModelIndex

# Backtest metrics, as rows: key, title, format, higher is better, what it means.
METRICS: tuple[tuple[str, str, str, bool, str], ...] = (
    (
        "auc",
        "ROC AUC",
        "{:.3f}",
        True,
        "How well the risk ranks the customers who did not order above those who did "
        "(0.5 = chance, 1 = perfect). Higher is better.",
    ),
    (
        "brier",
        "Brier score",
        "{:.4f}",  # candidates often differ in the fourth decimal
        False,
        "Mean squared error of the predicted probabilities (0 = perfect). Lower is better.",
    ),
    (
        "lift_top_decile",
        "Top-10% lift",
        "{:.2f}×",
        True,
        "How many times more often the riskiest 10% did not order than the average "
        "customer. Higher is better.",
    ),
)
MODEL_TITLES = {
    "gbm": "Classifier",
    "bgnbd": "BG/NBD",
    "pnbd": "Pareto/NBD",
    "blend": "Classifier + BG/NBD",
    "blend_pnbd": "Classifier + Pareto/NBD",
    "recency": "Recency",
}
BASELINE_ORDER = CHURN_MODEL_ORDER
EMPTY_MESSAGE = (
    "No scoring run yet.\n\nScore the workspace to see how well the churn model "
    "predicts: its backtest, its calibration and the fitted parameters."
)

_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def model_title(key: str) -> str:
    return MODEL_TITLES.get(key, key)


class BacktestTableModel(QAbstractTableModel):
    """Backtest figures: one row per model (the chosen one first, then the candidates it
    beat and plain recency), one column per metric after the model's name; the best value
    of each column in bold."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._models: list[str] = []
        self._chosen = ""
        self._values: dict[str, dict[str, float | None]] = {}

    def set_report(self, report: ModelReport | None) -> None:
        self.beginResetModel()
        if report is None:
            self._models, self._chosen, self._values = [], "", {}
        else:
            self._chosen = report.chosen_model
            self._values = {
                report.chosen_model: {
                    "auc": report.auc,
                    "brier": report.brier,
                    "lift_top_decile": report.lift_top_decile,
                }
            }
            for key in BASELINE_ORDER:
                if key in report.baseline and key != report.chosen_model:
                    figures = report.baseline[key]
                    self._values[key] = {m[0]: figures.get(m[0]) for m in METRICS}
            for key, figures in report.baseline.items():  # any other the pipeline adds
                if key not in self._values:
                    self._values[key] = {m[0]: figures.get(m[0]) for m in METRICS}
            self._models = list(self._values)
        self.endResetModel()

    def value(self, row: int, column: int) -> float | None:
        """A model's (row) figure of a metric (column 1 and up; column 0 names the model)."""
        return self._values[self._models[row]].get(METRICS[column - 1][0])

    def model_keys(self) -> list[str]:
        """The models, in row order."""
        return list(self._models)

    def _best_row(self, column: int) -> int | None:
        higher = METRICS[column - 1][3]
        scored = [
            (v, r) for r in range(len(self._models)) if (v := self.value(r, column)) is not None
        ]
        if len(scored) < 2:
            return None
        return (max(scored) if higher else min(scored))[1]

    # -- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._models)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self._models else len(METRICS) + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        key = self._models[row]
        if role == _DISPLAY:
            if column == 0:
                return ("✓ " if key == self._chosen else "") + model_title(key)
            value = self.value(row, column)
            return "—" if value is None else METRICS[column - 1][2].format(value)
        if role == _ALIGN:
            return _LEFT if column == 0 else _RIGHT
        if role == _FONT:
            chosen = column == 0 and key == self._chosen
            if chosen or (column > 0 and self._best_row(column) == row):
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == _TOOLTIP:
            if column == 0:
                name = CHURN_MODEL_NAMES.get(key, key)
                return f"{name} (the chosen model)" if key == self._chosen else name
            return METRICS[column - 1][4]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "Model" if section == 0 else METRICS[section - 1][1]
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            return METRICS[section - 1][4]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if section == 0 else _RIGHT
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren


def _card(title: str, parent: QWidget) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame(parent)
    card.setObjectName("card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(14, 10, 14, 12)
    layout.setSpacing(6)
    heading = QLabel(title, card)
    heading.setObjectName("sectionTitle")
    layout.addWidget(heading)
    return card, layout


def _label(text: str, parent: QWidget, name: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _param(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"


def chosen_reason(report: ModelReport) -> str:
    """Why the chosen model was chosen: the pipeline's words, else the backtest's."""
    if report.reason:
        return report.reason[:1].upper() + report.reason[1:]
    if report.auc is None:
        return "Too little history for a backtest; the population model was used."
    others = [
        (key, figures)
        for key, figures in report.baseline.items()
        if key != report.chosen_model and figures.get("brier") is not None
    ]
    if report.brier is not None and others:
        key, figures = min(others, key=lambda kv: kv[1]["brier"])
        return (
            f"It backtested best: Brier score {report.brier:.3f} against "
            f"{figures['brier']:.3f} for {model_title(key)}."
        )
    return "It backtested best."


class ModelReportDialog(QDialog):
    """The latest scoring run's model report (or how to get one).

    Signals:
        score_requested(): the user asked to score from the empty state.
    """

    score_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model report")
        self.setObjectName("modelReport")
        self._theme: Theme = LIGHT
        self._report: ModelReport | None = None
        self.calibration_chart: CalibrationChart | None = None

        self._stack = QStackedWidget(self)
        # Page 0: nothing scored yet.
        empty = QWidget(self)
        self.empty_label = QLabel(EMPTY_MESSAGE, empty)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.score_button = QPushButton("Score now", empty)
        self.score_button.clicked.connect(self.score_requested)
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.score_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        self._stack.addWidget(empty)
        self._stack.addWidget(self._build_report_page())

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(10)
        layout.addWidget(self._stack, 1)
        layout.addWidget(buttons)
        resize_for_text(self, 980, 680)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
        self.set_report(None)

    def _build_report_page(self) -> QWidget:  # noqa: PLR0915
        page = QWidget(self)
        self.title_label = _label("Model report", page, "paneTitle", wrap=False)
        self.run_label = _label("", page, "customerSubtitle")

        # The churn model: which, why, and how the horizon was bridged.
        model_card, model_layout = _card("CHURN MODEL", page)
        self.model_label = _label("", model_card, "reportModel")
        self.reason_label = _label("", model_card)
        self.bridged_label = _label("", model_card, "reportBridged")
        self.backtest_label = _label("", model_card, "kpiNote")
        for w in (self.model_label, self.reason_label, self.bridged_label, self.backtest_label):
            model_layout.addWidget(w)

        # Backtest figures against the baselines.
        metrics_card, metrics_layout = _card("BACKTEST", page)
        self.metrics_model = BacktestTableModel(self)
        self.metrics_view = QTableView(metrics_card)
        self.metrics_view.setObjectName("metricsTable")
        self.metrics_view.setModel(self.metrics_model)
        self.metrics_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.metrics_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.metrics_view.setShowGrid(False)
        self.metrics_view.setFrameShape(QFrame.Shape.NoFrame)
        self.metrics_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.metrics_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        hheader = self.metrics_view.horizontalHeader()
        hheader.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hheader.setStretchLastSection(False)
        hheader.setHighlightSections(False)
        vheader = self.metrics_view.verticalHeader()
        vheader.hide()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.metrics_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        metrics_help = _label(
            "Scores computed as of an earlier day, checked against what customers then "
            "did. The best figure of each column is in bold.",
            metrics_card,
            "kpiNote",
        )
        # Predicted orders over the same window against the orders placed.
        self.orders_label = _label("", metrics_card, "reportOrders")
        metrics_layout.addWidget(self.metrics_view)
        metrics_layout.addWidget(self.orders_label)
        metrics_layout.addWidget(metrics_help)

        # Lifetime value models: fitted parameters.
        params_card, params_layout = _card("LIFETIME VALUE MODELS", page)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(3)
        self.param_labels: dict[str, QLabel] = {}
        rows = (
            ("BG/NBD (weeks)", "bgnbd", (("r", "r"), ("alpha", "α"), ("a", "a"), ("b", "b"))),
            ("Gamma-Gamma", "gamma_gamma", (("p", "p"), ("q", "q"), ("v", "v"))),
            (
                "Pareto/NBD (weeks)",
                "paretonbd",
                (("r", "r"), ("alpha", "α"), ("s", "s"), ("beta", "β")),
            ),
        )
        self.param_rows: dict[str, list[QLabel]] = {}
        for r, (title, group, names) in enumerate(rows):
            heading = _label(title, params_card, "paramGroup", wrap=False)
            grid.addWidget(heading, r, 0)
            self.param_rows[group] = [heading]
            for c, (key, symbol) in enumerate(names, start=1):
                label = _label("", params_card, "paramValue", wrap=False)
                self.param_rows[group].append(label)
                label.setToolTip(f"{title}: {key}")
                self.param_labels[f"{group}.{key}"] = label
                label.setProperty("symbol", symbol)
                grid.addWidget(label, r, c)
        grid.setColumnStretch(5, 1)
        params_layout.addLayout(grid)

        # Calibration.
        # The chart brings its own title and legend.
        self.calibration_card = QFrame(page)
        self.calibration_card.setObjectName("card")
        self._calibration_layout = QVBoxLayout(self.calibration_card)
        self._calibration_layout.setContentsMargins(8, 8, 8, 12)
        self._calibration_layout.setSpacing(6)
        self.calibration_help = _label(
            "Each dot is a group of customers with similar predicted risk: how many of "
            "them really placed no order. On the dashed diagonal, a predicted 30% means "
            "3 in 10 did not order.",
            self.calibration_card,
            "kpiNote",
        )
        self._calibration_layout.addWidget(self.calibration_help)

        notes_card, notes_layout = _card("NOTES", page)
        self.notes_label = _label("", notes_card)
        self.notes_label.setTextFormat(Qt.TextFormat.RichText)
        notes_layout.addWidget(self.notes_label)
        self.notes_card = notes_card

        left = QVBoxLayout()
        left.setSpacing(10)
        left.addWidget(model_card)
        left.addWidget(metrics_card)
        left.addWidget(params_card)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.setSpacing(10)
        columns.addLayout(left, 5)
        columns.addWidget(self.calibration_card, 6)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.title_label)
        layout.addWidget(self.run_label)
        layout.addLayout(columns, 1)
        layout.addWidget(notes_card)
        return page

    # -- data -------------------------------------------------------------------------------

    @property
    def report(self) -> ModelReport | None:
        return self._report

    @property
    def is_empty(self) -> bool:
        return self._stack.currentIndex() == 0

    def set_report(self, report: ModelReport | None) -> None:
        """Show a run's report; None shows how to get one."""
        self._report = report
        self.metrics_model.set_report(report)
        if report is None:
            self._stack.setCurrentIndex(0)
            return
        finished = report.finished_at.astimezone(dt.UTC)
        self.run_label.setText(
            f"Scored as of {format_date(report.as_of)} for the next {report.horizon_days} "
            f"days  ·  {report.customers:,} customers  ·  run {report.run_id}, finished "
            f"{format_date(finished.date())} {finished:%H:%M} UTC"
        )
        name = CHURN_MODEL_NAMES.get(report.chosen_model, report.chosen_model)
        self.model_label.setText(name[:1].upper() + name[1:])
        self.reason_label.setText(chosen_reason(report))
        self.bridged_label.setText(f"Horizon: {report.bridged}" if report.bridged else "")
        self.bridged_label.setVisible(bool(report.bridged))
        self.backtest_label.setText(self._backtest_text(report))
        orders = orders_backtest_text(
            report.orders_backtest, report.backtest_horizon_days or report.horizon_days
        )
        self.orders_label.setText(orders)
        self.orders_label.setVisible(bool(orders))
        groups = {
            "bgnbd": report.bgnbd,
            "gamma_gamma": report.gamma_gamma,
            "paretonbd": report.paretonbd,
        }
        for widget in self.param_rows["paretonbd"]:
            widget.setVisible(bool(report.paretonbd))  # fitted when the chosen model uses it
        for key, label in self.param_labels.items():
            group, name = key.split(".")
            values = groups[group]
            value = values.get(name)
            if key == "gamma_gamma.v" and value is not None:
                # v is a scale in the money unit the model was fitted in: cents.
                sign = money.currency_symbol(report.currency).strip()
                label.setText(f"v = {_param(value / 100)} {sign}")
                label.setToolTip(f"Gamma-Gamma: v, the spend scale, in {report.currency}")
                continue
            label.setText(f"{label.property('symbol')} = {_param(value)}")
        notes = report_notes(report)
        self.notes_label.setText("<br>".join(f"•&nbsp;{_escape(n)}" for n in notes))
        self.notes_card.setVisible(bool(notes))
        self._fit_metrics_height()
        if self.metrics_model.columnCount():
            # The model names take the room the figures do not need.
            self.metrics_view.horizontalHeader().setSectionResizeMode(
                0, QHeaderView.ResizeMode.Stretch
            )
        chart = self._ensure_chart()
        chart.set_bins(report.calibration, empty_text="No backtest: too little history")
        self._stack.setCurrentIndex(1)

    @staticmethod
    def _backtest_text(report: ModelReport) -> str:
        parts = []
        if report.backtest_cutoff is not None:
            span = report.backtest_horizon_days or report.horizon_days
            end = report.backtest_cutoff + dt.timedelta(days=span)
            parts.append(
                f"Backtest: scored as of {format_date(report.backtest_cutoff)}, checked "
                f"against orders up to {format_date(end)} ({span} days)."
            )
        else:
            parts.append("No backtest: too little history before the as-of date.")
        parts.append(f"Model {report.model_version} · settings version {report.config_version}.")
        return " ".join(parts)

    def _fit_metrics_height(self) -> None:
        view = self.metrics_view
        rows = self.metrics_model.rowCount()
        height = view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth()
        height += sum(view.rowHeight(r) for r in range(rows))
        view.setFixedHeight(height + 2)

    def _ensure_chart(self) -> CalibrationChart:
        if self.calibration_chart is None:
            from views.charts.calibration_chart import CalibrationChart

            self.calibration_chart = CalibrationChart(self.calibration_card)
            self.calibration_chart.set_theme(self._theme)
            self._calibration_layout.insertWidget(0, self.calibration_chart, 1)
        return self.calibration_chart

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self.calibration_chart is not None:
            self.calibration_chart.set_theme(theme)


def report_notes(report: ModelReport) -> list[str]:
    """The run's notes as sentences, without the one the reason already says."""
    reason = report.reason.strip().rstrip(".").casefold()
    notes = []
    for note in report.notes:
        text = note.strip()
        if not text or (reason and text.rstrip(".").casefold() == reason):
            continue
        text = text[:1].upper() + text[1:]
        notes.append(text if text.endswith((".", "!", "?", ")")) else f"{text}.")
    return notes


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
