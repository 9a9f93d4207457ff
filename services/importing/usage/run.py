"""The import of a product-usage export, one transaction: read it chunk by chunk, match
each event's people to customers, sum per customer and local day, write the days
(services/importing/usage/store.py) and record the run in import_runs with what was read,
matched, left unmatched (by reason) and rejected. Raw events are never kept and no
customer or interaction is ever created from usage."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from models.base import utcnow
from models.errors import UserFacingError
from models.schema import ImportRun
from services.core.formatting import plural
from services.core.local_dates import TIME_ZONE_SETTING, workspace_zone
from services.core.output_files import display_path
from services.importing.settling import _resolved
from services.importing.transaction import import_transaction
from services.importing.types import (
    USAGE_KIND,
    FileReport,
    ImportCancelled,
    KindCounts,
    RejectedRow,
)
from services.importing.usage.aggregate import DayFigures, EventTotals
from services.importing.usage.dedup import SeenKeys
from services.importing.usage.events import normalise
from services.importing.usage.matching import Matcher
from services.importing.usage.sources import Chunk, Sniffed, chunks
from services.importing.usage.store import days_written_by, write_days
from services.importing.usage.summaries import SummaryTotals

__all__ = ["USAGE_KIND", "import_usage"]

MAX_STORED_REJECTS = 10_000
ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]


@dataclass
class Tally:
    """What the reading found: records, matched events, the unmatched by reason, rejects."""

    records: int = 0
    events: int = 0
    matched: int = 0
    customers: set[int] = field(default_factory=set)
    unmatched: dict[str, tuple[set[str], int]] = field(default_factory=dict)
    rejects: list[tuple[int, str]] = field(default_factory=list)
    rejected: int = 0
    duplicates: int = 0

    def reject(self, found: list[tuple[int, str]] | tuple[tuple[int, str], ...]) -> None:
        self.rejected += len(found)
        room = MAX_STORED_REJECTS - len(self.rejects)
        if room > 0:
            self.rejects.extend(found[:room])

    def unmatched_by(
        self, who: pd.DataFrame, customers: np.ndarray[Any, Any], reasons: np.ndarray[Any, Any]
    ) -> None:
        missed = customers < 0
        if not missed.any():
            return
        people = who["user"].where(who["user"] != "", who["email"])
        people = people.where(people != "", "account " + who["account"].astype(str))
        counts = who["count"] if "count" in who.columns else pd.Series(1, index=who.index)
        frame = pd.DataFrame(
            {
                "why": reasons[missed],
                "who": people.to_numpy()[missed],
                "n": counts.to_numpy()[missed],
            }
        )
        for why, part in frame.groupby("why"):
            seen, events = self.unmatched.setdefault(str(why), (set(), 0))
            seen.update(part["who"].astype(str))
            self.unmatched[str(why)] = (seen, events + int(part["n"].sum()))


def _zone(conn: Connection) -> str:
    # The setting through the policy-aware resolver, on the import's own connection.
    return workspace_zone(str(_resolved(conn, TIME_ZONE_SETTING, "") or ""))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _columns(sniffed: Sniffed) -> list[str]:
    layout = sniffed.layout
    return [*layout.columns.values(), *layout.features]


def _group_links(sniffed: Sniffed, zone: str) -> dict[str, str]:
    """Segment's group calls: which account each user is in (read before the events)."""
    links: dict[str, str] = {}
    for chunk in chunks(sniffed, _columns(sniffed)):
        _events, _rejects, found = normalise(sniffed.layout, chunk.frame, chunk.rows, zone)
        links.update(found)
    return links


def _read_events(
    sniffed: Sniffed,
    matcher: Matcher,
    zone: str,
    tally: Tally,
    step: Callable[[Chunk], None],
) -> tuple[Iterator[list[DayFigures]], int]:
    layout = sniffed.layout
    links = _group_links(sniffed, zone) if layout.name == "segment_events" else {}
    totals = EventTotals(sessions=layout.name != "pendo_events" or "session" in layout.columns)
    seen = SeenKeys()
    for chunk in chunks(sniffed, _columns(sniffed)):
        events, rejects, _links = normalise(layout, chunk.frame, chunk.rows, zone)
        if links:
            linked = events["user"].map(links).fillna("")
            events["account"] = events["account"].where(events["account"] != "", linked)
        tally.records += len(chunk.frame) + len(chunk.rejects)
        tally.reject(chunk.rejects)
        tally.reject(rejects)
        fresh = seen.fresh(events["key"].to_numpy())
        if not fresh.all():
            tally.duplicates += int((~fresh).sum())
            events = events.loc[fresh].reset_index(drop=True)
        customers, reasons = matcher.match(events)
        counts = events["count"].to_numpy()
        tally.events += int(counts.sum())
        tally.matched += int(counts[customers >= 0].sum())
        tally.customers.update(int(c) for c in np.unique(customers[customers >= 0]))
        tally.unmatched_by(events, customers, reasons)
        totals.add(events, customers)
        step(chunk)
    return totals.batches(), totals.days()


