"""Two customers merged by an import (services/importing/identity.py) who both have usage
on the same source and day: the survivor's day takes the sum of both (people counted
once), and the merged-away customer's day is deleted, both logged so that undo puts the
two days back as they were."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from services.importing.storage import Store
from services.importing.usage.store import FIGURE_COLUMNS

__all__ = ["merge_usage_days"]

_COLUMNS = ("id", "customer_id", "source", "day", *FIGURE_COLUMNS, "import_run_id")
_SUMMED = ("events", "sessions", "logins", "minutes", "documents_viewed")
_FIGURES = (*_SUMMED, "active_users", "features", "users")
# As the usage import caps them (services/importing/usage/aggregate.py).
_MAX_USERS = 1000

Log = Callable[[str, int, dict[str, Any]], None]


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _as_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _stored(column: str, value: Any) -> Any:
    """A fetched value as import_changes keeps it (JSON text, ISO dates)."""
    if column in ("features", "users"):
        return _as_json(_loaded(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _sum(a: Any, b: Any) -> Any:
    return None if a is None and b is None else (a or 0) + (b or 0)


def _combined(kept: dict[str, Any], gone: dict[str, Any]) -> dict[str, Any]:
    out = {c: _sum(kept[c], gone[c]) for c in _SUMMED}
    features: dict[str, int] = dict(_loaded(kept["features"]) or {})
    for name, count in (_loaded(gone["features"]) or {}).items():
        features[name] = features.get(name, 0) + int(count)
    kept_users, gone_users = _loaded(kept["users"]), _loaded(gone["users"])
    users = None
    if kept_users is not None or gone_users is not None:
        users = sorted(set(kept_users or ()) | set(gone_users or ()))[:_MAX_USERS]
    largest = max(kept["active_users"] or 0, gone["active_users"] or 0)
    out["active_users"] = max(len(users or ()), largest) if users or largest else None
    out["features"] = _as_json(features) if features else None
    out["users"] = _as_json(users)
    return out


def merge_usage_days(store: Store, loser: int, survivor: int, log: Log) -> None:
    """Fold the loser's usage days that collide with the survivor's (same source and day)
    into the survivor's; the loser's other days are re-pointed by the caller."""
    cols = ", ".join(f"u.{c}" for c in _COLUMNS)
    pairs = store.fetchall(
        f"SELECT {cols}, s.id FROM usage_days u JOIN usage_days s "
        "ON s.customer_id = ? AND s.source = u.source AND s.day = u.day "
        "WHERE u.customer_id = ? ORDER BY u.id",
        (survivor, loser),
    )
    for row in pairs:
        gone = dict(zip(_COLUMNS, row[: len(_COLUMNS)], strict=True))
        kept_row = store.fetchall(
            f"SELECT {', '.join(_COLUMNS)} FROM usage_days WHERE id = ?", (row[-1],)
        )[0]
        kept = dict(zip(_COLUMNS, kept_row, strict=True))
        new = _combined(kept, gone)
        log("usage_days", int(kept["id"]), {c: _stored(c, kept[c]) for c in _FIGURES})
        sets = ", ".join(f"{c} = ?" for c in new)
        store.execute(f"UPDATE usage_days SET {sets} WHERE id = ?", (*new.values(), kept["id"]))
        before = {c: _stored(c, v) for c, v in gone.items()}
        before["__deleted__"] = True
        log("usage_days", int(gone["id"]), before)
        store.execute("DELETE FROM usage_days WHERE id = ?", (gone["id"],))
