"""The customers table's loads as the job runner's tasks (no widgets): the whole table,
prepared for its first sort and search, and a big table's first screenful."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from views.item_models.customer_table_data import (
    ALL_COLUMNS,
    COLUMN_INDEX,
    CustomerTableData,
)

if TYPE_CHECKING:
    from views.kit.jobs import TaskState

Sort = tuple[int, Qt.SortOrder]
# A fresh table is sorted by revenue; once scored, by revenue at risk (unless the user
# chose another order).
DEFAULT_SORT: Sort = (COLUMN_INDEX["revenue"], Qt.SortOrder.DescendingOrder)
SCORED_DEFAULT_SORT: Sort = (COLUMN_INDEX["revenue_at_risk"], Qt.SortOrder.DescendingOrder)


def whole_table_task(
    load: Callable[[], Mapping[str, Any]], sort: Sort
) -> Callable[[TaskState], CustomerTableData]:
    """Read the whole table and prepare what its first paint, sort and search need."""

    def task(state: TaskState) -> CustomerTableData:
        data = CustomerTableData(load())
        state.raise_if_cancelled()
        # The filter menus' choices, read here rather than on the UI thread.
        data.choices("segment")
        data.choices("owner")
        # The search index and the name's sort key (~0.15 s of CPU on 100,000 rows)
        # here, before the table is shown, so that the first search and the first sort
        # by name apply at once; the other text columns are prepared after the paint.
        data.prepare_for(["name"], search=True)
        column, order = sort
        if data.scored and (column, order) == DEFAULT_SORT:
            # The first scored table opens on the money at stake (see _on_table_loaded).
            column, order = SCORED_DEFAULT_SORT
        if 0 <= column < len(data.shown_columns):
            # Sorted here, off the UI thread, in the order the table shows.
            data.permutation(ALL_COLUMNS[column].key, order == Qt.SortOrder.DescendingOrder)
        return data

    return task


def head_task(
    head: Callable[[], Mapping[str, Any] | None],
) -> Callable[[TaskState], CustomerTableData | None]:
    """A big table's first screenful (read in the default order, sorted already); None
    when the source has none."""

    def task(_state: TaskState) -> CustomerTableData | None:
        columns = head()
        return None if columns is None else CustomerTableData(columns)

    return task
