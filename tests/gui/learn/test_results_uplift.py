"""Who to contact in the window, on the 2,000-customer demo whose true effect varies by
customer. Seed 11, whose ranking has beaten a random order (the Qini coefficient's 90%
interval above zero): Results ▸ Who to contact shows the Qini curves and today's
estimates (a bar opens its customers), and the alert queue offers "Most persuadable
first" beside "Most urgent first", each card saying its estimate. Seed 7, whose Qini
interval includes zero: the order is not offered, the order menu and the section say
why, and the cards say the measured average. On a book with too few exposures the order
is not offered and the section says "Not enough data yet: …"."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace, to_url
from services.learn.uplift_cache import cached_uplift_report
from services.learn.uplift_records import UpliftReport
from services.learn.uplift_wording import NOT_RANKED, lift_words
from tests.unit.learn.test_uplift_demo import build_uplift_demo
from views.alerts.persuadable import PERSUADABLE, PERSUADABLE_LABEL
from views.alerts.view import AlertsView
from views.item_models.alert_list_data import AlertListData
from views.item_models.customer_filters import CustomerFilter
from views.kit.jobs import JobRunner
from views.results.sections import section_classes
from views.results.uplift import NOT_RANKED_CHART, UpliftSection

TIMEOUT_MS = 120_000
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo whose ranking has beaten a random order."""
    path = tmp_path_factory.mktemp("uplift-gui") / "demo.radar.sqlite"
    build_uplift_demo(path, seed=11)
    return path


