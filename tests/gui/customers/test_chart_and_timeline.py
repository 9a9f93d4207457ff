"""The orders chart, the timeline delegate and the detail tiles, with hand-made data.

Every date shown is a UTC calendar date and every day count a UTC calendar-day
difference, whatever the machine's time zone: the date tests run under two zones
far apart (UTC+14 and UTC-8/-7) and must give the same answers.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from services.core.records import CustomerDetail, TimelineEvent
from services.usage.records import CustomerUsage
from views.charts.orders_chart import OrdersChart, cumulative_steps
from views.customers.detail_pane import CustomerDetailPane
from views.item_models.customer_table_data import COLUMN_INDEX, COLUMNS, CustomerTableData
from views.item_models.customer_table_model import CustomerTableModel
from views.item_models.timeline_model import (
    KIND_STYLES,
    TimelineDelegate,
    TimelineModel,
    kind_style,
    relative_day,
)
from views.kit.formatting import compact_money
from views.kit.jobs import JobRunner
from views.kit.theme import DARK, LIGHT

NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)
# A late-evening order (UTC) and a morning two calendar days later: 33 hours apart.
LATE_ORDER = dt.datetime(2025, 11, 19, 23, 0, tzinfo=dt.UTC)
TWO_DAYS_LATER = dt.datetime(2025, 11, 21, 8, 0, tzinfo=dt.UTC)
FAR_APART_ZONES = ["Pacific/Kiritimati", "America/Los_Angeles"]


@pytest.fixture(params=FAR_APART_ZONES)
def machine_tz(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test as if the machine were in this time zone."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "$0"), (850, "$850"), (1000, "$1k"), (1250, "$1.2k"), (15000, "$15k"), (1.3e6, "$1.3M")],
)
def test_money_axis_labels_are_compact(value: float, text: str) -> None:
    assert compact_money(value, "USD") == text


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


def test_relative_days_are_utc_calendar_days(machine_tz: str) -> None:
    # 33 hours, but two calendar days: the old 24-hour rule said "yesterday".
    assert relative_day(LATE_ORDER, TWO_DAYS_LATER) == "2 days ago"
    # 10 minutes, but across UTC midnight.
    assert (
        relative_day(dt.datetime(2026, 6, 29, 23, 55, tzinfo=dt.UTC), NOW.replace(hour=0, minute=5))
        == "yesterday"
    )
    # Later the same UTC day, and a clock slightly behind the event: never negative.
    assert relative_day(NOW.replace(hour=1), NOW) == "today"
    assert relative_day(NOW + dt.timedelta(hours=5), NOW) == "today"
    # Older events show their UTC date (UTC+14 would make this Mar 8, UTC-8 Mar 6).
    assert relative_day(dt.datetime(2026, 3, 7, 23, 30, tzinfo=dt.UTC), NOW) == "Mar 7, 2026"
    assert relative_day(dt.datetime(2026, 3, 7, 0, 30, tzinfo=dt.UTC), NOW) == "Mar 7, 2026"


def test_timeline_tooltip_shows_utc_time(machine_tz: str) -> None:
    model = TimelineModel()
    model.set_events([TimelineEvent(LATE_ORDER, "order", "Order", "2 items", 10.0)])
    tip = model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert "Nov 19, 2025 at 23:00 UTC" in tip


def test_chart_dates_and_today_line_are_utc(qtbot, machine_tz: str) -> None:
    chart = OrdersChart()
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    chart.show()
    qtbot.waitExposed(chart)
    dates = np.array(["2026-01-05T23:00", "2026-03-01T00:30"], dtype="datetime64[ns]")
    chart.set_orders(dates, np.array([10.0, 20.0]), np.array(["paid", "paid"]), today=NOW)
    x, _ = chart._paid.getData()
    assert x.tolist() == [
        dt.datetime(2026, 1, 5, 23, tzinfo=dt.UTC).timestamp(),
        dt.datetime(2026, 3, 1, 0, 30, tzinfo=dt.UTC).timestamp(),
    ]
    assert chart._today_line.value() == NOW.timestamp()
    axis = chart.plot_widget.getPlotItem().getAxis("bottom")
    jan5 = dt.datetime(2026, 1, 5, tzinfo=dt.UTC).timestamp()
    qtbot.waitUntil(lambda: getattr(axis, "zoomLevel", None) is not None)
    levels = axis.tickValues(jan5 - 20 * 86_400, jan5 + 20 * 86_400, 600)
    spacing, ticks = next((sp, v) for sp, v in levels if sp <= 86_400)  # daily ticks
    assert len(ticks)
    assert all(t % 86_400 == 0 for t in ticks)
    # ...and midnight UTC is labelled the 5th (not the 5th 14:00, or the 4th 16:00).
    labels = axis.tickStrings([jan5], 1.0, spacing)
    assert labels
    assert "05" in labels[0]
    assert ":" not in labels[0]


class OneCustomerSource:
    """A CustomerSource with a single, hand-made customer."""

    display_name = "hand-made"
    can_back_up = False

    def __init__(self, detail: CustomerDetail) -> None:
        self.detail = detail

    def load_customer_columns(self) -> dict[str, np.ndarray]:
        raise AssertionError("not used")

    def load_customer_detail(self, customer_id: int) -> CustomerDetail:
        assert customer_id == self.detail.id
        return self.detail

    def load_customer_scores(self, customer_id: int) -> None:
        """Never scored: the pane shows no scores."""
        return None

    def load_score_history(self, customer_id: int) -> tuple[()]:
        return ()

    def load_customer_usage(
        self, customer_id: int, now: dt.datetime, *, features: bool = True
    ) -> CustomerUsage:
        """A workspace with no product usage: the pane shows no usage section."""
        return CustomerUsage(workspace_has_usage=False)

    def load_features_seen(self, now: dt.datetime) -> None:
        return None

    def load_renewal_card(self, customer_id: int, today: dt.date) -> None:
        """A customer without contracts: the pane shows no renewal card."""
        return None

    def load_people(self, customer_id: int) -> list[object]:
        """A customer that is its own one person, with no people listed."""
        return []

    def workspace_summary(self) -> object:
        raise AssertionError("not used")

    def back_up(self, destination: Path) -> Path:
        raise AssertionError("not used")


def hand_made_detail(last_order: dt.datetime) -> CustomerDetail:
    first = last_order - dt.timedelta(days=30)
    orders = pd.DataFrame(
        {
            "order_date": pd.to_datetime(
                [first.replace(tzinfo=None), last_order.replace(tzinfo=None)]
            ).astype("datetime64[ns]"),
            "amount": [50.0, 70.0],
            "status": pd.Series(["paid", "paid"], dtype=object),
            "category": pd.Series(["a", "a"], dtype=object),
            "channel": pd.Series(["web", "web"], dtype=object),
        }
    )
    return CustomerDetail(
        id=7,
        name="Ada Lovelace",
        email="ada@example.com",
        company=None,
        phone=None,
        owner="Grace",
        tier=None,
        region=None,
        signup_date=dt.date(2024, 1, 2),
        do_not_contact=False,
        paid_orders=2,
        revenue=120.0,
        last_order=last_order,
        avg_gap_days=30.0,
        orders=orders,
        timeline=(TimelineEvent(last_order, "order", "Order", "", 70.0),),
    )


def test_last_order_tile_counts_utc_calendar_days_like_the_table(
    qtbot, jobs: JobRunner, machine_tz: str
) -> None:
    pane = CustomerDetailPane(jobs, clock=lambda: TWO_DAYS_LATER)
    qtbot.addWidget(pane)
    pane.set_source(OneCustomerSource(hand_made_detail(LATE_ORDER)))
    with qtbot.waitSignal(pane.detail_shown, timeout=10_000):
        pane.show_customer(7)
    assert pane.last_order_tile.value.full_text() == "2 days ago"
    assert pane.last_order_tile.note.full_text() == "Nov 19, 2025"
    assert pane.chart is not None
    assert pane.chart._today_line.value() == TWO_DAYS_LATER.timestamp()
    # The table shows the same date for the same stored moment.
    columns: dict[str, np.ndarray] = {"id": np.array([7], dtype=np.int64)}
    for col in COLUMNS:
        columns[col.key] = np.array([None], dtype=object)
    columns["last_order"] = np.array(["2025-11-19T23:00"], dtype="datetime64[ns]")
    for key in ("orders", "revenue", "days_since_last_order", "open_tickets"):
        columns[key] = np.array([2.0])
    columns["open_opportunities"] = np.array([0.0])
    columns["signup_date"] = np.array(["NaT"], dtype="datetime64[ns]")
    table = CustomerTableModel()
    table.set_table(CustomerTableData(columns))
    shown = table.data(table.index(0, COLUMN_INDEX["last_order"]))
    assert shown == pane.last_order_tile.note.full_text()
    qtbot.waitUntil(jobs.is_idle)


def test_last_order_tile_says_yesterday_across_utc_midnight(
    qtbot, jobs: JobRunner, machine_tz: str
) -> None:
    just_after_midnight = dt.datetime(2025, 11, 20, 0, 30, tzinfo=dt.UTC)
    pane = CustomerDetailPane(jobs, clock=lambda: just_after_midnight)
    qtbot.addWidget(pane)
    pane.set_source(OneCustomerSource(hand_made_detail(LATE_ORDER)))
    with qtbot.waitSignal(pane.detail_shown, timeout=10_000):
        pane.show_customer(7)
    assert pane.last_order_tile.value.full_text() == "yesterday"
    # An order stamped a little in the future (clock skew) is "today", not negative.
    pane.set_source(
        OneCustomerSource(hand_made_detail(just_after_midnight + dt.timedelta(hours=2)))
    )
    with qtbot.waitSignal(pane.detail_shown, timeout=10_000):
        pane.show_customer(7)
    assert pane.last_order_tile.value.full_text() == "today"
    qtbot.waitUntil(jobs.is_idle)
