"""The orders chart's time axis shows months over a span of months: 18 months
of orders on a chart as wide as the customer pane's at 1366x768 read "Jul 2025, Oct,
Jan 2026..." where the axis read "2026" alone; every date a UTC month start."""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pytest

from views.charts.date_axis import MonthAxisItem, month_labels, month_starts
from views.charts.orders_chart import OrdersChart
from views.kit.theme import DARK, LIGHT

TODAY = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
MONTHS = {f"{dt.date(2026, m, 1):%b}" for m in range(1, 13)}


def utc(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


def test_month_starts_are_utc_first_days_on_every_step() -> None:
    ticks = month_starts(utc("2025-05-17"), utc("2026-11-20"), 3)
    assert [dt.datetime.fromtimestamp(t, dt.UTC).date().isoformat() for t in ticks] == [
        "2025-07-01", "2025-10-01", "2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01",
    ]  # fmt: skip
    assert month_labels(ticks) == ["Jul 2025", "Oct", "Jan 2026", "Apr", "Jul", "Oct"]


@pytest.mark.parametrize("width", [300, 420, 700])
def test_eighteen_months_show_months_not_the_year_alone(qtbot, width: int) -> None:
    chart = OrdersChart()
    qtbot.addWidget(chart)
    chart.resize(width, 240)
    chart.show()
    qtbot.waitExposed(chart)
    days = np.arange(0, 548, 23)
    dates = (np.datetime64("2025-05-20") + days.astype("timedelta64[D]")).astype("datetime64[ns]")
    amounts = np.full(len(dates), 120.0)
    chart.set_orders(dates, amounts, np.array(["paid"] * len(dates)), today=TODAY)
    axis = chart.plot_widget.getPlotItem().getAxis("bottom")
    assert isinstance(axis, MonthAxisItem)
    qtbot.waitUntil(lambda: axis.width() > 100)
    chart.grab()  # drawn: the axis measured its labels in its own font
    low, high = axis.range
    levels = axis.tickValues(low, high, axis.width())
    assert axis.month_step is not None
    spacing, ticks = levels[0]
    labels = axis.tickStrings(ticks, 1.0, spacing)
    assert len(labels) >= 3
    assert any(label in MONTHS for label in labels)  # months, not the years alone
    assert {"Jan 2026"} <= set(labels)
    assert all(dt.datetime.fromtimestamp(t, dt.UTC).day == 1 for t in ticks)
    # The labels fit side by side: no two overlap.
    metrics = axis._metrics()
    pixels = [(t - low) / (high - low) * axis.width() for t in ticks]
    for i in range(len(ticks) - 1):
        room = (metrics.horizontalAdvance(labels[i]) + metrics.horizontalAdvance(labels[i + 1])) / 2
        assert pixels[i + 1] - pixels[i] >= room
    shot = os.environ.get("ORDERS_SHOT")
    if shot:  # a look by eye, both themes: ORDERS_SHOT=/tmp/orders
        for theme in (LIGHT, DARK):
            chart.set_theme(theme)
            chart.grab().save(f"{shot}-{width}-{theme.name}.png")


def test_a_few_weeks_and_many_years_keep_pyqtgraphs_own_ticks(qtbot) -> None:
    chart = OrdersChart()
    qtbot.addWidget(chart)
    axis = chart.plot_widget.getPlotItem().getAxis("bottom")
    assert axis.month_step_for(20 * 86_400.0, 400) is None
    assert axis.month_step_for(9 * 365 * 86_400.0, 400) is None
    assert axis.month_step_for(548 * 86_400.0, 400) in (1, 2, 3, 4, 6)