@pytest.fixture(scope="module")
def unproven_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo whose ranking has not beaten a random order (Qini interval includes 0)."""
    path = tmp_path_factory.mktemp("uplift-gui") / "unproven.radar.sqlite"
    build_uplift_demo(path, seed=7)
    return path


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(to_url(str(demo_path)), backup=False)
    yield ws
    ws.close()


def _section(qtbot, jobs: JobRunner, ws: Workspace) -> UpliftSection:  # type: ignore[no-untyped-def]
    section = UpliftSection(jobs)
    qtbot.addWidget(section)
    section.resize(1366, 700)
    section.show()
    section.set_source(WorkspaceResultsSource(ws))
    section.reload(None, None)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def test_who_to_contact_is_a_results_tab() -> None:
    assert UpliftSection in section_classes()
    assert UpliftSection.TITLE == "Who to contact"


def test_the_section_shows_the_curves_and_a_bar_opens_its_customers(
    qtbot, jobs: JobRunner, demo: Workspace
) -> None:
    section = _section(qtbot, jobs, demo)
    report = section.report
    assert report is not None
    assert report.enough
    assert report == cached_uplift_report(demo.engine)  # the queue's estimates too
    model = report.model_curve
    assert model is not None
    assert report.risk_curve is not None
    headline = section.headline_label.text()
    # This demo's Qini interval lies above zero: the ranking is shown.
    assert report.qini_low is not None
    assert report.qini_low > 0
    assert report.ranks
    assert headline.startswith("On past customers, contacting the most persuadable first added")
    assert f"{model.coefficient * 100:.2f}" in headline
    assert section.ranking_label.text().startswith("The ranking has beaten a random order")
    assert f"highest churn risk first: {report.risk_curve.coefficient * 100:+.2f}" in headline
    assert f"Learnt from {report.contacted:,} contacted customers" in section.counts_label.text()
    assert "Qini coefficient" in section.qini_chart.summary_text
    chart = section.distribution_chart
    assert chart.counts() == [len(b.customer_ids) for b in report.bars]
    key = int(np.argmax(chart.counts()))
    with qtbot.waitSignal(section.customers_requested) as signal:
        qtbot.mouseClick(
            chart.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=chart.bar_pos(key)
        )
    flt = signal.args[0]
    assert isinstance(flt, CustomerFilter)
    assert flt.customer_ids == frozenset(report.bars[key].customer_ids)
    assert flt.title.startswith(f"Estimated uplift {report.bars[key].label} points")


def test_the_queue_offers_most_persuadable_first(qtbot, jobs: JobRunner, demo: Workspace) -> None:
    view = AlertsView(jobs)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.set_sources(
        WorkspaceAlertSource(demo, user="maya"), WorkspaceCustomerSource(demo), owner_name=None
    )
    pane = view.alerts_pane
    qtbot.waitUntil(lambda: pane.model.total() > 0 and jobs.is_idle(), timeout=TIMEOUT_MS)
    combo = pane.sort_combo
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels[0] == "Most urgent first"
    assert PERSUADABLE_LABEL in labels
    estimates = cached_uplift_report(demo.engine).estimate_of()

    def shown_uplift() -> list[float]:
        model = pane.model
        ids = [model.record(r)["customer_id"] for r in range(model.rowCount())]
        return [estimates[i].uplift if i in estimates else float("-inf") for i in ids]

    urgent = shown_uplift()
    combo.setCurrentIndex(combo.findData(PERSUADABLE))
    qtbot.waitUntil(lambda: jobs.is_idle(), timeout=TIMEOUT_MS)
    ordered = shown_uplift()
    assert sorted(ordered) == sorted(urgent)  # the same cards...
    assert ordered == sorted(ordered, reverse=True) != urgent  # ...most persuadable first
    tip = pane.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    top = estimates[pane.model.record(0)["customer_id"]]
    assert f"{round(top.uplift * 100)} points" in tip
    assert "Outreach" in tip


def test_an_unproven_ranking_is_not_offered_and_the_screen_says_why(
    qtbot, jobs: JobRunner, unproven_path: Path
) -> None:
    """The Qini interval includes zero: no "Most persuadable first", the order menu's
    tooltip and Results ▸ Who to contact say that the model has not yet beaten a random
    order and why, no distribution of estimates, and each card says the average."""
    ws = open_workspace(to_url(str(unproven_path)), backup=False)
    try:
        view = AlertsView(jobs)
        qtbot.addWidget(view)
        view.set_sources(
            WorkspaceAlertSource(ws, user="maya"), WorkspaceCustomerSource(ws), owner_name=None
        )
        pane = view.alerts_pane
        combo = pane.sort_combo
        qtbot.waitUntil(
            lambda: NOT_RANKED in combo.toolTip() and jobs.is_idle(), timeout=TIMEOUT_MS
        )  # the estimates came, and the menu says why the order is not there
        assert combo.findData(PERSUADABLE) < 0
        assert "that interval includes zero, the score of a random order" in combo.toolTip()
        report = cached_uplift_report(ws.engine)
        assert not report.ranks
        data = pane.model.data_set
        assert data is not None
        assert not np.isfinite(data.uplift).any()  # nothing to rank by
        assert lift_words(report) in set(data.uplift_text.tolist())
        section = _section(qtbot, jobs, ws)
    finally:
        ws.close()
    assert section.report == report
    assert section.headline_label.text().startswith("No clear effect yet: ")
    said = section.ranking_label.text()
    assert said.startswith(f"{NOT_RANKED}: ")
    assert f"90% interval {report.qini_low * 100:+.2f} to" in said  # type: ignore[operator]
    assert "includes zero" in said
    assert "Each card in Alerts shows the average instead" in section.counts_label.text()
    assert section.distribution_chart.counts() == []
    assert section.distribution_chart.empty_text == NOT_RANKED_CHART


def test_too_few_exposures_offer_no_persuadable_order(
    qtbot, jobs: JobRunner, workspace: Workspace
) -> None:
    view = AlertsView(jobs)
    qtbot.addWidget(view)
    view.set_sources(
        WorkspaceAlertSource(workspace, user="maya"),
        WorkspaceCustomerSource(workspace),
        owner_name=None,
    )
    pane = view.alerts_pane
    qtbot.waitUntil(lambda: pane.model.total() > 0 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert pane.sort_combo.findData(PERSUADABLE) < 0
    section = _section(qtbot, jobs, workspace)
    assert section.headline_label.text().startswith("Not enough data yet: the estimate needs")
    assert section.qini_chart.empty_text == "Not enough data yet"


def test_the_list_comes_first_and_the_estimates_follow_on_a_work_thread(
    qtbot, jobs: JobRunner, demo: Workspace
) -> None:
    from services.learn import uplift_cache

    uplift_cache._KEPT.clear()  # nothing fitted yet for this workspace
    source = WorkspaceAlertSource(demo, user="maya")
    listed = AlertListData(source.load_alert_columns())
    assert not np.isfinite(listed.uplift).any()  # the list alone fits nothing...
    assert uplift_cache.ready_uplift_report(demo.engine) is None
    view = AlertsView(jobs)
    qtbot.addWidget(view)
    view.set_sources(source, WorkspaceCustomerSource(demo), owner_name=None)
    pane = view.alerts_pane
    qtbot.waitUntil(
        lambda: pane.sort_combo.findData(PERSUADABLE) >= 0 and jobs.is_idle(), timeout=TIMEOUT_MS
    )  # ...the estimates follow it, and the order is offered then
    data = pane.model.data_set
    assert data is not None
    assert np.isfinite(data.uplift).any()
    estimates = cached_uplift_report(demo.engine).estimate_of()
    row = int(np.flatnonzero(np.isfinite(data.uplift))[0])
    customer = int(data.columns["customer_id"][row])
    assert data.uplift[row] == pytest.approx(estimates[customer].uplift)
    pane.sort_combo.setCurrentIndex(pane.sort_combo.findData(PERSUADABLE))
    qtbot.waitUntil(lambda: jobs.is_idle(), timeout=TIMEOUT_MS)
    model = pane.model
    shown = [model.record(r)["customer_id"] for r in range(model.rowCount())]
    ordered = [estimates[c].uplift if c in estimates else float("-inf") for c in shown]
    assert ordered == sorted(ordered, reverse=True)  # the estimates that came, in their order
    assert ordered[0] > float("-inf")


class _Started(WorkspaceResultsSource):
    """The real source, saying when the fit has started."""

    def __init__(self, ws: Workspace) -> None:
        super().__init__(ws)
        self.started = threading.Event()

    def load_uplift(self, cancelled: Callable[[], bool] | None = None) -> UpliftReport:
        self.started.set()
        return super().load_uplift(cancelled)


def test_closing_stops_the_fit_instead_of_waiting_for_it(
    qtbot, jobs: JobRunner, demo: Workspace
) -> None:
    """The window closing (the runner cancelling its tasks) stops a fit at its next step:
    at a million customers a fit runs for minutes, and the app waited for it to exit."""
    from services.learn import uplift_cache

    uplift_cache._KEPT.clear()
    section = UpliftSection(jobs)
    qtbot.addWidget(section)
    source = _Started(demo)
    section.set_source(source)
    section.reload(None, None)
    assert source.started.wait(30)
    jobs.cancel_all()  # as shutdown() does
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert section.report is None  # nothing shown...
    assert uplift_cache.ready_uplift_report(demo.engine) is None  # ...and nothing kept

    section.reload(None, None)  # asked again: the whole fit, kept this time
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert uplift_cache.ready_uplift_report(demo.engine) == section.report
