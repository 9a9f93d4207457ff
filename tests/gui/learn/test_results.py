"""The Results tab in the window, on the scored demo with simulated outreach against a
holdout (bench/learn_seed.py, a true lift of 8 points): Ctrl+5 shows it, it loads
through the job runner, the headline says the report's figures, and a bar, a tile or a
breakdown row opens exactly its customers in the Customers tab."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace
from bench.learn_seed import seed_learn_workspace
from services.learn.effectiveness import effectiveness_report
from services.learn.records import EffectivenessReport
from services.learn.wording import headline, verdict
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import TAB_CUSTOMERS, TAB_RESULTS, MainWindow

TIMEOUT_MS = 60_000
SIZE = (1366, 768)


@pytest.fixture
def measured(workspace: Workspace) -> Workspace:
    """The demo copy with simulated emails to its alerted customers, a quarter held out
    (the small demo needs that share for 30 held-out customers)."""
    path = Path(str(workspace.engine.url.database))
    now = dt.datetime.now(dt.UTC)
    seed_learn_workspace(
        path, customers=0, emails=600, now=now, fresh=False, seed=3, holdout_share=0.25
    )
    return workspace


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, measured: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> Iterator[MainWindow]:
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    window.set_source(WorkspaceCustomerSource(measured))
    window.set_alert_source(WorkspaceAlertSource(measured, user="dana"))
    window.results.set_source(WorkspaceResultsSource(measured))
    qtbot.waitUntil(
        lambda: window.customers_pane.model.rowCount() > 0 and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    yield window
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def show_results(qtbot, window: MainWindow, jobs: JobRunner) -> None:
    QTest.keySequence(window, QKeySequence("Ctrl+5"))
    assert window.tabs.currentIndex() == TAB_RESULTS
    assert window.tabs.tabText(TAB_RESULTS) == "Results"
    qtbot.waitUntil(lambda: window.results.state == "data" and jobs.is_idle(), timeout=TIMEOUT_MS)
    chart = window.results.rates_chart
    assert chart is not None
    qtbot.waitUntil(lambda: chart.plot.getViewBox().width() > 50)


def test_the_pane_is_built_when_the_tab_is_first_shown(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace
) -> None:
    """Nothing of Results (nor pyqtgraph) is built on the way to the first paint;
    the tab's first show builds the pane, which reads the workspace handed over before."""
    from views.results.pane import ResultsPane

    page = window.tabs.widget(TAB_RESULTS)
    assert not window.results.built
    assert page.findChild(ResultsPane) is None
    window.results.mark_stale()  # a change before the first show: nothing to do yet
    show_results(qtbot, window, jobs)
    pane = page.findChild(ResultsPane)
    assert pane is window.results.pane
    assert pane.isVisible()
    assert pane.headline_label.text() == headline(report_of(measured).overall)


