"""The Customers table's Stage column and filter, on the scored demo with its stages
stored as a scoring stores them (services/lifecycle/stored.py): the column shows each
customer's stored stage by its label and sorts in life order, the filter bar's Stage
choice keeps the customers of a stage (or without one), and a saved view keeps it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from models.schema import ScoreSnapshot
from services.lifecycle.stages import STAGE_LABELS
from services.lifecycle.stored import store_run_stages
from services.scoring.queries import latest_run_id
from tests.gui.customers.test_customers_views import (
    choose,
    load,
    make_pane,
    settings_at,
    settings_path,
    shown_ids,
)
from views.item_models.customer_table_data import COLUMN_INDEX, SCORED_VISUAL_ORDER
from views.kit.jobs import JobRunner

__all__ = ["settings_path"]  # the fixture, shared with the views' tests


@pytest.fixture
def staged(alerts_file: Path, tmp_path: Path) -> Iterator[tuple[Workspace, dict[int, str | None]]]:
    """A copy of the scored demo with the latest run's stages stored; each customer's."""
    target = tmp_path / "staged.radar.sqlite"
    shutil.copy(alerts_file, target)
    workspace = open_workspace(to_url(str(target)), backup=False)
    with Session(workspace.engine) as s:
        run = latest_run_id(s)
    assert run is not None
    assert store_run_stages(workspace.engine, run) > 0
    with Session(workspace.engine) as s:
        rows = s.execute(
            select(ScoreSnapshot.customer_id, ScoreSnapshot.stage).where(
                ScoreSnapshot.scoring_run_id == run
            )
        ).all()
    yield workspace, {int(c): stage for c, stage in rows}
    workspace.close()


def test_the_stage_column_shows_the_stored_stage_in_life_order(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, settings_path: Path, staged: tuple[Workspace, dict[int, str | None]]
) -> None:
    workspace, stages = staged
    pane = make_pane(qtbot, jobs, settings_at(settings_path))
    load(qtbot, pane, jobs, workspace)
    assert SCORED_VISUAL_ORDER.index("stage") == SCORED_VISUAL_ORDER.index("segment") + 1
    assert (
        pane.columns.visual_keys().index("stage") == pane.columns.visual_keys().index("segment") + 1
    )
    column = COLUMN_INDEX["stage"]
    model = pane.model
    title = model.headerData(column, Qt.Orientation.Horizontal)
    tip = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert title == "Stage"
    assert "as of the latest scoring" in str(tip)
    shown = {model.customer_id(r): model.index(r, column).data() for r in range(model.rowCount())}
    assert shown == {c: STAGE_LABELS[s] if s else "—" for c, s in stages.items()}
    assert len({s for s in stages.values() if s}) >= 3  # the demo has several stages
    # Sorted: onboarding, adoption, mature, renewal, at risk; no stage last.
    pane.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    order = [*STAGE_LABELS.values(), "—"]
    ranks = [order.index(model.index(r, column).data()) for r in range(model.rowCount())]
    assert ranks == sorted(ranks)


def test_the_stage_filter_keeps_a_stage_or_no_stage_and_a_view_keeps_it(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, settings_path: Path, staged: tuple[Workspace, dict[int, str | None]]
) -> None:
    workspace, stages = staged
    names = iter(["Renewals"])
    pane = make_pane(qtbot, jobs, settings_at(settings_path), ask_view_name=lambda _s: next(names))
    load(qtbot, pane, jobs, workspace)
    bar = pane.filter_bar
    combo = bar.stage_combo
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == ["Any stage", *STAGE_LABELS.values(), "No stage"]
    assert combo.isEnabled()
    for key, label in STAGE_LABELS.items():
        choose(combo, label)
        assert bar.filter().stages == frozenset({key})
        assert shown_ids(pane) == {c for c, s in stages.items() if s == key}
    choose(combo, "No stage")
    assert shown_ids(pane) == {c for c, s in stages.items() if s is None}
    choose(combo, "Renewal")
    renewal = shown_ids(pane)
    assert renewal
    pane.views_bar.button.click()  # Save view… (the prompt answers)
    choose(combo, "Any stage")
    assert len(shown_ids(pane)) == len(stages)

    second = make_pane(qtbot, jobs, settings_at(settings_path))
    load(qtbot, second, jobs, workspace)
    views = second.views_bar.combo
    views.setCurrentIndex(views.findText("Renewals"))
    views.activated.emit(views.currentIndex())
    qtbot.waitUntil(lambda: not second.model.pending, timeout=10_000)
    assert second.filter_bar.stage_combo.currentText() == "Renewal"
    assert shown_ids(second) == renewal
    assert np.all(
        [second.model.index(r, COLUMN_INDEX["stage"]).data() == "Renewal"
         for r in range(second.model.rowCount())]
    )  # fmt: skip
