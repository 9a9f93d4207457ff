"""The dashboard's sentiment trend and top reasons, on the real scored demo: each month's
bar and each reason opens exactly the customers it counts (computed here from the
table), and a customer's words are shown as text, never as markup."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from app.gui.alerts_source import WorkspaceAlertSource
from app.workspace import Workspace, open_workspace, to_url
from services.listen.records import Quote
from services.listen.sentiment import NEGATIVE
from tests.gui.dashboard.test_dashboard_clicks import SIZE, click_bar, hover_bar
from views.dashboard.pane import DashboardData, DashboardPane
from views.item_models.customer_filters import CustomerFilter
from views.kit.theme import ThemeManager


@pytest.fixture
def workspace(alerts_file: Path) -> Iterator[Workspace]:
    ws = open_workspace(to_url(str(alerts_file)), backup=False)
    yield ws
    ws.close()


@pytest.fixture
def data(workspace: Workspace) -> DashboardData:
    figures = WorkspaceAlertSource(workspace, user="dana").load_dashboard()
    assert figures is not None
    assert figures.listen is not None
    return figures


@pytest.fixture
def pane(qtbot, theme: ThemeManager, data: DashboardData) -> DashboardPane:
    widget = DashboardPane()
    qtbot.addWidget(widget)
    widget.resize(SIZE[0], 1000)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_data(data)
    assert widget.sentiment_chart is not None
    qtbot.waitUntil(lambda: widget.sentiment_chart.plot.getViewBox().width() > 50)
    return widget


def _interactions(workspace: Workspace) -> pd.DataFrame:
    with sqlite3.connect(str(workspace.engine.url.database)) as raw:
        frame = pd.read_sql_query("SELECT * FROM interactions", raw)
    frame["felt"] = frame["sentiment"].fillna(frame["text_sentiment"])
    stored = pd.to_datetime(frame["occurred_at"])
    offset = pd.to_timedelta(frame["utc_offset_minutes"].fillna(0), "m")
    frame["day"] = (stored + offset).dt.date
    return frame


def test_a_month_bar_opens_the_customers_who_wrote_its_negative_texts(
    qtbot, pane: DashboardPane, data: DashboardData, workspace: Workspace
) -> None:
    assert data.listen is not None
    chart = pane.sentiment_chart
    assert chart is not None
    months = data.listen.trend
    assert len(months) >= 10  # a year of tickets and reviews in the demo
    frame = _interactions(workspace)
    key = len(months) - 2
    month = months[key]
    first = dt.date(int(month.month[:4]), int(month.month[5:]), 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rows = frame[
        frame.kind.isin(("ticket", "review"))
        & (frame.day >= first)
        & (frame.day <= last)
        & frame.felt.notna()
    ]
    assert month.texts == len(rows)
    assert month.negative_share == pytest.approx((rows.felt <= NEGATIVE).mean())
    hover_bar(qtbot, chart, key)
    assert f"{month.texts:,} tickets and reviews" in chart.hover_tip
    opened: list[CustomerFilter] = []
    pane.customers_requested.connect(opened.append)
    click_bar(qtbot, chart, key)
    assert len(opened) == 1
    assert opened[0].customer_ids == frozenset(rows[rows.felt <= NEGATIVE].customer_id)
    assert "negative tickets or reviews in" in opened[0].title


def test_a_reason_opens_its_customers(
    qtbot, pane: DashboardPane, data: DashboardData, workspace: Workspace
) -> None:
    assert data.listen is not None
    panel = pane.reasons_panel
    shown = panel.reasons
    assert shown
    assert [r.label for r in shown] == [r.label for r in data.listen.reasons[:6]]
    assert all(r.label in label.text() for r, label in zip(shown, panel.row_labels, strict=True))
    frame = _interactions(workspace)
    top = shown[0]
    period = frame[(frame.day >= data.listen.since) & (frame.day <= data.listen.until)]
    negative = (
        (period.felt <= NEGATIVE)
        | ((period.kind == "ticket") & (period.satisfaction.str.lower() == "bad"))
        | (period.felt.isna() & (period.kind == "review") & (period.rating <= 2))
    )
    expected = set(period[(period.reason == top.label) & negative].customer_id)
    assert top.customer_ids == expected
    opened: list[CustomerFilter] = []
    pane.customers_requested.connect(opened.append)
    # What a click on the reason's name sends (QLabel hit-tests its own links).
    panel.row_labels[0].linkActivated.emit("0")
    assert len(opened) == 1
    assert opened[0].customer_ids == frozenset(expected)
    assert top.label in opened[0].title


def test_a_customers_words_are_text_not_markup(
    qtbot, pane: DashboardPane, data: DashboardData
) -> None:
    assert data.listen is not None
    reason = data.listen.reasons[0]
    words = '<a href="x">Ignore previous instructions</a> <b>now</b>'
    poisoned = replace(reason, quotes=[Quote(1, 1, dt.date(2026, 11, 2), "review", words)])
    listen = replace(data.listen, reasons=[poisoned, *data.listen.reasons[1:]])
    pane.set_data(replace(data, listen=listen))
    quotes = [
        label
        for label in pane.reasons_panel.findChildren(type(pane.reasons_panel.title))
        if words in label.text()
    ]
    assert len(quotes) == 1
    assert quotes[0].textFormat() == Qt.TextFormat.PlainText


def test_a_reason_says_its_breakdown_by_month_kind_and_channel(
    pane: DashboardPane, data: DashboardData
) -> None:
    assert data.listen is not None
    top = data.listen.reasons[0]
    tip = pane.reasons_panel.row_labels[0].toolTip()
    assert f"Words: {', '.join(top.terms)}" in tip
    kind, n = top.by_kind.most_common(1)[0]
    assert f"By kind: {kind} {n:,}" in tip
    channel, m = top.by_channel.most_common(1)[0]
    assert f"By channel: {channel} {m:,}" in tip
    last_month = max(top.by_month)
    assert f"{last_month} {top.by_month[last_month]:,}" in tip
