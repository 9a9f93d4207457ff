"""What the composer does with a text the user takes out of it: open it in the mail app
(a mailto: link, or an .eml draft when too long for one), save it as .eml, send it by
SMTP on the work pool, and record each as outreach once (services/mail/delivery.py
and services/outreach/waiting.py, on sent.py, do the work).

An email sent by SMTP is recorded at once. One opened in the mail app, saved or copied
(or saved as a draft no mail program opened: a webmail user sends it from there) is
recorded only on the user's word: the composer asks "Did you send it?" (a bar that
waits while the mail app has the focus) and records it as sent on "Yes, log it as sent";
"Not sent" records nothing. Closing the composer with the question open asks it once
more (``ask_on_close``).

Signals:
    outreach_recorded(customer_id, alert_id): an email was sent or exported (alert_id 0:
        none); the alert moved to in progress.
    step_done(step_id): the playbook step the email answered was marked done with it.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal

from app.gui.outreach.questions import SavePathFn
from app.workspace import Workspace
from models.errors import UserFacingError
from services.alerts.records import SentAs
from views.kit.jobs import JobRunner, TaskState
from views.outreach.composer_dialog import ComposerDialog

if TYPE_CHECKING:
    from services.mail.delivery import SmtpSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One email leaving the composer, with what its record needs."""

    workspace: Workspace
    customer_id: int
    alert_id: int | None
    customer: str
    kind: str
    subject: str
    body: str
    recipient: str | None
    provider: str | None
    model: str | None
    template: str | None
    sender: str | None
    smtp: SmtpSettings | None
    # How it came to be (goal, tone, variant, edited; why a held-out customer is
    # contacted): recorded with it for Learn.
    sent_as: SentAs | None = None
    # The review queue's row whose waiting draft this is (it becomes sent with it).
    used_row: int | None = None
    # The playbook step the composer was opened for (My work ▸ Done on an email step):
    # done once this email is sent, not when the composer opened.
    step_id: int | None = None


