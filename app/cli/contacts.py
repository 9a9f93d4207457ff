"""Command group ``contacts``: the people of an account, with their roles and last two-way
contact; a role set by the user; a person added. The list prints as a table, CSV or
JSON."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of, whole_number
from app.cli.output import add_output_option
from app.cli.report import FORMATS
from models.vocab import CONTACT_ROLES

if TYPE_CHECKING:
    from services.people.contacts import Person

CONTACTS_EPILOG = """\
An account's people come from the people exports (Salesforce Contact.csv, HubSpot
contacts) with their roles (Salesforce AccountContactRole / OpportunityContactRole,
HubSpot Buying Role); a role set here wins over the CRM's and no import overwrites it.
An email drafted for the account goes to its champion unless you pick another person.
Examples:
  python main.py contacts list "Contoso Freight"
  python main.py contacts role 12 champion
  python main.py contacts role 12 --clear
  python main.py contacts add "Contoso Freight" --name "Ana Ruiz" \
      --email ana@contoso.example --role user"""

HEADER = ["contact_id", "name", "email", "title", "role", "role_set_by", "left_on",
          "bounced_on", "last_two_way_contact", "writes_to", "status", "activity"]  # fmt: skip


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``contacts`` and its commands to the main parser."""
    group = commands.add_parser(
        "contacts",
        help="an account's people: list them, set a role, add a person",
        description="List an account's people with their roles and last two-way contact, "
        "set the role of one, or add a person.",
        epilog=CONTACTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = group.add_subparsers(dest="contacts_command", metavar="COMMAND", required=True)
    listing = kinds.add_parser(
        "list", help="list an account's people, the one emails go to first",
        description="The account's people: the champion first, then the other roles; "
        "those who left come last. 'writes_to' marks whom a drafted email goes to; "
        "'status' says in words who left, whose address bounced, who is now listed at "
        "another account, and which champion or decision maker has gone dark.",
    )  # fmt: skip
    listing.add_argument("customer", metavar="CUSTOMER", help="external id, email or name")
    listing.add_argument(
        "--format", type=one_of(FORMATS), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(listing, "--out", help="write to FILE instead of the screen")
    listing.set_defaults(handler=cmd_list)

    role = kinds.add_parser(
        "role", help="set a contact's role (or --clear to go back to the CRM's)",
        description="Set the role you give a contact: " + ", ".join(CONTACT_ROLES) + ".",
    )  # fmt: skip
    role.add_argument("contact", type=whole_number(1), metavar="CONTACT_ID")
    role.add_argument("role", nargs="?", type=one_of(CONTACT_ROLES), metavar="ROLE")
    role.add_argument("--clear", action="store_true", help="back to the CRM's role")
    role.set_defaults(handler=cmd_role)

    add = kinds.add_parser("add", help="add a person to an account",
                           description="Add a person the exports do not hold.")  # fmt: skip
    add.add_argument("customer", metavar="CUSTOMER", help="external id, email or name")
    add.add_argument("--name", default="", metavar="NAME")
    add.add_argument("--email", default="", metavar="EMAIL")
    add.add_argument("--title", default="", metavar="TITLE")
    add.add_argument("--role", type=one_of(CONTACT_ROLES), metavar="ROLE")
    add.set_defaults(handler=cmd_add)


def _row(person: Person, writes_to: bool) -> list[object]:
    return [
        person.contact_id,
        person.name,
        person.email,
        person.title,
        person.role,
        ("you" if person.role_set_by_user else "crm") if person.role else None,
        person.left_on.isoformat() if person.left_on else None,
        person.bounced_on.isoformat() if person.bounced_on else None,
        person.last_two_way.isoformat() if person.last_two_way else None,
        writes_to,
        person.status or None,
        person.activity or None,
    ]


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(people: list[Person], chosen: Person | None, account: str) -> list[str]:
    from services.core.formatting import format_date

    lines = [f"{account}: {len(people)} {'person' if len(people) == 1 else 'people'}"]
    lines.append(f"{'ID':>6}  {'NAME':<22} {'TITLE':<22} {'ROLE':<22} {'LAST TWO-WAY':<13} EMAIL")
    for p in people:
        role = p.role_label + (" (set by you)" if p.role_set_by_user else "")
        heard = format_date(p.last_two_way.date()) if p.last_two_way else "never"
        mark = "  ← emails go here" if chosen is not None and p is chosen else ""
        left = f"  ({p.status})" if p.status else ""
        ident = "-" if p.contact_id is None else str(p.contact_id)
        lines.append(
            f"{ident:>6}  {_cut(p.name or '-', 22):<22} {_cut(p.title or '-', 22):<22} "
            f"{_cut(role or '-', 22):<22} {heard:<13} {p.email or '-'}{left}{mark}"
        )
        if p.activity:  # their own orders, tickets and product use
            lines.append(f"{'':>6}  {p.activity}")
    if chosen is None:
        lines.append("No one here can be emailed: no address, or everyone has left.")
    return lines


def _account_name(session: Any, customer_id: int) -> str:
    """The account as the list's heading names it (services/core/account_names.py)."""
    from services.core.account_names import name_of

    return name_of(session, customer_id)


def cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the account's people."""
    from app.cli.customers import one_customer
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output
    from app.cli.report_output import print_report, report_text, write_plain_csv
    from app.workspace import command_workspace
    from services.people.contacts import read_people, recipient

    if args.out:
        check_output(args, args.out, what="the list")
    with command_workspace(args.db) as workspace:
        with workspace.sessions() as session:
            customer_id = one_customer(session, args.customer)
            account = _account_name(session, customer_id)
        people = read_people(workspace.engine, customer_id)
    chosen = recipient(people)
    rows = [_row(p, p is chosen) for p in people]
    text = report_text(
        args.format,
        table=lambda: _table(people, chosen, account),
        csv=lambda stream: write_plain_csv(stream, HEADER, rows),
        json=lambda: json.dumps([dict(zip(HEADER, r, strict=True)) for r in rows], indent=2),
    )
    print_report(args, out, text, name="contacts")
    return EXIT_OK


def cmd_role(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Set or clear a contact's role."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.workspace import command_workspace
    from models.vocab import CONTACT_ROLE_LABELS
    from services.core.profile import current_actor
    from services.people.contacts import set_role

    if args.clear == (args.role is not None):
        raise CommandError("Give a role, or --clear to go back to the CRM's role.")
    with command_workspace(args.db) as workspace:
        set_role(workspace.engine, args.contact, args.role, current_actor())
        crm = _crm_role(workspace, args.contact)
    if args.role:
        said = CONTACT_ROLE_LABELS[args.role]
    else:
        said = (
            f"{CONTACT_ROLE_LABELS[crm]}, the CRM's role" if crm else "no role (the CRM gives none)"
        )
    print(f"Contact {args.contact} is now: {said}.", file=out)
    return EXIT_OK


def _crm_role(workspace: Any, contact_id: int) -> str | None:
    from models.schema import Contact

    with workspace.sessions() as session:
        contact = session.get(Contact, contact_id)
        return contact.role if contact is not None else None


def cmd_add(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Add a person to an account."""
    from app.cli.customers import one_customer
    from app.cli.errors import EXIT_OK
    from app.workspace import command_workspace
    from services.core.profile import current_actor
    from services.people.contacts import add_contact

    with command_workspace(args.db) as workspace:
        with workspace.sessions() as session:
            customer_id = one_customer(session, args.customer)
        contact_id = add_contact(
            workspace.engine, customer_id, name=args.name, email=args.email,
            title=args.title, role=args.role, actor=current_actor(),
        )  # fmt: skip
    print(f"Added {args.name or args.email} as contact {contact_id}.", file=out)
    return EXIT_OK
