"""Many rows inserted with few statements, on SQLite.

``executemany`` runs its statement once per row: each row pays a statement step and
reset and the driver's per-row loop, about a second per million orders beyond the
B-tree work the shell's ``INSERT ... SELECT`` pays alone. One ``INSERT ... VALUES
(...),(...),...`` of up to ``MAX_PARAMETERS`` bound values inserts the same rows, in the
same order (so with the same row ids), through the driver's statement cache, with the
values bound the same way: the rows stored are the same.

The values come column-wise (one list per bound column); a row's ``marks`` may hold SQL
literals beside its ``?`` (a value that is the same in every row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["MAX_PARAMETERS", "insert_columns"]

# Under every SQLite's limit of bound values per statement (999 before 3.32).
MAX_PARAMETERS = 999
# More rows per statement saves little once the per-statement cost is shared this far.
MAX_ROWS = 200
# Half of SQLite's default longest statement (1,000,000 bytes): a row's marks may hold
# long literals (a text the same in every row).
MAX_SQL = 500_000


def insert_columns(cur: Any, head: str, marks: str, columns: Sequence[list[Any]]) -> None:
    """Insert rows given as equal-length columns: ``head`` is ``INSERT INTO t (a,b,...)``,
    ``marks`` one row's ``(?,?,...)`` with one ``?`` per column of ``columns``."""
    width = len(columns)
    if width == 0:
        raise ValueError("insert_columns needs at least one bound column")
    n = len(columns[0])
    if n == 0:
        return
    flat: list[Any] = [None] * (n * width)
    for j, column in enumerate(columns):
        flat[j::width] = column
    per = max(1, min(MAX_ROWS, MAX_PARAMETERS // width, MAX_SQL // (len(marks) + 1)))
    step = per * width
    whole = (n // per) * step
    if whole:
        sql = f"{head} VALUES {','.join([marks] * per)}"
        for start in range(0, whole, step):
            cur.execute(sql, flat[start : start + step])
    rest = n % per
    if rest:
        cur.execute(f"{head} VALUES {','.join([marks] * rest)}", flat[whole:])
