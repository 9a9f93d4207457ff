"""The Customers tab's filters, saved views and columns, on a real scored demo workspace:
what the filters keep is checked against the loader's own columns, views and column
layouts go through a real QSettings file into a new pane."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QHeaderView, QTableView

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace, to_url
from services.usecases.customers import load_customer_columns
from views.customers import pane as customers_pane
from views.customers.columns import SORT_DOWN, SORT_UP, parse_state
from views.customers.pane import CustomersPane
from views.customers.saved_views import KEY_VIEWS, SavedView, views_from_json, views_to_json
from views.item_models.customer_filters import CustomerFilter, filter_from_json, filter_to_json
from views.item_models.customer_table_data import (
    COLUMN_INDEX,
    COLUMNS,
    SCORED_VISUAL_ORDER,
    CustomerTableData,
    Kind,
)
from views.item_models.customer_table_model import CustomerTableModel
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager, ThemeMode
from views.shell.main_window import MainWindow

AT_RISK = CustomerFilter(
    churn_risk=(0.6, 1.0),
    exclude_segments=frozenset({"Lost"}),
    title="Customers at risk: churn risk 60% or more, not counting Lost",
    sort_by="revenue_at_risk",
)


@pytest.fixture
def scored(alerts_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A private copy of the scored demo workspace (300 customers, alerts raised)."""
    target = tmp_path / "scored.radar.sqlite"
    shutil.copy(alerts_file, target)
    workspace = open_workspace(to_url(str(target)), backup=False)
    yield workspace
    workspace.close()


@pytest.fixture
def truth(scored: Workspace) -> dict[str, np.ndarray]:
    """The loader's columns, read directly: what the filters are checked against."""
    return load_customer_columns(scored.engine)


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "ui.ini"


def settings_at(path: Path) -> QSettings:
    return QSettings(str(path), QSettings.Format.IniFormat)


def make_pane(qtbot, jobs: JobRunner, settings: QSettings, **prompts: object) -> CustomersPane:
    pane = CustomersPane(jobs, settings=settings, **prompts)  # type: ignore[arg-type]
    qtbot.addWidget(pane)
    pane.resize(760, 640)
    pane.show()
    return pane


