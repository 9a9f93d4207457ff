"""The SQL that differs between SQLite and PostgreSQL in the Ask views (services/ask/views.py):
a stored time as a local day, a DATE as text, a JSON value, now, and the join to the latest
scoring's snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.core.local_dates import local_day_sql


@dataclass(frozen=True)
class Dialect:
    """How a view's SQL says a day, a JSON value or now in one database."""

    local_day: Callable[[str, str], str]  # (stored UTC time, its offset column)
    app_day: Callable[[str], str]  # a time the app recorded (UTC): this computer's date
    date_text: Callable[[str], str]  # a DATE column as 'YYYY-MM-DD'
    json_text: Callable[[str, str], str]  # (json column, key) -> text
    json_as_text: Callable[[str], str]  # a JSON column as text
    stored: Callable[[str], str]  # a stored UTC time, compared as text
    now: str  # the current UTC time, comparable with a stored one
    # The join of a customer (its id) to their snapshot of the latest scoring run.
    latest_snapshot: Callable[[str, str], str]


SQLITE = Dialect(
    local_day=lambda t, off: local_day_sql(t, off, "sqlite"),
    app_day=lambda t: f"date({t}, 'localtime')",
    date_text=lambda d: f"date({d})",
    json_text=lambda col, key: f"json_extract({col}, '$.\"{key}\"')",
    json_as_text=lambda col: col,
    stored=lambda t: t,  # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff': comparable text
    now="strftime('%Y-%m-%d %H:%M:%f', 'now')",
    # By the snapshot's id (its key), so that SQLite leaves the join out of a query that
    # reads no score: a scan of a million customers then never looks at their snapshots.
    # The id is one seek in the run's index (models/score_indexes.py), no snapshot row read.
    latest_snapshot=lambda cid, run: (
        f"s.id = (SELECT x.id FROM score_snapshots x WHERE x.scoring_run_id = {run} "
        f"AND x.customer_id = {cid} LIMIT 1)"
    ),
)
POSTGRES = Dialect(
    local_day=lambda t, off: local_day_sql(t, off, "postgresql"),
    app_day=lambda t: (
        f"to_char(({t} AT TIME ZONE 'UTC') AT TIME ZONE current_setting('TimeZone'), 'YYYY-MM-DD')"
    ),
    date_text=lambda d: f"to_char({d}, 'YYYY-MM-DD')",
    json_text=lambda col, key: f"({col}::json ->> '{key}')",
    json_as_text=lambda col: f"CAST({col} AS TEXT)",
    stored=lambda t: t,  # a timestamp: compared as one
    now="(now() AT TIME ZONE 'UTC')",
    latest_snapshot=lambda cid, run: f"s.customer_id = {cid} AND +s.scoring_run_id = {run}",
)
