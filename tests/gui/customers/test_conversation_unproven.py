"""A risk whose kind has not reached the rule's precision on the labelled listening corpus is
shown, in the timeline and in the conversation's window, marked unproven with its figure,
and the timeline gives the conversation no risk badge; once proven it is shown as a risk
(real widgets on a real SQLite workspace holding the call of
tests/support/conversation_book.py, Enter on the timeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from services.listen import proven_risks
from tests.gui.customers.test_conversation_window import book, conversation_row, make_pane, opened
from views.item_models.timeline_model import EventRole
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager

__all__ = ["book"]  # the fixture, used by name


def _figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cancellation: int) -> None:
    kinds = {k: {"hits": 50, "found": 50, "labelled": 50} for k in proven_risks.RISK_KINDS}
    kinds["cancellation"] = {"hits": cancellation, "found": 50, "labelled": 50}
    path = tmp_path / f"measured-{cancellation}.json"
    path.write_text(json.dumps({"kinds": kinds}), encoding="utf-8")
    monkeypatch.setattr(proven_risks, "measured_path", lambda: path)


@pytest.mark.parametrize("right", [30, 50])
def test_an_unproven_kind_is_shown_with_its_figure_and_raises_no_badge(
    qtbot, theme: ThemeManager, jobs: JobRunner, book, tmp_path: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch, right: int,
) -> None:  # fmt: skip
    _figures(tmp_path, monkeypatch, right)  # 60 % (unproven) or 100 % (proven) of 50
    ws, _ = book
    pane, _ = make_pane(qtbot, jobs, ws)
    index = conversation_row(pane)
    event = index.data(EventRole)
    if right == 30:
        assert "raised cancellation (unproven)" in event.title
        assert "mentioned a competitor (unproven)" not in event.title
    else:
        assert "(unproven)" not in event.title
    pane.timeline_view.setCurrentIndex(index)
    pane.timeline_view.setFocus()
    qtbot.keyClick(pane.timeline_view, Qt.Key.Key_Return)
    dialog = opened(qtbot, pane, jobs)
    labels = [label.text() for label in dialog.risk_labels]
    cancel = next(text for text in labels if "raised cancellation" in text)
    budget = next(text for text in labels if "said budgets were cut" in text)
    if right == 30:
        assert "Unproven: precision 60 % (" in cancel
        assert "below the 85 % the rule asks for; it raises nothing" in cancel
    else:
        assert "nproven" not in cancel
    assert "nproven" not in budget
    dialog.close()
