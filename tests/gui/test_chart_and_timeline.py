"""The orders chart and the timeline delegate, with hand-made data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from services.customers import TimelineEvent
from views.charts.orders_chart import OrdersChart, compact_money, cumulative_steps
from views.item_models.timeline_model import (
    KIND_STYLES,
    TimelineDelegate,
    TimelineModel,
    kind_style,
    relative_day,
)
from views.theme import DARK, LIGHT

NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "$0"), (850, "$850"), (1000, "$1k"), (1250, "$1.2k"), (15000, "$15k"), (1.3e6, "$1.3M")],
)
def test_money_axis_labels_are_compact(value: float, text: str) -> None:
    assert compact_money(value) == text


def test_cumulative_steps_is_a_staircase_to_the_end() -> None:
    xs, ys = cumulative_steps(np.array([30.0, 10.0, 20.0]), np.array([3.0, 1.0, 2.0]), 50.0)
    assert xs.tolist() == [10.0, 20.0, 20.0, 30.0, 30.0, 50.0]
    assert ys.tolist() == [1.0, 1.0, 3.0, 3.0, 6.0, 6.0]
    empty = cumulative_steps(np.array([]), np.array([]), 1.0)
    assert [len(a) for a in empty] == [0, 0]


def test_chart_plots_one_point_per_order_and_recolours(qtbot) -> None:
    chart = OrdersChart()
    qtbot.addWidget(chart)
    dates = np.array(
        ["2026-01-05", "2026-02-10", "2026-03-01", "2026-04-20", "2026-05-02"],
        dtype="datetime64[ns]",
    )
    amounts = np.array([120.0, 80.5, 300.0, 45.0, 99.0])
    statuses = np.array(["paid", "paid", "refunded", "paid", "cancelled"], dtype=object)
    chart.set_orders(dates, amounts, statuses, today=NOW)
    assert (chart.paid_point_count, chart.other_point_count) == (3, 2)
    paid_x, paid_y = chart._paid.getData()
    assert paid_y.tolist() == [120.0, 80.5, 45.0]
    assert paid_x[0] == dt.datetime(2026, 1, 5, tzinfo=dt.UTC).timestamp()
    chart.set_theme(DARK)
    assert chart.plot_widget.backgroundBrush().color().name() == DARK.chart_bg
    # Items are reused: new data replaces the old, nothing accumulates.
    chart.set_orders(dates[:1], amounts[:1], statuses[:1], today=NOW)
    assert (chart.paid_point_count, chart.other_point_count) == (1, 0)
    chart.set_orders(dates[:0], amounts[:0], statuses[:0], today=NOW)
    assert (chart.paid_point_count, chart.other_point_count) == (0, 0)
    assert chart._empty.isVisible()


def test_relative_days_match_the_tiles() -> None:
    assert relative_day(NOW - dt.timedelta(hours=3), NOW) == "today"
    assert relative_day(NOW - dt.timedelta(hours=30), NOW) == "yesterday"
    assert relative_day(NOW - dt.timedelta(days=12, hours=1), NOW) == "12 days ago"
    assert relative_day(dt.datetime(2026, 3, 7, 15, tzinfo=dt.UTC), NOW) == "Mar 7, 2026"


def test_every_event_kind_has_a_style_and_the_delegate_paints_it(qtbot) -> None:
    kinds = [*KIND_STYLES, "something-new"]
    events = [
        TimelineEvent(NOW - dt.timedelta(days=i), kind, f"Title {kind}", "detail", 12.5)
        for i, kind in enumerate(kinds)
    ]
    model = TimelineModel()
    model.set_events(events)
    delegate = TimelineDelegate()
    image = QImage(400, TimelineDelegate.ROW_HEIGHT, QImage.Format.Format_ARGB32)
    for theme in (LIGHT, DARK):
        delegate.set_theme(theme)
        for row, kind in enumerate(kinds):
            assert hasattr(theme, kind_style(kind).color)
            image.fill(0)
            painter = QPainter(image)
            option = QStyleOptionViewItem()
            option.rect = image.rect()
            delegate.paint(painter, option, model.index(row))
            painter.end()
            assert len({image.pixel(x, y) for x in range(0, 400, 3) for y in range(0, 46, 3)}) > 3
    assert delegate.sizeHint(QStyleOptionViewItem(), QModelIndex()).height() == 46
