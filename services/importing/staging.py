"""The set-based comparison of a re-sync (SQLite): which incoming records are new and
which differ from the stored ones, without fetching the stored rows.

The incoming records go to a temporary staging table in bulk (one ``executemany`` of their
external ids and the columns whose values vary; a column holding one value in every row,
such as the source's currency or a status, is compared with that value as a SQL literal
instead of being staged a million times). One join on the (source, external_id) index
then returns only the records that are new or differ, compared with ``IS NOT`` as the
stored column compares (its affinity): a re-sync of unchanged rows fetches no stored row.
The rows that differ are then compared column by column by the writer as before, so the
counts and the updates are the same as a row-by-row comparison's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from services.importing.storage import NOW_DEFAULT, Store, sql_literal

__all__ = ["compare_staged"]

STAGE = "import_stage"


def _constant(values: list[Any]) -> str | None:
    """A SQL literal when every value is the same one of one type, else None."""
    if not values:
        return None
    first = values[0]
    if values.count(first) != len(values):
        return None
    kind = type(first)
    if kind is not str and first is not None and not all(type(v) is kind for v in values):
        return None  # == holds across types (1 == 1.0 == True)
    return sql_literal(first)


def compare_staged(
    store: Store,
    table: str,
    source: str,
    compare_cols: list[str],
    incoming: dict[str, list[Any]],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The incoming rows (``incoming``: external_id and the compare columns, in the
    order of the rows) against the stored rows of ``source``: the positions of the new
    rows, the positions of the stored ones that differ, and the stored ids of the latter.

    Columns the database fills in are compared only where the file gives a value.
    """
    now_default = NOW_DEFAULT.get(table, ())
    tests: list[str] = []
    staged: list[str] = []
    for c in compare_cols:
        literal = _constant(incoming[c])
        if literal is None:
            name = f"c{len(staged)}"
            staged.append(c)
            test = f"o.{c} IS NOT t.{name}"
            tests.append(f"(t.{name} IS NOT NULL AND {test})" if c in now_default else test)
        elif not (c in now_default and literal == "NULL"):
            tests.append(f"o.{c} IS NOT {literal}")
    names = [f"c{k}" for k in range(len(staged))]
    store.execute(f"DROP TABLE IF EXISTS temp.{STAGE}")
    store.execute(
        f"CREATE TEMP TABLE {STAGE} (pos INTEGER PRIMARY KEY, external_id"
        + "".join(f", {n}" for n in names)
        + ")"
    )
    marks = ",".join("?" * (1 + len(names)))
    rows = zip(incoming["external_id"], *(incoming[c] for c in staged), strict=True)
    store.executemany(
        f"INSERT INTO temp.{STAGE} (external_id{''.join(', ' + n for n in names)}) "
        f"VALUES ({marks})",
        rows,
    )
    store.check_cancelled()
    # pos is the rowid: 1, 2, ... in the order the rows were staged.
    found = store.fetchall(
        f"SELECT t.pos - 1, o.id FROM temp.{STAGE} t LEFT JOIN {table} o "
        "ON o.source = ? AND o.external_id = t.external_id "
        f"WHERE o.id IS NULL OR {' OR '.join(tests or ['0'])}",
        (source,),
    )
    store.execute(f"DROP TABLE temp.{STAGE}")
    pos = np.fromiter((p for p, _i in found), dtype=np.int64, count=len(found))
    fresh = np.fromiter((i is None for _p, i in found), dtype=bool, count=len(found))
    ids = np.fromiter((i for _p, i in found if i is not None), dtype=np.int64)
    return pos[fresh], pos[~fresh], ids
