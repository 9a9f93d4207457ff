"""A help-desk ticket from an alert: prefilled, edited by the user, then written as the help
desk takes it.

- Zendesk: the JSON body of Zendesk's ticket import API (``POST /api/v2/imports/tickets``):
  ``{"ticket": {"requester": {"name", "email"}, "subject", "comment": {"body"},
  "priority", "tags", "external_id"}}``.
- Freshdesk: a CSV of the ticket fields, by the names of Freshdesk's ticket export ("Ticket
  ID", "Subject", "Description", "Status", "Priority", "Source", "Type", "Tags", "Full
  name", "Email", "Created time") and "Account Radar customer", the customer's own id in
  the app ("source:id"): the columns the app's own importer reads
  (services/core/freshdesk_fields.py declares them once), so the file comes back as
  the customer's ticket even when the privacy setting withholds the requester's address.
- Email: an email to the help desk's address (a help desk opens a ticket from each email
  it receives), saved as an .eml for the user's mail program, or sent through the SMTP
  server of Settings ▸ Sending email (services/crm_files/ticket_send.py); both carry the
  same text, ``ticket_email_body``.

The draft: the requester is the customer's person (their name and address), the subject
names the customer and the rule, the description gives the alert's reason and its drivers
in words, the priority follows the severity (critical: urgent, warning: high, the others
normal) and the tags name the app, the rule and the severity.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from models.vocab import HELPDESKS
from services.alerts.detail import alert_detail
from services.core import freshdesk_fields as fd
from services.core.formatting import format_date
from services.core.output_files import neutralise_text, write_text_file
from services.crm_files.records import TicketDraft

__all__ = [
    "HELPDESKS",
    "TicketDraft",
    "freshdesk_csv",
    "helpdesk_address",
    "save_ticket",
    "ticket_email_body",
    "ticket_from_alert",
    "zendesk_json",
]

PRIORITIES = {"critical": "urgent", "warning": "high"}
FRESHDESK_HEADER = fd.TICKET_COLUMNS


def ticket_from_alert(engine: Engine, alert_id: int) -> TicketDraft:
    """The ticket prefilled from the alert (AlertNotFoundError when it is gone), with what
    the privacy setting (Settings ▸ Privacy, the fields that may leave this computer)
    withholds masked in every field and the requester's address left empty when email is
    withheld, as in the CRM files: a person may still type it in before sending."""
    alert = alert_detail(engine, alert_id)
    raised = format_date(alert.created_at.date())
    lines = [f"Account Radar raised this alert on {raised}: {alert.reason}"]
    # What pushes the risk up (the card's reasons), never the signs that point the other
    # way ("active subscription"), which the conflict line names as such.
    why = alert.risk_reasons or ()
    if why:
        lines.append("")
        lines.append("Why:")
        lines.extend(f"- {reason}" for reason in why)
    if alert.conflict:
        lines.append("")
        lines.append(alert.conflict)
    lines.append("")
    # The customer's number in the app: the help desk can name the customer to the
    # account manager even when the privacy settings withhold the requester's address.
    lines.append(f"Customer: #{alert.customer_id} in Account Radar")
    if alert.owner:
        lines.append(f"Account manager: {alert.owner}")
    # The account (services/core/account_names.py) and, as the requester, its person.
    person = alert.person or alert.customer
    who = alert.customer if person == alert.customer else f"{alert.customer} ({person})"
    allowed, mask, key = _privacy(engine, alert)
    return TicketDraft(
        alert_id=alert.id,
        requester_name=mask(person),
        requester_email=alert.email if "email" in allowed else None,
        subject=mask(f"{alert.rule}: {who}"),
        description=mask("\n".join(lines)),
        priority=PRIORITIES.get(alert.severity, "normal"),
        tags=("account_radar", alert.rule_key, alert.severity),
        customer_key=key,
    )


def _privacy(engine: Engine, alert: Any) -> tuple[set[str], Callable[[str], str], str]:
    """The fields that may leave this computer, the mask of the others for the alert's
    customer (services/outreach/prompt.py withheld_mask, the CRM files' too), and the
    customer's own id in the app."""
    from sqlalchemy.orm import Session

    from services.core.account_names import account_names, mask_values
    from services.outreach.prompt import withheld_mask
    from services.settings.views import OutreachSettings

    with Session(engine) as session:
        fields = list(OutreachSettings.read(session).sent_fields)
        accounts = account_names(session, [alert.customer_id])
        people = mask_values(session, accounts, {alert.customer_id: alert.owner})
        key = _customer_key(session, int(alert.customer_id))
    return set(fields), withheld_mask(people, [], fields), key


def _customer_key(session: Any, customer_id: int) -> str:
    """The customer's own id in the app, "source:id" (as the activities files write it):
    its own source and id, else the first other source's id kept for it; "" when none."""
    from sqlalchemy import select

    from models.schema import Customer, CustomerIdentity

    row = session.execute(
        select(Customer.source, Customer.external_id).where(Customer.id == customer_id)
    ).first()
    if row is not None and row[0] and row[1]:
        return f"{row[0]}:{row[1]}"
    other = session.execute(
        select(CustomerIdentity.source, CustomerIdentity.external_id)
        .where(CustomerIdentity.customer_id == customer_id)
        .order_by(CustomerIdentity.id)
    ).first()
    return f"{other[0]}:{other[1]}" if other is not None else ""


def helpdesk_address(engine: Engine) -> str:
    """The help desk's address of the settings ("" when not set)."""
    from sqlalchemy.orm import Session

    from services.settings.views import HelpdeskSettings

    with Session(engine) as session:
        return HelpdeskSettings.read(session).address.strip()


def zendesk_json(draft: TicketDraft) -> str:
    """The ticket as the body of Zendesk's ticket import API."""
    requester: dict[str, str] = {"name": draft.requester_name}
    if draft.requester_email:
        requester["email"] = draft.requester_email
    body = {
        "ticket": {
            "requester": requester,
            "subject": draft.subject,
            "comment": {"body": draft.description},
            "priority": draft.priority,
            "status": "new",
            "tags": list(draft.tags),
            "external_id": draft.external_id,
            "created_at": draft.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def freshdesk_csv(draft: TicketDraft) -> str:
    """The ticket as one row of Freshdesk's ticket fields (formulas written as text), in
    the columns the app's own importer reads back; the time in UTC, as written."""
    cells = {
        fd.TICKET_ID: draft.external_id,
        fd.SUBJECT: draft.subject,
        fd.DESCRIPTION: draft.description,
        fd.STATUS: "Open",
        fd.PRIORITY: fd.PRIORITY_WORDS.get(draft.priority, draft.priority.capitalize()),
        fd.SOURCE: "Email",
        fd.TYPE: "Problem",
        fd.TAGS: ",".join(draft.tags),
        fd.FULL_NAME: draft.requester_name,
        fd.EMAIL: draft.requester_email or "",
        fd.CREATED_TIME: draft.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        fd.APP_CUSTOMER: draft.customer_key,
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FRESHDESK_HEADER)
    writer.writerow([neutralise_text(cells[column]) for column in FRESHDESK_HEADER])
    return out.getvalue()


def ticket_email_body(draft: TicketDraft) -> str:
    """The text of the email to the help desk: the requester, priority and tags, then the
    description (the .eml and the email sent carry the same)."""
    who = (
        f"{draft.requester_name} <{draft.requester_email}>"
        if draft.requester_email
        else f"{draft.requester_name} (no address: withheld by the privacy settings or unknown)"
    )
    body = f"Requester: {who}\nPriority: {draft.priority}\n"
    return body + f"Tags: {', '.join(draft.tags)}\n\n{draft.description}\n"


def save_ticket(
    draft: TicketDraft,
    helpdesk: str,
    path: str | os.PathLike[str],
    *,
    address: str | None = None,
    sender: str | None = None,
    force: bool = False,
) -> Path:
    """Write the ticket for ``helpdesk`` (zendesk: .json, freshdesk: .csv, email: .eml to
    ``address``) through the guarded writer; the path written."""
    if helpdesk == "zendesk":
        return write_text_file(path, zendesk_json(draft), force=force, what="the ticket")
    if helpdesk == "freshdesk":
        return write_text_file(
            path, freshdesk_csv(draft), force=force, what="the ticket", encoding="utf-8-sig"
        )
    from services.mail.message import build_email, save_eml

    if not address:
        from services.crm_files.export import CrmExportError

        raise CrmExportError(
            "Give the help desk's address (a help desk opens a ticket from each email)."
        )
    message = build_email(draft.subject, ticket_email_body(draft), address, sender)
    return save_eml(message, Path(path), force=force)
