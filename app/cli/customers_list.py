"""Command ``customers list``: the customers, named as the Customers table names them (the
account's name and its person), with their latest scores and the lifecycle stage stored
with them, as a table, CSV or JSON; ``--stage`` keeps the customers of some stages (the
Customers table's Stage filter, the same definition), ``--owner`` one owner's book,
``--filter`` the customers a team filter keeps (app/cli/customer_filters.py) and
``--search`` those the table's search box keeps."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option
from models.vocab import LIFECYCLE_STAGES

if TYPE_CHECKING:
    from services.usecases.customer_list import CustomerLine

LIST_EPILOG = """\
A customer's stage is the one stored with the latest scoring, as of its date (onboarding,
adoption, mature, renewal or at_risk; see report stages for how it is read). --stage
takes a stage's key or its label in any case ("at_risk", "At risk"), "none" for the
customers without a stage, and may be repeated or given as a comma list.
Examples:
  python main.py customers list --stage renewal
  python main.py customers list --stage "at risk,renewal" --format csv --out stages.csv
  python main.py customers list --stage none --format json
  python main.py customers list --filter "Champions at risk" --owner Dana
  python main.py customers list --search "willow creek"

A customer is named as the window names it: the company when it has one, else the
person's name, else the email; "person" is who stands for the account (empty when the
account is its person), never someone who left."""

HEADER = ["customer_id", "external_id", "name", "person", "email", "owner", "segment",
          "churn_risk", "health_score", "stage"]  # fmt: skip
NO_STAGE_WORD = "none"


def _folded(text: str) -> str:
    return "".join(text.replace("_", " ").replace("-", " ").split()).casefold()


def stage_names(text: str) -> frozenset[str]:
    """Stages named by key or label, comma separated ("none": no stage, kept as "")."""
    from services.lifecycle.stages import STAGE_LABELS

    known = {_folded(k): k for k in STAGE_LABELS} | {_folded(NO_STAGE_WORD): ""}
    picked = set()
    for word in (w for w in text.split(",") if w.strip()):
        key = known.get(_folded(word))
        if key is None:
            valid = ", ".join([*(f"{k} ({v})" for k, v in STAGE_LABELS.items()), NO_STAGE_WORD])
            raise argparse.ArgumentTypeError(f"'{word.strip()}' is no lifecycle stage: use {valid}")
        picked.add(key)
    if not picked:
        raise argparse.ArgumentTypeError("name a stage")
    return frozenset(picked)


def register(kinds: argparse._SubParsersAction[Any], formats: tuple[str, ...]) -> None:
    """Add ``customers list`` to ``customers``."""
    listing = kinds.add_parser(
        "list",
        help="list the customers with their scores and lifecycle stage",
        description="The customers, with the latest churn risk, health, segment and the "
        "lifecycle stage stored with the latest scoring; --stage keeps some stages, --owner "
        "one owner's book, --filter a team filter's customers.",
        epilog=LIST_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument(
        "--stage", type=stage_names, action="append", metavar="STAGE",
        help=f"only these stages: {', '.join(LIFECYCLE_STAGES)} or none (repeat, or commas)",
    )  # fmt: skip
    listing.add_argument(
        "--owner", metavar="NAME", help='only this owner\'s customers ("": those without one)'
    )
    listing.add_argument(
        "--filter", metavar="NAME", help="only the customers this team filter keeps"
    )
    listing.add_argument(
        "--search", metavar="TEXT", default="",
        help="only the customers whose name, person, email, company, owner or id holds "
        "every word of TEXT (as the Customers search box)",
    )  # fmt: skip
    listing.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(listing, "--out", help="write to FILE instead of the screen")
    listing.set_defaults(handler=cmd_list)


def _row(line: CustomerLine) -> list[object]:
    risk = None if line.churn_risk is None else round(line.churn_risk, 4)
    health = None if line.health_score is None else round(line.health_score, 1)
    return [line.id, line.external_id, line.name, line.person, line.email, line.owner,
            line.segment or "", risk, health, line.stage or ""]  # fmt: skip


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(lines: list[CustomerLine]) -> list[str]:
    from services.lifecycle.stages import NO_STAGE, STAGE_LABELS

    out = [f"{len(lines):,} customer{'s' if len(lines) != 1 else ''}"]
    out.append(
        f"{'ID':>7}  {'NAME':<26} {'PERSON':<20} {'OWNER':<16} {'SEGMENT':<20} {'RISK':>5}  STAGE"
    )
    for x in lines:
        risk = "-" if x.churn_risk is None else f"{x.churn_risk:.0%}"
        stage = STAGE_LABELS.get(x.stage or "", NO_STAGE)
        out.append(
            f"{x.id:>7}  {_cut(x.name, 26):<26} {_cut(x.person or '-', 20):<20} "
            f"{_cut(x.owner or '-', 16):<16} {_cut(x.segment or '-', 20):<20} {risk:>5}  {stage}"
        )
    return out


def _owner_named(workspace: Any, name: str, err: TextIO) -> str | None:
    """The owner as the customers carry it, named in any case (None, said on ``err``: no
    customer has that owner)."""
    from sqlalchemy import select

    from models.schema import Customer

    with workspace.sessions() as session:
        owners = sorted(
            {str(o) for o in session.scalars(select(Customer.owner).distinct()) if o},
            key=str.casefold,
        )
    wanted = name.strip().casefold()
    found = next((o for o in owners if o.casefold() == wanted), None)
    if found is None:
        shown = ", ".join(owners[:12]) + (", …" if len(owners) > 12 else "")
        print(f"error: no customer has the owner '{name.strip()}' (owners: {shown or 'none'}).",
              file=err)  # fmt: skip
    return found


def _team_filter_members(workspace: Any, name: str, err: TextIO) -> frozenset[int] | None:
    """The ids a team filter keeps (None, said on ``err``: there is no such filter)."""
    from services.segment_policy.team_filters import find_filter, list_filters, members

    with workspace.sessions() as session:
        chosen = find_filter(list_filters(session), name)
        if chosen is None:
            print(
                f"error: there is no team filter '{name.strip()}' "
                "(`customers filters list` lists them).",
                file=err,
            )
            return None
        return frozenset(int(i) for i in members(session, [chosen.name])[chosen.name])


def cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the customers (of the stages asked for)."""
    from app.cli.errors import EXIT_OK, EXIT_USAGE
    from app.cli.output import check_output
    from app.cli.report_output import print_report, report_text, write_plain_csv
    from app.workspace import command_workspace
    from models.db import translate_db_errors
    from services.core.customer_filter import CustomerFilter
    from services.usecases.customer_list import list_customers

    if args.out:
        check_output(args, args.out, what="the list")
    stages = frozenset().union(*(args.stage or ()))
    wanted = CustomerFilter(stages=stages, owner=args.owner)
    with command_workspace(args.db) as workspace, translate_db_errors():
        if args.owner:
            owner = _owner_named(workspace, args.owner, err)
            if owner is None:
                return EXIT_USAGE
            wanted = replace(wanted, owner=owner)
        if args.filter is not None:
            kept = _team_filter_members(workspace, args.filter, err)
            if kept is None:
                return EXIT_USAGE
            wanted = replace(wanted, customer_ids=kept)
        lines = list_customers(workspace.engine, wanted, args.search)
    rows = [_row(x) for x in lines]

    def as_json() -> str:
        records = [dict(zip(HEADER, r, strict=True)) for r in rows]
        for record in records:
            record["stage"] = record["stage"] or None
            record["segment"] = record["segment"] or None
        return json.dumps(records, indent=2, ensure_ascii=False)

    text = report_text(
        args.format,
        table=lambda: _table(lines),
        csv=lambda stream: write_plain_csv(stream, HEADER, rows),
        json=as_json,
    )
    print_report(args, out, text, name="customers")
    return EXIT_OK
