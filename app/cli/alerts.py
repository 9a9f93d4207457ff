"""Command alerts: list the workspace's alerts, highest priority first."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.args import some_of, whole_number
from models.vocab import ACTIVE_ALERT_STATUSES, ALERT_STATUSES, SEVERITIES

# The statuses a user filters by (held_back has its own option, --held-back).
HELD_BACK = "held_back"  # left out of today's queue by the daily cap per owner
STATUSES = tuple(s for s in ALERT_STATUSES if s != HELD_BACK)
STATUS_GROUPS = {
    "working": ("open", "in_progress"),
    "active": ACTIVE_ALERT_STATUSES,
    "closed": ("resolved", "dismissed"),
    "all": STATUSES,
}
DEFAULT_LIMIT = 50

ALERTS_EPILOG = """\
Alerts are raised and refreshed by 'score'. Without --status the list shows the alerts
to work on: open and in progress (a snooze whose date has come counts as open).
Several values can be given with commas: --severity critical,warning.
Examples:
  python main.py alerts --severity critical
  python main.py alerts --status snoozed --owner "Maya Thompson"
  python main.py alerts --status all --limit 0
  python main.py alerts --held-back"""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    alerts = commands.add_parser(
        "alerts",
        help="list the alerts, highest priority first",
        description="List the workspace's alerts: severity, customer, rule, the reason in "
        "words, the priority (for a lapse warning what it is worth acting on: the chance of a "
        "lapse x the customer's value, with the weight the Early-warning replay chose; for a "
        "usage drop the chance it is real x the value; revenue at risk for the other risk "
        "alerts; the expected upside of an opportunity), "
        "age, the day it is due (as the card says it; an alert about a renewal's deadline is "
        "due by that day at the latest), owner and status, sorted by priority.",
        epilog=ALERTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    alerts.add_argument(
        "--severity",
        type=some_of(SEVERITIES),
        metavar="S",
        help=f"only these severities: {', '.join(SEVERITIES)}",
    )
    alerts.add_argument(
        "--status",
        type=some_of(STATUSES, STATUS_GROUPS),
        metavar="S",
        help=f"only these statuses: {', '.join(STATUSES)}, or working (the default: open "
        "and in progress), active (with snoozed), closed, all",
    )
    alerts.add_argument(
        "--held-back",
        action="store_true",
        help="list the alerts the daily cap per owner held back from today's queue instead "
        "(raise one in the window's Alerts tab)",
    )
    alerts.add_argument("--owner", metavar="O", help="only alerts of this owner (any case)")
    alerts.add_argument(
        "--limit",
        type=whole_number(0, zero_means="all"),
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show at most N alerts (default {DEFAULT_LIMIT}; 0 shows all)",
    )
    alerts.set_defaults(handler=cmd_alerts)
    from app.cli.ticket import register_ticket

    register_ticket(alerts.add_subparsers(dest="alerts_command", metavar="[ticket]"))


def _cut(text: str | None, width: int) -> str:
    value = " ".join((text or "").split())
    return value if len(value) <= width else value[: width - 1] + "…"


def _age(seconds: float) -> str:
    days = int(seconds // 86_400)
    if days >= 1:
        return f"{days}d"
    return f"{max(int(seconds // 3600), 0)}h"


def _money(cents: int, currency: str) -> str:
    from services.core.money import format_money

    return format_money(cents, currency, decimals=0)


COLUMNS = (
    ("severity", 11),
    ("customer", 22),
    ("rule", 21),
    ("reason", 64),
    ("priority", 10),
    ("age", 5),
    ("due", 11),
    ("owner", 16),
    ("status", 11),
)


def _reason(columns: dict[str, Any], i: int) -> str:
    """A row's reason as the window's card says it: once the alert's condition cleared,
    its figures are those of the scoring that raised it, and it says so."""
    reason = str(columns["reason"][i])
    cleared = columns.get("condition_cleared")
    if cleared is not None and bool(cleared[i]):
        return f"condition cleared; when raised: {reason}"
    return reason


def format_table(
    columns: dict[str, Any], now_seconds: float, limit: int, currency: str = "USD"
) -> list[str]:
    """The alert rows as a fixed-width text table (what `alerts` prints); priorities are
    in ``currency`` (the workspace's home currency)."""
    header = "  ".join(
        name.upper().rjust(width) if name in ("priority", "age") else name.upper().ljust(width)
        for name, width in COLUMNS
    )
    lines = [header.rstrip()]
    count = len(columns["id"])
    shown = count if limit == 0 else min(limit, count)
    created = columns["created_at"].astype("datetime64[s]").astype("int64")
    for i in range(shown):
        cells = {
            "severity": columns["severity"][i],
            "customer": columns["customer"][i],
            "rule": columns["rule"][i],
            "reason": _reason(columns, i),
            "priority": _money(int(columns["priority_cents"][i]), currency),
            "age": _age(now_seconds - float(created[i])),
            "due": (columns["due"][i] if "due" in columns else "") or "-",
            "owner": columns["owner"][i] or "-",
            "status": str(columns["status"][i]).replace("_", " "),
        }
        row = "  ".join(
            _cut(cells[name], width).rjust(width)
            if name in ("priority", "age")
            else _cut(cells[name], width).ljust(width)
            for name, width in COLUMNS
        )
        lines.append(row.rstrip())
    return lines


def cmd_alerts(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the alerts that match the filters, highest priority first."""
    import datetime as dt

    import numpy as np

    from app.cli.errors import EXIT_OK, CommandError
    from app.workspace import command_workspace
    from services.alerts.queries import alert_columns, alert_counts
    from services.alerts.sla import due_cells
    from services.core.money import load_money_context
    from services.scoring.queries import latest_run_id

    now = dt.datetime.now(dt.UTC)
    with command_workspace(args.db) as workspace:
        with workspace.sessions() as session:
            scored = latest_run_id(session) is not None
            currency = load_money_context(session).home
        if args.held_back and args.status is not None:
            raise CommandError("Give --held-back or --status, not both.")
        statuses = args.status if args.status is not None else STATUS_GROUPS["working"]
        if args.held_back:
            statuses = (HELD_BACK,)
        columns = alert_columns(
            workspace.engine,
            statuses=statuses,
            severities=args.severity,
            owner=args.owner,
            now=now,
        )
        counts = alert_counts(workspace.engine, now=now)
        # By when to act, as the card's header says it (services/alerts/sla.py).
        due = due_cells(workspace.engine, columns["id"], columns["created_at"],
                        columns["severity"], columns["status"], now)  # fmt: skip
        columns["due"] = np.array(due, dtype=object)
    total = len(columns["id"])
    if total == 0:
        if not scored:
            print("No alerts yet: the workspace has not been scored. Run 'score'.", file=out)
        else:
            print(
                "No alerts are held back by the daily cap."
                if args.held_back
                else "No alerts match.",
                file=out,
            )
    else:
        for line in format_table(columns, now.timestamp(), args.limit, currency):
            print(line, file=out)
        shown = total if args.limit == 0 else min(args.limit, total)
        noun = "alert" if total == 1 else "alerts"
        held_back = " held back by the daily cap" if args.held_back else ""
        if shown < total:
            print(
                f"Showing the {shown:,} highest-priority of {total:,} {noun}{held_back} "
                "(--limit 0 shows all).",
                file=out,
            )
        else:
            print(f"{total:,} {noun}{held_back}, highest priority first.", file=out)
    working = ", ".join(f"{n:,} {s}" for s, n in counts.by_severity.items() if n)
    print(
        f"Open and in progress: {counts.working:,}"
        + (f" ({working})" if working else "")
        + f"; snoozed {counts.by_status['snoozed']:,}; resolved "
        f"{counts.by_status['resolved']:,}; dismissed {counts.by_status['dismissed']:,}.",
        file=out,
    )
    held = counts.by_status.get(HELD_BACK, 0)
    if held and not args.held_back:
        print(f"{held:,} more held back by the daily cap (alerts --held-back).", file=out)
    return EXIT_OK
