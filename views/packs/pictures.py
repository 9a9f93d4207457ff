"""A review pack's charts as pictures: each is drawn by the app's own chart (the customer
pane's score history, orders and usage charts, the dashboard's health and churn-risk
charts), offscreen, in the light theme, at print resolution. Runs on the UI thread (the
charts are widgets); the PDF and the slides then take the pictures."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

from services.packs.records import (
    CHURN_RISK,
    HEALTH_MIX,
    ORDERS,
    SCORE_HISTORY,
    USAGE,
    Chart,
    Pack,
)
from views.kit.theme import LIGHT

# The chart's size (logical pixels) and how many dots each one gets: 720 x 340 at 3.75
# gives 2700 x 1275, about 390 dots an inch over the width of an A4 page's text, where its
# labels print at about 8 points.
CHART_SIZE = (720, 340)
SCALE = 3.75


def _score_history(chart: Chart) -> QWidget:
    from views.charts.score_history_chart import ScoreHistoryChart

    widget = ScoreHistoryChart()
    widget.set_history(chart.data.get("points", ()), empty_text="No score history")
    return widget


def _orders(chart: Chart) -> QWidget:
    from views.charts.orders_chart import OrdersChart

    widget = OrdersChart()
    widget.set_currency(str(chart.data["currency"]))
    widget.set_orders(chart.data["dates"], chart.data["amounts"], chart.data["statuses"],
                      today=chart.data.get("today"))  # fmt: skip
    return widget


def _usage(chart: Chart) -> QWidget:
    from views.charts.usage_chart import UsageChart
    from views.customers.usage_words import chart_series, figure

    summary = chart.data["summary"]
    widget = UsageChart()
    key, title, unit = chart_series(summary)
    weeks = summary.weeks
    widget.set_weeks(weeks, [figure(w, key) for w in weeks], unit=unit, title=title)
    return widget


def _health_mix(chart: Chart) -> QWidget:
    from views.charts.distribution_charts import ScoreDistributionChart

    widget = ScoreDistributionChart()
    widget.set_values(chart.data["health"], chart.data["engagement"])
    return widget


def _churn_risk(chart: Chart) -> QWidget:
    from views.charts.distribution_charts import ChurnRiskHistogram

    widget = ChurnRiskHistogram()
    widget.set_values(chart.data["churn_risk"], float(chart.data["threshold"]))
    return widget


BUILDERS: dict[str, Callable[[Chart], QWidget]] = {
    SCORE_HISTORY: _score_history,
    ORDERS: _orders,
    USAGE: _usage,
    HEALTH_MIX: _health_mix,
    CHURN_RISK: _churn_risk,
}


def chart_image(chart: Chart, size: tuple[int, int] = CHART_SIZE, scale: float = SCALE) -> QImage:
    """One chart drawn by the app's own widget, offscreen, as an image ``scale`` times
    its logical size."""
    widget = BUILDERS[chart.kind](chart)
    try:
        set_theme = getattr(widget, "set_theme", None)
        if set_theme is not None:
            set_theme(LIGHT)
        widget.setStyleSheet(f"background: {LIGHT.surface}; color: {LIGHT.text};")
        widget.resize(*size)
        layout = widget.layout()
        if layout is not None:
            layout.activate()  # lay the legend and the plot out at this size, never shown
        image = QImage(int(size[0] * scale), int(size[1] * scale), QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(scale)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        widget.render(painter, QPoint(0, 0))
        painter.end()
        return image
    finally:
        widget.deleteLater()


def png_bytes(image: QImage) -> bytes:
    """The image as PNG."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # (the stubs want bytes; Qt a str)
    buffer.close()
    return bytes(data.data())


def pack_pictures(pack: Pack) -> dict[str, bytes]:
    """Every chart of the pack as PNG, by its key."""
    return {chart.key: png_bytes(chart_image(chart)) for chart in pack.charts}
