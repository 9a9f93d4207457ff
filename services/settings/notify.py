"""The Slack and Teams settings (declared here, gathered into services.settings; the logic:
services/notify/).

- ``notify.service``: where the posts go, Slack or Microsoft Teams (the shape of the
  message follows it).
- ``notify.critical``, ``notify.sla``, ``notify.digest``: what is posted: new critical
  alerts, alerts that newly went past their time to act, the daily digest.
- ``notify.timeout_s``: how long a post may take before it is given up (and tried again
  on the next round).

The webhook's address is a secret: it is kept only in the system keyring
(services/core/credentials.py), never here. The person's own settings (they follow the
webhook, which is theirs); the two records of what was posted and which webhooks were
approved are the workspace's, so two people sharing a workspace and a channel never post
the same alert twice.
"""

from __future__ import annotations

from services.core.setting_spec import Scope, SettingSpec

GROUP = "Slack and Teams"
SERVICES = ("slack", "teams")
SERVICE_LABELS = ("Slack", "Microsoft Teams")
YOURS: Scope = "personal"
POSTED = "notify.posted"
APPROVED = "notify.approved"

NOTIFY_SPECS = (
    SettingSpec("notify.service", str, "slack", "Post to", None, GROUP, choices=SERVICES,
                help="The chat service whose incoming webhook you paste below.",
                order=10, scope=YOURS),
    SettingSpec("notify.critical", bool, True, "New critical alerts", None, GROUP,
                help="Each new critical alert, once, with its customer, reasons, worth "
                "and when it is due.", section="What to post", order=30, scope=YOURS),
    SettingSpec("notify.sla", bool, True, "Alerts past their time to act", None, GROUP,
                help="An alert nobody acted on by its due time (Settings ▸ Alerts ▸ Time to "
                "act), once, when it goes past it.", section="What to post", order=40,
                scope=YOURS),
    SettingSpec("notify.digest", bool, False, "The daily digest", None, GROUP,
                help="Since yesterday, once a day, after the daily round.",
                section="What to post", order=50, scope=YOURS),
    SettingSpec("notify.timeout_s", int, 10, "Give up a post after", None, GROUP, "seconds",
                1, 60, help="A post not answered in this time is tried again next round.",
                section="What to post", order=60, scope=YOURS),
    SettingSpec(POSTED, list, [], "What was posted to which webhook (kept by the app: "
                "services/notify/log.py)", None, "", state=True),
    SettingSpec(APPROVED, list, [], "The webhooks whose first post was approved, by a hash "
                "of their address (kept by the app: services/notify/log.py)", None, "",
                state=True),
)  # fmt: skip
