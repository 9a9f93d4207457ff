"""Results reads only what is on screen, and keeps what it read for the same data.

Driven as a user would on the hand-made book of tests/support/retention_book.py, through
the real source (app/gui/results_source.py) counting what it is asked and what it
computes: the first open reads the Outreach page's reports (the headline first) and no
other tab's; a tab reads its own report when it is shown, once; shown again it reads
nothing; asked again with the data unchanged it computes nothing; after a real import
of the generic sample files it computes afresh and shows the new figures."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace
from services.importing.run import run_import
from tests.support.paths import DATA
from tests.support.retention_book import fill_retention_book
from views.results.pane import ResultsPane
from views.results.retention import RetentionSection

T = TypeVar("T")
TIMEOUT_MS = 60_000
OUTREACH_PAGE = {"effectiveness", "response", "satisfaction"}


class Counting(WorkspaceResultsSource):
    """The real source, noting each report asked for and each one computed."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.asked: list[str] = []
        self.computed: list[str] = []

    def _kept(self, report: str, args: Hashable, compute: Callable[[], T]) -> T:
        self.asked.append(report)

        def counted() -> T:
            self.computed.append(report)
            return compute()

        return super()._kept(report, args, counted)


@pytest.fixture
def ws(workspace_url: str) -> Iterator[Workspace]:
    workspace = open_workspace(workspace_url, backup=False)
    fill_retention_book(workspace.engine)
    yield workspace
    workspace.close()


def _open(qtbot, jobs, ws: Workspace) -> tuple[ResultsPane, Counting]:  # type: ignore[no-untyped-def]
    pane = ResultsPane(jobs)
    qtbot.addWidget(pane)
    pane.resize(1300, 760)
    source = Counting(ws)
    pane.set_source(source)
    pane.show()
    qtbot.waitUntil(lambda: pane.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return pane, source


def _retention_tab(pane: ResultsPane) -> tuple[int, RetentionSection]:
    index = next(i for i, s in enumerate(pane.sections) if isinstance(s, RetentionSection))
    section = pane.sections[index]
    assert isinstance(section, RetentionSection)
    return index + 1, section  # the Outreach page is the first tab


def test_the_first_open_reads_the_outreach_page_only(qtbot, jobs, ws) -> None:  # type: ignore[no-untyped-def]
    pane, source = _open(qtbot, jobs, ws)
    assert source.asked[0] == "effectiveness"  # the headline first
    assert set(source.asked) == OUTREACH_PAGE
    assert all(getattr(s, "report", None) is None for s in pane.sections)


def test_a_tab_reads_its_report_when_shown_and_once(qtbot, jobs, ws) -> None:  # type: ignore[no-untyped-def]
    pane, source = _open(qtbot, jobs, ws)
    tab, section = _retention_tab(pane)
    before = len(source.asked)
    pane.tabs.setCurrentIndex(tab)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert source.asked[before:] == ["retention"]
    # Back to Outreach and to Retention again: nothing is read.
    pane.tabs.setCurrentIndex(0)
    pane.tabs.setCurrentIndex(tab)
    qtbot.wait(50)
    assert jobs.is_idle()
    assert len(source.asked) == before + 1


def test_unchanged_data_is_not_computed_again_and_an_import_is(  # type: ignore[no-untyped-def]
    qtbot, jobs, ws, tmp_path: Path
) -> None:
    pane, source = _open(qtbot, jobs, ws)
    tab, section = _retention_tab(pane)
    pane.tabs.setCurrentIndex(tab)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    first = section.report
    at_start = section.tiles["at_start"].value.text()
    # Told the data may have changed (as after an email is recorded), with nothing
    # changed: the page on screen asks again and is answered from what was kept.
    asked, computed = len(source.asked), len(source.computed)
    pane.mark_stale()
    qtbot.waitUntil(lambda: len(source.asked) > asked and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert source.asked[asked:] == ["retention"]
    assert len(source.computed) == computed
    assert section.report is first
    # A real import of customers and their orders: computed afresh, new figures shown.
    for name in ("customers.csv", "orders.csv"):
        shutil.copy(DATA / "samples" / "generic" / name, tmp_path / name)
    report = run_import(ws.engine, [tmp_path / "customers.csv", tmp_path / "orders.csv"])
    assert all(f.landed for f in report.files), report
    pane.mark_stale()
    qtbot.waitUntil(lambda: section.report is not first and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert source.computed[computed:] == ["retention"]
    assert section.tiles["at_start"].value.text() != at_start
    # The Outreach page, not on screen, reads when it is shown again (and only then).
    assert "effectiveness" not in source.asked[asked:]
    pane.tabs.setCurrentIndex(0)
    qtbot.waitUntil(
        lambda: "effectiveness" in source.asked[asked:] and jobs.is_idle(), timeout=TIMEOUT_MS
    )