@pytest.fixture(autouse=True)
def _prepare_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pane prepares search and sort keys a moment after a table arrives: at once
    here, so that a test waits for it instead of ending while it runs."""
    monkeypatch.setattr(customers_pane, "PREPARE_DELAY_MS", 0)


def load(qtbot, pane: CustomersPane, jobs: JobRunner, workspace: Workspace) -> None:
    pane.set_source(WorkspaceCustomerSource(workspace))
    qtbot.waitUntil(
        lambda: pane.model.rowCount() > 0 and pane.model.table.prepared and jobs.is_idle(),
        timeout=15_000,
    )


def ids_where(truth: dict[str, np.ndarray], mask: np.ndarray) -> set[int]:
    return {int(i) for i in truth["id"][mask]}


def shown_ids(pane: CustomersPane) -> set[int]:
    return {int(i) for i in pane.model.visible_ids()}


def choose(combo, text: str) -> None:  # type: ignore[no-untyped-def]
    """Pick an item as the user would (the combo emits its change)."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def test_filters_narrow_the_table_as_the_data_says(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace, truth: dict[str, np.ndarray]
) -> None:
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    load(qtbot, pane, jobs, scored)
    bar = pane.filter_bar
    n = len(truth["id"])
    risk, health = truth["churn_risk"], truth["health_score"]
    segment, owner = truth["segment"], truth["owner"]
    dnc = truth["do_not_contact"]
    assert 0 < dnc.sum() < n  # the demo has a few do-not-contact customers

    choose(bar.segment_combo, "Can't Lose Them")
    expected = ids_where(truth, segment == "Can't Lose Them")
    assert 0 < len(expected) < n
    assert shown_ids(pane) == expected
    assert pane.count_label.text() == f"{len(expected)} of {n} customers"
    assert set(pane.model.column_values("segment")) == {"Can't Lose Them"}

    choose(bar.segment_combo, "All but Lost")
    assert shown_ids(pane) == ids_where(truth, segment != "Lost")

    name = str(owner[0])
    choose(bar.owner_combo, name)
    by_owner = ids_where(truth, (segment != "Lost") & (owner == name))
    assert len(by_owner) > 0
    assert shown_ids(pane) == by_owner

    choose(bar.segment_combo, "All segments")
    choose(bar.owner_combo, "All owners")
    choose(bar.risk_combo, "High risk")
    assert shown_ids(pane) == ids_where(truth, risk >= 0.6)
    choose(bar.risk_combo, "Medium risk")
    assert shown_ids(pane) == ids_where(truth, (risk >= 0.30) & (risk < 0.6))
    choose(bar.health_combo, "Poor health")
    expected = ids_where(truth, (risk >= 0.30) & (risk < 0.6) & (health < 40))
    assert shown_ids(pane) == expected

    choose(bar.risk_combo, "Any churn risk")
    choose(bar.health_combo, "Good health")
    assert shown_ids(pane) == ids_where(truth, health >= 70)
    choose(bar.health_combo, "Any health")

    choose(bar.contact_combo, "Do not contact only")
    assert shown_ids(pane) == ids_where(truth, dnc)
    choose(bar.contact_combo, "Leave out do not contact")
    assert shown_ids(pane) == ids_where(truth, ~dnc)

    # With the search: both must match.
    term = str(truth["name"][~dnc][3]).split()[0].lower()
    pane.set_search_text(term)
    qtbot.waitUntil(lambda: not pane.model.pending, timeout=10_000)
    names = np.array([str(v).lower() for v in truth["name"]])
    emails = np.array([str(v).lower() for v in truth["email"]])
    companies = np.array([str(v).lower() for v in truth["company"]])
    owners = np.array([str(v).lower() for v in truth["owner"]])
    hit = np.array(
        [
            term in f"{a}|{b}|{c}|{d}"
            for a, b, c, d in zip(names, emails, companies, owners, strict=True)
        ]
    )
    externals = np.array([term in str(v).lower() for v in truth["external_id"]])
    assert shown_ids(pane) == ids_where(truth, (hit | externals) & ~dnc)

    # Unscored only: the demo was scored whole, so no one; and a clear link back.
    pane.set_search_text("")
    bar.unscored_check.setChecked(True)
    assert shown_ids(pane) == ids_where(truth, np.isnan(risk) & ~dnc) == set()
    assert pane.message == "No customers match these filters."
    assert bar.clear_link.isVisible()
    bar.clear_link.linkActivated.emit("clear")
    assert pane.model.rowCount() == n
    assert pane.count_label.text() == f"{n} customers"
    assert not bar.clear_link.isVisible()
    assert not bar.unscored_check.isChecked()


