"""Read back the request a "What will be sent" view shows (services/outreach/prompt.py's
describe_request) into the JSON body it stands for, so a test can compare it, field for
field and character for character, with what the server received."""

from __future__ import annotations

import json
from typing import Any

INTRO = "The JSON body: its settings, then each message exactly as it is sent."


def shown_body(text: str) -> dict[str, Any]:
    """The body of one shown request (its settings and its messages, in order)."""
    head, _, rest = text.partition(INTRO + "\n")
    assert rest, "not a shown request"
    settings, _, tail = rest.partition("\n\n--- ")
    body: dict[str, Any] = {}
    for line in settings.splitlines():
        name, _, value = line.partition(": ")
        body[name] = json.loads(value)
    messages = []
    for part in ("--- " + tail).split("\n\n--- ") if tail else []:
        role, _, content = part.removeprefix("--- ").partition(" ---\n")
        messages.append({"role": role, "content": content})
    body["messages"] = messages
    return body
