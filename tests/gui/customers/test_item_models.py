"""The Qt item models over real demo data: model tester, sorting, search."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from services.usecases.customer_detail import load_customer_detail
from views.item_models.customer_table_data import COLUMN_INDEX, COLUMNS, CustomerTableData
from views.item_models.customer_table_model import CustomerIdRole, CustomerTableModel
from views.item_models.opportunity_table_model import OpportunityTableModel
from views.item_models.timeline_model import EventRole, TimelineModel

ASC = Qt.SortOrder.AscendingOrder
DESC = Qt.SortOrder.DescendingOrder


@pytest.fixture
def model(qapp: object, demo_frame: pd.DataFrame) -> CustomerTableModel:
    """A model over prepared data (the pane prepares text keys and index on a worker)."""
    data = CustomerTableData(demo_frame)
    data.prepare()
    m = CustomerTableModel()
    m.set_table(data)
    return m


def test_unprepared_sort_and_search_wait_instead_of_computing(
    qtbot, demo_frame: pd.DataFrame
) -> None:
    data = CustomerTableData(demo_frame)
    m = CustomerTableModel()
    m.set_table(data)
    before = m.visible_ids().tolist()
    # Numbers sort at once: only an argsort.
    m.sort(COLUMN_INDEX["orders"], ASC)
    assert not m.pending
    assert m.sort_column == COLUMN_INDEX["orders"]
    by_orders = m.visible_ids().tolist()
    assert by_orders != before
    # Text would need ranking: nothing is computed on this (the UI) thread.
    with qtbot.waitSignal(m.preparation_needed):
        m.sort(COLUMN_INDEX["name"], ASC)
    query = str(demo_frame.iloc[5]["name"]).split()[-1].lower()
    with qtbot.waitSignal(m.preparation_needed):
        m.set_search(query)
    assert m.pending
    assert m.pending_keys() == (["name"], True)
    assert not data.sort_key_ready("name")
    assert not data.search_ready
    assert m.visible_ids().tolist() == by_orders
    assert m.query == ""
    # The worker's part, then the waiting requests apply.
    data.prepare_for(*m.pending_keys())
    m.apply_pending()
    assert not m.pending
    assert m.sort_column == COLUMN_INDEX["name"]
    assert m.query == query
    names = [str(n).casefold() for n in m.column_values("name")]
    assert names == sorted(names)
    assert 0 < m.rowCount() < 300


def test_customer_model_passes_the_model_tester(qtmodeltester, model: CustomerTableModel) -> None:
    assert model.rowCount() == 300
    qtmodeltester.check(model, force_py=False)
    model.sort(COLUMN_INDEX["name"], ASC)
    model.set_search("a")
    qtmodeltester.check(model, force_py=False)


def test_empty_customer_model_passes_the_model_tester(qtmodeltester, qapp: object) -> None:
    qtmodeltester.check(CustomerTableModel(), force_py=False)


def test_timeline_and_opportunity_models_pass_the_model_tester(
    qtmodeltester, demo_workspace, demo_frame: pd.DataFrame
) -> None:
    # The customer with the most open opportunities has them all, and a long history.
    row = demo_frame.sort_values(["open_opportunities", "orders"], ascending=False).iloc[0]
    detail = load_customer_detail(demo_workspace.engine, int(row["id"]))
    assert detail.open_opportunities
    assert detail.timeline

    timeline = TimelineModel()
    timeline.set_events(detail.timeline)
    qtmodeltester.check(timeline, force_py=False)
    assert timeline.rowCount() == len(detail.timeline)
    assert timeline.index(0).data(EventRole) == detail.timeline[0]

    opportunities = OpportunityTableModel()
    opportunities.set_opportunities(detail.open_opportunities)
    qtmodeltester.check(opportunities, force_py=False)
    assert opportunities.rowCount() == len(detail.open_opportunities)


def test_data_checks_the_role_and_formats_values(model: CustomerTableModel) -> None:
    model.sort(COLUMN_INDEX["revenue"], DESC)
    top = model.index(0, COLUMN_INDEX["revenue"])
    revenue = model.column_values("revenue")[0]
    assert top.data() == f"${revenue:,.2f}"
    assert top.data(Qt.ItemDataRole.TextAlignmentRole) == (
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    name = model.index(0, COLUMN_INDEX["name"])
    assert name.data(Qt.ItemDataRole.TextAlignmentRole) == (
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )
    assert name.data(Qt.ItemDataRole.DecorationRole) is None
    assert name.data(Qt.ItemDataRole.EditRole) is None
    assert isinstance(name.data(CustomerIdRole), int)
    last = model.index(0, COLUMN_INDEX["last_order"]).data()
    assert last is not None
    assert "," in last


def _keys_in_order(model: CustomerTableModel, key: str) -> list[object]:
    values = model.column_values(key)
    if values.dtype == object:
        return [v.casefold() if isinstance(v, str) and v else None for v in values]
    if values.dtype.kind == "M":
        return [None if np.isnat(v) else v for v in values]
    return [None if np.isnan(v) else v for v in values]


@pytest.mark.parametrize(
    "key", ["name", "owner", "revenue", "orders", "last_order", "days_since_last_order", "tier"]
)
@pytest.mark.parametrize("order", [ASC, DESC])
def test_sorting_orders_rows_by_the_column(
    model: CustomerTableModel, key: str, order: Qt.SortOrder
) -> None:
    model.sort(COLUMN_INDEX[key], order)
    keys = _keys_in_order(model, key)
    present = [k for k in keys if k is not None]
    missing = len(keys) - len(present)
    assert present == sorted(present, reverse=order == DESC)  # type: ignore[type-var]
    # Missing values (never ordered, no owner) go last in both directions.
    assert all(k is None for k in keys[len(present) :])
    assert missing == sum(k is None for k in keys)
    assert model.rowCount() == 300
    assert sorted(model.visible_ids().tolist()) == sorted(model.table.ids.tolist())


def test_sort_ties_keep_the_previous_database_order(model: CustomerTableModel) -> None:
    model.sort(COLUMN_INDEX["tier"], ASC)
    tiers = model.column_values("tier")
    ids = model.visible_ids()
    for tier in set(tiers.tolist()):
        block = ids[tiers == tier]
        assert block.tolist() == sorted(block.tolist())


def test_sort_keeps_the_selected_row_through_persistent_indexes(
    model: CustomerTableModel,
) -> None:
    index = model.index(5, 0)
    customer_id = index.data(CustomerIdRole)
    persistent = QPersistentModelIndex(index)
    model.sort(COLUMN_INDEX["revenue"], DESC)
    assert persistent.isValid()
    assert persistent.data(CustomerIdRole) == customer_id
    assert persistent.row() == model.row_of_customer(customer_id)


def test_search_narrows_rows_to_exact_matches(model: CustomerTableModel, demo_frame) -> None:
    some = demo_frame.iloc[42]
    needle = some["email"].split("@")[0].upper()  # case-insensitive
    model.set_search(needle)
    fields = demo_frame[["name", "email", "company", "owner"]].fillna("")
    hay = fields.apply(lambda r: "\x1f".join(r).lower(), axis=1)
    expected = set(demo_frame.loc[hay.str.contains(needle.lower(), regex=False), "id"])
    assert set(model.visible_ids().tolist()) == expected
    assert int(some["id"]) in expected
    assert model.rowCount() == len(expected) < 300


def test_search_words_must_all_match_in_any_field(model: CustomerTableModel, demo_frame) -> None:
    owner = demo_frame["owner"].iloc[0]
    first = owner.split()[0].lower()
    model.set_search(f"  {first}   example.org ")
    expected = demo_frame[
        demo_frame["owner"].str.lower().str.contains(first, regex=False)
        | demo_frame["name"].str.lower().str.contains(first, regex=False)
        | demo_frame["company"].fillna("").str.lower().str.contains(first, regex=False)
        | demo_frame["email"].str.lower().str.contains(first, regex=False)
    ]
    expected = expected[expected["email"].str.endswith("example.org")]
    assert sorted(model.visible_ids().tolist()) == sorted(expected["id"].tolist())
    assert 0 < model.rowCount() < 300


def test_search_then_sort_keeps_the_filter(model: CustomerTableModel) -> None:
    model.set_search("maya")
    ids = set(model.visible_ids().tolist())
    model.sort(COLUMN_INDEX["orders"], DESC)
    assert set(model.visible_ids().tolist()) == ids
    orders = model.column_values("orders")
    assert list(orders) == sorted(orders, reverse=True)
    model.set_search("")
    assert model.rowCount() == 300
    model.set_search("no such customer anywhere")
    assert model.rowCount() == 0


def test_every_column_has_a_header(model: CustomerTableModel) -> None:
    titles = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(len(COLUMNS))]
    assert titles == [c.title for c in COLUMNS]
    assert model.headerData(0, Qt.Orientation.Vertical) is None


def test_search_finds_a_customer_by_the_id_of_the_source_system(
    qapp: object, demo_frame: pd.DataFrame
) -> None:
    columns = {name: demo_frame[name].to_numpy() for name in demo_frame.columns}
    external = np.array([f"HS-{9000 + i}" for i in range(len(demo_frame))], dtype=object)
    external[3] = None  # a customer with no source id
    columns["external_id"] = external
    data = CustomerTableData(columns)
    data.prepare()
    m = CustomerTableModel()
    m.set_table(data)
    m.set_search("hs-9042")
    assert m.visible_ids().tolist() == [int(demo_frame.iloc[42]["id"])]
    m.set_search("HS-90")  # a prefix: every id from HS-9000 to HS-9099 but the missing one
    assert m.rowCount() == min(100, len(demo_frame)) - 1
    # Without the ids (an older loader), the search still works on the other fields.
    plain = CustomerTableData(demo_frame)
    plain.prepare()
    m.set_table(plain)
    m.set_search("hs-9042")
    assert m.rowCount() == 0


def test_row_of_id_finds_every_row_whatever_the_order_of_ids(demo_frame: pd.DataFrame) -> None:
    # The ids in a shuffled order (a binary search over their argsort, not a dict).
    shuffled = demo_frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
    data = CustomerTableData(shuffled)
    ids = data.ids.tolist()
    assert [data.row_of_id(i) for i in ids] == list(range(len(ids)))
    assert data.row_of_id(max(ids) + 1) is None
    assert data.row_of_id(min(ids) - 1) is None


def test_widest_texts_are_those_of_the_largest_values_even_with_few_distinct_ones(
    demo_frame: pd.DataFrame,
) -> None:
    # A column of mostly zeros with four distinct values (open tickets), and one with a
    # missing value and a refund: the texts a column must fit are its largest numbers.
    columns = {name: demo_frame[name].to_numpy() for name in demo_frame.columns}
    n = len(demo_frame)
    tickets = np.zeros(n, dtype=np.int64)
    tickets[[5, 9]] = 2
    tickets[7] = 12
    tickets[11] = 1
    columns["open_tickets"] = tickets
    revenue = np.linspace(1.0, 500.0, n)
    revenue[0] = np.nan
    revenue[1] = -1234.5
    columns["revenue"] = revenue
    data = CustomerTableData(columns)
    tickets_col = COLUMNS[COLUMN_INDEX["open_tickets"]]
    texts = data.widest_texts(tickets_col)
    assert texts[0] == data.display(tickets_col, 12)
    assert set(texts) == {data.display(tickets_col, v) for v in (12, 2, 1, 0)}
    revenue_col = COLUMNS[COLUMN_INDEX["revenue"]]
    texts = data.widest_texts(revenue_col)
    assert len(texts) == 7  # the six largest and the refund's sign
    assert texts[0] == data.display(revenue_col, -1234.5)  # the largest in absolute terms
    assert data.display(revenue_col, 500.0) in texts


def test_a_text_of_few_values_sorts_as_one_of_many(demo_frame: pd.DataFrame) -> None:
    # Owners (a few names repeated) are ranked from their distinct values; names (mostly
    # distinct) by sorting every one: both case-insensitive, missing and empty last.
    columns = {name: demo_frame[name].to_numpy() for name in demo_frame.columns}
    n = len(demo_frame)
    few = np.array(["maya", "Maya", "Zed", None, "", "abe"] * (n // 6), dtype=object)
    columns["owner"] = np.concatenate([few, np.full(n - len(few), "Zed", dtype=object)])
    columns["name"] = columns["owner"].copy()
    columns["name"][: n // 2] = [f"Name {i}" for i in range(n // 2)]  # mostly distinct
    data = CustomerTableData(columns)
    for key in ("owner", "name"):
        values = columns[key]
        ranks = data.sort_key(key)
        texts = [v.casefold() if isinstance(v, str) and v else None for v in values.tolist()]
        for i, j in zip(range(n - 1), range(1, n), strict=True):
            a, b = texts[i], texts[j]
            if a is None or b is None:
                assert np.isnan(ranks[i]) == (a is None)
                assert np.isnan(ranks[j]) == (b is None)
            else:
                assert (ranks[i] < ranks[j]) == (a < b)
                assert (ranks[i] == ranks[j]) == (a == b)
    owners = data.sort_key("owner")
    assert owners[0] == owners[1]  # "maya" and "Maya"
    assert owners[5] < owners[0] < owners[2]  # abe < maya < Zed
