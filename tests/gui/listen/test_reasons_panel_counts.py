"""The reasons panel (views/dashboard/reasons_panel.py) counts in words: one text and one
customer are "1 text · 1 customer", never "1 texts"."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from services.listen.records import ReasonSummary
from views.dashboard.reasons_panel import ReasonsPanel


def test_one_text_and_one_customer_read_as_one(qtbot: QtBot) -> None:
    panel = ReasonsPanel()
    qtbot.addWidget(panel)
    one = ReasonSummary("Refund · received · ago", ("refund",), texts=1, customer_ids={7})
    many = ReasonSummary("Size · wrong · received", ("size",), texts=1200, customer_ids={1, 2})
    panel.set_reasons([many, one], 1201, "Dec 1, 2025 – Nov 24, 2026")
    first, second = (label.text() for label in panel.row_labels)
    assert "1,200 texts · 2 customers" in first
    assert "1 text · 1 customer" in second
    assert "1 texts" not in second
