"""Follow-ups without a model: "only the Gold ones", "just Maya's", "only the open ones".

The previous answer's query is kept whole and filtered from outside: SELECT * FROM
(previous) WHERE <column> = :value. The column is the one of the answer whose values hold
the word; failing that, when the rows are about customers, the customers' tier, segment,
owner or region that holds it, shown as a column of the narrowed answer. Nothing is
guessed: a word found nowhere gives None.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine

from services.ask.answer import CUSTOMER_COLUMN, Answer, answer_from
from services.ask.readonly import run_query

_ONLY = re.compile(
    r"^\s*(?:and\s+)?(?:only|just)\s+(?:the\s+|those\s+|for\s+)?(?P<word>[\w&' -]+?)"
    r"(?:'s)?(?:\s+ones?|\s+customers?|\s+rows?)?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_CUSTOMER_FIELDS = ("tier", "segment", "owner", "region")
_VALUE = "followup_value"


def refine_word(text: str) -> str | None:
    """The word a follow-up narrows by ("only the Gold ones" -> "Gold"), or None."""
    hit = _ONLY.match(text)
    return hit.group("word").strip() if hit else None


def _matches(value: Any, word: str) -> bool:
    if not isinstance(value, str):
        return False
    v, w = value.lower(), word.lower()
    return v == w or v.split()[0] == w if v.split() else False


def refine(engine: Engine, previous: Answer, text: str) -> Answer | None:
    """The previous answer narrowed by the follow-up's word, or None when the follow-up
    is not of that kind or the word is in none of its columns."""
    word = refine_word(text)
    if not word:
        return None
    inner = previous.sql.strip().rstrip(";")
    binds = dict(previous.binds)
    question = f"{previous.question} — {text.strip()}"
    # The column whose one value holding the word covers the most rows: "just Maya's"
    # means the owner of twenty rows, not the one customer called Maya.
    candidates: list[tuple[int, int, str, Any]] = []
    for i, column in enumerate(previous.columns):
        held = [row[i] for row in previous.rows if _matches(row[i], word)]
        if len(set(held)) == 1:
            candidates.append((len(held), -i, column, held[0]))
    if candidates:
        _count, _order, column, value = max(candidates)
        sql = f'SELECT * FROM ({inner}) AS previous WHERE "{column}" = :{_VALUE}'
        result = run_query(engine, sql, {**binds, _VALUE: value})
        return _answer(question, sql, result, previous, {**binds, _VALUE: value})
    if CUSTOMER_COLUMN not in previous.columns:
        return None
    for field in _CUSTOMER_FIELDS:
        found = run_query(
            engine,
            f"SELECT DISTINCT {field} FROM ask_customers WHERE {field} IS NOT NULL",
            row_limit=10_000,
        )
        hits = {row[0] for row in found.rows if _matches(row[0], word)}
        if len(hits) == 1:
            (value,) = hits
            # The column filtered on is shown beside the previous answer's own.
            shown = (
                ""
                if field in previous.columns
                else f", (SELECT c.{field} FROM ask_customers c "
                f"WHERE c.customer_id = previous.{CUSTOMER_COLUMN}) AS {field}"
            )
            sql = (
                f"SELECT previous.*{shown} FROM ({inner}) AS previous WHERE {CUSTOMER_COLUMN} "
                f"IN (SELECT customer_id FROM ask_customers WHERE {field} = :{_VALUE})"
            )
            result = run_query(engine, sql, {**binds, _VALUE: value})
            return _answer(question, sql, result, previous, {**binds, _VALUE: value})
    return None


def _answer(
    question: str, sql: str, result: Any, previous: Answer, binds: dict[str, Any]
) -> Answer:
    answer = answer_from(
        question,
        sql,
        result,
        source=previous.source,
        params={**previous.params, "only": binds[_VALUE]},
        explanation=previous.explanation,
        binds=binds,
    )
    return answer
