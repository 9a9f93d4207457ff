"""A help-desk ticket sent as an email to the help desk's address, through the SMTP server
and password of Settings ▸ Sending email (services/mail/delivery.py, as the composer
sends), with the text the .eml carries (services/crm_files/ticket.py,
``ticket_email_body``).

Once the email is out, it is logged as a note on the alert it came from ("Help-desk
ticket emailed to ..."), so the customer's timeline and the alert's history show it. A
ticket is not outreach: it is never an outreach record, so Results' outreach figures,
the replies and the best time to reach out do not count it. An alert that is held back
takes no note: the ticket is sent and the result says nothing was logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.errors import UserFacingError
from services.crm_files.records import TicketDraft
from services.crm_files.ticket import ticket_email_body
from services.mail.delivery import send_email, smtp_settings
from services.mail.message import MailError

__all__ = ["SEND_TIMEOUT", "TicketSent", "send_ticket", "ticket_note"]

SEND_TIMEOUT = 20.0  # seconds to wait for the mail server


@dataclass(frozen=True)
class TicketSent:
    """A ticket emailed: to whom, through which server, and whether the note was logged."""

    address: str
    server: str
    subject: str
    noted: bool
    why_not_noted: str = ""

    def words(self) -> str:
        """ "Sent the ticket 'Acme: renewal at risk' to support@... through smtp....;
        logged as a note on the alert." """
        said = f"Sent the ticket '{self.subject}' to {self.address} through {self.server}"
        if self.noted:
            return f"{said}; logged as a note on the alert."
        return f"{said}; nothing logged on the alert ({self.why_not_noted})."


def ticket_note(draft: TicketDraft, address: str) -> str:
    """The note logged on the alert once the ticket is out."""
    return f"Help-desk ticket emailed to {address}: {draft.subject} ({draft.priority})"


def send_ticket(
    engine: Engine,
    draft: TicketDraft,
    address: str,
    *,
    actor: str | None = None,
    timeout: float = SEND_TIMEOUT,
) -> TicketSent:
    """Email the ticket to ``address`` through the workspace's SMTP settings, then log it
    on the alert. MailError in plain words when it cannot go (no server set, no
    password stored, a refused login, no answer in ``timeout`` seconds, no network)."""
    address = address.strip()
    if "@" not in address:
        raise MailError(
            "Give the help desk's address (a help desk opens a ticket from each email)."
        )
    with Session(engine) as session:
        smtp = smtp_settings(session)
    if not smtp.configured:
        raise MailError(
            "No mail server is set up for sending: enter it in Settings ▸ Sending email "
            "(or save the ticket as an .eml and send it from your mail program)."
        )
    send_email(smtp, draft.subject, ticket_email_body(draft), address, smtp.sender,
               timeout=timeout)  # fmt: skip
    server = f"{smtp.host}:{smtp.port}"
    from services.alerts.contact import add_note

    try:
        add_note(engine, draft.alert_id, ticket_note(draft, address), actor=actor)
    except UserFacingError as exc:  # the alert is held back, or gone
        return TicketSent(address, server, draft.subject, False, str(exc).rstrip("."))
    return TicketSent(address, server, draft.subject, True)