class OutreachSender(QObject):
    """Carries an Outgoing email out and records it; notices go to the open composer
    (``dialog``, None once closed)."""

    outreach_recorded = Signal(int, int)
    step_done = Signal(int)

    def __init__(
        self,
        jobs: JobRunner,
        *,
        dialog: Callable[[], ComposerDialog | None],
        user: Callable[[], str],
        ask_eml_path: SavePathFn,
        open_url: Callable[[str], bool],
        drafts_folder: Callable[[], Path],
        clock: Callable[[], dt.datetime] | None,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._dialog = dialog
        self._user = user
        self._ask_eml_path = ask_eml_path
        self._open_url = open_url
        self._drafts_folder = drafts_folder
        self._clock = clock
        self._recorded: set[tuple[int, str, str]] = set()
        # The email taken out of the composer whose "Did you send it?" waits for an answer.
        self.pending: Outgoing | None = None

    def forget_recorded(self) -> None:
        """A new composer: the texts of the last one may be recorded again."""
        self._recorded.clear()
        self.pending = None

    def ask_sent(self, out: Outgoing) -> None:
        """Ask the user whether they sent the email they took out (mail app, .eml, copy);
        nothing is recorded until they say so."""
        if (out.customer_id, out.subject, out.body) in self._recorded:
            self._notice("This email is logged as sent already.")
            return
        self.pending = out
        dialog = self._dialog()
        if dialog is not None:
            dialog.ask_sent(
                "Did you send it?",
                f"Logged as sent, the email to {out.customer} moves the alert to in progress "
                "and starts the quiet period.",
            )

    def answer_sent(self, sent: bool) -> None:
        """The answer to "Did you send it?": log the email as sent, or nothing."""
        out, self.pending = self.pending, None
        if out is None:
            return
        if not sent:
            self._notice("Not logged. Nothing changes until you send it.")
            return
        self._notice(f"Logged as sent to {out.customer}.")
        self.record(out)

    def _notice(self, text: str, tone: str = "info") -> None:
        dialog = self._dialog()
        if dialog is not None:
            dialog.show_notice(text, tone)

    def open_in_mail_app(self, out: Outgoing) -> None:
        from services.mail.delivery import mail_app_url, save_draft

        url = mail_app_url(out.recipient or "", out.subject, out.body)
        if url is not None and self._open_url(url):
            self._notice(f"Opened in your mail app, addressed to {out.recipient}.")
            self.ask_sent(out)
            return
        try:
            folder = self._drafts_folder()
            path = save_draft(
                out.subject, out.body, out.recipient or "", out.sender, folder, out.customer_id
            )
        except Exception as exc:  # noqa: BLE001 - MailError and bad addresses, shown plainly
            self._jobs.present_error(exc)
            return
        why = " It is too long for a mail link." if url is None else ""
        if self._open_url(QUrl.fromLocalFile(str(path)).toString()):
            self._notice(f"Opened in your mail app as an .eml draft ({path}).{why}")
        else:
            self._notice(
                f"No mail program opened it. The draft is saved as {path}: open it with "
                "your mail program, or use Copy and paste it into your webmail.",
                "warning",
            )
        # Sent from a mail program or a webmail all the same: asked either way.
        self.ask_sent(out)

    def save_eml(self, out: Outgoing) -> None:
        from services.mail.delivery import eml_file_name, save_email

        suggested = str(Path(tempfile.gettempdir()) / eml_file_name(out.customer))
        path = self._ask_eml_path(suggested)
        if not path:
            return
        try:
            saved = save_email(out.subject, out.body, out.recipient or "", out.sender, path)
        except Exception as exc:  # noqa: BLE001 - MailError and bad addresses, shown plainly
            self._jobs.present_error(exc)
            return
        self._notice(f"Saved as {saved}. Open it with your mail program to send it.")
        self.ask_sent(out)

    def send_smtp(self, out: Outgoing) -> None:
        smtp = out.smtp
        if smtp is None or not smtp.configured:
            return

        def task(_state: TaskState) -> None:
            from services.mail.delivery import send_email

            send_email(smtp, out.subject, out.body, out.recipient or "", out.sender)

        self._notice(f"Sending to {out.recipient} through {smtp.host}…")
        dialog = self._dialog()
        if dialog is not None:
            dialog.smtp_button.setEnabled(False)
        # Owned by the sender (the controller's), not the dialog: closing the composer
        # mid-send must not lose the record of an email that did go out.
        (
            self._jobs.operation(task, parent=self, pool="work", label="send email")
            .success(lambda _r: self._on_sent(out))
            .failure(self._on_send_failed)
            .finished(self._refresh_buttons)
            .run()
        )

    def _refresh_buttons(self) -> None:
        dialog = self._dialog()
        if dialog is not None:
            dialog.refresh_buttons()

    def _on_sent(self, out: Outgoing) -> None:
        self._notice(f"Sent to {out.recipient}.")
        self.record(out)

    def _on_send_failed(self, error: BaseException) -> None:
        self._notice(f"Not sent: {error}", "critical")
        if self._dialog() is None or not isinstance(error, UserFacingError):
            self._jobs.present_error(error)

    def record(self, out: Outgoing) -> None:
        """One outreach record (sent: by SMTP, or on the user's word) per text taken out
        of the composer; the customer's drafts waiting in the review queue are settled
        with it."""
        mark = (out.customer_id, out.subject, out.body)
        if mark in self._recorded:
            return
        self._recorded.add(mark)
        waiting = self.pending
        if waiting is not None and (waiting.customer_id, waiting.subject, waiting.body) == mark:
            # Sent by SMTP after all: the question about this text no longer applies.
            self.pending = None
            dialog = self._dialog()
            if dialog is not None:
                dialog.sent_prompt.dismiss()
        actor = self._user()
        now = self._clock() if self._clock is not None else None

        def task(_state: TaskState) -> bool:
            from services.outreach.waiting import record_composer_email

            record_composer_email(
                out.workspace.engine,
                out.customer_id,
                alert_id=out.alert_id,
                subject=out.subject,
                body=out.body,
                status="sent",
                used_row=out.used_row,
                recipient=out.recipient,
                provider=out.provider,
                model=out.model,
                template=out.template,
                actor=actor,
                now=now,
                sent=out.sent_as,
            )
            return out.step_id is not None and _step_done(out, actor)

        def failed(error: BaseException) -> None:
            self._recorded.discard(mark)
            self._jobs.present_error(error)

        def recorded(step_done: bool) -> None:
            self.outreach_recorded.emit(out.customer_id, out.alert_id or 0)
            if step_done and out.step_id is not None:
                dialog = self._dialog()
                if dialog is not None:
                    said = dialog.notice.text()
                    self._notice(f"{said} The playbook step is done.".strip())
                self.step_done.emit(out.step_id)

        (
            self._jobs.operation(task, parent=self, label="record outreach")
            .success(recorded)
            .failure(failed)
            .run()
        )


def _step_done(out: Outgoing, actor: str) -> bool:
    """Mark the playbook step the email answers done (on the worker, after the record);
    False when it was done, skipped or its playbook stopped meanwhile: the email is
    recorded all the same."""
    from services.alerts.playbooks import complete_step

    assert out.step_id is not None
    try:
        complete_step(out.workspace.engine, out.step_id, actor=actor)
    except UserFacingError:
        return False
    except Exception:  # noqa: BLE001 - the email is recorded: a failure here must not undo that
        log.exception("The playbook step %s could not be marked done", out.step_id)
        return False
    return True
