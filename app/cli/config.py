"""Command config: every setting with its value, and where it comes from."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.errors import EXIT_OK

CONFIG_EPILOG = """\
A value comes from, in order: a setting locked by the organisation's policy, the
user's own setting, an organisation default, the built-in default. The user's own
setting is kept in this workspace, or, for a personal setting (the LLM provider, the
sender's name and signature, the mail server), in their own settings file
(settings.json in the config folder), which follows them to every workspace.
Policies: /etc/account-radar/policies.json (Linux), /Library/Preferences or managed
preferences com.accountradar.app.plist (macOS), HKLM\\Software\\Policies\\AccountRadar
(Windows), policies.json next to the program, $ACCOUNT_RADAR_POLICIES (the user's own:
it never loosens a lock of the others). A policy that cannot be read is reported here
and ignored; a lock that cannot be read keeps its safest value (cloud AI off)."""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    config = commands.add_parser(
        "config",
        help="show every setting and where its value comes from",
        description="The workspace's settings, as the app resolves them.",
        epilog=CONFIG_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = config.add_subparsers(dest="config_command", metavar="ACTION")
    show = actions.add_parser("show", help="every setting with its value (the default)")
    show.add_argument("--sources", action="store_true", help="also say where each value comes from")
    config.set_defaults(handler=cmd_config, sources=False)


def cmd_config(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the settings (and, with --sources, where each comes from)."""
    import json

    from app.workspace import command_workspace, resolve_url, workspace_exists
    from models.db import translate_db_errors
    from models.schema import Setting
    from services.core.personal import load_personal
    from services.core.policy import current_policy, resolve, where_from
    from services.settings import SETTINGS, get_setting, personal_values

    personal = {key for key, spec in SETTINGS.items() if spec.scope == "personal"}

    policy = current_policy()
    for problem in policy.problems:
        print(f"Policy: {problem}", file=err)
    personal_problem = load_personal().problem
    if personal_problem:
        print(personal_problem, file=err)
    url = resolve_url(args.db)
    if not workspace_exists(url):
        # IT checking a fresh install: what the app will start from, before any workspace.
        print("No workspace yet: these are the organisation's and the built-in values.", file=err)
        # The person's own settings apply already: they are in no workspace.
        own = {k: v for k, v in load_personal().values.items() if k in personal}
        stored = set(own)
        rows = [
            (key, json.dumps(resolve(key, spec.default, own.get(key), key in own),
                             ensure_ascii=False))
            for key, spec in SETTINGS.items()
            if not spec.state
        ]  # fmt: skip
    else:
        with (
            command_workspace(args.db) as workspace,
            translate_db_errors(),
            workspace.sessions() as session,
        ):
            stored = {key for (key,) in session.query(Setting.key).all()} - personal
            stored |= set(personal_values(session, personal))
            # The settings, not the app's own records kept beside them (spec.state).
            rows = [
                (key, json.dumps(get_setting(session, key), ensure_ascii=False))
                for key, spec in SETTINGS.items()
                if not spec.state
            ]
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        line = f"{key:<{width}}  {value}"
        if args.sources:
            where = where_from(key, key in stored, personal=key in personal)
            if key in personal and key not in stored:
                where += " · personal"
            line += f"    [{where}]"
        print(line, file=out)
    return EXIT_OK
