"""The one customer a command names: by external id, email or name, or why none is."""

from __future__ import annotations

from typing import Any

__all__ = ["one_customer"]


def one_customer(session: Any, text: str) -> int:
    """The id of the one customer ``text`` names (an external id, an email, a name or a
    company); a CommandError in words when none or several do."""
    from app.cli.errors import CommandError
    from services.outreach.context import find_customers

    matches = find_customers(session, text, limit=4)
    if not matches:
        raise CommandError(f"No customer matches '{text}'; give an external id, email or name.")
    if len(matches) > 1:
        shown = "; ".join(label for _, label in matches[:3])
        raise CommandError(
            f"'{text}' matches several customers: {shown}. Give the external id or the email."
        )
    return int(matches[0][0])
