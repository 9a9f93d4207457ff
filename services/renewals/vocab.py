"""The words of renewals, defined once: the outcomes a contract can have, the calls an
owner can make, and the chance of renewing each call stands for (so that an owner's call
and the model's likelihood compare on one scale, in the card's disagreement and in
forecast against actual)."""

from __future__ import annotations

OPEN = "open"
RENEWED = "renewed"
CHURNED = "churned"
OUTCOMES = (OPEN, RENEWED, CHURNED)

COMMIT = "commit"
LIKELY = "likely"
AT_RISK = "at_risk"
LOST = "lost"
CALLS = (COMMIT, LIKELY, AT_RISK, LOST)
CALL_LABELS = {COMMIT: "Commit", LIKELY: "Likely", AT_RISK: "At risk", LOST: "Lost"}
# The chance of renewing a call stands for: what "commit" or "at risk" means when set
# beside a likelihood, and the owner's forecast when forecast is checked against actual.
CALL_CHANCE = {COMMIT: 0.95, LIKELY: 0.75, AT_RISK: 0.35, LOST: 0.05}


def disagrees(call: str, likelihood: float | None, gap: float) -> bool:
    """True when the call's chance and the likelihood are at least ``gap`` apart."""
    if likelihood is None or call not in CALL_CHANCE:
        return False
    return abs(CALL_CHANCE[call] - likelihood) >= gap - 1e-9


PERIODS = ("month", "quarter", "year")
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def call_due_words(owner: str | None, viewer: str | None) -> str:
    """Whose call is due, for the person reading: "Your call is due" on their own
    customers (the owner's name in any case), "Leo's call is due" on another owner's,
    "A call is due (no owner yet)" on a customer nobody owns."""
    mine = (
        bool(viewer)
        and bool(owner)
        and (owner or "").strip().lower() == (viewer or "").strip().lower()
    )
    if mine:
        return "Your call is due"
    if owner:
        return f"{owner}'s call is due"
    return "A call is due (no owner yet)"


def unnamed_recorder_words() -> str:
    """What Record my call says while the user has not said who they are: a call is kept
    with the name of who made it (never the computer's login), so none is recorded yet."""
    return (
        "A call is kept with the name of who made it, and you have not said yours: "
        "File ▸ Who I am… gives it, then record your call."
    )
