"""A big customers table shown before all of it is read: the first screenful in the
table's default order, "…" in the cells not read yet, and the sorts, searches and filters
asked for meanwhile waiting, saying so, then applied to every row once the whole table is
read (a real workspace and window; the whole read held back until the test lets it go)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from sqlalchemy.orm import Session

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from models.schema import UsageDay
from services.usage.records import WorkspaceFeatures
from services.usage.summary import customer_usage
from services.usecases.customer_detail import load_customer_detail
from services.usecases.customers import load_customer_columns, load_customer_head
from views.customers.usage_section import READING_FEATURES
from views.customers.usage_words import adoption_words
from views.item_models.customer_filters import CustomerFilter
from views.item_models.customer_table_data import COLUMN_INDEX, CustomerTableData
from views.item_models.customer_table_model import NOT_READ, CustomerTableModel
from views.kit.formatting import utc_now
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import MainWindow

HEAD_ROWS = 20


class HeadFirstSource(WorkspaceCustomerSource):
    """A real workspace read as a million customers are at start-up: a first screenful
    first, then the whole table once ``whole_read`` is set."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.whole_read = threading.Event()
        self._head_given = False

    def load_customer_head(self):  # type: ignore[no-untyped-def]
        if self._head_given:  # at start-up only
            return None
        self._head_given = True
        return load_customer_head(self.workspace.engine, rows=HEAD_ROWS, min_customers=1)

    def load_customer_columns(self):  # type: ignore[no-untyped-def]
        assert self.whole_read.wait(30)
        return super().load_customer_columns()


@pytest.fixture
def source(workspace: Workspace) -> Iterator[HeadFirstSource]:
    source = HeadFirstSource(workspace)
    yield source
    source.whole_read.set()  # never leave the worker waiting


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings
) -> Iterator[MainWindow]:
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    yield w
    qtbot.waitUntil(jobs.is_idle, timeout=15_000)


def _expected(workspace: Workspace, query: str, sort: str, f: CustomerFilter) -> list[int]:
    """The customers, in order, that the whole table shows for this search, sort, filter."""
    model = CustomerTableModel()
    data = CustomerTableData(load_customer_columns(workspace.engine))
    data.prepare()
    model.set_table(data)
    model.set_filter(f)
    model.set_search(query)
    model.sort(COLUMN_INDEX[sort], Qt.SortOrder.AscendingOrder)
    assert not model.pending
    return model.visible_ids().tolist()


def _shown_in_part(qtbot, window: MainWindow, source: HeadFirstSource) -> None:  # type: ignore[no-untyped-def]
    pane = window.customers_pane
    window.set_source(source)
    qtbot.waitUntil(lambda: pane.model.rowCount() > 0, timeout=15_000)
    assert not pane.model.table.complete


def test_the_first_screenful_shows_every_row_in_the_default_order(
    qtbot, window: MainWindow, source: HeadFirstSource, workspace: Workspace
) -> None:
    _shown_in_part(qtbot, window, source)
    pane, model = window.customers_pane, window.customers_pane.model
    whole = CustomerTableData(load_customer_columns(workspace.engine))
    order = whole.ids[whole.permutation("revenue_at_risk", True)]
    assert model.rowCount() == whole.size == 300
    assert model.visible_ids().tolist() == order.tolist()
    name = COLUMN_INDEX["name"]
    names = [model.index(r, name).data() for r in range(model.rowCount())]
    assert (
        names[:HEAD_ROWS]
        == whole.columns["name"][whole.permutation("revenue_at_risk", True)][:HEAD_ROWS].tolist()
    )
    assert set(names[HEAD_ROWS:]) == {NOT_READ}
    # Revenue at risk is read for every row: the column the order rests on shows.
    at_risk = COLUMN_INDEX["revenue_at_risk"]
    assert NOT_READ not in [model.index(r, at_risk).data() for r in range(model.rowCount())]
    assert pane.count_label.text() == "300 customers"
    assert pane.reading_hint.isVisible()
    assert pane.reading_hint.text() == (
        "Reading all 300 customers… Sorting, search and filters apply once they are all read."
    )
    assert not pane.filter_bar.owner_combo.isEnabled()
    assert not pane.views_bar.combo.isEnabled()
    source.whole_read.set()
    qtbot.waitUntil(lambda: pane.model.table.complete, timeout=15_000)
    assert [model.index(r, name).data() for r in range(model.rowCount())] == whole.columns["name"][
        whole.permutation("revenue_at_risk", True)
    ].tolist()
    assert pane.count_label.text() == "300 customers"
    assert not pane.reading_hint.isVisible()
    assert pane.filter_bar.owner_combo.isEnabled()
    assert pane.views_bar.combo.isEnabled()


def test_the_rest_fills_the_cells_in_place(
    qtbot, window: MainWindow, source: HeadFirstSource
) -> None:
    _shown_in_part(qtbot, window, source)
    pane, model = window.customers_pane, window.customers_pane.model
    qtbot.waitUntil(lambda: pane.current_customer_id() is not None, timeout=15_000)
    assert pane.select_customer(int(model.visible_ids()[5]))
    chosen = pane.current_customer_id()
    pane.table.verticalScrollBar().setValue(3)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    source.whole_read.set()
    qtbot.waitUntil(lambda: pane.model.table.complete, timeout=15_000)
    # The same rows in the same order: the cells fill, the view keeps its place.
    assert resets == []
    assert pane.current_customer_id() == chosen
    assert pane.table.verticalScrollBar().value() == 3
    assert NOT_READ not in [model.index(r, 0).data() for r in range(model.rowCount())]


