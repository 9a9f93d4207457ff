"""CRM activity files -> interactions: Salesforce Task and Event exports (Data Export or
Data Loader), HubSpot activity files (calls, emails, notes, meetings, tasks, by HubSpot's
property names), and the app's own plain activities CSV (services/crm_files).

- Salesforce: a Task is a call (TaskSubtype or Type "Call"), an email ("Email") or else
  a note; an Event is a meeting at its StartDateTime. The customer is the WhatId's
  account, else the WhoId's contact (both as the Salesforce importers keep them:
  ("salesforce", 18-character id)), else the "Email" column. The record is ("salesforce",
  Id). CallDisposition is the call's outcome.
- HubSpot: the type is "Activity type" or the properties the row fills (hs_call_*,
  hs_email_*, hs_note_body, hs_meeting_*, hs_task_*); hs_timestamp is the time. The
  customer is ("hubspot", "Contact Record ID"), else "Contact Email". The record is
  ("hubspot", "Activity ID" or "Record ID") when the file has one.
- A row carrying the app's own key (Account_Radar_Id__c, account_radar_id, "App ID") is
  an activity logged in Account Radar: it is stored as the app's (source "account_radar")
  under that key, so a file brought back into the workspace that wrote it changes nothing
  (services/importing/changes.py leaves the app's record as it is), and one brought into
  another workspace adds each activity once however often it is imported.
- A row whose app key is a task's or a change's ("radar-task-", "radar-event-": a task
  made in the app, an alert's outcome, a do-not-contact mark, services/crm_files) is one of
  the app's own records, which it keeps itself: never imported as an activity, and never
  rejected either; the import's note counts them ("900 tasks and changes this app wrote:
  already recorded, left as they are"). A file holding nothing else imports nothing and
  says so.
- The app's own customer column (Account_Radar_Customer__c, account_radar_customer: the
  customer's source and id in the app, "generic:C-3") names the customer before any CRM id.
- An activity file never creates a customer (services/importing/activity_customers.py):
  a row whose app key is stored is that activity, whoever it names; a row whose customer
  is not in the workspace (by id, address or a contact's id) is rejected.
- A row with neither id is keyed by a hash of its customer, time, type and subject.
- A cell the export wrote as text with a leading apostrophe (a formula neutralised,
  services/core/output_files.py) is read without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from models.errors import UserFacingError
from models.vocab import APP_SOURCE
from services.importing import values
from services.importing.activity_customers import KNOWN_CUSTOMERS
from services.importing.canonical import Batch, Reject
from services.importing.formats._base import (
    BaseAdapter,
    Columns,
    RowErrors,
    app_customer_ids,
    attribute_dicts,
    stable_id,
)
from services.importing.formats.salesforce import normalise_ids

if TYPE_CHECKING:
    from services.importing.reader import RawTable

_TRIGGERS = ("'=", "'+", "'-", "'@", "'\t", "'\r")
_APP_RECORDS = ("radar-task-", "radar-event-")
_KINDS = {
    "call": "call",
    "email": "email_sent",
    "meeting": "meeting",
    "note": "note",
    "task": "note",
    "other": "note",
}
_OUTCOMES = {
    "talked with them": "connected",
    "connected": "connected",
    "left a voicemail": "voicemail",
    "left voicemail": "voicemail",
    "no answer": "no_answer",
    "wrong number": "wrong_number",
    # HubSpot's call statuses
    "completed": "connected",
    "no_answer": "no_answer",
    "busy": "no_answer",
}


def _text(column: pd.Series) -> pd.Series:
    """Cleaned text, a neutralised formula's apostrophe taken off, None when empty."""
    text, _ = values.clean_text(column)
    plain = text.astype(object)
    quoted = plain.map(lambda v: isinstance(v, str) and v.startswith(_TRIGGERS))
    return plain.where(~quoted, plain.str[1:]).astype(object)


