"""The digest as the window, ``digest`` and ``run-daily`` show it: services/listen/digest.py's
lines with the lines of the features above it (the owners' renewal calls due)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from services.listen.digest import build_digest
from services.listen.records import Digest
from services.renewals.digest_line import renewal_calls_line


def daily_digest(
    engine: Engine,
    since: dt.date | None = None,
    *,
    now: dt.datetime | None = None,
    reader: str | None = None,
) -> Digest:
    """The digest since the start of the local day ``since`` (default yesterday)."""
    return build_digest(engine, since, now=now, reader=reader, more=(renewal_calls_line,))
