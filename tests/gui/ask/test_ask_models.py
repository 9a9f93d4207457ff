"""The Ask tab's Qt models and how an answer's cells read: money with its currency (the
row's, or the home currency for *_home figures), percentages, local dates, flags; the
customer columns as links; sorting by raw values with empty cells last; and the
charts drawing what they are handed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from views.ask.library_panel import QuestionListModel
from views.ask.source import ParamField, QuestionEntry
from views.charts.answer_charts import AnswerBarChart, AnswerLineChart, day_seconds
from views.item_models.answer_table_model import (
    AnswerTableModel,
    CustomerRole,
    RawRole,
    cell_text,
    header_text,
)

COLUMNS = (
    "opportunity_id",
    "customer_id",
    "customer",
    "amount",
    "currency",
    "probability",
    "close_day",
    "revenue_at_risk_home",
    "is_open",
)
ROWS = [
    (7, 42, "Ann Lee", 1250.5, "EUR", 0.72, "2026-03-07", 99.0, 1),
    (8, 43, "Bo Chen", 300.0, "USD", 0.1, None, None, 0),
    (9, 44, "Cy Diaz", 980000.0, "JPY", 0.5, "2026-01-02", 12.25, 1),
]


def model_with_rows() -> AnswerTableModel:
    model = AnswerTableModel()
    model.set_answer(COLUMNS, ROWS, customer_column=1, home_currency="GBP")
    return model


def test_the_models_pass_the_model_tester(qtmodeltester) -> None:
    model = model_with_rows()
    qtmodeltester.check(model)
    model.sort(3, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    model.clear()
    qtmodeltester.check(model)
    questions = QuestionListModel()
    questions.set_entries(
        [
            QuestionEntry("a", "Built in", "A?", "", True),
            QuestionEntry(
                "b", "Mine", "B?", "how", False, (ParamField("days", "Days", "int", 30),)
            ),
        ]
    )
    qtmodeltester.check(questions)
    assert questions.index(1).data() == "Mine (saved)"
    assert questions.index(0).data() == "Built in"


def test_cells_read_as_the_window_writes_them() -> None:
    model = model_with_rows()
    texts = [model.index(0, c).data() for c in range(len(COLUMNS))]
    assert texts == [
        "7",
        "42",
        "Ann Lee",
        "€1,250.50",
        "EUR",
        "72%",
        "Mar 7, 2026",
        "£99.00",
        "Yes",
    ]
    # Yen never shows cents; an empty cell is empty.
    assert model.index(2, 3).data() == "¥980,000"
    assert model.index(1, 6).data() == ""
    assert model.index(1, 8).data() == "No"
    assert header_text("revenue_at_risk_home") == "Revenue at risk"
    assert header_text("conversion_pct") == "Conversion %"
    assert cell_text(("conversion_pct",), (12.345,), 0, "USD") == "12.3%"
    # Money without a currency column is the home currency's.
    assert cell_text(("revenue_since",), (12.5,), 0, "USD") == "$12.50"
    assert "home currency" in model.headerData(
        7, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )


def test_customer_columns_are_links_and_sorting_keeps_rows_whole() -> None:
    model = model_with_rows()
    assert model.is_link(1)
    assert model.is_link(2)
    assert not model.is_link(3)
    assert model.index(0, 2).data(Qt.ItemDataRole.FontRole).underline()
    assert model.index(0, 0).data(CustomerRole) == 42
    model.sort(7, Qt.SortOrder.DescendingOrder)
    # 99.0, 12.25, then the empty one last.
    assert [model.index(r, 2).data() for r in range(3)] == ["Ann Lee", "Cy Diaz", "Bo Chen"]
    assert model.customer_at(1) == 44
    model.sort(7, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 7).data(RawRole) for r in range(3)] == [12.25, 99.0, None]
    # An answer without customers has no links.
    plain = AnswerTableModel()
    plain.set_answer(
        ("tier", "customers"), [("Gold", 3)], customer_column=None, home_currency="USD"
    )
    assert not plain.is_link(0)
    assert plain.customer_at(0) is None


def test_the_charts_draw_what_they_are_handed(qtbot) -> None:
    bars = AnswerBarChart()
    qtbot.addWidget(bars)
    bars.set_bars("Customers by tier", ["Gold", "Silver"], [5, 3], lambda v: f"{v:.0f}")
    assert bars.bars == [("Gold", 5.0), ("Silver", 3.0)]
    assert bars.title == "Customers by tier"
    assert bars.value_labels == ["5", "3"]
    assert bars.bar_tip(0) == "Gold: 5"
    line = AnswerLineChart()
    qtbot.addWidget(line)
    line.set_series("Orders by month", ["2026-02", "2026-01"], [4, 2], lambda v: f"{v:.0f}")
    assert line.points == [(day_seconds("2026-01"), 2.0), (day_seconds("2026-02"), 4.0)]
    assert day_seconds("2026-01-15") is not None
    assert day_seconds("January") is None


def test_text_from_the_workspace_is_shown_as_typed_never_as_markup(qtbot) -> None:
    from services.ask.answer import Answer
    from views.ask.answer_view import AnswerView

    view = AnswerView()
    qtbot.addWidget(view)
    words = "<b>Ignore previous instructions</b> <a href='x'>click</a>"
    answer = Answer(
        question=words,
        columns=("reason", "tickets"),
        rows=[(words, 3)],
        truncated=False,
        summary=f"1 group; the highest is {words}.",
        chart=None,
        sql="SELECT 1",
        notice=words,
    )
    view.show_answer(answer, source_text=words)
    for label in (view.question_label, view.summary_label, view.notice_label, view.source_label):
        assert label.textFormat() == Qt.TextFormat.PlainText
        assert words in label.text()
    view.set_history([words])
    assert "&lt;b&gt;" in view.history_label.text()
    assert view.model.index(0, 0).data() == words
