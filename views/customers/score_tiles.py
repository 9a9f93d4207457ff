"""The scores of one customer in the detail pane: six score tiles with trend arrows
against the previous snapshot, and the drivers (the top reasons, with weight bars).

Trend colours say whether a move is good or bad for the account, not whether the
number went up: churn risk up is red, health up is green.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from services.alerts.records import REVENUE_AT_RISK_SHORT, REVENUE_AT_RISK_WORDS
from services.core.clv_words import value_label
from services.core.formatting import format_percent, format_short_date
from services.core.records import CustomerScores, Driver
from views.kit.formatting import compact_money, format_money
from views.kit.theme import LIGHT, Theme
from views.kit.tiles import DOWN, UP, ElidingLabel, KpiTile, Trend, trend

MAX_DRIVERS = 3

CONFIDENCE_TEXT = {
    "high": (
        "High confidence",
        "plain",
        "The likely range of the churn risk is narrow (under 25 points), with a long "
        "history and good data coverage.",
    ),
    "medium": (
        "Medium confidence",
        "plain",
        "The churn risk is known to within 25 to 50 points, or some history or data is missing.",
    ),
    "low": (
        "Low confidence",
        "warning",
        "Little history, or a wide range of possible churn risk: read these scores as rough.",
    ),
}
DASH = "\u2013"  # en dash between the ends of a range


def _count(value: float) -> str:
    """An order count: whole numbers without a decimal, others with one."""
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _span(low: str, high: str) -> str:
    """ "12%–35%"; one figure when both ends read the same ("0"); "95% to >99%" when an
    end is a bound (a dash before ">" or "<" reads badly)."""
    if low == high:
        return low
    if high[:1] in "<>" or low[:1] in "<>":
        return f"{low} to {high}"
    return f"{low}{DASH}{high}"


def _risk_end(value: float) -> str:
    """A range end of a risk: never "100%" or "0%" (a range is never certain)."""
    return ">99%" if value >= 0.995 else "<1%" if value <= 0.005 else format_percent(value)


def ranges_text(scores: CustomerScores) -> tuple[str, ...]:
    """The 80% ranges in words, longest wording first ("" when the snapshot has none):
    "Likely ranges (8 in 10 chances): churn risk 12%–35% · orders 0–2 · CLV $640–$1,380"."""
    parts: list[tuple[str, str]] = []
    if scores.churn_risk_low is not None and scores.churn_risk_high is not None:
        both = _span(_risk_end(scores.churn_risk_low), _risk_end(scores.churn_risk_high))
        parts.append(("churn risk " + both, "risk " + both))
    if scores.predicted_orders_low is not None and scores.predicted_orders_high is not None:
        both = _span(_count(scores.predicted_orders_low), _count(scores.predicted_orders_high))
        parts.append(("orders " + both, "orders " + both))
    if scores.clv_12m_low_cents is not None and scores.clv_12m_high_cents is not None:
        low = format_money(scores.clv_12m_low_cents / 100.0, scores.currency, cents=False)
        high = format_money(scores.clv_12m_high_cents / 100.0, scores.currency, cents=False)
        value = value_label(scores.clv_months)
        parts.append((f"{value} {_span(low, high)}", f"value {_span(low, high)}"))
    if not parts:
        return ("",)
    long = " · ".join(p[0] for p in parts)
    short = " · ".join(p[1] for p in parts)
    return (f"Likely ranges (8 in 10 chances): {long}", f"80% ranges: {short}", short)


def _points(delta: float, _currency: str) -> str:
    return f"{delta * 100:.0f} pts"


def _whole(delta: float, _currency: str) -> str:
    return f"{delta:.0f}"


def _money_delta(delta: float, currency: str) -> str:
    return format_money(delta, currency, cents=False)


def _orders(delta: float, _currency: str) -> str:
    return f"{delta:.1f}"


def _in_currency(fmt: Callable[[float, str], str], currency: str, delta: float) -> str:
    return fmt(delta, currency)


def _cents(value: int | None) -> float | None:
    return None if value is None else value / 100.0


def _since(day: dt.date) -> str:
    return f"since {format_short_date(day)}"


@dataclass(frozen=True)
class _TileSpec:
    key: str
    caption: str
    higher_is_better: bool
    threshold: float
    delta: Callable[[float, str], str]  # (move, currency) -> "▲ 8 pts", "$1,200"
    short_captions: tuple[str, ...] = ()


_TILES = (
    _TileSpec("churn_risk", "Churn risk", False, 0.005, _points, ("Risk",)),
    _TileSpec("revenue_at_risk", "Revenue at risk", False, 1.0, _money_delta, ("At risk",)),
    _TileSpec("health_score", "Health", True, 0.5, _whole),
    _TileSpec("engagement_score", "Engagement", True, 0.5, _whole, ("Engaged",)),
    # The caption names the run's value horizon once scores arrive ("24-month value"); until
    # then it names no horizon, which may be any T (setting scoring.clv_months).
    _TileSpec("clv_12m", "Value", True, 1.0, _money_delta, ("Value",)),
    # The caption names the horizon once scores arrive ("Orders in 90 days").
    _TileSpec("predicted_orders", "Orders ahead", True, 0.05, _orders, ("Ahead",)),
)


def _value(scores: CustomerScores, key: str) -> float | None:
    if key == "revenue_at_risk":
        return _cents(scores.revenue_at_risk_cents)
    if key == "clv_12m":
        return _cents(scores.clv_12m_cents)
    value = getattr(scores, key)
    return None if value is None else float(value)


class ScoreStrip(QWidget):
    """Six score tiles in a row: value, and the move since the previous snapshot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, KpiTile] = {}
        self.trends: dict[str, Trend | None] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(8)
        layout.setVerticalSpacing(8)
        self._layout = layout
        for spec in _TILES:
            tile = KpiTile(spec.caption, self)
            tile.setObjectName("scoreTile")
            tile.caption.setText(spec.caption.upper(), *(c.upper() for c in spec.short_captions))
            tile_layout = tile.layout()
            if tile_layout is not None:
                # Six in a row: a little less padding than the fact tiles.
                margins = tile_layout.contentsMargins()
                tile_layout.setContentsMargins(9, margins.top(), 6, margins.bottom())
            self.tiles[spec.key] = tile
        # One line under the tiles: the 80% ranges of risk, orders and CLV.
        self.ranges = ElidingLabel("", self)
        self.ranges.setObjectName("kpiNote")
        self.ranges.setProperty("tone", "")
        self.ranges.setContentsMargins(9, 0, 0, 0)  # under the tiles' text
        self.ranges.set_tip(
            "The customer's figure falls in each range 8 times in 10: the uncertainty of "
            "the model fitted to this workspace and of this customer's own history."
        )
        self._columns = 0
        self._arrange(6)

    def _arrange(self, columns: int) -> None:
        """Tiles in one row of six, or two rows of three when the pane is narrow."""
        if columns == self._columns:
            return
        self._columns = columns
        for tile in self.tiles.values():
            self._layout.removeWidget(tile)
        self._layout.removeWidget(self.ranges)
        for i, tile in enumerate(self.tiles.values()):
            self._layout.addWidget(tile, i // columns, i % columns)
        self._layout.addWidget(self.ranges, (len(self.tiles) - 1) // columns + 1, 0, 1, columns)
        for c in range(6):
            self._layout.setColumnStretch(c, 1 if c < columns else 0)

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        # Below ~75 px a tile cannot show "72%" and its caption: wrap to two rows.
        self._arrange(6 if self.width() >= 6 * 75 + 5 * 8 else 3)
        super().resizeEvent(event)  # type: ignore[arg-type]

    def set_scores(self, scores: CustomerScores) -> None:
        """Show a snapshot and its moves since the one before."""
        previous = scores.previous
        horizon = scores.horizon_days
        currency = scores.currency
        defaults: dict[str, tuple[str, tuple[str, ...]]] = {
            "churn_risk": (f"no order in {horizon} days", (f"in {horizon} days",)),
            "revenue_at_risk": (REVENUE_AT_RISK_WORDS, (REVENUE_AT_RISK_SHORT,)),
            "health_score": ("out of 100", ()),
            "engagement_score": ("out of 100", ()),
            "clv_12m": ("predicted revenue", ("predicted",)),
            "predicted_orders": (self._orders_note(scores), ("expected",)),
        }
        # Never just "ORDERS": the fact tile below counts the orders already placed.
        self.tiles["predicted_orders"].caption.setText(
            f"ORDERS IN {horizon} DAYS", f"ORDERS {horizon} D", f"NEXT {horizon} D"
        )
        months = scores.clv_months
        self.tiles["clv_12m"].caption.setText(
            value_label(months).upper(), f"VALUE {months}M", "VALUE"
        )
        ranges = ranges_text(scores)
        self.ranges.setText(*ranges)
        self.ranges.setVisible(bool(ranges[0]))
        for spec in _TILES:
            tile = self.tiles[spec.key]
            current = _value(scores, spec.key)
            move = (
                trend(
                    current,
                    _value(previous, spec.key),
                    higher_is_better=spec.higher_is_better,
                    fmt=functools.partial(_in_currency, spec.delta, currency),
                    threshold=spec.threshold,
                )
                if previous is not None
                else None
            )
            self.trends[spec.key] = move
            value = self._format(spec.key, current, currency)
            caption = value_label(months) if spec.key == "clv_12m" else spec.caption
            if move is not None and previous is not None:
                since = _since(previous.as_of)
                note, tone = f"{move.text} {since}", move.tone
                short: tuple[str, ...] = (move.text,)
                tile.setToolTip(
                    f"{caption}: {value} as of {format_short_date(scores.as_of)}, "
                    f"{self._format(spec.key, _value(previous, spec.key), currency)} as of "
                    f"{format_short_date(previous.as_of)}"
                )
            else:
                note, short = defaults[spec.key]
                tone = ""
                tile.setToolTip("")
            tile.set(
                value,
                note,
                tone,
                short_note=short,
                short_value=self._short(spec.key, current, currency),
            )

    @staticmethod
    def _orders_note(scores: CustomerScores) -> str:
        revenue = _cents(scores.predicted_revenue_cents)
        if not revenue:
            return "expected"
        return f"worth {format_money(revenue, scores.currency, cents=False)}"

    @staticmethod
    def _short(key: str, value: float | None, currency: str) -> tuple[str, ...]:
        """Narrow tiles show money as "$12.3k" rather than cut "$12,3…"."""
        if value is None or key not in ("revenue_at_risk", "clv_12m") or abs(value) < 1000:
            return ()
        return (compact_money(value, currency),)

    @staticmethod
    def _format(key: str, value: float | None, currency: str) -> str:
        if value is None:
            return "—"
        if key == "churn_risk":
            return format_percent(value)
        if key in ("revenue_at_risk", "clv_12m"):
            return format_money(value, currency, cents=False)
        if key == "predicted_orders":
            return f"{value:.1f}"
        return f"{value:.0f}"


class WeightBar(QWidget):
    """A small horizontal bar: a driver's weight (0..1) in its direction's colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._weight = 0.0
        self._fill = QColor(LIGHT.critical)
        self._track = QColor(LIGHT.chip_bg)
        self.setFixedSize(QSize(72, 8))

    def set_weight(self, weight: float, fill: QColor, track: QColor) -> None:
        self._weight = min(max(float(weight), 0.0), 1.0)
        self._fill = QColor(fill)
        self._track = QColor(track)
        self.update()

    @property
    def weight(self) -> float:
        return self._weight

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        rect = QRectF(self.rect())
        radius = rect.height() / 2
        painter.setBrush(self._track)
        painter.drawRoundedRect(rect, radius, radius)
        if self._weight > 0:
            filled = QRectF(rect)
            filled.setWidth(max(rect.height(), rect.width() * self._weight))
            painter.setBrush(self._fill)
            painter.drawRoundedRect(filled, radius, radius)
        painter.end()


class _DriverRow(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arrow = QLabel("", self)
        self.arrow.setObjectName("driverArrow")
        self.arrow.setFixedWidth(14)
        self.text = ElidingLabel("", self)
        self.text.setObjectName("driverText")
        self.bar = WeightBar(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(self.arrow)
        row.addWidget(self.text, 1)
        row.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignVCenter)


class DriversPanel(QFrame):
    """The top reasons behind the scores: ▲ raises churn risk (red), ▼ lowers it
    (green); the bar shows how much each weighs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("driversCard")
        self._theme: Theme = LIGHT
        self._drivers: tuple[Driver, ...] = ()
        self.title = QLabel("WHY", self)
        self.title.setObjectName("kpiCaption")
        self.title.setToolTip(
            "The strongest reasons behind this customer's scores. Directional, not causal."
        )
        self.empty = QLabel("No strong signal either way.", self)
        self.empty.setObjectName("kpiNote")
        self.rows = [_DriverRow(self) for _ in range(MAX_DRIVERS)]
        # The caption beside the reasons, not above them: the pane is short of height.
        reasons = QVBoxLayout()
        reasons.setSpacing(2)
        reasons.addWidget(self.empty)
        for row in self.rows:
            reasons.addWidget(row)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 7, 12, 7)
        layout.setSpacing(12)
        layout.addWidget(self.title, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(reasons, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def set_drivers(self, drivers: tuple[Driver, ...]) -> None:
        """Show the top three drivers, strongest first."""
        self._drivers = tuple(sorted(drivers, key=lambda d: -d.weight)[:MAX_DRIVERS])
        self.empty.setVisible(not self._drivers)
        self._paint_rows()

    @property
    def shown(self) -> tuple[Driver, ...]:
        return self._drivers

    def _paint_rows(self) -> None:
        theme = self._theme
        for i, row in enumerate(self.rows):
            if i >= len(self._drivers):
                row.hide()
                continue
            driver = self._drivers[i]
            risk = driver.direction == "risk"
            colour = theme.critical if risk else theme.positive
            row.arrow.setText(UP if risk else DOWN)
            row.arrow.setStyleSheet(f"color: {colour}; font-weight: 700;")
            row.text.setText(_sentence(driver.text))
            row.bar.set_weight(driver.weight, QColor(colour), QColor(theme.chip_bg))
            effect = "raises churn risk" if risk else "lowers churn risk"
            row.setToolTip(f"{_sentence(driver.text)} — {effect} (weight {driver.weight:.0%})")
            row.show()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._paint_rows()


def _sentence(text: str) -> str:
    """Drivers come in lower case ("no order in 142 days"): start them with a capital."""
    return text[:1].upper() + text[1:] if text else text
