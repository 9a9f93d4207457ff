"""Writing the activities logged in the app to a CRM's import file, one export after another.

Each export remembers, per CRM, the last activity it wrote (models/schema/crm.py); the
next one to the same CRM writes only the activities logged since. ``since`` (a date) or
``everything`` writes regardless of what was written before, and still moves the mark on.

The file goes through the one guarded writer (services/core/output_files.py): never over
the workspace or another database, an existing file only when asked, nothing half
written. It is CSV in UTF-8 with a byte-order mark (what Excel, Salesforce's Data Import
Wizard and HubSpot's import all read), and a cell a spreadsheet would run as a formula is
written as text (``neutralise_text``). The export is audited ("crm.activities_exported").
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.errors import UserFacingError
from models.schema import AuditEvent, CrmExport
from models.vocab import CRM_TARGETS
from services.core.output_files import display_path, neutralise_text, write_atomically
from services.crm_files.activities import (
    Activity,
    logged_activities,
    logged_records,
    with_keys,
)
from services.crm_files.layouts import layout_rows
from services.crm_files.records import events_path_for
from services.settings.views import OutreachSettings

__all__ = [
    "TARGET_TITLES",
    "ActivitiesExport",
    "CrmExportError",
    "ExportPlan",
    "export_activities",
    "plan_export",
]

CSV_ENCODING = "utf-8-sig"
TARGET_TITLES = {"salesforce": "Salesforce", "hubspot": "HubSpot", "csv": "a plain CSV file"}


class CrmExportError(UserFacingError):
    """The activities cannot be exported (an unknown target, a refused file)."""


@dataclass(frozen=True)
class ExportPlan:
    """What an export would write: how many activities, of which dates, after which mark."""

    target: str
    count: int
    first: dt.date | None
    last: dt.date | None
    after_id: int
    last_export: dt.datetime | None

    def words(self) -> str:
        """The plan in a sentence ("3 activities, 2 to 9 March 2026, logged since ...")."""
        from services.core.formatting import format_date, format_date_time

        if not self.count:
            what = "No activities to write"
        else:
            noun = "activity" if self.count == 1 else "activities"
            assert self.first is not None
            assert self.last is not None
            days = (
                format_date(self.first)
                if self.first == self.last
                else f"{format_date(self.first)} to {format_date(self.last)}"
            )
            what = f"{self.count:,} {noun}, {days}"
        if self.last_export is not None and self.after_id:
            last = format_date_time(self.last_export)
            return f"{what}: logged since the last export for this CRM ({last})."
        return f"{what}."

    def nothing_words(self, everything_hint: str) -> str:
        """Why no file was written, when there was nothing to write: "Nothing new since
        the last export on Mar 7, 2026; use --all to export everything" (the hint is the
        way to ask for everything where the export was asked: an option, a choice)."""
        from services.core.formatting import format_date

        if self.last_export is not None and self.after_id:
            day = format_date(self.last_export.date())
            return f"Nothing new since the last export on {day}; {everything_hint}"
        return "No activities to write; no file was written"


@dataclass(frozen=True)
class ActivitiesExport:
    """What was written: the file, the CRM it is for, how many activities and their dates."""

    path: Path
    target: str
    plan: ExportPlan
    # False when there was nothing to write: no file was written (an existing one is left
    # as it was), the mark did not move, nothing was audited.
    written: bool = True
    # Salesforce's meetings, as Events in a file of their own beside ``path`` (None: no
    # meeting to write, or another CRM); then ``path`` holds the Tasks, if any.
    events_path: Path | None = None
    events: int = 0


def _check_target(target: str) -> None:
    if target not in CRM_TARGETS:
        raise CrmExportError(
            f"'{target}' is not a CRM the app writes for; one of {', '.join(CRM_TARGETS)}."
        )


def _mark(
    session: Session, target: str, who: str
) -> tuple[tuple[int, int, int], dt.datetime | None]:
    """Where the last export to ``target`` ended. In a shared workspace each person's own:
    a manager sees only her book's activities, so her export must not move the mark past
    the other books' (nor a lead's past hers)."""
    x = CrmExport
    query = select(
        func.max(x.last_interaction_id), func.max(x.last_action_id),
        func.max(x.last_event_id), func.max(x.exported_at),
    ).where(x.target == target)  # fmt: skip
    if session.get_bind().dialect.name == "postgresql":
        query = query.where(x.exported_by == who)
    row = session.execute(query).one()
    when = row[3]
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return (int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)), when


def _selection(
    session: Session, target: str, since: dt.date | None, everything: bool, who: str
) -> tuple[list[Activity], int, dt.datetime | None]:
    mark, when = _mark(session, target, who)
    after = (0, 0, 0) if (everything or since is not None) else mark
    logged = logged_activities(session, after_id=after[0], since=since)
    logged += logged_records(session, after_action=after[1], after_event=after[2], since=since)
    logged.sort(key=lambda a: a.occurred_at)
    return logged, max(after), when


def _plan(
    target: str, activities: list[Activity], after: int, when: dt.datetime | None
) -> ExportPlan:
    days = [a.occurred_at.date() for a in activities]
    return ExportPlan(
        target=target, count=len(activities), first=min(days, default=None),
        last=max(days, default=None), after_id=after, last_export=when,
    )  # fmt: skip


def plan_export(
    engine: Engine,
    target: str,
    *,
    since: dt.date | None = None,
    everything: bool = False,
    actor: str | None = None,
) -> ExportPlan:
    """What an export to ``target`` would write now (nothing is written)."""
    from services.alerts.config import default_actor

    _check_target(target)
    with Session(engine) as session:
        activities, after, when = _selection(
            session, target, since, everything, actor or default_actor()
        )
    return _plan(target, activities, after, when)


def _write_csv(path: Path, *, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    with path.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise_text(cell) for cell in row])


def export_activities(
    engine: Engine,
    target: str,
    path: str | os.PathLike[str],
    *,
    since: dt.date | None = None,
    everything: bool = False,
    force: bool = False,
    protected: tuple[str | os.PathLike[str], ...] = (),
    actor: str | None = None,
) -> ActivitiesExport:
    """Write the activities for ``target`` to ``path`` and remember the last one written;
    with none to write, no file (``written`` False): a file of only the header would
    import nothing and could replace a file that held some."""
    from services.alerts.config import default_actor

    _check_target(target)
    who = actor or default_actor()
    with Session(engine) as session, session.begin():
        activities, after, when = _selection(session, target, since, everything, who)
        if not activities:
            plan = _plan(target, activities, after, when)
            return ActivitiesExport(Path(path).expanduser(), target, plan, written=False)
        activities = with_keys(session, activities)
        sent_fields = OutreachSettings.read(session).sent_fields
        written, events_path, events = _write_files(
            target, activities, sent_fields, path, force=force, protected=protected
        )
        plan = _plan(target, activities, after, when)
        now = dt.datetime.now(dt.UTC)
        session.add(
            CrmExport(
                target=target,
                last_interaction_id=max(a.interaction_id for a in activities),
                last_action_id=max(a.action_id for a in activities),
                last_event_id=max(a.event_id for a in activities),
                rows=len(activities), path=display_path(written), exported_by=who,
                exported_at=now,
            )
        )  # fmt: skip
        session.add(
            AuditEvent(
                occurred_at=now, actor=who, action="crm.activities_exported",
                entity_type="crm_export", entity_id=None,
                details={"target": target, "rows": len(activities),
                         "file": display_path(written)},
            )
        )  # fmt: skip
    return ActivitiesExport(
        path=written, target=target, plan=plan, events_path=events_path, events=events
    )


def _write_files(
    target: str,
    activities: list[Activity],
    sent_fields: list[str],
    path: str | os.PathLike[str],
    *,
    force: bool,
    protected: tuple[str | os.PathLike[str], ...],
) -> tuple[Path, Path | None, int]:
    """Write the file(s) of ``target``: (the main file, the Salesforce Events' file or
    None, how many meetings it holds). For Salesforce, meetings go as Events beside the
    Tasks; with only meetings to write, the main file is the Events' own."""
    events = [a for a in activities if target == "salesforce" and a.kind == "meeting"]
    rest = [a for a in activities if a not in events] if events else activities
    chosen = Path(path).expanduser()
    files: list[tuple[Path, str, list[Activity]]] = []
    if rest:
        files.append((chosen, target, rest))
    events_file = None
    if events:
        events_file = events_path_for(path) if rest else chosen
        files.append((events_file, "salesforce_event", events))
    for where, layout, chosen_rows in files:
        header, rows = layout_rows(layout, chosen_rows, sent_fields)
        write_atomically(
            where, functools.partial(_write_csv, header=header, rows=rows), force=force,
            protected=protected, what="the activities file",
        )  # fmt: skip
    return files[0][0], events_file, len(events)
