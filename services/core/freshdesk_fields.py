"""The columns of a Freshdesk ticket export, declared once: the Freshdesk import
(services/importing/formats/freshdesk.py) reads them and the app's own ticket file
(services/crm_files/ticket.py) writes ``TICKET_COLUMNS``, so the file comes back as a
ticket. Standard library only: the window imports the ticket writer at start-up, before
the table is filled, and must not load pandas for it."""

from __future__ import annotations

# Freshdesk's ticket fields, by the names of its ticket export.
TICKET_ID = "Ticket ID"
SUBJECT = "Subject"
DESCRIPTION = "Description"
STATUS = "Status"
PRIORITY = "Priority"
SOURCE = "Source"
TYPE = "Type"
TAGS = "Tags"
FULL_NAME = "Full name"
EMAIL = "Email"
CREATED_TIME = "Created time"
# The customer's own id in the app ("source:id"): an id, not personal data, so the app's
# file carries it whatever the privacy setting withholds (the requester's address may be
# withheld). A help desk keeps it as a custom field.
APP_CUSTOMER = "Account Radar customer"
# The columns of the app's own ticket file, in its order.
TICKET_COLUMNS = (
    TICKET_ID, SUBJECT, DESCRIPTION, STATUS, PRIORITY, SOURCE, TYPE, TAGS, FULL_NAME, EMAIL,
    CREATED_TIME, APP_CUSTOMER,
)  # fmt: skip
# Freshdesk's words for the priorities of a ticket (the app's low, normal, high, urgent).
PRIORITY_WORDS = {"low": "Low", "normal": "Medium", "high": "High", "urgent": "Urgent"}
