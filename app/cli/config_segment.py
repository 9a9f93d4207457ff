"""Command config segment: the settings per segment (Settings ▸ Per segment), listed,
set, unset and reordered, through the same checks as the window."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from app.cli.errors import EXIT_OK, EXIT_USAGE

OWNER_SETTING = "alerts.unassigned_owner"  # services/settings/segments.py's

SEGMENT_EPILOG = """\
A segment rule names a kind of segment (segment: the RFM segment of the latest scoring,
such as Champions; tier; region; stage: the lifecycle stage stored with the latest
scoring, onboarding, adoption, mature, renewal or at_risk, by key or label; filter: a
team filter, `customers filters list`), one of its names, and the settings it overrides
for the customers in it. The first rule that matches a customer and sets a value wins,
so order matters (`config segment move`). A value is checked as the setting itself is.
A setting locked by your IT policy is locked for every segment, and IT may lock the
whole table (segments.rules): then
nothing here can change it."""


def register(actions: argparse._SubParsersAction[Any]) -> None:
    """Add `config segment list|set|unset|move` under `config`."""
    from services.settings.segments import SEGMENT_KEYS, SEGMENT_KINDS

    segment = actions.add_parser(
        "segment",
        help="settings per segment: list, set, unset or move a segment's own values",
        description="Settings per segment, in the order they apply (first match wins).",
        epilog=SEGMENT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    steps = segment.add_subparsers(dest="segment_command", metavar="ACTION")
    steps.add_parser("list", help="the rules in order (the default)")
    kinds = sorted(SEGMENT_KINDS)
    set_ = steps.add_parser("set", help="give a segment its own value of a setting")
    set_.add_argument("kind", choices=kinds, metavar="KIND", help=f"one of {', '.join(kinds)}")
    set_.add_argument(
        "name", metavar="NAME", help="the segment's name, e.g. Champions, Gold or renewal"
    )
    set_.add_argument("key", metavar="KEY", help=f"one of {', '.join(SEGMENT_KEYS)}")
    set_.add_argument("value", metavar="VALUE", help="its value, read as the setting's type")
    set_.add_argument(
        "--position", type=int, metavar="N", help="for a new rule: its place, 1 first"
    )
    set_.set_defaults(handler=cmd_segment_set)
    unset = steps.add_parser("unset", help="forget a segment's value (or its whole rule)")
    unset.add_argument("kind", choices=kinds, metavar="KIND")
    unset.add_argument("name", metavar="NAME")
    unset.add_argument("key", metavar="KEY", nargs="?", help="left out: the whole rule")
    unset.set_defaults(handler=cmd_segment_unset)
    move = steps.add_parser("move", help="put a rule at another place (1: first)")
    move.add_argument("kind", choices=kinds, metavar="KIND")
    move.add_argument("name", metavar="NAME")
    move.add_argument("position", type=int, metavar="N")
    move.set_defaults(handler=cmd_segment_move)
    segment.set_defaults(handler=cmd_segment_list)


def rule_lines(table: Any) -> list[str]:
    """The table in words, one line a rule, then IT's locks."""
    from services.settings.segments import PERCENT_KEYS, SEGMENT_KEYS

    def words(key: str, value: Any) -> str:
        return f"{value:g}%" if key in PERCENT_KEYS else json.dumps(value, ensure_ascii=False)

    lines = []
    for number, rule in enumerate(table.rules, 1):
        values = "; ".join(
            f"{SEGMENT_KEYS[k]} {words(k, v)}"
            + (" (locked by IT: not applied)" if k in table.key_locks else "")
            for k, v in rule.values.items()
        )
        gone = " (no such team filter: it matches no one)" if rule in table.missing_filters else ""
        lines.append(f"{number}. {rule.label} [{rule.kind}]: {values or 'no values'}{gone}")
    if not lines:
        lines.append("No settings per segment: every customer takes the workspace's.")
    if table.table_lock:
        lines.append(f"Locked by your IT policy ({table.table_lock}): it cannot be changed here.")
    for key, where in table.key_locks.items():
        lines.append(f"{key} is locked by your IT policy ({where}) for every segment.")
    return lines


