"""Results ▸ Stages, driven as a user would: the stages today (a row opens its customers),
the health profiles' verdict, and the best times to reach out from the emails of the
period (tests/support/reach_book.py, with the onboarding customer of
tests/unit/lifecycle/test_customer_stage.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace
from tests.support.reach_book import SINCE, UNTIL, fill_reach_book
from tests.unit.lifecycle.test_customer_stage import fill
from views.item_models.customer_filters import CustomerFilter
from views.results.sections import section_classes
from views.results.stages import StagesSection

TIMEOUT_MS = 60_000


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Workspace, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_reach_book(ws.engine)
    ids.update(fill(ws.engine))
    yield ws, ids
    ws.close()


def test_the_section_is_listed() -> None:
    assert StagesSection in section_classes()


def test_the_stages_and_the_best_times(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    section = StagesSection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 800)
    section.show()
    section.set_source(WorkspaceResultsSource(ws))
    section.reload(SINCE, UNTIL)
    qtbot.waitUntil(lambda: section.results is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert section.headline_label.text().endswith("1 customer: 1 onboarding.")
    model = section.stage_model
    assert model.index(0, 0).data() == "Onboarding"
    assert model.index(0, 1).data() == "1"
    # Today's stages have had no horizon after them yet: the dash says when it is known.
    assert model.index(0, 4).data() == "–"
    tip = model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole)
    horizon = section.results.book.horizon_days
    assert f"Known once the {horizon}-day horizon after" in tip
    assert "report stages --as-of" in tip
    assert "every stage's health uses the one profile" in section.profiles_label.text()
    reach = section.reach_model
    assert reach.index(0, 0).data() == "All customers"
    assert reach.index(0, 1).data() == "130"
    assert reach.index(0, 2).data() == "47 (36%)"  # replies only: the book has no orders
    words = reach.index(0, 3).data()
    assert words.startswith("Best reached: Tuesday 9–11, 30 of 60 replied or came back after (50%")
    note = section.reach_note.text()
    assert "fewer than 20 emails" in note
    assert "or the customer came back after it (a paid order within 30 days; not proof" in note
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        rect = section.stage_table.visualRect(model.index(0, 0))
        qtbot.mouseClick(section.stage_table.viewport(), Qt.MouseButton.LeftButton,
                         pos=rect.center())  # fmt: skip
    chosen = opened.args[0]
    assert isinstance(chosen, CustomerFilter)
    assert chosen.customer_ids == frozenset({ids["new"]})
    assert chosen.title == "Onboarding stage (1)"
