"""Segments over time (services.learn.segments_over_time) against a direct count of the
hand-made book in tests/support/segments_book.py: sizes, revenue, value and mean churn
risk per segment per run, the settings-change marks, and the migration matrix between
two runs with the customers of each cell."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from app.workspace import open_workspace
from services.learn.segments_over_time import (
    NOT_SCORED,
    migration_customers,
    migration_matrix,
    segments_over_time,
)
from tests.support.segments_book import BOOK, CLV_MONTHS, DATES, fill_segments_book


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Any, dict[str, Any]]]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        yield ws.engine, fill_segments_book(ws.engine)
    finally:
        ws.close()


def test_sizes_revenue_and_risk_per_segment_per_run(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = segments_over_time(engine)
    assert [r.run_id for r in report.runs] == ids["runs"]  # the replaced run left out
    assert [r.as_of for r in report.runs] == list(DATES)
    assert [r.value_label for r in report.runs] == [f"{t}-month value" for t in CLV_MONTHS]
    for i, run in enumerate(report.runs):
        sizes: Counter[str] = Counter()
        revenue: Counter[str] = Counter()
        risks: dict[str, list[float]] = defaultdict(list)
        values: dict[str, list[int]] = defaultdict(list)
        for per in BOOK.values():
            if per[i] is None:
                continue
            segment, risk, rev, value = per[i]  # type: ignore[misc]
            sizes[segment] += 1
            revenue[segment] += rev
            risks[segment].append(risk)
            values[segment].append(value)
        got = {f.segment: f for f in report.figures if f.run_id == run.run_id}
        assert {k: f.customers for k, f in got.items()} == dict(sizes)
        assert {k: f.predicted_revenue_cents for k, f in got.items()} == dict(revenue)
        assert {k: f.value_cents for k, f in got.items()} == {k: sum(v) for k, v in values.items()}
        for k, f in got.items():
            assert f.mean_churn_risk == pytest.approx(sum(risks[k]) / len(risks[k]))
            assert f.mean_value_cents == pytest.approx(sum(values[k]) / len(values[k]))
    # In the segments' own order; a segment empty in a run is 0 there.
    assert report.segments == ("Champions", "Loyal", "New", "Promising", "At Risk", "Lost")
    assert report.series("Champions", "customers") == [2, 1, 0]
    assert report.series("New", "mean_churn_risk") == [None, pytest.approx(0.40), 0.45]
    assert report.settings_changes == (2,)


def test_no_runs_no_figures(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = segments_over_time(ws.engine)
    finally:
        ws.close()
    assert report.runs == ()
    assert report.figures == ()
    assert report.segments == ()


def _direct(i: int, j: int) -> dict[tuple[str, str], tuple[int, int, int]]:
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for per in BOOK.values():
        a, b = per[i], per[j]
        if a is None and b is None:
            continue
        key = (a[0] if a else NOT_SCORED, b[0] if b else NOT_SCORED)
        cells[key][0] += 1
        cells[key][1] += a[2] if a else 0
        cells[key][2] += b[2] if b else 0
    return {k: (v[0], v[1], v[2]) for k, v in cells.items()}


@pytest.mark.parametrize(("i", "j"), [(0, 1), (1, 2), (0, 2)])
def test_the_migration_matrix_counts_each_customer_once(book, i: int, j: int) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    runs = ids["runs"]
    matrix = migration_matrix(engine, runs[i], runs[j])
    got = {
        (c.before, c.after): (c.customers, c.revenue_before_cents, c.revenue_after_cents)
        for c in matrix.cells
    }
    assert got == _direct(i, j)
    assert sum(c.customers for c in matrix.cells) == sum(
        1 for per in BOOK.values() if per[i] is not None or per[j] is not None
    )
    # Each cell opens exactly its customers.
    names = {v: k for k, v in ids["customers"].items()}
    for cell in matrix.cells:
        opened = migration_customers(engine, runs[i], runs[j], cell.before, cell.after)
        assert len(opened) == cell.customers
        for cid in opened:
            a, b = BOOK[names[cid]][i], BOOK[names[cid]][j]
            assert (a[0] if a else NOT_SCORED, b[0] if b else NOT_SCORED) == (
                cell.before,
                cell.after,
            )


def test_stayed_and_moved(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    matrix = migration_matrix(engine, ids["runs"][0], ids["runs"][1])
    assert matrix.stayed == 2  # a (Champions), f (Lost)
    assert matrix.moved == 3  # b, c, d
    assert matrix.rows[-1] == NOT_SCORED
    assert "New" in matrix.columns


def test_a_run_that_is_not_finished_is_refused(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    with pytest.raises(ValueError, match="no finished scoring run"):
        migration_matrix(engine, ids["runs"][0], 999_999)
