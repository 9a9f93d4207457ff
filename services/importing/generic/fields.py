"""The canonical fields a generic file can fill, per kind (customers, orders, interactions,
opportunities, subscriptions, contracts, contacts), and the source name its records get
unless a profile names one. The header names each field recognises live in
``synonyms``; which column fills which field is guessed in ``mapping``.
"""

from __future__ import annotations

from models.errors import UserFacingError
from services.importing.types import FieldSpec

__all__ = ["FIELDS", "GENERIC_SOURCE", "fields_for_kind"]

GENERIC_SOURCE = "generic"


def _f(name: str, title: str, kind: str, required: bool, value_type: str) -> FieldSpec:
    return FieldSpec(name=name, title=title, kind=kind, required=required, value_type=value_type)


def _customer_ref(kind: str) -> tuple[FieldSpec, ...]:
    return (
        _f("customer_id", "Customer ID", kind, False, "id"),
        _f("customer_email", "Customer email", kind, False, "email"),
        _f("customer_name", "Customer name", kind, False, "text"),
        _f("customer_company", "Customer company", kind, False, "text"),
    )


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "customers": (
        _f("customer_id", "Customer ID", "customers", False, "id"),
        _f("email", "Email", "customers", False, "email"),
        _f("name", "Full name", "customers", False, "text"),
        _f("first_name", "First name", "customers", False, "text"),
        _f("last_name", "Last name", "customers", False, "text"),
        _f("company", "Company", "customers", False, "text"),
        _f("phone", "Phone", "customers", False, "text"),
        _f("owner", "Account owner", "customers", False, "text"),
        _f("tier", "Tier", "customers", False, "text"),
        _f("region", "Region", "customers", False, "text"),
        _f("signup_date", "Customer since", "customers", False, "date"),
        _f("do_not_contact", "Do not contact", "customers", False, "bool"),
        _f("tracking_opt_out", "Opted out of activity tracking", "customers", False, "bool"),
        _f("tracking_consent", "Agreed to activity tracking", "customers", False, "bool"),
    ),
    "orders": _customer_ref("orders")
    + (
        _f("order_id", "Order ID", "orders", False, "id"),
        _f("order_date", "Order date", "orders", True, "datetime"),
        _f("amount", "Amount", "orders", True, "money"),
        _f("currency", "Currency", "orders", False, "text"),
        _f("status", "Status", "orders", False, "text"),
        _f("channel", "Channel", "orders", False, "text"),
        _f("category", "Category", "orders", False, "text"),
        _f("items", "Items", "orders", False, "number"),
    ),
    "interactions": _customer_ref("interactions")
    + (
        _f("interaction_id", "Interaction ID", "interactions", False, "id"),
        _f("occurred_at", "Date", "interactions", True, "datetime"),
        _f("interaction_type", "Type", "interactions", False, "text"),
        _f("channel", "Channel", "interactions", False, "text"),
        _f("subject", "Subject", "interactions", False, "text"),
        _f("text", "Text", "interactions", False, "text"),
        _f("sentiment", "Sentiment (-1..1)", "interactions", False, "number"),
        _f("rating", "Rating", "interactions", False, "number"),
        _f("status", "Status", "interactions", False, "text"),
        _f("satisfaction", "Satisfaction", "interactions", False, "text"),
    ),
    "opportunities": _customer_ref("opportunities")
    + (
        _f("opportunity_id", "Opportunity ID", "opportunities", False, "id"),
        _f("name", "Opportunity name", "opportunities", True, "text"),
        _f("type", "Type", "opportunities", False, "text"),
        _f("stage", "Stage", "opportunities", False, "text"),
        _f("amount", "Amount", "opportunities", False, "money"),
        _f("currency", "Currency", "opportunities", False, "text"),
        _f("probability", "Probability", "opportunities", False, "number"),
        _f("created_at", "Created", "opportunities", False, "datetime"),
        _f("close_date", "Close date", "opportunities", False, "date"),
        _f("closed", "Closed", "opportunities", False, "bool"),
        _f("won", "Won", "opportunities", False, "bool"),
        _f("owner", "Owner", "opportunities", False, "text"),
    ),
    "subscriptions": _customer_ref("subscriptions")
    + (
        _f("subscription_id", "Subscription ID", "subscriptions", False, "id"),
        _f("plan", "Plan", "subscriptions", False, "text"),
        _f("status", "Status", "subscriptions", True, "text"),
        _f("started_at", "Started", "subscriptions", False, "datetime"),
        _f("current_period_end", "Current period end", "subscriptions", False, "datetime"),
        _f("canceled_at", "Canceled at", "subscriptions", False, "datetime"),
        _f("cancel_at_period_end", "Cancels at period end", "subscriptions", False, "bool"),
        _f("amount", "Amount", "subscriptions", False, "money"),
        _f("currency", "Currency", "subscriptions", False, "text"),
        _f("interval", "Interval", "subscriptions", False, "text"),
    ),
    # One contract term a row; the terms of one contract share its contract id.
    "contracts": _customer_ref("contracts")
    + (
        _f("contract_id", "Contract ID", "contracts", False, "id"),
        _f("name", "Plan or contract name", "contracts", False, "text"),
        _f("start_date", "Start date", "contracts", True, "date"),
        _f("end_date", "End (renewal) date", "contracts", True, "date"),
        _f("amount", "Recurring amount", "contracts", True, "money"),
        _f("currency", "Currency", "contracts", False, "text"),
        _f("period", "Billing period", "contracts", False, "text"),
        _f("auto_renew", "Auto-renews", "contracts", False, "bool"),
        _f("notice_days", "Notice period (days)", "contracts", False, "number"),
        _f("seats", "Seats", "contracts", False, "number"),
        _f("status", "Status", "contracts", False, "text"),
        _f("outcome", "Outcome", "contracts", False, "text"),
        _f("renewed_amount", "Renewed at (amount)", "contracts", False, "money"),
        _f("owner", "Owner", "contracts", False, "text"),
    ),
    # One person at an account a row (models/schema/contacts.py): the customer fields name
    # the account; with none, the person is their own account (a B2C book).
    "contacts": _customer_ref("contacts")
    + (
        _f("contact_id", "Contact ID", "contacts", False, "id"),
        _f("email", "Email", "contacts", False, "email"),
        _f("name", "Full name", "contacts", False, "text"),
        _f("first_name", "First name", "contacts", False, "text"),
        _f("last_name", "Last name", "contacts", False, "text"),
        _f("title", "Title", "contacts", False, "text"),
        _f("role", "Role", "contacts", False, "text"),
        _f("phone", "Phone", "contacts", False, "text"),
    ),
}


def fields_for_kind(kind: str) -> tuple[FieldSpec, ...]:
    """The canonical fields a generic column can map to, for one kind."""
    try:
        return FIELDS[kind]
    except KeyError:
        raise UserFacingError(
            f"'{kind}' is not a kind of data Account Radar imports; choose one of "
            f"{', '.join(FIELDS)}."
        ) from None
