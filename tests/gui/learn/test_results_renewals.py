"""Results ▸ Renewals, driven as a user would, on the hand-made book of
tests/support/renewals_book.py moved to today: the verdict first, the tiles of the next
90 days, the pipeline chart, the upcoming list that opens its customer, forecast against
actual, the owner filter, and a workspace without contracts that says how to import them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from sqlalchemy import delete, update

from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace
from models.schema import Customer
from models.schema.renewals import RenewalForecast
from tests.support.renewals_book import fill_renewals_book
from views.item_models.customer_filters import CustomerFilter
from views.results.renewals import RenewalsSection
from views.results.sections import section_classes

TIMEOUT_MS = 60_000
Book = tuple[Workspace, dict[str, int], dict[str, int]]


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    ws = open_workspace(workspace_url, backup=False)
    customers, contracts = fill_renewals_book(ws.engine, dt.date.today())
    yield ws, customers, contracts
    ws.close()


def _section(qtbot, jobs, ws: Workspace) -> RenewalsSection:  # type: ignore[no-untyped-def]
    section = RenewalsSection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 700)
    section.show()
    section.set_source(WorkspaceResultsSource(ws))
    section.reload(None, None)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def test_the_section_is_listed() -> None:
    assert RenewalsSection in section_classes()


def test_tiles_chart_and_the_verdict_first(qtbot, jobs, book: Book) -> None:  # type: ignore[no-untyped-def]
    ws, customers, _k = book
    section = _section(qtbot, jobs, ws)
    # Four past renewals: the fallback, and why, in the first words shown.
    assert "too few for a model of their own" in section.verdict_label.text()
    # A B E F renew in the next 90 days: $12k + $6k + $12k + $2.4k a year; expected
    # 90% of 12k + 40% of 6k + 80% of 12k = $22.8k; A committed; B (40%) and E (called at
    # risk) at risk; H and G decided in the last three months' window or not, by date.
    assert section.tiles["up"].value.text() == "4"
    assert section.tiles["up"].note.text() == "$32k a year"
    assert section.tiles["expected"].value.text() == "$23k"
    assert section.tiles["committed"].value.text() == "1"
    assert section.tiles["at_risk"].value.text() == "2"
    assert section.chart is not None
    assert section.chart.bar_keys()  # bars drawn for the months with renewals
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        section.tiles["at_risk"].clicked.emit()
    chosen = opened.args[0]
    assert isinstance(chosen, CustomerFilter)
    assert chosen.customer_ids == frozenset({customers["B"], customers["E"]})


def test_the_upcoming_list_opens_its_customer(qtbot, jobs, book: Book) -> None:  # type: ignore[no-untyped-def]
    ws, customers, _k = book
    section = _section(qtbot, jobs, ws)
    model = section.upcoming_model
    assert model.rowCount() == 4
    assert [model.index(r, 0).data() for r in range(4)] == [
        "Customer A", "Customer B", "Customer E", "Customer F"
    ]  # fmt: skip
    assert (model.index(0, 4).data(), model.index(0, 5).data()) == ("90%", "Commit")
    assert model.index(3, 4).data() == "not forecast yet"
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        rect = section.upcoming_table.visualRect(model.index(2, 0))
        qtbot.mouseClick(section.upcoming_table.viewport(), Qt.MouseButton.LeftButton,
                         pos=rect.center())  # fmt: skip
    assert opened.args[0].customer_ids == frozenset({customers["E"]})


def test_forecast_against_actual_and_the_owner_filter(qtbot, jobs, book: Book) -> None:  # type: ignore[no-untyped-def]
    ws, customers, _k = book
    section = _section(qtbot, jobs, ws)
    actual = section.actual_model
    rows = [(actual.index(r, 0).data(), actual.index(r, 1).data(), actual.index(r, 3).data())
            for r in range(actual.rowCount())]  # fmt: skip
    assert rows == [("Model", "6", "50%"), ("Model", "3", "100%"), ("Leo", "6", "0%"),
                    ("Leo", "3", "100%"), ("Maya", "6", "50%"), ("Maya", "3", "100%")]  # fmt: skip
    combo = section.owner_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["All owners", "Leo", "Maya"]
    before = section.report
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    qtbot.waitUntil(lambda: section.report is not before and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert section.owner() == "Leo"
    assert section.upcoming_model.rowCount() == 2
    assert {u.customer_id for u in section.report.upcoming} == {customers["E"], customers["F"]}


def test_forecast_against_actual_says_why_the_model_has_no_figure(qtbot, jobs, book: Book) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    ws, _c, _k = book
    section = _section(qtbot, jobs, ws)
    assert "The model has no forecast" not in section.actual_note.text()
    with ws.engine.begin() as conn:
        conn.execute(delete(RenewalForecast))
    before = section.report
    section.reload(None, None)
    qtbot.waitUntil(lambda: section.report is not before and jobs.is_idle(), timeout=TIMEOUT_MS)
    note = section.actual_note.text()
    assert note.startswith("The model has no forecast of these past renewals")
    assert "Each forecast 6 and 3 months before" in note


def test_no_contracts_says_how_to_import(qtbot, jobs, workspace_url: str) -> None:  # type: ignore[no-untyped-def]
    ws = open_workspace(workspace_url, backup=False)
    try:
        section = _section(qtbot, jobs, ws)
        assert "No contracts in this workspace yet" in section.verdict_label.text()
        assert "File ▸ Import" in section.verdict_label.text()
        assert section.body.isHidden()
    finally:
        ws.close()


def test_red_is_a_low_likelihood_and_a_disagreement_is_said_in_words(
    qtbot, jobs, book: Book
) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    ws, _customers, _k = book
    section = _section(qtbot, jobs, ws)
    model = section.upcoming_model
    critical = QColor(section.upcoming_model._theme.critical)
    likelihood = {model.index(r, 0).data(): model.index(r, 4) for r in range(4)}
    call = {model.index(r, 0).data(): model.index(r, 5) for r in range(4)}
    # B: 40%, below 50%: red, and its tooltip says why. E: called at risk (about 35%)
    # against the model's 80%, 45 points apart (40 by default): not red, "disagrees".
    assert likelihood["Customer B"].data(Qt.ItemDataRole.ForegroundRole) == critical
    assert "below 50%" in likelihood["Customer B"].data(Qt.ItemDataRole.ToolTipRole)
    assert likelihood["Customer E"].data(Qt.ItemDataRole.ForegroundRole) is None
    assert call["Customer E"].data() == "At risk · disagrees"
    assert call["Customer E"].data(Qt.ItemDataRole.ForegroundRole) != critical
    assert call["Customer E"].data(Qt.ItemDataRole.ToolTipRole) == (
        "Called At risk (about 35% to renew); the model gives 80% to renew"
    )
    # A: commit (95%) against 90%: agreed, no mark.
    assert call["Customer A"].data() == "Commit"
    assert "“disagrees” marks an owner's call 40 points or more" in section.notes_label.text()


def test_long_names_and_drivers_have_tooltips_and_fit_at_1366(qtbot, jobs, book: Book) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    ws, customers, _k = book
    long_name = "Customer A, the Northern Hemisphere Regional Purchasing Cooperative"
    with ws.engine.begin() as conn:
        conn.execute(update(Customer).where(Customer.id == customers["A"]).values(name=long_name))
    section = _section(qtbot, jobs, ws)
    section.resize(1340, 700)
    qtbot.waitUntil(lambda: section.upcoming_table.viewport().width() > 1000)
    model, table = section.upcoming_model, section.upcoming_table
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == long_name
    for row, record in enumerate(model.rows):
        drivers = model.index(row, 6).data(Qt.ItemDataRole.ToolTipRole)
        assert drivers == ("; ".join(record.drivers) or "No drivers")
    # The name column takes what it needs up to a third of the table; the drivers the rest.
    width = table.viewport().width()
    assert 140 <= table.columnWidth(0) <= width // 3 + 1
    assert table.columnWidth(6) >= 150
    assert sum(table.columnWidth(c) for c in range(7)) <= width + 1  # no column cut off


def test_an_owner_filter_is_named_in_the_opened_list(qtbot, jobs, book: Book) -> None:  # type: ignore[no-untyped-def]
    ws, _customers, _k = book
    section = _section(qtbot, jobs, ws)
    combo = section.owner_combo
    before = section.report
    combo.setCurrentIndex(combo.findData("Leo"))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: section.report is not before and jobs.is_idle(), timeout=TIMEOUT_MS)
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        section.tiles["up"].clicked.emit()
    assert opened.args[0].title == "Renewals in the next 90 days · Owner: Leo (2)"


def test_names_are_measured_in_the_tables_font_at_150_percent(
    qtbot, qapp, jobs, book: Book
) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    """The customer column is as wide as the names in the font shown (larger text too),
    although the report arrives while the table is hidden and has no rows laid out."""
    ws, customers, _k = book
    name = "Sophia Mitchell-Henderson"
    with ws.engine.begin() as conn:
        conn.execute(update(Customer).where(Customer.id == customers["A"]).values(name=name))
    before = QFont(qapp.font())
    font = QFont(before)
    font.setPointSizeF(before.pointSizeF() * 1.5)
    qapp.setFont(font)
    try:
        section = _section(qtbot, jobs, ws)  # no resize after the report: none to redo it
        table = section.upcoming_table
        assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance(name)
    finally:
        qapp.setFont(before)