def test_the_first_switch_answers_at_once_and_the_page_opens_at_its_top(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    """The tab shows "Loading…" at once and builds its pane after that paint; the report
    opens at its top, and Tab walks it top to bottom: the period first, then the tiles,
    then the figures below (never a lower section first, which scrolled the page)."""
    from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLabel, QWidget

    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    window.customers_pane.table.setFocus()
    window.tabs.setCurrentIndex(TAB_RESULTS)
    assert not window.results.built  # the switch itself built nothing
    page = window.tabs.widget(TAB_RESULTS)
    loading = [w for w in page.findChildren(QLabel) if w.isVisible()]
    assert [w.text() for w in loading] == ["Loading…"]
    qtbot.waitUntil(lambda: window.results.built, timeout=TIMEOUT_MS)
    assert not any(w.isVisible() for w in loading)
    pane = window.results.pane
    qtbot.waitUntil(lambda: pane.state == "data" and jobs.is_idle(), timeout=TIMEOUT_MS)
    scroll = pane.tabs.widget(0)
    content = scroll.widget()
    assert scroll.verticalScrollBar().value() == 0
    chain: list[QWidget] = []
    widget: QWidget = pane.tabs.tabBar()
    for _ in range(2000):
        widget = widget.nextInFocusChain()
        if widget is pane.tabs.tabBar() or len(chain) == 12:
            break
        inner = isinstance(widget.parent(), QAbstractSpinBox)  # a date box's own field
        if (
            widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.isVisibleTo(content)
            and content.isAncestorOf(widget)
            and not inner
        ):
            chain.append(widget)
    assert chain[0] is pane.since_edit
    tops = [w.mapTo(content, w.rect().topLeft()).y() for w in chain]
    # Down the page (a row's controls may sit a few pixels apart).
    assert all(b >= a - 12 for a, b in zip(tops, tops[1:], strict=False)), tops
    QApplication.processEvents()


def report_of(workspace: Workspace) -> EffectivenessReport:
    return effectiveness_report(workspace.engine, by="rule")


def shown_ids(window: MainWindow) -> list[int]:
    return sorted(int(i) for i in window.customers_pane.model.visible_ids())


def test_the_tab_loads_and_the_headline_says_the_figures(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace
) -> None:
    show_results(qtbot, window, jobs)
    report = report_of(measured)
    lift = report.overall.lift
    assert lift.enough
    text = window.results.headline_label.text()
    assert text == headline(report.overall)
    assert f"{lift.contacted.customers.count:,} contacted vs" in text
    assert f"{lift.holdout.customers.count:,} held out" in text
    assert f"{lift.lift * 100:+.1f} points" in text
    tile = window.results.tiles["contacted"]
    assert tile.value.full_text() == f"{lift.contacted.rate * 100:.1f}%"
    # The lift's tile says first whether it is clear: "No clear effect" in large type when
    # its interval includes zero, the figure after it in the note.
    figure = f"{lift.lift * 100:+.1f} pts"
    lift_tile = window.results.tiles["lift"]
    if verdict(lift) == "no clear effect":
        assert lift_tile.value.full_text() == "No clear effect"
        assert lift_tile.note.full_text().startswith(figure)
    else:
        assert lift_tile.value.full_text() == figure
    # The breakdown by rule is the default, one row per rule.
    rules = [p.key for p in report.breakdown]
    model = window.results.breakdown_model
    assert [model.record(r).key for r in range(model.rowCount())] == rules
    titles = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "Gone quiet" in titles
    lift_chart = window.results.lift_chart
    assert lift_chart is not None
    assert lift_chart.row_labels()[0] == "All"


def test_a_bar_opens_exactly_its_customers(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace
) -> None:
    show_results(qtbot, window, jobs)
    chart = window.results.rates_chart
    assert chart is not None
    with qtbot.waitSignal(window.results.customers_requested) as opened:
        qtbot.mouseClick(
            chart.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=chart.bar_pos("holdout")
        )
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    expected = report_of(measured).overall.lift.holdout.reengaged.customer_ids
    assert len(expected) > 0  # a bar that counts someone
    assert opened.args[0].customer_ids == frozenset(expected)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert shown_ids(window) == sorted(expected)
    assert "Held-out customers who re-engaged" in window.customers_pane.filter_title.text()


def test_a_tile_and_a_breakdown_row_open_their_customers(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace
) -> None:
    show_results(qtbot, window, jobs)
    report = report_of(measured)
    qtbot.mouseClick(window.results.tiles["won_back"], Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert shown_ids(window) == list(report.overall.revenue.reengaged.customer_ids)

    QTest.keySequence(window, QKeySequence("Ctrl+5"))
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    table = window.results.breakdown_table
    first = report.breakdown[0]
    rect = table.visualRect(table.model().index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    both = set(first.lift.contacted.customers.customer_ids) | set(
        first.lift.holdout.customers.customer_ids
    )
    assert shown_ids(window) == sorted(both)


def test_the_period_and_the_breakdown_reload_the_report(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace
) -> None:
    show_results(qtbot, window, jobs)
    pane = window.results
    since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=60)
    pane.set_breakdown("owner")
    pane.set_period(since, None)
    qtbot.waitUntil(
        lambda: pane.report is not None and pane.report.since == since and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert pane.report is not None
    assert pane.report.by == "owner"
    fresh = effectiveness_report(measured.engine, since=since, by="owner")
    assert pane.report.overall.lift.contacted.customers == fresh.overall.lift.contacted.customers
    assert pane.headline_label.text() == headline(fresh.overall)
    assert np.all([p.key for p in pane.report.breakdown] == [p.key for p in fresh.breakdown])
    # By owner, the last column is each owner's at-risk share; a click opens those customers.
    model = pane.breakdown_model
    last = model.columnCount() - 1
    assert model.headerData(last, Qt.Orientation.Horizontal) == "At risk"
    assert fresh.at_risk is not None
    shares = fresh.at_risk.by
    # An alert's owner who owns no customers in the scoring has no share ("-").
    keys = [p.key for p in pane.report.breakdown]
    assert [model.index(i, last).data() for i in range(len(keys))] == [
        f"{shares[k].share * 100:.1f}%" if k in shares else "-" for k in keys
    ]
    row = next(i for i, k in enumerate(keys) if k in shares and shares[k].at_risk.count)
    share = shares[keys[row]]
    table = pane.breakdown_table
    table.scrollTo(model.index(row, last))
    rect = table.visualRect(model.index(row, last))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    assert shown_ids(window) == sorted(share.at_risk.customer_ids)
