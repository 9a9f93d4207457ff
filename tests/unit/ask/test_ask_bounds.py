"""A question's query holds a bounded amount: on a real demo workspace, on SQLite and on
PostgreSQL, a value past the limit stops the query with a plain message, a big cell comes
back cut (and says so), too many columns are refused, and the rows keep their order."""

from __future__ import annotations

import sqlite3

import pytest

from app.workspace import Workspace
from services.ask.errors import QueryTooBig
from services.ask.readonly import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    collect_rows,
    cut_note,
    run_query,
)
from tests.unit.ask.test_ask_privacy import demo  # noqa: F401  (the fixture, on both databases)


def _sqlite(ws: Workspace) -> bool:
    return ws.engine.dialect.name == "sqlite"


def test_a_cell_bigger_than_the_limit_comes_back_cut(demo: Workspace) -> None:  # noqa: F811
    big = "hex(zeroblob(400000))" if _sqlite(demo) else "repeat('ab', 400000)"
    result = run_query(
        demo.engine, f"SELECT customer_id, {big} AS big FROM ask_customers ORDER BY customer_id"
    )
    assert len(result.rows) == 40
    for _id, cell in result.rows:
        assert len(cell) == MAX_CELL_CHARS + len(cut_note())
        assert cell.endswith("[cut at 32,000 characters]")
    ids = [r[0] for r in result.rows]
    assert ids == sorted(ids)
    numbers = run_query(demo.engine, "SELECT customer_id, revenue_home, tier FROM ask_customers "
                        "ORDER BY customer_id DESC LIMIT 3")  # fmt: skip
    assert [r[0] for r in numbers.rows] == sorted((r[0] for r in numbers.rows), reverse=True)
    assert all(isinstance(r[0], int) and isinstance(r[1], int | float) for r in numbers.rows)


def test_a_value_past_the_memory_bound_stops_the_query(demo: Workspace) -> None:  # noqa: F811
    if _sqlite(demo):
        sql = "SELECT replace(hex(zeroblob(400000000)), '0', 'ab') AS x"
        with pytest.raises(QueryTooBig, match="longer than 1 MB"):
            run_query(demo.engine, sql)
        # SQLite's heap limit (the process's) is lifted again once the query is over.
        other = sqlite3.connect(":memory:")
        assert other.execute("PRAGMA hard_heap_limit").fetchone() == (0,)
        other.close()
    else:
        # PostgreSQL's own bound on a value is 1 GB: past it, the same plain message.
        sql = "SELECT repeat('ab', 600000000) AS x"
        with pytest.raises(QueryTooBig, match="larger than the database can hold|more memory"):
            run_query(demo.engine, sql, time_limit_s=30)


def test_too_many_columns_are_refused(demo: Workspace) -> None:  # noqa: F811
    columns = ", ".join(f"customer_id AS c{i}" for i in range(MAX_COLUMNS + 1))
    with pytest.raises(QueryTooBig, match=f"more than {MAX_COLUMNS} columns"):
        run_query(demo.engine, f"SELECT {columns} FROM ask_customers")
    fine = ", ".join(f"customer_id AS c{i}" for i in range(MAX_COLUMNS))
    assert len(run_query(demo.engine, f"SELECT {fine} FROM ask_customers").columns) == MAX_COLUMNS


def test_the_rows_stop_at_the_size_bound_and_say_there_are_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import services.ask.readonly as readonly

    monkeypatch.setattr(readonly, "MAX_RESULT_CHARS", 100)
    source = iter([("x" * 40,)] * 10)

    def fetch(n: int) -> list[tuple[str]]:
        return [row for _, row in zip(range(n), source, strict=False)]

    rows, truncated = collect_rows(fetch, 1000)
    assert len(rows) == 3  # 120 characters: past the bound at the third row
    assert truncated


def test_sqlites_memory_is_capped_while_a_query_runs(
    demo: Workspace,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The backstop under the value and column limits: a row of many long values needs
    more of SQLite's memory than the cap (made small here), and the query stops."""
    if not _sqlite(demo):
        pytest.skip("SQLite's heap limit")
    import services.ask.readonly as readonly

    monkeypatch.setattr(readonly, "MAX_HEAP_BYTES", 16 * 1024 * 1024)
    columns = ", ".join(f"hex(zeroblob(400000)) AS c{i}" for i in range(60))
    with pytest.raises(QueryTooBig, match="more memory than a question may use"):
        run_query(demo.engine, f"SELECT {columns} FROM ask_customers")
    assert len(run_query(demo.engine, "SELECT * FROM ask_customers").rows) == 40
    other = sqlite3.connect(":memory:")
    assert other.execute("PRAGMA hard_heap_limit").fetchone() == (0,)
    other.close()
