"""Command group ``conversations``: the calls, meetings, chats, emails and social mentions
kept from conversation files; one shown with its reading and transcript; read again (on
this computer, or by the model set up for email drafts); its promises made tasks."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of, whole_number
from app.cli.output import add_output_option
from app.cli.report import FORMATS

if TYPE_CHECKING:
    from services.conversations.stored import OpenedConversation
    from services.usecases.conversations import ConversationLine

EPILOG = """\
Conversations come in with import (call and meeting transcripts, chat logs, emails,
social mentions), each read on this computer: a summary, the actions promised, the risks
the customer raised in their own words, and their sentiment per topic.
Examples:
  python main.py conversations list --risks
  python main.py conversations list --customer "Northwind"
  python main.py conversations show 12
  python main.py conversations read 12 --with-model --show-request
  python main.py conversations read --all
  python main.py conversations tasks 12 --action 1 --action 2
  python main.py conversations competitors --add Brightwave"""

HEADER = ["id", "date", "customer", "kind", "title", "with", "risks", "promises", "read_by"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``conversations`` and its commands to the main parser."""
    group = commands.add_parser(
        "conversations",
        help="the conversations kept: list, show, read again, make tasks of promises",
        description="List the conversations kept from conversation files, show one with "
        "what was read out of it, read it again, or make tasks of its promises.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = group.add_subparsers(dest="conversations_command", metavar="COMMAND", required=True)
    listing = kinds.add_parser(
        "list", help="list the conversations, newest first",
        description="The conversations kept, newest first, with the risks each raised.",
    )  # fmt: skip
    listing.add_argument("--customer", metavar="CUSTOMER", help="external id, email or name")
    listing.add_argument("--risks", action="store_true", help="only those raising a risk")
    listing.add_argument(
        "--format", type=one_of(FORMATS), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(listing, "--out", help="write to FILE instead of the screen")
    listing.set_defaults(handler=cmd_list)

    show = kinds.add_parser(
        "show", help="one conversation: its reading and its transcript",
        description="The conversation's summary (and how it was made), the risks in the "
        "customer's words, the promises, the sentiment per topic and the transcript.",
    )  # fmt: skip
    show.add_argument("conversation", type=whole_number(1), metavar="ID")
    show.add_argument("--format", type=one_of(("table", "json")), default="table", metavar="F",
                      help="table (default) or json")  # fmt: skip
    show.set_defaults(handler=cmd_show)

    read = kinds.add_parser(
        "read", help="read a conversation again, on this computer or with the model",
        description="Read again on this computer (with the competitors named in the "
        "settings now), or --with-model with the model set up for email drafts; the "
        "offline reading is kept beside the model's.",
    )  # fmt: skip
    read.add_argument("conversation", nargs="?", type=whole_number(1), metavar="ID")
    read.add_argument("--all", action="store_true", help="every conversation")
    read.add_argument("--with-model", action="store_true", help="read with the model")
    read.add_argument("--show-request", action="store_true",
                      help="print what would be sent to the model, and send nothing")  # fmt: skip
    read.add_argument(
        "--confirm-send", action="store_true",
        help="you have reviewed the request: send it to this provider from now on",
    )  # fmt: skip
    read.set_defaults(handler=cmd_read)

    tasks = kinds.add_parser(
        "tasks", help="make tasks of a conversation's promises",
        description="One task per promise, on the conversation's customer, due on the day "
        "promised (else three days on); a promise already a task is not made again.",
    )  # fmt: skip
    tasks.add_argument("conversation", type=whole_number(1), metavar="ID")
    tasks.add_argument(
        "--action", type=whole_number(1), action="append", metavar="N",
        help="the promise's number as show lists it (all when not given)",
    )  # fmt: skip
    tasks.set_defaults(handler=cmd_tasks)

    named = kinds.add_parser(
        "competitors", help="the vendors customers named, offered for the competitors list",
        description="The vendors customers named while weighing them against you (a trial, "
        "a quote, an offer, a move), found without their names in the settings, that are not "
        "on the competitors list yet; --add puts names on the list.",
    )  # fmt: skip
    named.add_argument("--add", action="append", metavar="NAME", default=[],
                       help="put this name on the competitors list (repeatable)")  # fmt: skip
    named.add_argument("--add-all", action="store_true", help="put every name offered on it")
    named.set_defaults(handler=cmd_competitors)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _line_row(line: ConversationLine) -> list[object]:
    return [line.id, line.when.date().isoformat(), line.customer, line.kind_words, line.title,
            line.with_name, line.risks, line.promises, line.method]  # fmt: skip


def _table(lines: list[ConversationLine]) -> list[str]:
    out = [f"{len(lines)} conversation{'s' if len(lines) != 1 else ''}"]
    out.append(f"{'ID':>6}  {'DATE':<10}  {'CUSTOMER':<20} {'KIND':<16} {'WITH':<18} RISKS")
    for x in lines:
        out.append(
            f"{x.id:>6}  {x.when.date().isoformat():<10}  {_cut(x.customer, 20):<20} "
            f"{x.kind_words:<16} {_cut(x.with_name or '-', 18):<18} {x.risks or '-'}"
        )
    return out


def cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the conversations."""
    from app.cli.customers import one_customer
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output
    from app.cli.report_output import print_report, report_text, write_plain_csv
    from app.workspace import command_workspace
    from services.usecases.conversations import list_conversations

    if args.out:
        check_output(args, args.out, what="the list")
    with command_workspace(args.db) as workspace:
        customer_id = None
        if args.customer:
            with workspace.sessions() as session:
                customer_id = one_customer(session, args.customer)
        lines = list_conversations(workspace.engine, customer_id=customer_id, risks_only=args.risks)
    rows = [_line_row(x) for x in lines]
    text = report_text(
        args.format,
        table=lambda: _table(lines),
        csv=lambda stream: write_plain_csv(stream, HEADER, rows),
        json=lambda: json.dumps([dict(zip(HEADER, r, strict=True)) for r in rows], indent=2),
    )
    print_report(args, out, text, name="conversations")
    return EXIT_OK


def shown_lines(c: OpenedConversation) -> list[str]:
    """The conversation as ``show`` prints it."""
    from services.core.formatting import format_date

    when = format_date(c.when.date()) if c.when else "an unknown day"
    who = c.with_name or c.with_email or "someone"
    lines = [f"{c.kind_words}{f' “{c.title}”' if c.title else ''}, {when}, {c.customer}",
             f"With {who}{f' (matched {c.matched})' if c.matched else ''}"]  # fmt: skip
    if c.file:
        lines.append(f"From the file {c.file}")
    lines += ["", "Summary:", *[f"  {s}" for s in c.summary or ("(nothing to summarise)",)]]
    lines.append(f"  {c.method_note}")
    if c.offline_kept:
        lines.append("  The reading made on this computer is kept; read it again to go back.")
    lines += ["", "Risks the customer raised:" if c.risks else "No risk raised."]
    for r in c.risks:
        lines.append(f"  {r.label}: “{r.quote}” ({r.who}, {r.anchor or 'place not known'})")
        if r.unproven:  # shown, but it raises nothing: how it was measured, in words
            lines.append(f"    {r.unproven[:1].upper()}{r.unproven[1:]}")
    lines += ["", "Promises:" if c.promises else "No promise made."]
    for p in c.promises:
        by = f"by {format_date(p.by)}" if p.by else "no day said"
        task = f" [task {p.task_id}]" if p.task_id else ""
        lines.append(f"  {p.number}. {p.who or 'Someone'}: {p.what} ({by}){task}")
    if c.topics:
        lines += ["", "Sentiment per topic (-1 to 1):"]
        lines += [f"  {t.label}: {t.sentiment:+.2f}" for t in c.topics]
    lines += ["", "Transcript:"]
    for t in c.turns:
        side = " (customer)" if t.customer else ""
        place = f"[{t.anchor}] " if t.anchor else ""
        lines.append(f"  {place}{t.speaker or 'Unknown'}{side}: {t.text}")
    return lines


def _as_json(c: OpenedConversation) -> str:
    from dataclasses import asdict

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value.isoformat() if hasattr(value, "isoformat") else value

    return json.dumps(plain(asdict(c)), indent=2, ensure_ascii=False)


def cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Show one conversation."""
    from app.cli.errors import EXIT_OK
    from app.workspace import command_workspace
    from services.usecases.conversations import load_conversation

    with command_workspace(args.db) as workspace:
        shown = load_conversation(workspace.engine, args.conversation)
    text = _as_json(shown) if args.format == "json" else "\n".join(shown_lines(shown))
    out.write(text + "\n")
    return EXIT_OK


def cmd_read(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Read one conversation, or all, again."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.workspace import command_workspace
    from services.usecases import conversations as conv

    if args.all == (args.conversation is not None):
        raise CommandError("Give a conversation's ID, or --all.")
    if args.show_request and not args.with_model:
        raise CommandError("--show-request shows what goes to the model: add --with-model.")
    with command_workspace(args.db) as workspace:
        engine = workspace.engine
        ids = [x.id for x in conv.list_conversations(engine)] if args.all else [args.conversation]
        for number, interaction_id in enumerate(ids):
            if args.show_request:
                ask = conv.model_ask(engine, interaction_id)
                out.write(("\n\n" if number else "") + f"Conversation {interaction_id}: "
                          f"nothing is sent.\n{ask.described}\n")  # fmt: skip
                continue
            if args.with_model:
                ask = conv.model_ask(engine, interaction_id)
                if ask.needs_review and not args.confirm_send:
                    raise CommandError(
                        f"This conversation would go to {ask.config.base_url}, which is not "
                        "on this computer. Review the request with --show-request, then add "
                        "--confirm-send."
                    )
                conv.read_with_model(engine, interaction_id, ask=ask)
                method = "by the model"
            else:
                conv.read_again_offline(engine, interaction_id)
                method = "on this computer"
            shown = conv.load_conversation(engine, interaction_id)
            ruled = sum(r.by_rules for r in shown.risks)
            kept = f" (and {ruled} the app's rules found, kept)" if ruled else ""
            out.write(f"Conversation {interaction_id} read {method}: "
                      f"{len(shown.risks) - ruled} risk(s){kept}, "
                      f"{len(shown.promises)} promise(s).\n")  # fmt: skip
    return EXIT_OK


def cmd_tasks(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Make tasks of a conversation's promises."""
    from app.cli.errors import EXIT_OK
    from app.workspace import command_workspace
    from services.core.profile import current_actor
    from services.usecases import conversations as conv

    with command_workspace(args.db) as workspace:
        numbers = args.action or [
            p.number for p in conv.load_conversation(workspace.engine, args.conversation).promises
        ]
        made = conv.make_tasks(workspace.engine, args.conversation, numbers, actor=current_actor())
    for task in made.tasks:
        state = "already a task" if task.already else "made"
        out.write(f"{task.number}. {task.title}: {state} (task {task.task_id}), "
                  f"{task.due_words}.\n")  # fmt: skip
    out.write(made.words + "\n")
    return EXIT_OK


def cmd_competitors(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the vendors named and not on the competitors list; add some."""
    from app.cli.errors import EXIT_OK
    from app.workspace import command_workspace
    from services.alerts.config import default_actor
    from services.conversations.competitor_names import add_competitors, seen_names

    with command_workspace(args.db) as workspace:
        with workspace.sessions() as session:
            seen = seen_names(session)
        adding = [s.name for s in seen] if args.add_all else list(args.add)
        if adding:
            with workspace.sessions() as session, session.begin():
                listed = add_competitors(session, adding, actor=default_actor())
            print(f"The competitors list: {', '.join(listed)}", file=out)
            return EXIT_OK
    if not seen:
        print("No vendor named in a conversation is missing from the competitors list.", file=out)
        return EXIT_OK
    print(f"{'NAME':<28} {'CONVERSATIONS':>13} {'CUSTOMERS':>9}  LAST NAMED", file=out)
    for s in seen:
        print(f"{_cut(s.name, 28):<28} {s.conversations:>13,} {s.customers:>9,}  "
              f"{s.last_seen.date().isoformat()}", file=out)  # fmt: skip
    print('Add one with: python main.py conversations competitors --add "NAME"', file=out)
    return EXIT_OK
