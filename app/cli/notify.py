"""Command notify: posts to Slack or Microsoft Teams (status, preview, send, the webhook)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from app.cli.errors import EXIT_FAILURE, EXIT_OK, CommandError

NOTIFY_EPILOG = """\
Where posts go is a Slack or Teams incoming webhook (Settings > Slack and Teams in the
window, or 'notify set-webhook', which reads the address from standard input so that it
stays out of the shell's history). The address is kept only in the system keyring.
What is posted: new critical alerts, alerts newly past their time to act, the daily
digest (each on or off in the settings); each once. run-daily posts after its digest.
Nothing goes to a webhook before its first post was seen and approved: 'notify preview'
prints exactly what would be sent, then 'notify send --approve' sends it."""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    notify = commands.add_parser(
        "notify",
        help="posts to Slack or Microsoft Teams: status, preview, send",
        description="Post new critical alerts, newly late alerts and the digest to a Slack "
        "or Microsoft Teams channel through its incoming webhook.",
        epilog=NOTIFY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = notify.add_subparsers(dest="notify_command", metavar="ACTION", required=True)
    actions.add_parser("status", help="where posts go, what is posted, and what waits")
    preview = actions.add_parser("preview", help="print exactly what the next post would send")
    preview.add_argument("--test", action="store_true", help="the test post instead")
    send = actions.add_parser("send", help="post what is new now (or a test post)")
    send.add_argument("--test", action="store_true", help="send a test post")
    send.add_argument(
        "--approve",
        action="store_true",
        help="approve the first post to this webhook (after seeing it with 'notify preview')",
    )
    hook = actions.add_parser(
        "set-webhook", help="keep a webhook's address (read from standard input) in the keyring"
    )
    hook.add_argument("--forget", action="store_true", help="forget the stored address")
    notify.set_defaults(handler=cmd_notify)


def cmd_notify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one notify action."""
    if args.notify_command == "set-webhook":
        return _set_webhook(args, out)
    from app.workspace import command_workspace

    with command_workspace(args.db) as workspace:
        if args.notify_command == "status":
            _status(workspace.engine, out)
            return EXIT_OK
        if args.notify_command == "preview":
            _preview(workspace.engine, args.test, out)
            return EXIT_OK
        return _send(workspace.engine, args, out, err)


def _set_webhook(args: argparse.Namespace, out: TextIO) -> int:
    from services.notify.webhook import forget_webhook, store_webhook, webhook_problem

    if args.forget:
        forget_webhook()
        print("Forgot the webhook's address: nothing is posted until one is set.", file=out)
        return EXIT_OK
    url = sys.stdin.readline().strip()
    problem = webhook_problem(url)
    if problem is not None:
        raise CommandError(problem)
    store_webhook(url)
    print("Kept the webhook's address in the system keyring.", file=out)
    return EXIT_OK


def _status(engine: Any, out: TextIO) -> None:
    from services.notify.run import NOT_SET, approved, pending_posts, read_setup
    from services.notify.webhook import where_words
    from services.settings.notify import SERVICE_LABELS, SERVICES

    setup = read_setup(engine)
    label = SERVICE_LABELS[SERVICES.index(setup.service)] if setup.service in SERVICES else ""
    print(f"Service: {label or setup.service}", file=out)
    if setup.url is None:
        print(NOT_SET, file=out)
        return
    print(where_words(setup.url, setup.service), file=out)
    what = [
        words
        for on, words in (
            (setup.critical, "new critical alerts"),
            (setup.sla, "alerts newly past their time to act"),
            (setup.digest, "the daily digest"),
        )
        if on
    ]
    print(f"Posts: {', '.join(what) if what else 'nothing (all turned off)'}.", file=out)
    if not approved(engine, setup):
        print("The first post waits for approval: 'notify preview', then "
              "'notify send --approve'.", file=out)  # fmt: skip
    waiting = sum(len(p.log_keys) for p in pending_posts(engine, setup))
    print(f"New now, not posted yet: {waiting:,}.", file=out)


def _preview(engine: Any, test: bool, out: TextIO) -> None:
    from services.notify.run import pending_posts, read_setup, trial_post

    setup = read_setup(engine)
    posts = [] if test else pending_posts(engine, setup)
    if not posts:
        if not test:
            print("Nothing new to post now; this is the test post ('notify send --test').\n",
                  file=out)  # fmt: skip
        posts = [trial_post(engine, setup, None)]
    for post in posts:
        print("What it says:\n", file=out)
        print(post.readable, file=out)
        print(f"What is sent ({post.service}, {len(post.body):,} bytes of JSON):\n", file=out)
        print(post.pretty, file=out)


def _send(engine: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from services.notify.run import (
        NOT_SET,
        approve_webhook,
        approved,
        pending_posts,
        read_setup,
        send_posts,
        trial_post,
    )

    setup = read_setup(engine)
    if setup.url is None:
        raise CommandError(NOT_SET)
    if not approved(engine, setup):
        if not args.approve:
            raise CommandError(
                "Nothing was sent: the first post to this webhook waits for your approval. "
                "See it with 'notify preview', then send it with 'notify send --approve'."
            )
        approve_webhook(engine, setup, actor="command line")
    posts = [trial_post(engine, setup, None)] if args.test else pending_posts(engine, setup)
    if not posts:
        print("Nothing new to post.", file=out)
        return EXIT_OK
    result = send_posts(engine, setup, posts)
    for line in result.lines:
        print(line, file=out)
    if result.problem:
        print(f"error: {result.problem}", file=err)
        return EXIT_FAILURE
    return EXIT_OK


def post_after_round(engine: Any, digest: Any, workspace: str, out: TextIO, err: TextIO) -> None:
    """run-daily's posts to Slack or Teams, after its digest: what went, or why not (the
    round's exit code stays as it was: what did not go is tried again next round)."""
    import logging

    from services.notify.run import run_round

    log = logging.getLogger(__name__)
    result = run_round(engine, digest=digest, workspace=workspace)
    for line in result.lines:
        print(line, file=out)
        log.info("run-daily: %s", line)
    if result.problem:
        print(f"Not posted to Slack or Teams: {result.problem}", file=err)
        log.warning("run-daily: not posted: %s", result.problem)
