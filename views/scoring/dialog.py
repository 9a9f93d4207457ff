"""The "Score now" dialog: as of which day, and for how long a horizon.

Defaults come from the caller (today and the workspace's horizon setting), so most of
the time the user just presses Enter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

MIN_HORIZON_DAYS = 7
MAX_HORIZON_DAYS = 1095  # services.settings.MAX_HORIZON_DAYS (views cannot import it)


@dataclass(frozen=True)
class ScoringParameters:
    """What a scoring run is asked for."""

    as_of: dt.date
    horizon_days: int


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ScoringDialog(QDialog):
    """Choose the as-of date and the horizon, then Score (or Cancel)."""

    def __init__(
        self, defaults: ScoringParameters, *, today: dt.date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Score customers")
        self.setObjectName("scoringDialog")
        intro = QLabel(
            "Scores every customer from their history up to the as-of date: churn risk, "
            "revenue at risk, engagement, health, value (over the months set in Settings ▸ "
            "Scores) and segment. A backtest "
            "on the most recent complete horizon shows how well the model predicts.",
            self,
        )
        intro.setWordWrap(True)

        self.as_of_edit = QDateEdit(_qdate(min(defaults.as_of, today)), self)
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("MMM d, yyyy")
        # Scores only look back: a day after today would have no data to stand on.
        self.as_of_edit.setMaximumDate(_qdate(today))
        self.as_of_edit.setMinimumDate(QDate(1990, 1, 1))
        as_of_help = QLabel("Only orders and interactions up to this day are used.", self)
        as_of_help.setObjectName("fieldHelp")

        self.horizon_spin = QSpinBox(self)
        self.horizon_spin.setRange(MIN_HORIZON_DAYS, MAX_HORIZON_DAYS)
        self.horizon_spin.setSingleStep(30)
        self.horizon_spin.setSuffix(" days")
        self.horizon_spin.setValue(
            min(max(defaults.horizon_days, MIN_HORIZON_DAYS), MAX_HORIZON_DAYS)
        )
        horizon_help = QLabel("Churn risk is the chance of no order within this time.", self)
        horizon_help.setObjectName("fieldHelp")

        form = QFormLayout()
        form.setVerticalSpacing(4)
        form.addRow("As of", self.as_of_edit)
        form.addRow("", as_of_help)
        form.addRow("Horizon", self.horizon_spin)
        form.addRow("", horizon_help)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Score now")
        ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def parameters(self) -> ScoringParameters:
        day = self.as_of_edit.date()
        return ScoringParameters(
            as_of=dt.date(day.year(), day.month(), day.day()),
            horizon_days=self.horizon_spin.value(),
        )


def ask_scoring_parameters(
    parent: QWidget | None, defaults: ScoringParameters, *, today: dt.date
) -> ScoringParameters | None:
    """Show the dialog; the chosen parameters, or None when cancelled."""
    dialog = ScoringDialog(defaults, today=today, parent=parent)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.parameters()
        return None
    finally:
        dialog.deleteLater()