def _first(*columns: pd.Series) -> pd.Series:
    out = columns[0].copy()
    for column in columns[1:]:
        out = out.where(out.notna(), column)
    return out.astype(object)


def _kinds(words: pd.Series) -> pd.Series:
    lowered = words.fillna("").astype(str).str.strip().str.lower()
    return lowered.map(_KINDS).where(lowered != "", None).astype(object)


def _outcomes(kind: pd.Series, words: pd.Series) -> pd.Series:
    lowered = words.fillna("").astype(str).str.strip().str.lower()
    mapped = lowered.map(_OUTCOMES)
    kept = mapped.where(mapped.notna(), words)
    return kept.where(kind.eq("call") & lowered.ne(""), None).astype(object)


def _app_customer(
    named: pd.Series, customer: pd.Series, source: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """The customer and its source, the app's own "source:id" first where a row has it."""
    app_source, app_id = app_customer_ids(named)
    has = app_id.notna()
    if not has.any():
        return customer, source
    return (
        customer.where(~has, app_id).astype(object),
        source.where(~has, app_source).astype(object),
    )


class _Activities(BaseAdapter):
    """Shared assembly: the frame of interactions from columns already read."""

    kinds = ("interactions",)
    key_columns: tuple[str, ...] = ("Account_Radar_Id__c", "account_radar_id", "App ID")
    customer_columns: tuple[str, ...] = ("Account_Radar_Customer__c", "account_radar_customer")

    def _assemble(
        self,
        table: RawTable,
        frame: pd.DataFrame,
        rows: np.ndarray,
        cols: Columns,
        errors: RowErrors,
        *,
        record: pd.Series,
        customer: pd.Series,
        customer_source: str | pd.Series,
        email: pd.Series,
        when_text: pd.Series,
        kind: pd.Series,
        subject: pd.Series,
        body: pd.Series,
        outcome: pd.Series,
    ) -> Batch:
        n = len(frame)
        key = _text(cols.get(*self.key_columns))
        if isinstance(customer_source, str):
            customer_source = pd.Series(customer_source, index=frame.index, dtype=object)
        customer, customer_source = _app_customer(
            _text(cols.get(*self.customer_columns)), customer, customer_source
        )
        # The app's own tasks and changes (an alert's outcome, a do-not-contact mark) that an
        # export wrote for the CRM: kept by the app itself, never brought back as activities,
        # and never rejected either (nothing is wrong with them): counted in a note.
        own = key.fillna("").astype(str).str.startswith(_APP_RECORDS).to_numpy(dtype=bool)
        when, bad_when = values.parse_datetimes(when_text)
        errors.add_bad(bad_when, when_text, "a date and time", "the activity's date")
        errors.add(when.isna().to_numpy() & ~bad_when.to_numpy(), "missing activity date")
        errors.add(kind.isna().to_numpy(), "no activity type")
        address, bad_email = values.normalize_email(email.fillna(""))
        nobody = customer.isna() & address.isna() & key.isna()
        errors.add(nobody.to_numpy(), "no customer id or email")
        hashed = [
            stable_id(str(c or a or ""), str(w), str(k), str(s or ""))
            for c, a, w, k, s in zip(customer, address, when, kind, subject, strict=True)
        ]
        mine = key.notna()
        external = _first(key, record, pd.Series(hashed, index=frame.index, dtype=object))
        source = np.where(mine.to_numpy(), APP_SOURCE, self.source)
        channel = kind.map({"call": "phone", "email_sent": "email"}).astype(object)
        out = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": source,
                "external_id": external.to_numpy(dtype=object),
                "customer_source": customer_source.where(customer.notna(), None).to_numpy(
                    dtype=object
                ),
                "customer_external_id": customer.to_numpy(dtype=object),
                "customer_email": address.to_numpy(dtype=object),
                "customer_name": None,
                "customer_company": None,
                "guest": False,
                "kind": kind.to_numpy(dtype=object),
                "channel": channel.where(channel.notna(), None).to_numpy(dtype=object),
                "subject": subject.to_numpy(dtype=object),
                "text": body.to_numpy(dtype=object),
                "status": outcome.to_numpy(dtype=object),
                "attributes": attribute_dicts(frame, cols.unused()),
                KNOWN_CUSTOMERS: True,
            }
        )
        out["occurred_at"] = when.reset_index(drop=True)
        out["utc_offset_minutes"] = values.event_offsets(when_text).to_numpy()
        errors.reasons[own] = None
        keep = errors.ok & ~own
        rejects = errors.rejects(self.file_of(table), rows)
        notes = [_own_records_words(int(own.sum()))] if own.any() else []
        if own.any() and not keep.any():
            raise UserFacingError(_only_own_words(self.file_of(table), int(own.sum()), rejects))
        kept = {"interactions": out[keep].reset_index(drop=True)}
        return self.batch(table, kept, rejects, n, notes)


