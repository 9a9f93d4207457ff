"""The Customers tab's filter controls: segment, lifecycle stage, owner, churn-risk band,
health band, do not contact and "unscored only", read and set as one ``CustomerFilter``.

Each control is a combo box over Python values (``ValueCombo``); a filter that none of
its items states (a dashboard bar's "churn risk 20% to 30%", "not Lost", an owner a
saved view remembers who has no customers now) gets an item of its own, so the controls
always show the filter in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QStyle,
    QStyleOptionComboBox,
    QWidget,
)

from services.lifecycle.stages import NO_STAGE, STAGE_LABELS
from views.item_models.customer_filters import (
    HEALTH_BANDS,
    RISK_BANDS,
    Band,
    CustomerFilter,
    describe_range,
)
from views.kit.accessibility import name
from views.kit.combo import ComboBox

ALL_SEGMENTS = "All segments"
ALL_OWNERS = "All owners"
ANY_STAGE = "Any stage"
NO_OWNER = "No owner"
# Lost customers are gone: the list most often wanted is everyone but them.
LOST_SEGMENT = "Lost"
NOT_SCORED_TIP = "Not scored yet: score the workspace (Ctrl+R) to filter by its scores"
# A long saved view's name elides beyond this (its full name is in the list and tooltip).
MAX_COMBO_TEXT_WIDTH = 260
Segments = tuple[frozenset[str], frozenset[str]]  # (only these, not these)
_ANY_SEGMENT: Segments = (frozenset(), frozenset())
_NOT_LOST: Segments = (frozenset(), frozenset({LOST_SEGMENT}))
CONTACT_ITEMS: tuple[tuple[str, bool | None, str], ...] = (
    ("Contact: all", None, "Customers marked do not contact are listed too"),
    ("Do not contact only", True, "Only customers who asked not to be contacted"),
    ("Leave out do not contact", False, "Hide customers who asked not to be contacted"),
)


class ValueCombo(ComboBox):
    """A combo box whose items stand for Python values; as wide as its current text
    (the list that drops down is as wide as its longest item)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._values: list[Any] = []
        self._custom: int | None = None  # the index of the item made for a custom value
        self.currentIndexChanged.connect(self._on_current_index_changed)

    def _on_current_index_changed(self, _index: int) -> None:
        self.updateGeometry()

    def add(self, label: str, value: Any, tooltip: str = "") -> None:
        self.addItem(label)
        self._values.append(value)
        if tooltip:
            self.setItemData(self.count() - 1, tooltip, Qt.ItemDataRole.ToolTipRole)

    def reset(self) -> None:
        self.clear()
        self._values = []
        self._custom = None

    def value(self) -> Any:
        index = self.currentIndex()
        return self._values[index] if 0 <= index < len(self._values) else None

    def set_value(self, value: Any, custom_label: str) -> None:
        """Show the item of this value, adding one (labelled custom_label) if none is."""
        fixed = self._values if self._custom is None else self._values[: self._custom]
        if value in fixed:
            self.setCurrentIndex(fixed.index(value))
            return
        if self._custom is None:
            self.addItem(custom_label)
            self._values.append(value)
            self._custom = self.count() - 1
        else:
            self.setItemText(self._custom, custom_label)
            self._values[self._custom] = value
        self.setItemData(self._custom, custom_label, Qt.ItemDataRole.ToolTipRole)
        self.setCurrentIndex(self._custom)

    def sizeHint(self) -> QSize:  # noqa: N802  (Qt's name)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        metrics = self.fontMetrics()
        shown = self.currentText() if self.currentIndex() >= 0 else self.placeholderText()
        width = min(metrics.horizontalAdvance(shown) + 4, MAX_COMBO_TEXT_WIDTH)
        text = QSize(width, metrics.height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, opt, text, self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def showPopup(self) -> None:  # noqa: N802
        widest = max(
            (self.fontMetrics().horizontalAdvance(self.itemText(i)) for i in range(self.count())),
            default=0,
        )
        self.view().setMinimumWidth(widest + 40)
        super().showPopup()


class CustomerFilterBar(QObject):
    """The filter controls (``controls``, for the pane to lay out) as one filter.

    Signals:
        filter_changed(CustomerFilter): the user changed a control (the conditions,
            without title or sort).
    """

    filter_changed = Signal(object)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._setting = False
        self._scored = True
        self._segments: tuple[str, ...] = ()
        self._owners: tuple[str, ...] = ()
        self.segment_combo = name(ValueCombo("segmentFilter", parent), "Segment")
        self.segment_combo.setProperty("scoredTip", "RFM segment (from the latest scoring)")
        self.stage_combo = name(ValueCombo("stageFilter", parent), "Stage")
        self.stage_combo.setProperty("scoredTip", "Lifecycle stage as of the latest scoring")
        self.owner_combo = name(ValueCombo("ownerFilter", parent), "Owner")
        self.owner_combo.setToolTip("Account manager")
        self.risk_combo = name(ValueCombo("riskFilter", parent), "Churn risk")
        self.risk_combo.setProperty("scoredTip", "Churn risk band (from the latest scoring)")
        self.health_combo = name(ValueCombo("healthFilter", parent), "Health")
        self.health_combo.setProperty("scoredTip", "Health score band (from the latest scoring)")
        # Only a dashboard figure sets an engagement range: shown while one is in force.
        self.engagement_combo = name(ValueCombo("engagementFilter", parent), "Engagement")
        self.engagement_combo.setToolTip("Engagement score range")
        self.contact_combo = name(ValueCombo("contactFilter", parent), "Contact")
        self.unscored_check = QCheckBox("Unscored only", parent)
        self.unscored_check.setObjectName("unscoredFilter")
        self.unscored_check.setToolTip("Only customers the latest scoring did not score")
        self.clear_link = QLabel('<a href="clear">Clear filters</a>', parent)
        self.clear_link.setObjectName("clearFilters")
        self.clear_link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.clear_link.linkActivated.connect(self._on_clear_link_activated)
        self._fill_fixed()
        self.set_choices((), ())
        self.set_scored(True)
        for combo in self._combos:
            combo.currentIndexChanged.connect(self._on_control_changed)
        self.unscored_check.toggled.connect(self._on_control_changed)
        self._show_optional()

    @property
    def _combos(self) -> tuple[ValueCombo, ...]:
        return (
            self.segment_combo,
            self.stage_combo,
            self.owner_combo,
            self.risk_combo,
            self.health_combo,
            self.engagement_combo,
            self.contact_combo,
        )

    @property
    def controls(self) -> list[QWidget]:
        """Left to right, as the pane lays them out."""
        return [*self._combos, self.unscored_check, self.clear_link]

    def _fill_fixed(self) -> None:
        def bands(combo: ValueCombo, any_label: str, items: Sequence[Band], noun: str) -> None:
            combo.add(any_label, None)
            for band in items:
                combo.add(f"{band.short.capitalize()} {noun}", band.range, band.label)

        self.stage_combo.add(ANY_STAGE, frozenset())
        for key, label in STAGE_LABELS.items():
            self.stage_combo.add(label, frozenset({key}), f"Customers in the {label.lower()} stage")
        self.stage_combo.add(NO_STAGE, frozenset({""}), "Customers with no lifecycle stage")
        bands(self.risk_combo, "Any churn risk", RISK_BANDS, "risk")
        bands(self.health_combo, "Any health", HEALTH_BANDS, "health")
        self.engagement_combo.add("Any engagement", None)
        for label, value, tip in CONTACT_ITEMS:
            self.contact_combo.add(label, value, tip)

    def set_choices(self, segments: Sequence[str], owners: Sequence[str]) -> None:
        """The segments and owners of the loaded table ("" for customers without an
        owner); the filter in force stays."""
        segments, owners = tuple(s for s in segments if s), tuple(owners)
        if (segments, owners) == (self._segments, self._owners) and self.segment_combo.count():
            return
        current = self.filter()
        self._segments, self._owners = segments, owners
        self._setting = True
        try:
            self.segment_combo.reset()
            self.segment_combo.add(ALL_SEGMENTS, _ANY_SEGMENT)
            self.segment_combo.add(
                f"All but {LOST_SEGMENT}", _NOT_LOST, f"Every segment except {LOST_SEGMENT}"
            )
            for name in segments:
                self.segment_combo.add(name, (frozenset({name}), frozenset()))
            self.owner_combo.reset()
            self.owner_combo.add(ALL_OWNERS, None)
            for name in owners:
                self.owner_combo.add(name or NO_OWNER, name)
        finally:
            self._setting = False
        self.set_filter(current)

    def set_scored(self, scored: bool) -> None:
        """Segment, churn risk, health and engagement exist once the workspace is scored:
        until then their controls are disabled (a filter in force still shows)."""
        self._scored = scored
        for combo in (self.segment_combo, self.stage_combo, self.risk_combo, self.health_combo):
            combo.setEnabled(scored or combo.currentIndex() > 0)
            combo.setToolTip(combo.property("scoredTip") if scored else NOT_SCORED_TIP)
        self.engagement_combo.setEnabled(scored or self.engagement_combo.currentIndex() > 0)

    # -- the filter ------------------------------------------------------------------------

    def filter(self) -> CustomerFilter:
        """The conditions the controls state."""
        segments: Segments = self.segment_combo.value() or _ANY_SEGMENT
        return CustomerFilter(
            segments=segments[0],
            exclude_segments=segments[1],
            owner=self.owner_combo.value(),
            churn_risk=self.risk_combo.value(),
            health=self.health_combo.value(),
            engagement=self.engagement_combo.value(),
            unscored=self.unscored_check.isChecked(),
            do_not_contact=self.contact_combo.value(),
            stages=self.stage_combo.value() or frozenset(),
        )

    def set_filter(self, f: CustomerFilter) -> None:
        """Show these conditions (no filter_changed: the caller applies them)."""
        self._setting = True
        try:
            self.segment_combo.set_value(
                (f.segments, f.exclude_segments), _describe_segments(f.segments, f.exclude_segments)
            )
            self.owner_combo.set_value(f.owner, f"{f.owner or NO_OWNER} (no customers)")
            self.stage_combo.set_value(f.stages, _describe_stages(f.stages))
            for combo, field, value, noun in (
                (self.risk_combo, "churn_risk", f.churn_risk, "Churn risk"),
                (self.health_combo, "health", f.health, "Health"),
                (self.engagement_combo, "engagement", f.engagement, "Engagement"),
            ):
                label = f"{noun} {describe_range(field, value)}" if value is not None else ""
                combo.set_value(value, label)
            self.contact_combo.set_value(f.do_not_contact, "")
            self.unscored_check.setChecked(f.unscored)
        finally:
            self._setting = False
        self._show_optional()
        self.set_scored(self._scored)

    def _show_optional(self) -> None:
        f = self.filter()
        self.engagement_combo.setVisible(f.engagement is not None)
        self.clear_link.setVisible(not f.is_empty)

    def _on_control_changed(self, *_args: object) -> None:
        if self._setting:
            return
        self._show_optional()
        self.filter_changed.emit(self.filter())

    def _on_clear_link_activated(self, _link: str) -> None:
        self.set_filter(CustomerFilter())
        self.filter_changed.emit(self.filter())


def _describe_segments(only: frozenset[str], leave_out: frozenset[str]) -> str:
    parts = []
    if only:
        parts.append(", ".join(sorted(only)))
    if leave_out:
        parts.append("Not " + ", ".join(sorted(leave_out)))
    return " · ".join(parts) or ALL_SEGMENTS


def _describe_stages(stages: frozenset[str]) -> str:
    """Several stages (a saved view's), in life order: "Renewal, At risk"."""
    order = [*STAGE_LABELS, ""]
    named = sorted(stages, key=lambda k: order.index(k) if k in order else len(order))
    return ", ".join(STAGE_LABELS.get(k, k if k else NO_STAGE) for k in named) or ANY_STAGE
