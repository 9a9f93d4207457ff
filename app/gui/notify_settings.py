"""Settings ▸ Slack and Teams for the window: the webhook's address in the keyring, its
checks, and the preview a person approves before the first post to a webhook.

The keyring and the network run on the job runner's network pool, the database on its
database pool; the dialog only ever sees words (views/settings/notify_page.py,
``NotifySettingsSource``). ``approve_and_send`` is the one path by which the window
sends a post a person has not approved yet: the preview shows that post's own bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from app.workspace import Workspace
from models.errors import UserFacingError
from services.core.credentials import keyring_problem, resolve_secret
from services.notify.records import Post
from services.notify.run import (
    NOT_SET,
    Setup,
    approve_webhook,
    approved,
    post_all,
    read_setup,
    record_posted,
    trial_post,
)
from services.notify.webhook import (
    SECRET_NAME,
    forget_webhook,
    store_webhook,
    webhook_problem,
    where_words,
)
from views.kit.jobs import JobRunner
from views.settings.email_pages import Tone
from views.settings.notify_page import Done, PostPreviewDialog

log = logging.getLogger(__name__)

# Asks the person about a preview: True to send (tests answer for them).
AskFn = Callable[[PostPreviewDialog], bool]


def ask_with_dialog(dialog: PostPreviewDialog) -> bool:
    """Show the preview as a modal dialog; True when the person pressed Send."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def webhook_state_words() -> tuple[str, Tone]:
    """What is kept of the webhook (never the address), and its tone."""
    value, source = resolve_secret(SECRET_NAME)
    if not value:
        problem = keyring_problem()
        if problem:
            return (
                "No webhook is kept, and this computer has no system keyring to keep one in: "
                "Keep keeps the address in memory for this session only.",
                "warning",
            )
        return "No webhook is kept yet: paste one above.", "muted"
    host = value.split("/")[2] if value.count("/") >= 2 else "?"
    if source != "keyring":
        return (
            f"A webhook on {host} is kept in memory for this session only: this computer has "
            "no system keyring, so paste it again after the app restarts.",
            "warning",
        )
    return f"A webhook on {host} is kept in the system keyring.", "positive"


class NotifySettingsActions:
    """``NotifySettingsSource`` over the job runner and the open workspace."""

    def __init__(
        self,
        jobs: JobRunner,
        workspace: Callable[[], Workspace | None],
        *,
        ask: AskFn = ask_with_dialog,
    ) -> None:
        self._jobs = jobs
        self._workspace = workspace
        self._ask = ask

    def webhook_state(self, owner: QObject, done: Done) -> None:
        (
            self._jobs.operation(lambda _s: webhook_state_words(), parent=owner, pool="work")
            .success(lambda words: done(words[0], words[1]))
            .run()
        )

    def check_webhook(self, url: str, service: str) -> tuple[str | None, str]:
        problem = webhook_problem(url)
        return problem, "" if problem else where_words(url, service)

    def keep_webhook(self, url: str, owner: QObject, done: Done) -> None:
        def task(_state: object) -> tuple[str, Tone]:
            if keyring_problem():
                # No keyring: kept in memory for this session (said so), never in a file.
                store_webhook(url, session_only=True)
            else:
                store_webhook(url)
            return webhook_state_words()

        (
            self._jobs.operation(task, parent=owner, pool="work", label="keep the webhook")
            .success(lambda words: done(words[0], words[1]))
            .failure(lambda exc: done(_words(exc), "critical"))
            .run()
        )

    def forget_webhook(self, owner: QObject, done: Done) -> None:
        def task(_state: object) -> tuple[str, Tone]:
            forget_webhook()
            return webhook_state_words()

        (
            self._jobs.operation(task, parent=owner, pool="work", label="forget the webhook")
            .success(lambda words: done(words[0], words[1]))
            .failure(lambda exc: done(_words(exc), "critical"))
            .run()
        )

    def send_test(self, service: str, parent: QWidget, done: Done) -> None:
        workspace = self._workspace()
        if workspace is None:
            done("Open a workspace first.", "warning")
            return

        def task(_state: object) -> tuple[Setup, Post, bool]:
            setup = replace(read_setup(workspace.engine), service=service)
            post = trial_post(workspace.engine, setup, None)
            return setup, post, setup.url is not None and approved(workspace.engine, setup)

        def built(result: tuple[Setup, Post, bool]) -> None:
            setup, post, ok = result
            if setup.url is None:
                done(NOT_SET, "warning")
                return
            self.approve_and_send(workspace, setup, [post], parent, done, approved=ok)

        (
            self._jobs.operation(task, parent=parent, label="build the test post")
            .success(built)
            .failure(lambda exc: done(_words(exc), "critical"))
            .run()
        )

    def approve_and_send(  # noqa: PLR0913
        self,
        workspace: Workspace,
        setup: Setup,
        posts: list[Post],
        parent: QWidget,
        done: Done,
        *,
        approved: bool = False,
    ) -> None:
        """Show the first post, and on Send approve the webhook (unless ``approved``
        already: a test post after the first) and send ``posts``."""
        if setup.url is None or not posts:
            return
        first = posts[0]
        dialog = PostPreviewDialog(
            f"Preview: {first.title}" if approved else "Before the first post to this webhook",
            where_words(setup.url, setup.service),
            first.readable,
            first.pretty,
            parent,
            approved=approved,
        )
        try:
            if not self._ask(dialog):
                done("Nothing was sent.", "muted")
                return
        finally:
            dialog.deleteLater()
        if approved:
            self.send(workspace, setup, posts, parent, done)
            return
        (
            self._jobs.operation(lambda _s: approve_webhook(workspace.engine, setup), parent=parent)
            .success(lambda _r: self.send(workspace, setup, posts, parent, done))
            .failure(lambda exc: done(_words(exc), "critical"))
            .run()
        )

    def send(
        self, workspace: Workspace, setup: Setup, posts: list[Post], owner: QObject, done: Done
    ) -> None:
        """Send ``posts`` on the network pool, then remember those that went."""

        def sent(result: tuple[list[Post], str | None]) -> None:
            went, problem = result
            (
                self._jobs.operation(
                    lambda _s: record_posted(workspace.engine, setup, went), parent=owner
                )
                .success(lambda _r: done(*_outcome(went, problem)))
                .failure(lambda exc: done(_words(exc), "critical"))
                .run()
            )

        (
            self._jobs.operation(
                lambda _s: post_all(setup, posts), parent=owner, pool="work", label="post"
            )
            .success(sent)
            .failure(lambda exc: done(_words(exc), "critical"))
            .run()
        )


def _outcome(went: list[Post], problem: str | None) -> tuple[str, Tone]:
    if problem:
        return f"Not posted to Slack or Teams: {problem}", "critical"
    titles = "; ".join(p.title for p in went)
    return f"Posted to Slack or Teams: {titles}.", "positive"


def _words(exc: BaseException) -> str:
    if isinstance(exc, UserFacingError | ValueError):
        return str(exc)
    log.error("Slack and Teams settings failed", exc_info=exc)
    return f"That did not work ({type(exc).__name__}); the log has the details."