def _read_summaries(
    sniffed: Sniffed, matcher: Matcher, tally: Tally, step: Callable[[Chunk], None]
) -> tuple[Iterable[list[DayFigures]], int]:
    totals = SummaryTotals(sniffed.layout)
    for chunk in chunks(sniffed, _columns(sniffed)):
        tally.records += len(chunk.frame)
        tally.reject(chunk.rejects)
        rejects, who, customers, reasons = totals.add(chunk.frame, chunk.rows, matcher)
        tally.reject(rejects)
        tally.events += len(who)
        tally.matched += int((customers >= 0).sum())
        tally.customers.update(int(c) for c in np.unique(customers[customers >= 0]))
        tally.unmatched_by(who, customers, reasons)
        step(chunk)
    figures = totals.figures()
    return [figures[i : i + 20_000] for i in range(0, len(figures), 20_000)], len(figures)


def _notes(sniffed: Sniffed, tally: Tally, days: int) -> list[str]:
    what = "rows" if sniffed.layout.aggregate else "events"
    notes = [
        f"{tally.matched:,} of {tally.events:,} {what} matched "
        f"{plural(len(tally.customers), 'customer')}, summed into "
        f"{plural(days, 'customer-day')} of product usage ({sniffed.layout.source})"
    ]
    if tally.duplicates:
        notes.append(
            f"{plural(tally.duplicates, 'exact duplicate record')} (the same person, event, "
            "time and event id as one before it) counted once"
        )
    for why, (people, events) in sorted(tally.unmatched.items()):
        left = plural(events, what[:-1])
        notes.append(
            f"{plural(len(people), 'user or account', 'users or accounts')} not matched "
            f"({why}): {left} left out"
        )
    if tally.unmatched:
        notes.append(
            "to count them, import their customers first (with their emails or ids), then "
            "this file again: only their days are added, the others are never counted twice"
        )
    return notes


def _error(path: Path, sniffed: Sniffed, message: str, tally: Tally) -> FileReport:
    rejects = tuple(RejectedRow(path.name, r, why) for r, why in tally.rejects)
    return FileReport(
        file=path.name,
        detected_format=sniffed.layout.name,
        run_id=None,
        landed=False,
        rows_read=tally.records,
        inserted=0,
        updated=0,
        unchanged=0,
        rejected=tally.rejected,
        rejects=rejects,
        notes=tuple(_notes(sniffed, tally, 0)[1:]),
        error=message,
        kind=USAGE_KIND,
    )


def _earlier_runs(conn: Connection, sha256: str) -> list[int]:
    """The landed usage imports of this very file (the same SHA-256)."""
    return [
        int(r)
        for r in conn.scalars(
            select(ImportRun.id).where(
                ImportRun.kind == USAGE_KIND,
                ImportRun.status == "landed",
                ImportRun.file_sha256 == sha256,
            )
        )
    ]


