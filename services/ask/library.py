"""The saved-question library: answers without a model, offline.

The built-in questions (services/ask/questions.py) and the ones the user saved (the
workspace setting ``ask.saved``, so they travel with the workspace). A question runs
through the same read-only door as a model's query (``readonly.run_query``), with its
parameters bound, never pasted into the SQL.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import is_sqlite, translate_db_errors
from models.schema import AuditEvent
from services.ask.answer import Answer, answer_from
from services.ask.errors import AskError
from services.ask.match import terms
from services.ask.metrics import THRESHOLD_DEFAULT, at_risk_threshold
from services.ask.questions import BUILTIN, Param, SavedQuestion
from services.ask.readonly import run_query
from services.ask.views import OLD_VALUE_HOME, VALUE_HOME, value_words
from services.core.local_dates import workspace_zone
from services.core.money import load_money_context
from services.scoring.queries import value_months
from services.settings import get_setting, set_setting
from services.settings.views import AskSettings, DateSettings, SavedQuestions

SAVED_SETTING = "ask.saved"


def saved_questions(engine: Engine) -> list[SavedQuestion]:
    """The built-in questions, then the user's own, in the order they were saved."""
    with translate_db_errors(), Session(engine) as session:
        stored = SavedQuestions.read(session).saved or []
        months = value_months(session)
    builtin = [
        replace(
            q, title=value_words(q.title, months), explanation=value_words(q.explanation, months)
        )
        for q in BUILTIN
    ]
    return [*builtin, *(_from_stored(item) for item in stored)]


def find_question(engine: Engine, question_id: str) -> SavedQuestion:
    """One saved question by id; AskError when there is none."""
    for q in saved_questions(engine):
        if q.id == question_id:
            return q
    raise AskError(f"There is no saved question '{question_id}'.")


def _from_stored(item: Mapping[str, Any]) -> SavedQuestion:
    return SavedQuestion(
        id=str(item["id"]),
        title=str(item["title"]),
        question=str(item.get("question") or item["title"]),
        # Saved before the value's column was named free of its horizon.
        sql=re.sub(rf"\b{OLD_VALUE_HOME}\b", VALUE_HOME, str(item["sql"])),
        params=tuple(
            Param(
                str(p["name"]),
                str(p.get("label") or p["name"]),
                p.get("kind", "text"),
                p.get("default"),
            )  # fmt: skip
            for p in item.get("params") or []
        ),
        keywords=tuple(str(k) for k in item.get("keywords") or []),
        explanation=str(item.get("explanation") or ""),
        builtin=False,
    )


def _keywords(text: str) -> tuple[str, ...]:
    return tuple(sorted(terms(text)))


def save_question(
    engine: Engine,
    title: str,
    sql: str,
    params: Mapping[str, Any] | None = None,
    question: str = "",
    *,
    actor: str = "user",
) -> SavedQuestion:
    """Add a question to the library after running it once (a query that does not run,
    or that would write, is refused); a title already in the library is refused."""
    title = " ".join(title.split())
    if not title:
        raise AskError("Give the question a title.")
    if any(q.title.lower() == title.lower() for q in saved_questions(engine)):
        raise AskError(f"The library already has a question called '{title}'.")
    run_query(engine, sql, dict(params or {}), row_limit=1, time_limit_s=30)
    item = {
        "id": f"user-{uuid.uuid4().hex[:10]}",
        "title": title,
        "question": question or title,
        "sql": sql.strip(),
        "params": [
            {"name": k, "label": k.replace("_", " "), "kind": _kind_of(v), "default": v}
            for k, v in dict(params or {}).items()
        ],
        "keywords": list(_keywords(f"{title} {question}")),
    }
    with translate_db_errors(), Session(engine) as session, session.begin():
        stored = list(SavedQuestions.read(session).saved or [])
        stored.append(item)
        set_setting(session, SAVED_SETTING, stored, actor=actor)
        session.add(AuditEvent(actor=actor, action="ask.question_saved", entity_type="ask",
                               details={"id": item["id"], "title": title}))  # fmt: skip
    return _from_stored(item)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "text"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    return "text"


def delete_saved(engine: Engine, question_id: str, *, actor: str = "user") -> None:
    """Remove a question the user saved (built-in ones stay)."""
    if any(q.id == question_id for q in BUILTIN):
        raise AskError("Built-in questions cannot be removed.")
    with translate_db_errors(), Session(engine) as session, session.begin():
        stored = list(SavedQuestions.read(session).saved or [])
        kept = [item for item in stored if item.get("id") != question_id]
        if len(kept) == len(stored):
            raise AskError(f"There is no saved question '{question_id}'.")
        set_setting(session, SAVED_SETTING, kept, actor=actor)
        session.add(AuditEvent(actor=actor, action="ask.question_removed", entity_type="ask",
                               details={"id": question_id}))  # fmt: skip


