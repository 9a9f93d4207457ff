"""Command group ``customers``: ``customers list`` (app/cli/customers_list.py), and
``customers consent CUSTOMER --opt-out|--opt-in``, a customer's consent to activity
tracking (their usage and conversations left out of the scores and of every request to a
model while they are opted out)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli import customers_list
from app.cli.report import FORMATS

CONSENT_EPILOG = """\
Examples:
  python main.py customers consent "Contoso Freight" --opt-out
  python main.py customers consent ann@acme.example --opt-in"""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``customers`` and its commands to the main parser."""
    group = commands.add_parser(
        "customers",
        help="list the customers (by stage or team filter), the team filters, consent",
        description="List the customers with their scores and lifecycle stage (by stage or "
        "team filter), keep the team filters (app/cli/customer_filters.py), or record that "
        "a customer opted out of activity tracking (or back in).",
    )
    kinds = group.add_subparsers(dest="customers_command", metavar="COMMAND", required=True)
    customers_list.register(kinds, FORMATS)
    consent = kinds.add_parser(
        "consent",
        help="opt a customer out of activity tracking, or back in",
        description="While a customer is opted out, their product usage and conversations "
        "are left out of the scores (from the next scoring) and out of every request to a "
        "model; the customer pane says so. The change is audited; on a shared workspace a "
        "manager changes only her own customers.",
        epilog=CONSENT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    consent.add_argument("customer", metavar="CUSTOMER", help="external id, email or name")
    which = consent.add_mutually_exclusive_group(required=True)
    which.add_argument("--opt-out", dest="opted_out", action="store_true",
                       help="they opted out of activity tracking")  # fmt: skip
    which.add_argument("--opt-in", dest="opted_out", action="store_false",
                       help="they agreed to it again")  # fmt: skip
    consent.set_defaults(handler=cmd_consent)


def cmd_consent(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Set the customer's consent; say what changed in words."""
    from sqlalchemy.orm import Session

    from app.cli.customers import one_customer
    from app.cli.errors import EXIT_OK
    from app.workspace import command_workspace
    from services.alerts.config import default_actor
    from services.people.tracking import consent_words, opted_out_at, set_tracking_consent

    with command_workspace(args.db) as workspace:
        with Session(workspace.engine) as session:
            customer_id = one_customer(session, args.customer)
        changed = set_tracking_consent(
            workspace.engine, customer_id, opted_out=args.opted_out, actor=default_actor()
        )
        with Session(workspace.engine) as session:
            words = consent_words(opted_out_at(session, customer_id))
    if not changed:
        print("Nothing changed: " + (words or "they were not opted out."), file=out)
    else:
        print(words or "Opted in to activity tracking: usage and conversations are used again.",
              file=out)  # fmt: skip
    return EXIT_OK