def test_apply_filter_lists_exactly_the_customers_at_risk(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace, truth: dict[str, np.ndarray]
) -> None:
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    load(qtbot, pane, jobs, scored)
    pane.set_search_text("a")  # a search left over from before: cleared by the filter
    qtbot.waitUntil(lambda: not pane.model.pending, timeout=10_000)
    pane.table.sortByColumn(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: not pane.model.pending, timeout=10_000)

    selected: list[int] = []
    pane.customer_selected.connect(selected.append)
    pane.apply_filter(AT_RISK)
    qtbot.waitUntil(lambda: not pane.model.pending, timeout=10_000)

    risk = truth["churn_risk"]
    expected = ids_where(truth, (risk >= 0.6) & (truth["segment"] != "Lost"))
    assert 0 < len(expected) < len(risk)
    assert shown_ids(pane) == expected
    assert pane.search_box.text() == ""
    # Sorted by revenue at risk, biggest first, and the first row selected.
    assert pane.model.sort_column == COLUMN_INDEX["revenue_at_risk"]
    at_risk = pane.model.column_values("revenue_at_risk")
    assert list(at_risk) == sorted(at_risk, reverse=True)
    first = pane.model.customer_id(0)
    assert pane.current_customer_id() == first
    assert selected[-1] == first
    assert pane.table.selectionModel().isRowSelected(0)
    # The controls say it, and the title above the table says what the list is.
    assert pane.filter_bar.risk_combo.currentText() == "High risk"
    assert pane.filter_bar.segment_combo.currentText() == "All but Lost"
    assert pane.filter_title.isVisible()
    assert AT_RISK.title in pane.filter_title.text()
    assert pane.count_label.text() == f"{len(expected)} of {len(risk)} customers"

    # A histogram bar's range (not a band of the menu) gets an item of its own.
    pane.apply_filter(CustomerFilter(churn_risk=(0.2, 0.30000000000000004), title="20-30%"))
    assert shown_ids(pane) == ids_where(truth, (risk >= 0.2) & (risk < 0.30000000000000004))
    assert pane.filter_bar.risk_combo.currentText() == "Churn risk 20% to 30%"

    # "Clear" goes back to every customer.
    pane.filter_title.linkActivated.emit("clear")
    assert pane.model.rowCount() == len(risk)
    assert not pane.filter_title.isVisible()
    assert pane.current_filter().is_empty


def test_ranges_are_half_open_with_the_top_included(qapp: QApplication) -> None:
    risk = np.array([0.0, 0.2, 0.6, 0.7, 1.0, np.nan])
    health = np.array([0.0, 40.0, 69.9, 70.0, 100.0, np.nan])
    columns: dict[str, object] = {"id": np.arange(6, dtype=np.int64)}
    for col in COLUMNS:
        if col.kind is Kind.TEXT:
            columns[col.key] = np.full(6, None, dtype=object)
        elif col.kind is Kind.DATE:
            columns[col.key] = np.full(6, "NaT", dtype="datetime64[ns]")
        else:
            columns[col.key] = np.zeros(6)
    columns.update(
        churn_risk=risk,
        health_score=health,
        engagement_score=health,
        revenue_at_risk=risk,
        clv_12m=risk,
        predicted_orders=risk,
        segment=np.array(["Lost", None, "Loyal", "Lost", "Loyal", None], dtype=object),
        confidence=np.full(6, "high", dtype=object),
        owner=np.array(["Ann", "", None, "Bo", "Ann", "Bo"], dtype=object),
        do_not_contact=np.array([True, False, False, True, False, False]),
    )
    data = CustomerTableData(columns)

    def kept(f: CustomerFilter) -> list[int]:
        mask = data.filter_mask(f)
        assert mask is not None
        return np.flatnonzero(mask).tolist()

    assert data.filter_mask(CustomerFilter(title="x", sort_by="churn_risk")) is None
    assert kept(CustomerFilter(churn_risk=(0.6, 0.7))) == [2]
    assert kept(CustomerFilter(churn_risk=(0.7, 1.0))) == [3, 4]  # 1.0 included
    assert kept(CustomerFilter(churn_risk=(0.0, 0.6))) == [0, 1]
    assert kept(CustomerFilter(health=(40, 70))) == [1, 2]
    assert kept(CustomerFilter(health=(70, 100))) == [3, 4]
    assert kept(CustomerFilter(engagement=(0, 40))) == [0]
    assert kept(CustomerFilter(exclude_segments=frozenset({"Lost"}))) == [1, 2, 4, 5]
    assert kept(CustomerFilter(segments=frozenset({"Lost", "Loyal"}))) == [0, 2, 3, 4]
    assert kept(CustomerFilter(owner="Ann")) == [0, 4]
    assert kept(CustomerFilter(owner="")) == [1, 2]  # no owner: empty or missing
    assert kept(CustomerFilter(unscored=True)) == [5]
    assert kept(CustomerFilter(do_not_contact=True)) == [0, 3]
    assert kept(CustomerFilter(do_not_contact=False, churn_risk=(0.6, 1.0))) == [2, 4]
    assert data.choices("owner") == ("Ann", "Bo", "")
    assert data.choices("segment") == ("Loyal", "Lost", "")