# --- parameters -------------------------------------------------------------------------


def local_today(engine: Engine) -> dt.date:
    """Today on the workspace's clock (its time zone setting, else this computer's)."""
    with translate_db_errors(), Session(engine) as session:
        zone = workspace_zone(DateSettings.read(session).time_zone)
    return dt.datetime.now(ZoneInfo(zone)).date()


def _quarter_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last full calendar quarter before today's."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    this_quarter = dt.date(today.year, first_month, 1)
    end = this_quarter - dt.timedelta(days=1)
    start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end


def default_value(engine: Engine, param: Param, today: dt.date) -> Any:
    """A parameter's default as a value (dates relative to today resolved)."""
    value = param.default
    if value == THRESHOLD_DEFAULT:  # the dashboard's at-risk threshold, 0-1
        with translate_db_errors(), Session(engine) as session:
            return at_risk_threshold(session)
    if isinstance(value, str) and value.startswith("setting:"):
        with translate_db_errors(), Session(engine) as session:
            return get_setting(session, value.removeprefix("setting:"))
    if value == "quarter_start":
        return _quarter_bounds(today)[0].isoformat()
    if value == "quarter_end":
        return _quarter_bounds(today)[1].isoformat()
    return value


# The most a parameter that dates are counted from may say (100 years), and the bounds of
# the others: SQLite's integers are 64-bit.
_NAMED_BOUNDS: dict[str, tuple[float, float]] = {
    "days": (0, 36_500), "quiet_days": (0, 36_500), "sla_hours": (0, 876_000),
    "window": (0, 36_500), "top": (1, 100_000),
}  # fmt: skip
_INT_BOUNDS = (-(2**63), 2**63 - 1)
_WHAT = {
    "int": "a whole number", "number": "a number", "money": "an amount",
    "percent": "a percentage", "date": "a date (YYYY-MM-DD)",
}  # fmt: skip


def _figure(text: Any) -> str:
    return f"{text:,}" if isinstance(text, int | float) else str(text)


def coerce(param: Param, raw: Any) -> Any:
    """A value typed by a user (text) or given by a program, as the parameter's kind;
    AskError in plain words when it is not one, or is outside what the parameter can be."""
    if raw is None or raw == "":
        raise AskError(f"Give a value for '{param.label}'.")
    text = str(raw).strip().replace(",", "") if not isinstance(raw, int | float) else raw
    wrong = AskError(f"'{raw}' is not {_WHAT.get(param.kind, 'a value')}: give one for "
                     f"'{param.label}' ({param.name}).")  # fmt: skip
    value: Any
    try:
        if param.kind == "int":
            value = int(text)
        elif param.kind in ("number", "money"):
            value = float(str(text).lstrip("$€£"))
        elif param.kind == "percent":
            number = float(str(text).rstrip("%"))
            value = number / 100.0 if number > 1 else number
        elif param.kind == "date":
            return dt.date.fromisoformat(str(text)).isoformat()
        else:
            value = None
    except (ValueError, OverflowError):
        raise wrong from None
    if value is not None:
        if not math.isfinite(value):
            raise wrong
        low, high = (
            param.bounds
            or _NAMED_BOUNDS.get(param.name)
            or ((0.0, 1.0) if param.kind == "percent" else _INT_BOUNDS)
        )
        if not low <= value <= high:
            shown = (f"{low:.0%} and {high:.0%}" if param.kind == "percent"
                     else f"{_figure(low)} and {_figure(high)}")  # fmt: skip
            raise AskError(f"'{param.label}' ({param.name}) must be between {shown}; "
                           f"'{raw}' is not.")  # fmt: skip
        return value
    if param.kind == "choice" and param.choices:
        for choice in param.choices:
            if choice.lower() == str(text).lower():
                return choice
        raise AskError(f"'{raw}' is not one of {', '.join(param.choices)}.")
    return str(text)


