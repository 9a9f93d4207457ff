"""The CRM files' settings (declared here, gathered into services.settings.SETTINGS).

- ``crm.helpdesk_address`` (Settings ▸ Escalations): the help desk's email address, where
  a ticket made from an alert goes as an email (services/crm_files/ticket.py; a help desk
  opens a ticket from each email it receives).
"""

from __future__ import annotations

from typing import Any

from services.core.setting_spec import SettingSpec

GROUP = "Escalations"  # beside the team lead and the escalation address


def _address_problem(value: Any) -> str | None:
    text = str(value).strip()
    if text and ("@" not in text or " " in text):
        return "give an email address, e.g. support@yourcompany.com"
    return None


CRM_SPECS = (
    SettingSpec("crm.helpdesk_address", str, "", "Help desk's address", _address_problem,
                GROUP, help="Where a help-desk ticket made from an alert goes "
                "as an email (the help desk opens a ticket from it).",
                placeholder="support@yourcompany.com"),
)  # fmt: skip