def test_filters_and_views_round_trip_through_json() -> None:
    view = SavedView("Mine", AT_RISK.conditions, "acme", "revenue_at_risk", True)
    assert views_from_json(views_to_json([view])) == [view]
    assert filter_from_json(filter_to_json(AT_RISK)) == AT_RISK
    # Damaged values are skipped, never raised.
    assert views_from_json("{not json") == []
    assert views_from_json(json.dumps({"views": [{"name": 3}, "x", {"name": "ok"}]})) == [
        SavedView("ok")
    ]
    assert filter_from_json({"churn_risk": ["a", 1], "owner": 5, "unscored": "yes"}) == (
        CustomerFilter()
    )


def test_saved_window_state_nested_too_deeply_is_ignored_not_raised() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert views_from_json(deep) == []
    assert parse_state(QByteArray(deep.encode("utf-8"))) is None


def test_model_with_a_filter_passes_the_model_tester(
    qtmodeltester, truth: dict[str, np.ndarray]
) -> None:
    data = CustomerTableData(truth)
    data.prepare()
    model = CustomerTableModel()
    model.set_table(data)
    model.set_filter(AT_RISK)
    assert 0 < model.rowCount() < model.total_count
    qtmodeltester.check(model, force_py=False)
    model.set_search("a")
    model.sort(COLUMN_INDEX["revenue"], Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=False)


def test_a_saved_view_comes_back_in_a_new_pane(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace, truth: dict[str, np.ndarray]
) -> None:
    names = iter(["Priya's lapsing", None])
    first = make_pane(qtbot, jobs, settings_at(settings_path), ask_view_name=lambda _s: next(names))
    load(qtbot, first, jobs, scored)
    bar = first.filter_bar
    choose(bar.risk_combo, "High risk")
    choose(bar.contact_combo, "Leave out do not contact")
    first.set_search_text("e")
    qtbot.waitUntil(lambda: not first.model.pending, timeout=10_000)
    first.table.sortByColumn(COLUMN_INDEX["days_since_last_order"], Qt.SortOrder.DescendingOrder)
    expected = shown_ids(first)
    combo = first.views_bar.combo
    assert combo.currentIndex() == -1
    assert combo.placeholderText() == "Unsaved view"
    first.views_bar.button.click()  # Save view… (the prompt answers)
    assert first.views_bar.combo.currentText() == "Priya's lapsing"
    first.views_bar.save_current()  # cancelled: nothing changes
    assert [v.name for v in first.views_bar.views] == ["Priya's lapsing"]

    # Stored as JSON, by column key.
    stored = json.loads(str(settings_at(settings_path).value(KEY_VIEWS)))
    assert stored["views"][0]["sort"] == {"key": "days_since_last_order", "descending": True}

    confirmations: list[str] = []
    second = make_pane(
        qtbot,
        jobs,
        settings_at(settings_path),
        confirm=lambda q: confirmations.append(q) or len(confirmations) > 1,
    )
    load(qtbot, second, jobs, scored)
    combo = second.views_bar.combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["All customers", "Priya's lapsing"]
    assert second.model.rowCount() == len(truth["id"])
    combo.setCurrentIndex(1)
    combo.activated.emit(1)  # what a pick in the list emits
    qtbot.waitUntil(lambda: not second.model.pending, timeout=10_000)
    assert shown_ids(second) == expected
    assert second.search_box.text() == "e"
    assert second.filter_bar.risk_combo.currentText() == "High risk"
    assert second.model.sort_column == COLUMN_INDEX["days_since_last_order"]
    assert second.model.sort_order == Qt.SortOrder.DescendingOrder
    assert second.current_customer_id() == second.model.customer_id(0)
    # Changing a filter leaves the view: the combo says so.
    choose(second.filter_bar.health_combo, "Poor health")
    assert combo.currentIndex() == -1
    choose(second.filter_bar.health_combo, "Any health")
    assert combo.currentText() == "Priya's lapsing"

    # Deleting asks first; "no" keeps the view.
    second.views_bar.delete_action.trigger()
    assert second.views_bar.views
    assert len(confirmations) == 1
    assert "Priya's lapsing" in confirmations[0]
    second.views_bar.delete_action.trigger()
    assert second.views_bar.views == []
    assert views_from_json(settings_at(settings_path).value(KEY_VIEWS)) == []
    # "All customers" brings everyone back.
    combo.activated.emit(0)
    assert second.model.rowCount() == len(truth["id"])


