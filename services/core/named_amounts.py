"""Amounts by name, as a setting holds them ({"online": 45.0}) and as a person writes them
("online=45, store=30"): the cost of acquiring a customer by channel
(services/settings/retention.py declares it; the Settings dialog edits it as this text)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["amounts_problem", "format_amounts", "parse_amounts"]

NAME_LIMIT = 64  # the orders' channel column holds 64 characters
AMOUNT_MAX = 1e9


def parse_amounts(text: str) -> dict[str, float]:
    """Amounts by name from text: "online=45, store=30.5" -> {"online": 45.0, "store": 30.5}.

    Raises ValueError saying in plain words what cannot be read."""
    amounts: dict[str, float] = {}
    for part in re.split(r"[;,\n]+(?=\s*[^\d\s])", text):
        part = part.strip().strip(",;")
        if not part:
            continue
        name, sep, number = part.partition("=")
        if not sep:
            name, sep, number = part.partition(":")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"'{part}' is not CHANNEL=AMOUNT (e.g. online=45)")
        try:
            amount = float(number.strip().replace(",", "."))
        except ValueError:
            raise ValueError(f"the amount of {name} must be a number, e.g. {name}=45") from None
        amounts[name] = amount
    return amounts  # what the amounts may be is amounts_problem's to say


def format_amounts(amounts: Mapping[str, Any]) -> str:
    """{"online": 45.0} -> "online=45" (the text the Settings field shows)."""
    return ", ".join(f"{name}={float(value):g}" for name, value in sorted(amounts.items()))


def amounts_problem(value: Any) -> str | None:
    """What is wrong with a table of amounts by channel, in plain words (the check)."""
    seen: set[str] = set()
    for name, amount in dict(value).items():
        if not isinstance(name, str) or not name.strip():
            return "a channel needs a name (e.g. online=45)"
        if len(name) > NAME_LIMIT:
            return f"'{name[:20]}…' is longer than a channel's {NAME_LIMIT} characters"
        if name.strip().lower() in seen:
            return f"the channel '{name}' is given twice"
        seen.add(name.strip().lower())
        number = isinstance(amount, int | float) and not isinstance(amount, bool)
        if not number or not math.isfinite(amount) or not 0 <= amount <= AMOUNT_MAX:
            return f"the CAC of {name} must be an amount of 0 or more"
    return None
