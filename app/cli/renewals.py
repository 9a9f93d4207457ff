"""Command group ``renewals``: the owner's call on a contract's renewal, recorded and
listed; the calls due at the checkpoints; and where the owner's call and the model's
likelihood disagree (the team lead's list). The lists print as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import calendar_date, one_of, whole_number
from app.cli.output import add_output_option
from app.cli.report import FORMATS

if TYPE_CHECKING:
    from services.renewals.calls import Disagreement, DueCall
    from services.renewals.card_records import CallRecord

CALL_WORDS = ("commit", "likely", "at_risk", "lost")

RENEWALS_EPILOG = """\
A call is the owner's own view of a renewal at a checkpoint before its date (6 and 3
months by default: Settings ▸ Renewals): commit, likely, at_risk or lost, with a note.
It is kept with who made it, when, and the model's likelihood at that moment.
Examples:
  python main.py renewals call "Acme" --checkpoint 6 --call at_risk --note "Champion left"
  python main.py renewals calls Acme
  python main.py renewals due --owner "Maya Thompson"
  python main.py renewals disagreements --format csv --out disagreements.csv"""


def _date(text: str) -> dt.date:
    return calendar_date(text, "2026-03-01")


def _list_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", type=one_of(FORMATS), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``renewals`` and its commands to the main parser."""
    group = commands.add_parser(
        "renewals",
        help="the owner's calls on contract renewals, the calls due, and disagreements",
        description="Record and list the owner's call on each contract's renewal, the calls "
        "due at the checkpoints, and where the call and the model's likelihood disagree.",
        epilog=RENEWALS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = group.add_subparsers(dest="renewals_command", metavar="COMMAND", required=True)

    call = kinds.add_parser(
        "call",
        help="record your call on a customer's upcoming renewal",
        description="Record the owner's call on the customer's open contract (--contract "
        "when they have several) at a checkpoint, with a note.",
    )
    call.add_argument("customer", metavar="CUSTOMER", help="external id, email or name")
    call.add_argument(
        "--call", type=one_of(CALL_WORDS), required=True, metavar="C",
        help="commit, likely, at_risk or lost",
    )  # fmt: skip
    call.add_argument(
        "--checkpoint", type=whole_number(1), metavar="MONTHS",
        help="the checkpoint, in months before the renewal date (default: the one reached)",
    )  # fmt: skip
    call.add_argument("--note", default="", metavar="TEXT", help="why, in your words")
    call.add_argument(
        "--by", metavar="NAME",
        help="who made the call (default: $ACCOUNT_RADAR_USER, else your name in File ▸ "
        "Who I am…; with neither, the call is refused)",
    )  # fmt: skip
    call.add_argument("--contract", type=whole_number(1), metavar="ID",
                      help="the contract, when the customer has several open")  # fmt: skip
    call.set_defaults(handler=cmd_call)

    calls = kinds.add_parser(
        "calls", help="list the calls recorded (of one customer)",
        description="The owner's calls recorded, oldest first, with the model's likelihood "
        "when each was made.",
    )  # fmt: skip
    calls.add_argument("customer", metavar="CUSTOMER", nargs="?",
                       help="only this customer's (external id, email or name)")  # fmt: skip
    _list_options(calls)
    calls.set_defaults(handler=cmd_calls)

    due = kinds.add_parser(
        "due", help="list the calls due at the checkpoints reached",
        description="Open contracts whose current checkpoint has been reached with no call "
        "recorded for it, the nearest renewal first.",
    )  # fmt: skip
    disagree = kinds.add_parser(
        "disagreements", help="list where the owner's call and the model disagree widely",
        description="Open contracts whose owner's latest call and the model's likelihood "
        "differ by the margin or more (Settings ▸ Renewals), the widest gap first.",
    )  # fmt: skip
    for parser, handler in ((due, cmd_due), (disagree, cmd_disagreements)):
        parser.add_argument("--owner", metavar="O", help="only this owner's (any case)")
        parser.add_argument("--as-of", type=_date, metavar="DATE",
                            help="count from this day (default: today)")  # fmt: skip
        _list_options(parser)
        parser.set_defaults(handler=handler)


def cmd_call(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Record the call and say what was recorded."""
    from app.cli.customers import one_customer
    from app.cli.errors import EXIT_OK
    from app.workspace import command_workspace
    from services.alerts.renewal_calls import record_renewal_call
    from services.core.formatting import format_percent
    from services.renewals.calls import read_calls

    actor = caller(args.by)
    with command_workspace(args.db) as workspace:
        with workspace.sessions() as session:
            customer_id = one_customer(session, args.customer)
        change = record_renewal_call(
            workspace.engine, customer_id, args.call, args.note,
            checkpoint_months=args.checkpoint, contract_id=args.contract, actor=actor,
        )  # fmt: skip
        made = read_calls(workspace.engine, customer_id)[-1]
    model = (
        f"; the model gave {format_percent(made.model_likelihood)}"
        if made.model_likelihood is not None
        else ""
    )
    print(f"{change.label} at {made.checkpoint_months} months{model}.", file=out)
    return EXIT_OK


def caller(given: str | None) -> str:
    """Who a call is kept as made by: ``--by``, else $ACCOUNT_RADAR_USER, else the name
    the person gave in File ▸ Who I am… (as the window's Record my call); never the
    computer's login, which names nobody on a shared machine or in a scheduled job."""
    from app.cli.errors import CommandError
    from services.core.profile import USER_ENV, actor_name, load_profile, name_problem

    if given is not None:
        problem = name_problem(given)
        if problem is not None:
            raise CommandError(f"--by: {problem}; nothing was recorded.")
        return given.strip()
    named = os.environ.get(USER_ENV, "").strip()
    if named:
        return named
    profile = load_profile().profile
    if profile.is_set:
        return actor_name(profile)
    raise CommandError(
        "A renewal call is kept with the name of who made it, and you have not said "
        'yours: give it with --by "Dana Cole" (or once, in the window: File ▸ Who I am…). '
        "Nothing was recorded."
    )


def _print(args: argparse.Namespace, out: TextIO, header: Sequence[str],
           rows: list[list[object]], table: list[str], name: str) -> None:  # fmt: skip
    from app.cli.report_output import print_report, report_text, write_plain_csv

    text = report_text(
        args.format,
        table=lambda: table,
        csv=lambda stream: write_plain_csv(stream, header, rows),
        json=lambda: json.dumps([dict(zip(header, r, strict=True)) for r in rows], indent=2),
    )
    print_report(args, out, text, name=name)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _percent(value: float | None) -> str:
    from services.core.formatting import format_percent

    return "–" if value is None else format_percent(value)


CALLS_HEADER = ["call_id", "customer_id", "contract_id", "checkpoint_months", "call",
                "note", "made_by", "made_at", "model_likelihood"]  # fmt: skip


def cmd_calls(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the calls recorded."""
    from app.cli.customers import one_customer
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output
    from app.workspace import command_workspace
    from services.renewals.calls import read_calls

    if args.out:
        check_output(args, args.out, what="the list")
    with command_workspace(args.db) as workspace:
        customer_id = None
        if args.customer:
            with workspace.sessions() as session:
                customer_id = one_customer(session, args.customer)
        calls = read_calls(workspace.engine, customer_id)
        names = _names(workspace, {c.customer_id for c in calls})
    rows = [_call_row(c) for c in calls]
    table = [f"{'MADE':<16} {'CUSTOMER':<18} {'BY':<12} {'CONTRACT':>8} {'AT':>3} {'CALL':<7} "
             f"{'MODEL':>5}  NOTE"]  # fmt: skip
    table += [
        f"{c.made_at:%Y-%m-%d %H:%M} {_cut(names.get(c.customer_id, ''), 18):<18} "
        f"{_cut(c.made_by, 12):<12} {c.contract_id:>8} {c.checkpoint_months:>2}m "
        f"{c.label:<7} {_percent(c.model_likelihood):>5}  {_cut(c.note, 30)}".rstrip()
        for c in calls
    ]
    if not calls:
        table = ["No renewal calls recorded yet."]
    _print(args, out, CALLS_HEADER, rows, table, "renewal calls")
    return EXIT_OK


def _names(workspace: Any, ids: set[int]) -> dict[int, str]:
    """The accounts' names, as every screen names them (services/core/account_names.py)."""
    from services.core.account_names import name_map

    if not ids:
        return {}
    with workspace.sessions() as session:
        return name_map(session, ids)


def _call_row(c: CallRecord) -> list[object]:
    return [c.id, c.customer_id, c.contract_id, c.checkpoint_months, c.call, c.note,
            c.made_by, c.made_at.isoformat(), c.model_likelihood]  # fmt: skip


DUE_HEADER = ["customer_id", "customer", "owner", "contract_id", "contract", "renewal_date",
              "checkpoint_months", "checkpoint_date"]  # fmt: skip


def cmd_due(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the calls due."""
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output
    from app.workspace import command_workspace
    from services.renewals.calls import calls_due

    if args.out:
        check_output(args, args.out, what="the list")
    today = args.as_of or dt.date.today()
    with command_workspace(args.db) as workspace, workspace.sessions() as session:
        due = calls_due(session, today, owner=args.owner)
    rows = [_due_row(d) for d in due]
    table = [f"{'CUSTOMER':<24} {'OWNER':<16} {'CONTRACT':<20} {'RENEWS':<10} CALL DUE"]
    table += [
        f"{_cut(d.customer, 24):<24} {_cut(d.owner or '-', 16):<16} {_cut(d.contract, 20):<20} "
        f"{d.end_date.isoformat():<10} {d.checkpoint_months} months (since "
        f"{d.checkpoint_date.isoformat()})"
        for d in due
    ]
    if not due:
        mine = f" on the customers of {args.owner}" if args.owner else ""
        table = [f"No renewal call is due{mine}."]
    _print(args, out, DUE_HEADER, rows, table, "calls due")
    return EXIT_OK


def _due_row(d: DueCall) -> list[object]:
    return [d.customer_id, d.customer, d.owner, d.contract_id, d.contract,
            d.end_date.isoformat(), d.checkpoint_months, d.checkpoint_date.isoformat()]  # fmt: skip


DISAGREE_HEADER = ["customer_id", "customer", "owner", "contract_id", "contract",
                   "renewal_date", "call", "call_chance", "likelihood", "model", "gap_points",
                   "words"]  # fmt: skip


def cmd_disagreements(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List where the owner's call and the model disagree."""
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output
    from app.workspace import command_workspace
    from services.renewals.calls import disagreements

    if args.out:
        check_output(args, args.out, what="the list")
    with command_workspace(args.db) as workspace, workspace.sessions() as session:
        found = disagreements(session, owner=args.owner)
    rows = [_disagree_row(d) for d in found]
    table = [f"{'CUSTOMER':<22} {'OWNER':<16} {'RENEWS':<10} {'GAP':>4}  WHAT"]
    table += [
        f"{_cut(d.customer, 22):<22} {_cut(d.owner or '-', 16):<16} "
        f"{d.end_date.isoformat():<10} {abs(d.gap) * 100:>4.0f}  "
        f"{_cut(d.words(d.owner or 'The owner'), 90)}"
        for d in found
    ]
    if not found:
        table = ["No owner's call disagrees with the model by the margin."]
    _print(args, out, DISAGREE_HEADER, rows, table, "disagreements")
    return EXIT_OK


def _disagree_row(d: Disagreement) -> list[object]:
    from services.renewals.vocab import CALL_CHANCE

    return [d.customer_id, d.customer, d.owner, d.contract_id, d.contract,
            d.end_date.isoformat(), d.call.call, CALL_CHANCE[d.call.call],
            round(d.forecast.likelihood, 4), d.forecast.model, round(abs(d.gap) * 100, 1),
            d.words(d.owner or "The owner")]  # fmt: skip
