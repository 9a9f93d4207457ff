"""Retention's settings (declared here, gathered into services.settings.SETTINGS).

- ``retention.cac_by_channel``: what acquiring a customer costs, per acquisition channel
  (the one a customer's record names, such as a CRM's Lead Source, else the channel of
  their first paid order as the orders carry it: "online", "store", "app"...), in the home
  currency. A channel left out has no CAC: the report
  says "CAC not set" for it, never a figure of its own making. Written in the Settings
  dialog as ``online=45, store=30`` and on the command line as that text or as JSON
  (``config set retention.cac_by_channel '{"online": 45}'``).
"""

from __future__ import annotations

from services.core.named_amounts import amounts_problem
from services.core.setting_spec import SettingSpec

__all__ = ["CAC_SETTING", "RETENTION_SPECS"]

CAC_SETTING = "retention.cac_by_channel"
GROUP = "Retention"


RETENTION_SPECS = (
    SettingSpec(CAC_SETTING, dict, {}, "Cost of acquiring a customer (CAC), by channel",
                amounts_problem, GROUP,
                help="What winning one new customer costs, per acquisition channel (the "
                "Lead Source their record names, else their first order's channel), in the "
                "home currency, e.g. online=45, store=30. Results ▸ Retention sets it "
                "against what those customers are worth and lists the channels without "
                "one.",
                kind="amounts", placeholder="e.g. online=45, store=30", max_length=200),
)  # fmt: skip