def test_a_sort_and_search_wait_for_the_whole_table_then_apply_to_every_row(
    qtbot, window: MainWindow, source: HeadFirstSource, workspace: Workspace
) -> None:
    _shown_in_part(qtbot, window, source)
    pane, model = window.customers_pane, window.customers_pane.model
    before = model.visible_ids().tolist()
    pane.table.sortByColumn(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)
    assert model.pending
    assert pane.count_label.text() == "Sorting…"
    pane.set_search_text("an")
    assert pane.count_label.text() == "Searching…"
    # Nothing partial is shown as an answer: the rows stay as they were.
    assert model.visible_ids().tolist() == before
    assert model.query == ""
    source.whole_read.set()
    qtbot.waitUntil(lambda: not model.pending and model.table.complete, timeout=15_000)
    assert model.query == "an"
    assert model.sort_column == COLUMN_INDEX["name"]
    assert model.visible_ids().tolist() == _expected(workspace, "an", "name", CustomerFilter())
    shown = model.rowCount()
    assert 0 < shown < 300
    assert pane.count_label.text() == f"{shown:,} of 300 customers"


def test_a_filter_from_elsewhere_waits_for_the_whole_table(
    qtbot, window: MainWindow, source: HeadFirstSource, workspace: Workspace
) -> None:
    _shown_in_part(qtbot, window, source)
    pane, model = window.customers_pane, window.customers_pane.model
    f = CustomerFilter(segments=frozenset({"At Risk"}))
    pane.apply_filter(f)
    assert model.pending
    assert model.rowCount() == 300  # not the first screenful's few "At Risk" rows
    assert pane.count_label.text() == "Filtering…"
    source.whole_read.set()
    qtbot.waitUntil(lambda: not model.pending and model.table.complete, timeout=15_000)
    expected = _expected(workspace, "", "name", f)
    assert sorted(model.visible_ids().tolist()) == sorted(expected)
    assert 0 < len(expected) < 300
    assert np.all(model.column_values("segment") == "At Risk")


class FeaturesHeldSource(HeadFirstSource):
    """The same, with the workspace's features (usage's slow part at a million) held back
    until ``features_read`` is set."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.features_read = threading.Event()

    def load_features_seen(self, now: dt.datetime) -> WorkspaceFeatures | None:
        assert self.features_read.wait(30)
        return super().load_features_seen(now)


def test_the_selected_customers_detail_shows_before_the_rest_of_the_table(
    qtbot, window: MainWindow, workspace: Workspace
) -> None:
    """The first screenful's first customer is selected and shown in full (header,
    orders, scores, their own usage) while the rest of the table is still being read; the
    workspace's features follow, "Reading…" meanwhile, and every figure is the one read's."""
    whole = CustomerTableData(load_customer_columns(workspace.engine))
    first = int(whole.ids[whole.permutation("revenue_at_risk", True)][0])  # the top row
    with Session(workspace.engine) as session:
        # The first customer used the product yesterday (the demo may give them none).
        yesterday = utc_now().date() - dt.timedelta(days=1)
        session.add(
            UsageDay(customer_id=first, source="w4", day=yesterday, events=2, sessions=2,
                     features={"hand_made": 1})
        )  # fmt: skip
        session.commit()
    source = FeaturesHeldSource(workspace)
    try:
        _shown_in_part(qtbot, window, source)
        pane, detail = window.customers_pane, window.detail_pane
        qtbot.waitUntil(lambda: detail.detail is not None, timeout=15_000)
        assert pane.current_customer_id() == first
        shown = detail.detail
        assert shown is not None
        expected = load_customer_detail(workspace.engine, first)
        assert (shown.id, shown.name, len(shown.orders)) == (
            first,
            expected.name,
            len(expected.orders),
        )
        assert detail.name_label.full_text() == expected.name
        assert detail.scores is not None
        assert detail.scores == source.load_customer_scores(first)
        assert not pane.model.table.complete  # the rest is still being read
        section = detail.usage_section
        usage = section.usage
        assert usage is not None
        assert usage.summary is not None
        assert usage.features_pending
        assert section.isVisible()
        assert section.adoption_label.text() == READING_FEATURES
        assert section.adoption_label.isVisible()
        assert section.figures.isVisible()
        as_of = usage.summary.as_of
        with Session(workspace.engine) as session:
            one_read = customer_usage(session, first, as_of=as_of)
        assert one_read is not None
        # The customer's own figures are already the one read's; only the features wait.
        assert dataclasses.replace(usage.summary, features_seen=one_read.features_seen) == one_read
        source.features_read.set()
        qtbot.waitUntil(lambda: not section.usage.features_pending, timeout=15_000)  # type: ignore[union-attr]
        assert section.usage is not None
        assert section.usage.summary == one_read
        assert "hand_made" in one_read.features_seen
        used = len(one_read.features_used)
        assert section.adoption_label.text() == adoption_words(used, len(one_read.features_seen))
        assert not pane.model.table.complete  # both came before the rest of the table
        source.whole_read.set()
        qtbot.waitUntil(lambda: pane.model.table.complete, timeout=15_000)
        assert pane.current_customer_id() == first
        assert detail.detail is not None
        assert detail.detail.id == first
    finally:
        source.features_read.set()
        source.whole_read.set()
