"""Closed vocabularies of the workspace tables (no SQLAlchemy import: cheap to load)."""

# Kept as strings in the database, so a new value needs no migration.
ORDER_STATUSES = ("paid", "refunded", "cancelled", "pending")
INTERACTION_KINDS = (
    "email_sent",
    "email_open",
    "email_click",
    "ticket",
    "review",
    "call",
    "meeting",
    "note",
    "nps",
    "login",
    "unsubscribe",
)
SEVERITIES = ("critical", "warning", "opportunity", "info")
# held_back: found by a scoring but kept out of the queue by the daily cap (services/alerts).
ALERT_STATUSES = ("open", "snoozed", "in_progress", "resolved", "dismissed", "held_back")
ACTION_KINDS = ("task", "call", "note")

# Orders with no customer id or email (Shopify guest checkouts) belong to one guest
# customer per source with this external id; it is left out of customer lists and scoring.
GUEST_EXTERNAL_ID = "__guest__"
