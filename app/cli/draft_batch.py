"""`draft --batch --alerts FILTER --out DIR`: one email per customer of the alerts that
match, written as .eml files into DIR with a summary.csv, each recorded as outreach
"exported" (services/outreach/batch.py and batch_delivery.py do the work).

FILTER takes the `alerts` command's filters as key=value pairs separated by commas; a
value without a key adds to the key before it: "severity=critical,warning,queue=risk".
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from models.vocab import ALERT_QUEUES, SEVERITIES

FILTER_KEYS = ("severity", "status", "queue", "owner", "rule")
BATCH_HELP = """\
--batch: draft for every customer of the alerts FILTER matches (one email each, from
their highest-priority alert) and write them as .eml files into --out DIR, with
summary.csv (customer, email, alert, subject, checks, skipped reason). Each email
written is recorded as outreach "exported" (the quiet period starts). Customers who
asked not to be contacted, unsubscribed, were contacted in the cool-down, are in the
Holdout, have no address or wait in another open batch are skipped and listed.
FILTER: the alerts command's filters, key=value separated by commas (a bare value adds
to the key before it): severity=critical,warning  status=open (default: open and in
progress)  queue=risk|growth|pipeline  owner=NAME  rule=RULE_KEY. A run that stopped
half-way is picked up by running it again with the same --alerts; no email is recorded
twice.
  python main.py draft --batch --alerts "severity=critical,queue=risk" --out emails/"""


class FilterError(ValueError):
    """A FILTER the command cannot read."""


def parse_filter(text: str) -> dict[str, tuple[str, ...]]:
    """ "severity=critical,warning,queue=risk" -> {"severity": ("critical", "warning"),
    "queue": ("risk",)}; FilterError on an unknown key or a value before any key."""
    found: dict[str, list[str]] = {}
    key: str | None = None
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if "=" in part:
            name, value = (s.strip() for s in part.split("=", 1))
            key = name.lower()
            if key not in FILTER_KEYS:
                raise FilterError(
                    f"'{name}' is not a filter; use {', '.join(FILTER_KEYS)} (key=value)."
                )
            found.setdefault(key, []).append(value)
        elif key is None:
            raise FilterError(f"'{part}' has no key; write it as key=value, e.g. severity={part}.")
        else:
            found[key].append(part)
    return {k: tuple(v) for k, v in found.items()}


def matching_alerts(engine: object, flt: dict[str, tuple[str, ...]]) -> list[int]:
    """The ids of the alerts the filter matches, highest priority first."""
    import datetime as dt

    from app.cli.alerts import STATUS_GROUPS, STATUSES
    from app.cli.errors import CommandError
    from services.alerts.queries import alert_columns

    statuses: list[str] = []
    for value in flt.get("status", ("working",)):
        if value in STATUS_GROUPS:
            statuses += STATUS_GROUPS[value]
        elif value in STATUSES:
            statuses.append(value)
        else:
            raise CommandError(f"Unknown status '{value}' in --alerts.")
    for value in flt.get("severity", ()):
        if value not in SEVERITIES:
            raise CommandError(f"Unknown severity '{value}'; one of {', '.join(SEVERITIES)}.")
    for value in flt.get("queue", ()):
        if value not in ALERT_QUEUES:
            raise CommandError(f"Unknown queue '{value}'; one of {', '.join(ALERT_QUEUES)}.")
    owners = flt.get("owner")
    if owners is not None and len(owners) > 1:
        raise CommandError("Give one owner in --alerts.")
    columns = alert_columns(
        engine,  # type: ignore[arg-type]
        statuses=tuple(dict.fromkeys(statuses)),
        severities=flt.get("severity"),
        owner=owners[0] if owners else None,
        now=dt.datetime.now(dt.UTC),
    )
    keep = [True] * len(columns["id"])
    if "queue" in flt:
        keep = [k and str(q) in flt["queue"] for k, q in zip(keep, columns["queue"], strict=True)]
    if "rule" in flt:
        keep = [k and str(r) in flt["rule"] for k, r in zip(keep, columns["rule_key"], strict=True)]
    return [int(i) for i, k in zip(columns["id"], keep, strict=True) if k]


def canonical_filter(flt: dict[str, tuple[str, ...]]) -> str:
    """A filter written one way: keys and their values in order ("queue=risk,severity=
    critical,warning")."""
    return ",".join(f"{key}=" + ",".join(sorted(set(flt[key]))) for key in sorted(flt))


def cmd_draft_batch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:  # noqa: C901, PLR0915
    """Draft for all the alerts FILTER matches, into --out DIR (see BATCH_HELP)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.cli.errors import EXIT_OK, CommandError
    from app.workspace import command_workspace
    from models.db import session_scope
    from models.schema import BatchDraft, DraftBatch
    from services.alerts.config import default_actor
    from services.alerts.lifecycle import moment
    from services.core.output_files import unused_path
    from services.outreach.batch import (
        approve_row,
        close_if_done,
        create_batch,
        draft_batch,
        load_batch,
        preview_batch,
    )
    from services.outreach.batch_delivery import export_eml_folder
    from services.outreach.batch_records import OPEN_STATES
    from services.outreach.prompt import mark_reviewed, provider_from_settings

    if args.customer:
        raise CommandError("Give a customer or --batch, not both.")
    if not args.alerts or not args.out:
        raise CommandError("--batch needs --alerts FILTER and --out DIR.")
    try:
        flt = parse_filter(args.alerts)
    except FilterError as exc:
        raise CommandError(str(exc)) from exc
    folder = Path(args.out).expanduser()
    problem = out_folder_problem(folder)
    if problem is not None:
        raise CommandError(problem)
    # The same filter however it is written ("queue=risk,severity=critical" or the other
    # way round) is the same batch, to pick up where a run stopped.
    title = f"draft --batch --alerts {canonical_filter(flt)}"
    actor = default_actor()
    with command_workspace(args.db) as workspace:
        engine = workspace.engine
        with Session(engine) as session:
            resumed = session.scalar(
                select(DraftBatch.id)
                .where(
                    DraftBatch.title == title,
                    DraftBatch.closed_at.is_(None),
                    DraftBatch.id.in_(
                        select(BatchDraft.batch_id).where(BatchDraft.state.in_(OPEN_STATES))
                    ),
                )
                .order_by(DraftBatch.id.desc())
                .limit(1)
            )
        reviewed = False
        if resumed is None:
            targets = matching_alerts(engine, flt)
            if not targets:
                print("No alerts match; nothing was drafted.", file=out)
                return EXIT_OK
            plan = preview_batch(engine, targets, offline=args.offline)
            if plan.needs_review:
                if not args.confirm_send:
                    raise CommandError(
                        "Review what will be sent first: python main.py draft CUSTOMER "
                        "--show-request, then add --confirm-send"
                    )
                print("Sending requests like this one (reviewed with --confirm-send):", file=err)
                print(plan.request_text, file=err)
                with session_scope(workspace.sessions) as session:
                    config = provider_from_settings(session)
                    if config is not None:
                        mark_reviewed(session, config, actor=actor)
            batch_id = create_batch(
                engine,
                targets,
                goal=args.goal,
                tone=args.tone,
                offline=args.offline,
                title=title,
                actor=actor,
            )
        else:
            batch_id = int(resumed)
            print(f"Picking up the batch this command started before ({batch_id}).", file=err)
        # A provider reviewed before is remembered (llm.reviewed_remote).
        reviewed = reviewed or bool(args.confirm_send)
        draft_batch(engine, batch_id, reviewed=reviewed)
        for row in load_batch(engine, batch_id).rows:
            if row.state == "drafted":
                approve_row(engine, row.id)
        result = export_eml_folder(engine, batch_id, folder, actor=actor)
        with session_scope(workspace.sessions) as session:
            # Nothing left to write (all written or skipped): the next run starts afresh.
            close_if_done(session, batch_id, moment(None))
        view = load_batch(engine, batch_id)
    summary = unused_path(folder / "summary.csv")  # an earlier run's summary stays
    _write_summary(summary, view)
    skipped = [r for r in view.rows if r.state == "skipped"]
    earlier = view.count("exported") - result.done
    recorded = (
        " (recorded as outreach 'exported': the quiet period starts for these customers)"
        if result.done
        else ""
    )
    print(
        f"Wrote {result.done:,} email{'s' if result.done != 1 else ''} to {folder}{recorded}.",
        file=out,
    )
    if earlier:
        print(
            f"{earlier:,} written by an earlier run of this batch were not recorded again.",
            file=out,
        )
    if skipped:
        print(f"Skipped {len(skipped):,}:", file=out)
        reasons: dict[str, int] = {}
        for row in skipped:
            reason = row.skip_reason or "skipped"
            reasons[reason] = reasons.get(reason, 0) + 1
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
            print(f"  {count:,} {reason}", file=out)
    for error in result.errors:
        print(f"Not written: {error}", file=err)
    checked = sum(1 for r in view.rows if r.state == "exported" and r.checks)
    if checked:
        print(f"{checked:,} drafts have checks to read ({summary.name}, column checks).", file=out)
    print(f"Summary: {summary}", file=out)
    return EXIT_OK


SUMMARY_COLUMNS = ("customer", "email", "alert", "subject", "checks", "skipped reason")


def _write_summary(path: Path, view: object) -> None:
    """summary.csv through the export writer: customer names and subjects come from the
    customers' data, so text a spreadsheet would run as a formula is neutralised there."""
    import pandas as pd

    from models.private_files import make_private_folder
    from services.outreach.batch_records import BatchView
    from services.usecases.exporting import write_table

    assert isinstance(view, BatchView)
    make_private_folder(path.parent)
    rows = [
        (
            row.customer,
            row.recipient or "",
            str(row.alert_id or ""),
            row.subject if row.state in ("exported", "sent") else "",
            " | ".join(row.checks),
            row.skip_reason or (row.error or "" if row.state == "failed" else ""),
        )
        for row in view.rows
    ]
    # Written through a private temporary file and renamed: it lists customers and emails.
    write_table(pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS), dtype=object), path)


def out_folder_problem(folder: Path) -> str | None:
    """Why --out cannot be the folder for the emails (a file, or inside one), or None."""
    from services.core.output_files import display_path

    shown = display_path(folder)
    for place in (folder, *folder.parents):
        if place.exists() or place.is_symlink():
            if place.is_dir():
                return None
            if place == folder:
                return (
                    f"{shown} is a file, not a folder; nothing was drafted. Give --out a "
                    "folder for the emails (it is created if it does not exist)."
                )
            return (
                f"{shown} cannot be created: {display_path(place)} is a file, not a folder; "
                "nothing was drafted. Give --out another folder."
            )
    return None
