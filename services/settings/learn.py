"""Learn's settings (declared here, gathered into services.settings.SETTINGS).

- ``learn.holdout_percent``: the share of newly alerted customers held out (no outreach
  suggested), drawn when the alert is raised (services/alerts/holdout.py); 0 turns the
  holdout off (alerts raised then are in no group).
- ``learn.holdout_seed``: the seed of that draw: the same seed and the same alerts, in the
  same order, give the same groups.
- ``learn.attribution_days``: an order this many days after the outreach (or, for the
  held out, after the alert) counts as re-engagement.
- ``learn.margin_percent``, ``learn.cost_offer_percent``, ``learn.cost_email``,
  ``learn.cost_call``, ``learn.cost_meeting``, ``learn.cost_team_month``: what outreach
  earns and costs, for its return (services/learn/roi.py); money in the home currency.
- ``outreach.batch_concurrency`` and ``outreach.send_per_minute``: Draft for all's
  parallel requests to the provider, and the pace of a batch's sending by SMTP.
"""

from __future__ import annotations

from services.core.setting_spec import HOME_CURRENCY_UNIT, SettingSpec

GROUP = "Measuring outreach"
BATCH_GROUP = "Sending email"
RETURN_SECTION = "Return on outreach"
_MONEY_MAX = 1e9

LEARN_SPECS = (
    SettingSpec("learn.holdout_percent", (int, float), 10, "Hold out", None, GROUP,
                "% of newly alerted customers", 0, 50,
                help="This share of the customers an alert is raised for get no outreach "
                "suggested, so that Results can compare them with the contacted. Drawn at "
                "random within each risk band when the alert is raised; 0 turns it off."),
    SettingSpec("learn.holdout_seed", int, 20261123, "Random seed of the holdout", None,
                GROUP, "", 0, 2**31 - 1,
                help="The same seed and the same alerts give the same held-out customers."),
    SettingSpec("learn.holdout_draws", dict, {}, "Holdout draws so far, per risk band "
                "(kept by the app: services/alerts/holdout.py)", None, "", state=True),
    SettingSpec("learn.attribution_days", int, 30, "Attribution window", None, GROUP,
                "days", 1, 365,
                help="An order within this many days of the email (for held-out customers, "
                "of the alert) counts as re-engagement."),
    SettingSpec("learn.margin_percent", (int, float), 0, "Margin rate", None, GROUP,
                "% of revenue", 0, 100,
                help="The share of revenue you keep as margin. When set, Return counts the "
                "incremental margin against the costs; at 0 it counts the revenue.",
                section=RETURN_SECTION, order=10),
    SettingSpec("learn.cost_offer_percent", (int, float), 100, "Cost of a redeemed offer",
                None, GROUP, "% of its value", 0, 100,
                help="An offer in an email is redeemed when its customer orders within the "
                "attribution window; it then costs this share of its value (a percent off: "
                "of those orders, never more than they came to).",
                section=RETURN_SECTION, order=11),
    SettingSpec("learn.cost_email", (int, float), 0, "Cost per email", None, GROUP,
                HOME_CURRENCY_UNIT, 0, _MONEY_MAX,
                help="Each email sent or exported for an alert, within its window.",
                section=RETURN_SECTION, order=12),
    SettingSpec("learn.cost_call", (int, float), 0, "Cost per call", None, GROUP,
                HOME_CURRENCY_UNIT, 0, _MONEY_MAX,
                help="Each call logged on an alert or done as a playbook step, within its "
                "window.", section=RETURN_SECTION, order=13),
    SettingSpec("learn.cost_meeting", (int, float), 0, "Cost per meeting", None, GROUP,
                HOME_CURRENCY_UNIT, 0, _MONEY_MAX,
                help="Each meeting done as a playbook step, within its window.",
                section=RETURN_SECTION, order=14),
    SettingSpec("learn.cost_team_month", (int, float), 0, "Team's time per month", None,
                GROUP, HOME_CURRENCY_UNIT, 0, _MONEY_MAX,
                help="Optional: what the team's time on outreach costs a month, spread over "
                "the period and shared among the contacted customers.",
                section=RETURN_SECTION, order=15),
    SettingSpec("outreach.batch_concurrency", int, 4, "Drafts written at once", None,
                "Email drafting", "", 1, 16,
                help="Draft for all sends at most this many requests to the provider at "
                "the same time.", section="Who writes the drafts", order=55,
                scope="personal"),  # what the person's provider can take
    SettingSpec("outreach.send_per_minute", int, 20, "Emails sent per minute at most",
                None, BATCH_GROUP, "", 1, 600,
                help="A batch's approved emails go out by SMTP no faster than this.",
                scope="personal"),  # what the person's mail server allows
)  # fmt: skip
