"""What the workspace holds now, in one key, and the reports kept per key.

The key (``data_state``) changes whenever a write could change a figure that a report
computes: an import (its run), a scoring (its run), an alert raised, closed or snoozed
(its ``version`` and ``updated_at``), an email recorded, a renewal call, an experiment
started, a setting changed, a customer erased. It reads, for every table of the schema:
the largest id (an added row), the number of rows (a removed one) where counting is
cheap, and the latest ``updated_at`` where the table keeps one (a changed row); for the
alerts the sum of their versions; and today's date (a report's windows close as days
pass). The tables that grow with the book (orders, interactions, score snapshots, usage
days, the import changes and roll-ups) are not counted: nothing removes their rows
except an import or an erasure, which leave their own rows in import_runs and
audit_events. A table added to the schema is read this way without further work.

``kept_result`` keeps one result per report and arguments, per workspace URL, for the
life of the process: asked again while the key is unchanged, it is returned at once
(Results ▸ a section already computed opens without computing). In a shared workspace
the key is read through the user's own connection, so row-level security shapes it as
it shapes the report.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Engine, Integer, text

from models.base import Base
from models.db import translate_db_errors

__all__ = ["data_state", "forget_kept", "kept_result"]

T = TypeVar("T")

# Tables whose rows grow with the book: not counted (their max id still is).
GROWING = frozenset(
    {"orders", "interactions", "score_snapshots", "usage_days", "import_changes",
     "customer_rollups", "contact_changes", "demo_truths"}
)  # fmt: skip

_LOCK = threading.Lock()
_KEPT: dict[tuple[str, str, Hashable], tuple[str, Any]] = {}
_SQL: dict[frozenset[str], str] = {}


def _state_sql(without: frozenset[str]) -> str:
    """One SELECT of every table's figures but those ``without`` (built once per set)."""
    if without in _SQL:
        return _SQL[without]
    parts: list[str] = []
    for table in Base.metadata.sorted_tables:
        name = table.name
        if name in without:
            continue
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer):
            parts.append(f"(SELECT MAX({keys[0].name}) FROM {name})")
        if name not in GROWING:
            parts.append(f"(SELECT COUNT(*) FROM {name})")
        if "updated_at" in table.columns:
            parts.append(f"(SELECT MAX(updated_at) FROM {name})")
    if "alerts" not in without:
        parts.append("(SELECT SUM(version) FROM alerts)")
    _SQL[without] = "SELECT " + ", ".join(parts)
    return _SQL[without]


def data_state(
    engine: Engine,
    today: dt.date | None = None,
    *,
    without: frozenset[str] = frozenset(),
    dated: bool = True,
) -> str:
    """The key of what the workspace holds now (equal keys: the same figures); ``without``
    names tables left out (a report that writes an audit event as it is kept leaves out
    the audit events, or keeping it would change its own key); ``dated`` False leaves out
    today's date (a report that says which day it ends on keys that day itself)."""
    with translate_db_errors(), engine.connect() as conn, conn.begin():
        row = conn.execute(text(_state_sql(without))).one()
    state = "|".join(str(v) for v in row)
    return state + f"|{(today or dt.datetime.now(dt.UTC).date()).isoformat()}" if dated else state


def kept_result(engine: Engine, report: str, args: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s result for this report and these arguments, computed again only
    when the workspace's data changed since it was kept."""
    url = engine.url.render_as_string(hide_password=True)
    state = data_state(engine)
    slot = (url, report, args)
    with _LOCK:
        kept = _KEPT.get(slot)
    if kept is not None and kept[0] == state:
        return kept[1]  # type: ignore[no-any-return]
    value = compute()
    with _LOCK:
        _KEPT[slot] = (state, value)
    return value


def forget_kept(engine: Engine) -> None:
    """Drop the results kept for this workspace."""
    url = engine.url.render_as_string(hide_password=True)
    with _LOCK:
        for slot in [s for s in _KEPT if s[0] == url]:
            del _KEPT[slot]
