"""Retention on a real demo workspace (300 customers, seed 11, scored): figures within
their bounds on both bases, every part adding up to the whole, and one definition on every
surface (`report retention --format json` and the window's Results source agree)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.gui.results_source import WorkspaceResultsSource
from app.workspace import open_workspace, to_url
from services.demo import build_demo
from services.retention.records import RetentionReport
from services.usecases.refresh import score_and_alert

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("retention-demo") / "demo.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(ws.engine, customers=300, seed=11)
        score_and_alert(ws.engine)
    finally:
        ws.close()
    return to_url(str(path))


def _read(url: str, basis: str) -> RetentionReport:
    ws = open_workspace(url, backup=False)
    try:
        return WorkspaceResultsSource(ws).load_retention(None, None, basis, "quarter")
    finally:
        ws.close()


@pytest.mark.parametrize("basis", ["orders", "subscriptions"])
def test_the_figures_are_within_their_bounds_and_add_up(demo_url: str, basis: str) -> None:
    report = _read(demo_url, basis)
    whole = report.overall
    assert whole.at_start > 0
    assert whole.retention_rate is not None
    assert 0.0 < whole.retention_rate < 1.0
    assert whole.grr is not None
    assert whole.nrr is not None
    assert 0.0 <= whole.grr <= 1.0
    assert whole.grr <= whole.nrr
    assert len(report.months) == 12
    for parts in (report.by_cohort, report.by_segment, report.by_owner):
        assert sum(p.at_start for p in parts) == whole.at_start
        assert sum(p.retained for p in parts) == whole.retained
        assert sum(p.revenue_now_cents for p in parts) == whole.revenue_now_cents
    # The first month starts when the whole period does: the same customers at start.
    assert report.months[0].customer_ids() == whole.customer_ids()
    assert sum(m.at_start for m in report.months) >= whole.at_start


def test_the_command_line_and_the_window_agree(demo_url: str, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", demo_url, "report", "retention", "--format", "json"], out, err)
    assert code == 0, err.getvalue()
    data = json.loads(out.getvalue())
    report = _read(demo_url, "orders")
    whole = report.overall
    assert data["overall"]["at_start"] == whole.at_start
    assert data["overall"]["retained"] == whole.retained
    assert data["overall"]["revenue_now_cents"] == whole.revenue_now_cents
    assert data["overall"]["nrr"] == pytest.approx(whole.nrr, abs=1e-6)
    assert [g["key"] for g in data["by_owner"]] == [g.key for g in report.by_owner]
