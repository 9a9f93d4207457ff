"""The alert list's order at start-up: the database sorts the rows as the list
orders them, so that its columns need no reordering; rows arriving in any other order
make the same list. The orders a user may choose are ranked when first asked for: the
same ranks as when every order was ranked on reading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import services.alerts.queries as queries
from app.gui.alerts_source import WorkspaceAlertSource
from app.workspace import Workspace, open_workspace, to_url
from services.alerts.records import ALERT_COLUMNS
from views.item_models.alert_list_data import SORTS, AlertListData


@pytest.fixture
def alerts_ws(alerts_file: Path) -> Iterator[Workspace]:
    """The session's scored demo with its alerts (only read here)."""
    ws = open_workspace(to_url(str(alerts_file)), backup=False)
    yield ws
    ws.close()


def assert_same(got: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert list(got) == list(expected) == list(ALERT_COLUMNS)
    for name in ALERT_COLUMNS:
        a, b = got[name], expected[name]
        assert a.dtype == b.dtype, name
        if a.dtype == object:
            assert a.tolist() == b.tolist(), name
        else:
            assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fmM"), name


def test_rows_in_any_order_make_the_same_list(
    alerts_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders: list[bool] = []
    real_sort = np.lexsort

    def noted_sort(keys: Any) -> np.ndarray:
        order = real_sort(keys)
        orders.append(bool(np.array_equal(order, np.arange(len(order)))))
        return order

    monkeypatch.setattr(queries.np, "lexsort", noted_sort)
    as_sorted = queries.alert_columns(alerts_ws.engine, statuses=None)
    assert len(as_sorted["id"]) > 50
    assert orders == [True]  # the database's order is the list's: nothing reordered

    real_fetch = queries.fetch
    for shuffle in (lambda rows: rows[::-1], lambda rows: rows[1::2] + rows[::2]):

        def shuffled(*args: Any, how: Any = shuffle) -> list[tuple[Any, ...]]:
            return how(real_fetch(*args))

        monkeypatch.setattr(queries, "fetch", shuffled)
        assert_same(queries.alert_columns(alerts_ws.engine, statuses=None), as_sorted)
    assert orders[1:] == [False, False]  # those were reordered
    # Sorted by priority, the most urgent severity first, then the oldest, then the id.
    priority = as_sorted["priority_cents"]
    assert (np.diff(priority) <= 0).all()


def eager_ranks(data: AlertListData) -> dict[str, np.ndarray]:
    """Every order ranked at once, as the list did before (kept to compare)."""
    c = data.columns
    created = c["created_at"].astype(np.int64)
    priority, ids, severity = c["priority_cents"], c["id"].astype(np.int64), data.severity_rank
    orders = {
        "urgency": np.lexsort((ids, -created, -priority, severity)),
        "stake": np.lexsort((ids, -created, severity, -priority)),
        "newest": np.lexsort((ids, severity, -priority, -created)),
        "oldest": np.lexsort((ids, severity, -priority, created)),
        "persuadable": np.lexsort(
            (ids, -created, -priority, severity, -np.nan_to_num(data.uplift, nan=-9))
        ),
    }
    ranks = {}
    for key, order in orders.items():
        rank = np.empty(data.n, np.int64)
        rank[order] = np.arange(data.n, dtype=np.int64)
        ranks[key] = rank
    return ranks


def test_orders_ranked_when_asked_are_those_ranked_at_once(alerts_ws: Workspace) -> None:
    data = AlertListData(WorkspaceAlertSource(alerts_ws).load_alert_columns())
    for sort, rank in eager_ranks(data).items():
        assert data.rank(sort).tolist() == rank.tolist(), sort
    assert set(SORTS) < set(eager_ranks(data))
    assert data.rank("no such order").tolist() == data.rank("urgency").tolist()
    rng = np.random.default_rng(7)
    uplift = rng.random(data.n)
    uplift[::3] = np.nan  # no estimate: last
    data.set_uplift(uplift, np.full(data.n, "", dtype=object))
    assert data.rank("persuadable").tolist() == eager_ranks(data)["persuadable"].tolist()


def test_the_persuadable_order_follows_the_services_decision(qtbot, alerts_ws: Workspace) -> None:
    """The menu offers "Most persuadable first" only for estimates the service ranked
    (services.learn.uplift_cache.uplift_columns gives them only while UpliftReport.ranks
    holds); estimates it did not rank come without figures and with the reason, which the
    menu's tooltip says. Once known not to be ranked, no fit is asked for again."""
    from PySide6.QtWidgets import QComboBox

    from views.alerts.persuadable import (
        PERSUADABLE,
        SORT_TIP,
        fetch_estimates,
        offer_persuadable,
    )

    combo = QComboBox()
    qtbot.addWidget(combo)
    combo.addItem("Most urgent first", "urgency")
    data = AlertListData(WorkspaceAlertSource(alerts_ws).load_alert_columns())
    why = "The model has not yet beaten a random order: its Qini interval includes zero."
    words = np.full(data.n, "On past customers, outreach raised …", dtype=object)
    data.set_uplift(np.full(data.n, np.nan), words, why)
    offer_persuadable(combo, data, None, "sort")
    assert combo.findData(PERSUADABLE) < 0
    assert combo.toolTip() == f"{SORT_TIP}. Most persuadable first is not offered: {why}"
    asked: list[object] = []
    fetch_estimates(None, combo, None, data, asked.append)  # type: ignore[arg-type]
    assert asked == []  # known not to be ranked: nothing to fit

    data.set_uplift(np.linspace(0.0, 0.2, data.n), words, "")
    offer_persuadable(combo, data, None, "sort")
    assert combo.findData(PERSUADABLE) >= 0
    assert combo.toolTip() == SORT_TIP