def test_a_view_naming_unknown_owners_and_segments_is_harmless(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace
) -> None:
    settings = settings_at(settings_path)
    ghost = SavedView(
        "Old book",
        CustomerFilter(owner="Left The Company", segments=frozenset({"Sleepers"})),
        sort_key="no_such_column",
    )
    settings.setValue(KEY_VIEWS, views_to_json([ghost]))
    pane = make_pane(qtbot, jobs, settings)
    load(qtbot, pane, jobs, scored)
    sort = pane.model.sort_column
    pane.views_bar.combo.activated.emit(1)
    assert pane.model.rowCount() == 0
    assert pane.message == "No customers match these filters."
    assert pane.filter_bar.owner_combo.currentText() == "Left The Company (no customers)"
    assert pane.filter_bar.segment_combo.currentText() == "Sleepers"
    assert pane.model.sort_column == sort
    pane.filter_bar.clear_link.linkActivated.emit("clear")
    assert pane.model.rowCount() == 300


# -- columns ------------------------------------------------------------------------------


def visual_keys(pane: CustomersPane) -> list[str]:
    return pane.columns.visual_keys()


def test_column_chooser_hides_shows_and_remembers(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace
) -> None:
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    load(qtbot, pane, jobs, scored)
    menu = pane.columns.column_menu()
    actions = {a.data(): a for a in menu.actions() if a.data()}
    assert list(actions) == list(SCORED_VISUAL_ORDER)
    assert not actions["name"].isEnabled()
    assert actions["name"].isChecked()
    header = pane.table.horizontalHeader()
    actions["email"].trigger()
    actions["tier"].trigger()
    assert header.isSectionHidden(COLUMN_INDEX["email"])
    assert header.isSectionHidden(COLUMN_INDEX["tier"])
    actions["tier"].trigger()
    assert not header.isSectionHidden(COLUMN_INDEX["tier"])
    assert header.sectionSize(COLUMN_INDEX["tier"]) >= pane.columns.floor(COLUMN_INDEX["tier"])
    # Name cannot be hidden, even asked directly.
    pane.columns.set_column_visible("name", False)
    assert not header.isSectionHidden(COLUMN_INDEX["name"])
    # Filtering and searching (model resets) keep the layout.
    header.resizeSection(COLUMN_INDEX["owner"], 150)
    order = visual_keys(pane)
    choose(pane.filter_bar.risk_combo, "High risk")
    pane.set_search_text("a")
    qtbot.waitUntil(lambda: not pane.model.pending, timeout=10_000)
    assert header.isSectionHidden(COLUMN_INDEX["email"])
    assert header.sectionSize(COLUMN_INDEX["owner"]) == 150
    assert visual_keys(pane) == order
    state = pane.header_state()

    second = make_pane(qtbot, jobs, settings_at(settings_path))
    second.restore_header_state(state)
    load(qtbot, second, jobs, scored)
    header = second.table.horizontalHeader()
    assert header.isSectionHidden(COLUMN_INDEX["email"])
    assert not header.isSectionHidden(COLUMN_INDEX["tier"])
    menu = second.columns.column_menu()
    email = next(a for a in menu.actions() if a.data() == "email")
    assert not email.isChecked()
    email.trigger()
    assert not header.isSectionHidden(COLUMN_INDEX["email"])


