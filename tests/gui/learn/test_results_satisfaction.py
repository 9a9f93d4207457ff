"""The Results tab's "Satisfaction" part on the measured demo: its tiles, chart and table
show the figures services.learn.satisfaction computes (and `report satisfaction` prints),
an owner's choice shows that owner's months, and an after-outreach tile opens the
customers whose answers it compares."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea

from app.cli.main import main
from app.workspace import Workspace
from services.learn.satisfaction import satisfaction_report
from services.learn.satisfaction_records import csat_text, month_label, nps_text
from tests.gui.learn.test_results import (
    TIMEOUT_MS,
    measured,
    show_results,
    shown_ids,
    window,
)
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager, ThemeMode
from views.results.satisfaction_tiles import change_tile_text
from views.shell.main_window import TAB_CUSTOMERS, MainWindow

__all__ = ["measured", "window"]  # fixtures used by name
SHOTS = Path(tempfile.gettempdir()) / "nps_shots"
SHOTS.mkdir(exist_ok=True)


def _loaded(qtbot, window: MainWindow, jobs: JobRunner):  # type: ignore[no-untyped-def]
    show_results(qtbot, window, jobs)
    part = window.results.satisfaction_tiles
    qtbot.waitUntil(lambda: part.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return part


def test_the_part_shows_the_service_figures(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace, theme: ThemeManager
) -> None:
    part = _loaded(qtbot, window, jobs)
    since, until = window.results.period()
    expected = satisfaction_report(measured.engine, since, until)
    assert part.isVisible()
    assert expected.period.nps_responses > 0  # the demo's NPS survey
    assert part.tiles["nps"].value.full_text() == nps_text(expected.period.nps)
    assert f"{expected.period.nps_responses:,} customers answered" in (
        part.tiles["nps"].note.full_text()
    )
    assert part.tiles["csat"].value.full_text() == csat_text(expected.period.csat)
    for key, change in (("nps_change", expected.nps_change), ("csat_change", expected.csat_change)):
        value, note, _tone = change_tile_text(change)
        assert part.tiles[key].value.full_text() == value
        assert part.tiles[key].note.full_text() == note
    # The table: the latest month first, each month's figures and answers.
    model = part.model
    assert model.rowCount() == len(expected.months) == 12
    latest = expected.overall[-1]
    assert model.data(model.index(0, 0)) == month_label(latest.month)
    assert model.data(model.index(0, 1)) == nps_text(latest.nps)
    assert model.data(model.index(0, 2)) == f"{latest.nps_responses:,}"
    assert model.data(model.index(0, 3)) == csat_text(latest.csat)
    # The chart: a point per month with answers, its tip the figure and its count.
    keys = part.chart.bar_keys()
    assert ("nps", 11) in keys
    assert part.chart.bar_tip(("nps", 11)).startswith(
        f"NPS, {month_label(latest.month)}: {nps_text(latest.nps)} of "
        f"{latest.nps_responses:,} customers"
    )
    # The pictures: the window at 1366x768, scrolled down to the part.
    scroll = window.results.findChild(QScrollArea)
    assert scroll is not None
    scroll.ensureWidgetVisible(part)
    for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
        theme.set_mode(mode)
        scroll.ensureWidgetVisible(part)
        qtbot.wait(50)
        window.grab().save(str(SHOTS / f"results_satisfaction_{theme.theme.name}.png"))
    theme.set_mode(ThemeMode.LIGHT)
    # After the notes of the effectiveness figures above it, and nothing of the part is
    # hidden under what follows it.
    notes = window.results.notes_label
    assert notes.geometry().bottom() < part.geometry().top()
    assert part.geometry().bottom() < window.results.early_warning.geometry().top()
    assert part.method_label.geometry().bottom() < part.height()
    assert part.method_label.height() >= part.method_label.heightForWidth(part.width()) - 2


def test_an_owner_shows_their_customers_months(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace
) -> None:
    part = _loaded(qtbot, window, jobs)
    report = part.report
    assert report is not None
    owner = report.owners[0]
    part.owner_combo.setCurrentIndex(part.owner_combo.findData(owner))
    assert part.months() == report.series(owner)
    latest = report.by_owner[owner][-1]
    assert part.model.data(part.model.index(0, 2)) == f"{latest.nps_responses:,}"
    mine = report.owner_period[owner]
    assert part.tiles["nps"].value.full_text() == nps_text(mine.nps)
    part.owner_combo.setCurrentIndex(0)
    assert part.tiles["nps"].value.full_text() == nps_text(report.period.nps)


def test_an_after_outreach_tile_opens_the_customers_it_compares(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    part = _loaded(qtbot, window, jobs)
    change = part.report.nps_change  # type: ignore[union-attr]
    expected = sorted({*change.contacted.customer_ids, *change.holdout.customer_ids})
    assert expected
    qtbot.mouseClick(part.tiles["nps_change"], Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert shown_ids(window) == expected


@pytest.mark.parametrize("form", ["json", "csv"])
def test_results_and_the_report_command_agree(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace, form: str
) -> None:
    part = _loaded(qtbot, window, jobs)
    shown = part.report
    assert shown is not None
    out, err = io.StringIO(), io.StringIO()
    args = ["--db", measured.url, "report", "satisfaction", "--since", shown.since.isoformat(),
            "--until", shown.until.isoformat(), "--format", form]  # fmt: skip
    assert main(args, out, err) == 0, err.getvalue()
    if form == "json":
        data = json.loads(out.getvalue())
        assert [m["nps"] for m in data["months"]] == [s.nps for s in shown.overall]
        assert [m["csat_responses"] for m in data["months"]] == [
            s.csat_responses for s in shown.overall
        ]
        assert data["nps_change"]["difference"] == shown.nps_change.difference
        assert data["nps_change"]["low"] == shown.nps_change.low
        assert data["nps_change"]["contacted"]["paired"] == shown.nps_change.contacted.paired
        return
    rows = [line.split(",") for line in out.getvalue().splitlines()[1:]]
    value = {(r[0], r[1], r[2], r[3]): r[4] for r in rows}
    for score in shown.overall:
        assert int(value["month", "all", score.month, "nps_responses"]) == score.nps_responses
    assert int(value["change", "nps", "", "holdout_paired"]) == shown.nps_change.holdout.paired
