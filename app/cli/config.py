"""Command config: every setting with its value, and where it comes from."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.errors import EXIT_OK, EXIT_USAGE, CommandError

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
        help="show every setting and where its value comes from, or set or unset one",
        description="The workspace's settings, as the app resolves them.",
        epilog=CONFIG_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = config.add_subparsers(dest="config_command", metavar="ACTION")
    show = actions.add_parser("show", help="every setting with its value (the default)")
    show.add_argument("--sources", action="store_true", help="also say where each value comes from")
    get = actions.add_parser(
        "get",
        help="print one setting's value, whole, as JSON",
        description="Print KEY's value as the app resolves it, as JSON and whole (`config "
        "show` sums up a large value in a line).",
    )
    get.add_argument("key", metavar="KEY", help="the setting, as `config show` names it")
    get.set_defaults(handler=cmd_config_get)
    set_ = actions.add_parser(
        "set",
        help="set one setting, checked as the Settings dialog checks it",
        description="Set KEY to VALUE in this workspace (a personal setting: in your own "
        "settings). VALUE is read as the setting's type: true/false, a number, JSON for a "
        "list or table, null for empty, else text. A value out of bounds or a setting "
        "locked by your IT policy is refused and nothing is written.",
    )
    set_.add_argument("key", metavar="KEY", help="the setting, as `config show` names it")
    set_.add_argument("value", metavar="VALUE", help="its new value")
    set_.set_defaults(handler=cmd_config_set)
    unset = actions.add_parser(
        "unset",
        help="return one setting to its default",
        description="Forget the value set for KEY: the organisation's default, else the "
        "built-in one, applies again.",
    )
    unset.add_argument("key", metavar="KEY", help="the setting, as `config show` names it")
    unset.set_defaults(handler=cmd_config_unset)
    from app.cli.config_segment import register as register_segment

    register_segment(actions)  # config segment list|set|unset|move
    config.set_defaults(handler=cmd_config, sources=False)


# A value longer than this (in JSON) is summed up by `config show`; `config get` prints it.
SHOW_LIMIT = 400


def cmd_config(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the settings (and, with --sources, where each comes from); a large value in
    a line that says what it is, how big, and how to print it."""
    from services.core.policy import where_from
    from services.settings import SETTINGS

    personal = {key for key, spec in SETTINGS.items() if spec.scope == "personal"}
    values, stored, chosen = _resolved(args, err)
    width = max(len(key) for key in values)
    for key, value in values.items():
        line = f"{key:<{width}}  {_shown(key, value)}"
        if args.sources:
            where = where_from(key, key in stored, personal=key in personal)
            if key in chosen:
                where = "chosen by the last Early-warning replay"
            if key in personal and key not in stored:
                where += " · personal"
            line += f"    [{where}]"
        print(line, file=out)
    return EXIT_OK