def _start_run(conn: Connection, path: Path, sniffed: Sniffed, sha256: str) -> int:
    result = conn.execute(
        insert(ImportRun).values(
            source_path=display_path(path.resolve()),
            file_name=display_path(path.name),
            file_sha256=sha256,
            detected_format=sniffed.layout.name,
            kind=USAGE_KIND,
            status="running",
            started_at=utcnow(),
            rows_read=0,
            inserted=0,
            updated=0,
            rejected=0,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def import_usage(
    engine: Engine,
    path: Path,
    sniffed: Sniffed,
    *,
    kind: str,
    dry_run: bool,
    progress: ProgressFn,
    cancelled: CancelledFn | None,
) -> FileReport:
    """Import one usage export (module docstring); a report saying why when it cannot."""
    tally = Tally()
    if kind not in ("auto", USAGE_KIND):
        return _error(
            path,
            sniffed,
            f"{path.name} is a {sniffed.layout.title} of product usage, not {kind}; "
            "import it with --kind auto",
            tally,
        )

    def step(chunk: Chunk) -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled(f"Import cancelled; nothing from {path.name} was saved.")
        progress(
            0.85 * chunk.fraction,
            f"reading {path.name}: {tally.records:,} records, "
            f"{plural(len(tally.customers), 'customer')} matched",
        )

    progress(0.0, f"reading {path.name}")
    try:
        with import_transaction(engine, commit=not dry_run) as session:
            conn = session.connection()
            matcher = Matcher(conn)
            if sniffed.layout.aggregate:
                figures, days = _read_summaries(sniffed, matcher, tally, step)
            else:
                figures, days = _read_events(sniffed, matcher, _zone(conn), tally, step)
            if not tally.customers:
                return _error(path, sniffed, _nothing(path, sniffed, tally), tally)
            progress(0.86, f"saving {path.name}")
            sha256 = _sha256(path)
            counted = days_written_by(session, _earlier_runs(conn, sha256))
            run_id = _start_run(conn, path, sniffed, sha256)

            def written(done: int) -> None:
                if cancelled is not None and cancelled():
                    raise ImportCancelled(f"Import cancelled; nothing from {path.name} was saved.")
                progress(
                    0.86 + 0.13 * done / max(days, 1),
                    f"saving {path.name}: {done:,} of {plural(days, 'customer-day')}",
                )

            source = sniffed.layout.source
            inserted, updated, unchanged = write_days(
                session, run_id, source, figures, written, counted=counted
            )
            notes = _notes(sniffed, tally, inserted + updated + unchanged)
            _finish_run(conn, run_id, tally, notes, (inserted, updated, unchanged), dry_run)
    except ImportCancelled:
        raise
    except UserFacingError as exc:
        # Nothing was written: the transaction rolled back.
        return _error(path, sniffed, str(exc), tally)
    rejects = tuple(RejectedRow(path.name, r, why) for r, why in tally.rejects)
    return FileReport(
        file=path.name,
        detected_format=sniffed.layout.name,
        run_id=None if dry_run else run_id,
        landed=True,
        rows_read=tally.records,
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejected=tally.rejected,
        rejects=rejects,
        notes=tuple(notes),
        error=None,
        kind=USAGE_KIND,
        by_kind=(KindCounts(USAGE_KIND, inserted, updated, unchanged),),
    )


def _nothing(path: Path, sniffed: Sniffed, tally: Tally) -> str:
    if tally.records == 0:
        return f"{path.name} has a header but no data rows"
    if tally.events == 0:
        return (
            f"none of the {tally.records:,} records of {path.name} could be read "
            "(see the rejected rows)"
        )
    what = "rows" if sniffed.layout.aggregate else "events"
    return (
        f"none of the {tally.events:,} {what} of {path.name} belongs to a customer of this "
        "workspace (nobody was matched by email, user id or account). Import the customers "
        "first, with their emails or ids, then this file again"
    )


def _finish_run(
    conn: Connection,
    run_id: int,
    tally: Tally,
    notes: list[str],
    counts: tuple[int, int, int],
    dry_run: bool,
) -> None:
    inserted, updated, unchanged = counts
    report = {
        "usage": {
            "records_read": tally.records,
            "events_read": tally.events,
            "events_matched": tally.matched,
            "customers_matched": len(tally.customers),
            "days_written": inserted + updated,
            "days_unchanged": unchanged,
            "duplicates": tally.duplicates,
            "unmatched": {
                why: {"people": len(people), "events": events}
                for why, (people, events) in sorted(tally.unmatched.items())
            },
        },
        "unchanged": unchanged,
        "by_kind": {USAGE_KIND: {"inserted": inserted, "updated": updated, "unchanged": unchanged}},
        "customers_created": 0,
        "notes": notes,
        "rejects_total": tally.rejected,
        "rejects": [{"row": r, "reason": why} for r, why in tally.rejects],
        "dry_run": dry_run,
    }
    conn.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id)
        .values(
            status="landed",
            finished_at=utcnow(),
            rows_read=tally.records,
            inserted=inserted,
            updated=updated,
            rejected=tally.rejected,
            report=report,
        )
    )
