"""Every table of a workspace as its row count and a checksum of its rows, read the same
way on SQLite and PostgreSQL (through SQLAlchemy's types: aware UTC timestamps, JSON as
Python values, booleans as bools), so that a published copy can be compared with its file."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import Engine, select

from models import experiments, schema  # noqa: F401  (registers every table)
from models.base import Base


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def table_digests(
    engine: Engine, *, skip: frozenset[str] = frozenset()
) -> dict[str, tuple[int, str]]:
    """Table name -> (rows, sha256 of its rows in primary-key order)."""
    out: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            digest, rows = hashlib.sha256(), 0
            query = select(table).order_by(*table.primary_key.columns)
            result = conn.execution_options(stream_results=True, yield_per=20_000).execute(query)
            for row in result:
                digest.update(
                    json.dumps([_plain(v) for v in row], sort_keys=True, default=str).encode()
                )
                rows += 1
            out[table.name] = (rows, digest.hexdigest())
    return out
