"""The wheel over the orders chart scrolls the pane it sits in, as over any other part of
the pane; only Ctrl+wheel zooms the chart's dates."""

from __future__ import annotations

import datetime as dt

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QVBoxLayout, QWidget

from views.charts.orders_chart import OrdersChart

TODAY = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


def wheel(widget: QWidget, modifiers: Qt.KeyboardModifier) -> None:
    at = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        at, widget.mapToGlobal(at), QPoint(0, 0), QPoint(0, -120),
        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_pane_and_ctrl_wheel_zooms(qtbot) -> None:  # type: ignore[no-untyped-def]
    area = QScrollArea()
    qtbot.addWidget(area)
    inner = QWidget()
    layout = QVBoxLayout(inner)
    chart = OrdersChart(inner)
    chart.setMinimumHeight(260)
    layout.addWidget(chart)
    layout.addSpacing(2_000)  # a pane taller than its window
    area.setWidget(inner)
    area.setWidgetResizable(True)
    area.resize(600, 400)
    area.show()
    qtbot.waitExposed(area)
    days = np.arange(0, 548, 23)
    dates = (np.datetime64("2025-05-20") + days.astype("timedelta64[D]")).astype("datetime64[ns]")
    chart.set_orders(dates, np.full(len(days), 40.0), np.array(["paid"] * len(days)),
                     today=TODAY)  # fmt: skip
    before = tuple(chart.plot.getViewBox().viewRange()[0])
    viewport = chart.plot_widget.viewport()
    wheel(viewport, Qt.KeyboardModifier.NoModifier)
    assert area.verticalScrollBar().value() > 0  # the pane scrolled
    assert tuple(chart.plot.getViewBox().viewRange()[0]) == before  # the dates did not move
    wheel(viewport, Qt.KeyboardModifier.ControlModifier)
    after = chart.plot.getViewBox().viewRange()[0]
    assert after[1] - after[0] != before[1] - before[0]  # the dates zoomed