def test_widths_set_at_larger_text_come_back_scaled_at_100_percent(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace
) -> None:
    # The bug: columns widened at 150 % text stayed as wide at 100 % and pushed Stage
    # off the screen.
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    load(qtbot, pane, jobs, scored)
    pane.table.horizontalHeader().resizeSection(COLUMN_INDEX["owner"], 240)
    saved = json.loads(bytes(pane.header_state().data()).decode())
    assert saved["widths"]["owner"] == 240
    assert saved["text_scale"] == 1.0  # the offscreen platform's 100 %
    saved["text_scale"] = 1.5  # as if set at 150 % text

    second = make_pane(qtbot, jobs, settings_at(settings_path))
    second.restore_header_state(QByteArray(json.dumps(saved).encode()))
    load(qtbot, second, jobs, scored)
    assert second.table.horizontalHeader().sectionSize(COLUMN_INDEX["owner"]) == 160
    # Saved before the state said its text size: the widths as they were.
    del saved["text_scale"]
    third = make_pane(qtbot, jobs, settings_at(settings_path))
    third.restore_header_state(QByteArray(json.dumps(saved).encode()))
    load(qtbot, third, jobs, scored)
    assert third.table.horizontalHeader().sectionSize(COLUMN_INDEX["owner"]) == 240


def qt_binary_state() -> QByteArray:
    """A header state as the previous version saved it: Qt's own, for 13 columns with
    some moved."""
    view = QTableView()
    model = CustomerTableModel()
    view.setModel(model)
    view.horizontalHeader().moveSection(5, 0)
    view.horizontalHeader().resizeSection(3, 12)
    return view.horizontalHeader().saveState()


@pytest.mark.parametrize(
    "state",
    [
        pytest.param(qt_binary_state, id="qt-binary"),
        pytest.param(lambda: QByteArray(b"\x00\xff garbage"), id="garbage"),
        pytest.param(
            lambda: QByteArray(
                json.dumps(
                    {"version": 1, "order": ["nonsense", 7], "widths": {"name": "wide"}}
                ).encode()
            ),
            id="json-without-known-keys",
        ),
        pytest.param(lambda: QByteArray(b'{"version": 99}'), id="future-version"),
    ],
)
def test_an_old_or_damaged_header_state_gives_the_default_columns(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace, state
) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    pane.restore_header_state(state())
    load(qtbot, pane, jobs, scored)
    assert visual_keys(pane) == list(SCORED_VISUAL_ORDER)
    header = pane.table.horizontalHeader()
    for column in range(header.count()):
        assert not header.isSectionHidden(column)
        assert header.sectionSize(column) >= pane.columns.title_width(
            pane.model.shown_columns[column].key
        )


def test_a_layout_saved_when_scored_comes_back_in_place_after_a_restart(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace
) -> None:
    # The bug: restored onto the 13 columns of the empty table at start-up, a scored
    # layout sent Churn risk and At risk to the far right and cut "Days quiet".
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    load(qtbot, pane, jobs, scored)
    header = pane.table.horizontalHeader()
    header.moveSection(header.visualIndex(COLUMN_INDEX["segment"]), 2)  # segment by owner
    header.resizeSection(COLUMN_INDEX["days_since_last_order"], 20)  # too narrow: floored
    header.resizeSection(COLUMN_INDEX["owner"], 140)
    order = visual_keys(pane)
    assert order[:4] == ["name", "owner", "segment", "churn_risk"]
    state = pane.header_state()

    second = make_pane(qtbot, jobs, settings_at(settings_path))
    second.restore_header_state(state)  # before any table: 13 columns
    assert second.model.columnCount() == len(COLUMNS)
    assert visual_keys(second)[0] == "name"
    load(qtbot, second, jobs, scored)
    assert visual_keys(second) == order
    header = second.table.horizontalHeader()
    assert header.sectionSize(COLUMN_INDEX["owner"]) == 140
    days = COLUMN_INDEX["days_since_last_order"]
    assert header.sectionSize(days) >= second.columns.title_width("days_since_last_order")
    # Name stays first even when the user drags another column before it.
    header.moveSection(header.visualIndex(COLUMN_INDEX["revenue"]), 0)
    assert header.visualIndex(COLUMN_INDEX["name"]) == 0
    assert visual_keys(second)[1] == "revenue"


