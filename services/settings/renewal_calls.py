"""The owner's renewal calls' settings: the checkpoints before a renewal date at which the
owner records their call, and how far the call and the model's likelihood may differ
before the card and the team lead are told (declared here, gathered into
services.settings; the logic: services/renewals/calls.py)."""

from __future__ import annotations

from typing import Any

from services.core.setting_spec import SettingSpec

GROUP = "Renewals"
MAX_MONTHS = 24


def _checkpoints_check(value: Any) -> str | None:
    if not value:
        return "give at least one checkpoint (months before the renewal date)"
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return "every checkpoint is a whole number of months"
    if not all(1 <= v <= MAX_MONTHS for v in value):
        return f"every checkpoint is between 1 and {MAX_MONTHS} months before the date"
    if len(set(value)) != len(value):
        return "a checkpoint is given twice"
    return None


RENEWAL_CALL_SPECS = (
    SettingSpec(
        "renewals.checkpoint_months", list, [6, 3], "Ask for the owner's call",
        _checkpoints_check, GROUP, "months before the renewal date",
        help="At each of these checkpoints before a contract's renewal date the owner "
        "records their call (commit, likely, at risk or lost) with a note; a call not yet "
        "recorded shows as due on the customer's renewal card and in My work.",
    ),
    SettingSpec(
        "renewals.disagreement_points", (int, float), 40,
        "Tell the team lead when call and model differ by", None, GROUP,
        "percentage points", 5, 100,
        help="The chance an owner's call stands for (commit 95%, likely 75%, at risk 35%, "
        "lost 5%) set beside the model's likelihood to renew: a gap this wide or wider is "
        "said on the card and listed for the team lead.",
    ),
)  # fmt: skip
