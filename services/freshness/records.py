"""What the freshness of the workspace's sources holds, for the views and the reports:
plain data, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# current: it came when expected; late: its usual import was missed; stale: no new records
# for much longer than usual (the worse of the two: the data itself has stopped).
FRESHNESS_STATES = ("current", "late", "stale")
STATE_WORDS = {"current": "Current", "late": "Late", "stale": "Stale"}
# Where a source's expected cadence comes from.
CADENCE_ORIGINS = ("source setting", "setting", "imports", "")


@dataclass(frozen=True)
class SourceFreshness:
    """One source: its imports, its newest record, its cadence and its state in words.

    ``key`` is the import's format as recorded ("shopify_orders", "generic_orders"), the
    key of its own cadence setting; ``name`` says it in words ("Shopify orders")."""

    key: str
    name: str
    imports: int  # landed imports of it (undone ones do not count)
    last_import_at: dt.datetime  # UTC
    last_import_rows: int  # rows the last import read
    newest_record: dt.date | None  # the newest record date among its rows (UTC day)
    cadence_days: float | None  # the expected days between imports (None: not known)
    cadence_from: str  # one of CADENCE_ORIGINS ("": not known)
    record_gap_days: float | None  # the usual days between its records' days
    import_age_days: float  # days since its last import
    record_age_days: float | None  # days since its newest record
    state: str  # one of FRESHNESS_STATES
    reason: str  # the state in a sentence, naming the source

    @property
    def current(self) -> bool:
        """It came when expected."""
        return self.state == "current"


@dataclass(frozen=True)
class FreshnessReport:
    """Every source of the workspace at ``as_of``, the least current first."""

    as_of: dt.datetime
    sources: tuple[SourceFreshness, ...] = ()
    # An account manager of a shared workspace reads no import (an import's report quotes
    # the rows it refused: the team lead's and the admins' to read): none is listed.
    imports_hidden: bool = False

    @property
    def notices(self) -> tuple[SourceFreshness, ...]:
        """The sources that are late or stale."""
        return tuple(s for s in self.sources if not s.current)

    @property
    def notice_lines(self) -> tuple[str, ...]:
        """The notices' sentences."""
        return tuple(s.reason for s in self.notices)
