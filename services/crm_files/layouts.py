"""The three files an activities export writes, column by column.

- Salesforce: a Task file for the Data Import Wizard or Data Loader (one row per activity):
  WhoId (the person's Contact Id), WhatId (the Account Id), Subject, ActivityDate,
  Status, Priority, Description, TaskSubtype (Call, Email or Task), Type,
  CallDisposition, CallDurationInSeconds, OwnerId, and Account_Radar_Id__c, the app's
  key (a custom text field marked External ID lets Data Loader upsert by it, so a file
  loaded twice makes no second task), and Account_Radar_Customer__c, the customer's own
  id in the app ("source:id"), by which the app finds the customer when the file comes
  back. The app does not know Salesforce's user ids, so
  OwnerId is left empty (the loading user owns the tasks) and the owner's name is in
  "Owner Name". Columns Salesforce does not map ("Customer", "Email", "Salesforce
  match") say whom each row is about; "no Salesforce id" where the customer came from
  elsewhere, for the user to match by hand.
- HubSpot: one row per activity with HubSpot's own property names, one set per type
  (hs_call_title and hs_call_body for a call, hs_email_subject and hs_email_text for an
  email, hs_note_body for a note, hs_task_subject for a task), hs_timestamp (UTC,
  ISO 8601), and the record to associate with: "Contact Record ID" when the customer came
  from HubSpot, and "Contact Email"; account_radar_id is the app's key and
  account_radar_customer the customer's own id in the app ("source:id"). HubSpot imports
  one activity type per file: "Activity type" lets the user filter the rows of one.
- A plain CSV: date, customer external id, customer name, contact email, type, subject,
  body, outcome, owner and the app's id.

The customer's own id in the app is an id, not personal data: every row carries it. The
privacy setting (Settings ▸ Privacy, the fields that may leave this computer) holds
here too: a withheld field is not written (an address, a name, the owner) and is masked
inside the subject and body, as in a request to a model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from services.alerts.records import CALL_OUTCOME_LABELS
from services.core.account_names import shared_account_name
from services.crm_files.activities import Activity
from services.outreach.prompt import withheld_mask

__all__ = ["HEADERS", "TYPE_WORDS", "layout_rows"]

Row = tuple[str, ...]

# The app's kinds of interaction -> the word each file uses for its type.
TYPE_WORDS = {
    "call": ("Call", "Call", "call"),  # Salesforce TaskSubtype, HubSpot type, plain
    "email_sent": ("Email", "Email", "email"),
    "meeting": ("Task", "Meeting", "meeting"),
    "note": ("Task", "Note", "note"),
}
_OTHER = ("Task", "Task", "task")

HEADERS: dict[str, Row] = {
    "salesforce": (
        "WhoId", "WhatId", "Subject", "ActivityDate", "Status", "Priority", "Description",
        "TaskSubtype", "Type", "CallDisposition", "CallDurationInSeconds", "OwnerId",
        "Account_Radar_Id__c", "Account_Radar_Customer__c", "Owner Name", "Customer", "Email",
        "Salesforce match",
    ),
    # Meetings go to Salesforce as Events, a file of their own (Data Loader imports one
    # object per file): the Task file's columns with a start and a length in place of
    # the date, status and call fields.
    "salesforce_event": (
        "WhoId", "WhatId", "Subject", "StartDateTime", "DurationInMinutes", "Description",
        "Type", "OwnerId", "Account_Radar_Id__c", "Account_Radar_Customer__c", "Owner Name",
        "Customer", "Email", "Salesforce match",
    ),
    "hubspot": (
        "Activity type", "hs_timestamp", "hs_call_title", "hs_call_body",
        "hs_call_direction", "hs_call_status", "hs_email_subject", "hs_email_text",
        "hs_email_direction", "hs_note_body", "hs_task_subject", "hs_task_body",
        "hs_task_status", "Contact Record ID", "Contact Email", "Activity owner",
        "account_radar_id", "account_radar_customer", "Outcome", "Customer", "HubSpot match",
    ),
    "csv": (
        "Date", "Customer external ID", "Customer source", "Customer name", "Contact email",
        "Type", "Subject", "Body", "Outcome", "Owner", "App ID",
    ),
}  # fmt: skip


class _Privacy:
    """What the privacy setting lets out of this computer, per activity."""

    def __init__(self, sent_fields: Sequence[str]) -> None:
        self.fields = list(sent_fields)
        self.allowed = set(sent_fields)

    def mask(self, activity: Activity) -> Callable[[str], str]:
        people = []
        # Whom it was with, the customer's own person and the account's (who may differ).
        names = [activity.contact_name, activity.customer_name]
        if activity.account is not None:
            names.append(activity.account.person)
        for name in dict.fromkeys(n for n in names if n):
            first, _, last = name.partition(" ")
            people.append({"first_name": first or None, "surname": last or None})
        people.append(
            {
                "email": activity.person_email,
                "company": activity.customer_company,
                "owner": activity.owner,
            }
        )
        return withheld_mask(people, [], self.fields)

    def name(self, activity: Activity) -> str:
        """The account as the file's Customer column names it: its company, else its
        person's whole name, by what the privacy setting lets out ("" when nothing)."""
        if activity.account is None:
            return ""
        return shared_account_name(activity.account, self.allowed, whole_names=True, fallback="")

    def email(self, value: str | None) -> str:
        return (value or "") if "email" in self.allowed else ""

    def owner(self, value: str | None) -> str:
        return (value or "") if "owner" in self.allowed else ""


