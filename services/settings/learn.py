"""Learn's settings (declared here, gathered into services.settings.SETTINGS).

- ``learn.holdout_percent``: the share of newly alerted customers held out (no outreach
  suggested), drawn when the alert is raised (services/alerts/holdout.py); 0 turns the
  holdout off (alerts raised then are in no group).
- ``learn.holdout_seed``: the seed of that draw: the same seed and the same alerts, in the
  same order, give the same groups.
- ``learn.attribution_days``: an order this many days after the outreach (or, for the
  held out, after the alert) counts as re-engagement.
- ``outreach.batch_concurrency`` and ``outreach.send_per_minute``: Draft for all's
  parallel requests to the provider, and the pace of a batch's sending by SMTP.
"""

from __future__ import annotations

from services.core.setting_spec import SettingSpec

GROUP = "Measuring outreach"
BATCH_GROUP = "Sending email"

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
