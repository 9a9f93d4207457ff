"""The scoring settings (declared here, gathered into services.settings.SETTINGS): the
churn and value horizons, the weights of the engagement and health scores and the
thresholds of confidence and segments. services/scoring documents what each one does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.core.clv_words import DEFAULT_CLV_MONTHS, MAX_CLV_MONTHS
from services.core.setting_spec import SettingSpec

# Scoring defaults (docs/design.md section 6); services/scoring documents what each one does.
ENGAGEMENT_WEIGHTS = {
    "recency": 35.0,
    "frequency": 25.0,
    "monetary": 15.0,
    "interaction": 15.0,
    "fatigue": 10.0,
    "usage": 15.0,  # product usage: counted only where the workspace has usage data
}
HEALTH_WEIGHTS = {
    "recency": 30.0,
    "frequency": 20.0,
    "satisfaction": 20.0,
    "email_engagement": 10.0,
    "review_sentiment": 10.0,
    "ticket_volume": 10.0,
    "product_usage": 15.0,  # counted only where the workspace has usage data
    "conversations": 15.0,  # counted only where the workspace has conversations
}
SCORING_THRESHOLDS = {
    # First order fewer days than this before the as-of date: population model, low confidence.
    "new_customer_days": 30.0,
    # High confidence needs this much tenure and this many distinct purchase days.
    "high_confidence_days": 180.0,
    "high_confidence_purchase_days": 3.0,
    # Below this share of the health weight backed by data, confidence drops one level.
    "min_data_coverage": 0.6,
    # Champions need at least this RFM monetary score (1-5); lower ones count as Loyal.
    "champion_min_monetary": 3.0,
    # Fewer training customers than this (or than 20 of either outcome): no classifier.
    "min_training_customers": 200.0,
}
MAX_HORIZON_DAYS = 1095


_NOT_ALWAYS = ("fatigue", "usage", "product_usage", "conversations")


def _weights_check(defaults: dict[str, float]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        unknown = sorted(set(value) - set(defaults))
        if unknown:
            return f"unknown component(s) {', '.join(unknown)}; known: {', '.join(defaults)}"
        for key, weight in value.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
                return f"the weight of '{key}' must be a number of at least 0"
        merged = {**defaults, **value}
        # Usage counts only on a workspace with usage data: another weight must be above 0.
        if sum(float(w) for k, w in merged.items() if k not in _NOT_ALWAYS) <= 0:
            return "at least one weight must be above 0"
        return None

    return check


def _thresholds_check(value: Any) -> str | None:
    unknown = sorted(set(value) - set(SCORING_THRESHOLDS))
    if unknown:
        return f"unknown threshold(s) {', '.join(unknown)}; known: {', '.join(SCORING_THRESHOLDS)}"
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
            return f"'{key}' must be a number of at least 0"
    return None


def _horizon_check(value: Any) -> str | None:
    if isinstance(value, bool) or not 1 <= value <= MAX_HORIZON_DAYS:
        return f"must be between 1 and {MAX_HORIZON_DAYS} days"
    return None


def _stages_check(value: Any) -> str | None:
    if not value:
        return "give at least one stage name"
    if not all(isinstance(v, str) and v.strip() for v in value):
        return "every stage must be a non-empty name"
    return None


SCORING_SPECS = (
    SettingSpec(
        "scoring.horizon_days",
        int,
        90,
        "Churn horizon in days: churn risk is the chance of no order in this many days",
        _horizon_check,
        page="Scores",
        applies="next_scoring",
    ),
    SettingSpec(
        "scoring.clv_months",
        int,
        DEFAULT_CLV_MONTHS,
        "Value horizon",
        unit="months",
        help="The customer's value is their predicted revenue over this many months, "
        "and is named after them: the 12-month value by default, the 24-month value "
        "at 24.",
        minimum=1,
        maximum=MAX_CLV_MONTHS,
        page="Scores",
        applies="next_scoring",
    ),
    SettingSpec(
        "scoring.engagement_weights",
        dict,
        ENGAGEMENT_WEIGHTS,
        "Engagement score weights (recency, frequency, monetary, interaction, usage; "
        "fatigue is a penalty)",
        _weights_check(ENGAGEMENT_WEIGHTS),
        page="Scores",
        applies="next_scoring",
    ),
    SettingSpec(
        "scoring.health_weights",
        dict,
        HEALTH_WEIGHTS,
        "Health score weights; missing components are left out and the rest re-weighted",
        _weights_check(HEALTH_WEIGHTS),
        page="Scores",
        applies="next_scoring",
    ),
    SettingSpec(
        "scoring.thresholds",
        dict,
        SCORING_THRESHOLDS,
        "Scoring thresholds: new-customer days, confidence levels, segment rules",
        _thresholds_check,
        hidden=True,
        applies="next_scoring",
    ),
)
