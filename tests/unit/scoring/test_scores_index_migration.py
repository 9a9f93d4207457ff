"""Migration 0020 (the customers table's scores of one run, covered by an index) on a
scored workspace: down to 0018 and up again keeps every snapshot, gives the index, and the
latest scores read the same, on SQLite and on PostgreSQL; on SQLite the read is served by
the index alone."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from app.workspace import open_workspace, to_url
from models.migrate import INDEX_ONLY_REVISIONS, alembic_config, upgrade
from services.demo import build_demo
from services.scoring.queries import latest_scores_columns
from services.scoring.run import score_workspace
from services.usecases.customers import load_customer_columns

TODAY = dt.date(2025, 6, 15)
INDEX = "ix_score_snapshots_run_table"


def _indexes(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(i["name"]) for i in inspect(engine).get_indexes("score_snapshots")}


def _latest(engine) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        columns = latest_scores_columns(Session(bind=conn))
    assert columns is not None
    return columns


def test_upgrading_a_0018_workspace_adds_the_index_and_reads_the_same_scores(
    workspace_url: str,
) -> None:
    from alembic import command

    assert "0020" in INDEX_ONLY_REVISIONS  # no foreign-key check of every row for it
    ws = open_workspace(workspace_url, backup=False)
    try:
        build_demo(ws.engine, customers=120, seed=3, today=TODAY)
        score_workspace(ws.engine, as_of=TODAY)
        assert INDEX in _indexes(ws.engine)
        before = _latest(ws.engine)
        cfg = alembic_config()
        with ws.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0018")
        assert INDEX not in _indexes(ws.engine)
        upgrade(ws.engine, backup=False)
        assert INDEX in _indexes(ws.engine)
        after = _latest(ws.engine)
        table = load_customer_columns(ws.engine, today=TODAY)
        with ws.engine.connect() as conn:
            kept = conn.execute(text("SELECT COUNT(*) FROM score_snapshots")).scalar_one()
    finally:
        ws.close()
    assert kept == 120
    assert before.keys() == after.keys()
    for name, column in before.items():
        np.testing.assert_array_equal(column, after[name], err_msg=name)
    assert {"Champions", None} & set(after["segment"].tolist())
    # The customers table places the snapshots' own rows on its customers: the same scores.
    assert table["id"].tolist() == after["customer_id"].tolist()
    for name, divisor in (("churn_risk", 1), ("clv_12m", 100), ("revenue_at_risk", 100)):
        source = "churn_risk" if divisor == 1 else f"{name}_cents"
        np.testing.assert_array_equal(table[name], after[source] / divisor, err_msg=name)
    assert table["segment"].tolist() == after["segment"].tolist()
    assert table["confidence"].tolist() == after["confidence"].tolist()


def test_the_latest_scores_read_only_the_index_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from services.scoring.queries import window_scores_sql

    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    try:
        with ws.engine.connect() as conn:
            plan = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + window_scores_sql(), (1,)
            ).fetchall()
    finally:
        ws.close()
    details = " ".join(str(row[-1]) for row in plan)
    assert f"COVERING INDEX {INDEX}" in details, details
