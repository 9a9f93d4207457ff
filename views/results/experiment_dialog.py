"""Results ▸ Experiments ▸ New experiment…: a name, what the strategies set (a tone, a
template or a playbook), two or more strategies, and which alerts take part (risk rules
and bands). Start gives the spec (services.alerts.experiment_records.ExperimentSpec); the
section starts it on the job runner."""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from services.alerts.experiment_records import (
    MAX_STRATEGIES,
    MIN_STRATEGIES,
    ExperimentChoices,
    ExperimentSpec,
    Strategy,
)
from views.kit.accessibility import label_for, name, name_field
from views.kit.combo import ComboBox
from views.kit.dialog_parts import set_tone
from views.kit.geometry import FitsScreen, resize_for_text

INTRO = (
    "Each alert of the outreach arm that matches and has not been contacted yet gets one "
    "strategy, drawn at random within its risk band. The holdout is not touched."
)


def _boxes(parent: QWidget, items: tuple[tuple[str, str], ...], checked: bool) -> list[QCheckBox]:
    boxes = []
    for key, label in items:
        box = QCheckBox(label, parent)
        box.setProperty("key", key)
        box.setChecked(checked)
        boxes.append(box)
    return boxes


class NewExperimentDialog(QDialog):
    """The new experiment's name, strategies and alerts; ``spec()`` after Start."""

    def __init__(self, choices: ExperimentChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New experiment")
        self._choices = choices
        self.name_edit = name_field(QLineEdit(self), "Name")
        self.name_edit.setPlaceholderText("For example: Warm or concise")
        self.kind_combo = name(ComboBox(self), "What the strategies set")
        for key, label in choices.kinds:
            self.kind_combo.addItem(label, key)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.strategy_group = QGroupBox("Strategies (two or more)", self)
        self.strategy_layout = QVBoxLayout(self.strategy_group)
        self.strategy_boxes: list[QCheckBox] = []
        rules = QGroupBox("Alerts of these rules", self)
        rules_layout = QVBoxLayout(rules)
        self.rule_boxes = _boxes(rules, choices.rules, True)
        for box in self.rule_boxes:
            rules_layout.addWidget(box)
        bands = QGroupBox("In these risk bands", self)
        bands_layout = QVBoxLayout(bands)
        self.band_boxes = _boxes(bands, choices.bands, True)
        for box in self.band_boxes:
            bands_layout.addWidget(box)
        self.problem_label = QLabel("", self)
        self.problem_label.setWordWrap(True)
        set_tone(self.problem_label, "critical")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.start_button = buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._on_start_clicked)
        buttons.rejected.connect(self.reject)

        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        intro.setObjectName("kpiNote")
        form = QFormLayout()
        form.addRow(label_for(QLabel("Name", self), self.name_edit), self.name_edit)
        form.addRow(label_for(QLabel("What they set", self), self.kind_combo), self.kind_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.strategy_group)
        layout.addWidget(rules)
        layout.addWidget(bands)
        layout.addWidget(self.problem_label)
        layout.addWidget(buttons)
        self._on_kind_changed()
        resize_for_text(self, 460)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %

    def _on_kind_changed(self) -> None:
        for box in self.strategy_boxes:
            self.strategy_layout.removeWidget(box)
            box.hide()  # at once: deleteLater waits for the event loop
            box.deleteLater()
        kind = str(self.kind_combo.currentData() or "")
        values = self._choices.values.get(kind, ())
        self.strategy_boxes = _boxes(self.strategy_group, values, False)
        for box in self.strategy_boxes:
            self.strategy_layout.addWidget(box)
        for box in self.strategy_boxes[:MIN_STRATEGIES]:
            box.setChecked(True)

    def _checked(self, boxes: list[QCheckBox]) -> list[QCheckBox]:
        return [b for b in boxes if b.isChecked()]

    def problem(self) -> str:
        """Why Start cannot go ahead yet ("" when it can)."""
        strategies = self._checked(self.strategy_boxes)
        if not self.name_edit.text().strip():
            return "Give the experiment a name."
        if not MIN_STRATEGIES <= len(strategies) <= MAX_STRATEGIES:
            return f"Choose {MIN_STRATEGIES} to {MAX_STRATEGIES} strategies."
        if not self._checked(self.rule_boxes):
            return "Choose one or more rules."
        if not self._checked(self.band_boxes):
            return "Choose one or more risk bands."
        return ""

    def spec(self) -> ExperimentSpec:
        """The experiment as chosen."""
        strategies = tuple(
            Strategy(
                key=re.sub(r"[^a-z0-9]+", "_", str(b.property("key")).lower()).strip("_"),
                label=b.text(),
                value=str(b.property("key")),
            )
            for b in self._checked(self.strategy_boxes)
        )
        return ExperimentSpec(
            name=self.name_edit.text().strip(),
            kind=str(self.kind_combo.currentData()),
            strategies=strategies,
            rules=tuple(str(b.property("key")) for b in self._checked(self.rule_boxes)),
            bands=tuple(str(b.property("key")) for b in self._checked(self.band_boxes)),
        )

    def _on_start_clicked(self) -> None:
        problem = self.problem()
        self.problem_label.setText(problem)
        if not problem:
            self.accept()
