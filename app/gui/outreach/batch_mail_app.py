"""Send approved ▸ Open each in the mail app, for the review queue (batch_controller.py):
each approved email opened as a mailto link, or as an .eml draft when its link would be
too long (services/mail/delivery.py, MAILTO_LIMIT); when no mail program takes the links
(webmail, none set up), the rest are saved as .eml drafts and the queue says where.
Every email that left, opened or saved, is in the "Did you send them?" that follows.

The links and drafts are made on the database worker (the drafts are files); only the
opening, which is the desktop's, runs on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl

from app.workspace import Workspace
from views.kit.jobs import JobRunner, TaskState

if TYPE_CHECKING:
    from services.outreach.batch_delivery import MailAppEmail

# (rows that left, what happened, where they are) -> the queue asks "Did you send them?"
HandedFn = Callable[[list[int], str, str], None]


@dataclass
class _Outcome:
    opened: list[int] = field(default_factory=list)  # as mailto links
    drafts: list[int] = field(default_factory=list)  # as .eml drafts the mail app opened
    saved: list[int] = field(default_factory=list)  # .eml drafts no mail program opened
    folder: Path | None = None
    problems: list[str] = field(default_factory=list)


def open_each_in_mail_app(
    jobs: JobRunner,
    parent: QObject,
    ws: Workspace,
    batch_id: int,
    *,
    sender: Callable[[], str | None],
    drafts_folder: Callable[[], Path],
    open_url: Callable[[str], bool],
    handed: HandedFn,
) -> None:
    """Hand the batch's approved emails to the mail app, then call ``handed``."""
    folder = drafts_folder()

    def links(_state: TaskState) -> list[MailAppEmail]:
        from services.outreach.batch_delivery import mail_app_emails

        return mail_app_emails(ws.engine, batch_id, folder, sender=sender())

    def opened(emails: list[MailAppEmail]) -> None:
        outcome = _Outcome()
        taking = True  # a link or draft that does not open: no mail program takes them
        left: list[int] = []
        for email in emails:
            if email.problem is not None:
                outcome.problems.append(email.problem)
            elif email.url is not None:
                if taking and open_url(email.url):
                    outcome.opened.append(email.row_id)
                else:
                    taking = False
                    left.append(email.row_id)
            elif email.draft is not None:
                outcome.folder = email.draft.parent
                if taking and open_url(QUrl.fromLocalFile(str(email.draft)).toString()):
                    outcome.drafts.append(email.row_id)
                else:
                    taking = False
                    outcome.saved.append(email.row_id)
        if not left:
            _tell(outcome, handed)
            return

        def drafts(_state: TaskState) -> list[MailAppEmail]:
            from services.outreach.batch_delivery import mail_app_emails

            rows = frozenset(left)
            return mail_app_emails(
                ws.engine, batch_id, folder, sender=sender(), only=rows, links=False
            )

        def saved(emails: list[MailAppEmail]) -> None:
            for email in emails:
                if email.draft is not None:
                    outcome.saved.append(email.row_id)
                    outcome.folder = email.draft.parent
                elif email.problem is not None:
                    outcome.problems.append(email.problem)
            _tell(outcome, handed)

        jobs.operation(drafts, parent=parent, label="save drafts").success(saved).run()

    jobs.operation(links, parent=parent, label="approved emails").success(opened).run()


def _emails(count: int) -> str:
    return f"{count:,} email{'s' if count != 1 else ''}"


def _tell(outcome: _Outcome, handed: HandedFn) -> None:
    parts = []
    if outcome.opened:
        parts.append(f"Opened {_emails(len(outcome.opened))} in your mail app.")
    if outcome.drafts:
        parts.append(
            f"{_emails(len(outcome.drafts))} too long for a mail link: opened in your mail "
            "app as .eml drafts instead."
        )
    if outcome.problems:
        parts.append(f"{len(outcome.problems):,} not opened: {outcome.problems[0]}")
    where = ""
    if outcome.saved:
        parts.append(f"No mail program opened {_emails(len(outcome.saved))}: saved as .eml drafts.")
        where = (
            f"They are in {outcome.folder}: open them with your mail program, or copy "
            "their text into your webmail, to send them."
        )
    elif outcome.drafts:
        where = f"The drafts are in {outcome.folder}."
    said = " ".join(parts) or "No approved email to open."
    handed(outcome.opened + outcome.drafts + outcome.saved, said, where)
