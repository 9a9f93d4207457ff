"""The Model report, the score views and the scored customers table, on a demo
workspace scored twice by the service (once 40 days ago, once today)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app.gui.context import WindowContext
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.scoring_controller import ScoringController, read_model_report, summary_message
from app.workspace import Workspace, open_workspace, to_url
from services.core.formatting import format_date, format_percent
from services.core.records import CalibrationBin, CustomerScores, Driver, ModelReport
from services.scoring.rfm import SEGMENTS
from services.usecases.customers import load_customer_columns
from views.customers.score_tiles import DriversPanel, ScoreStrip
from views.item_models.customer_table_data import COLUMN_INDEX, CustomerTableData
from views.item_models.customer_table_model import CustomerTableModel
from views.kit.jobs import JobRunner
from views.kit.theme import DARK, ThemeManager, ThemeMode
from views.kit.tiles import DOWN, UP, trend
from views.scoring.dialog import ScoringDialog, ScoringParameters
from views.scoring.model_report import (
    BacktestTableModel,
    ModelReportDialog,
    chosen_reason,
    report_notes,
)
from views.shell.main_window import MainWindow

TODAY = dt.datetime.now(dt.UTC).date()
EARLIER = TODAY - dt.timedelta(days=40)


@pytest.fixture(scope="session")
def scored_file(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace scored as of 40 days ago and as of today (never modified)."""
    from services.scoring.run import score_workspace

    path = tmp_path_factory.mktemp("scored") / "scored.radar.sqlite"
    shutil.copy(demo_file, path)
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        score_workspace(workspace.engine, as_of=EARLIER, horizon_days=90)
        score_workspace(workspace.engine, as_of=TODAY, horizon_days=90)
        with workspace.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        workspace.close()
    return path


@pytest.fixture
def scored_workspace(scored_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    path = tmp_path / "scored.radar.sqlite"
    shutil.copy(scored_file, path)
    workspace = open_workspace(to_url(str(path)), backup=False)
    yield workspace
    workspace.close()


@pytest.fixture
def theme(qapp: QApplication) -> Iterator[ThemeManager]:
    manager = ThemeManager(qapp, ThemeMode.LIGHT)
    yield manager
    manager.set_mode(ThemeMode.LIGHT)
    manager.deleteLater()


def settled(window: MainWindow, jobs: JobRunner) -> bool:
    """Nothing left to do: the table's background preparation (started a moment after
    each load) is done too, so no work is in flight when the test ends."""
    table = window.customers_pane.model.table
    return (table.size == 0 or table.prepared) and jobs.is_idle()


def wait_loaded(qtbot, window: MainWindow, jobs: JobRunner) -> None:
    qtbot.waitUntil(
        lambda: window.detail_pane.detail is not None and settled(window, jobs), timeout=30_000
    )


# -- the model report ------------------------------------------------------------------


def test_model_report_shows_the_backtest_next_to_the_baselines(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings, scored_workspace
) -> None:
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    controller = ScoringController(WindowContext(jobs, window, lambda: scored_workspace), theme)
    window.set_source(WorkspaceCustomerSource(scored_workspace))
    wait_loaded(qtbot, window, jobs)
    assert window.menus.model_report_action.isEnabled()
    window.menus.model_report_action.trigger()
    dialog = controller.report_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.report is not None and settled(window, jobs), timeout=30_000)
    report = dialog.report
    assert report is not None
    assert report.as_of == TODAY
    assert not dialog.is_empty
    assert dialog.isVisible()

    # Run facts and the chosen model with its reason.
    assert f"{report.customers:,} customers" in dialog.run_label.text()
    assert f"Scored as of {format_date(TODAY)} for the next 90 days" in dialog.run_label.text()
    assert dialog.model_label.text()
    assert dialog.reason_label.text() == chosen_reason(report)

    # Metrics: chosen model first, then the baselines, figures formatted.
    model = dialog.metrics_model
    keys = model.model_keys()
    assert keys[0] == report.chosen_model
    assert {"bgnbd", "pnbd", "blend_pnbd", "recency"} <= set(keys)
    assert model.index(0, 0).data().startswith("✓ ")  # the chosen one, ticked
    assert model.headerData(1, Qt.Orientation.Horizontal) == "ROC AUC"
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Brier score"
    assert report.auc is not None
    assert report.brier is not None
    assert model.index(0, 1).data() == f"{report.auc:.3f}"
    assert model.index(0, 2).data() == f"{report.brier:.4f}"
    bgnbd = keys.index("bgnbd")
    assert model.index(bgnbd, 0).data() == "BG/NBD"
    assert model.index(bgnbd, 1).data() == f"{report.baseline['bgnbd']['auc']:.3f}"
    # The best AUC of the column is bold.
    aucs = [model.value(r, 1) for r in range(len(keys))]
    best = int(np.nanargmax([np.nan if a is None else a for a in aucs]))
    assert model.index(best, 1).data(Qt.ItemDataRole.FontRole).bold()

    # The orders backtest under the table: BG/NBD's predicted orders against the real ones.
    orders = report.orders_backtest
    assert orders["customers"] > 0
    assert orders["rmse"] is not None
    text = dialog.orders_label.text()
    assert dialog.orders_label.isVisibleTo(dialog)
    assert text.startswith("Orders (BG/NBD, same ")
    assert f"{orders['predicted']:,.0f} predicted, {orders['actual']:,.0f} placed" in text
    assert f"(RMSE) {orders['rmse']:.2f} orders" in text

    # Calibration chart and the fitted parameters.
    chart = dialog.calibration_chart
    assert chart is not None
    assert chart.bin_count == len(report.calibration) > 0
    r = report.bgnbd["r"]
    assert dialog.param_labels["bgnbd.r"].text() == f"r = {r:,.3f}"
    assert dialog.param_labels["gamma_gamma.p"].text().startswith("p = ")
    assert dialog.notes_card.isVisibleTo(dialog) == bool(report.notes)

    # Themes follow the window.
    theme.set_mode(ThemeMode.DARK)
    assert dialog.calibration_chart is not None
    assert dialog.calibration_chart.plot_widget.backgroundBrush().color().name() == DARK.chart_bg


