"""The lifecycle settings (declared here, gathered into services.settings.SETTINGS): where a
customer's stage comes from, the day and order counts that decide it, the health profile
of each stage and the floor under which the best time to reach out is not named. The
logic: services/lifecycle/.
"""

from __future__ import annotations

from typing import Any

from models.vocab import LIFECYCLE_SOURCES, LIFECYCLE_STAGES
from services.core.setting_spec import SettingSpec
from services.settings.scoring import HEALTH_WEIGHTS

__all__ = ["LIFECYCLE_SPECS"]

GROUP = "Lifecycle"


def _profiles_check(value: Any) -> str | None:
    """A health profile per stage: {stage: {component: weight}}."""
    unknown = sorted(set(value) - set(LIFECYCLE_STAGES))
    if unknown:
        return f"unknown stage(s) {', '.join(unknown)}; known: {', '.join(LIFECYCLE_STAGES)}"
    for stage, weights in value.items():
        if not isinstance(weights, dict):
            return f"the profile of '{stage}' must be a table of weights"
        wrong = sorted(set(weights) - set(HEALTH_WEIGHTS))
        if wrong:
            return f"unknown component(s) {', '.join(wrong)} in '{stage}'"
        for key, weight in weights.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
                return f"the weight of '{key}' in '{stage}' must be a number of at least 0"
        merged = {**HEALTH_WEIGHTS, **weights}
        if sum(float(w) for w in merged.values()) <= 0:
            return f"at least one weight of '{stage}' must be above 0"
    return None


_SPECS = (
    SettingSpec(
        "lifecycle.source", str, "auto", "Where a customer's stage comes from", None, GROUP,
        choices=LIFECYCLE_SOURCES,
        help="auto: an imported stage column when the customer's record has one, else "
        "their contract's dates, else their orders; field, contracts or orders: that one "
        "only. Whatever the source, a customer in the high churn-risk band is at risk.",
    ),
    SettingSpec(
        "lifecycle.onboarding_days", int, 60, "Onboarding lasts", None, GROUP, "days", 1, 730,
        help="A customer is onboarding for this many days after their first contract "
        "starts, or after their first order.",
    ),
    SettingSpec(
        "lifecycle.renewal_days", int, 90, "Renewal begins", None, GROUP,
        "days before the contract ends", 1, 365,
        help="A customer whose running contract ends within this many days is in renewal.",
    ),
    SettingSpec(
        "lifecycle.mature_days", int, 365, "Mature after", None, GROUP, "days", 1, 3650,
        help="After onboarding a customer is adopting until they have been a customer "
        "this long (and, by orders, have ordered often enough): then they are mature.",
    ),
    SettingSpec(
        "lifecycle.mature_orders", int, 4, "Mature from", None, GROUP, "orders", 1, 1000,
        help="By orders, a customer is mature once they have placed this many orders and "
        "have been a customer long enough.",
    ),
    SettingSpec(
        "lifecycle.health_profiles", dict, {}, "Health weights per stage", _profiles_check,
        GROUP, hidden=True,
        help="Each stage's own health weights, e.g. {\"onboarding\": {\"recency\": 10, "
        "\"product_usage\": 40}}; a stage left out uses the health score weights. Used "
        "for ranking only once the backtest shows they beat one profile.",
    ),
    SettingSpec(
        "lifecycle.reach_min_emails", int, 20, "Best time to reach out: at least", None,
        GROUP, "emails a time", 5, 1000,
        help="A time with fewer emails sent to a group than this is too few to say: the "
        "finest cut with two times this full is read (weekday and two hours, else weekday "
        "and half day, else weekday, else mornings against afternoons); a best time is "
        "named only when its rate's interval clears the rest's and beats chance among the "
        "times compared.",
    ),
)  # fmt: skip

# The app's own record of the last stage-profile backtest (services/lifecycle/health.py):
# whether the stage profiles rank who churned better than one profile, in words.
STAGE_CHECK_SPEC = SettingSpec(
    "lifecycle.stage_check", dict, {}, "The last backtest of the stage health profiles "
    "(kept by the app: services/lifecycle/health.py)", None, "", state=True,
)  # fmt: skip
LIFECYCLE_SPECS: tuple[SettingSpec, ...] = (*_SPECS, STAGE_CHECK_SPEC)
