"""The customers' answers to the app's emails in the demo: replies and automatic ones.

Each email the demo's history sent (services/demo/outreach.py) may be answered from the
recipient's address with the email's subject behind "Re:", as a mailbox export imported
into the app holds it (the reply definition's second way: services/replies/definition.py).
Who answers follows the story: a customer the email brought back (the outreach truth's
``reengaged``) answers far more often than one it did not; an email sent on a weekday
morning (Tuesday to Thursday, 8:00 to 12:00 in the workspace's clock, UTC) is answered
twice as often as one sent another time, so that Best time to reach out has something to
find. Some emails get an out-of-office answer instead, marked automatic in its headers
(Auto-Submitted: auto-replied), which is counted apart and never as a reply. An answer
comes hours to days after the email, before today, and within the reply window.

Drawn from a random stream of its own after everything else, so that adding them changed
no other row of the demo. The rates are kept with the demo's truth (``REPLY_TRUTH``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from models.schema import Interaction
from services.demo.generate import _objects
from services.demo.tables import _TableData
from services.demo.vocabulary import SOURCE

__all__ = ["REPLY_TRUTH", "demo_replies"]

# The chance an email is answered by a person: brought back or not, and the factor of a
# weekday morning; the chance of an automatic answer instead.
REPLY_TRUTH: dict[str, float] = {
    "reengaged": 0.30,
    "not_reengaged": 0.06,
    "weekday_morning_factor": 2.0,
    "automatic": 0.05,
}
_DAY = 86_400
_LATEST_DAYS = 20  # a reply comes within the 30-day window with room to spare
_REPLIES = (
    "Thanks for reaching out. I'll have a look this week.",
    "Good timing, I was about to order again. Is the code still valid?",
    "Thanks, we have been busy but we haven't forgotten you.",
    "Appreciate the note. Could you send me the new catalogue?",
    "Thank you! I placed an order this morning.",
    "Thanks. Not right now, but maybe after the holidays.",
)
_AUTOMATIC = "I am out of the office until next week with limited access to email."


def _weekday_morning(seconds: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    days = seconds // _DAY
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday: Monday is 0
    hour = (seconds % _DAY) // 3600
    return np.isin(weekday, (1, 2, 3)) & (hour >= 8) & (hour < 12)


def demo_replies(
    rng: np.random.Generator,
    outreach: _TableData,
    attributes: npt.NDArray[Any],
    today_day: int,
) -> _TableData:
    """The answers to the demo's emails (``outreach``: the sent emails' table), as
    imported customer emails (kind email_received). ``attributes``: per customer, their
    attributes, whose ``demo_outreach`` says whether the email brought them back."""
    customer = np.asarray(outreach.customer, dtype=np.int64)
    sent = outreach.columns["sent_at"].astype("datetime64[s]").astype(np.int64)
    k = len(customer)
    back = np.array(
        [bool((attributes[c].get("demo_outreach") or {}).get("reengaged")) for c in
         customer.tolist()],
        dtype=bool,
    )  # fmt: skip
    chance = np.where(back, REPLY_TRUTH["reengaged"], REPLY_TRUTH["not_reengaged"])
    chance = chance * np.where(_weekday_morning(sent), REPLY_TRUTH["weekday_morning_factor"], 1.0)
    draw = rng.random(k)
    automatic = draw < REPLY_TRUTH["automatic"]
    replied = ~automatic & (rng.random(k) < np.minimum(chance, 0.95))
    delay = np.where(
        automatic,
        rng.integers(30, 600, k),  # an out-of-office answer comes within minutes
        np.minimum(np.exp(rng.normal(np.log(20 * 3600), 1.0, k)), _LATEST_DAYS * _DAY),
    ).astype(np.int64)
    at = sent + delay
    keep = (automatic | replied) & (at < today_day * _DAY)
    which = np.flatnonzero(keep)
    recipients = outreach.columns["recipient"]
    subjects = outreach.columns["subject"]
    texts = rng.integers(0, len(_REPLIES), k)
    rows_subject, rows_text, rows_attributes = [], [], []
    for j in which.tolist():
        sender = str(recipients[j] or "")
        if automatic[j]:
            # A vacation responder's answer: the thread's subject, marked in its headers.
            rows_subject.append(f"Re: {subjects[j]}")
            rows_text.append(_AUTOMATIC)
            rows_attributes.append({"from": sender, "auto_submitted": "auto-replied"})
        else:
            rows_subject.append(f"Re: {subjects[j]}")
            rows_text.append(_REPLIES[int(texts[j])])
            rows_attributes.append({"from": sender})
    n = len(which)
    return _TableData(
        Interaction.__table__,  # type: ignore[arg-type]
        {
            "kind": np.full(n, "email_received", dtype=object),
            "occurred_at": at[which].astype("datetime64[s]"),
            "channel": np.full(n, "email", dtype=object),
            "subject": _objects(rows_subject),
            "text": _objects(rows_text),
            "attributes": _objects(rows_attributes),
            "source": np.full(n, SOURCE, dtype=object),
        },
        customer=customer[which],
    )
