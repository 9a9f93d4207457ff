"""The alert rules' declarations: each rule's key, title, default severity and what it
watches (ALERT_RULES), their parameters (ALERT_PARAMETERS, ALERT_GENERAL), and the alerts'
settings declared from them (ALERT_SPECS, gathered into services.settings.SETTINGS).
docs/design.md section 7 and services/alerts describe what each rule does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.vocab import SEVERITIES
from services.core.setting_spec import SettingSpec

# --- alert rules (docs/design.md section 7; services/alerts documents what each rule does) ------


@dataclass(frozen=True)
class AlertRuleSpec:
    """One alert rule: its key, title, default severity and what it watches, in words."""

    key: str
    title: str
    severity: str
    description: str
    queue: str = "risk"  # models.vocab.ALERT_QUEUES: the alert list it is worked from


ALERT_RULES: tuple[AlertRuleSpec, ...] = (
    AlertRuleSpec(
        "high_risk_high_value",
        "High risk, high value",
        "critical",
        "A customer likely to stop buying whose revenue of the last 12 months is among the "
        "highest.",
    ),
    AlertRuleSpec(
        "lapse_coming",
        "Lapse coming",
        "warning",
        "A customer likely to go the churn horizon without an order, while there is still "
        "time to act: the chance of no order before that day, from their own buying rhythm.",
    ),
    AlertRuleSpec(
        "risk_rising",
        "Churn risk rising",
        "warning",
        "Churn risk went up by a margin since the previous scoring.",
    ),
    AlertRuleSpec(
        "engagement_drop",
        "Engagement drop",
        "info",
        "The engagement score fell by a margin since the previous scoring.",
    ),
    AlertRuleSpec(
        "gone_quiet",
        "Gone quiet",
        "warning",
        "A repeat buyer has not ordered for a multiple of their usual gap between orders.",
    ),
    AlertRuleSpec(
        "negative_experience",
        "Negative experience",
        "warning",
        "Negative tickets (rated bad, or negative words) or a low-star or negative review "
        "in a recent window.",
    ),
    AlertRuleSpec(
        "conversation_risk",
        "Risk raised in a conversation",
        "warning",
        "In a call, meeting, chat, email or post imported in a recent window, the customer "
        "said they may cancel, named a competitor, had their budget cut, complained about "
        "the price or said their champion is leaving. Needs imported conversations.",
    ),
    AlertRuleSpec(
        "champion_left",
        "Champion left",
        "warning",
        "A champion or decision maker has gone from the account: no longer in their CRM's "
        "contacts export, their address bounced, or their address is now listed under "
        "another account. Critical when no other champion remains. Needs contacts.",
    ),
    AlertRuleSpec(
        "key_contact_dark",
        "Key contact gone dark",
        "warning",
        "A champion or decision maker we used to hear from (a call, meeting, chat, ticket "
        "or email from them) has not been heard from for a while. Needs contacts.",
    ),
    AlertRuleSpec(
        "single_threaded",
        "Single-threaded",
        "warning",
        "A valuable account with several people on record of whom only one was heard from "
        "lately: if that person goes, so does the account. Needs contacts.",
    ),
    AlertRuleSpec(
        "new_decision_maker",
        "New decision maker to meet",
        "info",
        "A decision maker was added to an account that already had people on record, and "
        "no one has met them yet. Needs contacts.",
    ),
    AlertRuleSpec(
        "ticket_past_sla",
        "Ticket past SLA",
        "warning",
        "A support ticket is still unresolved after the service-level time.",
    ),
    AlertRuleSpec(
        "expansion",
        "Expansion opportunity",
        "opportunity",
        "A highly engaged customer whose spend or email clicks are rising.",
        "growth",
    ),
    AlertRuleSpec(
        "stalled_opportunity",
        "Stalled deal",
        "warning",
        "An open deal stuck in an early stage with no contact for a while.",
        "pipeline",
    ),
    AlertRuleSpec(
        "usage_drop",
        "Usage drop",
        "warning",
        "Product use in the last two full weeks fell well below the customer's own usual "
        "weeks (active users for teams, else sessions). Needs product usage data.",
    ),
    AlertRuleSpec(
        "renewal_at_risk",
        "Renewal at risk",
        "warning",
        "An open contract renewing soon whose likelihood to renew is low, or whose owner "
        "called it at risk or lost. Needs contracts.",
        "pipeline",
    ),
    AlertRuleSpec(
        "notice_closing",
        "Notice period closing",
        "warning",
        "The last day to give or act on notice of an open contract is near, and its "
        "likelihood to renew is low or its owner has recorded no call. Needs contracts.",
        "pipeline",
    ),
)
ALERT_RULE_KEYS = tuple(rule.key for rule in ALERT_RULES)

# (rule, parameter, type, default, title, unit, minimum, maximum, help)
_Param = tuple[str, str, type | tuple[type, ...], Any, str, str, float | None, float | None, str]
_NUMBER = (int, float)
# The relationship signals' level (services/alerts/signal_proofs.py).
_PROVEN_HELP = (
    "The signal raises alerts only while, replayed weekly on this workspace's past year, "
    "at least this share of its findings were followed by a lost renewal within the churn "
    "horizon (by a lapse where the workspace has no contracts), on 20 findings or more; "
    "below it, it is shown as unproven and raises nothing."
)
ALERT_PARAMETERS: tuple[_Param, ...] = (
    ("high_risk_high_value", "min_churn_risk", _NUMBER, 60, "Churn risk at least", "%", 0, 100,
     "Customers whose churn risk is at least this."),
    ("high_risk_high_value", "top_value_percent", _NUMBER, 20, "Last 12 months' revenue in the "
     "top", "%", 0.1, 100, "...and whose paid revenue over the last 12 months is in this top "
     "share of scored customers."),
    ("lapse_coming", "min_chance_percent", _NUMBER, 70, "Chance of no order by then at least",
     "%", 1, 99, "The chance, from the customer's own buying rhythm (BG/NBD), that they "
     "place no order before the day they will have gone the churn horizon without one."),
    ("lapse_coming", "notice_days", int, 30, "At least this long before that day", "days", 1,
     365, "Alert only while this many days or more are left to win the customer back."),
    ("risk_rising", "min_increase_points", _NUMBER, 15, "Risk up by at least",
     "percentage points", 1, 100, "Rise of churn risk since the previous scoring."),
    ("risk_rising", "min_churn_risk", _NUMBER, 40, "Churn risk now at least", "%", 0, 100,
     "Only customers whose churn risk is now at least this."),
    ("engagement_drop", "min_drop_points", _NUMBER, 15, "Engagement down by at least", "points",
     1, 100, "Fall of the engagement score (0-100) since the previous scoring."),
    ("gone_quiet", "gap_multiple", _NUMBER, 2.0, "No order for more than",
     "times the usual gap", 1, 20,
     "The usual gap is the median number of days between a customer's purchase days."),
    ("gone_quiet", "max_quiet_days", int, 365, "Not after", "days without an order", 1, 3650,
     "Past this many days a customer counts as lost rather than quiet."),
    ("conversation_risk", "window_days", int, 30, "Within the last", "days", 1, 365,
     "Conversations this recent count."),
    ("conversation_risk", "min_precision_percent", _NUMBER, 85, "Each kind's measured "
     "precision at least", "%", 50, 100, "A kind of risk raises alerts, enters the digest "
     "and the churn features only while its precision measured on the labelled listening "
     "corpus is at least this; below it, it is shown as unproven and raises nothing."),
    ("champion_left", "window_days", int, 30, "Gone within the last", "days", 1, 365,
     "A person who left, bounced or moved this recently raises the alert."),
    ("champion_left", "min_precision_percent", _NUMBER, 30, "Replayed precision at least",
     "%", 1, 100, _PROVEN_HELP),
    ("key_contact_dark", "quiet_days", int, 60, "Not heard from for", "days", 7, 730,
     "No contact with the champion or decision maker for this long (a two-way "
     "interaction, or an order, ticket or use of the product of theirs), while there was "
     "one before."),
    ("key_contact_dark", "min_precision_percent", _NUMBER, 25, "Replayed precision at least",
     "%", 1, 100, _PROVEN_HELP),
    ("single_threaded", "active_days", int, 90, "Heard from within", "days", 7, 730,
     "A person counts as active with a contact this recent (a two-way interaction, or an "
     "order, ticket or use of the product of theirs)."),
    ("single_threaded", "top_value_percent", _NUMBER, 25, "Value in the top", "%", 0.1, 100,
     "Accounts whose value (the larger of the last 12 months' revenue and the scored "
     "value) is in this top share of the book."),
    ("single_threaded", "min_value", _NUMBER, 0, "Or a value of at least",
     "in the home currency", 0, 1_000_000_000,
     "When set above 0, this amount replaces the top share above."),
    ("single_threaded", "min_precision_percent", _NUMBER, 20, "Replayed precision at least",
     "%", 1, 100, _PROVEN_HELP),
    ("new_decision_maker", "new_days", int, 30, "Added within the last", "days", 1, 365,
     "A decision maker added this recently and not met yet."),
    ("new_decision_maker", "min_precision_percent", _NUMBER, 15,
     "Replayed precision at least", "%", 1, 100, _PROVEN_HELP),
    ("negative_experience", "window_days", int, 60, "Within the last", "days", 1, 730,
     "How far back tickets and reviews count."),
    ("negative_experience", "min_bad_tickets", int, 2, "Negative tickets at least",
     "tickets", 1, 100, "Tickets rated bad, or whose words read at or below the sentiment "
     "below, in the window."),
    ("negative_experience", "max_sentiment", _NUMBER, -0.5, "Negative words at most",
     "sentiment (-1 to 1)", -1, 0, "A ticket or review whose sentiment (the help desk's own, "
     "else read on the laptop) is this low counts as negative whatever its rating."),
    ("negative_experience", "max_review_stars", int, 2, "Or a review of at most", "stars", 1, 4,
     "One review at or below this many stars (of 5) in the window is enough."),
    ("ticket_past_sla", "sla_hours", int, 72, "Resolution SLA", "hours", 1, 8760,
     "A ticket still open, pending or on hold this long after it was opened is late."),
    ("expansion", "min_engagement", _NUMBER, 70, "Engagement at least", "points", 0, 100,
     "Engagement score (0-100) of the latest scoring."),
    ("expansion", "min_growth_percent", _NUMBER, 30, "Spend or clicks up by at least", "%", 1,
     1000, "Last 90 days against the 90 days before."),
    ("expansion", "min_clicks", int, 2, "Email clicks at least", "clicks in 90 days", 1, 1000,
     "Rising clicks count only from this many clicks in the last 90 days."),
    ("expansion", "upside_percent", _NUMBER, 25, "Expected upside", "% of the value", 1,
     1000, "The alert's priority: this share of the customer's expected value (its revenue "
     "over the value horizon, 12 months by default)."),
    ("stalled_opportunity", "stages", list, ["Qualified", "Qualification", "Proposal"],
     "Stages that can stall", "", None, None,
     "A deal's stage matches when its name starts with one of these (ignoring case)."),
    ("stalled_opportunity", "stalled_days", int, 14, "In the stage for more than", "days", 1,
     3650, "Days since the deal entered its stage (since it was created when unknown)."),
    ("stalled_opportunity", "quiet_days", int, 10, "No contact for", "days", 1, 3650,
     "No call, meeting, note, ticket, logged action or sent email in this many days."),
    ("usage_drop", "baseline_weeks", int, 10, "Usual weeks", "weeks before the last two", 4, 26,
     "The customer's usual use is read from this many full weeks before the last two."),
    ("usage_drop", "min_baseline_weeks", int, 6, "Used in at least", "of the usual weeks", 2,
     26, "Only customers who used the product in at least this many of the usual weeks."),
    ("usage_drop", "min_baseline_level", _NUMBER, 3, "Usual use at least", "a week", 0.5,
     100_000, "The median of the usual weeks (active users, else sessions) at least this."),
    ("usage_drop", "min_drop_percent", _NUMBER, 60, "Down by at least", "%", 1, 100,
     "The last two weeks' average below the usual median by at least this share."),
    ("usage_drop", "max_chance_percent", _NUMBER, 1, "Chance of so low a fortnight at most",
     "%", 0.1, 50, "How unusual the last two weeks are for this customer: the chance of "
     "two ordinary weeks this low, from the spread of the usual weeks (never less than "
     "chance's spread of the counts)."),
    ("usage_drop", "team_users", int, 3, "Watch active users from", "users a week", 2, 10_000,
     "Customers whose usual weeks have this many active users are watched by active users, "
     "the others by sessions."),
    ("renewal_at_risk", "within_days", int, 120, "Renewing within", "days", 1, 730,
     "Contracts whose renewal date is this close to the scores' date."),
    ("renewal_at_risk", "max_likelihood_percent", _NUMBER, 50, "Likelihood to renew below",
     "%", 1, 100, "...whose likelihood to renew is below this (a call of at risk or lost by "
     "the owner is enough whatever the likelihood)."),
    ("notice_closing", "within_days", int, 30, "Last day for notice within", "days", 1, 365,
     "The renewal date less the contract's notice period, this close to the scores' date."),
    ("notice_closing", "max_likelihood_percent", _NUMBER, 50, "Likelihood to renew below",
     "%", 1, 100, "...whose likelihood to renew is below this, or on which the owner has "
     "recorded no call."),
)  # fmt: skip
ALERT_GENERAL: tuple[_Param, ...] = (
    ("", "daily_cap_per_owner", int, 25, "New alerts per owner per day at most", "alerts", 0,
     100_000, "Only the highest-priority new alerts are raised each day (0: no cap)."),
    ("", "cooldown_days", int, 14, "Quiet period after contact", "days", 0, 365,
     "No new alert for a customer contacted (call logged, email sent) this recently."),
    ("", "realert_days", int, 30, "Do not raise a closed alert again for", "days", 0, 365,
     "After a user resolves or dismisses an alert, the same rule stays quiet for the "
     "customer this long."),
    ("", "critical_cap_per_owner", int, 0, "New critical alerts per owner per day at most",
     "alerts", 0, 100_000, "Critical alerts have a ceiling of their own, apart from the "
     "cap above: the highest-priority ones first, the rest held back (0, the default: no "
     "ceiling, so that no critical alert is missed)."),
)  # fmt: skip


def _stages_check(value: Any) -> str | None:
    if not value:
        return "give at least one stage name"
    if not all(isinstance(v, str) and v.strip() for v in value):
        return "every stage must be a non-empty name"
    return None


def _alert_specs() -> tuple[SettingSpec, ...]:
    titles = {rule.key: rule.title for rule in ALERT_RULES}
    specs = [
        SettingSpec(f"alerts.{param}", kind, default, title, None, "Alerts", unit, low, high,
                    (), text, applies="next_scoring")
        for _, param, kind, default, title, unit, low, high, text in ALERT_GENERAL
    ]  # fmt: skip
    specs.append(
        SettingSpec(
            "alerts.priority_uses_lower_bound", bool, False,
            "Rank churn alerts by the low end of the risk", group="Alerts",
            help="Revenue at risk counts the low end of the customer's likely churn risk "
            "(8 in 10 chances above it) rather than the best guess: customers whose risk "
            "is only uncertain move down the list.", applies="next_scoring",
        )
    )  # fmt: skip
    specs.append(
        SettingSpec(
            "alerts.weekly_budget_per_owner", int, 25, "Alerts per owner per week I can handle",
            group="Alerts", unit="alerts", minimum=1, maximum=10_000,
            help="The budget the suggested thresholds of Results ▸ Early warning keep to: "
            "at most this many new alerts per owner per week, on average.",
            applies="next_scoring",
        )
    )  # fmt: skip
    specs.append(
        SettingSpec(
            "alerts.lapse_floor_percent", int, 70, "Warn of a lapse from a chance of",
            group="Alerts", unit="%", minimum=1, maximum=99,
            help="The rules that read the orders warn only of customers whose chance of no "
            "order before their lapse point is at least this (a critical alert is raised "
            "whatever its chance; Lapse coming keeps its own minimum too, the higher "
            "applies). Left unset, the "
            "last Early-warning replay (Results ▸ Outreach) chooses it on this workspace's "
            "history (70 until one has run).", applies="next_scoring",
        )
    )  # fmt: skip
    specs.append(
        SettingSpec(
            "alerts.reach_weight", (int, float), 20, "Weight of each lapse beyond its value",
            group="Alerts", unit="typical values", minimum=0, maximum=10_000,
            help="The queue ranks lapse warnings by chance x (value + this x a typical "
            "customer's value): 0 puts the biggest accounts first, a large weight the "
            "likeliest lapses. Left unset, the last Early-warning replay (Results ▸ "
            "Outreach) chooses it on "
            "this workspace's history (20 until one has run).", applies="next_scoring",
        )
    )  # fmt: skip
    for rule in ALERT_RULES:
        group = titles[rule.key]
        specs.append(
            SettingSpec(
                f"alerts.{rule.key}.enabled",
                bool,
                True,
                "Raise these alerts",
                group=group,
                help=rule.description,
                applies="next_scoring",
            )
        )
        specs.append(
            SettingSpec(
                f"alerts.{rule.key}.severity",
                str,
                rule.severity,
                "Severity",
                group=group,
                choices=SEVERITIES,
                applies="next_scoring",
            )
        )
        for key, param, kind, default, title, unit, low, high, text in ALERT_PARAMETERS:
            if key == rule.key:
                specs.append(
                    SettingSpec(
                        f"alerts.{key}.{param}", kind, default, title,
                        _stages_check if param == "stages" else None,
                        group, unit, low, high, (), text, applies="next_scoring",
                    )
                )  # fmt: skip
    return tuple(specs)


ALERT_SPECS = _alert_specs()