def test_the_name_column_stays_in_view_when_scrolling_sideways(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace
) -> None:
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    pane.resize(620, 600)
    load(qtbot, pane, jobs, scored)
    table, frozen = pane.table, pane.columns.frozen
    bar = table.horizontalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: table.horizontalHeader().offset() > 0)
    # The table's own Name column scrolled away; what shows at x=0 of the viewport is the
    # frozen view, with the same customer names on the same rows.
    name = COLUMN_INDEX["name"]
    assert table.columnViewportPosition(name) < 0
    row_y = table.rowViewportPosition(2) + table.rowHeight(2) // 2
    at_left = table.viewport().mapTo(table, QPoint(4, row_y))
    assert table.childAt(at_left) is frozen.viewport()
    assert frozen.isVisible()
    assert frozen.geometry().left() <= table.viewport().geometry().left()
    assert frozen.columnWidth(name) == table.columnWidth(name)
    cell = frozen.indexAt(frozen.viewport().mapFrom(table, at_left))
    assert cell.column() == name
    assert cell.row() == 2
    assert cell.data() == pane.model.index(2, name).data()
    # One selection: picking a row in the frozen column selects it in the table.
    target = pane.model.customer_id(2)
    qtbot.mouseClick(
        frozen.viewport(), Qt.MouseButton.LeftButton, pos=frozen.visualRect(cell).center()
    )
    assert pane.current_customer_id() == target
    assert table.selectionModel().isRowSelected(2)
    assert bar.value() == bar.maximum()  # and the table did not jump back left
    # Scrolling down moves both.
    table.verticalScrollBar().setValue(40)
    assert frozen.verticalScrollBar().value() == 40
    # Name resized from the frozen header: the table's column and the cover follow.
    frozen.horizontalHeader().resizeSection(name, 190)
    assert table.columnWidth(name) == 190
    assert frozen.width() >= 190
    assert pane.columns.state().contains(b'"name": 190')
    # A click on the frozen title sorts the table by name.
    title = QPoint(20, frozen.horizontalHeader().height() // 2)
    qtbot.mouseClick(frozen.horizontalHeader().viewport(), Qt.MouseButton.LeftButton, pos=title)
    qtbot.waitUntil(lambda: not pane.model.pending, timeout=10_000)
    assert pane.model.sort_column == name
    names = [str(n).casefold() for n in pane.model.column_values("name")]
    assert names == sorted(names) or names == sorted(names, reverse=True)


def test_no_header_text_or_number_is_cut_at_1280(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace, qapp: QApplication
) -> None:
    theme = ThemeManager(qapp, ThemeMode.LIGHT)
    window = MainWindow(jobs, theme, settings_at(settings_path))
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.width() == 1280)
    pane = window.customers_pane
    load(qtbot, pane, jobs, scored)
    header: QHeaderView = pane.table.horizontalHeader()
    bold = QFont(header.font())
    bold.setWeight(QFont.Weight.DemiBold)
    head = QFontMetrics(bold)
    cell = QFontMetrics(pane.table.font())
    padding = 12  # the style sheet's 6 px each side, for titles and cells

    def check() -> None:
        for column, col in enumerate(pane.model.shown_columns):
            title = col.title + max(SORT_DOWN, SORT_UP, key=head.horizontalAdvance)
            assert header.sectionSize(column) >= head.horizontalAdvance(title) + padding, col.key
            if col.numeric:
                texts = [
                    str(pane.model.index(r, column).data()) for r in range(pane.model.rowCount())
                ]
                widest = max(cell.horizontalAdvance(t) for t in texts)
                assert header.sectionSize(column) >= widest + padding, col.key

    check()
    # The churn columns are in view beside the detail pane.
    right = header.sectionViewportPosition(COLUMN_INDEX["segment"]) + header.sectionSize(
        COLUMN_INDEX["segment"]
    )
    assert right <= pane.table.viewport().width()
    # A click on a title sorts (the arrow is drawn by the header, in its own room).
    health = COLUMN_INDEX["health_score"]
    point = QPoint(header.sectionViewportPosition(health) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert pane.model.sort_column == health
    check()
    qtbot.waitUntil(jobs.is_idle, timeout=15_000)
    theme.deleteLater()


def test_a_lifted_do_not_contact_mark_leaves_the_filtered_list_at_once(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace, truth: dict[str, np.ndarray]
) -> None:
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    load(qtbot, pane, jobs, scored)
    choose(pane.filter_bar.contact_combo, "Do not contact only")
    marked = ids_where(truth, truth["do_not_contact"])
    assert shown_ids(pane) == marked
    lifted = sorted(marked)[0]
    pane.set_do_not_contact_mark(lifted, False)
    assert shown_ids(pane) == marked - {lifted}
    assert pane.count_label.text() == f"{len(marked) - 1} of {len(truth['id'])} customers"


def test_columns_a_saved_state_leaves_unsized_are_fitted_to_the_data(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace
) -> None:
    state = QByteArray(json.dumps({"version": 1, "order": [], "widths": {"name": 222}}).encode())
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    pane.restore_header_state(state)
    load(qtbot, pane, jobs, scored)
    header = pane.table.horizontalHeader()
    assert header.sectionSize(COLUMN_INDEX["name"]) == 222
    email = COLUMN_INDEX["email"]
    cell = QFontMetrics(pane.table.font())
    widest = max(cell.horizontalAdvance(str(t)) for t in pane.model.column_values("email")[:60])
    assert header.sectionSize(email) >= min(widest, 200)


def test_score_filters_wait_for_scores(
    qtbot, jobs: JobRunner, settings_path: Path, demo_workspace: Workspace
) -> None:
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    load(qtbot, pane, jobs, demo_workspace)  # never scored
    bar = pane.filter_bar
    assert not bar.risk_combo.isEnabled()
    assert not bar.segment_combo.isEnabled()
    assert "Not scored yet" in bar.health_combo.toolTip()
    assert bar.owner_combo.isEnabled()
    # Unscored only: every customer; the dashboard's filter lists no one, and says so.
    bar.unscored_check.setChecked(True)
    assert pane.model.rowCount() == 300
    assert pane.count_label.text() == "300 of 300 customers"
    pane.apply_filter(AT_RISK)
    assert pane.model.rowCount() == 0
    assert pane.message == "No customers match these filters."
    assert bar.risk_combo.currentText() == "High risk"
    assert bar.risk_combo.isEnabled()  # so that it can be set back


def test_a_filter_applied_while_the_table_loads_waits_for_it(
    qtbot, jobs: JobRunner, settings_path: Path, scored: Workspace, truth: dict[str, np.ndarray]
) -> None:
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    pane.set_source(WorkspaceCustomerSource(scored))
    assert pane.loading
    pane.apply_filter(AT_RISK)  # the dashboard may be quicker than the table
    qtbot.waitUntil(
        lambda: pane.model.rowCount() > 0 and pane.model.table.prepared and jobs.is_idle(),
        timeout=15_000,
    )
    risk = truth["churn_risk"]
    assert shown_ids(pane) == ids_where(truth, (risk >= 0.6) & (truth["segment"] != "Lost"))
    assert pane.model.sort_column == COLUMN_INDEX["revenue_at_risk"]
    assert pane.current_customer_id() == pane.model.customer_id(0)
    assert pane.filter_title.isVisible()
