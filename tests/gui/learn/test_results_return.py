"""Results ▸ Return on the hand-made book of tests/unit/learn/test_learn_data: the section
reads the return through the job runner, its tiles and table say services.learn.roi's
figures with their currency, each opens its contacted customers, "no costs set" is said
with a button that asks for the Settings page where the costs are, and the Results pane
shows it as a tab of its own."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.gui.results_source import WorkspaceResultsSource
from app.gui.settings_controller import setting_fields
from services.learn.claims import NO_CLEAR_EFFECT
from services.learn.roi import roi_report
from services.learn.roi_wording import amount, percent
from tests.unit.alerts.test_alerts_rules import Book
from tests.unit.learn.roi_book import CLEAR, UNCLEAR, fill
from tests.unit.learn.test_cli_roi import run
from tests.unit.learn.test_learn_data import Names, book, names
from views.results.pane import ResultsPane
from views.results.return_section import COSTS_PAGE, ReturnSection

__all__ = ["book", "names"]  # fixtures used by name
TIMEOUT_MS = 60_000


def _section(qtbot, jobs, book: Book) -> ReturnSection:  # type: ignore[no-untyped-def]
    section = ReturnSection(jobs)
    qtbot.addWidget(section)
    section.resize(1366, 700)
    section.show()
    section.set_source(WorkspaceResultsSource(book.workspace))
    section.reload(None, None)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def test_the_tiles_and_table_say_the_services_figures(
    qtbot, jobs, book: Book, names: Names
) -> None:  # type: ignore[no-untyped-def]
    book.set("learn.cost_email", 2)
    book.set("learn.margin_percent", 50)
    section = _section(qtbot, jobs, book)
    report = section.report
    assert report is not None
    expected = roi_report(book.engine, by="rule", now=report.as_of)
    row = expected.overall
    assert report.overall == row
    assert section.tiles["roi"].value.full_text() == percent(row.roi)
    assert section.tiles["roi"].note.full_text() == "Not enough data yet"
    assert section.tiles["incremental"].value.full_text() == amount(expected, row.incremental_cents)
    assert section.tiles["margin"].value.full_text() == amount(expected, row.margin_cents)
    assert section.tiles["cost"].value.full_text() == "$30"  # 4 emails at $2, offers $22
    assert section.tiles["cost"].note.full_text() == "4 emails · 0 calls · 0 meetings"
    assert section.tiles["redeemed"].value.full_text() == "2"
    assert section.costs_bar.isHidden()  # a cost of contact is set
    model = section.model
    assert model.rowCount() == len(expected.breakdown) == 2
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["", "Contacted", "Incremental revenue", "Margin", "Cost", "ROI"]
    first = expected.breakdown[0]
    cells = [model.index(0, c).data(Qt.ItemDataRole.DisplayRole) for c in range(len(headers))]
    assert cells[0] == first.label
    assert cells[4] == amount(expected, first.cost.total_cents)
    assert cells[5] == "Not enough data"
    assert "ROI = (incremental margin - cost) / cost" in section.subtitle_label.text()

    with qtbot.waitSignal(section.customers_requested) as opened:
        qtbot.mouseClick(section.tiles["roi"], Qt.MouseButton.LeftButton)
    assert opened.args[0].customer_ids == frozenset(names.of("C1", "C2", "C5"))
    with qtbot.waitSignal(section.customers_requested) as opened:
        qtbot.mouseClick(section.tiles["redeemed"], Qt.MouseButton.LeftButton)
    assert opened.args[0].customer_ids == frozenset(names.of("C1", "C5"))
    rect = section.table.visualRect(model.index(0, 1))
    with qtbot.waitSignal(section.customers_requested) as opened:
        qtbot.mouseClick(section.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args[0].customer_ids == frozenset(first.contacted.customer_ids)


def test_a_breakdown_picked_reads_again(qtbot, jobs, book: Book, names: Names) -> None:  # type: ignore[no-untyped-def]
    section = _section(qtbot, jobs, book)
    section.by_combo.setCurrentIndex(section.by_combo.findData("owner"))
    qtbot.waitUntil(lambda: section.report is not None and section.report.by == "owner"
                    and jobs.is_idle(), timeout=TIMEOUT_MS)  # fmt: skip
    assert section.table_title.text() == "Return by owner"
    labels = {section.model.record(r).label for r in range(section.model.rowCount())}
    assert labels == {"Lee", "Maya"}


def test_no_costs_set_is_said_and_the_button_asks_for_their_page(
    qtbot, jobs, book: Book, names: Names
) -> None:  # type: ignore[no-untyped-def]
    book.set("learn.cost_offer_percent", 0)
    section = _section(qtbot, jobs, book)
    assert section.costs_bar.isVisible()
    assert section.no_costs_label.text().startswith("No costs set:")
    assert section.tiles["roi"].value.full_text() == "—"
    assert section.tiles["roi"].note.full_text() == "No costs set"
    assert section.tiles["cost"].value.full_text() == "$0"
    assert section.headline_label.text().startswith("No costs set:")
    assert "Settings ▸ Measuring outreach" in section.notes_label.text()
    with qtbot.waitSignal(section.settings_requested) as asked:
        qtbot.mouseClick(section.set_costs_button, Qt.MouseButton.LeftButton)
    assert asked.args == [COSTS_PAGE]
    # That page holds the costs, each in the home currency.
    on_page = {f.key: f for f in setting_fields() if f.group == COSTS_PAGE}
    assert {"learn.cost_email", "learn.cost_call", "learn.cost_meeting",
            "learn.cost_team_month", "learn.margin_percent"} <= set(on_page)  # fmt: skip


def test_the_results_pane_shows_return_as_a_tab(qtbot, jobs, book: Book, names: Names) -> None:  # type: ignore[no-untyped-def]
    pane = ResultsPane(jobs)
    qtbot.addWidget(pane)
    titles = [pane.tabs.tabText(i) for i in range(pane.tabs.count())]
    assert "Return" in titles
    assert any(isinstance(s, ReturnSection) for s in pane.sections)


def test_the_costs_are_in_settings_beside_learn_in_the_home_currency(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDoubleSpinBox, QLabel

    from app.gui.settings_controller import validate
    from views.settings.dialog import SettingsDialog

    values = {f.key: f.default for f in setting_fields()} | {"workspace.home_currency": "EUR"}
    dialog = SettingsDialog(setting_fields(), values, validate)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_group_named(COSTS_PAGE)
    assert dialog.current_group() == COSTS_PAGE
    titles = [label.text() for label in dialog.field_block("learn.cost_email").findChildren(QLabel)]
    assert "<b>Cost per email (EUR)</b>" in titles
    spin = dialog.editor("learn.cost_call")
    assert isinstance(spin, QDoubleSpinBox)
    assert spin.decimals() == 2  # cents are kept
    spin.setValue(0.35)
    assert dialog.changes() == {"learn.cost_call": pytest.approx(0.35)}


def test_costs_opens_settings_on_their_page_in_the_window(
    qtbot, qapp, ui_settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from app.gui.application import make_controller
    from app.workspace import open_workspace, to_url

    path = tmp_path / "w.radar.sqlite"
    open_workspace(to_url(str(path)), backup=False).close()
    made = make_controller(qapp, ui_settings, show_dialogs=False)
    shown: list[str] = []

    def show(dialog) -> bool:  # type: ignore[no-untyped-def]
        shown.append(dialog.current_group())
        return False  # closed without saving

    made.settings._show = show
    try:
        made.open_url(to_url(str(path)))
        qtbot.waitUntil(lambda: made.workspace is not None and made.jobs.is_idle(),
                        timeout=TIMEOUT_MS)  # fmt: skip
        section = next(s for s in made.window.results.sections if isinstance(s, ReturnSection))
        section.costs_button.click()
        qtbot.waitUntil(lambda: bool(shown), timeout=TIMEOUT_MS)
        assert shown == [COSTS_PAGE]
    finally:
        made.shutdown()
        made.window.close()
        made.window.deleteLater()
        made.deleteLater()


@pytest.mark.parametrize("data", ["unclear", "clear"])
def test_the_window_and_report_lead_the_return_with_the_same_words(
    qtbot, jobs, book: Book, data: str
) -> None:  # type: ignore[no-untyped-def]
    fill(book, **(UNCLEAR if data == "unclear" else CLEAR))
    section = _section(qtbot, jobs, book)
    headline = section.headline_label.text()
    note = section.tiles["roi"].note.full_text()
    code, out, err = run("--db", book.workspace.url, "report", "effectiveness")
    assert code == 0, err
    lines = out.splitlines()
    said = " ".join(" ".join(lines[lines.index("Return on outreach:") + 1 :]).split())
    # The window's headline ends where the report's sentence goes on with the figures.
    assert said.startswith(headline.removesuffix(".").split(": each ")[0] + ": incremental ")
    if data == "unclear":
        assert headline.startswith(f"{NO_CLEAR_EFFECT}: outreach returned +")
        assert note.startswith(f"{NO_CLEAR_EFFECT}: 95% CI ")
        incremental = section.tiles["incremental"].note.full_text()
        assert incremental.startswith(f"{NO_CLEAR_EFFECT}: 95% CI -$")
    else:
        assert headline.startswith("Outreach returned +")
        incremental = section.tiles["incremental"].note.full_text()
        assert NO_CLEAR_EFFECT not in headline + note + incremental + said


def test_a_narrow_tile_keeps_the_lead_words_of_its_interval(qtbot, jobs, book: Book) -> None:  # type: ignore[no-untyped-def]
    fill(book, **UNCLEAR)
    section = _section(qtbot, jobs, book)
    note = section.tiles["roi"].note
    assert note.full_text().startswith(f"{NO_CLEAR_EFFECT}: 95% CI ")
    # A laptop's five tiles in a row: the interval goes before the words that lead it.
    section.resize(900, 700)
    qtbot.waitUntil(lambda: note.text() != note.full_text(), timeout=TIMEOUT_MS)
    assert note.text().startswith(NO_CLEAR_EFFECT)
    assert "…" not in note.text()
    incremental = section.tiles["incremental"].note
    assert incremental.text().startswith(NO_CLEAR_EFFECT)
    assert "…" not in incremental.text()