def _outcome(activity: Activity) -> str:
    if activity.kind == "call":
        return CALL_OUTCOME_LABELS.get(activity.status or "connected", activity.status or "")
    return activity.status or ""


def _app_customer(a: Activity) -> str:
    """The customer's own id in the app, "source:id" (an id, never withheld)."""
    return f"{a.customer_source}:{a.customer_external_id}" if a.customer_external_id else ""


def _status(a: Activity) -> str:
    """A task's status as Salesforce says it; what was logged happened: Completed."""
    return a.status if a.kind == "task" and a.status else "Completed"


def _salesforce(a: Activity, p: _Privacy, subject: str, body: str) -> Row:
    subtype, _, _ = TYPE_WORDS.get(a.kind, _OTHER)
    kind_word = {"note": "Other", "meeting": "Meeting"}.get(a.kind, subtype)
    match = "" if a.salesforce_account else "no Salesforce id"
    return (
        a.contact_salesforce or "", a.salesforce_account or "", subject,
        (a.due or a.occurred_at.date()).isoformat(), _status(a), "Normal", body, subtype,
        kind_word,
        _outcome(a) if a.kind == "call" else "", "", "", a.key or "", _app_customer(a),
        p.owner(a.owner),
        p.name(a), p.email(a.person_email), match,
    )  # fmt: skip


# A meeting whose length the app does not know is written as this long (Salesforce needs
# one); a meeting scheduled from a card carries its own.
MEETING_MINUTES = 30


def _salesforce_event(a: Activity, p: _Privacy, subject: str, body: str) -> Row:
    match = "" if a.salesforce_account else "no Salesforce id"
    start = a.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        a.contact_salesforce or "", a.salesforce_account or "", subject, start,
        str(a.minutes or MEETING_MINUTES), body, "Meeting", "", a.key or "", _app_customer(a),
        p.owner(a.owner), p.name(a), p.email(a.person_email), match,
    )  # fmt: skip


def _hubspot(a: Activity, p: _Privacy, subject: str, body: str) -> Row:
    _, word, _ = TYPE_WORDS.get(a.kind, _OTHER)
    call = word == "Call"
    email = word == "Email"
    note = word in ("Note", "Meeting")
    task = word == "Task"
    record = a.contact_hubspot or a.hubspot_record or ""
    # A task's time in HubSpot is when it is due.
    moment = dt.datetime.combine(a.due, dt.time(), dt.UTC) if task and a.due else a.occurred_at
    when = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        word, when,
        subject if call else "", body if call else "", "OUTBOUND" if call else "",
        "COMPLETED" if call else "",
        subject if email else "", body if email else "", "EMAIL" if email else "",
        "\n\n".join(t for t in (subject, body) if t) if note else "",
        subject if task else "", body if task else "",
        ("COMPLETED" if _status(a) == "Completed" else "NOT_STARTED") if task else "",
        record, p.email(a.person_email), p.owner(a.owner), a.key or "", _app_customer(a),
        _outcome(a),
        p.name(a), "" if record else "no HubSpot record ID",
    )  # fmt: skip


def _plain(a: Activity, p: _Privacy, subject: str, body: str) -> Row:
    _, _, word = TYPE_WORDS.get(a.kind, _OTHER)
    return (
        a.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"), a.customer_external_id or "",
        a.customer_source, p.name(a), p.email(a.person_email), word, subject, body,
        _outcome(a), p.owner(a.owner), a.key or "",
    )  # fmt: skip


_BUILDERS: dict[str, Callable[[Activity, _Privacy, str, str], Row]] = {
    "salesforce": _salesforce,
    "salesforce_event": _salesforce_event,
    "hubspot": _hubspot,
    "csv": _plain,
}


def layout_rows(
    target: str, activities: Sequence[Activity], sent_fields: Sequence[str]
) -> tuple[Row, list[Row]]:
    """The header and the rows of ``target``'s file (not yet neutralised)."""
    privacy = _Privacy(sent_fields)
    build = _BUILDERS[target]
    rows = []
    for activity in activities:
        mask = privacy.mask(activity)
        subject = mask(activity.subject or "")
        body = mask(activity.text or "")
        rows.append(build(activity, privacy, subject, body))
    return HEADERS[target], rows
