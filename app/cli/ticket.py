"""Command ``alerts ticket ALERT_ID --to zendesk|freshdesk|email``: a help-desk ticket from
an alert (services/crm_files/ticket.py), prefilled from the alert, written as the help
desk takes it; its fields can be changed on the way. With ``--to email --send`` the email
goes to the help desk through the SMTP server of Settings ▸ Sending email
(services/crm_files/ticket_send.py), with or without the .eml."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.args import one_of, whole_number
from app.cli.output import add_output_option
from models.vocab import HELPDESKS

SUFFIX = {"zendesk": ".json", "freshdesk": ".csv", "email": ".eml"}
TICKET_EPILOG = """\
Examples:
  python main.py alerts ticket 42 --to zendesk --output ticket-42.json
  python main.py alerts ticket 42 --to freshdesk --output ticket-42.csv --priority urgent
  python main.py alerts ticket 42 --to email --address support@example.com -o t.eml
  python main.py alerts ticket 42 --to email --send

--send (email only) sends the ticket to the help desk's address through the SMTP server
and password of Settings > Sending email (config set smtp.host ...), as the composer
sends, and logs it as a note on the alert; --output then also saves the .eml."""


def register_ticket(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``ticket`` under ``alerts``."""
    ticket = sub.add_parser(
        "ticket",
        help="a help-desk ticket from an alert (Zendesk, Freshdesk or an email)",
        description="Write a help-desk ticket from the alert: the customer's person as the "
        "requester, a subject naming the customer and the rule, the alert's reason and "
        "drivers in words, the priority from the severity and tags. Zendesk: the body of its "
        "ticket import API (.json); Freshdesk: its ticket fields (.csv); email: an .eml to "
        "the help desk's address, which opens a ticket from it.",
        epilog=TICKET_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ticket.add_argument("alert_id", type=whole_number(1), metavar="ALERT_ID")
    ticket.add_argument("--to", type=one_of(HELPDESKS), required=True,
                        metavar="zendesk|freshdesk|email", help="the help desk")  # fmt: skip
    add_output_option(ticket, "-o", "--output",
                      help="the file to write (needed unless --send)")  # fmt: skip
    ticket.add_argument(
        "--send", action="store_true",
        help="email: send the ticket to the help desk through the SMTP settings",
    )  # fmt: skip
    ticket.add_argument(
        "--address", metavar="EMAIL",
        help="the help desk's address (email; default: the setting crm.helpdesk_address)",
    )  # fmt: skip
    ticket.add_argument("--subject", help="instead of the subject made from the alert")
    ticket.add_argument("--description", help="instead of the alert's reason and drivers")
    ticket.add_argument(
        "--priority", type=one_of(("low", "normal", "high", "urgent")),
        metavar="low|normal|high|urgent", help="instead of the severity's",
    )  # fmt: skip
    ticket.set_defaults(handler=cmd_ticket)


def cmd_ticket(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write the ticket; say where and what in words."""
    from dataclasses import replace

    from app.cli.errors import EXIT_OK, EXIT_USAGE
    from app.cli.output import check_output
    from app.workspace import command_workspace
    from services.crm_files.ticket import helpdesk_address, save_ticket, ticket_from_alert

    if args.send and args.to != "email":
        print("error: --send sends an email: use it with --to email.", file=err)
        return EXIT_USAGE
    if not args.output and not args.send:
        print("error: give the file to write with --output (or --to email --send).", file=err)
        return EXIT_USAGE
    if args.output and not str(args.output).lower().endswith(SUFFIX[args.to]):
        print(f"error: the {args.to} ticket is a {SUFFIX[args.to]} file.", file=err)
        return EXIT_USAGE
    if args.output:
        check_output(args, args.output, what="the ticket")
    with command_workspace(args.db) as workspace:
        draft = ticket_from_alert(workspace.engine, args.alert_id)
        address = args.address or helpdesk_address(workspace.engine)
    if args.to == "email" and not address:
        print(
            "error: give the help desk's address with --address (or set it: config set "
            "crm.helpdesk_address support@yourcompany.com).",
            file=err,
        )
        return EXIT_USAGE
    changes = {
        k: v
        for k, v in (("subject", args.subject), ("description", args.description),
                     ("priority", args.priority))
        if v
    }  # fmt: skip
    draft = replace(draft, **changes)
    if args.output:
        path = save_ticket(draft, args.to, args.output, address=address, force=args.force)
        print(f"Wrote the ticket '{draft.subject}' ({draft.priority}) to {path}.", file=out)
    if args.send:
        from services.crm_files.ticket_send import send_ticket

        with command_workspace(args.db) as workspace:
            sent = send_ticket(workspace.engine, draft, address)
        print(sent.words(), file=out)
    return EXIT_OK
