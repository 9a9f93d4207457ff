"""The value's horizon T is a setting (scoring.clv_months, 12 by default): scoring with
T = 24 stores the value over 24 months (more than over 12, within the coherence bounds
generalised to T), records T in the run, and every surface that shows the value names it
"24-month value": the customer pane's tile and ranges, the customers list's header, the
scores export's header, `report segments`, Ask's view and saved question, and the
composer's offer cap. The names machines read (the scores export's columns, Ask's fields)
carry no horizon at all: the value, its range and, once, its T."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import Workspace, open_workspace
from models.db import session_scope
from models.schema import ScoringRun
from services.ask.library import saved_questions
from services.ask.readonly import run_query
from services.ask.views import ASK_VIEWS, schema_text
from services.core.clv_words import clv_days
from services.outreach.composer_text import incentive_words
from services.outreach.context import build_context
from services.scoring.queries import customer_scores, value_months
from services.scoring.run import score_workspace
from services.settings import set_setting
from services.usecases.customers import load_customer_columns
from services.usecases.exporting import export_table
from tests.unit.scoring.test_scoring_run import add_orders_only
from views.customers.score_tiles import ScoreStrip
from views.item_models.customer_table_data import CustomerTableData

TODAY = dt.date(2025, 6, 30)
HORIZON = 90


def _values(ws: Workspace) -> dict[int, tuple[float, float]]:
    with ws.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT customer_id, predicted_revenue_cents, clv_12m_cents FROM score_snapshots "
                "WHERE predicted_revenue_cents IS NOT NULL AND clv_12m_cents IS NOT NULL"
            )
        ).all()
    return {int(c): (float(p), float(v)) for c, p, v in rows}


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict]]:  # type: ignore[type-arg]
    from app.workspace import to_url

    path = tmp_path_factory.mktemp("value-horizon") / "w.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    add_orders_only(ws.engine, customers=300, history_days=400, today=TODAY, seed=9)
    score_workspace(ws.engine, as_of=TODAY, horizon_days=HORIZON)
    twelve = _values(ws)
    with Session(ws.engine) as s, s.begin():
        set_setting(s, "scoring.clv_months", 24, actor="test")
    score_workspace(ws.engine, as_of=TODAY, horizon_days=HORIZON)
    yield ws, twelve
    ws.close()


def test_the_setting_changes_the_stored_value_within_the_bounds(scored) -> None:  # type: ignore[no-untyped-def]
    ws, twelve = scored
    with Session(ws.engine) as s:
        run = s.scalars(select(ScoringRun).where(ScoringRun.status == "finished")).one()
        assert run.params["clv_months"] == 24
        assert value_months(s) == 24
    longer = _values(ws)
    common = sorted(set(twelve) & set(longer))
    assert len(common) > 200
    before = np.array([twelve[c][1] for c in common])
    after = np.array([longer[c][1] for c in common])
    assert np.all(after >= before - 1)  # cents rounding
    assert after.sum() > before.sum() * 1.2  # more months, more value
    # predicted revenue over h <= T-month value <= (T x 30.4 / h) x predicted revenue over h
    revenue = np.array([longer[c][0] for c in common])
    assert np.all(revenue <= after + 1)
    assert np.all(after <= clv_days(24) / HORIZON * revenue + 1)


def test_every_surface_names_the_24_month_value(qtbot, scored, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws, _twelve = scored
    label = "24-month value"
    with Session(ws.engine) as s:
        customer = int(
            s.scalar(text("SELECT customer_id FROM score_snapshots ORDER BY clv_12m_cents DESC"))
        )
        scores = customer_scores(s, customer)
    assert scores is not None
    # The customer pane's tile and its ranges line.
    strip = ScoreStrip()
    qtbot.addWidget(strip)
    strip.set_scores(scores)
    assert strip.tiles["clv_12m"].caption.full_text() == label.upper()
    assert label in strip.ranges.full_text()
    # The customers list's header.
    data = CustomerTableData(load_customer_columns(ws.engine))
    titles = [c.title for c in data.shown_columns]
    assert label in titles
    assert "12-month value" not in titles
    # The scores export's header.
    out = tmp_path / "scores.csv"
    export_table(ws.engine, "scores", out)
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert "value" in header
    assert not [c for c in header if "12m" in c]
    # The report.
    buffer, err = io.StringIO(), io.StringIO()
    assert main(["--db", str(ws.url), "report", "segments"], buffer, err) == 0, err.getvalue()
    assert f"mean {label}" in buffer.getvalue()
    assert "24 months" in buffer.getvalue()
    # Ask: the view's column and the saved question.
    assert "value horizon, 24 months" in schema_text(value_months=24)
    top = next(q for q in saved_questions(ws.engine) if q.id == "top_clv")
    assert top.title == "Top customers by 24-month value"
    # The composer's offer cap.
    with session_scope(ws.sessions) as s:
        words = incentive_words(build_context(s, customer))
    assert f"of the predicted {label})" in words


def test_the_scores_export_names_the_value_and_its_range_free_of_the_horizon(  # type: ignore[no-untyped-def]
    scored, tmp_path: Path
) -> None:
    ws, _twelve = scored
    out = tmp_path / "scores.csv"
    export_table(ws.engine, "scores", out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    header = list(rows[0])
    assert [c for c in header if "12m" in c or "24m" in c] == []
    assert {"value", "value_low", "value_high", "value_horizon_months"} <= set(header)
    assert {r["value_horizon_months"] for r in rows} == {"24"}
    # The range is the same value's: over the same 24 months, around it, as stored.
    with ws.engine.connect() as conn:
        stored = {
            str(c): (v, lo, hi)
            for c, v, lo, hi in conn.execute(
                text(
                    "SELECT coalesce(c.external_id, c.email), s.clv_12m_cents, "
                    "s.clv_12m_low_cents, s.clv_12m_high_cents FROM score_snapshots s "
                    "JOIN customers c ON c.id = s.customer_id"
                )
            )
        }
    checked = 0
    for row in rows:
        if not row["value"] or not row["value_low"]:
            continue
        value, low, high = (float(row[k]) for k in ("value", "value_low", "value_high"))
        assert low <= value + 0.01, row
        assert value <= high + 0.01, row
        assert (value, low, high) == pytest.approx(
            tuple(c / 100 for c in stored[row["customer_id"]]), abs=0.01
        )
        checked += 1
    assert checked > 200


def test_asks_value_field_names_no_horizon_and_states_24_months(scored) -> None:  # type: ignore[no-untyped-def]
    ws, _twelve = scored
    fields = [c.name for view in ASK_VIEWS for c in view.columns]
    assert [f for f in fields if "12m" in f or "12_m" in f] == []
    schema = schema_text(value_months=24)
    line = next(x for x in schema.splitlines() if x.strip().startswith("value_home "))
    assert "24 months" in line
    assert "12" not in line
    top = next(q for q in saved_questions(ws.engine) if q.id == "top_clv")
    assert "12m" not in top.sql
    assert "12" not in top.explanation
    assert "24 months" in top.explanation
    # The field holds the stored value, over 24 months.
    result = run_query(ws.engine, top.sql, {"top": 5})
    best = dict(zip(result.columns, result.rows[0], strict=True))
    with ws.engine.connect() as conn:
        cents = conn.execute(text("SELECT max(clv_12m_cents) FROM score_snapshots")).scalar()
    assert float(best["value_home"]) == pytest.approx(cents / 100, abs=0.01)


def test_a_question_saved_with_the_old_field_name_still_runs(scored) -> None:  # type: ignore[no-untyped-def]
    ws, _twelve = scored
    old = "SELECT customer_id, clv_12m_home FROM ask_customers ORDER BY clv_12m_home DESC"
    with Session(ws.engine) as s, s.begin():
        set_setting(s, "ask.saved", [{"id": "user-old", "title": "Old", "sql": old}], actor="t")
    try:
        mine = next(q for q in saved_questions(ws.engine) if q.id == "user-old")
        result = run_query(ws.engine, mine.sql)
        assert result.columns == ("customer_id", "value_home")
        assert result.rows
    finally:
        with Session(ws.engine) as s, s.begin():
            set_setting(s, "ask.saved", [], actor="t")


def test_the_value_tile_names_no_horizon_before_it_knows_t(qtbot) -> None:  # type: ignore[no-untyped-def]
    # Before a customer's scores arrive the T may be anything: no "12-month" caption then.
    strip = ScoreStrip()
    qtbot.addWidget(strip)
    caption = strip.tiles["clv_12m"].caption.full_text()
    assert caption.lower() == "value"