def _say_ignored(table: Any, err: TextIO) -> None:
    """Each rule or value kept in the workspace that is not used, and why, one a line."""
    for words in table.ignored:
        print(f"warning: Settings per segment: {words}", file=err)


def _run(args: argparse.Namespace, err: TextIO, change: Any) -> tuple[int, Any]:
    """Make the change (None: none) and read the table back, in one transaction; after a
    change, the customers without an owner take their segment's (``args.owners``)."""
    from app.workspace import command_workspace
    from models.db import translate_db_errors
    from services.alerts.config import default_actor
    from services.segment_policy import SegmentRuleError, give_rule_owners, read_table

    try:
        with (
            command_workspace(args.db) as workspace,
            translate_db_errors(),
            workspace.sessions() as session,
            session.begin(),
        ):
            if change is not None:
                actor = default_actor()
                change(session, actor)
                session.flush()
                args.owners = give_rule_owners(session, None, actor=actor)
            return EXIT_OK, read_table(session)
    except SegmentRuleError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE, None


def cmd_segment_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the rules in order."""
    code, table = _run(args, err, None)
    if table is not None:
        print("\n".join(rule_lines(table)), file=out)
        _say_ignored(table, err)
    return code


def cmd_segment_set(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Give a segment its own value; exit 2 for a bad value or a lock."""
    from services.segment_policy import set_segment_value
    from services.settings import SETTINGS
    from services.settings.from_text import ValueTextError, value_from_text
    from services.settings.segments import SEGMENT_KEYS

    if args.key not in SEGMENT_KEYS:
        print(
            f"error: '{args.key}' cannot be set per segment (these can: "
            f"{', '.join(SEGMENT_KEYS)}); nothing was written.",
            file=err,
        )
        return EXIT_USAGE
    try:
        value = value_from_text(SETTINGS[args.key], args.value)
    except ValueTextError as exc:
        print(f"error: {exc} Nothing was written.", file=err)
        return EXIT_USAGE
    position = None if args.position is None else args.position - 1

    def change(session: Any, actor: str) -> None:
        set_segment_value(
            session, args.kind, args.name, args.key, value, actor=actor, position=position
        )

    code, table = _run(args, err, change)
    if table is not None:
        shown = json.dumps(value, ensure_ascii=False)
        print(f"Set {args.key} to {shown} for {args.kind} {args.name}.", file=out)
        _say_owners(args, out, always=args.key == OWNER_SETTING)
        print("\n".join(rule_lines(table)), file=out)
    return code


def cmd_segment_unset(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Forget a segment's value, or its whole rule."""
    from services.segment_policy import unset_segment_value

    def change(session: Any, actor: str) -> None:
        unset_segment_value(session, args.kind, args.name, args.key, actor=actor)

    code, table = _run(args, err, change)
    if table is not None:
        what = args.key or "every setting"
        print(f"Forgot {what} of {args.kind} {args.name}.", file=out)
        _say_owners(args, out)
        print("\n".join(rule_lines(table)), file=out)
    return code


def cmd_segment_move(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Put a rule at another place."""
    from services.segment_policy import move_rule

    def change(session: Any, actor: str) -> None:
        move_rule(session, args.kind, args.name, args.position - 1, actor=actor)

    code, table = _run(args, err, change)
    if table is not None:
        _say_owners(args, out)
        print("\n".join(rule_lines(table)), file=out)
    return code


def _say_owners(args: argparse.Namespace, out: TextIO, *, always: bool = False) -> None:
    """How many customers without an owner took their segment's after the change."""
    given = getattr(args, "owners", None)
    if given is not None and (given.count or always):
        rules = "; ".join(f"{rule}: {n:,}" for rule, n in sorted(given.by_rule.items()))
        print(given.words()[:1].upper() + given.words()[1:] + (f" ({rules})." if rules else "."),
              file=out)  # fmt: skip
