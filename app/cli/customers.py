"""The one customer a command names: by external id, email or name, or why none is."""

from __future__ import annotations

from typing import Any

__all__ = ["one_customer"]


def one_customer(session: Any, text: str) -> int:
    """The id of the one customer ``text`` names (an external id, an email, a name or a
    company, else the app's own number for it); a CommandError in words when none or
    several do."""
    from app.cli.errors import CommandError
    from services.outreach.context import find_customers

    matches = find_customers(session, text, limit=4)
    if not matches and text.strip().isdigit():
        # The app's own number for the customer (what an accountradar:// link and
        # `pack customer` give), when no external id, email or name is that text.
        from models.schema import Customer

        own = session.get(Customer, int(text.strip()))
        if own is not None:
            return int(own.id)
    if not matches:
        raise CommandError(
            f"No customer matches '{text}'; give an external id, email, name or the app's "
            "number for the customer."
        )
    if len(matches) > 1:
        shown = "; ".join(label for _, label in matches[:3])
        raise CommandError(
            f"'{text}' matches several customers: {shown}. Give the external id or the email."
        )
    return int(matches[0][0])