def cmd_config_get(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print one setting's value as JSON, whole (as `config show` resolves it); exit 2 for
    an unknown key."""
    from services.settings import SettingError

    try:
        _known_spec(args.key)
    except SettingError as exc:
        print(f"error: {str(exc).replace('; nothing was written.', '.')}", file=err)
        return EXIT_USAGE
    values, _stored, _chosen = _resolved(args, err, keys={args.key})
    print(values[args.key], file=out)
    return EXIT_OK


def _shown(key: str, value: str) -> str:
    """The value as `config show` prints it: the JSON, or for a large one what it is and
    its size ("<demo workspace marker, 12 KB; `config get workspace.demo` prints it>")."""
    from services.settings import SETTINGS

    if len(value) <= SHOW_LIMIT:
        return value
    title = SETTINGS[key].title.split(":", 1)[0].strip() or key
    what = title[:1].lower() + title[1:]
    size = len(value.encode("utf-8"))
    words = f"{size:,} bytes" if size < 1024 else f"{round(size / 1024):,} KB"
    return f"<{what}, {words}; `config get {key}` prints it>"


def _resolved(
    args: argparse.Namespace, err: TextIO, keys: set[str] | None = None
) -> tuple[dict[str, str], set[str], set[str]]:
    """Every setting's value as the app resolves it, in JSON (those of ``keys`` when
    given), the keys stored and those the last Early-warning replay chose."""
    from app.workspace import command_workspace, resolve_url, workspace_exists
    from models.db import translate_db_errors
    from models.schema import Setting
    from services.alerts.config import worth_from_replay, worth_values
    from services.core.personal import load_personal
    from services.core.policy import current_policy, resolve
    from services.settings import SETTINGS, get_setting, personal_values

    personal = {key for key, spec in SETTINGS.items() if spec.scope == "personal"}
    wanted = [k for k, spec in SETTINGS.items() if (k in keys if keys else not spec.state)]
    chosen: set[str] = set()
    policy = current_policy()
    for problem in policy.problems:
        print(f"Policy: {problem}", file=err)
    personal_problem = load_personal().problem
    if personal_problem:
        print(personal_problem, file=err)
    if not workspace_exists(resolve_url(args.db)):
        # IT checking a fresh install: what the app will start from, before any workspace.
        print("No workspace yet: these are the organisation's and the built-in values.", file=err)
        # The person's own settings apply already: they are in no workspace.
        own = {k: v for k, v in load_personal().values.items() if k in personal}
        values = {key: resolve(key, SETTINGS[key].default, own.get(key), key in own)
                  for key in wanted}  # fmt: skip
        return _json(values), set(own), chosen
    with (
        command_workspace(args.db) as workspace,
        translate_db_errors(),
        workspace.sessions() as session,
    ):
        stored = {key for (key,) in session.query(Setting.key).all()} - personal
        stored |= set(personal_values(session, personal))
        # The settings, not the app's own records kept beside them (spec.state).
        # The lapse warnings' floor and weight as the alerts use them (the last
        # replay's choice when no one set them).
        effective = worth_values(session)
        chosen = worth_from_replay(session)
        values = {key: effective[key] if key in effective else get_setting(session, key)
                  for key in wanted}  # fmt: skip
    return _json(values), stored, chosen


def _json(values: dict[str, Any]) -> dict[str, str]:
    import json

    return {key: json.dumps(value, ensure_ascii=False) for key, value in values.items()}


def _known_spec(key: str) -> Any:
    """The declaration of a setting a person may set; SettingError for any other key."""
    from services.settings import SETTINGS, SettingError

    spec = SETTINGS.get(key)
    if spec is None or spec.state:
        import difflib

        names = [k for k, s in SETTINGS.items() if not s.state]
        close = difflib.get_close_matches(key, names, n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        raise SettingError(
            f"There is no setting '{key}'; nothing was written.{hint} `config show` lists them all."
        )
    return spec


def _refuse_locked(key: str) -> None:
    """CommandError when IT's policy locks ``key``: the policy wins."""
    from services.core.policy import current_policy

    policy = current_policy()
    if key in policy.locked:
        import json

        shown = json.dumps(policy.locked[key], ensure_ascii=False)
        # "locked (/etc/account-radar/policies.json)": where the lock is set.
        where = policy.sources.get(key, "")
        where = where[len("locked (") : -1] if where.startswith("locked (") else where
        raise CommandError(
            f"{key} is locked by your IT policy at {shown} ({where}); the policy wins, so "
            "nothing was written. Ask IT to change it."
        )


def cmd_config_set(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Set one setting through the settings API; exit 2 for an unknown key or a bad value."""
    import json

    from services.settings import SettingError, normalised, validate_setting
    from services.settings.from_text import ValueTextError, value_from_text

    try:
        spec = _known_spec(args.key)
        value = normalised({args.key: value_from_text(spec, args.value)})[args.key]
        problem = validate_setting(args.key, value)
    except (SettingError, ValueTextError) as exc:
        problem = str(exc)
    if problem is not None:
        if "nothing was written" not in problem:
            problem += " Nothing was written."
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    _refuse_locked(args.key)
    where = _write(args, lambda session, actor: _set(session, args.key, value, actor))
    print(f"Set {args.key} to {json.dumps(value, ensure_ascii=False)} in {where}.", file=out)
    return EXIT_OK


def cmd_config_unset(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Return one setting to its default; exit 2 for an unknown key."""
    import json

    from services.settings import SettingError, get_setting, unset_setting

    try:
        _known_spec(args.key)
    except SettingError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    _refuse_locked(args.key)
    shown: list[Any] = []

    def unset(session: Any, actor: str) -> None:
        from services.alerts.config import worth_from_replay, worth_values

        unset_setting(session, args.key, actor=actor)
        session.flush()
        # The lapse warnings' floor and weight follow the last replay's choice once unset.
        chosen = args.key in worth_from_replay(session)
        effective = worth_values(session)
        shown.append((effective.get(args.key, get_setting(session, args.key)), chosen))

    where = _write(args, unset)
    value = json.dumps(shown[0][0], ensure_ascii=False)
    if shown[0][1]:
        print(
            f"{args.key} is back to the last Early-warning replay's choice, {value}, in {where}.",
            file=out,
        )
    else:
        print(f"{args.key} is back to its default, {value}, in {where}.", file=out)
    return EXIT_OK


def _set(session: Any, key: str, value: Any, actor: str) -> None:
    from services.settings import set_settings

    # The Settings dialog's own save (services.settings.set_settings): checked again,
    # versioned and audited, customer totals recomputed when the money settings change.
    set_settings(session, {key: value}, actor=actor)


def _write(args: argparse.Namespace, change: Any) -> str:
    """Run ``change(session, actor)`` in one transaction on the workspace; where it went."""
    from app.workspace import command_workspace
    from models.db import translate_db_errors
    from services.alerts.config import default_actor
    from services.settings import SETTINGS

    with (
        command_workspace(args.db) as workspace,
        translate_db_errors(),
        workspace.sessions() as session,
        session.begin(),
    ):
        change(session, default_actor())
        name = workspace.display_name
    if SETTINGS[args.key].scope == "personal":
        return "your own settings, for every workspace"
    return f"the workspace {name}"
