"""Results ▸ Retention's cost figures, driven as a user would, on the hand-made book of
tests/support/retention_book.py: the incentive tiles and table (by owner, then by segment)
with the figures counted by hand there, the customers a tile and a cell open, CAC against
CLV by channel with channels whose CAC is not set, and "Set CAC per channel…" asking for
the Settings page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.orm import Session

from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace
from services.settings.store import set_setting
from tests.support.retention_book import SINCE, UNTIL, fill_retention_book
from views.results.retention import RetentionSection

TIMEOUT_MS = 60_000


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Workspace, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_retention_book(ws.engine)
    with Session(ws.engine) as s, s.begin():
        set_setting(s, "retention.cac_by_channel", {"online": 50})
    yield ws, ids
    ws.close()


def _section(qtbot, jobs, ws: Workspace) -> RetentionSection:  # type: ignore[no-untyped-def]
    section = RetentionSection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 700)
    section.show()
    section.set_source(WorkspaceResultsSource(ws))
    section.reload(SINCE, UNTIL)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def _click(qtbot, table, index) -> None:  # type: ignore[no-untyped-def]
    table.scrollTo(index)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_incentive_cost(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    section = _section(qtbot, jobs, ws)
    costs = section.costs
    assert costs.isVisibleTo(section)
    # A $15, B $10, H $10, K $5 of the retained A B H I K; B H I K emailed an offer.
    assert costs.tiles["redeemers"].value.text() == "4"
    assert costs.tiles["redeemed"].value.text() == "$40"
    assert costs.tiles["per_retained"].value.text() == "$8"
    assert costs.tiles["per_contacted"].value.text() == "$6.25"
    assert "4 of the 5 retained customers" in costs.incentive_label.text()
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(costs.tiles["redeemed"], Qt.MouseButton.LeftButton)
    assert opened.args[0].customer_ids == frozenset(ids[x] for x in "ABHK")
    model = costs.incentive_model
    # The retention table shows months; the incentive one falls back to owners.
    labels = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert labels == ["All retained", "Leo", "Maya"]
    assert model.index(2, 4).data() == "$12.50"  # Maya: $25 over A and B
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        _click(qtbot, costs.incentive_table, model.index(1, 5))
    assert opened.args[0].customer_ids == frozenset(ids[x] for x in "HIK")
    assert opened.args[0].title.startswith("Leo: customers retained and contacted")
    section.by_combo.setCurrentIndex(section.by_combo.findData("segment"))
    labels = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert labels[:2] == ["All retained", "Champions"]
    assert model.index(1, 3).data() == "$25"
    assert costs.incentive_title.text() == "By segment"
    assert "Incentive cost per retained customer" in section.definitions_label.text()


def test_cac_against_clv(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    section = _section(qtbot, jobs, ws)
    costs = section.costs
    model = costs.channel_model
    rows = [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]  # fmt: skip
    # online: F and O, CLV $170 and $300 against $50; store: G, $60, no CAC.
    # No margin rate set: on revenue, and the figure says so.
    assert rows[0][:5] == ["online", "2", "$50", "$235", "4.7 : 1 rev."]
    assert rows[0][5].endswith(" months")
    assert rows[1] == ["Referral", "1", "CAC not set", "$80", "–", "–"]  # P's LeadSource
    assert rows[2] == ["store", "1", "CAC not set", "$60", "–", "–"]
    assert "CAC not set for Referral, store" in costs.unset_label.text()
    assert "4 customers acquired" in costs.acquisition_label.text()
    assert "Months to recover CAC" in section.definitions_label.text()
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        _click(qtbot, costs.channel_table, model.index(0, 1))
    assert opened.args[0].customer_ids == frozenset({ids["F"], ids["O"]})
    section.by_combo.setCurrentIndex(section.by_combo.findData("segment"))
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Segment"
    # Everyone Lost in the latest scoring: F G O P; store's and Referral's CAC not set.
    assert [model.index(0, c).data() for c in range(3)] == ["Lost", "4", "CAC not set"]
    assert costs.channel_title.text().startswith("By segment")
    assert "needs the CAC of every channel" in costs.unset_label.text()
    with qtbot.waitSignal(section.settings_requested, timeout=TIMEOUT_MS) as asked:
        qtbot.mouseClick(costs.cac_button, Qt.MouseButton.LeftButton)
    assert asked.args == ["Retention"]


def test_an_empty_workspace_hides_them(qtbot, jobs, workspace_url: str) -> None:  # type: ignore[no-untyped-def]
    ws = open_workspace(workspace_url, backup=False)
    try:
        section = _section(qtbot, jobs, ws)
    finally:
        ws.close()
    assert section.costs.isHidden()


def test_a_cac_saved_in_settings_shows_at_once(  # type: ignore[no-untyped-def]
    qtbot, qapp, ui_settings, tmp_path
) -> None:
    """In the application: Results ▸ Retention on screen says CAC not set for store; a CAC
    saved in Settings (the dialog's signal, the setting in the workspace) reads the
    figures again while the tab stays on screen."""
    from app.gui.application import make_controller
    from app.workspace import to_url
    from services.settings import set_settings
    from views.shell.main_window import TAB_RESULTS

    path = tmp_path / "book.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        fill_retention_book(ws.engine)
    finally:
        ws.close()
    made = make_controller(qapp, ui_settings, show_dialogs=False)
    try:
        window, jobs = made.window, made.jobs
        window.resize(1366, 768)
        window.show()
        made.open_url(to_url(str(path)))
        qtbot.waitUntil(lambda: made.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
        window.tabs.setCurrentIndex(TAB_RESULTS)
        results = window.results
        qtbot.waitUntil(lambda: bool(results.sections), timeout=TIMEOUT_MS)
        section = next(s for s in results.sections if isinstance(s, RetentionSection))
        results.tabs.setCurrentIndex(
            next(i for i in range(results.tabs.count()) if results.tabs.tabText(i) == "Retention")
        )
        results.set_period(SINCE, UNTIL)
        qtbot.waitUntil(
            lambda: (
                section.report is not None and section.report.first_day == SINCE and jobs.is_idle()
            ),
            timeout=TIMEOUT_MS,
        )
        model = section.costs.channel_model
        assert model.index(2, 2).data() == "CAC not set"  # store
        workspace = made.workspace
        assert workspace is not None
        with workspace.sessions() as session, session.begin():
            set_settings(session, {"retention.cac_by_channel": {"store": 30}}, actor="dana")
        made.settings.settings_saved.emit(["retention.cac_by_channel"])
        qtbot.waitUntil(lambda: model.index(2, 2).data() == "$30", timeout=TIMEOUT_MS)
        assert model.index(2, 4).data() == "2.0 : 1 rev."  # G: $60 against $30
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    finally:
        made.shutdown()
        made.window.close()
        made.window.deleteLater()
        made.deleteLater()
