"""A query's result as an answer: a sentence that sums it up, a chart when the result is a
breakdown or a series, and which column links to a customer.

Shared by saved questions and model-written queries, so both read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from services.ask.readonly import QueryResult

ChartKind = Literal["bar", "line"]
AnswerSource = Literal["library", "model"]

MAX_BAR_ROWS = 30  # more groups than this reads better as a table
CUSTOMER_COLUMN = "customer_id"
_DAY = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")  # a day or a month: a series' label


@dataclass(frozen=True)
class ChartSpec:
    """How to draw an answer: bars per label, or a line over time."""

    kind: ChartKind
    label_column: int
    value_column: int
    title: str


@dataclass(frozen=True)
class Answer:
    """A question and what answers it."""

    question: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    truncated: bool
    summary: str
    chart: ChartSpec | None
    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    source: AnswerSource = "library"
    customer_column: int | None = None
    notice: str | None = None
    saved_id: str | None = None
    explanation: str = ""  # how the figures are computed, in one line
    binds: dict[str, Any] = field(default_factory=dict)  # every value bound to the SQL

    @property
    def customer_ids(self) -> list[int]:
        """The customers the rows are about, in row order (empty when none)."""
        if self.customer_column is None:
            return []
        out = []
        for row in self.rows:
            value = row[self.customer_column]
            if isinstance(value, int) and not isinstance(value, bool):
                out.append(value)
        return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric_columns(result: QueryResult) -> list[int]:
    out = []
    for i, _name in enumerate(result.columns):
        values = [r[i] for r in result.rows if r[i] is not None]
        if values and all(_is_number(v) for v in values):
            out.append(i)
    return out


def _text_columns(result: QueryResult) -> list[int]:
    out = []
    for i, _name in enumerate(result.columns):
        values = [r[i] for r in result.rows if r[i] is not None]
        if values and all(isinstance(v, str) for v in values):
            out.append(i)
    return out


def _label(name: str) -> str:
    # A _pct column's figures carry their own "%" (number_text).
    return name.removesuffix("_pct").replace("_", " ")


_ROW_NOUNS = {
    "ticket_id": "ticket", "review_id": "review", "order_id": "order",
    "opportunity_id": "deal", "alert_id": "alert", "task_id": "task",
    "outreach_id": "email", "email_event_id": "email event",
    "interaction_id": "interaction",
}  # fmt: skip


def number_text(value: Any, column: str = "") -> str:
    """A figure as read by a person: 1,234 or 1,234.56 or 0.42 (63.6% for a _pct column)."""
    if column.endswith("_pct") and _is_number(value):
        return f"{value:.1f}%"
    if value is None:
        return "none"
    if isinstance(value, bool) or not _is_number(value):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) < 1:
        return f"{value:.2f}"
    return f"{value:,.2f}"


def chart_for(result: QueryResult, value_column: str | None = None) -> ChartSpec | None:
    """A bar chart for a breakdown (a label and a figure per row), a line for a series over
    days or months; None for anything else (a list of customers, a single figure).
    ``value_column`` names the figure to draw when there are several (else the last)."""
    rows = result.rows
    if len(rows) < 2 or CUSTOMER_COLUMN in result.columns:
        return None
    numeric = [i for i in _numeric_columns(result) if not result.columns[i].endswith("_id")]
    texts = _text_columns(result)
    if not numeric or not texts:
        return None
    label = texts[0]
    value = numeric[-1]
    if value_column in result.columns and result.columns.index(value_column) in numeric:
        value = result.columns.index(value_column)
    if label > value and len(texts) > 1:
        label = next((t for t in texts if t < value), label)
    name = _label(result.columns[value])
    by = _label(result.columns[label])
    labels = [r[label] for r in rows]
    if all(isinstance(v, str) and _DAY.match(v) for v in labels) and len(rows) >= 3:
        return ChartSpec("line", label, value, f"{name.capitalize()} by {by}")
    if len(rows) > MAX_BAR_ROWS or len(set(labels)) != len(labels):
        return None
    return ChartSpec("bar", label, value, f"{name.capitalize()} by {by}")


def summarise(result: QueryResult, chart: ChartSpec | None) -> str:
    """One sentence that sums the result up."""
    rows = result.rows
    more = f" (the first {len(rows):,}; there are more)" if result.truncated else ""
    if not rows:
        return "No rows match."
    if len(rows) == 1 and len(result.columns) == 1:
        return f"{_label(result.columns[0]).capitalize()}: {number_text(rows[0][0])}."
    if chart is not None and chart.kind == "bar":
        value = chart.value_column
        ranked = sorted(
            (r for r in rows if _is_number(r[value])), key=lambda r: r[value], reverse=True
        )
        if ranked:
            top, low = ranked[0], ranked[-1]
            name = _label(result.columns[value])
            # Counts are many or few ("the most reviews"), other figures high or low.
            counts = all(isinstance(r[value], int) for r in ranked)
            most, least = ("most", "fewest") if counts else ("highest", "lowest")
            column = result.columns[value]
            return (
                f"{len(rows):,} groups{more}; {top[chart.label_column]} has the {most} {name} "
                f"({number_text(top[value], column)}), {low[chart.label_column]} the {least} "
                f"({number_text(low[value], column)})."
            )
    if chart is not None and chart.kind == "line":
        value, label = chart.value_column, chart.label_column
        first, last = rows[0], rows[-1]
        name = _label(result.columns[value])
        return (
            f"{name.capitalize()} from {first[label]} to {last[label]}: "
            f"{number_text(first[value], result.columns[value])} to "
            f"{number_text(last[value], result.columns[value])}."
        )
    if CUSTOMER_COLUMN in result.columns:
        i = result.columns.index(CUSTOMER_COLUMN)
        customers = len({r[i] for r in rows})
        noun = "customer" if customers == 1 else "customers"
        row_noun = _ROW_NOUNS.get(result.columns[0])
        if row_noun is None and customers == len(rows):
            return f"{customers:,} {noun}{more}."
        things = (row_noun or "row") + ("" if len(rows) == 1 else "s")
        return f"{len(rows):,} {things}{more} about {customers:,} {noun}."
    return f"{len(rows):,} {'row' if len(rows) == 1 else 'rows'}{more}."


def answer_from(
    question: str,
    sql: str,
    result: QueryResult,
    *,
    source: AnswerSource,
    params: dict[str, Any] | None = None,
    notice: str | None = None,
    saved_id: str | None = None,
    value_column: str | None = None,
    explanation: str = "",
    binds: dict[str, Any] | None = None,
) -> Answer:
    """The Answer for a query's result: summary sentence, chart and customer links."""
    chart = chart_for(result, value_column)
    customer = result.columns.index(CUSTOMER_COLUMN) if CUSTOMER_COLUMN in result.columns else None
    return Answer(
        question=question,
        columns=result.columns,
        rows=result.rows,
        truncated=result.truncated,
        summary=summarise(result, chart),
        chart=chart,
        sql=sql,
        params=dict(params or {}),
        source=source,
        customer_column=customer,
        notice=notice,
        saved_id=saved_id,
        explanation=explanation,
        binds=dict(binds or {}),
    )