def test_model_report_before_any_scoring_says_how_to_get_one(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings, demo_workspace
) -> None:
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    controller = ScoringController(WindowContext(jobs, window, lambda: demo_workspace), theme)
    window.set_source(WorkspaceCustomerSource(demo_workspace))
    wait_loaded(qtbot, window, jobs)
    controller.show_model_report()
    dialog = controller.report_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: settled(window, jobs), timeout=30_000)
    assert dialog.is_empty
    assert dialog.report is None
    assert "No scoring run yet" in dialog.empty_label.text()
    assert dialog.score_button.isVisible()
    asked: list[ScoringParameters] = []
    controller.ask_parameters = lambda defaults: asked.append(defaults) or None
    qtbot.mouseClick(dialog.score_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(asked), timeout=30_000)
    qtbot.waitUntil(lambda: settled(window, jobs), timeout=30_000)
    assert asked[0].horizon_days == 90
    assert not controller.running


def test_backtest_model_passes_the_model_tester(qtmodeltester, scored_workspace) -> None:
    report = read_model_report(scored_workspace)
    assert report is not None
    model = BacktestTableModel()
    model.set_report(report)
    qtmodeltester.check(model)
    assert model.rowCount() == len(model.model_keys()) >= 6
    assert model.columnCount() == 4
    model.set_report(None)
    qtmodeltester.check(model)
    assert model.rowCount() == 0
    assert model.columnCount() == 0


def test_chosen_reason_falls_back_to_the_backtest_figures() -> None:
    report = ModelReport(
        run_id=1,
        as_of=TODAY,
        horizon_days=90,
        finished_at=dt.datetime.now(dt.UTC),
        customers=10,
        chosen_model="gbm",
        model_version="m",
        config_version=1,
        backtest_cutoff=TODAY - dt.timedelta(days=90),
        auc=0.8,
        brier=0.15,
        lift_top_decile=2.0,
        baseline={"bgnbd": {"auc": 0.7, "brier": 0.2}, "recency": {"auc": 0.6, "brier": 0.25}},
        calibration=(CalibrationBin(0.2, 0.25, 5),),
        bgnbd={},
        gamma_gamma={},
        bridged=None,
        notes=(),
        config_changes=(),
    )
    assert chosen_reason(report) == (
        "It backtested best: Brier score 0.150 against 0.200 for BG/NBD."
    )