def _own_records_words(count: int) -> str:
    """The note for the app's own tasks and changes a file brought back ("900 tasks and
    changes this app wrote: already recorded, left as they are")."""
    what = "task or change" if count == 1 else "tasks and changes"
    return f"{count:,} {what} this app wrote: already recorded, left as they are"


def _only_own_words(file: str, own: int, rejects: Sequence[Reject]) -> str:
    """Why nothing of a file holding only the app's own records (and unreadable rows) is
    imported: said as such, the unreadable rows by row, rather than "none could be read"."""
    what = "task or change" if own == 1 else "tasks and changes"
    words = f"the {own:,} {what} in {file} {'is' if own == 1 else 'are'} this app's own"
    words += ", already recorded"
    if not rejects:
        return words
    shown = "; ".join(f"row {r.row}: {r.reason}" for r in rejects[:3])
    more = f"; and {len(rejects) - 3:,} more" if len(rejects) > 3 else ""
    noun = "row" if len(rejects) == 1 else "rows"
    return f"{words}; {len(rejects):,} other {noun} could not be read ({shown}{more})"


class SalesforceActivities(_Activities):
    """Salesforce Task or Event export (Data Export, Data Loader, the app's own file)."""

    name = "salesforce_activities"
    title = "Salesforce tasks and events"
    source = "salesforce"
    required = (
        ("WhatId", "Subject", "ActivityDate"),
        ("WhoId", "Subject", "ActivityDate"),
        ("WhatId", "Subject", "StartDateTime"),
        ("WhoId", "Subject", "StartDateTime"),
    )

    def convert(self, table: RawTable) -> Batch:
        """Tasks and events -> calls, emails, notes and meetings."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        event = cols.has("StartDateTime")
        what = normalise_ids(cols.get("WhatId"))
        who = normalise_ids(cols.get("WhoId"))
        # Only an Account's id (prefix 001) or a Contact's (003) names a customer; an
        # opportunity's or a case's WhatId does not.
        account = what.where(what.fillna("").astype(str).str.startswith("001"), None)
        customer = _first(account, who.where(who.notna(), None))
        if event:
            kind = pd.Series("meeting", index=frame.index, dtype=object)
            when_text = cols.get("StartDateTime")
        else:
            subtype = _text(cols.get("TaskSubtype"))
            kind = _kinds(_first(subtype, _text(cols.get("Type"))))
            kind = kind.where(kind.notna(), "note").astype(object)
            when_text = _first(_text(cols.get("ActivityDate")), _text(cols.get("CreatedDate")))
            when_text = when_text.fillna("").astype(object)
        record = normalise_ids(cols.get("Id"))
        cols.use("OwnerId", "Status", "Priority", "Salesforce match", "Customer")
        return self._assemble(
            table, frame, rows, cols, errors, record=record, customer=customer,
            customer_source="salesforce", email=cols.get("Email"), when_text=when_text,
            kind=kind, subject=_text(cols.get("Subject")), body=_text(cols.get("Description")),
            outcome=_outcomes(kind, _text(cols.get("CallDisposition"))),
        )  # fmt: skip


_HUBSPOT_TYPES = (
    ("call", ("hs_call_title", "hs_call_body")),
    ("email_sent", ("hs_email_subject", "hs_email_text")),
    ("meeting", ("hs_meeting_title", "hs_meeting_body")),
    ("note", ("hs_task_subject", "hs_task_body")),
    ("note", ("hs_note_body",)),
)


class HubSpotActivities(_Activities):
    """HubSpot activities by their property names (calls, emails, notes, meetings, tasks)."""

    name = "hubspot_activities"
    title = "HubSpot activities"
    source = "hubspot"
    required = (
        ("hs_timestamp", "hs_call_title"),
        ("hs_timestamp", "hs_call_body"),
        ("hs_timestamp", "hs_email_subject"),
        ("hs_timestamp", "hs_note_body"),
        ("hs_timestamp", "hs_meeting_title"),
        ("hs_timestamp", "hs_task_subject"),
    )

    def convert(self, table: RawTable) -> Batch:
        """HubSpot activities -> calls, emails, notes and meetings."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        n = len(frame)
        kind = _kinds(_text(cols.get("Activity type")))
        subject = pd.Series(None, index=frame.index, dtype=object)
        body = pd.Series(None, index=frame.index, dtype=object)
        for word, names in _HUBSPOT_TYPES:
            first = _text(cols.get(names[0]))
            second = _text(cols.get(names[1])) if len(names) > 1 else first
            filled = first.notna() | second.notna() if len(names) > 1 else first.notna()
            if len(names) == 1:  # a note's one body: its first line is the subject
                lines = first.fillna("").astype(str).str.split("\n\n", n=1)
                first = lines.str[0].where(first.notna(), None)
                second = lines.str[1].where(lines.str.len() > 1, None)
            take = filled & subject.isna() & body.isna()
            subject = subject.where(~take, first)
            body = body.where(~take, second)
            kind = kind.where(kind.notna() | ~take, word)
        record = _text(cols.get("Activity ID", "Record ID"))
        customer = _text(cols.get("Contact Record ID", "Associated Contact IDs"))
        cols.use(
            "hs_call_direction", "hs_email_direction", "hs_task_status",
            "HubSpot match", "Customer", "Activity owner",
        )  # fmt: skip
        outcome = _outcomes(
            kind, _first(_text(cols.get("Outcome")), _text(cols.get("hs_call_status")))
        )
        return self._assemble(
            table, frame, rows[:n], cols, errors, record=record, customer=customer,
            customer_source="hubspot", email=cols.get("Contact Email", "Email"),
            when_text=cols.get("hs_timestamp"), kind=kind, subject=subject, body=body,
            outcome=outcome,
        )  # fmt: skip


class RadarActivities(_Activities):
    """The app's own plain activities CSV (services/crm_files)."""

    name = "radar_activities"
    title = "Account Radar activities"
    source = "generic"
    required = (("App ID", "Type", "Date", "Customer external ID"),)

    def convert(self, table: RawTable) -> Batch:
        """The plain activities file -> interactions."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        kind = _kinds(_text(cols.get("Type")))
        customer = _text(cols.get("Customer external ID"))
        source = _text(cols.get("Customer source"))
        cols.use("Customer name", "Owner")
        return self._assemble(
            table, frame, rows, cols, errors, record=pd.Series(None, index=frame.index,
            dtype=object), customer=customer,
            customer_source=source.where(source.notna(), "generic").astype(object),
            email=cols.get("Contact email"), when_text=cols.get("Date"), kind=kind,
            subject=_text(cols.get("Subject")), body=_text(cols.get("Body")),
            outcome=_outcomes(kind, _text(cols.get("Outcome"))),
        )  # fmt: skip