def bind_values(
    engine: Engine, question: SavedQuestion, given: Mapping[str, Any] | None, today: dt.date
) -> dict[str, Any]:
    """Every bind the question's SQL uses: its parameters (given, else their defaults),
    and the dates derived from them and from today."""
    known = {p.name for p in question.params}
    unknown = sorted(set(given or {}) - known)
    if unknown:
        names = ", ".join(sorted(known)) or "none"
        raise AskError(
            f"The question '{question.title}' has no parameter '{unknown[0]}'; its "
            f"parameters: {names}."
        )
    values: dict[str, Any] = {}
    for param in question.params:
        if param.choices_sql and not param.choices:
            found = run_query(engine, param.choices_sql, row_limit=500)
            param = replace(param, choices=tuple(str(r[0]) for r in found.rows))
        raw = (given or {}).get(param.name)
        value = default_value(engine, param, today) if raw in (None, "") else raw
        if param.kind == "customer" and value in (None, ""):
            raise AskError("Which customer? Give their id, external id or email.")
        values[param.name] = coerce(param, value)
    derived: dict[str, Any] = {"today": today.isoformat()}
    if "days" in values:
        since = today - dt.timedelta(days=int(values["days"]))
        derived["since"] = since.isoformat()
        derived["since_at"] = (since - dt.timedelta(days=1)).isoformat()
        derived["since_to_at"] = (since + dt.timedelta(days=2)).isoformat()
    if "ahead_days" in values:
        derived["ahead_until"] = (today + dt.timedelta(days=int(values["ahead_days"]))).isoformat()
    if "quiet_days" in values:
        month_start = today.replace(day=1)
        quiet = dt.timedelta(days=int(values["quiet_days"]))
        derived["quiet_from"] = (month_start - quiet).isoformat()
        derived["quiet_to"] = (today - quiet + dt.timedelta(days=1)).isoformat()
        # A day outside the local bounds, in UTC: the rollups' time narrows the scan first.
        derived["quiet_from_at"] = (month_start - quiet - dt.timedelta(days=1)).isoformat()
        derived["quiet_to_at"] = (today - quiet + dt.timedelta(days=2)).isoformat()
    if "sla_hours" in values:
        days = -(-int(values["sla_hours"]) // 24)  # 72 hours: opened 3 days ago or before
        derived["due"] = (today - dt.timedelta(days=days)).isoformat()
    derived["week_end"] = (today + dt.timedelta(days=6 - today.weekday())).isoformat()
    return {**derived, **values}


# --- running ----------------------------------------------------------------------------

_JSON_EXTRACT = re.compile(r"json_extract\(([\w.]+),\s*'\$\.(\w+)'\)")
_PLUS_DAYS = re.compile(r"datetime\(([\w.]+),\s*'\+'\s*\|\|\s*(:\w+)\s*\|\|\s*' days'\)")


def dialect_sql(sql: str, dialect: str) -> str:
    """The library's SQLite SQL in PostgreSQL's words where they differ."""
    if dialect != "postgresql":
        return sql
    sql = _JSON_EXTRACT.sub(r"(\1::json ->> '\2')", sql)
    return _PLUS_DAYS.sub(r"(\1 + CAST(\2 AS INTEGER) * interval '1 day')", sql)


def answer_saved(
    engine: Engine,
    question: SavedQuestion,
    params: Mapping[str, Any] | None = None,
    *,
    asked: str | None = None,
    today: dt.date | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Answer:
    """Run a saved question with its parameters and make its Answer."""
    today = today or local_today(engine)
    binds = bind_values(engine, question, params, today)
    dialect = "sqlite" if is_sqlite(engine.url) else "postgresql"
    with translate_db_errors(), Session(engine) as session:
        limits = AskSettings.read(session)
        row_limit, time_limit = limits.row_limit, limits.time_limit_s
        # Home-currency figures in a column beside row currencies say which they are in.
        binds.setdefault("home_currency", load_money_context(session).home)
    sql = dialect_sql(question.sql, dialect)
    result = run_query(
        engine, sql, binds, row_limit=row_limit, time_limit_s=time_limit, cancelled=cancelled
    )
    notice = None
    if question.needs_sql:
        present = run_query(engine, dialect_sql(question.needs_sql, dialect))
        if not present.rows:
            notice = question.needs_notice
    shown = {p.name: binds[p.name] for p in question.params}
    return answer_from(
        asked or question.question,
        question.sql,
        result,
        source="library",
        params=shown,
        notice=notice,
        saved_id=question.id,
        value_column=question.chart_value,
        explanation=question.explanation,
        binds=binds,
    )


def with_params(question: SavedQuestion, **defaults: Any) -> SavedQuestion:
    """The question with other defaults (a form's values kept for the next run)."""
    params = tuple(
        replace(p, default=defaults[p.name]) if p.name in defaults else p for p in question.params
    )
    return replace(question, params=params)
