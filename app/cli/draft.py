"""Command draft: write a personal email for one customer and print it.

The provider set in the workspace's settings writes it; with none, with --offline, or when
the provider fails, the template does (and stderr says why). Nothing is sent or recorded:
the account manager copies the draft into their own mail program.
"""

from __future__ import annotations

import argparse
import shlex
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of, whole_number
from app.cli.draft_batch import BATCH_HELP
from app.cli.output import output_folder
from models.vocab import OUTREACH_GOALS as GOALS
from models.vocab import OUTREACH_TONES as TONES

if TYPE_CHECKING:
    from services.outreach.drafting import DraftRequest

MATCHES_SHOWN = 5
# Checks a draft must not be sent with: the command prints it (it may still help) but fails.
UNSAFE_KINDS = {
    "cut_off": "the draft was cut off before the end; run the command again.",
    "unbounded_offer": "the draft offers something with no limit; do not send it as written.",
    "instructions": "the draft repeats the app's instructions to the model; do not send it.",
}

DRAFT_EPILOG = (
    """\
CUSTOMER is an external id, an email address or a name (any case; part of a name works
when it matches one customer). Without --goal the goal follows the next step of the
customer's most urgent alert: an apology, with no offer, after a recent complaint (a
negative ticket or review), a bad experience or a late ticket; an expansion for an
expansion opportunity, a check-in for a stalled deal, otherwise a win-back.
Only the fields allowed by the privacy setting leave this computer. Before the first
request to a provider that is not on this computer, review it with --show-request, then
run again with --confirm-send.
Examples:
  python main.py draft "Ada Lovelace"
  python main.py draft C0042 --goal apology --tone professional
  python main.py draft ada@example.com --offline

"""
    + BATCH_HELP
)


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    draft = commands.add_parser(
        "draft",
        help="write a personal email for a customer and print it",
        description="Write a re-engagement (or check-in, expansion or apology) email for one "
        "customer from their history, scores and tickets, and print the subject and body. "
        "Nothing is sent.",
        epilog=DRAFT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    draft.add_argument("customer", metavar="CUSTOMER", nargs="?", help="external id, email or name")
    draft.add_argument("--goal", type=one_of(GOALS), metavar="G", help=f"one of {', '.join(GOALS)}")
    draft.add_argument(
        "--tone",
        type=one_of(TONES),
        metavar="T",
        help=f"one of {', '.join(TONES)} (default: the workspace's setting)",
    )
    draft.add_argument(
        "--offline", action="store_true", help="use the template; send nothing to a provider"
    )
    draft.add_argument(
        "--variant",
        type=whole_number(0),
        default=0,
        metavar="N",
        help="ask for another version (1, 2...) from a different angle",
    )
    draft.add_argument(
        "--show-request",
        action="store_true",
        help="print exactly what would be sent to the provider, and send nothing",
    )
    draft.add_argument(
        "--confirm-send",
        action="store_true",
        help="you have reviewed the request: send it to this provider from now on",
    )
    draft.add_argument(
        "--batch",
        action="store_true",
        help="draft for every customer of the alerts --alerts matches, into --out DIR",
    )
    draft.add_argument(
        "--alerts",
        metavar="FILTER",
        help='with --batch: which alerts, e.g. "severity=critical,queue=risk,status=open"',
    )
    draft.add_argument(
        "--out", type=output_folder, metavar="DIR",
        help="with --batch: the folder for the .eml files (files there are never replaced)",
    )  # fmt: skip
    draft.set_defaults(handler=cmd_draft)


def cmd_draft(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print a draft email for the customer (subject, blank line, body); checks on stderr."""
    from app.cli.errors import EXIT_FAILURE, EXIT_OK, CommandError
    from app.workspace import command_workspace
    from models.db import session_scope
    from services.alerts.config import default_actor
    from services.alerts.holdout import held_out
    from services.outreach.context import find_customers, top_alert_id
    from services.outreach.drafting import prepare_draft, run_draft
    from services.outreach.prompt import mark_reviewed

    if args.batch:
        from app.cli.draft_batch import cmd_draft_batch

        return cmd_draft_batch(args, out, err)
    if not args.customer:
        raise CommandError("Give a customer (external id, email or name), or --batch.")
    with command_workspace(args.db) as workspace, session_scope(workspace.sessions) as session:
        matches = find_customers(session, args.customer, limit=MATCHES_SHOWN + 1)
        if not matches:
            raise CommandError(
                f"No customer matches '{args.customer}'; give an external id, an email "
                "address or a name."
            )
        if len(matches) > 1:
            shown = "; ".join(label for _, label in matches[:MATCHES_SHOWN])
            more = " and more" if len(matches) > MATCHES_SHOWN else ""
            raise CommandError(
                f"'{args.customer}' matches several customers: {shown}{more}. Give the "
                "external id or the email address."
            )
        customer_id = matches[0][0]
        holdout = held_out(session, customer_id)
        request = prepare_draft(
            session,
            customer_id,
            alert_id=top_alert_id(session, customer_id),
            goal=args.goal,
            tone=args.tone,
            variant=args.variant,
            offline=args.offline,
        )
        if args.show_request:
            _show_request(request, out)
            return EXIT_OK
        if request.needs_review:
            if not args.confirm_send:
                who = shlex.quote(args.customer)
                raise CommandError(
                    f"Review what will be sent first: python main.py draft {who} "
                    "--show-request, then add --confirm-send"
                )
            assert request.config is not None
            # What goes out is shown as it goes (stderr), so it is never unseen.
            print("Sending this request (reviewed with --confirm-send):", file=err)
            _show_request(request, err)
            mark_reviewed(session, request.config, actor=default_actor())

    # The request runs with the workspace closed: it needs nothing more from it.
    draft = run_draft(request, reviewed=True)
    if draft.source == "template":
        print(f"Template draft: {draft.reason or 'the template was used'}", file=err)
    print(draft.text, file=out)
    for problem in draft.problems:
        print(f"Check: {problem.message}", file=err)
    if request.context.send_blocked:
        print(f"Note: {request.context.send_blocked}", file=err)
    if holdout:
        print(f"Note: {holdout_note(request.context.name)}", file=err)
    unsafe = [UNSAFE_KINDS[p.kind] for p in draft.problems if p.kind in UNSAFE_KINDS]
    if unsafe:
        # What arrived is printed (it may still help), but a script must not take it
        # for a finished draft.
        for line in dict.fromkeys(unsafe):
            print(f"error: {line}", file=err)
        return EXIT_FAILURE
    return EXIT_OK


def holdout_note(name: str) -> str:
    """What the command line says for a customer in Learn's holdout (the window asks)."""
    return (
        f"{name} is in the holdout: no outreach is suggested, so that Results can show what "
        "outreach changes. Contacting them takes them out of the comparison: to contact them "
        "anyway, use Contact anyway… on their alert in the window, which records why."
    )


def _show_request(request: DraftRequest, out: TextIO) -> None:
    if request.config is None:
        print(
            f"Nothing would be sent: {request.offline_reason}. The template draft is written "
            "on this computer.",
            file=out,
        )
        return
    print(request.describe(), file=out)
