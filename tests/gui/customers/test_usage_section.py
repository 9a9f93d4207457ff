"""The customer pane's Product usage section on real SQLite workspaces with hand-made
usage_days rows: the figures shown are the summary's (services/usage/summary.py), their
changes in words, the features used of those the workspace sees, the weekly chart's 26
bars; no section without usage, one line for a customer without any; the dark theme; and
the same section in the Alerts tab's middle pane and the Customers tab of the window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace
from models.schema import Customer, UsageDay
from services.core.local_dates import TIME_ZONE_SETTING
from services.settings import set_setting
from services.usage.records import UsageSummary
from services.usage.summary import customer_usage
from tests.support.databases import sqlite_copy
from views.customers.detail_pane import CustomerDetailPane
from views.customers.usage_section import NO_USAGE
from views.kit.jobs import JobRunner
from views.kit.theme import DARK, LIGHT, ThemeManager, ThemeMode
from views.shell.main_window import TAB_ALERTS, TAB_CUSTOMERS, MainWindow

AS_OF = dt.date(2026, 11, 25)  # a Wednesday: its week is under way
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
TIMEOUT_MS = 30_000


def _day(back: int) -> dt.date:
    return AS_OF - dt.timedelta(days=back)


def _acme_rows(cid: int) -> list[UsageDay]:
    """Three people a day for half a year, one person in the last 30 days: fewer users
    and sessions, as many documents, more minutes."""
    rows = []
    for back in range(182):
        recent = back < 30
        rows.append(
            UsageDay(
                customer_id=cid,
                source="amplitude",
                day=_day(back),
                events=10,
                active_users=1 if recent else 3,
                users=["ann"] if recent else ["ann", "bob", "cy"],
                sessions=1 if recent else 4,
                logins=1 if recent else 3,
                minutes=25.0 if recent else 20.0,
                documents_viewed=2,
                features={"search": 1, "size_guide": 2} if recent else {"search": 1},
            )
        )
    return rows


def _solo_rows(cid: int) -> list[UsageDay]:
    """One person, twice a day, for the last 20 days only (nothing before)."""
    return [
        UsageDay(
            customer_id=cid,
            source="amplitude",
            day=_day(back),
            events=4,
            active_users=1,
            users=["sol"],
            sessions=2,
            logins=2,
            minutes=10.0,
            documents_viewed=0,
            features={"export": 1},
        )
        for back in range(20)
    ]


def _beta_rows(cid: int) -> list[UsageDay]:
    """Features seen in the workspace (60 days back) and one seen too long ago (120)."""
    return [
        UsageDay(
            customer_id=cid,
            source="usage",
            day=_day(60),
            events=3,
            active_users=2,
            features={"wishlist": 2, "reports": 1},
        ),
        UsageDay(
            customer_id=cid, source="usage", day=_day(120), events=1, features={"old_thing": 1}
        ),
    ]


@pytest.fixture
def usage_ws(_empty_workspace_file: Path, tmp_path: Path) -> Iterator[tuple[Workspace, dict]]:
    """Four customers, three with usage (Acme, Solo, Beta), one without (Quiet)."""
    ws = open_workspace(sqlite_copy(_empty_workspace_file, tmp_path), backup=False)
    with Session(ws.engine) as session:
        set_setting(session, TIME_ZONE_SETTING, "UTC")
        people = {n: Customer(name=n, email=f"{n.lower()}@example.test") for n in (
            "Acme", "Solo", "Beta", "Quiet")}  # fmt: skip
        session.add_all(people.values())
        session.flush()
        ids = {n: c.id for n, c in people.items()}
        session.add_all(_acme_rows(ids["Acme"]) + _solo_rows(ids["Solo"]))
        session.add_all(_beta_rows(ids["Beta"]))
        session.commit()
    yield ws, ids
    ws.close()


@pytest.fixture
def bare_ws(_empty_workspace_file: Path, tmp_path: Path) -> Iterator[tuple[Workspace, int]]:
    """A workspace with a customer and no product usage at all."""
    ws = open_workspace(sqlite_copy(_empty_workspace_file, tmp_path), backup=False)
    with Session(ws.engine) as session:
        customer = Customer(name="Plain", email="plain@example.test")
        session.add(customer)
        session.commit()
        cid = customer.id
    yield ws, cid
    ws.close()


def summary_of(ws: Workspace, cid: int, as_of: dt.date = AS_OF) -> UsageSummary:
    with Session(ws.engine) as session:
        summary = customer_usage(session, cid, as_of=as_of)
    assert summary is not None
    return summary


def make_pane(qtbot, jobs: JobRunner, ws: Workspace) -> CustomerDetailPane:
    pane = CustomerDetailPane(jobs, clock=lambda: NOW, load_at_once=True)
    qtbot.addWidget(pane)
    pane.resize(620, 1400)
    pane.show()
    pane.set_source(WorkspaceCustomerSource(ws))
    return pane


def show(qtbot, pane: CustomerDetailPane, jobs: JobRunner, cid: int) -> None:
    pane.show_customer(cid)
    qtbot.waitUntil(
        lambda: (
            pane.detail is not None
            and pane.detail.id == cid
            and not pane.load_pending
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )


def rows_shown(pane: CustomerDetailPane) -> dict[str, tuple[str, str, str]]:
    return {key: row.text for key, row in pane.usage_section.rows.items()}


def test_figures_changes_features_and_chart_are_the_summarys(
    qtbot, theme: ThemeManager, jobs: JobRunner, usage_ws: tuple[Workspace, dict]
) -> None:
    ws, ids = usage_ws
    pane = make_pane(qtbot, jobs, ws)
    show(qtbot, pane, jobs, ids["Acme"])
    section = pane.usage_section
    assert section.isVisible()
    assert not section.none_label.isVisible()
    expected = summary_of(ws, ids["Acme"])
    shown_usage = section.usage
    assert shown_usage is not None
    assert shown_usage.summary == expected

    recent, previous = expected.recent, expected.previous
    # The hand-made history, as the summary reads it.
    assert (recent.active_users, previous.active_users) == (1, 3)
    assert (recent.sessions, previous.sessions) == (30, 120)
    assert (recent.minutes, previous.minutes) == (750.0, 600.0)
    assert (recent.documents_viewed, previous.documents_viewed) == (60, 60)
    assert rows_shown(pane) == {
        "active_users": ("1", "active users", "down 67% on the 30 days before"),
        "sessions": ("30", "sessions", "down 75% on the 30 days before"),
        "minutes": ("750", "minutes", "up 25% on the 30 days before"),
        "documents_viewed": ("60", "documents viewed", "no change on the 30 days before"),
    }
    # The fall is told in the critical colour, the rise in the positive one.
    assert section.rows["active_users"].change.property("tone") == "critical"
    assert section.rows["minutes"].change.property("tone") == "positive"
    # A screen reader hears each figure with its change.
    users = section.rows["active_users"].value
    assert users.accessibleName() == "Active users, last 30 days"
    assert "down 67% on the 30 days before (3)" in users.accessibleDescription()

    assert section.last_active_label.text() == "Last active today (Nov 25, 2026)"

    # Features: used in the last 30 days of those the workspace saw in 90 days.
    assert expected.features_seen == ("export", "reports", "search", "size_guide", "wishlist")
    assert section.adoption_label.text() == "Uses 2 of 5 features"
    chips = [
        (w.text(), w.property("chip")) for w in section.features_box.findChildren(type(users))
        if w.property("chip")
    ]  # fmt: skip
    assert chips == [
        ("Search", "info"),
        ("Size guide", "info"),
        ("Export", "unused"),
        ("Reports", "unused"),
        ("Wishlist", "unused"),
    ]
    assert "Not used: Export, Reports, Wishlist" in section.features_box.accessibleDescription()

    # The chart: 26 weeks of active users, the last one (a Wednesday's) under way.
    chart = section.chart
    assert chart is not None
    assert chart.title == "Active users a week"
    assert len(chart.values) == 26
    assert chart.values == [float(w.active_users) for w in expected.weeks]
    assert chart.values[-1] == 1.0
    assert chart.values[0] == 3.0
    assert chart.partial
    assert "This week so far" in chart.legend_text
    assert chart.bar_tip(25) == "This week so far (3 days, Nov 23 to Nov 25): 1 active user"
    assert chart.plot_widget.accessibleName() == "Active users a week (chart)"
    assert "26 weeks from" in chart.plot_widget.accessibleDescription()


def test_single_user_customer_charts_sessions_and_had_none_before(
    qtbot, theme: ThemeManager, jobs: JobRunner, usage_ws: tuple[Workspace, dict]
) -> None:
    ws, ids = usage_ws
    pane = make_pane(qtbot, jobs, ws)
    show(qtbot, pane, jobs, ids["Solo"])
    section = pane.usage_section
    expected = summary_of(ws, ids["Solo"])
    shown = rows_shown(pane)
    assert shown["active_users"] == ("1", "active users", "none in the 30 days before")
    assert shown["sessions"] == ("40", "sessions", "none in the 30 days before")
    assert shown["documents_viewed"] == (
        "0",
        "documents viewed",
        "none in the 30 days before either",
    )
    assert section.adoption_label.text() == "Uses 1 of 5 features"
    chart = section.chart
    assert chart is not None
    assert chart.title == "Sessions a week"
    assert chart.values == [float(w.sessions) for w in expected.weeks]
    assert sum(chart.values) == 40.0


def test_customer_without_usage_gets_one_line(
    qtbot, theme: ThemeManager, jobs: JobRunner, usage_ws: tuple[Workspace, dict]
) -> None:
    ws, ids = usage_ws
    pane = make_pane(qtbot, jobs, ws)
    show(qtbot, pane, jobs, ids["Acme"])
    show(qtbot, pane, jobs, ids["Quiet"])
    section = pane.usage_section
    assert section.isVisible()
    assert section.none_label.isVisible()
    assert section.none_label.text() == NO_USAGE == "No product usage recorded for this customer."
    for part in (section.figures, section.features_box, section.chart_card):
        assert not part.isVisible()


def test_no_section_when_the_workspace_has_no_usage(
    qtbot, theme: ThemeManager, jobs: JobRunner, bare_ws: tuple[Workspace, int]
) -> None:
    ws, cid = bare_ws
    pane = make_pane(qtbot, jobs, ws)
    show(qtbot, pane, jobs, cid)
    assert pane.detail is not None
    assert not pane.usage_section.isVisible()
    assert pane.usage_section.chart is None  # pyqtgraph's chart is never even made


def test_dark_theme_renders_the_section(
    qtbot, qapp: QApplication, jobs: JobRunner, usage_ws: tuple[Workspace, dict]
) -> None:
    ws, ids = usage_ws
    manager = ThemeManager(qapp, ThemeMode.DARK)
    try:
        pane = make_pane(qtbot, jobs, ws)
        pane.set_theme(manager.theme)
        show(qtbot, pane, jobs, ids["Acme"])
        chart = pane.usage_section.chart
        assert chart is not None
        assert chart.plot_widget.backgroundBrush().color() == QColor(DARK.chart_bg)
        brushes = chart.bars.opts["brushes"]
        assert brushes[0].color() == QColor(DARK.accent)
        assert brushes[-1].color().alpha() < 255  # the week under way is drawn open
        image = pane.usage_section.grab().toImage()
        assert not image.isNull()
        assert image.width() > 300
        # The section's background is the dark window, not a light box left behind.
        corner = image.pixelColor(2, image.height() // 2)
        assert corner.lightness() < 100
        pane.set_theme(LIGHT)
        assert chart.bars.opts["brushes"][0].color() == QColor(LIGHT.accent)
    finally:
        manager.deleteLater()


# -- the window: the Alerts tab's middle pane and the Customers tab ------------------------


def add_usage(ws: Workspace, cid: int, today: dt.date) -> None:
    """Two people a day for 60 days, then one, up to today."""
    with Session(ws.engine) as session:
        session.add_all(
            UsageDay(
                customer_id=cid,
                source="pendo",
                day=today - dt.timedelta(days=back),
                events=5,
                active_users=1 if back < 30 else 2,
                users=["a"] if back < 30 else ["a", "b"],
                sessions=2,
                minutes=8.0,
                features={"search": 1},
            )
            for back in range(60)
        )
        session.commit()


def test_the_window_shows_usage_in_both_tabs(
    qtbot,
    qapp: QApplication,
    jobs: JobRunner,
    workspace: Workspace,
    ui_settings: QSettings,
) -> None:
    # Whatever usage the demo comes with is cleared: this test makes its own.
    with Session(workspace.engine) as session:
        session.execute(delete(UsageDay))
        session.commit()
    manager = ThemeManager(qapp, ThemeMode.LIGHT)
    try:
        window = MainWindow(jobs, manager, ui_settings)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        window.set_source(WorkspaceCustomerSource(workspace))
        window.set_alert_source(WorkspaceAlertSource(workspace))
        window.tabs.setCurrentIndex(TAB_ALERTS)
        view = window.alerts_view
        middle = view.detail_pane
        # The first card is selected and its customer shown: with no usage anywhere yet,
        # no section.
        qtbot.waitUntil(
            lambda: (
                view.action_pane.alert is not None
                and middle.detail is not None
                and middle.detail.id == view.action_pane.alert.customer_id
                and jobs.is_idle()
            ),
            timeout=TIMEOUT_MS,
        )
        assert not middle.usage_section.isVisible()
        cid = middle.detail.id
        add_usage(workspace, cid, dt.datetime.now(dt.UTC).date())
        middle.refresh()
        qtbot.waitUntil(
            lambda: middle.usage_section.isVisible() and jobs.is_idle(), timeout=TIMEOUT_MS
        )
        usage = middle.usage_section.usage
        assert usage is not None
        assert usage.summary is not None
        assert usage.summary == summary_of(workspace, cid, usage.summary.as_of)
        assert middle.usage_section.isVisible()
        assert rows_shown(middle)["active_users"] == (
            "1", "active users", "down 50% on the 30 days before")  # fmt: skip
        assert middle.usage_section.adoption_label.text() == "Uses 1 of 1 feature"
        assert middle.usage_section.chart is not None
        assert len(middle.usage_section.chart.values) == 26
        # The section fits the middle pane's width at 1366x768 (the pane scrolls down).
        assert middle.usage_section.width() <= middle.scroll_area.viewport().width()

        window.tabs.setCurrentIndex(TAB_CUSTOMERS)
        qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
        assert window.customers_pane.select_customer(cid)
        pane = window.detail_pane
        # The Customers tab may have shown this customer already, loaded before the usage
        # was added (which of the demo's customers heads the list and the alerts depends on
        # the day): selecting the current row loads nothing, so load it again, as the
        # middle pane was.
        pane.refresh()
        qtbot.waitUntil(
            lambda: (
                pane.detail is not None
                and pane.detail.id == cid
                and pane.usage_section.usage is not None
                and pane.usage_section.usage.workspace_has_usage
                and jobs.is_idle()
            ),
            timeout=TIMEOUT_MS,
        )
        assert pane.usage_section.isVisible()
        assert rows_shown(pane) == rows_shown(middle)
        # Another customer of the demo has none: one line, not an empty box.
        other = next(int(i) for i in window.customers_pane.model.visible_ids() if int(i) != cid)
        window.customers_pane.select_customer(other)
        qtbot.waitUntil(
            lambda: pane.detail is not None and pane.detail.id == other and jobs.is_idle(),
            timeout=TIMEOUT_MS,
        )
        assert pane.usage_section.none_label.isVisible()
    finally:
        window.close()
        manager.deleteLater()