def test_report_notes_drop_the_reason_and_read_as_sentences() -> None:
    report = ModelReport(
        run_id=1,
        as_of=TODAY,
        horizon_days=90,
        finished_at=dt.datetime.now(dt.UTC),
        customers=10,
        chosen_model="gbm",
        model_version="m",
        config_version=1,
        backtest_cutoff=None,
        auc=None,
        brier=None,
        lift_top_decile=None,
        baseline={},
        calibration=(),
        bgnbd={},
        gamma_gamma={},
        bridged="trained on 180-day windows and scaled to 273 days",
        notes=("lowest backtest Brier score, 0.14", "69 customers use the population model", " "),
        config_changes=(),
        reason="lowest backtest Brier score, 0.14",
    )
    assert report_notes(report) == ["69 customers use the population model."]
    assert chosen_reason(report) == "Lowest backtest Brier score, 0.14"


def test_report_without_backtest_says_so(qtbot) -> None:
    dialog = ModelReportDialog()
    qtbot.addWidget(dialog)
    report = ModelReport(
        run_id=4,
        as_of=TODAY,
        horizon_days=273,
        finished_at=dt.datetime.now(dt.UTC),
        customers=12,
        chosen_model="bgnbd",
        model_version="m",
        config_version=3,
        backtest_cutoff=None,
        auc=None,
        brier=None,
        lift_top_decile=None,
        baseline={},
        calibration=(),
        bgnbd={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
        gamma_gamma={},
        bridged="the horizon is longer than the history: trained on 120-day windows",
        notes=(),
        config_changes=(),
    )
    dialog.set_report(report)
    assert not dialog.is_empty
    assert dialog.backtest_label.text().startswith("No backtest")
    assert dialog.orders_label.isHidden()
    assert dialog.bridged_label.text().startswith("Horizon: the horizon is longer")
    assert dialog.metrics_model.index(0, 1).data() == "—"
    assert dialog.calibration_chart is not None
    assert dialog.calibration_chart.bin_count == 0
    assert dialog.param_labels["bgnbd.alpha"].text() == "α = 4.414"
    assert dialog.param_labels["gamma_gamma.p"].text() == "p = —"
    assert dialog.notes_card.isHidden()
    dialog.set_report(None)
    assert dialog.is_empty


def test_a_customer_added_after_scoring_is_explained(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings, scored_workspace
) -> None:
    with scored_workspace.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO customers (id, source, name, email, do_not_contact, created_at, "
            "updated_at) VALUES (9001, 'manual', 'Nina Newcomer', 'nina@example.com', 0, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    window.set_source(WorkspaceCustomerSource(scored_workspace))
    window.show()
    wait_loaded(qtbot, window, jobs)
    pane = window.customers_pane
    assert pane.model.scored
    assert not pane.score_hint.isVisible()
    row = pane.model.row_of_customer(9001)
    assert row is not None
    assert pane.model.index(row, COLUMN_INDEX["churn_risk"]).data() == "—"
    assert pane.model.index(row, COLUMN_INDEX["segment"]).data() == "—"
    detail = window.detail_pane
    with qtbot.waitSignal(detail.detail_shown, timeout=30_000):
        assert pane.select_customer(9001)
    qtbot.waitUntil(lambda: settled(window, jobs), timeout=30_000)
    assert detail.scores is None
    assert not detail.score_strip.isVisible()
    assert detail.score_hint.isVisible()
    assert "No scores for this customer" in detail.score_hint.text()
    assert detail.history_chart is not None
    assert detail.history_chart.point_counts["churn_risk"] == 0
    assert detail.history_chart._empty.textItem.toPlainText() == "No scores for this customer"


# -- the scored table --------------------------------------------------------------------


def test_scored_table_columns_format_and_sort(qtmodeltester, scored_workspace) -> None:
    columns = load_customer_columns(scored_workspace.engine)
    data = CustomerTableData(columns)
    assert data.scored
    data.prepare()
    model = CustomerTableModel()
    model.set_table(data)
    qtmodeltester.check(model)
    risk = columns["churn_risk"]
    assert np.isfinite(risk).sum() > 250
    assert np.nanmax(risk) <= 1.0
    # Money comes in dollars from integer cents. Revenue at risk is churn risk x the last
    # 12 months' paid revenue: never more than churn risk x everything they paid.
    at_risk, paid = columns["revenue_at_risk"], columns["revenue"]
    ok = np.isfinite(at_risk) & np.isfinite(paid) & np.isfinite(risk)
    assert (at_risk[ok] >= 0).all()
    # (risk is stored rounded to 4 decimals, money to the cent)
    assert (at_risk[ok] <= risk[ok] * paid[ok] * 1.001 + 0.02).all()
    assert (at_risk[ok] > 0).sum() > 100
    row = int(np.flatnonzero(ok)[0])
    model.sort(-1)
    index = model.index(row, COLUMN_INDEX["churn_risk"])
    assert index.data() == format_percent(risk[row])
    assert model.index(row, COLUMN_INDEX["revenue_at_risk"]).data() == f"${at_risk[row]:,.0f}"
    health = model.index(row, COLUMN_INDEX["health_score"]).data()
    assert health == f"{columns['health_score'][row]:.0f}"
    # Segments sort from the best customers to the lost ones, missing ones last.
    model.sort(COLUMN_INDEX["segment"], Qt.SortOrder.AscendingOrder)
    names = [s for s in model.column_values("segment") if s]
    ranks = [SEGMENTS.index(s) for s in names]
    assert ranks == sorted(ranks)
    assert len(set(names)) > 2
    assert model.column_values("segment")[-1] is None or len(names) == model.rowCount()
    model.sort(COLUMN_INDEX["churn_risk"], Qt.SortOrder.DescendingOrder)
    shown = model.column_values("churn_risk")
    finite = shown[np.isfinite(shown)]
    assert list(finite) == sorted(finite, reverse=True)
    # High risk is drawn in the critical colour.
    top = model.index(0, COLUMN_INDEX["churn_risk"])
    if shown[0] >= 0.6:
        assert top.data(Qt.ItemDataRole.ForegroundRole) is not None


def test_an_unscored_table_has_only_the_base_columns(demo_workspace) -> None:
    columns = load_customer_columns(demo_workspace.engine)
    assert "churn_risk" not in columns
    data = CustomerTableData(columns)
    assert not data.scored
    assert len(data.shown_columns) == 13


# -- score views ----------------------------------------------------------------------------


def scores_with(previous: CustomerScores | None = None, **changes: object) -> CustomerScores:
    values: dict[str, object] = {
        "as_of": TODAY,
        "horizon_days": 90,
        "engagement_score": 38.0,
        "churn_risk": 0.72,
        "health_score": 41.0,
        "predicted_orders": 0.6,
        "predicted_revenue_cents": 8_400,
        "clv_12m_cents": 172_000,
        "revenue_at_risk_cents": 123_840,
        "p_alive": 0.4,
        "segment": "At Risk",
        "confidence": "medium",
        "drivers": (
            Driver("no order in 142 days; usual gap 35 days", "risk", 0.8),
            Driver("27 paid orders over 2 years", "good", 0.3),
            Driver("2 bad-satisfaction tickets in 60 days", "risk", 0.5),
            Driver("opened 4 emails in 30 days", "good", 0.1),
        ),
        "components": {},
        "previous": previous,
    }
    values.update(changes)
    return CustomerScores(**values)  # type: ignore[arg-type]


def test_trend_colour_says_good_or_bad_not_up_or_down() -> None:
    risk_up = trend(0.72, 0.61, higher_is_better=False, fmt=lambda d: f"{d * 100:.0f} pts",
                    threshold=0.005)  # fmt: skip
    assert risk_up is not None
    assert risk_up.text == f"{UP} 11 pts"
    assert risk_up.tone == "critical"
    assert risk_up.direction == "up"
    risk_down = trend(0.5, 0.61, higher_is_better=False, fmt=str, threshold=0.005)
    assert risk_down is not None
    assert risk_down.tone == "positive"
    assert risk_down.direction == "down"
    health_up = trend(60.0, 50.0, higher_is_better=True, fmt=str, threshold=0.5)
    assert health_up is not None
    assert health_up.tone == "positive"
    flat = trend(50.2, 50.0, higher_is_better=True, fmt=str, threshold=0.5)
    assert flat is not None
    assert flat.direction == "flat"
    assert flat.tone == ""
    assert trend(None, 50.0, higher_is_better=True, fmt=str, threshold=0.5) is None


def test_score_strip_and_drivers_panel(qtbot) -> None:
    strip = ScoreStrip()
    qtbot.addWidget(strip)
    strip.resize(900, 80)
    strip.show()
    previous = scores_with(
        as_of=TODAY - dt.timedelta(days=30),
        churn_risk=0.61,
        health_score=58.0,
        clv_12m_cents=152_000,
    )
    strip.set_scores(scores_with(previous))
    tiles = strip.tiles
    assert tiles["churn_risk"].value.full_text() == "72%"
    assert tiles["revenue_at_risk"].value.full_text() == "$1,238"
    assert tiles["clv_12m"].value.full_text() == "$1,720"
    assert tiles["predicted_orders"].value.full_text() == "0.6"
    assert tiles["predicted_orders"].caption.full_text() == "ORDERS IN 90 DAYS"
    since = f"since {previous.as_of:%b} {previous.as_of.day}"
    assert tiles["churn_risk"].note.full_text() == f"{UP} 11 pts {since}"
    assert tiles["churn_risk"].note.property("tone") == "critical"
    assert tiles["health_score"].note.full_text() == f"{DOWN} 17 {since}"
    assert tiles["health_score"].note.property("tone") == "critical"
    assert tiles["clv_12m"].note.full_text() == f"{UP} $200 {since}"
    assert tiles["clv_12m"].note.property("tone") == "positive"
    assert tiles["engagement_score"].note.full_text() == f"no change {since}"

    panel = DriversPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 90)
    panel.show()
    panel.set_drivers(scores_with().drivers)
    # The three strongest, strongest first, with direction and weight.
    assert [d.weight for d in panel.shown] == [0.8, 0.5, 0.3]
    rows = panel.rows
    assert rows[0].text.full_text() == "No order in 142 days; usual gap 35 days"
    assert rows[0].arrow.text() == UP
    assert rows[2].arrow.text() == DOWN
    assert rows[0].bar.weight == 0.8
    assert not panel.empty.isVisible()
    panel.set_drivers(())
    assert panel.empty.isVisible()
    assert not any(r.isVisible() for r in rows)


def test_scoring_dialog_offers_the_defaults_and_no_future_date(qtbot) -> None:
    dialog = ScoringDialog(ScoringParameters(TODAY, 120), today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.parameters() == ScoringParameters(TODAY, 120)
    assert dialog.as_of_edit.maximumDate().toPython() == TODAY
    dialog.horizon_spin.setValue(273)
    dialog.as_of_edit.setDate(dialog.as_of_edit.date().addDays(-30))
    assert dialog.parameters() == ScoringParameters(TODAY - dt.timedelta(days=30), 273)


def test_status_summary_names_the_run_and_its_backtest() -> None:
    from services.core.records import ScoringSummary

    summary = ScoringSummary(
        run_id=2,
        as_of=dt.date(2026, 11, 21),
        horizon_days=90,
        customers=2000,
        chosen_model="gbm",
        auc=0.8721,
        brier=0.1461,
        lift_top_decile=1.66,
        bridged=None,
        seconds=4.3,
    )
    assert summary_message(summary) == (
        "Scored 2,000 customers as of Nov 21, 2026 for the next 90 days  ·  backtest "
        "ROC AUC 0.87, Brier 0.146 (gradient-boosted classifier)  ·  4.3 s"
    )
